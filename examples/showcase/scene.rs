//! The showcase's scene: real glTF models streamed from a content pack (`pack.rs`) onto a
//! large floor built in code, a skinned character walking a circle round the square (its walk
//! cycle sampled on the showcase's clock, so a frame's pose is the same on every machine), lit by the sun through cascaded shadow maps and by the
//! procedural sky (image-based lighting and the skybox), with lamp posts whose emissive globes
//! bloom and light the ground (point lights), a spot light casting its own shadow over the
//! crates, and a glass screen blended over what is behind it. The camera circles the scene on
//! a clock that starts once the pack has been streamed completely for a few frames (the last
//! levels and mips reach the GPU) and advances a fixed step a frame, so the Nth frame after
//! that is the same picture on every machine.
//!
//! Tests include this file, so it depends on nothing in `main.rs`.

use std::path::PathBuf;
use std::sync::Arc;

use layerw::components::{
    Animator, Camera, JointMatrices, MaterialIndex, MaterialTextures, MeshRef, PointLightSource,
    Projection, SkinnedMeshRef, SpotLightSource, Static, Sun, Transform,
};
use layerw::engine::gpu::Screenshot;
use layerw::engine::render::{
    AlphaMode, MaterialParams, Materials, Mesh, MeshAssets, SkinnedMeshes,
};
use layerw::engine::stream::{StreamIo, StreamSettings, Streamer};
use layerw::prelude::*;
use layerw::systems::{DefaultPlugins, StreamPlugin, StreamedCell, animate};

/// The internal resolution of a window or a headless run (the test renders smaller).
pub const RESOLUTION: UVec2 = UVec2::new(1280, 720);
/// The streamer's budget: the showcase's pack fits whole.
const BUDGET: u64 = 128 << 20;
/// The camera clock's step a frame (seconds), whatever the frame took.
const CLOCK_STEP: f32 = 1.0 / 60.0;
/// How fast the camera circles (radians a second of the clock).
const ORBIT_SPEED: f32 = 0.1;
/// Frames in a row the pack must be complete before the clock starts.
const SETTLE_FRAMES: u32 = 5;
/// The circle the character walks (metres round the square's centre) and its pace (metres a
/// second: CesiumMan's walk cycle covers about this much ground).
const WALK_RADIUS: f32 = 5.5;
const WALK_SPEED: f32 = 1.1;

/// Materials, by index.
const FLOOR: u16 = 0;
const POST: u16 = 1;
const GLOBE: u16 = 2;
const GLASS: u16 = 3;
const STONE: u16 = 4;

/// The showcase's clock and progress: a resource.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ShowcaseClock {
    /// Seconds of the clock: a fixed step a frame once it started.
    pub seconds: f32,
    /// Frames in a row that ended with the pack streamed completely and its entities spawned,
    /// before the clock started.
    pub settled_frames: u32,
    /// Frames since the clock started (0: not yet).
    pub frames_since_start: u32,
    /// Steps the clock has taken: `seconds` is this many fixed steps. The picture drawn on
    /// the frame of step N is the one a screenshot on clock frame N saves (`watch`).
    pub steps: u32,
    /// The clock stops after this many steps (`None`: it runs on): every frame after that draws
    /// the same picture, the one of clock frame N, however late a browser captures its canvas.
    pub stop_at: Option<u32>,
}

/// A box of `size` centred on the origin (the cube's faces stretched: instances scale
/// uniformly, so shapes are meshes of their own).
fn cuboid(size: Vec3) -> Mesh {
    let cube = Mesh::cube(1.0);
    let positions = cube.positions.iter().map(|p| *p * size).collect();
    let uvs = cube
        .positions
        .iter()
        .zip(&cube.uvs)
        .map(|(p, uv)| {
            *uv * if p.y.abs() < 0.49 {
                Vec2::new(1.0, size.y)
            } else {
                Vec2::ONE
            }
        })
        .collect();
    let indices = cube.indices.iter().collect();
    Mesh::from_parts(positions, cube.normals.clone(), uvs, indices)
}

fn materials() -> Vec<MaterialParams> {
    vec![
        // FLOOR: a rough, slightly green stone.
        MaterialParams {
            base_color: Vec4::new(0.26, 0.28, 0.24, 1.0),
            roughness: 0.85,
            ..Default::default()
        },
        // POST: dark painted metal.
        MaterialParams {
            base_color: Vec4::new(0.08, 0.09, 0.1, 1.0),
            metallic: 0.8,
            roughness: 0.35,
            ..Default::default()
        },
        // GLOBE: warm light, bright enough to bloom.
        MaterialParams {
            base_color: Vec4::new(1.0, 0.85, 0.6, 1.0),
            emissive: Vec3::new(1.0, 0.7, 0.35),
            emissive_strength: 6.0,
            ..Default::default()
        },
        // GLASS: a blue-green screen, both faces, blended.
        MaterialParams {
            base_color: Vec4::new(0.35, 0.75, 0.8, 0.3),
            roughness: 0.05,
            alpha_mode: AlphaMode::Blend,
            double_sided: true,
            ..Default::default()
        },
        // STONE: the plinth the crates stand by.
        MaterialParams {
            base_color: Vec4::new(0.45, 0.36, 0.3, 1.0),
            roughness: 0.7,
            ..Default::default()
        },
    ]
}

