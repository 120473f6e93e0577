//! Real glTF models on the GPU (lavapipe in CI): a Khronos sample (`assets/gltf/`, licences
//! beside them) cooked by `layerw-cook` into a content pack in memory, streamed by the
//! `StreamPlugin` into a `DefaultPlugins` app and drawn headless once everything is in, against
//! a golden image (tests/golden/gltf_*.png; the engine golden tests' tolerance, 0.5 % of
//! pixels, mean under 1.0; `LAYERW_UPDATE_GOLDEN=1` rewrites, a failure writes `.actual.png`
//! and `.diff.png` beside it). Without an adapter the test is skipped unless
//! `LAYERW_REQUIRE_GPU=1`.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use layerw::components::{Camera, Sun, Transform};
use layerw::engine::gpu::{Image, Screenshot};
use layerw::engine::stream::{MemoryIo, PackWriter, StreamSettings, Streamer};
use layerw::prelude::*;
use layerw::systems::{StreamPlugin, StreamedCell};

#[path = "../engine/tests/support/golden.rs"]
mod golden;
#[path = "../engine/tests/support/gpu.rs"]
mod support;

const SIZE: UVec2 = UVec2::new(320, 240);
/// Frames a run may take before it is given up (the pack is a few kilobytes).
const FRAME_LIMIT: u64 = 20_000;

/// Cooks `model` (a path under assets/gltf) into a pack in memory.
fn cooked(model: &str) -> MemoryIo {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/gltf")
        .join(model);
    let scene = layerw_cook::load_scene(&path).expect("the sample cooks");
    let mut writer = PackWriter::in_memory(64.0).unwrap();
    scene
        .write_pack(&layerw_cook::ChainOptions::default(), &mut writer)
        .unwrap();
    MemoryIo::from_pack(writer.finish().unwrap())
}

/// Streams `model` and draws it from `eye` looking at `target`, once streaming is complete and
/// its entities are spawned; returns the frame.
fn render(model: &str, eye: Vec3, target: Vec3) -> Option<Image> {
    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        window: WindowConfig {
            size: SIZE,
            internal_resolution: SIZE,
            ..WindowConfig::default()
        },
        log: None,
        ..DefaultPlugins::default()
    });
    let unavailable = app
        .world()
        .try_resource::<RenderUnavailable>()
        .map(|why| why.0.clone());
    support::or_skip(unavailable.map_or(Ok(()), Err))?;
    app.add_plugin(StreamPlugin::new(
        cooked(model),
        StreamSettings::new(64 << 20),
    ));
    app.world_mut().spawn((
        Transform::from_translation(eye).looking_at(target),
        Camera::default(),
    ));
    app.world_mut().spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.4, -1.0, -0.6).normalize(),
        )),
        Sun {
            color: Vec3::ONE,
            intensity: 3.0,
            shadows: true,
        },
    ));
    let path = std::env::temp_dir().join(format!(
        "layerw-gltf-{}-{}.png",
        model.replace('/', "-"),
        std::process::id()
    ));
    // Complete for a few frames (the last levels' wants count from the next frame), then the
    // screenshot, then the exit.
    let complete_frames = Rc::new(Cell::new(0u32));
    let seen = complete_frames.clone();
    let shot = path.clone();
    app.add_frame_hook(move |world| {
        let complete = world.resource::<Streamer>().progress().complete()
            && world.query::<&StreamedCell>().iter().next().is_some();
        seen.set(if complete { seen.get() + 1 } else { 0 });
        match seen.get() {
            3 => {
                world.insert_resource(Screenshot { path: shot.clone() });
            }
            5 => world.resource_mut::<Events<AppExit>>().send(AppExit),
            _ => {}
        }
    });
    app.set_headless(HeadlessRun::frames(FRAME_LIMIT));
    app.run().expect("the app runs headless");
    assert!(
        complete_frames.get() >= 5,
        "{model} never finished streaming"
    );
    let image = golden::read_png(&path).expect("the screenshot was written");
    let _ = std::fs::remove_file(&path);
    Some(image)
}

fn golden_name(model: &str) -> String {
    let stem = PathBuf::from(model);
    let stem = stem.file_stem().unwrap().to_string_lossy().to_lowercase();
    format!("gltf_{stem}")
}

#[test]
fn box_textured_matches_its_golden_image() {
    let model = "BoxTextured/BoxTextured.gltf";
    let Some(image) = render(model, Vec3::new(1.6, 1.3, 2.2), Vec3::ZERO) else {
        return;
    };
    golden::check_golden(&golden_name(model), &image);
}
