//! Systems: named functions over the world with declared access.

use std::borrow::Cow;
use std::fmt;

use super::{Access, SystemContext};
use crate::ecs::{Component, Event, Events, Resource};

/// The function a system runs.
pub(crate) type RunFn = Box<dyn FnMut(&SystemContext<'_>) + Send>;

/// A named function over the world, with the component and resource types it reads and writes.
///
/// The schedule uses the declared [`Access`] to run non-conflicting systems in parallel; in
/// debug builds the [`SystemContext`] accessors panic when a system touches data it did not
/// declare. The function may keep state between frames (it is `FnMut`), such as an
/// [`EventReader`](crate::ecs::EventReader).
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
    pub(crate) phase: SystemPhase,
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
            .field("phase", &self.phase)
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
            phase: SystemPhase::Normal,
        }
    }

    /// Places the system before the stage's [`SystemPhase::Normal`] systems, even those added
    /// earlier.
    pub fn first(mut self) -> Self {
        self.phase = SystemPhase::First;
        self
    }

    /// Places the system after the stage's [`SystemPhase::Normal`] systems, even those added
    /// later.
    pub fn last(mut self) -> Self {
        self.phase = SystemPhase::Last;
        self
    }

    /// The system's phase in its stage.
    pub fn phase(&self) -> SystemPhase {
        self.phase
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
