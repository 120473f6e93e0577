//! Skinned golden images: the Khronos CesiumMan (assets/gltf/CesiumMan) cooked into a
//! content pack in memory, read back from the manifest's bytes, and drawn on the GPU through
//! the engine's path: the `animate` system samples the pack's walk clip in Update, the
//! `extract_skinned` system hands the joints to the render queue, and the renderer uploads
//! them once per frame and draws the character with the skinned PBR and shadow pipelines,
//! standing on a ground plane in the sun.
//!
//! Two checks: the pose at 0.5 s against its golden image, tests/golden/skinned_cesium_man.png
//! (the engine golden tests' tolerance: at most 0.5 % of pixels differ by more than 16/255 in
//! a channel, mean channel difference under 1.0; see engine/tests/support/golden.rs), and the
//! pose at 0.5 s against the pose at 1.25 s: they must differ on at least 1 % of the pixels,
//! which fails if the joints do not reach the vertices (both would show the bind pose).
//! `LAYERW_UPDATE_GOLDEN=1` rewrites the golden image. Without an adapter the test is skipped
//! unless `LAYERW_REQUIRE_GPU=1`.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use std::path::PathBuf;
use std::sync::Arc;

use layerw::components::{
    Animator, Camera, JointMatrices, MaterialIndex, MaterialTextures, MeshRef, SkinnedMeshRef, Sun,
    Transform,
};
use layerw::engine::gpu::{GpuContext, Image, Renderer, RendererConfig};
use layerw::engine::render::{
    MaterialParams, Mesh, MeshAssets, RenderQueue, SkinnedMeshes, TextureAssets, TextureSet,
};
use layerw::engine::schedule::{Schedule, Stage};
use layerw::engine::stream::{PackManifest, PackWriter};
use layerw::prelude::*;
use layerw::systems::{animate, extract_render, extract_skinned};

#[path = "../engine/tests/support/golden.rs"]
mod golden;
#[path = "../engine/tests/support/gpu.rs"]
mod support;

const SIZE: UVec2 = UVec2::new(480, 360);

/// CesiumMan cooked into a pack and read back from its manifest's bytes, with its texture.
fn cooked() -> (PackManifest, layerw::engine::render::TextureImage) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/gltf/CesiumMan/CesiumMan.glb");
    let scene = layerw_cook::load_scene(path).expect("CesiumMan cooks");
    let mut writer = PackWriter::in_memory(64.0).unwrap();
    scene
        .write_pack(&layerw_cook::ChainOptions::default(), &mut writer)
        .unwrap();
    let pack = writer.finish().unwrap();
    let manifest = PackManifest::from_bytes(&pack.manifest_bytes).unwrap();
    (manifest, scene.textures[0].image.clone())
}

/// The character at `time` seconds into its walk.
fn render_pose(gpu: &GpuContext, time: f32) -> Image {
    let (manifest, texture) = cooked();
    let animation = &manifest.animation;
    let mut skinned = SkinnedMeshes::default();
    let mesh = skinned
        .add(animation.skinned_meshes[0].mesh.clone())
        .unwrap();
    let mut textures = TextureAssets::default();
    let base_color = textures.add(&texture, true, false);
    let set = textures
        .add_set(TextureSet {
            base_color: Some(base_color),
            ..TextureSet::default()
        })
        .unwrap();
    let mut meshes = MeshAssets::default();
    let ground = meshes.add(Mesh::plane(1.0)).unwrap();

    let mut world = World::new();
    let entity = animation.skinned_entities[0];
    let skeleton = Arc::new(animation.skins[0].clone());
    let clip = Arc::new(animation.clips[0].clip.clone());
    world.spawn((
        Transform {
            translation: entity.translation,
            rotation: entity.rotation,
            scale: entity.scale,
        },
        SkinnedMeshRef(mesh),
        Animator::new(skeleton, clip),
        JointMatrices::default(),
        MaterialIndex(0),
        MaterialTextures(set),
    ));
    world.spawn((
        Transform::IDENTITY.with_scale(Vec3::splat(6.0)),
        MeshRef(ground),
        MaterialIndex(1),
    ));
    world.spawn((
        Transform::from_translation(Vec3::new(1.6, 1.3, 2.2)).looking_at(Vec3::new(0.0, 0.7, 0.0)),
        Camera::default(),
    ));
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.5, -1.0, -0.4).normalize(),
        )),
        Sun {
            color: Vec3::new(1.0, 0.96, 0.9),
            intensity: 3.0,
            shadows: true,
        },
    ));
    world.insert_resource(meshes);
    world.insert_resource(layerw::engine::platform::Window::new(SIZE, SIZE));
    let mut queue = RenderQueue::new();
    queue.shadow_bounds = (Vec3::new(0.0, 0.7, 0.0), 3.0);
    world.insert_resource(queue);
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Update, animate());
    schedule.add_system(Stage::Render, extract_render());
    schedule.add_system(Stage::Render, extract_skinned());
    // One frame of `time` seconds: the animator starts at 0.
    schedule.run_frame(&mut world, f64::from(time));

    let mut renderer = Renderer::new(
        gpu,
        RendererConfig {
            resolution: SIZE,
            ..Default::default()
        },
    )
    .unwrap();
    let materials = [
        MaterialParams {
            base_color: Vec4::ONE,
            metallic: 0.0,
            roughness: 1.0,
            ..Default::default()
        },
        MaterialParams {
            base_color: Vec4::new(0.45, 0.5, 0.4, 1.0),
            metallic: 0.0,
            roughness: 0.9,
            ..Default::default()
        },
    ];
    renderer.set_materials(gpu, &materials).unwrap();
    renderer.sync_textures(gpu, &textures);
    let queue = world.resource::<RenderQueue>();
    renderer
        .sync_meshes(gpu, &world.resource::<MeshAssets>(), &queue)
        .unwrap();
    renderer.sync_skinned_meshes(gpu, &skinned, &queue).unwrap();
    let stats = queue.with_frame(|frame| renderer.render(gpu, &frame.unwrap()).unwrap());
    // The ground's batch and the character: one draw each in the main pass.
    assert_eq!(stats.instances, 2, "{stats:?}");
    assert_eq!(stats.skipped_batches, 0);
    renderer.read_output(gpu).unwrap()
}

/// The share of pixels differing by more than 16/255 in a channel.
fn differing(a: &Image, b: &Image) -> f64 {
    let count = a
        .pixels
        .chunks_exact(4)
        .zip(b.pixels.chunks_exact(4))
        .filter(|(p, q)| {
            p.iter()
                .zip(q.iter())
                .take(3)
                .any(|(x, y)| x.abs_diff(*y) > 16)
        })
        .count();
    count as f64 / (a.width * a.height) as f64
}

#[test]
fn cesium_man_walks_on_the_gpu() {
    let Some(gpu) = support::or_skip(GpuContext::headless()) else {
        return;
    };
    let mid_stride = render_pose(&gpu, 0.5);
    golden::check_golden("skinned_cesium_man", &mid_stride);
    let later = render_pose(&gpu, 1.25);
    let share = differing(&mid_stride, &later);
    eprintln!(
        "poses at 0.5 s and 1.25 s: {:.2} % of pixels differ",
        share * 100.0
    );
    assert!(
        share > 0.01,
        "the pose did not change: {:.3} %",
        share * 100.0
    );
}
