// The environment maps image-based lighting reads, rendered with plain render passes (WebGL2
// has no compute): the sky into a cube map, its cosine-weighted convolution (diffuse
// irradiance), its GGX prefiltered mip chain (specular, one roughness per mip), and the BRDF
// lookup table of the split-sum approximation (Karis, "Real Shading in Unreal Engine 4").
// `sky.wgsl` and `fullscreen.wgsl` come before this file.

struct Step {
    // x cube face (0..6: +X, -X, +Y, -Y, +Z, -Z), y roughness.
    face_roughness: vec4<f32>,
}
struct SkyColors {
    sky: vec4<f32>,
    ground: vec4<f32>,
}
@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> colors: SkyColors;
@group(1) @binding(0) var source: texture_cube<f32>;
@group(1) @binding(1) var source_sampler: sampler;

const TAU: f32 = 6.28318531;

// The direction through a face's texel (the cube map convention of Vulkan, D3D and GL).
fn face_direction(face: u32, uv: vec2<f32>) -> vec3<f32> {
    let s = uv.x * 2.0 - 1.0;
    let t = uv.y * 2.0 - 1.0;
    switch face {
        case 0u: { return normalize(vec3<f32>(1.0, -t, -s)); }
        case 1u: { return normalize(vec3<f32>(-1.0, -t, s)); }
        case 2u: { return normalize(vec3<f32>(s, 1.0, t)); }
        case 3u: { return normalize(vec3<f32>(s, -1.0, -t)); }
        case 4u: { return normalize(vec3<f32>(s, -t, 1.0)); }
        default: { return normalize(vec3<f32>(-s, -t, -1.0)); }
    }
}

// Two axes perpendicular to `n`.
fn basis(n: vec3<f32>) -> mat3x3<f32> {
    var up = vec3<f32>(0.0, 1.0, 0.0);
    if (abs(n.y) > 0.999) {
        up = vec3<f32>(1.0, 0.0, 0.0);
    }
    let tangent = normalize(cross(up, n));
    return mat3x3<f32>(tangent, cross(n, tangent), n);
}

// The Hammersley point i of n: a low-discrepancy sequence (bit reversal by shifts: GLSL ES
// 3.0 has no bitfieldReverse).
fn hammersley(i: u32, n: u32) -> vec2<f32> {
    var bits = i;
    bits = (bits << 16u) | (bits >> 16u);
    bits = ((bits & 0x55555555u) << 1u) | ((bits & 0xAAAAAAAAu) >> 1u);
    bits = ((bits & 0x33333333u) << 2u) | ((bits & 0xCCCCCCCCu) >> 2u);
    bits = ((bits & 0x0F0F0F0Fu) << 4u) | ((bits & 0xF0F0F0F0u) >> 4u);
    bits = ((bits & 0x00FF00FFu) << 8u) | ((bits & 0xFF00FF00u) >> 8u);
    return vec2<f32>(f32(i) / f32(n), f32(bits) * 2.3283064365386963e-10);
}

// A half vector around +Z distributed as GGX's normal distribution for `roughness`.
fn ggx_half_vector(xi: vec2<f32>, roughness: f32) -> vec3<f32> {
    let a = roughness * roughness;
    let phi = TAU * xi.x;
    let cos_theta = sqrt((1.0 - xi.y) / (1.0 + (a * a - 1.0) * xi.y));
    let sin_theta = sqrt(1.0 - cos_theta * cos_theta);
    return vec3<f32>(cos(phi) * sin_theta, sin(phi) * sin_theta, cos_theta);
}

@fragment
fn fs_sky(in: VertexOut) -> @location(0) vec4<f32> {
    let direction = face_direction(u32(step.face_roughness.x), in.uv);
    return vec4<f32>(sky_radiance(direction, colors.sky.rgb, colors.ground.rgb), 1.0);
}

// Radiance averaged over the hemisphere around the texel's direction, weighted by the cosine:
// what a white diffuse surface facing that way reflects (irradiance / pi).
@fragment
fn fs_irradiance(in: VertexOut) -> @location(0) vec4<f32> {
    let n = face_direction(u32(step.face_roughness.x), in.uv);
    let frame = basis(n);
    let rings = 12;
    let segments = 32;
    var sum = vec3<f32>(0.0);
    for (var i = 0; i < rings; i++) {
        let theta = (f32(i) + 0.5) / f32(rings) * 1.57079633;
        for (var j = 0; j < segments; j++) {
            let phi = (f32(j) + 0.5) / f32(segments) * TAU;
            let local = vec3<f32>(sin(theta) * cos(phi), sin(theta) * sin(phi), cos(theta));
            let radiance = textureSampleLevel(source, source_sampler, frame * local, 0.0).rgb;
            sum += radiance * cos(theta) * sin(theta);
        }
    }
    // The grid's mean of cos * sin over the hemisphere is 1 / pi.
    return vec4<f32>(sum * 3.14159265 / f32(rings * segments), 1.0);
}

// The sky seen through GGX lobes of the mip's roughness, around the texel's direction (the
// view taken along the normal, as the split sum does).
@fragment
fn fs_specular(in: VertexOut) -> @location(0) vec4<f32> {
    let n = face_direction(u32(step.face_roughness.x), in.uv);
    let roughness = step.face_roughness.y;
    if (roughness <= 0.0) {
        return vec4<f32>(textureSampleLevel(source, source_sampler, n, 0.0).rgb, 1.0);
    }
    let frame = basis(n);
    let count = 96u;
    var sum = vec3<f32>(0.0);
    var weight = 0.0;
    for (var i = 0u; i < count; i++) {
        let h = frame * ggx_half_vector(hammersley(i, count), roughness);
        let l = 2.0 * dot(n, h) * h - n;
        let n_dot_l = dot(n, l);
        if (n_dot_l > 0.0) {
            sum += textureSampleLevel(source, source_sampler, l, 0.0).rgb * n_dot_l;
            weight += n_dot_l;
        }
    }
    return vec4<f32>(sum / max(weight, 1e-4), 1.0);
}

// The split sum's second factor: for (n.v, roughness) at (u, v), the scale and bias of F0.
@fragment
fn fs_brdf_lut(in: VertexOut) -> @location(0) vec4<f32> {
    let n_dot_v = max(in.uv.x, 1e-3);
    let roughness = in.uv.y;
    let v = vec3<f32>(sqrt(1.0 - n_dot_v * n_dot_v), 0.0, n_dot_v);
    let count = 128u;
    var scale = 0.0;
    var bias = 0.0;
    // Smith's G for image-based lighting: k = a / 2.
    let k = roughness * roughness / 2.0;
    for (var i = 0u; i < count; i++) {
        let h = ggx_half_vector(hammersley(i, count), roughness);
        let l = 2.0 * dot(v, h) * h - v;
        let n_dot_l = max(l.z, 0.0);
        let n_dot_h = max(h.z, 0.0);
        let v_dot_h = max(dot(v, h), 0.0);
        if (n_dot_l > 0.0) {
            let g = (n_dot_v / (n_dot_v * (1.0 - k) + k)) * (n_dot_l / (n_dot_l * (1.0 - k) + k));
            let visibility = g * v_dot_h / max(n_dot_h * n_dot_v, 1e-4);
            let fresnel = pow(1.0 - v_dot_h, 5.0);
            scale += (1.0 - fresnel) * visibility;
            bias += fresnel * visibility;
        }
    }
    return vec4<f32>(scale / f32(count), bias / f32(count), 0.0, 1.0);
}
