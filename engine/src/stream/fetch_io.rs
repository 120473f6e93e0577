//! The browser backend: `fetch` with `Range` headers, an `AbortController` per read, at most
//! [`FETCH_IN_FLIGHT`] at once, results polled from shared slots.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::file_names::PackFileNames;
use super::http_answer::{
    AnswerHead, BodyEnd, HttpTimeouts, check_answer, plan_body, range_header,
};
use super::io::{
    Cancelled, PackFile, ReadCompletion, ReadRequest, RequestId, StreamIo, StreamIoError,
};

/// Reads a browser keeps in flight to one origin over HTTP/1.1; more wait in [`FetchIo`]'s
/// queue.
pub const FETCH_IN_FLIGHT: usize = 6;

/// What a timer promise resolves to, told apart from a `Response` or a chunk (both objects).
const TIMED_OUT: &str = "layerw-fetch-timed-out";

/// Reads a content pack with the browser's `fetch`: `{base_url}/manifest.lwpk` and the blob
/// files beside it (a relative base is relative to the page; another origin must send the CORS
/// headers that let a page send `Range` and read `Content-Range` and `Content-Length`).
///
/// At most [`FETCH_IN_FLIGHT`] reads are in flight; the rest wait in a queue. Each read has an
/// `AbortController`: cancelling a queued read, or one whose answer has not begun, is
/// [`Cancelled::BeforeFirstByte`] (the browser drops the request); one whose body is arriving
/// is aborted there ([`Cancelled::InBody`]). Answers are checked by the same rules as the
/// native `HttpIo`; the body is read chunk by chunk and no further than the read needs, and a
/// head or a chunk later than its [`HttpTimeouts`] aborts the read with
/// [`StreamIoError::Transport`].
///
/// The futures run on the page's thread (`spawn_local`) and land their results in slots that
/// [`poll`](StreamIo::poll) takes; the JavaScript objects stay on that thread, outside this
/// struct, so it is `Send + Sync` as [`StreamIo`] needs.
pub struct FetchIo {
    base_url: String,
    names: PackFileNames,
    shared: Arc<Shared>,
}

/// The reads of one [`FetchIo`], shared with its futures.
struct Shared {
    instance: u64,
    timeouts: HttpTimeouts,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    queued: VecDeque<(ReadRequest, String)>,
    /// Reads started, and whether their answer's head came.
    flying: HashMap<RequestId, bool>,
    done: Vec<ReadCompletion>,
}

thread_local! {
    /// The abort controllers of the reads in flight, by backend and read: JavaScript objects
    /// live on the page's thread only.
    static CONTROLLERS: RefCell<HashMap<(u64, RequestId), web_sys::AbortController>> =
        RefCell::new(HashMap::new());
}

