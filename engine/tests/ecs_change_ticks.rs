//! Change ticks through the public API: which archetypes `World::query_changed` and a system's
//! `Query::changed` report, for every kind of change, and what they skip.

use layerw_engine::app::App;
use layerw_engine::ecs::{CommandBuffer, ResMut, Tick, With, Without, World};
use layerw_engine::schedule::{Query, Stage};

#[derive(Debug, Clone, Copy, PartialEq)]
struct Position(f32);
struct Velocity;
struct Static;
struct Marker;

/// The positions `query_changed::<&Position, Position>(since)` reports, sorted.
fn changed(world: &World, since: Tick) -> Vec<f32> {
    let mut seen: Vec<f32> = world
        .query_changed::<&Position, Position>(since)
        .iter()
        .map(|p| p.0)
        .collect();
    seen.sort_by(f32::total_cmp);
    seen
}

/// Three archetypes with a `Position` (one static), one without, and an emptied one between
/// them, so the changed filter must pair archetypes and batches correctly.
fn world() -> World {
    let mut world = World::new();
    world.track_changes::<Position>();
    world.spawn((Position(1.0), Static));
    let gone = world.spawn((Position(99.0), Marker, Static));
    world.despawn(gone).unwrap();
    world.spawn((Velocity,));
    world.spawn((Position(2.0), Velocity));
    world.spawn((Position(3.0), Marker));
    world
}

#[test]
fn everything_is_changed_since_tick_zero_and_nothing_after_the_spawns() {
    let world = world();
    assert_eq!(changed(&world, Tick::ZERO), [1.0, 2.0, 3.0]);
    let now = world.change_tick();
    world.advance_change_tick();
    assert!(changed(&world, now).is_empty());
}

#[test]
fn a_mutable_query_marks_only_the_archetypes_it_matches() {
    let mut world = world();
    let seen = world.change_tick();
    world.advance_change_tick();
    for (p, _) in world.query_mut::<(&mut Position, &Velocity)>() {
        p.0 += 10.0;
    }
    assert_eq!(changed(&world, seen), [12.0]);

    let seen = world.change_tick();
    world.advance_change_tick();
    for p in world.query::<Without<&mut Position, &Static>>().iter() {
        p.0 += 10.0;
    }
    assert_eq!(changed(&world, seen), [13.0, 22.0]);

    // A shared query writes nothing.
    let seen = world.change_tick();
    world.advance_change_tick();
    assert_eq!(world.query::<&Position>().iter().count(), 3);
    assert!(changed(&world, seen).is_empty());
}

#[test]
fn get_mut_marks_the_entity_archetype() {
    let mut world = world();
    let e = world.spawn((Position(4.0), Marker));
    let seen = world.change_tick();
    world.advance_change_tick();
    world.get_mut::<Position>(e).unwrap().0 = 5.0;
    assert_eq!(changed(&world, seen), [3.0, 5.0]);
}

#[test]
fn arrivals_by_spawn_insert_remove_and_command_buffers_are_changes() {
    let mut world = world();
    let e = world.spawn((Position(7.0),));
    let seen = world.change_tick();
    world.advance_change_tick();
    world.insert_one(e, Static).unwrap();
    assert_eq!(changed(&world, seen), [1.0, 7.0]);

    let seen = world.change_tick();
    world.advance_change_tick();
    world.remove_one::<Static>(e).unwrap();
    assert_eq!(changed(&world, seen), [7.0]);

    let seen = world.change_tick();
    world.advance_change_tick();
    world.spawn_batch((0..3).map(|i| (Position(20.0 + i as f32), Marker)));
    assert_eq!(changed(&world, seen), [3.0, 20.0, 21.0, 22.0]);

    let seen = world.change_tick();
    world.advance_change_tick();
    let mut commands = CommandBuffer::new();
    commands.insert_one(e, Velocity);
    commands.run_on(&mut world);
    assert_eq!(changed(&world, seen), [2.0, 7.0]);

    // Despawning is not a change of what remains.
    let seen = world.change_tick();
    world.advance_change_tick();
    world.despawn(e).unwrap();
    assert!(changed(&world, seen).is_empty());
}

#[test]
fn iterating_changed_entities_mutably_marks_only_those() {
    let mut world = world();
    let seen = world.change_tick();
    world.advance_change_tick();
    for (p, _) in world.query_mut::<(&mut Position, &Velocity)>() {
        p.0 = 2.5;
    }
    let second = world.change_tick();
    world.advance_change_tick();
    world
        .query_changed::<&mut Position, Position>(seen)
        .for_each(|p| p.0 *= 2.0);
    assert_eq!(changed(&world, second), [5.0]);
    assert_eq!(changed(&world, Tick::ZERO), [1.0, 3.0, 5.0]);
}

