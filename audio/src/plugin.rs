//! [`AudioPlugin`]: sounds as assets, the [`Audio`] resource and the audio system.

use layerw_engine::app::{App, Plugin};
use layerw_engine::asset::{AssetKindPlugin, AssetPlugin, AssetServer};
use layerw_engine::schedule::Stage;

use crate::{Audio, AudioOutput, Sound, SoundLoader, audio_start_system, audio_system};

/// When the output opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudioStart {
    /// When the plugin is added (natively: nothing stops a program from making sound).
    Immediately,
    /// At the first key press, click or touch: browsers keep an audio context silent until
    /// the user has interacted with the page, so the web build opens it then.
    OnFirstGesture,
}

impl Default for AudioStart {
    /// [`OnFirstGesture`](AudioStart::OnFirstGesture) in the browser, else
    /// [`Immediately`](AudioStart::Immediately).
    fn default() -> Self {
        if cfg!(all(target_arch = "wasm32", target_os = "unknown")) {
            AudioStart::OnFirstGesture
        } else {
            AudioStart::Immediately
        }
    }
}

/// Audio: `.ogg` and `.wav` files load as [`Sound`] assets through the [`AssetServer`]
/// ([`AssetPlugin`] is added where absent), the [`Audio`] resource plays them on buses, and
/// [`audio_start_system`] (last in Input) opens the output at the first gesture when asked to
/// wait for one, and [`audio_system`] (last in Render) moves the [`AudioListener`](crate::AudioListener)
/// and the [`AudioEmitter`](crate::AudioEmitter)s. Where no sound device opens the app runs on
/// in silence and [`Audio::state`] holds the reason.
///
/// # Example
/// ```
/// use layerw_audio::{Audio, AudioOutput, AudioPlugin, AudioState};
/// use layerw_engine::app::App;
///
/// let mut app = App::new();
/// app.add_plugin(AudioPlugin {
///     output: AudioOutput::Offline { sample_rate: 48_000 },
///     ..Default::default()
/// });
/// app.update(1.0 / 60.0);
/// let mut audio = app.world().resource_mut::<Audio>();
/// assert_eq!(*audio.state(), AudioState::Running);
/// assert_eq!(audio.take_rendered().len(), 2 * 800); // one frame of stereo silence
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct AudioPlugin {
    /// Where the mix goes: the device (default) or an offline buffer.
    pub output: AudioOutput,
    /// When the output opens.
    pub start: AudioStart,
    /// The loader registered for `.ogg` and `.wav`.
    pub loader: SoundLoader,
}

impl Plugin for AudioPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugin(AssetPlugin::default())
            .add_plugin(AssetKindPlugin::<Sound>::default());
        app.world()
            .resource_mut::<AssetServer>()
            .add_loader(self.loader);
        let mut audio = Audio::new(self.output);
        if self.start == AudioStart::Immediately {
            // A failure is logged and kept in `Audio::state`: the app runs on in silence.
            let _ = audio.start();
        }
        app.insert_resource(audio)
            .add_system(Stage::Input, audio_start_system())
            .add_system(Stage::Render, audio_system());
    }
}
