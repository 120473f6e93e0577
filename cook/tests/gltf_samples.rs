//! glTF scenes through the cook: real Khronos sample files (assets/gltf, written by nobody
//! here) and small generated files, one test per feature: the node hierarchy, textured
//! materials, every material map with alpha modes, double-sided, emissive strength and texture
//! transforms, punctual lights and cameras at their world transforms, and the typed errors for
//! what the engine's formats do not carry.

use core::f32::consts::{FRAC_PI_2, FRAC_PI_4};
use std::path::PathBuf;

use base64::Engine;
use glam::{Quat, Vec2, Vec3, Vec4};
use layerw_cook::{ChainOptions, CookError, Scene, load_scene, load_scene_bytes};
use layerw_engine::anim::{ChannelTarget, Interpolation, JointPose};
use layerw_engine::render::{AlphaMode, TextureTransform};
use layerw_engine::stream::{
    PackBytes, PackError, PackLightKind, PackManifest, PackProjection, PackWriter,
};

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/gltf")
        .join(name)
        .join(format!("{name}.gltf"))
}

fn cook(scene: &Scene) -> PackBytes {
    let mut writer = PackWriter::in_memory(64.0).unwrap();
    scene
        .write_pack(&ChainOptions::default(), &mut writer)
        .unwrap();
    let pack = writer.finish().unwrap();
    // What a game reads is what was written.
    assert_eq!(
        PackManifest::from_bytes(&pack.manifest_bytes).unwrap(),
        pack.manifest
    );
    pack
}

fn near(a: Quat, b: Quat) -> bool {
    a.dot(b).abs() > 1.0 - 1e-5
}

#[test]
fn box_textured_reads_its_hierarchy_mesh_and_texture() {
    let scene = load_scene(sample("BoxTextured")).unwrap();
    assert_eq!(scene.entities.len(), 1);
    let mesh = &scene.meshes[0].mesh;
    assert_eq!((mesh.positions.len(), mesh.triangle_count()), (24, 12));
    // The root's matrix turns +Y to -Z: a -90 degree turn about X, applied to its child.
    let entity = scene.entities[0];
    assert!(
        near(entity.rotation, Quat::from_rotation_x(-FRAC_PI_2)),
        "{:?}",
        entity.rotation
    );
    assert!((entity.scale - Vec3::ONE).length() < 1e-5);
    // The Cesium logo, 211 x 211, as the base colour (sRGB) map of the only material.
    assert_eq!(scene.textures.len(), 1);
    let texture = &scene.textures[0];
    assert!(texture.srgb);
    assert_eq!((texture.image.width, texture.image.height), (211, 211));
    let material = &scene.materials[0];
    assert_eq!(material.base_color_texture, Some(0));
    assert_eq!(material.alpha_mode, AlphaMode::Opaque);
    assert!(material.transforms.base_color.is_identity());
    let pack = cook(&scene);
    assert_eq!(pack.manifest.textures.len(), 1);
    assert_eq!(pack.manifest.textures[0].levels.last().unwrap().width, 211);
}

#[test]
fn cameras_sample_gives_both_projections_at_their_nodes() {
    let scene = load_scene(sample("Cameras")).unwrap();
    assert_eq!(scene.entities.len(), 1);
    assert_eq!(scene.cameras.len(), 2);
    let at = Vec3::new(0.5, 0.5, 3.0);
    assert_eq!(
        scene.cameras[0].projection,
        PackProjection::Perspective {
            y_fov: 0.7,
            aspect_ratio: Some(1.0),
            z_near: 0.01,
            z_far: Some(100.0),
        }
    );
    assert_eq!(
        scene.cameras[1].projection,
        PackProjection::Orthographic {
            x_mag: 1.0,
            y_mag: 1.0,
            z_near: 0.01,
            z_far: 100.0,
        }
    );
    for camera in &scene.cameras {
        assert_eq!(camera.translation, at);
        assert!(near(camera.rotation, Quat::IDENTITY));
    }
    let pack = cook(&scene);
    assert_eq!(pack.manifest.cameras, scene.cameras);
}

