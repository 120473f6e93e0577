//! The simulation every host runs: its world, its schedule, the timed frames, a checksum of the
//! final world and the report, shared by the command-line program (native and WASI) and the
//! browser page.
//!
//! Spawning uses no transcendental functions (positions and velocities come from an integer
//! hash), so the starting world is the same bits on every host whatever its libm; the only
//! `sin`/`cos` left are `spin`'s seven distinct turn angles.

use layerw::prelude::*;

/// Entities that expire and respawn: exercises command buffers every frame.
#[derive(Clone, Copy)]
pub struct Lifetime(pub u32);

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Entities spawned at the start (expired ones are replaced, so the count stays).
    pub entities: usize,
    /// Frames run and timed, each one fixed step of 1/60 s.
    pub frames: usize,
    /// Frames run before the timed ones and not timed: a browser starts a module in its
    /// baseline compiler and swaps in optimised code as functions get hot, which an
    /// ahead-of-time host does not need.
    pub warmup: usize,
    /// rayon threads natively (0: rayon's default); always 1 on wasm.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            entities: 100_000,
            frames: 300,
            warmup: 0,
            threads: 0,
        }
    }
}

impl Options {
    /// Sets the option called `name` (`entities`, `frames`, `warmup` or `threads`) from its
    /// text.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let number = value
            .parse::<usize>()
            .map_err(|_| format!("{name} needs a whole number, not {value:?}"))?;
        match name {
            "entities" => self.entities = number,
            "frames" => self.frames = number,
            "warmup" => self.warmup = number,
            "threads" => self.threads = number,
            other => return Err(format!("unknown option {other}")),
        }
        if self.frames == 0 {
            return Err("frames must be at least 1".into());
        }
        Ok(())
    }
}

/// splitmix64: the integer hash behind spawning and the checksum.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A value in [-1, 1) from `(index, salt)`: 24 hash bits, exact in an f32.
fn unit(index: u64, salt: u64) -> f32 {
    let bits = (mix(index ^ salt.rotate_left(32)) >> 40) as f32;
    bits / (1u32 << 23) as f32 - 1.0
}

/// Counts lifetimes down; expired entities are despawned and replaced (through the system's
/// command buffer, applied at the end of the stage).
fn expire(mut lives: Query<(Entity, &mut Lifetime)>, mut commands: Commands) {
    let mut respawned = 0u64;
    for (entity, life) in lives.iter() {
        life.0 = life.0.saturating_sub(1);
        if life.0 == 0 {
            commands.despawn(entity);
            respawned += 1;
            commands.spawn((
                Position(Vec3::ZERO),
                Velocity(Vec3::new(unit(respawned, 3), 1.0, unit(respawned, 4))),
                Rotation::default(),
                AngularVelocity(Vec3::Y),
                Transform::default(),
                Lifetime(120),
            ));
        }
    }
}

