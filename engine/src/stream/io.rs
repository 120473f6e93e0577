//! The IO side of streaming: one trait ([`StreamIo`]) for every backend (files natively, `fetch`
//! with `Range` in the browser, memory in tests), polled once a frame, no async runtime.

use core::fmt;
use core::ops::Range;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// A read's identity, chosen by the caller (the streamer numbers them in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// Which file of a content pack a read is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PackFile {
    /// The manifest (`manifest.lwpk`).
    Manifest,
    /// A blob file, by its index in the manifest's blob table.
    Blob(u32),
}

impl fmt::Display for PackFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackFile::Manifest => f.write_str("manifest"),
            PackFile::Blob(i) => write!(f, "blob {i}"),
        }
    }
}

/// One read: a byte range of a pack file, or the whole file up to `max_bytes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadRequest {
    /// The caller's identity for it.
    pub id: RequestId,
    /// The file.
    pub file: PackFile,
    /// The bytes wanted (end exclusive); `None` for the whole file.
    pub range: Option<Range<u64>>,
    /// A whole-file read longer than this fails with [`StreamIoError::TooLarge`] before its
    /// body is kept.
    pub max_bytes: u64,
}

impl ReadRequest {
    /// The bytes this read should return when it is a range read.
    pub fn expected_len(&self) -> Option<u64> {
        self.range.as_ref().map(|r| r.end.saturating_sub(r.start))
    }
}

/// Why a read failed. Every variant names the file; none is fatal to the streamer, which
/// retries with back-off and keeps what it has.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamIoError {
    /// The file does not exist (HTTP 404, or no such file).
    NotFound {
        /// The file.
        file: PackFile,
    },
    /// The range lies past the end of the file (HTTP 416, or a short file natively).
    RangeNotSatisfiable {
        /// The file.
        file: PackFile,
        /// The range asked for.
        range: Range<u64>,
    },
    /// The server answered with another status (5xx and the like).
    Status {
        /// The file.
        file: PackFile,
        /// The HTTP status.
        status: u16,
    },
    /// Fewer bytes arrived than the range or the announced length promised.
    Truncated {
        /// The file.
        file: PackFile,
        /// Bytes expected.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
    /// A whole-file read is longer than its request allows.
    TooLarge {
        /// The file.
        file: PackFile,
        /// Its length.
        bytes: u64,
        /// The request's limit.
        maximum: u64,
    },
    /// The connection or the read failed (refused, reset, timed out, an OS error).
    Transport {
        /// The file.
        file: PackFile,
        /// What the platform said.
        message: String,
    },
}

impl fmt::Display for StreamIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamIoError::NotFound { file } => write!(f, "{file}: not found"),
            StreamIoError::RangeNotSatisfiable { file, range } => {
                write!(
                    f,
                    "{file}: range {}..{} not satisfiable",
                    range.start, range.end
                )
            }
            StreamIoError::Status { file, status } => write!(f, "{file}: HTTP status {status}"),
            StreamIoError::Truncated {
                file,
                expected,
                received,
            } => write!(f, "{file}: truncated: {received} of {expected} bytes"),
            StreamIoError::TooLarge {
                file,
                bytes,
                maximum,
            } => write!(f, "{file}: {bytes} bytes, more than the {maximum} allowed"),
            StreamIoError::Transport { file, message } => write!(f, "{file}: {message}"),
        }
    }
}

impl std::error::Error for StreamIoError {}

/// A finished read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadCompletion {
    /// The request's identity.
    pub id: RequestId,
    /// The bytes (exactly the range asked for), or why not.
    pub result: Result<Vec<u8>, StreamIoError>,
}

/// What [`StreamIo::cancel`] achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cancelled {
    /// Dropped before its first byte arrived: it cost nothing on the link.
    BeforeFirstByte,
    /// Aborted while its body was arriving: some bytes were spent.
    InBody,
    /// Not in flight (finished, or never submitted); nothing was done.
    NotInFlight,
}

/// A source of pack bytes, polled once a frame by the streamer.
///
/// Implementations: [`MemoryIo`] (tests, tools), the native file backend and the browser's
/// `fetch` backend. A backend never blocks in these calls, never panics on what a server or
/// file system does, and returns each submitted read exactly once through [`poll`](Self::poll)
/// unless it is cancelled first.
pub trait StreamIo: Send + Sync {
    /// Starts a read. Reads past [`parallelism`](Self::parallelism) wait in the backend's
    /// queue, where a cancel drops them before their first byte.
    fn submit(&mut self, request: ReadRequest);
    /// Starts several reads, in order, as [`submit`](Self::submit) each: the streamer hands
    /// over a frame's reads at once, so backends with worker threads take their lock and
    /// wake their workers once, not once a read (a wake-up per read kept the frame's thread
    /// waiting for the lock and descheduled). Drains `requests`.
    fn submit_all(&mut self, requests: &mut Vec<ReadRequest>) {
        for request in requests.drain(..) {
            self.submit(request);
        }
    }
    /// Drops a read that is no longer wanted; its completion never comes.
    fn cancel(&mut self, id: RequestId) -> Cancelled;
    /// Moves the reads that finished into `done`. `now` is the streamer's clock in seconds
    /// (a simulated link runs on it; real backends ignore it).
    fn poll(&mut self, now: f64, done: &mut Vec<ReadCompletion>);
    /// How many reads the backend serves at once (for example 6 per origin over HTTP/1.1).
    fn parallelism(&self) -> usize;
    /// How many reads are worth keeping submitted: the streamer hands the backend at most
    /// this many at a time and holds the rest, where a cancel costs nothing. Completions are
    /// taken once a frame, so a backend that finishes reads within the frame needs a deep
    /// queue not to idle (local files); one whose reads take many frames needs only enough to
    /// keep its connections busy. Default: 32 (4 times [`parallelism`](Self::parallelism)
    /// where that is more).
    fn queue_depth(&self) -> usize {
        32.max(self.parallelism().saturating_mul(4))
    }
    /// Names the blob files, in the manifest's blob-table order ([`PackFile::Blob`] indexes
    /// it): the streamer calls it once the manifest is read. Backends that address files by
    /// name need it; a read of a blob index it does not cover fails with
    /// [`StreamIoError::NotFound`]. [`PackFile::Manifest`] is always [`MANIFEST_FILE`](super::MANIFEST_FILE).
    fn set_blobs(&mut self, names: &[String]);
}

