//! The streaming scheduler: which levels to fetch, cancel and evict each frame, under a byte
//! budget. Pure and deterministic (no IO, no clock of its own): the streamer feeds it wants,
//! arrivals and failures with a time, and carries out the [`StreamAction`]s it returns; the
//! simulation tests drive it the same way on a virtual clock.
//!
//! Rules (docs/streaming.md explains them):
//! - Parents first: an asset's next request is always the level after its resident prefix, so
//!   no finer level is ever resident without its coarser ones.
//! - Coarsest levels first, over any refinement, so everything in view is drawn soon.
//! - Refinements by error removed on screen per byte: `(e[l-1] - e[l]) * scale / bytes`
//!   (`scale`: pixels per object unit), times a boost in the frustum; the nearer wins a tie.
//! - The budget counts resident bytes and the bytes of every request in flight (reserved when
//!   the request is made), so arrivals can never push it over, not even for a frame.
//! - Refinements fill up to the high-water mark; above it a refinement is fetched only in place
//!   of levels no longer wanted (least recently needed and finest first, as many as it needs)
//!   or of wanted levels worth less than half of it. Pressure (a reclaim hook, a smaller
//!   budget) evicts down to the low-water mark (hysteresis). Coarsest levels stay while
//!   they fit (no holes in what was seen); when only they are left, those of assets out of view
//!   longest make room for ones in view.
//! - A level that is no longer wanted while its request is in flight is cancelled.
//! - A failed level is retried after a back-off that doubles up to a cap, for ever: the asset
//!   keeps its coarser levels meanwhile and recovers by itself when the source answers again.

use core::fmt;
use core::ops::Range;
use std::collections::BTreeMap;

use super::eviction::{EvictClass, EvictKey, EvictionQueues};
use super::{PackFile, RequestId};

/// One level's cost: where its bytes are and what it occupies once resident.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelCost {
    /// Its byte range in the asset's blob file.
    pub range: Range<u64>,
    /// Bytes it occupies once decoded and resident (reserved while it is fetched).
    pub resident_bytes: u64,
    /// Its geometric error (object space; 0 for the finest). Non-increasing from coarse to fine.
    pub error: f32,
}

/// An asset the scheduler streams: its levels, coarse to fine; the coarsest in `coarse_file`
/// (next to other assets' coarsest levels), the others in `file`.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamedAsset {
    /// The blob file of the coarsest level (level 0).
    pub coarse_file: PackFile,
    /// The blob file of levels 1..
    pub file: PackFile,
    /// Levels, coarse to fine (at least one).
    pub levels: Vec<LevelCost>,
}

/// What the game needs of one asset this frame (several wants of one asset are merged: the
/// most levels, the nearest, in the frustum if any is).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Want {
    /// The asset (its index in the scheduler's asset list).
    pub asset: u32,
    /// How many levels it needs, coarse first (1: the coarsest only).
    pub levels: u8,
    /// Its distance from the camera.
    pub distance: f32,
    /// Pixels per object-space unit at its distance (errors are in object space, so
    /// `error * scale` is the error on screen): for a mesh, its world scale times the view's
    /// pixels per metre at that distance; for a texture (error `1 / width`), the pixels its
    /// object covers across.
    pub scale: f32,
    /// Whether it is in the view frustum.
    pub in_frustum: bool,
}

/// The scheduler's knobs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SchedulerSettings {
    /// Bytes that resident levels and requests in flight may occupy together.
    pub budget: u64,
    /// Refinements stop at this fraction of the budget (0.85).
    pub high_water: f32,
    /// Making room evicts down to this fraction (0.70).
    pub low_water: f32,
    /// Requests in flight at most.
    pub max_requests: usize,
    /// Requests in flight at most while coarsest levels are asked for: they are small and a
    /// pack keeps them side by side, so asking for all of an area's at once lets the streamer
    /// read them in a few reads (at `max_requests` it could only merge the nearest few).
    pub max_coarse_requests: usize,
    /// Bytes (stored) in flight at most; one request is always allowed.
    pub max_bytes_in_flight: u64,
    /// First retry delay in seconds; doubles per failure.
    pub retry_base: f64,
    /// Longest retry delay in seconds.
    pub retry_cap: f64,
    /// Priority factor for assets in the frustum.
    pub frustum_boost: f32,
}

