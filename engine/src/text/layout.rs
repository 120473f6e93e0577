//! [`layout_text`]: a string to positioned glyph quads, with kerning, alignment and optional
//! word wrapping.

use glam::Vec2;

use super::{AtlasError, Font, GlyphAtlas, UiQuad};
use crate::asset::Handle;

/// How the lines of a block line up with each other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TextAlign {
    /// Flush left.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
}

impl TextAlign {
    /// Where along the free space a line starts: 0, a half, all of it.
    fn share(self) -> f32 {
        match self {
            TextAlign::Left => 0.0,
            TextAlign::Center => 0.5,
            TextAlign::Right => 1.0,
        }
    }
}

/// How a block of text looks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextStyle {
    /// The font's height (ascent to descent) in whole pixels.
    pub size: u16,
    /// RGBA, straight alpha, linear.
    pub color: [u8; 4],
    /// Line alignment inside the block.
    pub align: TextAlign,
    /// Wrap lines at spaces to stay within this many pixels (a word longer than that gets a
    /// line of its own); `None` breaks only at `'\n'`.
    pub max_width: Option<f32>,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            size: 24,
            color: [255, 255, 255, 255],
            align: TextAlign::Left,
            max_width: None,
        }
    }
}

/// Laid-out text: glyph quads relative to the block's top-left corner, and the block's size.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextBlock {
    /// One quad per glyph with ink, in reading order.
    pub quads: Vec<UiQuad>,
    /// Width (the longest line) and height (the lines) in pixels.
    pub size: Vec2,
}

impl TextBlock {
    /// The quads moved so that the block's top-left corner is at `origin`.
    pub fn placed_at(&self, origin: Vec2) -> impl Iterator<Item = UiQuad> + '_ {
        self.quads
            .iter()
            .map(move |q| q.translated(origin.x, origin.y))
    }
}

/// Lays `text` out in `font` (stored under `handle`, the atlas's key for it), rasterising the
/// glyphs it has not seen at this size into `atlas`. Pen positions are rounded to whole
/// pixels so glyphs map one to one onto the screen's pixels. Advances and kerning come from
/// the font.
///
/// # Errors
/// [`AtlasError::Full`] when a new glyph finds no room in the atlas.
///
/// # Example
/// ```
/// use layerw_engine::asset::Handle;
/// use layerw_engine::text::{Font, GlyphAtlas, TextStyle, layout_text};
///
/// # // WASI's test runner sees only the package's folder, not the repository's assets.
/// # #[cfg(not(target_os = "wasi"))]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let font = Font::from_bytes(std::fs::read("../assets/fonts/Cantarell-Regular.ttf")?)?;
/// let mut atlas = GlyphAtlas::default();
/// let style = TextStyle { size: 32, ..Default::default() };
/// let block = layout_text(Handle::for_tests(0), &font, &mut atlas, "Score 10", &style)?;
/// assert_eq!(block.quads.len(), 7); // the space has no ink
/// assert!(block.size.x > 80.0 && block.size.y >= 32.0);
/// # Ok(())
/// # }
/// # #[cfg(target_os = "wasi")]
/// # fn main() {}
/// ```
pub fn layout_text(
    handle: Handle<Font>,
    font: &Font,
    atlas: &mut GlyphAtlas,
    text: &str,
    style: &TextStyle,
) -> Result<TextBlock, AtlasError> {
    let size = f32::from(style.size.max(1));
    let metrics = font.line_metrics(size);
    let lines = wrap(font, text, size, style.max_width);
    let widths: Vec<f32> = lines.iter().map(|l| line_width(font, l, size)).collect();
    let block_width = widths.iter().copied().fold(0.0, f32::max);
    let mut quads = Vec::with_capacity(text.len());
    for (row, (line, width)) in lines.iter().zip(&widths).enumerate() {
        let baseline = (row as f32 * metrics.line_height + metrics.ascent).round();
        let mut pen = (block_width - width) * style.align.share();
        let mut previous = None;
        for c in line.chars() {
            let id = font.glyph_id(c);
            if let Some(previous) = previous {
                pen += font.kern_ids(previous, id, size);
            }
            if let Some(glyph) = atlas.glyph(handle, font, id, style.size.max(1))? {
                let [_, _, w, h] = glyph.uv;
                quads.push(UiQuad {
                    rect: [
                        pen.round() + glyph.offset[0],
                        baseline + glyph.offset[1],
                        w,
                        h,
                    ],
                    uv: glyph.uv,
                    color: style.color,
                });
            }
            pen += font.advance_of(id, size);
            previous = Some(id);
        }
    }
    Ok(TextBlock {
        quads,
        size: Vec2::new(
            block_width.ceil(),
            (lines.len() as f32 * metrics.line_height).ceil(),
        ),
    })
}

