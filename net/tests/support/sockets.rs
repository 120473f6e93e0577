//! Real WebSockets on 127.0.0.1 for the socket-level tests: a server app on a
//! [`WebSocketListener`], client apps on [`WebSocketConnection`]s, frames paced so packets have
//! time to travel, and raw TCP peers that play hostile clients.
//!
//! The apps' clocks are simulated (every frame is 1/60 s); the sockets are real. Every loop
//! counts frames and also stops at a real deadline of a few seconds, so a broken test fails
//! instead of hanging.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use glam::Vec2;
use layerw_engine::app::App;
use layerw_engine::ecs::{EventCursor, Events, Res};
use layerw_net::client::NetClient;
use layerw_net::connections::{ClientEvent, Connector};
use layerw_net::limits::Limits;
use layerw_net::message::{DisconnectReason, ServerMessage};
use layerw_net::server::{ClientConnected, ClientDisconnected};
use layerw_net::stats::NetStats;
use layerw_net::transport::{WebSocketConnection, WebSocketLimits, WebSocketListener};

use super::{client_app, server_app, set_move};

/// One frame of the simulated clocks, seconds.
pub const FRAME: f64 = 1.0 / 60.0;
/// The real time any single wait may take before the test gives up.
pub const DEADLINE: Duration = Duration::from_secs(5);
/// The pause after every frame, so what one app flushed reaches the others' sockets.
const PACE: Duration = Duration::from_millis(1);

/// A client's HTTP upgrade request, as a browser would send it.
pub const UPGRADE: &str = "GET /game HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// The WebSocket limits of both ends: upgrades must finish within a second of real time.
pub fn ws_limits() -> WebSocketLimits {
    WebSocketLimits {
        handshake_timeout: Duration::from_secs(1),
        ..WebSocketLimits::default()
    }
}

