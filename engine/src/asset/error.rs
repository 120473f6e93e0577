//! Why an asset did not load: [`AssetError`], and [`DecodeError`] for a loader's refusal.

use core::fmt;

use crate::lod::LodChainError;
use crate::render::{MeshError, TextureError};
use crate::text::FontError;

/// Why a loader refused an asset's bytes: the kind's own error inside.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum DecodeError {
    /// The mesh is malformed.
    Mesh(MeshError),
    /// The image is malformed or too large.
    Texture(TextureError),
    /// The LOD chain file is malformed.
    LodChain(LodChainError),
    /// The font file is malformed.
    Font(FontError),
    /// The sound file is malformed or in a format the audio loader does not decode.
    Sound(SoundError),
    /// A game's own loader refused the bytes.
    Custom(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Mesh(e) => write!(f, "invalid mesh: {e}"),
            DecodeError::Texture(e) => write!(f, "invalid texture: {e}"),
            DecodeError::LodChain(e) => write!(f, "invalid LOD chain: {e}"),
            DecodeError::Font(e) => write!(f, "invalid font: {e}"),
            DecodeError::Sound(e) => write!(f, "invalid sound: {e}"),
            DecodeError::Custom(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for DecodeError {}

impl From<MeshError> for DecodeError {
    fn from(e: MeshError) -> Self {
        DecodeError::Mesh(e)
    }
}

impl From<TextureError> for DecodeError {
    fn from(e: TextureError) -> Self {
        DecodeError::Texture(e)
    }
}

impl From<FontError> for DecodeError {
    fn from(e: FontError) -> Self {
        DecodeError::Font(e)
    }
}

impl From<SoundError> for DecodeError {
    fn from(e: SoundError) -> Self {
        DecodeError::Sound(e)
    }
}

impl From<LodChainError> for DecodeError {
    fn from(e: LodChainError) -> Self {
        DecodeError::LodChain(e)
    }
}

/// Why a sound file did not decode (the audio crate's loader; the engine itself decodes no
/// sound, so the reasons are stated without the decoder's types).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SoundError {
    /// The bytes are no container the loader reads (OGG, WAV), or hold no audio track.
    UnknownFormat,
    /// The container holds a codec this build does not decode.
    UnsupportedCodec(String),
    /// The stream does not state its sample rate (or states zero).
    UnknownSampleRate,
    /// More channels than stereo, or a layout the mixer cannot place.
    UnsupportedChannels,
    /// The stream decoded to no samples.
    Empty,
    /// The bytes are malformed: the decoder's message.
    Malformed(String),
}

impl fmt::Display for SoundError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SoundError::UnknownFormat => f.write_str("not an OGG or WAV file with an audio track"),
            SoundError::UnsupportedCodec(codec) => write!(f, "unsupported codec: {codec}"),
            SoundError::UnknownSampleRate => f.write_str("the sample rate is unknown"),
            SoundError::UnsupportedChannels => f.write_str("only mono and stereo are supported"),
            SoundError::Empty => f.write_str("no samples"),
            SoundError::Malformed(message) => write!(f, "malformed: {message}"),
        }
    }
}

impl std::error::Error for SoundError {}

/// Why an asset is in the [`Failed`](super::LoadState::Failed) state.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum AssetError {
    /// No file (natively) or a 404 (on the web) at the path.
    NotFound {
        /// The path asked for.
        path: String,
    },
    /// Reading failed for another reason (permissions, a network error, an HTTP status).
    Io {
        /// The path asked for.
        path: String,
        /// What the platform said.
        message: String,
    },
    /// The file is larger than its loader accepts; nothing that size was allocated.
    TooLarge {
        /// The path asked for.
        path: String,
        /// The file's size in bytes (at least this many, when the platform does not say).
        bytes: u64,
        /// The loader's limit in bytes.
        maximum: u64,
    },
    /// No loader for this kind of asset takes the path's extension.
    UnsupportedExtension {
        /// The path asked for.
        path: String,
        /// The asset kind asked for.
        kind: &'static str,
    },
    /// This build cannot read files (a browser build without the `fetch` feature).
    NoFileAccess {
        /// The path asked for.
        path: String,
    },
    /// The loader refused the bytes.
    Decode {
        /// The path asked for.
        path: String,
        /// The loader's reason.
        error: DecodeError,
    },
}

impl fmt::Display for AssetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssetError::NotFound { path } => write!(f, "{path}: not found"),
            AssetError::Io { path, message } => write!(f, "{path}: cannot read: {message}"),
            AssetError::TooLarge {
                path,
                bytes,
                maximum,
            } => write!(
                f,
                "{path}: {bytes} bytes, the loader takes at most {maximum}"
            ),
            AssetError::UnsupportedExtension { path, kind } => {
                write!(f, "{path}: no {kind} loader takes this extension")
            }
            AssetError::NoFileAccess { path } => {
                write!(f, "{path}: this build cannot read files")
            }
            AssetError::Decode { path, error } => write!(f, "{path}: {error}"),
        }
    }
}

impl std::error::Error for AssetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AssetError::Decode { error, .. } => Some(error),
            _ => None,
        }
    }
}
