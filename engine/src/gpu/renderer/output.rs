//! The renderer's targets (HDR colour, depth, the output image) and the tonemap pass that
//! maps the HDR image into the output or a window's surface.

use glam::UVec2;

use super::{DEPTH_FORMAT, HDR_FORMAT, OUTPUT_FORMAT, Renderer, Targets};
use crate::gpu::{GpuContext, GpuError};

impl Renderer {
    pub(super) fn targets(
        device: &wgpu::Device,
        resolution: UVec2,
        samples: u32,
        tonemap_layout: &wgpu::BindGroupLayout,
        hdr_sampler: &wgpu::Sampler,
        tonemap_buffer: &wgpu::Buffer,
    ) -> Targets {
        let texture = |label, format, samples, usage| {
            device.create_texture(&wgpu::TextureDescriptor {
                label: Some(label),
                size: wgpu::Extent3d {
                    width: resolution.x,
                    height: resolution.y,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: samples,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage,
                view_formats: &[],
            })
        };
        let attach = wgpu::TextureUsages::RENDER_ATTACHMENT;
        let hdr_msaa = (samples > 1).then(|| {
            texture("hdr msaa", HDR_FORMAT, samples, attach).create_view(&Default::default())
        });
        let hdr = texture(
            "hdr",
            HDR_FORMAT,
            1,
            attach | wgpu::TextureUsages::TEXTURE_BINDING,
        )
        .create_view(&Default::default());
        let depth =
            texture("depth", DEPTH_FORMAT, samples, attach).create_view(&Default::default());
        let output = texture(
            "output",
            OUTPUT_FORMAT,
            1,
            attach | wgpu::TextureUsages::COPY_SRC | wgpu::TextureUsages::TEXTURE_BINDING,
        );
        let output_view = output.create_view(&Default::default());
        let tonemap_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("tonemap bind group"),
            layout: tonemap_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&hdr),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(hdr_sampler),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: tonemap_buffer.as_entire_binding(),
                },
            ],
        });
        Targets {
            hdr_msaa,
            hdr,
            depth,
            output,
            output_view,
            tonemap_group,
        }
    }

    /// Tonemaps the last rendered HDR image into `target` (of `format`), within `viewport`
    /// (x, y, width, height in target pixels; the whole target when `None`); the rest of the
    /// target is cleared to black (letterbox bars).
    pub(super) fn encode_tonemap(
        &self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::TextureView,
        format: wgpu::TextureFormat,
        viewport: Option<[f32; 4]>,
    ) {
        let pipeline = self.tonemap_pipeline(device, format);
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("tonemap pass"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            // The last pass of the frame: its end is the frame's end for the GPU timer.
            timestamp_writes: self.timer.as_ref().and_then(|t| t.pass_writes(false, true)),
            occlusion_query_set: None,
            multiview_mask: None,
        });
        if let Some([x, y, w, h]) = viewport {
            pass.set_viewport(x, y, w, h, 0.0, 1.0);
        }
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &self.targets.tonemap_group, &[]);
        pass.draw(0..3, 0..1);
        // The overlay goes into the same pass, over the tonemapped frame, in its viewport.
        self.overlay.draw(device, &mut pass, format);
    }

    /// The tonemap pipeline for a target format (made on first use, then cached).
    pub(super) fn tonemap_pipeline(
        &self,
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
    ) -> wgpu::RenderPipeline {
        let mut cache = self
            .tonemap_pipelines
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        cache
            .entry(format)
            .or_insert_with(|| {
                let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                    label: Some("tonemap pipeline layout"),
                    bind_group_layouts: &[Some(&self.tonemap_layout)],
                    immediate_size: 0,
                });
                device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some("tonemap pipeline"),
                    layout: Some(&layout),
                    vertex: wgpu::VertexState {
                        module: &self.tonemap_shader,
                        entry_point: Some("vs_main"),
                        compilation_options: Default::default(),
                        buffers: &[],
                    },
                    primitive: Default::default(),
                    depth_stencil: None,
                    multisample: Default::default(),
                    fragment: Some(wgpu::FragmentState {
                        module: &self.tonemap_shader,
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
        self.encode_tonemap(&gpu.device, &mut encoder, target, format, Some(viewport));
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
            self.targets = gpu.scoped(|| {
                Self::targets(
                    &gpu.device,
                    resolution,
                    self.samples,
                    &self.tonemap_layout,
                    &self.hdr_sampler,
                    &self.tonemap_buffer,
                )
            })?;
            self.config.resolution = resolution;
            self.overlay.resize(gpu, resolution);
        }
        Ok(())
    }
}
