//! A game client as a plugin: the desktop or web `App` with [`ClientPlugin`].
//!
//! NetReceive polls the connection, decodes snapshots against the view they name as their
//! baseline, spawns, updates and despawns the replicated entities, and checks the local
//! player's prediction (a disagreement resets it to the server's state and asks the schedule
//! to replay the unacknowledged ticks). The first FixedUpdate system writes the player's input
//! for the tick being simulated; the first Update system moves remote entities along their
//! interpolation timeline; the last Update system draws the predicted player with its
//! correction smoothed out; NetSend sends the inputs (the last few ticks in every message) and
//! the acknowledgement.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use glam::{Quat, Vec3};
use hecs::EntityBuilder;
use layerw_engine::app::{App, Plugin};
use layerw_engine::ecs::Entity;
use layerw_engine::platform::{Action, ActionState};
use layerw_engine::render::OverlayLines;
use layerw_engine::schedule::{Access, FixedTime, Rollback, Stage, System, SystemContext, Time};

use crate::clock::ClockSync;
use crate::connections::{ClientEvent, Connector};
use crate::input::decode_input;
use crate::interpolation::InterpolationDelay;
use crate::replication::{NetId, Replication, View, Words, decode_snapshot};
use crate::stats::NetStats;
use crate::transport::Connection;

mod playout;
mod prediction;

use playout::{Playout, interpolate_system};
use prediction::{Replay, check_prediction, quantize_system, smoothing_system, step_system};

/// Inputs repeated in every input message: one lost or late message costs nothing.
pub const INPUT_REDUNDANCY: usize = 4;
/// Ticks of inputs and predicted states kept for replays.
const HISTORY: usize = 128;
/// Snapshot views kept as possible baselines.
const VIEWS: usize = 64;
/// The client's lead over the server before the clock is synchronised, in ticks.
const INITIAL_LEAD: u32 = 4;
/// Time constant of the visual correction's decay, seconds.
const SMOOTHING_SECONDS: f32 = 0.1;
/// Seconds between pings.
const PING_INTERVAL: f64 = 0.25;

/// Marks the entity the local player controls: simulated locally (predicted), corrected by
/// the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Predicted;

/// Marks a remote entity: drawn between snapshots, an interpolation delay in the past. Game
/// systems should leave these alone on the client (`Without<Interpolated>`): the
/// interpolation overwrites them every frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interpolated;

/// Where the client's connection stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientState {
    /// Waiting for the server's welcome.
    Connecting,
    /// Playing, as this client id.
    Connected {
        /// The id from the connect token.
        client_id: u64,
    },
    /// The connection ended; the reason says why.
    Disconnected {
        /// Why.
        reason: String,
    },
}

/// What the first frame says hello with: the connection, protocol, game and token.
type Hello = (Box<dyn Connection>, u32, u64, Vec<u8>);

/// What the client knows: the connection, the views received, the inputs sent, the
/// prediction history.
pub struct NetClient {
    /// The connection until the first frame opens the handshake with that frame's time. The
    /// mutexes make the connection (only `Send`) a resource; the systems own the client
    /// exclusively and use `get_mut`, so they are never locked.
    pending: Mutex<Option<Hello>>,
    connector: Mutex<Option<Connector>>,
    replication: Replication,
    state: ClientState,
    tick_rate: u16,
    tick: u32,
    sent_tick: Option<u32>,
    clock: ClockSync,
    delay: InterpolationDelay,
    views: VecDeque<(u32, View)>,
    newest: Option<u32>,
    need_full: bool,
    applied: View,
    applied_tick: u32,
    controlled: Option<NetId>,
    /// Encoded inputs by tick (decoding one needs only the one before for its "just" flags).
    inputs: VecDeque<(u32, Vec<u8>)>,
    predicted: VecDeque<(u32, Vec<Option<Words>>)>,
    replay: Option<Replay>,
    correction: (Vec3, Quat),
    playout: Playout,
    last_ping: f64,
    input_bytes: Vec<u8>,
    stats: NetStats,
}

