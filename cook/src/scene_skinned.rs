//! A skinned primitive's `JOINTS_0` and `WEIGHTS_0` read for an engine
//! [`SkinnedMesh`](layerw_engine::render::SkinnedMesh): joints renamed from the file's skin
//! order to the skeleton's, weights normalised to sum 1.

use gltf::Semantic;
use gltf::accessor::{DataType, Dimensions};

use crate::scene_skin::SceneSkin;
use crate::source::check_accessor;

/// Per vertex, four joints and their four weights.
pub(crate) type SkinAttributes = (Vec<[u16; 4]>, Vec<[f32; 4]>);

/// Per vertex, the four joints (the skeleton's indices) and their weights of a primitive of
/// `vertices` vertices bound to `skin`. Refused: a primitive without `JOINTS_0` or
/// `WEIGHTS_0`, with a second set (`JOINTS_1`: more than four joints per vertex), with
/// accessors of the wrong type or count, a joint past the skin's, or a vertex whose weights
/// are negative, not finite or all zero.
pub(crate) fn read_skin_attributes(
    primitive: &gltf::Primitive<'_>,
    buffers: &[Vec<u8>],
    skin: &SceneSkin,
    vertices: usize,
) -> Result<SkinAttributes, String> {
    let mut found = (false, false);
    for (semantic, accessor) in primitive.attributes() {
        if matches!(semantic, Semantic::Joints(0) | Semantic::Weights(0))
            && accessor.count() != vertices
        {
            return Err(format!(
                "{semantic:?} accessor {} has {} elements for {vertices} vertices",
                accessor.index(),
                accessor.count()
            ));
        }
        match semantic {
            Semantic::Joints(0) => {
                check_accessor(&accessor, Dimensions::Vec4, &[DataType::U8, DataType::U16])?;
                found.0 = true;
            }
            Semantic::Weights(0) => {
                check_accessor(
                    &accessor,
                    Dimensions::Vec4,
                    &[DataType::F32, DataType::U8, DataType::U16],
                )?;
                if accessor.data_type() != DataType::F32 && !accessor.normalized() {
                    return Err(format!(
                        "WEIGHTS_0 accessor {} is an integer type but not normalized",
                        accessor.index()
                    ));
                }
                found.1 = true;
            }
            Semantic::Joints(_) | Semantic::Weights(_) => {
                return Err(
                    "a second JOINTS/WEIGHTS set (more than four joints per vertex) is not \
                     supported"
                        .to_owned(),
                );
            }
            _ => {}
        }
    }
    if found != (true, true) {
        return Err("a skinned primitive without JOINTS_0 and WEIGHTS_0".to_owned());
    }
    let reader = primitive.reader(|b| buffers.get(b.index()).map(Vec::as_slice));
    let file_joints = reader
        .read_joints(0)
        .ok_or_else(|| "unreadable JOINTS_0".to_owned())?;
    let file_weights = reader
        .read_weights(0)
        .ok_or_else(|| "unreadable WEIGHTS_0".to_owned())?;
    let mut joints = Vec::with_capacity(vertices);
    for (vertex, set) in file_joints.into_u16().enumerate() {
        let mut out = [0u16; 4];
        for (o, j) in out.iter_mut().zip(set) {
            *o = *skin.file_to_joint.get(usize::from(j)).ok_or_else(|| {
                format!(
                    "vertex {vertex} names joint {j} of a skin of {} joints",
                    skin.file_to_joint.len()
                )
            })?;
        }
        joints.push(out);
    }
    let mut weights = Vec::with_capacity(vertices);
    for (vertex, set) in file_weights.into_f32().enumerate() {
        let sum: f32 = set.iter().sum();
        if !set.iter().all(|w| w.is_finite() && *w >= 0.0) || sum <= 0.0 || !sum.is_finite() {
            return Err(format!(
                "vertex {vertex}'s weights {set:?} are negative, not finite or all zero"
            ));
        }
        weights.push(set.map(|w| w / sum));
    }
    Ok((joints, weights))
}
