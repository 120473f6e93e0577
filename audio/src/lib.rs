//! Layer-W audio: one-shot and looping sounds on buses with volumes, positional emitters heard
//! by a listener that follows the camera, on [kira](https://docs.rs/kira) (its cpal backend
//! natively and on the Web Audio API in the browser, or an offline renderer for tests and
//! machines without a sound device).
//!
//! * [`AudioPlugin`]: `.ogg` / `.wav` files as [`Sound`] assets, the [`Audio`] resource, the
//!   [`audio_start_system`] and [`audio_system`].
//! * [`Audio`]: [`play`](Audio::play) a sound once or looped on a [`Bus`], [`stop`](Audio::stop)
//!   it, [`set_volume`](Audio::set_volume) per bus, the [`AudioState`], the offline mix.
//! * [`AudioListener`] and [`AudioEmitter`]: components for positional sound.
//!
//! # Example
//! ```no_run
//! use layerw_audio::{Audio, AudioEmitter, AudioListener, AudioPlugin, Bus, PlaySound, Sound};
//! use layerw_components::{Camera, Transform};
//! use layerw_engine::app::App;
//! use layerw_engine::asset::{AssetServer, Assets};
//! use glam::Vec3;
//!
//! let mut app = App::new();
//! app.add_plugin(AudioPlugin::default());
//! let music = AssetServer::load_in::<Sound>(app.world(), "assets/audio/loop.ogg");
//! let hum = AssetServer::load_in::<Sound>(app.world(), "assets/audio/hum.wav");
//! app.world_mut().spawn((Camera::default(), Transform::default(), AudioListener));
//! app.world_mut().spawn((Transform::from_translation(Vec3::X * 4.0), AudioEmitter::looping(hum)));
//! app.update(1.0 / 60.0); // loads finish in the Streaming stage
//! let world = app.world();
//! let sounds = world.resource::<Assets<Sound>>();
//! let _ = world.resource_mut::<Audio>().play(&sounds, music, PlaySound::looped(Bus::Music));
//! ```
#![warn(missing_docs)]

mod audio;
mod backend;
mod mixer;
mod plugin;
mod sound;
mod spatial;

pub use audio::{Audio, AudioError, AudioState, Bus, PlaySound};
pub use backend::{AudioOutput, BackendError, EngineBackend, EngineBackendSettings};
pub use mixer::Playback;
pub use plugin::{AudioPlugin, AudioStart};
pub use sound::{DEFAULT_MAX_SOUND_BYTES, Sound, SoundLoader};
pub use spatial::{AudioEmitter, AudioListener, audio_start_system, audio_system};

/// The offline output's default rate, and the rate sounds are usually recorded at.
pub const DEFAULT_SAMPLE_RATE: u32 = 48_000;
