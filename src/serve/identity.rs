//! Who a connecting device is: device id, department and user, from the Socket.IO handshake.
//! Pure: the caller passes the header, query and CONNECT auth values it has.

use std::sync::OnceLock;

use serde_json::Value;

use super::token::Keys;

/// The node's token keys when it runs with `--auth jwt` (set once at start).
static TOKEN_KEYS: OnceLock<Keys> = OnceLock::new();

/// Every CONNECT must carry a token signed by one of `keys` (`rtctl serve --auth jwt`).
/// `false` when a policy was set already.
pub fn require_tokens(keys: Keys) -> bool {
    TOKEN_KEYS.set(keys).is_ok()
}

/// The token keys of `--auth jwt`, if the node runs with it.
pub fn token_keys() -> Option<&'static Keys> {
    TOKEN_KEYS.get()
}

/// Identity of one connected device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub device_id: String,
    pub department: Option<String>,
    pub user: Option<String>,
    /// The sources disagreed (for example header and query carry different ids): the first one
    /// in precedence order won; worth a log line, since gateways may hash the other.
    pub mismatch: Option<String>,
    /// With `--auth jwt`: the departments the device's token grants (the only ones it may join).
    pub granted: Option<Vec<String>>,
}

/// What the handshake offers.
#[derive(Debug, Clone, Default)]
pub struct Handshake<'a> {
    /// Header `x-device-id`.
    pub header_device: Option<&'a str>,
    /// Header `x-department-id`.
    pub header_department: Option<&'a str>,
    /// Query `deviceId` (percent-decoded).
    pub query_device: Option<&'a str>,
    /// The Socket.IO CONNECT payload (`auth`), if any.
    pub auth: Option<&'a Value>,
}

/// Is this a valid device or department id? The one rule of [`crate::device_id`]: 1–50
/// characters of `[A-Za-z0-9._~-]`; `what` names the field in the error.
pub fn check_id(what: &str, id: &str) -> Result<(), String> {
    crate::device_id::check(what, id)
}

/// Longest `auth.token`, in bytes.
pub const MAX_AUTH_TOKEN: usize = 8 * 1024;
/// Longest `auth.userId`, in characters (the guide's user ids are UUIDs, 36).
pub const MAX_AUTH_USER: usize = 128;
/// Longest other `auth` string, in bytes.
pub const MAX_AUTH_STRING: usize = 1024;
/// Most keys in `auth`, and most entries in an `auth` array (e.g. `departments`).
pub const MAX_AUTH_ENTRIES: usize = 100;

/// Every `auth` field is bounded: strings by [`MAX_AUTH_STRING`] (the token by
/// [`MAX_AUTH_TOKEN`], the user id by [`MAX_AUTH_USER`]), objects and arrays by
/// [`MAX_AUTH_ENTRIES`]. The error names the field.
pub fn check_auth_limits(auth: &Value) -> Result<(), String> {
    fn walk(path: &str, v: &Value, max_str: usize) -> Result<(), String> {
        match v {
            Value::String(s) if s.len() > max_str => Err(format!(
                "{path} is {} bytes; at most {max_str} are accepted",
                s.len()
            )),
            Value::Array(a) if a.len() > MAX_AUTH_ENTRIES => Err(format!(
                "{path} has {} entries; at most {MAX_AUTH_ENTRIES} are accepted",
                a.len()
            )),
            Value::Object(o) if o.len() > MAX_AUTH_ENTRIES => Err(format!(
                "{path} has {} keys; at most {MAX_AUTH_ENTRIES} are accepted",
                o.len()
            )),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| walk(&format!("{path}[{i}]"), v, MAX_AUTH_STRING)),
            Value::Object(o) => o.iter().try_for_each(|(k, v)| {
                if k.len() > MAX_AUTH_STRING {
                    return Err(format!("{path} has a key of {} bytes", k.len()));
                }
                let max = match (path, k.as_str()) {
                    ("auth", "token") => MAX_AUTH_TOKEN,
                    ("auth", "userId") => MAX_AUTH_USER,
                    _ => MAX_AUTH_STRING,
                };
                let key: String = k.chars().take(64).collect();
                walk(&format!("{path}.{key}"), v, max)
            }),
            _ => Ok(()),
        }
    }
    walk("auth", auth, MAX_AUTH_STRING)
}

