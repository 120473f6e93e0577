//! The fixed schedule: stages, systems with declared access, and the executors that run them.
//!
//! A frame runs the [`Stage`]s in fixed order. A [`System`] declares the component and resource
//! types it reads and writes; within a stage the [`Schedule`] groups systems greedily, in
//! declaration order, into batches of systems that do not conflict, and runs each batch in
//! parallel with rayon natively (one thread, in declaration order, on wasm). Systems see the
//! world through a [`SystemContext`], which checks their declarations in debug builds and gives
//! each system a command buffer, applied at the end of the stage in declaration order. The
//! result is the same with one thread or many.

mod access;
mod clock;
mod context;
mod executor;
mod fixed;
mod rollback;
#[expect(
    clippy::module_inception,
    reason = "the Schedule type lives in schedule.rs like every other noun of this module"
)]
mod schedule;
mod stage;
mod system;
mod time;

pub use access::Access;
pub use clock::monotonic_seconds;
pub use context::SystemContext;
pub use executor::ExecutorKind;
pub use fixed::{FixedTime, FixedTimeError};
pub use rollback::Rollback;
pub use schedule::{Schedule, StageTimings};
pub use stage::Stage;
pub use system::{System, SystemPhase};
pub use time::Time;
