//! The sun's cascaded shadow maps: the camera's view, out to the shadow distance, cut into
//! slices (nearer ones shorter), each covered by its own orthographic view along the light.
//! Computed on the CPU (always compiled, so tested everywhere); the renderer draws the casters
//! into one layer per cascade and shading picks the cascade by view depth.
//!
//! Stable against camera motion: each slice is covered by a bounding sphere, whose radius does
//! not change as the camera turns, and the sphere's centre is snapped to whole texels of its
//! map in a light space that does not move, so shadow edges do not crawl as the camera moves.

use glam::camera::rh::{proj::directx, view::look_at_mat4};
use glam::{Mat4, Vec3, Vec4Swizzles};

use super::{CameraView, DirectionalLight};

/// The most cascades a frame uses.
pub const MAX_SHADOW_CASCADES: usize = 4;

/// How the split distances lean towards logarithmic (1) or even (0) spacing: logarithmic gives
/// every cascade about the same texels per pixel of screen; a little even spacing keeps the
/// far cascades from getting too long.
const LOG_WEIGHT: f32 = 0.75;

/// One frame's cascades.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShadowCascades {
    /// Each cascade's view-projection (world to the layer's clip space, depth 0..1); the unused
    /// ones repeat the last.
    pub view_projections: [Mat4; MAX_SHADOW_CASCADES],
    /// The view depth (distance along the camera's forward axis) where each cascade ends,
    /// nearest first; unused ones repeat the last.
    pub ends: [f32; MAX_SHADOW_CASCADES],
    /// Cascades in use, 1 to [`MAX_SHADOW_CASCADES`].
    pub count: usize,
    /// The camera's forward axis (what `ends` are measured along).
    pub forward: Vec3,
}

/// The near and far planes of a perspective projection made by `directx::perspective`
/// (`None` for any other projection).
fn near_far(projection: &Mat4) -> Option<(f32, f32)> {
    let (a, b) = (projection.z_axis.z, projection.w_axis.z);
    // A perspective projection divides by -z: its w row is (0, 0, -1, 0).
    if projection.z_axis.w != -1.0 || a == 0.0 || a == -1.0 {
        return None;
    }
    let (near, far) = (b / a, b / (a + 1.0));
    (near > 0.0 && far > near).then_some((near, far))
}

