//! The Render stage's output: this frame's instances grouped into batches by mesh, written into
//! walloc's Render-tier arena (reset every frame), plus the camera and lights. The GPU layer
//! uploads the instances in one copy and issues one instanced draw per batch.

use std::collections::BTreeMap;
use std::sync::Mutex;

use glam::{Quat, Vec3};
use rayon::prelude::*;

use super::{
    Batch, CameraView, DirectionalLight, FrameDesc, GpuInstance, MeshHandle, PointLight, Surface,
    TextureSetHandle,
};
use crate::walloc::{self, Arena, ArenaPtr, Tier};

/// One thing to draw, before packing: what extraction gathers from the world.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DrawItem {
    /// The mesh.
    pub mesh: MeshHandle,
    /// World position.
    pub position: Vec3,
    /// World rotation.
    pub rotation: Quat,
    /// Uniform scale.
    pub scale: f32,
    /// Material index.
    pub material: u16,
    /// Texture maps (the default: none).
    pub textures: TextureSetHandle,
    /// How its material's surface is drawn (the default: opaque, single-sided).
    pub surface: Surface,
}

/// [`PackedItem::passes`]: drawn by the camera (the main pass).
pub const PASS_MAIN: u8 = 1;
/// [`PackedItem::passes`]: drawn into the sun's shadow map (a shadow caster in its view).
pub const PASS_SHADOW: u8 = 2;
/// [`PackedItem::passes`]: drawn in both passes.
pub const PASS_ALL: u8 = PASS_MAIN | PASS_SHADOW;

/// One packed instance and its mesh: what parallel extraction writes. An item whose mesh is
/// the default (invalid) handle, or that is in no pass, is skipped (hidden or culled).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PackedItem {
    /// The mesh (the default handle: not drawn).
    pub mesh: MeshHandle,
    /// Texture maps (the default: none).
    pub textures: TextureSetHandle,
    /// How its material's surface is drawn.
    pub surface: Surface,
    /// The passes that draw it: [`PASS_MAIN`], [`PASS_SHADOW`] or [`PASS_ALL`] (0: none).
    pub passes: u8,
    /// The packed instance.
    pub instance: GpuInstance,
}

enum Storage {
    /// The Render-tier arena this queue owns (the normal case), and this frame's slice in it.
    Arena {
        // Boxed: the arena's bookkeeping is large next to the fallback's vector.
        arena: Box<Mutex<Arena<'static>>>,
        instances: Option<ArenaPtr<[GpuInstance]>>,
    },
    /// Another owner holds the Render arena (a second queue, a test): a reused vector.
    Vec(Vec<GpuInstance>),
}

/// This frame's draw list, stored on the world as a resource.
pub struct RenderQueue {
    storage: Storage,
    packed: Vec<PackedItem>,
    /// The draws: one per mesh, in mesh-handle order.
    pub batches: Vec<Batch>,
    /// The camera, if the scene has one.
    pub camera: Option<CameraView>,
    /// The sun.
    pub sun: DirectionalLight,
    /// Point lights.
    pub point_lights: Vec<PointLight>,
    /// Hemispheric ambient (sky, ground).
    pub ambient: (Vec3, Vec3),
    /// The sphere the shadow map covers.
    pub shadow_bounds: (Vec3, f32),
    /// The skinned draws and their joints.
    pub skinned: super::SkinnedFrame,
}

impl core::fmt::Debug for RenderQueue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RenderQueue")
            .field("in_render_arena", &self.in_render_arena())
            .field("batches", &self.batches)
            .field("camera", &self.camera)
            .finish()
    }
}

impl Default for RenderQueue {
    fn default() -> Self {
        RenderQueue::new()
    }
}

