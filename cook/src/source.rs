//! Meshes to cook: glTF/GLB files and procedural specs (`sphere:128`, `terrain:256`, `cube`).

use std::path::{Path, PathBuf};

use glam::{Vec2, Vec3};
use layerw_engine::render::Mesh;

use crate::CookError;

/// The largest resolution a procedural spec may ask for.
const MAX_RESOLUTION: u32 = 2048;

/// A mesh from `input`: a procedural spec (see [`procedural`]) or the path of a `.gltf` or
/// `.glb` file (see [`load_gltf`]).
pub fn load_input(input: &str) -> Result<Mesh, CookError> {
    let kind = input.split(':').next().unwrap_or_default();
    if ["sphere", "terrain", "cube"].contains(&kind) {
        return procedural(input);
    }
    let path = Path::new(input);
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("gltf") || e.eq_ignore_ascii_case("glb") => {
            load_gltf(path)
        }
        _ => Err(CookError::BadInput {
            input: input.to_owned(),
            reason: "expected a .gltf or .glb file, or sphere:SEGMENTS, terrain:CELLS or cube"
                .to_owned(),
        }),
    }
}

/// A procedural mesh from a spec:
///
/// - `sphere:N`: a unit UV sphere ([`Mesh::sphere`]) with `N` segments and `N / 2` rings,
///   `N` from 3 to 2048 (about `N * N` triangles);
/// - `terrain:N`: a 100-unit terrain grid ([`Mesh::grid`]) of `N` x `N` cells over rolling
///   hills, `N` from 1 to 2048 (`2 * N * N` triangles);
/// - `cube`: a unit cube ([`Mesh::cube`]).
pub fn procedural(spec: &str) -> Result<Mesh, CookError> {
    let bad = |reason: &str| CookError::BadInput {
        input: spec.to_owned(),
        reason: reason.to_owned(),
    };
    let (kind, arg) = match spec.split_once(':') {
        Some((kind, arg)) => (kind, Some(arg)),
        None => (spec, None),
    };
    let resolution = |min: u32| -> Result<u32, CookError> {
        let arg = arg.ok_or_else(|| bad(&format!("{kind} needs a resolution: {kind}:N")))?;
        match arg.parse::<u32>() {
            Ok(n) if (min..=MAX_RESOLUTION).contains(&n) => Ok(n),
            _ => Err(bad(&format!(
                "resolution must be a whole number from {min} to {MAX_RESOLUTION}"
            ))),
        }
    };
    match kind {
        "sphere" => {
            let n = resolution(3)?;
            Ok(Mesh::sphere(1.0, n, (n / 2).max(2)))
        }
        "terrain" => Ok(Mesh::grid(100.0, resolution(1)?, hills)),
        "cube" if arg.is_none() => Ok(Mesh::cube(1.0)),
        "cube" => Err(bad("cube takes no resolution")),
        _ => Err(bad("unknown kind: expected sphere:N, terrain:N or cube")),
    }
}

/// Rolling hills for `terrain:N`, heights within about +-6 units.
fn hills(x: f32, z: f32) -> f32 {
    4.0 * (x * 0.06).sin() * (z * 0.08).cos()
        + 1.5 * (x * 0.21 + z * 0.17).sin()
        + 0.4 * (x * 0.9).cos() * (z * 0.7).sin()
}

