//! Every stage and every system runs inside a tracing span named after it.
//!
//! A minimal subscriber, installed as the global default (spans from rayon worker threads must
//! reach it too), records every span's name and fields.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use layerw_engine::ecs::World;
use layerw_engine::schedule::{Schedule, Stage, System};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

static SPANS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Recorder {
    next: AtomicU64,
}

struct Fields(String);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push_str(&format!(" {}={}", field.name(), value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields(span.metadata().name().to_owned());
        span.record(&mut fields);
        SPANS.lock().unwrap().push(fields.0);
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn stages_and_systems_have_spans() {
    tracing::subscriber::set_global_default(Recorder {
        next: AtomicU64::new(0),
    })
    .expect("only test in this binary");

    let mut schedule = Schedule::new();
    for name in ["alpha", "beta", "gamma"] {
        schedule.add_system(Stage::Update, System::new(name, |_| {}));
    }
    schedule.add_system(Stage::Render, System::new("draw", |_| {}));
    schedule.add_system(Stage::FixedUpdate, System::new("step", |_| {}));
    let mut world = World::new();
    schedule.run_frame(&mut world, 1.0 / 60.0);

    let spans = SPANS.lock().unwrap().clone();
    for stage in Stage::ALL {
        if stage == Stage::FixedUpdate {
            // 1/60 s at the default 1/60 s step: exactly one fixed step.
            assert_eq!(
                spans
                    .iter()
                    .filter(|s| **s == "stage stage=fixed_update")
                    .count(),
                1
            );
        }
        let expected = format!("stage stage={}", stage.name());
        // Stages without systems make no span (and are not timed): nothing happens in them.
        let has_systems = schedule.system_count(stage) > 0;
        assert_eq!(
            spans.contains(&expected),
            has_systems,
            "`{expected}` in {spans:?}"
        );
    }
    for name in ["alpha", "beta", "gamma", "draw", "step"] {
        let expected = format!("system system={name}");
        assert!(spans.contains(&expected), "no `{expected}` in {spans:?}");
    }
    assert!(spans.contains(&"frame".to_owned()));
}
