//! ui_demo: a start menu and a score over a 3D scene, with text from a TTF font
//! (`assets/fonts/Cantarell-Regular.ttf`, loaded through the `AssetServer`). Arrows, W/S, Tab,
//! a pad's d-pad or left stick, or the mouse move the focus; Enter, Space, the pad's South
//! button or a click choose. "Start" hides the menu and the score counts up while the cubes
//! spin; Escape brings the menu back; "Quit" ends the app.
//!
//! A headless run (`--headless`) presses Down once the font is in, so its screenshot shows
//! the focus on the second item, and stops after `--frames N` frames (default 10) with the
//! font loaded; `--screenshot PATH` saves the last of them.
//!
//! ```text
//! cargo run --example ui_demo                                                 # a window
//! cargo run --example ui_demo -- --headless --frames 8 --screenshot ui.png    # no display
//! ```

use layerw::components::{Camera, MeshRef, Projection, Sun, Transform};
use layerw::engine::gpu::Screenshot;
use layerw::engine::render::{Mesh, MeshAssets};
use layerw::engine::text::{Anchor, Font};
use layerw::prelude::*;
use layerw::systems::UiPlugin;
use layerw::systems::ui::{MenuActivated, UiFont, UiLabel, UiMenu};

/// The internal resolution.
const RESOLUTION: UVec2 = UVec2::new(960, 540);
const MENU_ITEMS: [&str; 3] = ["Start", "Options", "Quit"];

/// The demo's state, a resource.
#[derive(Default)]
struct Demo {
    playing: bool,
    score: u64,
    score_label: Option<Entity>,
    title: Option<Entity>,
    /// Frames drawn since the font was in.
    frames_with_font: u32,
}

/// The spinning cubes.
struct Spinner(f32);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let headless = args.iter().any(|a| a == "--headless");
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .map(|i| match args.get(i + 1) {
                Some(v) => v.clone(),
                None => {
                    eprintln!("ui_demo: {flag} needs a value");
                    std::process::exit(2);
                }
            })
    };
    let frames: u32 = value("--frames").map_or(10, |n| {
        n.parse().unwrap_or_else(|_| {
            eprintln!("ui_demo: --frames needs a number");
            std::process::exit(2);
        })
    });
    let screenshot = value("--screenshot").map(std::path::PathBuf::from);

    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        window: WindowConfig {
            title: "Layer-W UI demo".into(),
            size: RESOLUTION,
            internal_resolution: RESOLUTION,
            ..WindowConfig::default()
        },
        assets: AssetPlugin {
            root: if cfg!(target_arch = "wasm32") {
                String::new()
            } else {
                env!("CARGO_MANIFEST_DIR").to_owned()
            },
        },
        ..DefaultPlugins::default()
    })
    .add_plugin(UiPlugin::default());
    spawn_scene(app.world_mut());
    let demo = spawn_ui(app.world_mut());
    app.insert_resource(demo)
        .add_system(Stage::Update, play)
        .add_system(Stage::Update, spin_cubes);
    if headless {
        app.set_headless(HeadlessRun::frames(100_000));
        app.add_frame_hook(script(frames, screenshot));
    }
    match app.run() {
        Ok(report) => {
            if headless {
                println!("ui_demo: {} frames", report.frames);
            }
        }
        Err(e) => {
            eprintln!("ui_demo: {e}");
            std::process::exit(1);
        }
    }
}

fn spawn_scene(world: &mut World) {
    let cube = world
        .resource_mut::<MeshAssets>()
        .add(Mesh::cube(1.0))
        .expect("a cube is a valid mesh");
    for i in 0..5 {
        world.spawn((
            Transform::from_translation(Vec3::new(i as f32 * 1.8 - 3.6, 0.0, 0.0)),
            MeshRef(cube),
            Spinner(0.4 + i as f32 * 0.2),
        ));
    }
    world.spawn((
        Transform::from_translation(Vec3::new(0.0, 2.0, 7.0)).looking_at(Vec3::ZERO),
        Camera {
            projection: Projection::Perspective {
                fov_y: 45f32.to_radians(),
            },
            near: 0.1,
            far: 100.0,
        },
    ));
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.5, -0.7, -0.6).normalize(),
        )),
        Sun {
            color: Vec3::ONE,
            intensity: 3.0,
            shadows: true,
        },
    ));
}

