// Forward PBR (metallic-roughness, GGX) for instanced meshes, and the shadow-map depth pass.
// Instances are 20 bytes (engine/src/render/instance.rs): position, a "smallest three"
// quaternion, half-float scale and a material index, expanded to a transform here.
// WebGL2-safe: uniform buffers only, no storage buffers, no compute. `sky.wgsl` and
// `frame.wgsl` (the frame uniform's layout) come before this file.

const MAX_MATERIALS: u32 = 256u;
const PI: f32 = 3.14159265;

struct Material {
    base_color: vec4<f32>,
    emissive_metallic: vec4<f32>,  // rgb emissive (times its strength), a metallic
    surface: vec4<f32>,            // x roughness, y occlusion, z alpha cutoff, w UV rotation
    uv_offset_scale: vec4<f32>,    // KHR_texture_transform: xy offset, zw scale
}

struct Materials {
    items: array<Material, 256>,
}

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<uniform> materials: Materials;
@group(0) @binding(2) var shadow_map: texture_depth_2d_array;
@group(0) @binding(3) var shadow_sampler: sampler_comparison;
// Image-based lighting (gpu/environment.rs): diffuse irradiance, specular by roughness (mips),
// and the split sum's table.
@group(0) @binding(4) var irradiance_map: texture_cube<f32>;
@group(0) @binding(5) var specular_map: texture_cube<f32>;
@group(0) @binding(6) var brdf_lut: texture_2d<f32>;
@group(0) @binding(7) var environment_sampler: sampler;
// The specular cube's last mip (roughness 1).
const SPECULAR_LAST_MIP: f32 = 4.0;
// The shadow pass's cascade (a slot of a buffer bound with a dynamic offset per cascade).
struct Cascade {
    index: vec4<u32>,
}
@group(0) @binding(8) var<uniform> cascade: Cascade;
// The share of each cascade's depth range over which it blends into the next.
const CASCADE_BLEND: f32 = 0.1;

// The batch's texture maps (neutral 1x1 maps where a material has none).
@group(1) @binding(0) var base_color_map: texture_2d<f32>;
@group(1) @binding(1) var normal_map: texture_2d<f32>;
@group(1) @binding(2) var metallic_roughness_map: texture_2d<f32>;
@group(1) @binding(3) var emissive_map: texture_2d<f32>;
@group(1) @binding(4) var occlusion_map: texture_2d<f32>;
@group(1) @binding(5) var material_sampler: sampler;

// Vertices (engine/src/gpu/renderer.rs `Vertex`): two attributes, as vertex fetch is counted
// in attributes. `a`: position bits and the octahedral normal; `b`: UV bits, the octahedral
// tangent and its handedness (bits of +-1.0).
struct VertexIn {
    @location(0) a: vec4<u32>,
    @location(1) b: vec4<u32>,
}

// Instances: position bits and the packed rotation; half scale and material index.
struct InstanceIn {
    @location(4) position_rotation: vec4<u32>,
    @location(5) scale_material: u32,
}

fn octahedral_decode(bits: u32) -> vec3<f32> {
    let e = unpack2x16snorm(bits);
    var v = vec3<f32>(e.x, e.y, 1.0 - abs(e.x) - abs(e.y));
    let t = max(-v.z, 0.0);
    v.x = v.x + select(t, -t, v.x >= 0.0);
    v.y = v.y + select(t, -t, v.y >= 0.0);
    return normalize(v);
}

// Decodes the 2 + 3 x 10-bit quaternion (see pack_rotation). Straight-line code: a loop over
// a local array indexed at run time spills to memory on some GPUs, in the hottest function of
// a million-instance frame.
fn unpack_component(bits: u32, shift: u32) -> f32 {
    let raw = i32(((bits >> shift) & 0x3ffu) << 22u) >> 22u;
    return f32(raw) * (0.70710678 / 511.0);
}

