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
//! ```
//!
//! The pack is cooked into target/showcase-pack when it is missing (a few seconds). A headless
//! run draws `--frames` frames once the pack is streamed completely (120 by default), saves
//! the screenshot on the first of them, and prints the frame times.

mod scene;

#[cfg(not(target_arch = "wasm32"))]
mod pack;

/// The screenshot is taken on this frame of the clock.
#[cfg(not(target_arch = "wasm32"))]
const SHOT_AT: u32 = 1;

/// A headless run that has not streamed its pack after this many frames gives up.
#[cfg(not(target_arch = "wasm32"))]
const HEADLESS_FRAME_LIMIT: u64 = 1_000_000;

#[cfg(target_arch = "wasm32")]
fn main() {
    use layerw::engine::stream::FetchIo;

    // `?pack=URL`: the pack's folder (default: `pack/` beside the page).
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&query).ok();
    let url = params
        .as_ref()
        .and_then(|p| p.get("pack"))
        .unwrap_or_else(|| "pack".into());
    let mut app = scene::app(FetchIo::new(url.trim_end_matches('/')), scene::RESOLUTION);
    app.add_frame_hook(scene::watch(None, 1, None));
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
    let screenshot = value("--screenshot").map(PathBuf::from);
    let mut app = scene::app(FileIo::new(dir, 2), scene::RESOLUTION);
    app.add_frame_hook(scene::watch(
        screenshot,
        SHOT_AT,
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
