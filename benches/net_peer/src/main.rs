//! Peer benchmark for Layer-W's replication: naia 0.25 (bevy_ecs adapter).
//!
//! A server (main thread) replicates `--entities` entities (position + rotation, all moving every
//! tick) to `--clients` clients (one thread each) at `--rate` Hz over naia's in-process
//! `transport_local` (naia 0.25's `transport_udp` cannot connect: its client waits for time-sync
//! pongs that the server drops before the connection exists). After every client has connected
//! and a warm-up, it measures `--seconds` of ticks: bytes sent per client (counted by a wrapper
//! around naia's server packet sender) and the server thread's CPU time per tick.
//!
//! `cargo run --release -- --entities 1000 --clients 8 --rate 30 --seconds 10 [--mode f32|quant]
//!  [--cap BYTES_PER_SEC|none]`

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use bevy_app::{App, Startup, Update};
use bevy_ecs::{
    message::MessageReader,
    schedule::IntoScheduleConfigs,
    prelude::{Component, Resource},
    system::{Commands, ResMut},
};
use naia_bevy_shared::{
    Message, Property, Protocol, Replicate, Serde, SignedFloat, SignedInteger, UnsignedInteger,
};

// ---------------------------------------------------------------------------------------------
// Protocol: both encodings are registered so client and server share one protocol id.

/// Position as naia's "naive" encoding: one `Property<f32>` per axis (32 bits each when changed).
#[derive(Component, Replicate)]
pub struct PosF {
    pub x: Property<f32>,
    pub y: Property<f32>,
    pub z: Property<f32>,
}

/// Rotation quaternion as four `Property<f32>`.
#[derive(Component, Replicate)]
pub struct RotF {
    pub x: Property<f32>,
    pub y: Property<f32>,
    pub z: Property<f32>,
    pub w: Property<f32>,
}

/// 1 mm fixed point in +-262.143 m (naia's `SignedFloat<18, 3>`: sign + 18 bits = 19 bits).
type Mm = SignedFloat<18, 3>;

/// Position quantised to 1 mm with naia's fixed-point serde type, one property per axis.
#[derive(Component, Replicate)]
pub struct PosQ {
    pub x: Property<Mm>,
    pub y: Property<Mm>,
    pub z: Property<Mm>,
}

/// Smallest-three quaternion: 2-bit index + 3 x 12-bit signed steps (like Layer-W's
/// `RotationCodec::new(12)`), 38 bits. naia has no quaternion type; this is a plain
/// `#[derive(Serde)]` struct of naia's integer types.
#[derive(Serde, PartialEq, Clone)]
pub struct Quat3 {
    pub largest: UnsignedInteger<2>,
    pub a: SignedInteger<11>,
    pub b: SignedInteger<11>,
    pub c: SignedInteger<11>,
}

/// Rotation as one smallest-three property.
#[derive(Component, Replicate)]
pub struct RotQ {
    pub q: Property<Quat3>,
}

const QUAT_STEPS: f32 = 2047.0; // 2^11 - 1

fn quat3(q: [f32; 4]) -> Quat3 {
    let mut largest = 0;
    for i in 1..4 {
        if q[i].abs() > q[largest].abs() {
            largest = i;
        }
    }
    let sign = if q[largest] < 0.0 { -1.0 } else { 1.0 };
    let mut rest = [0i32; 3];
    let mut j = 0;
    for (i, v) in q.iter().enumerate() {
        if i != largest {
            let s = (v * sign * std::f32::consts::SQRT_2 * QUAT_STEPS).round();
            rest[j] = s.clamp(-QUAT_STEPS, QUAT_STEPS) as i32;
            j += 1;
        }
    }
    Quat3 {
        largest: UnsignedInteger::new(largest as u8),
        a: SignedInteger::new(rest[0]),
        b: SignedInteger::new(rest[1]),
        c: SignedInteger::new(rest[2]),
    }
}

/// Empty auth message; the server accepts everyone.
#[derive(Message)]
pub struct Auth;

fn protocol(rate: f64) -> Protocol {
    Protocol::builder()
        .tick_interval(Duration::from_secs_f64(1.0 / rate))
        .add_default_channels()
        .add_message::<Auth>()
        .add_component::<PosF>()
        .add_component::<RotF>()
        .add_component::<PosQ>()
        .add_component::<RotQ>()
        .build()
}

// ---------------------------------------------------------------------------------------------
// Workload

/// A server-side mover: its own circle and spin (not replicated).
#[derive(Component)]
struct Mover {
    center: [f32; 3],
    radius: f32,
    omega: f32, // rad/s around the circle: speed / radius
    phase: f32,
}

