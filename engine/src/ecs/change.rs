//! Change ticks: which archetype columns of tracked component types were written or received
//! entities since a given [`Tick`].
//!
//! Granularity is one tick per (archetype, tracked component type), not per entity: hecs keeps
//! no per-row metadata we could extend, a per-entity tick column would cost every spawn and every
//! mutable iteration a second write, and the consumers (extraction, culling, replication) keep
//! static and moving entities in different archetypes (statics carry markers movers lack), so a
//! whole static archetype is skipped at the cost of one comparison. Tracking is opt-in per type
//! ([`World::track_changes`](super::World::track_changes)): worlds and types that do not track
//! pay one branch per query.

use core::any::{TypeId, type_name};
use core::marker::PhantomData;
use core::sync::atomic::{AtomicU64, Ordering};

use hecs::{Component, Entity, Fetch, Query, QueryBorrow};

/// A point in a world's change history. The world's counter advances before each batch of
/// systems the schedule runs and before it applies a stage's command buffers
/// ([`World::advance_change_tick`](super::World::advance_change_tick) does it by hand); every
/// change is stamped with the counter's value when it happens. A column changed "since" tick
/// `t` when its stamp is greater than `t`: a system that last ran at `t` sees what others did
/// after it ran, never its own writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tick(u64);

impl Tick {
    /// Before any change: every tracked column with entities counts as changed since it.
    pub const ZERO: Tick = Tick(0);

    /// The frame counter value.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// The per-archetype ticks of one tracked component type.
struct TrackedColumn {
    id: TypeId,
    /// Indexed by the archetype's position in `hecs::World::archetypes()` (hecs never removes
    /// or reorders archetypes): the last tick its column of this type was written or received
    /// an entity; 0 for never (or no such column).
    per_archetype: Vec<AtomicU64>,
}

/// The change ticks of one world.
pub(crate) struct ChangeTicks {
    /// Shared so the schedule can advance it between batches through `&World`. 64 bits: at a
    /// few thousand batches a second it never wraps (32 bits would within days).
    now: AtomicU64,
    tracked: Vec<TrackedColumn>,
    /// The archetypes the last two moved entities landed in: batches of moves hit one again,
    /// and an insert-then-remove pattern alternates between two.
    destinations: [usize; 2],
}

impl Default for ChangeTicks {
    fn default() -> Self {
        Self {
            now: AtomicU64::new(1),
            tracked: Vec::new(),
            destinations: [0; 2],
        }
    }
}

impl ChangeTicks {
    #[inline]
    pub(crate) fn now(&self) -> Tick {
        Tick(self.now.load(Ordering::Relaxed))
    }

