//! bench_visibility: the Lod and Culling stages as a game runs them, over a million entities,
//! beside the kernels they are built on, timed over the same data in the same run.
//!
//! ```text
//! cargo run --release --example bench_visibility -- [--entities N] [--frames F] [--warmup W]
//!     [--threads T] [--static PERCENT] [--plain PERCENT] [--fit-scene]
//! ```
//!
//! The app is [`HeadlessPlugins`] with its default scene plugins, as a game gets them:
//! `select_lods` in the Lod stage; `fit_shadow_bounds` and `cull` in the Culling stage (no
//! triangle budget, so no `lod_budget`). The world is 4 km x 100 m x 4 km of entities
//! (default 1,000,000 on a 2-thread rayon pool): `--static` percent (default 50) are
//! [`Static`] LOD entities (culled through the BVH), `--plain` percent (default 10) moving
//! entities with a plain mesh, the rest moving LOD entities; the LOD entities draw 32 chains of
//! 1 to 8 levels. A camera 20 m up flies through the middle, turning; the sun casts shadows
//! over a fixed 120 m volume ahead of the camera (`--fit-scene`: the default `FitScene`
//! instead, a pass over every mesh).
//!
//! Each measured frame is one `App::update`; the stage times are the schedule's
//! [`StageTimings`] (the whole stage: every system in it and the commands applied after). Then,
//! in the same process and on the same pool, the kernels run over the same frame's data,
//! gathered from the world beforehand (gathering not timed): `select_levels_par` over every
//! LOD entity's chain, world sphere and level, and `par_cull_spheres` over every entity's
//! world bounding sphere (the culling goal's measure: one frustum; and again with the shadow
//! volume's, as the system tests both). A floor row per stage reads the columns the stage
//! reads per entity and does nothing else: the memory traffic no kernel over prepared arrays
//! pays. Figures are p50 and p99 over the measured frames, in ms and in ns per entity the
//! stage covers (every LOD entity for the Lod stage, every entity for the Culling and Render
//! stages). The Render stage is `extract_render` packing the frame's instances (no GPU).

use std::time::Instant;

use layerw::components::{Camera, DrawPasses, LodMesh, MaterialIndex, MeshRef, Static, Sun};
use layerw::engine::cull::{Frustum, Spheres, par_cull_spheres};
use layerw::engine::lod::{
    LodAssets, LodChain, LodHandle, LodLevel, LodSettings, LodView, select_levels_par,
};
use layerw::engine::render::{Mesh, MeshAssets, RenderQueue};
use layerw::engine::schedule::StageTimings;
use layerw::prelude::*;
use layerw::systems::{CullStats, camera_view, sun_light};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

struct Options {
    entities: usize,
    frames: usize,
    warmup: usize,
    threads: usize,
    statics: usize,
    plain: usize,
    fit_scene: bool,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        entities: 1_000_000,
        frames: 60,
        warmup: 5,
        threads: 2,
        statics: 50,
        plain: 10,
        fit_scene: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} needs a number"))
        };
        match flag.as_str() {
            "--entities" => o.entities = value("--entities")?,
            "--frames" => o.frames = value("--frames")?.max(1),
            "--warmup" => o.warmup = value("--warmup")?,
            "--threads" => o.threads = value("--threads")?.max(1),
            "--static" => o.statics = value("--static")?,
            "--plain" => o.plain = value("--plain")?,
            "--fit-scene" => o.fit_scene = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.statics + o.plain > 100 {
        return Err(format!(
            "--static {} and --plain {} add up to more than 100 percent",
            o.statics, o.plain
        ));
    }
    Ok(o)
}

/// Half the world's width and depth, in metres (its height is 0 to 100 m).
const HALF: f32 = 2000.0;
/// Distinct LOD chains.
const CHAINS: usize = 32;
const DT: f64 = 1.0 / 60.0;

/// The camera at `frame`: 20 m up, 30 m/s round a 1 km circle about the middle, looking
/// along the circle and a little down (it turns 1.7 degrees a second).
fn camera_at(frame: u64) -> Transform {
    let angle = frame as f32 * DT as f32 * 30.0 / 1000.0;
    let eye = Vec3::new(1000.0 * angle.cos(), 20.0, 1000.0 * angle.sin());
    let ahead = Vec3::new(-angle.sin(), -0.05, angle.cos());
    Transform::from_translation(eye).looking_at(eye + ahead)
}

