//! Unloading frees GPU memory: meshes and textures removed from their stores leave the GPU at
//! the renderer's next sync ([`GpuResidency`] goes down), and a frame whose queue still names
//! a removed mesh draws the rest and skips that batch. Runs headless (lavapipe on machines
//! without a GPU); skipped without an adapter unless `LAYERW_REQUIRE_GPU=1`.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw_engine::app::App;
use layerw_engine::asset::{AssetPlugin, AssetServer, LoadState};
use layerw_engine::ecs::World;
use layerw_engine::glam::{Quat, UVec2, Vec3};
use layerw_engine::gpu::{GpuRenderer, GpuResidency, RenderStats, RendererConfig};
use layerw_engine::lod::{LoadedChain, LodAssets};
use layerw_engine::render::{
    CameraView, DrawItem, Materials, Mesh, MeshAssets, RenderQueue, TextureAssets, TextureImage,
    TextureSet,
};

#[path = "support/gpu.rs"]
mod support;

fn host() -> Option<GpuRenderer> {
    let config = RendererConfig {
        resolution: UVec2::new(64, 64),
        msaa: 1,
        shadow_map_size: 256,
        ..Default::default()
    };
    support::or_skip(GpuRenderer::new(config))
}

/// Bytes of an RGBA8 mip chain from `edge` (square) down to 1.
fn chain_bytes(mut edge: u64) -> u64 {
    let mut bytes = 0;
    loop {
        bytes += edge * edge * 4;
        if edge == 1 {
            return bytes;
        }
        edge /= 2;
    }
}

fn residency(world: &World) -> GpuResidency {
    *world.resource::<GpuResidency>()
}

#[test]
fn unloading_meshes_and_textures_frees_gpu_memory_and_stale_draws_are_skipped() {
    let Some(mut host) = host() else { return };
    let mut world = World::new();
    let mut meshes = MeshAssets::default();
    let cube = meshes.add(Mesh::cube(1.0)).unwrap();
    let sphere = meshes.add(Mesh::sphere(0.5, 16, 8)).unwrap();
    let mut textures = TextureAssets::default();
    let image = TextureImage::from_rgba8(16, 16, vec![200; 16 * 16 * 4]).unwrap();
    let color = textures.add(&image, true, false);
    let rough = textures.add(&image, false, false);
    let set = textures
        .add_set(TextureSet {
            base_color: Some(color),
            metallic_roughness: Some(rough),
            ..Default::default()
        })
        .unwrap();
    let mut queue = RenderQueue::new();
    queue.camera = Some(CameraView::look_at(
        Vec3::new(0.0, 1.0, 4.0),
        Vec3::ZERO,
        1.0,
        1.0,
        0.1,
        50.0,
    ));
    let item = |mesh, x: f32| DrawItem {
        mesh,
        position: Vec3::new(x, 0.0, 0.0),
        rotation: Quat::IDENTITY,
        scale: 1.0,
        material: 0,
        textures: set,
        surface: Default::default(),
    };
    queue.set_items(&[item(cube, -1.0), item(sphere, 1.0)]);
    world.insert_resource(meshes);
    world.insert_resource(textures);
    world.insert_resource(Materials::default());
    world.insert_resource(queue);

    host.frame(&mut world);
    let before = residency(&world);
    assert_eq!((before.meshes, before.textures), (2, 2));
    assert_eq!(before.texture_bytes, 2 * chain_bytes(16));
    assert!(before.mesh_bytes > 0);
    let stats = world.resource::<RenderStats>().frame;
    assert_eq!((stats.instances, stats.skipped_batches), (2, 0));

    // Unload the cube and the colour map; the queue still names the cube.
    assert!(world.resource_mut::<MeshAssets>().remove(cube).is_some());
    assert!(
        world
            .resource_mut::<TextureAssets>()
            .remove(color)
            .is_some()
    );
    host.frame(&mut world);
    let after = residency(&world);
    assert_eq!((after.meshes, after.textures), (1, 1));
    assert_eq!(after.texture_bytes, chain_bytes(16));
    assert!(after.mesh_bytes < before.mesh_bytes);
    let stats = *world.resource::<RenderStats>();
    assert_eq!(stats.frames, 2);
    assert_eq!((stats.frame.instances, stats.frame.skipped_batches), (1, 1));
    let image = host.read_frame().unwrap();
    assert_eq!((image.width, image.height), (64, 64));

    // Everything unloaded: nothing resident.
    assert!(world.resource_mut::<MeshAssets>().remove(sphere).is_some());
    assert!(
        world
            .resource_mut::<TextureAssets>()
            .remove(rough)
            .is_some()
    );
    host.frame(&mut world);
    assert_eq!(residency(&world), GpuResidency::default());
}

#[test]
fn a_lod_chain_loaded_from_a_file_is_uploaded_and_unloading_it_frees_its_levels() {
    let Some(mut host) = host() else { return };
    let mut app = App::new();
    app.add_plugin(AssetPlugin::default());
    app.insert_resource(RenderQueue::new());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/sphere48.lwlod");
    let chain = {
        let world = app.world();
        let mut server = world.resource_mut::<AssetServer>();
        server.load::<LoadedChain>(&mut world.resource_mut::<LodAssets>(), path)
    };
    let mut frames = 0;
    while !app.world().resource::<AssetServer>().progress().is_done() {
        app.update(1.0 / 60.0);
        host.frame(app.world_mut());
        frames += 1;
        assert!(frames < 60_000, "the chain never loaded");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    host.frame(app.world_mut());
    let world = app.world();
    assert_eq!(
        world.resource::<LodAssets>().load_state(chain),
        LoadState::Loaded
    );
    let levels = world
        .resource::<LodAssets>()
        .get(chain)
        .unwrap()
        .levels
        .len();
    let loaded = residency(world);
    assert_eq!(loaded.meshes, levels);
    {
        let mut meshes = world.resource_mut::<MeshAssets>();
        assert!(
            world
                .resource_mut::<LodAssets>()
                .remove(chain, &mut meshes)
                .is_some()
        );
    }
    host.frame(app.world_mut());
    let unloaded = residency(app.world());
    assert_eq!((unloaded.meshes, unloaded.mesh_bytes), (0, 0));
}
