//! Audio demo: a music loop on the music bus, a click on Space or the left mouse button, and a
//! hum circling the listener (the camera) once every four seconds, so it pans from ear to ear.
//! M mutes and unmutes the music bus. In the browser the sound starts at the first click or key
//! press (the page shows the state); natively at once.
//!
//! ```text
//! cargo run --example audio_demo --features audio                    # a window and the device
//! cargo run --example audio_demo --features audio -- --headless --frames 240 --wav mix.wav
//! ```
//! `--headless` renders the mix offline (no device needed) and clicks once a second; `--wav`
//! writes it as 16-bit stereo PCM (`soxi mix.wav`, `sox mix.wav -n stat`). For the web build see
//! `scripts/web.sh audio_demo` and `scripts/web_audio_test.py`.

use layerw::components::Camera;
use layerw::prelude::*;

/// The sounds, as the asset server hands them out.
struct Sounds {
    music: Handle<Sound>,
    click: Handle<Sound>,
}

/// What the demo did, for the page and the headless report.
#[derive(Default)]
struct Demo {
    music: Option<Handle<Playback>>,
    clicks: u32,
    /// Clicks asked for while the output could not play them (before the gesture, no device).
    refused: u32,
    /// Click every this many frames (headless runs: nobody clicks there).
    auto_click_every: Option<u64>,
}

/// Moves around the listener on a circle in the horizontal plane.
struct Orbit {
    radius: f32,
    seconds_per_turn: f32,
}

fn start_music(
    sounds: Res<Sounds>,
    store: Res<Assets<Sound>>,
    mut audio: ResMut<Audio>,
    mut demo: ResMut<Demo>,
) {
    if demo.music.is_some() || store.get(sounds.music).is_none() {
        return;
    }
    // Before the first gesture a loop is queued and starts with the output.
    match audio.play(
        &store,
        sounds.music,
        PlaySound::looped(Bus::Music).with_volume(0.5),
    ) {
        Ok(playback) => demo.music = Some(playback),
        Err(error) => {
            tracing::warn!("no music: {error}");
            demo.music = Some(Handle::default()); // do not ask every frame
        }
    }
}

fn click_and_mute(
    sounds: Res<Sounds>,
    store: Res<Assets<Sound>>,
    keys: Res<Keyboard>,
    mouse: Res<Mouse>,
    time: Res<Time>,
    mut audio: ResMut<Audio>,
    mut demo: ResMut<Demo>,
) {
    let auto = demo
        .auto_click_every
        .is_some_and(|every| time.frame().is_multiple_of(every));
    if keys.just_pressed(KeyCode::Space) || mouse.just_pressed(MouseButton::Left) || auto {
        match audio.play(&store, sounds.click, PlaySound::once(Bus::Effects)) {
            Ok(_) => demo.clicks += 1,
            Err(_) => demo.refused += 1,
        }
    }
    if keys.just_pressed(KeyCode::KeyM) {
        let muted = audio.volume(Bus::Music) == 0.0;
        audio.set_volume(Bus::Music, if muted { 1.0 } else { 0.0 });
    }
}

fn orbit(mut movers: Query<(&mut Transform, &Orbit)>, time: Res<Time>) {
    for (transform, orbit) in movers.iter() {
        let turn = time.elapsed_seconds() as f32 / orbit.seconds_per_turn;
        let angle = turn * core::f32::consts::TAU;
        transform.translation = Vec3::new(angle.cos(), 0.0, angle.sin()) * orbit.radius;
    }
}

/// The demo's state as JSON: what the page shows and the web test reads.
fn state_json(world: &World) -> String {
    let mut audio = world.resource_mut::<Audio>();
    let demo = world.resource::<Demo>();
    let progress = world.resource::<AssetServer>().progress();
    let state = match audio.state() {
        AudioState::WaitingForGesture => "waiting for a click or a key".to_owned(),
        AudioState::Running => "running".to_owned(),
        AudioState::Unavailable(error) => format!("unavailable: {error}"),
    };
    let music_playing = demo.music.is_some_and(|m| audio.is_playing(m));
    format!(
        "{{\"frame\":{},\"state\":\"{state}\",\"running\":{},\"loaded\":{},\"failed\":{},\"music_playing\":{music_playing},\"clicks\":{},\"refused\":{},\"music_volume\":{}}}",
        world.resource::<Time>().frame(),
        audio.is_running(),
        progress.loaded,
        progress.failed,
        demo.clicks,
        demo.refused,
        audio.volume(Bus::Music),
    )
}

