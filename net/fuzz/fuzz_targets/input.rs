//! `decode_input` (a client's input of one tick) on any bytes, for a three-action enum: an
//! error or a state, never a panic; values are finite, the "just" flags follow from the
//! previous state, and a decoded state re-encodes to bytes that decode to the same state.
#![no_main]

use layerw_engine::platform::ActionState;
use layerw_net::input::{decode_input, encode_input};
use layerw_net_fuzz::Pad;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let idle = ActionState::<Pad>::default();
    let Ok(state) = decode_input(data, &idle) else {
        return;
    };
    for &action in <Pad as layerw_engine::platform::Action>::ALL {
        let v = state.get(action);
        assert!(v.value.is_finite(), "{action:?}: {:?}", v.value);
        assert_eq!(v.just_pressed, v.pressed);
        assert!(!v.just_released);
    }
    // The same bytes after that state: nothing just pressed or released.
    let held = decode_input(data, &state).expect("decoded once, decodes again");
    for &action in <Pad as layerw_engine::platform::Action>::ALL {
        let v = held.get(action);
        assert!(!v.just_pressed && !v.just_released, "{action:?}: {v:?}");
    }
    let mut bytes = Vec::new();
    encode_input(&state, &mut bytes);
    let again = decode_input(&bytes, &idle).expect("a re-encoded input decodes");
    assert_eq!(again, state);
});
