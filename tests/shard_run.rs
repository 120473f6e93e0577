//! shard_run's rules end to end, headless: its server and two clients on an in-memory loopback,
//! each client driven by a scripted input journal (key presses and releases on frames), run in
//! lock step for a fixed number of frames. The journal walks client 1 through a shard put on
//! its path and client 2 the other way, so the server must give client 1 exactly one point and
//! client 2 none, and put both runners where their keys took them (round the rock in client 2's
//! way). A second run from the same journals must end bit for bit the same.
#![cfg(not(target_family = "wasm"))]

#[allow(dead_code)] // the parts the example uses beyond the rules
#[path = "../examples/shard_run/components.rs"]
mod components;
#[path = "../examples/shard_run/plugin.rs"]
mod plugin;
#[allow(dead_code)] // the parts the example uses beyond the rules
#[path = "../examples/shard_run/server.rs"]
mod server;
#[allow(dead_code)] // the parts the example uses beyond the rules
#[path = "../examples/shard_run/systems.rs"]
mod systems;
#[path = "../examples/shard_run/world.rs"]
mod world;

use layerw::engine::platform::{InputQueue, JournalFrame, TimedEvent};
use layerw::net::token::ServerKey;
use layerw::net::transport::memory::MemoryHub;
use layerw::prelude::*;

use components::{Kind, SPEED, Score, bindings};
use plugin::ShardClient;
use server::{DEV_KEY, ShardServer, token};

/// Frames of the run, at 60 a second.
const FRAMES: u64 = 240;
const DT: f64 = 1.0 / 60.0;

/// A journal that holds `key` from `from` to `to` seconds (frame times at 60 Hz).
fn hold(key: KeyCode, from: f64, to: f64) -> Journal {
    script(&[(key, from, to)])
}

/// A journal that holds each `(key, from, to)`: pressed at `from`, released at `to` seconds.
fn script(keys: &[(KeyCode, f64, f64)]) -> Journal {
    let mut journal = Journal::new();
    for frame in 1..=FRAMES {
        let time = frame as f64 * DT;
        let start = time - DT;
        let mut events = Vec::new();
        for &(key, from, to) in keys {
            if start <= from && from < time {
                events.push(TimedEvent {
                    at: from,
                    event: InputEvent::key_pressed(key).into(),
                });
            }
            if start <= to && to < time {
                events.push(TimedEvent {
                    at: to,
                    event: InputEvent::key_released(key).into(),
                });
            }
        }
        journal
            .push(JournalFrame {
                frame,
                time,
                delta: DT,
                events,
            })
            .expect("frames in order");
    }
    journal
}

/// What a run ends with: per runner (by kind) its score and position's bits, as the server
/// has them, and each client's predicted position's bits.
#[derive(Debug, PartialEq)]
struct Outcome {
    server: Vec<(Kind, u32, [u32; 3])>,
    predicted: Vec<Option<[u32; 3]>>,
}

fn bits(p: Vec3) -> [u32; 3] {
    [p.x.to_bits(), p.y.to_bits(), p.z.to_bits()]
}

/// Runs the server and one client per journal in lock step; `setup` arranges the server's
/// world first (the test's shard).
fn play(journals: &[Journal], setup: impl Fn(&mut World)) -> Outcome {
    let hub = MemoryHub::new();
    let key = ServerKey::from_bytes(DEV_KEY);
    let mut server = App::new();
    server.add_plugin(ShardServer::new(
        vec![Box::new(hub.listener())],
        key.clone(),
        7,
        0,
    ));
    setup(server.world_mut());
    let mut clients: Vec<App> = (1..=journals.len() as u64)
        .map(|id| {
            let connection = hub.connect(&format!("client {id}"));
            let mut app = App::new();
            app.add_plugin(ShardClient::new(
                Box::new(connection),
                token(&key, id).expect("a token"),
            ))
            .add_actions(bindings());
            app
        })
        .collect();
    for frame in 0..FRAMES as usize {
        server.update(DT);
        for (client, journal) in clients.iter_mut().zip(journals) {
            let recorded = &journal.frames()[frame];
            {
                let mut queue = client.world_mut().resource_mut::<InputQueue>();
                for timed in &recorded.events {
                    queue.push(timed.at, timed.event.clone());
                }
            }
            client.update(recorded.delta);
        }
    }
    let mut runners: Vec<(Kind, u32, [u32; 3])> = server
        .world_mut()
        .query_mut::<(&Kind, &Score, &Position)>()
        .into_iter()
        .filter(|(kind, _, _)| kind.is_runner())
        .map(|(kind, score, p)| (*kind, score.0, bits(p.0)))
        .collect();
    runners.sort_by_key(|(kind, _, _)| format!("{kind:?}"));
    let predicted = clients
        .iter_mut()
        .map(|client| {
            client
                .world_mut()
                .query_mut::<(&Position, &Predicted)>()
                .into_iter()
                .map(|(p, _)| bits(p.0))
                .next()
        })
        .collect();
    Outcome {
        server: runners,
        predicted,
    }
}

