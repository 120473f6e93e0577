//! The forward renderer: a directional shadow map with PCF, the PBR pass into an HDR target
//! (MSAA where the adapter supports it), and tonemapping (ACES or AgX) to an sRGB image.
//! Instanced: one draw per batch, never per object.

use bytemuck::{Pod, Zeroable};
use glam::{UVec2, Vec3};

use super::overlay::OverlayPass;
use super::timer::GpuTimer;
use super::{GpuContext, GpuError};
use crate::render::{
    FrameDesc, FrameStats, GlyphQuad, GpuInstance, MAX_MATERIALS, MAX_POINT_LIGHTS, MaterialParams,
    MeshHandle, TextureAssets, TextureHandle, TextureImage, TextureSetHandle,
};

mod output;
// Reading back blocks on the device: native only (the browser has no blocking wait).
#[cfg(not(target_arch = "wasm32"))]
mod readback;
mod uploads;

use super::error::within;
pub use uploads::GpuResidency;
use uploads::{GpuTexture, upload_texture};

const HDR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;
const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
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
    /// The shadow map's edge in texels.
    pub shadow_map_size: u32,
    /// The tonemapping operator.
    pub tonemap: Tonemap,
    /// Exposure multiplier applied before tonemapping.
    pub exposure: f32,
}

