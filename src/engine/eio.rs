//! Engine.IO v4 packet codec: WebSocket frames, polling payloads, handshake.
//!
//! Text packets are one ASCII type digit followed by the payload
//! (`0` open, `1` close, `2` ping, `3` pong, `4` message, `5` upgrade,
//! `6` noop). A binary message is a raw WebSocket binary frame; in a polling
//! body it is `b` + base64. A polling body joins packets with `\x1e` (no
//! length prefixes in v4), so packet boundaries never depend on character
//! counts.
//!
//! Decoding borrows from the input ([`Packet`] holds `Cow`s); only base64
//! binaries from polling are allocated. Encoding writes into any
//! [`bytes::BufMut`] (`Vec<u8>`, `BytesMut`). A per-connection send queue is
//! expected to hold [`Frame`]s: pre-encoded, cheaply clonable `Bytes` that
//! are written as-is to a WebSocket or joined into one polling body by
//! [`encode_payload`].

use std::borrow::Cow;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use bytes::{BufMut, Bytes};
use serde::{Deserialize, Serialize};

pub use super::query::Transport;

/// Engine.IO protocol revision implemented here.
pub const PROTOCOL: u8 = 4;

/// Separator between packets of a polling payload (ASCII record separator).
pub const SEPARATOR: u8 = 0x1e;

/// Default `maxPayload` of the official Node server (1e6 bytes).
pub const DEFAULT_MAX_PAYLOAD: usize = 1_000_000;

/// Accepts base64 with or without `=` padding, standard alphabet.
const B64_DECODE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Engine.IO decoding errors. Any of them means the session must be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An empty text packet (also an empty polling body or an empty segment
    /// between two separators).
    #[error("empty packet")]
    Empty,
    /// The first byte is not a packet type digit `0`–`6`.
    #[error("unknown packet type {0:?}")]
    UnknownPacketType(char),
    /// A `b…` polling packet whose payload is not valid base64.
    #[error("invalid base64 binary packet")]
    InvalidBase64,
    /// A polling body that is not UTF-8 text.
    #[error("polling payload is not valid UTF-8")]
    InvalidUtf8,
    /// A polling body larger than `maxPayload`.
    #[error("payload of {len} bytes exceeds maxPayload {max}")]
    PayloadTooLarge {
        /// Size of the body received.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The open packet's JSON is not a valid handshake.
    #[error("invalid handshake: {0}")]
    InvalidHandshake(String),
}

/// The seven Engine.IO packet types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PacketType {
    /// `0`: handshake, server → client.
    Open = 0,
    /// `1`: close the session.
    Close = 1,
    /// `2`: ping (server → client in v4; `2probe` client → server on upgrade).
    Ping = 2,
    /// `3`: pong (client → server; `3probe` server → client on upgrade).
    Pong = 3,
    /// `4`: message (text or binary).
    Message = 4,
    /// `5`: upgrade, client → server.
    Upgrade = 5,
    /// `6`: noop.
    Noop = 6,
}

impl PacketType {
    /// Parses an ASCII type digit.
    pub const fn from_ascii(b: u8) -> Option<Self> {
        Some(match b {
            b'0' => PacketType::Open,
            b'1' => PacketType::Close,
            b'2' => PacketType::Ping,
            b'3' => PacketType::Pong,
            b'4' => PacketType::Message,
            b'5' => PacketType::Upgrade,
            b'6' => PacketType::Noop,
            _ => return None,
        })
    }

    /// The ASCII type digit.
    pub const fn as_ascii(self) -> u8 {
        b'0' + self as u8
    }
}

