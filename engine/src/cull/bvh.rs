//! A bounding volume hierarchy over the static content's boxes: binned-SAH build into flat node
//! arrays, frustum queries that skip subtrees outside and take subtrees inside whole, and
//! incremental updates (refit, local reinsertion into free leaf slots, an overflow list) with a
//! full rebuild when the tree has changed too much.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use glam::Vec3;

use super::frustum::{negative_distance, positive_distance};
use super::{Aabb, Frustum};

/// Items per leaf the build aims at (a leaf may hold more only when their centroids coincide).
const LEAF_SIZE: usize = 4;
/// SAH bins along the split axis.
const BINS: usize = 12;
/// No node: the root's parent, a leaf's child.
const NONE: u32 = u32::MAX;

/// When a [`Bvh`] rebuilds itself after incremental changes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RebuildPolicy {
    /// Rebuild once the changes since the last build (refits, removals, insertions) exceed this
    /// fraction of the items (and at least `min_changes`).
    pub max_change_fraction: f32,
    /// Rebuild once the overflow list (items inserted where no leaf had a free slot, tested one
    /// by one) exceeds this fraction of the items (and at least `min_changes`).
    pub max_overflow_fraction: f32,
    /// The smallest thresholds, for small trees.
    pub min_changes: usize,
    /// Whether mutations rebuild by themselves when a threshold is crossed; if not, call
    /// [`Bvh::rebuild`] when [`Bvh::needs_rebuild`] says so, at a moment of your choosing.
    pub automatic: bool,
}

impl Default for RebuildPolicy {
    /// A quarter of the items changed, or a sixteenth in the overflow, at least 64; automatic.
    fn default() -> Self {
        Self {
            max_change_fraction: 0.25,
            max_overflow_fraction: 1.0 / 16.0,
            min_changes: 64,
            automatic: true,
        }
    }
}

/// A node: a box around a contiguous range of item slots. A subtree's slots are the contiguous
/// range `first..first + span`; a leaf's live items are packed at the front of its range
/// (`first..first + live`), its free slots (left by removals) at the back.
#[derive(Clone, Copy, Debug)]
struct Node {
    aabb: Aabb,
    /// First slot of the subtree's range.
    first: u32,
    /// Slots of the subtree's range (fixed at build).
    span: u32,
    /// Live items in the range; `live == span` means no free slot anywhere below.
    live: u32,
    /// Left child (the right one follows it), or [`NONE`] for a leaf.
    left: u32,
    /// Parent, or [`NONE`] for the root.
    parent: u32,
}

impl Node {
    fn is_leaf(&self) -> bool {
        self.left == NONE
    }
}

/// Where an item lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// In the tree, at this slot.
    Slot(u32),
    /// In the overflow list, at this index.
    Overflow(u32),
}

