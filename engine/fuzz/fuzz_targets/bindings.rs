//! `ActionMap::load_json` (a player's bindings file) on any text: a typed error that leaves the
//! map as it was, or bindings that save and load back to the same map.
#![no_main]

use layerw_engine::platform::{Action, ActionMap, Binding, KeyCode};
use libfuzzer_sys::fuzz_target;

#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Play {
    Move,
    Jump,
    Fire,
}

fn defaults() -> ActionMap<Play> {
    ActionMap::new()
        .with(Play::Move, Binding::WASD)
        .with(Play::Jump, Binding::Key(KeyCode::Space))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut map = defaults();
    match map.load_json(text) {
        Err(_) => assert_eq!(map.to_json(), defaults().to_json(), "a failed load changed the map"),
        Ok(()) => {
            let saved = map.to_json();
            let mut again = defaults();
            again.load_json(&saved).expect("saved bindings load");
            assert_eq!(again.to_json(), saved);
        }
    }
});
