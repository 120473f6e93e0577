//! Why a connection was refused or dropped, on the wire and in events.

use std::fmt;

use super::MessageError;
use super::wire::{Reader, put_varint};
use crate::token::TokenError;

/// The longest text a reason carries on the wire, in bytes; longer text is cut on encoding.
pub const MAX_REASON_TEXT_BYTES: usize = 200;

/// Why a handshake was refused: the same reasons as a disconnection, so a client reports both
/// alike.
pub type RejectReason = DisconnectReason;

/// Why a connection ended: sent by the server in `Reject` and `Disconnect`, and reported by both
/// sides' `Disconnected` events.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// Every client slot is taken ([`Limits::max_clients`](crate::limits::Limits)).
    ServerFull,
    /// Too many connections are waiting for their handshake
    /// ([`Limits::max_pending`](crate::limits::Limits)).
    ServerBusy,
    /// The connect token was refused.
    BadToken(TokenError),
    /// The `Hello` names another protocol version.
    WrongVersion {
        /// The server's.
        expected: u32,
        /// The client's.
        found: u32,
    },
    /// The `Hello` names another game.
    WrongGame {
        /// The server's.
        expected: u64,
        /// The client's.
        found: u64,
    },
    /// No valid `Hello` (on the server) or `Welcome` (on the client) in time.
    HandshakeTimeout,
    /// Nothing received for too long.
    IdleTimeout,
    /// A message was larger than allowed.
    MessageTooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Too many messages per second.
    MessageRateExceeded,
    /// Too many bytes per second.
    ByteRateExceeded,
    /// A message could not be decoded.
    MalformedMessage,
    /// A message that is not allowed at this point (a second `Hello`, an `Input` before it).
    UnexpectedMessage,
    /// The token's client is already connected.
    TokenInUse,
    /// The server is shutting down.
    ServerShutdown,
    /// The game removed the client.
    Kicked,
    /// The client said it leaves.
    ClientLeft,
    /// The transport closed or failed.
    ConnectionLost {
        /// What the transport said.
        detail: String,
    },
}

const SERVER_FULL: u8 = 1;
const SERVER_BUSY: u8 = 2;
const BAD_TOKEN: u8 = 3;
const WRONG_VERSION: u8 = 4;
const WRONG_GAME: u8 = 5;
const HANDSHAKE_TIMEOUT: u8 = 6;
const IDLE_TIMEOUT: u8 = 7;
const MESSAGE_TOO_LARGE: u8 = 8;
const MESSAGE_RATE: u8 = 9;
const BYTE_RATE: u8 = 10;
const MALFORMED: u8 = 11;
const UNEXPECTED: u8 = 12;
const TOKEN_IN_USE: u8 = 13;
const SHUTDOWN: u8 = 14;
const KICKED: u8 = 15;
const CLIENT_LEFT: u8 = 16;
const CONNECTION_LOST: u8 = 17;

const TOKEN_MALFORMED: u8 = 1;
const TOKEN_SIGNATURE: u8 = 2;
const TOKEN_EXPIRED: u8 = 3;
const TOKEN_PROTOCOL: u8 = 4;
const TOKEN_GAME: u8 = 5;

