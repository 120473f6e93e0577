//! LOD chains and their versioned on-disk format (`.lwlod`).
//!
//! A chain is a list of levels of one mesh, coarse to fine, each with its geometric error in
//! object space and its bounds. The file is laid out for streaming: a header with a level table
//! that can be read from a prefix of the file ([`LodChainHeader::parse`]), then each level's
//! bytes back to back, each decodable on its own from its byte range
//! ([`LodChainHeader::decode_level`]). Every byte is covered by a CRC-32 (one for the header,
//! one per level), so the reader is safe for untrusted input: a truncated, corrupt or
//! wrong-version file gives a typed [`LodChainError`], never a panic. See `docs/lod-chain.md`
//! for the byte layout.

use core::ops::Range;

use glam::{Vec2, Vec3, Vec4};

use super::LodChainError;
use crate::render::{Indices, Mesh};

/// The first four bytes of every LOD chain file.
pub const MAGIC: [u8; 4] = *b"LWLC";
/// The format version this code writes and reads.
pub const VERSION: u16 = 1;
/// The length of the fixed part of the header, before the level table.
pub const FIXED_HEADER_LEN: usize = 32;
/// The length of one entry of the level table.
pub const LEVEL_ENTRY_LEN: usize = 72;
/// The length of the header at the start of each level's bytes.
pub const LEVEL_HEADER_LEN: usize = 16;
/// The most levels a chain may have (a chain halving each level from 2^32 triangles needs 32).
pub const MAX_LEVELS: usize = 32;

/// Bytes per vertex in a level: position, normal (3 x f32 each), UV (2 x f32), tangent (4 x f32).
const VERTEX_BYTES: u64 = 48;

/// A level's bounds in object space: a bounding sphere and an axis-aligned box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LodBounds {
    /// The sphere's centre.
    pub center: Vec3,
    /// The sphere's radius.
    pub radius: f32,
    /// The box's minimum corner.
    pub min: Vec3,
    /// The box's maximum corner.
    pub max: Vec3,
}

impl LodBounds {
    /// The bounds of `mesh`: [`Mesh::bounding_sphere`] and the box around its positions.
    pub fn of(mesh: &Mesh) -> LodBounds {
        let (center, radius) = mesh.bounding_sphere();
        let (min, max) = mesh.positions.iter().fold(
            (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY)),
            |(lo, hi), p| (lo.min(*p), hi.max(*p)),
        );
        LodBounds {
            center,
            radius,
            min,
            max,
        }
    }

    /// Finite, a non-negative radius and `min <= max`.
    pub(crate) fn is_valid(&self) -> bool {
        self.center.is_finite()
            && self.radius.is_finite()
            && self.radius >= 0.0
            && self.min.is_finite()
            && self.max.is_finite()
            && self.min.cmple(self.max).all()
    }
}

/// One level of a chain: a mesh, its error and its bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct LodLevel {
    /// The level's mesh.
    pub mesh: Mesh,
    /// The geometric error against the finest level, in object-space units (0 for the finest):
    /// drawing this level instead of the finest moves the surface by about this much.
    pub error: f32,
    /// The mesh's bounds in object space.
    pub bounds: LodBounds,
}

impl LodLevel {
    /// A level of `mesh` with `error`, its bounds computed with [`LodBounds::of`].
    pub fn new(mesh: Mesh, error: f32) -> LodLevel {
        let bounds = LodBounds::of(&mesh);
        LodLevel {
            mesh,
            error,
            bounds,
        }
    }

    /// How many triangles.
    pub fn triangles(&self) -> usize {
        self.mesh.triangle_count()
    }

    /// Checks what the format needs of one level.
    fn check(&self, level: usize) -> Result<(), LodChainError> {
        self.mesh
            .validate()
            .map_err(|error| LodChainError::InvalidMesh { level, error })?;
        if !(self.error.is_finite() && self.error >= 0.0) {
            return Err(LodChainError::InvalidLevel {
                level,
                reason: "error is negative or not finite",
            });
        }
        if !self.bounds.is_valid() {
            return Err(LodChainError::InvalidLevel {
                level,
                reason: "bounds are not finite or min > max",
            });
        }
        if u32::try_from(self.mesh.indices.len()).is_err() {
            return Err(LodChainError::InvalidLevel {
                level,
                reason: "more than 2^32 - 1 indices",
            });
        }
        Ok(())
    }
}

