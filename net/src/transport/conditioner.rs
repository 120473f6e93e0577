//! The link conditioner: wraps any [`Connection`] and makes it behave like a worse network
//! (latency, jitter, delay bursts, lost unreliable messages, a disconnect), deterministically
//! from a seed and a [`NetClock`].
//!
//! Both directions pass through it: what is sent is held for the one-way delay before it goes
//! to the wrapped connection, and what arrives from the wrapped connection is held again before
//! [`Connection::receive`] returns it, so wrapping only the client's connection models the
//! whole round trip (twice the one-way latency).
//!
//! Incoming messages carry no [`Delivery`] (the trait's `receive` does not say), so they are
//! all treated as reliable: delayed and jittered but never dropped or reordered. To drop the
//! server's unreliable messages too, wrap the server's end of the connection as well.

use std::collections::{BTreeMap, VecDeque};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::{Connection, Delivery, NetClock, TransportError, secs_to_nanos};

/// How a conditioned link behaves. Times are in seconds.
///
/// Each message's one-way delay is `latency` plus a uniform draw in `-jitter..=jitter`
/// (never below zero). A reliable message is never delivered before an earlier reliable one
/// in the same direction (it waits for it); unreliable messages may overtake each other.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkConditions {
    /// One-way delay, seconds (the round trip is twice this when one side is conditioned).
    pub latency: f64,
    /// The largest deviation from `latency`, seconds, drawn uniformly per message.
    pub jitter: f64,
    /// The probability (0..=1) that a sent [`Delivery::Unreliable`] message is lost.
    pub drop_unreliable: f64,
    /// When set, a delay burst starts every this many seconds after the conditioner's start:
    /// for `burst_duration` seconds nothing is delivered in either direction, then everything
    /// held and due is delivered at once.
    pub burst_every: Option<f64>,
    /// How long each burst holds everything, seconds.
    pub burst_duration: f64,
    /// When set, the link breaks this many seconds after the conditioner's start: the wrapped
    /// connection is closed and what is held is lost.
    pub disconnect_after: Option<f64>,
    /// The seed of the jitter and drop draws (same seed, same calls, same outcome).
    pub seed: u64,
}

impl LinkConditions {
    /// A perfect link: no delay, no loss.
    pub fn perfect() -> Self {
        LinkConditions {
            latency: 0.0,
            jitter: 0.0,
            drop_unreliable: 0.0,
            burst_every: None,
            burst_duration: 0.0,
            disconnect_after: None,
            seed: 0x5eed,
        }
    }

    /// A local network: 2 ms round trip, 1 ms jitter each way.
    pub fn lan() -> Self {
        LinkConditions {
            latency: 0.001,
            jitter: 0.0005,
            ..LinkConditions::perfect()
        }
    }

    /// A good broadband connection across a country: 100 ms round trip (50 ms each way), 20 ms
    /// jitter, 1% of unreliable messages lost.
    pub fn wan_100ms() -> Self {
        LinkConditions {
            latency: 0.050,
            jitter: 0.020,
            drop_unreliable: 0.01,
            ..LinkConditions::perfect()
        }
    }

    /// A poor mobile link: 200 ms round trip, 50 ms jitter, 5% unreliable loss, and a 300 ms
    /// stall every 5 seconds.
    pub fn mobile_poor() -> Self {
        LinkConditions {
            latency: 0.100,
            jitter: 0.050,
            drop_unreliable: 0.05,
            burst_every: Some(5.0),
            burst_duration: 0.3,
            ..LinkConditions::perfect()
        }
    }

    /// The same conditions with another seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

impl Default for LinkConditions {
    /// [`LinkConditions::perfect`].
    fn default() -> Self {
        LinkConditions::perfect()
    }
}

/// Counts of what passed through a [`Conditioned`] connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConditionerStats {
    /// Messages accepted by `send`.
    pub sent: u64,
    /// Unreliable messages lost on purpose.
    pub dropped_unreliable: u64,
    /// Messages passed on to the wrapped connection after their delay.
    pub forwarded: u64,
    /// Messages taken from the wrapped connection.
    pub arrived: u64,
    /// Messages returned by `receive` after their delay.
    pub delivered: u64,
}

