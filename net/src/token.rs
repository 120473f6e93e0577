//! Connect tokens, in the manner of netcode.io: whoever decides who may play (a matchmaker, a
//! web page, the server itself) signs a short-lived token with the server's secret key; the
//! client hands it over in its `Hello`, and the server admits it only if the signature holds,
//! it has not expired, and it names this server's protocol and game.
//!
//! Layout of a signed token (all integers little-endian), [`SIGNED_TOKEN_BYTES`] bytes:
//!
//! | bytes | field |
//! |---|---|
//! | 4 | magic `LWT` and format version 1 |
//! | 4 | protocol |
//! | 8 | game |
//! | 8 | client id |
//! | 8 | expires at (unix seconds) |
//! | 16 | nonce |
//! | 32 | HMAC-SHA256 of everything before it, keyed with the [`ServerKey`] |

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const MAGIC: [u8; 4] = *b"LWT\x01";
const BODY_BYTES: usize = 4 + 4 + 8 + 8 + 8 + 16;
const TAG_BYTES: usize = 32;

/// The size of every signed token, in bytes.
pub const SIGNED_TOKEN_BYTES: usize = BODY_BYTES + TAG_BYTES;

/// The server's secret key: 32 bytes shared only by the server and whoever issues tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerKey([u8; 32]);

impl ServerKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        ServerKey(bytes)
    }

    /// A fresh key from the operating system's (or the browser's) random source.
    pub fn random() -> Result<Self, KeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(ServerKey(bytes))
    }

    /// A key from 64 hex digits (as kept in a config file or an environment variable).
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.len() != 64 {
            return Err(KeyError::WrongLength {
                digits: text.len(),
                expected: 64,
            });
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| KeyError::InvalidHex)?;
        Ok(ServerKey(bytes))
    }

    /// The key as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes a key of any length: this cannot fail for 32 bytes.
        <HmacSha256 as KeyInit>::new_from_slice(&self.0).expect("HMAC accepts any key length")
    }
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret into logs.
        f.write_str("ServerKey(..)")
    }
}

/// Why a server key could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The text is not 64 hex digits long.
    WrongLength {
        /// Characters found.
        digits: usize,
        /// Characters expected (64).
        expected: usize,
    },
    /// The text has a character that is not a hex digit.
    InvalidHex,
    /// The random source failed.
    Random(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::WrongLength { digits, expected } => {
                write!(f, "server key has {digits} hex digits, expected {expected}")
            }
            KeyError::InvalidHex => f.write_str("server key is not hex"),
            KeyError::Random(why) => write!(f, "random source failed: {why}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// What a connect token grants: `client_id` may join `game` over `protocol` until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectToken {
    /// The protocol version the client speaks.
    pub protocol: u32,
    /// The game (or match) this token admits to.
    pub game: u64,
    /// The client's identity; the server's `ClientId`. One connection per id at a time.
    pub client_id: u64,
    /// Unix seconds after which the token is refused.
    pub expires_at: u64,
    /// Random bytes that make every token unique.
    pub nonce: [u8; 16],
}

impl ConnectToken {
    /// The token's signed bytes ([`SIGNED_TOKEN_BYTES`] long).
    pub fn sign(&self, key: &ServerKey) -> Vec<u8> {
        let mut out = Vec::with_capacity(SIGNED_TOKEN_BYTES);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&self.protocol.to_le_bytes());
        out.extend_from_slice(&self.game.to_le_bytes());
        out.extend_from_slice(&self.client_id.to_le_bytes());
        out.extend_from_slice(&self.expires_at.to_le_bytes());
        out.extend_from_slice(&self.nonce);
        let mut mac = key.mac();
        mac.update(&out);
        out.extend_from_slice(&mac.finalize().into_bytes());
        out
    }

    /// Checks signed token bytes with `key` at unix time `now_unix` (the signature first, so
    /// nothing of a forged token is looked at), and the token's protocol and game against the
    /// expected ones.
    pub fn verify(
        bytes: &[u8],
        key: &ServerKey,
        now_unix: u64,
        protocol: u32,
        game: u64,
    ) -> Result<ConnectToken, TokenError> {
        if bytes.len() != SIGNED_TOKEN_BYTES || bytes[..4] != MAGIC {
            return Err(TokenError::Malformed {
                size: bytes.len(),
                expected: SIGNED_TOKEN_BYTES,
            });
        }
        let (body, tag) = bytes.split_at(BODY_BYTES);
        let mut mac = key.mac();
        mac.update(body);
        // Constant-time comparison of the tags.
        mac.verify_slice(tag)
            .map_err(|_| TokenError::BadSignature)?;
        let token = ConnectToken {
            protocol: u32::from_le_bytes(fixed(&body[4..8])),
            game: u64::from_le_bytes(fixed(&body[8..16])),
            client_id: u64::from_le_bytes(fixed(&body[16..24])),
            expires_at: u64::from_le_bytes(fixed(&body[24..32])),
            nonce: fixed(&body[32..48]),
        };
        if token.protocol != protocol {
            return Err(TokenError::WrongProtocol {
                expected: protocol,
                found: token.protocol,
            });
        }
        if token.game != game {
            return Err(TokenError::WrongGame {
                expected: game,
                found: token.game,
            });
        }
        if now_unix >= token.expires_at {
            return Err(TokenError::Expired {
                expired_at: token.expires_at,
                now: now_unix,
            });
        }
        Ok(token)
    }
}

