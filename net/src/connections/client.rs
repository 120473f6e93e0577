//! The client side: says `Hello` with its token, waits for `Welcome`, then turns server
//! messages into [`ClientEvent`]s.

use super::{ByteCounters, NetError};
use crate::limits::Limits;
use crate::message::{ClientMessage, DisconnectReason, MessageError, ServerMessage, encode_input};
use crate::transport::{Connection, Delivery};

/// Where a [`Connector`] stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    /// `Hello` sent, no `Welcome` yet.
    Connecting,
    /// Welcomed: inputs and pings may be sent.
    Connected,
    /// Over; see the [`ClientEvent::Disconnected`] reason.
    Disconnected,
}

/// What happened on a client's connection during a poll.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientEvent {
    /// The server welcomed this client.
    Connected {
        /// This client's id.
        client_id: u64,
        /// The server's tick when it welcomed.
        tick: u32,
        /// The server's ticks per second.
        tick_rate: u16,
        /// True when the server kept this client's slot since a recent disconnection.
        resumed: bool,
    },
    /// A snapshot (its payload for the replication layer to decode).
    Snapshot {
        /// The tick it shows.
        tick: u32,
        /// The tick it is delta-encoded against, if any.
        baseline: Option<u32>,
        /// The newest input tick of this client the server applied.
        input_ack: Option<u32>,
        /// The encoded entities.
        payload: Vec<u8>,
    },
    /// The answer to a [`Connector::ping`].
    Pong {
        /// The time the ping carried.
        client_time: f64,
        /// The server's tick when it answered.
        server_tick: u32,
    },
    /// The connection is over (reported once).
    Disconnected {
        /// Why: the server's reason (`Reject`, `Disconnect`), or this side's (timeout, a
        /// malformed server message, the transport closing, [`Connector::disconnect`]).
        reason: DisconnectReason,
    },
}

/// A client's connection to the server, polled once per frame.
pub struct Connector {
    conn: Box<dyn Connection>,
    limits: Limits,
    state: ConnectionState,
    started: f64,
    last_received: f64,
    client_id: Option<u64>,
    counters: ByteCounters,
    buffer: Vec<u8>,
    /// The reason to report from the next poll, when the connection ended between polls.
    ended: Option<DisconnectReason>,
}

impl Connector {
    /// Starts the handshake on `conn`: queues and flushes `Hello` with `token` (signed connect
    /// token bytes), at monotonic time `now`, with the default [`Limits`].
    pub fn new(
        conn: Box<dyn Connection>,
        protocol: u32,
        game: u64,
        token: &[u8],
        now: f64,
    ) -> Self {
        Self::with_limits(conn, protocol, game, token, now, Limits::default())
    }

    /// [`new`](Self::new) with the limits this client enforces on the server's messages (size,
    /// handshake and idle timeouts, messages read per poll) and on its own inputs.
    pub fn with_limits(
        conn: Box<dyn Connection>,
        protocol: u32,
        game: u64,
        token: &[u8],
        now: f64,
        limits: Limits,
    ) -> Self {
        let mut connector = Connector {
            conn,
            limits,
            state: ConnectionState::Connecting,
            started: now,
            last_received: now,
            client_id: None,
            counters: ByteCounters::default(),
            buffer: Vec::new(),
            ended: None,
        };
        let hello = ClientMessage::Hello {
            protocol,
            game,
            token: token.to_vec(),
        };
        connector.buffer.clear();
        hello.encode(&mut connector.buffer);
        let sent = connector.send_buffer(Delivery::Reliable);
        if let Err(error) = sent.and_then(|()| connector.flush()) {
            connector.end(DisconnectReason::ConnectionLost {
                detail: error.to_string(),
            });
        }
        connector
    }

    /// Reads the server's messages (at most [`Limits::max_messages_per_poll`]), applies the
    /// timeouts, and appends what happened to `events`.
    pub fn poll(&mut self, now: f64, events: &mut Vec<ClientEvent>) {
        if let Some(reason) = self.ended.take() {
            events.push(ClientEvent::Disconnected { reason });
            return;
        }
        if self.state == ConnectionState::Disconnected {
            return;
        }
        if let Err((reason, notify)) = self.read(now, events) {
            self.close(reason.clone(), notify);
            events.push(ClientEvent::Disconnected { reason });
            return;
        }
        let (since, limit, reason) = match self.state {
            ConnectionState::Connecting => (
                self.started,
                self.limits.handshake_timeout,
                DisconnectReason::HandshakeTimeout,
            ),
            _ => (
                self.last_received,
                self.limits.idle_timeout,
                DisconnectReason::IdleTimeout,
            ),
        };
        if now - since >= limit.as_secs_f64() {
            self.close(reason.clone(), true);
            events.push(ClientEvent::Disconnected { reason });
        }
    }

