//! Who a connecting device is: device id, department and user, from the Socket.IO handshake.
//! Pure: the caller passes the header, query and CONNECT auth values it has.

use serde_json::Value;

/// Identity of one connected device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub device_id: String,
    pub department: Option<String>,
    pub user: Option<String>,
    /// The sources disagreed (for example header and query carry different ids): the first one
    /// in precedence order won; worth a log line, since gateways may hash the other.
    pub mismatch: Option<String>,
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

/// Is this a valid id? 1–50 characters of `[A-Za-z0-9._:-]`.
pub fn check_id(what: &str, id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > 50 {
        return Err(format!(
            "{what} must be 1 to 50 characters, got {}",
            id.len()
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')))
    {
        return Err(format!(
            "{what} {id:?} contains {c:?}; allowed: A-Z a-z 0-9 . _ : -"
        ));
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
    if let Some(a) = h.auth {
        if !a.is_object() {
            return Err("auth must be a JSON object".into());
        }
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
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
