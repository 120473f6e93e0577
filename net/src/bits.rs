//! Bit packing: [`BitWriter`] and [`BitReader`].
//!
//! Bits are packed least significant first: the first bit written is bit 0 of byte 0, and a
//! value of `n` bits occupies the next `n` bit positions, its low bit first. The last byte is
//! padded with zero bits, which [`BitReader::finish`] checks.
//!
//! Variable-length integers ([`BitWriter::write_varint_u64`]) are LEB128 groups written into the
//! bit stream: 7 value bits, low group first, then a continuation bit, 8 bits per group (they
//! need not be byte aligned). A `u32` takes 1 to 5 groups, a `u64` 1 to 10; the shortest form is
//! the only one accepted.
//!
//! Every read is bounds-checked and returns a typed [`BitError`]; nothing here panics on
//! malformed input. The bit counts passed to `write_bits` / `read_bits` are the caller's code,
//! not input: more than 64 is a bug and panics.

use std::fmt;

/// Why reading bits failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BitError {
    /// The input ended before a read of `needed_bits`.
    UnexpectedEnd {
        /// Bits the read needed.
        needed_bits: u32,
        /// Bits that were left.
        remaining_bits: u64,
    },
    /// A varint carried more bits than its type (`maximum_bits`) holds.
    VarintTooLong {
        /// The width of the type read: 32 or 64.
        maximum_bits: u32,
    },
    /// A varint was not in its shortest form (a final group of zero after another group).
    VarintOverlong,
    /// A value read is above the largest the format allows.
    ValueOutOfRange {
        /// The value read.
        value: u64,
        /// The largest allowed.
        maximum: u64,
    },
    /// A delta moved a value out of its range.
    DeltaOutOfRange {
        /// The reference the delta applies to.
        reference: u64,
        /// The delta read.
        delta: i64,
        /// The largest value allowed.
        maximum: u64,
    },
    /// Data was left after the end of the message (more than the last byte's padding).
    TrailingBits {
        /// Bits left unread.
        remaining_bits: u64,
    },
    /// The padding bits of the last byte were not zero.
    NonZeroPadding {
        /// The padding bits, as read.
        padding: u8,
    },
}

impl fmt::Display for BitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            BitError::UnexpectedEnd {
                needed_bits,
                remaining_bits,
            } => write!(
                f,
                "unexpected end of input: needed {needed_bits} bits, {remaining_bits} left"
            ),
            BitError::VarintTooLong { maximum_bits } => {
                write!(f, "varint longer than {maximum_bits} bits")
            }
            BitError::VarintOverlong => write!(f, "varint not in its shortest form"),
            BitError::ValueOutOfRange { value, maximum } => {
                write!(f, "value {value} above the maximum {maximum}")
            }
            BitError::DeltaOutOfRange {
                reference,
                delta,
                maximum,
            } => write!(
                f,
                "delta {delta} from {reference} leaves the range 0..={maximum}"
            ),
            BitError::TrailingBits { remaining_bits } => {
                write!(f, "{remaining_bits} bits left after the end of the message")
            }
            BitError::NonZeroPadding { padding } => {
                write!(f, "padding bits not zero: {padding:#b}")
            }
        }
    }
}

impl std::error::Error for BitError {}

/// The mask of the low `bits` bits (`bits` <= 64).
#[inline]
fn mask(bits: u32) -> u64 {
    u64::MAX.checked_shr(64 - bits).unwrap_or(0)
}

/// The number of bits needed to hold every value in `0..=maximum` (0 for 0).
#[inline]
pub fn bits_needed(maximum: u64) -> u32 {
    64 - maximum.leading_zeros()
}

/// The size in bits of `value` as a varint (see the [module docs](self)).
#[inline]
pub fn varint_bits(value: u64) -> u32 {
    8 * bits_needed(value).div_ceil(7).max(1)
}

