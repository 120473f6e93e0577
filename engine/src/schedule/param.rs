//! System parameters: what a function system asks for, and so what it declares.
//!
//! Each parameter type records the data it borrows when the system is built
//! ([`SystemParam::init`]) and borrows it from the world on every run
//! ([`SystemParam::fetch`]). A system's access is the union of its parameters', so it is
//! declared once, by the signature, and two parameters that would borrow the same data
//! mutably are refused when the system is built.

use core::any::{TypeId, type_name};
use core::cell::RefMut;
use core::ops::{Deref, DerefMut};

use super::{Access, ScheduleError, SystemContext};
use crate::ecs::{CommandBuffer, Event, EventCursor, EventIter, Events, Res, ResMut, Resource};

/// The access a system's parameters declare, built parameter by parameter; remembers which
/// parameter declared each type so a conflict names both.
pub struct ParamAccess {
    system: String,
    access: Access,
    /// (type, written, the parameter that declared it): components and resources apart.
    components: Vec<(TypeId, bool, &'static str)>,
    resources: Vec<(TypeId, bool, &'static str)>,
    error: Option<ScheduleError>,
}

impl ParamAccess {
    pub(crate) fn new(system: &str) -> Self {
        ParamAccess {
            system: system.to_owned(),
            access: Access::new(),
            components: Vec::new(),
            resources: Vec::new(),
            error: None,
        }
    }

    /// Declares that the parameter `param` borrows the component type `id` (`name` in
    /// messages), uniquely when `unique`.
    pub fn component(&mut self, param: &'static str, id: TypeId, name: &'static str, unique: bool) {
        Self::check(
            &self.system,
            &mut self.error,
            &mut self.components,
            param,
            id,
            unique,
        );
        self.access.add_component_id(id, name, unique);
    }

    /// Declares that the parameter `param` borrows the resource `T`, uniquely when `unique`.
    pub fn resource<T: Resource>(&mut self, param: &'static str, unique: bool) {
        Self::check(
            &self.system,
            &mut self.error,
            &mut self.resources,
            param,
            TypeId::of::<T>(),
            unique,
        );
        self.access = if unique {
            core::mem::take(&mut self.access).writes_resource::<T>()
        } else {
            core::mem::take(&mut self.access).reads_resource::<T>()
        };
    }

    fn check(
        system: &str,
        error: &mut Option<ScheduleError>,
        seen: &mut Vec<(TypeId, bool, &'static str)>,
        param: &'static str,
        id: TypeId,
        unique: bool,
    ) {
        // Within one parameter the same type may appear once (hecs refuses `(&mut A, &A)` too).
        if let Some(&(_, _, first)) = seen
            .iter()
            .find(|(other, written, _)| *other == id && (unique || *written))
            && error.is_none()
        {
            *error = Some(ScheduleError::ConflictingParams {
                system: system.to_owned(),
                first: first.to_owned(),
                second: param.to_owned(),
            });
        }
        seen.push((id, unique, param));
    }

    pub(crate) fn finish(self) -> (Access, Option<ScheduleError>) {
        (self.access, self.error)
    }
}

/// A value a function system can take as a parameter.
///
/// `Item<'w, 's>` is the parameter type itself with the lifetimes of one run: the world borrow
/// (`'w`) and the system's own state (`'s`).
pub trait SystemParam: Sized {
    /// What the parameter keeps between runs (an event cursor, a [`Local`]).
    type State: Send + 'static;
    /// The parameter as the function receives it.
    type Item<'w, 's>: SystemParam<State = Self::State>;

    /// Declares the parameter's access and creates its state.
    fn init(access: &mut ParamAccess) -> Self::State;

    /// Borrows the parameter for one run.
    ///
    /// # Panics
    /// When a resource it requires is missing (the message names the system and the type).
    fn fetch<'w, 's>(state: &'s mut Self::State, ctx: &'w SystemContext<'_>) -> Self::Item<'w, 's>;
}

/// A parameter that only reads: what run conditions may take.
pub trait ReadOnlySystemParam: SystemParam {}

/// The parameter type `P` with the lifetimes of one run.
pub type SystemParamItem<'w, 's, P> = <P as SystemParam>::Item<'w, 's>;

#[track_caller]
fn missing<T>(ctx: &SystemContext<'_>) -> ! {
    panic!(
        "system `{}` needs the resource `{}`, which the world does not have; insert it (or take \
         `Option<Res<..>>`)",
        ctx.name(),
        type_name::<T>()
    )
}

impl<T: Resource> SystemParam for Res<'_, T> {
    type State = ();
    type Item<'w, 's> = Res<'w, T>;
    fn init(access: &mut ParamAccess) {
        access.resource::<T>(type_name::<Res<'static, T>>(), false);
    }
    fn fetch<'w>(_: &mut (), ctx: &'w SystemContext<'_>) -> Res<'w, T> {
        ctx.world_ref()
            .try_resource::<T>()
            .unwrap_or_else(|_| missing::<T>(ctx))
    }
}
impl<T: Resource> ReadOnlySystemParam for Res<'_, T> {}

impl<T: Resource> SystemParam for ResMut<'_, T> {
    type State = ();
    type Item<'w, 's> = ResMut<'w, T>;
    fn init(access: &mut ParamAccess) {
        access.resource::<T>(type_name::<ResMut<'static, T>>(), true);
    }
    fn fetch<'w>(_: &mut (), ctx: &'w SystemContext<'_>) -> ResMut<'w, T> {
        ctx.world_ref()
            .try_resource_mut::<T>()
            .unwrap_or_else(|_| missing::<T>(ctx))
    }
}

impl<T: Resource> SystemParam for Option<Res<'_, T>> {
    type State = ();
    type Item<'w, 's> = Option<Res<'w, T>>;
    fn init(access: &mut ParamAccess) {
        access.resource::<T>(type_name::<Option<Res<'static, T>>>(), false);
    }
    fn fetch<'w>(_: &mut (), ctx: &'w SystemContext<'_>) -> Option<Res<'w, T>> {
        ctx.world_ref().try_resource::<T>().ok()
    }
}
impl<T: Resource> ReadOnlySystemParam for Option<Res<'_, T>> {}

impl<T: Resource> SystemParam for Option<ResMut<'_, T>> {
    type State = ();
    type Item<'w, 's> = Option<ResMut<'w, T>>;
    fn init(access: &mut ParamAccess) {
        access.resource::<T>(type_name::<Option<ResMut<'static, T>>>(), true);
    }
    fn fetch<'w>(_: &mut (), ctx: &'w SystemContext<'_>) -> Option<ResMut<'w, T>> {
        ctx.world_ref().try_resource_mut::<T>().ok()
    }
}

/// The system's command buffer: structural changes (spawn, despawn, insert, remove), applied
/// at the end of the stage in system order.
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::schedule::{Commands, Stage};
///
/// struct Spark;
/// fn spawn_spark(mut commands: Commands) {
///     commands.spawn((Spark,));
/// }
/// let mut app = App::new();
/// app.add_system(Stage::Update, spawn_spark);
/// app.update(1.0 / 60.0);
/// assert_eq!(app.world().query::<&Spark>().iter().count(), 1);
/// ```
pub struct Commands<'w>(RefMut<'w, CommandBuffer>);

impl Deref for Commands<'_> {
    type Target = CommandBuffer;
    fn deref(&self) -> &CommandBuffer {
        &self.0
    }
}

impl DerefMut for Commands<'_> {
    fn deref_mut(&mut self) -> &mut CommandBuffer {
        &mut self.0
    }
}

impl SystemParam for Commands<'_> {
    type State = ();
    type Item<'w, 's> = Commands<'w>;
    fn init(_: &mut ParamAccess) {}
    fn fetch<'w>(_: &mut (), ctx: &'w SystemContext<'_>) -> Commands<'w> {
        Commands(ctx.commands())
    }
}

