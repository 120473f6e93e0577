//! LogPlugin's Chrome trace in memory (the browser's path, here natively): complete events of
//! an app's frames, stages and systems, installed before the app exists. One test: the
//! subscriber is global to the process.

#[path = "support/trace_events.rs"]
mod trace_events;

use layerw_engine::app::App;
use layerw_engine::logging::{InstallError, LogPlugin};
use layerw_engine::profile::{ChromeTrace, TraceBuffer};
use layerw_engine::schedule::Stage;

fn think() {}
fn draw() {}

#[test]
fn an_installed_memory_trace_records_the_schedule_as_complete_events() {
    let buffer = TraceBuffer::default();
    let guard = LogPlugin {
        trace: Some(ChromeTrace::Memory(buffer.clone())),
        ..LogPlugin::default()
    }
    .install()
    .expect("the first subscriber")
    .expect("a trace was asked for");
    assert_eq!(guard.trace, ChromeTrace::Memory(buffer.clone()));
    assert!(buffer.is_empty());
    // A second install (the app's own LogPlugin, here called directly) steps aside.
    assert!(matches!(
        LogPlugin::default().install(),
        Err(InstallError::AlreadyInstalled)
    ));

    let mut app = App::new();
    app.add_plugin(LogPlugin::default())
        .add_system(Stage::Update, think)
        .add_system(Stage::Render, draw);
    for _ in 0..2 {
        app.update(1.0 / 60.0);
    }
    let spans = trace_events::intervals(&buffer.json());
    trace_events::check_schedule(&spans, 2, &["update", "render"], &["think", "draw"]);
}
