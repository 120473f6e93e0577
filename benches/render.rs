//! CPU cost of a frame's rendering work for 100k and 1M instanced cubes:
//!
//! * `extract/<n>`: the Render stage's [`extract_render`] system run by a schedule, on a
//!   grid of (Transform, MeshRef, MaterialIndex) entities with no `DrawPasses` (all visible):
//!   find each chunk's runs of visible entities, pack them straight from the columns into
//!   their places in the Render-tier arena (in parallel), group by mesh.
//! * `extract/visible10/<n>`: the same system on the same grid with the `DrawPasses` a culling
//!   pass would leave for a camera seeing a corner of it: 10 % in both passes (a square of the
//!   grid), 1.6 % shadow casters only (a band beside it), the rest in no pass.
//! * `extract_static/...` and `extract_moving/...`: `extract_render` on the same worlds with
//!   change tracking on (as `ExtractPlugin` sets up): unchanged, so every archetype is packed
//!   once and copied from the kept store each frame; and with every transform marked as
//!   written before each frame, so nothing is kept.
//! * `extract_items/...`: the extraction this replaced, on the same worlds, built here from
//!   the public API: every entity packed in query order into an intermediate array of
//!   36-byte items (`par_collect`), then grouped into the arena (`RenderQueue::set_packed`).
//! * `set_packed/<n>`: that grouping kernel alone, over prepared items (all visible).
//! * `upload_encode/<n>`: `Renderer::render` on the CPU side: write the frame uniform, copy
//!   the instances to the GPU buffer (one `write_buffer`), encode the shadow, PBR and
//!   tonemap passes and submit. Timed with `iter_custom`, waiting for the GPU outside the
//!   timed part, so GPU time is excluded. Skipped without an adapter.
//!
//! Run: `cargo bench -p layerw-benches --bench render`. On machines without a GPU the adapter is lavapipe, whose
//! `write_buffer` is a memcpy into host memory.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use layerw::components::{Camera, DrawPasses, GlobalTransform, MaterialIndex, MeshRef, Transform};
use layerw::engine::ecs::World;
use layerw::engine::gpu::{GpuContext, Renderer, RendererConfig};
use layerw::engine::render::{
    CameraView, GpuInstance, Mesh, MeshAssets, PASS_ALL, PASS_SHADOW, PackedItem, RenderQueue,
};
use layerw::engine::schedule::{Schedule, Stage, System};
use layerw::prelude::{Quat, Vec3};
use layerw::systems::extract_render;

const COUNTS: [u32; 2] = [100_000, 1_000_000];

/// How much of the grid a camera sees.
#[derive(Clone, Copy)]
enum Seen {
    /// Everything, with no culling (no `DrawPasses`).
    All,
    /// A corner: 10 % in both passes, a band of 1.6 % shadow casters beside it.
    Corner,
}

fn world(count: u32, mesh: layerw::components::MeshHandle, seen: Seen) -> World {
    let mut world = World::new();
    let side = (count as f32).sqrt().ceil() as u32;
    // The seen square's side, and the casters' band beyond it.
    let (corner, band) = (
        (side as f32 * 0.1f32.sqrt()) as u32,
        (side as f32 * 0.05) as u32,
    );
    let transform = |i: u32| {
        let (x, z) = ((i % side) as f32 * 1.6, (i / side) as f32 * 1.6);
        Transform {
            translation: Vec3::new(x, 1.0, z),
            rotation: Quat::from_rotation_y(i as f32 * 0.01),
            scale: Vec3::ONE,
        }
    };
    match seen {
        Seen::All => {
            world.spawn_batch(
                (0..count).map(|i| (transform(i), MeshRef(mesh), MaterialIndex((i % 8) as u16))),
            );
        }
        Seen::Corner => {
            world.spawn_batch((0..count).map(|i| {
                let (x, z) = (i % side, i / side);
                let passes = if x < corner && z < corner {
                    PASS_ALL
                } else if x < corner + band && z < corner {
                    PASS_SHADOW
                } else {
                    0
                };
                (
                    transform(i),
                    MeshRef(mesh),
                    MaterialIndex((i % 8) as u16),
                    DrawPasses(passes),
                )
            }));
        }
    }
    world.spawn((
        Transform::from_translation(Vec3::new(0.0, 50.0, 100.0)).looking_at(Vec3::ZERO),
        Camera::default(),
    ));
    world.insert_resource(RenderQueue::new());
    world
}

/// An entity's item as the replaced extraction packed it (a hidden or culled one: the
/// default item, dropped by the grouping).
fn item(
    (transform, mesh, material, passes): (
        &Transform,
        &MeshRef,
        Option<&MaterialIndex>,
        Option<&DrawPasses>,
    ),
) -> PackedItem {
    let passes = passes.map_or(PASS_ALL, |p| p.0);
    if passes == 0 {
        return PackedItem::default();
    }
    PackedItem {
        mesh: mesh.0,
        textures: Default::default(),
        surface: Default::default(),
        passes,
        instance: GpuInstance::new(
            transform.translation,
            transform.rotation,
            transform.scale.max_element(),
            material.map_or(0, |m| m.0),
        ),
    }
}

