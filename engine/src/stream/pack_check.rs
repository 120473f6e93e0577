//! What a content pack's manifest must satisfy before anything uses it
//! ([`PackManifest::validate`]): every index in range, every level inside its blob (the
//! coarsest in its coarse blob, the others back to back coarse to fine), sizes under their
//! caps, finite numbers, one entry per cell.

use super::level::lengths_fit;
use super::manifest::{PackManifest, PackMaterial, PackMesh, PackTexture, StoredLevel};
use super::pack::{
    MAX_BLOB_NAME_LEN, MAX_BLOBS, MAX_CAMERAS, MAX_CELLS, MAX_ENTITIES, MAX_LIGHTS, MAX_MATERIALS,
    MAX_MESH_LEVEL_RAW_LEN, MAX_MESH_LEVELS, MAX_MESHES, MAX_TEXTURE_LEVELS, MAX_TEXTURES, cell_of,
};
use super::pack_error::{AssetKind, PackError};
use super::scene_items::{PackCamera, PackLight, PackLightKind, PackProjection};
use super::{MAX_CRITICAL_TEXTURE_SIZE, MAX_TEXTURE_SIZE};

/// The smallest decompressed mesh level but its indices: the 16-byte header and one vertex
/// (48 bytes).
const MIN_MESH_LEVEL_RAW_LEN: u64 = 16 + 48;

impl PackManifest {
    /// Checks everything the streamer relies on; [`PackManifest::from_bytes`] runs it on every
    /// manifest it reads, and the writer on every manifest it writes.
    ///
    /// - the cell size is positive and finite, every count under its cap (`MAX_*`);
    /// - blob names are 1 to [`MAX_BLOB_NAME_LEN`](super::MAX_BLOB_NAME_LEN) letters, digits,
    ///   `-`, `_` or `.`, and not `.` or `..`;
    /// - every index (a mesh's or texture's coarse blob and blob, a material's textures, an
    ///   entity's mesh and material) is in range;
    /// - each asset has 1 to [`MAX_MESH_LEVELS`](super::MAX_MESH_LEVELS) (meshes) or
    ///   [`MAX_TEXTURE_LEVELS`](super::MAX_TEXTURE_LEVELS) (textures) levels; level 0 ends
    ///   inside the coarse blob; levels 1.. lie back to back coarse to fine (level `i + 1`
    ///   starts where level `i` ends), ending inside the blob;
    /// - a level's stored length is at most LZ4's worst case for its raw length, its raw length
    ///   at most 255 times its stored length (LZ4's best ratio) and under the cap for its kind;
    /// - mesh levels: at least one triangle, errors finite, non-negative and non-increasing,
    ///   triangles non-decreasing, bounds finite with `min <= max`;
    /// - texture levels: each the mip right below the next (`w = max(1, next_w / 2)`, the same
    ///   for `h`), `raw_len == w * h * 4`, the full size at most [`MAX_TEXTURE_SIZE`]
    ///   ([`MAX_CRITICAL_TEXTURE_SIZE`] when critical);
    /// - lights: finite, colour and intensity not negative, a range positive, spot cones
    ///   `0 <= inner < outer <= pi/2`; cameras: finite, a perspective field of view in
    ///   `(0, pi)`, aspect positive, `0 < near < far`, an orthographic one's magnifications
    ///   non-zero and `0 <= near < far`;
    /// - material parameters (emissive strength not negative) and entity transforms finite, each entity inside the cell that
    ///   lists it ([`cell_of`](super::cell_of)), no two cells with the same coordinates.
    pub fn validate(&self) -> Result<(), PackError> {
        if !(self.cell_size.is_finite() && self.cell_size > 0.0) {
            return Err(PackError::InvalidCellSize {
                cell_size: self.cell_size,
            });
        }
        cap("blobs", self.blobs.len(), MAX_BLOBS)?;
        cap("meshes", self.meshes.len(), MAX_MESHES)?;
        cap("textures", self.textures.len(), MAX_TEXTURES)?;
        cap("materials", self.materials.len(), MAX_MATERIALS)?;
        cap("cells", self.cells.len(), MAX_CELLS)?;
        cap(
            "entities",
            self.cells.iter().map(|c| c.entities.len()).sum(),
            MAX_ENTITIES,
        )?;
        for (i, blob) in self.blobs.iter().enumerate() {
            check_blob_name(&blob.name).map_err(|reason| PackError::BadBlobName {
                blob: i as u32,
                reason,
            })?;
        }
        for (i, mesh) in self.meshes.iter().enumerate() {
            self.check_mesh(i as u32, mesh)?;
        }
        for (i, texture) in self.textures.iter().enumerate() {
            self.check_texture(i as u32, texture)?;
        }
        for (i, material) in self.materials.iter().enumerate() {
            check_material(i as u32, material, self.textures.len())?;
        }
        cap("lights", self.lights.len(), MAX_LIGHTS)?;
        cap("cameras", self.cameras.len(), MAX_CAMERAS)?;
        for (i, light) in self.lights.iter().enumerate() {
            check_light(i as u32, light)?;
        }
        for (i, camera) in self.cameras.iter().enumerate() {
            check_camera(i as u32, camera)?;
        }
        self.animation.validate(self.materials.len())?;
        self.check_cells()
    }

