//! Mouse: buttons, cursor position (window and internal resolution), motion and wheel.

use glam::Vec2;
use serde::{Deserialize, Serialize};

use super::button::ButtonInput;

/// A mouse button.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MouseButton {
    /// The primary button.
    Left,
    /// The secondary button.
    Right,
    /// The wheel button.
    Middle,
    /// The "back" side button.
    Back,
    /// The "forward" side button.
    Forward,
    /// Any other button, by platform number.
    Other(u16),
}

/// The mouse's state this frame, stored on the world as a resource.
#[derive(Clone, Debug, Default)]
pub struct Mouse {
    pub(crate) buttons: ButtonInput<MouseButton>,
    pub(crate) position: Option<Vec2>,
    pub(crate) internal_position: Option<Vec2>,
    pub(crate) motion: Vec2,
    pub(crate) wheel: Vec2,
    pub(crate) grabbed: bool,
}

impl Mouse {
    /// True while `button` is held.
    pub fn pressed(&self, button: MouseButton) -> bool {
        self.buttons.pressed(button)
    }

    /// True in the frame `button` went down.
    pub fn just_pressed(&self, button: MouseButton) -> bool {
        self.buttons.just_pressed(button)
    }

    /// True in the frame `button` went up.
    pub fn just_released(&self, button: MouseButton) -> bool {
        self.buttons.just_released(button)
    }

    /// The cursor in window pixels (physical, origin top left); `None` while outside the window.
    pub fn position(&self) -> Option<Vec2> {
        self.position
    }

    /// The cursor in internal-resolution pixels (what the game renders at, e.g. 1280x720,
    /// origin top left); `None` while outside the window or on the letterbox bars.
    pub fn internal_position(&self) -> Option<Vec2> {
        self.internal_position
    }

    /// Raw pointer motion this frame (device units; it keeps coming while the cursor is grabbed).
    pub fn motion(&self) -> Vec2 {
        self.motion
    }

    /// Wheel movement this frame, in lines (positive y scrolls up / away from the user).
    pub fn wheel(&self) -> Vec2 {
        self.wheel
    }

    /// True while the cursor is grabbed (pointer lock on the web).
    pub fn grabbed(&self) -> bool {
        self.grabbed
    }

    /// Starts a new frame: forgets this frame's presses, releases, motion and wheel.
    pub fn end_frame(&mut self) {
        self.buttons.end_frame();
        self.motion = Vec2::ZERO;
        self.wheel = Vec2::ZERO;
    }
}
