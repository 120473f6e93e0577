//! The overlay pass: the UI layer ([`UiPass`]) then the debug text quads ([`GlyphQuad`]) drawn
//! with alpha blending into the tonemap pass's target, after the frame. Works on every backend
//! (one R8 atlas, instanced quads from a vertex buffer: nothing WebGL2 lacks).

use std::collections::HashMap;
use std::sync::Mutex;

use glam::UVec2;

use super::ui::UiPass;
use super::{FLOAT, sampler_entry, texture_entry, uniform_entry};
use crate::gpu::GpuContext;
use crate::render::{GLYPH_COUNT, GLYPH_SIZE, GlyphQuad, font_atlas};

/// The UI layer under it, the font atlas, the quads of the current overlay, and a pipeline per
/// target format.
pub(crate) struct OverlayPass {
    /// The game's UI (text from fonts, boxes), drawn first.
    pub(crate) ui: UiPass,
    group: wgpu::BindGroup,
    layout: wgpu::BindGroupLayout,
    shader: wgpu::ShaderModule,
    params: wgpu::Buffer,
    quads: wgpu::Buffer,
    count: u32,
    pipelines: Mutex<HashMap<wgpu::TextureFormat, wgpu::RenderPipeline>>,
}

impl OverlayPass {
    pub(crate) fn new(gpu: &GpuContext, resolution: UVec2) -> OverlayPass {
        let device = &gpu.device;
        let size = wgpu::Extent3d {
            width: GLYPH_COUNT * GLYPH_SIZE,
            height: GLYPH_SIZE,
            depth_or_array_layers: 1,
        };
        let atlas = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("overlay font atlas"),
            size,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::R8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        gpu.queue.write_texture(
            atlas.as_image_copy(),
            &font_atlas(),
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(size.width),
                rows_per_image: Some(size.height),
            },
            size,
        );
        // Nearest: glyphs are drawn at whole multiples of their pixel size.
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("overlay sampler"),
            ..Default::default()
        });
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("overlay params"),
            size: 16,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("overlay bind group layout"),
            entries: &[
                texture_entry(0, wgpu::ShaderStages::FRAGMENT, FLOAT),
                sampler_entry(
                    1,
                    wgpu::ShaderStages::FRAGMENT,
                    wgpu::SamplerBindingType::Filtering,
                ),
                uniform_entry(2, wgpu::ShaderStages::VERTEX),
            ],
        });
        let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("overlay bind group"),
            layout: &layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(
                        &atlas.create_view(&Default::default()),
                    ),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&sampler),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: params.as_entire_binding(),
                },
            ],
        });
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("overlay.wgsl"),
            source: wgpu::ShaderSource::Wgsl(
                include_str!("../../../../shaders/overlay.wgsl").into(),
            ),
        });
        let mut pass = OverlayPass {
            ui: UiPass::new(gpu, resolution),
            group,
            layout,
            shader,
            params,
            quads: Self::quad_buffer(device, 256),
            count: 0,
            pipelines: Mutex::new(HashMap::new()),
        };
        pass.resize(gpu, resolution);
        pass
    }

    fn quad_buffer(device: &wgpu::Device, quads: usize) -> wgpu::Buffer {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("overlay quads"),
            size: (quads * size_of::<GlyphQuad>()) as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// The internal resolution the quads' pixels are in.
    pub(crate) fn resize(&mut self, gpu: &GpuContext, resolution: UVec2) {
        self.ui.resize(gpu, resolution);
        let params = [resolution.x as f32, resolution.y as f32, 0.0, 0.0];
        gpu.queue
            .write_buffer(&self.params, 0, bytemuck::cast_slice(&params));
    }

    /// Replaces the overlay's quads (none hides it).
    pub(crate) fn set_quads(&mut self, gpu: &GpuContext, quads: &[GlyphQuad]) {
        let capacity = self.quads.size() as usize / size_of::<GlyphQuad>();
        if quads.len() > capacity {
            self.quads = Self::quad_buffer(&gpu.device, quads.len().next_power_of_two());
        }
        if !quads.is_empty() {
            gpu.queue
                .write_buffer(&self.quads, 0, bytemuck::cast_slice(quads));
        }
        self.count = quads.len() as u32;
    }

    /// Whether the debug overlay has nothing to draw (the UI layer aside).
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The draw calls [`draw`](Self::draw) makes: one for the UI layer, one for the debug
    /// text, each when it has quads.
    pub(crate) fn draw_calls(&self) -> u32 {
        u32::from(!self.ui.is_empty()) + u32::from(!self.is_empty())
    }

    /// Draws the UI layer, then the debug quads over it, into `pass` (a pass on a target of
    /// `format`).
    pub(crate) fn draw(
        &self,
        device: &wgpu::Device,
        pass: &mut wgpu::RenderPass<'_>,
        format: wgpu::TextureFormat,
    ) {
        self.ui.draw(device, pass, format);
        if self.count == 0 {
            return;
        }
        pass.set_pipeline(&self.pipeline(device, format));
        pass.set_bind_group(0, &self.group, &[]);
        pass.set_vertex_buffer(0, self.quads.slice(..));
        pass.draw(0..4, 0..self.count);
    }

    fn pipeline(&self, device: &wgpu::Device, format: wgpu::TextureFormat) -> wgpu::RenderPipeline {
        let mut cache = self.pipelines.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(format)
            .or_insert_with(|| {
                super::quad_pipeline(
                    device,
                    "overlay pipeline",
                    &self.layout,
                    &self.shader,
                    wgpu::VertexBufferLayout {
                        array_stride: size_of::<GlyphQuad>() as u64,
                        step_mode: wgpu::VertexStepMode::Instance,
                        attributes: &wgpu::vertex_attr_array![
                            0 => Float32x4, 1 => Float32, 2 => Unorm8x4
                        ],
                    },
                    format,
                )
            })
            .clone()
    }
}
