//! Per-system timing: off by default, every run and its command buffer counted while on,
//! skipped runs not counted, reset and switched off on request.

use layerw_engine::ecs::{Entity, World};
use layerw_engine::schedule::{
    FixedTime, Schedule, Stage, System, SystemTiming, monotonic_seconds, resource_exists,
};

/// Spins until `seconds` have passed on the schedule's own clock.
fn busy_wait(seconds: f64) {
    let until = monotonic_seconds().expect("a clock natively and on WASI") + seconds;
    while monotonic_seconds().unwrap() < until {}
}

/// A component whose drop takes 2 ms: despawning it through a command buffer makes the
/// command application measurably slow while the system itself is instant.
struct SlowDrop;

impl Drop for SlowDrop {
    fn drop(&mut self) {
        busy_wait(0.002);
    }
}

struct Missing;

fn timing<'a>(timings: &'a [SystemTiming], name: &str) -> &'a SystemTiming {
    timings
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no timing for {name} in {timings:?}"))
}

fn schedule() -> Schedule {
    let mut schedule = Schedule::new();
    schedule
        .add_system(
            Stage::FixedUpdate,
            System::new("fixed_busy", |_| busy_wait(0.001)),
        )
        .add_system(Stage::Update, System::new("busy", |_| busy_wait(0.001)))
        .add_system(Stage::Update, System::new("idle", |_| {}))
        .add_system(
            Stage::Update,
            System::new("skipped", |_| busy_wait(0.001)).run_if(resource_exists::<Missing>()),
        )
        .add_system(
            Stage::Update,
            System::new("despawner", |ctx| {
                let doomed: Vec<Entity> = ctx
                    .query::<(Entity, &SlowDrop)>()
                    .iter()
                    .map(|(e, _)| e)
                    .collect();
                for entity in doomed {
                    ctx.commands().despawn(entity);
                }
            })
            .reads::<SlowDrop>(),
        );
    schedule
}

#[test]
fn timing_is_off_by_default_and_counts_nothing() {
    let mut world = World::new();
    let mut schedule = schedule();
    assert!(!schedule.system_timing());
    schedule.run_frame(&mut world, 1.0 / 60.0);
    let timings = schedule.system_timings();
    assert_eq!(timings.len(), 5);
    assert!(timings.iter().all(|t| t.runs == 0 && t.seconds == 0.0));
}

#[test]
fn every_run_is_counted_with_its_time_in_frame_order() {
    let mut world = World::new();
    // Two fixed steps per frame.
    world.insert_resource(FixedTime::new(1.0 / 120.0));
    let mut schedule = schedule();
    schedule.set_system_timing(true);
    for _ in 0..3 {
        schedule.run_frame(&mut world, 1.0 / 60.0);
    }
    let timings = schedule.system_timings();
    let names: Vec<&str> = timings.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["fixed_busy", "busy", "idle", "skipped", "despawner"]
    );
    assert_eq!(timings[0].stage, Stage::FixedUpdate);
    assert_eq!(timings[1].stage, Stage::Update);

    let fixed = timing(&timings, "fixed_busy");
    assert_eq!(fixed.runs, 6, "two fixed steps in each of three frames");
    assert!(fixed.seconds >= 0.006, "{fixed:?}");
    assert!(fixed.mean_seconds() >= 0.001, "{fixed:?}");
    let busy = timing(&timings, "busy");
    assert_eq!(busy.runs, 3);
    assert!(busy.seconds >= 0.003, "{busy:?}");
    assert_eq!(timing(&timings, "idle").runs, 3);
    let skipped = timing(&timings, "skipped");
    assert_eq!(skipped.runs, 0, "a run whose condition failed is not a run");
    assert_eq!(skipped.mean_seconds(), 0.0);
}

#[test]
fn a_systems_command_buffer_counts_as_its_time() {
    let mut world = World::new();
    world.spawn((SlowDrop,));
    world.spawn((SlowDrop,));
    let mut schedule = schedule();
    schedule.set_system_timing(true);
    schedule.run_frame(&mut world, 1.0 / 60.0);
    assert_eq!(world.len(), 0);
    let timings = schedule.system_timings();
    let despawner = timing(&timings, "despawner");
    assert_eq!(despawner.runs, 1);
    // The system only records two despawns; applying them drops two 2 ms components.
    assert!(despawner.seconds >= 0.004, "{despawner:?}");
}

#[test]
fn reset_zeroes_and_switching_off_stops_counting() {
    let mut world = World::new();
    let mut schedule = schedule();
    schedule.set_system_timing(true);
    schedule.run_frame(&mut world, 1.0 / 60.0);
    assert_eq!(timing(&schedule.system_timings(), "busy").runs, 1);
    schedule.reset_system_timings();
    assert!(
        schedule
            .system_timings()
            .iter()
            .all(|t| t.runs == 0 && t.seconds == 0.0)
    );
    schedule.run_frame(&mut world, 1.0 / 60.0);
    schedule.set_system_timing(false);
    schedule.run_frame(&mut world, 1.0 / 60.0);
    let busy = timing(&schedule.system_timings(), "busy").clone();
    assert_eq!(busy.runs, 1, "only the frame run while timing was on");
    assert!(busy.seconds >= 0.001 && busy.seconds < 1.0, "{busy:?}");
}
