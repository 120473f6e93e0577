//! `decode_view` (a snapshot payload) on any bytes against a small fixed baseline, with the
//! engine's position and rotation codecs and an integer codec: an error or a view, never a
//! panic; a decoded view re-encodes and decodes back to itself, and every value in it
//! dequantizes to finite numbers.
#![no_main]

use std::sync::LazyLock;

use layerw_net::replication::View;
use layerw_net_fuzz::{Codecs, baseline, decode_view_checked};
use libfuzzer_sys::fuzz_target;

static CODECS: LazyLock<Codecs> = LazyLock::new(Codecs::new);
static BASELINE: LazyLock<View> = LazyLock::new(|| baseline(&CODECS));

fuzz_target!(|data: &[u8]| {
    let codecs = CODECS.list();
    if let Ok(view) = decode_view_checked(&BASELINE, data, &codecs) {
        CODECS.dequantize_all(&view);
    }
    // The same bytes as a full snapshot (no baseline).
    if let Ok(view) = decode_view_checked(&View::new(3), data, &codecs) {
        CODECS.dequantize_all(&view);
    }
});