/// Moves the camera on its circle and the shadow volume with it (when it is fixed).
fn fly(
    mut cameras: Query<(&mut Transform, &Camera)>,
    time: Res<Time>,
    mut shadow: ResMut<ShadowBounds>,
) {
    for (transform, _) in cameras.iter() {
        *transform = camera_at(time.frame());
        if let ShadowBounds::Fixed { center, .. } = &mut *shadow {
            let ahead = transform.translation + transform.rotation * Vec3::new(0.0, 0.0, -80.0);
            *center = Vec3::new(ahead.x, 0.0, ahead.z);
        }
    }
}

/// Moves the moving entities, wrapping round the world's edges.
fn drift(mut movers: Query<(&mut Transform, &Velocity)>, dt: Delta) {
    let dt = dt.seconds();
    movers.par_for_each(|(transform, velocity)| {
        let mut p = transform.translation + velocity.0 * dt;
        for axis in [0, 2] {
            if p[axis] > HALF {
                p[axis] -= 2.0 * HALF;
            } else if p[axis] < -HALF {
                p[axis] += 2.0 * HALF;
            }
        }
        transform.translation = p;
    });
}

/// 32 chains of 1 to 8 levels (UV spheres, coarse to fine), errors halving per level.
fn chains(rng: &mut SmallRng, meshes: &mut MeshAssets, lods: &mut LodAssets) -> Vec<LodHandle> {
    (0..CHAINS)
        .map(|c| {
            let levels = 1 + c % 8;
            let base: f32 = rng.random_range(0.005..0.03);
            let chain = LodChain::new(
                (0..levels)
                    .map(|i| {
                        let segments = 4 + 2 * i as u32;
                        let error = if i + 1 == levels {
                            0.0
                        } else {
                            base * (1 << (levels - 1 - i)) as f32
                        };
                        LodLevel::new(Mesh::sphere(1.0, segments, segments / 2), error)
                    })
                    .collect(),
            )
            .expect("a valid chain");
            lods.add(chain, meshes).expect("the chain's meshes fit")
        })
        .collect()
}

fn placement(rng: &mut SmallRng) -> Transform {
    Transform {
        translation: Vec3::new(
            rng.random_range(-HALF..HALF),
            rng.random_range(0.0..100.0),
            rng.random_range(-HALF..HALF),
        ),
        rotation: Quat::from_rotation_y(rng.random_range(0.0..std::f32::consts::TAU)),
        scale: Vec3::splat(rng.random_range(0.5..3.0)),
    }
}

