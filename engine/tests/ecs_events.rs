//! Events: double-buffered, dropped after two frames, each seen exactly once per reader.

use layerw_engine::ecs::{EventCursor, Events, World};
use layerw_engine::schedule::{Schedule, Stage, System};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit(u32);

#[test]
fn each_reader_sees_each_event_once() {
    let mut events = Events::<Hit>::new();
    let mut early = EventCursor::new();
    let mut late = EventCursor::new();
    let mut seen_early = Vec::new();
    let mut seen_late = Vec::new();
    let mut next = 0;
    for frame in 0..50u32 {
        // `early` reads before this frame's sends, `late` after; both read every frame.
        seen_early.extend(early.read(&events).map(|h| h.0));
        for _ in 0..frame % 4 {
            events.send(Hit(next));
            next += 1;
        }
        seen_late.extend(late.read(&events).map(|h| h.0));
        // Reading twice in a frame yields nothing new.
        assert_eq!(late.read(&events).len(), 0);
        events.update();
    }
    seen_early.extend(early.read(&events).map(|h| h.0));
    let all: Vec<u32> = (0..next).collect();
    assert_eq!(seen_early, all);
    assert_eq!(seen_late, all);
    assert_eq!(early.missed(), 0);
    assert_eq!(late.missed(), 0);
}

#[test]
fn update_drops_events_older_than_two_frames() {
    let mut events = Events::<Hit>::new();
    events.send(Hit(1));
    events.update(); // end of frame 1: still readable in frame 2
    events.send(Hit(2));
    assert_eq!(events.iter().map(|h| h.0).collect::<Vec<_>>(), [1, 2]);
    events.update(); // end of frame 2: Hit(1) is gone
    assert_eq!(events.iter().map(|h| h.0).collect::<Vec<_>>(), [2]);
    events.update();
    assert!(events.is_empty());
    let mut reader = EventCursor::<Hit>::new();
    assert_eq!(reader.read(&events).len(), 0);
    assert_eq!(reader.missed(), 2);
}

/// Readers before and after the sender in the frame, in different stages, each with its own
/// cursor kept in the system closure: every event is seen once by each.
#[test]
fn systems_see_events_once_through_the_schedule() {
    #[derive(Default)]
    struct Log(Vec<u32>);
    struct EarlyLog(Log);
    struct LateLog(Log);

    let mut world = World::new();
    world.add_event::<Hit>();
    world.insert_resource(EarlyLog(Log::default()));
    world.insert_resource(LateLog(Log::default()));

    let mut schedule = Schedule::new();
    let mut early_reader = EventCursor::<Hit>::new();
    schedule.add_system(
        Stage::Input,
        System::new("early", move |ctx| {
            let events = ctx.resource::<Events<Hit>>();
            let mut log = ctx.resource_mut::<EarlyLog>();
            log.0.0.extend(early_reader.read(&events).map(|h| h.0));
        })
        .reads_events::<Hit>()
        .writes_resource::<EarlyLog>(),
    );
    let mut frame = 0u32;
    schedule.add_system(
        Stage::Update,
        System::new("send", move |ctx| {
            for i in 0..3 {
                ctx.send_event(Hit(frame * 3 + i)).unwrap();
            }
            frame += 1;
        })
        .sends_events::<Hit>(),
    );
    let mut late_reader = EventCursor::<Hit>::new();
    schedule.add_system(
        Stage::Render,
        System::new("late", move |ctx| {
            let events = ctx.resource::<Events<Hit>>();
            let mut log = ctx.resource_mut::<LateLog>();
            log.0.0.extend(late_reader.read(&events).map(|h| h.0));
        })
        .reads_events::<Hit>()
        .writes_resource::<LateLog>(),
    );

    for _ in 0..20 {
        schedule.run_frame(&mut world, 1.0 / 60.0);
    }
    let all: Vec<u32> = (0..60).collect();
    assert_eq!(world.resource::<LateLog>().0.0, all);
    // The early reader runs before the sender: it is one frame behind.
    assert_eq!(world.resource::<EarlyLog>().0.0, all[..57]);
    // Only the last two frames' events are still stored.
    assert_eq!(world.resource::<Events<Hit>>().len(), 3);
}

#[test]
fn world_send_event_registers_the_type() {
    let mut world = World::new();
    world.send_event(Hit(7));
    let mut reader = EventCursor::<Hit>::new();
    assert_eq!(
        reader
            .read(&world.resource::<Events<Hit>>())
            .copied()
            .collect::<Vec<_>>(),
        [Hit(7)]
    );
    world.update_events();
    world.update_events();
    assert!(world.resource::<Events<Hit>>().is_empty());
}
