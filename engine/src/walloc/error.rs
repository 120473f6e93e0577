//! Walloc's errors: one type per operation, each carrying the numbers that explain it.

use core::fmt;

use super::Tier;
use super::config::Budget;

/// A tier could not get the memory asked for, even after borrowing and running reclaim hooks.
/// Nothing was allocated and no live data was touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory {
    /// The tier that was asked.
    pub tier: Tier,
    /// Bytes requested (the allocation's size).
    pub requested: u64,
    /// Bytes the tier could still get in pages: its unused budget plus what it may borrow.
    pub available: u64,
}

impl fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "walloc: {} tier out of memory: requested {} bytes, {} bytes available",
            self.tier, self.requested, self.available
        )
    }
}

impl std::error::Error for OutOfMemory {}

/// Why a heap allocation failed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocError {
    /// The tier is out of memory.
    OutOfMemory(OutOfMemory),
    /// The tier is the arena (Render): allocate through its [`Arena`](super::Arena).
    NotAHeap {
        /// The arena tier that was asked.
        tier: Tier,
    },
}

impl From<OutOfMemory> for AllocError {
    fn from(e: OutOfMemory) -> Self {
        AllocError::OutOfMemory(e)
    }
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocError::OutOfMemory(e) => e.fmt(f),
            AllocError::NotAHeap { tier } => {
                write!(
                    f,
                    "walloc: the {tier} tier is an arena; allocate through its owner"
                )
            }
        }
    }
}

impl std::error::Error for AllocError {}

/// Why an arena could not be taken.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArenaError {
    /// The tier is a heap (Scene, Entity, General), not an arena.
    NotAnArena {
        /// The heap tier that was asked.
        tier: Tier,
    },
    /// Another owner holds the arena; only one may, so only it can reset it.
    AlreadyOwned {
        /// The arena tier that was asked.
        tier: Tier,
    },
}

impl fmt::Display for ArenaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArenaError::NotAnArena { tier } => write!(f, "walloc: the {tier} tier is not an arena"),
            ArenaError::AlreadyOwned { tier } => {
                write!(f, "walloc: the {tier} arena already has an owner")
            }
        }
    }
}

impl std::error::Error for ArenaError {}

/// An [`ArenaPtr`](super::ArenaPtr) whose memory was given back by a reset, rewind or compact
/// after it was allocated, or that belongs to another arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaleHandle {
    /// The arena the handle was used with.
    pub tier: Tier,
    /// The arena epoch the handle was made in.
    pub made_in: u32,
    /// The arena's epoch now.
    pub now: u32,
}

impl fmt::Display for StaleHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "walloc: stale {} arena handle (made in epoch {}, arena now in epoch {}): its memory was reset",
            self.tier, self.made_in, self.now
        )
    }
}

impl std::error::Error for StaleHandle {}

/// An invalid [`Config`](super::Config).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The ceiling is zero, not a whole number of pages, or above 4 GiB.
    Ceiling {
        /// The rejected ceiling in bytes.
        ceiling: u64,
    },
    /// A budget percentage above 100.
    Budget {
        /// The tier.
        tier: Tier,
        /// The rejected budget.
        budget: Budget,
    },
    /// An alignment that is not a power of two up to 4096.
    Alignment {
        /// The tier.
        tier: Tier,
        /// The rejected alignment.
        align: usize,
    },
    /// The budgets add up to more than the ceiling.
    BudgetsExceedCeiling {
        /// Sum of the budgets in bytes.
        total: u64,
        /// The ceiling in bytes.
        ceiling: u64,
    },
    /// The new ceiling is above what this instance reserved, or below what it already holds.
    CeilingOutOfRange {
        /// The requested ceiling.
        ceiling: u64,
        /// The smallest acceptable ceiling: bytes held now.
        held: u64,
        /// The largest acceptable ceiling: bytes reserved.
        reserved: u64,
    },
    /// The alignment of an arena tier cannot change while it has an owner.
    ArenaInUse {
        /// The tier.
        tier: Tier,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Ceiling { ceiling } => write!(
                f,
                "walloc: ceiling {ceiling} must be a non-zero multiple of 64 KiB up to 4 GiB"
            ),
            ConfigError::Budget { tier, budget } => {
                write!(f, "walloc: invalid {tier} budget {budget:?}")
            }
            ConfigError::Alignment { tier, align } => write!(
                f,
                "walloc: {tier} alignment {align} must be a power of two up to 4096"
            ),
            ConfigError::BudgetsExceedCeiling { total, ceiling } => write!(
                f,
                "walloc: budgets add up to {total} bytes, above the {ceiling} byte ceiling"
            ),
            ConfigError::CeilingOutOfRange {
                ceiling,
                held,
                reserved,
            } => write!(
                f,
                "walloc: ceiling {ceiling} must lie between {held} (held) and {reserved} (reserved)"
            ),
            ConfigError::ArenaInUse { tier } => {
                write!(f, "walloc: the {tier} arena has an owner; release it first")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// The reclaim hook table is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HooksFull {
    /// How many hooks the table holds.
    pub capacity: usize,
}

impl fmt::Display for HooksFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "walloc: all {} reclaim hook slots are taken",
            self.capacity
        )
    }
}

impl std::error::Error for HooksFull {}