impl NetClient {
    /// A client that will say hello over `connection` with a connect token from the game's
    /// matchmaker or page (`token`), for protocol `protocol` and game `game`, replicating what
    /// `replication` registers (the same registrations as the server's).
    pub fn new(
        connection: Box<dyn Connection>,
        protocol: u32,
        game: u64,
        token: Vec<u8>,
        replication: Replication,
    ) -> NetClient {
        let components = replication.len();
        NetClient {
            pending: Mutex::new(Some((connection, protocol, game, token))),
            connector: Mutex::new(None),
            replication,
            state: ClientState::Connecting,
            tick_rate: 30,
            tick: 0,
            sent_tick: None,
            clock: ClockSync::new(30.0),
            delay: InterpolationDelay::new(1.0 / 30.0),
            views: VecDeque::new(),
            newest: None,
            need_full: false,
            applied: View::new(components),
            applied_tick: 0,
            controlled: None,
            inputs: VecDeque::new(),
            predicted: VecDeque::new(),
            replay: None,
            correction: (Vec3::ZERO, Quat::IDENTITY),
            playout: Playout::default(),
            last_ping: f64::NEG_INFINITY,
            input_bytes: Vec::new(),
            stats: NetStats::default(),
        }
    }

    /// Where the connection stands.
    pub fn state(&self) -> &ClientState {
        &self.state
    }

    /// True while connected.
    pub fn is_connected(&self) -> bool {
        matches!(self.state, ClientState::Connected { .. })
    }

    /// The tick the client is simulating (ahead of the server's, by about half the round trip
    /// and a margin).
    pub fn tick(&self) -> u32 {
        self.tick
    }

    /// The newest snapshot's tick.
    pub fn newest_snapshot(&self) -> Option<u32> {
        self.newest
    }

    /// The entity id of the local player, once the server named it.
    pub fn controlled(&self) -> Option<NetId> {
        self.controlled
    }

    /// The figures (also the [`NetStats`] resource).
    pub fn stats(&self) -> &NetStats {
        &self.stats
    }

    /// The visual correction still being smoothed out, metres.
    pub fn correction_offset(&self) -> Vec3 {
        self.correction.0
    }

    /// Says goodbye to the server and closes the connection.
    pub fn disconnect(&mut self) {
        if let Some(connector) = self.connector() {
            connector.disconnect();
        }
        self.state = ClientState::Disconnected {
            reason: "disconnected by the client".to_owned(),
        };
    }

    fn connector(&mut self) -> Option<&mut Connector> {
        self.connector
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_mut()
    }

    fn input_at(&self, tick: u32) -> Option<&[u8]> {
        self.inputs
            .iter()
            .rev()
            .find(|(t, _)| *t == tick)
            .map(|(_, b)| b.as_slice())
    }

    fn decoded_input<A: Action>(&self, tick: u32) -> ActionState<A> {
        let previous = self
            .input_at(tick.wrapping_sub(1))
            .and_then(|b| decode_input::<A>(b, &ActionState::default()).ok())
            .unwrap_or_default();
        self.input_at(tick)
            .and_then(|b| decode_input::<A>(b, &previous).ok())
            .unwrap_or_default()
    }

    fn record_prediction(&mut self, ctx: &SystemContext<'_>, entity: Entity, tick: u32) {
        let words: Vec<Option<Words>> = self
            .replication
            .rules
            .iter()
            .map(|rule| rule.read(ctx, entity))
            .collect();
        if let Some(slot) = self.predicted.iter_mut().rev().find(|(t, _)| *t == tick) {
            slot.1 = words;
            return;
        }
        self.predicted.push_back((tick, words));
        while self.predicted.len() > HISTORY {
            self.predicted.pop_front();
        }
    }
}

/// The name of the [`ClientPlugin`]'s last Update system, which places the predicted entity's
/// `Transform` (its prediction with corrections smoothed out): order what follows the player
/// (a camera, an attached model) `.after(SMOOTHING_SYSTEM)`.
pub const SMOOTHING_SYSTEM: &str = "net_client_smoothing";

