//! Streaming: content packs read by byte range, LOD levels and texture mips loaded on demand
//! within walloc's Scene-tier budget, world cells loaded around the camera. The design is in
//! docs/streaming.md.

mod io;
mod level;
mod manifest;
mod pack;
mod pack_check;
mod pack_error;
mod writer;

pub use io::{
    Cancelled, MemoryIo, PackFile, ReadCompletion, ReadRequest, RequestId, StreamIo, StreamIoError,
    serve_from,
};
pub use level::{
    decode_mesh_level, decode_texture_level, encode_mesh_level, encode_texture_level,
    mesh_level_raw_len,
};
pub use manifest::{
    BlobFile, MAX_CRITICAL_TEXTURE_SIZE, MAX_TEXTURE_SIZE, MeshLevel, PackCell, PackEntity,
    PackManifest, PackMaterial, PackMesh, PackTexture, StoredLevel, TextureLevel,
};
pub use pack::{
    MAX_BLOB_NAME_LEN, MAX_BLOBS, MAX_CELLS, MAX_ENTITIES, MAX_MANIFEST_LEN, MAX_MATERIALS,
    MAX_MESH_LEVEL_RAW_LEN, MAX_MESH_LEVELS, MAX_MESHES, MAX_TEXTURE_LEVEL_RAW_LEN,
    MAX_TEXTURE_LEVELS, MAX_TEXTURES, PACK_HEADER_LEN, PACK_MAGIC, PACK_VERSION, cell_of,
    manifest_len,
};
pub use pack_error::{AssetKind, PackError};
pub use writer::{DEFAULT_BLOB_LIMIT, MANIFEST_FILE, PackBytes, PackWriter};
