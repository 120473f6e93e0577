//! A content pack manifest's bytes (`manifest.lwpk`): [`PackManifest::to_bytes`] and
//! [`PackManifest::from_bytes`], the reader safe for untrusted bytes. The layout is in
//! docs/pack-format.md; what is checked after parsing is in `pack_check.rs`.

use core::ops::Range;

use glam::{IVec2, Quat, Vec3, Vec4};

use super::manifest::{
    BlobFile, MeshLevel, PackCell, PackEntity, PackManifest, PackMesh, PackTexture, StoredLevel,
    TextureLevel,
};
use super::pack_anim::{PackAnimation, put_animation, read_animation};
use super::pack_error::PackError;
use super::pack_scene::{
    MATERIAL_LEN, MATERIAL_V2_LEN, put_material, put_scene_items, read_material, read_scene_items,
};
use crate::lod::LodBounds;

/// The first four bytes of every manifest.
pub const PACK_MAGIC: [u8; 4] = *b"LWPK";
/// The manifest format version this code writes.
///
/// Version 4 added the animation section ([`PackAnimation`](super::PackAnimation): skins,
/// clips, skinned meshes and their entities; a version 2 or 3 pack reads with none).
/// Version 3 added material options (alpha mode and cutoff, double-sided, emissive strength,
/// the metallic-roughness, occlusion and emissive maps, per-map UV transforms) and the lights
/// and cameras lists; version 2 put each asset's coarsest level in a coarse blob
/// (`coarse_blob`). Versions from [`OLDEST_PACK_VERSION`] on are read (a version 2 material
/// reads with [`PackMaterial`](super::PackMaterial)'s defaults for what it lacks, and no lights or cameras); older
/// ones are refused with [`PackError::UnsupportedVersion`].
pub const PACK_VERSION: u16 = 4;
/// The oldest manifest format version this code reads.
pub const OLDEST_PACK_VERSION: u16 = 2;
/// The manifest header's length: magic, version, flags, body length, body CRC, reserved,
/// header CRC.
pub const PACK_HEADER_LEN: usize = 32;
/// The longest manifest (header and body) the reader takes: what a streamer may ask for in a
/// whole-file read of the manifest.
pub const MAX_MANIFEST_LEN: u64 = 256 << 20;
/// The most blob files.
pub const MAX_BLOBS: u32 = 1 << 16;
/// The most meshes.
pub const MAX_MESHES: u32 = 1 << 20;
/// The most textures.
pub const MAX_TEXTURES: u32 = 1 << 20;
/// The most materials.
pub const MAX_MATERIALS: u32 = 1 << 20;
/// The most lights.
pub const MAX_LIGHTS: u32 = 1 << 16;
/// The most cameras.
pub const MAX_CAMERAS: u32 = 1 << 16;
/// The most world cells.
pub const MAX_CELLS: u32 = 1 << 20;
/// The most entities, over all cells.
pub const MAX_ENTITIES: u32 = 1 << 22;
/// The longest blob file name, in bytes.
pub const MAX_BLOB_NAME_LEN: usize = 64;
/// The most levels of a mesh (the LOD chain format's own cap).
pub const MAX_MESH_LEVELS: u32 = crate::lod::MAX_LEVELS as u32;
/// The most mip levels of a texture: 2048 px down to 1 px.
pub const MAX_TEXTURE_LEVELS: u32 = 12;
/// The largest decompressed mesh level (what one decode may allocate for it).
pub const MAX_MESH_LEVEL_RAW_LEN: u32 = 256 << 20;
/// The largest decompressed texture level: a critical texture's full size in RGBA8.
pub const MAX_TEXTURE_LEVEL_RAW_LEN: u32 =
    super::MAX_CRITICAL_TEXTURE_SIZE * super::MAX_CRITICAL_TEXTURE_SIZE * 4;
/// The texture index a material stores for "no texture".
pub(super) const NO_TEXTURE: u32 = u32::MAX;

/// Texture flag bits.
const TEXTURE_SRGB: u32 = 1;
const TEXTURE_CRITICAL: u32 = 2;
/// Entity flag bits.
const ENTITY_STATIC: u32 = 1;

/// Fixed byte sizes of the body's records (the least bytes each count can stand for, checked
/// before anything is allocated for it).
const BLOB_FIXED: u64 = 8 + 2;
const MESH_FIXED: u64 = 4 + 4 + 4 + 40;
const LEVEL_ENTRY: u64 = 28;
const TEXTURE_FIXED: u64 = 4 + 4 + 4 + 4;
const CELL_FIXED: u64 = 12;
const ENTITY_LEN: u64 = 52;

