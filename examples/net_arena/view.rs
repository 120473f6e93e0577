//! The client's drawing: the floor and walls, a cube for every player (the local one blue, the
//! others orange), a sphere for every item, a top-down camera following the local player, and
//! the stats overlay with the network line (F3 toggles it).

use layerw::components::{Camera, MaterialIndex, MeshRef, Sun, Transform};
use layerw::engine::render::{
    MaterialParams, Materials, Mesh, MeshAssets, OverlayLines, RenderQueue, StatsOverlay,
};
use layerw::prelude::*;
use layerw::systems::{extract_render, toggle_stats_overlay};

use crate::game::{ARENA_HALF, ITEM_RADIUS, Kind, PLAYER_HALF, Score};

/// The internal resolution (the web page's canvas has the same size).
pub const RESOLUTION: UVec2 = UVec2::new(960, 540);

const FLOOR: u16 = 0;
const WALL: u16 = 1;
const LOCAL_PLAYER: u16 = 2;
const OTHER_PLAYER: u16 = 3;
const ITEM: u16 = 4;
/// Where the camera sits relative to the player it follows.
const CAMERA_OFFSET: Vec3 = Vec3::new(0.0, 13.0, 8.0);
/// Time constant of the camera's catching up, seconds.
const CAMERA_LAG: f32 = 0.15;

/// The meshes replicated entities are drawn with.
#[derive(Clone, Copy)]
struct Shapes {
    cube: MeshRef,
    sphere: MeshRef,
}

/// Adds the arena's look to a client `app` (after its `ClientPlugin`: the camera follows the
/// player once the plugin's smoothing placed it).
pub fn add_view(app: &mut App) {
    let mut meshes = MeshAssets::default();
    let cube = MeshRef(meshes.add(Mesh::cube(1.0)).expect("a valid mesh"));
    let sphere = MeshRef(
        meshes
            .add(Mesh::sphere(ITEM_RADIUS, 24, 12))
            .expect("a valid mesh"),
    );
    let floor = MeshRef(
        meshes
            .add(Mesh::plane(2.0 * ARENA_HALF))
            .expect("a valid mesh"),
    );
    // Four low walls along the arena's edges (instances scale uniformly: the walls' shapes
    // are in their meshes).
    let (long, height, thick) = (2.0 * ARENA_HALF + 0.6, 0.6, 0.3);
    let along_x = MeshRef(
        meshes
            .add(Mesh::cuboid(Vec3::new(long, height, thick)))
            .expect("valid"),
    );
    let along_z = MeshRef(
        meshes
            .add(Mesh::cuboid(Vec3::new(thick, height, long)))
            .expect("valid"),
    );
    let color = |r, g, b, roughness, metallic| MaterialParams {
        base_color: Vec4::new(r, g, b, 1.0),
        roughness,
        metallic,
        ..Default::default()
    };
    let mut materials = Materials::default();
    materials
        .set(vec![
            color(0.3, 0.32, 0.36, 0.9, 0.0),  // FLOOR
            color(0.15, 0.16, 0.2, 0.7, 0.0),  // WALL
            color(0.15, 0.4, 0.95, 0.4, 0.0),  // LOCAL_PLAYER
            color(0.95, 0.45, 0.12, 0.4, 0.0), // OTHER_PLAYER
            color(1.0, 0.75, 0.15, 0.35, 0.0), // ITEM
        ])
        .expect("5 materials fit");
    app.set_window(WindowConfig {
        title: "Layer-W net_arena".into(),
        size: RESOLUTION,
        internal_resolution: RESOLUTION,
        ..WindowConfig::default()
    });
    app.insert_resource(meshes)
        .insert_resource(materials)
        .insert_resource(Shapes { cube, sphere })
        // Font pixels at 1:1: the network line is long.
        .insert_resource(StatsOverlay {
            visible: true,
            scale: 1,
        });
    let mut queue = RenderQueue::new();
    queue.shadow_bounds = (Vec3::ZERO, ARENA_HALF * 1.5);
    app.insert_resource(queue);
    let edge = ARENA_HALF + thick / 2.0;
    let world = app.world_mut();
    world.spawn((Transform::IDENTITY, floor, MaterialIndex(FLOOR)));
    for (x, z, wall) in [
        (0.0, -edge, along_x),
        (0.0, edge, along_x),
        (-edge, 0.0, along_z),
        (edge, 0.0, along_z),
    ] {
        world.spawn((
            Transform::from_translation(Vec3::new(x, height / 2.0, z)),
            wall,
            MaterialIndex(WALL),
        ));
    }
    world.spawn((
        Transform::from_translation(CAMERA_OFFSET).looking_at(Vec3::ZERO),
        Camera::default(),
    ));
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.4, -1.0, -0.5).normalize(),
        )),
        Sun {
            color: Vec3::new(1.0, 0.96, 0.9),
            intensity: 3.0,
            shadows: true,
        },
    ));
    app.add_system(Stage::Update, toggle_stats_overlay(KeyCode::F3))
        .add_system(Stage::Update, dress)
        .add_system(Stage::Update, place_remote)
        .add_system(Stage::Update, follow_camera.last())
        .add_system(Stage::Update, score_line)
        .add_system(Stage::Render, extract_render());
}

