//! Interest management: which entities each client hears about, and in what order.
//!
//! - [`InterestGrid`]: a uniform spatial hash grid, rebuilt every tick, answering "which keys
//!   are within this radius" once per client.
//! - [`PriorityAccumulator`]: per client, priorities that accumulate every tick until the entity
//!   is sent, so a bandwidth budget is spent on the most important entities first and nothing
//!   starves.
//! - [`BandwidthBudget`]: a per-client token bucket turning a bit rate into a per-tick budget.
//! - [`distance_priority`]: the usual priority of an entity by its distance to the viewer.
//!
//! Everything here is plain data, free of the ECS: keys are dense entity indices chosen by the
//! caller (the replication systems map `NetId`s or entity indices to them).

use std::fmt;

use glam::Vec3;

/// Why an [`InterestGrid`] could not be built.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum InterestError {
    /// The cell size must be finite and greater than zero.
    InvalidCellSize {
        /// The size given.
        cell_size: f32,
    },
}

impl fmt::Display for InterestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCellSize { cell_size } => write!(
                f,
                "interest grid cell size {cell_size} is not a finite number greater than zero"
            ),
        }
    }
}

impl std::error::Error for InterestError {}

/// Whether the grid's cells are columns on the XZ plane or cubes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CellShape {
    /// Cells are infinite columns over the XZ plane (Y is up): the default, because most game
    /// worlds are much wider than tall, so columns keep the number of cells walked per query
    /// small (a 3x3 block for a radius of one cell).
    Columns,
    /// Cells are cubes: for worlds that are as tall as they are wide (space, flight).
    Cubes,
}

/// One inserted point, sorted by bucket.
#[derive(Clone, Copy, Debug)]
struct Slot {
    cell: [i32; 3],
    key: u32,
    position: Vec3,
}

/// A uniform spatial hash grid of keyed points, rebuilt every tick.
///
/// Use per tick: [`clear`](Self::clear), [`insert`](Self::insert) every replicated entity,
/// [`build`](Self::build), then [`query`](Self::query) once per client. All buffers are reused
/// across ticks, so a steady entity count allocates nothing.
///
/// Layout: `build` counting-sorts the points by hash bucket into one flat array with a start
/// offset per bucket (no `HashMap<cell, Vec>`, no per-cell allocation). There are about twice
/// as many buckets as points; two cells that share a bucket are told apart by the cell stored
/// with each point, so a query never reports a key twice.
///
/// A query walks the cells overlapping the sphere's bounding box (columns: its XZ square) and
/// keeps the points with `position.distance_squared(center) <= radius * radius`, the full 3D
/// distance in both shapes. When the box covers more cells than there are points it scans the
/// points instead, so a huge radius costs at most one pass.
#[derive(Clone, Debug)]
pub struct InterestGrid {
    cell_size: f32,
    inv_cell_size: f32,
    shape: CellShape,
    /// Inserted since the last `clear`, in insertion order.
    pending: Vec<Slot>,
    /// `pending` sorted by bucket (stable), valid when `built`.
    sorted: Vec<Slot>,
    /// `starts[b]..starts[b + 1]` is bucket `b` in `sorted`; `starts.len()` is buckets + 1.
    starts: Vec<u32>,
    bucket_mask: u32,
    built: bool,
}

impl InterestGrid {
    /// An empty grid of XZ columns `cell_size` wide. A cell size near the typical query radius
    /// is a good start: a query then walks a 3x3 block.
    pub fn new(cell_size: f32) -> Result<Self, InterestError> {
        Self::with_shape(cell_size, CellShape::Columns)
    }

    /// An empty grid with the given cell shape.
    pub fn with_shape(cell_size: f32, shape: CellShape) -> Result<Self, InterestError> {
        if !(cell_size.is_finite() && cell_size > 0.0) {
            return Err(InterestError::InvalidCellSize { cell_size });
        }
        Ok(Self {
            cell_size,
            inv_cell_size: 1.0 / cell_size,
            shape,
            pending: Vec::new(),
            sorted: Vec::new(),
            starts: Vec::new(),
            bucket_mask: 0,
            built: false,
        })
    }

    /// The cell edge length.
    pub fn cell_size(&self) -> f32 {
        self.cell_size
    }

    /// The cell shape.
    pub fn shape(&self) -> CellShape {
        self.shape
    }

