//! The opaque pass: PBR shading of the camera's instances into the HDR target (multisampled
//! and resolved where the adapter supports it), lit by the sun through the shadow map, by the
//! point lights and by the environment (image-based lighting), then the skybox behind them,
//! then the blended surfaces over both, back to front (the transparent draws), all in one
//! render pass: a separate transparent pass would store and reload the multisampled colour
//! and depth. Each [`Surface`] has its pipelines (culling, alpha test, blending), made the
//! first time a frame draws one. Reads [`Target::ShadowMap`]; writes [`Target::HdrMsaa`] (with MSAA),
//! [`Target::Hdr`] and [`Target::Depth`], and, for ambient occlusion, [`Target::Geometry`]
//! (and [`Target::GeometryMsaa`] with MSAA).

use super::{
    FLOAT, PassSetup, layout, sampler_entry, texture_entry, uniform_entry, vertex_layouts,
    view_entry,
};
use crate::gpu::environment::EnvironmentViews;
use crate::gpu::frame_graph::{Access, BlendedRun, Draw, Pass, PassContext, Target, Targets};
use crate::gpu::renderer::{DEPTH_FORMAT, HDR_FORMAT};
use crate::render::{AlphaMode, FrameStats, Surface};
use std::sync::OnceLock;

/// The layout of a texture set's bind group (group 1 of the PBR pipelines): base colour,
/// normal, metallic-roughness, emissive, occlusion, and their sampler.
pub(crate) fn texture_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let fragment = wgpu::ShaderStages::FRAGMENT;
    let texture = |binding| texture_entry(binding, fragment, FLOAT);
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("material textures layout"),
        entries: &[
            texture(0),
            texture(1),
            texture(2),
            texture(3),
            texture(4),
            sampler_entry(5, fragment, wgpu::SamplerBindingType::Filtering),
        ],
    })
}

/// What the PBR pipelines are made from, kept to make each surface's the first time it is
/// drawn (most frames use one or two of them). The skinned pipelines (`skinned.rs`) are made
/// from it too, with their own vertex stage, so both kinds of draw get one surface's state.
pub(super) struct PipelineSource {
    device: wgpu::Device,
    layout: wgpu::PipelineLayout,
    shader: wgpu::ShaderModule,
    samples: u32,
    /// Whether the pass writes the geometry target (ambient occlusion) too.
    geometry: bool,
}

/// A PBR pipeline's vertex stage: its entry point in pbr.wgsl (or skin.wgsl, concatenated
/// after it), the vertex buffers it reads and the pipeline layout its bind groups need.
pub(super) struct VertexStage<'a> {
    pub(super) label: &'static str,
    pub(super) layout: &'a wgpu::PipelineLayout,
    pub(super) entry_point: &'static str,
    pub(super) buffers: &'a [Option<wgpu::VertexBufferLayout<'a>>],
}

impl PipelineSource {
    /// The pipeline drawing `surface` for textured or untextured batches.
    fn pipeline(&self, textured: bool, surface: Surface) -> wgpu::RenderPipeline {
        self.pipeline_with(
            &VertexStage {
                label: "pbr pipeline",
                layout: &self.layout,
                // Textured batches read every vertex attribute; untextured ones position
                // and normal.
                entry_point: if textured { "vs_main" } else { "vs_untextured" },
                buffers: &vertex_layouts(textured),
            },
            surface,
        )
    }

