//! `Journal::from_bytes` (a recorded input journal, read back for replays) on any bytes: a
//! typed error or a journal that re-encodes to bytes decoding to the same journal.
#![no_main]

use layerw_engine::platform::Journal;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(journal) = Journal::from_bytes(data) else {
        return;
    };
    let again = Journal::from_bytes(&journal.to_bytes()).expect("a decoded journal re-encodes");
    assert_eq!(again.to_bytes(), journal.to_bytes());
});
