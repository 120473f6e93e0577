//! Animation clips: keyframed channels, each driving one property of one joint, sampled with
//! step, linear or cubic-spline interpolation (glTF 2.0's animation samplers).

use core::fmt;

use glam::{Quat, Vec4};

use super::JointPose;

/// How a channel's value moves between two keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interpolation {
    /// Holds each key's value until the next key.
    Step,
    /// Straight between keys (rotations along the shorter arc, spherically).
    Linear,
    /// A cubic Hermite spline through the keys with an in- and an out-tangent per key (glTF's
    /// `CUBICSPLINE`): three values per key, `[in-tangent, value, out-tangent]`.
    CubicSpline,
}

/// Which property of its joint a channel drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelTarget {
    /// The translation (values' `xyz`).
    Translation,
    /// The rotation (values are quaternions `xyzw`).
    Rotation,
    /// The scale (values' `xyz`).
    Scale,
}

/// Why a channel's keys were refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum ClipError {
    /// The channel has no key.
    NoKeys,
    /// Key `key`'s time is not after the previous key's (or not finite, or negative).
    TimesNotIncreasing {
        /// The key.
        key: usize,
    },
    /// The values do not match the keys: one per key (three with [`Interpolation::CubicSpline`]).
    ValueCount {
        /// Values the keys need.
        expected: usize,
        /// Values given.
        found: usize,
    },
    /// A value is not finite.
    NonFinite {
        /// Its index.
        value: usize,
    },
}

impl fmt::Display for ClipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClipError::NoKeys => write!(f, "a channel has no key"),
            ClipError::TimesNotIncreasing { key } => {
                write!(
                    f,
                    "key {key}'s time is not finite and after the previous key's"
                )
            }
            ClipError::ValueCount { expected, found } => {
                write!(f, "{found} values where the keys need {expected}")
            }
            ClipError::NonFinite { value } => write!(f, "value {value} is not finite"),
        }
    }
}

impl std::error::Error for ClipError {}

/// One joint property over time: key times and values (checked by [`Channel::new`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    joint: u32,
    target: ChannelTarget,
    interpolation: Interpolation,
    times: Vec<f32>,
    values: Vec<Vec4>,
}

impl Channel {
    /// A channel driving `target` of joint `joint` (an index into the pose slice a clip
    /// samples into). `times` are seconds, finite, non-negative and strictly increasing;
    /// `values` hold one value per key, or three per key (`[in-tangent, value, out-tangent]`)
    /// for [`Interpolation::CubicSpline`]; translations and scales use `xyz`.
    pub fn new(
        joint: u32,
        target: ChannelTarget,
        interpolation: Interpolation,
        times: Vec<f32>,
        values: Vec<Vec4>,
    ) -> Result<Channel, ClipError> {
        if times.is_empty() {
            return Err(ClipError::NoKeys);
        }
        let mut previous = f32::NEG_INFINITY;
        for (key, &t) in times.iter().enumerate() {
            if !(t.is_finite() && t >= 0.0 && t > previous) {
                return Err(ClipError::TimesNotIncreasing { key });
            }
            previous = t;
        }
        let per_key = if interpolation == Interpolation::CubicSpline {
            3
        } else {
            1
        };
        if values.len() != times.len() * per_key {
            return Err(ClipError::ValueCount {
                expected: times.len() * per_key,
                found: values.len(),
            });
        }
        if let Some(value) = values.iter().position(|v| !v.is_finite()) {
            return Err(ClipError::NonFinite { value });
        }
        Ok(Channel {
            joint,
            target,
            interpolation,
            times,
            values,
        })
    }

    /// The joint it drives.
    pub fn joint(&self) -> u32 {
        self.joint
    }

    /// The property it drives.
    pub fn target(&self) -> ChannelTarget {
        self.target
    }

    /// Its interpolation.
    pub fn interpolation(&self) -> Interpolation {
        self.interpolation
    }

    /// Its key times.
    pub fn times(&self) -> &[f32] {
        &self.times
    }

