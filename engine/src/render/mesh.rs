//! Meshes on the CPU: vertex attributes, 16- or 32-bit indices, validation, and procedural
//! primitives (cube, UV sphere, plane, terrain grid).

use core::f32::consts::{PI, TAU};
use core::fmt;

use glam::{Vec2, Vec3, Vec4};

/// Triangle-list indices, 16-bit when every index fits.
#[derive(Clone, Debug, PartialEq)]
pub enum Indices {
    /// 16-bit indices (up to 65,535 vertices): half the index bandwidth.
    U16(Vec<u16>),
    /// 32-bit indices.
    U32(Vec<u32>),
}

impl Indices {
    /// The narrowest indices that hold `indices`.
    pub fn from_u32(indices: Vec<u32>) -> Indices {
        if indices.iter().all(|&i| i <= u32::from(u16::MAX)) {
            Indices::U16(indices.into_iter().map(|i| i as u16).collect())
        } else {
            Indices::U32(indices)
        }
    }

    /// How many indices.
    pub fn len(&self) -> usize {
        match self {
            Indices::U16(v) => v.len(),
            Indices::U32(v) => v.len(),
        }
    }

    /// True when there are no indices.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every index, widened.
    pub fn iter(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Indices::U16(v) => Box::new(v.iter().map(|&i| u32::from(i))),
            Indices::U32(v) => Box::new(v.iter().copied()),
        }
    }
}

/// Why a mesh was refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum MeshError {
    /// No vertices or no triangles.
    Empty,
    /// The attribute arrays differ in length.
    AttributeLength {
        /// The attribute.
        attribute: &'static str,
        /// Its length.
        len: usize,
        /// The number of positions.
        positions: usize,
    },
    /// The index count is not a multiple of three.
    PartialTriangle {
        /// The index count.
        indices: usize,
    },
    /// An index points past the last vertex.
    IndexOutOfRange {
        /// Where in the index list.
        at: usize,
        /// The index.
        index: u32,
        /// The vertex count.
        vertices: usize,
    },
    /// A vertex attribute is NaN or infinite.
    NonFinite {
        /// The attribute.
        attribute: &'static str,
        /// The vertex.
        vertex: usize,
    },
}

impl fmt::Display for MeshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MeshError::Empty => f.write_str("mesh has no vertices or no triangles"),
            MeshError::AttributeLength {
                attribute,
                len,
                positions,
            } => write!(f, "mesh has {len} {attribute} for {positions} positions"),
            MeshError::PartialTriangle { indices } => {
                write!(f, "mesh has {indices} indices, not a multiple of 3")
            }
            MeshError::IndexOutOfRange {
                at,
                index,
                vertices,
            } => write!(
                f,
                "mesh index {at} is {index}, past the last of {vertices} vertices"
            ),
            MeshError::NonFinite { attribute, vertex } => {
                write!(f, "mesh vertex {vertex} has a non-finite {attribute}")
            }
        }
    }
}

impl std::error::Error for MeshError {}

/// A triangle mesh on the CPU.
///
/// # Example
/// ```
/// use layerw_engine::render::Mesh;
///
/// let cube = Mesh::cube(1.0);
/// assert_eq!(cube.triangle_count(), 12);
/// cube.validate().unwrap();
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Mesh {
    /// Positions, object space.
    pub positions: Vec<Vec3>,
    /// Unit normals.
    pub normals: Vec<Vec3>,
    /// Texture coordinates.
    pub uvs: Vec<Vec2>,
    /// Tangents: xyz along +u, w the bitangent's sign.
    pub tangents: Vec<Vec4>,
    /// Triangle-list indices, counter-clockwise front faces.
    pub indices: Indices,
}

/// A mesh that passed [`Mesh::validate`], with its bounding sphere ([`Mesh::checked`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedMesh {
    mesh: Mesh,
    bounds: (Vec3, f32),
}

impl CheckedMesh {
    /// The mesh.
    pub fn mesh(&self) -> &Mesh {
        &self.mesh
    }

    /// Its bounding sphere: (centre, radius), as [`Mesh::bounding_sphere`].
    pub fn bounds(&self) -> (Vec3, f32) {
        self.bounds
    }

    /// The mesh, giving up the check.
    pub fn into_mesh(self) -> Mesh {
        self.mesh
    }
}

