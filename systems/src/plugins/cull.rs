//! [`CullPlugin`]: the Culling stage.

use layerw_engine::app::{App, Plugin};
use layerw_engine::schedule::Stage;

use super::ExtractPlugin;
use crate::{CullStats, cull};

/// Visibility culling: adds [`ExtractPlugin`] (mesh bounds, the shadow volume, unless the app
/// added it already), the [`CullStats`] resource and [`cull`] in the Culling stage (after the
/// shadow volume is fitted). Entities the camera and the sun's shadow map cannot see are
/// left out of the frame.
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_systems::{CullPlugin, CullStats};
///
/// let mut app = App::new();
/// app.add_plugin(CullPlugin);
/// app.update(1.0 / 60.0);
/// assert_eq!(app.world().resource::<CullStats>().visible, 0); // nothing to see yet
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CullPlugin;

impl Plugin for CullPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugin(ExtractPlugin::default());
        app.insert_resource(CullStats::default())
            .add_system(Stage::Culling, cull());
    }
}
