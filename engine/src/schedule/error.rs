//! Why a schedule cannot be built.

use core::fmt;

use super::Stage;

/// A mistake in how systems were declared, found when the schedule is built (when a system is
/// added, or before the first frame for ordering), in every build profile.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScheduleError {
    /// Two parameters of one system borrow the same data and at least one writes it
    /// (`Query<&mut A>` with `Query<&A>`, `Res<T>` with `ResMut<T>`): running the system would
    /// fail to borrow.
    ConflictingParams {
        /// The system.
        system: String,
        /// The parameter declared first.
        first: String,
        /// The parameter that conflicts with it.
        second: String,
    },
    /// A run condition writes data; conditions may only read.
    WritingCondition {
        /// The system the condition guards.
        system: String,
    },
    /// `.before(label)` / `.after(label)` names no system and no set of the stage.
    UnknownLabel {
        /// The stage.
        stage: Stage,
        /// The system that names the label.
        system: String,
        /// The label.
        label: String,
    },
    /// The ordering constraints of a stage form a cycle.
    Cycle {
        /// The stage.
        stage: Stage,
        /// The systems on the cycle (and any waiting on it), in declaration order.
        systems: Vec<String>,
    },
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleError::ConflictingParams {
                system,
                first,
                second,
            } => write!(
                f,
                "system `{system}` has conflicting parameters: `{second}` borrows data that `{first}` \
                 also borrows, and one of them writes it; merge them into one parameter"
            ),
            ScheduleError::WritingCondition { system } => write!(
                f,
                "a run condition of system `{system}` writes data; conditions may only read"
            ),
            ScheduleError::UnknownLabel {
                stage,
                system,
                label,
            } => write!(
                f,
                "system `{system}` is ordered against `{label}`, but no system or set of stage \
                 `{stage}` is called that"
            ),
            ScheduleError::Cycle { stage, systems } => write!(
                f,
                "the ordering constraints of stage `{stage}` form a cycle through: {}",
                systems.join(", ")
            ),
        }
    }
}

impl std::error::Error for ScheduleError {}
