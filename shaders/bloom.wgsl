// Bloom: the HDR image downsampled into a chain of half-size levels, then each level's blur
// added back into the level above it (additive blending). The tonemap pass mixes the top
// level into the image. Render passes only, so it runs on WebGL2 as on WebGPU.

@group(0) @binding(0) var source: texture_2d<f32>;
@group(0) @binding(1) var source_sampler: sampler;

struct Params {
    // x threshold (0: none), y soft knee (0..1), z upsample radius in source texels, w unused.
    threshold_knee_radius: vec4<f32>,
}
@group(0) @binding(2) var<uniform> params: Params;

fn tap(uv: vec2<f32>, texel: vec2<f32>, x: f32, y: f32) -> vec3<f32> {
    return textureSampleLevel(source, source_sampler, uv + texel * vec2<f32>(x, y), 0.0).rgb;
}

fn luma(c: vec3<f32>) -> f32 {
    return dot(c, vec3<f32>(0.2126, 0.7152, 0.0722));
}

// A box of four taps weighted by 1 / (1 + luma) (Karis): one very bright texel (a specular
// glint) cannot flicker into a big bright square as the camera moves.
fn karis(a: vec3<f32>, b: vec3<f32>, c: vec3<f32>, d: vec3<f32>) -> vec4<f32> {
    let wa = 1.0 / (1.0 + luma(a));
    let wb = 1.0 / (1.0 + luma(b));
    let wc = 1.0 / (1.0 + luma(c));
    let wd = 1.0 / (1.0 + luma(d));
    return vec4<f32>(a * wa + b * wb + c * wc + d * wd, wa + wb + wc + wd);
}

// The 13-tap downsample (Jimenez, "Next generation post processing in Call of Duty: Advanced
// Warfare", 2014): five overlapping 2x2 boxes, the centre one weighted 0.5 and the four
// corner ones 0.125, which filters without the blockiness of a plain 2x2 average. With
// `first`, each box is a Karis average and the threshold applies.
fn downsample(uv: vec2<f32>, first: bool) -> vec3<f32> {
    let texel = 1.0 / vec2<f32>(textureDimensions(source));
    let a = tap(uv, texel, -2.0, -2.0);
    let b = tap(uv, texel, 0.0, -2.0);
    let c = tap(uv, texel, 2.0, -2.0);
    let d = tap(uv, texel, -2.0, 0.0);
    let e = tap(uv, texel, 0.0, 0.0);
    let f = tap(uv, texel, 2.0, 0.0);
    let g = tap(uv, texel, -2.0, 2.0);
    let h = tap(uv, texel, 0.0, 2.0);
    let i = tap(uv, texel, 2.0, 2.0);
    let j = tap(uv, texel, -1.0, -1.0);
    let k = tap(uv, texel, 1.0, -1.0);
    let l = tap(uv, texel, -1.0, 1.0);
    let m = tap(uv, texel, 1.0, 1.0);
    if (!first) {
        return (j + k + l + m) * 0.125 + (a + b + d + e + b + c + e + f + d + e + g + h + e + f
            + h + i) * 0.03125;
    }
    let centre = karis(j, k, l, m);
    let top_left = karis(a, b, d, e);
    let top_right = karis(b, c, e, f);
    let bottom_left = karis(d, e, g, h);
    let bottom_right = karis(e, f, h, i);
    let sum = centre * 0.5 + (top_left + top_right + bottom_left + bottom_right) * 0.125;
    var color = sum.rgb / max(sum.w, 1e-4);
    // A soft threshold: below threshold - knee nothing, a quadratic ramp through the knee,
    // linear above.
    let threshold = params.threshold_knee_radius.x;
    if (threshold > 0.0) {
        let knee = threshold * params.threshold_knee_radius.y;
        let brightness = max(color.r, max(color.g, color.b));
        var soft = clamp(brightness - threshold + knee, 0.0, 2.0 * knee);
        soft = soft * soft / (4.0 * knee + 1e-4);
        let contribution = max(soft, brightness - threshold) / max(brightness, 1e-4);
        color = color * contribution;
    }
    return color;
}

@fragment
fn fs_downsample_first(in: VertexOut) -> @location(0) vec4<f32> {
    return vec4<f32>(downsample(in.uv, true), 1.0);
}

@fragment
fn fs_downsample(in: VertexOut) -> @location(0) vec4<f32> {
    return vec4<f32>(downsample(in.uv, false), 1.0);
}

// A 3x3 tent filter over the smaller level, added (blending) into the larger one.
@fragment
fn fs_upsample(in: VertexOut) -> @location(0) vec4<f32> {
    let texel = params.threshold_knee_radius.z / vec2<f32>(textureDimensions(source));
    var sum = tap(in.uv, texel, 0.0, 0.0) * 4.0;
    sum += (tap(in.uv, texel, -1.0, 0.0) + tap(in.uv, texel, 1.0, 0.0) + tap(in.uv, texel, 0.0, -1.0)
        + tap(in.uv, texel, 0.0, 1.0)) * 2.0;
    sum += tap(in.uv, texel, -1.0, -1.0) + tap(in.uv, texel, 1.0, -1.0) + tap(in.uv, texel, -1.0, 1.0)
        + tap(in.uv, texel, 1.0, 1.0);
    return vec4<f32>(sum / 16.0, 1.0);
}
