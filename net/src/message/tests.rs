use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::token::TokenError;

fn all_reasons() -> Vec<DisconnectReason> {
    vec![
        DisconnectReason::ServerFull,
        DisconnectReason::ServerBusy,
        DisconnectReason::BadToken(TokenError::Malformed {
            size: 3,
            expected: 80,
        }),
        DisconnectReason::BadToken(TokenError::BadSignature),
        DisconnectReason::BadToken(TokenError::Expired {
            expired_at: 10,
            now: 11,
        }),
        DisconnectReason::BadToken(TokenError::WrongProtocol {
            expected: 1,
            found: 2,
        }),
        DisconnectReason::BadToken(TokenError::WrongGame {
            expected: u64::MAX,
            found: 0,
        }),
        DisconnectReason::WrongVersion {
            expected: 7,
            found: 8,
        },
        DisconnectReason::WrongGame {
            expected: 1,
            found: 2,
        },
        DisconnectReason::HandshakeTimeout,
        DisconnectReason::IdleTimeout,
        DisconnectReason::MessageTooLarge {
            size: 100_000,
            max: 65_536,
        },
        DisconnectReason::MessageRateExceeded,
        DisconnectReason::ByteRateExceeded,
        DisconnectReason::MalformedMessage,
        DisconnectReason::UnexpectedMessage,
        DisconnectReason::TokenInUse,
        DisconnectReason::ServerShutdown,
        DisconnectReason::Kicked,
        DisconnectReason::ClientLeft,
        DisconnectReason::ConnectionLost {
            detail: "reset by peer".into(),
        },
    ]
}

fn client_messages() -> Vec<ClientMessage> {
    vec![
        ClientMessage::Hello {
            protocol: 5,
            game: 0xDEAD_BEEF,
            token: vec![1; 80],
        },
        ClientMessage::Input {
            ack: Some(99),
            first_tick: 100,
            inputs: vec![vec![1, 2, 3], vec![], vec![4; 200]],
        },
        ClientMessage::Input {
            ack: None,
            first_tick: u32::MAX,
            inputs: vec![],
        },
        ClientMessage::Ping { client_time: 12.5 },
        ClientMessage::Disconnect,
    ]
}

fn server_messages() -> Vec<ServerMessage> {
    let mut out = vec![
        ServerMessage::Welcome {
            client_id: u64::MAX,
            tick: 17,
            tick_rate: 30,
            resumed: true,
        },
        ServerMessage::Snapshot {
            tick: 40,
            baseline: Some(38),
            input_ack: None,
            payload: vec![9; 1000],
        },
        ServerMessage::Snapshot {
            tick: 0,
            baseline: None,
            input_ack: Some(3),
            payload: vec![],
        },
        ServerMessage::Pong {
            client_time: -0.25,
            server_tick: 5,
        },
    ];
    for reason in all_reasons() {
        out.push(ServerMessage::Reject {
            reason: reason.clone(),
        });
        out.push(ServerMessage::Disconnect { reason });
    }
    out
}

#[test]
fn every_message_round_trips() {
    let limits = Limits::default();
    for message in client_messages() {
        let mut bytes = Vec::new();
        message.encode(&mut bytes);
        assert_eq!(ClientMessage::decode(&bytes, &limits), Ok(message.clone()));
        assert!(
            ServerMessage::decode(&bytes, &limits).is_err(),
            "wrong direction {message:?}"
        );
    }
    for message in server_messages() {
        let mut bytes = Vec::new();
        message.encode(&mut bytes);
        assert_eq!(ServerMessage::decode(&bytes, &limits), Ok(message.clone()));
        assert!(
            ClientMessage::decode(&bytes, &limits).is_err(),
            "wrong direction {message:?}"
        );
    }
}

#[test]
fn every_reason_displays_distinctly() {
    let texts: std::collections::HashSet<String> =
        all_reasons().iter().map(|r| r.to_string()).collect();
    assert_eq!(texts.len(), all_reasons().len());
}

#[test]
fn truncated_and_extended_messages_are_errors() {
    let limits = Limits::default();
    for message in client_messages() {
        let mut bytes = Vec::new();
        message.encode(&mut bytes);
        for end in 0..bytes.len() {
            assert!(
                ClientMessage::decode(&bytes[..end], &limits).is_err(),
                "{message:?} cut at {end}"
            );
        }
        bytes.push(0);
        assert_eq!(
            ClientMessage::decode(&bytes, &limits),
            Err(MessageError::TrailingBytes { count: 1 })
        );
    }
    for message in server_messages() {
        let mut bytes = Vec::new();
        message.encode(&mut bytes);
        // A snapshot's payload is the rest: cutting it shortens the payload instead.
        let header = if matches!(message, ServerMessage::Snapshot { .. }) {
            6
        } else {
            bytes.len()
        };
        for end in 0..header.min(bytes.len()) {
            assert!(
                ServerMessage::decode(&bytes[..end], &limits).is_err(),
                "{message:?} cut at {end}"
            );
        }
    }
}

