//! Gamepads in the standard mapping: buttons, sticks and analog triggers, deadzones, several
//! pads at once, connect and disconnect.

use core::fmt;

use glam::Vec2;
use serde::{Deserialize, Serialize};

use super::button::ButtonInput;
use super::event::InputEvent;

/// A connected pad's id, stable while it stays connected (the slot number on the web, gilrs'
/// id natively).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GamepadId(pub u32);

/// A button of the standard gamepad layout (W3C "standard" mapping, in its index order). Face
/// buttons are named by position: `South` is A on Xbox pads and Cross on PlayStation pads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GamepadButton {
    /// Bottom face button (index 0).
    South,
    /// Right face button (1).
    East,
    /// Left face button (2).
    West,
    /// Top face button (3).
    North,
    /// Left shoulder (4).
    LeftBumper,
    /// Right shoulder (5).
    RightBumper,
    /// Left trigger, analog (6).
    LeftTrigger,
    /// Right trigger, analog (7).
    RightTrigger,
    /// Select / back / share (8).
    Select,
    /// Start / menu / options (9).
    Start,
    /// Left stick pressed (10).
    LeftStick,
    /// Right stick pressed (11).
    RightStick,
    /// D-pad up (12).
    DPadUp,
    /// D-pad down (13).
    DPadDown,
    /// D-pad left (14).
    DPadLeft,
    /// D-pad right (15).
    DPadRight,
    /// The vendor button (16).
    Mode,
}

impl GamepadButton {
    /// Every button, in standard-mapping index order.
    pub const ALL: [GamepadButton; 17] = [
        GamepadButton::South,
        GamepadButton::East,
        GamepadButton::West,
        GamepadButton::North,
        GamepadButton::LeftBumper,
        GamepadButton::RightBumper,
        GamepadButton::LeftTrigger,
        GamepadButton::RightTrigger,
        GamepadButton::Select,
        GamepadButton::Start,
        GamepadButton::LeftStick,
        GamepadButton::RightStick,
        GamepadButton::DPadUp,
        GamepadButton::DPadDown,
        GamepadButton::DPadLeft,
        GamepadButton::DPadRight,
        GamepadButton::Mode,
    ];

    /// The button's index in the standard mapping.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// An analog axis. Sticks read -1 (left, down) to 1 (right, up); triggers 0 to 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GamepadAxis {
    /// Left stick, horizontal.
    LeftStickX,
    /// Left stick, vertical (up is positive).
    LeftStickY,
    /// Right stick, horizontal.
    RightStickX,
    /// Right stick, vertical (up is positive).
    RightStickY,
    /// Left trigger (the analog value of [`GamepadButton::LeftTrigger`]).
    LeftTrigger,
    /// Right trigger (the analog value of [`GamepadButton::RightTrigger`]).
    RightTrigger,
}

impl GamepadAxis {
    /// The four stick axes, in order (the triggers are button values).
    pub const STICK_AXES: [GamepadAxis; 4] = [
        GamepadAxis::LeftStickX,
        GamepadAxis::LeftStickY,
        GamepadAxis::RightStickX,
        GamepadAxis::RightStickY,
    ];
}

/// One of the two sticks, read as a 2D vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Stick {
    /// The left stick.
    Left,
    /// The right stick.
    Right,
}

/// Why deadzones were refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DeadzoneError {
    /// Each zone must satisfy `0 <= inner < outer <= 1`.
    OutOfRange {
        /// Which setting.
        which: &'static str,
        /// Its inner edge.
        inner: f32,
        /// Its outer edge.
        outer: f32,
    },
    /// The press threshold must be in (0, 1].
    PressThreshold(f32),
}

impl fmt::Display for DeadzoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeadzoneError::OutOfRange {
                which,
                inner,
                outer,
            } => write!(
                f,
                "{which} deadzone must satisfy 0 <= inner < outer <= 1, got inner {inner}, outer {outer}"
            ),
            DeadzoneError::PressThreshold(t) => {
                write!(f, "press threshold must be in (0, 1], got {t}")
            }
        }
    }
}

impl std::error::Error for DeadzoneError {}

