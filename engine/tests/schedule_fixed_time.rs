//! The fixed-timestep accumulator: steps per frame, interpolation alpha and the catch-up cap.

use layerw_engine::ecs::World;
use layerw_engine::schedule::{FixedTime, FixedTimeError, Schedule, Stage, System, Time};

#[test]
fn steps_follow_the_accumulator() {
    let mut fixed = FixedTime::new(0.1);
    assert_eq!(fixed.advance(0.05), 0);
    assert!((fixed.alpha() - 0.5).abs() < 1e-9);
    assert_eq!(fixed.advance(0.05), 1);
    assert!(fixed.alpha() < 1e-6);
    assert_eq!(fixed.advance(0.25), 2);
    assert!((fixed.alpha() - 0.5).abs() < 1e-9);
    assert_eq!(fixed.steps_this_frame(), 2);
    assert_eq!(fixed.total_steps(), 3);
    assert!((fixed.elapsed_seconds() - 0.3).abs() < 1e-12);
}

#[test]
fn exact_multiples_do_not_drift() {
    // 1/60 s frames at a 1/60 s step: one step every frame, never zero or two.
    let mut fixed = FixedTime::new(1.0 / 60.0);
    for _ in 0..10_000 {
        assert_eq!(fixed.advance(1.0 / 60.0), 1);
    }
    // 1/120 s step: two per frame.
    let mut fixed = FixedTime::new(1.0 / 120.0);
    for _ in 0..10_000 {
        assert_eq!(fixed.advance(1.0 / 60.0), 2);
    }
}

#[test]
fn spike_is_capped_and_excess_dropped() {
    let mut fixed = FixedTime::new(0.01).with_max_steps(5);
    assert_eq!(fixed.max_steps(), 5);
    // A 2.345 s hitch would need 234 steps.
    assert_eq!(fixed.advance(2.345), 5);
    assert!(
        (fixed.dropped_seconds() - 2.29).abs() < 1e-9,
        "{}",
        fixed.dropped_seconds()
    );
    // The fraction of a step is kept; the simulation does not try to catch up next frame.
    assert!((fixed.alpha() - 0.5).abs() < 1e-6, "{}", fixed.alpha());
    assert_eq!(fixed.advance(0.01), 1);
    assert_eq!(fixed.dropped_seconds(), 0.0);
}

#[test]
fn invalid_configuration_is_a_typed_error() {
    assert_eq!(
        FixedTime::try_new(0.0),
        Err(FixedTimeError::InvalidStep { step: 0.0 })
    );
    assert!(matches!(
        FixedTime::try_new(f64::NAN),
        Err(FixedTimeError::InvalidStep { .. })
    ));
    assert_eq!(
        FixedTime::new(0.1).try_with_max_steps(0),
        Err(FixedTimeError::ZeroMaxSteps)
    );
    let mut fixed = FixedTime::new(0.1);
    assert_eq!(fixed.advance(-5.0), 0);
    assert_eq!(fixed.advance(f64::INFINITY), 0);
    assert_eq!(fixed.accumulator(), 0.0);
}

#[test]
fn schedule_runs_fixed_update_per_step_before_update() {
    #[derive(Default)]
    struct Log(Vec<(Stage, f64)>);

    let mut world = World::new();
    world.insert_resource(FixedTime::new(0.25).with_max_steps(3));
    world.insert_resource(Log::default());
    let mut schedule = Schedule::new();
    for stage in [Stage::Update, Stage::FixedUpdate] {
        schedule.add_system(
            stage,
            System::new("log", |ctx| {
                let dt = ctx.delta_seconds();
                ctx.resource_mut::<Log>().0.push((ctx.stage(), dt));
            })
            .writes_resource::<Log>(),
        );
    }

    schedule.run_frame(&mut world, 0.6); // 2 steps, 0.1 left
    assert_eq!(
        world.resource::<Log>().0,
        [
            (Stage::FixedUpdate, 0.25),
            (Stage::FixedUpdate, 0.25),
            (Stage::Update, 0.6)
        ]
    );
    assert_eq!(world.resource::<FixedTime>().steps_this_frame(), 2);
    assert!((world.resource::<FixedTime>().alpha() - 0.4).abs() < 1e-9);

    world.resource_mut::<Log>().0.clear();
    schedule.run_frame(&mut world, 0.1); // 0.2 accumulated: no step
    assert_eq!(world.resource::<Log>().0, [(Stage::Update, 0.1)]);

    world.resource_mut::<Log>().0.clear();
    schedule.run_frame(&mut world, 100.0); // spike: capped at 3 steps
    let fixed_runs = world
        .resource::<Log>()
        .0
        .iter()
        .filter(|(s, _)| *s == Stage::FixedUpdate)
        .count();
    assert_eq!(fixed_runs, 3);
    assert_eq!(world.resource::<Time>().frame(), 3);
    assert!((world.resource::<Time>().elapsed_seconds() - 100.7).abs() < 1e-9);
}

#[test]
fn run_frame_creates_default_clocks() {
    let mut world = World::new();
    Schedule::new().run_frame(&mut world, 1.0 / 30.0);
    assert_eq!(world.resource::<FixedTime>().step(), 1.0 / 60.0);
    assert_eq!(world.resource::<FixedTime>().steps_this_frame(), 2);
    assert_eq!(world.resource::<Time>().delta_seconds(), 1.0 / 30.0);
}
