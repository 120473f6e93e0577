//! Headless simulation demo and the hosts benchmark: a World of moving, spinning, expiring
//! entities on walloc, run by the fixed schedule for a number of frames at a fixed timestep,
//! then a report of frame times, a checksum of the final world and every walloc tier.
//!
//! ```text
//! cargo run --release --example sim_headless -- [--entities N] [--frames F] [--warmup W] [--threads T] [--json]
//! ```
//!
//! The same program runs on every host (BENCHMARKS.md, "Hosts"; `scripts/hosts.sh`): natively,
//! built for wasm32-wasip1 under wasmtime and under WAMR (`layerw-wamr`), and in the browser
//! (`bash scripts/web.sh sim_headless --release`, page `web/sim_headless/`, options in the
//! query: `index.html?entities=N&frames=F&warmup=W`). `--warmup W` runs W frames untimed
//! first (default 0). `--json` prints one line of JSON instead of the
//! text: the frame times and the checksum that every host's run must agree on.

mod sim;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod web;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn main() {
    web::main();
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn main() {
    command_line::main();
}

/// The command-line program (native and WASI).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod command_line {
    use std::time::Instant;

    use layerw::prelude::*;

    use super::sim::{self, Options, Report};

    /// Options, and whether to print JSON.
    fn parse() -> Result<(Options, bool), String> {
        let mut options = Options::default();
        let mut json = false;
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            match flag.as_str() {
                "--json" => json = true,
                // Accepted for scripts that pass it to every example.
                "--headless" => {}
                "--entities" | "--frames" | "--warmup" | "--threads" => {
                    let value = args.next().ok_or(format!("{flag} needs a number"))?;
                    options.set(&flag[2..], &value)?;
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok((options, json))
    }

    pub fn main() {
        let (options, json) = match parse() {
            Ok(parsed) => parsed,
            Err(e) => {
                eprintln!("sim_headless: {e}");
                std::process::exit(2);
            }
        };
        let (mut world, mut schedule) = sim::build(options.entities);
        let clock = Instant::now();
        let now_ms = || clock.elapsed().as_secs_f64() * 1000.0;
        let mut run = || {
            sim::run(
                &mut world,
                &mut schedule,
                (options.warmup, options.frames),
                now_ms,
            )
        };
        // rayon has no thread pool on wasm: there the schedule runs on the calling thread.
        let (times, threads) = if options.threads > 0 && cfg!(not(target_family = "wasm")) {
            match rayon::ThreadPoolBuilder::new()
                .num_threads(options.threads)
                .build()
            {
                Ok(pool) => pool.install(|| (run(), rayon::current_num_threads())),
                Err(_) => (run(), rayon::current_num_threads()),
            }
        } else {
            (run(), rayon::current_num_threads())
        };
        let report = Report::new(&world, &schedule, times, threads);
        if json {
            println!("{}", report.json());
            return;
        }
        println!("{}", report.text());
        let stats = walloc::stats();
        println!(
            "walloc (global allocator: {}): ceiling {} MiB, held {:.1} MiB",
            walloc::is_global_allocator(),
            stats.ceiling >> 20,
            stats.held as f64 / 1048576.0
        );
        for t in &stats.tiers {
            println!(
                "  {:<8} used {:>9.2} MiB  peak {:>9.2} MiB  held {:>8.2} MiB  budget {:>7.0} MiB  allocs {:>9}  frees {:>9}  failures {}",
                t.tier.name(),
                t.used as f64 / 1048576.0,
                t.peak as f64 / 1048576.0,
                t.held as f64 / 1048576.0,
                t.budget as f64 / 1048576.0,
                t.allocations,
                t.frees,
                t.failures
            );
        }
    }
}