    /// The number of points inserted since the last [`clear`](Self::clear).
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// True when no point was inserted since the last [`clear`](Self::clear).
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Removes every point, keeping the allocations.
    pub fn clear(&mut self) {
        self.pending.clear();
        self.sorted.clear();
        self.starts.clear();
        self.built = false;
    }

    /// Adds a point. Keys are the caller's (dense entity indices); a key inserted twice is
    /// reported twice. A point with a NaN coordinate is never within any radius.
    pub fn insert(&mut self, key: u32, position: Vec3) {
        let cell = self.cell_of(position);
        self.pending.push(Slot {
            cell,
            key,
            position,
        });
        self.built = false;
    }

    /// Sorts the inserted points into their buckets. Call once after the inserts of a tick;
    /// [`query`](Self::query) on a grid not built since the last insert is still exact but
    /// scans every point.
    pub fn build(&mut self) {
        let n = self.pending.len();
        // About two buckets per point keeps collisions rare; a power of two makes the bucket a
        // mask. Capped so the offsets stay u32.
        let buckets = (n.max(1) * 2).next_power_of_two().min(1 << 30);
        self.bucket_mask = (buckets - 1) as u32;
        self.starts.clear();
        self.starts.resize(buckets + 1, 0);
        for slot in &self.pending {
            self.starts[bucket_of(slot.cell, self.bucket_mask) + 1] += 1;
        }
        for b in 0..buckets {
            self.starts[b + 1] += self.starts[b];
        }
        // Scatter, stable within a bucket; `starts[b]` runs ahead while filling, then is
        // restored by shifting, so no second offsets array is needed.
        self.sorted.clear();
        self.sorted.resize(
            n,
            Slot {
                cell: [0; 3],
                key: 0,
                position: Vec3::ZERO,
            },
        );
        for slot in &self.pending {
            let b = bucket_of(slot.cell, self.bucket_mask);
            let at = self.starts[b] as usize;
            self.sorted[at] = *slot;
            self.starts[b] += 1;
        }
        for b in (1..=buckets).rev() {
            self.starts[b] = self.starts[b - 1];
        }
        self.starts[0] = 0;
        self.built = true;
    }

    /// Replaces `out` with every key whose position is within `radius` of `center` (3D
    /// distance, boundary included), sorted by key so the result does not depend on insertion
    /// order or bucket layout. A negative or NaN radius finds nothing.
    pub fn query(&self, center: Vec3, radius: f32, out: &mut Vec<u32>) {
        out.clear();
        if radius.is_nan() || radius < 0.0 || self.pending.is_empty() {
            return;
        }
        let radius_sq = radius * radius;
        let inside = |slot: &Slot| slot.position.distance_squared(center) <= radius_sq;
        if !self.built {
            out.extend(self.pending.iter().filter(|s| inside(s)).map(|s| s.key));
            out.sort_unstable();
            return;
        }
        // Widen the walked range by a few ulps so rounding in the cell computation can never
        // drop a point the exact check accepts (the check, not the walk, decides).
        let (lo, hi) = self.cell_range(center, radius);
        let cells = (0..3)
            .map(|a| i64::from(hi[a]) - i64::from(lo[a]) + 1)
            .fold(1i64, i64::saturating_mul);
        if cells >= self.sorted.len() as i64 {
            out.extend(self.sorted.iter().filter(|s| inside(s)).map(|s| s.key));
        } else {
            for z in lo[2]..=hi[2] {
                for y in lo[1]..=hi[1] {
                    for x in lo[0]..=hi[0] {
                        let cell = [x, y, z];
                        let b = bucket_of(cell, self.bucket_mask);
                        let range = self.starts[b] as usize..self.starts[b + 1] as usize;
                        out.extend(
                            self.sorted[range]
                                .iter()
                                .filter(|s| s.cell == cell && inside(s))
                                .map(|s| s.key),
                        );
                    }
                }
            }
        }
        out.sort_unstable();
    }

    fn cell_of(&self, p: Vec3) -> [i32; 3] {
        let y = match self.shape {
            CellShape::Columns => 0,
            CellShape::Cubes => cell_coord(p.y, self.inv_cell_size),
        };
        [
            cell_coord(p.x, self.inv_cell_size),
            y,
            cell_coord(p.z, self.inv_cell_size),
        ]
    }

