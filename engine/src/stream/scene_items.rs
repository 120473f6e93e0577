//! What a content pack places in its world besides entities: punctual lights
//! (`KHR_lights_punctual`) and cameras, each with a world transform.

use glam::{Mat4, Quat, Vec3};

/// What kind of light a [`PackLight`] is. Every light shines down its local -Z axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PackLightKind {
    /// Parallel rays, like the sun (`intensity` in lux).
    Directional,
    /// From a point in every direction (`intensity` in candela).
    Point,
    /// From a point inside a cone (`intensity` in candela): full inside `inner_cone`, fading
    /// to nothing at `outer_cone` (half-angles in radians, `0 <= inner < outer <= pi/2`).
    Spot {
        /// Half-angle of the fully lit cone.
        inner_cone: f32,
        /// Half-angle past which nothing is lit.
        outer_cone: f32,
    },
}

/// A punctual light placed in the world.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PackLight {
    /// Directional, point or spot.
    pub kind: PackLightKind,
    /// Linear RGB colour.
    pub color: Vec3,
    /// Brightness (lux for directional lights, candela for the others).
    pub intensity: f32,
    /// Distance past which a point or spot light lights nothing (`None`: no limit, the
    /// inverse-square falloff alone).
    pub range: Option<f32>,
    /// World position.
    pub translation: Vec3,
    /// World orientation: the light shines down `rotation * -Z`.
    pub rotation: Quat,
}

impl PackLight {
    /// The direction the light shines in, world space.
    pub fn direction(&self) -> Vec3 {
        self.rotation * Vec3::NEG_Z
    }
}

/// A camera's projection (glTF's camera types).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PackProjection {
    /// Perspective.
    Perspective {
        /// Vertical field of view in radians, in `(0, pi)`.
        y_fov: f32,
        /// Width over height; `None`: the viewport's.
        aspect_ratio: Option<f32>,
        /// Near plane distance (positive).
        z_near: f32,
        /// Far plane distance; `None`: infinite.
        z_far: Option<f32>,
    },
    /// Orthographic.
    Orthographic {
        /// Half the view's width.
        x_mag: f32,
        /// Half the view's height.
        y_mag: f32,
        /// Near plane distance (at least 0).
        z_near: f32,
        /// Far plane distance (past `z_near`).
        z_far: f32,
    },
}

/// A camera placed in the world: it looks down its local -Z axis, +Y up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PackCamera {
    /// Its projection.
    pub projection: PackProjection,
    /// World position.
    pub translation: Vec3,
    /// World orientation.
    pub rotation: Quat,
}

impl PackCamera {
    /// World to view: the inverse of the camera's rigid world transform.
    pub fn view(&self) -> Mat4 {
        Mat4::from_rotation_translation(self.rotation, self.translation).inverse()
    }
}
