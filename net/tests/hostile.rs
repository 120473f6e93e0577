//! Hostile clients against a server app over real WebSockets on 127.0.0.1, while three
//! well-behaved clients play: every hostile connection ends closed by the server, the server
//! never panics, and the players keep receiving every snapshot (counted per 100 frames before
//! and during the attack).
#![cfg(not(target_family = "wasm"))]

mod support;

use layerw_net::ClientId;
use layerw_net::message::{ClientMessage, DisconnectReason, ServerMessage};
use layerw_net::server::ClientConnected;
use layerw_net::stats::ServerStats;
use layerw_net::token::{TokenError, issue_token};
use support::sockets::*;
use support::*;

/// The well-behaved players' client ids.
const PLAYERS: [u64; 3] = [1, 2, 3];

/// A server with a one-second `Hello` deadline and 20 drones, and the three players connected
/// and walking for a second.
fn arena() -> Net {
    let mut net = Net::new(20, short_handshake());
    for id in PLAYERS {
        net.join(id);
    }
    net.run(60);
    net
}

/// Snapshot counts and the frame at the start of an attack.
struct Window {
    start: Vec<u64>,
    frame: usize,
}

impl Window {
    fn begin(net: &Net) -> Window {
        Window {
            start: net.snapshots(),
            frame: net.frame,
        }
    }

    /// Runs the rest of the attack's first 100 frames if the attack was shorter, then checks
    /// that every player still gets at least 90 % of the snapshots per 100 frames it got
    /// before (`before`, counted over 100 frames), and that no player was dropped.
    fn assert_kept(self, net: &mut Net, before: &[u64]) {
        let ran = net.frame - self.frame;
        if ran < 100 {
            net.run(100 - ran);
        }
        let frames = (net.frame - self.frame) as u64;
        let now = net.snapshots();
        for (i, (&before, (now, start))) in
            before.iter().zip(now.iter().zip(&self.start)).enumerate()
        {
            let during = (now - start) * 100 / frames;
            eprintln!("player {i}: {before} snapshots per 100 frames before, {during} during");
            assert!(
                before >= 45,
                "player {i}: {before} snapshots per 100 frames before"
            );
            assert!(
                during * 10 >= before * 9,
                "player {i}: {during} snapshots per 100 frames during the attack, {before} before"
            );
            assert!(net.client(i).is_connected(), "{:?}", net.client(i).state());
        }
        let players_dropped: Vec<_> = net
            .disconnected
            .iter()
            .filter(|d| PLAYERS.contains(&d.client.0))
            .collect();
        assert!(players_dropped.is_empty(), "{players_dropped:?}");
        let stats = net.server.world().resource::<ServerStats>().clone();
        assert_eq!(stats.clients, PLAYERS.len(), "{stats:?}");
    }
}

/// Opens a WebSocket and says `Hello` with `protocol` and `token` through the real
/// [`Connector`](layerw_net::Connector); polls it every frame until it is welcomed or ended.
fn attacker(net: &mut Net, protocol: u32, token: &[u8]) -> Attacker {
    let connection = net.open();
    let mut attacker = Attacker::new(connection, protocol, token);
    let settled = net.run_until(300, |_| {
        attacker.poll();
        attacker.welcomed() || attacker.ended().is_some()
    });
    assert!(settled, "the server neither welcomed nor refused");
    attacker
}

/// A raw TCP peer that finished the HTTP upgrade by hand.
fn upgraded(net: &mut Net) -> RawPeer {
    let mut peer = RawPeer::connect(net.addr);
    peer.write(UPGRADE.as_bytes());
    let done = net.run_until(600, |_| {
        peer.pump();
        peer.upgraded() || peer.closed
    });
    assert!(
        done && peer.upgraded(),
        "{:?}",
        String::from_utf8_lossy(&peer.inbox)
    );
    peer
}

/// The masked binary frame of a `Hello` with a valid token for `client_id`.
fn hello_frame(client_id: u64) -> Vec<u8> {
    let mut hello = Vec::new();
    ClientMessage::Hello {
        protocol: PROTOCOL,
        game: GAME,
        token: token(client_id),
    }
    .encode(&mut hello);
    client_frame(0x2, &hello)
}

