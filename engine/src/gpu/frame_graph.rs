//! The frame graph: the renderer's passes in order, each declaring the targets it reads and
//! writes ([`Access`]), and the intermediate targets they need, allocated from those
//! declarations, recreated on resize, and shared between targets whose lifetimes in the frame
//! do not overlap.
//!
//! A frame runs in two parts: the scene (every pass before the output) and the output (the
//! passes that write [`Target::Output`]: the headless image, or a window's surface at the
//! present, a second submission). The GPU timer's frame starts at the first pass of the graph
//! and ends with the last.

use glam::UVec2;

use super::passes::overlay::OverlayPass;
use super::renderer::{GpuMesh, GpuSkinnedMesh, OUTPUT_FORMAT};
use super::timer::GpuTimer;
use super::{GpuContext, GpuError};
use crate::render::{FrameStats, Surface};

mod targets;

use targets::allocate;
pub(crate) use targets::{Access, BLOOM_LEVELS, Target, TargetSettings, Targets};

/// One pass of the frame: its pipelines and bind groups, what it reads and writes, and how it
/// records itself.
pub(crate) trait Pass {
    /// The pass's label (GPU debuggers show it).
    fn name(&self) -> &'static str;
    /// The targets it reads and writes; the graph allocates them from this.
    fn access(&self) -> &Access;
    /// Rebuilds whatever binds the targets (bind groups); called after every allocation.
    fn bind(&mut self, _device: &wgpu::Device, _targets: &Targets) {}
    /// Records the pass into `encoder`, counting its draws into `stats`.
    fn encode(
        &self,
        ctx: PassContext<'_>,
        encoder: &mut wgpu::CommandEncoder,
        stats: &mut FrameStats,
    );
}

/// A draw of one batch's instances (the camera's, or the shadow casters').
pub(crate) struct Draw<'a> {
    pub(crate) mesh: &'a GpuMesh,
    pub(crate) textures: &'a wgpu::BindGroup,
    pub(crate) instances: std::ops::Range<u32>,
    pub(crate) textured: bool,
    /// Picks the pipeline: culling, alpha test, blending.
    pub(crate) surface: Surface,
}

/// A skinned entity's draw: its mesh, texture set, surface and its joints' block in the skin
/// buffer.
pub(crate) struct SkinnedGpuDraw<'a> {
    pub(crate) mesh: &'a GpuSkinnedMesh,
    pub(crate) textures: &'a wgpu::BindGroup,
    /// The dynamic offset of its block.
    pub(crate) offset: wgpu::DynamicOffset,
    pub(crate) casts_shadows: bool,
    /// Picks the pipeline: culling, alpha test, blending.
    pub(crate) surface: Surface,
}

/// A run of consecutive blended draws of one kind, in [`FrameInputs::blended`]'s order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum BlendedRun {
    /// Of [`FrameInputs::draws`].
    Instanced(std::ops::Range<usize>),
    /// Of [`FrameInputs::skinned`].
    Skinned(std::ops::Range<usize>),
}

/// What this frame draws, prepared once for every pass.
pub(crate) struct FrameInputs<'a> {
    /// The camera's draws, in batch order (blended ones last, back to front).
    pub(crate) draws: Vec<Draw<'a>>,
    /// The shadow casters' draws.
    pub(crate) casters: Vec<Draw<'a>>,
    /// The skinned draws, one per entity (not batched): the unblended ones first, then the
    /// blended ones back to front.
    pub(crate) skinned: Vec<SkinnedGpuDraw<'a>>,
    /// The blended draws of `draws` and `skinned` merged back to front
    /// ([`FrameDesc::blended_steps`](crate::render::FrameDesc::blended_steps)), as runs.
    pub(crate) blended: Vec<BlendedRun>,
    /// The frame's instances.
    pub(crate) instances: &'a wgpu::Buffer,
    /// Whether the sun casts shadows.
    pub(crate) shadows: bool,
    /// Whether a spot light has a shadow map this frame.
    pub(crate) spot_shadow: bool,
    /// The HDR target's clear colour.
    pub(crate) clear: wgpu::Color,
    /// The text drawn over the finished frame.
    pub(crate) overlay: &'a OverlayPass,
}

