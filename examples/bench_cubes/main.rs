//! bench_cubes: N individually moving and rotating cubes (default 100,000), instanced, with a
//! shadowing sun, drawn by Layer-W's forward renderer. Prints frame-time percentiles, draw
//! calls, triangles and per-stage timings at the end.
//!
//! ```text
//! cargo run --release --example bench_cubes -- [N] [--headless] [--frames F] [--no-shadows]
//!     [--resolution WxH] [--msaa 1|4] [--screenshot out.png]
//! ```
//! `--headless` renders into an image with no window (machines without a display); frames
//! then wait for the GPU, so frame times include GPU time. F3 shows and hides the stats
//! overlay (shown in a window, hidden headless).
//!
//! In the browser (`scripts/web.sh bench_cubes`), the page's query string takes the same
//! options: `?n=20000&no-shadows&msaa=1`; the running percentiles and stage timings are shown
//! on the page (and left in `window.layerwBench` as JSON).

use layerw::components::{Camera, MaterialIndex, MeshRef, Sun, Transform};
use layerw::engine::gpu::{RenderStats, RendererConfig, Screenshot};
use layerw::engine::platform::KeyCode;
use layerw::engine::render::{MaterialParams, Materials, Mesh, MeshAssets};
use layerw::engine::schedule::{StageTimings, monotonic_seconds};
use layerw::prelude::*;

#[derive(Clone, Copy)]
struct Motion {
    base: Vec3,
    phase: f32,
    axis: Vec3,
    rate: f32,
}

#[derive(Clone)]
struct Options {
    count: u32,
    headless: bool,
    frames: u64,
    shadows: bool,
    resolution: UVec2,
    msaa: u32,
    screenshot: Option<std::path::PathBuf>,
    /// The renderer's settings that `--no-bloom`, `--no-ao`, `--no-fxaa`, `--no-sky` and
    /// `--cascades N` change (BENCHMARKS.md's per-pass costs).
    renderer: RendererConfig,
}

/// The command line natively; the page's query string in the browser (`n=N` for the count,
/// `key=value` for `--key value`, `key` for `--key`).
fn arguments() -> Vec<String> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::env::args().skip(1).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        let query = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let mut args = Vec::new();
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            match pair.split_once('=') {
                Some(("n", n)) => args.push(n.to_owned()),
                Some((key, value)) => args.extend([format!("--{key}"), value.to_owned()]),
                None => args.push(format!("--{pair}")),
            }
        }
        args
    }
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        count: 100_000,
        headless: false,
        frames: 300,
        shadows: true,
        resolution: UVec2::new(1280, 720),
        msaa: 4,
        screenshot: None,
        renderer: RendererConfig::default(),
    };
    let mut args = arguments().into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--headless" => o.headless = true,
            "--no-shadows" => o.shadows = false,
            "--no-bloom" => o.renderer.bloom = None,
            "--no-ao" => o.renderer.ambient_occlusion = None,
            "--no-fxaa" => o.renderer.fxaa = false,
            "--no-sky" => o.renderer.skybox = false,
            "--cascades" => {
                o.renderer.shadow_cascades = args
                    .next()
                    .and_then(|f| f.parse().ok())
                    .filter(|c| (1..=4).contains(c))
                    .ok_or("--cascades needs 1 to 4")?
            }
            "--frames" => {
                o.frames = args
                    .next()
                    .and_then(|f| f.parse().ok())
                    .ok_or("--frames needs a number")?
            }
            "--msaa" => {
                o.msaa = args
                    .next()
                    .and_then(|f| f.parse().ok())
                    .filter(|m| [1, 4].contains(m))
                    .ok_or("--msaa needs 1 or 4")?
            }
            "--resolution" => {
                let r = args.next().ok_or("--resolution needs WxH")?;
                let (w, h) = r.split_once('x').ok_or("--resolution needs WxH")?;
                o.resolution = UVec2::new(
                    w.parse().map_err(|_| "bad width")?,
                    h.parse().map_err(|_| "bad height")?,
                );
            }
            "--screenshot" => {
                o.screenshot = Some(args.next().ok_or("--screenshot needs a path")?.into())
            }
            n => o.count = n.parse().map_err(|_| format!("unknown argument {n}"))?,
        }
    }
    Ok(o)
}

