//! Drawing the playground into the window with a CPU framebuffer (softbuffer), and publishing
//! its state: to a JSON file natively (`--report`), to `window.layerwState` on the web.

use std::num::NonZeroU32;
use std::sync::Arc;

use layerw::engine::platform::{
    ActionState, GamepadAxis, GamepadButton, Gamepads, KeyCode, Keyboard, Mouse, MouseButton,
    Stick, Window, WinitWindow,
};
use layerw::prelude::*;

use crate::game::{PLAYER_SIZE, Play, Playground, state_json};

type Surface = softbuffer::Surface<Arc<winit::window::Window>, Arc<winit::window::Window>>;

/// The keys shown in the top strip, in order.
const STRIP_KEYS: [KeyCode; 13] = [
    KeyCode::KeyW,
    KeyCode::KeyA,
    KeyCode::KeyS,
    KeyCode::KeyD,
    KeyCode::Space,
    KeyCode::ArrowUp,
    KeyCode::ArrowDown,
    KeyCode::ArrowLeft,
    KeyCode::ArrowRight,
    KeyCode::ShiftLeft,
    KeyCode::KeyG,
    KeyCode::F11,
    KeyCode::Escape,
];

/// A frame hook that draws the playground and publishes its state.
#[cfg_attr(target_arch = "wasm32", allow(unused_variables))]
pub fn presenter(report: Option<std::path::PathBuf>) -> impl FnMut(&mut World) {
    let mut surface: Option<Surface> = None;
    move |world: &mut World| {
        let drawn = match world.try_resource::<WinitWindow>() {
            Ok(window) => draw(world, &window.0, &mut surface),
            Err(_) => None,
        };
        let json = state_json(world, drawn);
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(path) = &report {
            // Write then rename: a reader never sees half a file.
            let tmp = path.with_extension("tmp");
            if std::fs::write(&tmp, &json)
                .and_then(|()| std::fs::rename(&tmp, path))
                .is_err()
            {
                eprintln!("cannot write the report to {}", path.display());
            }
        }
        #[cfg(target_arch = "wasm32")]
        publish(&json);
    }
}

#[cfg(target_arch = "wasm32")]
fn publish(json: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let _ = js_sys::Reflect::set(&window, &"layerwState".into(), &json.into());
    if let Some(pre) = window
        .document()
        .and_then(|d| d.get_element_by_id("layerw-state"))
    {
        pre.set_text_content(Some(json));
    }
}

/// Draws a frame; returns the surface size drawn, or `None` (zero-size window, no surface).
fn draw(
    world: &World,
    window: &Arc<winit::window::Window>,
    surface: &mut Option<Surface>,
) -> Option<(u32, u32)> {
    let size = window.inner_size();
    let (w, h) = (NonZeroU32::new(size.width)?, NonZeroU32::new(size.height)?);
    if surface.is_none() {
        let context = softbuffer::Context::new(window.clone()).ok()?;
        *surface = Some(softbuffer::Surface::new(&context, window.clone()).ok()?);
    }
    let surface = surface.as_mut()?;
    surface.resize(w, h).ok()?;
    let mut buffer = surface.buffer_mut().ok()?;
    let mut canvas = Canvas {
        pixels: &mut buffer,
        width: size.width,
        height: size.height,
        origin: Vec2::ZERO,
        scale: 1.0,
    };
    paint(world, &mut canvas);
    buffer.present().ok()?;
    Some((size.width, size.height))
}

struct Canvas<'a> {
    pixels: &'a mut [u32],
    width: u32,
    height: u32,
    /// Internal-resolution coordinates to window pixels.
    origin: Vec2,
    scale: f32,
}

impl Canvas<'_> {
    /// Fills a rectangle given in internal-resolution pixels.
    fn rect(&mut self, at: Vec2, size: Vec2, color: u32) {
        let a = (self.origin + at * self.scale).round();
        let b = (self.origin + (at + size) * self.scale).round();
        let x0 = a.x.clamp(0.0, self.width as f32) as usize;
        let x1 = b.x.clamp(0.0, self.width as f32) as usize;
        let y0 = a.y.clamp(0.0, self.height as f32) as usize;
        let y1 = b.y.clamp(0.0, self.height as f32) as usize;
        for y in y0..y1 {
            let row = y * self.width as usize;
            self.pixels[row + x0..row + x1].fill(color);
        }
    }

    /// A box with a dot for a 2D value in -1..1 (y up).
    fn stick(&mut self, at: Vec2, size: f32, value: Vec2, color: u32) {
        self.rect(at, Vec2::splat(size), 0x404850);
        let centre =
            at + Vec2::splat(size / 2.0) + value * Vec2::new(1.0, -1.0) * (size / 2.0 - 5.0);
        self.rect(centre - 5.0, Vec2::splat(10.0), color);
    }
}

