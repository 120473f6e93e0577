//! The Streaming stage: what the LOD entities want goes to the [`Streamer`], the streamer
//! runs a frame, world cells around the camera are spawned and despawned, and the pack's
//! lights are spawned once its manifest is in.

use std::sync::Mutex;

use glam::IVec2;
use layerw_components::{
    Camera, DrawPasses, GlobalTransform, LodMesh, MaterialIndex, MaterialTextures, MeshRef,
    PointLightSource, SkinnedMeshRef, SpotLightSource, Static, Sun, Transform,
};
use layerw_engine::app::{App, Plugin};
use layerw_engine::cull::Frustum;
use layerw_engine::ecs::Entity;
use layerw_engine::lod::{LodAssets, LodView};
use layerw_engine::platform::Window;
use layerw_engine::render::{Materials, MeshAssets, OverlayLines, SkinnedMeshes, TextureAssets};
use layerw_engine::schedule::{Commands, Delta, Query, Res, ResMut, Stage};
use layerw_engine::stream::{
    PackLight, PackLightKind, StreamIo, StreamSettings, StreamStores, Streamer,
};

use crate::ExtractPlugin;
use crate::camera_view;

/// Marks an entity spawned from a world cell of the streamed pack; it is despawned when its
/// cell unloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamedCell(pub IVec2);

/// Marks a light spawned from the streamed pack's lights (its index in
/// [`PackManifest::lights`](layerw_engine::stream::PackManifest::lights)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamedLight(pub u32);

/// Whether the streamed pack's lights have been spawned (a resource [`stream_lights`] keeps).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamedLightsSpawned(pub bool);

/// How far around the camera world cells load and unload (XZ, metres). Unloading farther
/// than loading keeps a cell from flickering in and out at the edge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellRadii {
    /// Cells within this distance are loaded.
    pub load: f32,
    /// Loaded cells beyond this distance are unloaded.
    pub unload: f32,
}

impl Default for CellRadii {
    fn default() -> Self {
        CellRadii {
            load: 200.0,
            unload: 250.0,
        }
    }
}

/// Streams a content pack: inserts a [`Streamer`] over `io` and the [`CellRadii`], and adds
/// [`stream_wants`], [`stream_update`], [`stream_cells`] and [`stream_overlay`] to the Streaming stage (after the
/// asset layer's load systems). Adds [`ExtractPlugin`] (the stores the streamer fills).
///
/// The LOD stage must run [`select_lods`](crate::select_lods) (add
/// [`LodPlugin`](crate::LodPlugin)): its chosen levels are the wants.
///
/// # Example
/// A pack made in memory, streamed by a headless app (a game uses `FileIo`, `HttpIo` or, in
/// the browser, `FetchIo` over a pack cooked by `layerw-cook`):
/// ```
/// use glam::{Quat, Vec3, Vec4};
/// use layerw_components::{Camera, Transform};
/// use layerw_engine::app::App;
/// use layerw_engine::lod::{LodChain, LodLevel};
/// use layerw_engine::render::Mesh;
/// use layerw_engine::stream::{
///     MemoryIo, PackEntity, PackMaterial, PackWriter, StreamSettings, Streamer,
/// };
/// use layerw_systems::{HeadlessPlugins, StreamPlugin};
///
/// let mut pack = PackWriter::in_memory(32.0).unwrap();
/// let rock = pack
///     .add_mesh(&LodChain::new(vec![
///         LodLevel::new(Mesh::sphere(1.0, 8, 4), 0.2),
///         LodLevel::new(Mesh::sphere(1.0, 32, 16), 0.0),
///     ]).unwrap())
///     .unwrap();
/// let grey = pack
///     .add_material(PackMaterial {
///         base_color: Vec4::splat(0.6),
///         emissive: Vec3::ZERO,
///         metallic: 0.0,
///         roughness: 0.8,
///         base_color_texture: None,
///         normal_texture: None,
///         ..PackMaterial::default()
///     })
///     .unwrap();
/// pack.add_entity(PackEntity {
///     mesh: rock,
///     material: grey,
///     translation: Vec3::new(0.0, 0.0, -5.0),
///     rotation: Quat::IDENTITY,
///     scale: Vec3::ONE,
///     is_static: true,
/// })
/// .unwrap();
/// let pack = pack.finish().unwrap();
/// let io = MemoryIo::from_pack(pack); // the manifest and every blob file
///
/// let mut app = App::new();
/// app.add_plugin(HeadlessPlugins { log: None, ..Default::default() });
/// app.add_plugin(StreamPlugin::new(io, StreamSettings::new(64 << 20)));
/// app.world_mut().spawn((Transform::from_translation(Vec3::new(0.0, 0.0, 0.0)), Camera::default()));
/// for _ in 0..200 {
///     app.update(1.0 / 60.0);
///     std::thread::sleep(std::time::Duration::from_millis(1)); // decoding runs on a pool
///     let progress = app.world().resource::<Streamer>().progress().clone();
///     if progress.complete() && progress.cells_loaded > 0 && progress.scheduler.resident_bytes > 0 {
///         break;
///     }
/// }
/// let progress = app.world().resource::<Streamer>().progress().clone();
/// assert!(progress.complete() && progress.scheduler.resident_bytes > 0);
/// ```
pub struct StreamPlugin {
    io: Mutex<Option<Box<dyn StreamIo>>>,
    /// The budget, water marks, caps and per-frame limits.
    pub settings: StreamSettings,
    /// Where world cells load and unload.
    pub cells: CellRadii,
}

