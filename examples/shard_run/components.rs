//! The game's data: its actions, the replicated components the server and every client share,
//! and the numbers that make the rules (plain data only; the systems are in `systems.rs`).

use layerw::net::codec::{PositionCodec, RotationCodec};
use layerw::net::replication::IntCodec;
use layerw::prelude::*;

/// The protocol version clients and tokens must name.
pub const PROTOCOL: u32 = 1;
/// The game id clients and tokens must name.
pub const GAME: u64 = 0x5_4A2D;
/// The arena is the square from -ARENA_HALF to ARENA_HALF on x and z, metres.
pub const ARENA_HALF: f32 = 28.0;
/// Running speed, metres per second.
pub const SPEED: f32 = 6.0;
/// A dash's speed, metres per second, for [`DASH_TICKS`] ticks.
pub const DASH_SPEED: f32 = 16.0;
/// How many ticks a dash lasts.
pub const DASH_TICKS: u8 = 6;
/// Ticks from the start of a dash until the next one may start (two seconds).
pub const DASH_COOLDOWN: u8 = 60;
/// A runner's radius on the floor, metres (obstacles push it out by this much).
pub const RUNNER_RADIUS: f32 = 0.4;
/// A shard's height above the floor, metres.
pub const SHARD_HEIGHT: f32 = 0.8;
/// Bits of a replicated [`Kind`].
const KIND_BITS: u32 = 20;
/// The first [`Kind`] code of a player (codes below are shards, the round and bots).
const FIRST_PLAYER_CODE: u32 = 3 + MAX_BOTS;
/// Bots a server may run.
pub const MAX_BOTS: u32 = 64;

/// What a runner does.
#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Run {
    /// Run on the floor (a 2D axis: x right, y forward).
    Move,
    /// A short burst of speed.
    Dash,
}

/// The default bindings: WASD, the arrow keys or the left stick to run; Space, Shift or the
/// pad's South button to dash.
pub fn bindings() -> ActionMap<Run> {
    ActionMap::new()
        .with(Run::Move, Binding::WASD)
        .with(Run::Move, Binding::ARROWS)
        .with(Run::Move, Binding::Stick(Stick::Left))
        .with(Run::Dash, Binding::Key(KeyCode::Space))
        .with(Run::Dash, Binding::Key(KeyCode::ShiftLeft))
        .with(Run::Dash, Binding::GamepadButton(GamepadButton::South))
}

/// What a replicated entity is (clients draw and label by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Something to pick up.
    Shard {
        /// Worth [`GOLDEN_POINTS`] instead of one.
        golden: bool,
    },
    /// The round's clock (one entity, no position: every client hears it).
    Round,
    /// A runner the server steers.
    Bot {
        /// 1 for the first bot.
        number: u32,
    },
    /// The runner of a client.
    Player {
        /// The client id from its connect token.
        client: u32,
    },
}

impl Kind {
    /// The wire code: 0 and 1 shards, 2 the round, then bots, then players.
    fn encode(kind: &Kind) -> u32 {
        match *kind {
            Kind::Shard { golden } => u32::from(golden),
            Kind::Round => 2,
            Kind::Bot { number } => 3 + number.min(MAX_BOTS - 1),
            Kind::Player { client } => FIRST_PLAYER_CODE.saturating_add(client),
        }
    }

    /// The inverse of `encode`, total: every code means something.
    fn decode(code: u32) -> Kind {
        match code {
            0 | 1 => Kind::Shard { golden: code == 1 },
            2 => Kind::Round,
            n if n < FIRST_PLAYER_CODE => Kind::Bot { number: n - 3 },
            n => Kind::Player {
                client: n - FIRST_PLAYER_CODE,
            },
        }
    }

    /// Whether it runs (a player or a bot).
    pub fn is_runner(&self) -> bool {
        matches!(self, Kind::Bot { .. } | Kind::Player { .. })
    }

