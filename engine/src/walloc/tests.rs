//! Tests of walloc instances: each policy, budgets and borrowing, reclaim, and a model test of
//! random operations against a reference. All use the heap backing, so they also run under
//! miri (with fewer steps).

use core::alloc::Layout;
use core::ptr::NonNull;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::*;

const MIB: u64 = 1 << 20;

fn small(ceiling_mib: u64) -> Box<Walloc> {
    Walloc::with_heap_backing(Config::DEFAULT.with_ceiling(ceiling_mib * MIB)).unwrap()
}

/// `small`, with no tier lending its unused budget (lending has its own tests).
fn small_without_lending(ceiling_mib: u64) -> Box<Walloc> {
    let mut config = Config::DEFAULT.with_ceiling(ceiling_mib * MIB);
    config.lends = [false; 4];
    Walloc::with_heap_backing(config).unwrap()
}

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

#[test]
fn heap_tiers_allocate_free_and_reuse() {
    let w = small(16);
    let l = layout(200, 8);
    let a = w.try_alloc(Tier::General, l).unwrap();
    assert_eq!(a.as_ptr() as usize % 16, 0);
    assert_eq!(w.tier_of(a.as_ptr()), Some(Tier::General));
    // SAFETY: `a` is live in `w` with layout `l`.
    unsafe { w.dealloc(a, l) };
    let b = w.try_alloc(Tier::General, l).unwrap();
    assert_eq!(a, b, "freed memory is reused");
    let e = w.try_alloc(Tier::Entity, l).unwrap();
    assert_eq!(w.tier_of(e.as_ptr()), Some(Tier::Entity));
    let c = w.try_alloc(Tier::Scene, l).unwrap();
    assert_eq!(w.tier_of(c.as_ptr()), Some(Tier::Scene));
    assert_eq!(
        c.as_ptr() as usize % 64,
        0,
        "Scene blocks are 64-byte aligned"
    );
    let s = w.stats();
    assert_eq!(s.tier(Tier::General).allocations, 2);
    assert_eq!(s.tier(Tier::General).frees, 1);
    assert!(s.tier(Tier::General).used >= 200);
    assert_eq!(s.tier(Tier::Entity).allocations, 1);
    assert_eq!(s.tier(Tier::Scene).allocations, 1);
    assert!(s.tier(Tier::Scene).used >= 200);
    assert_eq!(s.tier(Tier::Render).held, 0);
    // SAFETY: all three are live.
    unsafe {
        w.dealloc(b, l);
        w.dealloc(e, l);
        w.dealloc(c, l);
    }
    assert_eq!(w.stats().tier(Tier::Scene).frees, 1);
    assert_eq!(w.check_heaps(), [0, 0, 0]);
    assert_eq!(w.stats().tier(Tier::General).used, 0);
}

#[test]
fn heap_honours_large_alignments_and_tier_alignment() {
    let w = Walloc::with_heap_backing(
        Config::DEFAULT
            .with_ceiling(16 * MIB)
            .with_alignment(Tier::Entity, 64),
    )
    .unwrap();
    let mut live = Vec::new();
    for align in [1, 8, 16, 32, 64, 256, 4096] {
        let l = layout(24, align);
        let p = w.try_alloc(Tier::General, l).unwrap();
        assert_eq!(p.as_ptr() as usize % align, 0, "align {align}");
        live.push((p, l));
        let e = w.try_alloc(Tier::Entity, layout(24, align)).unwrap();
        assert_eq!(
            e.as_ptr() as usize % align.max(64),
            0,
            "entity tier aligns to 64"
        );
        live.push((e, l));
    }
    w.check_heaps();
    for (p, l) in live {
        // SAFETY: live allocations of `w`.
        unsafe { w.dealloc(p, l) };
    }
    assert_eq!(w.check_heaps(), [0, 0, 0]);
}