    /// The pipeline drawing `surface` with `vertex`'s stage: culling, depth, blending and the
    /// fragment entry point are the surface's.
    pub(super) fn pipeline_with(
        &self,
        vertex: &VertexStage<'_>,
        surface: Surface,
    ) -> wgpu::RenderPipeline {
        let blended = surface.is_blended();
        // The same state for both targets: WebGL2 has no independent blend state (nor write
        // masks) per target. A blended surface writes its geometry with alpha 0, which the
        // blend turns into "leave it": ambient occlusion sees what is behind the surface.
        let target = wgpu::ColorTargetState {
            format: HDR_FORMAT,
            blend: blended.then_some(wgpu::BlendState::ALPHA_BLENDING),
            write_mask: wgpu::ColorWrites::ALL,
        };
        let both = [Some(target.clone()), Some(target)];
        let targets = if self.geometry { &both[..] } else { &both[..1] };
        let fragment = match (surface.alpha_mode(), self.geometry) {
            (AlphaMode::Opaque, false) => "fs_main",
            (AlphaMode::Opaque, true) => "fs_main_geometry",
            (AlphaMode::Mask, false) => "fs_masked",
            (AlphaMode::Mask, true) => "fs_masked_geometry",
            (AlphaMode::Blend, false) => "fs_blended",
            (AlphaMode::Blend, true) => "fs_blended_geometry",
        };
        self.device
            .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(vertex.label),
                layout: Some(vertex.layout),
                vertex: wgpu::VertexState {
                    module: &self.shader,
                    entry_point: Some(vertex.entry_point),
                    compilation_options: Default::default(),
                    buffers: vertex.buffers,
                },
                primitive: wgpu::PrimitiveState {
                    cull_mode: (!surface.double_sided()).then_some(wgpu::Face::Back),
                    ..Default::default()
                },
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH_FORMAT,
                    // Blended surfaces are tested against the depth, and leave it.
                    depth_write_enabled: Some(!blended),
                    depth_compare: Some(wgpu::CompareFunction::Less),
                    stencil: Default::default(),
                    bias: Default::default(),
                }),
                multisample: wgpu::MultisampleState {
                    count: self.samples,
                    ..Default::default()
                },
                fragment: Some(wgpu::FragmentState {
                    module: &self.shader,
                    entry_point: Some(fragment),
                    compilation_options: Default::default(),
                    targets,
                }),
                multiview_mask: None,
                cache: None,
            })
    }
}

/// The PBR pipelines and the bind group of the frame uniform, materials and shadow map.
pub(crate) struct OpaquePass {
    access: Access,
    source: PipelineSource,
    /// By textured (first half) or not, then by [`Surface::index`]; made on first use.
    pipelines: [OnceLock<wgpu::RenderPipeline>; 2 * Surface::COUNT],
    group_layout: wgpu::BindGroupLayout,
    frame_buffer: wgpu::Buffer,
    material_buffer: wgpu::Buffer,
    shadow_sampler: wgpu::Sampler,
    environment: EnvironmentViews,
    /// The skybox, drawn after the meshes where nothing was (off: `None`).
    sky: Option<wgpu::RenderPipeline>,
    /// Made by `bind`, once the shadow map exists.
    group: Option<wgpu::BindGroup>,
    /// The skinned entities' pipeline and joints (`skinned.rs`).
    skinned: super::skinned::SkinnedOpaque,
}

