//! The fuzz targets' seed corpus (net/fuzz/corpus/<target>/seed-*): valid inputs of every
//! target, made with the crate's own encoders and the fuzz crate's fixtures (included from
//! net/fuzz/src/lib.rs). The test checks that each seed is accepted by its target's decoder and
//! that the committed files equal what the encoders make now, so a wire format change that leaves
//! the seeds stale fails here. `LAYERW_UPDATE_FUZZ_SEEDS=1` (or `scripts/fuzz.sh --seeds`)
//! rewrites them.

use std::path::{Path, PathBuf};

use glam::{Quat, Vec2, Vec3};
use layerw_components::{Position, Rotation};
use layerw_engine::platform::{ActionState, ActionValue};
use layerw_net::bits::{BitReader, BitWriter};
use layerw_net::input::{decode_input, encode_input};
use layerw_net::limits::Limits;
use layerw_net::message::{ClientMessage, DisconnectReason, ServerMessage};
use layerw_net::replication::{ComponentCodec, NetId, View, Words, encode_view};
use layerw_net::token::{ConnectToken, TokenError, token_to_text};

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code, reason = "the fuzz targets use the rest")]
mod fixtures;

use fixtures::{
    Codecs, GAME, NOW, PROTOCOL, Pad, TARGETS, Team, baseline, decode_view_checked, key,
};

#[test]
fn fuzz_seeds_are_valid_and_match_the_committed_corpus() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let update = std::env::var_os("LAYERW_UPDATE_FUZZ_SEEDS").is_some();
    let seeds = seeds();
    for target in TARGETS {
        assert!(
            seeds.iter().any(|(t, _, _)| t == target),
            "no seed for target {target}"
        );
    }
    let mut stale = Vec::new();
    for (target, name, bytes) in &seeds {
        assert!(TARGETS.contains(target), "seed for unknown target {target}");
        accepts(target, bytes).unwrap_or_else(|e| panic!("seed {target}/{name} refused: {e}"));
        let path = dir.join(target).join(format!("seed-{name}"));
        if update {
            write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        } else if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "fuzz seeds differ from the encoders (rewrite them with `bash scripts/fuzz.sh --seeds`): {stale:?}"
    );
}

/// Whether `bytes` decode without an error in `target`'s decoder (as the target reads them).
fn accepts(target: &str, bytes: &[u8]) -> Result<(), String> {
    let limits = Limits::default();
    let codecs = Codecs::new();
    let list = codecs.list();
    let err = |e: &dyn std::fmt::Display| e.to_string();
    match target {
        "client_message" => ClientMessage::decode(bytes, &limits)
            .map(drop)
            .map_err(|e| err(&e)),
        "server_message" => ServerMessage::decode(bytes, &limits)
            .map(drop)
            .map_err(|e| err(&e)),
        "connect_token" => {
            if bytes.len() == 45 {
                return Ok(()); // the fields the target signs itself
            }
            let bytes = match std::str::from_utf8(bytes) {
                Ok(text) if bytes.len() != 80 => {
                    layerw_net::token::token_from_text(text).map_err(|e| err(&e))?
                }
                _ => bytes.to_vec(),
            };
            // Expired and wrong-game seeds carry a valid signature: past it is enough.
            match ConnectToken::verify(&bytes, &key(), NOW, PROTOCOL, GAME) {
                Err(TokenError::Malformed { .. } | TokenError::BadSignature) => {
                    Err("not a signed token".to_owned())
                }
                _ => Ok(()),
            }
        }
        "view" => decode_view_checked(&baseline(&codecs), bytes, &list)
            .or_else(|_| decode_view_checked(&View::new(3), bytes, &list))
            .map(drop)
            .map_err(|e| err(&e)),
        "view_any_baseline" => {
            let (&n, rest) = bytes.split_first().ok_or("empty")?;
            let (first, second) = rest.split_at(usize::from(n).min(rest.len()));
            let base = decode_view_checked(&View::new(3), first, &list).map_err(|e| err(&e))?;
            decode_view_checked(&base, second, &list)
                .map(drop)
                .map_err(|e| err(&e))
        }
        "snapshot" => match ServerMessage::decode(bytes, &limits).map_err(|e| err(&e))? {
            ServerMessage::Snapshot {
                baseline: against,
                payload,
                ..
            } => {
                let empty = View::new(3);
                let base = baseline(&codecs);
                let mut reader = BitReader::new(&payload);
                if reader.read_bool().map_err(|e| err(&e))? {
                    reader.read_varint_u32(u32::MAX).map_err(|e| err(&e))?;
                }
                let mut view = View::new(3);
                let against = if against.is_some() { &base } else { &empty };
                layerw_net::replication::decode_view(against, &mut reader, &list, &mut view)
                    .map_err(|e| err(&e))
            }
            other => Err(format!("not a snapshot: {other:?}")),
        },
        "input" => decode_input(bytes, &ActionState::<Pad>::default())
            .map(drop)
            .map_err(|e| err(&e)),
        "bit_reader" => Ok(()), // any bytes are a script; the seed is checked where it is made
        _ => Err(format!("unknown target {target}")),
    }
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().expect("a seed path has a parent"))?;
    std::fs::write(path, bytes)
}

