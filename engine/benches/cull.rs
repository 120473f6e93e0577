//! Frustum culling of 1,000,000 bounding spheres, and the BVH over 1,000,000 static boxes.
//!
//! The world is 4 km x 100 m x 4 km of spheres (radii 0.5..3 m, uniformly placed); the camera
//! stands in its middle, 20 m up, looking level along -Z with a 60 degree vertical field of view,
//! 16:9, near 0.1 m, far 1 km: it sees about 6 % of the world.
//!
//! * `cull/serial/1000000`: `cull_spheres` on the calling thread.
//! * `cull/rayon/1000000`: `par_cull_spheres` in a 2-thread rayon pool (`pool.install`).
//! * `bvh_build/1000000`: `Bvh::build` of the spheres' boxes.
//! * `bvh_query/1000000`: `Bvh::query_frustum` (ids sorted); `bvh_query_unordered/1000000`:
//!   the same without the sort.
//!
//! Run: `cargo bench -p layerw-engine --bench cull`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use layerw_engine::cull::{Aabb, Bvh, Frustum, Spheres, cull_spheres, par_cull_spheres};
use layerw_engine::glam::Vec3;
use layerw_engine::glam::camera::rh::{proj::directx, view};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const N: usize = 1_000_000;

fn scene() -> (Frustum, Spheres) {
    let mut rng = SmallRng::seed_from_u64(42);
    let mut spheres = Spheres::with_capacity(N);
    for _ in 0..N {
        let c = Vec3::new(
            rng.random_range(-2000.0..2000.0),
            rng.random_range(0.0..100.0),
            rng.random_range(-2000.0..2000.0),
        );
        spheres.push(c, rng.random_range(0.5..3.0));
    }
    let eye = Vec3::new(0.0, 20.0, 0.0);
    let view = view::look_at_mat4(eye, eye + Vec3::NEG_Z, Vec3::Y);
    let proj = directx::perspective(60f32.to_radians(), 16.0 / 9.0, 0.1, 1000.0);
    (Frustum::from_view_projection(proj * view), spheres)
}

fn bench(c: &mut Criterion) {
    let (frustum, spheres) = scene();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("rayon pool");
    let mut out = Vec::with_capacity(N);
    cull_spheres(&frustum, &spheres, &mut out);
    eprintln!("cull: {} of {N} spheres visible", out.len());

    let mut group = c.benchmark_group("cull");
    group.bench_function(BenchmarkId::new("serial", N), |b| {
        b.iter(|| cull_spheres(black_box(&frustum), black_box(&spheres), &mut out));
    });
    group.bench_function(BenchmarkId::new("rayon", N), |b| {
        b.iter(|| {
            pool.install(|| par_cull_spheres(black_box(&frustum), black_box(&spheres), &mut out))
        });
    });
    group.finish();

    let items: Vec<(u32, Aabb)> = (0..N as u32)
        .map(|i| {
            let (c, r) = spheres.get(i).expect("sphere");
            (i, Aabb::from_sphere(c, r))
        })
        .collect();
    let mut group = c.benchmark_group("bvh_build");
    group.sample_size(10);
    group.bench_function(BenchmarkId::from_parameter(N), |b| {
        b.iter(|| Bvh::build(black_box(items.iter().copied())));
    });
    group.finish();

    let bvh = Bvh::build(items.iter().copied());
    bvh.query_frustum(&frustum, &mut out);
    eprintln!(
        "bvh: {} of {N} boxes visible, {} nodes",
        out.len(),
        bvh.node_count()
    );
    let mut group = c.benchmark_group("bvh_query");
    group.bench_function(BenchmarkId::from_parameter(N), |b| {
        b.iter(|| bvh.query_frustum(black_box(&frustum), &mut out));
    });
    group.finish();
    let mut group = c.benchmark_group("bvh_query_unordered");
    group.bench_function(BenchmarkId::from_parameter(N), |b| {
        b.iter(|| bvh.query_frustum_unordered(black_box(&frustum), &mut out));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
