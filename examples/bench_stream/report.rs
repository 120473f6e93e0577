//! What a run measures and how it is reported, the same natively and in the browser: the
//! per-frame tally (wants, peaks), frame samples, the JSON report and its printed form.

use layerw::engine::schedule::StageTimings;
use layerw::engine::stream::{StreamProgress, StreamSettings, Streamer};
use layerw::engine::walloc::TierStats;
use layerw::prelude::*;
use serde_json::json;

const MIB: f64 = (1u64 << 20) as f64;
/// A frame longer than this is a long frame (the goal).
pub const LONG_FRAME: f64 = 0.020;

/// One frame's timings, seconds.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// The whole `App::update`.
    pub update: f64,
    /// The Streaming stage's main-thread time (`StageTimings`).
    pub streaming: f64,
    /// Of it, decoding on the frame's thread (`StreamProgress::decode_seconds`: the browser's
    /// time slice; 0 natively).
    pub decoding: f64,
}

impl Sample {
    /// `update` seconds of `App::update` just run in `app`, with its Streaming stage's time.
    pub fn of(app: &App, update: f64) -> Sample {
        let streaming = app
            .world()
            .try_resource::<StageTimings>()
            .map_or(0.0, |t| t.seconds(Stage::Streaming));
        let decoding = app
            .world()
            .try_resource::<Streamer>()
            .map_or(0.0, |s| s.progress().decode_seconds);
        Sample {
            update,
            streaming,
            decoding,
        }
    }
}

/// What is recorded after every frame (untimed).
#[derive(Debug, Default)]
pub struct Tally {
    /// Per asset, the most levels wanted so far (coarse first).
    wanted: Vec<u8>,
    /// The most the scheduler held (resident + reserved) after any frame.
    pub max_used: u64,
    /// The most the Scene tier had in use after any frame.
    pub max_scene: u64,
}

impl Tally {
    /// Records the wants and peaks after a frame of `app`.
    pub fn record(&mut self, app: &App) {
        let streamer = app.world().resource::<Streamer>();
        if let Some(scheduler) = streamer.scheduler() {
            if self.wanted.is_empty() {
                self.wanted = vec![0; scheduler.assets().len()];
            }
            for (asset, levels) in scheduler.wanted_levels() {
                let w = &mut self.wanted[asset as usize];
                *w = (*w).max(levels);
            }
            self.max_used = self.max_used.max(scheduler.used_bytes());
        }
        self.max_scene = self.max_scene.max(walloc::stats().tier(Tier::Scene).used);
    }

    /// Stored bytes of the levels wanted at some point so far (per asset, its most levels).
    pub fn needed_bytes(&self, streamer: &Streamer) -> u64 {
        let Some(scheduler) = streamer.scheduler() else {
            return 0;
        };
        scheduler
            .assets()
            .iter()
            .zip(&self.wanted)
            .flat_map(|(asset, &n)| &asset.levels[..usize::from(n)])
            .map(|l| l.range.end - l.range.start)
            .sum()
    }
}

/// p50, p99 and max of `samples` (seconds), in milliseconds.
pub fn percentiles(samples: &[f64]) -> serde_json::Value {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let at = |p: f64| {
        if s.is_empty() {
            0.0
        } else {
            s[((s.len() - 1) as f64 * p).round() as usize] * 1e3
        }
    };
    json!({ "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": at(1.0) })
}