/// Checks levels go coarse to fine: triangles never decrease and the error never increases.
fn check_order(levels: impl Iterator<Item = (usize, f32)>) -> Result<(), LodChainError> {
    let mut previous: Option<(usize, f32)> = None;
    for (level, (triangles, error)) in levels.enumerate() {
        if let Some((t, e)) = previous
            && (triangles < t || error > e)
        {
            return Err(LodChainError::LevelOrder { level });
        }
        previous = Some((triangles, error));
    }
    Ok(())
}

/// A mesh's levels of detail, coarse to fine.
///
/// # Example
/// ```
/// use layerw_engine::lod::{LodChain, LodLevel};
/// use layerw_engine::render::Mesh;
///
/// let chain = LodChain::new(vec![
///     LodLevel::new(Mesh::sphere(1.0, 8, 4), 0.1),
///     LodLevel::new(Mesh::sphere(1.0, 32, 16), 0.0),
/// ])
/// .unwrap();
/// let bytes = chain.to_bytes();
/// assert_eq!(LodChain::from_bytes(&bytes).unwrap(), chain);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LodChain {
    levels: Vec<LodLevel>,
}

impl LodChain {
    /// A chain of `levels`, coarse to fine.
    ///
    /// Fails when there are no levels or more than [`MAX_LEVELS`], when a mesh fails
    /// [`Mesh::validate`], when an error or the bounds are not finite, or when the levels are
    /// out of order (triangles must not decrease, the error must not increase).
    pub fn new(levels: Vec<LodLevel>) -> Result<LodChain, LodChainError> {
        if levels.is_empty() || levels.len() > MAX_LEVELS {
            return Err(LodChainError::LevelCount {
                levels: levels.len() as u64,
            });
        }
        for (i, level) in levels.iter().enumerate() {
            level.check(i)?;
        }
        check_order(levels.iter().map(|l| (l.triangles(), l.error)))?;
        Ok(LodChain { levels })
    }

    /// The levels, coarse to fine.
    pub fn levels(&self) -> &[LodLevel] {
        &self.levels
    }

    /// The levels, coarse to fine, by value.
    pub fn into_levels(self) -> Vec<LodLevel> {
        self.levels
    }

    /// How many levels (at least one).
    pub fn level_count(&self) -> usize {
        self.levels.len()
    }

    /// The coarsest level (the one to keep resident).
    pub fn coarsest(&self) -> &LodLevel {
        &self.levels[0]
    }

    /// The finest level.
    pub fn finest(&self) -> &LodLevel {
        &self.levels[self.levels.len() - 1]
    }

    /// Encodes the chain in the current format [`VERSION`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let bodies: Vec<Vec<u8>> = self.levels.iter().map(|l| encode_level(&l.mesh)).collect();
        let header_len = FIXED_HEADER_LEN + LEVEL_ENTRY_LEN * self.levels.len();
        let file_len = header_len + bodies.iter().map(Vec::len).sum::<usize>();
        let mut out = Vec::with_capacity(file_len);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&(self.levels.len() as u32).to_le_bytes());
        out.extend_from_slice(&(header_len as u32).to_le_bytes());
        out.extend_from_slice(&(file_len as u64).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // reserved
        out.extend_from_slice(&0u32.to_le_bytes()); // header CRC, filled in below
        let mut offset = header_len as u64;
        for (level, body) in self.levels.iter().zip(&bodies) {
            let entry = LevelEntry {
                offset,
                len: body.len() as u64,
                crc: crc32fast::hash(body),
                triangles: level.triangles() as u32,
                vertices: level.mesh.positions.len() as u32,
                error: level.error,
                bounds: level.bounds,
            };
            entry.write(&mut out);
            offset += entry.len;
        }
        let crc = header_crc(&out);
        out[28..32].copy_from_slice(&crc.to_le_bytes());
        for body in &bodies {
            out.extend_from_slice(body);
        }
        debug_assert_eq!(out.len(), file_len);
        out
    }

    /// Decodes a whole chain, checking everything [`LodChainHeader::parse`] and
    /// [`LodChainHeader::decode_level`] check, and that `bytes` is exactly the file.
    pub fn from_bytes(bytes: &[u8]) -> Result<LodChain, LodChainError> {
        let header = LodChainHeader::parse(bytes)?;
        let found = bytes.len() as u64;
        if found < header.file_len {
            return Err(LodChainError::Truncated {
                needed: header.file_len,
                available: found,
            });
        }
        if found > header.file_len {
            return Err(LodChainError::TrailingBytes {
                expected: header.file_len,
                found,
            });
        }
        let levels = (0..header.levels.len())
            .map(|i| {
                let range = header.levels[i].range();
                // In range: parse checked the table against the file length.
                header.decode_level(i, &bytes[range.start as usize..range.end as usize])
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LodChain { levels })
    }
}