fn unpack_rotation(bits: u32) -> vec4<f32> {
    let a = unpack_component(bits, 2u);
    let b = unpack_component(bits, 12u);
    let c = unpack_component(bits, 22u);
    let largest = sqrt(max(1.0 - a * a - b * b - c * c, 0.0));
    // The three small components fill the other slots in index order.
    var q: vec4<f32>;
    switch bits & 3u {
        case 0u: { q = vec4<f32>(largest, a, b, c); }
        case 1u: { q = vec4<f32>(a, largest, b, c); }
        case 2u: { q = vec4<f32>(a, b, largest, c); }
        default: { q = vec4<f32>(a, b, c, largest); }
    }
    return normalize(q);
}

fn rotate(q: vec4<f32>, v: vec3<f32>) -> vec3<f32> {
    let t = 2.0 * cross(q.xyz, v);
    return v + q.w * t + cross(q.xyz, t);
}

fn instance_scale(bits: u32) -> f32 {
    return unpack2x16float(bits).x;
}

// The instance's rotation, and a vertex position placed in the world.
struct Placed {
    q: vec4<f32>,
    world: vec3<f32>,
}

fn place(a: vec4<u32>, instance: InstanceIn) -> Placed {
    var p: Placed;
    p.q = unpack_rotation(instance.position_rotation.w);
    let scale = instance_scale(instance.scale_material);
    p.world = rotate(p.q, bitcast<vec3<f32>>(a.xyz) * scale)
        + bitcast<vec3<f32>>(instance.position_rotation.xyz);
    return p;
}

@vertex
fn vs_shadow(@location(0) a: vec4<u32>, instance: InstanceIn) -> @builtin(position) vec4<f32> {
    return frame.light_view_proj[cascade.index.x] * vec4<f32>(place(a, instance).world, 1.0);
}

// Alpha-masked shadow casters: the base colour's alpha is tested as in the camera's view, so
// leaves and fences cast their holes.
struct ShadowMaskedOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) uv: vec2<f32>,
    @location(1) @interpolate(flat) material: u32,
}

@vertex
fn vs_shadow_masked(vertex: VertexIn, instance: InstanceIn) -> ShadowMaskedOut {
    var out: ShadowMaskedOut;
    out.clip = frame.light_view_proj[cascade.index.x]
        * vec4<f32>(place(vertex.a, instance).world, 1.0);
    out.uv = bitcast<vec2<f32>>(vertex.b.xy);
    out.material = min(instance.scale_material >> 16u, MAX_MATERIALS - 1u);
    return out;
}

@fragment
fn fs_shadow_masked(in: ShadowMaskedOut) {
    let material = materials.items[in.material];
    if (material_alpha(material, in.uv) < material.surface.z) {
        discard;
    }
}

// KHR_texture_transform: scale, then rotate (turning +U towards -V), then offset.
fn material_uv(material: Material, uv: vec2<f32>) -> vec2<f32> {
    let scaled = uv * material.uv_offset_scale.zw;
    let s = sin(material.surface.w);
    let c = cos(material.surface.w);
    return vec2<f32>(c * scaled.x + s * scaled.y, c * scaled.y - s * scaled.x)
        + material.uv_offset_scale.xy;
}

// The base colour's alpha: the factor's times the map's.
fn material_alpha(material: Material, uv: vec2<f32>) -> f32 {
    return material.base_color.a
        * textureSample(base_color_map, material_sampler, material_uv(material, uv)).a;
}

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) @interpolate(flat) material: u32,
    @location(4) tangent: vec4<f32>,
}

fn lit_vertex(a: vec4<u32>, instance: InstanceIn) -> VertexOut {
    let p = place(a, instance);
    var out: VertexOut;
    out.clip = frame.view_proj * vec4<f32>(p.world, 1.0);
    out.world = p.world;
    out.normal = rotate(p.q, octahedral_decode(a.w));  // uniform scale: no inverse transpose
    out.material = min(instance.scale_material >> 16u, MAX_MATERIALS - 1u);
    return out;
}

