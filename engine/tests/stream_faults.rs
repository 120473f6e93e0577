//! Faults end to end: a `Streamer` over `HttpIo` streams a small pack from
//! scripts/fault_server.py on 127.0.0.1. Once every coarsest level is resident, the server
//! starts misbehaving (503, 404, 416, truncated bodies, flipped bits, a first byte later than
//! the timeout, a stalled body, a server killed mid-body) while the finer levels are wanted:
//! the streamer records typed errors and failures, retries with back-off (a bounded number of
//! requests), never panics, and keeps every coarsest level resident and drawable. When the
//! fault is lifted (switched off, or the killed server restarted on its port) everything
//! wanted becomes resident by itself. A server that ignores `Range` (a valid 200 with the whole
//! file) is no fault at all.
//!
//! Without python3 the tests are skipped, unless `LAYERW_REQUIRE_NGINX` is set (scripts/test.sh
//! sets it), which makes that a failure.
#![cfg(not(target_family = "wasm"))]

#[path = "support/fault_server.rs"]
mod fault_server;
#[path = "support/stream_pack.rs"]
mod stream_pack;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fault_server::FaultServer;
use layerw_engine::lod::{LodAssets, LodChain, LodLevel};
use layerw_engine::render::{Materials, Mesh, MeshAssets, TextureAssets, TextureImage};
use layerw_engine::stream::{
    HttpIo, HttpTimeouts, PackError, PackWriter, StreamError, StreamIoError, StreamProgress,
    StreamSettings, StreamStores, Streamer,
};
use stream_pack::add_textured_entity;

/// Meshes in the pack (3 levels each); the texture (7 mips) is the asset after them.
const MESHES: u32 = 4;
const MESH_LEVELS: u8 = 3;
const MIPS: u8 = 7;
/// Streamed assets: the meshes and the texture.
const ASSETS: u64 = MESHES as u64 + 1;
const FRAME: f64 = 1.0 / 60.0;
/// First retry delay on the streamer's clock (it doubles per failure, up to the cap).
const RETRY_BASE: f64 = 0.1;
/// Seconds on the streamer's clock a fault lasts at least (several back-offs long).
const FAULT_SECONDS: f64 = 1.0;
/// Frames and wall-clock seconds before a phase is given up.
const FRAME_LIMIT: usize = 20_000;
const WALL_LIMIT: Duration = Duration::from_secs(40);

/// The pack, cooked once into the test's target folder (never committed).
fn pack_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("stream-faults-pack");
        let _ = std::fs::remove_dir_all(&dir);
        // Small blob files: the meshes' and the texture's levels lie in several of them.
        let mut writer = PackWriter::to_dir(&dir, 32.0, 16 << 10).unwrap();
        for m in 0..MESHES {
            let levels = (0..u32::from(MESH_LEVELS))
                .map(|l| {
                    let seg = 6 + m + 12 * l;
                    let error = [0.2, 0.05, 0.0][l as usize];
                    LodLevel::new(Mesh::sphere(1.0, seg, seg / 2), error)
                })
                .collect();
            writer.add_mesh(&LodChain::new(levels).unwrap()).unwrap();
        }
        let pixels: Vec<u8> = (0..64 * 64 * 4).map(|i| (i * 13 % 241) as u8).collect();
        let image = TextureImage::from_rgba8(64, 64, pixels).unwrap();
        add_textured_entity(&mut writer, &image);
        let pack = writer.finish().unwrap();
        assert!(pack.blobs.is_empty(), "the blobs are files in the folder");
        dir
    })
}

/// A streamer, its stores, and the fault server it reads from.
struct Client {
    streamer: Streamer,
    lods: LodAssets,
    meshes: MeshAssets,
    textures: TextureAssets,
    materials: Materials,
}

impl Client {
    /// Four connections, timeouts of a second at most (ample for a server on the machine),
    /// retries from [`RETRY_BASE`] up to
    /// 0.4 s.
    fn new(server: &FaultServer) -> Client {
        let timeouts = HttpTimeouts {
            connect: Duration::from_secs(1),
            first_byte: Duration::from_secs(1),
            stall: Duration::from_millis(500),
        };
        let io = HttpIo::with_timeouts(&server.url(), 4, timeouts);
        let mut settings = StreamSettings::new(64 << 20);
        settings.scheduler.retry_base = RETRY_BASE;
        settings.scheduler.retry_cap = 0.4;
        Client {
            streamer: Streamer::new(io, settings),
            lods: LodAssets::default(),
            meshes: MeshAssets::default(),
            textures: TextureAssets::default(),
            materials: Materials::default(),
        }
    }