/// One entry of the level table: where a level's bytes are and what they hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelEntry {
    /// Offset of the level's bytes from the start of the file.
    pub offset: u64,
    /// Length of the level's bytes.
    pub len: u64,
    /// CRC-32 (IEEE) of the level's bytes.
    pub crc: u32,
    /// How many triangles the level has.
    pub triangles: u32,
    /// How many vertices the level has.
    pub vertices: u32,
    /// The level's object-space error (see [`LodLevel::error`]).
    pub error: f32,
    /// The level's bounds.
    pub bounds: LodBounds,
}

impl LevelEntry {
    /// The level's byte range in the file.
    pub fn range(&self) -> Range<u64> {
        self.offset..self.offset + self.len
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&self.len.to_le_bytes());
        out.extend_from_slice(&self.crc.to_le_bytes());
        out.extend_from_slice(&self.triangles.to_le_bytes());
        out.extend_from_slice(&self.vertices.to_le_bytes());
        let b = &self.bounds;
        for f in [self.error, b.center.x, b.center.y, b.center.z, b.radius] {
            out.extend_from_slice(&f.to_le_bytes());
        }
        for f in [b.min.x, b.min.y, b.min.z, b.max.x, b.max.y, b.max.z] {
            out.extend_from_slice(&f.to_le_bytes());
        }
    }

    /// Reads an entry from exactly [`LEVEL_ENTRY_LEN`] bytes.
    fn read(bytes: &[u8; LEVEL_ENTRY_LEN]) -> LevelEntry {
        let u64_at = |at: usize| u64::from_le_bytes(array(bytes, at));
        let u32_at = |at: usize| u32::from_le_bytes(array(bytes, at));
        let f32_at = |at: usize| f32::from_le_bytes(array(bytes, at));
        let vec3_at = |at: usize| Vec3::new(f32_at(at), f32_at(at + 4), f32_at(at + 8));
        LevelEntry {
            offset: u64_at(0),
            len: u64_at(8),
            crc: u32_at(16),
            triangles: u32_at(20),
            vertices: u32_at(24),
            error: f32_at(28),
            bounds: LodBounds {
                center: vec3_at(32),
                radius: f32_at(44),
                min: vec3_at(48),
                max: vec3_at(60),
            },
        }
    }
}

/// `N` bytes of `bytes` at `at`; the caller has checked the length.
fn array<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&bytes[at..at + N]);
    out
}

/// The header's CRC-32: every header byte except the CRC field itself (bytes 28..32).
fn header_crc(header: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&header[..28]);
    hasher.update(&header[FIXED_HEADER_LEN..]);
    hasher.finalize()
}

/// The header and level table of a chain file, readable from a prefix of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct LodChainHeader {
    /// The format version (currently always [`VERSION`]).
    pub version: u16,
    /// The length of the header and level table: where the first level's bytes start.
    pub header_len: u64,
    /// The length of the whole file.
    pub file_len: u64,
    /// The level table, coarse to fine.
    pub levels: Vec<LevelEntry>,
}

