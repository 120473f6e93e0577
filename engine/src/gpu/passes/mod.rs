//! The renderer's passes, one file each, run in the order of [`all`] by the
//! [`FrameGraph`](super::frame_graph::FrameGraph).
//!
//! Adding a pass: a new file here with a struct implementing
//! [`Pass`](super::frame_graph::Pass) (its pipelines, the targets it reads and writes, its
//! `encode`), its `mod` line, and its place in [`all`]. A target no pass has yet is a new
//! [`Target`](super::frame_graph::Target) variant with its description.

use super::environment::EnvironmentViews;
use super::frame_graph::Pass;
use super::renderer::{RendererConfig, Vertex};
use crate::render::GpuInstance;

mod bloom;
mod fxaa;
pub(crate) mod opaque;
pub(crate) mod overlay;
mod shadow;
mod skinned;
mod ssao;
mod tonemap;
mod ui;

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
    /// The image-based lighting maps.
    pub(crate) environment: &'a EnvironmentViews,
    /// The skinned draws' joint blocks (`renderer/skin.rs`).
    pub(crate) skin_buffer: &'a wgpu::Buffer,
}

/// Every pass the settings turn on, in the order they run.
pub(crate) fn all(setup: &PassSetup<'_>) -> Vec<Box<dyn Pass>> {
    let mut passes: Vec<Box<dyn Pass>> = vec![
        Box::new(shadow::ShadowPass::new(setup)),
        Box::new(opaque::OpaquePass::new(setup)),
    ];
    if let Some(settings) = &setup.config.ambient_occlusion {
        passes.push(Box::new(ssao::SsaoPass::new(setup, settings)));
    }
    if let Some(settings) = &setup.config.bloom {
        passes.push(Box::new(bloom::BloomPass::new(setup, settings)));
    }
    let fxaa = fxaa_on(setup.config, setup.samples);
    passes.push(Box::new(tonemap::TonemapPass::new(setup, fxaa)));
    if fxaa {
        passes.push(Box::new(fxaa::FxaaPass::new(setup)));
    }
    passes
}

/// Whether FXAA runs: asked for, and the frame has no MSAA.
pub(crate) fn fxaa_on(config: &RendererConfig, samples: u32) -> bool {
    config.fxaa && samples == 1
}

/// A full-screen pass's shader: `fullscreen.wgsl`'s vertex stage before `fragment_source`.
pub(crate) fn fullscreen_shader(
    device: &wgpu::Device,
    label: &'static str,
    fragment_source: &str,
) -> wgpu::ShaderModule {
    let source = [
        include_str!("../../../../shaders/fullscreen.wgsl"),
        fragment_source,
    ]
    .concat();
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    })
}

/// A pipeline drawing one full-screen triangle with `fragment` of `shader` into a target of
/// `format`, blended with `blend` (replacing when `None`).
pub(crate) fn fullscreen_pipeline(
    device: &wgpu::Device,
    label: &str,
    shader: &wgpu::ShaderModule,
    layout: &wgpu::PipelineLayout,
    fragment: &str,
    format: wgpu::TextureFormat,
    blend: Option<wgpu::BlendState>,
) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module: shader,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[],
        },
        primitive: Default::default(),
        depth_stencil: None,
        multisample: Default::default(),
        fragment: Some(wgpu::FragmentState {
            module: shader,
            entry_point: Some(fragment),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// A linear, clamped sampler: what full-screen passes read their source with.
fn linear_sampler(device: &wgpu::Device, label: &'static str) -> wgpu::Sampler {
    device.create_sampler(&wgpu::SamplerDescriptor {
        label: Some(label),
        mag_filter: wgpu::FilterMode::Linear,
        min_filter: wgpu::FilterMode::Linear,
        ..Default::default()
    })
}

/// The bind group layout of a full-screen pass (fragment stage): its source texture at 0, a
/// filtering sampler at 1, then `rest` (bindings from 2). [`source_group`] fills it.
fn source_layout(
    device: &wgpu::Device,
    label: &'static str,
    rest: &[wgpu::BindGroupLayoutEntry],
) -> wgpu::BindGroupLayout {
    let fragment = wgpu::ShaderStages::FRAGMENT;
    let mut entries = vec![
        texture_entry(0, fragment, FLOAT),
        sampler_entry(1, fragment, wgpu::SamplerBindingType::Filtering),
    ];
    entries.extend_from_slice(rest);
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries: &entries,
    })
}

