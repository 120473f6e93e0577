//! Command buffers: structural changes recorded now and applied to a [`World`] later.

use core::fmt;

use hecs::{Bundle, Component, DynamicBundle, Entity};

use super::World;
use crate::walloc::{self, Tier};

/// Records spawns, inserts, removals and despawns for later application to a [`World`].
///
/// Systems cannot change the world's structure while they run in parallel over a shared
/// `&World`; they record changes here instead, and the schedule applies every system's buffer
/// at the end of the stage in system declaration order. Applying runs in walloc's Entity tier;
/// recording allocates in the caller's tier. A buffer keeps its memory after being applied, so
/// a reused buffer does not allocate in the steady state.
///
/// # Example
/// ```
/// use layerw_engine::ecs::{CommandBuffer, World};
///
/// let mut world = World::new();
/// let e = world.spawn((1u32,));
/// let mut commands = CommandBuffer::new();
/// commands.spawn((2u32, true));
/// commands.despawn(e);
/// assert_eq!(commands.len(), 2);
/// commands.run_on(&mut world);
/// assert!(commands.is_empty());
/// assert!(!world.contains(e));
/// assert_eq!(world.len(), 1);
/// ```
#[derive(Default)]
pub struct CommandBuffer {
    inner: hecs::CommandBuffer,
    len: usize,
    /// The entities given components: an insert of types an entity already has replaces
    /// them in place, which only these tell the change ticks about.
    inserted: Vec<Entity>,
}

impl fmt::Debug for CommandBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandBuffer")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl CommandBuffer {
    /// An empty buffer (allocates nothing until the first command).
    pub fn new() -> Self {
        Self::default()
    }

    /// Records spawning an entity with `components`.
    pub fn spawn(&mut self, components: impl DynamicBundle) {
        self.inner.spawn(components);
        self.len += 1;
    }

    /// Records adding `components` to `entity` (replacing components of the same types). If the
    /// entity no longer exists when the buffer is applied, the components are dropped.
    pub fn insert(&mut self, entity: Entity, components: impl DynamicBundle) {
        self.inner.insert(entity, components);
        self.inserted.push(entity);
        self.len += 1;
    }

    /// Records adding one `component` to `entity`; see [`insert`](Self::insert).
    pub fn insert_one(&mut self, entity: Entity, component: impl Component) {
        self.inner.insert_one(entity, component);
        self.inserted.push(entity);
        self.len += 1;
    }

    /// Records removing the components of bundle `T` from `entity`. Nothing happens on
    /// application if the entity is gone or lacks one of them.
    pub fn remove<T: Bundle + 'static>(&mut self, entity: Entity) {
        self.inner.remove::<T>(entity);
        self.len += 1;
    }

    /// Records removing the component `T` from `entity`; see [`remove`](Self::remove).
    pub fn remove_one<T: Component>(&mut self, entity: Entity) {
        self.inner.remove_one::<T>(entity);
        self.len += 1;
    }

    /// Records despawning `entity` (nothing happens on application if it is already gone).
    pub fn despawn(&mut self, entity: Entity) {
        self.inner.despawn(entity);
        self.len += 1;
    }

    /// The number of recorded commands.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no commands are recorded.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Drops every recorded command without applying it.
    pub fn clear(&mut self) {
        self.inner.clear();
        self.inserted.clear();
        self.len = 0;
    }

    /// Applies the recorded commands to `world` in recording order, in walloc's Entity tier,
    /// and leaves the buffer empty (keeping its memory for reuse).
    pub fn run_on(&mut self, world: &mut World) {
        if self.len == 0 {
            return;
        }
        self.len = 0;
        let inner = &mut self.inner;
        let before = world.changes.snapshot(&world.entities);
        walloc::with_tier(Tier::Entity, || inner.run_on(&mut world.entities));
        world.changes.mark_differences(&world.entities, &before);
        for entity in self.inserted.drain(..) {
            world.changes.mark_arrival(&world.entities, entity);
        }
    }
}
