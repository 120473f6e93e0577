//! The browser client: `index.html?server=ws://HOST:PORT&token=HEX` (the token from
//! `shard_run --token ID` or a matchmaker), the arena's pack in `pack/` beside the page
//! (`?pack=URL` for another), `&lite` for software rasterisers. `window.layerwGame` holds the
//! client's state as JSON, updated every frame; `window.layerwError` says why the page could
//! not start. Sound starts at the first click or key press (browsers' rule).

use layerw::engine::gpu::GpuInfo;
use layerw::engine::stream::FetchIo;
use layerw::net::token::token_from_text;
use layerw::net::transport::{WebConnection, WebLimits};
use layerw::prelude::*;

use crate::components::{Kind, Score};
use crate::hud::MenuOpen;
use crate::{Look, client_app};

pub fn main() {
    if let Err(e) = start() {
        web_sys::console::error_1(&e.clone().into());
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"layerwError".into(), &e.into());
        }
    }
}

fn start() -> Result<(), String> {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&query).map_err(|_| "a bad address")?;
    let server = params.get("server").ok_or("no ?server=ws://HOST:PORT")?;
    let token = params
        .get("token")
        .ok_or("no &token=HEX (shard_run --token ID)")?;
    let token = token_from_text(&token).map_err(|e| format!("token: {e}"))?;
    let pack = params.get("pack").unwrap_or_else(|| "pack".into());
    let connection = WebConnection::connect(&server, WebLimits::default())
        .map_err(|e| format!("cannot connect to {server}: {e}"))?;
    let look = Look {
        asset_root: String::new(),
        lite: params.has("lite"),
        audio: AudioOutput::Device,
    };
    let mut app = client_app(
        Box::new(connection),
        token,
        FetchIo::new(pack.trim_end_matches('/')),
        look,
    );
    app.add_frame_hook(publish);
    app.run().map_err(|e| e.to_string())?;
    Ok(())
}

/// The client's state for the page and tests.
fn publish(world: &mut World) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let backend = world
        .try_resource::<GpuInfo>()
        .ok()
        .map(|i| format!("{:?}", i.backend));
    let connected = world.resource::<NetClient>().is_connected();
    let menu = world.resource::<MenuOpen>().0;
    let frame = world.resource::<Time>().frame();
    let (mut runners, mut score, mut me) = (0, 0, None);
    for (kind, points, position, predicted) in world
        .query_mut::<(&Kind, Option<&Score>, &Position, Option<&Predicted>)>()
        .into_iter()
    {
        runners += usize::from(kind.is_runner());
        if predicted.is_some() {
            score = points.map_or(0, |s| s.0);
            me = Some([position.0.x, position.0.z]);
        }
    }
    let streamed = world
        .query_mut::<&layerw::systems::StreamedCell>()
        .into_iter()
        .count();
    let json = serde_json::json!({
        "streamed_entities": streamed,
        "backend": backend,
        "frame": frame,
        "connected": connected,
        "menu": menu,
        "runners": runners,
        "score": score,
        "position": me,
    });
    let _ = js_sys::Reflect::set(&window, &"layerwGame".into(), &json.to_string().into());
}
