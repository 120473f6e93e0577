//! The Lod stage: each [`LodMesh`] entity's level, chosen from its chain's projected error,
//! and the per-frame triangle budget (applied after culling, to what the camera sees).
//!
//! Both work column-wise per archetype, and set each entity's `MeshRef` to its level's mesh,
//! so extraction and culling need to know nothing about LOD. Selection runs in one parallel
//! pass over the columns: a few hundred entities at a time, their chain slots, world bounding
//! spheres and last levels are assembled on the stack, selected by a [`LodSelector`] prepared
//! once a frame, and written back where they changed (no frame-sized arrays, no store lookup
//! per entity: loaded chains are read from a table by slot, rebuilt each frame). The budget
//! gathers every visible LOD entity into flat arrays, since it needs them all at once.

use glam::{Vec3, Vec4};
use hecs::Archetype;
use layerw_components::{Camera, DrawPasses, GlobalTransform, LodMesh, MeshRef, Transform};
use layerw_engine::lod::{
    LodAssets, LodHandle, LodSelector, LodSettings, LodView, enforce_triangle_budget,
};
use layerw_engine::platform::Window;
use layerw_engine::render::{CameraView, MeshHandle, PASS_MAIN};
use layerw_engine::schedule::{System, SystemContext};
use rayon::prelude::*;

use crate::camera_view;

/// The first camera's view and the internal resolution's height.
fn view(ctx: &SystemContext) -> Option<(CameraView, u32)> {
    let resolution = ctx
        .try_resource::<Window>()
        .map_or(glam::UVec2::new(1280, 720), |w| w.internal_resolution());
    let aspect = resolution.x as f32 / resolution.y.max(1) as f32;
    ctx.query::<(&Transform, &Camera)>()
        .iter()
        .next()
        .map(|(t, c)| (camera_view(t, c, aspect), resolution.y.max(1)))
}

/// World bounding spheres of an archetype's LOD entities (their chains' finest-level
/// spheres under their transforms), into `spheres`; chain indices into `chain_of` (an entity
/// whose chain is not loaded gets chain 0 and is left alone when writing back).
fn gather(
    archetype: &Archetype,
    lods: &LodAssets,
    chain_of: &mut Vec<u32>,
    spheres: &mut Vec<Vec4>,
    levels: &mut Vec<u8>,
) -> bool {
    let Some(lod_column) = archetype.get::<&LodMesh>() else {
        return false;
    };
    let global_column = archetype.get::<&GlobalTransform>();
    let local_column = archetype.get::<&Transform>();
    // Plain slices: the columns themselves are not shared across threads.
    let lod: &[LodMesh] = &lod_column;
    let globals: Option<&[GlobalTransform]> = global_column.as_deref();
    let locals: Option<&[Transform]> = local_column.as_deref();
    let transform = |i: usize| -> Option<Transform> {
        match (globals, locals) {
            (Some(g), _) => Some(g[i].0),
            (None, Some(l)) => Some(l[i]),
            (None, None) => None,
        }
    };
    if lod.is_empty() || transform(0).is_none() {
        return false;
    }
    (0..lod.len())
        .into_par_iter()
        .map(|i| {
            let Some(loaded) = lods.get(lod[i].chain) else {
                return Vec4::ZERO;
            };
            let t = transform(i).expect("checked above");
            let (center, radius) = t.transform_sphere(loaded.bounds.center, loaded.bounds.radius);
            center.extend(radius)
        })
        .collect_into_vec(spheres);
    chain_of.clear();
    // A stale or loading chain's slot may hold a placeholder table: such entities read
    // slot 0 (any table will do: they are left alone when writing back).
    chain_of.extend(lod.iter().map(|l| match lods.get(l.chain) {
        Some(_) => LodAssets::index(l.chain) as u32,
        None => 0,
    }));
    levels.clear();
    levels.extend(lod.iter().map(|l| l.level));
    true
}

/// Writes levels back: `LodMesh::level` and the `MeshRef` of that level (entities whose
/// chain is not loaded, or not in `only`, are skipped).
fn write_back(archetype: &Archetype, lods: &LodAssets, levels: &[u8], only: Option<&[bool]>) {
    let (Some(mut lod_column), Some(mut mesh_column)) = (
        archetype.get::<&mut LodMesh>(),
        archetype.get::<&mut MeshRef>(),
    ) else {
        return;
    };
    let (lod, mesh): (&mut [LodMesh], &mut [MeshRef]) = (&mut lod_column, &mut mesh_column);
    lod.par_iter_mut()
        .zip(mesh.par_iter_mut())
        .zip(levels.par_iter())
        .enumerate()
        .for_each(|(i, ((lod, mesh), &level))| {
            if only.is_some_and(|o| !o[i]) {
                return;
            }
            if let Some(chain) = lods.get(lod.chain)
                && usize::from(level) < chain.levels.len()
            {
                // The level wanted is kept (streaming reads it); the mesh drawn is the finest
                // resident one up to it (a streamed chain's level 0 while nothing is resident:
                // not loaded, so culling hides it).
                lod.level = level;
                let shown = level.min(chain.resident.saturating_sub(1));
                mesh.0 = chain.levels[usize::from(shown)].mesh;
            }
        });
}

