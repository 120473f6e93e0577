//! The widgets: [`UiLabel`] and [`UiMenu`] components, the [`UiFont`] resource and the
//! [`MenuActivated`] event.

use glam::Vec2;
use layerw_engine::asset::Handle;
use layerw_engine::ecs::Entity;
use layerw_engine::text::{Anchor, Font, TextAlign, TextStyle};

/// The font widgets use unless they name their own, a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UiFont(pub Handle<Font>);

/// Text pinned to the screen, a component: a title, a score, a hint. Change `text` and the
/// next frame shows it.
///
/// # Example
/// ```
/// use layerw_engine::glam::Vec2;
/// use layerw_engine::text::Anchor;
/// use layerw_systems::ui::UiLabel;
///
/// let score = UiLabel::new("Score 0").with_size(32).anchored(Anchor::TopRight, Vec2::new(-16.0, 16.0));
/// assert_eq!(score.style.size, 32);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct UiLabel {
    /// The text; `'\n'` starts a new line.
    pub text: String,
    /// Size, colour, alignment, wrapping.
    pub style: TextStyle,
    /// The point of the screen the label is pinned to.
    pub anchor: Anchor,
    /// Pixels from the anchor (positive x right, positive y down).
    pub offset: Vec2,
    /// A box behind the text (alpha 0: none).
    pub background: [u8; 4],
    /// The label's font; `None` uses [`UiFont`].
    pub font: Option<Handle<Font>>,
}

impl UiLabel {
    /// White 24 px text at the top-left corner.
    pub fn new(text: impl Into<String>) -> UiLabel {
        UiLabel {
            text: text.into(),
            style: TextStyle::default(),
            anchor: Anchor::TopLeft,
            offset: Vec2::ZERO,
            background: [0; 4],
            font: None,
        }
    }

    /// The same label at `size` pixels.
    pub fn with_size(mut self, size: u16) -> UiLabel {
        self.style.size = size;
        self
    }

    /// The same label in `color` (linear RGBA).
    pub fn with_color(mut self, color: [u8; 4]) -> UiLabel {
        self.style.color = color;
        self
    }

    /// The same label with its lines aligned `align`.
    pub fn with_align(mut self, align: TextAlign) -> UiLabel {
        self.style.align = align;
        self
    }

    /// The same label pinned at `anchor`, moved by `offset` pixels.
    pub fn anchored(mut self, anchor: Anchor, offset: Vec2) -> UiLabel {
        self.anchor = anchor;
        self.offset = offset;
        self
    }

    /// The same label over a box of `color`.
    pub fn with_background(mut self, color: [u8; 4]) -> UiLabel {
        self.background = color;
        self
    }
}

/// How a menu's buttons look.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MenuStyle {
    /// Text size in pixels.
    pub size: u16,
    /// Text colour of items without focus.
    pub text: [u8; 4],
    /// Text colour of the focused item.
    pub focused_text: [u8; 4],
    /// Button colour of items without focus.
    pub button: [u8; 4],
    /// Button colour of the focused item.
    pub focused_button: [u8; 4],
    /// Space between a button's edge and its text, in pixels (x, y).
    pub padding: Vec2,
    /// Space between buttons, in pixels.
    pub spacing: f32,
    /// The buttons' least width in pixels (they are all as wide as the widest).
    pub min_width: f32,
}

impl Default for MenuStyle {
    fn default() -> Self {
        MenuStyle {
            size: 28,
            text: [200, 200, 200, 255],
            focused_text: [20, 20, 20, 255],
            button: [10, 10, 10, 170],
            focused_button: [255, 190, 40, 235],
            padding: Vec2::new(24.0, 8.0),
            spacing: 10.0,
            min_width: 220.0,
        }
    }
}

/// A column of buttons with one focused, a component: a start menu, a pause menu. The
/// [`UiAction`](super::UiAction)s and the mouse move the focus; activating an item sends
/// [`MenuActivated`].
///
/// # Example
/// ```
/// use layerw_systems::ui::UiMenu;
///
/// let menu = UiMenu::new(["Play", "Options", "Quit"]);
/// assert_eq!((menu.items.len(), menu.focused), (3, 0));
/// assert!(menu.item_rects().is_empty()); // laid out on the first frame
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct UiMenu {
    /// The items' labels, top to bottom.
    pub items: Vec<String>,
    /// The focused item's index.
    pub focused: usize,
    /// How the buttons look.
    pub style: MenuStyle,
    /// The point of the screen the menu is pinned to.
    pub anchor: Anchor,
    /// Pixels from the anchor.
    pub offset: Vec2,
    /// The menu's font; `None` uses [`UiFont`].
    pub font: Option<Handle<Font>>,
    /// Where each button was drawn last frame (x, y, width, height in internal pixels).
    pub(crate) rects: Vec<[f32; 4]>,
    /// The cursor when the focus was last updated: hovering moves the focus only when the
    /// cursor moves, so keys and pads keep working under a resting mouse.
    pub(crate) cursor: Option<Vec2>,
}

impl UiMenu {
    /// A centred menu of `items`, the first focused.
    pub fn new<S: Into<String>>(items: impl IntoIterator<Item = S>) -> UiMenu {
        UiMenu {
            items: items.into_iter().map(Into::into).collect(),
            focused: 0,
            style: MenuStyle::default(),
            anchor: Anchor::Center,
            offset: Vec2::ZERO,
            font: None,
            rects: Vec::new(),
            cursor: None,
        }
    }

    /// The same menu pinned at `anchor`, moved by `offset` pixels.
    pub fn anchored(mut self, anchor: Anchor, offset: Vec2) -> UiMenu {
        self.anchor = anchor;
        self.offset = offset;
        self
    }

    /// The same menu in `style`.
    pub fn with_style(mut self, style: MenuStyle) -> UiMenu {
        self.style = style;
        self
    }

    /// Where each button was drawn in the last laid-out frame, top to bottom (x, y, width,
    /// height in internal-resolution pixels); empty before the first.
    pub fn item_rects(&self) -> &[[f32; 4]] {
        &self.rects
    }

    /// The item under `point` (internal pixels), by the last layout.
    pub fn item_at(&self, point: Vec2) -> Option<usize> {
        self.rects.iter().position(|&[x, y, w, h]| {
            point.x >= x && point.y >= y && point.x < x + w && point.y < y + h
        })
    }

    /// The text style of item `index`.
    pub(crate) fn item_style(&self, index: usize) -> TextStyle {
        TextStyle {
            size: self.style.size,
            color: if index == self.focused {
                self.style.focused_text
            } else {
                self.style.text
            },
            align: TextAlign::Center,
            max_width: None,
        }
    }
}

/// A menu item was chosen (Enter, the pad's South button, a click): an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MenuActivated {
    /// The menu's entity.
    pub menu: Entity,
    /// The item's index in [`UiMenu::items`].
    pub item: usize,
}