fn spawn_ui(world: &mut World) -> Demo {
    let title = world.spawn((UiLabel::new("Layer-W")
        .with_size(72)
        .anchored(Anchor::TopCenter, Vec2::new(0.0, 40.0)),));
    world.spawn((start_menu(),));
    let score = world.spawn((UiLabel::new("Score 0")
        .with_size(32)
        .with_color([255, 200, 40, 255])
        .with_background([0, 0, 0, 140])
        .anchored(Anchor::TopLeft, Vec2::new(16.0, 16.0)),));
    world.spawn((
        UiLabel::new("Enter / pad A / click to choose, Esc for the menu")
            .with_size(18)
            .anchored(Anchor::BottomCenter, Vec2::new(0.0, -12.0)),
    ));
    Demo {
        score_label: Some(score),
        title: Some(title),
        ..Demo::default()
    }
}

fn start_menu() -> UiMenu {
    UiMenu::new(MENU_ITEMS).anchored(Anchor::Center, Vec2::new(0.0, 40.0))
}

/// Reads the menu's choices, counts the score while playing, and shows the menu on Escape.
fn play(
    mut demo: ResMut<Demo>,
    mut chosen: EventReader<MenuActivated>,
    keyboard: Res<Keyboard>,
    mut exit: EventWriter<AppExit>,
    mut labels: Query<&mut UiLabel>,
    mut menus: Query<(Entity, &UiMenu)>,
    mut commands: Commands,
) {
    for activated in chosen.read() {
        match MENU_ITEMS.get(activated.item) {
            Some(&"Start") => {
                demo.playing = true;
                for (menu, _) in menus.iter() {
                    commands.despawn(menu);
                }
                if let Some(title) = demo.title.take() {
                    commands.despawn(title);
                }
            }
            Some(&"Quit") => exit.send(AppExit),
            _ => {}
        }
    }
    if demo.playing && keyboard.just_pressed(KeyCode::Escape) {
        demo.playing = false;
        commands.spawn((start_menu(),));
    }
    if demo.playing {
        demo.score += 10;
    }
    if let Some(label) = demo.score_label
        && let Ok(mut label) = labels.get_mut::<UiLabel>(label)
    {
        label.text = format!("Score {}", demo.score);
    }
}

fn spin_cubes(delta: Delta, mut cubes: Query<(&mut Transform, &Spinner)>) {
    for (transform, spinner) in cubes.iter() {
        transform.rotation =
            (Quat::from_rotation_y(spinner.0 * delta.seconds()) * transform.rotation).normalize();
    }
}

/// The headless script: once the font is in, press Down (focus "Options"), run `frames`
/// frames, save the last one, and stop.
fn script(frames: u32, mut screenshot: Option<std::path::PathBuf>) -> impl FnMut(&mut World) {
    move |world| {
        let font_in = world
            .try_resource::<UiFont>()
            .ok()
            .map(|f| f.0)
            .is_some_and(|f| world.resource::<Assets<Font>>().get(f).is_some());
        if !font_in {
            return;
        }
        let done = {
            let mut demo = world.resource_mut::<Demo>();
            demo.frames_with_font += 1;
            demo.frames_with_font
        };
        if done == 1 {
            world
                .resource_mut::<layerw::engine::platform::InputQueue>()
                .push(0.0, InputEvent::key_pressed(KeyCode::ArrowDown));
        }
        if done + 1 == frames
            && let Some(path) = screenshot.take()
        {
            world.insert_resource(Screenshot { path });
        }
        if done >= frames {
            world.resource_mut::<Events<AppExit>>().send(AppExit);
        }
    }
}
