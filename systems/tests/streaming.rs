//! A headless app streaming a content pack over a simulated link: world cells spawn around the
//! camera, levels arrive coarse first and refine to what LOD selection wants, drawn meshes are
//! always resident, the budget holds, cells and levels go as the camera moves away, and a
//! faulty link is retried until everything arrives.

use glam::{Quat, Vec3, Vec4};
use layerw_components::MaterialTextures;
use layerw_components::{Camera, LodMesh, MeshRef, Transform};
use layerw_engine::app::App;
use layerw_engine::lod::{LodAssets, LodChain, LodLevel};
use layerw_engine::render::{Mesh, MeshAssets, TextureAssets, TextureImage};
use layerw_engine::stream::{
    LinkFault, PackEntity, PackFile, PackLight, PackLightKind, PackMaterial, PackWriter,
    SimulatedLink, StreamSettings, Streamer,
};
use layerw_systems::{CellRadii, HeadlessPlugins, StreamPlugin, StreamedCell, StreamedLight};

const CELL: f32 = 20.0;
const FRAME: f64 = 1.0 / 60.0;

/// A pack: 6 sphere chains of 4 levels, placed on a 10 x 10 grid of cells along +X and -Z,
/// four per cell.
fn pack() -> (Vec<u8>, Vec<Vec<u8>>, usize) {
    let mut writer = PackWriter::in_memory(CELL).unwrap();
    let mut meshes = Vec::new();
    for m in 0..6u32 {
        let levels = (0..4u32)
            .map(|l| {
                let seg = 6 + 2 * m + 10 * (1 << l);
                LodLevel::new(
                    Mesh::sphere(1.0, seg, seg / 2),
                    if l == 3 { 0.0 } else { 0.2 / (1 << l) as f32 },
                )
            })
            .collect();
        meshes.push(writer.add_mesh(&LodChain::new(levels).unwrap()).unwrap());
    }
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
    // A textured material: a 256 px checker as base colour (a mip chain of 9 levels).
    let pixels: Vec<u8> = (0..256 * 256)
        .flat_map(|i| {
            let on = ((i % 256) / 32 + (i / 256) / 32) % 2 == 0;
            if on {
                [240, 240, 240, 255]
            } else {
                [30, 60, 200, 255]
            }
        })
        .collect();
    let checker = TextureImage::from_rgba8(256, 256, pixels).unwrap();
    let texture = writer.add_texture(&checker, true, false).unwrap();
    let textured = writer
        .add_material(PackMaterial {
            base_color: Vec4::ONE,
            emissive: Vec3::ZERO,
            metallic: 0.0,
            roughness: 0.5,
            base_color_texture: Some(texture),
            normal_texture: None,
            ..PackMaterial::default()
        })
        .unwrap();
    let mut placed = 0;
    for cx in 0..10 {
        for cz in 0..10 {
            for k in 0..4 {
                let translation = Vec3::new(
                    cx as f32 * CELL + 2.0 + 4.0 * k as f32,
                    0.0,
                    -(cz as f32 * CELL) - 10.0,
                );
                writer
                    .add_entity(PackEntity {
                        mesh: meshes[(cx + cz + k) % meshes.len()],
                        material: if k == 1 { textured } else { material },
                        translation,
                        rotation: Quat::IDENTITY,
                        scale: Vec3::splat(1.5),
                        is_static: k % 2 == 0,
                    })
                    .unwrap();
                placed += 1;
            }
        }
    }
    // The scene's lights: a sun, a lamp and a spot light over the first cell.
    let light = |kind, translation, rotation| PackLight {
        kind,
        color: Vec3::new(1.0, 0.9, 0.8),
        intensity: 20.0,
        range: None,
        translation,
        rotation,
    };
    let down = Quat::from_rotation_x(-core::f32::consts::FRAC_PI_2);
    writer
        .add_light(light(PackLightKind::Directional, Vec3::ZERO, down))
        .unwrap();
    writer
        .add_light(light(
            PackLightKind::Point,
            Vec3::new(5.0, 3.0, -5.0),
            Quat::IDENTITY,
        ))
        .unwrap();
    let spot = PackLightKind::Spot {
        inner_cone: 0.3,
        outer_cone: 0.5,
    };
    writer
        .add_light(light(spot, Vec3::new(10.0, 6.0, -10.0), down))
        .unwrap();
    let bytes = writer.finish().unwrap();
    (bytes.manifest_bytes, bytes.blobs, placed)
}

