//! Plugins: a headless 3D app from `HeadlessPlugins` plus a game system, run for frames; a
//! plugin added twice is built once; plugins that add their dependencies; a dependency added
//! first with its own settings keeps them.

use std::sync::atomic::{AtomicUsize, Ordering};

use glam::{Quat, Vec3};
use layerw_components::{Camera, LodMesh, MaterialIndex, MeshRef, Sun, Transform};
use layerw_engine::app::{App, HeadlessRun, Plugin, StopReason};
use layerw_engine::lod::{LodAssets, LodChain, LodSettings};
use layerw_engine::render::{Mesh, MeshAssets, RenderQueue, StatsOverlay};
use layerw_engine::schedule::{Stage, System, Time};
use layerw_systems::{
    CullPlugin, CullStats, DiagnosticsPlugin, ExtractPlugin, FrameTimes, HeadlessPlugins,
    LodPlugin, ShadowBounds,
};

/// Moves along +X at one metre per second.
struct Walker;

#[test]
fn headless_plugins_run_a_game_system_and_the_scene_stages() {
    let mut app = App::new();
    app.add_plugin(HeadlessPlugins {
        run: Some(HeadlessRun::frames(30)),
        ..HeadlessPlugins::default()
    });
    // The plugins made the stores; the game fills them.
    let chain = LodChain::from_bytes(include_bytes!("../../assets/sphere48.lwlod")).unwrap();
    let (cube, sphere) = {
        let world = app.world_mut();
        let mut meshes = world.resource_mut::<MeshAssets>();
        let cube = meshes.add(Mesh::cube(1.0)).unwrap();
        let sphere = world
            .resource_mut::<LodAssets>()
            .add(chain, &mut meshes)
            .unwrap();
        (cube, sphere)
    };
    let world = app.world_mut();
    let walker = world.spawn((Transform::IDENTITY, MeshRef(cube), MaterialIndex(0), Walker));
    // Behind the camera: culled.
    world.spawn((
        Transform::from_translation(Vec3::new(0.0, 0.0, 30.0)),
        MeshRef(cube),
    ));
    // LOD spheres, near and far.
    let near = world.spawn((
        Transform::from_translation(Vec3::new(0.0, 0.0, 3.0)),
        MeshRef(cube),
        LodMesh::new(sphere),
    ));
    let far = world.spawn((
        Transform::from_translation(Vec3::new(0.0, 0.0, -150.0)),
        MeshRef(cube),
        LodMesh::new(sphere),
    ));
    world.spawn((
        Transform::from_translation(Vec3::new(0.0, 0.0, 8.0)),
        Camera::default(),
    ));
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(Vec3::NEG_Z, Vec3::NEG_Y)),
        // No shadows: the render queue then holds what the camera sees, nothing more.
        Sun {
            color: Vec3::ONE,
            intensity: 1.0,
            shadows: false,
        },
    ));
    app.add_system(
        Stage::Update,
        System::new("walk", |ctx| {
            let dt = ctx.resource::<Time>().delta_seconds() as f32;
            for (t, _) in ctx.query::<(&mut Transform, &Walker)>().iter() {
                t.translation.x += dt;
            }
        })
        .reads_resource::<Time>()
        .writes::<Transform>()
        .reads::<Walker>(),
    );

    let report = app.run_headless(HeadlessRun::frames(30));
    assert_eq!((report.frames, report.reason), (30, StopReason::FrameLimit));
    let world = app.world();
    // The game system ran every frame: 30 frames of 1/60 s.
    let x = world.get::<Transform>(walker).unwrap().translation.x;
    assert!((x - 0.5).abs() < 1e-4, "walked {x}");
    // Culling dropped the entity behind the camera; the render queue holds the other three.
    assert_eq!(world.resource::<CullStats>().visible, 3);
    assert_eq!(world.resource::<RenderQueue>().instance_count(), 3);
    // LOD chose a finer level near the camera than far away (0 is the coarsest).
    let level = |e| world.get::<LodMesh>(e).unwrap().level;
    assert!(
        level(near) > level(far),
        "near {} far {}",
        level(near),
        level(far)
    );
    // The shadow volume was fitted around every mesh: from z = -150 to z = 30.
    let (center, radius) = world.resource::<RenderQueue>().shadow_bounds;
    assert!(
        radius > 90.0 && (center.z + 60.0).abs() < 2.0,
        "{center} {radius}"
    );
    // Diagnostics came with the set, overlay hidden, and a frame time for every frame after
    // the first.
    assert!(!world.resource::<StatsOverlay>().visible);
    assert_eq!(world.resource::<FrameTimes>().len(), 29);
}

#[test]
fn headless_plugins_run_headless_as_configured() {
    let mut app = App::new();
    app.add_plugin(HeadlessPlugins {
        run: Some(HeadlessRun::frames(4)),
        ..HeadlessPlugins::default()
    });
    let report = app.run().unwrap();
    assert_eq!((report.frames, report.reason), (4, StopReason::FrameLimit));
}

