//! Per-connection limits (sizes, rates, timeouts, the client cap) and the token-bucket rate
//! limiter that enforces the rates.
//!
//! Nothing here reads a clock: every time is a `now: f64` argument in monotonic seconds, so the
//! server's tests drive time by hand.

use std::fmt;
use std::time::Duration;

/// The limits the server puts on every connection, and the client on the server's messages.
///
/// Every violation disconnects the offending connection with a reason; no limit is ever
/// enforced by waiting. The defaults suit a 30 Hz game whose clients send one `Input` message
/// per tick (carrying the last few ticks' inputs) and a few `Ping`s per second.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// The largest message accepted, in bytes, checked before decoding. Default 64 KiB: far
    /// above any input message, large enough for a full snapshot on the client side. Keep it
    /// at or below `byte_burst`, or a message of this size could never pass the byte bucket.
    pub max_message_bytes: usize,
    /// Sustained messages per second a client may send. Default 120 (an input message per tick
    /// at 60 Hz, twice over).
    pub max_messages_per_second: f64,
    /// How many messages may arrive at once above the sustained rate (the bucket's size).
    /// Default 120: a second's worth, so a client that stalls and catches up is not cut off.
    pub message_burst: f64,
    /// Sustained bytes per second a client may send. Default 64 KiB/s.
    pub max_bytes_per_second: f64,
    /// How many bytes may arrive at once above the sustained rate. Default 128 KiB.
    pub byte_burst: f64,
    /// How long a new connection has to send a valid `Hello`. Default 5 s: long enough for a
    /// slow phone, short enough that a slowloris holds a pending slot only briefly.
    pub handshake_timeout: Duration,
    /// How long a connected peer may stay silent before it is dropped. Default 10 s (clients
    /// send inputs every tick and pings every second or so; servers send snapshots every tick).
    pub idle_timeout: Duration,
    /// How many clients may be connected at once. Default 64.
    pub max_clients: usize,
    /// How many connections may be waiting for their `Hello` at once; more are closed as they
    /// arrive. Default 32.
    pub max_pending: usize,
    /// How many inputs one `Input` message may carry. Default 16 (the client sends its last 4).
    pub max_inputs_per_message: usize,
    /// The largest encoded input of one tick, in bytes. Default 256.
    pub max_input_bytes: usize,
    /// How long after a client's disconnection its `client_id` reconnects as `resumed` (the game
    /// keeps its entity meanwhile). Default 30 s.
    pub resume_grace: Duration,
    /// How many messages of one connection are read per poll, so a flooding client cannot
    /// starve the others; the rest wait for the next poll. Default 64.
    pub max_messages_per_poll: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 64 * 1024,
            max_messages_per_second: 120.0,
            message_burst: 120.0,
            max_bytes_per_second: 64.0 * 1024.0,
            byte_burst: 128.0 * 1024.0,
            handshake_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(10),
            max_clients: 64,
            max_pending: 32,
            max_inputs_per_message: 16,
            max_input_bytes: 256,
            resume_grace: Duration::from_secs(30),
            max_messages_per_poll: 64,
        }
    }
}

/// A token bucket: `rate` tokens per second refill it up to `burst`; taking more than it holds
/// fails.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: f64,
}

impl TokenBucket {
    /// A full bucket at time `now` (seconds).
    pub fn new(rate: f64, burst: f64, now: f64) -> Self {
        let burst = burst.max(0.0);
        TokenBucket {
            rate: rate.max(0.0),
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Takes `amount` tokens if the bucket holds them at time `now`; false (and nothing taken)
    /// otherwise. A `now` earlier than the last call refills nothing.
    pub fn try_take(&mut self, amount: f64, now: f64) -> bool {
        self.refill(now);
        if amount <= self.tokens {
            self.tokens -= amount;
            true
        } else {
            false
        }
    }

    /// The tokens available at time `now`.
    pub fn available(&mut self, now: f64) -> f64 {
        self.refill(now);
        self.tokens
    }

    fn refill(&mut self, now: f64) {
        let elapsed = now - self.last;
        // NaN or a clock going backwards refills nothing.
        if elapsed > 0.0 {
            self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
            self.last = now;
        }
    }
}

/// Which rate a message exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateExceeded {
    /// Too many messages per second.
    Messages,
    /// Too many bytes per second.
    Bytes,
}

impl fmt::Display for RateExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RateExceeded::Messages => f.write_str("message rate exceeded"),
            RateExceeded::Bytes => f.write_str("byte rate exceeded"),
        }
    }
}

