//! In-memory transport: two connection ends linked by queues, for tests and for a server and
//! its clients in one process.
//!
//! Deterministic and single-threaded in spirit: a message sent is receivable at once on the
//! other end, nothing is ever lost or reordered, and no thread is started. The ends are `Send`
//! (the queues sit behind a mutex) so they can move to wherever the server runs.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Connection, Delivery, Listener, TransportError};

/// The default of [`MemoryConnection::max_message_bytes`]: 1 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 1 << 20;

/// The queues between two ends; side 0 and side 1 each read `queues[side]`.
#[derive(Debug, Default)]
struct Pipe {
    queues: [VecDeque<Vec<u8>>; 2],
    /// Set by the first end to close (or be dropped), with its reason.
    closed: Option<String>,
}

/// Locks a pipe; a poisoned lock (a panic elsewhere mid-operation) still holds valid queues.
fn lock(pipe: &Mutex<Pipe>) -> MutexGuard<'_, Pipe> {
    pipe.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One end of an in-memory connection.
///
/// Closing either end closes both: the other end's [`Connection::is_open`] turns false at once,
/// the messages sent before the close can still be received, and after them
/// [`Connection::receive`] returns [`TransportError::Closed`] with the closer's reason.
/// Dropping an end closes it with the reason `"dropped"`.
#[derive(Debug)]
pub struct MemoryConnection {
    pipe: Arc<Mutex<Pipe>>,
    /// This end reads `queues[side]` and writes `queues[1 - side]`.
    side: usize,
    peer: String,
    max_message_bytes: usize,
}

impl MemoryConnection {
    /// The largest message [`Connection::send`] accepts, in bytes.
    pub fn max_message_bytes(&self) -> usize {
        self.max_message_bytes
    }

    /// Sets the largest message [`Connection::send`] accepts (larger ones give
    /// [`TransportError::MessageTooLarge`]).
    pub fn set_max_message_bytes(&mut self, bytes: usize) {
        self.max_message_bytes = bytes;
    }

    /// The number of messages sent to this end and not received yet.
    pub fn pending(&self) -> usize {
        lock(&self.pipe).queues[self.side].len()
    }
}

/// Two directly linked ends, labelled `"memory:a"` and `"memory:b"` (each end's
/// [`Connection::peer`] names the other).
pub fn pair() -> (MemoryConnection, MemoryConnection) {
    pair_labelled("memory:a", "memory:b", DEFAULT_MAX_MESSAGE_BYTES)
}

/// Two directly linked ends named `a` and `b`, both sending at most `max_message_bytes`.
pub fn pair_labelled(
    a: &str,
    b: &str,
    max_message_bytes: usize,
) -> (MemoryConnection, MemoryConnection) {
    let pipe = Arc::new(Mutex::new(Pipe::default()));
    let end_a = MemoryConnection {
        pipe: Arc::clone(&pipe),
        side: 0,
        peer: b.to_owned(),
        max_message_bytes,
    };
    let end_b = MemoryConnection {
        pipe,
        side: 1,
        peer: a.to_owned(),
        max_message_bytes,
    };
    (end_a, end_b)
}

