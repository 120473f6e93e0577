//! What a frame shows, independent of the GPU API: camera, lights, materials, and instanced
//! batches of meshes. The Render stage fills these in; the GPU layer draws them.

use core::ops::Range;

use glam::{Mat4, Vec3, Vec4};

use super::{AlphaMode, GpuInstance, MeshHandle, Surface, TextureTransform};

/// The most materials the material table holds (a uniform buffer: WebGL2's 16 KiB limit).
pub const MAX_MATERIALS: usize = 256;
/// The most point lights a frame lights with.
pub const MAX_POINT_LIGHTS: usize = 8;

/// A PBR metallic-roughness material (factors; texture maps come with the asset pipeline).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MaterialParams {
    /// Linear base colour and alpha.
    pub base_color: Vec4,
    /// Emitted radiance.
    pub emissive: Vec3,
    /// 0 dielectric to 1 metal.
    pub metallic: f32,
    /// Perceptual roughness, 0 mirror to 1 matte.
    pub roughness: f32,
    /// Ambient occlusion factor.
    pub occlusion: f32,
    /// How alpha is used (opaque by default).
    pub alpha_mode: AlphaMode,
    /// With [`AlphaMode::Mask`]: the least alpha drawn (glTF's default 0.5).
    pub alpha_cutoff: f32,
    /// Both faces are drawn (back faces lit with the flipped normal); else back faces are
    /// culled.
    pub double_sided: bool,
    /// Multiplies `emissive` (`KHR_materials_emissive_strength`): emission brighter than 1.
    pub emissive_strength: f32,
    /// The UV transform the material's texture maps are sampled with
    /// (`KHR_texture_transform`; the base colour map's when a glTF material gives several).
    pub texture_transform: TextureTransform,
}

impl Default for MaterialParams {
    fn default() -> Self {
        MaterialParams {
            base_color: Vec4::ONE,
            emissive: Vec3::ZERO,
            metallic: 0.0,
            roughness: 0.5,
            occlusion: 1.0,
            alpha_mode: AlphaMode::Opaque,
            alpha_cutoff: 0.5,
            double_sided: false,
            emissive_strength: 1.0,
            texture_transform: TextureTransform::IDENTITY,
        }
    }
}

/// The camera of a frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CameraView {
    /// World to view.
    pub view: Mat4,
    /// View to clip (depth 0..1).
    pub projection: Mat4,
    /// World position.
    pub position: Vec3,
}

impl CameraView {
    /// A perspective camera at `eye` looking at `target` (+Y up).
    pub fn look_at(eye: Vec3, target: Vec3, fov_y: f32, aspect: f32, near: f32, far: f32) -> Self {
        use glam::camera::rh::{proj::directx, view::look_at_mat4};
        CameraView {
            view: look_at_mat4(eye, target, Vec3::Y),
            // wgpu's clip space is DirectX's: depth 0..1, y up.
            projection: directx::perspective(fov_y, aspect, near, far),
            position: eye,
        }
    }
}

/// The sun: a directional light with an optional shadow map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DirectionalLight {
    /// The direction the light travels (from the sun into the scene).
    pub direction: Vec3,
    /// Linear colour.
    pub color: Vec3,
    /// Intensity multiplier.
    pub intensity: f32,
    /// Whether it casts shadows.
    pub shadows: bool,
}

impl DirectionalLight {
    /// The shadow map's view-projection: an orthographic view along the light that covers
    /// the sphere `bounds` (centre, radius). Culling tests shadow casters against the same
    /// volume the renderer draws them into.
    pub fn view_projection(&self, bounds: (Vec3, f32)) -> glam::Mat4 {
        use glam::camera::rh::{proj::directx, view::look_at_mat4};
        let (centre, radius) = bounds;
        let radius = radius.max(1e-3);
        let to_light = -self.direction.normalize_or(Vec3::NEG_Y);
        let up = if to_light.y.abs() > 0.99 {
            Vec3::Z
        } else {
            Vec3::Y
        };
        let view = look_at_mat4(centre + to_light * radius * 2.0, centre, up);
        directx::orthographic(-radius, radius, -radius, radius, 0.0, radius * 4.0) * view
    }
}

