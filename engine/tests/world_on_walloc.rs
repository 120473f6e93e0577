//! The World's archetype tables live in walloc's Entity tier: spawning 100,000 entities with a
//! 64-byte component raises Entity-tier usage by at least 6.4 MB, and no other tier's by more
//! than a small fixed amount. One test in its own binary, so no other test allocates meanwhile.

use layerw_engine::ecs::World;
use layerw_engine::walloc::{self, Tier, WallocGlobal};

#[global_allocator]
static ALLOC: WallocGlobal = WallocGlobal;

#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Payload([u64; 8]);

#[test]
fn spawning_100k_entities_fills_the_entity_tier() {
    assert_eq!(size_of::<Payload>(), 64);
    let mut world = World::new();
    // Warm up lazily allocated runtime state (thread-locals, the test harness) first.
    world.spawn((Payload([0; 8]),));
    world.clear();
    let before = walloc::stats();
    for i in 0..100_000u64 {
        world.spawn((Payload([i; 8]),));
    }
    let after = walloc::stats();
    let grew = |t: Tier| after.tier(t).used as i64 - before.tier(t).used as i64;
    assert!(
        grew(Tier::Entity) >= 6_400_000,
        "Entity tier grew by {} bytes",
        grew(Tier::Entity)
    );
    for tier in [Tier::Render, Tier::Scene, Tier::General] {
        assert!(
            grew(tier) <= 64 * 1024,
            "{tier} tier grew by {} bytes while spawning",
            grew(tier)
        );
    }
    let sum: u64 = world
        .query_mut::<&Payload>()
        .into_iter()
        .map(|p| p.0[7])
        .sum();
    assert_eq!(sum, (0..100_000u64).sum::<u64>());
    // Dropping the world gives its tables back to the Entity tier.
    let used = walloc::stats().tier(Tier::Entity).used;
    drop(world);
    assert!(walloc::stats().tier(Tier::Entity).used + 6_400_000 <= used);
}
