//! The iteration workloads of `benches/ecs.rs` (simple_iter, frag_iter) in both forms, and
//! add_remove (10,000 entities of `A` get a `B` and lose it again: `layerw` or `hecs`), one
//! engine and form per run, for instruction counts under callgrind, which stay comparable on a
//! loaded machine where wall-clock timings do not:
//!
//! ```text
//! cargo build -p layerw-benches --release --example ecs_instructions
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/ecs_instructions simple_iter layerw_for 1000
//! ```
//!
//! Arguments: workload (`simple_iter`, `frag_iter`, `add_remove`, `simple_insert` (`layerw`,
//! `hecs`, `bevy_ecs`)), engine and form (`layerw`, `layerw_for`,
//! `layerw_tracked`, `layerw_tracked_for` (tracking changes of `Position` and `Data`), `hecs`,
//! `hecs_for`, `bevy_ecs`, `bevy_ecs_for`) and repetitions. Run once with 0
//! repetitions and subtract: the difference over the repetitions is one pass. The process
//! allocator is glibc, with the Layer-W World's tables in walloc, as in `benches/ecs_glibc.rs`.

use std::hint::black_box;

use bevy_ecs::component::Component;
use bevy_ecs::world::World as BevyWorld;
use glam::Vec3;
use layerw_engine::ecs::World as LayerwWorld;
use layerw_engine::walloc::EntityWallocGlobal;

#[global_allocator]
static ALLOC: EntityWallocGlobal<std::alloc::System> = EntityWallocGlobal::new(std::alloc::System);

#[derive(Component, Clone, Copy)]
struct Position(Vec3);
#[derive(Component, Clone, Copy)]
struct Velocity(Vec3);
#[derive(Component, Clone, Copy)]
struct Data(f32);

/// `simple_iter`'s entities (10,000 of `Position, Velocity`) and `frag_iter`'s (26 archetypes
/// of 20 `Data`, told apart by a marker of a different size each: `[u8; 1]`..`[u8; 26]`).
macro_rules! spawn_all {
    ($world:expr, $workload:expr) => {{
        if $workload == "simple_iter" {
            $world.spawn_batch((0..10_000).map(|_| (Position(Vec3::X), Velocity(Vec3::X))));
        } else {
            spawn_frag!($world, 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26);
        }
    }};
}

