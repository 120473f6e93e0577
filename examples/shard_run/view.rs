//! What a client draws: the floor and walls, the streamed rocks, pillars and crystals, a
//! glowing shard for every shard (golden ones gold), a runner's body (CesiumMan from the pack,
//! walking while it runs) on a coloured ring (blue: you, orange: other players, red: bots), and
//! a camera behind the local runner. The hum of the shards and the sounds are in `hud.rs`.

use std::sync::Arc;

use layerw::components::{
    Animator, Camera, JointMatrices, MaterialIndex, MaterialTextures, MeshRef, Projection,
    SkinnedMeshRef, Static, Sun, Transform,
};
use layerw::engine::render::{MaterialParams, Materials, Mesh, MeshAssets, SkinnedMeshes};
use layerw::engine::stream::Streamer;
use layerw::net::client::SMOOTHING_SYSTEM;
use layerw::prelude::*;
use layerw::systems::{animate, toggle_stats_overlay};

use crate::components::{ARENA_HALF, Kind, SHARD_HEIGHT};

const FLOOR: u16 = 0;
const WALL: u16 = 1;
const SHARD: u16 = 2;
const GOLDEN: u16 = 3;
const RING_LOCAL: u16 = 4;
const RING_PLAYER: u16 = 5;
const RING_BOT: u16 = 6;
/// Where the camera sits relative to the runner it follows.
const CAMERA_OFFSET: Vec3 = Vec3::new(0.0, 8.0, 9.5);
/// Time constant of the camera's catching up, seconds.
const CAMERA_LAG: f32 = 0.12;

fn materials() -> Vec<MaterialParams> {
    let color = |r, g, b, roughness| MaterialParams {
        base_color: Vec4::new(r, g, b, 1.0),
        roughness,
        ..Default::default()
    };
    let glow = |r, g, b, strength: f32| MaterialParams {
        base_color: Vec4::new(r, g, b, 1.0),
        emissive: Vec3::new(r, g, b) * strength,
        roughness: 0.3,
        ..Default::default()
    };
    vec![
        color(0.11, 0.12, 0.1, 0.95), // FLOOR
        color(0.08, 0.08, 0.1, 0.7),  // WALL
        glow(0.1, 0.6, 1.0, 1.6),     // SHARD
        glow(1.0, 0.6, 0.1, 2.0),     // GOLDEN
        glow(0.1, 0.35, 1.0, 1.2),    // RING_LOCAL
        glow(1.0, 0.45, 0.1, 1.0),    // RING_PLAYER
        glow(0.9, 0.1, 0.1, 0.8),     // RING_BOT
    ]
}

/// The meshes replicated entities are drawn with.
#[derive(Clone, Copy)]
struct Shapes {
    shard: MeshRef,
    ring: MeshRef,
}

/// The pack's character, once its manifest is in: what every runner's body is made of.
#[derive(Clone)]
struct Character {
    mesh: layerw::engine::render::SkinnedMeshHandle,
    animator: Animator,
    material: u16,
    textures: Option<MaterialTextures>,
    /// The pack's placement of the model (its turn and scale).
    rotation: Quat,
    scale: Vec3,
}

/// A runner's body: the animated character standing on `runner`.
struct Body {
    runner: Entity,
    last: Vec3,
}

/// Marks a runner that has its body.
struct Embodied;

/// A flat ring marker (a squashed sphere) of radius `r`.
fn ring(r: f32) -> Mesh {
    let mut mesh = Mesh::sphere(1.0, 32, 8);
    for p in &mut mesh.positions {
        *p *= Vec3::new(r, 0.03, r);
    }
    mesh
}

/// The client's look as a plugin: add it after `DefaultPlugins`, `StreamPlugin` and the
/// `ShardClient`.
pub struct ShardView;

