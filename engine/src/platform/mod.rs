//! The platform layer: windows, typed input and window events, input state (keyboard, mouse,
//! touch, gamepads), game-defined actions with bindings files, and the event journal.
//!
//! Runners turn what the platform reports into [`PlatformEvent`]s on the [`InputQueue`]:
//! winit natively and in the browser (with the `window` feature), gilrs for desktop pads, the
//! browser's Gamepad API on the web, a [`Journal`] during a replay, or a test. The Input stage
//! ([`input_system`], then one [`action_system`] per action set) turns them into resources
//! that game systems read: [`Keyboard`], [`Mouse`], [`Touches`], [`Gamepads`], [`Window`] and
//! [`ActionState<A>`].

mod action;
pub mod bindings;
mod button;
mod event;
mod gamepad;
mod input;
mod journal;
mod keyboard;
mod mouse;
mod plugin;
mod touch;
mod window;

#[cfg(all(feature = "window", not(target_family = "wasm")))]
mod native;
#[cfg(all(feature = "window", not(target_os = "wasi")))]
mod runner;
#[cfg(all(feature = "window", target_arch = "wasm32", target_os = "unknown"))]
mod web;

#[cfg(all(feature = "window", not(target_os = "wasi")))]
pub use runner::WinitWindow;
#[cfg(all(feature = "window", not(target_os = "wasi")))]
pub(crate) use runner::run;

pub use action::{Action, ActionMap, ActionState, ActionValue, AxisDirection, Binding};
pub use bindings::{BindingsError, MAX_BINDINGS_BYTES};
pub use button::ButtonInput;
pub use event::{ButtonState, InputEvent, PlatformEvent, WindowEvent};
pub use gamepad::{
    DeadzoneError, Deadzones, Gamepad, GamepadAxis, GamepadButton, GamepadId, GamepadSnapshot,
    Gamepads, Stick, diff_snapshots,
};
pub use input::{ExitOnClose, INPUT_SYSTEM, InputQueue, action_system, input_system};
pub use journal::{
    Journal, JournalError, JournalFrame, JournalRecorder, MAX_JOURNAL_BYTES, TimedEvent,
};
pub use keyboard::{KeyCode, Keyboard, LogicalKey};
/// `#[derive(Action)]` for a unit-only enum (see [`Action`](trait@Action)).
pub use layerw_macros::Action;
pub use mouse::{Mouse, MouseButton};
pub use plugin::{InputPlugin, WindowPlugin};
pub use touch::{Touch, TouchPhase, Touches};
pub use window::{FramePacing, Viewport, Window, WindowConfig, WindowRequest};

/// Why [`read_capped`] read nothing.
pub(crate) enum ReadError {
    /// What the system said.
    Io(String),
    /// The file's size and the most that could be read.
    TooLarge { bytes: u64, limit: u64 },
}

/// Reads `path` whole if it is at most `cap` bytes and memory can hold it now (walloc's
/// headroom for this thread's allocations, when walloc is the global allocator): checked from
/// the file's size before a buffer is allocated.
pub(crate) fn read_capped(path: &std::path::Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    crate::file::read_capped_in_memory(path, cap).map_err(|e| match e {
        crate::file::ReadError::TooLarge { bytes, limit } => ReadError::TooLarge { bytes, limit },
        crate::file::ReadError::NotFound(e) | crate::file::ReadError::Io(e) => {
            ReadError::Io(e.to_string())
        }
    })
}
