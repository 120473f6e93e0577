//! Why a LOD chain was refused: by `LodChain::new`, or by the reader on untrusted bytes.

use core::fmt;

use crate::render::MeshError;

/// Why a LOD chain, its header or one of its levels was refused.
///
/// The reader returns one of these for every malformed input (it never panics): the numbers in
/// each variant say what was expected and what was found.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum LodChainError {
    /// The file does not start with [`MAGIC`](super::MAGIC).
    BadMagic {
        /// The first four bytes.
        found: [u8; 4],
    },
    /// The file is of a format version this reader does not read.
    UnsupportedVersion {
        /// The version in the file.
        found: u16,
        /// The version this reader reads.
        supported: u16,
    },
    /// The bytes end before the data the header promises. A streaming reader fetches `needed`
    /// bytes and tries again.
    Truncated {
        /// How many bytes are needed (from the start of the file, or of the level for
        /// [`LodChainHeader::decode_level`](super::LodChainHeader::decode_level)).
        needed: u64,
        /// How many there are.
        available: u64,
    },
    /// There are more bytes than the header's file length.
    TrailingBytes {
        /// The file length in the header.
        expected: u64,
        /// The bytes given.
        found: u64,
    },
    /// The header's checksum does not match its bytes.
    HeaderChecksum {
        /// The CRC-32 stored in the header.
        stored: u32,
        /// The CRC-32 of the header's bytes.
        computed: u32,
    },
    /// A level's checksum does not match its bytes.
    LevelChecksum {
        /// The level, 0 being the coarsest.
        level: usize,
        /// The CRC-32 stored in the level table.
        stored: u32,
        /// The CRC-32 of the level's bytes.
        computed: u32,
    },
    /// The header is self-consistent in its checksum but describes an impossible file.
    InvalidHeader {
        /// What is wrong.
        reason: &'static str,
    },
    /// A level's bytes or table entry describe an impossible level.
    InvalidLevel {
        /// The level, 0 being the coarsest.
        level: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A level's mesh fails [`Mesh::validate`](crate::render::Mesh::validate).
    InvalidMesh {
        /// The level, 0 being the coarsest.
        level: usize,
        /// Why the mesh was refused.
        error: MeshError,
    },
    /// Levels are not ordered coarse to fine: triangles must not decrease and the error must
    /// not increase from one level to the next.
    LevelOrder {
        /// The first level out of order.
        level: usize,
    },
    /// A level index past the last level.
    NoSuchLevel {
        /// The level asked for.
        level: usize,
        /// How many levels there are.
        levels: usize,
    },
    /// The chain has no levels, or more than [`MAX_LEVELS`](super::MAX_LEVELS).
    LevelCount {
        /// How many levels.
        levels: u64,
    },
}

impl fmt::Display for LodChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LodChainError::BadMagic { found } => {
                write!(f, "not a LOD chain: magic bytes are {found:02x?}")
            }
            LodChainError::UnsupportedVersion { found, supported } => write!(
                f,
                "LOD chain format version {found} is not supported (this reader reads {supported})"
            ),
            LodChainError::Truncated { needed, available } => write!(
                f,
                "LOD chain is truncated: {needed} bytes needed, {available} available"
            ),
            LodChainError::TrailingBytes { expected, found } => write!(
                f,
                "LOD chain has trailing bytes: header says {expected} bytes, got {found}"
            ),
            LodChainError::HeaderChecksum { stored, computed } => write!(
                f,
                "LOD chain header is corrupt: CRC-32 {computed:08x}, stored {stored:08x}"
            ),
            LodChainError::LevelChecksum {
                level,
                stored,
                computed,
            } => write!(
                f,
                "LOD level {level} is corrupt: CRC-32 {computed:08x}, stored {stored:08x}"
            ),
            LodChainError::InvalidHeader { reason } => {
                write!(f, "LOD chain header is invalid: {reason}")
            }
            LodChainError::InvalidLevel { level, reason } => {
                write!(f, "LOD level {level} is invalid: {reason}")
            }
            LodChainError::InvalidMesh { level, error } => {
                write!(f, "LOD level {level} has an invalid mesh: {error}")
            }
            LodChainError::LevelOrder { level } => write!(
                f,
                "LOD level {level} is out of order: levels go coarse to fine, with \
                 non-decreasing triangles and non-increasing error"
            ),
            LodChainError::NoSuchLevel { level, levels } => {
                write!(f, "LOD level {level} asked for, the chain has {levels}")
            }
            LodChainError::LevelCount { levels } => write!(
                f,
                "LOD chain has {levels} levels, expected 1 to {}",
                super::MAX_LEVELS
            ),
        }
    }
}

impl std::error::Error for LodChainError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LodChainError::InvalidMesh { error, .. } => Some(error),
            _ => None,
        }
    }
}
