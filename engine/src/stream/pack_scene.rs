//! The byte layout of a manifest's materials, lights and cameras (docs/pack-format.md), for
//! `pack.rs`: writing the current version, reading it and version 2's materials.

use glam::{Quat, Vec2, Vec3};

use super::manifest::{MaterialTransforms, PackMaterial};
use super::pack::{MAX_CAMERAS, MAX_LIGHTS, NO_TEXTURE, Reader, put_f32, put_u32, put_vec3};
use super::pack_error::PackError;
use super::scene_items::{PackCamera, PackLight, PackLightKind, PackProjection};
use crate::render::{AlphaMode, TextureTransform};

/// A version 2 material's bytes: factors and two texture indices.
pub(super) const MATERIAL_V2_LEN: u64 = 44;
/// A material's bytes: factors, five texture indices, four scalars, flags, five transforms.
pub(super) const MATERIAL_LEN: u64 = 16 + 12 + 4 + 4 + 5 * 4 + 4 * 4 + 4 + 5 * TRANSFORM_LEN;
const TRANSFORM_LEN: u64 = 24;
/// A light's bytes: kind, flags, colour, intensity, range, two cone angles, placement.
const LIGHT_LEN: u64 = 4 + 4 + 12 + 4 + 4 + 8 + 12 + 16;
/// A camera's bytes: kind, flags, four projection numbers, placement.
const CAMERA_LEN: u64 = 4 + 4 + 16 + 12 + 16;

/// Material flag bits: the alpha mode in the low two, then double-sided.
const ALPHA_MODE_MASK: u32 = 0b11;
const MATERIAL_DOUBLE_SIDED: u32 = 0b100;
/// Light kinds and flag bits.
const LIGHT_DIRECTIONAL: u32 = 0;
const LIGHT_POINT: u32 = 1;
const LIGHT_SPOT: u32 = 2;
const LIGHT_HAS_RANGE: u32 = 1;
/// Camera kinds and flag bits.
const CAMERA_PERSPECTIVE: u32 = 0;
const CAMERA_ORTHOGRAPHIC: u32 = 1;
const CAMERA_HAS_ASPECT: u32 = 1;
const CAMERA_HAS_FAR: u32 = 2;

fn put_quat(out: &mut Vec<u8>, q: Quat) {
    for f in q.to_array() {
        put_f32(out, f);
    }
}

/// Writes a material in the current version's layout.
pub(super) fn put_material(out: &mut Vec<u8>, m: &PackMaterial) {
    for f in m.base_color.to_array() {
        put_f32(out, f);
    }
    put_vec3(out, m.emissive);
    put_f32(out, m.metallic);
    put_f32(out, m.roughness);
    for texture in [
        m.base_color_texture,
        m.normal_texture,
        m.metallic_roughness_texture,
        m.occlusion_texture,
        m.emissive_texture,
    ] {
        put_u32(out, texture.unwrap_or(NO_TEXTURE));
    }
    put_f32(out, m.normal_scale);
    put_f32(out, m.occlusion_strength);
    put_f32(out, m.emissive_strength);
    put_f32(out, m.alpha_cutoff);
    let alpha = match m.alpha_mode {
        AlphaMode::Opaque => 0,
        AlphaMode::Mask => 1,
        AlphaMode::Blend => 2,
    };
    put_u32(
        out,
        alpha
            | if m.double_sided {
                MATERIAL_DOUBLE_SIDED
            } else {
                0
            },
    );
    for t in m.transforms.to_array() {
        put_f32(out, t.offset.x);
        put_f32(out, t.offset.y);
        put_f32(out, t.rotation);
        put_f32(out, t.scale.x);
        put_f32(out, t.scale.y);
        put_u32(out, t.tex_coord);
    }
}

