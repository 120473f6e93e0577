//! showcase: what the renderer does, on real models. Khronos glTF samples cooked by
//! `layerw-cook` into a content pack and streamed in, on a large floor under a low sun with
//! cascaded shadows, image-based lighting from the sky and a skybox, lamp posts whose globes
//! bloom and light the ground, a spot light with its own shadow, and a glass screen drawn
//! over what is behind it; the camera circles the scene (`scene.rs`).
//!
//! ```text
//! cargo run --release --example showcase                     # a window (makes the pack first)
//! cargo run --release --example showcase -- --headless --frames 120 --screenshot a.png
//! cargo run --example showcase -- --make-pack DIR            # the pack alone
//! cargo run --example showcase -- --pack DIR                 # another pack folder
//! cargo run --example showcase -- --size 640x360 --shot-at 4 # resolution, screenshot frame
//! bash scripts/web.sh showcase                               # the browser build, then its pack
//! cargo run --example showcase -- --make-pack target/web/showcase/pack       # beside the page
//! python3 -m http.server -d target/web/showcase              # open index.html
//! ```
//!
//! The pack is cooked into target/showcase-pack when it is missing (a few seconds). A headless
//! run waits for the pack to stream completely (the clock starts then), saves the screenshot
//! on clock frame `--shot-at` (1 by default), stops `--frames` frames after it (120 by
//! default) and prints the frame times; `--size WxH` renders at another size than 1280x720.
//!
//! The page fetches the pack from `pack/` beside it (`?pack=URL` for another folder; a pack is
//! cooked natively, the cook does not build for the web, hence the second step above, after
//! scripts/web.sh, which empties its output folder). `?width=W&height=H` sets the internal
//! resolution and sizes the canvas to it; `?shot=N` stops the clock on its frame N, so the
//! canvas keeps the picture a native `--shot-at N` run saves (scripts/web_showcase_test.py
//! compares them on WebGPU and WebGL2). The page publishes its state as
//! `window.layerwShowcase` (module `web` below).

mod scene;

#[cfg(not(target_arch = "wasm32"))]
mod pack;

/// The screenshot is taken on this frame of the clock (unless `--shot-at N`).
#[cfg(not(target_arch = "wasm32"))]
const SHOT_AT: u32 = 1;

/// A headless run that has not streamed its pack after this many frames gives up.
#[cfg(not(target_arch = "wasm32"))]
const HEADLESS_FRAME_LIMIT: u64 = 1_000_000;

#[cfg(target_arch = "wasm32")]
fn main() {
    use layerw::engine::stream::FetchIo;

    // `?pack=URL`: the pack's folder (default: `pack/` beside the page); `?width=W&height=H`:
    // the internal resolution (the page sizes its canvas to match); `?shot=N`: the clock
    // stops on its frame N (see the header).
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&query).ok();
    let param = |name: &str| params.as_ref().and_then(|p| p.get(name));
    let number = |name: &str| param(name).and_then(|v| v.parse::<u32>().ok());
    let url = param("pack").unwrap_or_else(|| "pack".into());
    let resolution = match (number("width"), number("height")) {
        (Some(w), Some(h)) if w > 0 && h > 0 => layerw::prelude::UVec2::new(w, h),
        _ => scene::RESOLUTION,
    };
    let mut app = scene::app(FetchIo::new(url.trim_end_matches('/')), resolution);
    // Clock frames count from 1, as `--shot-at` (a screenshot is never of frame 0).
    app.world().resource_mut::<scene::ShowcaseClock>().stop_at = number("shot").map(|n| n.max(1));
    app.add_frame_hook(scene::watch(None, 1, None));
    app.add_frame_hook(web::publish);
    if let Err(e) = app.run() {
        web_sys::console::error_1(&e.to_string().into());
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::cell::Cell;
    use std::path::{Path, PathBuf};
    use std::rc::Rc;

    use layerw::engine::stream::FileIo;
    use layerw::prelude::HeadlessRun;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| -> Option<String> {
        let i = args.iter().position(|a| a == name)?;
        match args.get(i + 1) {
            Some(v) => Some(v.clone()),
            None => {
                eprintln!("showcase: {name} needs a value");
                std::process::exit(2);
            }
        }
    };
    let make = |dir: &Path| match pack::make_pack(dir) {
        Ok(entities) => println!(
            "showcase: the pack in {} ({entities} entities)",
            dir.display()
        ),
        Err(e) => {
            eprintln!("showcase: {e}");
            std::process::exit(1);
        }
    };
    if let Some(dir) = value("--make-pack") {
        make(Path::new(&dir));
        return;
    }
    let dir = value("--pack").map(PathBuf::from).unwrap_or_else(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/showcase-pack");
        if !dir.join(layerw::engine::stream::MANIFEST_FILE).exists() {
            make(&dir);
        }
        dir
    });
    let headless = args.iter().any(|a| a == "--headless");
    let frames: u32 = value("--frames").map_or(120, |f| {
        f.parse().unwrap_or_else(|_| {
            eprintln!("showcase: --frames wants a number");
            std::process::exit(2);
        })
    });
    let shot_at: u32 = value("--shot-at").map_or(SHOT_AT, |n| {
        n.parse().unwrap_or_else(|_| {
            eprintln!("showcase: --shot-at wants a number");
            std::process::exit(2);
        })
    });
    let resolution = value("--size").map_or(scene::RESOLUTION, |size| {
        size.split_once('x')
            .and_then(|(w, h)| {
                Some(layerw::prelude::UVec2::new(
                    w.parse().ok()?,
                    h.parse().ok()?,
                ))
            })
            .filter(|s| s.x > 0 && s.y > 0)
            .unwrap_or_else(|| {
                eprintln!("showcase: --size wants WIDTHxHEIGHT, e.g. 640x360");
                std::process::exit(2);
            })
    });
    let screenshot = value("--screenshot").map(PathBuf::from);
    let mut app = scene::app(FileIo::new(dir, 2), resolution);
    app.add_frame_hook(scene::watch(
        screenshot,
        shot_at,
        headless.then_some(frames),
    ));
    if headless {
        app.set_headless(HeadlessRun::frames(HEADLESS_FRAME_LIMIT));
    }
    // The frame times of the frames drawn once everything was in.
    let times = Rc::new(Cell::new((0u32, 0.0f64, 0.0f64)));
    let into = times.clone();
    app.add_frame_hook(move |world| {
        let complete = world.resource::<scene::ShowcaseClock>().frames_since_start > 0;
        if let (true, Ok(stats)) = (
            complete,
            world.try_resource::<layerw::engine::gpu::RenderStats>(),
        ) {
            let (n, cpu, gpu) = into.get();
            into.set((
                n + 1,
                cpu + stats.submit_seconds,
                gpu + stats.gpu_seconds.unwrap_or(0.0),
            ));
        }
    });
    let report = match app.run() {
        Ok(report) => report,
        Err(e) => {
            eprintln!("showcase: {e}");
            std::process::exit(1);
        }
    };
    let (n, cpu, gpu) = times.get();
    println!(
        "showcase: {} frames, {n} with the pack complete; mean render submit {:.2} ms, GPU {:.2} ms",
        report.frames,
        cpu * 1000.0 / f64::from(n.max(1)),
        gpu * 1000.0 / f64::from(n.max(1)),
    );
    if headless && n == 0 {
        eprintln!("showcase: the pack never finished streaming");
        std::process::exit(1);
    }
}