/// A bind group of a full-screen pass: its source view, the sampler, then `rest` from
/// binding 2.
fn source_group(
    device: &wgpu::Device,
    label: &'static str,
    layout: &wgpu::BindGroupLayout,
    source: &wgpu::TextureView,
    sampler: &wgpu::Sampler,
    rest: &[wgpu::BindingResource<'_>],
) -> wgpu::BindGroup {
    let mut entries = vec![
        wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::TextureView(source),
        },
        wgpu::BindGroupEntry {
            binding: 1,
            resource: wgpu::BindingResource::Sampler(sampler),
        },
    ];
    entries.extend(
        rest.iter()
            .enumerate()
            .map(|(i, resource)| wgpu::BindGroupEntry {
                binding: 2 + i as u32,
                resource: resource.clone(),
            }),
    );
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &entries,
    })
}

/// Records one full-screen draw into `view` (cleared black first with `clear`, else loaded).
fn draw_fullscreen(
    encoder: &mut wgpu::CommandEncoder,
    label: &'static str,
    view: &wgpu::TextureView,
    clear: bool,
    pipeline: &wgpu::RenderPipeline,
    group: &wgpu::BindGroup,
    timestamps: Option<wgpu::RenderPassTimestampWrites<'_>>,
) {
    let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load: if clear {
                    wgpu::LoadOp::Clear(wgpu::Color::BLACK)
                } else {
                    wgpu::LoadOp::Load
                },
                store: wgpu::StoreOp::Store,
            },
        })],
        depth_stencil_attachment: None,
        timestamp_writes: timestamps,
        occlusion_query_set: None,
        multiview_mask: None,
    });
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, group, &[]);
    pass.draw(0..3, 0..1);
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
    view_entry(
        binding,
        visibility,
        sample_type,
        wgpu::TextureViewDimension::D2,
    )
}

/// A texture's bind group layout entry, viewed as `dimension` (a cube map, a 2D array).
pub(crate) fn view_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    sample_type: wgpu::TextureSampleType,
    dimension: wgpu::TextureViewDimension,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Texture {
            sample_type,
            view_dimension: dimension,
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
pub(crate) fn layout(
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

/// A pipeline drawing instanced screen quads (one instance of `quad` each, a 4-vertex triangle
/// strip from `vs_main`) blended over a target of `format`: the debug overlay's and the UI's.
pub(crate) fn quad_pipeline(
    device: &wgpu::Device,
    label: &str,
    group: &wgpu::BindGroupLayout,
    shader: &wgpu::ShaderModule,
    quad: wgpu::VertexBufferLayout<'_>,
    format: wgpu::TextureFormat,
) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(&layout(device, label, group)),
        vertex: wgpu::VertexState {
            module: shader,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[Some(quad)],
        },
        primitive: wgpu::PrimitiveState {
            topology: wgpu::PrimitiveTopology::TriangleStrip,
            ..Default::default()
        },
        depth_stencil: None,
        multisample: Default::default(),
        fragment: Some(wgpu::FragmentState {
            module: shader,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend: Some(wgpu::BlendState::ALPHA_BLENDING),
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// The mesh's vertex stream, with every attribute (`full`) or with position and normal
/// only: the instanced and the skinned pipelines' first buffer.
fn mesh_layout(full: bool) -> wgpu::VertexBufferLayout<'static> {
    wgpu::VertexBufferLayout {
        array_stride: size_of::<Vertex>() as u64,
        step_mode: wgpu::VertexStepMode::Vertex,
        attributes: if full {
            &VERTEX_ATTRIBUTES
        } else {
            &POSITION_NORMAL_ATTRIBUTES
        },
    }
}

/// The vertex and instance buffer layouts, with every vertex attribute (`full`) or with
/// position and normal only.
fn vertex_layouts(full: bool) -> [Option<wgpu::VertexBufferLayout<'static>>; 2] {
    [
        Some(mesh_layout(full)),
        Some(wgpu::VertexBufferLayout {
            array_stride: size_of::<GpuInstance>() as u64,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &INSTANCE_ATTRIBUTES,
        }),
    ]
}
