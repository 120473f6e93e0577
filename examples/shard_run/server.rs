//! The server's half of the game (native only): the authoritative rules as systems (joining
//! and leaving, bots, picking shards up, the round's clock), the numbers they use, and the
//! [`ShardServer`] plugin. Only the server decides scores and rounds.

use std::sync::Mutex;

use layerw::net::connections::ServerConfig;
use layerw::net::limits::Limits;
use layerw::net::token::ServerKey;
use layerw::net::transport::Listener;
use layerw::platform::ActionValue;
use layerw::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::components::{
    ARENA_HALF, Dash, GAME, Kind, MAX_BOTS, PROTOCOL, RoundClock, Run, SHARD_HEIGHT, Score,
    replication,
};
use crate::systems::{Obstacles, movement};
use crate::world::{self, Obstacle};

/// Server ticks per second (the server tells clients in its welcome).
pub const TICK_RATE: u16 = 30;
/// A runner picks a shard up when their centres are this close on the floor, metres.
pub const PICKUP_DISTANCE: f32 = 1.0;
/// Shards lying around at any time.
pub const SHARD_COUNT: usize = 16;
/// One shard in this many is golden (worth [`GOLDEN_POINTS`]).
pub const GOLDEN_EVERY: u32 = 5;
/// What a golden shard is worth.
pub const GOLDEN_POINTS: u32 = 3;
/// A round's length, tenths of a second.
pub const ROUND_TENTHS: u16 = 600;
/// The pause between rounds (the winner is shown), tenths of a second.
pub const INTERMISSION_TENTHS: u16 = 50;

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

/// The server's seeded random numbers (shard places, bots' whims): one seed, one game.
pub struct GameRng(pub SmallRng);

impl GameRng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> GameRng {
        GameRng(SmallRng::seed_from_u64(seed))
    }

    /// A random clear place on the floor for a shard.
    fn shard_place(&mut self, obstacles: &[Obstacle]) -> Vec3 {
        let r = ARENA_HALF - 1.5;
        loop {
            let at = Vec2::new(self.0.random_range(-r..r), self.0.random_range(-r..r));
            if world::is_clear(obstacles, at, PICKUP_DISTANCE) {
                return Vec3::new(at.x, SHARD_HEIGHT, at.y);
            }
        }
    }

    /// Golden one time in [`GOLDEN_EVERY`].
    fn golden(&mut self) -> bool {
        self.0.random_range(0..GOLDEN_EVERY) == 0
    }
}

/// The server's round: ticks left of the round or of the pause after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Round {
    /// Whether shards score now.
    pub playing: bool,
    /// Fixed ticks left.
    pub ticks_left: u32,
    /// Rounds finished.
    pub finished: u32,
}

impl Round {
    /// A round starting now.
    pub fn start() -> Round {
        Round {
            playing: true,
            ticks_left: ticks(ROUND_TENTHS),
            finished: 0,
        }
    }

    /// The replicated clock showing it.
    pub fn clock(&self) -> RoundClock {
        let tenths = (self.ticks_left * 10).div_ceil(u32::from(TICK_RATE)) as u16;
        if self.playing {
            RoundClock::Playing { tenths }
        } else {
            RoundClock::Intermission { tenths }
        }
    }
}

/// Fixed ticks in `tenths` of a second.
fn ticks(tenths: u16) -> u32 {
    u32::from(tenths) * u32::from(TICK_RATE) / 10
}

/// Where the runner of client (or bot) number `n` starts: on a ring round the centre.
pub fn spawn_point(n: u32) -> Vec3 {
    let angle = n as f32 * 2.399_963; // the golden angle: neighbours far apart
    Vec3::new(5.0 * angle.cos(), 0.0, 5.0 * angle.sin())
}

