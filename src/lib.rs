//! Layer-W facade.
#![warn(missing_docs)]
pub use layerw_engine as engine;
