//! [`Audio`]: the resource a game plays sounds through, with its buses, its state and the
//! offline mix.

use core::fmt;
use std::sync::Mutex;

use layerw_engine::asset::{Assets, Handle};

use crate::Sound;
use crate::backend::AudioOutput;
use crate::mixer::{Mixer, Playback, Running};

/// A mixer bus: every sound plays on one, and each has a volume. `Master` carries the other
/// two (its volume scales everything).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bus {
    /// Everything: the output's volume.
    Master = 0,
    /// Music and ambience loops.
    Music = 1,
    /// Sound effects (the default for emitters).
    Effects = 2,
}

impl Bus {
    /// Every bus, master first.
    pub const ALL: [Bus; 3] = [Bus::Master, Bus::Music, Bus::Effects];
}

/// How to play a sound: its bus, its volume and whether it loops.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlaySound {
    /// The bus it plays on.
    pub bus: Bus,
    /// Linear amplitude: 1 as recorded, 0.5 half (about -6 dB), 0 silent.
    pub volume: f32,
    /// Start again from the beginning at the end, until stopped.
    pub looping: bool,
}

impl PlaySound {
    /// Once, at full volume, on `bus`.
    pub fn once(bus: Bus) -> PlaySound {
        PlaySound {
            bus,
            volume: 1.0,
            looping: false,
        }
    }

    /// Looping, at full volume, on `bus`.
    pub fn looped(bus: Bus) -> PlaySound {
        PlaySound {
            looping: true,
            ..PlaySound::once(bus)
        }
    }

    /// The same at another linear volume.
    pub fn with_volume(self, volume: f32) -> PlaySound {
        PlaySound { volume, ..self }
    }
}

/// Why audio did not do what was asked.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AudioError {
    /// No sound device opened (none present, no driver, WASI): the app runs in silence.
    DeviceUnavailable {
        /// What the platform said.
        message: String,
    },
    /// The output waits for the first user gesture (the browser's autoplay rule): one-shots are
    /// refused until then; loops are queued and start with it.
    NotStarted,
    /// The sound's handle names no loaded sound (still loading, failed, or removed).
    SoundNotLoaded,
    /// The mixer's preallocated voices or tracks are all in use.
    TooManySounds,
}

impl fmt::Display for AudioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AudioError::DeviceUnavailable { message } => {
                write!(f, "no sound device: {message}")
            }
            AudioError::NotStarted => f.write_str("audio waits for the first user gesture"),
            AudioError::SoundNotLoaded => f.write_str("the sound is not loaded"),
            AudioError::TooManySounds => f.write_str("too many sounds playing"),
        }
    }
}

impl std::error::Error for AudioError {}

/// Where the output is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AudioState {
    /// Waiting for the first key press, click or touch (the default in the browser).
    WaitingForGesture,
    /// Mixing into the device or the offline buffer.
    Running,
    /// The output did not open; sounds are refused with this error, the app runs on.
    Unavailable(AudioError),
}

/// The audio resource ([`AudioPlugin`](crate::AudioPlugin) inserts it): plays sounds on buses,
/// sets bus volumes, and in [`AudioOutput::Offline`] holds the rendered mix.
pub struct Audio {
    output: AudioOutput,
    state: AudioState,
    volumes: [f32; 3],
    mixer: Mutex<Mixer>,
    rendered: Vec<f32>,
    /// Fractions of a frame owed to the offline mix by past frames' deltas.
    owed_frames: f64,
}

impl fmt::Debug for Audio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Audio")
            .field("output", &self.output)
            .field("state", &self.state)
            .field("volumes", &self.volumes)
            .finish_non_exhaustive()
    }
}

impl Audio {
    /// Audio on `output`, not started: [`start`](Self::start) opens it (the plugin does, at once
    /// or at the first gesture).
    pub fn new(output: AudioOutput) -> Audio {
        Audio {
            output,
            state: AudioState::WaitingForGesture,
            volumes: [1.0; 3],
            mixer: Mutex::new(Mixer::default()),
            rendered: Vec::new(),
            owed_frames: 0.0,
        }
    }

