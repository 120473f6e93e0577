//! Shard Run: a multiplayer arena game made with Layer-W. Runners race through a field of
//! rocks, pillars and glowing crystals streamed in around them, picking up shards (golden ones
//! are worth three) for a minute a round; the best score wins the round. An authoritative
//! headless server runs the rules and bots; clients on the desktop and in the browser predict
//! their own runner and interpolate everyone else.
//!
//! The game is plugins, components and systems: `components.rs` (data), `systems.rs` (the
//! movement every side runs), `server.rs` (the server's rules and plugin), `plugin.rs` (the
//! client's plugin), `world.rs` (the arena's fixed layout), `view.rs` (what is drawn),
//! `hud.rs` (menu, scores, sound) and `pack.rs` (the streamed content).
//!
//! ```text
//! cargo run --release --example shard_run --features audio   # play: a local server with bots
//!     [--bots N] [--addr 127.0.0.1:7777] [--seconds N]      # (others join on --addr)
//!     [--headless] [--screenshot PATH] [--report PATH]       # without a display: headless
//!     [--trace trace.json]                                   # a Chrome trace of the frames
//!     [--lite] [--status]                  # no MSAA or shadows; a JSON state line a second
//! cargo run --example shard_run --features audio -- --server [--addr HOST:PORT] [--bots N]
//!     [--seed N] [--seconds N]                               # a dedicated server
//! cargo run --example shard_run --features audio -- --connect ws://HOST:PORT --client-id N
//!     [--headless] [--seconds N] [--screenshot PATH]         # join a server
//! cargo run --example shard_run --features audio -- --token N   # a connect token (hex)
//! cargo run --example shard_run --features audio -- --make-pack DIR
//! bash scripts/web.sh shard_run                              # the browser client: open
//!     index.html?server=ws://127.0.0.1:7777&token=HEX        # (the pack beside the page)
//! ```
//!
//! Headless (no display, or `--headless`) the game plays itself for `--seconds` (5 by
//! default): it chooses Play in the menu and runs for the nearest shard, then saves a
//! screenshot (target/shard_run.png by default; beside a shipped binary, shard_run.png there)
//! and prints a frame report as JSON.

mod components;
mod hud;
#[cfg(not(target_arch = "wasm32"))]
mod pack;
mod plugin;
#[cfg(not(target_arch = "wasm32"))]
mod server;
mod systems;
mod view;
mod world;

#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(target_arch = "wasm32")]
mod web;

use layerw::engine::gpu::RendererConfig;
use layerw::engine::stream::{StreamIo, StreamSettings};
use layerw::net::transport::Connection;
use layerw::prelude::*;
use layerw::systems::{CellRadii, RenderPlugin, StreamPlugin, UiPlugin};

use crate::components::bindings;
use crate::hud::ShardHud;
use crate::plugin::ShardClient;
use crate::view::ShardView;

/// The window's size and internal resolution.
pub const RESOLUTION: UVec2 = UVec2::new(1280, 720);
/// Memory the streamed arena may use, bytes.
const STREAM_BUDGET: u64 = 96 << 20;

/// How a client draws and sounds, and where its files are.
pub struct Look {
    /// The folder (natively) or URL prefix (web) of `assets/`.
    pub asset_root: String,
    /// Without MSAA and shadows, drawn at half the resolution and scaled up (software
    /// rasterisers, test browsers).
    pub lite: bool,
    /// Where sound goes.
    pub audio: AudioOutput,
}

/// A client's app: the game's plugins, in the order they build on each other.
pub fn client_app(
    connection: Box<dyn Connection>,
    token: Vec<u8>,
    pack: impl StreamIo + 'static,
    look: Look,
) -> App {
    let renderer = RendererConfig {
        msaa: if look.lite {
            1
        } else {
            RendererConfig::default().msaa
        },
        ..RendererConfig::default()
    };
    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        window: WindowConfig {
            title: "Shard Run (Layer-W)".into(),
            size: RESOLUTION,
            internal_resolution: if look.lite {
                RESOLUTION / 2
            } else {
                RESOLUTION
            },
            ..WindowConfig::default()
        },
        assets: AssetPlugin {
            root: look.asset_root.clone(),
        },
        render: RenderPlugin {
            renderer,
            ..RenderPlugin::default()
        },
        ..DefaultPlugins::default()
    })
    .add_plugin(
        StreamPlugin::new(pack, StreamSettings::new(STREAM_BUDGET)).with_cells(CellRadii {
            load: 40.0,
            unload: 56.0,
        }),
    )
    .add_plugin(UiPlugin::default())
    .add_plugin(AudioPlugin {
        output: look.audio,
        ..AudioPlugin::default()
    })
    .add_plugin(ShardClient::new(connection, token))
    .add_actions(bindings())
    .add_plugin(ShardView)
    .add_plugin(ShardHud);
    if look.lite {
        for sun in app.world_mut().query_mut::<&mut layerw::components::Sun>() {
            sun.shadows = false;
        }
    }
    app
}

fn main() {
    // `--trace PATH` / `?trace`: a Chrome trace of every frame, stage and system (README,
    // "Profiling"); complete when `main` ends.
    let _trace = layerw::engine::profile::install_requested_trace();
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
    #[cfg(target_arch = "wasm32")]
    web::main();
}
