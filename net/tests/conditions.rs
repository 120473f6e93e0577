//! Replication over a bad link: 100 ms round trip with 20 ms jitter, lost snapshots and inputs,
//! delay bursts. Remote entities must move smoothly, the predicted player's corrections stay
//! small, and once the link recovers every client converges to the server's world.

mod support;

use std::sync::{Arc, Mutex};

use glam::{Vec2, Vec3};
use layerw_components::{Position, Transform};
use layerw_net::client::{Interpolated, NetClient, Predicted};
use layerw_net::limits::Limits;
use layerw_net::replication::NetId;
use layerw_net::stats::NetStats;
use layerw_net::transport::conditioner::{Conditioned, LinkConditions};
use layerw_net::transport::memory::{MemoryConnection, MemoryHub, MemoryListener};
use layerw_net::transport::{Connection, Delivery, Listener, NetClock, TransportError};
use support::*;

type Link = Arc<Mutex<Conditioned<Box<dyn Connection>>>>;

/// A conditioned connection the test can still reach to change its conditions.
struct Shared(Link, String);

impl Connection for Shared {
    fn send(&mut self, message: &[u8], delivery: Delivery) -> Result<(), TransportError> {
        self.0.lock().unwrap().send(message, delivery)
    }
    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        self.0.lock().unwrap().receive()
    }
    fn flush(&mut self) -> Result<(), TransportError> {
        self.0.lock().unwrap().flush()
    }
    fn close(&mut self, reason: &str) {
        self.0.lock().unwrap().close(reason)
    }
    fn is_open(&self) -> bool {
        self.0.lock().unwrap().is_open()
    }
    fn peer(&self) -> &str {
        &self.1
    }
}

/// Accepts in-memory connections and puts the server's end of each through the conditioner
/// too, so snapshots (server to client) are delayed and lost as well as inputs.
struct ConditionedListener {
    inner: MemoryListener,
    conditions: LinkConditions,
    clock: NetClock,
    links: Arc<Mutex<Vec<Link>>>,
}

impl Listener for ConditionedListener {
    fn accept(&mut self) -> Result<Option<Box<dyn Connection>>, TransportError> {
        let Some(connection) = self.inner.accept()? else {
            return Ok(None);
        };
        let peer = connection.peer().to_owned();
        let n = self.links.lock().unwrap().len() as u64;
        let link: Link = Arc::new(Mutex::new(Conditioned::new(
            connection,
            self.conditions.clone().with_seed(100 + n),
            self.clock.clone(),
        )));
        self.links.lock().unwrap().push(link.clone());
        Ok(Some(Box::new(Shared(link, peer))))
    }
}

fn conditioned_client(
    hub: &MemoryHub,
    id: u64,
    conditions: &LinkConditions,
    clock: &NetClock,
) -> (layerw_engine::app::App, Link) {
    let raw: MemoryConnection = hub.connect(&format!("client {id}"));
    let link: Link = Arc::new(Mutex::new(Conditioned::new(
        Box::new(raw) as Box<dyn Connection>,
        conditions.clone().with_seed(id),
        clock.clone(),
    )));
    let app = client_app(Box::new(Shared(link.clone(), format!("client {id}"))), id);
    (app, link)
}

/// The largest per-frame move of any remote drone (its drawn position) and of the local
/// player's drawn transform, over `frames` frames.
#[derive(Default, Debug)]
struct Motion {
    remote_jump: f32,
    player_jump: f32,
}

fn watch(
    client: &layerw_engine::app::App,
    last: &mut std::collections::HashMap<u32, Vec3>,
    player_last: &mut Option<Vec3>,
    motion: &mut Motion,
) {
    let world = client.world();
    for (id, position, _) in world.query::<(&NetId, &Position, &Interpolated)>().iter() {
        if let Some(before) = last.insert(id.0, position.0) {
            let d = before.distance(position.0);
            motion.remote_jump = motion.remote_jump.max(d);
        }
    }
    if let Some((transform, _)) = world.query::<(&Transform, &Predicted)>().iter().next()
        && let Some(before) = player_last.replace(transform.translation)
    {
        motion.player_jump = motion
            .player_jump
            .max(before.distance(transform.translation));
    }
}

