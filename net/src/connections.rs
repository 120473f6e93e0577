//! Connections above the transport: the server's [`ConnectionManager`] (handshake, tokens,
//! limits, timeouts, resume) and the client's [`Connector`].
//!
//! Both are polled once per frame with the time passed in (`now`: monotonic seconds; the server
//! also takes unix seconds for token expiry), and never block, sleep or read a clock.

use std::fmt;

use crate::message::MessageError;
use crate::transport::TransportError;

mod client;
mod server;

pub use client::{ClientEvent, ConnectionState, Connector};
pub use server::{ConnectionManager, ServerConfig, ServerEvent};

/// A connected client's identity: the `client_id` of its connect token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(pub u64);

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client {}", self.0)
    }
}

/// Bytes and messages through one connection, after the transport's framing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ByteCounters {
    /// Bytes received.
    pub bytes_in: u64,
    /// Bytes sent.
    pub bytes_out: u64,
    /// Messages received.
    pub messages_in: u64,
    /// Messages sent.
    pub messages_out: u64,
}

impl ByteCounters {
    fn received(&mut self, size: usize) {
        self.bytes_in += size as u64;
        self.messages_in += 1;
    }

    fn sent(&mut self, size: usize) {
        self.bytes_out += size as u64;
        self.messages_out += 1;
    }
}

/// Why sending through a connection failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetError {
    /// No such client is connected (never was, or was dropped).
    UnknownClient(ClientId),
    /// The client has no connection to the server yet, or no longer.
    NotConnected,
    /// The message breaks the [`Limits`](crate::limits::Limits) its receiver enforces.
    InvalidMessage(MessageError),
    /// The transport failed; the connection is reported as lost by the next poll.
    Transport(TransportError),
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::UnknownClient(client) => write!(f, "{client} is not connected"),
            NetError::NotConnected => f.write_str("not connected"),
            NetError::InvalidMessage(error) => write!(f, "message refused: {error}"),
            NetError::Transport(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for NetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NetError::InvalidMessage(error) => Some(error),
            NetError::Transport(error) => Some(error),
            _ => None,
        }
    }
}
