//! The heap policy of the Scene, Entity and General tiers: a two-level segregated fit allocator
//! (TLSF). Allocation, free and in-place resize are O(1): two bitmap scans find a free block of
//! the right class, and boundary tags let a freed block merge with both neighbours at once.
//!
//! Memory comes in pools (page runs granted by the region). Each pool is a sequence of blocks
//! ended by a zero-size sentinel. A block starts with a 16-byte header:
//!
//! ```text
//! [prev_phys: *mut Block][size | flags]  payload...            (used block)
//! [prev_phys: *mut Block][size | flags][next_free][prev_free]  (free block)
//! ```
//!
//! `prev_phys` is valid only when the previous block is free (flag `PREV_FREE`), which is when
//! it is needed for merging. No two free blocks are ever adjacent.

use core::ptr;

/// Payload alignment every block gets; larger alignments are carved out of a larger block.
pub(crate) const ALIGN: usize = 16;
const HEADER: usize = 16;
/// Smallest block: header plus room for the two free-list links.
const MIN_BLOCK: usize = 32;

const FREE: usize = 1;
const PREV_FREE: usize = 2;
const FIRST: usize = 4;
const FLAGS: usize = ALIGN - 1;

const SL_LOG2: u32 = 5;
const SL_COUNT: usize = 1 << SL_LOG2;
const FL_SHIFT: u32 = SL_LOG2 + 4;
/// Blocks below this size are "small": quick-binned and thread-cached.
pub(crate) const SMALL: usize = 1 << FL_SHIFT;
const FL_COUNT: usize = 26;
/// Quick-bin classes: block sizes below `SMALL`, by 16 bytes.
const QUICK_CLASSES: usize = SMALL / ALIGN;
/// Most blocks a quick bin keeps; beyond that frees go to the TLSF.
const QUICK_CAP: u16 = 128;

/// Most pools a heap tracks. Contiguous growth extends the last pool instead of adding one.
/// Smaller under miri, whose borrow tracking pays for every byte of a `&mut Heap`.
pub(crate) const MAX_POOLS: usize = if cfg!(miri) { 16 } else { 2048 };

/// Largest request a heap serves (keeps size arithmetic far from overflow).
pub(crate) const MAX_REQUEST: usize = if usize::BITS > 32 { 1 << 32 } else { 1 << 31 };

#[repr(C)]
struct Block {
    prev_phys: *mut Block,
    size: usize,
    next_free: *mut Block,
    prev_free: *mut Block,
}

/// A pool: the page run `[start, end)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pool {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// A TLSF heap over pools of pages. Does not know about tiers or the region: the caller grants
/// pools and takes them back.
pub(crate) struct Heap {
    fl_bitmap: u32,
    sl_bitmap: [u32; FL_COUNT],
    heads: [[*mut Block; SL_COUNT]; FL_COUNT],
    pools: [Pool; MAX_POOLS],
    pool_count: usize,
    /// Quick bins: recently freed small blocks by exact size class, kept out of the TLSF (still
    /// flagged used, so no neighbour merges with them) for LIFO reuse. They make churn of small
    /// objects a pop and a push; `flush_quick` gives them back before the heap grows or trims.
    quick: [*mut Block; QUICK_CLASSES],
    quick_len: [u16; QUICK_CLASSES],
    quick_total: usize,
    /// Bytes in live blocks, headers included (quick-binned blocks are not live).
    pub(crate) used: usize,
    /// Highest `used` seen.
    pub(crate) peak: usize,
    /// Allocations served.
    pub(crate) allocations: u64,
    /// Frees served.
    pub(crate) frees: u64,
    /// Allocations refused.
    pub(crate) failures: u64,
}

// SAFETY: the raw pointers are links into pools this heap exclusively manages; the heap is only
// reached through its tier's lock.
unsafe impl Send for Heap {}

/// Block size needed for a payload of `size` bytes.
#[inline]
pub(crate) fn block_size_for(size: usize) -> usize {
    (size.max(MIN_BLOCK - HEADER) + HEADER + ALIGN - 1) & !(ALIGN - 1)
}

/// Extra bytes reserved to carve an `align`-aligned payload out of a free block.
#[inline]
fn align_slack(align: usize) -> usize {
    if align > ALIGN { align + MIN_BLOCK } else { 0 }
}