impl Mesh {
    /// Checks the mesh can be drawn: non-empty, matching attribute lengths, whole triangles,
    /// indices in range, finite attributes.
    pub fn validate(&self) -> Result<(), MeshError> {
        let n = self.positions.len();
        if n == 0 || self.indices.is_empty() {
            return Err(MeshError::Empty);
        }
        for (attribute, len) in [
            ("normals", self.normals.len()),
            ("uvs", self.uvs.len()),
            ("tangents", self.tangents.len()),
        ] {
            if len != n {
                return Err(MeshError::AttributeLength {
                    attribute,
                    len,
                    positions: n,
                });
            }
        }
        if !self.indices.len().is_multiple_of(3) {
            return Err(MeshError::PartialTriangle {
                indices: self.indices.len(),
            });
        }
        if let Some((at, index)) = self
            .indices
            .iter()
            .enumerate()
            .find(|(_, i)| *i as usize >= n)
        {
            return Err(MeshError::IndexOutOfRange {
                at,
                index,
                vertices: n,
            });
        }
        let finite = |attribute, bad: Option<usize>| match bad {
            Some(vertex) => Err(MeshError::NonFinite { attribute, vertex }),
            None => Ok(()),
        };
        finite(
            "position",
            self.positions.iter().position(|p| !p.is_finite()),
        )?;
        finite("normal", self.normals.iter().position(|p| !p.is_finite()))?;
        finite("uv", self.uvs.iter().position(|p| !p.is_finite()))?;
        finite("tangent", self.tangents.iter().position(|p| !p.is_finite()))?;
        Ok(())
    }

