//! The fixed schedule: stages, systems with declared access, and the executors that run them.
//!
//! A frame runs the [`Stage`]s in fixed order. A system is usually a plain function whose
//! parameters ([`Query`], [`Res`], [`ResMut`], [`Commands`], [`EventReader`], [`Local`],
//! [`Delta`], ...) declare the component and resource types it reads and writes; a
//! [`System`] built by hand declares them with `.reads::<T>()` and friends. Conflicting
//! parameters, unknown ordering labels and ordering cycles are [`ScheduleError`]s, found when
//! the schedule is built, in every build profile. Within a stage the [`Schedule`] orders systems
//! by their `before`/`after` constraints (declaration order otherwise), groups them greedily
//! into batches of systems that neither conflict nor are ordered, and runs each batch in
//! parallel with rayon natively (one thread, in declaration order, on wasm). Systems see the
//! world through a [`SystemContext`], which checks their declarations in debug builds and gives
//! each system a command buffer, applied at the end of the stage in declaration order. The
//! result is the same with one thread or many.

mod access;
mod clock;
mod context;
mod error;
mod executor;
mod fixed;
mod function;
mod param;
mod query;
mod rollback;
#[expect(
    clippy::module_inception,
    reason = "the Schedule type lives in schedule.rs like every other noun of this module"
)]
mod schedule;
mod stage;
mod state;
mod system;
mod time;

pub use access::Access;
pub use clock::monotonic_seconds;
pub use context::{Liveness, SystemContext};
pub use error::ScheduleError;
pub use executor::ExecutorKind;
pub use fixed::{FixedTime, FixedTimeError};
pub use function::{
    ConditionFunction, IntoCondition, IntoSystem, IntoSystemConfig, IntoSystemLabel, IsFunction,
    SystemFunction, not, resource_exists,
};
pub use param::{
    Commands, Delta, EventReader, EventWriter, Local, ParamAccess, ReadOnlySystemParam,
    SystemParam, SystemParamItem,
};
pub use query::Query;
pub use rollback::Rollback;
pub use schedule::{Schedule, StageTimings, SystemTiming};
pub use stage::Stage;
pub use state::{NextState, State, StateTransition, States, in_state, state_transition_system};
pub use system::{Condition, System, SystemPhase};
// The resource borrows are system parameters too.
pub use crate::ecs::{Res, ResMut};
pub use time::Time;
