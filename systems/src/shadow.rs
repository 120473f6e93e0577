//! The sun's shadow volume: where [`RenderQueue::shadow_bounds`] comes from each frame.

use glam::Vec3;
use layerw_components::{GlobalTransform, MeshRef, Transform, Visibility};
use layerw_engine::render::{MeshAssets, RenderQueue};
use layerw_engine::schedule::System;
use rayon::prelude::*;

/// How the sun's shadow map is placed, a resource read by [`fit_shadow_bounds`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum ShadowBounds {
    /// Every frame, the sphere around every drawn mesh (each entity with a [`Transform`] and a
    /// [`MeshRef`] that is not [`Visibility::Hidden`]; its [`GlobalTransform`] when it has
    /// one), so every caster and receiver is in the map. A scene with a huge ground plane or
    /// far-away props spreads the map's texels thin: give such a scene [`Fixed`](Self::Fixed)
    /// bounds around where the camera looks.
    #[default]
    FitScene,
    /// This sphere (a game system may rewrite it every frame to follow the camera).
    Fixed {
        /// The sphere's centre, in world space.
        center: Vec3,
        /// Its radius, in metres.
        radius: f32,
    },
    /// Left alone: whatever the game writes into [`RenderQueue::shadow_bounds`].
    Manual,
}

/// An empty box: (+inf, -inf).
const EMPTY: (Vec3, Vec3) = (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY));

/// The box around the bounding spheres of one archetype's drawn meshes (rows that are not
/// [`Visibility::Hidden`] and whose mesh is loaded; `globals` over `locals` where the archetype
/// has them), in parallel over chunks; [`EMPTY`] when there are none.
fn scene_box(
    locals: &[Transform],
    globals: Option<&[GlobalTransform]>,
    meshes: &[MeshRef],
    visibility: Option<&[Visibility]>,
    assets: &MeshAssets,
) -> (Vec3, Vec3) {
    const CHUNK: usize = 8 * 1024;
    (0..meshes.len().div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let (mut min, mut max) = EMPTY;
            for i in c * CHUNK..((c + 1) * CHUNK).min(meshes.len()) {
                if visibility.is_some_and(|v| v[i] == Visibility::Hidden) {
                    continue;
                }
                let Some((center, radius)) = assets.bounds(meshes[i].0) else {
                    continue;
                };
                let transform = globals.map_or(&locals[i], |g| &g[i].0);
                let (center, radius) = transform.transform_sphere(center, radius);
                min = min.min(center - radius);
                max = max.max(center + radius);
            }
            (min, max)
        })
        .reduce(|| EMPTY, |a, b| (a.0.min(b.0), a.1.max(b.1)))
}

/// Writes [`RenderQueue::shadow_bounds`] as the [`ShadowBounds`] resource says (nothing when
/// either resource is missing, or when fitting a scene without meshes). Mesh bounds come from
/// [`MeshAssets::bounds`]. Put it in the Culling stage before [`cull`](crate::cull), which
/// culls shadow casters against the same volume.
///
/// # Example
/// ```
/// use glam::Vec3;
/// use layerw_components::{MeshRef, Transform};
/// use layerw_engine::ecs::World;
/// use layerw_engine::render::{Mesh, MeshAssets, RenderQueue};
/// use layerw_engine::schedule::{Schedule, Stage};
/// use layerw_systems::{ShadowBounds, fit_shadow_bounds};
///
/// let mut world = World::new();
/// let mut meshes = MeshAssets::default();
/// let cube = meshes.add(Mesh::cube(1.0)).unwrap();
/// world.spawn((Transform::from_translation(Vec3::new(-4.0, 0.0, 0.0)), MeshRef(cube)));
/// world.spawn((Transform::from_translation(Vec3::new(4.0, 0.0, 0.0)), MeshRef(cube)));
/// world.insert_resource(meshes);
/// world.insert_resource(RenderQueue::new());
/// world.insert_resource(ShadowBounds::FitScene);
/// let mut schedule = Schedule::new();
/// schedule.add_system(Stage::Culling, fit_shadow_bounds());
/// schedule.run_frame(&mut world, 1.0 / 60.0);
/// let (center, radius) = world.resource::<RenderQueue>().shadow_bounds;
/// assert!(center.length() < 1e-5 && radius > 4.0 && radius < 6.0);
/// ```
pub fn fit_shadow_bounds() -> System {
    System::new("layerw::fit_shadow_bounds", |ctx| {
        let Ok(bounds) = ctx.try_resource::<ShadowBounds>() else {
            return;
        };
        let fitted = match *bounds {
            ShadowBounds::Manual => return,
            ShadowBounds::Fixed { center, radius } => (center, radius),
            ShadowBounds::FitScene => {
                let Ok(assets) = ctx.try_resource::<MeshAssets>() else {
                    return;
                };
                // Column-wise per archetype, in parallel: a million meshes cost a pass over
                // their transforms on every core, not a serial query (min and max are exact,
                // so the result does not depend on how the rows are split).
                let (mut min, mut max) = EMPTY;
                for archetype in ctx.archetypes() {
                    let (Some(locals), Some(meshes)) =
                        (archetype.get::<&Transform>(), archetype.get::<&MeshRef>())
                    else {
                        continue;
                    };
                    let globals = archetype.get::<&GlobalTransform>();
                    let visibility = archetype.get::<&Visibility>();
                    let (b_min, b_max) = scene_box(
                        &locals,
                        globals.as_deref(),
                        &meshes,
                        visibility.as_deref(),
                        &assets,
                    );
                    (min, max) = (min.min(b_min), max.max(b_max));
                }
                if min.x > max.x {
                    return; // no meshes: keep last frame's volume
                }
                // The box's circumscribed sphere: holds every mesh sphere.
                ((min + max) * 0.5, (max - min).length() * 0.5)
            }
        };
        if let Ok(mut queue) = ctx.try_resource_mut::<RenderQueue>() {
            queue.shadow_bounds = fitted;
        }
    })
    .reads::<Transform>()
    .reads::<GlobalTransform>()
    .reads::<MeshRef>()
    .reads::<Visibility>()
    .reads_resource::<ShadowBounds>()
    .reads_resource::<MeshAssets>()
    .writes_resource::<RenderQueue>()
}
