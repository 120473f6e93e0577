//! The event journal: every platform event of a run with its frame number and timestamp, plus
//! each frame's delta time, so a replay reproduces the run exactly.
//!
//! On disk (natively) or in a byte buffer (on the web) it is JSON lines: a header line
//! `{"format":"layerw-journal","version":1}`, then one line per frame:
//! `{"frame":12,"time":0.2,"delta":0.016,"events":[{"at":0.19,"event":{"Input":…}}]}`.
//! Floats round-trip exactly. Reading checks everything and reports the line of the first
//! problem; it never panics on bad bytes (fuzzed in the tests).

use core::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::event::PlatformEvent;

/// The `format` field of a journal's header line.
pub const JOURNAL_FORMAT: &str = "layerw-journal";
/// The journal version this build reads and writes.
pub const JOURNAL_VERSION: u32 = 1;

/// A platform event with the time it arrived.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimedEvent {
    /// Seconds since the run started when the platform delivered it.
    pub at: f64,
    /// The event.
    pub event: PlatformEvent,
}

/// One frame of a journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalFrame {
    /// The frame number ([`Time::frame`](crate::schedule::Time::frame)).
    pub frame: u64,
    /// Simulated seconds elapsed at the end of this frame.
    pub time: f64,
    /// The frame's delta time, in seconds.
    pub delta: f64,
    /// The events the frame applied, in order.
    pub events: Vec<TimedEvent>,
}

/// The largest journal file [`Journal::load`] reads (about 40 hours of 60 frames a second with a
/// few events each).
pub const MAX_JOURNAL_BYTES: u64 = 1 << 30;

/// A recorded run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Journal {
    frames: Vec<JournalFrame>,
}

/// Why a journal could not be read or written.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum JournalError {
    /// The file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// The file is larger than a journal may be, or than memory can hold now (checked before
    /// reading it).
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The most that could be read.
        limit: u64,
    },
    /// The first line is not a journal header.
    NotAJournal,
    /// The journal's version is not one this build reads.
    UnsupportedVersion {
        /// The journal's version.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// A line is not valid (bad UTF-8 or JSON, a malformed event).
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A frame is well-formed but impossible: frame numbers not increasing, or a delta or time
    /// that is negative or not finite.
    InvalidFrame {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Io { path, message } => {
                write!(f, "journal {}: {message}", path.display())
            }
            JournalError::NotAJournal => write!(
                f,
                "not a journal: the first line must be the {JOURNAL_FORMAT:?} header"
            ),
            JournalError::UnsupportedVersion { found, supported } => write!(
                f,
                "journal version {found} is not supported (this build reads {supported})"
            ),
            JournalError::Syntax { line, message } => write!(f, "journal line {line}: {message}"),
            JournalError::InvalidFrame { line, reason } => {
                write!(f, "journal line {line}: {reason}")
            }
            JournalError::TooLarge { path, bytes, limit } => write!(
                f,
                "journal {} is {bytes} bytes, more than the {limit} that can be read",
                path.display()
            ),
        }
    }
}

impl std::error::Error for JournalError {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
}

fn header_line() -> Vec<u8> {
    let mut line = serde_json::to_vec(&Header {
        format: JOURNAL_FORMAT.to_owned(),
        version: JOURNAL_VERSION,
    })
    .expect("the header serialises");
    line.push(b'\n');
    line
}

fn frame_line(frame: &JournalFrame) -> Vec<u8> {
    let mut line = serde_json::to_vec(frame).expect("frames serialise");
    line.push(b'\n');
    line
}

impl Journal {
    /// An empty journal.
    pub fn new() -> Journal {
        Journal::default()
    }

    /// Appends a frame.
    ///
    /// # Errors
    /// [`JournalError::InvalidFrame`] (line 0) when its number does not follow the last
    /// frame's or its times are negative or not finite; the journal is unchanged.
    pub fn push(&mut self, frame: JournalFrame) -> Result<(), JournalError> {
        if let Some(reason) = self.check(&frame) {
            return Err(JournalError::InvalidFrame { line: 0, reason });
        }
        self.frames.push(frame);
        Ok(())
    }

