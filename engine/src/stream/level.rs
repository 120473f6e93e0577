//! The level codec: one mesh LOD level or one texture mip, compressed on its own with LZ4
//! (lz4_flex's safe block decoder, pure Rust, builds for wasm32) and checked with CRC-32 before
//! it is decompressed. This is what the streamer runs on every level that arrives, so the
//! decoders allocate once for the decompressed bytes (never more than the manifest's
//! `raw_len`) and once per mesh stream.

use super::MAX_CRITICAL_TEXTURE_SIZE;
use super::manifest::{MeshLevel, StoredLevel, TextureLevel};
use super::pack::{MAX_MESH_LEVEL_RAW_LEN, MAX_TEXTURE_LEVEL_RAW_LEN};
use super::pack_error::PackError;
use crate::lod::{LevelBodyError, decode_level_body, encode_level};
use crate::render::{CheckedMesh, Mesh, TextureImage};

/// The most an LZ4 block expands: each extra length byte of a match stands for 255 bytes.
const MAX_LZ4_RATIO: u64 = 255;
/// Slack for the block's fixed costs (the first token, the last literals).
const LZ4_SLACK: u64 = 64;

/// Whether `stored_len` stored bytes can be an LZ4 block of `raw_len` bytes: at most LZ4's
/// worst-case growth of `raw_len`, and `raw_len` at most what `stored_len` bytes can expand to
/// (so a manifest cannot make a decoder allocate far more than the bytes it was given).
pub(crate) fn lengths_fit(stored_len: u32, raw_len: u32) -> bool {
    // Past every cap anyway; and below it lz4_flex's bound cannot overflow a 32-bit usize.
    if raw_len > MAX_MESH_LEVEL_RAW_LEN.max(MAX_TEXTURE_LEVEL_RAW_LEN) {
        return false;
    }
    let worst = lz4_flex::block::get_maximum_output_size(raw_len as usize) as u64;
    let best = u64::from(stored_len) * MAX_LZ4_RATIO + LZ4_SLACK;
    stored_len > 0 && u64::from(stored_len) <= worst && u64::from(raw_len) <= best
}

/// A level compressed for a pack: its stored bytes and what the manifest records of them.
pub(crate) struct EncodedLevel {
    /// The stored (compressed) bytes.
    pub bytes: Vec<u8>,
    /// The decompressed length.
    pub raw_len: u32,
    /// CRC-32 of `bytes`.
    pub crc32: u32,
}

impl EncodedLevel {
    /// Compresses `raw`; fails when it is over `max` bytes.
    pub(crate) fn compress(raw: &[u8], max: u32) -> Result<EncodedLevel, PackError> {
        let raw_len = u32::try_from(raw.len()).ok().filter(|&n| n <= max).ok_or(
            PackError::LevelTooLarge {
                raw_len: raw.len() as u64,
                max: u64::from(max),
            },
        )?;
        let bytes = lz4_flex::block::compress(raw);
        let crc32 = crc32fast::hash(&bytes);
        Ok(EncodedLevel {
            bytes,
            raw_len,
            crc32,
        })
    }

    /// Where it lies once written at `offset` of its blob.
    pub(crate) fn stored_at(&self, offset: u64) -> StoredLevel {
        StoredLevel {
            offset,
            stored_len: self.bytes.len() as u32,
            raw_len: self.raw_len,
            crc32: self.crc32,
        }
    }
}

/// A mesh level's stored bytes: the LOD chain format's level encoding (docs/lod-chain.md)
/// compressed with LZ4. Its decompressed length is [`mesh_level_raw_len`].
///
/// # Example
/// ```
/// use layerw_engine::render::Mesh;
/// use layerw_engine::stream::{
///     MeshLevel, StoredLevel, decode_mesh_level, encode_mesh_level, mesh_level_raw_len,
/// };
///
/// let mesh = Mesh::sphere(1.0, 16, 8);
/// let stored = encode_mesh_level(&mesh);
/// let level = MeshLevel {
///     stored: StoredLevel {
///         offset: 0,
///         stored_len: stored.len() as u32,
///         raw_len: mesh_level_raw_len(&mesh) as u32,
///         crc32: crc32fast::hash(&stored),
///     },
///     error: 0.0,
///     triangles: mesh.triangle_count() as u32,
/// };
/// assert_eq!(decode_mesh_level(&level, &stored).unwrap(), mesh);
/// ```
pub fn encode_mesh_level(mesh: &Mesh) -> Vec<u8> {
    lz4_flex::block::compress(&encode_level(mesh))
}

/// The decompressed length of `mesh`'s level encoding: the `raw_len` its [`StoredLevel`] needs.
pub fn mesh_level_raw_len(mesh: &Mesh) -> u64 {
    let index_bytes = match &mesh.indices {
        crate::render::Indices::U16(v) => v.len() * 2,
        crate::render::Indices::U32(v) => v.len() * 4,
    };
    (16 + mesh.positions.len() * 48 + index_bytes.next_multiple_of(4)) as u64
}

/// A texture mip's stored bytes: its RGBA8 rows compressed with LZ4 (decompressed length
/// `width * height * 4`).
pub fn encode_texture_level(image: &TextureImage) -> Vec<u8> {
    lz4_flex::block::compress(&image.pixels)
}

/// Decodes a mesh level from exactly its stored bytes, which may be untrusted.
///
/// Checks, in order: the length against `stored_len` ([`PackError::LevelLength`]), the CRC
/// ([`PackError::LevelChecksum`]), `raw_len` against
/// [`MAX_MESH_LEVEL_RAW_LEN`](super::MAX_MESH_LEVEL_RAW_LEN); then decompresses into exactly
/// `raw_len` bytes (a stream that would write more fails with [`PackError::Decompress`], one
/// that writes less with [`PackError::DecompressedLength`]); then the level encoding against
/// `triangles` and its own length ([`PackError::InvalidMeshLevel`]) and the mesh with
/// [`Mesh::validate`] ([`PackError::InvalidMesh`]).
pub fn decode_mesh_level(level: &MeshLevel, stored: &[u8]) -> Result<Mesh, PackError> {
    decode_mesh_level_checked(level, stored).map(CheckedMesh::into_mesh)
}

