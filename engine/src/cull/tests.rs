//! Tests of the culling core: frustum sanity, sphere culling (serial, parallel) and BVH queries
//! against a brute-force reference on random scenes, the BVH under random incremental changes.

use std::collections::HashMap;

use glam::camera::rh::{proj::directx, view};
use glam::{Affine3A, Mat4, Quat, Vec3, Vec4};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::*;

/// The brute-force sphere test: a naive loop over the planes.
fn brute_sphere(planes: &[Vec4; 6], c: Vec3, r: f32) -> bool {
    for p in planes {
        let d = p.x * c.x + p.y * c.y + p.z * c.z + p.w;
        if d < -r {
            return false;
        }
    }
    true
}

/// The brute-force box test: for each plane, the corner farthest along its normal.
fn brute_aabb(planes: &[Vec4; 6], b: &Aabb) -> bool {
    for p in planes {
        let x = if p.x >= 0.0 { b.max.x } else { b.min.x };
        let y = if p.y >= 0.0 { b.max.y } else { b.min.y };
        let z = if p.z >= 0.0 { b.max.z } else { b.min.z };
        if p.x * x + p.y * y + p.z * z + p.w < 0.0 {
            return false;
        }
    }
    true
}

fn brute_spheres(frustum: &Frustum, spheres: &Spheres) -> Vec<u32> {
    (0..spheres.len() as u32)
        .filter(|&i| {
            let (c, r) = spheres.get(i).unwrap();
            brute_sphere(frustum.planes(), c, r)
        })
        .collect()
}

fn brute_boxes(frustum: &Frustum, items: &HashMap<u32, Aabb>) -> Vec<u32> {
    let mut ids: Vec<u32> = items
        .iter()
        .filter(|(_, b)| brute_aabb(frustum.planes(), b))
        .map(|(&id, _)| id)
        .collect();
    ids.sort_unstable();
    ids
}

/// A camera: its view-projection, inverse, and eye.
struct Camera {
    view_projection: Mat4,
    inverse: Mat4,
    eye: Vec3,
    far: f32,
}

fn random_unit(rng: &mut SmallRng) -> Vec3 {
    loop {
        let v = Vec3::new(
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.0..1.0),
        );
        let l = v.length();
        if l > 0.1 && l <= 1.0 {
            return v / l;
        }
    }
}

fn random_camera(rng: &mut SmallRng, orthographic: bool) -> Camera {
    let eye = random_unit(rng) * rng.random_range(0.0..200.0);
    let mut dir = random_unit(rng);
    if rng.random_bool(0.2) {
        dir = Vec3::NEG_Z; // axis-aligned planes make exact ties likelier
    }
    let up = if dir.cross(Vec3::Y).length() < 0.1 {
        Vec3::X
    } else {
        Vec3::Y
    };
    let view = view::look_at_mat4(eye, eye + dir, up);
    let (proj, far) = if orthographic {
        let (w, h) = (rng.random_range(1.0..100.0), rng.random_range(1.0..100.0));
        let near = rng.random_range(-50.0..1.0);
        let far = near + rng.random_range(1.0..500.0);
        (directx::orthographic(-w, w, -h, h, near, far), far)
    } else {
        let near = rng.random_range(0.01..1.0);
        let far = rng.random_range(10.0..1000.0);
        let fov = rng.random_range(0.2..2.8);
        let aspect = rng.random_range(0.3..3.0);
        (directx::perspective(fov, aspect, near, far), far)
    };
    let view_projection = proj * view;
    Camera {
        view_projection,
        inverse: view_projection.inverse(),
        eye,
        far: far.abs().max(10.0),
    }
}

/// A random point inside the camera's clip volume.
fn point_inside(rng: &mut SmallRng, cam: &Camera) -> Vec3 {
    let ndc = Vec3::new(
        rng.random_range(-1.0..1.0),
        rng.random_range(-1.0..1.0),
        rng.random_range(0.0..1.0f32).powi(4), // perspective depth crowds the far end
    );
    cam.inverse.project_point3(ndc)
}

