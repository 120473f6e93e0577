//! The per-frame upload budget ([`StreamSettings::upload_bytes_per_frame`]): a burst of levels
//! arriving at once (a memory backend answers every read at the next poll) is handed to the
//! asset stores a budget's worth per frame, a level bigger than the budget alone, and
//! everything still ends up resident. Levels evicted under a cut budget leave the stores, and
//! (on the GPU test, lavapipe where there is no GPU) the renderer's buffers and textures.

#[cfg(all(feature = "gpu", not(target_family = "wasm")))]
#[path = "support/gpu.rs"]
mod gpu_support;
#[path = "support/stream_pack.rs"]
mod stream_pack;

use layerw_engine::ecs::World;
use layerw_engine::lod::{LodAssets, LodChain, LodLevel};
use layerw_engine::render::{Materials, Mesh, MeshAssets, TextureAssets, TextureImage};
use layerw_engine::stream::{
    MemoryIo, PackManifest, PackWriter, StreamProgress, StreamSettings, StreamStores, Streamer,
};
use stream_pack::add_textured_entity;

/// Sphere chains in the pack: their coarsest levels all arrive in the same frame.
const MESHES: u32 = 40;
/// Frames before a broken run is given up.
const FRAME_LIMIT: usize = 3_000;

/// A pack of [`MESHES`] sphere chains of 3 levels (the finest tens of kB decoded) and a 256 px
/// texture (a 9-mip chain, the finest 256 kB), as a memory backend, with its manifest.
fn pack() -> (MemoryIo, PackManifest) {
    let mut writer = PackWriter::in_memory(32.0).unwrap();
    for m in 0..MESHES {
        let levels = [6, 20, 60]
            .into_iter()
            .enumerate()
            .map(|(l, seg)| {
                let seg = seg + m % 4;
                let error = [0.2, 0.05, 0.0][l];
                LodLevel::new(Mesh::sphere(1.0, seg, seg / 2), error)
            })
            .collect();
        writer.add_mesh(&LodChain::new(levels).unwrap()).unwrap();
    }
    let pixels: Vec<u8> = (0..256 * 256 * 4).map(|i| (i * 7 % 251) as u8).collect();
    let image = TextureImage::from_rgba8(256, 256, pixels).unwrap();
    add_textured_entity(&mut writer, &image);
    let pack = writer.finish().unwrap();
    let manifest = PackManifest::from_bytes(&pack.manifest_bytes).unwrap();
    let io = MemoryIo::from_pack(pack);
    (io, manifest)
}

/// Decoded bytes of every level (mesh levels and mips) of the pack, and of its largest level.
fn level_bytes(manifest: &PackManifest) -> (u64, u64) {
    let meshes = manifest.meshes.iter().flat_map(|m| &m.levels);
    let mips = manifest.textures.iter().flat_map(|t| &t.levels);
    let sizes: Vec<u64> = meshes
        .map(|l| u64::from(l.stored.raw_len))
        .chain(mips.map(|l| u64::from(l.stored.raw_len)))
        .collect();
    (sizes.iter().sum(), sizes.iter().copied().max().unwrap_or(0))
}

/// The stores as the world's resources (what the renderer reads).
fn world() -> World {
    let mut world = World::new();
    world.insert_resource(LodAssets::default());
    world.insert_resource(MeshAssets::default());
    world.insert_resource(TextureAssets::default());
    world.insert_resource(Materials::default());
    world
}

/// One frame wanting every level of every mesh and the full texture.
fn frame(streamer: &mut Streamer, world: &World) -> StreamProgress {
    if let Some(manifest) = streamer.manifest() {
        let meshes = manifest.meshes.len() as u32;
        for m in 0..meshes {
            let chain = streamer.chain(m).unwrap();
            streamer.want(chain, 2, 5.0, 100.0, true);
        }
        let material = streamer.material(0).unwrap();
        streamer.want_textures(material, 4096.0, 5.0, true);
    }
    streamer.update(
        1.0 / 60.0,
        StreamStores {
            lods: &mut world.resource_mut::<LodAssets>(),
            meshes: &mut world.resource_mut::<MeshAssets>(),
            textures: &mut world.resource_mut::<TextureAssets>(),
            materials: &mut world.resource_mut::<Materials>(),
        },
    );
    // Decoding runs on rayon's pool: give it time, so decoded levels pile up between frames.
    std::thread::sleep(std::time::Duration::from_millis(3));
    streamer.progress().clone()
}

