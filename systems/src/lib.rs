//! Layer-W systems: ready-made [`System`](layerw_engine::schedule::System)s.
//!
//! Each function returns a system with its access already declared; add it to the stage that
//! fits (the motion systems usually go in
//! [`Stage::FixedUpdate`](layerw_engine::schedule::Stage::FixedUpdate), where they see the fixed
//! step as their delta time).
//!
//! # Example
//! ```
//! use glam::Vec3;
//! use layerw_components::{Position, Velocity};
//! use layerw_engine::ecs::World;
//! use layerw_engine::schedule::{FixedTime, Schedule, Stage};
//!
//! let mut world = World::new();
//! world.insert_resource(FixedTime::new(0.5));
//! let e = world.spawn((Position(Vec3::ZERO), Velocity(Vec3::X)));
//! let mut schedule = Schedule::new();
//! schedule.add_system(Stage::FixedUpdate, layerw_systems::integrate_velocity());
//! schedule.run_frame(&mut world, 1.0); // two fixed steps of 0.5 s
//! assert_eq!(world.get::<Position>(e).unwrap().0, Vec3::X);
//! ```
#![warn(missing_docs)]

mod anim;
mod camera;
mod cull;
mod extract;
mod frame_times;
mod lod;
mod memory;
mod motion;
mod plugins;
mod render;
mod shadow;
mod skinned;
mod stream;
mod transform;
pub mod ui;

pub use anim::animate;
pub use camera::{fly_camera, orbit_camera};
pub use cull::{CullStats, cull};
pub use frame_times::FrameTimes;
pub use lod::{lod_budget, select_lods};
pub use memory::memory_report;
pub use motion::{integrate_velocity, spin};
pub use plugins::{
    CullPlugin, DefaultPlugins, DiagnosticsPlugin, ExtractPlugin, HeadlessPlugins, LodPlugin,
    UiPlugin,
};
#[cfg(all(feature = "gpu", not(target_os = "wasi")))]
pub use plugins::{RenderPlugin, RenderUnavailable};
pub use render::{camera_view, extract_render, sun_light, toggle_stats_overlay};
pub use shadow::{ShadowBounds, fit_shadow_bounds};
pub use skinned::extract_skinned;
pub use stream::{
    CellRadii, StreamPlugin, StreamedCell, StreamedLight, StreamedLightsSpawned, stream_cells,
    stream_lights, stream_update, stream_wants,
};
pub use transform::{MAX_HIERARCHY_DEPTH, propagate_transforms, sync_transform};
