//! Where the engine's warnings and errors go: [`LogPlugin`] installs a `tracing` subscriber
//! that writes events to stderr natively (WASI included) and to the console in the browser.
//!
//! Without a subscriber every `tracing::warn!` in the engine (a dropped frame, a failed
//! upload, a memory report) goes nowhere; a game gets one from the default plugin set, and
//! can set its own filter, or none (benches leave it out).

use std::io::Write;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};

use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterExt, Targets, filter_fn};
use tracing_subscriber::layer::SubscriberExt;

use crate::app::{App, Plugin};
use crate::profile::{BoxedLayer, ChromeTrace, TraceGuard};

/// The filter used when neither [`LogPlugin::filter`] nor the `LAYERW_LOG` environment
/// variable gives one: warnings and errors from everything, information from Layer-W.
pub const DEFAULT_FILTER: &str =
    "warn,layerw=info,layerw_engine=info,layerw_net=info,layerw_systems=info";

/// Installs the process's log output (once: a second `LogPlugin`, or a subscriber the program
/// installed itself, wins over later ones).
///
/// Only events are written; spans (one per frame, stage and system) are not recorded, so
/// logging costs nothing per system run, unless [`trace`](Self::trace) asks for a Chrome trace
/// of them ([`crate::profile`]).
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::logging::LogPlugin;
///
/// let mut app = App::new();
/// app.add_plugin(LogPlugin { filter: Some("warn,my_game=debug".into()), ..LogPlugin::default() });
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogPlugin {
    /// Directives in `tracing_subscriber`'s `Targets` syntax (`"warn,my_game=debug"`); `None`
    /// reads the `LAYERW_LOG` environment variable natively, else [`DEFAULT_FILTER`].
    pub filter: Option<String>,
    /// Where lines go; `None`: stderr natively, the console in the browser.
    pub output: Option<LogBuffer>,
    /// A Chrome trace of the frame, stage and system spans: a file natively, memory (and
    /// `window.layerwTrace()`) in the browser; `None`: no spans are recorded.
    pub trace: Option<ChromeTrace>,
}

/// Log lines collected in memory (tests, an in-game console).
#[derive(Clone, Debug, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

/// Two buffers are equal when they are the same buffer.
impl PartialEq for LogBuffer {
    fn eq(&self, other: &LogBuffer) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl LogBuffer {
    /// Everything written so far, as text.
    pub fn contents(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why the log filter could not be used (the default one is used instead).
#[derive(Debug)]
pub struct LogFilterError {
    /// The directives as given.
    pub filter: String,
    /// What the parser said.
    pub reason: String,
}

impl core::fmt::Display for LogFilterError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "log filter {:?} is invalid: {}",
            self.filter, self.reason
        )
    }
}

impl std::error::Error for LogFilterError {}

impl LogPlugin {
    /// The filter this plugin applies, and the error of a given one that did not parse.
    pub fn targets(&self) -> (Targets, Option<LogFilterError>) {
        let given = self.filter.clone().or_else(environment_filter);
        let default = || Targets::from_str(DEFAULT_FILTER).expect("the default filter parses");
        match given {
            None => (default(), None),
            Some(filter) => match Targets::from_str(&filter) {
                Ok(targets) => (targets, None),
                Err(e) => (
                    default(),
                    Some(LogFilterError {
                        filter,
                        reason: e.to_string(),
                    }),
                ),
            },
        }
    }
}

/// Why [`LogPlugin::install`] installed nothing.
#[derive(Debug)]
#[non_exhaustive]
pub enum InstallError {
    /// The process already has a subscriber (a first `LogPlugin`, or the program's own).
    AlreadyInstalled,
    /// The trace file could not be created.
    TraceFile {
        /// What the file system said.
        reason: std::io::Error,
    },
}

impl core::fmt::Display for InstallError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            InstallError::AlreadyInstalled => write!(f, "a log subscriber is already installed"),
            InstallError::TraceFile { reason } => {
                write!(f, "the trace cannot be written: {reason}")
            }
        }
    }
}

impl std::error::Error for InstallError {}

impl LogPlugin {
    /// Installs the log output (and the trace, if any) as the process's subscriber now, before
    /// any app exists: a program that parses `--trace PATH` calls this first, then builds its
    /// app (whose own `LogPlugin` then finds a subscriber and steps aside). Keep the returned
    /// guard until the program ends: dropping it completes the trace file.
    ///
    /// # Errors
    /// [`InstallError`]: a subscriber was installed already, or the trace file could not be
    /// created (nothing is installed then).
    pub fn install(&self) -> Result<Option<TraceGuard>, InstallError> {
        let (targets, error) = self.targets();
        let events = filter_fn(|meta| meta.is_event()).and(targets);
        let (trace_layers, guard) = match &self.trace {
            None => (Vec::new(), None),
            Some(trace) => {
                let (layers, guard) = crate::profile::layers(trace)
                    .map_err(|reason| InstallError::TraceFile { reason })?;
                (layers, Some(guard))
            }
        };
        let mut layers: Vec<BoxedLayer<tracing_subscriber::Registry>> = vec![match &self.output {
            Some(buffer) => {
                let buffer = buffer.clone();
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .without_time()
                    .with_writer(move || buffer.clone())
                    .with_filter(events)
                    .boxed()
            }
            None => default_output(events),
        }];
        layers.extend(trace_layers);
        let subscriber = tracing_subscriber::registry().with(layers);
        tracing::subscriber::set_global_default(subscriber)
            .map_err(|_| InstallError::AlreadyInstalled)?;
        if let Some(error) = error {
            tracing::warn!("{error}; using {DEFAULT_FILTER:?}");
        }
        Ok(guard)
    }
}

impl Plugin for LogPlugin {
    /// Installs the output ([`install`](LogPlugin::install)); a trace's [`TraceGuard`] becomes
    /// a resource, so the trace is complete when the app is dropped.
    fn build(&self, app: &mut App) {
        match self.install() {
            Ok(Some(guard)) => {
                app.insert_resource(guard);
            }
            Ok(None) | Err(InstallError::AlreadyInstalled) => {}
            Err(error) => tracing::warn!("{error}"),
        }
    }
}

/// `LAYERW_LOG`, where there is an environment (not in the browser).
fn environment_filter() -> Option<String> {
    if cfg!(all(target_arch = "wasm32", target_os = "unknown")) {
        None
    } else {
        std::env::var("LAYERW_LOG").ok()
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn default_output<F>(filter: F) -> BoxedLayer<tracing_subscriber::Registry>
where
    F: tracing_subscriber::layer::Filter<tracing_subscriber::Registry> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter)
        .boxed()
}

/// The browser has no stderr and no clock through `std`: lines go to the console, untimed.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn default_output<F>(filter: F) -> BoxedLayer<tracing_subscriber::Registry>
where
    F: tracing_subscriber::layer::Filter<tracing_subscriber::Registry> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .without_time()
        .with_writer(tracing_web::MakeConsoleWriter)
        .with_filter(filter)
        .boxed()
}
