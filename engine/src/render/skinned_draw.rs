//! Skinned meshes on their way to the GPU: a store of skinned meshes ([`SkinnedMeshes`], a
//! resource the renderer uploads from) and a frame's skinned draws ([`SkinnedFrame`]), kept
//! apart from the instanced batches: each skinned entity is one draw with its own joints.

use core::ops::Range;

use glam::{Mat4, Vec3};

use super::{SkinnedMesh, SkinnedMeshError, TextureSetHandle};

/// The most joints one skinned draw may use: its joint matrices (three rows of four floats
/// each, 48 bytes) and a 16-byte header fit one 12,288-byte uniform block, under WebGL2's
/// 16 KiB uniform binding minimum.
pub const MAX_GPU_JOINTS: usize = 255;
/// The most skinned draws a frame holds (each gets a 12,288-byte slot of a fixed uniform
/// buffer); more are skipped and counted in
/// [`FrameStats::skipped_batches`](super::FrameStats::skipped_batches).
pub const MAX_SKINNED_DRAWS: usize = 64;

/// A skinned mesh in [`SkinnedMeshes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SkinnedMeshHandle(pub(crate) u32);

/// The skinned meshes a world draws (a resource): added once, uploaded by the renderer.
#[derive(Clone, Debug, Default)]
pub struct SkinnedMeshes {
    meshes: Vec<SkinnedMesh>,
    /// Each mesh's bind-pose bounding sphere, made once when it is added.
    bounds: Vec<(Vec3, f32)>,
}

impl SkinnedMeshes {
    /// Adds a skinned mesh after checking it ([`SkinnedMesh::validate`] against the joints
    /// it names, at most [`MAX_GPU_JOINTS`]).
    pub fn add(&mut self, mesh: SkinnedMesh) -> Result<SkinnedMeshHandle, SkinnedMeshError> {
        mesh.validate(MAX_GPU_JOINTS)?;
        self.bounds.push(mesh.mesh.bounding_sphere());
        self.meshes.push(mesh);
        Ok(SkinnedMeshHandle(self.meshes.len() as u32 - 1))
    }

    /// A mesh by handle.
    pub fn get(&self, handle: SkinnedMeshHandle) -> Option<&SkinnedMesh> {
        self.meshes.get(handle.0 as usize)
    }

    /// A mesh's bounding sphere (centre, radius) in its bind pose, object space.
    pub fn bounds(&self, handle: SkinnedMeshHandle) -> Option<(Vec3, f32)> {
        self.bounds.get(handle.0 as usize).copied()
    }

    /// How many meshes were added: what the renderer compares to upload the new ones.
    pub fn len(&self) -> usize {
        self.meshes.len()
    }

    /// True when none was added.
    pub fn is_empty(&self) -> bool {
        self.meshes.is_empty()
    }

    /// Every mesh with its handle, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = (SkinnedMeshHandle, &SkinnedMesh)> {
        self.meshes
            .iter()
            .enumerate()
            .map(|(i, m)| (SkinnedMeshHandle(i as u32), m))
    }
}

/// One skinned entity's draw.
#[derive(Clone, Debug, PartialEq)]
pub struct SkinnedDraw {
    /// The mesh.
    pub mesh: SkinnedMeshHandle,
    /// Its texture maps (the default: none).
    pub textures: TextureSetHandle,
    /// Its material's index in the material table.
    pub material: u32,
    /// Its joints: a range of [`SkinnedFrame::joints`].
    pub joints: Range<u32>,
    /// Drawn into the shadow map too.
    pub casts_shadows: bool,
}

/// A frame's skinned draws and their joints, each joint's skinning matrix already in world
/// space (the entity's world transform times its joint matrix), as the three rows of its
/// affine part: what the vertex shader blends.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SkinnedFrame {
    /// The draws.
    pub draws: Vec<SkinnedDraw>,
    /// Every draw's joints, back to back.
    pub joints: Vec<[[f32; 4]; 3]>,
}

/// What [`SkinnedFrame::none`] lends.
static NO_SKINNED_DRAWS: SkinnedFrame = SkinnedFrame {
    draws: Vec::new(),
    joints: Vec::new(),
};

impl SkinnedFrame {
    /// An empty frame to lend: what a [`FrameDesc`](super::FrameDesc) without skinned
    /// entities points at.
    pub fn none() -> &'static SkinnedFrame {
        &NO_SKINNED_DRAWS
    }

    /// Empties the frame, keeping its capacity.
    pub fn clear(&mut self) {
        self.draws.clear();
        self.joints.clear();
    }

    /// Adds a draw of `mesh` placed at `world`, with skinning matrices `joints` (one per joint,
    /// in the skeleton's space). Joints past [`MAX_GPU_JOINTS`] are dropped (the mesh cannot
    /// name them: [`SkinnedMeshes::add`] checks).
    pub fn push(
        &mut self,
        mesh: SkinnedMeshHandle,
        textures: TextureSetHandle,
        material: u32,
        world: Mat4,
        joints: &[Mat4],
        casts_shadows: bool,
    ) {
        let start = self.joints.len() as u32;
        self.joints.extend(
            joints
                .iter()
                .take(MAX_GPU_JOINTS)
                .map(|m| affine_rows(world * *m)),
        );
        self.draws.push(SkinnedDraw {
            mesh,
            textures,
            material,
            joints: start..self.joints.len() as u32,
            casts_shadows,
        });
    }
}

/// The first three rows of a matrix (its last row of an affine transform is 0, 0, 0, 1).
fn affine_rows(m: Mat4) -> [[f32; 4]; 3] {
    [
        m.row(0).to_array(),
        m.row(1).to_array(),
        m.row(2).to_array(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Mesh;
    use glam::Vec3;

    #[test]
    fn pushed_joints_are_world_space_rows() {
        let mut frame = SkinnedFrame::default();
        let world = Mat4::from_translation(Vec3::new(5.0, 0.0, 0.0));
        let lift = Mat4::from_translation(Vec3::Y);
        let handle = SkinnedMeshHandle(0);
        frame.push(
            handle,
            TextureSetHandle::default(),
            2,
            world,
            &[lift, lift],
            true,
        );
        frame.push(
            handle,
            TextureSetHandle::default(),
            3,
            world,
            &[lift],
            false,
        );
        assert_eq!(frame.draws[1].joints, 2..3);
        // Row 0 carries the x translation, row 1 the y.
        assert_eq!(frame.joints[0][0], [1.0, 0.0, 0.0, 5.0]);
        assert_eq!(frame.joints[0][1], [0.0, 1.0, 0.0, 1.0]);
        frame.clear();
        assert!(frame.draws.is_empty() && frame.joints.is_empty());
    }

    #[test]
    fn the_store_refuses_meshes_naming_joints_the_gpu_cannot_hold() {
        let cube = Mesh::cube(1.0);
        let n = cube.positions.len();
        let mut store = SkinnedMeshes::default();
        let too_far = SkinnedMesh {
            mesh: cube.clone(),
            joints: vec![[MAX_GPU_JOINTS as u16, 0, 0, 0]; n],
            weights: vec![[1.0, 0.0, 0.0, 0.0]; n],
        };
        assert!(store.add(too_far).is_err());
        let fine = SkinnedMesh {
            mesh: cube,
            joints: vec![[MAX_GPU_JOINTS as u16 - 1, 0, 0, 0]; n],
            weights: vec![[1.0, 0.0, 0.0, 0.0]; n],
        };
        assert_eq!(store.add(fine), Ok(SkinnedMeshHandle(0)));
        assert_eq!(store.len(), 1);
    }
}
