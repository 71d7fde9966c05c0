//! What a simulated device writes and reads: RFC 6455 client framing (masked frames out,
//! unmasked frames in) and the few Engine.IO / Socket.IO packets a notification device sees.
//! Pure: no sockets here.

use std::ops::Range;

/// Mask key of every client frame (RFC 6455 asks for a fresh one per frame against proxies
/// that cache; the servers measured here do not check).
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// Appends one masked client frame with this opcode (0x1 text, 0x8 close, 0xA pong).
pub fn client_frame(out: &mut Vec<u8>, opcode: u8, payload: &[u8]) {
    out.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => out.push(0x80 | n as u8),
        n if n <= 0xffff => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&MASK);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
}

/// One server frame at the start of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    pub opcode: u8,
    /// The payload's bytes within the buffer.
    pub payload: Range<usize>,
}

/// The frame at the start of `buf`, `Ok(None)` while it is incomplete. A masked frame or one
/// over 16 MiB is a protocol error.
pub fn server_frame(buf: &[u8]) -> Result<Option<Frame>, String> {
    if buf.len() < 2 {
        return Ok(None);
    }
    if buf[1] & 0x80 != 0 {
        return Err("masked frame from the server".into());
    }
    let (len, head) = match buf[1] & 0x7f {
        126 if buf.len() >= 4 => (u64::from(u16::from_be_bytes([buf[2], buf[3]])), 4),
        127 if buf.len() >= 10 => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[2..10]);
            (u64::from_be_bytes(b), 10)
        }
        126 | 127 => return Ok(None),
        n => (u64::from(n), 2),
    };
    if len > 16 << 20 {
        return Err(format!("frame of {len} bytes from the server"));
    }
    let end = head + len as usize;
    if buf.len() < end {
        return Ok(None);
    }
    Ok(Some(Frame {
        fin: buf[0] & 0x80 != 0,
        opcode: buf[0] & 0x0f,
        payload: head..end,
    }))
}

/// The upgrade request of a device, with the guide's identity headers (`x-device-id`,
/// `x-device-type`) and, when asked, `x-department-id`.
pub fn upgrade_request(host: &str, path: &str, id: &str, dept_header: Option<&str>) -> String {
    let mut req = format!(
        "GET {path}?EIO=4&transport=websocket&deviceId={id} HTTP/1.1\r\nHost: {host}\r\n\
         Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    );
    identity_headers(&mut req, id, dept_header);
    req.push_str("\r\n");
    req
}

/// The identity headers every request of a device carries (socket.io-client's `extraHeaders`
/// go with each polling request too, so a gateway hashing a header routes them all alike).
fn identity_headers(req: &mut String, id: &str, dept_header: Option<&str>) {
    let kind = id.split('_').next().unwrap_or("unknown");
    req.push_str(&format!("x-device-id: {id}\r\nx-device-type: {kind}\r\n"));
    if let Some(d) = dept_header {
        req.push_str(&format!("x-department-id: {d}\r\n"));
    }
}

/// One Engine.IO v4 long-polling request of a device: the handshake GET (no `sid`), a long-poll
/// GET, or (with a body) a POST of packets. `deviceId` stays in every query for gateways that
/// hash it.
pub fn polling_request(
    host: &str,
    path: &str,
    id: &str,
    sid: Option<&str>,
    dept_header: Option<&str>,
    body: Option<&[u8]>,
) -> Vec<u8> {
    let method = if body.is_some() { "POST" } else { "GET" };
    let sid = sid.map(|s| format!("&sid={s}")).unwrap_or_default();
    let mut req = format!(
        "{method} {path}?EIO=4&transport=polling&deviceId={id}{sid} HTTP/1.1\r\nHost: {host}\r\n"
    );
    identity_headers(&mut req, id, dept_header);
    if let Some(b) = body {
        req.push_str(&format!(
            "content-type: text/plain;charset=UTF-8\r\ncontent-length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    let mut out = req.into_bytes();
    if let Some(b) = body {
        out.extend_from_slice(b);
    }
    out
}

/// The packets of a polling payload (Engine.IO v4 separates them with the record separator).
pub fn polling_packets(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    body.split(|&c| c == 0x1e).filter(|p| !p.is_empty())
}

/// Appends one packet to a polling payload being built.
pub fn polling_push(body: &mut Vec<u8>, packet: &[u8]) {
    if !body.is_empty() {
        body.push(0x1e);
    }
    body.extend_from_slice(packet);
}

/// The session id of an Engine.IO open packet (`0{"sid":…}`).
pub fn open_sid(packet: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(packet.strip_prefix(b"0")?).ok()?;
    v.get("sid")?.as_str().map(str::to_string)
}

/// Where a response's head ends and its `content-length`, once the head is complete.
pub fn response_framing(buf: &[u8]) -> Result<Option<(usize, usize)>, String> {
    let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > 16 << 10 {
            Err("response head over 16 KiB".into())
        } else {
            Ok(None)
        };
    };
    let head = String::from_utf8_lossy(&buf[..p]);
    let len = head
        .split("\r\n")
        .skip(1)
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())
                .flatten()
        })
        .ok_or("response without content-length")?;
    Ok(Some((p + 4, len)))
}

