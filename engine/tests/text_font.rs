//! Fonts through the AssetServer: a TTF loads into `Assets<Font>` and lays text out; a
//! malformed file ends in a typed `Failed` state.
#![cfg(not(target_family = "wasm"))]

use std::path::Path;

use layerw_engine::app::App;
use layerw_engine::asset::{AssetError, AssetPlugin, AssetServer, Assets, DecodeError, LoadState};
use layerw_engine::text::{Font, FontError, FontPlugin, GlyphAtlas, TextStyle, layout_text};

fn run_until_loaded(app: &mut App) {
    for _ in 0..60_000 {
        app.update(1.0 / 60.0);
        if app.world().resource::<AssetServer>().progress().is_done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("loads still pending after 60000 frames");
}

#[test]
fn a_ttf_loads_and_a_malformed_one_fails_typed() {
    let dir = std::env::temp_dir().join(format!("layerw-text-font-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.ttf"), b"\0\x01\0\0 certainly not a font").unwrap();
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/fonts");
    std::fs::copy(
        fonts.join("Cantarell-Regular.ttf"),
        dir.join("Cantarell-Regular.ttf"),
    )
    .unwrap();

    let mut app = App::new();
    app.add_plugin(AssetPlugin {
        root: dir.to_string_lossy().into_owned(),
    })
    .add_plugin(FontPlugin);
    let good = AssetServer::load_in::<Font>(app.world(), "Cantarell-Regular.ttf");
    let bad = AssetServer::load_in::<Font>(app.world(), "broken.ttf");
    run_until_loaded(&mut app);

    let store = app.world().resource::<Assets<Font>>();
    assert_eq!(store.load_state(good), LoadState::Loaded);
    let font = store.get(good).unwrap();
    let mut atlas = GlyphAtlas::default();
    let block = layout_text(good, font, &mut atlas, "Hi", &TextStyle::default()).unwrap();
    assert_eq!(block.quads.len(), 2);

    match store.load_state(bad) {
        LoadState::Failed(AssetError::Decode {
            error: DecodeError::Font(FontError::Malformed { bytes }),
            ..
        }) => assert_eq!(bytes, 25),
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
