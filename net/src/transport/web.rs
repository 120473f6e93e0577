//! Browser WebSocket client (wasm32-unknown-unknown): `web_sys::WebSocket` with binary
//! messages as `ArrayBuffer`s.
//!
//! JS objects are not `Send`, but [`Connection`] is. Wasm in the browser runs this module on
//! one thread, so the sockets, their callbacks and their queues live in a `thread_local!`
//! registry and a [`WebConnection`] is only an id into it: the handle is `Send` and never
//! touches a JS object from another thread (there is none).
//!
//! Opening is asynchronous: the connection counts as open while connecting, sends before the
//! socket opened are queued and written when it opens, and `onclose` / `onerror` record why it
//! closed.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::{Connection, Delivery, TransportError};

/// The close code of a normal close.
const CLOSE_NORMAL: u16 = 1000;
/// The largest close reason the browser accepts (123 bytes of UTF-8).
const MAX_CLOSE_REASON: usize = 123;

/// The limits of a browser connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebLimits {
    /// The largest message received or sent, in bytes; a larger incoming one closes the
    /// connection (checked on the `ArrayBuffer`'s length, before it is copied).
    pub max_message_bytes: usize,
    /// The most bytes queued (before the socket opened, or in the browser's `bufferedAmount`);
    /// a send past this closes the connection.
    pub max_buffered_bytes: usize,
}

impl Default for WebLimits {
    /// 64 KiB messages, 1 MiB queued.
    fn default() -> Self {
        WebLimits {
            max_message_bytes: 64 * 1024,
            max_buffered_bytes: 1 << 20,
        }
    }
}

/// Where a socket stands.
#[derive(Debug)]
enum State {
    Connecting,
    Open,
    Closed(String),
}

/// The callbacks of one socket, kept alive as long as the socket.
struct Callbacks {
    _open: Closure<dyn FnMut(Event)>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _error: Closure<dyn FnMut(Event)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

/// One socket's JS object and queues, in the registry.
struct Entry {
    socket: WebSocket,
    state: State,
    limits: WebLimits,
    incoming: VecDeque<Vec<u8>>,
    /// Sends made before the socket opened.
    unsent: VecDeque<Vec<u8>>,
    unsent_bytes: usize,
    /// An error to report once, after the messages received before it.
    error: Option<TransportError>,
    callbacks: Option<Callbacks>,
}

impl Entry {
    /// Closes the socket with `reason` and records it (the first reason wins).
    fn close(&mut self, code: u16, reason: &str) {
        if matches!(self.state, State::Closed(_)) {
            return;
        }
        let mut end = reason.len().min(MAX_CLOSE_REASON);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        // The socket may already be closing; nothing more can be done then.
        let _ = self.socket.close_with_code_and_reason(code, &reason[..end]);
        self.state = State::Closed(reason.to_owned());
        self.unsent.clear();
        self.unsent_bytes = 0;
    }

    fn fail(&mut self, code: u16, error: TransportError) {
        self.close(code, &error.to_string());
        self.error.get_or_insert(error);
    }

    /// Writes the queued sends (when the socket opens).
    fn write_unsent(&mut self) {
        while let Some(message) = self.unsent.pop_front() {
            self.unsent_bytes -= message.len();
            if let Err(error) = self.socket.send_with_u8_array(&message) {
                let reason = format!("send failed: {error:?}");
                self.fail(CLOSE_NORMAL, TransportError::Io(reason));
                return;
            }
        }
    }
}

thread_local! {
    /// The sockets of this thread (the only thread of a browser wasm module) by id.
    static SOCKETS: RefCell<HashMap<u64, Entry>> = RefCell::new(HashMap::new());
    static NEXT_ID: RefCell<u64> = const { RefCell::new(1) };
}

/// Runs `f` on socket `id`'s entry, if it still exists.
fn with_entry<R>(id: u64, f: impl FnOnce(&mut Entry) -> R) -> Option<R> {
    SOCKETS.with(|sockets| sockets.borrow_mut().get_mut(&id).map(f))
}

/// A browser WebSocket connection: a `Send` handle onto a socket in this thread's registry
/// (see the [module docs](self)).
#[derive(Debug)]
pub struct WebConnection {
    id: u64,
    url: String,
    limits: WebLimits,
}

impl WebConnection {
    /// Starts connecting to `url` (`ws://` or `wss://`); returns at once. The connection is
    /// open while connecting; what is sent meanwhile is written once the socket opens.
    pub fn connect(url: &str, limits: WebLimits) -> Result<Self, TransportError> {
        let socket = WebSocket::new(url)
            .map_err(|error| TransportError::Io(format!("cannot open {url:?}: {error:?}")))?;
        socket.set_binary_type(BinaryType::Arraybuffer);
        let id = NEXT_ID.with(|next| {
            let mut next = next.borrow_mut();
            let id = *next;
            *next += 1;
            id
        });

        let open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            with_entry(id, |entry| {
                if matches!(entry.state, State::Connecting) {
                    entry.state = State::Open;
                    entry.write_unsent();
                }
            });
        });
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            with_entry(id, |entry| on_message(entry, &event));
        });
        let error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            // Browsers give no detail on errors; `onclose` follows with the code.
            with_entry(id, |entry| {
                entry
                    .error
                    .get_or_insert(TransportError::Io("WebSocket error".to_owned()));
            });
        });
        let close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            with_entry(id, |entry| {
                if !matches!(entry.state, State::Closed(_)) {
                    let reason = event.reason();
                    let reason = if reason.is_empty() {
                        format!("closed with code {}", event.code())
                    } else {
                        reason
                    };
                    entry.state = State::Closed(reason);
                    entry.unsent.clear();
                    entry.unsent_bytes = 0;
                }
            });
        });
        socket.set_onopen(Some(open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        socket.set_onerror(Some(error.as_ref().unchecked_ref()));
        socket.set_onclose(Some(close.as_ref().unchecked_ref()));

        let entry = Entry {
            socket,
            state: State::Connecting,
            limits,
            incoming: VecDeque::new(),
            unsent: VecDeque::new(),
            unsent_bytes: 0,
            error: None,
            callbacks: Some(Callbacks {
                _open: open,
                _message: message,
                _error: error,
                _close: close,
            }),
        };
        SOCKETS.with(|sockets| sockets.borrow_mut().insert(id, entry));
        Ok(WebConnection {
            id,
            url: url.to_owned(),
            limits,
        })
    }

    /// The limits this connection enforces.
    pub fn limits(&self) -> &WebLimits {
        &self.limits
    }

    /// True once the socket opened (and while it stays open).
    pub fn is_connected(&self) -> bool {
        with_entry(self.id, |entry| matches!(entry.state, State::Open)).unwrap_or(false)
    }

    fn entry<R>(&self, f: impl FnOnce(&mut Entry) -> R) -> Result<R, TransportError> {
        with_entry(self.id, f).ok_or_else(|| TransportError::Closed {
            reason: "connection dropped".to_owned(),
        })
    }
}

