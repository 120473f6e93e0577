//! Motion: where an entity is, which way it faces, and how both change over time.

use bytemuck::{Pod, Zeroable};
use glam::{Quat, Vec3};

/// World-space position, in metres.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Position(pub Vec3);

/// Linear velocity, in metres per second.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Velocity(pub Vec3);

/// World-space orientation, a unit quaternion.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
pub struct Rotation(pub Quat);

impl Default for Rotation {
    /// The identity rotation (the all-zero `Zeroable` value is not a unit quaternion).
    fn default() -> Self {
        Rotation(Quat::IDENTITY)
    }
}

/// Angular velocity as a scaled axis: the direction is the rotation axis, the length the rate
/// in radians per second.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct AngularVelocity(pub Vec3);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_round_trip() {
        let p = Position(Vec3::new(1.0, 2.0, 3.0));
        let bytes = bytemuck::bytes_of(&p);
        assert_eq!(bytes.len(), 12);
        assert_eq!(*bytemuck::from_bytes::<Position>(bytes), p);
        let r = Rotation(Quat::from_rotation_y(1.0));
        assert_eq!(bytemuck::bytes_of(&r).len(), 16);
    }

    #[test]
    fn default_rotation_is_identity() {
        assert_eq!(Rotation::default().0, Quat::IDENTITY);
    }
}
