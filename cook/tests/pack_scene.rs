//! Content packs from glTF scenes: a GLB with a node hierarchy, shared meshes, two primitives
//! in one mesh, textures in the binary chunk and in a data URI, cooked, read back and decoded.

use std::path::PathBuf;

use glam::{Mat4, Quat, Vec3, Vec4};
use layerw_cook::{ChainOptions, CookError, Scene, load_scene, load_scene_bytes};
use layerw_engine::render::{Mesh, TextureImage};
use layerw_engine::stream::{
    PackBytes, PackEntity, PackManifest, PackWriter, decode_mesh_level, decode_texture_level,
};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("layerw-pack-scene-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A PNG of `size` x `size` RGBA pixels, a gradient keyed by `seed`.
fn png(size: u32, seed: u8) -> (Vec<u8>, Vec<u8>) {
    let pixels: Vec<u8> = (0..size * size)
        .flat_map(|i| {
            let (x, y) = ((i % size) as u8, (i / size) as u8);
            [x.wrapping_mul(8), y.wrapping_mul(8), seed, 255]
        })
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size, size);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    (out, pixels)
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let v = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            s.push(if i <= c.len() {
                A[(v >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    s
}

/// A glTF buffer being filled: views and accessors as JSON text.
#[derive(Default)]
struct Buffer {
    bin: Vec<u8>,
    views: Vec<String>,
    accessors: Vec<String>,
}

impl Buffer {
    fn view(&mut self, bytes: &[u8]) -> usize {
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        self.views.push(format!(
            r#"{{"buffer": 0, "byteOffset": {}, "byteLength": {}}}"#,
            self.bin.len(),
            bytes.len()
        ));
        self.bin.extend_from_slice(bytes);
        self.views.len() - 1
    }

    fn accessor(&mut self, bytes: &[u8], component: u32, count: usize, kind: &str) -> usize {
        let view = self.view(bytes);
        self.accessors.push(format!(
            r#"{{"bufferView": {view}, "componentType": {component}, "count": {count}, "type": "{kind}"}}"#
        ));
        self.accessors.len() - 1
    }

    /// A primitive's JSON for `mesh` (positions, normals, UVs, u16 indices).
    fn primitive(&mut self, mesh: &Mesh, material: Option<usize>) -> String {
        let n = mesh.positions.len();
        let floats = |v: Vec<f32>| -> Vec<u8> { v.iter().flat_map(|f| f.to_le_bytes()).collect() };
        let min = mesh.positions.iter().fold(Vec3::MAX, |a, p| a.min(*p));
        let max = mesh.positions.iter().fold(Vec3::MIN, |a, p| a.max(*p));
        let position = self.accessor(
            &floats(mesh.positions.iter().flat_map(|p| p.to_array()).collect()),
            5126,
            n,
            "VEC3",
        );
        // POSITION needs bounds.
        let last = self.accessors.last_mut().unwrap();
        last.pop();
        last.push_str(&format!(
            r#", "min": [{}, {}, {}], "max": [{}, {}, {}]}}"#,
            min.x, min.y, min.z, max.x, max.y, max.z
        ));
        let normal = self.accessor(
            &floats(mesh.normals.iter().flat_map(|p| p.to_array()).collect()),
            5126,
            n,
            "VEC3",
        );
        let uv = self.accessor(
            &floats(mesh.uvs.iter().flat_map(|p| p.to_array()).collect()),
            5126,
            n,
            "VEC2",
        );
        let indices: Vec<u8> = mesh
            .indices
            .iter()
            .flat_map(|i| (i as u16).to_le_bytes())
            .collect();
        let index = self.accessor(&indices, 5123, mesh.indices.len(), "SCALAR");
        let material = material
            .map(|m| format!(r#", "material": {m}"#))
            .unwrap_or_default();
        format!(
            r#"{{"attributes": {{"POSITION": {position}, "NORMAL": {normal}, "TEXCOORD_0": {uv}}}, "indices": {index}{material}}}"#
        )
    }
}

fn glb(json: &str, bin: &[u8]) -> Vec<u8> {
    let mut json = json.as_bytes().to_vec();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let mut bin = bin.to_vec();
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let total = 12 + 8 + json.len() + 8 + bin.len();
    let mut out = Vec::new();
    out.extend(b"glTF");
    out.extend(2u32.to_le_bytes());
    out.extend((total as u32).to_le_bytes());
    out.extend((json.len() as u32).to_le_bytes());
    out.extend(b"JSON");
    out.extend(&json);
    out.extend((bin.len() as u32).to_le_bytes());
    out.extend(b"BIN\0");
    out.extend(&bin);
    out
}

/// The test scene's meshes and images, for comparisons.
struct Fixture {
    glb: Vec<u8>,
    sphere: Mesh,
    cube: Mesh,
    small_sphere: Mesh,
    colour_pixels: Vec<u8>,
    normal_pixels: Vec<u8>,
}

fn quat_json(q: Quat) -> String {
    format!("[{}, {}, {}, {}]", q.x, q.y, q.z, q.w)
}

/// Node 0 (root: translation, rotation) has children 1 (scale, mesh 0; its child 2: a matrix,
/// mesh 1 with two primitives) and 3 (translation, mesh 0 again). Node 4 (mesh 1) is in no
/// scene. Material 0: factors, a base colour PNG in the binary chunk and a normal map PNG in a
/// data URI; material 1: factors only; mesh 1's second primitive has no material.
fn fixture() -> Fixture {
    let sphere = Mesh::sphere(1.0, 16, 8);
    let cube = Mesh::cube(1.0);
    let small_sphere = Mesh::sphere(0.5, 12, 6);
    let (colour_png, colour_pixels) = png(32, 10);
    let (normal_png, normal_pixels) = png(16, 200);
    let mut buffer = Buffer::default();
    let mesh0 = buffer.primitive(&sphere, Some(0));
    let mesh1a = buffer.primitive(&cube, Some(1));
    let mesh1b = buffer.primitive(&small_sphere, None);
    let colour_view = buffer.view(&colour_png);
    let matrix = node2_local().to_cols_array();
    let json = format!(
        r#"{{
  "asset": {{"version": "2.0"}},
  "scene": 0,
  "scenes": [{{"nodes": [0]}}],
  "nodes": [
    {{"translation": [10, 0, 5], "rotation": {r0}, "children": [1, 3]}},
    {{"scale": [2, 2, 2], "mesh": 0, "children": [2]}},
    {{"matrix": {matrix:?}, "mesh": 1}},
    {{"translation": [0, 3, 0], "mesh": 0}},
    {{"mesh": 1}}
  ],
  "meshes": [
    {{"primitives": [{mesh0}]}},
    {{"primitives": [{mesh1a}, {mesh1b}]}}
  ],
  "materials": [
    {{"pbrMetallicRoughness": {{"baseColorFactor": [0.8, 0.2, 0.1, 1.0], "metallicFactor": 0.3,
      "roughnessFactor": 0.6, "baseColorTexture": {{"index": 0}}}},
      "normalTexture": {{"index": 1}}, "emissiveFactor": [0.1, 0.2, 0.3]}},
    {{"pbrMetallicRoughness": {{"baseColorFactor": [0.1, 0.5, 0.9, 0.5], "metallicFactor": 1.0,
      "roughnessFactor": 0.25}}}}
  ],
  "textures": [{{"source": 0}}, {{"source": 1}}],
  "images": [
    {{"bufferView": {colour_view}, "mimeType": "image/png"}},
    {{"uri": "data:image/png;base64,{normal}"}}
  ],
  "accessors": [{accessors}],
  "bufferViews": [{views}],
  "buffers": [{{"byteLength": {len}}}]
}}"#,
        r0 = quat_json(node0_rotation()),
        normal = base64(&normal_png),
        accessors = buffer.accessors.join(",\n"),
        views = buffer.views.join(",\n"),
        len = buffer.bin.len(),
    );
    Fixture {
        glb: glb(&json, &buffer.bin),
        sphere,
        cube,
        small_sphere,
        colour_pixels,
        normal_pixels,
    }
}

fn node0_rotation() -> Quat {
    Quat::from_rotation_y(core::f32::consts::FRAC_PI_2)
}

fn node2_local() -> Mat4 {
    Mat4::from_translation(Vec3::new(0.0, 1.5, -2.0)) * Mat4::from_rotation_x(0.5)
}

/// The world transforms the hierarchy gives, composed here from the TRS values above.
fn expected_world() -> [(&'static str, Mat4); 3] {
    let node0 =
        Mat4::from_translation(Vec3::new(10.0, 0.0, 5.0)) * Mat4::from_quat(node0_rotation());
    let node1 = node0 * Mat4::from_scale(Vec3::splat(2.0));
    let node2 = node1 * node2_local();
    let node3 = node0 * Mat4::from_translation(Vec3::new(0.0, 3.0, 0.0));
    [("node 1", node1), ("node 2", node2), ("node 3", node3)]
}

fn entity_matrix(e: &PackEntity) -> Mat4 {
    Mat4::from_scale_rotation_translation(e.scale, e.rotation, e.translation)
}

fn cook(scene: &Scene) -> PackBytes {
    let mut writer = PackWriter::in_memory(8.0).unwrap();
    let summary = scene
        .write_pack(&ChainOptions::default(), &mut writer)
        .unwrap();
    assert_eq!(summary.entities as usize, scene.entities.len());
    writer.finish().unwrap()
}

fn stored(pack: &PackBytes, blob: u32, range: core::ops::Range<u64>) -> &[u8] {
    &pack.blobs[blob as usize][range.start as usize..range.end as usize]
}

#[test]
fn a_scene_reads_as_its_hierarchy_meshes_materials_and_textures() {
    let f = fixture();
    let scene = load_scene_bytes(&f.glb).unwrap();
    // Meshes in first-use order, mesh 0 once although two nodes use it.
    let meshes: Vec<(usize, usize)> = scene
        .meshes
        .iter()
        .map(|m| (m.gltf_mesh, m.primitive))
        .collect();
    assert_eq!(meshes, [(0, 0), (1, 0), (1, 1)]);
    for (read, input) in scene
        .meshes
        .iter()
        .zip([&f.sphere, &f.cube, &f.small_sphere])
    {
        assert_eq!(read.mesh.positions, input.positions);
        assert_eq!(read.mesh.triangle_count(), input.triangle_count());
    }
    // Material 0, material 1, then the default for the primitive without one.
    assert_eq!(scene.materials.len(), 3);
    let m0 = &scene.materials[0];
    assert_eq!(m0.base_color, Vec4::new(0.8, 0.2, 0.1, 1.0));
    assert_eq!((m0.metallic, m0.roughness), (0.3, 0.6));
    assert_eq!(m0.emissive, Vec3::new(0.1, 0.2, 0.3));
    assert_eq!(
        (m0.base_color_texture, m0.normal_texture),
        (Some(0), Some(1))
    );
    assert_eq!(scene.materials[1].base_color, Vec4::new(0.1, 0.5, 0.9, 0.5));
    assert_eq!(scene.materials[1].base_color_texture, None);
    let default = &scene.materials[2];
    assert_eq!(
        (default.base_color, default.metallic, default.roughness),
        (Vec4::ONE, 1.0, 1.0)
    );
    // Textures decoded, in their roles.
    assert_eq!(scene.textures.len(), 2);
    assert!(scene.textures[0].srgb && !scene.textures[1].srgb);
    assert_eq!(scene.textures[0].image.pixels, f.colour_pixels);
    assert_eq!(scene.textures[1].image.pixels, f.normal_pixels);
    // Node 1: mesh 0; node 2: both primitives of mesh 1; node 3: mesh 0. Node 4 is in no scene.
    let entities: Vec<(u32, u32)> = scene
        .entities
        .iter()
        .map(|e| (e.mesh, e.material))
        .collect();
    assert_eq!(entities, [(0, 0), (1, 1), (2, 2), (0, 0)]);
    let [(_, node1), (_, node2), (_, node3)] = expected_world();
    for (entity, expected) in scene.entities.iter().zip([node1, node2, node2, node3]) {
        assert!(entity.is_static);
        assert!(
            entity_matrix(entity).abs_diff_eq(expected, 1e-5),
            "{entity:?} vs {expected:?}"
        );
    }
}

#[test]
fn a_cooked_scene_reads_back_and_every_level_decodes() {
    let f = fixture();
    let scene = load_scene_bytes(&f.glb).unwrap();
    let pack = cook(&scene);
    let manifest = PackManifest::from_bytes(&pack.manifest_bytes).unwrap();
    assert_eq!(manifest, pack.manifest);
    assert_eq!(manifest.meshes.len(), 3);
    assert_eq!(manifest.textures.len(), 2);
    assert_eq!(manifest.materials, {
        let mut m = scene.materials.clone();
        m[0].base_color_texture = Some(0);
        m[0].normal_texture = Some(1);
        m
    });
    // Every mesh level decodes, coarse to fine, the finest with the input's triangles.
    for (mesh, input) in manifest
        .meshes
        .iter()
        .zip([&f.sphere, &f.cube, &f.small_sphere])
    {
        assert!(!mesh.levels.is_empty());
        for (k, level) in mesh.levels.iter().enumerate() {
            let decoded =
                decode_mesh_level(level, stored(&pack, mesh.blob_of(k), level.stored.range()))
                    .unwrap();
            decoded.validate().unwrap();
            assert_eq!(decoded.triangle_count(), level.triangles as usize);
        }
        let finest = mesh.levels.last().unwrap();
        assert_eq!(finest.error, 0.0);
        assert_eq!(finest.triangles as usize, input.triangle_count());
        assert!(mesh.levels.windows(2).all(|w| w[0].error >= w[1].error));
    }
    // Every texture level decodes: coarse (1x1) to the full size, the full size as decoded.
    for (texture, (size, pixels)) in manifest
        .textures
        .iter()
        .zip([(32, &f.colour_pixels), (16, &f.normal_pixels)])
    {
        let mut edge = 1;
        for (k, level) in texture.levels.iter().enumerate() {
            let image: TextureImage = decode_texture_level(
                level,
                stored(&pack, texture.blob_of(k), level.stored.range()),
            )
            .unwrap();
            assert_eq!((image.width, image.height), (edge, edge));
            edge *= 2;
        }
        let finest = texture.levels.last().unwrap();
        let image = decode_texture_level(
            finest,
            stored(
                &pack,
                texture.blob_of(texture.levels.len() - 1),
                finest.stored.range(),
            ),
        )
        .unwrap();
        assert_eq!((image.width, &image.pixels), (size, pixels));
    }
    assert!(manifest.textures[0].srgb && !manifest.textures[1].srgb);
    // Entities at the hierarchy's world transforms, each in the cell of its translation.
    let placed: Vec<(PackEntity, glam::IVec2)> = manifest
        .cells
        .iter()
        .flat_map(|c| c.entities.iter().map(move |e| (*e, c.coord)))
        .collect();
    assert_eq!(placed.len(), 4);
    let [(_, node1), (_, node2), (_, node3)] = expected_world();
    for ((mesh, material), world) in [
        ((0, 0), node1),
        ((1, 1), node2),
        ((2, 2), node2),
        ((0, 0), node3),
    ] {
        let found = placed.iter().any(|(e, cell)| {
            let cell_expected = (e.translation / manifest.cell_size).floor();
            (e.mesh, e.material) == (mesh, material)
                && entity_matrix(e).abs_diff_eq(world, 1e-5)
                && [cell.x as f32, cell.y as f32] == [cell_expected.x, cell_expected.z]
        });
        assert!(
            found,
            "mesh {mesh} material {material} at {world:?}: {placed:?}"
        );
    }
}

#[test]
fn scene_files_read_buffers_and_images_below_their_folder() {
    let f = fixture();
    // The GLB's JSON chunk as a .gltf whose buffer is a file next to it.
    let json_len = u32::from_le_bytes(f.glb[12..16].try_into().unwrap()) as usize;
    let json = std::str::from_utf8(&f.glb[20..20 + json_len])
        .unwrap()
        .trim_end();
    let bin = &f.glb[20 + json_len + 8..];
    let dir = scratch("files");
    std::fs::create_dir_all(&dir).unwrap();
    let gltf = json.replace(
        r#""buffers": [{"byteLength""#,
        r#""buffers": [{"uri": "scene%20data.bin", "byteLength""#,
    );
    std::fs::write(dir.join("scene data.bin"), bin).unwrap();
    std::fs::write(dir.join("scene.gltf"), &gltf).unwrap();
    let scene = load_scene(dir.join("scene.gltf")).unwrap();
    assert_eq!(scene, load_scene_bytes(&f.glb).unwrap());

    // The same buffer named outside the folder is refused before anything is read.
    let outside = json.replace(
        r#""buffers": [{"byteLength""#,
        r#""buffers": [{"uri": "../scene%20data.bin", "byteLength""#,
    );
    std::fs::write(dir.join("outside.gltf"), &outside).unwrap();
    assert!(matches!(
        load_scene(dir.join("outside.gltf")),
        Err(CookError::UnsafeUri { uri, .. }) if uri == "../scene%20data.bin"
    ));
    // And any file URI when the scene came as bytes.
    assert!(matches!(
        load_scene_bytes(gltf.as_bytes()),
        Err(CookError::UnsafeUri { .. })
    ));
    assert!(matches!(
        load_scene(dir.join("missing.gltf")),
        Err(CookError::Io { .. })
    ));
}

/// A small glTF JSON with one triangle in a data URI, and `extra` JSON members.
fn triangle_gltf(nodes: &str, extra: &str) -> String {
    let floats: Vec<u8> = [0.0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    format!(
        r#"{{
  "asset": {{"version": "2.0"}},
  "scenes": [{{"nodes": [0]}}],
  "nodes": {nodes},
  "meshes": [{{"primitives": [{{"attributes": {{"POSITION": 0}}, "material": 0}}]}}],
  "accessors": [{{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
    "min": [0, 0, 0], "max": [1, 1, 0]}}],
  "bufferViews": [{{"buffer": 0, "byteLength": 36}}],
  "buffers": [{{"byteLength": 36, "uri": "data:application/octet-stream;base64,{data}"}}]
  {extra}
}}"#,
        data = base64(&floats)
    )
}

/// A material with no texture, for scenes whose images do not matter.
const PLAIN: &str = r#", "materials": [{}]"#;

const TEXTURED: &str = r#", "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
  "textures": [{"source": 0}]"#;

#[test]
fn bad_scenes_are_typed_errors() {
    // A plain triangle reads: the base of the cases below.
    let plain = triangle_gltf(r#"[{"mesh": 0}]"#, PLAIN);
    assert_eq!(
        load_scene_bytes(plain.as_bytes()).unwrap().entities.len(),
        1
    );

    // A JPEG image, named by its MIME type or by its first bytes.
    let jpeg = format!(
        r#"{TEXTURED}, "images": [{{"uri": "data:image/jpeg;base64,{}", "mimeType": "image/jpeg"}}]"#,
        base64(&[0xff, 0xd8, 0xff, 0xe0, 0, 16])
    );
    let err = load_scene_bytes(triangle_gltf(r#"[{"mesh": 0}]"#, &jpeg).as_bytes()).unwrap_err();
    assert!(
        matches!(&err, CookError::UnsupportedImage { image: 0, format, .. } if format == "image/jpeg"),
        "{err}"
    );
    assert!(err.to_string().contains("only PNG"), "{err}");
    let sniffed = format!(
        r#"{TEXTURED}, "images": [{{"uri": "data:;base64,{}"}}]"#,
        base64(&[0xff, 0xd8, 0xff, 0xe0, 0, 16])
    );
    assert!(matches!(
        load_scene_bytes(triangle_gltf(r#"[{"mesh": 0}]"#, &sniffed).as_bytes()),
        Err(CookError::UnsupportedImage { format, .. }) if format == "JPEG"
    ));
    // A PNG signature over garbage.
    let broken = format!(
        r#"{TEXTURED}, "images": [{{"uri": "data:image/png;base64,{}"}}]"#,
        base64(b"\x89PNG\r\n\x1a\n not a png")
    );
    assert!(matches!(
        load_scene_bytes(triangle_gltf(r#"[{"mesh": 0}]"#, &broken).as_bytes()),
        Err(CookError::Image { image: 0, .. })
    ));
    // An image with neither a URI nor a buffer view (gltf 1.4.1 would panic reading it).
    let nothing = format!(r#"{TEXTURED}, "images": [{{}}]"#);
    let err = load_scene_bytes(triangle_gltf(r#"[{"mesh": 0}]"#, &nothing).as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("neither a URI nor a buffer view"),
        "{err}"
    );
    // A cycle in the hierarchy, and a node with two parents.
    let cycle = triangle_gltf(
        r#"[{"mesh": 0, "children": [1]}, {"children": [0]}]"#,
        PLAIN,
    );
    let err = load_scene_bytes(cycle.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("reached twice"), "{err}");
    let shared = triangle_gltf(
        r#"[{"children": [1, 2]}, {"children": [3]}, {"children": [3]}, {"mesh": 0}]"#,
        PLAIN,
    );
    assert!(load_scene_bytes(shared.as_bytes()).is_err());
    // No node with a mesh.
    let empty = triangle_gltf(r#"[{}]"#, PLAIN);
    let err = load_scene_bytes(empty.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("no node with a triangle mesh"),
        "{err}"
    );
    // A transform that overflows.
    let huge = triangle_gltf(
        r#"[{"scale": [3e38, 3e38, 3e38], "children": [1]}, {"scale": [10, 10, 10], "mesh": 0}]"#,
        PLAIN,
    );
    let err = load_scene_bytes(huge.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("not finite"), "{err}");
}

#[test]
fn the_scene_fuzz_corpus_loads_or_fails_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/gltf_scene");
    // The seed is this file's scene: rewritten on request, checked current otherwise.
    let seed = dir.join("seed-scene.glb");
    if std::env::var_os("LAYERW_UPDATE_FUZZ_SEEDS").is_some() {
        std::fs::write(&seed, fixture().glb).unwrap();
    }
    assert!(
        std::fs::read(&seed).unwrap() == fixture().glb,
        "{} is stale: rerun with LAYERW_UPDATE_FUZZ_SEEDS=1",
        seed.display()
    );
    let (mut seeds, mut nodeless, mut regressions) = (0, 0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let result = load_scene_bytes(&std::fs::read(&path).unwrap());
        if name.starts_with("seed-") {
            let scene = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            // Static entities, or skinned ones (a skinned sample's node draws no static mesh).
            assert!(!scene.entities.is_empty() || !scene.skinned_entities.is_empty());
            seeds += 1;
        } else if name.starts_with("nodeless-") {
            // The mesh loader's seeds: meshes, but no node places them.
            let message = result.unwrap_err().to_string();
            assert!(
                message.contains("no node with a triangle mesh"),
                "{name}: {message}"
            );
            nodeless += 1;
        } else if name.starts_with("regression-") {
            assert!(
                matches!(result, Err(CookError::Gltf { .. })),
                "{name}: {result:?}"
            );
            regressions += 1;
        }
    }
    // This file's scene and the three Khronos samples of assets/gltf.
    assert_eq!((seeds, nodeless), (4, 2));
    assert!(regressions >= 3, "{regressions} regressions");
}