impl Default for RendererConfig {
    fn default() -> Self {
        RendererConfig {
            resolution: UVec2::new(1280, 720),
            msaa: 4,
            shadow_map_size: 2048,
            tonemap: Tonemap::Aces,
            exposure: 1.0,
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
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct FrameUniform {
    view_proj: [[f32; 4]; 4],
    light_view_proj: [[f32; 4]; 4],
    camera_position: [f32; 4],
    light_direction: [f32; 4],
    light_color: [f32; 4],
    sky_color: [f32; 4],
    ground_color: [f32; 4],
    shadow_params: [f32; 4],
    point_lights: [GpuPointLight; MAX_POINT_LIGHTS],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct GpuMaterial {
    base_color: [f32; 4],
    emissive_metallic: [f32; 4],
    roughness_occlusion: [f32; 4],
}

/// A mesh vertex as the GPU reads it: 32 bytes in two attributes. Vertex fetch rate is
/// counted in attributes on the GPUs measured (an H100 drew 1M cubes about 6.5 ms slower per
/// attribute: see BENCHMARKS.md), so the data is packed into as few as it fits: position and
/// the octahedral normal in the first; UV and the octahedral tangent with its handedness in
/// the second. Untextured batches and the shadow pass read the first alone.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Vertex {
    position: [f32; 3],
    normal: u32,
    uv: [f32; 2],
    tangent: u32,
    handedness: f32,
}

struct GpuMesh {
    /// Vertex and index buffer bytes.
    bytes: u64,
    vertices: wgpu::Buffer,
    indices: wgpu::Buffer,
    format: wgpu::IndexFormat,
    index_count: u32,
}

struct Targets {
    hdr_msaa: Option<wgpu::TextureView>,
    hdr: wgpu::TextureView,
    depth: wgpu::TextureView,
    #[cfg_attr(
        target_arch = "wasm32",
        expect(dead_code, reason = "read back for screenshots natively only")
    )]
    output: wgpu::Texture,
    output_view: wgpu::TextureView,
    tonemap_group: wgpu::BindGroup,
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
    tonemap_buffer: wgpu::Buffer,
    instance_buffer: wgpu::Buffer,
    shadow_view: wgpu::TextureView,
    main_group: wgpu::BindGroup,
    shadow_group: wgpu::BindGroup,
    tonemap_layout: wgpu::BindGroupLayout,
    hdr_sampler: wgpu::Sampler,
    shadow_pipeline: wgpu::RenderPipeline,
    /// The PBR pipeline for textured batches, then for untextured ones.
    main_pipelines: [wgpu::RenderPipeline; 2],
    tonemap_shader: wgpu::ShaderModule,
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
    // Per target format: the headless output and whatever the window's surface uses.
    tonemap_pipelines:
        std::sync::Mutex<std::collections::HashMap<wgpu::TextureFormat, wgpu::RenderPipeline>>,
    targets: Targets,
    timer: Option<GpuTimer>,
    overlay: OverlayPass,
}

fn uniform_entry(binding: u32, visibility: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

const VERTEX_ATTRIBUTES: [wgpu::VertexAttribute; 2] =
    wgpu::vertex_attr_array![0 => Uint32x4, 1 => Uint32x4];
/// Position and normal only: the first of the two vertex attributes.
const POSITION_NORMAL_ATTRIBUTES: [wgpu::VertexAttribute; 1] =
    wgpu::vertex_attr_array![0 => Uint32x4];
/// The 20-byte instance in two attributes: position bits and rotation; scale and material.
const INSTANCE_ATTRIBUTES: [wgpu::VertexAttribute; 2] =
    wgpu::vertex_attr_array![4 => Uint32x4, 5 => Uint32];

/// The vertex and instance buffer layouts, with every vertex attribute (`full`) or with
/// position and normal only.
fn vertex_layouts(full: bool) -> [Option<wgpu::VertexBufferLayout<'static>>; 2] {
    [
        Some(wgpu::VertexBufferLayout {
            array_stride: size_of::<Vertex>() as u64,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: if full {
                &VERTEX_ATTRIBUTES
            } else {
                &POSITION_NORMAL_ATTRIBUTES
            },
        }),
        Some(wgpu::VertexBufferLayout {
            array_stride: size_of::<GpuInstance>() as u64,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &INSTANCE_ATTRIBUTES,
        }),
    ]
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
        let pbr = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("pbr.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../../shaders/pbr.wgsl").into()),
        });
        let tonemap = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("tonemap.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../../shaders/tonemap.wgsl").into()),
        });
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
        let tonemap_buffer = uniform("tonemap params", 16);
        let instance_buffer = Self::instance_buffer(device, 1024);

        let shadow_texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("shadow map"),
            size: wgpu::Extent3d {
                width: config.shadow_map_size,
                height: config.shadow_map_size,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: DEPTH_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let shadow_view = shadow_texture.create_view(&Default::default());
        let shadow_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("shadow comparison sampler"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            compare: Some(wgpu::CompareFunction::LessEqual),
            ..Default::default()
        });
        let hdr_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("hdr sampler"),
            ..Default::default()
        });

        let vs_fs = wgpu::ShaderStages::VERTEX_FRAGMENT;
        let main_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("main bind group layout"),
            entries: &[
                uniform_entry(0, vs_fs),
                uniform_entry(1, wgpu::ShaderStages::FRAGMENT),
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Depth,
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 3,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Comparison),
                    count: None,
                },
            ],
        });
        let shadow_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("shadow bind group layout"),
            entries: &[uniform_entry(0, wgpu::ShaderStages::VERTEX)],
        });
        let tonemap_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("tonemap bind group layout"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
                uniform_entry(2, wgpu::ShaderStages::FRAGMENT),
            ],
        });
        let main_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("main bind group"),
            layout: &main_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: frame_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: material_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(&shadow_view),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::Sampler(&shadow_sampler),
                },
            ],
        });
        let shadow_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shadow bind group"),
            layout: &shadow_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: frame_buffer.as_entire_binding(),
            }],
        });

        let texture_entry = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: true },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        };
        let texture_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("material textures layout"),
            entries: &[
                texture_entry(0),
                texture_entry(1),
                texture_entry(2),
                texture_entry(3),
                texture_entry(4),
                wgpu::BindGroupLayoutEntry {
                    binding: 5,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        let material_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("material sampler"),
            address_mode_u: wgpu::AddressMode::Repeat,
            address_mode_v: wgpu::AddressMode::Repeat,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            mipmap_filter: wgpu::MipmapFilterMode::Linear,
            ..Default::default()
        });
        let layout = |label, group: &wgpu::BindGroupLayout| {
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(group)],
                immediate_size: 0,
            })
        };
        let shadow_pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("shadow pipeline"),
            layout: Some(&layout("shadow pipeline layout", &shadow_layout)),
            vertex: wgpu::VertexState {
                module: &pbr,
                entry_point: Some("vs_shadow"),
                compilation_options: Default::default(),
                buffers: &vertex_layouts(false),
            },
            primitive: wgpu::PrimitiveState {
                cull_mode: Some(wgpu::Face::Back),
                ..Default::default()
            },
            depth_stencil: Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(true),
                depth_compare: Some(wgpu::CompareFunction::LessEqual),
                stencil: Default::default(),
                bias: wgpu::DepthBiasState {
                    constant: 2,
                    slope_scale: 2.0,
                    clamp: 0.0,
                },
            }),
            multisample: Default::default(),
            fragment: None,
            multiview_mask: None,
            cache: None,
        });
        let pbr_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("pbr pipeline layout"),
            bind_group_layouts: &[Some(&main_layout), Some(&texture_layout)],
            immediate_size: 0,
        });
        // Textured batches read every vertex attribute; untextured ones position and normal.
        let main_pipeline = |textured: bool| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some("pbr pipeline"),
                layout: Some(&pbr_layout),
                vertex: wgpu::VertexState {
                    module: &pbr,
                    entry_point: Some(if textured { "vs_main" } else { "vs_untextured" }),
                    compilation_options: Default::default(),
                    buffers: &vertex_layouts(textured),
                },
                primitive: wgpu::PrimitiveState {
                    cull_mode: Some(wgpu::Face::Back),
                    ..Default::default()
                },
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH_FORMAT,
                    depth_write_enabled: Some(true),
                    depth_compare: Some(wgpu::CompareFunction::Less),
                    stencil: Default::default(),
                    bias: Default::default(),
                }),
                multisample: wgpu::MultisampleState {
                    count: samples,
                    ..Default::default()
                },
                fragment: Some(wgpu::FragmentState {
                    module: &pbr,
                    entry_point: Some("fs_main"),
                    compilation_options: Default::default(),
                    targets: &[Some(HDR_FORMAT.into())],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let main_pipelines = [main_pipeline(true), main_pipeline(false)];
        let targets = Self::targets(
            device,
            config.resolution,
            samples,
            &tonemap_layout,
            &hdr_sampler,
            &tonemap_buffer,
        );
        let overlay = OverlayPass::new(gpu, config.resolution);
        let mut renderer = Renderer {
            config,
            samples,
            meshes: Default::default(),
            mesh_version: None,
            material_version: None,
            frame_buffer,
            material_buffer,
            tonemap_buffer,
            instance_buffer,
            shadow_view,
            main_group,
            shadow_group,
            tonemap_layout,
            hdr_sampler,
            shadow_pipeline,
            main_pipelines,
            tonemap_shader: tonemap,
            tonemap_pipelines: Default::default(),
            neutral: [
                upload_texture(
                    gpu,
                    &[TextureImage::from_rgba8(1, 1, vec![255; 4]).expect("1x1")],
                    true,
                ),
                upload_texture(
                    gpu,
                    &[TextureImage::from_rgba8(1, 1, vec![255; 4]).expect("1x1")],
                    false,
                ),
                upload_texture(
                    gpu,
                    &[TextureImage::from_rgba8(1, 1, vec![128, 128, 255, 255]).expect("1x1")],
                    false,
                ),
            ],
            texture_layout,
            material_sampler,
            textures: Default::default(),
            texture_sets: Vec::new(),
            texture_version: None,
            texture_store_version: 0,
            residency: GpuResidency::default(),
            targets,
            timer: GpuTimer::new(&gpu.device, &gpu.queue),
            overlay,
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

    /// Renders a frame's shadow and PBR passes into the HDR target only, for a caller that
    /// then presents it with [`present_to`](Self::present_to): a window does not also need
    /// the headless output image tonemapped every frame.
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
        // Natively, finished buffer maps (the GPU timer's readbacks) are delivered by polling.
        let _ = gpu.device.poll(wgpu::PollType::Poll);
        if let Some(timer) = &mut self.timer {
            timer.begin_frame();
        }
        // Per batch: the camera's instances (main pass) and the shadow casters (shadow pass),
        // clamped to the frame's instances.
        let clamp = |r: std::ops::Range<u32>| r.start..r.end.min(frame.instances.len() as u32);
        let mut draws = Vec::with_capacity(frame.batches.len());
        let mut casters = Vec::with_capacity(frame.batches.len());
        for batch in frame.batches {
            // A batch naming an unloaded mesh or an unknown texture set is skipped: assets
            // may be removed between the queue being built and the frame being drawn.
            let (Some(mesh), Some(textures)) = (
                self.meshes.get(&batch.mesh),
                self.texture_sets.get(batch.textures.0 as usize),
            ) else {
                stats.skipped_batches += 1;
                continue;
            };
            let main = clamp(batch.instances.clone());
            if !main.is_empty() {
                let textured = batch.textures != TextureSetHandle::default();
                draws.push((mesh, textures, main, textured));
            }
            let shadow = clamp(batch.caster_instances());
            if !shadow.is_empty() {
                casters.push((mesh, shadow));
            }
        }

        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("shadow pass"),
                color_attachments: &[],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &self.shadow_view,
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: wgpu::StoreOp::Store,
                    }),
                    stencil_ops: None,
                }),
                timestamp_writes: self.timer.as_ref().and_then(|t| t.pass_writes(true, false)),
                occlusion_query_set: None,
                multiview_mask: None,
            });
            if frame.sun.shadows {
                pass.set_pipeline(&self.shadow_pipeline);
                pass.set_bind_group(0, &self.shadow_group, &[]);
                pass.set_vertex_buffer(1, self.instance_buffer.slice(..));
                for (mesh, range) in &casters {
                    pass.set_vertex_buffer(0, mesh.vertices.slice(..));
                    pass.set_index_buffer(mesh.indices.slice(..), mesh.format);
                    pass.draw_indexed(0..mesh.index_count, 0, range.clone());
                    stats.draw_calls += 1;
                }
            }
        }
        {
            let (view, resolve) = match &self.targets.hdr_msaa {
                Some(msaa) => (msaa, Some(&self.targets.hdr)),
                None => (&self.targets.hdr, None),
            };
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("pbr pass"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view,
                    depth_slice: None,
                    resolve_target: resolve,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color {
                            r: frame.ambient.0.x as f64 * 0.5,
                            g: frame.ambient.0.y as f64 * 0.5,
                            b: frame.ambient.0.z as f64 * 0.5,
                            a: 1.0,
                        }),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &self.targets.depth,
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: wgpu::StoreOp::Discard,
                    }),
                    stencil_ops: None,
                }),
                // The frame's end is marked by the tonemap pass, here or at the present.
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_bind_group(0, &self.main_group, &[]);
            pass.set_vertex_buffer(1, self.instance_buffer.slice(..));
            let mut bound = None;
            for (mesh, textures, range, textured) in &draws {
                if bound != Some(*textured) {
                    pass.set_pipeline(&self.main_pipelines[usize::from(!textured)]);
                    bound = Some(*textured);
                }
                pass.set_bind_group(1, *textures, &[]);
                pass.set_vertex_buffer(0, mesh.vertices.slice(..));
                pass.set_index_buffer(mesh.indices.slice(..), mesh.format);
                pass.draw_indexed(0..mesh.index_count, 0, range.clone());
                stats.draw_calls += 1;
                stats.instances += range.len() as u32;
                stats.triangles += u64::from(mesh.index_count / 3) * range.len() as u64;
            }
        }
        if to_output {
            self.encode_tonemap(
                &gpu.device,
                &mut encoder,
                &self.targets.output_view,
                OUTPUT_FORMAT,
                None,
            );
            stats.draw_calls += self.present_draw_calls();
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

    /// Draw calls of one tonemap pass: the full-screen triangle, and the overlay if any.
    pub fn present_draw_calls(&self) -> u32 {
        1 + u32::from(self.has_overlay())
    }

    /// Writes the frame uniform and the instances (one copy) and grows the instance buffer
    /// when needed.
    fn upload_frame(&mut self, gpu: &GpuContext, frame: &FrameDesc) -> Result<(), GpuError> {
        let needed = frame.instances.len().max(1);
        let capacity = self.instance_buffer.size() as usize / size_of::<GpuInstance>();
        if needed > capacity {
            let max_buffer = gpu.device.limits().max_buffer_size;
            let bytes = |n: usize| (n * size_of::<GpuInstance>()) as u64;
            within("the instance buffer", bytes(needed), max_buffer)?;
            // Grow by powers of two while the device allows, else to exactly what is needed.
            let grown = if bytes(needed.next_power_of_two()) <= max_buffer {
                needed.next_power_of_two()
            } else {
                needed
            };
            self.instance_buffer = gpu.scoped(|| Self::instance_buffer(&gpu.device, grown))?;
        }
        if !frame.instances.is_empty() {
            gpu.queue.write_buffer(
                &self.instance_buffer,
                0,
                bytemuck::cast_slice(frame.instances),
            );
        }
        let to_light = -frame.sun.direction.normalize_or(Vec3::NEG_Y);
        let light_view_proj = frame.sun.view_projection(frame.shadow_bounds);
        let radius = frame.shadow_bounds.1.max(1e-3);
        let mut point_lights = [GpuPointLight::zeroed(); MAX_POINT_LIGHTS];
        let count = frame.point_lights.len().min(MAX_POINT_LIGHTS);
        for (slot, light) in point_lights.iter_mut().zip(frame.point_lights) {
            *slot = GpuPointLight {
                position_range: light.position.extend(light.range.max(1e-3)).to_array(),
                color_intensity: light.color.extend(light.intensity).to_array(),
            };
        }
        let texel = 1.0 / self.config.shadow_map_size as f32;
        let uniform = FrameUniform {
            view_proj: (frame.camera.projection * frame.camera.view).to_cols_array_2d(),
            light_view_proj: light_view_proj.to_cols_array_2d(),
            camera_position: frame.camera.position.extend(1.0).to_array(),
            light_direction: to_light
                .extend(if frame.sun.shadows { 1.0 } else { 0.0 })
                .to_array(),
            light_color: (frame.sun.color * frame.sun.intensity)
                .extend(1.0)
                .to_array(),
            sky_color: frame.ambient.0.extend(1.0).to_array(),
            ground_color: frame.ambient.1.extend(1.0).to_array(),
            // Normal offset of about one texel in world units, plus a small depth bias.
            shadow_params: [0.0005, 2.0 * radius * texel * 1.5, texel, count as f32],
            point_lights,
        };
        gpu.queue
            .write_buffer(&self.frame_buffer, 0, bytemuck::bytes_of(&uniform));
        let operator = match self.config.tonemap {
            Tonemap::Aces => 0.0,
            Tonemap::Agx => 1.0,
        };
        gpu.queue.write_buffer(
            &self.tonemap_buffer,
            0,
            bytemuck::bytes_of(&[self.config.exposure, operator, 0.0f32, 0.0f32]),
        );
        Ok(())
    }
}
