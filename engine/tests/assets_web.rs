//! The browser's asset IO for real: `fetch` in headless chromium (wasm-bindgen-test-runner,
//! which serves this test's own files). A missing file is `NotFound`; a file that exists but is
//! no LOD chain (the test's own wasm) is fetched whole and refused by the decoder; both only
//! between stages. Run with:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test -p layerw-engine --features fetch --target wasm32-unknown-unknown --test assets_web`
#![cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]

use layerw_engine::app::App;
use layerw_engine::asset::{AssetError, AssetPlugin, AssetServer, DecodeError, LoadState};
use layerw_engine::lod::{LoadedChain, LodAssets};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Lets the browser run its event loop (fetches complete there) for `ms` milliseconds.
async fn yield_to_browser(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into()).unwrap();
        let set_timeout: js_sys::Function = set_timeout.into();
        set_timeout.call2(&global, &resolve, &ms.into()).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn fetch_reads_files_and_failures_are_typed() {
    let mut app = App::new();
    app.add_plugin(AssetPlugin::default());
    let (missing, not_a_chain) = {
        let world = app.world();
        let mut server = world.resource_mut::<AssetServer>();
        let mut lods = world.resource_mut::<LodAssets>();
        (
            server.load::<LoadedChain>(&mut lods, "no-such-file.lwlod"),
            // The runner serves the test's wasm next to its page. The loader is picked by the
            // path's ending and `fetch` drops the fragment, so this fetches the wasm itself
            // and hands it to the chain loader.
            server.load::<LoadedChain>(&mut lods, "wasm-bindgen-test_bg.wasm#.lwlod"),
        )
    };
    assert_eq!(
        app.world().resource::<LodAssets>().load_state(missing),
        LoadState::Loading
    );
    let mut frames = 0;
    while !app.world().resource::<AssetServer>().progress().is_done() {
        yield_to_browser(5).await;
        app.update(1.0 / 60.0);
        frames += 1;
        assert!(frames < 2000, "fetches never finished");
    }
    let lods = app.world().resource::<LodAssets>();
    assert_eq!(
        lods.load_state(missing),
        LoadState::Failed(AssetError::NotFound {
            path: "no-such-file.lwlod".into()
        })
    );
    let state = lods.load_state(not_a_chain);
    assert!(
        matches!(
            state,
            LoadState::Failed(AssetError::Decode {
                error: DecodeError::LodChain(_),
                ..
            })
        ),
        "{state:?}"
    );
    assert!(lods.is_empty());
}
