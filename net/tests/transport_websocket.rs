//! The native WebSocket transport on 127.0.0.1 (ephemeral ports): round trips, and the limits
//! a hostile client cannot get around (raw TCP clients play the hostile ones).
#![cfg(not(target_family = "wasm"))]

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use layerw_net::transport::{
    Connection, Delivery, Listener, NetClock, TransportError, WebSocketConnection, WebSocketLimits,
    WebSocketListener,
};

const DEADLINE: Duration = Duration::from_secs(5);
const UPGRADE: &str = "GET /game HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

fn limits() -> WebSocketLimits {
    WebSocketLimits {
        max_message_bytes: 16 * 1024,
        handshake_timeout: Duration::from_secs(3),
        max_pending_handshakes: 8,
        max_write_buffer_bytes: 64 * 1024,
        read_buffer_bytes: 4096,
    }
}

fn bind(limits: WebSocketLimits) -> WebSocketListener {
    WebSocketListener::bind("127.0.0.1:0", limits).unwrap()
}

fn url(listener: &WebSocketListener) -> String {
    format!("ws://{}/game", listener.local_addr())
}

/// Polls `accept` until a connection comes (or the deadline).
fn accept(listener: &mut WebSocketListener) -> Box<dyn Connection> {
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        if let Some(connection) = listener.accept().unwrap() {
            return connection;
        }
        thread::sleep(Duration::from_millis(1));
    }
    panic!("no connection accepted before the deadline");
}

/// A native client connected to `listener`, and the server's end.
fn connect(listener: &mut WebSocketListener) -> (WebSocketConnection, Box<dyn Connection>) {
    let url = url(listener);
    let client = thread::spawn(move || WebSocketConnection::connect(&url, limits()));
    let server = accept(listener);
    (client.join().unwrap().unwrap(), server)
}

/// A raw TCP client that did the HTTP upgrade by hand.
fn raw_upgraded(listener: &mut WebSocketListener) -> (TcpStream, Box<dyn Connection>) {
    let mut raw = TcpStream::connect(listener.local_addr()).unwrap();
    raw.write_all(UPGRADE.as_bytes()).unwrap();
    let server = accept(listener);
    let response = read_until(&mut raw, server_poll(None), |bytes| {
        bytes.windows(4).any(|w| w == b"\r\n\r\n")
    });
    assert!(
        response.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&response)
    );
    (raw, server)
}

/// A masked client frame (fin set) with `opcode` and `payload`.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut frame = vec![0x80 | opcode, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(
        payload
            .iter()
            .enumerate()
            .map(|(i, byte)| byte ^ mask[i % 4]),
    );
    frame
}

fn server_poll(server: Option<&mut Box<dyn Connection>>) -> impl FnMut() + '_ {
    let mut server = server;
    move || {
        if let Some(server) = server.as_deref_mut() {
            // Drives pongs and close replies; the results are checked by the callers.
            let _ = server.receive();
            let _ = server.flush();
        }
    }
}

/// Reads from `raw` (polling the server between reads) until `done` holds for what was read,
/// the peer closed, or the deadline.
fn read_until(
    raw: &mut TcpStream,
    mut poll: impl FnMut(),
    done: impl Fn(&[u8]) -> bool,
) -> Vec<u8> {
    raw.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + DEADLINE;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    while Instant::now() < deadline && !done(&bytes) {
        poll();
        match raw.read(&mut chunk) {
            Ok(0) => break,
            Ok(count) => bytes.extend_from_slice(&chunk[..count]),
            Err(error) if error.kind() == ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(1))
            }
            Err(_) => break,
        }
    }
    bytes
}

/// True once the peer closed `raw` (EOF or reset), polling `poll` meanwhile.
fn closed_by_peer(raw: &mut TcpStream, mut poll: impl FnMut()) -> bool {
    raw.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + DEADLINE;
    let mut chunk = [0u8; 4096];
    while Instant::now() < deadline {
        poll();
        match raw.read(&mut chunk) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(error) if error.kind() == ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(1))
            }
            Err(_) => return true,
        }
    }
    false
}

/// The close code of a server close frame at the start of `bytes`.
fn close_code(bytes: &[u8]) -> u16 {
    assert!(
        bytes.len() >= 4 && bytes[0] == 0x88,
        "not a close frame: {bytes:?}"
    );
    u16::from_be_bytes([bytes[2], bytes[3]])
}