impl DisconnectReason {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            DisconnectReason::ServerFull => out.push(SERVER_FULL),
            DisconnectReason::ServerBusy => out.push(SERVER_BUSY),
            DisconnectReason::BadToken(error) => {
                out.push(BAD_TOKEN);
                encode_token_error(error, out);
            }
            DisconnectReason::WrongVersion { expected, found } => {
                out.push(WRONG_VERSION);
                out.extend_from_slice(&expected.to_le_bytes());
                out.extend_from_slice(&found.to_le_bytes());
            }
            DisconnectReason::WrongGame { expected, found } => {
                out.push(WRONG_GAME);
                out.extend_from_slice(&expected.to_le_bytes());
                out.extend_from_slice(&found.to_le_bytes());
            }
            DisconnectReason::HandshakeTimeout => out.push(HANDSHAKE_TIMEOUT),
            DisconnectReason::IdleTimeout => out.push(IDLE_TIMEOUT),
            DisconnectReason::MessageTooLarge { size, max } => {
                out.push(MESSAGE_TOO_LARGE);
                put_varint(out, *size);
                put_varint(out, *max);
            }
            DisconnectReason::MessageRateExceeded => out.push(MESSAGE_RATE),
            DisconnectReason::ByteRateExceeded => out.push(BYTE_RATE),
            DisconnectReason::MalformedMessage => out.push(MALFORMED),
            DisconnectReason::UnexpectedMessage => out.push(UNEXPECTED),
            DisconnectReason::TokenInUse => out.push(TOKEN_IN_USE),
            DisconnectReason::ServerShutdown => out.push(SHUTDOWN),
            DisconnectReason::Kicked => out.push(KICKED),
            DisconnectReason::ClientLeft => out.push(CLIENT_LEFT),
            DisconnectReason::ConnectionLost { detail } => {
                out.push(CONNECTION_LOST);
                let text = cut(detail, MAX_REASON_TEXT_BYTES);
                put_varint(out, text.len() as u64);
                out.extend_from_slice(text.as_bytes());
            }
        }
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, MessageError> {
        Ok(match r.u8()? {
            SERVER_FULL => DisconnectReason::ServerFull,
            SERVER_BUSY => DisconnectReason::ServerBusy,
            BAD_TOKEN => DisconnectReason::BadToken(decode_token_error(r)?),
            WRONG_VERSION => DisconnectReason::WrongVersion {
                expected: r.u32()?,
                found: r.u32()?,
            },
            WRONG_GAME => DisconnectReason::WrongGame {
                expected: r.u64()?,
                found: r.u64()?,
            },
            HANDSHAKE_TIMEOUT => DisconnectReason::HandshakeTimeout,
            IDLE_TIMEOUT => DisconnectReason::IdleTimeout,
            MESSAGE_TOO_LARGE => DisconnectReason::MessageTooLarge {
                size: r.varint()?,
                max: r.varint()?,
            },
            MESSAGE_RATE => DisconnectReason::MessageRateExceeded,
            BYTE_RATE => DisconnectReason::ByteRateExceeded,
            MALFORMED => DisconnectReason::MalformedMessage,
            UNEXPECTED => DisconnectReason::UnexpectedMessage,
            TOKEN_IN_USE => DisconnectReason::TokenInUse,
            SHUTDOWN => DisconnectReason::ServerShutdown,
            KICKED => DisconnectReason::Kicked,
            CLIENT_LEFT => DisconnectReason::ClientLeft,
            CONNECTION_LOST => DisconnectReason::ConnectionLost {
                detail: r.text(MAX_REASON_TEXT_BYTES)?,
            },
            value => {
                return Err(MessageError::InvalidValue {
                    field: "reason",
                    value: value.into(),
                });
            }
        })
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn encode_token_error(error: &TokenError, out: &mut Vec<u8>) {
    match *error {
        TokenError::Malformed { size, expected } => {
            out.push(TOKEN_MALFORMED);
            put_varint(out, size as u64);
            put_varint(out, expected as u64);
        }
        TokenError::BadSignature => out.push(TOKEN_SIGNATURE),
        TokenError::Expired { expired_at, now } => {
            out.push(TOKEN_EXPIRED);
            out.extend_from_slice(&expired_at.to_le_bytes());
            out.extend_from_slice(&now.to_le_bytes());
        }
        TokenError::WrongProtocol { expected, found } => {
            out.push(TOKEN_PROTOCOL);
            out.extend_from_slice(&expected.to_le_bytes());
            out.extend_from_slice(&found.to_le_bytes());
        }
        TokenError::WrongGame { expected, found } => {
            out.push(TOKEN_GAME);
            out.extend_from_slice(&expected.to_le_bytes());
            out.extend_from_slice(&found.to_le_bytes());
        }
    }
}

fn decode_token_error(r: &mut Reader<'_>) -> Result<TokenError, MessageError> {
    let size = |r: &mut Reader<'_>| {
        let value = r.varint()?;
        usize::try_from(value).map_err(|_| MessageError::InvalidValue {
            field: "token size",
            value,
        })
    };
    Ok(match r.u8()? {
        TOKEN_MALFORMED => TokenError::Malformed {
            size: size(r)?,
            expected: size(r)?,
        },
        TOKEN_SIGNATURE => TokenError::BadSignature,
        TOKEN_EXPIRED => TokenError::Expired {
            expired_at: r.u64()?,
            now: r.u64()?,
        },
        TOKEN_PROTOCOL => TokenError::WrongProtocol {
            expected: r.u32()?,
            found: r.u32()?,
        },
        TOKEN_GAME => TokenError::WrongGame {
            expected: r.u64()?,
            found: r.u64()?,
        },
        value => {
            return Err(MessageError::InvalidValue {
                field: "token error",
                value: value.into(),
            });
        }
    })
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisconnectReason::ServerFull => f.write_str("the server is full"),
            DisconnectReason::ServerBusy => f.write_str("the server is busy, try again"),
            DisconnectReason::BadToken(error) => write!(f, "connect token refused: {error}"),
            DisconnectReason::WrongVersion { expected, found } => write!(
                f,
                "protocol version {found}, the server speaks version {expected}"
            ),
            DisconnectReason::WrongGame { expected, found } => {
                write!(f, "game {found:#x}, the server runs game {expected:#x}")
            }
            DisconnectReason::HandshakeTimeout => f.write_str("handshake timed out"),
            DisconnectReason::IdleTimeout => f.write_str("nothing received for too long"),
            DisconnectReason::MessageTooLarge { size, max } => {
                write!(
                    f,
                    "message of {size} bytes exceeds the limit of {max} bytes"
                )
            }
            DisconnectReason::MessageRateExceeded => f.write_str("too many messages per second"),
            DisconnectReason::ByteRateExceeded => f.write_str("too many bytes per second"),
            DisconnectReason::MalformedMessage => f.write_str("malformed message"),
            DisconnectReason::UnexpectedMessage => f.write_str("unexpected message"),
            DisconnectReason::TokenInUse => f.write_str("this client is already connected"),
            DisconnectReason::ServerShutdown => f.write_str("the server is shutting down"),
            DisconnectReason::Kicked => f.write_str("kicked"),
            DisconnectReason::ClientLeft => f.write_str("the client left"),
            DisconnectReason::ConnectionLost { detail } => write!(f, "connection lost: {detail}"),
        }
    }
}