@vertex
fn vs_main(vertex: VertexIn, instance: InstanceIn) -> VertexOut {
    var out = lit_vertex(vertex.a, instance);
    out.uv = bitcast<vec2<f32>>(vertex.b.xy);
    let q = unpack_rotation(instance.position_rotation.w);
    out.tangent = vec4<f32>(rotate(q, octahedral_decode(vertex.b.z)), bitcast<f32>(vertex.b.w));
    return out;
}

// Untextured batches: the maps are neutral, so UV and tangent only need to be valid; position
// and normal come from the first attribute alone.
@vertex
fn vs_untextured(@location(0) a: vec4<u32>, instance: InstanceIn) -> VertexOut {
    var out = lit_vertex(a, instance);
    out.uv = vec2<f32>(0.0);
    let n = out.normal;
    let side = select(vec3<f32>(1.0, 0.0, 0.0), vec3<f32>(0.0, 1.0, 0.0), abs(n.x) > 0.9);
    out.tangent = vec4<f32>(normalize(cross(side, n)), 1.0);
    return out;
}

fn distribution_ggx(n_dot_h: f32, roughness: f32) -> f32 {
    let a = roughness * roughness;
    let a2 = a * a;
    let d = n_dot_h * n_dot_h * (a2 - 1.0) + 1.0;
    return a2 / (PI * d * d);
}

fn geometry_smith(n_dot_v: f32, n_dot_l: f32, roughness: f32) -> f32 {
    let k = (roughness + 1.0) * (roughness + 1.0) / 8.0;
    let gv = n_dot_v / (n_dot_v * (1.0 - k) + k);
    let gl = n_dot_l / (n_dot_l * (1.0 - k) + k);
    return gv * gl;
}

fn fresnel_schlick(cos_theta: f32, f0: vec3<f32>) -> vec3<f32> {
    return f0 + (1.0 - f0) * pow(clamp(1.0 - cos_theta, 0.0, 1.0), 5.0);
}

// Cook-Torrance for one light arriving from direction l with radiance `radiance`.
fn brdf(n: vec3<f32>, v: vec3<f32>, l: vec3<f32>, albedo: vec3<f32>, metallic: f32,
        roughness: f32, radiance: vec3<f32>) -> vec3<f32> {
    let h = normalize(v + l);
    let n_dot_l = max(dot(n, l), 0.0);
    let n_dot_v = max(dot(n, v), 1e-4);
    let f0 = mix(vec3<f32>(0.04), albedo, metallic);
    let f = fresnel_schlick(max(dot(h, v), 0.0), f0);
    let specular = distribution_ggx(max(dot(n, h), 0.0), roughness)
        * geometry_smith(n_dot_v, n_dot_l, roughness) * f / (4.0 * n_dot_v * n_dot_l + 1e-4);
    let diffuse = (1.0 - f) * (1.0 - metallic) * albedo / PI;
    return (diffuse + specular) * radiance * n_dot_l;
}

// 3x3 PCF over one cascade's map with hardware depth comparison (1: lit; outside the map's
// volume, lit).
fn cascade_shadow(k: u32, world: vec3<f32>, n: vec3<f32>) -> f32 {
    let offset_world = world + n * frame.shadow_params.y * frame.cascade_texels[k];
    let clip = frame.light_view_proj[k] * vec4<f32>(offset_world, 1.0);
    let ndc = clip.xyz / clip.w;
    let uv = vec2<f32>(ndc.x * 0.5 + 0.5, 0.5 - ndc.y * 0.5);
    let depth = ndc.z - frame.shadow_params.x;
    let texel = frame.shadow_params.z;
    var lit = 0.0;
    for (var y = -1; y <= 1; y = y + 1) {
        for (var x = -1; x <= 1; x = x + 1) {
            lit = lit + textureSampleCompareLevel(shadow_map, shadow_sampler,
                uv + vec2<f32>(f32(x), f32(y)) * texel, i32(k), depth);
        }
    }
    let inside = all(uv >= vec2<f32>(0.0)) && all(uv <= vec2<f32>(1.0)) && depth <= 1.0;
    return select(1.0, lit / 9.0, inside);
}

