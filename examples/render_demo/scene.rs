//! render_demo's scene and its assets: what is built at once (meshes made in code, materials,
//! lights, the camera) and what is loaded from files at run time through the [`AssetServer`]
//! (the LOD chain `assets/sphere48.lwlod` and the floor's `assets/checker.png`; natively from
//! the repository, in the browser by `fetch` next to the page). The floor and the LOD row are
//! spawned once their files are in; U unloads the chain (its meshes leave the GPU) and L
//! loads it again; the overlay (F3) shows the load states and what is resident on the GPU.
//!
//! Tests include this file (`tests/render_demo_assets.rs`), so it depends on nothing in
//! `main.rs`.

use std::f32::consts::FRAC_PI_2;
use std::path::PathBuf;

use layerw::components::{
    Camera, DrawPasses, LodMesh, MaterialIndex, MaterialTextures, MeshRef, OrbitCamera,
    PointLightSource, Static, Sun, Transform,
};
use layerw::engine::gpu::{GpuResidency, Screenshot};
use layerw::engine::lod::{LoadedChain, LodAssets, LodHandle};
use layerw::engine::render::{
    AlphaMode, LoadedTexture, MaterialParams, Materials, Mesh, MeshAssets, OverlayLines,
    TextureAssets, TextureHandle, TextureSet,
};
use layerw::prelude::*;

/// The internal resolution (the web page's canvas has the same size, for pixel comparisons).
pub const RESOLUTION: UVec2 = UVec2::new(640, 360);
/// The LOD chain, made by `layerw-cook sphere:48`.
pub const CHAIN_PATH: &str = "assets/sphere48.lwlod";
/// The floor's colour map: a 256 px checkerboard of 32 px squares.
pub const CHECKER_PATH: &str = "assets/checker.png";
/// The key that unloads the LOD chain.
pub const UNLOAD_KEY: KeyCode = KeyCode::KeyU;
/// The key that loads it again.
pub const LOAD_KEY: KeyCode = KeyCode::KeyL;

/// The material of the floor and of the LOD spheres (after the 15 of the sphere grid).
const FLOOR_MATERIAL: u16 = 15;
const BLUE_MATERIAL: u16 = 16;
/// The glass pane's material (blended).
const GLASS_MATERIAL: u16 = 17;

/// The demo's loaded assets and what has been spawned from them; a resource.
#[derive(Debug)]
pub struct DemoAssets {
    /// The LOD chain (stale after [`UNLOAD_KEY`], until [`LOAD_KEY`] loads a new one).
    pub chain: LodHandle,
    /// The floor's colour map.
    pub checker: TextureHandle,
    /// The floor is spawned (its texture set made).
    pub floor_spawned: bool,
    /// The spheres drawn from the chain are spawned.
    pub row_spawned: bool,
    /// Frames that ended with every load done and everything spawned, counted by
    /// [`capture`]; a screenshot is taken in the second.
    pub complete_frames: u32,
    /// Why a load failed, if one did.
    pub failure: Option<String>,
}

/// Marks a sphere drawn from the LOD chain (despawned when the chain is unloaded).
#[derive(Clone, Copy, Debug)]
pub struct ChainSphere;

/// Where the asset paths are joined: natively the binary's folder when it holds `assets/` (a
/// shipped build, `scripts/ship.sh desktop`), else the repository (the example's package); the
/// page's folder in the browser (`scripts/web.sh` copies the files there).
pub fn asset_root() -> String {
    if cfg!(target_arch = "wasm32") {
        return String::new();
    }
    let shipped = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
        .filter(|dir| dir.join("assets").is_dir());
    match shipped {
        Some(dir) => dir.display().to_string(),
        None => env!("CARGO_MANIFEST_DIR").to_owned(),
    }
}

