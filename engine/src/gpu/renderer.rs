//! The forward renderer: a directional shadow map with PCF, the PBR pass into an HDR target
//! (MSAA where the adapter supports it), bloom, tonemapping (ACES or AgX) to an sRGB image, and
//! FXAA where there is no MSAA.
//! Instanced: one draw per batch, never per object. The passes are in `gpu/passes/`, run by
//! the frame graph (`gpu/frame_graph.rs`); this module owns what they draw: the uploaded
//! assets, the frame uniform and the instances.

use bytemuck::{Pod, Zeroable};
use glam::UVec2;

use super::environment::Environment;
use super::frame_graph::{FrameGraph, Part, TargetSettings};
use super::passes::overlay::OverlayPass;
use super::passes::{self, PassSetup};
use super::timer::GpuTimer;
use super::{GpuContext, GpuError};
use crate::render::{
    FrameDesc, FrameStats, GlyphQuad, GpuInstance, MAX_MATERIALS, MAX_POINT_LIGHTS,
    MAX_SHADOW_CASCADES, MaterialParams, MeshHandle, TextureAssets, TextureHandle,
};
use crate::text::{GlyphAtlas, UiQuad};

mod frame;
mod output;
// Reading back blocks on the device: native only (the browser has no blocking wait).
#[cfg(not(target_arch = "wasm32"))]
mod readback;
mod skin;
mod uploads;

use super::error::within;
pub(crate) use skin::{GpuSkinnedMesh, SKIN_BLOCK_BYTES, SkinVertex};
pub use uploads::GpuResidency;
use uploads::{GpuTexture, material_sampler, neutral_maps};

pub(crate) const HDR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;
pub(crate) const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
/// The headless output's format (what screenshots read).
pub const OUTPUT_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// How the HDR image is mapped to the display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tonemap {
    /// The ACES filmic curve (Narkowicz's fit).
    Aces,
    /// AgX: gentler highlights, less hue shift.
    Agx,
}

/// How the renderer is set up.
#[derive(Clone, Debug, PartialEq)]
pub struct RendererConfig {
    /// The internal render resolution.
    pub resolution: UVec2,
    /// MSAA samples wanted: 4 or 1 (4 falls back to 1 where the formats do not support it).
    pub msaa: u32,
    /// Each shadow cascade's map edge in texels.
    pub shadow_map_size: u32,
    /// The sun's shadow cascades, 1 to [`MAX_SHADOW_CASCADES`]: the view out to the edge of the
    /// frame's shadow bounds, cut into that many slices with a map each (nearer slices are
    /// shorter, so shadows near the camera get more texels). Each is a pass over the casters.
    pub shadow_cascades: u32,
    /// The tonemapping operator.
    pub tonemap: Tonemap,
    /// Exposure multiplier applied before tonemapping.
    pub exposure: f32,
    /// Bloom: bright light bleeding into its surroundings (`None` turns it off).
    pub bloom: Option<Bloom>,
    /// FXAA on the tonemapped image when the frame has no MSAA (`msaa` 1, or 4 where the
    /// adapter cannot); ignored with MSAA.
    pub fxaa: bool,
    /// The sky drawn behind the scene (the same sky that lights it); off, the frame's
    /// background is a flat colour.
    pub skybox: bool,
    /// Screen-space ambient occlusion of the environment's light (`None` turns it off).
    pub ambient_occlusion: Option<AmbientOcclusion>,
    /// A shadow map for the first spot light that asks for one ([`SpotCone::shadows`]): one
    /// more layer of the shadow map array and one more pass over the casters when a frame has
    /// such a light (the sun's casters: what lies in its shadow bounds).
    ///
    /// [`SpotCone::shadows`]: crate::render::SpotCone::shadows
    pub spot_shadows: bool,
}

impl Default for RendererConfig {
    fn default() -> Self {
        RendererConfig {
            resolution: UVec2::new(1280, 720),
            msaa: 4,
            shadow_map_size: 2048,
            shadow_cascades: 4,
            tonemap: Tonemap::Aces,
            exposure: 1.0,
            bloom: Some(Bloom::default()),
            fxaa: true,
            skybox: true,
            ambient_occlusion: Some(AmbientOcclusion::default()),
            spot_shadows: true,
        }
    }
}

/// Ambient occlusion's settings: creases, contacts and corners hide part of the sky, so the
/// environment's light there is dimmed (the sun's and the lamps' are not: their shadows do
/// that). Computed at half resolution from what the opaque pass saw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AmbientOcclusion {
    /// How far around a point other surfaces occlude it, in metres.
    pub radius: f32,
    /// How dark full occlusion gets, 0 to 1.
    pub intensity: f32,
    /// Points tested per pixel (4 to 32).
    pub samples: u32,
}

