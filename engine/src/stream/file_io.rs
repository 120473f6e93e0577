//! The native file backend: positional reads of a pack's folder on a few worker threads.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use super::file_names::PackFileNames;
use super::io::{Cancelled, ReadCompletion, ReadRequest, RequestId, StreamIo, StreamIoError};
use super::read_pool::{ReadPool, ServeRead};

/// [`FileIo`]'s [`StreamIo::queue_depth`]: reads kept submitted at once.
pub const FILE_QUEUE_DEPTH: usize = 256;

/// Reads a content pack from a folder: `manifest.lwpk` and the blob files beside it.
///
/// Reads are positional (`pread` on Unix, `seek_read` on Windows) on a small pool of threads,
/// so they share each file, opened once, without seeking. A range past the end of its file is
/// [`StreamIoError::RangeNotSatisfiable`]; a file that shrinks while it is read gives
/// [`StreamIoError::Truncated`]. A read cancelled before a worker takes it is
/// [`Cancelled::BeforeFirstByte`].
///
/// ```
/// use layerw_engine::stream::{FileIo, PackFile, ReadRequest, RequestId, StreamIo};
///
/// let dir = std::env::temp_dir().join(format!("layerw-file-io-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("blob-0.lwb"), b"coarse-then-fine").unwrap();
/// let mut io = FileIo::new(&dir, 2);
/// io.set_blobs(&["blob-0.lwb".to_string()]);
/// io.submit(ReadRequest {
///     id: RequestId(1),
///     file: PackFile::Blob(0),
///     range: Some(0..6),
///     max_bytes: 1 << 20,
/// });
/// let mut done = Vec::new();
/// while done.is_empty() {
///     io.poll(0.0, &mut done); // once a frame in a game
///     std::thread::yield_now();
/// }
/// assert_eq!(done[0].result, Ok(b"coarse".to_vec()));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub struct FileIo {
    dir: PathBuf,
    names: PackFileNames,
    pool: ReadPool<PathBuf>,
}

impl FileIo {
    /// A backend over the pack in `dir`, reading on `threads` threads (at least one; disks
    /// gain little past a few).
    pub fn new(dir: impl Into<PathBuf>, threads: usize) -> FileIo {
        let open = Arc::new(OpenFiles::default());
        let serve: Arc<ServeRead<PathBuf>> = Arc::new(
            move |request: &ReadRequest, path: &PathBuf, _: &AtomicBool| read(&open, request, path),
        );
        FileIo {
            dir: dir.into(),
            names: PackFileNames::default(),
            pool: ReadPool::new("layerw-stream-file", threads, serve),
        }
    }

    /// The pack's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl StreamIo for FileIo {
    fn submit(&mut self, request: ReadRequest) {
        self.submit_all(&mut vec![request]);
    }

    fn submit_all(&mut self, requests: &mut Vec<ReadRequest>) {
        let mut located = Vec::with_capacity(requests.len());
        for request in requests.drain(..) {
            match self.names.name(request.file) {
                Ok(name) => located.push((request, self.dir.join(name))),
                Err(e) => self.pool.fail(request.id, e),
            }
        }
        self.pool.submit_all(located);
    }

    fn cancel(&mut self, id: RequestId) -> Cancelled {
        self.pool.cancel(id)
    }

    fn poll(&mut self, _now: f64, done: &mut Vec<ReadCompletion>) {
        self.pool.poll(done);
    }

    fn parallelism(&self) -> usize {
        self.pool.threads()
    }

    /// Local reads finish well within a frame, and completions are taken once a frame: a
    /// shallow queue would cap reads at a few dozen a frame (1.1 s to the first complete frame
    /// of bench_stream's world at 32, 0.2 s at 256).
    fn queue_depth(&self) -> usize {
        FILE_QUEUE_DEPTH
    }

    fn set_blobs(&mut self, names: &[String]) {
        self.names.set_blobs(names);
    }
}

/// Files opened once and shared by the workers. A file that failed to open is not kept, so one
/// that appears later is found.
#[derive(Default)]
struct OpenFiles(Mutex<HashMap<PathBuf, Arc<File>>>);

impl OpenFiles {
    fn get(&self, path: &Path) -> io::Result<Arc<File>> {
        let mut files = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(file) = files.get(path) {
            return Ok(file.clone());
        }
        let file = Arc::new(File::open(path)?);
        files.insert(path.to_path_buf(), file.clone());
        Ok(file)
    }
}

/// Serves one read with the rules of [`serve_from`](super::serve_from).
fn read(open: &OpenFiles, request: &ReadRequest, path: &Path) -> Result<Vec<u8>, StreamIoError> {
    let file = request.file;
    let transport = |e: io::Error| StreamIoError::Transport {
        file,
        message: format!("{}: {e}", path.display()),
    };
    let handle = open.get(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => StreamIoError::NotFound { file },
        _ => transport(e),
    })?;
    let len = handle.metadata().map_err(transport)?.len();
    let range = match &request.range {
        None if len > request.max_bytes => {
            return Err(StreamIoError::TooLarge {
                file,
                bytes: len,
                maximum: request.max_bytes,
            });
        }
        None => 0..len,
        Some(range) if range.start > range.end || range.end > len => {
            return Err(StreamIoError::RangeNotSatisfiable {
                file,
                range: range.clone(),
            });
        }
        Some(range) => range.clone(),
    };
    // At most the file's length, checked above: the allocation is bounded by what is on disk.
    let mut bytes = vec![0; (range.end - range.start) as usize];
    let mut filled = 0;
    while filled < bytes.len() {
        match read_at(&handle, &mut bytes[filled..], range.start + filled as u64) {
            Ok(0) => {
                return Err(StreamIoError::Truncated {
                    file,
                    expected: bytes.len() as u64,
                    received: filled as u64,
                });
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(transport(e)),
        }
    }
    Ok(bytes)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}