impl StreamPlugin {
    /// Streams the pack behind `io` with `settings`, cells within the default radii.
    pub fn new(io: impl StreamIo + 'static, settings: StreamSettings) -> StreamPlugin {
        StreamPlugin {
            io: Mutex::new(Some(Box::new(io))),
            settings,
            cells: CellRadii::default(),
        }
    }

    /// The same with other cell radii.
    pub fn with_cells(mut self, cells: CellRadii) -> StreamPlugin {
        self.cells = cells;
        self
    }
}

impl Plugin for StreamPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugin(ExtractPlugin::default());
        let io = self.io.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(io) = io else {
            return; // built once already: the streamer owns the backend
        };
        layerw_engine::stream::install_reclaim_hook();
        app.insert_resource(Streamer::from_boxed(io, self.settings))
            .insert_resource(self.cells)
            .insert_resource(StreamedLightsSpawned::default())
            .add_system(Stage::Streaming, stream_wants)
            .add_system(Stage::Streaming, stream_update)
            .add_system(Stage::Streaming, stream_cells)
            .add_system(Stage::Streaming, stream_lights)
            .add_system(Stage::Streaming, stream_overlay);
        if !app.world().contains_resource::<OverlayLines>() {
            app.insert_resource(OverlayLines::default());
        }
    }
}

/// Puts the streamer's progress on the stats overlay (the "stream" line).
pub fn stream_overlay(streamer: Res<Streamer>, mut lines: ResMut<OverlayLines>) {
    lines.set("stream", streamer.progress().overlay_line());
}

/// The first camera's frustum and its LOD view (pixels per unit at a distance), aspect and
/// height from the window (1280 x 720 without one).
fn camera_frustum(
    cameras: &mut Query<(&Transform, &Camera)>,
    window: Option<&Window>,
) -> Option<(Frustum, LodView)> {
    let resolution = window.map_or(glam::UVec2::new(1280, 720), |w| w.internal_resolution());
    let aspect = resolution.x as f32 / resolution.y.max(1) as f32;
    let (t, c) = cameras.iter().next()?;
    let view = camera_view(t, c, aspect);
    let lod_view = LodView::from_camera(&view, resolution.y.max(1)).ok()?;
    Some((
        Frustum::from_view_projection(view.projection * view.view),
        lod_view,
    ))
}

