//! The LOD chains a game has loaded: each level's mesh goes into [`MeshAssets`] (so the GPU
//! side uploads it like any mesh), and the chain keeps, per level, the mesh handle, the
//! object-space error and the triangle count that LOD selection needs.

use super::{LodBounds, LodChain, LodLevels};
use crate::render::{MeshAssets, MeshError, MeshHandle};

/// A loaded LOD chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LodHandle(pub(crate) u32);

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
}

/// Every loaded LOD chain, stored on the world as a resource.
#[derive(Default)]
pub struct LodAssets {
    chains: Vec<LoadedChain>,
    /// Per chain, what selection reads (errors, triangles, reference radius), in handle order.
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
        self.chains.push(LoadedChain { levels, bounds });
        self.selection.push(selection);
        Ok(LodHandle((self.chains.len() - 1) as u32))
    }

    /// A loaded chain.
    pub fn get(&self, handle: LodHandle) -> Option<&LoadedChain> {
        self.chains.get(handle.0 as usize)
    }

    /// Every loaded chain, in handle order (handle `i` is the `i`-th).
    pub fn chains(&self) -> &[LoadedChain] {
        &self.chains
    }

    /// Every chain's selection table, in handle order: what
    /// [`select_levels`](super::select_levels) and
    /// [`enforce_triangle_budget`](super::enforce_triangle_budget) take as `chains`.
    pub fn selection(&self) -> &[LodLevels] {
        &self.selection
    }

    /// The index of a chain in [`chains`](Self::chains) and [`selection`](Self::selection).
    pub fn index(handle: LodHandle) -> usize {
        handle.0 as usize
    }

    /// The handle of the `index`-th chain.
    pub fn handle(&self, index: usize) -> Option<LodHandle> {
        (index < self.chains.len()).then_some(LodHandle(index as u32))
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
}
