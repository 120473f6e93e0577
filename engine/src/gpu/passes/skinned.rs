//! Skinned draws inside the opaque and shadow passes: their pipelines (pbr.wgsl's shading
//! with skin.wgsl's vertex stages), the joints' bind group (the renderer's skin buffer, one
//! 12,288-byte block per draw at a dynamic offset) and the draws themselves, one per skinned
//! entity. The vertex buffers: the mesh's `Vertex` stream and a 16-byte skin stream (four
//! u16 joints, four unorm16 weights) only these pipelines read.

use super::{PassSetup, mesh_layout};
use crate::gpu::frame_graph::FrameInputs;
use crate::gpu::renderer::{DEPTH_FORMAT, SKIN_BLOCK_BYTES, SkinVertex};
use crate::render::FrameStats;

const SKIN_ATTRIBUTES: [wgpu::VertexAttribute; 2] =
    wgpu::vertex_attr_array![2 => Uint16x4, 3 => Unorm16x4];

/// The mesh stream (every attribute, or position and normal only) and the skin stream.
fn skinned_layouts(full: bool) -> [Option<wgpu::VertexBufferLayout<'static>>; 2] {
    [
        Some(mesh_layout(full)),
        Some(wgpu::VertexBufferLayout {
            array_stride: size_of::<SkinVertex>() as u64,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: &SKIN_ATTRIBUTES,
        }),
    ]
}

/// The joints' bind group layout (group 2 of the skinned pipelines): one uniform block at a
/// dynamic offset.
fn skin_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("skin joints layout"),
        entries: &[wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::VERTEX,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: true,
                min_binding_size: wgpu::BufferSize::new(SKIN_BLOCK_BYTES),
            },
            count: None,
        }],
    })
}

/// The joints' bind group over the renderer's skin buffer.
fn skin_group(setup: &PassSetup<'_>, layout: &wgpu::BindGroupLayout) -> wgpu::BindGroup {
    setup.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("skin joints"),
        layout,
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: setup.skin_buffer,
                offset: 0,
                size: wgpu::BufferSize::new(SKIN_BLOCK_BYTES),
            }),
        }],
    })
}

/// Skinned draws in the opaque pass.
pub(crate) struct SkinnedOpaque {
    pipeline: wgpu::RenderPipeline,
    group: wgpu::BindGroup,
}

impl SkinnedOpaque {
    /// The skinned PBR pipeline: the opaque pass's bind group layout (`main_layout`), colour
    /// targets and fragment entry point, with the skinned vertex stage.
    pub(crate) fn new(
        setup: &PassSetup<'_>,
        main_layout: &wgpu::BindGroupLayout,
        color_targets: &[Option<wgpu::ColorTargetState>],
        fragment_entry: &str,
    ) -> SkinnedOpaque {
        let device = setup.device;
        let skin = skin_layout(device);
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("skinned pbr pipeline layout"),
            bind_group_layouts: &[Some(main_layout), Some(setup.texture_layout), Some(&skin)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("skinned pbr pipeline"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: setup.pbr,
                entry_point: Some("vs_skinned"),
                compilation_options: Default::default(),
                buffers: &skinned_layouts(true),
            },
            primitive: wgpu::PrimitiveState {
                cull_mode: Some(wgpu::Face::Back),
                ..Default::default()
            },
            depth_stencil: Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(true),
                depth_compare: Some(wgpu::CompareFunction::Less),
                stencil: Default::default(),
                bias: Default::default(),
            }),
            multisample: wgpu::MultisampleState {
                count: setup.samples,
                ..Default::default()
            },
            fragment: Some(wgpu::FragmentState {
                module: setup.pbr,
                entry_point: Some(fragment_entry),
                compilation_options: Default::default(),
                targets: color_targets,
            }),
            multiview_mask: None,
            cache: None,
        });
        SkinnedOpaque {
            pipeline,
            group: skin_group(setup, &skin),
        }
    }

    /// Draws the frame's skinned entities (group 0, the opaque pass's, is bound already).
    pub(crate) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        frame: &FrameInputs<'_>,
        stats: &mut FrameStats,
    ) {
        if frame.skinned.is_empty() {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        for draw in &frame.skinned {
            pass.set_bind_group(1, draw.textures, &[]);
            pass.set_bind_group(2, &self.group, &[draw.offset]);
            pass.set_vertex_buffer(0, draw.mesh.mesh.vertices.slice(..));
            pass.set_vertex_buffer(1, draw.mesh.skin.slice(..));
            pass.set_index_buffer(draw.mesh.mesh.indices.slice(..), draw.mesh.mesh.format);
            pass.draw_indexed(0..draw.mesh.mesh.index_count, 0, 0..1);
            stats.draw_calls += 1;
            stats.instances += 1;
            stats.triangles += u64::from(draw.mesh.mesh.index_count / 3);
        }
    }
}