#[test]
fn simple_skin_gives_a_skeleton_whose_joint_matrices_follow_the_clip() {
    let scene = load_scene(sample("SimpleSkin")).unwrap();
    assert_eq!(scene.skins.len(), 1);
    let skin = &scene.skins[0];
    // Joints: node 1 (the root, 1 m up) and node 2 (its child).
    assert_eq!(skin.joint_nodes, [1, 2]);
    assert_eq!(skin.skeleton.parents(), [None, Some(0)]);
    assert_eq!(
        skin.skeleton.rest_pose()[0].translation,
        Vec3::new(0.0, 1.0, 0.0)
    );
    let down = layerw_engine::glam::Mat4::from_translation(Vec3::new(0.0, -1.0, 0.0));
    assert_eq!(skin.skeleton.inverse_binds(), [down, down]);
    // The clip names node 2; on the skeleton that is joint 1.
    let clip = scene.clips[0].retarget(|node| skin.joint_of(node as usize));
    assert_eq!(clip.channels()[0].joint(), 1);
    let mut poses = skin.skeleton.rest_pose().to_vec();
    let mut matrices = Vec::new();
    // At rest every skinning matrix is the identity (bind pose = rest pose).
    skin.skeleton.joint_matrices(&poses, &mut matrices);
    for m in &matrices {
        assert!(
            m.abs_diff_eq(layerw_engine::glam::Mat4::IDENTITY, 1e-6),
            "{m}"
        );
    }
    // At 1 s the upper joint has turned 90 degrees about Z around (0, 1, 0): the top-right
    // vertex (0.5, 2, 0) goes to (-1, 1.5, 0); the lower joint does not move.
    clip.sample(1.0, false, &mut poses);
    skin.skeleton.joint_matrices(&poses, &mut matrices);
    let moved = matrices[1].transform_point3(Vec3::new(0.5, 2.0, 0.0));
    assert!(
        (moved - Vec3::new(-1.0, 1.5, 0.0)).length() < 1e-3,
        "{moved}"
    );
    assert!(matrices[0].abs_diff_eq(layerw_engine::glam::Mat4::IDENTITY, 1e-6));
}

#[test]
fn simple_skin_reads_its_mesh_and_its_clip_samples_the_known_keys() {
    // The node with the skin gives a skinned entity, not a static one.
    let scene = load_scene(sample("SimpleSkin")).unwrap();
    assert_eq!((scene.entities.len(), scene.skinned_entities.len()), (0, 1));
    let mesh = &scene.skinned_meshes[0].mesh.mesh;
    assert_eq!((mesh.positions.len(), mesh.triangle_count()), (10, 8));
    // One clip: node 2's rotation, 12 LINEAR keys every 0.5 s up to 5.5 s.
    assert_eq!(scene.clips.len(), 1);
    let clip = &scene.clips[0];
    assert_eq!(clip.duration(), 5.5);
    let channel = &clip.channels()[0];
    assert_eq!(
        (channel.joint(), channel.target(), channel.interpolation()),
        (2, ChannelTarget::Rotation, Interpolation::Linear)
    );
    assert_eq!(channel.times().len(), 12);
    // The file's keys turn about Z: 0, 45 and 90 degrees at 0, 0.5 and 1 s, -45 at 3.5 s,
    // -90 at 4 s; half-way between two keys is half-way round (slerp), and 5.5 s loops to 0.
    let about_z = |degrees: f32| Quat::from_rotation_z(degrees.to_radians());
    let mut poses = [JointPose::IDENTITY; 3];
    for (time, degrees, looping) in [
        (0.0, 0.0, false),
        (0.5, 45.0, false),
        (1.0, 90.0, false),
        (3.5, -45.0, false),
        (0.25, 22.5, false),
        (3.75, -67.5, false),
        (5.5 + 1.0, 90.0, true),
        (5.5 + 1.0, 0.0, false),
    ] {
        clip.sample(time, looping, &mut poses);
        let expected = about_z(degrees);
        assert!(
            poses[2].rotation.dot(expected).abs() > 1.0 - 1e-4,
            "{time} s (looping {looping}): {:?}",
            poses[2].rotation
        );
        // The other joints are not driven.
        assert_eq!(poses[1], JointPose::IDENTITY);
    }
}

fn data_uri(bytes: &[u8]) -> String {
    format!(
        "data:application/octet-stream;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// A 2 x 2 PNG as a data URI.
fn png_uri() -> String {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 2, 2);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&[128; 16]).unwrap();
    writer.finish().unwrap();
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&out)
    )
}

