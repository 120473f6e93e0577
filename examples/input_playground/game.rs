//! The playground's game: its actions, default bindings, state and systems.

use std::path::PathBuf;

use layerw::engine::platform::{
    Action, ActionMap, ActionState, Binding, GamepadAxis, GamepadButton, Gamepads, KeyCode,
    Keyboard, Mouse, MouseButton, Stick, Touches, Window, WindowConfig, WindowRequest,
};
use layerw::prelude::*;

/// Everything the player can do (named in bindings files `move`, `jump`, `fire`,
/// `grab_cursor`, `fullscreen`, `quit`).
#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Play {
    Move,
    Jump,
    Fire,
    GrabCursor,
    Fullscreen,
    Quit,
}

/// The default bindings (a bindings file can replace any of them).
pub fn default_bindings() -> ActionMap<Play> {
    ActionMap::new()
        .with(Play::Move, Binding::WASD)
        .with(Play::Move, Binding::ARROWS)
        .with(Play::Move, Binding::Stick(Stick::Left))
        .with(Play::Jump, Binding::Key(KeyCode::Space))
        .with(Play::Jump, Binding::GamepadButton(GamepadButton::South))
        .with(Play::Fire, Binding::Mouse(MouseButton::Left))
        .with(Play::Fire, Binding::GamepadAxis(GamepadAxis::RightTrigger))
        .with(Play::GrabCursor, Binding::Key(KeyCode::KeyG))
        .with(Play::Fullscreen, Binding::Key(KeyCode::F11))
        .with(Play::Quit, Binding::Key(KeyCode::Escape))
        .with(Play::Quit, Binding::GamepadButton(GamepadButton::Select))
}

/// Command-line options.
#[derive(Debug, Default)]
pub struct Options {
    pub bindings: Option<PathBuf>,
    pub save_bindings: Option<PathBuf>,
    pub headless: bool,
    pub frames: Option<u64>,
    pub report: Option<PathBuf>,
    pub record: Option<PathBuf>,
    pub replay: Option<PathBuf>,
}

impl Options {
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub fn from_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options::default();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--bindings" => options.bindings = Some(value("--bindings")?.into()),
                "--save-bindings" => options.save_bindings = Some(value("--save-bindings")?.into()),
                "--headless" => options.headless = true,
                "--frames" => {
                    let frames = value("--frames")?;
                    options.frames = Some(
                        frames
                            .parse()
                            .map_err(|_| format!("--frames: not a number: {frames}"))?,
                    );
                }
                "--report" => options.report = Some(value("--report")?.into()),
                "--record" => options.record = Some(value("--record")?.into()),
                "--replay" => options.replay = Some(value("--replay")?.into()),
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(options)
    }
}

/// The playground's state.
#[derive(Debug, Default)]
pub struct Playground {
    /// The square, in internal-resolution pixels.
    pub player: Vec2,
    pub jumps: u32,
    /// Where each shot went (internal-resolution pixels), the latest last.
    pub shots: Vec<Vec2>,
    /// The text typed so far (the last 64 characters).
    pub typed: String,
    pub grabbed: bool,
    /// Raw pointer motion so far (sum of lengths) and wheel lines so far.
    pub motion_total: f32,
    pub wheel_total: Vec2,
}

pub const PLAYER_SIZE: f32 = 40.0;
const SPEED: f32 = 400.0;

/// The app: window, actions (defaults, then the bindings file if any), state and systems.
pub fn app(options: &Options) -> App {
    let mut app = App::new();
    app.add_plugin(WindowPlugin {
        window: WindowConfig {
            title: "Layer-W input playground".into(),
            ..WindowConfig::default()
        },
    });
    let mut bindings = default_bindings();
    if let Some(path) = &options.bindings {
        // A bad file is reported and the defaults stay in force.
        match bindings.load(path) {
            Ok(()) => println!("bindings loaded from {}", path.display()),
            Err(e) => eprintln!("{e}; keeping the default bindings"),
        }
    }
    if let Some(path) = &options.save_bindings
        && let Err(e) = bindings.save(path)
    {
        eprintln!("{e}");
    }
    app.add_plugin(InputPlugin { bindings });
    app.insert_resource(Playground {
        player: Vec2::new(640.0, 360.0),
        ..Playground::default()
    });
    app.add_system(Stage::Update, play);
    app
}

