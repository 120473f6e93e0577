//! The Scene tier's reclaim hook: an allocation that would fail there asks the streamer to
//! evict. The hook runs inside the allocator on any thread, where the streamer (a resource of
//! the World) cannot be reached safely, so it only records the bytes wanted; the next
//! `Streamer::update` evicts that much, least valuable levels first.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::walloc::{self, Tier};

static PRESSURE: AtomicU64 = AtomicU64::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

fn on_scene_exhausted(tier: Tier, requested: u64) -> u64 {
    if tier == Tier::Scene {
        PRESSURE.fetch_add(requested, Ordering::Relaxed);
    }
    // Nothing is freed now: the eviction happens at the next update.
    0
}

static HOOK: fn(Tier, u64) -> u64 = on_scene_exhausted;

/// Installs the Scene tier's reclaim hook on walloc's global instance, once per process;
/// true when it is installed (walloc is the global allocator and had room for a hook).
pub fn install_reclaim_hook() -> bool {
    if !walloc::is_global_allocator() {
        return false;
    }
    if INSTALLED.swap(true, Ordering::AcqRel) {
        return true;
    }
    let installed = walloc::global().add_reclaim_hook(&HOOK).is_ok();
    if !installed {
        INSTALLED.store(false, Ordering::Release);
    }
    installed
}

/// Bytes the hook was asked for since the last call.
pub(super) fn take() -> u64 {
    PRESSURE.swap(0, Ordering::AcqRel)
}

/// Records a request as the hook would (tests).
#[cfg(test)]
pub(super) fn record(requested: u64) {
    on_scene_exhausted(Tier::Scene, requested);
}