/// A glTF with one UV-mapped triangle per material (node `i` uses material `i`), `nodes`
/// placed as given, and `extra` top-level members (lights, extensions).
fn scene_gltf(materials: &str, nodes: &str, extra: &str) -> String {
    let mut bin: Vec<u8> = [0.0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    bin.extend(
        [0.0f32, 0.0, 1.0, 0.0, 0.0, 1.0]
            .iter()
            .flat_map(|f| f.to_le_bytes()),
    );
    let count = materials.matches("\"pbrMetallicRoughness\"").count().max(1);
    let meshes: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#"{{"primitives": [{{"attributes": {{"POSITION": 0, "TEXCOORD_0": 1}}, "material": {i}}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{
  "asset": {{"version": "2.0"}},
  "scenes": [{{"nodes": [0]}}],
  "nodes": {nodes},
  "meshes": [{meshes}],
  "materials": {materials},
  "textures": [{{"source": 0}}, {{"source": 1}}],
  "images": [{{"uri": "{png}"}}, {{"uri": "{png}"}}],
  "accessors": [
    {{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", "min": [0, 0, 0], "max": [1, 1, 0]}},
    {{"bufferView": 1, "componentType": 5126, "count": 3, "type": "VEC2"}}],
  "bufferViews": [{{"buffer": 0, "byteLength": 36}}, {{"buffer": 0, "byteOffset": 36, "byteLength": 24}}],
  "buffers": [{{"byteLength": 60, "uri": "{data}"}}]
  {extra}
}}"#,
        meshes = meshes.join(", "),
        png = png_uri(),
        data = data_uri(&bin),
    )
}

const ONE_NODE: &str = r#"[{"mesh": 0}]"#;

#[test]
fn every_material_option_is_read_and_cooked() {
    let materials = r#"[{
      "pbrMetallicRoughness": {
        "baseColorFactor": [1, 0.5, 0.25, 0.5],
        "metallicFactor": 0.25, "roughnessFactor": 0.75,
        "baseColorTexture": {"index": 0, "extensions": {"KHR_texture_transform":
          {"offset": [0.5, 0.25], "rotation": 0.5, "scale": [2, 3]}}},
        "metallicRoughnessTexture": {"index": 1}
      },
      "normalTexture": {"index": 1, "scale": 0.5, "extensions": {"KHR_texture_transform":
        {"scale": [4, 4]}}},
      "occlusionTexture": {"index": 1, "strength": 0.75},
      "emissiveTexture": {"index": 0},
      "emissiveFactor": [1, 1, 0],
      "extensions": {"KHR_materials_emissive_strength": {"emissiveStrength": 8}},
      "alphaMode": "MASK", "alphaCutoff": 0.3,
      "doubleSided": true
    }]"#;
    let extra =
        r#", "extensionsUsed": ["KHR_texture_transform", "KHR_materials_emissive_strength"]"#;
    let scene = load_scene_bytes(scene_gltf(materials, ONE_NODE, extra).as_bytes()).unwrap();
    let m = &scene.materials[0];
    assert_eq!(m.base_color, Vec4::new(1.0, 0.5, 0.25, 0.5));
    assert_eq!((m.metallic, m.roughness), (0.25, 0.75));
    assert_eq!(m.emissive, Vec3::new(1.0, 1.0, 0.0));
    assert_eq!(m.emissive_strength, 8.0);
    assert_eq!((m.alpha_mode, m.alpha_cutoff), (AlphaMode::Mask, 0.3));
    assert!(m.double_sided);
    assert_eq!((m.normal_scale, m.occlusion_strength), (0.5, 0.75));
    // Image 0 as colour (base colour, emissive), image 1 as data (the other three maps).
    assert_eq!(scene.textures.len(), 2);
    assert_eq!(m.base_color_texture, m.emissive_texture);
    assert_eq!(m.normal_texture, m.metallic_roughness_texture);
    assert_eq!(m.normal_texture, m.occlusion_texture);
    assert!(scene.textures[m.base_color_texture.unwrap() as usize].srgb);
    assert!(!scene.textures[m.normal_texture.unwrap() as usize].srgb);
    assert_eq!(
        m.transforms.base_color,
        TextureTransform {
            offset: Vec2::new(0.5, 0.25),
            rotation: 0.5,
            scale: Vec2::new(2.0, 3.0),
            tex_coord: 0,
        }
    );
    assert_eq!(m.transforms.normal.scale, Vec2::splat(4.0));
    assert!(m.transforms.occlusion.is_identity());
    let pack = cook(&scene);
    let cooked = &pack.manifest.materials[0];
    assert_eq!(cooked.transforms, m.transforms);
    assert_eq!(cooked.alpha_mode, AlphaMode::Mask);
    for map in [
        cooked.base_color_texture,
        cooked.normal_texture,
        cooked.metallic_roughness_texture,
        cooked.occlusion_texture,
        cooked.emissive_texture,
    ] {
        assert!(map.is_some_and(|t| (t as usize) < pack.manifest.textures.len()));
    }
}

