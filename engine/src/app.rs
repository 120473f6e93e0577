//! The app: a World and a Schedule assembled by builder calls, and the headless runner that
//! drives them frame by frame without a window (servers, tests, benches, WASI builds).
//!
//! The same game code (systems and resources) runs under every runner; a windowed runner
//! drives the same [`App::update`].

use std::time::{Duration, Instant};

use crate::ecs::{Events, Resource, World};
use crate::platform::{
    Action, ActionMap, ActionState, ExitOnClose, Gamepads, InputEvent, InputQueue, Journal,
    JournalRecorder, Keyboard, Mouse, PlatformEvent, Touches, Window, WindowConfig, WindowEvent,
    action_system, input_system,
};
use crate::schedule::{
    ExecutorKind, IntoSystem, NextState, Schedule, ScheduleError, Stage, State, StateTransition,
    States, Time, state_transition_system,
};

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
    /// A system sent [`AppExit`] (or the user closed the window).
    ExitRequested,
    /// A replayed journal ran out of frames.
    JournalEnd,
    /// In the browser: `run` handed the app to the page's animation-frame loop and returned at
    /// once; frames run after it returns.
    HandedToBrowser,
}

/// Why [`App::run`] could not start a windowed run.
#[non_exhaustive]
#[derive(Debug)]
pub enum RunError {
    /// The platform's event loop could not start (no display server, say). Run headless
    /// instead, or set `DISPLAY`/`WAYLAND_DISPLAY`.
    EventLoop(String),
    /// The window could not be created.
    Window(String),
    /// The schedule's ordering constraints are wrong.
    Schedule(ScheduleError),
}

impl core::fmt::Display for RunError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            RunError::EventLoop(e) => write!(f, "cannot start the platform event loop: {e}"),
            RunError::Window(e) => write!(f, "cannot create the window: {e}"),
            RunError::Schedule(e) => write!(f, "cannot build the schedule: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

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

/// Runs on the main thread after every frame (see [`App::add_frame_hook`]).
type FrameHook = Box<dyn FnMut(&mut World)>;

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
    pub(crate) world: World,
    pub(crate) schedule: Schedule,
    pub(crate) window: Option<WindowConfig>,
    headless: Option<HeadlessRun>,
    pub(crate) frame_hooks: Vec<FrameHook>,
    plugins: Vec<String>,
}

/// A piece of an app packaged for reuse: resources, systems and frame hooks added in one call
/// ([`App::add_plugin`]).
///
/// # Example
/// ```
/// use layerw_engine::app::{App, Plugin};
/// use layerw_engine::schedule::{Stage, System};
///
/// struct Score(u32);
/// struct ScorePlugin;
/// impl Plugin for ScorePlugin {
///     fn build(&self, app: &mut App) {
///         app.insert_resource(Score(0)).add_system(
///             Stage::Update,
///             System::new("score", |ctx| ctx.resource_mut::<Score>().0 += 1)
///                 .writes_resource::<Score>(),
///         );
///     }
/// }
/// let mut app = App::new();
/// app.add_plugin(ScorePlugin).add_plugin(ScorePlugin); // the second is ignored
/// app.update(1.0 / 60.0);
/// assert_eq!(app.world().resource::<Score>().0, 1);
/// ```
pub trait Plugin {
    /// Adds the plugin's resources, systems and hooks to `app`.
    fn build(&self, app: &mut App);

    /// The name that makes a second `add_plugin` of the same plugin a no-op (the type's name
    /// unless overridden: override it for plugins meant to be added more than once, with
    /// different settings, under different names).
    fn name(&self) -> String {
        core::any::type_name::<Self>().to_owned()
    }
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl App {
    /// A new app: a world with the input resources ([`Keyboard`], [`Mouse`], [`Touches`],
    /// [`Gamepads`], [`Window`], [`InputQueue`]) and events ([`AppExit`], [`InputEvent`],
    /// [`WindowEvent`]), and a multi-threaded schedule whose Input stage runs the engine's
    /// [`input_system`]. No window is configured: [`run`](Self::run) runs headless until
    /// [`set_window`](Self::set_window) says otherwise.
    pub fn new() -> App {
        let mut world = World::new();
        world.add_event::<AppExit>();
        world.add_event::<InputEvent>();
        world.add_event::<WindowEvent>();
        world.insert_resource(Keyboard::default());
        world.insert_resource(Mouse::default());
        world.insert_resource(Touches::default());
        world.insert_resource(Gamepads::default());
        world.insert_resource(Window::default());
        world.insert_resource(InputQueue::default());
        world.insert_resource(ExitOnClose(true));
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Input, input_system());
        App {
            world,
            schedule,
            window: None,
            headless: None,
            frame_hooks: Vec::new(),
            plugins: Vec::new(),
        }
    }