impl SchedulerSettings {
    /// Defaults for `budget` bytes: 85 %/70 % water marks, 256 level requests (4,096 for
    /// coarsest levels) and 16 MiB in flight (the streamer merges levels adjacent in a file into one read and hands its
    /// backend at most [`queue_depth`](super::StreamIo::queue_depth) reads at a time, 256 for
    /// local files, 32 over HTTP; the rest wait where a cancel costs nothing), retries from
    /// 0.25 s up to 8 s, a 4x frustum boost.
    pub fn new(budget: u64) -> SchedulerSettings {
        SchedulerSettings {
            budget,
            high_water: 0.85,
            low_water: 0.70,
            max_requests: 256,
            max_coarse_requests: 4096,
            max_bytes_in_flight: 16 << 20,
            retry_base: 0.25,
            retry_cap: 8.0,
            frustum_boost: 4.0,
        }
    }

    fn high(&self) -> u64 {
        (self.budget as f64 * f64::from(self.high_water)) as u64
    }

    fn low(&self) -> u64 {
        (self.budget as f64 * f64::from(self.low_water)) as u64
    }
}

/// Why the scheduler refused its input.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum SchedulerError {
    /// An asset has no levels, more than 255, or errors that grow from coarse to fine.
    BadLevels {
        /// The asset.
        asset: usize,
    },
    /// Water marks outside `0 < low <= high <= 1`, or no requests allowed.
    BadSettings,
}

impl fmt::Display for SchedulerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchedulerError::BadLevels { asset } => write!(
                f,
                "asset {asset}: 1 to 255 levels with non-increasing errors are needed"
            ),
            SchedulerError::BadSettings => {
                f.write_str("settings: need 0 < low water <= high water <= 1 and requests > 0")
            }
        }
    }
}

impl std::error::Error for SchedulerError {}

/// What the streamer must do, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamAction {
    /// Drop a request in flight (its reservation is already released).
    Cancel(RequestId),
    /// Drop a resident level (always the asset's finest resident one).
    Evict {
        /// The asset.
        asset: u32,
        /// The level.
        level: u8,
    },
    /// Read a level's bytes.
    Fetch {
        /// The request's identity.
        id: RequestId,
        /// The asset.
        asset: u32,
        /// The level.
        level: u8,
        /// The file.
        file: PackFile,
        /// The byte range.
        range: Range<u64>,
    },
}

/// Counters a loading screen, the overlay and the tests read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SchedulerStats {
    /// Bytes of resident levels.
    pub resident_bytes: u64,
    /// Bytes reserved for requests in flight or being decoded.
    pub reserved_bytes: u64,
    /// Most bytes resident plus reserved at any time.
    pub peak_bytes: u64,
    /// Resident bytes the wants of the last frame call for in all (what full quality needs).
    pub wanted_bytes: u64,
    /// Requests in flight (fetching, not yet arrived).
    pub requests_in_flight: u32,
    /// Stored bytes in flight.
    pub bytes_in_flight: u64,
    /// Requests made.
    pub requests: u64,
    /// Stored bytes that arrived.
    pub bytes_fetched: u64,
    /// Requests cancelled because their level was no longer wanted.
    pub cancelled: u64,
    /// Levels evicted.
    pub evicted: u64,
    /// Failures reported (each retried later).
    pub failures: u64,
    /// Wanted assets whose coarsest level could not fit in the budget at all.
    pub starved: u32,
    /// Wanted assets below their wanted level.
    pub refining: u32,
    /// Wanted assets with nothing resident yet.
    pub missing: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    Fetching,
    Decoding,
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    id: RequestId,
    level: u8,
    stage: Stage,
}

#[derive(Clone, Copy, Debug, Default)]
struct AssetState {
    /// Levels resident: always a prefix, coarse first.
    resident: u8,
    pending: Option<Pending>,
    /// Levels wanted this frame (0: not wanted).
    want: u8,
    distance: f32,
    scale: f32,
    in_frustum: bool,
    /// The last frame it was wanted (for least-recently-needed eviction).
    last_needed: u64,
    failures: u32,
    retry_at: f64,
}

