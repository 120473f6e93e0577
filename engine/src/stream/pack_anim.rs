//! A manifest's animation section (format version 4, docs/pack-format.md): skins (skeletons),
//! clips retargeted to a skin, skinned meshes (kept whole in the manifest: no LOD chain, since
//! simplifying would break the vertex-to-joint binding) and the entities that draw them.

use glam::{Mat4, Quat, Vec3, Vec4};

use super::pack::{Reader, put_f32, put_u32, put_vec3};
use super::pack_error::PackError;
use crate::anim::{Channel, ChannelTarget, Clip, Interpolation, JointPose, Skeleton};
use crate::lod::{LevelBodyError, decode_level_body, encode_level};
use crate::render::SkinnedMesh;

/// The most skins in a pack.
pub const MAX_SKINS: u32 = 1 << 12;
/// The most joints of one skin (vertices name joints with 16 bits).
pub const MAX_SKIN_JOINTS: u32 = 1 << 16;
/// The most clips in a pack.
pub const MAX_CLIPS: u32 = 1 << 12;
/// The most channels of one clip.
pub const MAX_CLIP_CHANNELS: u32 = 1 << 16;
/// The most keys of one channel.
pub const MAX_CHANNEL_KEYS: u32 = 1 << 20;
/// The most skinned meshes in a pack.
pub const MAX_SKINNED_MESHES: u32 = 1 << 12;
/// The most skinned entities in a pack.
pub const MAX_SKINNED_ENTITIES: u32 = 1 << 16;

/// The parent a root joint stores.
const NO_PARENT: u32 = u32::MAX;
/// A joint's bytes: parent, inverse bind matrix, rest translation, rotation, scale.
const JOINT_LEN: u64 = 4 + 64 + 12 + 16 + 12;
/// A clip's least bytes: skin and channel count.
const CLIP_FIXED: u64 = 8;
/// A channel's least bytes: joint, target, interpolation, key count.
const CHANNEL_FIXED: u64 = 16;
/// A skinned mesh's least bytes: skin, triangles, body length.
const SKINNED_MESH_FIXED: u64 = 12;
/// A vertex's skin bytes: four u16 joints and four f32 weights.
const VERTEX_SKIN_LEN: u64 = 8 + 16;
/// A skinned entity's bytes: mesh, material, translation, rotation, scale.
const SKINNED_ENTITY_LEN: u64 = 4 + 4 + 12 + 16 + 12;

/// A clip of a pack, retargeted to one of its skins (its channels' joints are that skin's).
#[derive(Clone, Debug, PartialEq)]
pub struct PackClip {
    /// Index into [`PackAnimation::skins`].
    pub skin: u32,
    /// The clip.
    pub clip: Clip,
}

/// A skinned mesh of a pack and the skin it is bound to.
#[derive(Clone, Debug, PartialEq)]
pub struct PackSkinnedMesh {
    /// Index into [`PackAnimation::skins`]: its joints are this skin's.
    pub skin: u32,
    /// The mesh in bind pose, with its joints and weights.
    pub mesh: SkinnedMesh,
}

/// An entity drawing a skinned mesh. Its transform places the skeleton's space (where the
/// skin's root joints hang) in the world; skinned entities are not in world cells: they are
/// always loaded with the manifest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PackSkinnedEntity {
    /// Index into [`PackAnimation::skinned_meshes`].
    pub mesh: u32,
    /// Index into [`PackManifest::materials`](super::PackManifest::materials).
    pub material: u32,
    /// World position of the skeleton's space.
    pub translation: Vec3,
    /// World orientation of the skeleton's space.
    pub rotation: Quat,
    /// Scale of the skeleton's space.
    pub scale: Vec3,
}

/// What a pack holds for skeletal animation (empty before format version 4).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PackAnimation {
    /// Skeletons, joints parent-first.
    pub skins: Vec<Skeleton>,
    /// Clips, each retargeted to one skin.
    pub clips: Vec<PackClip>,
    /// Skinned meshes.
    pub skinned_meshes: Vec<PackSkinnedMesh>,
    /// Entities drawing skinned meshes.
    pub skinned_entities: Vec<PackSkinnedEntity>,
}

impl PackAnimation {
    /// The clips retargeted to skin `skin`, in pack order.
    pub fn clips_of(&self, skin: u32) -> impl Iterator<Item = &Clip> {
        self.clips
            .iter()
            .filter(move |c| c.skin == skin)
            .map(|c| &c.clip)
    }

