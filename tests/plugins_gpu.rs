//! `DefaultPlugins` on the GPU (lavapipe in CI): a few lines of app draw a lit cube headless,
//! counted by the renderer's stats and checked in the screenshot it saves. Without an adapter
//! the test is skipped unless `LAYERW_REQUIRE_GPU=1`; `LAYERW_KEEP_SCREENSHOT=1` keeps the PNG
//! (in the temporary directory) to look at.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw::components::{Camera, MaterialIndex, MeshRef, Sun, Transform};
use layerw::engine::gpu::{RenderStats, Screenshot};
use layerw::engine::render::{MaterialParams, Materials, Mesh, MeshAssets};
use layerw::prelude::*;

#[path = "../engine/tests/support/gpu.rs"]
mod support;

const SIZE: UVec2 = UVec2::new(160, 90);

#[test]
fn default_plugins_render_a_frame() {
    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        window: WindowConfig {
            size: SIZE,
            internal_resolution: SIZE,
            ..WindowConfig::default()
        },
        ..DefaultPlugins::default()
    });
    let unavailable = app
        .world()
        .try_resource::<RenderUnavailable>()
        .map(|why| why.0.clone());
    if support::or_skip(unavailable.map_or(Ok(()), Err)).is_none() {
        return;
    }
    let cube = app
        .world_mut()
        .resource_mut::<MeshAssets>()
        .add(Mesh::cube(1.0))
        .unwrap();
    app.world_mut()
        .resource_mut::<Materials>()
        .set(vec![MaterialParams {
            base_color: Vec4::new(0.9, 0.2, 0.1, 1.0),
            ..MaterialParams::default()
        }])
        .unwrap();
    app.world_mut()
        .spawn((Transform::IDENTITY, MeshRef(cube), MaterialIndex(0)));
    app.world_mut().spawn((
        Transform::from_translation(Vec3::new(0.0, 1.0, 4.0)).looking_at(Vec3::ZERO),
        Camera::default(),
    ));
    app.world_mut().spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.3, -1.0, -0.5).normalize(),
        )),
        Sun {
            color: Vec3::ONE,
            intensity: 3.0,
            shadows: true,
        },
    ));
    let path =
        std::env::temp_dir().join(format!("layerw-default-plugins-{}.png", std::process::id()));
    app.insert_resource(Screenshot { path: path.clone() });
    app.set_headless(HeadlessRun::frames(2));
    // `run` consumes the app: a hook after the renderer's keeps the stats.
    let seen = std::rc::Rc::new(std::cell::Cell::new(None));
    let into = seen.clone();
    app.add_frame_hook(move |world| into.set(world.try_resource::<RenderStats>().ok().map(|s| *s)));
    let report = app.run().unwrap();
    assert_eq!(report.frames, 2);
    let stats = seen.get().expect("the renderer published its stats");
    assert_eq!(stats.frames, 2, "both frames drawn");
    assert_eq!(stats.frame.instances, 1, "one cube");
    assert!(
        stats.frame.triangles >= 12 && stats.frame.draw_calls >= 1,
        "{stats:?}"
    );

    // The screenshot: the cube's red in the middle, the sky's colour in a corner.
    let file = std::fs::File::open(&path).expect("the screenshot was written");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    if std::env::var_os("LAYERW_KEEP_SCREENSHOT").is_none() {
        let _ = std::fs::remove_file(&path);
    }
    assert_eq!((info.width, info.height), (SIZE.x, SIZE.y));
    let channels = info.line_size / info.width as usize;
    let at = |x: u32, y: u32| {
        let i = y as usize * info.line_size + x as usize * channels;
        [pixels[i], pixels[i + 1], pixels[i + 2]]
    };
    let middle = at(SIZE.x / 2, SIZE.y / 2);
    let corner = at(2, 2);
    assert!(
        middle[0] > middle[1] + 40 && middle[0] > middle[2] + 40,
        "the cube is red: {middle:?}"
    );
    assert_ne!(middle, corner, "the cube is not the background");
}
