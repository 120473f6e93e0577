//! Declared access: debug builds catch a system touching data it did not declare.

use layerw_engine::ecs::{ResourceError, World};
use layerw_engine::schedule::{Schedule, Stage, System};

#[derive(Debug, Clone, Copy, PartialEq)]
struct Position(f32);
#[derive(Debug, Clone, Copy, PartialEq)]
struct Velocity(f32);
#[derive(Debug, PartialEq)]
struct Gravity(f32);

fn world() -> World {
    let mut world = World::new();
    world.spawn((Position(0.0), Velocity(1.0)));
    world.insert_resource(Gravity(-9.81));
    world
}

fn run(system: System) {
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Update, system);
    schedule.run_frame(&mut world(), 0.5);
}

#[test]
fn declared_access_runs() {
    let mut world = world();
    let mut schedule = Schedule::new();
    schedule.add_system(
        Stage::Update,
        System::new("move", |ctx| {
            let g = ctx.resource::<Gravity>().0;
            let dt = ctx.delta_seconds() as f32;
            for (p, v) in ctx.query::<(&mut Position, &Velocity)>().iter() {
                p.0 += (v.0 + g) * dt;
            }
            ctx.par_for_each::<&mut Position, _>(|p| p.0 *= 2.0);
        })
        .reads::<Velocity>()
        .writes::<Position>()
        .reads_resource::<Gravity>(),
    );
    schedule.run_frame(&mut world, 0.5);
    let p = world.query::<&Position>().iter().next().copied();
    assert_eq!(p, Some(Position((1.0 - 9.81) * 0.5 * 2.0)));
}

#[test]
fn missing_resource_is_an_error_on_the_fallible_api() {
    struct Absent;
    run(System::new("try", |ctx| {
        assert_eq!(
            ctx.try_resource::<Absent>().err(),
            Some(ResourceError::Missing {
                resource: core::any::type_name::<Absent>()
            })
        );
    })
    .reads_resource::<Absent>());
}

#[cfg(debug_assertions)]
mod debug {
    use super::*;

    #[test]
    #[should_panic(expected = "system `sneaky` accessed undeclared data: query")]
    fn undeclared_component_read_panics() {
        run(System::new("sneaky", |ctx| {
            let _ = ctx.query::<&Velocity>().iter().count();
        })
        .writes::<Position>());
    }

    #[test]
    #[should_panic(expected = "which it declared only as read")]
    fn write_declared_as_read_panics() {
        run(System::new("reader", |ctx| {
            ctx.par_for_each::<&mut Position, _>(|p| p.0 += 1.0);
        })
        .reads::<Position>());
    }

    #[test]
    #[should_panic(expected = "system `grav` reads resource")]
    fn undeclared_resource_panics() {
        run(System::new("grav", |ctx| {
            let _ = ctx.resource::<Gravity>();
        }));
    }

    #[test]
    #[should_panic(expected = "system `grav_w` writes resource")]
    fn resource_write_declared_as_read_panics() {
        run(System::new("grav_w", |ctx| {
            ctx.resource_mut::<Gravity>().0 = 0.0;
        })
        .reads_resource::<Gravity>());
    }

    #[test]
    #[should_panic(expected = "Velocity")]
    fn undeclared_get_names_the_type() {
        run(System::new("getter", |ctx| {
            for e in ctx.query::<layerw_engine::ecs::Entity>().iter() {
                let _ = ctx.get::<Velocity>(e);
            }
        }));
    }

    /// The check also fires inside a parallel batch, and the panic reaches the caller.
    #[test]
    #[should_panic(expected = "system `bad` accessed undeclared data")]
    fn undeclared_access_in_parallel_batch_panics() {
        let mut schedule = Schedule::new();
        for i in 0..8 {
            schedule.add_system(
                Stage::Update,
                System::new(format!("ok{i}"), |ctx| {
                    let _ = ctx.query::<&Position>().iter().count();
                })
                .reads::<Position>(),
            );
        }
        schedule.add_system(
            Stage::Update,
            System::new("bad", |ctx| {
                let _ = ctx.query::<&mut Velocity>().iter().count();
            })
            .reads::<Position>(),
        );
        assert_eq!(schedule.batches(Stage::Update).len(), 1);
        schedule.run_frame(&mut world(), 0.5);
    }
}
