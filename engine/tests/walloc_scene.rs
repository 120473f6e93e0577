//! The Scene tier under the real global allocator, as the streaming cache uses it: a `Vec` made
//! in a Scene scope lives, grows and is freed in Scene with exact stats; small Scene blocks go
//! through the thread caches when the tier's alignment allows; and with Scene full, a new
//! level's allocation runs the reclaim hook with `Tier::Scene` and its size, the hook evicts
//! old levels, and the allocation succeeds without Scene ever holding more than its budget.
//! One test in its own binary, so no other test allocates or changes the config meanwhile.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use layerw_engine::walloc::{self, Budget, Config, Tier, WallocGlobal};

#[global_allocator]
static ALLOC: WallocGlobal = WallocGlobal;

const MIB: usize = 1 << 20;
const LEVEL: usize = 512 * 1024;

/// Resident levels, least recently needed first.
static CACHE: Mutex<VecDeque<Vec<u8>>> = Mutex::new(VecDeque::new());
static HOOK_CALLS: AtomicU64 = AtomicU64::new(0);
static HOOK_OTHER_TIER: AtomicU64 = AtomicU64::new(0);
static HOOK_REQUESTED: AtomicU64 = AtomicU64::new(0);

/// The streaming cache's reclaim hook in miniature: evicts the least recently needed levels
/// until the requested bytes are freed.
fn evict_levels(tier: Tier, requested: u64) -> u64 {
    HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
    if tier != Tier::Scene {
        HOOK_OTHER_TIER.fetch_add(1, Ordering::SeqCst);
        return 0;
    }
    HOOK_REQUESTED.store(requested, Ordering::SeqCst);
    let Ok(mut cache) = CACHE.lock() else {
        return 0;
    };
    let mut freed = 0;
    while freed < requested {
        let Some(level) = cache.pop_front() else {
            break;
        };
        freed += level.capacity() as u64;
    }
    freed
}

/// A level of `LEVEL` bytes allocated in Scene, or `None` when Scene refuses it.
fn try_level(fill: u8) -> Option<Vec<u8>> {
    walloc::with_tier(Tier::Scene, || {
        let mut v = Vec::new();
        v.try_reserve_exact(LEVEL).ok()?;
        v.resize(LEVEL, fill);
        Some(v)
    })
}

#[test]
fn scene_serves_vecs_caches_small_blocks_and_evicts_through_its_hook() {
    assert!(walloc::is_global_allocator());
    let w = walloc::global();
    drop(vec![0u8; 100]);

    // Decoders inside a Scene scope check sizes against Scene.
    walloc::with_tier(Tier::Scene, || {
        assert_eq!(walloc::available_here(), Some(w.available(Tier::Scene)));
    });
    // A level in Scene: counted, grown in its tier, freed there.
    let before = *walloc::stats().tier(Tier::Scene);
    let mut level = walloc::with_tier(Tier::Scene, || vec![7u8; MIB]);
    assert_eq!(w.tier_of(level.as_ptr()), Some(Tier::Scene));
    let filled = *walloc::stats().tier(Tier::Scene);
    assert_eq!(filled.allocations, before.allocations + 1);
    assert!(filled.used >= before.used + MIB as u64);
    level.extend(std::iter::repeat_n(9u8, MIB));
    assert_eq!(w.tier_of(level.as_ptr()), Some(Tier::Scene));
    assert_eq!((level[MIB - 1], level[MIB]), (7, 9));
    drop(level);
    let after = *walloc::stats().tier(Tier::Scene);
    assert_eq!(after.used, before.used, "freed in Scene");
    assert_eq!(
        after.allocations - before.allocations,
        after.frees - before.frees
    );

    // Thread caches serve Scene's small blocks once its alignment is the caches' 16 bytes
    // (at the default 64 bytes small blocks take the locked path), and stats stay exact.
    #[cfg(not(target_family = "wasm"))]
    {
        w.set_config(w.config().with_alignment(Tier::Scene, 16))
            .unwrap();
        let before = *walloc::stats().tier(Tier::Scene);
        walloc::with_tier(Tier::Scene, || {
            let mut live: Vec<Box<[u8]>> = Vec::with_capacity(500);
            for i in 0..5000usize {
                live.push(vec![i as u8; 16 + i % 300].into_boxed_slice());
                if live.len() == 500 {
                    for b in live.drain(..) {
                        assert!(b.iter().all(|&x| x == b[0]));
                    }
                }
            }
        });
        let after = *walloc::stats().tier(Tier::Scene);
        assert_eq!(after.used, before.used, "cached blocks are not live");
        assert!(
            after.cached > 0,
            "freed small Scene blocks wait in the cache"
        );
        assert!(after.allocations - before.allocations >= 5000);
        assert_eq!(
            after.allocations - before.allocations,
            after.frees - before.frees
        );
        w.trim();
        assert_eq!(walloc::stats().tier(Tier::Scene).cached, 0, "trim flushes");
    }

    // A small world: Scene gets 8 MiB, the budgets fill the ceiling and no tier lends, so
    // nothing can be borrowed and Scene's budget is a hard limit.
    w.trim();
    let mib = |n: u64| Budget::Bytes(n << 20);
    let config = Config::DEFAULT
        .with_ceiling(64 << 20)
        .with_budget(Tier::Render, mib(8))
        .with_budget(Tier::Scene, mib(8))
        .with_budget(Tier::Entity, mib(8))
        .with_budget(Tier::General, mib(40))
        .with_lending(Tier::Render, false)
        .with_lending(Tier::Entity, false);
    w.set_config(config).unwrap();
    let budget = config.budget_bytes(Tier::Scene);
    let mut count = 0u8;
    while let Some(level) = try_level(count) {
        CACHE.lock().unwrap().push_back(level);
        count += 1;
        assert!(count < 32, "the budget must stop this loop");
    }
    let full = *walloc::stats().tier(Tier::Scene);
    assert!(count >= 12, "{count} levels of 512 KiB in 8 MiB");
    assert!(full.held <= budget, "{} held of {budget}", full.held);
    assert!(w.available(Tier::Scene) < 2 * LEVEL as u64);
    assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 0);

    // With the hook registered, a new 2 MiB level evicts old ones and fits.
    w.add_reclaim_hook(&evict_levels).unwrap();
    let new = walloc::with_tier(Tier::Scene, || {
        let mut v: Vec<u8> = Vec::new();
        v.try_reserve_exact(2 * MIB).map(|()| v)
    })
    .expect("the hook makes room");
    assert_eq!(w.tier_of(new.as_ptr()), Some(Tier::Scene));
    assert!(HOOK_CALLS.load(Ordering::SeqCst) >= 1);
    assert_eq!(HOOK_OTHER_TIER.load(Ordering::SeqCst), 0);
    assert_eq!(HOOK_REQUESTED.load(Ordering::SeqCst), 2 * MIB as u64);
    let s = *walloc::stats().tier(Tier::Scene);
    assert!(s.held <= budget, "never over the budget: {} held", s.held);
    let cache = CACHE.lock().unwrap();
    assert!(
        cache.len() <= count as usize - 4,
        "{} levels left",
        cache.len()
    );
    // The levels still resident are the newest and intact.
    let first_kept = count as usize - cache.len();
    for (i, level) in cache.iter().enumerate() {
        assert!(
            level.iter().all(|&b| b == (first_kept + i) as u8),
            "level {i}"
        );
    }
}