#[test]
fn realloc_grows_in_place_and_keeps_contents() {
    let w = small(32);
    let mut l = layout(64, 8);
    let mut p = w.try_alloc(Tier::General, l).unwrap();
    // SAFETY: `p` holds `l.size()` bytes.
    unsafe { p.as_ptr().write_bytes(0xAB, 64) };
    let first = p;
    let mut moved = 0;
    let mut size = 64;
    while size < 512 * 1024 {
        size *= 2;
        // SAFETY: `p` is live with layout `l`.
        let q = unsafe { w.try_realloc(p, l, size) }.unwrap();
        if q != p {
            moved += 1;
        }
        p = q;
        l = layout(size, 8);
    }
    // SAFETY: the first 64 bytes were written and survive every resize.
    let kept = unsafe { core::slice::from_raw_parts(p.as_ptr(), 64) };
    assert!(kept.iter().all(|&b| b == 0xAB));
    assert_eq!(
        p, first,
        "the only block grows in place, extending its pool"
    );
    assert_eq!(moved, 0);
    // SAFETY: shrink and free the live block.
    unsafe {
        let q = w.try_realloc(p, l, 16).unwrap();
        assert_eq!(q, p);
        w.dealloc(q, layout(16, 8));
    }
    assert_eq!(w.check_heaps(), [0, 0, 0]);
}

#[test]
fn arena_bumps_at_tier_alignment_and_resets_to_reuse() {
    let w = small(16);
    let mut a = w.arena(Tier::Render).unwrap();
    let x = a.alloc(1u8).unwrap() as *mut u8 as usize;
    let y = a.alloc(2u8).unwrap() as *mut u8 as usize;
    assert_eq!(x % 128, 0);
    assert_eq!(y - x, 128, "Render allocations are 128-byte aligned");
    assert_eq!(w.tier_of(x as *const u8), Some(Tier::Render));
    let built = a.alloc_with(|| [7u8; 32]).unwrap();
    assert_eq!(*built, [7u8; 32]);
    assert_eq!(
        built.as_ptr() as usize,
        y + 128,
        "built in place in the next slot"
    );
    a.alloc_layout(layout(1_200_000, 4)).unwrap();
    let before = *w.stats().tier(Tier::Render);
    assert!(before.used >= 1_200_000);
    a.reset();
    assert_eq!(a.position(), 0);
    let z = a.alloc(3u8).unwrap() as *mut u8 as usize;
    assert_eq!(z, x, "reset reuses the arena from its start");
    let after = *w.stats().tier(Tier::Render);
    assert_eq!(
        after.held, before.held,
        "reset keeps the pages for the next frame"
    );
    assert!(after.peak >= before.used);
}

#[test]
fn arena_alignment_floor_is_the_owners_choice() {
    let w = small(16);
    let mut a = w.arena(Tier::Render).unwrap();
    assert_eq!(
        a.alignment(),
        128,
        "the tier's alignment is the default floor"
    );
    assert!(a.set_alignment(48).is_err(), "not a power of two");
    assert!(a.set_alignment(8192).is_err(), "above 4096");
    a.set_alignment(64).unwrap();
    let x = a.alloc([1u8; 64]).unwrap().as_ptr() as usize;
    let y = a.alloc([2u8; 64]).unwrap().as_ptr() as usize;
    assert_eq!(y - x, 64, "64 B values pack at a 64 B floor");
    let z = a.alloc(3u8).unwrap() as *mut u8 as usize;
    assert_eq!(z - y, 64, "sizes round up to the floor");
    #[repr(align(256))]
    struct Wide(u8);
    let wide = a.alloc(Wide(4)).unwrap();
    assert_eq!(wide.0, 4);
    let wide = wide as *mut Wide as usize;
    assert_eq!(
        wide % 256,
        0,
        "a value's own alignment above the floor is honoured"
    );
    assert_eq!(a.alloc(5u8).unwrap() as *mut u8 as usize, wide + 256);
    // Stats see the owner's cursor exactly, also from another thread.
    let position = a.position() as u64;
    // (wasm has no threads: there the owner's own thread reads them.)
    #[cfg(not(target_family = "wasm"))]
    let seen = std::thread::scope(|s| s.spawn(|| w.stats()).join().unwrap());
    #[cfg(target_family = "wasm")]
    let seen = w.stats();
    assert_eq!(seen.tier(Tier::Render).used, position);
    assert_eq!(seen.tier(Tier::Render).allocations, 5);
    // Raising the floor rounds the cursor up to it.
    a.set_alignment(256).unwrap();
    let next = a.alloc(6u8).unwrap() as *mut u8 as usize;
    assert_eq!(next % 256, 0);
}

