//! `LodChain::from_bytes` (a `.lwlod` file, also what the asset server's loaders read) on any
//! bytes: a typed error or a chain whose levels are valid meshes and which re-encodes to bytes
//! that decode to the same chain.
#![no_main]

use layerw_engine::lod::LodChain;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(chain) = LodChain::from_bytes(data) else {
        return;
    };
    let again = LodChain::from_bytes(&chain.to_bytes()).expect("a decoded chain re-encodes");
    assert_eq!(again.to_bytes(), chain.to_bytes());
});
