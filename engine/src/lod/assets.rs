//! The LOD chains a game has loaded: each level's mesh goes into [`MeshAssets`] (so the GPU
//! side uploads it like any mesh), and the chain keeps, per level, the mesh handle, the
//! object-space error and the triangle count that LOD selection needs.

use super::{LodBounds, LodChain, LodChainError, LodLevels};
use crate::asset::{AssetError, Assets, Handle, LoadState};
use crate::render::{MeshAssets, MeshError, MeshHandle};

/// A loaded LOD chain: a handle into [`LodAssets`].
pub type LodHandle = Handle<LoadedChain>;

/// One level of a loaded chain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadedLevel {
    /// The level's mesh in [`MeshAssets`].
    pub mesh: MeshHandle,
    /// Object-space geometric error (0 for the finest).
    pub error: f32,
    /// Triangles.
    pub triangles: u32,
}

/// A loaded chain: levels coarse to fine, and the bounds of the finest.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedChain {
    /// Levels, coarse to fine.
    pub levels: Vec<LoadedLevel>,
    /// Bounds of the finest level (every level lies within them up to its error).
    pub bounds: LodBounds,
    /// How many levels have their mesh loaded, a prefix coarse first: all of them for a chain
    /// loaded whole, fewer for a streamed one (LOD selection draws the finest resident level
    /// up to the one it wants; 0 draws nothing yet).
    pub resident: u8,
}

/// Every loaded LOD chain, stored on the world as a resource: an [`Assets<LoadedChain>`] and,
/// per slot, the table LOD selection reads.
///
/// # Example
/// ```
/// use layerw_engine::lod::{LodAssets, LodChain, LodLevel};
/// use layerw_engine::render::{Mesh, MeshAssets};
///
/// let chain = LodChain::new(vec![
///     LodLevel::new(Mesh::sphere(1.0, 8, 4), 0.1),
///     LodLevel::new(Mesh::sphere(1.0, 16, 8), 0.0),
/// ])
/// .unwrap();
/// let (mut meshes, mut lods) = (MeshAssets::default(), LodAssets::default());
/// let sphere = lods.add(chain, &mut meshes).unwrap();
/// assert_eq!(meshes.len(), 2); // one mesh per level
/// lods.remove(sphere, &mut meshes); // unloads the levels' meshes too
/// assert!(meshes.is_empty() && lods.get(sphere).is_none());
/// ```
#[derive(Default)]
pub struct LodAssets {
    chains: Assets<LoadedChain>,
    /// Per slot, what selection reads (errors, triangles, reference radius). A freed slot
    /// keeps its last table until reused: selection indexes by slot, and an entity whose
    /// chain is gone is left alone when its level is written back.
    selection: Vec<LodLevels>,
}

impl LodAssets {
    /// Loads a chain: its levels' meshes are added to `meshes`. A mesh `meshes` refuses
    /// fails the whole chain (the levels added before it are removed again).
    pub fn add(
        &mut self,
        chain: LodChain,
        meshes: &mut MeshAssets,
    ) -> Result<LodHandle, MeshError> {
        let (loaded, selection) = Self::load_levels(chain, meshes)?;
        let handle = self.chains.add(loaded);
        self.set_selection(handle, selection);
        Ok(handle)
    }

    /// Adds a chain whose levels stream: each level's mesh handle is reserved in `meshes`
    /// (loading), nothing is resident, and selection already knows every level's error and
    /// triangles (from a pack's manifest). The streamer fills levels with
    /// [`MeshAssets::insert`] and reports them with [`set_resident`](Self::set_resident).
    ///
    /// Fails with the [`LodLevels::new`] errors for a bad table.
    pub fn add_streamed(
        &mut self,
        errors: &[f32],
        triangles: &[u32],
        bounds: LodBounds,
        meshes: &mut MeshAssets,
    ) -> Result<LodHandle, LodChainError> {
        let selection = LodLevels::new(errors, triangles, bounds.radius)?;
        let levels = errors
            .iter()
            .zip(triangles)
            .map(|(&error, &triangles)| LoadedLevel {
                mesh: meshes.reserve(),
                error,
                triangles,
            })
            .collect();
        let handle = self.chains.add(LoadedChain {
            levels,
            bounds,
            resident: 0,
        });
        self.set_selection(handle, selection);
        Ok(handle)
    }

