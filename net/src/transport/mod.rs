//! Message transports: a connection carries whole binary messages in both directions.
//!
//! Everything here is non-blocking: the server and the clients poll their connections once per
//! frame from their systems, so one slow peer never stalls the others.

use std::fmt;

/// How a message must be delivered.
///
/// A WebSocket delivers everything reliably and in order; the [`Delivery::Unreliable`] messages
/// (snapshots, inputs) are the ones the protocol is built to lose, so a datagram transport could
/// carry them unchanged, and the link conditioner may drop them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Must arrive, in order (handshake, disconnect reasons, game events).
    Reliable,
    /// May be lost (snapshots, inputs).
    Unreliable,
}

/// Why a transport operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection is closed (by either side); `reason` says why where it is known.
    Closed {
        /// Why, where known.
        reason: String,
    },
    /// A message is larger than the transport accepts, checked before allocating it.
    MessageTooLarge {
        /// The size announced or queued, in bytes.
        size: usize,
        /// The limit, in bytes.
        maximum: usize,
    },
    /// The peer broke the transport's framing (not a WebSocket, bad frame, text where binary
    /// was expected).
    Protocol(String),
    /// An I/O error from the operating system or the browser.
    Io(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Closed { reason } => write!(f, "connection closed: {reason}"),
            TransportError::MessageTooLarge { size, maximum } => {
                write!(f, "message of {size} bytes exceeds the limit of {maximum} bytes")
            }
            TransportError::Protocol(why) => write!(f, "transport protocol error: {why}"),
            TransportError::Io(why) => write!(f, "transport I/O error: {why}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// One connection carrying whole binary messages both ways.
pub trait Connection: Send {
    /// Queues one whole message. Never blocks.
    fn send(&mut self, message: &[u8], delivery: Delivery) -> Result<(), TransportError>;
    /// The next whole received message, if one has arrived. Never blocks.
    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError>;
    /// Writes queued messages as far as the transport takes them now (call once per frame).
    fn flush(&mut self) -> Result<(), TransportError>;
    /// Closes the connection, telling the peer `reason` where the transport can.
    fn close(&mut self, reason: &str);
    /// False once closed by either side or failed.
    fn is_open(&self) -> bool;
    /// The peer's address or a label, for logs.
    fn peer(&self) -> &str;
}

impl Connection for Box<dyn Connection> {
    fn send(&mut self, message: &[u8], delivery: Delivery) -> Result<(), TransportError> {
        (**self).send(message, delivery)
    }
    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        (**self).receive()
    }
    fn flush(&mut self) -> Result<(), TransportError> {
        (**self).flush()
    }
    fn close(&mut self, reason: &str) {
        (**self).close(reason)
    }
    fn is_open(&self) -> bool {
        (**self).is_open()
    }
    fn peer(&self) -> &str {
        (**self).peer()
    }
}

/// Accepts new connections on the server.
pub trait Listener: Send {
    /// The next connection whose transport-level handshake finished, if any. Never blocks.
    fn accept(&mut self) -> Result<Option<Box<dyn Connection>>, TransportError>;
}
