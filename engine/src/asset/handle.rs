//! [`Handle<T>`]: a typed, generational name for one asset in an [`Assets<T>`](super::Assets).

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::marker::PhantomData;

/// A typed handle: a slot index and the slot's generation when the handle was made.
///
/// Handles are `Copy` (ECS components and packed render items hold them). Removing an asset
/// bumps nothing in the handle: the slot's generation moves on when the slot is reused, so an
/// old handle stops naming anything instead of naming the newcomer. Generation 0 is never
/// given out, so the default handle names nothing.
///
/// # Example
/// ```
/// use layerw_engine::asset::{Assets, Handle};
///
/// let mut names: Assets<&'static str> = Assets::default();
/// let a = names.add("first");
/// assert_eq!(names.get(a), Some(&"first"));
/// names.remove(a);
/// let b = names.add("second");
/// assert_eq!(a.index(), b.index()); // the slot is reused ...
/// assert_ne!(a, b); // ... under a new generation
/// assert_eq!(names.get(a), None);
/// assert_eq!(names.get(Handle::default()), None);
/// ```
pub struct Handle<T> {
    pub(crate) index: u32,
    pub(crate) generation: u32,
    kind: PhantomData<fn() -> T>,
}

impl<T> Handle<T> {
    pub(crate) const fn new(index: u32, generation: u32) -> Handle<T> {
        Handle {
            index,
            generation,
            kind: PhantomData,
        }
    }

    /// The slot index (stable while the asset lives; reused after it is removed). Stores
    /// that keep per-slot tables (LOD selection) index them with it.
    pub fn index(self) -> u32 {
        self.index
    }

    /// The slot's generation when the handle was made (0: the default handle, never live).
    pub fn generation(self) -> u32 {
        self.generation
    }

    /// A handle to slot `index`, first generation, as a store's first asset in that slot
    /// gets: for tests of code that only sorts or compares handles.
    #[doc(hidden)]
    pub fn for_tests(index: u32) -> Handle<T> {
        Handle::new(index, 1)
    }
}

// Manual impls: the derives would require `T` itself to be Clone, Eq, ...
impl<T> Clone for Handle<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Handle<T> {}

impl<T> Default for Handle<T> {
    fn default() -> Self {
        Handle::new(0, 0)
    }
}

impl<T> PartialEq for Handle<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.index, self.generation) == (other.index, other.generation)
    }
}

impl<T> Eq for Handle<T> {}

impl<T> PartialOrd for Handle<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Handle<T> {
    /// By slot index, then generation: draws sorted by mesh handle group by slot.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.index, self.generation).cmp(&(other.index, other.generation))
    }
}

impl<T> Hash for Handle<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.index.hash(state);
        self.generation.hash(state);
    }
}

impl<T> fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = core::any::type_name::<T>();
        let kind = kind.rsplit("::").next().unwrap_or(kind);
        write!(f, "Handle<{kind}>({}v{})", self.index, self.generation)
    }
}
