//! Property-style tests of the quantising codecs: round trips within the stated errors, delta
//! decoding equal to full decoding, malformed and non-finite input, and the bits smooth motion
//! costs.

use glam::{DQuat, DVec3, Quat, Vec3};
use layerw_net::bits::{BitError, BitReader, BitWriter};
use layerw_net::codec::{
    BoolCodec, CodecError, DeltaWidths, NetCodec, PositionCodec, QuantizedRotation, RangeCodec,
    RotationCodec, UIntCodec,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Encodes with `write`, checks the bit count against `max_bits`, decodes with `read` and
/// checks all input was used.
fn round_trip<T>(
    max_bits: u32,
    write: impl FnOnce(&mut BitWriter),
    read: impl FnOnce(&mut BitReader<'_>) -> Result<T, BitError>,
) -> T {
    let mut writer = BitWriter::new();
    write(&mut writer);
    assert!(
        writer.bit_len() <= u64::from(max_bits),
        "{} bits",
        writer.bit_len()
    );
    let bytes = writer.into_bytes();
    let mut reader = BitReader::new(&bytes);
    let value = read(&mut reader).expect("decodes");
    reader.finish().expect("nothing left over");
    value
}

fn random_quat(rng: &mut SmallRng) -> Quat {
    loop {
        let v = glam::Vec4::new(
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.0..1.0),
        );
        if v.length_squared() > 0.01 && v.length_squared() <= 1.0 {
            // Normalised in f64 (scalar on every platform): the traces must be deterministic.
            return Quat::from_vec4(v.as_dvec4().normalize().as_vec4());
        }
    }
}

/// The rotation angle between two quaternions, in f64 (chord based: exact for tiny angles).
fn angle_between(a: Quat, b: Quat) -> f64 {
    let a = a.as_dquat().normalize();
    let b = b.as_dquat().normalize();
    let (a, b) = (glam::DVec4::from(a), glam::DVec4::from(b));
    let chord = (a - b).length().min((a + b).length());
    4.0 * (chord / 2.0).min(1.0).asin()
}

fn near_or_far(rng: &mut SmallRng, reference: f32, spread: f32) -> f32 {
    match rng.random_range(0..4) {
        0 => reference,
        1 => reference + rng.random_range(-0.05..0.05) * spread,
        2 => reference + rng.random_range(-1.0..1.0) * spread,
        _ => rng.random_range(-1.5..1.5) * spread,
    }
}

#[test]
fn constructors_validate_parameters() {
    assert_eq!(
        RangeCodec::new(0.0, 1.0, 0.0),
        Err(CodecError::InvalidPrecision { precision: 0.0 })
    );
    assert!(matches!(
        RangeCodec::new(0.0, 1.0, f32::NAN),
        Err(CodecError::InvalidPrecision { .. })
    ));
    assert_eq!(
        RangeCodec::new(0.0, 1.0, f32::INFINITY),
        Err(CodecError::InvalidPrecision {
            precision: f32::INFINITY
        })
    );
    assert_eq!(
        RangeCodec::new(2.0, 1.0, 0.1),
        Err(CodecError::InvalidRange { min: 2.0, max: 1.0 })
    );
    assert!(matches!(
        RangeCodec::new(f32::NEG_INFINITY, 1.0, 0.1),
        Err(CodecError::InvalidRange { .. })
    ));
    assert_eq!(
        RangeCodec::new(0.0, 1e10, 1e-3),
        Err(CodecError::BitsOutOfRange {
            bits: 44,
            minimum: 0,
            maximum: 32
        })
    );
    assert!(matches!(
        RangeCodec::new(1000.0, 2000.0, 1e-5),
        Err(CodecError::PrecisionBelowResolution { .. })
    ));
    assert_eq!(
        PositionCodec::new(Vec3::ZERO, Vec3::new(1.0, -1.0, 1.0), 0.1),
        Err(CodecError::InvalidRange {
            min: 0.0,
            max: -1.0
        })
    );
    for bits in [0, 5, 24, 64] {
        assert_eq!(
            RotationCodec::new(bits),
            Err(CodecError::BitsOutOfRange {
                bits,
                minimum: 6,
                maximum: 23
            })
        );
    }
    assert!(UIntCodec::new(0).is_err() && UIntCodec::new(33).is_err());
    assert!(UIntCodec::new(32).is_ok());

    // Bits follow from range and precision: 2048 m at 1 mm is 2,048,000 steps, 21 bits.
    let codec = PositionCodec::new(
        Vec3::splat(-1024.0),
        Vec3::new(1024.0, -1024.0, 1024.0),
        1e-3,
    )
    .unwrap();
    assert_eq!(codec.bits(), [21, 0, 21]);
    assert_eq!(codec.max_bits(), 44);
    assert!(codec.max_error().x <= 5e-4 + 1e-4);
    assert_eq!(RotationCodec::new(12).unwrap().max_bits(), 40);
}

#[test]
fn range_codec_round_trips_within_its_error() {
    let mut rng = SmallRng::seed_from_u64(20);
    for _ in 0..200 {
        let min = rng.random_range(-5000.0..5000.0f32);
        let max = min + rng.random_range(0.0..3000.0f32);
        let precision = 10f32.powf(rng.random_range(-2.5..1.0));
        let codec = RangeCodec::new(min, max, precision).unwrap();
        assert!(codec.max_error() <= precision / 2.0 + f32::EPSILON * 8192.0);
        for _ in 0..100 {
            let value = rng.random_range(min - 10.0..max + 10.0);
            let decoded = round_trip(
                codec.bits(),
                |w| codec.encode(value, w),
                |r| codec.decode(r),
            );
            let clamped = value.clamp(min, max);
            assert_eq!(codec.contains(value), value == clamped);
            let error = (f64::from(decoded) - f64::from(clamped)).abs();
            assert!(
                error <= f64::from(codec.max_error()),
                "{value} -> {decoded}"
            );
            // Decoded values quantise back to themselves.
            let quantized = codec.quantize(value);
            assert_eq!(codec.quantize(codec.dequantize(quantized)), quantized);
        }
    }
}

#[test]
fn position_codec_round_trips_within_its_error() {
    let mut rng = SmallRng::seed_from_u64(21);
    for _ in 0..100 {
        let min = Vec3::from(std::array::from_fn(|_| rng.random_range(-2000.0..0.0f32)));
        let max = min + Vec3::from(std::array::from_fn(|_| rng.random_range(0.0..2000.0f32)));
        let precision = 10f32.powf(rng.random_range(-2.5..0.0));
        let codec = PositionCodec::new(min, max, precision).unwrap();
        let bits: u32 = codec.bits().iter().sum();
        for _ in 0..100 {
            let value = Vec3::from(std::array::from_fn(|axis| {
                rng.random_range(min[axis] - 5.0..max[axis] + 5.0)
            }));
            let decoded = round_trip(bits, |w| codec.encode(value, w), |r| codec.decode(r));
            let clamped = value.clamp(min, max);
            assert_eq!(codec.contains(value), value == clamped);
            let error = (decoded.as_dvec3() - clamped.as_dvec3()).abs();
            assert!(
                error.cmple(codec.max_error().as_dvec3()).all(),
                "{value} -> {decoded}"
            );
            assert_eq!(decoded, codec.canonical(value));
            let quantized = codec.quantize(value);
            assert_eq!(codec.quantize(codec.dequantize(quantized)), quantized);
        }
    }
}

#[test]
fn rotation_codec_round_trips_within_its_error() {
    let mut rng = SmallRng::seed_from_u64(22);
    for bits in [6, 9, 10, 12, 15, 18, 23] {
        let codec = RotationCodec::new(bits).unwrap();
        let bound = f64::from(codec.max_error_radians());
        let mut worst = 0.0f64;
        for case in 0..4000 {
            let rotation = match case % 4 {
                // Ties between components, where the largest is hardest to pick.
                0 => {
                    let jitter =
                        glam::Vec4::from(std::array::from_fn(|_| rng.random_range(-1e-3..1e-3)));
                    Quat::from_vec4((glam::Vec4::splat(0.5) + jitter).normalize())
                }
                // Near an axis and near the identity, unnormalised.
                1 => Quat::from_xyzw(rng.random_range(-1e-3..1e-3), 0.0, 0.0, -3.0),
                _ => random_quat(&mut rng) * rng.random_range(0.5..2.0),
            };
            let decoded = round_trip(
                codec.max_bits(),
                |w| codec.encode(rotation, w),
                |r| codec.decode(r),
            );
            assert!(decoded.is_normalized(), "{decoded}");
            let angle = angle_between(rotation, decoded);
            worst = worst.max(angle);
            assert!(
                angle <= bound,
                "{bits} bits: {rotation} -> {decoded}: {angle} > {bound}"
            );
        }
        println!(
            "rotation {bits} bits: worst {:.3e} rad, stated {:.3e} rad ({:.4} deg)",
            worst,
            bound,
            bound.to_degrees()
        );
    }
}

#[test]
fn integer_and_bool_codecs_round_trip() {
    let mut rng = SmallRng::seed_from_u64(23);
    for bits in 1..=32 {
        let codec = UIntCodec::new(bits).unwrap();
        for _ in 0..200 {
            let value: u32 = rng.random::<u32>() >> rng.random_range(0..32);
            let reference: u32 = rng.random::<u32>() >> rng.random_range(0..32);
            let expected = value.min(codec.maximum());
            let full = round_trip(bits, |w| codec.encode(value, w), |r| codec.decode(r));
            assert_eq!(full, expected);
            let delta = round_trip(
                codec.max_bits(),
                |w| codec.encode_delta(value, reference, w),
                |r| codec.decode_delta(reference, r),
            );
            assert_eq!(delta, expected);
        }
    }
    for value in [false, true] {
        for reference in [false, true] {
            let decoded = round_trip(
                1,
                |w| BoolCodec.encode_delta(value, reference, w),
                |r| BoolCodec.decode_delta(reference, r),
            );
            assert_eq!(decoded, value);
        }
    }
}

#[test]
fn delta_decoding_equals_full_decoding_for_any_reference() {
    let mut rng = SmallRng::seed_from_u64(24);
    let position = PositionCodec::new(
        Vec3::new(-500.0, -20.0, -500.0),
        Vec3::new(500.0, 80.0, 500.0),
        1e-3,
    )
    .unwrap();
    let range = RangeCodec::new(-10.0, 30.0, 0.01).unwrap();
    let rotation = RotationCodec::new(11).unwrap();
    for _ in 0..10_000 {
        // Positions: references near, far, equal, outside the box, NaN.
        let reference = Vec3::from(std::array::from_fn(|_| rng.random_range(-600.0..600.0)));
        let value = Vec3::from(std::array::from_fn(|axis| {
            near_or_far(&mut rng, reference[axis], 600.0)
        }));
        let reference = if rng.random_range(0..50) == 0 {
            Vec3::NAN
        } else {
            reference
        };
        let full = position.canonical(value);
        let delta = round_trip(
            position.max_bits(),
            |w| position.encode_delta(value, reference, w),
            |r| position.decode_delta(reference, r),
        );
        assert_eq!(
            delta.to_array().map(f32::to_bits),
            full.to_array().map(f32::to_bits)
        );

        // Rotations: small and large turns from the reference, and unrelated ones.
        let reference = random_quat(&mut rng);
        let value = match rng.random_range(0..3) {
            0 => reference,
            1 => {
                let axis = random_quat(&mut rng).xyz().normalize();
                Quat::from_axis_angle(axis, rng.random_range(-0.2..0.2)) * reference
            }
            _ => random_quat(&mut rng),
        };
        let full = rotation.canonical(value);
        let delta = round_trip(
            rotation.max_bits(),
            |w| rotation.encode_delta(value, reference, w),
            |r| rotation.decode_delta(reference, r),
        );
        assert_eq!(
            delta.to_array().map(f32::to_bits),
            full.to_array().map(f32::to_bits)
        );

        let reference = rng.random_range(-20.0..40.0);
        let value = near_or_far(&mut rng, reference, 30.0);
        let delta = round_trip(
            range.max_bits(),
            |w| range.encode_delta(value, reference, w),
            |r| range.decode_delta(reference, r),
        );
        assert_eq!(delta.to_bits(), range.canonical(value).to_bits());
    }
}

#[test]
fn non_finite_inputs_do_not_panic() {
    let position = PositionCodec::new(Vec3::splat(-10.0), Vec3::splat(10.0), 0.01).unwrap();
    let rotation = RotationCodec::new(10).unwrap();
    let range = RangeCodec::new(-1.0, 1.0, 0.001).unwrap();
    let odd = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.0,
        -0.0,
        f32::MAX,
        f32::MIN,
    ];
    // NaN is clamped to the minimum, infinities to the nearest bound.
    assert_eq!(position.canonical(Vec3::NAN), Vec3::splat(-10.0));
    let clamped = position.canonical(Vec3::new(f32::INFINITY, f32::NEG_INFINITY, 3.0));
    assert_eq!(clamped.truncate(), glam::Vec2::new(10.0, -10.0));
    assert!((clamped.z - 3.0).abs() <= position.max_error().z);
    assert!(!position.contains(Vec3::new(0.0, f32::NAN, 0.0)));
    assert_eq!(range.canonical(f32::NAN), -1.0);
    for &a in &odd {
        for &b in &odd {
            let value = Vec3::new(a, b, 1.0);
            let decoded = round_trip(
                position.max_bits(),
                |w| position.encode_delta(value, Vec3::new(b, a, f32::NAN), w),
                |r| position.decode_delta(Vec3::new(b, a, f32::NAN), r),
            );
            assert!(decoded.is_finite() && position.contains(decoded));
            let quat = Quat::from_xyzw(a, b, 0.5, 0.5);
            let decoded = round_trip(
                rotation.max_bits(),
                |w| rotation.encode_delta(quat, Quat::from_xyzw(b, a, 0.0, 0.0), w),
                |r| rotation.decode_delta(Quat::from_xyzw(b, a, 0.0, 0.0), r),
            );
            assert!(decoded.is_finite() && decoded.is_normalized());
            let decoded = round_trip(
                range.max_bits(),
                |w| range.encode(a, w),
                |r| range.decode(r),
            );
            assert!(decoded.is_finite());
        }
    }
    // Zero, NaN and infinite quaternions are the identity.
    for quat in [
        Quat::from_xyzw(0.0, 0.0, 0.0, 0.0),
        Quat::NAN,
        Quat::from_xyzw(f32::INFINITY, 0.0, 0.0, 1.0),
    ] {
        assert_eq!(rotation.canonical(quat), Quat::IDENTITY);
    }
}

