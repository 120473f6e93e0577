//! Typed, double-buffered events.
//!
//! [`Events<T>`] is a resource holding the events of type `T` sent in the current and the previous
//! frame. The schedule calls [`Events::update`] once at the end of every frame (through
//! [`World::update_events`](super::World::update_events)), which drops the events older than two
//! frames. Each consumer owns an [`EventCursor<T>`], a cursor into the event sequence, so it
//! sees each event exactly once as long as it reads at least once every two frames.

use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;

/// A type that can be sent as an event: any `Send + Sync + 'static` type.
pub trait Event: Send + Sync + 'static {}

impl<T: Send + Sync + 'static> Event for T {}

/// The double-buffered queue of events of type `T`.
///
/// Every event has a sequence number (its position in the sequence of all events of this type
/// ever sent). `older` holds the previous frame's events, `newer` the current frame's.
///
/// # Example
/// ```
/// use layerw_engine::ecs::{EventCursor, Events};
///
/// let mut events = Events::<u32>::default();
/// let mut reader = EventCursor::new();
/// events.send(1);
/// events.send(2);
/// assert_eq!(reader.read(&events).copied().collect::<Vec<_>>(), [1, 2]);
/// events.update();
/// events.send(3);
/// // 1 and 2 are still stored, but this reader has seen them already.
/// assert_eq!(reader.read(&events).copied().collect::<Vec<_>>(), [3]);
/// ```
pub struct Events<T: Event> {
    older: Vec<T>,
    older_start: usize,
    newer: Vec<T>,
    newer_start: usize,
}

impl<T: Event> Default for Events<T> {
    fn default() -> Self {
        Self {
            older: Vec::new(),
            older_start: 0,
            newer: Vec::new(),
            newer_start: 0,
        }
    }
}

impl<T: Event + fmt::Debug> fmt::Debug for Events<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("older", &self.older)
            .field("older_start", &self.older_start)
            .field("newer", &self.newer)
            .field("newer_start", &self.newer_start)
            .finish()
    }
}

impl<T: Event> Events<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends `event`: readers see it during this frame and the next.
    pub fn send(&mut self, event: T) {
        self.newer.push(event);
    }

    /// Sends every event of `events`, in order.
    pub fn send_batch(&mut self, events: impl IntoIterator<Item = T>) {
        self.newer.extend(events);
    }

    /// Ends a frame: drops the events of the previous frame and starts a new current frame.
    /// Reuses both buffers, so it does not allocate.
    pub fn update(&mut self) {
        core::mem::swap(&mut self.older, &mut self.newer);
        self.older_start = self.newer_start;
        self.newer.clear();
        self.newer_start = self.older_start + self.older.len();
    }

    /// Drops every stored event (readers keep their positions).
    pub fn clear(&mut self) {
        let end = self.sent();
        self.older.clear();
        self.newer.clear();
        self.older_start = end;
        self.newer_start = end;
    }

    /// How many events of this type have ever been sent (the next sequence number).
    pub fn sent(&self) -> usize {
        self.newer_start + self.newer.len()
    }

    /// How many events are stored (current and previous frame).
    pub fn len(&self) -> usize {
        self.older.len() + self.newer.len()
    }

    /// True when no events are stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A reader that will see only the events sent from now on.
    pub fn reader_from_now(&self) -> EventCursor<T> {
        EventCursor {
            next: self.sent(),
            missed: 0,
            _marker: PhantomData,
        }
    }

    /// Every stored event, oldest first, without a cursor.
    pub fn iter(&self) -> EventIter<'_, T> {
        EventIter {
            older: self.older.iter(),
            newer: self.newer.iter(),
        }
    }
}

/// A consumer's cursor into an [`Events<T>`] queue: it yields each event once.
///
/// Keep one reader per consumer (a system can own one in its closure). A reader that does not
/// read for two frames loses the events dropped meanwhile; [`missed`](Self::missed) counts them.
pub struct EventCursor<T: Event> {
    next: usize,
    missed: usize,
    _marker: PhantomData<fn() -> T>,
}

impl<T: Event> Default for EventCursor<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Event> Clone for EventCursor<T> {
    fn clone(&self) -> Self {
        Self {
            next: self.next,
            missed: self.missed,
            _marker: PhantomData,
        }
    }
}

impl<T: Event> fmt::Debug for EventCursor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventCursor")
            .field("next", &self.next)
            .field("missed", &self.missed)
            .finish()
    }
}

impl<T: Event> EventCursor<T> {
    /// A reader that will see every event still stored when it first reads.
    pub fn new() -> Self {
        Self {
            next: 0,
            missed: 0,
            _marker: PhantomData,
        }
    }

    /// The events this reader has not seen yet, oldest first; afterwards they count as seen.
    pub fn read<'a>(&mut self, events: &'a Events<T>) -> EventIter<'a, T> {
        if self.next < events.older_start {
            self.missed += events.older_start - self.next;
            self.next = events.older_start;
        }
        let skip_older = (self.next - events.older_start).min(events.older.len());
        let skip_newer = self.next.saturating_sub(events.newer_start);
        self.next = events.sent();
        EventIter {
            older: events.older[skip_older..].iter(),
            newer: events.newer[skip_newer.min(events.newer.len())..].iter(),
        }
    }

    /// How many unseen events [`read`](Self::read) would yield now.
    pub fn unread(&self, events: &Events<T>) -> usize {
        events.sent() - self.next.max(events.older_start).min(events.sent())
    }

    /// How many events were dropped before this reader could see them.
    pub fn missed(&self) -> usize {
        self.missed
    }
}

/// The events yielded by [`EventCursor::read`] or [`Events::iter`], oldest first.
pub struct EventIter<'a, T> {
    older: core::slice::Iter<'a, T>,
    newer: core::slice::Iter<'a, T>,
}

impl<'a, T> Iterator for EventIter<'a, T> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        self.older.next().or_else(|| self.newer.next())
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.older.len() + self.newer.len();
        (n, Some(n))
    }
}

impl<T> ExactSizeIterator for EventIter<'_, T> {}
impl<T> FusedIterator for EventIter<'_, T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_live_two_frames() {
        let mut events = Events::<u8>::new();
        events.send(1);
        events.update();
        assert_eq!(events.iter().copied().collect::<Vec<_>>(), [1]);
        events.update();
        assert!(events.is_empty());
        assert_eq!(events.sent(), 1);
    }

    #[test]
    fn lagging_reader_counts_missed() {
        let mut events = Events::<u8>::new();
        let mut reader = EventCursor::new();
        events.send(1);
        events.send(2);
        events.update();
        events.send(3);
        events.update();
        events.send(4);
        assert_eq!(reader.unread(&events), 2);
        assert_eq!(reader.read(&events).copied().collect::<Vec<_>>(), [3, 4]);
        assert_eq!(reader.missed(), 2);
    }

    #[test]
    fn reader_from_now_skips_stored() {
        let mut events = Events::<u8>::new();
        events.send(1);
        let mut reader = events.reader_from_now();
        events.send(2);
        assert_eq!(reader.read(&events).copied().collect::<Vec<_>>(), [2]);
    }
}
