//! A generated world for streaming tests and the `bench_stream` benchmark: thousands of
//! procedural meshes with real LOD chains (rocks, trees, buildings), procedural textures with
//! real mip chains, materials, and entities spread over a square of world cells, written into a
//! content pack. Deterministic for a seed.

mod noise;
mod pattern;
mod shape;

use glam::{Quat, Vec3, Vec4};
use layerw_engine::lod::LodChain;
use layerw_engine::render::TextureImage;
use layerw_engine::stream::{PackEntity, PackMaterial, PackWriter};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

use crate::CookError;
use noise::Noise;
use pattern::Pattern;
use shape::{COARSEST_SEGMENTS, Shape, ShapeKind};

/// Untextured materials every world starts with (so a world of meshes only still has some).
const PLAIN_MATERIALS: u32 = 4;

/// Assets made in parallel at a time (while the previous batch is written). Fixed, not the
/// thread count: the world must not depend on the machine.
const BATCH: usize = 16;

/// What world to generate. `Default` is the benchmark's: 256 cells of 64 m, meshes up to 256
/// segments around, textures 256 to 1024 px, half the bytes in textures.
///
/// # Example
/// ```
/// use layerw_cook::{WorldParams, generate_world};
/// use layerw_engine::stream::{PackManifest, PackWriter};
///
/// let params = WorldParams {
///     target_bytes: 200_000,
///     cells_per_side: 2,
///     max_mesh_segments: 16,
///     min_texture_size: 16,
///     max_texture_size: 16,
///     ..WorldParams::new(7)
/// };
/// let mut writer = PackWriter::in_memory(params.cell_size).unwrap();
/// let summary = generate_world(&params, &mut writer).unwrap();
/// let pack = writer.finish().unwrap();
/// let manifest = PackManifest::from_bytes(&pack.manifest_bytes).unwrap();
/// assert_eq!(manifest.meshes.len(), summary.meshes as usize);
/// assert_eq!(manifest.cells.len(), 4);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WorldParams {
    /// The seed: the same parameters give the same pack, byte for byte.
    pub seed: u64,
    /// Stop adding meshes and textures once the pack's blobs hold this many bytes (the last
    /// asset may go past it; at least one mesh is always written).
    pub target_bytes: u64,
    /// The edge of a world cell in metres (positive, finite).
    pub cell_size: f32,
    /// The world is `cells_per_side` x `cells_per_side` cells around the origin, each with at
    /// least one entity. 1 to 1024.
    pub cells_per_side: u32,
    /// The share of bytes spent on textures, in [0, 1). Measured on the raw (decompressed)
    /// sizes as assets are planned.
    pub texture_share: f32,
    /// Entities per mesh on average (each mesh and each texture is placed at least once). 1 to
    /// 64.
    pub instances_per_mesh: u32,
    /// The finest level's segments around (rings: half as many) of the most detailed meshes;
    /// a power of two from 8 to 1024. Meshes take 32 to 256, capped by this.
    pub max_mesh_segments: u32,
    /// The smallest texture edge, a power of two from 4 to `max_texture_size`.
    pub min_texture_size: u32,
    /// The largest texture edge, a power of two up to 1024
    /// ([`MAX_TEXTURE_SIZE`](layerw_engine::stream::MAX_TEXTURE_SIZE)). Textures take 256 to
    /// 1024, clamped to `min_texture_size..=max_texture_size`.
    pub max_texture_size: u32,
}

impl WorldParams {
    /// The default world of `seed` (2 GiB; see [`WorldParams`]).
    pub fn new(seed: u64) -> WorldParams {
        WorldParams {
            seed,
            target_bytes: 2 << 30,
            cell_size: 64.0,
            cells_per_side: 16,
            texture_share: 0.5,
            instances_per_mesh: 4,
            max_mesh_segments: 256,
            min_texture_size: 256,
            max_texture_size: 1024,
        }
    }

