//! Streamed levels live in walloc's Scene tier under the real global allocator: decoded
//! meshes and mips are counted there (not in General) and evictions give the bytes back.
//! (stream_scene_full.rs: a Scene tier too small for the levels.)

#[path = "support/stream_pack.rs"]
mod support;

use layerw_engine::stream::{StreamSettings, Streamer};
use layerw_engine::walloc::{self, Tier, WallocGlobal};
use support::{Stores, pack_io, stream_everything};

#[global_allocator]
static ALLOC: WallocGlobal = WallocGlobal;

#[test]
fn streamed_levels_live_in_the_scene_tier_and_evictions_give_the_bytes_back() {
    assert!(walloc::is_global_allocator());
    let scene_before = walloc::stats().tier(Tier::Scene).used;
    let mut stores = Stores::new();
    let mut streamer = Streamer::new(pack_io(), StreamSettings::new(256 << 20));
    stream_everything(&mut streamer, &mut stores, 300);
    let p = streamer.progress().clone();
    assert!(p.complete(), "{p:?}");
    let resident = p.scheduler.resident_bytes;
    assert!(resident > 4 << 20, "{resident}");
    let scene = walloc::stats().tier(Tier::Scene).used - scene_before;
    // Every resident byte is in Scene (a Vec's rounding and the mesh's own small fields on
    // top); the decompression buffers went back.
    assert!(
        scene >= resident && scene < resident + resident / 4,
        "Scene holds {scene} for {resident} resident"
    );

    // A budget cut: levels are evicted and their bytes leave Scene.
    streamer.set_budget(resident / 3);
    stream_everything(&mut streamer, &mut stores, 5);
    let after = streamer.progress().scheduler.resident_bytes;
    assert!(after <= resident / 3, "{after}");
    let scene_after = walloc::stats().tier(Tier::Scene).used - scene_before;
    assert!(
        scene_after < scene / 2,
        "evicted levels left Scene: {scene_after} of {scene}"
    );
}