/// A backend over files held in memory: each read completes on the next poll. For tests and
/// tools; the streaming simulation's link is built on the same files.
#[derive(Default)]
pub struct MemoryIo {
    files: HashMap<PackFile, Arc<[u8]>>,
    pending: VecDeque<ReadRequest>,
}

impl MemoryIo {
    /// A backend with no files.
    pub fn new() -> MemoryIo {
        MemoryIo::default()
    }

    /// A backend holding a pack made in memory ([`PackWriter::in_memory`](super::PackWriter::in_memory)):
    /// its manifest and every blob file (coarse levels and the others).
    pub fn from_pack(pack: super::PackBytes) -> MemoryIo {
        let mut io = MemoryIo::new();
        io.insert(PackFile::Manifest, pack.manifest_bytes);
        for (i, blob) in pack.blobs.into_iter().enumerate() {
            io.insert(PackFile::Blob(i as u32), blob);
        }
        io
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, file: PackFile, bytes: impl Into<Arc<[u8]>>) {
        self.files.insert(file, bytes.into());
    }

    /// Removes a file (later reads of it fail with [`StreamIoError::NotFound`]).
    pub fn remove(&mut self, file: PackFile) {
        self.files.remove(&file);
    }

    /// Reads submitted and not yet returned.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }
}

/// Serves `request` from `bytes` (`None`: no such file): the one place the range and size
/// rules of every backend that holds whole files live.
pub fn serve_from(bytes: Option<&[u8]>, request: &ReadRequest) -> Result<Vec<u8>, StreamIoError> {
    let file = request.file;
    let bytes = bytes.ok_or(StreamIoError::NotFound { file })?;
    let len = bytes.len() as u64;
    match &request.range {
        None if len > request.max_bytes => Err(StreamIoError::TooLarge {
            file,
            bytes: len,
            maximum: request.max_bytes,
        }),
        None => Ok(bytes.to_vec()),
        Some(range) if range.start > range.end || range.end > len => {
            Err(StreamIoError::RangeNotSatisfiable {
                file,
                range: range.clone(),
            })
        }
        Some(range) => Ok(bytes[range.start as usize..range.end as usize].to_vec()),
    }
}

impl StreamIo for MemoryIo {
    fn submit(&mut self, request: ReadRequest) {
        self.pending.push_back(request);
    }

    fn cancel(&mut self, id: RequestId) -> Cancelled {
        match self.pending.iter().position(|r| r.id == id) {
            Some(i) => {
                self.pending.remove(i);
                Cancelled::BeforeFirstByte
            }
            None => Cancelled::NotInFlight,
        }
    }

    fn poll(&mut self, _now: f64, done: &mut Vec<ReadCompletion>) {
        for request in self.pending.drain(..) {
            let result = serve_from(self.files.get(&request.file).map(|b| &b[..]), &request);
            done.push(ReadCompletion {
                id: request.id,
                result,
            });
        }
    }

    fn parallelism(&self) -> usize {
        usize::MAX
    }

    /// Answers come at the next poll: the default's 32 keeps tests' frames like a network's.
    fn queue_depth(&self) -> usize {
        32
    }

    /// Nothing to do: files are inserted by [`PackFile`], not by name.
    fn set_blobs(&mut self, _names: &[String]) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(id: u64, file: PackFile, range: Option<Range<u64>>) -> ReadRequest {
        ReadRequest {
            id: RequestId(id),
            file,
            range,
            max_bytes: 8,
        }
    }

    #[test]
    fn memory_reads_ranges_whole_files_and_reports_errors() {
        let mut io = MemoryIo::new();
        io.insert(PackFile::Blob(0), vec![0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        io.insert(PackFile::Manifest, vec![7u8; 4]);
        io.submit(read(1, PackFile::Blob(0), Some(2..5)));
        io.submit(read(2, PackFile::Manifest, None));
        io.submit(read(3, PackFile::Blob(0), None)); // 10 bytes, over max_bytes 8
        io.submit(read(4, PackFile::Blob(0), Some(8..11)));
        io.submit(read(5, PackFile::Blob(1), Some(0..1)));
        io.submit(read(6, PackFile::Blob(0), Some(0..1)));
        assert_eq!(io.cancel(RequestId(6)), Cancelled::BeforeFirstByte);
        assert_eq!(io.cancel(RequestId(6)), Cancelled::NotInFlight);
        let mut done = Vec::new();
        io.poll(0.0, &mut done);
        let results: Vec<_> = done.into_iter().map(|c| (c.id.0, c.result)).collect();
        assert_eq!(results[0], (1, Ok(vec![2, 3, 4])));
        assert_eq!(results[1], (2, Ok(vec![7; 4])));
        assert!(matches!(
            results[2].1,
            Err(StreamIoError::TooLarge { bytes: 10, .. })
        ));
        assert!(matches!(
            results[3].1,
            Err(StreamIoError::RangeNotSatisfiable { .. })
        ));
        assert_eq!(
            results[4].1,
            Err(StreamIoError::NotFound {
                file: PackFile::Blob(1)
            })
        );
        assert_eq!(results.len(), 5);
    }
}
