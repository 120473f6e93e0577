//! Chrome traces of the schedule: [`ChromeTrace`] (a [`LogPlugin`](crate::logging::LogPlugin)
//! setting) records the `tracing` spans of frames, stages and systems in the Trace Event Format
//! that chrome://tracing and ui.perfetto.dev open.
//!
//! Natively, [`ChromeTrace::File`] writes a JSON file through `tracing-chrome` (a writer thread,
//! `B`/`E` event pairs per thread). In the browser there are neither threads nor files:
//! [`ChromeTrace::Memory`] keeps complete (`X`) events in a [`TraceBuffer`], and the page gets
//! them as a JSON `Blob` from `window.layerwTrace()`. Memory traces work natively too (tests).
//!
//! Each event is named after what ran: `frame`, the stage (`update`, `render`...) or the system;
//! its category is the span's kind (`frame`, `stage`, `system`) and its `args` hold the span's
//! fields.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value, json};
use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Where a Chrome trace of the frame, stage and system spans goes.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ChromeTrace {
    /// A JSON file (a JSON array of trace events), complete once the [`TraceGuard`] is dropped.
    #[cfg(not(target_family = "wasm"))]
    File(std::path::PathBuf),
    /// Events kept in memory; in the browser `window.layerwTrace()` returns them as a `Blob`.
    Memory(TraceBuffer),
}

/// Trace events recorded in memory by [`ChromeTrace::Memory`].
#[derive(Clone, Debug, Default)]
pub struct TraceBuffer(Arc<Mutex<Vec<Value>>>);

/// Two buffers are equal when they are the same buffer.
impl PartialEq for TraceBuffer {
    fn eq(&self, other: &TraceBuffer) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl TraceBuffer {
    /// Events recorded so far.
    pub fn len(&self) -> usize {
        self.events().len()
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The trace as Trace Event Format JSON: `{"traceEvents":[...],"displayTimeUnit":"ms"}`.
    pub fn json(&self) -> String {
        json!({ "traceEvents": *self.events(), "displayTimeUnit": "ms" }).to_string()
    }

    fn events(&self) -> std::sync::MutexGuard<'_, Vec<Value>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, event: Value) {
        self.events().push(event);
    }
}

/// Keeps a trace being written: dropping it finishes the file (`tracing-chrome` closes the JSON
/// array and joins its writer thread). [`LogPlugin`](crate::logging::LogPlugin) as a plugin keeps
/// it as a World resource, so the file is complete when the app is dropped; programs that
/// install the log output themselves hold it until they exit.
pub struct TraceGuard {
    #[cfg(not(target_family = "wasm"))]
    #[expect(
        dead_code,
        reason = "held for its Drop, which completes the trace file"
    )]
    file: Option<Mutex<tracing_chrome::FlushGuard>>,
    /// Which trace this guard belongs to.
    pub trace: ChromeTrace,
}

impl core::fmt::Debug for TraceGuard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TraceGuard")
            .field("trace", &self.trace)
            .finish_non_exhaustive()
    }
}

/// The trace the command line asks for: `--trace PATH` natively (a file), `?trace` in the
/// page's address in the browser (memory, `window.layerwTrace()`); `None` without it. Examples
/// hand it to [`LogPlugin::install`](crate::logging::LogPlugin::install) before building their
/// app. WASI builds have no trace file (tracing-chrome writes from a thread): always `None`.
pub fn requested_trace() -> Option<ChromeTrace> {
    #[cfg(not(target_family = "wasm"))]
    {
        let mut args = std::env::args().skip_while(|a| a != "--trace").skip(1);
        args.next().map(|path| ChromeTrace::File(path.into()))
    }
    #[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]
    {
        let query = web_sys::window()?.location().search().ok()?;
        let asked = query
            .trim_start_matches('?')
            .split('&')
            .any(|pair| pair == "trace" || pair.starts_with("trace="));
        asked.then(|| ChromeTrace::Memory(TraceBuffer::default()))
    }
    #[cfg(not(any(
        not(target_family = "wasm"),
        all(target_arch = "wasm32", target_os = "unknown", feature = "fetch")
    )))]
    {
        None
    }
}

