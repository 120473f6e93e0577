// The frame uniform's layout (engine/src/gpu/renderer.rs, `FrameUniform`), shared by the
// shaders that read it (pbr.wgsl, ssao.wgsl): each declares its own binding.

const MAX_POINT_LIGHTS: u32 = 8u;

struct PointLight {
    position_range: vec4<f32>,        // xyz position, w range
    color_intensity: vec4<f32>,       // rgb colour, a intensity
    spot_direction_scale: vec4<f32>,  // a spot light's axis, w its cone fade's scale (0: none)
    spot_offset_shadow: vec4<f32>,    // x the fade's offset, y 1 for the shadowed spot light
}

// The spot light's shadow matrix (after the cascades').
const SPOT_SHADOW_SLOT: u32 = 4u;

struct Frame {
    view_proj: mat4x4<f32>,
    inverse_view_proj: mat4x4<f32>,
    light_view_proj: array<mat4x4<f32>, 5>,  // per shadow cascade, then the spot light's
    cascade_ends: vec4<f32>,     // view depth where each cascade ends
    cascade_texels: vec4<f32>,   // each cascade's texel in world units
    camera_forward: vec4<f32>,   // xyz the view axis, w the cascade count
    camera_position: vec4<f32>,
    light_direction: vec4<f32>,  // xyz towards the light, w shadow on (1) / off (0)
    light_color: vec4<f32>,      // rgb colour x intensity
    sky_color: vec4<f32>,        // the sky's colour at the zenith (sky.wgsl)
    ground_color: vec4<f32>,     // and the ground's
    shadow_params: vec4<f32>,    // x depth bias, y normal offset in texels, z 1/shadow map size, w point light count
    spot_shadow: vec4<f32>,      // x the shadowed spot light's near plane (0: none), y its layer
    point_lights: array<PointLight, 8>,
}