impl Default for AmbientOcclusion {
    fn default() -> Self {
        AmbientOcclusion {
            radius: 0.5,
            intensity: 1.0,
            samples: 12,
        }
    }
}

/// Bloom's settings: the HDR image blurred through a chain of half-size levels and mixed back
/// in, so light brighter than the display can show glows around emissive surfaces, lamps and
/// glints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bloom {
    /// How much of the blur is mixed into the image, 0 to 1 (the image keeps the rest, so
    /// bloom moves light rather than adding it).
    pub intensity: f32,
    /// Brightness (HDR, before exposure) below which nothing blooms; 0 lets everything bloom
    /// a little, as a lens does.
    pub threshold: f32,
    /// The softness of the threshold: the share of it over which bloom fades in, 0 to 1.
    pub knee: f32,
    /// How far each level's blur reaches, in that level's texels.
    pub radius: f32,
}

impl Default for Bloom {
    fn default() -> Self {
        Bloom {
            intensity: 0.04,
            threshold: 0.0,
            knee: 0.5,
            radius: 1.0,
        }
    }
}

/// An RGBA8 image read back from the GPU (sRGB-encoded).
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Rows top to bottom, 4 bytes a pixel.
    pub pixels: Vec<u8>,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct GpuPointLight {
    position_range: [f32; 4],
    color_intensity: [f32; 4],
    /// A spot light's axis, and the scale of its cone's fade (0 for a point light).
    spot_direction_scale: [f32; 4],
    /// The fade's offset (1 for a point light), then 1 where this light has the spot shadow.
    spot_offset_shadow: [f32; 4],
}

/// The slot of the spot light's shadow matrix in the frame uniform (after the cascades'),
/// and so the index the shadow pass's vertex shader reads for it.
pub(crate) const SPOT_SHADOW_SLOT: usize = MAX_SHADOW_CASCADES;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct FrameUniform {
    view_proj: [[f32; 4]; 4],
    inverse_view_proj: [[f32; 4]; 4],
    /// Per cascade.
    /// The sun's cascades, then the shadowed spot light's ([`SPOT_SHADOW_SLOT`]).
    light_view_proj: [[[f32; 4]; 4]; MAX_SHADOW_CASCADES + 1],
    /// Where each cascade ends, in view depth.
    cascade_ends: [f32; 4],
    /// Each cascade's texel in world units (the normal offset scales with it).
    cascade_texels: [f32; 4],
    /// The camera's forward axis; w the cascade count.
    camera_forward: [f32; 4],
    camera_position: [f32; 4],
    light_direction: [f32; 4],
    light_color: [f32; 4],
    sky_color: [f32; 4],
    ground_color: [f32; 4],
    shadow_params: [f32; 4],
    /// The shadowed spot light's near plane (0: none), then its layer in the shadow map.
    spot_shadow: [f32; 4],
    point_lights: [GpuPointLight; MAX_POINT_LIGHTS],
}

/// 64 bytes: 256 of them fill WebGL2's 16 KiB uniform binding exactly.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct GpuMaterial {
    base_color: [f32; 4],
    /// Emission (times its strength), and metallic.
    emissive_metallic: [f32; 4],
    /// Roughness, occlusion, the alpha cutoff (0 unless masked), the UV rotation.
    surface: [f32; 4],
    /// The UV offset, then scale.
    uv_offset_scale: [f32; 4],
}

/// A mesh vertex as the GPU reads it: 32 bytes in two attributes. Vertex fetch rate is
/// counted in attributes on the GPUs measured (an H100 drew 1M cubes about 6.5 ms slower per
/// attribute: see BENCHMARKS.md), so the data is packed into as few as it fits: position and
/// the octahedral normal in the first; UV and the octahedral tangent with its handedness in
/// the second. Untextured batches and the shadow pass read the first alone.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(crate) struct Vertex {
    position: [f32; 3],
    normal: u32,
    uv: [f32; 2],
    tangent: u32,
    handedness: f32,
}

/// A mesh's GPU buffers.
pub(crate) struct GpuMesh {
    /// Vertex and index buffer bytes.
    pub(crate) bytes: u64,
    pub(crate) vertices: wgpu::Buffer,
    pub(crate) indices: wgpu::Buffer,
    pub(crate) format: wgpu::IndexFormat,
    pub(crate) index_count: u32,
}