/// A decoded Engine.IO packet, borrowing from the frame or body it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Packet<'a> {
    /// `0` + handshake JSON (see [`Handshake`]).
    Open(Cow<'a, str>),
    /// `1`. Any data after the digit is ignored, as upstream does.
    Close,
    /// `2` + optional payload (`probe` during an upgrade).
    Ping(Cow<'a, str>),
    /// `3` + optional payload (`probe` during an upgrade).
    Pong(Cow<'a, str>),
    /// `4` + text.
    Message(Cow<'a, str>),
    /// A binary message: a WebSocket binary frame, or `b<base64>` in polling.
    Binary(Cow<'a, [u8]>),
    /// `5`. Any data after the digit is ignored.
    Upgrade,
    /// `6`. Any data after the digit is ignored.
    Noop,
}

impl<'a> Packet<'a> {
    /// `2probe`, sent by the client on the new WebSocket during an upgrade.
    pub const PING_PROBE: Packet<'static> = Packet::Ping(Cow::Borrowed("probe"));
    /// `3probe`, the server's answer to `2probe`.
    pub const PONG_PROBE: Packet<'static> = Packet::Pong(Cow::Borrowed("probe"));

    /// A text message packet (`4…`).
    pub fn message(text: impl Into<Cow<'a, str>>) -> Self {
        Packet::Message(text.into())
    }

    /// A binary message packet.
    pub fn binary(data: impl Into<Cow<'a, [u8]>>) -> Self {
        Packet::Binary(data.into())
    }

    /// The packet type (a binary message is [`PacketType::Message`]).
    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Open(_) => PacketType::Open,
            Packet::Close => PacketType::Close,
            Packet::Ping(_) => PacketType::Ping,
            Packet::Pong(_) => PacketType::Pong,
            Packet::Message(_) | Packet::Binary(_) => PacketType::Message,
            Packet::Upgrade => PacketType::Upgrade,
            Packet::Noop => PacketType::Noop,
        }
    }

    /// Detaches the packet from its input buffer.
    pub fn into_owned(self) -> Packet<'static> {
        fn own(s: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(s.into_owned())
        }
        match self {
            Packet::Open(s) => Packet::Open(own(s)),
            Packet::Close => Packet::Close,
            Packet::Ping(s) => Packet::Ping(own(s)),
            Packet::Pong(s) => Packet::Pong(own(s)),
            Packet::Message(s) => Packet::Message(own(s)),
            Packet::Binary(b) => Packet::Binary(Cow::Owned(b.into_owned())),
            Packet::Upgrade => Packet::Upgrade,
            Packet::Noop => Packet::Noop,
        }
    }

    /// The text payload of a non-binary packet (`""` for close/upgrade/noop).
    fn text_payload(&self) -> &str {
        match self {
            Packet::Open(s) | Packet::Ping(s) | Packet::Pong(s) | Packet::Message(s) => s,
            _ => "",
        }
    }

    /// Writes the WebSocket encoding into `out` and tells which frame
    /// opcode to use: `<digit><payload>` as text, a binary message as raw bytes.
    pub fn encode_ws<B: BufMut>(&self, out: &mut B) -> FrameKind {
        match self {
            Packet::Binary(b) => {
                out.put_slice(b);
                FrameKind::Binary
            }
            p => {
                out.put_u8(p.packet_type().as_ascii());
                out.put_slice(p.text_payload().as_bytes());
                FrameKind::Text
            }
        }
    }

    /// Writes the polling encoding of this one packet (binary as `b` + base64).
    pub fn encode_polling<B: BufMut>(&self, out: &mut B) {
        match self {
            Packet::Binary(b) => {
                out.put_u8(b'b');
                put_base64(out, b);
            }
            p => {
                p.encode_ws(out);
            }
        }
    }

    /// The packet as a queueable [`Frame`] (copies the payload once).
    pub fn to_frame(&self) -> Frame {
        let mut buf = Vec::with_capacity(1 + self.text_payload().len());
        match self.encode_ws(&mut buf) {
            FrameKind::Text => Frame::Text(buf.into()),
            FrameKind::Binary => Frame::Binary(buf.into()),
        }
    }
}

/// WebSocket frame opcode to use for an encoded packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// A text frame.
    Text,
    /// A binary frame.
    Binary,
}

/// An Engine.IO packet already encoded for the wire, as kept in a send queue.
///
/// `Text` holds the complete text encoding (`<digit><payload>`, valid UTF-8),
/// i.e. exactly the payload of a WebSocket text frame and one segment of a
/// polling body. `Binary` holds the raw bytes of a binary message (a
/// WebSocket binary frame; `b` + base64 in polling). Cloning is a reference
/// count increment, so one encoded notification can be queued to thousands of
/// sockets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Frame {
    /// `<digit><payload>` text.
    Text(Bytes),
    /// Raw binary message.
    Binary(Bytes),
}

