//! Layer-W's ECS [`World`](layerw::engine::ecs::World) against plain `hecs` and `bevy_ecs`,
//! side by side in one criterion run, with walloc as the process allocator.
//!
//! The workloads follow the `ecs_bench_suite` (rust-gamedev) semantics:
//!
//! * `simple_insert`: spawn 10,000 entities with `(Transform, Position, Rotation, Velocity)` into
//!   a fresh world (world creation and drop are timed).
//! * `simple_iter`: 10,000 such entities (built outside the timed loop); `position += velocity`.
//!   Timed in both forms a game writes: internal iteration (`.for_each(..)`; hecs and bevy
//!   override `fold`) and a `for` loop (ids ending in `_for`).
//! * `frag_iter`: 26 archetypes (markers `A`..`Z`) of 20 entities each with `Data(f32)`;
//!   `data *= 2`.
//! * `heavy_compute`: 1,000 entities with `(Transform, Position, Rotation, Velocity)`; per entity
//!   100 `Mat4` inversions of the transform, then the position is transformed; in parallel on 2
//!   threads (Layer-W: `World::par_for_each` in a 2-thread rayon pool, whose 1,024-entity
//!   threshold keeps these 1,000 entities on one thread, and `layerw_batched`:
//!   `World::par_for_each_batched(64)`; hecs: `iter_batched(64)` + `par_bridge` in the same pool;
//!   bevy: `par_iter_mut` with batches of 64 on a 2-thread `ComputeTaskPool`).
//! * `add_remove`: 10,000 entities with `A`; add `B` to all, then remove `B` from all.
//! * `iterate_1m_1t` / `iterate_1m_2t`: 1,000,000 entities with `(Position, Velocity)`,
//!   `position += velocity`, on the calling thread, and on 2 threads (rayon pool `install` +
//!   parallel iteration for Layer-W and hecs; `par_iter_mut` on the 2-thread `ComputeTaskPool`
//!   for bevy).
//!
//! `add_remove/bevy_ecs` calls `World::clear_trackers` once per iteration (what a bevy `App`
//! does every frame): bevy queues a `RemovedComponents` message per removal until then.
//!
//! Benchmark ids are `<workload>/<implementation>` with implementations `layerw`, `hecs` and
//! `bevy_ecs` (plus `heavy_compute/layerw_batched` and the `_for` forms), each followed by the
//! process allocator of its binary: `/walloc` here, where the binary links the `layerw` facade and
//! walloc is the global allocator for all three (Layer-W's World allocates in the Entity tier,
//! hecs and bevy in General); `/glibc` in `benches/ecs_glibc.rs` and `/mimalloc` in
//! `benches/ecs_mimalloc.rs`, where the peers run on that allocator and Layer-W's World keeps
//! its tables in walloc's Entity tier ([`EntityWallocGlobal`](layerw_engine::walloc::EntityWallocGlobal))
//! with everything else on that allocator.
//!
//! Run all three side by side: `cargo bench -p layerw-benches --bench ecs --bench ecs_glibc --bench ecs_mimalloc`.

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/ecs_workloads.rs"]
mod ecs_workloads;

fn benches(c: &mut Criterion) {
    // The facade's global allocator is what this binary measures: make sure it is linked.
    assert!(
        layerw::walloc::is_global_allocator(),
        "walloc is not the process allocator"
    );
    ecs_workloads::all(
        c,
        "walloc",
        ecs_workloads::Options {
            tracked: true,
            system_tables: None,
        },
    );
}

criterion_group! {
    name = ecs;
    config = ecs_workloads::config();
    targets = benches
}
criterion_main!(ecs);