/// Per-frame measurements, filled by a frame hook.
#[derive(Default)]
struct Samples {
    frame: Vec<f64>,
    update: Vec<f64>,
    extract: Vec<f64>,
    submit: Vec<f64>,
    gpu: Vec<f64>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// The summary printed at the end natively, and kept up to date on the page on the web.
fn summary(options: &Options, s: &Samples, stats: Option<&RenderStats>) -> Vec<String> {
    let frames = sorted(&s.frame);
    let gpu = sorted(&s.gpu);
    let mut lines = vec![
        format!(
            "bench_cubes: {} cubes, {} frames, {}x{}, shadows {}, MSAA {}x",
            options.count,
            s.frame.len(),
            options.resolution.x,
            options.resolution.y,
            if options.shadows { "on" } else { "off" },
            options.msaa
        ),
        format!(
            "frame time: p50 {:.2} ms, p99 {:.2} ms, mean {:.2} ms ({:.1} FPS at p50)",
            percentile(&frames, 0.5) * 1e3,
            percentile(&frames, 0.99) * 1e3,
            mean(&frames) * 1e3,
            1.0 / percentile(&frames, 0.5).max(1e-9)
        ),
        format!(
            "per frame (mean): update {:.2} ms, render extraction {:.2} ms, GPU submit{} {:.2} ms",
            mean(&s.update) * 1e3,
            mean(&s.extract) * 1e3,
            if options.headless { " + wait" } else { "" },
            mean(&s.submit) * 1e3
        ),
    ];
    lines.push(if gpu.is_empty() {
        "GPU time: no timestamp queries on this adapter".to_owned()
    } else {
        format!(
            "GPU time (whole frame: shadow, PBR, tonemap + overlay passes): p50 {:.2} ms, p99 {:.2} ms",
            percentile(&gpu, 0.5) * 1e3,
            percentile(&gpu, 0.99) * 1e3
        )
    });
    if let Some(stats) = stats {
        lines.push(format!(
            "{} instances, {} triangles, {} draw calls per frame",
            stats.frame.instances, stats.frame.triangles, stats.frame.draw_calls
        ));
    }
    lines
}

/// Bobs and turns every cube on its own phase, axis and rate.
fn move_cubes(mut cubes: Query<(&mut Transform, &Motion)>, time: Res<Time>) {
    let t = time.elapsed_seconds() as f32;
    cubes.par_for_each_batched(4096, |(transform, m)| {
        let angle = t * m.rate + m.phase;
        transform.translation = m.base + Vec3::new(0.0, 0.6 * angle.sin(), 0.0);
        transform.rotation = Quat::from_axis_angle(m.axis, angle);
    });
}

/// Builds the scene: the cubes, the ground, the camera and the sun.
fn app(options: &Options) -> App {
    let mut meshes = MeshAssets::default();
    let cube = meshes.add(Mesh::cube(1.0)).unwrap();
    let ground = meshes.add(Mesh::plane(1.0)).unwrap();
    let mut materials: Vec<MaterialParams> = (0..8)
        .map(|i| {
            let hue = i as f32 / 8.0 * std::f32::consts::TAU;
            MaterialParams {
                base_color: Vec4::new(
                    0.5 + 0.4 * hue.cos(),
                    0.5 + 0.4 * (hue + 2.1).cos(),
                    0.5 + 0.4 * (hue + 4.2).cos(),
                    1.0,
                ),
                metallic: (i % 2) as f32,
                roughness: 0.35 + 0.07 * i as f32,
                ..Default::default()
            }
        })
        .collect();
    materials.push(MaterialParams {
        base_color: Vec4::new(0.5, 0.5, 0.5, 1.0),
        roughness: 0.9,
        ..Default::default()
    });
    let mut material_table = Materials::default();
    material_table
        .set(materials)
        .expect("9 materials fit the table");

    let side = (options.count as f32).sqrt().ceil() as u32;
    let spacing = 1.6;
    let half = side as f32 * spacing / 2.0;
    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        // A bench measures frames, not logging: no subscriber.
        log: None,
        assets: Default::default(),
        window: WindowConfig {
            title: format!("Layer-W bench_cubes ({} cubes)", options.count),
            internal_resolution: options.resolution,
            pacing: FramePacing::Unlimited,
            ..WindowConfig::default()
        },
        // The shadow map covers the whole grid.
        extract: ExtractPlugin {
            shadow_bounds: ShadowBounds::Fixed {
                center: Vec3::ZERO,
                radius: half * std::f32::consts::SQRT_2 + 2.0,
            },
            camera_controls: false,
        },
        render: RenderPlugin {
            renderer: RendererConfig {
                msaa: options.msaa,
                ..options.renderer.clone()
            },
            // Headless, frames wait for the GPU: frame times include GPU time.
            wait_gpu: options.headless,
        },
        // Every cube is drawn: the bench measures instancing, not culling or LOD.
        cull: None,
        lod: None,
        // The overlay shows in a window; F3 toggles it.
        diagnostics: Some(DiagnosticsPlugin {
            overlay: !options.headless,
            toggle_key: Some(KeyCode::F3),
            memory_report_every: None,
            frame_times: None,
        }),
    });
    app.insert_resource(meshes).insert_resource(material_table);
    if options.headless {
        app.set_headless(HeadlessRun {
            frames: Some(options.frames),
            timestep: Timestep::Fixed(1.0 / 60.0),
            max_fps: None,
        });
    }
    let cubes = (0..options.count).map(|i| {
        let (x, z) = (
            (i % side) as f32 * spacing - half,
            (i / side) as f32 * spacing - half,
        );
        let h = (i.wrapping_mul(2_654_435_761) >> 8) as f32 / (1u32 << 24) as f32;
        let base = Vec3::new(x, 1.0, z);
        (
            Transform::from_translation(base),
            MeshRef(cube),
            MaterialIndex((i % 8) as u16),
            Motion {
                base,
                phase: h * std::f32::consts::TAU,
                axis: Vec3::new(h - 0.5, 1.0, 0.5 - h).normalize(),
                rate: 0.5 + 2.0 * h,
            },
        )
    });
    app.world_mut().spawn_batch(cubes);
    app.world_mut().spawn((
        Transform::from_translation(Vec3::ZERO).with_scale(Vec3::splat(half * 2.2)),
        MeshRef(ground),
        MaterialIndex(8),
    ));
    let eye = Vec3::new(0.0, half * 0.45 + 8.0, half * 0.9 + 10.0);
    app.world_mut().spawn((
        Transform::from_translation(eye).looking_at(Vec3::new(0.0, 0.0, half * 0.2)),
        Camera {
            far: half * 4.0 + 100.0,
            ..Camera::default()
        },
    ));
    app.world_mut().spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.4, -1.0, -0.3).normalize(),
        )),
        Sun {
            color: Vec3::new(1.0, 0.96, 0.9),
            intensity: 3.0,
            shadows: options.shadows,
        },
    ));
    app.add_system(Stage::Update, move_cubes);
    if let Some(path) = options.screenshot.clone() {
        app.insert_resource(Screenshot { path });
    }

    app
}

