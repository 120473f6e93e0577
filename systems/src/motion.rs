//! Motion systems: integrating linear and angular velocity.

use glam::{Quat, Vec3};
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
            rotation.0 = (turn(angular.0 * dt) * rotation.0).normalize();
        });
    })
    .reads::<AngularVelocity>()
    .writes::<Rotation>()
}

/// The rotation by `scaled_axis.length()` radians about its direction: glam's
/// `Quat::from_scaled_axis`, bit for bit. Natively LLVM already merges its half angle's `sin`
/// and `cos` into one `sincosf` call; on wasm std calls `sinf` and `cosf` separately (two range
/// reductions, four calls in all: half of `spin`'s instructions), so there it takes both from
/// libm's `sincosf` (BENCHMARKS.md, "Hosts").
#[inline]
fn turn(scaled_axis: Vec3) -> Quat {
    #[cfg(target_family = "wasm")]
    {
        let angle = scaled_axis.length();
        if angle == 0.0 {
            Quat::IDENTITY
        } else {
            let (sin, cos) = libm::sincosf(angle * 0.5);
            let v = scaled_axis / angle * sin;
            Quat::from_xyzw(v.x, v.y, v.z, cos)
        }
    }
    #[cfg(not(target_family = "wasm"))]
    {
        Quat::from_scaled_axis(scaled_axis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn turn_is_glams_scaled_axis_rotation_bit_for_bit() {
        // Tiny, small, around pi/4 (sincosf's first range boundary), large (range reduction)
        // and zero angles, about axes in every octant. Natively this is glam itself; the wasm
        // test runs (wasm32-wasip1) check libm's sincosf against std's sinf and cosf.
        let mut checked = 0;
        for exponent in -30..12 {
            for step in 0..16 {
                let angle = (1.0 + step as f32 / 16.0) * (exponent as f32).exp2();
                for axis in [
                    Vec3::X,
                    Vec3::NEG_Y,
                    Vec3::new(0.6, -0.48, 0.64),
                    Vec3::splat(-0.577),
                ] {
                    let v = axis * angle;
                    let (ours, glams) = (turn(v), Quat::from_scaled_axis(v));
                    assert_eq!(
                        ours.to_array().map(f32::to_bits),
                        glams.to_array().map(f32::to_bits),
                        "{v}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(turn(Vec3::ZERO), Quat::IDENTITY);
        assert_eq!(checked, 42 * 16 * 4);
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
