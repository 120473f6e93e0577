//! Procedural shapes for the generated world: rocks, trees and buildings, each a closed surface
//! over a (u around, v top to bottom) parameter grid, with LOD levels made by tessellating the
//! same surface more coarsely, and each level's geometric error measured against the finest.

use core::f32::consts::{PI, TAU};

use glam::{Vec2, Vec3};
use layerw_engine::lod::{LodChain, LodLevel};
use layerw_engine::render::Mesh;
use rand::Rng;
use rand::rngs::SmallRng;

use super::noise::Noise;
use crate::CookError;

/// The coarsest level's segments around (its rings: half as many).
pub(crate) const COARSEST_SEGMENTS: u32 = 8;

/// What a shape is; each kind has its own surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ShapeKind {
    /// A noise-displaced, squashed sphere, partly sunk into the ground.
    Rock,
    /// A trunk and a crown turned around the Y axis, the crown's edge displaced by noise.
    Tree,
    /// A rounded box (a superellipsoid) with rows of window recesses.
    Building,
}

/// One shape: its kind and the numbers that make it distinct.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Shape {
    kind: ShapeKind,
    /// Overall size in metres (X, Y, Z).
    size: Vec3,
    /// Where in noise space its displacement comes from.
    noise_offset: Vec3,
    /// Displacement as a fraction of its size.
    roughness: f32,
    /// Noise frequency over the unit sphere.
    frequency: f32,
    /// Building: window columns around and rows up; tree: the crown's share of the height.
    pattern: Vec2,
    /// Segments around of the finest level (a power of two, at least [`COARSEST_SEGMENTS`]).
    segments: u32,
}

impl Shape {
    /// A random shape of `kind` whose finest level has `segments` segments around.
    pub(crate) fn random(kind: ShapeKind, segments: u32, rng: &mut SmallRng) -> Shape {
        let size = match kind {
            ShapeKind::Rock => {
                let r = rng.random_range(0.8..4.0);
                Vec3::new(
                    r * rng.random_range(0.8..1.3),
                    r * rng.random_range(0.5..0.9),
                    r * rng.random_range(0.8..1.3),
                )
            }
            ShapeKind::Tree => {
                let h = rng.random_range(5.0..16.0);
                let crown = h * rng.random_range(0.2..0.35);
                Vec3::new(crown, h, crown)
            }
            ShapeKind::Building => Vec3::new(
                rng.random_range(4.0..12.0),
                rng.random_range(6.0..30.0),
                rng.random_range(4.0..12.0),
            ),
        };
        let pattern = match kind {
            ShapeKind::Building => Vec2::new(
                (rng.random_range(3..9) * 4) as f32,
                (size.y / 3.0).floor().max(2.0),
            ),
            ShapeKind::Tree => Vec2::splat(rng.random_range(0.5..0.75)),
            ShapeKind::Rock => Vec2::ZERO,
        };
        Shape {
            kind,
            size,
            noise_offset: Vec3::new(
                rng.random_range(-1000.0..1000.0),
                rng.random_range(-1000.0..1000.0),
                rng.random_range(-1000.0..1000.0),
            ),
            roughness: match kind {
                ShapeKind::Rock => rng.random_range(0.15..0.35),
                ShapeKind::Tree => rng.random_range(0.08..0.2),
                ShapeKind::Building => rng.random_range(0.04..0.08),
            },
            frequency: rng.random_range(1.5..4.0),
            pattern,
            segments: segments.max(COARSEST_SEGMENTS).next_power_of_two(),
        }
    }

