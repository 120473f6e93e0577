//! Per-tier usage figures.

use super::Tier;

/// Usage of one tier. Bytes throughout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierStats {
    /// The tier.
    pub tier: Tier,
    /// The tier's budget (its guaranteed capacity).
    pub budget: u64,
    /// Pages the tier holds now, in bytes.
    pub held: u64,
    /// Held beyond the budget: unguaranteed pages, or the unused budget of tiers that lend.
    pub borrowed: u64,
    /// In live blocks (heaps, headers included) or below the cursor (arenas).
    pub used: u64,
    /// Highest `used` seen (heaps: measured at the tier, so it includes blocks parked in
    /// thread caches at the time).
    pub peak: u64,
    /// Freed small blocks parked in threads' caches for reuse (global instance, native only):
    /// held by the tier, not live, not in `used`.
    pub cached: u64,
    /// Allocations served.
    pub allocations: u64,
    /// Blocks freed (heaps; arenas free only as a whole).
    pub frees: u64,
    /// Allocations refused for lack of memory.
    pub failures: u64,
}

/// Usage of a walloc instance: the ceiling and every tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// The ceiling in force.
    pub ceiling: u64,
    /// Pages held by all tiers, in bytes.
    pub held: u64,
    /// Per tier, indexed by [`Tier::index`].
    pub tiers: [TierStats; 4],
}

impl Stats {
    /// The figures of `tier`.
    pub fn tier(&self, tier: Tier) -> &TierStats {
        &self.tiers[tier.index()]
    }

    /// Emits one `tracing` event per tier (target `walloc`, level INFO).
    pub fn emit(&self) {
        for t in &self.tiers {
            tracing::info!(
                target: "walloc",
                tier = t.tier.name(),
                budget = t.budget,
                held = t.held,
                borrowed = t.borrowed,
                used = t.used,
                peak = t.peak,
                cached = t.cached,
                allocations = t.allocations,
                frees = t.frees,
                failures = t.failures,
                "walloc tier"
            );
        }
    }
}
