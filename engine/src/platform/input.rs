//! The Input stage's engine systems: apply the frame's platform events to the input state, and
//! turn the input state into each action set's state.

use crate::app::AppExit;
use crate::ecs::Events;
use crate::schedule::{System, Time};

use super::action::{Action, ActionMap, ActionState};
use super::event::{ButtonState, InputEvent, PlatformEvent, WindowEvent};
use super::gamepad::Gamepads;
use super::journal::{JournalFrame, JournalRecorder, TimedEvent};
use super::keyboard::Keyboard;
use super::mouse::Mouse;
use super::touch::Touches;
use super::window::Window;

/// Platform events waiting for the next Input stage, stored on the world as a resource.
/// Runners push here; so can tests and tools ([`App::push_event`](crate::app::App::push_event)).
#[derive(Clone, Debug, Default)]
pub struct InputQueue {
    pending: Vec<TimedEvent>,
}

impl InputQueue {
    /// Queues `event`, which arrived `at` seconds after the run started.
    pub fn push(&mut self, at: f64, event: impl Into<PlatformEvent>) {
        self.pending.push(TimedEvent {
            at,
            event: event.into(),
        });
    }

    /// How many events are waiting.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// True when no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Drops every waiting event (a replay ignores the live platform).
    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

/// Whether the user closing the window ends the app; a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitOnClose(pub bool);

/// The name of the engine's input system (first in [`Stage::Input`](crate::schedule::Stage)).
pub const INPUT_SYSTEM: &str = "layerw::input";

/// The engine's input system: starts a new input frame, applies the queued platform events to
/// [`Keyboard`], [`Mouse`], [`Touches`], [`Gamepads`] and [`Window`], re-sends them as
/// `Events<InputEvent>` / `Events<WindowEvent>`, records them when a [`JournalRecorder`] is
/// present, and sends [`AppExit`] on a close request when [`ExitOnClose`] says so.
pub fn input_system() -> System {
    System::new(INPUT_SYSTEM, |ctx| {
        let events = core::mem::take(&mut ctx.resource_mut::<InputQueue>().pending);
        let mut keyboard = ctx.resource_mut::<Keyboard>();
        let mut mouse = ctx.resource_mut::<Mouse>();
        let mut touches = ctx.resource_mut::<Touches>();
        let mut pads = ctx.resource_mut::<Gamepads>();
        let mut window = ctx.resource_mut::<Window>();
        keyboard.end_frame();
        mouse.end_frame();
        touches.end_frame();
        pads.end_frame();
        let exit_on_close = ctx.try_resource::<ExitOnClose>().is_ok_and(|e| e.0);
        let mut input_out = ctx.resource_mut::<Events<InputEvent>>();
        let mut window_out = ctx.resource_mut::<Events<WindowEvent>>();
        for timed in &events {
            match &timed.event {
                PlatformEvent::Input(event) => {
                    apply_input(event, &mut keyboard, &mut mouse, &mut touches, &mut pads);
                    input_out.send(event.clone());
                }
                PlatformEvent::Window(event) => {
                    window.apply(event);
                    match event {
                        WindowEvent::Focused(false) => {
                            // Key-ups while unfocused never arrive: release now.
                            keyboard.release_all();
                            mouse.buttons.release_all();
                        }
                        WindowEvent::CloseRequested if exit_on_close => {
                            ctx.resource_mut::<Events<AppExit>>().send(AppExit)
                        }
                        _ => {}
                    }
                    window_out.send(event.clone());
                }
            }
        }
        // After resizes too: the internal position follows the viewport.
        mouse.internal_position = mouse.position.and_then(|p| window.to_internal(p));
        if let Ok(mut recorder) = ctx.try_resource_mut::<JournalRecorder>() {
            let time = ctx.resource::<Time>();
            let frame = JournalFrame {
                frame: time.frame(),
                time: time.elapsed_seconds(),
                delta: time.delta_seconds(),
                events,
            };
            if let Err(e) = recorder.record(frame) {
                tracing::warn!("journal frame dropped: {e}");
            }
        }
    })
    .writes_resource::<InputQueue>()
    .writes_resource::<Keyboard>()
    .writes_resource::<Mouse>()
    .writes_resource::<Touches>()
    .writes_resource::<Gamepads>()
    .writes_resource::<Window>()
    .writes_resource::<JournalRecorder>()
    .reads_resource::<ExitOnClose>()
    .reads_resource::<Time>()
    .sends_events::<InputEvent>()
    .sends_events::<WindowEvent>()
    .sends_events::<AppExit>()
}

fn apply_input(
    event: &InputEvent,
    keyboard: &mut Keyboard,
    mouse: &mut Mouse,
    touches: &mut Touches,
    pads: &mut Gamepads,
) {
    match event {
        InputEvent::Key { code, state, .. } => match state {
            ButtonState::Pressed => keyboard.press(*code),
            ButtonState::Released => keyboard.release(*code),
        },
        InputEvent::Text(text) => keyboard.push_text(text),
        InputEvent::MouseButton { button, state } => match state {
            ButtonState::Pressed => mouse.buttons.press(*button),
            ButtonState::Released => mouse.buttons.release(*button),
        },
        InputEvent::CursorMoved(position) => mouse.position = Some(*position),
        InputEvent::CursorLeft => mouse.position = None,
        InputEvent::MouseMotion(delta) => mouse.motion += *delta,
        InputEvent::MouseWheel(delta) => mouse.wheel += *delta,
        InputEvent::Touch {
            id,
            phase,
            position,
        } => touches.apply(*id, *phase, *position),
        gamepad => pads.apply(gamepad),
    }
}

/// The system that updates [`ActionState<A>`] from [`ActionMap<A>`] and the input state; runs
/// in the Input stage after [`input_system`].
pub fn action_system<A: Action>() -> System {
    System::new(
        format!("layerw::actions<{}>", core::any::type_name::<A>()),
        |ctx| {
            let map = ctx.resource::<ActionMap<A>>();
            let keyboard = ctx.resource::<Keyboard>();
            let mouse = ctx.resource::<Mouse>();
            let pads = ctx.resource::<Gamepads>();
            ctx.resource_mut::<ActionState<A>>()
                .update(&map, &keyboard, &mouse, &pads);
        },
    )
    .reads_resource::<ActionMap<A>>()
    .reads_resource::<Keyboard>()
    .reads_resource::<Mouse>()
    .reads_resource::<Gamepads>()
    .writes_resource::<ActionState<A>>()
}
