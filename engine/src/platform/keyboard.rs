//! Keyboard: physical key codes, logical keys and the per-frame key state.

use serde::{Deserialize, Serialize};

use super::button::ButtonInput;

macro_rules! key_codes {
    ($($name:ident),* $(,)?) => {
        /// A physical key, named after its position on a US keyboard (the W3C `code` names, as
        /// winit and the browser report them). Bind actions to these: `KeyW` is the key left of
        /// `KeyE` on every layout, so WASD stays WASD on AZERTY.
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum KeyCode {
            $(
                #[doc = concat!("The `", stringify!($name), "` key.")]
                $name,
            )*
            /// A key the platform could not name.
            Unidentified,
        }

        impl KeyCode {
            /// Every named key code (not [`Unidentified`](KeyCode::Unidentified)).
            pub const ALL: &'static [KeyCode] = &[$(KeyCode::$name),*];

            /// The code's W3C name (`"KeyW"`, `"Space"`), as used in bindings files.
            pub fn name(self) -> &'static str {
                match self {
                    $(KeyCode::$name => stringify!($name),)*
                    KeyCode::Unidentified => "Unidentified",
                }
            }

            /// The key code named `name` (its W3C `code` name), if any.
            pub fn from_name(name: &str) -> Option<KeyCode> {
                match name {
                    $(stringify!($name) => Some(KeyCode::$name),)*
                    _ => None,
                }
            }
        }

        /// winit names physical keys with the same W3C names, natively and on the web.
        #[cfg(all(feature = "window", not(target_os = "wasi")))]
        pub(crate) fn from_winit(code: winit::keyboard::KeyCode) -> KeyCode {
            match code {
                $(winit::keyboard::KeyCode::$name => KeyCode::$name,)*
                _ => KeyCode::Unidentified,
            }
        }
    };
}

key_codes!(
    KeyA,
    KeyB,
    KeyC,
    KeyD,
    KeyE,
    KeyF,
    KeyG,
    KeyH,
    KeyI,
    KeyJ,
    KeyK,
    KeyL,
    KeyM,
    KeyN,
    KeyO,
    KeyP,
    KeyQ,
    KeyR,
    KeyS,
    KeyT,
    KeyU,
    KeyV,
    KeyW,
    KeyX,
    KeyY,
    KeyZ,
    Digit0,
    Digit1,
    Digit2,
    Digit3,
    Digit4,
    Digit5,
    Digit6,
    Digit7,
    Digit8,
    Digit9,
    F1,
    F2,
    F3,
    F4,
    F5,
    F6,
    F7,
    F8,
    F9,
    F10,
    F11,
    F12,
    Escape,
    Enter,
    Tab,
    Space,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    ArrowUp,
    ArrowDown,
    ArrowLeft,
    ArrowRight,
    ShiftLeft,
    ShiftRight,
    ControlLeft,
    ControlRight,
    AltLeft,
    AltRight,
    SuperLeft,
    SuperRight,
    CapsLock,
    NumLock,
    ScrollLock,
    PrintScreen,
    Pause,
    ContextMenu,
    Minus,
    Equal,
    BracketLeft,
    BracketRight,
    Backslash,
    Semicolon,
    Quote,
    Backquote,
    Comma,
    Period,
    Slash,
    Numpad0,
    Numpad1,
    Numpad2,
    Numpad3,
    Numpad4,
    Numpad5,
    Numpad6,
    Numpad7,
    Numpad8,
    Numpad9,
    NumpadAdd,
    NumpadSubtract,
    NumpadMultiply,
    NumpadDivide,
    NumpadDecimal,
    NumpadEnter,
);

/// The meaning of a key press under the current layout and modifiers: what text editors and
/// chat boxes want (a `KeyCode` is what movement bindings want).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogicalKey {
    /// A key that produces text: `"a"`, `"A"` with shift, `"q"` for `KeyA` on AZERTY.
    Character(String),
    /// A named, non-text key: `"Enter"`, `"Escape"`, `"ArrowUp"`, `"Shift"`…
    Named(String),
    /// A key with no known meaning.
    Unidentified,
}

/// The keyboard's state this frame, stored on the world as a resource.
///
/// Updated by the Input stage from the frame's [`InputEvent`](super::InputEvent)s: keys held,
/// pressed this frame, released this frame, and the text typed this frame.
///
/// # Example
/// ```
/// use layerw_engine::platform::{KeyCode, Keyboard};
///
/// let mut keyboard = Keyboard::default();
/// keyboard.press(KeyCode::Space);
/// assert!(keyboard.pressed(KeyCode::Space) && keyboard.just_pressed(KeyCode::Space));
/// keyboard.end_frame();
/// assert!(keyboard.pressed(KeyCode::Space) && !keyboard.just_pressed(KeyCode::Space));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Keyboard {
    keys: ButtonInput<KeyCode>,
    text: String,
}

impl Keyboard {
    /// True while `key` is held.
    pub fn pressed(&self, key: KeyCode) -> bool {
        self.keys.pressed(key)
    }

    /// True in the frame `key` went down.
    pub fn just_pressed(&self, key: KeyCode) -> bool {
        self.keys.just_pressed(key)
    }

    /// True in the frame `key` went up.
    pub fn just_released(&self, key: KeyCode) -> bool {
        self.keys.just_released(key)
    }

    /// Every key held, in key-code order.
    pub fn pressed_keys(&self) -> impl Iterator<Item = KeyCode> + '_ {
        self.keys.iter_pressed()
    }

    /// Every key released this frame, in key-code order (a key tapped within one frame is
    /// here and not in [`pressed_keys`](Self::pressed_keys)).
    ///
    /// ```
    /// use layerw_engine::platform::{KeyCode, Keyboard};
    ///
    /// let mut keyboard = Keyboard::default();
    /// keyboard.press(KeyCode::Space);
    /// keyboard.release(KeyCode::Space);
    /// assert_eq!(keyboard.pressed_keys().count(), 0);
    /// assert_eq!(keyboard.just_released_keys().collect::<Vec<_>>(), [KeyCode::Space]);
    /// keyboard.end_frame();
    /// assert_eq!(keyboard.just_released_keys().count(), 0);
    /// ```
    pub fn just_released_keys(&self) -> impl Iterator<Item = KeyCode> + '_ {
        self.keys.iter_just_released()
    }

    /// The text typed this frame (IME commits and character keys), in order.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Records `key` going down (a repeat of a held key changes nothing).
    pub fn press(&mut self, key: KeyCode) {
        self.keys.press(key);
    }

    /// Records `key` going up.
    pub fn release(&mut self, key: KeyCode) {
        self.keys.release(key);
    }

    /// Appends typed text.
    pub fn push_text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Releases every key (focus lost: the window will not hear the key-ups).
    pub fn release_all(&mut self) {
        self.keys.release_all();
    }

    /// Starts a new frame: forgets this frame's presses, releases and text.
    pub fn end_frame(&mut self) {
        self.keys.end_frame();
        self.text.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &key in KeyCode::ALL {
            assert_eq!(KeyCode::from_name(key.name()), Some(key));
        }
        assert_eq!(KeyCode::from_name("NoSuchKey"), None);
        assert_eq!(KeyCode::ALL.len(), 104);
    }

    #[test]
    fn text_lasts_one_frame() {
        let mut keyboard = Keyboard::default();
        keyboard.push_text("hé");
        keyboard.push_text("!");
        assert_eq!(keyboard.text(), "hé!");
        keyboard.end_frame();
        assert_eq!(keyboard.text(), "");
    }
}