    /// The inclusive cell range covering the sphere's bounding box.
    fn cell_range(&self, center: Vec3, radius: f32) -> ([i32; 3], [i32; 3]) {
        let axis = |c: f32| {
            let margin = (c.abs() + radius) * (4.0 * f32::EPSILON);
            (
                cell_coord(c - radius - margin, self.inv_cell_size),
                cell_coord(c + radius + margin, self.inv_cell_size),
            )
        };
        let (x0, x1) = axis(center.x);
        let (z0, z1) = axis(center.z);
        let (y0, y1) = match self.shape {
            CellShape::Columns => (0, 0),
            CellShape::Cubes => axis(center.y),
        };
        ([x0, y0, z0], [x1, y1, z1])
    }
}

/// The cell coordinate of `v`; saturates far away (so the walk stays monotone) and maps NaN to 0.
fn cell_coord(v: f32, inv_cell_size: f32) -> i32 {
    (v * inv_cell_size).floor() as i32
}

fn bucket_of(cell: [i32; 3], mask: u32) -> usize {
    let mut h = (cell[0] as u32).wrapping_mul(0x9E37_79B1)
        ^ (cell[1] as u32).wrapping_mul(0x85EB_CA77)
        ^ (cell[2] as u32).wrapping_mul(0xC2B2_AE3D);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 13;
    (h & mask) as usize
}

/// The lowest priority [`distance_priority`] gives, at and beyond the radius: an entity at the
/// edge of interest still gains priority, so it is sent eventually.
pub const PRIORITY_FLOOR: f32 = 0.1;

/// A priority from a distance: 1 at the viewer, falling linearly to [`PRIORITY_FLOOR`] at
/// `radius` and staying there beyond it. A zero, negative or NaN radius, or a NaN distance,
/// gives the floor.
pub fn distance_priority(distance: f32, radius: f32) -> f32 {
    if radius.is_nan() || radius <= 0.0 || distance.is_nan() {
        return PRIORITY_FLOOR;
    }
    let t = (distance / radius).clamp(0.0, 1.0);
    PRIORITY_FLOOR + (1.0 - PRIORITY_FLOOR) * (1.0 - t)
}

/// Per client: priorities that accumulate each tick until the entity is sent.
///
/// Per tick: [`begin_tick`](Self::begin_tick), [`add`](Self::add) for every entity relevant to
/// the client (usually the grid's query result, with [`distance_priority`]), then
/// [`select`](Self::select) with the tick's bit budget. Selected entities restart from zero;
/// the others keep what they accumulated, so any relevant entity with a positive priority is
/// sent eventually. An entity not added in a tick has left the relevant set and is forgotten:
/// if it comes back it starts from zero.
///
/// Storage is dense, indexed by key (keys are dense entity indices; memory grows to the largest
/// key added), plus the list of keys added this tick.
#[derive(Clone, Debug)]
pub struct PriorityAccumulator {
    priority: Vec<f32>,
    /// The tick in which each key was last added; 0 means never.
    stamp: Vec<u32>,
    /// The current tick, from 1.
    tick: u32,
    /// Keys added this tick, in first-add order.
    relevant: Vec<u32>,
    /// Scratch for `select`.
    order: Vec<u32>,
}

impl Default for PriorityAccumulator {
    fn default() -> Self {
        Self {
            priority: Vec::new(),
            stamp: Vec::new(),
            tick: 1,
            relevant: Vec::new(),
            order: Vec::new(),
        }
    }
}

impl PriorityAccumulator {
    /// An empty accumulator, in its first tick (calling [`begin_tick`](Self::begin_tick) first
    /// is fine too).
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a tick: the relevant set becomes empty until [`add`](Self::add) fills it.
    pub fn begin_tick(&mut self) {
        self.relevant.clear();
        self.tick = self.tick.wrapping_add(1);
        if self.tick == 0 {
            // After 2^32 ticks the stamps would alias: forget everything once.
            self.stamp.fill(0);
            self.tick = 1;
        }
    }

    /// Adds `priority` to `key`'s accumulated priority and marks it relevant this tick. Adding
    /// a key twice in a tick adds both. Negative and NaN priorities count as zero.
    pub fn add(&mut self, key: u32, priority: f32) {
        let k = key as usize;
        if k >= self.priority.len() {
            self.priority.resize(k + 1, 0.0);
            self.stamp.resize(k + 1, 0);
        }
        let priority = priority.max(0.0);
        if self.stamp[k] == self.tick {
            self.priority[k] += priority;
            return;
        }
        let was_relevant = self.tick > 1 && self.stamp[k] == self.tick - 1;
        self.priority[k] = if was_relevant {
            self.priority[k] + priority
        } else {
            priority
        };
        self.stamp[k] = self.tick;
        self.relevant.push(key);
    }

