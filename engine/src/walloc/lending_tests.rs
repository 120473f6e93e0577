//! Tests of budget lending: a tier past its budget borrows the unused budget of tiers that lend,
//! and the owner takes it back (the borrowers' reclaim hooks making room) when it needs it.
//! Each test has its own instance and statics: the hooks of one never see another's.

use core::alloc::Layout;
use core::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use super::*;

const MIB: u64 = 1 << 20;

/// 16 MiB, all of it guaranteed: Render 4, Scene 8, Entity 2, General 2 MiB. Render, Scene and
/// Entity lend (the default); General does not.
fn guaranteed_16() -> Box<Walloc> {
    let config = Config::DEFAULT
        .with_ceiling(16 * MIB)
        .with_budget(Tier::Render, Budget::Bytes(4 * MIB))
        .with_budget(Tier::Scene, Budget::Bytes(8 * MIB))
        .with_budget(Tier::Entity, Budget::Bytes(2 * MIB))
        .with_budget(Tier::General, Budget::Bytes(2 * MIB));
    Walloc::with_heap_backing(config).unwrap()
}

fn layout(bytes: u64) -> Layout {
    Layout::from_size_align(bytes as usize, 16).unwrap()
}

/// Fills a block with `byte` and checks it later: lending never touches live data.
fn fill(p: NonNull<u8>, l: Layout, byte: u8) {
    // SAFETY: `p` is a live block of `l.size()` bytes.
    unsafe { p.as_ptr().write_bytes(byte, l.size()) };
}

fn holds(p: NonNull<u8>, l: Layout, byte: u8) -> bool {
    // SAFETY: `p` is a live block of `l.size()` bytes.
    let bytes = unsafe { core::slice::from_raw_parts(p.as_ptr(), l.size()) };
    let stride = if cfg!(miri) { 4093 } else { 1 };
    bytes.iter().step_by(stride).all(|&b| b == byte)
}

#[test]
fn a_tier_past_its_budget_borrows_the_unused_budget_of_lending_tiers() {
    let w = guaranteed_16();
    // 10 MiB for a 2 MiB tier: all 16 MiB are guaranteed, so this is Render's and Scene's
    // unused budget.
    let big = layout(10 * MIB);
    let p = w
        .try_alloc(Tier::Entity, big)
        .expect("lent budget serves it");
    fill(p, big, 7);
    let entity = *w.stats().tier(Tier::Entity);
    assert!(entity.borrowed >= 8 * MIB, "borrowed {}", entity.borrowed);
    // General lends nothing: its 2 MiB stay free for it, so Entity stops short of them...
    assert!(w.available(Tier::Entity) < 4 * MIB);
    assert!(matches!(
        w.try_alloc(Tier::Entity, layout(4 * MIB)),
        Err(AllocError::OutOfMemory(_))
    ));
    // ...and General still gets them.
    let g = w
        .try_alloc(Tier::General, layout(MIB + MIB / 2))
        .expect("General's budget is kept for it");
    assert!(holds(p, big, 7));
    // SAFETY: live blocks of `w`.
    unsafe {
        w.dealloc(g, layout(MIB + MIB / 2));
        w.dealloc(p, big);
    }
    w.trim();
    assert_eq!(w.stats().tier(Tier::Entity).held, 0);
}

static TAKE_BACK_WALLOC: AtomicUsize = AtomicUsize::new(0);
static TAKE_BACK_CACHE: AtomicUsize = AtomicUsize::new(0);
/// Bit `tier.index()` set for each tier the hook was asked about.
static TAKE_BACK_ASKED: AtomicU32 = AtomicU32::new(0);
const CACHE: u64 = 10 * MIB;

fn evict_entity_cache(tier: Tier, _requested: u64) -> u64 {
    TAKE_BACK_ASKED.fetch_or(1 << tier.index(), Ordering::SeqCst);
    if tier != Tier::Entity {
        return 0;
    }
    let cache = TAKE_BACK_CACHE.swap(0, Ordering::SeqCst);
    if cache == 0 {
        return 0;
    }
    // SAFETY: the test stored its live instance and a live block of it with this layout.
    unsafe {
        let w = &*(TAKE_BACK_WALLOC.load(Ordering::SeqCst) as *const Walloc);
        w.dealloc(NonNull::new(cache as *mut u8).unwrap(), layout(CACHE));
    }
    CACHE
}

