//! LOD chain generation throughput: input triangles per second for a high-poly UV sphere
//! (256 x 256 segments and rings, 130,560 triangles) and a 256 x 256-cell terrain (131,072
//! triangles), the whole chain (every level simplified, optimised) each iteration, and the
//! encoding of the cooked chain.
//!
//! `cargo bench -p layerw-cook --bench chain` (about 20 s). Criterion reports the throughput
//! as elements (triangles) per second.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use layerw_cook::{ChainOptions, generate_chain};
use layerw_engine::lod::LodChain;
use layerw_engine::render::Mesh;

fn chain(c: &mut Criterion) {
    let options = ChainOptions::default();
    let inputs = [
        ("sphere_256x256", Mesh::sphere(1.0, 256, 256)),
        (
            "terrain_256",
            layerw_cook::procedural("terrain:256").unwrap(),
        ),
    ];
    let mut group = c.benchmark_group("lod_chain");
    for (name, mesh) in &inputs {
        group.throughput(Throughput::Elements(mesh.triangle_count() as u64));
        group.bench_function(format!("generate/{name}"), |b| {
            b.iter(|| generate_chain(black_box(mesh), &options).unwrap())
        });
    }
    let cooked = generate_chain(&inputs[0].1, &options).unwrap();
    let bytes = cooked.to_bytes();
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("encode/sphere_256x256", |b| {
        b.iter(|| black_box(&cooked).to_bytes())
    });
    group.bench_function("decode/sphere_256x256", |b| {
        b.iter(|| LodChain::from_bytes(black_box(&bytes)).unwrap())
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10)
}

criterion_group! {
    name = benches;
    config = config();
    targets = chain
}
criterion_main!(benches);