/// Makes a game's `App` a client of action set `A`: the player's [`ActionState<A>`] is sent
/// every fixed tick and applied to its [`Predicted`] entity's [`PlayerInput<A>`].
pub struct ClientPlugin<A: Action> {
    client: Mutex<Option<NetClient>>,
    _actions: std::marker::PhantomData<fn() -> A>,
}

impl<A: Action> ClientPlugin<A> {
    /// The plugin for `client`.
    pub fn new(client: NetClient) -> Self {
        ClientPlugin {
            client: Mutex::new(Some(client)),
            _actions: std::marker::PhantomData,
        }
    }
}

impl<A: Action> Plugin for ClientPlugin<A> {
    fn build(&self, app: &mut App) {
        let Some(client) = self.client.lock().ok().and_then(|mut c| c.take()) else {
            return;
        };
        let writes = client.replication.declare(Access::new(), true);
        let reads = client.replication.declare(Access::new(), false);
        if !app.world().contains_resource::<ActionState<A>>() {
            app.insert_resource(ActionState::<A>::default());
        }
        app.insert_resource(Rollback::default());
        app.insert_resource(NetStats::default());
        if !app.world().contains_resource::<OverlayLines>() {
            app.insert_resource(OverlayLines::default());
        }
        app.insert_resource(client);
        app.add_system(Stage::NetReceive, receive_system(writes.clone()))
            .add_system(Stage::FixedUpdate, step_system::<A>(reads).first())
            .add_system(Stage::FixedUpdate, quantize_system(writes.clone()).last())
            .add_system(Stage::Update, interpolate_system(writes.clone()).first())
            .add_system(Stage::Update, smoothing_system().last())
            .add_system(Stage::NetSend, send_system(writes));
    }
}

fn receive_system(replicated: Access) -> System {
    let access = replicated
        .reads::<NetId>()
        .reads::<Predicted>()
        .reads::<Interpolated>()
        .reads_resource::<Time>()
        .writes_resource::<NetClient>()
        .writes_resource::<FixedTime>()
        .writes_resource::<Rollback>();
    System::new("net_client_receive", |ctx| {
        let now = ctx.resource::<Time>().elapsed_seconds();
        let mut client = ctx.resource_mut::<NetClient>();
        let client = &mut *client;
        let pending = client
            .pending
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some((connection, protocol, game, token)) = pending {
            let connector = Connector::new(connection, protocol, game, &token, now);
            *client
                .connector
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(connector);
        }
        let Some(connector) = client.connector() else {
            return;
        };
        let mut events = Vec::new();
        connector.poll(now, &mut events);
        for event in events {
            match event {
                ClientEvent::Connected {
                    client_id,
                    tick,
                    tick_rate,
                    ..
                } => {
                    client.state = ClientState::Connected { client_id };
                    client.tick_rate = tick_rate.max(1);
                    let step = 1.0 / f64::from(client.tick_rate);
                    let mut fixed = ctx.resource_mut::<FixedTime>();
                    if let Err(e) = fixed.set_step(step) {
                        tracing::warn!("server tick rate refused: {e}");
                    }
                    // A slow frame (a software-rendered browser tab) may need many ticks to
                    // keep up with the server: up to a second of them, or a client drawing
                    // under 8 frames a second at the default cap would fall behind and its
                    // inputs would arrive after the server simulated their ticks.
                    let catch_up = u32::from(client.tick_rate).max(fixed.max_steps());
                    if let Ok(raised) = fixed.clone().try_with_max_steps(catch_up) {
                        *fixed = raised;
                    }
                    drop(fixed);
                    client.clock = ClockSync::new(f64::from(client.tick_rate));
                    client.delay = InterpolationDelay::new(step);
                    client.tick = tick.wrapping_add(INITIAL_LEAD);
                    client.inputs.clear();
                    client.predicted.clear();
                    client.views.clear();
                    client.newest = None;
                    client.replay = None;
                    client.playout = Playout::default();
                    client.stats.connected = true;
                    client.stats.disconnect_reason = None;
                }
                ClientEvent::Pong {
                    client_time,
                    server_tick,
                } => {
                    let rate = f64::from(client.tick_rate);
                    let tick = f64::from(server_tick);
                    if let Err(e) = client.clock.on_pong(client_time, now, tick, rate) {
                        tracing::debug!("pong ignored: {e}");
                    }
                }
                ClientEvent::Snapshot {
                    tick,
                    baseline,
                    payload,
                    ..
                } => receive_snapshot(ctx, client, now, tick, baseline, &payload),
                ClientEvent::Disconnected { reason } => {
                    let reason = reason.to_string();
                    client.stats.connected = false;
                    client.stats.disconnect_reason = Some(reason.clone());
                    client.state = ClientState::Disconnected { reason };
                }
            }
        }
        if client.is_connected() && client.clock.is_synced() {
            let mut fixed = ctx.resource_mut::<FixedTime>();
            let current = f64::from(client.tick) + fixed.alpha();
            let scale = client.clock.time_scale(current, now);
            fixed.set_time_scale(scale);
            if client.clock.needs_resync() {
                // Too far off to nudge: jump (the prediction history starts again).
                let target = client.clock.target_client_tick(now).round().max(0.0);
                client.tick = target as u32;
                client.inputs.clear();
                client.predicted.clear();
                client.replay = None;
                fixed.set_time_scale(1.0);
            }
        }
    })
    .with_access(access)
}

