//! Simple UI: [`UiLabel`] and [`UiMenu`] components laid out into the engine's
//! [`UiDrawList`](layerw_engine::text::UiDrawList) every frame ([`layout_ui`]), and menus
//! driven by the [`UiAction`] actions (keys, pads) and the mouse ([`navigate_menus`]), which
//! report the chosen item as a [`MenuActivated`] event. [`UiPlugin`](crate::UiPlugin) adds it
//! all.

mod actions;
mod layout;
mod navigate;
mod widgets;

pub use actions::{UiAction, ui_bindings};
pub use layout::layout_ui;
pub use navigate::navigate_menus;
pub use widgets::{MenuActivated, MenuStyle, UiFont, UiLabel, UiMenu};