/// Turns the sun's shadows off (cheaper frames on software rasterisers).
#[cfg(target_arch = "wasm32")]
pub fn without_shadows(world: &mut World) {
    for sun in world.query_mut::<&mut Sun>() {
        sun.shadows = false;
    }
}

/// Gives every newly replicated entity its mesh, material and transform.
fn dress(
    mut new: Query<Without<(Entity, &Kind, &Position), &MeshRef>>,
    shapes: Res<Shapes>,
    mut commands: Commands,
) {
    for (entity, kind, position) in new.iter() {
        let (mesh, material) = match kind {
            Kind::Item => (shapes.sphere, ITEM),
            Kind::Player { .. } => (shapes.cube, OTHER_PLAYER),
        };
        commands.insert(
            entity,
            (
                mesh,
                MaterialIndex(material),
                Transform::from_translation(position.0),
            ),
        );
    }
}

/// Remote players and items are drawn where the interpolation put them; the local player is
/// drawn by the client plugin's smoothing (its prediction with corrections smoothed out) and
/// is blue.
#[expect(clippy::type_complexity, reason = "one query's tuple")]
fn place_remote(
    mut shown: Query<(
        &Kind,
        &Position,
        &Rotation,
        &mut Transform,
        &mut MaterialIndex,
        Option<&Predicted>,
    )>,
) {
    for (kind, position, rotation, transform, material, predicted) in shown.iter() {
        if let Kind::Player { .. } = kind {
            material.0 = if predicted.is_some() {
                LOCAL_PLAYER
            } else {
                OTHER_PLAYER
            };
        }
        if predicted.is_none() {
            transform.translation = position.0;
            transform.rotation = rotation.0;
        }
    }
}

/// The camera looks down at the local player from behind, catching up with a short lag.
fn follow_camera(
    mut placed: Query<(&mut Transform, Option<&Predicted>, Option<&Camera>)>,
    dt: Delta,
) {
    let target = placed
        .iter()
        .find(|(_, predicted, _)| predicted.is_some())
        .map(|(t, _, _)| t.translation);
    let Some(target) = target else {
        return;
    };
    let follow = 1.0 - (-dt.seconds() / CAMERA_LAG).exp();
    for (transform, _, camera) in placed.iter() {
        if camera.is_none() {
            continue;
        }
        let looked_at = transform.translation - CAMERA_OFFSET;
        let focus = looked_at.lerp(target - Vec3::Y * PLAYER_HALF, follow);
        *transform = Transform::from_translation(focus + CAMERA_OFFSET).looking_at(focus);
    }
}

/// The overlay's arena line: this player's score and who else is here.
fn score_line(
    mut players: Query<(&Kind, Option<&Score>, Option<&Predicted>)>,
    mut lines: ResMut<OverlayLines>,
) {
    let mut own = None;
    let mut others = 0;
    for (kind, score, predicted) in players.iter() {
        if let Kind::Player { .. } = kind {
            if predicted.is_some() {
                own = Some(score.map_or(0, |s| s.0));
            } else {
                others += 1;
            }
        }
    }
    let line = match own {
        Some(score) => format!("arena: score {score}, {others} other player(s)"),
        None => "arena: waiting for the server".to_owned(),
    };
    lines.set("arena", line);
}
