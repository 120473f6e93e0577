//! Tests of LOD selection: level order, monotonic in distance, hysteresis, bias, the triangle
//! budget (honoured, farthest first, minimal), batch = single = parallel, validation and the
//! orthographic view.

use glam::{Vec3, Vec4};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::render::{CameraView, Mesh};

/// A 90-degree camera at the origin, 1000 pixels high: 500 pixels per unit at distance 1.
fn view() -> LodView {
    LodView::perspective(Vec3::ZERO, core::f32::consts::FRAC_PI_2, 1000).unwrap()
}

/// Settings without hysteresis.
fn sharp() -> LodSettings {
    LodSettings::default().with_hysteresis(0.0).unwrap()
}

/// A random chain: 1 to `max_levels` levels, errors non-increasing down to 0, triangles
/// non-decreasing, reference radius 0.5 to 2.
fn random_levels(rng: &mut SmallRng, max_levels: usize) -> LodLevels {
    let n = rng.random_range(1..=max_levels);
    let mut errors = vec![0.0f32; n];
    let mut triangles = vec![0u32; n];
    let mut e = 0.0;
    let mut t: u32 = rng.random_range(1..100);
    for i in (0..n).rev() {
        errors[i] = e;
        triangles[n - 1 - i] = t;
        e += rng.random_range(0.0..0.2f32) * if rng.random_bool(0.1) { 0.0 } else { 1.0 };
        t += rng.random_range(0..1000);
    }
    LodLevels::new(&errors, &triangles, rng.random_range(0.5..2.0)).unwrap()
}

/// `n` random entities over `chains` in a 200-unit cube around the origin.
fn random_scene(rng: &mut SmallRng, chains: usize, n: usize) -> (Vec<u32>, Vec<Vec4>) {
    let chain_of = (0..n).map(|_| rng.random_range(0..chains as u32)).collect();
    let spheres = (0..n)
        .map(|_| {
            Vec4::new(
                rng.random_range(-100.0..100.0),
                rng.random_range(-100.0..100.0),
                rng.random_range(-100.0..100.0),
                rng.random_range(0.1..4.0),
            )
        })
        .collect();
    (chain_of, spheres)
}

/// Spheres of increasing resolution, coarse to fine, with decreasing error.
fn sphere_chain() -> LodChain {
    let res = [6u32, 12, 24, 48];
    LodChain::new(
        res.iter()
            .enumerate()
            .map(|(i, &s)| LodLevel::new(Mesh::sphere(2.0, s, s / 2), (3 - i) as f32 * 0.05))
            .collect(),
    )
    .unwrap()
}

#[test]
fn levels_have_more_triangles_and_less_error_towards_fine() {
    let chain = sphere_chain();
    let levels = LodLevels::from_chain(&chain);
    assert_eq!(levels.level_count(), 4);
    for w in levels.triangles().windows(2) {
        assert!(w[0] < w[1], "triangles increase coarse to fine: {w:?}");
    }
    for w in levels.errors().windows(2) {
        assert!(w[0] > w[1], "error decreases coarse to fine: {w:?}");
    }
    assert_eq!(levels.errors()[3], 0.0);
    assert_eq!(levels.reference_radius(), chain.finest().bounds.radius);
    let header = LodChainHeader::parse(&chain.to_bytes()).unwrap();
    assert_eq!(LodLevels::from_header(&header).unwrap(), levels);
}

#[test]
fn levels_out_of_order_or_invalid_are_refused() {
    assert_eq!(
        LodLevels::new(&[0.1, 0.2], &[10, 20], 1.0),
        Err(LodChainError::LevelOrder { level: 1 })
    );
    assert_eq!(
        LodLevels::new(&[0.2, 0.1], &[20, 10], 1.0),
        Err(LodChainError::LevelOrder { level: 1 })
    );
    assert!(matches!(
        LodLevels::new(&[], &[], 1.0),
        Err(LodChainError::LevelCount { levels: 0 })
    ));
    assert!(matches!(
        LodLevels::new(&[0.0; MAX_LEVELS + 1], &[1; MAX_LEVELS + 1], 1.0),
        Err(LodChainError::LevelCount { .. })
    ));
    assert!(matches!(
        LodLevels::new(&[0.1, 0.0], &[1], 1.0),
        Err(LodChainError::LevelCount { .. })
    ));
    assert!(matches!(
        LodLevels::new(&[f32::NAN, 0.0], &[1, 2], 1.0),
        Err(LodChainError::InvalidLevel { level: 0, .. })
    ));
    assert!(matches!(
        LodLevels::new(&[0.1, -0.1], &[1, 2], 1.0),
        Err(LodChainError::InvalidLevel { level: 1, .. })
    ));
    assert!(matches!(
        LodLevels::new(&[0.1, 0.0], &[1, 2], f32::INFINITY),
        Err(LodChainError::InvalidLevel { .. })
    ));
    assert!(LodLevels::new(&[0.1, 0.1, 0.0], &[5, 5, 9], 0.0).is_ok());
}

