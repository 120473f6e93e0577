//! The authoritative server as a plugin: the game's `App`, run headless, with [`ServerPlugin`].
//!
//! NetReceive polls the connections (handshakes, limits, inputs); the first FixedUpdate system
//! advances the tick and writes each player's input for it into [`PlayerInput`]; NetSend
//! captures the replicated state once and sends every client a snapshot delta-encoded against
//! the view it acknowledged, limited to what it can see and to its bandwidth budget.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use glam::Vec3;
use layerw_components::Position;
use layerw_engine::app::{App, Plugin};
use layerw_engine::ecs::Entity;
use layerw_engine::platform::{Action, ActionState};
use layerw_engine::schedule::{
    Access, FixedTime, Stage, System, SystemContext, Time, monotonic_seconds,
};

use crate::bits::BitWriter;
use crate::connections::{ClientId, ConnectionManager, ServerConfig, ServerEvent};
use crate::input::{PlayerInput, decode_input};
use crate::interest::{BandwidthBudget, InterestGrid, PriorityAccumulator, distance_priority};
use crate::message::{DisconnectReason, ServerMessage};
use crate::replication::{
    NetId, Replicated, Replication, StateTable, View, encode_view, write_controlled,
};
use crate::stats::ServerStats;
use crate::transport::{Delivery, Listener};

/// Views kept per client: the newest it may still acknowledge (about 2 s at 30 Hz).
const VIEW_RING: usize = 64;
/// Ticks a freed [`NetId`] waits before reuse: longer than any view a client may still hold.
const ID_REUSE_DELAY: u32 = 2 * VIEW_RING as u32;
/// How far ahead of the server a client's input may be buffered, in ticks.
const MAX_INPUT_LEAD: u32 = 128;

/// The player a client controls: put it on the entity the game spawns for that client (its
/// position is the client's point of view for interest management; its [`PlayerInput`] is
/// written from that client's inputs every tick).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Controlled(pub ClientId);

/// Sent (as an event) when a client finished its handshake; `resumed` when it reconnected
/// within the grace period with the same token identity, so the game keeps its player.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientConnected {
    /// Who.
    pub client: ClientId,
    /// True for a reconnection within [`Limits::resume_grace`](crate::limits::Limits).
    pub resumed: bool,
}

/// Sent (as an event) when a client disconnected, for whatever reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientDisconnected {
    /// Who.
    pub client: ClientId,
    /// Why.
    pub reason: DisconnectReason,
}

/// Sent (as an event) when a disconnected client's grace period ended without it coming back:
/// the game removes its player now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientExpired {
    /// Who.
    pub client: ClientId,
}

/// Interest management and bandwidth settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InterestSettings {
    /// Entities farther than this from a client's player are not sent to it (infinite: all).
    pub radius: f32,
    /// The interest grid's cell size.
    pub cell_size: f32,
    /// Snapshot bandwidth per client, in bits per second; the most important changes go first
    /// when everything does not fit.
    pub bits_per_second: u32,
}

impl Default for InterestSettings {
    /// 100 m radius in 25 m cells, 256 kbit/s per client.
    fn default() -> Self {
        InterestSettings {
            radius: 100.0,
            cell_size: 25.0,
            bits_per_second: 256_000,
        }
    }
}

/// Per-client replication state.
struct ClientSlot {
    /// Views sent, oldest first, by tick.
    views: VecDeque<(u32, View)>,
    /// The newest tick the client acknowledged that is still in `views`.
    acked: Option<u32>,
    /// Inputs received and not yet applied, by tick.
    inputs: BTreeMap<u32, Vec<u8>>,
    /// The input applied last (repeated when one is missing).
    last_input: Vec<u8>,
    /// The newest tick whose own input was applied.
    input_ack: Option<u32>,
    priorities: PriorityAccumulator,
    budget: BandwidthBudget,
    /// Average bits of one changed entity, for budgeting.
    bits_per_update: f32,
}

