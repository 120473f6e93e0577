//! Tests of the Scene tier as a heap: what the streaming cache relies on. Global allocations
//! made in a Scene scope are served, counted, resized and freed in Scene; an allocation past
//! Scene's budget runs the reclaim hooks with `Tier::Scene` and its size, and succeeds once
//! they freed enough; `available(Scene)` falls as Scene fills. Heap-backed, so miri runs them.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use super::*;

const KIB: usize = 1 << 10;
const MIB: u64 = 1 << 20;

fn small(ceiling_mib: u64) -> Box<Walloc> {
    Walloc::with_heap_backing(Config::DEFAULT.with_ceiling(ceiling_mib * MIB)).unwrap()
}

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

/// The path a `Vec` takes under the global allocator: `GlobalAlloc` on the instance, inside a
/// Scene scope for the allocation only; growing and freeing happen outside it.
#[test]
fn global_alloc_in_a_scene_scope_is_counted_and_freed_in_scene() {
    let w = small(16);
    let l = layout(3000, 4);
    let p = with_tier(Tier::Scene, || {
        // SAFETY: `l` has a non-zero size.
        unsafe { GlobalAlloc::alloc(&*w, l) }
    });
    assert!(!p.is_null());
    assert_eq!(w.tier_of(p), Some(Tier::Scene));
    assert_eq!(p as usize % 64, 0, "Scene's 64-byte alignment");
    // SAFETY: `p` holds 3000 bytes.
    unsafe { p.write_bytes(0x5C, 3000) };
    let s = *w.stats().tier(Tier::Scene);
    assert_eq!((s.allocations, s.frees), (1, 0));
    assert!(s.used >= 3000 && s.held > 0, "{s:?}");
    for other in [Tier::Entity, Tier::General] {
        assert_eq!(w.stats().tier(other).allocations, 0, "{other}");
    }
    // Grown outside the scope, the block stays in Scene and keeps its bytes.
    // SAFETY: `p` is live with layout `l`.
    let q = unsafe { GlobalAlloc::realloc(&*w, p, l, 200 * KIB) };
    assert!(!q.is_null());
    assert_eq!(w.tier_of(q), Some(Tier::Scene));
    // SAFETY: the first 3000 bytes were kept by the resize.
    let kept = unsafe { core::slice::from_raw_parts(q, 3000) };
    assert!(kept.iter().all(|&b| b == 0x5C));
    assert!(w.stats().tier(Tier::Scene).used >= 200 * KIB as u64);
    // SAFETY: `q` is live with 200 KiB at `l`'s alignment.
    unsafe { GlobalAlloc::dealloc(&*w, q, layout(200 * KIB, 4)) };
    let s = *w.stats().tier(Tier::Scene);
    assert_eq!(s.used, 0, "freed in Scene");
    assert!(s.frees >= 1);
    assert_eq!(
        s.allocations, s.frees,
        "a move by realloc counts one of each"
    );
    assert_eq!(w.check_heaps(), [0, 0, 0]);
    // The Render arena never serves the global allocator: its scope falls back to General.
    let g = with_tier(Tier::Render, || {
        // SAFETY: non-zero size.
        unsafe { GlobalAlloc::alloc(&*w, l) }
    });
    assert_eq!(w.tier_of(g), Some(Tier::General));
    // SAFETY: live block with layout `l`.
    unsafe { GlobalAlloc::dealloc(&*w, g, l) };
}

static SCENE_WALLOC: AtomicUsize = AtomicUsize::new(0);
/// Addresses of the cached "levels", oldest first; 0 once evicted.
static SCENE_LEVELS: [AtomicUsize; 64] = [const { AtomicUsize::new(0) }; 64];
static SCENE_EVICT: AtomicBool = AtomicBool::new(false);
static SCENE_CALLS: AtomicU64 = AtomicU64::new(0);
static SCENE_WRONG_CALLS: AtomicU64 = AtomicU64::new(0);
static SCENE_EVICTED: AtomicU64 = AtomicU64::new(0);
const LEVEL: usize = 256 * KIB;
const REQUEST: usize = 1 << 20;

/// The shape of the streaming cache's hook: for a Scene request it evicts the least recently
/// needed levels until it has freed at least the requested bytes.
fn evict_levels(tier: Tier, requested: u64) -> u64 {
    SCENE_CALLS.fetch_add(1, Ordering::SeqCst);
    if tier != Tier::Scene || requested != REQUEST as u64 {
        SCENE_WRONG_CALLS.fetch_add(1, Ordering::SeqCst);
        return 0;
    }
    if !SCENE_EVICT.load(Ordering::SeqCst) {
        return 0;
    }
    // SAFETY: the test stored a live instance that outlives its hooks' calls.
    let w = unsafe { &*(SCENE_WALLOC.load(Ordering::SeqCst) as *const Walloc) };
    let mut freed = 0u64;
    for slot in &SCENE_LEVELS {
        if freed >= requested {
            break;
        }
        let p = slot.swap(0, Ordering::SeqCst);
        if let Some(p) = NonNull::new(p as *mut u8) {
            // SAFETY: every stored address is a live Scene block of `LEVEL` bytes.
            unsafe { w.dealloc(p, layout(LEVEL, 16)) };
            freed += LEVEL as u64;
            SCENE_EVICTED.fetch_add(1, Ordering::SeqCst);
        }
    }
    freed
}