fn position(outcome: &Outcome, client: u32) -> (u32, Vec3) {
    let (_, score, p) = outcome
        .server
        .iter()
        .find(|(kind, _, _)| *kind == Kind::Player { client })
        .unwrap_or_else(|| panic!("client {client} has a runner: {outcome:?}"));
    (
        *score,
        Vec3::new(
            f32::from_bits(p[0]),
            f32::from_bits(p[1]),
            f32::from_bits(p[2]),
        ),
    )
}

#[test]
fn two_clients_journals_score_and_move_the_same_on_every_replay() {
    let start1 = server::spawn_point(1);
    let start2 = server::spawn_point(2);
    // Client 1 runs right (+x) for 1.5 s; client 2 runs forward (-z) for 2 s.
    let journals = [hold(KeyCode::KeyD, 0.5, 2.0), hold(KeyCode::KeyW, 0.5, 2.5)];
    // Every shard far away, one of them on client 1's way, none on client 2's.
    let on_path = Vec3::new(start1.x + 3.0, components::SHARD_HEIGHT, start1.z);
    let setup = |world: &mut World| {
        let mut first = true;
        for (kind, p) in world.query_mut::<(&mut Kind, &mut Position)>() {
            if let Kind::Shard { golden } = kind {
                *golden = false;
                p.0 = if first {
                    on_path
                } else {
                    Vec3::new(-26.0, 0.8, 26.0)
                };
                first = false;
            }
        }
    };
    let outcome = play(&journals, setup);
    let (score1, at1) = position(&outcome, 1);
    let (score2, at2) = position(&outcome, 2);
    assert_eq!((score1, score2), (1, 0), "{outcome:?}");
    // 1.5 s of keys at 6 m/s is 9 m, give or take the ticks the keys straddle (and the
    // journey to the server).
    let ran = at1.x - start1.x;
    assert!(
        (ran - 1.5 * SPEED).abs() < 0.5,
        "client 1 ran {ran} m: {at1}"
    );
    // Positions are kept to the millimetre (the wire codec).
    assert!((at1.z - start1.z).abs() < 1e-3, "{at1}");
    // Client 2 ran 2 s forward, slid round a rock on its way (so it got less far and moved
    // sideways) and stands outside every obstacle.
    assert!(at2.z < start2.z - 8.0, "client 2 went forward: {at2}");
    assert!(
        (at2.x - start2.x).abs() > 0.5,
        "client 2 slid round the rock: {at2}"
    );
    let obstacles = world::obstacles();
    assert!(
        world::is_clear(
            &obstacles,
            Vec2::new(at2.x, at2.z),
            components::RUNNER_RADIUS - 0.01
        ),
        "{at2}"
    );
    // Each client predicted its own runner where the server has it.
    for (client, at) in [(0usize, at1), (1, at2)] {
        let predicted = outcome.predicted[client].expect("a predicted runner");
        let predicted = Vec3::new(
            f32::from_bits(predicted[0]),
            f32::from_bits(predicted[1]),
            f32::from_bits(predicted[2]),
        );
        assert!(
            predicted.distance(at) < 0.05,
            "client {client}: {predicted} vs {at}"
        );
    }
    // The same journals again: the same bits.
    assert_eq!(play(&journals, setup), outcome);
}

#[test]
fn a_dash_runs_farther_for_its_ticks_and_then_cools_down() {
    let start = server::spawn_point(1);
    // Right for 1.5 s; Space tapped at the start (a dash) and again 0.5 s later (cooling
    // down: no second dash).
    let dashing = script(&[
        (KeyCode::KeyD, 0.5, 2.0),
        (KeyCode::Space, 0.55, 0.6),
        (KeyCode::Space, 1.05, 1.1),
    ]);
    let far_away = |world: &mut World| {
        for (kind, p) in world.query_mut::<(&Kind, &mut Position)>() {
            if let Kind::Shard { .. } = kind {
                p.0 = Vec3::new(-26.0, 0.8, 26.0);
            }
        }
    };
    let walked = position(&play(&[hold(KeyCode::KeyD, 0.5, 2.0)], far_away), 1).1;
    let dashed = position(&play(&[dashing], far_away), 1).1;
    // One dash: DASH_TICKS ticks at DASH_SPEED instead of SPEED, at 30 ticks a second.
    let bonus = f32::from(components::DASH_TICKS) * (components::DASH_SPEED - SPEED) / 30.0;
    let extra = (dashed.x - start.x) - (walked.x - start.x);
    assert!(
        (extra - bonus).abs() < 0.05,
        "the dash added {extra} m, not {bonus} m"
    );
}
