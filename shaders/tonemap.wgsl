// Tonemapping: the resolved HDR image to the display (the sRGB target encodes the gamma).

@group(0) @binding(0) var hdr: texture_2d<f32>;
@group(0) @binding(1) var hdr_sampler: sampler;

struct Params {
    // x exposure, y operator (0 ACES, 1 AgX), z bloom intensity (0: none), w bloom levels.
    exposure_operator: vec4<f32>,
    // x ambient occlusion on (1) / off (0).
    occlusion: vec4<f32>,
}
@group(0) @binding(2) var<uniform> params: Params;
// The bloom chain's top level (the HDR image itself when bloom is off: intensity 0).
@group(0) @binding(3) var bloom: texture_2d<f32>;
// Ambient occlusion (half resolution) and the geometry target whose w is each pixel's ambient
// share (both the HDR image when occlusion is off).
@group(0) @binding(4) var geometry: texture_2d<f32>;
@group(0) @binding(5) var occlusion: texture_2d<f32>;

// Occlusion at `uv`: four bilinear taps around it, a small blur over the noise the occlusion
// pass turns its samples by.
fn occlusion_at(uv: vec2<f32>) -> f32 {
    let texel = 0.75 / vec2<f32>(textureDimensions(occlusion));
    return (textureSampleLevel(occlusion, hdr_sampler, uv + texel, 0.0).r
        + textureSampleLevel(occlusion, hdr_sampler, uv - texel, 0.0).r
        + textureSampleLevel(occlusion, hdr_sampler, uv + vec2<f32>(texel.x, -texel.y), 0.0).r
        + textureSampleLevel(occlusion, hdr_sampler, uv + vec2<f32>(-texel.x, texel.y), 0.0).r)
        * 0.25;
}

// Narkowicz's fit of the ACES filmic curve.
fn aces(x: vec3<f32>) -> vec3<f32> {
    let a = 2.51;
    let b = 0.03;
    let c = 2.43;
    let d = 0.59;
    let e = 0.14;
    return clamp((x * (a * x + b)) / (x * (c * x + d) + e), vec3<f32>(0.0), vec3<f32>(1.0));
}

// AgX (Troy Sobotka's), the minimal polynomial fit of its base contrast curve.
fn agx_curve(x: vec3<f32>) -> vec3<f32> {
    let x2 = x * x;
    let x4 = x2 * x2;
    return 15.5 * x4 * x2 - 40.14 * x4 * x + 31.96 * x4 - 6.868 * x2 * x + 0.4298 * x2
        + 0.1191 * x - 0.00232;
}

fn agx(color: vec3<f32>) -> vec3<f32> {
    let inset = mat3x3<f32>(
        vec3<f32>(0.842479062253094, 0.0423282422610123, 0.0423756549057051),
        vec3<f32>(0.0784335999999992, 0.878468636469772, 0.0784336),
        vec3<f32>(0.0792237451477643, 0.0791661274605434, 0.879142973793104));
    let outset = mat3x3<f32>(
        vec3<f32>(1.19687900512017, -0.0528968517574562, -0.0529716355144438),
        vec3<f32>(-0.0980208811401368, 1.15190312990417, -0.0980434501171241),
        vec3<f32>(-0.0990297440797205, -0.0989611768448433, 1.15107367264116));
    let min_ev = -12.47393;
    let max_ev = 4.026069;
    var x = inset * max(color, vec3<f32>(1e-10));
    x = clamp((log2(x) - min_ev) / (max_ev - min_ev), vec3<f32>(0.0), vec3<f32>(1.0));
    x = agx_curve(x);
    x = outset * x;
    // The curve's output is display-encoded; the sRGB target encodes again, so linearise.
    return pow(max(x, vec3<f32>(0.0)), vec3<f32>(2.2));
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    var color = textureSampleLevel(hdr, hdr_sampler, in.uv, 0.0).rgb;
    if (params.occlusion.x > 0.5) {
        // Only the environment's share of the light is occluded.
        let share = textureSampleLevel(geometry, hdr_sampler, in.uv, 0.0).w;
        color = color * (1.0 - (1.0 - occlusion_at(in.uv)) * share);
    }
    let intensity = params.exposure_operator.z;
    if (intensity > 0.0) {
        // The top level holds the sum of every level: their mean, mixed in, keeps the energy.
        let glow = textureSampleLevel(bloom, hdr_sampler, in.uv, 0.0).rgb / params.exposure_operator.w;
        color = mix(color, glow, intensity);
    }
    color = color * params.exposure_operator.x;
    var mapped = aces(color);
    if (params.exposure_operator.y > 0.5) {
        mapped = agx(color);
    }
    return vec4<f32>(mapped, 1.0);
}