#[test]
fn arena_parallel_fill_writes_every_slot_in_order() {
    let w = small(16);
    let a = w.arena(Tier::Render).unwrap();
    // Over several parallel chunks, with a ragged last one; small enough for miri.
    let len = if cfg!(miri) { 20_000 } else { 100_003 };
    let handle = a
        .alloc_slice_par_with_handle(len, |i| (i as u64) * 3 + 1)
        .unwrap();
    let slice = a.get(handle).unwrap();
    assert_eq!(slice.len(), len);
    assert!(
        slice
            .iter()
            .enumerate()
            .all(|(i, &v)| v == i as u64 * 3 + 1)
    );
    assert_eq!(w.tier_of(slice.as_ptr().cast()), Some(Tier::Render));
    let empty = a.alloc_slice_par_with_handle(0, |_| 0u8).unwrap();
    assert!(a.get(empty).unwrap().is_empty());
}

#[test]
fn arena_parts_fill_writes_each_part_in_its_place() {
    let w = small(16);
    let a = w.arena(Tier::Render).unwrap();
    // Parts of every size, empty ones included; part p holds p * 1000 + 0, 1, 2, ...
    let lens: Vec<usize> = if cfg!(miri) {
        vec![3, 0, 7, 1]
    } else {
        vec![5000, 0, 1, 40_000, 0, 777, 12_345]
    };
    let handle = a
        .alloc_slice_par_parts_with_handle(&lens, |p| (0..lens[p]).map(move |i| p * 1_000_000 + i))
        .unwrap();
    let expected: Vec<usize> = lens
        .iter()
        .enumerate()
        .flat_map(|(p, &n)| (0..n).map(move |i| p * 1_000_000 + i))
        .collect();
    let slice = a.get(handle).unwrap();
    assert_eq!(slice, &expected[..]);
    assert_eq!(w.tier_of(slice.as_ptr().cast()), Some(Tier::Render));
    // An iterator shorter or longer than its part is a panic, never a half-written slice
    // (checked natively: on wasm32-wasip1 a panic aborts the test binary).
    #[cfg(not(target_family = "wasm"))]
    for wrong in [2usize, 4] {
        let short = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            a.alloc_slice_par_parts_with_handle(&[1, 3], |p| 0..if p == 1 { wrong } else { 1 })
        }));
        assert!(short.is_err(), "part of 3 given {wrong} values");
    }
}

#[test]
fn arena_has_one_owner_and_heaps_are_not_arenas() {
    let w = small(16);
    let a = w.arena(Tier::Render).unwrap();
    assert_eq!(
        w.arena(Tier::Render).err(),
        Some(ArenaError::AlreadyOwned { tier: Tier::Render })
    );
    for tier in [Tier::Scene, Tier::Entity, Tier::General] {
        assert!(!tier.is_arena());
        assert_eq!(w.arena(tier).err(), Some(ArenaError::NotAnArena { tier }));
    }
    assert!(Tier::Render.is_arena());
    assert_eq!(
        w.try_alloc(Tier::Render, layout(8, 8)).err(),
        Some(AllocError::NotAHeap { tier: Tier::Render })
    );
    let h = a.alloc_handle(42u64).unwrap();
    drop(a);
    let a = w
        .arena(Tier::Render)
        .expect("released when the owner drops");
    assert_eq!(*a.get(h).unwrap(), 42, "contents survive a change of owner");
}