#[test]
fn malformed_input_is_an_error_never_a_panic() {
    let mut rng = SmallRng::seed_from_u64(25);
    let position = PositionCodec::new(Vec3::splat(-100.0), Vec3::splat(100.0), 0.003).unwrap();
    let rotation = RotationCodec::new(9).unwrap();
    // Every proper prefix of a stream of deltas fails somewhere.
    let mut writer = BitWriter::new();
    let mut values = Vec::new();
    for _ in 0..20 {
        let (value, reference) = (random_quat(&mut rng), random_quat(&mut rng));
        let (p, q) = (Vec3::splat(rng.random_range(-99.0..99.0)), Vec3::splat(1.0));
        rotation.encode_delta(value, reference, &mut writer);
        position.encode_delta(p, q, &mut writer);
        values.push((reference, q));
    }
    let bytes = writer.into_bytes();
    for cut in 0..bytes.len() {
        let mut reader = BitReader::new(&bytes[..cut]);
        let complete = values.iter().all(|&(reference, q)| {
            rotation.decode_delta(reference, &mut reader).is_ok()
                && position.decode_delta(q, &mut reader).is_ok()
        });
        assert!(!complete, "a prefix of {cut} bytes decoded completely");
    }
    // Random bytes decode to an error or to a value inside the codec's range.
    let mut out_of_range = 0;
    for _ in 0..5000 {
        let garbage: Vec<u8> = (0..rng.random_range(0..16)).map(|_| rng.random()).collect();
        let mut reader = BitReader::new(&garbage);
        match position.decode_delta(Vec3::splat(99.9), &mut reader) {
            Ok(value) => assert!(position.contains(value)),
            Err(BitError::DeltaOutOfRange { .. } | BitError::ValueOutOfRange { .. }) => {
                out_of_range += 1
            }
            Err(_) => {}
        }
        let mut reader = BitReader::new(&garbage);
        if let Ok(value) = rotation.decode_delta(Quat::IDENTITY, &mut reader) {
            assert!(value.is_normalized());
        }
    }
    assert!(out_of_range > 0, "out-of-range deltas were never produced");
    // The one 9-bit pattern no component quantises to.
    let bytes = [0xff; 8];
    assert_eq!(
        rotation.decode(&mut BitReader::new(&bytes)),
        Err(BitError::ValueOutOfRange {
            value: 511,
            maximum: 510
        })
    );
    let quantized = QuantizedRotation {
        largest: 3,
        components: [510, 0, 255],
    };
    assert!(rotation.dequantize(quantized).is_normalized());
}

