//! Procedural textures for the generated world: a tiling height field per material, turned into
//! a base colour texture (a palette over the height) and a tangent-space normal map (its
//! slopes).

use glam::{Vec2, Vec3};
use layerw_engine::render::TextureImage;
use rand::Rng;
use rand::rngs::SmallRng;

use super::noise::Noise;

/// What the height field looks like.
#[derive(Clone, Copy, Debug, PartialEq)]
enum PatternKind {
    /// Fractal noise: stone, soil, bark.
    Stone,
    /// Offset rows of bricks with mortar joints.
    Bricks,
    /// Long wavy grain: wood planks.
    Planks,
}

/// A material's two textures' recipe.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pattern {
    kind: PatternKind,
    /// Edge in pixels (a power of two).
    size: u32,
    /// Lattice cells across at the first octave.
    frequency: u32,
    /// Which noise layer.
    layer: i32,
    /// Colours at the lowest and the highest height (sRGB, 0..1).
    low: Vec3,
    high: Vec3,
    /// Bricks or planks across the texture.
    rows: u32,
    /// The normal map's slope scale.
    bumpiness: f32,
}

impl Pattern {
    /// A random pattern of `size` x `size` pixels.
    pub(crate) fn random(size: u32, rng: &mut SmallRng) -> Pattern {
        let kind = match rng.random_range(0..3) {
            0 => PatternKind::Stone,
            1 => PatternKind::Bricks,
            _ => PatternKind::Planks,
        };
        let mut colour = || Vec3::new(rng.random(), rng.random(), rng.random());
        let (low, high) = (colour() * 0.5, colour() * 0.5 + 0.5);
        Pattern {
            kind,
            size,
            frequency: 1 << rng.random_range(1..4),
            layer: rng.random_range(0..10_000),
            low,
            high,
            rows: 1 << rng.random_range(2..4),
            bumpiness: rng.random_range(2.0..6.0),
        }
    }

    /// The height at `uv` in [0, 1)^2, in [0, 1], tiling.
    fn height(&self, noise: &Noise, uv: Vec2) -> f32 {
        let grain = noise.tiling_fbm2(uv, self.frequency, 5, self.layer) * 0.5 + 0.5;
        let rows = self.rows as f32;
        match self.kind {
            PatternKind::Stone => grain,
            PatternKind::Bricks => {
                let y = uv.y * rows;
                // Every other row shifted by half a brick; two bricks a row.
                let x = uv.x * 2.0 + if (y as u32) % 2 == 1 { 0.5 } else { 0.0 };
                let joint = |t: f32| {
                    let f = t.fract();
                    (f.min(1.0 - f) * 20.0).min(1.0)
                };
                0.3 * grain + 0.7 * joint(x).min(joint(y))
            }
            PatternKind::Planks => {
                let waves = (uv.x * rows * core::f32::consts::TAU + grain * 6.0).sin();
                let seam = ((uv.x * rows).fract() * 40.0).min(1.0);
                (0.5 + 0.3 * waves + 0.2 * grain) * seam
            }
        }
    }

    /// The base colour (sRGB) and normal map (linear) textures.
    pub(crate) fn textures(&self, noise: &Noise) -> (TextureImage, TextureImage) {
        let n = self.size as usize;
        let mut heights = Vec::with_capacity(n * n);
        for y in 0..n {
            for x in 0..n {
                let uv = Vec2::new(x as f32 / n as f32, y as f32 / n as f32);
                heights.push(self.height(noise, uv));
            }
        }
        let mut colour = Vec::with_capacity(n * n * 4);
        let mut normal = Vec::with_capacity(n * n * 4);
        let to_byte = |c: f32| (c.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
        // Slopes per texel, scaled so a bumpiness of 1 is a 45-degree slope over the texture.
        let scale = self.bumpiness * n as f32 / 64.0;
        for y in 0..n {
            for x in 0..n {
                let h = |dx: usize, dy: usize| heights[((y + dy) % n) * n + (x + dx) % n];
                let c = self.low.lerp(self.high, h(0, 0));
                colour.extend([to_byte(c.x), to_byte(c.y), to_byte(c.z), 255]);
                let dx = (h(1, 0) - h(n - 1, 0)) * 0.5 * scale;
                let dy = (h(0, 1) - h(0, n - 1)) * 0.5 * scale;
                let m = Vec3::new(-dx, -dy, 1.0).normalize() * 0.5 + 0.5;
                normal.extend([to_byte(m.x), to_byte(m.y), to_byte(m.z), 255]);
            }
        }
        let size = self.size;
        // The lengths match the size by construction.
        let image = |pixels| TextureImage {
            width: size,
            height: size,
            pixels,
        };
        (image(colour), image(normal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn textures_have_their_size_and_vary() {
        let noise = Noise::new(5);
        let mut rng = SmallRng::seed_from_u64(5);
        for _ in 0..6 {
            let pattern = Pattern::random(32, &mut rng);
            let (colour, normal) = pattern.textures(&noise);
            for t in [&colour, &normal] {
                assert_eq!((t.width, t.height, t.pixels.len()), (32, 32, 32 * 32 * 4));
            }
            let distinct: std::collections::HashSet<&[u8]> =
                colour.pixels.chunks_exact(4).collect();
            assert!(distinct.len() > 8, "{pattern:?}");
            // Normal maps point out of the surface: blue above half.
            assert!(normal.pixels.chunks_exact(4).all(|p| p[2] >= 128));
        }
    }
}