/// The forward renderer.
pub struct Renderer {
    config: RendererConfig,
    samples: u32,
    meshes: std::collections::HashMap<MeshHandle, GpuMesh>,
    mesh_version: Option<u64>,
    material_version: Option<u64>,
    frame_buffer: wgpu::Buffer,
    material_buffer: wgpu::Buffer,
    instance_buffer: wgpu::Buffer,
    texture_layout: wgpu::BindGroupLayout,
    material_sampler: wgpu::Sampler,
    /// Neutral 1x1 maps: white (sRGB), white (linear), a flat normal.
    neutral: [wgpu::TextureView; 3],
    textures: std::collections::HashMap<TextureHandle, GpuTexture>,
    texture_sets: Vec<wgpu::BindGroup>,
    texture_version: Option<u64>,
    /// The texture store's own version at the last sync (what `changed_since` compares).
    texture_store_version: u64,
    /// What the asset uploads hold, counted at each sync that changed something.
    residency: GpuResidency,
    /// The passes and their targets.
    graph: FrameGraph,
    /// The image-based lighting maps, re-baked when the sky's colours change.
    environment: Environment,
    timer: Option<GpuTimer>,
    overlay: OverlayPass,
    /// Skinned meshes by handle index (`gpu/renderer/skin.rs`).
    skinned_meshes: Vec<GpuSkinnedMesh>,
    /// Each skinned draw's joints, a block per draw.
    skin_buffer: wgpu::Buffer,
}