#[test]
fn alpha_modes_and_defaults() {
    let materials = r#"[
      {"pbrMetallicRoughness": {}},
      {"pbrMetallicRoughness": {}, "alphaMode": "BLEND"},
      {"pbrMetallicRoughness": {}, "alphaMode": "MASK"}]"#;
    let nodes = r#"[{"children": [1, 2, 3]}, {"mesh": 0}, {"mesh": 1}, {"mesh": 2}]"#;
    let scene = load_scene_bytes(scene_gltf(materials, nodes, "").as_bytes()).unwrap();
    let modes: Vec<_> = scene.materials.iter().map(|m| m.alpha_mode).collect();
    assert_eq!(
        modes,
        [AlphaMode::Opaque, AlphaMode::Blend, AlphaMode::Mask]
    );
    // glTF's defaults: cutoff 0.5, one-sided, strength 1, no transform.
    let mask = &scene.materials[2];
    assert_eq!(mask.alpha_cutoff, 0.5);
    assert!(!mask.double_sided);
    assert_eq!(mask.emissive_strength, 1.0);
    assert!(mask.transforms.base_color.is_identity());
    let pack = cook(&scene);
    let cooked: Vec<_> = pack
        .manifest
        .materials
        .iter()
        .map(|m| m.alpha_mode)
        .collect();
    assert_eq!(cooked, modes);
}

#[test]
fn punctual_lights_are_placed_at_their_nodes() {
    // A parent moved and turned; three lights below it.
    let nodes = format!(
        r#"[{{"mesh": 0, "translation": [10, 0, 0], "rotation": [0, {s}, 0, {c}],
            "children": [1, 2, 3]}},
          {{"extensions": {{"KHR_lights_punctual": {{"light": 0}}}}}},
          {{"translation": [0, 5, 0], "extensions": {{"KHR_lights_punctual": {{"light": 1}}}}}},
          {{"translation": [0, 0, 2], "extensions": {{"KHR_lights_punctual": {{"light": 2}}}}}}]"#,
        s = (FRAC_PI_4).sin(),
        c = (FRAC_PI_4).cos()
    );
    let extra = r#", "extensionsUsed": ["KHR_lights_punctual"],
      "extensions": {"KHR_lights_punctual": {"lights": [
        {"type": "directional", "color": [1, 0.9, 0.8], "intensity": 3},
        {"type": "point", "intensity": 40, "range": 8},
        {"type": "spot", "intensity": 100, "spot": {"innerConeAngle": 0.2, "outerConeAngle": 0.6}}
      ]}}"#;
    let materials = r#"[{"pbrMetallicRoughness": {}}]"#;
    let scene = load_scene_bytes(scene_gltf(materials, &nodes, extra).as_bytes()).unwrap();
    assert_eq!(scene.lights.len(), 3);
    let turn = Quat::from_rotation_y(FRAC_PI_2);
    let [sun, point, spot] = [scene.lights[0], scene.lights[1], scene.lights[2]];
    assert_eq!(sun.kind, PackLightKind::Directional);
    assert_eq!((sun.color, sun.intensity), (Vec3::new(1.0, 0.9, 0.8), 3.0));
    // -Z turned a quarter about Y: the light shines down -X.
    assert!(
        (sun.direction() - Vec3::NEG_X).length() < 1e-5,
        "{}",
        sun.direction()
    );
    assert_eq!((point.kind, point.range), (PackLightKind::Point, Some(8.0)));
    assert!((point.translation - Vec3::new(10.0, 5.0, 0.0)).length() < 1e-5);
    assert_eq!(
        spot.kind,
        PackLightKind::Spot {
            inner_cone: 0.2,
            outer_cone: 0.6
        }
    );
    // (0, 0, 2) turned a quarter about Y is (2, 0, 0), then moved by the parent.
    assert!((spot.translation - Vec3::new(12.0, 0.0, 0.0)).length() < 1e-5);
    assert!(near(spot.rotation, turn));
    assert_eq!(spot.range, None);
    let pack = cook(&scene);
    assert_eq!(pack.manifest.lights, scene.lights);
}

