//! The browser run: the same simulation and report as the command line, single-threaded, timed
//! with `performance.now()`. Options come from the page's query (`entities`, `frames`,
//! `warmup`); the
//! report's JSON goes to `window.layerwSim` (an error to `window.layerwSimError`) and its text
//! to the page's `#layerw-sim` element. The frames run synchronously as soon as the module
//! starts: the page shows nothing else.

use super::sim::{self, Options, Report};

fn options() -> Result<Options, String> {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&query)
        .map_err(|_| format!("cannot read the query {query}"))?;
    let mut options = Options::default();
    for name in ["entities", "frames", "warmup"] {
        if let Some(value) = params.get(name) {
            options.set(name, &value)?;
        }
    }
    Ok(options)
}

/// Publishes `value` as `window[name]` and `text` in `#layerw-sim`.
fn publish(name: &str, value: &str, text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // Setting a plain property on `window` cannot fail.
    let _ = js_sys::Reflect::set(&window, &name.into(), &value.into());
    if let Some(element) = window
        .document()
        .and_then(|d| d.get_element_by_id("layerw-sim"))
    {
        element.set_text_content(Some(text));
    }
}

pub fn main() {
    let options = match options() {
        Ok(o) => o,
        Err(e) => {
            publish("layerwSimError", &e, &e);
            return;
        }
    };
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        publish(
            "layerwSimError",
            "no performance.now()",
            "no performance.now()",
        );
        return;
    };
    let (mut world, mut schedule) = sim::build(options.entities);
    let frames = (options.warmup, options.frames);
    let times = sim::run(&mut world, &mut schedule, frames, || performance.now());
    let report = Report::new(&world, &schedule, times, 1);
    publish("layerwSim", &report.json(), &report.text());
}
