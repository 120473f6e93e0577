//! [`Asset`]: what makes a type an asset kind the [`AssetServer`](super::AssetServer) can
//! load: where it is stored and how a decoded value goes in.

use super::{AssetError, DecodeError, Handle, LoadState};
use crate::ecs::Resource;
use crate::lod::{LoadedChain, LodAssets, LodChain};
use crate::render::{LoadedTexture, Mesh, MeshAssets, TextureAssets};
use crate::schedule::{System, SystemContext};

/// An asset kind: the resource that stores it and what a loader decodes for it.
///
/// The engine's kinds are [`Mesh`] (in [`MeshAssets`]), [`LoadedTexture`] (in
/// [`TextureAssets`]) and [`LoadedChain`] (in [`LodAssets`], its levels in [`MeshAssets`]).
/// A game's own kind usually lives in a plain [`Assets<T>`](super::Assets):
///
/// ```
/// use layerw_engine::asset::{Asset, AssetError, Assets, DecodeError, Handle, LoadState};
/// use layerw_engine::schedule::SystemContext;
///
/// /// A line of dialogue.
/// struct Line(String);
///
/// impl Asset for Line {
///     type Store = Assets<Line>;
///     type Source = Line;
///     const KIND: &'static str = "dialogue line";
///     fn reserve(store: &mut Assets<Line>) -> Handle<Line> {
///         store.reserve()
///     }
///     fn fail(store: &mut Assets<Line>, handle: Handle<Line>, error: AssetError) {
///         store.fail(handle, error);
///     }
///     fn state(store: &Assets<Line>, handle: Handle<Line>) -> LoadState {
///         store.load_state(handle)
///     }
///     fn store(ctx: &SystemContext<'_>, handle: Handle<Line>, line: Line) -> Result<(), DecodeError> {
///         let _ = ctx.resource_mut::<Assets<Line>>().insert(handle, line);
///         Ok(())
///     }
/// }
/// ```
pub trait Asset: Send + Sync + Sized + 'static {
    /// The resource this kind is stored in.
    type Store: Resource + Default;
    /// What a loader decodes from a file's bytes.
    type Source: Send + 'static;
    /// The kind's name, for errors.
    const KIND: &'static str;

    /// Reserves a slot in the [`Loading`](LoadState::Loading) state.
    fn reserve(store: &mut Self::Store) -> Handle<Self>;

    /// Marks a reserved slot failed (nothing when the handle is stale).
    fn fail(store: &mut Self::Store, handle: Handle<Self>, error: AssetError);

    /// The handle's state.
    fn state(store: &Self::Store, handle: Handle<Self>) -> LoadState;

    /// Puts a decoded value in its reserved slot, in the load system (which has declared
    /// [`declare`](Self::declare)'s access). An error marks the slot failed.
    fn store(
        ctx: &SystemContext<'_>,
        handle: Handle<Self>,
        source: Self::Source,
    ) -> Result<(), DecodeError>;

    /// Declares the access [`store`](Self::store) needs besides writing `Self::Store`.
    fn declare(system: System) -> System {
        system
    }
}

impl Asset for Mesh {
    type Store = MeshAssets;
    type Source = Mesh;
    const KIND: &'static str = "mesh";

    fn reserve(store: &mut MeshAssets) -> Handle<Mesh> {
        store.reserve()
    }

    fn fail(store: &mut MeshAssets, handle: Handle<Mesh>, error: AssetError) {
        store.fail(handle, error);
    }

    fn state(store: &MeshAssets, handle: Handle<Mesh>) -> LoadState {
        store.load_state(handle)
    }

    fn store(ctx: &SystemContext<'_>, handle: Handle<Mesh>, mesh: Mesh) -> Result<(), DecodeError> {
        ctx.resource_mut::<MeshAssets>()
            .insert(handle, mesh)
            .map_err(DecodeError::Mesh)
    }
}

impl Asset for LoadedTexture {
    type Store = TextureAssets;
    type Source = LoadedTexture;
    const KIND: &'static str = "texture";

    fn reserve(store: &mut TextureAssets) -> Handle<LoadedTexture> {
        store.reserve()
    }

    fn fail(store: &mut TextureAssets, handle: Handle<LoadedTexture>, error: AssetError) {
        store.fail(handle, error);
    }

    fn state(store: &TextureAssets, handle: Handle<LoadedTexture>) -> LoadState {
        store.load_state(handle)
    }

    fn store(
        ctx: &SystemContext<'_>,
        handle: Handle<LoadedTexture>,
        texture: LoadedTexture,
    ) -> Result<(), DecodeError> {
        ctx.resource_mut::<TextureAssets>().insert(handle, texture);
        Ok(())
    }
}

impl Asset for LoadedChain {
    type Store = LodAssets;
    type Source = LodChain;
    const KIND: &'static str = "LOD chain";

    fn reserve(store: &mut LodAssets) -> Handle<LoadedChain> {
        store.reserve()
    }

    fn fail(store: &mut LodAssets, handle: Handle<LoadedChain>, error: AssetError) {
        store.fail(handle, error);
    }

    fn state(store: &LodAssets, handle: Handle<LoadedChain>) -> LoadState {
        store.load_state(handle)
    }

    fn store(
        ctx: &SystemContext<'_>,
        handle: Handle<LoadedChain>,
        chain: LodChain,
    ) -> Result<(), DecodeError> {
        let mut meshes = ctx.resource_mut::<MeshAssets>();
        ctx.resource_mut::<LodAssets>()
            .insert(handle, chain, &mut meshes)
            .map_err(DecodeError::Mesh)
    }

    fn declare(system: System) -> System {
        system.writes_resource::<MeshAssets>()
    }
}