    /// Advances the counter and returns the new tick.
    #[inline]
    pub(crate) fn advance(&self) -> Tick {
        Tick(self.now.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// Whether any component type is tracked (when not, no operation pays more than this).
    #[inline]
    pub(crate) fn is_tracking(&self) -> bool {
        !self.tracked.is_empty()
    }

    pub(crate) fn is_tracked(&self, id: TypeId) -> bool {
        self.tracked.iter().any(|c| c.id == id)
    }

    /// Starts tracking `T`: columns that already hold entities count as changed now.
    pub(crate) fn track<T: Component>(&mut self, world: &hecs::World) {
        let id = TypeId::of::<T>();
        if self.is_tracked(id) {
            return;
        }
        let now = self.now().0;
        let per_archetype = world
            .archetypes()
            .map(|a| {
                AtomicU64::new(if a.has::<T>() && !a.is_empty() {
                    now
                } else {
                    0
                })
            })
            .collect();
        self.tracked.push(TrackedColumn { id, per_archetype });
    }

    /// Gives archetypes hecs created since the last call a (never changed) tick.
    pub(crate) fn sync(&mut self, world: &hecs::World) {
        let count = world.archetypes().len();
        for column in &mut self.tracked {
            column
                .per_archetype
                .resize_with(count.max(column.per_archetype.len()), || AtomicU64::new(0));
        }
    }

    /// Marks the columns `Q` borrows uniquely, in every archetype `Q` matches, as changed now.
    #[inline]
    pub(crate) fn mark_query<Q: Query>(&self, world: &hecs::World) {
        if self.is_tracking() {
            self.mark_query_slow::<Q>(world);
        }
    }

    #[cold]
    fn mark_query_slow<Q: Query>(&self, world: &hecs::World) {
        let now = self.now().0;
        Q::Fetch::for_each_borrow(|id, unique| {
            let Some(column) = self.tracked.iter().find(|c| c.id == id).filter(|_| unique) else {
                return;
            };
            for (archetype, tick) in world.archetypes().zip(&column.per_archetype) {
                if !archetype.is_empty() && archetype.satisfies::<Q>() {
                    tick.store(now, Ordering::Relaxed);
                }
            }
        });
    }

    /// Marks the columns `Q` borrows uniquely in archetype `index` as changed now.
    fn mark_archetype_query<Q: Query>(&self, index: usize) {
        let now = self.now().0;
        Q::Fetch::for_each_borrow(|id, unique| {
            if let Some(column) = self.tracked.iter().find(|c| c.id == id).filter(|_| unique)
                && let Some(tick) = column.per_archetype.get(index)
            {
                tick.store(now, Ordering::Relaxed);
            }
        });
    }

    /// Marks `entity`'s column of `T` as changed now (a mutable `get`).
    pub(crate) fn mark_component<T: Component>(&self, world: &hecs::World, entity: Entity) {
        if !self.is_tracking() {
            return;
        }
        let Some(column) = self.tracked.iter().find(|c| c.id == TypeId::of::<T>()) else {
            return;
        };
        let Ok(found) = world.entity(entity) else {
            return;
        };
        // The entity's archetype is the one with exactly its component types.
        let index = world.archetypes().position(|a| {
            a.has::<T>()
                && a.component_types().len() == found.len()
                && a.component_types().eq(found.component_types())
        });
        if let Some(tick) = index.and_then(|i| column.per_archetype.get(i)) {
            tick.store(self.now().0, Ordering::Relaxed);
        }
    }

    /// After `entity` was spawned, moved (insert / remove) or given components in place: its
    /// archetype's tracked columns count as changed now. A spawned or moved entity is its
    /// archetype's last row; one changed in place is found by its component types. Inlined so
    /// an untracked world pays one branch per move, not a call.
    #[inline]
    pub(crate) fn mark_arrival(&mut self, world: &hecs::World, entity: Entity) {
        if self.is_tracking() {
            self.mark_tracked_arrival(world, entity);
        }
    }

    fn mark_tracked_arrival(&mut self, world: &hecs::World, entity: Entity) {
        self.sync(world);
        let is_last = |a: &hecs::Archetype| a.ids().last() == Some(&entity.id());
        let index = self
            .destinations
            .into_iter()
            .find(|&i| world.archetypes().nth(i).is_some_and(is_last))
            .or_else(|| world.archetypes().position(is_last))
            // Not a last row: the components were replaced in place (an insert of types the
            // entity already had), which changes them all the same.
            .or_else(|| archetype_of(world, entity));
        if let Some(index) = index {
            if index != self.destinations[0] {
                self.destinations = [index, self.destinations[0]];
            }
            self.mark_archetype(index);
        }
    }

    /// Whether archetype `index`'s column of the component type `id` changed after `since`
    /// (`None` when `id` is not tracked; an archetype without the column never changed).
    pub(crate) fn changed_in(
        &self,
        world: &hecs::World,
        id: TypeId,
        index: usize,
        since: Tick,
    ) -> Option<bool> {
        let column = self.tracked.iter().find(|c| c.id == id)?;
        let has = world
            .archetypes()
            .nth(index)
            .is_some_and(|a| a.has_dynamic(id));
        Some(has && changed_at(&column.per_archetype, index, since))
    }

    /// The length and last entity id of every archetype: compared after a command buffer ran,
    /// a difference means entities arrived or left.
    pub(crate) fn snapshot(&self, world: &hecs::World) -> Vec<(u32, Option<u32>)> {
        if !self.is_tracking() {
            return Vec::new();
        }
        world
            .archetypes()
            .map(|a| (a.len(), a.ids().last().copied()))
            .collect()
    }

    /// Marks every archetype whose length or last entity differs from `before` (entities
    /// arrived: an arrival is always appended as the last row).
    pub(crate) fn mark_differences(&mut self, world: &hecs::World, before: &[(u32, Option<u32>)]) {
        if !self.is_tracking() {
            return;
        }
        self.sync(world);
        let changed: Vec<usize> = world
            .archetypes()
            .enumerate()
            .filter(|(i, a)| {
                !a.is_empty() && before.get(*i) != Some(&(a.len(), a.ids().last().copied()))
            })
            .map(|(i, _)| i)
            .collect();
        for index in changed {
            self.mark_archetype(index);
        }
    }

    /// Stamps every tracked column's tick of archetype `index`, whether or not the archetype
    /// has that column: readers check the column is there (once per archetype and query),
    /// which spares every move a search of the archetype's types per tracked type.
    fn mark_archetype(&mut self, index: usize) {
        let now = self.now().0;
        for column in &mut self.tracked {
            if let Some(tick) = column.per_archetype.get_mut(index) {
                *tick.get_mut() = now;
            }
        }
    }

    /// The ticks of `T` per archetype.
    ///
    /// # Panics
    /// If `T` is not tracked.
    #[track_caller]
    pub(crate) fn column<T: Component>(&self) -> &[AtomicU64] {
        match self.tracked.iter().find(|c| c.id == TypeId::of::<T>()) {
            Some(c) => &c.per_archetype,
            None => panic!(
                "changes of `{}` are not tracked: call `World::track_changes::<{0}>()` first",
                type_name::<T>()
            ),
        }
    }
}

/// The position of `entity`'s archetype: the one with exactly its component types.
fn archetype_of(world: &hecs::World, entity: Entity) -> Option<usize> {
    let found = world.entity(entity).ok()?;
    world.archetypes().position(|a| {
        a.component_types().len() == found.len() && a.component_types().eq(found.component_types())
    })
}

/// Whether the tick at `index` of `column` is after `since`.
#[inline]
pub(crate) fn changed_at(column: &[AtomicU64], index: usize, since: Tick) -> bool {
    column
        .get(index)
        .is_some_and(|t| t.load(Ordering::Relaxed) > since.0)
}

/// The entities of `Q` in archetypes whose column of `T` changed since a tick (see
/// [`World::query_changed`](super::World::query_changed)). Iterating it marks the columns it
/// borrows mutably in the archetypes it visits.
pub struct ChangedQuery<'w, Q: Query, T: Component> {
    world: &'w hecs::World,
    changes: &'w ChangeTicks,
    borrow: QueryBorrow<'w, Q>,
    since: Tick,
    marker: PhantomData<fn() -> T>,
}

impl<'w, Q: Query, T: Component> ChangedQuery<'w, Q, T> {
    pub(crate) fn new(world: &'w hecs::World, changes: &'w ChangeTicks, since: Tick) -> Self {
        // Fails early (not at the first iteration) when `T` is not tracked.
        changes.column::<T>();
        Self {
            world,
            changes,
            borrow: world.query::<Q>(),
            since,
            marker: PhantomData,
        }
    }

    /// The matching entities of changed archetypes.
    pub fn iter(&mut self) -> impl Iterator<Item = Q::Item<'_>> + '_ {
        let (world, changes, since) = (self.world, self.changes, self.since);
        let column = changes.column::<T>();
        // `iter_batched(u32::MAX)` yields one batch per non-empty archetype `Q` matches, in
        // archetype order: the same archetypes as this filter, so they pair up.
        let changed = world
            .archetypes()
            .enumerate()
            .filter(|(_, a)| !a.is_empty() && a.satisfies::<Q>())
            .map(move |(i, a)| {
                let changed = a.has::<T>() && changed_at(column, i, since);
                if changed {
                    changes.mark_archetype_query::<Q>(i);
                }
                changed
            });
        self.borrow
            .iter_batched(u32::MAX)
            .zip(changed)
            .filter_map(|(batch, changed)| changed.then_some(batch))
            .flatten()
    }

    /// Calls `f` on every matching entity of a changed archetype.
    pub fn for_each(&mut self, f: impl FnMut(Q::Item<'_>)) {
        self.iter().for_each(f);
    }
}
