//! Golden-image comparison, shared by the GPU test files (`#[path]`).
//!
//! Tolerance: a pixel differs when any channel differs by more than 16 of 255; a scene passes
//! when at most 0.5 % of its pixels differ and the mean absolute channel difference is under
//! 1.0. Set by lavapipe (Mesa 22, llvmpipe) against itself across runs, with room for other
//! rasterisers' rounding on edges. A failing run writes `<name>.actual.png` and
//! `<name>.diff.png` next to the expected image in tests/golden/. `LAYERW_UPDATE_GOLDEN=1`
//! rewrites the expected images (look at each one before committing it).
#![allow(dead_code, reason = "each test file uses its own share of the helpers")]

use std::path::{Path, PathBuf};

use layerw_engine::gpu::Image;

/// Where the golden images are.
pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Writes an RGBA8 PNG.
pub fn write_png(path: &Path, image: &Image) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&image.pixels)
        .unwrap();
}

/// Reads an RGBA8 PNG (`None` if missing or another colour type).
pub fn read_png(path: &Path) -> Option<Image> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).ok()?));
    let mut reader = decoder.read_info().ok()?;
    let mut pixels = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut pixels).ok()?;
    if info.color_type != png::ColorType::Rgba {
        return None;
    }
    pixels.truncate(info.buffer_size());
    Some(Image {
        width: info.width,
        height: info.height,
        pixels,
    })
}

/// Compares with the golden image; see the module docs for the tolerance.
pub fn check_golden(name: &str, actual: &Image) {
    let dir = golden_dir();
    let expected_path = dir.join(format!("{name}.png"));
    if std::env::var_os("LAYERW_UPDATE_GOLDEN").is_some() {
        write_png(&expected_path, actual);
        eprintln!("wrote {}", expected_path.display());
        return;
    }
    let expected = read_png(&expected_path).unwrap_or_else(|| {
        write_png(&dir.join(format!("{name}.actual.png")), actual);
        panic!(
            "no golden image {}; the actual one is next to it",
            expected_path.display()
        )
    });
    assert_eq!(
        (expected.width, expected.height),
        (actual.width, actual.height)
    );
    let mut differing = 0usize;
    let mut total = 0u64;
    let mut diff = Image {
        width: actual.width,
        height: actual.height,
        pixels: vec![0; actual.pixels.len()],
    };
    for (i, (a, e)) in actual
        .pixels
        .chunks_exact(4)
        .zip(expected.pixels.chunks_exact(4))
        .enumerate()
    {
        let d = (0..3).map(|c| a[c].abs_diff(e[c])).max().unwrap();
        total += (0..3).map(|c| u64::from(a[c].abs_diff(e[c]))).sum::<u64>();
        if d > 16 {
            differing += 1;
        }
        let v = d.saturating_mul(4);
        diff.pixels[i * 4..i * 4 + 4].copy_from_slice(&[v, v, v, 255]);
    }
    let pixels = (actual.width * actual.height) as usize;
    let share = differing as f64 / pixels as f64;
    let mean = total as f64 / (pixels * 3) as f64;
    if share > 0.005 || mean >= 1.0 {
        write_png(&dir.join(format!("{name}.actual.png")), actual);
        write_png(&dir.join(format!("{name}.diff.png")), &diff);
        panic!(
            "{name}: {:.3} % of pixels differ (limit 0.5 %), mean difference {mean:.3} (limit 1.0); \
             actual and diff images written next to {}",
            share * 100.0,
            expected_path.display()
        );
    }
}