impl PackManifest {
    /// Encodes the manifest in format [`PACK_VERSION`] (docs/pack-format.md). It does not check
    /// it: [`PackManifest::validate`] does, and [`PackManifest::from_bytes`] refuses what fails.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::stream::{PackManifest, PackWriter};
    ///
    /// let pack = PackWriter::in_memory(64.0).unwrap().finish().unwrap();
    /// let bytes = pack.manifest.to_bytes();
    /// assert_eq!(PackManifest::from_bytes(&bytes).unwrap(), pack.manifest);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::new();
        put_f32(&mut body, self.cell_size);
        put_u32(&mut body, 0); // reserved
        put_u32(&mut body, self.blobs.len() as u32);
        for blob in &self.blobs {
            put_u64(&mut body, blob.len);
            body.extend_from_slice(&(blob.name.len() as u16).to_le_bytes());
            body.extend_from_slice(blob.name.as_bytes());
        }
        put_u32(&mut body, self.meshes.len() as u32);
        for mesh in &self.meshes {
            put_u32(&mut body, mesh.coarse_blob);
            put_u32(&mut body, mesh.blob);
            put_u32(&mut body, mesh.levels.len() as u32);
            let b = &mesh.bounds;
            put_vec3(&mut body, b.center);
            put_f32(&mut body, b.radius);
            put_vec3(&mut body, b.min);
            put_vec3(&mut body, b.max);
            for level in &mesh.levels {
                put_stored(&mut body, &level.stored);
                put_f32(&mut body, level.error);
                put_u32(&mut body, level.triangles);
            }
        }
        put_u32(&mut body, self.textures.len() as u32);
        for texture in &self.textures {
            put_u32(&mut body, texture.coarse_blob);
            put_u32(&mut body, texture.blob);
            let flags = if texture.srgb { TEXTURE_SRGB } else { 0 }
                | if texture.critical {
                    TEXTURE_CRITICAL
                } else {
                    0
                };
            put_u32(&mut body, flags);
            put_u32(&mut body, texture.levels.len() as u32);
            for level in &texture.levels {
                put_stored(&mut body, &level.stored);
                put_u32(&mut body, level.width);
                put_u32(&mut body, level.height);
            }
        }
        put_u32(&mut body, self.materials.len() as u32);
        for m in &self.materials {
            put_material(&mut body, m);
        }
        put_u32(&mut body, self.cells.len() as u32);
        for cell in &self.cells {
            body.extend_from_slice(&cell.coord.x.to_le_bytes());
            body.extend_from_slice(&cell.coord.y.to_le_bytes());
            put_u32(&mut body, cell.entities.len() as u32);
            for e in &cell.entities {
                put_u32(&mut body, e.mesh);
                put_u32(&mut body, e.material);
                put_vec3(&mut body, e.translation);
                for f in e.rotation.to_array() {
                    put_f32(&mut body, f);
                }
                put_vec3(&mut body, e.scale);
                put_u32(&mut body, if e.is_static { ENTITY_STATIC } else { 0 });
            }
        }
        put_scene_items(&mut body, &self.lights, &self.cameras);
        put_animation(&mut body, &self.animation);
        let mut out = Vec::with_capacity(PACK_HEADER_LEN + body.len());
        out.extend_from_slice(&PACK_MAGIC);
        out.extend_from_slice(&PACK_VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        put_u64(&mut out, body.len() as u64);
        put_u32(&mut out, crc32fast::hash(&body));
        put_u64(&mut out, 0); // reserved
        let header_crc = crc32fast::hash(&out);
        put_u32(&mut out, header_crc);
        out.extend_from_slice(&body);
        out
    }

    /// Decodes and checks a manifest from exactly its bytes, which may be untrusted.
    ///
    /// Checks, in order: magic, version (before the checksum: another version may lay out its
    /// header differently), header CRC, flags and reserved bytes, the body's length against
    /// [`MAX_MANIFEST_LEN`] and the bytes given, the body CRC; then, while parsing, every count
    /// against its cap (`MAX_*`) and against the bytes left before anything is allocated for
    /// it; then everything [`PackManifest::validate`] checks.
    pub fn from_bytes(bytes: &[u8]) -> Result<PackManifest, PackError> {
        let body_len = manifest_len(bytes)? - PACK_HEADER_LEN as u64;
        let available = bytes.len() as u64;
        let total = PACK_HEADER_LEN as u64 + body_len;
        if available > total {
            return Err(PackError::TrailingBytes {
                expected: total,
                found: available,
            });
        }
        let body = &bytes[PACK_HEADER_LEN..];
        let stored = u32::from_le_bytes(array(bytes, 16));
        let computed = crc32fast::hash(body);
        if computed != stored {
            return Err(PackError::BodyChecksum { stored, computed });
        }
        let version = u16::from_le_bytes(array(bytes, 4));
        let manifest = parse_body(&mut Reader { bytes: body, at: 0 }, version)?;
        manifest.validate()?;
        Ok(manifest)
    }
}

