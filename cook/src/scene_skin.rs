//! A glTF file's skins read into engine skeletons: the joints reordered parent-first, each
//! joint's parent the nearest ancestor node that is a joint of the same skin, its rest pose its
//! node's transform, its inverse bind matrix from the skin's accessor (identity without one).

use glam::{Mat4, Quat, Vec3};
use gltf::accessor::{DataType, Dimensions};
use layerw_engine::anim::{JointPose, Skeleton};

use crate::source::check_accessor;

/// A skin of a scene: its skeleton and which glTF node each joint is.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneSkin {
    /// The glTF skin's index.
    pub gltf_skin: usize,
    /// Joints parent-first (not the file's order: see `joint_nodes`).
    pub skeleton: Skeleton,
    /// The glTF node of each joint of `skeleton`: how a clip read from the file (whose
    /// channels name nodes) is retargeted to the skeleton with
    /// [`Clip::retarget`](layerw_engine::anim::Clip::retarget).
    pub joint_nodes: Vec<usize>,
    /// The glTF node the root joints hang from (`None`: they are scene roots). The skeleton's
    /// space is this node's world space: a skinned entity is placed at its world transform
    /// (glTF ignores the skinned mesh node's own transform).
    pub root_parent: Option<usize>,
    /// For each joint in the file's order (what `JOINTS_0` indexes), its joint in `skeleton`.
    pub file_to_joint: Vec<u16>,
}

impl SceneSkin {
    /// The skeleton's joint for glTF node `node`, if it is one.
    pub fn joint_of(&self, node: usize) -> Option<u32> {
        self.joint_nodes
            .iter()
            .position(|&n| n == node)
            .map(|j| j as u32)
    }
}

/// Every skin of `gltf`. `Err` names the skin and what is wrong.
pub(crate) fn read_skins(gltf: &gltf::Gltf, buffers: &[Vec<u8>]) -> Result<Vec<SceneSkin>, String> {
    let nodes: Vec<gltf::Node<'_>> = gltf.nodes().collect();
    let mut parent_of = vec![None; nodes.len()];
    for node in &nodes {
        for child in node.children() {
            parent_of[child.index()] = Some(node.index());
        }
    }
    let mut skins = Vec::new();
    for skin in gltf.skins() {
        let fail = |e: String| format!("skin {}: {e}", skin.index());
        let file_joints: Vec<usize> = skin.joints().map(|j| j.index()).collect();
        let inverse_binds: Vec<Mat4> = match skin.inverse_bind_matrices() {
            Some(accessor) => {
                check_accessor(&accessor, Dimensions::Mat4, &[DataType::F32]).map_err(&fail)?;
                if accessor.count() != file_joints.len() {
                    return Err(fail(format!(
                        "{} inverse bind matrices for {} joints",
                        accessor.count(),
                        file_joints.len()
                    )));
                }
                let reader = skin.reader(|b| buffers.get(b.index()).map(Vec::as_slice));
                reader
                    .read_inverse_bind_matrices()
                    .ok_or_else(|| fail("unreadable inverse bind matrices".to_owned()))?
                    .map(|m| Mat4::from_cols_array_2d(&m))
                    .collect()
            }
            None => vec![Mat4::IDENTITY; file_joints.len()],
        };
        // Each file joint's parent joint: the nearest ancestor node in the skin (the walk is
        // bounded by the node count, so a cyclic hierarchy cannot hang it).
        let parent_joint = |joint: usize| -> Option<usize> {
            let mut node = file_joints[joint];
            for _ in 0..nodes.len() {
                node = parent_of[node]?;
                if let Some(j) = file_joints.iter().position(|&n| n == node) {
                    return Some(j);
                }
            }
            None
        };
        // Depth in the joint tree orders parents before children.
        let depth = |joint: usize| {
            let mut depth = 0;
            let mut at = joint;
            while let Some(p) = parent_joint(at) {
                depth += 1;
                at = p;
                if depth > file_joints.len() {
                    return None;
                }
            }
            Some(depth)
        };
        let mut order: Vec<(usize, usize)> = Vec::with_capacity(file_joints.len());
        for joint in 0..file_joints.len() {
            let d = depth(joint).ok_or_else(|| fail("its joints form a cycle".to_owned()))?;
            order.push((d, joint));
        }
        order.sort();
        let new_index = {
            let mut index = vec![0u32; file_joints.len()];
            for (new, &(_, old)) in order.iter().enumerate() {
                index[old] = new as u32;
            }
            index
        };
        let mut parents = Vec::with_capacity(order.len());
        let mut binds = Vec::with_capacity(order.len());
        let mut rest = Vec::with_capacity(order.len());
        let mut joint_nodes = Vec::with_capacity(order.len());
        for &(_, old) in &order {
            parents.push(parent_joint(old).map(|p| new_index[p]));
            binds.push(inverse_binds[old]);
            let (t, r, s) = nodes[file_joints[old]].transform().decomposed();
            rest.push(JointPose {
                translation: Vec3::from_array(t),
                rotation: Quat::from_array(r),
                scale: Vec3::from_array(s),
            });
            joint_nodes.push(file_joints[old]);
        }
        // Every root joint must hang from the same node: the skeleton has one space.
        let mut root_parents = order
            .iter()
            .filter(|&&(_, old)| parent_joint(old).is_none())
            .map(|&(_, old)| parent_of[file_joints[old]]);
        let root_parent = root_parents.next().flatten();
        if root_parents.any(|p| p != root_parent) {
            return Err(fail(
                "its root joints hang from different nodes (one skeleton space is needed)"
                    .to_owned(),
            ));
        }
        if file_joints.len() > usize::from(u16::MAX) + 1 {
            return Err(fail(format!(
                "{} joints, more than the 65536 a vertex can name",
                file_joints.len()
            )));
        }
        let skeleton = Skeleton::new(parents, binds, rest).map_err(|e| fail(e.to_string()))?;
        skins.push(SceneSkin {
            gltf_skin: skin.index(),
            skeleton,
            joint_nodes,
            root_parent,
            file_to_joint: new_index.iter().map(|&j| j as u16).collect(),
        });
    }
    Ok(skins)
}
