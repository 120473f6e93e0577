//! What the networking benchmarks (net_bandwidth, net_load) replicate: entities on circles,
//! spinning about their own axes, and an action set with nothing in it to press.

use layerw::net::codec::{PositionCodec, RotationCodec};
use layerw::prelude::*;

/// The benchmarks' one action (clients send an empty input every tick).
#[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Idle {
    Wait,
}

/// A server entity moving on its own circle and spinning about its own axis.
#[derive(Clone, Copy, Debug)]
pub struct Orbit {
    pub center: Vec3,
    pub radius: f32,
    /// Radians per second along the circle (speed / radius).
    pub omega: f32,
    pub phase: f32,
    pub axis: Vec3,
    /// Radians per second about `axis`.
    pub spin: f32,
    pub angle: f32,
    /// Which of [`Motion::groups`] it belongs to.
    pub group: u32,
}

/// What moves: every entity (one group), or one group in `groups` at a time, each for
/// `epoch` seconds (Fiedler's mostly resting scene).
pub struct Motion {
    pub seconds: f64,
    pub groups: u32,
    pub epoch: f64,
}

impl Motion {
    /// Everything moves all the time.
    pub fn always() -> Motion {
        Motion {
            seconds: 0.0,
            groups: 1,
            epoch: 1.0,
        }
    }

    fn moving(&self, group: u32) -> bool {
        let epoch = (self.seconds / self.epoch).floor() as u64;
        self.groups <= 1 || (epoch + u64::from(group)).is_multiple_of(u64::from(self.groups))
    }
}

/// Moves and turns every [`Orbit`] whose group is moving (needs the [`Motion`] resource).
pub fn orbit(
    mut orbits: Query<(&mut Orbit, &mut Position, &mut Rotation)>,
    mut motion: ResMut<Motion>,
    dt: Delta,
) {
    motion.seconds += dt.seconds_f64();
    let dt = dt.seconds();
    for (o, position, rotation) in orbits.iter() {
        if !motion.moving(o.group) {
            continue;
        }
        o.phase += o.omega * dt;
        o.angle += o.spin * dt;
        position.0 = o.center + Vec3::new(o.phase.cos(), 0.0, o.phase.sin()) * o.radius;
        rotation.0 = Quat::from_axis_angle(o.axis, o.angle);
    }
}

/// Positions in 1 mm steps inside a box of `half_side` x 16 m x `half_side` around the origin,
/// rotations as smallest three at 12 bits.
pub fn replication(half_side: f32) -> Replication {
    Replication::new()
        .with::<Position>(
            PositionCodec::new(
                Vec3::new(-half_side, -16.0, -half_side),
                Vec3::new(half_side, 16.0, half_side),
                0.001,
            )
            .expect("valid position codec"),
        )
        .with::<Rotation>(RotationCodec::new(12).expect("valid rotation codec"))
}