/// The components of a runner at its spawn point, with `extra` (who steers it).
pub fn runner<C: Send + Sync + 'static>(
    kind: Kind,
    n: u32,
    extra: C,
) -> (
    Replicated,
    PlayerInput<Run>,
    Position,
    Rotation,
    Kind,
    Score,
    Dash,
    C,
) {
    (
        Replicated,
        PlayerInput::<Run>::default(),
        Position(spawn_point(n)),
        Rotation(Quat::IDENTITY),
        kind,
        Score(0),
        Dash::default(),
        extra,
    )
}

/// Server: a runner for every new client (a resumed one still has its own).
pub fn spawn_players(mut connected: EventReader<ClientConnected>, mut commands: Commands) {
    for event in connected.read() {
        println!(
            "shard_run: client {} joined{}",
            event.client.0,
            if event.resumed { " again" } else { "" }
        );
        if event.resumed {
            continue;
        }
        let client = u32::try_from(event.client.0).unwrap_or(u32::MAX);
        commands.spawn(runner(
            Kind::Player { client },
            client,
            Controlled(event.client),
        ));
    }
}

/// Server: a runner whose client did not come back within the grace period leaves.
pub fn remove_players(
    mut expired: EventReader<ClientExpired>,
    mut players: Query<(Entity, &Controlled)>,
    mut commands: Commands,
) {
    for event in expired.read() {
        println!("shard_run: client {} left", event.client.0);
        for (entity, controlled) in players.iter() {
            if controlled.0 == event.client {
                commands.despawn(entity);
            }
        }
    }
}

/// How far bots push their stick (their speed against a player's).
const BOT_STICK: f32 = 0.85;

/// A server-steered runner.
#[derive(Clone, Copy, Debug)]
pub struct Bot {
    /// How far ahead it dashes, metres (bots differ).
    pub dash_range: f32,
}

/// Server: bots run for the nearest shard (a golden one counts as nearer), round what is in
/// the way, and dash when one is close.
pub fn steer_bots(
    mut bots: Query<(&Bot, &Position, &mut PlayerInput<Run>, &Dash)>,
    mut shards: Query<(&Kind, &Position)>,
    obstacles: Res<Obstacles>,
    round: Res<Round>,
) {
    let targets: Vec<(Vec2, bool)> = shards
        .iter()
        .filter_map(|(kind, p)| match kind {
            Kind::Shard { golden } => Some((Vec2::new(p.0.x, p.0.z), *golden)),
            _ => None,
        })
        .collect();
    for (bot, position, input, dash) in bots.iter() {
        let from = Vec2::new(position.0.x, position.0.z);
        let target = targets
            .iter()
            .map(|(at, golden)| (*at, from.distance(*at) * if *golden { 0.5 } else { 1.0 }))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(at, _)| at);
        let stick = match (round.playing, target) {
            // A bot pushes the stick most of the way: players run a little faster.
            (true, Some(target)) => world::steer(&obstacles.0, from, target) * BOT_STICK,
            _ => Vec2::ZERO,
        };
        let dash_now = dash.cooldown == 0
            && target.is_some_and(|t| t.distance(from) < bot.dash_range && t.distance(from) > 2.0);
        set_input(&mut input.0, stick, dash_now);
    }
}

/// Server: a runner touching a shard scores (three for a golden one) and the shard appears
/// somewhere else. Only while a round runs.
pub fn collect_shards(
    mut things: Query<(Entity, &mut Kind, &mut Position)>,
    mut scores: Query<&mut Score>,
    mut rng: ResMut<GameRng>,
    obstacles: Res<Obstacles>,
    round: Res<Round>,
) {
    if !round.playing {
        return;
    }
    let runners: Vec<(Entity, Vec3)> = things
        .iter()
        .filter(|(_, kind, _)| kind.is_runner())
        .map(|(entity, _, p)| (entity, p.0))
        .collect();
    let mut scored = Vec::new();
    for (_, kind, position) in things.iter() {
        let Kind::Shard { golden } = *kind else {
            continue;
        };
        let near = |p: &Vec3| {
            let (dx, dz) = (p.x - position.0.x, p.z - position.0.z);
            dx * dx + dz * dz < PICKUP_DISTANCE * PICKUP_DISTANCE
        };
        if let Some((runner, _)) = runners.iter().find(|(_, p)| near(p)) {
            scored.push((*runner, if golden { GOLDEN_POINTS } else { 1 }));
            position.0 = rng.shard_place(&obstacles.0);
            *kind = Kind::Shard {
                golden: rng.golden(),
            };
        }
    }
    for (runner, points) in scored {
        if let Ok(mut score) = scores.get_mut::<Score>(runner) {
            score.0 = score.0.saturating_add(points);
        }
    }
}

