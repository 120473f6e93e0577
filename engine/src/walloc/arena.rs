//! The arena policy of the Render tier: bump allocation over a list of page-run chunks, freed
//! only as a whole by the arena's one owner (`reset`, `rewind` to a mark, `compact` to a kept
//! prefix). Per-frame data fits it: everything made in a frame dies together.
//!
//! References returned by the `alloc*` methods borrow the arena, and resetting needs `&mut`, so
//! safe code cannot keep one across a reset. Handles ([`ArenaPtr`]) outlive borrows; each one
//! records the arena epoch it was made in and where it ends, and is checked on every use, so
//! reaching memory from before a reset is reported as [`StaleHandle`], never read.

use core::alloc::Layout;
use core::cell::Cell;
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::Ordering;

use super::Tier;
use super::Walloc;
use super::arena_state::{ArenaCounters, CUT_HISTORY, Chunk, Cursor};
use super::error::{ConfigError, OutOfMemory, StaleHandle};

/// A point in an arena to [`rewind`](Arena::rewind) to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    cursor: Cursor,
    epoch: u32,
    tier: Tier,
}

impl Mark {
    /// Arena position of the mark in bytes.
    pub fn position(&self) -> usize {
        self.cursor.chunk_base + (self.cursor.cur - self.cursor.start)
    }
}

/// A checked handle to a value or slice in an arena: `Copy`, free of lifetimes, and
/// validated on each use against the arena's resets.
pub struct ArenaPtr<T: ?Sized> {
    ptr: NonNull<T>,
    end: usize,
    epoch: u32,
    tier: Tier,
    owner: usize,
}

impl<T: ?Sized> Clone for ArenaPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for ArenaPtr<T> {}

// SAFETY: an `ArenaPtr` grants no access by itself: every read or write goes through
// `Arena::get` / `Arena::get_mut`, which borrow the owning arena (so its own `Send`/`Sync`
// rules apply) and check the handle's epoch first. Moving or sharing the handle between threads
// moves an address and a few integers, nothing more; `T: Send + Sync` keeps the values it names
// as shareable as the handle.
unsafe impl<T: ?Sized + Send + Sync> Send for ArenaPtr<T> {}
// SAFETY: as for `Send` above: `&ArenaPtr` allows only copying the handle.
unsafe impl<T: ?Sized + Send + Sync> Sync for ArenaPtr<T> {}

impl<T: ?Sized> core::fmt::Debug for ArenaPtr<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ArenaPtr")
            .field("tier", &self.tier)
            .field("epoch", &self.epoch)
            .field("end", &self.end)
            .finish()
    }
}

/// The one owner of the arena tier (Render), from [`Walloc::arena`].
///
/// Allocation takes `&self` and returns references that borrow the arena; `reset`, `rewind`
/// and `compact` take `&mut self`, so no reference survives them. Values are never dropped:
/// the arena frees memory, not objects. Dropping the owner keeps the arena's contents; the
/// next owner continues where it stopped.
///
/// # Example
/// ```
/// use layerw_engine::walloc::{Config, Tier, Walloc};
/// let walloc = Walloc::with_heap_backing(Config::DEFAULT.with_ceiling(8 << 20)).unwrap();
/// let mut frame = walloc.arena(Tier::Render).unwrap();
/// let instances = frame.alloc_slice_fill(1000, [0.0f32; 4]).unwrap();
/// instances[0][0] = 1.0;
/// assert_eq!(instances.len(), 1000);
/// frame.reset(); // next frame: the memory is reused
/// ```
pub struct Arena<'w> {
    walloc: &'w Walloc,
    /// This tier's cursor and counters, cached so the fast path does no indexing.
    counters: &'w ArenaCounters,
    tier: Tier,
    /// The arena's alignment floor: every allocation starts and ends on a multiple of it, so
    /// the cursor stays aligned and the fast path needs no round-up of the cursor.
    align: usize,
    /// The owner's copy of the published cursor (`counters.cursor`), read by the fast path:
    /// an atomic load there would stop LLVM from building a value in place in the arena.
    cursor: Cell<usize>,
    end: Cell<usize>,
    chunk: Cell<usize>,
    chunk_start: Cell<usize>,
    epoch: u32,
    cuts: [usize; CUT_HISTORY],
    _not_sync: PhantomData<Cell<()>>,
}

