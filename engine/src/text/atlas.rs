//! [`GlyphAtlas`]: glyphs rasterised on demand into one coverage texture (R8), packed in
//! shelves; the renderer uploads it again whenever its [`revision`](GlyphAtlas::revision)
//! changes.

use core::fmt;
use std::collections::HashMap;

use ab_glyph::GlyphId;

use super::Font;
use crate::asset::Handle;

/// The atlas's width in pixels; it grows in height only, so glyphs never move.
pub const ATLAS_WIDTH: u32 = 1024;
/// The tallest the atlas grows: 2048 rows, the smallest texture limit WebGL2 guarantees.
pub const MAX_ATLAS_HEIGHT: u32 = 2048;
/// The atlas rectangle of [`UiQuad::solid`](super::UiQuad::solid) boxes: a point inside a
/// block of full coverage kept at the atlas's corner.
pub const SOLID_UV: [f32; 4] = [1.0, 1.0, 0.0, 0.0];
/// Empty pixels around each glyph, so filtering never bleeds a neighbour in.
const PADDING: u32 = 1;

/// Why a glyph found no room.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AtlasError {
    /// The atlas is at its largest and has no room for a glyph this size; clear it
    /// ([`GlyphAtlas::clear`]) and lay the text out again, or use fewer sizes.
    Full {
        /// The glyph's width and height in pixels (padding included).
        requested: [u32; 2],
        /// The atlas's size in pixels.
        atlas: [u32; 2],
    },
}

impl fmt::Display for AtlasError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AtlasError::Full { requested, atlas } => write!(
                f,
                "no room for a {}x{} glyph in the full {}x{} atlas",
                requested[0], requested[1], atlas[0], atlas[1]
            ),
        }
    }
}

impl std::error::Error for AtlasError {}

/// Where a glyph is in the atlas and how it sits on the pen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AtlasGlyph {
    /// x, y, width, height in atlas pixels.
    pub uv: [f32; 4],
    /// Offset of the glyph's top-left pixel from the pen position on the baseline.
    pub offset: [f32; 2],
}

/// A row of the atlas that glyphs of about one height are packed into, left to right.
#[derive(Clone, Copy, Debug)]
struct Shelf {
    y: u32,
    height: u32,
    next_x: u32,
}

type GlyphKey = (Handle<Font>, u16, u16);

/// Glyphs of any fonts and sizes, rasterised when first asked for, in one R8 coverage image
/// of [`ATLAS_WIDTH`] by [`height`](Self::height) pixels; a resource. Its top-left corner
/// holds a block of full coverage for solid boxes ([`SOLID_UV`]).
#[derive(Clone, Debug)]
pub struct GlyphAtlas {
    height: u32,
    pixels: Vec<u8>,
    shelves: Vec<Shelf>,
    /// `None`: a glyph without ink (a space), remembered so it is not rasterised again.
    glyphs: HashMap<GlyphKey, Option<AtlasGlyph>>,
    revision: u64,
}

impl Default for GlyphAtlas {
    fn default() -> Self {
        GlyphAtlas::new(256)
    }
}

impl GlyphAtlas {
    /// An empty atlas `height` rows tall (clamped to 8..=[`MAX_ATLAS_HEIGHT`]); it doubles
    /// when full.
    pub fn new(height: u32) -> GlyphAtlas {
        let height = height.clamp(8, MAX_ATLAS_HEIGHT);
        let mut atlas = GlyphAtlas {
            height,
            pixels: vec![0; (ATLAS_WIDTH * height) as usize],
            shelves: Vec::new(),
            glyphs: HashMap::new(),
            revision: 1,
        };
        atlas.reserve_solid_block();
        atlas
    }

    fn reserve_solid_block(&mut self) {
        // 2x2 pixels of full coverage at (0, 0); SOLID_UV samples their shared corner.
        let (x, y) = self
            .allocate(2, 2)
            .expect("a new atlas has room for 2x2 pixels");
        for row in y..y + 2 {
            let start = (row * ATLAS_WIDTH + x) as usize;
            self.pixels[start..start + 2].fill(255);
        }
    }

    /// The atlas's width in pixels ([`ATLAS_WIDTH`]).
    pub fn width(&self) -> u32 {
        ATLAS_WIDTH
    }

    /// The atlas's height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The coverage, one byte per pixel, rows top to bottom.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Changes whenever a glyph is added, the atlas grows or is cleared.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Glyphs rasterised so far (glyphs without ink included).
    pub fn len(&self) -> usize {
        self.glyphs.len()
    }

