//! Actions: a game-defined enum of things the player does, bound to keys, mouse buttons, pad
//! buttons, axes and composites, read as one state per action.

use core::fmt::Debug;
use core::hash::Hash;

use glam::Vec2;
use serde::{Deserialize, Serialize};

use super::gamepad::{GamepadAxis, GamepadButton, Gamepads, Stick};
use super::keyboard::{KeyCode, Keyboard};
use super::mouse::{Mouse, MouseButton};
use super::{ButtonState, InputEvent};

/// A game's set of actions: usually a fieldless enum, with the impl derived.
///
/// # Example
/// `#[derive(Action)]` lists the variants in `ALL` and names each in snake_case, unless
/// `#[action(name = "...")]` says otherwise (names are what bindings files use, so keep them
/// stable across versions of the game).
/// ```
/// use layerw_engine::platform::Action;
///
/// #[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// enum Play {
///     Move,
///     GrabCursor,
///     #[action(name = "shoot")]
///     Fire,
/// }
///
/// assert_eq!(Play::ALL, &[Play::Move, Play::GrabCursor, Play::Fire]);
/// assert_eq!(Play::GrabCursor.name(), "grab_cursor");
/// assert_eq!(Play::from_name("shoot"), Some(Play::Fire));
/// ```
/// Written by hand, the same impl is:
/// ```
/// use layerw_engine::platform::Action;
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// enum Play { Move, Jump }
///
/// impl Action for Play {
///     const ALL: &'static [Self] = &[Play::Move, Play::Jump];
///     fn name(self) -> &'static str {
///         match self { Play::Move => "move", Play::Jump => "jump" }
///     }
/// }
/// ```
/// The derive refuses a struct (an action set is a list of variants):
/// ```compile_fail
/// use layerw_engine::platform::Action;
///
/// #[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// struct Jump;
/// ```
/// a variant with fields:
/// ```compile_fail
/// use layerw_engine::platform::Action;
///
/// #[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// enum Play { Move, Aim(u8) }
/// ```
/// and two variants with one name:
/// ```compile_fail
/// use layerw_engine::platform::Action;
///
/// #[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// enum Play { Jump, #[action(name = "jump")] Hop }
/// ```
pub trait Action: Copy + Eq + Hash + Debug + Send + Sync + 'static {
    /// Every action, in a fixed order.
    const ALL: &'static [Self];

    /// The action's name in bindings files (unique, stable across versions of the game).
    fn name(self) -> &'static str;

    /// The action named `name`.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }
}

/// Which half of an axis a button-like binding reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AxisDirection {
    /// Values above zero.
    Positive,
    /// Values below zero (read as positive magnitudes).
    Negative,
}

/// One input an action listens to. Every binding reads a 2D value: buttons read `(1, 0)` while
/// held, 1D axes `(v, 0)`, composites and sticks a full vector.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// A key.
    Key(KeyCode),
    /// A mouse button.
    Mouse(MouseButton),
    /// A pad button (on any pad), read as its analog value.
    GamepadButton(GamepadButton),
    /// A whole pad axis, -1 to 1 (deadzoned).
    GamepadAxis(GamepadAxis),
    /// One direction of a pad axis, 0 to 1 (stick pushed right as a "turn right" button).
    GamepadAxisDirection {
        /// The axis.
        axis: GamepadAxis,
        /// Which half.
        direction: AxisDirection,
    },
    /// A whole stick as a 2D value (deadzoned).
    Stick(Stick),
    /// Two keys as a 1D axis: `negative` reads -1, `positive` +1, both 0.
    KeyAxis {
        /// The key for -1.
        negative: KeyCode,
        /// The key for +1.
        positive: KeyCode,
    },
    /// Four keys as a 2D axis (WASD), with diagonals normalised to length 1.
    KeyAxis2d {
        /// +y.
        up: KeyCode,
        /// -y.
        down: KeyCode,
        /// -x.
        left: KeyCode,
        /// +x.
        right: KeyCode,
    },
}

impl Binding {
    /// WASD as a 2D axis.
    pub const WASD: Binding = Binding::KeyAxis2d {
        up: KeyCode::KeyW,
        down: KeyCode::KeyS,
        left: KeyCode::KeyA,
        right: KeyCode::KeyD,
    };

    /// The arrow keys as a 2D axis.
    pub const ARROWS: Binding = Binding::KeyAxis2d {
        up: KeyCode::ArrowUp,
        down: KeyCode::ArrowDown,
        left: KeyCode::ArrowLeft,
        right: KeyCode::ArrowRight,
    };