    /// One frame wanting `levels` levels of every mesh and as many mips of the texture.
    fn frame(&mut self, levels: u8) -> StreamProgress {
        if self.streamer.manifest().is_some() {
            for m in 0..MESHES {
                let chain = self.streamer.chain(m).unwrap();
                self.streamer.want(chain, levels - 1, 5.0, 100.0, true);
            }
            // One pixel across wants the coarsest mip (1 x 1) alone; more than the texture's
            // width wants every mip.
            let pixels = if levels == 1 { 1.0 } else { 4096.0 };
            let material = self.streamer.material(0).unwrap();
            self.streamer.want_textures(material, pixels, 5.0, true);
        }
        self.streamer.update(
            FRAME,
            StreamStores {
                lods: &mut self.lods,
                meshes: &mut self.meshes,
                textures: &mut self.textures,
                materials: &mut self.materials,
            },
        );
        // The reads and decodes run on other threads: give them time between frames.
        std::thread::sleep(Duration::from_millis(2));
        self.streamer.progress().clone()
    }

    /// Resident levels by the scheduler, and as the stores hold them (drawable): per mesh,
    /// the chain's resident count and its loaded meshes; the texture's mips.
    fn resident(&self) -> Vec<(u8, u8)> {
        let scheduler = self.streamer.scheduler().unwrap();
        let mut out: Vec<(u8, u8)> = (0..MESHES)
            .map(|m| {
                let chain = self.lods.get(self.streamer.chain(m).unwrap()).unwrap();
                let loaded = chain
                    .levels
                    .iter()
                    .take_while(|l| self.meshes.get(l.mesh).is_some())
                    .count() as u8;
                assert_eq!(chain.resident, loaded, "the chain's count and its meshes");
                (scheduler.resident_levels(m), loaded)
            })
            .collect();
        let texture = self.streamer.texture(0).unwrap();
        let mips = self.textures.get(texture).map_or(0, |t| t.mips.len() as u8);
        out.push((scheduler.resident_levels(MESHES), mips));
        out
    }

    /// Every asset has exactly `levels` levels resident (the texture `mips`), in the stores too.
    fn all_resident(&self, levels: u8, mips: u8) -> bool {
        self.resident().iter().enumerate().all(|(i, &(s, stored))| {
            let want = if i as u32 == MESHES { mips } else { levels };
            s == want && stored == want
        })
    }

    /// Frames wanting `levels` until `done` (bounded by frames and wall clock), checking
    /// `every` frame; the frames it took.
    fn until(
        &mut self,
        levels: u8,
        what: &str,
        mut every: impl FnMut(&Client, &StreamProgress),
        mut done: impl FnMut(&Client, &StreamProgress) -> bool,
    ) -> usize {
        let start = Instant::now();
        for frame in 0..FRAME_LIMIT {
            let p = self.frame(levels);
            every(self, &p);
            if done(self, &p) {
                return frame + 1;
            }
            if start.elapsed() > WALL_LIMIT {
                break;
            }
        }
        panic!(
            "{what} within {FRAME_LIMIT} frames and {WALL_LIMIT:?}: {:?}, resident {:?}",
            self.streamer.progress(),
            self.resident()
        );
    }

    /// Streams the coarsest level of everything, with no fault.
    fn coarse(&mut self) {
        self.until(
            1,
            "every coarsest level arrived",
            |_, _| {},
            |c, p| p.complete() && p.scheduler.wanted_bytes > 0 && c.all_resident(1, 1),
        );
        let p = self.streamer.progress();
        assert_eq!(p.scheduler.failures, 0, "no fault yet: {p:?}");
    }

    /// Wants everything until every level is resident.
    fn recover(&mut self, what: &str) -> StreamProgress {
        self.until(
            MESH_LEVELS,
            what,
            |_, _| {},
            |c, p| {
                p.complete() && p.scheduler.wanted_bytes > 0 && c.all_resident(MESH_LEVELS, MIPS)
            },
        );
        self.streamer.progress().clone()
    }
}

/// The name of an error's kind (what the fault should give).
fn kind(error: &StreamError) -> String {
    match error {
        StreamError::Io(StreamIoError::Status { status, .. }) => format!("status {status}"),
        StreamError::Io(StreamIoError::NotFound { .. }) => "not found".into(),
        StreamError::Io(StreamIoError::RangeNotSatisfiable { .. }) => "range".into(),
        StreamError::Io(StreamIoError::Truncated { .. }) => "truncated".into(),
        StreamError::Io(StreamIoError::Transport { .. }) => "transport".into(),
        StreamError::Pack(PackError::LevelChecksum { .. }) => "checksum".into(),
        other => format!("other: {other:?}"),
    }
}

/// What wanting the finer levels under a fault came to.
struct Faulted {
    /// Error kinds seen, in the order first seen.
    kinds: Vec<String>,
    /// Requests made during the phase.
    requests: u64,
    /// Seconds on the streamer's clock the phase took.
    seconds: f64,
}