    /// The length of blob `blob`, or the typed error for an index out of range.
    fn blob_len(&self, what: &'static str, blob: u32) -> Result<u64, PackError> {
        self.blobs
            .get(blob as usize)
            .map(|b| b.len)
            .ok_or(PackError::IndexOutOfRange {
                what,
                index: blob,
                len: self.blobs.len() as u64,
            })
    }

    fn check_mesh(&self, asset: u32, mesh: &PackMesh) -> Result<(), PackError> {
        let kind = AssetKind::Mesh;
        let coarse_len = self.blob_len("mesh coarse blob", mesh.coarse_blob)?;
        let blob_len = self.blob_len("mesh blob", mesh.blob)?;
        level_count(kind, asset, mesh.levels.len(), MAX_MESH_LEVELS)?;
        if !mesh.bounds.is_valid() {
            return Err(PackError::NonFinite {
                what: "mesh bounds",
                index: asset,
            });
        }
        check_ranges(
            kind,
            asset,
            [coarse_len, blob_len],
            mesh.levels.iter().map(|l| &l.stored),
        )?;
        let mut previous: Option<(u32, f32)> = None;
        for (i, level) in mesh.levels.iter().enumerate() {
            let invalid = |reason| PackError::InvalidLevel {
                kind,
                asset,
                level: i as u32,
                reason,
            };
            if !(level.error.is_finite() && level.error >= 0.0) {
                return Err(invalid("error is negative or not finite"));
            }
            if level.triangles == 0 {
                return Err(invalid("no triangles"));
            }
            let raw = level.stored.raw_len;
            if raw > MAX_MESH_LEVEL_RAW_LEN {
                return Err(invalid("decompresses to more than MAX_MESH_LEVEL_RAW_LEN"));
            }
            // The level encoding needs at least 3 x 2 bytes of indices per triangle.
            let least =
                MIN_MESH_LEVEL_RAW_LEN + (u64::from(level.triangles) * 6).next_multiple_of(4);
            if u64::from(raw) < least || !raw.is_multiple_of(4) {
                return Err(invalid("raw length cannot hold the level's triangles"));
            }
            if let Some((triangles, error)) = previous
                && (level.triangles < triangles || level.error > error)
            {
                return Err(PackError::LevelOrder {
                    kind,
                    asset,
                    level: i as u32,
                });
            }
            previous = Some((level.triangles, level.error));
        }
        Ok(())
    }

    fn check_texture(&self, asset: u32, texture: &PackTexture) -> Result<(), PackError> {
        let kind = AssetKind::Texture;
        let coarse_len = self.blob_len("texture coarse blob", texture.coarse_blob)?;
        let blob_len = self.blob_len("texture blob", texture.blob)?;
        level_count(kind, asset, texture.levels.len(), MAX_TEXTURE_LEVELS)?;
        check_ranges(
            kind,
            asset,
            [coarse_len, blob_len],
            texture.levels.iter().map(|l| &l.stored),
        )?;
        let max = if texture.critical {
            MAX_CRITICAL_TEXTURE_SIZE
        } else {
            MAX_TEXTURE_SIZE
        };
        for (i, level) in texture.levels.iter().enumerate() {
            let invalid = |reason| PackError::InvalidLevel {
                kind,
                asset,
                level: i as u32,
                reason,
            };
            if level.width == 0 || level.height == 0 {
                return Err(invalid("no pixels"));
            }
            // Every level, not only the full size: the order is checked after the size.
            if level.width > max || level.height > max {
                return Err(PackError::TextureTooLarge {
                    texture: asset,
                    width: level.width,
                    height: level.height,
                    max,
                });
            }
            let rgba = u64::from(level.width) * u64::from(level.height) * 4;
            if u64::from(level.stored.raw_len) != rgba {
                return Err(invalid("raw length is not width x height x 4"));
            }
            if let Some(finer) = texture.levels.get(i + 1)
                && (level.width != (finer.width / 2).max(1)
                    || level.height != (finer.height / 2).max(1))
            {
                return Err(PackError::LevelOrder {
                    kind,
                    asset,
                    level: i as u32 + 1,
                });
            }
        }
        Ok(())
    }