fn receive_snapshot(
    ctx: &SystemContext<'_>,
    client: &mut NetClient,
    now: f64,
    tick: u32,
    baseline: Option<u32>,
    payload: &[u8],
) {
    if client.newest.is_some_and(|n| tick <= n) {
        return; // late or duplicate: the newer view already says more
    }
    let components = client.replication.len();
    let empty = View::new(components);
    let base = match baseline {
        None => &empty,
        Some(b) => match client.views.iter().find(|(t, _)| *t == b) {
            Some((_, view)) => view,
            None => {
                client.stats.snapshots_dropped += 1;
                client.need_full = true;
                return;
            }
        },
    };
    let codecs = client.replication.word_codecs();
    let mut view = View::new(components);
    view.set_tick(tick);
    let decoded = decode_snapshot(base, payload, &codecs, &mut view);
    drop(codecs);
    let controlled = match decoded {
        Ok(controlled) => controlled,
        Err(e) => {
            tracing::warn!("snapshot {tick} dropped: {e}");
            client.stats.snapshots_dropped += 1;
            client.need_full = true;
            return;
        }
    };
    client.need_full = false;
    client.newest = Some(tick);
    client.stats.snapshots += 1;
    client.stats.last_snapshot_bytes = payload.len();
    client.clock.on_snapshot(tick, now);
    client.delay.on_snapshot(tick, now);
    client.controlled = controlled;
    apply_view(ctx, client, &view, tick);
    client.views.push_back((tick, view));
    while client.views.len() > VIEWS {
        client.views.pop_front();
    }
}

