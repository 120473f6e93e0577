//! The Input stage through the App: events become input state, window state and typed events,
//! each reader sees each event once, and closing the window exits.

use layerw_engine::app::{App, HeadlessRun, StopReason};
use layerw_engine::ecs::{EventCursor, Events};
use layerw_engine::glam::{UVec2, Vec2};
use layerw_engine::platform::{
    ButtonState, InputEvent, KeyCode, Keyboard, Mouse, MouseButton, TouchPhase, Touches, Window,
    WindowConfig, WindowEvent,
};
use layerw_engine::schedule::{Stage, System, Time};

#[test]
fn events_become_state_for_one_frame() {
    let mut app = App::new();
    app.push_event(InputEvent::key_pressed(KeyCode::KeyA));
    app.push_event(InputEvent::Text("a".into()));
    app.push_event(InputEvent::MouseWheel(Vec2::new(0.0, 2.0)));
    app.push_event(InputEvent::MouseMotion(Vec2::new(3.0, -1.0)));
    app.push_event(InputEvent::MouseMotion(Vec2::new(1.0, 1.0)));
    app.push_event(InputEvent::Touch {
        id: 4,
        phase: TouchPhase::Started,
        position: Vec2::new(10.0, 10.0),
    });
    app.update(1.0 / 60.0);
    {
        let world = app.world();
        let keyboard = world.resource::<Keyboard>();
        assert!(keyboard.just_pressed(KeyCode::KeyA) && keyboard.text() == "a");
        let mouse = world.resource::<Mouse>();
        assert_eq!(
            (mouse.wheel(), mouse.motion()),
            (Vec2::Y * 2.0, Vec2::new(4.0, 0.0))
        );
        assert!(world.resource::<Touches>().just_started(4));
    }
    app.update(1.0 / 60.0);
    let world = app.world();
    let keyboard = world.resource::<Keyboard>();
    assert!(keyboard.pressed(KeyCode::KeyA) && !keyboard.just_pressed(KeyCode::KeyA));
    assert_eq!(keyboard.text(), "");
    assert_eq!(world.resource::<Mouse>().motion(), Vec2::ZERO);
    assert_eq!(world.resource::<Touches>().active().len(), 1);
}

#[test]
fn focus_loss_releases_held_buttons() {
    let mut app = App::new();
    app.push_event(InputEvent::key_pressed(KeyCode::KeyW));
    app.push_event(InputEvent::MouseButton {
        button: MouseButton::Right,
        state: ButtonState::Pressed,
    });
    app.update(0.01);
    app.push_event(WindowEvent::Focused(false));
    app.update(0.01);
    let world = app.world();
    assert!(world.resource::<Keyboard>().just_released(KeyCode::KeyW));
    assert!(!world.resource::<Mouse>().pressed(MouseButton::Right));
    assert!(!world.resource::<Window>().focused());
}

#[test]
fn resize_moves_the_internal_mapping() {
    let mut app = App::new();
    app.set_window(WindowConfig {
        size: UVec2::new(1280, 720),
        internal_resolution: UVec2::new(640, 360),
        ..WindowConfig::default()
    });
    app.push_event(InputEvent::CursorMoved(Vec2::new(640.0, 360.0)));
    app.update(0.01);
    assert_eq!(
        app.world().resource::<Mouse>().internal_position(),
        Some(Vec2::new(320.0, 180.0))
    );
    // Taller window: letterboxed; the same cursor position is now on the top bar.
    app.push_event(WindowEvent::Resized {
        width: 1280,
        height: 1440,
    });
    app.push_event(InputEvent::CursorMoved(Vec2::new(640.0, 100.0)));
    app.update(0.01);
    let world = app.world();
    assert_eq!(world.resource::<Window>().size(), UVec2::new(1280, 1440));
    assert_eq!(world.resource::<Mouse>().internal_position(), None);
}

#[test]
fn every_reader_sees_each_event_once() {
    let mut app = App::new();
    for name in ["a", "b"] {
        let mut reader = EventCursor::<InputEvent>::new();
        app.insert_resource(Vec::<usize>::new());
        app.add_system(
            Stage::Update,
            System::new(format!("reader {name}"), move |ctx| {
                let events = ctx.resource::<Events<InputEvent>>();
                let seen = reader.read(&events).count();
                ctx.resource_mut::<Vec<usize>>().push(seen);
            })
            .reads_events::<InputEvent>()
            .writes_resource::<Vec<usize>>(),
        );
    }
    app.push_event(InputEvent::key_pressed(KeyCode::KeyQ));
    app.push_event(InputEvent::key_released(KeyCode::KeyQ));
    for _ in 0..3 {
        app.update(0.01);
    }
    assert_eq!(*app.world().resource::<Vec<usize>>(), [2, 2, 0, 0, 0, 0]);
}

#[test]
fn close_request_exits_unless_disabled() {
    let mut app = App::new();
    app.push_event(WindowEvent::CloseRequested);
    let report = app.run_headless(HeadlessRun::frames(10));
    assert_eq!(
        (report.frames, report.reason),
        (1, StopReason::ExitRequested)
    );

    let mut app = App::new();
    app.set_window(WindowConfig {
        exit_on_close: false,
        ..WindowConfig::default()
    });
    app.push_event(WindowEvent::CloseRequested);
    let report = app.run_headless(HeadlessRun::frames(10));
    assert_eq!((report.frames, report.reason), (10, StopReason::FrameLimit));
}

#[test]
fn time_reports_fixed_delta_and_alpha() {
    let mut app = App::new();
    app.update(0.025);
    let time = app.world().resource::<Time>();
    assert_eq!(time.fixed_delta_seconds(), 1.0 / 60.0);
    assert!((time.fixed_alpha() - (0.025 * 60.0 - 1.0)).abs() < 1e-9);
    assert_eq!(time.frame(), 1);
}

#[test]
fn frame_hooks_run_after_every_frame() {
    use std::cell::Cell;
    use std::rc::Rc;
    let count = Rc::new(Cell::new(0u64));
    let seen = count.clone();
    let mut app = App::new();
    app.add_frame_hook(move |world| {
        assert_eq!(world.resource::<Time>().frame(), seen.get() + 1);
        seen.set(seen.get() + 1);
    });
    app.run_headless(HeadlessRun::frames(5));
    assert_eq!(count.get(), 5);
}

#[test]
fn run_without_a_window_is_headless() {
    let mut app = App::new();
    app.set_headless(HeadlessRun::frames(7));
    let report = app.run().unwrap();
    assert_eq!((report.frames, report.reason), (7, StopReason::FrameLimit));
}