#[test]
fn settings_validation() {
    let d = LodSettings::default();
    assert_eq!(
        (
            d.pixel_threshold(),
            d.hysteresis(),
            d.bias(),
            d.triangle_budget()
        ),
        (1.0, 0.25, 1.0, None)
    );
    let s = LodSettings::new(2.0, 0.1, 1.5, Some(1000)).unwrap();
    assert_eq!(
        (
            s.pixel_threshold(),
            s.hysteresis(),
            s.bias(),
            s.triangle_budget()
        ),
        (2.0, 0.1, 1.5, Some(1000))
    );
    for (result, name) in [
        (d.with_pixel_threshold(f32::NAN), "pixel_threshold"),
        (d.with_pixel_threshold(0.0), "pixel_threshold"),
        (d.with_pixel_threshold(-1.0), "pixel_threshold"),
        (d.with_pixel_threshold(f32::INFINITY), "pixel_threshold"),
        (d.with_hysteresis(f32::NAN), "hysteresis"),
        (d.with_hysteresis(-0.1), "hysteresis"),
        (d.with_hysteresis(1.0), "hysteresis"),
        (d.with_bias(f32::NAN), "bias"),
        (d.with_bias(-0.5), "bias"),
        (d.with_bias(0.0), "bias"),
        (d.with_bias(f32::INFINITY), "bias"),
        (LodSettings::new(1.0, 0.2, -1.0, None), "bias"),
    ] {
        match result {
            Err(LodSettingsError::OutOfRange { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name}: expected an error, got {other:?}"),
        }
    }
    let e = d.with_bias(-0.5).unwrap_err();
    assert_eq!(e.to_string(), "LOD bias is -0.5, expected finite and > 0");
    assert!(d.with_bias(0.01).is_ok() && d.with_hysteresis(0.0).is_ok());
}

#[test]
fn view_validation() {
    let p = Vec3::ZERO;
    for (result, name) in [
        (LodView::perspective(p, 0.0, 100), "fov_y"),
        (LodView::perspective(p, f32::NAN, 100), "fov_y"),
        (LodView::perspective(p, 3.2, 100), "fov_y"),
        (LodView::perspective(p, 1.0, 0), "height"),
        (
            LodView::perspective(Vec3::new(0.0, f32::NAN, 0.0), 1.0, 100),
            "position.y",
        ),
        (LodView::orthographic(p, 0.0, 100), "view_height"),
        (LodView::orthographic(p, f32::INFINITY, 100), "view_height"),
        (LodView::orthographic(p, -2.0, 100), "view_height"),
    ] {
        match result {
            Err(LodSettingsError::OutOfRange { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name}: expected an error, got {other:?}"),
        }
    }
}

#[test]
fn projected_pixels_follow_the_formula() {
    let v = view();
    assert!((v.pixels_per_unit() - 500.0).abs() < 1e-3);
    assert!((v.projected_pixels(1.0, 10.0) - 50.0).abs() < 1e-3);
    assert!((v.projected_pixels(0.5, 100.0) - 2.5).abs() < 1e-4);
    assert_eq!(v.distance(Vec4::new(0.0, 0.0, -12.0, 2.0)), 10.0);
    // Inside the sphere: the smallest distance.
    assert_eq!(v.distance(Vec4::new(0.0, 0.0, -1.0, 2.0)), MIN_DISTANCE);
    assert_eq!(v.distance(Vec4::splat(f32::NAN)), MIN_DISTANCE);
    // From a camera: the same pixels per unit.
    let camera = CameraView::look_at(
        Vec3::new(1.0, 2.0, 3.0),
        Vec3::ZERO,
        core::f32::consts::FRAC_PI_2,
        16.0 / 9.0,
        0.1,
        100.0,
    );
    let from = LodView::from_camera(&camera, 1000).unwrap();
    assert!(!from.is_orthographic());
    assert_eq!(from.position(), Vec3::new(1.0, 2.0, 3.0));
    assert!((from.pixels_per_unit() - 500.0).abs() < 1e-2);
    let ortho = CameraView {
        projection: glam::camera::rh::proj::directx::orthographic(-8.0, 8.0, -4.5, 4.5, 0.0, 100.0),
        ..camera
    };
    let from = LodView::from_camera(&ortho, 900).unwrap();
    assert!(from.is_orthographic());
    assert!((from.pixels_per_unit() - 100.0).abs() < 1e-3);
}

#[test]
fn selected_level_is_monotonic_in_distance() {
    let mut rng = SmallRng::seed_from_u64(1);
    let v = view();
    for _ in 0..200 {
        let chain = random_levels(&mut rng, 12);
        let radius = rng.random_range(0.1..5.0);
        let settings = sharp()
            .with_pixel_threshold(rng.random_range(0.25..4.0))
            .unwrap();
        let distances: Vec<f32> = (0..400).map(|i| 0.01 * 1.04f32.powi(i)).collect();
        let mut last = u8::MAX;
        for &d in &distances {
            let level = chain.select(d, radius, &v, &settings, None);
            assert!(level < chain.level_count() as u8);
            assert!(level <= last, "level rose from {last} to {level} at {d}");
            last = level;
        }
        assert_eq!(last, 0, "far away: the coarsest");
        for &d in distances.iter().rev() {
            let level = chain.select(d, radius, &v, &settings, None);
            assert!(level >= last, "level fell from {last} to {level} at {d}");
            last = level;
        }
        let touching = chain.select(MIN_DISTANCE, radius, &v, &settings, None);
        assert!(
            usize::from(touching) == chain.level_count() - 1
                || chain.errors()[usize::from(touching)] == 0.0,
            "touching: the finest, or a level with no error"
        );
        // With hysteresis and the level fed back, still monotonic both ways.
        let settings = settings.with_hysteresis(0.3).unwrap();
        let mut previous = None;
        let mut last = u8::MAX;
        for &d in &distances {
            let level = chain.select(d, radius, &v, &settings, previous);
            assert!(level <= last);
            (last, previous) = (level, Some(level));
        }
        for &d in distances.iter().rev() {
            let level = chain.select(d, radius, &v, &settings, previous);
            assert!(level >= last);
            (last, previous) = (level, Some(level));
        }
    }
}

#[test]
fn selected_level_matches_projected_errors() {
    let mut rng = SmallRng::seed_from_u64(2);
    let v = view();
    let settings = sharp();
    for _ in 0..2000 {
        let chain = random_levels(&mut rng, 8);
        let radius = rng.random_range(0.1..5.0);
        let d = rng.random_range(0.01..500.0);
        let level = usize::from(chain.select(d, radius, &v, &settings, None));
        let scale = radius / chain.reference_radius();
        let pixels = |i: usize| v.projected_pixels(chain.errors()[i] * scale, d);
        let finest = chain.level_count() - 1;
        // Away from the boundary (rounding), the level fits and the next coarser does not.
        if level < finest {
            assert!(pixels(level) <= 1.0001, "{} px", pixels(level));
        }
        if level > 0 {
            assert!(pixels(level - 1) > 0.9999, "{} px", pixels(level - 1));
        }
    }
}

#[test]
fn hysteresis_holds_at_a_boundary() {
    // Level 0 (error 0.2 on a unit radius) fits from 100 units away from the surface
    // (500 px/unit * 0.2 / d <= 1); with a 25 % band the entity coarsens only from 133.3.
    let chain = LodLevels::new(&[0.2, 0.0], &[100, 1000], 1.0).unwrap();
    let v = view();
    let settings = LodSettings::default();
    let at = |d: f32, previous| chain.select(d, 1.0, &v, &settings, previous);
    assert_eq!(at(90.0, None), 1);
    assert_eq!(at(110.0, None), 0, "no previous level: the threshold alone");
    // Oscillating around 100 (and within the band) keeps the level either side was at.
    let mut level = at(95.0, None);
    for i in 0..50 {
        let d = if i % 2 == 0 { 99.0 } else { 120.0 };
        level = at(d, Some(level));
        assert_eq!(level, 1, "finer stays finer at {d}");
    }
    level = at(140.0, Some(level));
    assert_eq!(level, 0, "past the band: coarser");
    for i in 0..50 {
        let d = if i % 2 == 0 { 101.0 } else { 130.0 };
        level = at(d, Some(level));
        assert_eq!(level, 0, "coarser stays coarser at {d}");
    }
    level = at(99.0, Some(level));
    assert_eq!(level, 1, "past the threshold: finer at once");
    // Without hysteresis the same oscillation flips every frame.
    let sharp = sharp();
    let mut flips = 0;
    let mut level = chain.select(98.0, 1.0, &v, &sharp, None);
    for i in 0..50 {
        let d = if i % 2 == 0 { 102.0 } else { 98.0 };
        let next = chain.select(d, 1.0, &v, &sharp, Some(level));
        flips += usize::from(next != level);
        level = next;
    }
    assert_eq!(flips, 50);
    // A previous level past the finest counts as the finest; NO_LEVEL as none.
    assert_eq!(at(120.0, Some(7)), 1);
    assert_eq!(at(120.0, Some(NO_LEVEL)), 0);
}

#[test]
fn bias_coarsens() {
    let mut rng = SmallRng::seed_from_u64(3);
    let v = view();
    let one = LodSettings::default();
    let two = one.with_bias(2.0).unwrap();
    let huge = one.with_bias(1e30).unwrap();
    let mut coarser = 0;
    for _ in 0..2000 {
        let chain = random_levels(&mut rng, 8);
        let (d, r) = (rng.random_range(0.01..300.0), rng.random_range(0.1..5.0));
        let previous = rng.random_range(0..chain.level_count() as u8);
        for previous in [None, Some(previous)] {
            let a = chain.select(d, r, &v, &one, previous);
            let b = chain.select(d, r, &v, &two, previous);
            assert!(b <= a, "bias 2 gave {b}, bias 1 gave {a}");
            coarser += usize::from(b < a);
            assert_eq!(chain.select(d, r, &v, &huge, None), 0);
        }
    }
    assert!(coarser > 100, "bias 2 is coarser somewhere ({coarser})");
}

#[test]
fn scale_scales_the_error() {
    // Twice the reference radius at twice the distance projects the same error.
    let chain = LodLevels::new(&[0.4, 0.1, 0.0], &[10, 100, 1000], 2.0).unwrap();
    let v = view();
    let s = sharp();
    for d in [1.0f32, 10.0, 30.0, 70.0, 150.0] {
        assert_eq!(
            chain.select(d, 2.0, &v, &s, None),
            chain.select(2.0 * d, 4.0, &v, &s, None)
        );
    }
    assert_eq!(chain.select(1.0, 0.0, &v, &s, None), 0, "no size: coarsest");
}

#[test]
fn orthographic_view_ignores_distance() {
    // 900 pixels over 9 units: 100 px per unit. Level errors 0.02 and 0.005 project to 2 and
    // 0.5 px at scale 1.
    let chain = LodLevels::new(&[0.02, 0.005, 0.0], &[10, 100, 1000], 1.0).unwrap();
    let v = LodView::orthographic(Vec3::ZERO, 9.0, 900).unwrap();
    assert!(v.is_orthographic());
    assert_eq!(v.projected_pixels(0.02, 1e6), 2.0);
    let s = sharp();
    for d in [0.0f32, 1.0, 100.0, 1e6] {
        assert_eq!(chain.select(d, 1.0, &v, &s, None), 1);
        assert_eq!(chain.select(d, 4.0, &v, &s, None), 2, "scale 4: 2 px");
        assert_eq!(chain.select(d, 0.25, &v, &s, None), 0, "scale 1/4: 0.5 px");
    }
    // The batch agrees.
    let spheres = [
        Vec4::new(0.0, 0.0, -5.0, 1.0),
        Vec4::new(0.0, 0.0, -5000.0, 1.0),
        Vec4::new(3.0, 0.0, -50.0, 4.0),
    ];
    let mut levels = [NO_LEVEL; 3];
    select_levels(&[chain], &[0; 3], &spheres, &mut levels, &v, &s);
    assert_eq!(levels, [1, 1, 2]);
}

#[test]
fn batch_matches_single_and_parallel_matches_serial() {
    let mut rng = SmallRng::seed_from_u64(4);
    for (max_levels, n) in [(3, 1000), (8, 70_000), (16, 5000), (MAX_LEVELS, 40_000)] {
        let chains: Vec<LodLevels> = (0..50)
            .map(|_| random_levels(&mut rng, max_levels))
            .collect();
        let (chain_of, spheres) = random_scene(&mut rng, chains.len(), n);
        let previous: Vec<u8> = (0..n)
            .map(|_| match rng.random_range(0..10) {
                0 => NO_LEVEL,
                1 => rng.random_range(32..255),
                _ => rng.random_range(0..max_levels as u8),
            })
            .collect();
        let v = LodView::perspective(Vec3::new(5.0, 1.0, -3.0), 1.0, 720).unwrap();
        let settings = LodSettings::default().with_bias(1.3).unwrap();
        let mut serial = previous.clone();
        select_levels(&chains, &chain_of, &spheres, &mut serial, &v, &settings);
        let mut parallel = previous.clone();
        select_levels_par(&chains, &chain_of, &spheres, &mut parallel, &v, &settings);
        assert_eq!(serial, parallel);
        // A selector prepared once, over runs of uneven lengths (as the Lod stage's batches).
        let selector = LodSelector::new(&chains, &v, &settings);
        assert_eq!(selector.chain_count(), chains.len());
        let mut runs = previous.clone();
        let mut start = 0;
        while start < n {
            let end = (start + rng.random_range(1..600)).min(n);
            let range = start..end;
            selector.select(
                &chain_of[range.clone()],
                &spheres[range.clone()],
                &mut runs[range],
            );
            start = end;
        }
        assert_eq!(serial, runs);
        for i in 0..n {
            let chain = &chains[chain_of[i] as usize];
            let prev = Some(previous[i]);
            let d = v.distance(spheres[i]);
            assert_eq!(
                serial[i],
                chain.select(d, spheres[i].w, &v, &settings, prev),
                "entity {i}"
            );
            assert!(usize::from(serial[i]) < chain.level_count());
        }
    }
}

/// Each entity's triangles at its level.
fn triangles_of(chains: &[LodLevels], chain_of: &[u32], levels: &[u8]) -> Vec<u64> {
    chain_of
        .iter()
        .zip(levels)
        .map(|(&c, &l)| u64::from(chains[c as usize].triangles()[usize::from(l)]))
        .collect()
}

#[test]
fn triangle_budget_is_honoured_farthest_first() {
    let mut rng = SmallRng::seed_from_u64(5);
    let v = view();
    let mut coarsened_in_all = 0;
    for round in 0..60 {
        let chains: Vec<LodLevels> = (0..20).map(|_| random_levels(&mut rng, 8)).collect();
        let n = rng.random_range(1..3000);
        let (chain_of, mut spheres) = random_scene(&mut rng, chains.len(), n);
        if round % 3 == 0 {
            // Ties in distance: the lower index goes first.
            for s in spheres.iter_mut().skip(1).step_by(2) {
                *s = Vec4::new(0.0, 0.0, -50.0, 1.0);
            }
        }
        let settings = LodSettings::default().with_pixel_threshold(0.5).unwrap();
        let mut selected = vec![NO_LEVEL; n];
        select_levels(&chains, &chain_of, &spheres, &mut selected, &v, &settings);
        let before = triangles_of(&chains, &chain_of, &selected);
        let total: u64 = before.iter().sum();
        assert_eq!(total_triangles(&chains, &chain_of, &selected), total);
        let floor: u64 = chain_of
            .iter()
            .map(|&c| u64::from(chains[c as usize].triangles()[0]))
            .sum();
        let budget = match round % 4 {
            0 => floor / 2,                       // below the floor: everything at its coarsest
            1 => total,                           // met exactly: nothing changes
            _ => rng.random_range(floor..=total), // somewhere between
        };
        let settings = settings.with_triangle_budget(Some(budget));
        let mut levels = selected.clone();
        let after =
            enforce_triangle_budget(&chains, &chain_of, &spheres, &mut levels, &v, &settings);
        let now = triangles_of(&chains, &chain_of, &levels);
        assert_eq!(after, now.iter().sum::<u64>());
        assert_eq!(after, total_triangles(&chains, &chain_of, &levels));
        if budget >= floor {
            assert!(after <= budget, "{after} > {budget}");
        } else {
            assert_eq!(after, floor, "under the floor: all coarsest");
        }
        if budget >= total {
            assert_eq!(levels, selected);
        }
        // Coarsened entities went to level 0 and are the farthest of those that could be.
        let key = |i: usize| (v.distance(spheres[i]), core::cmp::Reverse(i));
        let could = |i: usize| before[i] > u64::from(chains[chain_of[i] as usize].triangles()[0]);
        let coarsened: Vec<usize> = (0..n).filter(|&i| levels[i] != selected[i]).collect();
        let nearest_coarsened = coarsened
            .iter()
            .map(|&i| key(i))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        coarsened_in_all += coarsened.len();
        for &i in &coarsened {
            assert_eq!(levels[i], 0);
            assert!(could(i));
        }
        if let Some(nearest) = nearest_coarsened {
            for i in (0..n).filter(|&i| could(i) && levels[i] == selected[i]) {
                let k = key(i);
                assert!(
                    k.0.total_cmp(&nearest.0).then(k.1.cmp(&nearest.1)).is_lt(),
                    "entity {i} at {} kept its level, one at {} was coarsened",
                    k.0,
                    nearest.0
                );
            }
            // Minimal: undoing the nearest coarsened one breaks the budget.
            if budget >= floor {
                let j = coarsened
                    .iter()
                    .copied()
                    .find(|&i| key(i) == nearest)
                    .unwrap();
                let undo = after + before[j] - now[j];
                assert!(undo > budget, "coarsened one too many ({undo} <= {budget})");
            }
        }
    }
    assert!(
        coarsened_in_all > 1000,
        "the budget bit ({coarsened_in_all})"
    );
}

#[test]
fn no_budget_changes_nothing() {
    let mut rng = SmallRng::seed_from_u64(6);
    let chains: Vec<LodLevels> = (0..10).map(|_| random_levels(&mut rng, 6)).collect();
    let (chain_of, spheres) = random_scene(&mut rng, chains.len(), 500);
    let v = view();
    let settings = LodSettings::default();
    let mut levels = vec![NO_LEVEL; 500];
    select_levels(&chains, &chain_of, &spheres, &mut levels, &v, &settings);
    let selected = levels.clone();
    let total = enforce_triangle_budget(&chains, &chain_of, &spheres, &mut levels, &v, &settings);
    assert_eq!(levels, selected);
    assert_eq!(total, total_triangles(&chains, &chain_of, &levels));
    let empty = enforce_triangle_budget(
        &chains,
        &[],
        &[],
        &mut [],
        &v,
        &settings.with_triangle_budget(Some(0)),
    );
    assert_eq!(empty, 0);
}

#[test]
#[should_panic(expected = "one level per sphere")]
fn mismatched_lengths_panic() {
    let chain = LodLevels::new(&[0.0], &[1], 1.0).unwrap();
    select_levels(
        &[chain],
        &[0],
        &[Vec4::ONE],
        &mut [],
        &view(),
        &LodSettings::default(),
    );
}

#[test]
fn fast_path_equals_the_hysteresis_formula() {
    // `pick` tests the previous level first; it must equal max(s0, min(s1, p)) everywhere.
    let mut rng = SmallRng::seed_from_u64(7);
    for _ in 0..100_000 {
        let n = rng.random_range(1..=8);
        let widen = 1.0 / (1.0 - rng.random_range(0.0..0.9f32));
        let mut g = [0.0f32; 8];
        for i in (0..n - 1).rev() {
            g[i] = g[i + 1] + rng.random_range(0.0..50.0);
        }
        let gh = g.map(|g| g * widen);
        let (r, d) = (rng.random_range(0.0..3.0), rng.random_range(0.0..200.0));
        let previous = match rng.random_range(0..4) {
            0 => NO_LEVEL,
            1 => rng.random_range(0..=254),
            _ => rng.random_range(0..n as u8),
        };
        let s0 = g.iter().filter(|&&t| t * r > d).count();
        let s1 = gh.iter().filter(|&&t| t * r > d).count();
        let p = if previous == NO_LEVEL {
            0
        } else {
            usize::from(previous)
        };
        let expected = s0.max(s1.min(p)) as u8;
        assert_eq!(super::select::pick(&g, &gh, r, d, previous), expected);
        assert_eq!(
            super::select::pick(&g[..n], &gh[..n], r, d, previous),
            expected
        );
    }
}
