//! shard_run (in progress)
mod components;
mod plugin;
mod systems;
mod world;
fn main() {}