#[test]
fn codecs_can_be_held_as_trait_objects() {
    let codecs: Vec<Box<dyn NetCodec<Vec3>>> = vec![
        Box::new(PositionCodec::new(Vec3::ZERO, Vec3::ONE, 0.01).unwrap()),
        Box::new(PositionCodec::new(Vec3::ZERO, Vec3::ONE, 0.1).unwrap()),
    ];
    let value = Vec3::new(0.25, 0.5, 0.75);
    let mut writer = BitWriter::new();
    for codec in &codecs {
        codec.encode_delta(value, Vec3::ZERO, &mut writer);
    }
    let bytes = writer.into_bytes();
    let mut reader = BitReader::new(&bytes);
    for codec in &codecs {
        assert_eq!(
            codec.decode_delta(Vec3::ZERO, &mut reader),
            Ok(codec.canonical(value))
        );
    }
    reader.finish().unwrap();
}

/// A deterministic smooth trace: `entities` positions at 1 m/s in the horizontal plane, turning
/// slowly (sqrt only, no transcendental functions, so every platform gives the same floats).
fn position_trace(entities: usize, ticks: usize) -> Vec<Vec<Vec3>> {
    let mut rng = SmallRng::seed_from_u64(30);
    (0..entities)
        .map(|_| {
            let mut position = DVec3::new(
                rng.random_range(-400.0..400.0),
                1.0,
                rng.random_range(-400.0..400.0),
            );
            let mut velocity = DVec3::new(
                rng.random_range(-1.0..1.0),
                0.0,
                rng.random_range(-1.0..1.0),
            )
            .normalize();
            let turn = rng.random_range(-0.01..0.01);
            (0..ticks)
                .map(|_| {
                    position += velocity / 30.0;
                    velocity =
                        (velocity + turn * DVec3::new(-velocity.z, 0.0, velocity.x)).normalize();
                    position.as_vec3()
                })
                .collect()
        })
        .collect()
}

