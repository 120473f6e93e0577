//! Client clock synchronisation: the client's estimate of the server tick, and the tick the
//! client should simulate so its inputs reach the server just in time.
//!
//! All times are client-local monotonic seconds (`f64`) chosen by the caller: in tests a
//! simulated clock, in the client plugin the platform's instant. Nothing here reads a clock.
//!
//! Robustness: RTT is an EWMA whose samples are first clamped to the smoothed value plus or
//! minus a few mean deviations (RFC 6298 style), so one late pong moves it by a fraction of the
//! jitter, while a lasting change widens the clamp (the deviation grows) and is followed within
//! a few samples. The clock offset is the median of the last few pongs' offsets, so one bad
//! sample cannot move it at all.

use std::collections::VecDeque;
use std::fmt;

/// Tuning of [`ClockSync`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClockConfig {
    /// Offset samples kept; the estimate is their median. Default 15.
    pub window: usize,
    /// EWMA gain of the smoothed RTT. Default 0.125.
    pub rtt_gain: f64,
    /// EWMA gain of the RTT mean deviation (jitter). Default 0.25.
    pub jitter_gain: f64,
    /// RTT samples are clamped to the smoothed RTT plus or minus this many deviations.
    /// Default 4.
    pub outlier_deviations: f64,
    /// The smallest deviation used for that clamp, in seconds, so a very steady link still
    /// follows real changes. Default 0.002.
    pub min_deviation: f64,
    /// Ticks of margin by which inputs should arrive early. Default 2.
    pub safety_ticks: f64,
    /// Further margin in multiples of the jitter. Default 2.
    pub jitter_margin: f64,
    /// The most [`ClockSync::time_scale`] departs from 1. Default 0.05.
    pub max_speed_adjust: f64,
    /// Speed change per tick of error: the error decays by this fraction per tick. Default 0.02.
    pub speed_gain: f64,
    /// An error beyond this many ticks makes [`ClockSync::needs_resync`] true. Default 10.
    pub resync_ticks: f64,
}

impl Default for ClockConfig {
    fn default() -> Self {
        Self {
            window: 15,
            rtt_gain: 0.125,
            jitter_gain: 0.25,
            outlier_deviations: 4.0,
            min_deviation: 0.002,
            safety_ticks: 2.0,
            jitter_margin: 2.0,
            max_speed_adjust: 0.05,
            speed_gain: 0.02,
            resync_ticks: 10.0,
        }
    }
}

/// Why a clock sample was rejected (the estimate is unchanged).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum ClockError {
    /// The pong arrived before its ping was sent, or a time was not finite.
    InvalidRtt {
        /// When the ping was sent, client seconds.
        sent: f64,
        /// When the pong arrived, client seconds.
        now: f64,
    },
    /// The tick rate is not a finite number greater than zero.
    InvalidTickRate {
        /// The rate given, ticks per second.
        tick_rate: f64,
    },
    /// The server tick is not finite.
    InvalidTick {
        /// The tick given.
        tick: f64,
    },
}

impl fmt::Display for ClockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRtt { sent, now } => {
                write!(
                    f,
                    "pong at {now} s for a ping sent at {sent} s is not a valid RTT"
                )
            }
            Self::InvalidTickRate { tick_rate } => {
                write!(
                    f,
                    "tick rate {tick_rate} is not a finite number greater than zero"
                )
            }
            Self::InvalidTick { tick } => write!(f, "server tick {tick} is not finite"),
        }
    }
}

impl std::error::Error for ClockError {}

