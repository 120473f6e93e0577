//! The seed inputs of the engine's fuzz targets (engine/fuzz/corpus/<target>/seed-*) are valid
//! inputs of the decoders they exercise. `LAYERW_UPDATE_FUZZ_SEEDS=1` (scripts/fuzz.sh --seeds)
//! rewrites them from the engine's own encoders; otherwise this checks that every committed
//! seed decodes, so a format change cannot silently leave the fuzzer starting from garbage.
//! Native only: the seeds live outside the package folder the WASI runner opens, and the
//! fuzzer itself runs natively.
#![cfg(not(target_os = "wasi"))]

use std::path::PathBuf;

use layerw_engine::lod::{LodChain, LodLevel};
use layerw_engine::platform::{
    Action, ActionMap, Binding, InputEvent, Journal, JournalFrame, KeyCode, TimedEvent,
};
use layerw_engine::render::{Mesh, TextureImage};

#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Play {
    Move,
    Jump,
    Fire,
}

fn corpus(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

/// Every seed: (target, file name, bytes).
fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let chain = LodChain::new(vec![
        LodLevel::new(Mesh::cube(1.0), 0.1),
        LodLevel::new(Mesh::sphere(0.5, 8, 4), 0.0),
    ])
    .expect("a valid chain");
    let mut journal = Journal::new();
    journal
        .push(JournalFrame {
            frame: 1,
            time: 1.0 / 60.0,
            delta: 1.0 / 60.0,
            events: vec![TimedEvent {
                at: 0.01,
                event: InputEvent::key_pressed(KeyCode::Space).into(),
            }],
        })
        .expect("a valid frame");
    let bindings = ActionMap::<Play>::new()
        .with(Play::Move, Binding::WASD)
        .with(Play::Jump, Binding::Key(KeyCode::Space))
        .to_json();
    vec![
        ("lod_chain", "seed-cube-sphere.lwlod", chain.to_bytes()),
        (
            "png_texture",
            "seed-checker.png",
            std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/checker.png"))
                .expect("the committed checker"),
        ),
        ("journal", "seed-one-key.jsonl", journal.to_bytes()),
        ("bindings", "seed-move-jump.json", bindings.into_bytes()),
    ]
}

#[test]
fn seeds_are_valid_inputs() {
    let update = std::env::var_os("LAYERW_UPDATE_FUZZ_SEEDS").is_some();
    for (target, name, bytes) in seeds() {
        let path = corpus(target).join(name);
        if update {
            std::fs::create_dir_all(corpus(target)).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/fuzz.sh --seeds)", path.display()));
        assert_eq!(
            committed,
            bytes,
            "{} is stale: run scripts/fuzz.sh --seeds",
            path.display()
        );
        match target {
            "lod_chain" => drop(LodChain::from_bytes(&committed).unwrap()),
            "png_texture" => drop(TextureImage::decode_png(&committed).unwrap()),
            "journal" => drop(Journal::from_bytes(&committed).unwrap()),
            "bindings" => ActionMap::<Play>::new()
                .load_json(std::str::from_utf8(&committed).unwrap())
                .unwrap(),
            other => panic!("unknown target {other}"),
        }
    }
}
