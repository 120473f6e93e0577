//! Extraction's column pass: the visible entities' instances, packed straight from the ECS
//! columns into the [`RenderQueue`]'s Render-tier arena, with no intermediate item array.
//!
//! Two parallel passes over fixed chunks of each archetype's rows:
//!
//! 1. **Runs**: each chunk reads its small columns (`DrawPasses`, `Visibility`, `MeshRef`,
//!    `MaterialTextures`: at most 14 bytes an entity, 1 for an entity culling left out) and
//!    counts its visible entities per (mesh, textures, passes) key: one [`InstanceRun`] per
//!    key present in the chunk.
//! 2. **Pack**: [`RenderQueue::set_runs`] gives every run its place in its batch, and each
//!    run packs its entities' transforms into that place, in row order. Only the entities in
//!    a pass are read there, so the cost of the transforms (48 bytes an entity) and of packing
//!    grows with what culling found visible, not with the world.
//!
//! Chunks are cut the same way whatever the thread count, and runs of one key keep their
//! chunks' order, so the frame's instances are in query order within each batch: the same
//! bytes as a serial query, on any number of threads.

use glam::Quat;
use hecs::{Archetype, ArchetypeColumn};
use layerw_components::{
    DrawPasses, GlobalTransform, MaterialIndex, MaterialTextures, MeshRef, Transform, Visibility,
};
use layerw_engine::render::{
    GpuInstance, InstanceRun, MeshHandle, PASS_ALL, ROTATION_LANES, RenderQueue, TextureSetHandle,
    pack_rotations, scale_bits,
};
use rayon::prelude::*;

/// Rows per chunk: enough to amortise a task and a run (a few per chunk), few enough that 1M
/// entities give both cores hundreds of chunks to balance.
const CHUNK: usize = 4096;

/// A run's key: what puts an instance in a batch and a pass range.
type Key = (MeshHandle, TextureSetHandle, u8);

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

    fn columns(&self) -> Columns<'_> {
        Columns {
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
        Some((self.meshes[row].0, textures, passes))
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
        (self.next, self.len) = (0, n);
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

/// A chunk's keys and their counts, in order of first appearance (a chunk has a few).
fn chunk_runs(columns: &Columns<'_>, rows: core::ops::Range<usize>) -> Vec<InstanceRun> {
    let mut runs: Vec<InstanceRun> = Vec::new();
    let mut last: Option<(Key, usize)> = None;
    for row in rows {
        let Some(key) = columns.key(row) else {
            continue;
        };
        let at = match last {
            Some((k, at)) if k == key => at,
            _ => {
                let found = runs
                    .iter()
                    .position(|r| (r.mesh, r.textures, r.passes) == key);
                let at = found.unwrap_or_else(|| {
                    runs.push(InstanceRun {
                        mesh: key.0,
                        textures: key.1,
                        passes: key.2,
                        len: 0,
                    });
                    runs.len() - 1
                });
                last = Some((key, at));
                at
            }
        };
        runs[at].len += 1;
    }
    runs
}

/// Packs the instances of every entity with a [`Transform`] and a [`MeshRef`] that is in a
/// pass (its [`DrawPasses`]; absent: both) and not [`Visibility::Hidden`] into `queue`,
/// grouped into batches (see the module docs).
pub(crate) fn pack_visible<'a>(
    archetypes: impl Iterator<Item = &'a Archetype>,
    queue: &mut RenderQueue,
) {
    let borrowed: Vec<Borrowed<'_>> = archetypes
        .filter(|a| !a.is_empty())
        .filter_map(Borrowed::of)
        .collect();
    let columns: Vec<Columns<'_>> = borrowed.iter().map(Borrowed::columns).collect();
    // (archetype, first row) of every chunk, in query order.
    let chunks: Vec<(usize, usize)> = columns
        .iter()
        .enumerate()
        .flat_map(|(a, c)| (0..c.meshes.len()).step_by(CHUNK).map(move |row| (a, row)))
        .collect();
    let rows = |(a, start): (usize, usize)| start..(start + CHUNK).min(columns[a].meshes.len());
    let per_chunk: Vec<Vec<InstanceRun>> = chunks
        .par_iter()
        .map(|&chunk| chunk_runs(&columns[chunk.0], rows(chunk)))
        .collect();
    // Every run, in query order, and the chunk it came from.
    let mut runs: Vec<InstanceRun> = Vec::with_capacity(per_chunk.iter().map(Vec::len).sum());
    let mut run_chunks: Vec<(usize, usize)> = Vec::with_capacity(runs.capacity());
    for (chunk, found) in chunks.iter().zip(per_chunk) {
        run_chunks.extend(std::iter::repeat_n(*chunk, found.len()));
        runs.extend(found);
    }
    queue.set_runs(&runs, |r| {
        let chunk = run_chunks[r];
        let key = (runs[r].mesh, runs[r].textures, runs[r].passes);
        let columns = &columns[chunk.0];
        let rows = rows(chunk);
        // The whole chunk in one run (everything visible, one mesh): no key to check again.
        let whole = runs[r].len as usize == rows.len();
        Packer::new(
            columns,
            rows.filter(move |&row| whole || columns.key(row) == Some(key)),
        )
    });
}

#[cfg(test)]
mod tests {
    use glam::{Quat, Vec3};
    use layerw_components::{
        DrawPasses, GlobalTransform, MaterialIndex, MaterialTextures, MeshRef, Transform,
        Visibility,
    };
    use layerw_engine::ecs::World;
    use layerw_engine::render::{
        Batch, CameraView, GpuInstance, MeshHandle, PASS_ALL, PackedItem, RenderQueue,
        TextureSetHandle,
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
                1 => world.spawn((t, mesh, MaterialIndex(i as u16), passes)),
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

    /// What extraction used to do: gather every entity in query order, then group.
    fn reference(world: &World) -> (Vec<GpuInstance>, Vec<Batch>) {
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
                    PackedItem {
                        mesh: mesh.0,
                        textures: textures.map_or_else(Default::default, |t| t.0),
                        passes,
                        instance: GpuInstance::new(
                            t.translation,
                            t.rotation,
                            t.scale.max_element(),
                            material.map_or(0, |m| m.0),
                        ),
                    }
                },
            )
            .collect();
        let mut queue = RenderQueue::new();
        queue.set_packed(&items);
        frame(&mut queue)
    }

    /// The queue's instances and batches (`with_frame` wants a camera: any will do).
    fn frame(queue: &mut RenderQueue) -> (Vec<GpuInstance>, Vec<Batch>) {
        queue.camera = Some(CameraView::look_at(
            Vec3::Z,
            Vec3::ZERO,
            1.0,
            1.0,
            0.1,
            10.0,
        ));
        let instances = queue.with_frame(|f| f.expect("a camera").instances.to_vec());
        (instances, queue.batches.clone())
    }

    fn extract(world: &World) -> (Vec<GpuInstance>, Vec<Batch>) {
        let mut queue = RenderQueue::new();
        super::pack_visible(world.as_hecs().archetypes(), &mut queue);
        frame(&mut queue)
    }

    #[test]
    fn packs_the_same_instances_in_the_same_order_as_a_serial_query() {
        let world = mixed_world();
        let expected = reference(&world);
        assert!(expected.0.len() > 10_000 && expected.1.len() == 3);
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool.install(|| extract(&world));
            assert_eq!(got.1, expected.1, "{threads} threads: batches");
            assert!(got.0 == expected.0, "{threads} threads: instances differ");
        }
    }
}
