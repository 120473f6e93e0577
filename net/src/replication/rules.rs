//! The registry of replicated component types, and what each registration does on the server
//! (capture the tick's state) and on a client (apply it, interpolate it, check a prediction).

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt;

use hecs::EntityBuilder;
use layerw_engine::ecs::{CommandBuffer, Component, Entity};
use layerw_engine::schedule::{Access, SystemContext};

use super::view::{MAX_COMPONENTS, View};
use super::{ComponentCodec, NetId, WordCodec, Words};
use crate::client::Predicted;
use crate::interpolation::SnapshotBuffer;

/// Snapshots kept per remote entity and component for interpolation.
const HISTORY: usize = 32;

/// Why a registration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplicationError {
    /// More than [`MAX_COMPONENTS`] component types.
    TooManyComponents {
        /// The most allowed.
        maximum: usize,
    },
    /// The type is registered already.
    Duplicate {
        /// Its name.
        name: &'static str,
    },
}

impl fmt::Display for ReplicationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplicationError::TooManyComponents { maximum } => {
                write!(f, "at most {maximum} replicated component types")
            }
            ReplicationError::Duplicate { name } => write!(f, "{name} is replicated already"),
        }
    }
}

impl std::error::Error for ReplicationError {}

/// The replicated component types and their codecs, in wire order. Build the same one on the
/// server and the clients (a function the game calls on both sides).
///
/// # Example
/// ```
/// use glam::Vec3;
/// use layerw_components::{Position, Rotation};
/// use layerw_net::codec::{PositionCodec, RotationCodec};
/// use layerw_net::replication::Replication;
///
/// let positions = PositionCodec::new(Vec3::splat(-512.0), Vec3::splat(512.0), 0.001).unwrap();
/// let replication = Replication::new()
///     .with::<Position>(positions)
///     .with::<Rotation>(RotationCodec::new(11).unwrap());
/// assert_eq!(replication.len(), 2);
/// ```
#[derive(Default)]
pub struct Replication {
    pub(crate) rules: Vec<Box<dyn ErasedRule>>,
}

impl fmt::Debug for Replication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|r| r.name()))
            .finish()
    }
}

impl Replication {
    /// No replicated components yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `T` with `codec`.
    ///
    /// # Panics
    /// On a duplicate or past [`MAX_COMPONENTS`]; see [`try_with`](Self::try_with).
    #[track_caller]
    pub fn with<T: Component + Copy>(self, codec: impl ComponentCodec<T>) -> Self {
        match self.try_with(codec) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    /// Registers `T` with `codec`, or says why not.
    pub fn try_with<T: Component + Copy>(
        mut self,
        codec: impl ComponentCodec<T>,
    ) -> Result<Self, ReplicationError> {
        if self.rules.len() >= MAX_COMPONENTS {
            return Err(ReplicationError::TooManyComponents {
                maximum: MAX_COMPONENTS,
            });
        }
        if self.index_of::<T>().is_some() {
            return Err(ReplicationError::Duplicate {
                name: std::any::type_name::<T>(),
            });
        }
        self.rules.push(Box::new(Rule::<T, _> {
            codec,
            buffers: HashMap::new(),
            _component: std::marker::PhantomData,
        }));
        Ok(self)
    }

    /// How many component types are registered.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The wire slot of `T`, if registered.
    pub fn index_of<T: Component>(&self) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.type_id() == TypeId::of::<T>())
    }

    /// The codecs in slot order, for [`encode_view`](super::encode_view) and
    /// [`decode_view`](super::decode_view).
    pub fn word_codecs(&self) -> Vec<&dyn WordCodec> {
        self.rules.iter().map(|r| r.word_codec()).collect()
    }

    /// Adds every registered type to `access`: read on the server, or written on a client.
    pub(crate) fn declare(&self, mut access: Access, write: bool) -> Access {
        for rule in &self.rules {
            access = rule.declare(access, write);
        }
        access
    }
}

/// The server's capture of one tick: every replicated entity, sorted by id, with its words.
#[derive(Default)]
pub(crate) struct StateTable {
    pub(crate) view: View,
    pub(crate) entities: Vec<Entity>,
}