impl LodChainHeader {
    /// Parses the header and level table from `prefix`, the first bytes of a chain file (the
    /// whole file works too).
    ///
    /// A streaming reader can start with [`FIXED_HEADER_LEN`] bytes: when `prefix` is too short
    /// the error is [`LodChainError::Truncated`] with the length needed.
    pub fn parse(prefix: &[u8]) -> Result<LodChainHeader, LodChainError> {
        let available = prefix.len() as u64;
        let short = |needed: usize| LodChainError::Truncated {
            needed: needed as u64,
            available,
        };
        if prefix.len() < 4 {
            return Err(short(FIXED_HEADER_LEN));
        }
        let magic: [u8; 4] = array(prefix, 0);
        if magic != MAGIC {
            return Err(LodChainError::BadMagic { found: magic });
        }
        if prefix.len() < 6 {
            return Err(short(FIXED_HEADER_LEN));
        }
        // The version comes before the checksum: a file of another version may lay its
        // header out differently, so its checksum means nothing here.
        let version = u16::from_le_bytes(array(prefix, 4));
        if version != VERSION {
            return Err(LodChainError::UnsupportedVersion {
                found: version,
                supported: VERSION,
            });
        }
        let fixed = prefix
            .get(..FIXED_HEADER_LEN)
            .ok_or(short(FIXED_HEADER_LEN))?;
        let flags = u16::from_le_bytes(array(fixed, 6));
        let level_count = u32::from_le_bytes(array(fixed, 8));
        let stored_header_len = u32::from_le_bytes(array(fixed, 12));
        let file_len = u64::from_le_bytes(array(fixed, 16));
        let reserved = u32::from_le_bytes(array(fixed, 24));
        let stored_crc = u32::from_le_bytes(array(fixed, 28));
        if level_count == 0 || level_count as usize > MAX_LEVELS {
            return Err(LodChainError::LevelCount {
                levels: u64::from(level_count),
            });
        }
        let header_len = FIXED_HEADER_LEN + LEVEL_ENTRY_LEN * level_count as usize;
        let header = prefix.get(..header_len).ok_or(short(header_len))?;
        let computed = header_crc(header);
        if computed != stored_crc {
            return Err(LodChainError::HeaderChecksum {
                stored: stored_crc,
                computed,
            });
        }
        let invalid = |reason| Err(LodChainError::InvalidHeader { reason });
        if stored_header_len as usize != header_len {
            return invalid("header length does not match the level count");
        }
        if flags != 0 || reserved != 0 {
            return invalid("unknown flags or non-zero reserved bytes");
        }
        let levels: Vec<LevelEntry> = header[FIXED_HEADER_LEN..]
            .chunks_exact(LEVEL_ENTRY_LEN)
            .map(|chunk| {
                let mut entry = [0; LEVEL_ENTRY_LEN];
                entry.copy_from_slice(chunk);
                LevelEntry::read(&entry)
            })
            .collect();
        // Levels lie back to back after the table, coarse to fine, and end the file.
        let mut end = header_len as u64;
        for (level, entry) in levels.iter().enumerate() {
            let invalid_level = |reason| Err(LodChainError::InvalidLevel { level, reason });
            if entry.offset != end {
                return invalid_level("level does not start where the previous one ends");
            }
            if entry.len < LEVEL_HEADER_LEN as u64 {
                return invalid_level("level is shorter than its header");
            }
            end = match end.checked_add(entry.len) {
                Some(end) if end <= file_len => end,
                _ => return invalid_level("level ends past the end of the file"),
            };
            if entry.triangles == 0 || entry.vertices == 0 {
                return invalid_level("level has no triangles or no vertices");
            }
            if !(entry.error.is_finite() && entry.error >= 0.0) {
                return invalid_level("error is negative or not finite");
            }
            if !entry.bounds.is_valid() {
                return invalid_level("bounds are not finite or min > max");
            }
        }
        if end != file_len {
            return invalid("the levels do not end at the file length");
        }
        check_order(levels.iter().map(|e| (e.triangles as usize, e.error)))?;
        Ok(LodChainHeader {
            version,
            header_len: header_len as u64,
            file_len,
            levels,
        })
    }