/// The demo's app: the scene made in code, the loads started, the systems that spawn what
/// they bring, unload and reload the chain, and write the overlay's asset lines.
pub fn app(asset_root: String) -> App {
    let mut meshes = MeshAssets::default();
    let sphere = meshes.add(Mesh::sphere(0.45, 48, 24)).unwrap();
    let cube = meshes.add(Mesh::cube(1.0)).unwrap();
    let floor = meshes.add(Mesh::plane(20.0)).unwrap();
    let pane = meshes.add(Mesh::plane(1.0)).unwrap();
    let mut materials = Vec::new();
    for row in 0..3 {
        for col in 0..5 {
            materials.push(MaterialParams {
                base_color: Vec4::new(0.9, 0.35, 0.2, 1.0),
                metallic: row as f32 * 0.5,
                roughness: 0.1 + col as f32 * 0.2,
                ..Default::default()
            });
        }
    }
    materials.push(MaterialParams {
        base_color: Vec4::new(0.6, 0.6, 0.6, 1.0),
        roughness: 0.9,
        ..Default::default()
    });
    materials.push(MaterialParams {
        base_color: Vec4::new(0.2, 0.5, 0.9, 1.0),
        roughness: 0.4,
        ..Default::default()
    });
    // Green glass: blended over what is behind it, both faces drawn.
    materials.push(MaterialParams {
        base_color: Vec4::new(0.3, 0.9, 0.5, 0.35),
        roughness: 0.05,
        alpha_mode: AlphaMode::Blend,
        double_sided: true,
        ..Default::default()
    });
    let mut table = Materials::default();
    table.set(materials).expect("18 materials fit");

    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        window: WindowConfig {
            title: "Layer-W render demo".into(),
            size: RESOLUTION,
            internal_resolution: RESOLUTION,
            ..WindowConfig::default()
        },
        assets: AssetPlugin { root: asset_root },
        // The shadow map covers the spheres and cubes in front of the camera, not the far
        // LOD row.
        extract: ExtractPlugin {
            shadow_bounds: ShadowBounds::Fixed {
                center: Vec3::new(0.0, 1.5, 0.0),
                radius: 6.0,
            },
            ..ExtractPlugin::default()
        },
        ..DefaultPlugins::default()
    });
    // The meshes made in code join the store the asset plugin inserted.
    app.insert_resource(meshes).insert_resource(table);
    if !app.world().contains_resource::<OverlayLines>() {
        app.insert_resource(OverlayLines::default());
    }
    let chain = AssetServer::load_in::<LoadedChain>(app.world(), CHAIN_PATH);
    let checker = AssetServer::load_in::<LoadedTexture>(app.world(), CHECKER_PATH);
    app.insert_resource(DemoAssets {
        chain,
        checker,
        floor_spawned: false,
        row_spawned: false,
        complete_frames: 0,
        failure: None,
    });
    app.add_system(Stage::Update, unload_and_reload)
        .add_system(Stage::Update, spawn_loaded.after(unload_and_reload))
        .add_system(Stage::Update, asset_lines.after(spawn_loaded));
    spawn_scene(app.world_mut(), sphere, cube, pane);
    app.world_mut().insert_resource(FloorMesh(floor));
    app
}

/// The floor's mesh, waiting for its texture.
struct FloorMesh(layerw::engine::render::MeshHandle);

