//! CPU cost of a frame's rendering work for 100k and 1M instanced cubes:
//!
//! * `extract/<n>`: the Render stage's [`extract_render`] system: query every (Transform,
//!   MeshRef, MaterialIndex), pack each to a 20-byte instance (in parallel), group by mesh
//!   into the Render-tier arena.
//! * `upload_encode/<n>`: `Renderer::render` on the CPU side: write the frame uniform, copy
//!   the instances to the GPU buffer (one `write_buffer`), encode the shadow, PBR and
//!   tonemap passes and submit. Timed with `iter_custom`, waiting for the GPU outside the
//!   timed part, so GPU time is excluded. Skipped without an adapter.
//!
//! Run: `cargo bench --bench render`. On machines without a GPU the adapter is lavapipe, whose
//! `write_buffer` is a memcpy into host memory.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use layerw::components::{Camera, MaterialIndex, MeshRef, Transform};
use layerw::engine::ecs::World;
use layerw::engine::gpu::{GpuContext, Renderer, RendererConfig};
use layerw::engine::render::{Mesh, MeshAssets, RenderQueue};
use layerw::engine::schedule::{Schedule, Stage};
use layerw::prelude::{Quat, Vec3};
use layerw::systems::extract_render;

const COUNTS: [u32; 2] = [100_000, 1_000_000];

fn world(count: u32, mesh: layerw::components::MeshHandle) -> World {
    let mut world = World::new();
    let side = (count as f32).sqrt().ceil() as u32;
    world.spawn_batch((0..count).map(|i| {
        let (x, z) = ((i % side) as f32 * 1.6, (i / side) as f32 * 1.6);
        (
            Transform {
                translation: Vec3::new(x, 1.0, z),
                rotation: Quat::from_rotation_y(i as f32 * 0.01),
                scale: Vec3::ONE,
            },
            MeshRef(mesh),
            MaterialIndex((i % 8) as u16),
        )
    }));
    world.spawn((
        Transform::from_translation(Vec3::new(0.0, 50.0, 100.0)).looking_at(Vec3::ZERO),
        Camera::default(),
    ));
    world.insert_resource(RenderQueue::new());
    world
}

fn bench(c: &mut Criterion) {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build_global();
    let mut meshes = MeshAssets::default();
    let mesh = meshes.add(Mesh::cube(1.0)).unwrap();
    let host = GpuContext::headless().and_then(|gpu| {
        let mut renderer = Renderer::new(&gpu, RendererConfig::default())?;
        renderer.sync_meshes(&gpu, &meshes, &RenderQueue::new())?;
        Ok((gpu, renderer))
    });
    if let Err(e) = &host {
        eprintln!("render bench: no GPU ({e}); upload_encode is skipped");
    }
    let mut host = host.ok();
    let mut group = c.benchmark_group("render");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    for count in COUNTS {
        let mut w = world(count, mesh);
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Render, extract_render());
        group.bench_function(BenchmarkId::new("extract", count), |b| {
            b.iter(|| schedule.run_stage(Stage::Render, &mut w, 1.0 / 60.0))
        });
        if let Some((gpu, renderer)) = &mut host {
            schedule.run_stage(Stage::Render, &mut w, 1.0 / 60.0);
            group.bench_function(BenchmarkId::new("upload_encode", count), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let queue = w.resource::<RenderQueue>();
                        let started = Instant::now();
                        queue.with_frame(|frame| renderer.render(gpu, &frame.unwrap()).unwrap());
                        total += started.elapsed();
                        renderer.wait_idle(gpu).unwrap();
                    }
                    total
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