/// The protocol limits of the hostile tests' server: a `Hello` within a second (simulated).
pub fn short_handshake() -> Limits {
    Limits {
        handshake_timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

/// The URL of a server bound at `addr`.
pub fn url(addr: SocketAddr) -> String {
    format!("ws://{addr}/game")
}

/// A server app with `drones` drones on a fresh WebSocket listener at 127.0.0.1 (ephemeral
/// port), and the address it listens on.
pub fn ws_server(drones: usize, limits: Limits) -> (App, SocketAddr) {
    let listener = WebSocketListener::bind("127.0.0.1:0", ws_limits()).expect("bind 127.0.0.1:0");
    let addr = listener.local_addr();
    (server_app(vec![Box::new(listener)], drones, limits), addr)
}

/// A server app and its clients over real sockets, stepped frame by frame; the server's
/// connection events are collected as they come.
pub struct Net {
    /// The server app.
    pub server: App,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The well-behaved client apps.
    pub clients: Vec<App>,
    /// Frames run so far.
    pub frame: usize,
    /// Whether the clients walk (each changes direction every second) or stand still.
    pub moving: bool,
    /// Every `ClientConnected` the server sent.
    pub connected: Vec<ClientConnected>,
    /// Every `ClientDisconnected` the server sent.
    pub disconnected: Vec<ClientDisconnected>,
    connected_reader: EventCursor<ClientConnected>,
    disconnected_reader: EventCursor<ClientDisconnected>,
}

impl Net {
    /// A server with `drones` drones and no client yet.
    pub fn new(drones: usize, limits: Limits) -> Net {
        let (server, addr) = ws_server(drones, limits);
        Net::with_server(server, addr)
    }

    /// Wraps an already built server app listening at `addr`.
    pub fn with_server(server: App, addr: SocketAddr) -> Net {
        Net {
            server,
            addr,
            clients: Vec::new(),
            frame: 0,
            moving: true,
            connected: Vec::new(),
            disconnected: Vec::new(),
            connected_reader: EventCursor::new(),
            disconnected_reader: EventCursor::new(),
        }
    }

    /// Replaces the server (a restart): the event readers start over with the new one.
    pub fn replace_server(&mut self, server: App, addr: SocketAddr) {
        self.server = server;
        self.addr = addr;
        self.connected_reader = EventCursor::new();
        self.disconnected_reader = EventCursor::new();
    }

    /// One frame: the clients' inputs, the server, every client, then a short pause.
    pub fn step(&mut self) {
        if self.moving {
            let directions = [Vec2::X, Vec2::new(-0.6, 0.8), Vec2::Y, Vec2::new(0.0, -1.0)];
            for (i, client) in self.clients.iter_mut().enumerate() {
                set_move(client, directions[(i + self.frame / 60) % directions.len()]);
            }
        } else {
            for client in &mut self.clients {
                set_move(client, Vec2::ZERO);
            }
        }
        self.server.update(FRAME);
        let world = self.server.world();
        if let Ok(events) = world.try_resource::<Events<ClientConnected>>() {
            self.connected
                .extend(self.connected_reader.read(&events).copied());
        }
        if let Ok(events) = world.try_resource::<Events<ClientDisconnected>>() {
            self.disconnected
                .extend(self.disconnected_reader.read(&events).cloned());
        }
        for client in &mut self.clients {
            client.update(FRAME);
        }
        self.frame += 1;
        thread::sleep(PACE);
    }

    /// Runs `frames` frames.
    pub fn run(&mut self, frames: usize) {
        for _ in 0..frames {
            self.step();
        }
    }

    /// Steps until `done` holds (true) or `max_frames` frames or the deadline passed (false).
    pub fn run_until(&mut self, max_frames: usize, mut done: impl FnMut(&mut Net) -> bool) -> bool {
        let deadline = Instant::now() + DEADLINE;
        for _ in 0..max_frames {
            if done(self) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            self.step();
        }
        done(self)
    }

    /// Opens a WebSocket to the server (the blocking connect runs on a thread while this one
    /// keeps stepping the apps, so the server can answer the upgrade).
    pub fn open(&mut self) -> WebSocketConnection {
        let url = url(self.addr);
        let connecting = thread::spawn(move || WebSocketConnection::connect(&url, ws_limits()));
        let deadline = Instant::now() + DEADLINE;
        while !connecting.is_finished() && Instant::now() < deadline {
            self.step();
        }
        assert!(connecting.is_finished(), "WebSocket upgrade did not finish");
        connecting
            .join()
            .expect("connect thread")
            .expect("WebSocket connect")
    }

    /// Connects a client app as `client_id`, stepping until it is welcomed; returns its index
    /// in `clients`.
    pub fn join(&mut self, client_id: u64) -> usize {
        let connection = self.open();
        self.clients
            .push(client_app(Box::new(connection), client_id));
        let index = self.clients.len() - 1;
        let welcomed = self.run_until(600, |net| net.client(index).is_connected());
        assert!(
            welcomed,
            "client {client_id} not welcomed: {:?}",
            self.client(index).state()
        );
        index
    }

    /// Client `index`'s `NetClient`.
    pub fn client(&self, index: usize) -> Res<'_, NetClient> {
        self.clients[index].world().resource::<NetClient>()
    }

    /// Every client's `NetStats::snapshots`.
    pub fn snapshots(&self) -> Vec<u64> {
        self.clients
            .iter()
            .map(|c| c.world().resource::<NetStats>().snapshots)
            .collect()
    }

    /// Runs `frames` frames and returns the snapshots each client received meanwhile.
    pub fn snapshots_over(&mut self, frames: usize) -> Vec<u64> {
        let start = self.snapshots();
        self.run(frames);
        let end = self.snapshots();
        end.iter().zip(&start).map(|(e, s)| e - s).collect()
    }
}

/// A connect-token holder that uses the real [`Connector`] over a real WebSocket, outside any
/// app (the attacker's own loop): polled once per frame with the frame's simulated time.
pub struct Attacker {
    /// Its connector.
    pub connector: Connector,
    /// Every event it reported.
    pub events: Vec<ClientEvent>,
    frames: usize,
}

impl Attacker {
    /// Says `Hello` over `connection` with `protocol` and `token` for the tests' game.
    pub fn new(connection: WebSocketConnection, protocol: u32, token: &[u8]) -> Attacker {
        let connector = Connector::new(Box::new(connection), protocol, super::GAME, token, 0.0);
        Attacker {
            connector,
            events: Vec::new(),
            frames: 0,
        }
    }

    /// One frame: reads what the server sent and flushes what was queued.
    pub fn poll(&mut self) {
        self.frames += 1;
        let now = self.frames as f64 * FRAME;
        self.connector.poll(now, &mut self.events);
        // A failed flush is reported as a disconnection by a later poll.
        let _ = self.connector.flush();
    }

    /// True once welcomed.
    pub fn welcomed(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, ClientEvent::Connected { .. }))
    }

    /// The reason it was disconnected with, once it was.
    pub fn ended(&self) -> Option<&DisconnectReason> {
        self.events.iter().find_map(|e| match e {
            ClientEvent::Disconnected { reason } => Some(reason),
            _ => None,
        })
    }
}

