//! What a running system sees: the world through its declared access.

use core::cell::{RefCell, RefMut};

use super::{Access, Stage};
use crate::ecs::{
    CommandBuffer, Component, Entity, EntityError, Event, Events, Query, QueryBorrow, Ref,
    RefMut as ComponentRefMut, Res, ResMut, Resource, ResourceError, Tick, World,
};

/// Which entities exist: [`SystemContext::liveness`]. It reads no component, so it needs no
/// declaration, and it is `Sync`.
#[derive(Clone, Copy)]
pub struct Liveness<'w> {
    world: &'w World,
}

impl Liveness<'_> {
    /// Whether `entity` exists (as [`SystemContext::contains`]).
    #[inline]
    pub fn contains(&self, entity: Entity) -> bool {
        self.world.contains(entity)
    }
}

/// A running system's view of the world.
///
/// Systems of one batch run in parallel over a shared `&World`; every accessor here goes
/// through the system's declared [`Access`] and, in debug builds, panics with the system's name
/// and the offending type when the system touches something it did not declare. Structural
/// changes are recorded in the system's own [`CommandBuffer`] ([`commands`](Self::commands)),
/// applied at the end of the stage in system declaration order.
///
/// The context is not `Sync`: closures run by [`par_for_each`](Self::par_for_each) cannot
/// capture it, so commands are only ever recorded in a deterministic order. Borrow what such a
/// closure needs (a resource, the delta time) before calling it:
///
/// ```compile_fail
/// use layerw_engine::schedule::System;
///
/// // Does not compile: `SystemContext` is not `Sync`.
/// System::new("racy", |ctx| {
///     ctx.par_for_each::<&u32, _>(|_| ctx.commands().spawn((1u64,)));
/// });
/// ```
pub struct SystemContext<'w> {
    world: &'w World,
    name: &'w str,
    access: &'w Access,
    commands: RefCell<&'w mut CommandBuffer>,
    stage: Stage,
    delta_seconds: f64,
    last_run: Tick,
}

impl<'w> SystemContext<'w> {
    pub(crate) fn new(
        world: &'w World,
        name: &'w str,
        access: &'w Access,
        commands: &'w mut CommandBuffer,
        stage: Stage,
        delta_seconds: f64,
        last_run: Tick,
    ) -> Self {
        Self {
            world,
            name,
            access,
            commands: RefCell::new(commands),
            stage,
            delta_seconds,
            last_run,
        }
    }

    /// The change tick of the running system's previous run ([`Tick::ZERO`] before its first):
    /// what it has already seen (see [`World::query_changed`]).
    pub fn last_run(&self) -> Tick {
        self.last_run
    }

