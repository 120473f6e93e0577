//! Small-object churn, without criterion, natively and on wasm.
//!
//! Replays one seeded sequence of 1,000,000 operations (allocations of 16-256 B and frees in
//! random order, at most 10,000 live) several times against
//!
//! * `walloc`: the General heap of a fresh [`Walloc::try_new`] instance with a 1 GiB ceiling
//!   (virtual reservation natively, `memory.grow` on wasm),
//! * `system`: `std::alloc::System`, the target's default allocator (glibc malloc natively,
//!   wasi-libc's dlmalloc on wasm32-wasip1), called directly, so it is measured even though the
//!   `layerw` facade installs walloc as the global allocator,
//! * `talc` (wasm32 only): a local talc 5 `TalcCell` that grows the linear memory itself,
//!
//! and prints the median throughput of each, one line per allocator:
//! `churn <allocator> <ops/us> ops/us`.
//!
//! ```text
//! cargo run --release --example walloc_churn
//! cargo run --release --example walloc_churn --target wasm32-wasip1   # via scripts/wasmtime-run.py
//! ```
//!
//! The workload generator is the same as the `churn` group of `benches/walloc.rs`. `SmallRng`
//! is a different generator on 32- and 64-bit targets, so the wasm and native sequences differ
//! (same parameters, same statistics).

use std::alloc::{GlobalAlloc, Layout, System, handle_alloc_error};
use std::hint::black_box;
use std::ptr::NonNull;
use std::time::Instant;

use layerw::engine::walloc::{Config, Tier, Walloc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Operations in one churn run.
const CHURN_OPS: usize = 1_000_000;
/// Most allocations live at once.
const MAX_LIVE: usize = 10_000;
/// Smallest and largest allocation of the churn workload.
const MIN_SIZE: u16 = 16;
const MAX_SIZE: u16 = 256;
/// Ops per cycle of the target live count (a triangle wave 0 -> `MAX_LIVE` -> 0).
const LIVE_PERIOD: usize = 200_000;
/// Seed of the churn sequence.
const SEED: u64 = 0x5EED_CA11;
/// Alignment of every churn allocation (what a `Box<[u64]>` would ask for).
const CHURN_ALIGN: usize = 8;
/// Timed runs per allocator (after one untimed warm-up run).
const RUNS: usize = 9;

/// Marks a free in [`Op::size`].
const FREE: u16 = 0x8000;

/// One churn operation: allocate `size` bytes into `slot`, or free `slot` (size | [`FREE`]).
#[derive(Clone, Copy)]
struct Op {
    slot: u16,
    size: u16,
}

impl Op {
    #[inline]
    fn is_free(self) -> bool {
        self.size & FREE != 0
    }

    #[inline]
    fn layout(self) -> Layout {
        let size = (self.size & !FREE) as usize;
        // SAFETY: sizes are 16..=256 and the alignment is a power of two.
        unsafe { Layout::from_size_align_unchecked(size, CHURN_ALIGN) }
    }
}

/// The churn sequence: starts and ends with nothing live; frees pick a random live allocation.
fn churn_ops(seed: u64) -> Vec<Op> {
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
fn run_churn<A: GlobalAlloc>(alloc: &A, ops: &[Op], slots: &mut [*mut u8]) {
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

/// One heap tier of a walloc instance as a `GlobalAlloc`, through `try_alloc` and `dealloc`.
struct TierHeap<'w> {
    walloc: &'w Walloc,
    tier: Tier,
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
}

/// One timed churn run against a fixed allocator; returns the seconds it took.
type TimedRun<'a> = Box<dyn FnMut(&[Op], &mut [*mut u8]) -> f64 + 'a>;

/// An allocator under test: its name, its timed run and the times measured.
struct Contender<'a> {
    name: &'static str,
    run: TimedRun<'a>,
    seconds: Vec<f64>,
}

fn contender<'a, A: GlobalAlloc>(name: &'static str, alloc: &'a A) -> Contender<'a> {
    Contender {
        name,
        run: Box::new(move |ops, slots| {
            let start = Instant::now();
            run_churn(alloc, black_box(ops), black_box(slots));
            start.elapsed().as_secs_f64()
        }),
        seconds: Vec::with_capacity(RUNS),
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        f64::midpoint(values[n / 2 - 1], values[n / 2])
    }
}

fn main() {
    let ops = churn_ops(SEED);
    let mut slots = vec![std::ptr::null_mut::<u8>(); MAX_LIVE];

    let walloc = Walloc::try_new(Config::DEFAULT.with_ceiling(1 << 30)).expect("valid config");
    let general = TierHeap {
        walloc: &walloc,
        tier: Tier::General,
    };
    #[cfg(target_arch = "wasm32")]
    let talc = talc::cell::TalcCell::<talc::wasm::WasmGrowAndExtend, talc::wasm::WasmBinning>::new(
        talc::wasm::WasmGrowAndExtend::new(),
    );

    let mut contenders = vec![contender("walloc", &general), contender("system", &System)];
    #[cfg(target_arch = "wasm32")]
    contenders.push(contender("talc", &talc));

    eprintln!(
        "churn: {CHURN_OPS} ops, {MIN_SIZE}-{MAX_SIZE} B, <= {MAX_LIVE} live, seed {SEED:#x}, \
         median of {RUNS} runs (after 1 warm-up), {}",
        std::env::consts::ARCH
    );
    // Warm-up, then the timed runs interleaved so drift (frequency, other load) hits everyone.
    for c in &mut contenders {
        (c.run)(&ops, &mut slots);
    }
    for _ in 0..RUNS {
        for c in &mut contenders {
            let s = (c.run)(&ops, &mut slots);
            c.seconds.push(s);
        }
    }
    for c in &mut contenders {
        let name = c.name;
        let secs = median(&mut c.seconds);
        let ops_per_us = CHURN_OPS as f64 / (secs * 1e6);
        println!("churn {name} {ops_per_us:.1} ops/us");
    }
}
