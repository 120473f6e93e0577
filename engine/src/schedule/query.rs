//! The query parameter: the entities matching a hecs query, borrowed for one system run.

use core::any::{TypeId, type_name};

use super::SystemContext;
use super::param::{ParamAccess, ReadOnlySystemParam, SystemParam};
use crate::ecs::{
    ChangedQuery, Component, Entity, EntityError, Query as QueryData, QueryBorrow, QueryIter, Ref,
    RefMut, Tick, World,
};

/// The entities matching `Q` (a hecs query: `&T`, `&mut T`, `Entity`, `Option<&T>`, tuples of
/// them, `With<Q, &F>`, `Without<Q, &F>`), as a system parameter. The system's access is what
/// `Q` borrows.
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::schedule::{Delta, Query, Stage};
///
/// struct Position(f32);
/// struct Velocity(f32);
/// fn movement(mut q: Query<(&mut Position, &Velocity)>, dt: Delta) {
///     for (p, v) in q.iter() {
///         p.0 += v.0 * dt.seconds();
///     }
/// }
/// let mut app = App::new();
/// let e = app.world_mut().spawn((Position(0.0), Velocity(2.0)));
/// app.add_system(Stage::Update, movement);
/// app.update(0.5);
/// assert_eq!(app.world().get::<Position>(e).unwrap().0, 1.0);
/// ```
pub struct Query<'w, 's, Q: QueryData + 'static> {
    world: &'w World,
    borrow: QueryBorrow<'w, Q>,
    /// The component types `Q` borrows, and whether uniquely: what `get` may touch.
    borrows: &'s [(TypeId, bool)],
    /// The change tick of the system's previous run.
    last_run: Tick,
}

impl<'w, Q: QueryData + 'static> Query<'w, '_, Q> {
    /// Iterates over the matching entities. The query's borrows are held until the next call
    /// of a method of this query, or the end of the system.
    pub fn iter(&mut self) -> QueryIter<'_, Q> {
        self.release();
        self.world.mark_query::<Q>();
        self.borrow.iter()
    }

    /// Calls `f` on every matching entity: the fastest loop on one thread (an internal
    /// iteration over each archetype's columns).
    pub fn for_each(&mut self, f: impl FnMut(Q::Item<'_>)) {
        self.release();
        self.world.mark_query::<Q>();
        self.borrow.iter().for_each(f);
    }

    /// The matching entities in archetypes whose column of `T` changed since this system last
    /// ran (everything on its first run): written by another system, by code outside the
    /// schedule, or received entities (see [`World::query_changed`] for the granularity).
    /// Iterating it marks what `Q` writes only in the archetypes it visits.
    ///
    /// # Panics
    /// If `Q` does not borrow `T`, or changes of `T` are not tracked
    /// ([`World::track_changes`]).
    ///
    /// # Example
    /// ```
    /// use layerw_engine::app::App;
    /// use layerw_engine::schedule::{Query, Stage};
    ///
    /// struct Position(f32);
    /// struct Seen(usize);
    /// fn count_moved(mut q: Query<&Position>, mut seen: layerw_engine::ecs::ResMut<Seen>) {
    ///     seen.0 += q.changed::<Position>().iter().count();
    /// }
    /// let mut app = App::new();
    /// app.world_mut().track_changes::<Position>();
    /// app.world_mut().spawn((Position(0.0),));
    /// app.insert_resource(Seen(0));
    /// app.add_system(Stage::Update, count_moved);
    /// app.update(0.1); // first run: everything is new
    /// app.update(0.1); // nothing changed
    /// assert_eq!(app.world().resource::<Seen>().0, 1);
    /// for p in app.world_mut().query_mut::<&mut Position>() {
    ///     p.0 = 1.0;
    /// }
    /// app.update(0.1);
    /// assert_eq!(app.world().resource::<Seen>().0, 2);
    /// ```
    #[track_caller]
    pub fn changed<T: Component>(&mut self) -> ChangedQuery<'_, Q, T> {
        self.check::<T>(false);
        self.release();
        self.world.query_changed::<Q, T>(self.last_run)
    }

    /// The number of matching entities.
    pub fn count(&mut self) -> usize {
        self.release();
        self.borrow.iter().len()
    }

    /// Runs `f` on every matching entity, in parallel natively (see
    /// [`World::par_for_each`]), in a plain loop on wasm.
    pub fn par_for_each<F>(&mut self, f: F)
    where
        for<'a> Q::Item<'a>: Send,
        F: for<'a> Fn(Q::Item<'a>) + Send + Sync,
    {
        self.release();
        self.world.par_for_each::<Q, F>(f);
    }

    /// Runs `f` in parallel batches of at most `batch_size` entities (see
    /// [`World::par_for_each_batched`]).
    pub fn par_for_each_batched<F>(&mut self, batch_size: u32, f: F)
    where
        for<'a> Q::Item<'a>: Send,
        F: for<'a> Fn(Q::Item<'a>) + Send + Sync,
    {
        self.release();
        self.world.par_for_each_batched::<Q, F>(batch_size, f);
    }

    /// Maps every matching entity into `out`, in query order, in parallel natively (see
    /// [`World::par_collect`]).
    pub fn par_collect<T, F>(&mut self, out: &mut Vec<T>, f: F)
    where
        for<'a> Q::Item<'a>: Send,
        T: Default + Send,
        F: for<'a> Fn(Q::Item<'a>) -> T + Send + Sync,
    {
        self.release();
        self.world.par_collect::<Q, T, F>(out, f);
    }

    /// A shared borrow of `entity`'s component `T`.
    ///
    /// # Panics
    /// If `Q` does not borrow `T` (a system may only touch what its parameters declare).
    #[track_caller]
    pub fn get<T: Component>(&mut self, entity: Entity) -> Result<Ref<'_, T>, EntityError> {
        self.check::<T>(false);
        self.release();
        self.world.get::<T>(entity)
    }

    /// A mutable borrow of `entity`'s component `T`.
    ///
    /// # Panics
    /// If `Q` does not borrow `T` mutably.
    #[track_caller]
    pub fn get_mut<T: Component>(&mut self, entity: Entity) -> Result<RefMut<'_, T>, EntityError> {
        self.check::<T>(true);
        self.release();
        self.world.get_mut::<T>(entity)
    }

    /// Whether `entity` exists (whether or not it matches).
    pub fn contains(&self, entity: Entity) -> bool {
        self.world.contains(entity)
    }

    /// Ends the borrows of an earlier iteration (a new `QueryBorrow` borrows on first use).
    fn release(&mut self) {
        self.borrow = self.world.query_unmarked::<Q>();
    }

    #[track_caller]
    fn check<T: Component>(&self, unique: bool) {
        let id = TypeId::of::<T>();
        let allowed = self
            .borrows
            .iter()
            .any(|&(borrowed, written)| borrowed == id && (written || !unique));
        assert!(
            allowed,
            "`Query<{}>` does not borrow `{}`{}; add it to the query",
            type_name::<Q>(),
            type_name::<T>(),
            if unique { " mutably" } else { "" }
        );
    }
}

