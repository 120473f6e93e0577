//! [`AssetPlugin`] (the engine's stores, the server and the load systems) and
//! [`AssetKindPlugin`] (one kind's store and load system).

use core::marker::PhantomData;

use super::{Asset, AssetServer, LOAD_STAGE};
use crate::app::{App, Plugin};
use crate::lod::{LoadedChain, LodAssets};
use crate::render::{LoadedTexture, Materials, Mesh, MeshAssets, TextureAssets};

/// One asset kind: inserts its store (unless there is one) and adds its load system first
/// in the Streaming stage. Add it for a game's own kinds, then register their loaders with
/// [`AssetServer::add_loader`].
pub struct AssetKindPlugin<T: Asset>(PhantomData<fn() -> T>);

impl<T: Asset> Default for AssetKindPlugin<T> {
    fn default() -> Self {
        AssetKindPlugin(PhantomData)
    }
}

impl<T: Asset> Plugin for AssetKindPlugin<T> {
    fn build(&self, app: &mut App) {
        if !app.world().contains_resource::<T::Store>() {
            app.insert_resource(T::Store::default());
        }
        app.add_system(LOAD_STAGE, AssetServer::load_system::<T>());
    }
}

/// The asset layer: the stores ([`MeshAssets`], [`TextureAssets`], [`LodAssets`],
/// [`Materials`]; stores already inserted are kept), an [`AssetServer`] with the engine's
/// loaders and the load systems for meshes, textures and LOD chains. Fonts are
/// [`FontPlugin`](crate::text::FontPlugin)'s, so apps without text do not ship a font parser.
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::asset::{AssetPlugin, AssetServer};
/// use layerw_engine::render::MeshAssets;
///
/// let mut app = App::new();
/// app.add_plugin(AssetPlugin::default());
/// assert!(app.world().contains_resource::<MeshAssets>());
/// assert!(app.world().resource::<AssetServer>().progress().is_done());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetPlugin {
    /// The root the server joins paths to (empty: paths as given).
    pub root: String,
}

impl Plugin for AssetPlugin {
    fn build(&self, app: &mut App) {
        if !app.world().contains_resource::<AssetServer>() {
            app.insert_resource(AssetServer::with_engine_loaders(self.root.clone()));
        }
        if !app.world().contains_resource::<Materials>() {
            app.insert_resource(Materials::default());
        }
        app.add_plugin(AssetKindPlugin::<Mesh>::default())
            .add_plugin(AssetKindPlugin::<LoadedTexture>::default())
            .add_plugin(AssetKindPlugin::<LoadedChain>::default());
        debug_assert!(app.world().contains_resource::<LodAssets>());
        debug_assert!(app.world().contains_resource::<MeshAssets>());
        debug_assert!(app.world().contains_resource::<TextureAssets>());
    }
}
