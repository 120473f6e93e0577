//! A glTF file's animations read into engine clips: translation, rotation and scale channels
//! with their STEP, LINEAR or CUBICSPLINE samplers; a channel's joint is its target node's
//! index in the file.

use glam::{Vec3, Vec4};
use gltf::accessor::{DataType, Dimensions};
use gltf::animation::util::ReadOutputs;
use gltf::json::validation::Checked;
use layerw_engine::anim::{Channel, ChannelTarget, Clip, Interpolation};

use crate::source::check_accessor;

/// Every animation of `gltf` as a clip, in file order. Morph target weight channels are
/// skipped (the engine has no morph targets); rotations must be floats (normalised integer
/// rotations are refused). `Err` names the animation, channel and what is wrong.
pub(crate) fn read_clips(gltf: &gltf::Gltf, buffers: &[Vec<u8>]) -> Result<Vec<Clip>, String> {
    let mut clips = Vec::new();
    let (nodes, accessors) = (gltf.nodes().count(), gltf.accessors().count());
    for animation in gltf.animations() {
        // gltf's animation accessors unwrap the indices they follow: check them first.
        let root = gltf.document.as_json();
        let Some(json) = root.animations.get(animation.index()) else {
            continue;
        };
        for (c, channel) in json.channels.iter().enumerate() {
            let sampler = json.samplers.get(channel.sampler.value());
            let in_range = channel.target.node.value() < nodes
                && sampler
                    .is_some_and(|s| s.input.value() < accessors && s.output.value() < accessors);
            if !in_range {
                return Err(format!(
                    "animation {} channel {c}: a node, sampler or accessor index out of range",
                    animation.index()
                ));
            }
            // ... and unwrap the target path and the interpolation (found by the gltf_scene
            // fuzzer: an unknown path panicked inside gltf 1.4.1).
            let known = matches!(channel.target.path, Checked::Valid(_))
                && sampler.is_some_and(|s| matches!(s.interpolation, Checked::Valid(_)));
            if !known {
                return Err(format!(
                    "animation {} channel {c}: an unknown target path or interpolation",
                    animation.index()
                ));
            }
        }
        let mut channels = Vec::new();
        for (c, channel) in animation.channels().enumerate() {
            let fail = |e: String| format!("animation {} channel {c}: {e}", animation.index());
            let target = match channel.target().property() {
                gltf::animation::Property::Translation => ChannelTarget::Translation,
                gltf::animation::Property::Rotation => ChannelTarget::Rotation,
                gltf::animation::Property::Scale => ChannelTarget::Scale,
                gltf::animation::Property::MorphTargetWeights => continue,
            };
            let sampler = channel.sampler();
            let interpolation = match sampler.interpolation() {
                gltf::animation::Interpolation::Step => Interpolation::Step,
                gltf::animation::Interpolation::Linear => Interpolation::Linear,
                gltf::animation::Interpolation::CubicSpline => Interpolation::CubicSpline,
            };
            // gltf's reader trusts accessor types and ranges: check them first.
            check_accessor(&sampler.input(), Dimensions::Scalar, &[DataType::F32])
                .map_err(&fail)?;
            let dims = if target == ChannelTarget::Rotation {
                Dimensions::Vec4
            } else {
                Dimensions::Vec3
            };
            check_accessor(&sampler.output(), dims, &[DataType::F32]).map_err(&fail)?;
            let reader = channel.reader(|b| buffers.get(b.index()).map(Vec::as_slice));
            let times: Vec<f32> = reader
                .read_inputs()
                .ok_or_else(|| fail("no key times".to_owned()))?
                .collect();
            let values: Vec<Vec4> = match reader
                .read_outputs()
                .ok_or_else(|| fail("no values".to_owned()))?
            {
                ReadOutputs::Translations(t) => t.map(|v| Vec3::from(v).extend(0.0)).collect(),
                ReadOutputs::Scales(s) => s.map(|v| Vec3::from(v).extend(0.0)).collect(),
                ReadOutputs::Rotations(r) => r.into_f32().map(Vec4::from_array).collect(),
                ReadOutputs::MorphTargetWeights(_) => continue,
            };
            let joint = channel.target().node().index() as u32;
            let channel = Channel::new(joint, target, interpolation, times, values)
                .map_err(|e| fail(e.to_string()))?;
            channels.push(channel);
        }
        clips.push(Clip::new(channels));
    }
    Ok(clips)
}
