//! The tonemap pass: the HDR image mapped (ACES or AgX, after exposure) into the output, the
//! headless image or a window's surface, letterboxed into the output's viewport (the rest
//! cleared black), with the overlay drawn over it in the same pass. Reads [`Target::Hdr`];
//! writes [`Target::Output`]. The frame's last pass: its end is the frame's end for the GPU
//! timer.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{FLOAT, PassSetup, layout, sampler_entry, texture_entry, uniform_entry};
use crate::gpu::frame_graph::{Access, Pass, PassContext, Target, Targets};
use crate::gpu::renderer::Tonemap;
use crate::render::FrameStats;

/// The tonemap shader, its parameters, and a pipeline per output format.
pub(crate) struct TonemapPass {
    access: Access,
    shader: wgpu::ShaderModule,
    group_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    params: wgpu::Buffer,
    /// Made by `bind`, once the HDR target exists.
    group: Option<wgpu::BindGroup>,
    // Per target format: the headless output and whatever the window's surface uses.
    pipelines: Mutex<HashMap<wgpu::TextureFormat, wgpu::RenderPipeline>>,
}

impl TonemapPass {
    pub(crate) fn new(setup: &PassSetup<'_>) -> TonemapPass {
        let device = setup.device;
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("tonemap.wgsl"),
            source: wgpu::ShaderSource::Wgsl(
                include_str!("../../../../shaders/tonemap.wgsl").into(),
            ),
        });
        let group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("tonemap bind group layout"),
            entries: &[
                texture_entry(0, wgpu::ShaderStages::FRAGMENT, FLOAT),
                sampler_entry(
                    1,
                    wgpu::ShaderStages::FRAGMENT,
                    wgpu::SamplerBindingType::Filtering,
                ),
                uniform_entry(2, wgpu::ShaderStages::FRAGMENT),
            ],
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("hdr sampler"),
            ..Default::default()
        });
        // Exposure and operator are fixed for the renderer's life: written once.
        let operator = match setup.config.tonemap {
            Tonemap::Aces => 0.0,
            Tonemap::Agx => 1.0,
        };
        let params: [f32; 4] = [setup.config.exposure, operator, 0.0, 0.0];
        let params = wgpu::util::DeviceExt::create_buffer_init(
            device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("tonemap params"),
                contents: bytemuck::bytes_of(&params),
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            },
        );
        TonemapPass {
            access: Access {
                reads: vec![Target::Hdr],
                writes: vec![Target::Output],
            },
            shader,
            group_layout,
            sampler,
            params,
            group: None,
            pipelines: Mutex::default(),
        }
    }

    /// The pipeline for an output format (made on first use, then cached).
    fn pipeline(&self, device: &wgpu::Device, format: wgpu::TextureFormat) -> wgpu::RenderPipeline {
        let mut cache = self.pipelines.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(format)
            .or_insert_with(|| {
                device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some("tonemap pipeline"),
                    layout: Some(&layout(
                        device,
                        "tonemap pipeline layout",
                        &self.group_layout,
                    )),
                    vertex: wgpu::VertexState {
                        module: &self.shader,
                        entry_point: Some("vs_main"),
                        compilation_options: Default::default(),
                        buffers: &[],
                    },
                    primitive: Default::default(),
                    depth_stencil: None,
                    multisample: Default::default(),
                    fragment: Some(wgpu::FragmentState {
                        module: &self.shader,
                        entry_point: Some("fs_main"),
                        compilation_options: Default::default(),
                        targets: &[Some(format.into())],
                    }),
                    multiview_mask: None,
                    cache: None,
                })
            })
            .clone()
    }
}

impl Pass for TonemapPass {
    fn name(&self) -> &'static str {
        "tonemap pass"
    }

    fn access(&self) -> &Access {
        &self.access
    }

    fn bind(&mut self, device: &wgpu::Device, targets: &Targets) {
        self.group = Some(device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("tonemap bind group"),
            layout: &self.group_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(targets.view(Target::Hdr)),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: self.params.as_entire_binding(),
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
        let (format, viewport) = ctx.output();
        let pipeline = self.pipeline(ctx.device, format);
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some(self.name()),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: ctx.view(Target::Output),
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: ctx.timestamps,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        if let Some([x, y, w, h]) = viewport {
            pass.set_viewport(x, y, w, h, 0.0, 1.0);
        }
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, self.group.as_ref(), &[]);
        pass.draw(0..3, 0..1);
        stats.draw_calls += 1;
        // The overlay goes into the same pass, over the tonemapped frame, in its viewport.
        let overlay = ctx.frame.overlay;
        overlay.draw(ctx.device, &mut pass, format);
        stats.draw_calls += u32::from(!overlay.is_empty());
    }
}