    fn check(&self, frame: &JournalFrame) -> Option<&'static str> {
        let valid = |t: f64| t.is_finite() && t >= 0.0;
        if self
            .frames
            .last()
            .is_some_and(|last| frame.frame <= last.frame)
        {
            Some("frame numbers must increase")
        } else if !valid(frame.delta) || !valid(frame.time) {
            Some("frame times must be finite and not negative")
        } else if frame.events.iter().any(|e| !e.at.is_finite()) {
            Some("event timestamps must be finite")
        } else {
            None
        }
    }

    /// The recorded frames, in order.
    pub fn frames(&self) -> &[JournalFrame] {
        &self.frames
    }

    /// How many frames were recorded.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// True when no frame was recorded.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// How many events were recorded, over all frames.
    pub fn event_count(&self) -> usize {
        self.frames.iter().map(|f| f.events.len()).sum()
    }

    /// The journal as bytes (the web keeps these; natively [`save`](Self::save) writes them).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = header_line();
        for frame in &self.frames {
            out.extend(frame_line(frame));
        }
        out
    }

    /// Reads a journal from bytes, checking every line.
    pub fn from_bytes(bytes: &[u8]) -> Result<Journal, JournalError> {
        let mut lines = bytes.split(|&b| b == b'\n').enumerate();
        let header: Header = lines
            .next()
            .and_then(|(_, line)| serde_json::from_slice(line).ok())
            .ok_or(JournalError::NotAJournal)?;
        if header.format != JOURNAL_FORMAT {
            return Err(JournalError::NotAJournal);
        }
        if header.version != JOURNAL_VERSION {
            return Err(JournalError::UnsupportedVersion {
                found: header.version,
                supported: JOURNAL_VERSION,
            });
        }
        let mut journal = Journal::new();
        for (index, line) in lines {
            let line_number = index + 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let frame: JournalFrame =
                serde_json::from_slice(line).map_err(|e| JournalError::Syntax {
                    line: line_number,
                    message: e.to_string(),
                })?;
            if let Some(reason) = journal.check(&frame) {
                return Err(JournalError::InvalidFrame {
                    line: line_number,
                    reason,
                });
            }
            journal.frames.push(frame);
        }
        Ok(journal)
    }

    /// Writes the journal to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), JournalError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_bytes()).map_err(|e| JournalError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads the journal at `path`.
    ///
    /// Files over [`MAX_JOURNAL_BYTES`], or over what memory can hold now, are refused with
    /// [`JournalError::TooLarge`] before they are read.
    pub fn load(path: impl AsRef<Path>) -> Result<Journal, JournalError> {
        let path = path.as_ref();
        let bytes = super::read_capped(path, MAX_JOURNAL_BYTES).map_err(|e| match e {
            super::ReadError::Io(message) => JournalError::Io {
                path: path.to_owned(),
                message,
            },
            super::ReadError::TooLarge { bytes, limit } => JournalError::TooLarge {
                path: path.to_owned(),
                bytes,
                limit,
            },
        })?;
        Journal::from_bytes(&bytes)
    }
}

/// While this resource is on the world, the Input stage appends every frame to its journal:
/// in memory ([`App::record_journal`](crate::app::App::record_journal)), or streamed line by
/// line to a writer, a file natively
/// ([`App::record_journal_to`](crate::app::App::record_journal_to)), so a crash loses at most
/// the frame in flight.
#[derive(Default)]
pub struct JournalRecorder {
    journal: Journal,
    sink: Option<Box<dyn std::io::Write + Send + Sync>>,
    error: Option<String>,
}

impl fmt::Debug for JournalRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JournalRecorder")
            .field("frames", &self.journal.len())
            .field("streaming", &self.sink.is_some())
            .field("error", &self.error)
            .finish()
    }
}

impl JournalRecorder {
    /// Records in memory.
    pub fn in_memory() -> JournalRecorder {
        JournalRecorder::default()
    }

