//! The showcase's content pack: real glTF models (Khronos samples in `assets/gltf/`, licences
//! beside them) cooked by `layerw-cook` into one pack: BoxTextured crates stacked round the
//! square, and CesiumMan (a textured, skinned character with its walk cycle). Native only (the cook's mesh simplifier does not build for the web); tests include
//! this file.

use std::path::{Path, PathBuf};

use layerw::engine::stream::{PackEntity, PackWriter};
use layerw::prelude::*;
use layerw_cook::{ChainOptions, load_scene};

/// World cells of 64 m: the whole showcase is a few cells.
pub const CELL_SIZE: f32 = 64.0;

/// Where the crates stand: (position of the crate's centre, turn about Y).
const CRATES: [(Vec3, f32); 7] = [
    (Vec3::new(-4.0, 0.5, -3.0), 0.0),
    (Vec3::new(-2.9, 0.5, -3.3), 0.5),
    (Vec3::new(-3.5, 1.5, -3.1), 0.2),
    (Vec3::new(5.0, 0.5, 2.5), 0.8),
    (Vec3::new(5.6, 0.5, 3.6), 0.1),
    (Vec3::new(-6.5, 0.5, 4.0), 1.2),
    (Vec3::new(1.5, 0.5, -7.0), 0.3),
];

/// The models' folder in the repository.
pub fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/gltf")
}

/// Writes the showcase's pack into `dir` (created if missing; a pack already there is
/// replaced). Returns the entities written.
pub fn make_pack(dir: &Path) -> Result<usize, String> {
    let mut writer = PackWriter::to_dir(dir, CELL_SIZE, 1 << 20)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut crates = load_scene(models().join("BoxTextured/BoxTextured.gltf"))
        .map_err(|e| format!("BoxTextured: {e}"))?;
    // The sample is one unit cube (its node turns it): a copy of its entities per crate.
    let model: Vec<PackEntity> = crates.entities.clone();
    crates.entities = CRATES
        .iter()
        .flat_map(|&(at, turn)| {
            let place = Mat4::from_rotation_translation(Quat::from_rotation_y(turn), at);
            model.iter().map(move |e| {
                let own = Mat4::from_scale_rotation_translation(e.scale, e.rotation, e.translation);
                let (scale, rotation, translation) = (place * own).to_scale_rotation_translation();
                PackEntity {
                    translation,
                    rotation,
                    scale,
                    ..*e
                }
            })
        })
        .collect();
    let summary = crates
        .write_pack(&ChainOptions::default(), &mut writer)
        .map_err(|e| e.to_string())?;
    let walker = load_scene(models().join("CesiumMan/CesiumMan.glb"))
        .map_err(|e| format!("CesiumMan: {e}"))?
        .write_pack(&ChainOptions::default(), &mut writer)
        .map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok((summary.entities + walker.entities + walker.skinned_entities) as usize)
}
