//! The client's snapshot path from the wire: `ServerMessage::decode`, then for a `Snapshot` the
//! payload as the client reads it (net/src/client.rs, `receive_snapshot`): a flag and a varint
//! (the controlled entity's id), then `decode_view` on the same bit reader against the fixed
//! baseline (when the message names one) or no baseline, then every value dequantized as the
//! client applies them. Never a panic.
#![no_main]

use std::sync::LazyLock;

use layerw_net::bits::BitReader;
use layerw_net::limits::Limits;
use layerw_net::message::ServerMessage;
use layerw_net::replication::{NetId, View, decode_view};
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
    let mut reader = BitReader::new(&payload);
    let mut view = View::new(3);
    let decoded = (|| -> Result<Option<NetId>, String> {
        let controlled = if reader.read_bool().map_err(|e| e.to_string())? {
            Some(NetId(
                reader
                    .read_varint_u32(u32::MAX)
                    .map_err(|e| e.to_string())?,
            ))
        } else {
            None
        };
        decode_view(base, &mut reader, &codecs, &mut view).map_err(|e| e.to_string())?;
        Ok(controlled)
    })();
    if let Ok(controlled) = decoded {
        CODECS.dequantize_all(&view);
        // The client looks its controlled entity up in the view.
        let _ = controlled.and_then(|id| view.find(id));
    }
});
