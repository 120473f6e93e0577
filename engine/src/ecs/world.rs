//! The [`World`]: entities with components (a [`hecs::World`]), resources and events.

use core::any::TypeId;
use core::fmt;

use hecs::{Bundle, Component, DynamicBundle, Entity, Query, QueryBorrow, QueryMut, Ref, RefMut};

use super::change::{ChangeTicks, ChangedQuery, Tick};
use super::column_bundle::ColumnBundle;
use super::resource::Resources;
use super::{EntityError, Event, Events, Res, ResMut, Resource, ResourceError};
use crate::walloc::{self, Tier};

/// Fewer matching entities than this are iterated on the calling thread by
/// [`World::par_for_each`]: below it, handing work to other threads costs more than it saves.
#[cfg(not(target_family = "wasm"))]
const PARALLEL_THRESHOLD: usize = 1024;

/// The smallest batch [`World::par_for_each`] hands to a thread.
#[cfg(not(target_family = "wasm"))]
const MIN_BATCH: usize = 256;

/// Ends the frame for one registered event type.
type EventUpdater = fn(&mut World);

/// Entities with components, plus typed resources and events.
///
/// Component storage is a [`hecs::World`]; every structural change runs in walloc's Entity
/// tier. Reading and writing component values goes through queries, which hecs borrow-checks at
/// run time, so systems can share a `&World` across threads.
#[derive(Default)]
pub struct World {
    pub(crate) entities: hecs::World,
    pub(crate) changes: ChangeTicks,
    resources: Resources,
    event_updaters: Vec<(TypeId, EventUpdater)>,
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("World")
            .field("entities", &self.entities.len())
            .field("resources", &self.resources.len())
            .field("event_types", &self.event_updaters.len())
            .finish()
    }
}

impl World {
    /// An empty world.
    pub fn new() -> Self {
        Self::default()
    }

    // --- entities ---------------------------------------------------------------------------

    /// Spawns an entity with `components` and returns its handle.
    pub fn spawn(&mut self, components: impl DynamicBundle) -> Entity {
        let entities = &mut self.entities;
        let entity = walloc::with_tier(Tier::Entity, || entities.spawn(components));
        self.changes.mark_arrival(&self.entities, entity);
        entity
    }

    /// Spawns one entity per bundle of `iter` (all of the same component types: a tuple of 1
    /// to 15 components) and returns their handles in order. Faster than repeated
    /// [`spawn`](Self::spawn): the bundles are written column by column ([`ColumnBundle`]).
    ///
    /// # Panics
    /// If `iter` yields fewer bundles than its exact size hint promised (a broken
    /// `ExactSizeIterator`; those bundles are dropped).
    pub fn spawn_batch<I>(&mut self, iter: I) -> Vec<Entity>
    where
        I: IntoIterator,
        I::Item: ColumnBundle,
    {
        let iter = iter.into_iter();
        match iter.size_hint() {
            (lower, Some(upper)) if lower == upper => self.spawn_counted(iter),
            // Without an exact count the bundles are gathered first (outside the Entity tier).
            _ => self.spawn_counted(iter.collect::<Vec<_>>().into_iter()),
        }
    }

    /// `spawn_batch` of an iterator with an exact size hint.
    fn spawn_counted<B: ColumnBundle>(
        &mut self,
        mut items: impl Iterator<Item = B>,
    ) -> Vec<Entity> {
        let count = u32::try_from(items.size_hint().0).expect("a batch under 2^32 entities");
        // The returned Vec belongs to the caller, so it is sized outside the Entity tier.
        let mut handles = Vec::with_capacity(count as usize);
        let entities = &mut self.entities;
        walloc::with_tier(Tier::Entity, || {
            let batch = match B::column_batch(&mut items, count) {
                Ok(batch) => batch,
                Err(written) => panic!(
                    "spawn_batch: the iterator promised {count} bundles and ended after {written}"
                ),
            };
            handles.extend(entities.spawn_column_batch(batch));
            // An iterator that yields more than it promised: the rest one by one.
            for extra in items {
                handles.push(entities.spawn(extra));
            }
        });
        // A batch lands in one archetype: its last entity finds it.
        if let Some(&last) = handles.last() {
            self.changes.mark_arrival(&self.entities, last);
        }
        handles
    }