fn fixed<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    out
}

/// Issues a signed token for `client_id`, valid for `valid_for_secs` from unix time `now_unix`,
/// with a random nonce: what a matchmaker or a web page hands to a client.
pub fn issue_token(
    key: &ServerKey,
    protocol: u32,
    game: u64,
    client_id: u64,
    valid_for_secs: u64,
    now_unix: u64,
) -> Result<Vec<u8>, KeyError> {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
    let token = ConnectToken {
        protocol,
        game,
        client_id,
        expires_at: now_unix.saturating_add(valid_for_secs),
        nonce,
    };
    Ok(token.sign(key))
}

/// Signed token bytes as lowercase hex, safe in a URL or a command line.
pub fn token_to_text(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Signed token bytes back from [`token_to_text`]'s hex; the signature is checked later, by
/// [`ConnectToken::verify`].
pub fn token_from_text(text: &str) -> Result<Vec<u8>, TokenError> {
    let text = text.trim();
    if text.len() != SIGNED_TOKEN_BYTES * 2 {
        return Err(TokenError::Malformed {
            size: text.len() / 2,
            expected: SIGNED_TOKEN_BYTES,
        });
    }
    hex::decode(text).map_err(|_| TokenError::Malformed {
        size: text.len() / 2,
        expected: SIGNED_TOKEN_BYTES,
    })
}

/// Why a connect token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a token: wrong size or format.
    Malformed {
        /// Bytes found.
        size: usize,
        /// Bytes of a token.
        expected: usize,
    },
    /// The signature does not match: forged, altered, or signed with another key.
    BadSignature,
    /// The token expired.
    Expired {
        /// Its expiry, unix seconds.
        expired_at: u64,
        /// The server's time, unix seconds.
        now: u64,
    },
    /// The token is for another protocol version.
    WrongProtocol {
        /// This server's protocol.
        expected: u32,
        /// The token's.
        found: u32,
    },
    /// The token is for another game.
    WrongGame {
        /// This server's game.
        expected: u64,
        /// The token's.
        found: u64,
    },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed { size, expected } => {
                write!(
                    f,
                    "malformed token of {size} bytes (a token has {expected})"
                )
            }
            TokenError::BadSignature => f.write_str("token signature does not match"),
            TokenError::Expired { expired_at, now } => {
                write!(f, "token expired at {expired_at} (now {now}, unix seconds)")
            }
            TokenError::WrongProtocol { expected, found } => {
                write!(
                    f,
                    "token is for protocol {found}, this server speaks {expected}"
                )
            }
            TokenError::WrongGame { expected, found } => {
                write!(
                    f,
                    "token is for game {found:#x}, this server runs {expected:#x}"
                )
            }
        }
    }
}

