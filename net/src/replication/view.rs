//! A client's view of the replicated world, and the snapshot payload: one view delta-encoded
//! against another.
//!
//! A view lists, sorted by [`NetId`], every entity a client knows and the quantised words of
//! each replicated component it has. The server keeps the views it sent each client by tick;
//! a snapshot is the new view encoded against the newest view that client acknowledged (its
//! baseline), and the client, which kept the same view, decodes it back exactly. Entities the
//! baseline already has with the same words cost nothing; the rest cost a gap-coded id and,
//! per component, a changed bit and the codec's delta from a predicted reference.
//!
//! The reference is a prediction both ends compute alike: every view also keeps, per entity,
//! the words it had before its latest change and the ticks of both ([`View::tick`] is the
//! tick a view shows), and a changed component is encoded against the baseline's words
//! extrapolated from those two samples to the new tick ([`WordCodec::predict`]). A smoothly
//! moving entity then costs the error of a linear prediction instead of its whole motion
//! since the baseline. Encoding and decoding both complete the new view's history the same
//! way, so the views the server keeps equal the client's exactly.

use std::fmt;

use super::{NetId, WordCodec, Words};
use crate::bits::{BitError, BitReader, BitWriter};

/// The most entities a view may hold (a decoder refuses more before allocating).
pub const MAX_VIEW_ENTITIES: usize = 1 << 16;

/// The most replicated component types (a view keeps one presence bit per type in a `u32`).
pub const MAX_COMPONENTS: usize = 32;

/// The longest extrapolation, in ticks, for both the gap between an entity's two samples and
/// the time from the newer one to the new tick: beyond it the motion known is too old to say
/// where the entity is (it stopped, or turned), and the baseline's words are the reference.
pub const MAX_PREDICTION_TICKS: u32 = 16;

/// Why a snapshot payload could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViewError {
    /// The bits ran out or a field was out of range.
    Bits(BitError),
    /// More entities than [`MAX_VIEW_ENTITIES`], or than the payload's bits could describe.
    TooManyEntities {
        /// The count announced.
        count: u64,
        /// The most allowed here.
        maximum: u64,
    },
    /// Ids not strictly increasing, or past `u32`.
    BadId {
        /// The id (or what it would have been).
        id: u64,
    },
    /// A removal of an entity the baseline does not have.
    UnknownRemoval {
        /// The id removed.
        id: u32,
    },
    /// Bits left over after the payload.
    TrailingBits {
        /// How many.
        bits: u64,
    },
}

impl fmt::Display for ViewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewError::Bits(e) => write!(f, "snapshot payload: {e}"),
            ViewError::TooManyEntities { count, maximum } => {
                write!(f, "snapshot names {count} entities, more than {maximum}")
            }
            ViewError::BadId { id } => write!(f, "snapshot entity id {id} out of order"),
            ViewError::UnknownRemoval { id } => {
                write!(f, "snapshot removes entity {id}, absent from its baseline")
            }
            ViewError::TrailingBits { bits } => write!(f, "{bits} bits after the snapshot"),
        }
    }
}

impl std::error::Error for ViewError {}

impl From<BitError> for ViewError {
    fn from(e: BitError) -> Self {
        ViewError::Bits(e)
    }
}

/// One entity of a view, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewEntity<'a> {
    /// The entity's network id.
    pub id: NetId,
    /// Bit `k` set: the entity has component `k`.
    pub present: u32,
    /// The quantised words of every component slot (meaningful where `present` says so).
    pub words: &'a [Words],
}

impl<'a> ViewEntity<'a> {
    /// The words of component `k`, if the entity has it.
    pub fn component(&self, k: usize) -> Option<&'a Words> {
        let words: &'a [Words] = self.words;
        (self.present & (1 << k) != 0).then(|| &words[k])
    }
}

/// The replicated state a client knows at one tick: entities sorted by id, each with the
/// quantised words of its components and the history the prediction needs (the words before
/// the latest change, and the ticks of both). Structure of arrays, so a view of 1,000
/// entities is a handful of allocations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    components: usize,
    tick: u32,
    ids: Vec<u32>,
    present: Vec<u32>,
    words: Vec<Words>,
    /// Per entity and slot: the words before the latest change (equal to `words` when none
    /// is known).
    previous: Vec<Words>,
    /// Per entity: the tick its words were set, and the tick of `previous`.
    stamps: Vec<[u32; 2]>,
}