/// The client's estimate of the server clock.
///
/// Feed it [`on_pong`](Self::on_pong) for every pong and [`on_snapshot`](Self::on_snapshot)
/// for every snapshot; read [`server_tick_estimate`](Self::server_tick_estimate) and
/// [`target_client_tick`](Self::target_client_tick), and drive the client's fixed-step clock
/// with [`time_scale`](Self::time_scale) (or jump when [`needs_resync`](Self::needs_resync)).
///
/// Convention: a server tick stamp (in a pong or a snapshot) is the server's tick when it sent
/// the message; a server that knows only the integer tick it is in may add 0.5. A constant bias
/// here is absorbed by the safety margin.
#[derive(Clone, Debug)]
pub struct ClockSync {
    config: ClockConfig,
    tick_rate: f64,
    srtt: Option<f64>,
    jitter: f64,
    /// Server seconds minus client seconds, one per pong, newest last.
    pong_offsets: VecDeque<f64>,
    /// The same from snapshots, used until the first pong.
    snapshot_offsets: VecDeque<f64>,
    /// The median of the window in use.
    offset: Option<f64>,
    /// The newest snapshot's tick and arrival time: the server was at least there then.
    newest_snapshot: Option<(u32, f64)>,
    scratch: Vec<f64>,
    last_error: f64,
}

impl ClockSync {
    /// A clock for a server running at `tick_rate` ticks per second (from the welcome), with
    /// the default tuning. A rate that is not finite and positive is taken as 30.
    pub fn new(tick_rate: f64) -> Self {
        Self::with_config(tick_rate, ClockConfig::default())
    }

    /// A clock with the given tuning.
    pub fn with_config(tick_rate: f64, config: ClockConfig) -> Self {
        let tick_rate = if tick_rate.is_finite() && tick_rate > 0.0 {
            tick_rate
        } else {
            30.0
        };
        let config = ClockConfig {
            window: config.window.max(1),
            ..config
        };
        Self {
            config,
            tick_rate,
            srtt: None,
            jitter: 0.0,
            pong_offsets: VecDeque::with_capacity(config.window),
            snapshot_offsets: VecDeque::with_capacity(config.window),
            offset: None,
            newest_snapshot: None,
            scratch: Vec::with_capacity(config.window),
            last_error: 0.0,
        }
    }

    /// The tuning.
    pub fn config(&self) -> &ClockConfig {
        &self.config
    }

    /// The server's tick rate, ticks per second.
    pub fn tick_rate(&self) -> f64 {
        self.tick_rate
    }

    /// True once a pong or a snapshot has given an offset.
    pub fn is_synced(&self) -> bool {
        self.offset.is_some()
    }

    /// The smoothed round-trip time in seconds (0 before the first pong).
    pub fn rtt(&self) -> f64 {
        self.srtt.unwrap_or(0.0)
    }

    /// The RTT's smoothed mean deviation in seconds (0 before the first pong).
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// Takes a pong: the ping left at `sent_client_time`, the pong arrived at `now` (client
    /// seconds) and the server stamped it with `server_tick_at_reply`, running at `tick_rate`.
    pub fn on_pong(
        &mut self,
        sent_client_time: f64,
        now: f64,
        server_tick_at_reply: f64,
        tick_rate: f64,
    ) -> Result<(), ClockError> {
        let sample = now - sent_client_time;
        if !(sample.is_finite() && sample >= 0.0) {
            return Err(ClockError::InvalidRtt {
                sent: sent_client_time,
                now,
            });
        }
        if !(tick_rate.is_finite() && tick_rate > 0.0) {
            return Err(ClockError::InvalidTickRate { tick_rate });
        }
        if !server_tick_at_reply.is_finite() {
            return Err(ClockError::InvalidTick {
                tick: server_tick_at_reply,
            });
        }
        self.tick_rate = tick_rate;
        match self.srtt {
            None => {
                self.srtt = Some(sample);
                self.jitter = sample / 2.0;
            }
            Some(srtt) => {
                let width =
                    self.config.outlier_deviations * self.jitter.max(self.config.min_deviation);
                let clamped = sample.clamp(srtt - width, srtt + width);
                let g = self.config.jitter_gain;
                self.jitter = (1.0 - g) * self.jitter + g * (clamped - srtt).abs();
                let a = self.config.rtt_gain;
                self.srtt = Some((1.0 - a) * srtt + a * clamped);
            }
        }
        // The reply left half this sample's round trip ago (symmetric paths assumed).
        let offset = server_tick_at_reply / tick_rate - (now - sample / 2.0);
        push_window(&mut self.pong_offsets, offset, self.config.window);
        self.offset = Some(median(&self.pong_offsets, &mut self.scratch));
        Ok(())
    }

