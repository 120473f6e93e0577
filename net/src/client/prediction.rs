//! The local player's prediction: inputs per tick, checks against the server's state, replays
//! and the smoothed correction.

use glam::{Quat, Vec3};
use layerw_components::{Position, Rotation, Transform};
use layerw_engine::ecs::Entity;
use layerw_engine::platform::{Action, ActionState};
use layerw_engine::schedule::{Access, Rollback, System, SystemContext, Time};

use super::{HISTORY, NetClient, Predicted, SMOOTHING_SECONDS};
use crate::input::{PlayerInput, encode_input};
use crate::replication::Words;

/// A correction being replayed: the predicted player's state before it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Replay {
    pub(super) next: u32,
    pub(super) old_position: Option<Vec3>,
    pub(super) old_rotation: Option<Quat>,
}

/// Compares the server's state of the local player at `tick` with what was predicted for
/// that tick; on a disagreement, resets to the server's state and asks for a replay.
pub(super) fn check_prediction(
    ctx: &SystemContext<'_>,
    client: &mut NetClient,
    commands: &mut layerw_engine::ecs::CommandBuffer,
    entity: Entity,
    words: &[Words],
    present: u32,
    tick: u32,
) {
    let predicted = client
        .predicted
        .iter()
        .rev()
        .find(|(t, _)| *t == tick)
        .map(|(_, w)| w);
    let agrees = predicted.is_some_and(|predicted| {
        client
            .replication
            .rules
            .iter()
            .enumerate()
            .all(|(k, rule)| {
                let server = (present & (1 << k) != 0).then_some(&words[k]);
                match (predicted[k].as_ref(), server) {
                    (Some(p), Some(s)) => rule.agrees(p, s),
                    (None, None) => true,
                    _ => false,
                }
            })
    });
    if agrees {
        return;
    }
    // Several snapshots in one frame (after a stall): the drawn state is the one from before
    // the first correction of the frame.
    let (old_position, old_rotation) = match client.replay {
        Some(replay) => (replay.old_position, replay.old_rotation),
        None => (
            ctx.get::<Position>(entity).ok().map(|p| p.0),
            ctx.get::<Rotation>(entity).ok().map(|r| r.0),
        ),
    };
    for (k, rule) in client.replication.rules.iter().enumerate() {
        let server = (present & (1 << k) != 0).then_some(&words[k]);
        rule.write(ctx, commands, entity, server);
    }
    client.stats.corrections += 1;
    let behind = client.tick.wrapping_sub(tick);
    if client.tick > tick && behind <= Rollback::MAX_STEPS {
        let mut rollback = ctx.resource_mut::<Rollback>();
        // A newer snapshot's correction replaces an older one's from the same frame.
        rollback.cancel();
        rollback.request(behind);
        client.replay = Some(Replay {
            next: tick.wrapping_add(1),
            old_position,
            old_rotation,
        });
    } else {
        // The server is ahead of the prediction (or too far behind to replay): its state is
        // the present, and the jump is smoothed out like a replayed correction.
        client.predicted.clear();
        ctx.resource_mut::<Rollback>().cancel();
        client.replay = Some(Replay {
            next: tick.wrapping_add(1),
            old_position,
            old_rotation,
        });
    }
}

