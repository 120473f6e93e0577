//! The server side: accepts connections, runs the handshake, enforces the limits, and turns
//! client messages into [`ServerEvent`]s.

use std::collections::{BTreeMap, HashMap};

use super::{ByteCounters, ClientId, NetError};
use crate::limits::{Limits, RateExceeded, RateLimiter};
use crate::message::{ClientMessage, DisconnectReason, ServerMessage};
use crate::token::{ConnectToken, ServerKey};
use crate::transport::{Connection, Delivery, Listener};

/// How many connections one listener may hand over per poll (those over
/// [`Limits::max_pending`] are closed at once, but even that must be bounded).
const MAX_ACCEPTS_PER_POLL: usize = 256;

/// What a server admits and how it runs.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The protocol version clients must speak (in their `Hello` and their token).
    pub protocol: u32,
    /// The game clients must ask for (in their `Hello` and their token).
    pub game: u64,
    /// The key connect tokens are signed with.
    pub key: ServerKey,
    /// The limits on every connection.
    pub limits: Limits,
    /// Ticks per second, told to clients in `Welcome`.
    pub tick_rate: u16,
}

/// What happened on the server's connections during a poll.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerEvent {
    /// A client finished its handshake.
    Connected {
        /// Who.
        client: ClientId,
        /// True when it left less than [`Limits::resume_grace`] ago (not kicked): the game may
        /// hand it back its old entity.
        resumed: bool,
    },
    /// A client's `Input` message.
    Input {
        /// Whose.
        client: ClientId,
        /// The newest snapshot tick it received.
        ack: Option<u32>,
        /// The tick of `inputs[0]`.
        first_tick: u32,
        /// One encoded input per tick, oldest first.
        inputs: Vec<Vec<u8>>,
    },
    /// A client is gone; its id is free again.
    Disconnected {
        /// Who.
        client: ClientId,
        /// Why.
        reason: DisconnectReason,
    },
}

/// A connection that has not said `Hello` yet.
struct Pending {
    conn: Box<dyn Connection>,
    since: f64,
    limiter: RateLimiter,
}

struct Client {
    conn: Box<dyn Connection>,
    limiter: RateLimiter,
    last_received: f64,
    counters: ByteCounters,
    /// A send or flush failed: dropped as lost by the next poll.
    failed: Option<String>,
}

/// What became of a pending connection in a poll.
enum Handshake {
    Waiting,
    Gone,
    Refused(DisconnectReason),
    Admitted(ClientId),
}

/// The server's connections: polled once per frame, it accepts, shakes hands, enforces
/// [`Limits`] and reports [`ServerEvent`]s. Every violation drops only the offending connection,
/// with a reason sent before closing.
pub struct ConnectionManager {
    config: ServerConfig,
    listeners: Vec<Box<dyn Listener>>,
    pending: Vec<Pending>,
    clients: BTreeMap<ClientId, Client>,
    /// When each recently dropped client left, for `resumed`.
    departed: HashMap<ClientId, f64>,
    /// Events of calls between polls (`disconnect`, `shutdown`), reported by the next poll.
    queued: Vec<ServerEvent>,
    buffer: Vec<u8>,
    now: f64,
    shut_down: bool,
}

impl ConnectionManager {
    /// A manager with no listeners yet.
    pub fn new(config: ServerConfig) -> Self {
        ConnectionManager {
            config,
            listeners: Vec::new(),
            pending: Vec::new(),
            clients: BTreeMap::new(),
            departed: HashMap::new(),
            queued: Vec::new(),
            buffer: Vec::new(),
            now: 0.0,
            shut_down: false,
        }
    }

