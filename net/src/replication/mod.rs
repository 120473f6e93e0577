//! Replication: which components travel, how each is quantised, and the views and snapshots
//! built from them.
//!
//! A game registers each replicated component type once, with a codec, in [`Replication`]
//! (the same registrations, in the same order, on the server and every client: the order is
//! the wire's component numbering). Entities with a [`NetId`] are replicated; the server gives
//! one to every entity marked [`Replicated`].

mod codecs;
mod rules;
pub mod view;

use layerw_engine::ecs::Component;

use crate::bits::{BitError, BitReader, BitWriter};

pub use codecs::IntCodec;
pub(crate) use rules::StateTable;
pub use rules::{Replication, ReplicationError};
pub use view::{
    View, ViewEntity, ViewError, decode_snapshot, decode_view, encode_view, write_controlled,
};

/// The quantised form of one component value: up to four 32-bit words (a position uses three,
/// a rotation four, an integer one). Views store these, so "changed" is an exact compare and
/// a baseline decodes identically on both ends.
pub type Words = [u32; 4];

/// An entity's identity on the wire, given by the server; the client maps it to its own
/// entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NetId(pub u32);

/// Marks an entity for replication on the server: the server gives it a [`NetId`] at the next
/// NetSend, and from then on its registered components travel to the clients that see it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Replicated;

/// The type-erased half of a component codec: the quantised words on the wire.
pub trait WordCodec: Send + Sync + 'static {
    /// Writes `words` as a delta from `reference` (the baseline's words, or
    /// [`initial`](Self::initial) for a component the baseline lacks).
    fn encode(&self, words: &Words, reference: &Words, writer: &mut BitWriter);
    /// Reads what [`encode`](Self::encode) wrote with the same reference.
    fn decode(&self, reference: &Words, reader: &mut BitReader<'_>) -> Result<Words, BitError>;
    /// The reference for a value sent without a baseline (a new entity or component).
    fn initial(&self) -> Words;
    /// The most bits one value costs.
    fn max_bits(&self) -> u32;
    /// Where a value that was `previous` and then, `span` ticks later, `current` will be
    /// `elapsed` ticks after that: the reference a changed value is encoded against. Integer
    /// arithmetic only, as both ends must compute it identically. The default predicts no
    /// motion (`current`).
    fn predict(&self, previous: &Words, current: &Words, elapsed: u32, span: u32) -> Words {
        let _ = (previous, elapsed, span);
        *current
    }
}

/// `current` moved on linearly from `previous` by `elapsed / span` of their difference
/// (rounded to the nearest, halves away from zero), clamped to `0..=maximum`.
pub(crate) fn extrapolate(
    previous: u32,
    current: u32,
    elapsed: u32,
    span: u32,
    maximum: u32,
) -> u32 {
    let step = i64::from(current) - i64::from(previous);
    let scaled = step * i64::from(elapsed);
    let span = i64::from(span.max(1));
    let offset = (scaled.abs() + span / 2) / span * scaled.signum();
    (i64::from(current) + offset).clamp(0, i64::from(maximum)) as u32
}

/// How one replicated component type is quantised, sent and blended.
///
/// Implemented for [`Position`](layerw_components::Position) with
/// [`PositionCodec`](crate::codec::PositionCodec), [`Rotation`](layerw_components::Rotation) with
/// [`RotationCodec`](crate::codec::RotationCodec), and any small integer-like component with
/// [`IntCodec`].
pub trait ComponentCodec<T: Component>: WordCodec {
    /// The quantised words of `value`.
    fn quantize(&self, value: &T) -> Words;
    /// The value the words stand for.
    fn dequantize(&self, words: &Words) -> T;
    /// The value a fraction `t` (0..=1) of the way from `from` to `to`, for drawing remote
    /// entities between snapshots (a step at `t = 1` for values that cannot blend).
    fn interpolate(&self, from: &T, to: &T, t: f32) -> T;
    /// Whether a predicted value and the server's agree well enough not to roll back
    /// (exact by default).
    fn agrees(&self, predicted: &Words, server: &Words) -> bool {
        predicted == server
    }
}