/// Rotations spinning 90 degrees a second about a random axis, at 30 Hz.
fn rotation_trace(entities: usize, ticks: usize) -> Vec<Vec<Quat>> {
    // cos and sin of 1.5 degrees (half of 3 degrees a tick), as literals for determinism.
    let (cos, sin) = (0.999_657_324_975_557_3, 0.026_176_948_307_873_15);
    let mut rng = SmallRng::seed_from_u64(31);
    (0..entities)
        .map(|_| {
            let axis =
                DVec3::from(std::array::from_fn(|_| rng.random_range(-1.0..1.0))).normalize();
            let step = DQuat::from_xyzw(axis.x * sin, axis.y * sin, axis.z * sin, cos);
            let mut rotation = random_quat(&mut rng).as_dquat();
            (0..ticks)
                .map(|_| {
                    rotation = (step * rotation).normalize();
                    rotation.as_quat()
                })
                .collect()
        })
        .collect()
}

/// Total bits of every delta of `trace` against the value `age` ticks back (or, with `age` 0,
/// against a prediction from the two previous canonical values).
fn trace_bits<T: Copy>(
    codec: &dyn NetCodec<T>,
    trace: &[Vec<T>],
    age: usize,
    predict: impl Fn(T, T) -> T,
) -> (u64, u64) {
    let mut writer = BitWriter::new();
    let mut count = 0;
    for entity in trace {
        let canonical: Vec<T> = entity.iter().map(|&v| codec.canonical(v)).collect();
        for tick in 4..entity.len() {
            let reference = if age == 0 {
                predict(canonical[tick - 2], canonical[tick - 1])
            } else {
                canonical[tick - age]
            };
            codec.encode_delta(entity[tick], reference, &mut writer);
            count += 1;
        }
    }
    (writer.bit_len(), count)
}

