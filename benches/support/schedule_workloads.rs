//! The schedule workloads of `benches/schedule.rs` (walloc the process allocator) and
//! `benches/schedule_glibc.rs` (glibc), included with `#[path]` so both binaries time the same
//! code. See `benches/schedule.rs` for the workloads.

use std::time::Duration;

use bevy_ecs::schedule::{
    IntoScheduleConfigs, MultiThreadedExecutor, Schedule as BevySchedule, SingleThreadedExecutor,
};
use bevy_ecs::world::World as BevyWorld;
use bevy_tasks::{ComputeTaskPool, TaskPoolBuilder};
use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};
use layerw_engine::ecs::World;
use layerw_engine::schedule::{
    ExecutorKind, IntoSystem, IntoSystemConfig, Query, Res, Schedule, Stage,
};

/// Threads of both pools.
const THREADS: usize = 2;
/// Systems per schedule.
const SYSTEMS: usize = 100;
/// Frame time handed to Layer-W (one fixed step per frame at the default 60 Hz).
const DT: f64 = 1.0 / 60.0;

fn pools() {
    // Ignore the error if the global pool already exists (it is built once per process).
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build_global();
    assert_eq!(
        rayon::current_num_threads(),
        THREADS,
        "rayon global pool size"
    );
    let pool = ComputeTaskPool::get_or_init(|| TaskPoolBuilder::new().num_threads(THREADS).build());
    assert_eq!(pool.thread_num(), THREADS, "bevy ComputeTaskPool size");
}

/// Entities each parameter-taking system iterates.
const ENTITIES: usize = 64;

#[derive(bevy_ecs::component::Component)]
struct Health(f32);
#[derive(bevy_ecs::resource::Resource)]
struct Scale(f32);

fn empty_system() {}

fn layerw_sum(mut q: Query<&Health>, scale: Res<Scale>) {
    let mut sum = 0.0;
    q.for_each(|h| sum += h.0 * scale.0);
    std::hint::black_box(sum);
}

fn bevy_sum(q: bevy_ecs::system::Query<&Health>, scale: bevy_ecs::system::Res<Scale>) {
    let mut sum = 0.0;
    q.iter().for_each(|h| sum += h.0 * scale.0);
    std::hint::black_box(sum);
}

fn layerw_schedule<M>(kind: ExecutorKind, system: impl IntoSystem<M> + Copy) -> Schedule {
    let mut schedule = Schedule::with_executor(kind);
    for i in 0..SYSTEMS {
        schedule.add_system(Stage::Update, system.named(format!("system_{i}")));
    }
    assert_eq!(schedule.batches(Stage::Update).len(), 1, "one batch of 100");
    schedule
}

fn bevy_schedule<M>(
    multi_threaded: bool,
    system: impl IntoScheduleConfigs<bevy_ecs::system::ScheduleSystem, M> + Copy,
) -> BevySchedule {
    let mut schedule = BevySchedule::default();
    if multi_threaded {
        schedule.set_executor(MultiThreadedExecutor::new());
    } else {
        schedule.set_executor(SingleThreadedExecutor::new());
    }
    for _ in 0..SYSTEMS {
        schedule.add_systems(system);
    }
    schedule
}

fn layerw_world() -> World {
    let mut world = World::new();
    world.insert_resource(Scale(2.0));
    for i in 0..ENTITIES {
        world.spawn((Health(i as f32),));
    }
    world
}

fn bevy_world() -> BevyWorld {
    let mut world = BevyWorld::new();
    world.insert_resource(Scale(2.0));
    for i in 0..ENTITIES {
        world.spawn(Health(i as f32));
    }
    world
}

fn bench_group<LM, BM>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    alloc: &str,
    layerw_system: impl IntoSystem<LM> + Copy,
    bevy_system: impl IntoScheduleConfigs<bevy_ecs::system::ScheduleSystem, BM> + Copy,
) {
    for (name, kind) in [
        ("layerw_multi_threaded", ExecutorKind::MultiThreaded),
        ("layerw_single_threaded", ExecutorKind::SingleThreaded),
    ] {
        let mut world = layerw_world();
        let mut schedule = layerw_schedule(kind, layerw_system);
        g.bench_function(format!("{name}/{alloc}"), |b| {
            b.iter(|| schedule.run_frame(&mut world, DT))
        });
    }
    for (name, kind) in [
        ("layerw_multi_threaded_stage", ExecutorKind::MultiThreaded),
        ("layerw_single_threaded_stage", ExecutorKind::SingleThreaded),
    ] {
        let mut world = layerw_world();
        let mut schedule = layerw_schedule(kind, layerw_system);
        g.bench_function(format!("{name}/{alloc}"), |b| {
            b.iter(|| schedule.run_stage(Stage::Update, &mut world, DT));
        });
    }
    for (name, multi_threaded) in [
        ("bevy_ecs_multi_threaded", true),
        ("bevy_ecs_single_threaded", false),
    ] {
        let mut world = bevy_world();
        let mut schedule = bevy_schedule(multi_threaded, bevy_system);
        // The first run initialises the systems and builds the executor's plan.
        schedule.run(&mut world);
        g.bench_function(format!("{name}/{alloc}"), |b| {
            b.iter(|| schedule.run(&mut world))
        });
    }
}

fn schedule_100_empty(c: &mut Criterion, alloc: &str) {
    pools();
    let mut g = c.benchmark_group("schedule_100_empty");
    bench_group(&mut g, alloc, empty_system, empty_system);
    g.finish();
}

fn schedule_100_params(c: &mut Criterion, alloc: &str) {
    pools();
    let mut g = c.benchmark_group("schedule_100_params");
    bench_group(&mut g, alloc, layerw_sum, bevy_sum);
    g.finish();
}

/// The criterion settings of every schedule bench binary.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

/// Both workloads, with ids `<group>/<name>/<alloc>`.
pub fn all(c: &mut Criterion, alloc: &str) {
    schedule_100_empty(c, alloc);
    schedule_100_params(c, alloc);
}
