//! The Lod and Culling stages through the schedule: culling against a brute-force reference
//! on random scenes (dynamic and static entities, spheres straddling planes, the camera inside
//! a bounding volume, shadow casters outside the view), the static index kept up to date, LOD
//! levels from distance, and the triangle budget.

use glam::{Quat, Vec3};
use layerw_components::{
    Camera, CullIndexed, DrawPasses, LodMesh, MeshRef, Static, Sun, Transform,
};
use layerw_engine::cull::{Aabb, Frustum};
use layerw_engine::ecs::World;
use layerw_engine::lod::{LodAssets, LodChain, LodLevel, LodSettings};
use layerw_engine::render::{
    DirectionalLight, Mesh, MeshAssets, PASS_MAIN, PASS_SHADOW, RenderQueue,
};
use layerw_engine::schedule::{Schedule, Stage};
use layerw_systems::{CullStats, camera_view, cull, extract_render, lod_budget, select_lods};
use rand::{Rng, SeedableRng, rngs::SmallRng};

fn camera(eye: Vec3, target: Vec3) -> (Transform, Camera) {
    (
        Transform::from_translation(eye).looking_at(target),
        Camera {
            far: 200.0,
            ..Camera::default()
        },
    )
}

fn sun() -> (Transform, Sun) {
    (
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.3, -1.0, -0.2).normalize(),
        )),
        Sun {
            color: Vec3::ONE,
            intensity: 1.0,
            shadows: true,
        },
    )
}

/// The passes brute force gives an entity: its world sphere against both frusta (the box
/// around that sphere for static entities, which the BVH holds as boxes).
fn expected(world: &World, entity: hecs::Entity, main: &Frustum, shadow: &Frustum) -> u8 {
    let meshes = world.resource::<MeshAssets>();
    let t = *world.get::<Transform>(entity).unwrap();
    let mesh = world.get::<MeshRef>(entity).unwrap().0;
    let (c, r) = meshes.bounds(mesh).unwrap();
    let center = t.translation + t.rotation * (c * t.scale);
    let radius = r * t.scale.max_element();
    let sees = |f: &Frustum| {
        if world.get::<Static>(entity).is_ok() {
            f.intersects(&Aabb::from_sphere(center, radius))
        } else {
            f.contains_sphere(center, radius)
        }
    };
    (u8::from(sees(main)) * PASS_MAIN) | (u8::from(sees(shadow)) * PASS_SHADOW)
}