    /// The world, for parameters (which declared what they borrow when the system was built).
    pub(crate) fn world_ref(&self) -> &'w World {
        self.world
    }

    /// The running system's name.
    pub fn name(&self) -> &str {
        self.name
    }

    /// The running system's declared access.
    pub fn access(&self) -> &Access {
        self.access
    }

    /// The stage being run.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The simulated time this run covers, in seconds: the fixed step in
    /// [`Stage::FixedUpdate`], the frame's delta time elsewhere.
    pub fn delta_seconds(&self) -> f64 {
        self.delta_seconds
    }

    /// Maps every entity of `Q` into `out`, in query order, in parallel natively (see
    /// [`World::par_collect`](crate::ecs::World::par_collect)).
    ///
    /// # Panics
    /// In debug builds, if `Q` borrows a component the system did not declare.
    #[track_caller]
    pub fn par_collect<Q, T, F>(&self, out: &mut Vec<T>, f: F)
    where
        Q: Query,
        for<'a> Q::Item<'a>: Send,
        T: Default + Send,
        F: for<'a> Fn(Q::Item<'a>) -> T + Send + Sync,
    {
        #[cfg(debug_assertions)]
        self.access.check_query::<Q>(self.name);
        self.world.par_collect::<Q, T, F>(out, f);
    }

    /// A query over the entities matching `Q`.
    ///
    /// # Panics
    /// In debug builds, if `Q` borrows a component the system did not declare.
    #[track_caller]
    pub fn query<Q: Query>(&self) -> QueryBorrow<'w, Q> {
        #[cfg(debug_assertions)]
        self.access.check_query::<Q>(self.name);
        self.world.query::<Q>()
    }

    /// The world's archetypes, for column-wise work: `archetype.get::<&T>()` is a slice of
    /// every `T` in the archetype (`&mut T` too), borrowed with run-time checks like a query.
    /// Structure-of-arrays kernels (culling) read them directly. Declare the components used
    /// as for a query; unlike [`query`](Self::query) this is not checked in debug builds.
    pub fn archetypes(&self) -> impl ExactSizeIterator<Item = &'w hecs::Archetype> + 'w {
        self.world.as_hecs().archetypes()
    }

    /// Whether the column of `T` in archetype `archetype` (its position in
    /// [`archetypes`](Self::archetypes)) changed since this system's previous run; `None` when
    /// changes of `T` are not tracked (see [`World::archetype_changed`]).
    pub fn archetype_changed<T: hecs::Component>(&self, archetype: usize) -> Option<bool> {
        self.world.archetype_changed::<T>(archetype, self.last_run)
    }

    /// Runs `f` on every entity matching `Q`, in parallel natively (see
    /// [`World::par_for_each`]), in a plain loop on wasm.
    ///
    /// # Panics
    /// In debug builds, if `Q` borrows a component the system did not declare.
    #[track_caller]
    pub fn par_for_each<Q, F>(&self, f: F)
    where
        Q: Query,
        for<'a> Q::Item<'a>: Send,
        F: for<'a> Fn(Q::Item<'a>) + Send + Sync,
    {
        #[cfg(debug_assertions)]
        self.access.check_query::<Q>(self.name);
        self.world.par_for_each::<Q, F>(f);
    }

    /// Runs `f` on every entity matching `Q` in parallel batches of at most `batch_size`
    /// entities natively (see [`World::par_for_each_batched`]), in a plain loop on wasm.
    ///
    /// # Panics
    /// In debug builds, if `Q` borrows a component the system did not declare.
    #[track_caller]
    pub fn par_for_each_batched<Q, F>(&self, batch_size: u32, f: F)
    where
        Q: Query,
        for<'a> Q::Item<'a>: Send,
        F: for<'a> Fn(Q::Item<'a>) + Send + Sync,
    {
        #[cfg(debug_assertions)]
        self.access.check_query::<Q>(self.name);
        self.world.par_for_each_batched::<Q, F>(batch_size, f);
    }

    /// A shared borrow of `entity`'s component `T`.
    ///
    /// # Panics
    /// In debug builds, if the system did not declare reading or writing `T`.
    #[track_caller]
    pub fn get<T: Component>(&self, entity: Entity) -> Result<Ref<'w, T>, EntityError> {
        #[cfg(debug_assertions)]
        self.access.check_component::<T>(self.name, false);
        self.world.get::<T>(entity)
    }

    /// A mutable borrow of `entity`'s component `T`.
    ///
    /// # Panics
    /// In debug builds, if the system did not declare writing `T`.
    #[track_caller]
    pub fn get_mut<T: Component>(
        &self,
        entity: Entity,
    ) -> Result<ComponentRefMut<'w, T>, EntityError> {
        #[cfg(debug_assertions)]
        self.access.check_component::<T>(self.name, true);
        self.world.get_mut::<T>(entity)
    }

    /// Whether `entity` exists (needs no declaration: it reads no component).
    pub fn contains(&self, entity: Entity) -> bool {
        self.world.contains(entity)
    }

    /// Which entities exist, as a `Sync` view that closures run in parallel may capture (the
    /// context itself may not): [`contains`](Self::contains) for many entities at once.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::ecs::World;
    /// use layerw_engine::schedule::{Schedule, Stage, System};
    /// use rayon::prelude::*;
    ///
    /// let mut world = World::new();
    /// let entities = world.spawn_batch((0..100u32).map(|i| (i,)));
    /// let mut schedule = Schedule::new();
    /// schedule.add_system(Stage::Update, System::new("count", move |ctx| {
    ///     let alive = ctx.liveness();
    ///     assert_eq!(entities.par_iter().filter(|&&e| alive.contains(e)).count(), 100);
    /// }));
    /// schedule.run_frame(&mut world, 1.0 / 60.0);
    /// ```
    pub fn liveness(&self) -> Liveness<'w> {
        Liveness { world: self.world }
    }

    /// The number of entities (as of the start of the stage: commands apply at its end).
    pub fn entity_count(&self) -> u32 {
        self.world.len()
    }

    /// A shared borrow of the resource `T`.
    ///
    /// # Panics
    /// If the resource is missing (see [`try_resource`](Self::try_resource)); in debug builds,
    /// if the system did not declare reading or writing it.
    #[track_caller]
    pub fn resource<T: Resource>(&self) -> Res<'w, T> {
        #[cfg(debug_assertions)]
        self.access.check_resource::<T>(self.name, false);
        self.world.resource::<T>()
    }

    /// A shared borrow of the resource `T`, or why there is none.
    ///
    /// # Panics
    /// In debug builds, if the system did not declare reading or writing `T`.
    #[track_caller]
    pub fn try_resource<T: Resource>(&self) -> Result<Res<'w, T>, ResourceError> {
        #[cfg(debug_assertions)]
        self.access.check_resource::<T>(self.name, false);
        self.world.try_resource::<T>()
    }

    /// A mutable borrow of the resource `T`.
    ///
    /// # Panics
    /// If the resource is missing (see [`try_resource_mut`](Self::try_resource_mut)); in debug
    /// builds, if the system did not declare writing it.
    #[track_caller]
    pub fn resource_mut<T: Resource>(&self) -> ResMut<'w, T> {
        #[cfg(debug_assertions)]
        self.access.check_resource::<T>(self.name, true);
        self.world.resource_mut::<T>()
    }

    /// A mutable borrow of the resource `T`, or why there is none.
    ///
    /// # Panics
    /// In debug builds, if the system did not declare writing `T`.
    #[track_caller]
    pub fn try_resource_mut<T: Resource>(&self) -> Result<ResMut<'w, T>, ResourceError> {
        #[cfg(debug_assertions)]
        self.access.check_resource::<T>(self.name, true);
        self.world.try_resource_mut::<T>()
    }

    /// Sends `event`. The event type must be registered ([`World::add_event`]) and the system
    /// must declare [`sends_events::<T>()`](super::System::sends_events).
    ///
    /// # Panics
    /// In debug builds, if the system did not declare sending `T`.
    #[track_caller]
    pub fn send_event<T: Event>(&self, event: T) -> Result<(), ResourceError> {
        self.try_resource_mut::<Events<T>>()?.send(event);
        Ok(())
    }

    /// The system's command buffer, applied at the end of the stage.
    ///
    /// # Panics
    /// If the buffer is already borrowed (hold one borrow at a time).
    pub fn commands(&self) -> RefMut<'_, CommandBuffer> {
        RefMut::map(self.commands.borrow_mut(), |c| &mut **c)
    }
}