/// The status code and the `x-rtctl-node` header of a response head.
pub fn response_head(head: &[u8]) -> (Option<u16>, Option<String>) {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok());
    let node = lines.find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("x-rtctl-node")
            .then(|| v.trim().to_string())
    });
    (status, node)
}

/// The Socket.IO CONNECT a device sends: its id, and on a reconnect the recovery `pid` and the
/// last offset it received (what socket.io-client sends by itself).
pub fn connect_packet(id: &str, pid: Option<&str>, offset: Option<&str>) -> String {
    let mut auth = serde_json::Map::new();
    auth.insert("deviceId".into(), id.into());
    if let Some(p) = pid {
        auth.insert("pid".into(), p.into());
    }
    if let Some(o) = offset {
        auth.insert("offset".into(), o.into());
    }
    format!("40{}", serde_json::Value::Object(auth))
}

/// The guide's `subscribe-department` event, with ack id 0.
pub fn subscribe_packet(dept: &str) -> String {
    format!(
        "420{}",
        serde_json::json!(["subscribe-department", { "departmentId": dept }])
    )
}

/// The payload of a bench notification: its sequence number and the publisher's wall clock in
/// µs since the Unix epoch (processes on one machine share it), padded to about `bytes`.
pub fn payload(seq: u64, sent_us: u64, bytes: usize) -> String {
    let base = format!("{{\"seq\":{seq},\"t\":{sent_us},\"body\":\"\"}}");
    let pad = "x".repeat(bytes.saturating_sub(base.len()));
    format!("{{\"seq\":{seq},\"t\":{sent_us},\"body\":\"{pad}\"}}")
}

/// What a text message from the server means to a device (a notification's offset borrowed
/// from the message: no allocation per delivery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// Engine.IO open (`0{…}`).
    Open,
    /// Engine.IO ping: answer `3`.
    Ping,
    /// Socket.IO CONNECT accepted, with the recovery `pid` when the server issues one.
    Connected {
        pid: Option<String>,
    },
    /// CONNECT refused (`44{…}`).
    ConnectError(String),
    /// The ack of `subscribe-department`.
    Subscribed,
    /// A notification: its sequence number, send time, and the offset (last argument) if any.
    Notification {
        seq: u64,
        sent_us: u64,
        offset: Option<&'a str>,
    },
    /// `notification:gap`: retention removed part of what the device missed.
    Gap,
    /// Socket.IO DISCONNECT or Engine.IO close.
    Closed,
    Other,
}

