//! Socket.IO v5 packet codec.
//!
//! Wire format (inside an Engine.IO message, so prefixed by `4` on the wire):
//! `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`
//!
//! | type | name | payload |
//! |---|---|---|
//! | 0 | CONNECT | optional object (client auth; server reply `{"sid":…[,"pid":…]}`) |
//! | 1 | DISCONNECT | none |
//! | 2 | EVENT | non-empty array, first element the event name (a string) |
//! | 3 | ACK | array (possibly empty); ack id required |
//! | 4 | CONNECT_ERROR | object `{"message":…[,"data":…]}` (or a string) |
//! | 5 | BINARY_EVENT | like EVENT, with `n-` attachments |
//! | 6 | BINARY_ACK | like ACK, with `n-` attachments |
//!
//! The namespace is omitted for `/`, otherwise it starts with `/`, contains no
//! `,`, and is followed by `,` (a trailing namespace without `,`, e.g. `40/admin`,
//! is accepted when decoding, as the official parser does). Binary attachments
//! are sent as separate Engine.IO binary messages right after the text packet
//! and are referenced from the JSON by `{"_placeholder":true,"num":i}`.
//!
//! Decoding is strict: anything the official parser rejects is an [`Error`],
//! and so are a few things it tolerates (an ACK without id, data after
//! DISCONNECT, an ack id on CONNECT, a number as event name). JSON payloads are
//! validated once and stored verbatim ([`Json`], [`Event`], [`Ack`]); event
//! arguments are never parsed into `serde_json::Value`.
//!
//! The codec is split by concern: `packet` holds the packet types ([`Packet`],
//! [`Event`] and [`Ack`] with the [`Payload`] they share), `decode` the strict parser and
//! the per-connection [`Decoder`] that reassembles binary packets, `encode` the
//! byte-exact writers ([`Packet::encode`], `encode_*`), and `builder` the zero-copy
//! [`EventBuilder`] / [`AckBuilder`] used for fan-out.

#![warn(missing_docs)]

mod builder;
mod decode;
mod encode;
mod packet;

pub use builder::{AckBuilder, EventBuilder};
pub use decode::{decode, Decoder};
pub use encode::{
    encode_connect, encode_connect_error, encode_connect_ok, encode_disconnect, encode_event,
    Encoded,
};
pub use packet::{
    Ack, Args, ConnectErrorData, ConnectOk, Event, Json, Namespace, Packet, PacketData, PacketType,
    Payload,
};

/// Socket.IO protocol revision implemented here.
pub const PROTOCOL: u8 = 5;

/// Default limit of attachments per binary packet (as the official parser).
pub const DEFAULT_MAX_ATTACHMENTS: usize = 10;

