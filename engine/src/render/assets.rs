//! The meshes and materials a game has loaded, on the CPU: handles are given out here, at once,
//! and the GPU side uploads whatever it has not seen whenever it is ready (which, in the
//! browser, is some frames after the app starts).

use super::{MAX_MATERIALS, MaterialParams, Mesh, MeshError, MeshHandle, TextureImage};

struct Slot {
    generation: u32,
    mesh: Option<Mesh>,
    /// The mesh's bounding sphere (centre, radius), kept for culling.
    bounds: (glam::Vec3, f32),
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
/// assert_eq!(meshes.bounds(cube).unwrap().1, 3f32.sqrt() / 2.0); // the sphere round the cube
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
                    bounds: (glam::Vec3::ZERO, 0.0),
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.generation += 1;
        slot.bounds = mesh.bounding_sphere();
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

    /// The bounding sphere (object-space centre, radius) of a live mesh: what culling tests.
    pub fn bounds(&self, handle: MeshHandle) -> Option<(glam::Vec3, f32)> {
        self.slots
            .get(handle.index as usize)
            .filter(|s| s.generation == handle.generation && s.mesh.is_some())
            .map(|s| s.bounds)
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

/// A texture: index and generation (the default handle names nothing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextureHandle {
    index: u32,
    generation: u32,
}

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

struct TextureSlot {
    generation: u32,
    texture: Option<LoadedTexture>,
}

/// Every loaded texture and texture set, stored on the world as a resource.
pub struct TextureAssets {
    slots: Vec<TextureSlot>,
    sets: Vec<TextureSet>,
    version: u64,
}

impl Default for TextureAssets {
    fn default() -> Self {
        TextureAssets {
            slots: Vec::new(),
            sets: vec![TextureSet::default()],
            version: 0,
        }
    }
}

impl TextureAssets {
    /// Adds a texture: capped to 1024 px (2048 when `critical`) and mipmapped.
    pub fn add(&mut self, image: &TextureImage, srgb: bool, critical: bool) -> TextureHandle {
        let texture = LoadedTexture {
            mips: image.mip_chain(critical),
            srgb,
        };
        self.slots.push(TextureSlot {
            generation: 1,
            texture: Some(texture),
        });
        self.version += 1;
        TextureHandle {
            index: (self.slots.len() - 1) as u32,
            generation: 1,
        }
    }

    /// The texture behind a handle.
    pub fn get(&self, handle: TextureHandle) -> Option<&LoadedTexture> {
        self.slots
            .get(handle.index as usize)
            .filter(|s| s.generation == handle.generation)
            .and_then(|s| s.texture.as_ref())
    }

    /// Adds a set of maps; `None` when one of its handles names no texture.
    pub fn add_set(&mut self, set: TextureSet) -> Option<TextureSetHandle> {
        let maps = [
            set.base_color,
            set.normal,
            set.metallic_roughness,
            set.emissive,
            set.occlusion,
        ];
        if maps.iter().flatten().any(|h| self.get(*h).is_none()) {
            return None;
        }
        self.sets.push(set);
        self.version += 1;
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
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.texture.as_ref().map(|t| {
                (
                    TextureHandle {
                        index: i as u32,
                        generation: s.generation,
                    },
                    t,
                )
            })
        })
    }

    /// Bumped by every change.
    pub fn version(&self) -> u64 {
        self.version
    }
}