/// The events of type `T` this system has not read yet: each event is seen once per system.
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::schedule::{EventReader, EventWriter, ResMut, Stage};
///
/// struct Hit(u32);
/// struct Total(u32);
/// fn shoot(mut hits: EventWriter<Hit>) {
///     hits.send(Hit(5));
/// }
/// fn tally(mut hits: EventReader<Hit>, mut total: ResMut<Total>) {
///     total.0 += hits.read().map(|h| h.0).sum::<u32>();
/// }
/// let mut app = App::new();
/// app.world_mut().add_event::<Hit>();
/// app.insert_resource(Total(0));
/// app.add_system(Stage::Update, shoot).add_system(Stage::Render, tally);
/// app.update(1.0 / 60.0);
/// app.update(1.0 / 60.0);
/// assert_eq!(app.world().resource::<Total>().0, 10);
/// ```
pub struct EventReader<'w, 's, T: Event> {
    events: Res<'w, Events<T>>,
    cursor: &'s mut EventCursor<T>,
}

impl<T: Event> EventReader<'_, '_, T> {
    /// The events not read yet, oldest first; afterwards they count as read.
    pub fn read(&mut self) -> EventIter<'_, T> {
        self.cursor.read(&self.events)
    }

    /// How many events [`read`](Self::read) would yield now.
    pub fn len(&self) -> usize {
        self.cursor.unread(&self.events)
    }

    /// True when there is nothing new to read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Event> SystemParam for EventReader<'_, '_, T> {
    type State = EventCursor<T>;
    type Item<'w, 's> = EventReader<'w, 's, T>;
    fn init(access: &mut ParamAccess) -> EventCursor<T> {
        access.resource::<Events<T>>(type_name::<EventReader<'static, 'static, T>>(), false);
        EventCursor::new()
    }
    fn fetch<'w, 's>(
        cursor: &'s mut EventCursor<T>,
        ctx: &'w SystemContext<'_>,
    ) -> EventReader<'w, 's, T> {
        EventReader {
            events: ctx
                .world_ref()
                .try_resource::<Events<T>>()
                .unwrap_or_else(|_| missing::<Events<T>>(ctx)),
            cursor,
        }
    }
}
impl<T: Event> ReadOnlySystemParam for EventReader<'_, '_, T> {}

