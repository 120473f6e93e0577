//! Textures on the CPU: RGBA8 images (decoded from PNG or given raw), checked, capped in size
//! (1024 px, 2048 px for assets marked critical) and mipmapped before the GPU sees them.

use core::fmt;

/// The largest edge a texture keeps (larger ones are halved until they fit, with a warning).
pub const MAX_TEXTURE_SIZE: u32 = 1024;
/// The largest edge a texture marked critical keeps.
pub const MAX_CRITICAL_TEXTURE_SIZE: u32 = 2048;
/// The largest edge accepted at all (a decode bomb guard).
pub const MAX_SOURCE_TEXTURE_SIZE: u32 = 16384;

/// Why an image was refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum TextureError {
    /// Width or height is zero.
    Empty,
    /// The pixel data does not match the size.
    SizeMismatch {
        /// Bytes expected (width x height x 4).
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// An edge exceeds [`MAX_SOURCE_TEXTURE_SIZE`].
    TooLarge {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// The limit.
        max: u32,
    },
    /// Decoding would need more memory than walloc's tier can give now (checked before
    /// allocating: a small compressed file can describe a huge image).
    OutOfMemory {
        /// Bytes the decoder would allocate.
        needed: u64,
        /// Bytes the tier could give.
        available: u64,
    },
    /// The bytes are not a PNG this decoder can read.
    Decode(String),
    /// A PNG layout the engine does not take (16-bit channels, indexed colour).
    UnsupportedFormat(String),
}

impl fmt::Display for TextureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextureError::Empty => f.write_str("texture has no pixels"),
            TextureError::SizeMismatch { expected, actual } => {
                write!(f, "texture data is {actual} bytes, expected {expected}")
            }
            TextureError::OutOfMemory { needed, available } => write!(
                f,
                "decoding needs {needed} bytes, more than the {available} bytes its memory tier can give"
            ),
            TextureError::TooLarge { width, height, max } => {
                write!(
                    f,
                    "texture is {width}x{height}, larger than {max} on an edge"
                )
            }
            TextureError::Decode(e) => write!(f, "cannot decode the texture: {e}"),
            TextureError::UnsupportedFormat(e) => write!(f, "unsupported texture format: {e}"),
        }
    }
}

impl std::error::Error for TextureError {}

/// An RGBA8 image: one mip level.
#[derive(Clone, Debug, PartialEq)]
pub struct TextureImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Rows top to bottom, 4 bytes a pixel.
    pub pixels: Vec<u8>,
}

