//! `TextureImage::decode_png` (documented as safe for untrusted bytes) on any bytes: a typed
//! error or an RGBA image whose pixel count matches its size, never a panic or an allocation
//! past libFuzzer's 2 GB limit.
#![no_main]

use layerw_engine::render::TextureImage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(image) = TextureImage::decode_png(data) {
        assert_eq!(
            image.pixels.len(),
            image.width as usize * image.height as usize * 4
        );
    }
});
