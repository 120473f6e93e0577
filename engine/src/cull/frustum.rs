//! The view frustum: six normalised, inward-facing planes from a view-projection matrix.

use glam::{Mat4, Vec3, Vec4};

use super::Aabb;

/// A view frustum as six planes `(n.x, n.y, n.z, d)` with unit, inward-facing normals: a point
/// `p` is inside a plane when `n.x * p.x + n.y * p.y + n.z * p.z + d >= 0` (evaluated in that
/// order, which every test of this module shares).
///
/// The planes come from a view-projection matrix with wgpu/DirectX clip conventions (depth 0..1),
/// as `glam::camera::rh::proj::directx::perspective` or `orthographic` times a view matrix from
/// `glam::camera::rh::view::look_at_mat4` produce. Reversed depth works too (the near and far
/// planes swap, the volume is the same); an infinite far plane becomes a plane that passes
/// everything.
///
/// # Example: shadow-caster culling
/// The directional light's shadow view is orthographic; casters are culled against its frustum
/// exactly like objects against the camera's.
/// ```
/// use layerw_engine::cull::Frustum;
/// use layerw_engine::glam::{Vec3, camera::rh::{proj::directx, view}};
///
/// // A light shining down (-Y) and slightly along +X, covering a 100 m square around the origin.
/// let dir = Vec3::new(0.3, -1.0, 0.0).normalize();
/// let eye = -dir * 200.0;
/// let light_view = view::look_at_mat4(eye, Vec3::ZERO, Vec3::Z);
/// let light_proj = directx::orthographic(-50.0, 50.0, -50.0, 50.0, 1.0, 400.0);
/// let light = Frustum::from_view_projection(light_proj * light_view);
///
/// assert!(light.contains_sphere(Vec3::new(10.0, 5.0, -20.0), 1.0)); // in the light's column
/// assert!(light.contains_sphere(Vec3::new(0.0, 120.0, 0.0), 2.0)); // high above, still casts
/// assert!(!light.contains_sphere(Vec3::new(0.0, 0.0, 80.0), 2.0)); // outside the column
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frustum {
    planes: [Vec4; 6],
}

impl Frustum {
    /// Index of the left plane in [`planes`](Self::planes).
    pub const LEFT: usize = 0;
    /// Index of the right plane.
    pub const RIGHT: usize = 1;
    /// Index of the bottom plane.
    pub const BOTTOM: usize = 2;
    /// Index of the top plane.
    pub const TOP: usize = 3;
    /// Index of the near plane (clip depth 0).
    pub const NEAR: usize = 4;
    /// Index of the far plane (clip depth 1).
    pub const FAR: usize = 5;

    /// The frustum of a view-projection matrix (clip = `view_projection * world`, with the clip
    /// volume `-w <= x <= w`, `-w <= y <= w`, `0 <= z <= w`). A degenerate plane (an infinite
    /// far plane) becomes `(0, 0, 0, 1)`, which every point passes.
    pub fn from_view_projection(view_projection: Mat4) -> Self {
        let r0 = view_projection.row(0);
        let r1 = view_projection.row(1);
        let r2 = view_projection.row(2);
        let r3 = view_projection.row(3);
        let raw = [r3 + r0, r3 - r0, r3 + r1, r3 - r1, r2, r3 - r2];
        Self {
            planes: raw.map(|p| {
                let len = p.truncate().length();
                if len > f32::MIN_POSITIVE && len.is_finite() {
                    p / len
                } else {
                    Vec4::W
                }
            }),
        }
    }

    /// The six planes, in the order [`LEFT`](Self::LEFT), [`RIGHT`](Self::RIGHT),
    /// [`BOTTOM`](Self::BOTTOM), [`TOP`](Self::TOP), [`NEAR`](Self::NEAR), [`FAR`](Self::FAR).
    pub fn planes(&self) -> &[Vec4; 6] {
        &self.planes
    }

    /// Whether the sphere may be visible: it is not entirely behind any one plane (a sphere that
    /// intersects the frustum counts as visible). Conservative: a sphere near a frustum corner,
    /// outside the frustum but not entirely behind any single plane, counts as visible too.
    #[inline]
    pub fn contains_sphere(&self, center: Vec3, radius: f32) -> bool {
        self.planes
            .iter()
            .all(|p| distance(*p, center.x, center.y, center.z) >= -radius)
    }

    /// Whether the point is inside (or on) all six planes.
    #[inline]
    pub fn contains_point(&self, point: Vec3) -> bool {
        self.contains_sphere(point, 0.0)
    }

    /// Whether the box `min..=max` may be visible: for no plane is its corner farthest along
    /// the plane's normal behind the plane. Conservative like
    /// [`contains_sphere`](Self::contains_sphere).
    #[inline]
    pub fn intersects_aabb(&self, min: Vec3, max: Vec3) -> bool {
        self.planes
            .iter()
            .all(|p| positive_distance(*p, min, max) >= 0.0)
    }

    /// [`intersects_aabb`](Self::intersects_aabb) for an [`Aabb`].
    #[inline]
    pub fn intersects(&self, aabb: &Aabb) -> bool {
        self.intersects_aabb(aabb.min, aabb.max)
    }

    /// Whether the whole box is inside (or on) all six planes.
    #[inline]
    pub fn contains_aabb(&self, min: Vec3, max: Vec3) -> bool {
        self.planes
            .iter()
            .all(|p| negative_distance(*p, min, max) >= 0.0)
    }
}

/// Signed distance of a point to a plane, in the one order every test uses.
#[inline(always)]
pub(super) fn distance(p: Vec4, x: f32, y: f32, z: f32) -> f32 {
    p.x * x + p.y * y + p.z * z + p.w
}

/// Distance of the box corner farthest along the plane normal (the "positive vertex").
#[inline(always)]
pub(super) fn positive_distance(p: Vec4, min: Vec3, max: Vec3) -> f32 {
    distance(
        p,
        if p.x >= 0.0 { max.x } else { min.x },
        if p.y >= 0.0 { max.y } else { min.y },
        if p.z >= 0.0 { max.z } else { min.z },
    )
}

/// Distance of the box corner farthest against the plane normal (the "negative vertex").
#[inline(always)]
pub(super) fn negative_distance(p: Vec4, min: Vec3, max: Vec3) -> f32 {
    distance(
        p,
        if p.x >= 0.0 { min.x } else { max.x },
        if p.y >= 0.0 { min.y } else { max.y },
        if p.z >= 0.0 { min.z } else { max.z },
    )
}