/// Tells the [`Streamer`] what every LOD entity drawn from the pack wants: the level LOD
/// selection chose and the mips its material's textures need for the pixels the entity
/// covers, with its distance, its pixels per object unit, and whether its chain's bounds are
/// in the first camera's frustum; and for each skinned entity, its textures' mips.
pub fn stream_wants(
    mut streamer: ResMut<Streamer>,
    lods: Res<LodAssets>,
    mut cameras: Query<(&Transform, &Camera)>,
    mut entities: Query<(
        &LodMesh,
        &Transform,
        Option<&GlobalTransform>,
        Option<&MaterialIndex>,
    )>,
    mut skinned: Query<(
        &SkinnedMeshRef,
        &Transform,
        Option<&GlobalTransform>,
        &MaterialIndex,
    )>,
    skinned_meshes: Option<Res<SkinnedMeshes>>,
    window: Option<Res<Window>>,
) {
    let Some((frustum, view)) = camera_frustum(&mut cameras, window.as_deref()) else {
        return;
    };
    for (lod, local, global, material) in entities.iter() {
        if !streamer.streams(lod.chain) {
            continue;
        }
        let Some(chain) = lods.get(lod.chain) else {
            continue;
        };
        let t = global.map_or(local, |g| &g.0);
        let (center, radius) = t.transform_sphere(chain.bounds.center, chain.bounds.radius);
        let distance = view.distance(center.extend(radius));
        let scale = t.scale.abs().max_element();
        // The same projection LOD selection uses: pixels per object unit at this distance.
        let pixels_per_unit = view.projected_pixels(scale, distance);
        let in_frustum = frustum.contains_sphere(center, radius);
        // Out of view only the coarsest level and mip are wanted (what 3D Tiles renderers do:
        // hidden tiles are not refined): the budget goes to what is seen, and detail behind
        // the camera becomes the first to go.
        let level = if in_frustum { lod.level } else { 0 };
        streamer.want(lod.chain, level, distance, pixels_per_unit, in_frustum);
        if let Some(material) = material {
            let across = if in_frustum {
                view.projected_pixels(2.0 * radius, distance)
            } else {
                1.0
            };
            streamer.want_textures(material.0, across, distance, in_frustum);
        }
    }
    // Skinned entities (spawned by the game from the pack's manifest: they have no LOD chain)
    // want their textures by the pixels their bind pose covers.
    let Some(skinned_meshes) = skinned_meshes else {
        return;
    };
    for (mesh, local, global, material) in skinned.iter() {
        let Some((center, radius)) = skinned_meshes.bounds(mesh.0) else {
            continue;
        };
        let t = global.map_or(local, |g| &g.0);
        let (center, radius) = t.transform_sphere(center, radius);
        let distance = view.distance(center.extend(radius));
        let in_frustum = frustum.contains_sphere(center, radius);
        let across = if in_frustum {
            view.projected_pixels(2.0 * radius, distance)
        } else {
            1.0
        };
        streamer.want_textures(material.0, across, distance, in_frustum);
    }
}

/// Runs the [`Streamer`] for this frame: reads, decodes, uploads within budget, evicts.
pub fn stream_update(
    mut streamer: ResMut<Streamer>,
    mut lods: ResMut<LodAssets>,
    mut meshes: ResMut<MeshAssets>,
    mut textures: ResMut<TextureAssets>,
    mut materials: ResMut<Materials>,
    delta: Delta,
) {
    streamer.update(
        delta.seconds_f64(),
        StreamStores {
            lods: &mut lods,
            meshes: &mut meshes,
            textures: &mut textures,
            materials: &mut materials,
        },
    );
}

