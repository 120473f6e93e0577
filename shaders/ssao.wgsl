// Screen-space ambient occlusion at half resolution: for each pixel, points in the hemisphere
// around its normal (radius in metres), projected back to the screen; a point behind what the
// geometry target saw there is occluded. `fullscreen.wgsl` and `frame.wgsl` come first.

@group(0) @binding(0) var geometry: texture_2d<f32>;
@group(0) @binding(1) var geometry_sampler: sampler;
struct Params {
    // x radius (m), y intensity, z samples, w unused.
    radius_intensity: vec4<f32>,
}
@group(0) @binding(2) var<uniform> params: Params;
@group(0) @binding(3) var<uniform> frame: Frame;

fn octahedral_decode(e: vec2<f32>) -> vec3<f32> {
    var v = vec3<f32>(e.x, e.y, 1.0 - abs(e.x) - abs(e.y));
    let t = max(-v.z, 0.0);
    v.x = v.x + select(t, -t, v.x >= 0.0);
    v.y = v.y + select(t, -t, v.y >= 0.0);
    return normalize(v);
}

// The world position seen through `uv` at view depth `depth`.
fn world_at(uv: vec2<f32>, depth: f32) -> vec3<f32> {
    let ndc = vec2<f32>(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0);
    let far = frame.inverse_view_proj * vec4<f32>(ndc, 1.0, 1.0);
    let ray = normalize(far.xyz / far.w - frame.camera_position.xyz);
    return frame.camera_position.xyz + ray * (depth / dot(ray, frame.camera_forward.xyz));
}

// Interleaved gradient noise (Jimenez): a per-pixel rotation that a small blur hides.
fn noise(pixel: vec2<f32>) -> f32 {
    return fract(52.9829189 * fract(dot(pixel, vec2<f32>(0.06711056, 0.00583715))));
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let g = textureSampleLevel(geometry, geometry_sampler, in.uv, 0.0);
    let depth = g.z;
    if (depth >= 60000.0) {
        return vec4<f32>(1.0);
    }
    let n = octahedral_decode(g.xy);
    let p = world_at(in.uv, depth);
    let radius = params.radius_intensity.x;
    let count = i32(params.radius_intensity.z);
    // An orthonormal frame around the normal, turned by the pixel's noise.
    var up = vec3<f32>(0.0, 1.0, 0.0);
    if (abs(n.y) > 0.99) {
        up = vec3<f32>(1.0, 0.0, 0.0);
    }
    let angle = noise(in.clip.xy) * 6.28318531;
    let t0 = normalize(cross(up, n));
    let b0 = cross(n, t0);
    let t = t0 * cos(angle) + b0 * sin(angle);
    let b = cross(n, t);
    var occluded = 0.0;
    for (var i = 0; i < count; i++) {
        // A spiral over the hemisphere, denser near the point (nearby geometry occludes most).
        let f = (f32(i) + 0.5) / f32(count);
        let phi = f32(i) * 2.39996323;
        let r = sqrt(1.0 - f);
        let local = vec3<f32>(cos(phi) * r, sin(phi) * r, sqrt(f));
        let scale = mix(0.1, 1.0, f * f);
        let sample_point = p + (t * local.x + b * local.y + n * local.z) * radius * scale;
        let clip = frame.view_proj * vec4<f32>(sample_point, 1.0);
        let ndc = clip.xy / clip.w;
        let uv = vec2<f32>(ndc.x * 0.5 + 0.5, 0.5 - ndc.y * 0.5);
        let sample_depth = dot(sample_point - frame.camera_position.xyz, frame.camera_forward.xyz);
        let seen = textureSampleLevel(geometry, geometry_sampler, uv, 0.0).z;
        // Occluded when the surface seen there is in front of the point, by less than the
        // radius (farther in front is another object, not a crease).
        let in_front = sample_depth - seen;
        let near_enough = smoothstep(0.0, 1.0, radius / max(abs(depth - seen), 1e-4));
        occluded += select(0.0, near_enough, in_front > 0.02 * radius);
    }
    let ao = 1.0 - occluded / f32(count) * params.radius_intensity.y;
    return vec4<f32>(clamp(ao, 0.0, 1.0), 0.0, 0.0, 1.0);
}
