//! The animation system: clips sampled into joint poses, blended, and turned into skinning
//! matrices every frame.

use layerw_components::{Animator, JointMatrices};
use layerw_engine::anim::blend_poses;
use layerw_engine::schedule::System;

/// For every entity with an [`Animator`] and [`JointMatrices`] (in parallel): advances its
/// clip's time (and a blended clip's) by `speed * dt`, samples the clip from the skeleton's
/// rest pose (looping or clamped), mixes in the blended clip by its weight, and writes the
/// skinning matrices. Put it in `Stage::Update`.
pub fn animate() -> System {
    System::new("animate", |ctx| {
        let dt = ctx.delta_seconds() as f32;
        ctx.par_for_each::<(&mut Animator, &mut JointMatrices), _>(|(animator, matrices)| {
            animator.time += dt * animator.speed;
            let rest = animator.skeleton.rest_pose();
            let mut poses = rest.to_vec();
            animator
                .clip
                .sample(animator.time, animator.looping, &mut poses);
            if let Some(blend) = &mut animator.blend {
                blend.time += dt * animator.speed;
                let mut other = rest.to_vec();
                blend.clip.sample(blend.time, animator.looping, &mut other);
                let base = poses.clone();
                blend_poses(&base, &other, blend.weight.clamp(0.0, 1.0), &mut poses);
            }
            animator.skeleton.joint_matrices(&poses, &mut matrices.0);
        });
    })
    .writes::<Animator>()
    .writes::<JointMatrices>()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use glam::{Mat4, Quat, Vec3, Vec4};
    use layerw_components::{Animator, ClipBlend, JointMatrices};
    use layerw_engine::anim::{Channel, ChannelTarget, Clip, Interpolation, JointPose, Skeleton};
    use layerw_engine::ecs::World;
    use layerw_engine::schedule::{Schedule, Stage};

    use super::animate;

    /// One joint 1 m up, bound there; `slide` moves it along X 2 m over 1 s.
    fn rig() -> (Arc<Skeleton>, Arc<Clip>, Arc<Clip>) {
        let up = JointPose {
            translation: Vec3::Y,
            ..JointPose::IDENTITY
        };
        let skeleton =
            Skeleton::new(vec![None], vec![Mat4::from_translation(-Vec3::Y)], vec![up]).unwrap();
        let slide = Clip::new(vec![
            Channel::new(
                0,
                ChannelTarget::Translation,
                Interpolation::Linear,
                vec![0.0, 1.0],
                vec![Vec4::new(0.0, 1.0, 0.0, 0.0), Vec4::new(2.0, 1.0, 0.0, 0.0)],
            )
            .unwrap(),
        ]);
        let turn = Clip::new(vec![
            Channel::new(
                0,
                ChannelTarget::Rotation,
                Interpolation::Step,
                vec![0.0],
                vec![Vec4::from(Quat::from_rotation_y(
                    core::f32::consts::FRAC_PI_3 * 2.0,
                ))],
            )
            .unwrap(),
        ]);
        (Arc::new(skeleton), Arc::new(slide), Arc::new(turn))
    }

    fn offset(world: &World, e: layerw_engine::ecs::Entity) -> Vec3 {
        let m = world.get::<JointMatrices>(e).unwrap().0[0];
        m.transform_point3(Vec3::ZERO)
    }

    #[test]
    fn animate_plays_loops_speeds_up_and_blends() {
        let (skeleton, slide, turn) = rig();
        let mut world = World::new();
        let looping = world.spawn((
            Animator::new(skeleton.clone(), slide.clone()),
            JointMatrices::default(),
        ));
        let fast_held = world.spawn((
            Animator {
                speed: 2.0,
                looping: false,
                ..Animator::new(skeleton.clone(), slide.clone())
            },
            JointMatrices::default(),
        ));
        let blended = world.spawn((
            Animator {
                blend: Some(ClipBlend {
                    clip: turn,
                    time: 0.0,
                    weight: 0.5,
                }),
                ..Animator::new(skeleton, slide)
            },
            JointMatrices::default(),
        ));
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Update, animate());
        schedule.run_frame(&mut world, 0.25);
        // A quarter second: 0.5 m along X (the joint's bind pose is where it rests).
        assert!((offset(&world, looping) - Vec3::new(0.5, 0.0, 0.0)).length() < 1e-5);
        // Twice as fast: 1 m.
        assert!((offset(&world, fast_held) - Vec3::new(1.0, 0.0, 0.0)).length() < 1e-5);
        // Half-way to the turn (a 120 degree turn about Y that leaves the translation at
        // rest, 0): 0.25 m, and a point 1 m along X from the joint turned 60 degrees.
        assert!((offset(&world, blended) - Vec3::new(0.25, 0.0, 0.0)).length() < 1e-5);
        let m = world.get::<JointMatrices>(blended).unwrap().0[0];
        let arm = m.transform_point3(Vec3::new(1.0, 1.0, 0.0)) - offset(&world, blended);
        let sixty = Vec3::new(0.5, 1.0, -(3.0f32.sqrt()) / 2.0);
        assert!((arm - sixty).length() < 1e-4, "{arm}");
        for _ in 0..4 {
            schedule.run_frame(&mut world, 0.25);
        }
        // 1.25 s: the looping one wrapped to 0.25 s; the fast one holds the last key.
        assert!((offset(&world, looping) - Vec3::new(0.5, 0.0, 0.0)).length() < 1e-4);
        assert!((offset(&world, fast_held) - Vec3::new(2.0, 0.0, 0.0)).length() < 1e-5);
    }
}
