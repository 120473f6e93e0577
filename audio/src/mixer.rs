//! [`Mixer`]: the kira side of [`Audio`](crate::Audio): the manager, one track per bus, the
//! listener, the playing sounds and the emitters' spatial tracks. Kept whole behind one lock
//! because kira's handles may be sent between threads but not shared.

use std::collections::HashMap;

use glam::{Quat, Vec3};
use kira::listener::ListenerHandle;
use kira::sound::PlaybackState;
use kira::sound::static_sound::{StaticSoundData, StaticSoundHandle};
use kira::track::TrackHandle;
use kira::track::{SpatialTrackBuilder, SpatialTrackDistances, SpatialTrackHandle, TrackBuilder};
use kira::{AudioManager, AudioManagerSettings, Capacities, Decibels, Tween};
use layerw_engine::asset::{Assets, Handle};
use layerw_engine::ecs::Entity;

use crate::backend::{AudioOutput, EngineBackend, EngineBackendSettings};
use crate::{AudioError, Bus, PlaySound, Sound};

/// Sub-tracks (emitters) per bus and sounds per track: kira preallocates both.
const VOICES_PER_BUS: usize = 256;

/// One sound started with [`Audio::play`](crate::Audio::play): a [`Handle<Playback>`]
/// names it while it plays.
pub struct Playback {
    state: Voice,
}

enum Voice {
    /// A loop asked for before the output started: it starts with it.
    Queued(Box<StaticSoundData>, Bus),
    Playing(StaticSoundHandle),
}

/// An emitter's spatial track and the sound it was started with.
pub(crate) struct EmitterVoice {
    pub(crate) sound: Handle<Sound>,
    pub(crate) bus: Bus,
    /// The linear volume its track was last set to.
    pub(crate) volume: f32,
    pub(crate) track: SpatialTrackHandle,
    /// Seen by the emitter system this frame (the others are despawned or lost the component).
    pub(crate) seen: bool,
}

/// The running kira manager with its buses and listener.
pub(crate) struct Running {
    pub(crate) manager: AudioManager<EngineBackend>,
    music: TrackHandle,
    effects: TrackHandle,
    pub(crate) listener: ListenerHandle,
}

/// Linear amplitude (1 = unchanged) to kira's decibels; 0 and below are silence.
pub(crate) fn decibels(amplitude: f32) -> Decibels {
    if amplitude <= 0.001 {
        Decibels::SILENCE
    } else {
        Decibels(20.0 * amplitude.log10())
    }
}

impl Running {
    /// Opens the output and builds the buses at `volumes` (master, music, effects).
    pub(crate) fn open(output: AudioOutput, volumes: [f32; 3]) -> Result<Running, AudioError> {
        let settings = AudioManagerSettings::<EngineBackend> {
            backend_settings: EngineBackendSettings(output),
            capacities: Capacities {
                sub_track_capacity: 2 * VOICES_PER_BUS + 8,
                ..Capacities::default()
            },
            ..AudioManagerSettings::default()
        };
        let mut manager = AudioManager::new(settings)
            .map_err(|e| AudioError::DeviceUnavailable { message: e.0 })?;
        let bus = || {
            TrackBuilder::new()
                .sub_track_capacity(VOICES_PER_BUS)
                .sound_capacity(VOICES_PER_BUS)
        };
        let music = manager
            .add_sub_track(bus())
            .map_err(|_| AudioError::TooManySounds)?;
        let effects = manager
            .add_sub_track(bus())
            .map_err(|_| AudioError::TooManySounds)?;
        let listener = manager
            .add_listener(Vec3::ZERO, Quat::IDENTITY)
            .map_err(|_| AudioError::TooManySounds)?;
        let mut running = Running {
            manager,
            music,
            effects,
            listener,
        };
        for bus in Bus::ALL {
            running.set_volume(bus, volumes[bus as usize]);
        }
        Ok(running)
    }

    pub(crate) fn set_volume(&mut self, bus: Bus, amplitude: f32) {
        let volume = decibels(amplitude);
        match bus {
            Bus::Master => self
                .manager
                .main_track()
                .set_volume(volume, Tween::default()),
            Bus::Music => self.music.set_volume(volume, Tween::default()),
            Bus::Effects => self.effects.set_volume(volume, Tween::default()),
        }
    }

    fn play(&mut self, data: StaticSoundData, bus: Bus) -> Result<StaticSoundHandle, AudioError> {
        let played = match bus {
            Bus::Master => self.manager.play(data),
            Bus::Music => self.music.play(data),
            Bus::Effects => self.effects.play(data),
        };
        played.map_err(|_| AudioError::TooManySounds)
    }

