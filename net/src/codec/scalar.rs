//! Scalar codecs: [`RangeCodec`] (an `f32` in a range), [`UIntCodec`], [`BoolCodec`].

use crate::bits::{BitError, BitReader, BitWriter, bits_needed};

use super::{CodecError, DeltaWidths, NetCodec, f32_at_least};

/// An `f32` in `[min, max]` quantised to steps of at most `precision`.
///
/// The range is cut into `steps = ceil((max - min) / precision)` equal steps, so a value takes
/// `bits_needed(steps)` bits and decodes within [`RangeCodec::max_error`] of itself. Values
/// outside the range are clamped into it (see [`RangeCodec::contains`]); NaN encodes as `min`.
/// The arithmetic is in `f64` with a final rounding to `f32`, the same on every platform.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RangeCodec {
    min: f32,
    max: f32,
    precision: f32,
    /// The size of one step, at most `precision`.
    step: f64,
    /// The largest quantised value.
    steps: u32,
    bits: u32,
    max_error: f32,
    widths: DeltaWidths,
}

impl RangeCodec {
    /// A codec for `[min, max]` with steps of at most `precision`.
    ///
    /// Errors: a precision that is not positive and finite, bounds that are not finite or with
    /// `min > max`, more than 32 bits, or a step finer than two `f32` ULPs at the bounds
    /// (decoded values would not quantise back to themselves).
    pub fn new(min: f32, max: f32, precision: f32) -> Result<RangeCodec, CodecError> {
        if !(precision > 0.0 && precision.is_finite()) {
            return Err(CodecError::InvalidPrecision { precision });
        }
        if !(min.is_finite() && max.is_finite() && min <= max) {
            return Err(CodecError::InvalidRange { min, max });
        }
        let range = f64::from(max) - f64::from(min);
        let steps = (range / f64::from(precision)).ceil();
        if steps > f64::from(u32::MAX) {
            return Err(CodecError::BitsOutOfRange {
                bits: steps.log2().floor() as u32 + 1,
                minimum: 0,
                maximum: 32,
            });
        }
        let steps = steps as u32;
        let step = if steps == 0 {
            0.0
        } else {
            range / f64::from(steps)
        };
        let magnitude = min.abs().max(max.abs());
        let ulp = f64::from(magnitude.next_up()) - f64::from(magnitude);
        if steps > 0 && step < 2.0 * ulp {
            return Err(CodecError::PrecisionBelowResolution {
                step: step as f32,
                resolution: (2.0 * ulp) as f32,
            });
        }
        Ok(RangeCodec {
            min,
            max,
            precision,
            step,
            steps,
            bits: bits_needed(u64::from(steps)),
            max_error: f32_at_least(step / 2.0 + ulp / 2.0),
            widths: DeltaWidths::DEFAULT,
        })
    }

    /// The same codec with other delta widths.
    pub fn with_delta_widths(self, widths: DeltaWidths) -> RangeCodec {
        RangeCodec { widths, ..self }
    }

    /// The lower bound.
    pub fn min(&self) -> f32 {
        self.min
    }

    /// The upper bound.
    pub fn max(&self) -> f32 {
        self.max
    }

    /// The precision asked for.
    pub fn precision(&self) -> f32 {
        self.precision
    }

    /// Bits of one value in full.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// The largest quantised value (the number of steps).
    pub fn max_quantized(&self) -> u32 {
        self.steps
    }

    /// The largest distance between a value clamped into the range and its decoded value:
    /// half a step (at most `precision / 2`) plus half an `f32` ULP at the bounds' magnitude.
    pub fn max_error(&self) -> f32 {
        self.max_error
    }

    /// Whether `value` is in the range (false for NaN): values outside it are clamped.
    pub fn contains(&self, value: f32) -> bool {
        (self.min..=self.max).contains(&value)
    }

    /// The step index nearest to `value` clamped into the range (NaN gives 0, the minimum).
    pub fn quantize(&self, value: f32) -> u32 {
        if self.steps == 0 || value.is_nan() {
            return 0;
        }
        let offset = f64::from(value.clamp(self.min, self.max)) - f64::from(self.min);
        // Non-negative, so the truncating cast of x + 0.5 rounds to nearest.
        ((offset / self.step + 0.5) as u32).min(self.steps)
    }

    /// The value of step `quantized` (clamped to [`RangeCodec::max_quantized`]).
    pub fn dequantize(&self, quantized: u32) -> f32 {
        let quantized = quantized.min(self.steps);
        let value = f64::from(self.min) + f64::from(quantized) * self.step;
        (value as f32).clamp(self.min, self.max)
    }

    /// Writes quantised `value` as a delta from quantised `reference` (see
    /// [`DeltaWidths`]); both are clamped to [`RangeCodec::max_quantized`].
    pub fn encode_delta_quantized(&self, value: u32, reference: u32, writer: &mut BitWriter) {
        let (value, reference) = (value.min(self.steps), reference.min(self.steps));
        self.widths.write(value, reference, self.bits, writer);
    }

