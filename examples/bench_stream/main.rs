//! bench_stream: a headless app streams a content pack (`scripts/gen_stream_world.sh` makes a
//! 2 GiB one) while a scripted camera flies across its world, and prints what issue 12's
//! streaming goals ask for: time to the first complete frame and to full quality at the start,
//! bytes fetched against bytes needed, stale requests cancelled before their first byte, peak
//! Scene-tier and budget use, frame times of the whole `App::update` and the Streaming stage's
//! main-thread time.
//!
//! ```text
//! cargo run --release --example bench_stream -- (--pack DIR | --url URL) [--budget MIB]
//!     [--speed M_PER_S] [--height M] [--seconds S] [--load M] [--unload M] [--threads N]
//!     [--connections N] [--requests N] [--settle S] [--resident] [--json PATH]
//! cargo run --release --example bench_stream -- --decode --pack DIR [--threads N] [--json PATH]
//! ```
//!
//! The flight: the camera starts 10 % in from the world's west edge on its middle line,
//! `--height` metres up (default 4), looking ahead along the path and 8 degrees down; it waits
//! there until everything in view is at full quality (at most `--settle` seconds, default 30),
//! then flies east at `--speed` (default 15 m/s) on a gentle S curve (a quarter of the world's
//! depth from side to side) to 10 % before the east edge, or for `--seconds`.
//!
//! Time: every frame advances the app by 1/60 s of virtual time (the streamer's clock, the
//! camera's motion), but reads and decoding run on real threads, so after each frame the
//! benchmark sleeps until real time has caught up with virtual time. A frame slower than
//! 1/60 s makes real time run ahead; the run prints how far (`lag`). Every time printed is
//! real (wall-clock) time from the first frame.
//!
//! `--threads` is `FileIo`'s reading threads (default 4), `--connections` `HttpIo`'s (default
//! 6, a browser's per origin), `--requests` the scheduler's cap on level requests in flight
//! (default its own, 256; the streamer merges adjacent levels into reads and hands the backend
//! at most its queue depth of them). `--budget` is in MiB (default 80 % of walloc's Scene tier).
//!
//! `--resident`: the same flight with everything it needs resident first: the budget is the
//! whole Scene tier (unless `--budget`), and a warm-up pass flies the path stopping every 16 m
//! until streaming is complete there; then the measured flight runs from the start again.
//!
//! `--decode`: decodes every level of the pack (CRC-32, LZ4, level decoding into the Scene
//! tier, as the streamer does) on rayon's pool (`--threads`, default all cores), one blob file
//! at a time read into memory first, and prints MB/s of stored and of decoded bytes (the
//! reads are not timed).
//!
//! In the browser (`bash scripts/web.sh bench_stream --release`, `web/bench_stream/`): the same
//! flight and figures, streamed with `FetchIo` from the URL in the page's query
//! (`index.html?pack=URL`), driven by `requestAnimationFrame` with virtual time = real time;
//! see `web.rs` and `scripts/bench_stream_web.py`.

