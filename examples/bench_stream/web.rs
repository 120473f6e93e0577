//! The browser benchmark: the same flight and figures as the native one, streamed with
//! `FetchIo` from the URL in the page's query, one `App::update` per `requestAnimationFrame`
//! with the real time since the previous frame (virtual time = real time). The report is
//! published as JSON in `window.layerwBench` (an error in `window.layerwBenchError`), its
//! text in the page's `#layerw-bench` element.
//!
//! Query: `pack=URL` (the pack's folder; required), `budget=MIB`, `speed=M_PER_S`,
//! `height=M`, `seconds=S`, `settle=S`, `load=M`, `unload=M`, `decode-ms=MS` (the streamer's
//! `decode_ms_per_frame`).

use std::cell::RefCell;
use std::rc::Rc;

use layerw::engine::stream::{FETCH_IN_FLIGHT, FetchIo, StreamProgress, StreamSettings, Streamer};
use layerw::prelude::*;
use layerw::systems::{StreamPlugin, StreamedCell};
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::flight::{Flight, FlightOptions, number, set_camera};
use super::report::{Run, Sample, Tally, lines, percentiles};

/// No manifest after this many seconds is an error.
const MANIFEST_TIMEOUT: f64 = 60.0;
/// The longest frame step handed to the app (a tab in the background pauses its frames).
const MAX_STEP: f64 = 0.25;

/// The page's query, read into the run's knobs.
struct Options {
    pack: String,
    flight: FlightOptions,
    decode_ms: Option<f64>,
}

fn options() -> Result<Options, String> {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&query)
        .map_err(|_| format!("cannot read the query {query}"))?;
    let pack = params
        .get("pack")
        .ok_or("no pack to stream: open index.html?pack=URL")?;
    let mut flight = FlightOptions::default();
    for name in [
        "budget", "speed", "height", "seconds", "settle", "load", "unload",
    ] {
        if let Some(value) = params.get(name) {
            flight.set(name, &value)?;
        }
    }
    flight.check()?;
    // The browser's own knob: the decode slice per frame.
    let decode_ms = params
        .get("decode-ms")
        .map(|v| number("decode-ms", &v))
        .transpose()?;
    Ok(Options {
        pack: pack.trim_end_matches('/').to_owned(),
        flight,
        decode_ms,
    })
}

/// Milliseconds from `performance.now()`.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Where the run is.
enum Phase {
    /// Waiting for the manifest.
    Manifest,
    /// At the start, until full quality (or `settle` seconds).
    Settle { from: f64, last_spawned: usize },
    /// Flying; `from` is when the flight began (seconds since the start).
    Flight {
        from: f64,
        before: Box<StreamProgress>,
    },
    /// Finished (the report is published).
    Done,
}

/// The app and everything measured so far.
struct WebBench {
    app: App,
    options: Options,
    settings: StreamSettings,
    phase: Phase,
    /// `performance.now()` (ms) of the first frame, and of the previous one.
    began_ms: Option<f64>,
    last_ms: f64,
    tally: Tally,
    manifest_s: f64,
    flight: Option<(Flight, f64, f32)>,
    first_frame: Option<f64>,
    full_quality: Option<f64>,
    start_samples: Vec<Sample>,
    samples: Vec<Sample>,
    /// Real seconds between the flight's frames (requestAnimationFrame's pace).
    intervals: Vec<f64>,
    /// Frames run.
    frames: u64,
    /// Level requests, reads and bytes fetched by the first complete frame.
    at_first_frame: Option<(u64, u64, u64)>,
}

