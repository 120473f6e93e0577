//! The meshes and materials a game has loaded, on the CPU: handles are given out here, at once,
//! and the GPU side uploads whatever it has not seen whenever it is ready (which, in the
//! browser, is some frames after the app starts).

use super::{
    CheckedMesh, Indices, MAX_MATERIALS, MaterialParams, Mesh, MeshError, Surface, TextureImage,
};
use crate::asset::{AssetError, Assets, Handle, LoadState};
use crate::walloc::{self, Tier};

/// The walloc tier the stores keep their meshes and textures in: Scene, on purpose. The CPU
/// copies stay after upload, because the GPU side uploads whenever it is ready (in the browser,
/// frames after the app starts, and again for a second renderer), culling reads each mesh's
/// bounds, and streamed levels come and go under their handles. In Scene they are content,
/// counted with the streamed levels and made room for by the streamer's reclaim hook, rather
/// than in General, the small tier every other heap byte shares.
pub const ASSET_TIER: Tier = Tier::Scene;

/// True when every buffer in `buffers` (start, length) lies in [`ASSET_TIER`] (or walloc is
/// not the global allocator, so there is no tier to move to). Empty buffers own no memory and
/// do not count.
fn in_asset_tier(mut buffers: impl Iterator<Item = (*const u8, usize)>) -> bool {
    if !walloc::is_global_allocator() {
        return true;
    }
    let global = walloc::global();
    buffers.all(|(ptr, len)| len == 0 || global.tier_of(ptr) == Some(ASSET_TIER))
}

/// `mesh` with its buffers in [`ASSET_TIER`]: as it is when they already lie there (a loader
/// decoded it there), otherwise copied there (a mesh made anywhere else).
fn mesh_in_asset_tier(mesh: Mesh) -> Mesh {
    let indices = match &mesh.indices {
        Indices::U16(i) => (i.as_ptr().cast(), i.len()),
        Indices::U32(i) => (i.as_ptr().cast(), i.len()),
    };
    let buffers = [
        (mesh.positions.as_ptr().cast(), mesh.positions.len()),
        (mesh.normals.as_ptr().cast(), mesh.normals.len()),
        (mesh.uvs.as_ptr().cast(), mesh.uvs.len()),
        (mesh.tangents.as_ptr().cast(), mesh.tangents.len()),
        indices,
    ];
    if in_asset_tier(buffers.into_iter()) {
        return mesh;
    }
    walloc::with_tier(ASSET_TIER, || mesh.clone())
}

/// `texture` with its mip chain in [`ASSET_TIER`], as [`mesh_in_asset_tier`].
fn texture_in_asset_tier(texture: LoadedTexture) -> LoadedTexture {
    let chain = (texture.mips.as_ptr().cast(), texture.mips.len());
    let levels = texture
        .mips
        .iter()
        .map(|m| (m.pixels.as_ptr(), m.pixels.len()));
    if in_asset_tier(std::iter::once(chain).chain(levels)) {
        return texture;
    }
    walloc::with_tier(ASSET_TIER, || texture.clone())
}

/// A mesh: a handle into [`MeshAssets`].
pub type MeshHandle = Handle<Mesh>;

/// Every loaded mesh, stored on the world as a resource: an [`Assets<Mesh>`] that validates
/// what goes in and keeps each mesh's bounding sphere for culling. Meshes are kept in the
/// [`ASSET_TIER`] (Scene): one made elsewhere is copied there as it goes in.
///
/// # Example
/// ```
/// use layerw_engine::render::{Mesh, MeshAssets};
///
/// let mut meshes = MeshAssets::default();
/// let cube = meshes.add(Mesh::cube(1.0)).unwrap();
/// assert!(meshes.get(cube).is_some());
/// assert_eq!(meshes.bounds(cube).unwrap().1, 3f32.sqrt() / 2.0); // the sphere round the cube
/// meshes.remove(cube);
/// assert!(meshes.get(cube).is_none());
/// let again = meshes.add(Mesh::cube(2.0)).unwrap();
/// assert_ne!(again, cube); // the slot is reused with a new generation
/// ```
#[derive(Default)]
pub struct MeshAssets {
    assets: Assets<Mesh>,
    /// Per slot: the bounding sphere (centre, radius) of the mesh last put there.
    bounds: Vec<(glam::Vec3, f32)>,
}