#[test]
fn culling_matches_brute_force_on_random_scenes() {
    for seed in 0..6u64 {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut world = World::new();
        let mut meshes = MeshAssets::default();
        let ball = meshes.add(Mesh::sphere(1.0, 8, 4)).unwrap();
        world.insert_resource(meshes);
        let mut queue = RenderQueue::new();
        queue.shadow_bounds = (Vec3::ZERO, 40.0);
        world.insert_resource(queue);
        world.insert_resource(CullStats::default());
        let eye = Vec3::new(
            rng.random_range(-20.0..20.0),
            5.0,
            rng.random_range(-20.0..20.0),
        );
        let target = Vec3::new(
            rng.random_range(-5.0..5.0),
            0.0,
            rng.random_range(-5.0..5.0),
        );
        world.spawn(camera(eye, target));
        world.spawn(sun());
        let mut entities = Vec::new();
        for i in 0..3000 {
            let position = Vec3::new(
                rng.random_range(-120.0..120.0),
                rng.random_range(-10.0..30.0),
                rng.random_range(-120.0..120.0),
            );
            // Mostly small, some huge (one holds the camera).
            let scale = if i == 0 {
                50.0
            } else if rng.random_bool(0.02) {
                rng.random_range(5.0..30.0)
            } else {
                rng.random_range(0.2..3.0)
            };
            let position = if i == 0 { eye } else { position };
            let transform = Transform::from_translation(position).with_scale(Vec3::splat(scale));
            let e = if rng.random_bool(0.5) {
                world.spawn((transform, MeshRef(ball), DrawPasses::default(), Static))
            } else {
                world.spawn((transform, MeshRef(ball), DrawPasses::default()))
            };
            entities.push(e);
        }
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Culling, cull());
        // Frame 1 indexes the static entities, frame 2 queries them.
        schedule.run_frame(&mut world, 1.0 / 60.0);
        schedule.run_frame(&mut world, 1.0 / 60.0);
        let view = {
            let (t, c) = camera(eye, target);
            camera_view(&t, &c, 16.0 / 9.0)
        };
        let main = Frustum::from_view_projection(view.projection * view.view);
        let (st, s) = sun();
        let light = DirectionalLight {
            direction: st.rotation * Vec3::NEG_Z,
            color: s.color,
            intensity: s.intensity,
            shadows: true,
        };
        let shadow = Frustum::from_view_projection(light.view_projection((Vec3::ZERO, 40.0)));
        let (mut seen, mut cast, mut shadow_only) = (0, 0, 0);
        for &e in &entities {
            let want = expected(&world, e, &main, &shadow);
            let got = world.get::<DrawPasses>(e).unwrap().0;
            assert_eq!(got, want, "seed {seed}: entity {e:?}");
            seen += usize::from(want & PASS_MAIN != 0);
            cast += usize::from(want & PASS_SHADOW != 0);
            shadow_only += usize::from(want == PASS_SHADOW);
        }
        assert!(world.get::<DrawPasses>(entities[0]).unwrap().0 & PASS_MAIN != 0);
        assert!(
            seen > 10 && seen < entities.len() - 10,
            "seed {seed}: {seen} seen"
        );
        assert!(shadow_only > 0, "seed {seed}: some casters are out of view");
        let stats = *world.resource::<CullStats>();
        assert_eq!(stats.visible as usize, seen);
        assert_eq!(stats.casters as usize, cast);
        assert!(stats.indexed > 1000);
    }
}

#[test]
fn the_static_index_follows_moves_and_despawns() {
    let mut world = World::new();
    let mut meshes = MeshAssets::default();
    let ball = meshes.add(Mesh::sphere(1.0, 8, 4)).unwrap();
    world.insert_resource(meshes);
    world.insert_resource(RenderQueue::new());
    world.insert_resource(CullStats::default());
    world.spawn(camera(Vec3::new(0.0, 0.0, 10.0), Vec3::ZERO));
    let ahead = world.spawn((
        Transform::IDENTITY,
        MeshRef(ball),
        DrawPasses::default(),
        Static,
    ));
    let behind = world.spawn((
        Transform::from_translation(Vec3::new(0.0, 0.0, 30.0)),
        MeshRef(ball),
        DrawPasses::default(),
        Static,
    ));
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Culling, cull());
    let passes = |world: &World, e| world.get::<DrawPasses>(e).unwrap().0;
    for _ in 0..2 {
        schedule.run_frame(&mut world, 1.0 / 60.0);
    }
    assert_eq!(
        (passes(&world, ahead), passes(&world, behind)),
        (PASS_MAIN, 0)
    );
    // Move the hidden one into view: re-index it by removing CullIndexed.
    world.get_mut::<Transform>(behind).unwrap().translation = Vec3::new(2.0, 0.0, 0.0);
    world.remove_one::<CullIndexed>(behind).unwrap();
    for _ in 0..2 {
        schedule.run_frame(&mut world, 1.0 / 60.0);
    }
    assert_eq!(passes(&world, behind), PASS_MAIN);
    assert_eq!(world.resource::<CullStats>().indexed, 2);
    world.despawn(ahead).unwrap();
    schedule.run_frame(&mut world, 1.0 / 60.0);
    assert_eq!(
        world.resource::<CullStats>().indexed,
        1,
        "a despawned entity leaves the BVH"
    );
    // Extraction draws only what culling kept.
    schedule.add_system(Stage::Render, extract_render());
    schedule.run_frame(&mut world, 1.0 / 60.0);
    assert_eq!(world.resource::<RenderQueue>().instance_count(), 1);
}

