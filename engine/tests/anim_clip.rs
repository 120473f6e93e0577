//! Animation clips through the public API, against poses computed by hand: step, linear
//! (slerp for rotations) and cubic-spline sampling, clamping and looping, blending two clips,
//! and the typed errors for keys that cannot be sampled.

use core::f32::consts::FRAC_PI_2;

use layerw_engine::anim::{
    Channel, ChannelTarget, Clip, ClipError, Interpolation, JointPose, blend_poses,
};
use layerw_engine::glam::{Quat, Vec3, Vec4};

fn v(x: f32) -> Vec4 {
    Vec4::new(x, 0.0, 0.0, 0.0)
}

fn close(a: Vec4, b: Vec4) -> bool {
    (a - b).length() < 1e-5
}

#[test]
fn step_and_linear_sampling_clamp_at_the_ends() {
    let times = vec![1.0, 2.0, 4.0];
    let values = vec![v(0.0), v(10.0), v(30.0)];
    let step = Channel::new(
        0,
        ChannelTarget::Translation,
        Interpolation::Step,
        times.clone(),
        values.clone(),
    )
    .unwrap();
    let linear = Channel::new(
        0,
        ChannelTarget::Translation,
        Interpolation::Linear,
        times,
        values,
    )
    .unwrap();
    for (t, stepped, lerped) in [
        (0.0, 0.0, 0.0),
        (1.0, 0.0, 0.0),
        (1.5, 0.0, 5.0),
        (2.0, 10.0, 10.0),
        (3.0, 10.0, 20.0),
        (4.0, 30.0, 30.0),
        (9.0, 30.0, 30.0),
    ] {
        assert!(close(step.sample(t), v(stepped)), "step at {t}");
        assert!(close(linear.sample(t), v(lerped)), "linear at {t}");
    }
}

#[test]
fn rotations_slerp_along_the_arc() {
    let quarter = Quat::from_rotation_z(FRAC_PI_2);
    let channel = Channel::new(
        0,
        ChannelTarget::Rotation,
        Interpolation::Linear,
        vec![0.0, 1.0],
        vec![Vec4::from(Quat::IDENTITY), Vec4::from(quarter)],
    )
    .unwrap();
    // A third of the way: 30 degrees about Z (a normalised lerp would give about 28.3).
    let third = Quat::from_vec4(channel.sample(1.0 / 3.0));
    let expected = Quat::from_rotation_z(FRAC_PI_2 / 3.0);
    assert!(third.dot(expected).abs() > 1.0 - 1e-6, "{third:?}");
}

#[test]
fn cubic_splines_follow_the_hermite_basis() {
    // Keys at 0 and 2 with values 0 and 1, out-tangent 3 at the first, in-tangent -1 at the
    // second. At u = 0.5 (t = 1): h00 = 0.5, h10 = 0.125, h01 = 0.5, h11 = -0.125, tangents
    // scaled by the 2 s span: 0.5 * 0 + 0.125 * 6 + 0.5 * 1 - 0.125 * -2 = 1.5.
    let channel = Channel::new(
        0,
        ChannelTarget::Scale,
        Interpolation::CubicSpline,
        vec![0.0, 2.0],
        vec![v(9.0), v(0.0), v(3.0), v(-1.0), v(1.0), v(9.0)],
    )
    .unwrap();
    assert!(
        close(channel.sample(1.0), v(1.5)),
        "{}",
        channel.sample(1.0)
    );
    // At the keys, the values themselves (tangents 9 are never used there).
    assert!(close(channel.sample(0.0), v(0.0)));
    assert!(close(channel.sample(2.0), v(1.0)));
    // u = 0.25 (t = 0.5): h00 = 0.84375, h10 = 0.140625, h01 = 0.15625, h11 = -0.046875:
    // 0.140625 * 6 + 0.15625 - 0.046875 * -2 = 1.09375.
    assert!(
        close(channel.sample(0.5), v(1.09375)),
        "{}",
        channel.sample(0.5)
    );
}

fn walk() -> Clip {
    Clip::new(vec![
        Channel::new(
            1,
            ChannelTarget::Translation,
            Interpolation::Linear,
            vec![0.0, 2.0],
            vec![Vec4::ZERO, Vec4::new(0.0, 0.0, 4.0, 0.0)],
        )
        .unwrap(),
        Channel::new(
            0,
            ChannelTarget::Scale,
            Interpolation::Step,
            vec![0.0, 1.0],
            vec![Vec4::ONE, Vec4::splat(2.0)],
        )
        .unwrap(),
    ])
}