/// Moves the square, counts jumps and shots, collects text and motion, and carries out the
/// window requests and quitting.
fn play(
    actions: Res<ActionState<Play>>,
    mouse: Res<Mouse>,
    keyboard: Res<Keyboard>,
    mut window: ResMut<Window>,
    mut state: ResMut<Playground>,
    dt: Delta,
    mut exit: EventWriter<AppExit>,
) {
    let dt = dt.seconds();
    let internal = window.internal_resolution().as_vec2();
    // Screen y grows downwards; "up" on the stick or W moves the square up.
    let step = actions.axis2d(Play::Move) * Vec2::new(1.0, -1.0) * SPEED * dt;
    state.player = (state.player + step).clamp(Vec2::ZERO, internal - PLAYER_SIZE);
    if actions.just_pressed(Play::Jump) {
        state.jumps += 1;
    }
    if actions.just_pressed(Play::Fire) {
        let at = mouse.internal_position().unwrap_or(state.player);
        state.shots.push(at);
    }
    state.motion_total += mouse.motion().length();
    state.wheel_total += mouse.wheel();
    if !keyboard.text().is_empty() {
        state.typed.push_str(keyboard.text());
        let excess = state.typed.chars().count().saturating_sub(64);
        state.typed = state.typed.chars().skip(excess).collect();
    }
    if actions.just_pressed(Play::GrabCursor) {
        state.grabbed = !state.grabbed;
        let grab = state.grabbed;
        window.request(WindowRequest::GrabCursor(grab));
    }
    if actions.just_pressed(Play::Fullscreen) {
        let on = !window.fullscreen();
        window.request(WindowRequest::SetFullscreen(on));
    }
    if actions.just_pressed(Play::Quit) {
        exit.send(AppExit);
    }
}

/// The whole visible state as JSON: what the desktop and web tests check.
pub fn state_json(world: &World, surface: Option<(u32, u32)>) -> String {
    let time = world.resource::<Time>();
    let window = world.resource::<Window>();
    let view = window.viewport();
    let mouse = world.resource::<Mouse>();
    let keyboard = world.resource::<Keyboard>();
    let pads = world.resource::<Gamepads>();
    let actions = world.resource::<ActionState<Play>>();
    let state = world.resource::<Playground>();
    let v2 = |v: Vec2| serde_json::json!([v.x, v.y]);
    let action_json = |a: Play| {
        let value = actions.get(a);
        serde_json::json!({ "value": v2(value.value), "pressed": value.pressed })
    };
    let buttons = [MouseButton::Left, MouseButton::Right, MouseButton::Middle];
    serde_json::json!({
        "frame": time.frame(),
        "window": [window.size().x, window.size().y],
        "viewport": [view.x, view.y, view.width, view.height],
        "surface": surface.map(|(w, h)| serde_json::json!([w, h])),
        "scale": window.scale_factor(),
        "visible": window.visible(),
        "focused": window.focused(),
        "fullscreen": window.fullscreen(),
        "mouse": mouse.position().map(v2),
        "mouse_internal": mouse.internal_position().map(v2),
        "mouse_buttons": buttons.iter().filter(|b| mouse.pressed(**b)).map(|b| format!("{b:?}")).collect::<Vec<_>>(),
        "grabbed": mouse.grabbed(),
        "motion_total": state.motion_total,
        "wheel_total": v2(state.wheel_total),
        "keys": keyboard.pressed_keys().map(|k| k.name()).collect::<Vec<_>>(),
        "typed": state.typed,
        "touches": world.resource::<Touches>().active().len(),
        "pads": pads.iter().map(|p| serde_json::json!({
            "id": p.id().0,
            "name": p.name(),
            "left": v2(pads.stick(p.id(), Stick::Left)),
            "right": v2(pads.stick(p.id(), Stick::Right)),
            "triggers": [pads.axis(p.id(), GamepadAxis::LeftTrigger), pads.axis(p.id(), GamepadAxis::RightTrigger)],
            "pressed": GamepadButton::ALL.iter().filter(|b| p.pressed(**b)).map(|b| format!("{b:?}")).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "actions": Play::ALL.iter().map(|&a| (a.name().to_owned(), action_json(a))).collect::<serde_json::Map<_, _>>(),
        "player": v2(state.player),
        "jumps": state.jumps,
        "shots": state.shots.iter().map(|s| v2(*s)).collect::<Vec<_>>(),
    })
    .to_string()
}
