//! [`Sound`]: decoded audio as an asset kind, and [`SoundLoader`] (OGG Vorbis and WAV files
//! through the [`AssetServer`](layerw_engine::asset::AssetServer)).

use std::io::Cursor;
use std::time::Duration;

use kira::sound::FromFileError;
use kira::sound::static_sound::StaticSoundData;
use layerw_engine::asset::{
    Asset, AssetError, AssetLoader, Assets, DecodeError, Handle, LoadState, SoundError,
};
use layerw_engine::schedule::SystemContext;

/// The largest sound file [`SoundLoader`] reads by default: 16 MiB (a quarter hour of
/// 128 kbit/s Vorbis). Sounds are decoded whole into memory, at 8 bytes a frame.
pub const DEFAULT_MAX_SOUND_BYTES: u64 = 16 << 20;

/// A decoded sound: its frames at its own sample rate (resampled to the output's as it plays).
/// Cheap to clone (the frames are shared).
#[derive(Clone)]
pub struct Sound {
    data: StaticSoundData,
}

impl core::fmt::Debug for Sound {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sound")
            .field("sample_rate", &self.sample_rate())
            .field("frames", &self.frames())
            .finish()
    }
}

impl Sound {
    /// Decodes an OGG Vorbis or WAV (PCM) file's bytes. Malformed or unsupported input is a
    /// [`SoundError`], never a panic.
    ///
    /// # Example
    /// ```
    /// use layerw_audio::Sound;
    /// use layerw_engine::asset::SoundError;
    ///
    /// assert_eq!(Sound::decode(b"not a sound").unwrap_err(), SoundError::UnknownFormat);
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Sound, SoundError> {
        if !(is_ogg(bytes) || is_wav(bytes)) {
            return Err(SoundError::UnknownFormat);
        }
        let data =
            StaticSoundData::from_cursor(Cursor::new(bytes.to_vec())).map_err(sound_error)?;
        if data.num_frames() == 0 {
            return Err(SoundError::Empty);
        }
        Ok(Sound { data })
    }

    /// Frames per second of the decoded sound.
    pub fn sample_rate(&self) -> u32 {
        self.data.sample_rate
    }

    /// How many frames (one sample per channel) it holds.
    pub fn frames(&self) -> usize {
        self.data.num_frames()
    }

    /// How long it plays once.
    pub fn duration(&self) -> Duration {
        self.data.duration()
    }

    /// kira's data, for the mixer.
    pub(crate) fn data(&self) -> &StaticSoundData {
        &self.data
    }
}

/// OGG pages start with "OggS".
fn is_ogg(bytes: &[u8]) -> bool {
    bytes.starts_with(b"OggS")
}

/// RIFF files name their form at byte 8.
fn is_wav(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE"
}

/// kira's reasons in the engine's words.
fn sound_error(error: FromFileError) -> SoundError {
    use symphonia::core::errors as symphonia;
    match error {
        FromFileError::NoDefaultTrack => SoundError::UnknownFormat,
        FromFileError::UnknownSampleRate => SoundError::UnknownSampleRate,
        FromFileError::UnsupportedChannelConfiguration => SoundError::UnsupportedChannels,
        FromFileError::SymphoniaError(symphonia::Error::Unsupported(what)) => {
            SoundError::UnsupportedCodec(what.into())
        }
        other => SoundError::Malformed(other.to_string()),
    }
}

impl Asset for Sound {
    type Store = Assets<Sound>;
    type Source = Sound;
    const KIND: &'static str = "sound";

    fn reserve(store: &mut Assets<Sound>) -> Handle<Sound> {
        store.reserve()
    }

    fn fail(store: &mut Assets<Sound>, handle: Handle<Sound>, error: AssetError) {
        store.fail(handle, error);
    }

    fn state(store: &Assets<Sound>, handle: Handle<Sound>) -> LoadState {
        store.load_state(handle)
    }

    fn store(
        ctx: &SystemContext<'_>,
        handle: Handle<Sound>,
        sound: Sound,
    ) -> Result<(), DecodeError> {
        // A stale handle (removed while loading) keeps nothing: the load system counted it.
        let _ = ctx.resource_mut::<Assets<Sound>>().insert(handle, sound);
        Ok(())
    }
}

/// Sounds from `.ogg` (Vorbis) and `.wav` (PCM) files; the [`AudioPlugin`](crate::AudioPlugin)
/// registers it on the asset server.
#[derive(Clone, Copy, Debug)]
pub struct SoundLoader {
    /// The largest file it reads ([`DEFAULT_MAX_SOUND_BYTES`] by default).
    pub max_bytes: u64,
}

impl Default for SoundLoader {
    fn default() -> Self {
        SoundLoader {
            max_bytes: DEFAULT_MAX_SOUND_BYTES,
        }
    }
}

impl AssetLoader for SoundLoader {
    type Asset = Sound;

    fn extensions(&self) -> &[&'static str] {
        &["ogg", "wav"]
    }

    fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    fn load(&self, bytes: &[u8]) -> Result<Sound, DecodeError> {
        Ok(Sound::decode(bytes)?)
    }
}
