//! Server cost: a headless server App with 1,000 moving entities over a 1 km square, interest
//! management limiting each client to about 100 of them, at 30 Hz, serving K bot clients over
//! real WebSockets on 127.0.0.1.
//!
//! ```text
//! cargo run --release --example net_load -- --bots 100 --seconds 20
//! ```
//!
//! The bots run in a child process (this program again, with `--bot-process`), so the server
//! process's CPU time is the server's alone. Each bot is a bare [`Connector`] that decodes
//! every snapshot against the view it names as baseline and acknowledges the newest, a few
//! threads serving all bots. The server App runs single-threaded, so its main thread's CPU
//! time (`/proc/thread-self/schedstat`, Linux) is the server's whole work.
//!
//! Timers, per tick (one 30 Hz frame runs exactly one tick), over the measured window only:
//! - `frame cpu`: the main thread's CPU time across `App::update`: NetReceive (accepting,
//!   reading and checking every client's messages), FixedUpdate (inputs, the entities'
//!   motion, quantisation), NetSend (below, plus flushing every socket) and the empty stages.
//! - `frame wall`: the wall time of the same call (CPU time plus any preemption).
//! - `send`: `ServerStats::tick_seconds`, measured inside NetSend: assigning ids, capturing
//!   the replicated state into the interest grid, and per client choosing, encoding and
//!   queueing its snapshot (not the socket flush).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use layerw::engine::schedule::ExecutorKind;
use layerw::net::bits::BitReader;
use layerw::net::connections::{ClientEvent, Connector, ServerConfig};
use layerw::net::input::encode_input;
use layerw::net::limits::Limits;
use layerw::net::replication::{View, decode_view};
use layerw::net::server::InterestSettings;
use layerw::net::stats::{ServerStats, percentile};
use layerw::net::token::{ServerKey, issue_token};
use layerw::net::transport::{WebSocketConnection, WebSocketLimits, WebSocketListener};
use layerw::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

#[path = "net_scene/mod.rs"]
mod scene;

use scene::{Idle, Motion, Orbit, orbit, replication};

const PROTOCOL: u32 = 1;
const GAME: u64 = 0x10AD;
const RATE: u16 = 30;
const ENTITIES: usize = 1000;
/// Entities spread over a square of this half side, metres.
const HALF_SIDE: f32 = 500.0;
/// 1,000 entities over 1 km^2: pi r^2 * 0.001 = 100 gives r = 178 m.
const RADIUS: f32 = 178.0;
/// Views a bot keeps as possible baselines.
const BOT_VIEWS: usize = 16;

/// Disconnections seen by the server (the figure that must stay 0).
#[derive(Default)]
struct Departures(u64);

fn players(
    mut connected: EventReader<ClientConnected>,
    mut disconnected: EventReader<ClientDisconnected>,
    mut departures: ResMut<Departures>,
    mut commands: Commands,
) {
    for event in connected.read() {
        if event.resumed {
            continue;
        }
        // A viewpoint where the whole interest circle lies inside the square.
        let mut rng = SmallRng::seed_from_u64(event.client.0);
        let inner = HALF_SIDE - RADIUS;
        let at = Vec3::new(
            rng.random_range(-inner..inner),
            0.0,
            rng.random_range(-inner..inner),
        );
        commands.spawn((
            Replicated,
            Controlled(event.client),
            PlayerInput::<Idle>::default(),
            Position(at),
            Rotation(Quat::IDENTITY),
        ));
    }
    departures.0 += disconnected.read().count() as u64;
}

fn key() -> ServerKey {
    ServerKey::from_bytes([9; 32])
}

fn server_app(listener: WebSocketListener, max_clients: usize) -> App {
    let limits = Limits {
        max_clients,
        max_pending: 256,
        ..Limits::default()
    };
    let config = ServerConfig {
        protocol: PROTOCOL,
        game: GAME,
        key: key(),
        limits,
        tick_rate: RATE,
    };
    let server = NetServer::new(config, vec![Box::new(listener)], replication(512.0))
        .with_interest(InterestSettings {
            radius: RADIUS,
            cell_size: 50.0,
            bits_per_second: 256_000,
        });
    let mut app = App::new();
    app.set_executor(ExecutorKind::SingleThreaded);
    app.add_plugin(ServerPlugin::<Idle>::new(server))
        .insert_resource(Motion::always())
        .insert_resource(Departures::default())
        .add_system(Stage::Update, players)
        .add_system(Stage::FixedUpdate, orbit);
    let mut rng = SmallRng::seed_from_u64(0x10AD);
    for _ in 0..ENTITIES {
        let radius = rng.random_range(2.0..10.0f32);
        let center = Vec3::new(
            rng.random_range(-HALF_SIDE + 10.0..HALF_SIDE - 10.0),
            rng.random_range(-4.0..4.0),
            rng.random_range(-HALF_SIDE + 10.0..HALF_SIDE - 10.0),
        );
        let axis = Vec3::new(
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.0..1.0),
            rng.random_range(-1.0..1.0),
        )
        .try_normalize()
        .unwrap_or(Vec3::Y);
        app.world_mut().spawn((
            Replicated,
            Orbit {
                center,
                radius,
                omega: rng.random_range(1.0..3.0f32) / radius,
                phase: rng.random_range(0.0..std::f32::consts::TAU),
                axis,
                spin: rng.random_range(80.0..100.0f32).to_radians(),
                angle: 0.0,
                group: 0,
            },
            Position(center),
            Rotation(Quat::IDENTITY),
        ));
    }
    app
}