/// A raw peer admitted as `client_id` (welcomed by the server, which reported it connected).
fn admitted(net: &mut Net, client_id: u64) -> RawPeer {
    let mut peer = upgraded(net);
    peer.write(&hello_frame(client_id));
    let welcomed = net.run_until(300, |net| {
        peer.pump();
        net.connected.contains(&ClientConnected {
            client: ClientId(client_id),
            resumed: false,
        })
    });
    assert!(welcomed, "{:?}", peer.frames());
    let run = net.run_until(60, |_| {
        peer.pump();
        !peer.messages().is_empty()
    });
    assert!(run);
    assert!(
        matches!(peer.messages()[0], ServerMessage::Welcome { client_id: id, .. } if id == client_id),
        "{:?}",
        peer.messages()
    );
    peer
}

/// Steps until the server closed `peer` (pumping it every frame); false at the frame cap or
/// the deadline.
fn until_closed(net: &mut Net, peer: &mut RawPeer, max_frames: usize) -> bool {
    net.run_until(max_frames, |_| {
        peer.pump();
        peer.closed
    })
}

/// The server's reason for dropping `client_id`, once it did.
fn dropped(net: &Net, client_id: u64) -> Option<DisconnectReason> {
    net.disconnected
        .iter()
        .find(|d| d.client == ClientId(client_id))
        .map(|d| d.reason.clone())
}

/// A WebSocket frame header announcing 2^62 - 1 bytes (allocating that would abort).
fn oversized_header() -> Vec<u8> {
    let announced: u64 = (1 << 62) - 1;
    let mut frame = vec![0x82, 0x80 | 127];
    frame.extend_from_slice(&announced.to_be_bytes());
    frame.extend_from_slice(&[1, 2, 3, 4]);
    frame
}