impl RenderQueue {
    /// An empty queue that owns walloc's Render-tier arena when it is free (else it keeps its
    /// instances in an ordinary vector and says so in a warning).
    pub fn new() -> RenderQueue {
        let storage = match walloc::global().arena(Tier::Render) {
            Ok(arena) => Storage::Arena {
                arena: Box::new(Mutex::new(arena)),
                instances: None,
            },
            Err(e) => {
                tracing::warn!("render queue without the Render arena: {e}");
                Storage::Vec(Vec::new())
            }
        };
        RenderQueue {
            storage,
            packed: Vec::new(),
            batches: Vec::new(),
            camera: None,
            sun: DirectionalLight {
                direction: Vec3::new(-0.4, -1.0, -0.3),
                color: Vec3::ONE,
                intensity: 3.0,
                shadows: true,
            },
            point_lights: Vec::new(),
            ambient: (Vec3::new(0.25, 0.3, 0.4), Vec3::new(0.12, 0.1, 0.08)),
            shadow_bounds: (Vec3::ZERO, 50.0),
            skinned: super::SkinnedFrame::default(),
        }
    }

    /// True when the instances live in the Render-tier arena.
    pub fn in_render_arena(&self) -> bool {
        matches!(self.storage, Storage::Arena { .. })
    }

    /// How many instances the frame has.
    pub fn instance_count(&self) -> u32 {
        self.batches
            .last()
            .map_or(0, |b| b.instances.end.max(b.caster_instances().end))
    }

    /// Replaces the frame's instances: packs `items` to 20-byte instances (in parallel
    /// natively) and hands them to [`set_packed`](Self::set_packed).
    pub fn set_items(&mut self, items: &[DrawItem]) {
        let mut packed = core::mem::take(&mut self.packed);
        items
            .par_iter()
            .map(|i| PackedItem {
                mesh: i.mesh,
                textures: i.textures,
                surface: i.surface,
                passes: PASS_ALL,
                instance: GpuInstance::new(i.position, i.rotation, i.scale, i.material),
            })
            .collect_into_vec(&mut packed);
        self.set_packed(&packed);
        self.packed = packed;
    }

    /// Replaces the frame's instances: groups `items` by mesh (stable: same-mesh items keep
    /// their order; default-handle items are dropped) into the Render arena, reset first, and
    /// rebuilds the batches.
    ///
    /// Items come in query order, so they form long runs of one (mesh, textures) key (one per
    /// archetype in the common case). Runs are found in parallel and handed to
    /// [`set_runs`](Self::set_runs).
    pub fn set_packed(&mut self, items: &[PackedItem]) {
        let runs = runs(items);
        let starts: Vec<usize> = runs.iter().map(|r| r.1).collect();
        let runs: Vec<InstanceRun> = runs.into_iter().map(|r| r.0).collect();
        self.set_runs(&runs, |r| {
            items[starts[r]..starts[r] + runs[r].len as usize]
                .iter()
                .map(|i| i.instance)
        });
    }