/// Sends events of type `T` (register the type with `World::add_event`).
pub struct EventWriter<'w, T: Event>(ResMut<'w, Events<T>>);

impl<T: Event> EventWriter<'_, T> {
    /// Sends `event`: readers see it from now on, for two frames.
    pub fn send(&mut self, event: T) {
        self.0.send(event);
    }

    /// Sends every event of `events`, in order.
    pub fn send_batch(&mut self, events: impl IntoIterator<Item = T>) {
        self.0.send_batch(events);
    }
}

impl<T: Event> SystemParam for EventWriter<'_, T> {
    type State = ();
    type Item<'w, 's> = EventWriter<'w, T>;
    fn init(access: &mut ParamAccess) {
        access.resource::<Events<T>>(type_name::<EventWriter<'static, T>>(), true);
    }
    fn fetch<'w>(_: &mut (), ctx: &'w SystemContext<'_>) -> EventWriter<'w, T> {
        EventWriter(
            ctx.world_ref()
                .try_resource_mut::<Events<T>>()
                .unwrap_or_else(|_| missing::<Events<T>>(ctx)),
        )
    }
}

/// State that belongs to one system and lives across its runs (starts as `T::default()`).
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::schedule::{Local, ResMut, Stage};
///
/// struct Seen(u32);
/// fn count(mut runs: Local<u32>, mut seen: ResMut<Seen>) {
///     *runs += 1;
///     seen.0 = *runs;
/// }
/// let mut app = App::new();
/// app.insert_resource(Seen(0)).add_system(Stage::Update, count);
/// for _ in 0..3 {
///     app.update(1.0 / 60.0);
/// }
/// assert_eq!(app.world().resource::<Seen>().0, 3);
/// ```
pub struct Local<'s, T: Default + Send + 'static>(&'s mut T);

impl<T: Default + Send + 'static> Deref for Local<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0
    }
}

impl<T: Default + Send + 'static> DerefMut for Local<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0
    }
}

impl<T: Default + Send + 'static> SystemParam for Local<'_, T> {
    type State = T;
    type Item<'w, 's> = Local<'s, T>;
    fn init(_: &mut ParamAccess) -> T {
        T::default()
    }
    fn fetch<'s>(state: &'s mut T, _: &SystemContext<'_>) -> Local<'s, T> {
        Local(state)
    }
}
impl<T: Default + Send + 'static> ReadOnlySystemParam for Local<'_, T> {}

/// The time this run of the system covers: the fixed step in
/// [`Stage::FixedUpdate`](super::Stage::FixedUpdate), the frame's delta elsewhere.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delta(f64);

impl Delta {
    /// Seconds, as `f32` (what simulation code multiplies by).
    pub fn seconds(self) -> f32 {
        self.0 as f32
    }

    /// Seconds, as `f64`.
    pub fn seconds_f64(self) -> f64 {
        self.0
    }
}

impl SystemParam for Delta {
    type State = ();
    type Item<'w, 's> = Delta;
    fn init(_: &mut ParamAccess) {}
    fn fetch(_: &mut (), ctx: &SystemContext<'_>) -> Delta {
        Delta(ctx.delta_seconds())
    }
}
impl ReadOnlySystemParam for Delta {}
