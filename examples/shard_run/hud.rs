//! What a client shows and plays besides the 3D view: the start menu (keys, mouse or pad),
//! the score, the round's clock, the board of every runner's points, the winner between
//! rounds (all text drawn by the engine's UI), the music, a chime for each of your shards and
//! the positional hum of the shards near the camera.

use layerw::engine::text::Anchor;
use layerw::prelude::*;
use layerw::systems::ui::{MenuActivated, UiLabel, UiMenu};

use crate::components::{Kind, RoundClock, Run, Score};

const MENU_PLAY: usize = 0;
const MENU_SOUND: usize = 1;
const MENU_QUIT: usize = 2;

/// Whether the menu is up (the runner stands still then), a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MenuOpen(pub bool);

/// The labels and menu the HUD keeps, and what it last heard.
struct Hud {
    title: Option<Entity>,
    score: Entity,
    clock: Entity,
    board: Entity,
    banner: Entity,
    sound_on: bool,
    last_score: Option<u32>,
    music_started: bool,
}

/// The sounds, as the asset server hands them out.
struct Sounds {
    music: Handle<Sound>,
    chime: Handle<Sound>,
    hum: Handle<Sound>,
}

/// The HUD and the sound as a plugin (needs `UiPlugin` and `AudioPlugin`).
pub struct ShardHud;

fn menu_items(sound_on: bool) -> [&'static str; 3] {
    [
        "Play",
        if sound_on { "Sound: on" } else { "Sound: off" },
        "Quit",
    ]
}

fn start_menu(sound_on: bool) -> UiMenu {
    UiMenu::new(menu_items(sound_on)).anchored(Anchor::Center, Vec2::new(0.0, 40.0))
}

impl Plugin for ShardHud {
    fn build(&self, app: &mut App) {
        let sounds = Sounds {
            music: AssetServer::load_in::<Sound>(app.world(), "assets/audio/music_loop.ogg"),
            chime: AssetServer::load_in::<Sound>(app.world(), "assets/audio/click.wav"),
            hum: AssetServer::load_in::<Sound>(app.world(), "assets/audio/hum.wav"),
        };
        let world = app.world_mut();
        let label = |text: &str, size: u16, anchor: Anchor, offset: Vec2| {
            UiLabel::new(text).with_size(size).anchored(anchor, offset)
        };
        let title = world.spawn((
            label("SHARD RUN", 72, Anchor::TopCenter, Vec2::new(0.0, 60.0))
                .with_color([120, 220, 255, 255]),
        ));
        world.spawn((start_menu(true),));
        let score = world.spawn(
            (label("Score 0", 32, Anchor::TopLeft, Vec2::new(16.0, 14.0))
                .with_color([255, 210, 60, 255])
                .with_background([0, 0, 0, 140]),),
        );
        let clock = world
            .spawn((label("", 32, Anchor::TopCenter, Vec2::new(0.0, 14.0))
                .with_background([0, 0, 0, 140]),));
        let board = world
            .spawn((label("", 20, Anchor::TopRight, Vec2::new(-16.0, 14.0))
                .with_background([0, 0, 0, 120]),));
        let banner = world.spawn((label("", 36, Anchor::Center, Vec2::new(0.0, -120.0)),));
        world.spawn((label(
            "WASD / arrows / stick: run    Space / Shift / pad A: dash    Esc: menu    F3: stats",
            16,
            Anchor::BottomCenter,
            Vec2::new(0.0, -10.0),
        ),));
        app.insert_resource(Hud {
            title: Some(title),
            score,
            clock,
            board,
            banner,
            sound_on: true,
            last_score: None,
            music_started: false,
        })
        .insert_resource(sounds)
        .insert_resource(MenuOpen(true))
        .add_system(Stage::Input, hold_still_in_menu.last())
        .add_system(Stage::Update, choose)
        .add_system(Stage::Update, show_scores)
        .add_system(Stage::Update, play_sounds)
        .add_system(Stage::Update, hum_shards);
    }
}

/// The runner does not move while the menu is up (menu keys are not runs).
fn hold_still_in_menu(open: Res<MenuOpen>, mut actions: ResMut<ActionState<Run>>) {
    if open.0 {
        *actions = ActionState::default();
    }
}