/// Where the output passes draw: a view, its format, and the viewport inside it (x, y, width,
/// height in its pixels; all of it when `None`).
#[derive(Clone, Copy)]
pub(crate) struct OutputView<'a> {
    pub(crate) view: &'a wgpu::TextureView,
    pub(crate) format: wgpu::TextureFormat,
    pub(crate) viewport: Option<[f32; 4]>,
}

/// What a pass sees while it records.
pub(crate) struct PassContext<'a> {
    pub(crate) device: &'a wgpu::Device,
    pub(crate) frame: &'a FrameInputs<'a>,
    /// Timestamps to write: the graph's first pass starts the frame, its last ends it.
    pub(crate) timestamps: Option<wgpu::RenderPassTimestampWrites<'a>>,
    access: &'a Access,
    targets: &'a Targets,
    output: OutputView<'a>,
}

impl<'a> PassContext<'a> {
    /// A target's view. Panics when the pass did not declare it: declarations are what the
    /// graph allocates and orders by, so an undeclared use is a bug in the pass.
    pub(crate) fn view(&self, target: Target) -> &'a wgpu::TextureView {
        assert!(
            self.access.touches(target),
            "a pass uses {target:?} without declaring it"
        );
        match target {
            Target::Output => self.output.view,
            _ => self.targets.view(target),
        }
    }

    /// The format of [`Target::Output`] and the viewport to draw into.
    pub(crate) fn output(&self) -> (wgpu::TextureFormat, Option<[f32; 4]>) {
        (self.output.format, self.output.viewport)
    }
}

/// The passes in order and the targets they share.
pub(crate) struct FrameGraph {
    passes: Vec<Box<dyn Pass>>,
    targets: Targets,
    settings: TargetSettings,
}

impl FrameGraph {
    /// Checks the passes' order (every target read is written by an earlier pass, the
    /// output's passes last) and allocates their targets.
    pub(crate) fn new(
        gpu: &GpuContext,
        passes: Vec<Box<dyn Pass>>,
        settings: TargetSettings,
    ) -> Result<FrameGraph, GpuError> {
        check(&passes)?;
        let targets = allocate(&gpu.device, &accesses(&passes), &settings);
        let mut graph = FrameGraph {
            passes,
            targets,
            settings,
        };
        graph.bind(&gpu.device);
        Ok(graph)
    }

    fn bind(&mut self, device: &wgpu::Device) {
        for pass in &mut self.passes {
            pass.bind(device, &self.targets);
        }
    }

    /// The allocated targets.
    #[cfg_attr(
        target_arch = "wasm32",
        expect(dead_code, reason = "read back for screenshots natively only")
    )]
    pub(crate) fn targets(&self) -> &Targets {
        &self.targets
    }

    /// Reallocates the targets for a new resolution (in an error scope: refused, the old ones
    /// stay) and rebinds the passes.
    pub(crate) fn resize(&mut self, gpu: &GpuContext, resolution: UVec2) -> Result<(), GpuError> {
        let settings = TargetSettings {
            resolution,
            ..self.settings
        };
        self.targets = gpu.scoped(|| allocate(&gpu.device, &accesses(&self.passes), &settings))?;
        self.settings = settings;
        self.bind(&gpu.device);
        Ok(())
    }

    /// Records one part of the frame's passes (see [`Part`]), in order, each with its
    /// timestamps: the start of the graph's first pass and the end of its last.
    pub(crate) fn encode(
        &self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        part: Part<'_>,
        frame: &FrameInputs<'_>,
        timer: Option<&GpuTimer>,
        stats: &mut FrameStats,
    ) {
        let (run_output, output) = match part {
            Part::Scene => (false, None),
            Part::Output(view) => (true, view),
        };
        let output = output.unwrap_or(OutputView {
            view: self.targets.view(Target::Output),
            format: OUTPUT_FORMAT,
            viewport: None,
        });
        let last = self.passes.len() - 1;
        for (i, pass) in self.passes.iter().enumerate() {
            let access = pass.access();
            if access.writes.contains(&Target::Output) != run_output {
                continue;
            }
            let ctx = PassContext {
                device: &gpu.device,
                frame,
                timestamps: timer.and_then(|t| t.pass_writes(i == 0, i == last)),
                access,
                targets: &self.targets,
                output,
            };
            pass.encode(ctx, encoder, stats);
        }
    }
}

