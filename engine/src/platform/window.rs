//! The window: how it is configured, its state as a resource, and the viewport that maps the
//! internal render resolution onto it.

use glam::{UVec2, Vec2};

/// How frames are paced in a windowed run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FramePacing {
    /// One frame per display refresh: `requestAnimationFrame` on the web; natively the
    /// monitor's refresh rate (a GPU surface's vsync present does the same once it exists).
    Vsync,
    /// At most this many frames per second.
    Cap(f64),
    /// As fast as possible.
    Unlimited,
}

/// How the window is made. Zero-effort defaults: 1280x720, resizable, vsync.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowConfig {
    /// Title (desktop) or document title (web).
    pub title: String,
    /// Initial drawable size in logical pixels (scaled by DPI).
    pub size: UVec2,
    /// The resolution the game renders at, scaled to the window with aspect preserved.
    pub internal_resolution: UVec2,
    /// Whether the user may resize the window.
    pub resizable: bool,
    /// Start in borderless fullscreen.
    pub fullscreen: bool,
    /// Frame pacing.
    pub pacing: FramePacing,
    /// Stop running frames while the window is hidden (minimised, a background tab).
    pub pause_when_hidden: bool,
    /// Send [`AppExit`](crate::app::AppExit) when the user closes the window. Turn off to
    /// handle [`WindowEvent::CloseRequested`](super::WindowEvent::CloseRequested) yourself.
    pub exit_on_close: bool,
    /// Web: the id of the canvas to draw into; created and appended to `<body>` if absent.
    pub canvas_id: String,
    /// Longest frame delta the simulation sees, in seconds: a stalled tab or a debugger
    /// becomes one long frame, and FixedUpdate's catch-up cap bounds the steps it runs.
    pub max_delta_seconds: f64,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig {
            title: "Layer-W".to_owned(),
            size: UVec2::new(1280, 720),
            internal_resolution: UVec2::new(1280, 720),
            resizable: true,
            fullscreen: false,
            pacing: FramePacing::Vsync,
            pause_when_hidden: true,
            exit_on_close: true,
            canvas_id: "layerw-canvas".to_owned(),
            max_delta_seconds: 0.25,
        }
    }
}

/// A rectangle of the window, in physical pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// Something the game asks of the window; the runner carries it out after the frame.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum WindowRequest {
    /// Enter (true) or leave borderless fullscreen.
    SetFullscreen(bool),
    /// Grab and hide the cursor (pointer lock on the web), or release it.
    GrabCursor(bool),
    /// Change the title.
    SetTitle(String),
    /// Resize the drawable area (physical pixels).
    Resize(UVec2),
}

/// The window's state, stored on the world as a resource (present in headless runs too, with
/// the configured size, so game code reads it the same way everywhere).
///
/// # Example
/// ```
/// use layerw_engine::platform::Window;
/// use layerw_engine::glam::{UVec2, Vec2};
///
/// // A 640x480 window showing a 1280x720 game: scale 0.5, bars of 60 px top and bottom.
/// let mut window = Window::new(UVec2::new(1280, 720), UVec2::new(640, 480));
/// let view = window.viewport();
/// assert_eq!((view.y, view.width, view.height), (60.0, 640.0, 360.0));
/// assert_eq!(window.to_internal(Vec2::new(320.0, 240.0)), Some(Vec2::new(640.0, 360.0)));
/// assert_eq!(window.to_internal(Vec2::new(320.0, 10.0)), None); // on the bar
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    size: UVec2,
    internal: UVec2,
    scale_factor: f64,
    focused: bool,
    visible: bool,
    fullscreen: bool,
    pub(crate) requests: Vec<WindowRequest>,
}

impl Default for Window {
    fn default() -> Self {
        let config = WindowConfig::default();
        Window::new(config.internal_resolution, config.size)
    }
}

impl Window {
    /// A focused, visible window of `size` physical pixels showing a game rendered at
    /// `internal` (a zero internal dimension counts as 1).
    pub fn new(internal: UVec2, size: UVec2) -> Window {
        Window {
            size,
            internal: internal.max(UVec2::ONE),
            scale_factor: 1.0,
            focused: true,
            visible: true,
            fullscreen: false,
            requests: Vec::new(),
        }
    }

