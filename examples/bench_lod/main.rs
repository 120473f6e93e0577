//! bench_lod: a large field of high-poly spheres flown through by a scripted camera. Each
//! sphere is drawn from a LOD chain cooked at start-up with meshoptimizer (`layerw-cook`,
//! off the frame); the Lod stage picks a level per sphere from its projected error and the
//! Culling stage keeps what the camera and the sun's shadow map see. Prints frame-time
//! percentiles, triangles and draw calls per frame, and the Lod and Culling stages' times.
//!
//! ```text
//! cargo run --release --example bench_lod -- [--grid N] [--segments S] [--frames F]
//!     [--headless] [--no-lod] [--no-cull] [--budget TRIANGLES] [--screenshot out.png]
//! ```
//! `--grid N` makes N x N spheres (default 100: 10,000); `--segments S` their finest level
//! (S x S/2 quads, default 128: 16,128 triangles); `--no-lod` draws the finest level
//! everywhere, `--no-cull` draws everything. Run it twice, with and without `--no-lod`, to
//! see the triangle savings and their frame-time effect.

use layerw::components::{
    Camera, DrawPasses, LodMesh, MaterialIndex, MeshRef, Static, Sun, Transform,
};
use layerw::engine::gpu::{RenderStats, Screenshot};
use layerw::engine::lod::{LodAssets, LodSettings};
use layerw::engine::platform::KeyCode;
use layerw::engine::render::{MaterialParams, Materials, Mesh, MeshAssets};
use layerw::engine::schedule::{StageTimings, monotonic_seconds};
use layerw::prelude::*;
use layerw::systems::CullStats;