    /// The surface point at `u` in [0, 1] (around, +X first, counter-clockwise seen from +Y)
    /// and `v` in [0, 1] (top pole to bottom pole), in metres, standing on y = 0.
    fn point(&self, noise: &Noise, u: f32, v: f32) -> Vec3 {
        let (phi, theta) = (u * TAU, v * PI);
        let direction = Vec3::new(
            theta.sin() * phi.cos(),
            theta.cos(),
            -theta.sin() * phi.sin(),
        );
        let bumps = noise.fbm3(direction * self.frequency + self.noise_offset, 4);
        match self.kind {
            ShapeKind::Rock => {
                let radial = direction * (1.0 + self.roughness * bumps);
                radial * self.size + Vec3::Y * self.size.y * 0.3
            }
            ShapeKind::Tree => {
                let height = self.size.y;
                let y = height * (1.0 - v);
                let crown_start = height * (1.0 - self.pattern.x);
                let crown_half = (height - crown_start) / 2.0;
                let across = ((y - crown_start - crown_half) / crown_half).clamp(-1.0, 1.0);
                let crown = self.size.x * (1.0 - across * across).max(0.0).sqrt();
                let crown = crown * (1.0 + self.roughness * 2.0 * bumps);
                // The trunk closes at the ground (the bottom pole) and under the crown's top.
                let trunk = self.size.x * 0.12 * (y / (height * 0.02)).min(1.0);
                let trunk = if y < crown_start + crown_half {
                    trunk
                } else {
                    0.0
                };
                let radius = crown.max(trunk).max(0.0);
                Vec3::new(radius * phi.cos(), y, -radius * phi.sin())
            }
            ShapeKind::Building => {
                // Signed powers flatten a sphere into a rounded box.
                let boxy = |c: f32| c.signum() * c.abs().powf(0.15);
                let shell = Vec3::new(boxy(direction.x), boxy(direction.y), boxy(direction.z));
                let (columns, rows) = (self.pattern.x, self.pattern.y);
                let window = |t: f32, lo: f32, hi: f32| {
                    let f = t.fract();
                    smooth(lo, lo + 0.05, f) * (1.0 - smooth(hi - 0.05, hi, f))
                };
                // Windows only on the walls, not the roof.
                let wall = 1.0 - smooth(0.7, 0.9, direction.y.abs());
                let recess = window(u * columns, 0.2, 0.8) * window(v * rows, 0.3, 0.75) * wall;
                let inset = 1.0 - self.roughness * recess + 0.01 * bumps;
                shell * inset * self.size * 0.5 + Vec3::Y * self.size.y * 0.5
            }
        }
    }

    /// The shape's LOD chain: the finest level at `segments` around, each coarser level at
    /// half the segments down to [`COARSEST_SEGMENTS`], every level a subset of the finest
    /// grid. A level's error is measured: the largest distance from a finest-level vertex to
    /// the level's triangles ([`Grid::error_at_step`]), kept non-decreasing toward coarse.
    pub(crate) fn chain(&self, noise: &Noise) -> Result<LodChain, CookError> {
        let fine = Grid::sample(self, noise);
        let mut levels = Vec::new();
        let mut error: f32 = 0.0;
        let mut step = 1;
        while fine.segments / step >= COARSEST_SEGMENTS {
            error = error.max(fine.error_at_step(step));
            levels.push(LodLevel::new(fine.mesh(step), error));
            step *= 2;
        }
        levels.reverse();
        Ok(LodChain::new(levels)?)
    }
}