const SPIN: f32 = std::f32::consts::FRAC_PI_2; // 90 deg/s about +y

fn mover(i: usize) -> Mover {
    let radius = 2.0 + (i % 4) as f32; // 2..5 m
    let speed = 1.0 + (i % 3) as f32; // 1..3 m/s
    Mover {
        center: [(i % 32) as f32 * 12.0 - 186.0, 1.0, (i / 32) as f32 * 12.0 - 186.0],
        radius,
        omega: speed / radius,
        phase: i as f32 * 0.37,
    }
}

fn pose(m: &Mover, t: f32) -> ([f32; 3], [f32; 4]) {
    let a = m.phase + m.omega * t;
    let p = [m.center[0] + m.radius * a.cos(), m.center[1], m.center[2] + m.radius * a.sin()];
    let half = 0.5 * (m.phase + SPIN * t);
    (p, [0.0, half.sin(), 0.0, half.cos()]) // rotation about y
}

// ---------------------------------------------------------------------------------------------
// Arguments

#[derive(Clone)]
struct Args {
    entities: usize,
    clients: usize,
    rate: f64,
    seconds: f64,
    warmup: f64,
    quant: bool,
    cap: Option<u32>,
}

fn parse_args() -> Args {
    let mut a = Args {
        entities: 1000,
        clients: 1,
        rate: 30.0,
        seconds: 10.0,
        warmup: 3.0,
        quant: false,
        cap: None,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let v = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--entities" => a.entities = v.parse().expect("--entities N"),
            "--clients" => a.clients = v.parse().expect("--clients N"),
            "--rate" => a.rate = v.parse().expect("--rate HZ"),
            "--seconds" => a.seconds = v.parse().expect("--seconds S"),
            "--warmup" => a.warmup = v.parse().expect("--warmup S"),
            "--mode" => a.quant = v == "quant",
            "--cap" => a.cap = if v == "none" { Some(1_000_000_000) } else { Some(v.parse().expect("--cap B/s|none")) },
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

// ---------------------------------------------------------------------------------------------
// Byte counting: wraps naia's server PacketSender; counts naia payload bytes and datagrams.

use naia_bevy_server::transport::{ListenResult, PacketSender, SendError, Socket};

type Counts = Arc<Mutex<HashMap<SocketAddr, (u64, u64)>>>;

struct CountingSocket {
    inner: Box<dyn Socket>,
    counts: Counts,
}

impl Socket for CountingSocket {
    fn listen(self: Box<Self>) -> ListenResult {
        let (auth_s, auth_r, sender, receiver) = self.inner.listen();
        let sender = Box::new(CountingSender { inner: sender, counts: self.counts });
        (auth_s, auth_r, sender, receiver)
    }
}

#[derive(Clone)]
struct CountingSender {
    inner: Box<dyn PacketSender>,
    counts: Counts,
}

impl PacketSender for CountingSender {
    fn send(&self, address: &SocketAddr, payload: &[u8]) -> Result<(), SendError> {
        let mut c = self.counts.lock().unwrap();
        let e = c.entry(*address).or_insert((0, 0));
        e.0 += payload.len() as u64;
        e.1 += 1;
        drop(c);
        self.inner.send(address, payload)
    }
}

// ---------------------------------------------------------------------------------------------
// CPU time

fn cpu_time(who: libc::c_int) -> Duration {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(who, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

// ---------------------------------------------------------------------------------------------
// Server

#[derive(Resource, Default)]
struct ServerState {
    room: Option<naia_bevy_server::RoomKey>,
    connected: usize,
    ticks: u64,
}

#[derive(Resource)]
struct Spawn(usize, bool);

fn server_startup(
    mut commands: Commands,
    mut server: naia_bevy_server::Server,
    mut state: ResMut<ServerState>,
    spawn: bevy_ecs::system::Res<Spawn>,
) {
    use naia_bevy_server::CommandsExt;
    let room = server.create_room().key();
    for i in 0..spawn.0 {
        let m = mover(i);
        let (p, q) = pose(&m, 0.0);
        let id = if spawn.1 {
            let b = (m, PosQ::new_complete(Mm::new(p[0]), Mm::new(p[1]), Mm::new(p[2])), RotQ::new_complete(quat3(q)));
            commands.spawn(b).enable_replication(&mut server).id()
        } else {
            let b = (m, PosF::new_complete(p[0], p[1], p[2]), RotF::new_complete(q[0], q[1], q[2], q[3]));
            commands.spawn(b).enable_replication(&mut server).id()
        };
        server.room_mut(&room).add_entity(&id);
    }
    state.room = Some(room);
}

fn server_events(
    mut server: naia_bevy_server::Server,
    mut state: ResMut<ServerState>,
    mut connects: MessageReader<naia_bevy_server::events::ConnectEvent>,
    mut auths: MessageReader<naia_bevy_server::events::AuthEvents>,
) {
    let room = state.room.expect("room created at startup");
    for events in auths.read() {
        for (user, _) in events.read::<Auth>() {
            server.accept_connection(&user);
        }
    }
    for naia_bevy_server::events::ConnectEvent(user) in connects.read() {
        server.user_mut(user).enter_room(&room);
        state.connected += 1;
    }
}

/// Runs after naia emits this update's tick (the tick's packets are sent later in this update).
fn count_ticks(mut state: ResMut<ServerState>, mut ticks: MessageReader<naia_bevy_server::events::TickEvent>) {
    state.ticks += ticks.read().count() as u64;
}

fn move_all(app: &mut App, t: f32, quant: bool) {
    let world = app.world_mut();
    if quant {
        let mut q = world.query::<(&Mover, &mut PosQ, &mut RotQ)>();
        for (m, mut p, mut r) in q.iter_mut(world) {
            let (pp, qq) = pose(m, t);
            let (x, y, z) = (Mm::new(pp[0]), Mm::new(pp[1]), Mm::new(pp[2]));
            // Assign only on change, as a careful user would (naia also diffs on Property set).
            if *p.x != x { *p.x = x; }
            if *p.y != y { *p.y = y; }
            if *p.z != z { *p.z = z; }
            let nq = quat3(qq);
            if *r.q != nq { *r.q = nq; }
        }
    } else {
        let mut q = world.query::<(&Mover, &mut PosF, &mut RotF)>();
        for (m, mut p, mut r) in q.iter_mut(world) {
            let (pp, qq) = pose(m, t);
            if *p.x != pp[0] { *p.x = pp[0]; }
            if *p.y != pp[1] { *p.y = pp[1]; }
            if *p.z != pp[2] { *p.z = pp[2]; }
            if *r.x != qq[0] { *r.x = qq[0]; }
            if *r.y != qq[1] { *r.y = qq[1]; }
            if *r.z != qq[2] { *r.z = qq[2]; }
            if *r.w != qq[3] { *r.w = qq[3]; }
        }
    }
}

fn run_server(a: &Args) {
    use naia_bevy_server::{transport::local, Plugin as ServerPlugin, ServerConfig};
    let mut config = ServerConfig::default();
    if let Some(cap) = a.cap {
        config.connection.bandwidth.target_bytes_per_sec = cap;
    }
    let mut app = App::new();
    app.add_plugins(ServerPlugin::new(config, protocol(a.rate)))
        .insert_resource(ServerState::default())
        .insert_resource(Spawn(a.entities, a.quant))
        .add_systems(Startup, server_startup)
        .add_systems(Update, server_events.in_set(naia_bevy_server::HandleWorldEvents))
        .add_systems(Update, count_ticks.in_set(naia_bevy_shared::HandleTickEvents));
    let counts: Counts = Arc::default();
    let hub = local::LocalTransportHub::new("127.0.0.1:14191".parse().unwrap());
    let inner = Box::new(local::Socket::new(local::LocalServerSocket::new(hub.clone()), None));
    let socket = Box::new(CountingSocket { inner, counts: counts.clone() });
    naia_bevy_server::listen_on_app(&mut app, socket as Box<dyn Socket>);
    app.finish();
    app.cleanup();

    // Clients: one thread each, until `stop`.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..a.clients).map(|_| spawn_client(&hub, a.rate, stop.clone())).collect();

    let start = Instant::now();
    // naia ticks on the first update at least one interval after its previous tick (it does not
    // accumulate), so update once just after each tick is due, retrying every 0.1 ms if early.
    let interval = Duration::from_secs_f64(1.0 / a.rate);
    let mut next = start;
    let mut update = |app: &mut App| {
        if let Some(d) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
        let w0 = Instant::now();
        move_all(app, start.elapsed().as_secs_f32(), a.quant);
        let write = w0.elapsed();
        hub.process_time_queues();
        let before = app.world().resource::<ServerState>().ticks;
        let t0 = Instant::now();
        app.update();
        let busy = t0.elapsed();
        let n = app.world().resource::<ServerState>().ticks - before;
        next = if n > 0 { t0 + interval + Duration::from_micros(100) } else { Instant::now() + Duration::from_micros(100) };
        (n, busy, write)
    };
    // Connect, then warm up (initial spawns of all entities go out here).
    while app.world().resource::<ServerState>().connected < a.clients {
        update(&mut app);
        assert!(start.elapsed().as_secs() < 30, "clients did not connect");
    }
    let warm_end = Instant::now() + Duration::from_secs_f64(a.warmup);
    while Instant::now() < warm_end {
        update(&mut app);
    }

    counts.lock().unwrap().clear();
    let (cpu_thread0, t_start) = (cpu_time(libc::RUSAGE_THREAD), Instant::now());
    let (mut ticks, mut tick_updates, mut busy_tick, mut write_all) = (0u64, 0u64, Duration::ZERO, Duration::ZERO);
    let end = t_start + Duration::from_secs_f64(a.seconds);
    while Instant::now() < end {
        let (n, busy, write) = update(&mut app);
        ticks += n;
        write_all += write;
        if n > 0 {
            tick_updates += 1;
            busy_tick += busy;
        }
    }
    let wall = t_start.elapsed().as_secs_f64();
    let cpu_thread = (cpu_time(libc::RUSAGE_THREAD) - cpu_thread0).as_secs_f64();
    let counts = counts.lock().unwrap().clone();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        let (f, q) = c.join().unwrap();
        eprintln!("client: replicated entities PosF={f} PosQ={q}");
    }

    let per: Vec<(u64, u64)> = counts.values().copied().collect();
    let n = per.len().max(1) as f64;
    let bytes = per.iter().map(|c| c.0).sum::<u64>() as f64 / n;
    let pkts = per.iter().map(|c| c.1).sum::<u64>() as f64 / n;
    let kbps = bytes * 8.0 / wall / 1000.0;
    let kbps_wire = (bytes + 28.0 * pkts) * 8.0 / wall / 1000.0; // + IPv4 20 B + UDP 8 B
    let ms = |s: f64| s * 1000.0 / ticks.max(1) as f64;
    println!(
        "RESULT mode={} cap={} entities={} clients={} rate={} wall_s={:.2} ticks={} tick_updates={} \
         peers={} kbit_s_per_client={:.1} kbit_s_per_client_ip_udp={:.1} pkts_s_per_client={:.1} \
         bytes_per_tick_per_client={:.0} kbit_s_per_client_at_nominal_rate={:.1} update_ms_per_tick={:.3} \
         write_ms_per_tick={:.3} thread_cpu_ms_per_tick={:.3} thread_cpu_ms_per_tick_per_client={:.3}",
        if a.quant { "quant" } else { "f32" },
        a.cap.map_or("default(64000)".to_string(), |c| c.to_string()),
        a.entities, a.clients, a.rate, wall, ticks, tick_updates, per.len(), kbps, kbps_wire,
        pkts / wall, bytes / ticks.max(1) as f64, bytes / ticks.max(1) as f64 * 8.0 * a.rate / 1000.0,
        busy_tick.as_secs_f64() * 1000.0 / tick_updates.max(1) as f64,
        ms(write_all.as_secs_f64()), ms(cpu_thread), ms(cpu_thread) / a.clients as f64,
    );
}

// ---------------------------------------------------------------------------------------------
// Clients

fn spawn_client(
    hub: &naia_bevy_server::transport::local::LocalTransportHub,
    rate: f64,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<(usize, usize)> {
    use naia_bevy_client::transport::local::{LocalAddrCell, LocalClientSocket, Socket as ClientSocket};
    let (addr, auth_tx, auth_rx, data_tx, data_rx) = hub.register_client();
    let hub = hub.clone();
    std::thread::spawn(move || {
        use naia_bevy_client::{Client, ClientConfig, DefaultClientTag, DefaultPlugin};
        let cell = LocalAddrCell::new();
        cell.set_sync(hub.server_addr());
        let inner = LocalClientSocket::new_with_tokens(
            addr, hub.server_addr(), auth_tx, auth_rx, data_tx, data_rx, cell,
            Arc::default(), Arc::default(),
        );
        let socket = Mutex::new(Some(ClientSocket::new(inner, None)));
        let mut app = App::new();
        app.add_plugins(DefaultPlugin::new(ClientConfig::default(), protocol(rate)));
        app.add_systems(Startup, move |mut client: Client<DefaultClientTag>| {
            client.auth(Auth);
            client.connect(socket.lock().unwrap().take().unwrap());
        });
        app.finish();
        app.cleanup();
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            hub.process_time_queues();
            app.update();
            std::thread::sleep(Duration::from_millis(2));
        }
        let w = app.world_mut();
        let f = w.query::<&PosF>().iter(w).count();
        let q = w.query::<&PosQ>().iter(w).count();
        (f, q)
    })
}

fn main() {
    let a = parse_args();
    run_server(&a);
}

