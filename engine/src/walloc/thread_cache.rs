//! Per-thread caches of small heap blocks in front of the global instance's tier locks.
//!
//! A thread keeps, per heap tier and per 16-byte size class below 512 B, a LIFO list of blocks
//! of exactly that size. Allocating pops one and freeing pushes one, with no lock and no atomic
//! read-modify-write. A miss takes a batch of blocks from the heap under one lock (carved out of
//! one free block when it can); an overflowing list gives half back under one lock. When the
//! thread exits its lists go back to the heap.
//!
//! Each caching thread owns one of `MAX_SLOTS` static slots, which holds its lists: the heads
//! (touched only by the owner) and one word per list (an atomic the owner writes with plain
//! relaxed stores, so `stats()` can read it from any thread) holding the list's length and,
//! above it, the frees the list took. Stats stay exact without a counter per allocation: blocks
//! enter a cache by refill or free and leave it by flush or allocation, so
//! `allocations = taken + frees - returned - cached blocks`, where `taken` and `returned` change
//! only under the heap lock and the cached blocks are the sum of the list lengths. Cached bytes
//! are `length x class size` per list, because every list holds blocks of exactly its size.
//! A thread that finds no free slot uses the locked path. Natively only: wasm has one thread,
//! where the lock is already uncontended and cheap.

use core::cell::{Cell, UnsafeCell};
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use super::heap::{ALIGN, Heap, SMALL};
use super::lock::SpinLock;
use super::walloc::HEAPS;

/// Size classes cached: block sizes below `SMALL`, by 16 bytes.
const CLASSES: usize = SMALL / ALIGN;
/// Most blocks a list keeps before giving half back.
/// Most bytes a list keeps before giving half back: like a mimalloc page per size class, so a
/// thread that frees what it allocated (a frame's churn) rarely meets the heap lock. At most
/// 32 classes x 64 KiB = 2 MiB per heap tier per thread, reported as `cached` and given back
/// when the thread exits or trims.
const LIST_BYTES: usize = 128 * 1024;
/// `LIST_BYTES` in blocks, per class (a table: the free path compares, never divides).
const LIST_CAP: [u64; CLASSES] = {
    let mut caps = [0u64; CLASSES];
    let mut class = 1;
    while class < CLASSES {
        caps[class] = (LIST_BYTES / (class * ALIGN)) as u64;
        class += 1;
    }
    caps
};
/// Bytes of blocks taken from the heap on a miss (at least one block, at most `REFILL_MAX`).
const REFILL_BYTES: usize = 8192;
/// Most blocks taken from the heap on a miss.
const REFILL_MAX: usize = 64;
/// Bits of a list word that hold its length (`LIST_CAP` is at most 4096); the rest count frees.
const LEN_BITS: u32 = 16;
const LEN_MASK: u64 = (1 << LEN_BITS) - 1;
/// One free: a block more in the list and a free more in the count.
const ONE_FREE: u64 = (1 << LEN_BITS) + 1;
/// Threads that can have a cache at once.
const MAX_SLOTS: usize = 256;

/// One thread's cache: its lists per heap tier (0 Scene, 1 Entity, 2 General) and class, and
/// the counters that keep stats exact.
struct Slot {
    claimed: AtomicBool,
    /// List heads; the first word of a cached block links to the next. Only the claiming
    /// thread reads or writes them.
    heads: [[UnsafeCell<*mut u8>; CLASSES]; HEAPS],
    /// Per list, one word written only by the claiming thread: the list's length in the low
    /// `LEN_BITS` bits and the frees it took above them, so a free updates one word.
    lens: [[AtomicU64; CLASSES]; HEAPS],
    /// Blocks taken from the heap into this cache (under the heap lock).
    taken: [AtomicU64; HEAPS],
    /// Blocks given back from this cache to the heap (under the heap lock).
    returned: [AtomicU64; HEAPS],
}

// SAFETY: `heads` is read and written only by the thread that claimed the slot (the claim is an
// acquire compare-exchange, the release a release store, so successive owners are ordered);
// every other field is atomic.
unsafe impl Sync for Slot {}

impl Slot {
    const fn new() -> Slot {
        Slot {
            claimed: AtomicBool::new(false),
            heads: [const { [const { UnsafeCell::new(core::ptr::null_mut()) }; CLASSES] }; HEAPS],
            lens: [const { [const { AtomicU64::new(0) }; CLASSES] }; HEAPS],
            taken: [const { AtomicU64::new(0) }; HEAPS],
            returned: [const { AtomicU64::new(0) }; HEAPS],
        }
    }
}