/// A random sphere of one of the awkward kinds: anywhere, inside, straddling a plane, just
/// outside a plane, tiny just outside a plane, touching a plane from outside to the last bit,
/// or huge around the camera.
fn random_sphere(rng: &mut SmallRng, cam: &Camera, frustum: &Frustum) -> (Vec3, f32) {
    let planes = frustum.planes();
    match rng.random_range(0..8) {
        7 => {
            // The radius is exactly minus the (computed) distance to one plane: a tie.
            let c = cam.eye + random_unit(rng) * rng.random_range(0.0..cam.far * 1.5);
            let p = planes[rng.random_range(0..6)];
            let d = p.x * c.x + p.y * c.y + p.z * c.z + p.w;
            (
                c,
                if d < 0.0 {
                    -d
                } else {
                    rng.random_range(0.0..1.0)
                },
            )
        }
        0 => (
            cam.eye + random_unit(rng) * rng.random_range(0.0..cam.far * 1.5),
            rng.random_range(0.0..cam.far * 0.05),
        ),
        1 => (point_inside(rng, cam), rng.random_range(0.0..5.0)),
        kind => {
            let p = planes[rng.random_range(0..6)];
            let n = p.truncate();
            let q = point_inside(rng, cam);
            let on_plane = q - n * (n.dot(q) + p.w);
            match kind {
                2 => {
                    // straddling, or touching from either side
                    let r = rng.random_range(0.0..10.0);
                    (on_plane + n * rng.random_range(-1.2..1.2) * r, r)
                }
                3 => {
                    let r = rng.random_range(0.0..10.0);
                    (on_plane - n * (r + rng.random_range(1e-3..1.0)), r)
                }
                4 => {
                    let r = 1e-3;
                    (on_plane - n * (r + 1e-4 * (1.0 + on_plane.length())), r)
                }
                5 => {
                    let r = rng.random_range(0.0..1e-2);
                    (on_plane + n * rng.random_range(-2.0..2.0) * r, r)
                }
                _ => (
                    cam.eye + random_unit(rng) * rng.random_range(0.0..10.0),
                    rng.random_range(50.0..1e5),
                ),
            }
        }
    }
}

fn random_scene(rng: &mut SmallRng, cam: &Camera, frustum: &Frustum, n: usize) -> Spheres {
    let mut spheres = Spheres::with_capacity(n);
    for _ in 0..n {
        let (c, r) = random_sphere(rng, cam, frustum);
        spheres.push(c, r);
    }
    spheres
}

#[test]
fn frustum_sphere_in_front_visible_behind_and_beyond_far_not() {
    let view = view::look_at_mat4(Vec3::new(1.0, 2.0, 3.0), Vec3::new(1.0, 2.0, -7.0), Vec3::Y);
    let f = Frustum::from_view_projection(directx::perspective(1.2, 1.6, 0.5, 100.0) * view);
    let eye = Vec3::new(1.0, 2.0, 3.0);
    assert!(f.contains_sphere(eye + Vec3::new(0.0, 0.0, -10.0), 0.1));
    assert!(f.contains_point(eye + Vec3::new(0.0, 0.0, -99.0)));
    assert!(
        !f.contains_sphere(eye + Vec3::new(0.0, 0.0, 10.0), 1.0),
        "behind"
    );
    assert!(
        !f.contains_sphere(eye + Vec3::new(0.0, 0.0, -0.1), 0.1),
        "before near"
    );
    assert!(
        !f.contains_sphere(eye + Vec3::new(0.0, 0.0, -102.0), 1.0),
        "beyond far"
    );
    assert!(
        f.contains_sphere(eye + Vec3::new(0.0, 0.0, -100.5), 1.0),
        "straddles far"
    );
    assert!(
        !f.contains_sphere(eye + Vec3::new(100.0, 0.0, -10.0), 1.0),
        "far right"
    );
    assert!(f.contains_sphere(eye, 1.0), "around the camera");
    assert!(
        f.contains_sphere(eye + Vec3::new(0.0, 0.0, 50.0), 1e3),
        "huge, behind"
    );
    assert!(f.intersects_aabb(eye - Vec3::ONE, eye + Vec3::ONE));
    assert!(!f.intersects_aabb(eye + Vec3::new(-1.0, -1.0, 1.0), eye + Vec3::ONE * 2.0));
    assert!(f.contains_aabb(
        eye + Vec3::new(-1.0, -1.0, -20.0),
        eye + Vec3::new(1.0, 1.0, -10.0)
    ));
    assert!(!f.contains_aabb(eye - Vec3::ONE, eye + Vec3::ONE));
}

