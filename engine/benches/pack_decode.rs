//! Content pack level decoding, what the streamer runs on every level that arrives: CRC-32 of
//! the stored bytes, LZ4 decompression into the manifest's `raw_len`, then the level decode
//! (a mesh's streams copied out and the mesh validated; a texture's pixels taken as they are).
//! Throughput is in decompressed bytes per second, on one thread and on a rayon pool of 2
//! threads decoding 16 copies of the level at once (the streamer decodes arrivals in
//! parallel natively).
//!
//! Inputs: a 49,728-triangle UV sphere (224 x 112 segments; LZ4 stores it at about 1.3:1) and
//! a 512 x 512 RGBA8 texture mip of gradients in 4-texel runs with one texel in 8 perturbed
//! (about 2:1). The sizes are printed first.
//!
//! `cargo bench -p layerw-engine --bench pack_decode` (about 20 s).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use layerw_engine::lod::{LodChain, LodLevel};
use layerw_engine::render::{Mesh, TextureImage};
use layerw_engine::stream::{
    MeshLevel, PackWriter, TextureLevel, decode_mesh_level, decode_texture_level,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

/// Copies decoded at once on the pool.
const BATCH: usize = 16;

fn level_bytes(blob: &[u8], range: core::ops::Range<u64>) -> &[u8] {
    &blob[range.start as usize..range.end as usize]
}

fn inputs() -> (MeshLevel, Vec<u8>, TextureLevel, Vec<u8>) {
    let mesh = Mesh::sphere(1.0, 224, 112);
    let chain = LodChain::new(vec![LodLevel::new(mesh, 0.0)]).unwrap();
    let mut rng = SmallRng::seed_from_u64(12);
    // Runs of equal texels (4 wide) over a gradient, one texel in 8 perturbed: LZ4 finds
    // matches, as it does in real albedo maps, without the image being flat.
    let pixels: Vec<u8> = (0..512u32 * 512)
        .flat_map(|i| {
            let (x, y) = (i % 512, i / 512);
            let noise: u8 = if rng.random_range(0..8) == 0 {
                rng.random_range(1..16)
            } else {
                0
            };
            [
                (x / 4) as u8,
                (y / 2) as u8,
                ((x / 4 + y) / 3) as u8 ^ noise,
                255,
            ]
        })
        .collect();
    let image = TextureImage::from_rgba8(512, 512, pixels).unwrap();
    let mut writer = PackWriter::in_memory(64.0).unwrap();
    writer.add_mesh(&chain).unwrap();
    writer.add_texture(&image, true, false).unwrap();
    let pack = writer.finish().unwrap();
    let mesh_level = pack.manifest.meshes[0].levels[0];
    let texture = &pack.manifest.textures[0];
    let texture_level = texture.levels[texture.levels.len() - 1];
    assert_eq!((texture_level.width, texture_level.height), (512, 512));
    let mesh_blob = &pack.blobs[pack.manifest.meshes[0].coarse_blob as usize];
    let texture_blob = &pack.blobs[texture.blob_of(texture.levels.len() - 1) as usize];
    (
        mesh_level,
        level_bytes(mesh_blob, mesh_level.stored.range()).to_vec(),
        texture_level,
        level_bytes(texture_blob, texture_level.stored.range()).to_vec(),
    )
}

fn bench(c: &mut Criterion) {
    let (mesh_level, mesh_bytes, texture_level, texture_bytes) = inputs();
    println!(
        "mesh level: {} triangles, {} bytes raw, {} stored; texture 512x512: {} raw, {} stored",
        mesh_level.triangles,
        mesh_level.stored.raw_len,
        mesh_level.stored.stored_len,
        texture_level.stored.raw_len,
        texture_level.stored.stored_len
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("pack_decode");
    group.measurement_time(Duration::from_secs(4));
    group.warm_up_time(Duration::from_secs(1));

    group.throughput(Throughput::Bytes(u64::from(mesh_level.stored.raw_len)));
    group.bench_function("mesh_50k_1_thread", |b| {
        b.iter(|| decode_mesh_level(black_box(&mesh_level), black_box(&mesh_bytes)).unwrap())
    });
    group.throughput(Throughput::Bytes(u64::from(texture_level.stored.raw_len)));
    group.bench_function("texture_512_1_thread", |b| {
        b.iter(|| {
            decode_texture_level(black_box(&texture_level), black_box(&texture_bytes)).unwrap()
        })
    });

    group.throughput(Throughput::Bytes(
        u64::from(mesh_level.stored.raw_len) * BATCH as u64,
    ));
    group.bench_function("mesh_50k_2_threads", |b| {
        b.iter(|| {
            pool.install(|| {
                (0..BATCH).into_par_iter().for_each(|_| {
                    black_box(decode_mesh_level(&mesh_level, &mesh_bytes).unwrap());
                })
            })
        })
    });
    group.throughput(Throughput::Bytes(
        u64::from(texture_level.stored.raw_len) * BATCH as u64,
    ));
    group.bench_function("texture_512_2_threads", |b| {
        b.iter(|| {
            pool.install(|| {
                (0..BATCH).into_par_iter().for_each(|_| {
                    black_box(decode_texture_level(&texture_level, &texture_bytes).unwrap());
                })
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