    /// Despawns `entity`, dropping its components.
    pub fn despawn(&mut self, entity: Entity) -> Result<(), EntityError> {
        let entities = &mut self.entities;
        walloc::with_tier(Tier::Entity, || entities.despawn(entity))
            .map_err(|_| EntityError::NoSuchEntity { entity })
    }

    /// Adds `components` to `entity`, replacing any it already has of the same types.
    #[inline]
    pub fn insert(
        &mut self,
        entity: Entity,
        components: impl DynamicBundle,
    ) -> Result<(), EntityError> {
        let entities = &mut self.entities;
        walloc::with_tier(Tier::Entity, || entities.insert(entity, components))
            .map_err(|_| EntityError::NoSuchEntity { entity })?;
        self.changes.mark_arrival(&self.entities, entity);
        Ok(())
    }

    /// Adds one `component` to `entity`, replacing one of the same type.
    #[inline]
    pub fn insert_one(
        &mut self,
        entity: Entity,
        component: impl Component,
    ) -> Result<(), EntityError> {
        let entities = &mut self.entities;
        walloc::with_tier(Tier::Entity, || entities.insert_one(entity, component))
            .map_err(|_| EntityError::NoSuchEntity { entity })?;
        self.changes.mark_arrival(&self.entities, entity);
        Ok(())
    }

