//! `decode_mesh_level` on any stored bytes. The input is `raw_len` (u32 LE), `triangles`
//! (u32 LE), then the stored bytes; the harness computes their CRC-32 and length for the
//! level entry, so mutations reach the LZ4 decoder and the level layout instead of stopping
//! at the checksum. A decoded mesh is valid, has the promised triangles, and re-encodes to a
//! level that decodes to the same mesh.
#![no_main]

use layerw_engine::stream::{
    MeshLevel, StoredLevel, decode_mesh_level, encode_mesh_level, mesh_level_raw_len,
};
use libfuzzer_sys::fuzz_target;

fn level(raw_len: u32, triangles: u32, stored: &[u8]) -> MeshLevel {
    MeshLevel {
        stored: StoredLevel {
            offset: 0,
            stored_len: stored.len() as u32,
            raw_len,
            crc32: crc32fast::hash(stored),
        },
        error: 0.0,
        triangles,
    }
}

fuzz_target!(|data: &[u8]| {
    // Longer inputs add nothing a short one cannot reach, and keep the corpus small.
    if data.len() < 8 || data.len() > 2048 {
        return;
    }
    let word = |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let (raw_len, triangles, stored) = (word(0), word(4), &data[8..]);
    let Ok(mesh) = decode_mesh_level(&level(raw_len, triangles, stored), stored) else {
        return;
    };
    mesh.validate().expect("a decoded mesh is valid");
    assert_eq!(mesh.triangle_count() as u64, u64::from(triangles));
    assert_eq!(mesh_level_raw_len(&mesh), u64::from(raw_len));
    let again = encode_mesh_level(&mesh);
    let decoded = decode_mesh_level(&level(raw_len, triangles, &again), &again)
        .expect("a decoded mesh re-encodes");
    assert_eq!(decoded, mesh);
});
