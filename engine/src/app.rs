//! The app: a World and a Schedule assembled by builder calls, and the headless runner that
//! drives them frame by frame without a window (servers, tests, benches, WASI builds).
//!
//! The same game code (systems and resources) runs under every runner; a windowed runner
//! drives the same [`App::update`].

use std::time::{Duration, Instant};

use crate::ecs::{Events, Resource, World};
use crate::schedule::{ExecutorKind, Schedule, Stage, System};

/// Sent by a system (`ctx.send_event(AppExit)`, declared with `.sends_events::<AppExit>()`) to
/// stop the app after the current frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AppExit;

/// How much time a headless frame lasts for the simulation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Timestep {
    /// Every frame lasts exactly this many seconds, however long it took (deterministic:
    /// tests, replays, servers stepping a recorded session).
    Fixed(f64),
    /// Frames last the wall-clock time since the previous frame, clamped to `max_seconds` so a
    /// stall (a debugger, a suspended process) becomes one long frame, not a leap. The
    /// browser has no monotonic clock through `std`: on wasm32-unknown-unknown frames last
    /// 1/60 s (the web runner takes its times from requestAnimationFrame instead).
    Real {
        /// The longest delta a frame may report.
        max_seconds: f64,
    },
}

/// What a headless run does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadlessRun {
    /// Stop after this many frames; `None` runs until a system sends [`AppExit`].
    pub frames: Option<u64>,
    /// The frame time the simulation sees.
    pub timestep: Timestep,
    /// Most frames per second (sleeps between frames natively; ignored on wasm, which has no
    /// blocking sleep on the web). `None` runs flat out.
    pub max_fps: Option<f64>,
}

impl HeadlessRun {
    /// `frames` frames of 1/60 s each, flat out: the usual test and bench run.
    pub fn frames(frames: u64) -> HeadlessRun {
        HeadlessRun {
            frames: Some(frames),
            timestep: Timestep::Fixed(1.0 / 60.0),
            max_fps: None,
        }
    }
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The frame limit was reached.
    FrameLimit,
    /// A system sent [`AppExit`].
    ExitRequested,
}

/// What a headless run did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunReport {
    /// Frames run.
    pub frames: u64,
    /// Sum of the frames' deltas, in seconds.
    pub simulated_seconds: f64,
    /// Why the run stopped.
    pub reason: StopReason,
}

/// A game: its world (entities, components, resources) and its schedule of systems.
///
/// # Example
/// ```
/// use layerw_engine::app::{App, AppExit, HeadlessRun, StopReason};
/// use layerw_engine::schedule::{Stage, System};
///
/// struct Countdown(u32);
/// let mut app = App::new();
/// app.insert_resource(Countdown(3)).add_system(
///     Stage::Update,
///     System::new("countdown", |ctx| {
///         let mut left = ctx.resource_mut::<Countdown>();
///         left.0 -= 1;
///         if left.0 == 0 {
///             ctx.send_event(AppExit).unwrap();
///         }
///     })
///     .writes_resource::<Countdown>()
///     .sends_events::<AppExit>(),
/// );
/// let report = app.run_headless(HeadlessRun { frames: None, ..HeadlessRun::frames(0) });
/// assert_eq!((report.frames, report.reason), (3, StopReason::ExitRequested));
/// ```
pub struct App {
    world: World,
    schedule: Schedule,
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl App {
    /// An empty app: a new world (with the [`AppExit`] event registered) and an empty
    /// multi-threaded schedule.
    pub fn new() -> App {
        let mut world = World::new();
        world.add_event::<AppExit>();
        App {
            world,
            schedule: Schedule::new(),
        }
    }

    /// Adds `system` to `stage`, after the systems already there.
    pub fn add_system(&mut self, stage: Stage, system: System) -> &mut Self {
        self.schedule.add_system(stage, system);
        self
    }

    /// Inserts (or replaces) a resource.
    pub fn insert_resource<T: Resource>(&mut self, resource: T) -> &mut Self {
        self.world.insert_resource(resource);
        self
    }

    /// Chooses how stages run their systems.
    pub fn set_executor(&mut self, executor: ExecutorKind) -> &mut Self {
        self.schedule.set_executor(executor);
        self
    }

    /// The world.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The world, mutably (to spawn the initial scene, say).
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// The schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// Runs one frame lasting `delta_seconds`. Every runner calls this.
    pub fn update(&mut self, delta_seconds: f64) {
        self.schedule.run_frame(&mut self.world, delta_seconds);
    }

    /// True when a system has sent [`AppExit`] since `seen` events were counted.
    fn exit_sent_since(&self, seen: usize) -> bool {
        self.world
            .try_resource::<Events<AppExit>>()
            .is_ok_and(|events| events.sent() > seen)
    }

    fn exits_sent(&self) -> usize {
        self.world
            .try_resource::<Events<AppExit>>()
            .map_or(0, |events| events.sent())
    }

    /// Runs frames with no window and no GPU until the frame limit or an [`AppExit`].
    pub fn run_headless(&mut self, run: HeadlessRun) -> RunReport {
        let exits = self.exits_sent();
        let min_frame = run
            .max_fps
            .filter(|fps| fps.is_finite() && *fps > 0.0)
            .map(|fps| Duration::from_secs_f64(1.0 / fps));
        let needs_clock = matches!(run.timestep, Timestep::Real { .. }) || min_frame.is_some();
        let clock = || if needs_clock { now() } else { None };
        let mut last = clock();
        let mut report = RunReport {
            frames: 0,
            simulated_seconds: 0.0,
            reason: StopReason::FrameLimit,
        };
        while run.frames.is_none_or(|limit| report.frames < limit) {
            let delta = match run.timestep {
                Timestep::Fixed(seconds) => seconds,
                Timestep::Real { max_seconds } => {
                    let now = clock();
                    let delta = match (now, last) {
                        (Some(now), Some(last)) => now.duration_since(last).as_secs_f64(),
                        _ => 1.0 / 60.0,
                    };
                    last = now;
                    delta.min(max_seconds)
                }
            };
            let started = clock();
            self.update(delta);
            report.frames += 1;
            report.simulated_seconds += delta;
            if self.exit_sent_since(exits) {
                report.reason = StopReason::ExitRequested;
                break;
            }
            pace(started, min_frame);
        }
        report
    }
}

/// The monotonic clock, where `std` has one (not in the browser).
fn now() -> Option<Instant> {
    if cfg!(all(target_arch = "wasm32", target_os = "unknown")) {
        None
    } else {
        Some(Instant::now())
    }
}

/// Sleeps out the rest of a frame that started at `started` and should last `min_frame`.
fn pace(started: Option<Instant>, min_frame: Option<Duration>) {
    #[cfg(not(target_family = "wasm"))]
    if let (Some(started), Some(min)) = (started, min_frame)
        && let Some(rest) = min.checked_sub(started.elapsed())
    {
        std::thread::sleep(rest);
    }
    #[cfg(target_family = "wasm")]
    let _ = (started, min_frame);
}