/// The whole manifest's length (header and body) from its first [`PACK_HEADER_LEN`] bytes,
/// checked (magic, version, header CRC, flags, reserved bytes, [`MAX_MANIFEST_LEN`]), and that
/// `bytes` holds at least that much. A streamer that reads a prefix first gets
/// [`PackError::Truncated`] with the length to fetch.
pub fn manifest_len(bytes: &[u8]) -> Result<u64, PackError> {
    let available = bytes.len() as u64;
    let short = |needed: u64| PackError::Truncated { needed, available };
    let header_len = PACK_HEADER_LEN as u64;
    if bytes.len() < 4 {
        return Err(short(header_len));
    }
    let magic: [u8; 4] = array(bytes, 0);
    if magic != PACK_MAGIC {
        return Err(PackError::BadMagic { found: magic });
    }
    if bytes.len() < 6 {
        return Err(short(header_len));
    }
    let version = u16::from_le_bytes(array(bytes, 4));
    if !(OLDEST_PACK_VERSION..=PACK_VERSION).contains(&version) {
        return Err(PackError::UnsupportedVersion {
            found: version,
            supported: PACK_VERSION,
        });
    }
    let header = bytes.get(..PACK_HEADER_LEN).ok_or(short(header_len))?;
    let stored = u32::from_le_bytes(array(header, 28));
    let computed = crc32fast::hash(&header[..28]);
    if computed != stored {
        return Err(PackError::HeaderChecksum { stored, computed });
    }
    let flags = u16::from_le_bytes(array(header, 6));
    let reserved = u64::from_le_bytes(array(header, 20));
    if flags != 0 || reserved != 0 {
        return Err(PackError::InvalidHeader {
            reason: "unknown flags or non-zero reserved bytes",
        });
    }
    let body_len = u64::from_le_bytes(array(header, 8));
    if body_len > MAX_MANIFEST_LEN - header_len {
        return Err(PackError::InvalidHeader {
            reason: "the manifest is longer than MAX_MANIFEST_LEN",
        });
    }
    let total = header_len + body_len;
    if available < total {
        return Err(short(total));
    }
    Ok(total)
}

/// The cell holding `position` in a world of cells `cell_size` wide: `floor(x / cell_size)` and
/// `floor(z / cell_size)`, or `None` when `position` is not finite or lies beyond the cells
/// `i32` coordinates can name.
///
/// # Example
/// ```
/// use layerw_engine::glam::{IVec2, Vec3};
/// use layerw_engine::stream::cell_of;
///
/// assert_eq!(cell_of(Vec3::new(-1.0, 50.0, 130.0), 64.0), Some(IVec2::new(-1, 2)));
/// ```
pub fn cell_of(position: Vec3, cell_size: f32) -> Option<IVec2> {
    let coord = |v: f32| {
        let c = (v / cell_size).floor();
        // i32::MIN is exactly representable; 2^31 is the first value past i32::MAX.
        (c.is_finite() && c >= i32::MIN as f32 && c < 2_147_483_648.0).then_some(c as i32)
    };
    Some(IVec2::new(coord(position.x)?, coord(position.z)?))
}

impl PackMesh {
    /// The blob file holding `level`: `coarse_blob` for level 0, `blob` for the others.
    pub fn blob_of(&self, level: usize) -> u32 {
        if level == 0 {
            self.coarse_blob
        } else {
            self.blob
        }
    }

    /// The byte range in `blob` of levels `1..levels` (every level above the coarsest, up to
    /// level `levels - 1`): one contiguous range, since they lie back to back coarse to fine.
    /// `None` when `levels` is under 2 or more than the mesh has.
    pub fn fine_range(&self, levels: usize) -> Option<Range<u64>> {
        fine_range(self.levels.iter().map(|l| &l.stored), levels)
    }
}