#[test]
fn many_messages_round_trip_both_ways() {
    let mut listener = bind(limits());
    let (mut client, mut server) = connect(&mut listener);
    assert!(client.is_open() && server.is_open());
    assert_eq!(client.peer(), listener.local_addr().to_string());
    let messages: Vec<Vec<u8>> = (0..1000u32)
        .map(|i| (0..(i * 37) % 16_000 + 1).map(|j| (i + j) as u8).collect())
        .collect();
    let (mut sent, mut echoed) = (0, 0);
    let deadline = Instant::now() + DEADLINE;
    while echoed < messages.len() && Instant::now() < deadline {
        if sent < messages.len() && sent - echoed < 8 {
            client.send(&messages[sent], Delivery::Unreliable).unwrap();
            sent += 1;
        }
        client.flush().unwrap();
        while let Some(message) = server.receive().unwrap() {
            server.send(&message, Delivery::Reliable).unwrap();
        }
        server.flush().unwrap();
        while let Some(message) = client.receive().unwrap() {
            assert_eq!(message, messages[echoed], "echo {echoed}");
            echoed += 1;
        }
    }
    assert_eq!(echoed, messages.len());
    assert_eq!(
        client.send(&vec![0; 16 * 1024 + 1], Delivery::Reliable),
        Err(TransportError::MessageTooLarge {
            size: 16 * 1024 + 1,
            maximum: 16 * 1024
        })
    );
    client.close("leaving");
    assert!(!client.is_open());
    let deadline = Instant::now() + DEADLINE;
    let outcome = loop {
        match server.receive() {
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(1)),
            other => break other,
        }
    };
    assert_eq!(
        outcome,
        Err(TransportError::Closed {
            reason: "leaving".into()
        })
    );
    assert!(!server.is_open());
}

#[test]
fn an_oversized_frame_is_refused_from_its_header() {
    let mut listener = bind(limits());
    let (mut raw, mut server) = raw_upgraded(&mut listener);
    // A binary frame announcing 2^62 - 1 bytes: allocating it would abort the test process.
    let announced: u64 = (1 << 62) - 1;
    let mut frame = vec![0x82, 0x80 | 127];
    frame.extend_from_slice(&announced.to_be_bytes());
    frame.extend_from_slice(&[1, 2, 3, 4, 0, 0, 0, 0]);
    raw.write_all(&frame).unwrap();
    let deadline = Instant::now() + DEADLINE;
    let outcome = loop {
        match server.receive() {
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(1)),
            other => break other,
        }
    };
    assert_eq!(
        outcome,
        Err(TransportError::MessageTooLarge {
            size: announced as usize,
            maximum: 16 * 1024
        })
    );
    assert!(!server.is_open());
    let reply = read_until(&mut raw, server_poll(None), |bytes| bytes.len() >= 4);
    assert_eq!(close_code(&reply), 1009);
}

#[test]
fn a_text_message_is_refused_and_pings_are_answered() {
    let mut listener = bind(limits());
    let (mut raw, mut server) = raw_upgraded(&mut listener);
    raw.write_all(&client_frame(0x9, b"abc")).unwrap();
    let pong = read_until(&mut raw, server_poll(Some(&mut server)), |bytes| {
        bytes.len() >= 5
    });
    assert_eq!(pong, [0x8a, 3, b'a', b'b', b'c']);
    assert!(server.is_open());

    raw.write_all(&client_frame(0x1, b"hello")).unwrap();
    let deadline = Instant::now() + DEADLINE;
    let outcome = loop {
        match server.receive() {
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(1)),
            other => break other,
        }
    };
    assert!(
        matches!(outcome, Err(TransportError::Protocol(ref why)) if why.contains("text")),
        "{outcome:?}"
    );
    assert!(!server.is_open());
    let reply = read_until(&mut raw, server_poll(None), |bytes| bytes.len() >= 4);
    assert_eq!(close_code(&reply), 1003);
}

