//! Executors: how the systems of one stage run, batch by batch.

use super::clock::{seconds_since, start_if};
use super::{ScheduleError, Stage, System, SystemContext, SystemTiming};
use crate::ecs::{CommandBuffer, Tick, World};

/// How a [`Schedule`](super::Schedule) runs the systems of a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ExecutorKind {
    /// Every system on the calling thread, batch by batch, in batch order then declaration
    /// order. The lowest overhead per system; the only mode on wasm.
    SingleThreaded,
    /// The systems of each batch in parallel on the current rayon pool (natively; on wasm this
    /// behaves as [`SingleThreaded`](Self::SingleThreaded)). The default.
    #[default]
    MultiThreaded,
}

/// One system in a stage, with its command buffer and its place in the plan.
struct Slot {
    system: System,
    commands: CommandBuffer,
    /// Position in declaration order within the stage.
    declared: usize,
    /// Position in run order: declaration order adjusted by `before`/`after`.
    order: usize,
    /// The batch it runs in.
    batch: usize,
    /// The change tick of the system's last run ([`Tick::ZERO`] before the first): its queries'
    /// `iter_changed` report what changed after it.
    last_run: Tick,
    /// Runs and seconds accumulated while the schedule times its systems.
    runs: u64,
    seconds: f64,
}

impl Slot {
    /// Runs the system; when `timed`, adds the run and its wall-clock time to the slot's totals.
    #[inline]
    fn run(&mut self, world: &World, stage: Stage, delta_seconds: f64, timed: bool) {
        let started = start_if(timed);
        let ran = self.run_system(world, stage, delta_seconds);
        if let Some(seconds) = seconds_since(started) {
            self.seconds += seconds;
            self.runs += u64::from(ran);
        }
    }

    /// Applies the system's command buffer; when `timed`, its time counts as the system's.
    fn apply_commands(&mut self, world: &mut World, timed: bool) {
        let started = start_if(timed);
        self.commands.run_on(world);
        if let Some(seconds) = seconds_since(started) {
            self.seconds += seconds;
        }
    }

    /// Runs the system if its conditions hold; whether it ran.
    #[inline]
    fn run_system(&mut self, world: &World, stage: Stage, delta_seconds: f64) -> bool {
        let System {
            name,
            access,
            run,
            conditions,
            ..
        } = &mut self.system;
        let _span = tracing::info_span!("system", system = &**name).entered();
        let this_run = world.change_tick();
        let context = SystemContext::new(
            world,
            name,
            access,
            &mut self.commands,
            stage,
            delta_seconds,
            self.last_run,
        );
        // Conditions are evaluated when the system's turn comes, so they see what earlier
        // batches did this frame.
        if conditions.iter_mut().all(|c| (c.run)(&context)) {
            run(&context);
            self.last_run = this_run;
            true
        } else {
            false
        }
    }
}

/// The systems of one stage, stored in run order (batch, then declaration), with the batch
/// boundaries and the declaration order precomputed whenever the systems change, so running a
/// stage allocates nothing.
#[derive(Default)]
pub(crate) struct StageExecutor {
    /// Sorted by (batch, declared): each batch is a contiguous run.
    slots: Vec<Slot>,
    /// End index into `slots` of each batch.
    batch_ends: Vec<usize>,
    /// `apply_order[o]` is the slot index of the system `o`-th in run order.
    apply_order: Vec<usize>,
    /// What the last plan found wrong (unknown labels, cycles), in the stage's terms.
    errors: Vec<ScheduleError>,
}

impl StageExecutor {
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn push(&mut self, system: System) {
        // A system's place in declaration order: after every system of its phase or an
        // earlier one, before every system of a later phase.
        let declared = self
            .slots
            .iter()
            .filter(|s| s.system.plan.phase <= system.plan.phase)
            .count();
        for s in &mut self.slots {
            if s.declared >= declared {
                s.declared += 1;
            }
        }
        self.slots.push(Slot {
            system,
            commands: CommandBuffer::new(),
            declared,
            order: 0,
            batch: 0,
            last_run: Tick::ZERO,
            runs: 0,
            seconds: 0.0,
        });
        self.plan();
    }

