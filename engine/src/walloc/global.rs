//! The process-wide walloc instance and the `GlobalAlloc` that routes to it.

use core::alloc::{GlobalAlloc, Layout};

use core::ptr::NonNull;

use super::config::Config;
#[cfg(not(target_family = "wasm"))]
use super::heap::{self, ALIGN, Heap, SMALL};
#[cfg(not(target_family = "wasm"))]
use super::lock::SpinLock;
use super::scope;
use super::stats::Stats;
#[cfg(not(target_family = "wasm"))]
use super::walloc::HEAPS;
use super::walloc::{GENERAL_HEAP, Walloc, heap_index};

static GLOBAL: Walloc = Walloc::new(Config::DEFAULT);

/// The process-wide instance (default config: 4 GiB ceiling, 50/30/15/5 % budgets). It serves
/// the global allocator when [`WallocGlobal`] is installed, and its Render arena is the
/// engine's.
/// Lower the ceiling or change budgets with [`Walloc::set_config`].
pub fn global() -> &'static Walloc {
    &GLOBAL
}

#[cfg(not(target_family = "wasm"))]
/// The global instance's heaps, for the thread caches' exit flush.
pub(crate) fn heaps() -> &'static [SpinLock<Heap>; HEAPS] {
    GLOBAL.heaps()
}

/// Usage of the process-wide instance.
pub fn stats() -> Stats {
    GLOBAL.stats()
}

/// The global allocator: install with
/// `#[global_allocator] static ALLOC: WallocGlobal = WallocGlobal;` (the `layerw` facade
/// does this with its default `walloc-global` feature). Allocations go to the tier selected by
/// [`with_tier`](super::with_tier) (General outside any scope). Natively, small blocks go
/// through per-thread caches first (see ARCHITECTURE.md); stats stay exact.
pub struct WallocGlobal;

// SAFETY: forwards to `Walloc`'s GlobalAlloc implementation, which upholds the contract.
unsafe impl GlobalAlloc for WallocGlobal {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let tier = scope::current_heap_tier();
        let h = heap_index(tier).unwrap_or(GENERAL_HEAP);
        #[cfg(not(target_family = "wasm"))]
        if layout.align() <= ALIGN {
            let need = heap::block_size_for(layout.size());
            if need < SMALL
                && GLOBAL.heap_alignment(h) <= ALIGN
                && let Some(p) = super::thread_cache::alloc(GLOBAL.heaps(), h, need)
            {
                return p;
            }
        }
        GLOBAL
            .heap_alloc(tier, h, layout)
            .map_or(core::ptr::null_mut(), NonNull::as_ptr)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // One page-map lookup serves both the cache and the locked path.
        let Some(h) = GLOBAL.tier_of(ptr).and_then(heap_index) else {
            // SAFETY: forwarded caller contract (this reports memory walloc does not own).
            return unsafe { GlobalAlloc::dealloc(&GLOBAL, ptr, layout) };
        };
        // SAFETY: the caller frees a live block of the global instance; the page map says
        // it belongs to heap `h`.
        unsafe {
            #[cfg(not(target_family = "wasm"))]
            if GLOBAL.heap_alignment(h) <= ALIGN
                && super::thread_cache::dealloc(GLOBAL.heaps(), h, ptr)
            {
                return;
            }
            GLOBAL.heap_free(h, ptr);
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded caller contract.
        unsafe { GLOBAL.realloc(ptr, layout, new_size) }
    }
}

/// At most how many more bytes a global-allocator request made now on this thread could get
/// (see [`Walloc::available`]; the tier is the one [`with_tier`](super::with_tier) routes to),
/// or `None` when walloc is not the process's global allocator (nothing to check against).
pub fn available_here() -> Option<u64> {
    is_global_allocator().then(|| GLOBAL.available(super::scope::current_heap_tier()))
}

/// True when the process's global allocator is walloc's (checked by allocating a byte).
pub fn is_global_allocator() -> bool {
    let probe = Box::new(0u8);
    GLOBAL.tier_of(&*probe as *const u8).is_some()
}
