//! The default sets: [`DefaultPlugins`] (a windowed 3D app) and [`HeadlessPlugins`] (the same
//! without a window or a GPU).

use layerw_engine::app::{App, HeadlessRun, Plugin};
use layerw_engine::asset::AssetPlugin;
use layerw_engine::logging::LogPlugin;
use layerw_engine::platform::{WindowConfig, WindowPlugin};

#[cfg(all(feature = "gpu", not(target_os = "wasi")))]
use super::RenderPlugin;
use super::{CullPlugin, DiagnosticsPlugin, ExtractPlugin, LodPlugin};

/// A windowed 3D app, the same code on the desktop and in the browser: in this order,
/// [`LogPlugin`] (warnings and errors to stderr or the browser console), [`WindowPlugin`] with
/// [`window`](Self::window), [`AssetPlugin`] with [`assets`](Self::assets), [`ExtractPlugin`] with
/// [`extract`](Self::extract), [`RenderPlugin`](super::RenderPlugin) with `render` (only with
/// the `gpu` feature, and not on WASI, where there is no GPU), then the optional
/// [`CullPlugin`], [`LodPlugin`] (after culling, so a triangle budget counts what the camera
/// sees) and [`DiagnosticsPlugin`]. Set an optional one to `None` to leave it out; to replace
/// a plugin's settings, change its field.
///
/// Device input is in every app from [`App::new`]; a game's actions are its own
/// [`InputPlugin`](layerw_engine::platform::InputPlugin).
///
/// # Example
/// ```no_run
/// use layerw_engine::app::App;
/// use layerw_engine::platform::WindowConfig;
/// use layerw_systems::DefaultPlugins;
///
/// let mut app = App::new();
/// app.add_plugin(DefaultPlugins {
///     window: WindowConfig { title: "My game".into(), ..Default::default() },
///     ..Default::default()
/// });
/// // ... spawn a camera, a sun and meshes ...
/// app.run().unwrap();
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DefaultPlugins {
    /// The log output (`None` in benches).
    pub log: Option<LogPlugin>,
    /// The window.
    pub window: WindowConfig,
    /// The asset stores and the loading server (its root folder or URL prefix).
    pub assets: AssetPlugin,
    /// The render queue, camera controllers and shadow volume.
    pub extract: ExtractPlugin,
    /// The GPU renderer.
    #[cfg(all(feature = "gpu", not(target_os = "wasi")))]
    pub render: RenderPlugin,
    /// Visibility culling.
    pub cull: Option<CullPlugin>,
    /// Level-of-detail selection.
    pub lod: Option<LodPlugin>,
    /// The stats overlay and memory reports.
    pub diagnostics: Option<DiagnosticsPlugin>,
}

impl Default for DefaultPlugins {
    fn default() -> Self {
        DefaultPlugins {
            log: Some(LogPlugin::default()),
            window: WindowConfig::default(),
            assets: AssetPlugin::default(),
            extract: ExtractPlugin::default(),
            #[cfg(all(feature = "gpu", not(target_os = "wasi")))]
            render: RenderPlugin::default(),
            cull: Some(CullPlugin),
            lod: Some(LodPlugin::default()),
            diagnostics: Some(DiagnosticsPlugin::default()),
        }
    }
}

impl Plugin for DefaultPlugins {
    fn build(&self, app: &mut App) {
        if let Some(log) = &self.log {
            app.add_plugin(log.clone());
        }
        app.add_plugin(WindowPlugin {
            window: self.window.clone(),
        });
        app.add_plugin(self.assets.clone());
        app.add_plugin(self.extract);
        #[cfg(all(feature = "gpu", not(target_os = "wasi")))]
        app.add_plugin(self.render.clone());
        add_scene_plugins(app, self.cull, self.lod, self.diagnostics);
    }
}

/// A 3D app with no window and no GPU: servers, tests, WASI. The same scene stages as
/// [`DefaultPlugins`] ([`LogPlugin`], [`ExtractPlugin`], then the optional [`CullPlugin`], [`LodPlugin`] and
/// [`DiagnosticsPlugin`], with the overlay hidden), so a test reads the
/// [`RenderQueue`](layerw_engine::render::RenderQueue) a GPU would draw; a server that draws
/// nothing sets `cull` and `lod` to `None`. With [`run`](Self::run), [`App::run`] runs
/// headless as it says even where a window could open.
///
/// # Example
/// ```
/// use layerw_engine::app::{App, HeadlessRun, StopReason};
/// use layerw_systems::HeadlessPlugins;
///
/// let mut app = App::new();
/// app.add_plugin(HeadlessPlugins { run: Some(HeadlessRun::frames(3)), ..Default::default() });
/// let report = app.run().unwrap();
/// assert_eq!((report.frames, report.reason), (3, StopReason::FrameLimit));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HeadlessPlugins {
    /// The log output (stderr).
    pub log: Option<LogPlugin>,
    /// How [`App::run`] runs; `None` leaves the app's choice (headless in real time until
    /// [`AppExit`](layerw_engine::app::AppExit) when it has no window).
    pub run: Option<HeadlessRun>,
    /// The asset stores and the loading server.
    pub assets: AssetPlugin,
    /// The render queue, camera controllers and shadow volume.
    pub extract: ExtractPlugin,
    /// Visibility culling.
    pub cull: Option<CullPlugin>,
    /// Level-of-detail selection.
    pub lod: Option<LodPlugin>,
    /// Memory reports (and the overlay's switch, hidden).
    pub diagnostics: Option<DiagnosticsPlugin>,
}

impl Default for HeadlessPlugins {
    fn default() -> Self {
        HeadlessPlugins {
            log: Some(LogPlugin::default()),
            run: None,
            assets: AssetPlugin::default(),
            extract: ExtractPlugin::default(),
            cull: Some(CullPlugin),
            lod: Some(LodPlugin::default()),
            diagnostics: Some(DiagnosticsPlugin {
                overlay: false,
                ..DiagnosticsPlugin::default()
            }),
        }
    }
}

impl Plugin for HeadlessPlugins {
    fn build(&self, app: &mut App) {
        if let Some(log) = &self.log {
            app.add_plugin(log.clone());
        }
        if let Some(run) = self.run {
            app.set_headless(run);
        }
        app.add_plugin(self.assets.clone());
        app.add_plugin(self.extract);
        add_scene_plugins(app, self.cull, self.lod, self.diagnostics);
    }
}

/// Culling before LOD: a triangle budget runs after culling in the same stage.
fn add_scene_plugins(
    app: &mut App,
    cull: Option<CullPlugin>,
    lod: Option<LodPlugin>,
    diagnostics: Option<DiagnosticsPlugin>,
) {
    if let Some(cull) = cull {
        app.add_plugin(cull);
    }
    if let Some(lod) = lod {
        app.add_plugin(lod);
    }
    if let Some(diagnostics) = diagnostics {
        app.add_plugin(diagnostics);
    }
}
