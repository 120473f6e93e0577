//! Image-based lighting and the skybox on lavapipe: a mirror-like metal sphere shows the sky
//! above it and the ground below, the maps are baked again when the sky's colours change, and
//! the skybox fills the background with the same sky (golden image: tolerance and updating in
//! `support/golden.rs`). Without an adapter the tests are skipped, unless
//! `LAYERW_REQUIRE_GPU=1` makes that a failure.
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

const SIZE: UVec2 = UVec2::new(320, 180);

/// A renderer with one polished metal sphere (material 0) at the origin.
fn sphere_scene(gpu: &GpuContext, config: RendererConfig) -> (Renderer, Batch) {
    let mut renderer = Renderer::new(gpu, config).unwrap();
    let mut meshes = MeshAssets::default();
    let sphere = meshes.add(Mesh::sphere(1.0, 64, 32)).unwrap();
    renderer
        .set_materials(
            gpu,
            &[MaterialParams {
                base_color: Vec4::new(0.95, 0.95, 0.95, 1.0),
                metallic: 1.0,
                roughness: 0.1,
                ..Default::default()
            }],
        )
        .unwrap();
    renderer
        .sync_meshes(gpu, &meshes, &RenderQueue::new())
        .unwrap();
    let batch = Batch {
        mesh: sphere,
        textures: Default::default(),
        surface: Default::default(),
        instances: 0..1,
        casters: None,
    };
    (renderer, batch)
}

/// The frame: the sphere seen level from the side, the sun off (only the sky lights it).
fn render(
    gpu: &GpuContext,
    renderer: &mut Renderer,
    batch: &Batch,
    sky: Vec3,
    ground: Vec3,
) -> Image {
    let instances = [GpuInstance::new(Vec3::ZERO, Quat::IDENTITY, 1.0, 0)];
    let frame = FrameDesc {
        camera: CameraView::look_at(
            Vec3::new(0.0, 0.0, 4.0),
            Vec3::ZERO,
            45f32.to_radians(),
            SIZE.x as f32 / SIZE.y as f32,
            0.1,
            100.0,
        ),
        sun: DirectionalLight {
            direction: Vec3::new(0.3, -0.5, -1.0),
            color: Vec3::ONE,
            intensity: 0.0,
            shadows: false,
        },
        point_lights: &[],
        ambient: (sky, ground),
        shadow_bounds: (Vec3::ZERO, 2.0),
        instances: &instances,
        skinned: SkinnedFrame::none(),
        batches: std::slice::from_ref(batch),
    };
    renderer.render(gpu, &frame).unwrap();
    renderer.read_output(gpu).unwrap()
}

/// The mean colour (0..255 sRGB) of a small square around (x, y).
fn patch(image: &Image, x: u32, y: u32) -> Vec3 {
    let mut sum = Vec3::ZERO;
    for dy in 0..5 {
        for dx in 0..5 {
            let i = (((y + dy - 2) * image.width + x + dx - 2) * 4) as usize;
            let p = &image.pixels[i..i + 3];
            sum += Vec3::new(f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
        }
    }
    sum / 25.0
}

#[test]
fn a_metal_sphere_reflects_the_sky_above_and_the_ground_below() {
    let Some(gpu) = support::or_skip(GpuContext::headless()) else {
        return;
    };
    let config = RendererConfig {
        resolution: SIZE,
        bloom: None,
        ..Default::default()
    };
    let (mut renderer, batch) = sphere_scene(&gpu, config);
    let (blue, green) = (Vec3::new(0.1, 0.3, 1.0), Vec3::new(0.1, 0.6, 0.05));
    let image = render(&gpu, &mut renderer, &batch, blue, green);
    // The sphere spans about 80 px around the centre: its upper part mirrors the sky, its
    // lower part the ground.
    let (cx, cy) = (SIZE.x / 2, SIZE.y / 2);
    let (upper, lower) = (patch(&image, cx, cy - 30), patch(&image, cx, cy + 30));
    assert!(
        upper.z > upper.y && upper.z > upper.x,
        "upper half {upper} reflects the blue sky"
    );
    assert!(
        lower.y > lower.z && lower.y > lower.x,
        "lower half {lower} reflects the green ground"
    );
    check_golden("environment_sphere", &image);

    // The same renderer, another sky: the maps are baked again, the reflection follows.
    let red = Vec3::new(1.0, 0.15, 0.05);
    let image = render(&gpu, &mut renderer, &batch, red, green);
    let upper = patch(&image, cx, cy - 30);
    assert!(
        upper.x > upper.y && upper.x > upper.z,
        "upper half {upper} reflects the red sky"
    );
}

#[test]
fn the_skybox_shows_the_sky_that_lights_the_scene() {
    let Some(gpu) = support::or_skip(GpuContext::headless()) else {
        return;
    };
    let config = |skybox| RendererConfig {
        resolution: SIZE,
        bloom: None,
        skybox,
        ..Default::default()
    };
    let (sky, ground) = (Vec3::new(0.1, 0.3, 1.0), Vec3::new(0.1, 0.6, 0.05));
    let (mut with, batch) = sphere_scene(&gpu, config(true));
    let (mut without, _) = sphere_scene(&gpu, config(false));
    let shown = render(&gpu, &mut with, &batch, sky, ground);
    let flat = render(&gpu, &mut without, &batch, sky, ground);
    // Top left corner: above the horizon (the camera is level), so blue sky with the skybox;
    // bottom left: below it, green ground. Without, both are the same flat colour.
    let (top, bottom) = (patch(&shown, 10, 10), patch(&shown, 10, SIZE.y - 10));
    assert!(top.z > top.y && top.z > 100.0, "top {top} is sky");
    assert!(
        bottom.y > bottom.z && bottom.y > bottom.x,
        "bottom {bottom} is ground"
    );
    assert_eq!(patch(&flat, 10, 10), patch(&flat, 10, SIZE.y - 10));
    // The sphere itself is lit the same either way.
    let centre = |image: &Image| patch(image, SIZE.x / 2, SIZE.y / 2 - 30);
    assert!((centre(&shown) - centre(&flat)).abs().max_element() <= 2.0);
}