#[test]
#[should_panic(expected = "not tracked")]
fn untracked_components_panic() {
    let world = World::new();
    let _ = world.query_changed::<&Velocity, Velocity>(Tick::ZERO);
}

#[test]
fn untracked_worlds_do_not_track() {
    let mut world = World::new();
    world.spawn((Position(0.0),));
    assert!(!world.tracks_changes::<Position>());
    world.track_changes::<Position>();
    assert!(world.tracks_changes::<Position>());
    assert_eq!(changed(&world, Tick::ZERO), [0.0]);
}

/// What the reader system saw changed, per frame.
#[derive(Default)]
struct Seen(Vec<usize>);

fn mover(mut q: Query<Without<&mut Position, &Static>>) {
    for p in q.iter() {
        p.0 += 1.0;
    }
}

fn reader(mut q: Query<&Position>, mut seen: ResMut<Seen>) {
    let n = q.changed::<Position>().iter().count();
    seen.0.push(n);
}

fn rewriter(mut q: Query<With<&mut Position, &Marker>>) {
    // Writes what it finds changed: it must not see its own writes again.
    q.changed::<Position>().for_each(|p| p.0 += 0.5);
}

#[test]
fn systems_see_what_changed_since_they_last_ran() {
    let mut app = App::new();
    app.world_mut().track_changes::<Position>();
    app.world_mut().spawn((Position(0.0), Static));
    app.world_mut().spawn((Position(0.0),));
    app.insert_resource(Seen::default());
    app.add_system(Stage::Update, reader);
    app.update(0.1);
    app.update(0.1);
    // First run: all; then nothing changed.
    assert_eq!(app.world().resource::<Seen>().0, [2, 0]);

    // A mover in an earlier stage writes the moving archetype each frame; the static one is
    // skipped.
    app.add_system(Stage::Input, mover);
    app.update(0.1);
    app.update(0.1);
    assert_eq!(app.world().resource::<Seen>().0, [2, 0, 1, 1]);
}

#[test]
fn a_system_does_not_see_its_own_writes_again() {
    let mut app = App::new();
    app.world_mut().track_changes::<Position>();
    let e = app.world_mut().spawn((Position(0.0), Marker));
    app.add_system(Stage::Update, rewriter);
    for _ in 0..4 {
        app.update(0.1);
    }
    // Only the first run saw the spawn.
    assert_eq!(*app.world().get::<Position>(e).unwrap(), Position(0.5));
    app.world_mut().get_mut::<Position>(e).unwrap().0 = 10.0;
    app.update(0.1);
    app.update(0.1);
    assert_eq!(*app.world().get::<Position>(e).unwrap(), Position(10.5));
}

#[test]
fn replacing_a_component_in_place_is_a_change() {
    // Two entities per archetype, so the replaced one is not its archetype's last row.
    let mut world = world();
    let first = world.spawn((Position(4.0), Marker));
    world.spawn((Position(5.0), Marker));
    let seen = world.change_tick();
    world.advance_change_tick();
    world.insert_one(first, Position(40.0)).unwrap();
    assert_eq!(changed(&world, seen), [3.0, 5.0, 40.0]);

    let seen = world.change_tick();
    world.advance_change_tick();
    let mut commands = CommandBuffer::new();
    commands.insert_one(first, Position(41.0));
    commands.run_on(&mut world);
    assert_eq!(changed(&world, seen), [3.0, 5.0, 41.0]);
}

#[test]
fn archetype_changed_reports_each_archetype_column() {
    let mut world = world();
    let position_of = |world: &World, wanted: f32| {
        world
            .as_hecs()
            .archetypes()
            .position(|a| {
                a.get::<&Position>()
                    .is_some_and(|p| p.first() == Some(&Position(wanted)))
            })
            .unwrap()
    };
    let (fixed, moving) = (position_of(&world, 1.0), position_of(&world, 2.0));
    assert_eq!(
        world.archetype_changed::<Position>(fixed, Tick::ZERO),
        Some(true)
    );
    assert_eq!(
        world.archetype_changed::<Velocity>(fixed, Tick::ZERO),
        None,
        "not tracked"
    );
    let seen = world.change_tick();
    world.advance_change_tick();
    for (p, _) in world.query_mut::<(&mut Position, &Velocity)>() {
        p.0 += 1.0;
    }
    assert_eq!(
        world.archetype_changed::<Position>(fixed, seen),
        Some(false)
    );
    assert_eq!(
        world.archetype_changed::<Position>(moving, seen),
        Some(true)
    );
}
