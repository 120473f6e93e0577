//! Reading a whole file from outside the program with a size limit, checked before a buffer
//! is allocated: what every loader of outside files (assets, journals, bindings, the cook's
//! glTF inputs) does.

use std::io::Read;
use std::path::Path;

/// Why [`read_capped`] returned no bytes.
#[non_exhaustive]
#[derive(Debug)]
pub enum ReadError {
    /// There is no such file (what the system said).
    NotFound(std::io::Error),
    /// The file is larger than the limit (checked from its size before reading, and again
    /// while reading, since a file can grow).
    TooLarge {
        /// Its size in bytes (at least this large when it grew while read).
        bytes: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// Anything else the system reported.
    Io(std::io::Error),
}

/// The bytes of the file at `path` if it holds at most `limit` of them; never reads or
/// allocates past the limit.
///
/// # Example
/// ```
/// use layerw_engine::file::{ReadError, read_capped};
///
/// let golden = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/pbr_spheres.png");
/// let bytes = read_capped(golden, 1 << 20).unwrap();
/// assert!(bytes.starts_with(b"\x89PNG"));
/// let size = bytes.len() as u64;
/// assert!(matches!(
///     read_capped(golden, size - 1),
///     Err(ReadError::TooLarge { bytes, limit }) if bytes == size && limit == size - 1
/// ));
/// let missing = format!("{golden}.none");
/// assert!(matches!(read_capped(missing, 8), Err(ReadError::NotFound(_))));
/// ```
pub fn read_capped(path: impl AsRef<Path>, limit: u64) -> Result<Vec<u8>, ReadError> {
    let error = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound(e),
        _ => ReadError::Io(e),
    };
    let file = std::fs::File::open(path).map_err(error)?;
    let length = file.metadata().map_err(error)?.len();
    if length > limit {
        return Err(ReadError::TooLarge {
            bytes: length,
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(length as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(error)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            bytes: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// [`read_capped`] with the limit also bounded by what memory can hold now: walloc's headroom
/// for this thread's allocations, when walloc is the global allocator (whose failures abort).
/// What the engine's own loaders of outside files (assets, journals, bindings) read with.
pub fn read_capped_in_memory(path: impl AsRef<Path>, limit: u64) -> Result<Vec<u8>, ReadError> {
    let limit = crate::walloc::available_here().map_or(limit, |available| available.min(limit));
    read_capped(path, limit)
}