fn main() {
    let options = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench_cubes: {e}");
            std::process::exit(2);
        }
    };
    let mut app = app(&options);
    if let Ok(why) = app.world().try_resource::<RenderUnavailable>() {
        eprintln!("bench_cubes: {}", why.0);
        std::process::exit(1);
    }

    let samples = std::rc::Rc::new(std::cell::RefCell::new(Samples::default()));
    let recorder = samples.clone();
    let mut last: Option<f64> = None;
    // Frame hooks run in order: draw (RenderPlugin's), then measure.
    #[cfg(target_arch = "wasm32")]
    let page_options = options.clone();
    app.add_frame_hook(move |world| {
        let Ok(stats) = world.try_resource::<RenderStats>() else {
            return; // nothing drawn yet (the browser's GPU is still opening)
        };
        let now = monotonic_seconds().unwrap_or(0.0);
        let mut s = recorder.borrow_mut();
        if let Some(last) = last {
            s.frame.push(now - last);
        }
        last = Some(now);
        if let Ok(stages) = world.try_resource::<StageTimings>() {
            s.update
                .push(stages.seconds(Stage::Update) + stages.seconds(Stage::FixedUpdate));
            s.extract.push(stages.seconds(Stage::Render));
        }
        s.submit.push(stats.submit_seconds);
        if let Some(gpu) = stats.gpu_seconds {
            s.gpu.push(gpu);
        }
        #[cfg(target_arch = "wasm32")]
        if stats.frames % 30 == 0 {
            // The page shows a window of recent frames.
            const WINDOW: usize = 600;
            let s = &mut *s;
            for v in [
                &mut s.frame,
                &mut s.update,
                &mut s.extract,
                &mut s.submit,
                &mut s.gpu,
            ] {
                if v.len() > WINDOW {
                    v.drain(..v.len() - WINDOW);
                }
            }
            web::publish(&summary(&page_options, s, Some(&stats)), s, &stats);
        }
    });
    #[cfg(not(target_arch = "wasm32"))]
    let stats = std::rc::Rc::new(std::cell::RefCell::new(None));
    #[cfg(not(target_arch = "wasm32"))]
    {
        let last_stats = stats.clone();
        app.add_frame_hook(move |world| {
            *last_stats.borrow_mut() = world.try_resource::<RenderStats>().ok().map(|s| *s);
        });
    }
    let report = match app.run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench_cubes: {e}");
            std::process::exit(1);
        }
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = report;
        for line in summary(&options, &samples.borrow(), stats.borrow().as_ref()) {
            println!("{line}");
        }
    }
    #[cfg(target_arch = "wasm32")]
    let _ = (report, samples);
}

/// The page shows the summary in `<pre id="stats">` and keeps it, with the raw figures, in
/// `window.layerwBench` as JSON.
#[cfg(target_arch = "wasm32")]
mod web {
    use super::{RenderStats, Samples, mean, percentile, sorted};

    pub fn publish(lines: &[String], s: &Samples, stats: &RenderStats) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(pre) = window.document().and_then(|d| d.get_element_by_id("stats")) {
            pre.set_text_content(Some(&lines.join("\n")));
        }
        let frames = sorted(&s.frame);
        let json = format!(
            "{{\"frames\":{},\"p50_ms\":{:.3},\"p99_ms\":{:.3},\"extract_ms\":{:.3},\"draw_calls\":{},\"instances\":{},\"triangles\":{}}}",
            stats.frames,
            percentile(&frames, 0.5) * 1e3,
            percentile(&frames, 0.99) * 1e3,
            mean(&s.extract) * 1e3,
            stats.frame.draw_calls,
            stats.frame.instances,
            stats.frame.triangles
        );
        let _ = js_sys::Reflect::set(&window, &"layerwBench".into(), &json.into());
    }
}
