//! The fixed-timestep clock behind [`Stage::FixedUpdate`](super::Stage::FixedUpdate).

use core::fmt;

/// Why a [`FixedTime`] could not be made.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FixedTimeError {
    /// The step must be finite and greater than zero.
    InvalidStep {
        /// The step that was asked for, in seconds.
        step: f64,
    },
    /// At least one step per frame must be allowed.
    ZeroMaxSteps,
}

impl fmt::Display for FixedTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixedTimeError::InvalidStep { step } => write!(
                f,
                "fixed step must be finite and greater than zero, got {step} s"
            ),
            FixedTimeError::ZeroMaxSteps => f.write_str("max steps per frame must be at least 1"),
        }
    }
}

impl std::error::Error for FixedTimeError {}

/// The fixed-timestep accumulator, stored on the world as a resource.
///
/// Each frame [`advance`](Self::advance) adds the frame's delta time to an accumulator and
/// takes as many whole steps out of it as fit, up to [`max_steps`](Self::max_steps); the
/// schedule runs [`Stage::FixedUpdate`](super::Stage::FixedUpdate) that many times. When a
/// frame-time spike would need more steps than the cap, the excess whole steps are dropped
/// (the simulation slows down instead of spiralling) and counted in
/// [`dropped_seconds`](Self::dropped_seconds). What is left in the accumulator, as a fraction
/// of a step, is [`alpha`](Self::alpha): renderers interpolate between the last two fixed
/// states with it.
///
/// # Example
/// ```
/// use layerw_engine::schedule::FixedTime;
///
/// let mut fixed = FixedTime::new(0.01).with_max_steps(4);
/// assert_eq!(fixed.advance(0.025), 2);
/// assert!((fixed.alpha() - 0.5).abs() < 1e-9);
/// // A one-second hitch runs only the cap of four steps.
/// assert_eq!(fixed.advance(1.0), 4);
/// assert!(fixed.dropped_seconds() > 0.9);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FixedTime {
    step: f64,
    max_steps: u32,
    accumulator: f64,
    steps_this_frame: u32,
    total_steps: u64,
    dropped_seconds: f64,
    time_scale: f64,
}

impl Default for FixedTime {
    /// 60 steps per second, at most 8 per frame.
    fn default() -> Self {
        Self::new(1.0 / 60.0)
    }
}

impl FixedTime {
    /// The catch-up cap used unless [`with_max_steps`](Self::with_max_steps) says otherwise.
    pub const DEFAULT_MAX_STEPS: u32 = 8;

    /// A clock stepping every `step_seconds`, with the default catch-up cap.
    ///
    /// # Panics
    /// If the step is not finite and positive; see [`try_new`](Self::try_new).
    #[track_caller]
    pub fn new(step_seconds: f64) -> Self {
        match Self::try_new(step_seconds) {
            Ok(fixed) => fixed,
            Err(e) => panic!("{e}"),
        }
    }

    /// A clock stepping every `step_seconds`, or why it cannot be made.
    pub fn try_new(step_seconds: f64) -> Result<Self, FixedTimeError> {
        if !(step_seconds.is_finite() && step_seconds > 0.0) {
            return Err(FixedTimeError::InvalidStep { step: step_seconds });
        }
        Ok(Self {
            step: step_seconds,
            max_steps: Self::DEFAULT_MAX_STEPS,
            accumulator: 0.0,
            steps_this_frame: 0,
            total_steps: 0,
            dropped_seconds: 0.0,
            time_scale: 1.0,
        })
    }

    /// Sets the most steps one frame may run.
    ///
    /// # Panics
    /// If `max_steps` is 0; see [`try_with_max_steps`](Self::try_with_max_steps).
    #[track_caller]
    pub fn with_max_steps(self, max_steps: u32) -> Self {
        match self.try_with_max_steps(max_steps) {
            Ok(fixed) => fixed,
            Err(e) => panic!("{e}"),
        }
    }

    /// Sets the most steps one frame may run, or says why it cannot.
    pub fn try_with_max_steps(mut self, max_steps: u32) -> Result<Self, FixedTimeError> {
        if max_steps == 0 {
            return Err(FixedTimeError::ZeroMaxSteps);
        }
        self.max_steps = max_steps;
        Ok(self)
    }

    /// Adds `delta_seconds` of frame time and returns how many fixed steps to run now
    /// (0..=[`max_steps`](Self::max_steps)). A negative or non-finite delta counts as zero.
    pub fn advance(&mut self, delta_seconds: f64) -> u32 {
        let delta = if delta_seconds.is_finite() && delta_seconds > 0.0 {
            delta_seconds * self.time_scale
        } else {
            0.0
        };
        self.accumulator += delta;
        // Whole steps in the accumulator. The float division can land a hair below an exact
        // integer; a step of slack (1e-9 of a step) keeps exact multiples from being deferred.
        let whole = (self.accumulator / self.step + 1e-9).floor();
        let steps = if whole >= f64::from(self.max_steps) {
            self.max_steps
        } else {
            whole as u32
        };
        let dropped = (whole - f64::from(steps)).max(0.0);
        self.accumulator = (self.accumulator - whole * self.step).max(0.0);
        self.dropped_seconds = dropped * self.step;
        self.steps_this_frame = steps;
        self.total_steps += u64::from(steps);
        steps
    }

    /// Runs the clock `scale` times as fast as frame time (clamped to `0.5..=2.0`; a
    /// non-finite scale means 1). A network client nudges it a few percent to keep its ticks
    /// where the server needs its inputs, without jumps.
    pub fn set_time_scale(&mut self, scale: f64) {
        self.time_scale = if scale.is_finite() {
            scale.clamp(0.5, 2.0)
        } else {
            1.0
        };
    }

    /// The speed of the clock relative to frame time (1 unless [`set_time_scale`](Self::set_time_scale)).
    pub fn time_scale(&self) -> f64 {
        self.time_scale
    }

    /// Changes the step, keeping the accumulator (a network client takes the server's tick
    /// rate this way). An invalid step is refused with the same error as [`try_new`](Self::try_new).
    pub fn set_step(&mut self, step_seconds: f64) -> Result<(), FixedTimeError> {
        if !(step_seconds.is_finite() && step_seconds > 0.0) {
            return Err(FixedTimeError::InvalidStep { step: step_seconds });
        }
        self.step = step_seconds;
        Ok(())
    }

    /// The fixed step, in seconds.
    pub fn step(&self) -> f64 {
        self.step
    }

    /// The most steps one frame may run.
    pub fn max_steps(&self) -> u32 {
        self.max_steps
    }

    /// Frame time not yet simulated, in seconds (less than one step after `advance`).
    pub fn accumulator(&self) -> f64 {
        self.accumulator
    }

    /// How far the present lies between the last fixed step and the next: the accumulator
    /// as a fraction of a step, in `0.0..1.0`.
    pub fn alpha(&self) -> f64 {
        (self.accumulator / self.step).clamp(0.0, 1.0)
    }

    /// How many steps the last [`advance`](Self::advance) asked for.
    pub fn steps_this_frame(&self) -> u32 {
        self.steps_this_frame
    }

    /// Every step taken since the clock was made.
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }

    /// Frame time the last [`advance`](Self::advance) discarded because of the catch-up cap,
    /// in seconds (0 unless the frame hit the cap).
    pub fn dropped_seconds(&self) -> f64 {
        self.dropped_seconds
    }

    /// The simulated time of every step taken so far, in seconds.
    pub fn elapsed_seconds(&self) -> f64 {
        self.total_steps as f64 * self.step
    }
}
