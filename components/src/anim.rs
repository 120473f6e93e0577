//! Skeletal animation state: what an animated entity plays and the joint matrices it is drawn
//! with (filled by layerw-systems' `animate` in the Update stage).

use std::sync::Arc;

use glam::Mat4;
use layerw_engine::anim::{Clip, Skeleton};
use layerw_engine::render::SkinnedMeshHandle;

/// A second clip mixed over an [`Animator`]'s own (a walk blending into a run).
#[derive(Clone, Debug)]
pub struct ClipBlend {
    /// The clip, sampled with the same joint indices as the animator's.
    pub clip: Arc<Clip>,
    /// Its own playback time in seconds (advanced at the animator's speed).
    pub time: f32,
    /// 0: only the animator's clip, 1: only this one.
    pub weight: f32,
}

/// What an animated entity plays: a clip on a skeleton, its time, speed and looping, and
/// optionally a second clip blended in. Clips and skeletons are shared between entities.
#[derive(Clone, Debug)]
pub struct Animator {
    /// The skeleton the clips drive (joint indices are its).
    pub skeleton: Arc<Skeleton>,
    /// The clip playing.
    pub clip: Arc<Clip>,
    /// Playback time in seconds.
    pub time: f32,
    /// Seconds of clip per second of frame time (1 normal, 0 paused, negative backwards).
    pub speed: f32,
    /// Wraps at the clip's end; else holds the last pose.
    pub looping: bool,
    /// A second clip mixed in, if any.
    pub blend: Option<ClipBlend>,
}

impl Animator {
    /// Plays `clip` on `skeleton` from the start, at normal speed, looping, with no blend.
    pub fn new(skeleton: Arc<Skeleton>, clip: Arc<Clip>) -> Animator {
        Animator {
            skeleton,
            clip,
            time: 0.0,
            speed: 1.0,
            looping: true,
            blend: None,
        }
    }
}

/// The skinning matrices of an animated entity, one per joint of its skeleton (each joint's
/// skeleton-space transform times its inverse bind matrix), what a skinned pipeline uploads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JointMatrices(pub Vec<Mat4>);

/// The skinned mesh an entity draws (from the `SkinnedMeshes` resource), posed by its
/// [`JointMatrices`]: drawn by itself (skinned entities are not batched), with its
/// `MaterialIndex` and `MaterialTextures` like any mesh, placed by its transform (the
/// skeleton's space in the world).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkinnedMeshRef(pub SkinnedMeshHandle);
