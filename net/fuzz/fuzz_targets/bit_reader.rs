//! `BitReader` on any bytes, driven by a script in the input: byte 0 is the script's length
//! `n`, the next `n` bytes are reads (low 3 bits: the kind; high 5 bits: its width or limit),
//! the rest is the data read. Never a panic; the position only moves forward and stays within
//! the data; a varint read re-encodes to the same value in exactly the bits it took.
#![no_main]

use layerw_net::bits::{BitReader, BitWriter, varint_bits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let (script, bytes) = rest.split_at(usize::from(n).min(rest.len()));
    let total = bytes.len() as u64 * 8;
    let mut reader = BitReader::new(bytes);
    for &op in script {
        let param = u32::from(op >> 3); // 0..=31
        let before = reader.bit_position();
        match op & 7 {
            0 | 1 => {
                let maximum = u32::MAX >> param;
                if let Ok(value) = reader.read_varint_u32(maximum) {
                    assert!(value <= maximum);
                    check_varint(u64::from(value), reader.bit_position() - before);
                }
            }
            2 | 3 => {
                let maximum = u64::MAX >> (2 * param);
                if let Ok(value) = reader.read_varint_u64(maximum) {
                    assert!(value <= maximum);
                    check_varint(value, reader.bit_position() - before);
                }
            }
            4 => {
                let bits = if param == 31 {
                    64
                } else {
                    2 * param + (param & 1)
                };
                if let Ok(value) = reader.read_bits(bits) {
                    assert!(bits == 64 || value >> bits == 0);
                    assert_eq!(reader.bit_position() - before, u64::from(bits));
                }
            }
            5 => {
                let bits = (2 * param).min(64);
                let all = u64::MAX.checked_shr(64 - bits).unwrap_or(0);
                let maximum = all >> (param & 3);
                if let Ok(value) = reader.read_bits_max(bits, maximum) {
                    assert!(value <= maximum);
                }
            }
            6 => {
                let _ = reader.read_bool();
            }
            _ => {
                let _ = reader.clone().finish();
            }
        }
        assert!(reader.bit_position() >= before);
        assert!(reader.bit_position() <= total);
        assert_eq!(reader.remaining_bits(), total - reader.bit_position());
    }
    let _ = reader.finish();
});

/// A varint read as `value` took `bits` bits: only the shortest form is accepted, so writing
/// the value takes the same bits and reads back the same value.
fn check_varint(value: u64, bits: u64) {
    assert_eq!(bits, u64::from(varint_bits(value)), "varint {value}");
    let mut writer = BitWriter::new();
    writer.write_varint_u64(value);
    assert_eq!(writer.bit_len(), bits);
    let bytes = writer.into_bytes();
    assert_eq!(BitReader::new(&bytes).read_varint_u64(u64::MAX), Ok(value));
}
