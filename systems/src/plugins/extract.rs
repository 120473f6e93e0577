//! [`ExtractPlugin`]: everything the renderer reads, built without a GPU.

use layerw_engine::app::{App, Plugin};
use layerw_engine::asset::AssetPlugin;
use layerw_engine::render::RenderQueue;
use layerw_engine::schedule::Stage;

use crate::{ShadowBounds, extract_render, fit_shadow_bounds, fly_camera, orbit_camera};

/// What to draw, without drawing it: a GPU renderer draws its [`RenderQueue`], and a test or a
/// headless build can read it.
///
/// Adds:
/// * [`AssetPlugin`]: the asset stores `MeshAssets`, `TextureAssets`, `LodAssets` and
///   `Materials`, empty where the app has none yet (an app may insert filled ones before or
///   after), the [`AssetServer`](layerw_engine::asset::AssetServer) and its load systems,
/// * an empty [`RenderQueue`] where the app has none,
/// * the [`ShadowBounds`] resource from [`shadow_bounds`](Self::shadow_bounds), and
///   [`fit_shadow_bounds`] first in the Culling stage,
/// * with [`camera_controls`](Self::camera_controls), [`orbit_camera`] and [`fly_camera`] in
///   the Update stage (they move only entities with an `OrbitCamera` / a `FlyCamera`),
/// * [`extract_render`] in the Render stage, and change tracking of `Transform`,
///   `GlobalTransform` and `MaterialIndex`, so that it packs archetypes that did not change
///   (statics) once and copies them afterwards.
///
/// # Example
/// ```
/// use glam::Vec3;
/// use layerw_components::{Camera, MeshRef, Transform};
/// use layerw_engine::app::App;
/// use layerw_engine::render::{Mesh, MeshAssets, RenderQueue};
/// use layerw_systems::ExtractPlugin;
///
/// let mut app = App::new();
/// app.add_plugin(ExtractPlugin::default());
/// let cube = app.world_mut().resource_mut::<MeshAssets>().add(Mesh::cube(1.0)).unwrap();
/// app.world_mut().spawn((Transform::IDENTITY, MeshRef(cube)));
/// app.world_mut().spawn((Transform::from_translation(Vec3::new(0.0, 0.0, 5.0)), Camera::default()));
/// app.update(1.0 / 60.0);
/// let queue = app.world().resource::<RenderQueue>();
/// assert!(queue.camera.is_some());
/// assert_eq!(queue.instance_count(), 1);
/// ```
///
/// [`RenderQueue`]: layerw_engine::render::RenderQueue
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExtractPlugin {
    /// How the sun's shadow map is placed (fitted to the scene unless set).
    pub shadow_bounds: ShadowBounds,
    /// Add the orbit and fly camera controllers.
    pub camera_controls: bool,
}

impl Default for ExtractPlugin {
    fn default() -> Self {
        ExtractPlugin {
            shadow_bounds: ShadowBounds::default(),
            camera_controls: true,
        }
    }
}

impl Plugin for ExtractPlugin {
    fn build(&self, app: &mut App) {
        // The stores, the server and the load systems (an app's own AssetPlugin, added
        // first, keeps its settings).
        app.add_plugin(AssetPlugin::default());
        if !app.world().contains_resource::<RenderQueue>() {
            app.insert_resource(RenderQueue::new());
        }
        app.insert_resource(self.shadow_bounds);
        crate::extract::track_packed_columns(app.world_mut());
        if self.camera_controls {
            app.add_system(Stage::Update, orbit_camera())
                .add_system(Stage::Update, fly_camera());
        }
        // Skinned entities are drawn from their joint matrices; `animate()` (an app's own,
        // in Update) fills them.
        app.add_system(Stage::Culling, fit_shadow_bounds())
            .add_system(Stage::Render, extract_render())
            .add_system(Stage::Render, crate::extract_skinned());
    }
}
