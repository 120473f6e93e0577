//! Memory reporting: walloc's per-tier usage as tracing events.

use layerw_engine::schedule::System;
use layerw_engine::walloc;

/// Emits the global walloc instance's stats (one `tracing` event per tier, target `walloc`)
/// every `every_frames` frames (at least 1). Add it to [`Stage::NetSend`], the last stage, so
/// the figures cover the whole frame.
///
/// [`Stage::NetSend`]: layerw_engine::schedule::Stage::NetSend
pub fn memory_report(every_frames: u32) -> System {
    let every = every_frames.max(1);
    let mut frame = 0u32;
    System::new("memory_report", move |_ctx| {
        if frame.is_multiple_of(every) {
            walloc::global().emit_stats();
        }
        frame = frame.wrapping_add(1);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerw_engine::ecs::World;
    use layerw_engine::schedule::{Schedule, Stage};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// Counts events whose target is `walloc`.
    struct WallocEvents(&'static AtomicUsize);

    impl Subscriber for WallocEvents {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            if event.metadata().target() == "walloc" {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[test]
    fn reports_every_tier_every_n_frames() {
        static EVENTS: AtomicUsize = AtomicUsize::new(0);
        let subscriber = WallocEvents(&EVENTS);
        tracing::subscriber::with_default(subscriber, || {
            let mut world = World::new();
            let mut schedule = Schedule::new();
            schedule.add_system(Stage::NetSend, memory_report(3));
            for _ in 0..7 {
                schedule.run_frame(&mut world, 1.0 / 60.0);
            }
        });
        // Frames 0, 3 and 6 report, four tiers each.
        assert_eq!(EVENTS.load(Ordering::SeqCst), 3 * 4);
    }
}
