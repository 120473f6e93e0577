//! Text from TTF/OTF fonts: [`Font`] assets (parsed, kerned and rasterised by `ab_glyph`), a
//! [`GlyphAtlas`] that rasterises glyphs on demand at whole-pixel sizes, [`layout_text`] for
//! lines with alignment and optional wrapping, and [`UiDrawList`]: the quads the renderer
//! draws over the finished frame (under the 8x8 debug overlay). All of it is CPU-side and
//! testable without a GPU; the widgets that fill the draw list live in `layerw-systems`'
//! `UiPlugin`.

mod anchor;
mod atlas;
mod draw;
mod font;
mod layout;

pub use anchor::Anchor;
pub use atlas::{ATLAS_WIDTH, AtlasError, AtlasGlyph, GlyphAtlas, MAX_ATLAS_HEIGHT, SOLID_UV};
pub use draw::{UiDrawList, UiQuad};
pub use font::{Font, FontError, FontLoader, FontPlugin, MAX_FONT_BYTES};
pub use layout::{TextAlign, TextBlock, TextStyle, layout_text};