type Seed = (&'static str, String, Vec<u8>);

fn seeds() -> Vec<Seed> {
    let mut out = Vec::new();
    client_messages(&mut out);
    server_messages(&mut out);
    tokens(&mut out);
    views(&mut out);
    inputs(&mut out);
    bit_scripts(&mut out);
    out
}

fn token(expires_at: u64, game: u64) -> ConnectToken {
    ConnectToken {
        protocol: PROTOCOL,
        game,
        client_id: 12,
        expires_at,
        nonce: [9; 16],
    }
}

fn encoded_input(move_: Vec2, jump: bool) -> Vec<u8> {
    let mut state = ActionState::<Pad>::default();
    state.set(
        Pad::Move,
        ActionValue {
            value: move_,
            pressed: move_ != Vec2::ZERO,
            ..ActionValue::default()
        },
    );
    state.set(
        Pad::Jump,
        ActionValue {
            value: Vec2::new(f32::from(u8::from(jump)), 0.0),
            pressed: jump,
            ..ActionValue::default()
        },
    );
    let mut out = Vec::new();
    encode_input(&state, &mut out);
    // A seed must be what the target accepts.
    decode_input(&out, &ActionState::<Pad>::default()).expect("a seed input decodes");
    out
}

fn client_messages(out: &mut Vec<Seed>) {
    let messages = [
        (
            "hello",
            ClientMessage::Hello {
                protocol: PROTOCOL,
                game: GAME,
                token: token(NOW + 60, GAME).sign(&key()),
            },
        ),
        (
            "input",
            ClientMessage::Input {
                ack: Some(41),
                first_tick: 40,
                inputs: vec![
                    encoded_input(Vec2::new(1.0, 0.0), false),
                    encoded_input(Vec2::new(0.7, -0.7), true),
                    encoded_input(Vec2::ZERO, false),
                ],
            },
        ),
        (
            "input-no-ack",
            ClientMessage::Input {
                ack: None,
                first_tick: 0,
                inputs: vec![encoded_input(Vec2::ZERO, true)],
            },
        ),
        ("ping", ClientMessage::Ping { client_time: 12.5 }),
        ("disconnect", ClientMessage::Disconnect),
    ];
    for (name, message) in messages {
        let mut bytes = Vec::new();
        message.encode(&mut bytes);
        out.push(("client_message", name.to_owned(), bytes));
    }
}

fn server_messages(out: &mut Vec<Seed>) {
    let mut messages = vec![
        (
            "welcome",
            ServerMessage::Welcome {
                client_id: 12,
                tick: 1000,
                tick_rate: 30,
                resumed: true,
            },
        ),
        (
            "snapshot",
            ServerMessage::Snapshot {
                tick: 1001,
                baseline: Some(999),
                input_ack: Some(1000),
                payload: vec![0x5a, 0x01, 0xff],
            },
        ),
        (
            "pong",
            ServerMessage::Pong {
                client_time: 3.25,
                server_tick: 77,
            },
        ),
    ];
    let reasons = [
        ("full", DisconnectReason::ServerFull),
        (
            "token-malformed",
            DisconnectReason::BadToken(TokenError::Malformed {
                size: 3,
                expected: 80,
            }),
        ),
        (
            "token-expired",
            DisconnectReason::BadToken(TokenError::Expired {
                expired_at: 5,
                now: 9,
            }),
        ),
        (
            "token-game",
            DisconnectReason::BadToken(TokenError::WrongGame {
                expected: 1,
                found: 2,
            }),
        ),
        (
            "version",
            DisconnectReason::WrongVersion {
                expected: 7,
                found: 6,
            },
        ),
        (
            "too-large",
            DisconnectReason::MessageTooLarge {
                size: 70_000,
                max: 65_536,
            },
        ),
        (
            "lost",
            DisconnectReason::ConnectionLost {
                detail: "reset by peer é".to_owned(),
            },
        ),
    ];
    for (name, reason) in reasons {
        let message = if name.starts_with("token") || name == "version" {
            ServerMessage::Reject { reason }
        } else {
            ServerMessage::Disconnect { reason }
        };
        messages.push((name, message));
    }
    for (name, message) in messages {
        let mut bytes = Vec::new();
        message.encode(&mut bytes);
        out.push(("server_message", name.to_owned(), bytes));
    }
}

fn tokens(out: &mut Vec<Seed>) {
    let key = key();
    let valid = token(NOW + 60, GAME).sign(&key);
    out.push(("connect_token", "valid".to_owned(), valid.clone()));
    out.push((
        "connect_token",
        "valid-hex".to_owned(),
        token_to_text(&valid).into_bytes(),
    ));
    out.push((
        "connect_token",
        "expired".to_owned(),
        token(NOW, GAME).sign(&key),
    ));
    out.push((
        "connect_token",
        "wrong-game".to_owned(),
        token(NOW + 60, 1).sign(&key),
    ));
    // The fields the target signs itself (protocol, game, client id, expiry, nonce), then the
    // byte that picks a bit to flip.
    let t = token(NOW + 60, GAME);
    let mut fields = Vec::new();
    fields.extend_from_slice(&t.protocol.to_le_bytes());
    fields.extend_from_slice(&t.game.to_le_bytes());
    fields.extend_from_slice(&t.client_id.to_le_bytes());
    fields.extend_from_slice(&t.expires_at.to_le_bytes());
    fields.extend_from_slice(&t.nonce);
    fields.push(200);
    out.push(("connect_token", "fields".to_owned(), fields));
}

/// `base` with entity 1 moved, 4 gone, 5 given a team, 9 new (with every component).
fn evolved(codecs: &Codecs, base: &View) -> View {
    let mut next = View::new(3);
    let position = |v: Vec3| ComponentCodec::<Position>::quantize(&codecs.position, &Position(v));
    let none: Words = [0; 4];
    for e in base.iter() {
        match e.id.0 {
            1 => next.push(
                e.id,
                e.present,
                &[position(Vec3::new(-49.5, 0.0, 98.0)), none, none],
            ),
            4 => {}
            5 => {
                let team = ComponentCodec::<Team>::quantize(&codecs.team, &Team(3));
                next.push(e.id, 0b100, &[none, none, team]);
            }
            _ => next.push(e.id, e.present, e.words),
        }
        if e.id.0 == 5 {
            let rotation = ComponentCodec::<Rotation>::quantize(
                &codecs.rotation,
                &Rotation(Quat::from_rotation_x(1.0)),
            );
            let team = ComponentCodec::<Team>::quantize(&codecs.team, &Team(2));
            next.push(
                NetId(9),
                0b111,
                &[position(Vec3::splat(3.0)), rotation, team],
            );
        }
    }
    next
}

fn payload(codecs: &Codecs, from: &View, to: &View) -> Vec<u8> {
    let mut writer = BitWriter::new();
    let mut to = to.clone();
    to.set_tick(from.tick().wrapping_add(1));
    encode_view(from, &mut to, &codecs.list(), &mut writer);
    writer.into_bytes()
}

fn views(out: &mut Vec<Seed>) {
    let codecs = Codecs::new();
    let base = baseline(&codecs);
    let next = evolved(&codecs, &base);
    let empty = View::new(3);
    out.push(("view", "delta".to_owned(), payload(&codecs, &base, &next)));
    out.push((
        "view",
        "unchanged".to_owned(),
        payload(&codecs, &base, &base),
    ));
    out.push((
        "view",
        "all-removed".to_owned(),
        payload(&codecs, &base, &empty),
    ));
    out.push(("view", "full".to_owned(), payload(&codecs, &empty, &next)));

    // view_any_baseline: [n], a full payload of n bytes, then a delta against it.
    let full = payload(&codecs, &empty, &base);
    let mut both = vec![u8::try_from(full.len()).expect("a small baseline")];
    both.extend_from_slice(&full);
    both.extend_from_slice(&payload(&codecs, &base, &next));
    out.push(("view_any_baseline", "delta".to_owned(), both));

    // snapshot: whole Snapshot messages, the payload starting with the controlled entity.
    for (name, against, controlled) in [
        ("delta", Some(&base), Some(9)),
        ("full", None, Some(300)),
        ("spectator", None, None),
    ] {
        let mut writer = BitWriter::new();
        writer.write_bool(controlled.is_some());
        if let Some(id) = controlled {
            writer.write_varint_u32(id);
        }
        let reference = against.unwrap_or(&empty);
        let mut next = next.clone();
        next.set_tick(reference.tick().wrapping_add(1));
        encode_view(reference, &mut next, &codecs.list(), &mut writer);
        let message = ServerMessage::Snapshot {
            tick: 50,
            baseline: against.map(|_| 48),
            input_ack: Some(49),
            payload: writer.into_bytes(),
        };
        let mut bytes = Vec::new();
        message.encode(&mut bytes);
        out.push(("snapshot", name.to_owned(), bytes));
    }
}

fn inputs(out: &mut Vec<Seed>) {
    out.push(("input", "idle".to_owned(), encoded_input(Vec2::ZERO, false)));
    out.push((
        "input",
        "move".to_owned(),
        encoded_input(Vec2::new(0.5, 1.0), false),
    ));
    out.push((
        "input",
        "move-jump".to_owned(),
        encoded_input(Vec2::new(-1.0, 0.25), true),
    ));
}

fn bit_scripts(out: &mut Vec<Seed>) {
    // Ops: low 3 bits the kind (0-1 varint u32, 2-3 varint u64, 4 bits, 5 bits with a maximum,
    // 6 bool, 7 finish), high 5 bits the width or limit.
    let script = [0u8, 2, 4 | (16 << 3), 6, 5 | (8 << 3), 1 | (4 << 3), 3, 7];
    let mut writer = BitWriter::new();
    writer.write_varint_u32(300);
    writer.write_varint_u64(u64::MAX);
    writer.write_bits(0xbeef_cafe, 32);
    writer.write_bool(true);
    writer.write_bits(0x1234, 16);
    writer.write_varint_u32(1 << 20);
    writer.write_varint_u64(0);
    let data = writer.into_bytes();
    // A seed must read through without an error.
    let mut reader = BitReader::new(&data);
    reader.read_varint_u32(u32::MAX).expect("seed varint");
    let mut seed = vec![u8::try_from(script.len()).expect("a short script")];
    seed.extend_from_slice(&script);
    seed.extend_from_slice(&data);
    out.push(("bit_reader", "mixed".to_owned(), seed));
}
