//! The wire messages: [`ClientMessage`] (client to server) and [`ServerMessage`] (server to
//! client), one per transport message.
//!
//! Format: a kind byte (client kinds `0x01..`, server kinds `0x81..`, so a message sent the wrong
//! way is an error, not a misreading), then the fields: fixed integers and `f64` little-endian,
//! lengths and counts as LEB128 varints, an `Option<u32>` as a byte 0/1 and the value when 1.
//! A snapshot's payload is the rest of the message. Decoding checks every length against the
//! bytes left and against [`Limits`] before allocating, and trailing bytes are an error.

use std::fmt;

use crate::limits::Limits;

mod reason;
mod wire;

pub use reason::{DisconnectReason, MAX_REASON_TEXT_BYTES, RejectReason};
use wire::{Reader, put_opt_u32, put_varint};

/// The largest token a `Hello` may carry, in bytes (today's tokens are
/// [`SIGNED_TOKEN_BYTES`](crate::token::SIGNED_TOKEN_BYTES); room for later formats).
pub const MAX_TOKEN_BYTES: usize = 256;

const HELLO: u8 = 0x01;
const INPUT: u8 = 0x02;
const PING: u8 = 0x03;
const CLIENT_DISCONNECT: u8 = 0x04;
const WELCOME: u8 = 0x81;
const REJECT: u8 = 0x82;
const SNAPSHOT: u8 = 0x83;
const PONG: u8 = 0x84;
const SERVER_DISCONNECT: u8 = 0x85;

/// A message from a client to the server.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientMessage {
    /// The first message of every connection.
    Hello {
        /// The protocol version the client speaks.
        protocol: u32,
        /// The game it wants to join.
        game: u64,
        /// Its signed connect token.
        token: Vec<u8>,
    },
    /// The client's inputs of consecutive ticks, and its snapshot acknowledgement.
    Input {
        /// The newest snapshot tick the client received, if any.
        ack: Option<u32>,
        /// The tick of `inputs[0]`.
        first_tick: u32,
        /// One encoded input per tick, oldest first, at most
        /// [`Limits::max_inputs_per_message`], each at most [`Limits::max_input_bytes`].
        inputs: Vec<Vec<u8>>,
    },
    /// Asks for a `Pong` (clock synchronisation, round-trip time).
    Ping {
        /// The client's clock, echoed back.
        client_time: f64,
    },
    /// The client leaves.
    Disconnect,
}

/// A message from the server to a client.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerMessage {
    /// The handshake succeeded.
    Welcome {
        /// The client's id (from its token).
        client_id: u64,
        /// The server's current tick.
        tick: u32,
        /// Ticks per second.
        tick_rate: u16,
        /// True when this client disconnected recently and its slot was kept.
        resumed: bool,
    },
    /// The handshake failed; the server closes the connection.
    Reject {
        /// Why.
        reason: RejectReason,
    },
    /// The world's state at a tick, as the replication layer encoded it.
    Snapshot {
        /// The tick this snapshot shows.
        tick: u32,
        /// The acknowledged snapshot tick this one is delta-encoded against, if any.
        baseline: Option<u32>,
        /// The newest input tick of this client the server applied, if any.
        input_ack: Option<u32>,
        /// The encoded entities: the rest of the message.
        payload: Vec<u8>,
    },
    /// The answer to a `Ping`.
    Pong {
        /// The `Ping`'s client time.
        client_time: f64,
        /// The server's tick when it answered.
        server_tick: u32,
    },
    /// The server drops the client; it closes the connection.
    Disconnect {
        /// Why.
        reason: DisconnectReason,
    },
}

