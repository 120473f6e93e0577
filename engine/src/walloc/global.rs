//! The process-wide walloc instance and the `GlobalAlloc` that routes to it.

use core::alloc::{GlobalAlloc, Layout};

use super::config::Config;
use super::stats::Stats;
use super::walloc::Walloc;

static GLOBAL: Walloc = Walloc::new(Config::DEFAULT);

/// The process-wide instance (default config: 4 GiB ceiling, 50/30/15/5 % budgets). It serves
/// the global allocator when [`WallocGlobal`] is installed, and its arenas are the engine's.
/// Lower the ceiling or change budgets with [`Walloc::set_config`].
pub fn global() -> &'static Walloc {
    &GLOBAL
}

/// Usage of the process-wide instance.
pub fn stats() -> Stats {
    GLOBAL.stats()
}

/// The global allocator: install with
/// `#[global_allocator] static ALLOC: WallocGlobal = WallocGlobal;` (the `layerw` facade
/// does this with its default `walloc-global` feature). Allocations go to the tier selected by
/// [`with_tier`](super::with_tier) (General outside any scope).
pub struct WallocGlobal;

// SAFETY: forwards to `Walloc`'s GlobalAlloc implementation, which upholds the contract.
unsafe impl GlobalAlloc for WallocGlobal {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded caller contract.
        unsafe { GLOBAL.alloc(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded caller contract.
        unsafe { GlobalAlloc::dealloc(&GLOBAL, ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded caller contract.
        unsafe { GLOBAL.realloc(ptr, layout, new_size) }
    }
}

/// True when the process's global allocator is walloc's (checked by allocating a byte).
pub fn is_global_allocator() -> bool {
    let probe = Box::new(0u8);
    GLOBAL.tier_of(&*probe as *const u8).is_some()
}
