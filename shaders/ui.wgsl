// The UI layer: instanced quads of glyphs from the glyph atlas (R8 coverage, glyphs at whole
// pixels) or solid boxes (a block of full coverage), over the tonemapped frame and under the
// debug overlay, in internal-resolution pixels.

@group(0) @binding(0) var atlas: texture_2d<f32>;
@group(0) @binding(1) var atlas_sampler: sampler;

struct Params {
    sizes: vec4<f32>,  // xy: internal resolution, zw: atlas size, in pixels
}
@group(0) @binding(2) var<uniform> params: Params;

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) uv: vec2<f32>,
    @location(1) color: vec4<f32>,
}

// A triangle strip of 4 vertices per quad.
@vertex
fn vs_main(
    @builtin(vertex_index) index: u32,
    @location(0) rect: vec4<f32>,
    @location(1) uv_rect: vec4<f32>,
    @location(2) color: vec4<f32>,
) -> VertexOut {
    let corner = vec2<f32>(f32(index & 1u), f32((index >> 1u) & 1u));
    let pixel = rect.xy + corner * rect.zw;
    var out: VertexOut;
    out.clip = vec4<f32>(
        pixel.x / params.sizes.x * 2.0 - 1.0,
        1.0 - pixel.y / params.sizes.y * 2.0,
        0.0,
        1.0,
    );
    out.uv = (uv_rect.xy + corner * uv_rect.zw) / params.sizes.zw;
    out.color = color;
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let coverage = textureSample(atlas, atlas_sampler, in.uv).r;
    return vec4<f32>(in.color.rgb, in.color.a * coverage);
}
