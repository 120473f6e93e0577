//! [`UiAction`]: the actions menus listen to, and their default bindings.

use layerw_engine::platform::{
    Action, ActionMap, AxisDirection, Binding, GamepadAxis, GamepadButton, KeyCode,
};

/// What moves a menu's focus and chooses an item. Bindings are the game's to change (the
/// [`ActionMap<UiAction>`] resource, or a bindings file); the mouse is read directly as well,
/// because hovering and clicking depend on where the cursor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiAction {
    /// Focus the item above.
    Previous,
    /// Focus the item below.
    Next,
    /// Choose the focused item.
    Activate,
}

impl Action for UiAction {
    const ALL: &'static [Self] = &[UiAction::Previous, UiAction::Next, UiAction::Activate];

    fn name(self) -> &'static str {
        match self {
            UiAction::Previous => "ui_previous",
            UiAction::Next => "ui_next",
            UiAction::Activate => "ui_activate",
        }
    }
}

/// The default bindings: arrows, W/S and Tab on the keyboard, the d-pad and the left stick on
/// pads move the focus; Enter, Space and the pad's South button activate.
///
/// # Example
/// ```
/// use layerw_engine::platform::{Binding, GamepadButton};
/// use layerw_systems::ui::{UiAction, ui_bindings};
///
/// let map = ui_bindings();
/// assert!(map.bindings(UiAction::Activate).contains(&Binding::GamepadButton(GamepadButton::South)));
/// ```
pub fn ui_bindings() -> ActionMap<UiAction> {
    let stick = |direction| Binding::GamepadAxisDirection {
        axis: GamepadAxis::LeftStickY,
        direction,
    };
    // Mouse clicks are not bound: a click activates the item under the cursor, not the
    // focused one.
    ActionMap::new()
        .with(UiAction::Previous, Binding::Key(KeyCode::ArrowUp))
        .with(UiAction::Previous, Binding::Key(KeyCode::KeyW))
        .with(
            UiAction::Previous,
            Binding::GamepadButton(GamepadButton::DPadUp),
        )
        .with(UiAction::Previous, stick(AxisDirection::Positive))
        .with(UiAction::Next, Binding::Key(KeyCode::ArrowDown))
        .with(UiAction::Next, Binding::Key(KeyCode::KeyS))
        .with(UiAction::Next, Binding::Key(KeyCode::Tab))
        .with(
            UiAction::Next,
            Binding::GamepadButton(GamepadButton::DPadDown),
        )
        .with(UiAction::Next, stick(AxisDirection::Negative))
        .with(UiAction::Activate, Binding::Key(KeyCode::Enter))
        .with(UiAction::Activate, Binding::Key(KeyCode::NumpadEnter))
        .with(UiAction::Activate, Binding::Key(KeyCode::Space))
        .with(
            UiAction::Activate,
            Binding::GamepadButton(GamepadButton::South),
        )
}
