//! The page map and the page bookkeeping: which tier owns each 64 KiB page, and granting and
//! taking back page runs within the tiers' budgets.

use core::sync::atomic::{AtomicU8, Ordering};

use super::Tier;
use super::config::{Config, MAX_PAGES, PAGE_SIZE};
use super::reservation::{Backing, Reservation};

/// Page map entry of a page walloc does not hold (not yet reserved, or someone else's).
const NOT_OURS: u8 = 0;
/// Page map entry of a page walloc holds but no tier owns: reusable.
const FREE: u8 = 5;

const fn owner_entry(tier: Tier) -> u8 {
    tier as u8 + 1
}

/// Pages the page map covers: the whole 4 GiB space (under miri, whose borrow tracking pays for
/// every byte of a reference to the map, 256 MiB: its tests use small heap-backed instances).
pub(crate) const MAP_PAGES: usize = if cfg!(miri) { 4096 } else { MAX_PAGES };

/// One byte per page of the 4 GiB space: which tier owns it. Read without locks, so any
/// pointer's tier is known without a header.
pub(crate) struct PageMap {
    entries: [AtomicU8; MAP_PAGES],
}

impl PageMap {
    pub(crate) const fn new() -> PageMap {
        PageMap {
            entries: [const { AtomicU8::new(NOT_OURS) }; MAP_PAGES],
        }
    }

    /// The tier owning `page`, if any.
    #[inline]
    pub(crate) fn owner(&self, page: usize) -> Option<Tier> {
        let entry = self.entries.get(page)?.load(Ordering::Relaxed);
        match entry {
            1..=4 => Tier::from_index(entry as usize - 1),
            _ => None,
        }
    }

    fn entry(&self, page: usize) -> u8 {
        self.entries[page].load(Ordering::Relaxed)
    }

    fn set(&self, first: usize, count: usize, entry: u8) {
        for e in &self.entries[first..first + count] {
            e.store(entry, Ordering::Relaxed);
        }
    }
}

/// Why pages could not be granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GrantError {
    /// The tier's budget plus what it may borrow is smaller than the request; `available`
    /// pages could still be granted.
    OverBudget { available: usize },
    /// The pages at the requested place are taken (contiguous extension only).
    Taken,
    /// The platform refused (reservation, commit or memory.grow failed).
    Platform,
}

/// Page bookkeeping of one walloc instance. Lives behind the instance's region lock.
pub(crate) struct Region {
    reservation: Option<Reservation>,
    backing: Backing,
    reserve_pages: usize,
    /// Pages `[0, high_water)` of a non-linear reservation have been handed out at some time.
    high_water: usize,
    held: [usize; 4],
}

impl Region {
    pub(crate) const fn new(backing: Backing, reserve_pages: usize) -> Region {
        Region {
            reservation: None,
            backing,
            reserve_pages,
            high_water: 0,
            held: [0; 4],
        }
    }

    /// Reserves the address space on first use (so a `static` instance costs nothing until
    /// something allocates).
    fn reservation(&mut self) -> Option<&Reservation> {
        if self.reservation.is_none() {
            let pages = self.reserved_pages();
            self.reservation = Reservation::new(self.backing, pages);
        }
        self.reservation.as_ref()
    }

    /// Address of page 0, once reserved.
    pub(crate) fn base(&self) -> Option<usize> {
        self.reservation.as_ref().map(Reservation::base)
    }

    /// Pages that can ever be reserved by this instance.
    pub(crate) fn reserved_pages(&self) -> usize {
        if cfg!(target_family = "wasm") && self.backing == Backing::Platform {
            MAX_PAGES
        } else {
            self.reserve_pages.min(MAP_PAGES)
        }
    }

    /// Pages held by `tier`.
    pub(crate) fn held(&self, tier: Tier) -> usize {
        self.held[tier.index()]
    }

    /// Pages held by all tiers.
    pub(crate) fn total_held(&self) -> usize {
        self.held.iter().sum()
    }

    /// The most pages `tier` may hold now: the ceiling less what every other tier holds, and
    /// less the unused budget of the other tiers that do not lend it.
    pub(crate) fn limit(&self, config: &Config, tier: Tier) -> usize {
        let others: usize = Tier::ALL
            .iter()
            .filter(|&&t| t != tier)
            .map(|&t| {
                if config.lends(t) {
                    self.held(t)
                } else {
                    config.budget_pages(t).max(self.held(t))
                }
            })
            .sum();
        config.ceiling_pages().saturating_sub(others)
    }