/// The calling thread's CPU time, seconds (Linux; `None` elsewhere).
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanos as f64 * 1e-9)
}

struct Options {
    bots: usize,
    seconds: f64,
    threads: usize,
    bot_process: Option<String>,
    serve: Option<String>,
    first_id: u64,
}

fn num<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: not a number: {value}"))
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        bots: 50,
        seconds: 20.0,
        threads: 2,
        bot_process: None,
        serve: None,
        first_id: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bots" => o.bots = num(&flag, &value)?,
            "--seconds" => o.seconds = num(&flag, &value)?,
            "--threads" => o.threads = num(&flag, &value)?,
            "--first-id" => o.first_id = num(&flag, &value)?,
            "--bot-process" => o.bot_process = Some(value),
            "--serve" => o.serve = Some(value),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.bots == 0 || o.threads == 0 || o.seconds < 1.0 {
        return Err("--bots and --threads must be positive, --seconds at least 1".to_owned());
    }
    Ok(o)
}

/// One bot: a connector and the views it may be sent deltas against.
struct Bot {
    connector: Connector,
    views: Vec<View>,
    newest: Option<u32>,
    input: Vec<u8>,
}

/// What a bot thread counted.
#[derive(Default, Clone, Copy)]
struct BotTally {
    connected: u64,
    snapshots: u64,
    entities: u64,
    missing_baseline: u64,
    undecodable: u64,
    disconnected: u64,
    failed_connects: u64,
}

impl BotTally {
    fn add(&mut self, o: &BotTally) {
        self.connected += o.connected;
        self.snapshots += o.snapshots;
        self.entities += o.entities;
        self.missing_baseline += o.missing_baseline;
        self.undecodable += o.undecodable;
        self.disconnected += o.disconnected;
        self.failed_connects += o.failed_connects;
    }
}

fn decode_into(
    bot: &mut Bot,
    tick: u32,
    baseline: Option<u32>,
    payload: &[u8],
    codecs: &[&dyn layerw::net::replication::WordCodec],
    t: &mut BotTally,
) {
    if bot.newest.is_some_and(|n| tick <= n) {
        return;
    }
    let empty = View::new(codecs.len());
    let base = match baseline {
        None => &empty,
        Some(b) => match bot.views.iter().find(|v| v.tick() == b) {
            Some(v) => v,
            None => {
                t.missing_baseline += 1;
                return;
            }
        },
    };
    let mut view = View::new(codecs.len());
    view.set_tick(tick);
    let mut reader = BitReader::new(payload);
    let ok = reader
        .read_bool()
        .ok()
        .and_then(|has| {
            if has {
                reader.read_varint_u32(u32::MAX).ok().map(|_| ())
            } else {
                Some(())
            }
        })
        .is_some()
        && decode_view(base, &mut reader, codecs, &mut view).is_ok();
    if !ok {
        t.undecodable += 1;
        return;
    }
    t.snapshots += 1;
    t.entities += view.len() as u64;
    bot.newest = Some(tick);
    if bot.views.len() >= BOT_VIEWS {
        bot.views.remove(0);
    }
    bot.views.push(view);
    let input = std::mem::take(&mut bot.input);
    // Acknowledge at once; the input itself is empty (the players stand still). A failed
    // send shows up as the connection's loss at the next poll.
    let _ = bot.connector.send_input(
        Some(tick),
        tick.wrapping_add(1),
        std::slice::from_ref(&input),
    );
    bot.input = input;
}

