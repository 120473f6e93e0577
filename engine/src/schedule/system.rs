//! Systems: named functions over the world with declared access.

use std::borrow::Cow;
use std::fmt;

use super::function::{IntoCondition, IntoSystemLabel};
use super::{Access, ScheduleError, SystemContext};
use crate::ecs::{Component, Event, Events, Resource};

/// The function a system runs.
pub(crate) type RunFn = Box<dyn FnMut(&SystemContext<'_>) + Send>;

/// The function a run condition runs.
pub(crate) type ConditionFn = Box<dyn FnMut(&SystemContext<'_>) -> bool + Send>;

/// A run condition: a function of read-only parameters deciding, each time its system's turn
/// comes, whether the system runs. Made from a function by
/// [`IntoSystemConfig::run_if`](super::IntoSystemConfig::run_if), or by
/// [`in_state`](super::in_state), [`resource_exists`](super::resource_exists),
/// [`not`](super::not).
pub struct Condition {
    pub(crate) access: Access,
    pub(crate) run: ConditionFn,
    pub(crate) error: Option<ScheduleError>,
}

impl Condition {
    pub(crate) fn from_parts(
        access: Access,
        run: ConditionFn,
        error: Option<ScheduleError>,
    ) -> Condition {
        Condition { access, run, error }
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

/// A named function over the world, with the component and resource types it reads and writes.
///
/// The schedule uses the declared [`Access`] to run non-conflicting systems in parallel; in
/// debug builds the [`SystemContext`] accessors panic when a system touches data it did not
/// declare. The function may keep state between frames (it is `FnMut`), such as an
/// [`EventCursor`](crate::ecs::EventCursor).
///
/// # Example
/// ```
/// use layerw_engine::schedule::System;
///
/// struct Position(f32);
/// struct Velocity(f32);
///
/// let movement = System::new("movement", |ctx| {
///     let dt = ctx.delta_seconds() as f32;
///     ctx.par_for_each::<(&mut Position, &Velocity), _>(|(p, v)| p.0 += v.0 * dt);
/// })
/// .reads::<Velocity>()
/// .writes::<Position>();
/// assert_eq!(movement.name(), "movement");
/// ```
pub struct System {
    pub(crate) name: Cow<'static, str>,
    pub(crate) access: Access,
    pub(crate) run: RunFn,
    pub(crate) conditions: Vec<Condition>,
    /// What only planning reads, boxed: a stage's systems sit side by side in memory and
    /// every byte here would be walked each frame.
    pub(crate) plan: Box<SystemPlan>,
}

/// A system's place in its stage and what was found wrong with it.
#[derive(Debug, Default)]
pub(crate) struct SystemPlan {
    pub(crate) phase: SystemPhase,
    /// Labels (system or set names) this system runs after / before, within its stage.
    pub(crate) after: Vec<Cow<'static, str>>,
    pub(crate) before: Vec<Cow<'static, str>>,
    /// The sets the system belongs to.
    pub(crate) sets: Vec<Cow<'static, str>>,
    /// A mistake found while building the system (conflicting parameters), reported when it
    /// is added to a schedule.
    pub(crate) error: Option<ScheduleError>,
}

/// Where a system goes in its stage's declaration order: every `First` system comes before
/// every `Normal` one, which come before every `Last` one; within a phase, declaration order.
///
/// Plugins use it for systems that must bracket a game's own (a network client sets the
/// predicted player's input before the game's FixedUpdate systems run), whatever order the
/// plugin and the game's systems were added in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SystemPhase {
    /// Before the stage's other systems.
    First,
    /// In declaration order (the default).
    #[default]
    Normal,
    /// After the stage's other systems.
    Last,
}

impl fmt::Debug for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("System")
            .field("name", &self.name)
            .field("access", &self.access)
            .field("plan", &self.plan)
            .field("conditions", &self.conditions.len())
            .finish_non_exhaustive()
    }
}

impl System {
    /// A system called `name` running `run`, declaring no access yet.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        run: impl FnMut(&SystemContext<'_>) + Send + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            access: Access::new(),
            run: Box::new(run),
            conditions: Vec::new(),
            plan: Box::default(),
        }
    }

    pub(crate) fn with_error(mut self, error: Option<ScheduleError>) -> Self {
        self.plan.error = self.plan.error.take().or(error);
        self
    }

    /// Renames the system.
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = name.into();
        self
    }

    /// Runs the system after every system of its stage named `label` or in the set `label`
    /// (a function added as a system is labelled by its name).
    pub fn after<M>(mut self, label: impl IntoSystemLabel<M>) -> Self {
        self.plan.after.push(label.into_label());
        self
    }

    /// Runs the system before every system of its stage named `label` or in the set `label`.
    pub fn before<M>(mut self, label: impl IntoSystemLabel<M>) -> Self {
        self.plan.before.push(label.into_label());
        self
    }

    /// Puts the system in the set `set`.
    pub fn in_set(mut self, set: impl Into<Cow<'static, str>>) -> Self {
        self.plan.sets.push(set.into());
        self
    }

    /// Runs the system only when `condition` holds (every condition, when there are several).
    /// The condition's reads join the system's access.
    pub fn run_if<M>(mut self, condition: impl IntoCondition<M>) -> Self {
        let condition = condition.into_condition_for(&self.name);
        self.access.merge(&condition.access);
        if self.plan.error.is_none() {
            self.plan.error = condition.error.clone();
        }
        self.conditions.push(condition);
        self
    }

    /// Whether the system carries the label `label`: its name or one of its sets.
    pub(crate) fn has_label(&self, label: &str) -> bool {
        self.name == label || self.plan.sets.iter().any(|s| s == label)
    }

    /// The mistake found while building the system, if any.
    pub fn error(&self) -> Option<&ScheduleError> {
        self.plan.error.as_ref()
    }

    /// Places the system before the stage's [`SystemPhase::Normal`] systems, even those added
    /// earlier.
    pub fn first(mut self) -> Self {
        self.plan.phase = SystemPhase::First;
        self
    }

    /// Places the system after the stage's [`SystemPhase::Normal`] systems, even those added
    /// later.
    pub fn last(mut self) -> Self {
        self.plan.phase = SystemPhase::Last;
        self
    }

    /// The system's phase in its stage.
    pub fn phase(&self) -> SystemPhase {
        self.plan.phase
    }

    /// Declares reading the component type `T`.
    pub fn reads<T: Component>(mut self) -> Self {
        self.access = self.access.reads::<T>();
        self
    }

    /// Declares writing (and reading) the component type `T`.
    pub fn writes<T: Component>(mut self) -> Self {
        self.access = self.access.writes::<T>();
        self
    }

    /// Declares reading the resource type `T`.
    pub fn reads_resource<T: Resource>(mut self) -> Self {
        self.access = self.access.reads_resource::<T>();
        self
    }

    /// Declares writing (and reading) the resource type `T`.
    pub fn writes_resource<T: Resource>(mut self) -> Self {
        self.access = self.access.writes_resource::<T>();
        self
    }

    /// Declares reading events of type `T` (reading the resource [`Events<T>`]).
    pub fn reads_events<T: Event>(self) -> Self {
        self.reads_resource::<Events<T>>()
    }

    /// Declares sending events of type `T` (writing the resource [`Events<T>`]).
    pub fn sends_events<T: Event>(self) -> Self {
        self.writes_resource::<Events<T>>()
    }

    /// Replaces the declared access with `access`.
    pub fn with_access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// The system's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The declared access.
    pub fn access(&self) -> &Access {
        &self.access
    }
}
