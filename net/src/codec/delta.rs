//! The delta code of quantised components.
//!
//! Each component's difference from its reference is written with a prefix code:
//!
//! | prefix | then | meaning |
//! |---|---|---|
//! | `0` | nothing | unchanged |
//! | `10` | `widths[0]` bits | a signed delta |
//! | `110` | `widths[1]` bits | a signed delta |
//! | `1110` | `widths[2]` bits | a signed delta |
//! | `1111` | the component's full bits | the value itself |
//!
//! The encoder takes the shortest that fits. A component of 0 bits (a range of one value) is
//! not written at all.

use crate::bits::{BitError, BitReader, BitWriter};

use super::CodecError;

/// The widths, in bits, of the three signed delta sizes of the delta code (see
/// [`PositionCodec::with_delta_widths`](super::PositionCodec::with_delta_widths)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeltaWidths([u32; 3]);

impl Default for DeltaWidths {
    fn default() -> DeltaWidths {
        DeltaWidths::DEFAULT
    }
}

impl DeltaWidths {
    /// The default: 2, 7 and 9 bits. Measured best (of 19 sets) in total bits on positions
    /// moving at 1 m/s (30 Hz, 1 mm steps) and rotations spinning at 90 degrees a second
    /// (30 Hz, 12-bit components), against references 1 and 4 ticks old and against a
    /// velocity prediction (see the `smooth_motion_bits_per_entity` test).
    pub const DEFAULT: DeltaWidths = DeltaWidths([2, 7, 9]);

    /// Checked widths: increasing, each from 1 to 32.
    pub fn new(widths: [u32; 3]) -> Result<DeltaWidths, CodecError> {
        let [a, b, c] = widths;
        if a == 0 || a >= b || b >= c || c > 32 {
            return Err(CodecError::InvalidDeltaWidths { widths });
        }
        Ok(DeltaWidths(widths))
    }

    /// The three widths.
    pub fn widths(self) -> [u32; 3] {
        self.0
    }

    /// The option (0 unchanged, 1..=3 a delta width, 4 the full value) and its cost in bits.
    fn choose(self, delta: i64, full_bits: u32) -> (u32, u32) {
        if delta == 0 {
            return (0, 1);
        }
        let mut best = (4, 4 + full_bits);
        for (index, &width) in self.0.iter().enumerate() {
            let half = 1i64 << (width - 1);
            let cost = index as u32 + 2 + width;
            if (-half..half).contains(&delta) && cost < best.1 {
                best = (index as u32 + 1, cost);
            }
        }
        best
    }

    /// The bits [`DeltaWidths::write`] takes for one component.
    pub(crate) fn cost(self, value: u32, reference: u32, full_bits: u32) -> u32 {
        if full_bits == 0 {
            return 0;
        }
        self.choose(i64::from(value) - i64::from(reference), full_bits)
            .1
    }

    /// Writes `value` (of `full_bits` bits) as a delta from `reference`.
    pub(crate) fn write(self, value: u32, reference: u32, full_bits: u32, writer: &mut BitWriter) {
        if full_bits == 0 {
            return;
        }
        let delta = i64::from(value) - i64::from(reference);
        let (option, _) = self.choose(delta, full_bits);
        // Prefixes read first bit first: 0, 10, 110, 1110, 1111.
        writer.write_bits((1 << option) - 1, (option + 1).min(4));
        match option {
            0 => {}
            4 => writer.write_bits(u64::from(value), full_bits),
            _ => {
                let width = self.0[option as usize - 1];
                writer.write_bits(delta as u64 & (u64::MAX >> (64 - width)), width);
            }
        }
    }

