//! The FXAA pass: anti-aliasing of the tonemapped image where the frame has no MSAA (one
//! sample asked for, or MSAA unsupported), with the overlay drawn over it in the same pass.
//! Reads [`Target::Ldr`]; writes [`Target::Output`]. Runs on every backend (one full-screen
//! draw).

use std::collections::HashMap;
use std::sync::Mutex;

use super::{
    PassSetup, fullscreen_pipeline, fullscreen_shader, layout, linear_sampler, source_group,
};
use crate::gpu::frame_graph::{Access, Pass, PassContext, Target, Targets};
use crate::render::FrameStats;

/// The FXAA shader and a pipeline per output format.
pub(crate) struct FxaaPass {
    access: Access,
    shader: wgpu::ShaderModule,
    group_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    /// Made by `bind`, once the LDR target exists.
    group: Option<wgpu::BindGroup>,
    pipelines: Mutex<HashMap<wgpu::TextureFormat, wgpu::RenderPipeline>>,
}

impl FxaaPass {
    pub(crate) fn new(setup: &PassSetup<'_>) -> FxaaPass {
        let device = setup.device;
        FxaaPass {
            access: Access {
                reads: vec![Target::Ldr],
                writes: vec![Target::Output],
            },
            shader: fullscreen_shader(
                device,
                "fxaa.wgsl",
                include_str!("../../../../shaders/fxaa.wgsl"),
            ),
            group_layout: super::source_layout(device, "fxaa bind group layout", &[]),
            sampler: linear_sampler(device, "fxaa sampler"),
            group: None,
            pipelines: Mutex::default(),
        }
    }
}

impl Pass for FxaaPass {
    fn name(&self) -> &'static str {
        "fxaa pass"
    }

    fn access(&self) -> &Access {
        &self.access
    }

    fn bind(&mut self, device: &wgpu::Device, targets: &Targets) {
        self.group = Some(source_group(
            device,
            "fxaa bind group",
            &self.group_layout,
            targets.view(Target::Ldr),
            &self.sampler,
            &[],
        ));
    }

    fn encode(
        &self,
        ctx: PassContext<'_>,
        encoder: &mut wgpu::CommandEncoder,
        stats: &mut FrameStats,
    ) {
        let (format, viewport) = ctx.output();
        let pipeline = {
            let mut cache = self.pipelines.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .entry(format)
                .or_insert_with(|| {
                    fullscreen_pipeline(
                        ctx.device,
                        "fxaa pipeline",
                        &self.shader,
                        &layout(ctx.device, "fxaa pipeline layout", &self.group_layout),
                        "fs_main",
                        format,
                        None,
                    )
                })
                .clone()
        };
        super::tonemap::draw_output(
            ctx,
            encoder,
            self.name(),
            &pipeline,
            self.group.as_ref(),
            viewport,
            stats,
        );
    }
}