/// Pool bytes needed to serve a request: block and alignment slack, rounded up to the next
/// size class (the search only looks in classes whose every block is large enough), and the
/// sentinel.
pub(crate) fn pool_bytes_for(size: usize, align: usize) -> usize {
    let search = block_size_for(size) + align_slack(align);
    let rounded = if search < SMALL {
        search
    } else {
        let msb = usize::BITS - 1 - search.leading_zeros();
        let step = 1usize << (msb - SL_LOG2);
        (search + step - 1) & !(step - 1)
    };
    rounded + HEADER
}

#[inline]
fn mapping(size: usize) -> (usize, usize) {
    if size < SMALL {
        (0, size / (SMALL / SL_COUNT))
    } else {
        let msb = usize::BITS - 1 - size.leading_zeros();
        let sl = (size >> (msb - SL_LOG2)) ^ SL_COUNT;
        ((msb - FL_SHIFT + 1) as usize, sl)
    }
}

/// Rounds `size` up so every block in the class found is large enough.
#[inline]
fn mapping_search(size: usize) -> (usize, usize) {
    if size < SMALL {
        mapping(size)
    } else {
        let msb = usize::BITS - 1 - size.leading_zeros();
        mapping(size + (1 << (msb - SL_LOG2)) - 1)
    }
}

// Header accessors. SAFETY (for all): `b` points to a block header inside a pool of this heap.
#[inline]
unsafe fn size_of(b: *mut Block) -> usize {
    unsafe { (*b).size & !FLAGS }
}
#[inline]
unsafe fn flags_of(b: *mut Block) -> usize {
    unsafe { (*b).size & FLAGS }
}
#[inline]
unsafe fn set_size(b: *mut Block, size: usize) {
    unsafe { (*b).size = size | ((*b).size & FLAGS) }
}
#[inline]
unsafe fn set_flag(b: *mut Block, flag: usize, on: bool) {
    unsafe {
        if on {
            (*b).size |= flag
        } else {
            (*b).size &= !flag
        }
    }
}
#[inline]
unsafe fn is_free(b: *mut Block) -> bool {
    unsafe { (*b).size & FREE != 0 }
}
#[inline]
unsafe fn next_phys(b: *mut Block) -> *mut Block {
    unsafe { (b as *mut u8).add(size_of(b)) as *mut Block }
}
#[inline]
fn payload(b: *mut Block) -> *mut u8 {
    b.cast::<u8>().wrapping_add(HEADER)
}
#[inline]
fn block_of(p: *mut u8) -> *mut Block {
    p.wrapping_sub(HEADER).cast()
}

impl Heap {
    pub(crate) const fn new() -> Heap {
        Heap {
            fl_bitmap: 0,
            sl_bitmap: [0; FL_COUNT],
            heads: [[ptr::null_mut(); SL_COUNT]; FL_COUNT],
            pools: [Pool { start: 0, end: 0 }; MAX_POOLS],
            pool_count: 0,
            quick: [ptr::null_mut(); QUICK_CLASSES],
            quick_len: [0; QUICK_CLASSES],
            quick_total: 0,
            used: 0,
            peak: 0,
            allocations: 0,
            frees: 0,
            failures: 0,
        }
    }

    /// The pools, in the order they were added.
    pub(crate) fn pools(&self) -> &[Pool] {
        &self.pools[..self.pool_count]
    }

    pub(crate) fn can_add_pool(&self) -> bool {
        self.pool_count < MAX_POOLS
    }

    #[inline]
    fn insert(&mut self, b: *mut Block) {
        // SAFETY: `b` is a free block of this heap not yet in any list.
        unsafe {
            let (fl, sl) = mapping(size_of(b));
            let head = self.heads[fl][sl];
            (*b).next_free = head;
            (*b).prev_free = ptr::null_mut();
            if !head.is_null() {
                (*head).prev_free = b;
            }
            self.heads[fl][sl] = b;
            self.fl_bitmap |= 1 << fl;
            self.sl_bitmap[fl] |= 1 << sl;
        }
    }