impl Frame {
    /// `1`
    pub const CLOSE: Frame = Frame::Text(Bytes::from_static(b"1"));
    /// `2`: the server's heartbeat ping.
    pub const PING: Frame = Frame::Text(Bytes::from_static(b"2"));
    /// `3`: the client's heartbeat answer.
    pub const PONG: Frame = Frame::Text(Bytes::from_static(b"3"));
    /// `2probe`
    pub const PING_PROBE: Frame = Frame::Text(Bytes::from_static(b"2probe"));
    /// `3probe`
    pub const PONG_PROBE: Frame = Frame::Text(Bytes::from_static(b"3probe"));
    /// `5`
    pub const UPGRADE: Frame = Frame::Text(Bytes::from_static(b"5"));
    /// `6`: sent to a pending poll during an upgrade or on close.
    pub const NOOP: Frame = Frame::Text(Bytes::from_static(b"6"));

    /// A text message frame `4<text>`.
    pub fn message(text: &str) -> Frame {
        let mut buf = Vec::with_capacity(1 + text.len());
        buf.push(b'4');
        buf.extend_from_slice(text.as_bytes());
        Frame::Text(buf.into())
    }

    /// The WebSocket opcode of this frame.
    pub fn kind(&self) -> FrameKind {
        match self {
            Frame::Text(_) => FrameKind::Text,
            Frame::Binary(_) => FrameKind::Binary,
        }
    }

    /// The bytes of the WebSocket frame payload.
    pub fn bytes(&self) -> &Bytes {
        match self {
            Frame::Text(b) | Frame::Binary(b) => b,
        }
    }

    /// Size of this frame inside a polling body (without separator).
    pub fn polling_len(&self) -> usize {
        match self {
            Frame::Text(b) => b.len(),
            Frame::Binary(b) => 1 + b.len().div_ceil(3) * 4,
        }
    }

    /// Writes this frame's polling encoding.
    pub fn encode_polling<B: BufMut>(&self, out: &mut B) {
        match self {
            Frame::Text(b) => out.put_slice(b),
            Frame::Binary(b) => {
                out.put_u8(b'b');
                put_base64(out, b);
            }
        }
    }

    /// Decodes the frame back into a packet (e.g. in a client or a test).
    pub fn decode(&self) -> Result<Packet<'_>, Error> {
        match self {
            Frame::Text(b) => {
                let s = std::str::from_utf8(b).map_err(|_| Error::InvalidUtf8)?;
                decode_text(s)
            }
            Frame::Binary(b) => Ok(decode_binary(b)),
        }
    }
}

impl From<&Packet<'_>> for Frame {
    fn from(p: &Packet<'_>) -> Frame {
        p.to_frame()
    }
}

/// Decodes a WebSocket text frame (or one polling segment that does not start
/// with `b`): `<digit><payload>`.
pub fn decode_text(frame: &str) -> Result<Packet<'_>, Error> {
    let first = *frame.as_bytes().first().ok_or(Error::Empty)?;
    let ty =
        PacketType::from_ascii(first).ok_or_else(|| Error::UnknownPacketType(first_char(frame)))?;
    // the type digit is ASCII, so index 1 is a char boundary
    let data = Cow::Borrowed(&frame[1..]);
    Ok(match ty {
        PacketType::Open => Packet::Open(data),
        PacketType::Close => Packet::Close,
        PacketType::Ping => Packet::Ping(data),
        PacketType::Pong => Packet::Pong(data),
        PacketType::Message => Packet::Message(data),
        PacketType::Upgrade => Packet::Upgrade,
        PacketType::Noop => Packet::Noop,
    })
}

fn first_char(s: &str) -> char {
    s.chars().next().unwrap_or('\0')
}

/// Decodes a WebSocket binary frame: always a binary message.
pub fn decode_binary(frame: &[u8]) -> Packet<'_> {
    Packet::Binary(Cow::Borrowed(frame))
}

/// Decodes one segment of a polling body (`b<base64>` or `<digit><payload>`).
pub fn decode_polling_packet(segment: &str) -> Result<Packet<'_>, Error> {
    match segment.strip_prefix('b') {
        Some(b64) => B64_DECODE
            .decode(b64)
            .map(|v| Packet::Binary(Cow::Owned(v)))
            .map_err(|_| Error::InvalidBase64),
        None => decode_text(segment),
    }
}