/// A point light.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointLight {
    /// World position.
    pub position: Vec3,
    /// Linear colour.
    pub color: Vec3,
    /// Intensity (radiance at 1 m).
    pub intensity: f32,
    /// Where its light reaches zero.
    pub range: f32,
    /// A spot light's cone (`None`: light in every direction).
    pub cone: Option<SpotCone>,
}

/// What makes a point light a spot light (glTF's `KHR_lights_punctual` spot): the direction
/// it shines and the cone it lights, full inside `inner_angle` and fading to nothing at
/// `outer_angle` from its axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpotCone {
    /// Where it shines (need not be normalised).
    pub direction: Vec3,
    /// Radians from the axis where the light starts to fade.
    pub inner_angle: f32,
    /// Radians from the axis where it is gone (below 90 degrees).
    pub outer_angle: f32,
    /// Casts shadows: the first such spot light of a frame gets a shadow map (with
    /// [`RendererConfig::spot_shadows`](crate::gpu::RendererConfig) on).
    pub shadows: bool,
}

impl SpotCone {
    /// The light's view and projection for its shadow map from `position`: a perspective
    /// frustum as wide as the cone, from a near plane at a hundredth of `range` to `range`
    /// (depth 0..1).
    pub fn view_projection(&self, position: Vec3, range: f32) -> Mat4 {
        use glam::camera::rh::{proj::directx, view::look_to_mat4};
        let direction = self.direction.normalize_or(Vec3::NEG_Y);
        let up = if direction.y.abs() > 0.99 {
            Vec3::Z
        } else {
            Vec3::Y
        };
        let outer = self.outer_angle.clamp(0.01, 1.5);
        let range = range.max(0.01);
        directx::perspective(2.0 * outer, 1.0, range * 0.01, range)
            * look_to_mat4(position, direction, up)
    }
}

/// One instanced draw: a mesh, its texture maps and a range of the frame's instances.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// The mesh.
    pub mesh: MeshHandle,
    /// The texture maps (the default: none).
    pub textures: super::TextureSetHandle,
    /// How its surfaces are drawn (its materials' alpha mode and sidedness).
    pub surface: Surface,
    /// Which of the frame's instances the camera sees (drawn in the main pass).
    pub instances: Range<u32>,
    /// Which of the frame's instances cast shadows in the sun's view (drawn into the shadow
    /// map); `None`: the same as `instances` (no shadow-caster culling).
    pub casters: Option<Range<u32>>,
}

impl Batch {
    /// The instances drawn into the shadow map.
    pub fn caster_instances(&self) -> Range<u32> {
        self.casters.clone().unwrap_or(self.instances.clone())
    }
}

/// Everything one frame draws.
#[derive(Clone, Debug)]
pub struct FrameDesc<'a> {
    /// The camera.
    pub camera: CameraView,
    /// The sun.
    pub sun: DirectionalLight,
    /// Up to [`MAX_POINT_LIGHTS`] point lights (the rest are ignored).
    pub point_lights: &'a [PointLight],
    /// Hemispheric ambient light: sky colour above, ground colour below.
    pub ambient: (Vec3, Vec3),
    /// The sphere (centre, radius) the shadow map covers.
    pub shadow_bounds: (Vec3, f32),
    /// Every instance of the frame, batch after batch.
    pub instances: &'a [GpuInstance],
    /// The draws.
    pub batches: &'a [Batch],
    /// The skinned draws, each one entity with its own joints (not batched).
    pub skinned: &'a super::SkinnedFrame,
}

/// What a frame drew.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameStats {
    /// Draw calls (shadow pass included).
    pub draw_calls: u32,
    /// Triangles in the main pass.
    pub triangles: u64,
    /// Instances in the main pass.
    pub instances: u32,
    /// Batches not drawn because their mesh or texture set is not on the GPU (unloaded
    /// since the queue was built, or never loaded).
    pub skipped_batches: u32,
}
