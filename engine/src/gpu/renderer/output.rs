//! Presenting to a window's surface and resizing the internal resolution.

use glam::UVec2;

use super::Renderer;
use crate::gpu::frame_graph::{OutputView, Part};
use crate::gpu::{GpuContext, GpuError};
use crate::render::FrameStats;

impl Renderer {
    /// Tonemaps the last rendered frame into a window's surface texture, letterboxed into
    /// `viewport`, and submits. Call after [`render_hdr`](Self::render_hdr) (or
    /// [`render`](Self::render)).
    pub fn present_to(
        &mut self,
        gpu: &GpuContext,
        target: &wgpu::TextureView,
        format: wgpu::TextureFormat,
        viewport: [f32; 4],
    ) {
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("present"),
            });
        let output = OutputView {
            view: target,
            format,
            viewport: Some(viewport),
        };
        // The caller counts the present's draws (`present_draw_calls`).
        let mut stats = FrameStats::default();
        self.graph.encode(
            gpu,
            &mut encoder,
            Part::Output(Some(output)),
            &self.present_inputs(),
            self.timer.as_ref(),
            &mut stats,
        );
        self.finish_timing(&mut encoder);
        gpu.queue.submit([encoder.finish()]);
        if let Some(timer) = &mut self.timer {
            timer.end_frame();
        }
    }

    /// Changes the internal resolution (the targets are recreated; a zero dimension, or one past
    /// the device's texture limit, is refused and the old targets stay).
    pub fn resize(&mut self, gpu: &GpuContext, resolution: UVec2) -> Result<(), GpuError> {
        if resolution.x == 0 || resolution.y == 0 {
            return Err(GpuError::Config(format!(
                "resolution {resolution} must not be zero"
            )));
        }
        crate::gpu::error::within(
            "the resolution's longer edge",
            u64::from(resolution.max_element()),
            u64::from(gpu.device.limits().max_texture_dimension_2d),
        )?;
        if resolution != self.config.resolution {
            // Made in a scope: refused, the old targets and resolution stay.
            self.graph.resize(gpu, resolution)?;
            self.config.resolution = resolution;
            self.overlay.resize(gpu, resolution);
        }
        Ok(())
    }
}