/// [`decode_mesh_level`], keeping the check and the bounds it measured: a [`CheckedMesh`] for
/// [`MeshAssets::insert_checked`](crate::render::MeshAssets::insert_checked), so the frame's
/// thread does not validate the mesh again (the streamer decodes on its own threads).
pub fn decode_mesh_level_checked(
    level: &MeshLevel,
    stored: &[u8],
) -> Result<CheckedMesh, PackError> {
    let raw = decompress(&level.stored, stored, MAX_MESH_LEVEL_RAW_LEN)?;
    let mesh = decode_level_body(&raw, level.triangles).map_err(|e| match e {
        LevelBodyError::OutOfMemory => PackError::OutOfMemory {
            bytes: u64::from(level.stored.raw_len),
        },
        LevelBodyError::Invalid(reason) => PackError::InvalidMeshLevel { reason },
    })?;
    Ok(mesh.checked()?)
}

/// Decodes a texture mip from exactly its stored bytes, which may be untrusted: the same
/// length, CRC and decompression checks as [`decode_mesh_level`], after checking the size: edges
/// from 1 to [`MAX_CRITICAL_TEXTURE_SIZE`](super::MAX_CRITICAL_TEXTURE_SIZE) and `raw_len`
/// equal to `width * height * 4` ([`PackError::InvalidImage`]). The decompressed bytes
/// become the image's pixels without a copy.
pub fn decode_texture_level(
    level: &TextureLevel,
    stored: &[u8],
) -> Result<TextureImage, PackError> {
    let (w, h) = (level.width, level.height);
    let edges = (1..=MAX_CRITICAL_TEXTURE_SIZE).contains(&w)
        && (1..=MAX_CRITICAL_TEXTURE_SIZE).contains(&h);
    // Edges first: two u32 edges times 4 can overflow a u64.
    if !edges || u64::from(w) * u64::from(h) * 4 != u64::from(level.stored.raw_len) {
        return Err(PackError::InvalidImage {
            width: level.width,
            height: level.height,
            bytes: u64::from(level.stored.raw_len),
        });
    }
    let pixels = decompress(&level.stored, stored, MAX_TEXTURE_LEVEL_RAW_LEN)?;
    Ok(TextureImage {
        width: level.width,
        height: level.height,
        pixels,
    })
}

/// Checks `stored` against its manifest entry and decompresses it into exactly `raw_len`
/// bytes, `raw_len` at most `max`.
fn decompress(level: &StoredLevel, stored: &[u8], max: u32) -> Result<Vec<u8>, PackError> {
    let found = stored.len() as u64;
    if found != u64::from(level.stored_len) {
        return Err(PackError::LevelLength {
            expected: u64::from(level.stored_len),
            found,
        });
    }
    let computed = crc32fast::hash(stored);
    if computed != level.crc32 {
        return Err(PackError::LevelChecksum {
            stored: level.crc32,
            computed,
        });
    }
    if level.raw_len > max {
        return Err(PackError::LevelTooLarge {
            raw_len: u64::from(level.raw_len),
            max: u64::from(max),
        });
    }
    if !lengths_fit(level.stored_len, level.raw_len) {
        return Err(PackError::ImpossibleLengths {
            stored_len: level.stored_len,
            raw_len: level.raw_len,
        });
    }
    let mut raw = Vec::new();
    raw.try_reserve_exact(level.raw_len as usize)
        .map_err(|_| PackError::OutOfMemory {
            bytes: u64::from(level.raw_len),
        })?;
    raw.resize(level.raw_len as usize, 0);
    let written =
        lz4_flex::block::decompress_into(stored, &mut raw).map_err(|e| PackError::Decompress {
            raw_len: level.raw_len,
            reason: e.to_string(),
        })?;
    if written != raw.len() {
        return Err(PackError::DecompressedLength {
            expected: level.raw_len,
            found: written as u32,
        });
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lz4_never_beats_the_ratio_the_length_check_assumes() {
        // Zeros are LZ4's best case: one long match.
        for len in [0usize, 1, 13, 4096, 1 << 20, 16 << 20] {
            let stored = lz4_flex::block::compress(&vec![0; len]);
            assert!(
                lengths_fit(stored.len() as u32, len as u32),
                "{len} zeros compress to {} bytes",
                stored.len()
            );
        }
        // Noise is its worst case.
        let noise: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let stored = lz4_flex::block::compress(&noise);
        assert!(lengths_fit(stored.len() as u32, noise.len() as u32));
        assert!(!lengths_fit(0, 0));
        assert!(!lengths_fit(10, 10 * 255 + 65));
        assert!(!lengths_fit(1000, 10));
    }

    #[test]
    fn a_raw_length_lie_fails_before_allocating_it() {
        let raw = vec![7u8; 4096];
        let stored = lz4_flex::block::compress(&raw);
        let level = TextureLevel {
            stored: StoredLevel {
                offset: 0,
                stored_len: stored.len() as u32,
                raw_len: 2048 * 2048 * 4,
                crc32: crc32fast::hash(&stored),
            },
            width: 2048,
            height: 2048,
        };
        assert_eq!(
            decode_texture_level(&level, &stored),
            Err(PackError::ImpossibleLengths {
                stored_len: stored.len() as u32,
                raw_len: 2048 * 2048 * 4
            })
        );
    }
}
