//! LOD chain generation with meshoptimizer: attribute-aware simplification, each level about
//! `ratio` of the previous one's triangles, each level optimised for the vertex cache, overdraw
//! and vertex fetch.

use glam::{Vec2, Vec3, Vec4};
use layerw_engine::lod::{LodChain, LodLevel, MAX_LEVELS};
use layerw_engine::render::{Indices, Mesh};
use meshopt::{SimplifyOptions, VertexDataAdapter};

use crate::CookError;

/// How a chain is generated. `Default` gives halving levels down to 1 % of the input or 64
/// triangles, whichever is more.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainOptions {
    /// Triangles of each level as a fraction of the previous level's, in (0, 1). Default 0.5.
    pub ratio: f32,
    /// The coarsest level has at least this many triangles. Default 64.
    pub min_triangles: usize,
    /// The coarsest level has at least this fraction of the input's triangles, in [0, 1).
    /// Default 0.01. The floor is the larger of this and `min_triangles`.
    pub min_fraction: f32,
    /// The most levels, the input's included, 1 to [`MAX_LEVELS`]. Default [`MAX_LEVELS`].
    pub max_levels: usize,
    /// A simplification that keeps more than this fraction of the previous level's triangles
    /// has stalled (the mesh cannot be simplified further without breaking seams or borders):
    /// it is dropped and the chain ends. In (0, 1). Default 0.9.
    pub stall_ratio: f32,
    /// Keep the vertices on the mesh's open borders in place (meshopt's `LockBorder`), so
    /// neighbouring chunks (terrain tiles) still meet at every level. Default false.
    pub lock_border: bool,
    /// Weight of each normal component in the simplifier's error. Default 0.5.
    pub normal_weight: f32,
    /// Weight of each UV component in the simplifier's error. Default 1.0.
    pub uv_weight: f32,
    /// The largest error a level may add to the previous one, relative to the mesh extents
    /// (meshopt's `target_error`). Default `f32::MAX`: only the triangle target limits.
    pub max_relative_error: f32,
    /// How much the overdraw optimiser may worsen the vertex cache (1.05: 5 %). Default 1.05.
    pub overdraw_threshold: f32,
}

impl Default for ChainOptions {
    fn default() -> ChainOptions {
        ChainOptions {
            ratio: 0.5,
            min_triangles: 64,
            min_fraction: 0.01,
            max_levels: MAX_LEVELS,
            stall_ratio: 0.9,
            lock_border: false,
            normal_weight: 0.5,
            uv_weight: 1.0,
            max_relative_error: f32::MAX,
            overdraw_threshold: 1.05,
        }
    }
}

impl ChainOptions {
    fn check(&self) -> Result<(), CookError> {
        let bad = |option, expected| Err(CookError::InvalidOptions { option, expected });
        let open_unit = |x: f32| x > 0.0 && x < 1.0;
        if !open_unit(self.ratio) {
            return bad("ratio", "in (0, 1)");
        }
        if !(self.min_fraction >= 0.0 && self.min_fraction < 1.0) {
            return bad("min_fraction", "in [0, 1)");
        }
        if !(1..=MAX_LEVELS).contains(&self.max_levels) {
            return bad("max_levels", "1 to 32");
        }
        if !open_unit(self.stall_ratio) {
            return bad("stall_ratio", "in (0, 1)");
        }
        let weight = |w: f32| w.is_finite() && w >= 0.0;
        if !weight(self.normal_weight) || !weight(self.uv_weight) {
            return bad("normal_weight and uv_weight", "finite and non-negative");
        }
        if self.max_relative_error.is_nan() || self.max_relative_error <= 0.0 {
            return bad("max_relative_error", "positive");
        }
        if !(self.overdraw_threshold.is_finite() && self.overdraw_threshold >= 1.0) {
            return bad("overdraw_threshold", "at least 1");
        }
        Ok(())
    }
}

/// Generates the LOD chain of `mesh`.
///
/// The finest level is the input with exact duplicate vertices merged, optimised, with error 0.
/// Each further level simplifies the previous one to about `ratio` of its triangles with
/// meshopt's attribute-aware simplifier (normals and UVs weighted; vertices that share a
/// position but not their attributes form seams, which are kept), then is optimised for the
/// vertex cache, overdraw and vertex fetch, keeping only the vertices it uses. The chain stops
/// at the floor (`min_triangles` or `min_fraction` of the input, the larger), when
/// simplification stalls, or at `max_levels`.
///
/// Each level's error is in object space: meshopt's relative error times its scale
/// (`simplify_scale`), summed along the chain, so it bounds the distance to the finest level
/// and never decreases from fine to coarse. With attribute weights above zero it includes the
/// weighted attribute error, so it is conservative.
pub fn generate_chain(mesh: &Mesh, options: &ChainOptions) -> Result<LodChain, CookError> {
    options.check()?;
    mesh.validate()?;
    let input_triangles = mesh.triangle_count();
    let floor = options
        .min_triangles
        .max((input_triangles as f64 * f64::from(options.min_fraction)).ceil() as usize)
        .max(1);

    // Fine to coarse while generating.
    let finest = weld(mesh, options)?;
    let mut levels = vec![LodLevel::new(finest, 0.0)];
    while levels.len() < options.max_levels {
        let previous = &levels[levels.len() - 1];
        let triangles = previous.triangles();
        if triangles <= floor {
            break;
        }
        let mut target = ((triangles as f64 * f64::from(options.ratio)).round() as usize)
            .clamp(floor, triangles);
        let mut simplified = simplify(&previous.mesh, target, options)?;
        // Collapses come in batches and may overshoot the target: aim higher, a few times.
        for _ in 0..3 {
            let got = simplified.indices.len() / 3;
            if got >= floor || target >= triangles {
                break;
            }
            target = (target + (floor - got)).min(triangles);
            simplified = simplify(&previous.mesh, target, options)?;
        }
        let got = simplified.indices.len() / 3;
        if got < floor || got as f64 > triangles as f64 * f64::from(options.stall_ratio) {
            break;
        }
        let error = previous.error + simplified.relative_error * simplified.scale;
        let mesh = optimise(&previous.mesh, simplified.indices, options)?;
        levels.push(LodLevel::new(mesh, error));
    }
    levels.reverse();
    Ok(LodChain::new(levels)?)
}

