//! The global instance's per-thread caches: stats stay exact while blocks sit in caches, and a
//! thread's cached blocks go back to the heap when it exits. One test in its own binary, so no
//! other test allocates meanwhile. Native only: threads.

#![cfg(not(target_family = "wasm"))]

use layerw_engine::walloc::{self, Tier, WallocGlobal};

#[global_allocator]
static ALLOC: WallocGlobal = WallocGlobal;

#[test]
fn caches_keep_stats_exact_and_flush_on_thread_exit() {
    // Warm up this thread's cache and the harness's own allocations.
    walloc::with_tier(Tier::Entity, || drop(vec![0u8; 100]));
    let before = *walloc::stats().tier(Tier::Entity);

    // Churn small blocks on this thread: after all are freed, `used` is back where it was
    // (blocks parked in the cache are not live) and every allocation has its free. In the
    // Entity tier, where nothing else in the process allocates: the harness's main thread may
    // allocate in General meanwhile (seen on a loaded machine: 976 bytes).
    walloc::with_tier(Tier::Entity, || {
        let mut live: Vec<Box<[u8]>> = Vec::with_capacity(1000);
        for i in 0..10_000usize {
            live.push(vec![i as u8; 16 + i % 200].into_boxed_slice());
            if live.len() == 1000 {
                for b in live.drain(..) {
                    assert!(b.iter().all(|&x| x == b[0]));
                }
            }
        }
    });
    let after = *walloc::stats().tier(Tier::Entity);
    assert_eq!(
        after.used, before.used,
        "cached blocks are not counted as used"
    );
    assert!(
        after.cached > 0,
        "freed small blocks wait in this thread's cache"
    );
    let allocs = after.allocations - before.allocations;
    let frees = after.frees - before.frees;
    assert!(allocs >= 10_000, "every allocation is counted ({allocs})");
    assert_eq!(allocs, frees, "every allocation has its free");
    // A trim gives this thread's cached blocks back first.
    walloc::global().trim();
    assert_eq!(walloc::stats().tier(Tier::Entity).cached, 0);

    // Threads: each fills its cache; when they exit the blocks go back to the heap, so
    // `used` returns to where it was and a trim can give fully free pools back.
    let used_before_threads = walloc::stats().tier(Tier::Entity).used;
    std::thread::scope(|s| {
        for t in 0..4 {
            s.spawn(move || {
                walloc::with_tier(Tier::Entity, || {
                    let mut v: Vec<Vec<u64>> = Vec::new();
                    for i in 0..5000u64 {
                        v.push(vec![i ^ t; (i % 40 + 1) as usize]);
                        if i % 2 == 0 {
                            let x = v.swap_remove((i as usize * 31) % v.len());
                            assert!(x.iter().all(|&y| y == x[0]));
                        }
                    }
                })
            });
        }
    });
    // A joined thread may still be running its thread-local destructors: wait for them (the
    // wait ends as soon as the caches are flushed; 10 s is only a bound for a broken flush).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while walloc::stats().tier(Tier::Entity).cached > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let entity = *walloc::stats().tier(Tier::Entity);
    assert_eq!(
        entity.used, used_before_threads,
        "exited threads' blocks are back"
    );
    assert_eq!(entity.cached, 0, "no cache outlives its thread");
    assert!(entity.allocations >= 4 * 5000);
    assert_eq!(entity.allocations, entity.frees);
}
