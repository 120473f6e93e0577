//! stream_demo: a game streaming its world. A small generated world (a content pack made by
//! the cook's world generator) is streamed by the `StreamPlugin` while a fixed camera looks
//! over several of its cells: world cells spawn, every mesh and texture arrives at its
//! coarsest level first and refines to what LOD selection wants. Natively from a folder
//! (`FileIo`) or a server (`HttpIo`, `Range` requests); in the browser from the URL in the
//! page's query with `fetch` (`FetchIo`). The stats overlay shows the "stream:" line (F3
//! toggles it).
//!
//! ```text
//! cargo run --example stream_demo -- --make-pack target/stream-demo-pack   # the world (4 MB)
//! cargo run --example stream_demo -- --pack target/stream-demo-pack        # a window
//! cargo run --example stream_demo -- --url http://127.0.0.1:8080           # from a server
//! cargo run --example stream_demo -- --pack target/stream-demo-pack --fly  # a slow circle
//! cargo run --example stream_demo -- --pack DIR --trace trace.json        # a Chrome trace
//! cargo run --example stream_demo -- --pack DIR --headless \
//!     --screenshot-ready coarse.png --screenshot-complete final.png        # no display
//! bash scripts/web.sh stream_demo      # the browser build: index.html?pack=http://HOST:PORT
//!                                      # (&fly: the circle, &no-overlay: no overlay)
//! ```
//!
//! A headless run ends a few frames after the complete screenshot (or after streaming is
//! complete, without one); `--no-overlay` hides the overlay (for pixel comparisons).

mod scene;

/// `--fly` / `?fly`: a slow circle round the world (a minute a turn).
const FLIGHT_RADIANS_PER_SECOND: f32 = std::f32::consts::TAU / 60.0;

#[cfg(not(target_arch = "wasm32"))]
mod pack;

/// A headless run that has not completed after this many frames gives up.
#[cfg(not(target_arch = "wasm32"))]
const HEADLESS_FRAME_LIMIT: u64 = 1_000_000;
/// Frames a headless run draws after the complete screenshot was asked for (it is saved in
/// the next one).
#[cfg(not(target_arch = "wasm32"))]
const HEADLESS_FRAMES_AFTER_COMPLETE: u32 = 2;

#[cfg(target_arch = "wasm32")]
fn main() {
    use layerw::engine::stream::FetchIo;

    // `?trace`: a Chrome trace of the frames, stages and systems (window.layerwTrace()).
    let _trace = layerw::engine::profile::install_requested_trace();

    // `?pack=URL` (the pack's folder), `no-overlay` hides the overlay.
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&query).ok();
    let Some(url) = params.as_ref().and_then(|p| p.get("pack")) else {
        web::show("stream_demo: no pack to stream: open index.html?pack=http://HOST:PORT/");
        return;
    };
    let overlay = !params.as_ref().is_some_and(|p| p.has("no-overlay"));
    let fly = params.as_ref().is_some_and(|p| p.has("fly"));
    let mut app = scene::app(FetchIo::new(url.trim_end_matches('/')), overlay);
    if fly {
        scene::fly_over(&mut app, FLIGHT_RADIANS_PER_SECOND);
    }
    app.add_frame_hook(scene::watch(scene::Shots::default()));
    app.add_frame_hook(web::publish);
    if let Err(e) = app.run() {
        web_sys::console::error_1(&e.to_string().into());
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::cell::RefCell;
    use std::path::PathBuf;
    use std::rc::Rc;

    use layerw::engine::stream::{DEFAULT_HTTP_CONNECTIONS, FileIo, HttpIo, Streamer};
    use layerw::prelude::HeadlessRun;

    // `--trace PATH`: a Chrome trace of the frames, stages and systems, complete when `main`
    // ends (README, "Profiling").
    let _trace = layerw::engine::profile::install_requested_trace();

    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| -> Option<String> {
        let i = args.iter().position(|a| a == name)?;
        match args.get(i + 1) {
            Some(v) => Some(v.clone()),
            None => {
                eprintln!("stream_demo: {name} needs a value");
                std::process::exit(2);
            }
        }
    };
    if let Some(dir) = value("--make-pack") {
        match pack::make_pack(std::path::Path::new(&dir)) {
            Ok(summary) => {
                println!("stream_demo: the world's pack in {dir}: {summary:?}");
                return;
            }
            Err(e) => {
                eprintln!("stream_demo: {e}");
                std::process::exit(1);
            }
        }
    }
    let headless = args.iter().any(|a| a == "--headless");
    let overlay = !args.iter().any(|a| a == "--no-overlay");
    let shots = scene::Shots {
        ready: value("--screenshot-ready").map(PathBuf::from),
        complete: value("--screenshot-complete").map(PathBuf::from),
        exit_after_complete: headless.then_some(HEADLESS_FRAMES_AFTER_COMPLETE),
    };
    let mut app = match (value("--pack"), value("--url")) {
        (Some(dir), None) => scene::app(FileIo::new(dir, 2), overlay),
        (None, Some(url)) => scene::app(
            HttpIo::new(url.trim_end_matches('/'), DEFAULT_HTTP_CONNECTIONS),
            overlay,
        ),
        _ => {
            eprintln!(
                "usage: stream_demo --make-pack DIR | (--pack DIR | --url URL) [--headless] \
                 [--screenshot-ready PNG] [--screenshot-complete PNG] [--no-overlay] [--fly]"
            );
            std::process::exit(2);
        }
    };
    if args.iter().any(|a| a == "--fly") {
        scene::fly_over(&mut app, FLIGHT_RADIANS_PER_SECOND);
    }
    app.add_frame_hook(scene::watch(shots));
    if headless {
        app.set_headless(HeadlessRun::frames(HEADLESS_FRAME_LIMIT));
    }
    // `run` consumes the app: a last hook keeps where streaming stood.
    let outcome = Rc::new(RefCell::new(None));
    let into = outcome.clone();
    app.add_frame_hook(move |world| {
        if let Ok(streamer) = world.try_resource::<Streamer>() {
            let demo = *world.resource::<scene::DemoProgress>();
            *into.borrow_mut() = Some((streamer.progress().clone(), demo));
        }
    });
    let report = match app.run() {
        Ok(report) => report,
        Err(e) => {
            eprintln!("stream_demo: {e}");
            std::process::exit(1);
        }
    };
    let Some((progress, demo)) = outcome.take() else {
        eprintln!("stream_demo: no frame ran");
        std::process::exit(1);
    };
    println!(
        "stream_demo: {} frames, {} entities, ready at frame {:?}, complete at frame {:?}, \
         {} bytes fetched in {} requests; {}",
        report.frames,
        demo.entities,
        demo.ready_frame,
        demo.complete_frame,
        progress.scheduler.bytes_fetched,
        progress.scheduler.requests,
        progress.overlay_line()
    );
    if headless && demo.complete_frame.is_none() {
        eprintln!("stream_demo: streaming did not complete");
        std::process::exit(1);
    }
}

