//! The GPU layer (wgpu): the device, and the forward renderer (shadow map, PBR, HDR,
//! bloom, tonemapping, MSAA or FXAA) that draws instanced batches.

mod context;
mod environment;
mod error;
mod frame_graph;
mod host;
mod passes;
mod renderer;
mod timer;

pub use context::{GpuBackend, GpuContext, GpuInfo};
pub use error::GpuError;
pub use host::{GpuRenderer, RenderStats, Screenshot};
pub use renderer::{
    AmbientOcclusion, Bloom, GpuResidency, Image, OUTPUT_FORMAT, Renderer, RendererConfig, Tonemap,
};
/// The wgpu version the renderer is built on, for code that talks to the device directly.
pub use wgpu;
