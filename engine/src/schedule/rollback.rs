//! Re-simulating recent fixed steps: what client-side prediction asks of the schedule.

/// A request, stored on the world as a resource, to re-run [`Stage::FixedUpdate`] a number of
/// times before the frame's own fixed steps.
///
/// A predicting network client resets its own entity to the server's state at an older tick,
/// then asks for one replay per tick since then; its FixedUpdate systems re-apply the inputs of
/// those ticks (the game's systems run unchanged). Replays take the fixed step as their delta,
/// leave [`FixedTime`](super::FixedTime)'s counters alone, and run inside the same frame, so
/// the replayed state is what the frame's later stages see.
///
/// [`Stage::FixedUpdate`]: super::Stage::FixedUpdate
///
/// # Example
/// ```
/// use layerw_engine::schedule::{Rollback, Schedule, Stage, System};
/// use layerw_engine::ecs::World;
///
/// struct Steps(u32);
/// let mut world = World::new();
/// world.insert_resource(Steps(0));
/// world.insert_resource(Rollback::default());
/// let mut schedule = Schedule::new();
/// schedule.add_system(
///     Stage::FixedUpdate,
///     System::new("count", |ctx| ctx.resource_mut::<Steps>().0 += 1).writes_resource::<Steps>(),
/// );
/// world.resource_mut::<Rollback>().request(3);
/// schedule.run_frame(&mut world, 1.0 / 60.0); // 3 replays, then the frame's 1 step
/// assert_eq!(world.resource::<Steps>().0, 4);
/// assert_eq!(world.resource::<Rollback>().replayed_total(), 3);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rollback {
    pending: u32,
    replaying: bool,
    replayed_total: u64,
}

impl Rollback {
    /// The most steps one request replays (a longer rollback is cut to this many).
    pub const MAX_STEPS: u32 = 128;

    /// Asks for `steps` replays of FixedUpdate at the start of the next FixedUpdate (the
    /// larger of two requests in one frame wins; at most [`MAX_STEPS`](Self::MAX_STEPS)).
    pub fn request(&mut self, steps: u32) {
        self.pending = self.pending.max(steps.min(Self::MAX_STEPS));
    }

    /// Withdraws the pending request (a newer correction supersedes an older one of the same
    /// frame).
    pub fn cancel(&mut self) {
        self.pending = 0;
    }

    /// Replays requested and not yet run.
    pub fn pending(&self) -> u32 {
        self.pending
    }

    /// True while the schedule runs replayed steps: systems with effects that must not repeat
    /// (sounds, particles, sending) check it.
    pub fn is_replaying(&self) -> bool {
        self.replaying
    }

    /// Every replayed step so far.
    pub fn replayed_total(&self) -> u64 {
        self.replayed_total
    }

    /// Takes the pending request and marks the replay as running.
    pub(crate) fn begin(&mut self) -> u32 {
        let steps = self.pending;
        self.pending = 0;
        self.replaying = steps > 0;
        steps
    }

    /// Marks the replay of `steps` as done.
    pub(crate) fn end(&mut self, steps: u32) {
        self.replaying = false;
        self.replayed_total += u64::from(steps);
    }
}
