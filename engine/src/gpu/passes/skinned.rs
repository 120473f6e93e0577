//! Skinned draws inside the opaque and shadow passes: their pipelines (pbr.wgsl's shading
//! with skin.wgsl's vertex stages), the joints' bind group (the renderer's skin buffer, one
//! 12,288-byte block per draw at a dynamic offset) and the draws themselves, one per skinned
//! entity. The vertex buffers: the mesh's `Vertex` stream and a 16-byte skin stream (four
//! u16 joints, four unorm16 weights) only these pipelines read. Each draw is drawn as its
//! material's [`Surface`], like the instanced batches: a pipeline per surface, made the first
//! time a frame draws one (culling, alpha test, blending as `opaque.rs` sets them), and in
//! the shadow pass masked casters test their alpha and blended ones cast nothing.

use std::sync::OnceLock;

use super::opaque::{PipelineSource, VertexStage};
use super::{PassSetup, mesh_layout};
use crate::gpu::frame_graph::{FrameInputs, SkinnedGpuDraw};
use crate::gpu::renderer::{DEPTH_FORMAT, SKIN_BLOCK_BYTES, SkinVertex};
use crate::render::{AlphaMode, FrameStats, Surface};

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
    layout: wgpu::PipelineLayout,
    /// By [`Surface::index`]; made on first use.
    pipelines: [OnceLock<wgpu::RenderPipeline>; Surface::COUNT],
    group: wgpu::BindGroup,
}

