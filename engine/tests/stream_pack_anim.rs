//! A content pack's version 4 animation section through the public API: skins, clips,
//! skinned meshes and skinned entities written, read back, and refused with typed errors when
//! malformed (by the writer and by the reader, which never panics on any bytes).

use layerw_engine::anim::{Channel, ChannelTarget, Clip, Interpolation, JointPose, Skeleton};
use layerw_engine::glam::{Mat4, Quat, Vec3, Vec4};
use layerw_engine::render::{Mesh, SkinnedMesh, SkinnedMeshError};
use layerw_engine::stream::{
    PACK_HEADER_LEN, PackClip, PackError, PackManifest, PackMaterial, PackSkinnedEntity,
    PackSkinnedMesh, PackWriter,
};

fn skeleton() -> Skeleton {
    let up = JointPose {
        translation: Vec3::Y,
        ..JointPose::IDENTITY
    };
    Skeleton::new(
        vec![None, Some(0)],
        vec![Mat4::IDENTITY, Mat4::from_translation(-Vec3::Y)],
        vec![JointPose::IDENTITY, up],
    )
    .unwrap()
}

fn skinned_cube(joint: u16) -> SkinnedMesh {
    let mesh = Mesh::cube(1.0);
    let n = mesh.positions.len();
    SkinnedMesh {
        mesh,
        joints: vec![[0, joint, 0, 0]; n],
        weights: vec![[0.25, 0.75, 0.0, 0.0]; n],
    }
}

fn clip(joint: u32, interpolation: Interpolation) -> Clip {
    let keys = if interpolation == Interpolation::CubicSpline {
        3
    } else {
        1
    };
    let values = (0..2 * keys)
        .map(|i| Vec4::from(Quat::from_rotation_z(i as f32 * 0.1)))
        .collect();
    Clip::new(vec![
        Channel::new(
            joint,
            ChannelTarget::Rotation,
            interpolation,
            vec![0.0, 1.5],
            values,
        )
        .unwrap(),
    ])
}

/// A pack with one skin, three clips (one per interpolation), a skinned cube and two entities.
fn writer() -> PackWriter {
    let mut writer = PackWriter::in_memory(32.0).unwrap();
    let material = writer.add_material(PackMaterial::default()).unwrap();
    let skin = writer.add_skin(skeleton()).unwrap();
    for interpolation in [
        Interpolation::Step,
        Interpolation::Linear,
        Interpolation::CubicSpline,
    ] {
        writer
            .add_clip(PackClip {
                skin,
                clip: clip(1, interpolation),
            })
            .unwrap();
    }
    let mesh = writer
        .add_skinned_mesh(PackSkinnedMesh {
            skin,
            mesh: skinned_cube(1),
        })
        .unwrap();
    for x in [0.0, 3.0] {
        writer
            .add_skinned_entity(PackSkinnedEntity {
                mesh,
                material,
                translation: Vec3::new(x, 0.0, 0.0),
                rotation: Quat::from_rotation_y(x),
                scale: Vec3::ONE,
            })
            .unwrap();
    }
    writer
}

#[test]
fn the_animation_section_round_trips() {
    let pack = writer().finish().unwrap();
    let read = PackManifest::from_bytes(&pack.manifest_bytes).unwrap();
    assert_eq!(read, pack.manifest);
    let animation = &read.animation;
    assert_eq!(animation.skins, vec![skeleton()]);
    assert_eq!(animation.clips.len(), 3);
    assert_eq!(
        animation.clips[2].clip.channels()[0].interpolation(),
        Interpolation::CubicSpline
    );
    assert_eq!(animation.clips_of(0).count(), 3);
    assert_eq!(animation.skinned_meshes[0].mesh, skinned_cube(1));
    assert_eq!(animation.skinned_entities[1].translation.x, 3.0);
}

