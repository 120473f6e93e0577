//! Skinned meshes, skins and clips through the cook into a content pack: the real Khronos
//! CesiumMan (assets/gltf/CesiumMan) cooked, written, decoded from the manifest's bytes and
//! compared with what the glTF file says (read here with the gltf crate, independently of the
//! cook), SimpleSkin's two-joint skin, and the typed errors for skins the engine cannot draw.

use std::path::PathBuf;

use base64::Engine;
use glam::{Mat4, Vec3};
use layerw_cook::{ChainOptions, CookError, load_scene, load_scene_bytes};
use layerw_engine::anim::{ChannelTarget, Interpolation};
use layerw_engine::stream::{PackManifest, PackWriter};

fn asset(name: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/gltf")
        .join(name)
        .join(file)
}

/// The scene cooked into an in-memory pack, then decoded from the manifest's bytes.
fn cooked(path: &PathBuf) -> PackManifest {
    let scene = load_scene(path).unwrap();
    let mut writer = PackWriter::in_memory(64.0).unwrap();
    scene
        .write_pack(&ChainOptions::default(), &mut writer)
        .unwrap();
    let pack = writer.finish().unwrap();
    let decoded = PackManifest::from_bytes(&pack.manifest_bytes).unwrap();
    assert_eq!(decoded, pack.manifest);
    decoded
}

#[test]
fn cesium_man_cooks_into_a_pack_that_matches_the_gltf() {
    let path = asset("CesiumMan", "CesiumMan.glb");
    let manifest = cooked(&path);
    // A GLB: its one buffer is the binary chunk.
    let document = gltf::Gltf::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let buffers = [document.blob.clone().unwrap()];
    let skin = document.skins().next().unwrap();
    let file_joints: Vec<usize> = skin.joints().map(|j| j.index()).collect();
    let primitive = document
        .meshes()
        .next()
        .unwrap()
        .primitives()
        .next()
        .unwrap();
    let reader = primitive.reader(|b| Some(buffers[b.index()].as_slice()));
    let file_vertex_joints: Vec<[u16; 4]> = reader.read_joints(0).unwrap().into_u16().collect();
    let file_weights: Vec<[f32; 4]> = reader.read_weights(0).unwrap().into_f32().collect();
    let positions: Vec<[f32; 3]> = reader.read_positions().unwrap().collect();
    let file_binds: Vec<Mat4> = skin
        .reader(|b| Some(buffers[b.index()].as_slice()))
        .read_inverse_bind_matrices()
        .unwrap()
        .map(|m| Mat4::from_cols_array_2d(&m))
        .collect();

    let animation = &manifest.animation;
    assert_eq!(animation.skins.len(), 1);
    assert_eq!(animation.skinned_meshes.len(), 1);
    assert_eq!(animation.skinned_entities.len(), 1);
    // The skinned node is not drawn as a static entity too.
    assert!(manifest.cells.iter().all(|c| c.entities.is_empty()));
    let skeleton = &animation.skins[0];
    assert_eq!(skeleton.joint_count(), 19);
    // The cook reorders joints parent-first: map each back to its node through the scene.
    let scene = load_scene(&path).unwrap();
    let joint_nodes = &scene.skins[0].joint_nodes;
    let joint_of_node = |node: usize| joint_nodes.iter().position(|&n| n == node).unwrap();
    for (file_joint, &node) in file_joints.iter().enumerate() {
        let joint = joint_of_node(node);
        assert_eq!(skeleton.inverse_binds()[joint], file_binds[file_joint]);
        let (t, _, _) = document.nodes().nth(node).unwrap().transform().decomposed();
        assert_eq!(skeleton.rest_pose()[joint].translation, Vec3::from(t));
    }
    let skinned = &animation.skinned_meshes[0];
    assert_eq!(skinned.skin, 0);
    let mesh = &skinned.mesh;
    assert_eq!(mesh.mesh.positions.len(), 3273);
    assert_eq!(mesh.mesh.triangle_count(), 14016 / 3);
    for v in 0..positions.len() {
        assert_eq!(mesh.mesh.positions[v], Vec3::from(positions[v]));
        let sum: f32 = file_weights[v].iter().sum();
        for k in 0..4 {
            // Same joint (by node), weight normalised to sum 1.
            let node = file_joints[usize::from(file_vertex_joints[v][k])];
            assert_eq!(
                usize::from(mesh.joints[v][k]),
                joint_of_node(node),
                "vertex {v}"
            );
            assert!((mesh.weights[v][k] - file_weights[v][k] / sum).abs() < 1e-6);
        }
    }
    // The entity hangs the skeleton where the root joint's parent (the Armature node under
    // the Z-up node) is: a Z-up to Y-up turn, then a quarter turn about Z.
    let entity = &animation.skinned_entities[0];
    let armature = Mat4::from_cols_array_2d(&document.nodes().next().unwrap().transform().matrix())
        * Mat4::from_cols_array_2d(&document.nodes().nth(1).unwrap().transform().matrix());
    let placed =
        Mat4::from_scale_rotation_translation(entity.scale, entity.rotation, entity.translation);
    assert!(placed.abs_diff_eq(armature, 1e-5), "{placed} vs {armature}");
    // One clip: 57 channels (19 joints x T, R, S), all LINEAR, over 48 keys to 2 s.
    let animation_file = document.animations().next().unwrap();
    assert_eq!(animation.clips.len(), 1);
    let clip = &animation.clips[0];
    assert_eq!(clip.skin, 0);
    assert_eq!(
        clip.clip.channels().len(),
        animation_file.channels().count()
    );
    for (channel, file) in clip.clip.channels().iter().zip(animation_file.channels()) {
        assert_eq!(
            channel.joint() as usize,
            joint_of_node(file.target().node().index())
        );
        assert_eq!(channel.interpolation(), Interpolation::Linear);
        let times: Vec<f32> = file
            .reader(|b| Some(buffers[b.index()].as_slice()))
            .read_inputs()
            .unwrap()
            .collect();
        assert_eq!(channel.times(), times);
    }
    assert!(
        clip.clip
            .channels()
            .iter()
            .any(|c| c.target() == ChannelTarget::Rotation)
    );
}