#[test]
fn scene_over_budget_runs_the_reclaim_hooks_with_scene_and_the_size() {
    let w = small(16);
    SCENE_WALLOC.store(&*w as *const Walloc as usize, Ordering::SeqCst);
    // Fill Scene with levels until its budget (plus the few pages no budget claims) is spent;
    // no hook is registered yet, so the failure that ends the loop evicts nothing.
    let mut count = 0;
    while let Ok(p) = w.try_alloc(Tier::Scene, layout(LEVEL, 16)) {
        // SAFETY: a fresh block of `LEVEL` bytes.
        unsafe { p.as_ptr().write_bytes(count as u8, LEVEL) };
        SCENE_LEVELS[count].store(p.as_ptr() as usize, Ordering::SeqCst);
        count += 1;
        assert!(count < SCENE_LEVELS.len(), "the budget must stop this loop");
    }
    let full = *w.stats().tier(Tier::Scene);
    assert!(
        count >= 16,
        "{count} levels of 256 KiB in a 4.75 MiB budget"
    );
    assert!(full.used > full.budget * 9 / 10, "{full:?}");
    assert_eq!(full.failures, 1);
    w.add_reclaim_hook(&evict_levels).unwrap();

    // A hook that cannot help: the allocation fails with the numbers, after one call.
    let err = w.try_alloc(Tier::Scene, layout(REQUEST, 16)).unwrap_err();
    let AllocError::OutOfMemory(oom) = err else {
        panic!("expected OutOfMemory, got {err:?}")
    };
    assert_eq!((oom.tier, oom.requested), (Tier::Scene, REQUEST as u64));
    assert!(oom.available < REQUEST as u64);
    assert_eq!(SCENE_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(w.stats().tier(Tier::Scene).failures, 2);

    // A hook that evicts: the allocation succeeds in Scene, within the budget.
    SCENE_EVICT.store(true, Ordering::SeqCst);
    let p = w
        .try_alloc(Tier::Scene, layout(REQUEST, 16))
        .expect("the hook makes room");
    assert_eq!(w.tier_of(p.as_ptr()), Some(Tier::Scene));
    let calls = SCENE_CALLS.load(Ordering::SeqCst) - 1;
    // Four evicted levels free 1 MiB, but not one block that fits a 1 MiB request with its
    // header and size-class rounding: the hooks run again (two rounds here).
    assert!((2..=MAX_RECLAIM_ROUNDS as u64).contains(&calls), "{calls}");
    assert_eq!(SCENE_WRONG_CALLS.load(Ordering::SeqCst), 0);
    let evicted = SCENE_EVICTED.load(Ordering::SeqCst);
    assert!(evicted >= (REQUEST / LEVEL) as u64, "{evicted}");
    let s = *w.stats().tier(Tier::Scene);
    assert_eq!(s.frees, evicted);
    assert_eq!(s.failures, 2, "the evicting call did not fail");
    assert_eq!(s.held, full.held, "room was made inside Scene's own pages");
    // The levels that were not evicted kept their bytes (a sample under miri).
    let stride = if cfg!(miri) { 4099 } else { 1 };
    for (i, slot) in SCENE_LEVELS.iter().enumerate().take(count) {
        let addr = slot.load(Ordering::SeqCst);
        if addr != 0 {
            // SAFETY: a live level of `LEVEL` bytes.
            let bytes = unsafe { core::slice::from_raw_parts(addr as *const u8, LEVEL) };
            assert!(bytes.iter().step_by(stride).all(|&b| b == i as u8), "{i}");
        }
    }
    // Other tiers never saw a hook call and keep working.
    let g = w.try_alloc(Tier::General, layout(4096, 16)).unwrap();
    assert_eq!(SCENE_WRONG_CALLS.load(Ordering::SeqCst), 0);
    // SAFETY: live blocks of `w`.
    unsafe {
        w.dealloc(g, layout(4096, 16));
        w.dealloc(p, layout(REQUEST, 16));
        for slot in &SCENE_LEVELS {
            if let Some(level) = NonNull::new(slot.swap(0, Ordering::SeqCst) as *mut u8) {
                w.dealloc(level, layout(LEVEL, 16));
            }
        }
    }
    assert_eq!(w.check_heaps(), [0, 0, 0]);
}

#[test]
fn scene_available_falls_as_it_fills_and_returns_when_freed() {
    // No lending: Scene stops at its own budget, and Entity's is untouched.
    let mut config = Config::DEFAULT.with_ceiling(16 * MIB);
    config.lends = [false; 4];
    let w = Walloc::with_heap_backing(config).unwrap();
    let empty = w.available(Tier::Scene);
    assert!(empty >= w.config().budget_bytes(Tier::Scene), "{empty}");
    let l = layout(300 * KIB, 8);
    let mut live = Vec::new();
    let mut before = empty;
    while let Ok(p) = w.try_alloc(Tier::Scene, l) {
        live.push(p);
        let after = w.available(Tier::Scene);
        assert!(
            after + l.size() as u64 <= before,
            "block {}: {before} -> {after}",
            live.len()
        );
        before = after;
        assert!(live.len() < 64, "the budget must stop this loop");
    }
    assert!(before < l.size() as u64 + 64 * KIB as u64, "{before} left");
    assert!(live.len() >= 14, "{} blocks", live.len());
    // Another heap tier's figure does not move with Scene's.
    assert!(w.available(Tier::Entity) >= w.config().budget_bytes(Tier::Entity));
    for p in live {
        // SAFETY: live blocks of `w` with layout `l`.
        unsafe { w.dealloc(p, l) };
    }
    assert_eq!(
        w.available(Tier::Scene),
        empty,
        "freed blocks are available again"
    );
    assert!(w.trim() > 0, "Scene's free pools go back to the region");
    assert_eq!(w.available(Tier::Scene), empty);
    assert_eq!(w.stats().tier(Tier::Scene).held, 0);
}