/// Which resident levels an eviction pass may take.
#[derive(Clone, Copy, Debug)]
enum Evictable {
    /// Refinements no longer wanted.
    Unwanted,
    /// Wanted refinements worth less than this.
    Wanted(f32),
    /// Coarsest levels of assets not wanted now.
    UnwantedCoarsest,
}

/// A candidate fetch, ordered by value.
#[derive(Clone, Copy, Debug)]
struct Ranked {
    asset: u32,
    level: u8,
    /// Coarsest levels rank above every refinement.
    coarsest: bool,
    value: f32,
    distance: f32,
}

/// The scheduler; see the [module docs](self).
pub struct StreamScheduler {
    assets: Vec<StreamedAsset>,
    states: Vec<AssetState>,
    settings: SchedulerSettings,
    frame: u64,
    next_id: u64,
    stats: SchedulerStats,
    /// Bytes a reclaim hook asked for, freed at the next plan.
    pressure: u64,
    wanted: Vec<u32>,
    /// Assets with a request fetching or decoding, by request (ordered, so cancels come out
    /// in the same order every run): what arrivals, failures and cancels look up.
    pending: BTreeMap<RequestId, u32>,
    /// Eviction candidates, built during a plan when it first evicts.
    evictions: EvictionQueues,
    /// The last frame each level was wanted (all assets' levels back to back, from
    /// `first_level`): least recently needed is per level, as a tile cache's LRU is per tile,
    /// so a level wanted a moment ago outlives one unwanted for a minute.
    level_needed: Vec<u64>,
    /// Where each asset's levels start in `level_needed` and `bytes_up_to`.
    first_level: Vec<u32>,
    /// Per level (laid out as `level_needed`), the resident bytes of it and every coarser
    /// level of its asset: what wanting that many levels costs, without a sum each frame.
    bytes_up_to: Vec<u64>,
}

