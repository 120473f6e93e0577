//! Layer-W components: plain data.
//!
//! Components are plain `Send + Sync + 'static` structs with public fields and no behaviour
//! beyond small conversions; systems (in `layerw-systems`) give them meaning. Where the layout
//! has no padding they are `#[repr(transparent)]` or `#[repr(C)]` and implement bytemuck's
//! [`Pod`](bytemuck::Pod), so they can be copied into GPU buffers and network snapshots
//! without hand-rolled casts.
#![warn(missing_docs)]

mod anim;
mod motion;
mod render;
mod transform;

pub use anim::{Animator, ClipBlend, JointMatrices, SkinnedMeshRef};
pub use motion::{AngularVelocity, Position, Rotation, Velocity};
pub use render::{
    Camera, CullIndexed, DrawPasses, FlyCamera, LodHandle, LodMesh, MaterialIndex,
    MaterialTextures, MeshHandle, MeshRef, OrbitCamera, PointLightSource, Projection,
    SpotLightSource, Static, Sun, TextureSetHandle, Visibility,
};
pub use transform::{GlobalTransform, Parent, Transform};