    fn check(&self) -> Result<(), CookError> {
        let bad = |option, expected| Err(CookError::InvalidOptions { option, expected });
        let power_of_two = |n: u32, lo: u32, hi: u32| n.is_power_of_two() && (lo..=hi).contains(&n);
        if !(self.cell_size.is_finite() && self.cell_size > 0.0) {
            return bad("cell_size", "positive and finite");
        }
        if !(1..=1024).contains(&self.cells_per_side) {
            return bad("cells_per_side", "1 to 1024");
        }
        if !(self.texture_share >= 0.0 && self.texture_share < 1.0) {
            return bad("texture_share", "in [0, 1)");
        }
        if !(1..=64).contains(&self.instances_per_mesh) {
            return bad("instances_per_mesh", "1 to 64");
        }
        if !power_of_two(self.max_mesh_segments, COARSEST_SEGMENTS, 1024) {
            return bad("max_mesh_segments", "a power of two from 8 to 1024");
        }
        if !power_of_two(self.max_texture_size, 4, 1024) {
            return bad("max_texture_size", "a power of two from 4 to 1024");
        }
        if !power_of_two(self.min_texture_size, 4, self.max_texture_size) {
            return bad(
                "min_texture_size",
                "a power of two from 4 to max_texture_size",
            );
        }
        Ok(())
    }
}

impl Default for WorldParams {
    fn default() -> WorldParams {
        WorldParams::new(0)
    }
}

/// What [`generate_world`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorldSummary {
    /// Meshes (LOD chains).
    pub meshes: u32,
    /// Mesh levels, all meshes together.
    pub mesh_levels: u32,
    /// Triangles of the finest levels, all meshes together.
    pub finest_triangles: u64,
    /// Textures (half base colour, half normal maps).
    pub textures: u32,
    /// Materials: the plain ones and one per base colour and normal map pair.
    pub materials: u32,
    /// Entities placed.
    pub entities: u32,
    /// World cells (every one holds at least one entity).
    pub cells: u32,
    /// Bytes in the pack's blobs when generation stopped (the manifest not counted).
    pub blob_bytes: u64,
}

/// One asset to make: planned in order, made in parallel, written in order.
enum Plan {
    Mesh(Shape),
    Material(Pattern, f32),
}

/// An asset as written, in the order written: what the entities must first use in that order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Added {
    /// A mesh, by index (meshes are added in index order).
    Mesh(u32),
    /// A textured material, by index, for its pair of textures (added just before it).
    Material(u32),
}

/// A made asset.
enum Made {
    Mesh(LodChain),
    Material {
        colour: TextureImage,
        normal: TextureImage,
        roughness: f32,
    },
}

/// The random numbers of one thing of the world: independent of every other's, so assets can
/// be made in any order and on any thread.
fn rng_for(seed: u64, stream: u64, index: u64) -> SmallRng {
    let mut mix = SmallRng::seed_from_u64(seed ^ stream.rotate_left(40));
    let salt: u64 = mix.random();
    SmallRng::seed_from_u64(salt.wrapping_add(index))
}

/// Generates a world into `writer` (see [`WorldParams`]): meshes and material textures,
/// planned so that about `texture_share` of the raw bytes are textures, until the blobs hold
/// `target_bytes`; then plain and textured materials; then entities over every cell.
///
/// Meshes are rocks, trees and buildings, each a closed procedural surface tessellated at 8 to
/// 256 segments around (levels halving the segments, the coarsest at 8); each level's error is
/// measured against the finest. Each textured material has a base colour texture and a
/// normal map made from one tiling height field (stone, bricks or planks). Entities are static,
/// each at a random spot, yaw and scale inside its cell; walking the cells in the pack's order,
/// they use the assets for the first time in the order the assets were written, so a cell's
/// new assets have their coarsest levels back to back.
pub fn generate_world(
    params: &WorldParams,
    writer: &mut PackWriter,
) -> Result<WorldSummary, CookError> {
    params.check()?;
    let noise = Noise::new(params.seed);
    let mut summary = WorldSummary::default();
    let mut materials = Vec::new();
    let mut added = Vec::new();
    let mut planned = Planner::new(params);
    // Writing one batch (on this thread) overlaps making the next (on the others).
    let mut made = make_batch(&mut planned, &noise)?;
    loop {
        let plans: Vec<Plan> = (0..BATCH).map(|_| planned.next()).collect();
        let (written, next) = rayon::join(
            || {
                let mut written = Written {
                    summary: &mut summary,
                    materials: &mut materials,
                    added: &mut added,
                };
                write_batch(made, params, writer, &mut written)
            },
            || make_plans(plans, &noise),
        );
        if written? {
            break;
        }
        made = next?;
    }
    summary.blob_bytes = writer.blob_bytes();
    let mut rng = rng_for(params.seed, 1, 0);
    for _ in 0..PLAIN_MATERIALS {
        let colour = Vec3::new(rng.random(), rng.random(), rng.random());
        writer.add_material(PackMaterial {
            base_color: colour.extend(1.0),
            emissive: Vec3::ZERO,
            metallic: rng.random_range(0.0..0.3),
            roughness: rng.random_range(0.4..1.0),
            base_color_texture: None,
            normal_texture: None,
            ..PackMaterial::default()
        })?;
    }
    summary.materials = PLAIN_MATERIALS;
    for material in materials {
        writer.add_material(material)?;
        summary.materials += 1;
    }
    summary.cells = params.cells_per_side * params.cells_per_side;
    summary.entities = place_entities(params, &added, writer)?;
    Ok(summary)
}

