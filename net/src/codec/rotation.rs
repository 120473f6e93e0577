//! [`RotationCodec`]: "smallest three" quaternions with a configurable precision.

use glam::Quat;

use crate::bits::{BitError, BitReader, BitWriter};

use super::delta::{MODE_DELTA, MODE_FULL, MODE_UNCHANGED, read_mode};
use super::{CodecError, DeltaWidths, NetCodec, f32_at_least};

/// A quantised rotation: which component was the largest, and the other three (in index order)
/// as unsigned steps, offset so that `0` is `-1/sqrt(2)` and `2 * m` is `+1/sqrt(2)`, where
/// `m = 2^(bits - 1) - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuantizedRotation {
    /// The index (x, y, z, w = 0..=3) of the component rebuilt from the unit length.
    pub largest: u8,
    /// The other three components, offset steps.
    pub components: [u32; 3],
}

/// A rotation as "smallest three": the index of the largest component of the unit quaternion
/// (2 bits), made positive (q and -q are the same rotation), and the other three, which lie
/// in `[-1/sqrt(2), 1/sqrt(2)]`, as signed `bits`-bit steps. The decoder rebuilds the largest
/// from the unit length.
///
/// A quaternion that is not unit is normalised first; one of zero length, infinite or NaN
/// encodes as the identity. The arithmetic is in `f64` (IEEE operations and `sqrt` only), so
/// every platform decodes the same `f32`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RotationCodec {
    bits: u32,
    widths: DeltaWidths,
}

impl RotationCodec {
    /// The fewest bits per component accepted.
    pub const MIN_BITS: u32 = 6;
    /// The most bits per component accepted (more is below `f32` resolution).
    pub const MAX_BITS: u32 = 23;

    /// A codec with `bits` bits per component ([`RotationCodec::MIN_BITS`] to
    /// [`RotationCodec::MAX_BITS`]; 9 to 15 suit most games).
    pub fn new(bits: u32) -> Result<RotationCodec, CodecError> {
        if !(Self::MIN_BITS..=Self::MAX_BITS).contains(&bits) {
            return Err(CodecError::BitsOutOfRange {
                bits,
                minimum: Self::MIN_BITS,
                maximum: Self::MAX_BITS,
            });
        }
        Ok(RotationCodec {
            bits,
            widths: DeltaWidths::DEFAULT,
        })
    }

    /// The same codec with other delta widths (the default is [`DeltaWidths::DEFAULT`]).
    pub fn with_delta_widths(self, widths: DeltaWidths) -> RotationCodec {
        RotationCodec { widths, ..self }
    }

    /// Bits per component.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// `m`: the largest signed step; components are offset to `0..=2m`.
    fn half_range(&self) -> u32 {
        (1 << (self.bits - 1)) - 1
    }

    /// Steps per unit of a component.
    fn scale(&self) -> f64 {
        f64::from(self.half_range()) * std::f64::consts::SQRT_2
    }

    /// The largest angle, in radians, between a rotation and its decoded value.
    ///
    /// Each small component is off by at most `e = 1 / (2 scale)`; the rebuilt largest
    /// component `w >= 1/2` by at most `D = 1/2 - sqrt(1/4 - 3e - 3e^2)` (about `3e`, worst
    /// when all four are 1/2). Both quaternions are unit, so their chord is at most
    /// `sqrt(3e^2 + D^2)` (plus `2^-22` for the `f32` rounding of the result), and a chord
    /// `d` is a rotation of `4 asin(d / 2)`.
    pub fn max_error_radians(&self) -> f32 {
        let e = 0.5 / self.scale();
        let largest_error = 0.5 - (0.25 - 3.0 * e - 3.0 * e * e).sqrt();
        let chord = (3.0 * e * e + largest_error * largest_error).sqrt() + 2f64.powi(-22);
        f32_at_least(4.0 * (chord / 2.0).min(1.0).asin())
    }

    /// The quantised rotation (see [`QuantizedRotation`]).
    pub fn quantize(&self, rotation: Quat) -> QuantizedRotation {
        let v = rotation.to_array().map(f64::from);
        let length_squared: f64 = v.iter().map(|c| c * c).sum();
        let (v, length) = if length_squared > 1e-24 && length_squared.is_finite() {
            (v, length_squared.sqrt())
        } else {
            ([0.0, 0.0, 0.0, 1.0], 1.0)
        };
        let mut largest = 0;
        for index in 1..4 {
            if v[index].abs() > v[largest].abs() {
                largest = index;
            }
        }
        // Normalise, and make the largest positive.
        let factor = length.recip().copysign(v[largest]);
        let m = f64::from(self.half_range());
        let scale = self.scale() * factor;
        let mut components = [0; 3];
        let others = (0..4).filter(|&index| index != largest);
        for (slot, index) in others.enumerate() {
            let steps = (v[index] * scale).clamp(-m, m).round();
            components[slot] = (steps + m) as u32;
        }
        QuantizedRotation {
            largest: largest as u8,
            components,
        }
    }