impl PackTexture {
    /// The blob file holding mip `level`: `coarse_blob` for level 0, `blob` for the others.
    pub fn blob_of(&self, level: usize) -> u32 {
        if level == 0 {
            self.coarse_blob
        } else {
            self.blob
        }
    }

    /// The byte range in `blob` of mips `1..levels`: one contiguous range. `None` when
    /// `levels` is under 2 or more than the texture has.
    pub fn fine_range(&self, levels: usize) -> Option<Range<u64>> {
        fine_range(self.levels.iter().map(|l| &l.stored), levels)
    }
}

/// From level 1's start to level `levels - 1`'s end.
fn fine_range<'a>(
    stored: impl Iterator<Item = &'a StoredLevel>,
    levels: usize,
) -> Option<Range<u64>> {
    let mut fine = stored.skip(1);
    let first = fine.next()?;
    let last = match levels {
        0 | 1 => return None,
        2 => first,
        _ => fine.nth(levels - 3)?,
    };
    Some(first.offset..last.range().end)
}

pub(super) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(super) fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(super) fn put_f32(out: &mut Vec<u8>, v: f32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(super) fn put_vec3(out: &mut Vec<u8>, v: Vec3) {
    for f in v.to_array() {
        put_f32(out, f);
    }
}

fn put_stored(out: &mut Vec<u8>, s: &StoredLevel) {
    put_u64(out, s.offset);
    put_u32(out, s.stored_len);
    put_u32(out, s.raw_len);
    put_u32(out, s.crc32);
}

/// `N` bytes of `bytes` at `at`; the caller has checked the length.
pub(super) fn array<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&bytes[at..at + N]);
    out
}

/// A cursor over the body; every read checks the bytes left.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

impl Reader<'_> {
    pub(super) fn take<const N: usize>(&mut self) -> Result<[u8; N], PackError> {
        let bytes = self
            .bytes
            .get(self.at..self.at + N)
            .ok_or(self.short(N as u64))?;
        self.at += N;
        Ok(array(bytes, 0))
    }

    pub(super) fn short(&self, more: u64) -> PackError {
        PackError::Truncated {
            needed: (PACK_HEADER_LEN + self.at) as u64 + more,
            available: (PACK_HEADER_LEN + self.bytes.len()) as u64,
        }
    }

    pub(super) fn u16(&mut self) -> Result<u16, PackError> {
        self.take().map(u16::from_le_bytes)
    }

    pub(super) fn u32(&mut self) -> Result<u32, PackError> {
        self.take().map(u32::from_le_bytes)
    }

    pub(super) fn i32(&mut self) -> Result<i32, PackError> {
        self.take().map(i32::from_le_bytes)
    }

    pub(super) fn u64(&mut self) -> Result<u64, PackError> {
        self.take().map(u64::from_le_bytes)
    }

    pub(super) fn f32(&mut self) -> Result<f32, PackError> {
        self.take().map(f32::from_le_bytes)
    }

    pub(super) fn vec3(&mut self) -> Result<Vec3, PackError> {
        Ok(Vec3::new(self.f32()?, self.f32()?, self.f32()?))
    }

    pub(super) fn vec4(&mut self) -> Result<Vec4, PackError> {
        Ok(Vec4::new(
            self.f32()?,
            self.f32()?,
            self.f32()?,
            self.f32()?,
        ))
    }

    /// A count of records of at least `min_len` bytes each, checked against `max` and against
    /// the bytes left, so what is allocated for it is bounded by the input's length.
    pub(super) fn count(
        &mut self,
        what: &'static str,
        max: u32,
        min_len: u64,
    ) -> Result<usize, PackError> {
        let count = self.u32()?;
        if count > max {
            return Err(PackError::TooMany {
                what,
                count: u64::from(count),
                max: u64::from(max),
            });
        }
        let left = (self.bytes.len() - self.at) as u64;
        let needed = u64::from(count) * min_len;
        if needed > left {
            return Err(self.short(needed));
        }
        Ok(count as usize)
    }

    fn stored(&mut self) -> Result<StoredLevel, PackError> {
        Ok(StoredLevel {
            offset: self.u64()?,
            stored_len: self.u32()?,
            raw_len: self.u32()?,
            crc32: self.u32()?,
        })
    }

    /// The bytes left after the cursor.
    pub(super) fn left(&self) -> u64 {
        (self.bytes.len() - self.at) as u64
    }

    /// The next `len` bytes.
    pub(super) fn bytes(&mut self, len: usize) -> Result<&[u8], PackError> {
        let bytes = self
            .bytes
            .get(self.at..self.at + len)
            .ok_or(self.short(len as u64))?;
        self.at += len;
        Ok(bytes)
    }

    pub(super) fn texture_index(&mut self) -> Result<Option<u32>, PackError> {
        let index = self.u32()?;
        Ok((index != NO_TEXTURE).then_some(index))
    }
}

