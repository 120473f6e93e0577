//! The server's side of the arena (native only): its App, spawning and removing players,
//! scoring and moving items (the server decides), and connect tokens.

use layerw::net::connections::ServerConfig;
use layerw::net::limits::Limits;
use layerw::net::token::ServerKey;
use layerw::net::transport::Listener;
use layerw::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::game::{
    ARENA_HALF, Arena, GAME, ITEM_RADIUS, Kind, PLAYER_HALF, PROTOCOL, Score, movement, replication,
};

/// Server ticks per second (the server tells clients in its welcome).
pub const TICK_RATE: u16 = 30;

/// Items lying around.
pub const ITEM_COUNT: usize = 10;
/// A player touches an item when their centres are this close on the floor, metres.
pub const PICKUP_DISTANCE: f32 = 0.9;
/// How long a printed connect token stays valid, seconds.
pub const TOKEN_SECONDS: u64 = 3600;
/// The development key: anyone with the source can sign tokens for it. A real deployment
/// passes its own secret (`--key HEX`) and has a matchmaker issue the tokens.
pub const DEV_KEY: [u8; 32] = *b"net_arena: development key only!";

/// The server's seeded random numbers (item and spawn places): one seed, one game.
pub struct ArenaRng(pub SmallRng);

impl ArenaRng {
    /// A random place on the floor at height `y`, a metre inside the walls.
    fn place(&mut self, y: f32) -> Vec3 {
        let r = ARENA_HALF - 1.0;
        Vec3::new(self.0.random_range(-r..r), y, self.0.random_range(-r..r))
    }
}

/// Server: a player for every new client (a resumed one still has its own).
fn spawn_players(
    mut connected: EventReader<ClientConnected>,
    mut rng: ResMut<ArenaRng>,
    mut commands: Commands,
) {
    for event in connected.read() {
        println!(
            "net_arena: client {} connected{}",
            event.client.0,
            if event.resumed { " again" } else { "" }
        );
        if event.resumed {
            continue;
        }
        let client = u32::try_from(event.client.0).unwrap_or(u32::MAX);
        commands.spawn((
            Replicated,
            Controlled(event.client),
            PlayerInput::<Arena>::default(),
            Position(rng.place(PLAYER_HALF)),
            Rotation(Quat::IDENTITY),
            Kind::Player { client },
            Score(0),
        ));
    }
}

/// Server: a player whose client did not come back within the grace period goes.
fn remove_players(
    mut disconnected: EventReader<ClientDisconnected>,
    mut expired: EventReader<ClientExpired>,
    mut players: Query<(Entity, &Controlled)>,
    mut commands: Commands,
) {
    for event in disconnected.read() {
        println!(
            "net_arena: client {} disconnected ({:?})",
            event.client.0, event.reason
        );
    }
    for event in expired.read() {
        println!("net_arena: client {} expired", event.client.0);
        for (entity, controlled) in players.iter() {
            if controlled.0 == event.client {
                commands.despawn(entity);
            }
        }
    }
}

/// Server: a player touching an item scores a point and the item moves elsewhere. Only the
/// server decides; clients see the new score and the item's new place in the next snapshot.
fn collect_items(
    mut things: Query<(Entity, &Kind, &mut Position)>,
    mut scores: Query<&mut Score>,
    mut rng: ResMut<ArenaRng>,
) {
    let players: Vec<(Entity, Vec3)> = things
        .iter()
        .filter(|(_, kind, _)| matches!(kind, Kind::Player { .. }))
        .map(|(entity, _, p)| (entity, p.0))
        .collect();
    let mut scored = Vec::new();
    for (_, kind, position) in things.iter() {
        if *kind != Kind::Item {
            continue;
        }
        let near = |p: &Vec3| (p.x - position.0.x).hypot(p.z - position.0.z) < PICKUP_DISTANCE;
        if let Some((player, _)) = players.iter().find(|(_, p)| near(p)) {
            scored.push(*player);
            position.0 = rng.place(ITEM_RADIUS);
        }
    }
    for player in scored {
        if let Ok(mut score) = scores.get_mut::<Score>(player) {
            score.0 = score.0.saturating_add(1);
        }
    }
}

/// Stops the app once `seconds` of its time have passed.
pub fn exit_after(seconds: f64) -> System {
    (move |time: Res<Time>, mut exit: EventWriter<AppExit>| {
        if time.elapsed_seconds() >= seconds {
            exit.send(AppExit);
        }
    })
    .named("arena_exit_after")
}

/// The server's App on `listeners`, with items placed by `seed`.
pub fn server_app(listeners: Vec<Box<dyn Listener>>, key: ServerKey, seed: u64) -> App {
    let config = ServerConfig {
        protocol: PROTOCOL,
        game: GAME,
        key,
        limits: Limits::default(),
        tick_rate: TICK_RATE,
    };
    let server = NetServer::new(config, listeners, replication());
    let mut app = App::new();
    let mut rng = ArenaRng(SmallRng::seed_from_u64(seed));
    for _ in 0..ITEM_COUNT {
        app.world_mut().spawn((
            Replicated,
            Position(rng.place(ITEM_RADIUS)),
            Rotation(Quat::IDENTITY),
            Kind::Item,
        ));
    }
    app.add_plugin(ServerPlugin::<Arena>::new(server))
        .insert_resource(rng)
        .add_system(Stage::NetReceive, spawn_players)
        .add_system(Stage::NetReceive, remove_players)
        .add_system(Stage::FixedUpdate, movement)
        .add_system(Stage::FixedUpdate, collect_items.after(movement));
    app
}

/// A connect token for `client_id` signed with `key`, valid for [`TOKEN_SECONDS`] from now.
pub fn token(key: &ServerKey, client_id: u64) -> Result<Vec<u8>, layerw::net::token::KeyError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    layerw::net::token::issue_token(key, PROTOCOL, GAME, client_id, TOKEN_SECONDS, now)
}
