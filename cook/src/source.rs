//! Meshes to cook: glTF/GLB files and procedural specs (`sphere:128`, `terrain:256`, `cube`).

use std::path::{Component, Path, PathBuf};

use base64::Engine as _;

use glam::{Vec2, Vec3};
use layerw_engine::render::Mesh;

use crate::CookError;

/// The largest resolution a procedural spec may ask for.
const MAX_RESOLUTION: u32 = 2048;

/// The largest glTF/GLB file, and the largest buffer, the cook reads (checked before reading).
pub const MAX_GLTF_BYTES: u64 = 1 << 30;

/// Standard base64 with or without padding, as data URIs are written.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// The most vertices a loaded mesh may have (indices are `u32`; a mesh this large is far past
/// anything a LOD chain level should hold).
pub const MAX_VERTICES: usize = 1 << 28;

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
/// Buffers may be the GLB's binary chunk, base64 `data:` URIs, or files named by relative
/// URIs below the glTF file's folder; a URI that leaves the folder (absolute, `..`) is a
/// [`CookError::UnsafeUri`]. Files and buffers over [`MAX_GLTF_BYTES`] are a
/// [`CookError::TooLarge`], checked before they are read.
pub fn load_gltf(path: impl AsRef<Path>) -> Result<Mesh, CookError> {
    let path = path.as_ref();
    let bytes = read_capped(path, path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    load_gltf_from(&bytes, path, Some(base))
}

/// [`load_gltf`] of a glTF or GLB file's bytes, with no folder: only the GLB binary chunk and
/// `data:` URIs can hold buffers (any file URI is a [`CookError::UnsafeUri`]). What the fuzz
/// target drives.
pub fn load_gltf_bytes(bytes: &[u8]) -> Result<Mesh, CookError> {
    load_gltf_from(bytes, Path::new("<bytes>"), None)
}

/// Reads `file` whole if it is at most [`MAX_GLTF_BYTES`] long (errors name `path`).
pub(crate) fn read_capped(file: &Path, path: &Path) -> Result<Vec<u8>, CookError> {
    use layerw_engine::file::ReadError;
    layerw_engine::file::read_capped(file, MAX_GLTF_BYTES).map_err(|e| match e {
        ReadError::TooLarge { bytes, limit } => CookError::TooLarge {
            path: path.to_owned(),
            bytes,
            limit,
        },
        ReadError::NotFound(error) | ReadError::Io(error) => CookError::Io {
            path: file.to_owned(),
            error,
        },
        other => CookError::Io {
            path: file.to_owned(),
            error: std::io::Error::other(format!("{other:?}")),
        },
    })
}

/// The file a relative buffer URI names below `base`, or `None` when it would leave it.
fn buffer_file(base: &Path, uri: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(uri)
        .decode_utf8()
        .ok()?;
    let relative = Path::new(decoded.as_ref());
    let below = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    (below && !decoded.is_empty() && !decoded.contains(':')).then(|| base.join(relative))
}

fn load_gltf_from(bytes: &[u8], path: &Path, base: Option<&Path>) -> Result<Mesh, CookError> {
    let fail = |message: String| CookError::Gltf {
        path: path.to_owned(),
        message,
    };
    let gltf = parse_gltf(bytes).map_err(fail)?;
    let buffers = load_buffers(&gltf, path, base)?;
    let mesh = gltf
        .meshes()
        .next()
        .ok_or_else(|| fail("the file has no meshes".to_owned()))?;
    let mut parts = MeshParts::default();
    for primitive in mesh.primitives() {
        if primitive.mode() == gltf::mesh::Mode::Triangles {
            parts.append(&primitive, &buffers).map_err(fail)?;
        }
    }
    parts.into_mesh().map_err(fail)
}

/// Every buffer of `gltf`: the GLB binary chunk, `data:` URIs, or files below `base` (see
/// [`load_gltf`] for the checks). Errors name `path`, the glTF file.
pub(crate) fn load_buffers(
    gltf: &gltf::Gltf,
    path: &Path,
    base: Option<&Path>,
) -> Result<Vec<Vec<u8>>, CookError> {
    let fail = |message: String| CookError::Gltf {
        path: path.to_owned(),
        message,
    };
    let mut buffers = Vec::new();
    for buffer in gltf.buffers() {
        let declared = buffer.length() as u64;
        if declared > MAX_GLTF_BYTES {
            return Err(CookError::TooLarge {
                path: path.to_owned(),
                bytes: declared,
                limit: MAX_GLTF_BYTES,
            });
        }
        let data = match buffer.source() {
            gltf::buffer::Source::Bin => gltf
                .blob
                .clone()
                .ok_or_else(|| fail("buffer refers to a missing GLB binary chunk".to_owned()))?,
            gltf::buffer::Source::Uri(uri) => read_uri(uri, path, base)?,
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
    Ok(buffers)
}

/// The bytes a glTF URI names: a base64 `data:` URI, or a file below `base` (at most
/// [`MAX_GLTF_BYTES`]); any other URI, or any file when there is no `base`, is a
/// [`CookError::UnsafeUri`]. Errors name `path`, the glTF file.
pub(crate) fn read_uri(uri: &str, path: &Path, base: Option<&Path>) -> Result<Vec<u8>, CookError> {
    if uri.starts_with("data:") {
        let fail = |message: &str| CookError::Gltf {
            path: path.to_owned(),
            message: message.to_owned(),
        };
        let (_, payload) = uri
            .split_once(";base64,")
            .ok_or_else(|| fail("data URI is not base64"))?;
        // A data URI holds at most MAX_GLTF_BYTES after decoding: the file it sits in does.
        return BASE64
            .decode(payload)
            .map_err(|e| fail(&format!("data URI has invalid base64: {e}")));
    }
    let file = base
        .and_then(|base| buffer_file(base, uri))
        .ok_or_else(|| CookError::UnsafeUri {
            path: path.to_owned(),
            uri: uri.to_owned(),
        })?;
    read_capped(&file, &file)
}

/// The attributes of triangle primitives, merged into one mesh.
#[derive(Default)]
pub(crate) struct MeshParts {
    positions: Vec<Vec3>,
    normals: Vec<Vec3>,
    uvs: Vec<Vec2>,
    indices: Vec<u32>,
    all_normals: bool,
    primitives: usize,
}

impl MeshParts {
    /// Appends one triangle primitive (the caller checks its mode), after checking every
    /// accessor it reads.
    pub(crate) fn append(
        &mut self,
        primitive: &gltf::Primitive<'_>,
        buffers: &[Vec<u8>],
    ) -> Result<(), String> {
        if self.primitives == 0 {
            self.all_normals = true;
        }
        self.primitives += 1;
        // gltf's reader trusts accessor types and ranges (debug assertions, unchecked
        // arithmetic): check every accessor this reads first.
        for (semantic, accessor) in primitive.attributes() {
            use gltf::Semantic as S;
            use gltf::accessor::{DataType as D, Dimensions as V};
            let allowed: &[D] = match semantic {
                S::Positions | S::Normals => &[D::F32],
                S::TexCoords(0) => &[D::F32, D::U8, D::U16],
                _ => continue,
            };
            let dims = if matches!(semantic, S::TexCoords(_)) {
                V::Vec2
            } else {
                V::Vec3
            };
            check_accessor(&accessor, dims, allowed)?;
        }
        if let Some(accessor) = primitive.indices() {
            use gltf::accessor::DataType as D;
            check_accessor(
                &accessor,
                gltf::accessor::Dimensions::Scalar,
                &[D::U8, D::U16, D::U32],
            )?;
        }
        let reader = primitive.reader(|b| buffers.get(b.index()).map(Vec::as_slice));
        let positions_reader = reader
            .read_positions()
            .ok_or_else(|| "a triangle primitive has no positions".to_owned())?;
        let count = positions_reader.len();
        // Checked before anything is allocated: a hostile accessor count cannot reserve more.
        let total = self.positions.len() + count;
        if total > MAX_VERTICES {
            return Err(format!(
                "{total} vertices, more than the {MAX_VERTICES} a mesh may have"
            ));
        }
        let base = self.positions.len() as u32;
        self.positions.extend(positions_reader.map(Vec3::from));
        match reader.read_normals() {
            Some(n) => self.normals.extend(n.take(count).map(Vec3::from)),
            None => {
                self.all_normals = false;
                self.normals.extend(std::iter::repeat_n(Vec3::ZERO, count));
            }
        }
        match reader.read_tex_coords(0) {
            Some(t) => self.uvs.extend(t.into_f32().take(count).map(Vec2::from)),
            None => self.uvs.extend(std::iter::repeat_n(Vec2::ZERO, count)),
        }
        match reader.read_indices() {
            Some(i) => {
                for index in i.into_u32() {
                    // An index past the primitive's vertices is refused in `into_mesh`; one so
                    // large that the merged index overflows u32 is refused here.
                    let merged = base
                        .checked_add(index)
                        .ok_or_else(|| format!("index {index} overflows the merged mesh"))?;
                    self.indices.push(merged);
                }
            }
            None => self.indices.extend(base..base + count as u32),
        }
        if self.normals.len() != self.positions.len() || self.uvs.len() != self.positions.len() {
            return Err("attribute counts differ within a primitive".to_owned());
        }
        Ok(())
    }

    /// The merged mesh: indices checked, missing normals computed from the faces, tangents
    /// from the UVs, validated.
    pub(crate) fn into_mesh(self) -> Result<Mesh, String> {
        let MeshParts {
            positions,
            mut normals,
            uvs,
            indices,
            all_normals,
            ..
        } = self;
        if indices.is_empty() {
            return Err("the mesh has no triangles".to_owned());
        }
        if let Some(&i) = indices.iter().find(|&&i| i as usize >= positions.len()) {
            return Err(format!(
                "index {i} is past the last of {} vertices",
                positions.len()
            ));
        }
        if !all_normals {
            normals = face_normals(&positions, &indices, &normals);
        }
        let mesh = Mesh::from_parts(positions, normals, uvs, indices);
        mesh.validate().map_err(|e| e.to_string())?;
        Ok(mesh)
    }
}

/// Parses and validates a glTF or GLB file. Two checks come first because gltf 1.4.1 panics
/// without them on hostile files (both found by the fuzz target): a GLB header's length under
/// its own 12 bytes (a subtraction overflow), and an attribute naming a missing accessor
/// (validation indexes the POSITION accessor unchecked).
pub(crate) fn parse_gltf(bytes: &[u8]) -> Result<gltf::Gltf, String> {
    if let Some(header) = bytes.strip_prefix(b"glTF") {
        let length = header
            .get(4..8)
            .map(|l| u32::from_le_bytes([l[0], l[1], l[2], l[3]]));
        match length {
            Some(length) if length >= 12 => {}
            _ => return Err(format!("GLB header length {length:?} is under 12 bytes")),
        }
    }
    let unchecked = gltf::Gltf::from_slice_without_validation(bytes).map_err(|e| e.to_string())?;
    let root = unchecked.document.as_json();
    for (m, mesh) in root.meshes.iter().enumerate() {
        for primitive in &mesh.primitives {
            if let Some((_, index)) = primitive
                .attributes
                .iter()
                .find(|(_, index)| index.value() >= root.accessors.len())
            {
                return Err(format!(
                    "mesh {m}: attribute accessor {} does not exist ({} accessors)",
                    index.value(),
                    root.accessors.len()
                ));
            }
        }
    }
    let document = gltf::Document::from_json(root.clone()).map_err(|e| e.to_string())?;
    Ok(gltf::Gltf {
        document,
        blob: unchecked.blob,
    })
}

/// Checks that `accessor` holds `dims` elements of one of `types`, at least one of them, and
/// that every element lies inside its buffer view, and the view inside its buffer (sparse
/// accessors are refused: no exporter writes them for these attributes).
pub(crate) fn check_accessor(
    accessor: &gltf::Accessor<'_>,
    dims: gltf::accessor::Dimensions,
    types: &[gltf::accessor::DataType],
) -> Result<(), String> {
    let index = accessor.index();
    if accessor.dimensions() != dims || !types.contains(&accessor.data_type()) {
        return Err(format!(
            "accessor {index} is {:?} {:?}, expected {dims:?} of {types:?}",
            accessor.dimensions(),
            accessor.data_type()
        ));
    }
    if accessor.count() == 0 || accessor.sparse().is_some() {
        return Err(format!("accessor {index} is empty or sparse"));
    }
    let view = accessor
        .view()
        .ok_or_else(|| format!("accessor {index} has no buffer view"))?;
    let element = accessor.size();
    let stride = view.stride().unwrap_or(element);
    let end = stride
        .checked_mul(accessor.count() - 1)
        .and_then(|n| n.checked_add(element))
        .and_then(|n| n.checked_add(accessor.offset()));
    let view_end = view.offset().checked_add(view.length());
    match (end, view_end) {
        (Some(end), Some(view_end))
            if stride >= element && end <= view.length() && view_end <= view.buffer().length() =>
        {
            Ok(())
        }
        _ => Err(format!(
            "accessor {index}: {} elements of {element} bytes (stride {stride}) do not fit its \
             buffer view of {} bytes",
            accessor.count(),
            view.length()
        )),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_uris_stay_below_the_folder() {
        let base = Path::new("/assets/models");
        assert_eq!(
            buffer_file(base, "my%20mesh.bin"),
            Some(base.join("my mesh.bin"))
        );
        assert_eq!(
            buffer_file(base, "./bin/a.bin"),
            Some(base.join("./bin/a.bin"))
        );
        for bad in [
            "../secret.bin",
            "/etc/passwd",
            "bin/../../x",
            "%2E%2E/x",
            "C:/x",
            "",
            "%FF",
        ] {
            assert_eq!(buffer_file(base, bad), None, "{bad}");
        }
    }
}
