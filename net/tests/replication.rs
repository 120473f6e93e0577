//! Replication end to end over the in-memory transport: a server app and client apps in one
//! process, each running its own schedule.

mod support;

use glam::Vec2;
use layerw_net::client::NetClient;
use layerw_net::limits::Limits;
use layerw_net::stats::NetStats;
use layerw_net::transport::memory::MemoryHub;
use support::*;

#[test]
fn every_client_converges_to_the_servers_world() {
    let hub = MemoryHub::new();
    let mut server = server_app(vec![Box::new(hub.listener())], 40, Limits::default());
    let mut clients: Vec<_> = (1..=3)
        .map(|id| client_app(Box::new(hub.connect(&format!("client {id}"))), id))
        .collect();
    let directions = [Vec2::X, Vec2::new(-0.6, 0.8), Vec2::Y];
    run(&mut server, &mut clients, 240, |frame, _, clients| {
        for (i, client) in clients.iter_mut().enumerate() {
            // Each player changes direction every second.
            let d = directions[(i + frame / 60) % directions.len()];
            set_move(client, d);
        }
    });
    for client in &clients {
        assert!(client.world().resource::<NetClient>().is_connected());
    }
    // Stop everything; after a second every client sees exactly the server's world.
    server.world_mut().resource_mut::<DroneSpeed>().0 = 0.0;
    run(&mut server, &mut clients, 60, |_, _, clients| {
        for client in clients.iter_mut() {
            set_move(client, Vec2::ZERO);
        }
    });
    let truth = positions(&server);
    assert_eq!(truth.len(), 43, "40 drones and 3 players");
    for (i, client) in clients.iter().enumerate() {
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
        let stats = client.world().resource::<NetStats>();
        assert!(stats.snapshots > 120, "{stats:?}");
        let overlay = client
            .world()
            .resource::<layerw_engine::render::OverlayLines>()
            .iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        assert!(overlay[0].starts_with("net: rtt"), "{overlay:?}");
        // Quantised authority: the prediction matches the server except while connecting.
        assert!(stats.corrections <= 2, "{stats:?}");
    }
}