    /// The drawable size in physical pixels (zero while minimised).
    pub fn size(&self) -> UVec2 {
        self.size
    }

    /// The internal render resolution.
    pub fn internal_resolution(&self) -> UVec2 {
        self.internal
    }

    /// The DPI scale (physical pixels per logical pixel).
    pub fn scale_factor(&self) -> f64 {
        self.scale_factor
    }

    /// True while the window has keyboard focus.
    pub fn focused(&self) -> bool {
        self.focused
    }

    /// True while the window can be seen.
    pub fn visible(&self) -> bool {
        self.visible
    }

    /// True in fullscreen.
    pub fn fullscreen(&self) -> bool {
        self.fullscreen
    }

    /// Where the internal image goes in the window: the largest rectangle of the internal
    /// aspect ratio that fits, centred (letterbox or pillarbox bars around it).
    pub fn viewport(&self) -> Viewport {
        let window = self.size.as_vec2();
        let internal = self.internal.as_vec2();
        let scale = (window.x / internal.x).min(window.y / internal.y);
        let fitted = internal * scale;
        let origin = ((window - fitted) * 0.5).round().max(Vec2::ZERO);
        Viewport {
            x: origin.x,
            y: origin.y,
            width: fitted.x,
            height: fitted.y,
        }
    }

    /// A window position (physical pixels) in internal-resolution pixels, or `None` when it is
    /// outside the viewport (on a bar, or the window has no area).
    pub fn to_internal(&self, position: Vec2) -> Option<Vec2> {
        let view = self.viewport();
        if view.width <= 0.0 || view.height <= 0.0 {
            return None;
        }
        let local = position - Vec2::new(view.x, view.y);
        if local.x < 0.0 || local.y < 0.0 || local.x >= view.width || local.y >= view.height {
            return None;
        }
        Some(local * self.internal.as_vec2() / Vec2::new(view.width, view.height))
    }

    /// Asks the runner to do something with the window after this frame.
    pub fn request(&mut self, request: WindowRequest) {
        self.requests.push(request);
    }

    /// Takes the pending requests (runners call this after each frame).
    pub fn take_requests(&mut self) -> Vec<WindowRequest> {
        core::mem::take(&mut self.requests)
    }

    /// Changes the internal render resolution (a zero dimension counts as 1).
    pub fn set_internal_resolution(&mut self, internal: UVec2) {
        self.internal = internal.max(UVec2::ONE);
    }

    /// Applies a window event to the state.
    pub fn apply(&mut self, event: &super::WindowEvent) {
        use super::WindowEvent as E;
        match *event {
            E::Resized { width, height } => self.size = UVec2::new(width, height),
            E::ScaleFactorChanged(scale) if scale.is_finite() && scale > 0.0 => {
                self.scale_factor = scale
            }
            E::Focused(focused) => self.focused = focused,
            E::Visible(visible) => self.visible = visible,
            E::Fullscreen(fullscreen) => self.fullscreen = fullscreen,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::WindowEvent;

    #[test]
    fn pillarbox_and_zero_size() {
        let mut w = Window::new(UVec2::new(1280, 720), UVec2::new(1000, 400));
        let v = w.viewport();
        // Height limits: 400 / 720 -> width 711.1, centred.
        assert!((v.height - 400.0).abs() < 1e-3 && (v.width - 711.111).abs() < 1e-2);
        assert_eq!(v.y, 0.0);
        assert_eq!(w.to_internal(Vec2::new(10.0, 200.0)), None);
        let centre = w
            .to_internal(Vec2::new(v.x + v.width / 2.0, 200.0))
            .unwrap();
        assert!((centre - Vec2::new(640.0, 360.0)).length() < 0.01);
        w.apply(&WindowEvent::Resized {
            width: 0,
            height: 0,
        });
        assert_eq!(w.to_internal(Vec2::ZERO), None);
        w.apply(&WindowEvent::ScaleFactorChanged(f64::NAN));
        assert_eq!(w.scale_factor(), 1.0);
    }
}