    /// Removes the components of bundle `T` from `entity` and returns them. Fails, removing
    /// nothing, if the entity lacks any of them.
    #[inline]
    pub fn remove<T: Bundle + 'static>(&mut self, entity: Entity) -> Result<T, EntityError> {
        let entities = &mut self.entities;
        let removed = walloc::with_tier(Tier::Entity, || entities.remove::<T>(entity))
            .map_err(|e| EntityError::from_hecs::<T>(entity, e))?;
        self.changes.mark_arrival(&self.entities, entity);
        Ok(removed)
    }

    /// Removes the component `T` from `entity` and returns it.
    #[inline]
    pub fn remove_one<T: Component>(&mut self, entity: Entity) -> Result<T, EntityError> {
        let entities = &mut self.entities;
        let removed = walloc::with_tier(Tier::Entity, || entities.remove_one::<T>(entity))
            .map_err(|e| EntityError::from_hecs::<T>(entity, e))?;
        self.changes.mark_arrival(&self.entities, entity);
        Ok(removed)
    }

    /// Despawns every entity (resources and events stay). Entity handles are reused afterwards.
    pub fn clear(&mut self) {
        let entities = &mut self.entities;
        walloc::with_tier(Tier::Entity, || entities.clear());
    }

    /// Whether `entity` exists.
    pub fn contains(&self, entity: Entity) -> bool {
        self.entities.contains(entity)
    }

    /// The number of entities.
    pub fn len(&self) -> u32 {
        self.entities.len()
    }

    /// True when there are no entities.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// A shared borrow of `entity`'s component `T`.
    ///
    /// # Panics
    /// If that component is borrowed mutably at the same time (hecs's dynamic borrow check).
    pub fn get<T: Component>(&self, entity: Entity) -> Result<Ref<'_, T>, EntityError> {
        self.entities
            .get::<&T>(entity)
            .map_err(|e| EntityError::from_hecs::<T>(entity, e))
    }

    /// A mutable borrow of `entity`'s component `T` through a shared world (dynamically
    /// borrow-checked like a query).
    ///
    /// # Panics
    /// If that component is borrowed at the same time.
    pub fn get_mut<T: Component>(&self, entity: Entity) -> Result<RefMut<'_, T>, EntityError> {
        let component = self
            .entities
            .get::<&mut T>(entity)
            .map_err(|e| EntityError::from_hecs::<T>(entity, e))?;
        self.changes.mark_component::<T>(&self.entities, entity);
        Ok(component)
    }

    /// A query over every entity matching `Q`, dynamically borrow-checked so that it works
    /// through a shared world. See [`hecs::World::query`].
    pub fn query<Q: Query>(&self) -> QueryBorrow<'_, Q> {
        self.changes.mark_query::<Q>(&self.entities);
        self.entities.query::<Q>()
    }

    /// [`query`](Self::query) without marking what `Q` writes as changed: for callers that
    /// mark when they iterate ([`mark_query`](Self::mark_query)).
    pub(crate) fn query_unmarked<Q: Query>(&self) -> QueryBorrow<'_, Q> {
        self.entities.query::<Q>()
    }

    /// Marks the tracked columns `Q` writes, in every archetype it matches, as changed now.
    #[inline]
    pub(crate) fn mark_query<Q: Query>(&self) {
        self.changes.mark_query::<Q>(&self.entities);
    }

    /// A query with exclusive access to the world, without dynamic borrow checks.
    pub fn query_mut<Q: Query>(&mut self) -> QueryMut<'_, Q> {
        self.changes.mark_query::<Q>(&self.entities);
        self.entities.query_mut::<Q>()
    }

    // --- change ticks -----------------------------------------------------------------------

    /// Starts tracking changes of component `T` (see [`query_changed`](Self::query_changed)).
    /// Columns of `T` that already hold entities count as changed now. Idempotent.
    ///
    /// Tracking is per (archetype, component type): a mutable query or `get_mut` marks every
    /// archetype it can write, and an entity arriving in an archetype (spawn, insert, remove,
    /// a command buffer) marks that archetype's tracked columns. Despawns and removals are not
    /// changes of what remains.
    pub fn track_changes<T: Component>(&mut self) {
        self.changes.track::<T>(&self.entities);
    }

    /// Whether changes of `T` are tracked.
    pub fn tracks_changes<T: Component>(&self) -> bool {
        self.changes.is_tracked(TypeId::of::<T>())
    }

    /// The current change tick: what a reader remembers to ask later what changed since.
    pub fn change_tick(&self) -> Tick {
        self.changes.now()
    }

    /// Advances the change tick and returns the new one. The schedule does this before each
    /// batch of systems and before applying command buffers; call it by hand between your own
    /// reads and writes outside a schedule.
    pub fn advance_change_tick(&self) -> Tick {
        self.changes.advance()
    }

    /// Whether the column of `T` in the archetype at position `archetype` of
    /// `as_hecs().archetypes()` changed after `since`, for column-wise readers (render
    /// extraction keeps what it packed from archetypes that did not change). `None` when
    /// changes of `T` are not tracked; an archetype without a `T` column never changes.
    pub fn archetype_changed<T: Component>(&self, archetype: usize, since: Tick) -> Option<bool> {
        self.changes
            .changed_in(&self.entities, TypeId::of::<T>(), archetype, since)
    }

    /// The entities matching `Q` in archetypes whose column of `T` changed after `since`
    /// (written by a mutable query or `get_mut`, or received entities). A system's
    /// [`Query::iter_changed`](crate::schedule::Query::iter_changed) passes the tick it last ran
    /// at.
    ///
    /// # Panics
    /// If changes of `T` are not tracked ([`track_changes`](Self::track_changes)).
    ///
    /// # Example
    /// ```
    /// use layerw_engine::ecs::{Without, World};
    ///
    /// struct Position(f32);
    /// struct Static;
    /// let mut world = World::new();
    /// world.track_changes::<Position>();
    /// world.spawn((Position(0.0), Static));
    /// let mover = world.spawn((Position(0.0),));
    /// let seen = world.change_tick();
    /// world.advance_change_tick();
    /// for p in world.query::<Without<&mut Position, &Static>>().iter() {
    ///     p.0 += 1.0;
    /// }
    /// let changed: Vec<f32> = world.query_changed::<&Position, Position>(seen).iter().map(|p| p.0).collect();
    /// assert_eq!(changed, [1.0]); // the static archetype is skipped
    /// # let _ = mover;
    /// ```
    #[track_caller]
    pub fn query_changed<Q: Query, T: Component>(&self, since: Tick) -> ChangedQuery<'_, Q, T> {
        ChangedQuery::new(&self.entities, &self.changes, since)
    }

    /// Runs `f` on every entity matching `Q`. Natively, large queries are split into batches
    /// that run in parallel on the current rayon pool; on wasm, and for small queries, it is a
    /// plain loop. `f` must not depend on the order of the entities. Queries of fewer than
    /// 1024 entities stay on the calling thread; for expensive per-entity work use
    /// [`par_for_each_batched`](Self::par_for_each_batched).
    ///
    /// # Example
    /// ```
    /// use layerw_engine::ecs::World;
    ///
    /// let mut world = World::new();
    /// world.spawn_batch((0..5000u32).map(|i| (i, 0u64)));
    /// world.par_for_each::<(&u32, &mut u64), _>(|(a, b)| *b = u64::from(*a) * 2);
    /// assert!(world.query::<(&u32, &u64)>().iter().all(|(a, b)| *b == u64::from(*a) * 2));
    /// ```
    pub fn par_for_each<Q, F>(&self, f: F)
    where
        Q: Query,
        for<'a> Q::Item<'a>: Send,
        F: for<'a> Fn(Q::Item<'a>) + Send + Sync,
    {
        let mut borrow = self.query::<Q>();
        #[cfg(not(target_family = "wasm"))]
        {
            let threads = rayon::current_num_threads();
            if threads > 1 {
                let len = borrow.iter().len();
                if len >= PARALLEL_THRESHOLD {
                    // About four batches per thread balances uneven archetypes without making
                    // the batches so small that the hand-over dominates.
                    let batch = (len / (threads * 4)).max(MIN_BATCH);
                    let batch = u32::try_from(batch).unwrap_or(u32::MAX);
                    par_batches(&mut borrow, batch, &f);
                    return;
                }
            }
        }
        borrow.iter().for_each(f);
    }

    /// Like [`par_for_each`](Self::par_for_each), but with the batch size chosen by the caller:
    /// natively, whenever the query holds more than `batch_size` entities and the current rayon
    /// pool has more than one thread, batches of at most `batch_size` entities (never spanning
    /// two archetypes) run in parallel, whatever the number of entities. For expensive
    /// per-entity work, where a few hundred entities already pay for the hand-over that
    /// [`par_for_each`](Self::par_for_each)'s entity-count threshold assumes they do not. A
    /// `batch_size` of 0 counts as 1. On wasm it is a plain loop.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::ecs::World;
    ///
    /// let mut world = World::new();
    /// world.spawn_batch((0..500u32).map(|i| (i, 0u64)));
    /// world.par_for_each_batched::<(&u32, &mut u64), _>(64, |(a, b)| *b = u64::from(*a) * 2);
    /// assert!(world.query::<(&u32, &u64)>().iter().all(|(a, b)| *b == u64::from(*a) * 2));
    /// ```
    pub fn par_for_each_batched<Q, F>(&self, batch_size: u32, f: F)
    where
        Q: Query,
        for<'a> Q::Item<'a>: Send,
        F: for<'a> Fn(Q::Item<'a>) + Send + Sync,
    {
        let mut borrow = self.query::<Q>();
        #[cfg(not(target_family = "wasm"))]
        {
            let batch = batch_size.max(1);
            if rayon::current_num_threads() > 1 && borrow.iter().len() > batch as usize {
                par_batches(&mut borrow, batch, &f);
                return;
            }
        }
        #[cfg(target_family = "wasm")]
        let _ = batch_size;
        borrow.iter().for_each(f);
    }

    /// Maps every entity of the query to a `T`, into `out` (cleared first) in query order: the
    /// same order as `query::<Q>().iter()`, whatever the thread count, so results are
    /// deterministic. Natively, with more than one rayon thread and enough entities, batches
    /// (never spanning two archetypes) are mapped in parallel straight into their place in
    /// `out`. On wasm it is a plain loop.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::ecs::World;
    ///
    /// let mut world = World::new();
    /// world.spawn_batch((0..50_000u32).map(|i| (i,)));
    /// let mut doubled = Vec::new();
    /// world.par_collect::<&u32, u64, _>(&mut doubled, |a| u64::from(*a) * 2);
    /// let serial: Vec<u64> = world.query::<&u32>().iter().map(|a| u64::from(*a) * 2).collect();
    /// assert_eq!(doubled, serial);
    /// ```
    pub fn par_collect<Q, T, F>(&self, out: &mut Vec<T>, f: F)
    where
        Q: Query,
        for<'a> Q::Item<'a>: Send,
        T: Default + Send,
        F: for<'a> Fn(Q::Item<'a>) -> T + Send + Sync,
    {
        let mut borrow = self.query::<Q>();
        #[cfg(not(target_family = "wasm"))]
        {
            use rayon::iter::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};
            let threads = rayon::current_num_threads();
            let len = borrow.iter().len();
            if threads > 1 && len >= PARALLEL_THRESHOLD {
                let batch = ((len / (threads * 4)).max(MIN_BATCH)) as u32;
                // Batch lengths, as hecs' batched iteration cuts them: each matching, non-empty
                // archetype in order, in chunks of `batch`.
                let mut lengths = Vec::new();
                for archetype in self.entities.archetypes() {
                    if archetype.satisfies::<Q>() {
                        let mut left = archetype.len();
                        while left > 0 {
                            lengths.push(left.min(batch) as usize);
                            left -= left.min(batch);
                        }
                    }
                }
                if lengths.iter().sum::<usize>() == len {
                    // Every slot is overwritten below: only new slots need a value first (a
                    // full default fill of a million items is a serial pass of its own).
                    out.truncate(len);
                    out.resize_with(len, T::default);
                    let mut rest = &mut out[..];
                    let mut chunks = Vec::with_capacity(lengths.len());
                    for n in lengths {
                        let (head, tail) = rest.split_at_mut(n);
                        chunks.push(head);
                        rest = tail;
                    }
                    let batches: Vec<_> = borrow.iter_batched(batch).collect();
                    if batches.len() == chunks.len() {
                        batches
                            .into_par_iter()
                            .zip(chunks)
                            .for_each(|(items, chunk)| {
                                let mut slots = chunk.iter_mut();
                                for item in items {
                                    match slots.next() {
                                        Some(slot) => *slot = f(item),
                                        None => {
                                            unreachable!("batch longer than its archetype chunk")
                                        }
                                    }
                                }
                            });
                        return;
                    }
                    out.clear();
                }
            }
        }
        out.clear();
        out.extend(borrow.iter().map(f));
    }

    /// The underlying hecs world, for read-only uses the wrapper does not cover. Structural
    /// changes must go through [`World`] so they land in the Entity tier.
    pub fn as_hecs(&self) -> &hecs::World {
        &self.entities
    }

    // --- resources --------------------------------------------------------------------------

    /// Stores `value` as the resource of type `T`, returning the previous one.
    pub fn insert_resource<T: Resource>(&mut self, value: T) -> Option<T> {
        self.resources.insert(value)
    }

    /// Removes the resource of type `T` and returns it.
    pub fn remove_resource<T: Resource>(&mut self) -> Option<T> {
        self.resources.remove::<T>()
    }

    /// Whether a resource of type `T` is stored.
    pub fn contains_resource<T: Resource>(&self) -> bool {
        self.resources.contains::<T>()
    }

    /// A shared borrow of the resource `T`.
    ///
    /// # Panics
    /// If there is none or it is borrowed mutably; see [`try_resource`](Self::try_resource).
    #[track_caller]
    pub fn resource<T: Resource>(&self) -> Res<'_, T> {
        match self.resources.get::<T>() {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    /// A shared borrow of the resource `T`, or why there is none.
    pub fn try_resource<T: Resource>(&self) -> Result<Res<'_, T>, ResourceError> {
        self.resources.get::<T>()
    }

    /// A mutable borrow of the resource `T` through a shared world (each resource has its own
    /// lock, so parallel systems can write different resources).
    ///
    /// # Panics
    /// If there is none or it is borrowed; see [`try_resource_mut`](Self::try_resource_mut).
    #[track_caller]
    pub fn resource_mut<T: Resource>(&self) -> ResMut<'_, T> {
        match self.resources.get_locked_mut::<T>() {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    /// A mutable borrow of the resource `T`, or why there is none.
    pub fn try_resource_mut<T: Resource>(&self) -> Result<ResMut<'_, T>, ResourceError> {
        self.resources.get_locked_mut::<T>()
    }

    /// The resource `T` with exclusive access to the world: no locking, no borrow to hold.
    pub fn get_resource_mut<T: Resource>(&mut self) -> Option<&mut T> {
        self.resources.get_mut::<T>()
    }

    /// Removes every resource, including the event queues (event types stay registered and
    /// their queues are re-created by the next [`send_event`](Self::send_event)).
    pub fn clear_resources(&mut self) {
        self.resources.clear();
    }

    // --- events -----------------------------------------------------------------------------

    /// Registers the event type `T`: stores an empty [`Events<T>`] resource (if there is none)
    /// and has [`update_events`](Self::update_events) update it every frame. Idempotent.
    pub fn add_event<T: Event>(&mut self) {
        if !self.resources.contains::<Events<T>>() {
            self.resources.insert(Events::<T>::new());
        }
        let id = TypeId::of::<T>();
        if !self.event_updaters.iter().any(|(t, _)| *t == id) {
            self.event_updaters.push((id, update_events_of::<T>));
        }
    }

    /// Sends `event`, registering its type first if needed (see [`add_event`](Self::add_event)).
    pub fn send_event<T: Event>(&mut self, event: T) {
        if let Some(events) = self.resources.get_mut::<Events<T>>() {
            events.send(event);
            return;
        }
        self.add_event::<T>();
        self.resources
            .get_mut::<Events<T>>()
            .expect("just added")
            .send(event);
    }

    /// Ends the frame for every registered event type: drops events older than two frames.
    /// The schedule calls this once at the end of every frame.
    pub fn update_events(&mut self) {
        for i in 0..self.event_updaters.len() {
            let update = self.event_updaters[i].1;
            update(self);
        }
    }
}