/// How raw analog values become game values.
///
/// Sticks use a radial deadzone: a stick vector shorter than `stick_inner` reads zero, one
/// longer than `stick_outer` reads full length, and lengths between are rescaled linearly so
/// the output covers 0 to 1 without a jump. Triggers likewise with `trigger_inner` and
/// `trigger_outer`. An analog button counts as pressed from `press_threshold`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deadzones {
    stick_inner: f32,
    stick_outer: f32,
    trigger_inner: f32,
    trigger_outer: f32,
    press_threshold: f32,
}

impl Default for Deadzones {
    /// Stick 0.15..0.95, trigger 0.05..0.98, press at 0.5.
    fn default() -> Self {
        Deadzones {
            stick_inner: 0.15,
            stick_outer: 0.95,
            trigger_inner: 0.05,
            trigger_outer: 0.98,
            press_threshold: 0.5,
        }
    }
}

fn check_zone(which: &'static str, inner: f32, outer: f32) -> Result<(), DeadzoneError> {
    // Written so NaN fails every comparison.
    if inner >= 0.0 && inner < outer && outer <= 1.0 {
        Ok(())
    } else {
        Err(DeadzoneError::OutOfRange {
            which,
            inner,
            outer,
        })
    }
}

/// Rescales `value` (0..) so `inner` maps to 0 and `outer` to 1, clamped.
fn rescale(value: f32, inner: f32, outer: f32) -> f32 {
    ((value - inner) / (outer - inner)).clamp(0.0, 1.0)
}

impl Deadzones {
    /// Deadzones with these edges, or why they make no sense.
    pub fn new(
        stick: (f32, f32),
        trigger: (f32, f32),
        press_threshold: f32,
    ) -> Result<Deadzones, DeadzoneError> {
        check_zone("stick", stick.0, stick.1)?;
        check_zone("trigger", trigger.0, trigger.1)?;
        if !(press_threshold > 0.0 && press_threshold <= 1.0) {
            return Err(DeadzoneError::PressThreshold(press_threshold));
        }
        Ok(Deadzones {
            stick_inner: stick.0,
            stick_outer: stick.1,
            trigger_inner: trigger.0,
            trigger_outer: trigger.1,
            press_threshold,
        })
    }

    /// A raw stick vector with the radial deadzone applied.
    pub fn apply_stick(&self, raw: Vec2) -> Vec2 {
        let length = raw.length();
        if !length.is_finite() || length <= self.stick_inner {
            return Vec2::ZERO;
        }
        raw / length * rescale(length, self.stick_inner, self.stick_outer)
    }

    /// A raw trigger value (0..1) with the trigger deadzone applied.
    pub fn apply_trigger(&self, raw: f32) -> f32 {
        if raw.is_finite() {
            rescale(raw, self.trigger_inner, self.trigger_outer)
        } else {
            0.0
        }
    }

    /// The analog value from which a button counts as pressed.
    pub fn press_threshold(&self) -> f32 {
        self.press_threshold
    }
}

/// One connected pad.
#[derive(Clone, Debug)]
pub struct Gamepad {
    id: GamepadId,
    name: String,
    buttons: ButtonInput<GamepadButton>,
    button_values: [f32; 17],
    sticks_raw: [f32; 4],
}

impl Gamepad {
    fn new(id: GamepadId, name: String) -> Gamepad {
        Gamepad {
            id,
            name,
            buttons: ButtonInput::default(),
            button_values: [0.0; 17],
            sticks_raw: [0.0; 4],
        }
    }

    /// The pad's id.
    pub fn id(&self) -> GamepadId {
        self.id
    }

    /// The name the platform gives the pad.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True while `button` is held (its value at or above the press threshold).
    pub fn pressed(&self, button: GamepadButton) -> bool {
        self.buttons.pressed(button)
    }

    /// True in the frame `button` went down.
    pub fn just_pressed(&self, button: GamepadButton) -> bool {
        self.buttons.just_pressed(button)
    }

    /// True in the frame `button` went up.
    pub fn just_released(&self, button: GamepadButton) -> bool {
        self.buttons.just_released(button)
    }