/// A masked client frame (fin set) carrying `payload` with `opcode`, of any length.
pub fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x5a, 0x13, 0xc7, 0x2e];
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= usize::from(u16::MAX) => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// A frame the server sent: its opcode and payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerFrame {
    /// 0x2 binary, 0x8 close, 0x9 ping, 0xA pong.
    pub opcode: u8,
    /// The unmasked payload.
    pub payload: Vec<u8>,
}

/// A raw TCP peer (non-blocking): writes what it is given as the socket takes it, keeps
/// everything it reads, and notices when the server closes.
pub struct RawPeer {
    stream: TcpStream,
    outbox: Vec<u8>,
    /// Every byte the server sent.
    pub inbox: Vec<u8>,
    /// Set once the server closed (EOF, reset, or a failed write).
    pub closed: bool,
}

impl RawPeer {
    /// A TCP connection to `addr`.
    pub fn connect(addr: SocketAddr) -> RawPeer {
        let stream = TcpStream::connect(addr).expect("TCP connect");
        stream.set_nonblocking(true).expect("non-blocking");
        stream.set_nodelay(true).expect("no delay");
        RawPeer {
            stream,
            outbox: Vec::new(),
            inbox: Vec::new(),
            closed: false,
        }
    }

    /// Queues `bytes` and writes what the socket takes now.
    pub fn write(&mut self, bytes: &[u8]) {
        self.outbox.extend_from_slice(bytes);
        self.pump();
    }

    /// Writes queued bytes and reads what arrived, as far as the socket allows now.
    pub fn pump(&mut self) {
        // Read first: what the server said before closing must not be lost to a reset that
        // a write into the closed socket would provoke.
        let mut chunk = [0u8; 16 * 1024];
        while !self.closed {
            match self.stream.read(&mut chunk) {
                Ok(0) => self.closed = true,
                Ok(n) => self.inbox.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => self.closed = true,
            }
        }
        while !self.closed && !self.outbox.is_empty() {
            match self.stream.write(&self.outbox) {
                Ok(0) => self.closed = true,
                Ok(n) => {
                    self.outbox.drain(..n);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => self.closed = true,
            }
        }
    }

    /// True once the server's `101 Switching Protocols` answer arrived.
    pub fn upgraded(&self) -> bool {
        self.inbox.starts_with(b"HTTP/1.1 101") && self.body_start().is_some()
    }

    fn body_start(&self) -> Option<usize> {
        self.inbox
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|p| p + 4)
    }

    /// The whole frames the server sent after its HTTP answer.
    pub fn frames(&self) -> Vec<ServerFrame> {
        let mut frames = Vec::new();
        let Some(mut at) = self.body_start() else {
            return frames;
        };
        let bytes = &self.inbox;
        while at + 2 <= bytes.len() {
            let opcode = bytes[at] & 0x0f;
            let masked = bytes[at + 1] & 0x80 != 0;
            let (len, mut start) = match bytes[at + 1] & 0x7f {
                126 if at + 4 <= bytes.len() => (
                    usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]])),
                    at + 4,
                ),
                127 if at + 10 <= bytes.len() => {
                    let mut word = [0u8; 8];
                    word.copy_from_slice(&bytes[at + 2..at + 10]);
                    (u64::from_be_bytes(word) as usize, at + 10)
                }
                126 | 127 => break,
                n => (usize::from(n), at + 2),
            };
            if masked {
                start += 4; // servers never mask; skip it anyway
            }
            if start + len > bytes.len() {
                break;
            }
            frames.push(ServerFrame {
                opcode,
                payload: bytes[start..start + len].to_vec(),
            });
            at = start + len;
        }
        frames
    }

    /// The server's binary messages, decoded (those that do not decode are left out).
    pub fn messages(&self) -> Vec<ServerMessage> {
        self.frames()
            .iter()
            .filter(|f| f.opcode == 0x2)
            .filter_map(|f| ServerMessage::decode(&f.payload, &Limits::default()).ok())
            .collect()
    }

    /// The close code of the server's close frame, once one came.
    pub fn close_code(&self) -> Option<u16> {
        self.frames()
            .iter()
            .find(|f| f.opcode == 0x8)
            .and_then(|f| {
                (f.payload.len() >= 2).then(|| u16::from_be_bytes([f.payload[0], f.payload[1]]))
            })
    }

    /// The reason of the server's `Reject`, once one came.
    pub fn rejected(&self) -> Option<DisconnectReason> {
        self.messages().into_iter().find_map(|m| match m {
            ServerMessage::Reject { reason } => Some(reason),
            _ => None,
        })
    }
}