impl SkinnedOpaque {
    /// The skinned PBR pipelines: the opaque pass's bind group layout (`main_layout`) and
    /// pipeline state (`source`), with the skinned vertex stage. The opaque surface's is made
    /// now, so the first frame with a character does not wait for it.
    pub(crate) fn new(
        setup: &PassSetup<'_>,
        main_layout: &wgpu::BindGroupLayout,
        source: &PipelineSource,
    ) -> SkinnedOpaque {
        let device = setup.device;
        let skin = skin_layout(device);
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("skinned pbr pipeline layout"),
            bind_group_layouts: &[Some(main_layout), Some(setup.texture_layout), Some(&skin)],
            immediate_size: 0,
        });
        let skinned = SkinnedOpaque {
            layout,
            pipelines: Default::default(),
            group: skin_group(setup, &skin),
        };
        let _ = skinned.pipeline(source, Surface::OPAQUE);
        skinned
    }

    /// The pipeline of a surface, made the first time one is drawn.
    fn pipeline(&self, source: &PipelineSource, surface: Surface) -> &wgpu::RenderPipeline {
        self.pipelines[surface.index()].get_or_init(|| {
            source.pipeline_with(
                &VertexStage {
                    label: "skinned pbr pipeline",
                    layout: &self.layout,
                    entry_point: "vs_skinned",
                    buffers: &skinned_layouts(true),
                },
                surface,
            )
        })
    }

    /// Draws `draws` (group 0, the opaque pass's, is bound already), each with its surface's
    /// pipeline made from `source`.
    pub(crate) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        draws: &[SkinnedGpuDraw<'_>],
        source: &PipelineSource,
        stats: &mut FrameStats,
    ) {
        let mut bound = None;
        for draw in draws {
            if bound != Some(draw.surface) {
                pass.set_pipeline(self.pipeline(source, draw.surface));
                bound = Some(draw.surface);
            }
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
    device: wgpu::Device,
    shader: wgpu::ShaderModule,
    bias: wgpu::DepthBiasState,
    /// Opaque casters' layout: group 1 is unused, an empty group fills the slot.
    plain: wgpu::PipelineLayout,
    /// Masked casters' layout: group 1 is the texture set (the base colour's alpha).
    masked: wgpu::PipelineLayout,
    /// By [`Surface::index`] (blended ones unused); made on first use.
    pipelines: [OnceLock<wgpu::RenderPipeline>; Surface::COUNT],
    group: wgpu::BindGroup,
    empty: wgpu::BindGroup,
}

impl SkinnedShadow {
    /// The skinned depth pipelines, with the shadow pass's bind group layout
    /// (`shadow_layout`) and its depth bias. The opaque surface's is made now.
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
        let pipeline_layout = |label, group_1| {
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(shadow_layout), Some(group_1), Some(&skin)],
                immediate_size: 0,
            })
        };
        let empty = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("empty group"),
            layout: &empty_layout,
            entries: &[],
        });
        let shadow = SkinnedShadow {
            device: device.clone(),
            shader: setup.pbr.clone(),
            bias,
            plain: pipeline_layout("skinned shadow pipeline layout", &empty_layout),
            masked: pipeline_layout(
                "masked skinned shadow pipeline layout",
                setup.texture_layout,
            ),
            pipelines: Default::default(),
            group: skin_group(setup, &skin),
            empty,
        };
        let _ = shadow.pipeline(Surface::OPAQUE);
        shadow
    }

    /// A caster's pipeline: without culling when double-sided, testing the base colour's
    /// alpha (`fs_shadow_masked`, as instanced masked casters do) when masked.
    fn pipeline(&self, surface: Surface) -> &wgpu::RenderPipeline {
        self.pipelines[surface.index()].get_or_init(|| {
            let mask = surface.alpha_mode() == AlphaMode::Mask;
            let fragment = mask.then(|| wgpu::FragmentState {
                module: &self.shader,
                entry_point: Some("fs_shadow_masked"),
                compilation_options: Default::default(),
                targets: &[],
            });
            self.device
                .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some("skinned shadow pipeline"),
                    layout: Some(if mask { &self.masked } else { &self.plain }),
                    vertex: wgpu::VertexState {
                        module: &self.shader,
                        entry_point: Some(if mask {
                            "vs_skinned_shadow_masked"
                        } else {
                            "vs_skinned_shadow"
                        }),
                        compilation_options: Default::default(),
                        // Masked casters read the UV (the second attribute) too.
                        buffers: &skinned_layouts(mask),
                    },
                    primitive: wgpu::PrimitiveState {
                        cull_mode: (!surface.double_sided()).then_some(wgpu::Face::Back),
                        ..Default::default()
                    },
                    depth_stencil: Some(wgpu::DepthStencilState {
                        format: DEPTH_FORMAT,
                        depth_write_enabled: Some(true),
                        depth_compare: Some(wgpu::CompareFunction::LessEqual),
                        stencil: Default::default(),
                        bias: self.bias,
                    }),
                    multisample: Default::default(),
                    fragment,
                    multiview_mask: None,
                    cache: None,
                })
        })
    }

    /// Draws the skinned shadow casters (blended ones cast none) into the cascade being
    /// recorded: `shadow_group` and `cascade_offset` are the shadow pass's own group 0 and its
    /// cascade's dynamic offset.
    pub(crate) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        frame: &FrameInputs<'_>,
        shadow_group: &wgpu::BindGroup,
        cascade_offset: wgpu::DynamicOffset,
        stats: &mut FrameStats,
    ) {
        let casters = frame
            .skinned
            .iter()
            .filter(|d| d.casts_shadows && !d.surface.is_blended());
        let mut bound = None;
        for draw in casters {
            if bound.is_none() {
                pass.set_bind_group(0, shadow_group, &[cascade_offset]);
            }
            if bound != Some(draw.surface) {
                pass.set_pipeline(self.pipeline(draw.surface));
                bound = Some(draw.surface);
            }
            if draw.surface.alpha_mode() == AlphaMode::Mask {
                pass.set_bind_group(1, draw.textures, &[]);
            } else {
                pass.set_bind_group(1, &self.empty, &[]);
            }
            pass.set_bind_group(2, &self.group, &[draw.offset]);
            pass.set_vertex_buffer(0, draw.mesh.mesh.vertices.slice(..));
            pass.set_vertex_buffer(1, draw.mesh.skin.slice(..));
            pass.set_index_buffer(draw.mesh.mesh.indices.slice(..), draw.mesh.mesh.format);
            pass.draw_indexed(0..draw.mesh.mesh.index_count, 0, 0..1);
            stats.draw_calls += 1;
        }
    }
}
