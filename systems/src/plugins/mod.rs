//! Plugins: the engine's ready-made systems packaged with the resources they need, so an app
//! is a few [`App::add_plugin`](layerw_engine::app::App::add_plugin) calls instead of a
//! dozen inserts and `add_system`s.
//!
//! * [`ExtractPlugin`]: what to draw, no GPU needed: the asset stores, the [`RenderQueue`],
//!   camera controllers, the shadow volume, the Render stage's extraction.
//! * [`RenderPlugin`] (the `gpu` feature, not on WASI): the GPU renderer and its frame hook,
//!   on [`ExtractPlugin`].
//! * [`LodPlugin`], [`CullPlugin`]: the Lod and Culling stages.
//! * [`DiagnosticsPlugin`]: the stats overlay and its key, memory reports.
//! * [`UiPlugin`]: text labels and menus over the frame (fonts, focus from keys, pads and
//!   the mouse).
//! * [`DefaultPlugins`]: a windowed 3D app; [`HeadlessPlugins`]: the same without a window
//!   or a GPU (servers, tests, WASI).
//!
//! A plugin that needs another adds it first (`app.add_plugin(ExtractPlugin::default())`);
//! an app adding it again, before or after, builds it once. To give a dependency settings
//! of its own, add it with those settings before the plugins that depend on it.
//!
//! [`RenderQueue`]: layerw_engine::render::RenderQueue

mod cull;
mod defaults;
mod diagnostics;
mod extract;
mod lod;
#[cfg(all(feature = "gpu", not(target_os = "wasi")))]
mod render;
mod ui;

pub use cull::CullPlugin;
pub use defaults::{DefaultPlugins, HeadlessPlugins};
pub use diagnostics::DiagnosticsPlugin;
pub use extract::ExtractPlugin;
pub use lod::LodPlugin;
#[cfg(all(feature = "gpu", not(target_os = "wasi")))]
pub use render::{RenderPlugin, RenderUnavailable};
pub use ui::UiPlugin;
