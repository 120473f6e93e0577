//! Walloc: Layer-W's tiered memory system.
//!
//! One reserved address space with a ceiling (default 4 GiB, the wasm32 limit), handed out in
//! 64 KiB pages to four tiers, each with a budget and a policy:
//!
//! | tier | policy | default budget | alignment |
//! |---|---|---|---|
//! | Render | arena (bump, reset per frame) | 50 % | 128 B |
//! | Scene | TLSF heap (streamed levels, freed one at a time) | 30 % | 64 B |
//! | Entity | TLSF heap (free, realloc, O(1)) | 15 % | 16 B |
//! | General | TLSF heap | 5 % | 16 B |
//!
//! Natively the space is one virtual reservation committed as used; on wasm it is the linear
//! memory, grown with `memory.grow`. A page map (one byte per page) records each page's tier,
//! so any pointer's tier is known without a header. A tier over its budget borrows pages no
//! tier is guaranteed and the unused budget of tiers that lend (Render, Scene and Entity by
//! default; see [`Config`]). Running out is an event: fully free heap pools are returned and
//! the reclaim hooks run (for the borrowers too, when an owner wants its lent budget back),
//! then the fallible API returns [`OutOfMemory`] with the numbers.
//!
//! # Example
//! ```
//! use core::alloc::Layout;
//! use layerw_engine::walloc::{Config, Tier, Walloc};
//! let walloc = Walloc::with_heap_backing(Config::DEFAULT.with_ceiling(16 << 20)).unwrap();
//! let p = walloc.try_alloc(Tier::Entity, Layout::new::<[u64; 8]>()).unwrap();
//! assert_eq!(walloc.tier_of(p.as_ptr()), Some(Tier::Entity));
//! assert_eq!(walloc.stats().tier(Tier::Entity).allocations, 1);
//! unsafe { walloc.dealloc(p, Layout::new::<[u64; 8]>()) };
//! ```

mod arena;
mod arena_state;
mod config;
mod error;
mod global;
mod heap;
mod lock;
mod region;
mod reservation;
mod scope;
mod split;
mod stats;
#[cfg(not(target_family = "wasm"))]
mod thread_cache;
mod tier;
#[allow(clippy::module_inception)]
mod walloc;

#[cfg(test)]
mod lending_tests;
#[cfg(test)]
mod scene_tests;
#[cfg(test)]
mod tests;

pub use arena::{Arena, ArenaPtr, Mark};
pub use config::{Budget, Config, MAX_CEILING, PAGE_SIZE};
pub use error::{AllocError, ArenaError, ConfigError, HooksFull, OutOfMemory, StaleHandle};
pub use global::{WallocGlobal, available_here, global, is_global_allocator, stats};
pub use scope::{current_tier, with_tier};
pub use split::EntityWallocGlobal;
pub use stats::{Stats, TierStats};
pub use tier::Tier;
pub use walloc::{MAX_RECLAIM_HOOKS, MAX_RECLAIM_ROUNDS, ReclaimHook, Walloc};