/// Installs the default log output with the trace the command line asks for
/// ([`requested_trace`]) before an app exists, and returns its guard (keep it until the program
/// ends); `None` when no trace was asked for or it could not start (then said as a warning,
/// on the default log output).
///
/// The app's own `LogPlugin` then finds a subscriber and steps aside, so its filter is not used:
/// this one reads `LAYERW_LOG` or uses the default filter.
pub fn install_requested_trace() -> Option<TraceGuard> {
    use crate::logging::{InstallError, LogPlugin};
    let plugin = LogPlugin {
        trace: Some(requested_trace()?),
        ..LogPlugin::default()
    };
    match plugin.install() {
        Ok(guard) => guard,
        Err(InstallError::TraceFile { reason }) => {
            // The output without the trace, so the warning has somewhere to go.
            let _ = LogPlugin::default().install();
            tracing::warn!("no Chrome trace: {reason}");
            None
        }
        Err(error) => {
            tracing::warn!("no Chrome trace: {error}");
            None
        }
    }
}

/// The layers that record the trace, each with its own filter: spans at `INFO` and above
/// (frames, stages and systems; no events), so nothing below is created on their account.
pub(crate) type BoxedLayer<S> = Box<dyn Layer<S> + Send + Sync + 'static>;

fn recorded(meta: &tracing::Metadata<'_>) -> bool {
    meta.is_span() && *meta.level() <= tracing::Level::INFO
}

/// The layers recording `trace`, and the guard that finishes it.
///
/// # Errors
/// The IO error of creating the trace file.
pub(crate) fn layers<S>(trace: &ChromeTrace) -> std::io::Result<(Vec<BoxedLayer<S>>, TraceGuard)>
where
    S: Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
{
    use tracing_subscriber::filter::filter_fn;
    let mut layers: Vec<BoxedLayer<S>> = vec![SpanLabels.with_filter(filter_fn(recorded)).boxed()];
    match trace {
        #[cfg(not(target_family = "wasm"))]
        ChromeTrace::File(path) => {
            let file = std::fs::File::create(path)?;
            let (chrome, guard) = tracing_chrome::ChromeLayerBuilder::new()
                .writer(file)
                .include_args(true)
                .name_fn(Box::new(|event_or_span| match event_or_span {
                    tracing_chrome::EventOrSpan::Span(span) => label(span),
                    tracing_chrome::EventOrSpan::Event(event) => event.metadata().name().into(),
                }))
                .category_fn(Box::new(|event_or_span| match event_or_span {
                    tracing_chrome::EventOrSpan::Span(span) => span.name().into(),
                    tracing_chrome::EventOrSpan::Event(_) => "event".into(),
                }))
                .build();
            layers.push(chrome.with_filter(filter_fn(recorded)).boxed());
            let guard = TraceGuard {
                file: Some(Mutex::new(guard)),
                trace: trace.clone(),
            };
            Ok((layers, guard))
        }
        #[cfg(not(any(
            not(all(target_arch = "wasm32", target_os = "unknown")),
            feature = "fetch"
        )))]
        ChromeTrace::Memory(_) => Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "a browser build records traces with the `fetch` or `window` feature (the page's clock)",
        )),
        #[cfg(any(
            not(all(target_arch = "wasm32", target_os = "unknown")),
            feature = "fetch"
        ))]
        ChromeTrace::Memory(buffer) => {
            layers.push(
                MemoryTrace {
                    buffer: buffer.clone(),
                }
                .with_filter(filter_fn(recorded))
                .boxed(),
            );
            #[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]
            web::expose(buffer.clone());
            let guard = TraceGuard {
                #[cfg(not(target_family = "wasm"))]
                file: None,
                trace: trace.clone(),
            };
            Ok((layers, guard))
        }
    }
}

