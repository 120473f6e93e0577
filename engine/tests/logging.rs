//! LogPlugin: the engine's warnings reach the log output (one test: the subscriber is global to
//! the process, so this file holds one App).

use layerw_engine::app::App;
use layerw_engine::logging::{LogBuffer, LogPlugin};
use layerw_engine::schedule::{Local, Stage};

fn warn_once(mut done: Local<bool>) {
    if !*done {
        tracing::warn!(target: "layerw_engine::test", "the dropped-frame path would say this");
        tracing::info!(target: "layerw_engine::test", "engine information");
        tracing::info!(target: "some_dependency", "noise from a dependency");
        tracing::debug!(target: "layerw_engine::test", "details");
        *done = true;
    }
}

#[test]
fn warnings_reach_the_output_through_the_filter() {
    let buffer = LogBuffer::default();
    let mut app = App::new();
    app.add_plugin(LogPlugin {
        filter: Some("warn,layerw_engine=info".into()),
        output: Some(buffer.clone()),
        trace: None,
    })
    .add_system(Stage::Update, warn_once);
    app.update(1.0 / 60.0);
    let log = buffer.contents();
    assert!(
        log.contains("WARN") && log.contains("the dropped-frame path"),
        "{log}"
    );
    assert!(log.contains("engine information"), "{log}");
    assert!(!log.contains("noise from a dependency"), "{log}");
    assert!(!log.contains("details"), "{log}");
    // Spans (frame, stage, system) are not written.
    assert!(!log.contains("stage=") && !log.contains("system="), "{log}");
    // A second subscriber cannot replace the first: the plugin keeps the first output.
    let other = LogBuffer::default();
    App::new().add_plugin(LogPlugin {
        filter: None,
        output: Some(other.clone()),
        trace: None,
    });
    tracing::warn!(target: "layerw_engine::test", "after");
    assert!(buffer.contents().contains("after"));
    assert!(other.contents().is_empty());
    // A filter that does not parse falls back to the default and says so.
    let (_, error) = LogPlugin {
        filter: Some("warn,=?".into()),
        output: None,
        trace: None,
    }
    .targets();
    assert!(error.is_some());
}