    /// A spatial track on `bus` at `position`, heard by the listener.
    pub(crate) fn spatial_track(
        &mut self,
        bus: Bus,
        position: Vec3,
        distances: (f32, f32),
        spatialization: f32,
    ) -> Result<SpatialTrackHandle, AudioError> {
        let builder = SpatialTrackBuilder::new()
            .distances(SpatialTrackDistances {
                min_distance: distances.0,
                max_distance: distances.1.max(distances.0 + f32::EPSILON),
            })
            .spatialization_strength(spatialization);
        let listener = self.listener.id();
        let track = match bus {
            Bus::Master => self
                .manager
                .add_spatial_sub_track(listener, position, builder),
            Bus::Music => self
                .music
                .add_spatial_sub_track(listener, position, builder),
            Bus::Effects => self
                .effects
                .add_spatial_sub_track(listener, position, builder),
        };
        track.map_err(|_| AudioError::TooManySounds)
    }
}

/// Everything kira: the manager once started, the sounds started through
/// [`Audio::play`](crate::Audio::play) and the emitters' tracks.
#[derive(Default)]
pub(crate) struct Mixer {
    pub(crate) running: Option<Running>,
    pub(crate) playbacks: Assets<Playback>,
    pub(crate) emitters: HashMap<Entity, EmitterVoice>,
}

/// kira's data for `sound` as `settings` ask.
fn sound_data(sound: &Sound, settings: PlaySound) -> StaticSoundData {
    let data = sound.data().volume(decibels(settings.volume));
    if settings.looping {
        data.loop_region(..)
    } else {
        data
    }
}

impl Mixer {
    /// Starts `sound`, or queues it when it loops and the output has not started.
    pub(crate) fn play(
        &mut self,
        sound: &Sound,
        settings: PlaySound,
    ) -> Result<Handle<Playback>, AudioError> {
        let data = sound_data(sound, settings);
        let state = match &mut self.running {
            Some(running) => Voice::Playing(running.play(data, settings.bus)?),
            None if settings.looping => Voice::Queued(Box::new(data), settings.bus),
            None => return Err(AudioError::NotStarted),
        };
        Ok(self.playbacks.add(Playback { state }))
    }

    /// Starts the loops queued before the output started.
    pub(crate) fn start_queued(&mut self) {
        let Some(running) = &mut self.running else {
            return;
        };
        let queued: Vec<Handle<Playback>> = self
            .playbacks
            .iter()
            .filter(|(_, p)| matches!(p.state, Voice::Queued(..)))
            .map(|(handle, _)| handle)
            .collect();
        for handle in queued {
            let Some(playback) = self.playbacks.get_mut(handle) else {
                continue;
            };
            let Voice::Queued(data, bus) = &playback.state else {
                continue;
            };
            match running.play((**data).clone(), *bus) {
                Ok(sound) => playback.state = Voice::Playing(sound),
                Err(error) => {
                    tracing::warn!("a queued loop did not start: {error}");
                    self.playbacks.remove(handle);
                }
            }
        }
    }

    /// True while the playback is queued or sounding (not stopped, not finished).
    pub(crate) fn is_playing(&self, handle: Handle<Playback>) -> bool {
        match self.playbacks.get(handle).map(|p| &p.state) {
            Some(Voice::Queued(..)) => true,
            Some(Voice::Playing(sound)) => sound.state() != PlaybackState::Stopped,
            None => false,
        }
    }

    /// Stops a playback (with a short fade, so it does not click); false when it had ended.
    pub(crate) fn stop(&mut self, handle: Handle<Playback>) -> bool {
        match self.playbacks.remove(handle) {
            Some(Playback {
                state: Voice::Playing(mut sound),
            }) => {
                sound.stop(Tween::default());
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    /// Forgets the playbacks that finished, so their handles go stale.
    pub(crate) fn prune(&mut self) {
        let finished: Vec<Handle<Playback>> = self
            .playbacks
            .iter()
            .filter(|(_, p)| matches!(&p.state, Voice::Playing(s) if s.state() == PlaybackState::Stopped))
            .map(|(handle, _)| handle)
            .collect();
        for handle in finished {
            self.playbacks.remove(handle);
        }
    }

    /// Starts `sound` on an emitter's spatial track.
    pub(crate) fn play_on_track(
        track: &mut SpatialTrackHandle,
        sound: &Sound,
        settings: PlaySound,
    ) -> Result<(), AudioError> {
        track
            .play(sound_data(sound, settings))
            .map(|_| ())
            .map_err(|_| AudioError::TooManySounds)
    }
}