/// Queues one received message, refusing text and oversized ones before copying them.
fn on_message(entry: &mut Entry, event: &MessageEvent) {
    if matches!(entry.state, State::Closed(_)) {
        return;
    }
    let data = event.data();
    let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() else {
        let error = TransportError::Protocol("text message: binary only".to_owned());
        // 1003: unsupported data.
        entry.fail(1003, error);
        return;
    };
    let size = buffer.byte_length() as usize;
    if size > entry.limits.max_message_bytes {
        let error = TransportError::MessageTooLarge {
            size,
            maximum: entry.limits.max_message_bytes,
        };
        // 1009: message too big.
        entry.fail(1009, error);
        return;
    }
    entry
        .incoming
        .push_back(js_sys::Uint8Array::new(buffer).to_vec());
}

impl Connection for WebConnection {
    fn send(&mut self, message: &[u8], _delivery: Delivery) -> Result<(), TransportError> {
        let maximum = self.limits.max_message_bytes;
        if message.len() > maximum {
            return Err(TransportError::MessageTooLarge {
                size: message.len(),
                maximum,
            });
        }
        self.entry(|entry| match &entry.state {
            State::Closed(reason) => Err(TransportError::Closed {
                reason: reason.clone(),
            }),
            State::Connecting => {
                let queued = entry.unsent_bytes + message.len();
                if queued > entry.limits.max_buffered_bytes {
                    let error = TransportError::MessageTooLarge {
                        size: queued,
                        maximum: entry.limits.max_buffered_bytes,
                    };
                    entry.fail(CLOSE_NORMAL, error.clone());
                    return Err(error);
                }
                entry.unsent_bytes = queued;
                entry.unsent.push_back(message.to_vec());
                Ok(())
            }
            State::Open => {
                let buffered = entry.socket.buffered_amount() as usize;
                if buffered.saturating_add(message.len()) > entry.limits.max_buffered_bytes {
                    let reason = format!(
                        "over {} bytes waiting to be sent",
                        entry.limits.max_buffered_bytes
                    );
                    entry.close(CLOSE_NORMAL, &reason);
                    return Err(TransportError::Closed { reason });
                }
                entry.socket.send_with_u8_array(message).map_err(|error| {
                    let error = TransportError::Io(format!("send failed: {error:?}"));
                    entry.fail(CLOSE_NORMAL, error.clone());
                    error
                })
            }
        })?
    }

    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        self.entry(|entry| {
            if let Some(message) = entry.incoming.pop_front() {
                return Ok(Some(message));
            }
            if let Some(error) = entry.error.take() {
                if !matches!(entry.state, State::Closed(_)) {
                    entry.close(CLOSE_NORMAL, &error.to_string());
                }
                return Err(error);
            }
            match &entry.state {
                State::Closed(reason) => Err(TransportError::Closed {
                    reason: reason.clone(),
                }),
                State::Connecting | State::Open => Ok(None),
            }
        })?
    }

    /// The browser writes on its own; this only reports a closed connection.
    fn flush(&mut self) -> Result<(), TransportError> {
        self.entry(|entry| match &entry.state {
            State::Closed(reason) => Err(TransportError::Closed {
                reason: reason.clone(),
            }),
            State::Connecting | State::Open => Ok(()),
        })?
    }

    fn close(&mut self, reason: &str) {
        with_entry(self.id, |entry| entry.close(CLOSE_NORMAL, reason));
    }

    fn is_open(&self) -> bool {
        with_entry(self.id, |entry| !matches!(entry.state, State::Closed(_))).unwrap_or(false)
    }

    fn peer(&self) -> &str {
        &self.url
    }
}

impl Drop for WebConnection {
    fn drop(&mut self) {
        let entry = SOCKETS.with(|sockets| sockets.borrow_mut().remove(&self.id));
        if let Some(mut entry) = entry {
            entry.close(CLOSE_NORMAL, "dropped");
            // Detach the handlers before their closures are freed with the entry.
            entry.socket.set_onopen(None);
            entry.socket.set_onmessage(None);
            entry.socket.set_onerror(None);
            entry.socket.set_onclose(None);
            entry.callbacks = None;
        }
    }
}
