//! Handshake request query parsing and the Engine.IO HTTP error codes.
//!
//! Every Engine.IO request (`GET`/`POST` polling, WebSocket upgrade) carries a
//! query string such as `EIO=4&transport=polling&t=N8hyd6w&sid=…&deviceId=D123`.
//! [`EioQuery::parse`] checks the two mandatory keys the way the official
//! `engine.io` server does (transport first, then protocol version) and keeps
//! the raw query so application keys like `deviceId` can be read later,
//! percent-decoded, without allocating a map per request.
//!
//! Failures map to the Engine.IO error codes ([`ErrorCode`]) that the official
//! server answers with HTTP 400 (403 for [`ErrorCode::Forbidden`]) and a JSON
//! body `{"code":N,"message":"…"}`.

use std::borrow::Cow;
use std::fmt;

/// The Engine.IO transport named by the `transport` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// HTTP long-polling (`transport=polling`).
    Polling,
    /// WebSocket (`transport=websocket`).
    Websocket,
}

impl Transport {
    /// The query-string spelling of the transport.
    pub const fn as_str(self) -> &'static str {
        match self {
            Transport::Polling => "polling",
            Transport::Websocket => "websocket",
        }
    }

    /// Parses the exact query-string spelling (`polling` / `websocket`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "polling" => Some(Transport::Polling),
            "websocket" => Some(Transport::Websocket),
            _ => None,
        }
    }

    /// The `upgrades` a handshake on this transport advertises:
    /// `["websocket"]` for polling, `[]` for a WebSocket-only session.
    pub const fn upgrades(self) -> &'static [&'static str] {
        match self {
            Transport::Polling => &["websocket"],
            Transport::Websocket => &[],
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Engine.IO server error codes, as in `engine.io`'s `Server.errors` /
/// `Server.errorMessages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ErrorCode {
    /// 0 "Transport unknown": `transport` missing or not one of the enabled ones.
    UnknownTransport = 0,
    /// 1 "Session ID unknown": `sid` not found (or closed, or already upgraded).
    UnknownSid = 1,
    /// 2 "Bad handshake method": a handshake (no `sid`) that is not a `GET`.
    BadHandshakeMethod = 2,
    /// 3 "Bad request": e.g. transport mismatch for a `sid`, overlapping polls.
    BadRequest = 3,
    /// 4 "Forbidden": the application refused the handshake (HTTP 403).
    Forbidden = 4,
    /// 5 "Unsupported protocol version": `EIO` missing or not `4`.
    UnsupportedProtocolVersion = 5,
}

impl ErrorCode {
    /// The numeric code sent in the JSON body.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The message the official server sends for this code.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorCode::UnknownTransport => "Transport unknown",
            ErrorCode::UnknownSid => "Session ID unknown",
            ErrorCode::BadHandshakeMethod => "Bad handshake method",
            ErrorCode::BadRequest => "Bad request",
            ErrorCode::Forbidden => "Forbidden",
            ErrorCode::UnsupportedProtocolVersion => "Unsupported protocol version",
        }
    }

    /// HTTP status for a polling request: 403 for `Forbidden`, else 400.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::Forbidden => 403,
            _ => 400,
        }
    }

    /// The JSON body `{"code":N,"message":"…"}` (content type `application/json`).
    pub fn json_body(self) -> String {
        self.json_body_with_message(self.message())
    }

    /// The JSON body with a custom message (the official server uses the
    /// `allowRequest` message for `Forbidden`).
    pub fn json_body_with_message(self, message: &str) -> String {
        let mut out = Vec::with_capacity(32 + message.len());
        out.extend_from_slice(b"{\"code\":");
        out.extend_from_slice(self.code().to_string().as_bytes());
        out.extend_from_slice(b",\"message\":");
        super::write_json_str(&mut out, message);
        out.push(b'}');
        // Only ASCII and the (valid UTF-8) message were written.
        String::from_utf8(out).unwrap_or_default()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Why a request's query string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No `transport` parameter.
    #[error("missing transport")]
    MissingTransport,
    /// `transport` is neither `polling` nor `websocket`.
    #[error("unknown transport {0:?}")]
    UnknownTransport(String),
    /// No `EIO` parameter.
    #[error("missing EIO protocol version")]
    MissingProtocol,
    /// `EIO` is not `4`.
    #[error("unsupported EIO protocol version {0:?}")]
    UnsupportedProtocol(String),
}