    /// Replaces the frame's instances with `runs`, given in source order (query order): run
    /// `r` holds `runs[r].len` instances, which `instances(r)` yields in order. Runs are
    /// grouped by (mesh, textures, surface) stably (runs of one key keep their order), and by
    /// passes within a batch (camera-only, both, shadow-only); runs with the default mesh
    /// handle or in no pass are dropped, and their iterators never made. Each kept run is
    /// written once, in parallel, straight into its place in the Render arena (reset first),
    /// and the batches are rebuilt.
    ///
    /// Blended surfaces ([`Surface::is_blended`]) come after every other batch, cast no
    /// shadow, and are sorted back to front from the queue's [`camera`](Self::camera) as it
    /// is when this is called (set it first): their instances are reordered by distance along
    /// the view and split into batches wherever the mesh, textures or surface changes.
    ///
    /// # Panics
    /// If an iterator yields more or fewer instances than its run's `len`.
    pub fn set_runs<I: Iterator<Item = GpuInstance>>(
        &mut self,
        runs: &[InstanceRun],
        instances: impl Fn(usize) -> I + Sync,
    ) {
        let key = |r: &InstanceRun| {
            let blended = r.surface.is_blended();
            let order = match pass_order(r.passes) {
                // No shadow from a blended surface: in the camera's view or not at all.
                ORDER_MAIN | ORDER_BOTH if blended => ORDER_MAIN,
                _ if blended => SKIP,
                order => order,
            };
            (blended, r.mesh, r.textures, r.surface, order)
        };
        let kept = |r: &InstanceRun| r.mesh != MeshHandle::default() && key(r).4 != SKIP;
        let mut counts: BTreeMap<RunKey, u32> = BTreeMap::new();
        for run in runs.iter().filter(|r| kept(r)) {
            *counts.entry(key(run)).or_default() += run.len;
        }
        // Per (mesh, textures): camera-only items, then both, then shadow-only, so the main
        // pass and the shadow pass each draw one contiguous range.
        self.batches.clear();
        let mut next: BTreeMap<RunKey, u32> = BTreeMap::new();
        let mut total = 0;
        for (&key, &count) in &counts {
            let (_, mesh, textures, surface, order) = key;
            let start = match self.batches.last_mut() {
                Some(b) if (b.mesh, b.textures, b.surface) == (mesh, textures, surface) => b,
                _ => {
                    self.batches.push(Batch {
                        mesh,
                        textures,
                        surface,
                        instances: total..total,
                        casters: Some(total..total),
                    });
                    self.batches.last_mut().expect("just pushed")
                }
            };
            let end = total + count;
            if order <= ORDER_BOTH {
                start.instances.end = end;
            }
            let casters = start.casters.as_mut().expect("set above");
            if order == ORDER_MAIN {
                *casters = end..end;
            } else {
                casters.end = end;
            }
            next.insert(key, total);
            total = end;
        }
        // (output start, run index) of each kept run, sorted by output position.
        let mut placed: Vec<(u32, u32)> = Vec::with_capacity(runs.len());
        for (r, run) in runs.iter().enumerate().filter(|(_, r)| kept(r)) {
            let at = next.get_mut(&key(run)).expect("every kept key was counted");
            placed.push((*at, r as u32));
            *at += run.len;
        }
        placed.sort_unstable_by_key(|&(at, _)| at);
        let lens: Vec<usize> = placed
            .iter()
            .map(|&(_, r)| runs[r as usize].len as usize)
            .collect();
        let part = |p: usize| instances(placed[p].1 as usize);
        match &mut self.storage {
            Storage::Arena { arena, instances } => {
                let arena = arena.get_mut().unwrap_or_else(|e| e.into_inner());
                arena.reset();
                *instances = None;
                match arena.alloc_slice_par_parts_with_handle(&lens, part) {
                    Ok(handle) => *instances = Some(handle),
                    Err(e) => {
                        tracing::error!("Render arena: {e}; nothing drawn this frame");
                        self.batches.clear();
                    }
                }
            }
            Storage::Vec(out) => {
                out.clear();
                for (p, &len) in lens.iter().enumerate() {
                    let before = out.len();
                    out.extend(part(p));
                    assert_eq!(out.len() - before, len, "run {p}: wrong instance count");
                }
            }
        }
        self.sort_blended();
    }

    /// Reorders the blended batches' instances (the last batches) back to front along the
    /// camera's view and splits them where the batch changes: the order a blend needs.
    fn sort_blended(&mut self) {
        let first = self.batches.partition_point(|b| !b.surface.is_blended());
        let (Some(camera), Some(start)) = (self.camera, self.batches.get(first)) else {
            return;
        };
        let start = start.instances.start as usize;
        let instances: &mut [GpuInstance] = match &mut self.storage {
            Storage::Arena { arena, instances } => {
                let arena = arena.get_mut().unwrap_or_else(|e| e.into_inner());
                match instances.and_then(|h| arena.get_mut(h).ok()) {
                    Some(all) => all,
                    None => return,
                }
            }
            Storage::Vec(out) => out,
        };
        let blended = &mut instances[start..];
        // Farthest first: distance along the view axis (view space looks down -Z).
        let depth = |i: &GpuInstance| -camera.view.transform_point3(Vec3::from(i.position)).z;
        let mut order: Vec<(f32, u32, GpuInstance)> = Vec::with_capacity(blended.len());
        for (b, batch) in self.batches[first..].iter().enumerate() {
            let range =
                batch.instances.start as usize - start..batch.instances.end as usize - start;
            order.extend(blended[range].iter().map(|i| (depth(i), b as u32, *i)));
        }
        // Stable: equal depths keep their batch and query order (the same frame every time).
        order.sort_by(|a, b| b.0.total_cmp(&a.0));
        let sources: Vec<Batch> = self.batches.drain(first..).collect();
        for (at, &(_, b, instance)) in order.iter().enumerate() {
            blended[at] = instance;
            let source = &sources[b as usize];
            let at = (start + at) as u32;
            match self.batches.last_mut() {
                Some(last)
                    if last.instances.end == at
                        && (last.mesh, last.textures, last.surface)
                            == (source.mesh, source.textures, source.surface) =>
                {
                    last.instances.end += 1;
                    last.casters = Some(at + 1..at + 1);
                }
                _ => self.batches.push(Batch {
                    instances: at..at + 1,
                    casters: Some(at + 1..at + 1),
                    ..source.clone()
                }),
            }
        }
    }