/// The page reads where streaming stands from `window.layerwStream` (JSON) and the
/// `#layerw-state` element: the backend, frames drawn, the streamer's progress (manifest read,
/// view ready, complete, bytes fetched, requests, resident bytes, cells) and the demo's counts.
#[cfg(target_arch = "wasm32")]
mod web {
    use layerw::engine::gpu::{GpuInfo, RenderStats};
    use layerw::engine::stream::Streamer;
    use layerw::prelude::World;

    /// Writes `text` into the page's `#layerw-state` element.
    pub fn show(text: &str) {
        let element = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("layerw-state"));
        if let Some(element) = element {
            element.set_text_content(Some(text));
        }
    }

    pub fn publish(world: &mut World) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let backend = world
            .try_resource::<GpuInfo>()
            .map(|i| format!("{:?}", i.backend))
            .unwrap_or_default();
        let frames = world.try_resource::<RenderStats>().map_or(0, |s| s.frames);
        let demo = *world.resource::<super::scene::DemoProgress>();
        let Ok(streamer) = world.try_resource::<Streamer>() else {
            return;
        };
        let p = streamer.progress();
        let s = &p.scheduler;
        let error = p
            .last_error
            .as_ref()
            .map(|e| e.to_string().replace('\\', "\\\\").replace('"', "'"))
            .unwrap_or_default();
        let json = format!(
            "{{\"backend\":\"{backend}\",\"frames\":{frames},\"manifest_loaded\":{},\
             \"view_ready\":{},\"complete\":{},\"bytes_fetched\":{},\"requests\":{},\"reads\":{},\
             \"resident_bytes\":{},\"wanted_bytes\":{},\"missing\":{},\"refining\":{},\
             \"cells_loaded\":{},\"entities\":{},\"ready_frames\":{},\"complete_frames\":{},\
             \"failures\":{},\"cancelled\":{},\"last_error\":\"{error}\"}}",
            p.manifest_loaded,
            p.view_ready(),
            p.complete(),
            s.bytes_fetched,
            s.requests,
            p.reads,
            s.resident_bytes,
            s.wanted_bytes,
            s.missing,
            s.refining,
            p.cells_loaded,
            demo.entities,
            demo.ready_frames,
            demo.complete_frames,
            s.failures,
            s.cancelled,
        );
        show(&format!("{}\n{json}", p.overlay_line()));
        let _ = js_sys::Reflect::set(&window, &"layerwStream".into(), &json.into());
    }
}
