//! The protocol layer through its public API: handshakes, tokens, limits, timeouts, resume,
//! over a private in-memory transport.

use std::time::Duration;

use layerw_net::connections::{
    ClientEvent, ClientId, ConnectionManager, ConnectionState, Connector, NetError, ServerConfig,
    ServerEvent,
};
use layerw_net::limits::Limits;
use layerw_net::message::{ClientMessage, DisconnectReason, ServerMessage};
use layerw_net::token::{ConnectToken, ServerKey, TokenError, issue_token};
use layerw_net::transport::{Connection, Delivery, Listener};

#[path = "protocol/memory.rs"]
mod memory;
use memory::MemoryListener;

// The test server.

const PROTOCOL: u32 = 7;
const GAME: u64 = 0x6A4E;
const UNIX: u64 = 1_700_000_000;

fn key() -> ServerKey {
    ServerKey::from_bytes([3; 32])
}

fn token(client_id: u64) -> Vec<u8> {
    issue_token(&key(), PROTOCOL, GAME, client_id, 60, UNIX).unwrap()
}

fn test_limits() -> Limits {
    Limits {
        max_clients: 4,
        max_pending: 4,
        handshake_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(5),
        resume_grace: Duration::from_secs(10),
        max_messages_per_poll: 16,
        ..Limits::default()
    }
}

struct Harness {
    server: ConnectionManager,
    listener: MemoryListener,
    events: Vec<ServerEvent>,
    now: f64,
}

impl Harness {
    fn new(limits: Limits) -> Self {
        let mut server = ConnectionManager::new(ServerConfig {
            protocol: PROTOCOL,
            game: GAME,
            key: key(),
            limits,
            tick_rate: 30,
        });
        let listener = MemoryListener::default();
        server.add_listener(Box::new(listener.clone()));
        Harness {
            server,
            listener,
            events: Vec::new(),
            now: 0.0,
        }
    }

    /// Polls the server at `self.now` and returns this poll's events.
    fn poll(&mut self) -> Vec<ServerEvent> {
        self.events.clear();
        self.server.poll(self.now, UNIX, 100, &mut self.events);
        self.server.flush();
        std::mem::take(&mut self.events)
    }

    fn connector(&self, hello_protocol: u32, hello_game: u64, token: &[u8]) -> Connector {
        Connector::with_limits(
            self.listener.connect(),
            hello_protocol,
            hello_game,
            token,
            self.now,
            test_limits(),
        )
    }

    /// Connects `client_id` and checks both sides saw the handshake.
    fn join(&mut self, client_id: u64) -> Connector {
        let mut client = self.connector(PROTOCOL, GAME, &token(client_id));
        let events = self.poll();
        assert_eq!(
            events,
            vec![ServerEvent::Connected {
                client: ClientId(client_id),
                resumed: false
            }]
        );
        let events = poll_client(&mut client, self.now);
        assert!(
            matches!(events[..], [ClientEvent::Connected { client_id: id, tick: 100, tick_rate: 30, resumed: false }] if id == client_id)
        );
        client
    }
}

fn poll_client(client: &mut Connector, now: f64) -> Vec<ClientEvent> {
    let mut events = Vec::new();
    client.poll(now, &mut events);
    events
}

