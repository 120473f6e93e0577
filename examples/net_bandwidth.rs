//! Snapshot bandwidth: a headless server App replicating N moving, spinning entities to one
//! real client App over the in-memory transport, measured per client in bits per entity per
//! tick and kbit/s, against a naive full snapshot and Glenn Fiedler's published figures.
//!
//! ```text
//! cargo run --release --example net_bandwidth -- --entities 1000 --rate 30 --seconds 10
//! ```
//!
//! Every run is one row of the table printed: which entities move (all of them, or about 10%
//! at a time as in Fiedler's mostly resting cube scene), the per-client snapshot budget
//! (effectively unlimited, or the default 256 kbit/s), and the share of snapshots lost (the
//! server's end of the connection wrapped in the link conditioner, dropping unreliable
//! messages). The first second of every run (the initial full snapshot) is not counted.

use std::time::Instant;

use layerw::net::connections::{ClientId, ServerConfig};
use layerw::net::limits::Limits;
use layerw::net::server::InterestSettings;
use layerw::net::stats::ServerStats;
use layerw::net::token::{ServerKey, issue_token};
use layerw::net::transport::memory::MemoryHub;
use layerw::net::transport::{
    Conditioned, Connection, LinkConditions, Listener, NetClock, TransportError,
};
use layerw::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

#[path = "net_scene/mod.rs"]
mod scene;

use scene::{Idle, Motion, Orbit, orbit, replication};

const PROTOCOL: u32 = 1;
const GAME: u64 = 0xBA4D;
/// Bytes of a naive full snapshot of one entity: f32 position and f32 quaternion.
const NAIVE_BYTES: f64 = 28.0;
/// Glenn Fiedler's "Snapshot Compression" cube scene: 901 cubes at 60 Hz, 17.37 Mbit/s
/// uncompressed, about 256 kbit/s after quantisation, delta and prediction.
const FIEDLER_CUBES: f64 = 901.0;
const FIEDLER_RATE: f64 = 60.0;
const FIEDLER_KBPS: f64 = 256.0;
const FIEDLER_UNCOMPRESSED_KBPS: f64 = 17_370.0;

fn key() -> ServerKey {
    ServerKey::from_bytes([7; 32])
}

/// Accepts from `inner` and wraps every connection in the link conditioner, so what the
/// server sends (snapshots are unreliable) is dropped with the given probability.
struct LossyListener<L> {
    inner: L,
    drop: f64,
    seed: u64,
}

impl<L: Listener> Listener for LossyListener<L> {
    fn accept(&mut self) -> Result<Option<Box<dyn Connection>>, TransportError> {
        let Some(conn) = self.inner.accept()? else {
            return Ok(None);
        };
        if self.drop <= 0.0 {
            return Ok(Some(conn));
        }
        self.seed += 1;
        let conditions = LinkConditions {
            drop_unreliable: self.drop,
            ..LinkConditions::perfect().with_seed(self.seed)
        };
        // No latency: the manual clock never needs to advance for messages to be due.
        Ok(Some(Box::new(Conditioned::new(
            conn,
            conditions,
            NetClock::manual(),
        ))))
    }
}

/// One measured configuration.
#[derive(Clone, Copy, Debug)]
struct Scenario {
    /// 1: everything moves; 10: a tenth at a time.
    groups: u32,
    bits_per_second: u32,
    loss: f64,
}

/// What one run measured, over the counted ticks.
struct Figures {
    ticks: u64,
    payload_bytes: u64,
    message_bytes: u64,
    snapshots: u64,
    client_snapshots: u64,
    client_dropped: u64,
    client_entities: usize,
    client_in_kbps: f64,
    wall: f64,
}

fn server_app(entities: usize, rate: u16, scenario: Scenario, hub: &MemoryHub) -> App {
    let config = ServerConfig {
        protocol: PROTOCOL,
        game: GAME,
        key: key(),
        limits: Limits::default(),
        tick_rate: rate,
    };
    let listener = LossyListener {
        inner: hub.listener(),
        drop: scenario.loss,
        seed: 0x1055,
    };
    let server = NetServer::new(config, vec![Box::new(listener)], replication(256.0))
        .with_interest(InterestSettings {
            radius: 10_000.0,
            cell_size: 64.0,
            bits_per_second: scenario.bits_per_second,
        });
    let mut app = App::new();
    app.add_plugin(ServerPlugin::<Idle>::new(server))
        .insert_resource(Motion {
            groups: scenario.groups,
            ..Motion::always()
        })
        .add_system(Stage::FixedUpdate, orbit);
    let mut rng = SmallRng::seed_from_u64(0xC0BE);
    let side = (entities as f32).sqrt().ceil().max(1.0) as usize;
    let spacing = 400.0 / side as f32;
    for i in 0..entities {
        let center = Vec3::new(
            (i % side) as f32 * spacing - 200.0,
            rng.random_range(-4.0..4.0),
            (i / side) as f32 * spacing - 200.0,
        );
        let radius = rng.random_range(2.0..10.0f32);
        let speed = rng.random_range(1.0..3.0f32);
        let axis = Vec3::new(
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.0..1.0),
        )
        .try_normalize()
        .unwrap_or(Vec3::Y);
        let spin = rng.random_range(80.0..100.0f32).to_radians();
        let phase = rng.random_range(0.0..std::f32::consts::TAU);
        app.world_mut().spawn((
            Replicated,
            Orbit {
                center,
                radius,
                omega: speed / radius,
                phase,
                axis,
                spin,
                angle: 0.0,
                group: (i % 10) as u32,
            },
            Position(center + Vec3::new(phase.cos(), 0.0, phase.sin()) * radius),
            Rotation(Quat::IDENTITY),
        ));
    }
    app
}

