//! A small PNG that describes a huge image, decoded under the real global allocator (walloc,
//! which this facade installs): a typed error, not an allocation failure. An allocation
//! failure of the global allocator aborts the process, so before the decoder checked its
//! output size against the tier this test binary died.

use layerw::engine::render::{TextureError, TextureImage};
use layerw::walloc::{self, Tier};

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

#[test]
fn a_huge_png_is_a_typed_error_under_walloc() {
    assert!(walloc::is_global_allocator(), "the facade installs walloc");
    let general = walloc::stats().tier(Tier::General).budget;
    let png = huge_png();
    assert!(png.len() < 100);
    match TextureImage::decode_png(&png) {
        Err(TextureError::OutOfMemory { needed, available }) => {
            assert_eq!(needed, 16384 * 16384 * 4);
            assert!(
                available < needed && available <= general + (64 << 20),
                "{available}"
            );
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