    fn mixer(&mut self) -> &mut Mixer {
        // A panic while holding it cannot leave kira's handles half-written: use them anyway.
        self.mixer.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// Where the output is.
    pub fn state(&self) -> &AudioState {
        &self.state
    }

    /// The output it was made for.
    pub fn output(&self) -> AudioOutput {
        self.output
    }

    /// Opens the output (once; later calls return the state). Where the device does not open,
    /// logs a warning, stays [`Unavailable`](AudioState::Unavailable) and returns the error;
    /// the app runs on in silence.
    pub fn start(&mut self) -> Result<(), AudioError> {
        match &self.state {
            AudioState::Running => return Ok(()),
            AudioState::Unavailable(error) => return Err(error.clone()),
            AudioState::WaitingForGesture => {}
        }
        match Running::open(self.output, self.volumes) {
            Ok(running) => {
                let mixer = self.mixer();
                mixer.running = Some(running);
                mixer.start_queued();
                self.state = AudioState::Running;
                tracing::info!("audio started on {:?}", self.output);
                Ok(())
            }
            Err(error) => {
                tracing::warn!("audio unavailable, running silent: {error}");
                self.state = AudioState::Unavailable(error.clone());
                Err(error)
            }
        }
    }

    /// Plays a loaded sound. Before the output starts, loops are queued (they start with it)
    /// and one-shots are refused ([`AudioError::NotStarted`]); the returned handle names the
    /// playback until it ends or is [`stop`](Self::stop)ped.
    pub fn play(
        &mut self,
        sounds: &Assets<Sound>,
        sound: Handle<Sound>,
        settings: PlaySound,
    ) -> Result<Handle<Playback>, AudioError> {
        if let AudioState::Unavailable(error) = &self.state {
            return Err(error.clone());
        }
        let sound = sounds.get(sound).ok_or(AudioError::SoundNotLoaded)?;
        self.mixer().play(sound, settings)
    }

    /// True while a playback is queued or sounding; false once it ended, was stopped, or never
    /// started.
    pub fn is_playing(&mut self, playback: Handle<Playback>) -> bool {
        self.mixer().is_playing(playback)
    }

    /// Stops a playback (a few milliseconds' fade); false when it had already ended.
    pub fn stop(&mut self, playback: Handle<Playback>) -> bool {
        self.mixer().stop(playback)
    }

    /// A bus's linear volume (1 by default).
    pub fn volume(&self, bus: Bus) -> f32 {
        self.volumes[bus as usize]
    }

    /// Sets a bus's linear volume (0 silences it); kept across the start.
    pub fn set_volume(&mut self, bus: Bus, volume: f32) {
        self.volumes[bus as usize] = volume;
        if let Some(running) = &mut self.mixer().running {
            running.set_volume(bus, volume);
        }
    }

    /// Renders `frames` more stereo frames of the mix (interleaved left, right) onto the
    /// rendered buffer, when the output is [`Offline`](AudioOutput::Offline) and running;
    /// false otherwise (a device pulls its own mix).
    pub fn render(&mut self, frames: usize) -> bool {
        let mut block = vec![0.0; frames * 2];
        let Some(running) = &mut self.mixer().running else {
            return false;
        };
        if !running.manager.backend_mut().render(&mut block) {
            return false;
        }
        self.rendered.extend_from_slice(&block);
        true
    }

    /// Renders the offline mix for `seconds` of frame time (what the audio system does every
    /// frame), carrying fractions of a frame over.
    pub(crate) fn render_seconds(&mut self, seconds: f64) {
        let AudioOutput::Offline { sample_rate } = self.output else {
            return;
        };
        self.owed_frames += seconds * f64::from(sample_rate);
        let frames = self.owed_frames.floor();
        self.owed_frames -= frames;
        if frames >= 1.0 {
            self.render(frames as usize);
        }
    }

    /// Takes the offline mix rendered so far: interleaved stereo frames (left, right) in -1..1,
    /// at the output's sample rate. Empty on a device.
    pub fn take_rendered(&mut self) -> Vec<f32> {
        core::mem::take(&mut self.rendered)
    }

    /// The playing sounds and emitter tracks, for the systems.
    pub(crate) fn mixer_mut(&mut self) -> &mut Mixer {
        self.mixer()
    }

    /// True while running.
    pub fn is_running(&self) -> bool {
        self.state == AudioState::Running
    }
}