    /// Its values (three per key for cubic splines).
    pub fn values(&self) -> &[Vec4] {
        &self.values
    }

    /// The last key's time.
    pub fn end(&self) -> f32 {
        self.times[self.times.len() - 1]
    }

    /// Key `key`'s value (the middle of its three for cubic splines).
    fn value(&self, key: usize) -> Vec4 {
        match self.interpolation {
            Interpolation::CubicSpline => self.values[3 * key + 1],
            _ => self.values[key],
        }
    }

    /// The value at `time` seconds, clamped to the first and last keys. Rotations come out
    /// normalised.
    pub fn sample(&self, time: f32) -> Vec4 {
        let last = self.times.len() - 1;
        // The first key after `time`: the segment is (next - 1, next).
        let next = self.times.partition_point(|&t| t <= time);
        if next == 0 {
            return self.value(0);
        }
        if next > last {
            return self.value(last);
        }
        let key = next - 1;
        let (t0, t1) = (self.times[key], self.times[next]);
        let span = t1 - t0;
        let u = ((time - t0) / span).clamp(0.0, 1.0);
        let rotation = self.target == ChannelTarget::Rotation;
        match self.interpolation {
            Interpolation::Step => self.value(key),
            Interpolation::Linear if rotation => {
                let a = Quat::from_vec4(self.value(key));
                let b = Quat::from_vec4(self.value(next));
                Vec4::from(a.slerp(b, u).normalize())
            }
            Interpolation::Linear => self.value(key).lerp(self.value(next), u),
            Interpolation::CubicSpline => {
                let p0 = self.values[3 * key + 1];
                let m0 = self.values[3 * key + 2] * span;
                let p1 = self.values[3 * next + 1];
                let m1 = self.values[3 * next] * span;
                let (u2, u3) = (u * u, u * u * u);
                let v = p0 * (2.0 * u3 - 3.0 * u2 + 1.0)
                    + m0 * (u3 - 2.0 * u2 + u)
                    + p1 * (-2.0 * u3 + 3.0 * u2)
                    + m1 * (u3 - u2);
                if rotation { v.normalize() } else { v }
            }
        }
    }
}

/// An animation clip: channels over joints, as long as its longest channel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clip {
    channels: Vec<Channel>,
    duration: f32,
}

impl Clip {
    /// A clip of `channels` (checked as each was made).
    pub fn new(channels: Vec<Channel>) -> Clip {
        let duration = channels.iter().map(Channel::end).fold(0.0, f32::max);
        Clip { channels, duration }
    }

    /// Its channels.
    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// Seconds from its start to its last key.
    pub fn duration(&self) -> f32 {
        self.duration
    }

    /// The clip with each channel's joint renamed by `map` (a file's node index to a
    /// skeleton's joint index, say); channels `map` returns `None` for are dropped.
    pub fn retarget(&self, map: impl Fn(u32) -> Option<u32>) -> Clip {
        let channels = self
            .channels
            .iter()
            .filter_map(|c| map(c.joint).map(|joint| Channel { joint, ..c.clone() }))
            .collect();
        Clip {
            channels,
            duration: self.duration,
        }
    }

    /// Writes the clip's values at `time` seconds into `poses` (indexed by joint; joints the
    /// clip does not drive keep their pose, channels past the slice are skipped). `looping`
    /// wraps `time` into `[0, duration)`; otherwise it is clamped to the clip's keys.
    pub fn sample(&self, time: f32, looping: bool, poses: &mut [JointPose]) {
        let time = if looping && self.duration > 0.0 {
            time.rem_euclid(self.duration)
        } else {
            time
        };
        for channel in &self.channels {
            let Some(pose) = poses.get_mut(channel.joint as usize) else {
                continue;
            };
            let v = channel.sample(time);
            match channel.target {
                ChannelTarget::Translation => pose.translation = v.truncate(),
                ChannelTarget::Rotation => pose.rotation = Quat::from_vec4(v),
                ChannelTarget::Scale => pose.scale = v.truncate(),
            }
        }
    }
}
