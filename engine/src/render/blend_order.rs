//! The order of a frame's blended draws: the instanced batches' blended instances (sorted back
//! to front by `RenderQueue::set_runs`) and the blended skinned draws (sorted back to front by
//! [`SkinnedFrame::draw_order`](super::SkinnedFrame::draw_order)) merged into one back-to-front
//! sequence, so a blended character behind a glass pane is drawn before the pane.

use core::ops::Range;

use glam::Vec3;

use super::FrameDesc;

/// One step of a frame's blended draws, in the order they are drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlendedStep {
    /// A run of one blended batch's instances.
    Instances {
        /// The batch's index in [`FrameDesc::batches`].
        batch: usize,
        /// The instances, a part of the batch's (split where a skinned draw goes between).
        instances: Range<u32>,
    },
    /// A blended skinned draw: its index in the frame's skinned draws.
    Skinned(usize),
}

impl FrameDesc<'_> {
    /// The blended draws back to front: the blended batches' instances and the blended skinned
    /// draws, merged by the view depth of each instance's and each skinned entity's origin (a
    /// skinned draw goes before an instance at the same depth). A batch's instances stay one
    /// step unless a skinned draw falls between them. Both lists are taken as sorted (as the
    /// render queue and [`SkinnedFrame::draw_order`](super::SkinnedFrame::draw_order) leave
    /// them); instances past [`instances`](Self::instances) are left out.
    pub fn blended_steps(&self) -> Vec<BlendedStep> {
        let camera = &self.camera;
        let depth = |p: Vec3| -camera.view.transform_point3(p).z;
        let order = self.skinned.draw_order(camera);
        let first_blended = order
            .iter()
            .position(|&i| self.skinned.draws[i].surface.is_blended())
            .unwrap_or(order.len());
        let mut skinned = order[first_blended..].iter().copied().peekable();
        let skinned_depth = |i: usize| depth(self.skinned.draws[i].origin);
        let mut steps = Vec::new();
        let first_batch = self.batches.partition_point(|b| !b.surface.is_blended());
        let count = self.instances.len() as u32;
        for (batch, b) in self.batches.iter().enumerate().skip(first_batch) {
            let range = b.instances.start.min(count)..b.instances.end.min(count);
            let mut start = range.start;
            for i in range.clone() {
                let instance = depth(Vec3::from(self.instances[i as usize].position));
                while let Some(s) = skinned.next_if(|&s| skinned_depth(s) >= instance) {
                    if start < i {
                        steps.push(BlendedStep::Instances {
                            batch,
                            instances: start..i,
                        });
                        start = i;
                    }
                    steps.push(BlendedStep::Skinned(s));
                }
            }
            if start < range.end {
                steps.push(BlendedStep::Instances {
                    batch,
                    instances: start..range.end,
                });
            }
        }
        steps.extend(skinned.map(BlendedStep::Skinned));
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{
        AlphaMode, Batch, CameraView, DirectionalLight, GpuInstance, MeshHandle, SkinnedFrame,
        SkinnedMaterial, SkinnedMeshHandle, Surface, TextureSetHandle,
    };
    use glam::{Mat4, Quat};

    fn frame<'a>(
        instances: &'a [GpuInstance],
        batches: &'a [Batch],
        skinned: &'a SkinnedFrame,
    ) -> FrameDesc<'a> {
        FrameDesc {
            // At z = 10 looking down -Z: depth is 10 - z.
            camera: CameraView::look_at(Vec3::new(0.0, 0.0, 10.0), Vec3::ZERO, 1.0, 1.0, 0.1, 50.0),
            sun: DirectionalLight {
                direction: Vec3::NEG_Y,
                color: Vec3::ONE,
                intensity: 1.0,
                shadows: false,
            },
            point_lights: &[],
            ambient: (Vec3::ONE, Vec3::ONE),
            shadow_bounds: (Vec3::ZERO, 1.0),
            instances,
            batches,
            skinned,
        }
    }

    #[test]
    fn blended_skinned_draws_go_between_the_instances_they_are_behind_and_in_front_of() {
        let glass = Surface::new(AlphaMode::Blend, false);
        let at = |z: f32| GpuInstance::new(Vec3::new(0.0, 0.0, z), Quat::IDENTITY, 1.0, 0);
        // An opaque batch, then two blended batches sorted back to front: z -4, -2, 0 | 3.
        let instances = [at(0.0), at(-4.0), at(-2.0), at(0.0), at(3.0)];
        let batch = |surface, instances| Batch {
            mesh: MeshHandle::default(),
            textures: TextureSetHandle::default(),
            surface,
            instances,
            casters: None,
        };
        let batches = [
            batch(Surface::OPAQUE, 0..1),
            batch(glass, 1..4),
            batch(glass, 4..5),
        ];
        let mut skinned = SkinnedFrame::default();
        // (surface, z): an opaque one (not a step), blended ones at z -1, 5, -3 and 0 (at the
        // same depth as an instance: drawn before it).
        for (surface, z) in [
            (Surface::OPAQUE, 0.0),
            (glass, -1.0),
            (glass, 5.0),
            (glass, -3.0),
            (glass, 0.0),
        ] {
            skinned.push(
                SkinnedMeshHandle(0),
                TextureSetHandle::default(),
                SkinnedMaterial { index: 0, surface },
                Mat4::from_translation(Vec3::new(0.0, 0.0, z)),
                &[Mat4::IDENTITY],
                false,
            );
        }
        use BlendedStep::{Instances, Skinned};
        assert_eq!(
            frame(&instances, &batches, &skinned).blended_steps(),
            [
                Instances {
                    batch: 1,
                    instances: 1..2
                },
                Skinned(3),
                Instances {
                    batch: 1,
                    instances: 2..3
                },
                Skinned(1),
                Skinned(4),
                Instances {
                    batch: 1,
                    instances: 3..4
                },
                Instances {
                    batch: 2,
                    instances: 4..5
                },
                Skinned(2),
            ]
        );
        // Without skinned draws, one step per blended batch: the draws as before.
        let none = SkinnedFrame::default();
        assert_eq!(
            frame(&instances, &batches, &none).blended_steps(),
            [
                Instances {
                    batch: 1,
                    instances: 1..4
                },
                Instances {
                    batch: 2,
                    instances: 4..5
                },
            ]
        );
    }
}
