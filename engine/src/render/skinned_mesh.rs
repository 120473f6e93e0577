//! A skinned mesh: a [`Mesh`] whose every vertex also names up to four joints of a skeleton
//! and how much each moves it (glTF's `JOINTS_0` and `WEIGHTS_0`).

use core::fmt;

use super::{Mesh, MeshError};

/// How far a vertex's weights may sum from 1 (the cook normalises them; quantised sources
/// round).
pub const WEIGHT_SUM_TOLERANCE: f32 = 1e-3;

/// Why a skinned mesh was refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum SkinnedMeshError {
    /// The mesh itself fails [`Mesh::validate`].
    Mesh(MeshError),
    /// The joints or weights list is not one entry per vertex.
    AttributeLength {
        /// `"joints"` or `"weights"`.
        attribute: &'static str,
        /// Its length.
        len: usize,
        /// The vertices.
        vertices: usize,
    },
    /// A vertex's weights are not finite, negative, or do not sum to 1
    /// (within [`WEIGHT_SUM_TOLERANCE`]).
    BadWeights {
        /// The vertex.
        vertex: usize,
    },
    /// A vertex names a joint the skeleton does not have (with a non-zero weight or not: the
    /// shader reads the matrix either way).
    JointOutOfRange {
        /// The vertex.
        vertex: usize,
        /// The joint it names.
        joint: u16,
        /// The skeleton's joints.
        joints: usize,
    },
}

impl fmt::Display for SkinnedMeshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkinnedMeshError::Mesh(e) => write!(f, "{e}"),
            SkinnedMeshError::AttributeLength {
                attribute,
                len,
                vertices,
            } => write!(f, "{len} {attribute} for {vertices} vertices"),
            SkinnedMeshError::BadWeights { vertex } => write!(
                f,
                "vertex {vertex}'s weights are not finite, non-negative and summing to 1"
            ),
            SkinnedMeshError::JointOutOfRange {
                vertex,
                joint,
                joints,
            } => write!(
                f,
                "vertex {vertex} names joint {joint} of a skeleton of {joints} joints"
            ),
        }
    }
}

impl std::error::Error for SkinnedMeshError {}

/// A mesh bound to a skeleton: per vertex, four joint indices and their weights.
///
/// # Example
/// ```
/// use layerw_engine::render::{Mesh, SkinnedMesh};
///
/// let cube = Mesh::cube(1.0);
/// let n = cube.positions.len();
/// let skinned = SkinnedMesh {
///     mesh: cube,
///     joints: vec![[0, 1, 0, 0]; n],
///     weights: vec![[0.75, 0.25, 0.0, 0.0]; n],
/// };
/// skinned.validate(2).unwrap();
/// assert!(skinned.validate(1).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SkinnedMesh {
    /// Its vertices in bind pose, and its triangles.
    pub mesh: Mesh,
    /// Per vertex, the four joints (indices into the skeleton) that move it.
    pub joints: Vec<[u16; 4]>,
    /// Per vertex, each joint's share of its movement: non-negative, summing to 1.
    pub weights: Vec<[f32; 4]>,
}

impl SkinnedMesh {
    /// Checks the mesh ([`Mesh::validate`]), one joint set and weight set per vertex, weights
    /// that sum to 1, and joints under `joint_count` (the skeleton it is drawn with).
    pub fn validate(&self, joint_count: usize) -> Result<(), SkinnedMeshError> {
        self.mesh.validate().map_err(SkinnedMeshError::Mesh)?;
        let vertices = self.mesh.positions.len();
        for (attribute, len) in [
            ("joints", self.joints.len()),
            ("weights", self.weights.len()),
        ] {
            if len != vertices {
                return Err(SkinnedMeshError::AttributeLength {
                    attribute,
                    len,
                    vertices,
                });
            }
        }
        for (vertex, (joints, weights)) in self.joints.iter().zip(&self.weights).enumerate() {
            let sane = weights.iter().all(|w| w.is_finite() && *w >= 0.0);
            if !sane || (weights.iter().sum::<f32>() - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
                return Err(SkinnedMeshError::BadWeights { vertex });
            }
            if let Some(&joint) = joints.iter().find(|&&j| usize::from(j) >= joint_count) {
                return Err(SkinnedMeshError::JointOutOfRange {
                    vertex,
                    joint,
                    joints: joint_count,
                });
            }
        }
        Ok(())
    }

    /// The largest joint index a vertex names, plus one: the fewest joints a skeleton drawing
    /// it needs (0 for a mesh without vertices).
    pub fn joints_needed(&self) -> usize {
        self.joints
            .iter()
            .flatten()
            .map(|&j| usize::from(j) + 1)
            .max()
            .unwrap_or(0)
    }
}