/// Packs values of any width from 0 to 64 bits into bytes.
///
/// Writes go through a 64-bit scratch word that is appended to the buffer when full. Reuse one
/// writer per client with [`BitWriter::clear`], which keeps the buffer's capacity.
#[derive(Clone, Debug, Default)]
pub struct BitWriter {
    bytes: Vec<u8>,
    /// Bits not yet in `bytes`, low bits first; only the low `scratch_bits` are set.
    scratch: u64,
    /// Always below 64.
    scratch_bits: u32,
}

impl BitWriter {
    /// An empty writer.
    pub fn new() -> BitWriter {
        BitWriter::default()
    }

    /// An empty writer whose buffer holds `bytes` bytes before it reallocates.
    pub fn with_capacity(bytes: usize) -> BitWriter {
        BitWriter {
            bytes: Vec::with_capacity(bytes),
            ..BitWriter::default()
        }
    }

    /// Empties the writer, keeping its buffer's capacity.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.scratch = 0;
        self.scratch_bits = 0;
    }

    /// The number of bits written (padding added by [`BitWriter::finish`] included).
    pub fn bit_len(&self) -> u64 {
        self.bytes.len() as u64 * 8 + u64::from(self.scratch_bits)
    }

    /// The number of bytes the message takes once finished.
    pub fn byte_len(&self) -> usize {
        self.bytes.len() + self.scratch_bits.div_ceil(8) as usize
    }

    /// Writes the low `bits` bits of `value`. Higher bits of `value` must be zero (checked in
    /// debug builds; they are ignored otherwise).
    ///
    /// # Panics
    ///
    /// If `bits` is above 64.
    #[inline]
    pub fn write_bits(&mut self, value: u64, bits: u32) {
        assert!(bits <= 64, "write_bits: {bits} bits, at most 64");
        debug_assert!(
            value & !mask(bits) == 0,
            "write_bits: {value:#x} does not fit in {bits} bits"
        );
        let value = value & mask(bits);
        let free = 64 - self.scratch_bits;
        self.scratch |= value << self.scratch_bits;
        if bits < free {
            self.scratch_bits += bits;
        } else {
            self.bytes.extend_from_slice(&self.scratch.to_le_bytes());
            // `free` bits of `value` went into the word just flushed.
            self.scratch = value.checked_shr(free).unwrap_or(0);
            self.scratch_bits = bits - free;
        }
    }

    /// Writes one bit.
    #[inline]
    pub fn write_bool(&mut self, value: bool) {
        self.write_bits(u64::from(value), 1);
    }

    /// Writes `value` as a varint (see the [module docs](self)).
    pub fn write_varint_u64(&mut self, mut value: u64) {
        loop {
            let group = value & 0x7f;
            value >>= 7;
            if value == 0 {
                self.write_bits(group, 8);
                return;
            }
            self.write_bits(group | 0x80, 8);
        }
    }

    /// Writes `value` as a varint (the same encoding as [`BitWriter::write_varint_u64`]).
    pub fn write_varint_u32(&mut self, value: u32) {
        self.write_varint_u64(u64::from(value));
    }

    /// Pads with zero bits to a byte boundary and returns the whole message so far. Writing may
    /// go on after it (after the padding).
    pub fn finish(&mut self) -> &[u8] {
        let pending = self.scratch_bits.div_ceil(8) as usize;
        self.bytes
            .extend_from_slice(&self.scratch.to_le_bytes()[..pending]);
        self.scratch = 0;
        self.scratch_bits = 0;
        &self.bytes
    }

    /// The message, padded with zero bits to whole bytes.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.finish();
        self.bytes
    }
}

/// Reads values packed by a [`BitWriter`] from a byte slice; every read is bounds-checked.
#[derive(Clone, Debug)]
pub struct BitReader<'a> {
    data: &'a [u8],
    /// The next bit to read, counted from the first bit of `data`.
    position: u64,
}

