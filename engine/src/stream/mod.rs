//! Streaming: content packs read by byte range, LOD levels and texture mips loaded on demand
//! within walloc's Scene-tier budget, world cells loaded around the camera. The design is in
//! docs/streaming.md.

mod cells;
mod io;
mod link;
mod manifest;
mod scheduler;
mod streamer;

pub use io::{
    Cancelled, MemoryIo, PackFile, ReadCompletion, ReadRequest, RequestId, StreamIo, StreamIoError,
    serve_from,
};
pub use link::{LinkFault, SimulatedLink};
pub use manifest::{
    BlobFile, MAX_CRITICAL_TEXTURE_SIZE, MAX_TEXTURE_SIZE, MeshLevel, PackCell, PackEntity,
    PackManifest, PackMaterial, PackMesh, PackTexture, StoredLevel, TextureLevel,
};
pub use scheduler::{
    LevelCost, SchedulerError, SchedulerSettings, SchedulerStats, StreamAction, StreamScheduler,
    StreamedAsset, Want,
};
pub use cells::{MAX_CELLS_PER_SIDE, cells_within, distance_to_cell};
pub use streamer::{
    CellChanges, StreamError, StreamProgress, StreamSettings, Streamer, install_reclaim_hook,
};