static SLOTS: [Slot; MAX_SLOTS] = [const { Slot::new() }; MAX_SLOTS];
/// One past the highest slot ever claimed: `totals` reads no further.
static SLOTS_USED: AtomicUsize = AtomicUsize::new(0);

/// Where a thread's cache stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not used yet on this thread.
    New,
    /// Registering its exit flush (allocations meanwhile take the locked path).
    Registering,
    /// In use (`SLOT` points at the slot).
    Active,
    /// No slot was free, or the thread is exiting: locked path only.
    Off,
}

std::thread_local! {
    // Const-initialised with no destructor: reading them never allocates or registers
    // anything. `SLOT` is null unless the state is `Active`, so the fast path reads one word.
    static SLOT: Cell<*const Slot> = const { Cell::new(core::ptr::null()) };
    static STATE: Cell<State> = const { Cell::new(State::New) };
    // Touched once per thread, when its cache becomes active, so that its destructor gives the
    // cached blocks back when the thread exits.
    static FLUSH_ON_EXIT: FlushOnExit = const { FlushOnExit };
}

struct FlushOnExit;

impl Drop for FlushOnExit {
    fn drop(&mut self) {
        let heaps = super::global::heaps();
        let slot = SLOT.try_with(|s| s.replace(core::ptr::null())).ok();
        let _ = STATE.try_with(|s| s.set(State::Off));
        if let Some(slot) = slot.filter(|s| !s.is_null()) {
            // SAFETY: the pointer was set from `&SLOTS[i]`, a static, by this thread.
            let slot = unsafe { &*slot };
            for h in 0..HEAPS {
                flush(slot, heaps, h);
            }
            slot.claimed.store(false, Ordering::Release);
        }
    }
}

/// The calling thread's slot, activating its cache on first use. `None`: use the locked path.
#[inline]
fn current() -> Option<&'static Slot> {
    let slot = SLOT.try_with(Cell::get).ok()?;
    if slot.is_null() {
        return activate();
    }
    // SAFETY: a non-null `SLOT` points into the static `SLOTS`.
    Some(unsafe { &*slot })
}

#[cold]
fn activate() -> Option<&'static Slot> {
    if STATE.try_with(Cell::get).ok()? != State::New {
        return None;
    }
    STATE.set(State::Registering);
    // Registering the destructor may allocate on some platforms; those allocations see
    // `Registering` and take the locked path.
    let registered = FLUSH_ON_EXIT.try_with(|_| ()).is_ok();
    let index = registered
        .then(|| {
            SLOTS.iter().position(|s| {
                s.claimed
                    .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            })
        })
        .flatten();
    match index {
        Some(i) => {
            SLOTS_USED.fetch_max(i + 1, Ordering::Relaxed);
            STATE.set(State::Active);
            SLOT.set(&SLOTS[i]);
            Some(&SLOTS[i])
        }
        None => {
            STATE.set(State::Off);
            None
        }
    }
}

/// Single-writer counter update: a relaxed load and store, no read-modify-write.
#[inline]
fn bump(counter: &AtomicU64, by: u64) {
    counter.store(counter.load(Ordering::Relaxed) + by, Ordering::Relaxed);
}

/// Allocates a block of `need` bytes (a small block size) for heap `h` from this thread's
/// cache, refilling it from `heap` on a miss. `None`: take the locked path.
#[inline]
pub(crate) fn alloc(heaps: &[SpinLock<Heap>; HEAPS], h: usize, need: usize) -> Option<*mut u8> {
    let slot = current()?;
    let class = need / ALIGN;
    let head = slot.heads[h][class].get();
    // SAFETY: this thread owns the slot, so no one else touches its heads; list links are the
    // first word of cached blocks, which no one else touches while they are cached.
    unsafe {
        let mut p = *head;
        if p.is_null() {
            refill(slot, &heaps[h], h, need);
            p = *head;
            if p.is_null() {
                return None;
            }
        }
        *head = p.cast::<*mut u8>().read();
        let len = &slot.lens[h][class];
        len.store(len.load(Ordering::Relaxed) - 1, Ordering::Relaxed);
        Some(p)
    }
}

