//! The component codecs that come with the engine: positions, rotations and small integers.

use glam::{Quat, Vec3};
use layerw_components::{Position, Rotation};
use layerw_engine::ecs::Component;

use super::{ComponentCodec, WordCodec, Words, extrapolate};
use crate::bits::{BitError, BitReader, BitWriter};
use crate::codec::{NetCodec, PositionCodec, QuantizedRotation, RotationCodec};

fn position_words(q: [u32; 3]) -> Words {
    [q[0], q[1], q[2], 0]
}

impl WordCodec for PositionCodec {
    fn encode(&self, words: &Words, reference: &Words, writer: &mut BitWriter) {
        let value = [words[0], words[1], words[2]];
        let reference = [reference[0], reference[1], reference[2]];
        self.encode_delta_quantized(value, reference, writer);
    }

    fn decode(&self, reference: &Words, reader: &mut BitReader<'_>) -> Result<Words, BitError> {
        let reference = [reference[0], reference[1], reference[2]];
        self.decode_delta_quantized(reference, reader)
            .map(position_words)
    }

    fn initial(&self) -> Words {
        position_words(self.quantize(Vec3::ZERO))
    }

    fn max_bits(&self) -> u32 {
        NetCodec::max_bits(self)
    }

    /// Each axis extrapolated linearly (constant velocity).
    fn predict(&self, previous: &Words, current: &Words, elapsed: u32, span: u32) -> Words {
        let maximum = self.max_quantized();
        let mut out = *current;
        for axis in 0..3 {
            out[axis] = extrapolate(previous[axis], current[axis], elapsed, span, maximum[axis]);
        }
        out
    }
}

impl ComponentCodec<Position> for PositionCodec {
    fn quantize(&self, value: &Position) -> Words {
        position_words(PositionCodec::quantize(self, value.0))
    }

    fn dequantize(&self, words: &Words) -> Position {
        Position(PositionCodec::dequantize(
            self,
            [words[0], words[1], words[2]],
        ))
    }

    fn interpolate(&self, from: &Position, to: &Position, t: f32) -> Position {
        Position(from.0.lerp(to.0, t))
    }

    /// One quantum per axis: the two ends may round the same motion differently (the browser's
    /// and the desktop's maths libraries need not agree to the last bit).
    fn agrees(&self, predicted: &Words, server: &Words) -> bool {
        (0..3).all(|axis| predicted[axis].abs_diff(server[axis]) <= 1)
    }
}

fn rotation_words(q: QuantizedRotation) -> Words {
    [
        u32::from(q.largest),
        q.components[0],
        q.components[1],
        q.components[2],
    ]
}

fn words_rotation(words: &Words) -> QuantizedRotation {
    QuantizedRotation {
        largest: (words[0] & 3) as u8,
        components: [words[1], words[2], words[3]],
    }
}

impl WordCodec for RotationCodec {
    fn encode(&self, words: &Words, reference: &Words, writer: &mut BitWriter) {
        self.encode_delta_quantized(words_rotation(words), words_rotation(reference), writer);
    }

    fn decode(&self, reference: &Words, reader: &mut BitReader<'_>) -> Result<Words, BitError> {
        self.decode_delta_quantized(words_rotation(reference), reader)
            .map(rotation_words)
    }

    fn initial(&self) -> Words {
        rotation_words(RotationCodec::quantize(self, Quat::IDENTITY))
    }

    fn max_bits(&self) -> u32 {
        NetCodec::max_bits(self)
    }

    /// The three smallest components extrapolated linearly (constant angular velocity, for
    /// the small turns between ticks), when the largest component stayed the same.
    fn predict(&self, previous: &Words, current: &Words, elapsed: u32, span: u32) -> Words {
        if previous[0] != current[0] {
            return *current;
        }
        let maximum = (1u32 << self.bits()) - 2;
        let mut out = *current;
        for slot in 1..4 {
            out[slot] = extrapolate(previous[slot], current[slot], elapsed, span, maximum);
        }
        out
    }
}

impl ComponentCodec<Rotation> for RotationCodec {
    fn quantize(&self, value: &Rotation) -> Words {
        rotation_words(RotationCodec::quantize(self, value.0))
    }

    fn dequantize(&self, words: &Words) -> Rotation {
        Rotation(RotationCodec::dequantize(self, words_rotation(words)))
    }

    fn interpolate(&self, from: &Rotation, to: &Rotation, t: f32) -> Rotation {
        Rotation(from.0.slerp(to.0, t))
    }

    fn agrees(&self, predicted: &Words, server: &Words) -> bool {
        predicted[0] == server[0] && (1..4).all(|i| predicted[i].abs_diff(server[i]) <= 1)
    }
}

/// A codec for small integer-like components (scores, team numbers, enum states): `bits` bits
/// of the value [`to_bits`](Self::new) gives, turned back by `from_bits`. Values do not blend:
/// a remote entity's value steps when the snapshot's time is reached.
///
/// # Example
/// ```
/// use layerw_net::replication::IntCodec;
///
/// #[derive(Clone, Copy, Debug, PartialEq)]
/// struct Score(u32);
/// let codec = IntCodec::new(16, |s: &Score| s.0, Score).unwrap();
/// assert_eq!(codec.bits(), 16);
/// ```
pub struct IntCodec<T> {
    bits: u32,
    to_bits: fn(&T) -> u32,
    from_bits: fn(u32) -> T,
}

impl<T> IntCodec<T> {
    /// A codec of `bits` bits (1..=32); values above the largest `bits`-bit number are sent as
    /// that number. `from_bits` must accept every `bits`-bit value (hostile input can send any).
    pub fn new(bits: u32, to_bits: fn(&T) -> u32, from_bits: fn(u32) -> T) -> Option<Self> {
        (1..=32).contains(&bits).then_some(IntCodec {
            bits,
            to_bits,
            from_bits,
        })
    }

    /// The bits per value.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    fn maximum(&self) -> u32 {
        if self.bits == 32 {
            u32::MAX
        } else {
            (1 << self.bits) - 1
        }
    }
}

impl<T: 'static> WordCodec for IntCodec<T> {
    fn encode(&self, words: &Words, _reference: &Words, writer: &mut BitWriter) {
        writer.write_bits(u64::from(words[0].min(self.maximum())), self.bits);
    }

    fn decode(&self, _reference: &Words, reader: &mut BitReader<'_>) -> Result<Words, BitError> {
        Ok([reader.read_bits(self.bits)? as u32, 0, 0, 0])
    }

    fn initial(&self) -> Words {
        [0; 4]
    }

    fn max_bits(&self) -> u32 {
        self.bits
    }
}

impl<T: Component> ComponentCodec<T> for IntCodec<T> {
    fn quantize(&self, value: &T) -> Words {
        [(self.to_bits)(value).min(self.maximum()), 0, 0, 0]
    }

    fn dequantize(&self, words: &Words) -> T {
        (self.from_bits)(words[0])
    }

    fn interpolate(&self, from: &T, to: &T, t: f32) -> T {
        let chosen = if t < 1.0 { from } else { to };
        (self.from_bits)((self.to_bits)(chosen))
    }
}
