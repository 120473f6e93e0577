//! A PNG under the package loads through an App on every platform with files: natively (a
//! background thread reads) and on WASI (wasmtime preopens the package directory; `load`
//! reads the file itself). The load system still changes states only between stages.
#![cfg(any(not(target_family = "wasm"), target_os = "wasi"))]

use layerw_engine::app::App;
use layerw_engine::asset::{AssetError, AssetPlugin, AssetServer, LoadState};
use layerw_engine::render::{LoadedTexture, TextureAssets, TextureImage};

#[test]
fn a_png_under_the_package_loads_and_a_missing_one_is_not_found() {
    let golden = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/text_overlay.png");
    let missing = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/no_such_image.png"
    );
    let mut app = App::new();
    app.add_plugin(AssetPlugin::default());
    let texture = AssetServer::load_in::<LoadedTexture>(app.world(), golden);
    let gone = AssetServer::load_in::<LoadedTexture>(app.world(), missing);
    assert_eq!(
        app.world().resource::<TextureAssets>().load_state(texture),
        LoadState::Loading
    );
    // The bound only stops a broken build from spinning forever.
    let mut frames = 0;
    while !app.world().resource::<AssetServer>().progress().is_done() {
        app.update(1.0 / 60.0);
        frames += 1;
        assert!(frames < 60_000, "loads still pending");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let expected = TextureImage::decode_png(&std::fs::read(golden).unwrap())
        .unwrap()
        .mip_chain(false);
    let textures = app.world().resource::<TextureAssets>();
    let loaded = textures.get(texture).unwrap();
    assert!(loaded.srgb);
    assert_eq!(loaded.mips, expected);
    assert_eq!(
        textures.load_state(gone),
        LoadState::Failed(AssetError::NotFound {
            path: missing.into()
        })
    );
}
