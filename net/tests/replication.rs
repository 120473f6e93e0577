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
        // The server's tick rate, and up to a second of catch-up steps for slow frames.
        let fixed = client
            .world()
            .resource::<layerw_engine::schedule::FixedTime>();
        assert_eq!((fixed.step(), fixed.max_steps()), (1.0 / 30.0, 30));
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

/// A server app like `server_app` but with interest settings.
fn server_with_interest(
    hub: &MemoryHub,
    drones: usize,
    interest: layerw_net::server::InterestSettings,
) -> layerw_engine::app::App {
    let server = layerw_net::server::NetServer::new(
        server_config(Limits::default()),
        vec![Box::new(hub.listener())],
        replication(),
    )
    .with_interest(interest);
    server_app_with(server, drones)
}

#[test]
fn interest_management_sends_only_what_is_near_the_player() {
    let hub = MemoryHub::new();
    // 100 drones on a 10 x 10 grid 6 m apart (0..54 m); client 1's player starts at x = 2.
    let interest = layerw_net::server::InterestSettings {
        radius: 15.0,
        cell_size: 5.0,
        bits_per_second: 1_000_000,
    };
    let mut server = server_with_interest(&hub, 100, interest);
    let mut clients = vec![client_app(Box::new(hub.connect("near")), 1)];
    run(&mut server, &mut clients, 120, |_, _, _| {});
    let truth = positions(&server);
    let seen = positions(&clients[0]);
    let player = *truth.values().last().unwrap();
    let near: Vec<u32> = truth
        .iter()
        .filter(|(_, p)| p.distance(player) <= 15.0 - 2.5)
        .map(|(id, _)| *id)
        .collect();
    let far = truth
        .values()
        .filter(|p| p.distance(player) > 15.0 + 2.5)
        .count();
    assert!(far > 50, "most drones are far away");
    for id in &near {
        assert!(seen.contains_key(id), "entity {id} near the player is seen");
    }
    for (id, p) in &seen {
        assert!(
            p.distance(player) <= 15.0 + 2.5,
            "entity {id} at {p} is too far to be sent"
        );
    }
    // Walking across the field changes what is seen: what was near is removed.
    let first: Vec<u32> = seen.keys().copied().collect();
    run(&mut server, &mut clients, 360, |_, _, clients| {
        set_move(&mut clients[0], Vec2::new(1.0, -1.0).normalize());
    });
    let now = positions(&clients[0]);
    assert!(
        first.iter().any(|id| !now.contains_key(id)),
        "entities left the view"
    );
    assert!(
        now.keys().any(|id| !first.contains(id)),
        "entities entered the view"
    );
}

#[test]
fn a_small_bandwidth_budget_sends_the_nearest_first_and_starves_nothing() {
    let hub = MemoryHub::new();
    let interest = layerw_net::server::InterestSettings {
        radius: f32::INFINITY,
        cell_size: 10.0,
        bits_per_second: 24_000, // 800 bits a tick: far less than 100 moving drones need
    };
    let mut server = server_with_interest(&hub, 100, interest);
    let mut clients = vec![client_app(Box::new(hub.connect("thin")), 1)];
    // Early on, what has arrived is nearer the player than what has not.
    run(&mut server, &mut clients, 12, |_, _, _| {});
    let truth = positions(&server);
    let seen = positions(&clients[0]);
    let player = *truth.values().last().unwrap();
    let mean = |ids: &mut dyn Iterator<Item = &glam::Vec3>| {
        let d: Vec<f32> = ids.map(|p| p.distance(player)).collect();
        d.iter().sum::<f32>() / d.len().max(1) as f32
    };
    let (sent, unsent) = (
        mean(
            &mut truth
                .iter()
                .filter(|(id, _)| seen.contains_key(id))
                .map(|(_, p)| p),
        ),
        mean(
            &mut truth
                .iter()
                .filter(|(id, _)| !seen.contains_key(id))
                .map(|(_, p)| p),
        ),
    );
    assert!(
        seen.len() > 3 && seen.len() < truth.len(),
        "{} of {}",
        seen.len(),
        truth.len()
    );
    assert!(
        sent < unsent,
        "nearest first: sent {sent} m, not yet {unsent} m away"
    );
    run(&mut server, &mut clients, 288, |_, _, _| {});
    let stats = clients[0].world().resource::<NetStats>().clone();
    // Snapshots stay near the budget (one entity's bits of slack).
    assert!(
        stats.bytes_in_per_second < 24_000.0 / 8.0 * 1.5,
        "{stats:?}"
    );
    // Everything was sent at least once, though most move every tick.
    let truth = positions(&server);
    let seen = positions(&clients[0]);
    assert_eq!(seen.len(), truth.len(), "every entity reached the client");
    // After the drones stop, everything converges within a bounded time despite the budget.
    server.world_mut().resource_mut::<DroneSpeed>().0 = 0.0;
    run(&mut server, &mut clients, 240, |_, _, _| {});
    let truth = positions(&server);
    let seen = positions(&clients[0]);
    for (id, p) in &truth {
        assert!(
            (seen[id] - *p).abs().max_element() <= PRECISION,
            "entity {id}"
        );
    }
}