/// Decoded bytes of every level in the pack, and of every coarsest level.
fn level_bytes() -> (u64, u64) {
    let (manifest, _, _) = pack();
    let manifest = layerw_engine::stream::PackManifest::from_bytes(&manifest).unwrap();
    let all = manifest.meshes.iter().flat_map(|m| &m.levels);
    let total = all.map(|l| u64::from(l.stored.raw_len)).sum();
    let coarsest = manifest
        .meshes
        .iter()
        .map(|m| u64::from(m.levels[0].stored.raw_len))
        .sum();
    (total, coarsest)
}

fn link(latency: f64, bandwidth: f64) -> SimulatedLink {
    let (manifest, blobs, _) = pack();
    let mut link = SimulatedLink::new(latency, bandwidth, 6);
    link.insert(PackFile::Manifest, manifest);
    for (i, blob) in blobs.into_iter().enumerate() {
        link.insert(PackFile::Blob(i as u32), blob);
    }
    link
}

fn app(link: SimulatedLink, budget: u64) -> App {
    let mut app = App::new();
    app.add_plugin(HeadlessPlugins {
        log: None,
        diagnostics: None,
        ..HeadlessPlugins::default()
    });
    let mut settings = StreamSettings::new(budget);
    settings.upload_bytes_per_frame = 256 << 10;
    app.add_plugin(StreamPlugin::new(link, settings).with_cells(CellRadii {
        load: 45.0,
        unload: 60.0,
    }));
    app.world_mut().spawn((
        Transform::from_translation(Vec3::new(0.0, 3.0, 0.0))
            .looking_at(Vec3::new(20.0, 0.0, -40.0)),
        Camera {
            far: 400.0,
            ..Camera::default()
        },
    ));
    app
}

/// Every streamed entity: (its wanted level, the level drawn, whether that mesh is loaded).
fn drawn(app: &mut App) -> Vec<(u8, usize, bool)> {
    let world = app.world_mut();
    let lods = world.resource::<LodAssets>();
    let meshes = world.resource::<MeshAssets>();
    let mut out = Vec::new();
    for (lod, mesh, _) in world.query::<(&LodMesh, &MeshRef, &StreamedCell)>().iter() {
        let chain = lods.get(lod.chain).expect("streamed chains stay loaded");
        let shown = chain
            .levels
            .iter()
            .position(|l| l.mesh == mesh.0)
            .expect("the mesh drawn is one of its chain's levels");
        out.push((lod.level, shown, meshes.get(mesh.0).is_some()));
    }
    out
}

/// One frame, then a millisecond for the reading and decoding threads, as a game's paced
/// frames leave them. Reads arrive in frame time (the simulated link) but levels decode in
/// real time: frames of this tiny world back to back (a tenth of a millisecond each) would
/// give the decodes ever fewer frames to finish in, and the loops below count frames.
fn frame(app: &mut App) {
    app.update(FRAME);
    std::thread::sleep(std::time::Duration::from_millis(1));
}

fn progress(app: &App) -> layerw_engine::stream::StreamProgress {
    app.world().resource::<Streamer>().progress().clone()
}

/// Streaming is done and every spawned entity draws its wanted level, loaded.
fn settled(app: &mut App) -> bool {
    let entities = drawn(app);
    progress(app).complete()
        && !entities.is_empty()
        && entities
            .iter()
            .all(|&(w, s, loaded)| loaded && s == usize::from(w))
}

