//! Text from a TTF font drawn by the renderer on lavapipe: labels in two sizes anchored to the
//! screen's corners and centre over a 3D frame, with the 8x8 debug overlay still drawn over
//! them; a label whose text changes re-renders. Golden image tolerance and updating:
//! `support/golden.rs`. Without an adapter the tests are skipped, unless
//! `LAYERW_REQUIRE_GPU=1` makes that a failure.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw_engine::asset::Handle;
use layerw_engine::glam::{Quat, UVec2, Vec2, Vec3};
use layerw_engine::gpu::{GpuContext, Image, Renderer, RendererConfig};
use layerw_engine::render::{
    Batch, CameraView, DirectionalLight, FrameDesc, GpuInstance, Mesh, MeshAssets, OverlayText,
    RenderQueue, SkinnedFrame,
};
use layerw_engine::text::{Anchor, Font, GlyphAtlas, TextAlign, TextStyle, UiQuad, layout_text};

#[path = "support/gpu.rs"]
mod support;

#[path = "support/golden.rs"]
mod golden;
use golden::check_golden;

const SIZE: UVec2 = UVec2::new(640, 360);

fn font() -> Font {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../assets/fonts/Cantarell-Regular.ttf"
    );
    Font::from_bytes(std::fs::read(path).unwrap()).unwrap()
}

/// 100 cubes under a sun, to draw the UI over.
struct Scene {
    meshes: MeshAssets,
    instances: Vec<GpuInstance>,
    batches: Vec<Batch>,
}

impl Scene {
    fn new() -> Scene {
        let mut meshes = MeshAssets::default();
        let cube = meshes.add(Mesh::cube(0.5)).unwrap();
        let instances: Vec<GpuInstance> = (0..100)
            .map(|i| {
                let (x, z) = ((i % 10) as f32 - 5.0, (i / 10) as f32 - 5.0);
                GpuInstance::new(Vec3::new(x, 0.0, z), Quat::IDENTITY, 0.8, 0)
            })
            .collect();
        let batches = vec![Batch {
            mesh: cube,
            textures: Default::default(),
            surface: Default::default(),
            instances: 0..100,
            casters: None,
        }];
        Scene {
            meshes,
            instances,
            batches,
        }
    }

    fn frame(&self) -> FrameDesc<'_> {
        FrameDesc {
            camera: CameraView::look_at(
                Vec3::new(0.0, 8.0, 10.0),
                Vec3::ZERO,
                45f32.to_radians(),
                SIZE.x as f32 / SIZE.y as f32,
                0.1,
                100.0,
            ),
            sun: DirectionalLight {
                direction: Vec3::new(-0.4, -1.0, -0.3),
                color: Vec3::ONE,
                intensity: 3.0,
                shadows: true,
            },
            point_lights: &[],
            ambient: (Vec3::new(0.25, 0.3, 0.4), Vec3::new(0.12, 0.1, 0.08)),
            shadow_bounds: (Vec3::ZERO, 10.0),
            instances: &self.instances,
            batches: &self.batches,
            skinned: SkinnedFrame::none(),
        }
    }

    fn render(&self, gpu: &GpuContext, renderer: &mut Renderer) -> Image {
        renderer
            .sync_meshes(gpu, &self.meshes, &RenderQueue::new())
            .unwrap();
        renderer.render(gpu, &self.frame()).unwrap();
        renderer.read_output(gpu).unwrap()
    }
}

/// A label: `text` laid out in `style`, pinned at `anchor` with a 12 px margin; the quads
/// and the rectangle they cover.
fn label(
    font: &Font,
    atlas: &mut GlyphAtlas,
    text: &str,
    style: TextStyle,
    anchor: Anchor,
) -> (Vec<UiQuad>, [f32; 4]) {
    let block = layout_text(Handle::for_tests(0), font, atlas, text, &style).unwrap();
    let margin = Vec2::splat(12.0) * (Vec2::ONE - 2.0 * anchor.fraction());
    let origin = anchor.place(block.size, SIZE.as_vec2(), margin);
    let quads = block.placed_at(origin).collect();
    (quads, [origin.x, origin.y, block.size.x, block.size.y])
}

/// Pixels that differ between two images, split by whether `inside` holds for them.
fn differing(a: &Image, b: &Image, inside: impl Fn(u32, u32) -> bool) -> (usize, usize) {
    let (mut in_count, mut out_count) = (0, 0);
    for y in 0..a.height {
        for x in 0..a.width {
            let i = ((y * a.width + x) * 4) as usize;
            if a.pixels[i..i + 4] != b.pixels[i..i + 4] {
                if inside(x, y) {
                    in_count += 1;
                } else {
                    out_count += 1;
                }
            }
        }
    }
    (in_count, out_count)
}

fn within(rects: &[[f32; 4]], x: u32, y: u32) -> bool {
    let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
    rects.iter().any(|r| {
        x >= r[0] - 1.0 && y >= r[1] - 1.0 && x < r[0] + r[2] + 1.0 && y < r[1] + r[3] + 1.0
    })
}

