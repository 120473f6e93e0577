//! Per-instance data as the GPU reads it: 20 bytes (position, a quantised rotation, scale and
//! material), expanded to a matrix in the vertex shader.
//!
//! Why so small: on a raster-bound scene of 1M instanced cubes on an H100, 16-byte instances
//! drew in 20.4 ms against 38.0 ms for 64-byte matrices (the renderer issue's reference
//! measurement). Instance bandwidth is frame time.

use bytemuck::{Pod, Zeroable};
use glam::{Mat4, Quat, Vec3};

/// One instance: 20 bytes, `Pod`, uploaded as a vertex buffer with per-instance stepping.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct GpuInstance {
    /// World position.
    pub position: [f32; 3],
    /// Rotation, "smallest three" quantised to 2 + 3 x 10 bits (see [`pack_rotation`]).
    pub rotation: u32,
    /// Uniform scale as an IEEE half in the low 16 bits, material index in the high 16.
    pub scale_material: u32,
}

impl GpuInstance {
    /// Packs a transform and a material index.
    #[inline]
    pub fn new(position: Vec3, rotation: Quat, scale: f32, material: u16) -> GpuInstance {
        GpuInstance::from_packed(
            position,
            pack_rotation(rotation),
            scale_bits(scale),
            material,
        )
    }

    /// An instance from its packed parts: a rotation from [`pack_rotation`] or
    /// [`pack_rotations`], a scale from [`scale_bits`].
    #[inline]
    pub fn from_packed(position: Vec3, rotation: u32, scale: u16, material: u16) -> GpuInstance {
        GpuInstance {
            position: position.to_array(),
            rotation,
            scale_material: u32::from(scale) | (u32::from(material) << 16),
        }
    }

    /// The rotation, decoded as the shader decodes it.
    pub fn rotation(&self) -> Quat {
        unpack_rotation(self.rotation)
    }

    /// The scale, decoded.
    pub fn scale(&self) -> f32 {
        half::f16::from_bits(self.scale_material as u16).to_f32()
    }

    /// The material index.
    pub fn material(&self) -> u16 {
        (self.scale_material >> 16) as u16
    }
}

const COMPONENT_BITS: u32 = 10;
const COMPONENT_MAX: f32 = ((1 << (COMPONENT_BITS - 1)) - 1) as f32; // 511
/// The three smaller components of a unit quaternion lie in [-1/sqrt 2, 1/sqrt 2].
const RANGE: f32 = core::f32::consts::FRAC_1_SQRT_2;

/// A uniform scale as the instance stores it: an IEEE half.
#[inline]
pub fn scale_bits(scale: f32) -> u16 {
    half::f16::from_f32(scale).to_bits()
}

/// Quantises a rotation to 32 bits: the index of the largest component (2 bits) and the other
/// three as 10-bit signed values (the largest is rebuilt from the unit length; its sign is
/// made positive, as q and -q are the same rotation). Error: under 0.3 degrees.
#[inline]
pub fn pack_rotation(rotation: Quat) -> u32 {
    let [x, y, z, w] = rotation.to_array();
    pack_components(x, y, z, w)
}

/// 1.5 x 2^23: the floats near it are the integers, one apart, and its low 10 bits are 0.
const ROUNDER: f32 = 12_582_912.0;

/// Rotations packed together by [`pack_rotations`].
pub const ROTATION_LANES: usize = 8;

