//! Bounding spheres as a structure of arrays, and their frustum culling: eight lanes at a time,
//! single-threaded or data-parallel with rayon.

use glam::{Vec3, Vec4};

use super::Frustum;
use super::frustum::distance;

/// How many spheres [`cull_spheres`] tests at a time: one 256-bit register of `f32`, or two
/// 128-bit ones (SSE2, NEON, wasm simd128).
pub const LANES: usize = 8;

/// Spheres per rayon task at least: below this, the hand-over costs more than the work.
#[cfg(not(target_family = "wasm"))]
const MIN_CHUNK: usize = 16 * 1024;

/// Bounding spheres as a structure of arrays: one `Vec<f32>` per coordinate and one for the
/// radii, so that culling reads each as a contiguous stream and tests [`LANES`] spheres at once.
/// Sphere `i` is `(x[i], y[i], z[i])` with radius `radius[i]`; indices are `u32`.
///
/// # Example
/// ```
/// use layerw_engine::cull::{Frustum, Spheres, cull_spheres};
/// use layerw_engine::glam::{Vec3, camera::rh::{proj::directx, view}};
///
/// let view = view::look_at_mat4(Vec3::ZERO, Vec3::NEG_Z, Vec3::Y);
/// let proj = directx::perspective(1.0, 1.5, 0.1, 100.0);
/// let frustum = Frustum::from_view_projection(proj * view);
///
/// let mut spheres = Spheres::new();
/// spheres.push(Vec3::new(0.0, 0.0, -10.0), 1.0); // in front
/// spheres.push(Vec3::new(0.0, 0.0, 10.0), 1.0); // behind
/// spheres.push(Vec3::new(0.0, 0.0, -200.0), 1.0); // beyond the far plane
/// spheres.push(Vec3::ZERO, 0.5); // around the camera
/// let mut visible = Vec::new();
/// cull_spheres(&frustum, &spheres, &mut visible);
/// assert_eq!(visible, [0, 3]);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spheres {
    x: Vec<f32>,
    y: Vec<f32>,
    z: Vec<f32>,
    radius: Vec<f32>,
}

impl Spheres {
    /// No spheres.
    pub fn new() -> Self {
        Self::default()
    }

    /// No spheres, with room for `capacity`.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            x: Vec::with_capacity(capacity),
            y: Vec::with_capacity(capacity),
            z: Vec::with_capacity(capacity),
            radius: Vec::with_capacity(capacity),
        }
    }

    /// Appends a sphere and returns its index.
    ///
    /// # Panics
    /// If there are already `u32::MAX` spheres (indices are `u32`).
    pub fn push(&mut self, center: Vec3, radius: f32) -> u32 {
        let index = u32::try_from(self.x.len())
            .ok()
            .filter(|&i| i != u32::MAX)
            .expect("Spheres holds at most u32::MAX spheres");
        self.x.push(center.x);
        self.y.push(center.y);
        self.z.push(center.z);
        self.radius.push(radius);
        index
    }

    /// Replaces sphere `index`.
    ///
    /// # Panics
    /// If `index >= len()`.
    pub fn set(&mut self, index: u32, center: Vec3, radius: f32) {
        let i = index as usize;
        assert!(
            i < self.len(),
            "sphere {index} out of range (len {})",
            self.len()
        );
        self.x[i] = center.x;
        self.y[i] = center.y;
        self.z[i] = center.z;
        self.radius[i] = radius;
    }

    /// Sphere `index` as (center, radius), or `None` out of range.
    pub fn get(&self, index: u32) -> Option<(Vec3, f32)> {
        let i = index as usize;
        (i < self.len()).then(|| (Vec3::new(self.x[i], self.y[i], self.z[i]), self.radius[i]))
    }

    /// Removes all spheres, keeping the memory.
    pub fn clear(&mut self) {
        self.x.clear();
        self.y.clear();
        self.z.clear();
        self.radius.clear();
    }

    /// The number of spheres.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Whether there are no spheres.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// The x coordinates of the centers.
    pub fn xs(&self) -> &[f32] {
        &self.x
    }

    /// The y coordinates of the centers.
    pub fn ys(&self) -> &[f32] {
        &self.y
    }

    /// The z coordinates of the centers.
    pub fn zs(&self) -> &[f32] {
        &self.z
    }

    /// The radii.
    pub fn radii(&self) -> &[f32] {
        &self.radius
    }

    /// The four streams of spheres `start..end`.
    fn range(&self, start: usize, end: usize) -> Streams<'_> {
        Streams {
            x: &self.x[start..end],
            y: &self.y[start..end],
            z: &self.z[start..end],
            r: &self.radius[start..end],
        }
    }
}

/// A range of the four streams of [`Spheres`].
struct Streams<'a> {
    x: &'a [f32],
    y: &'a [f32],
    z: &'a [f32],
    r: &'a [f32],
}