/// Deterministic garbage (xorshift).
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn an_oversized_frame_closes_only_its_connection() {
    let mut net = arena();
    let before = net.snapshots_over(100);
    let window = Window::begin(&net);

    // Before its Hello: the transport refuses the frame from its header.
    let mut early = upgraded(&mut net);
    early.write(&oversized_header());
    assert!(until_closed(&mut net, &mut early, 300));
    assert_eq!(early.close_code(), Some(1009), "{:?}", early.frames());

    // After a valid Hello: the same, and the server reports the client lost.
    let mut late = admitted(&mut net, 100);
    late.write(&oversized_header());
    assert!(until_closed(&mut net, &mut late, 300));
    assert_eq!(late.close_code(), Some(1009));
    let settled = net.run_until(60, |net| dropped(net, 100).is_some());
    assert!(settled);
    match dropped(&net, 100) {
        Some(DisconnectReason::ConnectionLost { detail }) => {
            assert!(detail.contains("exceeds the limit"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    window.assert_kept(&mut net, &before);
}

#[test]
fn a_flood_of_messages_is_cut_off_by_the_rate_limits() {
    let mut net = arena();
    let before = net.snapshots_over(100);
    let window = Window::begin(&net);
    let mut pings = attacker(&mut net, PROTOCOL, &token(101));
    let mut inputs = attacker(&mut net, PROTOCOL, &token(102));
    let mut bytes = attacker(&mut net, PROTOCOL, &token(103));
    assert!(pings.welcomed() && inputs.welcomed() && bytes.welcomed());
    let small = vec![vec![1u8, 2, 3]; 4];
    let large = vec![vec![0xAB; 256]; 16];
    let mut frames = 0;
    let cut_off = net.run_until(600, |net| {
        // Thousands of messages per frame, as fast as the socket takes them, for ten frames.
        if frames < 10 {
            for i in 0..2000u32 {
                let _ = pings.connector.ping(f64::from(i));
                let _ = inputs.connector.send_input(None, i, &small);
                if i < 200 {
                    let _ = bytes.connector.send_input(None, i, &large);
                }
            }
        }
        frames += 1;
        for attacker in [&mut pings, &mut inputs, &mut bytes] {
            attacker.poll();
        }
        [101, 102, 103].iter().all(|&id| dropped(net, id).is_some())
            && pings.ended().is_some()
            && inputs.ended().is_some()
            && bytes.ended().is_some()
    });
    assert!(cut_off, "{:?}", net.disconnected);
    assert_eq!(
        dropped(&net, 101),
        Some(DisconnectReason::MessageRateExceeded)
    );
    assert_eq!(
        dropped(&net, 102),
        Some(DisconnectReason::MessageRateExceeded)
    );
    assert_eq!(dropped(&net, 103), Some(DisconnectReason::ByteRateExceeded));
    // The attackers hear the verdict, or (a flood leaves unread bytes on the server, whose
    // close then resets the TCP connection) find their connection reset.
    for (attacker, expected) in [
        (&pings, DisconnectReason::MessageRateExceeded),
        (&inputs, DisconnectReason::MessageRateExceeded),
        (&bytes, DisconnectReason::ByteRateExceeded),
    ] {
        let reason = attacker.ended().unwrap();
        eprintln!("flooder told: {reason:?}");
        assert!(
            *reason == expected || matches!(reason, DisconnectReason::ConnectionLost { .. }),
            "{reason:?}"
        );
    }
    window.assert_kept(&mut net, &before);
}

#[test]
fn a_slowloris_is_dropped_by_the_handshake_timeouts() {
    let mut net = arena();
    let before = net.snapshots_over(100);
    let window = Window::begin(&net);

    // Trickling the HTTP upgrade, a byte every ten frames (>= 10 ms of real time each): the
    // transport's one-second upgrade deadline drops it long before the request is complete.
    let request = UPGRADE.as_bytes();
    let mut slow = RawPeer::connect(net.addr);
    let mut sent = 0;
    let mut frames = 0;
    let dropped_upgrade = net.run_until(3000, |_| {
        slow.pump();
        if frames % 10 == 0 && sent < request.len() && !slow.closed {
            slow.write(&request[sent..=sent]);
            sent += 1;
        }
        frames += 1;
        slow.closed
    });
    assert!(dropped_upgrade, "still open after {sent} bytes");
    eprintln!("upgrade slowloris dropped after {sent} bytes, {frames} frames");
    assert!(sent < request.len(), "the whole request went through");
    assert!(slow.inbox.is_empty(), "{:?}", slow.inbox);

    // Upgraded, then trickling the Hello: the server's one-second (simulated) Hello deadline.
    let hello = hello_frame(110);
    let mut slow = upgraded(&mut net);
    let (mut sent, mut frames) = (0, 0);
    let dropped_hello = net.run_until(600, |_| {
        slow.pump();
        if frames % 10 == 0 && sent < hello.len() && slow.frames().is_empty() {
            slow.write(&hello[sent..=sent]);
            sent += 1;
        }
        frames += 1;
        slow.closed
    });
    assert!(dropped_hello, "still open after {sent} bytes");
    eprintln!("Hello slowloris dropped after {sent} bytes, {frames} frames");
    assert!(sent < hello.len());
    assert!((45..=90).contains(&frames), "dropped after {frames} frames");
    assert_eq!(slow.rejected(), Some(DisconnectReason::HandshakeTimeout));
    assert!(slow.close_code().is_some(), "{:?}", slow.frames());
    assert!(dropped(&net, 110).is_none(), "never a client");
    window.assert_kept(&mut net, &before);
}

#[test]
fn garbage_bytes_are_dropped() {
    let mut net = arena();
    let before = net.snapshots_over(100);
    let window = Window::begin(&net);

    // Instead of HTTP.
    let mut raw = RawPeer::connect(net.addr);
    raw.write(&garbage(4096, 0x9E37_79B9_7F4A_7C15));
    assert!(until_closed(&mut net, &mut raw, 600));
    assert!(!raw.upgraded());

    // Instead of WebSocket frames.
    let mut unframed = upgraded(&mut net);
    let mut bytes = garbage(512, 7);
    bytes[0] = 0xF3; // reserved bits set: not a frame any peer may send
    unframed.write(&bytes);
    assert!(until_closed(&mut net, &mut unframed, 600));
    assert_eq!(unframed.close_code(), Some(1002), "{:?}", unframed.frames());

    // A binary message that is no protocol message, instead of Hello.
    let mut pending = upgraded(&mut net);
    pending.write(&client_frame(0x2, &[0xFF; 40]));
    assert!(until_closed(&mut net, &mut pending, 600));
    assert_eq!(pending.rejected(), Some(DisconnectReason::MalformedMessage));

    // The same from an admitted client.
    let mut client = admitted(&mut net, 104);
    let mut message = garbage(100, 3);
    message[0] = 0xFF; // no message kind
    client.write(&client_frame(0x2, &message));
    assert!(until_closed(&mut net, &mut client, 600));
    let told = client.messages().into_iter().any(|m| {
        m == ServerMessage::Disconnect {
            reason: DisconnectReason::MalformedMessage,
        }
    });
    assert!(told, "{:?}", client.messages().last());
    let settled = net.run_until(60, |net| dropped(net, 104).is_some());
    assert!(settled);
    assert_eq!(dropped(&net, 104), Some(DisconnectReason::MalformedMessage));
    window.assert_kept(&mut net, &before);
}

#[test]
fn a_forged_token_is_refused() {
    let mut net = arena();
    let before = net.snapshots_over(100);
    let window = Window::begin(&net);
    let mut forged = token(105);
    forged[16] ^= 0x01; // the client id's low byte: 105 becomes 104
    let attacker = attacker(&mut net, PROTOCOL, &forged);
    assert_eq!(
        attacker.ended(),
        Some(&DisconnectReason::BadToken(TokenError::BadSignature))
    );
    assert!(!attacker.welcomed());
    assert!(net.connected.iter().all(|c| PLAYERS.contains(&c.client.0)));
    window.assert_kept(&mut net, &before);
}

#[test]
fn an_expired_token_is_refused() {
    let mut net = arena();
    let before = net.snapshots_over(100);
    let window = Window::begin(&net);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expired = issue_token(&key(), PROTOCOL, GAME, 106, 60, now - 3600).unwrap();
    let attacker = attacker(&mut net, PROTOCOL, &expired);
    assert!(
        matches!(
            attacker.ended(),
            Some(DisconnectReason::BadToken(TokenError::Expired { expired_at, .. }))
                if *expired_at == now - 3540
        ),
        "{:?}",
        attacker.ended()
    );
    assert!(net.connected.iter().all(|c| PLAYERS.contains(&c.client.0)));
    window.assert_kept(&mut net, &before);
}

#[test]
fn a_reused_token_is_refused_and_its_owner_plays_on() {
    let mut net = arena();
    let before = net.snapshots_over(100);
    let window = Window::begin(&net);
    // Valid tokens (freshly issued) for the ids of two connected players.
    let attacker_fresh = attacker(&mut net, PROTOCOL, &token(PLAYERS[0]));
    assert_eq!(attacker_fresh.ended(), Some(&DisconnectReason::TokenInUse));
    let again = attacker(&mut net, PROTOCOL, &token(PLAYERS[1]));
    assert_eq!(again.ended(), Some(&DisconnectReason::TokenInUse));
    assert_eq!(net.connected.len(), PLAYERS.len(), "{:?}", net.connected);
    window.assert_kept(&mut net, &before);
}

#[test]
fn a_wrong_protocol_version_is_refused() {
    let mut net = arena();
    let before = net.snapshots_over(100);
    let window = Window::begin(&net);
    let attacker = attacker(&mut net, PROTOCOL + 1, &token(107));
    assert_eq!(
        attacker.ended(),
        Some(&DisconnectReason::WrongVersion {
            expected: PROTOCOL,
            found: PROTOCOL + 1
        })
    );
    assert!(net.connected.iter().all(|c| PLAYERS.contains(&c.client.0)));
    window.assert_kept(&mut net, &before);
}

#[test]
fn a_crowd_of_silent_connections_is_refused_then_timed_out() {
    let mut net = arena();
    let before = net.snapshots_over(100);
    let window = Window::begin(&net);
    // 40 upgraded connections that never say Hello: 32 (`Limits::max_pending`) wait for their
    // deadline, the rest are refused at once.
    let mut crowd: Vec<RawPeer> = (0..40)
        .map(|_| {
            let mut peer = RawPeer::connect(net.addr);
            peer.write(UPGRADE.as_bytes());
            peer
        })
        .collect();
    let all_closed = net.run_until(600, |_| {
        for peer in &mut crowd {
            peer.pump();
        }
        crowd.iter().all(|peer| peer.closed)
    });
    assert!(all_closed);
    let count = |reason: DisconnectReason| {
        crowd
            .iter()
            .filter(|peer| peer.rejected() == Some(reason.clone()))
            .count()
    };
    assert_eq!(count(DisconnectReason::ServerBusy), 8);
    assert_eq!(count(DisconnectReason::HandshakeTimeout), 32);
    // The door is open again.
    let index = net.join(120);
    assert!(net.client(index).is_connected());
    net.clients.pop();
    let settled = net.run_until(60, |net| dropped(net, 120).is_some());
    assert!(settled);
    window.assert_kept(&mut net, &before);
}