    /// The raw analog value of `button`, 0 to 1 (digital buttons read 0 or 1).
    pub fn button_value(&self, button: GamepadButton) -> f32 {
        self.button_values[button.index()]
    }

    /// The raw value of `axis`, before deadzones.
    pub fn axis_raw(&self, axis: GamepadAxis) -> f32 {
        match axis {
            GamepadAxis::LeftTrigger => self.button_value(GamepadButton::LeftTrigger),
            GamepadAxis::RightTrigger => self.button_value(GamepadButton::RightTrigger),
            stick => self.sticks_raw[stick as usize],
        }
    }

    /// A stick, raw.
    pub fn stick_raw(&self, stick: Stick) -> Vec2 {
        match stick {
            Stick::Left => Vec2::new(self.sticks_raw[0], self.sticks_raw[1]),
            Stick::Right => Vec2::new(self.sticks_raw[2], self.sticks_raw[3]),
        }
    }
}

/// Every connected pad and the deadzones, stored on the world as a resource. No pad connected
/// is a normal state, not an error.
#[derive(Clone, Debug, Default)]
pub struct Gamepads {
    // Sorted by id: deterministic iteration.
    pads: Vec<Gamepad>,
    deadzones: Deadzones,
}

impl Gamepads {
    /// The connected pads, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Gamepad> {
        self.pads.iter()
    }

    /// The pad `id`, if connected.
    pub fn get(&self, id: GamepadId) -> Option<&Gamepad> {
        self.index(id).ok().map(|i| &self.pads[i])
    }

    /// How many pads are connected.
    pub fn len(&self) -> usize {
        self.pads.len()
    }

    /// True when no pad is connected.
    pub fn is_empty(&self) -> bool {
        self.pads.is_empty()
    }

    /// The deadzones in force.
    pub fn deadzones(&self) -> Deadzones {
        self.deadzones
    }

    /// Replaces the deadzones.
    pub fn set_deadzones(&mut self, deadzones: Deadzones) {
        self.deadzones = deadzones;
    }

    /// A stick of pad `id` with the deadzone applied (zero when not connected).
    pub fn stick(&self, id: GamepadId, stick: Stick) -> Vec2 {
        self.get(id).map_or(Vec2::ZERO, |pad| {
            self.deadzones.apply_stick(pad.stick_raw(stick))
        })
    }

    /// An axis of pad `id` with deadzones applied (zero when not connected). A stick axis is
    /// the component of the deadzoned stick vector, so diagonals stay round.
    pub fn axis(&self, id: GamepadId, axis: GamepadAxis) -> f32 {
        let Some(pad) = self.get(id) else { return 0.0 };
        match axis {
            GamepadAxis::LeftStickX => self.deadzones.apply_stick(pad.stick_raw(Stick::Left)).x,
            GamepadAxis::LeftStickY => self.deadzones.apply_stick(pad.stick_raw(Stick::Left)).y,
            GamepadAxis::RightStickX => self.deadzones.apply_stick(pad.stick_raw(Stick::Right)).x,
            GamepadAxis::RightStickY => self.deadzones.apply_stick(pad.stick_raw(Stick::Right)).y,
            trigger => self.deadzones.apply_trigger(pad.axis_raw(trigger)),
        }
    }

    fn index(&self, id: GamepadId) -> Result<usize, usize> {
        self.pads.binary_search_by_key(&id, |p| p.id)
    }

    fn pad_mut(&mut self, id: GamepadId) -> &mut Gamepad {
        // A button or axis event from a pad we have not seen connect (its connect event was
        // lost) connects it: the input is real.
        let i = match self.index(id) {
            Ok(i) => i,
            Err(i) => {
                self.pads.insert(i, Gamepad::new(id, String::new()));
                i
            }
        };
        &mut self.pads[i]
    }

    /// Applies one gamepad event; other events are ignored.
    pub fn apply(&mut self, event: &InputEvent) {
        match event {
            InputEvent::GamepadConnected { id, name } => match self.index(*id) {
                Ok(i) => self.pads[i].name.clone_from(name),
                Err(i) => self.pads.insert(i, Gamepad::new(*id, name.clone())),
            },
            InputEvent::GamepadDisconnected { id } => {
                if let Ok(i) = self.index(*id) {
                    self.pads.remove(i);
                }
            }
            InputEvent::GamepadButton { id, button, value } => {
                let threshold = self.deadzones.press_threshold;
                let value = if value.is_finite() {
                    value.clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let pad = self.pad_mut(*id);
                pad.button_values[button.index()] = value;
                if value >= threshold {
                    pad.buttons.press(*button);
                } else {
                    pad.buttons.release(*button);
                }
            }
            InputEvent::GamepadAxis { id, axis, value } => {
                let value = if value.is_finite() {
                    value.clamp(-1.0, 1.0)
                } else {
                    0.0
                };
                let pad = self.pad_mut(*id);
                match axis {
                    GamepadAxis::LeftTrigger => {
                        pad.button_values[GamepadButton::LeftTrigger.index()] = value.max(0.0)
                    }
                    GamepadAxis::RightTrigger => {
                        pad.button_values[GamepadButton::RightTrigger.index()] = value.max(0.0)
                    }
                    stick => pad.sticks_raw[*stick as usize] = value,
                }
            }
            _ => {}
        }
    }

    /// Starts a new frame.
    pub fn end_frame(&mut self) {
        for pad in &mut self.pads {
            pad.buttons.end_frame();
        }
    }
}

