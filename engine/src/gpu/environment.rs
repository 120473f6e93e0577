//! The environment image-based lighting reads: the procedural sky (`shaders/sky.wgsl`, from
//! the frame's two ambient colours) baked into a cube map, its diffuse irradiance, its GGX
//! prefiltered specular mip chain, and the split sum's BRDF lookup table. Rendered with
//! render passes (WebGL2 has no compute): the table once, the maps again whenever the colours
//! change (a frame with the same colours costs nothing).

use glam::Vec3;

use super::passes::{
    fullscreen_pipeline, fullscreen_shader, layout, sampler_entry, uniform_entry, view_entry,
};
use super::renderer::HDR_FORMAT;

/// The sky cube's edge (the source the maps are filtered from).
const SKY_EDGE: u32 = 64;
/// The irradiance cube's edge (diffuse light varies slowly).
const IRRADIANCE_EDGE: u32 = 16;
/// The specular cube's edge at mip 0 (roughness 0).
const SPECULAR_EDGE: u32 = 64;
/// Specular mips, roughness 0 to 1 in even steps.
pub(crate) const SPECULAR_MIPS: u32 = 5;
/// The BRDF table's edge.
const LUT_EDGE: u32 = 64;
/// Uniform slots: one per draw (dynamic offsets, 256-byte aligned as every backend needs).
const SLOT: u64 = 256;

/// What the opaque pass binds: the three maps and their sampler.
pub(crate) struct EnvironmentViews {
    /// Irradiance cube (radiance-weighted by cosine, over pi).
    pub(crate) irradiance: wgpu::TextureView,
    /// Specular cube, roughness by mip.
    pub(crate) specular: wgpu::TextureView,
    /// The split sum's scale and bias of F0, by (n.v, roughness).
    pub(crate) brdf_lut: wgpu::TextureView,
    /// Trilinear, clamped.
    pub(crate) sampler: wgpu::Sampler,
}

/// The maps, and the pipelines that render them.
pub(crate) struct Environment {
    views: EnvironmentViews,
    sky: wgpu::Texture,
    irradiance: wgpu::Texture,
    specular: wgpu::Texture,
    colors: wgpu::Buffer,
    step_group: wgpu::BindGroup,
    source_group: wgpu::BindGroup,
    sky_pipeline: wgpu::RenderPipeline,
    irradiance_pipeline: wgpu::RenderPipeline,
    specular_pipeline: wgpu::RenderPipeline,
    /// The colours the maps hold (`None` before the first bake).
    baked: Option<(Vec3, Vec3)>,
}

fn cube(device: &wgpu::Device, label: &'static str, edge: u32, mips: u32) -> wgpu::Texture {
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d {
            width: edge,
            height: edge,
            depth_or_array_layers: 6,
        },
        mip_level_count: mips,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: HDR_FORMAT,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        view_formats: &[],
    })
}

fn cube_view(texture: &wgpu::Texture) -> wgpu::TextureView {
    texture.create_view(&wgpu::TextureViewDescriptor {
        dimension: Some(wgpu::TextureViewDimension::Cube),
        ..Default::default()
    })
}

/// One face of one mip, to render into.
fn face_view(texture: &wgpu::Texture, face: u32, mip: u32) -> wgpu::TextureView {
    texture.create_view(&wgpu::TextureViewDescriptor {
        dimension: Some(wgpu::TextureViewDimension::D2),
        base_array_layer: face,
        array_layer_count: Some(1),
        base_mip_level: mip,
        mip_level_count: Some(1),
        ..Default::default()
    })
}

/// The offset of a draw's face and roughness: sky faces 0..6, irradiance 6..12, then the
/// specular mips' faces.
fn slot(index: u32) -> wgpu::DynamicOffset {
    (u64::from(index) * SLOT) as wgpu::DynamicOffset
}

