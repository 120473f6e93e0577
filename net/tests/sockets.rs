//! Replication over real WebSockets on 127.0.0.1: a server app and native client apps in one
//! process, each running its own schedule on a simulated clock, the bytes going through the
//! operating system's sockets.
#![cfg(not(target_family = "wasm"))]

mod support;

use std::collections::BTreeMap;

use layerw_engine::app::App;
use layerw_net::client::{ClientState, NetClient, Predicted};
use layerw_net::limits::Limits;
use layerw_net::message::DisconnectReason;
use layerw_net::replication::NetId;
use layerw_net::server::{ClientConnected, NetServer};
use layerw_net::stats::NetStats;
use support::sockets::*;
use support::*;

/// Stops everything and lets a second of frames pass (at most two): then every client must
/// see exactly the server's world.
fn freeze_and_settle(net: &mut Net) {
    net.moving = false;
    net.server.world_mut().resource_mut::<DroneSpeed>().0 = 0.0;
    net.run(90);
}

/// Asserts every client sees every entity of the server within the codec's precision.
fn assert_converged(net: &Net) {
    let truth = positions(&net.server);
    for (i, client) in net.clients.iter().enumerate() {
        let seen = positions(client);
        assert_eq!(
            seen.keys().collect::<Vec<_>>(),
            truth.keys().collect::<Vec<_>>(),
            "client {i} sees every entity"
        );
        for (id, p) in &truth {
            let error = (seen[id] - *p).abs().max_element();
            assert!(error <= PRECISION, "client {i} entity {id}: {error} m off");
        }
    }
}

/// The net id of the entity a client predicts (its player), checked to be the one the server
/// named.
fn predicted_id(client: &App) -> NetId {
    let named = client
        .world()
        .resource::<NetClient>()
        .controlled()
        .expect("the server named the player");
    let predicted: Vec<NetId> = client
        .world()
        .query::<(&NetId, &Predicted)>()
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(predicted, [named], "one predicted entity: the player");
    named
}

#[test]
fn eight_native_clients_converge_over_websockets() {
    let mut net = Net::new(40, Limits::default());
    for id in 1..=8 {
        net.join(id);
    }
    net.run(240);
    for i in 0..8 {
        assert!(net.client(i).is_connected(), "{:?}", net.client(i).state());
    }
    freeze_and_settle(&mut net);
    let truth = positions(&net.server);
    assert_eq!(truth.len(), 48, "40 drones and 8 players");
    assert_converged(&net);
    for (i, client) in net.clients.iter().enumerate() {
        let stats = client.world().resource::<NetStats>();
        // 330 frames of 1/60 s at 30 ticks per second: 165 snapshots sent to every client.
        assert!(stats.snapshots > 150, "client {i}: {stats:?}");
        assert_eq!(stats.snapshots_dropped, 0, "client {i}: {stats:?}");
        assert!(stats.connected, "client {i}: {stats:?}");
    }
    assert!(net.disconnected.is_empty(), "{:?}", net.disconnected);
    assert_eq!(
        net.connected,
        (1..=8)
            .map(|id| ClientConnected {
                client: layerw_net::ClientId(id),
                resumed: false
            })
            .collect::<Vec<_>>()
    );
    let stats = net
        .server
        .world()
        .resource::<layerw_net::stats::ServerStats>()
        .clone();
    assert_eq!(stats.clients, 8);
    assert!(stats.bytes_in_per_second > 0.0, "{stats:?}");
}

#[test]
fn disconnect_then_reconnect_with_the_token_resumes() {
    let mut net = Net::new(10, Limits::default());
    net.join(1);
    net.join(2);
    net.run(120);
    let players: Vec<NetId> = net.clients.iter().map(predicted_id).collect();
    let entities = positions(&net.server).len();
    assert_eq!(entities, 12);

    // Client 1 says goodbye; client 2's app just goes away (its socket closes unannounced).
    net.clients[0]
        .world_mut()
        .resource_mut::<NetClient>()
        .disconnect();
    net.clients[0].update(FRAME); // flushes the goodbye
    let gone: Vec<App> = net.clients.drain(..).collect();
    drop(gone);
    let both_left = net.run_until(120, |net| net.disconnected.len() == 2);
    assert!(both_left, "{:?}", net.disconnected);
    let reasons: BTreeMap<u64, DisconnectReason> = net
        .disconnected
        .iter()
        .map(|d| (d.client.0, d.reason.clone()))
        .collect();
    assert_eq!(reasons[&1], DisconnectReason::ClientLeft);
    assert!(
        matches!(reasons[&2], DisconnectReason::ConnectionLost { .. }),
        "{:?}",
        reasons[&2]
    );
    net.run(30);
    assert_eq!(
        positions(&net.server).len(),
        entities,
        "the players wait for their clients"
    );

    // New apps with the same client ids and fresh tokens take their players back.
    net.join(1);
    net.join(2);
    let resumed: Vec<ClientConnected> = net.connected[2..].to_vec();
    assert_eq!(
        resumed,
        [1, 2].map(|id| ClientConnected {
            client: layerw_net::ClientId(id),
            resumed: true
        })
    );
    net.run(120);
    assert_eq!(positions(&net.server).len(), entities, "no new player");
    let again: Vec<NetId> = net.clients.iter().map(predicted_id).collect();
    assert_eq!(again, players, "the same player entities");
    freeze_and_settle(&mut net);
    assert_converged(&net);
    for client in &net.clients {
        let stats = client.world().resource::<NetStats>();
        assert!(stats.connected && stats.snapshots > 90, "{stats:?}");
    }
}

#[test]
fn clients_survive_a_server_restart() {
    let mut net = Net::new(10, Limits::default());
    for id in 1..=3 {
        net.join(id);
    }
    net.run(60);

    // A clean shutdown: every client is told why.
    net.server
        .world_mut()
        .resource_mut::<NetServer>()
        .shutdown();
    net.step();
    // The process goes away (an empty app stands in while the clients run on).
    drop(std::mem::replace(&mut net.server, App::new()));
    let all_told = net.run_until(120, |net| (0..3).all(|i| !net.client(i).is_connected()));
    assert!(all_told);
    for i in 0..3 {
        let state = net.client(i).state().clone();
        let ClientState::Disconnected { reason } = state else {
            panic!("client {i}: {state:?}");
        };
        assert_eq!(reason, DisconnectReason::ServerShutdown.to_string());
    }
    // Disconnected clients keep running frames without trouble.
    net.run(30);
    assert!((0..3).all(|i| !net.client(i).is_connected()));

    // The engine does not reconnect by itself: the game makes new client apps for the new
    // server (on a new port), with the same ids.
    net.clients.clear();
    let (server, addr) = ws_server(10, Limits::default());
    net.replace_server(server, addr);
    for id in 1..=3 {
        net.join(id);
    }
    assert!(
        net.connected.iter().all(|c| !c.resumed),
        "{:?}",
        net.connected
    );
    net.run(120);
    freeze_and_settle(&mut net);
    assert_converged(&net);
    assert_eq!(positions(&net.server).len(), 13);

    // A crash this time: the server goes away without a word; the clients notice the closed
    // sockets.
    drop(std::mem::replace(&mut net.server, App::new()));
    let all_lost = net.run_until(120, |net| (0..3).all(|i| !net.client(i).is_connected()));
    assert!(all_lost);
    for i in 0..3 {
        let stats = net.clients[i].world().resource::<NetStats>().clone();
        let reason = stats.disconnect_reason.expect("a reason");
        assert!(reason.contains("connection lost"), "client {i}: {reason}");
    }
}
