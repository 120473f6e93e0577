//! Every structural change of the World allocates in walloc's Entity tier.
//!
//! This test binary installs a counting global allocator that records, per thread, which tier
//! `walloc::current_tier()` selected for every allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use layerw_engine::ecs::{CommandBuffer, World};
use layerw_engine::walloc::{self, Tier};

struct Counting;

std::thread_local! {
    static COUNTS: [Cell<u64>; 4] = const { [const { Cell::new(0) }; 4] };
}

fn count() {
    let tier = walloc::current_tier();
    let _ = COUNTS.try_with(|c| c[tier.index()].set(c[tier.index()].get() + 1));
}

// SAFETY: forwards every call unchanged to the system allocator; the counting touches only a
// const-initialised thread-local without a destructor, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations made by `f` on this thread, per tier.
fn counted(f: impl FnOnce()) -> [u64; 4] {
    let before = COUNTS.with(|c| c.each_ref().map(Cell::get));
    f();
    let after = COUNTS.with(|c| c.each_ref().map(Cell::get));
    [0, 1, 2, 3].map(|i| after[i] - before[i])
}

#[derive(Clone, Copy)]
struct A(#[expect(dead_code, reason = "only the size matters")] [u64; 4]);
#[derive(Clone, Copy)]
struct B(#[expect(dead_code, reason = "only the type matters")] u32);

#[test]
fn structural_changes_allocate_in_the_entity_tier() {
    let mut world = World::new();
    let general = Tier::General.index();
    let entity = Tier::Entity.index();

    let counts = counted(|| {
        for i in 0..1000 {
            world.spawn((A([i; 4]),));
        }
    });
    assert!(counts[entity] > 0, "{counts:?}");
    assert_eq!(
        counts[general], 0,
        "spawn allocated outside the Entity tier: {counts:?}"
    );

    let e = world.spawn((A([0; 4]),));
    let counts = counted(|| {
        world.insert_one(e, B(1)).unwrap();
    });
    assert!(counts[entity] > 0, "{counts:?}");
    assert_eq!(counts[general], 0, "{counts:?}");

    let mut handles = Vec::new();
    let counts = counted(|| {
        handles = world.spawn_batch((0..500).map(|i| (B(i),)));
    });
    // The returned Vec is the caller's: exactly one General allocation for it.
    assert_eq!(counts[general], 1, "{counts:?}");
    assert!(counts[entity] > 0, "{counts:?}");

    let mut cmd = CommandBuffer::new();
    for i in 0..100 {
        cmd.spawn((A([i; 4]), B(0)));
    }
    let counts = counted(|| cmd.run_on(&mut world));
    assert!(counts[entity] > 0, "{counts:?}");
    assert_eq!(counts[general], 0, "{counts:?}");

    let counts = counted(|| {
        world.remove_one::<B>(e).unwrap();
        world.despawn(handles[0]).unwrap();
        world.clear();
    });
    assert_eq!(counts[general], 0, "{counts:?}");
}
