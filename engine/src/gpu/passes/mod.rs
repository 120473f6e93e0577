//! The renderer's passes, one file each, run in the order of [`all`] by the
//! [`FrameGraph`](super::frame_graph::FrameGraph).
//!
//! Adding a pass: a new file here with a struct implementing
//! [`Pass`](super::frame_graph::Pass) (its pipelines, the targets it reads and writes, its
//! `encode`), its `mod` line, and its place in [`all`]. A target no pass has yet is a new
//! [`Target`](super::frame_graph::Target) variant with its description.

use super::frame_graph::Pass;
use super::renderer::{RendererConfig, Vertex};
use crate::render::GpuInstance;

pub(crate) mod opaque;
pub(crate) mod overlay;
mod shadow;
mod tonemap;

/// What the passes are made from: the device, the settings and the buffers the renderer
/// writes each frame.
pub(crate) struct PassSetup<'a> {
    pub(crate) device: &'a wgpu::Device,
    pub(crate) config: &'a RendererConfig,
    /// MSAA samples of the camera's targets.
    pub(crate) samples: u32,
    /// `pbr.wgsl`, shared by the shadow and opaque passes.
    pub(crate) pbr: &'a wgpu::ShaderModule,
    /// The frame uniform (cameras, lights).
    pub(crate) frame_buffer: &'a wgpu::Buffer,
    /// The material table.
    pub(crate) material_buffer: &'a wgpu::Buffer,
    /// The layout of a texture set's bind group.
    pub(crate) texture_layout: &'a wgpu::BindGroupLayout,
}

/// Every pass, in the order they run.
pub(crate) fn all(setup: &PassSetup<'_>) -> Vec<Box<dyn Pass>> {
    vec![
        Box::new(shadow::ShadowPass::new(setup)),
        Box::new(opaque::OpaquePass::new(setup)),
        Box::new(tonemap::TonemapPass::new(setup)),
    ]
}

/// A uniform buffer's bind group layout entry.
pub(crate) fn uniform_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A 2D texture's bind group layout entry, of `sample_type` (filterable float for colour,
/// depth for the shadow map).
pub(crate) fn texture_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    sample_type: wgpu::TextureSampleType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Texture {
            sample_type,
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}

/// A filterable float texture: what colour maps and render targets are sampled as.
pub(crate) const FLOAT: wgpu::TextureSampleType =
    wgpu::TextureSampleType::Float { filterable: true };

/// A sampler's bind group layout entry.
pub(crate) fn sampler_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    kind: wgpu::SamplerBindingType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Sampler(kind),
        count: None,
    }
}

/// A pipeline layout of one bind group.
fn layout(
    device: &wgpu::Device,
    label: &str,
    group: &wgpu::BindGroupLayout,
) -> wgpu::PipelineLayout {
    device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &[Some(group)],
        immediate_size: 0,
    })
}

const VERTEX_ATTRIBUTES: [wgpu::VertexAttribute; 2] =
    wgpu::vertex_attr_array![0 => Uint32x4, 1 => Uint32x4];
/// Position and normal only: the first of the two vertex attributes.
const POSITION_NORMAL_ATTRIBUTES: [wgpu::VertexAttribute; 1] =
    wgpu::vertex_attr_array![0 => Uint32x4];
/// The 20-byte instance in two attributes: position bits and rotation; scale and material.
const INSTANCE_ATTRIBUTES: [wgpu::VertexAttribute; 2] =
    wgpu::vertex_attr_array![4 => Uint32x4, 5 => Uint32];

/// The vertex and instance buffer layouts, with every vertex attribute (`full`) or with
/// position and normal only.
fn vertex_layouts(full: bool) -> [Option<wgpu::VertexBufferLayout<'static>>; 2] {
    [
        Some(wgpu::VertexBufferLayout {
            array_stride: size_of::<Vertex>() as u64,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: if full {
                &VERTEX_ATTRIBUTES
            } else {
                &POSITION_NORMAL_ATTRIBUTES
            },
        }),
        Some(wgpu::VertexBufferLayout {
            array_stride: size_of::<GpuInstance>() as u64,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &INSTANCE_ATTRIBUTES,
        }),
    ]
}