    /// Accepts connections from `listener` too, from the next poll on.
    pub fn add_listener(&mut self, listener: Box<dyn Listener>) {
        self.listeners.push(listener);
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// One frame's work: accepts connections, reads every connection's messages (at most
    /// [`Limits::max_messages_per_poll`] each), runs handshakes, answers pings, enforces the
    /// limits and timeouts, and appends what happened to `events`. `now` is monotonic seconds,
    /// `now_unix` unix seconds (token expiry), `tick` the server's tick (for `Welcome`, `Pong`).
    /// Replies are queued: call [`flush`](Self::flush) after this frame's sends.
    pub fn poll(&mut self, now: f64, now_unix: u64, tick: u32, events: &mut Vec<ServerEvent>) {
        self.now = now;
        events.append(&mut self.queued);
        let grace = self.config.limits.resume_grace.as_secs_f64();
        self.departed.retain(|_, left| now - *left < grace);
        self.accept(now);
        self.poll_pending(now, now_unix, tick, events);
        self.poll_clients(now, tick, events);
    }

    fn accept(&mut self, now: f64) {
        for listener in &mut self.listeners {
            for _ in 0..MAX_ACCEPTS_PER_POLL {
                let mut conn = match listener.accept() {
                    Ok(Some(conn)) => conn,
                    Ok(None) => break,
                    Err(error) => {
                        tracing::warn!("listener failed: {error}");
                        break;
                    }
                };
                if self.shut_down {
                    refuse(
                        &mut *conn,
                        DisconnectReason::ServerShutdown,
                        &mut self.buffer,
                    );
                } else if self.pending.len() >= self.config.limits.max_pending {
                    refuse(&mut *conn, DisconnectReason::ServerBusy, &mut self.buffer);
                } else {
                    self.pending.push(Pending {
                        conn,
                        since: now,
                        limiter: RateLimiter::new(&self.config.limits, now),
                    });
                }
            }
        }
    }

    fn poll_pending(&mut self, now: f64, now_unix: u64, tick: u32, events: &mut Vec<ServerEvent>) {
        for mut p in std::mem::take(&mut self.pending) {
            match self.handshake(&mut p, now, now_unix) {
                Handshake::Waiting => self.pending.push(p),
                Handshake::Gone => p.conn.close("gone"),
                Handshake::Refused(reason) => {
                    tracing::debug!("refused {}: {reason}", p.conn.peer());
                    refuse(&mut *p.conn, reason, &mut self.buffer);
                }
                Handshake::Admitted(client) => {
                    let resumed = self.departed.remove(&client).is_some();
                    self.admit(client, p.conn, p.limiter, now, tick, resumed);
                    events.push(ServerEvent::Connected { client, resumed });
                }
            }
        }
    }

    /// Reads a pending connection's first message: it must be a valid `Hello`.
    fn handshake(&self, p: &mut Pending, now: f64, now_unix: u64) -> Handshake {
        let limits = &self.config.limits;
        let bytes = match p.conn.receive() {
            Ok(Some(bytes)) => bytes,
            Ok(None) if !p.conn.is_open() => return Handshake::Gone,
            Ok(None) => {
                return if now - p.since >= limits.handshake_timeout.as_secs_f64() {
                    Handshake::Refused(DisconnectReason::HandshakeTimeout)
                } else {
                    Handshake::Waiting
                };
            }
            Err(_) => return Handshake::Gone,
        };
        let message = match check_message(&bytes, &mut p.limiter, limits, now) {
            Ok(message) => message,
            Err(reason) => return Handshake::Refused(reason),
        };
        match message {
            ClientMessage::Hello {
                protocol,
                game,
                token,
            } => match self.check_hello(protocol, game, &token, now_unix) {
                Ok(client) => Handshake::Admitted(client),
                Err(reason) => Handshake::Refused(reason),
            },
            ClientMessage::Disconnect => Handshake::Gone,
            _ => Handshake::Refused(DisconnectReason::UnexpectedMessage),
        }
    }

    fn check_hello(
        &self,
        protocol: u32,
        game: u64,
        token: &[u8],
        now_unix: u64,
    ) -> Result<ClientId, DisconnectReason> {
        let config = &self.config;
        if protocol != config.protocol {
            return Err(DisconnectReason::WrongVersion {
                expected: config.protocol,
                found: protocol,
            });
        }
        if game != config.game {
            return Err(DisconnectReason::WrongGame {
                expected: config.game,
                found: game,
            });
        }
        let token = ConnectToken::verify(token, &config.key, now_unix, protocol, game)
            .map_err(DisconnectReason::BadToken)?;
        let client = ClientId(token.client_id);
        if self.clients.contains_key(&client) {
            return Err(DisconnectReason::TokenInUse);
        }
        if self.clients.len() >= config.limits.max_clients {
            return Err(DisconnectReason::ServerFull);
        }
        Ok(client)
    }

    fn admit(
        &mut self,
        client: ClientId,
        conn: Box<dyn Connection>,
        limiter: RateLimiter,
        now: f64,
        tick: u32,
        resumed: bool,
    ) {
        let mut entry = Client {
            conn,
            limiter,
            last_received: now,
            counters: ByteCounters::default(),
            failed: None,
        };
        self.buffer.clear();
        ServerMessage::Welcome {
            client_id: client.0,
            tick,
            tick_rate: self.config.tick_rate,
            resumed,
        }
        .encode(&mut self.buffer);
        send_to(&mut entry, &self.buffer, Delivery::Reliable).ok();
        self.clients.insert(client, entry);
    }

    fn poll_clients(&mut self, now: f64, tick: u32, events: &mut Vec<ServerEvent>) {
        let limits = &self.config.limits;
        let mut dropped: Vec<(ClientId, DisconnectReason, bool)> = Vec::new();
        for (&id, client) in &mut self.clients {
            if let Some(detail) = client.failed.take() {
                dropped.push((id, DisconnectReason::ConnectionLost { detail }, false));
                continue;
            }
            match read_client(id, client, limits, now, tick, &mut self.buffer, events) {
                Ok(()) => {}
                Err((reason, notify)) => {
                    dropped.push((id, reason, notify));
                    continue;
                }
            }
            if now - client.last_received >= limits.idle_timeout.as_secs_f64() {
                dropped.push((id, DisconnectReason::IdleTimeout, true));
            }
        }
        for (id, reason, notify) in dropped {
            self.drop_client(id, reason, notify, now, events);
        }
    }

    /// Removes a client, telling it why first when `notify`, and reports it.
    fn drop_client(
        &mut self,
        id: ClientId,
        reason: DisconnectReason,
        notify: bool,
        now: f64,
        events: &mut Vec<ServerEvent>,
    ) {
        let Some(mut client) = self.clients.remove(&id) else {
            return;
        };
        tracing::debug!("{id} ({}) dropped: {reason}", client.conn.peer());
        if notify {
            self.buffer.clear();
            ServerMessage::Disconnect {
                reason: reason.clone(),
            }
            .encode(&mut self.buffer);
            send_to(&mut client, &self.buffer, Delivery::Reliable).ok();
            client.conn.flush().ok();
        }
        client.conn.close(&reason.to_string());
        if reason != DisconnectReason::Kicked {
            self.departed.insert(id, now);
        }
        events.push(ServerEvent::Disconnected { client: id, reason });
    }

    /// Encodes and queues `message` for `client`. A transport failure is returned, and the
    /// client is reported lost by the next poll.
    pub fn send(
        &mut self,
        client: ClientId,
        message: &ServerMessage,
        delivery: Delivery,
    ) -> Result<(), NetError> {
        self.buffer.clear();
        message.encode(&mut self.buffer);
        let entry = self
            .clients
            .get_mut(&client)
            .ok_or(NetError::UnknownClient(client))?;
        send_to(entry, &self.buffer, delivery)
    }

    /// Queues an already encoded message (for example a snapshot header and payload written
    /// straight into one buffer) for `client`.
    pub fn send_bytes(
        &mut self,
        client: ClientId,
        bytes: &[u8],
        delivery: Delivery,
    ) -> Result<(), NetError> {
        let entry = self
            .clients
            .get_mut(&client)
            .ok_or(NetError::UnknownClient(client))?;
        send_to(entry, bytes, delivery)
    }

    /// Drops `client`, telling it `reason`; reported as [`ServerEvent::Disconnected`] by the
    /// next poll. A kicked client does not resume.
    pub fn disconnect(
        &mut self,
        client: ClientId,
        reason: DisconnectReason,
    ) -> Result<(), NetError> {
        if !self.clients.contains_key(&client) {
            return Err(NetError::UnknownClient(client));
        }
        let mut events = std::mem::take(&mut self.queued);
        self.drop_client(client, reason, true, self.now, &mut events);
        self.queued = events;
        Ok(())
    }

    /// Writes every client's queued messages as far as the transports take them now (once per
    /// frame, after the sends). A failing client is reported lost by the next poll.
    pub fn flush(&mut self) {
        for client in self.clients.values_mut() {
            if let Err(error) = client.conn.flush() {
                client.failed.get_or_insert(error.to_string());
            }
        }
    }

    /// Tells every client and pending connection [`DisconnectReason::ServerShutdown`] and
    /// closes them; later connections are refused the same way. The clients'
    /// [`ServerEvent::Disconnected`] come from the next poll.
    pub fn shutdown(&mut self) {
        self.shut_down = true;
        for mut p in std::mem::take(&mut self.pending) {
            refuse(
                &mut *p.conn,
                DisconnectReason::ServerShutdown,
                &mut self.buffer,
            );
        }
        let ids: Vec<ClientId> = self.clients.keys().copied().collect();
        let mut events = std::mem::take(&mut self.queued);
        for id in ids {
            self.drop_client(
                id,
                DisconnectReason::ServerShutdown,
                true,
                self.now,
                &mut events,
            );
        }
        self.queued = events;
    }

    /// The connected clients, in id order.
    pub fn clients(&self) -> impl Iterator<Item = ClientId> + '_ {
        self.clients.keys().copied()
    }

