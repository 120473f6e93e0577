//! The game as plugins: [`ShardServer`] (the authoritative rules on a headless server) and
//! [`ShardClient`] (a client's connection and prediction). What a client draws, shows and
//! plays is [`crate::view::ShardView`].

use std::sync::Mutex;

use layerw::net::connections::ServerConfig;
use layerw::net::limits::Limits;
use layerw::net::token::ServerKey;
use layerw::net::transport::{Connection, Listener};
use layerw::prelude::*;

use crate::components::{GAME, PROTOCOL, Run, TICK_RATE, replication};
use crate::systems::{
    GameRng, Obstacles, Round, collect_shards, movement, populate, remove_players, run_round,
    spawn_players, steer_bots,
};
use crate::world;

/// The development key: anyone with the source can sign tokens for it. A real deployment
/// passes its own secret (`--key HEX`) and has a matchmaker issue the tokens.
pub const DEV_KEY: [u8; 32] = *b"shard_run: development key only!";
/// How long a printed connect token stays valid, seconds.
pub const TOKEN_SECONDS: u64 = 3600;

/// The server's rules: shards, bots, scores and rounds over `listeners`.
pub struct ShardServer {
    listeners: Mutex<Vec<Box<dyn Listener>>>,
    /// The key connect tokens must be signed with.
    pub key: ServerKey,
    /// Seeds shard places and bots: one seed, one game.
    pub seed: u64,
    /// Server-steered runners.
    pub bots: u32,
}

impl ShardServer {
    /// A server on `listeners` checking tokens against `key`.
    pub fn new(listeners: Vec<Box<dyn Listener>>, key: ServerKey, seed: u64, bots: u32) -> Self {
        ShardServer {
            listeners: Mutex::new(listeners),
            key,
            seed,
            bots,
        }
    }
}

impl Plugin for ShardServer {
    fn build(&self, app: &mut App) {
        let listeners = self
            .listeners
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        let config = ServerConfig {
            protocol: PROTOCOL,
            game: GAME,
            key: self.key.clone(),
            limits: Limits::default(),
            tick_rate: TICK_RATE,
        };
        let server = NetServer::new(config, listeners, replication());
        let obstacles = world::obstacles();
        let mut rng = GameRng::new(self.seed);
        let round = Round::start();
        populate(app.world_mut(), &mut rng, &obstacles, self.bots, round);
        app.add_plugin(ServerPlugin::<Run>::new(server))
            .insert_resource(rng)
            .insert_resource(round)
            .insert_resource(Obstacles(obstacles))
            .add_system(Stage::NetReceive, spawn_players)
            .add_system(Stage::NetReceive, remove_players)
            .add_system(Stage::FixedUpdate, steer_bots)
            .add_system(Stage::FixedUpdate, movement.after(steer_bots))
            .add_system(Stage::FixedUpdate, collect_shards.after(movement))
            .add_system(Stage::FixedUpdate, run_round.after(collect_shards));
    }
}

/// A client of the game over `connection` with a signed connect `token`: the rules it
/// predicts for its own runner (nothing drawn: see `ShardView`).
pub struct ShardClient {
    client: Mutex<Option<NetClient>>,
}

impl ShardClient {
    /// The client over `connection`.
    pub fn new(connection: Box<dyn Connection>, token: Vec<u8>) -> Self {
        ShardClient {
            client: Mutex::new(Some(NetClient::new(
                connection,
                PROTOCOL,
                GAME,
                token,
                replication(),
            ))),
        }
    }
}

impl Plugin for ShardClient {
    fn build(&self, app: &mut App) {
        let Some(client) = self.client.lock().ok().and_then(|mut c| c.take()) else {
            return;
        };
        app.add_plugin(ClientPlugin::<Run>::new(client))
            .insert_resource(Obstacles(world::obstacles()))
            .add_system(Stage::FixedUpdate, movement);
    }
}

/// A connect token for `client_id` signed with `key`, valid for [`TOKEN_SECONDS`] from now.
#[cfg(not(target_arch = "wasm32"))]
pub fn token(key: &ServerKey, client_id: u64) -> Result<Vec<u8>, layerw::net::token::KeyError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    layerw::net::token::issue_token(key, PROTOCOL, GAME, client_id, TOKEN_SECONDS, now)
}
