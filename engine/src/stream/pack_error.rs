//! Why a content pack's manifest, one of its levels, or the writer refused something.

use core::fmt;

use crate::anim::{ClipError, SkeletonError};
use crate::render::{MeshError, SkinnedMeshError};

/// Which kind of asset an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssetKind {
    /// A mesh (its LOD chain).
    Mesh,
    /// A texture (its mip chain).
    Texture,
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AssetKind::Mesh => "mesh",
            AssetKind::Texture => "texture",
        })
    }
}

/// Why a content pack's bytes, or what was given to the [`PackWriter`](super::PackWriter), were
/// refused. The readers return one of these for every malformed input (they never panic); the
/// numbers in each variant say what was expected and what was found.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum PackError {
    /// The manifest does not start with [`PACK_MAGIC`](super::PACK_MAGIC).
    BadMagic {
        /// The first four bytes.
        found: [u8; 4],
    },
    /// The manifest is of a format version this reader does not read.
    UnsupportedVersion {
        /// The version in the manifest.
        found: u16,
        /// The version this reader reads.
        supported: u16,
    },
    /// The bytes end before what the header (or a count) promises.
    Truncated {
        /// How many bytes are needed.
        needed: u64,
        /// How many there are.
        available: u64,
    },
    /// There are more bytes than the header says.
    TrailingBytes {
        /// The length the header gives.
        expected: u64,
        /// The bytes given.
        found: u64,
    },
    /// The manifest's header checksum does not match.
    HeaderChecksum {
        /// The CRC-32 stored in the header.
        stored: u32,
        /// The CRC-32 of the header's bytes.
        computed: u32,
    },
    /// The manifest's body checksum does not match.
    BodyChecksum {
        /// The CRC-32 stored in the header.
        stored: u32,
        /// The CRC-32 of the body's bytes.
        computed: u32,
    },
    /// The header is checksummed but describes an impossible manifest (unknown flags, non-zero
    /// reserved bytes, a body over [`MAX_MANIFEST_LEN`](super::MAX_MANIFEST_LEN)).
    InvalidHeader {
        /// What is wrong.
        reason: &'static str,
    },
    /// A count over its cap (the caps are the `MAX_*` consts of this module).
    TooMany {
        /// What is counted ("blobs", "meshes", "entities", ...).
        what: &'static str,
        /// How many there are (or would be).
        count: u64,
        /// The cap.
        max: u64,
    },
    /// An index into one of the manifest's tables is out of range.
    IndexOutOfRange {
        /// Which index ("mesh blob", "material base colour texture", "entity mesh", ...).
        what: &'static str,
        /// The index.
        index: u32,
        /// The table's length.
        len: u64,
    },
    /// An asset has no levels, or more than its kind allows.
    LevelCount {
        /// Mesh or texture.
        kind: AssetKind,
        /// The asset's index.
        asset: u32,
        /// Its level count.
        count: u64,
        /// The most allowed.
        max: u64,
    },
    /// A level's bytes end past its blob file's length.
    LevelPastBlob {
        /// Mesh or texture.
        kind: AssetKind,
        /// The asset's index.
        asset: u32,
        /// The level, 0 the coarsest.
        level: u32,
        /// Where the level ends.
        end: u64,
        /// The blob file's length.
        blob_len: u64,
    },
    /// A level does not start where the previous one ends (an asset's levels from 1 on lie back
    /// to back, coarse to fine; level 0 is in the coarse blob).
    LevelsNotContiguous {
        /// Mesh or texture.
        kind: AssetKind,
        /// The asset's index.
        asset: u32,
        /// The level, 0 the coarsest.
        level: u32,
        /// Where it should start: the end of the previous level.
        expected: u64,
        /// Where it starts.
        found: u64,
    },
    /// Levels are not ordered coarse to fine: a mesh's error rose or its triangles fell, or a
    /// texture level is not the mip right above the previous one.
    LevelOrder {
        /// Mesh or texture.
        kind: AssetKind,
        /// The asset's index.
        asset: u32,
        /// The first level out of order.
        level: u32,
    },
    /// A level's table entry describes an impossible level.
    InvalidLevel {
        /// Mesh or texture.
        kind: AssetKind,
        /// The asset's index.
        asset: u32,
        /// The level, 0 the coarsest.
        level: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// A texture level (so the texture's full size) is over its cap ([`MAX_TEXTURE_SIZE`](super::MAX_TEXTURE_SIZE),
    /// or [`MAX_CRITICAL_TEXTURE_SIZE`](super::MAX_CRITICAL_TEXTURE_SIZE) when critical).
    TextureTooLarge {
        /// The texture's index.
        texture: u32,
        /// Its full width.
        width: u32,
        /// Its full height.
        height: u32,
        /// The cap on an edge.
        max: u32,
    },
    /// Flag bits this reader does not know are set.
    UnknownFlags {
        /// Whose flags ("texture", "entity").
        what: &'static str,
        /// The flags.
        flags: u32,
    },
    /// A value that must be finite is not (bounds, a transform, a material parameter).
    NonFinite {
        /// What it is ("entity transform", "material", "mesh bounds").
        what: &'static str,
        /// The index of its owner (the entity within its cell, the material, the mesh).
        index: u32,
    },
    /// A material, light or camera value is out of its range (a cone angle past 90 degrees, a
    /// near plane behind the camera).
    OutOfRange {
        /// Whose value ("light", "camera", "material").
        what: &'static str,
        /// Its index.
        index: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// The cell size is not positive and finite.
    InvalidCellSize {
        /// The cell size given.
        cell_size: f32,
    },
    /// An entity's translation is outside the cell that lists it.
    EntityOutsideCell {
        /// The cell listing it (X, Z).
        cell: [i32; 2],
        /// The entity's index in that cell.
        entity: u32,
    },
    /// A position given to the writer lies beyond the cells `i32` coordinates can name, or is
    /// not finite.
    OutsideWorld {
        /// The position.
        position: [f32; 3],
        /// The pack's cell size.
        cell_size: f32,
    },
    /// Two cells have the same coordinates.
    DuplicateCell {
        /// The coordinates (X, Z).
        coord: [i32; 2],
    },
    /// A blob file name is empty, too long, `.`/`..`, or has a character other than letters,
    /// digits, `-`, `_` and `.`.
    BadBlobName {
        /// The blob's index.
        blob: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// Stored level bytes of another length than the manifest's `stored_len`.
    LevelLength {
        /// The manifest's stored length.
        expected: u64,
        /// The bytes given.
        found: u64,
    },
    /// Stored level bytes whose CRC-32 differs from the manifest's.
    LevelChecksum {
        /// The CRC-32 in the manifest.
        stored: u32,
        /// The CRC-32 of the bytes.
        computed: u32,
    },
    /// A level's decompressed length in the manifest is over the cap for its kind.
    LevelTooLarge {
        /// The decompressed length.
        raw_len: u64,
        /// The cap.
        max: u64,
    },
    /// A level's stored and raw lengths cannot belong to one LZ4 block: the raw length is more
    /// than 255 times the stored one (LZ4's best ratio), or the stored length is 0 or more than
    /// LZ4's worst case. Checked before anything is allocated for the raw bytes.
    ImpossibleLengths {
        /// The stored length.
        stored_len: u32,
        /// The raw length.
        raw_len: u32,
    },
    /// The compressed stream is corrupt, or would decompress to more than the manifest's
    /// `raw_len` (the decompressor never writes past it).
    Decompress {
        /// The manifest's decompressed length.
        raw_len: u32,
        /// The decompressor's message.
        reason: String,
    },
    /// The level decompressed to fewer bytes than the manifest's `raw_len`.
    DecompressedLength {
        /// The manifest's decompressed length.
        expected: u32,
        /// The bytes the stream held.
        found: u32,
    },
    /// A mesh level's decompressed bytes are not a valid level encoding (docs/lod-chain.md).
    InvalidMeshLevel {
        /// What is wrong.
        reason: &'static str,
    },
    /// A decoded mesh level, or a mesh given to the writer, fails
    /// [`Mesh::validate`](crate::render::Mesh::validate).
    InvalidMesh(MeshError),
    /// A skin's joints do not make a skeleton ([`Skeleton::new`](crate::anim::Skeleton::new)).
    InvalidSkeleton {
        /// The skin.
        skin: u32,
        /// Why.
        error: SkeletonError,
    },
    /// A clip's channel is refused by [`Channel::new`](crate::anim::Channel::new).
    InvalidClip {
        /// The clip.
        clip: u32,
        /// The channel within it.
        channel: u32,
        /// Why.
        error: ClipError,
    },
    /// A skinned mesh fails [`SkinnedMesh::validate`](crate::render::SkinnedMesh::validate)
    /// against its skin.
    InvalidSkinnedMesh {
        /// The skinned mesh.
        mesh: u32,
        /// Why.
        error: SkinnedMeshError,
    },
    /// An image given to the writer is inconsistent (no pixels, pixels not `w * h * 4` bytes,
    /// an edge over [`MAX_SOURCE_TEXTURE_SIZE`](crate::render::MAX_SOURCE_TEXTURE_SIZE)), or a
    /// texture level's size is (an edge 0 or over
    /// [`MAX_CRITICAL_TEXTURE_SIZE`](super::MAX_CRITICAL_TEXTURE_SIZE), `raw_len` not
    /// `w * h * 4`).
    InvalidImage {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
        /// Its pixel bytes.
        bytes: u64,
    },
    /// The allocator could not give a decoded level's memory (its tier is full): the level is
    /// refused and can be tried again once there is room.
    OutOfMemory {
        /// The bytes the level needs decoded.
        bytes: u64,
    },
    /// Reading or writing a pack file failed (the writer's `to_dir`).
    Io {
        /// The file.
        path: String,
        /// The kind of failure.
        kind: std::io::ErrorKind,
        /// The OS's message.
        message: String,
    },
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackError::BadMagic { found } => {
                write!(f, "not a content pack manifest (magic {found:02x?})")
            }
            PackError::OutOfMemory { bytes } => {
                write!(f, "no memory for a decoded level of {bytes} bytes")
            }
            PackError::UnsupportedVersion { found, supported } => write!(
                f,
                "pack manifest version {found} is not supported (this reader reads {supported})"
            ),
            PackError::Truncated { needed, available } => {
                write!(f, "truncated: {needed} bytes needed, {available} available")
            }
            PackError::TrailingBytes { expected, found } => {
                write!(f, "{found} bytes where {expected} were expected")
            }
            PackError::HeaderChecksum { stored, computed } => write!(
                f,
                "manifest header checksum {computed:08x} differs from the stored {stored:08x}"
            ),
            PackError::BodyChecksum { stored, computed } => write!(
                f,
                "manifest body checksum {computed:08x} differs from the stored {stored:08x}"
            ),
            PackError::InvalidHeader { reason } => write!(f, "invalid manifest header: {reason}"),
            PackError::TooMany { what, count, max } => {
                write!(f, "{count} {what}, more than the {max} allowed")
            }
            PackError::IndexOutOfRange { what, index, len } => {
                write!(f, "{what} index {index} is out of range (there are {len})")
            }
            PackError::LevelCount {
                kind,
                asset,
                count,
                max,
            } => write!(f, "{kind} {asset} has {count} levels (1 to {max} allowed)"),
            PackError::LevelPastBlob {
                kind,
                asset,
                level,
                end,
                blob_len,
            } => write!(
                f,
                "{kind} {asset} level {level} ends at byte {end}, past its blob's {blob_len} bytes"
            ),
            PackError::LevelsNotContiguous {
                kind,
                asset,
                level,
                expected,
                found,
            } => write!(
                f,
                "{kind} {asset} level {level} starts at byte {found}, not where the previous level ends ({expected})"
            ),
            PackError::LevelOrder { kind, asset, level } => write!(
                f,
                "{kind} {asset} level {level} is out of coarse-to-fine order"
            ),
            PackError::InvalidLevel {
                kind,
                asset,
                level,
                reason,
            } => write!(f, "{kind} {asset} level {level} is invalid: {reason}"),
            PackError::TextureTooLarge {
                texture,
                width,
                height,
                max,
            } => write!(
                f,
                "texture {texture} is {width}x{height}, larger than {max} on an edge"
            ),
            PackError::UnknownFlags { what, flags } => {
                write!(f, "unknown {what} flags {flags:#x}")
            }
            PackError::NonFinite { what, index } => {
                write!(f, "{what} {index} has a value that is not finite")
            }
            PackError::OutOfRange {
                what,
                index,
                reason,
            } => write!(f, "{what} {index}: {reason}"),
            PackError::InvalidCellSize { cell_size } => {
                write!(f, "cell size {cell_size} is not positive and finite")
            }
            PackError::EntityOutsideCell { cell, entity } => write!(
                f,
                "entity {entity} of cell ({}, {}) lies outside that cell",
                cell[0], cell[1]
            ),
            PackError::OutsideWorld {
                position,
                cell_size,
            } => write!(
                f,
                "position {position:?} lies outside every cell of {cell_size} m"
            ),
            PackError::DuplicateCell { coord } => {
                write!(f, "cell ({}, {}) is listed twice", coord[0], coord[1])
            }
            PackError::BadBlobName { blob, reason } => {
                write!(f, "blob {blob} has a bad file name: {reason}")
            }
            PackError::LevelLength { expected, found } => {
                write!(f, "level is {found} bytes, the manifest says {expected}")
            }
            PackError::LevelChecksum { stored, computed } => write!(
                f,
                "level checksum {computed:08x} differs from the manifest's {stored:08x}"
            ),
            PackError::LevelTooLarge { raw_len, max } => write!(
                f,
                "level decompresses to {raw_len} bytes, more than the {max} allowed"
            ),
            PackError::ImpossibleLengths {
                stored_len,
                raw_len,
            } => write!(
                f,
                "{stored_len} stored bytes cannot decompress to {raw_len} bytes"
            ),
            PackError::Decompress { raw_len, reason } => write!(
                f,
                "level does not decompress to its {raw_len} bytes: {reason}"
            ),
            PackError::DecompressedLength { expected, found } => write!(
                f,
                "level decompressed to {found} bytes, the manifest says {expected}"
            ),
            PackError::InvalidMeshLevel { reason } => {
                write!(f, "invalid mesh level: {reason}")
            }
            PackError::InvalidMesh(e) => write!(f, "invalid mesh: {e}"),
            PackError::InvalidSkeleton { skin, error } => write!(f, "invalid skin {skin}: {error}"),
            PackError::InvalidClip {
                clip,
                channel,
                error,
            } => write!(f, "invalid clip {clip} channel {channel}: {error}"),
            PackError::InvalidSkinnedMesh { mesh, error } => {
                write!(f, "invalid skinned mesh {mesh}: {error}")
            }
            PackError::InvalidImage {
                width,
                height,
                bytes,
            } => write!(f, "invalid {width}x{height} image of {bytes} bytes"),
            PackError::Io {
                path,
                kind,
                message,
            } => write!(f, "{path}: {message} ({kind:?})"),
        }
    }
}

impl std::error::Error for PackError {}

impl From<MeshError> for PackError {
    fn from(e: MeshError) -> Self {
        PackError::InvalidMesh(e)
    }
}
