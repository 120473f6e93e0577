//! The UI plugin through the public API: a menu driven by a replayed input journal (keys, a
//! pad's d-pad, stick and South button, the mouse's hover and click) activates the expected
//! items, and a label showing a changing score is laid out again.

use std::cell::RefCell;
use std::rc::Rc;

use layerw_engine::app::App;
use layerw_engine::asset::Assets;
use layerw_engine::ecs::{Entity, EventCursor, Events};
use layerw_engine::glam::Vec2;
use layerw_engine::platform::{
    ButtonState, GamepadAxis, GamepadButton, GamepadId, InputEvent, Journal, JournalFrame, KeyCode,
    MouseButton, TimedEvent,
};
use layerw_engine::text::{Anchor, Font, UiDrawList};
use layerw_systems::UiPlugin;
use layerw_systems::ui::{MenuActivated, UiFont, UiLabel, UiMenu};

const DT: f64 = 1.0 / 60.0;

/// An app with the UI plugin and the bundled font already loaded (no waiting for the reader).
fn app() -> App {
    let mut app = App::new();
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../assets/fonts/Cantarell-Regular.ttf"
    ))
    .unwrap();
    let mut fonts = Assets::<Font>::default();
    let font = fonts.add(Font::from_bytes(bytes).unwrap());
    app.insert_resource(fonts).insert_resource(UiFont(font));
    app.add_plugin(UiPlugin::default());
    app
}

/// Every [`MenuActivated`] event of the run, in order (read after each frame, so none is
/// dropped by the events' two-frame window).
fn collect_activations(app: &mut App) -> Rc<RefCell<Vec<MenuActivated>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let mut cursor = EventCursor::new();
    app.add_frame_hook(move |world| {
        let events = world.resource::<Events<MenuActivated>>();
        sink.borrow_mut().extend(cursor.read(&events).copied());
    });
    seen
}

fn key(code: KeyCode, down: bool) -> InputEvent {
    if down {
        InputEvent::key_pressed(code)
    } else {
        InputEvent::key_released(code)
    }
}

fn pad_button(button: GamepadButton, value: f32) -> InputEvent {
    InputEvent::GamepadButton {
        id: GamepadId(0),
        button,
        value,
    }
}

fn journal(frames: Vec<Vec<InputEvent>>) -> Journal {
    let mut journal = Journal::new();
    for (i, events) in frames.into_iter().enumerate() {
        let frame = i as u64 + 1;
        journal
            .push(JournalFrame {
                frame,
                time: frame as f64 * DT,
                delta: DT,
                events: events
                    .into_iter()
                    .map(|event| TimedEvent {
                        at: (frame as f64 - 0.5) * DT,
                        event: event.into(),
                    })
                    .collect(),
            })
            .unwrap();
    }
    journal
}

fn menu(app: &App, entity: Entity) -> UiMenu {
    (*app.world().get::<UiMenu>(entity).unwrap()).clone()
}

