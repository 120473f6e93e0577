//! The meshes and materials a game has loaded, on the CPU: handles are given out here, at once,
//! and the GPU side uploads whatever it has not seen whenever it is ready (which, in the
//! browser, is some frames after the app starts).

use super::{MAX_MATERIALS, MaterialParams, Mesh, MeshError, MeshHandle};

struct Slot {
    generation: u32,
    mesh: Option<Mesh>,
}

/// Every loaded mesh, stored on the world as a resource.
///
/// # Example
/// ```
/// use layerw_engine::render::{Mesh, MeshAssets};
///
/// let mut meshes = MeshAssets::default();
/// let cube = meshes.add(Mesh::cube(1.0)).unwrap();
/// assert!(meshes.get(cube).is_some());
/// meshes.remove(cube);
/// assert!(meshes.get(cube).is_none());
/// let again = meshes.add(Mesh::cube(2.0)).unwrap();
/// assert_ne!(again, cube); // the slot is reused with a new generation
/// ```
#[derive(Default)]
pub struct MeshAssets {
    slots: Vec<Slot>,
    free: Vec<u32>,
    version: u64,
}

impl MeshAssets {
    /// Adds a mesh after validating it.
    pub fn add(&mut self, mesh: Mesh) -> Result<MeshHandle, MeshError> {
        mesh.validate()?;
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    mesh: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.generation += 1;
        slot.mesh = Some(mesh);
        self.version += 1;
        Ok(MeshHandle {
            index,
            generation: slot.generation,
        })
    }

    /// Removes a mesh; its handle goes stale. Returns it, if the handle was live.
    pub fn remove(&mut self, handle: MeshHandle) -> Option<Mesh> {
        let slot = self
            .slots
            .get_mut(handle.index as usize)
            .filter(|s| s.generation == handle.generation)?;
        let mesh = slot.mesh.take()?;
        self.free.push(handle.index);
        self.version += 1;
        Some(mesh)
    }

    /// The mesh behind a live handle.
    pub fn get(&self, handle: MeshHandle) -> Option<&Mesh> {
        self.slots
            .get(handle.index as usize)
            .filter(|s| s.generation == handle.generation)
            .and_then(|s| s.mesh.as_ref())
    }

    /// Every live mesh with its handle.
    pub fn iter(&self) -> impl Iterator<Item = (MeshHandle, &Mesh)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.mesh.as_ref().map(|m| {
                (
                    MeshHandle {
                        index: i as u32,
                        generation: s.generation,
                    },
                    m,
                )
            })
        })
    }

    /// Bumped by every add and remove: the GPU side syncs when it changes.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// The material table, stored on the world as a resource (instances name materials by index).
#[derive(Clone, Debug, PartialEq)]
pub struct Materials {
    items: Vec<MaterialParams>,
    version: u64,
}

impl Default for Materials {
    /// One default material.
    fn default() -> Self {
        Materials {
            items: vec![MaterialParams::default()],
            version: 1,
        }
    }
}

impl Materials {
    /// Appends a material and returns its index, or `None` when the table (of
    /// [`MAX_MATERIALS`]) is full.
    pub fn add(&mut self, material: MaterialParams) -> Option<u16> {
        if self.items.len() >= MAX_MATERIALS {
            return None;
        }
        self.items.push(material);
        self.version += 1;
        Some((self.items.len() - 1) as u16)
    }

    /// Replaces the table; `None` (and no change) when it has more than [`MAX_MATERIALS`].
    pub fn set(&mut self, items: Vec<MaterialParams>) -> Option<()> {
        if items.len() > MAX_MATERIALS {
            return None;
        }
        self.items = items;
        self.version += 1;
        Some(())
    }

    /// The materials, by index.
    pub fn items(&self) -> &[MaterialParams] {
        &self.items
    }

    /// Bumped by every change.
    pub fn version(&self) -> u64 {
        self.version
    }
}
