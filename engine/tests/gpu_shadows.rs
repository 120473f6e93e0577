//! Cascaded shadow maps on lavapipe: rows of cubes along a long floor, seen from low down.
//! With cascades the shadows near the camera are sharp and the far ones are still there; with
//! one map over the same bounds the near shadows blur over many pixels. Golden image:
//! tolerance and updating in `support/golden.rs`. Without an adapter the tests are skipped,
//! unless `LAYERW_REQUIRE_GPU=1` makes that a failure.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw_engine::glam::{Quat, UVec2, Vec3, Vec4};
use layerw_engine::gpu::{GpuContext, Image, Renderer, RendererConfig};
use layerw_engine::render::{
    Batch, CameraView, DirectionalLight, FrameDesc, GpuInstance, MaterialParams, Mesh, MeshAssets,
    RenderQueue, SkinnedFrame,
};

#[path = "support/gpu.rs"]
mod support;

#[path = "support/golden.rs"]
mod golden;
use golden::check_golden;

const SIZE: UVec2 = UVec2::new(480, 270);

/// The scene with `cascades` shadow cascades of 1024² each.
fn render(gpu: &GpuContext, cascades: u32) -> Image {
    let mut renderer = Renderer::new(
        gpu,
        RendererConfig {
            resolution: SIZE,
            shadow_map_size: 1024,
            shadow_cascades: cascades,
            bloom: None,
            ..Default::default()
        },
    )
    .unwrap();
    let mut meshes = MeshAssets::default();
    let post = meshes.add(Mesh::cube(1.0)).unwrap();
    let floor = meshes.add(Mesh::plane(240.0)).unwrap();
    renderer
        .set_materials(
            gpu,
            &[
                MaterialParams {
                    base_color: Vec4::new(0.8, 0.3, 0.2, 1.0),
                    ..Default::default()
                },
                MaterialParams {
                    base_color: Vec4::new(0.7, 0.7, 0.68, 1.0),
                    roughness: 0.9,
                    ..Default::default()
                },
            ],
        )
        .unwrap();
    renderer
        .sync_meshes(gpu, &meshes, &RenderQueue::new())
        .unwrap();
    // Metre cubes on the floor every 6 m along -Z, on both sides of the camera's path.
    let mut instances: Vec<GpuInstance> = (0..32)
        .map(|i| {
            let side = if i % 2 == 0 { -2.5 } else { 2.5 };
            let z = -((i / 2) as f32) * 6.0 - 2.0;
            GpuInstance::new(Vec3::new(side, 0.5, z), Quat::IDENTITY, 1.0, 0)
        })
        .collect();
    let posts = instances.len() as u32;
    instances.push(GpuInstance::new(
        Vec3::new(0.0, 0.0, -60.0),
        Quat::IDENTITY,
        1.0,
        1,
    ));
    let frame = FrameDesc {
        camera: CameraView::look_at(
            Vec3::new(0.0, 1.7, 4.0),
            Vec3::new(0.0, 0.8, -20.0),
            50f32.to_radians(),
            SIZE.x as f32 / SIZE.y as f32,
            0.1,
            300.0,
        ),
        // Low and from the side: long shadows across the path.
        sun: DirectionalLight {
            direction: Vec3::new(-1.0, -0.55, 0.25),
            color: Vec3::new(1.0, 0.95, 0.85),
            intensity: 3.0,
            shadows: true,
        },
        point_lights: &[],
        ambient: (Vec3::new(0.25, 0.3, 0.4), Vec3::new(0.12, 0.1, 0.08)),
        shadow_bounds: (Vec3::new(0.0, 0.0, -45.0), 55.0),
        instances: &instances,
        skinned: SkinnedFrame::none(),
        batches: &[
            Batch {
                mesh: post,
                textures: Default::default(),
                surface: Default::default(),
                instances: 0..posts,
                casters: None,
            },
            Batch {
                mesh: floor,
                textures: Default::default(),
                surface: Default::default(),
                instances: posts..posts + 1,
                casters: None,
            },
        ],
    };
    renderer.render(gpu, &frame).unwrap();
    renderer.read_output(gpu).unwrap()
}

/// Down a column of floor through the nearest cube's shadow (x = 40, rows 170 to 250): the
/// pixels between lit and shadowed (a blurred edge), and the darkest value (a shadow blurred
/// enough never reaches full darkness).
fn near_shadow_edge(image: &Image) -> (usize, u8) {
    let column: Vec<u8> = (170..250)
        .map(|y| image.pixels[((y * image.width + 40) * 4) as usize])
        .collect();
    let (lit, dark) = (*column.iter().max().unwrap(), *column.iter().min().unwrap());
    let margin = (lit - dark) / 10;
    let between = column
        .iter()
        .filter(|&&v| v > dark + margin && v < lit - margin)
        .count();
    (between, dark)
}

#[test]
fn cascades_keep_near_shadows_sharp_and_far_ones_present() {
    let Some(gpu) = support::or_skip(GpuContext::headless()) else {
        return;
    };
    let cascaded = render(&gpu, 4);
    let single = render(&gpu, 1);
    let ((sharp, sharp_dark), (blurred, blurred_dark)) =
        (near_shadow_edge(&cascaded), near_shadow_edge(&single));
    eprintln!(
        "near shadow edge: {sharp} px wide, darkest {sharp_dark} with cascades; \
         {blurred} px, darkest {blurred_dark} with one map"
    );
    // Both images, to look at side by side.
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    golden::write_png(&out.join("cascaded_shadows.png"), &cascaded);
    golden::write_png(&out.join("cascaded_shadows.single.png"), &single);
    assert!(
        sharp * 4 <= blurred && sharp_dark + 8 < blurred_dark,
        "the near shadow's edge: {sharp} px with 4 cascades against {blurred} with one map; \
         darkest {sharp_dark} against {blurred_dark}"
    );
    check_golden("cascaded_shadows", &cascaded);
}
