//! `ClientMessage::decode` on any bytes, with the default limits: an error or a message, never
//! a panic; a decoded message re-encodes to bytes that decode to the same message.
#![no_main]

use layerw_net::limits::Limits;
use layerw_net::message::ClientMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let Ok(message) = ClientMessage::decode(data, &limits) else {
        return;
    };
    // Compared as bytes: a Ping's NaN time is not equal to itself.
    let mut once = Vec::new();
    message.encode(&mut once);
    let again = ClientMessage::decode(&once, &limits).expect("a re-encoded message decodes");
    let mut twice = Vec::new();
    again.encode(&mut twice);
    assert_eq!(once, twice);
});