    /// Reads this poll's messages; the error is the reason to end and whether to tell the
    /// server.
    fn read(
        &mut self,
        now: f64,
        events: &mut Vec<ClientEvent>,
    ) -> Result<(), (DisconnectReason, bool)> {
        // A closed transport may still hold messages (the server's reason): read them first.
        let mut drained = false;
        for _ in 0..self.limits.max_messages_per_poll {
            let bytes = match self.conn.receive() {
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
            self.counters.received(bytes.len());
            self.last_received = now;
            if bytes.len() > self.limits.max_message_bytes {
                let reason = DisconnectReason::MessageTooLarge {
                    size: bytes.len() as u64,
                    max: self.limits.max_message_bytes as u64,
                };
                return Err((reason, true));
            }
            let message = ServerMessage::decode(&bytes, &self.limits).map_err(|error| {
                tracing::debug!("malformed server message: {error}");
                (DisconnectReason::MalformedMessage, true)
            })?;
            let connected = self.state == ConnectionState::Connected;
            match message {
                ServerMessage::Welcome {
                    client_id,
                    tick,
                    tick_rate,
                    resumed,
                } if !connected => {
                    self.state = ConnectionState::Connected;
                    self.client_id = Some(client_id);
                    events.push(ClientEvent::Connected {
                        client_id,
                        tick,
                        tick_rate,
                        resumed,
                    });
                }
                ServerMessage::Reject { reason } | ServerMessage::Disconnect { reason } => {
                    return Err((reason, false));
                }
                ServerMessage::Snapshot {
                    tick,
                    baseline,
                    input_ack,
                    payload,
                } if connected => events.push(ClientEvent::Snapshot {
                    tick,
                    baseline,
                    input_ack,
                    payload,
                }),
                ServerMessage::Pong {
                    client_time,
                    server_tick,
                } if connected => events.push(ClientEvent::Pong {
                    client_time,
                    server_tick,
                }),
                // Unreliable messages may overtake the reliable welcome (a datagram transport
                // or a jittery link reorders them): before it, they are dropped, not an error.
                ServerMessage::Snapshot { .. } | ServerMessage::Pong { .. } if !connected => {}
                _ => return Err((DisconnectReason::UnexpectedMessage, true)),
            }
        }
        if drained && !self.conn.is_open() {
            let detail = "closed by the server".to_owned();
            return Err((DisconnectReason::ConnectionLost { detail }, false));
        }
        Ok(())
    }

    /// Queues an `Input` message: the inputs of ticks `first_tick..`, oldest first, and the
    /// newest snapshot tick received. Checked against the [`Limits`] the server enforces.
    pub fn send_input(
        &mut self,
        ack: Option<u32>,
        first_tick: u32,
        inputs: &[Vec<u8>],
    ) -> Result<(), NetError> {
        self.require_connected()?;
        let max = self.limits.max_inputs_per_message;
        if inputs.len() > max {
            let count = inputs.len() as u64;
            return Err(NetError::InvalidMessage(MessageError::TooManyInputs {
                count,
                max,
            }));
        }
        let max = self.limits.max_input_bytes;
        if let Some((index, input)) = inputs.iter().enumerate().find(|(_, i)| i.len() > max) {
            let size = input.len() as u64;
            return Err(NetError::InvalidMessage(MessageError::InputTooLarge {
                index,
                size,
                max,
            }));
        }
        self.buffer.clear();
        encode_input(ack, first_tick, inputs, &mut self.buffer);
        self.send_buffer(Delivery::Unreliable)
    }

    /// Queues a `Ping` carrying `client_time` (echoed in the `Pong`).
    pub fn ping(&mut self, client_time: f64) -> Result<(), NetError> {
        self.require_connected()?;
        self.buffer.clear();
        ClientMessage::Ping { client_time }.encode(&mut self.buffer);
        self.send_buffer(Delivery::Unreliable)
    }

    /// Writes queued messages as far as the transport takes them now (once per frame).
    pub fn flush(&mut self) -> Result<(), NetError> {
        self.conn.flush().map_err(NetError::Transport)
    }

    /// Leaves: tells the server, closes, and reports [`DisconnectReason::ClientLeft`] from the
    /// next poll. Does nothing once disconnected.
    pub fn disconnect(&mut self) {
        if self.state != ConnectionState::Disconnected {
            self.end(DisconnectReason::ClientLeft);
        }
    }

    /// Where the connection stands.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// This client's id, once welcomed.
    pub fn client_id(&self) -> Option<u64> {
        self.client_id
    }

    /// Bytes and messages sent and received.
    pub fn counters(&self) -> ByteCounters {
        self.counters
    }

    fn require_connected(&self) -> Result<(), NetError> {
        match self.state {
            ConnectionState::Connected => Ok(()),
            _ => Err(NetError::NotConnected),
        }
    }

    fn send_buffer(&mut self, delivery: Delivery) -> Result<(), NetError> {
        self.conn
            .send(&self.buffer, delivery)
            .map_err(NetError::Transport)?;
        self.counters.sent(self.buffer.len());
        Ok(())
    }

    /// Ends between polls; the next poll reports `reason`.
    fn end(&mut self, reason: DisconnectReason) {
        let notify = !matches!(reason, DisconnectReason::ConnectionLost { .. });
        self.close(reason.clone(), notify);
        self.ended = Some(reason);
    }

    /// Tells the server this client leaves when `notify`, and closes.
    fn close(&mut self, reason: DisconnectReason, notify: bool) {
        if notify && self.conn.is_open() {
            self.buffer.clear();
            ClientMessage::Disconnect.encode(&mut self.buffer);
            // Best effort: the connection closes whatever the transport says.
            self.send_buffer(Delivery::Reliable).ok();
            self.conn.flush().ok();
        }
        self.conn.close(&reason.to_string());
        self.state = ConnectionState::Disconnected;
    }
}