impl WebBench {
    fn new(options: Options) -> WebBench {
        let mut settings = match options.flight.budget_mib {
            Some(mib) => StreamSettings::new(mib << 20),
            None => StreamSettings::scene_tier(0.8),
        };
        if let Some(ms) = options.decode_ms {
            settings.decode_ms_per_frame = ms;
        }
        let mut app = App::new();
        app.add_plugin(HeadlessPlugins {
            log: None,
            diagnostics: None,
            ..HeadlessPlugins::default()
        });
        app.add_plugin(
            StreamPlugin::new(FetchIo::new(&options.pack), settings)
                .with_cells(options.flight.radii),
        );
        WebBench {
            app,
            options,
            settings,
            phase: Phase::Manifest,
            began_ms: None,
            last_ms: 0.0,
            tally: Tally::default(),
            manifest_s: 0.0,
            flight: None,
            first_frame: None,
            full_quality: None,
            start_samples: Vec::new(),
            samples: Vec::new(),
            intervals: Vec::new(),
            frames: 0,
            at_first_frame: None,
        }
    }

    fn spawned(&mut self) -> usize {
        self.app.world_mut().query::<&StreamedCell>().iter().count()
    }

    fn progress(&self) -> StreamProgress {
        self.app.world().resource::<Streamer>().progress().clone()
    }

    /// One frame, `App::update` with the real time since the previous one; false once the
    /// run is over.
    fn frame(&mut self) -> Result<bool, String> {
        let start_ms = now_ms();
        let began = *self.began_ms.get_or_insert(start_ms);
        let dt = if self.last_ms > 0.0 {
            ((start_ms - self.last_ms) / 1e3).min(MAX_STEP)
        } else {
            1.0 / 60.0
        };
        let interval = dt;
        self.last_ms = start_ms;
        let t = (start_ms - began) / 1e3;
        // The camera for this frame, from where the flight is in real time.
        if let (Phase::Flight { from, .. }, Some((flight, _, flown))) = (&self.phase, &self.flight)
        {
            let s = ((t - from) as f32 * self.options.flight.speed).min(*flown);
            let transform = flight.camera(s);
            set_camera(&mut self.app, transform);
        }
        let update_from = now_ms();
        self.app.update(dt);
        let sample = Sample::of(&self.app, (now_ms() - update_from) / 1e3);
        self.tally.record(&self.app);
        let wall = (now_ms() - began) / 1e3;
        match &mut self.phase {
            Phase::Manifest => {
                let streamer = self.app.world().resource::<Streamer>();
                if let Some(manifest) = streamer.manifest() {
                    let flight = Flight::over(manifest, self.options.flight.height);
                    drop(streamer);
                    let seconds = self.options.flight.seconds.unwrap_or(f64::from(
                        flight.length / self.options.flight.speed.max(0.1),
                    ));
                    let flown = (seconds as f32 * self.options.flight.speed).min(flight.length);
                    set_camera(&mut self.app, flight.camera(0.0));
                    self.flight = Some((flight, seconds, flown));
                    self.manifest_s = wall;
                    self.phase = Phase::Settle {
                        from: wall,
                        last_spawned: 0,
                    };
                } else if wall > MANIFEST_TIMEOUT {
                    let error = streamer.progress().last_error.clone();
                    return Err(format!("no manifest after {MANIFEST_TIMEOUT} s: {error:?}"));
                }
            }
            Phase::Settle { from, last_spawned } => {
                let (from, last) = (*from, *last_spawned);
                self.start_samples.push(sample);
                let spawned = self.spawned();
                let progress = self.progress();
                // Cells spawn at the end of a frame; their wants count from the next one.
                if self.first_frame.is_none()
                    && spawned > 0
                    && spawned == last
                    && progress.view_ready()
                {
                    self.first_frame = Some(wall);
                    let s = &progress.scheduler;
                    self.at_first_frame = Some((s.requests, progress.reads, s.bytes_fetched));
                }
                let settled = self.first_frame.is_some() && progress.complete();
                if settled {
                    self.full_quality = Some(wall);
                }
                self.phase = if settled || wall - from >= self.options.flight.settle {
                    Phase::Flight {
                        from: wall,
                        before: Box::new(progress),
                    }
                } else {
                    Phase::Settle {
                        from,
                        last_spawned: spawned,
                    }
                };
            }
            Phase::Flight { from, .. } => {
                let from = *from;
                self.samples.push(sample);
                self.intervals.push(interval);
                let seconds = self.flight.map_or(0.0, |f| f.1);
                if t - from >= seconds {
                    let Phase::Flight { before, .. } =
                        std::mem::replace(&mut self.phase, Phase::Done)
                    else {
                        unreachable!("matched above")
                    };
                    self.publish(wall - from, &before);
                    return Ok(false);
                }
            }
            Phase::Done => return Ok(false),
        }
        self.frames += 1;
        if self.frames.is_multiple_of(60) {
            show(&format!(
                "{:.1} s: {}",
                wall,
                self.progress().overlay_line()
            ));
        }
        Ok(true)
    }

