//! Walloc configuration: ceiling, per-tier budgets and alignments.

use super::Tier;
use super::error::ConfigError;

/// Size of a walloc page, the unit in which tiers get memory: 64 KiB, the wasm page size.
pub const PAGE_SIZE: usize = 64 * 1024;
/// The largest ceiling: 4 GiB, all that wasm32 can address.
pub const MAX_CEILING: u64 = 4 << 30;
/// Number of pages under the largest ceiling; the page map has one entry per page.
pub(crate) const MAX_PAGES: usize = (MAX_CEILING / PAGE_SIZE as u64) as usize;

/// A tier's budget: the memory it is guaranteed, as a share of the ceiling or in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// Percent of the ceiling (0..=100).
    Percent(u8),
    /// Bytes (rounded down to whole pages).
    Bytes(u64),
}

/// Walloc's settings. `Config::DEFAULT` is the original Layer-W split of a 4 GiB ceiling:
/// Render 50 %, Scene 30 %, Entity 15 %, General 5 %, aligned 128/64/16/16 B; Render, Scene
/// and Entity lend their unused budget, General lends none.
///
/// Budgets are guarantees. A tier over its budget borrows pages no tier is guaranteed (what
/// budgets that add up to less than the ceiling leave) and the unused budget of tiers that
/// lend. A lent page is the owner's again when it asks: an owner below its budget that finds
/// the ceiling full makes the borrowers give back (fully free heap pools return at once, then
/// the reclaim hooks run for each borrowing tier) before it fails. A tier that does not lend
/// keeps its unused budget free for itself: General's default, because most of its allocations
/// come through the global allocator, where a failure aborts the process.
///
/// # Example
/// ```
/// use layerw_engine::walloc::{Budget, Config, Tier};
/// let config = Config::DEFAULT
///     .with_ceiling(256 << 20)
///     .with_budget(Tier::General, Budget::Bytes(8 << 20));
/// assert!(config.validate().is_ok());
/// assert_eq!(config.budget_bytes(Tier::General), 8 << 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Most bytes walloc will ever hold across all tiers; a multiple of [`PAGE_SIZE`].
    pub ceiling: u64,
    /// Budget per tier, indexed by [`Tier::index`].
    pub budgets: [Budget; 4],
    /// Minimum alignment per tier, indexed by [`Tier::index`]; powers of two up to 4096.
    pub alignments: [usize; 4],
    /// Per tier, indexed by [`Tier::index`]: whether other tiers may borrow its unused budget.
    pub lends: [bool; 4],
}

impl Config {
    /// The default configuration (see the type's docs).
    pub const DEFAULT: Config = Config {
        ceiling: MAX_CEILING,
        budgets: [
            Budget::Percent(50),
            Budget::Percent(30),
            Budget::Percent(15),
            Budget::Percent(5),
        ],
        alignments: [128, 64, 16, 16],
        lends: [true, true, true, false],
    };

    /// The same configuration with another ceiling (budgets given in percent follow it).
    pub const fn with_ceiling(mut self, bytes: u64) -> Config {
        self.ceiling = bytes;
        self
    }

    /// The same configuration with another budget for `tier`.
    pub const fn with_budget(mut self, tier: Tier, budget: Budget) -> Config {
        self.budgets[tier.index()] = budget;
        self
    }

    /// The same configuration with another minimum alignment for `tier`.
    pub const fn with_alignment(mut self, tier: Tier, align: usize) -> Config {
        self.alignments[tier.index()] = align;
        self
    }

    /// The same configuration with `tier` lending its unused budget to other tiers, or not.
    pub const fn with_lending(mut self, tier: Tier, lends: bool) -> Config {
        self.lends[tier.index()] = lends;
        self
    }

    /// Whether other tiers may borrow the unused budget of `tier`.
    pub const fn lends(&self, tier: Tier) -> bool {
        self.lends[tier.index()]
    }

    /// The ceiling in pages.
    pub const fn ceiling_pages(&self) -> usize {
        (self.ceiling / PAGE_SIZE as u64) as usize
    }

    /// The budget of `tier` in bytes, whole pages.
    pub const fn budget_bytes(&self, tier: Tier) -> u64 {
        self.budget_pages(tier) as u64 * PAGE_SIZE as u64
    }

    /// The budget of `tier` in pages.
    pub const fn budget_pages(&self, tier: Tier) -> usize {
        let bytes = match self.budgets[tier.index()] {
            Budget::Percent(p) => self.ceiling / 100 * p as u64,
            Budget::Bytes(b) => b,
        };
        (bytes / PAGE_SIZE as u64) as usize
    }

    /// The minimum alignment of `tier`.
    pub const fn alignment(&self, tier: Tier) -> usize {
        self.alignments[tier.index()]
    }

    /// `validate` for const contexts: true when valid.
    pub(crate) const fn validate_const(&self) -> bool {
        if self.ceiling == 0
            || !self.ceiling.is_multiple_of(PAGE_SIZE as u64)
            || self.ceiling > MAX_CEILING
        {
            return false;
        }
        let mut total = 0;
        let mut i = 0;
        while i < 4 {
            if let Budget::Percent(p) = self.budgets[i]
                && p > 100
            {
                return false;
            }
            let align = self.alignments[i];
            if !align.is_power_of_two() || align > 4096 {
                return false;
            }
            total += self.budget_bytes(Tier::ALL[i]);
            i += 1;
        }
        total <= self.ceiling
    }

    /// Checks the configuration: a ceiling of whole pages up to 4 GiB, budgets that fit under
    /// it together, and power-of-two alignments up to 4096.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.ceiling == 0
            || !self.ceiling.is_multiple_of(PAGE_SIZE as u64)
            || self.ceiling > MAX_CEILING
        {
            return Err(ConfigError::Ceiling {
                ceiling: self.ceiling,
            });
        }
        for tier in Tier::ALL {
            if let Budget::Percent(p) = self.budgets[tier.index()]
                && p > 100
            {
                return Err(ConfigError::Budget {
                    tier,
                    budget: self.budgets[tier.index()],
                });
            }
            let align = self.alignment(tier);
            if !align.is_power_of_two() || align > 4096 {
                return Err(ConfigError::Alignment { tier, align });
            }
        }
        let total: u64 = Tier::ALL.iter().map(|&t| self.budget_bytes(t)).sum();
        if total > self.ceiling {
            return Err(ConfigError::BudgetsExceedCeiling {
                total,
                ceiling: self.ceiling,
            });
        }
        Ok(())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_split_matches_the_design() {
        let c = Config::DEFAULT;
        c.validate().unwrap();
        let gib = 1u64 << 30;
        let page = PAGE_SIZE as u64;
        assert_eq!(
            c.budget_bytes(Tier::Render),
            4 * gib / 100 * 50 / page * page
        );
        assert_eq!(
            c.budget_pages(Tier::General),
            (4 * gib / 100 * 5 / 65536) as usize
        );
        assert_eq!(c.alignments, [128, 64, 16, 16]);
        assert_eq!(c.lends, [true, true, true, false]);
    }

    #[test]
    fn rejects_bad_settings() {
        assert!(matches!(
            Config::DEFAULT.with_ceiling(1000).validate(),
            Err(ConfigError::Ceiling { .. })
        ));
        assert!(matches!(
            Config::DEFAULT.with_alignment(Tier::Scene, 48).validate(),
            Err(ConfigError::Alignment { align: 48, .. })
        ));
        assert!(matches!(
            Config::DEFAULT
                .with_budget(Tier::General, Budget::Percent(20))
                .validate(),
            Err(ConfigError::BudgetsExceedCeiling { .. })
        ));
    }
}
