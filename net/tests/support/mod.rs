//! A small game for the replication tests: players walk with their input, "drones" circle and
//! spin on the server; positions and rotations are replicated.

#![allow(dead_code, reason = "each test binary uses a different part")]

use glam::{Quat, Vec2, Vec3};
use layerw_components::{Position, Rotation};
use layerw_engine::app::App;
use layerw_engine::ecs::EventCursor;
use layerw_engine::platform::{Action, ActionState, ActionValue};
use layerw_engine::schedule::{Stage, System};
use layerw_net::client::{ClientPlugin, Interpolated, NetClient};
use layerw_net::codec::{PositionCodec, RotationCodec};
use layerw_net::connections::ServerConfig;
use layerw_net::input::PlayerInput;
use layerw_net::limits::Limits;
use layerw_net::replication::{Replicated, Replication};
use layerw_net::server::{ClientConnected, Controlled, NetServer, ServerPlugin};
use layerw_net::token::{ServerKey, issue_token};
use layerw_net::transport::{Connection, Listener};

pub const PROTOCOL: u32 = 7;
pub const GAME: u64 = 0x5EED;
pub const SPEED: f32 = 4.0;
pub const PRECISION: f32 = 0.001;

#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Walk {
    Move,
}

/// A server-driven entity moving on a circle.
#[derive(Clone, Copy, Debug)]
pub struct Drone {
    pub center: Vec3,
    pub radius: f32,
    pub phase: f32,
}

pub fn key() -> ServerKey {
    ServerKey::from_bytes([42; 32])
}

pub fn replication() -> Replication {
    Replication::new()
        .with::<Position>(
            PositionCodec::new(Vec3::splat(-256.0), Vec3::splat(256.0), PRECISION).unwrap(),
        )
        .with::<Rotation>(RotationCodec::new(12).unwrap())
}

/// The game's one fixed-step rule, run by the server and, for the local player, by clients.
pub fn walk() -> System {
    System::new("walk", |ctx| {
        let dt = ctx.delta_seconds() as f32;
        for (input, position) in ctx
            .query::<hecs::Without<(&PlayerInput<Walk>, &mut Position), &Interpolated>>()
            .iter()
        {
            let step = input.0.axis2d(Walk::Move) * SPEED * dt;
            position.0 += Vec3::new(step.x, 0.0, -step.y);
        }
    })
    .reads::<PlayerInput<Walk>>()
    .reads::<Interpolated>()
    .writes::<Position>()
}

/// Drones' speed factor (0 freezes them).
pub struct DroneSpeed(pub f32);

fn drones() -> System {
    System::new("drones", |ctx| {
        let dt = ctx.delta_seconds() as f32 * ctx.resource::<DroneSpeed>().0;
        for (drone, position, rotation) in ctx
            .query::<(&mut Drone, &mut Position, &mut Rotation)>()
            .iter()
        {
            drone.phase += dt;
            position.0 =
                drone.center + Vec3::new(drone.phase.cos(), 0.0, drone.phase.sin()) * drone.radius;
            rotation.0 = Quat::from_rotation_y(drone.phase * 2.0);
        }
    })
    .reads_resource::<DroneSpeed>()
    .writes::<Drone>()
    .writes::<Position>()
    .writes::<Rotation>()
}

fn spawn_players() -> System {
    let mut reader = EventCursor::<ClientConnected>::new();
    System::new("spawn_players", move |ctx| {
        let events = ctx.resource::<layerw_engine::ecs::Events<ClientConnected>>();
        for event in reader.read(&events) {
            if event.resumed {
                continue; // its player is still there
            }
            let x = (event.client.0 as f32) * 2.0;
            ctx.commands().spawn((
                Replicated,
                Controlled(event.client),
                PlayerInput::<Walk>::default(),
                Position(Vec3::new(x, 0.0, 0.0)),
                Rotation(Quat::IDENTITY),
            ));
        }
    })
    .reads_events::<ClientConnected>()
}

pub fn server_config(limits: Limits) -> ServerConfig {
    ServerConfig {
        protocol: PROTOCOL,
        game: GAME,
        key: key(),
        limits,
        tick_rate: 30,
    }
}

/// A server app on `listeners` with `drones` circling drones.
pub fn server_app(listeners: Vec<Box<dyn Listener>>, drones_count: usize, limits: Limits) -> App {
    let server = NetServer::new(server_config(limits), listeners, replication());
    server_app_with(server, drones_count)
}

/// A server app around `server` with `drones` circling drones (10 a row, 6 m apart).
pub fn server_app_with(server: NetServer, drones_count: usize) -> App {
    let mut app = App::new();
    app.add_plugin(ServerPlugin::<Walk>::new(server))
        .insert_resource(DroneSpeed(1.0))
        .add_system(Stage::NetReceive, spawn_players())
        .add_system(Stage::FixedUpdate, walk())
        .add_system(Stage::FixedUpdate, drones());
    for i in 0..drones_count {
        app.world_mut().spawn((
            Replicated,
            Drone {
                center: Vec3::new((i % 10) as f32 * 6.0, 0.0, (i / 10) as f32 * 6.0),
                radius: 2.0,
                phase: i as f32,
            },
            Position(Vec3::ZERO),
            Rotation(Quat::IDENTITY),
        ));
    }
    app
}

pub fn token(client_id: u64) -> Vec<u8> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    issue_token(&key(), PROTOCOL, GAME, client_id, 300, now).unwrap()
}

/// A client app over `connection` as `client_id`.
pub fn client_app(connection: Box<dyn Connection>, client_id: u64) -> App {
    let mut app = App::new();
    let client = NetClient::new(connection, PROTOCOL, GAME, token(client_id), replication());
    app.add_plugin(ClientPlugin::<Walk>::new(client))
        .add_system(Stage::FixedUpdate, walk());
    app
}

/// Sets the client's movement input.
pub fn set_move(app: &mut App, direction: Vec2) {
    app.world_mut().resource_mut::<ActionState<Walk>>().set(
        Walk::Move,
        ActionValue {
            value: direction,
            pressed: direction != Vec2::ZERO,
            just_pressed: false,
            just_released: false,
        },
    );
}

/// Every replicated entity's position on a world, by net id.
pub fn positions(app: &App) -> std::collections::BTreeMap<u32, Vec3> {
    app.world()
        .query::<(&layerw_net::replication::NetId, &Position)>()
        .iter()
        .map(|(id, p)| (id.0, p.0))
        .collect()
}

/// Runs `frames` frames of 1/60 s: the server first, then every client.
pub fn run(
    server: &mut App,
    clients: &mut [App],
    frames: usize,
    mut each: impl FnMut(usize, &mut App, &mut [App]),
) {
    for frame in 0..frames {
        each(frame, server, clients);
        server.update(1.0 / 60.0);
        for client in clients.iter_mut() {
            client.update(1.0 / 60.0);
        }
    }
}

#[cfg(not(target_family = "wasm"))]
pub mod sockets;