    /// Whether no glyph is in the atlas yet.
    pub fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }

    /// Forgets every glyph (keeping the size): laid-out text must be laid out again.
    pub fn clear(&mut self) {
        *self = GlyphAtlas {
            revision: self.revision + 1,
            ..GlyphAtlas::new(self.height)
        };
    }

    /// The glyph `id` of `font` (stored under `handle`) at `size` pixels, rasterised now if
    /// it is new; `None` for a glyph without ink.
    pub(crate) fn glyph(
        &mut self,
        handle: Handle<Font>,
        font: &Font,
        id: GlyphId,
        size: u16,
    ) -> Result<Option<AtlasGlyph>, AtlasError> {
        let key = (handle, id.0, size);
        if let Some(known) = self.glyphs.get(&key) {
            return Ok(*known);
        }
        let Some(raster) = font.rasterize(id, f32::from(size)) else {
            self.glyphs.insert(key, None);
            return Ok(None);
        };
        let (x, y) = self.allocate(raster.width, raster.height)?;
        for row in 0..raster.height {
            let start = ((y + row) * ATLAS_WIDTH + x) as usize;
            let source = (row * raster.width) as usize;
            self.pixels[start..start + raster.width as usize]
                .copy_from_slice(&raster.coverage[source..source + raster.width as usize]);
        }
        let glyph = AtlasGlyph {
            uv: [
                x as f32,
                y as f32,
                raster.width as f32,
                raster.height as f32,
            ],
            offset: raster.offset,
        };
        self.glyphs.insert(key, Some(glyph));
        self.revision += 1;
        Ok(Some(glyph))
    }

    /// Finds room for `width` x `height` pixels (plus padding), growing the atlas if needed.
    fn allocate(&mut self, width: u32, height: u32) -> Result<(u32, u32), AtlasError> {
        let (padded_w, padded_h) = (width + PADDING, height + PADDING);
        let full = |atlas: &GlyphAtlas| AtlasError::Full {
            requested: [padded_w, padded_h],
            atlas: [ATLAS_WIDTH, atlas.height],
        };
        if padded_w > ATLAS_WIDTH || padded_h > MAX_ATLAS_HEIGHT {
            return Err(full(self));
        }
        // The first shelf tall enough, not much taller (little waste), with room on the right.
        let fits = |s: &Shelf| {
            s.height >= padded_h
                && s.height <= padded_h * 5 / 4 + 2
                && s.next_x + padded_w <= ATLAS_WIDTH
        };
        if let Some(shelf) = self.shelves.iter_mut().find(|s| fits(s)) {
            let x = shelf.next_x;
            shelf.next_x += padded_w;
            return Ok((x, shelf.y));
        }
        let top = self.shelves.last().map_or(0, |s| s.y + s.height);
        while top + padded_h > self.height {
            if self.height * 2 > MAX_ATLAS_HEIGHT {
                return Err(full(self));
            }
            self.height *= 2;
            self.pixels.resize((ATLAS_WIDTH * self.height) as usize, 0);
            self.revision += 1;
        }
        self.shelves.push(Shelf {
            y: top,
            height: padded_h,
            next_x: padded_w,
        });
        Ok((0, top))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> Font {
        Font::from_bytes(include_bytes!("../../../assets/fonts/Cantarell-Regular.ttf").to_vec())
            .expect("the bundled font parses")
    }

    #[test]
    fn the_atlas_grows_in_height_keeps_glyphs_and_then_reports_full() {
        let font = font();
        let handle = Handle::for_tests(0);
        let w = font.glyph_id('W');
        let mut atlas = GlyphAtlas::default();
        assert_eq!(atlas.height(), 256);
        let first = atlas.glyph(handle, &font, w, 40).unwrap().unwrap();
        let mut full = None;
        for size in (60..=1000).step_by(20) {
            match atlas.glyph(handle, &font, w, size) {
                Ok(glyph) => assert!(glyph.is_some()),
                Err(e) => {
                    full = Some(e);
                    break;
                }
            }
        }
        assert_eq!(atlas.height(), MAX_ATLAS_HEIGHT, "grew to its largest");
        assert_eq!(
            atlas.pixels().len(),
            (ATLAS_WIDTH * MAX_ATLAS_HEIGHT) as usize
        );
        match full {
            Some(AtlasError::Full { requested, atlas }) => {
                assert_eq!(atlas, [ATLAS_WIDTH, MAX_ATLAS_HEIGHT]);
                assert!(requested[1] > 100);
            }
            None => panic!("a thousand-pixel W never filled the atlas"),
        }
        // Growing never moved the first glyph.
        assert_eq!(atlas.glyph(handle, &font, w, 40).unwrap(), Some(first));
        let revision = atlas.revision();
        atlas.clear();
        assert!(atlas.is_empty() && atlas.revision() > revision);
        // The solid block survives a clear.
        assert_eq!(atlas.pixels()[ATLAS_WIDTH as usize + 1], 255);
    }

    #[test]
    fn a_space_has_no_ink_and_is_remembered() {
        let font = font();
        let mut atlas = GlyphAtlas::default();
        let space = font.glyph_id(' ');
        let revision = atlas.revision();
        assert_eq!(
            atlas.glyph(Handle::for_tests(0), &font, space, 24),
            Ok(None)
        );
        assert_eq!(atlas.len(), 1);
        assert_eq!(atlas.revision(), revision, "nothing to upload");
    }
}
