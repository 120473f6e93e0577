//! Per-thread caches of small heap blocks in front of the global instance's tier locks.
//!
//! A thread keeps, per heap tier and per 16-byte size class below 512 B, a short LIFO list of
//! blocks it freed. Allocating pops one and freeing pushes one, with no lock and no atomic
//! read-modify-write. A miss takes a few blocks from the heap under one lock; an overflowing list
//! gives half back under one lock. When the thread exits its lists go back to the heap.
//!
//! Stats stay exact: each thread owns a slot of counters (allocations, frees, cached bytes) that
//! only it writes, with plain relaxed stores; `stats()` adds the slots to the heaps' own counts
//! and subtracts cached bytes from `used`. A thread that finds no free slot (more than
//! `MAX_SLOTS` threads alive) uses the locked path. Natively only: wasm has one thread, where
//! the lock is already uncontended and cheap.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use super::heap::{ALIGN, Heap, SMALL};
use super::lock::SpinLock;
use super::walloc::HEAPS;

/// Size classes cached: block sizes below `SMALL`, by 16 bytes.
const CLASSES: usize = SMALL / ALIGN;
/// Most blocks a list keeps before giving half back.
const BIN_CAP: u32 = 32;
/// Blocks taken from the heap on a miss.
const REFILL: usize = 8;
/// Threads that can have a cache at once.
const MAX_SLOTS: usize = 256;

/// Counters of one thread's cache, per heap tier (0 Scene, 1 Entity, 2 General). Written only
/// by the thread holding the slot; read by `stats()` from anywhere.
struct Slot {
    claimed: AtomicBool,
    allocations: [AtomicU64; HEAPS],
    frees: [AtomicU64; HEAPS],
    cached: [AtomicUsize; HEAPS],
}

impl Slot {
    const fn new() -> Slot {
        Slot {
            claimed: AtomicBool::new(false),
            allocations: [const { AtomicU64::new(0) }; HEAPS],
            frees: [const { AtomicU64::new(0) }; HEAPS],
            cached: [const { AtomicUsize::new(0) }; HEAPS],
        }
    }
}

static SLOTS: [Slot; MAX_SLOTS] = [const { Slot::new() }; MAX_SLOTS];

#[derive(Clone, Copy)]
struct Bin {
    head: *mut u8,
    len: u32,
}

/// Where a thread's cache stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not used yet on this thread.
    New,
    /// Registering its exit flush (allocations meanwhile take the locked path).
    Registering,
    /// In use with this slot.
    Active(usize),
    /// No slot was free, or the thread is exiting: locked path only.
    Off,
}

struct Cache {
    state: State,
    bins: [[Bin; CLASSES]; HEAPS],
}

std::thread_local! {
    // Const-initialised with no destructor: reading it never allocates or registers anything.
    static CACHE: UnsafeCell<Cache> = const {
        UnsafeCell::new(Cache {
            state: State::New,
            bins: [[Bin { head: core::ptr::null_mut(), len: 0 }; CLASSES]; HEAPS],
        })
    };
    // Touched once per thread, when its cache becomes active, so that its destructor gives the
    // cached blocks back when the thread exits.
    static FLUSH_ON_EXIT: FlushOnExit = const { FlushOnExit };
}

struct FlushOnExit;

impl Drop for FlushOnExit {
    fn drop(&mut self) {
        let heaps = super::global::heaps();
        let _ = CACHE.try_with(|c| {
            // SAFETY: only this thread touches its cache, and no other borrow of it is live
            // (destructors run outside allocator calls).
            let cache = unsafe { &mut *c.get() };
            if let State::Active(slot) = cache.state {
                for h in 0..HEAPS {
                    flush(cache, heaps, h, slot, usize::MAX);
                }
                SLOTS[slot].claimed.store(false, Ordering::Release);
            }
            cache.state = State::Off;
        });
    }
}

/// The thread's cache and its slot, activating it on first use. `None`: use the locked path.
#[inline]
fn active() -> Option<(*mut Cache, usize)> {
    let cache = CACHE.try_with(|c| c.get()).ok()?;
    // SAFETY: the cache is this thread's; the state is read and written without any other
    // reference to it being live.
    match unsafe { (*cache).state } {
        State::Active(slot) => Some((cache, slot)),
        State::New => activate(cache).map(|slot| (cache, slot)),
        State::Registering | State::Off => None,
    }
}

#[cold]
fn activate(cache: *mut Cache) -> Option<usize> {
    // SAFETY: this thread's cache; no other reference to it is live.
    unsafe { (*cache).state = State::Registering };
    // Registering the destructor may allocate on some platforms; those allocations see
    // `Registering` and take the locked path.
    let registered = FLUSH_ON_EXIT.try_with(|_| ()).is_ok();
    let slot = registered
        .then(|| {
            SLOTS.iter().position(|s| {
                s.claimed
                    .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            })
        })
        .flatten();
    // SAFETY: as above.
    unsafe {
        (*cache).state = match slot {
            Some(slot) => State::Active(slot),
            None => State::Off,
        }
    };
    slot
}