/// Starts decoding a polling (`POST`) body.
///
/// Checks the size against `max_payload` (the advertised `maxPayload`) and
/// that the body is UTF-8, then returns an iterator over its packets. As in
/// the official parser, iteration stops after the first invalid packet (which
/// is yielded as an `Err`); the packets before it are valid.
pub fn decode_payload(body: &[u8], max_payload: usize) -> Result<PayloadIter<'_>, Error> {
    check_len(body.len(), max_payload)?;
    let text = std::str::from_utf8(body).map_err(|_| Error::InvalidUtf8)?;
    Ok(PayloadIter { rest: Some(text) })
}

/// Checks a body or WebSocket message length against `maxPayload`.
///
/// The WebSocket layer should call this with the frame header's length
/// before buffering a message (the official server gives `ws` the same
/// limit).
pub fn check_len(len: usize, max_payload: usize) -> Result<(), Error> {
    if len > max_payload {
        return Err(Error::PayloadTooLarge {
            len,
            max: max_payload,
        });
    }
    Ok(())
}

/// Decodes a whole polling body, failing if any packet is invalid.
pub fn decode_payload_vec(body: &[u8], max_payload: usize) -> Result<Vec<Packet<'_>>, Error> {
    decode_payload(body, max_payload)?.collect()
}

/// Iterator over the packets of a polling body; see [`decode_payload`].
#[derive(Debug, Clone)]
pub struct PayloadIter<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for PayloadIter<'a> {
    type Item = Result<Packet<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.rest.take()?;
        let segment = match s.as_bytes().iter().position(|&b| b == SEPARATOR) {
            Some(i) => {
                self.rest = Some(&s[i + 1..]);
                &s[..i]
            }
            None => s,
        };
        let packet = decode_polling_packet(segment);
        if packet.is_err() {
            self.rest = None;
        }
        Some(packet)
    }
}

impl std::iter::FusedIterator for PayloadIter<'_> {}

/// Joins frames into one polling (`GET`) response body: text frames as they
/// are, binary frames as `b` + base64, separated by `\x1e`. An empty input
/// writes nothing (send [`Frame::NOOP`] instead of an empty body).
pub fn encode_payload<'f, B, I>(frames: I, out: &mut B)
where
    B: BufMut,
    I: IntoIterator<Item = &'f Frame>,
{
    for (i, f) in frames.into_iter().enumerate() {
        if i > 0 {
            out.put_u8(SEPARATOR);
        }
        f.encode_polling(out);
    }
}

/// Size of the polling body [`encode_payload`] would write for `frames`.
pub fn payload_len<'f, I: IntoIterator<Item = &'f Frame>>(frames: I) -> usize {
    let mut n = 0;
    let mut count = 0usize;
    for f in frames {
        n += f.polling_len();
        count += 1;
    }
    n + count.saturating_sub(1)
}

/// Joins decoded/owned packets into one polling body, like [`encode_payload`].
pub fn encode_packets_payload<'p, 'a: 'p, B, I>(packets: I, out: &mut B)
where
    B: BufMut,
    I: IntoIterator<Item = &'p Packet<'a>>,
{
    for (i, p) in packets.into_iter().enumerate() {
        if i > 0 {
            out.put_u8(SEPARATOR);
        }
        p.encode_polling(out);
    }
}

/// Writes standard, padded base64 in stack-sized chunks (no intermediate String).
fn put_base64<B: BufMut>(out: &mut B, data: &[u8]) {
    const IN: usize = 768; // multiple of 3: no padding inside the stream
    let mut buf = [0u8; IN / 3 * 4];
    for chunk in data.chunks(IN) {
        // the buffer is always large enough for a chunk of at most IN bytes
        let n = STANDARD.encode_slice(chunk, &mut buf).unwrap_or(0);
        out.put_slice(&buf[..n]);
    }
}

/// The handshake sent in the open packet:
/// `0{"sid":…,"upgrades":[…],"pingInterval":…,"pingTimeout":…,"maxPayload":…}`
/// (serialized in exactly this key order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    /// Engine.IO session id.
    pub sid: String,
    /// Transports the client may upgrade to.
    #[serde(default)]
    pub upgrades: Vec<String>,
    /// Milliseconds between server pings.
    pub ping_interval: u64,
    /// Milliseconds the client has to answer a ping.
    pub ping_timeout: u64,
    /// Largest polling body the server accepts, in bytes.
    #[serde(default)]
    pub max_payload: u64,
}

