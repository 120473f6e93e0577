//! Running with one thread and with many gives bit-identical worlds.
//!
//! A schedule of function systems mixing parallel float math (`par_for_each`), sequential queries, resources,
//! events and command-buffer spawns and despawns runs 100 frames over 10,000 entities in a
//! one-thread rayon pool, in a four-thread pool, and with the single-threaded executor; every
//! component of every entity must match bit for bit.

use layerw_engine::ecs::{Entity, World};
use layerw_engine::schedule::{
    Commands, Delta, EventReader, EventWriter, ExecutorKind, FixedTime, Local, Query, Res, ResMut,
    Schedule, Stage,
};

#[derive(Clone, Copy, Debug)]
struct Pos([f32; 3]);
#[derive(Clone, Copy, Debug)]
struct Vel([f32; 3]);
#[derive(Clone, Copy, Debug)]
struct Health(f32);
#[derive(Clone, Copy, Debug)]
struct Age(u32);
/// Only some entities have it: a second archetype for the queries to walk.
#[derive(Clone, Copy, Debug)]
struct Spin(f32);

struct Wind([f32; 3]);
#[derive(Default)]
struct Stats {
    checksum: f64,
    deaths: u64,
}
struct Death {
    at: [f32; 3],
}

fn seed_value(i: u32, salt: u32) -> f32 {
    // A cheap deterministic hash to [-1, 1).
    let mut x = i.wrapping_mul(0x9E37_79B9) ^ salt.wrapping_mul(0x85EB_CA6B);
    x ^= x >> 15;
    x = x.wrapping_mul(0x2C1B_3C6D);
    x ^= x >> 12;
    (x as f32 / u32::MAX as f32) * 2.0 - 1.0
}

fn build_world() -> World {
    let mut world = World::new();
    world.insert_resource(FixedTime::new(1.0 / 120.0));
    world.insert_resource(Wind([0.1, 0.0, -0.05]));
    world.insert_resource(Stats::default());
    world.add_event::<Death>();
    world.spawn_batch((0..7_000u32).map(|i| {
        (
            Pos([
                seed_value(i, 1) * 100.0,
                seed_value(i, 2) * 100.0,
                seed_value(i, 3) * 100.0,
            ]),
            Vel([seed_value(i, 4), seed_value(i, 5), seed_value(i, 6)]),
            Health(50.0 + seed_value(i, 7) * 50.0),
            Age(i % 100),
        )
    }));
    world.spawn_batch((7_000..10_000u32).map(|i| {
        (
            Pos([
                seed_value(i, 1) * 100.0,
                seed_value(i, 2) * 100.0,
                seed_value(i, 3) * 100.0,
            ]),
            Vel([seed_value(i, 4), seed_value(i, 5), seed_value(i, 6)]),
            Health(50.0 + seed_value(i, 7) * 50.0),
            Age(i % 100),
            Spin(seed_value(i, 8)),
        )
    }));
    world
}

fn integrate(mut q: Query<(&mut Pos, &Vel)>, dt: Delta) {
    let dt = dt.seconds();
    q.par_for_each(|(p, v)| {
        for k in 0..3 {
            p.0[k] += v.0[k] * dt;
        }
    });
}

fn forces(mut q: Query<(&mut Vel, &Pos, Option<&Spin>)>, wind: Res<Wind>, dt: Delta) {
    let (dt, wind) = (dt.seconds(), wind.0);
    q.par_for_each(|(v, p, spin)| {
        let swirl = spin.map_or(0.0, |s| s.0);
        v.0[0] += ((p.0[1] * 0.37).sin() * 0.5 + wind[0] + swirl * p.0[2].cos()) * dt;
        v.0[1] += ((p.0[2] * 0.11).cos() * 0.5 - p.0[1] * 0.001) * dt;
        v.0[2] += (wind[2] + (p.0[0] * 0.05).sin().sqrt().max(0.0)) * dt;
        for c in &mut v.0 {
            *c *= 0.999;
        }
    });
}

fn age(mut q: Query<(&mut Age, &mut Health, &Vel)>, dt: Delta) {
    let dt = dt.seconds();
    q.par_for_each(|(age, health, v)| {
        age.0 += 1;
        let speed = (v.0[0] * v.0[0] + v.0[1] * v.0[1] + v.0[2] * v.0[2]).sqrt();
        health.0 -= (age.0 as f32).sqrt() * 0.02 + speed * dt * 3.0;
    });
}

