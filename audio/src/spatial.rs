//! Positional sound: the [`AudioListener`] and [`AudioEmitter`] components, and
//! [`audio_system`], which keeps the mixer in step with them (and renders the offline mix)
//! every frame; [`audio_start_system`] opens the output at the first gesture.

use glam::{Quat, Vec3};
use kira::Tween;
use layerw_components::{Camera, GlobalTransform, Transform};
use layerw_engine::asset::{Assets, Handle};
use layerw_engine::ecs::Entity;
use layerw_engine::platform::{Keyboard, Mouse, MouseButton, Touches};
use layerw_engine::schedule::{System, SystemContext, Time};

use crate::mixer::{EmitterVoice, Mixer, decibels};
use crate::{Audio, AudioState, Bus, PlaySound, Sound};

/// Hears positional sound: put it on the camera's entity (or a player's). Without one, the
/// first entity with a [`Camera`] listens. Its right (+X) is the right ear; it faces -Z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AudioListener;

/// A sound at its entity's position ([`GlobalTransform`], else [`Transform`]): louder in the
/// nearer ear and quieter with distance. It starts when its sound is loaded and the output
/// runs, follows the entity every frame, and stops when the entity is despawned or the
/// component removed. Changing `sound` or `bus` restarts it; `volume` applies as it changes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AudioEmitter {
    /// What it plays.
    pub sound: Handle<Sound>,
    /// The bus it plays on ([`Bus::Effects`] by default).
    pub bus: Bus,
    /// Linear amplitude before distance and panning.
    pub volume: f32,
    /// Plays again from the start at the end, until removed.
    pub looping: bool,
    /// Within this distance (metres) it plays at full volume.
    pub min_distance: f32,
    /// At this distance and beyond it is silent (attenuated linearly in decibels between).
    pub max_distance: f32,
    /// How strongly its side pans it, 0 (both ears alike) to 1 (silent in the far ear).
    pub spatialization: f32,
}

impl AudioEmitter {
    /// Plays `sound` once: full volume within 1 m, silent from 50 m, panned at 0.75.
    pub fn once(sound: Handle<Sound>) -> AudioEmitter {
        AudioEmitter {
            sound,
            bus: Bus::Effects,
            volume: 1.0,
            looping: false,
            min_distance: 1.0,
            max_distance: 50.0,
            spatialization: 0.75,
        }
    }

    /// Loops `sound` until removed, as [`once`](Self::once) otherwise.
    pub fn looping(sound: Handle<Sound>) -> AudioEmitter {
        AudioEmitter {
            looping: true,
            ..AudioEmitter::once(sound)
        }
    }
}

/// The entity's world position and orientation.
fn pose(global: Option<&GlobalTransform>, local: Option<&Transform>) -> (Vec3, Quat) {
    let transform = global.map(|g| g.0).or(local.copied()).unwrap_or_default();
    (transform.translation, transform.rotation)
}

/// The first [`AudioListener`]'s pose, else the first [`Camera`]'s.
fn listener_pose(ctx: &SystemContext<'_>) -> Option<(Vec3, Quat)> {
    let marked = ctx
        .query::<(&AudioListener, Option<&GlobalTransform>, Option<&Transform>)>()
        .iter()
        .next()
        .map(|(_, global, local)| pose(global, local));
    marked.or_else(|| {
        ctx.query::<(&Camera, Option<&GlobalTransform>, Option<&Transform>)>()
            .iter()
            .next()
            .map(|(_, global, local)| pose(global, local))
    })
}

/// A key, button or finger went down or up this frame (the browser's user activation).
fn user_gesture(ctx: &SystemContext<'_>) -> bool {
    let key = ctx.try_resource::<Keyboard>().is_ok_and(|keys| {
        keys.pressed_keys().next().is_some() || keys.just_released_keys().next().is_some()
    });
    let button = ctx.try_resource::<Mouse>().is_ok_and(|mouse| {
        [MouseButton::Left, MouseButton::Right, MouseButton::Middle]
            .into_iter()
            .any(|b| mouse.pressed(b) || mouse.just_pressed(b) || mouse.just_released(b))
    });
    let touch = ctx
        .try_resource::<Touches>()
        .is_ok_and(|touches| !touches.active().is_empty() || !touches.just_ended().is_empty());
    key || button || touch
}

