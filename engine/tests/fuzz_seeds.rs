//! The seed inputs of the engine's fuzz targets (engine/fuzz/corpus/<target>/seed-*) are valid
//! inputs of the decoders they exercise. `LAYERW_UPDATE_FUZZ_SEEDS=1` (scripts/fuzz.sh --seeds)
//! rewrites them from the engine's own encoders; otherwise this checks that every committed
//! seed decodes, so a format change cannot silently leave the fuzzer starting from garbage.
//! Native only: the seeds live outside the package folder the WASI runner opens, and the
//! fuzzer itself runs natively.
#![cfg(not(target_os = "wasi"))]

use std::path::PathBuf;

use layerw_engine::lod::{LodChain, LodLevel};
use layerw_engine::platform::{
    Action, ActionMap, Binding, InputEvent, Journal, JournalFrame, KeyCode, TimedEvent,
};
use layerw_engine::render::{AlphaMode, Mesh, TextureImage, TextureTransform};
use layerw_engine::stream::{
    MaterialTransforms, MeshLevel, PackCamera, PackEntity, PackLight, PackLightKind, PackManifest,
    PackMaterial, PackProjection, PackWriter, StoredLevel, TextureLevel, decode_mesh_level,
    decode_texture_level,
};

#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Play {
    Move,
    Jump,
    Fire,
}

