//! Batching: systems are grouped greedily, in declaration order, into batches of mutually
//! non-conflicting systems, and conflicting systems never run at the same time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use layerw_engine::ecs::World;
use layerw_engine::schedule::{ExecutorKind, Schedule, Stage, System};

struct X;
struct Y;
struct Z;
struct Res1;

fn noop(name: &'static str) -> System {
    System::new(name, |_| {})
}

#[test]
fn two_writers_of_one_component_go_to_different_batches() {
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Update, noop("w1").writes::<X>());
    schedule.add_system(Stage::Update, noop("w2").writes::<X>());
    assert_eq!(schedule.batches(Stage::Update), [["w1"], ["w2"]]);
}

#[test]
fn readers_share_a_batch_writers_wait_for_them() {
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Update, noop("r1").reads::<X>());
    schedule.add_system(Stage::Update, noop("r2").reads::<X>());
    schedule.add_system(Stage::Update, noop("w").writes::<X>());
    schedule.add_system(Stage::Update, noop("r3").reads::<X>());
    assert_eq!(
        schedule.batches(Stage::Update),
        [vec!["r1", "r2"], vec!["w"], vec!["r3"]]
    );
}

#[test]
fn greedy_placement_after_last_conflicting_batch() {
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Update, noop("a").writes::<X>());
    schedule.add_system(Stage::Update, noop("b").writes::<Y>());
    schedule.add_system(Stage::Update, noop("c").reads::<X>());
    schedule.add_system(Stage::Update, noop("d").writes::<X>().reads::<Z>());
    // Conflicts with nothing declared earlier: batch 0, although declared after "d".
    schedule.add_system(
        Stage::Update,
        noop("e").reads::<Z>().reads_resource::<Res1>(),
    );
    // Conflicts with "e" only (a resource), so goes right after e's batch.
    schedule.add_system(Stage::Update, noop("f").writes_resource::<Res1>());
    assert_eq!(
        schedule.batches(Stage::Update),
        [vec!["a", "b", "e"], vec!["c", "f"], vec!["d"]]
    );
    // Stages are planned independently.
    assert!(schedule.batches(Stage::Render).is_empty());
}

#[test]
fn removing_a_system_replans() {
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Lod, noop("w1").writes::<X>());
    schedule.add_system(Stage::Lod, noop("w2").writes::<X>());
    schedule.add_system(Stage::Lod, noop("r").reads::<Y>());
    assert_eq!(schedule.batches(Stage::Lod), [vec!["w1", "r"], vec!["w2"]]);
    let removed = schedule.remove_system(Stage::Lod, "w1").unwrap();
    assert_eq!(removed.name(), "w1");
    assert_eq!(schedule.batches(Stage::Lod), [vec!["w2", "r"]]);
    assert!(schedule.remove_system(Stage::Lod, "w1").is_none());
    assert_eq!(
        schedule
            .systems(Stage::Lod)
            .map(|s| s.name())
            .collect::<Vec<_>>(),
        ["w2", "r"]
    );
}

#[cfg(not(target_family = "wasm"))]
mod threads {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A system that records, while it runs, how many systems of its group are running: if two
    /// conflicting systems ever overlapped, `max_overlap` would exceed 1.
    fn probe(
        name: &'static str,
        active: Arc<AtomicUsize>,
        max_overlap: Arc<AtomicUsize>,
    ) -> System {
        System::new(name, move |_| {
            let now = active.fetch_add(1, Ordering::SeqCst) + 1;
            max_overlap.fetch_max(now, Ordering::SeqCst);
            // Long enough that an overlap would be seen.
            let until = std::time::Instant::now() + std::time::Duration::from_micros(200);
            while std::time::Instant::now() < until {
                std::hint::spin_loop();
            }
            active.fetch_sub(1, Ordering::SeqCst);
        })
    }

    #[test]
    fn conflicting_systems_never_run_concurrently() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .expect("native thread pool");
        let writers_active = Arc::new(AtomicUsize::new(0));
        let writers_max = Arc::new(AtomicUsize::new(0));
        let readers_active = Arc::new(AtomicUsize::new(0));
        let readers_max = Arc::new(AtomicUsize::new(0));
        let mut schedule = Schedule::new();
        for name in ["w1", "w2", "w3", "w4"] {
            schedule.add_system(
                Stage::Update,
                probe(name, writers_active.clone(), writers_max.clone()).writes::<X>(),
            );
            // Readers of something else may run alongside the writers and each other.
            schedule.add_system(
                Stage::Update,
                probe("reader", readers_active.clone(), readers_max.clone()).reads::<Y>(),
            );
        }
        assert_eq!(schedule.batches(Stage::Update).len(), 4);
        let mut world = World::new();
        pool.install(|| {
            for _ in 0..50 {
                schedule.run_frame(&mut world, 0.0);
            }
        });
        assert_eq!(writers_max.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn every_system_runs_once_per_stage_with_either_executor() {
    for kind in [ExecutorKind::SingleThreaded, ExecutorKind::MultiThreaded] {
        let runs = Arc::new(AtomicU32::new(0));
        let mut schedule = Schedule::with_executor(kind);
        assert_eq!(schedule.executor(), kind);
        for stage in Stage::ALL {
            if stage == Stage::FixedUpdate {
                continue;
            }
            for _ in 0..10 {
                let runs = runs.clone();
                schedule.add_system(
                    stage,
                    System::new(stage.name(), move |ctx| {
                        assert_eq!(ctx.stage(), stage);
                        runs.fetch_add(1, Ordering::Relaxed);
                    }),
                );
            }
            assert_eq!(schedule.system_count(stage), 10);
        }
        let mut world = World::new();
        schedule.run_frame(&mut world, 0.0);
        assert_eq!(runs.load(Ordering::Relaxed), 80);
    }
}

#[test]
fn stages_run_in_fixed_order() {
    struct Order(Vec<layerw_engine::schedule::Stage>);
    let mut world = World::new();
    world.insert_resource(Order(Vec::new()));
    // Fixed step equal to the frame time: FixedUpdate runs exactly once.
    world.insert_resource(layerw_engine::schedule::FixedTime::new(0.5));
    let mut schedule = Schedule::new();
    // Declared in reverse, run in stage order.
    for stage in Stage::ALL.into_iter().rev() {
        schedule.add_system(
            stage,
            System::new("record", move |ctx| {
                ctx.resource_mut::<Order>().0.push(stage)
            })
            .writes_resource::<Order>(),
        );
    }
    schedule.run_frame(&mut world, 0.5);
    assert_eq!(world.resource::<Order>().0, Stage::ALL);
}
