//! [`FrameTimes`]: a window of recent wall-clock frame times, for an FPS readout or a bench.

use std::collections::VecDeque;

/// The wall-clock seconds between the ends of recent frames (the newest last), at most
/// [`capacity`](Self::capacity) of them, a resource: [`DiagnosticsPlugin`] records one per
/// frame in a frame hook, so a frame's time covers its systems, the other frame hooks
/// (drawing) and the wait for the next frame. Empty without a clock (the browser without
/// the `window` feature).
///
/// [`DiagnosticsPlugin`]: crate::DiagnosticsPlugin
///
/// # Example
/// ```
/// use layerw_systems::FrameTimes;
///
/// let mut times = FrameTimes::new(3);
/// for seconds in [0.010, 0.020, 0.030, 0.040] {
///     times.push(seconds);
/// }
/// assert_eq!(times.len(), 3); // the oldest went
/// assert_eq!(times.percentile(0.5), Some(0.030));
/// assert!((times.mean().unwrap() - 0.030).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FrameTimes {
    seconds: VecDeque<f64>,
    capacity: usize,
    /// When the last frame ended, on the monotonic clock.
    last_end: Option<f64>,
}

impl FrameTimes {
    /// An empty window keeping the last `capacity` frames (at least 1).
    pub fn new(capacity: usize) -> FrameTimes {
        let capacity = capacity.max(1);
        FrameTimes {
            seconds: VecDeque::with_capacity(capacity),
            capacity,
            last_end: None,
        }
    }

    /// How many frames the window keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Adds a frame time, dropping the oldest when full.
    pub fn push(&mut self, seconds: f64) {
        if self.seconds.len() == self.capacity {
            self.seconds.pop_front();
        }
        self.seconds.push_back(seconds);
    }

    /// Marks the end of a frame at `now` (monotonic seconds): adds the time since the
    /// previous end (the first call only starts the clock).
    pub fn frame_ended(&mut self, now: f64) {
        if let Some(last) = self.last_end {
            self.push(now - last);
        }
        self.last_end = Some(now);
    }

    /// Frame times held.
    pub fn len(&self) -> usize {
        self.seconds.len()
    }

    /// True before the second frame has ended.
    pub fn is_empty(&self) -> bool {
        self.seconds.is_empty()
    }

    /// The frame times, oldest first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = f64> + '_ {
        self.seconds.iter().copied()
    }

    /// The newest frame time.
    pub fn latest(&self) -> Option<f64> {
        self.seconds.back().copied()
    }

    /// The mean frame time.
    pub fn mean(&self) -> Option<f64> {
        (!self.is_empty()).then(|| self.seconds.iter().sum::<f64>() / self.len() as f64)
    }

    /// The `p` quantile (0 = fastest, 0.5 = median, 0.99, 1 = slowest; nearest rank), `p`
    /// clamped to 0..=1.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if self.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = self.iter().collect();
        sorted.sort_by(f64::total_cmp);
        let rank = ((sorted.len() - 1) as f64 * p.clamp(0.0, 1.0)).round() as usize;
        Some(sorted[rank])
    }
}

impl Default for FrameTimes {
    /// Ten seconds at 60 FPS.
    fn default() -> Self {
        FrameTimes::new(600)
    }
}

#[cfg(test)]
mod tests {
    use super::FrameTimes;

    #[test]
    fn frame_ends_become_frame_times() {
        let mut times = FrameTimes::new(8);
        for end in [1.0, 1.5, 2.5, 2.75] {
            times.frame_ended(end);
        }
        assert_eq!(times.iter().collect::<Vec<_>>(), [0.5, 1.0, 0.25]);
        assert_eq!(times.latest(), Some(0.25));
        assert_eq!(times.percentile(0.0), Some(0.25));
        assert_eq!(times.percentile(1.0), Some(1.0));
        assert_eq!(times.percentile(7.0), Some(1.0), "clamped");
    }

    #[test]
    fn an_empty_window_has_no_figures() {
        let times = FrameTimes::new(0);
        assert_eq!(times.capacity(), 1);
        assert!(times.is_empty());
        assert_eq!((times.mean(), times.percentile(0.5)), (None, None));
    }
}
