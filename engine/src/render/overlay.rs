//! Text overlays, such as the frame-stats panel: lines of ASCII laid out as quads of an 8x8
//! bitmap font (`font8x8`), in internal-resolution pixels. The GPU layer draws the quads over
//! the tonemapped frame; laying them out here keeps it testable without a GPU.

use bytemuck::{Pod, Zeroable};
use glam::Vec2;

/// A glyph's edge in font pixels.
pub const GLYPH_SIZE: u32 = 8;
/// Glyphs in the font atlas: ASCII.
pub const GLYPH_COUNT: u32 = 128;

/// One quad of an overlay: a glyph, or a solid box when `glyph` is negative.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
pub struct GlyphQuad {
    /// x, y (top left), width, height in internal-resolution pixels.
    pub rect: [f32; 4],
    /// The glyph's index in the atlas, or -1 for a solid box.
    pub glyph: f32,
    /// RGBA, straight alpha (the colour is linear: the target encodes sRGB).
    pub color: [u8; 4],
}

/// The font atlas: `GLYPH_COUNT` glyphs side by side, one byte of coverage (0 or 255) per
/// pixel, rows top to bottom: `GLYPH_COUNT * GLYPH_SIZE` by `GLYPH_SIZE` pixels.
pub fn font_atlas() -> Vec<u8> {
    let width = (GLYPH_COUNT * GLYPH_SIZE) as usize;
    let mut atlas = vec![0u8; width * GLYPH_SIZE as usize];
    for (glyph, rows) in font8x8::legacy::BASIC_LEGACY.iter().enumerate() {
        for (y, row) in rows.iter().enumerate() {
            for x in 0..GLYPH_SIZE as usize {
                // font8x8 stores the leftmost pixel in the lowest bit.
                if row & (1 << x) != 0 {
                    atlas[y * width + glyph * GLYPH_SIZE as usize + x] = 255;
                }
            }
        }
    }
    atlas
}

/// Lines of text in a panel with a translucent background.
#[derive(Clone, Debug, PartialEq)]
pub struct OverlayText {
    /// The lines; characters outside ASCII show as '?'.
    pub lines: Vec<String>,
    /// Top-left corner of the panel, in internal-resolution pixels.
    pub origin: Vec2,
    /// Font pixels to screen pixels (1 for 8 px glyphs, 2 for 16 px).
    pub scale: u32,
    /// Text colour.
    pub color: [u8; 4],
    /// Panel colour (alpha 0 for none).
    pub background: [u8; 4],
}

impl Default for OverlayText {
    fn default() -> Self {
        OverlayText {
            lines: Vec::new(),
            origin: Vec2::splat(8.0),
            scale: 2,
            color: [255, 255, 255, 255],
            background: [0, 0, 0, 160],
        }
    }
}

impl OverlayText {
    /// The quads: the background panel first, then one per visible glyph (spaces draw
    /// nothing). Empty when there is no text.
    pub fn layout(&self) -> Vec<GlyphQuad> {
        let cell = (GLYPH_SIZE * self.scale.max(1)) as f32;
        let line_height = cell + self.scale.max(1) as f32 * 2.0;
        let padding = cell * 0.5;
        let columns = self
            .lines
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        if columns == 0 {
            return Vec::new();
        }
        let mut quads = Vec::with_capacity(1 + self.lines.iter().map(String::len).sum::<usize>());
        if self.background[3] > 0 {
            quads.push(GlyphQuad {
                rect: [
                    self.origin.x,
                    self.origin.y,
                    columns as f32 * cell + 2.0 * padding,
                    self.lines.len() as f32 * line_height + 2.0 * padding,
                ],
                glyph: -1.0,
                color: self.background,
            });
        }
        for (row, line) in self.lines.iter().enumerate() {
            for (column, c) in line.chars().enumerate() {
                if c == ' ' {
                    continue;
                }
                let glyph = if c.is_ascii() && !c.is_ascii_control() {
                    c as u32
                } else {
                    u32::from(b'?')
                };
                quads.push(GlyphQuad {
                    rect: [
                        self.origin.x + padding + column as f32 * cell,
                        self.origin.y + padding + row as f32 * line_height,
                        cell,
                        cell,
                    ],
                    glyph: glyph as f32,
                    color: self.color,
                });
            }
        }
        quads
    }
}

