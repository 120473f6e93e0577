//! What a client knows, as one JSON object: printed every second by the headless client and
//! published every frame by the web page (`window.layerwNet`), so tests read both the same way.

use layerw::net::client::ClientState;
use layerw::prelude::*;
use serde_json::{Value, json};

use crate::game::{Kind, Score};

/// The client's connection, its own player, every other player and the network figures;
/// `backend` names the renderer's GPU API where there is one.
pub fn status(world: &World, backend: Option<&str>) -> Value {
    let Ok(client) = world.try_resource::<NetClient>() else {
        return json!({ "connected": false });
    };
    let client_id = match client.state() {
        ClientState::Connected { client_id } => Some(*client_id),
        _ => None,
    };
    let disconnect = match client.state() {
        ClientState::Disconnected { reason } => Some(reason.clone()),
        _ => None,
    };
    let stats = client.stats();
    let mut own = None;
    let mut score = 0;
    let mut players = Vec::new();
    let mut items = 0;
    let mut query = world.query::<(&Kind, &Position, Option<&Score>, Option<&Predicted>)>();
    for (kind, position, points, predicted) in query.iter() {
        let p = position.0;
        let at = [round(p.x), round(p.y), round(p.z)];
        match *kind {
            Kind::Item => items += 1,
            Kind::Player { .. } if predicted.is_some() => {
                own = Some(at);
                score = points.map_or(0, |s| s.0);
            }
            Kind::Player { client } => players.push(json!({
                "id": client,
                "position": at,
                "score": points.map_or(0, |s| s.0),
            })),
        }
    }
    players.sort_by_key(|p| p["id"].as_u64());
    json!({
        "connected": client.is_connected(),
        "client_id": client_id,
        "position": own,
        "score": score,
        "players": players,
        "items": items,
        "rtt_ms": round(stats.rtt as f32 * 1000.0),
        "corrections": stats.corrections,
        "snapshots": stats.snapshots,
        "disconnect": disconnect,
        "backend": backend,
    })
}

/// Millimetres are plenty, and short numbers keep the lines readable.
fn round(v: f32) -> f64 {
    (f64::from(v) * 1000.0).round() / 1000.0
}