impl Handshake {
    /// The handshake for a session opened on `transport`
    /// (`upgrades` = `["websocket"]` for polling, `[]` for WebSocket).
    pub fn new(
        sid: impl Into<String>,
        transport: Transport,
        ping_interval_ms: u64,
        ping_timeout_ms: u64,
        max_payload: u64,
    ) -> Self {
        Handshake {
            sid: sid.into(),
            upgrades: transport.upgrades().iter().map(|s| s.to_string()).collect(),
            ping_interval: ping_interval_ms,
            ping_timeout: ping_timeout_ms,
            max_payload,
        }
    }

    /// The complete open packet text, `0{…}`.
    pub fn to_frame(&self) -> Frame {
        let mut buf = Vec::with_capacity(112 + self.sid.len());
        buf.push(b'0');
        buf.extend_from_slice(b"{\"sid\":");
        super::write_json_str(&mut buf, &self.sid);
        buf.extend_from_slice(b",\"upgrades\":[");
        for (i, u) in self.upgrades.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            super::write_json_str(&mut buf, u);
        }
        buf.extend_from_slice(b"],\"pingInterval\":");
        buf.extend_from_slice(self.ping_interval.to_string().as_bytes());
        buf.extend_from_slice(b",\"pingTimeout\":");
        buf.extend_from_slice(self.ping_timeout.to_string().as_bytes());
        buf.extend_from_slice(b",\"maxPayload\":");
        buf.extend_from_slice(self.max_payload.to_string().as_bytes());
        buf.push(b'}');
        Frame::Text(buf.into())
    }

    /// Parses the JSON of an open packet (the text after the `0`).
    pub fn parse(json: &str) -> Result<Self, Error> {
        serde_json::from_str(json).map_err(|e| Error::InvalidHandshake(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(p: &Packet<'_>) -> String {
        let mut v = Vec::new();
        assert_eq!(p.encode_ws(&mut v), FrameKind::Text);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn text_packet_table() {
        let table: &[(&str, Packet<'_>)] = &[
            ("0{\"sid\":\"x\"}", Packet::Open("{\"sid\":\"x\"}".into())),
            ("1", Packet::Close),
            ("2", Packet::Ping("".into())),
            ("3", Packet::Pong("".into())),
            ("2probe", Packet::PING_PROBE),
            ("3probe", Packet::PONG_PROBE),
            ("4hello", Packet::Message("hello".into())),
            ("4", Packet::Message("".into())),
            (
                "42[\"notification\",{\"id\":\"n1\"}]",
                Packet::Message("2[\"notification\",{\"id\":\"n1\"}]".into()),
            ),
            ("4é\u{1e}x", Packet::Message("é\u{1e}x".into())),
            ("5", Packet::Upgrade),
            ("6", Packet::Noop),
        ];
        for (wire, packet) in table {
            assert_eq!(&decode_text(wire).unwrap(), packet, "{wire:?}");
            assert_eq!(&text(packet), wire);
            assert_eq!(
                packet.to_frame(),
                Frame::Text(Bytes::copy_from_slice(wire.as_bytes()))
            );
        }
    }

    #[test]
    fn data_after_close_upgrade_noop_is_ignored() {
        assert_eq!(decode_text("1abc").unwrap(), Packet::Close);
        assert_eq!(decode_text("5x").unwrap(), Packet::Upgrade);
        assert_eq!(decode_text("6x").unwrap(), Packet::Noop);
    }

    #[test]
    fn malformed_text_packets() {
        assert_eq!(decode_text(""), Err(Error::Empty));
        assert_eq!(decode_text("abc"), Err(Error::UnknownPacketType('a')));
        assert_eq!(decode_text("7"), Err(Error::UnknownPacketType('7')));
        assert_eq!(decode_text("9"), Err(Error::UnknownPacketType('9')));
        assert_eq!(decode_text("é4"), Err(Error::UnknownPacketType('é')));
        // `b` is only meaningful in polling payloads
        assert_eq!(decode_text("bAQID"), Err(Error::UnknownPacketType('b')));
    }

    #[test]
    fn binary_frames() {
        assert_eq!(
            decode_binary(&[1, 2, 3]),
            Packet::Binary(Cow::Borrowed(&[1, 2, 3][..]))
        );
        let p = Packet::binary(vec![1u8, 2, 3, 4]);
        let mut v = Vec::new();
        assert_eq!(p.encode_ws(&mut v), FrameKind::Binary);
        assert_eq!(v, [1, 2, 3, 4]);
        assert_eq!(
            p.to_frame(),
            Frame::Binary(Bytes::from_static(&[1, 2, 3, 4]))
        );
        assert_eq!(decode_binary(&[]), Packet::Binary(Cow::Borrowed(&[][..])));
    }

    #[test]
    fn polling_payload_table() {
        // (body, packets) — from the protocol spec and test suite
        let cases: Vec<(&str, Vec<Packet<'_>>)> = vec![
            ("4hello", vec![Packet::message("hello")]),
            (
                "4test1\u{1e}4test2\u{1e}4test3",
                vec![
                    Packet::message("test1"),
                    Packet::message("test2"),
                    Packet::message("test3"),
                ],
            ),
            (
                "4hello\u{1e}bAQIDBA==",
                vec![Packet::message("hello"), Packet::binary(vec![1u8, 2, 3, 4])],
            ),
            ("2", vec![Packet::Ping("".into())]),
            ("6", vec![Packet::Noop]),
            ("1", vec![Packet::Close]),
            ("b", vec![Packet::binary(Vec::new())]),
            // multi-byte UTF-8: no character counting in v4
            (
                "4€uro\u{1e}4日本語",
                vec![Packet::message("€uro"), Packet::message("日本語")],
            ),
        ];
        for (body, packets) in cases {
            let got = decode_payload_vec(body.as_bytes(), DEFAULT_MAX_PAYLOAD).unwrap();
            assert_eq!(got, packets, "{body:?}");
            let mut out = Vec::new();
            encode_packets_payload(&packets, &mut out);
            assert_eq!(out, body.as_bytes());
            let frames: Vec<Frame> = packets.iter().map(Frame::from).collect();
            let mut out2 = bytes::BytesMut::new();
            encode_payload(&frames, &mut out2);
            assert_eq!(&out2[..], body.as_bytes());
            assert_eq!(payload_len(&frames), body.len());
        }
    }

    #[test]
    fn base64_padding_optional() {
        let got = decode_payload_vec(b"bAQIDBA", 100).unwrap();
        assert_eq!(got, vec![Packet::binary(vec![1u8, 2, 3, 4])]);
        assert_eq!(decode_payload_vec(b"bAQ!D", 100), Err(Error::InvalidBase64));
        assert_eq!(
            decode_payload_vec(b"4a\x1eb====", 100),
            Err(Error::InvalidBase64)
        );
    }

    #[test]
    fn malformed_payloads() {
        let max = 100;
        assert_eq!(decode_payload_vec(b"", max), Err(Error::Empty));
        assert_eq!(decode_payload_vec(b"4a\x1e", max), Err(Error::Empty));
        assert_eq!(decode_payload_vec(b"\x1e4a", max), Err(Error::Empty));
        assert_eq!(
            decode_payload_vec(b"abc", max),
            Err(Error::UnknownPacketType('a'))
        );
        assert_eq!(decode_payload_vec(b"4\xff", max), Err(Error::InvalidUtf8));
        // iteration yields the valid prefix, then the error, then stops
        let mut it = decode_payload(b"4a\x1e9\x1e4b", max).unwrap();
        assert_eq!(it.next(), Some(Ok(Packet::message("a"))));
        assert_eq!(it.next(), Some(Err(Error::UnknownPacketType('9'))));
        assert_eq!(it.next(), None);
        assert_eq!(it.next(), None);
    }

    #[test]
    fn max_payload_enforced() {
        let body = vec![b'4'; 101];
        assert_eq!(
            decode_payload(&body, 100).unwrap_err(),
            Error::PayloadTooLarge { len: 101, max: 100 }
        );
        assert!(decode_payload(&body[..100], 100).is_ok());
        assert_eq!(
            check_len(5, 4),
            Err(Error::PayloadTooLarge { len: 5, max: 4 })
        );
        assert_eq!(check_len(4, 4), Ok(()));
    }

    #[test]
    fn frame_constants() {
        assert_eq!(Frame::PING.decode().unwrap(), Packet::Ping("".into()));
        assert_eq!(Frame::PONG.decode().unwrap(), Packet::Pong("".into()));
        assert_eq!(Frame::PONG_PROBE.decode().unwrap(), Packet::PONG_PROBE);
        assert_eq!(Frame::PING_PROBE.decode().unwrap(), Packet::PING_PROBE);
        assert_eq!(Frame::NOOP.decode().unwrap(), Packet::Noop);
        assert_eq!(Frame::CLOSE.decode().unwrap(), Packet::Close);
        assert_eq!(Frame::UPGRADE.decode().unwrap(), Packet::Upgrade);
        assert_eq!(Frame::message("hi").bytes().as_ref(), b"4hi");
        assert_eq!(Frame::message("hi").kind(), FrameKind::Text);
    }

    #[test]
    fn handshake_exact_bytes() {
        let h = Handshake::new(
            "lv_VI97HAXpY6yYWAAAC",
            Transport::Polling,
            25000,
            20000,
            100000,
        );
        assert_eq!(
            h.to_frame().bytes().as_ref(),
            br#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":100000}"#
        );
        let h = Handshake::new("abc", Transport::Websocket, 300, 200, 1_000_000);
        let f = h.to_frame();
        assert_eq!(
            f.bytes().as_ref(),
            br#"0{"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#
        );
        // serde's order is the same as the hand-written one
        assert_eq!(
            serde_json::to_string(&h).unwrap().as_bytes(),
            &f.bytes()[1..]
        );
        match f.decode().unwrap() {
            Packet::Open(json) => assert_eq!(Handshake::parse(&json).unwrap(), h),
            p => panic!("{p:?}"),
        }
        assert!(matches!(
            Handshake::parse("{}"),
            Err(Error::InvalidHandshake(_))
        ));
    }

    fn arb_packet() -> impl Strategy<Value = Packet<'static>> {
        let s = || "[^\u{1e}]{0,40}";
        prop_oneof![
            s().prop_map(|x| Packet::Open(x.into())),
            Just(Packet::Close),
            s().prop_map(|x| Packet::Ping(x.into())),
            s().prop_map(|x| Packet::Pong(x.into())),
            s().prop_map(|x| Packet::Message(x.into())),
            proptest::collection::vec(any::<u8>(), 0..2000).prop_map(|b| Packet::Binary(b.into())),
            Just(Packet::Upgrade),
            Just(Packet::Noop),
        ]
    }

    proptest! {
        #[test]
        fn ws_roundtrip(p in arb_packet()) {
            let f = p.to_frame();
            prop_assert_eq!(f.decode().unwrap(), p.clone());
            let mut v = Vec::new();
            p.encode_ws(&mut v);
            prop_assert_eq!(&v[..], f.bytes().as_ref());
        }

        #[test]
        fn polling_roundtrip(packets in proptest::collection::vec(arb_packet(), 1..8)) {
            let frames: Vec<Frame> = packets.iter().map(Frame::from).collect();
            let mut body = Vec::new();
            encode_payload(&frames, &mut body);
            prop_assert_eq!(body.len(), payload_len(&frames));
            let got = decode_payload_vec(&body, body.len()).unwrap();
            prop_assert_eq!(got, packets.clone());
            let mut body2 = Vec::new();
            encode_packets_payload(&packets, &mut body2);
            prop_assert_eq!(body2, body.clone());
            if !body.is_empty() {
                let too_large = decode_payload(&body, body.len() - 1).is_err();
                prop_assert!(too_large);
            }
        }

        #[test]
        fn base64_matches_reference(data in proptest::collection::vec(any::<u8>(), 0..3000)) {
            let mut out = Vec::new();
            put_base64(&mut out, &data);
            prop_assert_eq!(String::from_utf8(out).unwrap(), STANDARD.encode(&data));
        }

        #[test]
        fn decode_never_panics(body in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(it) = decode_payload(&body, 64) {
                for p in it { let _ = p; }
            }
            if let Ok(s) = std::str::from_utf8(&body) { let _ = decode_text(s); }
        }
    }
}
