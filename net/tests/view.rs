//! Snapshot payloads: a view delta-encoded against a baseline decodes back to exactly the same
//! view, on random worlds; hostile payloads are errors, never panics.

use glam::Vec3;
use layerw_components::{Position, Rotation};
use layerw_net::bits::{BitReader, BitWriter};
use layerw_net::codec::{PositionCodec, RotationCodec};
use layerw_net::replication::{
    ComponentCodec, IntCodec, NetId, View, ViewError, WordCodec, Words, decode_view, encode_view,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

#[derive(Clone, Copy, Debug, PartialEq)]
struct Team(u32);

struct Codecs {
    position: PositionCodec,
    rotation: RotationCodec,
    team: IntCodec<Team>,
}

impl Codecs {
    fn new() -> Self {
        Codecs {
            position: PositionCodec::new(Vec3::splat(-100.0), Vec3::splat(100.0), 0.01).unwrap(),
            rotation: RotationCodec::new(10).unwrap(),
            team: IntCodec::new(3, |t: &Team| t.0, Team).unwrap(),
        }
    }

    fn list(&self) -> Vec<&dyn WordCodec> {
        vec![&self.position, &self.rotation, &self.team]
    }

    fn random_words(&self, rng: &mut SmallRng, k: usize) -> Words {
        match k {
            0 => ComponentCodec::<Position>::quantize(
                &self.position,
                &Position(Vec3::new(
                    rng.random_range(-120.0..120.0),
                    rng.random_range(-5.0..5.0),
                    rng.random_range(-120.0..120.0),
                )),
            ),
            1 => {
                let q = glam::Quat::from_euler(
                    glam::EulerRot::XYZ,
                    rng.random_range(-3.0..3.0),
                    rng.random_range(-3.0..3.0),
                    rng.random_range(-3.0..3.0),
                );
                ComponentCodec::<Rotation>::quantize(&self.rotation, &Rotation(q))
            }
            _ => ComponentCodec::<Team>::quantize(&self.team, &Team(rng.random_range(0..8))),
        }
    }
}

fn random_view(codecs: &Codecs, rng: &mut SmallRng, max_id: u32, density: f64) -> View {
    let mut view = View::new(3);
    for id in 0..max_id {
        if !rng.random_bool(density) {
            continue;
        }
        let present: u32 = rng.random_range(0..8);
        let words: Vec<Words> = (0..3)
            .map(|k| {
                if present & (1 << k) != 0 {
                    codecs.random_words(rng, k)
                } else {
                    [0; 4]
                }
            })
            .collect();
        view.push(NetId(id), present, &words);
    }
    view
}

/// A view derived from `base`: some entities gone, some moved, some new.
fn evolve(codecs: &Codecs, rng: &mut SmallRng, base: &View, max_id: u32) -> View {
    let mut next = View::new(3);
    let mut b = 0;
    for id in 0..max_id {
        let in_base = b < base.len() && base.get(b).id.0 == id;
        if in_base {
            let e = base.get(b);
            b += 1;
            match rng.random_range(0..10) {
                0 => continue, // removed
                1..=4 => {
                    next.push(e.id, e.present, e.words);
                    continue;
                }
                _ => {
                    let mut words = e.words.to_vec();
                    let mut present = e.present;
                    if rng.random_bool(0.1) {
                        present ^= 1 << rng.random_range(0..3);
                    }
                    for (k, w) in words.iter_mut().enumerate() {
                        if present & (1 << k) == 0 {
                            *w = [0; 4];
                        } else if rng.random_bool(0.7) || e.present & (1 << k) == 0 {
                            *w = codecs.random_words(rng, k);
                        }
                    }
                    next.push(e.id, present, &words);
                }
            }
        } else if rng.random_bool(0.05) {
            let present = rng.random_range(0..8);
            let words: Vec<Words> = (0..3)
                .map(|k| {
                    if present & (1 << k) != 0 {
                        codecs.random_words(rng, k)
                    } else {
                        [0; 4]
                    }
                })
                .collect();
            next.push(NetId(id), present, &words);
        }
    }
    next
}

#[test]
fn delta_then_decode_equals_the_full_state_on_random_worlds() {
    let codecs = Codecs::new();
    let list = codecs.list();
    let mut rng = SmallRng::seed_from_u64(7);
    for case in 0..300 {
        let max_id = rng.random_range(1..400);
        let baseline = if case % 5 == 0 {
            View::new(3)
        } else {
            let density = rng.random_range(0.0..1.0);
            random_view(&codecs, &mut rng, max_id, density)
        };
        let mut next = evolve(&codecs, &mut rng, &baseline, max_id + 50);
        let mut writer = BitWriter::new();
        encode_view(&baseline, &mut next, &list, &mut writer);
        let bytes = writer.finish().to_vec();
        let mut decoded = View::new(3);
        decode_view(&baseline, &mut BitReader::new(&bytes), &list, &mut decoded)
            .unwrap_or_else(|e| panic!("case {case}: {e}"));
        assert_eq!(decoded, next, "case {case}");
        // Decoding against a full snapshot of the same state gives the same view too.
        let mut writer = BitWriter::new();
        encode_view(&View::new(3), &mut next, &list, &mut writer);
        let full = writer.finish().to_vec();
        let mut again = View::new(3);
        decode_view(&View::new(3), &mut BitReader::new(&full), &list, &mut again).unwrap();
        assert_eq!(again, next, "case {case} (full)");
        assert!(
            bytes.len() <= full.len() + 2 + baseline.len() / 4,
            "case {case}"
        );
    }
}

#[test]
fn an_unchanged_world_costs_two_bits() {
    let codecs = Codecs::new();
    let list = codecs.list();
    let mut rng = SmallRng::seed_from_u64(1);
    let view = random_view(&codecs, &mut rng, 1000, 0.9);
    let mut next = view.clone();
    let mut writer = BitWriter::new();
    encode_view(&view, &mut next, &list, &mut writer);
    assert_eq!(writer.bit_len(), 2);
    assert_eq!(next, view, "unchanged entities keep their history");
}

#[test]
fn hostile_payloads_are_errors_never_panics() {
    let codecs = Codecs::new();
    let list = codecs.list();
    let mut rng = SmallRng::seed_from_u64(99);
    let baseline = random_view(&codecs, &mut rng, 200, 0.5);
    let mut next = evolve(&codecs, &mut rng, &baseline, 250);
    let mut writer = BitWriter::new();
    encode_view(&baseline, &mut next, &list, &mut writer);
    let good = writer.finish().to_vec();
    let mut out = View::new(3);
    // Every truncation fails (or, where the cut only drops padding, decodes the same view).
    for cut in 0..good.len() {
        if let Ok(()) = decode_view(
            &baseline,
            &mut BitReader::new(&good[..cut]),
            &list,
            &mut out,
        ) {
            assert_eq!(out, next);
        }
    }
    // Random bytes and mutations never panic.
    for i in 0..20_000 {
        let bytes: Vec<u8> = if i % 2 == 0 {
            (0..rng.random_range(0..64)).map(|_| rng.random()).collect()
        } else {
            let mut b = good.clone();
            let at = rng.random_range(0..b.len());
            b[at] ^= 1 << rng.random_range(0..8);
            b
        };
        let _ = decode_view(&baseline, &mut BitReader::new(&bytes), &list, &mut out);
    }
    // A count far beyond the payload is refused before anything is allocated.
    let mut writer = BitWriter::new();
    writer.write_bits(0, 30);
    writer.write_bits((1 << 30) | 5, 31);
    let bytes = writer.finish().to_vec();
    let result = decode_view(&View::new(3), &mut BitReader::new(&bytes), &list, &mut out);
    assert!(
        matches!(result, Err(ViewError::TooManyEntities { .. })),
        "{result:?}"
    );
}

/// A moving entity of the sequence test: a position with a velocity that changes now and
/// then, a spin, and a team that changes rarely.
struct Mover {
    id: u32,
    position: Vec3,
    velocity: Vec3,
    angle: f32,
    spin: f32,
    team: u32,
    present: u32,
}

fn mover_view(codecs: &Codecs, movers: &[Mover], tick: u32) -> View {
    let mut view = View::new(3);
    view.set_tick(tick);
    for m in movers {
        let rotation = Rotation(glam::Quat::from_rotation_y(m.angle));
        let all = [
            ComponentCodec::<Position>::quantize(&codecs.position, &Position(m.position)),
            ComponentCodec::<Rotation>::quantize(&codecs.rotation, &rotation),
            ComponentCodec::<Team>::quantize(&codecs.team, &Team(m.team)),
        ];
        let words: Vec<Words> = (0..3)
            .map(|k| {
                if m.present & (1 << k) != 0 {
                    all[k]
                } else {
                    [0; 4]
                }
            })
            .collect();
        view.push(NetId(m.id), m.present, &words);
    }
    view
}

/// The same entities and words with no history: what a baseline without prediction is.
fn without_history(view: &View) -> View {
    let mut plain = View::new(view.components());
    for e in view.iter() {
        plain.push(e.id, e.present, e.words);
    }
    plain
}

#[test]
fn predicted_references_decode_exactly_over_ticks_with_loss_and_stale_entries() {
    let codecs = Codecs::new();
    let list = codecs.list();
    let mut rng = SmallRng::seed_from_u64(2024);
    let mut next_id = 0;
    let mut spawn = |rng: &mut SmallRng| {
        next_id += 1;
        Mover {
            id: next_id,
            position: Vec3::new(
                rng.random_range(-80.0..80.0),
                rng.random_range(-2.0..2.0),
                rng.random_range(-80.0..80.0),
            ),
            velocity: Vec3::new(
                rng.random_range(-3.0..3.0),
                0.0,
                rng.random_range(-3.0..3.0),
            ),
            angle: rng.random_range(-3.0..3.0),
            spin: rng.random_range(-2.0..2.0),
            team: rng.random_range(0..8),
            present: if rng.random_bool(0.9) {
                7
            } else {
                rng.random_range(0..8)
            },
        }
    };
    let mut movers: Vec<Mover> = (0..120).map(|_| spawn(&mut rng)).collect();
    // What the server sent and what the client received, by tick.
    let mut sent: Vec<View> = Vec::new();
    let mut received: Vec<View> = Vec::new();
    let (mut predicted_bits, mut plain_bits) = (0u64, 0u64);
    for tick in 1..=400u32 {
        let dt = 1.0 / 30.0;
        for m in &mut movers {
            if rng.random_bool(0.02) {
                m.velocity = Vec3::new(
                    rng.random_range(-3.0..3.0),
                    0.0,
                    rng.random_range(-3.0..3.0),
                );
            }
            m.position =
                (m.position + m.velocity * dt).clamp(Vec3::splat(-99.0), Vec3::splat(99.0));
            m.angle += m.spin * dt;
            if rng.random_bool(0.005) {
                m.team = rng.random_range(0..8);
            }
            if rng.random_bool(0.002) {
                m.present ^= 1 << rng.random_range(0..3);
            }
        }
        if rng.random_bool(0.1) {
            let at = rng.random_range(0..movers.len());
            movers.remove(at);
        }
        if rng.random_bool(0.1) {
            movers.push(spawn(&mut rng));
        }
        // The baseline: one of the client's newest views (or none, now and then).
        let baseline = match received.len() {
            0 => View::new(3),
            _ if rng.random_bool(0.02) => View::new(3),
            len => received[len - 1 - rng.random_range(0..len.min(4))].clone(),
        };
        let fresh = mover_view(&codecs, &movers, tick);
        // Some entities the baseline has stay as it had them (a starved budget).
        let mut next = View::new(3);
        next.set_tick(tick);
        for e in fresh.iter() {
            match baseline.find(e.id) {
                Some(b) if rng.random_bool(0.2) => {
                    let old = baseline.get(b);
                    next.push(old.id, old.present, old.words);
                }
                _ => next.push(e.id, e.present, e.words),
            }
        }
        let mut writer = BitWriter::new();
        encode_view(&baseline, &mut next, &list, &mut writer);
        predicted_bits += writer.bit_len();
        let bytes = writer.finish().to_vec();
        // The same snapshot against a baseline with no history costs what no prediction does.
        let mut plain_next = next.clone();
        let mut plain = BitWriter::new();
        encode_view(
            &without_history(&baseline),
            &mut plain_next,
            &list,
            &mut plain,
        );
        plain_bits += plain.bit_len();
        sent.push(next.clone());
        if rng.random_bool(0.1) {
            continue; // lost
        }
        let mut decoded = View::new(3);
        decoded.set_tick(tick);
        decode_view(&baseline, &mut BitReader::new(&bytes), &list, &mut decoded)
            .unwrap_or_else(|e| panic!("tick {tick}: {e}"));
        assert_eq!(decoded, next, "tick {tick}: words and history agree");
        received.push(decoded);
    }
    assert_eq!(sent.len(), 400);
    assert!(received.len() > 300, "{}", received.len());
    // Smooth motion costs markedly less against the prediction.
    assert!(
        predicted_bits * 10 < plain_bits * 8,
        "predicted {predicted_bits} bits, plain {plain_bits} bits"
    );
}