#[test]
fn frustum_planes_are_unit_and_inward() {
    let mut rng = SmallRng::seed_from_u64(11);
    for i in 0..200 {
        let cam = random_camera(&mut rng, i % 2 == 1);
        let f = Frustum::from_view_projection(cam.view_projection);
        // The clip volume's center is inside every plane.
        let center = cam.inverse.project_point3(Vec3::new(0.0, 0.0, 0.5));
        for p in f.planes() {
            assert!((p.truncate().length() - 1.0).abs() < 1e-5, "{p}");
            assert!(p.truncate().dot(center) + p.w > 0.0, "{p} faces outward");
        }
    }
}

#[test]
fn frustum_points_agree_with_clip_space() {
    // An independent reference for the planes: the clip-space test of the projected point.
    let mut rng = SmallRng::seed_from_u64(12);
    let (mut inside, mut outside) = (0, 0);
    for i in 0..200 {
        let cam = random_camera(&mut rng, i % 2 == 1);
        let f = Frustum::from_view_projection(cam.view_projection);
        for _ in 0..500 {
            let p = cam.eye + random_unit(&mut rng) * rng.random_range(0.0..cam.far * 1.5);
            let clip = cam.view_projection * p.extend(1.0);
            let w = clip.w;
            let margins = [
                w + clip.x,
                w - clip.x,
                w + clip.y,
                w - clip.y,
                clip.z,
                w - clip.z,
            ];
            let eps = 1e-3 * w.abs().max(1.0);
            if margins.iter().all(|&m| m > eps) {
                assert!(f.contains_point(p), "{p} is inside clip space");
                inside += 1;
            } else if margins.iter().any(|&m| m < -eps) {
                assert!(!f.contains_point(p), "{p} is outside clip space");
                outside += 1;
            }
        }
    }
    assert!(inside > 1000 && outside > 1000, "{inside} {outside}");
}

#[test]
fn infinite_far_plane_passes_everything_far() {
    let proj = directx::perspective_infinite_reverse(1.0, 1.0, 0.1);
    let view = view::look_at_mat4(Vec3::ZERO, Vec3::NEG_Z, Vec3::Y);
    let f = Frustum::from_view_projection(proj * view);
    assert!(f.contains_sphere(Vec3::new(0.0, 0.0, -1e7), 1.0));
    assert!(!f.contains_sphere(Vec3::new(0.0, 0.0, 1.0), 0.5));
    assert!(
        !f.contains_sphere(Vec3::new(0.0, 0.0, -0.05), 0.01),
        "before near"
    );
}

#[test]
fn shadow_casters_are_culled_against_the_light_frustum() {
    // The camera looks along -Z; the sun shines straight down. A tall tower behind the camera
    // is invisible but casts a shadow into the view if it is inside the light's column.
    let cam_view = view::look_at_mat4(Vec3::new(0.0, 2.0, 0.0), Vec3::new(0.0, 2.0, -1.0), Vec3::Y);
    let camera =
        Frustum::from_view_projection(directx::perspective(1.0, 1.0, 0.1, 60.0) * cam_view);
    let light_view = view::look_at_mat4(
        Vec3::new(0.0, 100.0, -20.0),
        Vec3::new(0.0, 0.0, -20.0),
        Vec3::NEG_Z,
    );
    let light = Frustum::from_view_projection(
        directx::orthographic(-40.0, 40.0, -40.0, 40.0, 0.0, 200.0) * light_view,
    );
    let tower = Aabb::new(Vec3::new(-1.0, 0.0, 5.0), Vec3::new(1.0, 30.0, 7.0));
    assert!(!camera.intersects(&tower));
    assert!(light.intersects(&tower));
    let far_away = Aabb::from_sphere(Vec3::new(100.0, 0.0, -20.0), 2.0);
    assert!(!light.intersects(&far_away));
    let below = Aabb::from_sphere(Vec3::new(0.0, -150.0, -20.0), 2.0);
    assert!(!light.intersects(&below), "beyond the light's far plane");
    // And through the BVH.
    let bvh = Bvh::build([(1, tower), (2, far_away), (3, below)]);
    let mut casters = Vec::new();
    bvh.query_frustum(&light, &mut casters);
    assert_eq!(casters, [1]);
}