    /// Replaces `out` with the keys to send this tick: the relevant keys by accumulated
    /// priority, highest first (ties by smaller key), taking each whose `cost_bits` fits in
    /// what is left of `budget_bits` and skipping those that do not (a smaller one later may
    /// still fit). Keys with zero accumulated priority are not sent. The selected keys restart
    /// from zero. `cost_bits` is called at most once per relevant key.
    pub fn select(&mut self, budget_bits: u32, cost_bits: impl Fn(u32) -> u32, out: &mut Vec<u32>) {
        out.clear();
        self.order.clear();
        self.order.extend_from_slice(&self.relevant);
        let priority = &self.priority;
        self.order.sort_unstable_by(|&a, &b| {
            priority[b as usize]
                .total_cmp(&priority[a as usize])
                .then(a.cmp(&b))
        });
        let mut remaining = budget_bits;
        for &key in &self.order {
            if self.priority[key as usize] <= 0.0 {
                break;
            }
            let cost = cost_bits(key);
            if cost <= remaining {
                remaining -= cost;
                out.push(key);
                self.priority[key as usize] = 0.0;
                if remaining == 0 {
                    break;
                }
            }
        }
    }

    /// `key`'s accumulated priority if it is relevant this tick, else 0.
    pub fn priority(&self, key: u32) -> f32 {
        let k = key as usize;
        match self.stamp.get(k) {
            Some(&s) if s == self.tick => self.priority[k],
            _ => 0.0,
        }
    }

    /// The keys added this tick, in first-add order.
    pub fn relevant(&self) -> &[u32] {
        &self.relevant
    }

    /// Forgets `key` (its entity was despawned and the key may be reused): its accumulated
    /// priority is dropped and it leaves this tick's relevant set.
    pub fn forget(&mut self, key: u32) {
        let k = key as usize;
        if k < self.stamp.len() {
            if self.stamp[k] == self.tick {
                self.relevant.retain(|&r| r != key);
            }
            self.stamp[k] = 0;
            self.priority[k] = 0.0;
        }
    }

    /// Forgets every key, keeping the allocations.
    pub fn clear(&mut self) {
        self.relevant.clear();
        self.stamp.fill(0);
        self.priority.fill(0.0);
    }
}

/// A per-client token bucket: a bit rate turned into each tick's budget for
/// [`PriorityAccumulator::select`].
///
/// Each tick [`refill`](Self::refill) adds one tick's share of the rate, capped at `burst_ticks`
/// ticks' worth, so unused budget carries over a little but never piles up. Spending more than
/// is available (a message header, a forced full update) is allowed: the debt is repaid from the
/// following ticks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandwidthBudget {
    bits_per_tick: u32,
    max_bits: i64,
    available: i64,
}

impl BandwidthBudget {
    /// A budget of `bits_per_second` at `tick_rate` ticks per second, carrying over at most
    /// `burst_ticks` ticks' worth (at least one). A zero tick rate is taken as one.
    pub fn new(bits_per_second: u32, tick_rate: u32, burst_ticks: u32) -> Self {
        let bits_per_tick = bits_per_second / tick_rate.max(1);
        Self {
            bits_per_tick,
            max_bits: i64::from(bits_per_tick) * i64::from(burst_ticks.max(1)),
            available: 0,
        }
    }

    /// One tick's share of the rate.
    pub fn bits_per_tick(&self) -> u32 {
        self.bits_per_tick
    }

    /// Adds one tick's share and returns the bits available now.
    pub fn refill(&mut self) -> u32 {
        self.available = (self.available + i64::from(self.bits_per_tick)).min(self.max_bits);
        self.available()
    }

    /// The bits available now (0 while in debt).
    pub fn available(&self) -> u32 {
        self.available.clamp(0, i64::from(u32::MAX)) as u32
    }

    /// Records `bits` sent; may go into debt.
    pub fn spend(&mut self, bits: u32) {
        self.available -= i64::from(bits);
    }
}