#[test]
fn simple_skin_cooks_joints_and_weights_in_skeleton_order() {
    let manifest = cooked(&asset("SimpleSkin", "SimpleSkin.gltf"));
    let animation = &manifest.animation;
    let mesh = &animation.skinned_meshes[0].mesh;
    // The file's 10 vertices: the bottom two rows on joint 0, blending to joint 1 above.
    assert_eq!(mesh.joints.len(), 10);
    assert_eq!(mesh.joints[0], [0, 1, 0, 0]);
    assert_eq!(mesh.weights[0], [1.0, 0.0, 0.0, 0.0]);
    assert_eq!(mesh.weights[4], [0.5, 0.5, 0.0, 0.0]);
    assert_eq!(mesh.weights[9], [0.0, 1.0, 0.0, 0.0]);
    // The clip drives node 2, joint 1 of the skeleton.
    assert_eq!(animation.clips[0].clip.channels()[0].joint(), 1);
    // The joints hang from no node: the entity sits at the origin.
    assert_eq!(animation.skinned_entities[0].translation, Vec3::ZERO);
}

/// SimpleSkin's JSON with `edit` applied, its buffers still `data:` URIs.
fn simple_skin_with(edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let text = std::fs::read_to_string(asset("SimpleSkin", "SimpleSkin.gltf")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut json);
    serde_json::to_vec(&json).unwrap()
}

fn gltf_error(bytes: &[u8]) -> String {
    match load_scene_bytes(bytes) {
        Err(CookError::Gltf { message, .. }) => message,
        other => panic!("expected a glTF error, got {other:?}"),
    }
}

#[test]
fn skins_the_engine_cannot_draw_are_typed_errors() {
    // No WEIGHTS_0 on a skinned primitive.
    let bytes = simple_skin_with(|j| {
        j["meshes"][0]["primitives"][0]["attributes"]
            .as_object_mut()
            .unwrap()
            .remove("WEIGHTS_0");
    });
    assert!(gltf_error(&bytes).contains("without JOINTS_0 and WEIGHTS_0"));
    // A second joint set: more than four joints per vertex.
    let bytes = simple_skin_with(|j| {
        let attributes = &mut j["meshes"][0]["primitives"][0]["attributes"];
        attributes["JOINTS_1"] = attributes["JOINTS_0"].clone();
        attributes["WEIGHTS_1"] = attributes["WEIGHTS_0"].clone();
    });
    assert!(gltf_error(&bytes).contains("more than four joints"));
    // Weights as floats read as joints: the wrong accessor type.
    let bytes = simple_skin_with(|j| {
        j["meshes"][0]["primitives"][0]["attributes"]["JOINTS_0"] = 3.into();
    });
    assert!(gltf_error(&bytes).contains("expected Vec4"));
    // A vertex naming a joint the skin does not have.
    let bytes = simple_skin_with(|j| {
        j["skins"][0]["joints"] = serde_json::json!([1]);
        j["skins"][0]
            .as_object_mut()
            .unwrap()
            .remove("inverseBindMatrices");
    });
    assert!(gltf_error(&bytes).contains("names joint 1 of a skin of 1 joints"));
    // Weights that are all zero: a buffer of zeros in place of the weights.
    let zeros = base64::engine::general_purpose::STANDARD.encode([0u8; 320]);
    let bytes = simple_skin_with(|j| {
        j["buffers"][1]["uri"] = format!("data:application/octet-stream;base64,{zeros}").into();
    });
    assert!(gltf_error(&bytes).contains("all zero"));
    // Root joints hanging from two different nodes.
    let bytes = simple_skin_with(|j| {
        let nodes = j["nodes"].as_array_mut().unwrap();
        nodes.push(serde_json::json!({"children": [1]}));
        nodes.push(serde_json::json!({"children": [3]}));
        nodes.push(serde_json::json!({}));
        j["skins"][0]["joints"] = serde_json::json!([1, 5]);
        j["scenes"] = serde_json::json!([{"nodes": [0, 3, 4]}]);
    });
    assert!(
        gltf_error(&bytes).contains("different nodes"),
        "{}",
        gltf_error(&bytes)
    );
}
