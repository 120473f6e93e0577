//! The post-processing passes on lavapipe: bloom, FXAA and ambient occlusion, each shown by what it does to the
//! image (against the same frame with it off) and by a golden image (tolerance and updating:
//! `support/golden.rs`). Without an adapter the tests are skipped, unless
//! `LAYERW_REQUIRE_GPU=1` makes that a failure.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw_engine::glam::{Quat, UVec2, Vec3, Vec4};
use layerw_engine::gpu::{AmbientOcclusion, Bloom, GpuContext, Image, Renderer, RendererConfig};
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

fn gpu() -> Option<GpuContext> {
    support::or_skip(GpuContext::headless())
}

/// Renders `instances` of `mesh` (material `i` for instance `i`) with `config`, from `eye`,
/// with the sun.
fn render(
    gpu: &GpuContext,
    config: RendererConfig,
    mesh: Mesh,
    materials: &[MaterialParams],
    instances: &[GpuInstance],
    eye: Vec3,
) -> (Image, u32) {
    render_lit(
        gpu,
        config,
        mesh,
        materials,
        instances,
        eye,
        (2.0, Vec3::splat(0.02)),
    )
}

/// [`render`] with the sun at `light.0` intensity (0: the sky alone lights the scene) and the
/// sky's colour `light.1`.
fn render_lit(
    gpu: &GpuContext,
    config: RendererConfig,
    mesh: Mesh,
    materials: &[MaterialParams],
    instances: &[GpuInstance],
    eye: Vec3,
    (sun, sky): (f32, Vec3),
) -> (Image, u32) {
    let mut renderer = Renderer::new(gpu, config).unwrap();
    let mut meshes = MeshAssets::default();
    let mesh = meshes.add(mesh).unwrap();
    renderer.set_materials(gpu, materials).unwrap();
    renderer
        .sync_meshes(gpu, &meshes, &RenderQueue::new())
        .unwrap();
    let frame = FrameDesc {
        camera: CameraView::look_at(
            eye,
            Vec3::ZERO,
            45f32.to_radians(),
            SIZE.x as f32 / SIZE.y as f32,
            0.1,
            100.0,
        ),
        sun: DirectionalLight {
            direction: Vec3::new(-0.3, -1.0, -0.5),
            color: Vec3::ONE,
            intensity: sun,
            shadows: false,
        },
        point_lights: &[],
        ambient: (sky, sky * 0.5),
        shadow_bounds: (Vec3::ZERO, 4.0),
        instances,
        skinned: SkinnedFrame::none(),
        batches: &[Batch {
            mesh,
            textures: Default::default(),
            surface: Default::default(),
            instances: 0..instances.len() as u32,
            casters: None,
        }],
    };
    let stats = renderer.render(gpu, &frame).unwrap();
    (renderer.read_output(gpu).unwrap(), stats.draw_calls)
}

/// The sRGB-encoded brightness (mean of the channels) at (x, y).
fn brightness(image: &Image, x: u32, y: u32) -> f32 {
    let i = ((y * image.width + x) * 4) as usize;
    image.pixels[i..i + 3]
        .iter()
        .map(|&c| f32::from(c))
        .sum::<f32>()
        / 3.0
}

#[test]
fn bloom_spreads_bright_light_into_the_dark_around_it() {
    let Some(gpu) = gpu() else { return };
    // Three small, very bright emissive spheres in the dark.
    let materials: Vec<MaterialParams> = [
        Vec3::new(12.0, 3.0, 1.0),
        Vec3::new(2.0, 10.0, 3.0),
        Vec3::new(2.0, 4.0, 14.0),
    ]
    .into_iter()
    .map(|emissive| MaterialParams {
        base_color: Vec4::new(0.1, 0.1, 0.1, 1.0),
        emissive,
        ..Default::default()
    })
    .collect();
    let instances: Vec<GpuInstance> = (0..3)
        .map(|i| GpuInstance::new(Vec3::new(i as f32 - 1.0, 0.0, 0.0), Quat::IDENTITY, 1.0, i))
        .collect();
    // No skybox: the background is the flat, dark clear colour.
    let config = |bloom| RendererConfig {
        resolution: SIZE,
        bloom,
        skybox: false,
        ..Default::default()
    };
    let sphere = || Mesh::sphere(0.15, 24, 12);
    let eye = Vec3::new(0.0, 0.0, 4.0);
    let strong = Bloom {
        intensity: 0.3,
        ..Default::default()
    };
    let (without, plain_draws) = render(&gpu, config(None), sphere(), &materials, &instances, eye);
    let (with, bloom_draws) = render(
        &gpu,
        config(Some(strong)),
        sphere(),
        &materials,
        &instances,
        eye,
    );
    // Bloom's chain: 6 levels down, 5 back up.
    assert_eq!(bloom_draws, plain_draws + 11);
    // Between the spheres and above them, black without bloom, lit with it.
    let (cx, cy) = (SIZE.x / 2, SIZE.y / 2);
    let halo = [(cx, cy - 25), (cx - 35, cy - 25), (cx + 35, cy + 25)];
    for (x, y) in halo {
        let (off, on) = (brightness(&without, x, y), brightness(&with, x, y));
        assert!(off < 16.0, "({x}, {y}) is dark without bloom: {off}");
        assert!(
            on > off + 20.0,
            "({x}, {y}): {off} without bloom, {on} with"
        );
    }
    // The corners, far from any light, stay dark.
    assert!(brightness(&with, 2, 2) < brightness(&without, 2, 2) + 4.0);
    check_golden("bloom_emissive", &with);
}