impl View {
    /// An empty view of entities with `components` replicated component slots.
    ///
    /// # Panics
    /// If `components` exceeds [`MAX_COMPONENTS`].
    pub fn new(components: usize) -> View {
        assert!(
            components <= MAX_COMPONENTS,
            "at most {MAX_COMPONENTS} components"
        );
        View {
            components,
            ..View::default()
        }
    }

    /// Component slots per entity.
    pub fn components(&self) -> usize {
        self.components
    }

    /// The tick this view shows (0 until set).
    pub fn tick(&self) -> u32 {
        self.tick
    }

    /// Sets the tick this view shows: before [`encode_view`] on the sender's new view, and
    /// before [`decode_view`] on the receiver's (the snapshot's tick).
    pub fn set_tick(&mut self, tick: u32) {
        self.tick = tick;
    }

    /// How many entities.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the view holds no entity.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Removes every entity, keeping the allocations and the tick.
    pub fn clear(&mut self) {
        self.ids.clear();
        self.present.clear();
        self.words.clear();
        self.previous.clear();
        self.stamps.clear();
    }

    /// Makes this view a copy of `other`, reusing allocations.
    pub fn copy_from(&mut self, other: &View) {
        self.components = other.components;
        self.tick = other.tick;
        self.ids.clone_from(&other.ids);
        self.present.clone_from(&other.present);
        self.words.clone_from(&other.words);
        self.previous.clone_from(&other.previous);
        self.stamps.clone_from(&other.stamps);
    }

    /// The history of entity `index`: the words before its latest change, the tick its words
    /// were set and the tick of those earlier words.
    pub fn history(&self, index: usize) -> (&[Words], u32, u32) {
        let k = self.components;
        let [set, before] = self.stamps[index];
        (&self.previous[index * k..(index + 1) * k], set, before)
    }

    /// Appends an entity with no history (its words set at this view's tick); ids must come
    /// in strictly increasing order.
    ///
    /// # Panics
    /// If `id` is not greater than the last id, or `words` has the wrong length.
    pub fn push(&mut self, id: NetId, present: u32, words: &[Words]) {
        assert!(
            self.ids.last().is_none_or(|&last| last < id.0),
            "view ids must increase"
        );
        assert_eq!(words.len(), self.components, "one Words per component slot");
        self.ids.push(id.0);
        self.present.push(present);
        self.words.extend_from_slice(words);
        self.previous.extend_from_slice(words);
        self.stamps.push([self.tick; 2]);
    }