#[test]
fn clips_loop_or_hold_and_blend() {
    let clip = walk();
    assert_eq!(clip.duration(), 2.0);
    let mut pose = [JointPose::IDENTITY; 2];
    clip.sample(2.5, true, &mut pose);
    assert!((pose[1].translation - Vec3::new(0.0, 0.0, 1.0)).length() < 1e-6);
    assert_eq!(pose[0].scale, Vec3::ONE);
    clip.sample(2.5, false, &mut pose);
    assert!((pose[1].translation - Vec3::new(0.0, 0.0, 4.0)).length() < 1e-6);
    assert_eq!(pose[0].scale, Vec3::splat(2.0));
    // A joint past the slice is skipped, not a panic.
    let mut one = [JointPose::IDENTITY];
    clip.sample(1.0, false, &mut one);
    assert_eq!(one[0].scale, Vec3::splat(2.0));

    // Blending: a turn against the walk, a quarter of the way.
    let turn = Clip::new(vec![
        Channel::new(
            1,
            ChannelTarget::Rotation,
            Interpolation::Step,
            vec![0.0],
            vec![Vec4::from(Quat::from_rotation_y(FRAC_PI_2))],
        )
        .unwrap(),
    ]);
    let (mut a, mut b, mut out) = (
        [JointPose::IDENTITY; 2],
        [JointPose::IDENTITY; 2],
        [JointPose::IDENTITY; 2],
    );
    walk().sample(1.0, false, &mut a);
    turn.sample(1.0, false, &mut b);
    blend_poses(&a, &b, 0.25, &mut out);
    assert!((out[1].translation - Vec3::new(0.0, 0.0, 1.5)).length() < 1e-6);
    let expected = Quat::from_rotation_y(FRAC_PI_2 * 0.25);
    assert!(out[1].rotation.dot(expected).abs() > 1.0 - 1e-6);
    assert_eq!(out[0].scale, Vec3::splat(1.75));
}

#[test]
fn bad_keys_are_typed_errors() {
    let make = |times: Vec<f32>, values: Vec<Vec4>, interpolation| {
        Channel::new(0, ChannelTarget::Translation, interpolation, times, values)
    };
    assert_eq!(
        make(vec![], vec![], Interpolation::Linear),
        Err(ClipError::NoKeys)
    );
    assert_eq!(
        make(vec![0.0, 0.0], vec![v(0.0); 2], Interpolation::Linear),
        Err(ClipError::TimesNotIncreasing { key: 1 })
    );
    assert_eq!(
        make(vec![f32::NAN], vec![v(0.0)], Interpolation::Step),
        Err(ClipError::TimesNotIncreasing { key: 0 })
    );
    assert_eq!(
        make(vec![0.0, 1.0], vec![v(0.0); 2], Interpolation::CubicSpline),
        Err(ClipError::ValueCount {
            expected: 6,
            found: 2
        })
    );
    assert_eq!(
        make(vec![0.0], vec![v(f32::INFINITY)], Interpolation::Step),
        Err(ClipError::NonFinite { value: 0 })
    );
}

#[test]
fn skeletons_chain_parents_and_refuse_bad_joints() {
    use layerw_engine::anim::{Skeleton, SkeletonError};
    use layerw_engine::glam::Mat4;
    // An arm: a shoulder at the origin, an elbow 1 m along X, bound where they rest.
    let rest = vec![
        JointPose::IDENTITY,
        JointPose {
            translation: Vec3::X,
            ..JointPose::IDENTITY
        },
    ];
    let binds = vec![Mat4::IDENTITY, Mat4::from_translation(-Vec3::X)];
    let arm = Skeleton::new(vec![None, Some(0)], binds.clone(), rest.clone()).unwrap();
    // The shoulder turns 90 degrees about Z: a point 2 m out on the forearm, (2, 0, 0), goes
    // to (0, 2, 0) through the elbow's matrix (its parent's turn applied).
    let mut poses = rest.clone();
    poses[0].rotation = Quat::from_rotation_z(FRAC_PI_2);
    let mut matrices = Vec::new();
    arm.joint_matrices(&poses, &mut matrices);
    let p = matrices[1].transform_point3(Vec3::new(2.0, 0.0, 0.0));
    assert!((p - Vec3::new(0.0, 2.0, 0.0)).length() < 1e-5, "{p}");
    assert_eq!(
        Skeleton::new(vec![Some(1), None], binds.clone(), rest.clone()),
        Err(SkeletonError::ParentNotBefore {
            joint: 0,
            parent: 1
        })
    );
    assert!(matches!(
        Skeleton::new(vec![None], binds.clone(), rest.clone()),
        Err(SkeletonError::LengthMismatch { .. })
    ));
    let mut nan = binds;
    nan[1].w_axis.x = f32::NAN;
    assert_eq!(
        Skeleton::new(vec![None, Some(0)], nan, rest),
        Err(SkeletonError::NonFinite { joint: 1 })
    );
}
