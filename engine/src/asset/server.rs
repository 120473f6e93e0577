//! [`AssetServer`]: loads assets from files at run time. `load` reserves a slot and returns
//! its handle at once; the bytes are read off the frame, and each kind's load system decodes
//! and stores them first thing in the Streaming stage, so load states change only between
//! stages.

use core::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use super::io::{ReadSlot, Reader};
use super::{Asset, AssetError, AssetLoader, Handle, LoadState};
use crate::ecs::World;
use crate::schedule::{Stage, System};

/// How many loads the server has finished and how many are in flight: what a loading
/// screen shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadProgress {
    /// Loads whose bytes are still being read or wait for their kind's load system.
    pub pending: usize,
    /// Loads that ended [`Loaded`](LoadState::Loaded).
    pub loaded: usize,
    /// Loads that ended [`Failed`](LoadState::Failed).
    pub failed: usize,
    /// Loads dropped because their handle was removed before they finished.
    pub cancelled: usize,
}

impl LoadProgress {
    /// True when nothing is pending.
    pub fn is_done(&self) -> bool {
        self.pending == 0
    }

    /// The finished share of all loads, 0 to 1 (1 when there were none).
    pub fn fraction(&self) -> f32 {
        let finished = self.loaded + self.failed + self.cancelled;
        let total = finished + self.pending;
        if total == 0 {
            1.0
        } else {
            finished as f32 / total as f32
        }
    }
}

/// A finished read: the file's bytes or why there are none.
type ReadResult = Result<Vec<u8>, AssetError>;

/// One load in flight.
struct Request<T: Asset> {
    handle: Handle<T>,
    path: String,
    loader: Arc<dyn AssetLoader<Asset = T>>,
    read: Arc<ReadSlot>,
}

/// A kind's loaders and its loads in flight.
struct Kind<T: Asset> {
    loaders: Vec<Arc<dyn AssetLoader<Asset = T>>>,
    requests: Vec<Request<T>>,
}

/// Loads assets from files at run time; a resource ([`AssetPlugin`](super::AssetPlugin)
/// inserts it with the engine's loaders).
///
/// Paths are joined to the server's root (none by default: relative to the working
/// directory natively, to the page in the browser). Natively a background thread reads; in
/// the browser `fetch` does (with the `fetch` feature, on with `window`); on WASI the read
/// happens in `load`. Decoding runs in the kind's load system, on every platform.
///
/// # Example
/// ```no_run
/// use layerw_engine::app::App;
/// use layerw_engine::asset::{AssetPlugin, AssetServer, LoadState};
/// use layerw_engine::lod::{LoadedChain, LodAssets};
///
/// let mut app = App::new();
/// app.add_plugin(AssetPlugin::default());
/// let sphere = AssetServer::load_in::<LoadedChain>(app.world(), "assets/sphere48.lwlod");
/// while !app.world().resource::<AssetServer>().progress().is_done() {
///     app.update(1.0 / 60.0);
/// }
/// assert_eq!(app.world().resource::<LodAssets>().load_state(sphere), LoadState::Loaded);
/// ```
pub struct AssetServer {
    root: String,
    kinds: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    reader: Reader,
    progress: LoadProgress,
}

impl Default for AssetServer {
    /// A server with no root and no loaders.
    fn default() -> Self {
        AssetServer::new("")
    }
}

impl AssetServer {
    /// A server reading paths under `root` (empty: paths as given), with no loaders.
    pub fn new(root: impl Into<String>) -> AssetServer {
        AssetServer {
            root: root.into(),
            kinds: HashMap::new(),
            reader: Reader::default(),
            progress: LoadProgress::default(),
        }
    }

    /// A server with the engine's loaders: meshes and LOD chains from `.lwlod`, colour
    /// textures from `.png`, data textures from `.linear.png` (fonts come with
    /// [`FontPlugin`](crate::text::FontPlugin)).
    pub fn with_engine_loaders(root: impl Into<String>) -> AssetServer {
        let mut server = AssetServer::new(root);
        server
            .add_loader(super::MeshLoader)
            .add_loader(super::LodChainLoader)
            .add_loader(super::PngTextureLoader::COLOR)
            .add_loader(super::PngTextureLoader::LINEAR);
        server
    }

    /// The root paths are joined to.
    pub fn root(&self) -> &str {
        &self.root
    }

    fn kind_mut<T: Asset>(&mut self) -> &mut Kind<T> {
        self.kinds
            .entry(TypeId::of::<T>())
            .or_insert_with(|| {
                Box::new(Kind::<T> {
                    loaders: Vec::new(),
                    requests: Vec::new(),
                })
            })
            .downcast_mut()
            .expect("kinds are keyed by their type")
    }

    /// Registers a loader for its kind (a later loader wins over an earlier one for the same
    /// extension). The kind needs its load system too:
    /// [`AssetKindPlugin`](super::AssetKindPlugin).
    pub fn add_loader<L: AssetLoader>(&mut self, loader: L) -> &mut Self {
        self.kind_mut::<L::Asset>().loaders.push(Arc::new(loader));
        self
    }