#[test]
fn cells_spawn_and_levels_refine_coarse_first_to_what_lod_wants() {
    let mut app = app(link(0.02, 2.0e6), 64 << 20);
    let mut first_view = None;
    let mut saw_coarser_than_wanted = false;
    let mut last_count = 0;
    for step in 0..900 {
        frame(&mut app);
        let p = progress(&app);
        let entities = drawn(&mut app);
        let stable = entities.len() == last_count;
        last_count = entities.len();
        // Never a mesh drawn that is not resident: a level shows only once it is loaded.
        assert!(
            entities
                .iter()
                .filter(|e| e.2)
                .all(|&(wanted, shown, _)| shown <= usize::from(wanted)),
            "a level finer than wanted is drawn"
        );
        // Cells spawn at the end of a frame; their wants count from the next.
        if !entities.is_empty() && stable && p.view_ready() && first_view.is_none() {
            first_view = Some(step);
            assert!(
                entities.iter().all(|e| e.2),
                "view ready: every entity has a level"
            );
        }
        saw_coarser_than_wanted |= entities
            .iter()
            .any(|&(w, s, loaded)| loaded && s < usize::from(w));
        if settled(&mut app) {
            break;
        }
    }
    let p = progress(&app);
    assert!(p.manifest_loaded);
    assert!(p.complete(), "{p:?}");
    assert!(first_view.is_some());
    assert!(
        saw_coarser_than_wanted,
        "levels refine: coarser first, then what is wanted"
    );
    let entities = drawn(&mut app);
    // The cells within 45 m of the camera (x 0..40, z -40..0 reach): some, not all 100.
    assert!(
        entities.len() >= 8 && entities.len() < 400,
        "{}",
        entities.len()
    );
    assert!(
        entities
            .iter()
            .all(|&(w, s, loaded)| loaded && s == usize::from(w))
    );
    assert!(p.scheduler.peak_bytes <= 64 << 20);
    assert_eq!(p.scheduler.failures, 0);
    let line = app
        .world()
        .resource::<layerw_engine::render::OverlayLines>()
        .iter()
        .find(|l| l.starts_with("stream:"))
        .map(str::to_owned);
    assert!(
        line.as_deref()
            .is_some_and(|l| l.contains("0 missing 0 refining")),
        "the overlay shows the progress: {line:?}"
    );
    // The textured entities carry the material's texture set, and its texture streamed in:
    // mips coarse first, as many as the nearest of them needs (refining is 0 above).
    let world = app.world_mut();
    let sets: Vec<_> = world
        .query::<(&MaterialTextures, &StreamedCell)>()
        .iter()
        .map(|(t, _)| t.0)
        .collect();
    assert!(!sets.is_empty());
    let streamer = world.resource::<Streamer>();
    let texture = streamer.texture(0).unwrap();
    let mips = world
        .resource::<TextureAssets>()
        .get(texture)
        .unwrap()
        .mips
        .len();
    assert!(mips >= 2, "{mips} mips resident");
    assert_eq!(
        mips as u8,
        streamer.scheduler().unwrap().resident_levels(6),
        "the texture (asset 6, after the 6 meshes) holds exactly its resident levels"
    );
}

