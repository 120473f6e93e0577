//! Layer-W's query iterator: archetype by archetype, so a plain `for` loop over a query pays one
//! bounds check per entity and the move to the next archetype only once per archetype.

use hecs::{Batch, BatchedIter, Query};

/// A query with exclusive access to the world ([`World::query_mut`](super::World::query_mut)):
/// iterate it with a `for` loop or any iterator method.
pub struct QueryMut<'w, Q: Query> {
    inner: hecs::QueryMut<'w, Q>,
}

impl<'w, Q: Query> QueryMut<'w, Q> {
    pub(crate) fn new(inner: hecs::QueryMut<'w, Q>) -> Self {
        Self { inner }
    }

    /// Only the entities that also match `R`.
    pub fn with<R: Query>(self) -> QueryMut<'w, hecs::With<Q, R>> {
        QueryMut::new(self.inner.with::<R>())
    }

    /// Only the entities that do not match `R`.
    pub fn without<R: Query>(self) -> QueryMut<'w, hecs::Without<Q, R>> {
        QueryMut::new(self.inner.without::<R>())
    }
}

impl<'w, Q: Query + 'w> IntoIterator for QueryMut<'w, Q> {
    type Item = Q::Item<'w>;
    type IntoIter = QueryIter<'w, Q>;

    fn into_iter(self) -> QueryIter<'w, Q> {
        QueryIter::new(self.inner.into_iter_batched(u32::MAX))
    }
}

/// The items of a query, one archetype after another (hecs's batches of a whole archetype).
///
/// `next` is the current archetype's position check and column reads; finding the next
/// non-empty archetype is out of line, so the loop a `for` compiles to stays small. `fold`
/// (and so `for_each`, `sum`, ...) runs a counted loop per archetype.
pub struct QueryIter<'w, Q: Query> {
    archetypes: BatchedIter<'w, Q>,
    current: Option<Batch<'w, Q>>,
}

impl<'w, Q: Query> QueryIter<'w, Q> {
    /// Iterates `archetypes`, which must yield one batch per archetype for `next`'s cost to
    /// hold (any batch size is correct).
    pub(crate) fn new(archetypes: BatchedIter<'w, Q>) -> Self {
        Self {
            archetypes,
            current: None,
        }
    }

    /// Moves to the next archetype with entities and returns its first item.
    #[cold]
    #[inline(never)]
    fn next_archetype(&mut self) -> Option<Q::Item<'w>> {
        loop {
            let mut batch = self.archetypes.next()?;
            if let Some(item) = batch.next() {
                self.current = Some(batch);
                return Some(item);
            }
        }
    }
}

impl<'w, Q: Query> Iterator for QueryIter<'w, Q> {
    type Item = Q::Item<'w>;

    #[inline]
    fn next(&mut self) -> Option<Q::Item<'w>> {
        if let Some(batch) = &mut self.current
            && let Some(item) = batch.next()
        {
            return Some(item);
        }
        self.next_archetype()
    }

    fn fold<B, F>(self, init: B, mut f: F) -> B
    where
        F: FnMut(B, Q::Item<'w>) -> B,
    {
        let mut acc = init;
        for batch in self.current.into_iter().chain(self.archetypes) {
            acc = batch.fold(acc, &mut f);
        }
        acc
    }
}
