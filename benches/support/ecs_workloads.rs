//! The ECS workloads of `benches/ecs.rs` (walloc the process allocator), `benches/ecs_glibc.rs`
//! and `benches/ecs_mimalloc.rs` (the peers on their usual allocator), included with `#[path]`
//! so all three binaries time the same code. See `benches/ecs.rs` for the workloads.

use std::hint::black_box;
use std::time::Duration;

use bevy_ecs::component::Component;
use bevy_ecs::world::World as BevyWorld;
use bevy_tasks::{ComputeTaskPool, TaskPoolBuilder};
use criterion::Criterion;
use glam::{Mat4, Vec3};
use layerw_engine::ecs::World as LayerwWorld;
use rayon::iter::{ParallelBridge, ParallelIterator};

/// Threads used by every parallel workload.
const THREADS: usize = 2;

// ------------------------------------------------------------------------------------------
// Components (shared by the three ECSs: hecs takes any `Send + Sync + 'static` type).
// ------------------------------------------------------------------------------------------

#[derive(Component, Clone, Copy)]
struct Transform(Mat4);

#[derive(Component, Clone, Copy)]
struct Position(Vec3);

#[derive(Component, Clone, Copy)]
struct Rotation(#[expect(dead_code, reason = "stored only, as in ecs_bench_suite")] Vec3);

#[derive(Component, Clone, Copy)]
struct Velocity(Vec3);

#[derive(Component, Clone, Copy)]
struct Data(f32);

#[derive(Component, Clone, Copy)]
struct A(#[expect(dead_code, reason = "payload only gives the marker a size")] f32);

#[derive(Component, Clone, Copy)]
struct B(#[expect(dead_code, reason = "payload only gives the marker a size")] f32);

/// The bundle of `simple_insert`, `simple_iter` and `heavy_compute`.
fn body() -> (Transform, Position, Rotation, Velocity) {
    (
        Transform(Mat4::from_scale(Vec3::ONE)),
        Position(Vec3::X),
        Rotation(Vec3::X),
        Velocity(Vec3::X),
    )
}

/// The bundle of `heavy_compute` (an invertible, non-trivial transform).
fn heavy_body() -> (Transform, Position, Rotation, Velocity) {
    (
        Transform(Mat4::from_rotation_x(1.2)),
        Position(Vec3::X),
        Rotation(Vec3::X),
        Velocity(Vec3::X),
    )
}

/// The per-entity work of `heavy_compute`.
#[inline]
fn heavy(transform: &mut Mat4, position: &mut Vec3) {
    for _ in 0..100 {
        *transform = transform.inverse();
    }
    *position = transform.transform_vector3(*position);
}

/// A rayon pool of [`THREADS`] threads for the Layer-W and hecs parallel workloads.
fn rayon_pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build()
        .expect("rayon pool")
}

/// Initialises bevy's global compute pool with [`THREADS`] threads (once per process).
fn bevy_pool() {
    let pool = ComputeTaskPool::get_or_init(|| TaskPoolBuilder::new().num_threads(THREADS).build());
    assert_eq!(pool.thread_num(), THREADS, "bevy ComputeTaskPool size");
}

// ------------------------------------------------------------------------------------------
// simple_insert
// ------------------------------------------------------------------------------------------

const INSERT_N: usize = 10_000;

fn simple_insert(c: &mut Criterion, alloc: &str, opts: Options) {
    let mut g = c.benchmark_group("simple_insert");
    for (variant, tracked) in layerw_variants("layerw", opts) {
        g.bench_function(id(&variant, alloc), |b| {
            b.iter(|| {
                let mut world = layerw_world(tracked);
                black_box(world.spawn_batch((0..INSERT_N).map(|_| body())));
                world
            });
        });
    }
    g.bench_function(id("hecs", alloc), |b| {
        b.iter(|| {
            let mut world = hecs::World::new();
            world.spawn_batch((0..INSERT_N).map(|_| body()));
            world
        });
    });
    g.bench_function(id("bevy_ecs", alloc), |b| {
        b.iter(|| {
            let mut world = BevyWorld::new();
            world.spawn_batch((0..INSERT_N).map(|_| body()));
            world
        });
    });
    g.finish();
}

// ------------------------------------------------------------------------------------------
// simple_iter
// ------------------------------------------------------------------------------------------

fn simple_iter(c: &mut Criterion, alloc: &str, opts: Options) {
    let mut g = c.benchmark_group("simple_iter");
    for (variant, tracked) in layerw_variants("layerw", opts) {
        g.bench_function(id(&variant, alloc), |b| {
            let mut world = layerw_world(tracked);
            world.spawn_batch((0..INSERT_N).map(|_| body()));
            b.iter(|| {
                world
                    .query_mut::<(&mut Position, &Velocity)>()
                    .into_iter()
                    .for_each(|(pos, vel)| pos.0 += vel.0);
            });
            black_box(&world);
        });
    }
    g.bench_function(id("hecs", alloc), |b| {
        let mut world = hecs::World::new();
        world.spawn_batch((0..INSERT_N).map(|_| body()));
        b.iter(|| {
            world
                .query_mut::<(&mut Position, &Velocity)>()
                .into_iter()
                .for_each(|(pos, vel)| pos.0 += vel.0);
        });
        black_box(&world);
    });
    g.bench_function(id("bevy_ecs", alloc), |b| {
        let mut world = BevyWorld::new();
        world.spawn_batch((0..INSERT_N).map(|_| body()));
        let mut query = world.query::<(&mut Position, &Velocity)>();
        b.iter(|| {
            query
                .iter_mut(&mut world)
                .for_each(|(mut pos, vel)| pos.0 += vel.0);
        });
        black_box(&world);
    });
    for (variant, tracked) in layerw_variants("layerw_for", opts) {
        g.bench_function(id(&variant, alloc), |b| {
            let mut world = layerw_world(tracked);
            world.spawn_batch((0..INSERT_N).map(|_| body()));
            b.iter(|| {
                for (pos, vel) in world.query_mut::<(&mut Position, &Velocity)>() {
                    pos.0 += vel.0;
                }
            });
            black_box(&world);
        });
    }
    g.bench_function(id("hecs_for", alloc), |b| {
        let mut world = hecs::World::new();
        world.spawn_batch((0..INSERT_N).map(|_| body()));
        b.iter(|| {
            for (pos, vel) in world.query_mut::<(&mut Position, &Velocity)>() {
                pos.0 += vel.0;
            }
        });
        black_box(&world);
    });
    g.bench_function(id("bevy_ecs_for", alloc), |b| {
        let mut world = BevyWorld::new();
        world.spawn_batch((0..INSERT_N).map(|_| body()));
        let mut query = world.query::<(&mut Position, &Velocity)>();
        b.iter(|| {
            for (mut pos, vel) in query.iter_mut(&mut world) {
                pos.0 += vel.0;
            }
        });
        black_box(&world);
    });
    g.finish();
}

// ------------------------------------------------------------------------------------------
// frag_iter
// ------------------------------------------------------------------------------------------

/// Entities per fragment archetype.
const FRAG_N: usize = 20;

/// The 26 marker components `A`..`Z` of `frag_iter` and one function per ECS spawning
/// [`FRAG_N`] entities of `(marker, Data(1.0))` for each marker.
mod frag {
    use super::{BevyWorld, Component, Data, FRAG_N, LayerwWorld};

    macro_rules! fragments {
        ($($marker:ident),* $(,)?) => {
            $(
                #[derive(Component, Clone, Copy)]
                pub struct $marker(
                    #[expect(dead_code, reason = "payload only gives the marker a size")] f32,
                );
            )*

            pub fn spawn_layerw(world: &mut LayerwWorld) {
                $(for _ in 0..FRAG_N { world.spawn(($marker(0.0), Data(1.0))); })*
            }

            pub fn spawn_hecs(world: &mut hecs::World) {
                $(for _ in 0..FRAG_N { world.spawn(($marker(0.0), Data(1.0))); })*
            }

            pub fn spawn_bevy(world: &mut BevyWorld) {
                $(for _ in 0..FRAG_N { world.spawn(($marker(0.0), Data(1.0))); })*
            }
        };
    }

    fragments!(
        A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z
    );
}

fn frag_iter(c: &mut Criterion, alloc: &str, opts: Options) {
    let mut g = c.benchmark_group("frag_iter");
    for (variant, tracked) in layerw_variants("layerw", opts) {
        g.bench_function(id(&variant, alloc), |b| {
            let mut world = layerw_world(tracked);
            frag::spawn_layerw(&mut world);
            assert_eq!(world.len() as usize, 26 * FRAG_N);
            b.iter(|| {
                world
                    .query_mut::<&mut Data>()
                    .into_iter()
                    .for_each(|data| data.0 *= 2.0);
            });
            black_box(&world);
        });
    }
    g.bench_function(id("hecs", alloc), |b| {
        let mut world = hecs::World::new();
        frag::spawn_hecs(&mut world);
        b.iter(|| {
            world
                .query_mut::<&mut Data>()
                .into_iter()
                .for_each(|data| data.0 *= 2.0);
        });
        black_box(&world);
    });
    g.bench_function(id("bevy_ecs", alloc), |b| {
        let mut world = BevyWorld::new();
        frag::spawn_bevy(&mut world);
        let mut query = world.query::<&mut Data>();
        b.iter(|| {
            query
                .iter_mut(&mut world)
                .for_each(|mut data| data.0 *= 2.0);
        });
        black_box(&world);
    });
    for (variant, tracked) in layerw_variants("layerw_for", opts) {
        g.bench_function(id(&variant, alloc), |b| {
            let mut world = layerw_world(tracked);
            frag::spawn_layerw(&mut world);
            b.iter(|| {
                for data in world.query_mut::<&mut Data>() {
                    data.0 *= 2.0;
                }
            });
            black_box(&world);
        });
    }
    g.bench_function(id("hecs_for", alloc), |b| {
        let mut world = hecs::World::new();
        frag::spawn_hecs(&mut world);
        b.iter(|| {
            for data in world.query_mut::<&mut Data>() {
                data.0 *= 2.0;
            }
        });
        black_box(&world);
    });
    g.bench_function(id("bevy_ecs_for", alloc), |b| {
        let mut world = BevyWorld::new();
        frag::spawn_bevy(&mut world);
        let mut query = world.query::<&mut Data>();
        b.iter(|| {
            for mut data in query.iter_mut(&mut world) {
                data.0 *= 2.0;
            }
        });
        black_box(&world);
    });
    g.finish();
}

// ------------------------------------------------------------------------------------------
// heavy_compute
// ------------------------------------------------------------------------------------------

const HEAVY_N: usize = 1_000;
/// Batch size of the hecs and bevy parallel loops, as in `ecs_bench_suite`.
const HEAVY_BATCH: usize = 64;

fn heavy_compute(c: &mut Criterion, alloc: &str, opts: Options) {
    let pool = rayon_pool();
    bevy_pool();
    let mut g = c.benchmark_group("heavy_compute");
    for (variant, tracked) in layerw_variants("layerw", opts) {
        g.bench_function(id(&variant, alloc), |b| {
            let mut world = layerw_world(tracked);
            world.spawn_batch((0..HEAVY_N).map(|_| heavy_body()));
            b.iter(|| {
                pool.install(|| {
                    world.par_for_each::<(&mut Position, &mut Transform), _>(|(pos, t)| {
                        heavy(&mut t.0, &mut pos.0);
                    });
                });
            });
            black_box(&world);
        });
    }
    for (variant, tracked) in layerw_variants("layerw_batched", opts) {
        g.bench_function(id(&variant, alloc), |b| {
            let mut world = layerw_world(tracked);
            world.spawn_batch((0..HEAVY_N).map(|_| heavy_body()));
            b.iter(|| {
                pool.install(|| {
                    world.par_for_each_batched::<(&mut Position, &mut Transform), _>(
                        HEAVY_BATCH as u32,
                        |(pos, t)| heavy(&mut t.0, &mut pos.0),
                    );
                });
            });
            black_box(&world);
        });
    }
    g.bench_function(id("hecs", alloc), |b| {
        let mut world = hecs::World::new();
        world.spawn_batch((0..HEAVY_N).map(|_| heavy_body()));
        b.iter(|| {
            pool.install(|| {
                world
                    .query::<(&mut Position, &mut Transform)>()
                    .iter_batched(HEAVY_BATCH as u32)
                    .par_bridge()
                    .for_each(|batch| batch.for_each(|(pos, t)| heavy(&mut t.0, &mut pos.0)));
            });
        });
        black_box(&world);
    });
    g.bench_function(id("bevy_ecs", alloc), |b| {
        let mut world = BevyWorld::new();
        world.spawn_batch((0..HEAVY_N).map(|_| heavy_body()));
        let mut query = world.query::<(&mut Position, &mut Transform)>();
        b.iter(|| {
            query
                .par_iter_mut(&mut world)
                .batching_strategy(bevy_ecs::batching::BatchingStrategy::fixed(HEAVY_BATCH))
                .for_each(|(mut pos, mut t)| heavy(&mut t.0, &mut pos.0));
        });
        black_box(&world);
    });
    g.finish();
}

// ------------------------------------------------------------------------------------------
// add_remove
// ------------------------------------------------------------------------------------------

const ADD_REMOVE_N: usize = 10_000;

fn add_remove(c: &mut Criterion, alloc: &str, opts: Options) {
    let mut g = c.benchmark_group("add_remove");
    for (variant, tracked) in layerw_variants("layerw", opts) {
        g.bench_function(id(&variant, alloc), |b| {
            let mut world = layerw_world(tracked);
            let entities = world.spawn_batch((0..ADD_REMOVE_N).map(|_| (A(0.0),)));
            b.iter(|| {
                for &e in &entities {
                    world.insert_one(e, B(0.0)).unwrap();
                }
                for &e in &entities {
                    world.remove_one::<B>(e).unwrap();
                }
            });
            black_box(&world);
        });
    }
    g.bench_function(id("hecs", alloc), |b| {
        let mut world = hecs::World::new();
        let entities: Vec<_> = world
            .spawn_batch((0..ADD_REMOVE_N).map(|_| (A(0.0),)))
            .collect();
        b.iter(|| {
            for &e in &entities {
                world.insert_one(e, B(0.0)).unwrap();
            }
            for &e in &entities {
                world.remove_one::<B>(e).unwrap();
            }
        });
        black_box(&world);
    });
    g.bench_function(id("bevy_ecs", alloc), |b| {
        let mut world = BevyWorld::new();
        let entities: Vec<_> = world
            .spawn_batch((0..ADD_REMOVE_N).map(|_| (A(0.0),)))
            .collect();
        b.iter(|| {
            for &e in &entities {
                world.entity_mut(e).insert(B(0.0));
            }
            for &e in &entities {
                world.entity_mut(e).remove::<B>();
            }
            // Removals queue `RemovedComponents` messages until the trackers are cleared, which
            // a bevy `App` does once per frame; without it the queue grows without bound.
            world.clear_trackers();
        });
        black_box(&world);
    });
    g.finish();
}

// ------------------------------------------------------------------------------------------
// iterate_1m
// ------------------------------------------------------------------------------------------

const MILLION: usize = 1_000_000;

fn pos_vel(i: usize) -> (Position, Velocity) {
    let f = i as f32;
    (
        Position(Vec3::new(f, 0.0, 0.0)),
        Velocity(Vec3::new(1.0, f, 0.5)),
    )
}

/// hecs batch size on 2 threads: about four batches per thread, Layer-W's own policy.
fn million_batch() -> u32 {
    (MILLION / (THREADS * 4)) as u32
}

fn iterate_1m(c: &mut Criterion, alloc: &str, opts: Options) {
    let pool = rayon_pool();
    bevy_pool();

    // One world per implementation, shared by the 1-thread and 2-thread groups.
    let mut layerw_worlds: Vec<(String, LayerwWorld)> = layerw_variants("layerw", opts)
        .into_iter()
        .map(|(variant, tracked)| {
            let mut world = layerw_world(tracked);
            world.spawn_batch((0..MILLION).map(pos_vel));
            (variant, world)
        })
        .collect();
    if let Some(route_entity_tier_to_fallback) = opts.system_tables {
        route_entity_tier_to_fallback(true);
        let mut world = layerw_world(false);
        world.spawn_batch((0..MILLION).map(pos_vel));
        route_entity_tier_to_fallback(false);
        layerw_worlds.push(("layerw_system_tables".to_string(), world));
    }
    let mut hecs_world = hecs::World::new();
    hecs_world.spawn_batch((0..MILLION).map(pos_vel));
    let mut bevy = BevyWorld::new();
    bevy.spawn_batch((0..MILLION).map(pos_vel));
    let mut bevy_query = bevy.query::<(&mut Position, &Velocity)>();

    let mut g = c.benchmark_group("iterate_1m_1t");
    for (variant, layerw) in &mut layerw_worlds {
        g.bench_function(id(variant, alloc), |b| {
            b.iter(|| {
                layerw
                    .query_mut::<(&mut Position, &Velocity)>()
                    .into_iter()
                    .for_each(|(pos, vel)| pos.0 += vel.0);
            });
        });
    }
    g.bench_function(id("hecs", alloc), |b| {
        b.iter(|| {
            hecs_world
                .query_mut::<(&mut Position, &Velocity)>()
                .into_iter()
                .for_each(|(pos, vel)| pos.0 += vel.0);
        });
    });
    g.bench_function(id("bevy_ecs", alloc), |b| {
        b.iter(|| {
            bevy_query
                .iter_mut(&mut bevy)
                .for_each(|(mut pos, vel)| pos.0 += vel.0);
        });
    });
    g.finish();

    let mut g = c.benchmark_group("iterate_1m_2t");
    for (variant, layerw) in &layerw_worlds {
        g.bench_function(id(variant, alloc), |b| {
            b.iter(|| {
                pool.install(|| {
                    layerw.par_for_each::<(&mut Position, &Velocity), _>(|(pos, vel)| {
                        pos.0 += vel.0;
                    });
                });
            });
        });
    }
    g.bench_function(id("hecs", alloc), |b| {
        b.iter(|| {
            pool.install(|| {
                hecs_world
                    .query::<(&mut Position, &Velocity)>()
                    .iter_batched(million_batch())
                    .par_bridge()
                    .for_each(|batch| batch.for_each(|(pos, vel)| pos.0 += vel.0));
            });
        });
    });
    g.bench_function(id("bevy_ecs", alloc), |b| {
        b.iter(|| {
            bevy_query
                .par_iter_mut(&mut bevy)
                .for_each(|(mut pos, vel)| pos.0 += vel.0);
        });
    });
    g.finish();

    black_box((&layerw_worlds, &hecs_world, &bevy));
}

/// The benchmark id of `engine` in a binary whose process allocator is `alloc`.
fn id(engine: &str, alloc: &str) -> String {
    format!("{engine}/{alloc}")
}

/// Which extra Layer-W rows a binary times.
#[derive(Clone, Copy, Default)]
pub struct Options {
    /// Also time `layerw_tracked*`: the same World tracking changes of `Position`, `Data` and
    /// `A` (what change ticks cost each row).
    pub tracked: bool,
    /// Also time `iterate_1m*/layerw_system_tables`: a World built while the process
    /// allocator sends Entity-tier allocations to the fallback allocator (tables outside walloc),
    /// interleaved with the walloc-table World. Set through this callback.
    pub system_tables: Option<fn(bool)>,
}

/// The Layer-W rows of one benchmark: `base` untracked, then `base` with `_tracked` when
/// `opts.tracked`.
fn layerw_variants(base: &str, opts: Options) -> Vec<(String, bool)> {
    let mut variants = vec![(base.to_string(), false)];
    if opts.tracked {
        variants.push((base.replacen("layerw", "layerw_tracked", 1), true));
    }
    variants
}

/// A Layer-W World, tracking changes of every component a workload writes or spawns when
/// `tracked`.
fn layerw_world(tracked: bool) -> LayerwWorld {
    let mut world = LayerwWorld::new();
    if tracked {
        world.track_changes::<Position>();
        world.track_changes::<Data>();
        world.track_changes::<A>();
    }
    world
}

/// Every ECS workload, with ids `<workload>/<engine>/<alloc>`.
pub fn all(c: &mut Criterion, alloc: &str, opts: Options) {
    simple_insert(c, alloc, opts);
    simple_iter(c, alloc, opts);
    frag_iter(c, alloc, opts);
    heavy_compute(c, alloc, opts);
    add_remove(c, alloc, opts);
    iterate_1m(c, alloc, opts);
}

/// The criterion settings of every ECS bench binary.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}