/// A loaded chain as selection reads it.
#[derive(Clone, Copy)]
struct ChainInfo {
    handle: LodHandle,
    /// The finest level's bounding sphere, object space.
    center: Vec3,
    radius: f32,
    /// Levels in the chain, and how many are resident (a prefix, coarse first).
    levels: u8,
    resident: u8,
    /// Where its levels' meshes start in [`ChainTable::meshes`].
    first_mesh: u32,
}

/// The loaded chains of [`LodAssets`] by slot, rebuilt each frame (one pass over the chains),
/// so an entity's chain costs an indexed load and a handle compare rather than a store
/// lookup: the same answer as [`LodAssets::get`].
#[derive(Default)]
struct ChainTable {
    by_slot: Vec<Option<ChainInfo>>,
    meshes: Vec<MeshHandle>,
}

impl ChainTable {
    fn rebuild(&mut self, lods: &LodAssets) {
        self.by_slot.clear();
        self.meshes.clear();
        for (handle, chain) in lods.iter() {
            let slot = LodAssets::index(handle);
            if self.by_slot.len() <= slot {
                self.by_slot.resize(slot + 1, None);
            }
            self.by_slot[slot] = Some(ChainInfo {
                handle,
                center: chain.bounds.center,
                radius: chain.bounds.radius,
                // At most MAX_LEVELS (32) levels.
                levels: chain.levels.len() as u8,
                resident: chain.resident,
                first_mesh: self.meshes.len() as u32,
            });
            self.meshes.extend(chain.levels.iter().map(|l| l.mesh));
        }
    }

    /// The chain behind a live, loaded handle.
    #[inline]
    fn get(&self, handle: LodHandle) -> Option<&ChainInfo> {
        self.by_slot
            .get(LodAssets::index(handle))
            .and_then(Option::as_ref)
            .filter(|c| c.handle == handle)
    }
}

/// Entities assembled on the stack at a time (their spheres, 16 bytes each, stay in L1).
const BATCH: usize = 256;
/// Entities per rayon task.
const CHUNK: usize = 8 * 1024;

/// Selects the levels of one archetype's LOD entities and writes back the changed levels and
/// meshes, in parallel over chunks. `transforms` is the archetype's `Transform` or
/// `GlobalTransform` column, read through `transform_of`. Entities whose chain is not loaded
/// are left alone.
fn select_columns<T: Sync>(
    transforms: &[T],
    transform_of: impl Fn(&T) -> &Transform + Sync,
    lods: &mut [LodMesh],
    meshes: &mut [MeshRef],
    table: &ChainTable,
    selector: &LodSelector,
) {
    let batch = |lods: &mut [LodMesh], meshes: &mut [MeshRef], transforms: &[T]| {
        let n = lods.len();
        let mut chain_of = [0u32; BATCH];
        let mut spheres = [Vec4::ZERO; BATCH];
        let mut levels = [0u8; BATCH];
        for i in 0..n {
            let lod = &lods[i];
            // A stale or loading chain's entity reads slot 0 (any table will do: it is left
            // alone below).
            (chain_of[i], spheres[i]) = match table.get(lod.chain) {
                Some(chain) => {
                    let (center, radius) =
                        transform_of(&transforms[i]).transform_sphere(chain.center, chain.radius);
                    (LodAssets::index(lod.chain) as u32, center.extend(radius))
                }
                None => (0, Vec4::ZERO),
            };
            levels[i] = lod.level;
        }
        selector.select(&chain_of[..n], &spheres[..n], &mut levels[..n]);
        for ((lod, mesh), &level) in lods.iter_mut().zip(meshes.iter_mut()).zip(&levels[..n]) {
            let Some(chain) = table.get(lod.chain) else {
                continue;
            };
            if level < chain.levels {
                // The level wanted is kept (streaming reads it); the mesh drawn is the finest
                // resident one up to it (a streamed chain's level 0 while nothing is resident:
                // not loaded, so culling hides it). Written only when changed, so a steady
                // frame dirties no cache lines.
                let shown = level.min(chain.resident.saturating_sub(1));
                let wanted = table.meshes[chain.first_mesh as usize + usize::from(shown)];
                if lod.level != level {
                    lod.level = level;
                }
                if mesh.0 != wanted {
                    mesh.0 = wanted;
                }
            }
        }
    };
    lods.par_chunks_mut(CHUNK)
        .zip(meshes.par_chunks_mut(CHUNK))
        .zip(transforms.par_chunks(CHUNK))
        .for_each(|((lods, meshes), transforms)| {
            for ((lods, meshes), transforms) in lods
                .chunks_mut(BATCH)
                .zip(meshes.chunks_mut(BATCH))
                .zip(transforms.chunks(BATCH))
            {
                batch(lods, meshes, transforms);
            }
        });
}

