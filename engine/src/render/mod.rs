//! Render data on the CPU, independent of the GPU API: meshes and the compact per-instance
//! format. The wgpu side lives in [`gpu`](crate::gpu) (with the `gpu` feature).

mod assets;
mod blend_order;
mod cascade;
mod instance;
mod material;
mod mesh;
mod overlay;
mod queue;
mod scene;
mod skinned_draw;
mod skinned_mesh;
mod texture;

pub use assets::{
    ASSET_TIER, LoadedTexture, MaterialHandle, Materials, MeshAssets, MeshHandle, TextureAssets,
    TextureHandle, TextureSet, TextureSetHandle,
};
pub use blend_order::BlendedStep;
pub use cascade::{MAX_SHADOW_CASCADES, ShadowCascades};
pub use instance::{
    GpuInstance, ROTATION_LANES, pack_rotation, pack_rotations, scale_bits, unpack_rotation,
};
pub use material::{AlphaMode, Surface, TextureTransform};
pub use mesh::{CheckedMesh, Indices, Mesh, MeshError};
pub use overlay::{
    GLYPH_COUNT, GLYPH_SIZE, GlyphQuad, OverlayLines, OverlayText, StatsOverlay, font_atlas,
};
pub use queue::{DrawItem, InstanceRun, PASS_ALL, PASS_MAIN, PASS_SHADOW, PackedItem, RenderQueue};
pub use scene::{
    Batch, CameraView, DirectionalLight, FrameDesc, FrameStats, MAX_MATERIALS, MAX_POINT_LIGHTS,
    MaterialParams, PointLight, SpotCone,
};
pub use skinned_draw::{
    MAX_GPU_JOINTS, MAX_SKINNED_DRAWS, SkinnedDraw, SkinnedFrame, SkinnedMaterial,
    SkinnedMeshHandle, SkinnedMeshes,
};
pub use skinned_mesh::{SkinnedMesh, SkinnedMeshError, WEIGHT_SUM_TOLERANCE};
pub use texture::{
    MAX_CRITICAL_TEXTURE_SIZE, MAX_SOURCE_TEXTURE_SIZE, MAX_TEXTURE_SIZE, TextureError,
    TextureImage,
};
