//! Native WebSocket transport over TCP (tungstenite's sync API on non-blocking sockets; no
//! async runtime): [`WebSocketListener`] for servers, [`WebSocketConnection::connect`] for
//! desktop clients.
//!
//! The limits a hostile peer could try to get around are enforced here, below the protocol:
//! message and frame sizes (refused from the frame header, before the payload is allocated),
//! the time an HTTP upgrade may take, the number of upgrades in progress, and the bytes queued
//! for a peer that does not read.

use std::collections::VecDeque;
use std::io::{self, ErrorKind};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

use tungstenite::client::IntoClientRequest;
use tungstenite::error::{CapacityError, Error as WsError};
use tungstenite::handshake::HandshakeError;
use tungstenite::handshake::MidHandshake;
use tungstenite::handshake::server::{NoCallback, ServerHandshake};
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{WebSocket, WebSocketConfig};
use tungstenite::{Bytes, Message};

use super::{Connection, Delivery, Listener, NetClock, TransportError, secs_to_nanos};

/// The largest WebSocket frame header (2 + 8 length + 4 mask bytes).
const MAX_FRAME_HEADER: usize = 14;
/// The largest close reason a close frame carries (125-byte payload less the 2-byte code).
const MAX_CLOSE_REASON: usize = 123;
/// TCP connections taken from the OS per [`Listener::accept`] call at most, so a flood of
/// connections cannot starve the handshakes in progress.
const ACCEPTS_PER_CALL: usize = 256;

/// The limits of a WebSocket endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebSocketLimits {
    /// The largest message received or sent, in bytes; a larger incoming frame is refused from
    /// its header.
    pub max_message_bytes: usize,
    /// How long an HTTP upgrade may take (server: from the TCP accept; client: the whole
    /// connect) before the connection is dropped.
    pub handshake_timeout: Duration,
    /// Server: TCP connections whose upgrade is in progress at most; more are closed at once.
    pub max_pending_handshakes: usize,
    /// The most bytes queued for a peer; a peer that stops reading is closed past this. At
    /// least `max_message_bytes + 14` (one whole frame).
    pub max_write_buffer_bytes: usize,
    /// Bytes of the read buffer each connection allocates up front.
    pub read_buffer_bytes: usize,
}

impl Default for WebSocketLimits {
    /// 64 KiB messages, 5 s handshakes, 64 pending handshakes, 1 MiB write buffer, 8 KiB read
    /// buffer.
    fn default() -> Self {
        WebSocketLimits {
            max_message_bytes: 64 * 1024,
            handshake_timeout: Duration::from_secs(5),
            max_pending_handshakes: 64,
            max_write_buffer_bytes: 1 << 20,
            read_buffer_bytes: 8 * 1024,
        }
    }
}

impl WebSocketLimits {
    /// Checks the limits fit together.
    fn validate(&self) -> Result<(), TransportError> {
        let frame = self.max_message_bytes.saturating_add(MAX_FRAME_HEADER);
        if self.max_write_buffer_bytes < frame {
            return Err(TransportError::MessageTooLarge {
                size: frame,
                maximum: self.max_write_buffer_bytes,
            });
        }
        Ok(())
    }

    /// The tungstenite configuration enforcing these limits.
    fn config(&self) -> WebSocketConfig {
        WebSocketConfig::default()
            .read_buffer_size(self.read_buffer_bytes.max(256))
            // Writes reach the socket at `flush`, or sooner once half the cap is queued.
            .write_buffer_size(self.max_write_buffer_bytes / 2)
            .max_write_buffer_size(self.max_write_buffer_bytes)
            .max_message_size(Some(self.max_message_bytes))
            .max_frame_size(Some(self.max_message_bytes))
    }
}

fn io_error(error: &io::Error) -> TransportError {
    TransportError::Io(error.to_string())
}

fn is_would_block(error: &WsError) -> bool {
    matches!(error, WsError::Io(io) if io.kind() == ErrorKind::WouldBlock)
}

/// `reason` cut to what a close frame carries, on a character boundary.
fn close_reason(reason: &str) -> String {
    let mut end = reason.len().min(MAX_CLOSE_REASON);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}

/// One WebSocket connection (either side), carrying binary messages.
///
/// `send` queues a message and `flush` writes what the socket takes now (a full socket is not
/// an error: the rest goes on the next flush). Pings are answered; a text message is a
/// [`TransportError::Protocol`] and closes the connection; close frames carry the reason.
#[derive(Debug)]
pub struct WebSocketConnection {
    socket: WebSocket<TcpStream>,
    peer: String,
    limits: WebSocketLimits,
    /// Set once closed by either side or failed, with the reason.
    closed: Option<String>,
}

