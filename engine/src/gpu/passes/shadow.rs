//! The shadow pass: the shadow casters' depth from the sun into the shadow map, one render
//! pass per cascade into its layer, then from the shadowed spot light into the layer after
//! them (with [`RendererConfig::spot_shadows`](crate::gpu::RendererConfig)). Writes
//! [`Target::ShadowMap`]; every layer is cleared even when nothing casts into it. Double-sided casters are drawn without culling, and
//! alpha-masked ones test their alpha as the camera's view does (blended surfaces cast none).

use super::{PassSetup, layout, uniform_entry, vertex_layouts};
use crate::gpu::frame_graph::{Access, Draw, Pass, PassContext, Target, Targets};
use crate::gpu::renderer::{DEPTH_FORMAT, SPOT_SHADOW_SLOT};
use crate::render::{AlphaMode, FrameStats, MAX_SHADOW_CASCADES, Surface};

/// Depth only, position (and for masked casters, UV) read, with a constant and slope depth
/// bias.
pub(crate) struct ShadowPass {
    access: Access,
    /// By [`Surface::index`] (blended ones unused): single- or double-sided, masked or not.
    pipelines: Vec<Option<wgpu::RenderPipeline>>,
    group: wgpu::BindGroup,
    /// The sun's cascades (the shadow map's first layers).
    cascades: u32,
    /// Whether the layer after them is the spot light's.
    spot: bool,
    /// One view per layer, made by `bind`.
    layers: Vec<wgpu::TextureView>,
    /// The skinned casters' pipeline and joints (`skinned.rs`).
    skinned: super::skinned::SkinnedShadow,
}

/// A cascade's slot in the index buffer (dynamic offsets are 256-byte aligned everywhere).
const SLOT: u64 = 256;

impl ShadowPass {
    pub(crate) fn new(setup: &PassSetup<'_>) -> ShadowPass {
        let device = setup.device;
        let group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("shadow bind group layout"),
            entries: &[
                uniform_entry(0, wgpu::ShaderStages::VERTEX),
                // The materials, for masked casters' alpha.
                uniform_entry(1, wgpu::ShaderStages::FRAGMENT),
                wgpu::BindGroupLayoutEntry {
                    binding: 8,
                    visibility: wgpu::ShaderStages::VERTEX,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: true,
                        min_binding_size: wgpu::BufferSize::new(16),
                    },
                    count: None,
                },
            ],
        });
        // Each cascade's index in its own slot, written once.
        let cascades = setup
            .config
            .shadow_cascades
            .clamp(1, MAX_SHADOW_CASCADES as u32);
        // The spot light's layer reads the spot light's matrix.
        let spot = setup.config.spot_shadows;
        let layers = cascades + u32::from(spot);
        let mut slots = vec![0u8; (SLOT * u64::from(layers)) as usize];
        for i in 0..layers {
            let at = (SLOT * u64::from(i)) as usize;
            let matrix = if i < cascades {
                i
            } else {
                SPOT_SHADOW_SLOT as u32
            };
            slots[at..at + 4].copy_from_slice(&matrix.to_le_bytes());
        }
        let indices = wgpu::util::DeviceExt::create_buffer_init(
            device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("shadow cascade indices"),
                contents: &slots,
                usage: wgpu::BufferUsages::UNIFORM,
            },
        );
        let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shadow bind group"),
            layout: &group_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: setup.frame_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: setup.material_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 8,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &indices,
                        offset: 0,
                        size: wgpu::BufferSize::new(16),
                    }),
                },
            ],
        });
        let bias = wgpu::DepthBiasState {
            constant: 2,
            slope_scale: 2.0,
            clamp: 0.0,
        };
        let skinned = super::skinned::SkinnedShadow::new(setup, &group_layout, bias);
        let plain = layout(device, "shadow pipeline layout", &group_layout);
        let masked = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("masked shadow pipeline layout"),
            bind_group_layouts: &[Some(&group_layout), Some(setup.texture_layout)],
            immediate_size: 0,
        });
        let pipeline = |surface: Surface| {
            let mask = surface.alpha_mode() == AlphaMode::Mask;
            let fragment = mask.then(|| wgpu::FragmentState {
                module: setup.pbr,
                entry_point: Some("fs_shadow_masked"),
                compilation_options: Default::default(),
                targets: &[],
            });
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some("shadow pipeline"),
                layout: Some(if mask { &masked } else { &plain }),
                vertex: wgpu::VertexState {
                    module: setup.pbr,
                    entry_point: Some(if mask {
                        "vs_shadow_masked"
                    } else {
                        "vs_shadow"
                    }),
                    compilation_options: Default::default(),
                    buffers: &vertex_layouts(mask),
                },
                primitive: wgpu::PrimitiveState {
                    cull_mode: (!surface.double_sided()).then_some(wgpu::Face::Back),
                    ..Default::default()
                },
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH_FORMAT,
                    depth_write_enabled: Some(true),
                    depth_compare: Some(wgpu::CompareFunction::LessEqual),
                    stencil: Default::default(),
                    bias,
                }),
                multisample: Default::default(),
                fragment,
                multiview_mask: None,
                cache: None,
            })
        };
        // Four small depth-only pipelines: made up front.
        let pipelines = (0..Surface::COUNT)
            .map(|i| {
                [AlphaMode::Opaque, AlphaMode::Mask]
                    .into_iter()
                    .flat_map(|mode| [Surface::new(mode, false), Surface::new(mode, true)])
                    .find(|s| s.index() == i)
                    .map(pipeline)
            })
            .collect();
        ShadowPass {
            access: Access {
                reads: vec![],
                writes: vec![Target::ShadowMap],
            },
            pipelines,
            group,
            cascades,
            spot,
            layers: Vec::new(),
            skinned,
        }
    }
}