    /// Runs `f` with `len` values made by `make(index)` (in parallel) in the Render-tier
    /// arena, after this frame's instances: the staging memory of uploads (meshes), given
    /// back with the rest of the frame at the next reset. Without the arena (another owner
    /// holds it) the values are staged in a temporary vector. An exhausted Render tier is an
    /// error, and nothing is lost: the caller retries on a later frame.
    pub fn with_staging<T: Send, R>(
        &self,
        len: usize,
        make: impl Fn(usize) -> T + Sync,
        f: impl FnOnce(&[T]) -> R,
    ) -> Result<R, walloc::OutOfMemory> {
        match &self.storage {
            Storage::Arena { arena, .. } => {
                let arena = arena.lock().unwrap_or_else(|e| e.into_inner());
                let handle = arena.alloc_slice_par_with_handle(len, make)?;
                let staged = arena
                    .get(handle)
                    .expect("a handle just allocated from this arena is live");
                Ok(f(staged))
            }
            Storage::Vec(_) => {
                let staged: Vec<T> = (0..len).into_par_iter().map(&make).collect();
                Ok(f(&staged))
            }
        }
    }

    /// Runs `f` with the frame's description (instances borrowed from the arena), or `None`
    /// when the scene has no camera.
    pub fn with_frame<R>(&self, f: impl FnOnce(Option<FrameDesc<'_>>) -> R) -> R {
        let Some(camera) = self.camera else {
            return f(None);
        };
        let frame = |instances| FrameDesc {
            camera,
            sun: self.sun,
            point_lights: &self.point_lights,
            ambient: self.ambient,
            shadow_bounds: self.shadow_bounds,
            instances,
            batches: &self.batches,
            skinned: &self.skinned,
        };
        match &self.storage {
            Storage::Arena { arena, instances } => {
                let arena = arena.lock().unwrap_or_else(|e| e.into_inner());
                let slice: &[GpuInstance] = instances
                    .and_then(|handle| arena.get(handle).ok())
                    .unwrap_or(&[]);
                f(Some(frame(slice)))
            }
            Storage::Vec(out) => f(Some(frame(out))),
        }
    }
}

/// What runs are grouped by: whether blended (those last), the batch (mesh, textures,
/// surface) and the order of its passes ([`ORDER_MAIN`], [`ORDER_BOTH`], [`ORDER_SHADOW`], or
/// [`SKIP`]).
type RunKey = (bool, MeshHandle, TextureSetHandle, Surface, u8);

const ORDER_MAIN: u8 = 0;
const ORDER_BOTH: u8 = 1;
const ORDER_SHADOW: u8 = 2;
const SKIP: u8 = 3;

/// Where items of these passes go within their batch.
fn pass_order(passes: u8) -> u8 {
    match passes & PASS_ALL {
        PASS_MAIN => ORDER_MAIN,
        PASS_ALL => ORDER_BOTH,
        PASS_SHADOW => ORDER_SHADOW,
        _ => SKIP,
    }
}

/// Instances of one (mesh, textures, passes) key that lie together in the source: what
/// [`RenderQueue::set_runs`] places. Extraction makes one per key per chunk of an archetype.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InstanceRun {
    /// The mesh (the default handle: dropped).
    pub mesh: MeshHandle,
    /// Texture maps (the default: none).
    pub textures: TextureSetHandle,
    /// How their material's surface is drawn.
    pub surface: Surface,
    /// The passes that draw these instances: [`PASS_MAIN`], [`PASS_SHADOW`] or [`PASS_ALL`]
    /// (0: none, dropped).
    pub passes: u8,
    /// How many instances.
    pub len: u32,
}

