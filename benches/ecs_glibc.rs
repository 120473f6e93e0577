//! The ECS workloads of `benches/ecs.rs` with the system allocator (glibc on Linux) as the process allocator: hecs and
//! bevy_ecs run on it as their users run them, and Layer-W's World keeps its archetype tables in
//! walloc's Entity tier ([`EntityWallocGlobal`]) with every other allocation on it. Ids end in
//! `/glibc`. This binary does not link the `layerw` facade (whose global allocator is walloc).
//!
//! Run: `cargo bench -p layerw-benches --bench ecs_glibc` (or beside the walloc binary:
//! `cargo bench -p layerw-benches --bench ecs --bench ecs_glibc --bench ecs_mimalloc`).

use criterion::{Criterion, criterion_group, criterion_main};
use layerw_engine::walloc::{self, EntityWallocGlobal, Tier};

#[path = "support/ecs_workloads.rs"]
mod ecs_workloads;

#[global_allocator]
static ALLOC: EntityWallocGlobal<std::alloc::System> = EntityWallocGlobal::new(std::alloc::System);

fn benches(c: &mut Criterion) {
    // What each row runs on: the peers' blocks outside walloc, the World's tables inside.
    let table = walloc::with_tier(Tier::Entity, || Box::new(0u64));
    assert_eq!(
        walloc::global().tier_of(&*table as *const u64 as *const u8),
        Some(Tier::Entity)
    );
    assert!(
        !walloc::is_global_allocator(),
        "General allocations must not go to walloc"
    );
    ecs_workloads::all(
        c,
        "glibc",
        ecs_workloads::Options {
            tracked: false,
            system_tables: Some(|on| ALLOC.set_entity_tier_to_fallback(on)),
        },
    );
}

criterion_group! {
    name = ecs;
    config = ecs_workloads::config();
    targets = benches
}
criterion_main!(ecs);
