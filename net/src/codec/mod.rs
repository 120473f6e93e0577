//! Quantising codecs for replicated components.
//!
//! Each codec is a small `Copy` value whose constructor validates its parameters. A value is
//! quantised to integers (clamped into the codec's range), and those integers are what goes on
//! the wire: in full ([`NetCodec::encode`]) or as a delta from a reference
//! ([`NetCodec::encode_delta`]). The reference is any value both sides hold bit-identically:
//! the last acknowledged baseline, or a prediction from it (the baseline extrapolated by its
//! velocity, computed the same way on both sides). Decoding gives exactly
//! [`NetCodec::canonical`] of the value, whatever the reference: the server should keep
//! canonical values as its baselines, as that is what the client has.
//!
//! Deltas use a prefix code per quantised component (see [`DeltaWidths`]) behind a per-value
//! mode: `0` unchanged, `10` component deltas, `11` the full value. The encoder picks the
//! shortest, so a delta never costs more than the full value plus two bits.

mod delta;
mod position;
mod rotation;
mod scalar;

use std::fmt;

use crate::bits::{BitError, BitReader, BitWriter};

pub use delta::DeltaWidths;
pub use position::PositionCodec;
pub use rotation::{QuantizedRotation, RotationCodec};
pub use scalar::{BoolCodec, RangeCodec, UIntCodec};

/// Why a codec's parameters were refused.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum CodecError {
    /// The precision is zero, negative, NaN or infinite.
    InvalidPrecision {
        /// The precision given.
        precision: f32,
    },
    /// A bound is not finite, or `min` is above `max`.
    InvalidRange {
        /// The lower bound given.
        min: f32,
        /// The upper bound given.
        max: f32,
    },
    /// The precision is finer than `f32` can represent at the range's bounds, so decoded values
    /// would not quantise back to themselves.
    PrecisionBelowResolution {
        /// The step the range and precision give.
        step: f32,
        /// The smallest step allowed: two `f32` ULPs at the largest bound's magnitude.
        resolution: f32,
    },
    /// A bit count outside what the codec supports.
    BitsOutOfRange {
        /// The bits asked for (or needed by the range and precision).
        bits: u32,
        /// The fewest allowed.
        minimum: u32,
        /// The most allowed.
        maximum: u32,
    },
    /// Delta widths that are not increasing, or zero, or above 32.
    InvalidDeltaWidths {
        /// The widths given.
        widths: [u32; 3],
    },
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CodecError::InvalidPrecision { precision } => {
                write!(f, "precision {precision} is not a positive finite number")
            }
            CodecError::InvalidRange { min, max } => {
                write!(
                    f,
                    "invalid range [{min}, {max}]: bounds must be finite, min <= max"
                )
            }
            CodecError::PrecisionBelowResolution { step, resolution } => write!(
                f,
                "step {step} is finer than the f32 resolution {resolution} at the range's bounds"
            ),
            CodecError::BitsOutOfRange {
                bits,
                minimum,
                maximum,
            } => write!(f, "{bits} bits, outside {minimum}..={maximum}"),
            CodecError::InvalidDeltaWidths { widths } => write!(
                f,
                "delta widths {widths:?} must be increasing, from 1 to 32 bits"
            ),
        }
    }
}

impl std::error::Error for CodecError {}

/// The nearest `f32` at or above `value` (stated error bounds must hold after rounding).
fn f32_at_least(value: f64) -> f32 {
    let rounded = value as f32;
    if f64::from(rounded) < value {
        rounded.next_up()
    } else {
        rounded
    }
}

/// A codec of values of type `T` on the wire.
///
/// Object safe (no generic methods, `T` is a parameter of the trait), so the replication layer
/// can hold `Box<dyn NetCodec<Vec3>>` per registered component as well as use codecs
/// generically; `T` is `Copy` data passed by value.
pub trait NetCodec<T> {
    /// Writes `value` in full (clamped and quantised).
    fn encode(&self, value: T, writer: &mut BitWriter);

    /// Reads a value written by [`NetCodec::encode`]; malformed input is an error, never a
    /// panic.
    fn decode(&self, reader: &mut BitReader<'_>) -> Result<T, BitError>;

    /// Writes `value` as a delta from `reference` (a baseline or a prediction, held
    /// bit-identically by the decoder).
    fn encode_delta(&self, value: T, reference: T, writer: &mut BitWriter);

    /// Reads a value written by [`NetCodec::encode_delta`] with the same `reference`.
    fn decode_delta(&self, reference: T, reader: &mut BitReader<'_>) -> Result<T, BitError>;

    /// What the decoder gets for `value`: `dequantize(quantize(value))`.
    fn canonical(&self, value: T) -> T;

    /// The most bits [`NetCodec::encode`] or [`NetCodec::encode_delta`] write for one value.
    fn max_bits(&self) -> u32;
}