#[test]
fn marks_rewind_and_scopes_free_what_came_after() {
    let w = small(16);
    let mut a = w.arena(Tier::Render).unwrap();
    let keep = a.alloc_handle([1u64; 4]).unwrap();
    let mark = a.mark();
    let temp = a.alloc_handle([2u64; 4]).unwrap();
    let pos = a.position();
    a.rewind(mark).unwrap();
    assert_eq!(a.position(), mark.position());
    assert!(a.get(keep).is_ok(), "allocated before the mark: still live");
    let err = a.get(temp).unwrap_err();
    assert_eq!(err.tier, Tier::Render);
    assert!(
        a.rewind(mark).is_ok(),
        "rewinding to the current position is fine"
    );
    let r = a.scope(|s| {
        s.alloc_slice_fill(1000, 0u8).unwrap();
        s.position()
    });
    assert!(r > a.position());
    assert!(pos > a.position());
    // A mark from past the position (after a rewind) is refused.
    let late = {
        a.alloc(0u64).unwrap();
        a.mark()
    };
    a.rewind(mark).unwrap();
    assert!(a.rewind(late).is_err());
}

#[test]
fn reset_makes_old_handles_stale() {
    let w = small(16);
    let mut a = w.arena(Tier::Render).unwrap();
    let h = a.alloc_slice_handle(&[1.0f32, 2.0, 3.0]).unwrap();
    assert_eq!(a.get(h).unwrap(), &[1.0, 2.0, 3.0]);
    a.get_mut(h).unwrap()[0] = 5.0;
    assert_eq!(a.get(h).unwrap()[0], 5.0);
    a.reset();
    a.alloc_slice_fill(3, 9.0f32).unwrap();
    assert!(
        a.get(h).is_err(),
        "memory from before a reset is never read"
    );
    let other = small(16);
    let b = other.arena(Tier::Render).unwrap();
    let foreign = b.alloc_handle(1u8).unwrap();
    assert!(
        a.get(foreign).is_err(),
        "handles of another instance are refused"
    );
}

#[test]
fn compact_keeps_prefix_and_returns_pages() {
    let w = small(64);
    let mut a = w.arena(Tier::Render).unwrap();
    let level = a.alloc_slice_handle(&[7u32; 1000]).unwrap();
    let keep = a.position();
    for _ in 0..8 {
        a.alloc_layout(layout(1_000_000, 4)).unwrap();
    }
    let held_before = w.stats().tier(Tier::Render).held;
    assert!(held_before >= 8 * MIB);
    a.compact(keep);
    assert_eq!(a.position(), keep);
    let held_after = w.stats().tier(Tier::Render).held;
    assert!(
        held_after <= PAGE_SIZE as u64 * 2,
        "pages past the prefix go back to the region ({held_after} held)"
    );
    assert!(
        a.get(level).unwrap().iter().all(|&v| v == 7),
        "the prefix survives"
    );
    // Returned pages serve other tiers.
    let p = w.try_alloc(Tier::General, layout(100, 8)).unwrap();
    assert_eq!(w.tier_of(p.as_ptr()), Some(Tier::General));
    // The arena grows again after compacting.
    let again = a.alloc_layout(layout(2_000_000, 4)).unwrap();
    // SAFETY: the block has 2,000,000 bytes.
    unsafe { again.as_ptr().add(1_999_999).write(3) };
}