/// What needs no file: the sphere grid, the cubes, the camera and the lights.
fn spawn_scene(
    world: &mut World,
    sphere: layerw::engine::render::MeshHandle,
    cube: layerw::engine::render::MeshHandle,
    plane: layerw::engine::render::MeshHandle,
) {
    for i in 0..15u16 {
        let (row, col) = (i / 5, i % 5);
        let at = Vec3::new(col as f32 * 1.1 - 2.2, 0.5 + (2 - row) as f32 * 1.1, 0.0);
        world.spawn((
            Transform::from_translation(at),
            MeshRef(sphere),
            MaterialIndex(i),
        ));
    }
    for (x, z, angle) in [(-3.6, 1.2, 0.4f32), (3.5, 0.8, -0.7)] {
        world.spawn((
            Transform {
                translation: Vec3::new(x, 0.5, z),
                rotation: Quat::from_rotation_y(angle),
                scale: Vec3::ONE,
            },
            MeshRef(cube),
            MaterialIndex(BLUE_MATERIAL),
        ));
    }
    // A glass pane in front of the right cube.
    world.spawn((
        Transform {
            translation: Vec3::new(2.7, 0.9, 1.9),
            rotation: Quat::from_rotation_y(-0.5) * Quat::from_rotation_x(FRAC_PI_2),
            scale: Vec3::splat(1.6),
        },
        MeshRef(plane),
        MaterialIndex(GLASS_MATERIAL),
    ));
    // Drag with the left button to orbit, scroll to zoom; it starts at (0, 2, 6.5).
    let target = Vec3::new(0.0, 1.6, 0.0);
    let eye = Vec3::new(0.0, 2.0, 6.5);
    world.spawn((
        Transform::from_translation(eye).looking_at(target),
        OrbitCamera {
            target,
            distance: eye.distance(target),
            pitch: ((eye.y - target.y) / eye.distance(target)).asin(),
            ..OrbitCamera::default()
        },
        Camera {
            projection: layerw::components::Projection::Perspective {
                fov_y: 45f32.to_radians(),
            },
            near: 0.1,
            far: 200.0,
        },
    ));
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.5, -0.6, -0.8).normalize(),
        )),
        Sun {
            color: Vec3::new(1.0, 0.96, 0.9),
            intensity: 3.0,
            shadows: true,
        },
    ));
    world.spawn((
        Transform::from_translation(Vec3::new(3.0, 1.2, 2.0)),
        PointLightSource {
            color: Vec3::new(1.0, 0.6, 0.3),
            intensity: 5.0,
            range: 6.0,
        },
    ));
}

/// Spawns the floor once its texture is loaded and the LOD row once the chain is; records a
/// failed load's error.
fn spawn_loaded(
    mut demo: ResMut<DemoAssets>,
    lods: Res<LodAssets>,
    mut textures: ResMut<TextureAssets>,
    floor: Res<FloorMesh>,
    mut commands: Commands,
) {
    if !demo.floor_spawned {
        match textures.load_state(demo.checker) {
            LoadState::Loaded => {
                let maps = textures.add_set(TextureSet {
                    base_color: Some(demo.checker),
                    ..Default::default()
                });
                commands.spawn((
                    Transform::IDENTITY,
                    MeshRef(floor.0),
                    MaterialIndex(FLOOR_MATERIAL),
                    MaterialTextures(maps.expect("the checker is loaded")),
                ));
                demo.floor_spawned = true;
            }
            LoadState::Failed(e) => demo.failure = Some(e.to_string()),
            _ => {}
        }
    }
    if !demo.row_spawned {
        match lods.load_state(demo.chain) {
            LoadState::Loaded => {
                let chain = lods.get(demo.chain).expect("loaded");
                spawn_row(&mut commands, demo.chain, chain.levels[0].mesh);
                demo.row_spawned = true;
            }
            LoadState::Failed(e) => demo.failure = Some(e.to_string()),
            _ => {}
        }
    }
}

/// Spheres from the LOD chain, nearer to farther (finer to coarser levels), and two behind
/// the camera that culling drops.
fn spawn_row(
    commands: &mut Commands,
    chain: LodHandle,
    coarsest: layerw::engine::render::MeshHandle,
) {
    for i in 0..12 {
        let z = -2.0 - 3.0 * (i as f32).powf(1.4);
        let x = if i % 2 == 0 { -5.0 } else { 5.0 };
        commands.spawn((
            Transform::from_translation(Vec3::new(x, 0.6, z)).with_scale(Vec3::splat(0.6)),
            MeshRef(coarsest),
            LodMesh::new(chain),
            MaterialIndex(BLUE_MATERIAL),
            DrawPasses::default(),
            Static,
            ChainSphere,
        ));
    }
    for x in [-2.0, 2.0] {
        commands.spawn((
            Transform::from_translation(Vec3::new(x, 0.5, 14.0)),
            MeshRef(coarsest),
            LodMesh::new(chain),
            MaterialIndex(BLUE_MATERIAL),
            DrawPasses::default(),
            ChainSphere,
        ));
    }
}