impl std::error::Error for RateExceeded {}

/// One connection's rate limiter: a bucket of messages and a bucket of bytes, from [`Limits`].
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimiter {
    messages: TokenBucket,
    bytes: TokenBucket,
}

impl RateLimiter {
    /// A limiter with full buckets at time `now`.
    pub fn new(limits: &Limits, now: f64) -> Self {
        RateLimiter {
            messages: TokenBucket::new(limits.max_messages_per_second, limits.message_burst, now),
            bytes: TokenBucket::new(limits.max_bytes_per_second, limits.byte_burst, now),
        }
    }

    /// Counts one message of `size` bytes received at time `now`, or says which rate it
    /// exceeds (then neither bucket is charged).
    pub fn check(&mut self, size: usize, now: f64) -> Result<(), RateExceeded> {
        let size = size as f64;
        if self.messages.available(now) < 1.0 {
            return Err(RateExceeded::Messages);
        }
        if self.bytes.available(now) < size {
            return Err(RateExceeded::Bytes);
        }
        let took_message = self.messages.try_take(1.0, now);
        let took_bytes = self.bytes.try_take(size, now);
        debug_assert!(took_message && took_bytes, "both checked just above");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_the_burst_then_the_rate() {
        let mut bucket = TokenBucket::new(10.0, 5.0, 0.0);
        for _ in 0..5 {
            assert!(bucket.try_take(1.0, 0.0));
        }
        assert!(!bucket.try_take(1.0, 0.0), "the burst is spent");
        // 0.25 s at 10/s refills 2.5 tokens.
        assert!(bucket.try_take(2.0, 0.25));
        assert!(!bucket.try_take(1.0, 0.25));
        // Long idle refills only up to the burst.
        assert_eq!(bucket.available(100.0), 5.0);
    }

    #[test]
    fn bucket_ignores_a_clock_going_backwards() {
        let mut bucket = TokenBucket::new(10.0, 2.0, 5.0);
        assert!(bucket.try_take(2.0, 5.0));
        assert!(!bucket.try_take(1.0, 1.0));
        assert!(!bucket.try_take(1.0, f64::NAN));
        assert!(bucket.try_take(1.0, 5.2));
    }

    #[test]
    fn limiter_reports_which_rate_and_charges_nothing_on_failure() {
        let limits = Limits {
            max_messages_per_second: 1.0,
            message_burst: 3.0,
            max_bytes_per_second: 100.0,
            byte_burst: 100.0,
            ..Limits::default()
        };
        let mut limiter = RateLimiter::new(&limits, 0.0);
        assert_eq!(limiter.check(101, 0.0), Err(RateExceeded::Bytes));
        assert_eq!(limiter.check(60, 0.0), Ok(()));
        assert_eq!(limiter.check(60, 0.0), Err(RateExceeded::Bytes));
        assert_eq!(limiter.check(40, 0.0), Ok(()));
        assert_eq!(limiter.check(0, 0.0), Ok(()));
        assert_eq!(limiter.check(0, 0.0), Err(RateExceeded::Messages));
        assert_eq!(limiter.check(0, 1.0), Ok(()));
    }

    #[test]
    fn default_message_size_fits_the_byte_burst() {
        let limits = Limits::default();
        assert!(limits.max_message_bytes as f64 <= limits.byte_burst);
    }
}
