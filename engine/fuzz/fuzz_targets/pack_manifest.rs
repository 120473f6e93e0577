//! `PackManifest::from_bytes` (a content pack's `manifest.lwpk`, fetched from a file or a web
//! server) on any bytes: a typed error, or a manifest that passes `validate` and re-encodes to
//! exactly the bytes it came from (the encoding is canonical: flags, reserved bytes and every
//! float are checked, so nothing is lost or normalised on the way). An older version's manifest
//! (read with defaults for what it lacks) re-encodes as the current version, to a manifest equal
//! to the one read.
//!
//! Each input is read twice: as it is (the header checks), and "resealed", with the header's
//! body length and both CRCs recomputed, so that mutations of the body reach its parser and
//! `validate` instead of stopping at the checksum.
#![no_main]

use layerw_engine::stream::{PACK_HEADER_LEN, PACK_VERSION, PackManifest};
use libfuzzer_sys::fuzz_target;

fn check(bytes: &[u8]) {
    let Ok(manifest) = PackManifest::from_bytes(bytes) else {
        return;
    };
    manifest.validate().expect("a decoded manifest is valid");
    let encoded = manifest.to_bytes();
    if u16::from_le_bytes([bytes[4], bytes[5]]) == PACK_VERSION {
        assert_eq!(encoded, bytes, "a decoded manifest re-encodes to its bytes");
    } else {
        let again = PackManifest::from_bytes(&encoded).expect("an upgraded manifest decodes");
        assert!(again == manifest, "an upgraded manifest reads back the same");
    }
}

fuzz_target!(|data: &[u8]| {
    // Longer inputs add nothing a short one cannot reach, and keep the corpus small.
    if data.len() > 4096 {
        return;
    }
    check(data);
    if data.len() >= PACK_HEADER_LEN {
        let mut sealed = data.to_vec();
        let body_len = (data.len() - PACK_HEADER_LEN) as u64;
        sealed[8..16].copy_from_slice(&body_len.to_le_bytes());
        let body_crc = crc32fast::hash(&sealed[PACK_HEADER_LEN..]);
        sealed[16..20].copy_from_slice(&body_crc.to_le_bytes());
        let header_crc = crc32fast::hash(&sealed[..28]);
        sealed[28..32].copy_from_slice(&header_crc.to_le_bytes());
        check(&sealed);
    }
});