/// The identity headers of an Engine.IO handshake, checked before anything is kept:
/// `x-device-id` and `x-department-id`, when present and not empty, must be valid ids
/// ([`check_id`]). The error is what the refused handshake says.
pub fn check_handshake_headers(
    device: Option<&str>,
    department: Option<&str>,
) -> Result<(), String> {
    if let Some(d) = device.filter(|d| !d.is_empty()) {
        check_id("header x-device-id", d)?;
    }
    if let Some(d) = department.filter(|d| !d.is_empty()) {
        check_id("header x-department-id", d)?;
    }
    Ok(())
}

fn auth_str<'a>(auth: Option<&'a Value>, key: &str) -> Result<Option<&'a str>, String> {
    match auth.and_then(|a| a.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("auth.{key} must be a string, got {other}")),
    }
}

/// Resolve the identity: device id from header `x-device-id`, else query `deviceId`, else
/// `auth.deviceId`; department from header `x-department-id` or `auth.departmentId`; user from
/// `auth.userId`. The error message is what the device receives in CONNECT_ERROR.
pub fn identify(h: &Handshake<'_>) -> Result<Identity, String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    identify_with(h, TOKEN_KEYS.get(), now)
}

/// [`identify`] with explicit token keys and clock (seconds since the epoch). With keys,
/// `auth.token` must be a valid token whose device is every device id the handshake names,
/// and whose departments include every department named at connect.
pub fn identify_with(h: &Handshake<'_>, keys: Option<&Keys>, now: u64) -> Result<Identity, String> {
    let mut id = identify_untrusted(h)?;
    let Some(keys) = keys else {
        return Ok(id);
    };
    let token = auth_str(h.auth, "token")?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| super::token::TokenError::Missing.to_string())?;
    let claims = keys.verify(token, now).map_err(|e| e.to_string())?;
    let named = [
        ("header x-device-id", h.header_device),
        ("query deviceId", h.query_device),
        ("auth.deviceId", auth_str(h.auth, "deviceId")?),
    ];
    for (src, v) in named {
        if let Some(v) = v.filter(|v| !v.is_empty() && *v != claims.sub) {
            return Err(format!(
                "token is for device {:?}, but {src} is {v:?}",
                claims.sub
            ));
        }
    }
    let mut departments: Vec<&str> = id.department.iter().map(String::as_str).collect();
    if let Some(Value::Array(list)) = h.auth.and_then(|a| a.get("departments")) {
        departments.extend(list.iter().filter_map(Value::as_str));
    }
    if let Some(d) = departments
        .iter()
        .find(|d| !claims.departments.iter().any(|g| g == *d))
    {
        return Err(format!("department {d:?} is not granted by the token"));
    }
    if id.user.is_none() {
        id.user = claims.user.clone();
    }
    id.granted = Some(claims.departments);
    Ok(id)
}

