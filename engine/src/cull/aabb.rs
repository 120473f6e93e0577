//! Axis-aligned bounding boxes.

use glam::{Affine3A, Vec3};

/// An axis-aligned bounding box, `min..=max` on every axis. [`Aabb::EMPTY`] (min `+inf`, max
/// `-inf`) is the identity of [`union`](Self::union).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Aabb {
    /// The corner with the smallest coordinates.
    pub min: Vec3,
    /// The corner with the largest coordinates.
    pub max: Vec3,
}

impl Aabb {
    /// The empty box: contains nothing, and `EMPTY.union(b) == b`.
    pub const EMPTY: Self = Self {
        min: Vec3::INFINITY,
        max: Vec3::NEG_INFINITY,
    };

    /// The box `min..=max`.
    #[inline]
    pub const fn new(min: Vec3, max: Vec3) -> Self {
        Self { min, max }
    }

    /// The box around a sphere.
    #[inline]
    pub fn from_sphere(center: Vec3, radius: f32) -> Self {
        Self::new(center - Vec3::splat(radius), center + Vec3::splat(radius))
    }

    /// The box with the given center and half extents.
    #[inline]
    pub fn from_center_half_extents(center: Vec3, half_extents: Vec3) -> Self {
        Self::new(center - half_extents, center + half_extents)
    }

    /// The smallest box containing both.
    #[inline]
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self::new(self.min.min(other.min), self.max.max(other.max))
    }

    /// The smallest box containing this one and the point.
    #[inline]
    #[must_use]
    pub fn including(self, point: Vec3) -> Self {
        Self::new(self.min.min(point), self.max.max(point))
    }

    /// Whether the box contains nothing (some `min` above its `max`).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.min.cmpgt(self.max).any()
    }

    /// Whether `other` lies inside this box (an empty `other` lies inside every box).
    #[inline]
    pub fn contains(&self, other: &Self) -> bool {
        other.is_empty() || (self.min.cmple(other.min).all() && self.max.cmpge(other.max).all())
    }

    /// The center (meaningless for an empty box).
    #[inline]
    pub fn center(&self) -> Vec3 {
        (self.min + self.max) * 0.5
    }

    /// The half extents (meaningless for an empty box).
    #[inline]
    pub fn half_extents(&self) -> Vec3 {
        (self.max - self.min) * 0.5
    }

    /// The surface area; 0 for an empty box.
    #[inline]
    pub fn surface_area(&self) -> f32 {
        if self.is_empty() {
            return 0.0;
        }
        let d = self.max - self.min;
        2.0 * (d.x * d.y + d.y * d.z + d.z * d.x)
    }

    /// The world box of this (object-space) box under an affine transform (rotation,
    /// translation, scale, shear alike): the smallest box around the transformed box, from the
    /// transformed center and the absolute matrix times the half extents (Arvo's method).
    /// An empty box stays empty.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::cull::Aabb;
    /// use layerw_engine::glam::{Affine3A, Quat, Vec3};
    ///
    /// let unit = Aabb::new(Vec3::splat(-1.0), Vec3::splat(1.0));
    /// let m = Affine3A::from_scale_rotation_translation(
    ///     Vec3::splat(2.0),
    ///     Quat::from_rotation_y(std::f32::consts::FRAC_PI_4),
    ///     Vec3::new(10.0, 0.0, 0.0),
    /// );
    /// let world = unit.transformed(&m);
    /// let r = 2.0 * std::f32::consts::SQRT_2;
    /// assert!((world.max - Vec3::new(10.0 + r, 2.0, r)).abs().max_element() < 1e-4);
    /// ```
    #[must_use]
    pub fn transformed(&self, transform: &Affine3A) -> Self {
        if self.is_empty() {
            return *self;
        }
        let center = transform.transform_point3(self.center());
        let m = transform.matrix3;
        let e = self.half_extents();
        let abs_e = m.x_axis.abs() * e.x + m.y_axis.abs() * e.y + m.z_axis.abs() * e.z;
        let extents = Vec3::from(abs_e);
        Self::new(center - extents, center + extents)
    }
}
