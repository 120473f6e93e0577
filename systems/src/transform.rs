//! Transform systems: keeping [`Transform`] in step with the motion components.

use layerw_components::{GlobalTransform, Parent, Position, Rotation, Transform};
use layerw_engine::schedule::System;

/// The deepest parent chain followed: deeper chains (or a cycle) stop there, with a warning.
pub const MAX_HIERARCHY_DEPTH: usize = 64;

/// Computes every [`GlobalTransform`] from the entity's [`Transform`] and its [`Parent`]
/// chain (a missing or despawned parent counts as the root). Run it after the systems that move
/// things and before `extract_render` (e.g. first in `Stage::Render`).
pub fn propagate_transforms() -> System {
    System::new("propagate_transforms", |ctx| {
        for (local, parent, global) in ctx
            .query::<(&Transform, Option<&Parent>, &mut GlobalTransform)>()
            .iter()
        {
            let mut world = *local;
            let mut next = parent.map(|p| p.0);
            let mut depth = 0;
            while let Some(entity) = next {
                depth += 1;
                if depth > MAX_HIERARCHY_DEPTH {
                    tracing::warn!(
                        "transform hierarchy deeper than {MAX_HIERARCHY_DEPTH} (a cycle?)"
                    );
                    break;
                }
                let Ok(parent_local) = ctx.get::<Transform>(entity) else {
                    break;
                };
                world = parent_local.mul_transform(&world);
                next = ctx.get::<Parent>(entity).ok().map(|p| p.0);
            }
            global.0 = world;
        }
    })
    .reads::<Transform>()
    .reads::<Parent>()
    .writes::<GlobalTransform>()
}

/// Copies [`Position`] into `Transform::translation` and, where present, [`Rotation`] into
/// `Transform::rotation`, for every entity with a `Transform` and a `Position`. Scale is left
/// alone. Run it after the motion systems (e.g. in `Stage::Update`).
pub fn sync_transform() -> System {
    System::new("sync_transform", |ctx| {
        ctx.par_for_each::<(&mut Transform, &Position, Option<&Rotation>), _>(
            |(transform, position, rotation)| {
                transform.translation = position.0;
                if let Some(rotation) = rotation {
                    transform.rotation = rotation.0;
                }
            },
        );
    })
    .reads::<Position>()
    .reads::<Rotation>()
    .writes::<Transform>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_follow_their_parents() {
        let mut world = World::new();
        let root = world.spawn((
            Transform {
                translation: Vec3::new(10.0, 0.0, 0.0),
                rotation: Quat::from_rotation_y(core::f32::consts::FRAC_PI_2),
                scale: Vec3::splat(2.0),
            },
            GlobalTransform::default(),
        ));
        let child = world.spawn((
            Transform::from_translation(Vec3::new(1.0, 0.0, 0.0)),
            Parent(root),
            GlobalTransform::default(),
        ));
        let grandchild = world.spawn((
            Transform::from_translation(Vec3::new(0.0, 1.0, 0.0)),
            Parent(child),
            GlobalTransform::default(),
        ));
        // A cycle must not hang.
        let a = world.spawn((Transform::IDENTITY, GlobalTransform::default()));
        let b = world.spawn((Transform::IDENTITY, Parent(a), GlobalTransform::default()));
        world.insert_one(a, Parent(b)).unwrap();
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Render, propagate_transforms());
        schedule.run_frame(&mut world, 0.016);
        let at = |e| world.get::<GlobalTransform>(e).unwrap().0.translation;
        // The child's +X becomes the root's -Z (turned left), scaled by 2.
        assert!(
            (at(child) - Vec3::new(10.0, 0.0, -2.0)).length() < 1e-5,
            "{}",
            at(child)
        );
        assert!((at(grandchild) - Vec3::new(10.0, 2.0, -2.0)).length() < 1e-5);
        assert_eq!(at(root), Vec3::new(10.0, 0.0, 0.0));
    }
    use glam::{Quat, Vec3};
    use layerw_engine::ecs::World;
    use layerw_engine::schedule::{Schedule, Stage};

    #[test]
    fn transform_follows_position_and_rotation() {
        let mut world = World::new();
        let q = Quat::from_rotation_x(0.5);
        let both = world.spawn((
            Transform::default().with_scale(Vec3::splat(2.0)),
            Position(Vec3::new(1.0, 2.0, 3.0)),
            Rotation(q),
        ));
        let no_rotation = world.spawn((Transform::default(), Position(Vec3::X)));
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Update, sync_transform());
        schedule.run_frame(&mut world, 0.016);
        let t = *world.get::<Transform>(both).unwrap();
        assert_eq!(t.translation, Vec3::new(1.0, 2.0, 3.0));
        assert_eq!(t.rotation, q);
        assert_eq!(t.scale, Vec3::splat(2.0));
        let t = *world.get::<Transform>(no_rotation).unwrap();
        assert_eq!(t, Transform::from_translation(Vec3::X));
    }

    #[test]
    fn runs_after_integration_when_declared_later() {
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Update, crate::integrate_velocity());
        schedule.add_system(Stage::Update, crate::spin());
        schedule.add_system(Stage::Update, sync_transform());
        assert_eq!(
            schedule.batches(Stage::Update),
            [vec!["integrate_velocity", "spin"], vec!["sync_transform"]]
        );
    }
}