/// Server: counts the round down; at its end scores stand for the pause, then they are reset,
/// runners go back to their spawn points and the next round starts.
pub fn run_round(
    mut round: ResMut<Round>,
    mut clocks: Query<&mut RoundClock>,
    mut runners: Query<(&Kind, &mut Score, &mut Position)>,
) {
    round.ticks_left = round.ticks_left.saturating_sub(1);
    if round.ticks_left == 0 {
        if round.playing {
            round.playing = false;
            round.ticks_left = ticks(INTERMISSION_TENTHS);
            round.finished += 1;
            println!("shard_run: round {} over", round.finished);
        } else {
            round.playing = true;
            round.ticks_left = ticks(ROUND_TENTHS);
            for (kind, score, position) in runners.iter() {
                let n = match *kind {
                    Kind::Player { client } => client,
                    Kind::Bot { number } => 1000 + number,
                    _ => continue,
                };
                score.0 = 0;
                position.0 = spawn_point(n);
            }
        }
    }
    let clock = round.clock();
    for shown in clocks.iter() {
        *shown = clock;
    }
}

/// Spawns the shards, the round's entity and `bots` bots into a server's `world`.
pub fn populate(
    world: &mut World,
    rng: &mut GameRng,
    obstacles: &[Obstacle],
    bots: u32,
    round: Round,
) {
    for _ in 0..SHARD_COUNT {
        let at = rng.shard_place(obstacles);
        let golden = rng.golden();
        world.spawn((
            Replicated,
            Position(at),
            Rotation(Quat::IDENTITY),
            Kind::Shard { golden },
        ));
    }
    world.spawn((Replicated, Kind::Round, round.clock()));
    for number in 1..=bots.min(MAX_BOTS - 1) {
        let dash_range = 3.0 + rng.0.random_range(0.0..4.0);
        world.spawn(runner(
            Kind::Bot { number },
            1000 + number,
            Bot { dash_range },
        ));
    }
}

/// Stops the app once `seconds` of its time have passed.
pub fn exit_after(seconds: f64) -> System {
    (move |time: Res<Time>, mut exit: EventWriter<AppExit>| {
        if time.elapsed_seconds() >= seconds {
            exit.send(AppExit);
        }
    })
    .named("shard_run_exit_after")
}

/// Sets `state`'s actions as a player holding `stick` (and the dash button) would.
pub fn set_input(state: &mut ActionState<Run>, stick: Vec2, dash: bool) {
    state.set(
        Run::Move,
        ActionValue {
            value: stick,
            pressed: stick != Vec2::ZERO,
            just_pressed: false,
            just_released: false,
        },
    );
    state.set(
        Run::Dash,
        ActionValue {
            value: Vec2::new(f32::from(u8::from(dash)), 0.0),
            pressed: dash,
            just_pressed: false,
            just_released: false,
        },
    );
}

/// A runner's place on the floor.
pub fn floor_of(position: Vec3) -> Vec2 {
    Vec2::new(position.x, position.z)
}

/// A connect token for `client_id` signed with `key`, valid for [`TOKEN_SECONDS`] from now.
#[cfg(not(target_arch = "wasm32"))]
pub fn token(key: &ServerKey, client_id: u64) -> Result<Vec<u8>, layerw::net::token::KeyError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    layerw::net::token::issue_token(key, PROTOCOL, GAME, client_id, TOKEN_SECONDS, now)
}
