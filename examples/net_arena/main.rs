//! net_arena: a small multiplayer game. Players are cubes walking in a square arena (WASD,
//! the arrow keys or the left stick); touching an item (a golden sphere) scores a point and
//! the server puts the item somewhere else. The server is authoritative and headless; clients
//! predict their own player and interpolate everyone else, on the desktop and in the browser.
//!
//! ```text
//! cargo run --example net_arena -- --server [--addr 127.0.0.1:7777] [--seconds N] [--key HEX]
//! cargo run --example net_arena -- --connect ws://127.0.0.1:7777 --client-id 1  # a window
//!     [--seconds N] [--screenshot shot.png]   # F3 toggles the stats overlay
//! cargo run --example net_arena -- --connect ws://127.0.0.1:7777 --client-id 2 \
//!     --headless --seconds 5 [--move 1,0]     # no window: one JSON line per second
//! cargo run --example net_arena -- --token 3  # a signed connect token, as hex
//! bash scripts/web.sh net_arena               # then serve target/web/net_arena/ and open
//!                                             # index.html?server=ws://127.0.0.1:7777&token=HEX
//! ```
//!
//! Tokens: a client proves it may join with a connect token signed by the server's key. This
//! example signs with a fixed development key that every build knows (`--key HEX` overrides
//! it on every side), so the desktop client signs its own; a real deployment keeps the key
//! secret and has a matchmaker issue tokens.