    #[inline]
    fn remove(&mut self, b: *mut Block) {
        // SAFETY: `b` is a free block of this heap currently in its class list.
        unsafe {
            let (fl, sl) = mapping(size_of(b));
            let (next, prev) = ((*b).next_free, (*b).prev_free);
            if !next.is_null() {
                (*next).prev_free = prev;
            }
            if prev.is_null() {
                self.heads[fl][sl] = next;
                if next.is_null() {
                    self.sl_bitmap[fl] &= !(1 << sl);
                    if self.sl_bitmap[fl] == 0 {
                        self.fl_bitmap &= !(1 << fl);
                    }
                }
            } else {
                (*prev).next_free = next;
            }
        }
    }

    #[inline]
    fn find(&self, size: usize) -> Option<*mut Block> {
        let (mut fl, sl) = mapping_search(size);
        if fl >= FL_COUNT {
            return None;
        }
        let mut sl_map = self.sl_bitmap[fl] & (!0u32).checked_shl(sl as u32).unwrap_or(0);
        if sl_map == 0 {
            let fl_map = self.fl_bitmap & (!0u32).checked_shl(fl as u32 + 1).unwrap_or(0);
            if fl_map == 0 {
                return None;
            }
            fl = fl_map.trailing_zeros() as usize;
            sl_map = self.sl_bitmap[fl];
        }
        let sl = sl_map.trailing_zeros() as usize;
        Some(self.heads[fl][sl])
    }

    /// Adds the page run `[start, end)` as a new pool, all of it one free block.
    ///
    /// # Safety
    /// The range is writable, 16-byte aligned, at least two pages long, owned by this heap
    /// from now on, and overlaps no other pool.
    pub(crate) unsafe fn add_pool(&mut self, start: usize, end: usize) {
        debug_assert!(self.can_add_pool() && end - start >= 2 * MIN_BLOCK);
        let b = start as *mut Block;
        let sentinel = (end - HEADER) as *mut Block;
        // SAFETY: both headers lie inside the new pool, which the caller hands over.
        unsafe {
            (*b).prev_phys = ptr::null_mut();
            (*b).size = (end - start - HEADER) | FREE | FIRST;
            (*sentinel).prev_phys = b;
            (*sentinel).size = PREV_FREE;
        }
        self.insert(b);
        self.pools[self.pool_count] = Pool { start, end };
        self.pool_count += 1;
    }

    /// Index of the pool that ends at `end`.
    pub(crate) fn pool_ending_at(&self, end: usize) -> Option<usize> {
        self.pools().iter().position(|p| p.end == end)
    }

    /// Grows pool `index` in place to end at `new_end`; the new space joins the block before the
    /// old sentinel when that block is free.
    ///
    /// # Safety
    /// `[old end, new_end)` is writable, owned by this heap from now on and in no pool.
    pub(crate) unsafe fn extend_pool(&mut self, index: usize, new_end: usize) {
        let pool = self.pools[index];
        let old_sentinel = (pool.end - HEADER) as *mut Block;
        let sentinel = (new_end - HEADER) as *mut Block;
        // SAFETY: the old sentinel is this pool's; the new range is handed over by the caller.
        unsafe {
            let mut b = old_sentinel;
            (*b).size = (new_end - pool.end) | FREE | flags_of(b) & PREV_FREE;
            if flags_of(b) & PREV_FREE != 0 {
                let prev = (*b).prev_phys;
                self.remove(prev);
                set_size(prev, size_of(prev) + size_of(b));
                b = prev;
            }
            (*sentinel).prev_phys = b;
            (*sentinel).size = PREV_FREE;
            self.insert(b);
        }
        self.pools[index].end = new_end;
    }

    /// Allocates `size` bytes aligned to `align` (a power of two); `None` when no free block
    /// is large enough (the caller then adds or extends a pool).
    #[inline]
    pub(crate) fn alloc(&mut self, size: usize, align: usize) -> Option<*mut u8> {
        let need = block_size_for(size);
        if need < SMALL && align <= ALIGN {
            let class = need / ALIGN;
            let b = self.quick[class];
            if !b.is_null() {
                // SAFETY: quick-binned blocks are used blocks of this heap of exactly `need`
                // bytes, linked through their `next_free` field.
                self.quick[class] = unsafe { (*b).next_free };
                self.quick_len[class] -= 1;
                self.quick_total -= 1;
                self.note_alloc(need);
                return Some(payload(b));
            }
        }
        let b = self.find(need + align_slack(align))?;
        self.remove(b);
        // SAFETY: `b` is a free block just taken out of its list, large enough for `need` plus
        // the alignment slack; all blocks touched lie inside its pool.
        unsafe {
            let b = if align > ALIGN {
                self.split_front(b, align)
            } else {
                b
            };
            self.split_tail(b, need);
            set_flag(b, FREE, false);
            set_flag(next_phys(b), PREV_FREE, false);
            self.note_alloc(size_of(b));
            Some(payload(b))
        }
    }

