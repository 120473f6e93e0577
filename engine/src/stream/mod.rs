//! Streaming: content packs read by byte range, LOD levels and texture mips loaded on demand
//! within walloc's Scene-tier budget, world cells loaded around the camera. The design is in
//! docs/streaming.md.

#[cfg(not(target_family = "wasm"))]
mod background;
mod cells;
mod eviction;
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
mod level;
mod link;
mod manifest;
mod pack;
mod pack_anim;
mod pack_check;
mod pack_error;
mod pack_scene;
#[cfg(not(target_family = "wasm"))]
mod read_pool;
mod scene_items;
mod scheduler;
mod streamer;
mod writer;

#[cfg(not(target_family = "wasm"))]
pub use background::enter_background_priority;
pub use cells::{MAX_CELLS_PER_SIDE, cells_within, distance_to_cell};
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
    Cancelled, MemoryIo, PackFile, ReadCompletion, ReadRequest, RequestId, StreamIo, StreamIoError,
    serve_from,
};
pub use level::{
    decode_mesh_level, decode_mesh_level_checked, decode_texture_level, encode_mesh_level,
    encode_texture_level, mesh_level_raw_len,
};
pub use link::{LinkFault, SimulatedLink};
pub use manifest::{
    BlobFile, MAX_CRITICAL_TEXTURE_SIZE, MAX_TEXTURE_SIZE, MaterialTransforms, MeshLevel, PackCell,
    PackEntity, PackManifest, PackMaterial, PackMesh, PackTexture, StoredLevel, TextureLevel,
};
pub use pack::{
    MAX_BLOB_NAME_LEN, MAX_BLOBS, MAX_CAMERAS, MAX_CELLS, MAX_ENTITIES, MAX_LIGHTS,
    MAX_MANIFEST_LEN, MAX_MATERIALS, MAX_MESH_LEVEL_RAW_LEN, MAX_MESH_LEVELS, MAX_MESHES,
    MAX_TEXTURE_LEVEL_RAW_LEN, MAX_TEXTURE_LEVELS, MAX_TEXTURES, OLDEST_PACK_VERSION,
    PACK_HEADER_LEN, PACK_MAGIC, PACK_VERSION, cell_of, manifest_len,
};
pub use pack_anim::{
    MAX_CHANNEL_KEYS, MAX_CLIP_CHANNELS, MAX_CLIPS, MAX_SKIN_JOINTS, MAX_SKINNED_ENTITIES,
    MAX_SKINNED_MESHES, MAX_SKINS, PackAnimation, PackClip, PackSkinnedEntity, PackSkinnedMesh,
};
pub use pack_error::{AssetKind, PackError};
pub use scene_items::{PackCamera, PackLight, PackLightKind, PackProjection};
pub use scheduler::{
    LevelCost, SchedulerError, SchedulerSettings, SchedulerStats, StreamAction, StreamScheduler,
    StreamedAsset, Want,
};
pub use streamer::{
    CellChanges, StreamError, StreamProgress, StreamSettings, StreamStores, Streamer,
    install_reclaim_hook,
};
pub use writer::{DEFAULT_BLOB_LIMIT, MANIFEST_FILE, PackBytes, PackWriter};