/// Spawns the entities of world cells that came within [`CellRadii::load`] of the first
/// camera and despawns those of cells beyond [`CellRadii::unload`] (through commands, so
/// they appear and go between stages).
pub fn stream_cells(
    mut streamer: ResMut<Streamer>,
    lods: Res<LodAssets>,
    radii: Res<CellRadii>,
    mut cameras: Query<(&Transform, &Camera)>,
    mut spawned: Query<(Entity, &StreamedCell)>,
    mut commands: Commands,
) {
    let Some((camera, _)) = cameras.iter().next() else {
        return;
    };
    let changes = streamer.update_cells(camera.translation, radii.load, radii.unload);
    if !changes.unload.is_empty() {
        for (entity, cell) in spawned.iter() {
            if changes
                .unload
                .binary_search_by_key(&(cell.0.x, cell.0.y), |c| (c.x, c.y))
                .is_ok()
            {
                commands.despawn(entity);
            }
        }
    }
    let Some(manifest) = streamer.manifest() else {
        return;
    };
    for &index in &changes.load {
        let cell = &manifest.cells[index];
        for placed in &cell.entities {
            let (Some(chain), Some(material)) = (
                streamer.chain(placed.mesh),
                streamer.material(placed.material),
            ) else {
                continue;
            };
            let textures = streamer.material_textures(placed.material);
            let Some(coarsest) = lods.get(chain).map(|c| c.levels[0].mesh) else {
                continue;
            };
            let transform = Transform {
                translation: placed.translation,
                rotation: placed.rotation,
                scale: placed.scale,
            };
            let (mesh, lod, material, passes, member) = (
                MeshRef(coarsest),
                LodMesh::new(chain),
                MaterialIndex(material),
                DrawPasses::default(),
                StreamedCell(cell.coord),
            );
            // Bundles are flat tuples: one spawn per shape (static or not, textured or not).
            match (placed.is_static, textures) {
                (true, Some(set)) => commands.spawn((
                    transform,
                    mesh,
                    lod,
                    material,
                    passes,
                    member,
                    Static,
                    MaterialTextures(set),
                )),
                (true, None) => {
                    commands.spawn((transform, mesh, lod, material, passes, member, Static))
                }
                (false, Some(set)) => commands.spawn((
                    transform,
                    mesh,
                    lod,
                    material,
                    passes,
                    member,
                    MaterialTextures(set),
                )),
                (false, None) => commands.spawn((transform, mesh, lod, material, passes, member)),
            }
        }
    }
}

/// The range given to a pack light without one: where its inverse-square falloff drops
/// below a hundredth of its intensity at 1 m (at least 1 m).
fn light_range(light: &PackLight) -> f32 {
    light
        .range
        .unwrap_or_else(|| (light.intensity.max(0.0) * 100.0).sqrt().max(1.0))
}

/// Spawns the streamed pack's lights once its manifest is in, each with a [`StreamedLight`]:
/// point lights as [`PointLightSource`], spot lights as [`SpotLightSource`] (casting shadows),
/// and the first directional light as the [`Sun`] when the world has none (a game's own sun
/// wins). Intensities are taken as they are (candela for point and spot lights, lux for the
/// sun): a pack made for physical units wants `RendererConfig::exposure` to match. The pack's
/// cameras are left in its manifest for the game to use.
pub fn stream_lights(
    streamer: Res<Streamer>,
    mut spawned: ResMut<StreamedLightsSpawned>,
    mut suns: Query<&Sun>,
    mut commands: Commands,
) {
    if spawned.0 {
        return;
    }
    let Some(manifest) = streamer.manifest() else {
        return;
    };
    spawned.0 = true;
    let mut has_sun = suns.iter().next().is_some();
    for (index, light) in manifest.lights.iter().enumerate() {
        let transform = Transform {
            translation: light.translation,
            rotation: light.rotation,
            scale: glam::Vec3::ONE,
        };
        let marker = StreamedLight(index as u32);
        match light.kind {
            PackLightKind::Directional if !has_sun => {
                has_sun = true;
                commands.spawn((
                    transform,
                    Sun {
                        color: light.color,
                        intensity: light.intensity,
                        shadows: true,
                    },
                    marker,
                ));
            }
            PackLightKind::Directional => {}
            PackLightKind::Point => {
                commands.spawn((
                    transform,
                    PointLightSource {
                        color: light.color,
                        intensity: light.intensity,
                        range: light_range(light),
                    },
                    marker,
                ));
            }
            PackLightKind::Spot {
                inner_cone,
                outer_cone,
            } => {
                commands.spawn((
                    transform,
                    SpotLightSource {
                        color: light.color,
                        intensity: light.intensity,
                        range: light_range(light),
                        inner_angle: inner_cone,
                        outer_angle: outer_cone,
                        shadows: true,
                    },
                    marker,
                ));
            }
        }
    }
}