fn check_cull(seed: u64, orthographic: bool) {
    let mut rng = SmallRng::seed_from_u64(seed);
    // Three threads natively; WASI has none to spawn (there the parallel path is the serial
    // one anyway).
    #[cfg(not(target_family = "wasm"))]
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let (mut visible, mut total) = (0, 0);
    let (mut serial, mut parallel) = (Vec::new(), Vec::new());
    for round in 0..40 {
        let cam = random_camera(&mut rng, orthographic);
        let frustum = Frustum::from_view_projection(cam.view_projection);
        // Small scenes exercise the tails; every eighth one is large enough to go parallel.
        let n = if round % 8 == 7 {
            70_001
        } else {
            rng.random_range(0..3000)
        };
        let spheres = random_scene(&mut rng, &cam, &frustum, n);
        let expected = brute_spheres(&frustum, &spheres);
        cull_spheres(&frustum, &spheres, &mut serial);
        assert_eq!(serial, expected, "serial, round {round}");
        parallel.push(12345); // must be cleared
        #[cfg(not(target_family = "wasm"))]
        pool.install(|| par_cull_spheres(&frustum, &spheres, &mut parallel));
        #[cfg(target_family = "wasm")]
        par_cull_spheres(&frustum, &spheres, &mut parallel);
        assert_eq!(parallel, expected, "parallel, round {round}");
        for &i in &expected {
            let (c, r) = spheres.get(i).unwrap();
            assert!(frustum.contains_sphere(c, r));
        }
        visible += expected.len();
        total += n;
    }
    assert!(
        visible > total / 10 && visible < total * 9 / 10,
        "{visible} of {total}"
    );
}

#[test]
fn cull_perspective_serial_parallel_brute_force_agree() {
    check_cull(1, false);
}

#[test]
fn cull_orthographic_serial_parallel_brute_force_agree() {
    check_cull(2, true);
}

#[test]
fn cull_every_length_and_lane() {
    // Each lane of the 8-wide loop and each tail length, visible alone.
    let view = view::look_at_mat4(Vec3::ZERO, Vec3::NEG_Z, Vec3::Y);
    let f = Frustum::from_view_projection(directx::perspective(1.0, 1.0, 0.1, 100.0) * view);
    let mut out = Vec::new();
    for len in 0..40u32 {
        for visible in 0..len {
            let mut s = Spheres::new();
            for i in 0..len {
                let z = if i == visible { -10.0 } else { 10.0 };
                s.push(Vec3::new(0.0, 0.0, z), 1.0);
            }
            cull_spheres(&f, &s, &mut out);
            assert_eq!(out, [visible], "len {len}");
        }
    }
    let mut s = Spheres::new();
    for i in 0..100 {
        s.push(Vec3::new(0.0, 0.0, -10.0 - i as f32 * 0.5), 1.0);
    }
    s.set(50, Vec3::new(0.0, 0.0, 10.0), 1.0);
    cull_spheres(&f, &s, &mut out);
    assert_eq!(out, (0..100).filter(|&i| i != 50).collect::<Vec<_>>());
    s.clear();
    assert!(s.is_empty());
    cull_spheres(&f, &s, &mut out);
    assert!(out.is_empty());
}

/// Random boxes of the awkward kinds, from the sphere generator, stretched, plus flat and point
/// boxes, and a cluster of identical boxes.
fn random_box(rng: &mut SmallRng, cam: &Camera, frustum: &Frustum) -> Aabb {
    let (c, r) = random_sphere(rng, cam, frustum);
    match rng.random_range(0..6) {
        0 => Aabb::new(c, c),
        1 => Aabb::new(c, c + Vec3::new(r, 0.0, r)),
        2 => Aabb::from_center_half_extents(
            c,
            Vec3::new(
                rng.random_range(0.0..1.0),
                rng.random_range(0.0..1.0),
                rng.random_range(0.0..1.0),
            ) * r,
        ),
        3 => Aabb::from_sphere(cam.eye, 1.0),
        _ => Aabb::from_sphere(c, r),
    }
}