    /// The binding an input event would make, for "press the key to bind" menus: a key or
    /// mouse button going down, a pad button pressed past half, a stick axis pushed past
    /// half. Other events give `None`.
    pub fn from_event(event: &InputEvent) -> Option<Binding> {
        match *event {
            InputEvent::Key {
                code,
                state: ButtonState::Pressed,
                repeat: false,
                ..
            } if code != KeyCode::Unidentified => Some(Binding::Key(code)),
            InputEvent::MouseButton {
                button,
                state: ButtonState::Pressed,
            } => Some(Binding::Mouse(button)),
            InputEvent::GamepadButton { button, value, .. } if value >= 0.5 => {
                Some(Binding::GamepadButton(button))
            }
            InputEvent::GamepadAxis { axis, value, .. } if value.abs() >= 0.5 => {
                Some(Binding::GamepadAxisDirection {
                    axis,
                    direction: if value > 0.0 {
                        AxisDirection::Positive
                    } else {
                        AxisDirection::Negative
                    },
                })
            }
            _ => None,
        }
    }

    /// The binding's value from the current input state.
    pub fn value(&self, keyboard: &Keyboard, mouse: &Mouse, pads: &Gamepads) -> Vec2 {
        // A tap shorter than a frame (down and up between two frames) still reads as held for
        // that frame, so the action sees it.
        let key = |k: KeyCode| {
            if keyboard.pressed(k) || keyboard.just_pressed(k) {
                1.0
            } else {
                0.0
            }
        };
        // The strongest reading over every connected pad.
        let strongest = |read: &dyn Fn(&Gamepads, super::GamepadId) -> Vec2| {
            pads.iter()
                .map(|p| read(pads, p.id()))
                .fold(Vec2::ZERO, stronger)
        };
        match self {
            Binding::Key(k) => Vec2::new(key(*k), 0.0),
            Binding::Mouse(b) => {
                let held = mouse.pressed(*b) || mouse.just_pressed(*b);
                Vec2::new(if held { 1.0 } else { 0.0 }, 0.0)
            }
            Binding::GamepadButton(b) => strongest(&|pads, id| {
                Vec2::new(pads.get(id).map_or(0.0, |p| p.button_value(*b)), 0.0)
            }),
            Binding::GamepadAxis(axis) => {
                strongest(&|pads, id| Vec2::new(pads.axis(id, *axis), 0.0))
            }
            Binding::GamepadAxisDirection { axis, direction } => strongest(&|pads, id| {
                let v = pads.axis(id, *axis);
                let v = match direction {
                    AxisDirection::Positive => v.max(0.0),
                    AxisDirection::Negative => (-v).max(0.0),
                };
                Vec2::new(v, 0.0)
            }),
            Binding::Stick(stick) => strongest(&|pads, id| pads.stick(id, *stick)),
            Binding::KeyAxis { negative, positive } => {
                Vec2::new(key(*positive) - key(*negative), 0.0)
            }
            Binding::KeyAxis2d {
                up,
                down,
                left,
                right,
            } => Vec2::new(key(*right) - key(*left), key(*up) - key(*down)).normalize_or_zero(),
        }
    }
}

/// The longer of two values; on a tie the first (the earlier binding, the lower pad id).
fn stronger(best: Vec2, value: Vec2) -> Vec2 {
    if value.length_squared() > best.length_squared() {
        value
    } else {
        best
    }
}

/// The bindings of every action of `A`, stored on the world as a resource: rebind at run time
/// by writing it; save and load it with [`to_json`](Self::to_json) /
/// [`load_json`](Self::load_json) (see [`bindings`](super::bindings)).
#[derive(Clone, Debug, PartialEq)]
pub struct ActionMap<A: Action> {
    // Indexed like A::ALL: deterministic and allocation-free lookups.
    pub(crate) bindings: Vec<Vec<Binding>>,
    press_threshold: f32,
    _actions: core::marker::PhantomData<A>,
}

impl<A: Action> Default for ActionMap<A> {
    fn default() -> Self {
        ActionMap {
            bindings: vec![Vec::new(); A::ALL.len()],
            press_threshold: 0.5,
            _actions: core::marker::PhantomData,
        }
    }
}

pub(crate) fn slot<A: Action>(action: A) -> usize {
    A::ALL
        .iter()
        .position(|a| *a == action)
        .expect("Action::ALL must list every action")
}

impl<A: Action> ActionMap<A> {
    /// A map with no bindings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `binding` to `action` (builder form).
    pub fn with(mut self, action: A, binding: Binding) -> Self {
        self.bind(action, binding);
        self
    }