/// The pen's travel over `line`, kerning included.
fn line_width(font: &Font, line: &str, size: f32) -> f32 {
    let mut width = 0.0;
    let mut previous = None;
    for c in line.chars() {
        let id = font.glyph_id(c);
        if let Some(previous) = previous {
            width += font.kern_ids(previous, id, size);
        }
        width += font.advance_of(id, size);
        previous = Some(id);
    }
    width
}

/// The lines: `text` split at `'\n'`, then at spaces where a line would pass `max_width`.
fn wrap(font: &Font, text: &str, size: f32, max_width: Option<f32>) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let Some(max_width) = max_width else {
            lines.push(paragraph.to_owned());
            continue;
        };
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && line_width(font, &candidate, size) > max_width {
                lines.push(core::mem::replace(&mut line, word.to_owned()));
            } else {
                line = candidate;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> Font {
        Font::from_bytes(include_bytes!("../../../assets/fonts/Cantarell-Regular.ttf").to_vec())
            .expect("the bundled font parses")
    }

    fn layout(text: &str, style: TextStyle) -> (TextBlock, GlyphAtlas) {
        let mut atlas = GlyphAtlas::default();
        let block = layout_text(Handle::for_tests(0), &font(), &mut atlas, text, &style)
            .expect("room in the atlas");
        (block, atlas)
    }

    #[test]
    fn glyphs_are_rasterised_once_per_size() {
        let font = font();
        let mut atlas = GlyphAtlas::default();
        let handle = Handle::for_tests(0);
        let style = TextStyle::default();
        layout_text(handle, &font, &mut atlas, "aaa", &style).unwrap();
        assert_eq!(atlas.len(), 1, "one glyph, three uses");
        let revision = atlas.revision();
        layout_text(handle, &font, &mut atlas, "a", &style).unwrap();
        assert_eq!(atlas.revision(), revision, "nothing new to rasterise");
        let big = TextStyle { size: 48, ..style };
        layout_text(handle, &font, &mut atlas, "a", &big).unwrap();
        assert_eq!(atlas.len(), 2, "another size, another glyph");
        assert!(atlas.revision() > revision);
        // The glyph's pixels are in the atlas: some coverage where its quad samples.
        let block = layout_text(handle, &font, &mut atlas, "a", &big).unwrap();
        let [x, y, w, h] = block.quads[0].uv;
        let ink: u32 = (y as u32..(y + h) as u32)
            .flat_map(|row| (x as u32..(x + w) as u32).map(move |col| (row, col)))
            .map(|(row, col)| u32::from(atlas.pixels()[(row * atlas.width() + col) as usize]))
            .sum();
        assert!(ink > 255 * 20, "an 'a' at 48 px has ink");
    }

    #[test]
    fn kerning_and_advances_place_glyphs() {
        let font = font();
        let style = TextStyle {
            size: 40,
            ..Default::default()
        };
        let (block, _) = layout("AV", style);
        let expected =
            font.advance('A', 40.0) + font.kerning('A', 'V', 40.0) + font.advance('V', 40.0);
        assert!((block.size.x - expected.ceil()).abs() < 1.0);
        assert!(block.quads[1].rect[0] > block.quads[0].rect[0]);
    }

    #[test]
    fn alignment_shifts_shorter_lines() {
        let text = "WWWWWW\nii";
        let left = layout(text, TextStyle::default()).0;
        let center = layout(
            text,
            TextStyle {
                align: TextAlign::Center,
                ..Default::default()
            },
        )
        .0;
        let right = layout(
            text,
            TextStyle {
                align: TextAlign::Right,
                ..Default::default()
            },
        )
        .0;
        // The second line's first 'i' (after six W quads).
        let x = |b: &TextBlock| b.quads[6].rect[0];
        assert!(x(&left) < x(&center) && x(&center) < x(&right));
        assert_eq!(left.size, right.size);
        // The first line is the widest: it does not move.
        assert_eq!(left.quads[0].rect, right.quads[0].rect);
    }

    #[test]
    fn wrapping_breaks_at_spaces_within_the_width() {
        let text = "one two three four five six";
        let style = TextStyle {
            max_width: Some(120.0),
            ..Default::default()
        };
        let (wrapped, _) = layout(text, style);
        let (single, _) = layout(text, TextStyle::default());
        assert!(single.size.x > 200.0, "one line is wider than two wraps");
        assert!(wrapped.size.x <= 120.0);
        assert!(wrapped.size.y >= 2.0 * single.size.y, "{wrapped:?}");
        assert_eq!(wrapped.quads.len(), single.quads.len(), "the same glyphs");
    }
}
