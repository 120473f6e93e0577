//! The names of a pack's files, as the backends that address them by name (files, HTTP) see
//! them: the manifest's fixed name and the blob table the streamer hands over.

use super::MANIFEST_FILE;
use super::io::{PackFile, StreamIoError};

/// The blob table's names, checked once when they are set.
#[derive(Clone, Debug, Default)]
pub(crate) struct PackFileNames {
    blobs: Vec<String>,
}

impl PackFileNames {
    /// Replaces the blob names (the manifest's blob-table order).
    pub(crate) fn set_blobs(&mut self, names: &[String]) {
        self.blobs = names.to_vec();
    }

    /// The file name of `file`. A blob index past the table, or a name that is not a plain
    /// file name (the manifest reader refuses those; this guards the folder and the URL), is
    /// [`StreamIoError::NotFound`].
    pub(crate) fn name(&self, file: PackFile) -> Result<&str, StreamIoError> {
        match file {
            PackFile::Manifest => Ok(MANIFEST_FILE),
            PackFile::Blob(i) => self
                .blobs
                .get(i as usize)
                .map(String::as_str)
                .filter(|name| is_plain_file_name(name))
                .ok_or(StreamIoError::NotFound { file }),
        }
    }
}

/// Letters, digits, `-`, `_` and `.`, not empty, not `.` or `..`: safe to join to a folder and
/// to put in a URL as it is.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_manifest_and_blobs_and_refuses_what_could_leave_the_folder() {
        let mut names = PackFileNames::default();
        assert_eq!(names.name(PackFile::Manifest), Ok("manifest.lwpk"));
        assert_eq!(
            names.name(PackFile::Blob(0)),
            Err(StreamIoError::NotFound {
                file: PackFile::Blob(0)
            })
        );
        names.set_blobs(&[
            "b-0.lwb".into(),
            "coarse-00001.bin".into(),
            "..".into(),
            "a/b".into(),
            String::new(),
        ]);
        assert_eq!(names.name(PackFile::Blob(0)), Ok("b-0.lwb"));
        assert_eq!(names.name(PackFile::Blob(1)), Ok("coarse-00001.bin"));
        for i in 2..6 {
            assert!(names.name(PackFile::Blob(i)).is_err(), "blob {i}");
        }
    }
}