#[test]
fn what_the_formats_cannot_carry_is_a_typed_error() {
    // A map on the second UV set.
    let uv1 = r#"[{"pbrMetallicRoughness": {}, "occlusionTexture": {"index": 1, "texCoord": 1}}]"#;
    let err = load_scene_bytes(scene_gltf(uv1, ONE_NODE, "").as_bytes()).unwrap_err();
    assert!(
        matches!(&err, CookError::Unsupported { feature, .. } if feature.contains("TEXCOORD_1")),
        "{err}"
    );
    // ...also when a texture transform moves a map there.
    let moved = r#"[{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0,
      "extensions": {"KHR_texture_transform": {"texCoord": 2}}}}}]"#;
    let err = load_scene_bytes(scene_gltf(moved, ONE_NODE, "").as_bytes()).unwrap_err();
    assert!(
        matches!(&err, CookError::Unsupported { feature, .. } if feature.contains("TEXCOORD_2")),
        "{err}"
    );
    // A malformed transform on a normal map (read from its JSON).
    let malformed = r#"[{"pbrMetallicRoughness": {}, "normalTexture": {"index": 1,
      "extensions": {"KHR_texture_transform": {"scale": [1, "x"]}}}}]"#;
    let err = load_scene_bytes(scene_gltf(malformed, ONE_NODE, "").as_bytes()).unwrap_err();
    assert!(
        matches!(&err, CookError::Gltf { message, .. } if message.contains("scale")),
        "{err}"
    );
    // A negative emissive strength.
    let negative = r#"[{"pbrMetallicRoughness": {},
      "extensions": {"KHR_materials_emissive_strength": {"emissiveStrength": -1}}}]"#;
    let err = load_scene_bytes(scene_gltf(negative, ONE_NODE, "").as_bytes()).unwrap_err();
    assert!(err.to_string().contains("emissive strength"), "{err}");
    // A required extension the cook does not read.
    let required = r#", "extensionsUsed": ["KHR_draco_mesh_compression"],
      "extensionsRequired": ["KHR_draco_mesh_compression"]"#;
    let plain = r#"[{"pbrMetallicRoughness": {}}]"#;
    let err = load_scene_bytes(scene_gltf(plain, ONE_NODE, required).as_bytes()).unwrap_err();
    assert!(matches!(err, CookError::Gltf { .. }), "{err}");
    // An animation whose key times are not scalars (the UV accessor).
    let animated = r#", "animations": [{"channels": [{"sampler": 0,
        "target": {"node": 0, "path": "translation"}}],
      "samplers": [{"input": 1, "output": 0}]}]"#;
    let err = load_scene_bytes(scene_gltf(plain, ONE_NODE, animated).as_bytes()).unwrap_err();
    assert!(
        matches!(&err, CookError::Gltf { message, .. } if message.contains("animation 0 channel 0")),
        "{err}"
    );
    // An unknown target path or interpolation is a typed error (gltf 1.4.1 unwraps both; the
    // gltf_scene fuzzer found the path).
    for (path, interpolation) in [("position", "LINEAR"), ("translation", "SMOOTH")] {
        let animated = format!(
            r#", "animations": [{{"channels": [{{"sampler": 0,
                "target": {{"node": 0, "path": "{path}"}}}}],
              "samplers": [{{"input": 0, "output": 0, "interpolation": "{interpolation}"}}]}}]"#
        );
        let err = load_scene_bytes(scene_gltf(plain, ONE_NODE, &animated).as_bytes()).unwrap_err();
        assert!(
            matches!(&err, CookError::Gltf { .. }),
            "{path} {interpolation}: {err}"
        );
    }
    // A spot whose cone is inside out reads, and the pack writer refuses it typed.
    let nodes = r#"[{"mesh": 0, "extensions": {"KHR_lights_punctual": {"light": 0}}}]"#;
    let spot = r#", "extensionsUsed": ["KHR_lights_punctual"],
      "extensions": {"KHR_lights_punctual": {"lights": [
        {"type": "spot", "spot": {"innerConeAngle": 0.6, "outerConeAngle": 0.2}}]}}"#;
    let scene = load_scene_bytes(scene_gltf(plain, nodes, spot).as_bytes()).unwrap();
    let mut writer = PackWriter::in_memory(64.0).unwrap();
    let err = scene
        .write_pack(&ChainOptions::default(), &mut writer)
        .unwrap_err();
    assert!(
        matches!(
            err,
            CookError::Pack(PackError::OutOfRange { what: "light", .. })
        ),
        "{err}"
    );
}