    /// Gives the app a window: [`run`](Self::run) opens it natively and uses a canvas in the
    /// browser (headless and WASI builds keep running headless, with this window's size and
    /// internal resolution in the [`Window`] resource).
    pub fn set_window(&mut self, config: WindowConfig) -> &mut Self {
        let mut window = Window::new(config.internal_resolution, config.size);
        window.apply(&WindowEvent::Fullscreen(config.fullscreen));
        self.world.insert_resource(window);
        self.world
            .insert_resource(ExitOnClose(config.exit_on_close));
        self.window = Some(config);
        self
    }

    /// The window configuration, if the app has one.
    pub fn window_config(&self) -> Option<&WindowConfig> {
        self.window.as_ref()
    }

    /// Makes [`run`](Self::run) run headless as `run` says, even when a window is configured
    /// (the [`Window`] resource keeps the configured size): servers, scripted runs, machines
    /// without a display.
    pub fn set_headless(&mut self, run: HeadlessRun) -> &mut Self {
        self.headless = Some(run);
        self
    }

    /// Adds a game's action set: `defaults` becomes the [`ActionMap<A>`] resource (rebind by
    /// writing it), [`ActionState<A>`] is updated every frame in the Input stage.
    pub fn add_actions<A: Action>(&mut self, defaults: ActionMap<A>) -> &mut Self {
        self.world.insert_resource(defaults);
        self.world.insert_resource(ActionState::<A>::default());
        self.schedule.add_system(Stage::Input, action_system::<A>());
        self
    }

    /// Queues a platform event for the next frame's Input stage, timestamped with the simulated
    /// time so far (what runners do; tests and tools can too).
    pub fn push_event(&mut self, event: impl Into<PlatformEvent>) -> &mut Self {
        let at = self
            .world
            .try_resource::<Time>()
            .map_or(0.0, |t| t.elapsed_seconds());
        self.push_event_at(at, event)
    }

    /// Queues a platform event that arrived `at` seconds after the run started.
    pub fn push_event_at(&mut self, at: f64, event: impl Into<PlatformEvent>) -> &mut Self {
        self.world.resource_mut::<InputQueue>().push(at, event);
        self
    }

    /// Starts recording every frame's delta and platform events into a [`Journal`]
    /// (restarting it if already recording).
    pub fn record_journal(&mut self) -> &mut Self {
        self.world.insert_resource(JournalRecorder::default());
        self
    }

    /// Starts recording every frame's delta and platform events, streamed line by line to
    /// `sink` (a file natively; see [`Journal`] for the format). Read it back with
    /// [`Journal::load`] / [`Journal::from_bytes`].
    pub fn record_journal_to(
        &mut self,
        sink: impl std::io::Write + Send + Sync + 'static,
    ) -> &mut Self {
        self.world.insert_resource(JournalRecorder::streaming(sink));
        self
    }

    /// Stops recording and returns the journal recorded in memory, if recording (empty when
    /// it was streamed to a writer).
    pub fn take_journal(&mut self) -> Option<Journal> {
        self.world
            .remove_resource::<JournalRecorder>()
            .map(|mut recorder| recorder.take())
    }

    /// Replays a journal headless: each recorded frame runs with its recorded delta and
    /// exactly its recorded events (anything else queued is dropped), so an app built the same
    /// way reaches the same state as the recorded run. Stops early on [`AppExit`].
    pub fn replay(&mut self, journal: &Journal) -> RunReport {
        let exits = self.exits_sent();
        let mut report = RunReport {
            frames: 0,
            simulated_seconds: 0.0,
            reason: StopReason::JournalEnd,
        };
        for frame in journal.frames() {
            {
                let mut queue = self.world.resource_mut::<InputQueue>();
                queue.clear();
                for timed in &frame.events {
                    queue.push(timed.at, timed.event.clone());
                }
            }
            self.update(frame.delta);
            self.run_frame_hooks();
            report.frames += 1;
            report.simulated_seconds += frame.delta;
            if self.exit_sent_since(exits) {
                report.reason = StopReason::ExitRequested;
                break;
            }
        }
        report
    }