impl MeshAssets {
    /// Adds a mesh after validating it.
    pub fn add(&mut self, mesh: Mesh) -> Result<MeshHandle, MeshError> {
        mesh.validate()?;
        let bounds = mesh.bounding_sphere();
        let handle = self.assets.add(mesh_in_asset_tier(mesh));
        self.set_bounds(handle, bounds);
        Ok(handle)
    }

    /// Reserves a slot in the [`Loading`](LoadState::Loading) state (what
    /// [`AssetServer::load`](crate::asset::AssetServer::load) does).
    pub fn reserve(&mut self) -> MeshHandle {
        self.assets.reserve()
    }

    /// Puts a validated mesh in a live slot (loading, loaded or failed). A mesh that fails
    /// validation marks the slot failed and returns the error; a stale handle changes nothing.
    pub fn insert(&mut self, handle: MeshHandle, mesh: Mesh) -> Result<(), MeshError> {
        if let Err(error) = mesh.validate() {
            self.assets.fail(
                handle,
                AssetError::Decode {
                    path: String::new(),
                    error: error.clone().into(),
                },
            );
            return Err(error);
        }
        let bounds = mesh.bounding_sphere();
        if self.assets.insert(handle, mesh_in_asset_tier(mesh)).is_ok() {
            self.set_bounds(handle, bounds);
        }
        Ok(())
    }

    /// Stores a mesh validated and measured beforehand ([`Mesh::checked`], on a loader's
    /// thread): the frame's thread neither validates nor walks its vertices again. False when
    /// the handle is stale.
    pub fn insert_checked(&mut self, handle: MeshHandle, mesh: CheckedMesh) -> bool {
        let bounds = mesh.bounds();
        let stored = self
            .assets
            .insert(handle, mesh_in_asset_tier(mesh.into_mesh()))
            .is_ok();
        if stored {
            self.set_bounds(handle, bounds);
        }
        stored
    }

    /// Marks a live slot failed; false when the handle is stale.
    pub fn fail(&mut self, handle: MeshHandle, error: AssetError) -> bool {
        self.assets.fail(handle, error)
    }

    fn set_bounds(&mut self, handle: MeshHandle, bounds: (glam::Vec3, f32)) {
        let index = handle.index() as usize;
        if self.bounds.len() <= index {
            self.bounds.resize(index + 1, (glam::Vec3::ZERO, 0.0));
        }
        self.bounds[index] = bounds;
    }

    /// Drops a loaded mesh but keeps its handle, back in the loading state (streamed levels
    /// come and go under one handle); the renderer frees its GPU buffers at its next sync.
    pub fn unload(&mut self, handle: MeshHandle) -> Option<Mesh> {
        self.assets.unload(handle)
    }

    /// Unloads a mesh; its handle goes stale (and the renderer frees its GPU buffers at its
    /// next sync). Returns it, if the handle was live and loaded.
    pub fn remove(&mut self, handle: MeshHandle) -> Option<Mesh> {
        self.assets.remove(handle)
    }

    /// The mesh behind a live handle.
    pub fn get(&self, handle: MeshHandle) -> Option<&Mesh> {
        self.assets.get(handle)
    }

    /// The handle's load state.
    pub fn load_state(&self, handle: MeshHandle) -> LoadState {
        self.assets.load_state(handle)
    }

    /// The bounding sphere (object-space centre, radius) of a live mesh: what culling tests.
    pub fn bounds(&self, handle: MeshHandle) -> Option<(glam::Vec3, f32)> {
        self.assets
            .contains(handle)
            .then(|| self.bounds[handle.index() as usize])
    }

    /// Every live mesh with its handle.
    pub fn iter(&self) -> impl Iterator<Item = (MeshHandle, &Mesh)> {
        self.assets.iter()
    }

    /// Loaded meshes.
    pub fn len(&self) -> usize {
        self.assets.len()
    }

    /// True when no mesh is loaded.
    pub fn is_empty(&self) -> bool {
        self.assets.is_empty()
    }

    /// The underlying store (read-only: meshes go in through [`add`](Self::add) and
    /// [`insert`](Self::insert), which validate them and keep their bounds).
    pub fn assets(&self) -> &Assets<Mesh> {
        &self.assets
    }

    /// Bumped by every add and remove: the GPU side syncs when it changes.
    pub fn version(&self) -> u64 {
        self.assets.version()
    }
}

/// A material: a handle into [`Materials`]; its slot index is the material index instances
/// carry.
pub type MaterialHandle = Handle<MaterialParams>;