fn corpus(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

/// A small content pack: a two-level mesh, a 16 x 8 texture, a material (alpha mask,
/// double-sided, a scaled base colour map), two entities in two cells, a spot light, a
/// camera, a two-joint skin with a cubic-spline and a step channel, a skinned cube and its
/// entity.
fn pack() -> layerw_engine::stream::PackBytes {
    use layerw_engine::glam::{Quat, Vec2, Vec3, Vec4};
    let mut writer = PackWriter::in_memory(16.0).expect("a valid cell size");
    let chain = LodChain::new(vec![
        LodLevel::new(Mesh::cube(1.0), 0.1),
        LodLevel::new(Mesh::sphere(0.5, 8, 4), 0.0),
    ])
    .expect("a valid chain");
    let mesh = writer.add_mesh(&chain).expect("a mesh");
    let pixels = (0..16 * 8 * 4).map(|i| (i * 7 % 256) as u8).collect();
    let image = TextureImage::from_rgba8(16, 8, pixels).expect("a valid image");
    let texture = writer.add_texture(&image, true, false).expect("a texture");
    let material = writer
        .add_material(PackMaterial {
            base_color: Vec4::ONE,
            emissive: Vec3::ZERO,
            metallic: 0.0,
            roughness: 0.5,
            base_color_texture: Some(texture),
            normal_texture: None,
            alpha_mode: AlphaMode::Mask,
            double_sided: true,
            transforms: MaterialTransforms {
                base_color: TextureTransform {
                    scale: Vec2::splat(2.0),
                    ..TextureTransform::IDENTITY
                },
                ..MaterialTransforms::default()
            },
            ..PackMaterial::default()
        })
        .expect("a material");
    writer
        .add_light(PackLight {
            kind: PackLightKind::Spot {
                inner_cone: 0.3,
                outer_cone: 0.6,
            },
            color: Vec3::ONE,
            intensity: 50.0,
            range: Some(10.0),
            translation: Vec3::new(0.0, 4.0, 0.0),
            rotation: Quat::from_rotation_x(-1.0),
        })
        .expect("a light");
    writer
        .add_camera(PackCamera {
            projection: PackProjection::Perspective {
                y_fov: 0.8,
                aspect_ratio: None,
                z_near: 0.1,
                z_far: Some(100.0),
            },
            translation: Vec3::new(0.0, 2.0, 8.0),
            rotation: Quat::IDENTITY,
        })
        .expect("a camera");
    add_skinned_cube(&mut writer, material);
    for x in [-3.0, 20.0] {
        writer
            .add_entity(PackEntity {
                mesh,
                material,
                translation: Vec3::new(x, 0.0, 5.0),
                rotation: Quat::IDENTITY,
                scale: Vec3::ONE,
                is_static: x > 0.0,
            })
            .expect("an entity");
    }
    writer.finish().expect("a pack")
}

/// A two-joint skin (the second a metre above the first), a clip turning the upper joint
/// (cubic spline) and moving the lower one (step), a cube whose top half follows the upper
/// joint, and an entity drawing it.
fn add_skinned_cube(writer: &mut PackWriter, material: u32) {
    use layerw_engine::anim::{Channel, ChannelTarget, Clip, Interpolation, JointPose, Skeleton};
    use layerw_engine::glam::{Mat4, Quat, Vec3, Vec4};
    use layerw_engine::render::SkinnedMesh;
    use layerw_engine::stream::{PackClip, PackSkinnedEntity, PackSkinnedMesh};
    let up = JointPose {
        translation: Vec3::Y,
        ..JointPose::IDENTITY
    };
    let skeleton = Skeleton::new(
        vec![None, Some(0)],
        vec![Mat4::IDENTITY, Mat4::from_translation(-Vec3::Y)],
        vec![JointPose::IDENTITY, up],
    )
    .expect("a skeleton");
    let skin = writer.add_skin(skeleton).expect("a skin");
    let turn = Channel::new(
        1,
        ChannelTarget::Rotation,
        Interpolation::CubicSpline,
        vec![0.0, 1.0],
        vec![
            Vec4::ZERO,
            Vec4::from(Quat::IDENTITY),
            Vec4::ZERO,
            Vec4::ZERO,
            Vec4::from(Quat::from_rotation_z(1.0)),
            Vec4::ZERO,
        ],
    )
    .expect("a channel");
    let hop = Channel::new(
        0,
        ChannelTarget::Translation,
        Interpolation::Step,
        vec![0.0, 0.5],
        vec![Vec4::ZERO, Vec4::new(0.0, 0.2, 0.0, 0.0)],
    )
    .expect("a channel");
    writer
        .add_clip(PackClip {
            skin,
            clip: Clip::new(vec![turn, hop]),
        })
        .expect("a clip");
    let cube = Mesh::cube(1.0);
    let weights = cube
        .positions
        .iter()
        .map(|p| {
            if p.y > 0.0 {
                [0.0, 1.0, 0.0, 0.0]
            } else {
                [1.0, 0.0, 0.0, 0.0]
            }
        })
        .collect();
    let joints = vec![[0, 1, 0, 0]; cube.positions.len()];
    let mesh = writer
        .add_skinned_mesh(PackSkinnedMesh {
            skin,
            mesh: SkinnedMesh {
                mesh: cube,
                joints,
                weights,
            },
        })
        .expect("a skinned mesh");
    writer
        .add_skinned_entity(PackSkinnedEntity {
            mesh,
            material,
            translation: Vec3::new(1.0, 0.0, 2.0),
            rotation: Quat::IDENTITY,
            scale: Vec3::ONE,
        })
        .expect("a skinned entity");
}

/// The pack_mesh_level and pack_texture_level inputs: the level entry's numbers the harness
/// takes from the input (raw_len and triangles; width and height as u16), then the stored
/// bytes (the harness computes their CRC-32).
fn level_seeds() -> (Vec<u8>, Vec<u8>) {
    let pack = pack();
    let blob = |blob: u32, s: &StoredLevel| {
        pack.blobs[blob as usize][s.range().start as usize..s.range().end as usize].to_vec()
    };
    let mesh = pack.manifest.meshes[0].levels[0];
    let mut mesh_seed = Vec::new();
    mesh_seed.extend_from_slice(&mesh.stored.raw_len.to_le_bytes());
    mesh_seed.extend_from_slice(&mesh.triangles.to_le_bytes());
    mesh_seed.extend_from_slice(&blob(pack.manifest.meshes[0].coarse_blob, &mesh.stored));
    let texture = pack.manifest.textures[0].levels[4];
    let mut texture_seed = Vec::new();
    texture_seed.extend_from_slice(&(texture.width as u16).to_le_bytes());
    texture_seed.extend_from_slice(&(texture.height as u16).to_le_bytes());
    texture_seed.extend_from_slice(&blob(pack.manifest.textures[0].blob, &texture.stored));
    (mesh_seed, texture_seed)
}

/// Decodes a level seed the way the pack_mesh_level target does.
fn decode_mesh_seed(seed: &[u8]) {
    let word = |at: usize| u32::from_le_bytes(seed[at..at + 4].try_into().unwrap());
    let stored = &seed[8..];
    let level = MeshLevel {
        stored: StoredLevel {
            offset: 0,
            stored_len: stored.len() as u32,
            raw_len: word(0),
            crc32: crc32fast::hash(stored),
        },
        error: 0.0,
        triangles: word(4),
    };
    decode_mesh_level(&level, stored).unwrap();
}

/// Decodes a level seed the way the pack_texture_level target does.
fn decode_texture_seed(seed: &[u8]) {
    let half = |at: usize| u32::from(u16::from_le_bytes([seed[at], seed[at + 1]]));
    let (width, height, stored) = (half(0), half(2), &seed[4..]);
    let level = TextureLevel {
        stored: StoredLevel {
            offset: 0,
            stored_len: stored.len() as u32,
            raw_len: width * height * 4,
            crc32: crc32fast::hash(stored),
        },
        width,
        height,
    };
    decode_texture_level(&level, stored).unwrap();
}

/// Every seed: (target, file name, bytes).
fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let chain = LodChain::new(vec![
        LodLevel::new(Mesh::cube(1.0), 0.1),
        LodLevel::new(Mesh::sphere(0.5, 8, 4), 0.0),
    ])
    .expect("a valid chain");
    let mut journal = Journal::new();
    journal
        .push(JournalFrame {
            frame: 1,
            time: 1.0 / 60.0,
            delta: 1.0 / 60.0,
            events: vec![TimedEvent {
                at: 0.01,
                event: InputEvent::key_pressed(KeyCode::Space).into(),
            }],
        })
        .expect("a valid frame");
    let bindings = ActionMap::<Play>::new()
        .with(Play::Move, Binding::WASD)
        .with(Play::Jump, Binding::Key(KeyCode::Space))
        .to_json();
    let (mesh_seed, texture_seed) = level_seeds();
    vec![
        ("lod_chain", "seed-cube-sphere.lwlod", chain.to_bytes()),
        (
            "png_texture",
            "seed-checker.png",
            std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/checker.png"))
                .expect("the committed checker"),
        ),
        ("journal", "seed-one-key.jsonl", journal.to_bytes()),
        ("bindings", "seed-move-jump.json", bindings.into_bytes()),
        (
            "pack_manifest",
            "seed-two-cells.lwpk",
            pack().manifest_bytes,
        ),
        ("pack_mesh_level", "seed-cube.bin", mesh_seed),
        ("pack_texture_level", "seed-16x8.bin", texture_seed),
    ]
}

#[test]
fn seeds_are_valid_inputs() {
    let update = std::env::var_os("LAYERW_UPDATE_FUZZ_SEEDS").is_some();
    for (target, name, bytes) in seeds() {
        let path = corpus(target).join(name);
        if update {
            std::fs::create_dir_all(corpus(target)).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/fuzz.sh --seeds)", path.display()));
        assert_eq!(
            committed,
            bytes,
            "{} is stale: run scripts/fuzz.sh --seeds",
            path.display()
        );
        match target {
            "lod_chain" => drop(LodChain::from_bytes(&committed).unwrap()),
            "png_texture" => drop(TextureImage::decode_png(&committed).unwrap()),
            "journal" => drop(Journal::from_bytes(&committed).unwrap()),
            "bindings" => ActionMap::<Play>::new()
                .load_json(std::str::from_utf8(&committed).unwrap())
                .unwrap(),
            "pack_manifest" => drop(PackManifest::from_bytes(&committed).unwrap()),
            "pack_mesh_level" => decode_mesh_seed(&committed),
            "pack_texture_level" => decode_texture_seed(&committed),
            other => panic!("unknown target {other}"),
        }
    }
}
