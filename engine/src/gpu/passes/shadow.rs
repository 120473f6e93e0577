//! The shadow pass: the shadow casters' depth from the sun into the shadow map.
//! Writes [`Target::ShadowMap`]; it is cleared even when the sun casts no shadows.

use super::{PassSetup, layout, uniform_entry, vertex_layouts};
use crate::gpu::frame_graph::{Access, Pass, PassContext, Target};
use crate::gpu::renderer::DEPTH_FORMAT;
use crate::render::FrameStats;

/// Depth only, position and normal read, with a constant and slope depth bias.
pub(crate) struct ShadowPass {
    access: Access,
    pipeline: wgpu::RenderPipeline,
    group: wgpu::BindGroup,
}

impl ShadowPass {
    pub(crate) fn new(setup: &PassSetup<'_>) -> ShadowPass {
        let device = setup.device;
        let group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("shadow bind group layout"),
            entries: &[uniform_entry(0, wgpu::ShaderStages::VERTEX)],
        });
        let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shadow bind group"),
            layout: &group_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: setup.frame_buffer.as_entire_binding(),
            }],
        });
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
        ShadowPass {
            access: Access {
                reads: vec![],
                writes: vec![Target::ShadowMap],
            },
            pipeline,
            group,
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

    fn encode(
        &self,
        ctx: PassContext<'_>,
        encoder: &mut wgpu::CommandEncoder,
        stats: &mut FrameStats,
    ) {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some(self.name()),
            color_attachments: &[],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: ctx.view(Target::ShadowMap),
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Store,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: ctx.timestamps,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        if !ctx.frame.shadows {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.group, &[]);
        pass.set_vertex_buffer(1, ctx.frame.instances.slice(..));
        for (mesh, range) in &ctx.frame.casters {
            pass.set_vertex_buffer(0, mesh.vertices.slice(..));
            pass.set_index_buffer(mesh.indices.slice(..), mesh.format);
            pass.draw_indexed(0..mesh.index_count, 0, range.clone());
            stats.draw_calls += 1;
        }
    }
}