/// The material table, stored on the world as a resource: an [`Assets<MaterialParams>`]
/// whose slot index is the index instances name materials by (a `u16`, under
/// [`MAX_MATERIALS`]). A removed material's slot reads as the default material on the GPU
/// until a new material reuses it.
///
/// # Example
/// ```
/// use layerw_engine::render::{MaterialParams, Materials};
///
/// let mut materials = Materials::default(); // index 0: the default material
/// let red = materials.add(MaterialParams::default()).unwrap();
/// assert_eq!(red, 1);
/// let handle = materials.handle(red).unwrap();
/// assert!(materials.remove(handle).is_some());
/// assert!(materials.get(handle).is_none());
/// assert_eq!(materials.add(MaterialParams::default()), Some(1)); // the slot is reused
/// ```
pub struct Materials {
    assets: Assets<MaterialParams>,
}

impl Default for Materials {
    /// One default material.
    fn default() -> Self {
        let mut assets = Assets::default();
        assets.add(MaterialParams::default());
        Materials { assets }
    }
}

impl Materials {
    /// Adds a material and returns its index, or `None` when the table (of
    /// [`MAX_MATERIALS`]) is full.
    pub fn add(&mut self, material: MaterialParams) -> Option<u16> {
        self.add_handle(material).map(|h| h.index() as u16)
    }

    /// Adds a material and returns its handle, or `None` when the table is full.
    pub fn add_handle(&mut self, material: MaterialParams) -> Option<MaterialHandle> {
        if self.assets.len() >= MAX_MATERIALS {
            return None;
        }
        Some(self.assets.add(material))
    }

    /// The live handle of the material at `index`.
    pub fn handle(&self, index: u16) -> Option<MaterialHandle> {
        self.assets.handle_at(u32::from(index))
    }

    /// The material behind a live handle.
    pub fn get(&self, handle: MaterialHandle) -> Option<&MaterialParams> {
        self.assets.get(handle)
    }

    /// The material behind a live handle, to change it (uploaded again at the next sync).
    pub fn get_mut(&mut self, handle: MaterialHandle) -> Option<&mut MaterialParams> {
        self.assets.get_mut(handle)
    }

    /// Unloads a material: its handle goes stale and its index draws as the default
    /// material until reused.
    pub fn remove(&mut self, handle: MaterialHandle) -> Option<MaterialParams> {
        self.assets.remove(handle)
    }

    /// Replaces the table (every old handle goes stale); `None` (and no change) when it has
    /// more than [`MAX_MATERIALS`].
    pub fn set(&mut self, items: Vec<MaterialParams>) -> Option<()> {
        if items.len() > MAX_MATERIALS {
            return None;
        }
        self.assets.clear();
        for item in items {
            self.assets.add(item);
        }
        Some(())
    }

    /// The table by index, as the GPU reads it (free slots hold the default material).
    pub fn items(&self) -> Vec<MaterialParams> {
        let mut table = vec![MaterialParams::default(); self.assets.slot_count()];
        for (handle, material) in self.assets.iter() {
            table[handle.index() as usize] = *material;
        }
        table
    }

    /// Each slot's [`Surface`] (free slots: opaque), by material index: how extraction tells
    /// blended, masked and double-sided instances apart.
    pub fn surfaces(&self) -> Vec<Surface> {
        let mut table = vec![Surface::OPAQUE; self.assets.slot_count()];
        for (handle, material) in self.assets.iter() {
            table[handle.index() as usize] = Surface::of(material);
        }
        table
    }

    /// The underlying store.
    pub fn assets(&self) -> &Assets<MaterialParams> {
        &self.assets
    }

    /// Bumped by every change.
    pub fn version(&self) -> u64 {
        self.assets.version()
    }
}

/// A texture: a handle into [`TextureAssets`] (the default handle names nothing).
pub type TextureHandle = Handle<LoadedTexture>;

/// A material's texture maps (absent maps read as neutral: white, a flat normal).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextureSet {
    /// Base colour (sRGB), multiplied with the material's base colour.
    pub base_color: Option<TextureHandle>,
    /// Tangent-space normal map (linear).
    pub normal: Option<TextureHandle>,
    /// Green: roughness, blue: metallic (linear, glTF layout), multiplied with the factors.
    pub metallic_roughness: Option<TextureHandle>,
    /// Emission (sRGB), multiplied with the emissive factor.
    pub emissive: Option<TextureHandle>,
    /// Red: ambient occlusion (linear).
    pub occlusion: Option<TextureHandle>,
}

/// A set of texture maps; the default (0) is the untextured set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextureSetHandle(pub(crate) u32);

