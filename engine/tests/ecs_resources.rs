//! Resources: typed singletons on the World, reachable from parallel code through `&World`.

use layerw_engine::ecs::{ResourceError, World};

#[derive(Debug, PartialEq)]
struct Gravity(f32);
#[derive(Debug, PartialEq)]
struct Score(u64);

#[test]
fn insert_get_replace_remove() {
    let mut world = World::new();
    assert!(!world.contains_resource::<Gravity>());
    assert_eq!(world.insert_resource(Gravity(-9.81)), None);
    assert!(world.contains_resource::<Gravity>());
    assert_eq!(*world.resource::<Gravity>(), Gravity(-9.81));
    assert_eq!(world.insert_resource(Gravity(-1.6)), Some(Gravity(-9.81)));
    world.resource_mut::<Gravity>().0 *= 2.0;
    assert_eq!(world.try_resource::<Gravity>().unwrap().0, -3.2);
    *world.get_resource_mut::<Gravity>().unwrap() = Gravity(0.0);
    assert_eq!(world.remove_resource::<Gravity>(), Some(Gravity(0.0)));
    assert_eq!(world.remove_resource::<Gravity>(), None);
    assert!(!world.contains_resource::<Gravity>());
}

#[test]
fn missing_resource_is_a_typed_error() {
    let mut world = World::new();
    let missing = ResourceError::Missing {
        resource: core::any::type_name::<Score>(),
    };
    assert_eq!(world.try_resource::<Score>().err(), Some(missing));
    assert_eq!(world.try_resource_mut::<Score>().err(), Some(missing));
    assert!(world.get_resource_mut::<Score>().is_none());
    assert!(missing.to_string().contains("Score"));
}

#[test]
#[should_panic(expected = "Score")]
fn missing_resource_panics_on_the_infallible_api() {
    let world = World::new();
    let _ = world.resource::<Score>();
}

#[test]
fn conflicting_borrows_are_errors_not_deadlocks() {
    let mut world = World::new();
    world.insert_resource(Score(1));
    world.insert_resource(Gravity(1.0));
    {
        let a = world.resource::<Score>();
        let b = world.resource::<Score>(); // shared borrows coexist
        assert_eq!(a.0 + b.0, 2);
        assert_eq!(
            world.try_resource_mut::<Score>().err(),
            Some(ResourceError::Borrowed {
                resource: core::any::type_name::<Score>(),
                mutable: true,
            })
        );
    }
    {
        let mut w = world.resource_mut::<Score>();
        w.0 = 5;
        assert!(matches!(
            world.try_resource::<Score>(),
            Err(ResourceError::Borrowed { mutable: false, .. })
        ));
        // A different resource is independent.
        world.resource_mut::<Gravity>().0 = 2.0;
    }
    assert_eq!(world.resource::<Score>().0, 5);
}

#[cfg(not(target_family = "wasm"))]
#[test]
fn resources_from_parallel_threads() {
    let mut world = World::new();
    world.insert_resource(Score(0));
    world.insert_resource(Gravity(0.0));
    let world = &world;
    std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..1000 {
                world.resource_mut::<Score>().0 += 1;
            }
        });
        s.spawn(|| {
            for _ in 0..1000 {
                world.resource_mut::<Gravity>().0 += 1.0;
            }
        });
    });
    assert_eq!(world.resource::<Score>().0, 1000);
    assert_eq!(world.resource::<Gravity>().0, 1000.0);
}
