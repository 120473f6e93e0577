//! The native streaming backends for real: `FileIo` on a pack folder, `HttpIo` against nginx
//! (plain and throttled) and against scripts/fault_server.py, each read checked against
//! `serve_from` over the same files (the one statement of the range and size rules).
//!
//! nginx and python3 are needed: without them the HTTP tests are skipped, unless
//! `LAYERW_REQUIRE_NGINX` is set (scripts/test.sh sets it), which makes that a failure.
#![cfg(not(target_family = "wasm"))]

#[path = "support/fault_server.rs"]
mod fault_server;
#[path = "support/nginx.rs"]
mod nginx;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fault_server::FaultServer;
use layerw_engine::stream::{
    Cancelled, FileIo, HttpIo, HttpTimeouts, MANIFEST_FILE, PackFile, ReadRequest, RequestId,
    StreamIo, StreamIoError, serve_from,
};
use nginx::{Nginx, NginxOptions};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// A pack folder with its bytes kept in memory for `serve_from`.
struct Pack {
    dir: PathBuf,
    files: HashMap<PackFile, Vec<u8>>,
    blob_names: Vec<String>,
}

impl Pack {
    /// A manifest and blobs of `blob_sizes` bytes (pseudo-random contents), plus one name in
    /// the blob table whose file is missing.
    fn write(tag: &str, blob_sizes: &[usize]) -> Pack {
        let dir =
            std::env::temp_dir().join(format!("layerw-stream-io-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut rng = SmallRng::seed_from_u64(12);
        let mut bytes = |n: usize| (0..n).map(|_| rng.random::<u8>()).collect::<Vec<u8>>();
        let mut files = HashMap::new();
        files.insert(PackFile::Manifest, bytes(5_000));
        let mut blob_names = Vec::new();
        for (i, &size) in blob_sizes.iter().enumerate() {
            files.insert(PackFile::Blob(i as u32), bytes(size));
            blob_names.push(format!("blob-{i:04}.lwb"));
        }
        blob_names.push("missing.lwb".into());
        for (file, data) in &files {
            let name = match file {
                PackFile::Manifest => MANIFEST_FILE.to_string(),
                PackFile::Blob(i) => blob_names[*i as usize].clone(),
            };
            std::fs::write(dir.join(name), data).unwrap();
        }
        Pack {
            dir,
            files,
            blob_names,
        }
    }

    fn bytes(&self, file: PackFile) -> Option<&[u8]> {
        self.files.get(&file).map(Vec::as_slice)
    }

    fn blob(&self, i: u32) -> &[u8] {
        self.bytes(PackFile::Blob(i)).unwrap()
    }

    /// Many reads of every kind: ranges inside, at and past the ends, empty ones, whole files
    /// over and under their limit, a blob whose file is missing, an index past the table.
    fn mixed_reads(&self, count: u64) -> Vec<ReadRequest> {
        let mut rng = SmallRng::seed_from_u64(7);
        let blobs = self.blob_names.len() as u32; // the last one's file is missing
        (0..count)
            .map(|id| {
                let file = match rng.random_range(0..10u32) {
                    0 => PackFile::Manifest,
                    1 => PackFile::Blob(blobs + 3),
                    _ => PackFile::Blob(rng.random_range(0..blobs)),
                };
                let len = self.bytes(file).map_or(1000, |b| b.len()) as u64;
                let range = match rng.random_range(0..8u32) {
                    0 => None,
                    1 => Some(len..len),
                    2 => Some(len.saturating_sub(10)..len + 10),
                    3 => Some(len + 1..len + 5),
                    _ => {
                        let start = rng.random_range(0..=len);
                        Some(start..rng.random_range(start..=len))
                    }
                };
                ReadRequest {
                    id: RequestId(id),
                    file,
                    range,
                    max_bytes: if rng.random_bool(0.5) { len } else { len / 2 },
                }
            })
            .collect()
    }
}

impl Drop for Pack {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Submits every read at once (they run in parallel), then polls until each has finished.
fn read_all(
    io: &mut dyn StreamIo,
    reads: &[ReadRequest],
) -> HashMap<RequestId, Result<Vec<u8>, StreamIoError>> {
    for read in reads {
        io.submit(read.clone());
    }
    let mut results = HashMap::new();
    let mut done = Vec::new();
    // A guard against a hang, not a measure: the reads take milliseconds.
    let deadline = Instant::now() + Duration::from_secs(120);
    while results.len() < reads.len() {
        assert!(
            Instant::now() < deadline,
            "{} of {} reads finished",
            results.len(),
            reads.len()
        );
        io.poll(0.0, &mut done);
        for completion in done.drain(..) {
            assert!(
                results.insert(completion.id, completion.result).is_none(),
                "{:?} completed twice",
                completion.id
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    results
}

/// Polls until `id` completes.
fn read_one(io: &mut dyn StreamIo, request: ReadRequest) -> Result<Vec<u8>, StreamIoError> {
    let id = request.id;
    read_all(io, &[request]).remove(&id).unwrap()
}

fn assert_same_as_serve_from(pack: &Pack, reads: &[ReadRequest], io: &mut dyn StreamIo) {
    let results = read_all(io, reads);
    let mut kinds = HashMap::<&str, usize>::new();
    for read in reads {
        let expected = serve_from(pack.bytes(read.file), read);
        let kind = match &expected {
            Ok(_) => "ok",
            Err(StreamIoError::NotFound { .. }) => "not found",
            Err(StreamIoError::RangeNotSatisfiable { .. }) => "range",
            Err(StreamIoError::TooLarge { .. }) => "too large",
            Err(e) => panic!("serve_from gave {e}"),
        };
        *kinds.entry(kind).or_default() += 1;
        assert_eq!(results[&read.id], expected, "{read:?}");
    }
    // The reads covered every outcome.
    assert_eq!(kinds.len(), 4, "{kinds:?}");
}

fn blob_read(id: u64, blob: u32, range: Option<Range<u64>>, max_bytes: u64) -> ReadRequest {
    ReadRequest {
        id: RequestId(id),
        file: PackFile::Blob(blob),
        range,
        max_bytes,
    }
}

#[test]
fn file_io_reads_the_same_bytes_as_serve_from_in_parallel() {
    let pack = Pack::write("files", &[0, 1, 64 * 1024, 300_000, 1_000_003]);
    let mut io = FileIo::new(&pack.dir, 4);
    assert_eq!(io.parallelism(), 4);
    // Before the blob table arrives only the manifest has a name.
    assert_eq!(
        read_one(&mut io, blob_read(1, 0, Some(0..0), 10)),
        Err(StreamIoError::NotFound {
            file: PackFile::Blob(0)
        })
    );
    io.set_blobs(&pack.blob_names);
    assert_same_as_serve_from(&pack, &pack.mixed_reads(600), &mut io);
}

#[test]
fn file_io_cancels_queued_reads_before_their_first_byte() {
    let pack = Pack::write("file-cancel", &[2_000_000]);
    let mut io = FileIo::new(&pack.dir, 1);
    io.set_blobs(&pack.blob_names);
    // One thread, 50 whole-blob reads: the last is queued behind the others.
    let reads: Vec<_> = (0..50).map(|id| blob_read(id, 0, None, u64::MAX)).collect();
    for read in &reads {
        io.submit(read.clone());
    }
    assert_eq!(io.cancel(RequestId(49)), Cancelled::BeforeFirstByte);
    assert_eq!(io.cancel(RequestId(49)), Cancelled::NotInFlight);
    assert_eq!(io.cancel(RequestId(1000)), Cancelled::NotInFlight);
    let mut done = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut finished = 0;
    while finished < 49 {
        assert!(Instant::now() < deadline);
        io.poll(0.0, &mut done);
        for c in done.drain(..) {
            assert_ne!(c.id, RequestId(49), "a cancelled read completed");
            assert_eq!(c.result.as_deref(), Ok(pack.blob(0)));
            finished += 1;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    // The worker is idle now: nothing else ever comes.
    io.poll(0.0, &mut done);
    assert!(done.is_empty());
}

#[test]
fn http_io_against_nginx_reads_the_same_bytes_as_serve_from_in_parallel() {
    let pack = Pack::write("nginx", &[0, 1, 64 * 1024, 300_000, 1_000_003]);
    let Some(server) = Nginx::start_or_skip(&pack.dir, &NginxOptions::default()) else {
        return;
    };
    let mut io = HttpIo::new(&format!("{}/", server.url()), 6);
    assert_eq!(io.parallelism(), 6);
    io.set_blobs(&pack.blob_names);
    let reads = pack.mixed_reads(600);
    assert_same_as_serve_from(&pack, &reads, &mut io);
    // One request per read that has a name (an index past the table never leaves).
    let named = reads
        .iter()
        .filter(|r| r.file != PackFile::Blob(pack.blob_names.len() as u32 + 3))
        .count();
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.access_log().len() < named && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(server.access_log().len(), named);
    // Ranges went out as Range headers: nginx answered 206 to those inside the file.
    let partial = server
        .access_log()
        .iter()
        .filter(|l| l.starts_with("206 "))
        .count();
    assert!(partial > 0);
}

#[test]
fn throttled_nginx_cancels_queued_reads_before_their_first_byte_and_stops_reading_a_body() {
    const SIZE: usize = 4_000_000;
    let pack = Pack::write("throttled", &[SIZE]);
    let options = NginxOptions {
        limit_rate: Some(200_000),
    };
    let Some(server) = Nginx::start_or_skip(&pack.dir, &options) else {
        return;
    };
    let mut io = HttpIo::new(&server.url(), 1);
    io.set_blobs(&pack.blob_names);
    // The one connection takes read 1 (20 s at this rate); reads 2 and 3 wait behind it.
    io.submit(blob_read(1, 0, None, u64::MAX));
    io.submit(blob_read(2, 0, Some(0..1000), u64::MAX));
    io.submit(blob_read(3, 0, Some(1000..2000), u64::MAX));
    assert_eq!(io.cancel(RequestId(2)), Cancelled::BeforeFirstByte);
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.writing() == 0 {
        assert!(Instant::now() < deadline, "nginx never saw read 1");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Read 1's body is arriving: its worker stops at the next chunk and takes read 3.
    assert_eq!(io.cancel(RequestId(1)), Cancelled::InBody);
    let mut done = Vec::new();
    while done.is_empty() {
        assert!(Instant::now() < deadline, "read 3 never finished");
        io.poll(0.0, &mut done);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].id, RequestId(3));
    assert_eq!(done[0].result.as_deref(), Ok(&pack.blob(0)[1000..2000]));
    // nginx served two requests (1, cut short, and 3), never read 2, and read 1 spent a part.
    while server.access_log().len() < 2 {
        assert!(Instant::now() < deadline, "{:?}", server.access_log());
        std::thread::sleep(Duration::from_millis(10));
    }
    let log = server.access_log();
    assert_eq!(log.len(), 2, "{log:?}");
    let first: Vec<&str> = log
        .iter()
        .find(|l| l.contains("\"-\""))
        .unwrap()
        .split(' ')
        .collect();
    let sent: usize = first[1].parse().unwrap();
    assert!(sent < SIZE, "read 1 sent {sent} bytes");
}

/// An `HttpIo` on the fault server's `faults`, two connections, short timeouts.
fn faulty(server: &FaultServer, faults: &str, pack: &Pack) -> HttpIo {
    let timeouts = HttpTimeouts {
        connect: Duration::from_secs(2),
        first_byte: Duration::from_secs(2),
        stall: Duration::from_secs(1),
    };
    let mut io = HttpIo::with_timeouts(&server.url_with(faults), 2, timeouts);
    io.set_blobs(&pack.blob_names);
    io
}

#[test]
fn every_fault_of_the_fault_server_gives_its_typed_error() {
    const SIZE: u64 = 200_000;
    let pack = Pack::write("faults", &[SIZE as usize]);
    let Some(server) = FaultServer::start_or_skip(&pack.dir) else {
        return;
    };
    let file = PackFile::Blob(0);
    let range = 1000..150_000;
    let wanted = &pack.blob(0)[1000..150_000];
    let ranged = || blob_read(1, 0, Some(range.clone()), SIZE);
    let whole = || blob_read(2, 0, None, SIZE);
    let read =
        |faults: &str, request: ReadRequest| read_one(&mut faulty(&server, faults, &pack), request);

    // No fault, answers as asked.
    assert_eq!(read("none", ranged()).as_deref(), Ok(wanted));
    assert_eq!(read("none", whole()).as_deref(), Ok(pack.blob(0)));
    // A server that ignores Range: the whole file, sliced.
    assert_eq!(read("norange", ranged()).as_deref(), Ok(wanted));
    // Slow first byte within the timeout, and a body that trickles: the right bytes.
    assert_eq!(read("slow=0.3", ranged()).as_deref(), Ok(wanted));
    assert_eq!(read("trickle=8192", ranged()).as_deref(), Ok(wanted));
    // Statuses.
    assert_eq!(read("404", ranged()), Err(StreamIoError::NotFound { file }));
    assert_eq!(
        read("416", ranged()),
        Err(StreamIoError::RangeNotSatisfiable {
            file,
            range: range.clone()
        })
    );
    assert_eq!(
        read("503", ranged()),
        Err(StreamIoError::Status { file, status: 503 })
    );
    // Half of what was asked for, announced as such, or announced whole and cut.
    let half = (range.end - range.start) / 2;
    assert_eq!(
        read("truncate", ranged()),
        Err(StreamIoError::Truncated {
            file,
            expected: range.end - range.start,
            received: half
        })
    );
    assert_eq!(
        read("truncate", whole()),
        Err(StreamIoError::Truncated {
            file,
            expected: SIZE,
            received: SIZE / 2
        })
    );
    assert_eq!(
        read("close", ranged()),
        Err(StreamIoError::Truncated {
            file,
            expected: range.end - range.start,
            received: half
        })
    );
    // Flipped bits arrive as bytes: one differs (the pack's checksums catch it, not the IO).
    let flipped = read("flip", ranged()).unwrap();
    assert_eq!(flipped.len(), wanted.len());
    assert_eq!(
        flipped.iter().zip(wanted).filter(|(a, b)| a != b).count(),
        1
    );
    // A stall mid-body and a first byte later than the timeout: transport errors.
    assert!(matches!(
        read("stall=30", ranged()),
        Err(StreamIoError::Transport { .. })
    ));
    assert!(matches!(
        read("slow=5", ranged()),
        Err(StreamIoError::Transport { .. })
    ));
}

#[test]
fn after_a_kill_mid_body_and_a_restart_the_same_http_io_succeeds_again() {
    const SIZE: u64 = 200_000;
    let pack = Pack::write("kill", &[SIZE as usize]);
    let Some(mut server) = FaultServer::start_or_skip(&pack.dir) else {
        return;
    };
    let mut io = faulty(&server, "kill", &pack);
    let wanted = &pack.blob(0)[10..100_010];
    // A read before the kill leaves an idle connection in the pool.
    let mut ok_io = faulty(&server, "none", &pack);
    assert_eq!(
        read_one(&mut ok_io, blob_read(1, 0, Some(10..100_010), SIZE)).as_deref(),
        Ok(wanted)
    );
    // The server dies after half the body.
    assert_eq!(
        read_one(&mut io, blob_read(2, 0, Some(10..100_010), SIZE)),
        Err(StreamIoError::Truncated {
            file: PackFile::Blob(0),
            expected: 100_000,
            received: 50_000
        })
    );
    server.wait_exit();
    // Nobody listens: refused.
    assert!(matches!(
        read_one(&mut io, blob_read(3, 0, Some(10..100_010), SIZE)),
        Err(StreamIoError::Transport { .. })
    ));
    assert!(matches!(
        read_one(&mut ok_io, blob_read(4, 0, Some(10..100_010), SIZE)),
        Err(StreamIoError::Transport { .. })
    ));
    // Back on the same port (not dying this time): both backends read again.
    server.restart(&["kill"]).unwrap();
    assert_eq!(
        read_one(&mut io, blob_read(5, 0, Some(10..100_010), SIZE)).as_deref(),
        Ok(wanted)
    );
    assert_eq!(
        read_one(&mut ok_io, blob_read(6, 0, Some(10..100_010), SIZE)).as_deref(),
        Ok(wanted)
    );
}

#[test]
fn reads_of_unnamed_blobs_fail_without_leaving_the_machine() {
    let pack = Pack::write("unnamed", &[10]);
    // Nothing listens here: a read that left would be a transport error, not NotFound.
    let mut io = HttpIo::new("http://127.0.0.1:9", 1);
    assert_eq!(
        read_one(&mut io, blob_read(1, 0, Some(0..1), 10)),
        Err(StreamIoError::NotFound {
            file: PackFile::Blob(0)
        })
    );
    io.set_blobs(&["../secret".to_string()]);
    assert_eq!(
        read_one(&mut io, blob_read(2, 0, Some(0..1), 10)),
        Err(StreamIoError::NotFound {
            file: PackFile::Blob(0)
        })
    );
    let mut files = FileIo::new(Path::new(&pack.dir).join("blob-0000.lwb"), 1);
    files.set_blobs(&["..".to_string()]);
    assert_eq!(
        read_one(&mut files, blob_read(3, 0, None, 10)),
        Err(StreamIoError::NotFound {
            file: PackFile::Blob(0)
        })
    );
}

/// Sends `request` as it is and returns the answer's head, lower-cased.
fn raw_head(port: u16, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).to_lowercase();
    text.split("\r\n\r\n").next().unwrap_or("").to_string()
}

#[test]
fn nginx_lets_a_page_on_another_origin_read_ranges() {
    let pack = Pack::write("cors", &[1000]);
    let Some(server) = Nginx::start_or_skip(&pack.dir, &NginxOptions::default()) else {
        return;
    };
    // The preflight a browser sends before a cross-origin GET with Range.
    let preflight = raw_head(
        server.port(),
        "OPTIONS /blob-0000.lwb HTTP/1.0\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1:1\r\n\
         Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: range\r\n\r\n",
    );
    assert!(preflight.starts_with("http/1.1 204"), "{preflight}");
    assert!(
        preflight.contains("access-control-allow-origin: *"),
        "{preflight}"
    );
    assert!(
        preflight.contains("access-control-allow-headers: range"),
        "{preflight}"
    );
    let get = raw_head(
        server.port(),
        "GET /blob-0000.lwb HTTP/1.0\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1:1\r\n\
         Range: bytes=10-19\r\n\r\n",
    );
    assert!(get.starts_with("http/1.1 206"), "{get}");
    assert!(get.contains("content-range: bytes 10-19/1000"), "{get}");
    assert!(get.contains("access-control-allow-origin: *"), "{get}");
    assert!(
        get.contains("access-control-expose-headers: content-range, content-length"),
        "{get}"
    );
}