    /// Cuts a leading free block off `b` so its payload is `align`-aligned; returns the
    /// aligned block (not in any list, flagged free).
    unsafe fn split_front(&mut self, b: *mut Block, align: usize) -> *mut Block {
        let p = payload(b) as usize;
        let mut aligned = (p + align - 1) & !(align - 1);
        if aligned != p && aligned - p < MIN_BLOCK {
            aligned = (p + MIN_BLOCK + align - 1) & !(align - 1);
        }
        let gap = aligned - p;
        if gap == 0 {
            return b;
        }
        // SAFETY: the caller reserved `align + MIN_BLOCK` slack, so `gap` fits in `b` with
        // the requested block after it.
        unsafe {
            let rest = (b as *mut u8).add(gap) as *mut Block;
            let total = size_of(b);
            set_size(b, gap);
            (*rest).size = (total - gap) | FREE | PREV_FREE;
            (*rest).prev_phys = b;
            set_flag(b, FIRST, flags_of(b) & FIRST != 0);
            self.insert(b);
            let next = next_phys(rest);
            (*next).prev_phys = rest;
            rest
        }
    }

    /// Shrinks block `b` (used or being allocated) to `need` bytes when the rest makes a
    /// block; the rest becomes free and merges with a free successor.
    #[inline]
    unsafe fn split_tail(&mut self, b: *mut Block, need: usize) {
        // SAFETY: `b` is a block of this heap, out of the free lists, and `need <= size`.
        unsafe {
            let total = size_of(b);
            if total - need < MIN_BLOCK {
                return;
            }
            set_size(b, need);
            let rest = next_phys(b);
            (*rest).size = (total - need) | FREE;
            let next = next_phys(rest);
            if is_free(next) {
                self.remove(next);
                set_size(rest, size_of(rest) + size_of(next));
            }
            let after = next_phys(rest);
            (*after).prev_phys = rest;
            set_flag(after, PREV_FREE, true);
            self.insert(rest);
        }
    }

    /// Frees the block whose payload is `p`. Returns the merged free block's pool index when
    /// the whole pool is now free (the caller may give it back).
    ///
    /// # Safety
    /// `p` was returned by `alloc`/`realloc_in_place` of this heap and not freed since.
    #[inline]
    pub(crate) unsafe fn free(&mut self, p: *mut u8) -> bool {
        let b = block_of(p);
        // SAFETY: per the contract, `b` is a used block of this heap.
        unsafe {
            let size = size_of(b);
            self.used -= size;
            self.frees += 1;
            if size < SMALL {
                let class = size / ALIGN;
                if self.quick_len[class] < QUICK_CAP {
                    (*b).next_free = self.quick[class];
                    self.quick[class] = b;
                    self.quick_len[class] += 1;
                    self.quick_total += 1;
                    return false;
                }
            }
            self.release(b)
        }
    }

    /// Gives every quick-binned block back to the TLSF (merging it with free neighbours).
    /// True when there were any.
    pub(crate) fn flush_quick(&mut self) -> bool {
        if self.quick_total == 0 {
            return false;
        }
        for class in 0..QUICK_CLASSES {
            let mut b = self.quick[class];
            while !b.is_null() {
                // SAFETY: quick-binned blocks are used blocks of this heap, linked through
                // `next_free`, which is read before `release` reuses the field.
                unsafe {
                    let next = (*b).next_free;
                    self.release(b);
                    b = next;
                }
            }
            self.quick[class] = ptr::null_mut();
            self.quick_len[class] = 0;
        }
        self.quick_total = 0;
        true
    }

