//! The streamer's unit tests.

use super::*;
use crate::lod::{LodChain, LodLevel};
use crate::render::Mesh;
use crate::stream::{MemoryIo, PackWriter};

#[test]
fn the_reclaim_hooks_request_evicts_at_the_next_update() {
    let mut writer = PackWriter::in_memory(16.0).unwrap();
    for m in 0..4u32 {
        let levels = (0..3u32)
            .map(|l| {
                let seg = 8 + m + 16 * l;
                let error = if l == 2 { 0.0 } else { 0.1 };
                LodLevel::new(Mesh::sphere(1.0, seg, seg / 2), error)
            })
            .collect();
        writer.add_mesh(&LodChain::new(levels).unwrap()).unwrap();
    }
    let pack = writer.finish().unwrap();
    let io = MemoryIo::from_pack(pack);
    let mut streamer = Streamer::new(io, StreamSettings::new(64 << 20));
    let (mut lods, mut meshes) = (LodAssets::default(), MeshAssets::default());
    let (mut textures, mut materials) = (TextureAssets::default(), Materials::default());
    let mut frame = |streamer: &mut Streamer, want: bool| {
        if want && let Some(m) = streamer.manifest().map(|m| m.meshes.len() as u32) {
            for mesh in 0..m {
                let chain = streamer.chain(mesh).unwrap();
                // Wanted only once: later frames leave them unwanted, so evictable.
                streamer.want(chain, 2, 1.0, 10.0, true);
            }
        }
        streamer.update(
            1.0 / 60.0,
            StreamStores {
                lods: &mut lods,
                meshes: &mut meshes,
                textures: &mut textures,
                materials: &mut materials,
            },
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    for _ in 0..200 {
        frame(&mut streamer, true);
        if streamer.progress().complete() && streamer.progress().scheduler.resident_bytes > 0 {
            break;
        }
    }
    let before = streamer.progress().scheduler.resident_bytes;
    assert!(before > 0);
    // What walloc's hook does when a Scene allocation cannot be served.
    pressure::record(before / 2);
    frame(&mut streamer, false);
    let after = streamer.progress().scheduler;
    assert!(after.evicted > 0, "{after:?}");
    assert!(after.resident_bytes <= before / 2, "{after:?}");
}