#[test]
fn limits_are_checked_before_allocating() {
    let limits = Limits {
        max_inputs_per_message: 4,
        max_input_bytes: 8,
        max_message_bytes: 100,
        ..Limits::default()
    };
    // A count of 2^60 inputs in a 20-byte message.
    let mut bytes = vec![INPUT, 0, 1, 0, 0, 0];
    put_varint(&mut bytes, 1 << 60);
    assert_eq!(
        ClientMessage::decode(&bytes, &limits),
        Err(MessageError::TooManyInputs {
            count: 1 << 60,
            max: 4
        })
    );
    // A count within the limit but beyond the bytes present.
    let bytes = [INPUT, 0, 1, 0, 0, 0, 4, 0];
    assert!(matches!(
        ClientMessage::decode(&bytes, &limits),
        Err(MessageError::Truncated {
            needed: 4,
            remaining: 1,
            ..
        })
    ));
    let mut bytes = Vec::new();
    encode_input(None, 1, &[vec![0; 8], vec![0; 9]], &mut bytes);
    assert_eq!(
        ClientMessage::decode(&bytes, &limits),
        Err(MessageError::InputTooLarge {
            index: 1,
            size: 9,
            max: 8
        })
    );
    let mut bytes = vec![HELLO, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    put_varint(&mut bytes, u64::MAX);
    assert_eq!(
        ClientMessage::decode(&bytes, &limits),
        Err(MessageError::TokenTooLarge {
            size: u64::MAX,
            max: MAX_TOKEN_BYTES
        })
    );
    assert_eq!(
        ClientMessage::decode(&[0; 101], &limits),
        Err(MessageError::TooLarge {
            size: 101,
            max: 100
        })
    );
    assert_eq!(
        ClientMessage::decode(&[], &limits),
        Err(MessageError::Empty)
    );
    assert_eq!(
        ClientMessage::decode(&[0x7F], &limits),
        Err(MessageError::UnknownKind { kind: 0x7F })
    );
    // A flag that is neither 0 nor 1.
    assert_eq!(
        ClientMessage::decode(&[INPUT, 2], &limits),
        Err(MessageError::InvalidValue {
            field: "ack",
            value: 2
        })
    );
}

#[test]
fn reason_text_is_cut_on_a_character_boundary() {
    let reason = DisconnectReason::ConnectionLost {
        detail: "é".repeat(150),
    };
    let mut bytes = Vec::new();
    ServerMessage::Disconnect { reason }.encode(&mut bytes);
    let Ok(ServerMessage::Disconnect {
        reason: DisconnectReason::ConnectionLost { detail },
    }) = ServerMessage::decode(&bytes, &Limits::default())
    else {
        panic!("did not decode");
    };
    assert_eq!(detail, "é".repeat(MAX_REASON_TEXT_BYTES / 2));
    let bad = [SERVER_DISCONNECT, 17, 2, 0xC3, 0x28];
    assert_eq!(
        ServerMessage::decode(&bad, &Limits::default()),
        Err(MessageError::InvalidUtf8 { offset: 3 })
    );
}

#[test]
fn random_bytes_never_panic() {
    let limits = Limits::default();
    let mut rng = SmallRng::seed_from_u64(0x001A_7E57);
    let mut ok = 0;
    let kinds = [
        HELLO,
        INPUT,
        PING,
        CLIENT_DISCONNECT,
        WELCOME,
        REJECT,
        SNAPSHOT,
        PONG,
        SERVER_DISCONNECT,
    ];
    for i in 0..20_000 {
        let len = rng.random_range(0..64);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        // Half the inputs start with a real kind so the field decoders get exercised.
        if i % 2 == 0 && !bytes.is_empty() {
            bytes[0] = kinds[rng.random_range(0..kinds.len())];
        }
        ok += usize::from(ClientMessage::decode(&bytes, &limits).is_ok());
        ok += usize::from(ServerMessage::decode(&bytes, &limits).is_ok());
    }
    // Snapshots with any payload decode; the decoders are not merely refusing everything.
    assert!(ok > 20, "{ok} random messages decoded");
}

#[test]
fn mutated_valid_messages_never_panic() {
    let limits = Limits::default();
    let mut rng = SmallRng::seed_from_u64(7);
    let mut encoded = Vec::new();
    for m in client_messages() {
        let mut b = Vec::new();
        m.encode(&mut b);
        encoded.push(b);
    }
    for m in server_messages() {
        let mut b = Vec::new();
        m.encode(&mut b);
        encoded.push(b);
    }
    for _ in 0..20_000 {
        let mut bytes = encoded[rng.random_range(0..encoded.len())].clone();
        for _ in 0..rng.random_range(1..4) {
            let at = rng.random_range(0..bytes.len());
            bytes[at] = rng.random();
        }
        let _ = ClientMessage::decode(&bytes, &limits);
        let _ = ServerMessage::decode(&bytes, &limits);
    }
}
