//! Systems whose access comes from their parameters: what they can take, the access they
//! declare, and the conflicts refused when they are added, in every build profile (test.sh runs
//! this file in a release build too).

use layerw_engine::app::App;
use layerw_engine::ecs::{Entity, With, World};
use layerw_engine::schedule::{
    Commands, Delta, EventReader, EventWriter, IntoSystemConfig, Local, Query, Res, ResMut,
    Schedule, ScheduleError, Stage, System,
};

#[derive(Debug, PartialEq)]
struct Position(f32);
struct Velocity(f32);
struct Player;
struct Gravity(f32);
struct Spawned(u32);
#[derive(Debug, PartialEq)]
struct Landed(Entity);

fn fall(mut q: Query<(&mut Velocity, &Position)>, gravity: Res<Gravity>, dt: Delta) {
    for (v, _) in q.iter() {
        v.0 -= gravity.0 * dt.seconds();
    }
}

fn integrate(mut q: Query<(&mut Position, &Velocity)>, dt: Delta) {
    q.for_each(|(p, v)| p.0 += v.0 * dt.seconds());
}

fn land(mut q: Query<(Entity, &mut Position)>, mut landed: EventWriter<Landed>) {
    for (e, p) in q.iter() {
        if p.0 < 0.0 {
            p.0 = 0.0;
            landed.send(Landed(e));
        }
    }
}

fn count_landings(mut events: EventReader<Landed>, mut seen: Local<u32>, mut out: ResMut<Spawned>) {
    *seen += events.read().count() as u32;
    out.0 = *seen;
}

fn spawn_one(mut commands: Commands, mut done: Local<bool>) {
    if !*done {
        commands.spawn((Position(1.0), Velocity(0.0), Player));
        *done = true;
    }
}

fn app() -> App {
    let mut app = App::new();
    app.world_mut().add_event::<Landed>();
    app.insert_resource(Gravity(10.0))
        .insert_resource(Spawned(0));
    app.add_system(Stage::Update, spawn_one)
        .add_system(Stage::Update, fall)
        .add_system(Stage::Update, integrate.after(fall))
        .add_system(Stage::Update, land.after(integrate))
        .add_system(Stage::Render, count_landings);
    app
}

#[test]
fn parameters_give_systems_their_data() {
    let mut app = app();
    for _ in 0..60 {
        app.update(0.05);
    }
    let world = app.world();
    let mut q = world.query::<(&Position, &Player)>();
    let (p, _) = q.iter().next().expect("spawn_one's entity");
    assert_eq!(p.0, 0.0, "it fell and landed");
    assert!(world.resource::<Spawned>().0 > 0, "landings were counted");
}

#[test]
fn access_comes_from_the_parameters() {
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Update, fall);
    let fall_system = schedule.systems(Stage::Update).next().unwrap();
    assert_eq!(fall_system.name(), "fall");
    let access = fall_system.access();
    use core::any::TypeId;
    assert!(access.can_write_component(TypeId::of::<Velocity>()));
    assert!(access.can_read_component(TypeId::of::<Position>()));
    assert!(!access.can_write_component(TypeId::of::<Position>()));
    assert!(access.can_read_resource(TypeId::of::<Gravity>()));
    assert!(!access.can_write_resource(TypeId::of::<Gravity>()));
}

#[test]
fn systems_that_do_not_conflict_share_a_batch() {
    fn read_positions(mut q: Query<&Position>) {
        q.for_each(|_| {});
    }
    fn read_positions_too(mut q: Query<(&Position, Option<&Player>)>) {
        q.for_each(|_| {});
    }
    fn write_velocities(mut q: Query<&mut Velocity>) {
        q.for_each(|v| v.0 = 0.0);
    }
    fn write_positions(mut q: Query<&mut Position>) {
        q.for_each(|p| p.0 = 0.0);
    }
    let mut schedule = Schedule::new();
    schedule
        .add_system(Stage::Update, read_positions)
        .add_system(Stage::Update, read_positions_too)
        .add_system(Stage::Update, write_velocities)
        .add_system(Stage::Update, write_positions);
    assert_eq!(
        schedule.batches(Stage::Update),
        vec![
            vec!["read_positions", "read_positions_too", "write_velocities"],
            vec!["write_positions"]
        ]
    );
}

fn both_position_queries(mut a: Query<&mut Position>, mut b: Query<&Position>) {
    a.for_each(|_| {});
    b.for_each(|_| {});
}

fn resource_twice(_a: Res<Gravity>, _b: ResMut<Gravity>) {}

fn one_query_twice(mut q: Query<(&mut Position, &Position)>) {
    q.for_each(|_| {});
}