#[test]
fn full_tier_fails_typed_and_others_keep_working() {
    // Entity gets 15 % of 16 MiB = 2.4 MiB (36 pages); budgets add up to the ceiling and no
    // tier lends, so there is nothing to borrow.
    let w = small_without_lending(16);
    let budget = w.config().budget_bytes(Tier::Entity);
    let l = layout(64 * 1024 - 64, 16);
    let mut live = Vec::new();
    let err = loop {
        match w.try_alloc(Tier::Entity, l) {
            Ok(p) => {
                // SAFETY: fresh block of `l.size()` bytes.
                unsafe { p.as_ptr().write_bytes(live.len() as u8, l.size()) };
                live.push(p);
            }
            Err(e) => break e,
        }
        assert!(live.len() < 1000, "the budget must stop this loop");
    };
    let AllocError::OutOfMemory(oom) = err else {
        panic!("expected OutOfMemory, got {err:?}")
    };
    assert_eq!(oom.tier, Tier::Entity);
    assert_eq!(oom.requested, l.size() as u64);
    assert!(oom.available < l.size() as u64);
    let s = w.stats();
    // Budgets are whole pages; the pages lost to rounding are the only ones to borrow.
    let config = w.config();
    let rounding: u64 = config.ceiling
        - Tier::ALL
            .iter()
            .map(|&t| config.budget_bytes(t))
            .sum::<u64>();
    assert!(s.tier(Tier::Entity).held <= budget + rounding);
    assert!(s.tier(Tier::Entity).used as f64 > budget as f64 * 0.9);
    assert_eq!(s.tier(Tier::Entity).failures, 1);
    // Other tiers keep working.
    let g = w.try_alloc(Tier::General, layout(4096, 16)).unwrap();
    let a = w.arena(Tier::Render).unwrap();
    a.alloc_layout(layout(1_000_000, 1)).unwrap();
    // No live data was touched (every byte natively, a sample under miri, which is slow).
    let stride = if cfg!(miri) { 4093 } else { 1 };
    for (i, p) in live.iter().enumerate() {
        // SAFETY: live block of `l.size()` bytes.
        let bytes = unsafe { core::slice::from_raw_parts(p.as_ptr(), l.size()) };
        assert!(bytes.iter().step_by(stride).all(|&b| b == i as u8));
    }
    // Freeing makes room again.
    // SAFETY: live blocks of `w`.
    unsafe { w.dealloc(live.pop().unwrap(), l) };
    assert!(w.try_alloc(Tier::Entity, l).is_ok());
    // SAFETY: live block.
    unsafe { w.dealloc(g, layout(4096, 16)) };
}

#[test]
fn over_budget_borrows_unguaranteed_pages_up_to_the_ceiling() {
    // Budgets add up to 4 MiB of a 16 MiB ceiling: 12 MiB are anyone's to borrow.
    let config = Config::DEFAULT
        .with_ceiling(16 * MIB)
        .with_budget(Tier::Render, Budget::Bytes(MIB))
        .with_budget(Tier::Scene, Budget::Bytes(MIB))
        .with_budget(Tier::Entity, Budget::Bytes(MIB))
        .with_budget(Tier::General, Budget::Bytes(MIB));
    let config = Tier::ALL
        .into_iter()
        .fold(config, |c, t| c.with_lending(t, false));
    let w = Walloc::with_heap_backing(config).unwrap();
    let l = layout(4 * MIB as usize, 16);
    let p = w.try_alloc(Tier::Entity, l).unwrap();
    let s = *w.stats().tier(Tier::Entity);
    assert!(s.borrowed >= 3 * MIB, "borrowed {}", s.borrowed);
    // Borrowing never eats another tier's guarantee: Render still gets its 1 MiB...
    let a = w.arena(Tier::Render).unwrap();
    a.alloc_layout(layout((MIB - 256) as usize, 1)).unwrap();
    // ...but nobody can borrow past the ceiling.
    let q = w.try_alloc(Tier::General, layout(20 * MIB as usize, 16));
    assert!(matches!(q, Err(AllocError::OutOfMemory(_))));
    // SAFETY: live block.
    unsafe { w.dealloc(p, l) };
    assert!(
        w.trim() >= 4 * MIB,
        "fully free pools go back to the region"
    );
    assert_eq!(w.stats().tier(Tier::Entity).held, 0);
}

