//! Layer-W networking: an authoritative server that runs the same schedule headless, clients on
//! the desktop and in the browser, delta-compressed snapshots with interest management, client
//! prediction and interpolation.
//!
//! Layers, bottom up (see `docs/networking.md`):
//! - [`bits`] and [`codec`]: the bit packer and the quantising codecs of replicated components.
//! - [`transport`]: message transports (WebSocket natively and in the browser, in memory) and
//!   the link conditioner any of them can be wrapped in.
//! - the protocol: connect tokens, the handshake, the wire messages, per-client limits.
//! - replication: snapshots delta-encoded against each client's acknowledged baseline, interest
//!   management, clock synchronisation, interpolation and prediction, as plugins of the App.
#![warn(missing_docs)]

pub mod bits;
pub mod client;
pub mod clock;
pub mod codec;
pub mod connections;
pub mod input;
pub mod interest;
pub mod interpolation;
pub mod limits;
pub mod message;
pub mod replication;
pub mod server;
pub mod stats;
pub mod token;
pub mod transport;

pub use clock::{ClockConfig, ClockError, ClockSync};
pub use connections::{
    ByteCounters, ClientEvent, ClientId, ConnectionManager, ConnectionState, Connector, NetError,
    ServerConfig, ServerEvent,
};
pub use interest::{
    BandwidthBudget, CellShape, InterestError, InterestGrid, PRIORITY_FLOOR, PriorityAccumulator,
    distance_priority,
};
pub use interpolation::{DelayConfig, InterpolationDelay, SnapshotBuffer};
pub use limits::{Limits, RateLimiter};
pub use message::{ClientMessage, DisconnectReason, MessageError, RejectReason, ServerMessage};
pub use token::{ConnectToken, ServerKey, TokenError, issue_token};