fn identify_untrusted(h: &Handshake<'_>) -> Result<Identity, String> {
    if let Some(a) = h.auth {
        if !a.is_object() {
            return Err("auth must be a JSON object".into());
        }
        check_auth_limits(a)?;
    }
    let auth_device = auth_str(h.auth, "deviceId")?;
    let candidates = [
        ("header x-device-id", h.header_device),
        ("query deviceId", h.query_device),
        ("auth.deviceId", auth_device),
    ];
    let (source, device_id) = candidates
        .iter()
        .find_map(|(src, v)| v.filter(|v| !v.is_empty()).map(|v| (*src, v)))
        .ok_or("missing device id: send header x-device-id, query deviceId or auth.deviceId")?;
    check_id("device id", device_id)?;
    let mismatch = candidates
        .iter()
        .filter_map(|(src, v)| {
            v.filter(|v| !v.is_empty() && *v != device_id)
                .map(|v| (src, v))
        })
        .map(|(src, v)| format!("{source} is {device_id:?} but {src} is {v:?}"))
        .next();
    let department = match h.header_department.filter(|d| !d.is_empty()) {
        Some(d) => Some(d),
        None => auth_str(h.auth, "departmentId")?,
    };
    if let Some(d) = department {
        check_id("department id", d)?;
    }
    let user = auth_str(h.auth, "userId")?.map(str::to_string);
    Ok(Identity {
        device_id: device_id.to_string(),
        department: department.map(str::to_string),
        user,
        mismatch,
        granted: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tokens_prove_the_device_and_its_departments() {
        use crate::serve::token::{Claims, Keys};
        let k1 = Keys::parse("key-one-0123456789abcdefghijklmnopq").unwrap();
        let k2 = Keys::parse("key-two-0123456789abcdefghijklmnopq").unwrap();
        let token = |keys: &Keys, sub: &str, exp: u64| {
            keys.issue(&Claims {
                sub: sub.into(),
                departments: vec!["ops".into(), "er".into()],
                user: Some("u1".into()),
                iat: 0,
                exp,
            })
        };
        let connect = |auth: Value, header: Option<&'static str>, keys: &Keys| {
            let auth = Box::leak(Box::new(auth));
            identify_with(
                &Handshake {
                    header_device: header,
                    auth: Some(auth),
                    ..Default::default()
                },
                Some(keys),
                1000,
            )
        };
        let ok = connect(
            json!({"deviceId": "D1", "token": token(&k1, "D1", 2000), "departments": ["ops"]}),
            Some("D1"),
            &k1,
        )
        .unwrap();
        assert_eq!(ok.granted, Some(vec!["ops".to_string(), "er".to_string()]));
        assert_eq!(ok.user.as_deref(), Some("u1"));
        let cases = [
            (
                json!({"deviceId": "D1"}),
                Some("D1"),
                &k1,
                "missing token: send auth.token",
            ),
            (
                json!({"token": token(&k1, "D1", 999)}),
                Some("D1"),
                &k1,
                "token expired 1 s ago",
            ),
            (
                json!({"token": token(&k2, "D1", 2000)}),
                Some("D1"),
                &k1,
                "token signature does not verify with any configured key",
            ),
            (
                json!({"token": token(&k1, "D1", 2000)}),
                Some("D2"),
                &k1,
                "token is for device \"D1\", but header x-device-id is \"D2\"",
            ),
            (
                json!({"token": token(&k1, "D1", 2000), "deviceId": "D9"}),
                Some("D1"),
                &k1,
                "token is for device \"D1\", but auth.deviceId is \"D9\"",
            ),
            (
                json!({"token": token(&k1, "D1", 2000), "departments": ["ops", "hr"]}),
                Some("D1"),
                &k1,
                "department \"hr\" is not granted by the token",
            ),
            (
                json!({"token": token(&k1, "D1", 2000), "departmentId": "hr"}),
                Some("D1"),
                &k1,
                "department \"hr\" is not granted by the token",
            ),
        ];
        for (auth, header, keys, want) in cases {
            assert_eq!(connect(auth, header, keys).unwrap_err(), want);
        }
        // rotation: a node with both keys accepts tokens of either
        let both =
            Keys::parse("key-two-0123456789abcdefghijklmnopq\nkey-one-0123456789abcdefghijklmnopq")
                .unwrap();
        for keys in [&k1, &k2] {
            connect(json!({"token": token(keys, "D1", 2000)}), Some("D1"), &both).unwrap();
        }
    }

    #[test]
    fn every_auth_field_is_length_limited() {
        let ok = json!({"deviceId": "D1", "userId": "7f1c7d4e-2f7b-4d7a-9a3e-2b1d6f0c9e11",
            "token": "t".repeat(4000), "departments": ["A", "B"], "offset": "1-0"});
        identify(&Handshake {
            auth: Some(&ok),
            ..Default::default()
        })
        .unwrap();
        let cases = [
            (
                json!({"deviceId": "D1", "userId": "u".repeat(500_000)}),
                "auth.userId is 500000 bytes",
            ),
            (
                json!({"deviceId": "D1", "token": "t".repeat(9000)}),
                "auth.token is 9000 bytes",
            ),
            (
                json!({"deviceId": "D1", "extra": "x".repeat(2000)}),
                "auth.extra is 2000 bytes",
            ),
            (
                json!({"deviceId": "D1", "departments": vec!["A"; 101]}),
                "auth.departments has 101 entries",
            ),
            (
                json!({"deviceId": "D1", "departments": ["A", "d".repeat(2000)]}),
                "auth.departments[1] is 2000 bytes",
            ),
            (
                json!({"deviceId": "D1", "nested": {"deep": "x".repeat(2000)}}),
                "auth.nested.deep is 2000 bytes",
            ),
        ];
        for (auth, want) in cases {
            let e = identify(&Handshake {
                auth: Some(&auth),
                ..Default::default()
            })
            .unwrap_err();
            assert!(e.starts_with(want), "{e}");
        }
        let many: serde_json::Map<String, Value> =
            (0..101).map(|i| (format!("k{i}"), json!(1))).collect();
        let e = check_auth_limits(&Value::Object(many)).unwrap_err();
        assert_eq!(e, "auth has 101 keys; at most 100 are accepted");
    }

    #[test]
    fn handshake_headers_are_checked_before_they_are_kept() {
        check_handshake_headers(Some("D-1"), Some("ops")).unwrap();
        check_handshake_headers(None, Some("")).unwrap();
        let e = check_handshake_headers(Some(&"x".repeat(190 * 1024)), None).unwrap_err();
        assert!(
            e.starts_with("header x-device-id must be 1 to 50 characters"),
            "{e}"
        );
        let e = check_handshake_headers(Some("ok"), Some("bad dept")).unwrap_err();
        assert!(e.contains("header x-department-id"), "{e}");
    }

    #[test]
    fn precedence_is_header_query_auth() {
        let auth =
            json!({"deviceId": "from-auth", "departmentId": "D2", "userId": "u1", "token": "t"});
        let id = identify(&Handshake {
            header_device: Some("from-header"),
            query_device: Some("from-query"),
            auth: Some(&auth),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(id.device_id, "from-header");
        assert_eq!(id.department.as_deref(), Some("D2"));
        assert_eq!(id.user.as_deref(), Some("u1"));
        assert!(id
            .mismatch
            .unwrap()
            .contains("query deviceId is \"from-query\""));
        let id = identify(&Handshake {
            query_device: Some("q1"),
            header_department: Some("D1"),
            auth: Some(&auth),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (id.device_id.as_str(), id.department.as_deref()),
            ("q1", Some("D1"))
        );
        let only_auth = json!({"deviceId": "tablet-ios_a1b2c3d4"});
        let id = identify(&Handshake {
            auth: Some(&only_auth),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(id.device_id, "tablet-ios_a1b2c3d4");
        assert_eq!(id.mismatch, None);
    }

    #[test]
    fn bad_identities_are_refused_with_reasons() {
        let e = identify(&Handshake::default()).unwrap_err();
        assert!(e.starts_with("missing device id"), "{e}");
        let e = identify(&Handshake {
            query_device: Some("a b"),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.contains("' '"), "{e}");
        let long = "x".repeat(51);
        let e = identify(&Handshake {
            query_device: Some(&long),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.contains("1 to 50"), "{e}");
        let auth = json!({"deviceId": 5});
        let e = identify(&Handshake {
            auth: Some(&auth),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.contains("auth.deviceId must be a string"), "{e}");
        let auth = json!("nope");
        let e = identify(&Handshake {
            query_device: Some("d"),
            auth: Some(&auth),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.contains("auth must be a JSON object"), "{e}");
        let e = identify(&Handshake {
            query_device: Some("d"),
            header_department: Some("bad dept"),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.starts_with("department id"), "{e}");
    }
}