    fn check_cells(&self) -> Result<(), PackError> {
        for cell in &self.cells {
            let coord = cell.coord.to_array();
            for (i, e) in cell.entities.iter().enumerate() {
                let out_of_range = |what, index, len: usize| PackError::IndexOutOfRange {
                    what,
                    index,
                    len: len as u64,
                };
                if e.mesh as usize >= self.meshes.len() {
                    return Err(out_of_range("entity mesh", e.mesh, self.meshes.len()));
                }
                if e.material as usize >= self.materials.len() {
                    return Err(out_of_range(
                        "entity material",
                        e.material,
                        self.materials.len(),
                    ));
                }
                if !(e.translation.is_finite() && e.rotation.is_finite() && e.scale.is_finite()) {
                    return Err(PackError::NonFinite {
                        what: "entity transform",
                        index: i as u32,
                    });
                }
                if cell_of(e.translation, self.cell_size) != Some(cell.coord) {
                    return Err(PackError::EntityOutsideCell {
                        cell: coord,
                        entity: i as u32,
                    });
                }
            }
        }
        let mut coords: Vec<[i32; 2]> = self.cells.iter().map(|c| c.coord.to_array()).collect();
        coords.sort_unstable();
        match coords.windows(2).find(|w| w[0] == w[1]) {
            Some(w) => Err(PackError::DuplicateCell { coord: w[0] }),
            None => Ok(()),
        }
    }
}

/// A material's checks: finite numbers, a non-negative emissive strength, texture indices
/// under `textures` (also the writer's, as materials are added).
pub(super) fn check_material(
    index: u32,
    m: &PackMaterial,
    textures: usize,
) -> Result<(), PackError> {
    let finite = m.base_color.is_finite()
        && m.emissive.is_finite()
        && m.metallic.is_finite()
        && m.roughness.is_finite()
        && m.normal_scale.is_finite()
        && m.occlusion_strength.is_finite()
        && m.emissive_strength.is_finite()
        && m.alpha_cutoff.is_finite()
        && m.transforms.to_array().iter().all(|t| t.is_finite());
    if !finite {
        return Err(PackError::NonFinite {
            what: "material",
            index,
        });
    }
    if m.emissive_strength < 0.0 {
        return Err(PackError::OutOfRange {
            what: "material",
            index,
            reason: "negative emissive strength",
        });
    }
    for (what, texture) in [
        ("material base colour texture", m.base_color_texture),
        ("material normal texture", m.normal_texture),
        (
            "material metallic-roughness texture",
            m.metallic_roughness_texture,
        ),
        ("material occlusion texture", m.occlusion_texture),
        ("material emissive texture", m.emissive_texture),
    ] {
        if let Some(t) = texture
            && t as usize >= textures
        {
            return Err(PackError::IndexOutOfRange {
                what,
                index: t,
                len: textures as u64,
            });
        }
    }
    Ok(())
}

/// A light's checks (also the writer's).
pub(super) fn check_light(index: u32, light: &PackLight) -> Result<(), PackError> {
    let out_of_range = |reason| PackError::OutOfRange {
        what: "light",
        index,
        reason,
    };
    let (inner, outer) = match light.kind {
        PackLightKind::Spot {
            inner_cone,
            outer_cone,
        } => (inner_cone, outer_cone),
        _ => (0.0, 0.0),
    };
    let finite = light.color.is_finite()
        && light.intensity.is_finite()
        && light.range.is_none_or(f32::is_finite)
        && inner.is_finite()
        && outer.is_finite()
        && light.translation.is_finite()
        && light.rotation.is_finite();
    if !finite {
        return Err(PackError::NonFinite {
            what: "light",
            index,
        });
    }
    if light.color.min_element() < 0.0 || light.intensity < 0.0 {
        return Err(out_of_range("negative colour or intensity"));
    }
    if light.range.is_some_and(|r| r <= 0.0) {
        return Err(out_of_range("range not positive"));
    }
    if let PackLightKind::Spot { .. } = light.kind
        && !(0.0 <= inner && inner < outer && outer <= core::f32::consts::FRAC_PI_2)
    {
        return Err(out_of_range(
            "spot cone angles not 0 <= inner < outer <= pi/2",
        ));
    }
    Ok(())
}