/// A span's event name: its `stage` or `system` field, else its own name (`frame`).
struct SpanLabel {
    name: String,
    args: Map<String, Value>,
}

/// Keeps each recorded span's [`SpanLabel`] in its extensions, for the trace layers.
struct SpanLabels;

struct LabelVisitor<'a>(&'a mut SpanLabel);

impl Visit for LabelVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if matches!(field.name(), "stage" | "system") {
            self.0.name = value.to_owned();
        }
        self.0.args.insert(field.name().into(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.args.insert(field.name().into(), value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.args.insert(field.name().into(), value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn core::fmt::Debug) {
        self.0
            .args
            .insert(field.name().into(), format!("{value:?}").into());
    }
}

impl<S> Layer<S> for SpanLabels
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut span_label = SpanLabel {
            name: attrs.metadata().name().to_owned(),
            args: Map::new(),
        };
        attrs.record(&mut LabelVisitor(&mut span_label));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(span_label);
        }
    }
}

#[cfg(not(target_family = "wasm"))]
fn label<S>(span: &tracing_subscriber::registry::SpanRef<'_, S>) -> String
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    span.extensions()
        .get::<SpanLabel>()
        .map_or_else(|| span.name().to_owned(), |l| l.name.clone())
}

/// Records complete (`X`) events into a [`TraceBuffer`].
#[cfg(any(
    not(all(target_arch = "wasm32", target_os = "unknown")),
    feature = "fetch"
))]
struct MemoryTrace {
    buffer: TraceBuffer,
}

/// When a span was entered (microseconds on [`now_micros`]'s clock).
#[cfg(any(
    not(all(target_arch = "wasm32", target_os = "unknown")),
    feature = "fetch"
))]
struct Entered(f64);

#[cfg(any(
    not(all(target_arch = "wasm32", target_os = "unknown")),
    feature = "fetch"
))]
impl<S> Layer<S> for MemoryTrace
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().replace(Entered(now_micros()));
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        let end = now_micros();
        let Some(span) = ctx.span(id) else { return };
        let extensions = span.extensions();
        let Some(Entered(start)) = extensions.get::<Entered>() else {
            return;
        };
        let (name, args) = extensions.get::<SpanLabel>().map_or_else(
            || (span.name().to_owned(), Map::new()),
            |l| (l.name.clone(), l.args.clone()),
        );
        self.buffer.push(json!({
            "name": name,
            "cat": span.name(),
            "ph": "X",
            "ts": start,
            "dur": end - start,
            "pid": 1,
            "tid": thread_number(),
            "args": args,
        }));
    }
}

/// A small number per thread (1 for the first to record), as trace viewers draw one row each.
#[cfg(any(
    not(all(target_arch = "wasm32", target_os = "unknown")),
    feature = "fetch"
))]
fn thread_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static NUMBER: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.with(|n| *n)
}

/// Microseconds since the first call (natively) or since the page loaded (the browser's
/// `performance.now()`).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn now_micros() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e6
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]
fn now_micros() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now() * 1e3)
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]
mod web {
    use wasm_bindgen::prelude::Closure;

    use super::TraceBuffer;

    /// Defines `window.layerwTrace()`: the trace so far as an `application/json` `Blob`.
    pub(super) fn expose(buffer: TraceBuffer) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let blob = Closure::<dyn Fn() -> wasm_bindgen::JsValue>::new(move || {
            let parts = js_sys::Array::of1(&buffer.json().into());
            let options = web_sys::BlobPropertyBag::new();
            options.set_type("application/json");
            web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
                .map_or(wasm_bindgen::JsValue::NULL, Into::into)
        });
        let set = js_sys::Reflect::set(&window, &"layerwTrace".into(), blob.as_ref());
        if set.is_err() {
            tracing::warn!("could not define window.layerwTrace");
        }
        // The page keeps the function for as long as it lives.
        blob.forget();
    }
}
