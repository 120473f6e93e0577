//! The playout timeline remote entities are drawn on, and the interpolation that follows it.

use layerw_engine::ecs::Entity;
use layerw_engine::schedule::{Access, System, Time};

use super::{Interpolated, NetClient};
use crate::replication::NetId;

/// The tick remote entities are drawn at: it advances with frame time and eases towards the
/// target (the estimated server tick minus the interpolation delay) instead of following the
/// estimate's steps, and never runs backwards, so remote motion stays smooth when a pong moves
/// the estimate or the delay changes.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Playout {
    tick: Option<f64>,
}

impl Playout {
    /// Ticks of error beyond which the timeline jumps instead of easing.
    const SNAP_TICKS: f64 = 4.0;
    /// The fraction of the error closed per tick of time.
    const EASE_PER_TICK: f64 = 0.05;

    pub(super) fn advance(&mut self, target: f64, ticks: f64) -> f64 {
        let next = match self.tick {
            None => target,
            Some(tick) => {
                let advanced = tick + ticks;
                let error = target - advanced;
                if error.abs() > Self::SNAP_TICKS {
                    target
                } else {
                    let eased = advanced + error * (Self::EASE_PER_TICK * ticks).min(1.0);
                    eased.max(tick)
                }
            }
        };
        self.tick = Some(next);
        next
    }
}

pub(super) fn interpolate_system(replicated: Access) -> System {
    let access = replicated
        .reads::<NetId>()
        .reads::<Interpolated>()
        .reads_resource::<Time>()
        .writes_resource::<NetClient>();
    System::new("net_client_interpolate", |ctx| {
        let time = ctx.resource::<Time>();
        let (now, dt) = (time.elapsed_seconds(), time.delta_seconds());
        drop(time);
        let mut client = ctx.resource_mut::<NetClient>();
        let client = &mut *client;
        if !client.is_connected() || client.newest.is_none() {
            return;
        }
        client.delay.advance(dt);
        // Snapshots arrive about half a round trip after the server sent them: the delay is
        // counted back from that arrival timeline, so all of it is buffer against jitter.
        let rate = f64::from(client.tick_rate);
        let arriving = client.clock.server_tick_estimate(now) - client.clock.rtt() * 0.5 * rate;
        let target = arriving - client.delay.delay_ticks();
        let render_tick = client.playout.advance(target, dt * rate);
        let remote: Vec<(Entity, NetId)> = ctx
            .query::<(Entity, &NetId, &Interpolated)>()
            .iter()
            .map(|(entity, id, _)| (entity, *id))
            .collect();
        for (entity, id) in remote {
            for rule in &mut client.replication.rules {
                rule.interpolate(ctx, id, entity, render_tick);
            }
        }
        client.stats.interpolation_delay = client.delay.delay();
        client.stats.server_tick = client.clock.server_tick_estimate(now);
        client.stats.render_tick = render_tick;
    })
    .with_access(access)
}