/// The page reads where the showcase stands from `window.layerwShowcase` (JSON, every frame;
/// the same line in the page's `#layerw-state`): the backend, frames drawn, the streamer's
/// progress (manifest, complete, cells, bytes, failures, the last error), the entities spawned
/// from the pack's cells, the skinned character (entities, draws and joints of the last frame)
/// and the clock (its steps and where it stops).
#[cfg(target_arch = "wasm32")]
mod web {
    use layerw::components::SkinnedMeshRef;
    use layerw::engine::gpu::{GpuInfo, RenderStats};
    use layerw::engine::render::RenderQueue;
    use layerw::engine::stream::Streamer;
    use layerw::prelude::World;
    use layerw::systems::StreamedCell;

    use super::scene::ShowcaseClock;

    /// A frame hook: publishes the state (after the frame was drawn).
    pub fn publish(world: &mut World) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let backend = world
            .try_resource::<GpuInfo>()
            .map(|i| format!("{:?}", i.backend))
            .unwrap_or_default();
        let frames = world.try_resource::<RenderStats>().map_or(0, |s| s.frames);
        let entities = world.query::<&StreamedCell>().iter().count();
        let skinned = world.query::<&SkinnedMeshRef>().iter().count();
        let (skinned_draws, joints) = world
            .try_resource::<RenderQueue>()
            .map_or((0, 0), |q| (q.skinned.draws.len(), q.skinned.joints.len()));
        let clock = *world.resource::<ShowcaseClock>();
        let stream = match world.try_resource::<Streamer>() {
            Ok(streamer) => {
                let p = streamer.progress();
                let error = p
                    .last_error
                    .as_ref()
                    // Kept a JSON string: quotes, backslashes and control characters become '.
                    .map(|e| {
                        e.to_string()
                            .replace(|c: char| c == '"' || c == '\\' || c.is_control(), "'")
                    })
                    .unwrap_or_default();
                format!(
                    "{{\"manifest_loaded\":{},\"complete\":{},\"cells_loaded\":{},\
                     \"bytes_fetched\":{},\"failures\":{},\"last_error\":\"{error}\"}}",
                    p.manifest_loaded,
                    p.complete(),
                    p.cells_loaded,
                    p.scheduler.bytes_fetched,
                    p.scheduler.failures,
                )
            }
            Err(_) => "null".into(),
        };
        let stop_at = clock
            .stop_at
            .map_or_else(|| "null".to_owned(), |n| n.to_string());
        let json = format!(
            "{{\"backend\":\"{backend}\",\"frames\":{frames},\"stream\":{stream},\
             \"entities\":{entities},\"skinned\":{skinned},\"skinned_draws\":{skinned_draws},\
             \"joints\":{joints},\"clock\":{{\"settled_frames\":{},\"frames_since_start\":{},\
             \"steps\":{},\"stop_at\":{stop_at},\"seconds\":{}}}}}",
            clock.settled_frames, clock.frames_since_start, clock.steps, clock.seconds,
        );
        if let Some(element) = window
            .document()
            .and_then(|d| d.get_element_by_id("layerw-state"))
        {
            element.set_text_content(Some(&json));
        }
        let _ = js_sys::Reflect::set(&window, &"layerwShowcase".into(), &json.into());
    }
}
