//! The tonemap pass: the HDR image (its ambient share dimmed by ambient occlusion, and the
//! bloom chain's top level mixed in, when those are on) mapped (ACES or AgX, after exposure) to the display. Reads [`Target::Hdr`] (and
//! [`Target::Bloom`]`(0)`). Writes [`Target::Output`], the headless image or a window's
//! surface, letterboxed into the output's viewport (the rest cleared black), with the overlay
//! drawn over it in the same pass; or, when FXAA follows, [`Target::Ldr`], and FXAA writes the
//! output. The pass that writes the output is the frame's last: its end is the frame's end for
//! the GPU timer.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{
    FLOAT, PassSetup, draw_fullscreen, fullscreen_pipeline, fullscreen_shader, layout,
    linear_sampler, source_group, texture_entry, uniform_entry,
};
use crate::gpu::frame_graph::{Access, BLOOM_LEVELS, Pass, PassContext, Target, Targets};
use crate::gpu::renderer::{OUTPUT_FORMAT, Tonemap};
use crate::render::FrameStats;

/// The tonemap shader, its parameters, and a pipeline per output format.
pub(crate) struct TonemapPass {
    access: Access,
    shader: wgpu::ShaderModule,
    group_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    params: wgpu::Buffer,
    /// Whether bloom's level 0 is mixed in.
    bloom: bool,
    /// Whether ambient occlusion is applied.
    occlusion: bool,
    /// Made by `bind`, once the HDR target exists.
    group: Option<wgpu::BindGroup>,
    // Per target format: the headless output and whatever the window's surface uses.
    pipelines: Mutex<HashMap<wgpu::TextureFormat, wgpu::RenderPipeline>>,
}

impl TonemapPass {
    /// With `to_ldr`, it writes [`Target::Ldr`] for FXAA instead of the output.
    pub(crate) fn new(setup: &PassSetup<'_>, to_ldr: bool) -> TonemapPass {
        let device = setup.device;
        let shader = fullscreen_shader(
            device,
            "tonemap.wgsl",
            include_str!("../../../../shaders/tonemap.wgsl"),
        );
        let group_layout = super::source_layout(
            device,
            "tonemap bind group layout",
            &[
                uniform_entry(2, wgpu::ShaderStages::FRAGMENT),
                texture_entry(3, wgpu::ShaderStages::FRAGMENT, FLOAT),
                texture_entry(4, wgpu::ShaderStages::FRAGMENT, FLOAT),
                texture_entry(5, wgpu::ShaderStages::FRAGMENT, FLOAT),
            ],
        );
        // Exposure, operator and bloom are fixed for the renderer's life: written once.
        let operator = match setup.config.tonemap {
            Tonemap::Aces => 0.0,
            Tonemap::Agx => 1.0,
        };
        let bloom = setup.config.bloom.as_ref();
        let intensity = bloom.map_or(0.0, |b| b.intensity.clamp(0.0, 1.0));
        let occlusion = setup.config.ambient_occlusion.is_some();
        let params: [f32; 8] = [
            setup.config.exposure,
            operator,
            intensity,
            f32::from(BLOOM_LEVELS),
            if occlusion { 1.0 } else { 0.0 },
            0.0,
            0.0,
            0.0,
        ];
        let params = wgpu::util::DeviceExt::create_buffer_init(
            device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("tonemap params"),
                contents: bytemuck::bytes_of(&params),
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            },
        );
        let mut reads = vec![Target::Hdr];
        if bloom.is_some() {
            reads.push(Target::Bloom(0));
        }
        if occlusion {
            reads.extend([Target::Geometry, Target::Ao]);
        }
        TonemapPass {
            access: Access {
                reads,
                writes: vec![if to_ldr { Target::Ldr } else { Target::Output }],
            },
            shader,
            group_layout,
            sampler: linear_sampler(device, "hdr sampler"),
            params,
            bloom: bloom.is_some(),
            occlusion,
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
                fullscreen_pipeline(
                    device,
                    "tonemap pipeline",
                    &self.shader,
                    &layout(device, "tonemap pipeline layout", &self.group_layout),
                    "fs_main",
                    format,
                    None,
                )
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
        // What is off is filled by the HDR image; the shader skips it.
        let or_hdr = |on: bool, target: Target| targets.view(if on { target } else { Target::Hdr });
        let bloom = or_hdr(self.bloom, Target::Bloom(0));
        let geometry = or_hdr(self.occlusion, Target::Geometry);
        let occlusion = or_hdr(self.occlusion, Target::Ao);
        self.group = Some(source_group(
            device,
            "tonemap bind group",
            &self.group_layout,
            targets.view(Target::Hdr),
            &self.sampler,
            &[
                self.params.as_entire_binding(),
                wgpu::BindingResource::TextureView(bloom),
                wgpu::BindingResource::TextureView(geometry),
                wgpu::BindingResource::TextureView(occlusion),
            ],
        ));
    }

    fn encode(
        &self,
        ctx: PassContext<'_>,
        encoder: &mut wgpu::CommandEncoder,
        stats: &mut FrameStats,
    ) {
        let Some(group) = self.group.as_ref() else {
            return;
        };
        if self.access.writes.contains(&Target::Ldr) {
            let pipeline = self.pipeline(ctx.device, OUTPUT_FORMAT);
            draw_fullscreen(
                encoder,
                self.name(),
                ctx.view(Target::Ldr),
                true,
                &pipeline,
                group,
                ctx.timestamps,
            );
            stats.draw_calls += 1;
            return;
        }
        let (format, viewport) = ctx.output();
        let pipeline = self.pipeline(ctx.device, format);
        draw_output(
            ctx,
            encoder,
            self.name(),
            &pipeline,
            Some(group),
            viewport,
            stats,
        );
    }
}

/// Records the frame's output pass: one full-screen draw into [`Target::Output`] (cleared black
/// around `viewport`), then the overlay over it in the same pass.
pub(super) fn draw_output(
    ctx: PassContext<'_>,
    encoder: &mut wgpu::CommandEncoder,
    label: &'static str,
    pipeline: &wgpu::RenderPipeline,
    group: Option<&wgpu::BindGroup>,
    viewport: Option<[f32; 4]>,
    stats: &mut FrameStats,
) {
    let (format, _) = ctx.output();
    let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
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
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, group, &[]);
    pass.draw(0..3, 0..1);
    stats.draw_calls += 1;
    // The overlay goes into the same pass, over the finished frame, in its viewport.
    let overlay = ctx.frame.overlay;
    overlay.draw(ctx.device, &mut pass, format);
    stats.draw_calls += overlay.draw_calls();
}