impl Connection for MemoryConnection {
    fn send(&mut self, message: &[u8], _delivery: Delivery) -> Result<(), TransportError> {
        if message.len() > self.max_message_bytes {
            return Err(TransportError::MessageTooLarge {
                size: message.len(),
                maximum: self.max_message_bytes,
            });
        }
        let mut pipe = lock(&self.pipe);
        if let Some(reason) = &pipe.closed {
            return Err(TransportError::Closed {
                reason: reason.clone(),
            });
        }
        pipe.queues[1 - self.side].push_back(message.to_vec());
        Ok(())
    }

    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        let mut pipe = lock(&self.pipe);
        if let Some(message) = pipe.queues[self.side].pop_front() {
            return Ok(Some(message));
        }
        match &pipe.closed {
            Some(reason) => Err(TransportError::Closed {
                reason: reason.clone(),
            }),
            None => Ok(None),
        }
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        match &lock(&self.pipe).closed {
            Some(reason) => Err(TransportError::Closed {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    fn close(&mut self, reason: &str) {
        let mut pipe = lock(&self.pipe);
        if pipe.closed.is_none() {
            pipe.closed = Some(reason.to_owned());
        }
        // Nothing more is read from this end.
        pipe.queues[self.side].clear();
    }

    fn is_open(&self) -> bool {
        lock(&self.pipe).closed.is_none()
    }

    fn peer(&self) -> &str {
        &self.peer
    }
}

impl Drop for MemoryConnection {
    fn drop(&mut self) {
        self.close("dropped");
    }
}

#[derive(Debug, Default)]
struct HubState {
    /// Server ends of connections made by [`MemoryHub::connect`], not accepted yet.
    pending: VecDeque<MemoryConnection>,
    max_message_bytes: Option<usize>,
}

/// An in-memory "server address": clients [`MemoryHub::connect`] to it and the server takes
/// their connections from a [`MemoryListener`]. Clones share the hub.
#[derive(Clone, Debug, Default)]
pub struct MemoryHub {
    state: Arc<Mutex<HubState>>,
}

impl MemoryHub {
    /// A hub with no connections, whose ends send at most [`DEFAULT_MAX_MESSAGE_BYTES`].
    pub fn new() -> Self {
        MemoryHub::default()
    }

    /// A hub whose connection ends (both sides) send at most `bytes` per message.
    pub fn with_max_message_bytes(bytes: usize) -> Self {
        let hub = MemoryHub::new();
        hub.lock().max_message_bytes = Some(bytes);
        hub
    }

    fn lock(&self) -> MutexGuard<'_, HubState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A listener taking the connections made to this hub (several listeners share them).
    pub fn listener(&self) -> MemoryListener {
        MemoryListener { hub: self.clone() }
    }

    /// Connects a client named `label`: returns the client's end; the server's end (whose
    /// [`Connection::peer`] is `label`) waits for [`Listener::accept`].
    pub fn connect(&self, label: &str) -> MemoryConnection {
        let mut state = self.lock();
        let limit = state.max_message_bytes.unwrap_or(DEFAULT_MAX_MESSAGE_BYTES);
        let (client, server) = pair_labelled(label, "memory:server", limit);
        state.pending.push_back(server);
        client
    }

    /// The number of connections made and not accepted yet.
    pub fn pending(&self) -> usize {
        self.lock().pending.len()
    }
}

/// The server side of a [`MemoryHub`].
#[derive(Clone, Debug)]
pub struct MemoryListener {
    hub: MemoryHub,
}

impl Listener for MemoryListener {
    fn accept(&mut self) -> Result<Option<Box<dyn Connection>>, TransportError> {
        Ok(self
            .hub
            .lock()
            .pending
            .pop_front()
            .map(|connection| Box::new(connection) as Box<dyn Connection>))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_round_trips_in_order_both_ways() {
        let (mut a, mut b) = pair();
        assert_eq!(a.peer(), "memory:b");
        assert_eq!(b.peer(), "memory:a");
        for i in 0..100u8 {
            a.send(&[i, 1], Delivery::Reliable).unwrap();
            b.send(&[i, 2], Delivery::Unreliable).unwrap();
        }
        assert_eq!(b.pending(), 100);
        for i in 0..100u8 {
            assert_eq!(b.receive().unwrap(), Some(vec![i, 1]));
            assert_eq!(a.receive().unwrap(), Some(vec![i, 2]));
        }
        assert_eq!(a.receive().unwrap(), None);
        assert_eq!(b.receive().unwrap(), None);
        a.flush().unwrap();
    }

    #[test]
    fn close_reaches_the_peer_after_earlier_messages() {
        let (mut a, mut b) = pair();
        a.send(b"last words", Delivery::Reliable).unwrap();
        a.close("server shutting down");
        assert!(!a.is_open());
        assert!(!b.is_open());
        assert_eq!(b.receive().unwrap(), Some(b"last words".to_vec()));
        let closed = TransportError::Closed {
            reason: "server shutting down".into(),
        };
        assert_eq!(b.receive(), Err(closed.clone()));
        assert_eq!(b.send(b"x", Delivery::Reliable), Err(closed.clone()));
        assert_eq!(a.send(b"x", Delivery::Reliable), Err(closed.clone()));
        assert_eq!(b.flush(), Err(closed));
    }

    #[test]
    fn dropping_an_end_closes_the_other() {
        let (a, mut b) = pair();
        drop(a);
        assert!(!b.is_open());
        assert_eq!(
            b.receive(),
            Err(TransportError::Closed {
                reason: "dropped".into()
            })
        );
    }

    #[test]
    fn oversized_send_is_refused_with_the_numbers() {
        let (mut a, mut b) = pair_labelled("a", "b", 16);
        assert_eq!(a.max_message_bytes(), 16);
        a.send(&[0; 16], Delivery::Reliable).unwrap();
        assert_eq!(
            a.send(&[0; 17], Delivery::Reliable),
            Err(TransportError::MessageTooLarge {
                size: 17,
                maximum: 16
            })
        );
        assert!(a.is_open());
        assert_eq!(b.receive().unwrap().map(|m| m.len()), Some(16));
        assert_eq!(b.receive().unwrap(), None);
        a.set_max_message_bytes(32);
        a.send(&[0; 17], Delivery::Reliable).unwrap();
    }

    #[test]
    fn hub_connects_clients_to_the_listener() {
        let hub = MemoryHub::with_max_message_bytes(64);
        let mut listener = hub.listener();
        assert!(listener.accept().unwrap().is_none());
        let mut alice = hub.connect("alice");
        let mut bob = hub.connect("bob");
        assert_eq!(hub.pending(), 2);
        assert_eq!(alice.peer(), "memory:server");
        alice.send(b"hello from alice", Delivery::Reliable).unwrap();
        let mut server_alice = listener.accept().unwrap().expect("alice");
        let mut server_bob = listener.accept().unwrap().expect("bob");
        assert!(listener.accept().unwrap().is_none());
        assert_eq!(server_alice.peer(), "alice");
        assert_eq!(server_bob.peer(), "bob");
        assert_eq!(
            server_alice.receive().unwrap(),
            Some(b"hello from alice".to_vec())
        );
        assert_eq!(
            server_bob.send(&[0; 65], Delivery::Reliable),
            Err(TransportError::MessageTooLarge {
                size: 65,
                maximum: 64
            })
        );
        server_bob.send(b"welcome bob", Delivery::Reliable).unwrap();
        assert_eq!(bob.receive().unwrap(), Some(b"welcome bob".to_vec()));
        server_alice.close("kicked");
        assert_eq!(
            alice.receive(),
            Err(TransportError::Closed {
                reason: "kicked".into()
            })
        );
        assert!(bob.is_open());
    }
}
