//! The bloom pass: the HDR image downsampled into the chain [`Target::Bloom`] (13-tap filter,
//! a Karis average and the optional threshold on the first step), then upsampled back up the
//! chain with a tent filter, each level added into the one above it. Reads [`Target::Hdr`];
//! writes every level, leaving in level 0 the sum of all the levels' blurs, which the tonemap
//! pass mixes into the image. Plain render passes with separate textures per level: no compute,
//! and no level read while another level of the same texture is drawn (WebGL2 forbids that).

use super::{
    PassSetup, draw_fullscreen, fullscreen_pipeline, fullscreen_shader, layout, linear_sampler,
    source_group, uniform_entry,
};
use crate::gpu::frame_graph::{Access, BLOOM_LEVELS, Pass, PassContext, Target, Targets};
use crate::gpu::renderer::{Bloom, HDR_FORMAT};
use crate::render::FrameStats;

/// The three pipelines, the parameters, and a bind group per step (made by `bind`).
pub(crate) struct BloomPass {
    access: Access,
    group_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    params: wgpu::Buffer,
    downsample_first: wgpu::RenderPipeline,
    downsample: wgpu::RenderPipeline,
    upsample: wgpu::RenderPipeline,
    /// Reading the level above each level (the HDR image for level 0).
    down_groups: Vec<wgpu::BindGroup>,
    /// Reading the level below each level but the last.
    up_groups: Vec<wgpu::BindGroup>,
}

impl BloomPass {
    pub(crate) fn new(setup: &PassSetup<'_>, settings: &Bloom) -> BloomPass {
        let device = setup.device;
        let shader = fullscreen_shader(
            device,
            "bloom.wgsl",
            include_str!("../../../../shaders/bloom.wgsl"),
        );
        let group_layout = super::source_layout(
            device,
            "bloom bind group layout",
            &[uniform_entry(2, wgpu::ShaderStages::FRAGMENT)],
        );
        let params: [f32; 4] = [
            settings.threshold.max(0.0),
            settings.knee.clamp(0.0, 1.0),
            settings.radius.max(0.0),
            0.0,
        ];
        let params = wgpu::util::DeviceExt::create_buffer_init(
            device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("bloom params"),
                contents: bytemuck::bytes_of(&params),
                usage: wgpu::BufferUsages::UNIFORM,
            },
        );
        let pipeline = |fragment, blend| {
            fullscreen_pipeline(
                device,
                "bloom pipeline",
                &shader,
                &layout(device, "bloom pipeline layout", &group_layout),
                fragment,
                HDR_FORMAT,
                blend,
            )
        };
        let add = wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::One,
            dst_factor: wgpu::BlendFactor::One,
            operation: wgpu::BlendOperation::Add,
        };
        let levels = (0..BLOOM_LEVELS).map(Target::Bloom);
        BloomPass {
            access: Access {
                reads: std::iter::once(Target::Hdr)
                    .chain(levels.clone().skip(1))
                    .collect(),
                writes: levels.collect(),
            },
            downsample_first: pipeline("fs_downsample_first", None),
            downsample: pipeline("fs_downsample", None),
            upsample: pipeline(
                "fs_upsample",
                Some(wgpu::BlendState {
                    color: add,
                    alpha: add,
                }),
            ),
            sampler: linear_sampler(device, "bloom sampler"),
            group_layout,
            params,
            down_groups: Vec::new(),
            up_groups: Vec::new(),
        }
    }
}

impl Pass for BloomPass {
    fn name(&self) -> &'static str {
        "bloom pass"
    }

    fn access(&self) -> &Access {
        &self.access
    }

    fn bind(&mut self, device: &wgpu::Device, targets: &Targets) {
        let group = |label, source: Target| {
            source_group(
                device,
                label,
                &self.group_layout,
                targets.view(source),
                &self.sampler,
                &[self.params.as_entire_binding()],
            )
        };
        self.down_groups = (0..BLOOM_LEVELS)
            .map(|level| match level {
                0 => group("bloom downsample bind group", Target::Hdr),
                _ => group("bloom downsample bind group", Target::Bloom(level - 1)),
            })
            .collect();
        self.up_groups = (0..BLOOM_LEVELS - 1)
            .map(|level| group("bloom upsample bind group", Target::Bloom(level + 1)))
            .collect();
    }

    fn encode(
        &self,
        ctx: PassContext<'_>,
        encoder: &mut wgpu::CommandEncoder,
        stats: &mut FrameStats,
    ) {
        // The graph's timestamps (bloom is never first or last, but stays correct if it
        // were): the start on the first step, the end on the last.
        let (mut start, mut end) = (None, None);
        if let Some(writes) = &ctx.timestamps {
            let only = |beginning: Option<u32>, end: Option<u32>| {
                (beginning.is_some() || end.is_some()).then_some(wgpu::RenderPassTimestampWrites {
                    query_set: writes.query_set,
                    beginning_of_pass_write_index: beginning,
                    end_of_pass_write_index: end,
                })
            };
            start = only(writes.beginning_of_pass_write_index, None);
            end = only(None, writes.end_of_pass_write_index);
        }
        for level in 0..BLOOM_LEVELS {
            let pipeline = match level {
                0 => &self.downsample_first,
                _ => &self.downsample,
            };
            draw_fullscreen(
                encoder,
                "bloom downsample",
                ctx.view(Target::Bloom(level)),
                true,
                pipeline,
                &self.down_groups[usize::from(level)],
                start.take(),
            );
        }
        for level in (0..BLOOM_LEVELS - 1).rev() {
            draw_fullscreen(
                encoder,
                "bloom upsample",
                ctx.view(Target::Bloom(level)),
                false,
                &self.upsample,
                &self.up_groups[usize::from(level)],
                if level == 0 { end.take() } else { None },
            );
        }
        stats.draw_calls += u32::from(BLOOM_LEVELS) * 2 - 1;
    }
}