#[test]
fn golden_ui_labels_in_two_sizes() {
    let Some(gpu) = support::or_skip(GpuContext::headless()) else {
        return;
    };
    let mut renderer = Renderer::new(
        &gpu,
        RendererConfig {
            resolution: SIZE,
            ..Default::default()
        },
    )
    .unwrap();
    let scene = Scene::new();
    let plain = scene.render(&gpu, &mut renderer);
    let base_calls = renderer.render(&gpu, &scene.frame()).unwrap().draw_calls;

    let font = font();
    let mut atlas = GlyphAtlas::default();
    let big = TextStyle {
        size: 40,
        color: [255, 255, 255, 255],
        ..Default::default()
    };
    let small = TextStyle {
        size: 18,
        color: [255, 190, 20, 255],
        align: TextAlign::Right,
        ..Default::default()
    };
    let (score, score_rect) = label(&font, &mut atlas, "Score 1234", big, Anchor::TopLeft);
    let (hint, hint_rect) = label(
        &font,
        &mut atlas,
        "Press Enter to start\nEsc quits",
        small,
        Anchor::BottomRight,
    );
    let (title, title_rect) = label(&font, &mut atlas, "Layer-W", big, Anchor::Center);
    // A translucent box behind the title, drawn first.
    let [x, y, w, h] = title_rect;
    let panel_rect = [x - 10.0, y - 6.0, w + 20.0, h + 12.0];
    let mut quads = vec![UiQuad::solid(panel_rect, [0, 0, 0, 160])];
    quads.extend(score.iter().chain(&hint).chain(&title).copied());
    renderer.set_ui(&gpu, &atlas, &quads);
    // The debug overlay keeps working, over the UI: a line at the bottom left.
    let debug = OverlayText {
        lines: vec!["debug 8x8".into()],
        origin: Vec2::new(8.0, 320.0),
        scale: 2,
        ..Default::default()
    };
    renderer.set_overlay(&gpu, &debug.layout());
    let stats = renderer.render(&gpu, &scene.frame()).unwrap();
    assert_eq!(
        stats.draw_calls,
        base_calls + 2,
        "one UI draw, one overlay draw"
    );
    let with_ui = renderer.read_output(&gpu).unwrap();
    check_golden("ui_labels", &with_ui);

    // Only the labels, the panel and the debug line changed.
    let debug_rect = [8.0, 320.0, 9.0 * 16.0 + 16.0, 20.0 + 16.0];
    let rects = [score_rect, hint_rect, panel_rect, debug_rect];
    let (inside, outside) = differing(&plain, &with_ui, |x, y| within(&rects, x, y));
    assert_eq!(outside, 0, "pixels outside the UI changed");
    for rect in [score_rect, hint_rect, title_rect] {
        let (ink, _) = differing(&plain, &with_ui, |x, y| within(&[rect], x, y));
        assert!(ink > 100, "{rect:?}: {ink} pixels of text");
    }
    assert!(inside > 3000, "{inside}");
    // The big label's glyphs are taller than the small one's.
    assert!(score_rect[3] > 2.0 * (hint_rect[3] / 2.0));
    assert_eq!(
        score_rect[..2],
        [12.0, 12.0],
        "pinned 12 px from the top-left corner"
    );
    let right = hint_rect[0] + hint_rect[2];
    assert!(
        (right - (SIZE.x as f32 - 12.0)).abs() <= 1.0,
        "{hint_rect:?}"
    );

    // Removing the UI gives the plain frame with the debug line back.
    renderer.set_ui(&gpu, &atlas, &[]);
    renderer.set_overlay(&gpu, &[]);
    assert_eq!(scene.render(&gpu, &mut renderer), plain);
}

#[test]
fn a_changed_label_re_renders() {
    let Some(gpu) = support::or_skip(GpuContext::headless()) else {
        return;
    };
    let mut renderer = Renderer::new(
        &gpu,
        RendererConfig {
            resolution: SIZE,
            ..Default::default()
        },
    )
    .unwrap();
    let scene = Scene::new();
    let font = font();
    let mut atlas = GlyphAtlas::default();
    let style = TextStyle {
        size: 32,
        ..Default::default()
    };
    let mut frames = Vec::new();
    for score in ["Score 10", "Score 17", "Score 10"] {
        let (quads, _) = label(&font, &mut atlas, score, style, Anchor::TopRight);
        renderer.set_ui(&gpu, &atlas, &quads);
        frames.push(scene.render(&gpu, &mut renderer));
    }
    assert_ne!(frames[0], frames[1], "the new score is drawn");
    assert_eq!(frames[0], frames[2], "the same text draws the same pixels");
    // Only the top-right corner changed.
    let (_, outside) = differing(&frames[0], &frames[1], |x, y| x > SIZE.x / 2 && y < 80);
    assert_eq!(outside, 0);
}
