//! `World::spawn_batch` writes bundles column by column: into a new archetype and into an
//! existing one, from iterators with and without an exact size, and with broken size hints.

use std::sync::Arc as Rc;

use layerw_engine::ecs::World;

#[derive(Debug, PartialEq, Clone, Copy)]
struct Position(f32);
#[derive(Debug, PartialEq, Clone, Copy)]
struct Index(u32);

#[test]
fn batches_land_in_new_and_existing_archetypes_in_order() {
    let mut world = World::new();
    let single = world.spawn((Index(1000), Position(-1.0)));
    // Into the archetype `spawn` made (appended), then into a new one.
    let first = world.spawn_batch((0..500).map(|i| (Index(i), Position(i as f32))));
    let second = world.spawn_batch((0..300).map(|i| (Position(i as f32 * 2.0),)));
    assert_eq!((first.len(), second.len(), world.len()), (500, 300, 801));
    for (i, &e) in first.iter().enumerate() {
        assert_eq!(*world.get::<Index>(e).unwrap(), Index(i as u32));
        assert_eq!(*world.get::<Position>(e).unwrap(), Position(i as f32));
    }
    for (i, &e) in second.iter().enumerate() {
        assert_eq!(*world.get::<Position>(e).unwrap(), Position(i as f32 * 2.0));
        assert!(world.get::<Index>(e).is_err());
    }
    assert_eq!(*world.get::<Index>(single).unwrap(), Index(1000));
    // Handles are distinct, and the queries see every entity once.
    let mut all: Vec<_> = first.iter().chain(&second).copied().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 800);
    assert_eq!(world.query::<&Position>().iter().count(), 801);
    // A second batch into the now existing archetype is appended after the first.
    let third = world.spawn_batch((0..10).map(|i| (Position(100.0 + i as f32),)));
    let positions: Vec<f32> = world
        .query::<(&Position,)>()
        .iter()
        .map(|(p,)| p.0)
        .collect();
    assert!(positions.ends_with(&[108.0, 109.0]), "{positions:?}");
    assert_eq!(*world.get::<Position>(third[9]).unwrap(), Position(109.0));
}

#[test]
fn iterators_without_an_exact_size_are_gathered_first() {
    let mut world = World::new();
    let odd = world.spawn_batch((0..100u32).filter(|i| i % 2 == 1).map(|i| (Index(i),)));
    assert_eq!(odd.len(), 50);
    assert_eq!(*world.get::<Index>(odd[49]).unwrap(), Index(99));
    assert!(world.spawn_batch(std::iter::empty::<(Index,)>()).is_empty());
}

/// An iterator that promises `promised` items and yields `actual`.
struct Lying {
    promised: usize,
    actual: usize,
    counter: Rc<()>,
}

impl Iterator for Lying {
    type Item = (Rc<()>,);
    fn next(&mut self) -> Option<(Rc<()>,)> {
        (self.actual > 0).then(|| {
            self.actual -= 1;
            self.promised = self.promised.saturating_sub(1);
            (self.counter.clone(),)
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.promised, Some(self.promised))
    }
}

#[test]
fn more_bundles_than_promised_are_all_spawned_and_dropped_once() {
    let counter = Rc::new(());
    let mut world = World::new();
    let handles = world.spawn_batch(Lying {
        promised: 5,
        actual: 8,
        counter: counter.clone(),
    });
    assert_eq!(handles.len(), 8);
    assert_eq!(Rc::strong_count(&counter), 9);
    drop(world);
    assert_eq!(Rc::strong_count(&counter), 1);
}

// Catching the panic needs unwinding, which wasm32 builds (panic = abort) do not have.
#[test]
#[cfg(not(target_family = "wasm"))]
fn fewer_bundles_than_promised_panic_and_drop_what_was_written() {
    let counter = Rc::new(());
    let mut world = World::new();
    let iter = Lying {
        promised: 5,
        actual: 3,
        counter: counter.clone(),
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        world.spawn_batch(iter);
    }));
    let message = *result.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("promised 5 bundles and ended after 3"),
        "{message}"
    );
    assert_eq!(
        Rc::strong_count(&counter),
        1,
        "the written bundles were not dropped"
    );
    assert!(world.is_empty());
}
