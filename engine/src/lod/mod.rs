//! Levels of detail: LOD chains (a mesh's levels, coarse to fine, each with its object-space
//! error and bounds) and their versioned, streamable on-disk format.
//!
//! Chains are generated off the frame by the native cooking tool (`layerw-cook`, which uses
//! meshoptimizer); the engine only loads them, so it builds for the web. The reader is safe for
//! untrusted bytes: every malformed input gives a [`LodChainError`].
//!
//! Each frame the Lod stage picks every visible entity's level ([`select_levels`]): the
//! coarsest whose error, projected to pixels, is under a threshold, with hysteresis, a global
//! bias and a triangle budget ([`enforce_triangle_budget`]).

mod assets;
mod chain;
mod error;
mod select;

pub use assets::{LoadedChain, LoadedLevel, LodAssets, LodHandle};
pub use chain::{
    FIXED_HEADER_LEN, LEVEL_ENTRY_LEN, LEVEL_HEADER_LEN, LevelEntry, LodBounds, LodChain,
    LodChainHeader, LodLevel, MAGIC, MAX_LEVELS, VERSION,
};
pub(crate) use chain::{LevelBodyError, decode_level_body, encode_level};
pub use error::LodChainError;
pub use select::{
    LodLevels, LodSelector, LodSettings, LodSettingsError, LodView, MIN_DISTANCE, NO_LEVEL,
    enforce_triangle_budget, select_levels, select_levels_par, total_triangles,
};

#[cfg(test)]
mod select_tests;
#[cfg(test)]
mod tests;
