//! `World::query_mut` and a system `Query`'s `iter`: a `for` loop and internal iteration visit
//! every matching entity of every archetype once (empty and non-matching archetypes between
//! them), and writes are visible afterwards.

use layerw_engine::app::App;
use layerw_engine::ecs::{Entity, World};
use layerw_engine::schedule::{Query, Stage};

#[derive(Clone, Copy, Debug, PartialEq)]
struct Value(u32);
struct Doubled(u32);
struct Marker;
struct Other;

/// Archetypes: empty ones (spawned into, then emptied), non-matching ones, matching ones of
/// 1, 2 and 300 entities, so the iterator crosses every kind of archetype boundary.
fn world() -> (World, Vec<u32>) {
    let mut world = World::new();
    let values = fill(&mut world);
    (world, values)
}

/// Spawns the archetypes of [`world`] into `world`; returns the values spawned.
fn fill(world: &mut World) -> Vec<u32> {
    let gone = world.spawn((Value(1000), Marker, Other));
    world.despawn(gone).unwrap();
    world.spawn((Doubled(0),));
    world.spawn((Value(0), Doubled(0)));
    world.spawn((Other,));
    world.spawn_batch((1..3).map(|i| (Value(i), Doubled(0), Marker)));
    let gone: Vec<Entity> = world.spawn_batch((0..5).map(|i| (Value(i), Doubled(0), Other)));
    for e in gone {
        world.despawn(e).unwrap();
    }
    world.spawn_batch((3..303).map(|i| (Value(i), Doubled(0), Marker, Other)));
    (0..303).collect()
}

fn doubled(world: &mut World) -> Vec<u32> {
    let mut all: Vec<u32> = world
        .query_mut::<(&Value, &Doubled)>()
        .into_iter()
        .map(|(_, d)| d.0)
        .collect();
    all.sort_unstable();
    all
}

#[test]
fn a_for_loop_visits_every_matching_entity_once_and_its_writes_stay() {
    let (mut world, values) = world();
    let mut seen = Vec::new();
    for (value, doubled) in world.query_mut::<(&Value, &mut Doubled)>() {
        seen.push(value.0);
        doubled.0 += value.0 * 2;
    }
    seen.sort_unstable();
    assert_eq!(seen, values);
    let expected: Vec<u32> = values.iter().map(|v| v * 2).collect();
    assert_eq!(doubled(&mut world), expected);
}

#[test]
fn internal_iteration_and_the_for_loop_agree() {
    let (mut world, _) = world();
    let mut by_loop = Vec::new();
    for v in world.query_mut::<&Value>() {
        by_loop.push(v.0);
    }
    let mut by_fold = Vec::new();
    world
        .query_mut::<&Value>()
        .into_iter()
        .for_each(|v| by_fold.push(v.0));
    assert_eq!(by_loop, by_fold);
    // A partly consumed iterator folds the rest.
    let mut iter = world.query_mut::<&Value>().into_iter();
    let first: Vec<u32> = iter.by_ref().take(2).map(|v| v.0).collect();
    let rest: Vec<u32> = iter.fold(Vec::new(), |mut acc, v| {
        acc.push(v.0);
        acc
    });
    assert_eq!([first, rest].concat(), by_loop);
}

#[test]
fn filters_and_empty_worlds() {
    let (mut world, _) = world();
    assert_eq!(
        world
            .query_mut::<&Value>()
            .with::<&Marker>()
            .into_iter()
            .count(),
        302
    );
    assert_eq!(
        world
            .query_mut::<&Value>()
            .without::<&Marker>()
            .into_iter()
            .count(),
        1
    );
    let mut empty = World::new();
    assert_eq!(empty.query_mut::<&Value>().into_iter().count(), 0);
    empty.spawn((Other,));
    assert!(empty.query_mut::<&Value>().into_iter().next().is_none());
}

fn double(mut q: Query<(&Value, &mut Doubled)>) {
    for (value, doubled) in q.iter() {
        doubled.0 = value.0 * 2;
    }
}

#[test]
fn a_system_query_for_loop_writes_every_entity() {
    let mut app = App::new();
    let values = fill(app.world_mut());
    app.add_system(Stage::Update, double);
    app.update(0.1);
    let expected: Vec<u32> = values.iter().map(|v| v * 2).collect();
    assert_eq!(doubled(app.world_mut()), expected);
}
