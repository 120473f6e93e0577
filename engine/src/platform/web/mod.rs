//! Browser specifics of the windowed runner: the page clock, the canvas, and gamepads through
//! the Gamepad API (`navigator.getGamepads()`, polled each frame).

use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

use super::event::InputEvent;
use super::gamepad::{GamepadId, GamepadSnapshot, diff_snapshots};

/// Seconds since the run started, from `performance.now()`.
pub(crate) struct Clock(f64);

fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Clock {
    pub(crate) fn start() -> Clock {
        Clock(performance_now())
    }

    pub(crate) fn seconds(&self) -> f64 {
        (performance_now() - self.0) / 1000.0
    }
}

/// The canvas with id `id`, or a new one appended to `<body>`; true when it was created.
pub(crate) fn canvas(id: &str) -> Result<(HtmlCanvasElement, bool), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    if let Some(element) = document.get_element_by_id(id) {
        let canvas = element
            .dyn_into::<HtmlCanvasElement>()
            .map_err(|_| format!("element #{id} is not a canvas"))?;
        return Ok((canvas, false));
    }
    let canvas = document
        .create_element("canvas")
        .map_err(|e| format!("cannot create a canvas: {e:?}"))?
        .dyn_into::<HtmlCanvasElement>()
        .map_err(|_| "created element is not a canvas".to_owned())?;
    canvas.set_id(id);
    document
        .body()
        .ok_or("no <body>")?
        .append_child(&canvas)
        .map_err(|e| format!("cannot append the canvas: {e:?}"))?;
    Ok((canvas, true))
}

/// Browser gamepads: polled snapshots diffed into events.
pub(crate) struct GamepadSource {
    previous: Vec<GamepadSnapshot>,
}

impl GamepadSource {
    pub(crate) fn new() -> GamepadSource {
        GamepadSource {
            previous: Vec::new(),
        }
    }

    /// The gamepad events since the last poll.
    pub(crate) fn poll(&mut self) -> Vec<InputEvent> {
        let current = snapshots();
        let events = diff_snapshots(&self.previous, &current);
        self.previous = current;
        events
    }
}

/// Every connected pad now. Pads without the standard mapping are read as if they had it (the
/// best guess there is); a browser without the API has no pads.
fn snapshots() -> Vec<GamepadSnapshot> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let Ok(pads) = navigator.get_gamepads() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for slot in pads.iter() {
        if !slot.is_object() {
            continue; // empty slots are null
        }
        // Read structurally, not checked with instanceof: pages and tests may provide pads
        // from their own getGamepads().
        let pad: web_sys::Gamepad = slot.unchecked_into();
        if !pad.connected() {
            continue;
        }
        let mut snapshot = GamepadSnapshot {
            id: GamepadId(pad.index()),
            name: pad.id(),
            buttons: [0.0; 17],
            sticks: [0.0; 4],
        };
        for (i, button) in pad.buttons().iter().take(17).enumerate() {
            if button.is_object() {
                let button: web_sys::GamepadButton = button.unchecked_into();
                // Some pads report digital buttons as pressed with value 0.
                let value = button.value() as f32;
                snapshot.buttons[i] = if button.pressed() && value == 0.0 {
                    1.0
                } else {
                    value
                };
            }
        }
        for (i, axis) in pad.axes().iter().take(4).enumerate() {
            let value = axis.as_f64().unwrap_or(0.0) as f32;
            // The web's y axes point down; Layer-W's point up.
            snapshot.sticks[i] = if i % 2 == 1 { -value } else { value };
        }
        out.push(snapshot);
    }
    out.sort_by_key(|s| s.id);
    out
}