impl std::error::Error for TokenError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ServerKey {
        ServerKey::from_bytes([7; 32])
    }

    fn token() -> ConnectToken {
        ConnectToken {
            protocol: 3,
            game: 0xABCD,
            client_id: 42,
            expires_at: 1_000,
            nonce: [9; 16],
        }
    }

    #[test]
    fn signed_token_verifies() {
        let bytes = token().sign(&key());
        assert_eq!(bytes.len(), SIGNED_TOKEN_BYTES);
        assert_eq!(
            ConnectToken::verify(&bytes, &key(), 999, 3, 0xABCD),
            Ok(token())
        );
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let bytes = token().sign(&key());
        for i in 0..bytes.len() {
            let mut forged = bytes.clone();
            forged[i] ^= 0x01;
            let err = ConnectToken::verify(&forged, &key(), 0, 3, 0xABCD).unwrap_err();
            let expected = if i < 4 {
                TokenError::Malformed {
                    size: SIGNED_TOKEN_BYTES,
                    expected: SIGNED_TOKEN_BYTES,
                }
            } else {
                TokenError::BadSignature
            };
            assert_eq!(err, expected, "byte {i}");
        }
    }

    #[test]
    fn another_key_is_a_bad_signature() {
        let bytes = token().sign(&ServerKey::from_bytes([8; 32]));
        assert_eq!(
            ConnectToken::verify(&bytes, &key(), 0, 3, 0xABCD),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn expiry_protocol_game_and_size_are_checked() {
        let bytes = token().sign(&key());
        assert_eq!(
            ConnectToken::verify(&bytes, &key(), 1_000, 3, 0xABCD),
            Err(TokenError::Expired {
                expired_at: 1_000,
                now: 1_000
            })
        );
        assert_eq!(
            ConnectToken::verify(&bytes, &key(), 0, 4, 0xABCD),
            Err(TokenError::WrongProtocol {
                expected: 4,
                found: 3
            })
        );
        assert_eq!(
            ConnectToken::verify(&bytes, &key(), 0, 3, 1),
            Err(TokenError::WrongGame {
                expected: 1,
                found: 0xABCD
            })
        );
        assert_eq!(
            ConnectToken::verify(&bytes[..50], &key(), 0, 3, 0xABCD),
            Err(TokenError::Malformed {
                size: 50,
                expected: SIGNED_TOKEN_BYTES
            })
        );
    }

    #[test]
    fn issued_tokens_differ_and_round_trip_as_text() {
        let key = ServerKey::random().unwrap();
        let a = issue_token(&key, 1, 2, 3, 60, 100).unwrap();
        let b = issue_token(&key, 1, 2, 3, 60, 100).unwrap();
        assert_ne!(a, b, "the nonce makes every token unique");
        let text = token_to_text(&a);
        assert!(text.bytes().all(|c| c.is_ascii_hexdigit()));
        let back = token_from_text(&text).unwrap();
        let token = ConnectToken::verify(&back, &key, 159, 1, 2).unwrap();
        assert_eq!((token.client_id, token.expires_at), (3, 160));
        assert!(token_from_text("zz").is_err());
        assert!(token_from_text(&"g".repeat(SIGNED_TOKEN_BYTES * 2)).is_err());
    }

    #[test]
    fn key_hex_round_trip_and_errors() {
        let key = key();
        assert_eq!(ServerKey::from_hex(&key.to_hex()), Ok(key));
        assert_eq!(
            ServerKey::from_hex("abc"),
            Err(KeyError::WrongLength {
                digits: 3,
                expected: 64
            })
        );
        assert_eq!(
            ServerKey::from_hex(&"x".repeat(64)),
            Err(KeyError::InvalidHex)
        );
        assert_eq!(
            format!("{:?}", ServerKey::from_bytes([1; 32])),
            "ServerKey(..)"
        );
    }
}