/// The server resource: connections, the replication registry and every client's state.
pub struct NetServer {
    /// In a mutex only to make the connections (`Send`, not `Sync`) a resource: the systems
    /// own the server exclusively and use `get_mut`, never locking.
    connections: Mutex<ConnectionManager>,
    replication: Replication,
    interest: InterestSettings,
    tick_rate: u16,
    tick: u32,
    sent_tick: Option<u32>,
    write_back: bool,
    clients: BTreeMap<ClientId, ClientSlot>,
    /// Disconnected clients and when, until their grace period ends.
    departed: Vec<(ClientId, f64)>,
    next_id: u32,
    free_ids: VecDeque<(u32, NetId)>,
    table: StateTable,
    grid: InterestGrid,
    scratch: Scratch,
    stats: ServerStats,
}

#[derive(Default)]
struct Scratch {
    events: Vec<ServerEvent>,
    nearby: Vec<u32>,
    selected: Vec<u32>,
    writer: BitWriter,
    next: View,
    positions: Vec<Option<Vec3>>,
    always: Vec<u32>,
}

impl NetServer {
    /// A server accepting on `listeners` with `config` (protocol and game ids, key, limits,
    /// tick rate), replicating what `replication` registers.
    pub fn new(
        config: ServerConfig,
        listeners: Vec<Box<dyn Listener>>,
        replication: Replication,
    ) -> NetServer {
        let tick_rate = config.tick_rate.max(1);
        let mut connections = ConnectionManager::new(config);
        for listener in listeners {
            connections.add_listener(listener);
        }
        let interest = InterestSettings::default();
        let components = replication.len();
        NetServer {
            connections: Mutex::new(connections),
            replication,
            interest,
            tick_rate,
            tick: 0,
            sent_tick: None,
            write_back: true,
            clients: BTreeMap::new(),
            departed: Vec::new(),
            next_id: 0,
            free_ids: VecDeque::new(),
            table: StateTable {
                view: View::new(components),
                entities: Vec::new(),
            },
            grid: InterestGrid::new(interest.cell_size).expect("default cell size is valid"),
            scratch: Scratch {
                next: View::new(components),
                ..Scratch::default()
            },
            stats: ServerStats::default(),
        }
    }

    /// Sets interest management and bandwidth; a non-positive or non-finite cell size keeps
    /// the previous grid.
    pub fn with_interest(mut self, interest: InterestSettings) -> Self {
        if let Ok(grid) = InterestGrid::new(interest.cell_size) {
            self.grid = grid;
            self.interest = interest;
        } else {
            self.interest = InterestSettings {
                cell_size: self.interest.cell_size,
                ..interest
            };
        }
        for slot in self.clients.values_mut() {
            slot.budget = BandwidthBudget::new(interest.bits_per_second, self.tick_rate.into(), 4);
        }
        self
    }

    /// Whether the server rounds its replicated components to their quantised values at the
    /// end of every tick (default true): it then simulates exactly what clients receive, and
    /// clients, which round their predicted player the same way, predict it bit for bit.
    pub fn with_quantized_authority(mut self, on: bool) -> Self {
        self.write_back = on;
        self
    }

    /// The current tick.
    pub fn tick(&self) -> u32 {
        self.tick
    }

    /// The tick rate, in ticks per second.
    pub fn tick_rate(&self) -> u16 {
        self.tick_rate
    }