static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(0);

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl FetchIo {
    /// A backend for the pack at `base_url` (`packs/world` relative to the page, or
    /// `http://127.0.0.1:8080/packs/world`) with the default [`HttpTimeouts`].
    pub fn new(base_url: &str) -> FetchIo {
        FetchIo::with_timeouts(base_url, HttpTimeouts::default())
    }

    /// [`new`](Self::new) with other timeouts (`connect` is not used: the browser's connect
    /// counts in `first_byte`).
    pub fn with_timeouts(base_url: &str, timeouts: HttpTimeouts) -> FetchIo {
        FetchIo {
            base_url: base_url.trim_end_matches('/').to_string(),
            names: PackFileNames::default(),
            shared: Arc::new(Shared {
                instance: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed),
                timeouts,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// Reads waiting for a free slot.
    pub fn queued(&self) -> usize {
        self.shared.state().queued.len()
    }
}

impl StreamIo for FetchIo {
    fn submit(&mut self, request: ReadRequest) {
        match self.names.name(request.file) {
            Ok(name) => {
                let url = match self.base_url.as_str() {
                    "" => name.to_string(),
                    base => format!("{base}/{name}"),
                };
                self.shared.state().queued.push_back((request, url));
                start_queued(&self.shared);
            }
            Err(e) => self.shared.state().done.push(ReadCompletion {
                id: request.id,
                result: Err(e),
            }),
        }
    }

    fn cancel(&mut self, id: RequestId) -> Cancelled {
        let mut state = self.shared.state();
        if let Some(i) = state.queued.iter().position(|(r, _)| r.id == id) {
            state.queued.remove(i);
            return Cancelled::BeforeFirstByte;
        }
        if let Some(answered) = state.flying.remove(&id) {
            drop(state);
            abort(self.shared.instance, id);
            start_queued(&self.shared);
            return if answered {
                Cancelled::InBody
            } else {
                Cancelled::BeforeFirstByte
            };
        }
        if let Some(i) = state.done.iter().position(|c| c.id == id) {
            state.done.swap_remove(i);
            return Cancelled::InBody;
        }
        Cancelled::NotInFlight
    }

    fn poll(&mut self, _now: f64, done: &mut Vec<ReadCompletion>) {
        done.append(&mut self.shared.state().done);
    }

    fn parallelism(&self) -> usize {
        FETCH_IN_FLIGHT
    }

    fn set_blobs(&mut self, names: &[String]) {
        self.names.set_blobs(names);
    }
}

impl Drop for FetchIo {
    /// Aborts what is in flight; the futures find no slot for their result.
    fn drop(&mut self) {
        let mut state = self.shared.state();
        state.queued.clear();
        let flying: Vec<RequestId> = state.flying.drain().map(|(id, _)| id).collect();
        drop(state);
        for id in flying {
            abort(self.shared.instance, id);
        }
    }
}

fn abort(instance: u64, id: RequestId) {
    if let Some(controller) = CONTROLLERS.with(|c| c.borrow_mut().remove(&(instance, id))) {
        controller.abort();
    }
}

/// Starts queued reads while fewer than [`FETCH_IN_FLIGHT`] fly.
fn start_queued(shared: &Arc<Shared>) {
    loop {
        let mut state = shared.state();
        if state.flying.len() >= FETCH_IN_FLIGHT {
            return;
        }
        let Some((request, url)) = state.queued.pop_front() else {
            return;
        };
        state.flying.insert(request.id, false);
        drop(state);
        let controller = match web_sys::AbortController::new() {
            Ok(controller) => controller,
            Err(e) => {
                let mut state = shared.state();
                state.flying.remove(&request.id);
                state.done.push(ReadCompletion {
                    id: request.id,
                    result: Err(transport(request.file, "no AbortController", &e)),
                });
                continue;
            }
        };
        let signal = controller.signal();
        CONTROLLERS.with(|c| {
            c.borrow_mut()
                .insert((shared.instance, request.id), controller)
        });
        let shared = shared.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = fetch(&shared, &request, &url, &signal).await;
            CONTROLLERS.with(|c| c.borrow_mut().remove(&(shared.instance, request.id)));
            let mut state = shared.state();
            // A cancelled read left `flying` already: its result is dropped.
            if state.flying.remove(&request.id).is_some() {
                state.done.push(ReadCompletion {
                    id: request.id,
                    result,
                });
            }
            drop(state);
            start_queued(&shared);
        });
    }
}

/// One read: the request, the head's checks, the body chunk by chunk up to what is needed,
/// the whole answer's checks. A timeout aborts the request.
async fn fetch(
    shared: &Shared,
    request: &ReadRequest,
    url: &str,
    signal: &web_sys::AbortSignal,
) -> Result<Vec<u8>, StreamIoError> {
    let file = request.file;
    let window = web_sys::window().ok_or_else(|| StreamIoError::Transport {
        file,
        message: "no window to fetch from".into(),
    })?;
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(signal));
    // Past the HTTP cache: Chromium's cache lets one transaction at a time write a URL's entry
    // and restarts the others' range requests, so concurrent reads of one blob were fetched
    // twice (176 answers from nginx for 162 reads of the stream demo's pack).
    init.set_cache(web_sys::RequestCache::NoStore);
    if let Some(range) = range_header(request) {
        let headers = web_sys::Headers::new().map_err(|e| transport(file, "headers", &e))?;
        headers
            .set("Range", &range)
            .map_err(|e| transport(file, "headers", &e))?;
        init.set_headers(&headers);
    }
    let timeouts = shared.timeouts;
    let answer = race_timeout(
        window.fetch_with_str_and_init(url, &init),
        timeouts.first_byte,
    )
    .await
    .map_err(|e| transport(file, "fetch failed", &e))?;
    if answer.as_string().as_deref() == Some(TIMED_OUT) {
        abort(shared.instance, request.id);
        return Err(StreamIoError::Transport {
            file,
            message: format!("no answer within {:?}", timeouts.first_byte),
        });
    }
    let response: web_sys::Response = answer.dyn_into().map_err(|_| StreamIoError::Transport {
        file,
        message: "fetch did not give a Response".into(),
    })?;
    if let Some(answered) = shared.state().flying.get_mut(&request.id) {
        *answered = true;
    }
    let headers = response.headers();
    let content_range = headers.get("content-range").ok().flatten();
    let content_length = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse().ok());
    let head = AnswerHead {
        status: response.status(),
        content_range: content_range.as_deref(),
        content_length,
    };
    let plan = plan_body(request, &head)?;
    let mut body = Vec::new();
    let end = match response.body() {
        None => BodyEnd::Complete,
        Some(stream) => {
            let reader = web_sys::ReadableStreamDefaultReader::new(&stream)
                .map_err(|e| transport(file, "cannot read the body", &e))?;
            let end = read_body(&reader, plan.read_limit, timeouts, &mut body).await;
            if end != BodyEnd::Complete || body.len() as u64 >= plan.read_limit {
                // Stop the download: nothing more is needed, or it stalled.
                abort(shared.instance, request.id);
            }
            end
        }
    };
    check_answer(request, &head, body, end)
}

