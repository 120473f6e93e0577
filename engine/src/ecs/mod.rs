//! The ECS world: entities and components over [`hecs`], typed resources, typed double-buffered
//! events and command buffers.
//!
//! Every structural change of a [`World`] (spawning, inserting, removing, despawning, clearing,
//! applying a [`CommandBuffer`]) runs inside
//! [`walloc::with_tier(Tier::Entity, ..)`](crate::walloc::with_tier), so archetype tables live in
//! walloc's Entity tier when walloc is the global allocator.
//!
//! # Example
//! ```
//! use layerw_engine::ecs::World;
//!
//! #[derive(Debug, PartialEq)]
//! struct Health(u32);
//! struct Score(u64);
//!
//! let mut world = World::new();
//! let e = world.spawn((Health(10),));
//! world.insert_resource(Score(0));
//! for h in world.query_mut::<&mut Health>() {
//!     h.0 -= 1;
//! }
//! world.resource_mut::<Score>().0 += 1;
//! assert_eq!(*world.get::<Health>(e).unwrap(), Health(9));
//! assert_eq!(world.resource::<Score>().0, 1);
//! ```

mod change;
mod column_bundle;
mod command_buffer;
mod error;
mod event;
mod resource;
mod world;

pub use change::{ChangedQuery, Tick};
pub use column_bundle::ColumnBundle;
pub use command_buffer::CommandBuffer;
pub use error::{EntityError, ResourceError};
pub use event::{Event, EventCursor, EventIter, Events};
pub use resource::{Res, ResMut, Resource};
pub use world::World;

pub use hecs::{
    Bundle, Component, DynamicBundle, Entity, Or, Query, QueryBorrow, QueryIter, QueryMut, Ref,
    RefMut, Satisfies, With, Without,
};