    /// Adds `binding` to `action`'s bindings (a binding already there is not added twice).
    pub fn bind(&mut self, action: A, binding: Binding) {
        let list = &mut self.bindings[slot(action)];
        if !list.contains(&binding) {
            list.push(binding);
        }
    }

    /// Replaces every binding of `action` (rebinding).
    pub fn set(&mut self, action: A, bindings: Vec<Binding>) {
        self.bindings[slot(action)] = bindings;
    }

    /// Removes every binding of `action`.
    pub fn clear(&mut self, action: A) {
        self.bindings[slot(action)].clear();
    }

    /// The bindings of `action`.
    pub fn bindings(&self, action: A) -> &[Binding] {
        &self.bindings[slot(action)]
    }

    /// The magnitude from which an action counts as pressed (default 0.5).
    pub fn press_threshold(&self) -> f32 {
        self.press_threshold
    }

    /// Sets the press threshold (clamped to a small positive minimum, so a released stick never
    /// counts as pressed).
    pub fn set_press_threshold(&mut self, threshold: f32) {
        self.press_threshold = if threshold.is_finite() {
            threshold.max(1e-3)
        } else {
            0.5
        };
    }

    /// `action`'s value now: the strongest of its bindings (ties go to the first listed).
    pub fn value(&self, action: A, keyboard: &Keyboard, mouse: &Mouse, pads: &Gamepads) -> Vec2 {
        self.bindings(action)
            .iter()
            .map(|b| b.value(keyboard, mouse, pads))
            .fold(Vec2::ZERO, stronger)
    }
}

/// One action's state this frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ActionValue {
    /// The value: `x` for buttons and 1D axes, `x, y` for 2D axes.
    pub value: Vec2,
    /// Held: the value's length reaches the press threshold.
    pub pressed: bool,
    /// Became held this frame.
    pub just_pressed: bool,
    /// Stopped being held this frame.
    pub just_released: bool,
}

/// Every action's state this frame, stored on the world as a resource and updated by the Input
/// stage from [`ActionMap<A>`] and the keyboard, mouse and pads.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionState<A: Action> {
    values: Vec<ActionValue>,
    _actions: core::marker::PhantomData<A>,
}

impl<A: Action> Default for ActionState<A> {
    fn default() -> Self {
        ActionState {
            values: vec![ActionValue::default(); A::ALL.len()],
            _actions: core::marker::PhantomData,
        }
    }
}

impl<A: Action> ActionState<A> {
    /// The whole state of `action`.
    pub fn get(&self, action: A) -> ActionValue {
        self.values[slot(action)]
    }

    /// True while `action` is held.
    pub fn pressed(&self, action: A) -> bool {
        self.get(action).pressed
    }

    /// True in the frame `action` became held.
    pub fn just_pressed(&self, action: A) -> bool {
        self.get(action).just_pressed
    }

    /// True in the frame `action` stopped being held.
    pub fn just_released(&self, action: A) -> bool {
        self.get(action).just_released
    }

    /// `action` as a 1D value (`x`).
    pub fn value(&self, action: A) -> f32 {
        self.get(action).value.x
    }

    /// `action` as a 2D value.
    pub fn axis2d(&self, action: A) -> Vec2 {
        self.get(action).value
    }

    /// Sets the whole state of `action` (a network server applies a player's decoded input
    /// this way).
    pub fn set(&mut self, action: A, value: ActionValue) {
        self.values[slot(action)] = value;
    }