/// Makes the world match `view`: spawns, despawns, component changes; records interpolation
/// samples for remote entities; checks the prediction of the local one.
fn apply_view(ctx: &SystemContext<'_>, client: &mut NetClient, view: &View, tick: u32) {
    let map: HashMap<NetId, Entity> = ctx
        .query::<(Entity, &NetId)>()
        .iter()
        .map(|(entity, id)| (*id, entity))
        .collect();
    let mut commands = ctx.commands();
    let old = std::mem::take(&mut client.applied);
    let previous_tick = client.applied_tick;
    // Removed: in the old view, not in the new one.
    for e in old.iter() {
        if view.find(e.id).is_none() {
            if let Some(&entity) = map.get(&e.id) {
                commands.despawn(entity);
            }
            for rule in &mut client.replication.rules {
                rule.forget(e.id);
            }
        }
    }
    for e in view.iter() {
        let is_controlled = client.controlled == Some(e.id);
        let before = old.find(e.id).map(|i| old.get(i));
        let Some(&entity) = map.get(&e.id) else {
            // New (or spawned by a command not yet applied: the same words arrive again).
            if before.is_some() {
                continue;
            }
            let mut builder = EntityBuilder::new();
            builder.add(e.id);
            if is_controlled {
                builder.add(Predicted);
            } else {
                builder.add(Interpolated);
            }
            for (k, rule) in client.replication.rules.iter_mut().enumerate() {
                if let Some(words) = e.component(k) {
                    rule.spawn(&mut builder, words);
                    if !is_controlled {
                        rule.record(e.id, tick, words);
                    }
                }
            }
            commands.spawn(builder.build());
            continue;
        };
        if is_controlled {
            if ctx.get::<Predicted>(entity).is_err() {
                commands.remove_one::<Interpolated>(entity);
                commands.insert_one(entity, Predicted);
            }
            check_prediction(ctx, client, &mut commands, entity, e.words, e.present, tick);
            continue;
        }
        if ctx.get::<Interpolated>(entity).is_err() {
            commands.remove_one::<Predicted>(entity);
            commands.insert_one(entity, Interpolated);
        }
        if before == Some(e) {
            continue;
        }
        for (k, rule) in client.replication.rules.iter_mut().enumerate() {
            let new = e.component(k);
            let had = before.and_then(|b| b.component(k));
            match (had, new) {
                (Some(old_words), Some(words)) if old_words != words => {
                    // Motion starts from where the entity stood at the previous snapshot.
                    if rule.newest(e.id).is_none_or(|t| t < previous_tick) {
                        rule.record(e.id, previous_tick, old_words);
                    }
                    rule.record(e.id, tick, words);
                }
                (None, Some(words)) => {
                    rule.write(ctx, &mut commands, entity, Some(words));
                    rule.record(e.id, tick, words);
                }
                (Some(_), None) => rule.write(ctx, &mut commands, entity, None),
                _ => {}
            }
        }
    }
    drop(commands);
    client.applied = old;
    client.applied.copy_from(view);
    client.applied_tick = tick;
}

fn send_system(replicated: Access) -> System {
    let access = replicated
        .reads::<Predicted>()
        .reads_resource::<Time>()
        .writes_resource::<NetClient>()
        .writes_resource::<NetStats>()
        .writes_resource::<OverlayLines>();
    System::new("net_client_send", |ctx| {
        let now = ctx.resource::<Time>().elapsed_seconds();
        let mut client = ctx.resource_mut::<NetClient>();
        let client = &mut *client;
        if client.is_connected() && client.sent_tick != Some(client.tick) {
            client.sent_tick = Some(client.tick);
            if let Some(entity) = ctx
                .query::<(Entity, &Predicted)>()
                .iter()
                .map(|(entity, _)| entity)
                .next()
            {
                client.record_prediction(ctx, entity, client.tick);
            }
            let tick = client.tick;
            let recent: Vec<Vec<u8>> = client
                .inputs
                .iter()
                .filter(|(t, _)| tick.wrapping_sub(*t) < INPUT_REDUNDANCY as u32)
                .map(|(_, b)| b.clone())
                .collect();
            let first = tick.wrapping_sub(recent.len() as u32).wrapping_add(1);
            let ack = if client.need_full {
                None
            } else {
                client.newest
            };
            if !recent.is_empty()
                && let Some(connector) = client.connector()
                && let Err(e) = connector.send_input(ack, first, &recent)
            {
                tracing::debug!("input not sent: {e}");
            }
        }
        let ping = client.is_connected() && now - client.last_ping >= PING_INTERVAL;
        if ping {
            client.last_ping = now;
        }
        let (tick, rate) = (client.tick, client.tick_rate);
        if let Some(connector) = client.connector() {
            if ping && let Err(e) = connector.ping(now) {
                tracing::debug!("ping not sent: {e}");
            }
            if let Err(e) = connector.flush() {
                tracing::debug!("flush: {e}");
            }
            let counters = connector.counters();
            client
                .stats
                .record_bytes(tick, counters.bytes_in, counters.bytes_out, rate);
        }
        client.stats.rtt = client.clock.rtt();
        client.stats.jitter = client.clock.jitter();
        client.stats.tick = client.tick;
        if let Ok(mut lines) = ctx.try_resource_mut::<OverlayLines>() {
            lines.set("net", client.stats.overlay_line());
        }
        *ctx.resource_mut::<NetStats>() = client.stats.clone();
    })
    .with_access(access)
}