/// Starts, moves and stops the emitters' voices.
fn sync_emitters(ctx: &SystemContext<'_>, mixer: &mut Mixer, sounds: Option<&Assets<Sound>>) {
    let Mixer {
        running, emitters, ..
    } = mixer;
    let Some(running) = running else {
        return;
    };
    for voice in emitters.values_mut() {
        voice.seen = false;
    }
    for (entity, emitter, global, local) in ctx
        .query::<(
            Entity,
            &AudioEmitter,
            Option<&GlobalTransform>,
            Option<&Transform>,
        )>()
        .iter()
    {
        let (position, _) = pose(global, local);
        if let Some(voice) = emitters.get_mut(&entity)
            && voice.sound == emitter.sound
            && voice.bus == emitter.bus
        {
            voice.track.set_position(position, Tween::default());
            if voice.volume != emitter.volume {
                voice
                    .track
                    .set_volume(decibels(emitter.volume), Tween::default());
                voice.volume = emitter.volume;
            }
            voice.seen = true;
            continue;
        }
        // New, or its sound or bus changed: (re)start it once the sound is loaded.
        emitters.remove(&entity);
        let Some(sound) = sounds.and_then(|s| s.get(emitter.sound)) else {
            continue;
        };
        let distances = (emitter.min_distance, emitter.max_distance);
        let started = running
            .spatial_track(emitter.bus, position, distances, emitter.spatialization)
            .and_then(|mut track| {
                track.set_volume(decibels(emitter.volume), Tween::default());
                let settings = PlaySound {
                    looping: emitter.looping,
                    ..PlaySound::once(emitter.bus)
                };
                Mixer::play_on_track(&mut track, sound, settings)?;
                Ok(track)
            });
        match started {
            Ok(track) => {
                emitters.insert(
                    entity,
                    EmitterVoice {
                        sound: emitter.sound,
                        bus: emitter.bus,
                        volume: emitter.volume,
                        track,
                        seen: true,
                    },
                );
            }
            Err(error) => tracing::warn!("emitter {entity:?} did not start: {error}"),
        }
    }
    // Dropping a spatial track stops its sounds.
    emitters.retain(|_, voice| voice.seen);
}

/// Starts the output at the first key press, click or touch when it waits for one
/// ([`AudioStart::OnFirstGesture`](crate::AudioStart::OnFirstGesture)). The plugin adds it
/// last in the Input stage, after the input resources are updated and before the game's
/// systems, so the sound a gesture asks for plays.
pub fn audio_start_system() -> System {
    System::new("layerw::audio_start", |ctx| {
        let Ok(mut audio) = ctx.try_resource_mut::<Audio>() else {
            return;
        };
        if *audio.state() == AudioState::WaitingForGesture && user_gesture(ctx) {
            // A failure is logged and kept in the state: the app runs on in silence.
            let _ = audio.start();
        }
    })
    .last()
    .writes_resource::<Audio>()
    .reads_resource::<Keyboard>()
    .reads_resource::<Mouse>()
    .reads_resource::<Touches>()
}

/// The audio system ([`AudioPlugin`](crate::AudioPlugin) adds it last in the Render stage,
/// after transforms are final): moves the listener to its entity, starts, moves and stops the emitters, forgets finished
/// playbacks and, offline, renders the frame's share of the mix.
pub fn audio_system() -> System {
    System::new("layerw::audio", |ctx| {
        let Ok(mut audio) = ctx.try_resource_mut::<Audio>() else {
            return;
        };
        if !audio.is_running() {
            return;
        }
        let pose = listener_pose(ctx);
        let sounds = ctx.try_resource::<Assets<Sound>>().ok();
        let mixer = audio.mixer_mut();
        if let (Some(running), Some((position, orientation))) = (&mut mixer.running, pose) {
            running.listener.set_position(position, Tween::default());
            running
                .listener
                .set_orientation(orientation, Tween::default());
        }
        sync_emitters(ctx, mixer, sounds.as_deref());
        mixer.prune();
        let delta = ctx
            .try_resource::<Time>()
            .map_or(0.0, |t| t.delta_seconds());
        audio.render_seconds(delta);
    })
    .last()
    .writes_resource::<Audio>()
    .reads_resource::<Assets<Sound>>()
    .reads_resource::<Time>()
    .reads::<AudioListener>()
    .reads::<AudioEmitter>()
    .reads::<Camera>()
    .reads::<GlobalTransform>()
    .reads::<Transform>()
}