    /// Adds a hook that runs on the main thread after every frame, under every runner:
    /// presenting, drawing through an API that is not `Send`, screenshots.
    pub fn add_frame_hook(&mut self, hook: impl FnMut(&mut World) + 'static) -> &mut Self {
        self.frame_hooks.push(Box::new(hook));
        self
    }

    pub(crate) fn run_frame_hooks(&mut self) {
        for hook in &mut self.frame_hooks {
            hook(&mut self.world);
        }
    }

    /// Runs the app until it exits: headless as [`set_headless`](Self::set_headless) said if
    /// it was called; else in its window when one is configured and the platform has windows
    /// (the `window` feature, not WASI); else headless until [`AppExit`], in real time (at most
    /// 0.25 s per frame) and at most 60 frames per second. In the browser a windowed run hands
    /// the app to the page's animation-frame loop and returns at once
    /// ([`StopReason::HandedToBrowser`]).
    ///
    /// # Errors
    /// [`RunError`] when a window was asked for but the platform cannot open one.
    pub fn run(mut self) -> Result<RunReport, RunError> {
        self.build().map_err(RunError::Schedule)?;
        #[cfg(all(feature = "window", not(target_os = "wasi")))]
        if self.headless.is_none()
            && let Some(config) = self.window.clone()
        {
            return crate::platform::run(self, config);
        }
        let run = self.headless.unwrap_or(HeadlessRun {
            frames: None,
            timestep: Timestep::Real { max_seconds: 0.25 },
            max_fps: Some(60.0),
        });
        Ok(self.run_headless(run))
    }

    /// Adds a plugin: it inserts its resources and adds its systems and frame hooks now.
    /// A plugin added twice (by [`Plugin::name`]) is built once, so plugins can add the
    /// plugins they depend on without a game having to know.
    pub fn add_plugin(&mut self, plugin: impl Plugin) -> &mut Self {
        let name = plugin.name();
        if !self.plugins.contains(&name) {
            self.plugins.push(name);
            plugin.build(self);
        }
        self
    }

    /// Whether a plugin called `name` was added.
    pub fn has_plugin(&self, name: &str) -> bool {
        self.plugins.iter().any(|added| added == name)
    }

    /// Adds `system` (a function of system parameters, or a [`System`]) to `stage`, after the
    /// systems already there (unless ordered otherwise with `before`/`after`).
    ///
    /// # Panics
    /// When the system's parameters conflict, in every build profile (see
    /// [`try_add_system`](Self::try_add_system)).
    #[track_caller]
    pub fn add_system<M>(&mut self, stage: Stage, system: impl IntoSystem<M>) -> &mut Self {
        self.schedule.add_system(stage, system);
        self
    }

    /// Adds `system` to `stage`, or returns why it cannot run ([`ScheduleError`]).
    pub fn try_add_system<M>(
        &mut self,
        stage: Stage,
        system: impl IntoSystem<M>,
    ) -> Result<&mut Self, ScheduleError> {
        self.schedule.try_add_system(stage, system)?;
        Ok(self)
    }

    /// Checks the schedule's ordering constraints (see [`Schedule::build`]); [`run`](Self::run)
    /// does this first and returns the error, [`update`](Self::update) panics with it.
    pub fn build(&mut self) -> Result<(), ScheduleError> {
        self.schedule.build()
    }

    /// Adds a state machine of type `S` starting at `initial`: the resources [`State<S>`] and
    /// [`NextState<S>`], the event [`StateTransition<S>`], and a system that applies a
    /// requested state at the start of each frame (first in the Input stage). Systems run only
    /// in a state with `.run_if(in_state(..))`.
    pub fn add_state<S: States>(&mut self, initial: S) -> &mut Self {
        if self.world.contains_resource::<State<S>>() {
            return self;
        }
        self.world.insert_resource(State::new(initial));
        self.world.insert_resource(NextState::<S>::default());
        self.world.add_event::<StateTransition<S>>();
        self.schedule
            .add_system(Stage::Input, state_transition_system::<S>().first());
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
    pub(crate) fn exit_sent_since(&self, seen: usize) -> bool {
        self.world
            .try_resource::<Events<AppExit>>()
            .is_ok_and(|events| events.sent() > seen)
    }

    pub(crate) fn exits_sent(&self) -> usize {
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
            self.run_frame_hooks();
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
pub(crate) fn now() -> Option<Instant> {
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