impl WebSocketConnection {
    fn new(socket: WebSocket<TcpStream>, peer: String, limits: WebSocketLimits) -> Self {
        WebSocketConnection {
            socket,
            peer,
            limits,
            closed: None,
        }
    }

    /// Connects to a `ws://host:port/path` URL: a blocking TCP connect and upgrade, each within
    /// `limits.handshake_timeout`, then the socket is made non-blocking. For native clients.
    pub fn connect(url: &str, limits: WebSocketLimits) -> Result<Self, TransportError> {
        limits.validate()?;
        let request = url
            .into_client_request()
            .map_err(|error| TransportError::Protocol(format!("bad URL {url:?}: {error}")))?;
        let uri = request.uri();
        if uri.scheme_str() != Some("ws") {
            return Err(TransportError::Protocol(format!(
                "only ws:// URLs are supported natively, not {url:?}"
            )));
        }
        let host = uri
            .host()
            .ok_or_else(|| TransportError::Protocol(format!("no host in {url:?}")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(80);
        let timeout = limits.handshake_timeout.max(Duration::from_millis(1));
        let mut last_error = TransportError::Io(format!("{host}:{port} resolved to no address"));
        let mut stream = None;
        for address in (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|e| io_error(&e))?
        {
            match TcpStream::connect_timeout(&address, timeout) {
                Ok(connected) => {
                    stream = Some(connected);
                    break;
                }
                Err(error) => last_error = io_error(&error),
            }
        }
        let stream = stream.ok_or(last_error)?;
        let peer = stream
            .peer_addr()
            .map_or_else(|_| url.to_owned(), |address| address.to_string());
        stream.set_nodelay(true).map_err(|e| io_error(&e))?;
        stream
            .set_read_timeout(Some(timeout))
            .map_err(|e| io_error(&e))?;
        stream
            .set_write_timeout(Some(timeout))
            .map_err(|e| io_error(&e))?;
        let socket =
            match tungstenite::client::client_with_config(request, stream, Some(limits.config())) {
                Ok((socket, _response)) => socket,
                // A blocking socket only "would block" when its timeout ran out.
                Err(HandshakeError::Interrupted(_)) => {
                    return Err(TransportError::Io(format!(
                        "WebSocket upgrade with {peer} took over {timeout:?}"
                    )));
                }
                Err(HandshakeError::Failure(error)) => {
                    return Err(TransportError::Protocol(format!(
                        "WebSocket upgrade with {peer} failed: {error}"
                    )));
                }
            };
        let stream = socket.get_ref();
        stream.set_read_timeout(None).map_err(|e| io_error(&e))?;
        stream.set_write_timeout(None).map_err(|e| io_error(&e))?;
        stream.set_nonblocking(true).map_err(|e| io_error(&e))?;
        Ok(WebSocketConnection::new(socket, peer, limits))
    }

    /// The limits this connection enforces.
    pub fn limits(&self) -> &WebSocketLimits {
        &self.limits
    }

    fn closed_error(&self) -> Option<TransportError> {
        self.closed.as_ref().map(|reason| TransportError::Closed {
            reason: reason.clone(),
        })
    }

    /// Closes with `code` and `reason` (sent to the peer as far as the socket takes it now) and
    /// returns `error`.
    fn fail(&mut self, code: CloseCode, reason: String, error: TransportError) -> TransportError {
        self.close_with(code, &reason);
        self.closed = Some(reason);
        error
    }

    fn close_with(&mut self, code: CloseCode, reason: &str) {
        if self.closed.is_some() {
            return;
        }
        let frame = CloseFrame {
            code,
            reason: close_reason(reason).into(),
        };
        // Best effort: the connection is going away whatever happens to the close frame.
        let _ = self.socket.close(Some(frame));
        if self.socket.flush().is_ok() {
            let _ = self.socket.get_ref().shutdown(Shutdown::Write);
        }
        self.closed = Some(reason.to_owned());
    }

    /// Maps a tungstenite error on an open connection, closing it.
    fn fail_with(&mut self, error: WsError) -> TransportError {
        match error {
            WsError::ConnectionClosed | WsError::AlreadyClosed => {
                let reason = self
                    .closed
                    .get_or_insert_with(|| "connection closed".to_owned())
                    .clone();
                TransportError::Closed { reason }
            }
            WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => self.fail(
                CloseCode::Size,
                format!("message of {size} bytes exceeds the limit of {max_size} bytes"),
                TransportError::MessageTooLarge {
                    size,
                    maximum: max_size,
                },
            ),
            WsError::Io(io) => {
                let reason = format!("I/O error: {io}");
                self.closed = Some(reason);
                io_error(&io)
            }
            other => {
                let reason = format!("WebSocket error: {other}");
                self.fail(
                    CloseCode::Protocol,
                    reason.clone(),
                    TransportError::Protocol(reason),
                )
            }
        }
    }

    fn full_buffer(&mut self) -> TransportError {
        let reason = format!(
            "peer not reading: over {} bytes queued for it",
            self.limits.max_write_buffer_bytes
        );
        self.fail(
            CloseCode::Policy,
            reason.clone(),
            TransportError::Closed { reason },
        )
    }
}

impl Connection for WebSocketConnection {
    fn send(&mut self, message: &[u8], _delivery: Delivery) -> Result<(), TransportError> {
        if let Some(error) = self.closed_error() {
            return Err(error);
        }
        if message.len() > self.limits.max_message_bytes {
            return Err(TransportError::MessageTooLarge {
                size: message.len(),
                maximum: self.limits.max_message_bytes,
            });
        }
        let mut retried = false;
        loop {
            match self
                .socket
                .write(Message::Binary(Bytes::copy_from_slice(message)))
            {
                Ok(()) => return Ok(()),
                // Queued; the socket takes the rest on a later flush.
                Err(error) if is_would_block(&error) => return Ok(()),
                Err(WsError::WriteBufferFull(_)) if !retried => {
                    retried = true;
                    match self.socket.flush() {
                        Ok(()) => {}
                        Err(error) if is_would_block(&error) => {}
                        Err(error) => return Err(self.fail_with(error)),
                    }
                }
                Err(WsError::WriteBufferFull(_)) => return Err(self.full_buffer()),
                Err(error) => return Err(self.fail_with(error)),
            }
        }
    }

    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        if let Some(error) = self.closed_error() {
            return Err(error);
        }
        loop {
            match self.socket.read() {
                Ok(Message::Binary(bytes)) => return Ok(Some(Vec::from(bytes))),
                Ok(Message::Text(text)) => {
                    let reason = format!("text message of {} bytes: binary only", text.len());
                    return Err(self.fail(
                        CloseCode::Unsupported,
                        reason.clone(),
                        TransportError::Protocol(reason),
                    ));
                }
                Ok(Message::Close(frame)) => {
                    let reason = frame.map_or_else(
                        || "closed by the peer".to_owned(),
                        |frame| frame.reason.as_str().to_owned(),
                    );
                    // Send the close reply tungstenite queued, as far as the socket takes it.
                    let _ = self.socket.flush();
                    self.closed = Some(reason.clone());
                    return Err(TransportError::Closed { reason });
                }
                // Pongs to pings are queued by tungstenite and written on the next read/flush.
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
                Err(error) if is_would_block(&error) => return Ok(None),
                Err(error) => return Err(self.fail_with(error)),
            }
        }
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        if let Some(error) = self.closed_error() {
            return Err(error);
        }
        match self.socket.flush() {
            Ok(()) => Ok(()),
            Err(error) if is_would_block(&error) => Ok(()),
            Err(WsError::WriteBufferFull(_)) => Err(self.full_buffer()),
            Err(error) => Err(self.fail_with(error)),
        }
    }

    fn close(&mut self, reason: &str) {
        self.close_with(CloseCode::Normal, reason);
    }

    fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    fn peer(&self) -> &str {
        &self.peer
    }
}

/// An HTTP upgrade in progress on the server.
#[derive(Debug)]
struct PendingHandshake {
    /// When the TCP connection was accepted ([`NetClock`] nanoseconds).
    started: u64,
    peer: String,
    handshake: MidHandshake<ServerHandshake<TcpStream, NoCallback>>,
}

/// What a [`WebSocketListener`] refused or dropped so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListenerStats {
    /// TCP connections taken from the OS.
    pub tcp_accepted: u64,
    /// Connections closed at once because `max_pending_handshakes` upgrades were in progress.
    pub refused_over_capacity: u64,
    /// Upgrades dropped for taking over `handshake_timeout`.
    pub handshake_timeouts: u64,
    /// Upgrades that failed (not HTTP, not a WebSocket request, I/O errors).
    pub handshake_failures: u64,
    /// Connections whose upgrade completed.
    pub upgraded: u64,
}