pub(super) fn step_system<A: Action>(replicated: Access) -> System {
    let access = replicated
        .reads::<Predicted>()
        .writes::<PlayerInput<A>>()
        .reads_resource::<Rollback>()
        .reads_resource::<ActionState<A>>()
        .writes_resource::<NetClient>();
    System::new("net_client_step", |ctx| {
        let mut client = ctx.resource_mut::<NetClient>();
        let client = &mut *client;
        if !client.is_connected() {
            return;
        }
        let player = ctx
            .query::<(Entity, &Predicted)>()
            .iter()
            .map(|(entity, _)| entity)
            .next();
        let replaying = ctx.resource::<Rollback>().is_replaying();
        let input = if replaying && let Some(replay) = client.replay.as_mut() {
            let tick = replay.next;
            replay.next = replay.next.wrapping_add(1);
            if let Some(entity) = player {
                client.record_prediction(ctx, entity, tick.wrapping_sub(1));
            }
            client.decoded_input::<A>(tick)
        } else {
            if let Some(entity) = player {
                finish_correction(ctx, client, entity);
                client.record_prediction(ctx, entity, client.tick);
            }
            client.tick = client.tick.wrapping_add(1);
            let tick = client.tick;
            encode_input(&ctx.resource::<ActionState<A>>(), &mut client.input_bytes);
            client.inputs.push_back((tick, client.input_bytes.clone()));
            while client.inputs.len() > HISTORY {
                client.inputs.pop_front();
            }
            client.decoded_input::<A>(tick)
        };
        if let Some(entity) = player
            && let Ok(mut current) = ctx.get_mut::<PlayerInput<A>>(entity)
        {
            current.0 = input;
        } else if let Some(entity) = player {
            ctx.commands().insert_one(entity, PlayerInput(input));
        }
    })
    .with_access(access)
}

/// After a replay, the difference between what was drawn and the corrected state becomes a
/// visual offset that decays, so the player never sees a snap.
pub(super) fn finish_correction(ctx: &SystemContext<'_>, client: &mut NetClient, entity: Entity) {
    let Some(replay) = client.replay.take() else {
        return;
    };
    let mut size = 0.0f32;
    if let (Some(old), Ok(now)) = (replay.old_position, ctx.get::<Position>(entity)) {
        let error = old - now.0;
        size = error.length();
        client.correction.0 += error;
    }
    if let (Some(old), Ok(now)) = (replay.old_rotation, ctx.get::<Rotation>(entity)) {
        client.correction.1 = (old * now.0.inverse() * client.correction.1).normalize();
    }
    client.stats.last_correction = size;
    client.stats.max_correction = client.stats.max_correction.max(size);
}

/// Rounds the predicted player's replicated components to what the wire carries at the end
/// of every tick, as the server does with its entities: both sides then simulate from the
/// same values and a prediction matches the server's state exactly.
pub(super) fn quantize_system(replicated: Access) -> System {
    System::new("net_client_quantize", |ctx| {
        let client = ctx.resource::<NetClient>();
        for rule in &client.replication.rules {
            rule.snap_predicted(ctx);
        }
    })
    .with_access(
        replicated
            .reads::<Predicted>()
            .reads_resource::<NetClient>(),
    )
}

pub(super) fn smoothing_system() -> System {
    System::new(super::SMOOTHING_SYSTEM, |ctx| {
        let dt = ctx.resource::<Time>().delta_seconds() as f32;
        let mut client = ctx.resource_mut::<NetClient>();
        let client = &mut *client;
        let Some(entity) = ctx
            .query::<(Entity, &Predicted)>()
            .iter()
            .map(|(entity, _)| entity)
            .next()
        else {
            return;
        };
        if client.replay.is_some() {
            // A replay with no live step after it this frame: the entity is at the present.
            finish_correction(ctx, client, entity);
        }
        let keep = (-dt / SMOOTHING_SECONDS).exp();
        let (offset, turn) = &mut client.correction;
        *offset *= keep;
        *turn = Quat::IDENTITY.slerp(*turn, keep);
        if offset.length_squared() < 1e-8 {
            *offset = Vec3::ZERO;
        }
        if let Ok(mut transform) = ctx.get_mut::<Transform>(entity) {
            if let Ok(position) = ctx.get::<Position>(entity) {
                transform.translation = position.0 + *offset;
            }
            if let Ok(rotation) = ctx.get::<Rotation>(entity) {
                transform.rotation = (*turn * rotation.0).normalize();
            }
        }
    })
    .reads::<Predicted>()
    .reads::<Position>()
    .reads::<Rotation>()
    .writes::<Transform>()
    .reads_resource::<Time>()
    .writes_resource::<NetClient>()
}
