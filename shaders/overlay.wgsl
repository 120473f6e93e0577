// Overlay text: instanced quads of an 8x8 bitmap font (or solid boxes) over the tonemapped
// frame, in internal-resolution pixels; the pass's viewport letterboxes them with the frame.

@group(0) @binding(0) var atlas: texture_2d<f32>;
@group(0) @binding(1) var atlas_sampler: sampler;

struct Params {
    resolution: vec4<f32>,  // xy: internal resolution in pixels
}
@group(0) @binding(2) var<uniform> params: Params;

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) uv: vec2<f32>,
    @location(1) color: vec4<f32>,
    @location(2) @interpolate(flat) solid: f32,
}

const GLYPHS: f32 = 128.0;

// A triangle strip of 4 vertices per quad.
@vertex
fn vs_main(
    @builtin(vertex_index) index: u32,
    @location(0) rect: vec4<f32>,
    @location(1) glyph: f32,
    @location(2) color: vec4<f32>,
) -> VertexOut {
    let corner = vec2<f32>(f32(index & 1u), f32((index >> 1u) & 1u));
    let pixel = rect.xy + corner * rect.zw;
    var out: VertexOut;
    out.clip = vec4<f32>(
        pixel.x / params.resolution.x * 2.0 - 1.0,
        1.0 - pixel.y / params.resolution.y * 2.0,
        0.0,
        1.0,
    );
    out.uv = vec2<f32>((max(glyph, 0.0) + corner.x) / GLYPHS, corner.y);
    out.color = color;
    out.solid = select(0.0, 1.0, glyph < 0.0);
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    // Sampled unconditionally: texture sampling must stay in uniform control flow.
    let ink = textureSample(atlas, atlas_sampler, in.uv).r;
    let coverage = max(ink, in.solid);
    return vec4<f32>(in.color.rgb, in.color.a * coverage);
}