    /// Streams every frame to `sink` as it is recorded (header first), keeping nothing in
    /// memory.
    pub fn streaming(mut sink: impl std::io::Write + Send + Sync + 'static) -> JournalRecorder {
        let error = sink.write_all(&header_line()).err().map(|e| e.to_string());
        JournalRecorder {
            journal: Journal::new(),
            sink: Some(Box::new(sink)),
            error,
        }
    }

    /// Records one frame.
    pub(crate) fn record(&mut self, frame: JournalFrame) -> Result<(), JournalError> {
        if let Some(reason) = self.journal.check(&frame) {
            return Err(JournalError::InvalidFrame { line: 0, reason });
        }
        match &mut self.sink {
            Some(sink) => {
                if self.error.is_none() {
                    let written = sink
                        .write_all(&frame_line(&frame))
                        .and_then(|()| sink.flush());
                    if let Err(e) = written {
                        self.error = Some(e.to_string());
                    }
                }
                // Only the last frame is kept, for the ordering check.
                self.journal.frames.clear();
                self.journal.frames.push(frame);
            }
            None => self.journal.frames.push(frame),
        }
        Ok(())
    }

    /// The journal recorded in memory so far (empty when streaming).
    pub fn journal(&self) -> &Journal {
        if self.sink.is_some() {
            const EMPTY: &Journal = &Journal { frames: Vec::new() };
            EMPTY
        } else {
            &self.journal
        }
    }

