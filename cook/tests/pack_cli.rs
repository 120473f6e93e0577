//! The `pack` and `world` commands: packs on disk that read back, and errors as non-zero exits
//! with a message.

use std::path::PathBuf;
use std::process::{Command, Output};

use layerw_engine::stream::{MANIFEST_FILE, PackManifest};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("layerw-pack-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn cook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layerw-cook"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The manifest in `dir`, read back, with every blob file the length it says.
fn read_pack(dir: &std::path::Path) -> PackManifest {
    let manifest =
        PackManifest::from_bytes(&std::fs::read(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
    for blob in &manifest.blobs {
        let len = std::fs::metadata(dir.join(&blob.name)).unwrap().len();
        assert_eq!(len, blob.len, "{}", blob.name);
    }
    manifest
}

#[test]
fn world_writes_a_pack_that_reads_back() {
    let out = scratch("world");
    let dir = out.to_str().unwrap();
    let args = [
        "world",
        "--out",
        dir,
        "--bytes",
        "300K",
        "--seed",
        "4",
        "--cells",
        "3",
        "--cell-size",
        "20",
        "--max-texture-size",
        "32",
        "--max-segments",
        "16",
        "--blob-size",
        "100K",
    ];
    let run = cook(&args);
    assert!(run.status.success(), "{}", stderr(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("in 9 cells of 20 m"), "{stdout}");
    let manifest = read_pack(&out);
    assert_eq!(manifest.cells.len(), 9);
    assert_eq!(manifest.cell_size, 20.0);
    assert!(manifest.blobs.len() > 1);
    let bytes: u64 = manifest.blobs.iter().map(|b| b.len).sum();
    assert!(bytes >= 300 << 10, "{bytes}");
    assert!(
        manifest
            .textures
            .iter()
            .all(|t| t.levels.last().unwrap().width == 32)
    );
    assert!(manifest.meshes.iter().all(|m| m.levels.len() == 2));
}

#[test]
fn pack_cooks_a_gltf_file() {
    // One triangle in a data URI, placed by a node with a translation.
    let floats: Vec<u8> = [0.0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let data: String = {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        floats
            .chunks(3)
            .flat_map(|c| {
                let v = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
                (0..4).map(move |i| A[(v >> (18 - 6 * i) & 63) as usize] as char)
            })
            .collect()
    };
    let gltf = format!(
        r#"{{"asset": {{"version": "2.0"}}, "scenes": [{{"nodes": [0]}}],
  "nodes": [{{"mesh": 0, "translation": [-5, 0, 12]}}],
  "meshes": [{{"primitives": [{{"attributes": {{"POSITION": 0}}}}]}}],
  "accessors": [{{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
    "min": [0, 0, 0], "max": [1, 1, 0]}}],
  "bufferViews": [{{"buffer": 0, "byteLength": 36}}],
  "buffers": [{{"byteLength": 36, "uri": "data:application/octet-stream;base64,{data}"}}]}}"#
    );
    let file = scratch("triangle.gltf");
    std::fs::write(&file, gltf).unwrap();
    let out = scratch("triangle-pack");
    let run = cook(&[
        "pack",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--cell-size",
        "10",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let manifest = read_pack(&out);
    assert_eq!(manifest.meshes.len(), 1);
    assert_eq!(manifest.cells.len(), 1);
    assert_eq!(manifest.cells[0].coord.to_array(), [-1, 1]);
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let out = scratch("never");
    let out = out.to_str().unwrap();
    let missing = scratch("missing.glb");
    let missing = missing.to_str().unwrap();
    // (arguments, exit code, part of the message)
    let cases: [(&[&str], i32, &str); 9] = [
        (&["pack", missing, "--out", out], 1, "missing.glb"),
        (&["pack", "--out", out], 2, "no scene given"),
        (&["pack", missing], 2, "--out DIR is required"),
        (
            &["pack", missing, "--out", out, "--cell-size", "big"],
            2,
            "not a valid number",
        ),
        (
            &["pack", missing, "--out", out, "--cell-size", "-1"],
            2,
            "--cell-size must be",
        ),
        (&["world", "--out", out, "--bytes", "2X"], 2, "not a size"),
        (
            &["world", "--out", out, "--cells", "0"],
            1,
            "cells_per_side",
        ),
        (
            &["world", "--out", out, "--frobnicate"],
            2,
            "unknown option --frobnicate",
        ),
        (
            &["world", "scene.glb", "--out", out],
            2,
            "world takes no input",
        ),
    ];
    for (args, code, message) in cases {
        let run = cook(args);
        assert_eq!(run.status.code(), Some(code), "{args:?}: {}", stderr(&run));
        assert!(stderr(&run).contains(message), "{args:?}: {}", stderr(&run));
        assert!(stderr(&run).starts_with("layerw-cook "), "{args:?}");
    }
    // Help is not an error.
    for command in ["pack", "world"] {
        let run = cook(&[command, "--help"]);
        assert!(run.status.success());
        assert!(String::from_utf8_lossy(&run.stdout).contains(&format!("layerw-cook {command}")));
    }
}
