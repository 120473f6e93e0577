//! Connect tokens from outside: `ConnectToken::verify` on any bytes (and on their hex text,
//! `token_from_text`), with a fixed key, protocol, game and time. Random bytes almost never carry
//! a valid signature, so the input is also read as a token's fields, signed with the key and
//! verified: the checks after the signature (protocol, game, expiry) are reached too.
#![no_main]

use layerw_net::token::{ConnectToken, SIGNED_TOKEN_BYTES, TokenError, token_from_text};
use layerw_net_fuzz::{GAME, NOW, PROTOCOL, key};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = key();
    let _ = ConnectToken::verify(data, &key, NOW, PROTOCOL, GAME);
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(bytes) = token_from_text(text)
    {
        assert_eq!(bytes.len(), SIGNED_TOKEN_BYTES);
        let _ = ConnectToken::verify(&bytes, &key, NOW, PROTOCOL, GAME);
    }
    // Fields: protocol, game, client id, expiry, nonce (zero-filled when short).
    let mut fields = [0u8; 44];
    let n = data.len().min(fields.len());
    fields[..n].copy_from_slice(&data[..n]);
    let token = ConnectToken {
        protocol: u32::from_le_bytes(fields[0..4].try_into().expect("4 bytes")),
        game: u64::from_le_bytes(fields[4..12].try_into().expect("8 bytes")),
        client_id: u64::from_le_bytes(fields[12..20].try_into().expect("8 bytes")),
        expires_at: u64::from_le_bytes(fields[20..28].try_into().expect("8 bytes")),
        nonce: fields[28..44].try_into().expect("16 bytes"),
    };
    let signed = token.sign(&key);
    let verified = ConnectToken::verify(&signed, &key, NOW, PROTOCOL, GAME);
    let expected = if token.protocol != PROTOCOL {
        Err(TokenError::WrongProtocol {
            expected: PROTOCOL,
            found: token.protocol,
        })
    } else if token.game != GAME {
        Err(TokenError::WrongGame {
            expected: GAME,
            found: token.game,
        })
    } else if NOW >= token.expires_at {
        Err(TokenError::Expired {
            expired_at: token.expires_at,
            now: NOW,
        })
    } else {
        Ok(token.clone())
    };
    assert_eq!(verified, expected);
    // One flipped bit anywhere (chosen by the input) breaks the token.
    if let Some(&choice) = data.get(44) {
        let mut altered = signed;
        let bit = usize::from(choice) * 7 % (SIGNED_TOKEN_BYTES * 8);
        altered[bit / 8] ^= 1 << (bit % 8);
        assert!(ConnectToken::verify(&altered, &key, NOW, PROTOCOL, GAME).is_err());
    }
});