/// A chain of four spheres, coarse to fine, with errors that halve.
fn chain() -> LodChain {
    let levels = [(4, 0.4), (8, 0.2), (16, 0.05), (32, 0.0)]
        .into_iter()
        .map(|(s, e)| LodLevel::new(Mesh::sphere(1.0, s, s / 2), e))
        .collect();
    LodChain::new(levels).unwrap()
}

#[test]
fn lod_levels_follow_distance_and_set_the_mesh() {
    let mut world = World::new();
    let mut meshes = MeshAssets::default();
    let mut lods = LodAssets::default();
    let chain = lods.add(chain(), &mut meshes).unwrap();
    let level_meshes: Vec<_> = lods
        .get(chain)
        .unwrap()
        .levels
        .iter()
        .map(|l| l.mesh)
        .collect();
    world.insert_resource(meshes);
    world.insert_resource(lods);
    world.spawn(camera(Vec3::ZERO, Vec3::NEG_Z));
    let distances = [2.0, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0];
    let entities: Vec<_> = distances
        .iter()
        .map(|&d| {
            world.spawn((
                Transform::from_translation(Vec3::new(0.0, 0.0, -d)),
                MeshRef(level_meshes[0]),
                LodMesh::new(chain),
            ))
        })
        .collect();
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Lod, select_lods());
    schedule.run_frame(&mut world, 1.0 / 60.0);
    let levels: Vec<u8> = entities
        .iter()
        .map(|&e| world.get::<LodMesh>(e).unwrap().level)
        .collect();
    assert!(
        levels.windows(2).all(|w| w[0] >= w[1]),
        "finer when nearer: {levels:?}"
    );
    assert_eq!(levels[0], 3, "the nearest is at full detail");
    assert_eq!(
        *levels.last().unwrap(),
        0,
        "the farthest is at the coarsest"
    );
    for (&e, &level) in entities.iter().zip(&levels) {
        assert_eq!(
            world.get::<MeshRef>(e).unwrap().0,
            level_meshes[usize::from(level)]
        );
    }
}

#[test]
fn the_triangle_budget_holds_for_what_the_camera_sees() {
    let mut world = World::new();
    let mut meshes = MeshAssets::default();
    let mut lods = LodAssets::default();
    let chain = lods.add(chain(), &mut meshes).unwrap();
    let triangles: Vec<u32> = lods
        .get(chain)
        .unwrap()
        .levels
        .iter()
        .map(|l| l.triangles)
        .collect();
    let first = lods.get(chain).unwrap().levels[0].mesh;
    world.insert_resource(meshes);
    world.insert_resource(lods);
    world.insert_resource(RenderQueue::new());
    let budget = 6_000;
    world.insert_resource(LodSettings::default().with_triangle_budget(Some(budget)));
    world.spawn(camera(Vec3::new(0.0, 3.0, 5.0), Vec3::new(0.0, 0.0, -20.0)));
    let mut rng = SmallRng::seed_from_u64(3);
    for _ in 0..200 {
        let p = Vec3::new(
            rng.random_range(-30.0..30.0),
            0.0,
            rng.random_range(-60.0..10.0),
        );
        world.spawn((
            Transform::from_translation(p),
            MeshRef(first),
            LodMesh::new(chain),
            DrawPasses::default(),
        ));
    }
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Lod, select_lods());
    schedule.add_system(Stage::Culling, cull());
    schedule.add_system(Stage::Culling, lod_budget());
    for _ in 0..3 {
        schedule.run_frame(&mut world, 1.0 / 60.0);
    }
    let mut drawn = 0u64;
    let mut unbudgeted = 0u64;
    let mut coarsened_far = f32::INFINITY;
    let mut kept_near = 0f32;
    for (t, lod, passes) in world.query::<(&Transform, &LodMesh, &DrawPasses)>().iter() {
        if passes.0 & PASS_MAIN == 0 {
            continue;
        }
        drawn += u64::from(triangles[usize::from(lod.level)]);
        let d = t.translation.distance(Vec3::new(0.0, 3.0, 5.0));
        if lod.level == 0 {
            coarsened_far = coarsened_far.min(d);
        } else {
            kept_near = kept_near.max(d);
        }
        unbudgeted += u64::from(triangles[3]);
    }
    assert!(unbudgeted > budget, "the scene needs the budget");
    assert!(drawn <= budget, "{drawn} triangles drawn, budget {budget}");
    assert!(
        drawn > budget / 2,
        "not coarsened further than needed: {drawn}"
    );
    assert!(
        kept_near <= coarsened_far + 1.0,
        "the farthest were coarsened first"
    );
}

