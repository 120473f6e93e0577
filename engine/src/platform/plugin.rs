//! The platform's plugins: [`WindowPlugin`] (the app's window) and [`InputPlugin`] (a game's
//! action set).
//!
//! Device input itself (keyboard, mouse, touches, pads, the window's state and the Input
//! stage's [`input_system`](super::input_system)) is in every [`App`] from [`App::new`]: the
//! runners feed it, [`App::push_event`] and journal replays write it, so it is never optional
//! and needs no plugin. What a game chooses, its actions and their bindings, is
//! [`InputPlugin`].

use super::{Action, ActionMap, WindowConfig};
use crate::app::{App, Plugin};

/// Gives the app a window ([`App::set_window`]): a native window on the desktop, a canvas in
/// the browser; headless and WASI builds keep its size and internal resolution in the
/// [`Window`](super::Window) resource. Add it before plugins that read the window's
/// configuration (the renderer takes its resolution from it).
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::glam::UVec2;
/// use layerw_engine::platform::{Window, WindowConfig, WindowPlugin};
///
/// let mut app = App::new();
/// app.add_plugin(WindowPlugin {
///     window: WindowConfig { internal_resolution: UVec2::new(640, 360), ..Default::default() },
/// });
/// assert_eq!(app.world().resource::<Window>().internal_resolution(), UVec2::new(640, 360));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WindowPlugin {
    /// The window to open.
    pub window: WindowConfig,
}

impl Plugin for WindowPlugin {
    fn build(&self, app: &mut App) {
        app.set_window(self.window.clone());
    }
}

/// A game's action set `A` with its default bindings ([`App::add_actions`]): the
/// [`ActionMap<A>`] resource (rebind by writing it, load a bindings file into it),
/// [`ActionState<A>`](super::ActionState) updated every frame in the Input stage. A game
/// with two action sets adds two `InputPlugin`s (their names differ by `A`).
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::platform::{Action, ActionMap, ActionState, Binding, InputPlugin, KeyCode};
///
/// #[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// enum Play { Jump }
///
/// let mut app = App::new();
/// app.add_plugin(InputPlugin {
///     bindings: ActionMap::new().with(Play::Jump, Binding::Key(KeyCode::Space)),
/// });
/// app.update(1.0 / 60.0);
/// assert!(!app.world().resource::<ActionState<Play>>().pressed(Play::Jump));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InputPlugin<A: Action> {
    /// The default bindings (a game may load a bindings file over them before adding the
    /// plugin, or rewrite the [`ActionMap<A>`] resource later).
    pub bindings: ActionMap<A>,
}

impl<A: Action> Default for InputPlugin<A> {
    fn default() -> Self {
        InputPlugin {
            bindings: ActionMap::default(),
        }
    }
}

impl<A: Action> Plugin for InputPlugin<A> {
    fn build(&self, app: &mut App) {
        app.add_actions(self.bindings.clone());
    }
}