fn number_after(text: &[u8], key: &[u8]) -> Option<u64> {
    let i = text.windows(key.len()).position(|w| w == key)?;
    let mut n: u64 = 0;
    let mut any = false;
    for &c in &text[i + key.len()..] {
        if !c.is_ascii_digit() {
            break;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        any = true;
    }
    any.then_some(n)
}

/// The last argument of an event when it is a string (`…,"1700000000000-3"]`).
fn trailing_string(text: &[u8]) -> Option<&str> {
    let body = text.strip_suffix(b"\"]")?;
    let start = body.iter().rposition(|&c| c == b'"')?;
    let s = &body[start + 1..];
    if start > 0 && body[start - 1] == b',' && !s.contains(&b'\\') {
        std::str::from_utf8(s).ok()
    } else {
        None
    }
}

/// Classifies one text message. Notifications are scanned, not parsed: a device of a 19k
/// fleet reads them at the rate of the whole fleet.
pub fn classify(text: &[u8]) -> Incoming<'_> {
    match text {
        b"2" => Incoming::Ping,
        b"1" | b"41" => Incoming::Closed,
        _ if text.starts_with(b"0{") => Incoming::Open,
        _ if text.starts_with(b"42[\"notification:gap\"") => Incoming::Gap,
        _ if text.starts_with(b"42[\"notification") => {
            match (
                number_after(text, b"\"seq\":"),
                number_after(text, b"\"t\":"),
            ) {
                (Some(seq), Some(sent_us)) => Incoming::Notification {
                    seq,
                    sent_us,
                    offset: trailing_string(text),
                },
                _ => Incoming::Other,
            }
        }
        _ if text.starts_with(b"40") => {
            let pid = serde_json::from_slice::<serde_json::Value>(&text[2..])
                .ok()
                .and_then(|v| v.get("pid").and_then(|p| p.as_str()).map(str::to_string));
            Incoming::Connected { pid }
        }
        _ if text.starts_with(b"44") => {
            Incoming::ConnectError(String::from_utf8_lossy(&text[2..]).into_owned())
        }
        _ if text.starts_with(b"430[") => Incoming::Subscribed,
        _ => Incoming::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_through_the_parser_once_unmasked() {
        for len in [0usize, 5, 125, 126, 65_535, 65_536] {
            let payload = vec![b'a'; len];
            let mut f = Vec::new();
            client_frame(&mut f, 0x1, &payload);
            // a server frame is the same without the mask bit and key
            let head = f.len() - len - 4;
            let mut s = f[..head].to_vec();
            s[1] &= 0x7f;
            s.extend_from_slice(&payload);
            let fr = server_frame(&s).unwrap().unwrap();
            assert_eq!((fr.fin, fr.opcode, fr.payload.len()), (true, 1, len));
            assert_eq!(server_frame(&s[..s.len() - 1]).unwrap(), None);
            // unmasking the client frame gives the payload back
            let key = &f[head..head + 4];
            let un: Vec<u8> = f[head + 4..]
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ key[i % 4])
                .collect();
            assert_eq!(un, payload);
        }
        assert!(server_frame(&[0x81, 0x85, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn notifications_of_both_servers_are_recognised() {
        let rtctl = br#"42["notification:broadcast",{"seq":17,"t":1700000000000123,"body":""},"1700000000000-3"]"#;
        assert_eq!(
            classify(rtctl),
            Incoming::Notification {
                seq: 17,
                sent_us: 1_700_000_000_000_123,
                offset: Some("1700000000000-3")
            }
        );
        let node = br#"42["notification",{"seq":4,"t":9,"body":"x"}]"#;
        assert_eq!(
            classify(node),
            Incoming::Notification {
                seq: 4,
                sent_us: 9,
                offset: None
            }
        );
        assert_eq!(classify(b"2"), Incoming::Ping);
        assert_eq!(
            classify(b"430[{\"status\":\"subscribed\"}]"),
            Incoming::Subscribed
        );
        assert_eq!(
            classify(br#"40{"sid":"a","pid":"p1"}"#),
            Incoming::Connected {
                pid: Some("p1".into())
            }
        );
        assert_eq!(
            classify(br#"40{"sid":"a"}"#),
            Incoming::Connected { pid: None }
        );
        assert!(matches!(
            classify(br#"44{"message":"no"}"#),
            Incoming::ConnectError(_)
        ));
        assert_eq!(
            classify(br#"42["notification:gap",{"from":"1-0"}]"#),
            Incoming::Gap
        );
        assert_eq!(classify(b"41"), Incoming::Closed);
    }

    #[test]
    fn connect_carries_pid_and_offset_only_when_known() {
        assert_eq!(
            connect_packet("mac_0000abcd", None, None),
            r#"40{"deviceId":"mac_0000abcd"}"#
        );
        let v: serde_json::Value =
            serde_json::from_str(&connect_packet("a", Some("p"), Some("1-0"))[2..]).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"deviceId":"a","pid":"p","offset":"1-0"})
        );
    }

    #[test]
    fn payload_has_the_requested_size_and_fields() {
        let p = payload(12, 34, 100);
        assert_eq!(p.len(), 100);
        let v: serde_json::Value = serde_json::from_str(&p).unwrap();
        assert_eq!((v["seq"].as_u64(), v["t"].as_u64()), (Some(12), Some(34)));
    }

    #[test]
    fn upgrade_carries_the_guide_identity_and_the_node_header_is_read() {
        let r = upgrade_request(
            "127.0.0.1:3000",
            "/socket.io/",
            "android_00ff00ff",
            Some("dept-3"),
        );
        assert!(r.contains("deviceId=android_00ff00ff"));
        assert!(r.contains("x-device-id: android_00ff00ff\r\n"));
        assert!(r.contains("x-device-type: android\r\n"));
        assert!(r.contains("x-department-id: dept-3\r\n"));
        assert!(r.ends_with("\r\n\r\n"));
        let (s, n) = response_head(b"HTTP/1.1 101 Switching Protocols\r\nX-Rtctl-Node: n2\r\n\r\n");
        assert_eq!((s, n.as_deref()), (Some(101), Some("n2")));
    }

    #[test]
    fn polling_requests_and_payloads() {
        let hs = polling_request("h:1", "/socket.io/", "mac_0000abcd", None, None, None);
        let hs = String::from_utf8(hs).unwrap();
        assert!(hs.starts_with(
            "GET /socket.io/?EIO=4&transport=polling&deviceId=mac_0000abcd HTTP/1.1\r\n"
        ));
        assert!(hs.contains("x-device-id: mac_0000abcd\r\n") && hs.ends_with("\r\n\r\n"));
        let mut body = Vec::new();
        polling_push(&mut body, b"3");
        polling_push(&mut body, br#"40{"deviceId":"a"}"#);
        assert_eq!(body, b"3\x1e40{\"deviceId\":\"a\"}");
        let post = polling_request("h:1", "/socket.io/", "a_1", Some("S"), None, Some(&body));
        let post = String::from_utf8(post).unwrap();
        assert!(post.starts_with("POST /socket.io/?EIO=4&transport=polling&deviceId=a_1&sid=S "));
        assert!(post.contains(&format!("content-length: {}\r\n", body.len())));
        assert!(post.ends_with("3\x1e40{\"deviceId\":\"a\"}"));
        let got: Vec<&[u8]> = polling_packets(b"2\x1e42[\"x\"]").collect();
        assert_eq!(got, [&b"2"[..], &b"42[\"x\"]"[..]]);
        assert_eq!(
            open_sid(br#"0{"sid":"abc","upgrades":[]}"#).as_deref(),
            Some("abc")
        );
        assert_eq!(open_sid(b"40{}"), None);
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        assert_eq!(response_framing(r).unwrap(), Some((r.len() - 2, 2)));
        assert_eq!(response_framing(b"HTTP/1.1 200 OK\r\n").unwrap(), None);
        assert!(response_framing(b"HTTP/1.1 200 OK\r\n\r\n").is_err());
    }
}
