//! Input playground: every input source and action of Layer-W, live, on the desktop and in the
//! browser (and headless, for scripted runs).
//!
//! Move the green square with WASD, the arrow keys or a pad's left stick; jump with Space or
//! the pad's South button (it turns yellow); fire with the left mouse button or the right
//! trigger (a red dot where the cursor was, in internal-resolution coordinates). G grabs the
//! cursor, F11 toggles fullscreen, Escape quits. The strip at the top lights the keys and mouse
//! buttons held; each connected pad gets a row with its sticks, triggers and 17 buttons.
//!
//! ```text
//! cargo run --example input_playground                           # a window
//! cargo run --example input_playground -- --bindings my.json     # custom bindings
//! cargo run --example input_playground -- --headless --frames 120
//! cargo run --example input_playground -- --report state.json    # the state, every frame
//! cargo run --example input_playground -- --record run.jsonl     # then --replay run.jsonl
//! ```
//! For the web build see `scripts/web.sh`.

mod draw;
mod game;

#[cfg(not(target_arch = "wasm32"))]
use layerw::prelude::*;

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        let mut app = game::app(&game::Options::default());
        app.add_frame_hook(draw::presenter(None));
        if let Err(e) = app.run() {
            web_sys::console::error_1(&e.to_string().into());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    native_main();
}

#[cfg(not(target_arch = "wasm32"))]
fn native_main() {
    let options = match game::Options::from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("input_playground: {message}");
            std::process::exit(2);
        }
    };
    let mut app = game::app(&options);
    if let Some(path) = &options.replay {
        let journal = match Journal::load(path) {
            Ok(journal) => journal,
            Err(e) => {
                eprintln!("input_playground: {e}");
                std::process::exit(1);
            }
        };
        let report = app.replay(&journal);
        println!("replayed {} frames ({:?})", report.frames, report.reason);
        println!("{}", game::state_json(app.world(), None));
        return;
    }
    if let Some(path) = &options.record {
        match std::fs::File::create(path) {
            Ok(file) => {
                app.record_journal_to(std::io::BufWriter::new(file));
            }
            Err(e) => {
                eprintln!("input_playground: cannot record to {}: {e}", path.display());
                std::process::exit(1);
            }
        }
    }
    app.add_frame_hook(draw::presenter(options.report.clone()));
    if options.headless {
        app.set_headless(HeadlessRun::frames(options.frames.unwrap_or(120)));
    }
    match app.run() {
        Ok(report) => println!(
            "input_playground: {} frames, {:.2} s simulated ({:?})",
            report.frames, report.simulated_seconds, report.reason
        ),
        Err(e) => {
            eprintln!("input_playground: {e}");
            std::process::exit(1);
        }
    }
}