impl<'w> Arena<'w> {
    /// Takes ownership of `tier`'s arena; the caller has checked the tier and claimed it.
    pub(crate) fn claim(walloc: &'w Walloc, tier: Tier, align: usize) -> Arena<'w> {
        let state = walloc.arena_state().lock();
        let c = state.cursor;
        let start = c.start;
        let counters = walloc.arena_counters();
        // A previous owner may have used a smaller floor: round the cursor up to this one's
        // (within the chunk; a cursor past its end makes the next allocation take a new one).
        let cur = if c.end == 0 {
            0
        } else {
            ((c.cur + align - 1) & !(align - 1)).min(c.end)
        };
        counters.set(cur, c.chunk_base.wrapping_sub(start));
        let arena = Arena {
            walloc,
            counters,
            tier,
            align,
            cursor: Cell::new(cur),
            end: Cell::new(c.end),
            chunk: Cell::new(c.chunk),
            chunk_start: Cell::new(start),
            epoch: state.epoch,
            cuts: state.cuts,
            _not_sync: PhantomData,
        };
        drop(state);
        arena
    }

    /// The tier this arena serves.
    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// Bytes from the arena's start to its cursor (allocated, with alignment padding).
    pub fn position(&self) -> usize {
        self.cur().wrapping_add(self.offset())
    }

    #[inline(always)]
    fn cur(&self) -> usize {
        self.cursor.get()
    }

    /// Moves the cursor within the current chunk and publishes it.
    #[inline(always)]
    fn store_cursor(&self, cur: usize) {
        self.cursor.set(cur);
        self.counters.cursor.store(cur, Ordering::Relaxed);
    }

    fn offset(&self) -> usize {
        self.counters.offset.load(Ordering::Relaxed)
    }

    /// The alignment floor: every allocation starts on a multiple of it.
    pub fn alignment(&self) -> usize {
        self.align
    }

    /// Sets this owner's alignment floor (a power of two up to 4096); the tier's configured
    /// alignment is the default. The Render tier's 128 B keeps separately allocated buffers
    /// that different threads fill from sharing a pair of cache lines (the adjacent-line
    /// prefetcher pairs 64 B lines); many small values written by one thread (64 B instances,
    /// say) pack twice as densely at 64 B, and a value's own alignment is always honoured.
    /// The cursor is rounded up to the new floor.
    pub fn set_alignment(&mut self, align: usize) -> Result<(), ConfigError> {
        if !align.is_power_of_two() || align > 4096 {
            return Err(ConfigError::Alignment {
                tier: self.tier,
                align,
            });
        }
        self.align = align;
        let cur = self.cur();
        if cur != 0 {
            let aligned = ((cur + align - 1) & !(align - 1)).min(self.end.get());
            self.store_cursor(aligned);
        }
        Ok(())
    }

    /// The arena's epoch: it advances on every reset, rewind and compact.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Allocates room for `layout`, aligned to at least the arena's alignment floor.
    #[inline(always)]
    pub fn alloc_layout(&self, layout: Layout) -> Result<NonNull<u8>, OutOfMemory> {
        match self.fast(layout) {
            Some(p) => Ok(p),
            None => self.alloc_slow(layout.size(), layout.align().max(self.align)),
        }
    }

    /// The fast path: `layout` fits in the current chunk at no more than the floor's alignment.
    #[inline(always)]
    fn fast(&self, layout: Layout) -> Option<NonNull<u8>> {
        let (p, new) = self.fast_place(layout)?;
        self.bump_to(new);
        Some(p)
    }

    #[cold]
    fn alloc_slow(&self, size: usize, align: usize) -> Result<NonNull<u8>, OutOfMemory> {
        let floor = self.align;
        let size = (size + floor - 1) & !(floor - 1);
        let counters = self.walloc.arena_counters();
        counters.note_peak(self.position());
        for attempt in 0..2 {
            if let Some(p) = self.advance(size, align) {
                return Ok(p);
            }
            match self.walloc.grow_arena(self, size, align) {
                Ok(()) => {
                    if let Some(p) = self.fit(size, align) {
                        return Ok(p);
                    }
                }
                Err(available) => {
                    if attempt == 0 && self.walloc.reclaim(self.tier, size as u64) {
                        continue;
                    }
                    counters.failures.fetch_add(1, Ordering::Relaxed);
                    return Err(OutOfMemory {
                        tier: self.tier,
                        requested: size as u64,
                        available,
                    });
                }
            }
        }
        counters.failures.fetch_add(1, Ordering::Relaxed);
        Err(OutOfMemory {
            tier: self.tier,
            requested: size as u64,
            available: 0,
        })
    }

    /// Bumps the aligned cursor by `size` (a multiple of the floor) within the current chunk.
    /// The fast path of every allocation; `None` when the chunk is full (or there is none yet,
    /// cursor 0). The new cursor is the published position; the allocation count is bumped
    /// with a relaxed load and store (the owner is its only writer).
    #[inline(always)]
    fn try_fit(&self, size: usize) -> Option<NonNull<u8>> {
        let (p, new) = self.place(size)?;
        self.bump_to(new);
        Some(p)
    }

    /// `try_fit` without the store: where `size` bytes would go and the cursor after them.
    #[inline(always)]
    fn place(&self, size: usize) -> Option<(NonNull<u8>, usize)> {
        let cur = self.cur();
        let new = cur.checked_add(size)?;
        if new > self.end.get() {
            return None;
        }
        Some((NonNull::new(cur as *mut u8)?, new))
    }

    /// `fast` without the store: where `layout` would go in the current chunk at no more than
    /// the floor's alignment, and the cursor after it.
    #[inline(always)]
    fn fast_place(&self, layout: Layout) -> Option<(NonNull<u8>, usize)> {
        let floor = self.align;
        // Sizes round up to the floor, so the cursor stays aligned to it: the fast path is a
        // load, an add, a compare and a store, like bumpalo's downward bump without its mask.
        // No overflow: a layout's size is at most `isize::MAX` and the floor at most 4096.
        let size = (layout.size() + floor - 1) & !(floor - 1);
        if layout.align() > floor {
            return None;
        }
        self.place(size)
    }

    /// Publishes the cursor `fast_place` returned and counts the allocation.
    #[inline(always)]
    fn bump_to(&self, new: usize) {
        let c = self.counters;
        self.store_cursor(new);
        c.allocations
            .store(c.allocations.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// `try_fit` for any alignment: pads the cursor first when `align` is above the floor.
    fn fit(&self, size: usize, align: usize) -> Option<NonNull<u8>> {
        let cur = self.cur();
        if cur == 0 {
            return None;
        }
        if align <= self.align {
            return self.try_fit(size);
        }
        let start = cur.checked_add(align - 1)? & !(align - 1);
        let new = start.checked_add(size)?;
        if new > self.end.get() {
            return None;
        }
        self.store_cursor(start);
        self.try_fit(size)
    }

    /// Moves the cursor through chunks already held until one fits the request.
    fn advance(&self, size: usize, align: usize) -> Option<NonNull<u8>> {
        let state = self.walloc.arena_state().lock();
        while self.chunk.get() + 1 < state.count {
            let next = self.chunk.get() + 1;
            let chunk = state.chunks[next];
            let base = self.position_of_end();
            self.move_to(next, chunk, base);
            if let Some(p) = self.fit(size, align) {
                return Some(p);
            }
        }
        None
    }

    /// Arena position of the end of the current chunk.
    fn position_of_end(&self) -> usize {
        self.end.get().wrapping_add(self.offset())
    }

    fn move_to(&self, index: usize, chunk: Chunk, base: usize) {
        self.chunk.set(index);
        self.chunk_start.set(chunk.start);
        self.end.set(chunk.start + chunk.len);
        self.cursor.set(chunk.start);
        self.counters
            .set(chunk.start, base.wrapping_sub(chunk.start));
    }

    /// Puts the cursor at `cur` in the current chunk, rounded up to the floor (a mark or a
    /// cut made under a smaller floor may be unaligned to this one).
    fn place_cursor(&self, cur: usize) {
        let align = self.align;
        let aligned = ((cur + align - 1) & !(align - 1)).min(self.end.get());
        self.store_cursor(aligned);
    }

    /// Called by walloc with the state lock held after it extended the current chunk.
    pub(crate) fn extended(&self, new_end: usize) {
        self.end.set(new_end);
    }

    /// Called by walloc after it appended chunk `index`.
    pub(crate) fn appended(&self, index: usize, chunk: Chunk) {
        let base = if self.end.get() == 0 {
            0
        } else {
            self.position_of_end()
        };
        self.move_to(index, chunk, base);
    }

    /// Index of the current chunk and its end address (0 when the arena has no chunk).
    pub(crate) fn current_chunk(&self) -> (usize, usize) {
        (self.chunk.get(), self.end.get())
    }

    /// Moves `value` into the arena.
    #[expect(
        clippy::mut_from_ref,
        reason = "bump allocation: each call returns fresh, disjoint memory"
    )]
    #[inline(always)]
    pub fn alloc<T>(&self, value: T) -> Result<&mut T, OutOfMemory> {
        // The value is written before the cursor's (atomic) store: LLVM does not move a
        // value's construction past an atomic access, so storing first would build it on the
        // stack and copy it. No code runs between the two that could allocate here.
        let layout = Layout::new::<T>();
        let (p, new) = match self.fast_place(layout) {
            Some(place) => place,
            // The slow path has moved the cursor already (0: nothing left to publish).
            None => (
                self.alloc_slow(layout.size(), layout.align().max(self.align))?,
                0,
            ),
        };
        let p = p.cast::<T>();
        // SAFETY: `p` is aligned memory for one `T`: past the cursor in the current chunk,
        // which the store below hands out to this call alone (`&self` is not `Sync`), or
        // what the slow path allocated.
        unsafe {
            p.as_ptr().write(value);
            if new != 0 {
                self.bump_to(new);
            }
            Ok(&mut *p.as_ptr())
        }
    }

    /// Allocates room for a `T` and writes `f()` into it. The value is made after the memory is
    /// found, so it can be built in place instead of on the stack and copied.
    #[expect(
        clippy::mut_from_ref,
        reason = "bump allocation: each call returns fresh, disjoint memory"
    )]
    #[inline(always)]
    pub fn alloc_with<T>(&self, f: impl FnOnce() -> T) -> Result<&mut T, OutOfMemory> {
        /// The write in a function of its own: LLVM then builds `f()` in the arena instead of
        /// on the stack and copying it (the same observation as bumpalo's `inner_writer`).
        #[inline(always)]
        unsafe fn write_in_place<T>(p: *mut T, f: impl FnOnce() -> T) {
            // SAFETY: forwarded: `p` is valid for a write of one `T`.
            unsafe { p.write(f()) }
        }
        let p = self.alloc_layout(Layout::new::<T>())?.cast::<T>();
        // SAFETY: `p` is fresh, aligned, exclusively ours memory for one `T`, borrowed from
        // `self` (no reset can happen while the reference lives).
        unsafe {
            write_in_place(p.as_ptr(), f);
            Ok(&mut *p.as_ptr())
        }
    }

    /// Allocates `len` copies of `value`.
    pub fn alloc_slice_fill<T: Clone>(
        &self,
        len: usize,
        value: T,
    ) -> Result<&mut [T], OutOfMemory> {
        self.alloc_slice_with(len, |_| value.clone())
    }

    /// Copies `items` into the arena.
    #[expect(
        clippy::mut_from_ref,
        reason = "bump allocation: each call returns fresh, disjoint memory"
    )]
    pub fn alloc_slice_copy<T: Copy>(&self, items: &[T]) -> Result<&mut [T], OutOfMemory> {
        let slice = self.alloc_uninit::<T>(items.len())?;
        // SAFETY: `slice` has room for `items.len()` values; `T: Copy`, regions are disjoint.
        unsafe {
            core::ptr::copy_nonoverlapping(items.as_ptr(), slice.as_ptr(), items.len());
            Ok(core::slice::from_raw_parts_mut(slice.as_ptr(), items.len()))
        }
    }

    /// Allocates `len` values made by `f(index)`.
    #[expect(
        clippy::mut_from_ref,
        reason = "bump allocation: each call returns fresh, disjoint memory"
    )]
    pub fn alloc_slice_with<T>(
        &self,
        len: usize,
        mut f: impl FnMut(usize) -> T,
    ) -> Result<&mut [T], OutOfMemory> {
        let p = self.alloc_uninit::<T>(len)?;
        // SAFETY: room for `len` values; each is written before the slice is formed. If `f`
        // panics the written values are leaked, never read.
        unsafe {
            for i in 0..len {
                p.as_ptr().add(i).write(f(i));
            }
            Ok(core::slice::from_raw_parts_mut(p.as_ptr(), len))
        }
    }

    /// Allocates `len` values made by `f(index)`, computed in parallel (rayon natively; one
    /// thread on wasm), and returns a checked handle to the slice. For per-frame buffers of a
    /// million items, where a serial fill is the frame's bottleneck.
    pub fn alloc_slice_par_with_handle<T: Send>(
        &self,
        len: usize,
        f: impl Fn(usize) -> T + Sync,
    ) -> Result<ArenaPtr<[T]>, OutOfMemory> {
        /// Items per parallel task: large enough to amortise scheduling.
        const CHUNK: usize = 16 * 1024;
        let p = self.alloc_uninit::<T>(len)?;
        // SAFETY: `p` is fresh, aligned room for `len` values of `T`, exclusively ours while
        // `self` is borrowed; a slice of `MaybeUninit` may cover uninitialised memory.
        let slots: &mut [core::mem::MaybeUninit<T>] =
            unsafe { core::slice::from_raw_parts_mut(p.as_ptr().cast(), len) };
        let fill = |(c, chunk): (usize, &mut [core::mem::MaybeUninit<T>])| {
            for (j, slot) in chunk.iter_mut().enumerate() {
                slot.write(f(c * CHUNK + j));
            }
        };
        // Serial under miri too: rayon's crossbeam-epoch trips Stacked Borrows there, and the
        // unsafe code checked here is the same either way.
        #[cfg(not(any(target_family = "wasm", miri)))]
        {
            use rayon::prelude::*;
            slots.par_chunks_mut(CHUNK).enumerate().for_each(fill);
        }
        #[cfg(any(target_family = "wasm", miri))]
        slots.chunks_mut(CHUNK).enumerate().for_each(fill);
        // SAFETY: every slot was written above (a panic in `f` unwinds past this line, leaving
        // the values leaked and never read).
        let r = unsafe { core::slice::from_raw_parts_mut(p.as_ptr(), len) };
        Ok(self.handle(NonNull::from(r)))
    }

    /// Allocates one slice made of consecutive parts, `part_lens[p]` values each, filled in
    /// parallel (rayon natively; one thread on wasm): part `p` takes, in order, the values of
    /// the iterator `fill(p)`. Returns a checked handle to the whole slice. For a frame's
    /// instances gathered from many sources into their final places in one write, with no
    /// intermediate array.
    ///
    /// # Panics
    /// If an iterator yields more or fewer values than its part's length (nothing is leaked
    /// into view: the slice is only formed once every value is written).
    pub fn alloc_slice_par_parts_with_handle<T: Send, I: Iterator<Item = T>>(
        &self,
        part_lens: &[usize],
        fill: impl Fn(usize) -> I + Sync,
    ) -> Result<ArenaPtr<[T]>, OutOfMemory> {
        let len = part_lens
            .iter()
            .try_fold(0usize, |sum, &n| sum.checked_add(n))
            .ok_or(OutOfMemory {
                tier: self.tier,
                requested: u64::MAX,
                available: 0,
            })?;
        let p = self.alloc_uninit::<T>(len)?;
        // SAFETY: `p` is fresh, aligned room for `len` values of `T`, exclusively ours while
        // `self` is borrowed; a slice of `MaybeUninit` may cover uninitialised memory.
        let slots: &mut [core::mem::MaybeUninit<T>] =
            unsafe { core::slice::from_raw_parts_mut(p.as_ptr().cast(), len) };
        let mut parts = Vec::with_capacity(part_lens.len());
        let mut rest = slots;
        for &n in part_lens {
            let (head, tail) = rest.split_at_mut(n);
            parts.push(head);
            rest = tail;
        }
        let write = |(part, slots): (usize, &mut [core::mem::MaybeUninit<T>])| {
            let expected = slots.len();
            let mut values = fill(part);
            for slot in slots.iter_mut() {
                match values.next() {
                    Some(value) => {
                        slot.write(value);
                    }
                    None => panic!("arena part {part}: fewer values than its {expected}"),
                }
            }
            assert!(
                values.next().is_none(),
                "arena part {part}: more values than its {expected}"
            );
        };
        // Serial under miri and on wasm, as in `alloc_slice_par_with_handle`.
        #[cfg(not(any(target_family = "wasm", miri)))]
        {
            use rayon::prelude::*;
            parts.into_par_iter().enumerate().for_each(write);
        }
        #[cfg(any(target_family = "wasm", miri))]
        parts.into_iter().enumerate().for_each(write);
        // SAFETY: the parts cover the slice, and each slot of each part was written above (a
        // short or long iterator panics, unwinding past this line with the values leaked and
        // never read).
        let r = unsafe { core::slice::from_raw_parts_mut(p.as_ptr(), len) };
        Ok(self.handle(NonNull::from(r)))
    }

    fn alloc_uninit<T>(&self, len: usize) -> Result<NonNull<T>, OutOfMemory> {
        let layout = Layout::array::<T>(len).map_err(|_| OutOfMemory {
            tier: self.tier,
            requested: u64::MAX,
            available: 0,
        })?;
        Ok(self.alloc_layout(layout)?.cast())
    }

    /// Moves `value` into the arena and returns a checked handle to it.
    pub fn alloc_handle<T>(&self, value: T) -> Result<ArenaPtr<T>, OutOfMemory> {
        let r = self.alloc(value)?;
        Ok(self.handle(NonNull::from(r)))
    }

    /// Copies `items` into the arena and returns a checked handle to the slice.
    pub fn alloc_slice_handle<T: Copy>(&self, items: &[T]) -> Result<ArenaPtr<[T]>, OutOfMemory> {
        let r = self.alloc_slice_copy(items)?;
        Ok(self.handle(NonNull::from(r)))
    }

    /// Allocates a slice of `len` values made by `f(index)` and returns a checked handle to it.
    pub fn alloc_slice_with_handle<T>(
        &self,
        len: usize,
        f: impl FnMut(usize) -> T,
    ) -> Result<ArenaPtr<[T]>, OutOfMemory> {
        let r = self.alloc_slice_with(len, f)?;
        Ok(self.handle(NonNull::from(r)))
    }

    /// Allocates `len` copies of `value` and returns a checked handle to the slice (fill it
    /// through [`get_mut`](Self::get_mut)).
    pub fn alloc_slice_fill_handle<T: Clone>(
        &self,
        len: usize,
        value: T,
    ) -> Result<ArenaPtr<[T]>, OutOfMemory> {
        let r = self.alloc_slice_fill(len, value)?;
        Ok(self.handle(NonNull::from(r)))
    }

    fn handle<T: ?Sized>(&self, ptr: NonNull<T>) -> ArenaPtr<T> {
        ArenaPtr {
            ptr,
            end: self.position(),
            epoch: self.epoch,
            tier: self.tier,
            owner: self.walloc as *const Walloc as usize,
        }
    }

    /// Checks that `handle` is from this arena and its memory has not been given back since.
    pub fn check<T: ?Sized>(&self, handle: &ArenaPtr<T>) -> Result<(), StaleHandle> {
        let stale = StaleHandle {
            tier: self.tier,
            made_in: handle.epoch,
            now: self.epoch,
        };
        if handle.owner != self.walloc as *const Walloc as usize || handle.tier != self.tier {
            return Err(stale);
        }
        let age = self.epoch.wrapping_sub(handle.epoch) as usize;
        if age >= CUT_HISTORY {
            return Err(stale);
        }
        // Every cut since the handle was made must have kept its bytes.
        for k in 0..age {
            let epoch = self.epoch.wrapping_sub(k as u32) as usize;
            if self.cuts[epoch % CUT_HISTORY] < handle.end {
                return Err(stale);
            }
        }
        Ok(())
    }

    /// The value behind `handle`, if it is still live.
    pub fn get<T: ?Sized>(&self, handle: ArenaPtr<T>) -> Result<&T, StaleHandle> {
        self.check(&handle)?;
        // SAFETY: the handle is from this arena and its memory has not been cut since it was
        // made, so it still holds the value written then. Only `get_mut` (which needs `&mut
        // self`) hands out mutable access through handles.
        Ok(unsafe { handle.ptr.as_ref() })
    }

    /// Mutable access to the value behind `handle`, if it is still live.
    pub fn get_mut<T: ?Sized>(&mut self, handle: ArenaPtr<T>) -> Result<&mut T, StaleHandle> {
        self.check(&handle)?;
        let mut ptr = handle.ptr;
        // SAFETY: as in `get`; `&mut self` excludes every other reference into the arena.
        Ok(unsafe { ptr.as_mut() })
    }

    /// The current position, to [`rewind`](Self::rewind) to later.
    pub fn mark(&self) -> Mark {
        Mark {
            cursor: self.cursor(),
            epoch: self.epoch,
            tier: self.tier,
        }
    }

    fn cursor(&self) -> Cursor {
        Cursor {
            chunk: self.chunk.get(),
            start: self.chunk_start.get(),
            cur: self.cur(),
            end: self.end.get(),
            chunk_base: self
                .position()
                .wrapping_sub(self.cur() - self.chunk_start.get()),
        }
    }

    /// Gives back everything allocated since `mark`. A mark from another arena, or one beyond
    /// the current position (made before an earlier rewind or reset), is refused.
    pub fn rewind(&mut self, mark: Mark) -> Result<(), StaleHandle> {
        let stale = StaleHandle {
            tier: self.tier,
            made_in: mark.epoch,
            now: self.epoch,
        };
        let position = mark.position();
        if mark.tier != self.tier || position > self.position() {
            return Err(stale);
        }
        self.counters.note_peak(self.position());
        let state = self.walloc.arena_state().lock();
        let chunk = match state.chunks().get(mark.cursor.chunk) {
            Some(&chunk) if chunk.start == mark.cursor.start => chunk,
            // No chunk yet: the mark is the arena's empty start.
            None if state.count == 0 && position == 0 => {
                drop(state);
                self.cut(0);
                return Ok(());
            }
            _ => return Err(stale),
        };
        drop(state);
        self.move_to(mark.cursor.chunk, chunk, mark.cursor.chunk_base);
        self.place_cursor(mark.cursor.cur);
        self.cut(self.position());
        Ok(())
    }

    /// Runs `f` with the arena, then gives back everything `f` allocated. The result cannot
    /// borrow the arena, so nothing allocated in the scope escapes it.
    pub fn scope<R>(&mut self, f: impl for<'a> FnOnce(&'a Arena<'w>) -> R) -> R {
        let mark = self.mark();
        let result = f(self);
        self.rewind(mark)
            .expect("a mark taken in this scope stays valid until the scope ends");
        result
    }

    /// Gives back everything: the next allocation starts at the first chunk again. Chunks stay
    /// held for reuse (use [`compact`](Self::compact) to return pages).
    pub fn reset(&mut self) {
        self.counters.note_peak(self.position());
        let state = self.walloc.arena_state().lock();
        if state.count > 0 {
            let chunk = state.chunks[0];
            drop(state);
            self.move_to(0, chunk, 0);
        }
        self.cut(0);
    }

    /// Keeps the first `keep_bytes` of the arena (persistent data loaded first), gives back the
    /// rest, and returns every page past the kept prefix to the region for other tiers.
    pub fn compact(&mut self, keep_bytes: usize) {
        let position = self.position();
        self.counters.note_peak(position);
        // Positions are multiples of the floor (chunks are whole pages): so is the cut.
        let align = self.align;
        let target = (keep_bytes.min(position) + align - 1) & !(align - 1);
        self.walloc.compact_arena(self, target.min(position));
        self.cut(self.position());
    }

    /// Called by walloc's compact with the new cursor.
    pub(crate) fn set_cursor(&self, index: usize, chunk: Chunk, base: usize, cur: usize) {
        self.move_to(index, chunk, base);
        self.place_cursor(cur);
    }

    /// Records a cut to `position` (the caller noted the peak before moving the cursor).
    fn cut(&mut self, position: usize) {
        self.epoch = self.epoch.wrapping_add(1);
        self.cuts[self.epoch as usize % CUT_HISTORY] = position;
    }
}

impl Drop for Arena<'_> {
    fn drop(&mut self) {
        let mut state = self.walloc.arena_state().lock();
        state.cursor = self.cursor();
        state.epoch = self.epoch;
        state.cuts = self.cuts;
        drop(state);
        self.walloc.release_arena();
    }
}