impl StreamScheduler {
    /// A scheduler over `assets` (indices are the asset ids in wants and actions).
    pub fn new(
        assets: Vec<StreamedAsset>,
        settings: SchedulerSettings,
    ) -> Result<StreamScheduler, SchedulerError> {
        let (low, high) = (settings.low_water, settings.high_water);
        if !(low > 0.0 && low <= high && high <= 1.0) || settings.max_requests == 0 {
            return Err(SchedulerError::BadSettings);
        }
        for (i, asset) in assets.iter().enumerate() {
            let n = asset.levels.len();
            let ordered = asset.levels.windows(2).all(|w| w[1].error <= w[0].error);
            if n == 0 || n > usize::from(u8::MAX) || !ordered {
                return Err(SchedulerError::BadLevels { asset: i });
            }
        }
        let mut first_level = Vec::with_capacity(assets.len());
        let mut bytes_up_to = Vec::new();
        let mut levels = 0u32;
        for asset in &assets {
            first_level.push(levels);
            levels = levels.saturating_add(asset.levels.len() as u32);
            let mut sum = 0u64;
            bytes_up_to.extend(asset.levels.iter().map(|l| {
                sum = sum.saturating_add(l.resident_bytes);
                sum
            }));
        }
        Ok(StreamScheduler {
            level_needed: vec![0; levels as usize],
            first_level,
            bytes_up_to,
            states: vec![AssetState::default(); assets.len()],
            assets,
            settings,
            frame: 0,
            next_id: 0,
            stats: SchedulerStats::default(),
            pressure: 0,
            wanted: Vec::new(),
            pending: BTreeMap::new(),
            evictions: EvictionQueues::default(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &SchedulerSettings {
        &self.settings
    }

    /// Changes the budget (takes effect at the next plan, evicting as needed).
    pub fn set_budget(&mut self, budget: u64) {
        self.settings.budget = budget;
    }

    /// The counters.
    pub fn stats(&self) -> SchedulerStats {
        self.stats
    }

    /// The assets.
    pub fn assets(&self) -> &[StreamedAsset] {
        &self.assets
    }

    /// How many levels of `asset` are resident (a prefix, coarse first).
    pub fn resident_levels(&self, asset: u32) -> u8 {
        self.states.get(asset as usize).map_or(0, |s| s.resident)
    }

    /// The assets wanted at the latest [`plan`](Self::plan) and how many levels of each
    /// (coarse first), wants of one asset merged: what a benchmark sums to know the bytes a
    /// flight needed.
    pub fn wanted_levels(&self) -> impl Iterator<Item = (u32, u8)> + '_ {
        self.wanted
            .iter()
            .map(|&asset| (asset, self.states[asset as usize].want))
    }

    /// Resident plus reserved bytes: what the budget bounds.
    pub fn used_bytes(&self) -> u64 {
        self.stats.resident_bytes + self.stats.reserved_bytes
    }

    /// Asks the next plan to free `bytes` (a walloc reclaim hook's request).
    pub fn add_pressure(&mut self, bytes: u64) {
        self.pressure = self.pressure.saturating_add(bytes);
    }

    fn cost(&self, asset: u32, level: u8) -> u64 {
        self.assets[asset as usize].levels[usize::from(level)].resident_bytes
    }

    fn stored(&self, asset: u32, level: u8) -> u64 {
        let r = &self.assets[asset as usize].levels[usize::from(level)].range;
        r.end.saturating_sub(r.start)
    }

    /// What level `level` (>= 1) of an asset is worth: pixels of error removed per byte,
    /// boosted in the frustum.
    fn value(&self, asset: u32, level: u8, state: &AssetState) -> f32 {
        let levels = &self.assets[asset as usize].levels;
        let l = usize::from(level);
        if l == 0 {
            return f32::INFINITY;
        }
        // Error removed, in pixels: errors are in object units, `scale` is pixels per unit.
        let gain = (levels[l - 1].error - levels[l].error).max(0.0) * state.scale.max(0.0);
        let boost = if state.in_frustum {
            self.settings.frustum_boost
        } else {
            1.0
        };
        gain * boost / levels[l].resident_bytes.max(1) as f32
    }

    fn release_reservation(&mut self, asset: u32, level: u8) {
        let cost = self.cost(asset, level);
        self.stats.reserved_bytes -= cost;
    }

    /// Merges this frame's wants, then cancels, evicts and fetches (appended to `actions`, to
    /// be carried out in order). `now` is in seconds.
    pub fn plan(&mut self, now: f64, wants: &[Want], actions: &mut Vec<StreamAction>) {
        self.frame += 1;
        self.evictions.clear();
        self.merge_wants(wants);
        self.cancel_unwanted(actions);
        self.relieve_pressure(actions);
        self.fetch(now, actions);
        self.evictions.clear();
        self.count();
    }

    fn merge_wants(&mut self, wants: &[Want]) {
        for &a in &self.wanted {
            self.states[a as usize].want = 0;
        }
        self.wanted.clear();
        for want in wants {
            let Some(state) = self.states.get_mut(want.asset as usize) else {
                continue;
            };
            let levels = self.assets[want.asset as usize].levels.len() as u8;
            let count = want.levels.clamp(1, levels);
            let distance = if want.distance.is_finite() {
                want.distance.max(0.0)
            } else {
                f32::MAX
            };
            let scale = if want.scale.is_finite() {
                want.scale.abs()
            } else {
                0.0
            };
            if state.want == 0 || state.last_needed != self.frame {
                state.want = count;
                state.distance = distance;
                state.scale = scale;
                state.in_frustum = want.in_frustum;
                self.wanted.push(want.asset);
            } else {
                state.want = state.want.max(count);
                state.distance = state.distance.min(distance);
                state.scale = state.scale.max(scale);
                state.in_frustum |= want.in_frustum;
            }
            state.last_needed = self.frame;
        }
        for &asset in &self.wanted {
            let first = self.first_level[asset as usize] as usize;
            let want = usize::from(self.states[asset as usize].want);
            self.level_needed[first..first + want].fill(self.frame);
        }
    }

    fn cancel_unwanted(&mut self, actions: &mut Vec<StreamAction>) {
        let pending: Vec<u32> = self.pending.values().copied().collect();
        for asset in pending {
            let state = self.states[asset as usize];
            if let Some(p) = state.pending
                && p.stage == Stage::Fetching
                && p.level >= state.want
            {
                self.take_pending(asset);
                self.release_reservation(asset, p.level);
                self.stats.requests_in_flight -= 1;
                self.stats.bytes_in_flight -= self.stored(asset, p.level);
                self.stats.cancelled += 1;
                actions.push(StreamAction::Cancel(p.id));
            }
        }
    }

    /// Takes an asset's request off it and off the pending list.
    fn take_pending(&mut self, asset: u32) -> Option<Pending> {
        let p = self.states[asset as usize].pending.take()?;
        self.pending.remove(&p.id);
        Some(p)
    }

    /// Evicts to answer a reclaim hook, and below the budget if it shrank.
    fn relieve_pressure(&mut self, actions: &mut Vec<StreamAction>) {
        let over = self.used_bytes().saturating_sub(self.settings.budget);
        let need = over.max(self.pressure);
        self.pressure = 0;
        if need > 0 {
            let target = self
                .used_bytes()
                .saturating_sub(need)
                .min(self.settings.low());
            self.evict_down_to(target, Evictable::Unwanted, actions);
            self.evict_down_to(target, Evictable::Wanted(f32::INFINITY), actions);
            self.evict_down_to(target, Evictable::UnwantedCoarsest, actions);
        }
    }

    /// Evicts resident levels of the given class, least valuable first, until
    /// `used <= target`; false when none of that class is left first.
    fn evict_down_to(
        &mut self,
        target: u64,
        class: Evictable,
        actions: &mut Vec<StreamAction>,
    ) -> bool {
        while self.used_bytes() > target {
            let Some((asset, level)) = self.eviction_candidate(class) else {
                return false;
            };
            // The request for the next level would arrive without its parent: cancel it.
            if let Some(p) = self.take_pending(asset) {
                self.stats.requests_in_flight -= 1;
                self.stats.bytes_in_flight -= self.stored(asset, p.level);
                self.release_reservation(asset, p.level);
                self.stats.cancelled += 1;
                actions.push(StreamAction::Cancel(p.id));
            }
            self.states[asset as usize].resident -= 1;
            if let Some((class, key)) = self.top_level(asset) {
                self.evictions.offer(class, key);
            }
            let cost = self.cost(asset, level);
            self.stats.resident_bytes -= cost;
            self.stats.evicted += 1;
            actions.push(StreamAction::Evict { asset, level });
        }
        true
    }

    /// The resident top level of `class` to evict first: least recently needed, then finest,
    /// then least valuable. The class's queue is built the first time a plan asks.
    fn eviction_candidate(&mut self, class: Evictable) -> Option<(u32, u8)> {
        let (kind, worth) = match class {
            Evictable::Unwanted => (EvictClass::Unwanted, f32::INFINITY),
            Evictable::Wanted(worth) => (EvictClass::Wanted, worth),
            Evictable::UnwantedCoarsest => (EvictClass::UnwantedCoarsest, f32::INFINITY),
        };
        if !self.evictions.is_built(kind) {
            let keys: Vec<EvictKey> = (0..self.states.len() as u32)
                .filter_map(|asset| self.top_level(asset))
                .filter_map(|(c, key)| (c == kind).then_some(key))
                .collect();
            self.evictions.build(kind, keys.into_iter());
        }
        while let Some(key) = self.evictions.pop(kind) {
            // Stale: an eviction since the queue was built moved this asset's top level.
            if self
                .top_level(key.asset)
                .is_none_or(|(c, top)| c != kind || top.level != key.level)
            {
                continue;
            }
            // What a refinement must be worth to be kept only falls during a plan (fetches are
            // ranked by value, highest first): one worth too much now stays so for this plan.
            if key.value >= worth {
                continue;
            }
            return Some((key.asset, key.level));
        }
        None
    }

    /// An asset's top resident level and its eviction class; `None` when nothing is resident,
    /// a level is being decoded (it would arrive without its parent) or the top is a wanted
    /// coarsest level (never evicted).
    fn top_level(&self, asset: u32) -> Option<(EvictClass, EvictKey)> {
        let state = &self.states[asset as usize];
        if state.resident == 0 || state.pending.is_some_and(|p| p.stage == Stage::Decoding) {
            return None;
        }
        let level = state.resident - 1;
        let class = match (level < state.want, level) {
            (true, 0) => return None,
            (true, _) => EvictClass::Wanted,
            (false, 0) => EvictClass::UnwantedCoarsest,
            (false, _) => EvictClass::Unwanted,
        };
        let value = if class == EvictClass::Wanted {
            self.value(asset, level, state)
        } else {
            0.0
        };
        Some((
            class,
            EvictKey {
                in_view: class == EvictClass::Unwanted && state.want > 0 && state.in_frustum,
                last_needed: self.level_needed
                    [self.first_level[asset as usize] as usize + usize::from(level)],
                level,
                value,
                asset,
            },
        ))
    }

    fn fetch(&mut self, now: f64, actions: &mut Vec<StreamAction>) {
        let mut candidates: Vec<Ranked> = Vec::new();
        for &asset in &self.wanted {
            let state = &self.states[asset as usize];
            if state.pending.is_some() || state.resident >= state.want || now < state.retry_at {
                continue;
            }
            let level = state.resident;
            candidates.push(Ranked {
                asset,
                level,
                coarsest: level == 0,
                value: self.value(asset, level, state),
                distance: state.distance,
            });
        }
        candidates.sort_by(|a, b| {
            b.coarsest
                .cmp(&a.coarsest)
                .then(b.value.total_cmp(&a.value))
                .then(a.distance.total_cmp(&b.distance))
                .then(a.asset.cmp(&b.asset))
        });
        let high = self.settings.high();
        for c in candidates {
            let cap = if c.coarsest {
                self.settings
                    .max_coarse_requests
                    .max(self.settings.max_requests)
            } else {
                self.settings.max_requests
            };
            if self.stats.requests_in_flight as usize >= cap {
                break;
            }
            let stored = self.stored(c.asset, c.level);
            if self.stats.requests_in_flight > 0
                && self.stats.bytes_in_flight + stored > self.settings.max_bytes_in_flight
            {
                break;
            }
            let cost = self.cost(c.asset, c.level);
            // Coarsest levels may use the whole budget; refinements stop at the high mark.
            let limit = if c.coarsest {
                self.settings.budget
            } else {
                high
            };
            if cost > limit {
                continue;
            }
            if self.used_bytes() + cost > limit {
                // Levels no longer wanted go first, only as many as fit this one (evicting in a
                // batch down to the low mark threw away levels wanted again: 1.10x the bytes
                // needed against 1.08x on bench_stream's flight, and the eviction queues make
                // one at a time cheap); then refinements worth less than half of this one (any
                // refinement for a coarsest level), then the coarsest levels of assets out of
                // view, least recently needed first: what is in view comes first.
                let fit = limit - cost;
                self.evict_down_to(fit, Evictable::Unwanted, actions);
                let worth = if c.coarsest {
                    f32::INFINITY
                } else {
                    c.value * 0.5
                };
                self.evict_down_to(fit, Evictable::Wanted(worth), actions);
                self.evict_down_to(fit, Evictable::UnwantedCoarsest, actions);
                if self.used_bytes() + cost > limit {
                    continue;
                }
            }
            // Making room may have evicted this asset's top level: its parent would be missing.
            let state = &self.states[c.asset as usize];
            if state.resident != c.level || state.pending.is_some() {
                continue;
            }
            self.next_id += 1;
            let id = RequestId(self.next_id);
            let asset = &self.assets[c.asset as usize];
            let range = asset.levels[usize::from(c.level)].range.clone();
            actions.push(StreamAction::Fetch {
                id,
                asset: c.asset,
                level: c.level,
                file: if c.level == 0 {
                    asset.coarse_file
                } else {
                    asset.file
                },
                range,
            });
            self.states[c.asset as usize].pending = Some(Pending {
                id,
                level: c.level,
                stage: Stage::Fetching,
            });
            self.pending.insert(id, c.asset);
            self.stats.reserved_bytes += cost;
            self.stats.requests += 1;
            self.stats.requests_in_flight += 1;
            self.stats.bytes_in_flight += stored;
            self.stats.peak_bytes = self.stats.peak_bytes.max(self.used_bytes());
        }
    }

    fn count(&mut self) {
        let (mut wanted_bytes, mut starved, mut refining, mut missing) = (0, 0, 0, 0);
        for &asset in &self.wanted {
            let state = &self.states[asset as usize];
            let first = self.first_level[asset as usize] as usize;
            // Wanted assets want one level at least.
            wanted_bytes += self.bytes_up_to[first + usize::from(state.want.max(1)) - 1];
            if state.resident == 0 {
                missing += 1;
                if self.bytes_up_to[first] > self.settings.budget {
                    starved += 1;
                }
            } else if state.resident < state.want {
                refining += 1;
            }
        }
        self.stats.wanted_bytes = wanted_bytes;
        self.stats.starved = starved;
        self.stats.refining = refining;
        self.stats.missing = missing;
    }

    fn pending_of(&self, id: RequestId) -> Option<(u32, Pending)> {
        let &asset = self.pending.get(&id)?;
        let pending = self.states[asset as usize].pending?;
        (pending.id == id).then_some((asset, pending))
    }

    /// A request's bytes arrived (`stored_bytes` of them); its level is now being decoded.
    /// Returns its asset and level, or `None` for a request the scheduler no longer knows
    /// (cancelled): drop such bytes.
    pub fn arrived(&mut self, id: RequestId, stored_bytes: u64) -> Option<(u32, u8)> {
        let (asset, pending) = self.pending_of(id)?;
        if pending.stage != Stage::Fetching {
            return None;
        }
        self.states[asset as usize].pending = Some(Pending {
            stage: Stage::Decoding,
            ..pending
        });
        self.stats.requests_in_flight -= 1;
        self.stats.bytes_in_flight -= self.stored(asset, pending.level);
        self.stats.bytes_fetched += stored_bytes;
        Some((asset, pending.level))
    }

    /// A level that arrived is decoded and stored: it becomes resident (its reservation turns
    /// into resident bytes). False when it was not the level being decoded.
    pub fn resident(&mut self, asset: u32, level: u8) -> bool {
        let Some(state) = self.states.get_mut(asset as usize) else {
            return false;
        };
        match state.pending {
            Some(p)
                if p.level == level && p.stage == Stage::Decoding && level == state.resident =>
            {
                state.resident = level + 1;
                state.failures = 0;
                self.take_pending(asset);
                let cost = self.cost(asset, level);
                self.stats.reserved_bytes -= cost;
                self.stats.resident_bytes += cost;
                true
            }
            _ => false,
        }
    }

    /// A request failed (the source, or its bytes did not decode): its reservation is
    /// released and the level is retried after a back-off. False for an unknown request.
    pub fn failed(&mut self, id: RequestId, now: f64) -> bool {
        let Some((asset, pending)) = self.pending_of(id) else {
            return false;
        };
        if pending.stage == Stage::Fetching {
            self.stats.requests_in_flight -= 1;
            self.stats.bytes_in_flight -= self.stored(asset, pending.level);
        }
        self.release_reservation(asset, pending.level);
        self.take_pending(asset);
        let settings = self.settings;
        let state = &mut self.states[asset as usize];
        state.failures = state.failures.saturating_add(1);
        let delay = settings.retry_base * 2f64.powi(state.failures.min(30) as i32 - 1);
        state.retry_at = now + delay.min(settings.retry_cap);
        self.stats.failures += 1;
        true
    }

    /// Drops every resident level and request of `asset` that the game unloaded by itself;
    /// the streamer forgets them (no actions). Returns the levels that were resident.
    pub fn forget(&mut self, asset: u32) -> u8 {
        let Some(&state) = self.states.get(asset as usize) else {
            return 0;
        };
        for level in 0..state.resident {
            let cost = self.cost(asset, level);
            self.stats.resident_bytes -= cost;
        }
        if let Some(p) = state.pending {
            if p.stage == Stage::Fetching {
                self.stats.requests_in_flight -= 1;
                self.stats.bytes_in_flight -= self.stored(asset, p.level);
            }
            self.release_reservation(asset, p.level);
            self.take_pending(asset);
        }
        self.states[asset as usize] = AssetState::default();
        let first = self.first_level[asset as usize] as usize;
        let levels = self.assets[asset as usize].levels.len();
        self.level_needed[first..first + levels].fill(0);
        state.resident
    }
}