/// A streamer with an upload budget of `budget` bytes a frame, every read allowed in flight
/// at once (the whole burst arrives together).
fn streamer(io: MemoryIo, budget: u64) -> Streamer {
    let mut settings = StreamSettings::new(256 << 20);
    settings.upload_bytes_per_frame = budget;
    settings.scheduler.max_requests = 4096;
    settings.scheduler.max_bytes_in_flight = 256 << 20;
    Streamer::new(io, settings)
}

/// Loaded meshes and resident texture mips in the stores.
fn stored(world: &World, streamer: &Streamer) -> (usize, usize) {
    let texture = streamer.texture(0).unwrap();
    let mips = world
        .resource::<TextureAssets>()
        .get(texture)
        .map_or(0, |t| t.mips.len());
    (world.resource::<MeshAssets>().len(), mips)
}

/// Resident levels by the scheduler: mesh levels, texture mips.
fn resident(streamer: &Streamer) -> (usize, usize) {
    let scheduler = streamer.scheduler().unwrap();
    let meshes = (0..MESHES)
        .map(|m| usize::from(scheduler.resident_levels(m)))
        .sum();
    (meshes, usize::from(scheduler.resident_levels(MESHES)))
}

/// What one budgeted burst came to.
struct Burst {
    /// Frames that handed at least one level to the stores.
    frames_uploading: usize,
    /// Frames that ended with decoded levels held back by the budget.
    frames_held_back: usize,
    /// Frames whose one level was bigger than the budget.
    oversized_alone: usize,
    /// Bytes handed to the stores in all.
    uploaded: u64,
}

/// Streams everything with an upload budget of `budget`, checking every frame's upload.
fn burst(streamer: &mut Streamer, world: &World, budget: u64) -> Burst {
    let mut run = Burst {
        frames_uploading: 0,
        frames_held_back: 0,
        oversized_alone: 0,
        uploaded: 0,
    };
    for _ in 0..FRAME_LIMIT {
        let p = frame(streamer, world);
        assert!(
            p.uploaded_bytes <= budget || p.uploaded_levels == 1,
            "{} bytes in {} levels handed over in one frame, over the {budget} budget",
            p.uploaded_bytes,
            p.uploaded_levels
        );
        assert_eq!(p.uploaded_levels == 0, p.uploaded_bytes == 0, "{p:?}");
        run.uploaded += p.uploaded_bytes;
        run.frames_uploading += usize::from(p.uploaded_levels > 0);
        run.frames_held_back += usize::from(p.waiting_upload > 0);
        run.oversized_alone += usize::from(p.uploaded_bytes > budget);
        // Complete once this frame's wants were planned (the first frame after the manifest
        // wants nothing yet).
        if p.complete() && p.scheduler.wanted_bytes > 0 {
            return run;
        }
    }
    panic!(
        "streaming did not complete in {FRAME_LIMIT} frames: {:?}",
        streamer.progress()
    );
}

#[test]
fn a_burst_of_arrivals_is_uploaded_within_the_per_frame_budget_and_all_of_it_arrives() {
    let (io, manifest) = pack();
    let (total, largest) = level_bytes(&manifest);
    let coarsest: u64 = manifest
        .meshes
        .iter()
        .map(|m| u64::from(m.levels[0].stored.raw_len))
        .sum();
    // The coarsest levels alone take several frames' budget; the finest mips are bigger than
    // one frame's budget.
    let budget = coarsest / 6;
    assert!(largest > budget, "{largest} > {budget}");
    let world = world();
    let mut streamer = streamer(io, budget);
    let run = burst(&mut streamer, &world, budget);
    let p = streamer.progress().clone();
    println!(
        "{total} bytes uploaded over {} frames at {budget} a frame (largest level {largest}); \
         levels held back in {} frames, {} oversized levels alone",
        run.frames_uploading, run.frames_held_back, run.oversized_alone
    );

    // Every level was handed over exactly once: the frames' counts add up to the pack.
    assert_eq!(run.uploaded, total, "{p:?}");
    assert_eq!(p.scheduler.resident_bytes, total);
    assert_eq!(p.scheduler.evicted + p.scheduler.failures, 0, "{p:?}");
    assert!(p.peak_uploaded_bytes <= budget.max(largest), "{p:?}");
    // The burst was spread: decoded levels waited for a later frame's budget, over many frames.
    assert!(run.frames_held_back > 0, "the budget held levels back");
    assert!(
        run.frames_uploading as u64 >= total.div_ceil(largest),
        "{} frames uploaded {total} bytes",
        run.frames_uploading
    );
    assert!(
        run.oversized_alone > 0,
        "a level over the budget still went"
    );
    // Everything is in the stores: every level of every chain and every mip.
    let levels = manifest
        .meshes
        .iter()
        .map(|m| m.levels.len())
        .sum::<usize>();
    let mips = manifest.textures[0].levels.len();
    assert_eq!(stored(&world, &streamer), (levels, mips));
    assert_eq!(resident(&streamer), (levels, mips));
}

