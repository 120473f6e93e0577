//! `decode_view` against a baseline the input makes: byte 0 is the length `n` of a full
//! snapshot payload that follows; the view it decodes to (against no baseline) is the baseline
//! the rest of the input is decoded against. The fuzzer thus controls both views.
#![no_main]

use std::sync::LazyLock;

use layerw_net::replication::View;
use layerw_net_fuzz::{Codecs, decode_view_checked};
use libfuzzer_sys::fuzz_target;

static CODECS: LazyLock<Codecs> = LazyLock::new(Codecs::new);

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let (first, second) = rest.split_at(usize::from(n).min(rest.len()));
    let codecs = CODECS.list();
    let Ok(baseline) = decode_view_checked(&View::new(3), first, &codecs) else {
        return;
    };
    if let Ok(view) = decode_view_checked(&baseline, second, &codecs) {
        CODECS.dequantize_all(&view);
    }
});
