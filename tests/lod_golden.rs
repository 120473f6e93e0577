//! LOD golden image: a field of high-poly spheres at distance, drawn through the Lod, Culling
//! and Render stages, against the same field at full detail. The LOD image must match the
//! full-detail one within tolerance while drawing far fewer triangles (both counts are
//! printed), and must match its committed golden image (tests/golden/lod_field.png).
//!
//! Tolerance against full detail: LOD levels are picked so their error projects under one
//! pixel, so they differ on silhouette pixels only; a pixel differs when a channel differs by
//! more than 16/255, and at most 1 % of pixels may differ with a mean channel difference under
//! 1.0. Against the golden image: the engine golden tests' tolerance (0.5 %, mean under 1.0).
//! A failing run writes `lod_field.actual.png` and `lod_field.diff.png` next to it;
//! `LAYERW_UPDATE_GOLDEN=1` rewrites it. Without an adapter the test is skipped unless
//! `LAYERW_REQUIRE_GPU=1`.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use std::path::{Path, PathBuf};

use layerw::components::{
    Camera, DrawPasses, LodMesh, MaterialIndex, MeshRef, Static, Sun, Transform,
};
use layerw::engine::gpu::{GpuContext, Image, Renderer, RendererConfig};
use layerw::engine::lod::LodAssets;
use layerw::engine::render::{MaterialParams, Mesh, MeshAssets, RenderQueue};
use layerw::engine::schedule::{Schedule, Stage};
use layerw::prelude::*;
use layerw::systems::{cull, extract_render, select_lods};

#[path = "../engine/tests/support/gpu.rs"]
mod support;

const SIZE: UVec2 = UVec2::new(640, 360);

fn gpu() -> Option<GpuContext> {
    support::or_skip(GpuContext::headless())
}

/// The field, drawn with LOD chains (`lod`) or at full detail; returns the image and the
/// triangles of the main pass.
fn render_field(gpu: &GpuContext, lod: bool) -> (Image, u64) {
    let sphere = Mesh::sphere(1.0, 96, 48);
    let chain = layerw_cook::generate_chain(&sphere, &layerw_cook::ChainOptions::default())
        .expect("the sphere cooks");
    let mut meshes = MeshAssets::default();
    let mut lods = LodAssets::default();
    let handle = lods.add(chain, &mut meshes).unwrap();
    let finest = lods.get(handle).unwrap().levels.last().unwrap().mesh;
    let ground = meshes.add(Mesh::plane(1.0)).unwrap();

    let mut world = World::new();
    for row in 0..8 {
        for column in 0..12 {
            let position = Vec3::new((column as f32 - 5.5) * 4.0, 3.0, -12.0 - row as f32 * 7.0);
            let entity = world.spawn((
                Transform::from_translation(position),
                MeshRef(finest),
                MaterialIndex(((row + column) % 4) as u16),
                DrawPasses::default(),
                Static,
            ));
            if lod {
                world.insert_one(entity, LodMesh::new(handle)).unwrap();
            }
        }
    }
    world.spawn((
        Transform::from_translation(Vec3::new(0.0, 0.0, -30.0)).with_scale(Vec3::splat(120.0)),
        MeshRef(ground),
        MaterialIndex(4),
    ));
    world.spawn((
        Transform::from_translation(Vec3::new(0.0, 6.0, 8.0))
            .looking_at(Vec3::new(0.0, 0.0, -30.0)),
        Camera::default(),
    ));
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.4, -1.0, -0.3).normalize(),
        )),
        Sun {
            color: Vec3::new(1.0, 0.96, 0.9),
            intensity: 3.0,
            shadows: true,
        },
    ));
    world.insert_resource(meshes);
    world.insert_resource(lods);
    world.insert_resource(layerw::engine::platform::Window::new(SIZE, SIZE));
    let mut queue = RenderQueue::new();
    queue.shadow_bounds = (Vec3::new(0.0, 0.0, -35.0), 45.0);
    world.insert_resource(queue);
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Lod, select_lods());
    schedule.add_system(Stage::Culling, cull());
    schedule.add_system(Stage::Render, extract_render());
    // Frame 1 indexes the static spheres; frame 2 culls with the index.
    schedule.run_frame(&mut world, 1.0 / 60.0);
    schedule.run_frame(&mut world, 1.0 / 60.0);

    let mut renderer = Renderer::new(
        gpu,
        RendererConfig {
            resolution: SIZE,
            ..Default::default()
        },
    )
    .unwrap();
    let materials: Vec<MaterialParams> = [
        Vec4::new(0.8, 0.3, 0.25, 1.0),
        Vec4::new(0.3, 0.7, 0.35, 1.0),
        Vec4::new(0.3, 0.4, 0.85, 1.0),
        Vec4::new(0.85, 0.75, 0.3, 1.0),
        Vec4::new(0.5, 0.5, 0.5, 1.0),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, base_color)| MaterialParams {
        base_color,
        metallic: (i == 3) as u8 as f32,
        roughness: 0.4 + 0.1 * i as f32,
        ..Default::default()
    })
    .collect();
    renderer.set_materials(gpu, &materials).unwrap();
    let queue = world.resource::<RenderQueue>();
    renderer
        .sync_meshes(gpu, &world.resource::<MeshAssets>(), &queue)
        .unwrap();
    let stats = queue.with_frame(|frame| renderer.render(gpu, &frame.unwrap()).unwrap());
    (renderer.read_output(gpu).unwrap(), stats.triangles)
}