#[test]
fn evicted_levels_leave_the_asset_stores() {
    let (io, manifest) = pack();
    let world = world();
    let mut streamer = streamer(io, 64 << 10);
    burst(&mut streamer, &world, 64 << 10);
    let full = stored(&world, &streamer);
    let levels = manifest
        .meshes
        .iter()
        .map(|m| m.levels.len())
        .sum::<usize>();
    assert_eq!(full, (levels, manifest.textures[0].levels.len()));

    // A budget a third of what is resident: finer levels are evicted, and only the levels the
    // scheduler still holds are in the stores.
    let before = streamer.progress().scheduler.resident_bytes;
    streamer.set_budget(before / 3);
    for _ in 0..5 {
        frame(&mut streamer, &world);
    }
    let p = streamer.progress().clone();
    assert!(p.scheduler.evicted > 0, "{p:?}");
    assert!(p.scheduler.resident_bytes <= before / 3, "{p:?}");
    let after = stored(&world, &streamer);
    assert_eq!(after, resident(&streamer));
    assert!(after.0 < full.0 && after.0 >= MESHES as usize, "{after:?}");
}

/// The GPU side of evictions: buffers and textures of evicted levels are freed at the
/// renderer's next sync.
#[cfg(all(feature = "gpu", not(target_family = "wasm")))]
mod gpu {
    use super::*;
    use crate::gpu_support as support;
    use layerw_engine::gpu::{GpuRenderer, GpuResidency, RendererConfig};
    use layerw_engine::render::RenderQueue;

    #[test]
    fn evicted_levels_free_their_gpu_buffers_and_textures() {
        let config = RendererConfig {
            resolution: glam::UVec2::new(64, 64),
            msaa: 1,
            shadow_map_size: 256,
            ..Default::default()
        };
        let Some(mut host) = support::or_skip(GpuRenderer::new(config)) else {
            return;
        };
        let (io, _) = pack();
        let mut world = world();
        world.insert_resource(RenderQueue::new());
        let mut streamer = streamer(io, 64 << 10);
        burst(&mut streamer, &world, 64 << 10);
        host.frame(&mut world);
        let full = *world.resource::<GpuResidency>();
        let (meshes, mips) = stored(&world, &streamer);
        assert_eq!((full.meshes, full.textures), (meshes, 1), "{full:?}");
        assert!(mips > 1 && full.mesh_bytes > 0 && full.texture_bytes > 0);

        let before = streamer.progress().scheduler.resident_bytes;
        streamer.set_budget(before / 3);
        for _ in 0..5 {
            frame(&mut streamer, &world);
        }
        host.frame(&mut world);
        let cut = *world.resource::<GpuResidency>();
        let (meshes_left, mips_left) = stored(&world, &streamer);
        assert!(meshes_left < meshes && mips_left < mips, "{mips_left} mips");
        // The GPU holds exactly what the stores hold: fewer meshes, fewer bytes.
        assert_eq!(cut.meshes, meshes_left, "{cut:?}");
        assert!(cut.mesh_bytes < full.mesh_bytes, "{cut:?} after {full:?}");
        assert!(
            cut.texture_bytes < full.texture_bytes,
            "{cut:?} after {full:?}"
        );
    }
}