    /// Reads a component written by [`DeltaWidths::write`] and checks it is at most `maximum`.
    pub(crate) fn read(
        self,
        reference: u32,
        full_bits: u32,
        maximum: u32,
        reader: &mut BitReader<'_>,
    ) -> Result<u32, BitError> {
        if full_bits == 0 {
            return Ok(0);
        }
        let mut option = 0;
        while option < 4 && reader.read_bool()? {
            option += 1;
        }
        let delta = match option {
            0 => return Ok(reference),
            4 => return Ok(reader.read_bits_max(full_bits, u64::from(maximum))? as u32),
            _ => {
                let width = self.0[option - 1];
                let raw = reader.read_bits(width)?;
                // Sign-extend from `width` bits.
                ((raw << (64 - width)) as i64) >> (64 - width)
            }
        };
        let value = i64::from(reference) + delta;
        if !(0..=i64::from(maximum)).contains(&value) {
            return Err(BitError::DeltaOutOfRange {
                reference: u64::from(reference),
                delta,
                maximum: u64::from(maximum),
            });
        }
        Ok(value as u32)
    }
}

/// Per-value modes before the component deltas.
pub(crate) const MODE_UNCHANGED: (u64, u32) = (0b0, 1);
/// `10`, first bit first.
pub(crate) const MODE_DELTA: (u64, u32) = (0b01, 2);
/// `11`.
pub(crate) const MODE_FULL: (u64, u32) = (0b11, 2);

/// The mode read: 0 unchanged, 1 deltas, 2 full.
pub(crate) fn read_mode(reader: &mut BitReader<'_>) -> Result<u32, BitError> {
    if !reader.read_bool()? {
        return Ok(0);
    }
    Ok(1 + u32::from(reader.read_bool()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    #[test]
    fn widths_are_validated() {
        assert!(DeltaWidths::new([3, 7, 10]).is_ok());
        for widths in [[0, 7, 10], [7, 7, 10], [3, 11, 10], [3, 7, 33]] {
            assert_eq!(
                DeltaWidths::new(widths),
                Err(CodecError::InvalidDeltaWidths { widths })
            );
        }
    }

    #[test]
    fn components_round_trip_with_the_stated_cost() {
        let mut rng = SmallRng::seed_from_u64(10);
        for _ in 0..5000 {
            let widths = DeltaWidths::new([
                rng.random_range(1..=4),
                rng.random_range(5..=9),
                rng.random_range(10..=32),
            ])
            .unwrap();
            let full_bits = rng.random_range(0..=32u32);
            let maximum = if full_bits == 0 {
                0
            } else {
                (u64::MAX >> (64 - full_bits)) as u32
            };
            let reference = rng.random_range(0..=maximum);
            let value = if rng.random_bool(0.5) {
                rng.random_range(0..=maximum)
            } else {
                let near = i64::from(reference) + rng.random_range(-300..=300);
                near.clamp(0, i64::from(maximum)) as u32
            };
            let mut writer = BitWriter::new();
            widths.write(value, reference, full_bits, &mut writer);
            assert_eq!(
                writer.bit_len(),
                u64::from(widths.cost(value, reference, full_bits))
            );
            assert!(writer.bit_len() <= u64::from(4 + full_bits));
            let bytes = writer.into_bytes();
            let mut reader = BitReader::new(&bytes);
            assert_eq!(
                widths.read(reference, full_bits, maximum, &mut reader),
                Ok(value)
            );
            reader.finish().unwrap();
        }
    }

    #[test]
    fn deltas_leaving_the_range_are_errors() {
        let widths = DeltaWidths::DEFAULT;
        let mut writer = BitWriter::new();
        widths.write(10, 0, 8, &mut writer);
        let bytes = writer.into_bytes();
        // The same bits against a reference near the top of a smaller range.
        assert_eq!(
            widths.read(250, 8, 255, &mut BitReader::new(&bytes)),
            Err(BitError::DeltaOutOfRange {
                reference: 250,
                delta: 10,
                maximum: 255
            })
        );
        // Full values above the maximum.
        let mut writer = BitWriter::new();
        widths.write(255, 0, 8, &mut writer);
        let bytes = writer.into_bytes();
        assert_eq!(
            widths.read(0, 8, 200, &mut BitReader::new(&bytes)),
            Err(BitError::ValueOutOfRange {
                value: 255,
                maximum: 200
            })
        );
    }
}
