//! World cells join and leave the culling BVH: through the App (`HeadlessPlugins` with
//! culling, `StreamPlugin` with cell radii) a cell's static entities are spawned when the
//! camera comes near, indexed in the static BVH once their meshes are resident, despawned
//! when the camera moves past the unload radius and gone from the BVH too, and both again
//! when the camera comes back.

use glam::{Quat, Vec3, Vec4};
use layerw_components::{Camera, CullIndexed, Static, Transform};
use layerw_engine::app::App;
use layerw_engine::lod::{LodChain, LodLevel};
use layerw_engine::render::Mesh;
use layerw_engine::stream::{
    MemoryIo, PackEntity, PackMaterial, PackWriter, StreamSettings, Streamer,
};
use layerw_systems::{CellRadii, CullStats, HeadlessPlugins, StreamPlugin, StreamedCell};

const CELL: f32 = 20.0;
const FRAME: f64 = 1.0 / 60.0;
/// Static entities in the pack's one occupied cell (and one dynamic entity beside them).
const STATICS: u32 = 3;
/// Frames before a step is given up.
const FRAME_LIMIT: usize = 600;
/// Where the camera goes: far past the unload radius of the cell at the origin.
const FAR_AWAY: Vec3 = Vec3::new(500.0, 3.0, 0.0);
const HOME: Vec3 = Vec3::new(10.0, 3.0, 5.0);

/// A pack with one cell's entities in front of the camera's home: three static spheres and
/// one dynamic one, two levels each.
fn pack_io() -> MemoryIo {
    let mut writer = PackWriter::in_memory(CELL).unwrap();
    let chain = LodChain::new(vec![
        LodLevel::new(Mesh::sphere(1.0, 8, 4), 0.2),
        LodLevel::new(Mesh::sphere(1.0, 24, 12), 0.0),
    ])
    .unwrap();
    let mesh = writer.add_mesh(&chain).unwrap();
    let material = writer
        .add_material(PackMaterial {
            base_color: Vec4::new(0.8, 0.3, 0.2, 1.0),
            emissive: Vec3::ZERO,
            metallic: 0.0,
            roughness: 0.6,
            base_color_texture: None,
            normal_texture: None,
            ..PackMaterial::default()
        })
        .unwrap();
    for k in 0..=STATICS {
        writer
            .add_entity(PackEntity {
                mesh,
                material,
                translation: Vec3::new(3.0 + 4.0 * k as f32, 0.0, -10.0),
                rotation: Quat::IDENTITY,
                scale: Vec3::ONE,
                is_static: k < STATICS,
            })
            .unwrap();
    }
    let pack = writer.finish().unwrap();
    MemoryIo::from_pack(pack)
}

fn app() -> App {
    let mut app = App::new();
    app.add_plugin(HeadlessPlugins {
        log: None,
        diagnostics: None,
        ..HeadlessPlugins::default()
    });
    app.add_plugin(
        StreamPlugin::new(pack_io(), StreamSettings::new(64 << 20)).with_cells(CellRadii {
            load: 30.0,
            unload: 60.0,
        }),
    );
    app.world_mut().spawn((
        Transform::from_translation(HOME).looking_at(Vec3::new(10.0, 0.0, -10.0)),
        Camera {
            far: 400.0,
            ..Camera::default()
        },
    ));
    app
}

/// What the world holds of the cell: (streamed entities, of which static, of which indexed).
fn cell_entities(app: &mut App) -> (u32, u32, u32) {
    let world = app.world_mut();
    let mut counts = (0, 0, 0);
    for (_, is_static, indexed) in world
        .query::<(&StreamedCell, Option<&Static>, Option<&CullIndexed>)>()
        .iter()
    {
        counts.0 += 1;
        counts.1 += u32::from(is_static.is_some());
        counts.2 += u32::from(indexed.is_some());
    }
    counts
}

fn cull_stats(app: &App) -> CullStats {
    *app.world().resource::<CullStats>()
}

fn move_camera(app: &mut App, to: Vec3) {
    for (t, _) in app.world_mut().query::<(&mut Transform, &Camera)>().iter() {
        t.translation = to;
    }
}

/// Runs frames until `done` holds (at most [`FRAME_LIMIT`]); the frames it took.
fn until(app: &mut App, what: &str, mut done: impl FnMut(&mut App) -> bool) -> usize {
    for frame in 0..FRAME_LIMIT {
        app.update(FRAME);
        if done(app) {
            return frame + 1;
        }
        // Decoding runs on rayon's pool natively: give it time between frames.
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let progress = app.world().resource::<Streamer>().progress().clone();
    panic!(
        "{what} within {FRAME_LIMIT} frames: cell entities {:?}, {:?}, {progress:?}",
        cell_entities(app),
        cull_stats(app)
    );
}

/// The cell is in: its entities spawned, its statics in the BVH, culling sees them.
fn cell_is_in(app: &mut App) -> bool {
    let stats = cull_stats(app);
    cell_entities(app) == (STATICS + 1, STATICS, STATICS)
        && stats.indexed == STATICS
        && stats.visible == STATICS + 1
}

/// The cell is out: no entity of it left, nothing in the BVH, nothing seen.
fn cell_is_out(app: &mut App) -> bool {
    let stats = cull_stats(app);
    cell_entities(app).0 == 0 && stats.indexed == 0 && stats.visible == 0
}

#[test]
fn a_cells_statics_join_the_bvh_leave_it_when_the_cell_unloads_and_come_back() {
    let mut app = app();
    let first = until(&mut app, "the cell's statics were indexed", cell_is_in);
    assert_eq!(
        app.world().resource::<Streamer>().progress().cells_loaded,
        1
    );

    // Past the unload radius: the cell unloads, its entities are despawned (commands) and the
    // BVH lets go of its statics.
    move_camera(&mut app, FAR_AWAY);
    let left = until(&mut app, "the cell's statics left the BVH", cell_is_out);
    assert_eq!(
        app.world().resource::<Streamer>().progress().cells_loaded,
        0
    );
    // A few more frames far away: nothing comes back by itself.
    for _ in 0..10 {
        app.update(FRAME);
        assert!(cell_is_out(&mut app), "{:?}", cull_stats(&app));
    }

    // Back home: the cell loads again and its statics are indexed again (the same count: no
    // stale entries of the first spawn left in the BVH).
    move_camera(&mut app, HOME);
    let again = until(
        &mut app,
        "the cell's statics were indexed again",
        cell_is_in,
    );
    println!("frames: cell in after {first}, out after {left}, in again after {again}");
}
