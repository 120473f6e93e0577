//! The desktop side: the command line, a dedicated server, and the local game (a server in
//! this process, with bots, that others may join), in a window or headless.

use std::path::{Path, PathBuf};

use std::cell::RefCell;
use std::rc::Rc;

use layerw::engine::gpu::{RenderStats, Screenshot};
use layerw::engine::platform::InputQueue;
use layerw::engine::stream::{FileIo, MANIFEST_FILE};
use layerw::net::token::{ServerKey, token_to_text};
use layerw::net::transport::memory::MemoryHub;
use layerw::net::transport::{Listener, WebSocketConnection, WebSocketLimits, WebSocketListener};
use layerw::prelude::*;

use crate::components::{Kind, Run, Score};
use crate::hud::MenuOpen;
use crate::server::{DEV_KEY, ShardServer, exit_after, floor_of, set_input, token};
use crate::systems::Obstacles;
use crate::{Look, client_app, pack, world};
use layerw::systems::StreamedCell;

const USAGE: &str = "usage:
  shard_run [--bots N] [--addr HOST:PORT] [--seconds N] [--headless] [--screenshot PATH]
            [--report PATH] [--pack DIR] [--trace PATH] [--lite] [--status]
  shard_run --server [--addr HOST:PORT] [--bots N] [--seed N] [--seconds N]
  shard_run --connect ws://HOST:PORT --client-id N [--headless] [--seconds N] [--screenshot PATH]
            [--lite] [--status]
  shard_run --token CLIENT_ID
  shard_run --make-pack DIR";

/// Seconds a headless game plays by default.
const HEADLESS_SECONDS: f64 = 5.0;

/// The command line, read loosely: flags with values and switches.
struct Args(Vec<String>);

impl Args {
    fn flag(&self, name: &str) -> bool {
        self.0.iter().any(|a| a == name)
    }

    fn value(&self, name: &str) -> Option<String> {
        let i = self.0.iter().position(|a| a == name)?;
        match self.0.get(i + 1) {
            Some(v) => Some(v.clone()),
            None => fail(&format!("{name} needs a value")),
        }
    }

    fn number<T: std::str::FromStr>(&self, name: &str) -> Option<T> {
        self.value(name).map(|v| {
            v.parse()
                .unwrap_or_else(|_| fail(&format!("{name} needs a number")))
        })
    }
}

fn fail(message: &str) -> ! {
    eprintln!("shard_run: {message}\n{USAGE}");
    std::process::exit(2);
}

pub fn main() {
    let args = Args(std::env::args().skip(1).collect());
    let known = [
        "--bots",
        "--addr",
        "--seconds",
        "--headless",
        "--screenshot",
        "--report",
        "--pack",
        "--trace",
        "--server",
        "--seed",
        "--connect",
        "--client-id",
        "--token",
        "--make-pack",
        "--lite",
        "--status",
    ];
    let mut i = 0;
    while i < args.0.len() {
        let arg = &args.0[i];
        if !known.contains(&arg.as_str()) {
            fail(&format!("unknown argument {arg:?}"));
        }
        let switch = ["--headless", "--server", "--lite", "--status"].contains(&arg.as_str());
        i += if switch { 1 } else { 2 };
    }
    let key = ServerKey::from_bytes(DEV_KEY);
    let result = if let Some(dir) = args.value("--make-pack") {
        pack::make_pack(Path::new(&dir))
            .map(|n| println!("shard_run: the pack in {dir} ({n} entities)"))
    } else if let Some(id) = args.number::<u64>("--token") {
        token(&key, id)
            .map(|t| println!("{}", token_to_text(&t)))
            .map_err(|e| e.to_string())
    } else if args.flag("--server") {
        dedicated_server(&args, key)
    } else if let Some(url) = args.value("--connect") {
        let id = args
            .number("--client-id")
            .unwrap_or_else(|| fail("--connect needs --client-id N"));
        WebSocketConnection::connect(&url, WebSocketLimits::default())
            .map_err(|e| format!("cannot connect to {url}: {e}"))
            .and_then(|connection| {
                let token = token(&key, id).map_err(|e| e.to_string())?;
                play(&args, Box::new(connection), token, None)
            })
    } else {
        local_game(&args, key)
    };
    if let Err(e) = result {
        eprintln!("shard_run: {e}");
        std::process::exit(1);
    }
}

