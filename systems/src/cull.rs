//! The Culling stage: which entities the camera sees and which cast shadows into the sun's
//! shadow map, written to each entity's [`DrawPasses`] for extraction.
//!
//! * Dynamic entities are tested every frame, column-wise: per archetype, world-space
//!   bounding spheres are built [`LANES`] at a time from the `Transform` and `MeshRef`
//!   columns (a structure of arrays on the stack) and tested with the 8-lane kernel, in
//!   parallel over chunks. One pass, no per-entity lookups.
//! * [`Static`] entities go into a BVH once (marked [`CullIndexed`]); despawned ones leave it
//!   when found dead on screen or by a sweep of an eighth of the index each frame; each frame the BVH is
//!   queried, so their cost grows with what is near the frustum, not with the world, and only
//!   the entities whose passes change are written.
//! * Entities with a `MeshRef` and no `DrawPasses` are given one (drawn everywhere that frame,
//!   culled from the next).

use std::collections::HashMap;

use glam::Vec3;
use hecs::{Entity, With, Without};
use layerw_components::{
    Camera, CullIndexed, DrawPasses, GlobalTransform, MeshRef, Static, Sun, Transform,
};
use layerw_engine::cull::{Aabb, Bvh, Frustum, LANES, RebuildPolicy, visible_spheres};
use layerw_engine::platform::Window;
use layerw_engine::render::{MeshAssets, MeshHandle, PASS_MAIN, PASS_SHADOW, RenderQueue};
use layerw_engine::schedule::System;
use rayon::prelude::*;

use crate::{camera_view, sun_light};

/// What the last culling pass found, stored on the world as a resource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CullStats {
    /// Dynamic entities tested.
    pub dynamic: u32,
    /// Static entities in the BVH.
    pub indexed: u32,
    /// Entities the camera sees.
    pub visible: u32,
    /// Entities drawn into the shadow map.
    pub casters: u32,
}

/// Static entities in the BVH: ids are slots of `entities`.
struct StaticIndex {
    bvh: Bvh,
    ids: HashMap<Entity, u32>,
    entities: Vec<Option<Entity>>,
    free: Vec<u32>,
    /// Last frame's static entities in a pass: (id, passes), by id.
    shown: Vec<(u32, u8)>,
    /// Where the despawn sweep continues next frame.
    sweep: usize,
}

impl Default for StaticIndex {
    fn default() -> Self {
        // Rebuilt at most once a frame, after that frame's insertions, rather than inside
        // an insertion: a level streaming in 100k static entities costs one build, not dozens.
        let mut bvh = Bvh::new();
        bvh.set_policy(RebuildPolicy {
            automatic: false,
            ..RebuildPolicy::default()
        });
        StaticIndex {
            bvh,
            ids: HashMap::new(),
            entities: Vec::new(),
            free: Vec::new(),
            shown: Vec::new(),
            sweep: 0,
        }
    }
}

impl StaticIndex {
    fn insert(&mut self, entity: Entity, bounds: Aabb) {
        let id = match self.ids.get(&entity) {
            Some(&id) => id,
            None => {
                let id = self.free.pop().unwrap_or(self.entities.len() as u32);
                if id as usize == self.entities.len() {
                    self.entities.push(None);
                }
                self.entities[id as usize] = Some(entity);
                self.ids.insert(entity, id);
                id
            }
        };
        self.bvh.insert(id, bounds);
    }

    /// The ids of an eighth of the index (at least 256, at most 16,384) whose entities no longer exist,
    /// continuing round the index from where the last call stopped: a despawned static that
    /// is never on screen leaves the index within eight frames (about a second for a million
    /// statics), at a bounded cost per frame.
    fn sweep_despawned(&mut self, exists: impl Fn(Entity) -> bool, gone: &mut Vec<u32>) {
        let len = self.entities.len();
        if len == 0 {
            return;
        }
        let count = (len / 8).clamp(256, 16_384).min(len);
        for step in 0..count {
            let id = (self.sweep + step) % len;
            if let Some(entity) = self.entities[id]
                && !exists(entity)
            {
                gone.push(id as u32);
            }
        }
        self.sweep = (self.sweep + count) % len;
    }

    fn remove(&mut self, id: u32) {
        if let Some(entity) = self.entities.get_mut(id as usize).and_then(Option::take) {
            self.ids.remove(&entity);
            self.bvh.remove(id);
            self.free.push(id);
        }
    }
}

