//! The arena's rules shared by the server and the clients: the actions, the replicated
//! components and the movement every side simulates (the server's own rules are in
//! `server.rs`).

use layerw::net::codec::{PositionCodec, RotationCodec};
use layerw::net::replication::IntCodec;
use layerw::net::transport::Connection;
use layerw::prelude::*;

/// The protocol version clients and tokens must name.
pub const PROTOCOL: u32 = 1;
/// The game id clients and tokens must name.
pub const GAME: u64 = 0xA4E4A;
/// The arena is the square from -ARENA_HALF to ARENA_HALF on x and z, metres.
pub const ARENA_HALF: f32 = 10.0;
/// Player speed, metres per second.
pub const SPEED: f32 = 5.0;
/// Half a player cube's edge, metres (players stand on the floor: their centre is this high).
pub const PLAYER_HALF: f32 = 0.5;
/// Item spheres' radius, metres.
pub const ITEM_RADIUS: f32 = 0.35;
/// Bits of a replicated [`Kind`]: players' client ids up to 2^20 - 2 fit.
const KIND_BITS: u32 = 20;

/// What a player does.
#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arena {
    /// Walk on the floor (a 2D axis: x right, y forward).
    Move,
}

/// The default bindings: WASD, the arrow keys, the left stick.
pub fn bindings() -> ActionMap<Arena> {
    ActionMap::new()
        .with(Arena::Move, Binding::WASD)
        .with(Arena::Move, Binding::ARROWS)
        .with(Arena::Move, Binding::Stick(Stick::Left))
}

/// What a replicated entity is (replicated: clients draw by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Something to pick up.
    Item,
    /// The player of a client.
    Player {
        /// The client id from its connect token.
        client: u32,
    },
}

impl Kind {
    /// 0 for an item, the client id + 1 for a player.
    fn encode(kind: &Kind) -> u32 {
        match *kind {
            Kind::Item => 0,
            Kind::Player { client } => client.saturating_add(1),
        }
    }

    /// The inverse of `encode`, total: every value means something.
    fn decode(bits: u32) -> Kind {
        match bits {
            0 => Kind::Item,
            n => Kind::Player { client: n - 1 },
        }
    }
}

/// A player's points (replicated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score(pub u32);

/// What travels, in wire order: the same registrations on the server and every client.
pub fn replication() -> Replication {
    let min = Vec3::new(-ARENA_HALF - 1.0, -1.0, -ARENA_HALF - 1.0);
    let max = Vec3::new(ARENA_HALF + 1.0, 3.0, ARENA_HALF + 1.0);
    Replication::new()
        .with::<Position>(PositionCodec::new(min, max, 0.001).expect("a valid range"))
        .with::<Rotation>(RotationCodec::new(12).expect("12 bits are valid"))
        .with::<Kind>(IntCodec::new(KIND_BITS, Kind::encode, Kind::decode).expect("1..=32"))
        .with::<Score>(IntCodec::new(16, |s: &Score| s.0, Score).expect("1..=32"))
}

/// The fixed-step movement: every player with a [`PlayerInput`] walks at [`SPEED`] inside the
/// arena and faces where it goes. The server runs it for everyone; a client runs it for its
/// own (predicted) player and leaves the interpolated ones alone.
#[expect(clippy::type_complexity, reason = "one query's filter")]
pub fn movement(
    mut players: Query<Without<(&PlayerInput<Arena>, &mut Position, &mut Rotation), &Interpolated>>,
    dt: Delta,
) {
    let limit = ARENA_HALF - PLAYER_HALF;
    for (input, position, rotation) in players.iter() {
        let direction = input.0.axis2d(Arena::Move).clamp_length_max(1.0);
        if direction == Vec2::ZERO {
            continue;
        }
        let step = direction * SPEED * dt.seconds();
        // The stick's y is forward, which is -z.
        position.0.x = (position.0.x + step.x).clamp(-limit, limit);
        position.0.z = (position.0.z - step.y).clamp(-limit, limit);
        rotation.0 = Quat::from_rotation_y((-direction.x).atan2(direction.y));
    }
}

/// A client's App over `connection` with a signed connect `token` (no drawing: see `view`).
pub fn client_app(connection: Box<dyn Connection>, token: Vec<u8>) -> App {
    let client = NetClient::new(connection, PROTOCOL, GAME, token, replication());
    let mut app = App::new();
    // The plugin takes the server's tick rate and lets a slow frame run up to a second of
    // ticks, so a software-rendered browser tab keeps up.
    app.add_plugin(ClientPlugin::<Arena>::new(client))
        .add_system(Stage::FixedUpdate, movement);
    app
}