/// The showcase app streaming its pack through `io`, drawn at `resolution`.
pub fn app(io: impl StreamIo + 'static, resolution: UVec2) -> App {
    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        window: WindowConfig {
            title: "Layer-W showcase".into(),
            size: resolution,
            internal_resolution: resolution,
            ..WindowConfig::default()
        },
        ..DefaultPlugins::default()
    });
    app.add_plugin(StreamPlugin::new(io, StreamSettings::new(BUDGET)));
    let (floor, post, globe, pane, plinth) = {
        let world = app.world();
        let mut meshes = world.resource_mut::<MeshAssets>();
        (
            meshes.add(Mesh::plane(160.0)).unwrap(),
            meshes.add(cuboid(Vec3::new(0.14, 3.0, 0.14))).unwrap(),
            meshes.add(Mesh::sphere(0.22, 24, 12)).unwrap(),
            meshes.add(cuboid(Vec3::new(3.0, 1.8, 0.04))).unwrap(),
            meshes.add(cuboid(Vec3::new(2.4, 0.3, 1.6))).unwrap(),
        )
    };
    // The pack's materials are appended after these by the streamer.
    app.world()
        .resource_mut::<Materials>()
        .set(materials())
        .expect("a few materials fit");
    let world = app.world_mut();
    world.spawn((
        Transform::IDENTITY,
        MeshRef(floor),
        MaterialIndex(FLOOR),
        Static,
    ));
    // Four lamp posts round the crates, each with an emissive globe and a warm point light.
    for (x, z) in [(-7.0, -6.0), (7.5, -5.0), (-8.0, 7.0), (8.0, 7.5)] {
        world.spawn((
            Transform::from_translation(Vec3::new(x, 1.5, z)),
            MeshRef(post),
            MaterialIndex(POST),
            Static,
        ));
        world.spawn((
            Transform::from_translation(Vec3::new(x, 3.2, z)),
            MeshRef(globe),
            MaterialIndex(GLOBE),
            Static,
        ));
        world.spawn((
            Transform::from_translation(Vec3::new(x, 3.2, z)),
            PointLightSource {
                color: Vec3::new(1.0, 0.75, 0.45),
                intensity: 12.0,
                range: 9.0,
            },
        ));
    }
    // A glass screen in front of the plinth, and the plinth.
    world.spawn((
        Transform {
            translation: Vec3::new(0.5, 0.9, 2.5),
            rotation: Quat::from_rotation_y(0.35),
            scale: Vec3::ONE,
        },
        MeshRef(pane),
        MaterialIndex(GLASS),
        Static,
    ));
    world.spawn((
        Transform::from_translation(Vec3::new(0.0, 0.15, -1.5)),
        MeshRef(plinth),
        MaterialIndex(STONE),
        Static,
    ));
    // A spot light over the first stack of crates, casting its own shadow.
    world.spawn((
        Transform::from_translation(Vec3::new(-2.0, 6.0, -1.0))
            .looking_at(Vec3::new(-3.5, 0.0, -3.2)),
        SpotLightSource {
            color: Vec3::new(0.75, 0.85, 1.0),
            intensity: 120.0,
            range: 14.0,
            inner_angle: 0.3,
            outer_angle: 0.45,
            shadows: true,
        },
    ));
    // A late-afternoon sun.
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.6, -0.55, -0.6).normalize(),
        )),
        Sun {
            color: Vec3::new(1.0, 0.9, 0.75),
            intensity: 2.0,
            shadows: true,
        },
    ));
    world.spawn((
        camera_at(0.0),
        Camera {
            projection: Projection::Perspective {
                fov_y: 50f32.to_radians(),
            },
            near: 0.1,
            far: 300.0,
        },
    ));
    if !app.world().contains_resource::<SkinnedMeshes>() {
        app.insert_resource(SkinnedMeshes::default());
    }
    app.insert_resource(ShowcaseClock::default())
        .insert_resource(WalkerSpawned(false))
        .add_system(Stage::Update, orbit)
        .add_system(Stage::Update, spawn_walker)
        .add_system(Stage::Update, walk.after(spawn_walker))
        .add_system(Stage::Update, animate().after(walk));
    app
}

/// Whether the pack's skinned character has been spawned; a resource.
struct WalkerSpawned(bool);

