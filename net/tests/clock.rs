//! Clock synchronisation in seeded simulations (no real time).

use layerw_net::clock::{ClockError, ClockSync};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const RATE: f64 = 30.0;
/// The server started this many client seconds after the client's clock zero.
const SERVER_START: f64 = 12.345;

fn true_tick(t: f64) -> f64 {
    (t - SERVER_START) * RATE
}

/// One ping/pong: returns (sent, arrival, server tick at reply).
fn ping(rng: &mut SmallRng, sent: f64, base_one_way: f64, jitter: f64) -> (f64, f64, f64) {
    let up = base_one_way + rng.random_range(0.0..jitter);
    let down = base_one_way + rng.random_range(0.0..jitter);
    (sent, sent + up + down, true_tick(sent + up))
}

#[test]
fn converges_to_the_true_offset_under_jitter() {
    let mut rng = SmallRng::seed_from_u64(11);
    let mut clock = ClockSync::new(RATE);
    assert!(!clock.is_synced());
    let mut t = 20.0;
    for _ in 0..200 {
        let (sent, now, tick) = ping(&mut rng, t, 0.04, 0.02);
        clock.on_pong(sent, now, tick, RATE).unwrap();
        t += 0.25;
    }
    assert!(clock.is_synced());
    // RTT: 2 x (40 ms + mean 10 ms) = 100 ms; jitter: a few ms.
    assert!((clock.rtt() - 0.1).abs() < 0.01, "rtt {}", clock.rtt());
    assert!(
        clock.jitter() > 0.001 && clock.jitter() < 0.02,
        "jitter {}",
        clock.jitter()
    );
    let error = clock.server_tick_estimate(t) - true_tick(t);
    assert!(error.abs() < 0.25, "estimate off by {error} ticks");
    // Target: ahead of the server by the one-way trip plus the margin.
    let ahead = clock.target_client_tick(t) - true_tick(t);
    let expected = 0.05 * RATE + clock.margin_ticks();
    assert!(
        (ahead - expected).abs() < 0.5,
        "target ahead by {ahead}, expected {expected}"
    );
    assert!(clock.margin_ticks() >= 2.0);
}

#[test]
fn one_late_pong_does_not_swing_the_estimate() {
    let mut rng = SmallRng::seed_from_u64(12);
    let mut clock = ClockSync::new(RATE);
    let mut t = 20.0;
    for _ in 0..50 {
        let (sent, now, tick) = ping(&mut rng, t, 0.04, 0.01);
        clock.on_pong(sent, now, tick, RATE).unwrap();
        t += 0.25;
    }
    let (rtt, estimate) = (clock.rtt(), clock.server_tick_estimate(t));
    // One pong delayed by a whole second on the way back.
    let (sent, now, tick) = ping(&mut rng, t, 0.04, 0.01);
    clock.on_pong(sent, now + 1.0, tick, RATE).unwrap();
    assert!(
        (clock.rtt() - rtt).abs() < 0.01,
        "rtt moved {} -> {}",
        rtt,
        clock.rtt()
    );
    let moved = clock.server_tick_estimate(t) - estimate;
    assert!(moved.abs() < 0.1, "estimate moved {moved} ticks");
}

#[test]
fn follows_a_lasting_rtt_change() {
    let mut rng = SmallRng::seed_from_u64(13);
    let mut clock = ClockSync::new(RATE);
    let mut t = 20.0;
    for _ in 0..50 {
        let (sent, now, tick) = ping(&mut rng, t, 0.02, 0.004);
        clock.on_pong(sent, now, tick, RATE).unwrap();
        t += 0.25;
    }
    for _ in 0..60 {
        let (sent, now, tick) = ping(&mut rng, t, 0.1, 0.004);
        clock.on_pong(sent, now, tick, RATE).unwrap();
        t += 0.25;
    }
    assert!((clock.rtt() - 0.204).abs() < 0.01, "rtt {}", clock.rtt());
    let error = clock.server_tick_estimate(t) - true_tick(t);
    assert!(error.abs() < 0.25, "estimate off by {error} ticks");
}

#[test]
fn snapshots_give_an_estimate_before_the_first_pong_and_a_floor() {
    let mut clock = ClockSync::new(RATE);
    // Snapshots of tick T leave at the true time of T and take 50 ms.
    for tick in 100..130u32 {
        let now = SERVER_START + f64::from(tick) / RATE + 0.05;
        clock.on_snapshot(tick, now);
    }
    assert!(clock.is_synced());
    let now = SERVER_START + 130.0 / RATE;
    // Without an RTT the one-way time is unknown: the estimate trails by it (1.5 ticks).
    let error = clock.server_tick_estimate(now) - true_tick(now);
    assert!(error <= 0.0 && error > -1.6, "error {error}");
    assert!(clock.server_tick_estimate(now) >= 129.0);
}

#[test]
fn time_scale_is_bounded_and_converges() {
    let mut rng = SmallRng::seed_from_u64(14);
    let mut clock = ClockSync::new(RATE);
    let dt = 1.0 / RATE;
    let mut t = 20.0;
    for _ in 0..40 {
        let (sent, now, tick) = ping(&mut rng, t, 0.04, 0.01);
        clock.on_pong(sent, now, tick, RATE).unwrap();
        t += 0.05;
    }
    // Start 6 ticks behind the target: nudged, not resynced.
    let mut client_tick = clock.target_client_tick(t) - 6.0;
    let mut last_abs_error = f64::INFINITY;
    for step in 0..600 {
        if step % 8 == 0 {
            let (sent, now, tick) = ping(&mut rng, t - 0.12, 0.04, 0.01);
            clock.on_pong(sent, now.min(t), tick, RATE).unwrap();
        }
        let scale = clock.time_scale(client_tick, t);
        assert!((0.95..=1.05).contains(&scale), "scale {scale}");
        assert!(!clock.needs_resync());
        if step % 100 == 0 {
            let e = clock.last_error().abs();
            // Shrinks until it reaches the noise of the estimate.
            assert!(
                e < last_abs_error || e < 0.3,
                "error {e} did not shrink from {last_abs_error}"
            );
            last_abs_error = e;
        }
        client_tick += scale;
        t += dt;
    }
    let error = clock.tick_error(client_tick, t);
    assert!(error.abs() < 0.3, "still {error} ticks off");

    // Far off: resync, then no error left.
    clock.time_scale(client_tick - 40.0, t);
    assert!(clock.needs_resync());
    let target = clock.target_client_tick(t);
    clock.time_scale(target, t);
    assert!(!clock.needs_resync());
    assert_eq!(clock.time_scale(target, t), 1.0);
}

#[test]
fn bad_samples_are_rejected() {
    let mut clock = ClockSync::new(RATE);
    assert_eq!(
        clock.on_pong(5.0, 4.0, 10.0, RATE),
        Err(ClockError::InvalidRtt {
            sent: 5.0,
            now: 4.0
        })
    );
    assert_eq!(
        clock.on_pong(4.0, 5.0, 10.0, 0.0),
        Err(ClockError::InvalidTickRate { tick_rate: 0.0 })
    );
    assert!(clock.on_pong(4.0, f64::NAN, 10.0, RATE).is_err());
    assert!(clock.on_pong(4.0, 5.0, f64::INFINITY, RATE).is_err());
    assert!(!clock.is_synced());
    assert_eq!(clock.rtt(), 0.0);
}