/// The folder of a shipped game (scripts/ship.sh desktop: `assets/` beside the binary), if
/// this is one.
fn shipped_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .filter(|dir| dir.join("assets").is_dir())
}

/// Where `assets/` is: beside a shipped binary, else the repository.
fn asset_root() -> PathBuf {
    shipped_dir().unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The pack's folder: `--pack DIR`, else `pack/` beside a shipped binary, else
/// target/shard_run-pack in the repository, cooked there when missing.
fn pack_dir(args: &Args) -> Result<PathBuf, String> {
    if let Some(dir) = args.value("--pack") {
        return Ok(dir.into());
    }
    if let Some(dir) = shipped_dir().map(|d| d.join("pack"))
        && dir.join(MANIFEST_FILE).exists()
    {
        return Ok(dir);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/shard_run-pack");
    if !dir.join(MANIFEST_FILE).exists() {
        let n = pack::make_pack(&dir)?;
        println!(
            "shard_run: cooked the arena's pack into {} ({n} entities)",
            dir.display()
        );
    }
    Ok(dir)
}

/// Real time, at most 60 frames per second, until an `AppExit`.
fn real_time() -> HeadlessRun {
    HeadlessRun {
        frames: None,
        timestep: Timestep::Real { max_seconds: 0.25 },
        max_fps: Some(60.0),
    }
}

/// The server's app on `listeners`.
fn server_app(args: &Args, listeners: Vec<Box<dyn Listener>>, key: ServerKey, bots: u32) -> App {
    let mut app = App::new();
    app.add_plugin(ShardServer::new(
        listeners,
        key,
        args.number("--seed").unwrap_or(1),
        bots,
    ));
    app
}

fn dedicated_server(args: &Args, key: ServerKey) -> Result<(), String> {
    let addr = args
        .value("--addr")
        .unwrap_or_else(|| "127.0.0.1:7777".into());
    let listener = WebSocketListener::bind(&addr, WebSocketLimits::default())
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    // Tests bind port 0 and read the chosen port from this line.
    println!("shard_run: server on ws://{}", listener.local_addr());
    let mut app = server_app(
        args,
        vec![Box::new(listener)],
        key,
        args.number("--bots").unwrap_or(3),
    );
    if let Some(seconds) = args.number::<f64>("--seconds") {
        app.add_system(Stage::Update, exit_after(seconds));
    }
    let report = app.run_headless(real_time());
    app.world_mut().resource_mut::<NetServer>().shutdown();
    println!("shard_run: server stopped after {} frames", report.frames);
    Ok(())
}

/// The local game: a server in this process (bots, and a WebSocket listener for friends
/// where the address is free) stepped after every frame of this client.
fn local_game(args: &Args, key: ServerKey) -> Result<(), String> {
    let hub = MemoryHub::new();
    let mut listeners: Vec<Box<dyn Listener>> = vec![Box::new(hub.listener())];
    let addr = args
        .value("--addr")
        .unwrap_or_else(|| "127.0.0.1:7777".into());
    match WebSocketListener::bind(&addr, WebSocketLimits::default()) {
        Ok(listener) => {
            println!(
                "shard_run: others join on ws://{} (shard_run --connect ws://{0} --client-id 2)",
                listener.local_addr()
            );
            listeners.push(Box::new(listener));
        }
        Err(e) => println!("shard_run: playing alone: cannot listen on {addr}: {e}"),
    }
    let mut server = server_app(
        args,
        listeners,
        key.clone(),
        args.number("--bots").unwrap_or(3),
    );
    let connection = hub.connect("local player");
    let token = token(&key, 1).map_err(|e| e.to_string())?;
    play(
        args,
        Box::new(connection),
        token,
        Some(Box::new(move |world: &mut World| {
            let dt = world.resource::<Time>().delta_seconds();
            server.update(dt);
        })),
    )
}

/// Steps a server living in this process, after every frame of its client.
type ServerStep = Box<dyn FnMut(&mut World)>;

/// Whether a window can open here (a display on Linux; always elsewhere).
fn has_display() -> bool {
    !cfg!(target_os = "linux")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// Runs a client: in a window, or headless (playing itself) when asked or without a display.
fn play(
    args: &Args,
    connection: Box<dyn layerw::net::transport::Connection>,
    token: Vec<u8>,
    server: Option<ServerStep>,
) -> Result<(), String> {
    let headless = args.flag("--headless") || !has_display();
    let seconds = args
        .number::<f64>("--seconds")
        .or(headless.then_some(HEADLESS_SECONDS));
    let look = Look {
        asset_root: asset_root().display().to_string(),
        lite: args.flag("--lite"),
        audio: if headless {
            AudioOutput::Offline {
                sample_rate: 48_000,
            }
        } else {
            AudioOutput::Device
        },
    };
    let mut app = client_app(connection, token, FileIo::new(pack_dir(args)?, 2), look);
    if let Some(mut step) = server {
        app.add_frame_hook(move |world| step(world));
    }
    let screenshot = args.value("--screenshot").map(PathBuf::from).or_else(|| {
        // Beside a shipped binary, else in the repository's target/.
        headless.then(|| match shipped_dir() {
            Some(dir) => dir.join("shard_run.png"),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/shard_run.png"),
        })
    });
    if let Some(seconds) = seconds {
        app.add_system(Stage::Update, exit_after(seconds));
        if let Some(path) = screenshot.clone() {
            let mut pending = Some(path);
            app.add_frame_hook(move |world| {
                if world.resource::<Time>().elapsed_seconds() >= seconds - 0.3
                    && let Some(path) = pending.take()
                {
                    world.insert_resource(Screenshot { path });
                }
            });
        }
    }
    if headless {
        app.set_headless(real_time());
        app.add_system(Stage::Input, autopilot.last());
        // Choose Play through the menu, as a player would, once the game has started.
        let mut pressed = false;
        app.add_frame_hook(move |world| {
            let t = world.resource::<Time>().elapsed_seconds();
            if !pressed && t >= 1.0 {
                pressed = true;
                let mut queue = world.resource_mut::<InputQueue>();
                queue.push(t, InputEvent::key_pressed(KeyCode::Enter));
                queue.push(t, InputEvent::key_released(KeyCode::Enter));
            }
        });
    }
    let report = Rc::new(RefCell::new(Report {
        status: args.flag("--status"),
        ..Report::default()
    }));
    let into = report.clone();
    app.add_frame_hook(move |world| into.borrow_mut().watch(world));
    let frames = app.run().map_err(|e| e.to_string())?.frames;
    let line = report.borrow().json(frames, screenshot.as_deref());
    println!("{line}");
    if let Some(path) = args.value("--report") {
        std::fs::write(&path, format!("{line}\n")).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

/// Headless play: run for the nearest shard, round the obstacles (once Play was chosen).
fn autopilot(
    open: Res<MenuOpen>,
    mut actions: ResMut<ActionState<Run>>,
    mut things: Query<(&Kind, &Position, Option<&Predicted>)>,
    obstacles: Res<Obstacles>,
) {
    if open.0 {
        return;
    }
    let Some(me) = things
        .iter()
        .find(|(_, _, predicted)| predicted.is_some())
        .map(|(_, p, _)| floor_of(p.0))
    else {
        return;
    };
    let others: Vec<Vec2> = things
        .iter()
        .filter(|(kind, _, predicted)| kind.is_runner() && predicted.is_none())
        .map(|(_, p, _)| floor_of(p.0))
        .collect();
    // The nearest shard nobody else is nearer to (else the nearest): no race lost before it
    // starts.
    let shards: Vec<Vec2> = things
        .iter()
        .filter(|(kind, _, _)| matches!(kind, Kind::Shard { .. }))
        .map(|(_, p, _)| floor_of(p.0))
        .collect();
    let nearest = |candidates: &mut dyn Iterator<Item = Vec2>| {
        candidates.min_by(|a, b| a.distance(me).total_cmp(&b.distance(me)))
    };
    let target = nearest(&mut shards.iter().copied().filter(|shard| {
        others
            .iter()
            .all(|other| other.distance(*shard) > shard.distance(me))
    }))
    .or_else(|| nearest(&mut shards.iter().copied()));
    let stick = target.map_or(Vec2::ZERO, |t| world::steer(&obstacles.0, me, t));
    set_input(&mut actions, stick, false);
}

/// What the frame report says, gathered after every frame; with `status`, a JSON line of
/// the game's state once a second too (tests read it).
#[derive(Default)]
struct Report {
    status: bool,
    next_status: f64,
    position: Option<[f32; 2]>,
    menu: bool,
    frame_seconds: Vec<f64>,
    submit_seconds: f64,
    rendered: u64,
    connected: bool,
    score: u32,
    runners: usize,
    shards: usize,
    streamed: usize,
    seconds: f64,
    /// Shards humming where they are (positional emitters).
    emitters: usize,
    /// The loudest sample of the mix so far (an offline output renders it; a device does not
    /// hand it back).
    audio_peak: f32,
}

impl Report {
    fn watch(&mut self, world: &mut World) {
        let time = world.resource::<Time>();
        self.seconds = time.elapsed_seconds();
        self.frame_seconds.push(time.delta_seconds());
        drop(time);
        if let Ok(stats) = world.try_resource::<RenderStats>() {
            self.submit_seconds += stats.submit_seconds;
            self.rendered += 1;
        }
        self.connected = world.resource::<NetClient>().is_connected();
        let (mut runners, mut shards, mut score, mut position) = (0, 0, 0, None);
        for (kind, points, at, predicted) in world
            .query_mut::<(&Kind, Option<&Score>, Option<&Position>, Option<&Predicted>)>()
            .into_iter()
        {
            runners += usize::from(kind.is_runner());
            shards += usize::from(matches!(kind, Kind::Shard { .. }));
            if predicted.is_some() {
                score = points.map_or(0, |s| s.0);
                position = at.map(|p| [p.0.x, p.0.z]);
            }
        }
        (self.runners, self.shards, self.score, self.position) = (runners, shards, score, position);
        self.streamed = world.query_mut::<&StreamedCell>().into_iter().count();
        self.emitters = world.query_mut::<&AudioEmitter>().into_iter().count();
        let mix = world.resource_mut::<Audio>().take_rendered();
        self.audio_peak = mix
            .iter()
            .fold(self.audio_peak, |peak, s| peak.max(s.abs()));
        self.menu = world.resource::<MenuOpen>().0;
        if self.status && self.seconds >= self.next_status {
            self.next_status = self.seconds.floor() + 1.0;
            let line = serde_json::json!({
                "t": self.seconds,
                "connected": self.connected,
                "menu": self.menu,
                "position": self.position,
                "score": self.score,
                "runners": self.runners,
                "streamed_entities": self.streamed,
            });
            println!("{line}");
        }
    }

    fn json(&self, frames: u64, screenshot: Option<&Path>) -> String {
        let mut sorted = self.frame_seconds.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len().max(1) as f64;
        let mean = sorted.iter().sum::<f64>() / n;
        let p95 = sorted
            .get(((n * 0.95) as usize).min(sorted.len().saturating_sub(1)))
            .copied();
        serde_json::json!({
            "game": "shard_run",
            "frames": frames,
            "seconds": self.seconds,
            "frame_ms_mean": mean * 1000.0,
            "frame_ms_p95": p95.unwrap_or(0.0) * 1000.0,
            "render_submit_ms_mean": self.submit_seconds * 1000.0 / self.rendered.max(1) as f64,
            "connected": self.connected,
            "score": self.score,
            "runners": self.runners,
            "shards": self.shards,
            "streamed_entities": self.streamed,
            "position": self.position,
            "sound_emitters": self.emitters,
            "audio_peak": self.audio_peak,
            "screenshot": screenshot.map(|p| p.display().to_string()),
        })
        .to_string()
    }
}