#[test]
fn an_owner_takes_its_lent_budget_back_through_the_borrowers_reclaim_hooks() {
    let w = guaranteed_16();
    TAKE_BACK_WALLOC.store(&*w as *const Walloc as usize, Ordering::SeqCst);
    w.add_reclaim_hook(&evict_entity_cache).unwrap();
    // An Entity-tier cache on Scene's unused budget.
    let cache = w.try_alloc(Tier::Entity, layout(CACHE)).unwrap();
    TAKE_BACK_CACHE.store(cache.as_ptr() as usize, Ordering::SeqCst);

    // General past its own budget (and past the free pages) is not an owner taking anything
    // back: only General is asked, and it fails typed (the cache stays).
    let over = w.try_alloc(Tier::General, layout(6 * MIB));
    assert!(matches!(over, Err(AllocError::OutOfMemory(_))), "{over:?}");
    assert_eq!(
        TAKE_BACK_ASKED.load(Ordering::SeqCst),
        1 << Tier::General.index()
    );
    assert_ne!(TAKE_BACK_CACHE.load(Ordering::SeqCst), 0);

    // Scene asks for 7 MiB of its own 8: the borrower is asked to give back, does, and Scene
    // gets its budget.
    let scene = layout(7 * MIB);
    let p = w
        .try_alloc(Tier::Scene, scene)
        .expect("the owner gets its budget back");
    fill(p, scene, 3);
    assert_ne!(
        TAKE_BACK_ASKED.load(Ordering::SeqCst) & (1 << Tier::Entity.index()),
        0,
        "the borrowing tier was asked"
    );
    assert_eq!(TAKE_BACK_CACHE.load(Ordering::SeqCst), 0, "the cache went");
    let stats = w.stats();
    assert_eq!(stats.tier(Tier::Entity).held, 0);
    assert_eq!(stats.tier(Tier::Scene).borrowed, 0);
    // SAFETY: live block of `w`.
    unsafe { w.dealloc(p, scene) };
}

#[test]
fn lent_budget_a_borrower_keeps_live_leaves_the_owner_a_typed_error() {
    let w = guaranteed_16();
    // Entity borrows and keeps its blocks live; nobody can make it give them back.
    let big = layout(10 * MIB);
    let p = w.try_alloc(Tier::Entity, big).unwrap();
    fill(p, big, 9);
    let scene = layout(7 * MIB);
    let err = w.try_alloc(Tier::Scene, scene).unwrap_err();
    let AllocError::OutOfMemory(oom) = err else {
        panic!("expected OutOfMemory, got {err:?}")
    };
    assert_eq!((oom.tier, oom.requested), (Tier::Scene, 7 * MIB));
    assert!(oom.available < 7 * MIB);
    // The Render arena's owner too: typed, nothing lost.
    let arena = w.arena(Tier::Render).unwrap();
    assert!(arena.alloc_layout(layout(4 * MIB - 4096)).is_err());
    assert!(holds(p, big, 9));
    // Once the borrower frees, the owners get their budgets (the freed pool goes back when
    // they ask).
    // SAFETY: live block of `w`.
    unsafe { w.dealloc(p, big) };
    let q = w
        .try_alloc(Tier::Scene, scene)
        .expect("Scene's budget is back");
    arena
        .alloc_layout(layout(4 * MIB - 4096))
        .expect("Render's budget is back");
    // SAFETY: live block of `w`.
    unsafe { w.dealloc(q, scene) };
}

#[test]
fn without_lending_a_tier_stops_at_its_budget_and_the_unguaranteed_pages() {
    let mut config = guaranteed_16().config();
    config.lends = [false; 4];
    let w = Walloc::with_heap_backing(config).unwrap();
    assert!(matches!(
        w.try_alloc(Tier::Entity, layout(4 * MIB)),
        Err(AllocError::OutOfMemory(_))
    ));
    assert!(w.available(Tier::Entity) <= 2 * MIB);
}