/// Takes a batch of blocks for class `need` from the heap under one lock and files each by its
/// size (a block can come out 16 bytes larger than asked; it then joins the next list).
#[cold]
fn refill(slot: &Slot, heap: &SpinLock<Heap>, h: usize, need: usize) {
    let want = (REFILL_BYTES / need).clamp(1, REFILL_MAX);
    let mut heap = heap.lock();
    let mut taken = 0;
    heap.take_for_cache(need, want, |p, size| {
        let class = size / ALIGN;
        if class >= CLASSES {
            return false;
        }
        // SAFETY: this thread owns the slot; `p` is a fresh block of `size >= 16` bytes owned by
        // this cache now, whose first word becomes the link.
        unsafe {
            let head = slot.heads[h][class].get();
            p.cast::<*mut u8>().write(*head);
            *head = p;
        }
        let len = &slot.lens[h][class];
        len.store(len.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        taken += 1;
        true
    });
    bump(&slot.taken[h], taken);
}

/// Frees the small block `p` of heap `h` into this thread's cache. False: take the locked
/// path.
///
/// # Safety
/// `p` is a live block of heap `h` of the global instance, not used after this call.
#[inline]
pub(crate) unsafe fn dealloc(heaps: &[SpinLock<Heap>; HEAPS], h: usize, p: *mut u8) -> bool {
    // SAFETY: `p` is live, so its header is valid.
    let size = unsafe { Heap::block_size(p) };
    if size >= SMALL {
        return false;
    }
    let Some(slot) = current() else {
        return false;
    };
    let class = size / ALIGN;
    // SAFETY: this thread owns the slot; `p` is ours to link from now on.
    unsafe {
        let head = slot.heads[h][class].get();
        p.cast::<*mut u8>().write(*head);
        *head = p;
    }
    let word = &slot.lens[h][class];
    let w = word.load(Ordering::Relaxed) + ONE_FREE;
    word.store(w, Ordering::Relaxed);
    let n = w & LEN_MASK;
    if n > LIST_CAP[class] {
        flush_list(slot, &heaps[h], h, class, n / 2);
    }
    true
}

/// Gives up to `count` blocks of list `class` back to `heap` under one lock.
#[cold]
fn flush_list(slot: &Slot, heap: &SpinLock<Heap>, h: usize, class: usize, count: u64) {
    let head = slot.heads[h][class].get();
    let len = &slot.lens[h][class];
    let mut heap = heap.lock();
    let mut n = 0;
    // SAFETY: this thread owns the slot; cached blocks are not live and their first word links
    // the list.
    unsafe {
        while n < count {
            let p = *head;
            if p.is_null() {
                break;
            }
            *head = p.cast::<*mut u8>().read();
            heap.return_from_cache(p);
            n += 1;
        }
    }
    drop(heap);
    len.store(len.load(Ordering::Relaxed) - n, Ordering::Relaxed);
    bump(&slot.returned[h], n);
}

fn flush(slot: &Slot, heaps: &[SpinLock<Heap>; HEAPS], h: usize) {
    for class in 0..CLASSES {
        if slot.lens[h][class].load(Ordering::Relaxed) & LEN_MASK > 0 {
            flush_list(slot, &heaps[h], h, class, u64::MAX);
        }
    }
}

/// Gives every block cached by the calling thread back to the heaps (before a trim, say).
pub(crate) fn flush_current_thread(heaps: &[SpinLock<Heap>; HEAPS]) {
    let slot = SLOT.try_with(Cell::get).unwrap_or(core::ptr::null());
    if !slot.is_null() {
        // SAFETY: a non-null `SLOT` points into the static `SLOTS`, owned by this thread.
        let slot = unsafe { &*slot };
        for h in 0..HEAPS {
            flush(slot, heaps, h);
        }
    }
}

/// Totals of every slot for heap `h`: (allocations, frees, cached bytes).
pub(crate) fn totals(h: usize) -> (u64, u64, usize) {
    let used = SLOTS_USED.load(Ordering::Relaxed);
    SLOTS[..used].iter().fold((0, 0, 0), |(a, f, c), s| {
        let (blocks, frees, bytes) =
            s.lens[h]
                .iter()
                .enumerate()
                .fold((0u64, 0u64, 0usize), |(n, f, b), (class, word)| {
                    let word = word.load(Ordering::Relaxed);
                    let len = word & LEN_MASK;
                    (
                        n + len,
                        f + (word >> LEN_BITS),
                        b + len as usize * class * ALIGN,
                    )
                });
        let taken = s.taken[h].load(Ordering::Relaxed);
        let returned = s.returned[h].load(Ordering::Relaxed);
        // Blocks in = taken + frees; blocks out = returned + allocations; the rest is cached.
        // Read while the owner works, the sum may be off for an instant; it never wraps.
        let allocations = (taken + frees).saturating_sub(returned + blocks);
        (a + allocations, f + frees, c + bytes)
    })
}