/// Reads a material in `version`'s layout (version 2: factors and two maps, the rest default).
pub(super) fn read_material(r: &mut Reader<'_>, version: u16) -> Result<PackMaterial, PackError> {
    let mut m = PackMaterial {
        base_color: r.vec4()?,
        emissive: r.vec3()?,
        metallic: r.f32()?,
        roughness: r.f32()?,
        base_color_texture: r.texture_index()?,
        normal_texture: r.texture_index()?,
        ..PackMaterial::default()
    };
    if version < 3 {
        return Ok(m);
    }
    m.metallic_roughness_texture = r.texture_index()?;
    m.occlusion_texture = r.texture_index()?;
    m.emissive_texture = r.texture_index()?;
    m.normal_scale = r.f32()?;
    m.occlusion_strength = r.f32()?;
    m.emissive_strength = r.f32()?;
    m.alpha_cutoff = r.f32()?;
    let flags = r.u32()?;
    m.alpha_mode = match flags & ALPHA_MODE_MASK {
        0 => AlphaMode::Opaque,
        1 => AlphaMode::Mask,
        2 => AlphaMode::Blend,
        _ => {
            return Err(PackError::UnknownFlags {
                what: "material alpha mode",
                flags,
            });
        }
    };
    if flags & !(ALPHA_MODE_MASK | MATERIAL_DOUBLE_SIDED) != 0 {
        return Err(PackError::UnknownFlags {
            what: "material",
            flags,
        });
    }
    m.double_sided = flags & MATERIAL_DOUBLE_SIDED != 0;
    let mut transforms = [TextureTransform::IDENTITY; 5];
    for t in &mut transforms {
        *t = TextureTransform {
            offset: Vec2::new(r.f32()?, r.f32()?),
            rotation: r.f32()?,
            scale: Vec2::new(r.f32()?, r.f32()?),
            tex_coord: r.u32()?,
        };
    }
    m.transforms = MaterialTransforms::from_array(transforms);
    Ok(m)
}

/// Writes the lights and the cameras.
pub(super) fn put_scene_items(out: &mut Vec<u8>, lights: &[PackLight], cameras: &[PackCamera]) {
    put_u32(out, lights.len() as u32);
    for light in lights {
        let (kind, inner, outer) = match light.kind {
            PackLightKind::Directional => (LIGHT_DIRECTIONAL, 0.0, 0.0),
            PackLightKind::Point => (LIGHT_POINT, 0.0, 0.0),
            PackLightKind::Spot {
                inner_cone,
                outer_cone,
            } => (LIGHT_SPOT, inner_cone, outer_cone),
        };
        put_u32(out, kind);
        put_u32(
            out,
            if light.range.is_some() {
                LIGHT_HAS_RANGE
            } else {
                0
            },
        );
        put_vec3(out, light.color);
        put_f32(out, light.intensity);
        put_f32(out, light.range.unwrap_or(0.0));
        put_f32(out, inner);
        put_f32(out, outer);
        put_vec3(out, light.translation);
        put_quat(out, light.rotation);
    }
    put_u32(out, cameras.len() as u32);
    for camera in cameras {
        let (kind, flags, numbers) = match camera.projection {
            PackProjection::Perspective {
                y_fov,
                aspect_ratio,
                z_near,
                z_far,
            } => (
                CAMERA_PERSPECTIVE,
                if aspect_ratio.is_some() {
                    CAMERA_HAS_ASPECT
                } else {
                    0
                } | if z_far.is_some() { CAMERA_HAS_FAR } else { 0 },
                [
                    y_fov,
                    aspect_ratio.unwrap_or(0.0),
                    z_near,
                    z_far.unwrap_or(0.0),
                ],
            ),
            PackProjection::Orthographic {
                x_mag,
                y_mag,
                z_near,
                z_far,
            } => (
                CAMERA_ORTHOGRAPHIC,
                CAMERA_HAS_FAR,
                [x_mag, y_mag, z_near, z_far],
            ),
        };
        put_u32(out, kind);
        put_u32(out, flags);
        for f in numbers {
            put_f32(out, f);
        }
        put_vec3(out, camera.translation);
        put_quat(out, camera.rotation);
    }
}

fn read_quat(r: &mut Reader<'_>) -> Result<Quat, PackError> {
    Ok(Quat::from_vec4(r.vec4()?))
}

