//! Levels of detail: LOD chains (a mesh's levels, coarse to fine, each with its object-space
//! error and bounds) and their versioned, streamable on-disk format.
//!
//! Chains are generated off the frame by the native cooking tool (`layerw-cook`, which uses
//! meshoptimizer); the engine only loads them, so it builds for the web. The reader is safe for
//! untrusted bytes: every malformed input gives a [`LodChainError`].

mod assets;
mod chain;
mod error;

pub use assets::{LoadedChain, LoadedLevel, LodAssets, LodHandle};
pub use chain::{
    FIXED_HEADER_LEN, LEVEL_ENTRY_LEN, LEVEL_HEADER_LEN, LevelEntry, LodBounds, LodChain,
    LodChainHeader, LodLevel, MAGIC, MAX_LEVELS, VERSION,
};
pub use error::LodChainError;

#[cfg(test)]
mod tests;
