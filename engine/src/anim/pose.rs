//! A joint's local transform and the blending of two poses.

use glam::{Mat4, Quat, Vec3};

/// A joint's transform relative to its parent: what animation channels write.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JointPose {
    /// Translation.
    pub translation: Vec3,
    /// Rotation, a unit quaternion.
    pub rotation: Quat,
    /// Per-axis scale.
    pub scale: Vec3,
}

impl JointPose {
    /// No translation, rotation or scaling.
    pub const IDENTITY: JointPose = JointPose {
        translation: Vec3::ZERO,
        rotation: Quat::IDENTITY,
        scale: Vec3::ONE,
    };

    /// The pose as a matrix: translation * rotation * scale (glTF's order).
    pub fn to_mat4(&self) -> Mat4 {
        Mat4::from_scale_rotation_translation(self.scale, self.rotation, self.translation)
    }

    /// `self` moved towards `other` by `weight` (0: `self`, 1: `other`): translation and scale
    /// interpolated linearly, rotation along the shorter arc (normalised linear interpolation
    /// would speed up mid-way; slerp does not).
    pub fn blend(&self, other: &JointPose, weight: f32) -> JointPose {
        JointPose {
            translation: self.translation.lerp(other.translation, weight),
            rotation: self.rotation.slerp(other.rotation, weight).normalize(),
            scale: self.scale.lerp(other.scale, weight),
        }
    }
}

impl Default for JointPose {
    fn default() -> Self {
        Self::IDENTITY
    }
}

/// Writes `a` blended towards `b` by `weight` into `out`, joint by joint (the shortest of the
/// three slices decides how many).
pub fn blend_poses(a: &[JointPose], b: &[JointPose], weight: f32, out: &mut [JointPose]) {
    for ((out, a), b) in out.iter_mut().zip(a).zip(b) {
        *out = a.blend(b, weight);
    }
}
