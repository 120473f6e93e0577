//! Extraction's column pass: the visible entities' instances, packed straight from the ECS
//! columns into the [`RenderQueue`]'s Render-tier arena, with no intermediate item array.
//!
//! Two parallel passes over fixed chunks of each archetype's rows:
//!
//! 1. **Runs**: each chunk reads its small columns (`DrawPasses`, `Visibility`, `MeshRef`,
//!    `MaterialTextures`, and `MaterialIndex` when some material is not opaque and
//!    single-sided: at most 16 bytes an entity, 1 for an entity culling left out) and counts
//!    its visible entities per (mesh, textures, surface, passes) key: one [`InstanceRun`] per
//!    key present in the chunk.
//! 2. **Pack**: [`RenderQueue::set_runs`] gives every run its place in its batch, and each
//!    run packs its entities' transforms into that place, in row order. Only the entities in
//!    a pass are read there, so the cost of the transforms (48 bytes an entity) and of packing
//!    grows with what culling found visible, not with the world.
//!
//! Chunks are cut the same way whatever the thread count, and runs of one key keep their
//! chunks' order, so the frame's instances are in query order within each batch: the same
//! bytes as a serial query, on any number of threads.
//!
//! **Kept instances.** An archetype whose drawn data (transforms, materials, rows) did not
//! change since the previous frame has every row's instance packed once into a store that
//! survives frames ([`KeptInstances`]); while it stays unchanged, the pack pass copies its
//! visible rows' 20-byte instances from there instead of reading 48-byte transforms and
//! packing rotations. Statics and movers live in different archetypes (statics carry markers),
//! so a static world costs a copy per visible entity.

use glam::Quat;
use hecs::{Archetype, ArchetypeColumn};
use layerw_components::{
    DrawPasses, GlobalTransform, MaterialIndex, MaterialTextures, MeshRef, Transform, Visibility,
};
use layerw_engine::ecs::World;
use layerw_engine::render::{
    GpuInstance, InstanceRun, MeshHandle, PASS_ALL, ROTATION_LANES, RenderQueue, Surface,
    TextureSetHandle, pack_rotations, scale_bits,
};
use rayon::prelude::*;

/// Rows per chunk: enough to amortise a task and its runs (a chunk of LOD entities holds a
/// run per level, chain and pass: about a hundred, each with a per-run cost when packed; 8192
/// rows made extraction in `bench_visibility` 1.2x faster than 4096), few enough that 1M
/// entities give both cores a hundred chunks to balance. At most 65,536 (row offsets are
/// `u16`).
const CHUNK: usize = 8192;
const _: () = assert!(CHUNK <= 1 << 16);

/// A run's key: what puts an instance in a batch and a pass range.
type Key = (MeshHandle, TextureSetHandle, Surface, u8);

/// The instances of every row of archetypes that did not change, kept between frames and
/// indexed by the archetype's position in the world's archetype list (the extraction system
/// owns one).
#[derive(Default)]
pub(crate) struct KeptInstances {
    archetypes: Vec<Option<Vec<GpuInstance>>>,
}

impl KeptInstances {
    /// Instances kept, over all archetypes.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.archetypes.iter().flatten().map(Vec::len).sum()
    }
}

/// Turns on change tracking of the columns kept instances are packed from.
pub(crate) fn track_packed_columns(world: &mut World) {
    world.track_changes::<Transform>();
    world.track_changes::<GlobalTransform>();
    world.track_changes::<MaterialIndex>();
}

/// Whether `archetype`'s instances can be kept: whether its `Transform`, `GlobalTransform` and
/// `MaterialIndex` columns changed (in that order; `None`: not tracked) says every column it
/// has is tracked and unchanged.
pub(crate) fn packed_columns_unchanged(archetype: &Archetype, changed: [Option<bool>; 3]) -> bool {
    let same = |c: Option<bool>| c == Some(false);
    let [transform, global, material] = changed;
    same(transform)
        && (!archetype.has::<GlobalTransform>() || same(global))
        && (!archetype.has::<MaterialIndex>() || same(material))
}