#[test]
fn remote_entities_move_smoothly_and_predictions_hold_over_a_bad_link() {
    let clock = NetClock::manual();
    // Both ends are conditioned (so snapshots and inputs are both lost), each adding a
    // quarter of the round trip each way: 100 ms round trip, 20 ms of jitter each way.
    let wan = LinkConditions {
        latency: 0.025,
        jitter: 0.01,
        drop_unreliable: 0.05,
        ..LinkConditions::wan_100ms()
    };
    let hub = MemoryHub::new();
    let links = Arc::new(Mutex::new(Vec::new()));
    let listener = ConditionedListener {
        inner: hub.listener(),
        conditions: wan.clone(),
        clock: clock.clone(),
        links: links.clone(),
    };
    let mut server = server_app(vec![Box::new(listener)], 30, Limits::default());
    let mut clients = Vec::new();
    let mut client_links = Vec::new();
    for id in 1..=2 {
        let (app, link) = conditioned_client(&hub, id, &wan, &clock);
        // The player needs a Transform for its smoothed drawing.
        clients.push(app);
        client_links.push(link);
    }
    let directions = [Vec2::X, Vec2::new(0.0, 1.0), Vec2::new(-0.7, -0.7)];
    let mut last = vec![std::collections::HashMap::new(); 2];
    let mut player_last = [None; 2];
    let mut jitter_only = Motion::default();
    let mut settled = Vec::new();
    let mut settled_server = 0;
    // Phase 1: latency, jitter and losses for 8 s; the first 2 s settle the clocks.
    run(&mut server, &mut clients, 480, |frame, server, clients| {
        clock.advance(1.0 / 60.0);
        if frame == 180 {
            settled_server = server
                .world()
                .resource::<layerw_net::stats::ServerStats>()
                .missing_inputs;
        }
        for (i, client) in clients.iter_mut().enumerate() {
            set_move(client, directions[(i + frame / 90) % directions.len()]);
            add_transform_to_player(client);
            if frame == 180 {
                settled.push(client.world().resource::<NetStats>().clone());
            }
            if frame >= 180 {
                watch(client, &mut last[i], &mut player_last[i], &mut jitter_only);
            }
        }
    });
    let after_jitter: Vec<NetStats> = clients
        .iter()
        .map(|c| c.world().resource::<NetStats>().clone())
        .collect();
    // Phase 2: delay bursts of 250 ms every 2 s on every link, 6 s.
    let bursty = LinkConditions {
        burst_every: Some(2.0),
        burst_duration: 0.25,
        ..wan.clone()
    };
    for link in links.lock().unwrap().iter().chain(client_links.iter()) {
        link.lock().unwrap().set_conditions(bursty.clone());
    }
    let mut bursts = Motion::default();
    run(&mut server, &mut clients, 360, |frame, _, clients| {
        clock.advance(1.0 / 60.0);
        for (i, client) in clients.iter_mut().enumerate() {
            set_move(client, directions[(i + frame / 90) % directions.len()]);
            watch(client, &mut last[i], &mut player_last[i], &mut bursts);
        }
    });
    // Phase 3: the link recovers; everything stops; every client converges.
    for link in links.lock().unwrap().iter().chain(client_links.iter()) {
        link.lock()
            .unwrap()
            .set_conditions(LinkConditions::perfect());
    }
    server.world_mut().resource_mut::<DroneSpeed>().0 = 0.0;
    run(&mut server, &mut clients, 120, |_, _, clients| {
        clock.advance(1.0 / 60.0);
        for client in clients.iter_mut() {
            set_move(client, Vec2::ZERO);
        }
    });
    let truth = positions(&server);
    for (i, client) in clients.iter().enumerate() {
        assert!(
            client.world().resource::<NetClient>().is_connected(),
            "client {i}: {:?}",
            client.world().resource::<NetStats>()
        );
        let seen = positions(client);
        assert_eq!(seen.len(), truth.len(), "client {i} sees every entity");
        for (id, p) in &truth {
            let error = (seen[id] - *p).abs().max_element();
            assert!(error <= PRECISION, "client {i} entity {id}: {error} m off");
        }
    }
    let missing_inputs = server
        .world()
        .resource::<layerw_net::stats::ServerStats>()
        .missing_inputs;
    eprintln!(
        "largest per-frame moves: jitter and loss {jitter_only:?}, bursts {bursts:?}; \
         inputs missing at the server: {settled_server} while connecting, {missing_inputs} in all"
    );
    // Drones move at 2 m/s and players at 4 m/s (6.7 cm a frame): with jitter and losses the
    // drawn motion of a remote entity never jumps more than 1.3 frames of its walk ...
    assert!(jitter_only.remote_jump <= 0.085, "{jitter_only:?}");
    // ... and through 250 ms bursts, never more than it moves during one burst (4 m/s x 0.25 s).
    assert!(bursts.remote_jump <= 1.0, "{bursts:?}");
    // The predicted player: once the clock has settled, the server agrees with every
    // prediction through jitter and 5 % losses (inputs are sent four times over) ...
    for (before, after) in settled.iter().zip(&after_jitter) {
        assert_eq!(
            before.corrections, after.corrections,
            "{before:?} {after:?}"
        );
    }
    // ... and corrections after bursts are smoothed: the drawn player never moves more in a
    // frame than one tick of its walk (4 m/s / 30 Hz) plus 5 cm.
    assert!(
        jitter_only.player_jump <= 4.0 / 30.0 + 0.05,
        "{jitter_only:?}"
    );
    assert!(bursts.player_jump <= 4.0 / 30.0 + 0.05, "{bursts:?}");
}

/// The tests' player has no Transform; give it one so the smoothing system draws it.
fn add_transform_to_player(client: &mut layerw_engine::app::App) {
    let world = client.world_mut();
    let players: Vec<_> = world
        .query::<(layerw_engine::ecs::Entity, &Predicted, Option<&Transform>)>()
        .iter()
        .filter(|(_, _, t)| t.is_none())
        .map(|(e, _, _)| e)
        .collect();
    for entity in players {
        world.insert_one(entity, Transform::IDENTITY).unwrap();
    }
}