/// The handshake's refusal as the client reports it; the server admits nobody new.
fn refused(h: &mut Harness, mut client: Connector) -> DisconnectReason {
    let before = h.server.client_count();
    assert_eq!(h.poll(), vec![]);
    assert_eq!(h.server.client_count(), before);
    let events = poll_client(&mut client, h.now);
    assert_eq!(client.state(), ConnectionState::Disconnected);
    match &events[..] {
        [ClientEvent::Disconnected { reason }] => reason.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The reason the server sent to a raw connection before closing it.
fn raw_reason(conn: &mut Box<dyn Connection>) -> DisconnectReason {
    let mut last = None;
    while let Some(bytes) = conn.receive().unwrap() {
        last = Some(ServerMessage::decode(&bytes, &Limits::default()).unwrap());
    }
    assert!(!conn.is_open(), "the server closed the connection");
    match last {
        Some(ServerMessage::Reject { reason } | ServerMessage::Disconnect { reason }) => reason,
        other => panic!("expected a reason, got {other:?}"),
    }
}

fn encoded(message: &ClientMessage) -> Vec<u8> {
    let mut bytes = Vec::new();
    message.encode(&mut bytes);
    bytes
}

#[test]
fn handshake_inputs_snapshots_pings_and_counters() {
    let mut h = Harness::new(test_limits());
    let mut client = h.join(11);
    assert_eq!(client.client_id(), Some(11));
    assert_eq!(h.server.clients().collect::<Vec<_>>(), vec![ClientId(11)]);

    client
        .send_input(Some(5), 20, &[vec![1], vec![2, 3]])
        .unwrap();
    client.ping(1.5).unwrap();
    let events = h.poll();
    assert_eq!(
        events,
        vec![ServerEvent::Input {
            client: ClientId(11),
            ack: Some(5),
            first_tick: 20,
            inputs: vec![vec![1], vec![2, 3]]
        }]
    );
    let snapshot = ServerMessage::Snapshot {
        tick: 101,
        baseline: Some(99),
        input_ack: Some(21),
        payload: vec![7; 40],
    };
    h.server
        .send(ClientId(11), &snapshot, Delivery::Unreliable)
        .unwrap();
    let mut raw = Vec::new();
    ServerMessage::encode_snapshot_header(102, None, None, &mut raw);
    raw.extend_from_slice(&[1, 2]);
    h.server
        .send_bytes(ClientId(11), &raw, Delivery::Unreliable)
        .unwrap();
    h.server.flush();
    let events = poll_client(&mut client, h.now);
    assert_eq!(
        events,
        vec![
            ClientEvent::Pong {
                client_time: 1.5,
                server_tick: 100
            },
            ClientEvent::Snapshot {
                tick: 101,
                baseline: Some(99),
                input_ack: Some(21),
                payload: vec![7; 40]
            },
            ClientEvent::Snapshot {
                tick: 102,
                baseline: None,
                input_ack: None,
                payload: vec![1, 2]
            },
        ]
    );
    // Hello, Input, Ping one way; Welcome, Pong, two snapshots the other.
    let server_side = h.server.counters(ClientId(11)).unwrap();
    let client_side = client.counters();
    assert_eq!((client_side.messages_out, client_side.messages_in), (3, 4));
    // The server counts from its Welcome on: the Hello was read before the client existed.
    assert_eq!(server_side.messages_in, 2);
    assert_eq!(server_side.messages_out, 4);
    assert_eq!(server_side.bytes_out, client_side.bytes_in);
    assert!(
        client_side.bytes_out > server_side.bytes_in,
        "the Hello's bytes"
    );
}

#[test]
fn forged_expired_and_foreign_tokens_are_refused() {
    let mut h = Harness::new(test_limits());
    let mut forged = token(1);
    forged[20] ^= 0x40;
    let c = h.connector(PROTOCOL, GAME, &forged);
    assert_eq!(
        refused(&mut h, c),
        DisconnectReason::BadToken(TokenError::BadSignature)
    );

    let other_key =
        issue_token(&ServerKey::from_bytes([4; 32]), PROTOCOL, GAME, 1, 60, UNIX).unwrap();
    let c = h.connector(PROTOCOL, GAME, &other_key);
    assert_eq!(
        refused(&mut h, c),
        DisconnectReason::BadToken(TokenError::BadSignature)
    );

    let expired = issue_token(&key(), PROTOCOL, GAME, 1, 60, UNIX - 61).unwrap();
    let c = h.connector(PROTOCOL, GAME, &expired);
    assert_eq!(
        refused(&mut h, c),
        DisconnectReason::BadToken(TokenError::Expired {
            expired_at: UNIX - 1,
            now: UNIX
        })
    );

    let other_game = issue_token(&key(), PROTOCOL, GAME + 1, 1, 60, UNIX).unwrap();
    let c = h.connector(PROTOCOL, GAME, &other_game);
    assert_eq!(
        refused(&mut h, c),
        DisconnectReason::BadToken(TokenError::WrongGame {
            expected: GAME,
            found: GAME + 1
        })
    );

    let other_protocol = issue_token(&key(), PROTOCOL + 1, GAME, 1, 60, UNIX).unwrap();
    let c = h.connector(PROTOCOL, GAME, &other_protocol);
    assert_eq!(
        refused(&mut h, c),
        DisconnectReason::BadToken(TokenError::WrongProtocol {
            expected: PROTOCOL,
            found: PROTOCOL + 1
        })
    );

    let c = h.connector(PROTOCOL, GAME, &[1, 2, 3]);
    assert_eq!(
        refused(&mut h, c),
        DisconnectReason::BadToken(TokenError::Malformed {
            size: 3,
            expected: 80
        })
    );
    // None of it left anything behind.
    assert_eq!((h.server.client_count(), h.server.pending_count()), (0, 0));
    h.join(1);
}

#[test]
fn wrong_protocol_version_or_game_in_hello_is_refused() {
    let mut h = Harness::new(test_limits());
    let c = h.connector(PROTOCOL + 3, GAME, &token(1));
    assert_eq!(
        refused(&mut h, c),
        DisconnectReason::WrongVersion {
            expected: PROTOCOL,
            found: PROTOCOL + 3
        }
    );
    let c = h.connector(PROTOCOL, 99, &token(1));
    assert_eq!(
        refused(&mut h, c),
        DisconnectReason::WrongGame {
            expected: GAME,
            found: 99
        }
    );
}

#[test]
fn a_token_in_use_is_refused_and_the_first_client_keeps_playing() {
    let mut h = Harness::new(test_limits());
    let mut first = h.join(5);
    let second = h.connector(PROTOCOL, GAME, &token(5));
    assert_eq!(refused(&mut h, second), DisconnectReason::TokenInUse);
    first.send_input(None, 1, &[vec![9]]).unwrap();
    assert!(matches!(
        h.poll()[..],
        [ServerEvent::Input {
            client: ClientId(5),
            ..
        }]
    ));
    assert_eq!(first.state(), ConnectionState::Connected);
}

#[test]
fn reconnecting_within_the_grace_resumes() {
    let mut h = Harness::new(test_limits());
    let mut client = h.join(8);
    client.disconnect();
    assert_eq!(
        poll_client(&mut client, h.now),
        vec![ClientEvent::Disconnected {
            reason: DisconnectReason::ClientLeft
        }]
    );
    assert_eq!(
        h.poll(),
        vec![ServerEvent::Disconnected {
            client: ClientId(8),
            reason: DisconnectReason::ClientLeft
        }]
    );

    h.now = 9.0;
    let mut again = h.connector(PROTOCOL, GAME, &token(8));
    assert_eq!(
        h.poll(),
        vec![ServerEvent::Connected {
            client: ClientId(8),
            resumed: true
        }]
    );
    assert!(matches!(
        poll_client(&mut again, h.now)[..],
        [ClientEvent::Connected { resumed: true, .. }]
    ));

    // Kicked clients do not resume; and after the grace nobody does.
    h.server
        .disconnect(ClientId(8), DisconnectReason::Kicked)
        .unwrap();
    assert_eq!(
        poll_client(&mut again, h.now),
        vec![ClientEvent::Disconnected {
            reason: DisconnectReason::Kicked
        }]
    );
    assert_eq!(
        h.poll(),
        vec![ServerEvent::Disconnected {
            client: ClientId(8),
            reason: DisconnectReason::Kicked
        }]
    );
    let mut third = h.join(8);
    third.disconnect();
    let _ = poll_client(&mut third, h.now);
    assert_eq!(
        h.poll(),
        vec![ServerEvent::Disconnected {
            client: ClientId(8),
            reason: DisconnectReason::ClientLeft
        }]
    );
    h.now += 10.0;
    h.join(8);
    assert_eq!(
        h.server.disconnect(ClientId(99), DisconnectReason::Kicked),
        Err(NetError::UnknownClient(ClientId(99)))
    );
}

#[test]
fn a_connection_that_never_says_hello_is_dropped_after_the_handshake_timeout() {
    let mut h = Harness::new(test_limits());
    let mut silent = h.listener.connect();
    h.poll();
    assert_eq!(h.server.pending_count(), 1);
    h.now = 1.9;
    h.poll();
    assert!(silent.is_open(), "still within the timeout");
    h.now = 2.0;
    assert_eq!(h.poll(), vec![]);
    assert_eq!(h.server.pending_count(), 0);
    assert_eq!(raw_reason(&mut silent), DisconnectReason::HandshakeTimeout);
}

#[test]
fn connections_over_max_pending_are_closed_at_once() {
    let mut h = Harness::new(test_limits());
    let mut conns: Vec<_> = (0..6).map(|_| h.listener.connect()).collect();
    h.poll();
    assert_eq!(h.server.pending_count(), 4);
    assert!(conns[..4].iter().all(|c| c.is_open()));
    for conn in &mut conns[4..] {
        assert_eq!(raw_reason(conn), DisconnectReason::ServerBusy);
    }
}

#[test]
fn a_client_without_welcome_gives_up() {
    // Nobody polls the server, so no Welcome ever comes.
    let h = Harness::new(test_limits());
    let mut client = h.connector(PROTOCOL, GAME, &token(1));
    assert_eq!(poll_client(&mut client, 1.9), vec![]);
    assert_eq!(
        poll_client(&mut client, 2.0),
        vec![ClientEvent::Disconnected {
            reason: DisconnectReason::HandshakeTimeout
        }]
    );
    assert_eq!(poll_client(&mut client, 3.0), vec![], "reported once");
    assert_eq!(client.send_input(None, 0, &[]), Err(NetError::NotConnected));
}

#[test]
fn a_flooding_client_is_cut_off_while_a_well_behaved_one_gets_everything_through() {
    let limits = Limits {
        max_messages_per_second: 60.0,
        message_burst: 60.0,
        ..test_limits()
    };
    let mut h = Harness::new(limits.clone());
    let mut good = h.join(1);
    let mut flooder = h.join(2);
    for _ in 0..10_000 {
        flooder.ping(0.0).unwrap();
    }
    let (mut sent, mut received, mut flooder_reason) = (0u32, 0u32, None);
    for step in 0..20 {
        h.now = 0.01 * f64::from(step);
        good.send_input(Some(step), step, &[vec![step as u8]])
            .unwrap();
        sent += 1;
        let events = h.poll();
        if step == 0 {
            // One poll reads at most max_messages_per_poll of each connection.
            let read = h.server.counters(ClientId(2)).unwrap().messages_in;
            assert_eq!(read, limits.max_messages_per_poll as u64);
        }
        for event in events {
            match event {
                ServerEvent::Input {
                    client: ClientId(1),
                    first_tick,
                    ..
                } => {
                    assert_eq!(first_tick, received);
                    received += 1;
                }
                ServerEvent::Disconnected {
                    client: ClientId(2),
                    reason,
                } => flooder_reason = Some(reason),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(received, sent, "every input of the well-behaved client");
    assert_eq!(flooder_reason, Some(DisconnectReason::MessageRateExceeded));
    assert_eq!(h.server.clients().collect::<Vec<_>>(), vec![ClientId(1)]);
    // The flooder learns why, after the Pongs it earned.
    let mut last = None;
    for _ in 0..10 {
        last = poll_client(&mut flooder, h.now).pop().or(last);
    }
    assert_eq!(
        last,
        Some(ClientEvent::Disconnected {
            reason: DisconnectReason::MessageRateExceeded
        })
    );
}

#[test]
fn too_many_bytes_per_second_is_cut_off() {
    let limits = Limits {
        max_bytes_per_second: 1000.0,
        byte_burst: 2000.0,
        max_input_bytes: 256,
        ..test_limits()
    };
    let mut h = Harness::new(limits);
    let mut client = h.join(3);
    for tick in 0..10 {
        client.send_input(None, tick, &[vec![0; 250]]).unwrap();
    }
    let events = h.poll();
    assert_eq!(
        events.len(),
        8,
        "2000 bytes of burst take 7 messages of 259 bytes"
    );
    assert_eq!(
        events.last(),
        Some(&ServerEvent::Disconnected {
            client: ClientId(3),
            reason: DisconnectReason::ByteRateExceeded
        })
    );
}

#[test]
fn oversize_garbage_and_unexpected_messages_disconnect_with_a_reason() {
    let limits = Limits {
        max_message_bytes: 512,
        ..test_limits()
    };
    let mut h = Harness::new(limits);
    let cases: Vec<(Vec<u8>, DisconnectReason)> = vec![
        (
            vec![2; 513],
            DisconnectReason::MessageTooLarge {
                size: 513,
                max: 512,
            },
        ),
        (vec![0xEE, 1, 2, 3], DisconnectReason::MalformedMessage),
        (
            encoded(&ClientMessage::Ping { client_time: 0.0 })[..5].to_vec(),
            DisconnectReason::MalformedMessage,
        ),
        (
            encoded(&ClientMessage::Hello {
                protocol: PROTOCOL,
                game: GAME,
                token: token(1),
            }),
            DisconnectReason::UnexpectedMessage,
        ),
    ];
    let mut bystander = h.join(100);
    for (id, (bytes, expected)) in (1..).zip(cases) {
        // Through a raw connection, after a proper handshake.
        let mut conn = h.listener.connect();
        conn.send(
            &encoded(&ClientMessage::Hello {
                protocol: PROTOCOL,
                game: GAME,
                token: token(id),
            }),
            Delivery::Reliable,
        )
        .unwrap();
        assert_eq!(
            h.poll(),
            vec![ServerEvent::Connected {
                client: ClientId(id),
                resumed: false
            }]
        );
        conn.send(&bytes, Delivery::Reliable).unwrap();
        bystander.ping(f64::from(id as u32)).unwrap();
        let events = h.poll();
        assert_eq!(
            events,
            vec![ServerEvent::Disconnected {
                client: ClientId(id),
                reason: expected.clone()
            }]
        );
        assert_eq!(raw_reason(&mut conn), expected);
        assert!(matches!(
            poll_client(&mut bystander, h.now)[..],
            [ClientEvent::Pong { .. }]
        ));
    }
    // Before the handshake the same violations are refused.
    let mut conn = h.listener.connect();
    conn.send(&[0xEE], Delivery::Reliable).unwrap();
    h.poll();
    assert_eq!(raw_reason(&mut conn), DisconnectReason::MalformedMessage);
    let mut conn = h.listener.connect();
    conn.send(
        &encoded(&ClientMessage::Ping { client_time: 0.0 }),
        Delivery::Reliable,
    )
    .unwrap();
    h.poll();
    assert_eq!(raw_reason(&mut conn), DisconnectReason::UnexpectedMessage);
    assert_eq!(h.server.clients().collect::<Vec<_>>(), vec![ClientId(100)]);
}

#[test]
fn silent_clients_time_out_on_both_sides() {
    let mut h = Harness::new(test_limits());
    let mut talker = h.join(1);
    let mut silent = h.join(2);
    for step in 1..=5 {
        h.now = f64::from(step);
        talker.ping(h.now).unwrap();
        let events = h.poll();
        if step < 5 {
            assert_eq!(events, vec![]);
        } else {
            assert_eq!(
                events,
                vec![ServerEvent::Disconnected {
                    client: ClientId(2),
                    reason: DisconnectReason::IdleTimeout
                }]
            );
        }
    }
    assert_eq!(
        poll_client(&mut silent, h.now),
        vec![ClientEvent::Disconnected {
            reason: DisconnectReason::IdleTimeout
        }]
    );
    // The client gives up on a silent server the same way.
    assert!(matches!(
        poll_client(&mut talker, h.now)[..],
        [ClientEvent::Pong { .. }, ..]
    ));
    assert_eq!(poll_client(&mut talker, h.now + 4.9), vec![]);
    assert_eq!(
        poll_client(&mut talker, h.now + 5.0),
        vec![ClientEvent::Disconnected {
            reason: DisconnectReason::IdleTimeout
        }]
    );
}

#[test]
fn a_full_server_refuses_and_shutdown_tells_everyone() {
    let mut h = Harness::new(test_limits());
    let mut clients: Vec<_> = (1..=4).map(|id| h.join(id)).collect();
    let fifth = h.connector(PROTOCOL, GAME, &token(5));
    assert_eq!(refused(&mut h, fifth), DisconnectReason::ServerFull);
    h.server.shutdown();
    assert_eq!(h.server.client_count(), 0);
    let events = h.poll();
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| matches!(
        e,
        ServerEvent::Disconnected {
            reason: DisconnectReason::ServerShutdown,
            ..
        }
    )));
    for client in &mut clients {
        assert_eq!(
            poll_client(client, h.now),
            vec![ClientEvent::Disconnected {
                reason: DisconnectReason::ServerShutdown
            }]
        );
    }
    let late = h.connector(PROTOCOL, GAME, &token(6));
    assert_eq!(refused(&mut h, late), DisconnectReason::ServerShutdown);
}

#[test]
fn lost_transports_are_reported_on_both_sides() {
    let mut h = Harness::new(test_limits());
    // A client whose transport closes without a word.
    let mut conn = h.listener.connect();
    let hello = ClientMessage::Hello {
        protocol: PROTOCOL,
        game: GAME,
        token: token(1),
    };
    conn.send(&encoded(&hello), Delivery::Reliable).unwrap();
    assert_eq!(
        h.poll(),
        vec![ServerEvent::Connected {
            client: ClientId(1),
            resumed: false
        }]
    );
    conn.close("cable cut");
    let lost = DisconnectReason::ConnectionLost {
        detail: "closed by the peer".into(),
    };
    assert_eq!(
        h.poll(),
        vec![ServerEvent::Disconnected {
            client: ClientId(1),
            reason: lost
        }]
    );
    // A send to a dropped client is refused with its id.
    assert_eq!(
        h.server.send(
            ClientId(1),
            &ServerMessage::Pong {
                client_time: 0.0,
                server_tick: 0
            },
            Delivery::Reliable
        ),
        Err(NetError::UnknownClient(ClientId(1)))
    );

    // A server whose transport closes without a word, seen from the client.
    let mut listener = MemoryListener::default();
    let mut client = Connector::new(listener.connect(), PROTOCOL, GAME, &token(2), 0.0);
    let mut server_end = listener.accept().unwrap().unwrap();
    let mut welcome = Vec::new();
    ServerMessage::Welcome {
        client_id: 2,
        tick: 0,
        tick_rate: 60,
        resumed: false,
    }
    .encode(&mut welcome);
    server_end.send(&welcome, Delivery::Reliable).unwrap();
    assert!(matches!(
        poll_client(&mut client, 0.0)[..],
        [ClientEvent::Connected { tick_rate: 60, .. }]
    ));
    server_end.close("crash");
    assert_eq!(
        poll_client(&mut client, 0.0),
        vec![ClientEvent::Disconnected {
            reason: DisconnectReason::ConnectionLost {
                detail: "closed by the server".into()
            }
        }]
    );
    assert_eq!(client.ping(0.0), Err(NetError::NotConnected));
}

#[test]
fn send_input_checks_the_limits_the_server_enforces() {
    let mut h = Harness::new(test_limits());
    let mut client = h.join(1);
    let limits = test_limits();
    let too_many = vec![vec![0u8]; limits.max_inputs_per_message + 1];
    assert!(matches!(
        client.send_input(None, 0, &too_many),
        Err(NetError::InvalidMessage(_))
    ));
    let too_big = vec![vec![0u8; limits.max_input_bytes + 1]];
    assert!(matches!(
        client.send_input(None, 0, &too_big),
        Err(NetError::InvalidMessage(_))
    ));
    assert_eq!(h.poll(), vec![], "nothing was sent");
}

#[test]
fn tokens_verify_through_the_public_api() {
    let bytes = token(77);
    let t = ConnectToken::verify(&bytes, &key(), UNIX, PROTOCOL, GAME).unwrap();
    assert_eq!((t.client_id, t.expires_at), (77, UNIX + 60));
}

#[test]
fn random_bytes_from_clients_never_upset_the_server() {
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};
    let limits = Limits {
        max_clients: 64,
        max_pending: 64,
        ..test_limits()
    };
    let mut h = Harness::new(limits);
    let mut bystander = h.join(1_000);
    let mut rng = SmallRng::seed_from_u64(99);
    let mut dropped = 0;
    for id in 0..300u64 {
        // 50 pings a second keep the bystander within its message rate.
        h.now = id as f64 * 0.02;
        let mut conn = h.listener.connect();
        // Half of them shake hands first, so the garbage reaches connected clients too.
        if id % 2 == 0 {
            let hello = ClientMessage::Hello {
                protocol: PROTOCOL,
                game: GAME,
                token: token(id),
            };
            conn.send(&encoded(&hello), Delivery::Reliable).unwrap();
        }
        for _ in 0..rng.random_range(1..8) {
            let len = rng.random_range(0..40);
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            if let Some(first) = bytes.first_mut() {
                *first = [0x01, 0x02, 0x03, 0x04, rng.random()][rng.random_range(0..5)];
            }
            conn.send(&bytes, Delivery::Unreliable).unwrap();
        }
        bystander.ping(id as f64).unwrap();
        for event in h.poll() {
            match event {
                ServerEvent::Disconnected { client, .. } => {
                    assert_ne!(client, ClientId(1_000));
                    dropped += 1;
                }
                ServerEvent::Connected { client, .. } | ServerEvent::Input { client, .. } => {
                    assert_ne!(client, ClientId(1_000));
                }
            }
        }
        if h.server.is_connected(ClientId(id)) {
            h.server
                .disconnect(ClientId(id), DisconnectReason::Kicked)
                .unwrap();
        }
        let pongs = poll_client(&mut bystander, h.now);
        assert_eq!(
            pongs,
            vec![ClientEvent::Pong {
                client_time: id as f64,
                server_tick: 100
            }]
        );
    }
    assert!(dropped > 50, "garbage got clients dropped ({dropped})");
}

#[test]
fn manager_and_connector_can_move_between_threads() {
    fn send<T: Send>() {}
    // ECS resources must also be Sync: hold these in a Mutex.
    send::<ConnectionManager>();
    send::<Connector>();
}
