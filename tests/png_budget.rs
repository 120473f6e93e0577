//! PNG decoding under the real global allocator (walloc, which this facade installs): a
//! texture larger than the General tier's budget decodes on budget other tiers lend, and a
//! small PNG that describes a huge image is a typed error, not an allocation failure (which,
//! for the global allocator, aborts the process: before the decoder checked its output size
//! against the tier, this test binary died).

use layerw::engine::render::{TextureError, TextureImage};
use layerw::walloc::{self, Config, Tier};

/// A PNG chunk: length, type, data, CRC of type and data.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// 16384 x 16384 RGBA (1 GiB decoded, the largest edge the decoder accepts) in 60-odd bytes:
/// the header is all the decoder reads before it sizes its buffer.
fn huge_png() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&16384u32.to_be_bytes());
    ihdr.extend_from_slice(&16384u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA, deflate, no filter, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    // An empty zlib stream's worth of IDAT: decoding never gets that far.
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A `side` x `side` 8-bit grey PNG (decoded: `side²` bytes of grey plus `4 side²` of RGBA).
fn grey_png(side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap();
    let pixels: Vec<u8> = (0..side * side).map(|i| (i % 251) as u8).collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

// One test: it lowers the global instance's ceiling, which would race with others.
#[test]
fn textures_past_general_budget_decode_on_lent_budget_and_a_huge_one_is_a_typed_error() {
    assert!(walloc::is_global_allocator(), "the facade installs walloc");
    // A 512 MiB ceiling: General is guaranteed 5 % (25.6 MiB), and Render, Scene and Entity
    // lend what they do not use.
    walloc::global()
        .set_config(Config::DEFAULT.with_ceiling(512 << 20))
        .unwrap();
    let general = walloc::stats().tier(Tier::General).budget;

    // 4096² grey: 80 MiB to decode (grey buffer and RGBA), more than General's budget. Before
    // lending the decoder refused it (OutOfMemory) on a machine with memory to spare.
    let png = grey_png(4096);
    let needed = 4096 * 4096 * 5;
    assert!(needed > general, "{needed} {general}");
    let image = TextureImage::decode_png(&png).expect("lent budget serves the decode");
    assert_eq!((image.width, image.height), (4096, 4096));
    assert_eq!(image.pixels[4 * 300], (300 % 251) as u8);
    drop(image);

    // 16384² RGBA (1 GiB) past everything the ceiling holds: a typed error, not an abort.
    let png = huge_png();
    assert!(png.len() < 100);
    match TextureImage::decode_png(&png) {
        Err(TextureError::OutOfMemory { needed, available }) => {
            assert_eq!(needed, 16384 * 16384 * 4);
            assert!(available < 512 << 20, "{available}");
        }
        other => panic!("expected OutOfMemory, got {other:?}"),
    }
    // Nothing was lost: the tier still serves allocations.
    let after = vec![1u8; 1 << 20];
    assert_eq!(after.len(), 1 << 20);
    // A normal texture still decodes.
    let checker =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/checker.png")).unwrap();
    let image = TextureImage::decode_png(&checker).unwrap();
    assert_eq!((image.width, image.height), (256, 256));
}