impl ClientMessage {
    /// Appends the encoded message to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ClientMessage::Hello {
                protocol,
                game,
                token,
            } => {
                out.push(HELLO);
                out.extend_from_slice(&protocol.to_le_bytes());
                out.extend_from_slice(&game.to_le_bytes());
                put_varint(out, token.len() as u64);
                out.extend_from_slice(token);
            }
            ClientMessage::Input {
                ack,
                first_tick,
                inputs,
            } => encode_input(*ack, *first_tick, inputs, out),
            ClientMessage::Ping { client_time } => {
                out.push(PING);
                out.extend_from_slice(&client_time.to_le_bytes());
            }
            ClientMessage::Disconnect => out.push(CLIENT_DISCONNECT),
        }
    }

    /// Decodes one whole message, checked against `limits`.
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Self, MessageError> {
        let mut r = open(bytes, limits)?;
        let message = match r.u8()? {
            HELLO => {
                let protocol = r.u32()?;
                let game = r.u64()?;
                let size = r.varint()?;
                if size > MAX_TOKEN_BYTES as u64 {
                    return Err(MessageError::TokenTooLarge {
                        size,
                        max: MAX_TOKEN_BYTES,
                    });
                }
                let token = r.bytes(size)?.to_vec();
                ClientMessage::Hello {
                    protocol,
                    game,
                    token,
                }
            }
            INPUT => {
                let ack = r.opt_u32("ack")?;
                let first_tick = r.u32()?;
                let count = r.varint()?;
                let max = limits.max_inputs_per_message;
                if count > max as u64 {
                    return Err(MessageError::TooManyInputs { count, max });
                }
                // Every input takes at least its length byte: the count is bounded by the bytes
                // left before anything is allocated.
                r.need(count)?;
                let mut inputs = Vec::with_capacity(count as usize);
                for index in 0..count as usize {
                    let size = r.varint()?;
                    let max = limits.max_input_bytes;
                    if size > max as u64 {
                        return Err(MessageError::InputTooLarge { index, size, max });
                    }
                    inputs.push(r.bytes(size)?.to_vec());
                }
                ClientMessage::Input {
                    ack,
                    first_tick,
                    inputs,
                }
            }
            PING => ClientMessage::Ping {
                client_time: r.f64()?,
            },
            CLIENT_DISCONNECT => ClientMessage::Disconnect,
            kind => return Err(MessageError::UnknownKind { kind }),
        };
        r.finish()?;
        Ok(message)
    }
}

/// Appends an `Input` message built from borrowed inputs (what [`ClientMessage::encode`] writes
/// for [`ClientMessage::Input`]), so the client need not copy its inputs into a message.
pub fn encode_input(ack: Option<u32>, first_tick: u32, inputs: &[Vec<u8>], out: &mut Vec<u8>) {
    out.push(INPUT);
    put_opt_u32(out, ack);
    out.extend_from_slice(&first_tick.to_le_bytes());
    put_varint(out, inputs.len() as u64);
    for input in inputs {
        put_varint(out, input.len() as u64);
        out.extend_from_slice(input);
    }
}

impl ServerMessage {
    /// Appends the encoded message to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ServerMessage::Welcome {
                client_id,
                tick,
                tick_rate,
                resumed,
            } => {
                out.push(WELCOME);
                out.extend_from_slice(&client_id.to_le_bytes());
                out.extend_from_slice(&tick.to_le_bytes());
                out.extend_from_slice(&tick_rate.to_le_bytes());
                out.push(u8::from(*resumed));
            }
            ServerMessage::Reject { reason } => {
                out.push(REJECT);
                reason.encode(out);
            }
            ServerMessage::Snapshot {
                tick,
                baseline,
                input_ack,
                payload,
            } => {
                Self::encode_snapshot_header(*tick, *baseline, *input_ack, out);
                out.extend_from_slice(payload);
            }
            ServerMessage::Pong {
                client_time,
                server_tick,
            } => {
                out.push(PONG);
                out.extend_from_slice(&client_time.to_le_bytes());
                out.extend_from_slice(&server_tick.to_le_bytes());
            }
            ServerMessage::Disconnect { reason } => {
                out.push(SERVER_DISCONNECT);
                reason.encode(out);
            }
        }
    }

    /// Appends a `Snapshot`'s header; the payload bytes appended after it complete the message,
    /// so the replication layer can encode its payload straight into the send buffer.
    pub fn encode_snapshot_header(
        tick: u32,
        baseline: Option<u32>,
        input_ack: Option<u32>,
        out: &mut Vec<u8>,
    ) {
        out.push(SNAPSHOT);
        out.extend_from_slice(&tick.to_le_bytes());
        put_opt_u32(out, baseline);
        put_opt_u32(out, input_ack);
    }

    /// Decodes one whole message, checked against `limits`.
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Self, MessageError> {
        let mut r = open(bytes, limits)?;
        let message = match r.u8()? {
            WELCOME => ServerMessage::Welcome {
                client_id: r.u64()?,
                tick: r.u32()?,
                tick_rate: r.u16()?,
                resumed: r.bool("resumed")?,
            },
            REJECT => ServerMessage::Reject {
                reason: DisconnectReason::decode(&mut r)?,
            },
            SNAPSHOT => ServerMessage::Snapshot {
                tick: r.u32()?,
                baseline: r.opt_u32("baseline")?,
                input_ack: r.opt_u32("input_ack")?,
                payload: r.rest().to_vec(),
            },
            PONG => ServerMessage::Pong {
                client_time: r.f64()?,
                server_tick: r.u32()?,
            },
            SERVER_DISCONNECT => ServerMessage::Disconnect {
                reason: DisconnectReason::decode(&mut r)?,
            },
            kind => return Err(MessageError::UnknownKind { kind }),
        };
        r.finish()?;
        Ok(message)
    }
}