#[test]
fn moving_away_unloads_cells_and_a_small_budget_holds() {
    // A budget that holds every coarsest level but only 60 % of all the levels: finer ones
    // must be evicted for others as the camera flies.
    let (total, coarsest) = level_bytes();
    let budget = (total * 6 / 10).max(coarsest * 2);
    let mut app = app(link(0.01, 8.0e6), budget);
    for _ in 0..600 {
        app.update(FRAME);
    }
    let near = drawn(&mut app).len();
    assert!(near > 0);
    let loaded_before = app.world().resource::<MeshAssets>().len();
    // Fly 150 m along +X, over the other cells.
    for step in 0..900 {
        let x = (step as f32 + 1.0) * 150.0 / 900.0;
        for (t, _) in app.world_mut().query::<(&mut Transform, &Camera)>().iter() {
            t.translation.x = x;
        }
        app.update(FRAME);
        let p = progress(&app);
        assert!(p.scheduler.resident_bytes + p.scheduler.reserved_bytes <= budget);
    }
    let p = progress(&app);
    assert!(p.scheduler.peak_bytes <= budget, "{p:?}");
    assert!(
        p.scheduler.evicted > 0,
        "levels left behind were evicted: {p:?}"
    );
    // The first cells are gone from the world: none of the spawned entities is near x = 0.
    let world = app.world_mut();
    let xs: Vec<f32> = world
        .query::<(&Transform, &StreamedCell)>()
        .iter()
        .map(|(t, _)| t.translation.x)
        .collect();
    assert!(!xs.is_empty());
    assert!(xs.iter().all(|&x| x > 150.0 - 60.0 - CELL), "{xs:?}");
    assert!(loaded_before > 0);
}

#[test]
fn a_faulty_link_is_retried_until_everything_arrives() {
    let mut link = link(0.02, 2.0e6);
    // About 4 reads in 10 fail: each retried after its back-off until it arrives intact.
    link.add_fault(LinkFault::StatusEvery(5));
    link.add_fault(LinkFault::CorruptEvery(7));
    link.add_fault(LinkFault::TruncateEvery(11));
    link.add_fault(LinkFault::Down {
        from: 0.0,
        until: 1.0,
    });
    let mut app = app(link, 64 << 20);
    for _ in 0..6_000 {
        frame(&mut app);
        if settled(&mut app) {
            break;
        }
    }
    let p = progress(&app);
    assert!(p.complete(), "{p:?}");
    assert!(
        p.scheduler.failures > 0,
        "faults were seen and retried: {p:?}"
    );
    assert!(p.last_error.is_some());
    assert!(
        drawn(&mut app)
            .iter()
            .all(|&(w, s, loaded)| loaded && s == usize::from(w))
    );
}

#[test]
fn the_packs_lights_are_spawned_once_its_manifest_is_in() {
    use layerw_components::{PointLightSource, SpotLightSource, Sun};
    let mut app = app(link(0.02, 2.0e6), 64 << 20);
    let lights = |app: &mut App| {
        let world = app.world_mut();
        let count = world.query::<&StreamedLight>().iter().count();
        let suns = world.query::<(&Sun, &StreamedLight)>().iter().count();
        let points: Vec<f32> = world
            .query::<(&PointLightSource, &StreamedLight)>()
            .iter()
            .map(|(l, _)| l.range)
            .collect();
        let spots: Vec<(f32, f32, Vec3)> = world
            .query::<(&SpotLightSource, &Transform)>()
            .iter()
            .map(|(l, t)| (l.inner_angle, l.outer_angle, t.rotation * Vec3::NEG_Z))
            .collect();
        (count, suns, points, spots)
    };
    assert_eq!(lights(&mut app).0, 0, "nothing before the manifest");
    for _ in 0..300 {
        frame(&mut app);
        if lights(&mut app).0 > 0 {
            break;
        }
    }
    let (count, suns, points, spots) = lights(&mut app);
    assert_eq!((count, suns), (3, 1));
    // No range in the pack: where the falloff drops to a hundredth, sqrt(20 x 100).
    assert_eq!(points.len(), 1);
    assert!((points[0] - 2000f32.sqrt()).abs() < 1e-3, "{}", points[0]);
    assert_eq!(spots.len(), 1);
    let (inner, outer, direction) = spots[0];
    assert_eq!((inner, outer), (0.3, 0.5));
    assert!((direction - Vec3::NEG_Y).length() < 1e-5);
    // Spawned once: more frames add none.
    for _ in 0..10 {
        frame(&mut app);
    }
    assert_eq!(lights(&mut app).0, 3);
}