/// A bounding volume hierarchy over `(id, Aabb)` items, for the static content: frustum queries
/// cost in proportion to the nodes near the frustum's boundary and to the items returned, not to
/// the world's size.
///
/// Built with binned SAH (surface area heuristic) into flat arrays: nodes in one `Vec`, each
/// subtree's items in one contiguous range, so a subtree entirely inside the frustum is taken
/// with one copy, without testing its items. Incremental updates keep the tree valid (every
/// node's box contains its items): [`update`](Self::update) refits the path to the root,
/// [`remove`](Self::remove) leaves a free slot in its leaf, [`insert`](Self::insert) reinserts
/// locally into the best leaf with a free slot or, failing that, appends to an overflow list
/// tested item by item. Past the thresholds of a [`RebuildPolicy`] the tree is rebuilt.
///
/// Ids are unique `u32`s chosen by the caller (an entity index, say).
///
/// # Example
/// ```
/// use layerw_engine::cull::{Aabb, Bvh, Frustum};
/// use layerw_engine::glam::{Vec3, camera::rh::{proj::directx, view}};
///
/// let items = (0..1000u32).map(|i| {
///     let c = Vec3::new((i % 10) as f32 * 10.0, 0.0, -((i / 10) as f32) * 10.0);
///     (i, Aabb::from_sphere(c, 1.0))
/// });
/// let mut bvh = Bvh::build(items);
/// let view = view::look_at_mat4(Vec3::new(45.0, 5.0, 10.0), Vec3::new(45.0, 0.0, 0.0), Vec3::Y);
/// let frustum = Frustum::from_view_projection(directx::perspective(1.0, 1.0, 0.1, 50.0) * view);
/// let mut visible = Vec::new();
/// bvh.query_frustum(&frustum, &mut visible);
/// assert!(visible.contains(&45) && !visible.contains(&999));
///
/// bvh.update(999, Aabb::from_sphere(Vec3::new(45.0, 0.0, -5.0), 1.0));
/// bvh.remove(45);
/// bvh.query_frustum(&frustum, &mut visible);
/// assert!(!visible.contains(&45) && visible.contains(&999));
/// ```
#[derive(Clone, Debug)]
pub struct Bvh {
    nodes: Vec<Node>,
    /// Item ids by slot (free slots hold stale values).
    ids: Vec<u32>,
    /// Item boxes by slot.
    boxes: Vec<Aabb>,
    /// The leaf of each slot.
    slot_leaf: Vec<u32>,
    /// Items outside the tree, tested one by one.
    overflow_ids: Vec<u32>,
    overflow_boxes: Vec<Aabb>,
    /// Where each id lives.
    places: HashMap<u32, Place, IdHash>,
    /// Refits, removals and insertions since the last build.
    changes: usize,
    policy: RebuildPolicy,
}

impl Default for Bvh {
    fn default() -> Self {
        Self::new()
    }
}

impl Bvh {
    /// An empty hierarchy.
    pub fn new() -> Self {
        Self {
            nodes: Vec::new(),
            ids: Vec::new(),
            boxes: Vec::new(),
            slot_leaf: Vec::new(),
            overflow_ids: Vec::new(),
            overflow_boxes: Vec::new(),
            places: HashMap::default(),
            changes: 0,
            policy: RebuildPolicy::default(),
        }
    }

    /// Builds the hierarchy of the items.
    ///
    /// # Panics
    /// If two items have the same id.
    pub fn build(items: impl IntoIterator<Item = (u32, Aabb)>) -> Self {
        let mut bvh = Self::new();
        for (id, aabb) in items {
            bvh.overflow_ids.push(id);
            bvh.overflow_boxes.push(aabb);
        }
        bvh.rebuild();
        bvh
    }

    /// The rebuild policy (the default: [`RebuildPolicy::default`]).
    pub fn policy(&self) -> RebuildPolicy {
        self.policy
    }

