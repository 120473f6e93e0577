//! `ServerMessage::decode` on any bytes, with the default limits: an error or a message, never
//! a panic; a decoded message re-encodes to bytes that decode to the same message.
#![no_main]

use layerw_net::limits::Limits;
use layerw_net::message::ServerMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let Ok(message) = ServerMessage::decode(data, &limits) else {
        return;
    };
    // The client logs and shows a disconnection's reason.
    if let ServerMessage::Reject { reason } | ServerMessage::Disconnect { reason } = &message {
        assert!(!reason.to_string().is_empty());
    }
    // Compared as bytes: a Pong's NaN time is not equal to itself.
    let mut once = Vec::new();
    message.encode(&mut once);
    let again = ServerMessage::decode(&once, &limits).expect("a re-encoded message decodes");
    let mut twice = Vec::new();
    again.encode(&mut twice);
    assert_eq!(once, twice);
});
