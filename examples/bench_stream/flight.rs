//! The scripted camera path over a pack's world cells, the same natively and in the browser.

use glam::IVec2;
use layerw::components::{Camera, Transform};
use layerw::engine::stream::PackManifest;
use layerw::prelude::*;

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