    /// Returns used block `b` to the TLSF, merging it with free neighbours. True when its
    /// whole pool is now one free block.
    unsafe fn release(&mut self, mut b: *mut Block) -> bool {
        // SAFETY: `b` is a used block of this heap (callers' contract).
        unsafe {
            set_flag(b, FREE, true);
            if flags_of(b) & PREV_FREE != 0 {
                let prev = (*b).prev_phys;
                self.remove(prev);
                set_size(prev, size_of(prev) + size_of(b));
                b = prev;
            }
            let next = next_phys(b);
            if is_free(next) {
                self.remove(next);
                set_size(b, size_of(b) + size_of(next));
            }
            let after = next_phys(b);
            (*after).prev_phys = b;
            set_flag(after, PREV_FREE, true);
            self.insert(b);
            flags_of(b) & FIRST != 0 && size_of(after) == 0
        }
    }

    /// Resizes the block of payload `p` to `new_size` bytes without moving it. False when
    /// the following block is not free or too small (the block is unchanged then).
    ///
    /// # Safety
    /// `p` is a live allocation of this heap.
    pub(crate) unsafe fn realloc_in_place(&mut self, p: *mut u8, new_size: usize) -> bool {
        let b = block_of(p);
        let need = block_size_for(new_size);
        // SAFETY: `b` is a used block of this heap; neighbours lie in its pool.
        unsafe {
            let size = size_of(b);
            if need <= size {
                self.split_tail(b, need);
                self.used -= size - size_of(b);
                return true;
            }
            let next = next_phys(b);
            if !is_free(next) || size + size_of(next) < need {
                return false;
            }
            self.remove(next);
            set_size(b, size + size_of(next));
            set_flag(next_phys(b), PREV_FREE, false);
            self.split_tail(b, need);
            self.used += size_of(b) - size;
            self.peak = self.peak.max(self.used);
            true
        }
    }

    /// End of the pool holding the block of payload `p` when that block is the pool's last
    /// (so extending the pool would let it grow in place).
    ///
    /// # Safety
    /// `p` is a live allocation of this heap.
    pub(crate) unsafe fn last_block_end(&self, p: *mut u8) -> Option<usize> {
        let b = block_of(p);
        // SAFETY: `b` is a used block of this heap.
        unsafe {
            let next = next_phys(b);
            let candidate = if is_free(next) { next_phys(next) } else { next };
            (size_of(candidate) == 0).then(|| candidate as usize + HEADER)
        }
    }

    #[cfg(not(target_family = "wasm"))]
    /// Size of the block holding the allocation at `p`, header included.
    ///
    /// # Safety
    /// `p` is a live allocation of a heap (its header is valid and not being changed).
    #[inline]
    pub(crate) unsafe fn block_size(p: *mut u8) -> usize {
        // SAFETY: per the contract the header before `p` is a valid block header.
        unsafe { size_of(block_of(p)) }
    }

    #[cfg(not(target_family = "wasm"))]
    /// Takes up to `want` blocks of `need` bytes (a small block size) for a thread cache and
    /// hands each to `keep` with its size; not counted as allocations (the cache counts its
    /// own). Exact-size blocks come from the quick bin first, the rest are carved out of one
    /// free block in a run, the way a size-class page is laid out, so a refill is one search
    /// and one split. The last block of a run can be 16 bytes larger (a remainder too small to
    /// stand alone); when `keep` refuses a block it goes back to the heap.
    pub(crate) fn take_for_cache(
        &mut self,
        need: usize,
        want: usize,
        mut keep: impl FnMut(*mut u8, usize) -> bool,
    ) {
        debug_assert!((MIN_BLOCK..SMALL).contains(&need) && need.is_multiple_of(ALIGN));
        let class = need / ALIGN;
        let mut got = 0;
        while got < want && !self.quick[class].is_null() {
            let b = self.quick[class];
            // SAFETY: quick-binned blocks are used blocks of this heap of exactly `need` bytes,
            // linked through their `next_free` field.
            self.quick[class] = unsafe { (*b).next_free };
            self.quick_len[class] -= 1;
            self.quick_total -= 1;
            self.used += need;
            if !keep(payload(b), need) {
                // SAFETY: `b` is a used block of this heap that no one holds.
                unsafe { self.release_taken(b) };
            }
            got += 1;
        }
        if got == want {
            self.peak = self.peak.max(self.used);
            return;
        }
        let Some(b) = self.find((want - got) * need).or_else(|| self.find(need)) else {
            self.peak = self.peak.max(self.used);
            return;
        };
        self.remove(b);
        // SAFETY: `b` is a free block just taken out of its list, at least `need` bytes; every
        // header written lies inside it, and the run's blocks are used blocks from now on.
        unsafe {
            let count = (want - got).min(size_of(b) / need);
            self.split_tail(b, count * need);
            set_flag(b, FREE, false);
            set_flag(next_phys(b), PREV_FREE, false);
            let run = size_of(b);
            self.used += run;
            self.peak = self.peak.max(self.used);
            if count > 1 {
                set_size(b, need);
            }
            // Every header first: a refused block merges with its neighbours on release.
            for i in 1..count {
                let at = (b as *mut u8).add(i * need) as *mut Block;
                (*at).size = if i + 1 == count { run - i * need } else { need };
            }
            for i in 0..count {
                let at = (b as *mut u8).add(i * need) as *mut Block;
                if !keep(payload(at), size_of(at)) {
                    self.release_taken(at);
                }
            }
        }
    }

