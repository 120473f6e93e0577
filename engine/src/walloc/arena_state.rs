//! The arena tier's state shared beyond one owner: the published cursor and counters that
//! `stats()` reads from any thread ([`ArenaCounters`]), and the chunks, cursor and handle history
//! that outlive an owner ([`ArenaState`]). The owner itself, [`Arena`](super::Arena), is in
//! `arena.rs`.

use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering, fence};

/// Most chunks an arena holds; growth extends the last chunk in place when it can.
/// (Smaller under miri, whose borrow tracking pays for every byte of the table.)
pub(crate) const MAX_CHUNKS: usize = if cfg!(miri) { 16 } else { 512 };
/// Pages an arena asks for at a time (1 MiB) unless one allocation needs more.
pub(crate) const CHUNK_PAGES: usize = 16;
/// Epochs of cut positions remembered for handle checks.
pub(crate) const CUT_HISTORY: usize = 64;

/// The arena tier's cursor and counters, shared with `stats()`. The owner is their only writer.
///
/// The cursor lives here rather than in the [`Arena`], so the fast path's one store of the new
/// cursor is also what publishes the arena's position: the position is `cursor + offset`
/// (wrapping), where `offset` changes only when the cursor moves to another chunk. Those moves
/// are bracketed by `seq` (odd while one is under way, a seqlock), so a reader on another thread
/// never pairs a cursor with another chunk's offset.
pub(crate) struct ArenaCounters {
    pub(crate) cursor: AtomicUsize,
    pub(crate) offset: AtomicUsize,
    seq: AtomicU32,
    pub(crate) peak: AtomicUsize,
    pub(crate) allocations: AtomicU64,
    pub(crate) failures: AtomicU64,
}

impl ArenaCounters {
    pub(crate) const fn new() -> ArenaCounters {
        ArenaCounters {
            cursor: AtomicUsize::new(0),
            offset: AtomicUsize::new(0),
            seq: AtomicU32::new(0),
            peak: AtomicUsize::new(0),
            allocations: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    pub(crate) fn note_peak(&self, position: usize) {
        self.peak.fetch_max(position, Ordering::Relaxed);
    }

    /// The arena position (bytes below the cursor), readable from any thread.
    pub(crate) fn position(&self) -> usize {
        loop {
            let before = self.seq.load(Ordering::Acquire);
            let cursor = self.cursor.load(Ordering::Relaxed);
            let offset = self.offset.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if before.is_multiple_of(2) && self.seq.load(Ordering::Relaxed) == before {
                return cursor.wrapping_add(offset);
            }
            core::hint::spin_loop();
        }
    }

    /// Moves the cursor to `cursor` in a chunk whose positions are `address + offset` (owner only).
    pub(crate) fn set(&self, cursor: usize, offset: usize) {
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        self.offset.store(offset, Ordering::Relaxed);
        self.cursor.store(cursor, Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(2), Ordering::Release);
    }
}

/// A page run held by an arena, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub(crate) start: usize,
    pub(crate) len: usize,
}

/// The cursor of an arena: which chunk, where in it, and the arena position of its start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) chunk: usize,
    pub(crate) start: usize,
    pub(crate) cur: usize,
    pub(crate) end: usize,
    /// Arena position (bytes from the start of chunk 0) of the current chunk's start.
    pub(crate) chunk_base: usize,
}

/// Arena state that outlives an owner: the chunks, the cursor and the handle history.
pub(crate) struct ArenaState {
    pub(crate) chunks: [Chunk; MAX_CHUNKS],
    pub(crate) count: usize,
    pub(crate) cursor: Cursor,
    pub(crate) epoch: u32,
    pub(crate) cuts: [usize; CUT_HISTORY],
}

impl ArenaState {
    pub(crate) const fn new() -> ArenaState {
        ArenaState {
            chunks: [Chunk { start: 0, len: 0 }; MAX_CHUNKS],
            count: 0,
            cursor: Cursor {
                chunk: 0,
                start: 0,
                cur: 0,
                end: 0,
                chunk_base: 0,
            },
            epoch: 0,
            cuts: [0; CUT_HISTORY],
        }
    }

    /// The chunks held now.
    pub(crate) fn chunks(&self) -> &[Chunk] {
        &self.chunks[..self.count]
    }

    pub(crate) fn can_append(&self) -> bool {
        self.count < MAX_CHUNKS
    }

    /// Appends `chunk`, returning its index.
    pub(crate) fn append(&mut self, chunk: Chunk) -> usize {
        self.chunks[self.count] = chunk;
        self.count += 1;
        self.count - 1
    }

    /// Grows the last chunk by `bytes` (pages granted right after it).
    pub(crate) fn extend_last(&mut self, bytes: usize) {
        self.chunks[self.count - 1].len += bytes;
    }

    /// Keeps chunks `..=index`, the last one cut to `len` bytes; returns it.
    pub(crate) fn truncate(&mut self, index: usize, len: usize) -> Chunk {
        self.count = index + 1;
        self.chunks[index].len = len;
        self.chunks[index]
    }
}