    /// Checks every reference (clip and mesh skins, entity meshes and materials against
    /// `materials`), every channel's joint against its skin, every skinned mesh
    /// ([`SkinnedMesh::validate`] against its skin's joints) and every entity's transform.
    pub(super) fn validate(&self, materials: usize) -> Result<(), PackError> {
        let skin_joints = |what, skin: u32| {
            self.skins
                .get(skin as usize)
                .map(Skeleton::joint_count)
                .ok_or(PackError::IndexOutOfRange {
                    what,
                    index: skin,
                    len: self.skins.len() as u64,
                })
        };
        for (i, clip) in self.clips.iter().enumerate() {
            let joints = skin_joints("clip skin", clip.skin)?;
            if clip
                .clip
                .channels()
                .iter()
                .any(|c| c.joint() as usize >= joints)
            {
                return Err(PackError::OutOfRange {
                    what: "clip",
                    index: i as u32,
                    reason: "a channel drives a joint its skin does not have",
                });
            }
        }
        for (i, mesh) in self.skinned_meshes.iter().enumerate() {
            let joints = skin_joints("skinned mesh skin", mesh.skin)?;
            mesh.mesh
                .validate(joints)
                .map_err(|error| PackError::InvalidSkinnedMesh {
                    mesh: i as u32,
                    error,
                })?;
        }
        for (i, e) in self.skinned_entities.iter().enumerate() {
            let index = |what, index: u32, len: usize| {
                if (index as usize) < len {
                    Ok(())
                } else {
                    Err(PackError::IndexOutOfRange {
                        what,
                        index,
                        len: len as u64,
                    })
                }
            };
            index("skinned entity mesh", e.mesh, self.skinned_meshes.len())?;
            index("skinned entity material", e.material, materials)?;
            if !(e.translation.is_finite() && e.rotation.is_finite() && e.scale.is_finite()) {
                return Err(PackError::NonFinite {
                    what: "skinned entity transform",
                    index: i as u32,
                });
            }
        }
        Ok(())
    }
}

/// Writes the animation section.
pub(super) fn put_animation(out: &mut Vec<u8>, a: &PackAnimation) {
    put_u32(out, a.skins.len() as u32);
    for skin in &a.skins {
        put_u32(out, skin.joint_count() as u32);
        for ((parent, bind), rest) in skin
            .parents()
            .iter()
            .zip(skin.inverse_binds())
            .zip(skin.rest_pose())
        {
            put_u32(out, parent.unwrap_or(NO_PARENT));
            for f in bind.to_cols_array() {
                put_f32(out, f);
            }
            put_vec3(out, rest.translation);
            put_vec4(out, Vec4::from(rest.rotation));
            put_vec3(out, rest.scale);
        }
    }
    put_u32(out, a.clips.len() as u32);
    for clip in &a.clips {
        put_u32(out, clip.skin);
        put_u32(out, clip.clip.channels().len() as u32);
        for channel in clip.clip.channels() {
            put_u32(out, channel.joint());
            put_u32(
                out,
                match channel.target() {
                    ChannelTarget::Translation => 0,
                    ChannelTarget::Rotation => 1,
                    ChannelTarget::Scale => 2,
                },
            );
            put_u32(
                out,
                match channel.interpolation() {
                    Interpolation::Step => 0,
                    Interpolation::Linear => 1,
                    Interpolation::CubicSpline => 2,
                },
            );
            put_u32(out, channel.times().len() as u32);
            for &t in channel.times() {
                put_f32(out, t);
            }
            for &v in channel.values() {
                put_vec4(out, v);
            }
        }
    }
    put_u32(out, a.skinned_meshes.len() as u32);
    for skinned in &a.skinned_meshes {
        let body = encode_level(&skinned.mesh.mesh);
        put_u32(out, skinned.skin);
        put_u32(out, (skinned.mesh.mesh.indices.len() / 3) as u32);
        put_u32(out, body.len() as u32);
        out.extend_from_slice(&body);
        for joints in &skinned.mesh.joints {
            for j in joints {
                out.extend_from_slice(&j.to_le_bytes());
            }
        }
        for weights in &skinned.mesh.weights {
            for &w in weights {
                put_f32(out, w);
            }
        }
    }
    put_u32(out, a.skinned_entities.len() as u32);
    for e in &a.skinned_entities {
        put_u32(out, e.mesh);
        put_u32(out, e.material);
        put_vec3(out, e.translation);
        put_vec4(out, Vec4::from(e.rotation));
        put_vec3(out, e.scale);
    }
}

fn put_vec4(out: &mut Vec<u8>, v: Vec4) {
    for f in v.to_array() {
        put_f32(out, f);
    }
}