impl<'q, Q: QueryData + 'static> IntoIterator for &'q mut Query<'_, '_, Q> {
    type Item = Q::Item<'q>;
    type IntoIter = QueryIter<'q, Q>;

    fn into_iter(self) -> QueryIter<'q, Q> {
        self.iter()
    }
}

impl<Q: QueryData + 'static> SystemParam for Query<'_, '_, Q> {
    type State = Vec<(TypeId, bool)>;
    type Item<'w, 's> = Query<'w, 's, Q>;

    fn init(access: &mut ParamAccess) -> Vec<(TypeId, bool)> {
        let mut borrows = Vec::new();
        <Q::Fetch as hecs::Fetch>::for_each_borrow(|id, unique| borrows.push((id, unique)));
        let param = type_name::<Query<'static, 'static, Q>>();
        for &(id, unique) in &borrows {
            access.component(param, id, type_name::<Q>(), unique);
        }
        borrows
    }

    fn fetch<'w, 's>(
        borrows: &'s mut Vec<(TypeId, bool)>,
        ctx: &'w SystemContext<'_>,
    ) -> Query<'w, 's, Q> {
        let world = ctx.world_ref();
        Query {
            world,
            // Marked as changed when iterated, not when fetched: a system that only reads the
            // changed entities (`changed`) marks only those.
            borrow: world.query_unmarked::<Q>(),
            borrows,
            last_run: ctx.last_run(),
        }
    }
}

/// Read-only when `Q` borrows nothing uniquely; checked when the condition is built (see
/// [`ScheduleError::WritingCondition`](super::ScheduleError::WritingCondition)).
impl<Q: QueryData + 'static> ReadOnlySystemParam for Query<'_, '_, Q> {}