/// The frame-stats overlay switch, a resource: while it is on, the GPU renderer draws FPS,
/// frame time, draw calls, triangles and walloc's tier usage over the frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StatsOverlay {
    /// Whether the panel is drawn.
    pub visible: bool,
    /// Font pixels to screen pixels.
    pub scale: u32,
}

impl Default for StatsOverlay {
    fn default() -> Self {
        StatsOverlay {
            visible: true,
            scale: 2,
        }
    }
}

impl StatsOverlay {
    /// Shows the panel if hidden, hides it if shown.
    pub fn toggle(&mut self) {
        self.visible = !self.visible;
    }
}

/// Extra lines for the stats overlay, keyed by who owns them: plugins (networking, streaming,
/// audio) put their figures here and the renderer draws them under its own.
///
/// # Example
/// ```
/// use layerw_engine::render::OverlayLines;
///
/// let mut lines = OverlayLines::default();
/// lines.set("net", "net: rtt 42 ms");
/// lines.set("net", "net: rtt 40 ms"); // replaces its own line
/// assert_eq!(lines.iter().collect::<Vec<_>>(), ["net: rtt 40 ms"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverlayLines {
    lines: Vec<(String, String)>,
}

impl OverlayLines {
    /// Sets the line owned by `key` (added at the end the first time).
    pub fn set(&mut self, key: &str, line: impl Into<String>) {
        let line = line.into();
        match self.lines.iter_mut().find(|(k, _)| k == key) {
            Some((_, existing)) => *existing = line,
            None => self.lines.push((key.to_owned(), line)),
        }
    }

    /// Removes the line owned by `key`.
    pub fn remove(&mut self, key: &str) {
        self.lines.retain(|(k, _)| k != key);
    }

    /// The lines, in the order their owners first set them.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.lines.iter().map(|(_, line)| line.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_atlas_holds_the_font() {
        let atlas = font_atlas();
        let width = (GLYPH_COUNT * GLYPH_SIZE) as usize;
        assert_eq!(atlas.len(), width * GLYPH_SIZE as usize);
        let coverage = |glyph: u8| {
            (0..GLYPH_SIZE as usize)
                .flat_map(|y| (0..8).map(move |x| (y, x)))
                .filter(|&(y, x)| atlas[y * width + glyph as usize * 8 + x] == 255)
                .count()
        };
        assert_eq!(coverage(b' '), 0);
        assert!(coverage(b'#') > 20, "a hash is mostly ink");
        // 'I' is symmetric and 'L' has its stem on the left: the bit order is right.
        let stem = (1..6).all(|y| atlas[y * width + b'L' as usize * 8] == 0)
            && (0..6).all(|y| atlas[y * width + b'L' as usize * 8 + 1] == 255);
        assert!(stem, "the L's stem is in its second column from the left");
    }

    #[test]
    fn layout_places_a_panel_then_each_visible_glyph() {
        let text = OverlayText {
            lines: vec!["FPS 60".into(), "é x".into()],
            origin: Vec2::new(10.0, 20.0),
            scale: 2,
            ..Default::default()
        };
        let quads = text.layout();
        // Panel + "FPS60" (5) + "?x" (2); spaces draw nothing.
        assert_eq!(quads.len(), 1 + 5 + 2);
        assert_eq!(quads[0].glyph, -1.0);
        // 6 columns of 16 px plus 8 px padding each side; 2 lines of 20 px plus padding.
        assert_eq!(
            quads[0].rect,
            [10.0, 20.0, 6.0 * 16.0 + 16.0, 2.0 * 20.0 + 16.0]
        );
        assert_eq!(quads[1].glyph, f32::from(b'F'));
        assert_eq!(quads[1].rect, [18.0, 28.0, 16.0, 16.0]);
        // "60" starts in the fifth column.
        assert_eq!(quads[4].rect[0], 18.0 + 4.0 * 16.0);
        assert_eq!(quads[6].glyph, f32::from(b'?'));
        assert_eq!(quads[6].rect[1], 28.0 + 20.0);
    }

    #[test]
    fn no_text_no_quads() {
        assert!(OverlayText::default().layout().is_empty());
        let blank = OverlayText {
            lines: vec![String::new()],
            ..Default::default()
        };
        assert!(blank.layout().is_empty());
    }
}
