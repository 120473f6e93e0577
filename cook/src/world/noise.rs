//! Value noise for the generated world: a lattice of random values from a seeded permutation
//! table, smoothly interpolated, summed over octaves (fractal noise). Periodic in 2D, so
//! textures tile.

use glam::{Vec2, Vec3};
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// Lattice values and a permutation of 0..256, both from one seed.
pub(crate) struct Noise {
    /// 512 entries (the permutation twice) so sums of three entries need no wrapping.
    perm: [u8; 512],
    /// A value in [-1, 1] per lattice hash.
    values: [f32; 256],
}

/// The smoothstep fade of value noise: zero slope at lattice points.
fn fade(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

impl Noise {
    /// The noise of `seed`: the same seed gives the same noise.
    pub(crate) fn new(seed: u64) -> Noise {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut table: Vec<u8> = (0..=255).collect();
        table.shuffle(&mut rng);
        let mut perm = [0; 512];
        for (i, slot) in perm.iter_mut().enumerate() {
            *slot = table[i % 256];
        }
        let mut values = [0.0; 256];
        for v in &mut values {
            *v = rng.random_range(-1.0..=1.0);
        }
        Noise { perm, values }
    }

    fn hash3(&self, x: i32, y: i32, z: i32) -> f32 {
        let p = |i: i32| self.perm[(i & 255) as usize] as usize;
        self.values[self.perm[p(x) + (y & 255) as usize] as usize ^ p(z)]
    }

    /// 3D value noise in [-1, 1].
    pub(crate) fn value3(&self, p: Vec3) -> f32 {
        let cell = p.floor();
        let (x, y, z) = (cell.x as i32, cell.y as i32, cell.z as i32);
        let f = p - cell;
        let (u, v, w) = (fade(f.x), fade(f.y), fade(f.z));
        let corner = |dx, dy, dz| self.hash3(x + dx, y + dy, z + dz);
        let plane = |dz| {
            lerp(
                lerp(corner(0, 0, dz), corner(1, 0, dz), u),
                lerp(corner(0, 1, dz), corner(1, 1, dz), u),
                v,
            )
        };
        lerp(plane(0), plane(1), w)
    }

    /// Fractal 3D noise: `octaves` octaves, each at twice the frequency and half the amplitude
    /// of the previous one, normalised to about [-1, 1].
    pub(crate) fn fbm3(&self, p: Vec3, octaves: u32) -> f32 {
        let (mut sum, mut amplitude, mut total, mut p) = (0.0, 1.0, 0.0, p);
        for _ in 0..octaves {
            sum += amplitude * self.value3(p);
            total += amplitude;
            amplitude *= 0.5;
            p *= 2.0;
        }
        sum / total
    }

    /// 2D value noise in [-1, 1] with period `period` lattice cells on both axes.
    fn periodic2(&self, p: Vec2, period: i32, layer: i32) -> f32 {
        let cell = p.floor();
        let (x, y) = (cell.x as i32, cell.y as i32);
        let f = p - cell;
        let (u, v) = (fade(f.x), fade(f.y));
        let corner = |dx: i32, dy: i32| {
            self.hash3(
                (x + dx).rem_euclid(period),
                (y + dy).rem_euclid(period),
                layer,
            )
        };
        lerp(
            lerp(corner(0, 0), corner(1, 0), u),
            lerp(corner(0, 1), corner(1, 1), u),
            v,
        )
    }

    /// Fractal 2D noise over the unit square, tiling: `uv` in [0, 1) with `frequency` lattice
    /// cells across at the first octave. `layer` picks an independent noise.
    pub(crate) fn tiling_fbm2(&self, uv: Vec2, frequency: u32, octaves: u32, layer: i32) -> f32 {
        let (mut sum, mut amplitude, mut total) = (0.0, 1.0, 0.0);
        let mut period = frequency.max(1) as i32;
        for octave in 0..octaves as i32 {
            sum += amplitude * self.periodic2(uv * period as f32, period, layer + octave * 17);
            total += amplitude;
            amplitude *= 0.5;
            period *= 2;
        }
        sum / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_noise_and_values_in_range() {
        let (a, b, c) = (Noise::new(7), Noise::new(7), Noise::new(8));
        let mut differs = false;
        for i in 0..200 {
            let p = Vec3::new(i as f32 * 0.37, i as f32 * 0.11 - 3.0, i as f32 * 0.05);
            let v = a.fbm3(p, 4);
            assert!((-1.0..=1.0).contains(&v));
            assert_eq!(v, b.fbm3(p, 4));
            differs |= v != c.fbm3(p, 4);
        }
        assert!(differs);
    }

    #[test]
    fn tiling_noise_wraps_at_the_unit_square() {
        let noise = Noise::new(1);
        for i in 0..50 {
            let t = i as f32 / 50.0;
            let left = noise.tiling_fbm2(Vec2::new(0.0, t), 4, 4, 0);
            let right = noise.tiling_fbm2(Vec2::new(1.0, t), 4, 4, 0);
            assert!((left - right).abs() < 1e-5, "{left} {right}");
            let top = noise.tiling_fbm2(Vec2::new(t, 0.0), 4, 4, 0);
            let bottom = noise.tiling_fbm2(Vec2::new(t, 1.0), 4, 4, 0);
            assert!((top - bottom).abs() < 1e-5);
        }
    }
}