/// A polled pad's whole state, as the browser's `navigator.getGamepads()` reports it (polling
/// APIs give states, not events; [`diff_snapshots`] turns them into events).
#[derive(Clone, Debug, PartialEq)]
pub struct GamepadSnapshot {
    /// The pad's id.
    pub id: GamepadId,
    /// Its name.
    pub name: String,
    /// Button values in standard-mapping order (missing buttons read 0).
    pub buttons: [f32; 17],
    /// Stick axes: left x, left y, right x, right y (up positive).
    pub sticks: [f32; 4],
}

/// The events that take a set of pads from `previous` to `current` (both sorted by id):
/// connects, disconnects, and every changed button and stick value, in a deterministic order.
pub fn diff_snapshots(
    previous: &[GamepadSnapshot],
    current: &[GamepadSnapshot],
) -> Vec<InputEvent> {
    let mut events = Vec::new();
    for old in previous {
        if !current.iter().any(|c| c.id == old.id) {
            events.push(InputEvent::GamepadDisconnected { id: old.id });
        }
    }
    for new in current {
        let old = previous.iter().find(|p| p.id == new.id);
        if old.is_none() {
            events.push(InputEvent::GamepadConnected {
                id: new.id,
                name: new.name.clone(),
            });
        }
        for (i, &button) in GamepadButton::ALL.iter().enumerate() {
            let before = old.map_or(0.0, |o| o.buttons[i]);
            if new.buttons[i] != before {
                events.push(InputEvent::GamepadButton {
                    id: new.id,
                    button,
                    value: new.buttons[i],
                });
            }
        }
        for (i, &axis) in GamepadAxis::STICK_AXES.iter().enumerate() {
            let before = old.map_or(0.0, |o| o.sticks[i]);
            if new.sticks[i] != before {
                events.push(InputEvent::GamepadAxis {
                    id: new.id,
                    axis,
                    value: new.sticks[i],
                });
            }
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Vec2, b: Vec2) -> bool {
        (a - b).length() < 1e-5
    }

    #[test]
    fn radial_stick_deadzone() {
        let dz = Deadzones::default();
        assert_eq!(dz.apply_stick(Vec2::new(0.1, 0.1)), Vec2::ZERO);
        assert!(close(dz.apply_stick(Vec2::new(1.0, 0.0)), Vec2::X));
        // Halfway between inner and outer reads 0.5, in the stick's direction.
        let half = dz.apply_stick(Vec2::new(0.0, -0.55));
        assert!(close(half, Vec2::new(0.0, -0.5)), "{half}");
        // Diagonals keep their direction.
        let diag = dz.apply_stick(Vec2::new(0.5, 0.5));
        assert!((diag.x - diag.y).abs() < 1e-6 && diag.x > 0.0);
        assert_eq!(dz.apply_stick(Vec2::new(f32::NAN, 0.0)), Vec2::ZERO);
    }

    #[test]
    fn trigger_deadzone_and_press_threshold() {
        let dz = Deadzones::new((0.2, 0.9), (0.1, 0.9), 0.25).unwrap();
        assert_eq!(dz.apply_trigger(0.05), 0.0);
        assert!((dz.apply_trigger(0.5) - 0.5).abs() < 1e-6);
        assert_eq!(dz.apply_trigger(0.95), 1.0);
        let mut pads = Gamepads::default();
        pads.set_deadzones(dz);
        let id = GamepadId(1);
        pads.apply(&InputEvent::GamepadButton {
            id,
            button: GamepadButton::RightTrigger,
            value: 0.3,
        });
        assert!(pads.get(id).unwrap().pressed(GamepadButton::RightTrigger));
        assert!((pads.axis(id, GamepadAxis::RightTrigger) - 0.25).abs() < 1e-6);
    }

    #[test]
    fn invalid_deadzones_are_refused() {
        assert!(Deadzones::new((0.5, 0.4), (0.0, 1.0), 0.5).is_err());
        assert!(Deadzones::new((0.1, 1.5), (0.0, 1.0), 0.5).is_err());
        assert!(Deadzones::new((f32::NAN, 1.0), (0.0, 1.0), 0.5).is_err());
        assert!(Deadzones::new((0.1, 0.9), (0.0, 1.0), 0.0).is_err());
        let e = Deadzones::new((0.1, 0.9), (0.3, 0.2), 0.5).unwrap_err();
        assert!(e.to_string().contains("trigger"), "{e}");
    }

    #[test]
    fn several_pads_connect_and_disconnect() {
        let mut pads = Gamepads::default();
        assert!(pads.is_empty());
        assert_eq!(pads.stick(GamepadId(0), Stick::Left), Vec2::ZERO);
        for id in [2, 0] {
            pads.apply(&InputEvent::GamepadConnected {
                id: GamepadId(id),
                name: format!("pad {id}"),
            });
        }
        pads.apply(&InputEvent::GamepadAxis {
            id: GamepadId(2),
            axis: GamepadAxis::LeftStickX,
            value: 1.0,
        });
        assert_eq!(pads.iter().map(|p| p.id().0).collect::<Vec<_>>(), [0, 2]);
        assert!(close(pads.stick(GamepadId(2), Stick::Left), Vec2::X));
        assert_eq!(pads.stick(GamepadId(0), Stick::Left), Vec2::ZERO);
        pads.apply(&InputEvent::GamepadDisconnected { id: GamepadId(2) });
        assert_eq!(pads.len(), 1);
        assert_eq!(pads.get(GamepadId(0)).unwrap().name(), "pad 0");
    }

    #[test]
    fn snapshot_diff_reproduces_state() {
        let mut a = GamepadSnapshot {
            id: GamepadId(0),
            name: "pad".into(),
            buttons: [0.0; 17],
            sticks: [0.0; 4],
        };
        let connect = diff_snapshots(&[], std::slice::from_ref(&a));
        assert_eq!(connect.len(), 1);
        let mut b = a.clone();
        b.buttons[GamepadButton::South.index()] = 1.0;
        b.sticks[1] = 0.75;
        let events = diff_snapshots(std::slice::from_ref(&a), std::slice::from_ref(&b));
        assert_eq!(events.len(), 2);
        let mut pads = Gamepads::default();
        for e in connect.iter().chain(&events) {
            pads.apply(e);
        }
        let pad = pads.get(GamepadId(0)).unwrap();
        assert!(pad.pressed(GamepadButton::South));
        assert_eq!(pad.axis_raw(GamepadAxis::LeftStickY), 0.75);
        a = b;
        let gone = diff_snapshots(std::slice::from_ref(&a), &[]);
        assert_eq!(gone, [InputEvent::GamepadDisconnected { id: GamepadId(0) }]);
    }
}