/// Wants every level under `fault` for [`FAULT_SECONDS`] and until the failures are at least
/// twice the assets (retries), checking every frame that the coarsest levels stay resident and
/// drawable and nothing finer arrives.
fn under_fault(client: &mut Client, fault: &str) -> Faulted {
    let before = client.streamer.progress().scheduler;
    let clock = client.streamer.clock();
    let mut kinds: Vec<String> = Vec::new();
    client.until(
        MESH_LEVELS,
        &format!("the finer levels failed and were retried under {fault}"),
        |c, p| {
            assert!(
                c.all_resident(1, 1),
                "under {fault} the coarsest levels stay, nothing finer arrives: {:?}",
                c.resident()
            );
            if let Some(e) = &p.last_error {
                let k = kind(e);
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
        },
        |c, p| {
            p.scheduler.failures >= before.failures + 2 * ASSETS
                && c.streamer.clock() - clock >= FAULT_SECONDS
        },
    );
    let after = &client.streamer.progress().scheduler;
    Faulted {
        kinds,
        requests: after.requests - before.requests,
        seconds: client.streamer.clock() - clock,
    }
}

/// The whole story for one fault switched on at the server and off again.
fn recovers_from(fault: &str, expected: &[&str]) {
    let pack = pack_dir();
    let Some(server) = FaultServer::start_or_skip(pack) else {
        return;
    };
    let mut client = Client::new(&server);
    client.coarse();
    server.set_faults(fault).unwrap();
    let faulted = under_fault(&mut client, fault);
    check_faulted(fault, &faulted, expected, &[]);
    server.set_faults("").unwrap();
    let p = client.recover(&format!("everything arrived once {fault} was lifted"));
    assert!(p.last_error.is_some(), "{p:?}");
    println!(
        "{fault}: errors {:?}, {} requests in {:.2} s of streamer clock under the fault, {} failures in all",
        faulted.kinds, faulted.requests, faulted.seconds, p.scheduler.failures
    );
}

/// Checks that `fault` gave every error kind of `expected` and no kind outside `expected` and
/// `also`, and that retries kept to their back-off.
fn check_faulted(fault: &str, faulted: &Faulted, expected: &[&str], also: &[&str]) {
    for k in expected {
        assert!(
            faulted.kinds.iter().any(|seen| seen == k),
            "{fault} gives {k}: saw {:?}",
            faulted.kinds
        );
    }
    assert!(
        faulted
            .kinds
            .iter()
            .all(|k| expected.contains(&k.as_str()) || also.contains(&k.as_str())),
        "{fault} gives only {expected:?} (or {also:?}): saw {:?}",
        faulted.kinds
    );
    // Back-off: each asset waits at least RETRY_BASE between its attempts, so no more requests
    // than that allows (retrying every frame would make several times as many).
    let most = ASSETS * (1 + (faulted.seconds / RETRY_BASE).ceil() as u64);
    assert!(
        faulted.requests <= most,
        "{fault}: {} requests in {:.2} s, at most {most} with back-off",
        faulted.requests,
        faulted.seconds
    );
}

#[test]
fn a_503_is_retried_and_recovers() {
    recovers_from("503", &["status 503"]);
}

#[test]
fn a_404_is_retried_and_recovers() {
    recovers_from("404", &["not found"]);
}

#[test]
fn a_416_is_retried_and_recovers() {
    recovers_from("416", &["range"]);
}

#[test]
fn a_truncated_body_is_retried_and_recovers() {
    recovers_from("truncate", &["truncated"]);
}

#[test]
fn flipped_bits_fail_the_checksum_and_recover() {
    recovers_from("flip", &["checksum"]);
}

#[test]
fn a_first_byte_later_than_the_timeout_is_retried_and_recovers() {
    recovers_from("slow=4", &["transport"]);
}

#[test]
fn a_stalled_body_is_retried_and_recovers() {
    recovers_from("stall=5", &["transport"]);
}

#[test]
fn a_server_killed_mid_body_and_restarted_on_its_port_is_recovered_from() {
    let pack = pack_dir();
    let Some(mut server) = FaultServer::start_or_skip(pack) else {
        return;
    };
    let mut client = Client::new(&server);
    client.coarse();
    server.set_faults("kill").unwrap();
    // The first finer read kills the server after half its body (truncated, or a reset
    // connection for the reads beside it); every read after it is refused.
    let faulted = under_fault(&mut client, "kill");
    assert!(
        server.exited_within(Duration::from_secs(5)),
        "the server killed itself mid-body"
    );
    check_faulted("kill", &faulted, &["transport"], &["truncated"]);
    // Back on the same port, the fault switched off with the old process.
    server.restart(&[]).unwrap();
    let p = client.recover("everything arrived once the server was back");
    println!(
        "kill: errors {:?}, {} requests in {:.2} s of streamer clock while down, {} failures in all",
        faulted.kinds, faulted.requests, faulted.seconds, p.scheduler.failures
    );
}

#[test]
fn a_server_ignoring_range_is_no_fault() {
    let pack = pack_dir();
    let Some(server) = FaultServer::start_or_skip(pack) else {
        return;
    };
    let mut client = Client::new(&server);
    client.coarse();
    server.set_faults("norange").unwrap();
    let p = client.recover("everything arrived from whole-file answers");
    assert_eq!(p.scheduler.failures, 0, "{p:?}");
    assert!(p.last_error.is_none(), "{p:?}");
}