    /// Decodes level `level` (0 the coarsest) from exactly its bytes (the file's bytes in
    /// [`LevelEntry::range`]), independently of the other levels.
    ///
    /// Checks the level's checksum, its counts against the table, and the mesh with
    /// [`Mesh::validate`].
    pub fn decode_level(&self, level: usize, bytes: &[u8]) -> Result<LodLevel, LodChainError> {
        let entry = self.levels.get(level).ok_or(LodChainError::NoSuchLevel {
            level,
            levels: self.levels.len(),
        })?;
        let found = bytes.len() as u64;
        if found < entry.len {
            return Err(LodChainError::Truncated {
                needed: entry.len,
                available: found,
            });
        }
        if found > entry.len {
            return Err(LodChainError::TrailingBytes {
                expected: entry.len,
                found,
            });
        }
        let computed = crc32fast::hash(bytes);
        if computed != entry.crc {
            return Err(LodChainError::LevelChecksum {
                level,
                stored: entry.crc,
                computed,
            });
        }
        let mesh = decode_mesh(entry, bytes)
            .map_err(|reason| LodChainError::InvalidLevel { level, reason })?;
        mesh.validate()
            .map_err(|error| LodChainError::InvalidMesh { level, error })?;
        Ok(LodLevel {
            mesh,
            error: entry.error,
            bounds: entry.bounds,
        })
    }
}

/// A level's bytes: a 16-byte header (vertex count, index count, index width in bytes,
/// reserved), then positions, normals, UVs, tangents and indices, little-endian, the indices
/// zero-padded to a multiple of 4 bytes. Content packs store the same bytes, compressed
/// (`stream::encode_mesh_level`).
pub(crate) fn encode_level(mesh: &Mesh) -> Vec<u8> {
    let vertices = mesh.positions.len();
    let (width, index_bytes) = match &mesh.indices {
        Indices::U16(v) => (2u32, v.len() * 2),
        Indices::U32(v) => (4u32, v.len() * 4),
    };
    let mut out = Vec::with_capacity(
        LEVEL_HEADER_LEN + vertices * VERTEX_BYTES as usize + index_bytes.next_multiple_of(4),
    );
    for word in [vertices as u32, mesh.indices.len() as u32, width, 0] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    let floats = |out: &mut Vec<u8>, values: &[f32]| {
        for f in values {
            out.extend_from_slice(&f.to_le_bytes());
        }
    };
    floats(&mut out, bytemuck::cast_slice(&mesh.positions));
    floats(&mut out, bytemuck::cast_slice(&mesh.normals));
    floats(&mut out, bytemuck::cast_slice(&mesh.uvs));
    floats(&mut out, bytemuck::cast_slice(&mesh.tangents));
    match &mesh.indices {
        Indices::U16(v) => v
            .iter()
            .for_each(|i| out.extend_from_slice(&i.to_le_bytes())),
        Indices::U32(v) => v
            .iter()
            .for_each(|i| out.extend_from_slice(&i.to_le_bytes())),
    }
    out.resize(out.len().next_multiple_of(4), 0);
    out
}

/// The inverse of [`encode_level`], checked against the table entry; the CRC is already
/// checked.
fn decode_mesh(entry: &LevelEntry, bytes: &[u8]) -> Result<Mesh, &'static str> {
    let mesh = decode_level_body(bytes, entry.triangles).map_err(LevelBodyError::reason)?;
    if mesh.positions.len() as u64 != u64::from(entry.vertices) {
        return Err("counts differ from the level table");
    }
    Ok(mesh)
}