impl Environment {
    /// Makes the maps and renders the BRDF table (once: it depends on nothing).
    pub(crate) fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Environment {
        let shader = fullscreen_shader(
            device,
            "environment.wgsl",
            &[
                include_str!("../../../shaders/sky.wgsl"),
                include_str!("../../../shaders/environment.wgsl"),
            ]
            .concat(),
        );
        let step_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("environment step layout"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: true,
                        min_binding_size: wgpu::BufferSize::new(16),
                    },
                    count: None,
                },
                uniform_entry(1, wgpu::ShaderStages::FRAGMENT),
            ],
        });
        let source_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("environment source layout"),
            entries: &[
                view_entry(
                    0,
                    wgpu::ShaderStages::FRAGMENT,
                    wgpu::TextureSampleType::Float { filterable: true },
                    wgpu::TextureViewDimension::Cube,
                ),
                sampler_entry(
                    1,
                    wgpu::ShaderStages::FRAGMENT,
                    wgpu::SamplerBindingType::Filtering,
                ),
            ],
        });
        // The sky and the table read no source (the sky cube is what the sky step draws).
        let own = layout(device, "environment pipeline layout", &step_layout);
        let filtering = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("environment filtering pipeline layout"),
            bind_group_layouts: &[Some(&step_layout), Some(&source_layout)],
            immediate_size: 0,
        });
        let pipeline = |fragment, layout| {
            fullscreen_pipeline(
                device,
                "environment pipeline",
                &shader,
                layout,
                fragment,
                HDR_FORMAT,
                None,
            )
        };
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("environment sampler"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            mipmap_filter: wgpu::MipmapFilterMode::Linear,
            ..Default::default()
        });
        let sky = cube(device, "sky cube", SKY_EDGE, 1);
        let irradiance = cube(device, "irradiance cube", IRRADIANCE_EDGE, 1);
        let specular = cube(device, "specular cube", SPECULAR_EDGE, SPECULAR_MIPS);
        // Every draw's face and roughness, written once.
        let mut steps = Vec::new();
        let mut push = |face: u32, roughness: f32| {
            let mut bytes = [0u8; SLOT as usize];
            bytes[..8].copy_from_slice(bytemuck::cast_slice(&[face as f32, roughness]));
            steps.extend_from_slice(&bytes);
        };
        for face in 0..12 {
            push(face % 6, 0.0);
        }
        for mip in 0..SPECULAR_MIPS {
            for face in 0..6 {
                push(face, mip as f32 / (SPECULAR_MIPS - 1) as f32);
            }
        }
        let steps = wgpu::util::DeviceExt::create_buffer_init(
            device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("environment steps"),
                contents: &steps,
                usage: wgpu::BufferUsages::UNIFORM,
            },
        );
        let colors = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("environment colours"),
            size: 32,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let step_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("environment step group"),
            layout: &step_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &steps,
                        offset: 0,
                        size: wgpu::BufferSize::new(16),
                    }),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: colors.as_entire_binding(),
                },
            ],
        });
        let source_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("environment source group"),
            layout: &source_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&cube_view(&sky)),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&sampler),
                },
            ],
        });
        let lut = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("brdf lut"),
            size: wgpu::Extent3d {
                width: LUT_EDGE,
                height: LUT_EDGE,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: HDR_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let brdf_lut = lut.create_view(&Default::default());
        // The table depends on nothing: rendered now, once.
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("brdf lut"),
        });
        let lut_pipeline = pipeline("fs_brdf_lut", &own);
        draw(&mut encoder, &brdf_lut, &lut_pipeline, &step_group, 0, None);
        queue.submit([encoder.finish()]);
        Environment {
            views: EnvironmentViews {
                irradiance: cube_view(&irradiance),
                specular: cube_view(&specular),
                brdf_lut,
                sampler,
            },
            sky_pipeline: pipeline("fs_sky", &own),
            irradiance_pipeline: pipeline("fs_irradiance", &filtering),
            specular_pipeline: pipeline("fs_specular", &filtering),
            sky,
            irradiance,
            specular,
            colors,
            step_group,
            source_group,
            baked: None,
        }
    }

    /// The maps, for binding.
    pub(crate) fn views(&self) -> &EnvironmentViews {
        &self.views
    }

    /// Re-renders the maps into `encoder` when the sky's colours differ from those baked;
    /// returns whether it did.
    pub(crate) fn update(
        &mut self,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        sky: Vec3,
        ground: Vec3,
    ) -> bool {
        if self.baked == Some((sky, ground)) {
            return false;
        }
        let colors = [sky.extend(1.0).to_array(), ground.extend(1.0).to_array()];
        queue.write_buffer(&self.colors, 0, bytemuck::cast_slice(&colors));
        for face in 0..6 {
            draw(
                encoder,
                &face_view(&self.sky, face, 0),
                &self.sky_pipeline,
                &self.step_group,
                slot(face),
                None,
            );
        }
        for face in 0..6 {
            draw(
                encoder,
                &face_view(&self.irradiance, face, 0),
                &self.irradiance_pipeline,
                &self.step_group,
                slot(6 + face),
                Some(&self.source_group),
            );
        }
        for mip in 0..SPECULAR_MIPS {
            for face in 0..6 {
                draw(
                    encoder,
                    &face_view(&self.specular, face, mip),
                    &self.specular_pipeline,
                    &self.step_group,
                    slot(12 + mip * 6 + face),
                    Some(&self.source_group),
                );
            }
        }
        self.baked = Some((sky, ground));
        true
    }
}

/// One full-screen draw of a bake step into `view`.
fn draw(
    encoder: &mut wgpu::CommandEncoder,
    view: &wgpu::TextureView,
    pipeline: &wgpu::RenderPipeline,
    steps: &wgpu::BindGroup,
    offset: wgpu::DynamicOffset,
    source: Option<&wgpu::BindGroup>,
) {
    let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some("environment bake"),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                store: wgpu::StoreOp::Store,
            },
        })],
        depth_stencil_attachment: None,
        timestamp_writes: None,
        occlusion_query_set: None,
        multiview_mask: None,
    });
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, steps, &[offset]);
    if let Some(source) = source {
        pass.set_bind_group(1, source, &[]);
    }
    pass.draw(0..3, 0..1);
}
