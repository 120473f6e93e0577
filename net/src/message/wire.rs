//! The primitive fields: a bounds-checked reader and the writers of varints and options.

use super::MessageError;

/// Appends `value` as an LEB128 varint (7 bits a byte, low bits first).
pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a presence byte, then the value when present.
pub(crate) fn put_opt_u32(out: &mut Vec<u8>, value: Option<u32>) {
    match value {
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&v.to_le_bytes());
        }
        None => out.push(0),
    }
}

/// Reads fields off a message, every read checked against the bytes left.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// Fails unless at least `needed` bytes are left.
    pub(crate) fn need(&self, needed: u64) -> Result<(), MessageError> {
        if needed > self.remaining() as u64 {
            return Err(MessageError::Truncated {
                offset: self.at,
                needed,
                remaining: self.remaining(),
            });
        }
        Ok(())
    }

    /// The next `count` bytes.
    pub(crate) fn bytes(&mut self, count: u64) -> Result<&'a [u8], MessageError> {
        self.need(count)?;
        // `need` bounded count by the remaining length, a usize.
        let count = count as usize;
        let out = &self.bytes[self.at..self.at + count];
        self.at += count;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], MessageError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N as u64)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, MessageError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, MessageError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, MessageError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, MessageError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, MessageError> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A byte that must be 0 or 1.
    pub(crate) fn bool(&mut self, field: &'static str) -> Result<bool, MessageError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(MessageError::InvalidValue {
                field,
                value: value.into(),
            }),
        }
    }

    pub(crate) fn opt_u32(&mut self, field: &'static str) -> Result<Option<u32>, MessageError> {
        Ok(if self.bool(field)? {
            Some(self.u32()?)
        } else {
            None
        })
    }

    pub(crate) fn varint(&mut self) -> Result<u64, MessageError> {
        let offset = self.at;
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7F);
            // The tenth byte may only hold the 64th bit.
            if shift == 63 && bits > 1 {
                return Err(MessageError::BadVarint { offset });
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(MessageError::BadVarint { offset })
    }

    /// A varint-length-prefixed UTF-8 text of at most `max` bytes.
    pub(crate) fn text(&mut self, max: usize) -> Result<String, MessageError> {
        let size = self.varint()?;
        if size > max as u64 {
            return Err(MessageError::TextTooLong { size, max });
        }
        let offset = self.at;
        let bytes = self.bytes(size)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(MessageError::InvalidUtf8 { offset }),
        }
    }

    /// Everything left.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let out = &self.bytes[self.at..];
        self.at = self.bytes.len();
        out
    }

    /// Fails if bytes are left over.
    pub(crate) fn finish(self) -> Result<(), MessageError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(MessageError::TrailingBytes { count }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_every_width() {
        for value in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            let mut r = Reader::new(&out);
            assert_eq!(r.varint(), Ok(value));
            assert_eq!(r.finish(), Ok(()));
        }
    }

    #[test]
    fn overlong_varints_are_refused() {
        let eleven = [0xFFu8; 11];
        assert_eq!(
            Reader::new(&eleven).varint(),
            Err(MessageError::BadVarint { offset: 0 })
        );
        // Ten bytes whose last holds more than the 64th bit.
        let mut too_big = [0xFFu8; 10];
        too_big[9] = 0x02;
        assert_eq!(
            Reader::new(&too_big).varint(),
            Err(MessageError::BadVarint { offset: 0 })
        );
        let truncated = [0x80u8];
        assert!(matches!(
            Reader::new(&truncated).varint(),
            Err(MessageError::Truncated { offset: 1, .. })
        ));
    }
}
