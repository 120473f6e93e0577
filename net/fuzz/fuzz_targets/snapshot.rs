//! The client's snapshot path from the wire: `ServerMessage::decode`, then for a `Snapshot` its
//! payload through `decode_snapshot` (the function the client's `receive_snapshot` calls: the
//! controlled entity's id, then the view) against the fixed baseline (when the message names
//! one) or no baseline, then every value dequantized as the client applies them. Never a panic.
#![no_main]

use std::sync::LazyLock;

use layerw_net::limits::Limits;
use layerw_net::message::ServerMessage;
use layerw_net::replication::{View, decode_snapshot};
use layerw_net_fuzz::{Codecs, baseline};
use libfuzzer_sys::fuzz_target;

static CODECS: LazyLock<Codecs> = LazyLock::new(Codecs::new);
static BASELINE: LazyLock<View> = LazyLock::new(|| baseline(&CODECS));
static LIMITS: LazyLock<Limits> = LazyLock::new(Limits::default);

fuzz_target!(|data: &[u8]| {
    let Ok(ServerMessage::Snapshot {
        baseline, payload, ..
    }) = ServerMessage::decode(data, &LIMITS)
    else {
        return;
    };
    let empty = View::new(3);
    let base = if baseline.is_some() {
        &*BASELINE
    } else {
        &empty
    };
    let codecs = CODECS.list();
    let mut view = View::new(3);
    let decoded = decode_snapshot(base, &payload, &codecs, &mut view);
    if let Ok(controlled) = decoded {
        CODECS.dequantize_all(&view);
        // The client looks its controlled entity up in the view.
        let _ = controlled.and_then(|id| view.find(id));
    }
});