impl Plugin for ShardView {
    fn build(&self, app: &mut App) {
        let world = app.world_mut();
        let (shapes, floor, along_x, along_z) = {
            let mut meshes = world.resource_mut::<MeshAssets>();
            let mut add = |mesh: Mesh| MeshRef(meshes.add(mesh).expect("a valid mesh"));
            let long = 2.0 * ARENA_HALF + 1.0;
            (
                Shapes {
                    shard: add(Mesh::sphere(0.32, 4, 2)),
                    ring: add(ring(0.55)),
                },
                add(Mesh::grid(2.0 * ARENA_HALF + 40.0, 8, |_, _| 0.0)),
                add(Mesh::cuboid(Vec3::new(long, 0.8, 0.5))),
                add(Mesh::cuboid(Vec3::new(0.5, 0.8, long))),
            )
        };
        // The pack's materials are appended after these by the streamer.
        world
            .resource_mut::<Materials>()
            .set(materials())
            .expect("a few materials fit");
        world.spawn((Transform::IDENTITY, floor, MaterialIndex(FLOOR), Static));
        let edge = ARENA_HALF + 0.25;
        for (x, z, wall) in [
            (0.0, -edge, along_x),
            (0.0, edge, along_x),
            (-edge, 0.0, along_z),
            (edge, 0.0, along_z),
        ] {
            world.spawn((
                Transform::from_translation(Vec3::new(x, 0.4, z)),
                wall,
                MaterialIndex(WALL),
                Static,
            ));
        }
        world.spawn((
            Transform::from_translation(CAMERA_OFFSET).looking_at(Vec3::ZERO),
            Camera {
                projection: Projection::Perspective {
                    fov_y: 50f32.to_radians(),
                },
                near: 0.1,
                far: 200.0,
            },
            AudioListener,
        ));
        world.spawn((
            Transform::from_rotation(Quat::from_rotation_arc(
                Vec3::NEG_Z,
                Vec3::new(-0.45, -0.8, -0.4).normalize(),
            )),
            Sun {
                color: Vec3::new(1.0, 0.93, 0.82),
                intensity: 2.6,
                shadows: true,
            },
        ));
        if !world.contains_resource::<SkinnedMeshes>() {
            world.insert_resource(SkinnedMeshes::default());
        }
        app.insert_resource(shapes)
            .insert_resource(None::<Character>)
            .add_system(Stage::Update, toggle_stats_overlay(KeyCode::F3))
            .add_system(Stage::Update, take_character)
            .add_system(Stage::Update, dress)
            .add_system(Stage::Update, place_remote)
            .add_system(Stage::Update, spin_shards)
            .add_system(Stage::Update, embody.after(take_character))
            // After the client's smoothing has placed the local runner this frame.
            .add_system(Stage::Update, follow_camera.last().after(SMOOTHING_SYSTEM))
            .add_system(Stage::Update, walk_bodies.last().after(SMOOTHING_SYSTEM))
            .add_system(Stage::Update, animate().after(walk_bodies));
    }
}

/// Makes the pack's skinned character once its manifest is in (skinned entities are not in
/// world cells: a game spawns them from the manifest).
fn take_character(
    streamer: Res<Streamer>,
    mut character: ResMut<Option<Character>>,
    mut skinned: ResMut<SkinnedMeshes>,
) {
    if character.is_some() {
        return;
    }
    let Some(manifest) = streamer.manifest() else {
        return;
    };
    let animation = &manifest.animation;
    let Some(entity) = animation.skinned_entities.first() else {
        return;
    };
    let placed = &animation.skinned_meshes[entity.mesh as usize];
    let (Some(clip), Some(material)) = (
        animation.clips_of(placed.skin).next(),
        streamer.material(entity.material),
    ) else {
        return;
    };
    let Ok(mesh) = skinned.add(placed.mesh.clone()) else {
        return;
    };
    let skeleton = Arc::new(animation.skins[placed.skin as usize].clone());
    *character = Some(Character {
        mesh,
        animator: Animator::new(skeleton, Arc::new(clip.clone())),
        material,
        textures: streamer
            .material_textures(entity.material)
            .map(MaterialTextures),
        rotation: entity.rotation,
        scale: entity.scale,
    });
}