/// One archetype's borrowed columns (the borrows last while the slices are read).
struct Borrowed<'a> {
    locals: ArchetypeColumn<'a, Transform>,
    globals: Option<ArchetypeColumn<'a, GlobalTransform>>,
    meshes: ArchetypeColumn<'a, MeshRef>,
    materials: Option<ArchetypeColumn<'a, MaterialIndex>>,
    textures: Option<ArchetypeColumn<'a, MaterialTextures>>,
    visibility: Option<ArchetypeColumn<'a, Visibility>>,
    passes: Option<ArchetypeColumn<'a, DrawPasses>>,
}

impl<'a> Borrowed<'a> {
    /// The columns of an archetype extraction draws from (a `Transform` and a `MeshRef`).
    fn of(archetype: &'a Archetype) -> Option<Borrowed<'a>> {
        Some(Borrowed {
            locals: archetype.get::<&Transform>()?,
            globals: archetype.get::<&GlobalTransform>(),
            meshes: archetype.get::<&MeshRef>()?,
            materials: archetype.get::<&MaterialIndex>(),
            textures: archetype.get::<&MaterialTextures>(),
            visibility: archetype.get::<&Visibility>(),
            passes: archetype.get::<&DrawPasses>(),
        })
    }

    fn columns<'s>(
        &'s self,
        surfaces: Option<&'s [Surface]>,
        kept: Option<&'s [GpuInstance]>,
    ) -> Columns<'s> {
        Columns {
            surfaces,
            kept,
            transforms: match &self.globals {
                Some(globals) => Transforms::Global(globals),
                None => Transforms::Local(&self.locals),
            },
            meshes: &self.meshes,
            materials: self.materials.as_deref(),
            textures: self.textures.as_deref(),
            visibility: self.visibility.as_deref(),
            passes: self.passes.as_deref(),
        }
    }
}

/// The transforms an archetype is drawn with: its `GlobalTransform` when it has one.
#[derive(Clone, Copy)]
enum Transforms<'a> {
    Local(&'a [Transform]),
    Global(&'a [GlobalTransform]),
}

/// One archetype's columns as plain slices.
#[derive(Clone, Copy)]
struct Columns<'a> {
    /// The surface of each material index (`None`: every material opaque, single-sided).
    surfaces: Option<&'a [Surface]>,
    /// Every row's instance, kept from an earlier frame: copied instead of packed.
    kept: Option<&'a [GpuInstance]>,
    transforms: Transforms<'a>,
    meshes: &'a [MeshRef],
    materials: Option<&'a [MaterialIndex]>,
    textures: Option<&'a [MaterialTextures]>,
    visibility: Option<&'a [Visibility]>,
    passes: Option<&'a [DrawPasses]>,
}

impl Columns<'_> {
    /// The key of `row`, or `None` when it is in no pass (culled, or hidden).
    #[inline]
    fn key(&self, row: usize) -> Option<Key> {
        let passes = self.passes.map_or(PASS_ALL, |p| p[row].0 & PASS_ALL);
        if passes == 0
            || self
                .visibility
                .is_some_and(|v| v[row] == Visibility::Hidden)
        {
            return None;
        }
        let textures = self.textures.map_or_else(Default::default, |t| t[row].0);
        let surface = match (self.surfaces, self.materials) {
            (Some(surfaces), Some(materials)) => surfaces
                .get(usize::from(materials[row].0))
                .copied()
                .unwrap_or_default(),
            _ => Surface::OPAQUE,
        };
        Some((self.meshes[row].0, textures, surface, passes))
    }

    /// The transform `row` is drawn with.
    #[inline]
    fn transform(&self, row: usize) -> &Transform {
        match self.transforms {
            Transforms::Local(t) => &t[row],
            Transforms::Global(g) => &g[row].0,
        }
    }
}

/// A run's instances, packed [`ROTATION_LANES`] rows at a time (the rotations in SIMD lanes,
/// [`pack_rotations`]; the same bits as [`GpuInstance::new`]).
struct Packer<'a, R> {
    columns: &'a Columns<'a>,
    rows: R,
    ready: [GpuInstance; ROTATION_LANES],
    next: usize,
    len: usize,
    /// The last scale's bits and its half: most entities of a run share one scale.
    scale: (u32, u16),
}

impl<'a, R: Iterator<Item = usize>> Packer<'a, R> {
    fn new(columns: &'a Columns<'a>, rows: R) -> Self {
        Packer {
            columns,
            rows,
            ready: [GpuInstance::default(); ROTATION_LANES],
            next: 0,
            len: 0,
            scale: (1f32.to_bits(), scale_bits(1.0)),
        }
    }