/// One loaded texture: its mip chain and whether it holds colour (sRGB) or data (linear).
#[derive(Clone, Debug)]
pub struct LoadedTexture {
    /// Mip levels, largest first.
    pub mips: Vec<TextureImage>,
    /// True for colour (sampled as sRGB), false for data (normals, roughness).
    pub srgb: bool,
}

/// Every loaded texture (an [`Assets<LoadedTexture>`], kept in the [`ASSET_TIER`] as meshes
/// are) and texture set, stored on the world as a resource. A set whose texture is removed reads that map as neutral (white, a flat
/// normal) from then on.
pub struct TextureAssets {
    assets: Assets<LoadedTexture>,
    sets: Vec<TextureSet>,
    /// Changes to the sets (the textures count theirs in `assets`).
    sets_version: u64,
}

impl Default for TextureAssets {
    fn default() -> Self {
        TextureAssets {
            assets: Assets::default(),
            sets: vec![TextureSet::default()],
            sets_version: 0,
        }
    }
}

impl TextureAssets {
    /// Adds a texture: capped to 1024 px (2048 when `critical`) and mipmapped.
    pub fn add(&mut self, image: &TextureImage, srgb: bool, critical: bool) -> TextureHandle {
        let mips = walloc::with_tier(ASSET_TIER, || image.mip_chain(critical));
        self.assets.add(LoadedTexture { mips, srgb })
    }

    /// Adds a texture whose mip chain is already made.
    pub fn add_loaded(&mut self, texture: LoadedTexture) -> TextureHandle {
        self.assets.add(texture_in_asset_tier(texture))
    }

    /// Reserves a slot in the [`Loading`](LoadState::Loading) state.
    pub fn reserve(&mut self) -> TextureHandle {
        self.assets.reserve()
    }

    /// Puts a texture in a live slot; false (and no change) when the handle is stale.
    pub fn insert(&mut self, handle: TextureHandle, texture: LoadedTexture) -> bool {
        self.assets
            .insert(handle, texture_in_asset_tier(texture))
            .is_ok()
    }

    /// Marks a live slot failed; false when the handle is stale.
    pub fn fail(&mut self, handle: TextureHandle, error: AssetError) -> bool {
        self.assets.fail(handle, error)
    }

    /// Drops a loaded texture but keeps its handle, back in the loading state (streamed mips
    /// come and go under one handle); sets naming it read that map as neutral until it is
    /// loaded again, and the renderer frees its GPU texture at its next sync.
    pub fn unload(&mut self, handle: TextureHandle) -> Option<LoadedTexture> {
        self.assets.unload(handle)
    }

    /// Unloads a texture: its handle goes stale, sets that name it read that map as neutral,
    /// and the renderer frees its GPU texture at its next sync.
    pub fn remove(&mut self, handle: TextureHandle) -> Option<LoadedTexture> {
        self.assets.remove(handle)
    }

    /// The texture behind a handle.
    pub fn get(&self, handle: TextureHandle) -> Option<&LoadedTexture> {
        self.assets.get(handle)
    }

    /// The handle's load state.
    pub fn load_state(&self, handle: TextureHandle) -> LoadState {
        self.assets.load_state(handle)
    }

    /// Adds a set of maps; `None` when one of its handles is stale. A map still loading (or
    /// streamed and not resident) reads as neutral until it is loaded.
    pub fn add_set(&mut self, set: TextureSet) -> Option<TextureSetHandle> {
        let maps = [
            set.base_color,
            set.normal,
            set.metallic_roughness,
            set.emissive,
            set.occlusion,
        ];
        if maps
            .iter()
            .flatten()
            .any(|h| self.load_state(*h) == LoadState::Unloaded)
        {
            return None;
        }
        self.sets.push(set);
        self.sets_version += 1;
        Some(TextureSetHandle((self.sets.len() - 1) as u32))
    }

    /// Every texture set with its handle (the untextured default first).
    pub fn sets(&self) -> impl Iterator<Item = (TextureSetHandle, &TextureSet)> {
        self.sets
            .iter()
            .enumerate()
            .map(|(i, s)| (TextureSetHandle(i as u32), s))
    }

    /// Every texture with its handle.
    pub fn textures(&self) -> impl Iterator<Item = (TextureHandle, &LoadedTexture)> {
        self.assets.iter()
    }

    /// The underlying store.
    pub fn assets(&self) -> &Assets<LoadedTexture> {
        &self.assets
    }

    /// Bumped by every change.
    pub fn version(&self) -> u64 {
        self.assets.version() + self.sets_version
    }
}
