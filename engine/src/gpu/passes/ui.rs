//! The UI pass: [`UiQuad`]s (text from the [`GlyphAtlas`], solid boxes) drawn with alpha
//! blending over the finished frame, in the overlay's pass and before the debug text. One R8
//! atlas re-uploaded when its revision changes and instanced quads from a vertex buffer:
//! nothing WebGL2 lacks.

use std::collections::HashMap;
use std::sync::Mutex;

use glam::UVec2;

use super::{FLOAT, sampler_entry, texture_entry, uniform_entry};
use crate::gpu::GpuContext;
use crate::text::{GlyphAtlas, UiQuad};

/// The atlas texture as last uploaded.
struct AtlasTexture {
    group: wgpu::BindGroup,
    size: UVec2,
    revision: u64,
}

/// The glyph atlas on the GPU, the quads of the current UI and a pipeline per target format.
pub(crate) struct UiPass {
    layout: wgpu::BindGroupLayout,
    shader: wgpu::ShaderModule,
    sampler: wgpu::Sampler,
    params: wgpu::Buffer,
    resolution: UVec2,
    atlas: Option<AtlasTexture>,
    quads: wgpu::Buffer,
    count: u32,
    pipelines: Mutex<HashMap<wgpu::TextureFormat, wgpu::RenderPipeline>>,
}

impl UiPass {
    pub(crate) fn new(gpu: &GpuContext, resolution: UVec2) -> UiPass {
        let device = &gpu.device;
        // Nearest: glyphs are drawn at whole pixels, at their rasterised size.
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("ui atlas sampler"),
            ..Default::default()
        });
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("ui params"),
            size: 16,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("ui bind group layout"),
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
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("ui.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../../../shaders/ui.wgsl").into()),
        });
        UiPass {
            layout,
            shader,
            sampler,
            params,
            resolution,
            atlas: None,
            quads: Self::quad_buffer(device, 256),
            count: 0,
            pipelines: Mutex::new(HashMap::new()),
        }
    }

    fn quad_buffer(device: &wgpu::Device, quads: usize) -> wgpu::Buffer {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("ui quads"),
            size: (quads * size_of::<UiQuad>()) as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// The internal resolution the quads' pixels are in.
    pub(crate) fn resize(&mut self, gpu: &GpuContext, resolution: UVec2) {
        self.resolution = resolution;
        self.write_params(gpu);
    }

    fn write_params(&self, gpu: &GpuContext) {
        let atlas = self.atlas.as_ref().map_or(UVec2::ONE, |a| a.size);
        let params = [
            self.resolution.x as f32,
            self.resolution.y as f32,
            atlas.x as f32,
            atlas.y as f32,
        ];
        gpu.queue
            .write_buffer(&self.params, 0, bytemuck::cast_slice(&params));
    }

    /// Replaces the UI's quads (none hides it), uploading `atlas` if it changed since the last
    /// call.
    pub(crate) fn set(&mut self, gpu: &GpuContext, atlas: &GlyphAtlas, quads: &[UiQuad]) {
        self.upload_atlas(gpu, atlas);
        let capacity = self.quads.size() as usize / size_of::<UiQuad>();
        if quads.len() > capacity {
            self.quads = Self::quad_buffer(&gpu.device, quads.len().next_power_of_two());
        }
        if !quads.is_empty() {
            gpu.queue
                .write_buffer(&self.quads, 0, bytemuck::cast_slice(quads));
        }
        self.count = quads.len() as u32;
    }

    fn upload_atlas(&mut self, gpu: &GpuContext, atlas: &GlyphAtlas) {
        let size = UVec2::new(atlas.width(), atlas.height());
        if self
            .atlas
            .as_ref()
            .is_some_and(|a| a.revision == atlas.revision() && a.size == size)
        {
            return;
        }
        let device = &gpu.device;
        let extent = wgpu::Extent3d {
            width: size.x,
            height: size.y,
            depth_or_array_layers: 1,
        };
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("ui glyph atlas"),
            size: extent,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::R8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        gpu.queue.write_texture(
            texture.as_image_copy(),
            atlas.pixels(),
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(size.x),
                rows_per_image: Some(size.y),
            },
            extent,
        );
        let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("ui bind group"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(
                        &texture.create_view(&Default::default()),
                    ),
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
        });
        self.atlas = Some(AtlasTexture {
            group,
            size,
            revision: atlas.revision(),
        });
        self.write_params(gpu);
    }

    /// Whether there is anything to draw.
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0 || self.atlas.is_none()
    }

    /// Draws the quads into `pass` (a pass on a target of `format`).
    pub(crate) fn draw(
        &self,
        device: &wgpu::Device,
        pass: &mut wgpu::RenderPass<'_>,
        format: wgpu::TextureFormat,
    ) {
        let Some(atlas) = &self.atlas else {
            return;
        };
        if self.count == 0 {
            return;
        }
        pass.set_pipeline(&self.pipeline(device, format));
        pass.set_bind_group(0, &atlas.group, &[]);
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
                    "ui pipeline",
                    &self.layout,
                    &self.shader,
                    wgpu::VertexBufferLayout {
                        array_stride: size_of::<UiQuad>() as u64,
                        step_mode: wgpu::VertexStepMode::Instance,
                        attributes: &wgpu::vertex_attr_array![
                            0 => Float32x4, 1 => Float32x4, 2 => Unorm8x4
                        ],
                    },
                    format,
                )
            })
            .clone()
    }
}