/// Something that arrived from the wrapped connection, held until due.
#[derive(Debug)]
enum Arrival {
    Message(Vec<u8>),
    /// The wrapped connection's failure or close, delivered after the messages before it.
    Error(TransportError),
}

/// A connection seen through a link conditioner. See the [module docs](self).
#[derive(Debug)]
pub struct Conditioned<C: Connection> {
    inner: C,
    conditions: LinkConditions,
    clock: NetClock,
    rng: SmallRng,
    /// The clock reading at creation, nanoseconds: bursts and the disconnect count from it.
    start: u64,
    /// Outgoing messages keyed by (due time, sequence number): released in key order.
    outgoing: BTreeMap<(u64, u64), (Vec<u8>, Delivery)>,
    sequence: u64,
    /// The due time of the last reliable outgoing message (reliable ones never overtake).
    last_reliable_out: u64,
    /// Incoming arrivals in order, with their due times (non-decreasing).
    incoming: VecDeque<(u64, Arrival)>,
    last_in: u64,
    /// True once the wrapped connection reported an error (it is not read again).
    inner_failed: bool,
    /// Set once closed here, disconnected, or once the peer's close was delivered.
    closed: Option<String>,
    stats: ConditionerStats,
}

/// The reason given on a scheduled disconnect.
pub const SCHEDULED_DISCONNECT: &str = "link conditioner: scheduled disconnect";

impl<C: Connection> Conditioned<C> {
    /// Wraps `inner`; delays are measured on `clock` from now.
    pub fn new(inner: C, conditions: LinkConditions, clock: NetClock) -> Self {
        let start = clock.now_nanos();
        Conditioned {
            inner,
            rng: SmallRng::seed_from_u64(conditions.seed),
            conditions,
            clock,
            start,
            outgoing: BTreeMap::new(),
            sequence: 0,
            last_reliable_out: 0,
            incoming: VecDeque::new(),
            last_in: 0,
            inner_failed: false,
            closed: None,
            stats: ConditionerStats::default(),
        }
    }

    /// The wrapped connection.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// The wrapped connection, mutably (what goes through it directly is not conditioned).
    pub fn inner_mut(&mut self) -> &mut C {
        &mut self.inner
    }

    /// The conditions in force.
    pub fn conditions(&self) -> &LinkConditions {
        &self.conditions
    }

    /// Changes the conditions for the messages sent or arriving from now on (the seed is
    /// not re-applied; bursts and the disconnect still count from the conditioner's start).
    pub fn set_conditions(&mut self, conditions: LinkConditions) {
        self.conditions = conditions;
    }

    /// What passed through so far.
    pub fn stats(&self) -> ConditionerStats {
        self.stats
    }

    /// Messages sent and not yet passed on to the wrapped connection.
    pub fn held_outgoing(&self) -> usize {
        self.outgoing.len()
    }

    /// Messages arrived and not yet returned by `receive`.
    pub fn held_incoming(&self) -> usize {
        self.incoming
            .iter()
            .filter(|(_, arrival)| matches!(arrival, Arrival::Message(_)))
            .count()
    }

    /// True while a delay burst holds everything.
    pub fn in_burst(&self) -> bool {
        self.burst_at(self.clock.now_nanos())
    }

    /// Breaks the link now: closes the wrapped connection with `reason` (the peer sees it) and
    /// loses everything held.
    pub fn force_disconnect(&mut self, reason: &str) {
        if self.closed.is_none() {
            self.closed = Some(reason.to_owned());
            self.inner.close(reason);
        }
        self.outgoing.clear();
        self.incoming.clear();
    }

    fn burst_at(&self, now: u64) -> bool {
        let Some(every) = self.conditions.burst_every else {
            return false;
        };
        let every = secs_to_nanos(every);
        let since = now.saturating_sub(self.start);
        every > 0 && since >= every && since % every < secs_to_nanos(self.conditions.burst_duration)
    }

    fn disconnect_due(&self, now: u64) -> bool {
        self.conditions
            .disconnect_after
            .is_some_and(|after| now.saturating_sub(self.start) >= secs_to_nanos(after))
    }

