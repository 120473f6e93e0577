//! Render data on the CPU, independent of the GPU API: meshes and the compact per-instance
//! format. The wgpu side lives in [`gpu`](crate::gpu) (with the `gpu` feature).

mod instance;
mod mesh;

pub use instance::{GpuInstance, pack_rotation, unpack_rotation};
pub use mesh::{Indices, Mesh, MeshError};
