//! `decode_texture_level` on any stored bytes. The input is the mip's width and height (u16 LE
//! each; `raw_len` is `width * height * 4`), then the stored bytes; the harness computes their
//! CRC-32 and length, so mutations reach the LZ4 decoder. A decoded image has its size's
//! pixels and re-encodes to a level that decodes to the same image.
#![no_main]

use layerw_engine::stream::{
    StoredLevel, TextureLevel, decode_texture_level, encode_texture_level,
};
use libfuzzer_sys::fuzz_target;

fn level(width: u32, height: u32, stored: &[u8]) -> TextureLevel {
    TextureLevel {
        stored: StoredLevel {
            offset: 0,
            stored_len: stored.len() as u32,
            // Up to 65535^2 x 4: past u32, which the decoder must refuse, not wrap.
            raw_len: u32::try_from(u64::from(width) * u64::from(height) * 4).unwrap_or(u32::MAX),
            crc32: crc32fast::hash(stored),
        },
        width,
        height,
    }
}

fuzz_target!(|data: &[u8]| {
    // Longer inputs add nothing a short one cannot reach, and keep the corpus small.
    if data.len() < 4 || data.len() > 1024 {
        return;
    }
    let width = u32::from(u16::from_le_bytes([data[0], data[1]]));
    let height = u32::from(u16::from_le_bytes([data[2], data[3]]));
    let stored = &data[4..];
    let Ok(image) = decode_texture_level(&level(width, height, stored), stored) else {
        return;
    };
    assert_eq!(
        image.pixels.len() as u64,
        u64::from(width) * u64::from(height) * 4
    );
    let again = encode_texture_level(&image);
    let decoded = decode_texture_level(&level(width, height, &again), &again)
        .expect("a decoded image re-encodes");
    assert_eq!(decoded, image);
});