/// Runs `ids` bots on this thread until `stop`, connecting them first.
fn bot_thread(url: String, ids: Vec<u64>, stop: Arc<AtomicBool>) -> BotTally {
    let mut t = BotTally::default();
    let started = Instant::now();
    let now = || started.elapsed().as_secs_f64();
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let replication = replication(512.0);
    let codecs = replication.word_codecs();
    let mut input = Vec::new();
    encode_input(&ActionState::<Idle>::default(), &mut input);
    let mut bots: Vec<Bot> = Vec::new();
    let mut events = Vec::new();
    let mut pending = ids.into_iter();
    loop {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // One new connection per round, so the established bots keep being served.
        if let Some(id) = pending.next() {
            match WebSocketConnection::connect(&url, WebSocketLimits::default()) {
                Ok(conn) => {
                    let token = issue_token(&key(), PROTOCOL, GAME, id, 600, unix).expect("token");
                    let connector = Connector::new(Box::new(conn), PROTOCOL, GAME, &token, now());
                    bots.push(Bot {
                        connector,
                        views: Vec::new(),
                        newest: None,
                        input: input.clone(),
                    });
                }
                Err(_) => t.failed_connects += 1,
            }
        }
        let mut alive = 0;
        for bot in &mut bots {
            events.clear();
            bot.connector.poll(now(), &mut events);
            for event in events.drain(..) {
                match event {
                    ClientEvent::Connected { .. } => t.connected += 1,
                    ClientEvent::Snapshot {
                        tick,
                        baseline,
                        payload,
                        ..
                    } => decode_into(bot, tick, baseline, &payload, &codecs, &mut t),
                    ClientEvent::Pong { .. } => {}
                    ClientEvent::Disconnected { .. } => t.disconnected += 1,
                }
            }
            if bot.connector.flush().is_ok() {
                alive += 1;
            }
        }
        if alive == 0 && pending.len() == 0 && !bots.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    t
}

/// The child process: `bots` bots over `threads` threads until the server goes away (or a
/// hard deadline), then one summary line on stdout.
fn bot_process(url: String, o: &Options) {
    let stop = Arc::new(AtomicBool::new(false));
    let per = o.bots.div_ceil(o.threads);
    let ids: Vec<u64> = (0..o.bots as u64).map(|i| o.first_id + i).collect();
    let handles: Vec<_> = ids
        .chunks(per)
        .map(|chunk| {
            let (url, chunk, stop) = (url.clone(), chunk.to_vec(), Arc::clone(&stop));
            std::thread::spawn(move || bot_thread(url, chunk, stop))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs_f64(o.seconds + 120.0);
    while Instant::now() < deadline && !handles.iter().all(|h| h.is_finished()) {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    let mut total = BotTally::default();
    for h in handles {
        if let Ok(t) = h.join() {
            total.add(&t);
        }
    }
    println!(
        "BOTS connected {} snapshots {} entities {} missing_baseline {} undecodable {} disconnected {} failed_connects {}",
        total.connected,
        total.snapshots,
        total.entities,
        total.missing_baseline,
        total.undecodable,
        total.disconnected,
        total.failed_connects
    );
}

/// `--serve ADDRESS`: the server alone, for hosts that cannot start a bot process (a WASI
/// component under wasmtime, whose sockets are WASI's): prints `LISTENING ws://ADDRESS` once
/// bound, serves in real time for `--seconds`, then `SERVED clients_max N snapshots N
/// snapshot_bytes N frames N`. Bots connect from another process (`--bot-process URL`).
fn serve(address: &str, o: &Options) {
    use std::io::Write;
    let listener = match WebSocketListener::bind(address, WebSocketLimits::default()) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("net_load: cannot listen on {address}: {e}");
            std::process::exit(1);
        }
    };
    println!("LISTENING ws://{}", listener.local_addr());
    let _ = std::io::stdout().flush();
    let mut app = server_app(listener, o.bots + 16);
    let dt = 1.0 / f64::from(RATE);
    let frame = Duration::from_secs_f64(dt);
    let start = Instant::now();
    let mut next = start;
    let (mut clients_max, mut frames) = (0, 0u64);
    while start.elapsed().as_secs_f64() < o.seconds {
        app.update(dt);
        frames += 1;
        clients_max = clients_max.max(app.world().resource::<ServerStats>().clients);
        next += frame;
        match next.checked_duration_since(Instant::now()) {
            Some(wait) => std::thread::sleep(wait),
            None => next = Instant::now(),
        }
    }
    let stats = app.world().resource::<ServerStats>();
    println!(
        "SERVED clients_max {clients_max} snapshots {} snapshot_bytes {} frames {frames}",
        stats.snapshots, stats.snapshot_bytes_total
    );
}

fn spawn_bots(url: &str, o: &Options) -> std::io::Result<Child> {
    Command::new(std::env::current_exe()?)
        .args([
            "--bot-process",
            url,
            "--bots",
            &o.bots.to_string(),
            "--threads",
            &o.threads.to_string(),
            "--seconds",
            &o.seconds.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "{e}\nusage: net_load [--bots K] [--seconds S] [--threads T (bot threads)] [--serve ADDRESS]"
            );
            std::process::exit(2);
        }
    };
    if let Some(url) = o.bot_process.clone() {
        bot_process(url, &o);
        return;
    }
    if let Some(address) = o.serve.clone() {
        serve(&address, &o);
        return;
    }
    let listener = WebSocketListener::bind(
        "127.0.0.1:0",
        WebSocketLimits {
            max_pending_handshakes: 256,
            ..WebSocketLimits::default()
        },
    )
    .expect("bind 127.0.0.1");
    let url = format!("ws://{}", listener.local_addr());
    let mut app = server_app(listener, o.bots + 16);
    let mut child = spawn_bots(&url, &o).expect("start the bot process");
    let dt = 1.0 / f64::from(RATE);
    let frame = Duration::from_secs_f64(dt);
    let mut next = Instant::now();
    let connect_deadline = Instant::now() + Duration::from_secs(120);
    let clients = |app: &App| app.world().resource::<ServerStats>().clients;
    // Ramp up: run until every bot is connected (and one more second to settle).
    let mut settled: Option<Instant> = None;
    loop {
        app.update(dt);
        next += frame;
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        } else {
            next = Instant::now();
        }
        if clients(&app) >= o.bots && settled.is_none() {
            settled = Some(Instant::now() + Duration::from_secs(1));
        }
        if settled.is_some_and(|s| Instant::now() >= s) || Instant::now() > connect_deadline {
            break;
        }
    }
    let connected = clients(&app);
    let departures0 = app.world().resource::<Departures>().0;
    let snapshots0 = app.world().resource::<ServerStats>().snapshots;
    let bytes0 = app.world().resource::<ServerStats>().snapshot_bytes_total;
    let mut cpu = Vec::new();
    let mut wall = Vec::new();
    let mut send = Vec::new();
    let mut late = 0u64;
    let frames = (o.seconds * f64::from(RATE)).round() as usize;
    next = Instant::now();
    let mut min_clients = usize::MAX;
    for _ in 0..frames {
        let (c0, w0) = (thread_cpu_seconds(), Instant::now());
        app.update(dt);
        let (c1, w1) = (thread_cpu_seconds(), Instant::now());
        if let (Some(c0), Some(c1)) = (c0, c1) {
            cpu.push(c1 - c0);
        }
        wall.push((w1 - w0).as_secs_f64());
        let stats = app.world().resource::<ServerStats>();
        send.push(stats.last_tick_seconds);
        min_clients = min_clients.min(stats.clients);
        drop(stats);
        next += frame;
        match next.checked_duration_since(Instant::now()) {
            Some(wait) => std::thread::sleep(wait),
            None => {
                late += 1;
                next = Instant::now();
            }
        }
    }
    let stats = app.world().resource::<ServerStats>().clone();
    let departures = app.world().resource::<Departures>().0 - departures0;
    let snapshots = stats.snapshots - snapshots0;
    let payload = stats.snapshot_bytes_total - bytes0;
    app.world_mut().resource_mut::<NetServer>().shutdown();
    for _ in 0..10 {
        app.update(dt);
        std::thread::sleep(frame);
    }
    // The bots stop once the server is gone; their summary is the child's last line.
    let mut bots_line = String::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if line.starts_with("BOTS") {
                bots_line = line;
            }
        }
    }
    let _ = child.wait();
    let n = connected.max(1) as f64;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let ms = 1000.0;
    let cpu_mean = mean(&cpu);
    let per_client = cpu_mean / n;
    println!(
        "{} bots requested, {connected} connected (min {min_clients} during the window), {frames} ticks at {RATE} Hz, 1,000 entities, radius {RADIUS} m",
        o.bots
    );
    println!(
        "| clients | frame cpu ms mean/p50/p99 | frame wall ms p50/p99 | send ms mean/p50/p99 | cpu us/client/tick | send us/client/tick | clients/core at 30 Hz (frame cpu) | snapshot B/client/tick | late frames | disconnects |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {connected} | {:.2}/{:.2}/{:.2} | {:.2}/{:.2} | {:.2}/{:.2}/{:.2} | {:.1} | {:.1} | {:.0} | {:.1} | {late} | {departures} |",
        cpu_mean * ms,
        percentile(&cpu, 50.0) * ms,
        percentile(&cpu, 99.0) * ms,
        percentile(&wall, 50.0) * ms,
        percentile(&wall, 99.0) * ms,
        mean(&send) * ms,
        percentile(&send, 50.0) * ms,
        percentile(&send, 99.0) * ms,
        per_client * 1e6,
        mean(&send) / n * 1e6,
        dt / per_client.max(1e-12),
        payload as f64 / snapshots.max(1) as f64,
    );
    println!("bots: {bots_line}");
}
