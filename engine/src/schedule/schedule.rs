//! The [`Schedule`]: every stage's systems, run in fixed order once per frame.

use super::executor::StageExecutor;
use super::{ExecutorKind, FixedTime, IntoSystem, Rollback, ScheduleError, Stage, System, Time};
use crate::ecs::World;

/// The systems of every [`Stage`], and how to run them.
///
/// Systems run stage by stage in the order of [`Stage::ALL`]. Within a stage they are grouped,
/// in declaration order, into batches of mutually non-conflicting systems (see
/// [`batches`](Self::batches)); the systems of a batch run in parallel (natively, with
/// [`ExecutorKind::MultiThreaded`]), batches run one after another, and the systems' command
/// buffers are applied at the end of the stage in declaration order. The result does not depend
/// on the number of threads.
///
/// # Example
/// ```
/// use layerw_engine::ecs::World;
/// use layerw_engine::schedule::{Schedule, Stage, System};
///
/// struct Counter(u32);
///
/// let mut world = World::new();
/// world.insert_resource(Counter(0));
/// let mut schedule = Schedule::new();
/// schedule.add_system(
///     Stage::Update,
///     System::new("count", |ctx| ctx.resource_mut::<Counter>().0 += 1).writes_resource::<Counter>(),
/// );
/// schedule.run_frame(&mut world, 1.0 / 60.0);
/// schedule.run_frame(&mut world, 1.0 / 60.0);
/// assert_eq!(world.resource::<Counter>().0, 2);
/// ```
#[derive(Default)]
pub struct Schedule {
    stages: [StageExecutor; Stage::COUNT],
    executor: ExecutorKind,
    /// Wall-clock seconds each stage took in the last frame (FixedUpdate: all its steps).
    stage_seconds: [f64; Stage::COUNT],
    /// Whether the ordering constraints were checked since the last change.
    checked: bool,
    /// Whether each system's runs are timed ([`set_system_timing`](Self::set_system_timing)).
    time_systems: bool,
}

impl core::fmt::Debug for Schedule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("Schedule");
        d.field("executor", &self.executor);
        for stage in Stage::ALL {
            d.field(stage.name(), &self.batches(stage));
        }
        d.finish()
    }
}

impl Schedule {
    /// An empty schedule with the default executor ([`ExecutorKind::MultiThreaded`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty schedule run by `executor`.
    pub fn with_executor(executor: ExecutorKind) -> Self {
        Self {
            executor,
            ..Self::default()
        }
    }

    /// The executor kind in use.
    pub fn executor(&self) -> ExecutorKind {
        self.executor
    }

    /// Switches the executor kind (batches stay as they are).
    pub fn set_executor(&mut self, executor: ExecutorKind) {
        self.executor = executor;
    }

    /// Adds `system` (a [`System`] or a function of system parameters) at the end of
    /// `stage`'s declaration order and re-plans that stage's batches.
    ///
    /// # Panics
    /// When the system's parameters conflict (see [`try_add_system`](Self::try_add_system)),
    /// in every build profile.
    #[track_caller]
    pub fn add_system<M>(&mut self, stage: Stage, system: impl IntoSystem<M>) -> &mut Self {
        if let Err(error) = self.try_add_system(stage, system) {
            panic!("{error}");
        }
        self
    }

    /// Adds `system` to `stage`, or says why it cannot run: two of its parameters borrow the
    /// same data and one writes it ([`ScheduleError::ConflictingParams`]), or a run condition
    /// writes ([`ScheduleError::WritingCondition`]). Nothing is added on error.
    pub fn try_add_system<M>(
        &mut self,
        stage: Stage,
        system: impl IntoSystem<M>,
    ) -> Result<&mut Self, ScheduleError> {
        let system = system.into_system();
        if let Some(error) = system.error() {
            return Err(error.clone());
        }
        self.stages[stage.index()].push(system);
        self.checked = false;
        Ok(self)
    }

    /// Removes the first system called `name` from `stage` and re-plans that stage's batches.
    pub fn remove_system(&mut self, stage: Stage, name: &str) -> Option<System> {
        self.checked = false;
        self.stages[stage.index()].remove(name)
    }

    /// Checks every stage's ordering constraints: each `before`/`after` label names a system
    /// or set of the same stage ([`ScheduleError::UnknownLabel`]) and the constraints have no
    /// cycle ([`ScheduleError::Cycle`]). [`run_frame`](Self::run_frame) checks this before
    /// its first frame and after every change.
    pub fn build(&mut self) -> Result<(), ScheduleError> {
        for stage in Stage::ALL {
            self.stages[stage.index()].check(stage)?;
        }
        self.checked = true;
        Ok(())
    }

    /// The number of systems in `stage`.
    pub fn system_count(&self, stage: Stage) -> usize {
        self.stages[stage.index()].len()
    }

