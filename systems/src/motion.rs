//! Motion systems: integrating linear and angular velocity.

use glam::Quat;
use layerw_components::{AngularVelocity, Position, Rotation, Velocity};
use layerw_engine::schedule::System;

/// `position += velocity * dt` for every entity with both, in parallel (explicit Euler; `dt`
/// is the system's [`delta_seconds`](layerw_engine::schedule::SystemContext::delta_seconds)).
pub fn integrate_velocity() -> System {
    System::new("integrate_velocity", |ctx| {
        let dt = ctx.delta_seconds() as f32;
        ctx.par_for_each::<(&mut Position, &Velocity), _>(|(position, velocity)| {
            position.0 += velocity.0 * dt;
        });
    })
    .reads::<Velocity>()
    .writes::<Position>()
}

/// Turns every entity with a [`Rotation`] and an [`AngularVelocity`] by `angular_velocity * dt`
/// (applied in world space), re-normalising the quaternion so error does not accumulate.
pub fn spin() -> System {
    System::new("spin", |ctx| {
        let dt = ctx.delta_seconds() as f32;
        ctx.par_for_each::<(&mut Rotation, &AngularVelocity), _>(|(rotation, angular)| {
            let turn = Quat::from_scaled_axis(angular.0 * dt);
            rotation.0 = (turn * rotation.0).normalize();
        });
    })
    .reads::<AngularVelocity>()
    .writes::<Rotation>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::Vec3;
    use layerw_engine::ecs::World;
    use layerw_engine::schedule::{Schedule, Stage};

    #[test]
    fn integrate_velocity_moves_by_velocity_times_dt() {
        let mut world = World::new();
        let moving = world.spawn((Position(Vec3::ONE), Velocity(Vec3::new(2.0, 0.0, -4.0))));
        let still = world.spawn((Position(Vec3::ONE),));
        // Enough entities that par_for_each really splits the work natively.
        let many = world.spawn_batch(
            (0..5000).map(|i| (Position(Vec3::ZERO), Velocity(Vec3::splat(i as f32)))),
        );
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Update, integrate_velocity());
        schedule.run_frame(&mut world, 0.25);
        assert_eq!(
            world.get::<Position>(moving).unwrap().0,
            Vec3::new(1.5, 1.0, 0.0)
        );
        assert_eq!(world.get::<Position>(still).unwrap().0, Vec3::ONE);
        for (i, e) in many.iter().enumerate() {
            assert_eq!(
                world.get::<Position>(*e).unwrap().0,
                Vec3::splat(i as f32 * 0.25)
            );
        }
    }

    #[test]
    fn spin_turns_about_the_axis() {
        let mut world = World::new();
        let e = world.spawn((
            Rotation::default(),
            AngularVelocity(Vec3::new(0.0, core::f32::consts::PI, 0.0)),
        ));
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Update, spin());
        for _ in 0..4 {
            schedule.run_frame(&mut world, 0.125);
        }
        // Half a second at pi rad/s: a quarter turn about +Y maps +X to -Z.
        let r = world.get::<Rotation>(e).unwrap().0;
        assert!(
            (r * Vec3::X).abs_diff_eq(Vec3::NEG_Z, 1e-5),
            "{}",
            r * Vec3::X
        );
        assert!((r.length() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn motion_systems_do_not_conflict() {
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Update, integrate_velocity());
        schedule.add_system(Stage::Update, spin());
        assert_eq!(
            schedule.batches(Stage::Update),
            [["integrate_velocity", "spin"]]
        );
    }
}