    /// Connected clients, in id order.
    pub fn clients(&self) -> impl Iterator<Item = ClientId> + '_ {
        self.clients.keys().copied()
    }

    /// The connection manager (limits, byte counters, disconnecting a client).
    pub fn connections(&mut self) -> &mut ConnectionManager {
        self.connections
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Tells every client the server is going away and closes their connections.
    pub fn shutdown(&mut self) {
        self.connections().shutdown();
        self.clients.clear();
    }

    fn allocate_id(&mut self) -> NetId {
        if let Some(&(freed_at, id)) = self.free_ids.front()
            && self.tick.wrapping_sub(freed_at) >= ID_REUSE_DELAY
        {
            self.free_ids.pop_front();
            return id;
        }
        let id = NetId(self.next_id);
        self.next_id += 1;
        id
    }

    fn new_slot(&self) -> ClientSlot {
        ClientSlot {
            views: VecDeque::new(),
            acked: None,
            inputs: BTreeMap::new(),
            last_input: Vec::new(),
            input_ack: None,
            priorities: PriorityAccumulator::new(),
            budget: BandwidthBudget::new(self.interest.bits_per_second, self.tick_rate.into(), 4),
            bits_per_update: 48.0,
        }
    }
}

/// Runs a game's `App` as the authoritative server of action set `A`.
///
/// # Example
/// See `examples/net_arena` and README's multiplayer section.
pub struct ServerPlugin<A: Action> {
    server: Mutex<Option<NetServer>>,
    _actions: std::marker::PhantomData<fn() -> A>,
}

impl<A: Action> ServerPlugin<A> {
    /// The plugin for `server`.
    pub fn new(server: NetServer) -> Self {
        ServerPlugin {
            server: Mutex::new(Some(server)),
            _actions: std::marker::PhantomData,
        }
    }
}

impl<A: Action> Plugin for ServerPlugin<A> {
    fn build(&self, app: &mut App) {
        let Some(server) = self.server.lock().ok().and_then(|mut s| s.take()) else {
            return;
        };
        let step = 1.0 / f64::from(server.tick_rate);
        let replicated = server.replication.declare(Access::new(), false);
        let snapped = server.replication.declare(Access::new(), true);
        let write_back = server.write_back;
        app.insert_resource(FixedTime::new(step));
        app.world_mut().add_event::<ClientConnected>();
        app.world_mut().add_event::<ClientDisconnected>();
        app.world_mut().add_event::<ClientExpired>();
        app.insert_resource(server.stats.clone());
        app.insert_resource(server);
        app.add_system(Stage::NetReceive, receive_system())
            .add_system(Stage::FixedUpdate, apply_inputs_system::<A>().first())
            .add_system(Stage::NetSend, send_system(replicated));
        if write_back {
            app.add_system(Stage::FixedUpdate, quantize_system(snapped).last());
        }
    }
}

fn receive_system() -> System {
    System::new("net_server_receive", |ctx| {
        let now = ctx.resource::<Time>().elapsed_seconds();
        let mut server = ctx.resource_mut::<NetServer>();
        let server = &mut *server;
        let now_unix = unix_seconds();
        let mut events = std::mem::take(&mut server.scratch.events);
        events.clear();
        let tick = server.tick;
        server.connections().poll(now, now_unix, tick, &mut events);
        for event in events.drain(..) {
            match event {
                ServerEvent::Connected { client, resumed } => {
                    let slot = server.new_slot();
                    server.clients.insert(client, slot);
                    server.departed.retain(|(c, _)| *c != client);
                    let _ = ctx.send_event(ClientConnected { client, resumed });
                }
                ServerEvent::Input {
                    client,
                    ack,
                    first_tick,
                    inputs,
                } => {
                    let tick = server.tick;
                    let mut late = 0;
                    let Some(slot) = server.clients.get_mut(&client) else {
                        continue;
                    };
                    if let Some(ack) = ack
                        && slot.acked.is_none_or(|a| ack > a)
                        && slot.views.iter().any(|(t, _)| *t == ack)
                    {
                        slot.acked = Some(ack);
                        // Views older than the acknowledged one are never needed again.
                        while slot.views.front().is_some_and(|(t, _)| *t < ack) {
                            slot.views.pop_front();
                        }
                    }
                    for (i, input) in inputs.into_iter().enumerate() {
                        let t = first_tick.wrapping_add(i as u32);
                        // Late (already simulated) or absurdly early inputs are dropped.
                        if t > tick && t <= tick + MAX_INPUT_LEAD {
                            slot.inputs.entry(t).or_insert(input);
                        } else if t <= tick && slot.input_ack.is_none_or(|a| t > a) {
                            late += 1;
                        }
                    }
                    server.stats.late_inputs += late;
                }
                ServerEvent::Disconnected { client, reason } => {
                    server.clients.remove(&client);
                    server.departed.push((client, now));
                    let _ = ctx.send_event(ClientDisconnected { client, reason });
                }
            }
        }
        server.scratch.events = events;
        let grace = server
            .connections()
            .config()
            .limits
            .resume_grace
            .as_secs_f64();
        server.departed.retain(|&(client, at)| {
            let keep = now - at < grace;
            if !keep {
                let _ = ctx.send_event(ClientExpired { client });
            }
            keep
        });
    })
    .reads_resource::<Time>()
    .writes_resource::<NetServer>()
    .sends_events::<ClientConnected>()
    .sends_events::<ClientDisconnected>()
    .sends_events::<ClientExpired>()
}