    /// How many triangles.
    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }

    /// Validates the mesh and measures its bounds: a [`CheckedMesh`], which
    /// [`MeshAssets::insert_checked`](super::MeshAssets::insert_checked) stores without doing
    /// either again (a loader does this work on its own thread, off the frame).
    pub fn checked(self) -> Result<CheckedMesh, MeshError> {
        self.validate()?;
        let bounds = self.bounding_sphere();
        Ok(CheckedMesh { mesh: self, bounds })
    }

    /// The smallest sphere around the bounding box: (centre, radius).
    pub fn bounding_sphere(&self) -> (Vec3, f32) {
        let (min, max) = self.positions.iter().fold(
            (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY)),
            |(lo, hi), p| (lo.min(*p), hi.max(*p)),
        );
        let centre = (min + max) * 0.5;
        let radius = self
            .positions
            .iter()
            .map(|p| p.distance(centre))
            .fold(0.0, f32::max);
        (centre, radius)
    }

    /// Builds a mesh from positions, normals, UVs and indices, computing tangents from the UVs.
    pub fn from_parts(
        positions: Vec<Vec3>,
        normals: Vec<Vec3>,
        uvs: Vec<Vec2>,
        indices: Vec<u32>,
    ) -> Mesh {
        let tangents = tangents(&positions, &normals, &uvs, &indices);
        Mesh {
            positions,
            normals,
            uvs,
            tangents,
            indices: Indices::from_u32(indices),
        }
    }

    /// An axis-aligned cube of edge `size`, centred on the origin, with flat faces.
    pub fn cube(size: f32) -> Mesh {
        let h = size / 2.0;
        let mut positions = Vec::with_capacity(24);
        let mut normals = Vec::with_capacity(24);
        let mut uvs = Vec::with_capacity(24);
        let mut indices = Vec::with_capacity(36);
        for normal in [
            Vec3::X,
            Vec3::NEG_X,
            Vec3::Y,
            Vec3::NEG_Y,
            Vec3::Z,
            Vec3::NEG_Z,
        ] {
            // Two axes spanning the face, right-handed with the normal.
            let up = if normal.y.abs() > 0.5 {
                Vec3::Z
            } else {
                Vec3::Y
            };
            let right = up.cross(normal);
            let base = positions.len() as u32;
            for (u, v) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)] {
                let p = normal * h + right * (u * 2.0 - 1.0) * h + up * (v * 2.0 - 1.0) * h;
                positions.push(p);
                normals.push(normal);
                uvs.push(Vec2::new(u, 1.0 - v));
            }
            indices.extend([base, base + 1, base + 2, base, base + 2, base + 3]);
        }
        Mesh::from_parts(positions, normals, uvs, indices)
    }

    /// An axis-aligned box of edge lengths `size`, centred on the origin, with flat faces and
    /// the unit cube's UVs (each face's texture stretched over it). For walls and slabs:
    /// instances scale uniformly, so a non-cubic box is its own mesh.
    pub fn cuboid(size: Vec3) -> Mesh {
        let mut mesh = Mesh::cube(1.0);
        // Scaling an axis-aligned box along its axes keeps its face normals and tangents.
        for p in &mut mesh.positions {
            *p *= size;
        }
        mesh
    }

    /// A UV sphere of `radius` with `segments` around and `rings` from pole to pole.
    pub fn sphere(radius: f32, segments: u32, rings: u32) -> Mesh {
        let (segments, rings) = (segments.max(3), rings.max(2));
        let mut positions = Vec::new();
        let mut normals = Vec::new();
        let mut uvs = Vec::new();
        for ring in 0..=rings {
            let v = ring as f32 / rings as f32;
            let theta = v * PI;
            for segment in 0..=segments {
                let u = segment as f32 / segments as f32;
                let phi = u * TAU;
                let n = Vec3::new(
                    theta.sin() * phi.cos(),
                    theta.cos(),
                    -theta.sin() * phi.sin(),
                );
                positions.push(n * radius);
                normals.push(n);
                uvs.push(Vec2::new(u, v));
            }
        }
        let mut indices = Vec::new();
        let row = segments + 1;
        for ring in 0..rings {
            for segment in 0..segments {
                let a = ring * row + segment;
                let b = a + row;
                if ring != 0 {
                    indices.extend([a, b, a + 1]);
                }
                if ring != rings - 1 {
                    indices.extend([a + 1, b, b + 1]);
                }
            }
        }
        Mesh::from_parts(positions, normals, uvs, indices)
    }

    /// A flat square of edge `size` in the XZ plane, facing +Y.
    pub fn plane(size: f32) -> Mesh {
        Mesh::grid(size, 1, |_, _| 0.0)
    }

    /// A terrain grid of edge `size` in the XZ plane with `cells` x `cells` quads, lifted by
    /// `height(x, z)`; normals come from the height field.
    pub fn grid(size: f32, cells: u32, height: impl Fn(f32, f32) -> f32) -> Mesh {
        let cells = cells.max(1);
        let step = size / cells as f32;
        let at = |i: u32, j: u32| {
            let x = -size / 2.0 + i as f32 * step;
            let z = -size / 2.0 + j as f32 * step;
            Vec3::new(x, height(x, z), z)
        };
        let mut positions = Vec::new();
        let mut normals = Vec::new();
        let mut uvs = Vec::new();
        for j in 0..=cells {
            for i in 0..=cells {
                let p = at(i, j);
                // Central differences (one-sided at the edges).
                let dx = at((i + 1).min(cells), j) - at(i.saturating_sub(1), j);
                let dz = at(i, (j + 1).min(cells)) - at(i, j.saturating_sub(1));
                positions.push(p);
                normals.push(dz.cross(dx).normalize_or(Vec3::Y));
                uvs.push(Vec2::new(i as f32 / cells as f32, j as f32 / cells as f32));
            }
        }
        let row = cells + 1;
        let mut indices = Vec::new();
        for j in 0..cells {
            for i in 0..cells {
                let a = j * row + i;
                indices.extend([a, a + row, a + 1, a + 1, a + row, a + row + 1]);
            }
        }
        Mesh::from_parts(positions, normals, uvs, indices)
    }
}

