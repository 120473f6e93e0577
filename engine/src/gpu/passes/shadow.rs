//! The shadow pass: the shadow casters' depth from the sun into the shadow map, one render
//! pass per cascade into its layer. Writes [`Target::ShadowMap`]; every layer is cleared even
//! when the sun casts no shadows.

use super::{PassSetup, layout, uniform_entry, vertex_layouts};
use crate::gpu::frame_graph::{Access, Pass, PassContext, Target, Targets};
use crate::gpu::renderer::DEPTH_FORMAT;
use crate::render::{FrameStats, MAX_SHADOW_CASCADES};

/// Depth only, position and normal read, with a constant and slope depth bias.
pub(crate) struct ShadowPass {
    access: Access,
    pipeline: wgpu::RenderPipeline,
    group: wgpu::BindGroup,
    /// Cascades drawn (the shadow map's layers).
    cascades: u32,
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
        let mut slots = vec![0u8; (SLOT * u64::from(cascades)) as usize];
        for i in 0..cascades {
            let at = (SLOT * u64::from(i)) as usize;
            slots[at..at + 4].copy_from_slice(&i.to_le_bytes());
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
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("shadow pipeline"),
            layout: Some(&layout(device, "shadow pipeline layout", &group_layout)),
            vertex: wgpu::VertexState {
                module: setup.pbr,
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
                bias,
            }),
            multisample: Default::default(),
            fragment: None,
            multiview_mask: None,
            cache: None,
        });
        ShadowPass {
            access: Access {
                reads: vec![],
                writes: vec![Target::ShadowMap],
            },
            pipeline,
            group,
            cascades,
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
        self.layers = (0..self.cascades)
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
            if !ctx.frame.shadows {
                continue;
            }
            pass.set_pipeline(&self.pipeline);
            let offset = (SLOT * i as u64) as wgpu::DynamicOffset;
            pass.set_bind_group(0, &self.group, &[offset]);
            pass.set_vertex_buffer(1, ctx.frame.instances.slice(..));
            for (mesh, range) in &ctx.frame.casters {
                pass.set_vertex_buffer(0, mesh.vertices.slice(..));
                pass.set_index_buffer(mesh.indices.slice(..), mesh.format);
                pass.draw_indexed(0..mesh.index_count, 0, range.clone());
                stats.draw_calls += 1;
            }
            self.skinned
                .draw(&mut pass, ctx.frame, &self.group, offset, stats);
        }
    }
}