#[test]
fn conflicting_parameters_are_refused_when_added() {
    let mut schedule = Schedule::new();
    let error = schedule
        .try_add_system(Stage::Update, both_position_queries)
        .map(|_| ())
        .unwrap_err();
    match &error {
        ScheduleError::ConflictingParams {
            system,
            first,
            second,
        } => {
            assert_eq!(system, "both_position_queries");
            assert!(
                first.contains("&mut") && first.contains("Position"),
                "{first}"
            );
            assert!(second.contains("Position"), "{second}");
        }
        other => panic!("wrong error: {other:?}"),
    }
    assert!(error.to_string().contains("both_position_queries"));
    assert!(matches!(
        schedule.try_add_system(Stage::Update, resource_twice),
        Err(ScheduleError::ConflictingParams { .. })
    ));
    assert!(matches!(
        schedule.try_add_system(Stage::Update, one_query_twice),
        Err(ScheduleError::ConflictingParams { .. })
    ));
    assert_eq!(schedule.system_count(Stage::Update), 0, "nothing was added");
    // Two shared borrows are fine.
    fn two_readers(
        _a: Res<Gravity>,
        mut b: Query<&Position>,
        mut c: Query<(&Position, &Velocity)>,
    ) {
        b.for_each(|_| {});
        c.for_each(|_| {});
    }
    assert!(schedule.try_add_system(Stage::Update, two_readers).is_ok());
}

#[test]
#[should_panic(expected = "system `both_position_queries` has conflicting parameters")]
fn add_system_panics_on_conflicting_parameters() {
    App::new().add_system(Stage::Update, both_position_queries);
}

#[test]
fn a_writing_run_condition_is_refused() {
    // `ResMut` and `Commands` in a condition do not compile; a query that writes is refused
    // when the system is added.
    fn writes(mut q: Query<&mut Position>) -> bool {
        q.for_each(|p| p.0 += 1.0);
        true
    }
    let mut schedule = Schedule::new();
    assert!(matches!(
        schedule.try_add_system(Stage::Update, integrate.run_if(writes)),
        Err(ScheduleError::WritingCondition { .. })
    ));
}

#[test]
fn query_get_is_limited_to_what_the_query_borrows() {
    fn read_one(mut q: Query<(Entity, &Position)>, mut out: ResMut<Spawned>) {
        let entities: Vec<Entity> = q.iter().map(|(e, _)| e).collect();
        for e in entities {
            out.0 += q.get::<Position>(e).unwrap().0 as u32;
        }
    }
    let mut app = App::new();
    app.insert_resource(Spawned(0));
    app.world_mut().spawn((Position(2.0),));
    app.world_mut().spawn((Position(3.0), Player));
    app.add_system(Stage::Update, read_one);
    app.update(0.1);
    assert_eq!(app.world().resource::<Spawned>().0, 5);
}

#[test]
#[should_panic(expected = "does not borrow")]
fn query_get_of_an_undeclared_component_panics() {
    fn sneaky(mut q: Query<(Entity, &Position)>) {
        let e = q.iter().next().unwrap().0;
        let _ = q.get_mut::<Position>(e);
    }
    let mut app = App::new();
    app.world_mut().spawn((Position(2.0),));
    app.add_system(Stage::Update, sneaky);
    app.update(0.1);
}

#[test]
fn filters_and_parallel_loops_work_through_the_parameter() {
    fn players_only(mut q: Query<With<&mut Position, &Player>>) {
        q.par_for_each(|p| p.0 += 1.0);
    }
    let mut app = App::new();
    let player = app.world_mut().spawn((Position(0.0), Player));
    let other = app.world_mut().spawn((Position(0.0),));
    app.add_system(Stage::Update, players_only);
    app.update(0.1);
    assert_eq!(*app.world().get::<Position>(player).unwrap(), Position(1.0));
    assert_eq!(*app.world().get::<Position>(other).unwrap(), Position(0.0));
}

#[test]
#[should_panic(expected = "needs the resource")]
fn a_missing_resource_names_the_system() {
    let mut world = World::new();
    let mut schedule = Schedule::new();
    schedule.add_system(Stage::Update, fall);
    schedule.run_frame(&mut world, 0.1);
}

#[test]
fn hand_written_systems_still_work_next_to_function_systems() {
    let mut app = app();
    app.add_system(
        Stage::Update,
        System::new("manual", |ctx| ctx.resource_mut::<Gravity>().0 = 0.0)
            .writes_resource::<Gravity>()
            .before(fall),
    );
    app.world_mut().spawn((Position(5.0), Velocity(0.0)));
    for _ in 0..10 {
        app.update(0.1);
    }
    let mut q = app.world().query::<&Position>();
    assert!(
        q.iter().any(|p| p.0 == 5.0),
        "gravity was off before fall ran"
    );
}
