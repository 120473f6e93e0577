//! Checks a Chrome trace (Trace Event Format JSON) for the schedule's spans: shared by the
//! file (tracing-chrome) and memory trace tests.

#![allow(dead_code)]

use std::collections::HashMap;

use serde_json::Value;

/// One span as the trace shows it: name, category, thread and time range in microseconds.
#[derive(Clone, Debug)]
pub struct Interval {
    pub name: String,
    pub cat: String,
    pub tid: u64,
    pub start: f64,
    pub end: f64,
}

/// The spans of a trace: its complete (`X`) events and its `B`/`E` pairs, which must nest per
/// thread (each `E` closes the last open `B` of its thread, by name).
pub fn intervals(json: &str) -> Vec<Interval> {
    let value: Value = serde_json::from_str(json).expect("the trace is JSON");
    let events = match &value {
        Value::Array(events) => events.clone(),
        Value::Object(object) => object["traceEvents"]
            .as_array()
            .expect("traceEvents")
            .clone(),
        other => panic!("a trace is an array or an object, not {other}"),
    };
    let mut open: HashMap<u64, Vec<Interval>> = HashMap::new();
    let mut done = Vec::new();
    for event in &events {
        let ph = event["ph"].as_str().expect("every event has a phase");
        if ph == "M" || ph == "i" {
            continue;
        }
        let tid = event["tid"].as_u64().expect("every event has a thread id");
        assert!(event["pid"].is_u64(), "{event}");
        let ts = event["ts"].as_f64().expect("every event has a time");
        let name = event["name"].as_str().expect("a name").to_owned();
        let cat = event["cat"].as_str().unwrap_or_default().to_owned();
        match ph {
            "X" => {
                let dur = event["dur"].as_f64().expect("X events have a duration");
                assert!(dur >= 0.0, "{event}");
                done.push(Interval {
                    name,
                    cat,
                    tid,
                    start: ts,
                    end: ts + dur,
                });
            }
            "B" => open.entry(tid).or_default().push(Interval {
                name,
                cat,
                tid,
                start: ts,
                end: f64::NAN,
            }),
            "E" => {
                let mut begun = open
                    .get_mut(&tid)
                    .and_then(Vec::pop)
                    .unwrap_or_else(|| panic!("an E without a B on thread {tid}: {event}"));
                assert_eq!(begun.name, name, "E closes the last B of its thread");
                assert!(ts >= begun.start, "{event}");
                begun.end = ts;
                done.push(begun);
            }
            other => panic!("unexpected phase {other}: {event}"),
        }
    }
    for (tid, stack) in open {
        assert!(
            stack.is_empty(),
            "spans left open on thread {tid}: {stack:?}"
        );
    }
    done
}

/// Whether `inner` lies within `outer`'s time range.
pub fn within(inner: &Interval, outer: &Interval) -> bool {
    inner.start >= outer.start && inner.end <= outer.end
}

/// Asserts the schedule's shape: `frames` frame spans; each stage span inside a frame on its
/// thread; each system span inside a stage (on its thread, or, for a rayon worker, in the
/// stage's time range); and the given stage and system names present.
pub fn check_schedule(spans: &[Interval], frames: usize, stages: &[&str], systems: &[&str]) {
    let of = |cat: &str| {
        spans
            .iter()
            .filter(move |s| s.cat == cat)
            .collect::<Vec<_>>()
    };
    let frame_spans = of("frame");
    assert_eq!(frame_spans.len(), frames, "{spans:#?}");
    for stage in of("stage") {
        assert!(
            frame_spans
                .iter()
                .any(|f| f.tid == stage.tid && within(stage, f)),
            "stage {stage:?} is not inside a frame"
        );
    }
    for system in of("system") {
        assert!(
            of("stage").iter().any(|s| within(system, s)),
            "system {system:?} is not inside a stage"
        );
    }
    for name in stages {
        assert!(
            of("stage").iter().any(|s| s.name == *name),
            "no stage {name} in {spans:#?}"
        );
    }
    for name in systems {
        assert_eq!(
            of("system").iter().filter(|s| s.name == *name).count(),
            frames,
            "system {name} once a frame"
        );
    }
}