    /// The report, in `window.layerwBench` and the page.
    fn publish(&mut self, flown_seconds: f64, before: &StreamProgress) {
        let after = self.progress();
        let entities = self.spawned();
        let needed = self
            .tally
            .needed_bytes(&self.app.world().resource::<Streamer>());
        let (seconds, flown) = self.flight.map_or((0.0, 0.0), |f| (f.1, f.2));
        let frames = self.samples.len();
        let mean_interval = self.intervals.iter().sum::<f64>() / (frames.max(1) as f64);
        let mut report = Run {
            source: format!(
                "browser fetch {} (at most {FETCH_IN_FLIGHT} in flight)",
                self.options.pack
            ),
            resident: false,
            frame_seconds: mean_interval,
            manifest_s: self.manifest_s,
            first_frame: self.first_frame,
            full_quality: self.full_quality,
            flight: json!({
                "seconds": seconds,
                "frames": frames,
                "metres": flown,
                // Virtual time is real time: the flight ran this much longer than planned.
                "lag_s": flown_seconds - seconds,
            }),
            before,
            after: &after,
            needed,
            entities,
            tally: &self.tally,
            settings: &self.settings,
            scene: walloc::stats().tier(Tier::Scene).to_owned(),
            samples: &self.samples,
            start_samples: &self.start_samples,
        }
        .report();
        report["decode_ms_per_frame"] = json!(self.settings.decode_ms_per_frame);
        report["frame_interval"] = percentiles(&self.intervals);
        report["at_first_complete_frame"] =
            json!(self.at_first_frame.map(|(requests, reads, bytes)| {
                json!({ "requests": requests, "reads": reads, "bytes_fetched": bytes })
            }));
        // performance.now() counts from the navigation's start: the page, the wasm download
        // and start-up before the first update (not in the figures above).
        report["page_to_first_update_s"] = json!(self.began_ms.map(|ms| ms / 1e3));
        let text = report.to_string();
        show(&lines(&report).join("\n"));
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"layerwBench".into(), &text.into());
        }
    }
}

/// Writes `text` into the page's `#layerw-bench` element.
fn show(text: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("layerw-bench"));
    if let Some(element) = element {
        element.set_text_content(Some(text));
    }
}

/// Publishes an error for the script and the page.
fn fail(error: &str) {
    show(&format!("bench_stream: {error}"));
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"layerwBenchError".into(), &error.into());
    }
}

type FrameCallback = Closure<dyn FnMut(f64)>;

fn request_frame(callback: &FrameCallback) {
    if let Some(window) = web_sys::window() {
        let _ = window.request_animation_frame(callback.as_ref().unchecked_ref());
    }
}

/// Starts the run: one frame per `requestAnimationFrame` until the flight is over.
pub fn main() {
    let options = match options() {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    let mut bench = WebBench::new(options);
    let slot: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
    let again = slot.clone();
    *slot.borrow_mut() = Some(Closure::new(move |_: f64| match bench.frame() {
        Ok(true) => {
            if let Some(callback) = again.borrow().as_ref() {
                request_frame(callback);
            }
        }
        // The run is over: no further frame is asked for (the page keeps the app).
        Ok(false) => {}
        Err(e) => fail(&e),
    }));
    if let Some(callback) = slot.borrow().as_ref() {
        request_frame(callback);
    }
}
