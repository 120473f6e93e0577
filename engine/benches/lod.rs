//! LOD selection for 1,000,000 entities over 1,000 chains of 1 to 8 levels in a 4 km cube,
//! with the previous frame's levels fed back (the steady state of a still camera), serially and
//! on a rayon pool of 2 threads, and serially with no previous levels (a camera cut); and the triangle budget at half the selected triangles (every
//! iteration starts from the same selected levels).
//!
//! `cargo bench -p layerw-engine --bench lod` (about 20 s).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use glam::{Vec3, Vec4};
use layerw_engine::lod::{
    LodLevels, LodSettings, LodView, NO_LEVEL, enforce_triangle_budget, select_levels,
    select_levels_par, total_triangles,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const ENTITIES: usize = 1_000_000;
const CHAINS: usize = 1_000;

/// Chains whose levels halve the triangles and double the error, coarse to fine.
fn chains(rng: &mut SmallRng) -> Vec<LodLevels> {
    (0..CHAINS)
        .map(|_| {
            let n = rng.random_range(1..=8);
            let finest: u32 = rng.random_range(1_000..50_000);
            let base: f32 = rng.random_range(0.0005..0.005);
            let errors: Vec<f32> = (0..n)
                .map(|i| {
                    if i == n - 1 {
                        0.0
                    } else {
                        base * (1 << (n - 1 - i)) as f32
                    }
                })
                .collect();
            let triangles: Vec<u32> = (0..n).map(|i| (finest >> (n - 1 - i)).max(1)).collect();
            LodLevels::new(&errors, &triangles, rng.random_range(0.5..3.0)).unwrap()
        })
        .collect()
}

fn scene(rng: &mut SmallRng) -> (Vec<u32>, Vec<Vec4>) {
    let chain_of = (0..ENTITIES)
        .map(|_| rng.random_range(0..CHAINS as u32))
        .collect();
    let spheres = (0..ENTITIES)
        .map(|_| {
            Vec4::new(
                rng.random_range(-2000.0..2000.0),
                rng.random_range(-50.0..50.0),
                rng.random_range(-2000.0..2000.0),
                rng.random_range(0.5..3.0),
            )
        })
        .collect();
    (chain_of, spheres)
}

fn lod(c: &mut Criterion) {
    let mut rng = SmallRng::seed_from_u64(7);
    let chains = chains(&mut rng);
    let (chain_of, spheres) = scene(&mut rng);
    let view = LodView::perspective(Vec3::new(0.0, 2.0, 0.0), 1.0, 1080).unwrap();
    let settings = LodSettings::default();
    let mut levels = vec![NO_LEVEL; ENTITIES];
    select_levels(&chains, &chain_of, &spheres, &mut levels, &view, &settings);

    let mut group = c.benchmark_group("lod_select");
    group.throughput(Throughput::Elements(ENTITIES as u64));
    group.bench_function(format!("serial/{ENTITIES}"), |b| {
        b.iter(|| {
            select_levels(
                black_box(&chains),
                &chain_of,
                &spheres,
                &mut levels,
                &view,
                &settings,
            )
        })
    });
    // A camera cut: no previous levels.
    group.bench_function(format!("serial_cold/{ENTITIES}"), |b| {
        b.iter_batched_ref(
            || vec![NO_LEVEL; ENTITIES],
            |levels| select_levels(&chains, &chain_of, &spheres, levels, &view, &settings),
            BatchSize::LargeInput,
        )
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    group.bench_function(format!("rayon/{ENTITIES}"), |b| {
        pool.install(|| {
            b.iter(|| {
                select_levels_par(
                    black_box(&chains),
                    &chain_of,
                    &spheres,
                    &mut levels,
                    &view,
                    &settings,
                )
            })
        })
    });
    group.finish();

    let total = total_triangles(&chains, &chain_of, &levels);
    let budgeted = settings.with_triangle_budget(Some(total / 2));
    let mut group = c.benchmark_group("lod_budget");
    group.throughput(Throughput::Elements(ENTITIES as u64));
    group.bench_function(format!("{ENTITIES}"), |b| {
        b.iter_batched_ref(
            || levels.clone(),
            |levels| {
                enforce_triangle_budget(&chains, &chain_of, &spheres, levels, &view, &budgeted)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function(format!("under/{ENTITIES}"), |b| {
        b.iter(|| {
            enforce_triangle_budget(&chains, &chain_of, &spheres, &mut levels, &view, &settings)
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = lod
}
criterion_main!(benches);
