//! stream_demo's world: a small pack made by the cook's world generator with a fixed seed (a
//! few MB: LOD chains of rocks, trees and buildings, textures with mip chains, 4 x 4 cells of
//! 32 m), written into a folder. Native only (the cook's mesh simplifier does not build for
//! the web); tests include this file.

use std::path::Path;

use layerw::engine::stream::PackWriter;
use layerw_cook::{WorldParams, WorldSummary, generate_world};

/// Blob files of about 1 MiB: the pack has several, as a real one would.
const BLOB_LIMIT: u64 = 1 << 20;

/// The demo world's parameters: the same pack, byte for byte, every time.
pub fn world_params() -> WorldParams {
    WorldParams {
        target_bytes: 4 << 20,
        cell_size: 32.0,
        cells_per_side: 4,
        instances_per_mesh: 3,
        max_mesh_segments: 64,
        min_texture_size: 64,
        max_texture_size: 256,
        ..WorldParams::new(12)
    }
}

/// Writes the demo world's pack into `dir` (created if missing; a pack already there is
/// replaced).
pub fn make_pack(dir: &Path) -> Result<WorldSummary, String> {
    let params = world_params();
    let mut writer = PackWriter::to_dir(dir, params.cell_size, BLOB_LIMIT)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let summary = generate_world(&params, &mut writer).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(summary)
}