/// Which passes [`FrameGraph::encode`] records.
pub(crate) enum Part<'a> {
    /// Every pass that does not write the output.
    Scene,
    /// The passes that write the output: into this view, or the headless image when `None`.
    Output(Option<OutputView<'a>>),
}

/// Each pass's declaration, in order.
fn accesses(passes: &[Box<dyn Pass>]) -> Vec<&Access> {
    passes.iter().map(|p| p.access()).collect()
}

/// Checks the order of `passes`: some pass writes the output, the output's passes come last
/// (they run apart, at the present), and every target read is written by an earlier pass (or
/// by the pass itself).
fn check(passes: &[Box<dyn Pass>]) -> Result<(), GpuError> {
    let writes_output = |p: &dyn Pass| p.access().writes.contains(&Target::Output);
    let Some(first_output) = passes.iter().position(|p| writes_output(p.as_ref())) else {
        return Err(GpuError::Config("no pass writes the output".into()));
    };
    for (i, pass) in passes.iter().enumerate() {
        // The output's passes run apart (at the present), so they come last.
        if i > first_output && !writes_output(pass.as_ref()) {
            return Err(GpuError::Config(format!(
                "pass {:?} comes after the output's passes but does not write the output",
                pass.name()
            )));
        }
        // A pass may read what it writes itself (the bloom chain's levels): it orders those
        // uses inside its own encode.
        for target in &pass.access().reads {
            if !passes[..=i]
                .iter()
                .any(|p| p.access().writes.contains(target))
            {
                return Err(GpuError::Config(format!(
                    "pass {:?} reads {target:?}, which no earlier pass writes",
                    pass.name()
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pass that only declares.
    struct Declares(&'static str, Access);

    impl Pass for Declares {
        fn name(&self) -> &'static str {
            self.0
        }
        fn access(&self) -> &Access {
            &self.1
        }
        fn encode(&self, _: PassContext<'_>, _: &mut wgpu::CommandEncoder, _: &mut FrameStats) {
            unreachable!("only checked")
        }
    }

    fn pass(name: &'static str, reads: &[Target], writes: &[Target]) -> Box<dyn Pass> {
        Box::new(Declares(
            name,
            Access {
                reads: reads.to_vec(),
                writes: writes.to_vec(),
            },
        ))
    }

    #[test]
    fn the_order_is_checked() {
        let shadow = || pass("shadow", &[], &[Target::ShadowMap]);
        let opaque = || {
            pass(
                "opaque",
                &[Target::ShadowMap],
                &[Target::Hdr, Target::Depth],
            )
        };
        let tonemap = || pass("tonemap", &[Target::Hdr], &[Target::Output]);
        assert!(check(&[shadow(), opaque(), tonemap()]).is_ok());
        let error = check(&[opaque(), shadow(), tonemap()]).unwrap_err();
        assert!(
            error.to_string().contains("\"opaque\" reads ShadowMap"),
            "{error}"
        );
        let error = check(&[shadow(), opaque()]).unwrap_err();
        assert!(
            error.to_string().contains("no pass writes the output"),
            "{error}"
        );
        let late = pass("late", &[], &[Target::Depth]);
        let error = check(&[shadow(), opaque(), tonemap(), late]).unwrap_err();
        assert!(
            error.to_string().contains("\"late\" comes after"),
            "{error}"
        );
    }
}
