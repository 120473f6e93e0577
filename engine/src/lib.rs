//! Layer-W engine mechanisms: walloc tiered memory, the ECS world on walloc, the fixed parallel
//! schedule, the app and its runners, and the platform layer (windows, input, actions, the event
//! journal). Policy (what systems do) lives in `layerw-systems`.
#![warn(missing_docs)]

pub mod anim;
pub mod app;
pub mod asset;
pub mod cull;
pub mod ecs;
pub mod file;
#[cfg(all(feature = "gpu", not(target_os = "wasi")))]
pub mod gpu;
pub mod lod;
pub mod logging;
pub mod platform;
pub mod profile;
pub mod render;
pub mod schedule;
pub mod stream;
pub mod text;
pub mod walloc;

pub use glam;