/// What one simplification gave: indices into the input's vertices, the error relative to the
/// input's extents, and the factor that makes it absolute.
struct Simplified {
    indices: Vec<u32>,
    relative_error: f32,
    scale: f32,
}

fn adapter(positions: &[Vec3]) -> Result<VertexDataAdapter<'_>, CookError> {
    VertexDataAdapter::new(bytemuck::cast_slice(positions), 12, 0)
        .map_err(|e| CookError::Meshopt(e.to_string()))
}

fn simplify(
    mesh: &Mesh,
    target_triangles: usize,
    options: &ChainOptions,
) -> Result<Simplified, CookError> {
    let vertices = adapter(&mesh.positions)?;
    let indices: Vec<u32> = mesh.indices.iter().collect();
    let attributes: Vec<f32> = mesh
        .normals
        .iter()
        .zip(&mesh.uvs)
        .flat_map(|(n, uv)| [n.x, n.y, n.z, uv.x, uv.y])
        .collect();
    let (wn, wu) = (options.normal_weight, options.uv_weight);
    let weights = [wn, wn, wn, wu, wu];
    // The wrapper passes the lock slice's pointer to C as is: it must cover every vertex.
    let locks = vec![false; mesh.positions.len()];
    let flags = if options.lock_border {
        SimplifyOptions::LockBorder
    } else {
        SimplifyOptions::None
    };
    let mut relative_error = 0.0;
    let indices = meshopt::simplify_with_attributes_and_locks(
        &indices,
        &vertices,
        &attributes,
        &weights,
        weights.len() * size_of::<f32>(),
        &locks,
        target_triangles * 3,
        options.max_relative_error,
        flags,
        Some(&mut relative_error),
    );
    Ok(Simplified {
        indices,
        relative_error,
        scale: meshopt::simplify_scale(&vertices),
    })
}

/// The input with exact duplicate vertices (every attribute equal) merged and optimised.
/// Vertices that share only a position stay apart: they are seams, which the simplifier keeps.
fn weld(mesh: &Mesh, options: &ChainOptions) -> Result<Mesh, CookError> {
    let vertices: Vec<[f32; 12]> = (0..mesh.positions.len())
        .map(|i| {
            let (p, n, uv, t) = (
                mesh.positions[i],
                mesh.normals[i],
                mesh.uvs[i],
                mesh.tangents[i],
            );
            [p.x, p.y, p.z, n.x, n.y, n.z, uv.x, uv.y, t.x, t.y, t.z, t.w]
        })
        .collect();
    let indices: Vec<u32> = mesh.indices.iter().collect();
    let (unique, remap) = meshopt::generate_vertex_remap(&vertices, Some(&indices));
    let mut welded = Mesh {
        positions: vec![Vec3::ZERO; unique],
        normals: vec![Vec3::ZERO; unique],
        uvs: vec![Vec2::ZERO; unique],
        tangents: vec![Vec4::ZERO; unique],
        indices: Indices::U32(Vec::new()),
    };
    for (old, &new) in remap.iter().enumerate() {
        // Vertices no triangle uses map to u32::MAX and are dropped.
        if let Some(slot) = welded.positions.get_mut(new as usize) {
            *slot = mesh.positions[old];
            welded.normals[new as usize] = mesh.normals[old];
            welded.uvs[new as usize] = mesh.uvs[old];
            welded.tangents[new as usize] = mesh.tangents[old];
        }
    }
    let indices: Vec<u32> = indices.iter().map(|&i| remap[i as usize]).collect();
    optimise(&welded, indices, options)
}

/// A mesh of `indices` into `source`'s vertices, optimised for the vertex cache (Forsyth-like
/// cache order), then overdraw, then vertex fetch (vertices in first-use order, unused ones
/// dropped).
fn optimise(
    source: &Mesh,
    mut indices: Vec<u32>,
    options: &ChainOptions,
) -> Result<Mesh, CookError> {
    let count = source.positions.len();
    meshopt::optimize_vertex_cache_in_place(&mut indices, count);
    meshopt::optimize_overdraw_in_place(
        &mut indices,
        &adapter(&source.positions)?,
        options.overdraw_threshold,
    );
    // Vertex fetch: number vertices in order of first use (what meshopt's
    // optimizeVertexFetchRemap does), and move every attribute stream accordingly.
    let mut remap = vec![u32::MAX; count];
    let mut order = Vec::with_capacity(count);
    for i in &mut indices {
        let slot = &mut remap[*i as usize];
        if *slot == u32::MAX {
            *slot = order.len() as u32;
            order.push(*i as usize);
        }
        *i = *slot;
    }
    Ok(Mesh {
        positions: order.iter().map(|&i| source.positions[i]).collect(),
        normals: order.iter().map(|&i| source.normals[i]).collect(),
        uvs: order.iter().map(|&i| source.uvs[i]).collect(),
        tangents: order.iter().map(|&i| source.tangents[i]).collect(),
        indices: Indices::from_u32(indices),
    })
}
