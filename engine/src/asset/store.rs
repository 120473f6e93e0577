//! [`Assets<T>`]: the store every asset kind lives in, and [`LoadState`].

use super::{AssetError, Handle};

/// Where an asset is in its life, as [`Assets::load_state`] reports it.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum LoadState {
    /// The slot is reserved; its bytes are being read or decoded.
    Loading,
    /// The asset is in the store.
    Loaded,
    /// Loading failed; the slot stays reserved (so the state can be shown) until removed.
    Failed(AssetError),
    /// The handle names nothing: removed, never made, or from before the slot was reused.
    Unloaded,
}

enum Content<T> {
    Empty,
    Loading,
    Loaded(T),
    Failed(AssetError),
}

struct Slot<T> {
    generation: u32,
    content: Content<T>,
    /// The store's version when the content last changed (consumers re-sync newer slots).
    changed: u64,
}

/// A store of one asset kind, kept on the world as a resource: generational slots, each
/// empty, loading, loaded or failed.
///
/// Unloading is explicit: [`remove`](Self::remove) drops the asset and frees the slot; every
/// handle to it goes stale at once (the slot's next occupant gets a new generation). Consumers
/// that mirror the store elsewhere (the renderer's GPU buffers) compare
/// [`version`](Self::version) with the last one they saw and, when it moved, drop what is no
/// longer live ([`contains`](Self::contains)) and take what [`changed_since`](Self::changed_since)
/// lists.
///
/// # Example
/// ```
/// use layerw_engine::asset::{Assets, LoadState};
///
/// let mut store: Assets<String> = Assets::default();
/// let pending = store.reserve();
/// assert_eq!(store.load_state(pending), LoadState::Loading);
/// assert!(store.insert(pending, "ready".to_owned()).is_ok());
/// assert_eq!(store.load_state(pending), LoadState::Loaded);
/// assert_eq!(store.remove(pending).as_deref(), Some("ready"));
/// assert_eq!(store.load_state(pending), LoadState::Unloaded);
/// ```
pub struct Assets<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    loaded: usize,
    version: u64,
}

impl<T> Default for Assets<T> {
    fn default() -> Self {
        Assets {
            slots: Vec::new(),
            free: Vec::new(),
            loaded: 0,
            version: 0,
        }
    }
}

impl<T> Assets<T> {
    fn slot(&self, handle: Handle<T>) -> Option<&Slot<T>> {
        self.slots
            .get(handle.index as usize)
            .filter(|s| s.generation == handle.generation && !matches!(s.content, Content::Empty))
    }

    fn slot_mut(&mut self, handle: Handle<T>) -> Option<&mut Slot<T>> {
        self.slots
            .get_mut(handle.index as usize)
            .filter(|s| s.generation == handle.generation && !matches!(s.content, Content::Empty))
    }

    fn allocate(&mut self, content: Content<T>) -> Handle<T> {
        self.version += 1;
        if matches!(content, Content::Loaded(_)) {
            self.loaded += 1;
        }
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    content: Content::Empty,
                    changed: 0,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.generation += 1;
        slot.content = content;
        slot.changed = self.version;
        Handle::new(index, slot.generation)
    }

    /// Adds a loaded asset.
    pub fn add(&mut self, asset: T) -> Handle<T> {
        self.allocate(Content::Loaded(asset))
    }

    /// Reserves a slot in the [`Loading`](LoadState::Loading) state, to be filled by
    /// [`insert`](Self::insert) or [`fail`](Self::fail).
    pub fn reserve(&mut self) -> Handle<T> {
        self.allocate(Content::Loading)
    }

    /// Puts `asset` in a live slot (loading, loaded or failed): `Ok` with the asset it
    /// replaces, if any; `Err(asset)` back when the handle is stale.
    pub fn insert(&mut self, handle: Handle<T>, asset: T) -> Result<Option<T>, T> {
        let version = self.version + 1;
        let Some(slot) = self.slot_mut(handle) else {
            return Err(asset);
        };
        let previous = core::mem::replace(&mut slot.content, Content::Loaded(asset));
        slot.changed = version;
        self.version = version;
        match previous {
            Content::Loaded(old) => Ok(Some(old)),
            _ => {
                self.loaded += 1;
                Ok(None)
            }
        }
    }

    /// Marks a live slot as failed (dropping an asset it held); false when the handle is stale.
    pub fn fail(&mut self, handle: Handle<T>, error: AssetError) -> bool {
        let version = self.version + 1;
        let Some(slot) = self.slot_mut(handle) else {
            return false;
        };
        let previous = core::mem::replace(&mut slot.content, Content::Failed(error));
        slot.changed = version;
        self.version = version;
        if matches!(previous, Content::Loaded(_)) {
            self.loaded -= 1;
        }
        true
    }