/// The world-space bounding sphere of a mesh under a transform (uniform scale: the largest
/// axis scales the radius); a radius of minus infinity, never visible, while the mesh is not loaded
/// (a streamed level still on its way, or an unloaded one).
fn world_sphere(meshes: &MeshAssets, mesh: MeshHandle, transform: &Transform) -> (Vec3, f32) {
    match meshes.bounds(mesh) {
        Some((center, radius)) => transform.transform_sphere(center, radius),
        None => (Vec3::ZERO, f32::NEG_INFINITY),
    }
}

/// Every loaded mesh's bounding sphere by slot, rebuilt each frame that has more dynamic
/// entities to cull than there are mesh slots (one pass over the meshes), so an entity's bounds
/// cost an indexed load and a handle compare rather than a store lookup: the same answer as
/// [`MeshAssets::bounds`]. With fewer entities than meshes (a streamed world's many levels,
/// a few movers) the lookups are cheaper than the rebuild, and culling uses the store.
#[derive(Default)]
struct BoundsTable {
    by_slot: Vec<Option<(MeshHandle, Vec3, f32)>>,
}

impl BoundsTable {
    fn rebuild(&mut self, meshes: &MeshAssets) {
        self.by_slot.clear();
        for (handle, _) in meshes.iter() {
            let slot = handle.index() as usize;
            if self.by_slot.len() <= slot {
                self.by_slot.resize(slot + 1, None);
            }
            self.by_slot[slot] = meshes.bounds(handle).map(|(c, r)| (handle, c, r));
        }
    }

    /// [`world_sphere`] through the table.
    #[inline]
    fn world_sphere(&self, mesh: MeshHandle, transform: &Transform) -> (Vec3, f32) {
        match self.by_slot.get(mesh.index() as usize) {
            Some(&Some((handle, center, radius))) if handle == mesh => {
                transform.transform_sphere(center, radius)
            }
            _ => (Vec3::ZERO, f32::NEG_INFINITY),
        }
    }
}

/// Where [`cull_columns`] finds mesh bounds: the store, or this frame's [`BoundsTable`].
#[derive(Clone, Copy)]
enum Bounds<'a> {
    Store(&'a MeshAssets),
    Table(&'a BoundsTable),
}

impl Bounds<'_> {
    #[inline]
    fn world_sphere(self, mesh: MeshHandle, transform: &Transform) -> (Vec3, f32) {
        match self {
            Bounds::Store(meshes) => world_sphere(meshes, mesh, transform),
            Bounds::Table(table) => table.world_sphere(mesh, transform),
        }
    }
}

