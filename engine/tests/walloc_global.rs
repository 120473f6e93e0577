//! Walloc as the process's global allocator: routing by scope, tier kept across realloc,
//! threads, and failure through the fallible std API without aborting.

use layerw_engine::walloc::{self, Tier, WallocGlobal};

#[global_allocator]
static ALLOC: WallocGlobal = WallocGlobal;

#[test]
fn global_allocations_route_by_scope_and_keep_their_tier() {
    assert!(walloc::is_global_allocator());
    let w = walloc::global();
    let general = vec![1u32; 1000];
    assert_eq!(w.tier_of(general.as_ptr().cast()), Some(Tier::General));
    let mut entity = walloc::with_tier(Tier::Entity, || vec![2u64; 1000]);
    assert_eq!(w.tier_of(entity.as_ptr().cast()), Some(Tier::Entity));
    // Growing outside the scope keeps the block in its tier.
    entity.extend(std::iter::repeat_n(3, 100_000));
    assert_eq!(w.tier_of(entity.as_ptr().cast()), Some(Tier::Entity));
    assert_eq!(entity[999], 2);
    assert_eq!(entity[100_999], 3);
    // Scene is a heap tier too: streamed levels live there one by one.
    let scene = walloc::with_tier(Tier::Scene, || vec![0u8; 64]);
    assert_eq!(w.tier_of(scene.as_ptr()), Some(Tier::Scene));
    // The Render arena does not serve the global allocator: a Vec could not live in an arena.
    let render = walloc::with_tier(Tier::Render, || vec![0u8; 64]);
    assert_eq!(w.tier_of(render.as_ptr()), Some(Tier::General));
    // Freed memory is counted.
    let before = walloc::stats().tier(Tier::Entity).frees;
    drop(entity);
    assert!(walloc::stats().tier(Tier::Entity).frees > before);
}

#[test]
fn fallible_std_api_reports_exhaustion_without_aborting() {
    // A 1 GiB ceiling, so that a request past it stays below isize::MAX on wasm32 and reaches
    // the allocator (the other tests here use far less).
    walloc::global()
        .set_config(walloc::Config::DEFAULT.with_ceiling(1 << 30))
        .unwrap();
    let mut v: Vec<u8> = Vec::new();
    // Past General's budget (5 %, 51 MiB) but within what other tiers lend: served.
    let mut lent: Vec<u8> = Vec::new();
    lent.try_reserve_exact(256 << 20).unwrap();
    drop(lent);
    // Past the ceiling: a typed error, not an abort.
    let err = v.try_reserve_exact(1536 << 20);
    assert!(err.is_err());
    let failures = walloc::stats().tier(Tier::General).failures;
    assert!(failures >= 1);
    // The allocator keeps working.
    v.try_reserve_exact(1 << 20).unwrap();
    v.resize(1 << 20, 7);
    assert_eq!(v[12345], 7);
}

#[test]
#[cfg(not(target_family = "wasm"))]
fn threads_churn_concurrently() {
    std::thread::scope(|s| {
        for t in 0..4u64 {
            s.spawn(move || {
                let tier = [Tier::Scene, Tier::Entity, Tier::General][t as usize % 3];
                walloc::with_tier(tier, || {
                    let mut live: Vec<Vec<u64>> = Vec::new();
                    for i in 0..20_000u64 {
                        live.push(vec![i ^ t; (i % 37 + 1) as usize]);
                        if i % 3 == 0 {
                            let v = live.swap_remove((i as usize * 7919) % live.len());
                            assert!(v.iter().all(|&x| x == v[0]));
                        }
                    }
                    for v in &live {
                        assert!(v.iter().all(|&x| x == v[0]));
                    }
                });
            });
        }
    });
}