fn app(output: AudioOutput, headless: bool) -> App {
    let mut app = App::new();
    app.add_plugin(LogPlugin::default());
    if !headless {
        app.add_plugin(WindowPlugin {
            window: WindowConfig {
                title: "Layer-W audio demo".into(),
                ..Default::default()
            },
        });
    }
    app.add_plugin(AudioPlugin {
        output,
        ..Default::default()
    });
    let sounds = Sounds {
        music: AssetServer::load_in::<Sound>(app.world(), "assets/audio/music_loop.ogg"),
        click: AssetServer::load_in::<Sound>(app.world(), "assets/audio/click.wav"),
    };
    let hum = AssetServer::load_in::<Sound>(app.world(), "assets/audio/hum.wav");
    let world = app.world_mut();
    world.spawn((Camera::default(), Transform::IDENTITY, AudioListener));
    world.spawn((
        Transform::IDENTITY,
        Orbit {
            radius: 4.0,
            seconds_per_turn: 4.0,
        },
        AudioEmitter {
            volume: 0.6,
            ..AudioEmitter::looping(hum)
        },
    ));
    app.insert_resource(sounds)
        .insert_resource(Demo {
            auto_click_every: headless.then_some(60),
            ..Default::default()
        })
        .add_system(Stage::Update, start_music)
        .add_system(Stage::Update, click_and_mute)
        .add_system(Stage::Update, orbit);
    app
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        let mut app = app(AudioOutput::Device, false);
        app.add_frame_hook(|world| publish(&state_json(world)));
        if let Err(e) = app.run() {
            web_sys::console::error_1(&e.to_string().into());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    native_main();
}

#[cfg(target_arch = "wasm32")]
fn publish(json: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let _ = js_sys::Reflect::set(&window, &"layerwAudio".into(), &json.into());
    if let Some(pre) = window
        .document()
        .and_then(|d| d.get_element_by_id("layerw-state"))
    {
        pre.set_text_content(Some(json));
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn native_main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let headless = args.iter().any(|a| a == "--headless");
    let frames = value("--frames")
        .and_then(|f| f.parse().ok())
        .unwrap_or(240);
    let wav = value("--wav");
    let output = if headless {
        AudioOutput::Offline {
            sample_rate: layerw::audio::DEFAULT_SAMPLE_RATE,
        }
    } else {
        AudioOutput::Device
    };
    let mut app = app(output, headless);
    let mut mix = Vec::new();
    if headless {
        for _ in 0..frames {
            app.update(1.0 / 60.0);
            mix.extend(app.world().resource_mut::<Audio>().take_rendered());
        }
        println!("{}", state_json(app.world()));
    } else {
        app.add_frame_hook(|world| {
            if world.resource::<Time>().frame().is_multiple_of(300) {
                println!("{}", state_json(world));
            }
        });
        if let Err(e) = app.run() {
            eprintln!("audio_demo: {e}");
            std::process::exit(1);
        }
    }
    if let Some(path) = wav {
        let rate = layerw::audio::DEFAULT_SAMPLE_RATE;
        if let Err(e) = std::fs::write(&path, wav_bytes(&mix, rate)) {
            eprintln!("audio_demo: cannot write {path}: {e}");
            std::process::exit(1);
        }
        println!(
            "audio_demo: {} s of mix in {path}",
            mix.len() / 2 / rate as usize
        );
    }
}

/// Interleaved stereo samples in -1..1 as a 16-bit PCM WAV file (RIFF header, one data chunk).
#[cfg(not(target_arch = "wasm32"))]
fn wav_bytes(samples: &[f32], rate: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&2u16.to_le_bytes()); // channels
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 4).to_le_bytes()); // bytes per second
    out.extend_from_slice(&4u16.to_le_bytes()); // bytes per frame
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for sample in samples {
        let value = (sample.clamp(-1.0, 1.0) * i16::MAX as f32) as i16;
        out.extend_from_slice(&value.to_le_bytes());
    }
    out
}
