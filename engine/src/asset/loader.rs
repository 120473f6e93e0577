//! [`AssetLoader`]: bytes to a decoded asset, one per kind and file extension, and the
//! engine's loaders: meshes and LOD chains from `.lwlod`, textures from PNG.

use super::{Asset, DecodeError};
use crate::lod::{LoadedChain, LodChain};
use crate::render::{LoadedTexture, Mesh, TextureImage};

/// The largest file a loader takes unless it says otherwise: 256 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 256 << 20;

/// Turns a file's bytes into an asset of one kind. Loaders are registered on the
/// [`AssetServer`](super::AssetServer) per kind; a path goes to the loader of the asked-for
/// kind with the longest extension it ends with (`"linear.png"` before `"png"`).
///
/// Loaders see untrusted bytes: every malformed input must give a [`DecodeError`], never a
/// panic, and reading stops before a file larger than [`max_bytes`](Self::max_bytes) is
/// allocated.
pub trait AssetLoader: Send + Sync + 'static {
    /// The kind this loader makes.
    type Asset: Asset;

    /// The extensions it takes, lower case, without the leading dot (`"png"`, `"linear.png"`).
    fn extensions(&self) -> &[&'static str];

    /// The largest file it takes, in bytes.
    fn max_bytes(&self) -> u64 {
        DEFAULT_MAX_BYTES
    }

    /// Decodes a file.
    fn load(&self, bytes: &[u8]) -> Result<<Self::Asset as Asset>::Source, DecodeError>;
}

/// Meshes from `.lwlod` files: the chain's finest level (the engine has no other mesh
/// format; `layerw-cook` writes `.lwlod` from glTF).
#[derive(Clone, Copy, Debug, Default)]
pub struct MeshLoader;

impl AssetLoader for MeshLoader {
    type Asset = Mesh;

    fn extensions(&self) -> &[&'static str] {
        &["lwlod"]
    }

    fn load(&self, bytes: &[u8]) -> Result<Mesh, DecodeError> {
        let chain = LodChain::from_bytes(bytes)?;
        let finest = chain.into_levels().pop();
        // A decoded chain has at least one level (the reader refuses zero).
        finest
            .map(|level| level.mesh)
            .ok_or_else(|| DecodeError::Custom("LOD chain without levels".into()))
    }
}

/// LOD chains from `.lwlod` files ([`LodChain::from_bytes`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct LodChainLoader;

impl AssetLoader for LodChainLoader {
    type Asset = LoadedChain;

    fn extensions(&self) -> &[&'static str] {
        &["lwlod"]
    }

    fn load(&self, bytes: &[u8]) -> Result<LodChain, DecodeError> {
        Ok(LodChain::from_bytes(bytes)?)
    }
}

/// Textures from PNG ([`TextureImage::decode_png`]), capped and mipmapped as
/// [`TextureAssets::add`](crate::render::TextureAssets::add) does.
#[derive(Clone, Copy, Debug)]
pub struct PngTextureLoader {
    /// Colour (sampled as sRGB) or data (linear: normals, roughness).
    pub srgb: bool,
    /// Capped at 2048 px instead of 1024.
    pub critical: bool,
}

impl PngTextureLoader {
    /// Colour maps, registered for `.png`.
    pub const COLOR: PngTextureLoader = PngTextureLoader {
        srgb: true,
        critical: false,
    };
    /// Data maps (normals, roughness), registered for `.linear.png`.
    pub const LINEAR: PngTextureLoader = PngTextureLoader {
        srgb: false,
        critical: false,
    };
}

impl AssetLoader for PngTextureLoader {
    type Asset = LoadedTexture;

    fn extensions(&self) -> &[&'static str] {
        if self.srgb { &["png"] } else { &["linear.png"] }
    }

    fn load(&self, bytes: &[u8]) -> Result<LoadedTexture, DecodeError> {
        let image = TextureImage::decode_png(bytes)?;
        Ok(LoadedTexture {
            mips: image.mip_chain(self.critical),
            srgb: self.srgb,
        })
    }
}