#[test]
fn smooth_motion_bits_per_entity() {
    let positions = position_trace(64, 150);
    let rotations = rotation_trace(64, 150);
    let position_codec = PositionCodec::new(
        Vec3::new(-1024.0, -64.0, -1024.0),
        Vec3::new(1024.0, 64.0, 1024.0),
        1e-3,
    )
    .unwrap();
    let rotation_codec = RotationCodec::new(12).unwrap();
    let extrapolate_position = |older: Vec3, newer: Vec3| newer + (newer - older);
    let extrapolate_rotation = |older: Quat, newer: Quat| {
        let (older, newer) = (older.as_dquat(), newer.as_dquat());
        ((newer * older.inverse()) * newer).as_quat()
    };

    let mut totals = Vec::new();
    println!(
        "full: position {} bits, rotation {} bits",
        position_codec.bits().iter().sum::<u32>(),
        2 + 3 * 12
    );
    for widths in [
        [2, 7, 9],
        [3, 7, 10],
        [4, 7, 11],
        [3, 6, 9],
        [2, 6, 9],
        [2, 5, 8],
        [2, 8, 10],
    ] {
        let widths = DeltaWidths::new(widths).unwrap();
        let position = position_codec.with_delta_widths(widths);
        let rotation = rotation_codec.with_delta_widths(widths);
        let mut line = format!("widths {:?}:", widths.widths());
        for (label, age) in [("1 tick", 1), ("4 ticks", 4), ("predicted", 0)] {
            let (bits, count) = trace_bits(&position, &positions, age, extrapolate_position);
            let (rbits, rcount) = trace_bits(&rotation, &rotations, age, extrapolate_rotation);
            line += &format!(
                "  {label}: position {:.2}, rotation {:.2}",
                bits as f64 / count as f64,
                rbits as f64 / rcount as f64
            );
            if widths == DeltaWidths::DEFAULT {
                totals.push((bits, rbits));
            }
        }
        println!("{line}");
    }
    // Deterministic (seeded trace, no transcendental functions): the default widths' totals.
    let count = 64 * (150 - 4);
    let averages: Vec<(f64, f64)> = totals
        .iter()
        .map(|&(p, r)| (p as f64 / count as f64, r as f64 / count as f64))
        .collect();
    println!("default widths, bits per entity (1 tick, 4 ticks, predicted): {averages:?}");
    // Per (position, rotation): 1 tick old, 4 ticks old, predicted. Full values cost 59 and 40.
    assert_eq!(
        totals,
        vec![(210154, 303782), (251932, 365263), (64672, 88310)]
    );
}