/// Everything a streaming run's report is made of.
pub struct Run<'a> {
    /// Where the pack came from, in words.
    pub source: String,
    /// `--resident`.
    pub resident: bool,
    /// Virtual seconds a frame (natively) or the mean real frame interval (browser).
    pub frame_seconds: f64,
    /// Seconds to the manifest.
    pub manifest_s: f64,
    /// Seconds to the first complete frame.
    pub first_frame: Option<f64>,
    /// Seconds to full quality at the start.
    pub full_quality: Option<f64>,
    /// The flight's length, frames and lag.
    pub flight: serde_json::Value,
    /// Progress before and after the flight.
    pub before: &'a StreamProgress,
    /// After the flight.
    pub after: &'a StreamProgress,
    /// Stored bytes of the levels wanted during the run.
    pub needed: u64,
    /// Entities spawned from world cells at the end.
    pub entities: usize,
    /// The per-frame tally.
    pub tally: &'a Tally,
    /// The streamer's settings.
    pub settings: &'a StreamSettings,
    /// walloc's Scene tier after the flight.
    pub scene: TierStats,
    /// The flight's frames.
    pub samples: &'a [Sample],
    /// The frames at the start (until full quality).
    pub start_samples: &'a [Sample],
}

impl Run<'_> {
    /// The JSON report.
    pub fn report(&self) -> serde_json::Value {
        let (after, before, samples) = (self.after, self.before, self.samples);
        let updates: Vec<f64> = samples.iter().map(|s| s.update).collect();
        let streaming: Vec<f64> = samples.iter().map(|s| s.streaming).collect();
        let decoding: Vec<f64> = samples.iter().map(|s| s.decoding).collect();
        let besides_decoding: Vec<f64> = samples
            .iter()
            .map(|s| (s.streaming - s.decoding).max(0.0))
            .collect();
        let long = samples.iter().filter(|s| s.update > LONG_FRAME).count();
        // A long frame streaming caused: it would not have been long without the stage.
        let long_by_streaming = samples
            .iter()
            .filter(|s| s.update > LONG_FRAME && s.update - s.streaming <= LONG_FRAME)
            .count();
        let cancelled = after.cancelled_before_first_byte + after.cancelled_in_body;
        let (needed, fetched) = (self.needed, after.scheduler.bytes_fetched);
        let scene = &self.scene;
        json!({
            "source": self.source,
            "resident": self.resident,
            "frame_seconds": self.frame_seconds,
            "manifest_s": self.manifest_s,
            "first_complete_frame_s": self.first_frame,
            "full_quality_s": self.full_quality,
            "flight": self.flight,
            "bytes_fetched": fetched,
            "bytes_fetched_in_flight": fetched - before.scheduler.bytes_fetched,
            "bytes_needed": needed,
            "fetched_over_needed": if needed > 0 { fetched as f64 / needed as f64 } else { 0.0 },
            "requests": after.scheduler.requests,
            "reads": after.reads,
            "cancelled_before_first_byte": after.cancelled_before_first_byte,
            "cancelled_in_body": after.cancelled_in_body,
            // None when nothing was cancelled.
            "cancelled_before_first_byte_share":
                (cancelled > 0).then(|| after.cancelled_before_first_byte as f64 / cancelled as f64),
            "evicted": after.scheduler.evicted,
            "failures": after.scheduler.failures,
            "budget": self.settings.scheduler.budget,
            "max_requests": self.settings.scheduler.max_requests,
            "scheduler_peak": after.scheduler.peak_bytes,
            "scheduler_max_after_frame": self.tally.max_used,
            "scene_tier": { "budget": scene.budget, "peak": scene.peak, "max_after_frame": self.tally.max_scene, "failures": scene.failures },
            "cells_loaded": after.cells_loaded,
            "entities": self.entities,
            "complete_at_end": after.complete(),
            "frame": percentiles(&updates),
            "streaming_stage": percentiles(&streaming),
            // The stage split: decoding on the frame's thread, and everything else.
            "streaming_stage_decoding": percentiles(&decoding),
            "streaming_stage_besides_decoding": percentiles(&besides_decoding),
            "start_frame": percentiles(&self.start_samples.iter().map(|s| s.update).collect::<Vec<_>>()),
            "frames_over_20ms": long,
            "frames_over_20ms_by_streaming": long_by_streaming,
        })
    }
}

