//! Executor overhead: 100 empty systems in one stage (the bevy_ecs `empty_systems` shape).
//!
//! Ignored by default (timings are not assertions); run with
//! `cargo test --release -p layerw-engine --test schedule_overhead -- --ignored --nocapture`.
//! The criterion benchmark proper belongs in benches/.

use std::time::Instant;

use layerw_engine::ecs::World;
use layerw_engine::schedule::{ExecutorKind, Schedule, Stage, System};

fn per_iteration(schedule: &mut Schedule, world: &mut World, frame: bool) -> f64 {
    let run = |schedule: &mut Schedule, world: &mut World| {
        if frame {
            schedule.run_frame(world, 1.0 / 60.0);
        } else {
            schedule.run_stage(Stage::Update, world, 1.0 / 60.0);
        }
    };
    for _ in 0..1000 {
        run(schedule, world);
    }
    let mut best = f64::MAX;
    for _ in 0..10 {
        let n = 5000;
        let start = Instant::now();
        for _ in 0..n {
            run(schedule, world);
        }
        best = best.min(start.elapsed().as_secs_f64() / f64::from(n));
    }
    best
}

#[test]
#[ignore = "timing report, run explicitly in release"]
fn empty_systems_overhead() {
    for kind in [ExecutorKind::SingleThreaded, ExecutorKind::MultiThreaded] {
        let mut schedule = Schedule::with_executor(kind);
        for _ in 0..100 {
            schedule.add_system(Stage::Update, System::new("empty", |_| {}));
        }
        let mut world = World::new();
        let stage = per_iteration(&mut schedule, &mut world, false);
        let frame = per_iteration(&mut schedule, &mut world, true);
        println!(
            "{kind:?} ({} rayon threads): 100 empty systems: run_stage {:.2} us, run_frame {:.2} us",
            rayon::current_num_threads(),
            stage * 1e6,
            frame * 1e6
        );
    }
}
