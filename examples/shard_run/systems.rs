//! The systems every side runs: the movement (the server for everyone, a client for its own
//! predicted runner) and steering input. The server's own rules are in `server.rs`.

use layerw::prelude::*;

use crate::components::{DASH_COOLDOWN, DASH_SPEED, DASH_TICKS, Dash, Run, SPEED};
use crate::world::{self, Obstacle};

/// The arena's obstacles, a resource on every side (`world::obstacles()`).
pub struct Obstacles(pub Vec<Obstacle>);

/// The fixed-step movement: every runner with a [`PlayerInput`] runs (or dashes) at its speed,
/// round the obstacles and inside the walls, facing where it goes. The server runs it for
/// everyone; a client runs it for its own (predicted) runner and leaves the interpolated ones.
#[expect(clippy::type_complexity, reason = "one query's filter")]
pub fn movement(
    mut runners: Query<
        Without<(&PlayerInput<Run>, &mut Position, &mut Rotation, &mut Dash), &Interpolated>,
    >,
    obstacles: Res<Obstacles>,
    dt: Delta,
) {
    for (input, position, rotation, dash) in runners.iter() {
        dash.active = dash.active.saturating_sub(1);
        dash.cooldown = dash.cooldown.saturating_sub(1);
        let direction = input.0.axis2d(Run::Move).clamp_length_max(1.0);
        if direction == Vec2::ZERO {
            continue;
        }
        if input.0.pressed(Run::Dash) && dash.cooldown == 0 {
            dash.active = DASH_TICKS;
            dash.cooldown = DASH_COOLDOWN;
        }
        let speed = if dash.active > 0 { DASH_SPEED } else { SPEED };
        // The stick's y is forward, which is -z.
        let step = Vec2::new(direction.x, -direction.y) * speed * dt.seconds();
        let floor = Vec2::new(position.0.x, position.0.z) + step;
        let floor = world::resolve(&obstacles.0, floor);
        position.0.x = floor.x;
        position.0.z = floor.y;
        rotation.0 = Quat::from_rotation_y((-direction.x).atan2(direction.y));
    }
}
