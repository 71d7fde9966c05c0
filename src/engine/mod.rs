//! The Socket.IO engine (Engine.IO v4 / Socket.IO v5), written to become a crate of its own.
//!
//! It has no `rtctl` types: an application plugs in through [`Handler`]
//! (Socket.IO) or [`EioHandler`] (bare Engine.IO) and mounts the HTTP entry
//! point wherever it serves `/socket.io/`.
//!
//! # The server
//!
//! | module | what |
//! |---|---|
//! | [`socket`] | Socket.IO: [`SocketIo`], the [`Handler`] trait (handshake, connect middleware, `connected`, events, disconnects), [`Socket`] handles (emit, acks both ways, rooms), namespace broadcasts with an explicit [`OverflowPolicy`] |
//! | [`server`] | Engine.IO: sessions, bounded outgoing queues of pre-encoded frames, heartbeats on one shared timer wheel, the polling → WebSocket upgrade |
//! | [`http`] | polling `GET`/`POST`, the WebSocket upgrade (hyper 1), [`serve`] / [`route`] |
//! | [`ws`] | hand-written RFC 6455 framing (no read buffer held while idle) |
//! | [`config`] | [`Config`]: heartbeat, `maxPayload`, timeouts, queue bounds, overflow policy |
//!
//! Per connection there is one task (the WebSocket's; none for polling), no
//! read buffer while idle, only what [`Handler::handshake`] keeps from the
//! request, and rooms are a shared index per namespace. A broadcast writes each
//! WebSocket that has nothing in flight straight from the broadcasting thread
//! ([`Write::Now`], spread over the cores for large rooms); only what a socket does
//! not take is queued for its task. [`Write::Queued`] leaves every write to the
//! tasks, which coalesce what piles up (fewer system calls under load).
//!
//! ```no_run
//! use rtctl::engine::sio::{self, EventBuilder};
//! use rtctl::engine::*;
//! use tokio_util::sync::CancellationToken;
//!
//! struct App;
//!
//! impl Handler for App {
//!     type Handshake = Option<String>; // the device id, nothing else
//!     type Data = ();
//!
//!     fn handshake(&self, req: &HandshakeRequest<'_>) -> Result<Self::Handshake, Rejection> {
//!         Ok(req.query.get("deviceId").map(|d| d.into_owned()))
//!     }
//!     fn connect(&self, req: &ConnectRequest<'_, Self>) -> Result<(), ConnectError> {
//!         match req.handshake {
//!             Some(_) => Ok(()),
//!             None => Err(ConnectError::new("missing deviceId")),
//!         }
//!     }
//!     fn connected(&self, socket: &Socket<Self>) {
//!         // before the CONNECT reply leaves: nothing can be missed
//!         socket.join(&format!("device:{}", socket.handshake().as_deref().unwrap_or("")));
//!     }
//!     fn event(&self, socket: &Socket<Self>, ev: sio::Event, ack: Option<AckSender<Self>>) {
//!         if let Some(ack) = ack {
//!             let reply = ack.builder().args(ev.args());
//!             let _ = ack.send(reply);
//!         }
//!     }
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let io = SocketIo::new(Config::default(), ["/"], App).expect("valid namespaces");
//! let root = io.of("/").expect("declared");
//! let notification = root.event("notification").arg_str("hello").build(); // encoded once
//! let delivery = root.broadcast("device:D123", &notification);
//! assert_eq!(delivery.behind + delivery.disconnected, 0);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! io.serve(listener, CancellationToken::new()).await
//! # }
//! ```
//!
//! # The wire codec
//!
//! The modules [`query`], [`eio`] and [`sio`] are the pure, I/O-free
//! protocol layer (also used by the Rust load-generating client). They know
//! nothing about sockets, tasks or timers: they turn bytes into packets and
//! packets into bytes, strictly, so that the official `socket.io-client`
//! works unchanged and malformed input is rejected instead of guessed at.
//!
//! ## Codec layers
//!
//! | module | what |
//! |---|---|
//! | [`query`] | handshake/request query (`EIO=4`, `transport`, `sid`, app keys like `deviceId`), Engine.IO HTTP error codes and bodies |
//! | [`eio`] | Engine.IO packets: WebSocket text/binary frames, polling bodies (`\x1e`-joined, `b`+base64 binaries, `maxPayload`), the open handshake, pre-encoded [`eio::Frame`]s |
//! | [`sio`] | Socket.IO packets: CONNECT/DISCONNECT/EVENT/ACK/CONNECT_ERROR and their binary forms, attachment reassembly, strict validation, encode-once builders |
//!
//! ## Receiving (server or client)
//!
//! ```text
//! WS text frame  ── eio::decode_text ──► eio::Packet::Message(text) ── sio::Decoder::decode_text ──┐
//! WS binary frame ─ eio::decode_binary ► eio::Packet::Binary(bytes) ─ sio::Decoder::decode_binary ┤
//! polling POST body ─ eio::decode_payload(body, maxPayload) ─► iterator of eio::Packet ───────────┘
//!                                                                      ▼
//!                                      Ok(Some(sio::Packet)) | Ok(None) (waiting for attachments)
//! ```
//!
//! Every `Err` from a decoder means "protocol violation: close the session"
//! (that is what the official server does for `4abc`, `42{}`, `42abc[…]`,
//! an unknown Engine.IO type, a bad base64 binary, …).
//!
//! Event arguments are never turned into `serde_json::Value`: a decoded
//! [`sio::Event`] keeps the JSON array text verbatim (one copy, validated
//! once) and exposes the event name, the arguments as raw JSON
//! ([`sio::Args`]) and the CSR offset, so echoing or forwarding a payload
//! keeps its key order and bytes exactly.
//!
//! ## Sending
//!
//! A connection's send queue holds [`eio::Frame`]s (`Bytes`, cheap to clone).
//! On a WebSocket each frame is written as one text or binary frame; on
//! polling, [`eio::encode_payload`] joins all queued frames into one response
//! body. A fan-out encodes once and clones the `Bytes` per socket:
//!
//! ```
//! use rtctl::engine::sio::EventBuilder;
//! use serde_json::value::RawValue;
//!
//! let payload: Box<RawValue> = serde_json::from_str(r#"{"id":"n1","b":2,"a":1}"#).unwrap();
//! let frame = EventBuilder::new("notification")
//!     .arg_raw(&payload)
//!     .build_with_offset("1700000000000-0") // connection state recovery offset, last arg
//!     .text;
//! assert_eq!(&frame[..], br#"42["notification",{"id":"n1","b":2,"a":1},"1700000000000-0"]"#);
//! ```
//!
//! Other server frames: [`eio::Handshake::to_frame`] (`0{"sid",…}`),
//! [`sio::encode_connect_ok`] (`40{"sid":…}` / `{"sid":…,"pid":…}`),
//! [`sio::encode_connect_error`] (`44{"message":…}`), [`sio::AckBuilder`]
//! (`43<id>[…]`), and the constants [`eio::Frame::PING`], [`eio::Frame::NOOP`],
//! [`eio::Frame::PONG_PROBE`], … A client uses [`sio::encode_connect`],
//! [`eio::Frame::PONG`] and the same builders.
//!
//! ## What the server (not the codec) decides
//!
//! Direction rules (a client must not send `0` open; the first Socket.IO
//! packet must be CONNECT), which namespaces exist, HTTP status codes
//! ([`query::ErrorCode::http_status`]; 413 for an oversize POST as upstream),
//! WebSocket frame size limits (the frame length is checked against
//! `maxPayload` before anything is buffered), timers and heartbeats.

