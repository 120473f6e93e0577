// Skinned meshes (engine/src/gpu/passes/skinned.rs): each draw's joints in one uniform block
// bound with a dynamic offset, blended per vertex by four weights, producing pbr.wgsl's
// `VertexOut` (the shading is pbr.wgsl's, with the fragment stage of the draw's surface:
// opaque, masked or blended, `front_facing` for double-sided). Concatenated after pbr.wgsl.
// WebGL2-safe: a uniform block of 12,288 bytes (under the 16 KiB minimum), no storage buffers.

// MAX_GPU_JOINTS (engine/src/render/skinned_draw.rs) joints of three rows each.
const SKIN_ROWS: u32 = 765u;

// The draw's material index in `header.x`, then each joint's world-space skinning matrix as
// the three rows of its affine part.
struct SkinBlock {
    header: vec4<u32>,
    rows: array<vec4<f32>, 765>,
}

@group(2) @binding(0) var<uniform> skin: SkinBlock;

// The skin stream (`SkinVertex`): four joint indices and four unorm16 weights.
struct SkinIn {
    @location(2) joints: vec4<u32>,
    @location(3) weights: vec4<f32>,
}

// The weighted sum of the vertex's joints' rows (weights renormalised: unorm16 rounding).
struct SkinRows {
    r0: vec4<f32>,
    r1: vec4<f32>,
    r2: vec4<f32>,
}

fn skin_rows(s: SkinIn) -> SkinRows {
    let w = s.weights / max(dot(s.weights, vec4<f32>(1.0)), 1e-6);
    var out = SkinRows(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
    for (var i = 0u; i < 4u; i = i + 1u) {
        let base = min(s.joints[i], 254u) * 3u;
        out.r0 = out.r0 + skin.rows[base] * w[i];
        out.r1 = out.r1 + skin.rows[base + 1u] * w[i];
        out.r2 = out.r2 + skin.rows[base + 2u] * w[i];
    }
    return out;
}

fn skin_point(m: SkinRows, p: vec3<f32>) -> vec3<f32> {
    let h = vec4<f32>(p, 1.0);
    return vec3<f32>(dot(m.r0, h), dot(m.r1, h), dot(m.r2, h));
}

fn skin_direction(m: SkinRows, d: vec3<f32>) -> vec3<f32> {
    return normalize(vec3<f32>(dot(m.r0.xyz, d), dot(m.r1.xyz, d), dot(m.r2.xyz, d)));
}

@vertex
fn vs_skinned(vertex: VertexIn, s: SkinIn) -> VertexOut {
    let m = skin_rows(s);
    let world = skin_point(m, bitcast<vec3<f32>>(vertex.a.xyz));
    var out: VertexOut;
    out.clip = frame.view_proj * vec4<f32>(world, 1.0);
    out.world = world;
    out.normal = skin_direction(m, octahedral_decode(vertex.a.w));
    out.uv = bitcast<vec2<f32>>(vertex.b.xy);
    out.material = min(skin.header.x, MAX_MATERIALS - 1u);
    out.tangent = vec4<f32>(skin_direction(m, octahedral_decode(vertex.b.z)),
                            bitcast<f32>(vertex.b.w));
    return out;
}

@vertex
fn vs_skinned_shadow(@location(0) a: vec4<u32>, s: SkinIn) -> @builtin(position) vec4<f32> {
    let world = skin_point(skin_rows(s), bitcast<vec3<f32>>(a.xyz));
    return frame.light_view_proj[cascade.index.x] * vec4<f32>(world, 1.0);
}

// Alpha-masked skinned casters: their UV and material for pbr.wgsl's `fs_shadow_masked`, which
// tests the base colour's alpha as the camera's view does (holes in the shadow too).
@vertex
fn vs_skinned_shadow_masked(vertex: VertexIn, s: SkinIn) -> ShadowMaskedOut {
    let world = skin_point(skin_rows(s), bitcast<vec3<f32>>(vertex.a.xyz));
    var out: ShadowMaskedOut;
    out.clip = frame.light_view_proj[cascade.index.x] * vec4<f32>(world, 1.0);
    out.uv = bitcast<vec2<f32>>(vertex.b.xy);
    out.material = min(skin.header.x, MAX_MATERIALS - 1u);
    return out;
}