/// Skinned shadow casters in the shadow pass.
pub(crate) struct SkinnedShadow {
    pipeline: wgpu::RenderPipeline,
    group: wgpu::BindGroup,
    /// Group 1 is unused by the shadow stage: an empty group fills the slot.
    empty: wgpu::BindGroup,
}

impl SkinnedShadow {
    /// The skinned depth-only pipeline, with the shadow pass's bind group layout
    /// (`shadow_layout`) and its depth bias.
    pub(crate) fn new(
        setup: &PassSetup<'_>,
        shadow_layout: &wgpu::BindGroupLayout,
        bias: wgpu::DepthBiasState,
    ) -> SkinnedShadow {
        let device = setup.device;
        let skin = skin_layout(device);
        let empty_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("empty layout"),
            entries: &[],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("skinned shadow pipeline layout"),
            bind_group_layouts: &[Some(shadow_layout), Some(&empty_layout), Some(&skin)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("skinned shadow pipeline"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: setup.pbr,
                entry_point: Some("vs_skinned_shadow"),
                compilation_options: Default::default(),
                buffers: &skinned_layouts(false),
            },
            primitive: wgpu::PrimitiveState {
                cull_mode: Some(wgpu::Face::Back),
                ..Default::default()
            },
            depth_stencil: Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(true),
                depth_compare: Some(wgpu::CompareFunction::LessEqual),
                stencil: Default::default(),
                bias,
            }),
            multisample: Default::default(),
            fragment: None,
            multiview_mask: None,
            cache: None,
        });
        let empty = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("empty group"),
            layout: &empty_layout,
            entries: &[],
        });
        SkinnedShadow {
            pipeline,
            group: skin_group(setup, &skin),
            empty,
        }
    }

    /// Draws the skinned shadow casters into the cascade being recorded: `shadow_group` and
    /// `cascade_offset` are the shadow pass's own group 0 and its cascade's dynamic offset.
    pub(crate) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        frame: &FrameInputs<'_>,
        shadow_group: &wgpu::BindGroup,
        cascade_offset: wgpu::DynamicOffset,
        stats: &mut FrameStats,
    ) {
        let mut casters = frame.skinned.iter().filter(|d| d.casts_shadows).peekable();
        if casters.peek().is_none() {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, shadow_group, &[cascade_offset]);
        pass.set_bind_group(1, &self.empty, &[]);
        for draw in casters {
            pass.set_bind_group(2, &self.group, &[draw.offset]);
            pass.set_vertex_buffer(0, draw.mesh.mesh.vertices.slice(..));
            pass.set_vertex_buffer(1, draw.mesh.skin.slice(..));
            pass.set_index_buffer(draw.mesh.mesh.indices.slice(..), draw.mesh.mesh.format);
            pass.draw_indexed(0..draw.mesh.mesh.index_count, 0, 0..1);
            stats.draw_calls += 1;
        }
    }
}
