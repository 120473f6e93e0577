//! Bindings files: an [`ActionMap`] saved as JSON and loaded back, with typed errors.
//!
//! ```json
//! {
//!   "format": "layerw-bindings",
//!   "version": 1,
//!   "press_threshold": 0.5,
//!   "actions": {
//!     "jump": [{ "key": "Space" }, { "gamepad_button": "South" }],
//!     "move": [{ "key_axis2d": { "up": "KeyW", "down": "KeyS", "left": "KeyA", "right": "KeyD" } },
//!              { "stick": "Left" }]
//!   }
//! }
//! ```
//!
//! Loading replaces the bindings of every action the file lists and keeps the others. A file
//! that cannot be read, does not parse, has another format or version, or names an action the
//! game does not have is refused as a whole: the map stays as it was (the defaults stay in
//! force) and the error says what and where.

use core::fmt;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::action::{Action, ActionMap, Binding, slot};

/// The `format` field of a bindings file.
pub const BINDINGS_FORMAT: &str = "layerw-bindings";
/// The bindings file version this build reads and writes.
pub const BINDINGS_VERSION: u32 = 1;

/// The largest bindings file [`ActionMap::load`] reads (real ones are a few kilobytes).
pub const MAX_BINDINGS_BYTES: u64 = 1 << 20;

/// Why a bindings file was refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum BindingsError {
    /// The file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// The text is not a valid bindings document (bad JSON, an unknown key code or field, a
    /// missing field).
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file is larger than a bindings file may be (checked before reading it).
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The most that is read.
        limit: u64,
    },
    /// The `format` field is not `layerw-bindings`.
    WrongFormat {
        /// What the file says.
        found: String,
    },
    /// The file's version is not one this build reads.
    UnsupportedVersion {
        /// What the file says.
        found: u32,
        /// What this build reads.
        supported: u32,
    },
    /// The file binds an action the game does not define.
    UnknownAction {
        /// The name in the file.
        name: String,
    },
}

impl fmt::Display for BindingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindingsError::Io { path, message } => {
                write!(f, "bindings file {}: {message}", path.display())
            }
            BindingsError::TooLarge { path, bytes, limit } => write!(
                f,
                "bindings file {} is {bytes} bytes, more than the {limit} read",
                path.display()
            ),
            BindingsError::Syntax {
                line,
                column,
                message,
            } => write!(f, "bindings file, line {line} column {column}: {message}"),
            BindingsError::WrongFormat { found } => write!(
                f,
                "not a bindings file: format is {found:?}, expected {BINDINGS_FORMAT:?}"
            ),
            BindingsError::UnsupportedVersion { found, supported } => write!(
                f,
                "bindings file version {found} is not supported (this build reads {supported})"
            ),
            BindingsError::UnknownAction { name } => {
                write!(f, "bindings file binds unknown action {name:?}")
            }
        }
    }
}

impl std::error::Error for BindingsError {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BindingsFile {
    format: String,
    version: u32,
    #[serde(default = "default_threshold")]
    press_threshold: f32,
    actions: BTreeMap<String, Vec<Binding>>,
}

fn default_threshold() -> f32 {
    0.5
}

impl<A: Action> ActionMap<A> {
    /// The map as a bindings document (pretty JSON, actions sorted by name).
    pub fn to_json(&self) -> String {
        let file = BindingsFile {
            format: BINDINGS_FORMAT.to_owned(),
            version: BINDINGS_VERSION,
            press_threshold: self.press_threshold(),
            actions: A::ALL
                .iter()
                .map(|&a| (a.name().to_owned(), self.bindings(a).to_vec()))
                .collect(),
        };
        serde_json::to_string_pretty(&file).expect("bindings always serialise")
    }