/// Reads the lights and the cameras (counts bounded by the bytes left before allocating).
pub(super) fn read_scene_items(
    r: &mut Reader<'_>,
) -> Result<(Vec<PackLight>, Vec<PackCamera>), PackError> {
    let mut lights = Vec::with_capacity(r.count("lights", MAX_LIGHTS, LIGHT_LEN)?);
    for index in 0..lights.capacity() as u32 {
        let kind = r.u32()?;
        let flags = r.u32()?;
        if flags & !LIGHT_HAS_RANGE != 0 {
            return Err(PackError::UnknownFlags {
                what: "light",
                flags,
            });
        }
        let color: Vec3 = r.vec3()?;
        let intensity = r.f32()?;
        let range = r.f32()?;
        let inner_cone = r.f32()?;
        let outer_cone = r.f32()?;
        // The encoding is canonical: a number the kind or flags leave unused is written as 0,
        // so one that is not would be lost on the way back.
        let unused = |value: f32, reason| {
            if value.to_bits() == 0 {
                Ok(())
            } else {
                Err(PackError::OutOfRange {
                    what: "light",
                    index,
                    reason,
                })
            }
        };
        if flags & LIGHT_HAS_RANGE == 0 {
            unused(range, "a range without its flag")?;
        }
        if kind != LIGHT_SPOT {
            unused(inner_cone, "a cone angle on a light that is not a spot")?;
            unused(outer_cone, "a cone angle on a light that is not a spot")?;
        }
        let kind = match kind {
            LIGHT_DIRECTIONAL => PackLightKind::Directional,
            LIGHT_POINT => PackLightKind::Point,
            LIGHT_SPOT => PackLightKind::Spot {
                inner_cone,
                outer_cone,
            },
            _ => {
                return Err(PackError::UnknownFlags {
                    what: "light kind",
                    flags: kind,
                });
            }
        };
        lights.push(PackLight {
            kind,
            color,
            intensity,
            range: (flags & LIGHT_HAS_RANGE != 0).then_some(range),
            translation: r.vec3()?,
            rotation: read_quat(r)?,
        });
    }
    let mut cameras = Vec::with_capacity(r.count("cameras", MAX_CAMERAS, CAMERA_LEN)?);
    for index in 0..cameras.capacity() as u32 {
        let kind = r.u32()?;
        let flags = r.u32()?;
        if flags & !(CAMERA_HAS_ASPECT | CAMERA_HAS_FAR) != 0 {
            return Err(PackError::UnknownFlags {
                what: "camera",
                flags,
            });
        }
        let [a, b, c, d] = [r.f32()?, r.f32()?, r.f32()?, r.f32()?];
        // Canonical, as for lights: what the flags leave out is written as 0.
        let unused_by_flags = (flags & CAMERA_HAS_ASPECT == 0 && b.to_bits() != 0)
            || (flags & CAMERA_HAS_FAR == 0 && d.to_bits() != 0);
        if kind == CAMERA_PERSPECTIVE && unused_by_flags {
            return Err(PackError::OutOfRange {
                what: "camera",
                index,
                reason: "a number without its flag",
            });
        }
        let projection = match kind {
            CAMERA_PERSPECTIVE => PackProjection::Perspective {
                y_fov: a,
                aspect_ratio: (flags & CAMERA_HAS_ASPECT != 0).then_some(b),
                z_near: c,
                z_far: (flags & CAMERA_HAS_FAR != 0).then_some(d),
            },
            CAMERA_ORTHOGRAPHIC if flags == CAMERA_HAS_FAR => PackProjection::Orthographic {
                x_mag: a,
                y_mag: b,
                z_near: c,
                z_far: d,
            },
            _ => {
                return Err(PackError::UnknownFlags {
                    what: "camera kind",
                    flags: kind,
                });
            }
        };
        cameras.push(PackCamera {
            projection,
            translation: r.vec3()?,
            rotation: read_quat(r)?,
        });
    }
    Ok((lights, cameras))
}