    /// What is wrong with the stage's ordering constraints, named for `stage`.
    pub(crate) fn check(&self, stage: Stage) -> Result<(), ScheduleError> {
        match self.errors.first() {
            None => Ok(()),
            Some(ScheduleError::UnknownLabel { system, label, .. }) => {
                Err(ScheduleError::UnknownLabel {
                    stage,
                    system: system.clone(),
                    label: label.clone(),
                })
            }
            Some(ScheduleError::Cycle { systems, .. }) => Err(ScheduleError::Cycle {
                stage,
                systems: systems.clone(),
            }),
            Some(other) => Err(other.clone()),
        }
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<System> {
        let index = self
            .apply_order
            .iter()
            .copied()
            .find(|&i| self.slots[i].system.name == name)?;
        let slot = self.slots.remove(index);
        for s in &mut self.slots {
            if s.declared > slot.declared {
                s.declared -= 1;
            }
        }
        self.plan();
        Some(slot.system)
    }

    /// Recomputes the run order and the batches. The run order is a topological order of the
    /// `before`/`after` constraints that keeps declaration order wherever the constraints allow;
    /// then, in run order, each system goes into the batch after the last batch holding an
    /// earlier system it conflicts with or must follow (batch 0 if none).
    fn plan(&mut self) {
        self.slots.sort_by_key(|s| s.declared);
        self.errors.clear();
        let n = self.slots.len();
        // must_follow[i]: the systems (by declaration index) that system i runs after.
        let mut must_follow: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, slot) in self.slots.iter().enumerate() {
            for (labels, after) in [
                (&slot.system.plan.after, true),
                (&slot.system.plan.before, false),
            ] {
                for label in labels {
                    let targets: Vec<usize> = (0..n)
                        .filter(|&j| j != i && self.slots[j].system.has_label(label))
                        .collect();
                    if targets.is_empty() {
                        self.errors.push(ScheduleError::UnknownLabel {
                            stage: Stage::Update,
                            system: slot.system.name.to_string(),
                            label: label.to_string(),
                        });
                    }
                    for j in targets {
                        if after {
                            must_follow[i].push(j);
                        } else {
                            must_follow[j].push(i);
                        }
                    }
                }
            }
        }
        // In declaration order, each system is placed after the systems it must follow
        // (placed first, depth first): constraints move as few systems as they can.
        let mut mark = vec![Mark::Unvisited; n];
        let mut order = Vec::with_capacity(n);
        let mut cycle = Vec::new();
        for i in 0..n {
            place(i, &must_follow, &mut mark, &mut order, &mut cycle);
        }
        if !cycle.is_empty() {
            cycle.sort_unstable();
            cycle.dedup();
            self.errors.push(ScheduleError::Cycle {
                stage: Stage::Update,
                systems: cycle
                    .iter()
                    .map(|&i| self.slots[i].system.name.to_string())
                    .collect(),
            });
        }
        for (position, &i) in order.iter().enumerate() {
            self.slots[i].order = position;
        }
        for &i in &order {
            let slot = &self.slots[i];
            let batch = (0..n)
                .filter(|&j| self.slots[j].order < slot.order)
                .filter(|&j| {
                    must_follow[i].contains(&j)
                        || self.slots[j]
                            .system
                            .access
                            .conflicts_with(&slot.system.access)
                })
                .map(|j| self.slots[j].batch + 1)
                .max()
                .unwrap_or(0);
            self.slots[i].batch = batch;
        }
        self.slots.sort_by_key(|s| (s.batch, s.order));
        self.batch_ends.clear();
        for (i, slot) in self.slots.iter().enumerate() {
            if i + 1 == self.slots.len() || self.slots[i + 1].batch != slot.batch {
                self.batch_ends.push(i + 1);
            }
        }
        self.apply_order.clear();
        self.apply_order.resize(self.slots.len(), 0);
        for (i, slot) in self.slots.iter().enumerate() {
            self.apply_order[slot.order] = i;
        }
    }

    /// The system names of each batch, in run order.
    pub(crate) fn batches(&self) -> Vec<Vec<&str>> {
        let mut start = 0;
        self.batch_ends
            .iter()
            .map(|&end| {
                let names = self.slots[start..end]
                    .iter()
                    .map(|s| s.system.name())
                    .collect();
                start = end;
                names
            })
            .collect()
    }