    /// How many clients are connected.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// How many connections are waiting for their handshake.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// Whether `client` is connected.
    pub fn is_connected(&self, client: ClientId) -> bool {
        self.clients.contains_key(&client)
    }

    /// A connected client's byte and message counters.
    pub fn counters(&self, client: ClientId) -> Option<ByteCounters> {
        self.clients.get(&client).map(|c| c.counters)
    }

    /// A connected client's address or transport label, for logs.
    pub fn peer(&self, client: ClientId) -> Option<&str> {
        self.clients.get(&client).map(|c| c.conn.peer())
    }
}

/// Reads one connected client's messages of this poll; the error is the reason to drop it and
/// whether to tell it.
fn read_client(
    id: ClientId,
    client: &mut Client,
    limits: &Limits,
    now: f64,
    tick: u32,
    buffer: &mut Vec<u8>,
    events: &mut Vec<ServerEvent>,
) -> Result<(), (DisconnectReason, bool)> {
    // A closed transport may still hold messages (the client's Disconnect): read them first.
    let mut drained = false;
    for _ in 0..limits.max_messages_per_poll {
        let bytes = match client.conn.receive() {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                drained = true;
                break;
            }
            Err(error) => {
                let detail = error.to_string();
                return Err((DisconnectReason::ConnectionLost { detail }, false));
            }
        };
        client.counters.received(bytes.len());
        client.last_received = now;
        match check_message(&bytes, &mut client.limiter, limits, now).map_err(|r| (r, true))? {
            ClientMessage::Input {
                ack,
                first_tick,
                inputs,
            } => events.push(ServerEvent::Input {
                client: id,
                ack,
                first_tick,
                inputs,
            }),
            ClientMessage::Ping { client_time } => {
                buffer.clear();
                ServerMessage::Pong {
                    client_time,
                    server_tick: tick,
                }
                .encode(buffer);
                // A failure is recorded in `failed` and handled by the next poll.
                send_to(client, buffer, Delivery::Unreliable).ok();
            }
            ClientMessage::Disconnect => return Err((DisconnectReason::ClientLeft, false)),
            ClientMessage::Hello { .. } => {
                return Err((DisconnectReason::UnexpectedMessage, true));
            }
        }
    }
    if drained && !client.conn.is_open() {
        let detail = "closed by the peer".to_owned();
        return Err((DisconnectReason::ConnectionLost { detail }, false));
    }
    Ok(())
}

