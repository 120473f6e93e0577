//! stream_demo's world streamed from nginx on the GPU (lavapipe in CI): the demo's own scene
//! (`examples/stream_demo/scene.rs`, included here) streams the demo pack (made by the cook's
//! world generator into the test's target folder, never committed) over HTTP from nginx on
//! 127.0.0.1, throttled with `limit_rate` so refinement takes a while. A screenshot of the
//! first frame with every cell spawned and everything wanted at least at its coarsest level,
//! and one once streaming is complete: the early one is coarser (levels were still refining
//! when it was taken, and it differs from the final one measurably), and the final one matches
//! a render of the same view streamed from the files (everything resident, waited for
//! complete). The bytes the streamer fetched are the bytes nginx's access log says it sent for
//! the blobs' ranges, and no more than the pack's blobs hold.
//!
//! Without an adapter the test is skipped unless `LAYERW_REQUIRE_GPU=1`; without nginx unless
//! `LAYERW_REQUIRE_NGINX=1`. The screenshots stay in the target folder
//! (`stream-nginx-{early,final,files}.png`) to look at.
#![cfg(all(feature = "gpu", feature = "window", not(target_family = "wasm")))]

#[path = "../engine/tests/support/gpu.rs"]
mod gpu;
#[path = "../engine/tests/support/nginx.rs"]
mod nginx;
#[path = "../examples/stream_demo/pack.rs"]
mod pack;
#[allow(dead_code)] // The example's items the test does not use.
#[path = "../examples/stream_demo/scene.rs"]
mod scene;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use layerw::engine::render::OverlayLines;
use layerw::engine::stream::{
    DEFAULT_HTTP_CONNECTIONS, FileIo, HttpIo, MANIFEST_FILE, StreamIo, StreamProgress, Streamer,
};
use layerw::prelude::*;
use layerw::systems::RenderUnavailable;

/// Bytes per second per connection: the 4 MB world takes a few seconds over six connections,
/// long after its coarsest levels (a few kB each) are in.
const LIMIT_RATE: u64 = 200_000;
/// Frames before a broken run is given up (frames run flat out while the link works).
const FRAME_LIMIT: u64 = 200_000;
/// Most normalised RMSE between the streamed final frame and the one streamed from files: the
/// same renderer (lavapipe), view and levels, so only rounding may differ.
const SAME_VIEW_TOLERANCE: f64 = 0.002;
/// Least normalised RMSE between the early and the final frame: coarse meshes and low mips
/// change many pixels (measured 0.087 on lavapipe; the two finals: 0.0000).
const COARSER_AT_LEAST: f64 = 0.03;
/// The most bytes between two levels that share a read (the streamer's read queue).
const READ_GAP_AT_MOST: u64 = 8 << 10;
/// The most an answer's head (status line and headers) may add to its body in nginx's
/// `$bytes_sent`.
const HEAD_BYTES_AT_MOST: u64 = 1024;

/// What one run came to.
#[derive(Debug)]
struct Run {
    /// Progress at the frame the early screenshot was asked for.
    at_ready: Option<StreamProgress>,
    /// Progress at the end.
    last: StreamProgress,
    demo: scene::DemoProgress,
    stream_line: String,
}

/// Streams the demo world through `io` headless, asking for the screenshots of `shots`;
/// `None` when there is no adapter (and none is required).
fn run(io: impl StreamIo + 'static, mut shots: scene::Shots) -> Option<Run> {
    let mut app = scene::app(io, false);
    let unavailable = app
        .world()
        .try_resource::<RenderUnavailable>()
        .map(|why| why.0.clone());
    gpu::or_skip(unavailable.map_or(Ok(()), Err))?;
    shots.exit_after_complete = Some(2);
    app.add_frame_hook(scene::watch(shots));
    let seen: Rc<RefCell<Option<Run>>> = Rc::new(RefCell::new(None));
    let into = seen.clone();
    app.add_frame_hook(move |world| {
        let demo = *world.resource::<scene::DemoProgress>();
        let progress = world.resource::<Streamer>().progress().clone();
        let stream_line = world
            .resource::<OverlayLines>()
            .iter()
            .find(|l| l.starts_with("stream:"))
            .map(str::to_owned)
            .unwrap_or_default();
        let mut seen = into.borrow_mut();
        let at_ready = seen.as_mut().and_then(|r| r.at_ready.take());
        let at_ready = match (at_ready, demo.ready_frame) {
            (Some(p), _) => Some(p),
            (None, Some(_)) => Some(progress.clone()),
            (None, None) => None,
        };
        *seen = Some(Run {
            at_ready,
            last: progress,
            demo,
            stream_line,
        });
    });
    app.set_headless(HeadlessRun::frames(FRAME_LIMIT));
    let report = app.run().expect("the demo runs headless");
    let run = seen.take().expect("frames ran");
    assert!(
        run.demo.complete_frame.is_some(),
        "streaming completed within {FRAME_LIMIT} frames: {run:?} ({report:?})"
    );
    Some(run)
}

/// The demo pack, made once into the test's target folder.
fn demo_pack() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("stream-demo-pack");
    let summary = pack::make_pack(&dir).expect("the demo world is generated");
    assert!(summary.cells == 16 && summary.entities > 16, "{summary:?}");
    dir
}

