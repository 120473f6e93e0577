//! The arena's fixed layout: rocks, pillars and crystal clusters placed by a seeded hash, so
//! the server, every client (native or wasm) and the content pack agree on them without
//! sending them. Movement collides with them here; the pack (`pack.rs`) draws them.

use layerw::prelude::*;

use crate::components::{ARENA_HALF, RUNNER_RADIUS};

/// The layout's seed: one arena for everyone.
const LAYOUT_SEED: u64 = 0x5EED_A2E4A;
/// Obstacles in the arena.
const OBSTACLE_COUNT: usize = 44;
/// Nothing stands this close to the centre (the spawn ring is free).
const CLEAR_CENTRE: f32 = 7.0;

/// What an obstacle looks like (its mesh in the pack).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A low boulder (variant 0..3).
    Rock(u8),
    /// A tall column.
    Pillar,
    /// A cluster of glowing crystals.
    Crystal,
}

/// A round obstacle on the floor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Obstacle {
    /// Its centre on the floor (x, z).
    pub at: Vec2,
    /// Its radius on the floor, metres (its mesh is scaled to it).
    pub radius: f32,
    /// Its turn about Y, radians.
    pub turn: f32,
    /// What it is.
    pub shape: Shape,
}

/// splitmix64: the same numbers on every target (rand's small generator differs between 32-
/// and 64-bit targets, and the browser is 32-bit).
fn mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number in `[lo, hi)` from the top 24 bits of the next value.
fn uniform(state: &mut u64, lo: f32, hi: f32) -> f32 {
    let unit = (mix(state) >> 40) as f32 / (1u64 << 24) as f32;
    lo + (hi - lo) * unit
}

/// The arena's obstacles, always the same, none overlapping another or the centre.
pub fn obstacles() -> Vec<Obstacle> {
    let mut state = LAYOUT_SEED;
    let mut placed: Vec<Obstacle> = Vec::with_capacity(OBSTACLE_COUNT);
    let inner = ARENA_HALF - 2.5;
    while placed.len() < OBSTACLE_COUNT {
        let pick = mix(&mut state) % 10;
        let (shape, radius) = match pick {
            0..=4 => (Shape::Rock((pick % 3) as u8), uniform(&mut state, 0.7, 1.5)),
            5..=7 => (Shape::Pillar, uniform(&mut state, 0.6, 1.0)),
            _ => (Shape::Crystal, uniform(&mut state, 0.7, 1.1)),
        };
        let at = Vec2::new(
            uniform(&mut state, -inner, inner),
            uniform(&mut state, -inner, inner),
        );
        let turn = uniform(&mut state, 0.0, core::f32::consts::TAU);
        // Runners fit between any two obstacles.
        let free = at.length() > CLEAR_CENTRE + radius
            && placed
                .iter()
                .all(|o| o.at.distance(at) > o.radius + radius + 2.5 * RUNNER_RADIUS);
        if free {
            placed.push(Obstacle {
                at,
                radius,
                turn,
                shape,
            });
        }
    }
    placed
}

/// Where a runner that wants to be at `to` on the floor ends up: pushed out of every obstacle
/// and kept inside the walls.
pub fn resolve(obstacles: &[Obstacle], mut to: Vec2) -> Vec2 {
    for obstacle in obstacles {
        let away = to - obstacle.at;
        let reach = obstacle.radius + RUNNER_RADIUS;
        let distance_squared = away.length_squared();
        if distance_squared < reach * reach {
            // At the very centre any way out will do.
            let out = if distance_squared > 1e-12 {
                away / distance_squared.sqrt()
            } else {
                Vec2::X
            };
            to = obstacle.at + out * reach;
        }
    }
    let limit = ARENA_HALF - RUNNER_RADIUS;
    to.clamp(Vec2::splat(-limit), Vec2::splat(limit))
}

/// Whether `at` on the floor is clear of every obstacle by `margin`.
#[cfg(not(target_arch = "wasm32"))] // servers and headless autopilots use them
pub fn is_clear(obstacles: &[Obstacle], at: Vec2, margin: f32) -> bool {
    obstacles
        .iter()
        .all(|o| o.at.distance(at) > o.radius + margin)
}