/// The extraction this replaced, for comparison: every entity packed into an intermediate
/// item array in query order (in parallel), then grouped into the arena. (Instances only: the
/// camera and lights cost the same in both.)
fn extract_items() -> System {
    let mut items: Vec<PackedItem> = Vec::new();
    System::new("bench::extract_items", move |ctx| {
        ctx.par_collect::<(
            &Transform,
            &MeshRef,
            Option<&MaterialIndex>,
            Option<&DrawPasses>,
        ), _, _>(&mut items, item);
        ctx.resource_mut::<RenderQueue>().set_packed(&items);
    })
    .reads::<Transform>()
    .reads::<MeshRef>()
    .reads::<MaterialIndex>()
    .reads::<DrawPasses>()
    .writes_resource::<RenderQueue>()
}

/// The frame's instances and batches, to check both extractions agree (`with_frame` wants a
/// camera, which the replaced extraction's stand-in does not set: any will do).
fn frame(world: &mut World) -> (Vec<GpuInstance>, Vec<layerw::engine::render::Batch>) {
    let mut queue = world.resource_mut::<RenderQueue>();
    queue.camera = Some(CameraView::look_at(
        Vec3::Z,
        Vec3::ZERO,
        1.0,
        1.0,
        0.1,
        10.0,
    ));
    let instances = queue.with_frame(|f| f.expect("a camera").instances.to_vec());
    (instances, queue.batches.clone())
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
        for (seen, label) in [(Seen::All, ""), (Seen::Corner, "/visible10")] {
            let mut w = world(count, mesh, seen);
            assert!(w.resource::<RenderQueue>().in_render_arena());
            let mut schedule = Schedule::new();
            schedule.add_system(Stage::Render, extract_render());
            let mut before = Schedule::new();
            before.add_system(Stage::Render, extract_items());
            // Both give the same frame.
            before.run_stage(Stage::Render, &mut w, 1.0 / 60.0);
            let expected = frame(&mut w);
            schedule.run_stage(Stage::Render, &mut w, 1.0 / 60.0);
            assert!(frame(&mut w) == expected, "the two extractions differ");
            group.bench_function(BenchmarkId::new(format!("extract{label}"), count), |b| {
                b.iter(|| schedule.run_stage(Stage::Render, &mut w, 1.0 / 60.0))
            });
            group.bench_function(
                BenchmarkId::new(format!("extract_items{label}"), count),
                |b| b.iter(|| before.run_stage(Stage::Render, &mut w, 1.0 / 60.0)),
            );
            // Change tracking on, as `ExtractPlugin` sets it up: `extract_static` on the
            // unchanged world (packed once into the kept store, then copied every frame);
            // `extract_moving` with every transform written before each frame (a mutable
            // query over `Transform` marks its archetype), so nothing can be kept.
            w.track_changes::<Transform>();
            w.track_changes::<GlobalTransform>();
            w.track_changes::<MaterialIndex>();
            let mut tracked = Schedule::new();
            tracked.add_system(Stage::Render, extract_render());
            for _ in 0..2 {
                tracked.run_stage(Stage::Render, &mut w, 1.0 / 60.0);
            }
            assert!(frame(&mut w) == expected, "the kept frame differs");
            group.bench_function(
                BenchmarkId::new(format!("extract_static{label}"), count),
                |b| b.iter(|| tracked.run_stage(Stage::Render, &mut w, 1.0 / 60.0)),
            );
            group.bench_function(
                BenchmarkId::new(format!("extract_moving{label}"), count),
                |b| {
                    b.iter(|| {
                        let _marked = w.query_mut::<&mut Transform>();
                        tracked.run_stage(Stage::Render, &mut w, 1.0 / 60.0)
                    })
                },
            );
            if let Seen::Corner = seen {
                continue;
            }
            let items: Vec<PackedItem> = w
                .query::<(
                    &Transform,
                    &MeshRef,
                    Option<&MaterialIndex>,
                    Option<&DrawPasses>,
                )>()
                .iter()
                .map(item)
                .collect();
            group.bench_function(BenchmarkId::new("set_packed", count), |b| {
                b.iter(|| w.resource_mut::<RenderQueue>().set_packed(&items))
            });
            if let Some((gpu, renderer)) = &mut host {
                schedule.run_stage(Stage::Render, &mut w, 1.0 / 60.0);
                group.bench_function(BenchmarkId::new("upload_encode", count), |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let queue = w.resource::<RenderQueue>();
                            let started = Instant::now();
                            queue
                                .with_frame(|frame| renderer.render(gpu, &frame.unwrap()).unwrap());
                            total += started.elapsed();
                            renderer.wait_idle(gpu).unwrap();
                        }
                        total
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