static HOOK_CALLS: AtomicU64 = AtomicU64::new(0);
static HOOK_VICTIM: AtomicUsize = AtomicUsize::new(0);
static HOOK_WALLOC: AtomicUsize = AtomicUsize::new(0);

#[test]
fn reclaim_hooks_run_before_failing() {
    let w = small_without_lending(16);
    HOOK_WALLOC.store(&*w as *const Walloc as usize, Ordering::SeqCst);
    // A "cache" fills the General tier; the hook evicts it when someone needs memory.
    let budget = w.config().budget_bytes(Tier::General) as usize;
    let cache_layout = layout(budget / 2, 16);
    let cache = w.try_alloc(Tier::General, cache_layout).unwrap();
    HOOK_VICTIM.store(cache.as_ptr() as usize, Ordering::SeqCst);
    w.add_reclaim_hook(&|tier, _requested| {
        HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
        let victim = HOOK_VICTIM.swap(0, Ordering::SeqCst);
        if tier != Tier::General || victim == 0 {
            return 0;
        }
        // SAFETY: the test stored a live instance and a live block of it with this layout.
        unsafe {
            let w = &*(HOOK_WALLOC.load(Ordering::SeqCst) as *const Walloc);
            let l = Layout::from_size_align(victim_size(w), 16).unwrap();
            w.dealloc(NonNull::new(victim as *mut u8).unwrap(), l);
            l.size() as u64
        }
    })
    .unwrap();
    let need = layout(budget * 3 / 4, 16);
    let p = w
        .try_alloc(Tier::General, need)
        .expect("the hook makes room");
    assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 1);
    // SAFETY: live block.
    unsafe { w.dealloc(p, need) };
    fn victim_size(w: &Walloc) -> usize {
        w.config().budget_bytes(Tier::General) as usize / 2
    }
}

#[test]
fn set_config_checks_the_ceiling() {
    let w = small(16);
    let _p = w.try_alloc(Tier::General, layout(100, 8)).unwrap();
    assert!(matches!(
        w.set_config(Config::DEFAULT.with_ceiling(32 * MIB)),
        Err(ConfigError::CeilingOutOfRange { .. })
    ));
    w.set_config(Config::DEFAULT.with_ceiling(8 * MIB)).unwrap();
    assert_eq!(w.stats().ceiling, 8 * MIB);
}

