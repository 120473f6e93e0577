//! [`UiQuad`] and [`UiDrawList`]: what the UI layer hands the renderer each frame.

use bytemuck::{Pod, Zeroable};

use super::SOLID_UV;

/// One quad of the UI layer: a glyph from the [`GlyphAtlas`](super::GlyphAtlas), or a solid
/// box ([`UiQuad::solid`]).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
pub struct UiQuad {
    /// x, y (top left), width, height in internal-resolution pixels.
    pub rect: [f32; 4],
    /// x, y, width, height in atlas pixels.
    pub uv: [f32; 4],
    /// RGBA, straight alpha; linear colour, like the debug overlay's (the output encodes sRGB).
    pub color: [u8; 4],
}

impl UiQuad {
    /// A solid box of `color`.
    pub fn solid(rect: [f32; 4], color: [u8; 4]) -> UiQuad {
        UiQuad {
            rect,
            uv: SOLID_UV,
            color,
        }
    }

    /// The same quad moved by `dx`, `dy` pixels.
    pub fn translated(self, dx: f32, dy: f32) -> UiQuad {
        let [x, y, w, h] = self.rect;
        UiQuad {
            rect: [x + dx, y + dy, w, h],
            ..self
        }
    }
}

/// The UI layer of the next frame, a resource: quads drawn in order (later ones over earlier
/// ones) over the finished frame, under the debug overlay. The UI's layout system refills it
/// every frame; the GPU renderer draws whatever it holds with the
/// [`GlyphAtlas`](super::GlyphAtlas) resource's coverage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UiDrawList {
    /// The quads, back to front.
    pub quads: Vec<UiQuad>,
}