/// Reads chunks into `body` until the stream ends, `limit` bytes came, a read fails or a chunk
/// is later than the stall timeout.
async fn read_body(
    reader: &web_sys::ReadableStreamDefaultReader,
    limit: u64,
    timeouts: HttpTimeouts,
    body: &mut Vec<u8>,
) -> BodyEnd {
    loop {
        let room = limit.saturating_sub(body.len() as u64);
        if room == 0 {
            return BodyEnd::Complete;
        }
        let chunk = match race_timeout(reader.read(), timeouts.stall).await {
            Ok(chunk) => chunk,
            Err(e) => return BodyEnd::Broken(format!("the body failed: {e:?}")),
        };
        if chunk.as_string().as_deref() == Some(TIMED_OUT) {
            return BodyEnd::Stalled(format!("no body bytes within {:?}", timeouts.stall));
        }
        let done = js_sys::Reflect::get(&chunk, &"done".into()).is_ok_and(|d| d.is_truthy());
        if done {
            return BodyEnd::Complete;
        }
        let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) else {
            return BodyEnd::Broken("a body chunk without bytes".into());
        };
        let Ok(array) = value.dyn_into::<js_sys::Uint8Array>() else {
            return BodyEnd::Broken("a body chunk that is not bytes".into());
        };
        // Copied into the module's memory only up to the limit.
        let take = u64::from(array.length()).min(room) as u32;
        body.extend_from_slice(&array.subarray(0, take).to_vec());
    }
}

/// `promise`, or [`TIMED_OUT`] when `timeout` passes first.
async fn race_timeout(
    promise: js_sys::Promise,
    timeout: core::time::Duration,
) -> Result<JsValue, JsValue> {
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    // setTimeout(resolve, ms, TIMED_OUT); without a setTimeout the promise alone decides.
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        if let Some(set_timeout) = js_sys::Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        {
            let _ = set_timeout.call3(&global, &resolve, &ms.into(), &TIMED_OUT.into());
        }
    });
    JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&promise, &timer))).await
}

fn transport(file: PackFile, what: &str, e: &JsValue) -> StreamIoError {
    StreamIoError::Transport {
        file,
        message: format!("{what}: {e:?}"),
    }
}