    /// Sets the rebuild policy; it applies from the next mutation.
    pub fn set_policy(&mut self, policy: RebuildPolicy) {
        self.policy = policy;
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Whether an item has this id.
    pub fn contains(&self, id: u32) -> bool {
        self.places.contains_key(&id)
    }

    /// The box of item `id`.
    pub fn get(&self, id: u32) -> Option<Aabb> {
        self.places.get(&id).map(|&place| match place {
            Place::Slot(s) => self.boxes[s as usize],
            Place::Overflow(o) => self.overflow_boxes[o as usize],
        })
    }

    /// The number of nodes (for statistics).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The number of items in the overflow list, outside the tree (for statistics).
    pub fn overflow_len(&self) -> usize {
        self.overflow_ids.len()
    }

    /// Refits, removals and insertions since the last build.
    pub fn changes_since_build(&self) -> usize {
        self.changes
    }

    /// Whether the policy's thresholds are crossed, so that a [`rebuild`](Self::rebuild) would
    /// restore the query speed.
    pub fn needs_rebuild(&self) -> bool {
        let n = self.len() as f32;
        let min = self.policy.min_changes;
        self.changes > min.max((self.policy.max_change_fraction * n) as usize)
            || self.overflow_ids.len() > min.max((self.policy.max_overflow_fraction * n) as usize)
    }

    /// Inserts item `id`, or replaces its box if it exists (then it is an
    /// [`update`](Self::update)); returns whether it is new. A new item goes to the leaf with a
    /// free slot whose box grows least along a greedy descent, or to the overflow list if no
    /// leaf on the way has one.
    pub fn insert(&mut self, id: u32, aabb: Aabb) -> bool {
        if self.places.contains_key(&id) {
            self.update(id, aabb);
            return false;
        }
        self.insert_new(id, aabb);
        self.maybe_rebuild();
        true
    }

    /// Inserts an id that is not there, without the rebuild check.
    fn insert_new(&mut self, id: u32, aabb: Aabb) {
        self.changes += 1;
        match self.free_leaf_for(&aabb) {
            Some(leaf) => {
                let node = &mut self.nodes[leaf as usize];
                let slot = node.first + node.live;
                self.ids[slot as usize] = id;
                self.boxes[slot as usize] = aabb;
                self.slot_leaf[slot as usize] = leaf;
                self.places.insert(id, Place::Slot(slot));
                let mut n = leaf;
                while n != NONE {
                    self.nodes[n as usize].live += 1;
                    n = self.nodes[n as usize].parent;
                }
                self.refit(leaf);
            }
            None => {
                self.places
                    .insert(id, Place::Overflow(self.overflow_ids.len() as u32));
                self.overflow_ids.push(id);
                self.overflow_boxes.push(aabb);
            }
        }
    }

    /// Removes item `id`; returns whether it existed. In the tree, its leaf's last item takes its
    /// slot, and the path to the root is refitted.
    pub fn remove(&mut self, id: u32) -> bool {
        let Some(place) = self.places.remove(&id) else {
            return false;
        };
        self.remove_place(place);
        self.maybe_rebuild();
        true
    }

    /// Removes the item at `place` (already gone from `places`), without the rebuild check.
    fn remove_place(&mut self, place: Place) {
        self.changes += 1;
        match place {
            Place::Slot(slot) => {
                let leaf = self.slot_leaf[slot as usize];
                let node = self.nodes[leaf as usize];
                let last = node.first + node.live - 1;
                if slot != last {
                    let moved = self.ids[last as usize];
                    self.ids[slot as usize] = moved;
                    self.boxes[slot as usize] = self.boxes[last as usize];
                    self.places.insert(moved, Place::Slot(slot));
                }
                let mut n = leaf;
                while n != NONE {
                    self.nodes[n as usize].live -= 1;
                    n = self.nodes[n as usize].parent;
                }
                self.refit(leaf);
            }
            Place::Overflow(o) => {
                self.overflow_ids.swap_remove(o as usize);
                self.overflow_boxes.swap_remove(o as usize);
                if let Some(&moved) = self.overflow_ids.get(o as usize) {
                    self.places.insert(moved, Place::Overflow(o));
                }
            }
        }
    }

    /// Sets the box of item `id`; returns whether it exists. A box still inside its leaf's box
    /// changes nothing else. A box that would at most double the surface area of its leaf's box
    /// is refitted: the path from its leaf to the root is recomputed (each node from its
    /// children, so boxes shrink as well as grow). A box that moved farther is reinserted
    /// locally: removed from its leaf and inserted like a new item (into the best leaf with a
    /// free slot, or the overflow list). Refits and reinsertions count as changes towards the
    /// rebuild policy.
    pub fn update(&mut self, id: u32, aabb: Aabb) -> bool {
        let Some(&place) = self.places.get(&id) else {
            return false;
        };
        match place {
            Place::Slot(slot) => {
                let leaf = self.slot_leaf[slot as usize];
                let leaf_box = self.nodes[leaf as usize].aabb;
                if leaf_box.contains(&aabb) {
                    self.boxes[slot as usize] = aabb;
                } else if leaf_box.union(aabb).surface_area() <= 2.0 * leaf_box.surface_area() {
                    self.boxes[slot as usize] = aabb;
                    self.changes += 1;
                    self.refit(leaf);
                    self.maybe_rebuild();
                } else {
                    self.places.remove(&id);
                    self.remove_place(place);
                    self.insert_new(id, aabb);
                    self.maybe_rebuild();
                }
            }
            Place::Overflow(o) => self.overflow_boxes[o as usize] = aabb,
        }
        true
    }

    /// Removes all items.
    pub fn clear(&mut self) {
        let policy = self.policy;
        *self = Self::new();
        self.policy = policy;
    }

    /// Rebuilds the tree from all items (binned SAH), emptying the overflow list and the free
    /// slots, and resetting the change count.
    pub fn rebuild(&mut self) {
        let mut items_ids = std::mem::take(&mut self.overflow_ids);
        let mut items_boxes = std::mem::take(&mut self.overflow_boxes);
        for node in &self.nodes {
            if node.is_leaf() {
                let live = node.first as usize..(node.first + node.live) as usize;
                items_ids.extend_from_slice(&self.ids[live.clone()]);
                items_boxes.extend_from_slice(&self.boxes[live]);
            }
        }
        self.nodes.clear();
        self.changes = 0;
        let built = build(&items_boxes);
        self.ids = built.order.iter().map(|&i| items_ids[i as usize]).collect();
        self.boxes = built
            .order
            .iter()
            .map(|&i| items_boxes[i as usize])
            .collect();
        self.nodes = built.nodes;
        self.slot_leaf = vec![NONE; self.ids.len()];
        for (n, node) in self.nodes.iter().enumerate() {
            if node.is_leaf() {
                self.slot_leaf[node.first as usize..(node.first + node.span) as usize]
                    .fill(n as u32);
            }
        }
        self.places.clear();
        self.places.reserve(self.ids.len());
        for (slot, &id) in self.ids.iter().enumerate() {
            let old = self.places.insert(id, Place::Slot(slot as u32));
            assert!(old.is_none(), "Bvh::build: duplicate id {id}");
        }
        self.overflow_ids = items_ids;
        self.overflow_ids.clear();
        self.overflow_boxes = items_boxes;
        self.overflow_boxes.clear();
    }

    /// Writes into `out` (cleared first) the ids of the items whose boxes may be visible,
    /// **sorted ascending**: exactly those for which [`Frustum::intersects`] is true. Subtrees
    /// outside the frustum are skipped, subtrees inside it taken whole, planes a node is inside
    /// of are not tested again below it.
    pub fn query_frustum(&self, frustum: &Frustum, out: &mut Vec<u32>) {
        self.query_frustum_unordered(frustum, out);
        sort_ids(out);
    }

    /// [`query_frustum`](Self::query_frustum) without the sort: the same ids in an unspecified
    /// (but deterministic) order, for callers that do not need them sorted.
    pub fn query_frustum_unordered(&self, frustum: &Frustum, out: &mut Vec<u32>) {
        out.clear();
        let planes = frustum.planes();
        if !self.nodes.is_empty() {
            // (node, planes still to test, as a bit mask)
            let mut stack: Vec<(u32, u8)> = Vec::with_capacity(64);
            stack.push((0, 0b11_1111));
            while let Some((n, mut mask)) = stack.pop() {
                let node = &self.nodes[n as usize];
                if node.live == 0 {
                    continue;
                }
                let (min, max) = (node.aabb.min, node.aabb.max);
                let mut outside = false;
                let mut bits = mask;
                while bits != 0 {
                    let i = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let p = planes[i];
                    if positive_distance(p, min, max) < 0.0 {
                        outside = true;
                        break;
                    }
                    if negative_distance(p, min, max) >= 0.0 {
                        mask &= !(1 << i);
                    }
                }
                if outside {
                    continue;
                }
                if mask == 0 {
                    self.take_subtree(n, out);
                } else if node.is_leaf() {
                    let live = node.first as usize..(node.first + node.live) as usize;
                    for (id, b) in self.ids[live.clone()].iter().zip(&self.boxes[live]) {
                        let visible = (0..6)
                            .filter(|i| mask & (1 << i) != 0)
                            .all(|i| positive_distance(planes[i], b.min, b.max) >= 0.0);
                        if visible {
                            out.push(*id);
                        }
                    }
                } else {
                    stack.push((node.left + 1, mask));
                    stack.push((node.left, mask));
                }
            }
        }
        for (id, b) in self.overflow_ids.iter().zip(&self.overflow_boxes) {
            if frustum.intersects(b) {
                out.push(*id);
            }
        }
    }

    /// Appends every live item of subtree `n`, without tests.
    fn take_subtree(&self, n: u32, out: &mut Vec<u32>) {
        let node = &self.nodes[n as usize];
        if node.live == node.span {
            out.extend_from_slice(
                &self.ids[node.first as usize..(node.first + node.span) as usize],
            );
        } else if node.is_leaf() {
            out.extend_from_slice(
                &self.ids[node.first as usize..(node.first + node.live) as usize],
            );
        } else if node.live > 0 {
            self.take_subtree(node.left, out);
            self.take_subtree(node.left + 1, out);
        }
    }

    /// The leaf with a free slot whose box grows least, along a greedy descent through nodes
    /// with free slots; `None` if there is none.
    fn free_leaf_for(&self, aabb: &Aabb) -> Option<u32> {
        let mut n = 0u32;
        loop {
            let node = self.nodes.get(n as usize)?;
            if node.live == node.span {
                return None;
            }
            if node.is_leaf() {
                return Some(n);
            }
            let growth = |c: u32| {
                let child = &self.nodes[c as usize];
                if child.live == child.span {
                    f32::INFINITY
                } else {
                    child.aabb.union(*aabb).surface_area() - child.aabb.surface_area()
                }
            };
            let (l, r) = (node.left, node.left + 1);
            n = if growth(l) <= growth(r) { l } else { r };
        }
    }

    /// Recomputes the box of `leaf` from its live items, then of every ancestor from its
    /// children.
    fn refit(&mut self, leaf: u32) {
        let node = self.nodes[leaf as usize];
        let live = node.first as usize..(node.first + node.live) as usize;
        self.nodes[leaf as usize].aabb = self.boxes[live]
            .iter()
            .fold(Aabb::EMPTY, |acc, b| acc.union(*b));
        let mut n = node.parent;
        while n != NONE {
            let left = self.nodes[n as usize].left as usize;
            let aabb = self.nodes[left].aabb.union(self.nodes[left + 1].aabb);
            self.nodes[n as usize].aabb = aabb;
            n = self.nodes[n as usize].parent;
        }
    }

    fn maybe_rebuild(&mut self) {
        if self.policy.automatic && self.needs_rebuild() {
            self.rebuild();
        }
    }
}

/// Sorts ids ascending: a least-significant-digit radix sort (11-bit digits, digits that all
/// ids share skipped) for many ids, `sort_unstable` for few.
pub(super) fn sort_ids(ids: &mut Vec<u32>) {
    const BITS: u32 = 11;
    const DIGITS: usize = 1 << BITS;
    if ids.len() < 2048 {
        ids.sort_unstable();
        return;
    }
    let mut counts = vec![[0u32; DIGITS]; 3];
    for &id in ids.iter() {
        for (pass, c) in counts.iter_mut().enumerate() {
            c[((id >> (BITS * pass as u32)) as usize) & (DIGITS - 1)] += 1;
        }
    }
    let mut scratch = vec![0u32; ids.len()];
    for (pass, c) in counts.iter_mut().enumerate() {
        if c.contains(&(ids.len() as u32)) {
            continue; // one digit for all: this pass would not move anything
        }
        let mut sum = 0;
        for count in c.iter_mut() {
            let n = *count;
            *count = sum;
            sum += n;
        }
        let shift = BITS * pass as u32;
        for &id in ids.iter() {
            let d = ((id >> shift) as usize) & (DIGITS - 1);
            scratch[c[d] as usize] = id;
            c[d] += 1;
        }
        std::mem::swap(ids, &mut scratch);
    }
}

/// A built tree: the nodes, and the item order (slot -> input index).
struct Built {
    nodes: Vec<Node>,
    order: Vec<u32>,
}

/// An item during the build: moved around by the partitions, so that every pass reads
/// contiguous memory.
#[derive(Clone, Copy)]
struct Prim {
    aabb: Aabb,
    centroid: Vec3,
    index: u32,
}

/// Binned-SAH build over the boxes' centroids, splitting along the centroids' longest axis.
fn build(boxes: &[Aabb]) -> Built {
    let mut nodes = Vec::new();
    if boxes.is_empty() {
        return Built {
            nodes,
            order: Vec::new(),
        };
    }
    let mut prims: Vec<Prim> = boxes
        .iter()
        .enumerate()
        .map(|(i, b)| Prim {
            aabb: *b,
            centroid: b.center(),
            index: i as u32,
        })
        .collect();
    let (mut bounds, mut cbounds) = (Aabb::EMPTY, Aabb::EMPTY);
    for p in &prims {
        bounds = bounds.union(p.aabb);
        cbounds = cbounds.including(p.centroid);
    }
    nodes.reserve(2 * boxes.len() / LEAF_SIZE + 1);
    nodes.push(Node {
        aabb: bounds,
        first: 0,
        span: boxes.len() as u32,
        live: boxes.len() as u32,
        left: NONE,
        parent: NONE,
    });
    // (node, its centroids' bounds)
    let mut stack = vec![(0u32, cbounds)];
    while let Some((n, cbounds)) = stack.pop() {
        let (first, count) = {
            let node = &nodes[n as usize];
            (node.first as usize, node.span as usize)
        };
        if count <= LEAF_SIZE {
            continue;
        }
        let Some(halves) = split(&mut prims[first..first + count], &cbounds) else {
            continue;
        };
        let left = nodes.len() as u32;
        nodes[n as usize].left = left;
        let mut f = first;
        for half in &halves {
            nodes.push(Node {
                aabb: half.bounds,
                first: f as u32,
                span: half.count as u32,
                live: half.count as u32,
                left: NONE,
                parent: n,
            });
            f += half.count;
        }
        stack.push((left + 1, halves[1].cbounds));
        stack.push((left, halves[0].cbounds));
    }
    Built {
        nodes,
        order: prims.iter().map(|p| p.index).collect(),
    }
}

/// One side of a split.
struct Half {
    count: usize,
    bounds: Aabb,
    cbounds: Aabb,
}

/// The boxes' and the centroids' bounds of some prims.
fn bounds_of(prims: &[Prim]) -> (Aabb, Aabb) {
    prims.iter().fold((Aabb::EMPTY, Aabb::EMPTY), |(b, c), p| {
        (b.union(p.aabb), c.including(p.centroid))
    })
}

/// Partitions `prims` in two by the best SAH bin boundary along the centroids' longest axis,
/// with both sides' bounds; falls back to a median split when binning cannot separate the
/// items, and to `None` (a leaf) when all centroids coincide in a small range.
fn split(prims: &mut [Prim], cbounds: &Aabb) -> Option<[Half; 2]> {
    let count = prims.len();
    let extent = cbounds.max - cbounds.min;
    let axis = extent.max_position();
    let (lo, width) = (cbounds.min[axis], extent[axis]);
    let halves_at = |prims: &[Prim], mid: usize| {
        let (lb, lc) = bounds_of(&prims[..mid]);
        let (rb, rc) = bounds_of(&prims[mid..]);
        [
            Half {
                count: mid,
                bounds: lb,
                cbounds: lc,
            },
            Half {
                count: count - mid,
                bounds: rb,
                cbounds: rc,
            },
        ]
    };
    if width.is_nan() || width <= 0.0 || !width.is_finite() {
        // Coincident (or non-finite) centroids: no axis separates them; split the range in
        // halves unless it is a reasonable leaf.
        return (count > 4 * LEAF_SIZE).then(|| halves_at(prims, count / 2));
    }
    let scale = BINS as f32 / width;
    let bin_of = |p: &Prim| (((p.centroid[axis] - lo) * scale) as usize).min(BINS - 1);
    let mut bin_boxes = [Aabb::EMPTY; BINS];
    let mut bin_cboxes = [Aabb::EMPTY; BINS];
    let mut bin_counts = [0usize; BINS];
    for p in prims.iter() {
        let b = bin_of(p);
        bin_boxes[b] = bin_boxes[b].union(p.aabb);
        bin_cboxes[b] = bin_cboxes[b].including(p.centroid);
        bin_counts[b] += 1;
    }
    // Sweep from the right: areas and counts of bins k..BINS.
    let mut right_area = [0.0f32; BINS];
    let mut right_count = [0usize; BINS];
    let (mut acc, mut acc_n) = (Aabb::EMPTY, 0);
    for k in (1..BINS).rev() {
        acc = acc.union(bin_boxes[k]);
        acc_n += bin_counts[k];
        right_area[k] = acc.surface_area();
        right_count[k] = acc_n;
    }
    let (mut best, mut best_cost) = (0usize, f32::INFINITY);
    let (mut acc, mut acc_n) = (Aabb::EMPTY, 0);
    for k in 1..BINS {
        acc = acc.union(bin_boxes[k - 1]);
        acc_n += bin_counts[k - 1];
        if acc_n == 0 || right_count[k] == 0 {
            continue;
        }
        let cost = acc.surface_area() * acc_n as f32 + right_area[k] * right_count[k] as f32;
        if cost < best_cost {
            best_cost = cost;
            best = k;
        }
    }
    if best == 0 {
        // Every centroid in one bin (rounding at extreme spreads): median split along the axis.
        let mid = count / 2;
        prims.select_nth_unstable_by(mid, |a, b| a.centroid[axis].total_cmp(&b.centroid[axis]));
        return Some(halves_at(prims, mid));
    }
    // Partition: bins below `best` first.
    let mut i = 0;
    let mut j = count;
    while i < j {
        if bin_of(&prims[i]) < best {
            i += 1;
        } else {
            j -= 1;
            prims.swap(i, j);
        }
    }
    let side = |bins: std::ops::Range<usize>| {
        bins.fold((Aabb::EMPTY, Aabb::EMPTY), |(b, c), k| {
            (b.union(bin_boxes[k]), c.union(bin_cboxes[k]))
        })
    };
    let (lb, lc) = side(0..best);
    let (rb, rc) = side(best..BINS);
    Some([
        Half {
            count: i,
            bounds: lb,
            cbounds: lc,
        },
        Half {
            count: count - i,
            bounds: rb,
            cbounds: rc,
        },
    ])
}

/// A fast hasher for `u32` ids (a multiply and a xor-shift; ids are not adversarial input).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u32(u32::from(b));
        }
    }

    fn write_u32(&mut self, id: u32) {
        let h = (self.0 ^ u64::from(id)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }
}