#[test]
fn bvh_query_equals_brute_force() {
    let mut rng = SmallRng::seed_from_u64(5);
    let (mut visible, mut total) = (0, 0);
    let mut out = Vec::new();
    for round in 0..40 {
        let cam = random_camera(&mut rng, round % 2 == 1);
        let frustum = Frustum::from_view_projection(cam.view_projection);
        let n = if round % 10 == 9 {
            50_000
        } else {
            rng.random_range(0..3000)
        };
        let items: HashMap<u32, Aabb> = (0..n)
            .map(|_| (rng.random::<u32>(), random_box(&mut rng, &cam, &frustum)))
            .collect();
        let bvh = Bvh::build(items.iter().map(|(&id, &b)| (id, b)));
        bvh.check_invariants();
        assert_eq!(bvh.len(), items.len());
        let expected = brute_boxes(&frustum, &items);
        bvh.query_frustum(&frustum, &mut out);
        assert_eq!(out, expected, "round {round}");
        // Other cameras on the same tree.
        for _ in 0..5 {
            let ortho = rng.random_bool(0.5);
            let cam = random_camera(&mut rng, ortho);
            let frustum = Frustum::from_view_projection(cam.view_projection);
            bvh.query_frustum(&frustum, &mut out);
            assert_eq!(out, brute_boxes(&frustum, &items), "round {round}");
            for id in &out {
                assert!(frustum.intersects(&items[id]));
            }
        }
        visible += expected.len();
        total += items.len();
    }
    assert!(
        visible > total / 10 && visible < total * 9 / 10,
        "{visible} of {total}"
    );
}

fn check_bvh_incremental(seed: u64, automatic: bool) -> (usize, usize) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let cam = random_camera(&mut rng, false);
    let frustum = Frustum::from_view_projection(cam.view_projection);
    let mut model: HashMap<u32, Aabb> = (0..2000u32)
        .map(|id| (id * 3, random_box(&mut rng, &cam, &frustum)))
        .collect();
    let mut bvh = Bvh::build(model.iter().map(|(&id, &b)| (id, b)));
    bvh.set_policy(RebuildPolicy {
        automatic,
        ..RebuildPolicy::default()
    });
    let (mut max_overflow, mut rebuilds) = (0, 0);
    let mut out = Vec::new();
    let mut ids: Vec<u32> = model.keys().copied().collect();
    for step in 0..6000 {
        let changes = bvh.changes_since_build();
        match rng.random_range(0..10) {
            0..=2 if !ids.is_empty() => {
                let id = ids.swap_remove(rng.random_range(0..ids.len()));
                assert!(bvh.remove(id));
                model.remove(&id);
                assert!(!bvh.remove(id));
            }
            3..=5 => {
                let id = rng.random_range(0..20_000);
                let b = random_box(&mut rng, &cam, &frustum);
                let new = bvh.insert(id, b);
                assert_eq!(new, model.insert(id, b).is_none());
                if new {
                    ids.push(id);
                }
            }
            6..=8 if !ids.is_empty() => {
                // a small move, or a jump anywhere
                let id = ids[rng.random_range(0..ids.len())];
                let b = if rng.random_bool(0.5) {
                    let d = random_unit(&mut rng) * rng.random_range(0.0..2.0);
                    Aabb::new(model[&id].min + d, model[&id].max + d)
                } else {
                    random_box(&mut rng, &cam, &frustum)
                };
                assert!(bvh.update(id, b));
                model.insert(id, b);
            }
            _ => assert!(!bvh.update(20_000 + step, Aabb::from_sphere(Vec3::ZERO, 1.0))),
        }
        if bvh.changes_since_build() < changes {
            rebuilds += 1;
        }
        max_overflow = max_overflow.max(bvh.overflow_len());
        assert_eq!(bvh.len(), model.len());
        if step % 50 == 0 {
            bvh.check_invariants();
            for (id, b) in &model {
                assert_eq!(bvh.get(*id), Some(*b));
            }
            for _ in 0..3 {
                let ortho = rng.random_bool(0.5);
                let cam = random_camera(&mut rng, ortho);
                let f = Frustum::from_view_projection(cam.view_projection);
                bvh.query_frustum(&f, &mut out);
                assert_eq!(out, brute_boxes(&f, &model), "step {step}");
            }
            bvh.query_frustum(&frustum, &mut out);
            assert_eq!(out, brute_boxes(&frustum, &model), "step {step}");
        }
    }
    bvh.rebuild();
    bvh.check_invariants();
    assert_eq!(bvh.overflow_len(), 0);
    bvh.query_frustum(&frustum, &mut out);
    assert_eq!(out, brute_boxes(&frustum, &model));
    (max_overflow, rebuilds)
}

#[test]
fn bvh_incremental_equals_brute_force_with_automatic_rebuilds() {
    let (_, rebuilds) = check_bvh_incremental(21, true);
    assert!(rebuilds >= 2, "{rebuilds} rebuilds");
}