/// Prints a report (a streaming run's or `--decode`'s) as text.
#[cfg(not(target_arch = "wasm32"))]
pub fn print(report: &serde_json::Value) {
    for line in lines(report) {
        println!("{line}");
    }
}

/// A report as lines of text.
pub fn lines(report: &serde_json::Value) -> Vec<String> {
    let ms = |v: &serde_json::Value| {
        v.as_f64()
            .map_or("-".to_owned(), |s| format!("{:.0} ms", s * 1e3))
    };
    if report.get("decoded_mb_per_s").is_some() {
        return vec![format!(
            "decode: {} levels on {} threads, {:.0} MB/s stored, {:.0} MB/s decoded ({:.2} s)",
            report["levels"],
            report["threads"],
            report["stored_mb_per_s"].as_f64().unwrap_or(0.0),
            report["decoded_mb_per_s"].as_f64().unwrap_or(0.0),
            report["seconds"].as_f64().unwrap_or(0.0),
        )];
    }
    let f = |k: &str| report[k].as_f64().unwrap_or(0.0);
    let pct = |v: &serde_json::Value| {
        format!(
            "p50 {:.2} / p99 {:.2} / max {:.2} ms",
            v["p50_ms"].as_f64().unwrap_or(0.0),
            v["p99_ms"].as_f64().unwrap_or(0.0),
            v["max_ms"].as_f64().unwrap_or(0.0)
        )
    };
    let share = report["cancelled_before_first_byte_share"]
        .as_f64()
        .map_or("none cancelled".to_owned(), |s| {
            format!("{:.1} % before", s * 100.0)
        });
    vec![
        format!(
            "source: {}{}",
            report["source"].as_str().unwrap_or(""),
            if report["resident"] == true {
                " (resident)"
            } else {
                ""
            }
        ),
        format!("manifest read: {}", ms(&report["manifest_s"])),
        format!(
            "first complete frame: {}",
            ms(&report["first_complete_frame_s"])
        ),
        format!(
            "full quality at the start: {}",
            ms(&report["full_quality_s"])
        ),
        format!(
            "flight: {:.0} m in {:.1} s ({} frames), real time {:.2} s behind virtual",
            report["flight"]["metres"].as_f64().unwrap_or(0.0),
            report["flight"]["seconds"].as_f64().unwrap_or(0.0),
            report["flight"]["frames"],
            report["flight"]["lag_s"].as_f64().unwrap_or(0.0),
        ),
        format!(
            "bytes fetched {:.1} MiB, needed {:.1} MiB: {:.3}x ({:.1} MiB during the flight)",
            f("bytes_fetched") / MIB,
            f("bytes_needed") / MIB,
            f("fetched_over_needed"),
            f("bytes_fetched_in_flight") / MIB,
        ),
        format!(
            "{} level requests in {} reads; stale ones cancelled: {} before the first byte, {} in the body ({share}); {} evicted, {} failures",
            report["requests"],
            report["reads"],
            report["cancelled_before_first_byte"],
            report["cancelled_in_body"],
            report["evicted"],
            report["failures"],
        ),
        format!(
            "budget {:.0} MiB: scheduler peak {:.1} MiB; Scene tier peak {:.1} MiB of its {:.0} MiB",
            f("budget") / MIB,
            f("scheduler_peak") / MIB,
            report["scene_tier"]["peak"].as_f64().unwrap_or(0.0) / MIB,
            report["scene_tier"]["budget"].as_f64().unwrap_or(0.0) / MIB,
        ),
        format!("App::update during the flight: {}", pct(&report["frame"])),
        format!(
            "Streaming stage (main thread): {}; decoding on it {}; the rest {}",
            pct(&report["streaming_stage"]),
            pct(&report["streaming_stage_decoding"]),
            pct(&report["streaming_stage_besides_decoding"]),
        ),
        format!(
            "frames over 20 ms: {} ({} caused by streaming)",
            report["frames_over_20ms"], report["frames_over_20ms_by_streaming"]
        ),
    ]
}