/// The menu's choices; Escape (or a pad's Start) brings it back.
#[expect(clippy::too_many_arguments, reason = "a system's parameters")]
fn choose(
    mut hud: ResMut<Hud>,
    mut open: ResMut<MenuOpen>,
    mut chosen: EventReader<MenuActivated>,
    keyboard: Res<Keyboard>,
    pads: Res<Gamepads>,
    mut menus: Query<(Entity, &mut UiMenu)>,
    mut audio: ResMut<Audio>,
    mut exit: EventWriter<AppExit>,
    mut commands: Commands,
) {
    for activated in chosen.read() {
        match activated.item {
            MENU_PLAY => {
                open.0 = false;
                for (menu, _) in menus.iter() {
                    commands.despawn(menu);
                }
                if let Some(title) = hud.title.take() {
                    commands.despawn(title);
                }
            }
            MENU_SOUND => {
                hud.sound_on = !hud.sound_on;
                audio.set_volume(Bus::Master, if hud.sound_on { 1.0 } else { 0.0 });
                for (_, menu) in menus.iter() {
                    menu.items = menu_items(hud.sound_on).map(String::from).to_vec();
                }
            }
            MENU_QUIT => exit.send(AppExit),
            _ => {}
        }
    }
    let back = keyboard.just_pressed(KeyCode::Escape)
        || pads
            .iter()
            .any(|pad| pad.just_pressed(GamepadButton::Start));
    if back && !open.0 {
        open.0 = true;
        commands.spawn((start_menu(hud.sound_on),));
    }
}

/// The score, the clock, the board and the banner from what the server last said.
#[expect(clippy::type_complexity, reason = "one query's tuple")]
fn show_scores(
    hud: Res<Hud>,
    mut things: Query<(
        &Kind,
        Option<&Score>,
        Option<&RoundClock>,
        Option<&Predicted>,
    )>,
    mut labels: Query<&mut UiLabel>,
    client: Res<NetClient>,
) {
    let mut own = None;
    let mut clock = None;
    let mut board: Vec<(u32, String, bool)> = Vec::new();
    for (kind, score, round, predicted) in things.iter() {
        if let Some(round) = round {
            clock = Some(*round);
        }
        if kind.is_runner() {
            let points = score.map_or(0, |s| s.0);
            if predicted.is_some() {
                own = Some(points);
            }
            let name = if predicted.is_some() {
                "You".to_owned()
            } else {
                kind.name()
            };
            board.push((points, name, predicted.is_some()));
        }
    }
    board.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut set = |entity: Entity, text: String, background: [u8; 4]| {
        if let Ok(mut label) = labels.get_mut::<UiLabel>(entity) {
            label.background = if text.is_empty() { [0; 4] } else { background };
            label.text = text;
        }
    };
    set(
        hud.score,
        format!("Score {}", own.unwrap_or(0)),
        [0, 0, 0, 140],
    );
    let clock_text = match clock {
        Some(c @ RoundClock::Playing { .. }) => {
            let s = c.seconds_left();
            format!("{}:{:02}", s / 60, s % 60)
        }
        Some(c @ RoundClock::Intermission { .. }) => format!("Next round in {}", c.seconds_left()),
        None => String::new(),
    };
    set(hud.clock, clock_text, [0, 0, 0, 140]);
    let lines: Vec<String> = board
        .iter()
        .take(8)
        .map(|(points, name, _)| format!("{name}  {points}"))
        .collect();
    set(hud.board, lines.join("\n"), [0, 0, 0, 120]);
    let banner = if !client.is_connected() {
        "Connecting to the server...".to_owned()
    } else if let (Some(RoundClock::Intermission { .. }), Some((points, name, mine))) =
        (clock, board.first())
    {
        if *mine {
            format!("Round over: you win with {points}!")
        } else {
            format!("Round over: {name} wins with {points}")
        }
    } else {
        String::new()
    };
    set(hud.banner, banner, [0, 0, 0, 150]);
}

/// Music once its file is in; a chime when your score goes up.
fn play_sounds(
    mut hud: ResMut<Hud>,
    sounds: Res<Sounds>,
    store: Res<Assets<Sound>>,
    mut audio: ResMut<Audio>,
    mut mine: Query<(&Score, &Predicted)>,
) {
    if !hud.music_started && store.get(sounds.music).is_some() {
        hud.music_started = true;
        // Before the first gesture in a browser, a loop is queued and starts with the output.
        if let Err(error) = audio.play(
            &store,
            sounds.music,
            PlaySound::looped(Bus::Music).with_volume(0.35),
        ) {
            tracing::warn!("no music: {error}");
        }
    }
    let Some(score) = mine.iter().map(|(s, _)| s.0).next() else {
        return;
    };
    if hud.last_score.is_some_and(|last| score > last) {
        // No output (a browser before the first gesture, no device) just means no chime.
        let _ = audio.play(
            &store,
            sounds.chime,
            PlaySound::once(Bus::Effects).with_volume(0.7),
        );
    }
    hud.last_score = Some(score);
}

/// Every shard hums where it is: louder as the camera nears it, in the nearer ear.
fn hum_shards(
    mut shards: Query<Without<(Entity, &Kind), &AudioEmitter>>,
    sounds: Res<Sounds>,
    mut commands: Commands,
) {
    for (entity, kind) in shards.iter() {
        if let Kind::Shard { .. } = kind {
            commands.insert_one(
                entity,
                AudioEmitter {
                    volume: 0.2,
                    min_distance: 1.5,
                    max_distance: 14.0,
                    ..AudioEmitter::looping(sounds.hum)
                },
            );
        }
    }
}