impl TextureImage {
    /// An image from raw RGBA8 pixels, checked.
    pub fn from_rgba8(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, TextureError> {
        if width == 0 || height == 0 {
            return Err(TextureError::Empty);
        }
        if width > MAX_SOURCE_TEXTURE_SIZE || height > MAX_SOURCE_TEXTURE_SIZE {
            return Err(TextureError::TooLarge {
                width,
                height,
                max: MAX_SOURCE_TEXTURE_SIZE,
            });
        }
        let expected = width as usize * height as usize * 4;
        if pixels.len() != expected {
            return Err(TextureError::SizeMismatch {
                expected,
                actual: pixels.len(),
            });
        }
        Ok(TextureImage {
            width,
            height,
            pixels,
        })
    }

    /// Decodes a PNG (8-bit grey, grey + alpha, RGB or RGBA; indexed colour and grey under 8
    /// bits are expanded to those, a transparency chunk to alpha), safe for untrusted bytes.
    pub fn decode_png(bytes: &[u8]) -> Result<Self, TextureError> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_limits(png::Limits {
            bytes: (MAX_SOURCE_TEXTURE_SIZE as usize).pow(2) * 4,
        });
        // Palettes (common in exported textures: the Khronos BoxTextured sample has one) and
        // low bit depths to 8-bit channels; 16-bit channels stay refused below.
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder
            .read_info()
            .map_err(|e| TextureError::Decode(e.to_string()))?;
        let info = reader.info();
        let (width, height) = (info.width, info.height);
        if width > MAX_SOURCE_TEXTURE_SIZE || height > MAX_SOURCE_TEXTURE_SIZE {
            return Err(TextureError::TooLarge {
                width,
                height,
                max: MAX_SOURCE_TEXTURE_SIZE,
            });
        }
        let (color, bit_depth) = reader.output_color_type();
        if bit_depth != png::BitDepth::Eight {
            return Err(TextureError::UnsupportedFormat(format!(
                "{bit_depth:?}-bit channels"
            )));
        }
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| TextureError::Decode("image too large".into()))?;
        // The decode buffer and, unless it is already RGBA, the converted pixels live at once.
        let rgba = u64::from(width) * u64::from(height) * 4;
        let needed = size as u64
            + if color == png::ColorType::Rgba {
                0
            } else {
                rgba
            };
        if let Some(available) = crate::walloc::available_here()
            && needed > available
        {
            return Err(TextureError::OutOfMemory { needed, available });
        }
        let mut buffer = vec![0; size];
        let frame = reader
            .next_frame(&mut buffer)
            .map_err(|e| TextureError::Decode(e.to_string()))?;
        buffer.truncate(frame.buffer_size());
        let pixels = match color {
            png::ColorType::Rgba => buffer,
            png::ColorType::Rgb => buffer
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            png::ColorType::Grayscale => buffer.iter().flat_map(|&g| [g, g, g, 255]).collect(),
            png::ColorType::GrayscaleAlpha => buffer
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
            other => {
                return Err(TextureError::UnsupportedFormat(format!("{other:?} colour")));
            }
        };
        TextureImage::from_rgba8(width, height, pixels)
    }

    /// Half the size (box filter over 2x2 texels; odd edges keep their last row or column).
    pub fn half(&self) -> TextureImage {
        let (w, h) = ((self.width / 2).max(1), (self.height / 2).max(1));
        let mut pixels = Vec::with_capacity((w * h * 4) as usize);
        let texel = |x: u32, y: u32, c: usize| {
            let x = x.min(self.width - 1);
            let y = y.min(self.height - 1);
            u32::from(self.pixels[((y * self.width + x) * 4) as usize + c])
        };
        for y in 0..h {
            for x in 0..w {
                for c in 0..4 {
                    let sum = texel(2 * x, 2 * y, c)
                        + texel(2 * x + 1, 2 * y, c)
                        + texel(2 * x, 2 * y + 1, c)
                        + texel(2 * x + 1, 2 * y + 1, c);
                    pixels.push(((sum + 2) / 4) as u8);
                }
            }
        }
        TextureImage {
            width: w,
            height: h,
            pixels,
        }
    }

    /// The mip chain the GPU gets: the image halved until it fits the size cap (1024, or
    /// 2048 when `critical`; a warning says so), then halved down to 1x1.
    pub fn mip_chain(&self, critical: bool) -> Vec<TextureImage> {
        let cap = if critical {
            MAX_CRITICAL_TEXTURE_SIZE
        } else {
            MAX_TEXTURE_SIZE
        };
        let mut top = self.clone();
        if top.width > cap || top.height > cap {
            tracing::warn!(
                "texture {}x{} is larger than {cap} px: downscaled",
                top.width,
                top.height
            );
            while top.width > cap || top.height > cap {
                top = top.half();
            }
        }
        let mut chain = vec![top];
        while let Some(last) = chain.last()
            && (last.width > 1 || last.height > 1)
        {
            let next = last.half();
            chain.push(next);
        }
        chain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(
        width: u32,
        height: u32,
        color: png::ColorType,
        depth: png::BitDepth,
        data: &[u8],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = png::Encoder::new(&mut out, width, height);
        e.set_color(color);
        e.set_depth(depth);
        e.write_header().unwrap().write_image_data(data).unwrap();
        out
    }

    #[test]
    fn decodes_the_common_layouts() {
        let rgb = encode(
            2,
            1,
            png::ColorType::Rgb,
            png::BitDepth::Eight,
            &[1, 2, 3, 4, 5, 6],
        );
        let image = TextureImage::decode_png(&rgb).unwrap();
        assert_eq!(image.pixels, [1, 2, 3, 255, 4, 5, 6, 255]);
        let grey = encode(1, 1, png::ColorType::Grayscale, png::BitDepth::Eight, &[9]);
        assert_eq!(
            TextureImage::decode_png(&grey).unwrap().pixels,
            [9, 9, 9, 255]
        );
    }

    #[test]
    fn indexed_and_low_depth_pngs_expand() {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 2, 1);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(vec![10, 20, 30, 40, 50, 60]);
        encoder.set_trns(vec![255, 128]);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[1, 0]).unwrap();
        writer.finish().unwrap();
        let image = TextureImage::decode_png(&out).unwrap();
        assert_eq!(image.pixels, [40, 50, 60, 128, 10, 20, 30, 255]);
        // Two 1-bit grey pixels, black then white.
        let grey = encode(
            2,
            1,
            png::ColorType::Grayscale,
            png::BitDepth::One,
            &[0b0100_0000],
        );
        assert_eq!(
            TextureImage::decode_png(&grey).unwrap().pixels,
            [0, 0, 0, 255, 255, 255, 255, 255]
        );
    }

    #[test]
    fn bad_images_give_typed_errors() {
        let sixteen = encode(1, 1, png::ColorType::Rgba, png::BitDepth::Sixteen, &[0; 8]);
        assert!(matches!(
            TextureImage::decode_png(&sixteen),
            Err(TextureError::UnsupportedFormat(_))
        ));
        assert!(matches!(
            TextureImage::decode_png(b"not a png"),
            Err(TextureError::Decode(_))
        ));
        assert_eq!(
            TextureImage::from_rgba8(0, 4, vec![]),
            Err(TextureError::Empty)
        );
        assert_eq!(
            TextureImage::from_rgba8(2, 2, vec![0; 15]),
            Err(TextureError::SizeMismatch {
                expected: 16,
                actual: 15
            })
        );
        assert!(matches!(
            TextureImage::from_rgba8(20_000, 1, vec![]),
            Err(TextureError::TooLarge { .. })
        ));
    }

    #[test]
    fn fuzzed_pngs_never_panic() {
        use rand::{Rng, SeedableRng, rngs::SmallRng};
        let data: Vec<u8> = (0..16 * 16 * 4).map(|i| i as u8).collect();
        let valid = encode(16, 16, png::ColorType::Rgba, png::BitDepth::Eight, &data);
        let mut rng = SmallRng::seed_from_u64(4);
        for _ in 0..2000 {
            let mut bytes = valid.clone();
            for _ in 0..rng.random_range(1..6) {
                if bytes.len() < 2 {
                    break;
                }
                let i = rng.random_range(0..bytes.len());
                match rng.random_range(0..3) {
                    0 => bytes[i] = rng.random(),
                    1 => bytes.truncate(i.max(1)),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            if let Ok(image) = TextureImage::decode_png(&bytes) {
                assert_eq!(
                    image.pixels.len(),
                    (image.width * image.height * 4) as usize
                );
            }
        }
    }

    #[test]
    fn large_images_are_capped_and_mipmapped() {
        let big = TextureImage::from_rgba8(4096, 1024, vec![128; 4096 * 1024 * 4]).unwrap();
        let chain = big.mip_chain(false);
        assert_eq!((chain[0].width, chain[0].height), (1024, 256));
        assert_eq!(chain.len(), 11); // 1024 .. 1
        assert_eq!(
            (chain.last().unwrap().width, chain.last().unwrap().height),
            (1, 1)
        );
        let critical = big.mip_chain(true);
        assert_eq!((critical[0].width, critical[0].height), (2048, 512));
        assert_eq!(chain[3].pixels[0], 128); // box filtering keeps flat colours
    }
}
