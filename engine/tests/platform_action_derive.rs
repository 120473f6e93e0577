//! `#[derive(Action)]`: the derived `ALL`, `name` and `from_name`, renames, and a derived set
//! driving an `ActionMap` through a bindings file and the Input stage like a hand-written one.
//! (What the derive refuses is shown by the `compile_fail` examples on `Action`.)

use layerw_engine::app::App;
use layerw_engine::platform::{Action, ActionMap, ActionState, Binding, InputEvent, KeyCode};

#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Play {
    Move,
    GrabCursor,
    #[action(name = "shoot")]
    Fire,
    OpenHUDMenu,
    Slot2,
}

#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Nothing {}

#[test]
fn all_lists_the_variants_in_declaration_order() {
    assert_eq!(
        Play::ALL,
        &[
            Play::Move,
            Play::GrabCursor,
            Play::Fire,
            Play::OpenHUDMenu,
            Play::Slot2
        ]
    );
    assert!(Nothing::ALL.is_empty());
}

#[test]
fn names_are_snake_case_unless_renamed() {
    let names: Vec<&str> = Play::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(
        names,
        ["move", "grab_cursor", "shoot", "open_hud_menu", "slot2"]
    );
    assert_eq!(Play::from_name("shoot"), Some(Play::Fire));
    assert_eq!(
        Play::from_name("fire"),
        None,
        "the rename replaces the default name"
    );
    assert_eq!(Play::from_name("open_hud_menu"), Some(Play::OpenHUDMenu));
}

#[test]
fn a_derived_set_loads_bindings_by_name_and_drives_its_state() {
    let mut bindings = ActionMap::new().with(Play::Fire, Binding::Key(KeyCode::KeyF));
    // A bindings file names actions by the derived names.
    let json = ActionMap::new()
        .with(Play::Fire, Binding::Key(KeyCode::KeyX))
        .to_json();
    assert!(json.contains("\"shoot\""), "{json}");
    bindings.load_json(&json).unwrap();
    let mut app = App::new();
    app.add_actions(bindings);
    app.push_event(InputEvent::key_pressed(KeyCode::KeyX));
    app.update(1.0 / 60.0);
    let state = app.world().resource::<ActionState<Play>>();
    assert!(state.just_pressed(Play::Fire));
    assert!(!state.pressed(Play::Move));
}
