//! Desktop specifics of the windowed runner: the monotonic clock and gilrs gamepads.

use std::time::{Duration, Instant};

use super::event::InputEvent;
use super::gamepad::{GamepadAxis, GamepadButton, GamepadId};

/// Seconds since the run started.
pub(crate) struct Clock(Instant);

impl Clock {
    pub(crate) fn start() -> Clock {
        Clock(Instant::now())
    }

    pub(crate) fn seconds(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }

    pub(crate) fn instant_at(&self, seconds: f64) -> Instant {
        self.0 + Duration::from_secs_f64(seconds.max(0.0))
    }
}

/// Desktop gamepads through gilrs. If gilrs cannot start (no udev, say) there are simply no
/// pads: a warning, not an error.
pub(crate) struct GamepadSource {
    gilrs: Option<gilrs::Gilrs>,
    announced: bool,
}

impl GamepadSource {
    pub(crate) fn new() -> GamepadSource {
        let gilrs = match gilrs::Gilrs::new() {
            Ok(gilrs) => Some(gilrs),
            Err(gilrs::Error::NotImplemented(gilrs)) => Some(gilrs),
            Err(e) => {
                tracing::warn!("gamepads unavailable: {e}");
                None
            }
        };
        GamepadSource {
            gilrs,
            announced: false,
        }
    }

    /// The gamepad events since the last poll (the pads already connected, the first time).
    pub(crate) fn poll(&mut self) -> Vec<InputEvent> {
        let Some(gilrs) = &mut self.gilrs else {
            return Vec::new();
        };
        let mut events = Vec::new();
        if !self.announced {
            self.announced = true;
            for (id, pad) in gilrs.gamepads() {
                events.push(InputEvent::GamepadConnected {
                    id: pad_id(id),
                    name: pad.name().to_owned(),
                });
            }
        }
        while let Some(gilrs::Event { id, event, .. }) = gilrs.next_event() {
            let pad = pad_id(id);
            match event {
                gilrs::EventType::Connected => events.push(InputEvent::GamepadConnected {
                    id: pad,
                    name: gilrs.gamepad(id).name().to_owned(),
                }),
                gilrs::EventType::Disconnected => {
                    events.push(InputEvent::GamepadDisconnected { id: pad })
                }
                gilrs::EventType::ButtonChanged(button, value, _) => {
                    if let Some(button) = map_button(button) {
                        events.push(InputEvent::GamepadButton {
                            id: pad,
                            button,
                            value,
                        });
                    }
                }
                gilrs::EventType::AxisChanged(axis, value, _) => {
                    if let Some(axis) = map_axis(axis) {
                        events.push(InputEvent::GamepadAxis {
                            id: pad,
                            axis,
                            value,
                        });
                    }
                }
                _ => {}
            }
        }
        events
    }
}

fn pad_id(id: gilrs::GamepadId) -> GamepadId {
    GamepadId(usize::from(id) as u32)
}

/// gilrs names triggers by row: `LeftTrigger` is the bumper, `LeftTrigger2` the trigger.
fn map_button(button: gilrs::Button) -> Option<GamepadButton> {
    use gilrs::Button as B;
    Some(match button {
        B::South => GamepadButton::South,
        B::East => GamepadButton::East,
        B::West => GamepadButton::West,
        B::North => GamepadButton::North,
        B::LeftTrigger => GamepadButton::LeftBumper,
        B::RightTrigger => GamepadButton::RightBumper,
        B::LeftTrigger2 => GamepadButton::LeftTrigger,
        B::RightTrigger2 => GamepadButton::RightTrigger,
        B::Select => GamepadButton::Select,
        B::Start => GamepadButton::Start,
        B::LeftThumb => GamepadButton::LeftStick,
        B::RightThumb => GamepadButton::RightStick,
        B::DPadUp => GamepadButton::DPadUp,
        B::DPadDown => GamepadButton::DPadDown,
        B::DPadLeft => GamepadButton::DPadLeft,
        B::DPadRight => GamepadButton::DPadRight,
        B::Mode => GamepadButton::Mode,
        B::C | B::Z | B::Unknown => return None,
    })
}

fn map_axis(axis: gilrs::Axis) -> Option<GamepadAxis> {
    use gilrs::Axis as A;
    Some(match axis {
        A::LeftStickX => GamepadAxis::LeftStickX,
        A::LeftStickY => GamepadAxis::LeftStickY,
        A::RightStickX => GamepadAxis::RightStickX,
        A::RightStickY => GamepadAxis::RightStickY,
        A::LeftZ => GamepadAxis::LeftTrigger,
        A::RightZ => GamepadAxis::RightTrigger,
        A::DPadX | A::DPadY | A::Unknown => return None,
    })
}