#[test]
fn a_slowloris_is_dropped_after_the_handshake_timeout_while_others_are_served() {
    let clock = NetClock::manual();
    let limits = WebSocketLimits {
        handshake_timeout: Duration::from_secs(1),
        ..limits()
    };
    let mut listener =
        WebSocketListener::bind_with_clock("127.0.0.1:0", limits, clock.clone()).unwrap();
    let mut slow = TcpStream::connect(listener.local_addr()).unwrap();
    slow.write_all(b"GET /game HTTP/1.1\r\n").unwrap();
    let deadline = Instant::now() + DEADLINE;
    while listener.pending_handshakes() == 0 && Instant::now() < deadline {
        assert!(listener.accept().unwrap().is_none());
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(listener.pending_handshakes(), 1);

    let (mut client, mut server) = connect(&mut listener);
    assert_eq!(
        listener.pending_handshakes(),
        1,
        "the slowloris is still waiting"
    );

    // Trickle a header byte per quarter second of (manual) time.
    let mut steps = 0;
    for byte in b"Host: 127.0.0.1\r\n".iter().cycle().take(20) {
        slow.write_all(&[*byte]).unwrap();
        thread::sleep(Duration::from_millis(1));
        assert!(listener.accept().unwrap().is_none());
        if listener.stats().handshake_timeouts == 1 {
            break;
        }
        assert!(
            clock.now_secs() <= 1.0,
            "not dropped at {} s",
            clock.now_secs()
        );
        clock.advance(0.25);
        steps += 1;
    }
    assert_eq!(listener.stats().handshake_timeouts, 1);
    assert!(steps >= 4, "dropped after {steps} steps");
    assert_eq!(listener.pending_handshakes(), 0);
    assert!(closed_by_peer(&mut slow, || {}));

    client.send(b"still here", Delivery::Reliable).unwrap();
    client.flush().unwrap();
    let got = read_message(&mut server);
    assert_eq!(got, b"still here");
}

fn read_message(connection: &mut Box<dyn Connection>) -> Vec<u8> {
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        if let Some(message) = connection.receive().unwrap() {
            return message;
        }
        thread::sleep(Duration::from_millis(1));
    }
    panic!("no message before the deadline");
}

#[test]
fn garbage_instead_of_http_is_dropped() {
    let mut listener = bind(limits());
    let mut raw = TcpStream::connect(listener.local_addr()).unwrap();
    raw.write_all(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n")
        .unwrap();
    assert!(closed_by_peer(&mut raw, || {
        assert!(listener.accept().unwrap().is_none());
    }));
    assert_eq!(listener.stats().handshake_failures, 1);
    assert_eq!(listener.pending_handshakes(), 0);
    assert_eq!(listener.stats().upgraded, 0);
}

#[test]
fn connections_over_the_pending_handshake_cap_are_closed_at_once() {
    let mut listener = bind(WebSocketLimits {
        max_pending_handshakes: 2,
        ..limits()
    });
    let mut raws: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(listener.local_addr()).unwrap())
        .collect();
    let deadline = Instant::now() + DEADLINE;
    while listener.stats().tcp_accepted < 4 && Instant::now() < deadline {
        assert!(listener.accept().unwrap().is_none());
        thread::sleep(Duration::from_millis(1));
    }
    let stats = listener.stats();
    assert_eq!(stats.tcp_accepted, 4);
    assert_eq!(stats.refused_over_capacity, 2);
    assert_eq!(listener.pending_handshakes(), 2);
    for raw in &mut raws[2..] {
        assert!(closed_by_peer(raw, || {}));
    }
    // The first two are still waiting for their upgrade, and can complete it.
    let mut first = raws.swap_remove(0);
    first.set_nonblocking(true).unwrap();
    assert_eq!(
        first.read(&mut [0; 16]).map_err(|e| e.kind()),
        Err(ErrorKind::WouldBlock)
    );
    first.write_all(UPGRADE.as_bytes()).unwrap();
    let _server = accept(&mut listener);
    let response = read_until(
        &mut first,
        || {},
        |bytes| bytes.windows(4).any(|w| w == b"\r\n\r\n"),
    );
    assert!(response.starts_with(b"HTTP/1.1 101"));
}

#[test]
fn a_client_that_never_reads_is_closed_past_the_write_buffer_cap() {
    let mut listener = bind(limits());
    let (client, mut server) = connect(&mut listener);
    let message = vec![7u8; 1024];
    // The kernel buffers a few MiB on loopback; past them and the 64 KiB cap the server gives up.
    let mut outcome = Ok(());
    let mut sent = 0usize;
    while sent < 200_000 {
        outcome = server
            .send(&message, Delivery::Unreliable)
            .and_then(|()| server.flush());
        if outcome.is_err() {
            break;
        }
        sent += 1;
    }
    match outcome {
        Err(TransportError::Closed { reason }) => {
            assert!(
                reason.contains("not reading") && reason.contains("65536"),
                "{reason}"
            );
        }
        other => panic!("still open after {sent} messages: {other:?}"),
    }
    assert!(!server.is_open());
    drop(client);
}

#[test]
fn connect_refuses_urls_it_cannot_serve() {
    assert!(matches!(
        WebSocketConnection::connect("wss://127.0.0.1:1/", limits()),
        Err(TransportError::Protocol(_))
    ));
    assert!(matches!(
        WebSocketConnection::connect("not a url", limits()),
        Err(TransportError::Protocol(_))
    ));
    assert_eq!(
        WebSocketListener::bind(
            "127.0.0.1:0",
            WebSocketLimits {
                max_write_buffer_bytes: 1000,
                ..limits()
            }
        )
        .err(),
        Some(TransportError::MessageTooLarge {
            size: 16 * 1024 + 14,
            maximum: 1000
        })
    );
}
