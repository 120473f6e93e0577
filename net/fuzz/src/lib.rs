//! Fixtures shared by the fuzz targets and the seed corpus generator (net/tests/fuzz_seeds.rs,
//! which includes this file): the key, codecs, baseline view and test action every target
//! decodes with, so the seeds are valid inputs of exactly what the targets decode.
//!
//! Each target is a `fuzz_targets/<name>.rs`; [`TARGETS`] lists them.

use glam::{Quat, Vec3};
use layerw_components::{Position, Rotation};
use layerw_engine::platform::Action;
use layerw_net::bits::{BitReader, BitWriter};
use layerw_net::codec::{PositionCodec, RotationCodec};
use layerw_net::replication::{
    ComponentCodec, IntCodec, NetId, View, ViewError, WordCodec, Words, decode_view, encode_view,
};
use layerw_net::token::ServerKey;

/// Every fuzz target, as named in Cargo.toml and under `corpus/`.
pub const TARGETS: &[&str] = &[
    "client_message",
    "server_message",
    "connect_token",
    "view",
    "view_any_baseline",
    "snapshot",
    "input",
    "bit_reader",
];

/// The protocol version tokens are checked against.
pub const PROTOCOL: u32 = 7;
/// The game tokens are checked against.
pub const GAME: u64 = 0x5EED;
/// The unix time tokens are checked at.
pub const NOW: u64 = 1_800_000_000;

/// The server key tokens are checked with.
pub fn key() -> ServerKey {
    ServerKey::from_bytes([42; 32])
}

/// A small replicated component sent with an [`IntCodec`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Team(pub u32);

/// The replicated component codecs, in wire order: position, rotation, team (as
/// net/tests/view.rs builds them).
pub struct Codecs {
    /// Slot 0.
    pub position: PositionCodec,
    /// Slot 1.
    pub rotation: RotationCodec,
    /// Slot 2.
    pub team: IntCodec<Team>,
}

impl Codecs {
    /// The fixed codecs.
    pub fn new() -> Self {
        Codecs {
            position: PositionCodec::new(Vec3::splat(-100.0), Vec3::splat(100.0), 0.01)
                .expect("valid position codec"),
            rotation: RotationCodec::new(10).expect("valid rotation codec"),
            team: IntCodec::new(3, |t: &Team| t.0, Team).expect("valid int codec"),
        }
    }

    /// The codecs as the replication layer takes them.
    pub fn list(&self) -> Vec<&dyn WordCodec> {
        vec![&self.position, &self.rotation, &self.team]
    }

    /// Turns every present component of `view` back into its value, as the client does when it
    /// applies a snapshot; a panic here is a bug the fuzzer reports.
    pub fn dequantize_all(&self, view: &View) {
        for e in view.iter() {
            if let Some(w) = e.component(0) {
                let p: Position = ComponentCodec::dequantize(&self.position, w);
                assert!(p.0.is_finite(), "position {:?} from {w:?}", p.0);
            }
            if let Some(w) = e.component(1) {
                let r: Rotation = ComponentCodec::dequantize(&self.rotation, w);
                assert!(r.0.is_finite(), "rotation {:?} from {w:?}", r.0);
            }
            if let Some(w) = e.component(2) {
                let _: Team = ComponentCodec::dequantize(&self.team, w);
            }
        }
    }
}

impl Default for Codecs {
    fn default() -> Self {
        Codecs::new()
    }
}

/// The fixed baseline the `view` and `snapshot` targets decode against: a few entities with
/// every mix of components, ids with gaps.
pub fn baseline(codecs: &Codecs) -> View {
    let mut view = View::new(3);
    let position = |x: f32, z: f32| {
        ComponentCodec::<Position>::quantize(&codecs.position, &Position(Vec3::new(x, 0.5, z)))
    };
    let rotation = |angle: f32| {
        ComponentCodec::<Rotation>::quantize(
            &codecs.rotation,
            &Rotation(Quat::from_rotation_y(angle)),
        )
    };
    let team = |t: u32| ComponentCodec::<Team>::quantize(&codecs.team, &Team(t));
    let none: Words = [0; 4];
    view.push(
        NetId(0),
        0b111,
        &[position(1.0, 2.0), rotation(0.3), team(1)],
    );
    view.push(NetId(1), 0b001, &[position(-50.0, 99.0), none, none]);
    view.push(NetId(4), 0b110, &[none, rotation(-2.0), team(7)]);
    view.push(NetId(5), 0b000, &[none, none, none]);
    view.push(NetId(300), 0b101, &[position(0.0, 0.0), none, team(0)]);
    view
}

/// Decodes `payload` against `baseline`; on success re-encodes the result against the same
/// baseline and checks that it decodes back to the same view (the decoder only produces views
/// the encoder can send).
pub fn decode_view_checked(
    baseline: &View,
    payload: &[u8],
    codecs: &[&dyn WordCodec],
) -> Result<View, ViewError> {
    let mut view = View::new(codecs.len());
    view.set_tick(baseline.tick().wrapping_add(1));
    decode_view(baseline, &mut BitReader::new(payload), codecs, &mut view)?;
    let mut writer = BitWriter::new();
    let mut resent = view.clone();
    encode_view(baseline, &mut resent, codecs, &mut writer);
    let again_bytes = writer.finish().to_vec();
    let mut again = View::new(codecs.len());
    again.set_tick(view.tick());
    decode_view(
        baseline,
        &mut BitReader::new(&again_bytes),
        codecs,
        &mut again,
    )
    .unwrap_or_else(|e| panic!("a decoded view re-encoded does not decode: {e}"));
    assert_eq!(again, view, "a decoded view re-encoded decodes differently");
    Ok(view)
}

/// The actions of the `input` target's inputs.
#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pad {
    /// A 2D stick.
    Move,
    /// A button.
    Jump,
    /// A 1D trigger.
    Throttle,
}
