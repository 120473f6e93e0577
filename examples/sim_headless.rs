//! Headless simulation demo: a World of moving, spinning entities on walloc, run by the fixed
//! schedule for a number of frames at a fixed timestep, then a report of frame times and of
//! every walloc tier.
//!
//! ```text
//! cargo run --release --example sim_headless -- [--entities N] [--frames F] [--threads T]
//! ```

use std::time::Instant;

use layerw::prelude::*;

/// Entities that expire and respawn: exercises command buffers every frame.
#[derive(Clone, Copy)]
struct Lifetime(u32);

struct Options {
    entities: usize,
    frames: usize,
    threads: usize,
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        entities: 100_000,
        frames: 300,
        threads: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} needs a number"))
        };
        match flag.as_str() {
            "--entities" => o.entities = value("--entities")?,
            "--frames" => o.frames = value("--frames")?,
            "--threads" => o.threads = value("--threads")?,
            "--headless" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

/// Counts lifetimes down; expired entities are despawned and replaced (through the system's
/// command buffer, applied at the end of the stage).
fn expire(mut lives: Query<(Entity, &mut Lifetime)>, mut commands: Commands) {
    let mut respawned = 0u32;
    for (entity, life) in lives.iter() {
        life.0 = life.0.saturating_sub(1);
        if life.0 == 0 {
            commands.despawn(entity);
            let f = respawned as f32;
            respawned += 1;
            commands.spawn((
                Position(Vec3::ZERO),
                Velocity(Vec3::new(f.sin(), 1.0, f.cos())),
                Rotation::default(),
                AngularVelocity(Vec3::Y),
                Transform::default(),
                Lifetime(120),
            ));
        }
    }
}

fn main() {
    let options = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("sim_headless: {e}");
            std::process::exit(2);
        }
    };
    let mut world = World::new();
    world.spawn_batch((0..options.entities).map(|i| {
        let f = i as f32;
        (
            Position(Vec3::new(f.cos() * 100.0, 0.0, f.sin() * 100.0)),
            Velocity(Vec3::new(f.sin(), 0.5, f.cos())),
            Rotation::default(),
            AngularVelocity(Vec3::new(0.0, 1.0 + (i % 7) as f32, 0.0)),
            Transform::default(),
            Lifetime(30 + (i % 240) as u32),
        )
    }));
    let mut schedule = Schedule::new();
    schedule
        .add_system(Stage::FixedUpdate, integrate_velocity())
        .add_system(Stage::Update, spin())
        .add_system(Stage::Update, expire)
        .add_system(Stage::Update, sync_transform());

    let run = |world: &mut World, schedule: &mut Schedule| {
        let mut times = Vec::with_capacity(options.frames);
        for _ in 0..options.frames {
            let start = Instant::now();
            schedule.run_frame(world, 1.0 / 60.0);
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        times
    };
    let mut times = if options.threads > 0 && cfg!(not(target_family = "wasm")) {
        match rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads)
            .build()
        {
            Ok(pool) => pool.install(|| run(&mut world, &mut schedule)),
            Err(_) => run(&mut world, &mut schedule),
        }
    } else {
        run(&mut world, &mut schedule)
    };
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "sim_headless: {} entities, {} frames, {} threads",
        world.len(),
        options.frames,
        rayon::current_num_threads()
    );
    println!(
        "frame time ms: p50 {:.3}  p99 {:.3}  max {:.3}",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    let fixed = world.resource::<FixedTime>();
    println!("fixed steps: {}", fixed.total_steps());
    drop(fixed);
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
