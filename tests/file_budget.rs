//! Journals and bindings files are read whole, so their size is checked before a buffer is
//! allocated: against a cap for their kind and against what walloc's tier can give now (the
//! facade installs walloc as the global allocator). Before the check, the same files ended in
//! an attempt to reserve the whole file and an I/O error that named no size. Sparse files:
//! nothing is written or read.

use std::path::PathBuf;

use layerw::engine::platform::{BindingsError, JournalError, MAX_BINDINGS_BYTES};
use layerw::prelude::*;

#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Play {
    Jump,
}

fn sparse(name: &str, bytes: u64) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("layerw-file-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .set_len(bytes)
        .unwrap();
    path
}

#[test]
fn oversized_journals_and_bindings_are_refused_before_reading() {
    assert!(walloc::is_global_allocator());
    let headroom = walloc::available_here().expect("walloc is the global allocator");
    // Under the journal cap (1 GiB) but past what the General tier can give (about 205 MiB by
    // default).
    let journal = sparse("big.jsonl", (600 << 20).max(headroom + (64 << 20)));
    match Journal::load(&journal) {
        Err(JournalError::TooLarge { bytes, limit, .. }) => {
            assert!(
                limit <= headroom && bytes > limit,
                "{bytes} {limit} {headroom}"
            );
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    std::fs::remove_file(&journal).unwrap();

    let bindings = sparse("big.json", MAX_BINDINGS_BYTES + 1);
    let mut map = ActionMap::new().with(Play::Jump, Binding::Key(KeyCode::Space));
    let before = map.to_json();
    match map.load(&bindings) {
        Err(BindingsError::TooLarge { bytes, limit, .. }) => {
            assert_eq!((bytes, limit), (MAX_BINDINGS_BYTES + 1, MAX_BINDINGS_BYTES));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(map.to_json(), before, "nothing changed");
    std::fs::remove_file(&bindings).unwrap();
}