fn paint(world: &World, canvas: &mut Canvas) {
    let window = world.resource::<Window>();
    let view = window.viewport();
    canvas.pixels.fill(0x000000);
    canvas.origin = Vec2::new(view.x, view.y);
    canvas.scale = view.width / window.internal_resolution().x as f32;
    let internal = window.internal_resolution().as_vec2();
    canvas.rect(Vec2::ZERO, internal, 0x202830);

    let keyboard = world.resource::<Keyboard>();
    let mouse = world.resource::<Mouse>();
    let actions = world.resource::<ActionState<Play>>();
    let state = world.resource::<Playground>();

    // Top strip: keys, then "another key", then mouse buttons.
    let cell = |i: usize| Vec2::new(10.0 + i as f32 * 30.0, 10.0);
    for (i, key) in STRIP_KEYS.iter().enumerate() {
        let lit = keyboard.pressed(*key);
        canvas.rect(
            cell(i),
            Vec2::splat(24.0),
            if lit { 0xffffff } else { 0x404850 },
        );
    }
    let other = keyboard.pressed_keys().any(|k| !STRIP_KEYS.contains(&k));
    canvas.rect(
        cell(STRIP_KEYS.len()),
        Vec2::splat(24.0),
        if other { 0x80c0ff } else { 0x404850 },
    );
    for (i, button) in [MouseButton::Left, MouseButton::Middle, MouseButton::Right]
        .iter()
        .enumerate()
    {
        let lit = mouse.pressed(*button);
        canvas.rect(
            cell(STRIP_KEYS.len() + 2 + i),
            Vec2::splat(24.0),
            if lit { 0xff9020 } else { 0x404850 },
        );
    }
    // The move action's value, top right.
    canvas.stick(
        Vec2::new(internal.x - 90.0, 10.0),
        80.0,
        actions.axis2d(Play::Move),
        0x30c050,
    );

    // One row per pad: sticks, triggers, the 17 buttons.
    let pads = world.resource::<Gamepads>();
    for (row, pad) in pads.iter().enumerate() {
        let y = 60.0 + row as f32 * 90.0;
        canvas.stick(
            Vec2::new(10.0, y),
            70.0,
            pads.stick(pad.id(), Stick::Left),
            0x80c0ff,
        );
        canvas.stick(
            Vec2::new(90.0, y),
            70.0,
            pads.stick(pad.id(), Stick::Right),
            0x80c0ff,
        );
        for (i, axis) in [GamepadAxis::LeftTrigger, GamepadAxis::RightTrigger]
            .iter()
            .enumerate()
        {
            let x = 170.0 + i as f32 * 22.0;
            canvas.rect(Vec2::new(x, y), Vec2::new(16.0, 70.0), 0x404850);
            let fill = pads.axis(pad.id(), *axis) * 70.0;
            canvas.rect(
                Vec2::new(x, y + 70.0 - fill),
                Vec2::new(16.0, fill),
                0xff9020,
            );
        }
        for (i, button) in GamepadButton::ALL.iter().enumerate() {
            let lit = pad.pressed(*button);
            let at = Vec2::new(220.0 + i as f32 * 20.0, y + 27.0);
            canvas.rect(at, Vec2::splat(16.0), if lit { 0xffffff } else { 0x404850 });
        }
    }

    // Shots, the player, the cursor.
    for shot in state.shots.iter().rev().take(32) {
        canvas.rect(*shot - 4.0, Vec2::splat(8.0), 0xe03030);
    }
    let player_color = if actions.pressed(Play::Jump) {
        0xe0d040
    } else {
        0x30c050
    };
    canvas.rect(state.player, Vec2::splat(PLAYER_SIZE), player_color);
    if let Some(at) = mouse.internal_position() {
        canvas.rect(at - Vec2::new(10.0, 1.0), Vec2::new(20.0, 2.0), 0xffffff);
        canvas.rect(at - Vec2::new(1.0, 10.0), Vec2::new(2.0, 20.0), 0xffffff);
    }
}
