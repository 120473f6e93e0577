//! Why cooking failed.

use core::fmt;
use std::path::PathBuf;

use layerw_engine::lod::LodChainError;
use layerw_engine::render::{MeshError, TextureError};
use layerw_engine::stream::PackError;

/// Why a mesh could not be loaded or its chain not generated.
#[non_exhaustive]
#[derive(Debug)]
pub enum CookError {
    /// The input mesh fails [`Mesh::validate`](layerw_engine::render::Mesh::validate).
    InvalidMesh(MeshError),
    /// An option is out of its range.
    InvalidOptions {
        /// The option.
        option: &'static str,
        /// Its allowed range.
        expected: &'static str,
    },
    /// meshoptimizer refused the data.
    Meshopt(String),
    /// The generated levels do not make a valid chain (a bug in the generator).
    Chain(LodChainError),
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// A glTF file could not be used.
    Gltf {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file or buffer is larger than the cook accepts (checked before reading it).
    TooLarge {
        /// The file (or the glTF file that declares the buffer).
        path: PathBuf,
        /// Its size in bytes.
        bytes: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A glTF buffer URI that would read outside the glTF file's folder (an absolute path, a
    /// `..` component), or any file when the glTF came as bytes with no folder.
    UnsafeUri {
        /// The glTF file.
        path: PathBuf,
        /// The URI as written in the file.
        uri: String,
    },
    /// A glTF image in a format the cook does not decode (only PNG is read).
    UnsupportedImage {
        /// The glTF file.
        path: PathBuf,
        /// The image's index in the file.
        image: usize,
        /// Its MIME type, or the format its first bytes show.
        format: String,
    },
    /// A glTF PNG image that does not decode.
    Image {
        /// The glTF file.
        path: PathBuf,
        /// The image's index in the file.
        image: usize,
        /// Why.
        error: TextureError,
    },
    /// A glTF file uses a feature the engine's formats do not carry (a texture map read from
    /// a UV set other than `TEXCOORD_0`: meshes hold one UV set).
    Unsupported {
        /// The glTF file.
        path: PathBuf,
        /// Where and what (for example "material 2's occlusion map reads TEXCOORD_1").
        feature: String,
    },
    /// The content pack writer refused an asset or could not write.
    Pack(PackError),
    /// The input is neither a glTF/GLB file nor a procedural mesh spec.
    BadInput {
        /// The input as given.
        input: String,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for CookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookError::InvalidMesh(e) => write!(f, "invalid input mesh: {e}"),
            CookError::InvalidOptions { option, expected } => {
                write!(f, "option {option} must be {expected}")
            }
            CookError::Meshopt(e) => write!(f, "meshoptimizer: {e}"),
            CookError::Chain(e) => write!(f, "generated chain is invalid: {e}"),
            CookError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            CookError::Gltf { path, message } => write!(f, "{}: {message}", path.display()),
            CookError::BadInput { input, reason } => write!(f, "input {input:?}: {reason}"),
            CookError::Unsupported { path, feature } => {
                write!(f, "{}: unsupported: {feature}", path.display())
            }
            CookError::UnsupportedImage {
                path,
                image,
                format,
            } => write!(
                f,
                "{}: image {image} is {format}; only PNG images are read",
                path.display()
            ),
            CookError::Pack(e) => write!(f, "content pack: {e}"),
            CookError::Image { path, image, error } => {
                write!(f, "{}: image {image}: {error}", path.display())
            }
            CookError::TooLarge { path, bytes, limit } => write!(
                f,
                "{}: {bytes} bytes, more than the {limit} bytes allowed",
                path.display()
            ),
            CookError::UnsafeUri { path, uri } => write!(
                f,
                "{}: buffer URI {uri:?} points outside the file's folder; only relative paths \
                 below it are read",
                path.display()
            ),
        }
    }
}

impl std::error::Error for CookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CookError::InvalidMesh(e) => Some(e),
            CookError::Chain(e) => Some(e),
            CookError::Io { error, .. } => Some(error),
            CookError::Image { error, .. } => Some(error),
            CookError::Pack(e) => Some(e),
            _ => None,
        }
    }
}

impl From<MeshError> for CookError {
    fn from(e: MeshError) -> CookError {
        CookError::InvalidMesh(e)
    }
}

impl From<LodChainError> for CookError {
    fn from(e: LodChainError) -> CookError {
        CookError::Chain(e)
    }
}

impl From<PackError> for CookError {
    fn from(e: PackError) -> CookError {
        CookError::Pack(e)
    }
}
