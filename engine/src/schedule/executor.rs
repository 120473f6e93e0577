//! Executors: how the systems of one stage run, batch by batch.

use super::{Stage, System, SystemContext};
use crate::ecs::{CommandBuffer, World};

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
    /// The batch it runs in.
    batch: usize,
}

impl Slot {
    #[inline]
    fn run(&mut self, world: &World, stage: Stage, delta_seconds: f64) {
        let System {
            name, access, run, ..
        } = &mut self.system;
        let _span = tracing::info_span!("system", system = &**name).entered();
        let context = SystemContext::new(
            world,
            name,
            access,
            &mut self.commands,
            stage,
            delta_seconds,
        );
        run(&context);
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
    /// `apply_order[d]` is the slot index of the system declared `d`-th.
    apply_order: Vec<usize>,
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
            .filter(|s| s.system.phase <= system.phase)
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
            batch: 0,
        });
        self.plan();
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

    /// Recomputes batches: in declaration order, each system goes into the batch after the
    /// last batch holding an earlier system it conflicts with (batch 0 if none).
    fn plan(&mut self) {
        self.slots.sort_by_key(|s| s.declared);
        for i in 0..self.slots.len() {
            let (earlier, rest) = self.slots.split_at_mut(i);
            let slot = &mut rest[0];
            slot.batch = earlier
                .iter()
                .filter(|e| e.system.access.conflicts_with(&slot.system.access))
                .map(|e| e.batch + 1)
                .max()
                .unwrap_or(0);
        }
        self.slots.sort_by_key(|s| (s.batch, s.declared));
        self.batch_ends.clear();
        for (i, slot) in self.slots.iter().enumerate() {
            if i + 1 == self.slots.len() || self.slots[i + 1].batch != slot.batch {
                self.batch_ends.push(i + 1);
            }
        }
        self.apply_order.clear();
        self.apply_order.resize(self.slots.len(), 0);
        for (i, slot) in self.slots.iter().enumerate() {
            self.apply_order[slot.declared] = i;
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

    /// The systems in declaration order.
    pub(crate) fn systems(&self) -> impl ExactSizeIterator<Item = &System> + '_ {
        self.apply_order.iter().map(|&i| &self.slots[i].system)
    }

    /// Runs every batch in order, then applies the systems' command buffers in declaration
    /// order.
    pub(crate) fn run(
        &mut self,
        world: &mut World,
        stage: Stage,
        delta_seconds: f64,
        kind: ExecutorKind,
    ) {
        let _span = tracing::info_span!("stage", stage = stage.name()).entered();
        if self.slots.is_empty() {
            return;
        }
        let shared: &World = world;
        let mut start = 0;
        for &end in &self.batch_ends {
            let batch = &mut self.slots[start..end];
            start = end;
            if kind == ExecutorKind::MultiThreaded && batch.len() > 1 {
                run_parallel(batch, shared, stage, delta_seconds);
            } else {
                for slot in batch {
                    slot.run(shared, stage, delta_seconds);
                }
            }
        }
        for &i in &self.apply_order {
            self.slots[i].commands.run_on(world);
        }
    }
}

/// Runs the systems of one batch in parallel on the current rayon pool.
#[cfg(not(target_family = "wasm"))]
fn run_parallel(batch: &mut [Slot], world: &World, stage: Stage, delta_seconds: f64) {
    use rayon::iter::{IntoParallelRefMutIterator, ParallelIterator};
    if rayon::current_num_threads() > 1 {
        batch
            .par_iter_mut()
            .for_each(|slot| slot.run(world, stage, delta_seconds));
    } else {
        for slot in batch {
            slot.run(world, stage, delta_seconds);
        }
    }
}

/// On wasm there is one thread: the batch runs in declaration order.
#[cfg(target_family = "wasm")]
fn run_parallel(batch: &mut [Slot], world: &World, stage: Stage, delta_seconds: f64) {
    for slot in batch {
        slot.run(world, stage, delta_seconds);
    }
}
