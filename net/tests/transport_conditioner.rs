//! The link conditioner on in-memory connections with a manual clock: every outcome is
//! deterministic (seeded draws, time moved by the test).

use layerw_net::transport::conditioner::SCHEDULED_DISCONNECT;
use layerw_net::transport::memory::{self, MemoryConnection};
use layerw_net::transport::{
    Conditioned, Connection, Delivery, LinkConditions, NetClock, TransportError,
};

/// The test's time step, seconds.
const STEP: f64 = 0.001;

fn conditioned(
    conditions: LinkConditions,
) -> (Conditioned<MemoryConnection>, MemoryConnection, NetClock) {
    let clock = NetClock::manual();
    let (a, b) = memory::pair();
    (Conditioned::new(a, conditions, clock.clone()), b, clock)
}

fn message(index: u32, delivery: Delivery) -> Vec<u8> {
    let mut bytes = index.to_le_bytes().to_vec();
    bytes.push(u8::from(delivery == Delivery::Reliable));
    bytes
}

fn index_of(message: &[u8]) -> u32 {
    u32::from_le_bytes([message[0], message[1], message[2], message[3]])
}

/// Sends `count` messages one per step (`delivery_of(i)`), stepping the clock until all that
/// were not dropped arrived; returns (index, send time, arrival time) in arrival order.
fn run(
    sender: &mut Conditioned<MemoryConnection>,
    receiver: &mut MemoryConnection,
    clock: &NetClock,
    count: u32,
    delivery_of: impl Fn(u32) -> Delivery,
) -> Vec<(u32, f64, f64)> {
    let mut sent_at = Vec::new();
    let mut arrivals = Vec::new();
    for step in 0..(count + 20_000) {
        if step < count {
            sender
                .send(&message(step, delivery_of(step)), delivery_of(step))
                .unwrap();
            sent_at.push(clock.now_secs());
        }
        sender.flush().unwrap();
        while let Some(received) = receiver.receive().unwrap() {
            let index = index_of(&received);
            arrivals.push((index, sent_at[index as usize], clock.now_secs()));
        }
        if step >= count && sender.held_outgoing() == 0 {
            break;
        }
        clock.advance(STEP);
    }
    assert_eq!(sender.held_outgoing(), 0, "everything left the conditioner");
    arrivals
}

#[test]
fn latency_and_jitter_stay_within_bounds() {
    let conditions = LinkConditions {
        drop_unreliable: 0.0,
        ..LinkConditions::wan_100ms()
    };
    let (mut a, mut b, clock) = conditioned(conditions);
    let arrivals = run(&mut a, &mut b, &clock, 500, |_| Delivery::Unreliable);
    assert_eq!(arrivals.len(), 500);
    let delays: Vec<f64> = arrivals.iter().map(|(_, sent, got)| got - sent).collect();
    for delay in &delays {
        // 50 ms +- 20 ms, observed at the next 1 ms step at the latest.
        assert!(
            *delay >= 0.030 - 1e-9 && *delay <= 0.070 + STEP + 1e-9,
            "delay {delay}"
        );
    }
    let min = delays.iter().copied().fold(f64::MAX, f64::min);
    let max = delays.iter().copied().fold(0.0, f64::max);
    assert!(
        min < 0.035 && max > 0.065,
        "jitter spreads delays: {min}..{max}"
    );
    // Jittered unreliable messages overtake each other.
    assert!(arrivals.windows(2).any(|pair| pair[0].0 > pair[1].0));
}

#[test]
fn reliable_messages_keep_their_order_and_none_is_lost() {
    let conditions = LinkConditions {
        latency: 0.05,
        jitter: 0.05,
        drop_unreliable: 0.5,
        ..LinkConditions::perfect()
    };
    let (mut a, mut b, clock) = conditioned(conditions);
    let delivery = |i: u32| {
        if i.is_multiple_of(3) {
            Delivery::Reliable
        } else {
            Delivery::Unreliable
        }
    };
    let arrivals = run(&mut a, &mut b, &clock, 3000, delivery);
    let reliable: Vec<u32> = arrivals
        .iter()
        .map(|(index, _, _)| *index)
        .filter(|index| index % 3 == 0)
        .collect();
    let expected: Vec<u32> = (0..3000).step_by(3).collect();
    assert_eq!(reliable, expected);
    let stats = a.stats();
    assert!(stats.dropped_unreliable > 0);
    assert_eq!(stats.sent, 3000);
    assert_eq!(stats.forwarded + stats.dropped_unreliable, 3000);
    for (index, sent, got) in &arrivals {
        if index % 3 != 0 {
            // Unreliable ones never wait for others: 50 ms +- 50 ms.
            assert!(
                got - sent <= 0.1 + STEP + 1e-9,
                "message {index} took {}",
                got - sent
            );
        }
    }
}

#[test]
fn unreliable_drop_rate_matches_and_is_seeded() {
    let conditions = LinkConditions {
        drop_unreliable: 0.2,
        seed: 42,
        ..LinkConditions::perfect()
    };
    let outcome = |conditions: LinkConditions| {
        let (mut a, mut b, clock) = conditioned(conditions);
        let arrivals = run(&mut a, &mut b, &clock, 10_000, |_| Delivery::Unreliable);
        (
            a.stats().dropped_unreliable,
            arrivals.into_iter().map(|(i, _, _)| i).collect::<Vec<_>>(),
        )
    };
    let (dropped, arrived) = outcome(conditions.clone());
    assert_eq!(dropped as usize + arrived.len(), 10_000);
    let rate = dropped as f64 / 10_000.0;
    assert!((rate - 0.2).abs() < 0.02, "drop rate {rate}");
    assert_eq!(
        outcome(conditions.clone()),
        (dropped, arrived.clone()),
        "same seed, same losses"
    );
    assert_ne!(
        outcome(conditions.with_seed(43)).1,
        arrived,
        "another seed, other losses"
    );
}