    /// The rotation of a quantised one (components clamped to `0..=2m`). Always a unit
    /// quaternion, even for components no rotation quantises to.
    pub fn dequantize(&self, quantized: QuantizedRotation) -> Quat {
        let m = self.half_range();
        let scale = self.scale();
        let largest = usize::from(quantized.largest & 3);
        let mut v = [0.0f64; 4];
        let mut sum = 0.0;
        let others = (0..4).filter(|&index| index != largest);
        for (slot, index) in others.enumerate() {
            let steps = f64::from(quantized.components[slot].min(2 * m)) - f64::from(m);
            v[index] = steps / scale;
            sum += v[index] * v[index];
        }
        v[largest] = (1.0 - sum).max(0.0).sqrt();
        // Unit already, up to rounding (or, for components no rotation gives, sum above 1).
        let length = (sum + v[largest] * v[largest]).sqrt();
        let v = v.map(|c| (c / length) as f32);
        Quat::from_xyzw(v[0], v[1], v[2], v[3])
    }

    /// Writes a quantised rotation in full: the index, then the three components.
    fn write_full(&self, value: QuantizedRotation, writer: &mut BitWriter) {
        let maximum = 2 * self.half_range();
        writer.write_bits(u64::from(value.largest & 3), 2);
        for component in value.components {
            writer.write_bits(u64::from(component.min(maximum)), self.bits);
        }
    }

    /// Reads a quantised rotation written in full.
    fn read_full(&self, reader: &mut BitReader<'_>) -> Result<QuantizedRotation, BitError> {
        let maximum = u64::from(2 * self.half_range());
        let largest = reader.read_bits(2)? as u8;
        let mut components = [0; 3];
        for component in &mut components {
            *component = reader.read_bits_max(self.bits, maximum)? as u32;
        }
        Ok(QuantizedRotation {
            largest,
            components,
        })
    }

    /// Clamps a quantised rotation from outside into what this codec writes.
    fn sanitize(&self, value: QuantizedRotation) -> QuantizedRotation {
        let maximum = 2 * self.half_range();
        QuantizedRotation {
            largest: value.largest & 3,
            components: value.components.map(|component| component.min(maximum)),
        }
    }

    /// Writes a quantised rotation as a delta from a quantised reference: `0` unchanged, `10`
    /// and the three components' delta codes (only when the largest component is the same),
    /// or `11` and the full value, whichever is shortest.
    pub fn encode_delta_quantized(
        &self,
        value: QuantizedRotation,
        reference: QuantizedRotation,
        writer: &mut BitWriter,
    ) {
        let (value, reference) = (self.sanitize(value), self.sanitize(reference));
        if value == reference {
            writer.write_bits(MODE_UNCHANGED.0, MODE_UNCHANGED.1);
            return;
        }
        let full_bits = 2 + 3 * self.bits;
        if value.largest == reference.largest {
            let delta_bits: u32 = (0..3)
                .map(|slot| {
                    let (v, r) = (value.components[slot], reference.components[slot]);
                    self.widths.cost(v, r, self.bits)
                })
                .sum();
            if delta_bits < full_bits {
                writer.write_bits(MODE_DELTA.0, MODE_DELTA.1);
                for slot in 0..3 {
                    let (v, r) = (value.components[slot], reference.components[slot]);
                    self.widths.write(v, r, self.bits, writer);
                }
                return;
            }
        }
        writer.write_bits(MODE_FULL.0, MODE_FULL.1);
        self.write_full(value, writer);
    }

    /// Reads what [`RotationCodec::encode_delta_quantized`] wrote with the same reference.
    pub fn decode_delta_quantized(
        &self,
        reference: QuantizedRotation,
        reader: &mut BitReader<'_>,
    ) -> Result<QuantizedRotation, BitError> {
        let reference = self.sanitize(reference);
        match read_mode(reader)? {
            0 => Ok(reference),
            1 => {
                let maximum = 2 * self.half_range();
                let mut value = reference;
                for slot in 0..3 {
                    let r = reference.components[slot];
                    value.components[slot] = self.widths.read(r, self.bits, maximum, reader)?;
                }
                Ok(value)
            }
            _ => self.read_full(reader),
        }
    }
}

impl NetCodec<Quat> for RotationCodec {
    fn encode(&self, value: Quat, writer: &mut BitWriter) {
        self.write_full(self.quantize(value), writer);
    }

    fn decode(&self, reader: &mut BitReader<'_>) -> Result<Quat, BitError> {
        Ok(self.dequantize(self.read_full(reader)?))
    }

    fn encode_delta(&self, value: Quat, reference: Quat, writer: &mut BitWriter) {
        self.encode_delta_quantized(self.quantize(value), self.quantize(reference), writer);
    }

    fn decode_delta(&self, reference: Quat, reader: &mut BitReader<'_>) -> Result<Quat, BitError> {
        let quantized = self.decode_delta_quantized(self.quantize(reference), reader)?;
        Ok(self.dequantize(quantized))
    }

    fn canonical(&self, value: Quat) -> Quat {
        self.dequantize(self.quantize(value))
    }

    fn max_bits(&self) -> u32 {
        // The delta's full mode: two mode bits, the index and three components.
        2 + 2 + 3 * self.bits
    }
}
