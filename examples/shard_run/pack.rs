//! The arena's content pack (native only: the cook's mesh simplifier does not build for the
//! web): every obstacle of `world::obstacles()` as a static entity with a LOD chain, placed in
//! 16 m world cells that stream in round the camera, and CesiumMan (a Khronos sample, CC BY
//! 4.0, licence in assets/gltf/CesiumMan) as every runner's body with his walk cycle.

use std::path::Path;

use layerw::engine::render::Mesh;
use layerw::engine::stream::{PackEntity, PackMaterial, PackWriter};
use layerw::prelude::*;
use layerw_cook::{ChainOptions, generate_chain, load_scene};

use crate::world::{self, Shape};

/// World cells of 16 m: the arena is a few dozen of them.
pub const CELL_SIZE: f32 = 16.0;

/// A cheap smooth bump field on the unit sphere, different per `seed`.
fn bumps(p: Vec3, seed: f32) -> f32 {
    let a = (p.x * 3.1 + seed).sin() * (p.y * 2.7 - seed).cos();
    let b = (p.z * 4.3 + 2.0 * seed).sin() * (p.x * 1.9 + p.y * 3.3).cos();
    0.6 * a + 0.4 * b
}

/// A sphere displaced by `bumps` and stretched by `stretch`, its normals recomputed from its
/// faces (vertices on the seam share positions, so they share bumps).
fn lump(seed: f32, stretch: Vec3, sink: f32) -> Mesh {
    let sphere = Mesh::sphere(1.0, 40, 20);
    let positions: Vec<Vec3> = sphere
        .positions
        .iter()
        .map(|&p| p * (1.0 + 0.16 * bumps(p, seed)) * stretch - Vec3::Y * sink)
        .collect();
    let indices: Vec<u32> = sphere.indices.iter().collect();
    let mut normals = vec![Vec3::ZERO; positions.len()];
    for tri in indices.chunks_exact(3) {
        let [a, b, c] = [tri[0], tri[1], tri[2]].map(|i| i as usize);
        let face = (positions[b] - positions[a]).cross(positions[c] - positions[a]);
        for i in [a, b, c] {
            normals[i] += face;
        }
    }
    let normals = normals
        .into_iter()
        .zip(&sphere.normals)
        .map(|(n, fallback)| n.try_normalize().unwrap_or(*fallback))
        .collect();
    Mesh::from_parts(positions, normals, sphere.uvs.clone(), indices)
}

/// A cluster of flat-shaded six-sided crystals with pointed tops, within a unit circle.
fn crystals() -> Mesh {
    let (mut positions, mut normals, mut uvs, mut indices) = (vec![], vec![], vec![], vec![]);
    let mut face = |corners: [Vec3; 3]| {
        let normal = (corners[1] - corners[0])
            .cross(corners[2] - corners[0])
            .normalize_or_zero();
        for (k, corner) in corners.into_iter().enumerate() {
            indices.push(positions.len() as u32);
            positions.push(corner);
            normals.push(normal);
            uvs.push(Vec2::new(k as f32 * 0.5, corner.y * 0.3));
        }
    };
    // (base on the floor, lean, height, radius)
    let spikes = [
        (Vec2::new(0.0, 0.0), Vec2::new(0.0, 0.0), 2.4, 0.32),
        (Vec2::new(0.45, 0.2), Vec2::new(0.5, 0.2), 1.6, 0.24),
        (Vec2::new(-0.35, 0.35), Vec2::new(-0.45, 0.35), 1.3, 0.22),
        (Vec2::new(-0.1, -0.5), Vec2::new(-0.1, -0.55), 1.0, 0.2),
    ];
    for (base, lean, height, radius) in spikes {
        let up = Vec3::new(lean.x, 1.0, lean.y).normalize();
        let side = up.cross(Vec3::Z).normalize();
        let other = up.cross(side);
        let ring = |t: f32, r: f32| -> [Vec3; 6] {
            std::array::from_fn(|k| {
                let angle = k as f32 * core::f32::consts::TAU / 6.0;
                Vec3::new(base.x, -0.2, base.y)
                    + up * t
                    + (side * angle.cos() + other * angle.sin()) * r
            })
        };
        let (bottom, top) = (ring(0.0, radius), ring(height * 0.75, radius));
        let tip = Vec3::new(base.x, -0.2, base.y) + up * height;
        for k in 0..6 {
            let n = (k + 1) % 6;
            // Counter-clockwise seen from outside (the rings turn counter-clockwise about `up`).
            face([bottom[k], bottom[n], top[n]]);
            face([bottom[k], top[n], top[k]]);
            face([top[k], top[n], tip]);
        }
    }
    Mesh::from_parts(positions, normals, uvs, indices)
}