impl OpaquePass {
    pub(crate) fn new(setup: &PassSetup<'_>) -> OpaquePass {
        let device = setup.device;
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("main bind group layout"),
            entries: &[
                uniform_entry(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
                uniform_entry(1, fragment),
                view_entry(
                    2,
                    fragment,
                    wgpu::TextureSampleType::Depth,
                    wgpu::TextureViewDimension::D2Array,
                ),
                sampler_entry(3, fragment, wgpu::SamplerBindingType::Comparison),
                view_entry(4, fragment, FLOAT, wgpu::TextureViewDimension::Cube),
                view_entry(5, fragment, FLOAT, wgpu::TextureViewDimension::Cube),
                texture_entry(6, fragment, FLOAT),
                sampler_entry(7, fragment, wgpu::SamplerBindingType::Filtering),
            ],
        });
        let shadow_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("shadow comparison sampler"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            compare: Some(wgpu::CompareFunction::LessEqual),
            ..Default::default()
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("pbr pipeline layout"),
            bind_group_layouts: &[Some(&group_layout), Some(setup.texture_layout)],
            immediate_size: 0,
        });
        // With ambient occlusion, the geometry it reads goes into a second target.
        let geometry = setup.config.ambient_occlusion.is_some();
        let both = [Some(HDR_FORMAT.into()), Some(HDR_FORMAT.into())];
        let color_targets = if geometry { &both[..] } else { &both[..1] };
        let source = PipelineSource {
            device: device.clone(),
            layout: pipeline_layout,
            shader: setup.pbr.clone(),
            samples: setup.samples,
            geometry,
        };
        // The common case made now, so the first frame does not wait for it.
        let pipelines: [OnceLock<wgpu::RenderPipeline>; 2 * Surface::COUNT] = Default::default();
        let _ = pipelines[Surface::OPAQUE.index()].set(source.pipeline(true, Surface::OPAQUE));
        // The skybox reads only group 0 (a frame without draws binds no texture set).
        let sky = setup.config.skybox.then(|| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some("sky pipeline"),
                layout: Some(&layout(device, "sky pipeline layout", &group_layout)),
                vertex: wgpu::VertexState {
                    module: setup.pbr,
                    entry_point: Some("vs_sky"),
                    compilation_options: Default::default(),
                    buffers: &[],
                },
                primitive: Default::default(),
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH_FORMAT,
                    depth_write_enabled: Some(false),
                    depth_compare: Some(wgpu::CompareFunction::LessEqual),
                    stencil: Default::default(),
                    bias: Default::default(),
                }),
                multisample: wgpu::MultisampleState {
                    count: setup.samples,
                    ..Default::default()
                },
                fragment: Some(wgpu::FragmentState {
                    module: setup.pbr,
                    entry_point: Some(if geometry {
                        "fs_sky_geometry"
                    } else {
                        "fs_sky"
                    }),
                    compilation_options: Default::default(),
                    targets: color_targets,
                }),
                multiview_mask: None,
                cache: None,
            })
        });
        let mut writes = vec![Target::Hdr, Target::Depth];
        if setup.samples > 1 {
            writes.push(Target::HdrMsaa);
        }
        if geometry {
            writes.push(Target::Geometry);
            if setup.samples > 1 {
                writes.push(Target::GeometryMsaa);
            }
        }
        let skinned = super::skinned::SkinnedOpaque::new(setup, &group_layout, &source);
        OpaquePass {
            access: Access {
                reads: vec![Target::ShadowMap],
                writes,
            },
            source,
            pipelines,
            group_layout,
            frame_buffer: setup.frame_buffer.clone(),
            material_buffer: setup.material_buffer.clone(),
            shadow_sampler,
            environment: EnvironmentViews {
                irradiance: setup.environment.irradiance.clone(),
                specular: setup.environment.specular.clone(),
                brdf_lut: setup.environment.brdf_lut.clone(),
                sampler: setup.environment.sampler.clone(),
            },
            sky,
            group: None,
            skinned,
        }
    }
}