static BUILDS: AtomicUsize = AtomicUsize::new(0);

/// Counts its builds in a resource (and in `BUILDS`).
struct Counted;

struct CountedBuilds(u32);

impl Plugin for Counted {
    fn build(&self, app: &mut App) {
        BUILDS.fetch_add(1, Ordering::SeqCst);
        let builds = app
            .world()
            .try_resource::<CountedBuilds>()
            .map_or(0, |b| b.0);
        app.insert_resource(CountedBuilds(builds + 1));
        app.add_system(Stage::Update, System::new("counted", |_| {}));
    }
}

/// Depends on `Counted`.
struct NeedsCounted;

impl Plugin for NeedsCounted {
    fn build(&self, app: &mut App) {
        app.add_plugin(Counted);
        app.add_system(Stage::Update, System::new("needs counted", |_| {}));
    }
}

#[test]
fn a_plugin_added_twice_is_built_once_and_dependencies_are_added_once() {
    let before = BUILDS.load(Ordering::SeqCst);
    let mut app = App::new();
    app.add_plugin(NeedsCounted)
        .add_plugin(Counted)
        .add_plugin(NeedsCounted);
    assert_eq!(app.world().resource::<CountedBuilds>().0, 1);
    assert_eq!(BUILDS.load(Ordering::SeqCst) - before, 1);
    let names: Vec<&str> = app
        .schedule()
        .systems(Stage::Update)
        .map(|s| s.name())
        .collect();
    assert_eq!(names, ["counted", "needs counted"]);
    assert!(app.has_plugin(core::any::type_name::<Counted>()));
    assert!(app.has_plugin(core::any::type_name::<NeedsCounted>()));
}

#[test]
fn engine_plugins_add_their_dependency_once() {
    let mut app = App::new();
    app.add_plugin(CullPlugin).add_plugin(LodPlugin::default());
    assert!(app.has_plugin(core::any::type_name::<ExtractPlugin>()));
    // One extraction, one shadow fit, however many plugins asked for them.
    let count = |stage, name| {
        app.schedule()
            .systems(stage)
            .filter(|s| s.name() == name)
            .count()
    };
    assert_eq!(count(Stage::Render, "layerw::extract_render"), 1);
    assert_eq!(count(Stage::Culling, "layerw::fit_shadow_bounds"), 1);
    // The shadow volume is fitted before culling reads it.
    let culling: Vec<&str> = app
        .schedule()
        .systems(Stage::Culling)
        .map(|s| s.name())
        .collect();
    assert_eq!(culling, ["layerw::fit_shadow_bounds", "layerw::cull"]);
    assert!(app.world().contains_resource::<MeshAssets>());
    assert!(app.world().contains_resource::<LodAssets>());
    assert!(app.world().contains_resource::<CullStats>());
}

#[test]
fn a_dependency_added_first_keeps_its_settings() {
    let fixed = ShadowBounds::Fixed {
        center: Vec3::new(1.0, 2.0, 3.0),
        radius: 4.0,
    };
    let mut app = App::new();
    app.add_plugin(ExtractPlugin {
        shadow_bounds: fixed,
        camera_controls: false,
    })
    .add_plugin(CullPlugin);
    assert_eq!(*app.world().resource::<ShadowBounds>(), fixed);
    assert_eq!(
        app.schedule().system_count(Stage::Update),
        0,
        "no camera controls"
    );
    app.update(1.0 / 60.0);
    assert_eq!(
        app.world().resource::<RenderQueue>().shadow_bounds,
        (Vec3::new(1.0, 2.0, 3.0), 4.0)
    );
}

#[test]
fn asset_stores_the_app_inserted_are_kept() {
    let mut meshes = MeshAssets::default();
    let cube = meshes.add(Mesh::cube(1.0)).unwrap();
    let mut app = App::new();
    app.insert_resource(meshes)
        .add_plugin(ExtractPlugin::default());
    assert!(app.world().resource::<MeshAssets>().bounds(cube).is_some());
}

#[test]
fn a_triangle_budget_runs_after_culling_and_the_overlay_starts_as_set() {
    let mut app = App::new();
    app.add_plugin(CullPlugin)
        .add_plugin(LodPlugin {
            settings: LodSettings::default().with_triangle_budget(Some(1000)),
        })
        .add_plugin(DiagnosticsPlugin {
            overlay: true,
            toggle_key: None,
            memory_report_every: None,
            frame_times: None,
        });
    let culling: Vec<&str> = app
        .schedule()
        .systems(Stage::Culling)
        .map(|s| s.name())
        .collect();
    assert_eq!(
        culling,
        [
            "layerw::fit_shadow_bounds",
            "layerw::cull",
            "layerw::lod_budget"
        ]
    );
    assert!(app.world().resource::<StatsOverlay>().visible);
    assert_eq!(app.schedule().system_count(Stage::NetSend), 0);
}