#[test]
fn fxaa_smooths_edges_when_msaa_is_off() {
    let Some(gpu) = gpu() else { return };
    // A white cube, turned, against black: its silhouette is all slanted edges.
    let materials = [MaterialParams {
        emissive: Vec3::splat(0.9),
        base_color: Vec4::new(0.0, 0.0, 0.0, 1.0),
        ..Default::default()
    }];
    let instances = [GpuInstance::new(
        Vec3::ZERO,
        Quat::from_rotation_y(0.5) * Quat::from_rotation_x(0.4),
        1.0,
        0,
    )];
    let config = |msaa, fxaa| RendererConfig {
        resolution: SIZE,
        msaa,
        fxaa,
        bloom: None,
        skybox: false,
        ..Default::default()
    };
    let eye = Vec3::new(0.0, 0.0, 3.5);
    let cube = || Mesh::cube(1.0);
    let (aliased, aliased_draws) =
        render(&gpu, config(1, false), cube(), &materials, &instances, eye);
    let (smoothed, fxaa_draws) = render(&gpu, config(1, true), cube(), &materials, &instances, eye);
    let (msaa, msaa_draws) = render(&gpu, config(4, true), cube(), &materials, &instances, eye);
    // FXAA is one more full-screen draw, and none with MSAA.
    assert_eq!(fxaa_draws, aliased_draws + 1);
    assert_eq!(msaa_draws, aliased_draws);
    // Pixels between the cube's white and the black: on its edges, partly covered.
    let partial = |image: &Image| {
        image
            .pixels
            .chunks_exact(4)
            .filter(|p| (24..200).contains(&p[1]))
            .count()
    };
    let (hard, soft, multi) = (partial(&aliased), partial(&smoothed), partial(&msaa));
    assert!(
        soft > hard * 3 && multi > hard * 3,
        "edge pixels: {hard} aliased, {soft} with FXAA, {multi} with MSAA"
    );
    check_golden("fxaa_edges", &smoothed);
}

#[test]
fn ambient_occlusion_darkens_the_sky_light_where_surfaces_meet() {
    let Some(gpu) = gpu() else { return };
    // A cube resting on a wide, flat slab (a scaled cube whose top is at y = 0), lit by the
    // sky alone, seen from above at an angle.
    let materials = [
        MaterialParams {
            base_color: Vec4::new(0.8, 0.8, 0.8, 1.0),
            roughness: 0.9,
            ..Default::default()
        },
        MaterialParams {
            base_color: Vec4::new(0.7, 0.5, 0.4, 1.0),
            roughness: 0.9,
            ..Default::default()
        },
    ];
    let instances = [
        GpuInstance::new(Vec3::new(0.0, -10.0, 0.0), Quat::IDENTITY, 20.0, 0),
        GpuInstance::new(Vec3::new(0.0, 0.5, 0.0), Quat::from_rotation_y(0.3), 1.0, 1),
    ];
    let config = |ambient_occlusion| RendererConfig {
        resolution: SIZE,
        bloom: None,
        ambient_occlusion,
        ..Default::default()
    };
    let eye = Vec3::new(0.0, 2.5, 3.0);
    let cube = || Mesh::cube(1.0);
    let sky = (0.0, Vec3::new(0.6, 0.65, 0.7));
    let sky_only = |config| render_lit(&gpu, config, cube(), &materials, &instances, eye, sky);
    let (occluded, ao_draws) = sky_only(config(Some(AmbientOcclusion::default())));
    let (open, plain_draws) = sky_only(config(None));
    assert_eq!(
        ao_draws,
        plain_draws + 1,
        "one full-screen draw at half resolution"
    );
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    golden::write_png(&out.join("ambient_occlusion.png"), &occluded);
    golden::write_png(&out.join("ambient_occlusion.off.png"), &open);
    // The floor just in front of the cube's base, and the floor far from it (bottom corner).
    let below = |image: &Image| {
        // The lowest cube pixel in the centre column, then 3 pixels further down.
        let x = SIZE.x / 2;
        let y = (0..SIZE.y)
            .rev()
            .find(|&y| {
                let i = ((y * SIZE.x + x) * 4) as usize;
                image.pixels[i] > image.pixels[i + 2] + 20
            })
            .expect("the cube is in view");
        brightness(image, x, y + 3)
    };
    let (near_ao, near_open) = (below(&occluded), below(&open));
    assert!(
        near_ao + 10.0 < near_open,
        "the floor at the cube's base: {near_ao} with occlusion, {near_open} without"
    );
    let (far_ao, far_open) = (
        brightness(&occluded, 4, SIZE.y - 4),
        brightness(&open, 4, SIZE.y - 4),
    );
    assert!(
        (far_ao - far_open).abs() <= 3.0,
        "the open floor: {far_ao} with occlusion, {far_open} without"
    );
    check_golden("ambient_occlusion", &occluded);
}
