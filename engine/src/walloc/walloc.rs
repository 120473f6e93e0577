//! `Walloc`: one instance of the tiered allocator, tying the region, the page map, the three
//! heaps (Scene, Entity, General) and the Render arena together.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::Tier;
use super::arena::Arena;
use super::arena_state::{self, ArenaCounters, ArenaState, Chunk};
use super::config::{Config, MAX_PAGES, PAGE_SIZE};
use super::error::{AllocError, ArenaError, ConfigError, HooksFull, OutOfMemory};
use super::heap::{self, Heap, MAX_REQUEST};
use super::lock::SpinLock;
use super::region::{GrantError, PageMap, Region};
use super::reservation::Backing;
use super::scope;
use super::stats::{Stats, TierStats};

/// Pages a heap asks for at a time (1 MiB) unless one allocation needs more.
const HEAP_GROW_PAGES: usize = 16;
/// Number of heap tiers (Scene, Entity, General).
pub(crate) const HEAPS: usize = 3;
/// The heap tiers, in heap-index order (see [`heap_index`]).
pub(crate) const HEAP_TIERS: [Tier; HEAPS] = [Tier::Scene, Tier::Entity, Tier::General];
/// Heap index of the General tier, which serves global allocations outside any heap scope.
pub(crate) const GENERAL_HEAP: usize = 2;
/// Reclaim hooks an instance can hold.
pub const MAX_RECLAIM_HOOKS: usize = 8;
/// Most times the reclaim hooks run for one heap allocation. Freed bytes need not lie next to
/// each other, so one round that frees `requested` bytes may still leave no block that fits;
/// the hooks run again (each round after a failed retry) while they report freeing something.
pub const MAX_RECLAIM_ROUNDS: usize = 4;

/// A reclaim hook: asked to free memory when `tier` cannot get `requested` bytes (the size of
/// the allocation that failed); returns how many bytes it freed (0 when it could not help). It
/// runs with no walloc lock held, so it may free and allocate. For one heap allocation the hooks
/// run up to [`MAX_RECLAIM_ROUNDS`] times, while they report freeing something.
pub type ReclaimHook = &'static (dyn Fn(Tier, u64) -> u64 + Send + Sync);

