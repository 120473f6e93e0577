//! Message transports: a connection carries whole binary messages in both directions.
//!
//! Everything here is non-blocking: the server and the clients poll their connections once per
//! frame from their systems, so one slow peer never stalls the others.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub mod conditioner;
pub mod memory;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod web;
// Natively and on WASI (wasm32-wasip2 has sockets; on wasip1 they fail at run time).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub mod websocket;

pub use conditioner::{Conditioned, ConditionerStats, LinkConditions};
pub use memory::{MemoryConnection, MemoryHub, MemoryListener};
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub use web::{WebConnection, WebLimits};
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use websocket::{ListenerStats, WebSocketConnection, WebSocketLimits, WebSocketListener};

/// How a message must be delivered.
///
/// A WebSocket delivers everything reliably and in order; the [`Delivery::Unreliable`] messages
/// (snapshots, inputs) are the ones the protocol is built to lose, so a datagram transport could
/// carry them unchanged, and the link conditioner may drop them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Must arrive, in order (handshake, disconnect reasons, game events).
    Reliable,
    /// May be lost (snapshots, inputs).
    Unreliable,
}

/// Why a transport operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection is closed (by either side); `reason` says why where it is known.
    Closed {
        /// Why, where known.
        reason: String,
    },
    /// A message is larger than the transport accepts, checked before allocating it.
    MessageTooLarge {
        /// The size announced or queued, in bytes.
        size: usize,
        /// The limit, in bytes.
        maximum: usize,
    },
    /// The peer broke the transport's framing (not a WebSocket, bad frame, text where binary
    /// was expected).
    Protocol(String),
    /// An I/O error from the operating system or the browser.
    Io(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Closed { reason } => write!(f, "connection closed: {reason}"),
            TransportError::MessageTooLarge { size, maximum } => {
                write!(
                    f,
                    "message of {size} bytes exceeds the limit of {maximum} bytes"
                )
            }
            TransportError::Protocol(why) => write!(f, "transport protocol error: {why}"),
            TransportError::Io(why) => write!(f, "transport I/O error: {why}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// One connection carrying whole binary messages both ways.
pub trait Connection: Send {
    /// Queues one whole message. Never blocks.
    fn send(&mut self, message: &[u8], delivery: Delivery) -> Result<(), TransportError>;
    /// The next whole received message, if one has arrived. Never blocks.
    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError>;
    /// Writes queued messages as far as the transport takes them now (call once per frame).
    fn flush(&mut self) -> Result<(), TransportError>;
    /// Closes the connection, telling the peer `reason` where the transport can.
    fn close(&mut self, reason: &str);
    /// False once closed by either side or failed.
    fn is_open(&self) -> bool;
    /// The peer's address or a label, for logs.
    fn peer(&self) -> &str;
}

impl Connection for Box<dyn Connection> {
    fn send(&mut self, message: &[u8], delivery: Delivery) -> Result<(), TransportError> {
        (**self).send(message, delivery)
    }
    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        (**self).receive()
    }
    fn flush(&mut self) -> Result<(), TransportError> {
        (**self).flush()
    }
    fn close(&mut self, reason: &str) {
        (**self).close(reason)
    }
    fn is_open(&self) -> bool {
        (**self).is_open()
    }
    fn peer(&self) -> &str {
        (**self).peer()
    }
}

/// Accepts new connections on the server.
pub trait Listener: Send {
    /// The next connection whose transport-level handshake finished, if any. Never blocks.
    fn accept(&mut self) -> Result<Option<Box<dyn Connection>>, TransportError>;
}

/// The time source of the transports' timers (the conditioner's delays, the WebSocket
/// handshake timeout): either a manual clock that tests and replays advance explicitly, or the
/// real monotonic clock.
///
/// Clones share one clock: advancing a manual clock advances every clone. On
/// wasm32-unknown-unknown `std::time::Instant` panics, so the real clock there reads
/// `Date.now()` (through js-sys), kept monotonic by never going below the last reading.
#[derive(Clone, Debug)]
pub struct NetClock(ClockSource);

#[derive(Clone, Debug)]
enum ClockSource {
    /// Nanoseconds, moved only by [`NetClock::advance`] / [`NetClock::set_secs`].
    Manual(Arc<AtomicU64>),
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    Monotonic(std::time::Instant),
    /// Milliseconds since the epoch at creation, and the last reading in nanoseconds since then.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    BrowserDate {
        origin_ms: f64,
        last_nanos: Arc<AtomicU64>,
    },
}