macro_rules! spawn_frag {
    ($world:expr, $($n:literal)*) => {
        $(
            {
                #[derive(Component)]
                struct Marker(#[allow(dead_code)] [u8; $n]);
                for _ in 0..20 {
                    $world.spawn((Marker([0; $n]), Data(1.0)));
                }
            }
        )*
    };
}

#[derive(Component, Clone, Copy)]
struct A(#[allow(dead_code)] f32);
#[derive(Component, Clone, Copy)]
struct B(#[allow(dead_code)] f32);

/// `reps` passes of add_remove over `entities` (the two worlds' `insert_one` and
/// `remove_one` have the same shape but no common trait).
macro_rules! add_remove_passes {
    ($world:expr, $entities:expr, $reps:expr) => {{
        for _ in 0..$reps {
            for &e in &$entities {
                $world.insert_one(e, B(0.0)).expect("alive");
            }
            for &e in &$entities {
                $world.remove_one::<B>(e).expect("has B");
            }
        }
        black_box(&$world);
    }};
}

/// add_remove as `benches/ecs.rs` runs it: 10,000 entities of `A`, each given a `B` and then
/// relieved of it, `reps` times.
fn add_remove(engine: &str, reps: usize) {
    match engine {
        "layerw" | "layerw_tracked" => {
            let mut world = LayerwWorld::new();
            if engine == "layerw_tracked" {
                world.track_changes::<A>();
                world.track_changes::<B>();
            }
            let entities = world.spawn_batch((0..10_000).map(|_| (A(0.0),)));
            add_remove_passes!(world, entities, reps);
        }
        "hecs" => {
            let mut world = hecs::World::new();
            let entities: Vec<_> = world.spawn_batch((0..10_000).map(|_| (A(0.0),))).collect();
            add_remove_passes!(world, entities, reps);
        }
        other => panic!("add_remove: unknown engine {other} (layerw, layerw_tracked or hecs)"),
    }
}

/// `simple_insert`'s components (ecs_bench_suite's).
#[derive(Component, Clone, Copy)]
struct Transform(#[allow(dead_code)] glam::Mat4);
#[derive(Component, Clone, Copy)]
struct Rotation(#[allow(dead_code)] Vec3);

fn insert_body() -> (Transform, Position, Rotation, Velocity) {
    (
        Transform(glam::Mat4::from_scale(Vec3::ONE)),
        Position(Vec3::X),
        Rotation(Vec3::X),
        Velocity(Vec3::X),
    )
}

/// `simple_insert`: a new world, 10,000 entities spawned in one batch, the world dropped.
fn simple_insert(engine: &str, reps: usize) {
    for _ in 0..reps {
        match engine {
            "layerw" => {
                let mut world = LayerwWorld::new();
                black_box(world.spawn_batch((0..10_000).map(|_| insert_body())));
                black_box(world);
            }
            "hecs" => {
                let mut world = hecs::World::new();
                world.spawn_batch((0..10_000).map(|_| insert_body()));
                black_box(world);
            }
            "bevy_ecs" => {
                let mut world = BevyWorld::new();
                world.spawn_batch((0..10_000).map(|_| insert_body()));
                black_box(world);
            }
            other => panic!("simple_insert: unknown engine {other}"),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, workload, engine, reps] = &args[..] else {
        panic!("usage: ecs_instructions WORKLOAD ENGINE REPETITIONS");
    };
    let reps: usize = reps.parse().expect("repetitions");
    if workload == "add_remove" {
        add_remove(engine, reps);
        return;
    }
    if workload == "simple_insert" {
        simple_insert(engine, reps);
        return;
    }
    let simple = workload == "simple_iter";
    match engine.as_str() {
        "layerw" | "layerw_for" | "layerw_tracked" | "layerw_tracked_for" => {
            let mut world = LayerwWorld::new();
            if engine.starts_with("layerw_tracked") {
                world.track_changes::<Position>();
                world.track_changes::<Data>();
            }
            spawn_all!(world, workload);
            for _ in 0..reps {
                match (simple, engine.ends_with("_for")) {
                    (true, false) => world
                        .query_mut::<(&mut Position, &Velocity)>()
                        .into_iter()
                        .for_each(|(p, v)| p.0 += v.0),
                    (true, true) => {
                        for (p, v) in world.query_mut::<(&mut Position, &Velocity)>() {
                            p.0 += v.0;
                        }
                    }
                    (false, false) => world
                        .query_mut::<&mut Data>()
                        .into_iter()
                        .for_each(|d| d.0 *= 2.0),
                    (false, true) => {
                        for d in world.query_mut::<&mut Data>() {
                            d.0 *= 2.0;
                        }
                    }
                }
            }
            black_box(&world);
        }
        "hecs" | "hecs_for" => {
            let mut world = hecs::World::new();
            spawn_all!(world, workload);
            for _ in 0..reps {
                match (simple, engine.ends_with("_for")) {
                    (true, false) => world
                        .query_mut::<(&mut Position, &Velocity)>()
                        .into_iter()
                        .for_each(|(p, v)| p.0 += v.0),
                    (true, true) => {
                        for (p, v) in world.query_mut::<(&mut Position, &Velocity)>() {
                            p.0 += v.0;
                        }
                    }
                    (false, false) => world
                        .query_mut::<&mut Data>()
                        .into_iter()
                        .for_each(|d| d.0 *= 2.0),
                    (false, true) => {
                        for d in world.query_mut::<&mut Data>() {
                            d.0 *= 2.0;
                        }
                    }
                }
            }
            black_box(&world);
        }
        "bevy_ecs" | "bevy_ecs_for" => {
            let mut world = BevyWorld::new();
            spawn_all!(world, workload);
            let mut simple_query = world.query::<(&mut Position, &Velocity)>();
            let mut frag_query = world.query::<&mut Data>();
            for _ in 0..reps {
                match (simple, engine.ends_with("_for")) {
                    (true, false) => simple_query
                        .iter_mut(&mut world)
                        .for_each(|(mut p, v)| p.0 += v.0),
                    (true, true) => {
                        for (mut p, v) in simple_query.iter_mut(&mut world) {
                            p.0 += v.0;
                        }
                    }
                    (false, false) => frag_query.iter_mut(&mut world).for_each(|mut d| d.0 *= 2.0),
                    (false, true) => {
                        for mut d in frag_query.iter_mut(&mut world) {
                            d.0 *= 2.0;
                        }
                    }
                }
            }
            black_box(&world);
        }
        other => panic!("unknown engine {other}"),
    }
}
