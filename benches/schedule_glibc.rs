//! The schedule workloads of `benches/schedule.rs` with the system allocator (glibc on Linux) as
//! the process allocator: bevy_ecs runs on it as its users run it, and Layer-W's World keeps its
//! archetype tables in walloc's Entity tier ([`EntityWallocGlobal`]) with every other
//! allocation on glibc. Ids end in `/glibc`. This binary does not link the `layerw` facade.
//!
//! Run: `cargo bench -p layerw-benches --bench schedule_glibc` (or beside the walloc binary:
//! `cargo bench -p layerw-benches --bench schedule --bench schedule_glibc`).

use criterion::{Criterion, criterion_group, criterion_main};
use layerw_engine::walloc::{self, EntityWallocGlobal};

#[path = "support/schedule_workloads.rs"]
mod schedule_workloads;

#[global_allocator]
static ALLOC: EntityWallocGlobal<std::alloc::System> = EntityWallocGlobal::new(std::alloc::System);

fn benches(c: &mut Criterion) {
    assert!(
        !walloc::is_global_allocator(),
        "General allocations must not go to walloc"
    );
    schedule_workloads::all(c, "glibc");
}

criterion_group! {
    name = schedule;
    config = schedule_workloads::config();
    targets = benches
}
criterion_main!(schedule);