/// One registration with its component type erased.
pub(crate) trait ErasedRule: Send + Sync {
    fn name(&self) -> &'static str;
    fn type_id(&self) -> TypeId;
    fn word_codec(&self) -> &dyn WordCodec;
    fn declare(&self, access: Access, write: bool) -> Access;
    /// Server: fills slot `k` of every row of `table`.
    fn capture(&self, ctx: &SystemContext<'_>, table: &mut StateTable, k: usize);
    /// Server: rounds every replicated entity's component to its quantised value.
    fn snap_replicated(&self, ctx: &SystemContext<'_>);
    /// Client: rounds the predicted entity's component to its quantised value.
    fn snap_predicted(&self, ctx: &SystemContext<'_>);
    /// Client: the current value's words, if the entity has the component.
    fn read(&self, ctx: &SystemContext<'_>, entity: Entity) -> Option<Words>;
    /// Client: sets (or inserts, or with `None` removes) the component.
    fn write(
        &self,
        ctx: &SystemContext<'_>,
        commands: &mut CommandBuffer,
        entity: Entity,
        words: Option<&Words>,
    );
    /// Client: adds the component to a new entity.
    fn spawn(&self, builder: &mut EntityBuilder, words: &Words);
    /// Client: remembers the value of a remote entity at `tick` for interpolation.
    fn record(&mut self, id: NetId, tick: u32, words: &Words);
    /// Client: the tick of the newest value recorded for `id`.
    fn newest(&self, id: NetId) -> Option<u32>;
    /// Client: forgets a remote entity.
    fn forget(&mut self, id: NetId);
    /// Client: writes the value of `id` at `render_tick` (between recorded snapshots) into the
    /// entity's component; false when nothing is recorded.
    fn interpolate(
        &mut self,
        ctx: &SystemContext<'_>,
        id: NetId,
        entity: Entity,
        render_tick: f64,
    ) -> bool;
    /// Client: whether a predicted value agrees with the server's.
    fn agrees(&self, predicted: &Words, server: &Words) -> bool;
}

struct Rule<T: Component + Copy, C: ComponentCodec<T>> {
    codec: C,
    buffers: HashMap<NetId, SnapshotBuffer<T>>,
    _component: std::marker::PhantomData<fn() -> T>,
}

impl<T: Component + Copy, C: ComponentCodec<T>> ErasedRule for Rule<T, C> {
    fn name(&self) -> &'static str {
        std::any::type_name::<T>()
    }

    fn type_id(&self) -> TypeId {
        TypeId::of::<T>()
    }

    fn word_codec(&self) -> &dyn WordCodec {
        &self.codec
    }

    fn declare(&self, access: Access, write: bool) -> Access {
        if write {
            access.writes::<T>()
        } else {
            access.reads::<T>()
        }
    }

    fn capture(&self, ctx: &SystemContext<'_>, table: &mut StateTable, k: usize) {
        let bit = 1u32 << k;
        for (row, &entity) in table.entities.iter().enumerate() {
            if let Ok(value) = ctx.get::<T>(entity) {
                table
                    .view
                    .set_component(row, k, bit, self.codec.quantize(&value));
            }
        }
    }

    fn snap_replicated(&self, ctx: &SystemContext<'_>) {
        let codec = &self.codec;
        ctx.par_for_each::<(&NetId, &mut T), _>(|(_, value)| {
            *value = codec.dequantize(&codec.quantize(value));
        });
    }

    fn snap_predicted(&self, ctx: &SystemContext<'_>) {
        for (_, value) in ctx.query::<(&Predicted, &mut T)>().iter() {
            *value = self.codec.dequantize(&self.codec.quantize(value));
        }
    }

    fn read(&self, ctx: &SystemContext<'_>, entity: Entity) -> Option<Words> {
        ctx.get::<T>(entity)
            .ok()
            .map(|value| self.codec.quantize(&value))
    }

    fn write(
        &self,
        ctx: &SystemContext<'_>,
        commands: &mut CommandBuffer,
        entity: Entity,
        words: Option<&Words>,
    ) {
        match words {
            Some(words) => {
                let value = self.codec.dequantize(words);
                match ctx.get_mut::<T>(entity) {
                    Ok(mut current) => *current = value,
                    Err(_) => commands.insert_one(entity, value),
                }
            }
            None => {
                if ctx.get::<T>(entity).is_ok() {
                    commands.remove_one::<T>(entity);
                }
            }
        }
    }

    fn spawn(&self, builder: &mut EntityBuilder, words: &Words) {
        builder.add(self.codec.dequantize(words));
    }

    fn record(&mut self, id: NetId, tick: u32, words: &Words) {
        let value = self.codec.dequantize(words);
        self.buffers
            .entry(id)
            .or_insert_with(|| SnapshotBuffer::new(HISTORY))
            .push(tick, value);
    }

    fn newest(&self, id: NetId) -> Option<u32> {
        self.buffers.get(&id).and_then(|b| b.newest_tick())
    }

    fn forget(&mut self, id: NetId) {
        self.buffers.remove(&id);
    }

    fn interpolate(
        &mut self,
        ctx: &SystemContext<'_>,
        id: NetId,
        entity: Entity,
        render_tick: f64,
    ) -> bool {
        let Some(buffer) = self.buffers.get_mut(&id) else {
            return false;
        };
        let codec = &self.codec;
        let Some(value) = buffer.sample(render_tick, |a, b, t| codec.interpolate(&a, &b, t)) else {
            return false;
        };
        // Keep the sample before the render time: it is the left end of the next blend.
        buffer.discard_before(render_tick);
        if let Ok(mut current) = ctx.get_mut::<T>(entity) {
            *current = value;
        }
        true
    }

    fn agrees(&self, predicted: &Words, server: &Words) -> bool {
        self.codec.agrees(predicted, server)
    }
}