/// A camera's checks (also the writer's).
pub(super) fn check_camera(index: u32, camera: &PackCamera) -> Result<(), PackError> {
    let out_of_range = |reason| PackError::OutOfRange {
        what: "camera",
        index,
        reason,
    };
    let numbers = match camera.projection {
        PackProjection::Perspective {
            y_fov,
            aspect_ratio,
            z_near,
            z_far,
        } => [
            y_fov,
            aspect_ratio.unwrap_or(1.0),
            z_near,
            z_far.unwrap_or(1.0),
        ],
        PackProjection::Orthographic {
            x_mag,
            y_mag,
            z_near,
            z_far,
        } => [x_mag, y_mag, z_near, z_far],
    };
    let finite = numbers.iter().all(|f| f.is_finite())
        && camera.translation.is_finite()
        && camera.rotation.is_finite();
    if !finite {
        return Err(PackError::NonFinite {
            what: "camera",
            index,
        });
    }
    match camera.projection {
        PackProjection::Perspective {
            y_fov,
            aspect_ratio,
            z_near,
            z_far,
        } => {
            if !(y_fov > 0.0 && y_fov < core::f32::consts::PI) {
                return Err(out_of_range("vertical field of view not in (0, pi)"));
            }
            if aspect_ratio.is_some_and(|a| a <= 0.0) {
                return Err(out_of_range("aspect ratio not positive"));
            }
            if z_near <= 0.0 || z_far.is_some_and(|far| far <= z_near) {
                return Err(out_of_range("not 0 < near < far"));
            }
        }
        PackProjection::Orthographic {
            x_mag,
            y_mag,
            z_near,
            z_far,
        } => {
            if x_mag == 0.0 || y_mag == 0.0 {
                return Err(out_of_range("zero magnification"));
            }
            if z_near < 0.0 || z_far <= z_near {
                return Err(out_of_range("not 0 <= near < far"));
            }
        }
    }
    Ok(())
}

fn cap(what: &'static str, count: usize, max: u32) -> Result<(), PackError> {
    if count as u64 > u64::from(max) {
        return Err(PackError::TooMany {
            what,
            count: count as u64,
            max: u64::from(max),
        });
    }
    Ok(())
}

fn level_count(kind: AssetKind, asset: u32, count: usize, max: u32) -> Result<(), PackError> {
    if count == 0 || count as u64 > u64::from(max) {
        return Err(PackError::LevelCount {
            kind,
            asset,
            count: count as u64,
            max: u64::from(max),
        });
    }
    Ok(())
}

/// An asset's coarsest level lies inside its coarse blob (`[coarse_len, blob_len]`), its other
/// levels back to back from level 1's offset inside its blob; their stored and raw lengths are
/// possible for one LZ4 block ([`lengths_fit`]).
fn check_ranges<'a>(
    kind: AssetKind,
    asset: u32,
    [coarse_len, fine_len]: [u64; 2],
    levels: impl Iterator<Item = &'a StoredLevel>,
) -> Result<(), PackError> {
    let mut expected: Option<u64> = None;
    for (i, stored) in levels.enumerate() {
        let level = i as u32;
        let blob_len = if i == 0 { coarse_len } else { fine_len };
        // Level 0 is in the coarse blob: the chain of offsets starts at level 1.
        if i > 1
            && let Some(expected) = expected
            && stored.offset != expected
        {
            return Err(PackError::LevelsNotContiguous {
                kind,
                asset,
                level,
                expected,
                found: stored.offset,
            });
        }
        if !lengths_fit(stored.stored_len, stored.raw_len) {
            return Err(PackError::InvalidLevel {
                kind,
                asset,
                level,
                reason: "stored and raw lengths are impossible for one LZ4 block under the caps",
            });
        }
        let end = stored.offset.checked_add(u64::from(stored.stored_len));
        match end {
            Some(end) if end <= blob_len => expected = Some(end),
            _ => {
                return Err(PackError::LevelPastBlob {
                    kind,
                    asset,
                    level,
                    end: end.unwrap_or(u64::MAX),
                    blob_len,
                });
            }
        }
    }
    Ok(())
}

/// A blob file name that is safe to join to the pack's folder or URL.
fn check_blob_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > MAX_BLOB_NAME_LEN {
        return Err("empty or longer than MAX_BLOB_NAME_LEN bytes");
    }
    if name == "." || name == ".." {
        return Err("`.` or `..`");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err("a character other than letters, digits, `-`, `_` and `.`");
    }
    Ok(())
}