impl QueryError {
    /// The Engine.IO error code to answer with.
    pub const fn code(&self) -> ErrorCode {
        match self {
            QueryError::MissingTransport | QueryError::UnknownTransport(_) => {
                ErrorCode::UnknownTransport
            }
            QueryError::MissingProtocol | QueryError::UnsupportedProtocol(_) => {
                ErrorCode::UnsupportedProtocolVersion
            }
        }
    }
}

/// Query keys reserved by Engine.IO; everything else belongs to the application.
pub const RESERVED_KEYS: &[&str] = &["EIO", "transport", "sid", "t", "j"];

/// A validated Engine.IO request query.
///
/// Borrows the raw query string; values are percent-decoded on access.
/// As with `URLSearchParams` + `Object.fromEntries` in the official server,
/// the **last** occurrence of a repeated key wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EioQuery<'a> {
    raw: &'a str,
    transport: Transport,
    sid: Option<Cow<'a, str>>,
}

impl<'a> EioQuery<'a> {
    /// Parses and validates a query string (with or without a leading `?`).
    ///
    /// Checks, in the official server's order: `transport` (code 0), then
    /// `EIO == "4"` (code 5). An empty `sid=` counts as absent (a handshake),
    /// as it does in the official server.
    pub fn parse(query: &'a str) -> Result<Self, QueryError> {
        let raw = query.strip_prefix('?').unwrap_or(query);
        let transport = match last_value(raw, "transport") {
            None => return Err(QueryError::MissingTransport),
            Some(t) => {
                Transport::parse(&t).ok_or_else(|| QueryError::UnknownTransport(t.into()))?
            }
        };
        match last_value(raw, "EIO") {
            None => return Err(QueryError::MissingProtocol),
            Some(v) if v == "4" => {}
            Some(v) => return Err(QueryError::UnsupportedProtocol(v.into())),
        }
        let sid = last_value(raw, "sid").filter(|s| !s.is_empty());
        Ok(EioQuery {
            raw,
            transport,
            sid,
        })
    }

    /// The requested transport.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The session id, `None` for a handshake request.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// `true` when this request opens a new session (no `sid`).
    pub fn is_handshake(&self) -> bool {
        self.sid.is_none()
    }

    /// The raw query string (without `?`).
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The percent-decoded value of `key` (last occurrence), e.g. `get("deviceId")`.
    pub fn get(&self, key: &str) -> Option<Cow<'a, str>> {
        last_value(self.raw, key)
    }

    /// All `(key, value)` pairs in order, percent-decoded.
    pub fn pairs(&self) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)> + 'a {
        pairs(self.raw)
    }

    /// The pairs whose key is not reserved by Engine.IO ([`RESERVED_KEYS`]).
    pub fn app_pairs(&self) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)> + 'a {
        pairs(self.raw).filter(|(k, _)| !RESERVED_KEYS.contains(&k.as_ref()))
    }
}

/// Iterates over the percent-decoded `key=value` pairs of a raw query string
/// (`application/x-www-form-urlencoded`: `+` is a space, `%XX` a byte; a key
/// without `=` has an empty value; empty segments are skipped).
pub fn pairs(raw: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> + '_ {
    raw.split('&').filter(|s| !s.is_empty()).map(|seg| {
        let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
        (percent_decode(k), percent_decode(v))
    })
}

fn last_value<'a>(raw: &'a str, key: &str) -> Option<Cow<'a, str>> {
    pairs(raw).filter(|(k, _)| k == key).map(|(_, v)| v).last()
}