/// Marks the walking character.
#[derive(Clone, Copy, Debug)]
struct Walker {
    /// The pack's placement of the character's skeleton (its turn and scale).
    rotation: Quat,
    scale: Vec3,
}

/// Spawns the pack's skinned character once the manifest is in (skinned entities are not in
/// world cells: a game spawns them from the manifest), with its walk cycle, its material and
/// texture set as the streamer made them.
fn spawn_walker(
    streamer: Res<Streamer>,
    mut spawned: ResMut<WalkerSpawned>,
    mut skinned: ResMut<SkinnedMeshes>,
    mut commands: Commands,
) {
    if spawned.0 {
        return;
    }
    let Some(manifest) = streamer.manifest() else {
        return;
    };
    spawned.0 = true;
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
    let mut animator = Animator::new(skeleton, Arc::new(clip.clone()));
    // Sampled on the showcase's clock (`walk`), not the frame time.
    animator.speed = 0.0;
    let walker = Walker {
        rotation: entity.rotation,
        scale: entity.scale,
    };
    let transform = walker_at(&walker, 0.0);
    match streamer.material_textures(entity.material) {
        Some(set) => commands.spawn((
            transform,
            SkinnedMeshRef(mesh),
            animator,
            JointMatrices::default(),
            MaterialIndex(material),
            MaterialTextures(set),
            walker,
        )),
        None => commands.spawn((
            transform,
            SkinnedMeshRef(mesh),
            animator,
            JointMatrices::default(),
            MaterialIndex(material),
            walker,
        )),
    };
}

/// Where the character is at `seconds` of the clock: on its circle, facing along it.
fn walker_at(walker: &Walker, seconds: f32) -> Transform {
    let angle = seconds * WALK_SPEED / WALK_RADIUS;
    let at = Vec3::new(WALK_RADIUS * angle.cos(), 0.0, WALK_RADIUS * angle.sin());
    // Counter-clockwise seen from above: heading along -sin, cos; the model walks along +Z.
    let heading = Quat::from_rotation_y(-angle);
    Transform {
        translation: at,
        rotation: heading * walker.rotation,
        scale: walker.scale,
    }
}

/// Moves the character along its circle and sets its walk cycle's time, both on the clock.
fn walk(clock: Res<ShowcaseClock>, mut walkers: Query<(&mut Transform, &mut Animator, &Walker)>) {
    for (transform, animator, walker) in walkers.iter() {
        *transform = walker_at(walker, clock.seconds);
        animator.time = clock.seconds;
    }
}

/// The camera at `seconds` of the clock: circling the scene's centre, above and looking down.
fn camera_at(seconds: f32) -> Transform {
    let angle = seconds * ORBIT_SPEED + 0.6;
    let eye = Vec3::new(14.0 * angle.sin(), 5.5, 14.0 * angle.cos());
    Transform::from_translation(eye).looking_at(Vec3::new(0.0, 1.0, 0.0))
}

/// Advances the clock a fixed step (once the pack is in, until its `stop_at`) and moves the
/// camera.
fn orbit(mut clock: ResMut<ShowcaseClock>, mut cameras: Query<(&mut Transform, &Camera)>) {
    if clock.frames_since_start > 0 && clock.stop_at.is_none_or(|n| clock.steps < n) {
        clock.seconds += CLOCK_STEP;
        clock.steps += 1;
    }
    for (transform, _) in cameras.iter() {
        *transform = camera_at(clock.seconds);
    }
}

/// A frame hook: starts the clock once the pack has been complete (and its entities spawned)
/// for a few frames in a row, asks for `screenshot` (if any) on the `shot_at`th frame after
/// that, and ends the app (with `exit_after`) that many after.
pub fn watch(
    mut screenshot: Option<PathBuf>,
    shot_at: u32,
    exit_after: Option<u32>,
) -> impl FnMut(&mut World) + 'static {
    move |world| {
        let complete = world
            .try_resource::<Streamer>()
            .is_ok_and(|s| s.progress().complete())
            && world.query::<&StreamedCell>().iter().next().is_some();
        let frames = {
            let mut clock = world.resource_mut::<ShowcaseClock>();
            if clock.frames_since_start > 0 {
                clock.frames_since_start += 1;
            } else {
                clock.settled_frames = if complete {
                    clock.settled_frames + 1
                } else {
                    0
                };
                if clock.settled_frames >= SETTLE_FRAMES {
                    clock.frames_since_start = 1;
                }
            }
            clock.frames_since_start
        };
        if frames >= shot_at.max(1)
            && let Some(path) = screenshot.take()
        {
            world.insert_resource(Screenshot { path });
        }
        if exit_after.is_some_and(|n| frames >= shot_at + n) {
            world.resource_mut::<Events<AppExit>>().send(AppExit);
        }
    }
}