impl NetClock {
    /// A clock standing at zero that moves only when advanced.
    pub fn manual() -> Self {
        NetClock(ClockSource::Manual(Arc::new(AtomicU64::new(0))))
    }

    /// The real clock, reading zero now.
    pub fn real() -> Self {
        #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
        {
            NetClock(ClockSource::Monotonic(std::time::Instant::now()))
        }
        #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
        {
            NetClock(ClockSource::BrowserDate {
                origin_ms: js_sys::Date::now(),
                last_nanos: Arc::new(AtomicU64::new(0)),
            })
        }
    }

    /// True for a clock made by [`NetClock::manual`].
    pub fn is_manual(&self) -> bool {
        matches!(self.0, ClockSource::Manual(_))
    }

    /// Nanoseconds since the clock's start.
    pub fn now_nanos(&self) -> u64 {
        match &self.0 {
            ClockSource::Manual(nanos) => nanos.load(Ordering::Acquire),
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            ClockSource::Monotonic(start) => {
                u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
            }
            #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
            ClockSource::BrowserDate {
                origin_ms,
                last_nanos,
            } => {
                let since_ms = (js_sys::Date::now() - origin_ms).max(0.0);
                let reading = secs_to_nanos(since_ms / 1000.0);
                // Date.now() can step back (clock adjustments): never report going back.
                last_nanos.fetch_max(reading, Ordering::AcqRel).max(reading)
            }
        }
    }

    /// Seconds since the clock's start.
    pub fn now_secs(&self) -> f64 {
        self.now_nanos() as f64 * 1e-9
    }

    /// Moves a manual clock forward by `secs` (negative or non-finite values count as zero).
    /// Does nothing to the real clock.
    pub fn advance(&self, secs: f64) {
        if let ClockSource::Manual(nanos) = &self.0 {
            let step = secs_to_nanos(secs);
            // fetch_update never fails with a closure that always returns Some.
            let _ = nanos.fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
                Some(now.saturating_add(step))
            });
        }
    }

    /// Sets a manual clock to `secs` since its start, forward only (an earlier time is
    /// ignored, so readers never see time go back). Does nothing to the real clock.
    pub fn set_secs(&self, secs: f64) {
        if let ClockSource::Manual(nanos) = &self.0 {
            nanos.fetch_max(secs_to_nanos(secs), Ordering::AcqRel);
        }
    }
}

impl Default for NetClock {
    /// The real clock.
    fn default() -> Self {
        NetClock::real()
    }
}

/// Seconds to nanoseconds, saturating; negative and NaN count as zero.
pub(crate) fn secs_to_nanos(secs: f64) -> u64 {
    if secs.is_nan() || secs <= 0.0 {
        0
    } else {
        // `as` saturates at u64::MAX for huge values.
        (secs * 1e9) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced_and_never_back() {
        let clock = NetClock::manual();
        let other = clock.clone();
        assert_eq!(clock.now_nanos(), 0);
        clock.advance(0.25);
        assert_eq!(other.now_nanos(), 250_000_000);
        clock.advance(-1.0);
        clock.advance(f64::NAN);
        clock.set_secs(0.1);
        assert_eq!(other.now_nanos(), 250_000_000);
        clock.set_secs(2.0);
        assert!((other.now_secs() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn real_clock_is_monotonic() {
        let clock = NetClock::real();
        assert!(!clock.is_manual());
        let first = clock.now_nanos();
        clock.advance(10.0);
        assert!(clock.now_nanos() >= first);
        assert!(clock.now_secs() < 10.0);
    }
}