/// Model test: random operations on all four tiers (three heaps, one arena) against a reference
/// list of live blocks.
/// Checks after every step that no two live blocks overlap, and periodically that every block
/// kept its contents and the heaps' block invariants hold.
#[test]
fn model_random_operations_keep_blocks_disjoint_and_intact() {
    let steps = if cfg!(miri) { 300 } else { 20_000 };
    let mut rng = SmallRng::seed_from_u64(0x5EED_1A7E);
    let w = small(48);
    let mut render = w.arena(Tier::Render).unwrap();

    #[derive(Clone, Copy, Debug)]
    struct Live {
        addr: usize,
        size: usize,
        align: usize,
        tier: Tier,
        tag: u8,
        /// Arena position after this block (arena blocks only).
        end: usize,
    }
    let mut live: Vec<Live> = Vec::new();
    let mut next_tag = 1u8;
    let fill = |b: &Live| {
        // SAFETY: the block is live with `size` bytes.
        unsafe { (b.addr as *mut u8).write_bytes(b.tag, b.size) }
    };
    // Every byte natively; a sample under miri, which interprets each read.
    let stride = if cfg!(miri) { 97 } else { 1 };
    let intact = |b: &Live| {
        // SAFETY: the block is live with `size` bytes.
        let bytes = unsafe { core::slice::from_raw_parts(b.addr as *const u8, b.size) };
        bytes.iter().step_by(stride).all(|&x| x == b.tag) && bytes[b.size - 1] == b.tag
    };
    let mut tag = || {
        next_tag = next_tag.wrapping_add(1).max(1);
        next_tag
    };
    let mut render_mark = None::<Mark>;

    for step in 0..steps {
        let op = rng.random_range(0..100);
        let size = if rng.random_bool(0.05) {
            rng.random_range(1..if cfg!(miri) { 4_000 } else { 200_000 })
        } else {
            rng.random_range(1..300)
        };
        let align = 1 << rng.random_range(0..8);
        match op {
            0..=34 => {
                let tier = [Tier::Scene, Tier::Entity, Tier::General][rng.random_range(0..3)];
                if let Ok(p) = w.try_alloc(tier, layout(size, align)) {
                    let b = Live {
                        addr: p.as_ptr() as usize,
                        size,
                        align,
                        tier,
                        tag: tag(),
                        end: 0,
                    };
                    assert_eq!(b.addr % align.max(w.config().alignment(tier)), 0);
                    fill(&b);
                    live.push(b);
                }
            }
            35..=59 => {
                let heaps: Vec<usize> = (0..live.len())
                    .filter(|&i| !live[i].tier.is_arena())
                    .collect();
                if let Some(&i) = heaps.get(rng.random_range(0..heaps.len().max(1))) {
                    let b = live.swap_remove(i);
                    assert!(intact(&b), "step {step}: {b:?} corrupted");
                    // SAFETY: live block of `w` with this layout.
                    unsafe {
                        w.dealloc(
                            NonNull::new(b.addr as *mut u8).unwrap(),
                            layout(b.size, b.align),
                        )
                    };
                }
            }
            60..=74 => {
                let heaps: Vec<usize> = (0..live.len())
                    .filter(|&i| !live[i].tier.is_arena())
                    .collect();
                if let Some(&i) = heaps.get(rng.random_range(0..heaps.len().max(1))) {
                    let b = live[i];
                    assert!(intact(&b), "step {step}: {b:?} corrupted");
                    let ptr = NonNull::new(b.addr as *mut u8).unwrap();
                    // SAFETY: live block of `w` with this layout.
                    if let Ok(q) = unsafe { w.try_realloc(ptr, layout(b.size, b.align), size) } {
                        let kept = b.size.min(size);
                        let nb = Live {
                            addr: q.as_ptr() as usize,
                            size,
                            tag: tag(),
                            ..b
                        };
                        // SAFETY: the first `kept` bytes were copied or stayed in place.
                        let bytes =
                            unsafe { core::slice::from_raw_parts(nb.addr as *const u8, kept) };
                        assert!(
                            bytes.iter().step_by(stride).all(|&x| x == b.tag),
                            "step {step}: realloc lost data"
                        );
                        assert_eq!(nb.addr % b.align, 0);
                        fill(&nb);
                        live[i] = nb;
                    }
                }
            }
            75..=89 => {
                let (arena, tier) = (&render, Tier::Render);
                if let Ok(p) = arena.alloc_layout(layout(size, align)) {
                    let b = Live {
                        addr: p.as_ptr() as usize,
                        size,
                        align,
                        tier,
                        tag: tag(),
                        end: arena.position(),
                    };
                    assert_eq!(b.addr % align.max(w.config().alignment(tier)), 0);
                    fill(&b);
                    live.push(b);
                }
            }
            90..=93 => {
                let (arena, tier, mark) = (&mut render, Tier::Render, &mut render_mark);
                match mark.take() {
                    Some(m) if arena.rewind(m).is_ok() => {
                        let pos = m.position();
                        live.retain(|b| b.tier != tier || b.end <= pos);
                    }
                    _ => *mark = Some(arena.mark()),
                }
            }
            94..=96 => {
                let (arena, tier) = (&mut render, Tier::Render);
                let keep = rng.random_range(0..=arena.position());
                arena.compact(keep);
                live.retain(|b| b.tier != tier || b.end <= keep);
            }
            _ => {
                let (arena, tier) = (&mut render, Tier::Render);
                arena.reset();
                live.retain(|b| b.tier != tier);
            }
        }
        // No two live blocks overlap.
        let mut spans: Vec<(usize, usize)> =
            live.iter().map(|b| (b.addr, b.addr + b.size)).collect();
        spans.sort_unstable();
        for pair in spans.windows(2) {
            assert!(
                pair[0].1 <= pair[1].0,
                "step {step}: overlapping blocks {pair:?}"
            );
        }
        if step % 97 == 0 {
            assert!(live.iter().all(intact), "step {step}: a live block changed");
            w.check_heaps();
        }
        for b in &live {
            debug_assert_eq!(w.tier_of(b.addr as *const u8), Some(b.tier));
        }
    }
    assert!(live.iter().all(intact));
    w.check_heaps();
    let s = w.stats();
    assert!(s.held <= s.ceiling);
}

