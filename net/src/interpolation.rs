//! Interpolation of remote entities: the adaptive delay at which the client draws the past,
//! and the per-entity buffers of snapshot values it samples.

use std::collections::VecDeque;

/// Tuning of [`InterpolationDelay`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DelayConfig {
    /// The smallest delay, seconds. Default 0.1.
    pub default_delay: f64,
    /// The delay covers at least this many tick intervals. Default 1.5.
    pub tick_intervals: f64,
    /// ... plus this many times the arrival jitter. Default 3.
    pub jitter_factor: f64,
    /// Jitter EWMA gain when a deviation is above the jitter (rise fast). Default 0.25.
    pub jitter_rise: f64,
    /// Jitter EWMA gain when a deviation is below it (fall slowly). Default 0.02.
    pub jitter_fall: f64,
    /// The fastest the delay grows, seconds per second. Default 0.1 (the drawn past runs at
    /// 90% speed meanwhile).
    pub grow_rate: f64,
    /// The fastest the delay shrinks, seconds per second. Default 0.01.
    pub shrink_rate: f64,
    /// The largest delay, seconds. Default 1.
    pub max_delay: f64,
}

impl Default for DelayConfig {
    fn default() -> Self {
        Self {
            default_delay: 0.1,
            tick_intervals: 1.5,
            jitter_factor: 3.0,
            jitter_rise: 0.25,
            jitter_fall: 0.02,
            grow_rate: 0.1,
            shrink_rate: 0.01,
            max_delay: 1.0,
        }
    }
}

/// The adaptive interpolation delay: how far in the past the client draws remote entities.
///
/// [`on_snapshot`](Self::on_snapshot) measures how much each snapshot's inter-arrival time
/// departs from the expected one (the tick difference times the tick interval, so lost
/// snapshots are not jitter) and keeps a mean deviation that rises fast and falls slowly. The
/// target is `max(default, tick_intervals x interval + jitter_factor x jitter)`, at most
/// `max_delay`; [`advance`](Self::advance), called every frame, moves the delay towards it at a
/// bounded rate, fast up and slow down, so the drawn time never jumps.
#[derive(Clone, Debug)]
pub struct InterpolationDelay {
    config: DelayConfig,
    tick_interval: f64,
    jitter: f64,
    last: Option<(u32, f64)>,
    target: f64,
    delay: f64,
}

impl InterpolationDelay {
    /// A delay for snapshots produced every `tick_interval` seconds, default tuning.
    pub fn new(tick_interval: f64) -> Self {
        Self::with_config(tick_interval, DelayConfig::default())
    }

    /// A delay with the given tuning. A tick interval that is not finite and positive is taken
    /// as 1/30 s.
    pub fn with_config(tick_interval: f64, config: DelayConfig) -> Self {
        let tick_interval = if tick_interval.is_finite() && tick_interval > 0.0 {
            tick_interval
        } else {
            1.0 / 30.0
        };
        let mut delay = Self {
            config,
            tick_interval,
            jitter: 0.0,
            last: None,
            target: 0.0,
            delay: 0.0,
        };
        delay.target = delay.compute_target();
        delay.delay = delay.target;
        delay
    }

    /// The current delay, seconds.
    pub fn delay(&self) -> f64 {
        self.delay
    }

    /// The current delay in ticks.
    pub fn delay_ticks(&self) -> f64 {
        self.delay / self.tick_interval
    }

    /// The delay being moved towards, seconds.
    pub fn target(&self) -> f64 {
        self.target
    }

    /// The measured arrival jitter (mean deviation), seconds.
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// Takes the arrival of the snapshot of `tick` at `now` (client seconds). Snapshots older
    /// than or equal to the newest seen are ignored (late or duplicate).
    pub fn on_snapshot(&mut self, tick: u32, now: f64) {
        if !now.is_finite() {
            return;
        }
        if let Some((last_tick, last_time)) = self.last {
            if tick <= last_tick {
                return;
            }
            let expected = f64::from(tick - last_tick) * self.tick_interval;
            let deviation = ((now - last_time) - expected)
                .abs()
                .min(self.config.max_delay);
            let gain = if deviation > self.jitter {
                self.config.jitter_rise
            } else {
                self.config.jitter_fall
            };
            self.jitter += gain * (deviation - self.jitter);
            self.target = self.compute_target();
        }
        self.last = Some((tick, now));
    }

    /// Moves the delay towards the target over `dt` seconds, at most `grow_rate * dt` up or
    /// `shrink_rate * dt` down.
    pub fn advance(&mut self, dt: f64) {
        if dt.is_nan() || dt <= 0.0 {
            return;
        }
        let diff = self.target - self.delay;
        self.delay += if diff > 0.0 {
            diff.min(self.config.grow_rate * dt)
        } else {
            diff.max(-self.config.shrink_rate * dt)
        };
    }

