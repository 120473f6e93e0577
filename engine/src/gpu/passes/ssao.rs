//! The ambient occlusion pass: screen-space ambient occlusion at half resolution from what the
//! opaque pass saw (normal and view depth per pixel), a hemisphere of points around each
//! pixel's normal tested against the depth seen where they project. Reads
//! [`Target::Geometry`]; writes [`Target::Ao`], which the tonemap pass applies to the ambient
//! share of each pixel's colour (4 bilinear taps: the blur that hides the per-pixel noise).
//! Plain render passes and uniforms: it runs on WebGL2.

use super::{
    PassSetup, draw_fullscreen, fullscreen_pipeline, fullscreen_shader, layout, uniform_entry,
};
use crate::gpu::frame_graph::{Access, Pass, PassContext, Target, Targets};
use crate::gpu::renderer::AmbientOcclusion;
use crate::render::FrameStats;

/// The occlusion shader, its parameters, and its bind group (made by `bind`).
pub(crate) struct SsaoPass {
    access: Access,
    pipeline: wgpu::RenderPipeline,
    group_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    params: wgpu::Buffer,
    frame_buffer: wgpu::Buffer,
    group: Option<wgpu::BindGroup>,
}

impl SsaoPass {
    pub(crate) fn new(setup: &PassSetup<'_>, settings: &AmbientOcclusion) -> SsaoPass {
        let device = setup.device;
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let shader = fullscreen_shader(
            device,
            "ssao.wgsl",
            &[
                include_str!("../../../../shaders/frame.wgsl"),
                include_str!("../../../../shaders/ssao.wgsl"),
            ]
            .concat(),
        );
        let group_layout = super::source_layout(
            device,
            "ssao bind group layout",
            &[uniform_entry(2, fragment), uniform_entry(3, fragment)],
        );
        let params: [f32; 4] = [
            settings.radius.max(1e-3),
            settings.intensity.clamp(0.0, 1.0),
            settings.samples.clamp(4, 32) as f32,
            0.0,
        ];
        let params = wgpu::util::DeviceExt::create_buffer_init(
            device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("ssao params"),
                contents: bytemuck::bytes_of(&params),
                usage: wgpu::BufferUsages::UNIFORM,
            },
        );
        let pipeline = fullscreen_pipeline(
            device,
            "ssao pipeline",
            &shader,
            &layout(device, "ssao pipeline layout", &group_layout),
            "fs_main",
            wgpu::TextureFormat::R8Unorm,
            None,
        );
        SsaoPass {
            access: Access {
                reads: vec![Target::Geometry],
                writes: vec![Target::Ao],
            },
            pipeline,
            group_layout,
            // Nearest: depths are compared, never blended across an edge.
            sampler: device.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("ssao sampler"),
                ..Default::default()
            }),
            params,
            frame_buffer: setup.frame_buffer.clone(),
            group: None,
        }
    }
}

impl Pass for SsaoPass {
    fn name(&self) -> &'static str {
        "ssao pass"
    }

    fn access(&self) -> &Access {
        &self.access
    }

    fn bind(&mut self, device: &wgpu::Device, targets: &Targets) {
        self.group = Some(super::source_group(
            device,
            "ssao bind group",
            &self.group_layout,
            targets.view(Target::Geometry),
            &self.sampler,
            &[
                self.params.as_entire_binding(),
                self.frame_buffer.as_entire_binding(),
            ],
        ));
    }

    fn encode(
        &self,
        ctx: PassContext<'_>,
        encoder: &mut wgpu::CommandEncoder,
        stats: &mut FrameStats,
    ) {
        let Some(group) = &self.group else { return };
        draw_fullscreen(
            encoder,
            self.name(),
            ctx.view(Target::Ao),
            true,
            &self.pipeline,
            group,
            ctx.timestamps,
        );
        stats.draw_calls += 1;
    }
}