// The shadowed spot light's 3x3 PCF through its perspective map (1: lit). The normal offset
// grows with the distance, as the map's texels do.
fn spot_shadow(world: vec3<f32>, n: vec3<f32>, distance: f32) -> f32 {
    let texel_world = 2.0 * distance * frame.shadow_params.z;
    let clip = frame.light_view_proj[SPOT_SHADOW_SLOT]
        * vec4<f32>(world + n * frame.shadow_params.y * texel_world, 1.0);
    let ndc = clip.xyz / clip.w;
    let uv = vec2<f32>(ndc.x * 0.5 + 0.5, 0.5 - ndc.y * 0.5);
    let depth = ndc.z - 0.00002;
    let texel = frame.shadow_params.z;
    let layer = i32(frame.spot_shadow.y);
    var lit = 0.0;
    for (var y = -1; y <= 1; y = y + 1) {
        for (var x = -1; x <= 1; x = x + 1) {
            lit = lit + textureSampleCompareLevel(shadow_map, shadow_sampler,
                uv + vec2<f32>(f32(x), f32(y)) * texel, layer, depth);
        }
    }
    let inside = clip.w > 0.0 && all(uv >= vec2<f32>(0.0)) && all(uv <= vec2<f32>(1.0))
        && depth <= 1.0;
    return select(1.0, lit / 9.0, inside);
}

// The sun's shadow: the cascade whose slice holds the point's view depth, blended into the
// next over the last tenth of its range so the change of resolution does not show as a line.
fn shadow_factor(world: vec3<f32>, n: vec3<f32>) -> f32 {
    if (frame.light_direction.w < 0.5) {
        return 1.0;
    }
    let depth = dot(world - frame.camera_position.xyz, frame.camera_forward.xyz);
    let count = u32(frame.camera_forward.w);
    var k = 0u;
    while (k < count && depth > frame.cascade_ends[k]) {
        k = k + 1u;
    }
    if (k >= count) {
        return 1.0;
    }
    let shadow = cascade_shadow(k, world, n);
    if (k + 1u >= count) {
        return shadow;
    }
    var start = 0.0;
    if (k > 0u) {
        start = frame.cascade_ends[k - 1u];
    }
    let end = frame.cascade_ends[k];
    let blend_from = end - (end - start) * CASCADE_BLEND;
    if (depth <= blend_from) {
        return shadow;
    }
    let t = (depth - blend_from) / (end - blend_from);
    return mix(shadow, cascade_shadow(k + 1u, world, n), t);
}

// A shaded surface point: its radiance, the share of it that came from the environment
// (what ambient occlusion darkens), its normal and its alpha.
struct Shaded {
    color: vec3<f32>,
    ambient: vec3<f32>,
    normal: vec3<f32>,
    alpha: f32,
}