    /// The systems in run order.
    pub(crate) fn systems(&self) -> impl ExactSizeIterator<Item = &System> + '_ {
        self.apply_order.iter().map(|&i| &self.slots[i].system)
    }

    /// Every system's accumulated runs and seconds, in run order.
    pub(crate) fn timings(&self, stage: Stage) -> impl Iterator<Item = SystemTiming> + '_ {
        self.apply_order.iter().map(move |&i| {
            let slot = &self.slots[i];
            SystemTiming {
                stage,
                name: slot.system.name().to_owned(),
                runs: slot.runs,
                seconds: slot.seconds,
            }
        })
    }

    /// Sets every system's accumulated runs and seconds to zero.
    pub(crate) fn reset_timings(&mut self) {
        for slot in &mut self.slots {
            slot.runs = 0;
            slot.seconds = 0.0;
        }
    }

    /// Runs every batch in order, then applies the systems' command buffers in run order.
    /// `timed`: each system's run and command application are timed (see
    /// [`Schedule::set_system_timing`](super::Schedule::set_system_timing)).
    pub(crate) fn run(
        &mut self,
        world: &mut World,
        stage: Stage,
        delta_seconds: f64,
        (kind, timed): (ExecutorKind, bool),
    ) {
        if self.slots.is_empty() {
            return;
        }
        let _span = tracing::info_span!("stage", stage = stage.name()).entered();
        let shared: &World = world;
        let mut start = 0;
        for &end in &self.batch_ends {
            // Each batch runs at a tick of its own: its systems see what earlier batches changed
            // as changed, and their own writes (stamped with this tick) not again next run.
            // Systems of one batch never conflict, so sharing a tick hides nothing they read.
            shared.advance_change_tick();
            let batch = &mut self.slots[start..end];
            start = end;
            if kind == ExecutorKind::MultiThreaded && batch.len() > 1 {
                run_parallel(batch, shared, stage, delta_seconds, timed);
            } else {
                for slot in batch {
                    slot.run(shared, stage, delta_seconds, timed);
                }
            }
        }
        // Arrivals from the command buffers come after every system of the stage ran.
        world.advance_change_tick();
        for &i in &self.apply_order {
            self.slots[i].apply_commands(world, timed);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Unvisited,
    /// On the current path: reaching it again closes a cycle.
    Visiting,
    Placed,
}

/// Places system `i` in `order` after the systems it must follow; systems on a cycle are
/// added to `cycle` (the cycle's edge back is ignored, so every system is still placed).
fn place(
    i: usize,
    must_follow: &[Vec<usize>],
    mark: &mut [Mark],
    order: &mut Vec<usize>,
    cycle: &mut Vec<usize>,
) {
    match mark[i] {
        Mark::Placed => return,
        Mark::Visiting => {
            cycle.push(i);
            return;
        }
        Mark::Unvisited => {}
    }
    mark[i] = Mark::Visiting;
    let before = cycle.len();
    let mut predecessors = must_follow[i].clone();
    predecessors.sort_unstable();
    for j in predecessors {
        place(j, must_follow, mark, order, cycle);
    }
    if cycle.len() > before && !cycle.contains(&i) {
        cycle.push(i);
    }
    mark[i] = Mark::Placed;
    order.push(i);
}

/// Runs the systems of one batch in parallel on the current rayon pool.
#[cfg(not(target_family = "wasm"))]
fn run_parallel(batch: &mut [Slot], world: &World, stage: Stage, delta_seconds: f64, timed: bool) {
    use rayon::iter::{IntoParallelRefMutIterator, ParallelIterator};
    if rayon::current_num_threads() > 1 {
        batch
            .par_iter_mut()
            .for_each(|slot| slot.run(world, stage, delta_seconds, timed));
    } else {
        for slot in batch {
            slot.run(world, stage, delta_seconds, timed);
        }
    }
}

/// On wasm there is one thread: the batch runs in declaration order.
#[cfg(target_family = "wasm")]
fn run_parallel(batch: &mut [Slot], world: &World, stage: Stage, delta_seconds: f64, timed: bool) {
    for slot in batch {
        slot.run(world, stage, delta_seconds, timed);
    }
}