/// The starting world (`entities` movers) and the schedule of four systems.
pub fn build(entities: usize) -> (World, Schedule) {
    let mut world = World::new();
    world.spawn_batch((0..entities as u64).map(|i| {
        (
            Position(Vec3::new(unit(i, 1) * 100.0, 0.0, unit(i, 2) * 100.0)),
            Velocity(Vec3::new(unit(i, 3), 0.5, unit(i, 4))),
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
    // Two clock reads per system run and per command-buffer application: the report says
    // which system costs what on each host.
    schedule.set_system_timing(true);
    (world, schedule)
}

/// Runs `warmup` frames of 1/60 s untimed, then `frames` more, timing each `run_frame` with
/// `now_ms` (a millisecond clock); returns the timed frames' times in milliseconds, in order.
/// The schedule's per-system timings cover the timed frames only.
pub fn run(
    world: &mut World,
    schedule: &mut Schedule,
    (warmup, frames): (usize, usize),
    mut now_ms: impl FnMut() -> f64,
) -> Vec<f64> {
    for _ in 0..warmup {
        schedule.run_frame(world, 1.0 / 60.0);
    }
    schedule.reset_system_timings();
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        let start = now_ms();
        schedule.run_frame(world, 1.0 / 60.0);
        times.push(now_ms() - start);
    }
    times
}

/// A checksum of every mover's state (all six components, bit for bit), independent of the
/// order entities are stored in: each entity's hash is summed.
pub fn checksum(world: &World) -> u64 {
    let mut sum = 0u64;
    let mut query = world.query::<(
        &Position,
        &Velocity,
        &Rotation,
        &AngularVelocity,
        &Transform,
        &Lifetime,
    )>();
    for (position, velocity, rotation, angular, transform, life) in query.iter() {
        let floats = position
            .0
            .to_array()
            .into_iter()
            .chain(velocity.0.to_array())
            .chain(rotation.0.to_array())
            .chain(angular.0.to_array())
            .chain(transform.translation.to_array())
            .chain(transform.rotation.to_array())
            .chain(transform.scale.to_array());
        let mut hash = u64::from(life.0);
        for f in floats {
            hash = mix(hash ^ u64::from(f.to_bits()));
        }
        sum = sum.wrapping_add(hash);
    }
    sum
}

/// What one run measured and where it ended.
#[derive(Clone, Debug)]
pub struct Report {
    /// Where it ran: "native", "wasi" or "web" (from the build target).
    pub host: &'static str,
    /// Entities alive at the end.
    pub entities: u32,
    /// Frames run.
    pub frames: usize,
    /// Threads the schedule could use.
    pub threads: usize,
    /// Frame-time percentiles and mean, in milliseconds (one `Schedule::run_frame` each).
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest frame.
    pub max_ms: f64,
    /// Mean frame time.
    pub mean_ms: f64,
    /// Fixed steps run by the schedule.
    pub fixed_steps: u64,
    /// [`checksum`] of the final world.
    pub checksum: u64,
    /// Each system's mean milliseconds per timed frame (its runs and its command buffers),
    /// by name, in frame order; empty without a clock.
    pub systems: Vec<(String, f64)>,
}

impl Report {
    /// The report of a finished run: `times` as returned by [`run`].
    pub fn new(world: &World, schedule: &Schedule, mut times: Vec<f64>, threads: usize) -> Self {
        let frames = times.len();
        let systems = schedule
            .system_timings()
            .into_iter()
            .filter(|t| t.runs > 0)
            .map(|t| {
                // Function systems are named by their path: the last segment says enough.
                let name = t.name.rsplit("::").next().unwrap_or(&t.name).to_owned();
                (name, t.seconds * 1000.0 / frames.max(1) as f64)
            })
            .collect();
        let mean_ms = times.iter().sum::<f64>() / frames.max(1) as f64;
        times.sort_by(f64::total_cmp);
        let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
        let host = if cfg!(target_os = "wasi") {
            "wasi"
        } else if cfg!(target_family = "wasm") {
            "web"
        } else {
            "native"
        };
        Self {
            host,
            entities: world.len(),
            frames,
            threads,
            p50_ms: pct(0.5),
            p99_ms: pct(0.99),
            max_ms: pct(1.0),
            mean_ms,
            fixed_steps: world.resource::<FixedTime>().total_steps(),
            checksum: checksum(world),
            systems,
        }
    }

    /// One line of JSON (the form scripts/hosts.sh compares across hosts).
    pub fn json(&self) -> String {
        let systems: Vec<String> = self
            .systems
            .iter()
            .map(|(name, ms)| format!("\"{name}\":{ms:.4}"))
            .collect();
        format!(
            "{{\"host\":\"{}\",\"entities\":{},\"frames\":{},\"threads\":{},\"p50_ms\":{:.4},\"p99_ms\":{:.4},\"max_ms\":{:.4},\"mean_ms\":{:.4},\"fixed_steps\":{},\"checksum\":\"{:016x}\",\"systems_ms\":{{{}}}}}",
            self.host,
            self.entities,
            self.frames,
            self.threads,
            self.p50_ms,
            self.p99_ms,
            self.max_ms,
            self.mean_ms,
            self.fixed_steps,
            self.checksum,
            systems.join(",")
        )
    }

    /// The human-readable lines.
    pub fn text(&self) -> String {
        let systems: String = self
            .systems
            .iter()
            .map(|(name, ms)| format!("\n  {name:<20} {ms:.3} ms per frame"))
            .collect();
        format!(
            "sim_headless ({}): {} entities, {} frames, {} threads\nframe time ms: p50 {:.3}  p99 {:.3}  max {:.3}  mean {:.3}\nfixed steps: {}\nchecksum: {:016x}\nsystems (runs and command buffers):{}",
            self.host,
            self.entities,
            self.frames,
            self.threads,
            self.p50_ms,
            self.p99_ms,
            self.max_ms,
            self.mean_ms,
            self.fixed_steps,
            self.checksum,
            systems
        )
    }
}