/// Runs `f` over `borrow` in batches of `batch` entities, in parallel on the current rayon pool.
#[cfg(not(target_family = "wasm"))]
fn par_batches<Q, F>(borrow: &mut QueryBorrow<'_, Q>, batch: u32, f: &F)
where
    Q: Query,
    for<'a> Q::Item<'a>: Send,
    F: for<'a> Fn(Q::Item<'a>) + Send + Sync,
{
    use rayon::iter::{ParallelBridge, ParallelIterator};
    borrow
        .iter_batched(batch)
        .par_bridge()
        .for_each(|items| items.for_each(f));
}

fn update_events_of<T: Event>(world: &mut World) {
    if let Some(events) = world.resources.get_mut::<Events<T>>() {
        events.update();
    }
}

// Systems run in parallel over `&World`, so the World must stay `Sync`; this fails to compile
// if a field ever makes it not so.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<World>();
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Spawns `n` entities per archetype over three archetypes, each `(u32 index, u64 0)`.
    fn world(n: u32) -> World {
        let mut world = World::new();
        world.spawn_batch((0..n).map(|i| (i, 0u64)));
        world.spawn_batch((n..2 * n).map(|i| (i, 0u64, true)));
        world.spawn_batch((2 * n..3 * n).map(|i| (i, 0u64, 'x')));
        world
    }

    fn check(world: &World, n: u32, times: u64) {
        let mut seen = 0;
        for (i, v) in world.query::<(&u32, &u64)>().iter() {
            assert_eq!(*v, u64::from(*i) * times, "entity {i}");
            seen += 1;
        }
        assert_eq!(seen, 3 * n);
    }

    fn visit_every_entity_once() {
        for n in [0, 1, 63, 64, 65, 300] {
            let world = world(n);
            for (times, batch) in (1..).zip([0, 1, 7, 64, u32::MAX]) {
                world.par_for_each_batched::<(&u32, &mut u64), _>(batch, |(i, v)| {
                    *v += u64::from(*i);
                });
                check(&world, n, times);
            }
        }
    }

    #[test]
    fn par_for_each_batched_visits_every_entity_once() {
        #[cfg(not(target_family = "wasm"))]
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("rayon pool")
            .install(visit_every_entity_once);
        #[cfg(target_family = "wasm")]
        visit_every_entity_once();
    }

    /// 1,000 entities is below `par_for_each`'s threshold, but batches of 64 run on both threads
    /// of a 2-thread pool: each call of `f` waits (up to 30 s) until two threads have entered it,
    /// which a one-thread run never achieves.
    #[test]
    #[cfg(not(target_family = "wasm"))]
    fn par_for_each_batched_runs_small_queries_on_several_threads() {
        use std::sync::Mutex;
        use std::time::{Duration, Instant};

        let world = world(1000 / 3);
        let threads = Mutex::new(Vec::new());
        let deadline = Instant::now() + Duration::from_secs(30);
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("rayon pool")
            .install(|| {
                world.par_for_each_batched::<&mut u64, _>(64, |v| {
                    let id = std::thread::current().id();
                    {
                        let mut seen = threads.lock().unwrap();
                        if !seen.contains(&id) {
                            seen.push(id);
                        }
                    }
                    while threads.lock().unwrap().len() < 2 && Instant::now() < deadline {
                        std::thread::yield_now();
                    }
                    *v += 1;
                });
            });
        assert_eq!(
            threads.lock().unwrap().len(),
            2,
            "batches ran on one thread only"
        );
        assert!(world.query::<&u64>().iter().all(|v| *v == 1));
    }
}
