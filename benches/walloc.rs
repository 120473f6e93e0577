//! Walloc against the system allocator, mimalloc and bumpalo, side by side in one binary.
//!
//! Three groups:
//!
//! * `churn`: 1,000,000 small-object operations (16-256 B, random free order, at most 10,000
//!   live), precomputed from a seeded `SmallRng` and replayed unchanged for every allocator.
//!   Throughput is in operations, so criterion's `Melem/s` reads directly as ops/us.
//! * `bump64`: 100,000 allocations of 64 B followed by a reset (arenas, bumpalo) or by freeing
//!   them all (general-purpose allocators).
//! * `vec_growth`: a `Vec<u64>`-like buffer grown by push from empty to 1,000,000 elements,
//!   doubling through `GlobalAlloc::realloc`, then freed.
//!
//! Every allocator is called through its `GlobalAlloc` implementation (or walloc's heap and
//! arena API) directly, so they all run in this one binary whatever the global allocator is.
//!
//! Run: `cargo bench -p layerw-benches --bench walloc`.

use std::alloc::{GlobalAlloc, Layout, System, handle_alloc_error};
use std::hint::black_box;
use std::time::Duration;

use bumpalo::Bump;
use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
    measurement::WallTime,
};
use layerw::engine::walloc::{Config, Tier, Walloc};

use layerw_benches::churn::{CHURN_OPS, MAX_LIVE, Op, SEED, TierHeap, churn_ops, run_churn};

/// A walloc instance with a 1 GiB ceiling over the platform backing.
fn walloc_1gib(config: Config) -> Box<Walloc> {
    Walloc::try_new(config.with_ceiling(1 << 30)).expect("a valid walloc config")
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>, elements: u64) {
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(elements));
}

// ------------------------------------------------------------------------------------------
// 1. Churn.
// ------------------------------------------------------------------------------------------

fn bench_churn_with<A: GlobalAlloc>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    alloc: &A,
    ops: &[Op],
) {
    let mut slots = vec![std::ptr::null_mut::<u8>(); MAX_LIVE];
    group.bench_function(name, |b| {
        b.iter(|| run_churn(alloc, black_box(ops), black_box(&mut slots[..])));
    });
}

fn churn(c: &mut Criterion) {
    let ops = churn_ops(SEED);
    let walloc = walloc_1gib(Config::DEFAULT);
    let mut group = c.benchmark_group("churn");
    configure(&mut group, CHURN_OPS as u64);
    bench_churn_with(&mut group, "system", &System, &ops);
    #[cfg(not(target_arch = "wasm32"))]
    bench_churn_with(&mut group, "mimalloc", &mimalloc::MiMalloc, &ops);
    let general = TierHeap {
        walloc: &walloc,
        tier: Tier::General,
    };
    bench_churn_with(&mut group, "walloc_general", &general, &ops);
    let entity = TierHeap {
        walloc: &walloc,
        tier: Tier::Entity,
    };
    bench_churn_with(&mut group, "walloc_entity", &entity, &ops);
    // The instance's own GlobalAlloc impl: General tier chosen through the thread-local scope.
    bench_churn_with(&mut group, "walloc_globalalloc", &*walloc, &ops);
    // The process allocator (the facade installs it): the global instance, whose small blocks
    // go through per-thread caches before the tier lock.
    bench_churn_with(
        &mut group,
        "walloc_global_cached",
        &layerw::walloc::WallocGlobal,
        &ops,
    );
    group.finish();
}

// ------------------------------------------------------------------------------------------
// 2. 64-byte bump allocation.
// ------------------------------------------------------------------------------------------

/// Allocations per bump round.
const BUMP_N: usize = 100_000;
const BUMP_LAYOUT: Layout = Layout::new::<[u8; 64]>();

fn bench_bump_general<A: GlobalAlloc>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    alloc: &A,
) {
    let mut ptrs: Vec<*mut u8> = Vec::with_capacity(BUMP_N);
    group.bench_function(name, |b| {
        b.iter(|| {
            for _ in 0..BUMP_N {
                // SAFETY: a non-zero size.
                let p = unsafe { alloc.alloc(BUMP_LAYOUT) };
                if p.is_null() {
                    handle_alloc_error(BUMP_LAYOUT);
                }
                // SAFETY: `p` holds 64 bytes.
                unsafe { p.cast::<[u8; 64]>().write([0; 64]) };
                ptrs.push(black_box(p));
            }
            for p in ptrs.drain(..) {
                // SAFETY: `p` is live and was allocated with this layout.
                unsafe { alloc.dealloc(p, BUMP_LAYOUT) };
            }
        });
    });
}