#[test]
fn bvh_incremental_equals_brute_force_without_rebuilds() {
    // No rebuilds: free slots, refits, reinsertion and the overflow list all pile up.
    let (max_overflow, rebuilds) = check_bvh_incremental(22, false);
    assert_eq!(rebuilds, 0);
    assert!(max_overflow > 0, "{max_overflow}");
}

#[test]
fn bvh_empty_and_clear() {
    let view = view::look_at_mat4(Vec3::ZERO, Vec3::NEG_Z, Vec3::Y);
    let f = Frustum::from_view_projection(directx::perspective(1.0, 1.0, 0.1, 100.0) * view);
    let mut bvh = Bvh::new();
    let mut out = vec![7];
    bvh.query_frustum(&f, &mut out);
    assert!(out.is_empty());
    assert!(bvh.insert(4, Aabb::from_sphere(Vec3::new(0.0, 0.0, -5.0), 1.0)));
    assert!(!bvh.insert(4, Aabb::from_sphere(Vec3::new(0.0, 0.0, -6.0), 1.0)));
    bvh.query_frustum(&f, &mut out);
    assert_eq!(out, [4]);
    bvh.clear();
    assert!(bvh.is_empty() && !bvh.contains(4));
    bvh.query_frustum(&f, &mut out);
    assert!(out.is_empty());
}

#[test]
#[should_panic(expected = "duplicate id 3")]
fn bvh_build_rejects_duplicate_ids() {
    let b = Aabb::from_sphere(Vec3::ZERO, 1.0);
    let _ = Bvh::build([(3, b), (1, b), (3, b)]);
}

#[test]
fn aabb_helpers() {
    let a = Aabb::from_sphere(Vec3::new(1.0, 2.0, 3.0), 2.0);
    assert_eq!(
        a,
        Aabb::new(Vec3::new(-1.0, 0.0, 1.0), Vec3::new(3.0, 4.0, 5.0))
    );
    let b = Aabb::new(Vec3::splat(10.0), Vec3::splat(11.0));
    let u = a.union(b);
    assert!(u.contains(&a) && u.contains(&b) && !a.contains(&b));
    assert_eq!(Aabb::EMPTY.union(a), a);
    assert!(Aabb::EMPTY.is_empty() && !a.is_empty());
    assert_eq!(Aabb::EMPTY.surface_area(), 0.0);
    assert_eq!(a.surface_area(), 96.0);
    assert_eq!(Aabb::EMPTY.transformed(&Affine3A::IDENTITY), Aabb::EMPTY);

    // The world box holds every transformed corner, and is tight (touched on each face).
    let mut rng = SmallRng::seed_from_u64(9);
    for _ in 0..1000 {
        let min = random_unit(&mut rng) * 10.0;
        let local = Aabb::new(
            min,
            min + Vec3::new(rng.random(), rng.random(), rng.random()) * 5.0,
        );
        let m = Affine3A::from_scale_rotation_translation(
            Vec3::splat(rng.random_range(0.1..10.0)),
            Quat::from_axis_angle(random_unit(&mut rng), rng.random_range(0.0..6.3)),
            random_unit(&mut rng) * 100.0,
        );
        let world = local.transformed(&m);
        let tol = 1e-3 * (1.0 + world.max.abs().max(world.min.abs()).max_element());
        let mut hull = Aabb::EMPTY;
        for i in 0..8 {
            let corner = Vec3::new(
                if i & 1 == 0 { local.min.x } else { local.max.x },
                if i & 2 == 0 { local.min.y } else { local.max.y },
                if i & 4 == 0 { local.min.z } else { local.max.z },
            );
            hull = hull.including(m.transform_point3(corner));
        }
        assert!(
            (hull.min - world.min).abs().max_element() < tol,
            "{hull:?} {world:?}"
        );
        assert!(
            (hull.max - world.max).abs().max_element() < tol,
            "{hull:?} {world:?}"
        );
    }
}

#[test]
fn bvh_id_sort_sorts() {
    let mut rng = SmallRng::seed_from_u64(4);
    for (n, range) in [
        (10, u32::MAX),
        (5000, u32::MAX),
        (70_000, u32::MAX),
        (70_000, 1000),
        (9000, 1 << 22),
    ] {
        let mut ids: Vec<u32> = (0..n).map(|_| rng.random_range(0..range)).collect();
        let mut expected = ids.clone();
        expected.sort_unstable();
        super::bvh::sort_ids(&mut ids);
        assert_eq!(ids, expected, "{n} ids below {range}");
    }
}