    /// The systems of `stage`, in declaration order.
    pub fn systems(&self, stage: Stage) -> impl ExactSizeIterator<Item = &System> + '_ {
        self.stages[stage.index()].systems()
    }

    /// The names of the systems in each batch of `stage`, in run order. Systems within one batch
    /// never conflict and may run at the same time.
    pub fn batches(&self, stage: Stage) -> Vec<Vec<&str>> {
        self.stages[stage.index()].batches()
    }

    /// Runs `stage` once, its systems seeing `delta_seconds` as their delta time, and applies
    /// their command buffers. Touches no clock unless per-system timing is on
    /// ([`set_system_timing`](Self::set_system_timing)).
    pub fn run_stage(&mut self, stage: Stage, world: &mut World, delta_seconds: f64) {
        let how = (self.executor, self.time_systems);
        self.stages[stage.index()].run(world, stage, delta_seconds, how);
    }

    /// Runs one frame lasting `delta_seconds`: advances the [`Time`] resource, runs every stage
    /// in order (with [`Stage::FixedUpdate`] run as many times as the [`FixedTime`] resource
    /// says, with the fixed step as its delta time), then updates every registered event queue.
    /// Missing `Time` / `FixedTime` resources are created with defaults. A negative or
    /// non-finite delta counts as zero.
    ///
    /// # Panics
    /// When the ordering constraints are wrong (see [`build`](Self::build), which returns the
    /// error instead).
    pub fn run_frame(&mut self, world: &mut World, delta_seconds: f64) {
        if !self.checked
            && let Err(error) = self.build()
        {
            panic!("{error}");
        }
        let _span = tracing::info_span!("frame").entered();
        let delta = match world.get_resource_mut::<Time>() {
            Some(time) => {
                time.advance(delta_seconds);
                time.delta_seconds()
            }
            None => {
                let mut time = Time::default();
                time.advance(delta_seconds);
                let delta = time.delta_seconds();
                world.insert_resource(time);
                delta
            }
        };
        for stage in Stage::ALL {
            // A clock read costs about as much as running a few empty systems: stages with no
            // systems are not timed (they take no time).
            let started = super::clock::start_if(self.system_count(stage) > 0);
            self.run_stage_steps(stage, world, delta);
            self.stage_seconds[stage.index()] = super::clock::seconds_since(started).unwrap_or(0.0);
        }
        let timings = StageTimings(self.stage_seconds);
        match world.get_resource_mut::<StageTimings>() {
            Some(t) => *t = timings,
            None => {
                world.insert_resource(timings);
            }
        }
        world.update_events();
    }

    /// Turns per-system timing on or off (off by default). While on, every run of a system
    /// and the application of its command buffer are timed with
    /// [`monotonic_seconds`](super::monotonic_seconds), two clock reads each, and added to the
    /// system's totals ([`system_timings`](Self::system_timings)). Without a clock (the
    /// browser without web-sys) nothing is counted.
    pub fn set_system_timing(&mut self, on: bool) {
        self.time_systems = on;
    }

    /// Whether per-system timing is on.
    pub fn system_timing(&self) -> bool {
        self.time_systems
    }

    /// Every system's runs and seconds accumulated while timing was on (since the last
    /// [`reset_system_timings`](Self::reset_system_timings)), stage by stage in frame order,
    /// then in run order within the stage.
    pub fn system_timings(&self) -> Vec<SystemTiming> {
        Stage::ALL
            .into_iter()
            .flat_map(|stage| self.stages[stage.index()].timings(stage))
            .collect()
    }

    /// Sets every system's accumulated runs and seconds to zero.
    pub fn reset_system_timings(&mut self) {
        for stage in &mut self.stages {
            stage.reset_timings();
        }
    }

    /// Wall-clock seconds `stage` took in the last frame (0 where there is no clock: the
    /// browser). Bench scenes report these.
    pub fn stage_seconds(&self, stage: Stage) -> f64 {
        self.stage_seconds[stage.index()]
    }

    fn run_stage_steps(&mut self, stage: Stage, world: &mut World, delta: f64) {
        if stage == Stage::FixedUpdate {
            let (steps, step, alpha) = match world.get_resource_mut::<FixedTime>() {
                Some(fixed) => (fixed.advance(delta), fixed.step(), fixed.alpha()),
                None => {
                    let mut fixed = FixedTime::default();
                    let steps = fixed.advance(delta);
                    let (step, alpha) = (fixed.step(), fixed.alpha());
                    world.insert_resource(fixed);
                    (steps, step, alpha)
                }
            };
            if let Some(time) = world.get_resource_mut::<Time>() {
                time.set_fixed(step, alpha);
            }
            let replays = world
                .get_resource_mut::<Rollback>()
                .map_or(0, |rollback| rollback.begin());
            if replays > 0 {
                let _span = tracing::debug_span!("rollback", steps = replays).entered();
                for _ in 0..replays {
                    self.run_stage(stage, world, step);
                }
                if let Some(rollback) = world.get_resource_mut::<Rollback>() {
                    rollback.end(replays);
                }
            }
            for _ in 0..steps {
                self.run_stage(stage, world, step);
            }
        } else {
            self.run_stage(stage, world, delta);
        }
    }
}

/// Wall-clock seconds each stage took in the last frame, stored on the world as a resource
/// after every frame (zero for stages without systems, which are not timed, and everywhere
/// when there is no clock: see [`monotonic_seconds`](super::monotonic_seconds)).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageTimings(pub [f64; Stage::COUNT]);

impl StageTimings {
    /// Seconds `stage` took (FixedUpdate: all of the frame's steps).
    pub fn seconds(&self, stage: Stage) -> f64 {
        self.0[stage.index()]
    }
}

/// One system's accumulated time ([`Schedule::system_timings`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SystemTiming {
    /// The stage the system belongs to.
    pub stage: Stage,
    /// The system's name.
    pub name: String,
    /// Times it ran (a run whose conditions failed does not count).
    pub runs: u64,
    /// Wall-clock seconds of its turns (a skipped run's condition checks included) plus the
    /// application of its command buffers.
    pub seconds: f64,
}

impl SystemTiming {
    /// Mean seconds per run (0 when it never ran).
    pub fn mean_seconds(&self) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            self.seconds / self.runs as f64
        }
    }
}