/// [`pack_rotation`] of [`ROTATION_LANES`] rotations at once, in SIMD registers: the same
/// arithmetic lane by lane, so the same bits, for a frame's million instances.
#[inline]
pub fn pack_rotations(rotations: &[Quat; ROTATION_LANES]) -> [u32; ROTATION_LANES] {
    // Components into lanes by 4x4 transposes (shuffles in registers): writing them one by
    // one to the stack and reading them back four at a time stalled every read on store
    // forwarding, which cost more than the packing itself.
    let mut lanes = [[0f32; ROTATION_LANES]; 4];
    for (half, four) in rotations.chunks_exact(4).enumerate() {
        let columns = Mat4::from_cols(
            four[0].into(),
            four[1].into(),
            four[2].into(),
            four[3].into(),
        )
        .transpose();
        for (lane, row) in lanes.iter_mut().zip([
            columns.x_axis,
            columns.y_axis,
            columns.z_axis,
            columns.w_axis,
        ]) {
            lane[half * 4..half * 4 + 4].copy_from_slice(&row.to_array());
        }
    }
    let [x, y, z, w] = lanes;
    let mut out = [0u32; ROTATION_LANES];
    for (l, bits) in out.iter_mut().enumerate() {
        *bits = pack_components(x[l], y[l], z[l], w[l]);
    }
    out
}

/// [`pack_rotation`] of a quaternion's components, with selects instead of branches and
/// indexing, so that [`pack_rotations`] runs it lane-wise.
#[inline(always)]
fn pack_components(x: f32, y: f32, z: f32, w: f32) -> u32 {
    // Grouped as glam's SSE2 dot product, (x² + z²) + (y² + w²): the bits this packing always
    // had natively, now on every target.
    let length_squared = (x * x + z * z) + (y * y + w * w);
    // NaN and zero fail this test: they pack as the identity.
    let valid = length_squared > 1e-12 && length_squared.is_finite();
    let inverse = length_squared.sqrt().recip();
    let pick = |c: f32, identity: f32| if valid { c * inverse } else { identity };
    let (x, y, z, w) = (pick(x, 0.0), pick(y, 0.0), pick(z, 0.0), pick(w, 1.0));
    // The largest component by magnitude (ties to the lower index).
    let (ax, ay, az, aw) = (x.abs(), y.abs(), z.abs(), w.abs());
    let y_over_x = ay > ax;
    let w_over_z = aw > az;
    let m01 = if y_over_x { ay } else { ax };
    let m23 = if w_over_z { aw } else { az };
    let upper = m23 > m01;
    let (is_x, is_w) = (!upper & !y_over_x, upper & w_over_z);
    let largest = if upper {
        2 + w_over_z as u32
    } else {
        y_over_x as u32
    };
    let big = if upper {
        if w_over_z { w } else { z }
    } else if y_over_x {
        y
    } else {
        x
    };
    // q and -q are the same rotation: make the largest positive.
    let sign = if big < 0.0 { -1.0 } else { 1.0 };
    let scale = COMPONENT_MAX / RANGE;
    // Round half away from zero: add a half away from zero, then truncate. `f32::round` and
    // `f32::trunc` are libm calls on baseline x86_64 (no SSE4.1), and `as i32` has no SSE2
    // vector form, so the truncation is done by the float adder: rounded to an integer at
    // `ROUNDER`'s scale, stepped back toward zero where that went away from zero, and read
    // from `ROUNDER + t`'s bits (its low 10 bits are t's two's complement). Exact for |t|
    // under 2^22; here |t| <= 511. (`max`/`min` rather than `clamp`: the same for these
    // finite values, and they vectorise.)
    let q = |c: f32| {
        #[expect(
            clippy::manual_clamp,
            reason = "clamp's NaN handling keeps the loop scalar; the values are finite"
        )]
        let x = (c * sign * scale).max(-COMPONENT_MAX).min(COMPONENT_MAX);
        let y = x + 0.5f32.copysign(x);
        let rounded = (y + ROUNDER) - ROUNDER;
        let t = if rounded.abs() > y.abs() {
            rounded - 1f32.copysign(y)
        } else {
            rounded
        };
        (t + ROUNDER).to_bits() & 0x3ff
    };
    // The three others, in index order.
    let a = if is_x { y } else { x };
    let b = if upper { y } else { z };
    let c = if is_w { z } else { w };
    largest | (q(a) << 2) | (q(b) << 12) | (q(c) << 22)
}

