//! The four memory tiers and their configuration.

use core::fmt;

/// A walloc tier: a region of the reservation with its own budget, alignment and policy.
///
/// Render is an arena (bump allocation, freed as a whole, for per-frame data); Scene, Entity and
/// General are heaps with individual free and realloc, and serve the global allocator inside
/// [`with_tier`](super::with_tier).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Per-frame GPU-bound data: instance buffers, culling output. Arena, 128 B aligned.
    Render = 0,
    /// Streamed content resident across frames: decoded LOD levels and texture mips in CPU
    /// memory, each freed on its own when the streaming cache evicts it. Heap, 64 B aligned.
    /// The streaming cache's reclaim hook runs with this tier when an allocation would pass
    /// its budget.
    Scene = 1,
    /// ECS archetype tables: every structural change of the World runs in this tier. Heap.
    Entity = 2,
    /// Everything else: allocations made outside any `with_tier` scope. Heap.
    General = 3,
}

impl Tier {
    /// Every tier, in index order.
    pub const ALL: [Tier; 4] = [Tier::Render, Tier::Scene, Tier::Entity, Tier::General];

    /// Index of the tier in per-tier arrays (0..4).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The tier with the given index, if any.
    pub const fn from_index(index: usize) -> Option<Tier> {
        match index {
            0 => Some(Tier::Render),
            1 => Some(Tier::Scene),
            2 => Some(Tier::Entity),
            3 => Some(Tier::General),
            _ => None,
        }
    }

    /// True for the bump-allocated tier (Render), which frees only as a whole.
    pub const fn is_arena(self) -> bool {
        matches!(self, Tier::Render)
    }

    /// Lower-case name, as used in stats and tracing output.
    pub const fn name(self) -> &'static str {
        match self {
            Tier::Render => "render",
            Tier::Scene => "scene",
            Tier::Entity => "entity",
            Tier::General => "general",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