/// Tests one archetype's dynamic entities, [`LANES`] at a time, and writes their passes.
/// `transforms` is the archetype's `Transform` or `GlobalTransform` column, read through
/// `transform_of`.
fn cull_columns<T: Sync>(
    transforms: &[T],
    transform_of: impl Fn(&T) -> &Transform + Sync,
    meshes: &[MeshRef],
    passes: &mut [DrawPasses],
    bounds: Bounds<'_>,
    main: &Frustum,
    shadow: Option<&Frustum>,
) -> (u32, u32) {
    const CHUNK: usize = 4096;
    let count =
        |chunk_transforms: &[T], chunk_meshes: &[MeshRef], chunk_passes: &mut [DrawPasses]| {
            let (mut visible, mut casters) = (0, 0);
            for ((t, m), p) in chunk_transforms
                .chunks(LANES)
                .zip(chunk_meshes.chunks(LANES))
                .zip(chunk_passes.chunks_mut(LANES))
            {
                let (mut x, mut y, mut z, mut r) =
                    ([0f32; LANES], [0f32; LANES], [0f32; LANES], [-1f32; LANES]);
                for l in 0..t.len() {
                    let (c, radius) = bounds.world_sphere(m[l].0, transform_of(&t[l]));
                    (x[l], y[l], z[l], r[l]) = (c.x, c.y, c.z, radius);
                }
                let seen = visible_spheres(main, &x, &y, &z, &r);
                let cast = shadow.map_or(0, |f| visible_spheres(f, &x, &y, &z, &r));
                for (l, out) in p.iter_mut().enumerate() {
                    let mut bits = 0;
                    if seen & (1 << l) != 0 {
                        bits |= PASS_MAIN;
                        visible += 1;
                    }
                    if cast & (1 << l) != 0 {
                        bits |= PASS_SHADOW;
                        casters += 1;
                    }
                    // Written only when changed: a steady frame dirties no cache lines.
                    if out.0 != bits {
                        out.0 = bits;
                    }
                }
            }
            (visible, casters)
        };
    passes
        .par_chunks_mut(CHUNK)
        .zip(transforms.par_chunks(CHUNK))
        .zip(meshes.par_chunks(CHUNK))
        .map(|((p, t), m)| count(t, m, p))
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// Culls every entity with a `Transform`, a `MeshRef` and [`DrawPasses`] against the first
/// [`Camera`]'s frustum (aspect from the [`Window`]'s internal resolution) and, when the first
/// [`Sun`] casts shadows, against the shadow map's volume
/// ([`DirectionalLight::view_projection`] of [`RenderQueue::shadow_bounds`]); writes
/// [`DrawPasses`], and the [`CullStats`] resource when the world has one. Bounds come from [`MeshAssets::bounds`];
/// entities with a `GlobalTransform` are tested with it. Without a camera nothing changes.
/// Put it in the Culling stage.
pub fn cull() -> System {
    let mut statics = StaticIndex::default();
    let mut table = BoundsTable::default();
    let mut found: Vec<u32> = Vec::new();
    let mut casters_found: Vec<u32> = Vec::new();
    System::new("layerw::cull", move |ctx| {
        let aspect = ctx.try_resource::<Window>().map_or(16.0 / 9.0, |w| {
            let r = w.internal_resolution().as_vec2();
            r.x / r.y
        });
        let Some(view) = ctx
            .query::<(&Transform, &Camera)>()
            .iter()
            .next()
            .map(|(t, c)| camera_view(t, c, aspect))
        else {
            return;
        };
        let main = Frustum::from_view_projection(view.projection * view.view);
        let shadow_bounds = ctx
            .try_resource::<RenderQueue>()
            .map_or((Vec3::ZERO, 1.0), |q| q.shadow_bounds);
        let shadow = ctx
            .query::<(&Transform, &Sun)>()
            .iter()
            .next()
            .filter(|(_, sun)| sun.shadows)
            .map(|(t, sun)| {
                Frustum::from_view_projection(sun_light(t, sun).view_projection(shadow_bounds))
            });
        let assets = ctx.resource::<MeshAssets>();

        // Newcomers: a DrawPasses to be culled from the next frame on.
        for (entity, _) in ctx
            .query::<Without<(Entity, &MeshRef), &DrawPasses>>()
            .iter()
        {
            ctx.commands()
                .insert_one(entity, DrawPasses(PASS_MAIN | PASS_SHADOW));
        }

        // Dynamic entities, column-wise per archetype.
        let mut stats = CullStats::default();
        let dynamic = |archetype: &&hecs::Archetype| {
            !archetype.has::<Static>() && archetype.has::<DrawPasses>() && !archetype.is_empty()
        };
        let movers: usize = ctx
            .archetypes()
            .filter(dynamic)
            .map(|a| a.len() as usize)
            .sum();
        let bounds = if movers > assets.assets().slot_count() {
            table.rebuild(&assets);
            Bounds::Table(&table)
        } else {
            Bounds::Store(&assets)
        };
        for archetype in ctx.archetypes().filter(dynamic) {
            let (Some(meshes), Some(mut passes)) = (
                archetype.get::<&MeshRef>(),
                archetype.get::<&mut DrawPasses>(),
            ) else {
                continue;
            };
            let (visible, casters) = match archetype.get::<&GlobalTransform>() {
                Some(globals) => cull_columns(
                    &globals,
                    |g: &GlobalTransform| &g.0,
                    &meshes,
                    &mut passes,
                    bounds,
                    &main,
                    shadow.as_ref(),
                ),
                None => match archetype.get::<&Transform>() {
                    Some(transforms) => cull_columns(
                        &transforms,
                        |t: &Transform| t,
                        &meshes,
                        &mut passes,
                        bounds,
                        &main,
                        shadow.as_ref(),
                    ),
                    None => continue,
                },
            };
            stats.dynamic += archetype.len();
            stats.visible += visible;
            stats.casters += casters;
        }

        // Static entities: index the new ones (hidden until the BVH finds them)...
        for (entity, transform, global, mesh, passes) in ctx
            .query::<Without<
                With<
                    (
                        Entity,
                        &Transform,
                        Option<&GlobalTransform>,
                        &MeshRef,
                        &mut DrawPasses,
                    ),
                    &Static,
                >,
                &CullIndexed,
            >>()
            .iter()
        {
            let transform = global.map_or(transform, |g| &g.0);
            let (center, radius) = world_sphere(&assets, mesh.0, transform);
            if radius < 0.0 {
                // Its mesh is not loaded yet (streaming): indexed once it is, hidden until then.
                passes.0 = 0;
                continue;
            }
            statics.insert(entity, Aabb::from_sphere(center, radius));
            passes.0 = 0;
            ctx.commands().insert_one(entity, CullIndexed);
        }
        if statics.bvh.needs_rebuild() {
            statics.bvh.rebuild();
        }
        // ...then query it for both views and write only what changed.
        found.clear();
        casters_found.clear();
        statics.bvh.query_frustum(&main, &mut found);
        if let Some(shadow) = &shadow {
            statics.bvh.query_frustum(shadow, &mut casters_found);
        }
        let mut shown: Vec<(u32, u8)> = Vec::with_capacity(found.len() + casters_found.len());
        let (mut a, mut b) = (found.iter().peekable(), casters_found.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x == y => {
                    a.next();
                    b.next();
                    (x, PASS_MAIN | PASS_SHADOW)
                }
                (Some(&&x), Some(&&y)) if x < y => {
                    a.next();
                    (x, PASS_MAIN)
                }
                (Some(&&x), None) => {
                    a.next();
                    (x, PASS_MAIN)
                }
                (_, Some(&&y)) => {
                    b.next();
                    (y, PASS_SHADOW)
                }
                (None, None) => break,
            };
            shown.push(next);
        }
        // Despawned entities leave the index (a liveness check, far cheaper than a write; in
        // parallel, as each is a cache miss or two in a large world).
        let alive = ctx.liveness();
        let entities = &statics.entities;
        let mut gone: Vec<u32> = shown
            .par_iter()
            .with_min_len(1024)
            .filter(|(id, _)| entities[*id as usize].is_none_or(|entity| !alive.contains(entity)))
            .map(|&(id, _)| id)
            .collect();
        if !gone.is_empty() {
            shown.retain(|(id, _)| !gone.contains(id));
        }
        let mut write = |id: u32, bits: u8| {
            let Some(entity) = statics.entities.get(id as usize).copied().flatten() else {
                return;
            };
            match ctx.get_mut::<DrawPasses>(entity) {
                Ok(mut passes) => passes.0 = bits,
                Err(_) => gone.push(id), // despawned (or lost its DrawPasses)
            }
        };
        // Write only what changed since last frame (both lists are sorted by id): entities
        // that left every pass, and those whose passes are new or different.
        let (mut before, mut now) = (statics.shown.iter().peekable(), shown.iter().peekable());
        loop {
            match (before.peek(), now.peek()) {
                (Some(&&(old, _)), Some(&&(new, bits))) if old == new => {
                    if before.next().is_some_and(|&(_, was)| was != bits) {
                        write(new, bits);
                    }
                    now.next();
                }
                (Some(&&(old, _)), Some(&&(new, _))) if old < new => {
                    before.next();
                    write(old, 0);
                }
                (Some(&&(old, _)), None) => {
                    before.next();
                    write(old, 0);
                }
                (_, Some(&&(new, bits))) => {
                    now.next();
                    write(new, bits);
                }
                (None, None) => break,
            }
        }
        // Statics off screen are never liveness-checked above: sweep part of the index.
        statics.sweep_despawned(|entity| ctx.contains(entity), &mut gone);
        for id in gone {
            statics.remove(id);
        }
        stats.indexed = statics.bvh.len() as u32;
        stats.visible += shown.iter().filter(|(_, p)| p & PASS_MAIN != 0).count() as u32;
        stats.casters += shown.iter().filter(|(_, p)| p & PASS_SHADOW != 0).count() as u32;
        statics.shown = shown;
        drop(assets);
        if let Ok(mut s) = ctx.try_resource_mut::<CullStats>() {
            *s = stats;
        }
    })
    .reads::<Transform>()
    .reads::<GlobalTransform>()
    .reads::<MeshRef>()
    .writes::<DrawPasses>()
    .reads::<Static>()
    .reads::<CullIndexed>()
    .reads::<Camera>()
    .reads::<Sun>()
    .reads_resource::<Window>()
    .reads_resource::<RenderQueue>()
    .reads_resource::<MeshAssets>()
    .writes_resource::<CullStats>()
}