    /// The name the score board shows.
    pub fn name(&self) -> String {
        match *self {
            Kind::Bot { number } => format!("Bot {number}"),
            Kind::Player { client } => format!("Player {client}"),
            Kind::Shard { .. } | Kind::Round => String::new(),
        }
    }
}

/// A runner's points this round (replicated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score(pub u32);

/// A runner's dash: ticks left of the current one and of the cooldown (replicated, so the
/// client's prediction replays dashes as the server ran them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dash {
    /// Ticks of dashing left.
    pub active: u8,
    /// Ticks until the next dash may start.
    pub cooldown: u8,
}

impl Dash {
    fn encode(dash: &Dash) -> u32 {
        u32::from(dash.active) << 8 | u32::from(dash.cooldown)
    }

    fn decode(bits: u32) -> Dash {
        Dash {
            active: (bits >> 8) as u8,
            cooldown: bits as u8,
        }
    }
}

/// The round's clock on the round entity (replicated): tenths of a second left of the round,
/// or of the pause after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundClock {
    /// Running: shards score.
    Playing {
        /// Tenths of a second left.
        tenths: u16,
    },
    /// Between rounds: scores stand still and the board shows the winner.
    Intermission {
        /// Tenths of a second left.
        tenths: u16,
    },
}

impl RoundClock {
    fn encode(clock: &RoundClock) -> u32 {
        match *clock {
            RoundClock::Playing { tenths } => u32::from(tenths),
            RoundClock::Intermission { tenths } => 1 << 16 | u32::from(tenths),
        }
    }

    fn decode(bits: u32) -> RoundClock {
        let tenths = bits as u16;
        if bits >> 16 & 1 == 1 {
            RoundClock::Intermission { tenths }
        } else {
            RoundClock::Playing { tenths }
        }
    }

    /// Whole seconds left (rounded up), of the round or of the pause.
    pub fn seconds_left(&self) -> u32 {
        let (RoundClock::Playing { tenths } | RoundClock::Intermission { tenths }) = *self;
        u32::from(tenths).div_ceil(10)
    }
}

/// What travels, in wire order: the same registrations on the server and every client.
pub fn replication() -> Replication {
    let min = Vec3::new(-ARENA_HALF - 1.0, -1.0, -ARENA_HALF - 1.0);
    let max = Vec3::new(ARENA_HALF + 1.0, 3.0, ARENA_HALF + 1.0);
    Replication::new()
        .with::<Position>(PositionCodec::new(min, max, 0.001).expect("a valid range"))
        .with::<Rotation>(RotationCodec::new(12).expect("12 bits are valid"))
        .with::<Kind>(IntCodec::new(KIND_BITS, Kind::encode, Kind::decode).expect("1..=32"))
        .with::<Score>(IntCodec::new(16, |s: &Score| s.0, Score).expect("1..=32"))
        .with::<Dash>(IntCodec::new(16, Dash::encode, Dash::decode).expect("1..=32"))
        .with::<RoundClock>(
            IntCodec::new(17, RoundClock::encode, RoundClock::decode).expect("1..=32"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_codes_round_trip() {
        for kind in [
            Kind::Shard { golden: false },
            Kind::Shard { golden: true },
            Kind::Round,
            Kind::Bot { number: 1 },
            Kind::Bot { number: 63 },
            Kind::Player { client: 0 },
            Kind::Player { client: 12345 },
        ] {
            assert_eq!(Kind::decode(Kind::encode(&kind)), kind);
        }
        let dash = Dash {
            active: 3,
            cooldown: 57,
        };
        assert_eq!(Dash::decode(Dash::encode(&dash)), dash);
        for clock in [
            RoundClock::Playing { tenths: 599 },
            RoundClock::Intermission { tenths: 12 },
        ] {
            assert_eq!(RoundClock::decode(RoundClock::encode(&clock)), clock);
        }
        assert_eq!(RoundClock::Playing { tenths: 11 }.seconds_left(), 2);
    }
}
