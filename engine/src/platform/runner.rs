//! The windowed runner: winit's event loop drives the app, natively (X11, Wayland, Windows,
//! macOS) and in the browser (requestAnimationFrame), with the same code.
//!
//! winit events become [`PlatformEvent`]s on the app's [`InputQueue`](super::InputQueue);
//! each frame polls the gamepads (gilrs natively, the Gamepad API on the web), runs
//! [`App::update`] and the frame hooks, then carries out the game's
//! [`WindowRequest`]s.

use std::sync::Arc;

use glam::Vec2;
use winit::application::ApplicationHandler;
use winit::dpi::{LogicalSize, PhysicalSize};
use winit::event::{DeviceEvent, DeviceId, ElementState, MouseScrollDelta};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::{Key, PhysicalKey};
use winit::window::{CursorGrabMode, Fullscreen, WindowId};

use super::event::{ButtonState, InputEvent, PlatformEvent, WindowEvent};
use super::keyboard::{KeyCode, LogicalKey, from_winit};
use super::mouse::MouseButton;
use super::touch::TouchPhase;
use super::window::{FramePacing, Window, WindowConfig, WindowRequest};
use crate::app::{App, RunError, RunReport, StopReason};

#[cfg(not(target_arch = "wasm32"))]
use super::native::{Clock, GamepadSource};
#[cfg(target_arch = "wasm32")]
use super::web::{Clock, GamepadSource};

/// The winit window of a windowed run, stored on the world as a resource once it exists (a
/// renderer makes its surface from it; frame hooks can draw into it).
#[derive(Clone, Debug)]
pub struct WinitWindow(pub Arc<winit::window::Window>);

/// Pixel wheel deltas (touchpads, browsers) count this many pixels per line.
const PIXELS_PER_LINE: f32 = 20.0;

struct Runner {
    app: App,
    config: WindowConfig,
    window: Option<Arc<winit::window::Window>>,
    clock: Clock,
    pads: Option<GamepadSource>,
    last_frame: Option<f64>,
    next_frame: Option<f64>,
    min_frame: Option<f64>,
    exits: usize,
    report: RunReport,
    error: Option<RunError>,
}

