//! [`Font`]: a parsed TTF/OTF file, an asset loaded through the
//! [`AssetServer`](crate::asset::AssetServer) with [`FontLoader`].

use ab_glyph::{Font as _, FontArc, GlyphId, PxScale, ScaleFont as _};
use core::fmt;

use crate::app::{App, Plugin};
use crate::asset::{
    Asset, AssetError, AssetKindPlugin, AssetLoader, AssetPlugin, AssetServer, Assets, DecodeError,
    Handle, LoadState,
};
use crate::schedule::SystemContext;

/// The largest font file [`FontLoader`] takes: 16 MiB (a UI font is usually under 1 MiB).
pub const MAX_FONT_BYTES: u64 = 16 << 20;

/// Why font bytes were refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FontError {
    /// The bytes are not a TrueType/OpenType font the parser accepts.
    Malformed {
        /// The file's size in bytes.
        bytes: usize,
    },
    /// The font has no glyph outlines to draw with (no `glyf` or `CFF` table).
    NoGlyphs,
}

impl fmt::Display for FontError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FontError::Malformed { bytes } => {
                write!(f, "{bytes} bytes that are not a TrueType/OpenType font")
            }
            FontError::NoGlyphs => f.write_str("a font without glyph outlines"),
        }
    }
}

impl std::error::Error for FontError {}

/// A TrueType/OpenType font, parsed once; cheap to clone (the bytes are shared).
///
/// # Example
/// ```
/// use layerw_engine::text::{Font, FontError};
///
/// assert_eq!(Font::from_bytes(b"not a font".to_vec()).unwrap_err(), FontError::Malformed { bytes: 10 });
/// ```
#[derive(Clone)]
pub struct Font {
    font: FontArc,
}

impl fmt::Debug for Font {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Font")
            .field("glyphs", &self.font.glyph_count())
            .finish()
    }
}

/// Vertical metrics of a font at a size, in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LineMetrics {
    /// Baseline to the top of the tallest glyphs (positive).
    pub ascent: f32,
    /// Baseline to one line down: ascent, descent and line gap together.
    pub line_height: f32,
}

impl Font {
    /// Parses a TTF/OTF file (the first face of a collection). Untrusted bytes give a
    /// [`FontError`], never a panic.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Font, FontError> {
        let length = bytes.len();
        let font =
            FontArc::try_from_vec(bytes).map_err(|_| FontError::Malformed { bytes: length })?;
        // A font with glyphs but no outlines for any letter is useless to the atlas.
        let has_outlines = ['A', 'a', '0', 'H']
            .iter()
            .map(|&c| font.glyph_id(c))
            .any(|id| id.0 != 0 && font.outline(id).is_some());
        if font.glyph_count() == 0 || !has_outlines {
            return Err(FontError::NoGlyphs);
        }
        Ok(Font { font })
    }

    /// The number of glyphs in the font.
    pub fn glyph_count(&self) -> usize {
        self.font.glyph_count()
    }

    /// Whether the font has a glyph for `c` (others draw as the font's "missing" glyph).
    pub fn has_glyph(&self, c: char) -> bool {
        self.font.glyph_id(c).0 != 0
    }

    /// How far the pen moves after `c` at `size` pixels, without kerning.
    pub fn advance(&self, c: char, size: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(size));
        scaled.h_advance(scaled.glyph_id(c))
    }

    /// The kerning between `left` and `right` at `size` pixels (negative pulls them together;
    /// zero where the font has no pair).
    pub fn kerning(&self, left: char, right: char, size: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(size));
        scaled.kern(scaled.glyph_id(left), scaled.glyph_id(right))
    }

    pub(crate) fn glyph_id(&self, c: char) -> GlyphId {
        self.font.glyph_id(c)
    }

    pub(crate) fn advance_of(&self, id: GlyphId, size: f32) -> f32 {
        self.font.as_scaled(PxScale::from(size)).h_advance(id)
    }

    pub(crate) fn kern_ids(&self, left: GlyphId, right: GlyphId, size: f32) -> f32 {
        self.font.as_scaled(PxScale::from(size)).kern(left, right)
    }

    pub(crate) fn line_metrics(&self, size: f32) -> LineMetrics {
        let scaled = self.font.as_scaled(PxScale::from(size));
        LineMetrics {
            ascent: scaled.ascent(),
            line_height: scaled.height() + scaled.line_gap(),
        }
    }

    /// Rasterises glyph `id` at `size` pixels with its origin on a whole pixel: the coverage
    /// (one byte per pixel, rows top to bottom), its width and height, and the offset of its
    /// top-left pixel from the pen position on the baseline. `None` for glyphs without ink.
    pub(crate) fn rasterize(&self, id: GlyphId, size: f32) -> Option<RasterGlyph> {
        let glyph = id.with_scale(PxScale::from(size));
        let outlined = self.font.outline_glyph(glyph)?;
        let bounds = outlined.px_bounds();
        let width = bounds.width().max(0.0) as u32;
        let height = bounds.height().max(0.0) as u32;
        if width == 0 || height == 0 {
            return None;
        }
        let mut coverage = vec![0u8; (width * height) as usize];
        outlined.draw(|x, y, c| {
            if x < width && y < height {
                coverage[(y * width + x) as usize] = (c.clamp(0.0, 1.0) * 255.0).round() as u8;
            }
        });
        Some(RasterGlyph {
            coverage,
            width,
            height,
            offset: [bounds.min.x, bounds.min.y],
        })
    }
}