    /// The first write error of a streaming recorder, if any (recording stops writing then).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Takes the journal recorded in memory so far, leaving an empty one recording.
    pub fn take(&mut self) -> Journal {
        if self.sink.is_some() {
            Journal::new()
        } else {
            core::mem::take(&mut self.journal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{
        ButtonState, GamepadAxis, GamepadId, InputEvent, KeyCode, LogicalKey, MouseButton,
        TouchPhase, WindowEvent,
    };
    use glam::Vec2;
    use rand::{Rng, SeedableRng, rngs::SmallRng};

    fn random_event(rng: &mut SmallRng) -> PlatformEvent {
        let f = |rng: &mut SmallRng| rng.random::<f32>() * 2000.0 - 1000.0;
        match rng.random_range(0..9) {
            0 => InputEvent::Key {
                code: KeyCode::ALL[rng.random_range(0..KeyCode::ALL.len())],
                logical: LogicalKey::Character("é".into()),
                state: ButtonState::Pressed,
                repeat: rng.random(),
            }
            .into(),
            1 => InputEvent::Text("\"quoted\"\n".into()).into(),
            2 => InputEvent::MouseButton {
                button: MouseButton::Other(rng.random()),
                state: ButtonState::Released,
            }
            .into(),
            3 => InputEvent::CursorMoved(Vec2::new(f(rng), f(rng))).into(),
            4 => InputEvent::MouseMotion(Vec2::new(f(rng), 1e-30)).into(),
            5 => InputEvent::Touch {
                id: rng.random(),
                phase: TouchPhase::Cancelled,
                position: Vec2::new(f(rng), f(rng)),
            }
            .into(),
            6 => InputEvent::GamepadAxis {
                id: GamepadId(rng.random()),
                axis: GamepadAxis::RightStickY,
                value: rng.random(),
            }
            .into(),
            7 => WindowEvent::Resized {
                width: rng.random(),
                height: rng.random(),
            }
            .into(),
            _ => WindowEvent::ScaleFactorChanged(rng.random::<f64>() * 3.0).into(),
        }
    }

    fn random_journal(rng: &mut SmallRng, frames: u64) -> Journal {
        let mut journal = Journal::new();
        let mut time = 0.0;
        for frame in 1..=frames {
            let delta = rng.random::<f64>() / 30.0;
            time += delta;
            let events = (0..rng.random_range(0..5))
                .map(|_| TimedEvent {
                    at: time - rng.random::<f64>() * delta,
                    event: random_event(rng),
                })
                .collect();
            journal
                .push(JournalFrame {
                    frame,
                    time,
                    delta,
                    events,
                })
                .unwrap();
        }
        journal
    }

    #[test]
    fn streaming_writes_the_same_bytes() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Shared {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut rng = SmallRng::seed_from_u64(3);
        let journal = random_journal(&mut rng, 30);
        let shared = Shared::default();
        let mut recorder = JournalRecorder::streaming(shared.clone());
        for frame in journal.frames() {
            recorder.record(frame.clone()).unwrap();
        }
        assert!(recorder.record(journal.frames()[0].clone()).is_err());
        assert_eq!(*shared.0.lock().unwrap(), journal.to_bytes());
        assert!(recorder.journal().is_empty() && recorder.error().is_none());
    }

    #[test]
    fn round_trip_is_exact() {
        let mut rng = SmallRng::seed_from_u64(1);
        for _ in 0..20 {
            let journal = random_journal(&mut rng, 50);
            let back = Journal::from_bytes(&journal.to_bytes()).unwrap();
            assert_eq!(back, journal);
        }
    }

    #[test]
    fn bad_input_gives_typed_errors() {
        assert_eq!(Journal::from_bytes(b""), Err(JournalError::NotAJournal));
        assert_eq!(
            Journal::from_bytes(b"hello"),
            Err(JournalError::NotAJournal)
        );
        assert_eq!(
            Journal::from_bytes(b"{\"format\":\"layerw-journal\",\"version\":2}"),
            Err(JournalError::UnsupportedVersion {
                found: 2,
                supported: 1
            })
        );
        let header = b"{\"format\":\"layerw-journal\",\"version\":1}\n";
        let frame = |n: u64, delta: &str| {
            format!("{{\"frame\":{n},\"time\":1.0,\"delta\":{delta},\"events\":[]}}\n")
        };
        let mut bytes = header.to_vec();
        bytes.extend(frame(2, "0.1").bytes());
        bytes.extend(frame(2, "0.1").bytes());
        assert_eq!(
            Journal::from_bytes(&bytes),
            Err(JournalError::InvalidFrame {
                line: 3,
                reason: "frame numbers must increase"
            })
        );
        let mut bytes = header.to_vec();
        bytes.extend(frame(1, "-0.5").bytes());
        assert!(matches!(
            Journal::from_bytes(&bytes),
            Err(JournalError::InvalidFrame { line: 2, .. })
        ));
        let mut bytes = header.to_vec();
        bytes.extend(b"{\"frame\":1,\"time\":1.0,\"delta\":0.1,\"events\":[{\"at\":0,\"event\":{\"Input\":{\"Warp\":1}}}]}");
        let err = Journal::from_bytes(&bytes).unwrap_err();
        assert!(matches!(err, JournalError::Syntax { line: 2, .. }), "{err}");
        let mut bytes = header.to_vec();
        bytes.extend([0xff, 0xfe, b'\n']);
        assert!(matches!(
            Journal::from_bytes(&bytes),
            Err(JournalError::Syntax { line: 2, .. })
        ));
    }

    #[test]
    fn fuzzed_bytes_never_panic_and_truncation_keeps_a_prefix() {
        let mut rng = SmallRng::seed_from_u64(2);
        let journal = random_journal(&mut rng, 40);
        let valid = journal.to_bytes();
        for _ in 0..3000 {
            let mut bytes = valid.clone();
            let cut = rng.random_range(0..bytes.len());
            match rng.random_range(0..3) {
                0 => bytes.truncate(cut),
                1 => bytes[cut] = rng.random(),
                _ => {
                    bytes.remove(cut);
                }
            }
            if let Ok(read) = Journal::from_bytes(&bytes) {
                // Whatever parses is well-formed; a truncation at a line end is a prefix.
                assert!(read.frames().windows(2).all(|w| w[0].frame < w[1].frame));
                if bytes.len() < valid.len() && valid.starts_with(&bytes) {
                    assert!(journal.frames().starts_with(read.frames()));
                }
            }
        }
    }
}