/// Per-vertex tangents from UV derivatives (Lengyel's method), orthogonalised against the
/// normal; w is the handedness. Degenerate UVs fall back to any vector perpendicular to n.
fn tangents(positions: &[Vec3], normals: &[Vec3], uvs: &[Vec2], indices: &[u32]) -> Vec<Vec4> {
    let mut tan = vec![Vec3::ZERO; positions.len()];
    let mut bitan = vec![Vec3::ZERO; positions.len()];
    let in_range = |i: u32| (i as usize) < positions.len() && (i as usize) < uvs.len();
    for t in indices.chunks_exact(3) {
        if !t.iter().all(|&i| in_range(i)) {
            continue;
        }
        let [a, b, c] = [t[0] as usize, t[1] as usize, t[2] as usize];
        let (e1, e2) = (positions[b] - positions[a], positions[c] - positions[a]);
        let (d1, d2) = (uvs[b] - uvs[a], uvs[c] - uvs[a]);
        let det = d1.x * d2.y - d2.x * d1.y;
        if det.abs() < 1e-12 {
            continue;
        }
        let r = 1.0 / det;
        let s = (e1 * d2.y - e2 * d1.y) * r;
        let u = (e2 * d1.x - e1 * d2.x) * r;
        for i in [a, b, c] {
            tan[i] += s;
            bitan[i] += u;
        }
    }
    (0..positions.len())
        .map(|i| {
            let n = normals.get(i).copied().unwrap_or(Vec3::Y);
            let t = (tan[i] - n * n.dot(tan[i])).normalize_or(n.any_orthonormal_vector());
            let w = if n.cross(t).dot(bitan[i]) < 0.0 {
                -1.0
            } else {
                1.0
            };
            t.extend(w)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cuboid_spans_its_size_with_outward_faces() {
        let slab = Mesh::cuboid(Vec3::new(4.0, 0.5, 1.0));
        assert!(slab.validate().is_ok());
        assert!(outward(&slab));
        let (min, max) = slab.positions.iter().fold(
            (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)),
            |(lo, hi), p| (lo.min(*p), hi.max(*p)),
        );
        assert_eq!(
            (min, max),
            (Vec3::new(-2.0, -0.25, -0.5), Vec3::new(2.0, 0.25, 0.5))
        );
    }

    fn outward(mesh: &Mesh) -> bool {
        // Every triangle's winding agrees with its vertex normals (front faces CCW).
        let idx: Vec<u32> = mesh.indices.iter().collect();
        idx.chunks_exact(3).all(|t| {
            let [a, b, c] = [t[0] as usize, t[1] as usize, t[2] as usize];
            let p = &mesh.positions;
            let face = (p[b] - p[a]).cross(p[c] - p[a]);
            face.length() < 1e-9
                || face.dot(mesh.normals[a] + mesh.normals[b] + mesh.normals[c]) > 0.0
        })
    }

    #[test]
    fn primitives_are_valid_and_wound_outward() {
        for (name, mesh) in [
            ("cube", Mesh::cube(2.0)),
            ("sphere", Mesh::sphere(1.0, 16, 8)),
            ("plane", Mesh::plane(4.0)),
            (
                "grid",
                Mesh::grid(10.0, 8, |x, z| (x * 0.5).sin() * z.cos()),
            ),
        ] {
            mesh.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(outward(&mesh), "{name} has inward triangles");
            assert!(matches!(mesh.indices, Indices::U16(_)));
            for (n, t) in mesh.normals.iter().zip(&mesh.tangents) {
                assert!((n.length() - 1.0).abs() < 1e-4);
                assert!(
                    n.dot(t.truncate()).abs() < 1e-3,
                    "{name}: tangent not orthogonal"
                );
            }
        }
        assert_eq!(Mesh::sphere(1.0, 16, 8).triangle_count(), 16 * 8 * 2 - 32);
        let (centre, radius) = Mesh::cube(2.0).bounding_sphere();
        assert!(centre.length() < 1e-6 && (radius - 3f32.sqrt()).abs() < 1e-5);
    }

    #[test]
    fn invalid_meshes_give_typed_errors() {
        let mut m = Mesh::cube(1.0);
        m.indices = Indices::U16(vec![0, 1, 99]);
        assert_eq!(
            m.validate(),
            Err(MeshError::IndexOutOfRange {
                at: 2,
                index: 99,
                vertices: 24
            })
        );
        let mut m = Mesh::cube(1.0);
        m.positions[5].y = f32::NAN;
        assert_eq!(
            m.validate(),
            Err(MeshError::NonFinite {
                attribute: "position",
                vertex: 5
            })
        );
        let mut m = Mesh::cube(1.0);
        m.indices = Indices::U32(vec![0, 1]);
        assert_eq!(m.validate(), Err(MeshError::PartialTriangle { indices: 2 }));
        let mut m = Mesh::cube(1.0);
        m.uvs.pop();
        assert!(matches!(
            m.validate(),
            Err(MeshError::AttributeLength {
                attribute: "uvs",
                ..
            })
        ));
        let empty = Mesh::from_parts(vec![], vec![], vec![], vec![]);
        assert_eq!(empty.validate(), Err(MeshError::Empty));
        // Large meshes get 32-bit indices.
        assert!(matches!(
            Indices::from_u32(vec![0, 70_000, 1]),
            Indices::U32(_)
        ));
    }
}
