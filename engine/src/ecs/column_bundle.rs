//! [`ColumnBundle`]: bundles written column by column, for [`World::spawn_batch`].
//!
//! hecs's own `spawn_batch` writes each entity's components one at a time, looking up each
//! component's column by type (a binary search and an untyped copy per component): about 550
//! instructions an entity of four components. Written through typed column writers into a
//! batch that hecs then takes whole (a new archetype) or appends with one copy per column, an
//! entity costs a few stores per component.
//!
//! [`World::spawn_batch`]: super::World::spawn_batch

use hecs::{Bundle, ColumnBatch, ColumnBatchBuilder, ColumnBatchType, Component};

/// A bundle type whose components can be written column by column: tuples of 1 to 15
/// components (what `spawn_batch` takes).
pub trait ColumnBundle: Bundle + Sized + 'static {
    /// Writes the first `count` bundles of `items` into a column batch, or gives back how many
    /// it wrote when `items` ended before `count` (the batch, and the bundles in it, are then
    /// dropped).
    fn column_batch(items: &mut impl Iterator<Item = Self>, count: u32)
    -> Result<ColumnBatch, u32>;
}

macro_rules! column_bundle {
    ($($name:ident $writer:ident),+) => {
        impl<$($name: Component),+> ColumnBundle for ($($name,)+) {
            #[allow(non_snake_case, reason = "each value is named after its type")]
            fn column_batch(
                items: &mut impl Iterator<Item = Self>,
                count: u32,
            ) -> Result<ColumnBatch, u32> {
                let mut ty = ColumnBatchType::new();
                ty.add_bundle::<Self>();
                let builder = ColumnBatchBuilder::new(ty, count);
                let mut written = 0;
                {
                    $(
                        let mut $writer = builder
                            .writer::<$name>()
                            .expect("the batch has a column of every bundle type");
                    )+
                    for ($($name,)+) in items.take(count as usize) {
                        // The writers have room for `count`: `take` yields no more.
                        $(
                            let _ = $writer.push($name);
                        )+
                        written += 1;
                    }
                }
                builder.build().map_err(|_| written)
            }
        }
    };
}

column_bundle!(A a);
column_bundle!(A a, B b);
column_bundle!(A a, B b, C c);
column_bundle!(A a, B b, C c, D d);
column_bundle!(A a, B b, C c, D d, E e);
column_bundle!(A a, B b, C c, D d, E e, F f);
column_bundle!(A a, B b, C c, D d, E e, F f, G g);
column_bundle!(A a, B b, C c, D d, E e, F f, G g, H h);
column_bundle!(A a, B b, C c, D d, E e, F f, G g, H h, I i);
column_bundle!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
column_bundle!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
column_bundle!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);
column_bundle!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m);
column_bundle!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n);
column_bundle!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o);
