//! [`AudioOutput`]: where the mix goes (the sound device, or a buffer rendered offline), and
//! [`EngineBackend`], the kira backend that is either.

use kira::backend::{Backend, Renderer};

/// Where the mix goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudioOutput {
    /// The system's default sound device: cpal on ALSA / WASAPI / CoreAudio natively, the Web
    /// Audio API in the browser. Where no device opens (a server, CI, WASI) the app keeps
    /// running in silence and [`Audio::state`](crate::Audio::state) says why.
    Device,
    /// No device: the mix is rendered offline, `delta × sample_rate` frames every frame, and
    /// kept for [`Audio::take_rendered`](crate::Audio::take_rendered) (tests, captures).
    /// [`Audio::render`](crate::Audio::render) renders more on demand.
    Offline {
        /// Frames per second of the rendered mix.
        sample_rate: u32,
    },
}

impl Default for AudioOutput {
    /// [`Device`](AudioOutput::Device).
    fn default() -> Self {
        AudioOutput::Device
    }
}

/// What the backend was asked to open: kira's settings type for [`EngineBackend`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineBackendSettings(pub AudioOutput);

impl Default for EngineBackendSettings {
    fn default() -> Self {
        EngineBackendSettings(AudioOutput::Offline {
            sample_rate: crate::DEFAULT_SAMPLE_RATE,
        })
    }
}

/// Why the device backend did not open or start: the platform's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendError(pub String);

/// The kira backend behind [`Audio`](crate::Audio): the sound device, or a renderer driven by
/// the engine ([`AudioOutput::Offline`]).
pub enum EngineBackend {
    /// cpal's stream pulls the mix on its own thread (a Web Audio callback in the browser).
    #[cfg(not(target_os = "wasi"))]
    Device(kira::backend::cpal::CpalBackend),
    /// The engine pulls the mix; `None` until kira hands the renderer over.
    Offline(Option<Box<Renderer>>),
}

impl EngineBackend {
    /// Renders `out.len() / 2` stereo frames (interleaved left, right) when offline; false
    /// (and `out` untouched) on a device, which pulls the mix itself.
    pub fn render(&mut self, out: &mut [f32]) -> bool {
        match self {
            EngineBackend::Offline(Some(renderer)) => {
                // Commands (plays, volumes, positions) sent since the last call apply first.
                renderer.on_start_processing();
                renderer.process(out, 2);
                true
            }
            _ => false,
        }
    }
}

impl Backend for EngineBackend {
    type Settings = EngineBackendSettings;
    type Error = BackendError;

    fn setup(
        settings: EngineBackendSettings,
        internal_buffer_size: usize,
    ) -> Result<(Self, u32), BackendError> {
        match settings.0 {
            AudioOutput::Offline { sample_rate } => {
                Ok((EngineBackend::Offline(None), sample_rate.max(1)))
            }
            #[cfg(not(target_os = "wasi"))]
            AudioOutput::Device => {
                let (backend, rate) = kira::backend::cpal::CpalBackend::setup(
                    Default::default(),
                    internal_buffer_size,
                )
                .map_err(|e| BackendError(e.to_string()))?;
                Ok((EngineBackend::Device(backend), rate))
            }
            #[cfg(target_os = "wasi")]
            AudioOutput::Device => {
                let _ = internal_buffer_size;
                Err(BackendError("WASI has no sound device".into()))
            }
        }
    }

    fn start(&mut self, renderer: Renderer) -> Result<(), BackendError> {
        match self {
            EngineBackend::Offline(slot) => {
                *slot = Some(Box::new(renderer));
                Ok(())
            }
            #[cfg(not(target_os = "wasi"))]
            EngineBackend::Device(backend) => backend
                .start(renderer)
                .map_err(|e| BackendError(e.to_string())),
        }
    }
}