/// Plans and makes the next batch.
fn make_batch(planner: &mut Planner<'_>, noise: &Noise) -> Result<Vec<Made>, CookError> {
    make_plans((0..BATCH).map(|_| planner.next()).collect(), noise)
}

/// Makes planned assets in parallel, in order.
fn make_plans(plans: Vec<Plan>, noise: &Noise) -> Result<Vec<Made>, CookError> {
    plans
        .into_par_iter()
        .map(|plan| make(plan, noise))
        .collect()
}

/// What writing has produced so far.
struct Written<'a> {
    summary: &'a mut WorldSummary,
    /// The textured materials, added after every asset is written.
    materials: &'a mut Vec<PackMaterial>,
    /// Every asset, in the order written.
    added: &'a mut Vec<Added>,
}

/// Writes made assets in order until the blobs reach the target (once a mesh is written);
/// `true` when they did.
fn write_batch(
    made: Vec<Made>,
    params: &WorldParams,
    writer: &mut PackWriter,
    written: &mut Written<'_>,
) -> Result<bool, CookError> {
    let Written {
        summary,
        materials,
        added,
    } = written;
    for asset in made {
        match asset {
            Made::Mesh(chain) => {
                added.push(Added::Mesh(writer.add_mesh(&chain)?));
                summary.meshes += 1;
                summary.mesh_levels += chain.level_count() as u32;
                summary.finest_triangles += chain.finest().triangles() as u64;
            }
            Made::Material {
                colour,
                normal,
                roughness,
            } => {
                let colour = writer.add_texture(&colour, true, false)?;
                let normal = writer.add_texture(&normal, false, false)?;
                summary.textures += 2;
                added.push(Added::Material(PLAIN_MATERIALS + materials.len() as u32));
                materials.push(PackMaterial {
                    base_color: Vec4::ONE,
                    emissive: Vec3::ZERO,
                    metallic: 0.0,
                    roughness,
                    base_color_texture: Some(colour),
                    normal_texture: Some(normal),
                    ..PackMaterial::default()
                });
            }
        }
        if writer.blob_bytes() >= params.target_bytes && summary.meshes > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Makes one planned asset.
fn make(plan: Plan, noise: &Noise) -> Result<Made, CookError> {
    Ok(match plan {
        Plan::Mesh(shape) => Made::Mesh(shape.chain(noise)?),
        Plan::Material(pattern, roughness) => {
            let (colour, normal) = pattern.textures(noise);
            Made::Material {
                colour,
                normal,
                roughness,
            }
        }
    })
}

/// Places the entities: `instances_per_mesh` per mesh, or one per cell, or one per asset
/// introduced (below), whichever is more. Every cell gets one entity, the rest go to cells at
/// random. Then, walking the entities in the pack's cell order ((x, z), the order the writer
/// sorts cells in; entities in a cell in the order placed), each entity takes the next assets
/// not yet used, in the order they were written (a textured material, then a mesh), or else
/// one already used at random. So assets are first used in the order they were written, and
/// the coarsest levels of a cell's new assets lie back to back in the coarse blobs: a streamer
/// reads them together.
fn place_entities(
    params: &WorldParams,
    added: &[Added],
    writer: &mut PackWriter,
) -> Result<u32, CookError> {
    let side = params.cells_per_side;
    let cells = side * side;
    let meshes = added.iter().filter(|a| matches!(a, Added::Mesh(_))).count() as u32;
    let count = (meshes * params.instances_per_mesh)
        .max(cells)
        .max(introductions(added));
    let mut rng = rng_for(params.seed, 2, 0);
    // Cells around the origin: -side/2 .. side - side/2 on both axes.
    let half = (side / 2) as i32;
    let mut spots: Vec<([i32; 2], Vec3, Quat, Vec3)> = (0..count)
        .map(|k| {
            let cell = if k < cells {
                k
            } else {
                rng.random_range(0..cells)
            };
            let (cx, cz) = ((cell % side) as i32 - half, (cell / side) as i32 - half);
            // Away from the cell's edges, so rounding cannot move it to a neighbour.
            let x = (cx as f32 + rng.random_range(0.02..0.98)) * params.cell_size;
            let z = (cz as f32 + rng.random_range(0.02..0.98)) * params.cell_size;
            let yaw = Quat::from_rotation_y(rng.random_range(0.0..core::f32::consts::TAU));
            let scale = Vec3::splat(rng.random_range(0.6..1.6));
            ([cx, cz], Vec3::new(x, 0.0, z), yaw, scale)
        })
        .collect();
    // Stable: the order within a cell stays the order placed.
    spots.sort_by_key(|spot| spot.0);
    let mut next = added.iter().copied().peekable();
    // Meshes and textured materials are written in index order: those below these are used.
    let (mut used_meshes, mut used_materials) = (0, PLAIN_MATERIALS);
    for (_, translation, rotation, scale) in spots {
        let material = match next.next_if(|a| matches!(a, Added::Material(_))) {
            Some(Added::Material(m)) => m,
            _ => rng.random_range(0..used_materials),
        };
        used_materials = used_materials.max(material + 1);
        let mesh = match next.next_if(|a| matches!(a, Added::Mesh(_))) {
            Some(Added::Mesh(m)) => m,
            // The planner writes a mesh right after the first material, so some mesh is used
            // by now; `max(1)` only keeps the range valid.
            _ => rng.random_range(0..used_meshes.max(1)),
        };
        used_meshes = used_meshes.max(mesh + 1);
        writer.add_entity(PackEntity {
            mesh,
            material,
            translation,
            rotation,
            scale,
            is_static: true,
        })?;
    }
    Ok(count)
}

/// The entities it takes for every asset to be used: each introduces a textured material
/// followed by a mesh, or one of them.
fn introductions(added: &[Added]) -> u32 {
    let mut count = 0;
    let mut next = added.iter().peekable();
    while let Some(first) = next.next() {
        if matches!(first, Added::Material(_)) {
            next.next_if(|a| matches!(a, Added::Mesh(_)));
        }
        count += 1;
    }
    count
}

/// Plans assets one after another: a material (two textures) whenever textures are under
/// their share of the raw bytes planned so far, else a mesh.
struct Planner<'a> {
    params: &'a WorldParams,
    index: u64,
    texture_bytes: f64,
    mesh_bytes: f64,
}

impl<'a> Planner<'a> {
    fn new(params: &'a WorldParams) -> Self {
        Planner {
            params,
            index: 0,
            texture_bytes: 0.0,
            mesh_bytes: 0.0,
        }
    }

    fn next(&mut self) -> Plan {
        let params = self.params;
        let mut rng = rng_for(params.seed, 0, self.index);
        self.index += 1;
        let share = f64::from(params.texture_share);
        let total = self.texture_bytes + self.mesh_bytes;
        if self.texture_bytes <= share * total && share > 0.0 {
            let size = pick(&mut rng, &[(256, 0.5), (512, 0.35), (1024, 0.15)])
                .clamp(params.min_texture_size, params.max_texture_size);
            // Two textures with their mips (4/3 of the top level).
            self.texture_bytes += 2.0 * f64::from(size * size * 4) * 4.0 / 3.0;
            let roughness = rng.random_range(0.4..0.95);
            Plan::Material(Pattern::random(size, &mut rng), roughness)
        } else {
            let segments = pick(&mut rng, &[(32, 0.3), (64, 0.35), (128, 0.25), (256, 0.1)])
                .min(params.max_mesh_segments);
            let kind = match rng.random_range(0..10) {
                0..4 => ShapeKind::Rock,
                4..7 => ShapeKind::Tree,
                _ => ShapeKind::Building,
            };
            // 48 bytes a vertex, 2 triangles of 16-bit indices a vertex, all levels 4/3 of the
            // finest.
            let vertices = f64::from((segments + 1) * (segments / 2 + 1));
            self.mesh_bytes += vertices * (48.0 + 12.0) * 4.0 / 3.0;
            Plan::Mesh(Shape::random(kind, segments, &mut rng))
        }
    }
}

/// One of `choices` by weight.
fn pick(rng: &mut SmallRng, choices: &[(u32, f32)]) -> u32 {
    let total: f32 = choices.iter().map(|c| c.1).sum();
    let mut roll = rng.random_range(0.0..total);
    for &(value, weight) in choices {
        if roll < weight {
            return value;
        }
        roll -= weight;
    }
    choices[choices.len() - 1].0
}