/// The stick a runner at `from` pushes to reach `target` on the floor, steering round the
/// obstacle in the way (what bots and the headless autopilot do).
#[cfg(not(target_arch = "wasm32"))]
pub fn steer(obstacles: &[Obstacle], from: Vec2, target: Vec2) -> Vec2 {
    let to_target = target - from;
    let distance = to_target.length();
    if distance < 1e-3 {
        return Vec2::ZERO;
    }
    let mut direction = to_target / distance;
    // The nearest obstacle across the straight way: head for the tangent of its circle (grown
    // by the runner's radius) on the side the way already leans to, or along it when touching.
    let ahead = obstacles
        .iter()
        .filter_map(|o| {
            let to_obstacle = o.at - from;
            let along = to_obstacle.dot(direction);
            let across = to_obstacle.perp_dot(direction);
            let reach = o.radius + RUNNER_RADIUS + 0.05;
            (along > 0.0 && along < distance + reach && across.abs() < reach).then_some((
                along,
                to_obstacle,
                across,
                reach,
            ))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, to_obstacle, across, reach)) = ahead {
        let d = to_obstacle.length();
        // Turning counter-clockwise from the obstacle passes it when the way leans that way.
        let turn = if across >= 0.0 { 1.0 } else { -1.0 };
        let angle = if d > reach {
            (reach / d).asin()
        } else {
            core::f32::consts::FRAC_PI_2
        };
        direction = Vec2::from_angle(turn * angle).rotate(to_obstacle / d);
    }
    // Input in the stick's frame: y forward is -z.
    Vec2::new(direction.x, -direction.y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_is_fixed_and_leaves_the_centre_free() {
        let a = obstacles();
        assert_eq!(a, obstacles());
        assert_eq!(a.len(), OBSTACLE_COUNT);
        assert!(a.iter().all(|o| o.at.length() > CLEAR_CENTRE));
        assert!(a.iter().any(|o| o.shape == Shape::Pillar));
        assert!(a.iter().any(|o| o.shape == Shape::Crystal));
    }

    #[test]
    fn runners_are_pushed_out_of_obstacles_and_kept_in_the_walls() {
        let rocks = [Obstacle {
            at: Vec2::new(2.0, 0.0),
            radius: 1.0,
            turn: 0.0,
            shape: Shape::Rock(0),
        }];
        let out = resolve(&rocks, Vec2::new(1.5, 0.0));
        assert!((out.distance(rocks[0].at) - (1.0 + RUNNER_RADIUS)).abs() < 1e-5);
        let wall = resolve(&rocks, Vec2::new(100.0, -100.0));
        assert_eq!(
            wall,
            Vec2::new(ARENA_HALF - RUNNER_RADIUS, -(ARENA_HALF - RUNNER_RADIUS))
        );
        // Steering round the rock in the way, not into it.
        let stick = steer(&rocks, Vec2::ZERO, Vec2::new(6.0, 0.0));
        assert!(stick.x > 0.0 && stick.y.abs() > 0.3, "{stick}");
    }

    /// Runs from `from` towards `target` the way bots do, in 0.2 m steps; where it got.
    fn chase(obstacles: &[Obstacle], mut from: Vec2, target: Vec2) -> Vec2 {
        for _ in 0..400 {
            let stick = steer(obstacles, from, target);
            from = resolve(obstacles, from + Vec2::new(stick.x, -stick.y) * 0.2);
            if from.distance(target) < 0.5 {
                break;
            }
        }
        from
    }

    #[test]
    fn steering_gets_round_obstacles_to_every_shard_place() {
        let layout = obstacles();
        // From the centre and from the corners to a grid of clear places.
        for from in [Vec2::ZERO, Vec2::new(-20.0, -20.0), Vec2::new(20.0, 15.0)] {
            for i in 0..7 {
                for j in 0..7 {
                    let target = Vec2::new(i as f32 * 8.0 - 24.0, j as f32 * 8.0 - 24.0);
                    if !is_clear(&layout, target, 1.0) || !is_clear(&layout, from, 1.0) {
                        continue;
                    }
                    let end = chase(&layout, from, target);
                    assert!(
                        end.distance(target) < 0.5,
                        "{from} -> {target}: stuck at {end}"
                    );
                }
            }
        }
    }
}
