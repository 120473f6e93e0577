//! LogPlugin's Chrome trace to a file (tracing-chrome): an app's frames, stages and systems in
//! the Trace Event Format, complete once the app is dropped. One test: the subscriber is global
//! to the process. Native only: wasm has no trace file (the browser keeps the events in
//! memory, `chrome_trace_memory.rs`).
#![cfg(not(target_family = "wasm"))]

#[path = "support/trace_events.rs"]
mod trace_events;

use layerw_engine::app::App;
use layerw_engine::logging::LogPlugin;
use layerw_engine::profile::ChromeTrace;
use layerw_engine::schedule::Stage;

fn integrate() {}
fn collide() {}
fn draw() {}

#[test]
fn an_app_writes_its_frames_stages_and_systems_to_a_trace_file() {
    let dir = std::env::temp_dir().join(format!("layerw-chrome-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("trace.json");
    let mut app = App::new();
    app.add_plugin(LogPlugin {
        trace: Some(ChromeTrace::File(path.clone())),
        ..LogPlugin::default()
    })
    .add_system(Stage::Update, integrate)
    .add_system(Stage::Update, collide)
    .add_system(Stage::Render, draw);
    for _ in 0..3 {
        app.update(1.0 / 60.0);
    }
    // The guard is a resource: dropping the app completes the file.
    drop(app);

    let json = std::fs::read_to_string(&path).expect("the trace file was written");
    let spans = trace_events::intervals(&json);
    trace_events::check_schedule(
        &spans,
        3,
        &["update", "render"],
        &["integrate", "collide", "draw"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