pub mod config;
mod conn;
pub mod eio;
pub mod guard;
pub mod http;
pub mod query;
pub mod server;
pub mod sio;
pub mod socket;
mod tcp;
mod timer;
pub mod ws;

pub use config::{Config, OverflowPolicy, Transports};
pub use guard::{ClientIp, HttpLimits, HttpStats, IpPrefix, RequestBody};
pub use http::{route, serve, serve_guarded, Body, RemoteAddr};
pub use server::{
    CloseReason, EioHandler, EioServer, HandshakeRequest, Message, Rejection, SendError, Session,
    Sid, Stats,
};
pub use socket::{
    AckError, AckFuture, AckSender, ConnectError, ConnectRequest, Delivery, DisconnectReason,
    Handler, JoinError, NamespaceRef, Socket, SocketIo, Write,
};

/// Writes `s` as a JSON string literal, escaped like `JSON.stringify`
/// (`"`, `\`, and control characters; `\b \f \n \r \t` in short form).
pub(crate) fn write_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends the decimal digits of `n`.
pub(crate) fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_str_escapes() {
        let mut v = Vec::new();
        write_json_str(&mut v, "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1e}\u{7f}é/");
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001e\u{7f}é/\""
        );
    }

    #[test]
    fn u64_digits() {
        for n in [0u64, 7, 10, 12, 456, u64::MAX] {
            let mut v = Vec::new();
            write_u64(&mut v, n);
            assert_eq!(v, n.to_string().as_bytes());
        }
    }

    proptest! {
        #[test]
        fn json_str_matches_serde(s in any::<String>()) {
            let mut v = Vec::new();
            write_json_str(&mut v, &s);
            prop_assert_eq!(String::from_utf8(v).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }
}