/// The platform backing: a virtual reservation natively, `memory.grow` on wasm (where other
/// code grows the same memory too, so walloc's pages interleave with foreign ones).
#[test]
#[cfg(not(miri))]
fn platform_backing_commits_pages_as_used() {
    let w = Walloc::try_new(Config::DEFAULT.with_ceiling(64 * MIB)).unwrap();
    let mut blocks = Vec::new();
    for (i, tier) in [Tier::Scene, Tier::Entity, Tier::General]
        .into_iter()
        .enumerate()
    {
        for k in 0..50 {
            let l = layout(1000 * (k + 1), 16);
            let p = w.try_alloc(tier, l).unwrap();
            // SAFETY: fresh block of `l.size()` bytes.
            unsafe { p.as_ptr().write_bytes(i as u8 + 1, l.size()) };
            assert_eq!(w.tier_of(p.as_ptr()), Some(tier));
            blocks.push((p, l, i as u8 + 1));
        }
    }
    let mut arena = w.arena(Tier::Render).unwrap();
    let frame = arena.alloc_slice_fill(3 << 20, 9u8).unwrap();
    assert_eq!(w.tier_of(frame.as_ptr()), Some(Tier::Render));
    arena.compact(0);
    let s = w.stats();
    assert!(s.held <= 64 * MIB && s.tier(Tier::Render).held <= PAGE_SIZE as u64);
    for (p, l, v) in blocks {
        // SAFETY: live block of `l.size()` bytes.
        let bytes = unsafe { core::slice::from_raw_parts(p.as_ptr(), l.size()) };
        assert!(bytes.iter().all(|&b| b == v));
        // SAFETY: live block of `w`.
        unsafe { w.dealloc(p, l) };
    }
    assert_eq!(w.check_heaps(), [0, 0, 0]);
    assert!(w.trim() > 0);
}

#[test]
fn available_bounds_what_a_tier_can_get() {
    let w = small(64);
    let before = w.available(Tier::General);
    assert!(before >= w.config().budget_bytes(Tier::General), "{before}");
    // More than it says is refused; what it says, less the heap's headers, is granted.
    assert!(
        w.try_alloc(Tier::General, layout(before as usize + PAGE_SIZE, 16))
            .is_err()
    );
    let half = layout(before as usize / 2, 16);
    let block = w.try_alloc(Tier::General, half).unwrap();
    let after = w.available(Tier::General);
    assert!(
        after < before - before / 2 + PAGE_SIZE as u64,
        "{before} -> {after}"
    );
    // SAFETY: `block` is live in `w` with layout `half`.
    unsafe { w.dealloc(block, half) };
    assert!(w.available(Tier::General) >= after);
    // An arena tier counts its pages only (General's freed pool goes back first: while General
    // held it, it held Render's lent budget).
    w.trim();
    assert!(w.available(Tier::Render) >= w.config().budget_bytes(Tier::Render));
}
