//! Transform systems: keeping [`Transform`] in step with the motion components.

use layerw_components::{Position, Rotation, Transform};
use layerw_engine::schedule::System;

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
