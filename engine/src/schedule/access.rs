//! What a system reads and writes: component types and resource types.

use core::any::{TypeId, type_name};

use crate::ecs::{Component, Resource};

/// A type named in an [`Access`]: its id for comparisons, its name for messages.
#[derive(Clone, Copy, Debug)]
struct Declared {
    id: TypeId,
    name: &'static str,
}

impl Declared {
    fn of<T: 'static>() -> Self {
        Self {
            id: TypeId::of::<T>(),
            name: type_name::<T>(),
        }
    }
}

fn add(list: &mut Vec<Declared>, item: Declared) {
    if !list.iter().any(|d| d.id == item.id) {
        list.push(item);
    }
}

fn find(list: &[Declared], id: TypeId) -> Option<&Declared> {
    list.iter().find(|d| d.id == id)
}

/// The first type written by `writes` that `other` also names.
fn overlap(writes: &[Declared], other: &[Declared]) -> Option<&'static str> {
    writes
        .iter()
        .find(|w| find(other, w.id).is_some())
        .map(|w| w.name)
}

/// The component and resource types a system reads and writes.
///
/// Two accesses conflict when one writes a type the other reads or writes; the schedule never
/// runs conflicting systems at the same time. Writing a type includes reading it.
///
/// # Example
/// ```
/// use layerw_engine::schedule::Access;
///
/// struct Position(f32);
/// struct Velocity(f32);
///
/// let mover = Access::new().reads::<Velocity>().writes::<Position>();
/// let reader = Access::new().reads::<Position>();
/// let other = Access::new().reads::<Velocity>();
/// assert!(mover.conflicts_with(&reader));
/// assert_eq!(mover.conflicting_type(&reader), Some(core::any::type_name::<Position>()));
/// assert!(!mover.conflicts_with(&other));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Access {
    component_reads: Vec<Declared>,
    component_writes: Vec<Declared>,
    resource_reads: Vec<Declared>,
    resource_writes: Vec<Declared>,
}

impl Access {
    /// An access that touches nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds reading the component type `T`.
    pub fn reads<T: Component>(mut self) -> Self {
        add(&mut self.component_reads, Declared::of::<T>());
        self
    }

    /// Adds writing (and reading) the component type `T`.
    pub fn writes<T: Component>(mut self) -> Self {
        add(&mut self.component_writes, Declared::of::<T>());
        self
    }

    /// Adds reading the resource type `T`.
    pub fn reads_resource<T: Resource>(mut self) -> Self {
        add(&mut self.resource_reads, Declared::of::<T>());
        self
    }

    /// Adds writing (and reading) the resource type `T`.
    pub fn writes_resource<T: Resource>(mut self) -> Self {
        add(&mut self.resource_writes, Declared::of::<T>());
        self
    }

    /// Adds the component type `id` (named `name` in messages), written when `unique`: what a
    /// parameter-declared query records for each type it borrows.
    pub(crate) fn add_component_id(&mut self, id: TypeId, name: &'static str, unique: bool) {
        let list = if unique {
            &mut self.component_writes
        } else {
            &mut self.component_reads
        };
        add(list, Declared { id, name });
    }

    /// Adds every type of `other` to this access (a run condition's reads join its system's).
    pub(crate) fn merge(&mut self, other: &Access) {
        for (mine, theirs) in [
            (&mut self.component_reads, &other.component_reads),
            (&mut self.component_writes, &other.component_writes),
            (&mut self.resource_reads, &other.resource_reads),
            (&mut self.resource_writes, &other.resource_writes),
        ] {
            for d in theirs {
                add(mine, *d);
            }
        }
    }

    /// True when this access writes nothing (what a run condition may declare).
    pub fn is_read_only(&self) -> bool {
        self.component_writes.is_empty() && self.resource_writes.is_empty()
    }

    /// True when a system with this access may not run at the same time as one with `other`.
    pub fn conflicts_with(&self, other: &Access) -> bool {
        self.conflicting_type(other).is_some()
    }