/// A WebSocket server socket: accepts TCP connections and drives their HTTP upgrades without
/// blocking; [`Listener::accept`] returns a connection only once its upgrade completed.
#[derive(Debug)]
pub struct WebSocketListener {
    listener: TcpListener,
    local_addr: SocketAddr,
    limits: WebSocketLimits,
    clock: NetClock,
    pending: Vec<PendingHandshake>,
    ready: VecDeque<WebSocketConnection>,
    stats: ListenerStats,
}

impl WebSocketListener {
    /// Binds `addr` (e.g. `"0.0.0.0:7777"`, or port 0 for an ephemeral port), timing
    /// handshakes on the real clock.
    pub fn bind(addr: impl ToSocketAddrs, limits: WebSocketLimits) -> Result<Self, TransportError> {
        WebSocketListener::bind_with_clock(addr, limits, NetClock::real())
    }

    /// Binds `addr`, timing handshakes on `clock` (a manual clock makes the timeout testable).
    pub fn bind_with_clock(
        addr: impl ToSocketAddrs,
        limits: WebSocketLimits,
        clock: NetClock,
    ) -> Result<Self, TransportError> {
        limits.validate()?;
        let listener = TcpListener::bind(addr).map_err(|e| io_error(&e))?;
        listener.set_nonblocking(true).map_err(|e| io_error(&e))?;
        let local_addr = listener.local_addr().map_err(|e| io_error(&e))?;
        Ok(WebSocketListener {
            listener,
            local_addr,
            limits,
            clock,
            pending: Vec::new(),
            ready: VecDeque::new(),
            stats: ListenerStats::default(),
        })
    }

