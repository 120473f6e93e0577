//! Skeletal animation data: clips of keyframed joint channels (glTF's translation, rotation
//! and scale channels) sampled with glTF's three interpolations, joint poses that blend, and
//! skeletons that turn poses into skinning matrices.
//! The cook reads clips from glTF files (`layerw-cook`); sampling is plain CPU work.
//!
//! # Example
//! ```
//! use layerw_engine::anim::{Channel, ChannelTarget, Clip, Interpolation, JointPose};
//! use layerw_engine::glam::{Vec3, Vec4};
//!
//! let slide = Channel::new(
//!     0,
//!     ChannelTarget::Translation,
//!     Interpolation::Linear,
//!     vec![0.0, 2.0],
//!     vec![Vec4::ZERO, Vec4::new(4.0, 0.0, 0.0, 0.0)],
//! )
//! .unwrap();
//! let clip = Clip::new(vec![slide]);
//! let mut pose = [JointPose::IDENTITY];
//! clip.sample(0.5, false, &mut pose);
//! assert_eq!(pose[0].translation, Vec3::new(1.0, 0.0, 0.0));
//! ```

mod clip;
mod pose;
mod skeleton;

pub use clip::{Channel, ChannelTarget, Clip, ClipError, Interpolation};
pub use pose::{JointPose, blend_poses};
pub use skeleton::{Skeleton, SkeletonError};