mod flight;
mod report;
#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
fn main() {
    web::main();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

/// The command-line benchmark (files or a server, real threads).
#[cfg(not(target_arch = "wasm32"))]
mod native {

    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use layerw::engine::stream::{
        DEFAULT_HTTP_CONNECTIONS, FileIo, HttpIo, MANIFEST_FILE, PackManifest, StreamIo,
        StreamSettings, Streamer, decode_mesh_level, decode_texture_level,
    };
    use layerw::prelude::*;
    use layerw::systems::{CellRadii, StreamPlugin, StreamedCell};
    use rayon::prelude::*;
    use serde_json::json;

    use super::flight::{Flight, FlightOptions, number, set_camera};
    use super::report::{Run, Sample, Tally, print};

    const FRAME: f64 = 1.0 / 60.0;
    /// Warm-up stops (`--resident`) this many metres apart.
    const WARM_STEP: f32 = 16.0;

    #[derive(Clone, Debug)]
    enum Source {
        Pack(PathBuf),
        Url(String),
    }

    #[derive(Clone, Debug)]
    struct Options {
        source: Option<Source>,
        flight: FlightOptions,
        threads: usize,
        connections: usize,
        requests: Option<usize>,
        resident: bool,
        decode: bool,
        json: Option<PathBuf>,
    }

    fn options() -> Result<Options, String> {
        let mut o = Options {
            source: None,
            flight: FlightOptions::default(),
            threads: 4,
            connections: DEFAULT_HTTP_CONNECTIONS,
            requests: None,
            resident: false,
            decode: false,
            json: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let mut text = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match flag.as_str() {
                "--pack" => o.source = Some(Source::Pack(text("--pack")?.into())),
                "--url" => o.source = Some(Source::Url(text("--url")?)),
                "--budget" | "--speed" | "--height" | "--seconds" | "--settle" | "--load"
                | "--unload" => {
                    o.flight.set(&flag[2..], &text(&flag)?)?;
                }
                "--threads" => o.threads = number("--threads", &text("--threads")?)? as usize,
                "--connections" => {
                    o.connections = number("--connections", &text("--connections")?)? as usize
                }
                "--requests" => {
                    o.requests = Some((number("--requests", &text("--requests")?)? as usize).max(1))
                }
                "--resident" => o.resident = true,
                "--decode" => o.decode = true,
                "--json" => o.json = Some(text("--json")?.into()),
                "--headless" => {}
                other => return Err(format!("unknown argument {other}")),
            }
        }
        if o.source.is_none() {
            return Err("give --pack DIR or --url URL".into());
        }
        o.flight.check()?;
        Ok(o)
    }

    /// The app, its clocks and what every frame measured.
    struct Bench {
        app: App,
        began: Instant,
        frames: u64,
        /// Wants and peaks.
        tally: Tally,
    }

    impl Bench {
        fn new(io: impl StreamIo + 'static, settings: StreamSettings, radii: CellRadii) -> Bench {
            let mut app = App::new();
            app.add_plugin(HeadlessPlugins {
                log: None,
                diagnostics: None,
                ..HeadlessPlugins::default()
            });
            app.add_plugin(StreamPlugin::new(io, settings).with_cells(radii));
            Bench {
                app,
                began: Instant::now(),
                frames: 0,
                tally: Tally::default(),
            }
        }

        fn streamer(&self) -> layerw::engine::ecs::Res<'_, Streamer> {
            self.app.world().resource::<Streamer>()
        }

        fn wall(&self) -> f64 {
            self.began.elapsed().as_secs_f64()
        }

        /// Real time minus virtual time.
        fn lag(&self) -> f64 {
            self.wall() - self.frames as f64 * FRAME
        }

        /// One frame: the update timed, the wants and peaks recorded (untimed), then a sleep until
        /// real time reaches virtual time.
        fn frame(&mut self) -> Sample {
            let started = Instant::now();
            self.app.update(FRAME);
            let update = started.elapsed().as_secs_f64();
            self.frames += 1;
            let sample = Sample::of(&self.app, update);
            self.tally.record(&self.app);
            let target = Duration::from_secs_f64(self.frames as f64 * FRAME);
            if let Some(ahead) = target.checked_sub(self.began.elapsed()) {
                std::thread::sleep(ahead);
            }
            sample
        }

        /// Entities spawned from world cells.
        fn spawned(&mut self) -> usize {
            self.app.world_mut().query::<&StreamedCell>().iter().count()
        }

        fn set_camera(&mut self, t: Transform) {
            set_camera(&mut self.app, t);
        }
    }

    /// The app over the backend `--pack` or `--url` names.
    fn bench_of(options: &Options, settings: StreamSettings) -> Bench {
        match options.source.as_ref().expect("checked in options()") {
            Source::Pack(dir) => Bench::new(
                FileIo::new(dir, options.threads.max(1)),
                settings,
                options.flight.radii,
            ),
            Source::Url(url) => Bench::new(
                HttpIo::new(url, options.connections.max(1)),
                settings,
                options.flight.radii,
            ),
        }
    }

    fn stream(options: &Options) -> Result<serde_json::Value, String> {
        let mut settings = match options.flight.budget_mib {
            Some(mib) => StreamSettings::new(mib << 20),
            None if options.resident => StreamSettings::scene_tier(1.0),
            None => StreamSettings::scene_tier(0.8),
        };
        if options.resident {
            // Everything the flight needs stays: no eviction before the pool is full.
            settings.scheduler.high_water = 1.0;
            settings.scheduler.low_water = 1.0;
        }
        if let Some(requests) = options.requests {
            settings.scheduler.max_requests = requests;
        }
        let budget = settings.scheduler.budget;
        let mut bench = bench_of(options, settings);

        // The manifest first: the path is laid over its cells.
        let manifest_timeout = 60.0;
        while bench.streamer().manifest().is_none() {
            bench.frame();
            if bench.wall() > manifest_timeout {
                let error = bench.streamer().progress().last_error.clone();
                return Err(format!("no manifest after {manifest_timeout} s: {error:?}"));
            }
        }
        let manifest_seconds = bench.wall();
        let flight = Flight::over(
            bench.streamer().manifest().expect("read"),
            options.flight.height,
        );
        bench.set_camera(flight.camera(0.0));

        let flight_seconds = options
            .flight
            .seconds
            .unwrap_or(f64::from(flight.length / options.flight.speed.max(0.1)));
        let flown = (flight_seconds as f32 * options.flight.speed).min(flight.length);
        if options.resident {
            warm_up(&mut bench, &flight, flown, options.flight.settle);
        }

        // At the start: until the first complete frame, then until full quality.
        let settle_from = bench.wall();
        let (mut first_frame, mut full_quality) = (None, None);
        let mut last_spawned = 0;
        let mut start_samples = Vec::new();
        while bench.wall() - settle_from < options.flight.settle {
            start_samples.push(bench.frame());
            let spawned = bench.spawned();
            let progress = bench.streamer().progress().clone();
            // Cells spawn at the end of a frame; their wants count from the next one.
            if first_frame.is_none()
                && spawned > 0
                && spawned == last_spawned
                && progress.view_ready()
            {
                first_frame = Some(bench.wall());
            }
            last_spawned = spawned;
            if first_frame.is_some() && progress.complete() {
                full_quality = Some(bench.wall());
                break;
            }
        }

        // The flight.
        let before = bench.streamer().progress().clone();
        let flight_frames = (flight_seconds / FRAME).ceil() as u64;
        let mut samples = Vec::with_capacity(flight_frames as usize);
        for f in 1..=flight_frames {
            let s = (f as f64 * FRAME) as f32 * options.flight.speed;
            bench.set_camera(flight.camera(s));
            samples.push(bench.frame());
            let p = bench.streamer().progress().clone();
            if p.scheduler.resident_bytes + p.scheduler.reserved_bytes > budget {
                eprintln!("bench_stream: over the budget at flight frame {f}");
            }
        }
        let after = bench.streamer().progress().clone();
        let scene = walloc::stats().tier(Tier::Scene).to_owned();

        let needed = bench.tally.needed_bytes(&bench.streamer());
        let entities = bench.spawned();
        let source = match options.source.as_ref() {
            Some(Source::Pack(d)) => format!("files {}", d.display()),
            Some(Source::Url(u)) => format!("http {u} ({} connections)", options.connections),
            None => String::new(),
        };
        Ok(Run {
            source,
            resident: options.resident,
            frame_seconds: FRAME,
            manifest_s: manifest_seconds,
            first_frame,
            full_quality,
            flight: json!({
                "seconds": flight_seconds,
                "frames": flight_frames,
                "metres": flown,
                "lag_s": bench.lag(),
            }),
            before: &before,
            after: &after,
            needed,
            entities,
            tally: &bench.tally,
            settings: &settings,
            scene,
            samples: &samples,
            start_samples: &start_samples,
        }
        .report())
    }

    /// `--resident`: flies the first `flown` metres of the path backwards, stopping every
    /// [`WARM_STEP`] metres until streaming is complete there (at most `settle` seconds a stop),
    /// so the measured flight finds its levels resident; it ends at the start.
    fn warm_up(bench: &mut Bench, flight: &Flight, flown: f32, settle: f64) {
        let stops = (flown / WARM_STEP).ceil() as u32;
        for stop in (0..=stops).rev() {
            bench.set_camera(flight.camera((stop as f32 * WARM_STEP).min(flown)));
            let from = bench.wall();
            // Two frames at least: cells spawned in the first are wanted from the second.
            for _ in 0..2 {
                bench.frame();
            }
            while !bench.streamer().progress().complete() && bench.wall() - from < settle {
                bench.frame();
            }
        }
        eprintln!(
            "bench_stream: warm-up done after {:.1} s: {}",
            bench.wall(),
            bench.streamer().progress().overlay_line()
        );
    }

    /// `--decode`: every level of the pack decoded, one blob file at a time, on rayon's pool.
    fn decode(options: &Options) -> Result<serde_json::Value, String> {
        let Some(Source::Pack(dir)) = &options.source else {
            return Err("--decode reads a pack from files: give --pack DIR".into());
        };
        let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
        let manifest =
            PackManifest::from_bytes(&read(MANIFEST_FILE)?).map_err(|e| e.to_string())?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads_or_cores())
            .build()
            .map_err(|e| e.to_string())?;
        // Per blob file: (a mesh, not a texture; its index; the level).
        let mut levels: Vec<Vec<(bool, u32, usize)>> = vec![Vec::new(); manifest.blobs.len()];
        for (i, m) in manifest.meshes.iter().enumerate() {
            for l in 0..m.levels.len() {
                levels[m.blob_of(l) as usize].push((true, i as u32, l));
            }
        }
        for (i, t) in manifest.textures.iter().enumerate() {
            for l in 0..t.levels.len() {
                levels[t.blob_of(l) as usize].push((false, i as u32, l));
            }
        }
        let (mut stored, mut raw, mut count, mut seconds) = (0u64, 0u64, 0u64, 0.0f64);
        for (blob, list) in levels.iter().enumerate() {
            let bytes = read(&manifest.blobs[blob].name)?;
            let started = Instant::now();
            let sizes: Result<Vec<(u64, u64)>, String> = pool.install(|| {
                list.par_iter()
                    .map(|&(mesh, i, l)| {
                        walloc::with_tier(Tier::Scene, || {
                            let (s, raw) = if mesh {
                                let level = &manifest.meshes[i as usize].levels[l];
                                let r = level.stored.range();
                                let stored = bytes.get(r.start as usize..r.end as usize);
                                let stored = stored.ok_or("a level past its blob's end")?;
                                decode_mesh_level(level, stored).map_err(|e| e.to_string())?;
                                (level.stored.stored_len, level.stored.raw_len)
                            } else {
                                let level = &manifest.textures[i as usize].levels[l];
                                let r = level.stored.range();
                                let stored = bytes.get(r.start as usize..r.end as usize);
                                let stored = stored.ok_or("a level past its blob's end")?;
                                decode_texture_level(level, stored).map_err(|e| e.to_string())?;
                                (level.stored.stored_len, level.stored.raw_len)
                            };
                            Ok((u64::from(s), u64::from(raw)))
                        })
                    })
                    .collect()
            });
            seconds += started.elapsed().as_secs_f64();
            for (s, r) in sizes? {
                stored += s;
                raw += r;
                count += 1;
            }
        }
        let mb = |bytes: u64| bytes as f64 / 1e6;
        Ok(json!({
            "threads": options.threads_or_cores(),
            "levels": count,
            "stored_bytes": stored,
            "decoded_bytes": raw,
            "seconds": seconds,
            "stored_mb_per_s": mb(stored) / seconds.max(1e-9),
            "decoded_mb_per_s": mb(raw) / seconds.max(1e-9),
        }))
    }

    impl Options {
        /// `--threads` for decoding, all cores when not given.
        fn threads_or_cores(&self) -> usize {
            if std::env::args().any(|a| a == "--threads") {
                self.threads.max(1)
            } else {
                std::thread::available_parallelism().map_or(1, |n| n.get())
            }
        }
    }

    pub fn main() {
        let options = match options() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("bench_stream: {e}");
                std::process::exit(2);
            }
        };
        let report = if options.decode {
            decode(&options)
        } else {
            stream(&options)
        };
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                eprintln!("bench_stream: {e}");
                std::process::exit(1);
            }
        };
        print(&report);
        if let Some(path) = &options.json {
            let text = serde_json::to_string_pretty(&report).expect("a JSON value serialises");
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("bench_stream: {}: {e}", path.display());
                std::process::exit(1);
            }
        }
    }
}