pub(crate) fn run(app: App, config: WindowConfig) -> Result<RunReport, RunError> {
    let event_loop = EventLoop::new().map_err(|e| RunError::EventLoop(e.to_string()))?;
    let min_frame = match config.pacing {
        FramePacing::Cap(fps) if fps.is_finite() && fps > 0.0 => Some(1.0 / fps),
        _ => None,
    };
    let exits = app.exits_sent();
    let runner = Runner {
        app,
        config,
        window: None,
        clock: Clock::start(),
        pads: None,
        last_frame: None,
        next_frame: None,
        min_frame,
        exits,
        report: RunReport {
            frames: 0,
            simulated_seconds: 0.0,
            reason: StopReason::ExitRequested,
        },
        error: None,
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut runner = runner;
        event_loop
            .run_app(&mut runner)
            .map_err(|e| RunError::EventLoop(e.to_string()))?;
        match runner.error {
            Some(error) => Err(error),
            None => Ok(runner.report),
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        use winit::platform::web::EventLoopExtWebSys;
        event_loop.spawn_app(runner);
        Ok(RunReport {
            frames: 0,
            simulated_seconds: 0.0,
            reason: StopReason::HandedToBrowser,
        })
    }
}

impl Runner {
    fn push(&mut self, event: impl Into<PlatformEvent>) {
        let at = self.clock.seconds();
        self.app.push_event_at(at, event);
    }

    fn paused(&self) -> bool {
        self.config.pause_when_hidden && !self.app.world().resource::<Window>().visible()
    }

    fn create_window(&mut self, event_loop: &ActiveEventLoop) -> Result<(), RunError> {
        let mut attributes = winit::window::Window::default_attributes()
            .with_title(self.config.title.clone())
            .with_resizable(self.config.resizable);
        if self.config.fullscreen {
            attributes = attributes.with_fullscreen(Some(Fullscreen::Borderless(None)));
        }
        #[cfg(target_arch = "wasm32")]
        {
            use winit::platform::web::WindowAttributesExtWebSys;
            let (canvas, created) =
                super::web::canvas(&self.config.canvas_id).map_err(RunError::Window)?;
            if created {
                attributes = attributes
                    .with_inner_size(LogicalSize::new(self.config.size.x, self.config.size.y));
            }
            attributes = attributes
                .with_canvas(Some(canvas))
                .with_prevent_default(true)
                .with_focusable(true);
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            attributes = attributes
                .with_inner_size(LogicalSize::new(self.config.size.x, self.config.size.y));
        }
        let window = Arc::new(
            event_loop
                .create_window(attributes)
                .map_err(|e| RunError::Window(e.to_string()))?,
        );
        let PhysicalSize { width, height } = window.inner_size();
        self.push(WindowEvent::ScaleFactorChanged(window.scale_factor()));
        self.push(WindowEvent::Resized { width, height });
        if matches!(self.config.pacing, FramePacing::Vsync) {
            // No GPU surface to block on yet: pace at the monitor's refresh rate natively (the
            // browser's animation frames already are).
            #[cfg(not(target_arch = "wasm32"))]
            {
                let hz = window
                    .current_monitor()
                    .and_then(|m| m.refresh_rate_millihertz())
                    .map_or(60.0, |mhz| f64::from(mhz) / 1000.0);
                self.min_frame = Some(1.0 / hz.max(1.0));
            }
        }
        self.app
            .world_mut()
            .insert_resource(WinitWindow(window.clone()));
        window.request_redraw();
        self.window = Some(window);
        Ok(())
    }

    fn frame(&mut self, event_loop: &ActiveEventLoop) {
        let now = self.clock.seconds();
        if let Some(next) = self.next_frame
            && now < next
        {
            return;
        }
        self.next_frame = self.min_frame.map(|min| {
            // Keep the cadence; after a stall, restart it from now.
            let next = self.next_frame.unwrap_or(now) + min;
            if next < now { now + min } else { next }
        });
        let delta = self
            .last_frame
            .map_or(1.0 / 60.0, |last| now - last)
            .clamp(0.0, self.config.max_delta_seconds);
        self.last_frame = Some(now);
        if let Some(pads) = &mut self.pads {
            for event in pads.poll() {
                self.app.push_event_at(now, event);
            }
        }
        self.app.update(delta);
        self.app.run_frame_hooks();
        self.report.frames += 1;
        self.report.simulated_seconds += delta;
        let requests = self
            .app
            .world_mut()
            .resource_mut::<Window>()
            .take_requests();
        for request in requests {
            self.carry_out(request);
        }
        if self.app.exit_sent_since(self.exits) {
            event_loop.exit();
        }
    }

    fn redraw(&mut self, event_loop: &ActiveEventLoop) {
        if !self.paused() {
            self.frame(event_loop);
        }
        // The browser paces redraws with requestAnimationFrame; natively `about_to_wait`
        // schedules them.
        #[cfg(target_arch = "wasm32")]
        if let Some(window) = &self.window {
            window.request_redraw();
        }
    }

    fn carry_out(&mut self, request: WindowRequest) {
        let Some(window) = self.window.clone() else {
            return;
        };
        match request {
            WindowRequest::SetFullscreen(on) => {
                window.set_fullscreen(on.then_some(Fullscreen::Borderless(None)));
                self.push(WindowEvent::Fullscreen(on));
            }
            WindowRequest::GrabCursor(grab) => {
                let grabbed = if grab {
                    // Locked (pointer lock) where supported, else confined to the window.
                    window
                        .set_cursor_grab(CursorGrabMode::Locked)
                        .or_else(|_| window.set_cursor_grab(CursorGrabMode::Confined))
                        .is_ok()
                } else {
                    let _ = window.set_cursor_grab(CursorGrabMode::None);
                    false
                };
                window.set_cursor_visible(!grabbed);
                self.app.world_mut().resource_mut::<super::Mouse>().grabbed = grabbed;
            }
            WindowRequest::SetTitle(title) => window.set_title(&title),
            WindowRequest::Resize(size) => {
                let _ = window.request_inner_size(PhysicalSize::new(size.x, size.y));
            }
        }
    }
}

impl ApplicationHandler for Runner {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.window.is_some() {
            return;
        }
        if let Err(error) = self.create_window(event_loop) {
            tracing::error!("{error}");
            self.error = Some(error);
            event_loop.exit();
            return;
        }
        if self.pads.is_none() {
            let mut pads = GamepadSource::new();
            for event in pads.poll() {
                self.push(event);
            }
            self.pads = Some(pads);
        }
    }

    fn window_event(
        &mut self,
        event_loop: &ActiveEventLoop,
        _window: WindowId,
        event: winit::event::WindowEvent,
    ) {
        use winit::event::WindowEvent as W;
        match event {
            W::RedrawRequested => self.redraw(event_loop),
            W::CloseRequested => self.push(WindowEvent::CloseRequested),
            W::Resized(size) => self.push(WindowEvent::Resized {
                width: size.width,
                height: size.height,
            }),
            W::ScaleFactorChanged { scale_factor, .. } => {
                self.push(WindowEvent::ScaleFactorChanged(scale_factor))
            }
            W::Focused(focused) => self.push(WindowEvent::Focused(focused)),
            W::Occluded(occluded) => {
                self.push(WindowEvent::Visible(!occluded));
                // A hidden window runs no frames, so apply the state now: the runner reads it.
                self.app
                    .world_mut()
                    .resource_mut::<Window>()
                    .apply(&WindowEvent::Visible(!occluded));
                if !occluded {
                    self.last_frame = None;
                }
            }
            W::KeyboardInput { event, .. } => {
                let code = match event.physical_key {
                    PhysicalKey::Code(code) => from_winit(code),
                    PhysicalKey::Unidentified(_) => KeyCode::Unidentified,
                };
                let logical = match &event.logical_key {
                    Key::Character(text) => LogicalKey::Character(text.to_string()),
                    Key::Named(named) => LogicalKey::Named(format!("{named:?}")),
                    Key::Dead(_) | Key::Unidentified(_) => LogicalKey::Unidentified,
                };
                let state = button_state(event.state);
                self.push(InputEvent::Key {
                    code,
                    logical,
                    state,
                    repeat: event.repeat,
                });
                if state == ButtonState::Pressed
                    && let Some(text) = event.text.filter(|t| !t.chars().any(char::is_control))
                {
                    self.push(InputEvent::Text(text.to_string()));
                }
            }
            W::Ime(winit::event::Ime::Commit(text)) => self.push(InputEvent::Text(text)),
            W::CursorMoved { position, .. } => self.push(InputEvent::CursorMoved(Vec2::new(
                position.x as f32,
                position.y as f32,
            ))),
            W::CursorLeft { .. } => self.push(InputEvent::CursorLeft),
            W::MouseInput { state, button, .. } => self.push(InputEvent::MouseButton {
                button: mouse_button(button),
                state: button_state(state),
            }),
            W::MouseWheel { delta, .. } => {
                let lines = match delta {
                    MouseScrollDelta::LineDelta(x, y) => Vec2::new(x, y),
                    MouseScrollDelta::PixelDelta(p) => {
                        Vec2::new(p.x as f32, p.y as f32) / PIXELS_PER_LINE
                    }
                };
                self.push(InputEvent::MouseWheel(lines));
            }
            W::Touch(touch) => self.push(InputEvent::Touch {
                id: touch.id,
                phase: match touch.phase {
                    winit::event::TouchPhase::Started => TouchPhase::Started,
                    winit::event::TouchPhase::Moved => TouchPhase::Moved,
                    winit::event::TouchPhase::Ended => TouchPhase::Ended,
                    winit::event::TouchPhase::Cancelled => TouchPhase::Cancelled,
                },
                position: Vec2::new(touch.location.x as f32, touch.location.y as f32),
            }),
            _ => {}
        }
    }

    fn device_event(&mut self, _: &ActiveEventLoop, _: DeviceId, event: DeviceEvent) {
        if let DeviceEvent::MouseMotion { delta } = event {
            self.push(InputEvent::MouseMotion(Vec2::new(
                delta.0 as f32,
                delta.1 as f32,
            )));
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let Some(window) = &self.window else { return };
            if self.paused() {
                event_loop.set_control_flow(ControlFlow::Wait);
                return;
            }
            match self.next_frame {
                Some(next) if next > self.clock.seconds() => {
                    event_loop
                        .set_control_flow(ControlFlow::WaitUntil(self.clock.instant_at(next)));
                }
                _ => {
                    event_loop.set_control_flow(ControlFlow::Poll);
                    window.request_redraw();
                }
            }
        }
        #[cfg(target_arch = "wasm32")]
        let _ = (event_loop, ControlFlow::Poll);
    }
}

fn button_state(state: ElementState) -> ButtonState {
    match state {
        ElementState::Pressed => ButtonState::Pressed,
        ElementState::Released => ButtonState::Released,
    }
}

fn mouse_button(button: winit::event::MouseButton) -> MouseButton {
    use winit::event::MouseButton as M;
    match button {
        M::Left => MouseButton::Left,
        M::Right => MouseButton::Right,
        M::Middle => MouseButton::Middle,
        M::Back => MouseButton::Back,
        M::Forward => MouseButton::Forward,
        M::Other(n) => MouseButton::Other(n),
    }
}
