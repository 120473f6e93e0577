//! The small-object churn workload shared by `benches/walloc.rs` and
//! `benches/examples/walloc_churn.rs`, so the criterion bench and the WASI run replay the same sequence.
//! The `churn` module of the layerw-benches library.

use std::alloc::{GlobalAlloc, Layout, handle_alloc_error};
use std::ptr::NonNull;

use layerw::engine::walloc::{Tier, Walloc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Operations in one churn run.
pub const CHURN_OPS: usize = 1_000_000;
/// Most allocations live at once.
pub const MAX_LIVE: usize = 10_000;
/// Smallest and largest allocation of the churn workload.
pub const MIN_SIZE: u16 = 16;
/// Largest allocation of the churn workload.
pub const MAX_SIZE: u16 = 256;
/// Ops per cycle of the target live count (a triangle wave 0 -> `MAX_LIVE` -> 0).
pub const LIVE_PERIOD: usize = 200_000;
/// Seed of the churn sequence.
pub const SEED: u64 = 0x5EED_CA11;
/// Alignment of every churn allocation (what a `Box<[u64]>` would ask for).
pub const CHURN_ALIGN: usize = 8;

/// Marks a free in [`Op::size`].
pub const FREE: u16 = 0x8000;

/// One churn operation: allocate `size` bytes into `slot`, or free `slot` (size | [`FREE`]).
#[derive(Clone, Copy)]
pub struct Op {
    /// Index of the slot the allocation lives in.
    pub slot: u16,
    /// Size in bytes, with [`FREE`] set for a free.
    pub size: u16,
}

impl Op {
    #[inline]
    pub fn is_free(self) -> bool {
        self.size & FREE != 0
    }

    #[inline]
    pub fn layout(self) -> Layout {
        let size = (self.size & !FREE) as usize;
        // SAFETY: sizes are 16..=256 and the alignment is a power of two.
        unsafe { Layout::from_size_align_unchecked(size, CHURN_ALIGN) }
    }
}

/// The churn sequence: starts and ends with nothing live; frees pick a random live allocation.
pub fn churn_ops(seed: u64) -> Vec<Op> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut ops = Vec::with_capacity(CHURN_OPS);
    let mut free_slots: Vec<u16> = (0..MAX_LIVE as u16).rev().collect();
    let mut live: Vec<Op> = Vec::with_capacity(MAX_LIVE);
    while ops.len() < CHURN_OPS {
        let remaining = CHURN_OPS - ops.len();
        let phase = ops.len() % LIVE_PERIOD;
        let half = LIVE_PERIOD / 2;
        let target = MAX_LIVE * phase.min(LIVE_PERIOD - phase) / half;
        let alloc = if live.len() + 1 >= remaining {
            live.is_empty()
        } else if live.is_empty() {
            true
        } else if live.len() == MAX_LIVE {
            false
        } else {
            rng.random_bool(if live.len() < target { 0.75 } else { 0.25 })
        };
        if alloc {
            let slot = free_slots.pop().expect("fewer than MAX_LIVE live");
            let op = Op {
                slot,
                size: rng.random_range(MIN_SIZE..=MAX_SIZE),
            };
            live.push(op);
            ops.push(op);
        } else {
            let victim = live.swap_remove(rng.random_range(0..live.len()));
            free_slots.push(victim.slot);
            ops.push(Op {
                slot: victim.slot,
                size: victim.size | FREE,
            });
        }
    }
    assert!(live.is_empty(), "the churn sequence frees everything");
    ops
}

/// Replays `ops` against `alloc`; every allocation gets its first byte written.
pub fn run_churn<A: GlobalAlloc>(alloc: &A, ops: &[Op], slots: &mut [*mut u8]) {
    for &op in ops {
        let layout = op.layout();
        let slot = &mut slots[op.slot as usize];
        if op.is_free() {
            // SAFETY: the slot holds a live allocation of `alloc` made with this layout.
            unsafe { alloc.dealloc(*slot, layout) };
        } else {
            // SAFETY: the layout has a non-zero size.
            let p = unsafe { alloc.alloc(layout) };
            if p.is_null() {
                handle_alloc_error(layout);
            }
            // SAFETY: `p` is a fresh allocation of at least 16 bytes.
            unsafe { p.write(op.slot as u8) };
            *slot = p;
        }
    }
}

/// One heap tier of a walloc instance as a `GlobalAlloc`, through `try_alloc`, `dealloc` and
/// `try_realloc` (no thread-local tier lookup).
pub struct TierHeap<'w> {
    /// The instance.
    pub walloc: &'w Walloc,
    /// Its heap tier (Entity or General).
    pub tier: Tier,
}

// SAFETY: forwards to walloc's heap API, which hands out disjoint, suitably aligned blocks and
// reports failure as an error (mapped to null).
unsafe impl GlobalAlloc for TierHeap<'_> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.walloc
            .try_alloc(self.tier, layout)
            .map_or(std::ptr::null_mut(), NonNull::as_ptr)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(p) = NonNull::new(ptr) {
            // SAFETY: forwarded caller contract: `ptr` is a live block of this instance.
            unsafe { self.walloc.dealloc(p, layout) }
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(p) = NonNull::new(ptr) else {
            return std::ptr::null_mut();
        };
        // SAFETY: forwarded caller contract.
        unsafe { self.walloc.try_realloc(p, layout, new_size) }
            .map_or(std::ptr::null_mut(), NonNull::as_ptr)
    }
}