    /// Sets how many levels of a chain are resident (clamped to its level count); false for a
    /// stale handle.
    pub fn set_resident(&mut self, handle: LodHandle, levels: u8) -> bool {
        let Some(chain) = self.chains.get(handle) else {
            return false;
        };
        let levels = levels.min(chain.levels.len() as u8);
        if chain.resident == levels {
            return true;
        }
        // Through `get_mut` only when it changes: it bumps the store's version.
        if let Some(chain) = self.chains.get_mut(handle) {
            chain.resident = levels;
        }
        true
    }

    /// Reserves a slot in the [`Loading`](LoadState::Loading) state.
    pub fn reserve(&mut self) -> LodHandle {
        self.chains.reserve()
    }

    /// Puts a chain in a live slot, its levels' meshes into `meshes`. A mesh `meshes`
    /// refuses marks the slot failed; a stale handle adds nothing.
    pub fn insert(
        &mut self,
        handle: LodHandle,
        chain: LodChain,
        meshes: &mut MeshAssets,
    ) -> Result<(), MeshError> {
        if self.chains.load_state(handle) == LoadState::Unloaded {
            return Ok(());
        }
        match Self::load_levels(chain, meshes) {
            Ok((loaded, selection)) => {
                if let Ok(Some(old)) = self.chains.insert(handle, loaded) {
                    for level in old.levels {
                        meshes.remove(level.mesh);
                    }
                }
                self.set_selection(handle, selection);
                Ok(())
            }
            Err(e) => {
                let error = AssetError::Decode {
                    path: String::new(),
                    error: e.clone().into(),
                };
                self.chains.fail(handle, error);
                Err(e)
            }
        }
    }

    /// Marks a live slot failed; false when the handle is stale.
    pub fn fail(&mut self, handle: LodHandle, error: AssetError) -> bool {
        self.chains.fail(handle, error)
    }

    /// Unloads a chain and its levels' meshes (from `meshes`, which the renderer then frees
    /// on the GPU); the handle goes stale.
    pub fn remove(&mut self, handle: LodHandle, meshes: &mut MeshAssets) -> Option<LoadedChain> {
        let chain = self.chains.remove(handle)?;
        for level in &chain.levels {
            meshes.remove(level.mesh);
        }
        Some(chain)
    }

    fn load_levels(
        chain: LodChain,
        meshes: &mut MeshAssets,
    ) -> Result<(LoadedChain, LodLevels), MeshError> {
        let bounds = chain.finest().bounds;
        let selection = LodLevels::from_chain(&chain);
        let mut levels = Vec::with_capacity(chain.level_count());
        for level in chain.into_levels() {
            let (error, triangles) = (level.error, level.triangles() as u32);
            match meshes.add(level.mesh) {
                Ok(mesh) => levels.push(LoadedLevel {
                    mesh,
                    error,
                    triangles,
                }),
                Err(e) => {
                    for added in levels {
                        meshes.remove(added.mesh);
                    }
                    return Err(e);
                }
            }
        }
        let resident = levels.len() as u8;
        Ok((
            LoadedChain {
                levels,
                bounds,
                resident,
            },
            selection,
        ))
    }

    fn set_selection(&mut self, handle: LodHandle, selection: LodLevels) {
        let index = handle.index() as usize;
        if self.selection.len() <= index {
            // Slots reserved for loads in flight get a one-level table naming nothing.
            let empty = LodLevels::new(&[0.0], &[0], 0.0).expect("one finite level is valid");
            self.selection.resize(index + 1, empty);
        }
        self.selection[index] = selection;
    }

