//! The asset layer: one store per asset kind ([`Assets<T>`]), typed generational handles
//! ([`Handle<T>`]), load states, loaders and the [`AssetServer`] that reads files off the
//! frame (a thread natively, `fetch` in the browser). See docs/assets.md.

mod error;
mod handle;
mod store;

pub use error::{AssetError, DecodeError};
pub use handle::Handle;
pub use store::{Assets, LoadState};