/// The runs of equal keys in `items` with the index of their first item: found per chunk in
/// parallel, then joined where a run crosses a chunk's edge.
fn runs(items: &[PackedItem]) -> Vec<(InstanceRun, usize)> {
    const CHUNK: usize = 64 * 1024;
    let same = |a: &InstanceRun, b: &InstanceRun| {
        (a.mesh, a.textures, a.surface, pass_order(a.passes))
            == (b.mesh, b.textures, b.surface, pass_order(b.passes))
    };
    let per_chunk: Vec<Vec<(InstanceRun, usize)>> = items
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut runs: Vec<(InstanceRun, usize)> = Vec::new();
            for (j, item) in chunk.iter().enumerate() {
                let run = InstanceRun {
                    mesh: item.mesh,
                    textures: item.textures,
                    surface: item.surface,
                    passes: item.passes,
                    len: 1,
                };
                match runs.last_mut() {
                    Some((last, _)) if same(last, &run) => last.len += 1,
                    _ => runs.push((run, c * CHUNK + j)),
                }
            }
            runs
        })
        .collect();
    let mut joined: Vec<(InstanceRun, usize)> =
        Vec::with_capacity(per_chunk.iter().map(Vec::len).sum());
    for (run, start) in per_chunk.into_iter().flatten() {
        match joined.last_mut() {
            Some((last, _)) if same(last, &run) => last.len += run.len,
            _ => joined.push((run, start)),
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One queue at a time in this test binary, so each owns walloc's Render arena.
    static ARENA: Mutex<()> = Mutex::new(());

    fn lock() -> std::sync::MutexGuard<'static, ()> {
        ARENA.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn item(mesh: u32, x: f32) -> DrawItem {
        DrawItem {
            mesh: MeshHandle::for_tests(mesh),
            position: Vec3::new(x, 0.0, 0.0),
            rotation: Quat::IDENTITY,
            scale: 1.0,
            material: 0,
            textures: TextureSetHandle::default(),
            surface: Surface::OPAQUE,
        }
    }

    #[test]
    fn groups_by_mesh_stably() {
        let _arena = lock();
        let mut queue = RenderQueue::new();
        queue.camera = Some(CameraView::look_at(
            Vec3::Z,
            Vec3::ZERO,
            1.0,
            1.0,
            0.1,
            10.0,
        ));
        let items = [
            item(2, 0.0),
            item(1, 1.0),
            item(2, 2.0),
            item(1, 3.0),
            item(2, 4.0),
        ];
        queue.set_items(&items);
        assert_eq!(queue.batches.len(), 2);
        assert_eq!(queue.batches[0].instances, 0..2); // mesh 1
        assert_eq!(queue.batches[1].instances, 2..5); // mesh 2
        queue.with_frame(|frame| {
            let xs: Vec<f32> = frame
                .unwrap()
                .instances
                .iter()
                .map(|i| i.position[0])
                .collect();
            assert_eq!(xs, [1.0, 3.0, 0.0, 2.0, 4.0]);
        });
        // The next frame replaces everything.
        queue.set_items(&items[..1]);
        assert_eq!(queue.instance_count(), 1);
        queue.with_frame(|frame| assert_eq!(frame.unwrap().instances.len(), 1));
    }

    #[test]
    fn grouping_matches_a_stable_sort_across_chunk_edges() {
        use rand::{Rng, SeedableRng, rngs::SmallRng};
        let mut rng = SmallRng::seed_from_u64(7);
        // Long runs (archetypes) crossing the 64 Ki parallel chunks, short interleaved runs,
        // hidden items (the default handle), culled ones (no pass) and every pass mix.
        let mut items = Vec::new();
        while items.len() < 200_000 {
            let mesh = rng.random_range(0..5u32);
            let passes = rng.random_range(0..4u8);
            let len = if rng.random_bool(0.3) {
                rng.random_range(1..4)
            } else {
                rng.random_range(1..40_000)
            };
            for _ in 0..len {
                let x = items.len() as f32;
                items.push(PackedItem {
                    mesh: if mesh == 0 {
                        MeshHandle::default()
                    } else {
                        MeshHandle::for_tests(mesh)
                    },
                    textures: TextureSetHandle(mesh % 2),
                    surface: Surface::OPAQUE,
                    passes,
                    instance: GpuInstance::new(Vec3::new(x, 0.0, 0.0), Quat::IDENTITY, 1.0, 0),
                });
            }
        }
        let mut expected: Vec<&PackedItem> = items
            .iter()
            .filter(|i| i.mesh != MeshHandle::default() && i.passes != 0)
            .collect();
        expected.sort_by_key(|i| (i.mesh, i.textures, pass_order(i.passes))); // stable
        let _arena = lock();
        let mut queue = RenderQueue::new();
        queue.camera = Some(CameraView::look_at(
            Vec3::Z,
            Vec3::ZERO,
            1.0,
            1.0,
            0.1,
            10.0,
        ));
        queue.set_packed(&items);
        assert_eq!(queue.instance_count() as usize, expected.len());
        queue.with_frame(|frame| {
            let got = frame.unwrap().instances;
            assert!(got.iter().zip(&expected).all(|(g, e)| *g == e.instance));
        });
        let mut covered = 0;
        for batch in &queue.batches {
            let main = batch.instances.start as usize..batch.instances.end as usize;
            let casters = batch.caster_instances();
            let casters = casters.start as usize..casters.end as usize;
            assert!(expected[main].iter().all(|i| i.mesh == batch.mesh
                && i.textures == batch.textures
                && i.passes & PASS_MAIN != 0));
            assert!(
                expected[casters.clone()]
                    .iter()
                    .all(|i| i.mesh == batch.mesh && i.passes & PASS_SHADOW != 0)
            );
            let key = |i: &&&PackedItem| i.mesh == batch.mesh && i.textures == batch.textures;
            let count = |pass: u8| {
                expected
                    .iter()
                    .filter(key)
                    .filter(|i| i.passes & pass != 0)
                    .count()
            };
            assert_eq!(batch.instances.len(), count(PASS_MAIN));
            assert_eq!(casters.len(), count(PASS_SHADOW));
            covered += expected.iter().filter(key).count();
        }
        assert_eq!(covered, expected.len());
    }

    #[test]
    fn uploads_are_staged_in_the_render_tier_after_the_instances() {
        let _arena = lock();
        let mut queue = RenderQueue::new();
        assert!(
            queue.in_render_arena(),
            "no other queue in this binary holds the arena"
        );
        queue.set_items(&[item(1, 5.0)]);
        let staged_at = queue
            .with_staging(
                1000,
                |i| i as u32 * 7,
                |staged| {
                    assert!(staged.iter().enumerate().all(|(i, &v)| v == i as u32 * 7));
                    staged.as_ptr() as usize
                },
            )
            .unwrap();
        assert_eq!(
            walloc::global().tier_of(staged_at as *const u8),
            Some(Tier::Render)
        );
        // The frame's instances are intact after staging.
        queue.with_frame(|_| ());
        let camera = CameraView::look_at(Vec3::Z, Vec3::ZERO, 1.0, 1.0, 0.1, 10.0);
        queue.camera = Some(camera);
        queue.with_frame(|f| assert_eq!(f.unwrap().instances[0].position[0], 5.0));
        // An exhausted tier is an error, not an abort: one element more than Render can get,
        // its own budget and what the other tiers lend (on wasm32 that is past isize::MAX, which
        // the arena refuses the same way).
        let past = walloc::global().available(Tier::Render) / 8 + 1;
        let huge = queue.with_staging(past as usize, |_| 0u64, |_| ());
        assert!(huge.is_err());
    }
}