fn velocity(rng: &mut SmallRng) -> Velocity {
    Velocity(Vec3::new(
        rng.random_range(-10.0..10.0),
        0.0,
        rng.random_range(-10.0..10.0),
    ))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Seconds per sample, one series per row of the report.
#[derive(Default)]
struct Series {
    lod_stage: Vec<f64>,
    lod_kernel: Vec<f64>,
    cull_stage: Vec<f64>,
    cull_kernel: Vec<f64>,
    cull_kernel_two: Vec<f64>,
    lod_read: Vec<f64>,
    cull_read: Vec<f64>,
    render_stage: Vec<f64>,
}

/// What the kernels read, gathered from the world after a frame.
#[derive(Default)]
struct KernelData {
    spheres: Spheres,
    chain_of: Vec<u32>,
    lod_spheres: Vec<Vec4>,
    levels: Vec<u8>,
    /// The levels `select_lods` chose this frame, to check the kernel agrees.
    chosen: Vec<u8>,
}

impl KernelData {
    fn gather(&mut self, world: &World) {
        self.spheres.clear();
        self.chain_of.clear();
        self.lod_spheres.clear();
        self.chosen.clear();
        let meshes = world.resource::<MeshAssets>();
        let lods = world.resource::<LodAssets>();
        for (transform, mesh, _, lod) in world
            .query::<(&Transform, &MeshRef, &DrawPasses, Option<&LodMesh>)>()
            .iter()
        {
            let (center, radius) = meshes
                .bounds(mesh.0)
                .map_or((Vec3::ZERO, f32::NEG_INFINITY), |(c, r)| {
                    transform.transform_sphere(c, r)
                });
            self.spheres.push(center, radius);
            if let Some(lod) = lod
                && let Some(chain) = lods.get(lod.chain)
            {
                let (c, r) = transform.transform_sphere(chain.bounds.center, chain.bounds.radius);
                self.chain_of.push(LodAssets::index(lod.chain) as u32);
                self.lod_spheres.push(c.extend(r));
                self.chosen.push(lod.level);
            }
        }
        // Last frame's levels fed back, as the system has them: the steady state.
        self.levels.clone_from(&self.chosen);
    }
}

/// Reads every row of the columns a stage reads and does nothing else (a sum, so the reads
/// stay): the memory traffic the stage cannot avoid without a change in what it reads. `lod`:
/// `Transform`, `LodMesh` and `MeshRef` of every LOD archetype (what `select_lods` reads);
/// otherwise `Transform` and `MeshRef` of every dynamic (not `Static`) archetype with
/// `DrawPasses` (what `cull` reads per entity; its statics cost what the BVH finds).
fn read_columns(world: &World, lod: bool) -> f32 {
    use rayon::prelude::*;
    const CHUNK: usize = 8 * 1024;
    let mut sum = 0.0;
    for archetype in world.as_hecs().archetypes() {
        let (Some(transforms), Some(meshes)) =
            (archetype.get::<&Transform>(), archetype.get::<&MeshRef>())
        else {
            continue;
        };
        let (transforms, meshes): (&[Transform], &[MeshRef]) = (&transforms, &meshes);
        if lod {
            let Some(lods) = archetype.get::<&LodMesh>() else {
                continue;
            };
            let lods: &[LodMesh] = &lods;
            sum += transforms
                .par_chunks(CHUNK)
                .zip(lods.par_chunks(CHUNK))
                .zip(meshes.par_chunks(CHUNK))
                .map(|((t, l), m)| {
                    t.iter()
                        .zip(l)
                        .zip(m)
                        .map(|((t, l), m)| {
                            t.translation.x + t.scale.x + f32::from(l.level) + m.0.index() as f32
                        })
                        .sum::<f32>()
                })
                .sum::<f32>();
        } else if !archetype.has::<Static>() && archetype.has::<DrawPasses>() {
            sum += transforms
                .par_chunks(CHUNK)
                .zip(meshes.par_chunks(CHUNK))
                .map(|(t, m)| {
                    t.iter()
                        .zip(m)
                        .map(|(t, m)| t.translation.x + t.scale.x + m.0.index() as f32)
                        .sum::<f32>()
                })
                .sum::<f32>();
        }
    }
    sum
}

/// The camera's frustum, the shadow volume's (when the sun casts shadows) and the LOD view,
/// as the systems compute them.
fn views(world: &World) -> (Frustum, Option<Frustum>, LodView) {
    let resolution = world
        .try_resource::<Window>()
        .map_or(UVec2::new(1280, 720), |w| w.internal_resolution());
    let aspect = resolution.x as f32 / resolution.y.max(1) as f32;
    let view = world
        .query::<(&Transform, &Camera)>()
        .iter()
        .next()
        .map(|(t, c)| camera_view(t, c, aspect))
        .expect("a camera");
    let main = Frustum::from_view_projection(view.projection * view.view);
    let bounds = world.resource::<RenderQueue>().shadow_bounds;
    let shadow = world
        .query::<(&Transform, &Sun)>()
        .iter()
        .next()
        .filter(|(_, sun)| sun.shadows)
        .map(|(t, sun)| Frustum::from_view_projection(sun_light(t, sun).view_projection(bounds)));
    let lod = LodView::from_camera(&view, resolution.y.max(1)).expect("a valid camera");
    (main, shadow, lod)
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench_visibility: {e}");
            std::process::exit(2);
        }
    };
    // walloc's default split: a million entities' BVH, id map and buffers outgrow General's
    // own 5 % (205 MiB), and the budget the other tiers lend serves them.
    rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads)
        .build_global()
        .expect("the global rayon pool");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    let mut rng = SmallRng::seed_from_u64(42);
    let (mut meshes, mut lods) = (MeshAssets::default(), LodAssets::default());
    let handles = chains(&mut rng, &mut meshes, &mut lods);
    let cube = meshes.add(Mesh::cube(1.0)).expect("a cube is valid");
    // Any level to start with: the first frame picks.
    let first_mesh: Vec<MeshRef> = handles
        .iter()
        .map(|&h| MeshRef(lods.get(h).expect("loaded").levels[0].mesh))
        .collect();

    let mut app = App::new();
    app.add_plugin(HeadlessPlugins {
        // A bench measures frames, not logging: no subscriber.
        log: None,
        extract: ExtractPlugin {
            shadow_bounds: if o.fit_scene {
                ShadowBounds::FitScene
            } else {
                ShadowBounds::Fixed {
                    center: Vec3::ZERO,
                    radius: 120.0,
                }
            },
            camera_controls: false,
        },
        diagnostics: None,
        ..HeadlessPlugins::default()
    });
    app.insert_resource(meshes).insert_resource(lods);
    app.add_system(Stage::Update, fly)
        .add_system(Stage::Update, drift);

    let statics = o.entities * o.statics / 100;
    let plain = o.entities * o.plain / 100;
    let moving = o.entities - statics - plain;
    let chain = |rng: &mut SmallRng| rng.random_range(0..CHAINS);
    let world = app.world_mut();
    world.spawn_batch(
        (0..statics)
            .map(|i| {
                let c = chain(&mut rng);
                (
                    placement(&mut rng),
                    first_mesh[c],
                    LodMesh::new(handles[c]),
                    DrawPasses::default(),
                    MaterialIndex((i % 8) as u16),
                    Static,
                )
            })
            .collect::<Vec<_>>(),
    );
    world.spawn_batch(
        (0..moving)
            .map(|i| {
                let c = chain(&mut rng);
                (
                    placement(&mut rng),
                    first_mesh[c],
                    LodMesh::new(handles[c]),
                    DrawPasses::default(),
                    MaterialIndex((i % 8) as u16),
                    velocity(&mut rng),
                )
            })
            .collect::<Vec<_>>(),
    );
    world.spawn_batch(
        (0..plain)
            .map(|i| {
                (
                    placement(&mut rng),
                    MeshRef(cube),
                    DrawPasses::default(),
                    MaterialIndex((i % 8) as u16),
                    velocity(&mut rng),
                )
            })
            .collect::<Vec<_>>(),
    );
    world.spawn((camera_at(0), Camera::default()));
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.4, -1.0, -0.3).normalize(),
        )),
        Sun {
            color: Vec3::ONE,
            intensity: 3.0,
            shadows: true,
        },
    ));

    let mut series = Series::default();
    let mut data = KernelData::default();
    let mut out = Vec::new();
    let (mut first_lod, mut first_cull) = (0.0, 0.0);
    let (mut visible, mut casters, mut kernel_visible, mut mismatched) = (0u64, 0u64, 0u64, 0u64);
    for frame in 0..o.warmup + o.frames {
        app.update(DT);
        let world = app.world();
        let stages = *world.resource::<StageTimings>();
        if frame == 0 {
            first_lod = stages.seconds(Stage::Lod);
            first_cull = stages.seconds(Stage::Culling);
        }
        if frame < o.warmup {
            continue;
        }
        series.lod_stage.push(stages.seconds(Stage::Lod));
        series.cull_stage.push(stages.seconds(Stage::Culling));
        series.render_stage.push(stages.seconds(Stage::Render));
        let stats = *world.resource::<CullStats>();
        visible += u64::from(stats.visible);
        casters += u64::from(stats.casters);

        // Reading the columns alone, on the same pool.
        let started = Instant::now();
        std::hint::black_box(read_columns(world, true));
        series.lod_read.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        std::hint::black_box(read_columns(world, false));
        series.cull_read.push(started.elapsed().as_secs_f64());

        // The kernels over this frame's data, on the same pool.
        data.gather(world);
        let (main, shadow, lod_view) = views(world);
        let settings = *world.resource::<LodSettings>();
        let lod_assets = world.resource::<LodAssets>();
        let started = Instant::now();
        select_levels_par(
            lod_assets.selection(),
            &data.chain_of,
            &data.lod_spheres,
            &mut data.levels,
            &lod_view,
            &settings,
        );
        series.lod_kernel.push(started.elapsed().as_secs_f64());
        mismatched += data
            .levels
            .iter()
            .zip(&data.chosen)
            .filter(|(a, b)| a != b)
            .count() as u64;
        let started = Instant::now();
        par_cull_spheres(&main, &data.spheres, &mut out);
        series.cull_kernel.push(started.elapsed().as_secs_f64());
        kernel_visible += out.len() as u64;
        let started = Instant::now();
        par_cull_spheres(&main, &data.spheres, &mut out);
        if let Some(shadow) = &shadow {
            par_cull_spheres(shadow, &data.spheres, &mut out);
        }
        series.cull_kernel_two.push(started.elapsed().as_secs_f64());
    }

    let frames = o.frames as u64;
    let lod_entities = data.chain_of.len();
    let all = data.spheres.len();
    let dynamic = all - statics;
    println!(
        "bench_visibility: {all} entities ({statics} static LOD, {moving} moving LOD, {plain} \
         moving plain), {} threads, {} frames after {} warm-up; shadow volume {}",
        o.threads,
        o.frames,
        o.warmup,
        if o.fit_scene { "FitScene" } else { "Fixed" }
    );
    println!("load average at start: {}", load.trim());
    println!(
        "per frame (mean): {} visible, {} shadow casters (the cull kernel, spheres only: {} \
         visible); LOD kernel levels differing from select_lods': {}",
        visible / frames,
        casters / frames,
        kernel_visible / frames,
        mismatched
    );
    println!(
        "first frame (indexing every static entity): Lod stage {:.1} ms, Culling stage {:.1} ms",
        first_lod * 1e3,
        first_cull * 1e3
    );
    println!(
        "{:<62} {:>8} {:>8} {:>10} {:>10}",
        "", "p50 ms", "p99 ms", "p50 ns/e", "p99 ns/e"
    );
    let row = |name: &str, samples: &[f64], entities: usize| {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (p50, p99) = (percentile(&sorted, 0.5), percentile(&sorted, 0.99));
        let per = |s: f64| s * 1e9 / entities.max(1) as f64;
        println!(
            "{:<62} {:>8.3} {:>8.3} {:>10.2} {:>10.2}",
            name,
            p50 * 1e3,
            p99 * 1e3,
            per(p50),
            per(p99)
        );
    };
    row(
        &format!("Lod stage (select_lods; {lod_entities} LOD entities)"),
        &series.lod_stage,
        lod_entities,
    );
    row(
        "  kernel: select_levels_par over the same",
        &series.lod_kernel,
        lod_entities,
    );
    row(
        "  floor: reading its columns (Transform, LodMesh, MeshRef)",
        &series.lod_read,
        lod_entities,
    );
    row(
        &format!("Culling stage (fit_shadow_bounds, cull; {all} entities)"),
        &series.cull_stage,
        all,
    );
    row(
        "  kernel: par_cull_spheres, camera frustum",
        &series.cull_kernel,
        all,
    );
    row(
        "  kernel: par_cull_spheres, camera and shadow frustums",
        &series.cull_kernel_two,
        all,
    );
    row(
        &format!("  floor: reading the dynamic entities' Transform, MeshRef ({dynamic})"),
        &series.cull_read,
        all,
    );
    row(
        &format!("Render stage (extract_render; {all} entities)"),
        &series.render_stage,
        all,
    );
    let memory = walloc::stats();
    println!(
        "walloc peaks: Entity {} MiB, General {} MiB",
        memory.tier(Tier::Entity).peak >> 20,
        memory.tier(Tier::General).peak >> 20
    );
    // The smoke run in scripts/test.sh relies on this: the system and the kernel must agree.
    if mismatched != 0 {
        eprintln!("bench_visibility: select_lods and select_levels_par chose different levels");
        std::process::exit(1);
    }
}