/// Writes into `out` (cleared first) the indices of the spheres that may be visible, in
/// increasing order: exactly those for which [`Frustum::contains_sphere`] is true. Tests
/// [`LANES`] spheres at a time in plain `[f32; 8]` arithmetic that the compiler vectorises.
pub fn cull_spheres(frustum: &Frustum, spheres: &Spheres, out: &mut Vec<u32>) {
    out.clear();
    cull_streams(frustum.planes(), &spheres.range(0, spheres.len()), 0, out);
}

/// [`cull_spheres`] with rayon: natively, with more than one thread in the current rayon pool
/// and enough spheres, ranges of spheres (multiples of [`LANES`]) are culled in parallel and
/// their indices concatenated in order, so the output is identical to [`cull_spheres`]. On wasm,
/// on one thread, or for few spheres, it is [`cull_spheres`].
pub fn par_cull_spheres(frustum: &Frustum, spheres: &Spheres, out: &mut Vec<u32>) {
    #[cfg(not(target_family = "wasm"))]
    {
        use rayon::iter::{IntoParallelIterator, ParallelIterator};

        let len = spheres.len();
        let threads = rayon::current_num_threads();
        if threads > 1 && len >= 2 * MIN_CHUNK {
            // About four ranges per thread absorb uneven loads (visible spheres cost more).
            let chunk = (len / (threads * 4)).max(MIN_CHUNK).next_multiple_of(LANES);
            let planes = frustum.planes();
            let parts: Vec<Vec<u32>> = (0..len.div_ceil(chunk))
                .into_par_iter()
                .map(|c| {
                    let start = c * chunk;
                    let end = (start + chunk).min(len);
                    let mut part = Vec::new();
                    cull_streams(planes, &spheres.range(start, end), start as u32, &mut part);
                    part
                })
                .collect();
            out.clear();
            out.reserve(parts.iter().map(Vec::len).sum());
            for part in &parts {
                out.extend_from_slice(part);
            }
            return;
        }
    }
    cull_spheres(frustum, spheres, out);
}

/// Tests [`LANES`] spheres at once against `frustum`, given as lanes of a structure of arrays
/// (centres' x, y, z and radii): bit `l` of the result is set when sphere `l` is visible
/// (in front of or straddling every plane). The kernel of [`cull_spheres`], for callers that
/// assemble lanes themselves (the culling system, straight from ECS columns).
#[inline]
pub fn visible_spheres(
    frustum: &Frustum,
    x: &[f32; LANES],
    y: &[f32; LANES],
    z: &[f32; LANES],
    radius: &[f32; LANES],
) -> u32 {
    let p: [[f32; 4]; 6] = frustum.planes().map(|p| p.to_array());
    visible_lanes(&p, x, y, z, radius)
}

/// Appends `base + i` for every visible sphere `i` of `s`, in increasing order.
fn cull_streams(planes: &[Vec4; 6], s: &Streams<'_>, base: u32, out: &mut Vec<u32>) {
    // The planes as scalars, hoisted out of the loop.
    let p: [[f32; 4]; 6] = planes.map(|p| p.to_array());
    let (xs, x_tail) = s.x.as_chunks::<LANES>();
    let (ys, _) = s.y.as_chunks::<LANES>();
    let (zs, _) = s.z.as_chunks::<LANES>();
    let (rs, _) = s.r.as_chunks::<LANES>();
    let mut index = base;
    for (((x, y), z), r) in xs.iter().zip(ys).zip(zs).zip(rs) {
        let bits = visible_lanes(&p, x, y, z, r);
        if bits == 0xff {
            out.extend(index..index + LANES as u32);
        } else {
            let mut bits = bits;
            while bits != 0 {
                out.push(index + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        index += LANES as u32;
    }
    let done = xs.len() * LANES;
    for i in 0..x_tail.len() {
        let j = done + i;
        let visible = planes
            .iter()
            .all(|&pl| distance(pl, s.x[j], s.y[j], s.z[j]) >= -s.r[j]);
        if visible {
            out.push(index);
        }
        index += 1;
    }
}

/// Bit `l` set when lane `l` is in front of (or straddles) all six planes. Branch-free over the
/// lanes, with the arithmetic of [`distance`], so that it vectorises and matches the scalar test.
#[inline(always)]
fn visible_lanes(
    p: &[[f32; 4]; 6],
    x: &[f32; LANES],
    y: &[f32; LANES],
    z: &[f32; LANES],
    r: &[f32; LANES],
) -> u32 {
    let mut inside = [true; LANES];
    for pl in p {
        for l in 0..LANES {
            let d = pl[0] * x[l] + pl[1] * y[l] + pl[2] * z[l] + pl[3];
            inside[l] &= d >= -r[l];
        }
    }
    let mut bits = 0u32;
    for (l, &v) in inside.iter().enumerate() {
        bits |= u32::from(v) << l;
    }
    bits
}