/// Gives every newly replicated shard and runner its mesh, material and transform.
fn dress(
    mut new: Query<Without<(Entity, &Kind, &Position), &MeshRef>>,
    shapes: Res<Shapes>,
    mut commands: Commands,
) {
    for (entity, kind, position) in new.iter() {
        let (mesh, material) = match kind {
            Kind::Shard { golden } => (shapes.shard, if *golden { GOLDEN } else { SHARD }),
            Kind::Player { .. } => (shapes.ring, RING_PLAYER),
            Kind::Bot { .. } => (shapes.ring, RING_BOT),
            Kind::Round => continue,
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

/// Interpolated runners and shards are drawn where the interpolation put them; the local
/// runner is placed by the client plugin's smoothing and has the blue ring.
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
        match kind {
            Kind::Player { .. } if predicted.is_some() => material.0 = RING_LOCAL,
            Kind::Shard { golden } => material.0 = if *golden { GOLDEN } else { SHARD },
            _ => {}
        }
        if predicted.is_none() {
            transform.translation = position.0;
            if kind.is_runner() {
                transform.rotation = rotation.0;
            }
        }
    }
}

/// Shards turn and bob.
fn spin_shards(mut shards: Query<(&Kind, &Position, &mut Transform)>, time: Res<Time>) {
    let t = time.elapsed_seconds() as f32;
    for (kind, position, transform) in shards.iter() {
        if let Kind::Shard { .. } = kind {
            let phase = position.0.x * 0.7 + position.0.z * 0.3;
            transform.translation.y = SHARD_HEIGHT + 0.15 * (2.0 * t + phase).sin();
            transform.rotation = Quat::from_rotation_y(1.5 * t + phase);
        }
    }
}

/// A body for every runner without one, once the character is in.
fn embody(
    mut runners: Query<Without<(Entity, &Kind, &Transform), &Embodied>>,
    character: Res<Option<Character>>,
    mut commands: Commands,
) {
    let Some(character) = character.as_ref() else {
        return;
    };
    for (entity, kind, transform) in runners.iter() {
        if !kind.is_runner() {
            continue;
        }
        commands.insert_one(entity, Embodied);
        let mut animator = character.animator.clone();
        // Each body's walk starts at another point of the cycle.
        animator.time = (entity.id() % 7) as f32 * 0.13;
        let transform = Transform::from_translation(transform.translation);
        let body = Body {
            runner: entity,
            last: transform.translation,
        };
        let (mesh, material) = (
            SkinnedMeshRef(character.mesh),
            MaterialIndex(character.material),
        );
        match character.textures {
            Some(textures) => commands.spawn((
                transform,
                mesh,
                animator,
                JointMatrices::default(),
                material,
                body,
                textures,
            )),
            None => commands.spawn((
                transform,
                mesh,
                animator,
                JointMatrices::default(),
                material,
                body,
            )),
        };
    }
}

/// Bodies stand on their runners, facing where they run, and walk while they move; a body
/// whose runner is gone goes too.
#[expect(clippy::type_complexity, reason = "one query's tuple")]
fn walk_bodies(
    mut things: Query<(
        Entity,
        &mut Transform,
        Option<&Kind>,
        Option<&mut Body>,
        Option<&mut Animator>,
    )>,
    character: Res<Option<Character>>,
    dt: Delta,
    mut commands: Commands,
) {
    let Some(character) = character.as_ref() else {
        return;
    };
    let runners: std::collections::HashMap<Entity, Transform> = things
        .iter()
        .filter(|(_, _, kind, _, _)| kind.is_some_and(Kind::is_runner))
        .map(|(entity, transform, _, _, _)| (entity, *transform))
        .collect();
    for (entity, transform, _, body, animator) in things.iter() {
        let (Some(body), Some(animator)) = (body, animator) else {
            continue;
        };
        let Some(runner) = runners.get(&body.runner) else {
            commands.despawn(entity);
            continue;
        };
        let moved = runner.translation.distance(body.last);
        body.last = runner.translation;
        // The walk cycle is made for a walk: it plays faster the faster the runner goes.
        let pace = moved / dt.seconds().max(1e-4);
        animator.speed = (pace / 2.5).min(2.5);
        *transform = Transform {
            translation: runner.translation,
            // The model walks along +Z; runners face -Z at rest.
            rotation: runner.rotation
                * Quat::from_rotation_y(core::f32::consts::PI)
                * character.rotation,
            scale: character.scale * 1.2,
        };
    }
}

/// The camera looks down at the local runner from behind, catching up with a short lag.
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
        let focus = looked_at.lerp(target + Vec3::Y * 0.8, follow);
        *transform = Transform::from_translation(focus + CAMERA_OFFSET).looking_at(focus);
    }
}