fn quantize_system(replicated: Access) -> System {
    System::new("net_server_quantize", |ctx| {
        let server = ctx.resource::<NetServer>();
        for rule in &server.replication.rules {
            rule.snap_replicated(ctx);
        }
    })
    .with_access(replicated.reads::<NetId>().reads_resource::<NetServer>())
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn apply_inputs_system<A: Action>() -> System {
    System::new("net_server_apply_inputs", |ctx| {
        let mut server = ctx.resource_mut::<NetServer>();
        server.tick = server.tick.wrapping_add(1);
        let tick = server.tick;
        let mut missing = 0;
        for (controlled, input) in ctx.query::<(&Controlled, &mut PlayerInput<A>)>().iter() {
            let Some(slot) = server.clients.get_mut(&controlled.0) else {
                // Disconnected: the player stands still until it comes back or expires.
                input.0 = ActionState::default();
                continue;
            };
            while slot
                .inputs
                .first_key_value()
                .is_some_and(|(&t, _)| t < tick)
            {
                slot.inputs.pop_first();
            }
            if let Some(bytes) = slot.inputs.remove(&tick) {
                slot.last_input = bytes;
                slot.input_ack = Some(tick);
            } else if slot.input_ack.is_some() {
                missing += 1;
            }
            // A missing input repeats the last one (held keys stay held).
            let previous = input.0.clone();
            input.0 = decode_input::<A>(&slot.last_input, &previous).unwrap_or_default();
        }
        server.stats.missing_inputs += missing;
    })
    .writes_resource::<NetServer>()
    .reads::<Controlled>()
    .writes::<PlayerInput<A>>()
}

fn send_system(replicated: Access) -> System {
    let access = replicated
        .reads::<NetId>()
        .reads::<Replicated>()
        .reads::<Controlled>()
        .reads::<Position>()
        .writes_resource::<NetServer>()
        .writes_resource::<ServerStats>();
    System::new("net_server_send", |ctx| {
        let mut server = ctx.resource_mut::<NetServer>();
        let server = &mut *server;
        if server.sent_tick != Some(server.tick) && server.tick > 0 {
            server.sent_tick = Some(server.tick);
            let started = monotonic_seconds();
            assign_ids(ctx, server);
            capture(ctx, server);
            send_snapshots(ctx, server);
            if let (Some(started), Some(ended)) = (started, monotonic_seconds()) {
                server
                    .stats
                    .record_tick(ended - started, server.clients.len());
            }
        }
        server.connections().flush();
        server.stats.clients = server.clients.len();
        let (mut bytes_in, mut bytes_out) = (0, 0);
        let manager = server.connections();
        let ids: Vec<ClientId> = manager.clients().collect();
        for client in ids {
            if let Some(c) = manager.counters(client) {
                bytes_in += c.bytes_in;
                bytes_out += c.bytes_out;
            }
        }
        server
            .stats
            .record_bytes(server.tick, bytes_in, bytes_out, server.tick_rate);
        *ctx.resource_mut::<ServerStats>() = server.stats.clone();
    })
    .with_access(access)
}

/// Gives a [`NetId`] to every newly [`Replicated`] entity (it is sent from the next tick on)
/// and recycles the ids of despawned ones after a delay.
fn assign_ids(ctx: &SystemContext<'_>, server: &mut NetServer) {
    let unassigned: Vec<Entity> = ctx
        .query::<(Entity, &Replicated, Option<&NetId>)>()
        .iter()
        .filter(|(_, _, id)| id.is_none())
        .map(|(entity, _, _)| entity)
        .collect();
    let mut commands = ctx.commands();
    for entity in unassigned {
        let id = server.allocate_id();
        commands.insert_one(entity, id);
    }
    // Ids present last tick and gone now are freed.
    let previous: Vec<u32> = server.table.view.ids().to_vec();
    let mut current: Vec<u32> = ctx.query::<&NetId>().iter().map(|id| id.0).collect();
    current.sort_unstable();
    for id in previous {
        if current.binary_search(&id).is_err() {
            server.free_ids.push_back((server.tick, NetId(id)));
        }
    }
}

/// Captures every replicated entity's words and position into the state table and the grid.
fn capture(ctx: &SystemContext<'_>, server: &mut NetServer) {
    let mut rows: Vec<(NetId, Entity)> = ctx
        .query::<(Entity, &NetId)>()
        .iter()
        .map(|(entity, id)| (*id, entity))
        .collect();
    rows.sort_unstable_by_key(|(id, _)| *id);
    rows.dedup_by_key(|(id, _)| *id);
    let table = &mut server.table;
    table.view.clear();
    table.entities.clear();
    for &(id, entity) in &rows {
        table.view.push_empty(id);
        table.entities.push(entity);
    }
    for (k, rule) in server.replication.rules.iter().enumerate() {
        rule.capture(ctx, table, k);
    }
    server.grid.clear();
    server.scratch.positions.clear();
    server.scratch.always.clear();
    for (row, &entity) in table.entities.iter().enumerate() {
        let position = ctx.get::<Position>(entity).ok().map(|p| p.0);
        server.scratch.positions.push(position);
        match position {
            Some(p) => server.grid.insert(row as u32, p),
            None => server.scratch.always.push(row as u32),
        }
    }
    server.grid.build();
}

fn send_snapshots(ctx: &SystemContext<'_>, server: &mut NetServer) {
    let viewers: BTreeMap<ClientId, (Option<NetId>, Option<Vec3>)> = ctx
        .query::<(&Controlled, Option<&NetId>, Option<&Position>)>()
        .iter()
        .map(|(c, id, p)| (c.0, (id.copied(), p.map(|p| p.0))))
        .collect();
    let tick = server.tick;
    let codecs = server.replication.word_codecs();
    let radius = server.interest.radius;
    let table = &server.table;
    let scratch = &mut server.scratch;
    let mut sends = Vec::with_capacity(server.clients.len());
    for (&client, slot) in server.clients.iter_mut() {
        let (controlled, viewpoint) = viewers.get(&client).copied().unwrap_or((None, None));
        // The relevant rows, sorted by id (rows are in id order).
        scratch.nearby.clear();
        match viewpoint {
            Some(center) if radius.is_finite() => {
                server_grid_query(&server.grid, center, radius, &mut scratch.nearby);
                scratch.nearby.extend_from_slice(&scratch.always);
            }
            _ => scratch.nearby.extend(0..table.entities.len() as u32),
        }
        if let Some(id) = controlled
            && let Some(row) = table.view.find(id)
        {
            scratch.nearby.push(row as u32);
        }
        scratch.nearby.sort_unstable();
        scratch.nearby.dedup();
        let empty = View::new(codecs.len());
        let baseline = slot
            .acked
            .and_then(|a| slot.views.iter().find(|(t, _)| *t == a))
            .map_or(&empty, |(_, v)| v);
        // Candidates: relevant rows whose words differ from the baseline's.
        slot.priorities.begin_tick();
        for &row in &scratch.nearby {
            let entity = table.view.get(row as usize);
            let unchanged = baseline
                .find(entity.id)
                .is_some_and(|b| baseline.get(b) == entity);
            if unchanged {
                continue;
            }
            let priority = if Some(entity.id) == controlled {
                1.0e6
            } else {
                match (viewpoint, scratch.positions[row as usize]) {
                    (Some(c), Some(p)) => distance_priority(c.distance(p), radius),
                    _ => 1.0,
                }
            };
            slot.priorities.add(row, priority);
        }
        let budget = slot.budget.refill();
        let spawn_bits: u32 = codecs.iter().map(|c| c.max_bits() + 2).sum::<u32>() + 8;
        let update_bits = slot.bits_per_update.ceil() as u32;
        slot.priorities.select(
            budget,
            |row| {
                let id = table.view.get(row as usize).id;
                if baseline.find(id).is_some() {
                    update_bits
                } else {
                    spawn_bits
                }
            },
            &mut scratch.selected,
        );
        scratch.selected.sort_unstable();
        // The new view: relevant entities, fresh where selected or unchanged, else as the
        // baseline had them; not-yet-sent new ones wait.
        let next = &mut scratch.next;
        next.clear();
        next.set_tick(tick);
        let mut s = 0;
        for &row in &scratch.nearby {
            while s < scratch.selected.len() && scratch.selected[s] < row {
                s += 1;
            }
            let selected = s < scratch.selected.len() && scratch.selected[s] == row;
            let id = table.view.get(row as usize).id;
            match baseline.find(id) {
                Some(b) if !selected => {
                    let fresh = table.view.get(row as usize);
                    if baseline.get(b) == fresh {
                        next.push_from(&table.view, row as usize);
                    } else {
                        next.push_from(baseline, b);
                    }
                }
                Some(_) => next.push_from(&table.view, row as usize),
                None if selected => next.push_from(&table.view, row as usize),
                None => {}
            }
        }
        scratch.writer.clear();
        write_controlled(&mut scratch.writer, controlled);
        let header = scratch.writer.bit_len();
        let changed = encode_view(baseline, next, &codecs, &mut scratch.writer);
        let bits = scratch.writer.bit_len() - header;
        if changed > 0 {
            let per = bits as f32 / changed as f32;
            slot.bits_per_update = 0.8 * slot.bits_per_update + 0.2 * per;
        }
        slot.budget.spend(bits.min(u64::from(u32::MAX)) as u32);
        let payload = scratch.writer.finish().to_vec();
        let message = ServerMessage::Snapshot {
            tick,
            baseline: slot.acked,
            input_ack: slot.input_ack,
            payload,
        };
        let mut stored = View::new(codecs.len());
        stored.copy_from(next);
        slot.views.push_back((tick, stored));
        while slot.views.len() > VIEW_RING {
            slot.views.pop_front();
            // An acknowledgement older than every kept view can no longer serve as a baseline.
            if slot
                .acked
                .is_some_and(|a| slot.views.front().is_some_and(|(t, _)| *t > a))
            {
                slot.acked = None;
            }
        }
        sends.push((client, message));
    }
    drop(codecs);
    for (client, message) in sends {
        if let ServerMessage::Snapshot { payload, .. } = &message {
            server.stats.record_snapshot(payload.len());
        }
        if let Err(e) = server
            .connections()
            .send(client, &message, Delivery::Unreliable)
        {
            tracing::debug!("snapshot to {client:?} not sent: {e}");
        }
    }
}

fn server_grid_query(grid: &InterestGrid, center: Vec3, radius: f32, out: &mut Vec<u32>) {
    grid.query(center, radius, out);
}