    /// Pages `tier` holds beyond its budget.
    pub(crate) fn borrowed(&self, config: &Config, tier: Tier) -> usize {
        self.held(tier).saturating_sub(config.budget_pages(tier))
    }

    /// Grants `count` pages to `tier`: at page `at` when given (to extend a run in place),
    /// otherwise wherever they fit. Returns the first page.
    pub(crate) fn grant(
        &mut self,
        map: &PageMap,
        config: &Config,
        tier: Tier,
        count: usize,
        at: Option<usize>,
    ) -> Result<usize, GrantError> {
        let limit = self.limit(config, tier);
        let held = self.held(tier);
        if held + count > limit {
            return Err(GrantError::OverBudget {
                available: limit.saturating_sub(held),
            });
        }
        let first = match at {
            Some(at) => self.take_at(map, at, count)?,
            None => self.take_any(map, count)?,
        };
        self.held[tier.index()] += count;
        map.set(first, count, owner_entry(tier));
        Ok(first)
    }

    /// Takes pages back from `tier`; they become free for any tier and their physical memory
    /// goes back to the OS where the platform allows.
    pub(crate) fn release(&mut self, map: &PageMap, tier: Tier, first: usize, count: usize) {
        debug_assert!((first..first + count).all(|p| map.owner(p) == Some(tier)));
        map.set(first, count, FREE);
        self.held[tier.index()] -= count;
        if let Some(r) = &self.reservation {
            r.decommit(first, count);
        }
    }

    fn take_at(&mut self, map: &PageMap, at: usize, count: usize) -> Result<usize, GrantError> {
        let end = at.checked_add(count).ok_or(GrantError::Taken)?;
        let reserved = self.reserved_pages();
        let hw = self.high_water;
        let reservation = self.reservation().ok_or(GrantError::Platform)?;
        if end > reserved {
            return Err(GrantError::Taken);
        }
        if reservation.is_linear_memory() {
            let size = reservation.memory_pages();
            if (at..end.min(size)).any(|p| map.entry(p) != FREE) {
                return Err(GrantError::Taken);
            }
            if end > size {
                if at > size {
                    return Err(GrantError::Taken);
                }
                let grown = reservation.grow(end - size).ok_or(GrantError::Platform)?;
                if grown != size {
                    // Someone else grew memory meanwhile: keep the new pages for later, fail
                    // the in-place extension.
                    map.set(grown, end - size, FREE);
                    return Err(GrantError::Taken);
                }
            }
            return Ok(at);
        }
        if (at..end.min(hw)).any(|p| map.entry(p) != FREE) || at > hw {
            return Err(GrantError::Taken);
        }
        if !reservation.commit(at, count) {
            return Err(GrantError::Platform);
        }
        self.high_water = hw.max(end);
        Ok(at)
    }

    fn take_any(&mut self, map: &PageMap, count: usize) -> Result<usize, GrantError> {
        let reserved = self.reserved_pages();
        let hw = self.high_water;
        let reservation = self.reservation().ok_or(GrantError::Platform)?;
        let scanned = if reservation.is_linear_memory() {
            reservation.memory_pages()
        } else {
            hw
        };
        if let Some(first) = first_free_run(map, scanned, count) {
            if !reservation.commit(first, count) {
                return Err(GrantError::Platform);
            }
            return Ok(first);
        }
        if reservation.is_linear_memory() {
            return reservation.grow(count).ok_or(GrantError::Platform);
        }
        if hw + count > reserved {
            return Err(GrantError::Platform);
        }
        if !reservation.commit(hw, count) {
            return Err(GrantError::Platform);
        }
        self.high_water = hw + count;
        Ok(hw)
    }

    /// Address of page `page`.
    pub(crate) fn page_addr(&self, page: usize) -> usize {
        self.base().unwrap_or(0) + page * PAGE_SIZE
    }
}

/// First run of `count` free pages below page `limit` (first fit).
fn first_free_run(map: &PageMap, limit: usize, count: usize) -> Option<usize> {
    let mut run = 0;
    for page in 0..limit {
        if map.entry(page) == FREE {
            run += 1;
            if run == count {
                return Some(page + 1 - count);
            }
        } else {
            run = 0;
        }
    }
    None
}
