//! System phases (first / last), rollback replays of FixedUpdate, plugins and the fixed clock's
//! time scale: the schedule features networking builds on.

use layerw_engine::app::{App, Plugin};
use layerw_engine::ecs::World;
use layerw_engine::schedule::{FixedTime, Rollback, Schedule, Stage, System, SystemPhase};

#[derive(Default)]
struct Log(Vec<&'static str>);

fn logger(name: &'static str) -> System {
    System::new(name, move |ctx| ctx.resource_mut::<Log>().0.push(name)).writes_resource::<Log>()
}

#[test]
fn first_and_last_systems_bracket_the_others_whatever_the_order_they_were_added_in() {
    let mut world = World::new();
    world.insert_resource(Log::default());
    let mut schedule = Schedule::new();
    schedule
        .add_system(Stage::Update, logger("last").last())
        .add_system(Stage::Update, logger("a"))
        .add_system(Stage::Update, logger("first").first())
        .add_system(Stage::Update, logger("b"))
        .add_system(Stage::Update, logger("first2").first());
    schedule.run_stage(Stage::Update, &mut world, 0.0);
    assert_eq!(
        world.resource::<Log>().0,
        ["first", "first2", "a", "b", "last"]
    );
    let phases: Vec<SystemPhase> = schedule.systems(Stage::Update).map(|s| s.phase()).collect();
    assert_eq!(phases[0], SystemPhase::First);
    assert_eq!(phases[4], SystemPhase::Last);
    // Removing keeps the order of the rest.
    schedule.remove_system(Stage::Update, "first");
    world.resource_mut::<Log>().0.clear();
    schedule.run_stage(Stage::Update, &mut world, 0.0);
    assert_eq!(world.resource::<Log>().0, ["first2", "a", "b", "last"]);
}

struct Steps {
    live: u32,
    replayed: u32,
}

#[test]
fn a_rollback_replays_fixed_update_before_the_frames_own_steps() {
    let mut world = World::new();
    world.insert_resource(Steps {
        live: 0,
        replayed: 0,
    });
    world.insert_resource(Rollback::default());
    world.insert_resource(FixedTime::new(0.1));
    let mut schedule = Schedule::new();
    schedule.add_system(
        Stage::FixedUpdate,
        System::new("count", |ctx| {
            let replaying = ctx.resource::<Rollback>().is_replaying();
            let mut steps = ctx.resource_mut::<Steps>();
            if replaying {
                steps.replayed += 1;
            } else {
                steps.live += 1;
            }
        })
        .reads_resource::<Rollback>()
        .writes_resource::<Steps>(),
    );
    // No request: only the frame's own steps.
    schedule.run_frame(&mut world, 0.2);
    assert_eq!(world.resource::<Steps>().live, 2);
    assert_eq!(world.resource::<Steps>().replayed, 0);
    // Two requests in one frame: the larger wins; replays do not count as fixed steps.
    world.resource_mut::<Rollback>().request(3);
    world.resource_mut::<Rollback>().request(5);
    schedule.run_frame(&mut world, 0.1);
    assert_eq!(world.resource::<Steps>().replayed, 5);
    assert_eq!(world.resource::<Steps>().live, 3);
    assert_eq!(world.resource::<FixedTime>().total_steps(), 3);
    let rollback = *world.resource::<Rollback>();
    assert_eq!((rollback.pending(), rollback.replayed_total()), (0, 5));
    assert!(!rollback.is_replaying());
    // A request can be withdrawn.
    world.resource_mut::<Rollback>().request(4);
    world.resource_mut::<Rollback>().cancel();
    assert_eq!(world.resource::<Rollback>().pending(), 0);
    // Requests are capped.
    world.resource_mut::<Rollback>().request(u32::MAX);
    assert_eq!(world.resource::<Rollback>().pending(), Rollback::MAX_STEPS);
}

#[test]
fn the_fixed_clock_runs_faster_or_slower_with_its_time_scale() {
    let mut fixed = FixedTime::new(0.1);
    fixed.set_time_scale(1.5);
    assert_eq!(fixed.advance(0.2), 3);
    fixed.set_time_scale(f64::NAN);
    assert_eq!(fixed.time_scale(), 1.0);
    fixed.set_time_scale(100.0);
    assert_eq!(fixed.time_scale(), 2.0);
    fixed.set_step(0.05).unwrap();
    assert_eq!(fixed.step(), 0.05);
    assert!(fixed.set_step(0.0).is_err());
}

struct Counter(u32);

struct CounterPlugin {
    start: u32,
}

impl Plugin for CounterPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(Counter(self.start)).add_system(
            Stage::Update,
            System::new("count", |ctx| ctx.resource_mut::<Counter>().0 += 1)
                .writes_resource::<Counter>(),
        );
    }
}

struct Needs;

impl Plugin for Needs {
    fn build(&self, app: &mut App) {
        // A dependency added by a plugin; the game may add it too.
        app.add_plugin(CounterPlugin { start: 10 });
    }
}

#[test]
fn plugins_are_built_once_and_may_add_their_dependencies() {
    let mut app = App::new();
    app.add_plugin(Needs)
        .add_plugin(CounterPlugin { start: 99 });
    assert!(app.has_plugin(&Plugin::name(&Needs)));
    assert_eq!(app.schedule().system_count(Stage::Update), 1);
    app.update(1.0 / 60.0);
    assert_eq!(app.world().resource::<Counter>().0, 11);
}