/// Normalised RMSE of two same-sized PNGs over their RGB channels (ImageMagick's `compare
/// -metric RMSE` figure in parentheses).
fn rmse(a: &Path, b: &Path) -> f64 {
    let (wa, ha, pa) = rgb(a);
    let (wb, hb, pb) = rgb(b);
    assert_eq!(
        (wa, ha),
        (wb, hb),
        "{} and {} differ in size",
        a.display(),
        b.display()
    );
    let sum: f64 = pa
        .iter()
        .zip(&pb)
        .map(|(&x, &y)| {
            let d = (f64::from(x) - f64::from(y)) / 255.0;
            d * d
        })
        .sum();
    (sum / pa.len() as f64).sqrt()
}

/// Width, height and RGB bytes of a PNG (8-bit RGB or RGBA).
fn rgb(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{}: {:?}", path.display(), info.color_type);
    let rgb = pixels[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, rgb)
}

/// A blob answer in nginx's access log (`status bytes_sent "range" uri`): the body bytes its
/// range asked for and the bytes nginx sent with the head.
fn blob_answer(line: &str) -> Option<(u64, u64)> {
    let mut words = line.split_whitespace();
    let status = words.next()?;
    let sent: u64 = words.next()?.parse().ok()?;
    let range = words.next()?.trim_matches('"');
    let uri = words.next()?;
    if uri.ends_with(MANIFEST_FILE) {
        return None;
    }
    assert_eq!(status, "206", "a blob read is a range answer: {line}");
    let (first, last) = range.strip_prefix("bytes=")?.split_once('-')?;
    let (first, last): (u64, u64) = (first.parse().ok()?, last.parse().ok()?);
    Some((last - first + 1, sent))
}

#[test]
fn the_demo_world_streams_from_nginx_coarse_then_fine_and_every_byte_is_counted() {
    let pack = demo_pack();
    let Some(server) = nginx::Nginx::start_or_skip(
        &pack,
        &nginx::NginxOptions {
            limit_rate: Some(LIMIT_RATE),
        },
    ) else {
        return;
    };
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let (early, last, files) = (
        out.join("stream-nginx-early.png"),
        out.join("stream-nginx-final.png"),
        out.join("stream-nginx-files.png"),
    );
    for path in [&early, &last, &files] {
        let _ = std::fs::remove_file(path);
    }
    let Some(http) = run(
        HttpIo::new(&server.url(), DEFAULT_HTTP_CONNECTIONS),
        scene::Shots {
            ready: Some(early.clone()),
            complete: Some(last.clone()),
            exit_after_complete: None,
        },
    ) else {
        return;
    };
    let from_files = run(
        FileIo::new(&pack, 2),
        scene::Shots {
            ready: None,
            complete: Some(files.clone()),
            exit_after_complete: None,
        },
    )
    .expect("the adapter that drew the first run draws the second");

    // Coarse first: when every cell was spawned and everything wanted had its coarsest level,
    // finer levels were still on their way; then everything arrived.
    let at_ready = http.at_ready.as_ref().expect("a ready frame");
    assert!(
        at_ready.scheduler.refining > 0,
        "levels still refining at the early screenshot: {at_ready:?}"
    );
    assert!(http.demo.ready_frame < http.demo.complete_frame, "{http:?}");
    assert!(
        http.last.complete() && http.last.last_error.is_none(),
        "{http:?}"
    );
    assert!(
        http.stream_line.contains("0 missing 0 refining"),
        "the overlay's stream line says it is done: {}",
        http.stream_line
    );
    // Both runs want the same bytes (the same view and levels) and drew the same entities.
    assert_eq!(
        http.last.scheduler.wanted_bytes,
        from_files.last.scheduler.wanted_bytes
    );
    assert_eq!(http.demo.entities, from_files.demo.entities);

    let coarse = rmse(&early, &last);
    let same = rmse(&last, &files);
    println!("early vs final RMSE {coarse:.4}, streamed vs files RMSE {same:.4}");
    assert!(
        coarse > COARSER_AT_LEAST,
        "the early frame is coarser: RMSE {coarse:.4} against the final one"
    );
    assert!(
        same < SAME_VIEW_TOLERANCE,
        "the final frame matches the one from files: RMSE {same:.4}"
    );

    // Every stored byte fetched is a byte nginx sent for a blob range, and no more than the
    // pack's blobs hold. nginx logs a request when it ends: all have (streaming is complete).
    let answers: Vec<(u64, u64)> = server
        .access_log()
        .iter()
        .filter_map(|l| blob_answer(l))
        .collect();
    let asked: u64 = answers.iter().map(|a| a.0).sum();
    let sent: u64 = answers.iter().map(|a| a.1).sum();
    // Levels within a few KiB of each other in one blob share a read (the coarse levels lie
    // side by side): one blob request per read, the gaps between levels read and dropped.
    let (levels, reads) = (http.last.scheduler.requests, http.last.reads);
    assert_eq!(reads, answers.len() as u64, "one blob request per read");
    assert!(
        reads < levels,
        "levels were merged into reads: {levels} levels in {reads} reads"
    );
    let fetched = http.last.scheduler.bytes_fetched;
    assert!(
        fetched <= asked && asked - fetched <= READ_GAP_AT_MOST * (levels - reads),
        "nginx was asked for the levels' bytes and small gaps: {fetched} fetched, {asked} asked {answers:?}"
    );
    assert!(
        sent >= asked && sent - asked <= HEAD_BYTES_AT_MOST * answers.len() as u64,
        "nginx sent every body byte asked for: {sent} sent, {asked} asked"
    );
    let blob_bytes: u64 = std::fs::read_dir(&pack)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name() != MANIFEST_FILE)
        .map(|e| e.metadata().unwrap().len())
        .sum();
    assert!(
        asked <= blob_bytes,
        "fetched {asked} bytes of {blob_bytes} in the blobs"
    );
}
