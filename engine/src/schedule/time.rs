//! Frame time, stored on the world as a resource.

/// The frame clock: updated by [`Schedule::run_frame`](super::Schedule::run_frame) before the
/// first stage of every frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Time {
    delta_seconds: f64,
    elapsed_seconds: f64,
    frame: u64,
    fixed_delta_seconds: f64,
    fixed_alpha: f64,
}

impl Time {
    /// Starts a new frame lasting `delta_seconds` (negative or non-finite counts as zero).
    pub fn advance(&mut self, delta_seconds: f64) {
        let delta = if delta_seconds.is_finite() && delta_seconds > 0.0 {
            delta_seconds
        } else {
            0.0
        };
        self.delta_seconds = delta;
        self.elapsed_seconds += delta;
        self.frame += 1;
    }

    /// The current frame's delta time, in seconds.
    pub fn delta_seconds(&self) -> f64 {
        self.delta_seconds
    }

    /// The sum of every frame's delta time, in seconds.
    pub fn elapsed_seconds(&self) -> f64 {
        self.elapsed_seconds
    }

    /// The FixedUpdate step, in seconds (set each frame from the
    /// [`FixedTime`](super::FixedTime) resource; 0 before the first frame).
    pub fn fixed_delta_seconds(&self) -> f64 {
        self.fixed_delta_seconds
    }

    /// How far this frame is between the last two FixedUpdate states, 0 to 1: renderers
    /// interpolate fixed-rate simulation state with it.
    pub fn fixed_alpha(&self) -> f64 {
        self.fixed_alpha
    }

    pub(crate) fn set_fixed(&mut self, step: f64, alpha: f64) {
        self.fixed_delta_seconds = step;
        self.fixed_alpha = alpha;
    }

    /// The number of frames started (1 during the first frame).
    pub fn frame(&self) -> u64 {
        self.frame
    }
}