    /// The entity at `index` (in id order).
    pub fn get(&self, index: usize) -> ViewEntity<'_> {
        let k = self.components;
        ViewEntity {
            id: NetId(self.ids[index]),
            present: self.present[index],
            words: &self.words[index * k..(index + 1) * k],
        }
    }

    /// The index of entity `id`, if present.
    pub fn find(&self, id: NetId) -> Option<usize> {
        self.ids.binary_search(&id.0).ok()
    }

    /// Every entity, in id order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = ViewEntity<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Every id, in order.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Appends entity `id` with no components (ids strictly increasing; the caller checks).
    pub(crate) fn push_empty(&mut self, id: NetId) {
        self.ids.push(id.0);
        self.present.push(0);
        self.words
            .extend(std::iter::repeat_n([0u32; 4], self.components));
        self.previous
            .extend(std::iter::repeat_n([0u32; 4], self.components));
        self.stamps.push([self.tick; 2]);
    }

    /// Sets component slot `k` (presence bit `bit`) of the entity at `row`.
    pub(crate) fn set_component(&mut self, row: usize, k: usize, bit: u32, words: Words) {
        self.present[row] |= bit;
        self.words[row * self.components + k] = words;
        self.previous[row * self.components + k] = words;
    }

    /// Copies entity `index` of `other` onto the end of this view, with its history (ids
    /// strictly increasing; the caller checks). [`encode_view`] rewrites the history.
    pub(crate) fn push_from(&mut self, other: &View, index: usize) {
        let k = self.components;
        self.ids.push(other.ids[index]);
        self.present.push(other.present[index]);
        self.words
            .extend_from_slice(&other.words[index * k..(index + 1) * k]);
        self.previous
            .extend_from_slice(&other.previous[index * k..(index + 1) * k]);
        self.stamps.push(other.stamps[index]);
    }

    /// Whether entity `n` of this view has the same components and words as entity `b` of
    /// `baseline` (what a snapshot then leaves out).
    fn same_as(&self, n: usize, baseline: &View, b: usize) -> bool {
        let k = self.components;
        baseline.present[b] == self.present[n]
            && (0..k).all(|c| {
                self.present[n] & (1 << c) == 0
                    || baseline.words[b * k + c] == self.words[n * k + c]
            })
    }

    /// Sets the history of entity `n` from its entry `base` in `baseline` (the rule both ends
    /// follow): unchanged, it keeps the baseline's history; changed, its previous words are
    /// the baseline's (at the tick they were set) and its words are set at this view's tick;
    /// new, it has no history yet.
    fn inherit(&mut self, n: usize, baseline: &View, base: Option<usize>) {
        let k = self.components;
        match base {
            Some(b) if self.same_as(n, baseline, b) => {
                self.previous[n * k..(n + 1) * k]
                    .copy_from_slice(&baseline.previous[b * k..(b + 1) * k]);
                self.stamps[n] = baseline.stamps[b];
            }
            Some(b) => {
                for c in 0..k {
                    let had = baseline.present[b] & (1 << c) != 0;
                    self.previous[n * k + c] = if had {
                        baseline.words[b * k + c]
                    } else {
                        self.words[n * k + c]
                    };
                }
                self.stamps[n] = [self.tick, baseline.stamps[b][0]];
            }
            None => {
                self.previous[n * k..(n + 1) * k].copy_from_slice(&self.words[n * k..(n + 1) * k]);
                self.stamps[n] = [self.tick; 2];
            }
        }
    }

    /// The reference of slot `c` of entity `b` of this (baseline) view for a view of tick
    /// `tick`: its words extrapolated along its last change, where that change is recent.
    fn predicted(&self, codec: &dyn WordCodec, b: usize, c: usize, tick: u32) -> Words {
        let k = self.components;
        let current = &self.words[b * k + c];
        let [set, before] = self.stamps[b];
        let span = set.wrapping_sub(before);
        let elapsed = tick.wrapping_sub(set);
        if span == 0
            || span > MAX_PREDICTION_TICKS
            || elapsed == 0
            || elapsed > MAX_PREDICTION_TICKS
        {
            return *current;
        }
        codec.predict(&self.previous[b * k + c], current, elapsed, span)
    }
}

/// Writes `value >= 1` as an Elias gamma code: dense ids (gaps of 1) cost one bit.
fn write_gamma(writer: &mut BitWriter, value: u64) {
    debug_assert!(value >= 1);
    // `n` zeros, the leading one, then the `n` bits below it.
    let n = 63 - value.leading_zeros();
    writer.write_bits(0, n);
    writer.write_bool(true);
    writer.write_bits(value & ((1u64 << n) - 1), n);
}

/// Reads an Elias gamma code written by [`write_gamma`].
fn read_gamma(reader: &mut BitReader<'_>) -> Result<u64, ViewError> {
    let mut zeros = 0u32;
    while !reader.read_bool()? {
        zeros += 1;
        if zeros > 40 {
            return Err(ViewError::BadId {
                id: u64::from(u32::MAX) + 1,
            });
        }
    }
    // The leading one was just read: the rest of the value follows.
    let rest = reader.read_bits(zeros)?;
    Ok((1u64 << zeros) | rest)
}

/// Counts and ids of one list, gap-coded: the first id + 1, then each gap (both >= 1).
struct IdWriter {
    last: Option<u32>,
}

impl IdWriter {
    fn write(&mut self, writer: &mut BitWriter, id: u32) {
        let gap = match self.last {
            None => u64::from(id) + 1,
            Some(last) => u64::from(id - last),
        };
        write_gamma(writer, gap);
        self.last = Some(id);
    }
}