    /// The name of a type over which this access and `other` conflict, if any.
    pub fn conflicting_type(&self, other: &Access) -> Option<&'static str> {
        overlap(&self.component_writes, &other.component_reads)
            .or_else(|| overlap(&self.component_writes, &other.component_writes))
            .or_else(|| overlap(&other.component_writes, &self.component_reads))
            .or_else(|| overlap(&self.resource_writes, &other.resource_reads))
            .or_else(|| overlap(&self.resource_writes, &other.resource_writes))
            .or_else(|| overlap(&other.resource_writes, &self.resource_reads))
    }

    /// Whether the component type `id` may be read (declared read or written).
    pub fn can_read_component(&self, id: TypeId) -> bool {
        find(&self.component_reads, id).is_some() || self.can_write_component(id)
    }

    /// Whether the component type `id` may be written.
    pub fn can_write_component(&self, id: TypeId) -> bool {
        find(&self.component_writes, id).is_some()
    }

    /// Whether the resource type `id` may be read (declared read or written).
    pub fn can_read_resource(&self, id: TypeId) -> bool {
        find(&self.resource_reads, id).is_some() || self.can_write_resource(id)
    }

    /// Whether the resource type `id` may be written.
    pub fn can_write_resource(&self, id: TypeId) -> bool {
        find(&self.resource_writes, id).is_some()
    }

    /// Panics, naming `system` and the query, if `Q` borrows a component this access does not
    /// declare (or borrows uniquely one declared read-only).
    #[cfg(debug_assertions)]
    #[track_caller]
    pub(crate) fn check_query<Q: crate::ecs::Query>(&self, system: &str) {
        // The closure only records the first violation: panicking here, outside it, keeps
        // `#[track_caller]` pointing at the system's call site.
        let mut violation = None;
        <Q::Fetch as hecs::Fetch>::for_each_borrow(|id, unique| {
            let allowed = if unique {
                self.can_write_component(id)
            } else {
                self.can_read_component(id)
            };
            if !allowed && violation.is_none() {
                violation = Some((id, unique));
            }
        });
        let Some((id, unique)) = violation else {
            return;
        };
        let what = match (unique, find(&self.component_reads, id)) {
            (true, Some(d)) => format!(
                "writes component `{0}`, which it declared only as read; use `.writes::<{0}>()`",
                d.name
            ),
            (true, None) => format!(
                "writes a component it did not declare ({id:?}); declare it with `.writes::<T>()`"
            ),
            (false, _) => format!(
                "reads a component it did not declare ({id:?}); declare it with `.reads::<T>()`"
            ),
        };
        panic!(
            "system `{system}` accessed undeclared data: query `{}` {what}",
            type_name::<Q>()
        );
    }

    /// Panics, naming `system` and `T`, if this access does not declare the component `T`
    /// (for writing when `unique`).
    #[cfg(debug_assertions)]
    #[track_caller]
    pub(crate) fn check_component<T: Component>(&self, system: &str, unique: bool) {
        let id = TypeId::of::<T>();
        let allowed = if unique {
            self.can_write_component(id)
        } else {
            self.can_read_component(id)
        };
        if !allowed {
            let (verb, method) = if unique {
                ("writes", "writes")
            } else {
                ("reads", "reads")
            };
            panic!(
                "system `{system}` {verb} component `{0}` without declaring it; add `.{method}::<{0}>()`",
                type_name::<T>()
            );
        }
    }

    /// Panics, naming `system` and `T`, if this access does not declare the resource `T`
    /// (for writing when `unique`).
    #[cfg(debug_assertions)]
    #[track_caller]
    pub(crate) fn check_resource<T: Resource>(&self, system: &str, unique: bool) {
        let id = TypeId::of::<T>();
        let allowed = if unique {
            self.can_write_resource(id)
        } else {
            self.can_read_resource(id)
        };
        if !allowed {
            let (verb, method) = if unique {
                ("writes", "writes_resource")
            } else {
                ("reads", "reads_resource")
            };
            panic!(
                "system `{system}` {verb} resource `{0}` without declaring it; add `.{method}::<{0}>()`",
                type_name::<T>()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct A;
    struct B;
    struct R;

    #[test]
    fn readers_share_writers_conflict() {
        let ra = Access::new().reads::<A>();
        let wa = Access::new().writes::<A>();
        let wb = Access::new().writes::<B>();
        assert!(!ra.conflicts_with(&ra));
        assert!(ra.conflicts_with(&wa));
        assert!(wa.conflicts_with(&ra));
        assert!(wa.conflicts_with(&wa));
        assert!(!wa.conflicts_with(&wb));
    }

    #[test]
    fn resources_and_components_are_separate_namespaces() {
        let wr = Access::new().writes_resource::<R>();
        let rr = Access::new().reads_resource::<R>();
        let wc = Access::new().writes::<R>();
        assert!(wr.conflicts_with(&rr));
        assert!(!wr.conflicts_with(&wc));
        assert!(wr.can_read_resource(TypeId::of::<R>()));
        assert!(!rr.can_write_resource(TypeId::of::<R>()));
    }
}