impl DirectionalLight {
    /// The cascades for `camera`, covering its view out to the farthest point of `bounds` (the
    /// sphere casters and receivers lie in, as for [`view_projection`](Self::view_projection)),
    /// with
    /// maps of `map_size` texels square. A camera without a perspective projection gets one
    /// cascade covering `bounds`.
    pub fn cascades(
        &self,
        camera: &CameraView,
        bounds: (Vec3, f32),
        count: usize,
        map_size: u32,
    ) -> ShadowCascades {
        let count = count.clamp(1, MAX_SHADOW_CASCADES);
        let inverse_view = camera.view.inverse();
        let forward = (-inverse_view.z_axis.xyz()).normalize_or(Vec3::NEG_Z);
        let whole = |forward| ShadowCascades {
            view_projections: [self.view_projection(bounds); MAX_SHADOW_CASCADES],
            ends: [f32::INFINITY; MAX_SHADOW_CASCADES],
            count: 1,
            forward,
        };
        let Some((near, far)) = near_far(&camera.projection) else {
            return whole(forward);
        };
        let (centre, radius) = (bounds.0, bounds.1.max(1e-3));
        // As far as the bounds reach in any direction, so turning the camera does not move
        // the splits (and resize the maps).
        let shadow_far = (camera.position.distance(centre) + radius).min(far);
        if shadow_far <= near {
            return whole(forward);
        }
        // The view's half-diagonal per unit of depth, from a corner of the far plane.
        let corner =
            (camera.projection * camera.view).inverse() * glam::Vec4::new(1.0, 1.0, 1.0, 1.0);
        let offset = corner.xyz() / corner.w - camera.position;
        let depth = offset.dot(forward);
        let spread = (offset - forward * depth).length() / depth;

        let to_light = -self.direction.normalize_or(Vec3::NEG_Y);
        let up = if to_light.y.abs() > 0.99 {
            Vec3::Z
        } else {
            Vec3::Y
        };
        // A light space that does not move: rotation only.
        let light = look_at_mat4(Vec3::ZERO, -to_light, up);
        let mut cascades = ShadowCascades {
            view_projections: [Mat4::IDENTITY; MAX_SHADOW_CASCADES],
            ends: [shadow_far; MAX_SHADOW_CASCADES],
            count,
            forward,
        };
        let mut start = near;
        for i in 0..count {
            let t = (i + 1) as f32 / count as f32;
            let even = near + (shadow_far - near) * t;
            let log = near * (shadow_far / near).powf(t);
            let end = if i + 1 == count {
                shadow_far
            } else {
                LOG_WEIGHT * log + (1.0 - LOG_WEIGHT) * even
            };
            // The slice's bounding sphere: its centre on the view axis, as far as makes the
            // near and far corners equally distant (or at the far end when that is closer).
            let (a0, a1) = (start * spread, end * spread);
            let along =
                ((end * end + a1 * a1 - start * start - a0 * a0) / (2.0 * (end - start))).min(end);
            let sphere_radius = ((end - along).powi(2) + a1 * a1).sqrt();
            // Rounded up so float noise never changes the map's scale.
            let sphere_radius = (sphere_radius * 16.0).ceil() / 16.0;
            let sphere_centre = camera.position + forward * along;
            // Snapped to whole texels in light space.
            let texel = 2.0 * sphere_radius / map_size.max(1) as f32;
            let mut snapped = light.transform_point3(sphere_centre);
            snapped.x = (snapped.x / texel).round() * texel;
            snapped.y = (snapped.y / texel).round() * texel;
            // Back towards the light far enough to include every caster inside `bounds`.
            let reach = (to_light.dot(centre - sphere_centre) + radius).max(sphere_radius);
            let eye = snapped + Vec3::Z * reach;
            let view = Mat4::from_translation(-eye) * light;
            cascades.view_projections[i] = directx::orthographic(
                -sphere_radius,
                sphere_radius,
                -sphere_radius,
                sphere_radius,
                0.0,
                reach + sphere_radius,
            ) * view;
            cascades.ends[i] = end;
            start = end;
        }
        for i in count..MAX_SHADOW_CASCADES {
            cascades.view_projections[i] = cascades.view_projections[count - 1];
        }
        cascades
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sun() -> DirectionalLight {
        DirectionalLight {
            direction: Vec3::new(-0.4, -1.0, -0.3),
            color: Vec3::ONE,
            intensity: 3.0,
            shadows: true,
        }
    }

    fn camera(eye: Vec3, target: Vec3) -> CameraView {
        CameraView::look_at(eye, target, 1.0, 16.0 / 9.0, 0.1, 500.0)
    }

    const BOUNDS: (Vec3, f32) = (Vec3::ZERO, 60.0);

    /// The view-space point at depth `depth` through NDC corner (x, y).
    fn slice_corner(camera: &CameraView, x: f32, y: f32, depth: f32) -> Vec3 {
        let far = (camera.projection * camera.view).inverse() * glam::Vec4::new(x, y, 1.0, 1.0);
        let far = far.xyz() / far.w;
        let forward = (-camera.view.inverse().z_axis.xyz()).normalize();
        let far_depth = (far - camera.position).dot(forward);
        camera.position + (far - camera.position) * (depth / far_depth)
    }

    #[test]
    fn each_cascade_covers_its_slice_of_the_view() {
        let camera = camera(Vec3::new(5.0, 8.0, 30.0), Vec3::new(0.0, 0.0, -10.0));
        let c = sun().cascades(&camera, BOUNDS, 4, 2048);
        assert_eq!(c.count, 4);
        let mut start = 0.1;
        for i in 0..4 {
            assert!(c.ends[i] > start, "ends increase: {:?}", c.ends);
            for depth in [start, c.ends[i]] {
                for (x, y) in [(-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)] {
                    let p =
                        c.view_projections[i].project_point3(slice_corner(&camera, x, y, depth));
                    assert!(
                        p.x.abs() <= 1.0 && p.y.abs() <= 1.0 && (0.0..=1.0).contains(&p.z),
                        "cascade {i}: corner ({x}, {y}) at depth {depth} projects to {p}"
                    );
                }
            }
            start = c.ends[i];
        }
        // Out to where the bounds end, in any direction.
        let expected = camera.position.distance(BOUNDS.0) + BOUNDS.1;
        assert!(
            (c.ends[3] - expected).abs() < 1e-3,
            "{} vs {expected}",
            c.ends[3]
        );
        // Nearer cascades are smaller: more texels per metre where the camera is.
        let scale = |m: Mat4| m.row(0).xyz().length();
        assert!(scale(c.view_projections[0]) > scale(c.view_projections[3]));
    }

    #[test]
    fn turning_the_camera_keeps_each_cascades_size() {
        let eye = Vec3::new(0.0, 5.0, 20.0);
        let scales = |target: Vec3| {
            let c = sun().cascades(&camera(eye, target), BOUNDS, 4, 2048);
            // The first row's length is 1 / the half-width (the light's rotation keeps length).
            c.view_projections.map(|m| m.row(0).xyz().length())
        };
        assert_eq!(
            scales(Vec3::new(0.0, 0.0, 0.0)),
            scales(Vec3::new(13.0, -2.0, 3.0))
        );
    }

    #[test]
    fn moving_the_camera_moves_the_maps_by_whole_texels() {
        let size = 1024;
        let target = Vec3::new(0.0, 0.0, -10.0);
        let a = sun().cascades(&camera(Vec3::new(0.0, 5.0, 20.0), target), BOUNDS, 3, size);
        let step = Vec3::new(0.013, 0.0, 0.007);
        let b = sun().cascades(
            &camera(Vec3::new(0.0, 5.0, 20.0) + step, target + step),
            BOUNDS,
            3,
            size,
        );
        for i in 0..3 {
            // A fixed world point lands on the same texel grid in both frames.
            let p = Vec3::new(3.0, 1.0, -4.0);
            let (pa, pb) = (
                a.view_projections[i].project_point3(p),
                b.view_projections[i].project_point3(p),
            );
            let texels = (pa - pb).truncate() * size as f32 / 2.0;
            assert!(
                (texels - texels.round()).abs().max_element() < 1e-2,
                "cascade {i} moved {texels} texels"
            );
        }
    }

    #[test]
    fn a_camera_without_perspective_gets_one_cascade_over_the_bounds() {
        let mut camera = camera(Vec3::new(0.0, 5.0, 20.0), Vec3::ZERO);
        camera.projection = directx::orthographic(-10.0, 10.0, -10.0, 10.0, 0.0, 100.0);
        let c = sun().cascades(&camera, BOUNDS, 4, 2048);
        assert_eq!(c.count, 1);
        assert_eq!(c.view_projections[0], sun().view_projection(BOUNDS));
    }
}
