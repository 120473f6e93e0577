//! [`RenderPlugin`]: the GPU renderer, drawing the [`ExtractPlugin`]'s queue after every frame.

use layerw_engine::app::{App, Plugin};
use layerw_engine::gpu::{GpuRenderer, RendererConfig};

use super::ExtractPlugin;

/// Draws the world: adds [`ExtractPlugin`] (with its defaults, unless the app added it
/// already), makes a [`GpuRenderer`] from [`renderer`](Self::renderer) and installs the frame
/// hook that draws the [`RenderQueue`](layerw_engine::render::RenderQueue), presents it and
/// publishes [`RenderStats`](layerw_engine::gpu::RenderStats) after every frame. Insert a
/// [`Screenshot`](layerw_engine::gpu::Screenshot) resource to save the next frame.
///
/// The same code runs on every target: natively the GPU opens when the plugin is added
/// (headless until the runner makes a window; a machine without an adapter gets a
/// [`RenderUnavailable`] resource and no hook), in the browser it opens asynchronously on the
/// first frame with a canvas (WebGPU, else WebGL2).
///
/// The renderer draws at the window's internal resolution when the app has a window (add
/// [`WindowPlugin`](layerw_engine::platform::WindowPlugin) first, as
/// [`DefaultPlugins`](super::DefaultPlugins) does), else at `renderer.resolution`.
///
/// # Example
/// ```no_run
/// use layerw_engine::app::App;
/// use layerw_engine::platform::{WindowConfig, WindowPlugin};
/// use layerw_systems::{RenderPlugin, RenderUnavailable};
///
/// let mut app = App::new();
/// app.add_plugin(WindowPlugin { window: WindowConfig::default() })
///     .add_plugin(RenderPlugin::default());
/// if let Ok(why) = app.world().try_resource::<RenderUnavailable>() {
///     eprintln!("{}", why.0);
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RenderPlugin {
    /// The renderer's settings (MSAA, shadow map size, tonemapping, exposure).
    pub renderer: RendererConfig,
    /// Wait for the GPU to finish every frame, so frame times include GPU time (benchmarks;
    /// native only).
    pub wait_gpu: bool,
}

/// Why [`RenderPlugin`] could not open a GPU (natively: no adapter, or no device), a
/// resource: the app runs, draws nothing, and may report this and stop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderUnavailable(pub String);

impl Plugin for RenderPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugin(ExtractPlugin::default());
        let mut config = self.renderer.clone();
        if let Some(window) = app.window_config() {
            config.resolution = window.internal_resolution;
        }
        // The browser opens its GPU asynchronously, once the runner has made the canvas.
        #[cfg(target_arch = "wasm32")]
        let mut renderer = GpuRenderer::deferred(config);
        #[cfg(not(target_arch = "wasm32"))]
        let mut renderer = match GpuRenderer::new(config) {
            Ok(renderer) => renderer,
            Err(e) => {
                tracing::error!("no GPU, nothing will be drawn: {e}");
                app.insert_resource(RenderUnavailable(e.to_string()));
                return;
            }
        };
        renderer.wait_gpu = self.wait_gpu;
        app.add_frame_hook(move |world| renderer.frame(world));
    }
}