#[derive(Clone)]
struct Options {
    grid: u32,
    segments: u32,
    frames: u64,
    headless: bool,
    lod: bool,
    cull: bool,
    budget: Option<u64>,
    screenshot: Option<std::path::PathBuf>,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        grid: 100,
        segments: 128,
        frames: 300,
        headless: false,
        lod: true,
        cull: true,
        budget: None,
        screenshot: None,
    };
    let mut args = std::env::args().skip(1);
    let number = |args: &mut std::iter::Skip<std::env::Args>, what: &str| {
        args.next()
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or(format!("{what} needs a number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--grid" => o.grid = number(&mut args, "--grid")? as u32,
            "--segments" => o.segments = number(&mut args, "--segments")?.max(8) as u32,
            "--frames" => o.frames = number(&mut args, "--frames")?,
            "--budget" => o.budget = Some(number(&mut args, "--budget")?),
            "--headless" => o.headless = true,
            "--no-lod" => o.lod = false,
            "--no-cull" => o.cull = false,
            "--screenshot" => {
                o.screenshot = Some(args.next().ok_or("--screenshot needs a path")?.into())
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

#[derive(Default)]
struct Samples {
    frame: Vec<f64>,
    lod: Vec<f64>,
    cull: Vec<f64>,
    extract: Vec<f64>,
    gpu: Vec<f64>,
    triangles: Vec<u64>,
    draws: Vec<u32>,
    visible: Vec<u32>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

const SPACING: f32 = 3.0;

/// The scripted flight: low over the field from one end to the other, weaving, looking ahead
/// and down; `t` runs from 0 to 1 over the run.
fn camera_at(t: f32, half: f32) -> Transform {
    let z = half - 2.0 * half * t;
    let x = half * 0.3 * (t * std::f32::consts::TAU).sin();
    let eye = Vec3::new(x, 6.0 + 2.0 * (t * 9.0).sin(), z + 10.0);
    Transform::from_translation(eye).looking_at(Vec3::new(x * 0.8, 0.0, z - 30.0))
}

/// The flight's length in frames and the field's half width, a resource.
struct Flight {
    frames: f32,
    half: f32,
}

/// Places the camera on the flight and the shadow map on the field ahead of it.
fn fly_the_camera(
    mut cameras: Query<(&mut Transform, &Camera)>,
    time: Res<Time>,
    flight: Res<Flight>,
    mut shadow: ResMut<ShadowBounds>,
) {
    let t = (time.frame() as f32 / flight.frames).min(1.0);
    for (transform, _) in cameras.iter() {
        *transform = camera_at(t, flight.half);
        let ahead = transform.translation + transform.rotation * Vec3::new(0.0, 0.0, -45.0);
        *shadow = ShadowBounds::Fixed {
            center: Vec3::new(ahead.x, 0.0, ahead.z),
            radius: 60.0,
        };
    }
}

fn main() {
    let options = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench_lod: {e}");
            std::process::exit(2);
        }
    };
    // Cooking happens before the first frame: never inside one.
    let cooked = monotonic_seconds().unwrap_or(0.0);
    let sphere = Mesh::sphere(1.0, options.segments, options.segments / 2);
    let chain = match layerw_cook::generate_chain(&sphere, &layerw_cook::ChainOptions::default()) {
        Ok(chain) => chain,
        Err(e) => {
            eprintln!("bench_lod: cooking the sphere: {e}");
            std::process::exit(1);
        }
    };
    let cook_seconds = monotonic_seconds().unwrap_or(0.0) - cooked;
    let level_triangles: Vec<usize> = chain.levels().iter().map(|l| l.triangles()).collect();
    let mut meshes = MeshAssets::default();
    let mut lods = LodAssets::default();
    let spheres = lods
        .add(chain, &mut meshes)
        .expect("a cooked chain is valid");
    let finest = lods
        .get(spheres)
        .expect("just added")
        .levels
        .last()
        .expect("levels")
        .mesh;
    let ground = meshes.add(Mesh::plane(1.0)).expect("a plane is valid");
    let mut materials: Vec<MaterialParams> = (0..8)
        .map(|i| {
            let hue = i as f32 / 8.0 * std::f32::consts::TAU;
            MaterialParams {
                base_color: Vec4::new(
                    0.55 + 0.35 * hue.cos(),
                    0.55 + 0.35 * (hue + 2.1).cos(),
                    0.55 + 0.35 * (hue + 4.2).cos(),
                    1.0,
                ),
                metallic: (i % 3 == 0) as u8 as f32,
                roughness: 0.3 + 0.08 * i as f32,
                ..Default::default()
            }
        })
        .collect();
    materials.push(MaterialParams {
        base_color: Vec4::new(0.45, 0.5, 0.42, 1.0),
        roughness: 0.95,
        ..Default::default()
    });
    let mut material_table = Materials::default();
    material_table.set(materials).expect("9 materials fit");

    let mut settings = LodSettings::default();
    if let Some(budget) = options.budget {
        settings = settings.with_triangle_budget(Some(budget));
    }
    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        // A bench measures frames, not logging: no subscriber.
        log: None,
        assets: Default::default(),
        window: WindowConfig {
            title: "Layer-W bench_lod".into(),
            pacing: FramePacing::Unlimited,
            ..WindowConfig::default()
        },
        // The shadow map covers the stretch of field ahead of the camera: the flight system
        // below moves it every frame.
        extract: ExtractPlugin {
            shadow_bounds: ShadowBounds::Fixed {
                center: Vec3::ZERO,
                radius: 60.0,
            },
            camera_controls: false,
        },
        render: RenderPlugin {
            // Headless, frames wait for the GPU: frame times include GPU time.
            wait_gpu: options.headless,
            ..RenderPlugin::default()
        },
        cull: options.cull.then_some(CullPlugin),
        lod: options.lod.then_some(LodPlugin { settings }),
        // The stats overlay in a window (F3 toggles it); none headless.
        diagnostics: Some(DiagnosticsPlugin {
            overlay: !options.headless,
            toggle_key: Some(KeyCode::F3),
            memory_report_every: None,
            frame_times: None,
        }),
    });
    if let Ok(why) = app.world().try_resource::<RenderUnavailable>() {
        eprintln!("bench_lod: {}", why.0);
        std::process::exit(1);
    }
    app.insert_resource(meshes)
        .insert_resource(lods)
        .insert_resource(material_table);
    if options.headless {
        app.set_headless(HeadlessRun {
            frames: Some(options.frames),
            timestep: Timestep::Fixed(1.0 / 60.0),
            max_fps: None,
        });
    }
    let half = options.grid as f32 * SPACING / 2.0;
    let grid = options.grid;
    let lod = options.lod;
    let field = (0..grid * grid).map(move |i| {
        let h = (i.wrapping_mul(2_654_435_761) >> 8) as f32 / (1u32 << 24) as f32;
        let position = Vec3::new(
            (i % grid) as f32 * SPACING - half + (h - 0.5),
            0.6 + 0.8 * h,
            (i / grid) as f32 * SPACING - half + (0.5 - h),
        );
        (
            Transform::from_translation(position).with_scale(Vec3::splat(0.6 + 0.6 * h)),
            MeshRef(finest),
            MaterialIndex((i % 8) as u16),
            Static,
        )
    });
    let entities: Vec<Entity> = app.world_mut().spawn_batch(field);
    if lod {
        for entity in entities {
            let _ = app.world_mut().insert_one(entity, LodMesh::new(spheres));
        }
    }
    app.world_mut().spawn((
        Transform::from_translation(Vec3::ZERO).with_scale(Vec3::splat(half * 2.2)),
        MeshRef(ground),
        MaterialIndex(8),
        DrawPasses::default(),
    ));
    app.world_mut().spawn((
        camera_at(0.0, half),
        Camera {
            far: 400.0,
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
            shadows: true,
        },
    ));
    app.insert_resource(Flight {
        frames: options.frames.max(1) as f32,
        half,
    });
    app.add_system(Stage::Update, fly_the_camera);
    if let Some(path) = options.screenshot.clone() {
        app.insert_resource(Screenshot { path });
    }

    let samples = std::rc::Rc::new(std::cell::RefCell::new(Samples::default()));
    let recorder = samples.clone();
    let mut last: Option<f64> = None;
    app.add_frame_hook(move |world| {
        let Ok(stats) = world.try_resource::<RenderStats>() else {
            return;
        };
        let now = monotonic_seconds().unwrap_or(0.0);
        let mut s = recorder.borrow_mut();
        if let Some(last) = last {
            s.frame.push(now - last);
        }
        last = Some(now);
        if let Ok(stages) = world.try_resource::<StageTimings>() {
            s.lod.push(stages.seconds(Stage::Lod));
            s.cull.push(stages.seconds(Stage::Culling));
            s.extract.push(stages.seconds(Stage::Render));
        }
        if let Some(gpu) = stats.gpu_seconds {
            s.gpu.push(gpu);
        }
        s.triangles.push(stats.frame.triangles);
        if let Ok(cull) = world.try_resource::<CullStats>() {
            s.visible.push(cull.visible);
        }
        s.draws.push(stats.frame.draw_calls);
    });
    if let Err(e) = app.run() {
        eprintln!("bench_lod: {e}");
        std::process::exit(1);
    }
    let s = samples.borrow();
    let sorted = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    };
    let frames = sorted(&s.frame);
    let gpu = sorted(&s.gpu);
    let triangles = s.triangles.iter().sum::<u64>() as f64 / s.triangles.len().max(1) as f64;
    println!(
        "bench_lod: {} spheres ({} triangles each at full detail), {} frames, LOD {}, culling {}",
        grid * grid,
        level_triangles.last().copied().unwrap_or(0),
        s.frame.len(),
        if lod { "on" } else { "off" },
        if options.cull { "on" } else { "off" }
    );
    println!(
        "chain: {} levels, triangles {:?}, cooked in {:.0} ms (before the first frame)",
        level_triangles.len(),
        level_triangles,
        cook_seconds * 1e3
    );
    println!(
        "frame time: p50 {:.2} ms, p99 {:.2} ms; GPU (whole frame) p50 {:.2} ms",
        percentile(&frames, 0.5) * 1e3,
        percentile(&frames, 0.99) * 1e3,
        percentile(&gpu, 0.5) * 1e3
    );
    println!(
        "per frame: {:.0} triangles drawn ({:.2}M, mean), {:.1} draw calls (mean); p50 of the \
         Lod stage {:.3} ms, Culling stage {:.3} ms, extraction {:.3} ms",
        triangles,
        triangles / 1e6,
        s.draws.iter().map(|&d| f64::from(d)).sum::<f64>() / s.draws.len().max(1) as f64,
        percentile(&sorted(&s.lod), 0.5) * 1e3,
        percentile(&sorted(&s.cull), 0.5) * 1e3,
        percentile(&sorted(&s.extract), 0.5) * 1e3
    );
    println!(
        "first frame (indexing every static sphere): Culling stage {:.1} ms",
        s.cull.first().copied().unwrap_or(0.0) * 1e3
    );
    if !s.visible.is_empty() {
        println!(
            "culling: {:.0} of {} spheres visible per frame (mean)",
            s.visible.iter().map(|&v| f64::from(v)).sum::<f64>() / s.visible.len() as f64,
            grid * grid
        );
    }
}