fn read_id(reader: &mut BitReader<'_>, last: Option<u32>) -> Result<u32, ViewError> {
    let gap = read_gamma(reader)?;
    let id = match last {
        None => gap - 1,
        Some(last) => u64::from(last) + gap,
    };
    u32::try_from(id).map_err(|_| ViewError::BadId { id })
}

fn write_count(writer: &mut BitWriter, count: usize) {
    write_gamma(writer, count as u64 + 1);
}

fn read_count(reader: &mut BitReader<'_>, maximum: usize) -> Result<usize, ViewError> {
    let count = read_gamma(reader)? - 1;
    // Every listed entity takes at least one bit, so the payload bounds the count too.
    let maximum = (maximum as u64).min(reader.remaining_bits());
    if count > maximum {
        return Err(ViewError::TooManyEntities { count, maximum });
    }
    Ok(count as usize)
}

/// Encodes `next` as a delta from `baseline` (an empty view for a full snapshot), with one
/// codec per component slot, and completes `next`'s history as [`decode_view`] completes the
/// receiver's (set `next`'s tick first). Returns how many entities were written as changed or
/// new.
///
/// # Panics
/// If the views' component counts differ from `codecs.len()`.
pub fn encode_view(
    baseline: &View,
    next: &mut View,
    codecs: &[&dyn WordCodec],
    writer: &mut BitWriter,
) -> usize {
    let k = codecs.len();
    assert!(baseline.components == k && next.components == k);
    // Removed: in the baseline, not in next (both sorted: one merge walk).
    let mut removed = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < baseline.len() {
        let id = baseline.ids[i];
        while j < next.len() && next.ids[j] < id {
            j += 1;
        }
        if j >= next.len() || next.ids[j] != id {
            removed.push(id);
        }
        i += 1;
    }
    write_count(writer, removed.len());
    let mut ids = IdWriter { last: None };
    for &id in &removed {
        ids.write(writer, id);
    }
    // Changed or new: find them first, for the count.
    let mut changed: Vec<(usize, Option<usize>)> = Vec::new();
    let mut b = 0;
    for n in 0..next.len() {
        let id = next.ids[n];
        while b < baseline.len() && baseline.ids[b] < id {
            b += 1;
        }
        let base = (b < baseline.len() && baseline.ids[b] == id).then_some(b);
        if !base.is_some_and(|b| next.same_as(n, baseline, b)) {
            changed.push((n, base));
        }
        next.inherit(n, baseline, base);
    }
    write_count(writer, changed.len());
    let mut ids = IdWriter { last: None };
    for &(n, base) in &changed {
        ids.write(writer, next.ids[n]);
        for (c, codec) in codecs.iter().enumerate() {
            let bit = 1u32 << c;
            let has = next.present[n] & bit != 0;
            let value = &next.words[n * k + c];
            match base {
                Some(b) => {
                    let had = baseline.present[b] & bit != 0;
                    let differs = has != had || (has && *value != baseline.words[b * k + c]);
                    writer.write_bool(differs);
                    if differs {
                        writer.write_bool(has);
                        if has {
                            let reference = if had {
                                baseline.predicted(*codec, b, c, next.tick)
                            } else {
                                codec.initial()
                            };
                            codec.encode(value, &reference, writer);
                        }
                    }
                }
                None => {
                    writer.write_bool(has);
                    if has {
                        codec.encode(value, &codec.initial(), writer);
                    }
                }
            }
        }
    }
    changed.len()
}

