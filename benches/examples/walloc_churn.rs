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
//! * `walloc_global` (native only): the process-wide instance through `WallocGlobal`, whose
//!   small blocks go through per-thread caches (what the `layerw` facade installs),
//! * `mimalloc` (native only): `mimalloc::MiMalloc`,
//!
//! and prints the median throughput of each, one line per allocator:
//! `churn <allocator> <ops/us> ops/us`.
//!
//! With `--only NAME --runs N` it replays only that allocator, N times after the warm-up (for
//! instruction counts under `valgrind --tool=callgrind`).
//!
//! ```text
//! cargo run -p layerw-benches --release --example walloc_churn
//! cargo run -p layerw-benches --release --example walloc_churn --target wasm32-wasip1   # via scripts/wasmtime-run.py
//! ```
//!
//! The workload generator is the same as the `churn` group of `benches/walloc.rs`. `SmallRng`
//! is a different generator on 32- and 64-bit targets, so the wasm and native sequences differ
//! (same parameters, same statistics).

use std::alloc::{GlobalAlloc, System};
use std::hint::black_box;
use std::time::Instant;

use layerw::engine::walloc::{Config, Tier, Walloc};

use layerw_benches::churn::{
    CHURN_OPS, MAX_LIVE, MAX_SIZE, MIN_SIZE, Op, SEED, TierHeap, churn_ops, run_churn,
};

/// Timed runs per allocator (after one untimed warm-up run) unless `--runs` says otherwise.
const RUNS: usize = 9;

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
        seconds: Vec::new(),
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
    #[cfg(not(target_arch = "wasm32"))]
    {
        contenders.push(contender("walloc_global", &layerw::walloc::WallocGlobal));
        contenders.push(contender("mimalloc", &mimalloc::MiMalloc));
    }

    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(only) = flag("--only") {
        contenders.retain(|c| c.name == only);
        assert!(!contenders.is_empty(), "no allocator named {only}");
    }
    let runs = flag("--runs").map_or(RUNS, |n| n.parse().expect("--runs takes a count"));

    eprintln!(
        "churn: {CHURN_OPS} ops, {MIN_SIZE}-{MAX_SIZE} B, <= {MAX_LIVE} live, seed {SEED:#x}, \
         median of {runs} runs (after 1 warm-up), {}",
        std::env::consts::ARCH
    );
    // Warm-up, then the timed runs interleaved so drift (frequency, other load) hits everyone.
    for c in &mut contenders {
        (c.run)(&ops, &mut slots);
    }
    for _ in 0..runs {
        for c in &mut contenders {
            let s = (c.run)(&ops, &mut slots);
            c.seconds.push(s);
        }
    }
    for c in contenders.iter_mut().filter(|c| !c.seconds.is_empty()) {
        let name = c.name;
        let secs = median(&mut c.seconds);
        let ops_per_us = CHURN_OPS as f64 / (secs * 1e6);
        println!("churn {name} {ops_per_us:.1} ops/us");
    }
}