// `front`: whether the triangle faces the camera (a double-sided surface's back faces are lit
// with the normal turned towards the camera; single-sided ones have no back faces drawn).
fn shade(in: VertexOut, front: bool) -> Shaded {
    let material = materials.items[in.material];
    let uv = material_uv(material, in.uv);
    let base_map = textureSample(base_color_map, material_sampler, uv);
    let mr_map = textureSample(metallic_roughness_map, material_sampler, uv);
    let normal_sample = textureSample(normal_map, material_sampler, uv).xyz * 2.0 - 1.0;
    let emissive = material.emissive_metallic.rgb
        * textureSample(emissive_map, material_sampler, uv).rgb;
    let albedo = material.base_color.rgb * base_map.rgb;
    // glTF layout: roughness in green, metallic in blue.
    let metallic = clamp(material.emissive_metallic.a * mr_map.b, 0.0, 1.0);
    let roughness = clamp(material.surface.x * mr_map.g, 0.045, 1.0);
    let occlusion = material.surface.y * textureSample(occlusion_map, material_sampler, uv).r;
    // Tangent-space normal mapping (a flat map leaves the geometric normal).
    let geometric = normalize(in.normal) * select(-1.0, 1.0, front);
    let t = normalize(in.tangent.xyz - geometric * dot(geometric, in.tangent.xyz));
    let b = cross(geometric, t) * in.tangent.w;
    let n = normalize(t * normal_sample.x + b * normal_sample.y + geometric * normal_sample.z);
    let v = normalize(frame.camera_position.xyz - in.world);

    var color = brdf(n, v, normalize(frame.light_direction.xyz), albedo, metallic, roughness,
                     frame.light_color.rgb) * shadow_factor(in.world, n);
    let lights = u32(frame.shadow_params.w);
    for (var i = 0u; i < min(lights, MAX_POINT_LIGHTS); i = i + 1u) {
        let light = frame.point_lights[i];
        let to_light = light.position_range.xyz - in.world;
        let distance = length(to_light);
        let l = to_light / distance;
        let range = light.position_range.w;
        // Inverse square, windowed to reach zero at the range.
        let window = pow(clamp(1.0 - pow(distance / range, 4.0), 0.0, 1.0), 2.0);
        // A spot light's cone (a point light's scale 0 and offset 1 leave 1).
        let cone = clamp(dot(-l, light.spot_direction_scale.xyz) * light.spot_direction_scale.w
            + light.spot_offset_shadow.x, 0.0, 1.0);
        var visible = cone * cone;
        if (light.spot_offset_shadow.y > 0.5) {
            visible = visible * spot_shadow(in.world, n, distance);
        }
        let radiance = light.color_intensity.rgb * light.color_intensity.a * window * visible
            / max(distance * distance, 1e-4);
        color = color + brdf(n, v, l, albedo, metallic, roughness, radiance);
    }
    // Image-based lighting, split sum: diffuse from the irradiance cube, specular from the
    // prefiltered cube at the roughness's mip, scaled and biased by the BRDF table.
    let n_dot_v = clamp(dot(n, v), 1e-3, 1.0);
    let f0 = mix(vec3<f32>(0.04), albedo, metallic);
    let fresnel = f0 + (max(vec3<f32>(1.0 - roughness), f0) - f0) * pow(1.0 - n_dot_v, 5.0);
    let diffuse = textureSampleLevel(irradiance_map, environment_sampler, n, 0.0).rgb * albedo
        * (vec3<f32>(1.0) - fresnel) * (1.0 - metallic);
    let r = reflect(-v, n);
    let prefiltered = textureSampleLevel(specular_map, environment_sampler, r,
                                         roughness * SPECULAR_LAST_MIP).rgb;
    let split = textureSampleLevel(brdf_lut, environment_sampler, vec2<f32>(n_dot_v, roughness),
                                   0.0).rg;
    let specular = prefiltered * (f0 * split.x + split.y);
    let ambient = (diffuse + specular) * occlusion;
    color = color + ambient + emissive;
    return Shaded(color, ambient, n, material.base_color.a * base_map.a);
}

@fragment
fn fs_main(in: VertexOut, @builtin(front_facing) front: bool) -> @location(0) vec4<f32> {
    return vec4<f32>(shade(in, front).color, 1.0);
}

// Alpha-masked surfaces: drawn where alpha reaches the cutoff. The test comes after shading,
// so every texture sample stays in uniform control flow.
fn masked(in: VertexOut, front: bool) -> Shaded {
    let shaded = shade(in, front);
    if (shaded.alpha < materials.items[in.material].surface.z) {
        discard;
    }
    return shaded;
}

@fragment
fn fs_masked(in: VertexOut, @builtin(front_facing) front: bool) -> @location(0) vec4<f32> {
    return vec4<f32>(masked(in, front).color, 1.0);
}

// Blended surfaces: over what is behind them by alpha (the pipeline's blend state).
@fragment
fn fs_blended(in: VertexOut, @builtin(front_facing) front: bool) -> @location(0) vec4<f32> {
    let shaded = shade(in, front);
    return vec4<f32>(shaded.color, shaded.alpha);
}

