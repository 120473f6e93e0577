//! Command buffers: recorded structural changes, applied in order, in the Entity tier.

use layerw_engine::ecs::{CommandBuffer, Entity, World};
use layerw_engine::schedule::{Schedule, Stage, System};

#[derive(Debug, Clone, Copy, PartialEq)]
struct Marker(u32);
#[derive(Debug, Clone, Copy, PartialEq)]
struct Other;

#[test]
fn commands_apply_in_recording_order() {
    let mut world = World::new();
    let e = world.spawn((Marker(0),));
    let mut cmd = CommandBuffer::new();
    cmd.insert_one(e, Marker(1));
    cmd.insert(e, (Marker(2), Other));
    cmd.remove_one::<Other>(e);
    cmd.spawn((Marker(10),));
    cmd.spawn((Marker(11), Other));
    assert_eq!(cmd.len(), 5);
    // Nothing happens before application.
    assert_eq!(*world.get::<Marker>(e).unwrap(), Marker(0));
    assert_eq!(world.len(), 1);
    cmd.run_on(&mut world);
    assert!(cmd.is_empty());
    assert_eq!(*world.get::<Marker>(e).unwrap(), Marker(2));
    assert!(world.get::<Other>(e).is_err());
    let mut markers: Vec<u32> = world.query::<&Marker>().iter().map(|m| m.0).collect();
    markers.sort();
    assert_eq!(markers, [2, 10, 11]);
}

#[test]
fn commands_on_missing_entities_are_ignored_and_clear_drops() {
    let mut world = World::new();
    let e = world.spawn((Marker(0),));
    world.despawn(e).unwrap();
    let mut cmd = CommandBuffer::new();
    cmd.insert_one(e, Marker(1));
    cmd.remove::<(Marker,)>(e);
    cmd.despawn(e);
    cmd.run_on(&mut world);
    assert!(world.is_empty());

    cmd.spawn((Marker(5),));
    cmd.clear();
    cmd.run_on(&mut world);
    assert!(world.is_empty());
}

/// Systems' buffers are applied at the end of the stage, in declaration order, whatever order
/// the batches ran them in; a later stage sees the result.
#[test]
fn system_commands_apply_at_stage_end_in_declaration_order() {
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Seen(u32);

    let mut world = World::new();
    let e = world.spawn((Marker(0),));
    world.insert_resource(Seen(u32::MAX));
    let mut schedule = Schedule::new();
    // "first" writes Marker; "second" conflicts with it and lands in batch 1; "third" does not
    // conflict with anything and lands in batch 0, running before "second".
    schedule.add_system(
        Stage::Update,
        System::new("first", move |ctx| {
            ctx.get_mut::<Marker>(e).unwrap().0 = 100;
            ctx.commands().insert_one(e, Marker(1));
        })
        .writes::<Marker>(),
    );
    schedule.add_system(
        Stage::Update,
        System::new("second", move |ctx| {
            // The command from "first" is not applied yet; its direct write is visible.
            assert_eq!(ctx.get::<Marker>(e).unwrap().0, 100);
            ctx.commands().insert_one(e, Marker(2));
            ctx.commands().spawn((Marker(20),));
        })
        .reads::<Marker>(),
    );
    schedule.add_system(
        Stage::Update,
        System::new("third", move |ctx| {
            ctx.commands().insert_one(e, Marker(3));
            ctx.commands().spawn((Marker(30),));
        }),
    );
    schedule.add_system(
        Stage::Render,
        System::new("observe", move |ctx| {
            ctx.resource_mut::<Seen>().0 = ctx.get::<Marker>(e).unwrap().0;
        })
        .reads::<Marker>()
        .writes_resource::<Seen>(),
    );
    assert_eq!(
        schedule.batches(Stage::Update),
        [vec!["first", "third"], vec!["second"]]
    );
    schedule.run_frame(&mut world, 0.01);
    // Declaration order: first (1), second (2), third (3).
    assert_eq!(*world.resource::<Seen>(), Seen(3));
    // Spawns happen in declaration order too: the entity ids follow it.
    let mut spawned: Vec<(Entity, u32)> = world
        .query::<(Entity, &Marker)>()
        .iter()
        .filter(|(x, _)| *x != e)
        .map(|(x, m)| (x, m.0))
        .collect();
    spawned.sort_by_key(|(x, _)| x.id());
    assert_eq!(
        spawned.iter().map(|(_, m)| *m).collect::<Vec<_>>(),
        [20, 30]
    );
}