#[test]
fn a_burst_holds_everything_then_releases_it_in_order() {
    let conditions = LinkConditions {
        latency: 0.01,
        burst_every: Some(1.0),
        burst_duration: 0.3,
        ..LinkConditions::perfect()
    };
    let (mut a, mut b, clock) = conditioned(conditions);
    clock.set_secs(0.9);
    let mut sent = 0u32;
    // 0.9 s .. 1.25 s: one reliable message per 10 ms, polling every step.
    while clock.now_secs() < 1.25 {
        if ((clock.now_secs() * 1000.0).round() as u64).is_multiple_of(10) {
            a.send(&message(sent, Delivery::Reliable), Delivery::Reliable)
                .unwrap();
            sent += 1;
        }
        a.flush().unwrap();
        if clock.now_secs() >= 1.0 + 1e-9 {
            assert!(a.in_burst());
            assert_eq!(
                b.receive().unwrap(),
                None,
                "nothing passes during the burst at {}",
                clock.now_secs()
            );
        } else {
            while b.receive().unwrap().is_some() {}
        }
        clock.advance(STEP);
    }
    let held = a.held_outgoing();
    assert!(held >= 25, "the burst held {held} messages");
    clock.set_secs(1.3);
    assert!(!a.in_burst());
    a.flush().unwrap();
    let released: Vec<u32> = std::iter::from_fn(|| b.receive().unwrap())
        .map(|m| index_of(&m))
        .collect();
    assert_eq!(
        released.len(),
        held,
        "everything held comes out at the burst's end"
    );
    assert!(released.windows(2).all(|pair| pair[0] + 1 == pair[1]));
    assert_eq!(*released.last().unwrap(), sent - 1);
}

#[test]
fn incoming_messages_are_delayed_so_one_side_models_the_round_trip() {
    let (mut client, mut server, clock) = conditioned(LinkConditions {
        latency: 0.05,
        ..LinkConditions::perfect()
    });
    client.send(b"ping", Delivery::Reliable).unwrap();
    let mut echoed_at = None;
    let mut answered_at = None;
    for _ in 0..1000 {
        client.flush().unwrap();
        if let Some(ping) = server.receive().unwrap() {
            server.send(&ping, Delivery::Reliable).unwrap();
            echoed_at = Some(clock.now_secs());
        }
        if client.receive().unwrap().is_some() {
            answered_at = Some(clock.now_secs());
            break;
        }
        clock.advance(STEP);
    }
    let (echoed, answered) = (echoed_at.unwrap(), answered_at.unwrap());
    assert!((echoed - 0.05).abs() < 1e-6, "one way: {echoed}");
    assert!((answered - 0.1).abs() < 1e-6, "round trip: {answered}");
}

#[test]
fn peer_close_arrives_after_the_messages_before_it() {
    let (mut client, mut server, clock) = conditioned(LinkConditions {
        latency: 0.05,
        ..LinkConditions::perfect()
    });
    server.send(b"bye", Delivery::Reliable).unwrap();
    server.close("server full");
    assert_eq!(client.receive().unwrap(), None, "not due yet");
    clock.advance(0.05);
    assert_eq!(client.receive().unwrap(), Some(b"bye".to_vec()));
    let closed = TransportError::Closed {
        reason: "server full".into(),
    };
    assert_eq!(client.receive(), Err(closed.clone()));
    assert!(!client.is_open());
    assert_eq!(client.send(b"x", Delivery::Reliable), Err(closed));
}

#[test]
fn closing_passes_held_messages_on_first() {
    let (mut server, mut client, _clock) = conditioned(LinkConditions::wan_100ms());
    server
        .send(b"rejected: bad token", Delivery::Reliable)
        .unwrap();
    server.close("rejected");
    assert!(!server.is_open());
    assert_eq!(
        client.receive().unwrap(),
        Some(b"rejected: bad token".to_vec())
    );
    assert_eq!(
        client.receive(),
        Err(TransportError::Closed {
            reason: "rejected".into()
        })
    );
}

#[test]
fn scheduled_and_forced_disconnects_close_both_ends() {
    let (mut a, mut b, clock) = conditioned(LinkConditions {
        disconnect_after: Some(2.0),
        ..LinkConditions::perfect()
    });
    a.send(b"early", Delivery::Reliable).unwrap();
    a.flush().unwrap();
    clock.advance(1.999);
    assert!(a.is_open());
    clock.advance(0.001);
    assert!(!a.is_open());
    let closed = TransportError::Closed {
        reason: SCHEDULED_DISCONNECT.into(),
    };
    assert_eq!(a.send(b"late", Delivery::Reliable), Err(closed.clone()));
    assert_eq!(b.receive().unwrap(), Some(b"early".to_vec()));
    assert_eq!(b.receive(), Err(closed));

    let (mut c, d, _clock) = conditioned(LinkConditions::lan());
    c.send(b"lost", Delivery::Reliable).unwrap();
    c.force_disconnect("cable pulled");
    assert!(!c.is_open() && !d.is_open());
    assert_eq!(c.held_outgoing(), 0);
    assert_eq!(
        c.flush(),
        Err(TransportError::Closed {
            reason: "cable pulled".into()
        })
    );
}