fn bench_bump_walloc(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    walloc: &Walloc,
    floor: Option<usize>,
) {
    let mut arena = walloc
        .arena(Tier::Render)
        .expect("the Render arena is free");
    if let Some(floor) = floor {
        arena.set_alignment(floor).expect("a valid alignment floor");
    }
    group.bench_function(name, |b| {
        b.iter(|| {
            for _ in 0..BUMP_N {
                black_box(arena.alloc([0u8; 64]).expect("Render arena memory"));
            }
            arena.reset();
        });
    });
}

fn bump64(c: &mut Criterion) {
    // Default Render alignment (128 B: every 64 B value takes 128 B) and the owner's 64 B
    // floor (`Arena::set_alignment`): the same work as bumpalo's.
    let walloc = walloc_1gib(Config::DEFAULT);
    let walloc_a64 = walloc_1gib(Config::DEFAULT);
    let mut group = c.benchmark_group("bump64");
    configure(&mut group, BUMP_N as u64);
    bench_bump_walloc(&mut group, "walloc_render", &walloc, None);
    bench_bump_walloc(&mut group, "walloc_render_align64", &walloc_a64, Some(64));
    let mut bump = Bump::new();
    group.bench_function("bumpalo", |b| {
        b.iter(|| {
            for _ in 0..BUMP_N {
                black_box(bump.alloc([0u8; 64]));
            }
            bump.reset();
        });
    });
    bench_bump_general(&mut group, "system", &System);
    #[cfg(not(target_arch = "wasm32"))]
    bench_bump_general(&mut group, "mimalloc", &mimalloc::MiMalloc);
    group.finish();
}

// ------------------------------------------------------------------------------------------
// 3. Vec growth.
// ------------------------------------------------------------------------------------------

/// Elements pushed per growth run.
const VEC_N: usize = 1_000_000;

/// Pushes `0..n` into a buffer grown like `Vec<u64>` (capacity 4, then doubling through
/// `realloc`), then frees it; returns the last element read back.
fn grow_vec<A: GlobalAlloc>(alloc: &A, n: usize) -> u64 {
    let mut ptr: *mut u64 = std::ptr::null_mut();
    let (mut len, mut cap) = (0usize, 0usize);
    for i in 0..n as u64 {
        if len == cap {
            let new_cap = if cap == 0 { 4 } else { cap * 2 };
            let new_layout = Layout::array::<u64>(new_cap).expect("small layout");
            // SAFETY: `ptr` is null (first growth) or a live block of `cap` u64s from `alloc`.
            let p = unsafe {
                if cap == 0 {
                    alloc.alloc(new_layout)
                } else {
                    let old = Layout::array::<u64>(cap).expect("small layout");
                    alloc.realloc(ptr.cast(), old, new_layout.size())
                }
            };
            if p.is_null() {
                handle_alloc_error(new_layout);
            }
            ptr = p.cast();
            cap = new_cap;
        }
        // SAFETY: `len < cap`.
        unsafe { ptr.add(len).write(i) };
        len += 1;
    }
    if ptr.is_null() {
        return 0;
    }
    // SAFETY: `len` elements were written; the block holds `cap` u64s.
    unsafe {
        let last = ptr.add(len - 1).read();
        alloc.dealloc(ptr.cast(), Layout::array::<u64>(cap).expect("small layout"));
        last
    }
}

fn vec_growth(c: &mut Criterion) {
    let walloc = walloc_1gib(Config::DEFAULT);
    let general = TierHeap {
        walloc: &walloc,
        tier: Tier::General,
    };
    let mut group = c.benchmark_group("vec_growth");
    configure(&mut group, VEC_N as u64);
    group.bench_function("system", |b| b.iter(|| grow_vec(&System, black_box(VEC_N))));
    #[cfg(not(target_arch = "wasm32"))]
    group.bench_function("mimalloc", |b| {
        b.iter(|| grow_vec(&mimalloc::MiMalloc, black_box(VEC_N)));
    });
    group.bench_function("walloc_general", |b| {
        b.iter(|| grow_vec(&general, black_box(VEC_N)));
    });
    group.finish();
}

criterion_group!(benches, churn, bump64, vec_growth);
criterion_main!(benches);
