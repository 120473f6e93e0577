//! Resources: typed singletons stored on the [`World`](super::World).
//!
//! Each resource sits behind its own `RwLock`, so systems running in parallel over a shared
//! `&World` can read one resource together or write disjoint ones. Borrows never block: a
//! conflicting borrow is a [`ResourceError::Borrowed`] on the fallible API (the schedule never
//! produces one, because systems that conflict on a resource never run concurrently).

use core::any::{Any, TypeId, type_name};
use core::fmt;
use core::hash::{BuildHasherDefault, Hasher};
use core::ops::{Deref, DerefMut};
use std::collections::HashMap;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};

use super::ResourceError;

/// A type that can be stored as a resource: any `Send + Sync + 'static` type.
pub trait Resource: Send + Sync + 'static {}

impl<T: Send + Sync + 'static> Resource for T {}

/// A shared borrow of a resource of type `T`.
pub struct Res<'a, T: Resource>(RwLockReadGuard<'a, T>);

impl<T: Resource> Deref for Res<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Resource + fmt::Debug> fmt::Debug for Res<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// A mutable borrow of a resource of type `T`.
pub struct ResMut<'a, T: Resource>(RwLockWriteGuard<'a, T>);

impl<T: Resource> Deref for ResMut<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Resource> DerefMut for ResMut<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Resource + fmt::Debug> fmt::Debug for ResMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// Hashes a `TypeId` by taking the 64 bits it writes: type ids are already well-distributed
/// hashes, so SipHash over them would be wasted work on every resource access.
#[derive(Default)]
pub(crate) struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not used by `TypeId` today; FNV-1a keeps the hasher correct if that changes.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by `TypeId` with the cheap hasher above.
pub(crate) type TypeIdMap<V> = HashMap<TypeId, V, BuildHasherDefault<TypeIdHasher>>;

/// The resource storage of a world: one `RwLock<T>` per type, boxed as `Any`.
#[derive(Default)]
pub(crate) struct Resources {
    map: TypeIdMap<Box<dyn Any + Send + Sync>>,
}

impl Resources {
    fn lock<T: Resource>(&self) -> Result<&RwLock<T>, ResourceError> {
        self.map
            .get(&TypeId::of::<T>())
            .and_then(|b| b.downcast_ref::<RwLock<T>>())
            .ok_or(ResourceError::Missing {
                resource: type_name::<T>(),
            })
    }

    pub(crate) fn insert<T: Resource>(&mut self, value: T) -> Option<T> {
        match self.get_mut::<T>() {
            Some(slot) => Some(core::mem::replace(slot, value)),
            None => {
                self.map
                    .insert(TypeId::of::<T>(), Box::new(RwLock::new(value)));
                None
            }
        }
    }

    pub(crate) fn remove<T: Resource>(&mut self) -> Option<T> {
        let boxed = self.map.remove(&TypeId::of::<T>())?;
        let lock = boxed.downcast::<RwLock<T>>().ok()?;
        Some(lock.into_inner().unwrap_or_else(|p| p.into_inner()))
    }

    pub(crate) fn contains<T: Resource>(&self) -> bool {
        self.map.contains_key(&TypeId::of::<T>())
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn get<T: Resource>(&self) -> Result<Res<'_, T>, ResourceError> {
        // A poisoned lock means a system panicked while writing; the panic already propagates
        // through the schedule, so the value is handed out as it stands (as hecs does).
        match self.lock::<T>()?.try_read() {
            Ok(guard) => Ok(Res(guard)),
            Err(TryLockError::Poisoned(p)) => Ok(Res(p.into_inner())),
            Err(TryLockError::WouldBlock) => Err(ResourceError::Borrowed {
                resource: type_name::<T>(),
                mutable: false,
            }),
        }
    }

    pub(crate) fn get_locked_mut<T: Resource>(&self) -> Result<ResMut<'_, T>, ResourceError> {
        match self.lock::<T>()?.try_write() {
            Ok(guard) => Ok(ResMut(guard)),
            Err(TryLockError::Poisoned(p)) => Ok(ResMut(p.into_inner())),
            Err(TryLockError::WouldBlock) => Err(ResourceError::Borrowed {
                resource: type_name::<T>(),
                mutable: true,
            }),
        }
    }

    pub(crate) fn get_mut<T: Resource>(&mut self) -> Option<&mut T> {
        let lock = self
            .map
            .get_mut(&TypeId::of::<T>())?
            .downcast_mut::<RwLock<T>>()?;
        Some(lock.get_mut().unwrap_or_else(|p| p.into_inner()))
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }
}