/// Sequential query + commands: despawn the dead, send an event per death, spawn a child for
/// every third.
fn reaper(
    mut q: Query<(Entity, &Health, &Pos, &Vel)>,
    mut commands: Commands,
    mut deaths: EventWriter<Death>,
) {
    for (e, health, pos, vel) in q.iter() {
        if health.0 <= 0.0 {
            commands.despawn(e);
            deaths.send(Death { at: pos.0 });
            if e.id() % 3 == 0 {
                commands.spawn((
                    Pos(pos.0),
                    Vel([-vel.0[0], vel.0[1] * 0.5, vel.0[2] + 0.25]),
                    Health(20.0),
                    Age(0),
                ));
            }
        }
    }
}

/// Commands from a system that runs in parallel with others: a steady trickle of spawns.
fn spawner(mut commands: Commands, mut frame: Local<u32>) {
    *frame += 1;
    for k in 0..5u32 {
        let i = frame.wrapping_mul(31).wrapping_add(k);
        commands.spawn((
            Pos([seed_value(i, 11) * 10.0, 0.0, seed_value(i, 12) * 10.0]),
            Vel([seed_value(i, 13), 1.0, seed_value(i, 14)]),
            Health(30.0),
            Age(0),
            Spin(seed_value(i, 15)),
        ));
    }
}

/// A later stage reads the events and folds the world into a checksum (sequentially: float
/// sums are order-dependent, and query order is deterministic).
fn stats(mut q: Query<&Pos>, mut deaths: EventReader<Death>, mut stats: ResMut<Stats>) {
    for death in deaths.read() {
        stats.deaths += 1;
        stats.checksum += f64::from(death.at[0]);
    }
    for p in q.iter() {
        stats.checksum += f64::from(p.0[0] + p.0[1] * 0.5 + p.0[2] * 0.25);
    }
}

fn build_schedule(kind: ExecutorKind) -> Schedule {
    let mut schedule = Schedule::with_executor(kind);
    schedule
        .add_system(Stage::FixedUpdate, integrate)
        .add_system(Stage::FixedUpdate, forces)
        .add_system(Stage::Update, age)
        .add_system(Stage::Update, reaper)
        .add_system(Stage::Update, spawner)
        .add_system(Stage::Render, stats);
    schedule
}

/// Every entity's id and the bits of every component, sorted by entity.
type Snapshot = (Vec<(u64, [u32; 8], Option<u32>)>, u64, u64);

fn snapshot(world: &World) -> Snapshot {
    let mut rows: Vec<(u64, [u32; 8], Option<u32>)> = world
        .query::<(Entity, &Pos, &Vel, &Health, &Age, Option<&Spin>)>()
        .iter()
        .map(|(e, p, v, h, a, s)| {
            (
                e.to_bits().get(),
                [
                    p.0[0].to_bits(),
                    p.0[1].to_bits(),
                    p.0[2].to_bits(),
                    v.0[0].to_bits(),
                    v.0[1].to_bits(),
                    v.0[2].to_bits(),
                    h.0.to_bits(),
                    a.0,
                ],
                s.map(|s| s.0.to_bits()),
            )
        })
        .collect();
    assert_eq!(rows.len(), world.len() as usize);
    rows.sort_unstable_by_key(|r| r.0);
    let stats = world.resource::<Stats>();
    (rows, stats.checksum.to_bits(), stats.deaths)
}

fn simulate(kind: ExecutorKind) -> Snapshot {
    let mut world = build_world();
    let mut schedule = build_schedule(kind);
    for _ in 0..100 {
        schedule.run_frame(&mut world, 1.0 / 60.0);
    }
    snapshot(&world)
}

#[cfg(not(target_family = "wasm"))]
#[test]
fn one_thread_and_four_threads_give_bit_identical_worlds() {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("native thread pool");
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .expect("native thread pool");

    let a = one.install(|| simulate(ExecutorKind::MultiThreaded));
    let b = four.install(|| simulate(ExecutorKind::MultiThreaded));
    let c = four.install(|| simulate(ExecutorKind::SingleThreaded));

    // The scenario really exercised what it claims to.
    assert!(a.2 > 100, "too few deaths: {}", a.2);
    assert!(a.0.len() > 1000, "too few survivors: {}", a.0.len());
    assert!(a.0.iter().any(|r| r.2.is_some()) && a.0.iter().any(|r| r.2.is_none()));

    assert_eq!(a.0.len(), b.0.len(), "entity counts differ");
    for (x, y) in a.0.iter().zip(&b.0) {
        assert_eq!(x, y, "entity data differs between 1 and 4 threads");
    }
    assert_eq!(a, b);
    assert_eq!(a, c);
}

/// On every target (wasm included), in the global pool: the multi-threaded and the
/// single-threaded executor give the same world.
#[test]
fn repeated_runs_are_identical() {
    assert_eq!(
        simulate(ExecutorKind::MultiThreaded),
        simulate(ExecutorKind::SingleThreaded)
    );
}