/// The hasher of the id map.
type IdHash = BuildHasherDefault<IdHasher>;

#[cfg(test)]
impl Bvh {
    /// Panics unless every node's box holds its children's (or live items'), the live counts
    /// add up, and `places` points at every item.
    pub(super) fn check_invariants(&self) {
        for (n, node) in self.nodes.iter().enumerate() {
            if node.is_leaf() {
                assert!(node.live <= node.span);
                for s in node.first..node.first + node.live {
                    let s = s as usize;
                    assert!(node.aabb.contains(&self.boxes[s]), "leaf {n}");
                    assert_eq!(self.slot_leaf[s], n as u32);
                    assert_eq!(self.places[&self.ids[s]], Place::Slot(s as u32));
                }
            } else {
                let (l, r) = (
                    &self.nodes[node.left as usize],
                    &self.nodes[node.left as usize + 1],
                );
                assert_eq!(l.parent, n as u32);
                assert_eq!(r.parent, n as u32);
                assert_eq!(node.live, l.live + r.live);
                assert_eq!(node.span, l.span + r.span);
                assert_eq!((l.first, r.first), (node.first, node.first + l.span));
                assert!(node.aabb.contains(&l.aabb) && node.aabb.contains(&r.aabb));
            }
        }
        for (o, id) in self.overflow_ids.iter().enumerate() {
            assert_eq!(self.places[id], Place::Overflow(o as u32));
        }
        let in_tree = self.nodes.first().map_or(0, |root| root.live as usize);
        assert_eq!(in_tree + self.overflow_ids.len(), self.places.len());
    }
}