impl<'a> BitReader<'a> {
    /// A reader at the first bit of `data`.
    pub fn new(data: &'a [u8]) -> BitReader<'a> {
        BitReader { data, position: 0 }
    }

    /// The number of bits read so far.
    pub fn bit_position(&self) -> u64 {
        self.position
    }

    /// The number of bits left, the last byte's padding included.
    pub fn remaining_bits(&self) -> u64 {
        self.data.len() as u64 * 8 - self.position
    }

    /// True when at most the last byte's padding (fewer than 8 bits) is left.
    pub fn is_exhausted(&self) -> bool {
        self.remaining_bits() < 8
    }

    /// Reads `bits` bits (0 to 64).
    ///
    /// # Panics
    ///
    /// If `bits` is above 64 (a bug in the caller, not bad input).
    #[inline]
    pub fn read_bits(&mut self, bits: u32) -> Result<u64, BitError> {
        assert!(bits <= 64, "read_bits: {bits} bits, at most 64");
        let remaining_bits = self.remaining_bits();
        if u64::from(bits) > remaining_bits {
            return Err(BitError::UnexpectedEnd {
                needed_bits: bits,
                remaining_bits,
            });
        }
        if bits == 0 {
            return Ok(0);
        }
        let tail = &self.data[(self.position / 8) as usize..];
        let shift = (self.position % 8) as u32;
        let mut word = [0u8; 8];
        let available = tail.len().min(8);
        word[..available].copy_from_slice(&tail[..available]);
        let mut value = u64::from_le_bytes(word) >> shift;
        if shift + bits > 64 {
            // The bounds check above guarantees a ninth byte.
            value |= u64::from(tail.get(8).copied().unwrap_or(0)) << (64 - shift);
        }
        self.position += u64::from(bits);
        Ok(value & mask(bits))
    }

    /// Reads `bits` bits and checks the value is at most `maximum`.
    pub fn read_bits_max(&mut self, bits: u32, maximum: u64) -> Result<u64, BitError> {
        let value = self.read_bits(bits)?;
        if value > maximum {
            return Err(BitError::ValueOutOfRange { value, maximum });
        }
        Ok(value)
    }

    /// Reads one bit.
    #[inline]
    pub fn read_bool(&mut self) -> Result<bool, BitError> {
        Ok(self.read_bits(1)? == 1)
    }

    /// Reads a varint of at most `maximum_bits` bits.
    fn read_varint(&mut self, maximum_bits: u32) -> Result<u64, BitError> {
        let mut value = 0u64;
        let mut shift = 0u32;
        loop {
            let group = self.read_bits(8)?;
            let data = group & 0x7f;
            if shift >= maximum_bits || data >> (maximum_bits - shift).min(7) != 0 {
                return Err(BitError::VarintTooLong { maximum_bits });
            }
            value |= data << shift;
            if group & 0x80 == 0 {
                if data == 0 && shift > 0 {
                    return Err(BitError::VarintOverlong);
                }
                return Ok(value);
            }
            shift += 7;
        }
    }

    /// Reads a varint written by [`BitWriter::write_varint_u64`] and checks it is at most
    /// `maximum` (the decoder's limit: a length, a count).
    pub fn read_varint_u64(&mut self, maximum: u64) -> Result<u64, BitError> {
        let value = self.read_varint(64)?;
        if value > maximum {
            return Err(BitError::ValueOutOfRange { value, maximum });
        }
        Ok(value)
    }

    /// Reads a varint written by [`BitWriter::write_varint_u32`] and checks it is at most
    /// `maximum`.
    pub fn read_varint_u32(&mut self, maximum: u32) -> Result<u32, BitError> {
        let value = self.read_varint(32)?;
        if value > u64::from(maximum) {
            return Err(BitError::ValueOutOfRange {
                value,
                maximum: u64::from(maximum),
            });
        }
        Ok(value as u32)
    }

    /// Checks the whole input was read: at most the last byte's padding is left, and it is
    /// zero.
    pub fn finish(mut self) -> Result<(), BitError> {
        let remaining_bits = self.remaining_bits();
        if remaining_bits >= 8 {
            return Err(BitError::TrailingBits { remaining_bits });
        }
        let padding = self.read_bits(remaining_bits as u32)? as u8;
        if padding != 0 {
            return Err(BitError::NonZeroPadding { padding });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    #[test]
    fn random_widths_round_trip() {
        let mut rng = SmallRng::seed_from_u64(1);
        let mut writer = BitWriter::new();
        for _round in 0..200 {
            writer.clear();
            let count = rng.random_range(0..300);
            let fields: Vec<(u64, u32)> = (0..count)
                .map(|_| {
                    let bits = rng.random_range(0..=64u32);
                    (rng.random::<u64>() & mask(bits), bits)
                })
                .collect();
            for &(value, bits) in &fields {
                writer.write_bits(value, bits);
            }
            let total: u64 = fields.iter().map(|&(_, bits)| u64::from(bits)).sum();
            assert_eq!(writer.bit_len(), total);
            assert_eq!(writer.byte_len() as u64, total.div_ceil(8));
            let bytes = writer.finish();
            assert_eq!(bytes.len() as u64, total.div_ceil(8));
            let mut reader = BitReader::new(bytes);
            for &(value, bits) in &fields {
                assert_eq!(reader.read_bits(bits), Ok(value), "{bits} bits");
            }
            assert!(reader.is_exhausted());
            reader.finish().unwrap();
        }
    }

    #[test]
    fn bit_order_is_least_significant_first() {
        let mut writer = BitWriter::new();
        writer.write_bool(true);
        writer.write_bits(0b101, 3);
        writer.write_bits(0xabc, 12);
        assert_eq!(writer.into_bytes(), vec![0b1100_1011, 0xab]);
    }

    #[test]
    fn varints_round_trip_and_have_the_stated_size() {
        let mut rng = SmallRng::seed_from_u64(2);
        let mut values: Vec<u64> = vec![0, 1, 127, 128, 16383, 16384, u64::MAX, u32::MAX.into()];
        values.extend((0..2000).map(|_| rng.random::<u64>() >> rng.random_range(0..64)));
        let mut writer = BitWriter::new();
        writer.write_bool(true); // unaligned on purpose
        for &value in &values {
            let before = writer.bit_len();
            writer.write_varint_u64(value);
            assert_eq!(writer.bit_len() - before, u64::from(varint_bits(value)));
        }
        let bytes = writer.into_bytes();
        let mut reader = BitReader::new(&bytes);
        assert_eq!(reader.read_bool(), Ok(true));
        for &value in &values {
            assert_eq!(reader.read_varint_u64(u64::MAX), Ok(value));
        }
        reader.finish().unwrap();
    }

    #[test]
    fn varint_limits_are_enforced() {
        let mut writer = BitWriter::new();
        writer.write_varint_u64(1000);
        let bytes = writer.into_bytes();
        assert_eq!(
            BitReader::new(&bytes).read_varint_u64(999),
            Err(BitError::ValueOutOfRange {
                value: 1000,
                maximum: 999
            })
        );
        assert_eq!(BitReader::new(&bytes).read_varint_u32(1000), Ok(1000));

        // A u64 does not fit a u32 varint.
        let mut writer = BitWriter::new();
        writer.write_varint_u64(1 << 32);
        let bytes = writer.into_bytes();
        assert_eq!(
            BitReader::new(&bytes).read_varint_u32(u32::MAX),
            Err(BitError::VarintTooLong { maximum_bits: 32 })
        );
        // Eleven continuation groups.
        let bytes = [0xffu8; 11];
        assert_eq!(
            BitReader::new(&bytes).read_varint_u64(u64::MAX),
            Err(BitError::VarintTooLong { maximum_bits: 64 })
        );
        // Ten groups whose last carries more than the 64th bit.
        let mut bytes = [0xffu8; 10];
        bytes[9] = 0x02;
        assert_eq!(
            BitReader::new(&bytes).read_varint_u64(u64::MAX),
            Err(BitError::VarintTooLong { maximum_bits: 64 })
        );
        // Zero in two groups.
        assert_eq!(
            BitReader::new(&[0x80, 0x00]).read_varint_u64(u64::MAX),
            Err(BitError::VarintOverlong)
        );
        // Truncated.
        assert_eq!(
            BitReader::new(&[0x80]).read_varint_u32(u32::MAX),
            Err(BitError::UnexpectedEnd {
                needed_bits: 8,
                remaining_bits: 0
            })
        );
    }

    #[test]
    fn truncated_input_reports_what_was_needed() {
        let mut reader = BitReader::new(&[0xff, 0xff]);
        assert_eq!(reader.read_bits(13), Ok(0x1fff));
        assert_eq!(
            reader.read_bits(4),
            Err(BitError::UnexpectedEnd {
                needed_bits: 4,
                remaining_bits: 3
            })
        );
        // A failed read consumes nothing.
        assert_eq!(reader.remaining_bits(), 3);
        assert_eq!(reader.read_bits(3), Ok(7));
        assert_eq!(
            BitReader::new(&[]).read_bool(),
            Err(BitError::UnexpectedEnd {
                needed_bits: 1,
                remaining_bits: 0
            })
        );
        // Every prefix of a random message fails cleanly somewhere, never panics.
        let mut rng = SmallRng::seed_from_u64(3);
        let mut writer = BitWriter::new();
        let widths: Vec<u32> = (0..40).map(|_| rng.random_range(1..=64)).collect();
        for &bits in &widths {
            writer.write_bits(rng.random::<u64>() & mask(bits), bits);
        }
        let bytes = writer.into_bytes();
        for cut in 0..bytes.len() {
            let mut reader = BitReader::new(&bytes[..cut]);
            let failed = widths.iter().any(|&bits| reader.read_bits(bits).is_err());
            assert!(failed, "a prefix of {cut} bytes read completely");
        }
    }

    #[test]
    fn finish_rejects_trailing_data_and_dirty_padding() {
        let mut reader = BitReader::new(&[0x01, 0x00]);
        assert_eq!(
            reader.clone().finish(),
            Err(BitError::TrailingBits { remaining_bits: 16 })
        );
        assert_eq!(reader.read_bits(9), Ok(1));
        reader.finish().unwrap();
        let mut reader = BitReader::new(&[0b1000_0001]);
        assert_eq!(reader.read_bool(), Ok(true));
        assert_eq!(
            reader.finish(),
            Err(BitError::NonZeroPadding {
                padding: 0b100_0000
            })
        );
    }

    #[test]
    fn read_bits_max_rejects_values_above_the_maximum() {
        let mut reader = BitReader::new(&[0x0f]);
        assert_eq!(
            reader.read_bits_max(4, 14),
            Err(BitError::ValueOutOfRange {
                value: 15,
                maximum: 14
            })
        );
    }

    #[test]
    fn clear_keeps_capacity_and_finish_can_continue() {
        let mut writer = BitWriter::with_capacity(64);
        let capacity = writer.bytes.capacity();
        for _ in 0..100 {
            writer.write_bits(0x1234_5678_9abc, 48);
        }
        writer.clear();
        assert_eq!(writer.bit_len(), 0);
        assert!(writer.bytes.capacity() >= capacity.max(600));
        writer.write_bits(0b11, 2);
        assert_eq!(writer.finish(), &[0b11]);
        writer.write_bits(0b1, 1);
        assert_eq!(writer.bit_len(), 9);
        assert_eq!(writer.into_bytes(), vec![0b11, 0b1]);
        assert_eq!(bits_needed(0), 0);
        assert_eq!(bits_needed(1), 1);
        assert_eq!(bits_needed(255), 8);
        assert_eq!(bits_needed(256), 9);
    }
}
