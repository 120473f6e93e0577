//! The mix rendered offline through the public API: one-shots end, loops go on, bus volumes
//! scale, emitters pan and fade with distance, the listener follows the camera, the first
//! gesture starts the output, and a missing device or a malformed file is an error, not a
//! crash.

use glam::{Quat, Vec3};
use layerw_audio::{
    Audio, AudioEmitter, AudioError, AudioListener, AudioOutput, AudioPlugin, AudioStart,
    AudioState, Bus, PlaySound, Sound,
};
use layerw_components::{Camera, Transform};
use layerw_engine::app::App;
use layerw_engine::asset::{
    AssetError, AssetPlugin, AssetServer, Assets, DecodeError, Handle, LoadState, SoundError,
};
use layerw_engine::ecs::Entity;
use layerw_engine::platform::{ButtonState, InputEvent, KeyCode, Mouse, MouseButton};
use layerw_engine::schedule::{Res, ResMut, Stage};

const RATE: u32 = 48_000;
const FRAME: f64 = 1.0 / 60.0;
/// Stereo frames rendered per app frame.
const FRAMES_PER_UPDATE: usize = 800;

fn assets_root() -> String {
    format!("{}/../assets/audio", env!("CARGO_MANIFEST_DIR"))
}

fn app_with(start: AudioStart) -> App {
    let mut app = App::new();
    app.add_plugin(AssetPlugin {
        root: assets_root(),
    })
    .add_plugin(AudioPlugin {
        output: AudioOutput::Offline { sample_rate: RATE },
        start,
        ..Default::default()
    });
    app
}

fn offline_app() -> App {
    app_with(AudioStart::Immediately)
}