    fn compute_target(&self) -> f64 {
        let c = &self.config;
        let wanted = c.tick_intervals * self.tick_interval + c.jitter_factor * self.jitter;
        wanted
            .max(c.default_delay)
            .min(c.max_delay.max(c.default_delay))
    }
}

/// The recent values of one component of one remote entity, by server tick, for
/// interpolation.
///
/// Samples are kept sorted by tick whatever the push order; a duplicate tick replaces the value;
/// at most `capacity` samples are kept, dropping the oldest.
#[derive(Clone, Debug)]
pub struct SnapshotBuffer<T: Copy> {
    samples: VecDeque<(u32, T)>,
    capacity: usize,
    max_extrapolation_ticks: f64,
}

impl<T: Copy> SnapshotBuffer<T> {
    /// An empty buffer of at most `capacity` samples (at least 2), holding the newest value
    /// when sampled past it (no extrapolation).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(2);
        Self {
            samples: VecDeque::with_capacity(capacity),
            capacity,
            max_extrapolation_ticks: 0.0,
        }
    }

    /// Allows sampling up to `ticks` past the newest sample by continuing the last two
    /// samples' motion (the `lerp` given to [`sample`](Self::sample) is called with t > 1),
    /// then holding. Negative or NaN is taken as 0.
    pub fn with_extrapolation(mut self, ticks: f64) -> Self {
        self.max_extrapolation_ticks = ticks.max(0.0);
        self
    }

    /// The number of samples held.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// True when no sample is held.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The most samples held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The oldest sample's tick.
    pub fn oldest_tick(&self) -> Option<u32> {
        self.samples.front().map(|s| s.0)
    }

    /// The newest sample's tick.
    pub fn newest_tick(&self) -> Option<u32> {
        self.samples.back().map(|s| s.0)
    }

    /// The samples, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (u32, T)> + '_ {
        self.samples.iter().copied()
    }

    /// Removes every sample.
    pub fn clear(&mut self) {
        self.samples.clear();
    }

    /// Adds the value of `tick`, in order; a tick already held has its value replaced. When
    /// full, the oldest sample is dropped, or the new one if it is older than all held. Returns
    /// whether the value was stored.
    pub fn push(&mut self, tick: u32, value: T) -> bool {
        match self.samples.binary_search_by_key(&tick, |s| s.0) {
            Ok(i) => {
                self.samples[i].1 = value;
                true
            }
            Err(mut i) => {
                if self.samples.len() == self.capacity {
                    if i == 0 {
                        return false;
                    }
                    self.samples.pop_front();
                    i -= 1;
                }
                self.samples.insert(i, (tick, value));
                true
            }
        }
    }

    /// The value at `render_tick` (fractional): exact at sample ticks, `lerp(a, b, t)` between
    /// the samples around it, the oldest value before the oldest sample, and the newest after
    /// the newest (extrapolated up to the limit if one is set). None when empty.
    pub fn sample(&self, render_tick: f64, lerp: impl Fn(T, T, f32) -> T) -> Option<T> {
        let &(first_tick, first) = self.samples.front()?;
        let &(last_tick, last) = self.samples.back()?;
        if render_tick.is_nan() {
            return Some(last);
        }
        if render_tick <= f64::from(first_tick) {
            return Some(first);
        }
        if render_tick >= f64::from(last_tick) {
            let over = (render_tick - f64::from(last_tick)).min(self.max_extrapolation_ticks);
            if over > 0.0 && self.samples.len() >= 2 {
                let (prev_tick, prev) = self.samples[self.samples.len() - 2];
                let span = f64::from(last_tick - prev_tick);
                return Some(lerp(prev, last, (1.0 + over / span) as f32));
            }
            return Some(last);
        }
        // first_tick < render_tick < last_tick, so 1 <= i < len.
        let i = self
            .samples
            .partition_point(|s| f64::from(s.0) <= render_tick);
        let (a_tick, a) = self.samples[i - 1];
        let (b_tick, b) = self.samples[i];
        let offset = render_tick - f64::from(a_tick);
        if offset == 0.0 {
            return Some(a);
        }
        Some(lerp(a, b, (offset / f64::from(b_tick - a_tick)) as f32))
    }

    /// Drops the samples no longer needed to sample at `render_tick` or later: all older than
    /// the newest sample at or before it.
    pub fn discard_before(&mut self, render_tick: f64) {
        while self.samples.len() >= 2 && f64::from(self.samples[1].0) <= render_tick {
            self.samples.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lerp(a: f32, b: f32, t: f32) -> f32 {
        a + (b - a) * t
    }

    #[test]
    fn sample_is_exact_at_samples_and_midpoints() {
        let mut buffer = SnapshotBuffer::new(8);
        for (tick, value) in [(10, 1.0), (12, 5.0), (13, -3.0)] {
            assert!(buffer.push(tick, value));
        }
        assert_eq!(buffer.sample(10.0, lerp), Some(1.0));
        assert_eq!(buffer.sample(12.0, lerp), Some(5.0));
        assert_eq!(buffer.sample(13.0, lerp), Some(-3.0));
        assert_eq!(buffer.sample(11.0, lerp), Some(3.0));
        assert_eq!(buffer.sample(12.5, lerp), Some(1.0));
        assert_eq!(buffer.sample(10.5, lerp), Some(2.0));
        // Before the oldest and after the newest: hold.
        assert_eq!(buffer.sample(3.0, lerp), Some(1.0));
        assert_eq!(buffer.sample(20.0, lerp), Some(-3.0));
        assert_eq!(SnapshotBuffer::<f32>::new(4).sample(1.0, lerp), None);
    }

    #[test]
    fn extrapolation_is_limited() {
        let mut buffer = SnapshotBuffer::new(8).with_extrapolation(2.0);
        buffer.push(10, 0.0);
        buffer.push(11, 1.0);
        assert_eq!(buffer.sample(11.5, lerp), Some(1.5));
        assert_eq!(buffer.sample(13.0, lerp), Some(3.0));
        // Past the limit it holds the extrapolated value at the limit.
        assert_eq!(buffer.sample(50.0, lerp), Some(3.0));
    }

    #[test]
    fn out_of_order_and_duplicate_pushes_stay_sorted() {
        let mut buffer = SnapshotBuffer::new(8);
        for tick in [5u32, 2, 9, 7, 2, 1] {
            buffer.push(tick, tick as f32 * 10.0);
        }
        buffer.push(7, 700.0);
        let ticks: Vec<u32> = buffer.iter().map(|s| s.0).collect();
        assert_eq!(ticks, [1, 2, 5, 7, 9]);
        assert_eq!(buffer.sample(7.0, lerp), Some(700.0));
        assert_eq!(buffer.sample(6.0, lerp), Some(375.0));
    }

    #[test]
    fn history_is_bounded_and_drops_the_oldest() {
        let mut buffer = SnapshotBuffer::new(4);
        for tick in 0..100u32 {
            buffer.push(tick, tick as f32);
            assert!(buffer.len() <= 4);
        }
        assert_eq!(buffer.oldest_tick(), Some(96));
        assert_eq!(buffer.newest_tick(), Some(99));
        // Older than everything held, in a full buffer: not stored.
        assert!(!buffer.push(3, 3.0));
        // Inside the range: stored, the oldest goes.
        assert!(buffer.push(98, 98.5));
        assert!(buffer.push(200, 200.0));
        assert_eq!(
            buffer.iter().map(|s| s.0).collect::<Vec<_>>(),
            [97, 98, 99, 200]
        );
        buffer.discard_before(99.5);
        assert_eq!(buffer.iter().map(|s| s.0).collect::<Vec<_>>(), [99, 200]);
    }

    /// Feeds `seconds` of 30 Hz snapshots whose arrivals deviate by up to `jitter` seconds.
    fn feed(delay: &mut InterpolationDelay, tick: &mut u32, seconds: f64, jitter: f64) {
        let interval = 1.0 / 30.0;
        let mut state = 0x2545_F491_u32;
        for _ in 0..(seconds * 30.0) as usize {
            // xorshift: a seeded sequence without extra dependencies.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = f64::from(state) / f64::from(u32::MAX) * jitter;
            *tick += 1;
            delay.on_snapshot(*tick, f64::from(*tick) * interval + noise);
            let before = delay.delay();
            delay.advance(interval);
            // Never a jump: at most the grow rate per step.
            assert!((delay.delay() - before).abs() <= 0.1 * interval + 1e-12);
        }
    }

    #[test]
    fn delay_grows_with_jitter_and_returns_to_default() {
        let mut delay = InterpolationDelay::new(1.0 / 30.0);
        assert_eq!(delay.delay(), 0.1);
        let mut tick = 0;
        feed(&mut delay, &mut tick, 5.0, 0.0);
        assert!((delay.delay() - 0.1).abs() < 1e-9);
        feed(&mut delay, &mut tick, 10.0, 0.08);
        let grown = delay.delay();
        assert!(
            grown > 0.15,
            "delay {grown} did not grow with 80 ms of jitter"
        );
        assert!(delay.jitter() > 0.02);
        feed(&mut delay, &mut tick, 60.0, 0.0);
        assert!(
            (delay.delay() - 0.1).abs() < 0.005,
            "delay {} did not return to the default",
            delay.delay()
        );
    }

    #[test]
    fn late_and_duplicate_snapshots_are_not_jitter() {
        let mut delay = InterpolationDelay::new(1.0 / 30.0);
        delay.on_snapshot(10, 1.0);
        delay.on_snapshot(10, 1.5);
        delay.on_snapshot(5, 2.0);
        assert_eq!(delay.jitter(), 0.0);
        // A lost snapshot (tick 11) is not jitter either.
        delay.on_snapshot(12, 1.0 + 2.0 / 30.0);
        assert!(delay.jitter() < 1e-9);
    }
}
