//! Interest management: the grid against brute force, the accumulator's budget, order,
//! fairness and determinism.

use glam::Vec3;
use layerw_net::interest::{
    BandwidthBudget, CellShape, InterestError, InterestGrid, PRIORITY_FLOOR, PriorityAccumulator,
    distance_priority,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

fn brute_force(points: &[(u32, Vec3)], center: Vec3, radius: f32) -> Vec<u32> {
    let mut keys: Vec<u32> = points
        .iter()
        .filter(|(_, p)| p.distance_squared(center) <= radius * radius)
        .map(|(k, _)| *k)
        .collect();
    keys.sort_unstable();
    keys
}

/// A coordinate that is often exactly on a cell border, often negative.
fn coord(rng: &mut SmallRng, cell: f32) -> f32 {
    match rng.random_range(0..4) {
        0 => rng.random_range(-20i32..20) as f32 * cell,
        1 => rng.random_range(-20i32..20) as f32 * cell * 0.5,
        _ => rng.random_range(-10.0 * cell..10.0 * cell),
    }
}

fn check_against_brute_force(shape: CellShape, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut out = Vec::new();
    let mut grid = InterestGrid::with_shape(4.0, shape).unwrap();
    for round in 0..40 {
        let cell = grid.cell_size();
        let n = rng.random_range(0..400);
        let points: Vec<(u32, Vec3)> = (0..n)
            .map(|k| {
                let y = if rng.random_bool(0.5) {
                    0.0
                } else {
                    coord(&mut rng, cell)
                };
                (
                    k,
                    Vec3::new(coord(&mut rng, cell), y, coord(&mut rng, cell)),
                )
            })
            .collect();
        // Rebuilt in the same grid every round: reuse must not leak old points.
        grid.clear();
        for &(k, p) in &points {
            grid.insert(k, p);
        }
        grid.build();
        assert_eq!(grid.len(), points.len());
        for q in 0..50 {
            let center = if q % 3 == 0 && !points.is_empty() {
                points[rng.random_range(0..points.len())].1
            } else {
                Vec3::new(
                    coord(&mut rng, cell),
                    coord(&mut rng, cell),
                    coord(&mut rng, cell),
                )
            };
            let radius = match q % 5 {
                0 => rng.random_range(0..6) as f32 * cell,
                1 => rng.random_range(0.0..0.5),
                2 => rng.random_range(0.0..100.0),
                _ => rng.random_range(0.0..3.0 * cell),
            };
            grid.query(center, radius, &mut out);
            assert_eq!(
                out,
                brute_force(&points, center, radius),
                "round {round} query {q}: center {center}, radius {radius}"
            );
        }
    }
}

#[test]
fn grid_columns_query_equals_brute_force() {
    check_against_brute_force(CellShape::Columns, 1);
}

#[test]
fn grid_cubes_query_equals_brute_force() {
    check_against_brute_force(CellShape::Cubes, 2);
}

#[test]
fn grid_edge_cases() {
    assert_eq!(
        InterestGrid::new(0.0).unwrap_err(),
        InterestError::InvalidCellSize { cell_size: 0.0 }
    );
    assert!(InterestGrid::new(f32::NAN).is_err());
    assert!(InterestGrid::new(-1.0).is_err());

    let mut grid = InterestGrid::new(1.0).unwrap();
    let mut out = vec![99];
    grid.query(Vec3::ZERO, 10.0, &mut out);
    assert!(out.is_empty(), "an empty grid finds nothing");

    let points = [
        (0, Vec3::new(1.0, 0.0, 0.0)),
        (1, Vec3::new(-1.0, 0.0, 0.0)),
        (2, Vec3::new(0.0, 0.0, -1.0)),
        (3, Vec3::new(1e9, 0.0, -1e9)),
        (4, Vec3::new(f32::NAN, 0.0, 0.0)),
        (5, Vec3::new(0.0, 1.0, 0.0)),
    ];
    for &(k, p) in &points {
        grid.insert(k, p);
    }
    // Not built: still exact (a scan).
    grid.query(Vec3::ZERO, 1.0, &mut out);
    assert_eq!(out, [0, 1, 2, 5]);
    grid.build();
    grid.query(Vec3::ZERO, 1.0, &mut out);
    assert_eq!(out, [0, 1, 2, 5], "the boundary is included, in 3D");
    grid.query(Vec3::ZERO, 0.99, &mut out);
    assert!(out.is_empty());
    grid.query(Vec3::ZERO, -1.0, &mut out);
    assert!(out.is_empty());
    grid.query(Vec3::ZERO, f32::NAN, &mut out);
    assert!(out.is_empty());
    grid.query(Vec3::ZERO, f32::INFINITY, &mut out);
    assert_eq!(out, [0, 1, 2, 3, 5]);
    grid.query(Vec3::new(1e9, 0.0, -1e9), 1.0, &mut out);
    assert_eq!(out, [3]);
}

#[test]
fn grid_results_do_not_depend_on_insertion_order() {
    let mut rng = SmallRng::seed_from_u64(3);
    let points: Vec<(u32, Vec3)> = (0..500)
        .map(|k| {
            (
                k,
                Vec3::new(
                    rng.random_range(-50.0..50.0),
                    0.0,
                    rng.random_range(-50.0..50.0),
                ),
            )
        })
        .collect();
    let mut forward = InterestGrid::new(8.0).unwrap();
    let mut backward = InterestGrid::new(8.0).unwrap();
    for &(k, p) in &points {
        forward.insert(k, p);
    }
    for &(k, p) in points.iter().rev() {
        backward.insert(k, p);
    }
    forward.build();
    backward.build();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for &(_, center) in points.iter().take(50) {
        forward.query(center, 12.0, &mut a);
        backward.query(center, 12.0, &mut b);
        assert_eq!(a, b);
    }
}

/// Not a test of speed (no assertion on time): prints one tick's rebuild and queries at the
/// sizes the server sees. `cargo test -p layerw-net --release --test interest -- --ignored
/// --nocapture`.
#[test]
#[ignore]
fn grid_timing_print() {
    let mut rng = SmallRng::seed_from_u64(4);
    let points: Vec<Vec3> = (0..10_000)
        .map(|_| {
            Vec3::new(
                rng.random_range(-500.0..500.0),
                0.0,
                rng.random_range(-500.0..500.0),
            )
        })
        .collect();
    let mut grid = InterestGrid::new(50.0).unwrap();
    let mut out = Vec::new();
    let mut found = 0;
    let start = std::time::Instant::now();
    for _ in 0..10 {
        grid.clear();
        for (k, &p) in points.iter().enumerate() {
            grid.insert(k as u32, p);
        }
        grid.build();
        for client in 0..500 {
            grid.query(points[client * 20], 50.0, &mut out);
            found += out.len();
        }
    }
    println!(
        "10 ticks of 10,000 entities and 500 queries of r 50: {:?} per tick, {} found per query",
        start.elapsed() / 10,
        found / 5000
    );
}

#[test]
fn distance_priority_falls_to_the_floor() {
    assert_eq!(distance_priority(0.0, 10.0), 1.0);
    assert!((distance_priority(5.0, 10.0) - 0.55).abs() < 1e-6);
    assert_eq!(distance_priority(10.0, 10.0), PRIORITY_FLOOR);
    assert_eq!(distance_priority(50.0, 10.0), PRIORITY_FLOOR);
    assert_eq!(distance_priority(1.0, 0.0), PRIORITY_FLOOR);
    assert_eq!(distance_priority(f32::NAN, 10.0), PRIORITY_FLOOR);
    let mut last = 1.0;
    for d in 0..=100 {
        let p = distance_priority(d as f32 / 10.0, 10.0);
        assert!(p <= last && p >= PRIORITY_FLOOR);
        last = p;
    }
}

#[test]
fn select_respects_budget_and_order() {
    let mut acc = PriorityAccumulator::new();
    let mut out = Vec::new();
    let mut rng = SmallRng::seed_from_u64(5);
    for _ in 0..200 {
        acc.begin_tick();
        let n = rng.random_range(1..60u32);
        let costs: Vec<u32> = (0..n).map(|_| rng.random_range(1..200)).collect();
        for k in 0..n {
            acc.add(k, rng.random_range(0.0..1.0));
        }
        let before: Vec<f32> = (0..n).map(|k| acc.priority(k)).collect();
        let budget = rng.random_range(0..2000);
        acc.select(budget, |k| costs[k as usize], &mut out);
        let spent: u32 = out.iter().map(|&k| costs[k as usize]).sum();
        assert!(spent <= budget, "spent {spent} of {budget}");
        // Sent in priority order, and every key with a higher priority than a sent one was
        // either sent or did not fit in what was left when its turn came.
        for w in out.windows(2) {
            let (a, b) = (before[w[0] as usize], before[w[1] as usize]);
            assert!(a > b || (a == b && w[0] < w[1]));
        }
        let mut remaining = budget;
        let mut order: Vec<u32> = (0..n).filter(|&k| before[k as usize] > 0.0).collect();
        order.sort_by(|&a, &b| {
            before[b as usize]
                .total_cmp(&before[a as usize])
                .then(a.cmp(&b))
        });
        let mut expected = Vec::new();
        for k in order {
            if costs[k as usize] <= remaining {
                remaining -= costs[k as usize];
                expected.push(k);
            }
        }
        assert_eq!(out, expected);
        for k in 0..n {
            let sent = out.contains(&k);
            assert_eq!(acc.priority(k) == 0.0, sent || before[k as usize] == 0.0);
        }
    }
}

#[test]
fn unsent_entities_keep_accumulating_and_leavers_are_forgotten() {
    let mut acc = PriorityAccumulator::new();
    let mut out = Vec::new();
    acc.begin_tick();
    acc.add(1, 1.0);
    acc.add(2, 0.5);
    acc.add(2, 0.25);
    acc.select(10, |_| 10, &mut out);
    assert_eq!(out, [1]);
    assert_eq!(acc.priority(2), 0.75);
    acc.begin_tick();
    acc.add(1, 1.0);
    acc.add(2, 0.5);
    assert_eq!(acc.priority(2), 1.25);
    assert_eq!(acc.relevant(), [1, 2]);
    // Tick without key 2: it left; back later, it starts from zero.
    acc.begin_tick();
    acc.add(1, 1.0);
    assert_eq!(acc.priority(2), 0.0);
    acc.begin_tick();
    acc.add(2, 0.5);
    assert_eq!(acc.priority(2), 0.5);
    acc.forget(2);
    assert_eq!(acc.priority(2), 0.0);
    assert!(acc.relevant().is_empty());
    // Zero accumulated priority is never sent, even with budget left.
    acc.begin_tick();
    acc.add(7, 0.0);
    acc.add(8, f32::NAN);
    acc.select(1000, |_| 1, &mut out);
    assert!(out.is_empty());
}

/// The bound on how long a relevant entity can wait, for `n` entities with per-tick
/// priorities in `[floor, max]`, when every entity's cost fits the budget (so at least the top
/// entity is sent each tick).
///
/// Let P be the total accumulated priority after a tick's sends. Each tick adds at most `n *
/// max`, and the top entity, at least the average `P / n`, is sent, so P never exceeds the
/// fixed point `n * max * (n - 1)`. An entity unsent for T ticks has at least `t * floor` at
/// its t-th tick, and each of those ticks sends an entity with at least as much, removing it
/// from P: `floor * T (T + 1) / 2 <= n * max * (n - 1) + T * n * max`.
fn starvation_bound(n: usize, floor: f32, max: f32) -> u64 {
    let (n, floor, max) = (n as f64, f64::from(floor), f64::from(max));
    let mut t = 0u64;
    while floor * (t + 1) as f64 * (t + 2) as f64 / 2.0
        <= n * max * (n - 1.0) + (t + 1) as f64 * n * max
    {
        t += 1;
    }
    t + 1
}

#[test]
fn no_entity_starves() {
    let mut rng = SmallRng::seed_from_u64(6);
    for case in 0..4 {
        let n = [5usize, 20, 60, 120][case];
        let budget = 1000;
        let costs: Vec<u32> = (0..n).map(|_| rng.random_range(100..=budget)).collect();
        // Fixed per-entity rates (the worst case for fairness is a steady imbalance) plus noise.
        let rates: Vec<f32> = (0..n)
            .map(|_| rng.random_range(PRIORITY_FLOOR..=1.0))
            .collect();
        let bound = starvation_bound(n, PRIORITY_FLOOR, 1.0);
        let mut acc = PriorityAccumulator::new();
        let mut out = Vec::new();
        let mut waiting = vec![0u64; n];
        let mut worst = 0;
        let mut sends = vec![0u32; n];
        for _ in 0..(bound * 3) {
            acc.begin_tick();
            for (k, rate) in rates.iter().enumerate() {
                let p = (rate + rng.random_range(-0.05..0.05)).clamp(PRIORITY_FLOOR, 1.0);
                acc.add(k as u32, p);
            }
            acc.select(budget, |k| costs[k as usize], &mut out);
            assert!(!out.is_empty(), "the top entity always fits");
            for w in waiting.iter_mut() {
                *w += 1;
            }
            for &k in &out {
                worst = worst.max(waiting[k as usize]);
                waiting[k as usize] = 0;
                sends[k as usize] += 1;
            }
            let unsent = *waiting.iter().max().unwrap();
            assert!(
                unsent < bound,
                "{n} entities: one waited {unsent} ticks, bound {bound}"
            );
        }
        assert!(sends.iter().all(|&s| s > 0), "{n} entities: one never sent");
        println!("{n} entities: worst wait {worst} ticks, bound {bound}");
    }
}

#[test]
fn selection_is_deterministic() {
    let run = || {
        let mut rng = SmallRng::seed_from_u64(7);
        let mut acc = PriorityAccumulator::new();
        let mut out = Vec::new();
        let mut log = Vec::new();
        for _ in 0..100 {
            acc.begin_tick();
            // Equal priorities: ties broken by key, whatever the add order.
            let mut keys: Vec<u32> = (0..40).collect();
            for i in (1..keys.len()).rev() {
                keys.swap(i, rng.random_range(0..=i));
            }
            for &k in &keys {
                acc.add(k, 0.5);
            }
            acc.select(5, |_| 1, &mut out);
            log.push(out.clone());
        }
        log
    };
    let first = run();
    assert_eq!(first, run());
    assert_eq!(first[0], [0, 1, 2, 3, 4]);
    assert_eq!(first[1], [5, 6, 7, 8, 9]);
}

#[test]
fn bandwidth_budget_refills_and_carries_debt() {
    let mut budget = BandwidthBudget::new(30_000, 30, 2);
    assert_eq!(budget.bits_per_tick(), 1000);
    assert_eq!(budget.refill(), 1000);
    assert_eq!(budget.refill(), 2000);
    assert_eq!(budget.refill(), 2000, "capped at the burst");
    budget.spend(3500);
    assert_eq!(budget.available(), 0);
    assert_eq!(budget.refill(), 0, "still 500 in debt");
    assert_eq!(budget.refill(), 500);
}