    /// One draw of the one-way delay, nanoseconds.
    fn delay(&mut self) -> u64 {
        let jitter = self.conditions.jitter.max(0.0);
        let offset = if jitter > 0.0 {
            self.rng.random_range(-jitter..=jitter)
        } else {
            0.0
        };
        secs_to_nanos(self.conditions.latency + offset)
    }

    /// Applies a due disconnect; the error to return if the link is closed.
    fn check_closed(&mut self, now: u64) -> Result<(), TransportError> {
        if self.closed.is_none() && self.disconnect_due(now) {
            self.force_disconnect(SCHEDULED_DISCONNECT);
        }
        match &self.closed {
            Some(reason) => Err(TransportError::Closed {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Takes everything the wrapped connection has received, stamping when it is due.
    fn pull(&mut self, now: u64) {
        while !self.inner_failed {
            let arrival = match self.inner.receive() {
                Ok(Some(message)) => {
                    self.stats.arrived += 1;
                    Arrival::Message(message)
                }
                Ok(None) => break,
                Err(error) => {
                    self.inner_failed = true;
                    Arrival::Error(error)
                }
            };
            let due = now.saturating_add(self.delay()).max(self.last_in);
            self.last_in = due;
            self.incoming.push_back((due, arrival));
        }
    }
}

impl<C: Connection> Connection for Conditioned<C> {
    fn send(&mut self, message: &[u8], delivery: Delivery) -> Result<(), TransportError> {
        let now = self.clock.now_nanos();
        self.check_closed(now)?;
        self.stats.sent += 1;
        if delivery == Delivery::Unreliable
            && self.conditions.drop_unreliable > 0.0
            && self.rng.random::<f64>() < self.conditions.drop_unreliable
        {
            self.stats.dropped_unreliable += 1;
            return Ok(());
        }
        let mut due = now.saturating_add(self.delay());
        if delivery == Delivery::Reliable {
            due = due.max(self.last_reliable_out);
            self.last_reliable_out = due;
        }
        self.sequence += 1;
        self.outgoing
            .insert((due, self.sequence), (message.to_vec(), delivery));
        Ok(())
    }

    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        let now = self.clock.now_nanos();
        self.check_closed(now)?;
        self.pull(now);
        if self.burst_at(now) {
            return Ok(None);
        }
        match self.incoming.front() {
            Some((due, _)) if *due <= now => {}
            _ => return Ok(None),
        }
        match self.incoming.pop_front().map(|(_, arrival)| arrival) {
            Some(Arrival::Message(message)) => {
                self.stats.delivered += 1;
                Ok(Some(message))
            }
            Some(Arrival::Error(error)) => {
                self.closed = Some(match &error {
                    TransportError::Closed { reason } => reason.clone(),
                    other => other.to_string(),
                });
                Err(error)
            }
            None => Ok(None),
        }
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        let now = self.clock.now_nanos();
        self.check_closed(now)?;
        // Stamp arrivals now even if `receive` is called less often.
        self.pull(now);
        if !self.burst_at(now) {
            while let Some(entry) = self.outgoing.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                let (message, delivery) = entry.remove();
                self.stats.forwarded += 1;
                self.inner.send(&message, delivery)?;
            }
        }
        self.inner.flush()
    }

    /// Passes everything still held outgoing to the wrapped connection at once (so a final
    /// message such as a rejection is not lost), then closes it.
    fn close(&mut self, reason: &str) {
        if self.closed.is_some() {
            return;
        }
        for (message, delivery) in std::mem::take(&mut self.outgoing).into_values() {
            self.stats.forwarded += 1;
            if self.inner.send(&message, delivery).is_err() {
                break;
            }
        }
        // The link is going away: a failure to write the rest changes nothing.
        let _ = self.inner.flush();
        self.inner.close(reason);
        self.incoming.clear();
        self.closed = Some(reason.to_owned());
    }

    fn is_open(&self) -> bool {
        self.closed.is_none()
            && !self.disconnect_due(self.clock.now_nanos())
            && self.inner.is_open()
    }

    fn peer(&self) -> &str {
        self.inner.peer()
    }
}