impl Pass for OpaquePass {
    fn name(&self) -> &'static str {
        "pbr pass"
    }

    fn access(&self) -> &Access {
        &self.access
    }

    fn bind(&mut self, device: &wgpu::Device, targets: &Targets) {
        self.group = Some(device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("main bind group"),
            layout: &self.group_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: self.frame_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: self.material_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(targets.view(Target::ShadowMap)),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::Sampler(&self.shadow_sampler),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::TextureView(&self.environment.irradiance),
                },
                wgpu::BindGroupEntry {
                    binding: 5,
                    resource: wgpu::BindingResource::TextureView(&self.environment.specular),
                },
                wgpu::BindGroupEntry {
                    binding: 6,
                    resource: wgpu::BindingResource::TextureView(&self.environment.brdf_lut),
                },
                wgpu::BindGroupEntry {
                    binding: 7,
                    resource: wgpu::BindingResource::Sampler(&self.environment.sampler),
                },
            ],
        }));
    }

    fn encode(
        &self,
        ctx: PassContext<'_>,
        encoder: &mut wgpu::CommandEncoder,
        stats: &mut FrameStats,
    ) {
        let writes = &self.access.writes;
        // Into the multisampled target resolved into the single-sampled one, or straight in.
        let attachment = |single: Target, multi: Target, clear: wgpu::Color| {
            let (view, resolve_target) = if writes.contains(&multi) {
                (ctx.view(multi), Some(ctx.view(single)))
            } else {
                (ctx.view(single), None)
            };
            Some(wgpu::RenderPassColorAttachment {
                view,
                depth_slice: None,
                resolve_target,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(clear),
                    store: wgpu::StoreOp::Store,
                },
            })
        };
        let mut attachments = vec![attachment(Target::Hdr, Target::HdrMsaa, ctx.frame.clear)];
        if writes.contains(&Target::Geometry) {
            // Nothing drawn: as far as the sky, nothing to occlude.
            let far = wgpu::Color {
                r: 0.0,
                g: 0.0,
                b: 65000.0,
                a: 0.0,
            };
            attachments.push(attachment(Target::Geometry, Target::GeometryMsaa, far));
        }
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some(self.name()),
            color_attachments: &attachments,
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: ctx.view(Target::Depth),
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Discard,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: ctx.timestamps,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_bind_group(0, self.group.as_ref(), &[]);
        pass.set_vertex_buffer(1, ctx.frame.instances.slice(..));
        // Blended draws come last (`frame_inputs` puts them there, back to front).
        let draws = &ctx.frame.draws;
        let solid = &draws[..draws.partition_point(|d| !d.surface.is_blended())];
        let skinned = &ctx.frame.skinned;
        let skinned_solid = &skinned[..skinned.partition_point(|d| !d.surface.is_blended())];
        self.draw(&mut pass, solid, stats);
        self.skinned
            .draw(&mut pass, skinned_solid, &self.source, stats);
        // After the opaque surfaces, so only the pixels none covered run the sky's shader.
        if let Some(sky) = &self.sky {
            pass.set_pipeline(sky);
            pass.draw(0..3, 0..1);
            stats.draw_calls += 1;
        }
        // The blended instanced and skinned draws, merged back to front.
        for run in &ctx.frame.blended {
            match run {
                BlendedRun::Instanced(range) => {
                    // The skinned draws bound their skin stream where the instances go.
                    pass.set_vertex_buffer(1, ctx.frame.instances.slice(..));
                    self.draw(&mut pass, &draws[range.clone()], stats);
                }
                BlendedRun::Skinned(range) => {
                    self.skinned
                        .draw(&mut pass, &skinned[range.clone()], &self.source, stats);
                }
            }
        }
    }
}

impl OpaquePass {
    /// The pipeline of a draw, made the first time one of its kind is drawn.
    fn pipeline(&self, draw: &Draw<'_>) -> &wgpu::RenderPipeline {
        let slot = usize::from(!draw.textured) * Surface::COUNT + draw.surface.index();
        self.pipelines[slot].get_or_init(|| self.source.pipeline(draw.textured, draw.surface))
    }

    fn draw(&self, pass: &mut wgpu::RenderPass<'_>, draws: &[Draw<'_>], stats: &mut FrameStats) {
        let mut bound: Option<(bool, Surface)> = None;
        for draw in draws {
            if bound != Some((draw.textured, draw.surface)) {
                pass.set_pipeline(self.pipeline(draw));
                bound = Some((draw.textured, draw.surface));
            }
            pass.set_bind_group(1, draw.textures, &[]);
            pass.set_vertex_buffer(0, draw.mesh.vertices.slice(..));
            pass.set_index_buffer(draw.mesh.indices.slice(..), draw.mesh.format);
            pass.draw_indexed(0..draw.mesh.index_count, 0, draw.instances.clone());
            stats.draw_calls += 1;
            stats.instances += draw.instances.len() as u32;
            stats.triangles += u64::from(draw.mesh.index_count / 3) * draw.instances.len() as u64;
        }
    }
}
