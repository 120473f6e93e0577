//! The errors of the ECS's fallible operations.

use core::fmt;

use hecs::Entity;

/// Why an operation on one entity failed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityError {
    /// The entity does not exist (it was never spawned here, or has been despawned).
    NoSuchEntity {
        /// The entity that was asked for.
        entity: Entity,
    },
    /// The entity exists but lacks a requested component.
    MissingComponent {
        /// The entity that was asked for.
        entity: Entity,
        /// The requested component type (or bundle type), as `core::any::type_name` writes it.
        component: &'static str,
    },
}

impl EntityError {
    /// Converts a hecs component error about `entity` and the requested type `T`.
    pub(crate) fn from_hecs<T: ?Sized>(entity: Entity, error: hecs::ComponentError) -> Self {
        match error {
            hecs::ComponentError::NoSuchEntity => EntityError::NoSuchEntity { entity },
            hecs::ComponentError::MissingComponent(_) => EntityError::MissingComponent {
                entity,
                component: core::any::type_name::<T>(),
            },
        }
    }
}

impl fmt::Display for EntityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntityError::NoSuchEntity { entity } => write!(f, "no such entity: {entity:?}"),
            EntityError::MissingComponent { entity, component } => {
                write!(f, "entity {entity:?} has no component `{component}`")
            }
        }
    }
}

impl std::error::Error for EntityError {}

/// Why a resource could not be reached.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceError {
    /// No resource of this type is stored on the world.
    Missing {
        /// The resource type, as `core::any::type_name` writes it.
        resource: &'static str,
    },
    /// The resource is borrowed in a way that conflicts with the request: mutably while a
    /// shared borrow was asked for, or at all while a mutable borrow was asked for.
    Borrowed {
        /// The resource type, as `core::any::type_name` writes it.
        resource: &'static str,
        /// True when the request was for a mutable borrow.
        mutable: bool,
    },
}

impl fmt::Display for ResourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceError::Missing { resource } => {
                write!(f, "no resource `{resource}` on the world")
            }
            ResourceError::Borrowed {
                resource,
                mutable: true,
            } => write!(f, "resource `{resource}` is already borrowed"),
            ResourceError::Borrowed {
                resource,
                mutable: false,
            } => write!(f, "resource `{resource}` is already borrowed mutably"),
        }
    }
}

impl std::error::Error for ResourceError {}