/// Writes the arena's pack into `dir` (created if missing; a pack already there is replaced).
/// Returns the entities written.
pub fn make_pack(dir: &Path) -> Result<usize, String> {
    let mut writer = PackWriter::to_dir(dir, CELL_SIZE, 1 << 20)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let options = ChainOptions::default();
    let add_mesh = |writer: &mut PackWriter, mesh: Mesh| -> Result<u32, String> {
        let chain = generate_chain(&mesh, &options).map_err(|e| e.to_string())?;
        writer.add_mesh(&chain).map_err(|e| e.to_string())
    };
    let rocks = [
        add_mesh(&mut writer, lump(0.0, Vec3::new(1.0, 0.62, 0.95), 0.15))?,
        add_mesh(&mut writer, lump(1.7, Vec3::new(1.05, 0.8, 0.9), 0.2))?,
        add_mesh(&mut writer, lump(3.1, Vec3::new(0.95, 0.5, 1.05), 0.1))?,
    ];
    let pillar = add_mesh(&mut writer, lump(5.3, Vec3::new(1.0, 3.6, 1.0), 0.3))?;
    let crystal = add_mesh(&mut writer, crystals())?;
    let material = |writer: &mut PackWriter, material: PackMaterial| {
        writer.add_material(material).map_err(|e| e.to_string())
    };
    let stone = material(
        &mut writer,
        PackMaterial {
            base_color: Vec4::new(0.42, 0.38, 0.34, 1.0),
            roughness: 0.9,
            ..PackMaterial::default()
        },
    )?;
    let basalt = material(
        &mut writer,
        PackMaterial {
            base_color: Vec4::new(0.2, 0.21, 0.24, 1.0),
            roughness: 0.75,
            ..PackMaterial::default()
        },
    )?;
    let glow = material(
        &mut writer,
        PackMaterial {
            base_color: Vec4::new(0.3, 0.75, 0.9, 1.0),
            emissive: Vec3::new(0.15, 0.7, 1.0),
            emissive_strength: 2.5,
            roughness: 0.2,
            ..PackMaterial::default()
        },
    )?;
    let obstacles = world::obstacles();
    for obstacle in &obstacles {
        let (mesh, material) = match obstacle.shape {
            Shape::Rock(variant) => (rocks[usize::from(variant) % rocks.len()], stone),
            Shape::Pillar => (pillar, basalt),
            Shape::Crystal => (crystal, glow),
        };
        writer
            .add_entity(PackEntity {
                mesh,
                material,
                translation: Vec3::new(obstacle.at.x, 0.0, obstacle.at.y),
                rotation: Quat::from_rotation_y(obstacle.turn),
                scale: Vec3::splat(obstacle.radius),
                is_static: true,
            })
            .map_err(|e| e.to_string())?;
    }
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/gltf");
    let body = load_scene(models.join("CesiumMan/CesiumMan.glb"))
        .map_err(|e| format!("CesiumMan: {e}"))?
        .write_pack(&ChainOptions::default(), &mut writer)
        .map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(obstacles.len() + (body.entities + body.skinned_entities) as usize)
}
