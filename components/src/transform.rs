//! The transform: translation, rotation and scale together.

use glam::{Mat4, Quat, Vec3};

/// An entity's placement: scale, then rotation, then translation.
///
/// Not `Pod`: `Quat` is 16-byte aligned, so the struct has padding. GPU instance data uses its
/// own compact layout built from this.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transform {
    /// World-space translation, in metres.
    pub translation: Vec3,
    /// Orientation, a unit quaternion.
    pub rotation: Quat,
    /// Per-axis scale.
    pub scale: Vec3,
}

impl Default for Transform {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl Transform {
    /// No translation, no rotation, unit scale.
    pub const IDENTITY: Transform = Transform {
        translation: Vec3::ZERO,
        rotation: Quat::IDENTITY,
        scale: Vec3::ONE,
    };

    /// A pure translation.
    pub fn from_translation(translation: Vec3) -> Self {
        Self {
            translation,
            ..Self::IDENTITY
        }
    }

    /// A pure rotation.
    pub fn from_rotation(rotation: Quat) -> Self {
        Self {
            rotation,
            ..Self::IDENTITY
        }
    }

    /// The same transform with `scale`.
    pub fn with_scale(self, scale: Vec3) -> Self {
        Self { scale, ..self }
    }

    /// This transform turned so its forward axis (-Z) points at `target`, with +Y up (a
    /// target straight above or below keeps the current rotation).
    pub fn looking_at(self, target: Vec3) -> Self {
        let back = (self.translation - target).normalize_or_zero();
        let right = Vec3::Y.cross(back).normalize_or_zero();
        if back == Vec3::ZERO || right == Vec3::ZERO {
            return self;
        }
        let up = back.cross(right);
        Self {
            rotation: Quat::from_mat3(&glam::Mat3::from_cols(right, up, back)),
            ..self
        }
    }

    /// The matrix mapping local to world space (scale, then rotate, then translate).
    pub fn to_matrix(&self) -> Mat4 {
        Mat4::from_scale_rotation_translation(self.scale, self.rotation, self.translation)
    }

    /// Maps a local-space point to world space.
    #[inline]
    pub fn transform_point(&self, point: Vec3) -> Vec3 {
        self.rotation * (point * self.scale) + self.translation
    }

    /// Maps a local bounding sphere (centre, radius) to a world one that holds it: the radius
    /// grows by the largest scale axis.
    #[inline]
    pub fn transform_sphere(&self, center: Vec3, radius: f32) -> (Vec3, f32) {
        (
            self.transform_point(center),
            radius * self.scale.abs().max_element(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_matches_transform_point() {
        let t = Transform {
            translation: Vec3::new(1.0, -2.0, 3.0),
            rotation: Quat::from_rotation_z(core::f32::consts::FRAC_PI_2),
            scale: Vec3::new(2.0, 1.0, 1.0),
        };
        let p = Vec3::new(1.0, 0.0, 0.0);
        let a = t.to_matrix().transform_point3(p);
        let b = t.transform_point(p);
        assert!(a.abs_diff_eq(b, 1e-5), "{a} vs {b}");
        assert!(b.abs_diff_eq(Vec3::new(1.0, 0.0, 3.0), 1e-5), "{b}");
    }

    #[test]
    fn identity_matrix() {
        assert_eq!(Transform::default().to_matrix(), Mat4::IDENTITY);
    }
}

/// This entity's transform is relative to another entity's (its parent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parent(pub layerw_engine::ecs::Entity);

/// The world-space transform, computed from [`Transform`] and the [`Parent`] chain by the
/// `propagate_transforms` system; the renderer draws with it when present.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GlobalTransform(pub Transform);

impl Transform {
    /// `self` applied after `local`: a child's world transform from its parent's (`self`) and
    /// its own local one. Exact for uniform scales (non-uniform scales under rotation shear,
    /// which a translation-rotation-scale transform cannot hold).
    pub fn mul_transform(&self, local: &Transform) -> Transform {
        Transform {
            translation: self.transform_point(local.translation),
            rotation: self.rotation * local.rotation,
            scale: self.scale * local.scale,
        }
    }
}