#[test]
fn a_journal_of_keys_pad_and_mouse_activates_the_expected_items() {
    let mut app = app();
    let entity = app
        .world_mut()
        .spawn((UiMenu::new(["Play", "Options", "Credits", "Quit"]),));
    let activations = collect_activations(&mut app);
    // One frame to lay the menu out, so the mouse can find its buttons.
    app.update(DT);
    let rects = menu(&app, entity).item_rects().to_vec();
    assert_eq!(rects.len(), 4);
    let [x, y, w, h] = rects[3];
    let over_quit = Vec2::new(x + w / 2.0, y + h / 2.0);

    let recorded = journal(vec![
        // Down arrow: Options.
        vec![key(KeyCode::ArrowDown, true)],
        // Released: the Next action ends (a new press is needed to step again).
        vec![key(KeyCode::ArrowDown, false)],
        // A pad's d-pad down: Credits.
        vec![
            InputEvent::GamepadConnected {
                id: GamepadId(0),
                name: "test pad".into(),
            },
            pad_button(GamepadButton::DPadDown, 1.0),
        ],
        // The left stick pushed up: Options.
        vec![
            pad_button(GamepadButton::DPadDown, 0.0),
            InputEvent::GamepadAxis {
                id: GamepadId(0),
                axis: GamepadAxis::LeftStickY,
                value: 1.0,
            },
        ],
        // Enter: Options is activated.
        vec![
            InputEvent::GamepadAxis {
                id: GamepadId(0),
                axis: GamepadAxis::LeftStickY,
                value: 0.0,
            },
            key(KeyCode::Enter, true),
        ],
        // The cursor moves onto Quit: focused.
        vec![
            key(KeyCode::Enter, false),
            InputEvent::CursorMoved(over_quit),
        ],
        // Tab, with the cursor resting: wraps around to Play.
        vec![key(KeyCode::Tab, true)],
        // The pad's South button: Play is activated.
        vec![
            key(KeyCode::Tab, false),
            pad_button(GamepadButton::South, 1.0),
        ],
        // A click on Quit (under the cursor): focused and activated.
        vec![
            pad_button(GamepadButton::South, 0.0),
            InputEvent::MouseButton {
                button: MouseButton::Left,
                state: ButtonState::Pressed,
            },
        ],
        vec![InputEvent::MouseButton {
            button: MouseButton::Left,
            state: ButtonState::Released,
        }],
    ]);
    // Through the journal's file format, as a recorded session would come.
    let replayed = Journal::from_bytes(&recorded.to_bytes()).unwrap();
    let report = app.replay(&replayed);
    assert_eq!(report.frames, 10);

    let items: Vec<usize> = activations.borrow().iter().map(|a| a.item).collect();
    assert_eq!(
        items,
        [1, 0, 3],
        "Options by Enter, Play by South, Quit by click"
    );
    assert!(activations.borrow().iter().all(|a| a.menu == entity));
    assert_eq!(menu(&app, entity).focused, 3);
}

#[test]
fn the_focus_follows_each_input_step_by_step() {
    let mut app = app();
    let entity = app.world_mut().spawn((UiMenu::new(["A", "B", "C"]),));
    app.update(DT);
    let mut step = |events: Vec<InputEvent>| {
        for event in events {
            app.push_event(event);
        }
        app.update(DT);
        menu(&app, entity).focused
    };
    assert_eq!(
        step(vec![key(KeyCode::ArrowUp, true)]),
        2,
        "up from the first wraps"
    );
    assert_eq!(
        step(vec![key(KeyCode::ArrowUp, false)]),
        2,
        "holding is one step"
    );
    assert_eq!(step(vec![key(KeyCode::ArrowDown, true)]), 0);
}

#[test]
fn a_changing_score_label_is_laid_out_again() {
    let mut app = app();
    let label = app.world_mut().spawn((UiLabel::new("Score 0")
        .with_size(32)
        .anchored(Anchor::TopRight, Vec2::new(-12.0, 12.0)),));
    app.update(DT);
    let first = app.world().resource::<UiDrawList>().quads.clone();
    assert_eq!(first.len(), "Score0".len(), "one quad per glyph with ink");
    // Pinned 12 px from the right edge of the 1280 px internal resolution.
    let right = first
        .iter()
        .map(|q| q.rect[0] + q.rect[2])
        .fold(0.0, f32::max);
    assert!(
        right <= 1280.0 - 12.0 && right > 1280.0 - 12.0 - 8.0,
        "{right}"
    );

    app.world_mut().get_mut::<UiLabel>(label).unwrap().text = "Score 1250".into();
    app.update(DT);
    let second = app.world().resource::<UiDrawList>().quads.clone();
    assert_eq!(second.len(), "Score1250".len());
    assert_ne!(first, second);
    // Still flush with the right edge: the block grew to the left.
    let right2 = second
        .iter()
        .map(|q| q.rect[0] + q.rect[2])
        .fold(0.0, f32::max);
    assert!((right - right2).abs() <= 4.0, "{right} {right2}");
    let left = |quads: &[layerw_engine::text::UiQuad]| {
        quads.iter().map(|q| q.rect[0]).fold(f32::MAX, f32::min)
    };
    assert!(left(&second) < left(&first));
}