/// Decodes [`pack_rotation`] (the shader does the same in WGSL).
pub fn unpack_rotation(bits: u32) -> Quat {
    let largest = (bits & 3) as usize;
    let mut v = [0.0f32; 4];
    let mut shift = 2;
    let mut sum = 0.0;
    for (i, slot) in v.iter_mut().enumerate() {
        if i == largest {
            continue;
        }
        // Sign-extend the 10-bit field.
        let raw = (((bits >> shift) & 0x3ff) << 22) as i32 >> 22;
        *slot = raw as f32 / COMPONENT_MAX * RANGE;
        sum += *slot * *slot;
        shift += COMPONENT_BITS;
    }
    v[largest] = (1.0 - sum).max(0.0).sqrt();
    Quat::from_array(v).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::SmallRng};

    #[test]
    fn instance_is_20_bytes() {
        assert_eq!(size_of::<GpuInstance>(), 20);
    }

    #[test]
    fn rotation_round_trip_error_is_small() {
        let mut rng = SmallRng::seed_from_u64(5);
        let mut worst = 0.0f32;
        for _ in 0..100_000 {
            let q = Quat::from_xyzw(
                rng.random::<f32>() * 2.0 - 1.0,
                rng.random::<f32>() * 2.0 - 1.0,
                rng.random::<f32>() * 2.0 - 1.0,
                rng.random::<f32>() * 2.0 - 1.0,
            )
            .normalize();
            let back = unpack_rotation(pack_rotation(q));
            worst = worst.max(q.angle_between(back));
        }
        assert!(
            worst.to_degrees() < 0.3,
            "worst error {} degrees",
            worst.to_degrees()
        );
        assert_eq!(
            unpack_rotation(pack_rotation(Quat::IDENTITY)),
            Quat::IDENTITY
        );
        assert_eq!(
            unpack_rotation(pack_rotation(Quat::from_xyzw(f32::NAN, 0.0, 0.0, 1.0))),
            Quat::IDENTITY
        );
    }

    #[test]
    fn rotations_pack_the_same_in_lanes() {
        let mut rng = SmallRng::seed_from_u64(9);
        let special = [
            Quat::from_xyzw(f32::NAN, 0.0, 0.0, 1.0),
            Quat::from_xyzw(0.0, 0.0, 0.0, 0.0),
            Quat::from_xyzw(f32::INFINITY, 0.0, 0.0, 1.0),
            Quat::from_xyzw(0.0, -0.0, 0.0, -1.0),
            Quat::from_xyzw(0.5, -0.5, 0.5, -0.5),
            Quat::from_xyzw(3.0, 1.0, -2.0, 0.5), // not unit length
        ];
        for round in 0..20_000 {
            let rotations: [Quat; ROTATION_LANES] = core::array::from_fn(|l| match round {
                0 => special[l % special.len()],
                _ => Quat::from_xyzw(
                    rng.random::<f32>() * 2.0 - 1.0,
                    rng.random::<f32>() * 2.0 - 1.0,
                    rng.random::<f32>() * 2.0 - 1.0,
                    rng.random::<f32>() * 2.0 - 1.0,
                ),
            });
            let lanes = pack_rotations(&rotations);
            for (q, bits) in rotations.iter().zip(lanes) {
                assert_eq!(bits, pack_rotation(*q), "{q:?}");
            }
        }
    }

    #[test]
    fn scale_and_material_pack() {
        let i = GpuInstance::new(
            Vec3::new(1.0, 2.0, 3.0),
            Quat::from_rotation_y(1.0),
            0.75,
            513,
        );
        assert_eq!(
            (i.scale(), i.material(), i.position),
            (0.75, 513, [1.0, 2.0, 3.0])
        );
        assert!(i.rotation().angle_between(Quat::from_rotation_y(1.0)) < 0.01);
    }
}