/// One rasterised glyph (see [`Font::rasterize`]).
pub(crate) struct RasterGlyph {
    pub coverage: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub offset: [f32; 2],
}

impl Asset for Font {
    type Store = Assets<Font>;
    type Source = Font;
    const KIND: &'static str = "font";

    fn reserve(store: &mut Assets<Font>) -> Handle<Font> {
        store.reserve()
    }

    fn fail(store: &mut Assets<Font>, handle: Handle<Font>, error: AssetError) {
        store.fail(handle, error);
    }

    fn state(store: &Assets<Font>, handle: Handle<Font>) -> LoadState {
        store.load_state(handle)
    }

    fn store(ctx: &SystemContext<'_>, handle: Handle<Font>, font: Font) -> Result<(), DecodeError> {
        // A stale handle (unloaded while reading) drops the font.
        let _ = ctx.resource_mut::<Assets<Font>>().insert(handle, font);
        Ok(())
    }
}

/// Fonts from `.ttf` and `.otf` files ([`Font::from_bytes`]); [`FontPlugin`] registers it.
#[derive(Clone, Copy, Debug, Default)]
pub struct FontLoader;

impl AssetLoader for FontLoader {
    type Asset = Font;

    fn extensions(&self) -> &[&'static str] {
        &["ttf", "otf"]
    }

    fn max_bytes(&self) -> u64 {
        MAX_FONT_BYTES
    }

    fn load(&self, bytes: &[u8]) -> Result<Font, DecodeError> {
        Ok(Font::from_bytes(bytes.to_vec())?)
    }
}

/// Fonts as assets: [`AssetPlugin`] (unless the app has it), the `Assets<Font>` store and its
/// load system, and [`FontLoader`] on the [`AssetServer`]. Separate from [`AssetPlugin`] so that
/// apps without text do not carry the font parser (about 30 KB of brotli'd wasm).
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::asset::{AssetServer, Assets};
/// use layerw_engine::text::{Font, FontPlugin};
///
/// let mut app = App::new();
/// app.add_plugin(FontPlugin);
/// let font = AssetServer::load_in::<Font>(app.world(), "../assets/fonts/Cantarell-Regular.ttf");
/// assert!(app.world().resource::<Assets<Font>>().get(font).is_none()); // read off the frame
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FontPlugin;

impl Plugin for FontPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugin(AssetPlugin::default())
            .add_plugin(AssetKindPlugin::<Font>::default());
        app.world()
            .resource_mut::<AssetServer>()
            .add_loader(FontLoader);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn cantarell() -> Font {
        Font::from_bytes(include_bytes!("../../../assets/fonts/Cantarell-Regular.ttf").to_vec())
            .expect("the bundled font parses")
    }

    #[test]
    fn the_bundled_font_has_latin_and_kerning() {
        let font = cantarell();
        assert!(font.has_glyph('A') && font.has_glyph('z'));
        assert!(font.advance('W', 32.0) > font.advance('i', 32.0));
        // Twice the size, twice the advance.
        let small = font.advance('W', 16.0);
        assert!((font.advance('W', 32.0) - 2.0 * small).abs() < 1e-3);
    }

    #[test]
    fn truncated_and_garbage_bytes_are_typed_errors() {
        let bytes = include_bytes!("../../../assets/fonts/Cantarell-Regular.ttf");
        for cut in [0, 4, 12, 100, 1000] {
            match Font::from_bytes(bytes[..cut].to_vec()) {
                Err(FontError::Malformed { bytes }) => assert_eq!(bytes, cut),
                Err(FontError::NoGlyphs) => {}
                Ok(_) => panic!("{cut} bytes parsed as a font"),
            }
        }
        let mut noise = bytes.to_vec();
        for (i, b) in noise.iter_mut().enumerate().skip(12) {
            *b = (i as u8).wrapping_mul(31);
        }
        assert!(Font::from_bytes(noise).is_err());
    }
}