/// Reads the animation section (every count bounded by its cap and the bytes left before
/// anything is allocated for it).
pub(super) fn read_animation(r: &mut Reader<'_>) -> Result<PackAnimation, PackError> {
    let mut skins = Vec::with_capacity(r.count("skins", MAX_SKINS, 4)?);
    for skin in 0..skins.capacity() as u32 {
        let joints = r.count("skin joints", MAX_SKIN_JOINTS, JOINT_LEN)?;
        let mut parents = Vec::with_capacity(joints);
        let mut binds = Vec::with_capacity(joints);
        let mut rest = Vec::with_capacity(joints);
        for _ in 0..joints {
            let parent = r.u32()?;
            parents.push((parent != NO_PARENT).then_some(parent));
            let mut m = [0.0; 16];
            for f in &mut m {
                *f = r.f32()?;
            }
            binds.push(Mat4::from_cols_array(&m));
            rest.push(JointPose {
                translation: r.vec3()?,
                rotation: Quat::from_vec4(r.vec4()?),
                scale: r.vec3()?,
            });
        }
        let skeleton = Skeleton::new(parents, binds, rest)
            .map_err(|error| PackError::InvalidSkeleton { skin, error })?;
        skins.push(skeleton);
    }
    let mut clips = Vec::with_capacity(r.count("clips", MAX_CLIPS, CLIP_FIXED)?);
    for clip in 0..clips.capacity() as u32 {
        let skin = r.u32()?;
        let count = r.count("clip channels", MAX_CLIP_CHANNELS, CHANNEL_FIXED)?;
        let mut channels = Vec::with_capacity(count);
        for channel in 0..count as u32 {
            let joint = r.u32()?;
            let target = match r.u32()? {
                0 => ChannelTarget::Translation,
                1 => ChannelTarget::Rotation,
                2 => ChannelTarget::Scale,
                flags => {
                    return Err(PackError::UnknownFlags {
                        what: "channel target",
                        flags,
                    });
                }
            };
            let (interpolation, per_key) = match r.u32()? {
                0 => (Interpolation::Step, 1),
                1 => (Interpolation::Linear, 1),
                2 => (Interpolation::CubicSpline, 3),
                flags => {
                    return Err(PackError::UnknownFlags {
                        what: "channel interpolation",
                        flags,
                    });
                }
            };
            let keys = r.count("channel keys", MAX_CHANNEL_KEYS, 4 + 16 * per_key)?;
            let mut times = Vec::with_capacity(keys);
            for _ in 0..keys {
                times.push(r.f32()?);
            }
            let mut values = Vec::with_capacity(keys * per_key as usize);
            for _ in 0..values.capacity() {
                values.push(r.vec4()?);
            }
            let channel =
                Channel::new(joint, target, interpolation, times, values).map_err(|error| {
                    PackError::InvalidClip {
                        clip,
                        channel,
                        error,
                    }
                })?;
            channels.push(channel);
        }
        clips.push(PackClip {
            skin,
            clip: Clip::new(channels),
        });
    }
    let mut skinned_meshes =
        Vec::with_capacity(r.count("skinned meshes", MAX_SKINNED_MESHES, SKINNED_MESH_FIXED)?);
    for _ in 0..skinned_meshes.capacity() {
        let skin = r.u32()?;
        let triangles = r.u32()?;
        let body_len = r.count("skinned mesh body bytes", u32::MAX, 1)?;
        let body = r.bytes(body_len)?;
        let mesh = decode_level_body(body, triangles).map_err(|e| match e {
            LevelBodyError::OutOfMemory => PackError::OutOfMemory {
                bytes: body_len as u64,
            },
            LevelBodyError::Invalid(reason) => PackError::InvalidMeshLevel { reason },
        })?;
        let vertices = mesh.positions.len();
        // The vertex count came from bytes already read; the skin bytes must be there too.
        let needed = vertices as u64 * VERTEX_SKIN_LEN;
        if needed > r.left() {
            return Err(r.short(needed));
        }
        let mut joints = Vec::with_capacity(vertices);
        for _ in 0..vertices {
            joints.push([r.u16()?, r.u16()?, r.u16()?, r.u16()?]);
        }
        let mut weights = Vec::with_capacity(vertices);
        for _ in 0..vertices {
            weights.push(r.vec4()?.to_array());
        }
        skinned_meshes.push(PackSkinnedMesh {
            skin,
            mesh: SkinnedMesh {
                mesh,
                joints,
                weights,
            },
        });
    }
    let mut skinned_entities = Vec::with_capacity(r.count(
        "skinned entities",
        MAX_SKINNED_ENTITIES,
        SKINNED_ENTITY_LEN,
    )?);
    for _ in 0..skinned_entities.capacity() {
        skinned_entities.push(PackSkinnedEntity {
            mesh: r.u32()?,
            material: r.u32()?,
            translation: r.vec3()?,
            rotation: Quat::from_vec4(r.vec4()?),
            scale: r.vec3()?,
        });
    }
    Ok(PackAnimation {
        skins,
        clips,
        skinned_meshes,
        skinned_entities,
    })
}