/// Loads `path` and runs frames until it is loaded (the rendered frames are dropped).
fn load(app: &mut App, path: &str) -> Handle<Sound> {
    let handle = AssetServer::load_in::<Sound>(app.world(), path);
    for _ in 0..1000 {
        if app.world().resource::<AssetServer>().progress().is_done() {
            break;
        }
        app.update(FRAME);
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let state = app.world().resource::<Assets<Sound>>().load_state(handle);
    assert_eq!(state, LoadState::Loaded, "{path}");
    app.world().resource_mut::<Audio>().take_rendered();
    handle
}

fn play(
    app: &App,
    sound: Handle<Sound>,
    settings: PlaySound,
) -> Result<Handle<layerw_audio::Playback>, AudioError> {
    let world = app.world();
    let sounds = world.resource::<Assets<Sound>>();
    world.resource_mut::<Audio>().play(&sounds, sound, settings)
}

/// Runs `updates` frames and returns what they rendered.
fn run(app: &mut App, updates: usize) -> Vec<f32> {
    for _ in 0..updates {
        app.update(FRAME);
    }
    app.world().resource_mut::<Audio>().take_rendered()
}

/// Root mean square of one channel (0 left, 1 right) of interleaved stereo.
fn rms(mix: &[f32], channel: usize) -> f32 {
    let samples: Vec<f32> = mix.iter().skip(channel).step_by(2).copied().collect();
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
}

fn both(mix: &[f32]) -> f32 {
    (rms(mix, 0) + rms(mix, 1)) / 2.0
}

#[test]
fn offline_output_renders_a_frame_of_samples_per_update() {
    let mut app = offline_app();
    let mix = run(&mut app, 3);
    assert_eq!(mix.len(), 3 * FRAMES_PER_UPDATE * 2);
    assert_eq!(both(&mix), 0.0, "nothing plays: silence");
}

#[test]
fn one_shot_plays_once_and_stops() {
    let mut app = offline_app();
    let click = load(&mut app, "click.wav"); // 0.1 s
    let playback = play(&app, click, PlaySound::once(Bus::Effects)).unwrap();
    assert!(app.world().resource_mut::<Audio>().is_playing(playback));
    let mix = run(&mut app, 30); // 0.5 s
    let first = &mix[..2 * 4800]; // the click's 0.1 s
    let after = &mix[2 * 9600..]; // from 0.2 s on
    assert!(both(first) > 0.1, "the click sounds: {}", both(first));
    assert_eq!(both(after), 0.0, "and then stops");
    assert!(!app.world().resource_mut::<Audio>().is_playing(playback));
}

#[test]
fn loop_keeps_playing_until_stopped() {
    let mut app = offline_app();
    let click = load(&mut app, "click.wav");
    let playback = play(&app, click, PlaySound::looped(Bus::Effects)).unwrap();
    let mix = run(&mut app, 60); // 1 s: ten times its length
    let last = &mix[mix.len() - 2 * 4800..];
    assert!(both(last) > 0.1, "still sounding after 1 s: {}", both(last));
    assert!(app.world().resource_mut::<Audio>().is_playing(playback));
    assert!(app.world().resource_mut::<Audio>().stop(playback));
    run(&mut app, 2); // the stop's short fade
    let after = run(&mut app, 10);
    assert_eq!(both(&after), 0.0, "silent once stopped");
    assert!(!app.world().resource_mut::<Audio>().is_playing(playback));
}

/// The tone's loudness over 0.5 s with the buses at `volumes` (master, music, effects).
fn tone_level(bus: Bus, volumes: [f32; 3]) -> f32 {
    let mut app = offline_app();
    let tone = load(&mut app, "tone.ogg");
    {
        let mut audio = app.world().resource_mut::<Audio>();
        for (bus, volume) in Bus::ALL.into_iter().zip(volumes) {
            audio.set_volume(bus, volume);
        }
    }
    play(&app, tone, PlaySound::once(bus)).unwrap();
    let mix = run(&mut app, 30);
    both(&mix[2 * 2400..]) // past the volume tweens' first milliseconds
}

#[test]
fn bus_volume_scales_the_output() {
    let full = tone_level(Bus::Music, [1.0, 1.0, 1.0]);
    assert!(full > 0.1, "{full}");
    let half_music = tone_level(Bus::Music, [1.0, 0.5, 1.0]);
    assert!(
        (half_music / full - 0.5).abs() < 0.02,
        "{half_music} / {full}"
    );
    let half_master = tone_level(Bus::Music, [0.5, 1.0, 1.0]);
    assert!(
        (half_master / full - 0.5).abs() < 0.02,
        "{half_master} / {full}"
    );
    let muted_music = tone_level(Bus::Music, [1.0, 0.0, 1.0]);
    assert_eq!(muted_music, 0.0);
    let effects_beside_muted_music = tone_level(Bus::Effects, [1.0, 0.0, 1.0]);
    assert!((effects_beside_muted_music / full - 1.0).abs() < 0.02);
    let quieter_sound = {
        let mut app = offline_app();
        let tone = load(&mut app, "tone.ogg");
        play(&app, tone, PlaySound::once(Bus::Music).with_volume(0.25)).unwrap();
        both(&run(&mut app, 30)[2 * 2400..])
    };
    assert!(
        (quieter_sound / full - 0.25).abs() < 0.02,
        "{quieter_sound} / {full}"
    );
}

/// An app with a camera (the listener) at `camera` and a looping hum emitter at `emitter`.
fn emitter_scene(camera: Transform, emitter: Vec3) -> (App, Entity, Entity) {
    let mut app = offline_app();
    let hum = load(&mut app, "hum.wav");
    let camera = app.world_mut().spawn((Camera::default(), camera));
    let source = app.world_mut().spawn((
        Transform::from_translation(emitter),
        AudioEmitter::looping(hum),
    ));
    (app, camera, source)
}

/// (left, right) loudness of an emitter after it settled.
fn ears(camera: Transform, emitter: Vec3) -> (f32, f32) {
    let (mut app, _, _) = emitter_scene(camera, emitter);
    run(&mut app, 3);
    let mix = run(&mut app, 20);
    (rms(&mix, 0), rms(&mix, 1))
}

#[test]
fn an_emitter_on_the_right_is_louder_in_the_right_ear() {
    let (left, right) = ears(Transform::IDENTITY, Vec3::new(5.0, 0.0, 0.0));
    assert!(right > 0.05, "audible: {right}");
    assert!(right > 2.0 * left, "right {right} vs left {left}");
    let (left, right) = ears(Transform::IDENTITY, Vec3::new(-5.0, 0.0, 0.0));
    assert!(left > 2.0 * right, "left {left} vs right {right}");
}

#[test]
fn the_listener_turns_with_the_camera() {
    // Turned half round, the camera has +X on its left.
    let turned = Transform {
        rotation: Quat::from_rotation_y(core::f32::consts::PI),
        ..Transform::IDENTITY
    };
    let (left, right) = ears(turned, Vec3::new(5.0, 0.0, 0.0));
    assert!(left > 2.0 * right, "left {left} vs right {right}");
}

#[test]
fn a_farther_emitter_is_quieter() {
    let (near_l, near_r) = ears(Transform::IDENTITY, Vec3::new(0.0, 0.0, -3.0));
    let (far_l, far_r) = ears(Transform::IDENTITY, Vec3::new(0.0, 0.0, -30.0));
    assert!(far_l + far_r > 0.0, "still audible within the 50 m range");
    assert!(
        near_l + near_r > 4.0 * (far_l + far_r),
        "near {near_l}+{near_r}, far {far_l}+{far_r}"
    );
    let (out_l, out_r) = ears(Transform::IDENTITY, Vec3::new(0.0, 0.0, -80.0));
    assert_eq!(out_l + out_r, 0.0, "silent beyond max_distance");
}

#[test]
fn emitters_and_listener_follow_their_entities_every_frame() {
    let (mut app, camera, source) = emitter_scene(Transform::IDENTITY, Vec3::new(0.0, 0.0, -3.0));
    run(&mut app, 3);
    let near = both(&run(&mut app, 10));
    // The camera walks away: the listener follows.
    app.world_mut()
        .get_mut::<Transform>(camera)
        .unwrap()
        .translation = Vec3::new(0.0, 0.0, 27.0);
    run(&mut app, 3);
    let camera_away = both(&run(&mut app, 10));
    assert!(near > 4.0 * camera_away, "{near} vs {camera_away}");
    // The emitter moves to the camera's right.
    app.world_mut()
        .get_mut::<Transform>(source)
        .unwrap()
        .translation = Vec3::new(4.0, 0.0, 27.0);
    run(&mut app, 3);
    let mix = run(&mut app, 10);
    assert!(rms(&mix, 1) > 2.0 * rms(&mix, 0));
    // Despawned, it stops.
    app.world_mut().despawn(source).unwrap();
    run(&mut app, 3);
    assert_eq!(both(&run(&mut app, 10)), 0.0);
}

#[test]
fn an_audio_listener_wins_over_the_camera() {
    let (mut app, _, _) = emitter_scene(Transform::IDENTITY, Vec3::new(5.0, 0.0, 0.0));
    // A listener turned half round: +X is on its left.
    app.world_mut().spawn((
        AudioListener,
        Transform {
            rotation: Quat::from_rotation_y(core::f32::consts::PI),
            ..Transform::IDENTITY
        },
    ));
    run(&mut app, 3);
    let mix = run(&mut app, 20);
    assert!(rms(&mix, 0) > 2.0 * rms(&mix, 1));
}

/// What the game's click handler got back.
#[derive(Default)]
struct ClickResults(Vec<Result<(), AudioError>>);

#[test]
fn the_first_gesture_starts_the_output() {
    let mut app = app_with(AudioStart::OnFirstGesture);
    let click = load(&mut app, "click.wav");
    // A game system that plays the click when the mouse button goes down.
    app.insert_resource(ClickResults::default()).add_system(
        Stage::Update,
        move |mouse: Res<Mouse>,
              sounds: Res<Assets<Sound>>,
              mut audio: ResMut<Audio>,
              mut results: ResMut<ClickResults>| {
            if mouse.just_pressed(MouseButton::Left) {
                let played = audio.play(&sounds, click, PlaySound::once(Bus::Effects));
                results.0.push(played.map(|_| ()));
            }
        },
    );
    assert_eq!(
        *app.world().resource::<Audio>().state(),
        AudioState::WaitingForGesture
    );
    assert_eq!(
        play(&app, click, PlaySound::once(Bus::Effects)),
        Err(AudioError::NotStarted)
    );
    let queued = play(&app, click, PlaySound::looped(Bus::Music)).unwrap();
    assert!(
        run(&mut app, 5).is_empty(),
        "nothing is mixed before the gesture"
    );
    app.push_event(InputEvent::MouseButton {
        button: MouseButton::Left,
        state: ButtonState::Pressed,
    });
    let mix = run(&mut app, 10);
    assert_eq!(
        *app.world().resource::<Audio>().state(),
        AudioState::Running
    );
    assert_eq!(
        app.world().resource::<ClickResults>().0,
        vec![Ok(())],
        "the click that starts the output plays"
    );
    assert!(both(&mix) > 0.1, "the queued loop starts with the output");
    assert!(app.world().resource_mut::<Audio>().is_playing(queued));
}

#[test]
fn a_key_tapped_within_one_frame_is_a_gesture() {
    let mut app = app_with(AudioStart::OnFirstGesture);
    run(&mut app, 2);
    assert!(!app.world().resource::<Audio>().is_running());
    app.push_event(InputEvent::key_pressed(KeyCode::Space));
    app.push_event(InputEvent::key_released(KeyCode::Space));
    run(&mut app, 1);
    assert!(app.world().resource::<Audio>().is_running());
}

#[test]
fn without_a_device_the_app_runs_silent_with_a_typed_error() {
    // CI machines have no sound card: the device does not open there. Wherever it does, the
    // app runs with sound; either way nothing panics and frames go on.
    let mut app = App::new();
    app.add_plugin(AssetPlugin {
        root: assets_root(),
    })
    .add_plugin(AudioPlugin {
        output: AudioOutput::Device,
        ..Default::default()
    });
    let click = load(&mut app, "click.wav");
    let state = app.world().resource::<Audio>().state().clone();
    let played = play(&app, click, PlaySound::once(Bus::Effects));
    match state {
        AudioState::Running => assert!(played.is_ok()),
        AudioState::Unavailable(error) => {
            assert!(
                matches!(error, AudioError::DeviceUnavailable { .. }),
                "{error:?}"
            );
            assert_eq!(played, Err(error));
        }
        AudioState::WaitingForGesture => panic!("natively the device opens at once"),
    }
    run(&mut app, 5);
}

#[test]
fn a_malformed_file_fails_to_load_with_a_sound_error() {
    let dir = std::env::temp_dir().join(format!("layerw-audio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut broken = std::fs::read(format!("{}/tone.ogg", assets_root())).unwrap();
    broken.truncate(200); // headers cut short
    std::fs::write(dir.join("cut.ogg"), &broken).unwrap();
    std::fs::write(dir.join("text.wav"), b"this is no sound").unwrap();

    let mut app = App::new();
    app.add_plugin(AssetPlugin {
        root: dir.to_string_lossy().into_owned(),
    })
    .add_plugin(AudioPlugin {
        output: AudioOutput::Offline { sample_rate: RATE },
        ..Default::default()
    });
    let cut = AssetServer::load_in::<Sound>(app.world(), "cut.ogg");
    let text = AssetServer::load_in::<Sound>(app.world(), "text.wav");
    while !app.world().resource::<AssetServer>().progress().is_done() {
        app.update(FRAME);
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let sounds = app.world().resource::<Assets<Sound>>();
    let error_of = |handle| match sounds.load_state(handle) {
        LoadState::Failed(AssetError::Decode {
            error: DecodeError::Sound(error),
            ..
        }) => error,
        other => panic!("{other:?}"),
    };
    assert!(
        matches!(
            error_of(cut),
            SoundError::Malformed(_) | SoundError::UnknownFormat
        ),
        "{:?}",
        error_of(cut)
    );
    assert_eq!(error_of(text), SoundError::UnknownFormat);
    assert_eq!(
        app.world()
            .resource_mut::<Audio>()
            .play(&sounds, text, PlaySound::once(Bus::Effects)),
        Err(AudioError::SoundNotLoaded)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn every_prefix_of_a_sound_file_decodes_or_errs_without_panicking() {
    for name in ["tone.ogg", "click.wav", "music_loop.ogg"] {
        let bytes = std::fs::read(format!("{}/{name}", assets_root())).unwrap();
        let whole = Sound::decode(&bytes).unwrap();
        assert!(whole.frames() > 0);
        for len in (0..bytes.len()).step_by(97) {
            let _ = Sound::decode(&bytes[..len]);
        }
        // Flipped bytes past the headers.
        let mut flipped = bytes.clone();
        for i in (64..flipped.len()).step_by(13) {
            flipped[i] ^= 0x5a;
        }
        let _ = Sound::decode(&flipped);
    }
}