    /// Drops a loaded asset but keeps its slot and handle, back in the
    /// [`Loading`](LoadState::Loading) state: for content that comes and goes under the same
    /// handle (streamed LOD levels). Consumers see the slot no longer loaded (the renderer
    /// frees its GPU copy) and a later [`insert`](Self::insert) fills it again. `None` when the
    /// handle is stale or not loaded.
    pub fn unload(&mut self, handle: Handle<T>) -> Option<T> {
        let version = self.version + 1;
        let slot = self.slot_mut(handle)?;
        if !matches!(slot.content, Content::Loaded(_)) {
            return None;
        }
        let Content::Loaded(asset) = core::mem::replace(&mut slot.content, Content::Loading) else {
            return None;
        };
        slot.changed = version;
        self.version = version;
        self.loaded -= 1;
        Some(asset)
    }

    /// Unloads: frees the slot (loaded, loading or failed) and returns the asset it held.
    /// Every handle to it goes stale; a load still in flight for it is dropped on arrival.
    pub fn remove(&mut self, handle: Handle<T>) -> Option<T> {
        let slot = self.slot_mut(handle)?;
        let content = core::mem::replace(&mut slot.content, Content::Empty);
        self.free.push(handle.index);
        self.version += 1;
        match content {
            Content::Loaded(asset) => {
                self.loaded -= 1;
                Some(asset)
            }
            _ => None,
        }
    }

    /// Unloads everything: every handle goes stale (generations carry on) and the next
    /// assets added fill slots 0, 1, 2, ... in order.
    pub fn clear(&mut self) {
        for slot in &mut self.slots {
            slot.content = Content::Empty;
        }
        self.free = (0..self.slots.len() as u32).rev().collect();
        self.loaded = 0;
        self.version += 1;
    }

    /// The asset behind a live, loaded handle.
    pub fn get(&self, handle: Handle<T>) -> Option<&T> {
        match &self.slot(handle)?.content {
            Content::Loaded(asset) => Some(asset),
            _ => None,
        }
    }

    /// The asset behind a live, loaded handle, to change it: the slot counts as changed
    /// (consumers such as the renderer upload it again).
    pub fn get_mut(&mut self, handle: Handle<T>) -> Option<&mut T> {
        if !self.contains(handle) {
            return None;
        }
        self.version += 1;
        let slot = &mut self.slots[handle.index as usize];
        slot.changed = self.version;
        match &mut slot.content {
            Content::Loaded(asset) => Some(asset),
            _ => None,
        }
    }

    /// Whether the handle names a loaded asset.
    pub fn contains(&self, handle: Handle<T>) -> bool {
        self.get(handle).is_some()
    }

    /// The handle's state.
    pub fn load_state(&self, handle: Handle<T>) -> LoadState {
        match self.slot(handle).map(|s| &s.content) {
            Some(Content::Loading) => LoadState::Loading,
            Some(Content::Loaded(_)) => LoadState::Loaded,
            Some(Content::Failed(e)) => LoadState::Failed(e.clone()),
            Some(Content::Empty) | None => LoadState::Unloaded,
        }
    }

    /// The live handle (loading, loaded or failed) in slot `index`, if any.
    pub fn handle_at(&self, index: u32) -> Option<Handle<T>> {
        let slot = self.slots.get(index as usize)?;
        (!matches!(slot.content, Content::Empty)).then(|| Handle::new(index, slot.generation))
    }

    /// Every loaded asset with its handle, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (Handle<T>, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match &s.content {
                Content::Loaded(asset) => Some((Handle::new(i as u32, s.generation), asset)),
                _ => None,
            })
    }

    /// The loaded assets added, inserted or changed after the store's version was `version`.
    pub fn changed_since(&self, version: u64) -> impl Iterator<Item = (Handle<T>, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(move |(i, s)| match &s.content {
                Content::Loaded(asset) if s.changed > version => {
                    Some((Handle::new(i as u32, s.generation), asset))
                }
                _ => None,
            })
    }

    /// Loaded assets.
    pub fn len(&self) -> usize {
        self.loaded
    }

    /// True when nothing is loaded.
    pub fn is_empty(&self) -> bool {
        self.loaded == 0
    }

    /// Slots ever made (live or free): the length of per-slot side tables.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Bumped by every change (add, reserve, insert, fail, remove, `get_mut`).
    pub fn version(&self) -> u64 {
        self.version
    }
}