impl Renderer {
    /// Creates the pipelines and targets.
    pub fn new(gpu: &GpuContext, config: RendererConfig) -> Result<Renderer, GpuError> {
        let edge = u64::from(gpu.device.limits().max_texture_dimension_2d);
        within(
            "the resolution's longer edge",
            u64::from(config.resolution.max_element()),
            edge,
        )?;
        within(
            "the shadow map's edge",
            u64::from(config.shadow_map_size),
            edge,
        )?;
        if config.resolution.x == 0 || config.resolution.y == 0 || config.shadow_map_size == 0 {
            return Err(GpuError::Config(format!(
                "resolution {} and shadow map {} must not be zero",
                config.resolution, config.shadow_map_size
            )));
        }
        let device = &gpu.device;
        let msaa_ok = |format| {
            gpu.adapter
                .get_texture_format_features(format)
                .flags
                .sample_count_supported(4)
        };
        let samples = if config.msaa >= 4 && msaa_ok(HDR_FORMAT) && msaa_ok(DEPTH_FORMAT) {
            4
        } else {
            1
        };
        let uniform = |label, size: usize| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: size as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        let frame_buffer = uniform("frame uniform", size_of::<FrameUniform>());
        let material_buffer = uniform("material table", size_of::<GpuMaterial>() * MAX_MATERIALS);
        let texture_layout = passes::opaque::texture_layout(device);
        // The skybox in pbr.wgsl shows the sky that sky.wgsl defines.
        let pbr_source = [
            include_str!("../../../shaders/sky.wgsl"),
            include_str!("../../../shaders/frame.wgsl"),
            include_str!("../../../shaders/pbr.wgsl"),
            include_str!("../../../shaders/skin.wgsl"),
        ]
        .concat();
        let skin_buffer = skin::skin_buffer(device);
        let pbr = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("pbr.wgsl"),
            source: wgpu::ShaderSource::Wgsl(pbr_source.into()),
        });
        let environment = Environment::new(device, &gpu.queue);
        let setup = PassSetup {
            device,
            config: &config,
            samples,
            pbr: &pbr,
            frame_buffer: &frame_buffer,
            material_buffer: &material_buffer,
            texture_layout: &texture_layout,
            environment: environment.views(),
            skin_buffer: &skin_buffer,
        };
        let settings = TargetSettings {
            resolution: config.resolution,
            samples,
            shadow_map_size: config.shadow_map_size,
            shadow_layers: config.shadow_cascades.clamp(1, MAX_SHADOW_CASCADES as u32)
                + u32::from(config.spot_shadows),
        };
        let graph = FrameGraph::new(gpu, passes::all(&setup), settings)?;
        let overlay = OverlayPass::new(gpu, config.resolution);
        let mut renderer = Renderer {
            config,
            samples,
            meshes: Default::default(),
            mesh_version: None,
            material_version: None,
            frame_buffer,
            material_buffer,
            instance_buffer: Self::instance_buffer(device, 1024),
            neutral: neutral_maps(gpu),
            texture_layout,
            material_sampler: material_sampler(device),
            textures: Default::default(),
            texture_sets: Vec::new(),
            texture_version: None,
            texture_store_version: 0,
            residency: GpuResidency::default(),
            graph,
            environment,
            timer: GpuTimer::new(&gpu.device, &gpu.queue),
            overlay,
            skinned_meshes: Vec::new(),
            skin_buffer,
        };
        renderer.set_materials(gpu, &[MaterialParams::default()])?;
        renderer.sync_textures(gpu, &TextureAssets::default());
        Ok(renderer)
    }

    fn instance_buffer(device: &wgpu::Device, instances: usize) -> wgpu::Buffer {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("instances"),
            size: (instances * size_of::<GpuInstance>()) as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &RendererConfig {
        &self.config
    }

    /// MSAA samples in use (4, or 1 where unsupported).
    pub fn samples(&self) -> u32 {
        self.samples
    }

    /// Renders a frame into the renderer's output image (read it with
    /// [`read_output`](Self::read_output)).
    pub fn render(&mut self, gpu: &GpuContext, frame: &FrameDesc) -> Result<FrameStats, GpuError> {
        self.render_frame(gpu, frame, true)
    }

    /// Renders a frame's passes up to the output (shadow, PBR, bloom, and tonemapping when
    /// FXAA follows it), for a caller that then presents it with
    /// [`present_to`](Self::present_to): a window does not also need the headless output image
    /// every frame.
    pub fn render_hdr(
        &mut self,
        gpu: &GpuContext,
        frame: &FrameDesc,
    ) -> Result<FrameStats, GpuError> {
        self.render_frame(gpu, frame, false)
    }

    fn render_frame(
        &mut self,
        gpu: &GpuContext,
        frame: &FrameDesc,
        to_output: bool,
    ) -> Result<FrameStats, GpuError> {
        let mut stats = FrameStats::default();
        self.upload_frame(gpu, frame)?;
        self.upload_skins(gpu, frame);
        // Natively, finished buffer maps (the GPU timer's readbacks) are delivered by polling.
        let _ = gpu.device.poll(wgpu::PollType::Poll);
        if let Some(timer) = &mut self.timer {
            timer.begin_frame();
        }
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        let (sky, ground) = frame.ambient;
        self.environment
            .update(&gpu.queue, &mut encoder, sky, ground);
        let inputs = self.frame_inputs(frame, &mut stats);
        let timer = self.timer.as_ref();
        let graph = &self.graph;
        graph.encode(gpu, &mut encoder, Part::Scene, &inputs, timer, &mut stats);
        if to_output {
            graph.encode(
                gpu,
                &mut encoder,
                Part::Output(None),
                &inputs,
                timer,
                &mut stats,
            );
            self.finish_timing(&mut encoder);
        }
        gpu.queue.submit([encoder.finish()]);
        if to_output && let Some(timer) = &mut self.timer {
            timer.end_frame();
        }
        // An error wgpu reported outside a scope (logged as it came) fails the frame, typed.
        if let Some(error) = gpu.take_errors().into_iter().next() {
            return Err(error);
        }
        Ok(stats)
    }

    /// Resolves the frame's timestamps into `encoder` (after the tonemap pass that marks the
    /// frame's end); [`GpuTimer::end_frame`] follows the submit.
    pub(super) fn finish_timing(&self, encoder: &mut wgpu::CommandEncoder) {
        if let Some(timer) = &self.timer {
            timer.resolve(encoder);
        }
    }

    /// GPU seconds of a recent frame, all of its GPU work: from the start of the shadow pass to
    /// the end of the tonemap and overlay pass (into the output image, or into the window's
    /// surface at the present). Timestamp queries, read back without stalling, so a frame or
    /// two late; `None` where the adapter has no timestamps (WebGL2) or before the first
    /// readback. A frame rendered to HDR and never presented goes unmeasured.
    pub fn gpu_seconds(&self) -> Option<f64> {
        self.timer.as_ref().and_then(GpuTimer::latest_seconds)
    }

    /// Sets the text overlay drawn over every later frame (an empty slice removes it); lay
    /// the quads out with [`OverlayText::layout`](crate::render::OverlayText::layout).
    pub fn set_overlay(&mut self, gpu: &GpuContext, quads: &[GlyphQuad]) {
        self.overlay.set_quads(gpu, quads);
    }

    /// Whether an overlay is set.
    pub fn has_overlay(&self) -> bool {
        !self.overlay.is_empty()
    }

    /// Sets the UI layer drawn over every later frame, under the debug overlay: `quads` (an
    /// empty slice removes it) with the coverage of `atlas`, uploaded again only when its
    /// [`revision`](GlyphAtlas::revision) or size changed since the last call.
    pub fn set_ui(&mut self, gpu: &GpuContext, atlas: &GlyphAtlas, quads: &[UiQuad]) {
        self.overlay.ui.set(gpu, atlas, quads);
    }

    /// Draw calls of one tonemap pass: the full-screen triangle, the UI layer and the overlay
    /// when they have quads.
    pub fn present_draw_calls(&self) -> u32 {
        1 + self.overlay.draw_calls()
    }
}
