//! The Lod stage: each [`LodMesh`] entity's level, chosen from its chain's projected error,
//! and the per-frame triangle budget (applied after culling, to what the camera sees).
//!
//! Both work column-wise per archetype: the chain indices, world bounding spheres and last
//! frame's levels are gathered into flat arrays, selected in one batch
//! ([`select_levels_par`]), and written back with each entity's `MeshRef` set to its level's
//! mesh, so extraction and culling need to know nothing about LOD.

use glam::Vec4;
use hecs::Archetype;
use layerw_components::{Camera, DrawPasses, GlobalTransform, LodMesh, MeshRef, Transform};
use layerw_engine::lod::{
    LodAssets, LodSettings, LodView, enforce_triangle_budget, select_levels_par,
};
use layerw_engine::platform::Window;
use layerw_engine::render::{CameraView, PASS_MAIN};
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

/// Picks every [`LodMesh`] entity's level for the first camera (projected error against the
/// [`LodSettings`] resource's threshold, with hysteresis from last frame's level and the
/// bias) and sets its `MeshRef` to that level's mesh. Chains come from the [`LodAssets`]
/// resource; without a camera or chains nothing changes. Put it in the Lod stage.
pub fn select_lods() -> System {
    let (mut chain_of, mut spheres, mut levels) = (Vec::new(), Vec::new(), Vec::new());
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
        for archetype in ctx.archetypes() {
            if !archetype.has::<LodMesh>() || !archetype.has::<MeshRef>() {
                continue;
            }
            if gather(archetype, &lods, &mut chain_of, &mut spheres, &mut levels) {
                select_levels_par(
                    lods.selection(),
                    &chain_of,
                    &spheres,
                    &mut levels,
                    &view,
                    &settings,
                );
                write_back(archetype, &lods, &levels, None);
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
