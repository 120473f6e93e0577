//! Skinned meshes on their way to the GPU: a store of skinned meshes ([`SkinnedMeshes`], a
//! resource the renderer uploads from) and a frame's skinned draws ([`SkinnedFrame`]), kept
//! apart from the instanced batches: each skinned entity is one draw with its own joints,
//! drawn with its material's [`Surface`] (alpha mask, blending, double-sided) as the static
//! batches are.

use core::ops::Range;

use glam::{Mat4, Vec3};

use super::{CameraView, SkinnedMesh, SkinnedMeshError, Surface, TextureSetHandle};

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

/// A skinned draw's material: its index in the material table and the surface it is drawn
/// as (from the material's alpha mode and sidedness: [`Surface::of`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SkinnedMaterial {
    /// The index in the material table.
    pub index: u32,
    /// How it is drawn: culling, alpha test, blending.
    pub surface: Surface,
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
    /// Its material's surface: what picks its pipelines and, when blended, its place among
    /// the blended draws ([`SkinnedFrame::draw_order`]).
    pub surface: Surface,
    /// The entity's origin in the world: the point blended draws are sorted by, as instanced
    /// ones are by their instance's origin.
    pub origin: Vec3,
    /// Its joints: a range of [`SkinnedFrame::joints`].
    pub joints: Range<u32>,
    /// Drawn into the shadow map too (never for a blended surface, which casts no shadow).
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

    /// Adds a draw of `mesh` with `material` placed at `world`, with skinning matrices
    /// `joints` (one per joint, in the skeleton's space). Joints past [`MAX_GPU_JOINTS`] are
    /// dropped (the mesh cannot name them: [`SkinnedMeshes::add`] checks). A blended
    /// material's draw casts no shadow, whatever `casts_shadows` says.
    pub fn push(
        &mut self,
        mesh: SkinnedMeshHandle,
        textures: TextureSetHandle,
        material: SkinnedMaterial,
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
            material: material.index,
            surface: material.surface,
            origin: world.transform_point3(Vec3::ZERO),
            joints: start..self.joints.len() as u32,
            casts_shadows: casts_shadows && !material.surface.is_blended(),
        });
    }

    /// The order to draw [`draws`](Self::draws) in, as indices: the unblended ones first, in
    /// the order pushed, then the blended ones back to front (farthest origin first along
    /// `camera`'s view; equal depths keep the order pushed), which is what blending over what
    /// is behind needs.
    pub fn draw_order(&self, camera: &CameraView) -> Vec<usize> {
        let blended = |i: &usize| self.draws[*i].surface.is_blended();
        let mut order: Vec<usize> = (0..self.draws.len()).filter(|i| !blended(i)).collect();
        let first_blended = order.len();
        order.extend((0..self.draws.len()).filter(blended));
        // View space looks down -Z: the distance along the view axis is -z.
        let depth = |i: usize| -camera.view.transform_point3(self.draws[i].origin).z;
        // Stable, so equal depths keep their order (the same frame every time).
        order[first_blended..].sort_by(|&a, &b| depth(b).total_cmp(&depth(a)));
        order
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
        let material = |index| SkinnedMaterial {
            index,
            surface: Surface::OPAQUE,
        };
        frame.push(
            handle,
            TextureSetHandle::default(),
            material(2),
            world,
            &[lift, lift],
            true,
        );
        frame.push(
            handle,
            TextureSetHandle::default(),
            material(3),
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
    fn blended_draws_come_last_back_to_front_and_cast_no_shadow() {
        use crate::render::AlphaMode;
        let mut frame = SkinnedFrame::default();
        let glass = Surface::new(AlphaMode::Blend, false);
        let fence = Surface::new(AlphaMode::Mask, true);
        // (surface, z of the origin); the camera at z = 10 looks down -Z.
        let draws = [
            (glass, 2.0),
            (Surface::OPAQUE, 0.0),
            (glass, -3.0),
            (fence, 1.0),
            (glass, 2.0),
            (glass, 5.0),
        ];
        for (i, (surface, z)) in draws.into_iter().enumerate() {
            frame.push(
                SkinnedMeshHandle(0),
                TextureSetHandle::default(),
                SkinnedMaterial {
                    index: i as u32,
                    surface,
                },
                Mat4::from_translation(Vec3::new(1.0, 0.0, z)),
                &[Mat4::IDENTITY],
                true,
            );
        }
        let camera =
            CameraView::look_at(Vec3::new(0.0, 0.0, 10.0), Vec3::ZERO, 1.0, 1.0, 0.1, 50.0);
        // Unblended in the order pushed, then the blended: z -3 (farthest), the two at z 2
        // in the order pushed, then z 5.
        assert_eq!(frame.draw_order(&camera), [1, 3, 2, 0, 4, 5]);
        assert_eq!(frame.draws[3].surface, fence);
        assert_eq!(frame.draws[5].origin, Vec3::new(1.0, 0.0, 5.0));
        let casting: Vec<bool> = frame.draws.iter().map(|d| d.casts_shadows).collect();
        assert_eq!(casting, [false, true, false, true, false, false]);
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