/// U: despawns the LOD row and unloads the chain (its level meshes too; the renderer frees
/// their GPU buffers at its next sync). L: loads the chain again (the row comes back when it
/// is in).
fn unload_and_reload(
    keys: Res<Keyboard>,
    mut demo: ResMut<DemoAssets>,
    mut server: ResMut<AssetServer>,
    mut lods: ResMut<LodAssets>,
    mut meshes: ResMut<MeshAssets>,
    mut spheres: Query<(Entity, &ChainSphere)>,
    mut commands: Commands,
) {
    if keys.just_pressed(UNLOAD_KEY) && lods.load_state(demo.chain) != LoadState::Unloaded {
        for (entity, _) in spheres.iter() {
            commands.despawn(entity);
        }
        lods.remove(demo.chain, &mut meshes);
        demo.row_spawned = false;
    }
    if keys.just_pressed(LOAD_KEY) && lods.load_state(demo.chain) == LoadState::Unloaded {
        demo.chain = server.load::<LoadedChain>(&mut lods, CHAIN_PATH);
    }
}

/// The overlay's asset lines: the chain's state, the server's counts and the GPU residency.
fn asset_lines(
    demo: Res<DemoAssets>,
    lods: Res<LodAssets>,
    server: Res<AssetServer>,
    residency: Option<Res<GpuResidency>>,
    mut lines: ResMut<OverlayLines>,
) {
    let state = match lods.load_state(demo.chain) {
        LoadState::Loading => "loading".to_owned(),
        LoadState::Loaded => "loaded".to_owned(),
        LoadState::Unloaded => "unloaded".to_owned(),
        LoadState::Failed(e) => format!("failed: {e}"),
        _ => "unknown".to_owned(),
    };
    let progress = server.progress();
    lines.set(
        "assets",
        format!(
            "assets: chain {state} ({} loaded, {} failed, {} pending; U unload, L load)",
            progress.loaded, progress.failed, progress.pending
        ),
    );
    if let Some(residency) = residency {
        let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
        lines.set(
            "gpu",
            format!(
                "gpu: {} meshes {:.2} MiB, {} textures {:.2} MiB",
                residency.meshes,
                mib(residency.mesh_bytes),
                residency.textures,
                mib(residency.texture_bytes)
            ),
        );
    }
}

/// A frame hook (add it after the default plugins, so it runs after the renderer's): counts
/// the frames that end with every load done and everything spawned, asks for `screenshot` at
/// the end of the first (so the second is saved), and sends [`AppExit`] at the end of frame
/// `exit_after` of them, or at once when a load failed. The number of frames after loading is
/// fixed, whenever the files arrive.
pub fn capture(
    mut screenshot: Option<PathBuf>,
    exit_after: Option<u32>,
) -> impl FnMut(&mut World) + 'static {
    move |world| {
        let (complete, failed) = {
            let Ok(mut demo) = world.try_resource_mut::<DemoAssets>() else {
                return;
            };
            let done = world
                .try_resource::<AssetServer>()
                .is_ok_and(|s| s.progress().is_done());
            let complete = done && demo.floor_spawned && demo.row_spawned;
            if complete {
                demo.complete_frames = demo.complete_frames.saturating_add(1);
            }
            (
                complete.then_some(demo.complete_frames),
                demo.failure.is_some(),
            )
        };
        if complete == Some(1)
            && let Some(path) = screenshot.take()
        {
            world.insert_resource(Screenshot { path });
        }
        let finished = exit_after.is_some_and(|n| complete.is_some_and(|c| c >= n));
        if (failed && exit_after.is_some()) || finished {
            world.resource_mut::<Events<AppExit>>().send(AppExit);
        }
    }
}
