//! [`Anchor`]: where on the screen a UI element is pinned.

use glam::Vec2;

/// A point of the screen (and the same point of the element) that an element is pinned to:
/// `TopLeft` puts the element's top-left corner at the screen's, `Center` centres it, and so
/// on; an offset in pixels then moves it (positive x right, positive y down).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The top-left corner.
    #[default]
    TopLeft,
    /// The middle of the top edge.
    TopCenter,
    /// The top-right corner.
    TopRight,
    /// The middle of the left edge.
    CenterLeft,
    /// The centre.
    Center,
    /// The middle of the right edge.
    CenterRight,
    /// The bottom-left corner.
    BottomLeft,
    /// The middle of the bottom edge.
    BottomCenter,
    /// The bottom-right corner.
    BottomRight,
}

impl Anchor {
    /// The anchor as a fraction of the screen: (0, 0) top left, (1, 1) bottom right.
    pub fn fraction(self) -> Vec2 {
        let (x, y) = match self {
            Anchor::TopLeft => (0.0, 0.0),
            Anchor::TopCenter => (0.5, 0.0),
            Anchor::TopRight => (1.0, 0.0),
            Anchor::CenterLeft => (0.0, 0.5),
            Anchor::Center => (0.5, 0.5),
            Anchor::CenterRight => (1.0, 0.5),
            Anchor::BottomLeft => (0.0, 1.0),
            Anchor::BottomCenter => (0.5, 1.0),
            Anchor::BottomRight => (1.0, 1.0),
        };
        Vec2::new(x, y)
    }

    /// The top-left corner of an element of `size` pinned here on a `screen`, moved by
    /// `offset`; rounded to whole pixels so text stays crisp.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::glam::Vec2;
    /// use layerw_engine::text::Anchor;
    ///
    /// let screen = Vec2::new(640.0, 360.0);
    /// let size = Vec2::new(100.0, 20.0);
    /// assert_eq!(Anchor::BottomRight.place(size, screen, Vec2::new(-8.0, -8.0)), Vec2::new(532.0, 332.0));
    /// assert_eq!(Anchor::Center.place(size, screen, Vec2::ZERO), Vec2::new(270.0, 170.0));
    /// ```
    pub fn place(self, size: Vec2, screen: Vec2, offset: Vec2) -> Vec2 {
        let f = self.fraction();
        (f * screen - f * size + offset).round()
    }
}