std::thread_local! {
    // Set while this thread runs reclaim hooks, so a hook's own failing allocation does not
    // run the hooks again.
    static RECLAIMING: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// One tiered allocator instance: a reservation with a ceiling, split into the Render arena and
/// the Scene, Entity and General heaps (see the [module docs](super)).
///
/// The process-wide instance is [`global()`](super::global); others serve tests and tools.
pub struct Walloc {
    config: SpinLock<Config>,
    heap_align: [AtomicUsize; HEAPS],
    base: AtomicUsize,
    region: SpinLock<Region>,
    map: PageMap,
    heaps: [SpinLock<Heap>; HEAPS],
    /// The Render tier's arena: its chunks and cursor between owners.
    arena: SpinLock<ArenaState>,
    arena_owned: AtomicBool,
    arena_counters: ArenaCounters,
    hooks: SpinLock<[Option<ReclaimHook>; MAX_RECLAIM_HOOKS]>,
}

/// Index of a heap tier in per-heap arrays (0 Scene, 1 Entity, 2 General); `None` for the
/// Render arena.
#[inline]
pub(crate) fn heap_index(tier: Tier) -> Option<usize> {
    match tier {
        Tier::Scene => Some(0),
        Tier::Entity => Some(1),
        Tier::General => Some(GENERAL_HEAP),
        Tier::Render => None,
    }
}

impl Walloc {
    /// An instance over the platform's address space: a virtual reservation of
    /// `config.ceiling` bytes natively, the linear memory on wasm. Nothing is reserved until
    /// the first allocation, so this can initialise a `static`. The config is checked then
    /// (an invalid one falls back to [`Config::DEFAULT`]); check it with
    /// [`Config::validate`] first.
    pub const fn new(config: Config) -> Walloc {
        Walloc::with_backing(config, Backing::Platform)
    }

    /// An instance whose pages come from one block of the system allocator, committed at once.
    /// For tests, tools and miri, where reserving address space is not possible.
    pub fn with_heap_backing(config: Config) -> Result<Box<Walloc>, ConfigError> {
        config.validate()?;
        Ok(Box::new(Walloc::with_backing(config, Backing::Heap)))
    }

    /// An instance over the platform's address space with a checked config, boxed (it holds
    /// a 64 KiB page map and the heaps' class tables).
    pub fn try_new(config: Config) -> Result<Box<Walloc>, ConfigError> {
        config.validate()?;
        Ok(Box::new(Walloc::new(config)))
    }

    const fn with_backing(config: Config, backing: Backing) -> Walloc {
        let config = match config.validate_const() {
            true => config,
            false => Config::DEFAULT,
        };
        Walloc {
            heap_align: [
                AtomicUsize::new(config.alignment(HEAP_TIERS[0])),
                AtomicUsize::new(config.alignment(HEAP_TIERS[1])),
                AtomicUsize::new(config.alignment(HEAP_TIERS[2])),
            ],
            region: SpinLock::new(Region::new(backing, config.ceiling_pages())),
            config: SpinLock::new(config),
            base: AtomicUsize::new(0),
            map: PageMap::new(),
            heaps: [const { SpinLock::new(Heap::new()) }; HEAPS],
            arena: SpinLock::new(ArenaState::new()),
            arena_owned: AtomicBool::new(false),
            arena_counters: ArenaCounters::new(),
            hooks: SpinLock::new([None; MAX_RECLAIM_HOOKS]),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> Config {
        *self.config.lock()
    }

    /// Replaces the configuration at run time. The ceiling must lie between what is held now
    /// and what was reserved; a budget may drop below what its tier holds (the tier then
    /// cannot grow until it shrinks). The Render arena's alignment cannot change while it has
    /// an owner; a heap tier's new alignment applies to its next allocations.
    pub fn set_config(&self, config: Config) -> Result<(), ConfigError> {
        config.validate()?;
        let old = self.config();
        if config.alignment(Tier::Render) != old.alignment(Tier::Render)
            && self.arena_owned.load(Ordering::Acquire)
        {
            return Err(ConfigError::ArenaInUse { tier: Tier::Render });
        }
        let region = self.region.lock();
        let held = region.total_held();
        let reserved = region.reserved_pages();
        let pages = config.ceiling_pages();
        if pages < held || pages > reserved {
            return Err(ConfigError::CeilingOutOfRange {
                ceiling: config.ceiling,
                held: (held * PAGE_SIZE) as u64,
                reserved: reserved as u64 * PAGE_SIZE as u64,
            });
        }
        *self.config.lock() = config;
        drop(region);
        for (align, tier) in self.heap_align.iter().zip(HEAP_TIERS) {
            align.store(config.alignment(tier), Ordering::Relaxed);
        }
        Ok(())
    }

    /// The tier owning the memory at `ptr`, from the page map; `None` for memory this
    /// instance does not hold.
    #[inline]
    pub fn tier_of(&self, ptr: *const u8) -> Option<Tier> {
        let page = (ptr as usize).wrapping_sub(self.base.load(Ordering::Relaxed)) / PAGE_SIZE;
        if page < MAX_PAGES {
            self.map.owner(page)
        } else {
            None
        }
    }

    fn page_of(&self, addr: usize) -> usize {
        (addr - self.base.load(Ordering::Relaxed)) / PAGE_SIZE
    }

    /// Allocates `layout` in heap tier `tier` (Scene, Entity or General), aligned to at least
    /// the tier's alignment. When the tier cannot get the pages, fully free heap pools are
    /// returned and the reclaim hooks run with `tier` and the size before it fails. On failure
    /// nothing changes and the error says why.
    #[inline]
    pub fn try_alloc(&self, tier: Tier, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        let Some(h) = heap_index(tier) else {
            return Err(AllocError::NotAHeap { tier });
        };
        Ok(self.heap_alloc(tier, h, layout)?)
    }

    #[inline]
    pub(crate) fn heap_alloc(
        &self,
        tier: Tier,
        h: usize,
        layout: Layout,
    ) -> Result<NonNull<u8>, OutOfMemory> {
        let align = layout
            .align()
            .max(self.heap_align[h].load(Ordering::Relaxed));
        if layout.size() <= MAX_REQUEST
            && let Some(p) = self.heaps[h].lock().alloc(layout.size(), align)
        {
            // SAFETY: heap blocks are never at address 0.
            return Ok(unsafe { NonNull::new_unchecked(p) });
        }
        self.heap_alloc_slow(tier, h, layout.size(), align)
    }

    #[cold]
    fn heap_alloc_slow(
        &self,
        tier: Tier,
        h: usize,
        size: usize,
        align: usize,
    ) -> Result<NonNull<u8>, OutOfMemory> {
        let mut available = 0;
        if size <= MAX_REQUEST {
            for round in 0..=MAX_RECLAIM_ROUNDS {
                {
                    let mut heap = self.heaps[h].lock();
                    if let Some(p) = heap.alloc(size, align) {
                        return Ok(NonNull::new(p).expect("heap blocks are non-null"));
                    }
                    // Quick-binned blocks may merge into a fit before the heap grows.
                    if heap.flush_quick()
                        && let Some(p) = heap.alloc(size, align)
                    {
                        return Ok(NonNull::new(p).expect("heap blocks are non-null"));
                    }
                    let bytes = heap::pool_bytes_for(size, align);
                    match self.grow_heap(&mut heap, tier, bytes) {
                        Ok(()) => {
                            if let Some(p) = heap.alloc(size, align) {
                                return Ok(NonNull::new(p).expect("heap blocks are non-null"));
                            }
                        }
                        Err(a) => available = a,
                    }
                }
                if round == MAX_RECLAIM_ROUNDS || !self.reclaim(tier, size as u64) {
                    break;
                }
            }
        }
        self.heaps[h].lock().failures += 1;
        Err(OutOfMemory {
            tier,
            requested: size as u64,
            available,
        })
    }

    /// Gets pages for a heap: extends its newest pool in place when the pages after it are
    /// free, otherwise adds a pool. Returns the bytes still available on failure.
    fn grow_heap(&self, heap: &mut Heap, tier: Tier, bytes: usize) -> Result<(), u64> {
        let min = bytes.div_ceil(PAGE_SIZE);
        let want = min.max(HEAP_GROW_PAGES);
        if let Some(&last) = heap.pools().last() {
            let at = self.page_of(last.end);
            // Extending needs fewer new bytes when the last block is free; asking for the full
            // amount keeps the arithmetic simple and the pool grows by at least a chunk.
            if let Ok((_, count)) = self.grant(tier, min, want, Some(at)) {
                let index = heap.pools().len() - 1;
                // SAFETY: the region just granted [last.end, last.end + count pages) to this
                // tier, and the caller holds the heap's lock.
                unsafe { heap.extend_pool(index, last.end + count * PAGE_SIZE) };
                return Ok(());
            }
        }
        if !heap.can_add_pool() {
            return Err(0);
        }
        let (first, count) = self.grant(tier, min, want, None)?;
        let start = self.region.lock().page_addr(first);
        // SAFETY: the region just granted these pages to this tier; they are committed,
        // 64 KiB aligned and in no pool.
        unsafe { heap.add_pool(start, start + count * PAGE_SIZE) };
        Ok(())
    }

    /// Grants between `min` and `want` pages to `tier` (at page `at` if given). Returns the
    /// first page and the count, or the bytes still available.
    fn grant(
        &self,
        tier: Tier,
        min: usize,
        want: usize,
        at: Option<usize>,
    ) -> Result<(usize, usize), u64> {
        let config = self.config();
        let mut region = self.region.lock();
        let result = match region.grant(&self.map, &config, tier, want, at) {
            Err(GrantError::OverBudget { available }) if available >= min && available < want => {
                region
                    .grant(&self.map, &config, tier, available, at)
                    .map(|first| (first, available))
            }
            other => other.map(|first| (first, want)),
        };
        if self.base.load(Ordering::Relaxed) == 0
            && let Some(base) = region.base()
        {
            self.base.store(base, Ordering::Relaxed);
        }
        result.map_err(|e| match e {
            GrantError::OverBudget { available } => (available * PAGE_SIZE) as u64,
            _ => 0,
        })
    }

    /// Frees `ptr`, allocated from this instance with `layout`.
    ///
    /// # Safety
    /// `ptr` came from [`try_alloc`](Self::try_alloc) or [`try_realloc`](Self::try_realloc)
    /// of this instance (or its `GlobalAlloc` methods) and was not freed since.
    #[inline]
    pub unsafe fn dealloc(&self, ptr: NonNull<u8>, layout: Layout) {
        let _ = layout;
        match self.tier_of(ptr.as_ptr()).and_then(heap_index) {
            // SAFETY: the page map says heap `h` of this instance owns the block, and the
            // caller guarantees it is live.
            Some(h) => unsafe { self.heap_free(h, ptr.as_ptr()) },
            // Not ours (or Render arena memory): leaking is the only safe answer.
            None => debug_assert!(false, "walloc: dealloc of memory it does not own"),
        }
    }

    /// Frees block `ptr` of heap `h`, whose owner the caller has already looked up.
    ///
    /// # Safety
    /// `ptr` is a live block of heap `h` of this instance.
    #[inline]
    pub(crate) unsafe fn heap_free(&self, h: usize, ptr: *mut u8) {
        // SAFETY: forwarded contract.
        unsafe {
            self.heaps[h].lock().free(ptr);
        }
    }

    /// Resizes the allocation at `ptr` to `new_size` bytes, in place when the following
    /// memory is free (including by extending its pool), otherwise by moving it. The
    /// allocation stays in its tier. On failure the old allocation is untouched.
    ///
    /// # Safety
    /// As for [`dealloc`](Self::dealloc); `layout` is the allocation's current layout.
    pub unsafe fn try_realloc(
        &self,
        ptr: NonNull<u8>,
        layout: Layout,
        new_size: usize,
    ) -> Result<NonNull<u8>, AllocError> {
        let tier = self.tier_of(ptr.as_ptr()).unwrap_or(Tier::General);
        let Some(h) = heap_index(tier) else {
            return Err(AllocError::NotAHeap { tier });
        };
        let p = ptr.as_ptr();
        if new_size <= MAX_REQUEST {
            let mut heap = self.heaps[h].lock();
            // SAFETY: `p` is a live block of this heap (caller contract, page map check).
            unsafe {
                if heap.realloc_in_place(p, new_size) {
                    return Ok(ptr);
                }
                if let Some(end) = heap.last_block_end(p) {
                    let extra = heap::block_size_for(new_size).saturating_sub(heap.usable_size(p));
                    let min = extra.div_ceil(PAGE_SIZE).max(1);
                    let at = self.page_of(end);
                    if let Some(index) = heap.pool_ending_at(end)
                        && let Ok((_, count)) =
                            self.grant(tier, min, min.max(HEAP_GROW_PAGES), Some(at))
                    {
                        heap.extend_pool(index, end + count * PAGE_SIZE);
                        if heap.realloc_in_place(p, new_size) {
                            return Ok(ptr);
                        }
                    }
                }
            }
        }
        let new_layout = Layout::from_size_align(new_size, layout.align()).map_err(|_| {
            AllocError::OutOfMemory(OutOfMemory {
                tier,
                requested: new_size as u64,
                available: 0,
            })
        })?;
        let new = self.heap_alloc(tier, h, new_layout)?;
        // SAFETY: both blocks are live and distinct; the old one holds `layout.size()` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(p, new.as_ptr(), layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        Ok(new)
    }

    /// Takes ownership of the arena tier (Render). Only one owner exists at a time; only it
    /// can reset the arena. A heap tier (Scene, Entity, General) is refused with
    /// [`ArenaError::NotAnArena`].
    pub fn arena(&self, tier: Tier) -> Result<Arena<'_>, ArenaError> {
        if !tier.is_arena() {
            return Err(ArenaError::NotAnArena { tier });
        }
        if self
            .arena_owned
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return Err(ArenaError::AlreadyOwned { tier });
        }
        let align = self.config().alignment(tier);
        Ok(Arena::claim(self, tier, align))
    }

    pub(crate) fn release_arena(&self) {
        self.arena_owned.store(false, Ordering::Release);
    }

    pub(crate) fn arena_state(&self) -> &SpinLock<ArenaState> {
        &self.arena
    }

    pub(crate) fn arena_counters(&self) -> &ArenaCounters {
        &self.arena_counters
    }

    /// Gets pages for `arena`'s next allocation of `size` bytes: extends its last chunk in
    /// place when possible, otherwise appends a chunk. Returns the bytes still available on
    /// failure.
    pub(crate) fn grow_arena(
        &self,
        arena: &Arena<'_>,
        size: usize,
        align: usize,
    ) -> Result<(), u64> {
        let tier = arena.tier();
        let mut state = self.arena_state().lock();
        let bytes = size.checked_add(align).ok_or(0u64)?;
        let min = bytes.div_ceil(PAGE_SIZE);
        let want = min.max(arena_state::CHUNK_PAGES);
        let (index, end) = arena.current_chunk();
        let count = state.chunks().len();
        if count > 0 && index == count - 1 {
            let at = self.page_of(end);
            if let Ok((_, pages)) = self.grant(tier, min, want, Some(at)) {
                state.extend_last(pages * PAGE_SIZE);
                arena.extended(end + pages * PAGE_SIZE);
                return Ok(());
            }
        }
        if !state.can_append() {
            return Err(0);
        }
        let (first, pages) = self.grant(tier, min, want, None)?;
        let chunk = Chunk {
            start: self.region.lock().page_addr(first),
            len: pages * PAGE_SIZE,
        };
        let index = state.append(chunk);
        arena.appended(index, chunk);
        Ok(())
    }

    /// Cuts `arena` back to position `target`, returning every page past it to the region.
    pub(crate) fn compact_arena(&self, arena: &Arena<'_>, target: usize) {
        let tier = arena.tier();
        let mut state = self.arena_state().lock();
        if state.chunks().is_empty() {
            return;
        }
        let mut base = 0;
        let mut k = state.chunks().len() - 1;
        for (i, c) in state.chunks().iter().enumerate() {
            if target <= base + c.len {
                k = i;
                break;
            }
            base += c.len;
        }
        let chunk = state.chunks()[k];
        let cur = chunk.start + (target - base).min(chunk.len);
        let mut region = self.region.lock();
        for c in &state.chunks()[k + 1..] {
            region.release(&self.map, tier, self.page_of(c.start), c.len / PAGE_SIZE);
        }
        let keep = (cur - chunk.start).div_ceil(PAGE_SIZE).max(1);
        let total = chunk.len / PAGE_SIZE;
        if keep < total {
            region.release(
                &self.map,
                tier,
                self.page_of(chunk.start) + keep,
                total - keep,
            );
        }
        drop(region);
        let kept = state.truncate(k, keep * PAGE_SIZE);
        arena.set_cursor(k, kept, base, cur);
    }

    /// Makes room for a request of `requested` bytes in `tier`: returns fully free heap pools
    /// to the region, runs the reclaim hooks for `tier`, and, when the request fits in the
    /// unused budget of `tier` but other tiers borrowed it, runs them for each borrowing tier
    /// (the owner takes its budget back); then returns the pools the hooks emptied. True when
    /// anything may have been freed (worth retrying).
    pub(crate) fn reclaim(&self, tier: Tier, requested: u64) -> bool {
        let mut trimmed = self.trim();
        if RECLAIMING.try_with(|r| r.replace(true)).unwrap_or(true) {
            return trimmed > 0;
        }
        let hooks = *self.hooks.lock();
        let owed = self.owed_to(tier, requested);
        let mut freed = 0u64;
        let mut ran = false;
        let mut ask = |tier: Tier, bytes: u64| {
            for hook in hooks.iter().flatten() {
                ran = true;
                freed = freed.saturating_add(hook(tier, bytes));
            }
        };
        ask(tier, requested);
        for (borrower, bytes) in Tier::ALL.into_iter().zip(owed) {
            if bytes > 0 {
                ask(borrower, bytes);
            }
        }
        if freed > 0 {
            trimmed += self.trim();
        }
        let _ = RECLAIMING.try_with(|r| r.set(false));
        trimmed > 0 || (ran && freed > 0)
    }

    /// Per tier (by [`Tier::index`]): the bytes it should give back so that `tier` gets
    /// `requested` bytes of its own budget, which that tier holds beyond its budget; all zero
    /// when the request does not fit in what `tier` has left of its budget, or there is room.
    fn owed_to(&self, tier: Tier, requested: u64) -> [u64; 4] {
        let config = self.config();
        let region = self.region.lock();
        let need = usize::try_from(requested.div_ceil(PAGE_SIZE as u64)).unwrap_or(usize::MAX);
        let mut owed = [0u64; 4];
        if region.held(tier).saturating_add(need) > config.budget_pages(tier) {
            return owed;
        }
        let free = region
            .limit(&config, tier)
            .saturating_sub(region.held(tier));
        let short = need.saturating_sub(free);
        if short == 0 {
            return owed;
        }
        for other in Tier::ALL.into_iter().filter(|&t| t != tier) {
            let lent = region.borrowed(&config, other).min(short);
            owed[other.index()] = (lent * PAGE_SIZE) as u64;
        }
        owed
    }

    /// Registers a reclaim hook, run (with every other hook) when a tier cannot get memory.
    pub fn add_reclaim_hook(&self, hook: ReclaimHook) -> Result<(), HooksFull> {
        let mut hooks = self.hooks.lock();
        let slot = hooks.iter_mut().find(|h| h.is_none()).ok_or(HooksFull {
            capacity: MAX_RECLAIM_HOOKS,
        })?;
        *slot = Some(hook);
        Ok(())
    }

    /// Returns every heap pool that is entirely free to the region, so other tiers (a
    /// borrowing one, or the owner of lent budget) can use its pages. Returns the bytes released.
    pub fn trim(&self) -> u64 {
        #[cfg(not(target_family = "wasm"))]
        if core::ptr::eq(self, super::global()) {
            // The calling thread's cached blocks go back first; other threads keep theirs.
            super::thread_cache::flush_current_thread(&self.heaps);
        }
        let mut released = 0u64;
        for (h, tier) in HEAP_TIERS.into_iter().enumerate() {
            let mut heap = self.heaps[h].lock();
            let mut i = 0;
            while i < heap.pools().len() {
                match heap.take_free_pool(i) {
                    Some(pool) => {
                        let pages = (pool.end - pool.start) / PAGE_SIZE;
                        self.region.lock().release(
                            &self.map,
                            tier,
                            self.page_of(pool.start),
                            pages,
                        );
                        released += (pages * PAGE_SIZE) as u64;
                    }
                    None => i += 1,
                }
            }
        }
        released
    }

    /// Allocations, frees and parked bytes of the thread caches for heap `h`: only the global
    /// instance has thread caches.
    fn thread_cache_totals(&self, h: usize) -> (u64, u64, usize) {
        #[cfg(not(target_family = "wasm"))]
        if core::ptr::eq(self, super::global()) {
            return super::thread_cache::totals(h);
        }
        let _ = h;
        (0, 0, 0)
    }

    /// At most how many more bytes an allocation in `tier` could get now: the pages the tier
    /// may still take (free pages, less the unused budget of tiers that do not lend) plus the free space inside
    /// its heap (an arena tier: the pages alone). Decoders of outside bytes compare what they
    /// are about to allocate with this and refuse with a typed error, rather than let the
    /// allocation fail (which, for the global allocator, aborts the process). Fragmentation
    /// can make the real figure smaller; it is never larger.
    pub fn available(&self, tier: Tier) -> u64 {
        let config = self.config();
        let region = self.region.lock();
        let pages = region
            .limit(&config, tier)
            .saturating_sub(region.held(tier));
        let held = region.held(tier) * PAGE_SIZE;
        drop(region);
        let free_inside = match heap_index(tier) {
            Some(h) => held.saturating_sub(self.heaps[h].lock().used),
            None => 0,
        };
        (pages * PAGE_SIZE + free_inside) as u64
    }

    /// Usage of every tier now.
    pub fn stats(&self) -> Stats {
        let config = self.config();
        let region = self.region.lock();
        let held: [usize; 4] = Tier::ALL.map(|t| region.held(t) * PAGE_SIZE);
        let total = region.total_held() * PAGE_SIZE;
        drop(region);
        let tiers = Tier::ALL.map(|tier| {
            let budget = config.budget_bytes(tier);
            let held = held[tier.index()] as u64;
            let (used, peak, allocations, frees, failures, cached) = match heap_index(tier) {
                Some(h) => {
                    let (cache_allocs, cache_frees, cached) = self.thread_cache_totals(h);
                    let heap = self.heaps[h].lock();
                    (
                        // Blocks parked in thread caches are not live.
                        (heap.used as u64).saturating_sub(cached as u64),
                        heap.peak as u64,
                        heap.allocations + cache_allocs,
                        heap.frees + cache_frees,
                        heap.failures,
                        cached as u64,
                    )
                }
                None => {
                    let c = self.arena_counters();
                    let used = c.position() as u64;
                    (
                        used,
                        (c.peak.load(Ordering::Relaxed) as u64).max(used),
                        c.allocations.load(Ordering::Relaxed),
                        0,
                        c.failures.load(Ordering::Relaxed),
                        0,
                    )
                }
            };
            TierStats {
                tier,
                budget,
                held,
                borrowed: held.saturating_sub(budget),
                used,
                peak,
                cached,
                allocations,
                frees,
                failures,
            }
        });
        Stats {
            ceiling: config.ceiling,
            held: total as u64,
            tiers,
        }
    }

    #[cfg(not(target_family = "wasm"))]
    /// The heaps (Scene, Entity, General), for the global instance's thread caches.
    pub(crate) fn heaps(&self) -> &[SpinLock<Heap>; HEAPS] {
        &self.heaps
    }

    #[cfg(not(target_family = "wasm"))]
    /// The minimum alignment of heap `h` (0 Scene, 1 Entity, 2 General).
    #[inline]
    pub(crate) fn heap_alignment(&self, h: usize) -> usize {
        self.heap_align[h].load(Ordering::Relaxed)
    }

    /// Checks every heap's block invariants (tests only); returns used bytes per heap (Scene,
    /// Entity, General).
    #[cfg(test)]
    pub(crate) fn check_heaps(&self) -> [usize; HEAPS] {
        core::array::from_fn(|h| self.heaps[h].lock().check().0)
    }

    /// Emits the stats as one `tracing` event per tier (target `walloc`).
    pub fn emit_stats(&self) {
        self.stats().emit();
    }
}

// SAFETY: every method upholds GlobalAlloc's contract: blocks are at least `layout.size()`
// bytes, aligned to `layout.align()`, disjoint while live, and a null return means failure
// without side effects on live data.
unsafe impl GlobalAlloc for Walloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let tier = scope::current_heap_tier();
        let h = heap_index(tier).unwrap_or(GENERAL_HEAP);
        self.heap_alloc(tier, h, layout)
            .map_or(core::ptr::null_mut(), NonNull::as_ptr)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(ptr) = NonNull::new(ptr) {
            // SAFETY: forwarded caller contract.
            unsafe { Walloc::dealloc(self, ptr, layout) }
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(nn) = NonNull::new(ptr) else {
            return core::ptr::null_mut();
        };
        // SAFETY: forwarded caller contract.
        unsafe { self.try_realloc(nn, layout, new_size) }
            .map_or(core::ptr::null_mut(), NonNull::as_ptr)
    }
}