    /// A loaded chain.
    pub fn get(&self, handle: LodHandle) -> Option<&LoadedChain> {
        self.chains.get(handle)
    }

    /// The handle's load state.
    pub fn load_state(&self, handle: LodHandle) -> LoadState {
        self.chains.load_state(handle)
    }

    /// Every loaded chain with its handle, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (LodHandle, &LoadedChain)> {
        self.chains.iter()
    }

    /// Loaded chains.
    pub fn len(&self) -> usize {
        self.chains.len()
    }

    /// True when no chain is loaded.
    pub fn is_empty(&self) -> bool {
        self.chains.is_empty()
    }

    /// The underlying store.
    pub fn assets(&self) -> &Assets<LoadedChain> {
        &self.chains
    }

    /// Every slot's selection table, by slot index ([`index`](Self::index)): what
    /// [`select_levels`](super::select_levels) and
    /// [`enforce_triangle_budget`](super::enforce_triangle_budget) take as `chains`. Slots
    /// whose chain was removed, or is still loading, keep a table that names no live meshes.
    pub fn selection(&self) -> &[LodLevels] {
        &self.selection
    }

    /// The slot index of a chain in [`selection`](Self::selection) (check the handle is live
    /// with [`get`](Self::get)).
    pub fn index(handle: LodHandle) -> usize {
        handle.index() as usize
    }

    /// The live handle in slot `index`.
    pub fn handle(&self, index: usize) -> Option<LodHandle> {
        self.chains
            .handle_at(u32::try_from(index).ok()?)
            .filter(|h| self.chains.contains(*h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lod::LodLevel;
    use crate::render::Mesh;

    #[test]
    fn loading_a_chain_adds_each_level_as_a_mesh() {
        let levels = vec![
            LodLevel::new(Mesh::sphere(1.0, 8, 4), 0.2),
            LodLevel::new(Mesh::sphere(1.0, 32, 16), 0.0),
        ];
        let chain = LodChain::new(levels).unwrap();
        let mut meshes = MeshAssets::default();
        let mut lods = LodAssets::default();
        let handle = lods.add(chain, &mut meshes).unwrap();
        let loaded = lods.get(handle).unwrap();
        assert_eq!(loaded.levels.len(), 2);
        assert!(loaded.levels[0].triangles < loaded.levels[1].triangles);
        assert_eq!(loaded.levels[0].error, 0.2);
        for level in &loaded.levels {
            assert_eq!(
                meshes.get(level.mesh).unwrap().triangle_count() as u32,
                level.triangles
            );
        }
        assert!((loaded.bounds.radius - 1.0).abs() < 1e-3);
        assert_eq!(lods.handle(0), Some(handle));
        assert_eq!(lods.handle(1), None);
    }

    #[test]
    fn removing_a_chain_unloads_its_meshes_and_reuses_the_slot() {
        let chain = || {
            LodChain::new(vec![
                LodLevel::new(Mesh::sphere(1.0, 8, 4), 0.2),
                LodLevel::new(Mesh::sphere(1.0, 16, 8), 0.0),
            ])
            .unwrap()
        };
        let (mut meshes, mut lods) = (MeshAssets::default(), LodAssets::default());
        let first = lods.add(chain(), &mut meshes).unwrap();
        let level_meshes: Vec<_> = lods
            .get(first)
            .unwrap()
            .levels
            .iter()
            .map(|l| l.mesh)
            .collect();
        assert!(lods.remove(first, &mut meshes).is_some());
        assert!(level_meshes.iter().all(|m| meshes.get(*m).is_none()));
        assert_eq!(lods.handle(0), None);
        assert!(lods.remove(first, &mut meshes).is_none());
        let second = lods.add(chain(), &mut meshes).unwrap();
        assert_eq!(LodAssets::index(second), LodAssets::index(first));
        assert_ne!(second, first);
        assert_eq!(lods.selection().len(), 1);
        assert_eq!(lods.len(), 1);
    }
}
