//! render_demo: a lit, shadowed scene (PBR spheres by metallic and roughness, cubes, a warm
//! point light, a sun with shadows, and a row of spheres drawn from a cooked LOD chain,
//! receding into the distance) on the desktop, headless and in the browser (WebGPU, or
//! WebGL2 where the browser has no WebGPU adapter). The Lod and Culling stages run
//! everywhere. The chain (assets/sphere48.lwlod, made by `layerw-cook sphere:48`) and the
//! floor's texture (assets/checker.png) are loaded from files at run time through the
//! `AssetServer` (natively from the repository, in the browser by `fetch`); the floor and the
//! LOD row appear once they are in. U unloads the chain, L loads it again; F3 shows the
//! overlay with the load states and what is resident on the GPU.
//!
//! A headless run or a screenshot waits for every load: the screenshot is the second frame
//! after the assets are in, and a headless run stops at the third.
//!
//! ```text
//! cargo run --example render_demo                                   # a window
//! cargo run --example render_demo -- --headless --screenshot a.png  # no display
//! cargo run --example render_demo -- --headless --trace trace.json # a Chrome trace
//! bash scripts/web.sh render_demo                                   # the browser build
//!                                                   # (index.html?trace: window.layerwTrace())
//! ```

mod scene;

/// Frames a headless run draws once every load is done.
#[cfg(not(target_arch = "wasm32"))]
const HEADLESS_FRAMES_AFTER_LOADING: u32 = 3;
/// A headless run that has not loaded its files after this many frames gives up.
#[cfg(not(target_arch = "wasm32"))]
const HEADLESS_FRAME_LIMIT: u64 = 100_000;

fn main() {
    // `--trace PATH` / `?trace`: a Chrome trace of the frames, stages and systems (README,
    // "Profiling"); complete when `main` ends.
    let _trace = layerw::engine::profile::install_requested_trace();
    let mut app = scene::app(scene::asset_root());
    #[cfg(target_arch = "wasm32")]
    {
        // `?screenshot`: the second frame after the assets are in is offered as a PNG
        // download.
        let wants_screenshot = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .is_some_and(|q| q.contains("screenshot"));
        app.add_frame_hook(scene::capture(
            wants_screenshot.then(|| "render_demo.png".into()),
            None,
        ));
        app.add_frame_hook(web::publish);
        if let Err(e) = app.run() {
            web_sys::console::error_1(&e.to_string().into());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::cell::RefCell;
        use std::rc::Rc;

        let args: Vec<String> = std::env::args().skip(1).collect();
        let headless = args.iter().any(|a| a == "--headless");
        let screenshot = match args.iter().position(|a| a == "--screenshot") {
            Some(i) => match args.get(i + 1) {
                Some(path) => Some(std::path::PathBuf::from(path)),
                None => {
                    eprintln!("render_demo: --screenshot needs a path");
                    std::process::exit(2);
                }
            },
            None => None,
        };
        if !headless && screenshot.is_none() {
            // A window to play in: the overlay with the asset lines from the start (font
            // pixels at 1:1, so the lines fit the 640 px frame).
            app.insert_resource(layerw::engine::render::StatsOverlay {
                visible: true,
                scale: 1,
            });
        }
        let exit_after = headless.then_some(HEADLESS_FRAMES_AFTER_LOADING);
        app.add_frame_hook(scene::capture(screenshot, exit_after));
        if headless {
            app.set_headless(layerw::prelude::HeadlessRun::frames(HEADLESS_FRAME_LIMIT));
        }
        // `run` consumes the app: a last hook keeps what the loads came to.
        let outcome = Rc::new(RefCell::new((0, None)));
        let into = outcome.clone();
        app.add_frame_hook(move |world| {
            if let Ok(demo) = world.try_resource::<scene::DemoAssets>() {
                *into.borrow_mut() = (demo.complete_frames, demo.failure.clone());
            }
        });
        let report = match app.run() {
            Ok(report) => report,
            Err(e) => {
                eprintln!("render_demo: {e}");
                std::process::exit(1);
            }
        };
        let (loaded_frames, failure) = outcome.take();
        if let Some(why) = failure {
            eprintln!("render_demo: an asset did not load: {why}");
            std::process::exit(1);
        }
        if headless && loaded_frames < HEADLESS_FRAMES_AFTER_LOADING {
            eprintln!(
                "render_demo: the assets were not in after {} frames",
                report.frames
            );
            std::process::exit(1);
        }
        println!(
            "render_demo: {} frames, {loaded_frames} after the assets were loaded",
            report.frames
        );
    }
}

/// The page reads what the app did from `window.layerwRender`: the backend in use, the
/// frames rendered, what LOD and culling decided, the asset server's counts (the files come
/// by `fetch` in the browser) with the frames drawn since they were all in, and the GPU
/// residency.
#[cfg(target_arch = "wasm32")]
mod web {
    use layerw::components::LodMesh;
    use layerw::engine::gpu::{GpuInfo, GpuResidency, RenderStats};
    use layerw::prelude::{AssetServer, World};
    use layerw::systems::CullStats;

    pub fn publish(world: &mut World) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let backend = world
            .try_resource::<GpuInfo>()
            .map(|i| format!("{:?}", i.backend))
            .unwrap_or_default();
        let frames = world.try_resource::<RenderStats>().map_or(0, |s| s.frames);
        // What the Lod and Culling stages decided in the browser.
        let visible = world.try_resource::<CullStats>().map_or(0, |s| s.visible);
        let levels: Vec<String> = world
            .query::<&LodMesh>()
            .iter()
            .map(|l| l.level.to_string())
            .collect();
        let progress = world
            .try_resource::<AssetServer>()
            .map(|s| s.progress())
            .unwrap_or_default();
        let complete_frames = world
            .try_resource::<super::scene::DemoAssets>()
            .map_or(0, |d| d.complete_frames);
        let residency = world
            .try_resource::<GpuResidency>()
            .map(|r| *r)
            .unwrap_or_default();
        let json = format!(
            "{{\"backend\":\"{backend}\",\"frames\":{frames},\"visible\":{visible},\"lod_levels\":[{}],\
             \"assets\":{{\"loaded\":{},\"failed\":{},\"pending\":{},\"complete_frames\":{complete_frames}}},\
             \"gpu\":{{\"meshes\":{},\"mesh_bytes\":{},\"textures\":{},\"texture_bytes\":{}}}}}",
            levels.join(","),
            progress.loaded,
            progress.failed,
            progress.pending,
            residency.meshes,
            residency.mesh_bytes,
            residency.textures,
            residency.texture_bytes,
        );
        let _ = js_sys::Reflect::set(&window, &"layerwRender".into(), &json.into());
    }
}
