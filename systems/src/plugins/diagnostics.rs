//! [`DiagnosticsPlugin`]: the stats overlay and memory reports.

use layerw_engine::app::{App, Plugin};
use layerw_engine::platform::KeyCode;
use layerw_engine::render::StatsOverlay;
use layerw_engine::schedule::{Stage, monotonic_seconds};

use crate::{FrameTimes, memory_report, toggle_stats_overlay};

/// What a running app tells about itself: the [`StatsOverlay`] resource (FPS, frame time,
/// draw calls, triangles, walloc's tiers; the GPU renderer draws it over the frame), the key
/// that shows and hides it ([`toggle_stats_overlay`] in the Update stage) and walloc's
/// per-tier usage as `tracing` events ([`memory_report`] in the NetSend stage, the last, so
/// the figures cover the whole frame), and the [`FrameTimes`] resource: recent wall-clock frame
/// times, recorded by a frame hook (add this plugin after the renderer's, as the default sets
/// do, so a frame's time covers its drawing). The schedule publishes every frame's per-stage times
/// as [`StageTimings`](layerw_engine::schedule::StageTimings) and the renderer its
/// [`RenderStats`](layerw_engine::gpu::RenderStats) with or without this plugin.
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::platform::{InputEvent, KeyCode};
/// use layerw_engine::render::StatsOverlay;
/// use layerw_systems::DiagnosticsPlugin;
///
/// let mut app = App::new();
/// app.add_plugin(DiagnosticsPlugin { overlay: false, ..Default::default() });
/// app.push_event(InputEvent::key_pressed(KeyCode::F3));
/// app.update(1.0 / 60.0);
/// assert!(app.world().resource::<StatsOverlay>().visible);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiagnosticsPlugin {
    /// Show the overlay from the first frame.
    pub overlay: bool,
    /// The key that shows and hides it (F3 by default); `None` for none.
    pub toggle_key: Option<KeyCode>,
    /// Report walloc's usage every this many frames (300 by default); `None` for never.
    pub memory_report_every: Option<u32>,
    /// Keep this many recent frame times in [`FrameTimes`] (600 by default); `None` for
    /// none.
    pub frame_times: Option<usize>,
}

impl Default for DiagnosticsPlugin {
    fn default() -> Self {
        DiagnosticsPlugin {
            overlay: false,
            toggle_key: Some(KeyCode::F3),
            memory_report_every: Some(300),
            frame_times: Some(600),
        }
    }
}

impl Plugin for DiagnosticsPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(StatsOverlay {
            visible: self.overlay,
            ..StatsOverlay::default()
        });
        if let Some(key) = self.toggle_key {
            app.add_system(Stage::Update, toggle_stats_overlay(key));
        }
        if let Some(every) = self.memory_report_every {
            app.add_system(Stage::NetSend, memory_report(every));
        }
        if let Some(frames) = self.frame_times {
            app.insert_resource(FrameTimes::new(frames));
            app.add_frame_hook(|world| {
                if let (Some(now), Some(times)) =
                    (monotonic_seconds(), world.get_resource_mut::<FrameTimes>())
                {
                    times.frame_ended(now);
                }
            });
        }
    }
}