/// Decodes what [`encode_view`] wrote against the same `baseline`, into `out` (reused; set its
/// tick to the snapshot's first), with the same history, and checks that the payload ends
/// there.
///
/// # Errors
/// [`ViewError`] for any malformed or hostile payload; `out` is then unspecified.
pub fn decode_view(
    baseline: &View,
    reader: &mut BitReader<'_>,
    codecs: &[&dyn WordCodec],
    out: &mut View,
) -> Result<(), ViewError> {
    let k = codecs.len();
    assert!(
        baseline.components == k,
        "baseline has {} slots",
        baseline.components
    );
    let removed_count = read_count(reader, baseline.len())?;
    let mut removed = Vec::with_capacity(removed_count);
    let mut last = None;
    for _ in 0..removed_count {
        let id = read_id(reader, last)?;
        if baseline.find(NetId(id)).is_none() {
            return Err(ViewError::UnknownRemoval { id });
        }
        removed.push(id);
        last = Some(id);
    }
    let changed_count = read_count(reader, MAX_VIEW_ENTITIES)?;
    out.components = k;
    out.clear();
    let mut words = [[0u32; 4]; MAX_COMPONENTS];
    let (mut b, mut r) = (0, 0);
    let mut last = None;
    // Copies baseline entities below `limit` (minus removals) into `out`.
    let carry = |out: &mut View, b: &mut usize, r: &mut usize, limit: Option<u32>| {
        while *b < baseline.len() && limit.is_none_or(|limit| baseline.ids[*b] < limit) {
            let id = baseline.ids[*b];
            while *r < removed.len() && removed[*r] < id {
                *r += 1;
            }
            if !(*r < removed.len() && removed[*r] == id) {
                out.push_from(baseline, *b);
            }
            *b += 1;
        }
    };
    for _ in 0..changed_count {
        let id = read_id(reader, last)?;
        last = Some(id);
        carry(out, &mut b, &mut r, Some(id));
        let base = (b < baseline.len() && baseline.ids[b] == id).then_some(b);
        let mut present = 0u32;
        for (c, codec) in codecs.iter().enumerate() {
            let bit = 1u32 << c;
            match base {
                Some(base) => {
                    let had = baseline.present[base] & bit != 0;
                    let reference = baseline.words[base * k + c];
                    if reader.read_bool()? {
                        if reader.read_bool()? {
                            let reference = if had {
                                baseline.predicted(*codec, base, c, out.tick)
                            } else {
                                codec.initial()
                            };
                            words[c] = codec.decode(&reference, reader)?;
                            present |= bit;
                        }
                    } else if had {
                        words[c] = reference;
                        present |= bit;
                    }
                }
                None => {
                    if reader.read_bool()? {
                        words[c] = codec.decode(&codec.initial(), reader)?;
                        present |= bit;
                    }
                }
            }
            if present & bit == 0 {
                words[c] = [0; 4];
            }
        }
        if out.len() >= MAX_VIEW_ENTITIES {
            return Err(ViewError::TooManyEntities {
                count: out.len() as u64 + 1,
                maximum: MAX_VIEW_ENTITIES as u64,
            });
        }
        out.ids.push(id);
        out.present.push(present);
        out.words.extend_from_slice(&words[..k]);
        out.previous.extend_from_slice(&words[..k]);
        out.stamps.push([out.tick; 2]);
        out.inherit(out.len() - 1, baseline, base);
        if base.is_some() {
            b += 1;
        }
    }
    carry(out, &mut b, &mut r, None);
    let left = reader.remaining_bits();
    // The writer pads to a whole byte with zeros.
    if left >= 8 {
        return Err(ViewError::TrailingBits { bits: left });
    }
    Ok(())
}

/// Writes a snapshot payload's header: the entity the receiving client predicts, if any. The
/// view follows it ([`encode_view`] on the same writer).
pub fn write_controlled(writer: &mut BitWriter, controlled: Option<NetId>) {
    writer.write_bool(controlled.is_some());
    if let Some(id) = controlled {
        writer.write_varint_u32(id.0);
    }
}

/// Decodes a whole snapshot payload (the header [`write_controlled`] wrote, then the view
/// against `baseline`) into `out` (set its tick first), returning the controlled entity.
///
/// # Errors
/// [`ViewError`] for any malformed or hostile payload.
pub fn decode_snapshot(
    baseline: &View,
    payload: &[u8],
    codecs: &[&dyn WordCodec],
    out: &mut View,
) -> Result<Option<NetId>, ViewError> {
    let mut reader = BitReader::new(payload);
    let controlled = if reader.read_bool()? {
        Some(NetId(reader.read_varint_u32(u32::MAX)?))
    } else {
        None
    };
    decode_view(baseline, &mut reader, codecs, out)?;
    Ok(controlled)
}