    /// Takes a snapshot of server tick `tick` arriving at `now`. Until the first pong the
    /// offset comes from snapshots (one-way time taken as half the RTT, 0 when unknown); after
    /// it, snapshots only bound the estimate from below, since the server had at least reached
    /// `tick` when it arrived.
    pub fn on_snapshot(&mut self, tick: u32, now: f64) {
        if !now.is_finite() {
            return;
        }
        if self.newest_snapshot.is_none_or(|(t, _)| tick > t) {
            self.newest_snapshot = Some((tick, now));
        }
        let offset = f64::from(tick) / self.tick_rate + self.rtt() / 2.0 - now;
        push_window(&mut self.snapshot_offsets, offset, self.config.window);
        if self.pong_offsets.is_empty() {
            self.offset = Some(median(&self.snapshot_offsets, &mut self.scratch));
        }
    }

    /// The server's tick now, fractional. Before any sample: `now` times the tick rate.
    pub fn server_tick_estimate(&self, now: f64) -> f64 {
        let estimate = (now + self.offset.unwrap_or(0.0)) * self.tick_rate;
        match self.newest_snapshot {
            Some((tick, arrival)) => {
                estimate.max(f64::from(tick) + (now - arrival).max(0.0) * self.tick_rate)
            }
            None => estimate,
        }
    }

    /// The margin, in ticks, by which inputs should arrive before the server needs them.
    pub fn margin_ticks(&self) -> f64 {
        self.config.safety_ticks + self.config.jitter_margin * self.jitter * self.tick_rate
    }

    /// The tick the client should be simulating now so that its input for that tick reaches
    /// the server [`margin_ticks`](Self::margin_ticks) early: the server estimate, plus the
    /// one-way trip (half the RTT) in ticks, plus the margin.
    pub fn target_client_tick(&self, now: f64) -> f64 {
        self.server_tick_estimate(now) + self.rtt() / 2.0 * self.tick_rate + self.margin_ticks()
    }

    /// Target minus `current_client_tick`, in ticks: positive when the client is behind.
    pub fn tick_error(&self, current_client_tick: f64, now: f64) -> f64 {
        self.target_client_tick(now) - current_client_tick
    }

    /// The speed at which the client's fixed-step clock should run now (multiply its delta
    /// time by it): above 1 when behind the target, below when ahead, proportional to the error
    /// and within `1 ± max_speed_adjust`, so the client converges without jumps. Records the
    /// error for [`needs_resync`](Self::needs_resync).
    pub fn time_scale(&mut self, current_client_tick: f64, now: f64) -> f64 {
        let error = self.tick_error(current_client_tick, now);
        self.last_error = if error.is_finite() { error } else { 0.0 };
        let max = self.config.max_speed_adjust;
        1.0 + (self.last_error * self.config.speed_gain).clamp(-max, max)
    }

    /// True when the error seen by the last [`time_scale`](Self::time_scale) exceeds
    /// `resync_ticks`: nudging would take too long, the client should jump to
    /// [`target_client_tick`](Self::target_client_tick).
    pub fn needs_resync(&self) -> bool {
        self.last_error.abs() > self.config.resync_ticks
    }

    /// The error recorded by the last [`time_scale`](Self::time_scale), in ticks.
    pub fn last_error(&self) -> f64 {
        self.last_error
    }
}

fn push_window(window: &mut VecDeque<f64>, value: f64, capacity: usize) {
    if window.len() == capacity {
        window.pop_front();
    }
    window.push_back(value);
}

/// The median (mean of the middle two for an even count). `window` is never empty here.
fn median(window: &VecDeque<f64>, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    scratch.extend(window.iter().copied());
    scratch.sort_unstable_by(f64::total_cmp);
    let n = scratch.len();
    if n % 2 == 1 {
        scratch[n / 2]
    } else {
        (scratch[n / 2 - 1] + scratch[n / 2]) / 2.0
    }
}
