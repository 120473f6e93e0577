//! A skeleton: joints with parents, rest poses and inverse bind matrices, and the joint
//! matrices a skinned mesh is drawn with.

use core::fmt;

use glam::Mat4;

use super::JointPose;

/// Why a skeleton was refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum SkeletonError {
    /// The per-joint lists differ in length.
    LengthMismatch {
        /// Parents given.
        parents: usize,
        /// Inverse bind matrices given.
        inverse_binds: usize,
        /// Rest poses given.
        rest: usize,
    },
    /// A joint's parent is not a joint listed before it (so every parent's matrix is computed
    /// before its children's, and there is no cycle).
    ParentNotBefore {
        /// The joint.
        joint: usize,
        /// Its parent.
        parent: u32,
    },
    /// An inverse bind matrix or rest pose is not finite.
    NonFinite {
        /// The joint.
        joint: usize,
    },
}

impl fmt::Display for SkeletonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkeletonError::LengthMismatch {
                parents,
                inverse_binds,
                rest,
            } => write!(
                f,
                "{parents} parents, {inverse_binds} inverse bind matrices and {rest} rest poses"
            ),
            SkeletonError::ParentNotBefore { joint, parent } => {
                write!(f, "joint {joint}'s parent {parent} is not listed before it")
            }
            SkeletonError::NonFinite { joint } => write!(f, "joint {joint} is not finite"),
        }
    }
}

impl std::error::Error for SkeletonError {}

/// Joints in parent-first order: each joint's parent (if any) comes before it.
#[derive(Clone, Debug, PartialEq)]
pub struct Skeleton {
    parents: Vec<Option<u32>>,
    inverse_binds: Vec<Mat4>,
    rest: Vec<JointPose>,
}

impl Skeleton {
    /// A skeleton of `parents.len()` joints: each joint's parent (an earlier joint) or `None`
    /// for a root, the inverse of each joint's world transform when the mesh was bound, and
    /// each joint's rest pose (its local transform when no clip drives it).
    pub fn new(
        parents: Vec<Option<u32>>,
        inverse_binds: Vec<Mat4>,
        rest: Vec<JointPose>,
    ) -> Result<Skeleton, SkeletonError> {
        if parents.len() != inverse_binds.len() || parents.len() != rest.len() {
            return Err(SkeletonError::LengthMismatch {
                parents: parents.len(),
                inverse_binds: inverse_binds.len(),
                rest: rest.len(),
            });
        }
        for (joint, parent) in parents.iter().enumerate() {
            if let Some(parent) = *parent
                && parent as usize >= joint
            {
                return Err(SkeletonError::ParentNotBefore { joint, parent });
            }
        }
        for (joint, (m, r)) in inverse_binds.iter().zip(&rest).enumerate() {
            let finite = m.is_finite()
                && r.translation.is_finite()
                && r.rotation.is_finite()
                && r.scale.is_finite();
            if !finite {
                return Err(SkeletonError::NonFinite { joint });
            }
        }
        Ok(Skeleton {
            parents,
            inverse_binds,
            rest,
        })
    }

    /// How many joints.
    pub fn joint_count(&self) -> usize {
        self.parents.len()
    }

    /// Each joint's parent.
    pub fn parents(&self) -> &[Option<u32>] {
        &self.parents
    }

    /// Each joint's inverse bind matrix.
    pub fn inverse_binds(&self) -> &[Mat4] {
        &self.inverse_binds
    }

    /// The rest pose: what a clip's sampling starts from.
    pub fn rest_pose(&self) -> &[JointPose] {
        &self.rest
    }

    /// The skinning matrices of `poses` (one per joint; missing ones take the rest pose):
    /// each joint's world transform in the skeleton's space (its parents' applied) times its
    /// inverse bind matrix, written into `out` (cleared first; its capacity is reused).
    pub fn joint_matrices(&self, poses: &[JointPose], out: &mut Vec<Mat4>) {
        out.clear();
        let mut world: Vec<Mat4> = Vec::with_capacity(self.parents.len());
        for (joint, parent) in self.parents.iter().enumerate() {
            let local = poses.get(joint).unwrap_or(&self.rest[joint]).to_mat4();
            // Parents come first (checked in `new`): their world matrix is there.
            let global = match parent {
                Some(p) => world[*p as usize] * local,
                None => local,
            };
            world.push(global);
            out.push(global * self.inverse_binds[joint]);
        }
    }
}
