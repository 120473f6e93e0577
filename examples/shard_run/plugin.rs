//! The client's half of the game as a plugin: [`ShardClient`] (its connection and
//! prediction). The server's is `server::ShardServer`; what a client draws, shows and plays is
//! [`crate::view::ShardView`] and [`crate::hud::ShardHud`].

use std::sync::Mutex;

use layerw::net::transport::Connection;
use layerw::prelude::*;

use crate::components::{GAME, PROTOCOL, Run, replication};
use crate::systems::{Obstacles, movement};
use crate::world;

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
