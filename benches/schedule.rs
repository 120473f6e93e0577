//! Per-frame overhead of Layer-W's [`Schedule`](layerw::engine::schedule::Schedule) against
//! `bevy_ecs`'s `Schedule`, side by side in one criterion run.
//!
//! Each schedule holds 100 systems in one stage and is measured as the time to run one frame,
//! with a multi-threaded and a single-threaded executor. Both engines get the same plain
//! functions as systems: `schedule_100_empty` has empty ones; `schedule_100_params` has
//! systems that take a shared query over 64 entities and a shared resource and sum the query
//! (what a real system pays to fetch its parameters). The ids:
//!
//! * `layerw_multi_threaded`, `layerw_single_threaded`: `Schedule::run_frame` (advances
//!   `Time`/`FixedTime`, runs all nine stages, with the 100 systems in `Stage::Update`, and
//!   updates events); `ExecutorKind::MultiThreaded` runs the batch on the global rayon pool.
//! * `layerw_multi_threaded_stage`, `layerw_single_threaded_stage`: `Schedule::run_stage` of
//!   `Stage::Update` alone.
//! * `bevy_ecs_multi_threaded`, `bevy_ecs_single_threaded`: `bevy_ecs::schedule::Schedule::run`
//!   with `MultiThreadedExecutor` (on the `ComputeTaskPool`) and `SingleThreadedExecutor`.
//!   bevy 0.20 has no `ExecutorKind` enum any more; the executor is chosen with
//!   `Schedule::set_executor`.
//!
//! Both thread pools have 2 threads (rayon's global pool is built with 2, bevy's
//! `ComputeTaskPool` is initialised with 2). Benchmark ids are `<group>/<name>/<alloc>`: `walloc`
//! here, where the binary links the `layerw` facade and walloc is the process allocator for both
//! engines; `glibc` in `benches/schedule_glibc.rs`, where bevy runs on glibc's malloc and
//! Layer-W keeps its World's tables in walloc's Entity tier (`EntityWallocGlobal<System>`).
//!
//! Run: `cargo bench -p layerw-benches --bench schedule --bench schedule_glibc`.

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/schedule_workloads.rs"]
mod schedule_workloads;

fn benches(c: &mut Criterion) {
    // The facade's global allocator is what this binary measures: make sure it is linked.
    assert!(
        layerw::walloc::is_global_allocator(),
        "walloc is not the process allocator"
    );
    schedule_workloads::all(c, "walloc");
}

criterion_group! {
    name = schedule;
    config = schedule_workloads::config();
    targets = benches
}
criterion_main!(schedule);
