//! Signed connection tokens: HS256 JWTs that name a device, the departments it may join
//! and its user, with an expiry. Pure: the caller passes the keys and the clock.
//!
//! A key file holds one key per line (at least 32 bytes each; blank lines and `#` comments
//! are skipped). The first key signs; every key verifies, so a rotation is: add the new key
//! first, restart the nodes, issue with it, and drop the old key once its tokens expired.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Shortest accepted key, in bytes (HS256 wants at least the hash size).
pub const MIN_KEY_BYTES: usize = 32;

/// What a token grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The device id.
    pub sub: String,
    /// Departments the device may join (none: no department).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
    /// The user, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    /// Expires at, seconds since the epoch.
    pub exp: u64,
}

/// Why a token was refused (the message is what the device gets in CONNECT_ERROR).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("missing token: send auth.token")]
    Missing,
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    #[error("token signed with an unsupported algorithm (only HS256)")]
    Algorithm,
    #[error("token signature does not verify with any configured key")]
    BadSignature,
    #[error("token expired {0} s ago")]
    Expired(u64),
}

/// The signing and verifying keys.
#[derive(Clone)]
pub struct Keys {
    keys: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys({} keys)", self.keys.len())
    }
}

impl Keys {
    /// Parses a key file's text; the error says which line is wrong.
    pub fn parse(text: &str) -> Result<Keys, String> {
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let k = line.trim();
            if k.is_empty() || k.starts_with('#') {
                continue;
            }
            if k.len() < MIN_KEY_BYTES {
                return Err(format!(
                    "line {}: key is {} bytes; at least {MIN_KEY_BYTES} are required",
                    i + 1,
                    k.len()
                ));
            }
            keys.push(k.as_bytes().to_vec());
        }
        if keys.is_empty() {
            return Err("no key: one key per line, the first one signs".into());
        }
        Ok(Keys { keys })
    }

    fn mac(key: &[u8], data: &[u8]) -> Hmac<Sha256> {
        let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        m.update(data);
        m
    }

    /// A token for `claims`, signed with the first key.
    pub fn issue(&self, claims: &Claims) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
        let signing_input = format!("{header}.{payload}");
        let sig = Self::mac(&self.keys[0], signing_input.as_bytes())
            .finalize()
            .into_bytes();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// The claims of `token` if it is signed by one of the keys and not expired at `now`.
    pub fn verify(&self, token: &str, now: u64) -> Result<Claims, TokenError> {
        if token.len() > 8 * 1024 {
            return Err(TokenError::Malformed("longer than 8 KiB"));
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("expected header.payload.signature"));
        };
        let header = URL_SAFE_NO_PAD
            .decode(h)
            .map_err(|_| TokenError::Malformed("header is not base64url"))?;
        let header: serde_json::Value = serde_json::from_slice(&header)
            .map_err(|_| TokenError::Malformed("header is not JSON"))?;
        if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
            return Err(TokenError::Algorithm);
        }
        let sig = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| TokenError::Malformed("signature is not base64url"))?;
        let signing_input = &token[..h.len() + 1 + p.len()];
        let signed = self.keys.iter().any(|k| {
            Self::mac(k, signing_input.as_bytes())
                .verify_slice(&sig)
                .is_ok()
        });
        if !signed {
            return Err(TokenError::BadSignature);
        }
        let payload = URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| TokenError::Malformed("payload is not base64url"))?;
        let claims: Claims = serde_json::from_slice(&payload)
            .map_err(|_| TokenError::Malformed("payload is not the expected claims"))?;
        if claims.exp <= now {
            return Err(TokenError::Expired(now - claims.exp));
        }
        Ok(claims)
    }
}

/// Parses a lifetime: `30d`, `12h`, `15m`, `90s` or plain seconds.
pub fn parse_ttl(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (n, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c),
        _ => (s, 's'),
    };
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{s:?} is not a lifetime (e.g. 30d, 12h, 15m, 90s)"))?;
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(format!("{s:?}: unit must be s, m, h or d")),
    };
    match n.checked_mul(mult) {
        Some(0) | None => Err(format!("{s:?}: lifetime must be above 0 and finite")),
        Some(v) => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "first-key-0123456789-abcdefghijklmnop";
    const K2: &str = "second-key-0123456789-abcdefghijklmno";

    fn claims(exp: u64) -> Claims {
        Claims {
            sub: "D1".into(),
            departments: vec!["ops".into()],
            user: Some("u1".into()),
            iat: 100,
            exp,
        }
    }

    #[test]
    fn a_token_verifies_with_its_key_until_it_expires() {
        let keys = Keys::parse(K1).unwrap();
        let t = keys.issue(&claims(1000));
        assert_eq!(keys.verify(&t, 999).unwrap(), claims(1000));
        assert_eq!(keys.verify(&t, 1000), Err(TokenError::Expired(0)));
        assert_eq!(keys.verify(&t, 1060), Err(TokenError::Expired(60)));
    }

    #[test]
    fn wrong_key_and_rotation() {
        let old = Keys::parse(K1).unwrap();
        let other = Keys::parse(K2).unwrap();
        let t = old.issue(&claims(1000));
        assert_eq!(other.verify(&t, 1), Err(TokenError::BadSignature));
        // during a rotation the new key signs and both verify
        let rotating = Keys::parse(&format!("# new first\n{K2}\n\n{K1}\n")).unwrap();
        assert!(rotating.verify(&t, 1).is_ok());
        let fresh = rotating.issue(&claims(1000));
        assert!(other.verify(&fresh, 1).is_ok());
        assert_eq!(old.verify(&fresh, 1), Err(TokenError::BadSignature));
    }

    #[test]
    fn tampering_and_garbage_are_refused() {
        let keys = Keys::parse(K1).unwrap();
        let t = keys.issue(&claims(1000));
        let (head, rest) = t.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let mut forged = claims(1000);
        forged.sub = "D2".into();
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert_eq!(
            keys.verify(&format!("{head}.{payload}.{sig}"), 1),
            Err(TokenError::BadSignature)
        );
        let none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        assert_eq!(
            keys.verify(&format!("{none}.{payload}."), 1),
            Err(TokenError::Algorithm)
        );
        for bad in ["", "a.b", "a.b.c.d", "!!.x.y"] {
            assert!(
                matches!(keys.verify(bad, 1), Err(TokenError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn key_files_and_lifetimes() {
        assert!(Keys::parse("short").unwrap_err().contains("line 1"));
        assert!(Keys::parse("# only a comment\n").is_err());
        assert_eq!(parse_ttl("30d"), Ok(30 * 86_400));
        assert_eq!(parse_ttl("12h"), Ok(43_200));
        assert_eq!(parse_ttl("90"), Ok(90));
        for bad in ["", "0", "1y", "d", "-1h"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }
}
