//! [`LodPlugin`]: the Lod stage.

use layerw_engine::app::{App, Plugin};
use layerw_engine::lod::LodSettings;
use layerw_engine::schedule::Stage;

use super::ExtractPlugin;
use crate::{lod_budget, select_lods};

/// Level-of-detail selection: adds [`ExtractPlugin`] (the [`LodAssets`] store, unless the app
/// added it already), inserts [`settings`](Self::settings) as the [`LodSettings`] resource,
/// [`select_lods`] in the Lod stage and, when the settings have a triangle budget,
/// [`lod_budget`] in the Culling stage. The budget counts the entities the camera sees when
/// [`CullPlugin`](super::CullPlugin) was added before this plugin ([`DefaultPlugins`] adds it
/// first), and every LOD entity otherwise.
///
/// [`LodAssets`]: layerw_engine::lod::LodAssets
/// [`DefaultPlugins`]: super::DefaultPlugins
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::lod::LodSettings;
/// use layerw_systems::LodPlugin;
///
/// let mut app = App::new();
/// app.add_plugin(LodPlugin {
///     settings: LodSettings::default().with_triangle_budget(Some(500_000)),
/// });
/// assert_eq!(app.world().resource::<LodSettings>().triangle_budget(), Some(500_000));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LodPlugin {
    /// The threshold, hysteresis, bias and optional triangle budget.
    pub settings: LodSettings,
}

impl Plugin for LodPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugin(ExtractPlugin::default());
        app.insert_resource(self.settings)
            .add_system(Stage::Lod, select_lods());
        if self.settings.triangle_budget().is_some() {
            app.add_system(Stage::Culling, lod_budget());
        }
    }
}