    /// Reads what [`RangeCodec::encode_delta_quantized`] wrote with the same reference.
    pub fn decode_delta_quantized(
        &self,
        reference: u32,
        reader: &mut BitReader<'_>,
    ) -> Result<u32, BitError> {
        let reference = reference.min(self.steps);
        self.widths.read(reference, self.bits, self.steps, reader)
    }

    /// Writes quantised `value` in full.
    pub(crate) fn write_quantized(&self, value: u32, writer: &mut BitWriter) {
        writer.write_bits(u64::from(value.min(self.steps)), self.bits);
    }

    /// Reads a quantised value written in full, checked against the range.
    pub(crate) fn read_quantized(&self, reader: &mut BitReader<'_>) -> Result<u32, BitError> {
        Ok(reader.read_bits_max(self.bits, u64::from(self.steps))? as u32)
    }

    /// The delta widths.
    pub(crate) fn widths(&self) -> DeltaWidths {
        self.widths
    }
}

impl NetCodec<f32> for RangeCodec {
    fn encode(&self, value: f32, writer: &mut BitWriter) {
        self.write_quantized(self.quantize(value), writer);
    }

    fn decode(&self, reader: &mut BitReader<'_>) -> Result<f32, BitError> {
        Ok(self.dequantize(self.read_quantized(reader)?))
    }

    fn encode_delta(&self, value: f32, reference: f32, writer: &mut BitWriter) {
        self.encode_delta_quantized(self.quantize(value), self.quantize(reference), writer);
    }

    fn decode_delta(&self, reference: f32, reader: &mut BitReader<'_>) -> Result<f32, BitError> {
        let quantized = self.decode_delta_quantized(self.quantize(reference), reader)?;
        Ok(self.dequantize(quantized))
    }

    fn canonical(&self, value: f32) -> f32 {
        self.dequantize(self.quantize(value))
    }

    fn max_bits(&self) -> u32 {
        // The delta code's full option: a 4-bit prefix.
        if self.bits == 0 { 0 } else { self.bits + 4 }
    }
}

/// An unsigned integer of 1 to 32 bits; larger values are clamped to the largest that fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UIntCodec {
    bits: u32,
    widths: DeltaWidths,
}

impl UIntCodec {
    /// A codec of `bits` bits (1 to 32).
    pub fn new(bits: u32) -> Result<UIntCodec, CodecError> {
        if !(1..=32).contains(&bits) {
            return Err(CodecError::BitsOutOfRange {
                bits,
                minimum: 1,
                maximum: 32,
            });
        }
        Ok(UIntCodec {
            bits,
            widths: DeltaWidths::DEFAULT,
        })
    }

    /// The same codec with other delta widths.
    pub fn with_delta_widths(self, widths: DeltaWidths) -> UIntCodec {
        UIntCodec { widths, ..self }
    }

    /// Bits of one value in full.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// The largest value encoded as itself.
    pub fn maximum(&self) -> u32 {
        (u64::MAX >> (64 - self.bits)) as u32
    }
}

impl NetCodec<u32> for UIntCodec {
    fn encode(&self, value: u32, writer: &mut BitWriter) {
        writer.write_bits(u64::from(self.canonical(value)), self.bits);
    }

    fn decode(&self, reader: &mut BitReader<'_>) -> Result<u32, BitError> {
        Ok(reader.read_bits(self.bits)? as u32)
    }

    fn encode_delta(&self, value: u32, reference: u32, writer: &mut BitWriter) {
        let (value, reference) = (self.canonical(value), self.canonical(reference));
        self.widths.write(value, reference, self.bits, writer);
    }

    fn decode_delta(&self, reference: u32, reader: &mut BitReader<'_>) -> Result<u32, BitError> {
        let reference = self.canonical(reference);
        self.widths
            .read(reference, self.bits, self.maximum(), reader)
    }

    fn canonical(&self, value: u32) -> u32 {
        value.min(self.maximum())
    }

    fn max_bits(&self) -> u32 {
        self.bits + 4
    }
}

/// A `bool` in one bit (a delta is that same bit: nothing shorter exists).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BoolCodec;

impl NetCodec<bool> for BoolCodec {
    fn encode(&self, value: bool, writer: &mut BitWriter) {
        writer.write_bool(value);
    }

    fn decode(&self, reader: &mut BitReader<'_>) -> Result<bool, BitError> {
        reader.read_bool()
    }

    fn encode_delta(&self, value: bool, _reference: bool, writer: &mut BitWriter) {
        writer.write_bool(value);
    }

    fn decode_delta(&self, _reference: bool, reader: &mut BitReader<'_>) -> Result<bool, BitError> {
        reader.read_bool()
    }

    fn canonical(&self, value: bool) -> bool {
        value
    }

    fn max_bits(&self) -> u32 {
        1
    }
}