/// The size, rate and format checks of every received message.
fn check_message(
    bytes: &[u8],
    limiter: &mut RateLimiter,
    limits: &Limits,
    now: f64,
) -> Result<ClientMessage, DisconnectReason> {
    if bytes.len() > limits.max_message_bytes {
        return Err(DisconnectReason::MessageTooLarge {
            size: bytes.len() as u64,
            max: limits.max_message_bytes as u64,
        });
    }
    limiter.check(bytes.len(), now).map_err(|e| match e {
        RateExceeded::Bytes => DisconnectReason::ByteRateExceeded,
        _ => DisconnectReason::MessageRateExceeded,
    })?;
    ClientMessage::decode(bytes, limits).map_err(|error| {
        tracing::debug!("malformed message: {error}");
        DisconnectReason::MalformedMessage
    })
}

fn send_to(client: &mut Client, bytes: &[u8], delivery: Delivery) -> Result<(), NetError> {
    match client.conn.send(bytes, delivery) {
        Ok(()) => {
            client.counters.sent(bytes.len());
            Ok(())
        }
        Err(error) => {
            client.failed.get_or_insert(error.to_string());
            Err(NetError::Transport(error))
        }
    }
}

/// Sends `Reject { reason }` and closes (a connection that never became a client).
fn refuse(conn: &mut dyn Connection, reason: DisconnectReason, buffer: &mut Vec<u8>) {
    buffer.clear();
    let text = reason.to_string();
    ServerMessage::Reject { reason }.encode(buffer);
    // Best effort: the connection is closed whatever the transport says.
    conn.send(buffer, Delivery::Reliable).ok();
    conn.flush().ok();
    conn.close(&text);
}