/// Decodes one level's bytes (the layout [`encode_level`] writes) holding `triangles`
/// triangles. Every count is checked against `bytes.len()` before anything is allocated, so
/// the allocations are at most about the input's size. The mesh is not validated here
/// ([`Mesh::validate`] is the caller's).
pub(crate) fn decode_level_body(bytes: &[u8], triangles: u32) -> Result<Mesh, LevelBodyError> {
    use LevelBodyError::{Invalid, OutOfMemory};
    let word = |i: usize| {
        bytes
            .get(i * 4..i * 4 + 4)
            .map(|b| u32::from_le_bytes(array(b, 0)))
            .ok_or(Invalid("level is shorter than its header"))
    };
    let (vertices, index_count, width, reserved) = (word(0)?, word(1)?, word(2)?, word(3)?);
    if reserved != 0 {
        return Err(Invalid("non-zero reserved bytes"));
    }
    if u64::from(index_count) != u64::from(triangles) * 3 {
        return Err(Invalid("counts differ from the level table"));
    }
    if width != 2 && width != 4 {
        return Err(Invalid("index width is neither 2 nor 4 bytes"));
    }
    let vertex_bytes = u64::from(vertices) * VERTEX_BYTES;
    let index_bytes = u64::from(index_count) * u64::from(width);
    let expected = LEVEL_HEADER_LEN as u64 + vertex_bytes + index_bytes.next_multiple_of(4);
    if expected != bytes.len() as u64 {
        return Err(Invalid("length differs from what the counts need"));
    }
    // From here every length is in range: `expected` is the slice's length.
    let (v, n) = (vertices as usize, index_count as usize);
    let mut at = LEVEL_HEADER_LEN;
    let mut next = |len: usize| {
        let from = at;
        at += len;
        &bytes[from..from + len]
    };
    let positions: Vec<Vec3> = read_le(next(v * 12)).ok_or(OutOfMemory)?;
    let normals: Vec<Vec3> = read_le(next(v * 12)).ok_or(OutOfMemory)?;
    let uvs: Vec<Vec2> = read_le(next(v * 8)).ok_or(OutOfMemory)?;
    let tangents: Vec<Vec4> = read_le(next(v * 16)).ok_or(OutOfMemory)?;
    let indices = if width == 2 {
        Indices::U16(read_le(next(n * 2)).ok_or(OutOfMemory)?)
    } else {
        Indices::U32(read_le(next(n * 4)).ok_or(OutOfMemory)?)
    };
    let index_end = LEVEL_HEADER_LEN + v * VERTEX_BYTES as usize + n * width as usize;
    if bytes[index_end..].iter().any(|&b| b != 0) {
        return Err(Invalid("non-zero padding after the indices"));
    }
    Ok(Mesh {
        positions,
        normals,
        uvs,
        tangents,
        indices,
    })
}

/// Little-endian `bytes` as values of `T` (f32 vectors or integers, all of 4-byte or 2-byte
/// lanes): one allocation and one copy (the decoder's hot path), the lanes byte-swapped after
/// the copy on big-endian targets. `bytes.len()` is a multiple of `size_of::<T>()`.
/// `None` when the allocator cannot give the array (the level is refused, nothing aborts).
fn read_le<T: bytemuck::Pod + bytemuck::Zeroable>(bytes: &[u8]) -> Option<Vec<T>> {
    let len = bytes.len() / size_of::<T>();
    let mut out = Vec::new();
    out.try_reserve_exact(len).ok()?;
    out.resize(len, T::zeroed());
    let target: &mut [u8] = bytemuck::cast_slice_mut(&mut out);
    target.copy_from_slice(bytes);
    if cfg!(target_endian = "big") {
        // The lanes: 2 bytes for u16, 4 for u32 and for the f32s of the vectors.
        if size_of::<T>() == 2 {
            target.chunks_exact_mut(2).for_each(|lane| lane.reverse());
        } else {
            target.chunks_exact_mut(4).for_each(|lane| lane.reverse());
        }
    }
    Some(out)
}

/// Why [`decode_level_body`] refused a level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LevelBodyError {
    /// The bytes are not a valid level encoding.
    Invalid(&'static str),
    /// An array of the level could not be allocated (the allocator's tier is full).
    OutOfMemory,
}

impl LevelBodyError {
    /// What a reader that has no out-of-memory error of its own reports.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            LevelBodyError::Invalid(reason) => reason,
            LevelBodyError::OutOfMemory => "out of memory for the level's arrays",
        }
    }
}