    #[cfg(not(target_family = "wasm"))]
    /// Gives back a block `take_for_cache` took but its caller refused.
    ///
    /// # Safety
    /// `b` is a used block of this heap that no one holds.
    unsafe fn release_taken(&mut self, b: *mut Block) {
        // SAFETY: forwarded contract.
        unsafe {
            self.used -= size_of(b);
            self.release(b);
        }
    }

    #[cfg(not(target_family = "wasm"))]
    /// Takes back a block from a thread cache: like `free`, but not counted as a free.
    ///
    /// # Safety
    /// `p` came from `take_for_cache` or `alloc` of this heap and is not live.
    #[inline]
    pub(crate) unsafe fn return_from_cache(&mut self, p: *mut u8) {
        // SAFETY: forwarded contract.
        unsafe { self.free(p) };
        self.frees -= 1;
    }

    /// Usable bytes of the allocation at `p`.
    ///
    /// # Safety
    /// `p` is a live allocation of this heap.
    pub(crate) unsafe fn usable_size(&self, p: *mut u8) -> usize {
        // SAFETY: `p` is a live allocation, so its header is valid.
        unsafe { size_of(block_of(p)) - HEADER }
    }

    /// Removes pool `index` when it is one free block, returning its range to give back.
    pub(crate) fn take_free_pool(&mut self, index: usize) -> Option<Pool> {
        self.flush_quick();
        let pool = self.pools[index];
        let b = pool.start as *mut Block;
        // SAFETY: the first block of a pool starts at its start.
        unsafe {
            if !is_free(b) || size_of(b) != pool.end - pool.start - HEADER {
                return None;
            }
            self.remove(b);
        }
        self.pool_count -= 1;
        self.pools[index] = self.pools[self.pool_count];
        Some(pool)
    }

    #[inline]
    fn note_alloc(&mut self, size: usize) {
        self.used += size;
        self.peak = self.peak.max(self.used);
        self.allocations += 1;
    }

    /// Walks every pool and checks the block invariants; returns (used bytes, free bytes).
    /// For tests.
    #[cfg(test)]
    pub(crate) fn check(&mut self) -> (usize, usize) {
        self.flush_quick();
        let (mut used, mut free) = (0, 0);
        for pool in self.pools() {
            let mut b = pool.start as *mut Block;
            let mut prev_free = false;
            let mut prev: *mut Block = ptr::null_mut();
            // SAFETY: walking a pool from its first block by sizes reaches its sentinel.
            unsafe {
                loop {
                    let size = size_of(b);
                    assert_eq!(flags_of(b) & PREV_FREE != 0, prev_free, "PREV_FREE flag");
                    if prev_free {
                        assert_eq!((*b).prev_phys, prev, "prev_phys link");
                    }
                    if size == 0 {
                        assert_eq!(b as usize + HEADER, pool.end, "sentinel at pool end");
                        break;
                    }
                    assert!(
                        size >= MIN_BLOCK && size.is_multiple_of(ALIGN),
                        "block size {size}"
                    );
                    if is_free(b) {
                        assert!(!prev_free, "two adjacent free blocks");
                        free += size;
                    } else {
                        used += size;
                    }
                    prev_free = is_free(b);
                    prev = b;
                    b = next_phys(b);
                }
            }
        }
        assert_eq!(used, self.used, "used bytes");
        (used, free)
    }
}

#[cfg(test)]
#[path = "heap_tests.rs"]
mod tests;
