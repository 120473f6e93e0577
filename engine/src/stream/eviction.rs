//! The scheduler's eviction candidates for one plan: a queue per class of resident top level,
//! built by one pass over the assets the first time the plan evicts from that class, so a
//! frame that evicts many levels (or tries to for many fetches) scans the assets at most once
//! per class instead of once per eviction.

use core::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Which resident levels an eviction may take (an asset's top resident level is in exactly
/// one class, or none: a wanted coarsest level is never evicted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EvictClass {
    /// Refinements no longer wanted.
    Unwanted = 0,
    /// Wanted refinements (taken only when worth less than what they make room for).
    Wanted = 1,
    /// Coarsest levels of assets not wanted now.
    UnwantedCoarsest = 2,
}

/// A resident top level, ordered so the one to evict first is the smallest: detail of assets
/// nothing in view wants before detail of assets seen coarser now, then least recently
/// needed, then finest, then least valuable, then by asset.
#[derive(Clone, Copy, Debug)]
pub(super) struct EvictKey {
    /// An unwanted refinement of an asset an entity in view wants coarser now: it comes
    /// closer, so it goes after the others.
    pub(super) in_view: bool,
    pub(super) last_needed: u64,
    pub(super) level: u8,
    pub(super) value: f32,
    pub(super) asset: u32,
}

impl Ord for EvictKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.in_view
            .cmp(&other.in_view)
            .then(self.last_needed.cmp(&other.last_needed))
            .then(other.level.cmp(&self.level))
            .then(self.value.total_cmp(&other.value))
            .then(self.asset.cmp(&other.asset))
    }
}

impl PartialOrd for EvictKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for EvictKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for EvictKey {}

/// The queues of one plan. Entries go stale when an eviction changes an asset's top level;
/// the scheduler checks each popped entry against the asset's state.
#[derive(Default)]
pub(super) struct EvictionQueues {
    queues: [Option<BinaryHeap<Reverse<EvictKey>>>; 3],
}

impl EvictionQueues {
    /// Forgets every queue (at the start and end of a plan: wants and values change).
    pub(super) fn clear(&mut self) {
        self.queues = Default::default();
    }

    /// Whether `class`'s queue was built in this plan.
    pub(super) fn is_built(&self, class: EvictClass) -> bool {
        self.queues[class as usize].is_some()
    }

    /// Builds `class`'s queue from `keys` (every resident top level of that class).
    pub(super) fn build(&mut self, class: EvictClass, keys: impl Iterator<Item = EvictKey>) {
        self.queues[class as usize] = Some(keys.map(Reverse).collect());
    }

    /// Adds an asset's new top level (after an eviction) to its class's queue, if built.
    pub(super) fn offer(&mut self, class: EvictClass, key: EvictKey) {
        if let Some(queue) = &mut self.queues[class as usize] {
            queue.push(Reverse(key));
        }
    }

    /// The next entry of `class`, smallest first (`None` when empty or not built).
    pub(super) fn pop(&mut self, class: EvictClass) -> Option<EvictKey> {
        self.queues[class as usize]
            .as_mut()?
            .pop()
            .map(|Reverse(k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(last_needed: u64, level: u8, value: f32, asset: u32) -> EvictKey {
        EvictKey {
            in_view: false,
            last_needed,
            level,
            value,
            asset,
        }
    }

    #[test]
    fn unseen_then_least_recently_needed_then_finest_then_least_valuable_comes_first() {
        let mut q = EvictionQueues::default();
        assert_eq!(q.pop(EvictClass::Wanted), None);
        q.build(
            EvictClass::Wanted,
            [
                key(5, 1, 0.1, 0),
                key(3, 1, 9.0, 1),
                key(3, 2, 9.0, 2),
                key(3, 2, 1.0, 3),
            ]
            .into_iter(),
        );
        assert!(q.is_built(EvictClass::Wanted) && !q.is_built(EvictClass::Unwanted));
        q.offer(EvictClass::Unwanted, key(0, 1, 0.0, 9)); // not built: dropped
        let order: Vec<u32> = core::iter::from_fn(|| q.pop(EvictClass::Wanted))
            .map(|k| k.asset)
            .collect();
        assert_eq!(order, [3, 2, 1, 0]);
        // Detail of an asset seen coarse now goes after the rest, however recently needed.
        let mut seen = key(0, 1, 0.0, 7);
        seen.in_view = true;
        q.build(EvictClass::Unwanted, [seen, key(9, 1, 0.0, 8)].into_iter());
        assert_eq!(q.pop(EvictClass::Unwanted).map(|k| k.asset), Some(8));
        assert_eq!(q.pop(EvictClass::Unwanted).map(|k| k.asset), Some(7));
        assert_eq!(q.pop(EvictClass::Unwanted), None);
        q.clear();
        assert!(!q.is_built(EvictClass::Wanted));
    }
}
