//! The asset layer: one store per asset kind ([`Assets<T>`] or a thin wrapper over it:
//! [`MeshAssets`](crate::render::MeshAssets), [`TextureAssets`](crate::render::TextureAssets),
//! [`LodAssets`](crate::lod::LodAssets)), typed generational handles ([`Handle<T>`]), load
//! states, loaders per kind and extension ([`AssetLoader`]) and the [`AssetServer`] that reads
//! files off the frame (a thread natively, `fetch` in the browser). Unloading is explicit:
//! removing an asset makes its handles stale and the renderer frees its GPU copy at its next
//! sync. The design is in docs/assets.md.

mod error;
mod handle;
mod io;
mod kind;
mod loader;
mod plugin;
mod server;
mod store;

pub use error::{AssetError, DecodeError, SoundError};
pub use handle::Handle;
pub use kind::Asset;
pub use loader::{AssetLoader, DEFAULT_MAX_BYTES, LodChainLoader, MeshLoader, PngTextureLoader};
pub use plugin::{AssetKindPlugin, AssetPlugin};
pub use server::{AssetServer, LOAD_STAGE, LoadProgress};
pub use store::{Assets, LoadState};
