//! [`PositionCodec`]: a position in a box, quantised per axis.

use glam::Vec3;

use crate::bits::{BitError, BitReader, BitWriter};

use super::delta::{MODE_DELTA, MODE_FULL, MODE_UNCHANGED, read_mode};
use super::{CodecError, DeltaWidths, NetCodec, RangeCodec};

/// A position in the box `[min, max]`, each axis quantised to steps of at most `precision`
/// (each axis is a [`RangeCodec`], so an axis of zero extent takes no bits).
///
/// Positions outside the box are clamped into it (see [`PositionCodec::contains`]); a NaN
/// coordinate encodes as that axis's minimum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PositionCodec {
    axes: [RangeCodec; 3],
}

impl PositionCodec {
    /// A codec for the box `[min, max]` with steps of at most `precision` on every axis.
    ///
    /// Errors as [`RangeCodec::new`], for the first axis that fails.
    pub fn new(min: Vec3, max: Vec3, precision: f32) -> Result<PositionCodec, CodecError> {
        Ok(PositionCodec {
            axes: [
                RangeCodec::new(min.x, max.x, precision)?,
                RangeCodec::new(min.y, max.y, precision)?,
                RangeCodec::new(min.z, max.z, precision)?,
            ],
        })
    }

    /// The same codec with other delta widths (the default is [`DeltaWidths::DEFAULT`]).
    pub fn with_delta_widths(self, widths: DeltaWidths) -> PositionCodec {
        PositionCodec {
            axes: self.axes.map(|axis| axis.with_delta_widths(widths)),
        }
    }

    /// The box's lower corner.
    pub fn min(&self) -> Vec3 {
        Vec3::from(self.axes.map(|axis| axis.min()))
    }

    /// The box's upper corner.
    pub fn max(&self) -> Vec3 {
        Vec3::from(self.axes.map(|axis| axis.max()))
    }

    /// The precision asked for.
    pub fn precision(&self) -> f32 {
        self.axes[0].precision()
    }

    /// Bits per axis of a full value.
    pub fn bits(&self) -> [u32; 3] {
        self.axes.map(|axis| axis.bits())
    }

    /// The largest quantised value per axis.
    pub fn max_quantized(&self) -> [u32; 3] {
        self.axes.map(|axis| axis.max_quantized())
    }

    /// The largest error per axis between a position clamped into the box and its decoded
    /// value: `precision / 2` at most, plus half an `f32` ULP at the box's magnitude.
    pub fn max_error(&self) -> Vec3 {
        Vec3::from(self.axes.map(|axis| axis.max_error()))
    }

    /// Whether `position` is inside the box (false with a NaN): positions outside are clamped.
    pub fn contains(&self, position: Vec3) -> bool {
        (0..3).all(|axis| self.axes[axis].contains(position[axis]))
    }

    /// The quantised position (clamped into the box; NaN gives the axis's minimum).
    pub fn quantize(&self, position: Vec3) -> [u32; 3] {
        [0, 1, 2].map(|axis| self.axes[axis].quantize(position[axis]))
    }

    /// The position of quantised values (each clamped to its axis's maximum).
    pub fn dequantize(&self, quantized: [u32; 3]) -> Vec3 {
        Vec3::from([0, 1, 2].map(|axis| self.axes[axis].dequantize(quantized[axis])))
    }

    /// Writes a quantised position as a delta from a quantised reference: `0` unchanged, `10`
    /// and the three axes' delta codes, or `11` and the full value, whichever is shortest.
    pub fn encode_delta_quantized(
        &self,
        value: [u32; 3],
        reference: [u32; 3],
        writer: &mut BitWriter,
    ) {
        let maximum = self.max_quantized();
        let value = [0, 1, 2].map(|axis| value[axis].min(maximum[axis]));
        let reference = [0, 1, 2].map(|axis| reference[axis].min(maximum[axis]));
        if value == reference {
            writer.write_bits(MODE_UNCHANGED.0, MODE_UNCHANGED.1);
            return;
        }
        let delta_bits: u32 = (0..3)
            .map(|axis| {
                let codec = &self.axes[axis];
                codec
                    .widths()
                    .cost(value[axis], reference[axis], codec.bits())
            })
            .sum();
        let full_bits: u32 = self.bits().iter().sum();
        if delta_bits < full_bits {
            writer.write_bits(MODE_DELTA.0, MODE_DELTA.1);
            for (axis, codec) in self.axes.iter().enumerate() {
                codec.encode_delta_quantized(value[axis], reference[axis], writer);
            }
        } else {
            writer.write_bits(MODE_FULL.0, MODE_FULL.1);
            for (axis, codec) in self.axes.iter().enumerate() {
                codec.write_quantized(value[axis], writer);
            }
        }
    }

    /// Reads what [`PositionCodec::encode_delta_quantized`] wrote with the same reference.
    pub fn decode_delta_quantized(
        &self,
        reference: [u32; 3],
        reader: &mut BitReader<'_>,
    ) -> Result<[u32; 3], BitError> {
        let maximum = self.max_quantized();
        let reference = [0, 1, 2].map(|axis| reference[axis].min(maximum[axis]));
        let mut value = reference;
        match read_mode(reader)? {
            0 => {}
            1 => {
                for (axis, codec) in self.axes.iter().enumerate() {
                    value[axis] = codec.decode_delta_quantized(reference[axis], reader)?;
                }
            }
            _ => {
                for (axis, codec) in self.axes.iter().enumerate() {
                    value[axis] = codec.read_quantized(reader)?;
                }
            }
        }
        Ok(value)
    }
}

impl NetCodec<Vec3> for PositionCodec {
    fn encode(&self, value: Vec3, writer: &mut BitWriter) {
        let quantized = self.quantize(value);
        for (axis, codec) in self.axes.iter().enumerate() {
            codec.write_quantized(quantized[axis], writer);
        }
    }

    fn decode(&self, reader: &mut BitReader<'_>) -> Result<Vec3, BitError> {
        let mut quantized = [0; 3];
        for (axis, codec) in self.axes.iter().enumerate() {
            quantized[axis] = codec.read_quantized(reader)?;
        }
        Ok(self.dequantize(quantized))
    }

    fn encode_delta(&self, value: Vec3, reference: Vec3, writer: &mut BitWriter) {
        self.encode_delta_quantized(self.quantize(value), self.quantize(reference), writer);
    }

    fn decode_delta(&self, reference: Vec3, reader: &mut BitReader<'_>) -> Result<Vec3, BitError> {
        let quantized = self.decode_delta_quantized(self.quantize(reference), reader)?;
        Ok(self.dequantize(quantized))
    }

    fn canonical(&self, value: Vec3) -> Vec3 {
        self.dequantize(self.quantize(value))
    }

    fn max_bits(&self) -> u32 {
        // The delta's full mode: two mode bits and the full value.
        2 + self.bits().iter().sum::<u32>()
    }
}
