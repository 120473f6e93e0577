//! Layer-W's benchmarks beside their peers, in a workspace member of their own so that building
//! an example of the `layerw` facade compiles none of the peers (bevy_ecs, mimalloc, bumpalo,
//! talc, criterion).
//!
//! The targets are the criterion benches in this folder (`cargo bench -p layerw-benches --bench
//! ecs`) and the examples in `benches/examples/` (`cargo run -p layerw-benches --release
//! --example walloc_churn`). The library holds what several of them replay: the small-object
//! [`churn`] workload of the `walloc` bench and the `walloc_churn` example.

#[path = "../support/churn.rs"]
pub mod churn;