fn smooth(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// The finest grid of a shape: (segments + 1) x (rings + 1) points, row by row from the top
/// pole, the first and last column the same seam.
struct Grid {
    segments: u32,
    rings: u32,
    positions: Vec<Vec3>,
    normals: Vec<Vec3>,
}

impl Grid {
    fn sample(shape: &Shape, noise: &Noise) -> Grid {
        let segments = shape.segments;
        let rings = segments / 2;
        let row = (segments + 1) as usize;
        let mut positions = Vec::with_capacity(row * (rings as usize + 1));
        for j in 0..=rings {
            let v = j as f32 / rings as f32;
            for i in 0..=segments {
                // The seam column repeats the first exactly, so the two sides meet.
                let u = (i % segments) as f32 / segments as f32;
                positions.push(shape.point(noise, u, v));
            }
        }
        let at = |i: u32, j: u32| positions[j as usize * row + i as usize];
        // Central differences on the grid: the same normal at a point whatever level uses it.
        let mut normals = vec![Vec3::ZERO; positions.len()];
        for j in 1..rings {
            for i in 0..=segments {
                let (left, right) = ((i + segments - 1) % segments, (i + 1) % segments);
                let du = at(right, j) - at(left, j);
                let dv = at(i, j + 1) - at(i, j - 1);
                normals[j as usize * row + i as usize] = dv.cross(du).normalize_or(Vec3::Y);
            }
        }
        // A pole's normal: the mean of its neighbouring ring's.
        for (pole, next, fallback) in [(0, 1, Vec3::Y), (rings, rings - 1, Vec3::NEG_Y)] {
            let mean: Vec3 = (0..segments)
                .map(|i| normals[next as usize * row + i as usize])
                .sum();
            let normal = mean.normalize_or(fallback);
            for i in 0..=segments {
                normals[pole as usize * row + i as usize] = normal;
            }
        }
        Grid {
            segments,
            rings,
            positions,
            normals,
        }
    }

    fn index(&self, i: u32, j: u32) -> usize {
        j as usize * (self.segments as usize + 1) + i as usize
    }

    /// The level that keeps every `step`-th row and column, triangulated like
    /// [`Mesh::sphere`] (no triangles at the poles' degenerate edges).
    fn mesh(&self, step: u32) -> Mesh {
        let (segments, rings) = (self.segments / step, self.rings / step);
        let mut positions = Vec::new();
        let mut normals = Vec::new();
        let mut uvs = Vec::new();
        for j in 0..=rings {
            for i in 0..=segments {
                let at = self.index(i * step, j * step);
                positions.push(self.positions[at]);
                normals.push(self.normals[at]);
                // Textures repeat twice around and once top to bottom.
                uvs.push(Vec2::new(
                    2.0 * i as f32 / segments as f32,
                    j as f32 / rings as f32,
                ));
            }
        }
        let row = segments + 1;
        let mut indices = Vec::with_capacity((segments * rings * 6) as usize);
        for ring in 0..rings {
            for segment in 0..segments {
                let a = ring * row + segment;
                let b = a + row;
                if ring != 0 {
                    indices.extend([a, b, a + 1]);
                }
                if ring != rings - 1 {
                    indices.extend([a + 1, b, b + 1]);
                }
            }
        }
        Mesh::from_parts(positions, normals, uvs, indices)
    }

    /// How far the `step` level's surface is from the finest vertices: for each finest vertex,
    /// the distance to the nearest triangle of the level among those of its own quad and the
    /// eight around it (an upper bound of its distance to the whole level, and tight: the
    /// nested grids keep a vertex near its quad), the largest over all vertices; 0 for step 1.
    fn error_at_step(&self, step: u32) -> f32 {
        if step == 1 {
            return 0.0;
        }
        let (segments, rings) = (self.segments / step, self.rings / step);
        let corner = |i: u32, j: u32| self.positions[self.index(i * step, j * step)];
        let mut worst: f32 = 0.0;
        for j in 0..=self.rings {
            let cj = (j / step).min(rings - 1);
            for i in 0..=self.segments {
                let ci = (i / step).min(segments - 1);
                let p = self.positions[self.index(i, j)];
                let mut nearest = f32::INFINITY;
                for qj in cj.saturating_sub(1)..=(cj + 1).min(rings - 1) {
                    for di in [segments - 1, 0, 1] {
                        // Around the seam: quads wrap.
                        let qi = (ci + di) % segments;
                        let (p00, p10) = (corner(qi, qj), corner(qi + 1, qj));
                        let (p01, p11) = (corner(qi, qj + 1), corner(qi + 1, qj + 1));
                        // Split along (1, 0)-(0, 1), as `mesh` does, which leaves out the
                        // triangle that collapses at either pole.
                        if qj != 0 {
                            nearest = nearest.min(point_triangle_distance(p, p00, p01, p10));
                        }
                        if qj != rings - 1 {
                            nearest = nearest.min(point_triangle_distance(p, p10, p01, p11));
                        }
                    }
                }
                worst = worst.max(nearest);
            }
        }
        worst
    }
}

/// The distance from `p` to triangle `abc`: to its closest point, found by which Voronoi
/// region of the triangle (a vertex, an edge, the face) `p` lies in.
fn point_triangle_distance(p: Vec3, a: Vec3, b: Vec3, c: Vec3) -> f32 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return p.distance(a);
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return p.distance(b);
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return p.distance(c);
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return p.distance(a + ab * (d1 / (d1 - d3)));
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return p.distance(a + ac * (d2 / (d2 - d6)));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        return p.distance(b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6))));
    }
    let denom = 1.0 / (va + vb + vc);
    p.distance(a + ab * (vb * denom) + ac * (vc * denom))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_kind_makes_a_valid_chain_with_growing_error() {
        let noise = Noise::new(3);
        let mut rng = SmallRng::seed_from_u64(3);
        for kind in [ShapeKind::Rock, ShapeKind::Tree, ShapeKind::Building] {
            let shape = Shape::random(kind, 64, &mut rng);
            let chain = shape.chain(&noise).unwrap();
            // 64, 32, 16, 8 segments around.
            assert_eq!(chain.level_count(), 4, "{kind:?}");
            assert_eq!(chain.finest().error, 0.0);
            let errors: Vec<f32> = chain.levels().iter().map(|l| l.error).collect();
            assert!(
                errors[0] > errors[2] && errors[2] > 0.0,
                "{kind:?}: {errors:?}"
            );
            assert_eq!(chain.finest().triangles(), 64 * 32 * 2 - 2 * 64);
            // Standing on the ground, within its size.
            let bounds = chain.finest().bounds;
            assert!(
                bounds.min.y > -1.0 && bounds.max.y > 1.0,
                "{kind:?}: {bounds:?}"
            );
        }
    }

    #[test]
    fn every_finest_vertex_lies_within_a_level_error_of_that_level() {
        let noise = Noise::new(6);
        let mut rng = SmallRng::seed_from_u64(6);
        for kind in [ShapeKind::Rock, ShapeKind::Tree, ShapeKind::Building] {
            let chain = Shape::random(kind, 32, &mut rng).chain(&noise).unwrap();
            let finest = &chain.finest().mesh;
            for level in &chain.levels()[..chain.level_count() - 1] {
                let indices: Vec<u32> = level.mesh.indices.iter().collect();
                let p = &level.mesh.positions;
                let mut worst: f32 = 0.0;
                for &v in &finest.positions {
                    let nearest = indices
                        .chunks_exact(3)
                        .map(|t| {
                            let [a, b, c] = [t[0], t[1], t[2]].map(|i| p[i as usize]);
                            point_triangle_distance(v, a, b, c)
                        })
                        .fold(f32::INFINITY, f32::min);
                    worst = worst.max(nearest);
                }
                assert!(
                    worst <= level.error * 1.001 + 1e-5,
                    "{kind:?}: {worst} past the level's error {}",
                    level.error
                );
                // And the error is not wildly conservative.
                assert!(
                    worst >= level.error * 0.5,
                    "{kind:?}: {worst} vs {}",
                    level.error
                );
            }
        }
    }

    #[test]
    fn normals_point_outward() {
        let noise = Noise::new(4);
        let mut rng = SmallRng::seed_from_u64(4);
        for kind in [ShapeKind::Rock, ShapeKind::Building] {
            let shape = Shape::random(kind, 32, &mut rng);
            let chain = shape.chain(&noise).unwrap();
            let mesh = &chain.finest().mesh;
            let centre = (chain.finest().bounds.min + chain.finest().bounds.max) / 2.0;
            let outward = mesh
                .positions
                .iter()
                .zip(&mesh.normals)
                .filter(|(p, n)| (**p - centre).dot(**n) > 0.0)
                .count();
            assert!(outward * 10 > mesh.positions.len() * 9, "{kind:?}");
            // Front faces wind counter-clockwise seen from outside: the face normal agrees
            // with the vertex normals.
            let indices: Vec<u32> = mesh.indices.iter().collect();
            let agree = indices
                .chunks_exact(3)
                .filter(|t| {
                    let [a, b, c] = [t[0], t[1], t[2]].map(|i| mesh.positions[i as usize]);
                    (b - a).cross(c - a).dot(mesh.normals[t[0] as usize]) > 0.0
                })
                .count();
            assert!(agree * 10 > indices.len() / 3 * 9, "{kind:?}");
        }
    }
}