/// Picks every [`LodMesh`] entity's level for the first camera (projected error against the
/// [`LodSettings`] resource's threshold, with hysteresis from last frame's level and the
/// bias) and sets its `MeshRef` to that level's mesh. Chains come from the [`LodAssets`]
/// resource; without a camera or chains nothing changes. Put it in the Lod stage.
pub fn select_lods() -> System {
    let mut table = ChainTable::default();
    System::new("layerw::select_lods", move |ctx| {
        let Some((camera, height)) = view(ctx) else {
            return;
        };
        let Ok(view) = LodView::from_camera(&camera, height) else {
            return;
        };
        let settings = ctx
            .try_resource::<LodSettings>()
            .map_or_else(|_| LodSettings::default(), |s| *s);
        let Ok(lods) = ctx.try_resource::<LodAssets>() else {
            return;
        };
        if lods.is_empty() {
            return;
        }
        table.rebuild(&lods);
        let selector = LodSelector::new(lods.selection(), &view, &settings);
        for archetype in ctx.archetypes() {
            let (Some(mut lod), Some(mut mesh)) = (
                archetype.get::<&mut LodMesh>(),
                archetype.get::<&mut MeshRef>(),
            ) else {
                continue;
            };
            match archetype.get::<&GlobalTransform>() {
                Some(globals) => select_columns(
                    &globals,
                    |g: &GlobalTransform| &g.0,
                    &mut lod,
                    &mut mesh,
                    &table,
                    &selector,
                ),
                None => {
                    if let Some(locals) = archetype.get::<&Transform>() {
                        select_columns(
                            &locals,
                            |t: &Transform| t,
                            &mut lod,
                            &mut mesh,
                            &table,
                            &selector,
                        );
                    }
                }
            }
        }
    })
    .reads::<Transform>()
    .reads::<GlobalTransform>()
    .reads::<Camera>()
    .writes::<LodMesh>()
    .writes::<MeshRef>()
    .reads_resource::<Window>()
    .reads_resource::<LodSettings>()
    .reads_resource::<LodAssets>()
}

/// Holds the triangles of the [`LodMesh`] entities the camera sees (their [`DrawPasses`] has
/// `PASS_MAIN`) to the [`LodSettings`] triangle budget, when there is one: the farthest go to
/// coarser levels first ([`enforce_triangle_budget`]). Put it in the Culling stage after
/// [`cull`](crate::cull), so it counts this frame's visible set. The budget covers the
/// triangles drawn from LOD chains; meshes without chains cannot be coarsened and are not
/// counted.
pub fn lod_budget() -> System {
    let (mut chain_of, mut spheres, mut levels) = (Vec::new(), Vec::new(), Vec::new());
    // Rows of every LOD archetype, concatenated: (archetype index, row count).
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut visible: Vec<bool> = Vec::new();
    System::new("layerw::lod_budget", move |ctx| {
        let settings = ctx
            .try_resource::<LodSettings>()
            .map_or_else(|_| LodSettings::default(), |s| *s);
        if settings.triangle_budget().is_none() {
            return;
        }
        let Some((camera, height)) = view(ctx) else {
            return;
        };
        let Ok(view) = LodView::from_camera(&camera, height) else {
            return;
        };
        let Ok(lods) = ctx.try_resource::<LodAssets>() else {
            return;
        };
        if lods.is_empty() {
            return;
        }
        // The visible LOD entities of every archetype, as one set: the budget is global.
        let (mut all_chains, mut all_spheres, mut all_levels) =
            (Vec::new(), Vec::new(), Vec::new());
        parts.clear();
        visible.clear();
        for (a, archetype) in ctx.archetypes().enumerate() {
            if !archetype.has::<LodMesh>() || !archetype.has::<MeshRef>() {
                continue;
            }
            if !gather(archetype, &lods, &mut chain_of, &mut spheres, &mut levels) {
                continue;
            }
            let passes = archetype.get::<&DrawPasses>();
            for i in 0..levels.len() {
                let seen = passes.as_ref().is_none_or(|p| p[i].0 & PASS_MAIN != 0);
                visible.push(seen);
                if seen {
                    all_chains.push(chain_of[i]);
                    all_spheres.push(spheres[i]);
                    all_levels.push(levels[i]);
                }
            }
            parts.push((a, levels.len()));
        }
        enforce_triangle_budget(
            lods.selection(),
            &all_chains,
            &all_spheres,
            &mut all_levels,
            &view,
            &settings,
        );
        // Back to each archetype's rows: visible rows take the budgeted levels in order.
        let mut budgeted = all_levels.into_iter();
        let mut seen = visible.iter();
        let archetypes: Vec<&Archetype> = ctx.archetypes().collect();
        for &(a, rows) in &parts {
            let flags: Vec<bool> = seen.by_ref().take(rows).copied().collect();
            let row_levels: Vec<u8> = flags
                .iter()
                .map(|&v| if v { budgeted.next().unwrap_or(0) } else { 0 })
                .collect();
            write_back(archetypes[a], &lods, &row_levels, Some(&flags));
        }
    })
    .reads::<Transform>()
    .reads::<GlobalTransform>()
    .reads::<Camera>()
    .reads::<DrawPasses>()
    .writes::<LodMesh>()
    .writes::<MeshRef>()
    .reads_resource::<Window>()
    .reads_resource::<LodSettings>()
    .reads_resource::<LodAssets>()
}
