//! Streaming: content packs read by byte range, LOD levels and texture mips loaded on demand
//! within walloc's Scene-tier budget, world cells loaded around the camera. The design is in
//! docs/streaming.md.

#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]
mod fetch_io;
#[cfg(not(target_family = "wasm"))]
mod file_io;
// Naming files and checking HTTP answers: for the backends that read by name.
#[cfg(any(
    not(target_family = "wasm"),
    all(target_arch = "wasm32", target_os = "unknown", feature = "fetch")
))]
mod file_names;
#[cfg(any(
    not(target_family = "wasm"),
    all(target_arch = "wasm32", target_os = "unknown", feature = "fetch")
))]
mod http_answer;
#[cfg(not(target_family = "wasm"))]
mod http_io;
mod io;
mod manifest;
#[cfg(not(target_family = "wasm"))]
mod read_pool;

#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]
pub use fetch_io::{FETCH_IN_FLIGHT, FetchIo};
#[cfg(not(target_family = "wasm"))]
pub use file_io::FileIo;
#[cfg(any(
    not(target_family = "wasm"),
    all(target_arch = "wasm32", target_os = "unknown", feature = "fetch")
))]
pub use http_answer::HttpTimeouts;
#[cfg(not(target_family = "wasm"))]
pub use http_io::{DEFAULT_HTTP_CONNECTIONS, HttpIo};
pub use io::{
    Cancelled, MANIFEST_FILE_NAME, MemoryIo, PackFile, ReadCompletion, ReadRequest, RequestId,
    StreamIo, StreamIoError, serve_from,
};
pub use manifest::{
    BlobFile, MAX_CRITICAL_TEXTURE_SIZE, MAX_TEXTURE_SIZE, MeshLevel, PackCell, PackEntity,
    PackManifest, PackMaterial, PackMesh, PackTexture, StoredLevel, TextureLevel,
};
