//! `PackManifest::from_bytes` (a content pack's `manifest.lwpk`, fetched from a file or a web
//! server) on any bytes: a typed error, or a manifest that passes `validate` and re-encodes to
//! exactly the bytes it came from (the encoding is canonical: flags, reserved bytes and every
//! float are checked, so nothing is lost or normalised on the way).
#![no_main]

use layerw_engine::stream::PackManifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(manifest) = PackManifest::from_bytes(data) else {
        return;
    };
    manifest.validate().expect("a decoded manifest is valid");
    assert_eq!(manifest.to_bytes(), data, "a decoded manifest re-encodes to its bytes");
});