/// Single-writer counter update: a relaxed load and store, no read-modify-write.
#[inline]
fn bump_u64(counter: &AtomicU64) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

#[inline]
fn add_cached(counter: &AtomicUsize, delta: isize) {
    counter.store(
        counter.load(Ordering::Relaxed).wrapping_add_signed(delta),
        Ordering::Relaxed,
    );
}

/// Allocates a block of `need` bytes (a small block size) for heap `h` from this thread's
/// cache, refilling it from `heap` on a miss. `None`: take the locked path.
#[inline]
pub(crate) fn alloc(heaps: &[SpinLock<Heap>; HEAPS], h: usize, need: usize) -> Option<*mut u8> {
    let (cache, slot) = active()?;
    let class = need / ALIGN;
    // SAFETY: this thread's cache, no other reference live; list links are the first word of
    // cached blocks, which no one else touches while they are cached.
    unsafe {
        let bin = &mut (*cache).bins[h][class];
        if bin.len == 0 {
            refill(bin, &heaps[h], slot, h, need);
            if bin.len == 0 {
                return None;
            }
        }
        let p = bin.head;
        bin.head = p.cast::<*mut u8>().read();
        bin.len -= 1;
        let s = &SLOTS[slot];
        add_cached(&s.cached[h], -(Heap::block_size(p) as isize));
        bump_u64(&s.allocations[h]);
        Some(p)
    }
}

#[cold]
fn refill(bin: &mut Bin, heap: &SpinLock<Heap>, slot: usize, h: usize, need: usize) {
    let mut heap = heap.lock();
    let mut bytes = 0;
    for _ in 0..REFILL {
        let Some(p) = heap.take_for_cache(need - 16) else {
            break;
        };
        // SAFETY: `p` is a fresh block of at least 16 bytes, owned by this cache now.
        unsafe {
            p.cast::<*mut u8>().write(bin.head);
            bytes += Heap::block_size(p);
        }
        bin.head = p;
        bin.len += 1;
    }
    drop(heap);
    add_cached(&SLOTS[slot].cached[h], bytes as isize);
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
    let Some((cache, slot)) = active() else {
        return false;
    };
    // SAFETY: this thread's cache; `p` is ours to link from now on.
    unsafe {
        let bin = &mut (*cache).bins[h][size / ALIGN];
        p.cast::<*mut u8>().write(bin.head);
        bin.head = p;
        bin.len += 1;
        let s = &SLOTS[slot];
        add_cached(&s.cached[h], size as isize);
        bump_u64(&s.frees[h]);
        if bin.len > BIN_CAP {
            flush_bin(bin, &heaps[h], slot, h, (BIN_CAP / 2) as usize);
        }
    }
    true
}

/// Gives up to `count` blocks of `bin` back to `heap` under one lock.
#[cold]
fn flush_bin(bin: &mut Bin, heap: &SpinLock<Heap>, slot: usize, h: usize, count: usize) {
    let mut heap = heap.lock();
    let mut bytes = 0;
    let mut n = 0;
    while n < count && bin.len > 0 {
        let p = bin.head;
        // SAFETY: cached blocks are not live; their first word links the list.
        unsafe {
            bin.head = p.cast::<*mut u8>().read();
            bytes += Heap::block_size(p);
            heap.return_from_cache(p);
        }
        bin.len -= 1;
        n += 1;
    }
    drop(heap);
    add_cached(&SLOTS[slot].cached[h], -(bytes as isize));
}

fn flush(cache: &mut Cache, heaps: &[SpinLock<Heap>; HEAPS], h: usize, slot: usize, count: usize) {
    for bin in cache.bins[h].iter_mut() {
        if bin.len > 0 {
            flush_bin(bin, &heaps[h], slot, h, count);
        }
    }
}

/// Gives every block cached by the calling thread back to the heaps (before a trim, say).
pub(crate) fn flush_current_thread(heaps: &[SpinLock<Heap>; HEAPS]) {
    let _ = CACHE.try_with(|c| {
        // SAFETY: this thread's cache; called outside any other use of it.
        let cache = unsafe { &mut *c.get() };
        if let State::Active(slot) = cache.state {
            for h in 0..HEAPS {
                flush(cache, heaps, h, slot, usize::MAX);
            }
        }
    });
}

/// Totals of every slot for heap `h`: (allocations, frees, cached bytes).
pub(crate) fn totals(h: usize) -> (u64, u64, usize) {
    SLOTS.iter().fold((0, 0, 0), |(a, f, c), s| {
        (
            a + s.allocations[h].load(Ordering::Relaxed),
            f + s.frees[h].load(Ordering::Relaxed),
            c + s.cached[h].load(Ordering::Relaxed),
        )
    })
}
