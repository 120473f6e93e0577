//! Journals, bindings files and assets are read whole, so their size is checked before a
//! buffer is allocated: against a cap for their kind and against what walloc's tier can give
//! now (the facade installs walloc as the global allocator). Before the check, the same files ended in
//! an attempt to reserve the whole file and an I/O error that named no size. Sparse files:
//! nothing is written or read.

use std::path::PathBuf;

use layerw::engine::asset::{AssetError, AssetPlugin, AssetServer, LoadState};
use layerw::engine::lod::{LoadedChain, LodAssets};
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

    // An asset under its loader's cap (256 MiB) but past what memory holds: with a 128 MiB
    // ceiling, refused from its size. Before the check, the reader's buffer for it failed in
    // the global allocator, which aborts the process. (Last in this one test: the ceiling is
    // the whole process's.)
    walloc::global()
        .set_config(walloc::Config::DEFAULT.with_ceiling(128 << 20))
        .unwrap();
    let chain = sparse("big.lwlod", 200 << 20);
    let mut app = App::new();
    app.add_plugin(AssetPlugin::default());
    let handle = {
        let world = app.world();
        let mut server = world.resource_mut::<AssetServer>();
        server.load::<LoadedChain>(
            &mut world.resource_mut::<LodAssets>(),
            &chain.to_string_lossy(),
        )
    };
    for _ in 0..10_000 {
        app.update(1.0 / 60.0);
        if app.world().resource::<AssetServer>().progress().is_done() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    match app.world().resource::<LodAssets>().load_state(handle) {
        LoadState::Failed(AssetError::TooLarge { bytes, maximum, .. }) => {
            assert_eq!(bytes, 200 << 20);
            assert!(maximum < 128 << 20, "{maximum}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    std::fs::remove_file(&chain).unwrap();
}