    /// Applies a bindings document: the actions it lists get its bindings, the others keep
    /// theirs. On error nothing changes.
    pub fn load_json(&mut self, text: &str) -> Result<(), BindingsError> {
        let file: BindingsFile = serde_json::from_str(text).map_err(|e| BindingsError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if file.format != BINDINGS_FORMAT {
            return Err(BindingsError::WrongFormat { found: file.format });
        }
        if file.version != BINDINGS_VERSION {
            return Err(BindingsError::UnsupportedVersion {
                found: file.version,
                supported: BINDINGS_VERSION,
            });
        }
        let mut updates = Vec::with_capacity(file.actions.len());
        for (name, bindings) in file.actions {
            let action = A::from_name(&name).ok_or(BindingsError::UnknownAction { name })?;
            updates.push((action, bindings));
        }
        // Validated as a whole: apply.
        for (action, bindings) in updates {
            self.bindings[slot(action)] = bindings;
        }
        self.set_press_threshold(file.press_threshold);
        Ok(())
    }

    /// Writes the bindings document to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), BindingsError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json()).map_err(|e| BindingsError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads and applies the bindings document at `path`; on error nothing changes. Files over
    /// [`MAX_BINDINGS_BYTES`] are refused before they are read.
    pub fn load(&mut self, path: impl AsRef<Path>) -> Result<(), BindingsError> {
        let path = path.as_ref();
        let bytes = super::read_capped(path, MAX_BINDINGS_BYTES).map_err(|e| match e {
            super::ReadError::Io(message) => BindingsError::Io {
                path: path.to_owned(),
                message,
            },
            super::ReadError::TooLarge { bytes, limit } => BindingsError::TooLarge {
                path: path.to_owned(),
                bytes,
                limit,
            },
        })?;
        let text = String::from_utf8(bytes).map_err(|e| BindingsError::Io {
            path: path.to_owned(),
            message: format!("not UTF-8: {e}"),
        })?;
        self.load_json(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::action::tests::{Play, defaults};
    use crate::platform::{KeyCode, MouseButton};

    #[test]
    fn round_trip() {
        let mut map = defaults();
        map.set(Play::Fire, vec![Binding::Mouse(MouseButton::Other(7))]);
        map.set_press_threshold(0.3);
        let text = map.to_json();
        assert!(
            text.contains("\"key_axis2d\"") && text.contains("\"KeyW\""),
            "{text}"
        );
        let mut loaded = ActionMap::<Play>::new();
        loaded.load_json(&text).unwrap();
        assert_eq!(loaded, map);
    }

    #[test]
    fn partial_file_keeps_other_defaults() {
        let mut map = defaults();
        let text = r#"{"format":"layerw-bindings","version":1,
            "actions":{"jump":[{"key":"KeyJ"}]}}"#;
        map.load_json(text).unwrap();
        assert_eq!(map.bindings(Play::Jump), [Binding::Key(KeyCode::KeyJ)]);
        assert_eq!(map.bindings(Play::Move), defaults().bindings(Play::Move));
    }

    #[test]
    fn malformed_files_are_refused_and_change_nothing() {
        type Expect = fn(&BindingsError) -> bool;
        let cases: &[(&str, Expect)] = &[
            ("{", |e| matches!(e, BindingsError::Syntax { line: 1, .. })),
            ("", |e| matches!(e, BindingsError::Syntax { .. })),
            (
                r#"{"format":"layerw-bindings","version":1,"actions":{"jump":[{"key":"KeyÆ"}]}}"#,
                |e| matches!(e, BindingsError::Syntax { .. }),
            ),
            (
                "{\"format\":\"layerw-bindings\",\n\"version\":1,\n\"actions\":{\"jump\":[{\"pedal\":1}]}}",
                |e| matches!(e, BindingsError::Syntax { line: 3, .. }),
            ),
            (
                r#"{"format":"layerw-bindings","version":1,"actions":{},"extra":0}"#,
                |e| matches!(e, BindingsError::Syntax { .. }),
            ),
            (
                r#"{"format":"keymap","version":1,"actions":{}}"#,
                |e| matches!(e, BindingsError::WrongFormat { found } if found == "keymap"),
            ),
            (
                r#"{"format":"layerw-bindings","version":9,"actions":{}}"#,
                |e| {
                    matches!(
                        e,
                        BindingsError::UnsupportedVersion {
                            found: 9,
                            supported: 1
                        }
                    )
                },
            ),
            (
                r#"{"format":"layerw-bindings","version":1,"actions":{"jump":[{"key":"KeyJ"}],"dance":[]}}"#,
                |e| matches!(e, BindingsError::UnknownAction { name } if name == "dance"),
            ),
        ];
        for (text, expected) in cases {
            let mut map = defaults();
            let err = map.load_json(text).unwrap_err();
            assert!(expected(&err), "{text:?} gave {err:?}");
            assert!(!err.to_string().is_empty());
            assert_eq!(map, defaults(), "a refused file changed the map: {text:?}");
        }
    }

    #[cfg(not(target_family = "wasm"))]
    #[test]
    fn save_and_load_a_file() {
        let dir = std::env::temp_dir().join(format!("layerw-bindings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bindings.json");
        let mut map = defaults();
        map.set(Play::Jump, vec![Binding::Key(KeyCode::Enter)]);
        map.save(&path).unwrap();
        let mut loaded = defaults();
        loaded.load(&path).unwrap();
        assert_eq!(loaded, map);
        let missing = loaded.load(dir.join("missing.json")).unwrap_err();
        assert!(matches!(missing, BindingsError::Io { .. }), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn random_bytes_never_panic() {
        use rand::{Rng, SeedableRng, rngs::SmallRng};
        let valid = defaults().to_json().into_bytes();
        let mut rng = SmallRng::seed_from_u64(7);
        for _ in 0..2000 {
            let mut bytes = valid.clone();
            for _ in 0..rng.random_range(1..8) {
                let i = rng.random_range(0..bytes.len());
                match rng.random_range(0..3) {
                    0 => bytes[i] = rng.random(),
                    1 => bytes.truncate(i),
                    _ => {
                        bytes.remove(i);
                    }
                }
                if bytes.is_empty() {
                    break;
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let mut map = defaults();
            if map.load_json(&text).is_err() {
                assert_eq!(map, defaults());
            }
        }
    }
}