    fn refill(&mut self) {
        let mut rows = [0usize; ROTATION_LANES];
        let mut n = 0;
        while n < ROTATION_LANES {
            let Some(row) = self.rows.next() else { break };
            rows[n] = row;
            n += 1;
        }
        (self.next, self.len) = (0, n);
        if n == 0 {
            return;
        }
        if let Some(kept) = self.columns.kept {
            for (ready, &row) in self.ready.iter_mut().zip(&rows[..n]) {
                *ready = kept[row];
            }
            return;
        }
        let mut rotations = [Quat::IDENTITY; ROTATION_LANES];
        for (rotation, &row) in rotations.iter_mut().zip(&rows[..n]) {
            *rotation = self.columns.transform(row).rotation;
        }
        let packed = pack_rotations(&rotations);
        for ((ready, &row), rotation) in self.ready.iter_mut().zip(&rows[..n]).zip(packed) {
            let transform = self.columns.transform(row);
            // Uniform scale: the largest component.
            let scale = transform.scale.max_element();
            if scale.to_bits() != self.scale.0 {
                self.scale = (scale.to_bits(), scale_bits(scale));
            }
            let material = self.columns.materials.map_or(0, |m| m[row].0);
            *ready =
                GpuInstance::from_packed(transform.translation, rotation, self.scale.1, material);
        }
    }
}

impl<R: Iterator<Item = usize>> Iterator for Packer<'_, R> {
    type Item = GpuInstance;

    #[inline]
    fn next(&mut self) -> Option<GpuInstance> {
        if self.next == self.len {
            self.refill();
            if self.len == 0 {
                return None;
            }
        }
        self.next += 1;
        Some(self.ready[self.next - 1])
    }
}

/// A chunk's runs: its keys and their counts, in order of first appearance, and (when it has
/// more than one) its visible rows grouped by run, so that packing a run does not scan the
/// chunk once per run (a chunk of LOD entities has a run per level and chain).
struct ChunkRuns {
    runs: Vec<InstanceRun>,
    /// Row offsets in the chunk, run after run, in row order within each; empty with one run.
    rows: Vec<u16>,
}

fn chunk_runs(columns: &Columns<'_>, rows: core::ops::Range<usize>) -> ChunkRuns {
    let mut runs: Vec<InstanceRun> = Vec::new();
    // (row offset, run) of every visible row.
    let mut visible: Vec<(u16, u16)> = Vec::new();
    let mut last: Option<(Key, usize)> = None;
    // The run last found for each hash of a key: neighbouring rows of LOD entities differ in
    // mesh, and a chunk can hold a hundred runs, too many to search for every row.
    const RECENT: usize = 64;
    let mut recent = [u16::MAX; RECENT];
    let slot = |key: &Key| (key.0.index() as usize * 4 + usize::from(key.3)) % RECENT;
    let start = rows.start;
    for row in rows {
        let Some(key) = columns.key(row) else {
            continue;
        };
        let at = match last {
            Some((k, at)) if k == key => at,
            _ => {
                let same = |r: &InstanceRun| (r.mesh, r.textures, r.surface, r.passes) == key;
                let hint = usize::from(recent[slot(&key)]);
                let found = match runs.get(hint) {
                    Some(r) if same(r) => Some(hint),
                    _ => runs.iter().position(same),
                };
                let at = found.unwrap_or_else(|| {
                    runs.push(InstanceRun {
                        mesh: key.0,
                        textures: key.1,
                        surface: key.2,
                        passes: key.3,
                        len: 0,
                    });
                    runs.len() - 1
                });
                last = Some((key, at));
                recent[slot(&key)] = at as u16;
                at
            }
        };
        runs[at].len += 1;
        // Offsets and run indices fit: a chunk has at most `CHUNK` rows, and so runs.
        visible.push(((row - start) as u16, at as u16));
    }
    let mut grouped = Vec::new();
    if runs.len() > 1 {
        // A counting sort by run, stable, so rows stay in order within a run.
        let mut next: Vec<u32> = runs
            .iter()
            .scan(0, |first, r| {
                let at = *first;
                *first += r.len;
                Some(at)
            })
            .collect();
        grouped = vec![0u16; visible.len()];
        for (offset, run) in visible {
            let slot = &mut next[usize::from(run)];
            grouped[*slot as usize] = offset;
            *slot += 1;
        }
    }
    ChunkRuns {
        runs,
        rows: grouped,
    }
}

