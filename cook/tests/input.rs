//! Inputs of the cooking tool: glTF/GLB files and the command line.

use std::path::PathBuf;
use std::process::Command;

use layerw_cook::{CookError, MAX_GLTF_BYTES, load_gltf, load_gltf_bytes, load_input};
use layerw_engine::lod::LodChain;
use layerw_engine::render::Mesh;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("layerw-cook-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The buffer of `mesh` (positions, normals, UVs, u16 indices) and its glTF JSON, with
/// `buffer_uri` as the buffer's URI (`None` for a GLB's binary chunk).
fn gltf_parts(mesh: &Mesh, buffer_uri: Option<&str>, with_normals: bool) -> (String, Vec<u8>) {
    let n = mesh.positions.len();
    let mut bin = Vec::new();
    for p in &mesh.positions {
        bin.extend(p.to_array().iter().flat_map(|f| f.to_le_bytes()));
    }
    for v in &mesh.normals {
        bin.extend(v.to_array().iter().flat_map(|f| f.to_le_bytes()));
    }
    for uv in &mesh.uvs {
        bin.extend(uv.to_array().iter().flat_map(|f| f.to_le_bytes()));
    }
    let indices: Vec<u32> = mesh.indices.iter().collect();
    for &i in &indices {
        bin.extend((i as u16).to_le_bytes());
    }
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let (min, max) = mesh
        .positions
        .iter()
        .fold(([f32::MAX; 3], [f32::MIN; 3]), |(lo, hi), p| {
            (
                [lo[0].min(p.x), lo[1].min(p.y), lo[2].min(p.z)],
                [hi[0].max(p.x), hi[1].max(p.y), hi[2].max(p.z)],
            )
        });
    let uri = buffer_uri
        .map(|u| format!(r#""uri": "{u}","#))
        .unwrap_or_default();
    let normal = if with_normals { r#""NORMAL": 1,"# } else { "" };
    let json = format!(
        r#"{{
  "asset": {{"version": "2.0"}},
  "buffers": [{{{uri} "byteLength": {len}}}],
  "bufferViews": [
    {{"buffer": 0, "byteOffset": 0, "byteLength": {p}}},
    {{"buffer": 0, "byteOffset": {p}, "byteLength": {p}}},
    {{"buffer": 0, "byteOffset": {o2}, "byteLength": {t}}},
    {{"buffer": 0, "byteOffset": {o3}, "byteLength": {i}}}
  ],
  "accessors": [
    {{"bufferView": 0, "componentType": 5126, "count": {n}, "type": "VEC3",
      "min": [{min0}, {min1}, {min2}], "max": [{max0}, {max1}, {max2}]}},
    {{"bufferView": 1, "componentType": 5126, "count": {n}, "type": "VEC3"}},
    {{"bufferView": 2, "componentType": 5126, "count": {n}, "type": "VEC2"}},
    {{"bufferView": 3, "componentType": 5123, "count": {ni}, "type": "SCALAR"}}
  ],
  "meshes": [{{"primitives": [{{"attributes": {{"POSITION": 0, {normal} "TEXCOORD_0": 2}}, "indices": 3}}]}}]
}}"#,
        len = bin.len(),
        p = n * 12,
        o2 = n * 24,
        t = n * 8,
        o3 = n * 32,
        i = indices.len() * 2,
        ni = indices.len(),
        min0 = min[0],
        min1 = min[1],
        min2 = min[2],
        max0 = max[0],
        max1 = max[1],
        max2 = max[2],
    );
    (json, bin)
}

fn glb(json: &str, bin: &[u8]) -> Vec<u8> {
    let mut json = json.as_bytes().to_vec();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
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
    out.extend(bin);
    out
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let v = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                s.push(A[(v >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn assert_same_geometry(loaded: &Mesh, source: &Mesh) {
    assert_eq!(loaded.positions, source.positions);
    assert_eq!(loaded.uvs, source.uvs);
    assert_eq!(
        loaded.indices.iter().collect::<Vec<_>>(),
        source.indices.iter().collect::<Vec<_>>()
    );
    loaded.validate().unwrap();
}

#[test]
fn glb_gltf_and_data_uri_files_load() {
    let source = Mesh::sphere(1.0, 24, 12);
    // GLB with its binary chunk.
    let (json, bin) = gltf_parts(&source, None, true);
    let path = scratch("sphere.glb");
    std::fs::write(&path, glb(&json, &bin)).unwrap();
    let loaded = load_gltf(&path).unwrap();
    assert_same_geometry(&loaded, &source);
    assert_eq!(loaded.normals, source.normals);
    assert_eq!(loaded.tangents, source.tangents);
    // glTF with a .bin file next to it (name with an escaped space).
    let (json, bin) = gltf_parts(&source, Some("sphere%20data.bin"), true);
    std::fs::write(scratch("sphere data.bin"), &bin).unwrap();
    let path = scratch("sphere.gltf");
    std::fs::write(&path, &json).unwrap();
    assert_same_geometry(&load_input(path.to_str().unwrap()).unwrap(), &source);
    // glTF with a data URI and no normals: normals are computed, outward.
    let uri = format!("data:application/octet-stream;base64,{}", base64(&bin));
    let (json, _) = gltf_parts(&source, Some(&uri), false);
    let path = scratch("embedded.gltf");
    std::fs::write(&path, &json).unwrap();
    let loaded = load_gltf(&path).unwrap();
    assert_same_geometry(&loaded, &source);
    let used: Vec<usize> = loaded.indices.iter().map(|i| i as usize).collect();
    for &i in &used {
        let (p, n) = (&loaded.positions[i], &loaded.normals[i]);
        assert!(
            (n.length() - 1.0).abs() < 1e-4 && n.dot(*p) > 0.9,
            "{p} {n}"
        );
    }
}

#[test]
fn bad_files_give_errors() {
    assert!(matches!(
        load_gltf(scratch("missing.glb")),
        Err(CookError::Io { .. })
    ));
    let path = scratch("garbage.glb");
    std::fs::write(&path, b"glTF\x02\0\0\0garbage").unwrap();
    assert!(matches!(load_gltf(&path), Err(CookError::Gltf { .. })));
    // A buffer shorter than declared.
    let (json, bin) = gltf_parts(&Mesh::cube(1.0), None, true);
    let path = scratch("short.glb");
    std::fs::write(&path, glb(&json, &bin[..bin.len() - 8])).unwrap();
    let e = load_gltf(&path).unwrap_err();
    assert!(matches!(e, CookError::Gltf { .. }), "{e}");
    assert!(matches!(
        load_input("mesh.obj"),
        Err(CookError::BadInput { .. })
    ));
}

#[test]
fn hostile_files_are_refused_with_typed_errors() {
    let cube = Mesh::cube(1.0);
    // Buffer URIs that leave the glTF's folder are refused, whether or not the file exists.
    let (_, bin) = gltf_parts(&cube, None, true);
    let dir = scratch("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.parent().unwrap().join("outside.bin"), &bin).unwrap();
    for uri in [
        "../outside.bin",
        "%2E%2E/outside.bin",
        "/etc/hostname",
        "sub/../../outside.bin",
    ] {
        let (json, _) = gltf_parts(&cube, Some(uri), true);
        let path = dir.join("escape.gltf");
        std::fs::write(&path, &json).unwrap();
        match load_gltf(&path) {
            Err(CookError::UnsafeUri { uri: named, .. }) => assert_eq!(named, uri),
            other => panic!("{uri}: {other:?}"),
        }
    }
    // From bytes there is no folder: no file URI at all.
    let (json, _) = gltf_parts(&cube, Some("cube.bin"), true);
    assert!(matches!(
        load_gltf_bytes(json.as_bytes()),
        Err(CookError::UnsafeUri { .. })
    ));
    // A declared buffer past the cap is refused before anything is read.
    let (json, bin) = gltf_parts(&cube, None, true);
    let huge = json.replace(
        &format!("\"byteLength\": {}}}]", bin.len()),
        &format!("\"byteLength\": {}}}]", MAX_GLTF_BYTES + 1),
    );
    assert_ne!(huge, json);
    match load_gltf_bytes(&glb(&huge, &bin)) {
        Err(CookError::TooLarge { bytes, limit, .. }) => {
            assert_eq!((bytes, limit), (MAX_GLTF_BYTES + 1, MAX_GLTF_BYTES));
        }
        other => panic!("{other:?}"),
    }
    // So is a file past the cap (sparse: nothing is written or read).
    let path = scratch("huge.glb");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(MAX_GLTF_BYTES + 1).unwrap();
    drop(file);
    assert!(matches!(load_gltf(&path), Err(CookError::TooLarge { .. })));
    std::fs::remove_file(&path).unwrap();
    // Indices that overflow u32 once merged after an earlier primitive: a typed error, not a
    // panic (debug) or a wrapped index (release).
    let overflow = overflowing_indices();
    let e = load_gltf_bytes(overflow.as_bytes()).unwrap_err();
    assert!(
        matches!(&e, CookError::Gltf { message, .. } if message.contains("overflows")),
        "{e}"
    );
}

#[test]
fn the_fuzz_corpus_loads_or_fails_cleanly() {
    // The seeds load; the regressions (inputs that once panicked inside gltf) are typed errors.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/gltf");
    let mut seeds = 0;
    let mut regressions = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let result = load_gltf_bytes(&std::fs::read(&path).unwrap());
        if name.starts_with("seed-") {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
            seeds += 1;
        } else if name.starts_with("regression-") {
            assert!(
                matches!(result, Err(CookError::Gltf { .. })),
                "{name}: {result:?}"
            );
            regressions += 1;
        }
    }
    assert!(
        seeds >= 2 && regressions >= 3,
        "{seeds} seeds, {regressions} regressions"
    );
}

/// Two primitives over three vertices whose u32 indices include 0xFFFFFFFF: the second
/// primitive's indices are offset by 3, past u32.
fn overflowing_indices() -> String {
    let mut bin = Vec::new();
    for p in [[0f32, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]] {
        bin.extend(p.iter().flat_map(|f| f.to_le_bytes()));
    }
    for i in [0u32, 1, u32::MAX] {
        bin.extend(i.to_le_bytes());
    }
    let uri = format!("data:application/octet-stream;base64,{}", base64(&bin));
    format!(
        r#"{{
  "asset": {{"version": "2.0"}},
  "buffers": [{{"uri": "{uri}", "byteLength": {len}}}],
  "bufferViews": [
    {{"buffer": 0, "byteOffset": 0, "byteLength": 36}},
    {{"buffer": 0, "byteOffset": 36, "byteLength": 12}}
  ],
  "accessors": [
    {{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
      "min": [0, 0, 0], "max": [1, 1, 0]}},
    {{"bufferView": 1, "componentType": 5125, "count": 3, "type": "SCALAR"}}
  ],
  "meshes": [{{"primitives": [
    {{"attributes": {{"POSITION": 0}}, "indices": 1}},
    {{"attributes": {{"POSITION": 0}}, "indices": 1}}
  ]}}]
}}"#,
        len = bin.len()
    )
}

#[test]
fn cli_writes_a_chain_and_fails_on_bad_input() {
    let exe = env!("CARGO_BIN_EXE_layerw-cook");
    let out = scratch("cli-sphere.lwlod");
    let run = Command::new(exe)
        .args([
            "sphere:64",
            "--ratio",
            "0.5",
            "--min-triangles",
            "100",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("triangles") && stdout.contains("levels (coarse to fine)"));
    let chain = LodChain::from_bytes(&std::fs::read(&out).unwrap()).unwrap();
    assert!(chain.level_count() > 2);
    assert!(chain.coarsest().triangles() >= 100);

    for args in [
        &["sphere:abc"][..],
        &["nothing.obj"],
        &["sphere:16", "--ratio", "1.5"],
        &["sphere:16", "--bogus"],
        &[],
    ] {
        let run = Command::new(exe).args(args).output().unwrap();
        assert!(!run.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.starts_with("layerw-cook: "), "{args:?}: {stderr}");
    }
    let help = Command::new(exe).arg("--help").output().unwrap();
    assert!(help.status.success());
}