/// Event names the official parser refuses (they have a meaning of their own).
pub const RESERVED_EVENTS: &[&str] = &[
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// Deepest nesting of arrays and objects accepted in a packet's JSON (the payload array
/// counts as one level).
pub const MAX_JSON_DEPTH: usize = 64;

/// The deepest nesting of arrays and objects in `json`, counted without parsing (brackets
/// inside strings are skipped). Linear, no recursion, no allocation: safe on any input.
pub fn json_depth(json: &str) -> usize {
    let (mut depth, mut max, mut in_str, mut esc) = (0usize, 0usize, false, false);
    for &c in json.as_bytes() {
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Socket.IO decoding errors. Any of them means the connection must be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An empty packet.
    #[error("empty packet")]
    Empty,
    /// The first character is not a packet type `0`–`6`.
    #[error("unknown packet type {0:?}")]
    UnknownPacketType(char),
    /// A binary packet without a valid `<n>-` attachment count (n ≥ 1).
    #[error("illegal attachments")]
    InvalidAttachments,
    /// More attachments than the decoder allows.
    #[error("too many attachments: {count} > {max}")]
    TooManyAttachments {
        /// Announced count.
        count: usize,
        /// Configured maximum.
        max: usize,
    },
    /// An ack id that does not fit in a `u64`.
    #[error("invalid ack id")]
    InvalidAckId,
    /// An ACK without ack id.
    #[error("missing ack id")]
    MissingAckId,
    /// An EVENT, ACK or CONNECT_ERROR without payload.
    #[error("missing payload")]
    MissingPayload,
    /// Data after a DISCONNECT.
    #[error("unexpected payload")]
    UnexpectedPayload,
    /// The payload is not valid JSON (this is also how a non-numeric ack id
    /// such as `42abc[…]` or trailing garbage shows up).
    #[error("invalid JSON payload: {0}")]
    InvalidJson(String),
    /// Valid JSON of the wrong shape for the packet type.
    #[error("invalid payload: {0}")]
    InvalidPayload(&'static str),
    /// An event named like one of [`RESERVED_EVENTS`].
    #[error("reserved event name {0:?}")]
    ReservedEvent(String),
    /// A placeholder whose `num` is not an index of the attachments.
    #[error("illegal attachment placeholder")]
    InvalidPlaceholder,
    /// A namespace that does not start with `/` or contains `,`.
    #[error("invalid namespace {0:?}")]
    InvalidNamespace(String),
    /// A binary message arrived while no binary packet was being reassembled.
    #[error("got binary data when not reconstructing a packet")]
    UnexpectedBinary,
    /// A text packet arrived while attachments were still expected.
    #[error("got plaintext data when reconstructing a packet")]
    UnexpectedText,
    /// Arrays and objects nested deeper than [`MAX_JSON_DEPTH`].
    #[error("JSON nested deeper than {max} levels")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// A binary packet (its header and attachments together) is larger than the decoder
    /// allows (`maxPayload` on a server).
    #[error("binary packet larger than {max} bytes")]
    PacketTooLarge {
        /// Configured maximum.
        max: usize,
    },
}

fn json_err(e: serde_json::Error) -> Error {
    Error::InvalidJson(e.to_string())
}

/// Helpers shared by the codec's unit tests.
#[cfg(test)]
mod test_util {
    pub(super) use super::super::eio::Frame;
    pub(super) use super::*;
    pub(super) use bytes::Bytes;
    pub(super) use serde_json::value::RawValue;

    pub(super) fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_string()).unwrap()
    }

    pub(super) fn ns(s: &'static str) -> Namespace {
        Namespace::new(s).unwrap()
    }

    /// Decodes a full Engine.IO text frame (`4…`).
    pub(super) fn dec(frame: &str) -> Result<Packet, Error> {
        let text = frame.strip_prefix('4').expect("engine.io message");
        decode(text)
    }

    pub(super) fn enc(p: &Packet) -> String {
        String::from_utf8(p.encode().text.to_vec()).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use proptest::prelude::*;

    #[test]
    fn module_doc_example() {
        let payload: Box<RawValue> = serde_json::from_str(r#"{"id":"n1","b":2,"a":1}"#).unwrap();
        let frame = EventBuilder::new("notification")
            .arg_raw(&payload)
            .build_with_offset("1700000000000-0")
            .text;
        assert_eq!(
            &frame[..],
            br#"42["notification",{"id":"n1","b":2,"a":1},"1700000000000-0"]"#
        );
    }

    /// The conformance server's behaviour from issue 3 / the official
    /// socket.io-protocol test suite, at the codec level: frame in, frame out.
    fn conformance_reply(frames_in: &[super::super::eio::Frame]) -> Vec<Frame> {
        use super::super::eio::Packet as EioPacket;
        let mut d = Decoder::new();
        let mut out = Vec::new();
        for f in frames_in {
            let decoded = match f.decode().unwrap() {
                EioPacket::Message(t) => d.decode_text(&t),
                EioPacket::Binary(b) => d.decode_binary(b.into_owned()),
                p => panic!("unexpected {p:?}"),
            };
            let Some(p) = decoded.unwrap() else { continue };
            match &p.data {
                PacketData::Connect(auth) if p.ns.is_root() || p.ns.as_str() == "/custom" => {
                    out.push(Frame::Text(encode_connect_ok(&p.ns, "SID", None)));
                    let auth = auth.as_ref().map_or("{}", |a| a.as_str());
                    let auth = RawValue::from_string(auth.to_string()).unwrap();
                    out.push(Frame::Text(encode_event(&p.ns, "auth", &[&auth], None)));
                }
                PacketData::Connect(_) => out.push(Frame::Text(encode_connect_error(
                    &p.ns,
                    "Invalid namespace",
                    None,
                ))),
                PacketData::Event(e) if e.name() == "message" => {
                    let mut b = EventBuilder::new("message-back")
                        .ns(p.ns.clone())
                        .args(e.args());
                    for a in e.attachments() {
                        b = b.attach(a.clone());
                    }
                    out.extend(b.build().frames());
                }
                PacketData::Event(e) if e.name() == "message-with-ack" => {
                    let mut b = AckBuilder::new(e.id().unwrap())
                        .ns(p.ns.clone())
                        .args(e.args());
                    for a in e.attachments() {
                        b = b.attach(a.clone());
                    }
                    out.extend(b.build().frames());
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn conformance_suite_frames() {
        use super::super::eio::Frame as F;
        let t = |s: &str| F::Text(Bytes::copy_from_slice(s.as_bytes()));
        let b = |v: &[u8]| F::Binary(Bytes::copy_from_slice(v));
        let cases: Vec<(Vec<F>, Vec<F>)> = vec![
            (
                vec![t("40")],
                vec![t(r#"40{"sid":"SID"}"#), t(r#"42["auth",{}]"#)],
            ),
            (
                vec![t(r#"40{"token":"123"}"#)],
                vec![t(r#"40{"sid":"SID"}"#), t(r#"42["auth",{"token":"123"}]"#)],
            ),
            (
                vec![t("40/custom,")],
                vec![
                    t(r#"40/custom,{"sid":"SID"}"#),
                    t(r#"42/custom,["auth",{}]"#),
                ],
            ),
            (
                vec![t(r#"40/custom,{"token":"abc"}"#)],
                vec![
                    t(r#"40/custom,{"sid":"SID"}"#),
                    t(r#"42/custom,["auth",{"token":"abc"}]"#),
                ],
            ),
            (
                vec![t("40/random")],
                vec![t(r#"44/random,{"message":"Invalid namespace"}"#)],
            ),
            (
                vec![t(r#"42["message",1,"2",{"3":[true]}]"#)],
                vec![t(r#"42["message-back",1,"2",{"3":[true]}]"#)],
            ),
            (
                vec![t(r#"42456["message-with-ack",1,"2",{"3":[false]}]"#)],
                vec![t(r#"43456[1,"2",{"3":[false]}]"#)],
            ),
            (
                vec![
                    t(
                        r#"452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
                    ),
                    b(&[1, 2, 3]),
                    b(&[4, 5, 6]),
                ],
                vec![
                    t(
                        r#"452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
                    ),
                    b(&[1, 2, 3]),
                    b(&[4, 5, 6]),
                ],
            ),
            (
                vec![
                    t(
                        r#"452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
                    ),
                    b(&[1, 2, 3]),
                    b(&[4, 5, 6]),
                ],
                vec![
                    t(r#"462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#),
                    b(&[1, 2, 3]),
                    b(&[4, 5, 6]),
                ],
            ),
            // key order of user payloads is kept
            (
                vec![t(r#"42["message",{"z":1,"a":{"y":2,"b":3}}]"#)],
                vec![t(r#"42["message-back",{"z":1,"a":{"y":2,"b":3}}]"#)],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(conformance_reply(&input), want, "{input:?}");
        }
        // frames that must close the session
        for bad in [
            "4abc",
            "42{}",
            r#"42abc["message-with-ack",1,"2",{"3":[false]}]"#,
        ] {
            let f = t(bad);
            let super::super::eio::Packet::Message(text) = f.decode().unwrap() else {
                panic!()
            };
            assert!(Decoder::new().decode_text(&text).is_err(), "{bad}");
        }
    }

    #[test]
    fn reference_table_frames() {
        // every frame of the reference doc's table decodes and re-encodes byte for byte
        let frames = [
            "40",
            r#"40{"token":"…","deviceId":"D123"}"#,
            r#"40/admin,{"token":"…"}"#,
            r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#,
            r#"44{"message":"Not authorized"}"#,
            r#"44{"message":"Not authorized","data":{"code":7}}"#,
            r#"42["notification",{"id":"n1"}]"#,
            r#"4212["subscribe-department","42"]"#,
            r#"4312[{"ok":true}]"#,
            r#"427["notification",{"z":1,"a":2}]"#,
            "437[]",
            r#"42/admin,["x"]"#,
            r#"43/admin,13["bar"]"#,
            "41",
            "41/admin,",
            r#"42["foo","MzUPkW0"]"#,
            r#"40{"sid":"a","pid":"b"}"#,
            r#"44/random,{"message":"Invalid namespace"}"#,
        ];
        for f in frames {
            let p = dec(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            assert_eq!(enc(&p), f);
        }
    }

    #[test]
    fn json_depth_is_counted_outside_strings() {
        assert_eq!(json_depth("1"), 0);
        assert_eq!(json_depth(r#"["a",{"b":[1,2]}]"#), 3);
        assert_eq!(json_depth(r#"["[[[[\"{{{{", {}]"#), 2);
        let deep = format!("{}{}", "[".repeat(32_000), "]".repeat(32_000));
        assert_eq!(json_depth(&deep), 32_000);
        assert_eq!(
            decode(&format!("2{deep}")),
            Err(Error::TooDeep {
                max: MAX_JSON_DEPTH
            })
        );
        let ok = format!("2[\"e\",{}{}]", "[".repeat(62), "]".repeat(62));
        assert!(decode(&ok).is_ok());
        let over = format!("2[\"e\",{}{}]", "[".repeat(64), "]".repeat(64));
        assert_eq!(
            decode(&over),
            Err(Error::TooDeep {
                max: MAX_JSON_DEPTH
            })
        );
    }

    // ---------------------------------------------------------------- proptest

    fn arb_ns() -> impl Strategy<Value = Namespace> {
        prop_oneof![
            Just(Namespace::ROOT),
            "/[a-zA-Z0-9_\\-é/]{1,12}".prop_map(|s| Namespace::new(s).unwrap()),
        ]
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            any::<String>().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-z\"\\\\_]{0,6}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn arb_raw() -> impl Strategy<Value = Box<RawValue>> {
        arb_json().prop_map(|v| serde_json::value::to_raw_value(&v).unwrap())
    }

    fn arb_name() -> impl Strategy<Value = String> {
        any::<String>().prop_filter("not reserved", |s| !RESERVED_EVENTS.contains(&s.as_str()))
    }

    proptest! {
        #[test]
        fn event_roundtrip(
            ns in arb_ns(),
            name in arb_name(),
            args in proptest::collection::vec(arb_raw(), 0..5),
            id in proptest::option::of(any::<u64>()),
            bins in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..32), 0..4),
            offset in proptest::option::of("[ -~]{0,12}"),
        ) {
            let mut b = EventBuilder::new(&name).ns(ns.clone());
            if let Some(id) = id { b = b.ack_id(id); }
            for a in &args { b = b.arg_raw(a); }
            for bin in &bins { b = b.binary(bin.clone()); }
            let enc = match &offset { Some(o) => b.build_with_offset(o), None => b.build() };
            prop_assert_eq!(enc.attachments.len(), bins.len());

            let mut d = Decoder::new();
            let mut got = d.decode_text(enc.sio_str()).unwrap();
            for a in &enc.attachments {
                prop_assert!(got.is_none());
                got = d.decode_binary(a.clone()).unwrap();
            }
            let p = got.unwrap();
            prop_assert_eq!(&p.ns, &ns);
            let PacketData::Event(e) = &p.data else { panic!("not an event") };
            prop_assert_eq!(e.name(), name.as_str());
            prop_assert_eq!(e.id(), id);
            let got_args = e.args().to_vec();
            let n_expected = args.len() + bins.len() + usize::from(offset.is_some());
            prop_assert_eq!(got_args.len(), n_expected);
            for (g, a) in got_args.iter().zip(&args) {
                prop_assert_eq!(g.get(), a.get());
            }
            if id.is_none() {
                // the official client takes the last argument if it is a string
                let want = match (&offset, bins.is_empty(), args.last()) {
                    (Some(o), _, _) => Some(o.clone()),
                    (None, true, Some(last)) => serde_json::from_str::<String>(last.get()).ok(),
                    _ => None,
                };
                prop_assert_eq!(e.csr_offset().map(|c| c.into_owned()), want);
            } else {
                prop_assert_eq!(e.csr_offset(), None);
            }
            prop_assert_eq!(e.attachments().len(), bins.len());
            for (g, b) in e.attachments().iter().zip(&bins) {
                prop_assert_eq!(&g[..], &b[..]);
            }
            // owned packet re-encodes to the same bytes
            let again = p.encode();
            prop_assert_eq!(&again, &enc);
        }

        #[test]
        fn ack_roundtrip(
            ns in arb_ns(),
            id in any::<u64>(),
            args in proptest::collection::vec(arb_raw(), 0..5),
            bins in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..32), 0..3),
        ) {
            let mut b = AckBuilder::new(id).ns(ns.clone());
            for a in &args { b = b.arg_raw(a); }
            for bin in &bins { b = b.binary(bin.clone()); }
            let enc = b.build();
            let mut d = Decoder::new();
            let mut got = d.decode_text(enc.sio_str()).unwrap();
            for a in &enc.attachments { got = d.decode_binary(a.clone()).unwrap(); }
            let p = got.unwrap();
            prop_assert_eq!(&p.ns, &ns);
            let PacketData::Ack(a) = &p.data else { panic!("not an ack") };
            prop_assert_eq!(a.id(), id);
            prop_assert_eq!(a.args().to_vec().len(), args.len() + bins.len());
            prop_assert_eq!(p.encode(), enc);
        }

        #[test]
        fn connect_family_roundtrip(
            ns in arb_ns(),
            sid in any::<String>(),
            pid in proptest::option::of(any::<String>()),
            msg in any::<String>(),
            data in proptest::option::of(arb_raw()),
            auth in proptest::option::of(proptest::collection::btree_map("[a-z]{1,5}", arb_json(), 0..3)),
        ) {
            let p = dec(std::str::from_utf8(&encode_connect_ok(&ns, &sid, pid.as_deref())).unwrap()).unwrap();
            prop_assert_eq!(&p.ns, &ns);
            let PacketData::Connect(Some(j)) = &p.data else { panic!() };
            let ok: ConnectOk = j.deserialize().unwrap();
            prop_assert_eq!(ok, ConnectOk { sid: sid.clone(), pid: pid.clone() });

            let f = encode_connect_error(&ns, &msg, data.as_deref());
            let p = dec(std::str::from_utf8(&f).unwrap()).unwrap();
            let PacketData::ConnectError(j) = &p.data else { panic!() };
            let e: ConnectErrorData = j.deserialize().unwrap();
            prop_assert_eq!(e.message, msg.clone());
            // `"data":null` reads back as no data
            let want = data.filter(|d| d.get() != "null").map(|d| d.get().to_string());
            prop_assert_eq!(e.data.map(|d| d.get().to_string()), want);
            prop_assert_eq!(p.encode().text, f);

            let auth = auth.map(|m| serde_json::value::to_raw_value(&m).unwrap());
            let f = encode_connect(&ns, auth.as_deref()).unwrap();
            let p = dec(std::str::from_utf8(&f).unwrap()).unwrap();
            prop_assert_eq!(&p.ns, &ns);
            let PacketData::Connect(got) = &p.data else { panic!() };
            prop_assert_eq!(got.as_ref().map(|j| j.as_str()), auth.as_ref().map(|a| a.get()));
            prop_assert_eq!(p.encode().text, f);

            let f = encode_disconnect(&ns);
            let p = dec(std::str::from_utf8(&f).unwrap()).unwrap();
            prop_assert_eq!(p, Packet::disconnect(ns.clone()));
        }
    }
}