// The colour and, for ambient occlusion (passes/ssao.rs), the geometry at the pixel.
struct ShadedWithGeometry {
    @location(0) color: vec4<f32>,
    // xy the octahedral normal, z the view depth, w the ambient share of the luminance.
    @location(1) geometry: vec4<f32>,
}

fn octahedral_encode(n: vec3<f32>) -> vec2<f32> {
    let p = n.xy / (abs(n.x) + abs(n.y) + abs(n.z));
    if (n.z >= 0.0) {
        return p;
    }
    return (vec2<f32>(1.0) - abs(p.yx)) * select(vec2<f32>(-1.0), vec2<f32>(1.0), p >= vec2<f32>(0.0));
}

fn luminance(c: vec3<f32>) -> f32 {
    return dot(c, vec3<f32>(0.2126, 0.7152, 0.0722));
}

fn with_geometry(in: VertexOut, shaded: Shaded) -> ShadedWithGeometry {
    let depth = dot(in.world - frame.camera_position.xyz, frame.camera_forward.xyz);
    let share = luminance(shaded.ambient) / max(luminance(shaded.color), 1e-4);
    var out: ShadedWithGeometry;
    out.color = vec4<f32>(shaded.color, 1.0);
    out.geometry = vec4<f32>(octahedral_encode(shaded.normal), depth, clamp(share, 0.0, 1.0));
    return out;
}

@fragment
fn fs_main_geometry(in: VertexOut, @builtin(front_facing) front: bool) -> ShadedWithGeometry {
    return with_geometry(in, shade(in, front));
}

@fragment
fn fs_masked_geometry(in: VertexOut, @builtin(front_facing) front: bool) -> ShadedWithGeometry {
    return with_geometry(in, masked(in, front));
}

// The geometry target is left as it is (alpha 0 through the pipeline's alpha blend): ambient
// occlusion sees what is behind a blended surface.
@fragment
fn fs_blended_geometry(in: VertexOut, @builtin(front_facing) front: bool) -> ShadedWithGeometry {
    let shaded = shade(in, front);
    var out: ShadedWithGeometry;
    out.color = vec4<f32>(shaded.color, shaded.alpha);
    out.geometry = vec4<f32>(0.0);
    return out;
}

// The skybox: one triangle at the far plane, behind everything drawn (depth equal to the
// cleared 1.0), showing the procedural sky and the sun's disk.
struct SkyOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) ndc: vec2<f32>,
}

@vertex
fn vs_sky(@builtin(vertex_index) index: u32) -> SkyOut {
    let uv = vec2<f32>(f32((index << 1u) & 2u), f32(index & 2u));
    let ndc = vec2<f32>(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0);
    var out: SkyOut;
    out.clip = vec4<f32>(ndc, 1.0, 1.0);
    out.ndc = ndc;
    return out;
}

fn sky_color(in: SkyOut) -> vec4<f32> {
    let far = frame.inverse_view_proj * vec4<f32>(in.ndc, 1.0, 1.0);
    let direction = normalize(far.xyz / far.w - frame.camera_position.xyz);
    var color = sky_radiance(direction, frame.sky_color.rgb, frame.ground_color.rgb);
    // The sun's disk (about 1.2 degrees across), softened at its rim.
    let to_sun = dot(direction, normalize(frame.light_direction.xyz));
    let disk = smoothstep(0.99975, 0.99985, to_sun);
    color = color + frame.light_color.rgb * 8.0 * disk;
    return vec4<f32>(color, 1.0);
}

@fragment
fn fs_sky(in: SkyOut) -> @location(0) vec4<f32> {
    return sky_color(in);
}

// The sky with the geometry target: infinitely far, nothing to occlude.
@fragment
fn fs_sky_geometry(in: SkyOut) -> ShadedWithGeometry {
    var out: ShadedWithGeometry;
    out.color = sky_color(in);
    out.geometry = vec4<f32>(0.0, 0.0, 65000.0, 0.0);
    return out;
}
