//! A recorded run replayed from its journal reaches exactly the same world state.

use layerw_engine::app::{App, StopReason};
use layerw_engine::glam::{UVec2, Vec2};
use layerw_engine::platform::{
    Action, ActionMap, ActionState, Binding, ButtonState, GamepadAxis, GamepadButton, GamepadId,
    InputEvent, Journal, KeyCode, Mouse, MouseButton, Stick, WindowConfig, WindowEvent,
};
use layerw_engine::schedule::{Stage, System};

#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Play {
    Move,
    Jump,
    Fire,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Player {
    position: Vec2,
    velocity_y: f32,
}

#[derive(Debug, Default, PartialEq)]
struct Tally {
    jumps: u32,
    shots: Vec<Vec2>,
}

fn game() -> App {
    let mut app = App::new();
    app.set_window(WindowConfig {
        size: UVec2::new(1280, 720),
        ..WindowConfig::default()
    });
    app.add_actions(
        ActionMap::new()
            .with(Play::Move, Binding::WASD)
            .with(Play::Move, Binding::Stick(Stick::Left))
            .with(Play::Jump, Binding::Key(KeyCode::Space))
            .with(Play::Jump, Binding::GamepadButton(GamepadButton::South))
            .with(Play::Fire, Binding::Mouse(MouseButton::Left)),
    );
    app.insert_resource(Tally::default());
    app.world_mut().spawn((Player {
        position: Vec2::ZERO,
        velocity_y: 0.0,
    },));
    app.add_system(
        Stage::Update,
        System::new("walk", |ctx| {
            let actions = ctx.resource::<ActionState<Play>>();
            let dt = ctx.delta_seconds() as f32;
            let mut tally = ctx.resource_mut::<Tally>();
            if actions.just_pressed(Play::Jump) {
                tally.jumps += 1;
            }
            if actions.just_pressed(Play::Fire)
                && let Some(at) = ctx.resource::<Mouse>().internal_position()
            {
                tally.shots.push(at);
            }
            for player in ctx.query::<&mut Player>().iter() {
                player.position += actions.axis2d(Play::Move) * 3.0 * dt;
                if actions.just_pressed(Play::Jump) {
                    player.velocity_y = 5.0;
                }
            }
        })
        .reads_resource::<ActionState<Play>>()
        .reads_resource::<Mouse>()
        .writes_resource::<Tally>()
        .writes::<Player>(),
    );
    // Fixed-rate gravity: the replay must reproduce the accumulator too.
    app.add_system(
        Stage::FixedUpdate,
        System::new("gravity", |ctx| {
            let dt = ctx.delta_seconds() as f32;
            for player in ctx.query::<&mut Player>().iter() {
                player.velocity_y -= 9.8 * dt;
                player.position.y += player.velocity_y * dt;
            }
        })
        .writes::<Player>(),
    );
    app
}

fn state(app: &App) -> (Vec<(u32, u32, u32)>, u32, Vec<Vec2>) {
    let players = app
        .world()
        .query::<&Player>()
        .iter()
        .map(|p| {
            (
                p.position.x.to_bits(),
                p.position.y.to_bits(),
                p.velocity_y.to_bits(),
            )
        })
        .collect();
    let tally = app.world().resource::<Tally>();
    (players, tally.jumps, tally.shots.clone())
}

/// A scripted session with irregular frame times: keys, a resize, mouse clicks, a pad.
fn record() -> (App, Journal) {
    let mut app = game();
    app.record_journal();
    let deltas = [0.016, 0.017, 0.033, 0.008, 0.016, 0.1, 0.016, 0.021];
    for frame in 0..120usize {
        match frame {
            3 => {
                app.push_event(InputEvent::key_pressed(KeyCode::KeyD));
            }
            10 => {
                app.push_event(InputEvent::key_pressed(KeyCode::KeyW));
                app.push_event(InputEvent::key_pressed(KeyCode::Space));
            }
            12 => {
                app.push_event(InputEvent::key_released(KeyCode::Space));
            }
            30 => {
                app.push_event(InputEvent::key_released(KeyCode::KeyD));
                app.push_event(WindowEvent::Resized {
                    width: 640,
                    height: 480,
                });
                app.push_event(InputEvent::CursorMoved(Vec2::new(320.0, 240.0)));
                app.push_event(InputEvent::MouseButton {
                    button: MouseButton::Left,
                    state: ButtonState::Pressed,
                });
            }
            31 => {
                app.push_event(InputEvent::MouseButton {
                    button: MouseButton::Left,
                    state: ButtonState::Released,
                });
            }
            50 => {
                app.push_event(InputEvent::key_released(KeyCode::KeyW));
                app.push_event(InputEvent::GamepadConnected {
                    id: GamepadId(0),
                    name: "test pad".into(),
                });
                app.push_event(InputEvent::GamepadAxis {
                    id: GamepadId(0),
                    axis: GamepadAxis::LeftStickX,
                    value: -0.7,
                });
            }
            70 => {
                app.push_event(InputEvent::GamepadButton {
                    id: GamepadId(0),
                    button: GamepadButton::South,
                    value: 1.0,
                });
            }
            _ => {}
        }
        app.update(deltas[frame % deltas.len()]);
    }
    let journal = app.take_journal().expect("recording");
    (app, journal)
}

#[test]
fn replay_reproduces_the_recorded_run_exactly() {
    let (recorded, journal) = record();
    assert_eq!(journal.len(), 120);
    assert_eq!(journal.event_count(), 13);
    let recorded_state = state(&recorded);
    // The session did something: the player moved, jumped twice, shot once at the centre.
    assert_eq!(recorded_state.1, 2);
    assert_eq!(recorded_state.2, [Vec2::new(640.0, 360.0)]);

    // Through bytes, as a saved journal would go.
    let journal = Journal::from_bytes(&journal.to_bytes()).unwrap();
    let mut replayed = game();
    let report = replayed.replay(&journal);
    assert_eq!(report.frames, 120);
    assert_eq!(report.reason, StopReason::JournalEnd);
    assert_eq!(state(&replayed), recorded_state);
}

#[test]
fn replay_of_an_edited_journal_diverges() {
    let (recorded, journal) = record();
    // Drop the first key press: the replay must notice.
    let mut edited = Journal::new();
    for frame in journal.frames() {
        let mut frame = frame.clone();
        if frame.frame == 4 {
            frame.events.clear();
        }
        edited.push(frame).unwrap();
    }
    let mut replayed = game();
    replayed.replay(&edited);
    assert_ne!(state(&replayed).0, state(&recorded).0);
}

#[cfg(not(target_os = "wasi"))]
#[test]
fn journal_file_round_trip() {
    let (_, journal) = record();
    let path = std::env::temp_dir().join(format!("layerw-journal-{}.jsonl", std::process::id()));
    journal.save(&path).unwrap();
    assert_eq!(Journal::load(&path).unwrap(), journal);
    std::fs::remove_file(&path).unwrap();
}