#[test]
fn off_screen_statics_that_are_despawned_leave_the_index() {
    // Content comes and goes behind the camera: the index must not grow with what was ever
    // spawned, only with what lives (despawns are found by a bounded sweep each frame).
    let mut world = World::new();
    let mut meshes = MeshAssets::default();
    let ball = meshes.add(Mesh::sphere(1.0, 8, 4)).unwrap();
    world.insert_resource(meshes);
    world.insert_resource(RenderQueue::new());
    world.insert_resource(CullStats::default());
    world.spawn(camera(Vec3::new(0.0, 0.0, 10.0), Vec3::ZERO));
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Culling, cull());
    let mut rng = SmallRng::seed_from_u64(7);
    let mut live = Vec::new();
    for round in 0..40 {
        // 500 new static entities behind the camera, never visible...
        for _ in 0..500 {
            let at = Vec3::new(
                rng.random_range(-50.0..50.0),
                0.0,
                rng.random_range(20.0..80.0),
            );
            live.push(world.spawn((
                Transform::from_translation(at),
                MeshRef(ball),
                DrawPasses::default(),
                Static,
            )));
        }
        // ...and as many of the older ones despawned.
        if round > 0 {
            for entity in live.drain(..500) {
                world.despawn(entity).unwrap();
            }
        }
        schedule.run_frame(&mut world, 1.0 / 60.0);
    }
    assert_eq!(live.len(), 500);
    for _ in 0..16 {
        schedule.run_frame(&mut world, 1.0 / 60.0);
    }
    let stats = *world.resource::<CullStats>();
    assert_eq!(stats.indexed, 500, "20,000 spawned, 500 alive: {stats:?}");
    assert_eq!(stats.visible, 0);
}

#[test]
fn a_stale_lod_handle_is_left_alone_not_mapped_to_another_chain() {
    let mut world = World::new();
    let mut meshes = MeshAssets::default();
    let mut lods = LodAssets::default();
    let first = lods.add(chain(), &mut meshes).unwrap();
    let gone = lods.add(chain(), &mut meshes).unwrap();
    let gone_mesh = lods.get(gone).unwrap().levels[0].mesh;
    lods.remove(gone, &mut meshes).unwrap();
    // A new chain takes the freed slot, under a new generation.
    let newcomer = lods.add(chain(), &mut meshes).unwrap();
    assert_eq!(newcomer.index(), gone.index());
    assert_ne!(newcomer, gone);
    let others: Vec<_> = [first, newcomer]
        .iter()
        .flat_map(|&c| lods.get(c).unwrap().levels.iter().map(|l| l.mesh))
        .collect();
    world.insert_resource(meshes);
    world.insert_resource(lods);
    world.spawn(camera(Vec3::ZERO, Vec3::NEG_Z));
    let stale = world.spawn((
        Transform::from_translation(Vec3::new(0.0, 0.0, -2.0)),
        MeshRef(gone_mesh),
        LodMesh::new(gone),
    ));
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Lod, select_lods());
    schedule.run_frame(&mut world, 1.0 / 60.0);
    let lod = *world.get::<LodMesh>(stale).unwrap();
    assert_eq!(
        lod.level,
        LodMesh::NO_LEVEL,
        "no level was chosen for a dangling chain"
    );
    let mesh = world.get::<MeshRef>(stale).unwrap().0;
    assert_eq!(mesh, gone_mesh, "its mesh was not replaced");
    assert!(!others.contains(&mesh));
}