impl Pass for ShadowPass {
    fn name(&self) -> &'static str {
        "shadow pass"
    }

    fn access(&self) -> &Access {
        &self.access
    }

    fn bind(&mut self, _device: &wgpu::Device, targets: &Targets) {
        let map = targets.texture(Target::ShadowMap);
        self.layers = (0..self.cascades + u32::from(self.spot))
            .map(|layer| {
                map.create_view(&wgpu::TextureViewDescriptor {
                    label: Some("shadow cascade"),
                    dimension: Some(wgpu::TextureViewDimension::D2),
                    base_array_layer: layer,
                    array_layer_count: Some(1),
                    ..Default::default()
                })
            })
            .collect();
    }

    fn encode(
        &self,
        ctx: PassContext<'_>,
        encoder: &mut wgpu::CommandEncoder,
        stats: &mut FrameStats,
    ) {
        // Declared, so the graph allocated it; the layers are views of it.
        let _ = ctx.view(Target::ShadowMap);
        let last = self.layers.len().saturating_sub(1);
        for (i, layer) in self.layers.iter().enumerate() {
            // The graph's start on the first cascade, its end (if this pass were last) on the
            // last one.
            let timestamps = ctx.timestamps.as_ref().and_then(|writes| {
                let beginning = writes.beginning_of_pass_write_index.filter(|_| i == 0);
                let end = writes.end_of_pass_write_index.filter(|_| i == last);
                (beginning.is_some() || end.is_some()).then_some(wgpu::RenderPassTimestampWrites {
                    query_set: writes.query_set,
                    beginning_of_pass_write_index: beginning,
                    end_of_pass_write_index: end,
                })
            });
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some(self.name()),
                color_attachments: &[],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: layer,
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: wgpu::StoreOp::Store,
                    }),
                    stencil_ops: None,
                }),
                timestamp_writes: timestamps,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            let casting = if (i as u32) < self.cascades {
                ctx.frame.shadows
            } else {
                ctx.frame.spot_shadow
            };
            if !casting {
                continue;
            }
            let offset = (SLOT * i as u64) as wgpu::DynamicOffset;
            pass.set_bind_group(0, &self.group, &[offset]);
            pass.set_vertex_buffer(1, ctx.frame.instances.slice(..));
            let mut bound = None;
            for draw in &ctx.frame.casters {
                let Some(pipeline) = self.pipeline(draw) else {
                    continue;
                };
                if bound != Some(draw.surface) {
                    pass.set_pipeline(pipeline);
                    bound = Some(draw.surface);
                }
                if draw.surface.alpha_mode() == AlphaMode::Mask {
                    pass.set_bind_group(1, draw.textures, &[]);
                }
                pass.set_vertex_buffer(0, draw.mesh.vertices.slice(..));
                pass.set_index_buffer(draw.mesh.indices.slice(..), draw.mesh.format);
                pass.draw_indexed(0..draw.mesh.index_count, 0, draw.instances.clone());
                stats.draw_calls += 1;
            }
            self.skinned
                .draw(&mut pass, ctx.frame, &self.group, offset, stats);
        }
    }
}

impl ShadowPass {
    /// A caster's pipeline (`None` for a blended surface: it casts no shadow).
    fn pipeline(&self, draw: &Draw<'_>) -> Option<&wgpu::RenderPipeline> {
        self.pipelines.get(draw.surface.index())?.as_ref()
    }
}
