//! `load_gltf_bytes` (a glTF JSON or GLB file, buffers in the GLB chunk or data URIs) on any
//! bytes: a typed error or a mesh that passes validation, never a panic, an overflow or an
//! allocation the input cannot justify (libFuzzer's 2 GB limit in scripts/fuzz.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mesh) = layerw_cook::load_gltf_bytes(data) {
        mesh.validate().expect("a loaded mesh is valid");
    }
});
