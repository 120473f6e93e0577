//! Game states (a menu, playing, paused): a resource systems read, a requested next state
//! applied at a fixed point of the frame, and the run condition [`in_state`].

use core::fmt::Debug;
use core::hash::Hash;

use super::function::ConditionFunction;
use super::{Condition, System};
use crate::ecs::{Events, Res};

/// A type usable as a state: usually a fieldless enum.
pub trait States: Clone + PartialEq + Eq + Hash + Debug + Send + Sync + 'static {}

impl<T: Clone + PartialEq + Eq + Hash + Debug + Send + Sync + 'static> States for T {}

/// The current state of type `S`, a resource (added by
/// [`App::add_state`](crate::app::App::add_state)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State<S: States> {
    current: S,
    /// The frame (counted from 1) on which `current` was entered.
    entered_frame: u64,
    frame: u64,
}

impl<S: States> State<S> {
    /// A state starting at `initial`, entered on the first frame.
    pub fn new(initial: S) -> State<S> {
        // The transition system counts frames from 1 as each starts.
        State {
            current: initial,
            entered_frame: 1,
            frame: 0,
        }
    }

    /// The current state.
    pub fn get(&self) -> &S {
        &self.current
    }

    /// True on the frame the current state was entered (the first frame included): for
    /// set-up work in systems that run `in_state(..)`.
    pub fn just_entered(&self) -> bool {
        self.entered_frame == self.frame
    }
}

/// The state of type `S` to switch to at the start of the next frame (a resource; write it
/// with [`set`](Self::set)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextState<S: States>(Option<S>);

impl<S: States> Default for NextState<S> {
    fn default() -> Self {
        NextState(None)
    }
}

impl<S: States> NextState<S> {
    /// Requests `state` (the last request of a frame wins).
    pub fn set(&mut self, state: S) {
        self.0 = Some(state);
    }

    /// The pending request, if any.
    pub fn pending(&self) -> Option<&S> {
        self.0.as_ref()
    }
}

/// Sent when the state of type `S` changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateTransition<S: States> {
    /// The state left.
    pub from: S,
    /// The state entered.
    pub to: S,
}

/// The system [`App::add_state`](crate::app::App::add_state) adds: applies a pending
/// [`NextState`] and sends the [`StateTransition`].
pub fn state_transition_system<S: States>() -> System {
    System::new(
        format!("state_transition<{}>", core::any::type_name::<S>()),
        |ctx| {
            let mut state = ctx.resource_mut::<State<S>>();
            let mut next = ctx.resource_mut::<NextState<S>>();
            if let Some(transition) = apply_transition(&mut state, &mut next) {
                ctx.resource_mut::<Events<StateTransition<S>>>()
                    .send(transition);
            }
        },
    )
    .writes_resource::<State<S>>()
    .writes_resource::<NextState<S>>()
    .sends_events::<StateTransition<S>>()
}

/// Applies a pending [`NextState`]. Returns the transition, if one happened.
fn apply_transition<S: States>(
    state: &mut State<S>,
    next: &mut NextState<S>,
) -> Option<StateTransition<S>> {
    state.frame += 1;
    let to = next.0.take()?;
    if to == state.current {
        return None;
    }
    let from = core::mem::replace(&mut state.current, to.clone());
    state.entered_frame = state.frame;
    Some(StateTransition { from, to })
}

/// A run condition: true while the state of type `S` is `state`.
///
/// # Example
/// ```
/// use layerw_engine::app::App;
/// use layerw_engine::schedule::{in_state, IntoSystemConfig, NextState, ResMut, Stage};
///
/// #[derive(Clone, Debug, PartialEq, Eq, Hash)]
/// enum Screen { Menu, Play }
/// struct Ticks(u32);
/// fn tick(mut t: ResMut<Ticks>) { t.0 += 1; }
///
/// let mut app = App::new();
/// app.add_state(Screen::Menu).insert_resource(Ticks(0));
/// app.add_system(Stage::Update, tick.run_if(in_state(Screen::Play)));
/// app.update(1.0 / 60.0);
/// app.world_mut().resource_mut::<NextState<Screen>>().set(Screen::Play);
/// app.update(1.0 / 60.0);
/// app.update(1.0 / 60.0);
/// assert_eq!(app.world().resource::<Ticks>().0, 2);
/// ```
pub fn in_state<S: States>(state: S) -> Condition {
    (move |current: Option<Res<State<S>>>| current.is_some_and(|c| c.current == state))
        .into_condition("in_state")
}