fn open<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Reader<'a>, MessageError> {
    if bytes.is_empty() {
        return Err(MessageError::Empty);
    }
    if bytes.len() > limits.max_message_bytes {
        return Err(MessageError::TooLarge {
            size: bytes.len(),
            max: limits.max_message_bytes,
        });
    }
    Ok(Reader::new(bytes))
}

/// Why a message could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageError {
    /// A message of no bytes.
    Empty,
    /// The kind byte names no message of this direction.
    UnknownKind {
        /// The byte.
        kind: u8,
    },
    /// The message is larger than [`Limits::max_message_bytes`].
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A field runs past the end of the message.
    Truncated {
        /// Where the field starts.
        offset: usize,
        /// Bytes it needs.
        needed: u64,
        /// Bytes left.
        remaining: usize,
    },
    /// A varint longer than 10 bytes or larger than 64 bits.
    BadVarint {
        /// Where it starts.
        offset: usize,
    },
    /// An `Input` carries more inputs than [`Limits::max_inputs_per_message`].
    TooManyInputs {
        /// The count announced.
        count: u64,
        /// The limit.
        max: usize,
    },
    /// One input is larger than [`Limits::max_input_bytes`].
    InputTooLarge {
        /// Which input.
        index: usize,
        /// Its announced size.
        size: u64,
        /// The limit.
        max: usize,
    },
    /// A `Hello`'s token is larger than [`MAX_TOKEN_BYTES`].
    TokenTooLarge {
        /// Its announced size.
        size: u64,
        /// The limit.
        max: usize,
    },
    /// A reason's text is longer than [`MAX_REASON_TEXT_BYTES`].
    TextTooLong {
        /// Its announced size.
        size: u64,
        /// The limit.
        max: usize,
    },
    /// A reason's text is not UTF-8.
    InvalidUtf8 {
        /// Where the text starts.
        offset: usize,
    },
    /// A field holds a value outside its range (a flag that is not 0 or 1, an unknown reason).
    InvalidValue {
        /// The field.
        field: &'static str,
        /// The value found.
        value: u64,
    },
    /// Bytes left over after the message's last field.
    TrailingBytes {
        /// How many.
        count: usize,
    },
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::Empty => f.write_str("empty message"),
            MessageError::UnknownKind { kind } => write!(f, "unknown message kind {kind:#04x}"),
            MessageError::TooLarge { size, max } => {
                write!(
                    f,
                    "message of {size} bytes exceeds the limit of {max} bytes"
                )
            }
            MessageError::Truncated {
                offset,
                needed,
                remaining,
            } => write!(
                f,
                "field at byte {offset} needs {needed} bytes, {remaining} remain"
            ),
            MessageError::BadVarint { offset } => write!(f, "bad varint at byte {offset}"),
            MessageError::TooManyInputs { count, max } => {
                write!(f, "{count} inputs in one message, at most {max} allowed")
            }
            MessageError::InputTooLarge { index, size, max } => {
                write!(
                    f,
                    "input {index} of {size} bytes exceeds the limit of {max} bytes"
                )
            }
            MessageError::TokenTooLarge { size, max } => {
                write!(f, "token of {size} bytes exceeds the limit of {max} bytes")
            }
            MessageError::TextTooLong { size, max } => {
                write!(f, "text of {size} bytes exceeds the limit of {max} bytes")
            }
            MessageError::InvalidUtf8 { offset } => write!(f, "text at byte {offset} is not UTF-8"),
            MessageError::InvalidValue { field, value } => {
                write!(f, "invalid value {value} for {field}")
            }
            MessageError::TrailingBytes { count } => {
                write!(f, "{count} bytes left over after the message")
            }
        }
    }
}

impl std::error::Error for MessageError {}

#[cfg(test)]
mod tests;