fn client_app(hub: &MemoryHub) -> App {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let token = issue_token(&key(), PROTOCOL, GAME, 1, 600, now).expect("token");
    let client = NetClient::new(
        Box::new(hub.connect("bench client")),
        PROTOCOL,
        GAME,
        token,
        replication(256.0),
    );
    let mut app = App::new();
    app.add_plugin(ClientPlugin::<Idle>::new(client));
    app
}

fn run(entities: usize, rate: u16, seconds: f64, scenario: Scenario) -> Figures {
    let hub = MemoryHub::new();
    let mut server = server_app(entities, rate, scenario, &hub);
    let mut client = client_app(&hub);
    let dt = 1.0 / f64::from(rate);
    let frames = (seconds * f64::from(rate)).round() as u64;
    let warmup = u64::from(rate);
    let mut start = (0, 0, 0, 0);
    let started = Instant::now();
    let measure = |server: &mut App| {
        let stats = server.world().resource::<ServerStats>().clone();
        let mut net = server.world_mut().resource_mut::<NetServer>();
        let tick = net.tick();
        let bytes = net
            .connections()
            .counters(ClientId(1))
            .map_or(0, |c| c.bytes_out);
        (tick, stats.snapshot_bytes_total, bytes, stats.snapshots)
    };
    for frame in 0..frames {
        if frame == warmup {
            start = measure(&mut server);
        }
        server.update(dt);
        client.update(dt);
    }
    let end = measure(&mut server);
    let stats = client.world().resource::<NetStats>().clone();
    let client_entities = client.world().query::<&NetId>().iter().count();
    Figures {
        ticks: u64::from(end.0 - start.0),
        payload_bytes: end.1 - start.1,
        message_bytes: end.2 - start.2,
        snapshots: end.3 - start.3,
        client_snapshots: stats.snapshots,
        client_dropped: stats.snapshots_dropped,
        client_entities,
        client_in_kbps: stats.bytes_in_per_second * 8.0 / 1000.0,
        wall: started.elapsed().as_secs_f64(),
    }
}

struct Options {
    entities: usize,
    rate: u16,
    seconds: f64,
}

fn num<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: not a number: {value}"))
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        entities: 1000,
        rate: 30,
        seconds: 10.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--entities" => o.entities = num(&flag, &value)?,
            "--rate" => o.rate = num(&flag, &value)?,
            "--seconds" => o.seconds = num(&flag, &value)?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.rate == 0 || o.seconds < 2.0 || o.entities == 0 {
        return Err("--rate and --entities must be positive, --seconds at least 2".to_owned());
    }
    Ok(o)
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}\nusage: net_bandwidth [--entities N] [--rate HZ] [--seconds S]");
            std::process::exit(2);
        }
    };
    let rate = f64::from(o.rate);
    let n = o.entities as f64;
    let naive_kbps = NAIVE_BYTES * 8.0 * n * rate / 1000.0;
    println!(
        "{} entities at {} Hz for {} s (first second not counted); one client over the in-memory transport",
        o.entities, o.rate, o.seconds
    );
    println!(
        "naive full snapshot (28 B/entity): {naive_kbps:.0} kbit/s = 224 bits/entity/tick; \
         Fiedler (901 cubes, 60 Hz): {FIEDLER_UNCOMPRESSED_KBPS:.0} -> {FIEDLER_KBPS:.0} kbit/s = {:.2} bits/cube/tick",
        FIEDLER_KBPS * 1000.0 / FIEDLER_RATE / FIEDLER_CUBES
    );
    println!();
    println!(
        "| moving | budget kbit/s | loss | bits/entity/tick | bits/moving entity/tick | payload kbit/s | messages kbit/s | vs naive | client in kbit/s | snapshots sent/applied/undecodable | client entities | wall s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for groups in [1, 10] {
        for bits_per_second in [100_000_000, 256_000] {
            for loss in [0.0, 0.01, 0.05] {
                let scenario = Scenario {
                    groups,
                    bits_per_second,
                    loss,
                };
                let f = run(o.entities, o.rate, o.seconds, scenario);
                let ticks = f.ticks.max(1) as f64;
                let bits = f.payload_bytes as f64 * 8.0;
                let per_entity = bits / (n * ticks);
                let moving = n / f64::from(groups);
                let secs = ticks / rate;
                let payload_kbps = bits / secs / 1000.0;
                let message_kbps = f.message_bytes as f64 * 8.0 / secs / 1000.0;
                println!(
                    "| {} | {} | {:.0}% | {:.2} | {:.2} | {:.1} | {:.1} | {:.1}x smaller | {:.1} | {}/{}/{} | {} | {:.1} |",
                    if groups == 1 { "all" } else { "10%" },
                    if bits_per_second >= 100_000_000 {
                        "unlimited".to_owned()
                    } else {
                        (bits_per_second / 1000).to_string()
                    },
                    loss * 100.0,
                    per_entity,
                    bits / (moving * ticks),
                    payload_kbps,
                    message_kbps,
                    naive_kbps / message_kbps.max(1e-9),
                    f.client_in_kbps,
                    f.snapshots,
                    f.client_snapshots,
                    f.client_dropped,
                    f.client_entities,
                    f.wall
                );
            }
        }
    }
}