/// Decodes `+` and `%XX` escapes like `URLSearchParams`: malformed escapes are
/// kept literally and invalid UTF-8 is replaced by U+FFFD. Borrows when there
/// is nothing to decode.
pub fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_queries() {
        let q = EioQuery::parse("EIO=4&transport=polling&t=N8hyd6w").unwrap();
        assert_eq!(q.transport(), Transport::Polling);
        assert!(q.is_handshake());
        assert_eq!(q.sid(), None);

        let q = EioQuery::parse("?EIO=4&transport=websocket&sid=lv_VI97HAXpY6yYWAAAC").unwrap();
        assert_eq!(q.transport(), Transport::Websocket);
        assert_eq!(q.sid(), Some("lv_VI97HAXpY6yYWAAAC"));
        assert!(!q.is_handshake());

        // empty sid is a handshake, like `if (sid)` in the official server
        let q = EioQuery::parse("EIO=4&transport=polling&sid=").unwrap();
        assert!(q.is_handshake());
    }

    #[test]
    fn error_table() {
        let cases: &[(&str, QueryError, u8)] = &[
            ("EIO=4", QueryError::MissingTransport, 0),
            ("", QueryError::MissingTransport, 0),
            (
                "EIO=4&transport=abc",
                QueryError::UnknownTransport("abc".into()),
                0,
            ),
            (
                "EIO=4&transport=Polling",
                QueryError::UnknownTransport("Polling".into()),
                0,
            ),
            (
                "EIO=4&transport=",
                QueryError::UnknownTransport("".into()),
                0,
            ),
            ("transport=polling", QueryError::MissingProtocol, 5),
            (
                "EIO=abc&transport=polling",
                QueryError::UnsupportedProtocol("abc".into()),
                5,
            ),
            (
                "EIO=3&transport=websocket",
                QueryError::UnsupportedProtocol("3".into()),
                5,
            ),
            (
                "EIO=&transport=websocket",
                QueryError::UnsupportedProtocol("".into()),
                5,
            ),
            // transport is checked before the protocol version, as upstream
            (
                "EIO=3&transport=abc",
                QueryError::UnknownTransport("abc".into()),
                0,
            ),
        ];
        for (q, err, code) in cases {
            let got = EioQuery::parse(q).unwrap_err();
            assert_eq!(&got, err, "{q}");
            assert_eq!(got.code().code(), *code, "{q}");
            assert_eq!(got.code().http_status(), 400, "{q}");
        }
    }

    #[test]
    fn error_bodies() {
        let table = [
            (
                ErrorCode::UnknownTransport,
                r#"{"code":0,"message":"Transport unknown"}"#,
                400,
            ),
            (
                ErrorCode::UnknownSid,
                r#"{"code":1,"message":"Session ID unknown"}"#,
                400,
            ),
            (
                ErrorCode::BadHandshakeMethod,
                r#"{"code":2,"message":"Bad handshake method"}"#,
                400,
            ),
            (
                ErrorCode::BadRequest,
                r#"{"code":3,"message":"Bad request"}"#,
                400,
            ),
            (
                ErrorCode::Forbidden,
                r#"{"code":4,"message":"Forbidden"}"#,
                403,
            ),
            (
                ErrorCode::UnsupportedProtocolVersion,
                r#"{"code":5,"message":"Unsupported protocol version"}"#,
                400,
            ),
        ];
        for (code, body, status) in table {
            assert_eq!(code.json_body(), body);
            assert_eq!(code.http_status(), status);
        }
        assert_eq!(
            ErrorCode::Forbidden.json_body_with_message("no \"token\""),
            r#"{"code":4,"message":"no \"token\""}"#
        );
    }

    #[test]
    fn app_params_percent_decoded() {
        let q =
            EioQuery::parse("EIO=4&transport=websocket&deviceId=D%2F12+3&x=%E2%82%AC&flag&t=abc")
                .unwrap();
        assert_eq!(q.get("deviceId").as_deref(), Some("D/12 3"));
        assert_eq!(q.get("x").as_deref(), Some("€"));
        assert_eq!(q.get("flag").as_deref(), Some(""));
        assert_eq!(q.get("missing"), None);
        let app: Vec<_> = q
            .app_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(
            app,
            vec![
                ("deviceId".to_string(), "D/12 3".to_string()),
                ("x".to_string(), "€".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
        // last occurrence wins
        let q = EioQuery::parse("EIO=3&transport=polling&EIO=4&deviceId=a&deviceId=b").unwrap();
        assert_eq!(q.get("deviceId").as_deref(), Some("b"));
        // encoded keys
        let q = EioQuery::parse("EIO=4&transport=polling&device%49d=z").unwrap();
        assert_eq!(q.get("deviceId").as_deref(), Some("z"));
    }

    #[test]
    fn percent_decoding_edge_cases() {
        assert!(matches!(percent_decode("plain"), Cow::Borrowed("plain")));
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%41%42%43"), "ABC");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
        assert_eq!(percent_decode("a+b%2Bc"), "a b+c");
    }
}