mod game;
#[cfg(not(target_arch = "wasm32"))]
mod server;
mod status;
mod view;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match native::parse(&args) {
        Ok(mode) => native::run(mode),
        Err(e) => {
            eprintln!("net_arena: {e}\n{}", native::USAGE);
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("net_arena: {e}");
        std::process::exit(1);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    web::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::PathBuf;

    use layerw::engine::gpu::{GpuRenderer, RendererConfig, Screenshot};
    use layerw::net::client::ClientState;
    use layerw::net::token::{ServerKey, token_to_text};
    use layerw::net::transport::{WebSocketConnection, WebSocketLimits, WebSocketListener};
    use layerw::platform::ActionValue;
    use layerw::prelude::*;

    use crate::game::{self, Arena};
    use crate::{server, status, view};

    pub const USAGE: &str = "usage:
  net_arena --server [--addr 127.0.0.1:7777] [--seconds N] [--key HEX] [--seed N]
  net_arena --token CLIENT_ID [--key HEX]
  net_arena --connect ws://HOST:PORT --client-id N [--key HEX] [--seconds N]
            [--headless [--move X,Y] | --screenshot PATH]";

    /// A window client's `--screenshot` is taken this long after the start, seconds (once
    /// connected and drawn).
    const SCREENSHOT_AFTER: f64 = 3.0;

    /// What the command line asks for.
    pub enum Mode {
        Server {
            addr: String,
            seconds: Option<f64>,
            key: ServerKey,
            seed: u64,
        },
        Token {
            client_id: u64,
            key: ServerKey,
        },
        Client {
            url: String,
            client_id: u64,
            key: ServerKey,
            seconds: Option<f64>,
            headless: bool,
            direction: Vec2,
            screenshot: Option<PathBuf>,
        },
    }

    fn number<T: std::str::FromStr>(flag: &str, value: Option<&String>) -> Result<T, String> {
        value
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{flag} needs a number"))
    }

    pub fn parse(args: &[String]) -> Result<Mode, String> {
        let mut server = false;
        let mut addr = "127.0.0.1:7777".to_owned();
        let mut seconds = None;
        let mut key = ServerKey::from_bytes(server::DEV_KEY);
        let mut seed = 1;
        let mut token = None;
        let mut url = None;
        let mut client_id = None;
        let mut headless = false;
        let mut direction = Vec2::ZERO;
        let mut screenshot = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--server" => server = true,
                "--headless" => headless = true,
                "--screenshot" => {
                    screenshot = Some(args.next().ok_or("--screenshot needs a path")?.into())
                }
                "--addr" => addr = args.next().ok_or("--addr needs HOST:PORT")?.clone(),
                "--seconds" => seconds = Some(number::<f64>(arg, args.next())?),
                "--seed" => seed = number(arg, args.next())?,
                "--token" => token = Some(number::<u64>(arg, args.next())?),
                "--client-id" => client_id = Some(number::<u64>(arg, args.next())?),
                "--connect" => url = Some(args.next().ok_or("--connect needs a URL")?.clone()),
                "--key" => {
                    let hex = args.next().ok_or("--key needs 64 hex digits")?;
                    key = ServerKey::from_hex(hex).map_err(|e| format!("--key: {e}"))?;
                }
                "--move" => {
                    let text = args.next().ok_or("--move needs X,Y")?;
                    let (x, y) = text.split_once(',').ok_or("--move needs X,Y")?;
                    let (x, y) = (
                        number(arg, Some(&x.to_owned()))?,
                        number(arg, Some(&y.to_owned()))?,
                    );
                    direction = Vec2::new(x, y);
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        match (server, token, url) {
            (true, None, None) => Ok(Mode::Server {
                addr,
                seconds,
                key,
                seed,
            }),
            (false, Some(client_id), None) => Ok(Mode::Token { client_id, key }),
            (false, None, Some(_)) if headless && screenshot.is_some() => {
                Err("--screenshot needs a window (not --headless)".to_owned())
            }
            (false, None, Some(url)) => Ok(Mode::Client {
                url,
                client_id: client_id.ok_or("--connect needs --client-id N")?,
                key,
                seconds,
                headless,
                direction,
                screenshot,
            }),
            _ => Err("choose one of --server, --token, --connect".to_owned()),
        }
    }

    /// Stops the app when the connection ended (refused, kicked, the server gone).
    fn exit_when_disconnected(client: Res<NetClient>, mut exit: EventWriter<AppExit>) {
        if let ClientState::Disconnected { reason } = client.state() {
            eprintln!("net_arena: disconnected: {reason}");
            exit.send(AppExit);
        }
    }

    pub fn run(mode: Mode) -> Result<(), String> {
        match mode {
            Mode::Server {
                addr,
                seconds,
                key,
                seed,
            } => server(&addr, seconds, key, seed),
            Mode::Token { client_id, key } => {
                let token = server::token(&key, client_id).map_err(|e| e.to_string())?;
                println!("{}", token_to_text(&token));
                Ok(())
            }
            Mode::Client {
                url,
                client_id,
                key,
                seconds,
                headless,
                direction,
                screenshot,
            } => {
                let connection = WebSocketConnection::connect(&url, WebSocketLimits::default())
                    .map_err(|e| format!("cannot connect to {url}: {e}"))?;
                let token = server::token(&key, client_id).map_err(|e| e.to_string())?;
                let mut app = game::client_app(Box::new(connection), token);
                app.add_system(Stage::Update, exit_when_disconnected);
                if let Some(seconds) = seconds {
                    app.add_system(Stage::Update, server::exit_after(seconds));
                }
                if headless {
                    headless_client(app, direction)
                } else {
                    window_client(app, screenshot)
                }
            }
        }
    }

    /// Real time, at most 60 frames per second, until an `AppExit`.
    fn real_time() -> HeadlessRun {
        HeadlessRun {
            frames: None,
            timestep: Timestep::Real { max_seconds: 0.25 },
            max_fps: Some(60.0),
        }
    }

    fn server(addr: &str, seconds: Option<f64>, key: ServerKey, seed: u64) -> Result<(), String> {
        let listener = WebSocketListener::bind(addr, WebSocketLimits::default())
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        // Tests bind port 0 and read the chosen port from this line.
        println!(
            "net_arena: server on ws://{} ({} ticks/s, {} items)",
            listener.local_addr(),
            server::TICK_RATE,
            server::ITEM_COUNT
        );
        if key.as_bytes() == &server::DEV_KEY {
            println!(
                "net_arena: note: tokens are checked against the fixed development key; a real \
                 deployment passes its own secret (--key HEX) and issues tokens from a matchmaker"
            );
        }
        let mut app = server::server_app(vec![Box::new(listener)], key, seed);
        if let Some(seconds) = seconds {
            app.add_system(Stage::Update, server::exit_after(seconds));
        }
        let report = app.run_headless(real_time());
        app.world_mut().resource_mut::<NetServer>().shutdown();
        println!("net_arena: server stopped after {} frames", report.frames);
        Ok(())
    }

    /// No window: walks with a fixed input and prints what it knows once a second.
    fn headless_client(mut app: App, direction: Vec2) -> Result<(), String> {
        app.world_mut().resource_mut::<ActionState<Arena>>().set(
            Arena::Move,
            ActionValue {
                value: direction,
                pressed: direction != Vec2::ZERO,
                just_pressed: false,
                just_released: false,
            },
        );
        let mut next = 1.0;
        app.add_frame_hook(move |world| {
            let t = world.resource::<Time>().elapsed_seconds();
            if t >= next {
                next = t.floor() + 1.0;
                let mut line = status::status(world, None);
                line["t"] = t.floor().into();
                println!("{line}");
            }
        });
        app.run_headless(real_time());
        let mut line = status::status(app.world(), None);
        line["t"] = "end".into();
        println!("{line}");
        let mut client = app.world_mut().resource_mut::<NetClient>();
        if !client.is_connected() {
            return Err("not connected at the end".to_owned());
        }
        client.disconnect();
        Ok(())
    }

    /// A window with the renderer; F3 toggles the stats overlay.
    fn window_client(mut app: App, screenshot: Option<PathBuf>) -> Result<(), String> {
        app.add_actions(game::bindings());
        view::add_view(&mut app);
        if let Some(path) = screenshot {
            // Asked for before the renderer's hook runs, which serves it the same frame.
            let mut pending = Some(path);
            app.add_frame_hook(move |world| {
                if world.resource::<Time>().elapsed_seconds() >= SCREENSHOT_AFTER
                    && let Some(path) = pending.take()
                {
                    world.insert_resource(Screenshot { path });
                }
            });
        }
        let mut renderer = GpuRenderer::deferred(RendererConfig {
            resolution: view::RESOLUTION,
            ..Default::default()
        });
        app.add_frame_hook(move |world| renderer.frame(world));
        let report = app.run().map_err(|e| e.to_string())?;
        println!("net_arena: {} frames", report.frames);
        Ok(())
    }
}

/// The browser client: `index.html?server=ws://HOST:PORT&token=HEX` (the token from
/// `net_arena --token ID` or a matchmaker). `window.layerwNet` holds the client's status as
/// JSON, updated every frame; `window.layerwError` says why the page could not start.
#[cfg(target_arch = "wasm32")]
mod web {
    use layerw::engine::gpu::{GpuInfo, GpuRenderer, RendererConfig};
    use layerw::net::token::token_from_text;
    use layerw::net::transport::{WebConnection, WebLimits};
    use layerw::prelude::*;

    use crate::{game, status, view};

    pub fn main() {
        if let Err(e) = start() {
            web_sys::console::error_1(&e.clone().into());
            if let Some(window) = web_sys::window() {
                let _ = js_sys::Reflect::set(&window, &"layerwError".into(), &e.into());
            }
        }
    }

    /// The query string's value of `name`, decoded.
    fn parameter(query: &str, name: &str) -> Option<String> {
        query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .and_then(|(_, value)| js_sys::decode_uri_component(value).ok())
            .map(String::from)
    }

    fn start() -> Result<(), String> {
        let query = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let server = parameter(&query, "server").ok_or("no ?server=ws://HOST:PORT")?;
        let token = parameter(&query, "token").ok_or("no &token=HEX (net_arena --token ID)")?;
        let token = token_from_text(&token).map_err(|e| format!("token: {e}"))?;
        let connection = WebConnection::connect(&server, WebLimits::default())
            .map_err(|e| format!("cannot connect to {server}: {e}"))?;
        // `&lite`: no MSAA and no shadows, for software rasterisers (headless test browsers)
        // that would otherwise draw too few frames for the client to keep its clock.
        let lite = query
            .trim_start_matches('?')
            .split('&')
            .any(|p| p == "lite");
        let mut app = game::client_app(Box::new(connection), token);
        app.add_actions(game::bindings());
        view::add_view(&mut app);
        if lite {
            view::without_shadows(app.world_mut());
        }
        let mut renderer = GpuRenderer::deferred(RendererConfig {
            resolution: view::RESOLUTION,
            msaa: if lite {
                1
            } else {
                RendererConfig::default().msaa
            },
            ..Default::default()
        });
        app.add_frame_hook(move |world| {
            renderer.frame(world);
            publish(world);
        });
        app.run().map_err(|e| e.to_string())?;
        Ok(())
    }

    fn publish(world: &World) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let backend = world
            .try_resource::<GpuInfo>()
            .ok()
            .map(|i| format!("{:?}", i.backend));
        let json = status::status(world, backend.as_deref()).to_string();
        let _ = js_sys::Reflect::set(&window, &"layerwNet".into(), &json.into());
    }
}
