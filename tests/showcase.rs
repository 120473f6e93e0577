//! The showcase example headless on the GPU (lavapipe in CI): its pack cooked from the glTF
//! samples into the test's target folder (never committed), streamed from the files, and the
//! third frame of the camera's clock (which starts once everything has been in for a few
//! frames) against a golden image (tests/golden/showcase.png; the
//! engine golden tests' tolerance: 0.5 % of pixels, mean under 1.0; `LAYERW_UPDATE_GOLDEN=1`
//! rewrites, a failure writes `.actual.png` and `.diff.png` beside it): the same picture on
//! every run. Without an
//! adapter the test is skipped unless `LAYERW_REQUIRE_GPU=1`.
#![cfg(all(feature = "gpu", feature = "window", not(target_family = "wasm")))]

#[path = "../engine/tests/support/golden.rs"]
mod golden;
#[path = "../examples/showcase/pack.rs"]
mod pack;
#[allow(dead_code)] // the example's window size
#[path = "../examples/showcase/scene.rs"]
mod scene;
#[path = "../engine/tests/support/gpu.rs"]
mod support;

use std::path::Path;

use layerw::engine::stream::FileIo;
use layerw::prelude::*;

/// Smaller than the example's window: the golden image stays small, the test quick.
const SIZE: UVec2 = UVec2::new(640, 360);

#[test]
fn the_showcase_matches_its_golden_image() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("showcase-pack");
    let entities = pack::make_pack(&dir).expect("the samples cook");
    assert!(entities >= 7, "{entities} entities");
    let mut app = scene::app(FileIo::new(&dir, 2), SIZE);
    let unavailable = app
        .world()
        .try_resource::<RenderUnavailable>()
        .map(|why| why.0.clone());
    if support::or_skip(unavailable.map_or(Ok(()), Err)).is_none() {
        return;
    }
    let shot = dir.join("showcase.png");
    let _ = std::fs::remove_file(&shot);
    app.add_frame_hook(scene::watch(Some(shot.clone()), 3, Some(2)));
    app.set_headless(HeadlessRun::frames(100_000));
    app.run().expect("the showcase runs headless");
    let image = golden::read_png(&shot).expect("the screenshot was written");
    golden::check_golden("showcase", &image);
}
