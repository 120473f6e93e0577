//! The scripted camera path over a pack's world cells, the same natively and in the browser.

use glam::IVec2;
use layerw::components::{Camera, Transform};
use layerw::engine::stream::PackManifest;
use layerw::prelude::*;
use layerw::systems::CellRadii;

/// The scripted path over the world's cells: positions by distance flown.
#[derive(Clone, Copy, Debug)]
pub struct Flight {
    start: Vec3,
    /// Metres from the start to the end of the path.
    pub length: f32,
    sway: f32,
}

impl Flight {
    /// The path over `manifest`'s cells, `height` metres up: from 10 % inside the world's west
    /// edge on its middle line to 10 % before its east edge, on an S curve a quarter of the
    /// world's depth from side to side.
    pub fn over(manifest: &PackManifest, height: f32) -> Flight {
        let size = manifest.cell_size;
        let (mut lo, mut hi) = (IVec2::MAX, IVec2::MIN);
        for cell in &manifest.cells {
            lo = lo.min(cell.coord);
            hi = hi.max(cell.coord);
        }
        // Cell (x, y) spans x..x+1 and z = y..y+1 cells.
        let (x0, x1) = (lo.x as f32 * size, (hi.x + 1) as f32 * size);
        let (z0, z1) = (lo.y as f32 * size, (hi.y + 1) as f32 * size);
        let width = x1 - x0;
        Flight {
            start: Vec3::new(x0 + 0.1 * width, height, 0.5 * (z0 + z1)),
            length: 0.8 * width,
            sway: 0.125 * (z1 - z0),
        }
    }

    /// The camera `s` metres along the path (clamped to its end), looking ahead and down.
    pub fn camera(&self, s: f32) -> Transform {
        let at = |s: f32| {
            let s = s.clamp(0.0, self.length);
            let phase = std::f32::consts::TAU * s / self.length.max(1.0);
            self.start + Vec3::new(s, 0.0, self.sway * phase.sin())
        };
        let here = at(s);
        let ahead = (at(s + 1.0) - at(s - 1.0)).normalize_or(Vec3::X);
        let down = 8f32.to_radians().tan();
        Transform::from_translation(here).looking_at(here + ahead * 20.0 - Vec3::Y * 20.0 * down)
    }
}

/// Places the app's camera at `t` (spawning one, 800 m far plane, the first time).
pub fn set_camera(app: &mut App, t: Transform) {
    let world = app.world_mut();
    let mut found = false;
    for (transform, _) in world.query::<(&mut Transform, &Camera)>().iter() {
        *transform = t;
        found = true;
    }
    if !found {
        world.spawn((
            t,
            Camera {
                far: 800.0,
                ..Camera::default()
            },
        ));
    }
}

/// The run's knobs both front ends take (command-line flags natively, the page's query in the
/// browser), with their defaults.
#[derive(Clone, Copy, Debug)]
pub struct FlightOptions {
    /// The streaming budget in MiB (default: 80 % of walloc's Scene tier).
    pub budget_mib: Option<u64>,
    /// Metres a second (15).
    pub speed: f32,
    /// Metres above the ground (4).
    pub height: f32,
    /// Seconds of flight (default: the whole path).
    pub seconds: Option<f64>,
    /// The most seconds to wait at the start for full quality (30).
    pub settle: f64,
    /// Where cells load and unload.
    pub radii: CellRadii,
}

impl Default for FlightOptions {
    fn default() -> Self {
        FlightOptions {
            budget_mib: None,
            speed: 15.0,
            height: 4.0,
            seconds: None,
            settle: 30.0,
            radii: CellRadii::default(),
        }
    }
}

impl FlightOptions {
    /// Sets the knob `name` (budget, speed, height, seconds, settle, load, unload) from the
    /// text `value`; `Ok(false)` when `name` is none of them.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, String> {
        let n = number(name, value)?;
        match name {
            "budget" => self.budget_mib = Some(n as u64),
            "speed" => self.speed = n as f32,
            "height" => self.height = n as f32,
            "seconds" => self.seconds = Some(n),
            "settle" => self.settle = n,
            "load" => self.radii.load = n as f32,
            "unload" => self.radii.unload = n as f32,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Refuses cell radii that would unload cells as soon as they load.
    pub fn check(&self) -> Result<(), String> {
        if self.radii.unload < self.radii.load {
            return Err("unload must be at least load".into());
        }
        Ok(())
    }
}

/// `value` as a finite number at least 0, or an error naming the knob.
pub fn number(name: &str, value: &str) -> Result<f64, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or(format!("{name} needs a number, not {value}"))
}
