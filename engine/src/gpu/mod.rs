//! The GPU layer (wgpu): the device, and the forward renderer (shadow map, PBR, HDR,
//! tonemapping, MSAA) that draws instanced batches.

mod context;
mod error;
mod renderer;

pub use context::{GpuBackend, GpuContext, GpuInfo};
pub use error::GpuError;
pub use renderer::{
    Batch, CameraView, DirectionalLight, FrameDesc, FrameStats, Image, MAX_MATERIALS,
    MAX_POINT_LIGHTS, MaterialParams, MeshHandle, OUTPUT_FORMAT, PointLight, Renderer,
    RendererConfig, Tonemap,
};
