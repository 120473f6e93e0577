//! 64-byte bump allocation, without criterion: walloc's Render arena against bumpalo.
//!
//! Each round allocates 100,000 values of `[u8; 64]` and then resets, as the `bump64` group of
//! `benches/walloc.rs` does. Contenders, interleaved round by round so drift hits everyone:
//!
//! * `walloc_render`: the Render arena at the tier's default 128 B floor (each value takes 128 B),
//! * `walloc_render_align64`: the same arena with the owner's floor set to 64 B (equal work),
//! * `bumpalo`: `bumpalo::Bump`.
//!
//! Prints the median nanoseconds per allocation of each. With `--only NAME --rounds N` it runs
//! only that contender N times after the warm-up (for instruction counts under
//! `valgrind --tool=callgrind`).
//!
//! ```text
//! cargo run -p layerw-benches --release --example walloc_bump
//! ```

use std::hint::black_box;
use std::time::Instant;

use bumpalo::Bump;
use layerw::engine::walloc::{Arena, Config, Tier, Walloc};

/// Allocations per round.
const N: usize = 100_000;
/// Timed rounds per contender unless `--rounds` says otherwise.
const ROUNDS: usize = 51;

fn walloc_round(arena: &mut Arena<'_>) -> f64 {
    let start = Instant::now();
    for _ in 0..N {
        black_box(arena.alloc([0u8; 64]).expect("Render arena memory"));
    }
    arena.reset();
    start.elapsed().as_secs_f64()
}

fn bumpalo_round(bump: &mut Bump) -> f64 {
    let start = Instant::now();
    for _ in 0..N {
        black_box(bump.alloc([0u8; 64]));
    }
    bump.reset();
    start.elapsed().as_secs_f64()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let only = flag("--only");
    let rounds = flag("--rounds").map_or(ROUNDS, |n| n.parse().expect("--rounds takes a count"));
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);

    let w128 = Walloc::try_new(Config::DEFAULT.with_ceiling(1 << 30)).expect("valid config");
    let w64 = Walloc::try_new(Config::DEFAULT.with_ceiling(1 << 30)).expect("valid config");
    let mut a128 = w128.arena(Tier::Render).expect("the Render arena is free");
    let mut a64 = w64.arena(Tier::Render).expect("the Render arena is free");
    a64.set_alignment(64).expect("64 is a valid floor");
    let mut bump = Bump::new();

    let mut times: [(&str, Vec<f64>); 3] = [
        ("walloc_render", Vec::new()),
        ("walloc_render_align64", Vec::new()),
        ("bumpalo", Vec::new()),
    ];
    for round in 0..=rounds {
        for (name, t) in &mut times {
            if !wanted(name) {
                continue;
            }
            let s = match *name {
                "walloc_render" => walloc_round(&mut a128),
                "walloc_render_align64" => walloc_round(&mut a64),
                _ => bumpalo_round(&mut bump),
            };
            if round > 0 {
                t.push(s);
            }
        }
    }
    eprintln!("bump: {N} x 64 B then reset, median of {rounds} rounds (after 1 warm-up)");
    for (name, t) in &mut times {
        if !t.is_empty() {
            let ns = median(t) * 1e9 / N as f64;
            println!("bump64 {name} {ns:.3} ns/alloc");
        }
    }
}