    /// Recomputes every action from the input state.
    pub fn update(
        &mut self,
        map: &ActionMap<A>,
        keyboard: &Keyboard,
        mouse: &Mouse,
        pads: &Gamepads,
    ) {
        for (i, &action) in A::ALL.iter().enumerate() {
            let value = map.value(action, keyboard, mouse, pads);
            let pressed = value.length() >= map.press_threshold();
            let was = self.values[i].pressed;
            self.values[i] = ActionValue {
                value,
                pressed,
                just_pressed: pressed && !was,
                just_released: was && !pressed,
            };
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::platform::GamepadId;
    use layerw_macros::Action;

    #[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub(crate) enum Play {
        Move,
        Jump,
        Fire,
        Steer,
    }

    pub(crate) fn defaults() -> ActionMap<Play> {
        ActionMap::new()
            .with(Play::Move, Binding::WASD)
            .with(Play::Move, Binding::Stick(Stick::Left))
            .with(Play::Jump, Binding::Key(KeyCode::Space))
            .with(Play::Jump, Binding::GamepadButton(GamepadButton::South))
            .with(Play::Fire, Binding::Mouse(MouseButton::Left))
            .with(Play::Fire, Binding::GamepadAxis(GamepadAxis::RightTrigger))
            .with(
                Play::Steer,
                Binding::KeyAxis {
                    negative: KeyCode::KeyQ,
                    positive: KeyCode::KeyE,
                },
            )
    }

    #[test]
    fn composite_wasd_normalises_diagonals() {
        let map = defaults();
        let (mut kb, mouse, pads) = (Keyboard::default(), Mouse::default(), Gamepads::default());
        kb.press(KeyCode::KeyW);
        kb.press(KeyCode::KeyD);
        let v = map.value(Play::Move, &kb, &mouse, &pads);
        assert!((v.length() - 1.0).abs() < 1e-6 && v.x > 0.0 && v.y > 0.0);
        kb.press(KeyCode::KeyA); // left and right cancel
        let v = map.value(Play::Move, &kb, &mouse, &pads);
        assert_eq!(v, Vec2::Y);
        kb.press(KeyCode::KeyQ);
        assert_eq!(
            map.value(Play::Steer, &kb, &mouse, &pads),
            Vec2::new(-1.0, 0.0)
        );
    }

    #[test]
    fn strongest_binding_wins_and_state_edges() {
        let map = defaults();
        let (kb, mut mouse, mut pads) =
            (Keyboard::default(), Mouse::default(), Gamepads::default());
        let mut state = ActionState::<Play>::default();
        state.update(&map, &kb, &mouse, &pads);
        assert!(!state.pressed(Play::Fire));
        // Two pads: the stronger stick wins.
        for (id, x) in [(0, 0.4), (1, -0.9)] {
            pads.apply(&InputEvent::GamepadAxis {
                id: GamepadId(id),
                axis: GamepadAxis::LeftStickX,
                value: x,
            });
        }
        mouse.buttons.press(MouseButton::Left);
        state.update(&map, &kb, &mouse, &pads);
        assert!(state.just_pressed(Play::Fire) && state.pressed(Play::Fire));
        assert!(state.axis2d(Play::Move).x < -0.9 + 0.1);
        assert!(state.pressed(Play::Move));
        state.update(&map, &kb, &mouse, &pads);
        assert!(state.pressed(Play::Fire) && !state.just_pressed(Play::Fire));
        mouse.end_frame();
        mouse.buttons.release(MouseButton::Left);
        // The trigger below the press threshold keeps it released.
        pads.apply(&InputEvent::GamepadButton {
            id: GamepadId(0),
            button: GamepadButton::RightTrigger,
            value: 0.3,
        });
        state.update(&map, &kb, &mouse, &pads);
        assert!(state.just_released(Play::Fire));
        assert!(state.value(Play::Fire) > 0.0 && state.value(Play::Fire) < 0.5);
    }

    #[test]
    fn a_tap_within_one_frame_is_not_lost() {
        let map = defaults();
        let (mut kb, mut mouse, pads) =
            (Keyboard::default(), Mouse::default(), Gamepads::default());
        let mut state = ActionState::<Play>::default();
        kb.press(KeyCode::Space);
        kb.release(KeyCode::Space);
        mouse.buttons.press(MouseButton::Left);
        mouse.buttons.release(MouseButton::Left);
        state.update(&map, &kb, &mouse, &pads);
        assert!(state.just_pressed(Play::Jump) && state.just_pressed(Play::Fire));
        kb.end_frame();
        mouse.end_frame();
        state.update(&map, &kb, &mouse, &pads);
        assert!(state.just_released(Play::Jump) && state.just_released(Play::Fire));
    }

    #[test]
    fn rebinding_at_run_time() {
        let mut map = defaults();
        let (mut kb, mouse, pads) = (Keyboard::default(), Mouse::default(), Gamepads::default());
        kb.press(KeyCode::KeyJ);
        let captured = Binding::from_event(&InputEvent::key_pressed(KeyCode::KeyJ)).unwrap();
        map.set(Play::Jump, vec![captured]);
        assert_eq!(map.value(Play::Jump, &kb, &mouse, &pads), Vec2::X);
        kb.end_frame();
        kb.press(KeyCode::Space);
        kb.release(KeyCode::KeyJ);
        assert_eq!(map.value(Play::Jump, &kb, &mouse, &pads), Vec2::ZERO);
        assert_eq!(
            Binding::from_event(&InputEvent::GamepadAxis {
                id: GamepadId(0),
                axis: GamepadAxis::RightStickY,
                value: -0.8
            }),
            Some(Binding::GamepadAxisDirection {
                axis: GamepadAxis::RightStickY,
                direction: AxisDirection::Negative
            })
        );
        assert_eq!(
            Binding::from_event(&InputEvent::key_released(KeyCode::KeyJ)),
            None
        );
    }
}