/// The rows of one run of a chunk, in order.
enum RunRows<'a> {
    /// Every row of the chunk (one run, nothing culled).
    All(core::ops::Range<usize>),
    /// The chunk's only run: the rows in a pass.
    Visible(core::ops::Range<usize>, &'a Columns<'a>),
    /// Offsets from the chunk's first row (one run of several).
    Listed(usize, core::slice::Iter<'a, u16>),
}

impl Iterator for RunRows<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        match self {
            RunRows::All(rows) => rows.next(),
            RunRows::Visible(rows, columns) => rows.find(|&row| columns.key(row).is_some()),
            RunRows::Listed(start, offsets) => offsets.next().map(|&o| *start + usize::from(o)),
        }
    }
}

/// Every row of `columns` packed into `out` (emptied first), in parallel.
fn pack_all(columns: &Columns<'_>, out: &mut Vec<GpuInstance>) {
    out.clear();
    out.resize(columns.meshes.len(), GpuInstance::default());
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(k, part)| {
        let rows = k * CHUNK..k * CHUNK + part.len();
        for (slot, instance) in part.iter_mut().zip(Packer::new(columns, rows)) {
            *slot = instance;
        }
    });
}

/// Packs the instances of every entity with a [`Transform`] and a [`MeshRef`] that is in a
/// pass (its [`DrawPasses`]; absent: both) and not [`Visibility::Hidden`] into `queue`,
/// grouped into batches (see the module docs). `surfaces` gives each material index's
/// surface (`None`: all opaque and single-sided, and the materials are not read).
/// `unchanged(position, archetype)` says whether an archetype's transforms and materials are
/// known not to have changed since the previous call: those are packed into `kept` once and
/// copied from there while they stay unchanged (and keep their length).
pub(crate) fn pack_visible<'a>(
    archetypes: impl Iterator<Item = &'a Archetype>,
    surfaces: Option<&[Surface]>,
    queue: &mut RenderQueue,
    kept: &mut KeptInstances,
    unchanged: impl Fn(usize, &Archetype) -> bool,
) {
    let borrowed: Vec<(usize, Borrowed<'_>)> = archetypes
        .enumerate()
        .filter(|(_, a)| !a.is_empty())
        .filter_map(|(i, a)| Some((i, Borrowed::of(a)?, unchanged(i, a))))
        .map(|(i, b, same)| {
            // Kept rows stay valid while nothing changed and no row left (a despawn moves
            // the last row into the hole without a change tick).
            let len = b.meshes.len();
            if kept.archetypes.len() <= i {
                kept.archetypes.resize_with(i + 1, || None);
            }
            let slot = &mut kept.archetypes[i];
            match slot {
                Some(rows) if same && rows.len() == len => {}
                _ if same => pack_all(&b.columns(surfaces, None), slot.get_or_insert_default()),
                _ => *slot = None,
            }
            (i, b)
        })
        .collect();
    // Archetypes no longer drawn keep nothing.
    let drawn: Vec<usize> = borrowed.iter().map(|(i, _)| *i).collect();
    for (i, slot) in kept.archetypes.iter_mut().enumerate() {
        if slot.is_some() && drawn.binary_search(&i).is_err() {
            *slot = None;
        }
    }
    let columns: Vec<Columns<'_>> = borrowed
        .iter()
        .map(|(i, b)| b.columns(surfaces, kept.archetypes[*i].as_deref()))
        .collect();
    // (archetype, first row) of every chunk, in query order.
    let chunks: Vec<(usize, usize)> = columns
        .iter()
        .enumerate()
        .flat_map(|(a, c)| (0..c.meshes.len()).step_by(CHUNK).map(move |row| (a, row)))
        .collect();
    let rows = |(a, start): (usize, usize)| start..(start + CHUNK).min(columns[a].meshes.len());
    let per_chunk: Vec<ChunkRuns> = chunks
        .par_iter()
        .map(|&chunk| chunk_runs(&columns[chunk.0], rows(chunk)))
        .collect();
    // Every run, in query order, with its chunk and its first row in that chunk's list.
    let runs: Vec<InstanceRun> = per_chunk
        .iter()
        .flat_map(|c| c.runs.iter().copied())
        .collect();
    let mut run_places: Vec<(usize, usize)> = Vec::with_capacity(runs.len());
    for (k, found) in per_chunk.iter().enumerate() {
        let mut first = 0;
        for run in &found.runs {
            run_places.push((k, first));
            first += run.len as usize;
        }
    }
    queue.set_runs(&runs, |r| {
        let (k, first) = run_places[r];
        let chunk = chunks[k];
        let columns = &columns[chunk.0];
        let rows = rows(chunk);
        let len = runs[r].len as usize;
        let listed = &per_chunk[k].rows;
        let run_rows = if !listed.is_empty() {
            RunRows::Listed(rows.start, listed[first..first + len].iter())
        } else if len == rows.len() {
            RunRows::All(rows)
        } else {
            RunRows::Visible(rows, columns)
        };
        Packer::new(columns, run_rows)
    });
}

#[cfg(test)]
mod tests {
    use glam::{Quat, Vec3};
    use layerw_components::{
        DrawPasses, GlobalTransform, MaterialIndex, MaterialTextures, MeshRef, Transform,
        Visibility,
    };
    use layerw_engine::ecs::{Tick, World};
    use layerw_engine::render::{
        AlphaMode, Batch, CameraView, GpuInstance, MeshHandle, PASS_ALL, PackedItem, RenderQueue,
        Surface, TextureSetHandle,
    };
    use rand::{Rng, SeedableRng, rngs::SmallRng};

    /// A world of several archetypes (optional columns present or not), chunks cut inside
    /// archetypes, every pass mix, hidden entities and global transforms.
    fn mixed_world() -> World {
        let mut world = World::new();
        let mut rng = SmallRng::seed_from_u64(11);
        let transform = |rng: &mut SmallRng| Transform {
            translation: Vec3::new(rng.random(), rng.random(), rng.random()) * 100.0,
            rotation: Quat::from_rotation_y(rng.random::<f32>() * 6.0),
            scale: Vec3::splat(rng.random::<f32>() + 0.5),
        };
        for i in 0..30_000u32 {
            let t = transform(&mut rng);
            let mesh = MeshRef(MeshHandle::for_tests(rng.random_range(1..4)));
            let passes = DrawPasses(if i % 3000 < 1000 {
                0
            } else {
                rng.random_range(0..4)
            });
            match i % 5 {
                0 => world.spawn((t, mesh)),
                1 => world.spawn((t, mesh, MaterialIndex((i / 5 % 300) as u16), passes)),
                2 => world.spawn((
                    t,
                    mesh,
                    passes,
                    MaterialTextures(TextureSetHandle::default()),
                    if i % 7 == 0 {
                        Visibility::Hidden
                    } else {
                        Visibility::Visible
                    },
                )),
                3 => world.spawn((t, mesh, passes, GlobalTransform(transform(&mut rng)))),
                _ => world.spawn((GlobalTransform(t), mesh)), // no Transform: not drawn
            };
        }
        world
    }

    /// A surface table with every kind of surface, for materials 0..256 (the test world
    /// names materials up to 300: past the table reads as opaque).
    fn surfaces() -> Vec<Surface> {
        (0..256)
            .map(|m| match m % 5 {
                1 => Surface::new(AlphaMode::Mask, false),
                2 => Surface::new(AlphaMode::Blend, m % 2 == 0),
                3 => Surface::new(AlphaMode::Opaque, true),
                _ => Surface::OPAQUE,
            })
            .collect()
    }

    /// What extraction used to do: gather every entity in query order, then group.
    fn reference(world: &World, surfaces: Option<&[Surface]>) -> (Vec<GpuInstance>, Vec<Batch>) {
        let items: Vec<PackedItem> = world
            .query::<(
                &Transform,
                Option<&GlobalTransform>,
                &MeshRef,
                Option<&MaterialIndex>,
                Option<&MaterialTextures>,
                Option<&Visibility>,
                Option<&DrawPasses>,
            )>()
            .iter()
            .map(
                |(local, global, mesh, material, textures, visibility, passes)| {
                    let passes = passes.map_or(PASS_ALL, |p| p.0);
                    if visibility == Some(&Visibility::Hidden) {
                        return PackedItem::default();
                    }
                    let t = global.map_or(local, |g| &g.0);
                    let material = material.map_or(0, |m| m.0);
                    let surface = surfaces
                        .and_then(|s| s.get(usize::from(material)).copied())
                        .unwrap_or_default();
                    PackedItem {
                        mesh: mesh.0,
                        textures: textures.map_or_else(Default::default, |t| t.0),
                        surface,
                        passes,
                        instance: GpuInstance::new(
                            t.translation,
                            t.rotation,
                            t.scale.max_element(),
                            material,
                        ),
                    }
                },
            )
            .collect();
        let mut queue = queue();
        queue.set_packed(&items);
        frame(&mut queue)
    }

    /// A queue with a camera (blended batches are sorted from it).
    fn queue() -> RenderQueue {
        let mut queue = RenderQueue::new();
        queue.camera = Some(CameraView::look_at(
            Vec3::new(30.0, 20.0, 150.0),
            Vec3::splat(50.0),
            1.0,
            1.0,
            0.1,
            300.0,
        ));
        queue
    }

    /// The queue's instances and batches.
    fn frame(queue: &mut RenderQueue) -> (Vec<GpuInstance>, Vec<Batch>) {
        let instances = queue.with_frame(|f| f.expect("a camera").instances.to_vec());
        (instances, queue.batches.clone())
    }

    fn extract(world: &World, surfaces: Option<&[Surface]>) -> (Vec<GpuInstance>, Vec<Batch>) {
        let mut queue = queue();
        super::pack_visible(
            world.as_hecs().archetypes(),
            surfaces,
            &mut queue,
            &mut super::KeptInstances::default(),
            |_, _| false,
        );
        frame(&mut queue)
    }

    #[test]
    fn packs_the_same_instances_in_the_same_order_as_a_serial_query() {
        let world = mixed_world();
        let table = surfaces();
        for surfaces in [None, Some(&table[..])] {
            let expected = reference(&world, surfaces);
            assert!(expected.0.len() > 10_000);
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let got = pool.install(|| extract(&world, surfaces));
                assert_eq!(got.1, expected.1, "{threads} threads: batches");
                assert!(got.0 == expected.0, "{threads} threads: instances differ");
            }
        }
        // Without surfaces: one batch per mesh; with them, a batch per mesh and surface, and
        // the blended ones last.
        assert_eq!(reference(&world, None).1.len(), 3);
        let (_, batches) = reference(&world, Some(&table));
        let first_blended = batches.iter().position(|b| b.surface.is_blended()).unwrap();
        assert!(
            first_blended >= 3 * 3,
            "three meshes x three unblended surfaces"
        );
        assert!(
            batches[first_blended..]
                .iter()
                .all(|b| b.surface.is_blended())
        );
    }

    #[test]
    fn chunks_of_one_run_with_culled_rows_pack_only_the_visible() {
        // One mesh and one pass mix: every chunk is one run of its rows in a pass.
        let mut world = World::new();
        let mesh = MeshRef(MeshHandle::for_tests(1));
        for i in 0..20_000u32 {
            let t = Transform::from_translation(Vec3::new(i as f32, 0.0, 0.0));
            world.spawn((t, mesh, DrawPasses(if i % 3 == 0 { 0 } else { PASS_ALL })));
        }
        let expected = reference(&world, None);
        assert_eq!(expected.0.len(), 13_333);
        let got = extract(&world, None);
        assert_eq!(got.1, expected.1);
        assert!(got.0 == expected.0);
    }

    /// A frame extracted with `kept`, counting archetypes unchanged by the world's ticks
    /// since `seen`.
    fn extract_keeping(
        world: &World,
        surfaces: Option<&[Surface]>,
        kept: &mut super::KeptInstances,
        seen: Tick,
    ) -> (Vec<GpuInstance>, Vec<Batch>) {
        let mut queue = queue();
        super::pack_visible(
            world.as_hecs().archetypes(),
            surfaces,
            &mut queue,
            kept,
            |i, a| {
                super::packed_columns_unchanged(
                    a,
                    [
                        world.archetype_changed::<Transform>(i, seen),
                        world.archetype_changed::<GlobalTransform>(i, seen),
                        world.archetype_changed::<MaterialIndex>(i, seen),
                    ],
                )
            },
        );
        frame(&mut queue)
    }

    fn tracking(mut world: World) -> World {
        super::track_packed_columns(&mut world);
        world
    }

    #[test]
    fn kept_instances_give_the_packed_frame_through_every_kind_of_change() {
        let mut world = tracking(mixed_world());
        let table = surfaces();
        let mut kept = super::KeptInstances::default();
        let mut seen = Tick::ZERO;
        let victims: Vec<_> = world
            .query::<(hecs::Entity, &Transform)>()
            .iter()
            .map(|(e, _)| e)
            .step_by(997)
            .collect();
        for step in 0..8 {
            match step {
                // Moves one archetype (the one with materials).
                2 => {
                    for (t, _) in world.query_mut::<(&mut Transform, &MaterialIndex)>() {
                        t.translation.x += 1.0;
                    }
                }
                // A despawn from a kept archetype: its last row moves, no tick changes.
                3 => world.despawn(victims[3]).unwrap(),
                // Replaced in place.
                4 => {
                    let moved = Transform::from_translation(Vec3::splat(7.0));
                    world.insert_one(victims[5], moved).unwrap();
                }
                5 => {
                    for m in world.query_mut::<&mut MaterialIndex>() {
                        m.0 = (m.0 + 1) % 300;
                    }
                }
                6 => {
                    for g in world.query_mut::<&mut GlobalTransform>() {
                        g.0.scale *= 2.0;
                    }
                }
                _ => {}
            }
            let got = extract_keeping(&world, Some(&table), &mut kept, seen);
            seen = world.change_tick();
            world.advance_change_tick();
            let expected = extract(&world, Some(&table));
            assert_eq!(got.1, expected.1, "step {step}: batches");
            assert!(got.0 == expected.0, "step {step}: instances differ");
            if step > 0 {
                assert!(kept.len() > 10_000, "step {step}: {} kept", kept.len());
            }
        }
    }

    #[test]
    fn unchanged_archetypes_are_copied_not_packed_again() {
        let mut world = tracking(World::new());
        let mesh = MeshRef(MeshHandle::for_tests(1));
        let entity = world.spawn((Transform::IDENTITY, mesh));
        let mut kept = super::KeptInstances::default();
        // First frame: everything is new; second: unchanged, packed into `kept`.
        let first = extract_keeping(&world, None, &mut kept, Tick::ZERO);
        let seen = world.change_tick();
        world.advance_change_tick();
        assert_eq!(kept.len(), 0);
        extract_keeping(&world, None, &mut kept, seen);
        assert_eq!(kept.len(), 1);
        // A write the change ticks cannot see (straight through hecs) is not read: the kept
        // instance is what the frame draws.
        world
            .as_hecs()
            .get::<&mut Transform>(entity)
            .unwrap()
            .translation = Vec3::X;
        let seen = world.change_tick();
        world.advance_change_tick();
        assert!(extract_keeping(&world, None, &mut kept, seen).0 == first.0);
        assert!(extract(&world, None).0 != first.0);
    }

    #[test]
    fn blended_instances_come_last_sorted_back_to_front_without_shadows() {
        let world = mixed_world();
        let table = surfaces();
        let (instances, batches) = extract(&world, Some(&table));
        let camera = queue().camera.unwrap();
        let first = batches.iter().position(|b| b.surface.is_blended()).unwrap();
        let start = batches[first].instances.start as usize;
        assert_eq!(
            batches.last().unwrap().instances.end as usize,
            instances.len()
        );
        let depths: Vec<f32> = instances[start..]
            .iter()
            .map(|i| -camera.view.transform_point3(Vec3::from(i.position)).z)
            .collect();
        assert!(depths.len() > 300, "{}", depths.len());
        assert!(depths.windows(2).all(|d| d[0] >= d[1]), "not back to front");
        for batch in &batches[first..] {
            assert!(batch.caster_instances().is_empty(), "a blended batch casts");
        }
        // Consecutive batches differ (else they would be one draw).
        assert!(batches[first..].windows(2).all(|w| {
            (w[0].mesh, w[0].textures, w[0].surface) != (w[1].mesh, w[1].textures, w[1].surface)
        }));
    }
}