/// The first mesh of a glTF or GLB file: every triangle primitive of it, merged, in the mesh's
/// own space (node transforms are not applied). Positions and indices come from the file
/// (unindexed primitives get `0..n`); missing normals are computed from the faces, missing UVs
/// are zero; tangents are computed from the UVs ([`Mesh::from_parts`]).
///
/// Buffers may be the GLB's binary chunk, files next to the glTF, or base64 `data:` URIs.
pub fn load_gltf(path: impl AsRef<Path>) -> Result<Mesh, CookError> {
    let path = path.as_ref();
    let fail = |message: String| CookError::Gltf {
        path: path.to_owned(),
        message,
    };
    let gltf = gltf::Gltf::open(path).map_err(|e| match e {
        gltf::Error::Io(error) => CookError::Io {
            path: path.to_owned(),
            error,
        },
        e => fail(e.to_string()),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut buffers = Vec::new();
    for buffer in gltf.buffers() {
        let data = match buffer.source() {
            gltf::buffer::Source::Bin => gltf
                .blob
                .clone()
                .ok_or_else(|| fail("buffer refers to a missing GLB binary chunk".to_owned()))?,
            gltf::buffer::Source::Uri(uri) if uri.starts_with("data:") => {
                let (_, payload) = uri
                    .split_once(";base64,")
                    .ok_or_else(|| fail("data URI is not base64".to_owned()))?;
                base64(payload).ok_or_else(|| fail("data URI has invalid base64".to_owned()))?
            }
            gltf::buffer::Source::Uri(uri) => {
                let file: PathBuf = base.join(percent_decode(uri));
                std::fs::read(&file).map_err(|error| CookError::Io { path: file, error })?
            }
        };
        if data.len() < buffer.length() {
            return Err(fail(format!(
                "buffer {} has {} bytes, {} declared",
                buffer.index(),
                data.len(),
                buffer.length()
            )));
        }
        buffers.push(data);
    }
    let mesh = gltf
        .meshes()
        .next()
        .ok_or_else(|| fail("the file has no meshes".to_owned()))?;
    let (mut positions, mut normals, mut uvs, mut indices) = (vec![], vec![], vec![], vec![]);
    let mut all_normals = true;
    for primitive in mesh.primitives() {
        if primitive.mode() != gltf::mesh::Mode::Triangles {
            continue;
        }
        let reader = primitive.reader(|b| buffers.get(b.index()).map(Vec::as_slice));
        let base = positions.len() as u32;
        let p: Vec<Vec3> = reader
            .read_positions()
            .ok_or_else(|| fail("a triangle primitive has no positions".to_owned()))?
            .map(Vec3::from)
            .collect();
        let count = p.len();
        positions.extend(p);
        match reader.read_normals() {
            Some(n) => normals.extend(n.map(Vec3::from)),
            None => {
                all_normals = false;
                normals.extend(std::iter::repeat_n(Vec3::ZERO, count));
            }
        }
        match reader.read_tex_coords(0) {
            Some(t) => uvs.extend(t.into_f32().map(Vec2::from)),
            None => uvs.extend(std::iter::repeat_n(Vec2::ZERO, count)),
        }
        match reader.read_indices() {
            Some(i) => indices.extend(i.into_u32().map(|i| base + i)),
            None => indices.extend(base..base + count as u32),
        }
        if normals.len() != positions.len() || uvs.len() != positions.len() {
            return Err(fail(
                "attribute counts differ within a primitive".to_owned(),
            ));
        }
    }
    if indices.is_empty() {
        return Err(fail("the first mesh has no triangles".to_owned()));
    }
    if let Some(&i) = indices.iter().find(|&&i| i as usize >= positions.len()) {
        return Err(fail(format!(
            "index {i} is past the last of {} vertices",
            positions.len()
        )));
    }
    if !all_normals {
        normals = face_normals(&positions, &indices, &normals);
    }
    let mesh = Mesh::from_parts(positions, normals, uvs, indices);
    mesh.validate().map_err(|e| fail(e.to_string()))?;
    Ok(mesh)
}

/// Area-weighted vertex normals, for vertices whose normal is zero (missing in the file).
fn face_normals(positions: &[Vec3], indices: &[u32], given: &[Vec3]) -> Vec<Vec3> {
    let mut sum = vec![Vec3::ZERO; positions.len()];
    for t in indices.chunks_exact(3) {
        let [a, b, c] = [t[0] as usize, t[1] as usize, t[2] as usize];
        let face = (positions[b] - positions[a]).cross(positions[c] - positions[a]);
        for i in [a, b, c] {
            sum[i] += face;
        }
    }
    given
        .iter()
        .zip(sum)
        .map(|(&n, s)| {
            if n == Vec3::ZERO {
                s.normalize_or(Vec3::Y)
            } else {
                n
            }
        })
        .collect()
}

/// Decodes standard base64 (padding optional); `None` on any other character.
fn base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let text = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= u32::from(value(c)?) << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        match chunk.len() {
            4 => out.extend_from_slice(&bytes[1..4]),
            3 => out.extend_from_slice(&bytes[1..3]),
            2 => out.push(bytes[1]),
            _ => return None,
        }
    }
    Some(out)
}

/// Decodes `%XX` escapes in a relative URI.
fn percent_decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_percent_decoding() {
        assert_eq!(base64("TWFu").unwrap(), b"Man");
        assert_eq!(base64("TWE=").unwrap(), b"Ma");
        assert_eq!(base64("TQ==").unwrap(), b"M");
        assert_eq!(base64("").unwrap(), b"");
        assert!(base64("T").is_none());
        assert!(base64("T!==").is_none());
        assert_eq!(percent_decode("my%20mesh.bin"), "my mesh.bin");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
