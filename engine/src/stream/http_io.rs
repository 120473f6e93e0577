//! The native HTTP backend: `Range` requests on a few blocking connections (ureq), one worker
//! thread each, the way a browser talks HTTP/1.1 to one origin.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::file_names::PackFileNames;
use super::http_answer::{
    AnswerHead, BodyEnd, HttpTimeouts, check_answer, plan_body, range_header,
};
use super::io::{
    Cancelled, PackFile, ReadCompletion, ReadRequest, RequestId, StreamIo, StreamIoError,
};
use super::read_pool::{ReadPool, ServeRead};

/// Connections a browser opens to one origin over HTTP/1.1, and [`HttpIo`]'s usual count.
pub const DEFAULT_HTTP_CONNECTIONS: usize = 6;

/// Body bytes read between two looks at a read's cancel flag.
const CHUNK_BYTES: usize = 64 * 1024;

/// Reads a content pack over HTTP with `Range` requests: `{base_url}/manifest.lwpk` and the
/// blob files beside it.
///
/// Each connection has a worker thread with a blocking client (no TLS: it is for servers on
/// the machine or the local network; the browser's `fetch` backend serves the web). Answers are
/// checked as the web backend checks them: a 206 must match the range, a 200 with the whole
/// file is accepted and sliced, 404 is [`StreamIoError::NotFound`], 416
/// [`StreamIoError::RangeNotSatisfiable`], other statuses [`StreamIoError::Status`], a short
/// body [`StreamIoError::Truncated`], a refused, reset or timed-out connection
/// [`StreamIoError::Transport`]. No more body is read than the request needs.
///
/// Cancelling a read no worker has taken is [`Cancelled::BeforeFirstByte`]; one being served is
/// [`Cancelled::InBody`], and its worker stops reading at the next chunk.
pub struct HttpIo {
    base_url: String,
    names: PackFileNames,
    pool: ReadPool<String>,
}

impl HttpIo {
    /// A backend for the pack at `base_url` (`http://127.0.0.1:8080/packs/world`) with
    /// `connections` connections (at least one; [`DEFAULT_HTTP_CONNECTIONS`] is what a browser
    /// uses) and the default [`HttpTimeouts`].
    pub fn new(base_url: &str, connections: usize) -> HttpIo {
        HttpIo::with_timeouts(base_url, connections, HttpTimeouts::default())
    }

    /// [`new`](Self::new) with other timeouts.
    pub fn with_timeouts(base_url: &str, connections: usize, timeouts: HttpTimeouts) -> HttpIo {
        let connections = connections.max(1);
        let config = ureq::Agent::config_builder()
            // Statuses are answers to check, not errors.
            .http_status_as_error(false)
            .timeout_connect(Some(timeouts.connect))
            .timeout_recv_response(Some(timeouts.first_byte))
            .timeout_per_read(Some(timeouts.stall))
            .max_idle_connections_per_host(connections)
            .build();
        let agent = ureq::Agent::new_with_config(config);
        let serve: Arc<ServeRead<String>> = Arc::new(
            move |request: &ReadRequest, url: &String, cancelled: &AtomicBool| {
                get(&agent, request, url, cancelled)
            },
        );
        HttpIo {
            base_url: base_url.trim_end_matches('/').to_string(),
            names: PackFileNames::default(),
            pool: ReadPool::new("layerw-stream-http", connections, serve),
        }
    }

    /// The pack's base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl StreamIo for HttpIo {
    fn submit(&mut self, request: ReadRequest) {
        self.submit_all(&mut vec![request]);
    }

    fn submit_all(&mut self, requests: &mut Vec<ReadRequest>) {
        let mut located = Vec::with_capacity(requests.len());
        for request in requests.drain(..) {
            match self.names.name(request.file) {
                Ok(name) => located.push((request, format!("{}/{name}", self.base_url))),
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

    fn set_blobs(&mut self, names: &[String]) {
        self.names.set_blobs(names);
    }
}

/// One read on a worker: the request, the head's checks, the body in chunks (stopping when
/// cancelled or when no more is needed), the whole answer's checks.
fn get(
    agent: &ureq::Agent,
    request: &ReadRequest,
    url: &str,
    cancelled: &AtomicBool,
) -> Result<Vec<u8>, StreamIoError> {
    let file = request.file;
    let mut call = agent.get(url);
    if let Some(range) = range_header(request) {
        call = call.header("Range", range);
    }
    let mut response = call.call().map_err(|e| transport(file, e))?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_range = header("content-range");
    let content_length = header("content-length").and_then(|v| v.trim().parse().ok());
    let head = AnswerHead {
        status: response.status().as_u16(),
        content_range: content_range.as_deref(),
        content_length,
    };
    let plan = plan_body(request, &head)?;
    // Grown as bytes come, so a lying length never allocates.
    let mut body = Vec::new();
    let mut chunk = vec![0; CHUNK_BYTES];
    let mut reader = response.body_mut().as_reader();
    let end = loop {
        if cancelled.load(Ordering::Relaxed) {
            return Err(StreamIoError::Transport {
                file,
                message: "cancelled".into(),
            });
        }
        let room = plan.read_limit.saturating_sub(body.len() as u64);
        if room == 0 {
            break BodyEnd::Complete;
        }
        let want = chunk.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        match reader.read(&mut chunk[..want]) {
            Ok(0) => break BodyEnd::Complete,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break body_failure(e),
        }
    };
    check_answer(request, &head, body, end)
}

/// A failed body read: a timeout is a stall, anything else a broken connection.
fn body_failure(e: io::Error) -> BodyEnd {
    let timed_out = matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    );
    let error = ureq::Error::from(e);
    let message = error.to_string();
    if timed_out || matches!(error, ureq::Error::Timeout(_)) {
        BodyEnd::Stalled(message)
    } else {
        BodyEnd::Broken(message)
    }
}

fn transport(file: PackFile, e: ureq::Error) -> StreamIoError {
    StreamIoError::Transport {
        file,
        message: e.to_string(),
    }
}