#[test]
fn the_writer_refuses_what_the_skin_cannot_drive() {
    let mut writer = writer();
    // A vertex naming joint 2 of a two-joint skin.
    assert_eq!(
        writer.add_skinned_mesh(PackSkinnedMesh {
            skin: 0,
            mesh: skinned_cube(2),
        }),
        Err(PackError::InvalidSkinnedMesh {
            mesh: 1,
            error: SkinnedMeshError::JointOutOfRange {
                vertex: 0,
                joint: 2,
                joints: 2
            }
        })
    );
    // Weights that do not sum to 1.
    let mut heavy = skinned_cube(1);
    heavy.weights[3] = [0.5, 0.75, 0.0, 0.0];
    assert_eq!(
        writer.add_skinned_mesh(PackSkinnedMesh {
            skin: 0,
            mesh: heavy,
        }),
        Err(PackError::InvalidSkinnedMesh {
            mesh: 1,
            error: SkinnedMeshError::BadWeights { vertex: 3 }
        })
    );
    // A skin that is not there.
    assert!(matches!(
        writer.add_skinned_mesh(PackSkinnedMesh {
            skin: 7,
            mesh: skinned_cube(1),
        }),
        Err(PackError::IndexOutOfRange {
            what: "skinned mesh skin",
            ..
        })
    ));
    // A clip driving joint 5 of the two-joint skin, found by `finish`.
    writer
        .add_clip(PackClip {
            skin: 0,
            clip: clip(5, Interpolation::Linear),
        })
        .unwrap();
    assert!(matches!(
        writer.finish(),
        Err(PackError::OutOfRange {
            what: "clip",
            index: 3,
            ..
        })
    ));
    // An entity drawing a skinned mesh that is not there.
    let mut writer = self::writer();
    writer
        .add_skinned_entity(PackSkinnedEntity {
            mesh: 4,
            material: 0,
            translation: Vec3::ZERO,
            rotation: Quat::IDENTITY,
            scale: Vec3::ONE,
        })
        .unwrap();
    assert!(matches!(
        writer.finish(),
        Err(PackError::IndexOutOfRange {
            what: "skinned entity mesh",
            index: 4,
            len: 1
        })
    ));
}

/// Re-seals a manifest's header around a changed body (valid checksums).
fn resealed(bytes: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = bytes[..PACK_HEADER_LEN].to_vec();
    out[8..16].copy_from_slice(&(body.len() as u64).to_le_bytes());
    out[16..20].copy_from_slice(&crc32fast::hash(body).to_le_bytes());
    let crc = crc32fast::hash(&out[..28]);
    out[28..32].copy_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(body);
    out
}

#[test]
fn the_reader_refuses_malformed_animation_bytes_with_typed_errors() {
    let pack = writer().finish().unwrap();
    let bytes = pack.manifest_bytes;
    let body = &bytes[PACK_HEADER_LEN..];
    // The skin section starts right after the (empty) cells, lights and cameras counts, which
    // follow the one 196-byte material.
    let skin_at = body
        .windows(8)
        .position(|w| w == [1, 0, 0, 0, 2, 0, 0, 0])
        .expect("the skin count (1) and its joint count (2)");
    // Joint 1's parent (the word after joint 0's 108 bytes) pointing at itself.
    let parent_at = skin_at + 8 + 108;
    let mut cyclic = body.to_vec();
    cyclic[parent_at..parent_at + 4].copy_from_slice(&1u32.to_le_bytes());
    assert!(matches!(
        PackManifest::from_bytes(&resealed(&bytes, &cyclic)),
        Err(PackError::InvalidSkeleton { skin: 0, .. })
    ));
    // The first clip's interpolation word: after the two joints, the clip count, its skin,
    // channel count, joint and target.
    let interpolation_at = skin_at + 8 + 2 * 108 + 4 + 4 * 4;
    let mut unknown = body.to_vec();
    unknown[interpolation_at..interpolation_at + 4].copy_from_slice(&9u32.to_le_bytes());
    assert_eq!(
        PackManifest::from_bytes(&resealed(&bytes, &unknown)),
        Err(PackError::UnknownFlags {
            what: "channel interpolation",
            flags: 9
        })
    );
    // The first key time made negative: the clip's channel is refused.
    let time_at = interpolation_at + 8;
    let mut backwards = body.to_vec();
    backwards[time_at..time_at + 4].copy_from_slice(&(-1.0f32).to_le_bytes());
    assert!(matches!(
        PackManifest::from_bytes(&resealed(&bytes, &backwards)),
        Err(PackError::InvalidClip {
            clip: 0,
            channel: 0,
            ..
        })
    ));
    // A skinned vertex weight of 2 (the last weights written are the last vertex's, then the
    // two 48-byte entities and their count).
    let weight_at = body.len() - 4 - 2 * 48 - 16;
    let mut heavy = body.to_vec();
    heavy[weight_at..weight_at + 4].copy_from_slice(&2.0f32.to_le_bytes());
    assert!(matches!(
        PackManifest::from_bytes(&resealed(&bytes, &heavy)),
        Err(PackError::InvalidSkinnedMesh {
            mesh: 0,
            error: SkinnedMeshError::BadWeights { vertex: 23 }
        })
    ));
    // Every prefix of the body is refused, none panics.
    for len in (skin_at..body.len()).step_by(7) {
        assert!(PackManifest::from_bytes(&resealed(&bytes, &body[..len])).is_err());
    }
    // Every single-byte change of the section is read or refused, never a panic.
    for at in (skin_at..body.len()).step_by(3) {
        let mut changed = body.to_vec();
        changed[at] ^= 0xa5;
        let _ = PackManifest::from_bytes(&resealed(&bytes, &changed));
    }
}