/// Share of pixels differing by more than 16/255 in a channel, the mean channel difference,
/// and a difference image.
fn compare(a: &Image, b: &Image) -> (f64, f64, Image) {
    let mut diff = Image {
        width: a.width,
        height: a.height,
        pixels: vec![0; a.pixels.len()],
    };
    let (mut differing, mut total) = (0usize, 0u64);
    for (i, (p, q)) in a
        .pixels
        .chunks_exact(4)
        .zip(b.pixels.chunks_exact(4))
        .enumerate()
    {
        let d = (0..3).map(|c| p[c].abs_diff(q[c])).max().unwrap();
        total += (0..3).map(|c| u64::from(p[c].abs_diff(q[c]))).sum::<u64>();
        differing += usize::from(d > 16);
        let v = d.saturating_mul(4);
        diff.pixels[i * 4..i * 4 + 4].copy_from_slice(&[v, v, v, 255]);
    }
    let pixels = (a.width * a.height) as usize;
    (
        differing as f64 / pixels as f64,
        total as f64 / (pixels * 3) as f64,
        diff,
    )
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn read_png(path: &Path) -> Option<Image> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).ok()?));
    let mut reader = decoder.read_info().ok()?;
    let mut pixels = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut pixels).ok()?;
    pixels.truncate(info.buffer_size());
    Some(Image {
        width: info.width,
        height: info.height,
        pixels,
    })
}

#[test]
fn lod_field_matches_full_detail_with_far_fewer_triangles() {
    let Some(gpu) = gpu() else { return };
    let (lod, lod_triangles) = render_field(&gpu, true);
    let (full, full_triangles) = render_field(&gpu, false);
    eprintln!("triangles drawn: {lod_triangles} with LOD, {full_triangles} at full detail");
    assert!(
        lod_triangles * 4 < full_triangles,
        "LOD draws far fewer triangles: {lod_triangles} vs {full_triangles}"
    );
    let (share, mean, diff) = compare(&lod, &full);
    eprintln!(
        "LOD vs full detail: {:.3} % of pixels differ, mean {mean:.3}",
        share * 100.0
    );
    let expected_path = golden("lod_field.png");
    if share > 0.01 || mean >= 1.0 {
        lod.save_png(golden("lod_field.actual.png")).unwrap();
        diff.save_png(golden("lod_field.diff.png")).unwrap();
        panic!(
            "LOD vs full detail: {:.3} % differ (limit 1 %), mean {mean:.3}",
            share * 100.0
        );
    }
    if std::env::var_os("LAYERW_UPDATE_GOLDEN").is_some() {
        lod.save_png(&expected_path).unwrap();
        return;
    }
    let expected = read_png(&expected_path).expect("tests/golden/lod_field.png");
    let (share, mean, diff) = compare(&lod, &expected);
    if share > 0.005 || mean >= 1.0 {
        lod.save_png(golden("lod_field.actual.png")).unwrap();
        diff.save_png(golden("lod_field.diff.png")).unwrap();
        panic!(
            "against the golden image: {:.3} % differ (limit 0.5 %), mean {mean:.3}",
            share * 100.0
        );
    }
}