    /// The loader of kind `T` for `path`: the longest registered extension it ends with.
    fn loader_for<T: Asset>(&mut self, path: &str) -> Option<Arc<dyn AssetLoader<Asset = T>>> {
        let path = path.to_ascii_lowercase();
        let kind = self.kind_mut::<T>();
        let mut best: Option<(usize, &Arc<dyn AssetLoader<Asset = T>>)> = None;
        for loader in kind.loaders.iter().rev() {
            for extension in loader.extensions() {
                let matches = path.len() > extension.len()
                    && path.ends_with(extension)
                    && path.as_bytes()[path.len() - extension.len() - 1] == b'.';
                if matches && best.is_none_or(|(len, _)| extension.len() > len) {
                    best = Some((extension.len(), loader));
                }
            }
        }
        best.map(|(_, loader)| loader.clone())
    }

    /// Starts loading `path` as a `T` into `store` (the kind's store resource) and returns its
    /// handle at once, in the [`Loading`](LoadState::Loading) state; it becomes
    /// [`Loaded`](LoadState::Loaded) or [`Failed`](LoadState::Failed) in a later frame's
    /// Streaming stage. A path no loader of `T` takes fails at once
    /// ([`AssetError::UnsupportedExtension`]).
    pub fn load<T: Asset>(&mut self, store: &mut T::Store, path: &str) -> Handle<T> {
        let handle = T::reserve(store);
        let Some(loader) = self.loader_for::<T>(path) else {
            let error = AssetError::UnsupportedExtension {
                path: path.into(),
                kind: T::KIND,
            };
            T::fail(store, handle, error);
            self.progress.failed += 1;
            return handle;
        };
        let full = if self.root.is_empty() {
            path.to_owned()
        } else {
            format!("{}/{path}", self.root.trim_end_matches('/'))
        };
        let read = self.reader.start(full, loader.max_bytes());
        self.kind_mut::<T>().requests.push(Request {
            handle,
            path: path.into(),
            loader,
            read,
        });
        self.progress.pending += 1;
        handle
    }

    /// [`load`](Self::load) with the server and the kind's store taken from `world` (setup
    /// code outside systems). Panics when either resource is missing or already borrowed.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::app::App;
    /// use layerw_engine::asset::{AssetPlugin, AssetServer, LoadState};
    /// use layerw_engine::render::{Mesh, MeshAssets};
    ///
    /// let mut app = App::new();
    /// app.add_plugin(AssetPlugin::default());
    /// let mesh = AssetServer::load_in::<Mesh>(app.world(), "no/such/mesh.lwlod");
    /// assert_eq!(app.world().resource::<MeshAssets>().load_state(mesh), LoadState::Loading);
    /// ```
    pub fn load_in<T: Asset>(world: &World, path: &str) -> Handle<T> {
        let mut server = world.resource_mut::<AssetServer>();
        server.load::<T>(&mut world.resource_mut::<T::Store>(), path)
    }

    /// Loads in flight and finished, since the server was made or
    /// [`reset_progress`](Self::reset_progress).
    pub fn progress(&self) -> LoadProgress {
        self.progress
    }

    /// Starts counting finished loads afresh (a new loading screen); pending ones stay.
    pub fn reset_progress(&mut self) {
        self.progress = LoadProgress {
            pending: self.progress.pending,
            ..LoadProgress::default()
        };
    }

    /// The kind's loads whose reads finished, in the order they were asked for.
    fn take_finished<T: Asset>(&mut self) -> Vec<(Request<T>, ReadResult)> {
        let kind = self.kind_mut::<T>();
        let mut finished = Vec::new();
        let mut waiting = Vec::with_capacity(kind.requests.len());
        for request in kind.requests.drain(..) {
            match request.read.take() {
                Some(result) => finished.push((request, result)),
                None => waiting.push(request),
            }
        }
        kind.requests = waiting;
        finished
    }

    /// The system that finishes kind `T`'s loads: decodes the bytes read since its last run
    /// and stores the results (or the errors) in `T::Store`.
    /// [`AssetKindPlugin`](super::AssetKindPlugin) adds it first in [`Stage::Streaming`].
    pub fn load_system<T: Asset>() -> System {
        let name = format!("layerw::load_assets<{}>", T::KIND);
        let system = System::new(name, |ctx| {
            let finished = match ctx.try_resource_mut::<AssetServer>() {
                Ok(mut server) => server.take_finished::<T>(),
                Err(_) => return,
            };
            if finished.is_empty() {
                return;
            }
            let (mut loaded, mut failed, mut cancelled) = (0, 0, 0);
            for (request, read) in finished {
                if T::state(&ctx.resource::<T::Store>(), request.handle) == LoadState::Unloaded {
                    cancelled += 1; // removed while loading: nothing to decode into
                    continue;
                }
                let decode = |error| AssetError::Decode {
                    path: request.path.clone(),
                    error,
                };
                let stored = read.and_then(|bytes| {
                    let source = request.loader.load(&bytes).map_err(decode)?;
                    T::store(ctx, request.handle, source).map_err(decode)
                });
                match stored {
                    Ok(()) => loaded += 1,
                    Err(error) => {
                        T::fail(&mut ctx.resource_mut::<T::Store>(), request.handle, error);
                        failed += 1;
                    }
                }
            }
            let mut server = ctx.resource_mut::<AssetServer>();
            server.progress.pending -= loaded + failed + cancelled;
            server.progress.loaded += loaded;
            server.progress.failed += failed;
            server.progress.cancelled += cancelled;
        })
        .first()
        .writes_resource::<AssetServer>()
        .writes_resource::<T::Store>();
        T::declare(system)
    }
}

/// The stage kinds' load systems run in (first in it).
pub const LOAD_STAGE: Stage = Stage::Streaming;
