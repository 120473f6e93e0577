//! Reading a file's bytes off the frame: a background thread natively, `fetch` in the
//! browser, a plain read on WASI (no threads there). A read lands in a [`ReadSlot`] that the
//! load system takes between stages.

use std::sync::{Arc, Mutex};

use super::AssetError;

/// Where one read's result lands.
#[derive(Default)]
pub(crate) struct ReadSlot(Mutex<Option<Result<Vec<u8>, AssetError>>>);

impl ReadSlot {
    fn put(&self, result: Result<Vec<u8>, AssetError>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
    }

    /// The result, once the read finished.
    pub(crate) fn take(&self) -> Option<Result<Vec<u8>, AssetError>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// One read for the IO thread.
#[cfg(not(target_family = "wasm"))]
struct Job {
    path: String,
    max_bytes: u64,
    slot: Arc<ReadSlot>,
}

/// Starts reads. Natively a single thread, started on the first read, serves them in order
/// (disk reads gain little from more); it ends when the server is dropped.
#[derive(Default)]
pub(crate) struct Reader {
    #[cfg(not(target_family = "wasm"))]
    jobs: Option<std::sync::mpsc::Sender<Job>>,
}

impl Reader {
    /// Starts reading `path`, refusing files over `max_bytes`.
    pub(crate) fn start(&mut self, path: String, max_bytes: u64) -> Arc<ReadSlot> {
        let slot = Arc::new(ReadSlot::default());
        self.spawn(path, max_bytes, slot.clone());
        slot
    }

    #[cfg(not(target_family = "wasm"))]
    fn spawn(&mut self, path: String, max_bytes: u64, slot: Arc<ReadSlot>) {
        let job = Job {
            path,
            max_bytes,
            slot,
        };
        let job = match &self.jobs {
            Some(jobs) => match jobs.send(job) {
                Ok(()) => return,
                Err(std::sync::mpsc::SendError(job)) => job, // the thread died: start another
            },
            None => job,
        };
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        let started = std::thread::Builder::new()
            .name("layerw-asset-io".into())
            .spawn(move || {
                for job in receiver {
                    job.slot.put(read_file(&job.path, job.max_bytes));
                }
            });
        match started {
            Ok(_) => {
                // The receiver lives in the thread: sending to a live thread cannot fail.
                let _ = sender.send(job);
                self.jobs = Some(sender);
            }
            Err(e) => job.slot.put(Err(AssetError::Io {
                path: job.path,
                message: format!("cannot start the IO thread: {e}"),
            })),
        }
    }

    /// WASI has no threads: the read happens now (the load system still takes it between
    /// stages, as everywhere).
    #[cfg(target_os = "wasi")]
    fn spawn(&mut self, path: String, max_bytes: u64, slot: Arc<ReadSlot>) {
        slot.put(read_file(&path, max_bytes));
    }

    #[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]
    fn spawn(&mut self, path: String, max_bytes: u64, slot: Arc<ReadSlot>) {
        wasm_bindgen_futures::spawn_local(async move {
            slot.put(web::fetch(&path, max_bytes).await);
        });
    }

    #[cfg(all(target_arch = "wasm32", target_os = "unknown", not(feature = "fetch")))]
    fn spawn(&mut self, path: String, _max_bytes: u64, slot: Arc<ReadSlot>) {
        slot.put(Err(AssetError::NoFileAccess { path }));
    }
}

/// Reads a whole file, refusing one over `max_bytes`, or over what walloc's tier can give
/// this thread now (when walloc is the global allocator, whose failures abort), before
/// allocating for it.
#[cfg(any(not(target_family = "wasm"), target_os = "wasi"))]
pub(crate) fn read_file(path: &str, max_bytes: u64) -> Result<Vec<u8>, AssetError> {
    use crate::file::{ReadError, read_capped_in_memory};
    read_capped_in_memory(path, max_bytes).map_err(|e| match e {
        ReadError::NotFound(_) => AssetError::NotFound { path: path.into() },
        ReadError::TooLarge { bytes, limit } => AssetError::TooLarge {
            path: path.into(),
            bytes,
            maximum: limit,
        },
        ReadError::Io(e) => AssetError::Io {
            path: path.into(),
            message: e.to_string(),
        },
    })
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]
mod web {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    use super::AssetError;

    /// Fetches `path` (relative to the page) with the browser's `fetch`.
    pub(super) async fn fetch(path: &str, max_bytes: u64) -> Result<Vec<u8>, AssetError> {
        let io = |message: String| AssetError::Io {
            path: path.into(),
            message,
        };
        let window = web_sys::window().ok_or(AssetError::NoFileAccess { path: path.into() })?;
        let response = JsFuture::from(window.fetch_with_str(path))
            .await
            .map_err(|e| io(format!("fetch failed: {e:?}")))?;
        let response: web_sys::Response = response
            .dyn_into()
            .map_err(|_| io("fetch did not give a Response".into()))?;
        match response.status() {
            404 => return Err(AssetError::NotFound { path: path.into() }),
            status if !response.ok() => return Err(io(format!("HTTP status {status}"))),
            _ => {}
        }
        let too_large = |bytes| AssetError::TooLarge {
            path: path.into(),
            bytes,
            maximum: max_bytes,
        };
        // Refuse early when the server says the size; the body is checked again below.
        if let Ok(Some(length)) = response.headers().get("content-length")
            && let Ok(length) = length.parse::<u64>()
            && length > max_bytes
        {
            return Err(too_large(length));
        }
        let body = response
            .array_buffer()
            .map_err(|e| io(format!("cannot read the body: {e:?}")))?;
        let body = JsFuture::from(body)
            .await
            .map_err(|e| io(format!("cannot read the body: {e:?}")))?;
        let array = js_sys::Uint8Array::new(&body);
        // Checked before copying into the module's memory.
        if u64::from(array.length()) > max_bytes {
            return Err(too_large(u64::from(array.length())));
        }
        Ok(array.to_vec())
    }
}
