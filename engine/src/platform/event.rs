//! The typed events a platform produces: input and window events.
//!
//! Runners (winit natively and on the web, the Gamepad API, gilrs, a journal being replayed, a
//! test) push [`PlatformEvent`]s into the app's [`InputQueue`](super::InputQueue); the Input
//! stage applies them to the input state and re-sends them as `Events<InputEvent>` and
//! `Events<WindowEvent>` for systems that want the raw stream.

use glam::Vec2;
use serde::{Deserialize, Serialize};

use super::gamepad::{GamepadAxis, GamepadButton, GamepadId};
use super::keyboard::{KeyCode, LogicalKey};
use super::mouse::MouseButton;
use super::touch::TouchPhase;

/// Whether a key or button went down or up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ButtonState {
    /// It went down.
    Pressed,
    /// It went up.
    Released,
}

/// One input event.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum InputEvent {
    /// A key went down or up.
    Key {
        /// The physical key.
        code: KeyCode,
        /// What it means under the current layout.
        logical: LogicalKey,
        /// Down or up.
        state: ButtonState,
        /// True for the auto-repeats of a held key.
        repeat: bool,
    },
    /// Text was typed (a character key, or an IME commit).
    Text(String),
    /// A mouse button went down or up.
    MouseButton {
        /// Which button.
        button: MouseButton,
        /// Down or up.
        state: ButtonState,
    },
    /// The cursor moved to a window position (physical pixels, origin top left).
    CursorMoved(Vec2),
    /// The cursor left the window.
    CursorLeft,
    /// Raw pointer motion (device units; also while the cursor is grabbed).
    MouseMotion(Vec2),
    /// The wheel turned, in lines (pixel deltas are converted at 20 px per line).
    MouseWheel(Vec2),
    /// A finger touched, moved, lifted or was cancelled.
    Touch {
        /// The finger's id.
        id: u64,
        /// What it did.
        phase: TouchPhase,
        /// Where, in window pixels.
        position: Vec2,
    },
    /// A pad was connected.
    GamepadConnected {
        /// Its id.
        id: GamepadId,
        /// Its name.
        name: String,
    },
    /// A pad was disconnected.
    GamepadDisconnected {
        /// Its id.
        id: GamepadId,
    },
    /// A pad button changed value (0 to 1; digital buttons send 0 or 1).
    GamepadButton {
        /// The pad.
        id: GamepadId,
        /// The button.
        button: GamepadButton,
        /// Its new value.
        value: f32,
    },
    /// A pad axis changed value.
    GamepadAxis {
        /// The pad.
        id: GamepadId,
        /// The axis.
        axis: GamepadAxis,
        /// Its new raw value.
        value: f32,
    },
}

/// One window event.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WindowEvent {
    /// The window's drawable area changed size (physical pixels; zero while minimised).
    Resized {
        /// New width.
        width: u32,
        /// New height.
        height: u32,
    },
    /// The DPI scale changed (moved to another monitor, or the user changed it).
    ScaleFactorChanged(f64),
    /// The window gained (true) or lost (false) keyboard focus.
    Focused(bool),
    /// The window became visible (true) or hidden: minimised, covered, a background tab.
    Visible(bool),
    /// Fullscreen was entered (true) or left.
    Fullscreen(bool),
    /// The user asked to close the window.
    CloseRequested,
}

/// Anything a platform reports: what the [`InputQueue`](super::InputQueue) and the
/// [`Journal`](super::Journal) hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PlatformEvent {
    /// An input event.
    Input(InputEvent),
    /// A window event.
    Window(WindowEvent),
}

impl From<InputEvent> for PlatformEvent {
    fn from(event: InputEvent) -> Self {
        PlatformEvent::Input(event)
    }
}

impl From<WindowEvent> for PlatformEvent {
    fn from(event: WindowEvent) -> Self {
        PlatformEvent::Window(event)
    }
}

impl InputEvent {
    /// A key press with no text meaning (tests, replays built by hand).
    pub fn key_pressed(code: KeyCode) -> InputEvent {
        InputEvent::Key {
            code,
            logical: LogicalKey::Unidentified,
            state: ButtonState::Pressed,
            repeat: false,
        }
    }

    /// A key release with no text meaning.
    pub fn key_released(code: KeyCode) -> InputEvent {
        InputEvent::Key {
            code,
            logical: LogicalKey::Unidentified,
            state: ButtonState::Released,
            repeat: false,
        }
    }
}