/// Parses the body (its CRC already checked); [`PackManifest::validate`] checks the result.
fn parse_body(r: &mut Reader<'_>, version: u16) -> Result<PackManifest, PackError> {
    let cell_size = r.f32()?;
    if r.u32()? != 0 {
        return Err(PackError::InvalidHeader {
            reason: "non-zero reserved bytes in the body",
        });
    }
    let mut blobs = Vec::with_capacity(r.count("blobs", MAX_BLOBS, BLOB_FIXED)?);
    for _ in 0..blobs.capacity() {
        let len = r.u64()?;
        let name_len = usize::from(r.u16()?);
        let name = r
            .bytes
            .get(r.at..r.at + name_len)
            .ok_or(r.short(name_len as u64))?;
        r.at += name_len;
        // Not UTF-8 means a character outside the allowed set: the name check says so.
        let name = String::from_utf8_lossy(name).into_owned();
        blobs.push(BlobFile { name, len });
    }
    let mut meshes = Vec::with_capacity(r.count("meshes", MAX_MESHES, MESH_FIXED)?);
    for _ in 0..meshes.capacity() {
        let coarse_blob = r.u32()?;
        let blob = r.u32()?;
        let level_count = r.count("mesh levels", MAX_MESH_LEVELS, LEVEL_ENTRY)?;
        let bounds = LodBounds {
            center: r.vec3()?,
            radius: r.f32()?,
            min: r.vec3()?,
            max: r.vec3()?,
        };
        let mut levels = Vec::with_capacity(level_count);
        for _ in 0..level_count {
            levels.push(MeshLevel {
                stored: r.stored()?,
                error: r.f32()?,
                triangles: r.u32()?,
            });
        }
        meshes.push(PackMesh {
            coarse_blob,
            blob,
            levels,
            bounds,
        });
    }
    let mut textures = Vec::with_capacity(r.count("textures", MAX_TEXTURES, TEXTURE_FIXED)?);
    for _ in 0..textures.capacity() {
        let coarse_blob = r.u32()?;
        let blob = r.u32()?;
        let flags = r.u32()?;
        if flags & !(TEXTURE_SRGB | TEXTURE_CRITICAL) != 0 {
            return Err(PackError::UnknownFlags {
                what: "texture",
                flags,
            });
        }
        let level_count = r.count("texture levels", MAX_TEXTURE_LEVELS, LEVEL_ENTRY)?;
        let mut levels = Vec::with_capacity(level_count);
        for _ in 0..level_count {
            levels.push(TextureLevel {
                stored: r.stored()?,
                width: r.u32()?,
                height: r.u32()?,
            });
        }
        textures.push(PackTexture {
            coarse_blob,
            blob,
            levels,
            srgb: flags & TEXTURE_SRGB != 0,
            critical: flags & TEXTURE_CRITICAL != 0,
        });
    }
    let material_len = if version < 3 {
        MATERIAL_V2_LEN
    } else {
        MATERIAL_LEN
    };
    let mut materials = Vec::with_capacity(r.count("materials", MAX_MATERIALS, material_len)?);
    for _ in 0..materials.capacity() {
        materials.push(read_material(r, version)?);
    }
    let mut cells = Vec::with_capacity(r.count("cells", MAX_CELLS, CELL_FIXED)?);
    let mut entity_total = 0u64;
    for _ in 0..cells.capacity() {
        let coord = IVec2::new(r.i32()?, r.i32()?);
        let count = r.count("entities", MAX_ENTITIES, ENTITY_LEN)?;
        entity_total += count as u64;
        if entity_total > u64::from(MAX_ENTITIES) {
            return Err(PackError::TooMany {
                what: "entities",
                count: entity_total,
                max: u64::from(MAX_ENTITIES),
            });
        }
        let mut entities = Vec::with_capacity(count);
        for _ in 0..count {
            let mesh = r.u32()?;
            let material = r.u32()?;
            let translation = r.vec3()?;
            let rotation = Quat::from_vec4(r.vec4()?);
            let scale = r.vec3()?;
            let flags = r.u32()?;
            if flags & !ENTITY_STATIC != 0 {
                return Err(PackError::UnknownFlags {
                    what: "entity",
                    flags,
                });
            }
            entities.push(PackEntity {
                mesh,
                material,
                translation,
                rotation,
                scale,
                is_static: flags & ENTITY_STATIC != 0,
            });
        }
        cells.push(PackCell { coord, entities });
    }
    let (lights, cameras) = if version < 3 {
        (Vec::new(), Vec::new())
    } else {
        read_scene_items(r)?
    };
    let animation = if version < 4 {
        PackAnimation::default()
    } else {
        read_animation(r)?
    };
    if r.at != r.bytes.len() {
        return Err(PackError::TrailingBytes {
            expected: (PACK_HEADER_LEN + r.at) as u64,
            found: (PACK_HEADER_LEN + r.bytes.len()) as u64,
        });
    }
    Ok(PackManifest {
        blobs,
        meshes,
        textures,
        materials,
        cell_size,
        cells,
        lights,
        cameras,
        animation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest header sealed around `body` (valid CRCs), to reach the body's parser with counts
    /// a real writer never writes.
    fn sealed(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&PACK_MAGIC);
        out.extend_from_slice(&PACK_VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes());
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn counts_are_bounded_before_anything_is_allocated() {
        let mut body = Vec::new();
        body.extend_from_slice(&32.0f32.to_le_bytes());
        body.extend_from_slice(&0u32.to_le_bytes());
        let with_blob_count = |count: u32| {
            let mut b = body.clone();
            b.extend_from_slice(&count.to_le_bytes());
            PackManifest::from_bytes(&sealed(&b))
        };
        assert_eq!(
            with_blob_count(u32::MAX),
            Err(PackError::TooMany {
                what: "blobs",
                count: u64::from(u32::MAX),
                max: 1 << 16
            })
        );
        // Under the cap, but 60,000 blob entries need 600,000 bytes: refused for the bytes there are.
        assert!(matches!(
            with_blob_count(60_000),
            Err(PackError::Truncated {
                needed: 600_044,
                ..
            })
        ));
        // An empty world parses: five zero counts (blobs, meshes, textures, materials, cells),
        // the lights and cameras counts and the four animation counts.
        let mut empty = body.clone();
        empty.extend_from_slice(&[0; 44]);
        let m = PackManifest::from_bytes(&sealed(&empty)).unwrap();
        assert_eq!((m.blobs.len(), m.cells.len(), m.cell_size), (0, 0, 32.0));
        let mut header = sealed(&empty);
        header[8..16].copy_from_slice(&(1u64 << 40).to_le_bytes());
        let crc = crc32fast::hash(&header[..28]);
        header[28..32].copy_from_slice(&crc.to_le_bytes());
        assert!(matches!(
            PackManifest::from_bytes(&header),
            Err(PackError::InvalidHeader { .. })
        ));
    }

    #[test]
    fn cells_are_floored_and_bounded() {
        let at = |x: f32, z: f32| cell_of(Vec3::new(x, 0.0, z), 10.0);
        assert_eq!(at(0.0, 9.99), Some(IVec2::new(0, 0)));
        assert_eq!(at(-0.01, 10.0), Some(IVec2::new(-1, 1)));
        assert_eq!(at(-2.147_483_6e10, 0.0), Some(IVec2::new(i32::MIN, 0)));
        assert_eq!(at(2.2e10, 0.0), None);
        assert_eq!(at(0.0, f32::NAN), None);
        assert_eq!(at(f32::NEG_INFINITY, 0.0), None);
    }

    #[test]
    fn fine_ranges_span_levels_from_the_second() {
        let level = |offset, stored_len| MeshLevel {
            stored: StoredLevel {
                offset,
                stored_len,
                raw_len: 100,
                crc32: 0,
            },
            error: 0.0,
            triangles: 1,
        };
        let mesh = PackMesh {
            coarse_blob: 1,
            blob: 0,
            levels: vec![level(7, 10), level(50, 20), level(70, 30)],
            bounds: LodBounds {
                center: Vec3::ZERO,
                radius: 1.0,
                min: Vec3::NEG_ONE,
                max: Vec3::ONE,
            },
        };
        assert_eq!(mesh.fine_range(0), None);
        assert_eq!(mesh.fine_range(1), None);
        assert_eq!(mesh.fine_range(2), Some(50..70));
        assert_eq!(mesh.fine_range(3), Some(50..100));
        assert_eq!(mesh.fine_range(4), None);
        assert_eq!(
            (mesh.blob_of(0), mesh.blob_of(1), mesh.blob_of(2)),
            (1, 0, 0)
        );
    }
}
