//! A Scene tier too small for what the streamer is told it may use, under the real global
//! allocator: levels that do not fit are typed, retried errors and the process carries on.
//! Its own binary, configured before anything allocates in Scene (pages a tier already holds
//! would let it go past a budget set later).

#[path = "support/stream_pack.rs"]
mod support;

use layerw_engine::stream::{PackError, StreamError, StreamSettings, Streamer};
use layerw_engine::walloc::{self, Budget, Config, Tier, WallocGlobal};
use support::{Stores, pack_io, stream_everything};

#[global_allocator]
static ALLOC: WallocGlobal = WallocGlobal;

#[test]
fn a_scene_tier_too_small_is_a_typed_error_not_an_abort() {
    assert!(walloc::is_global_allocator());
    // A Scene tier of 2 MiB (the budgets fill the ceiling and no tier lends: nothing to
    // borrow) and a streamer told it may use 64 MiB.
    let mib = |n: u64| Budget::Bytes(n << 20);
    walloc::global()
        .set_config(
            Config::DEFAULT
                .with_ceiling(64 << 20)
                .with_budget(Tier::Render, mib(8))
                .with_budget(Tier::Scene, mib(2))
                .with_budget(Tier::Entity, mib(8))
                .with_budget(Tier::General, mib(46))
                .with_lending(Tier::Render, false)
                .with_lending(Tier::Entity, false),
        )
        .unwrap();
    let mut stores = Stores::new();
    let mut streamer = Streamer::new(pack_io(), StreamSettings::new(64 << 20));
    stream_everything(&mut streamer, &mut stores, 60);
    let p = streamer.progress().clone();
    let held = walloc::stats().tier(Tier::Scene).held;
    drop(streamer);
    drop(stores);
    // The roomy config back before asserting: a failed assertion's backtrace needs memory.
    walloc::global().trim();
    walloc::global().set_config(Config::DEFAULT).unwrap();
    // Out of memory either when a decode claims its room in the tier or, when other decodes
    // took the room meanwhile, when the level's body allocates: which comes last is timing.
    assert!(
        matches!(
            p.last_error,
            Some(StreamError::OutOfMemory {
                tier: Tier::Scene,
                ..
            }) | Some(StreamError::Pack(PackError::OutOfMemory { .. }))
        ),
        "{p:?}"
    );
    assert!(p.scheduler.failures > 0);
    assert!(held <= 2 << 20, "Scene holds {held}");
    // The coarse levels fit and are resident.
    assert!(p.scheduler.resident_bytes > 0);
}
