//! The scoped tier selector: which tier the global allocator serves on this thread.

use core::cell::Cell;

use super::Tier;

std::thread_local! {
    // A const-initialised Cell with no destructor: reading it never allocates, which matters
    // because the global allocator reads it on every allocation.
    static CURRENT: Cell<Tier> = const { Cell::new(Tier::General) };
}

/// Runs `f` with global-allocator allocations on this thread routed to `tier`, then restores the
/// previous tier (also when `f` unwinds). Scopes nest. The selector itself never allocates.
///
/// The heap tiers (Scene, Entity, General) serve the global allocator: a `Vec` made in a Scene
/// scope lives, grows and is freed in Scene. The Render arena frees only as a whole, so a `Vec`
/// could not live in it: inside a Render scope, global allocations go to General; arena memory
/// is reached through its owner, [`Arena`](super::Arena).
///
/// # Example
/// ```
/// use layerw_engine::walloc::{self, Tier};
/// let v = walloc::with_tier(Tier::Entity, || {
///     assert_eq!(walloc::current_tier(), Tier::Entity);
///     vec![0u8; 64]
/// });
/// assert_eq!(walloc::current_tier(), Tier::General);
/// // A decoded LOD level, resident in the Scene tier until the streaming cache frees it.
/// let level = walloc::with_tier(Tier::Scene, || vec![0u8; 4096]);
/// # drop((v, level));
/// ```
#[inline]
pub fn with_tier<R>(tier: Tier, f: impl FnOnce() -> R) -> R {
    struct Restore(Tier);
    impl Drop for Restore {
        #[inline]
        fn drop(&mut self) {
            let previous = self.0;
            let _ = CURRENT.try_with(|c| c.set(previous));
        }
    }
    let previous = CURRENT
        .try_with(|c| c.replace(tier))
        .unwrap_or(Tier::General);
    let _restore = Restore(previous);
    f()
}

/// The tier selected on this thread by the innermost [`with_tier`] scope (General outside any).
#[inline]
pub fn current_tier() -> Tier {
    CURRENT.try_with(|c| c.get()).unwrap_or(Tier::General)
}

/// The heap tier that serves a global-allocator request made now on this thread.
#[inline]
pub(crate) fn current_heap_tier() -> Tier {
    match current_tier() {
        Tier::Render => Tier::General,
        heap => heap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_nest_and_restore() {
        assert_eq!(current_tier(), Tier::General);
        with_tier(Tier::Entity, || {
            assert_eq!(current_tier(), Tier::Entity);
            with_tier(Tier::Scene, || {
                assert_eq!(current_tier(), Tier::Scene);
                assert_eq!(current_heap_tier(), Tier::Scene);
                with_tier(Tier::Render, || {
                    assert_eq!(current_heap_tier(), Tier::General, "the arena is no heap");
                });
            });
            assert_eq!(current_tier(), Tier::Entity);
        });
        assert_eq!(current_tier(), Tier::General);
    }

    #[test]
    #[cfg(panic = "unwind")]
    fn scope_restores_on_unwind() {
        let result = std::panic::catch_unwind(|| with_tier(Tier::Entity, || panic!("boom")));
        assert!(result.is_err());
        assert_eq!(current_tier(), Tier::General);
    }
}