    /// The bound address (with the port the OS chose for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The limits every accepted connection enforces.
    pub fn limits(&self) -> &WebSocketLimits {
        &self.limits
    }

    /// Upgrades in progress.
    pub fn pending_handshakes(&self) -> usize {
        self.pending.len()
    }

    /// What was refused or dropped so far.
    pub fn stats(&self) -> ListenerStats {
        self.stats
    }

    /// Takes the TCP connections waiting in the OS, refusing those over the pending cap.
    fn accept_tcp(&mut self) {
        for _ in 0..ACCEPTS_PER_CALL {
            let (stream, address) = match self.listener.accept() {
                Ok(accepted) => accepted,
                Err(error) if error.kind() == ErrorKind::WouldBlock => return,
                Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                Err(error) => {
                    // Out of file descriptors and the like: try again next call.
                    tracing::warn!(%error, "WebSocket listener could not accept");
                    return;
                }
            };
            self.stats.tcp_accepted += 1;
            if self.pending.len() >= self.limits.max_pending_handshakes {
                self.stats.refused_over_capacity += 1;
                drop(stream);
                continue;
            }
            if stream.set_nonblocking(true).is_err() || stream.set_nodelay(true).is_err() {
                self.stats.handshake_failures += 1;
                continue;
            }
            let peer = address.to_string();
            match tungstenite::accept_with_config(stream, Some(self.limits.config())) {
                Ok(socket) => self.upgraded(socket, peer),
                Err(HandshakeError::Interrupted(handshake)) => {
                    self.pending.push(PendingHandshake {
                        started: self.clock.now_nanos(),
                        peer,
                        handshake,
                    })
                }
                Err(HandshakeError::Failure(error)) => {
                    tracing::debug!(%peer, %error, "WebSocket upgrade failed");
                    self.stats.handshake_failures += 1;
                }
            }
        }
    }

    fn upgraded(&mut self, socket: WebSocket<TcpStream>, peer: String) {
        self.stats.upgraded += 1;
        self.ready
            .push_back(WebSocketConnection::new(socket, peer, self.limits));
    }

    /// Drives every upgrade in progress one step; drops those past the timeout.
    fn drive_handshakes(&mut self) {
        let now = self.clock.now_nanos();
        let timeout = secs_to_nanos(self.limits.handshake_timeout.as_secs_f64());
        for pending in std::mem::take(&mut self.pending) {
            if now.saturating_sub(pending.started) > timeout {
                tracing::debug!(peer = %pending.peer, "WebSocket upgrade timed out");
                self.stats.handshake_timeouts += 1;
                continue;
            }
            match pending.handshake.handshake() {
                Ok(socket) => self.upgraded(socket, pending.peer),
                Err(HandshakeError::Interrupted(handshake)) => {
                    self.pending.push(PendingHandshake {
                        handshake,
                        ..pending
                    })
                }
                Err(HandshakeError::Failure(error)) => {
                    tracing::debug!(peer = %pending.peer, %error, "WebSocket upgrade failed");
                    self.stats.handshake_failures += 1;
                }
            }
        }
    }
}

impl Listener for WebSocketListener {
    fn accept(&mut self) -> Result<Option<Box<dyn Connection>>, TransportError> {
        self.drive_handshakes();
        self.accept_tcp();
        Ok(self
            .ready
            .pop_front()
            .map(|connection| Box::new(connection) as Box<dyn Connection>))
    }
}
