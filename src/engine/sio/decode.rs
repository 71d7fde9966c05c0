//! Decoding: the strict Socket.IO parser and the per-connection [`Decoder`] that
//! reassembles binary packets from their attachments.

use bytes::Bytes;
use serde_json::value::RawValue;

use super::packet::{
    validate_placeholders, Ack, Event, Json, Namespace, Packet, PacketData, PacketType,
};
use super::{json_depth, json_err, Error, DEFAULT_MAX_ATTACHMENTS, MAX_JSON_DEPTH};

/// Decodes one Socket.IO text packet (the Engine.IO message text, without the
/// `4`). Returns the packet and the number of attachments still to come
/// (non-zero only for BINARY_EVENT / BINARY_ACK).
fn parse(text: &str, max_attachments: usize) -> Result<(Packet, usize), Error> {
    let b = text.as_bytes();
    let first = *b.first().ok_or(Error::Empty)?;
    let ty = PacketType::from_ascii(first)
        .ok_or_else(|| Error::UnknownPacketType(text.chars().next().unwrap_or('\0')))?;
    let mut i = 1;

    let mut attachments = 0;
    if ty.is_binary() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || b.get(i) != Some(&b'-') {
            return Err(Error::InvalidAttachments);
        }
        let n: usize = text[start..i]
            .parse()
            .map_err(|_| Error::InvalidAttachments)?;
        if n == 0 {
            return Err(Error::InvalidAttachments);
        }
        if n > max_attachments {
            return Err(Error::TooManyAttachments {
                count: n,
                max: max_attachments,
            });
        }
        attachments = n;
        i += 1;
    }

    let ns = if b.get(i) == Some(&b'/') {
        let start = i;
        match b[i..].iter().position(|&c| c == b',') {
            Some(off) => {
                i = start + off + 1;
                Namespace::from_decoded(&text[start..start + off])
            }
            None => {
                i = b.len();
                Namespace::from_decoded(&text[start..])
            }
        }
    } else {
        Namespace::ROOT
    };

    let mut id = None;
    if ty.has_ack_id() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i > start {
            id = Some(
                text[start..i]
                    .parse::<u64>()
                    .map_err(|_| Error::InvalidAckId)?,
            );
        }
    }

    let payload = &text[i..];
    fn json(payload: &str) -> Result<&RawValue, Error> {
        if payload.is_empty() {
            return Err(Error::MissingPayload);
        }
        if json_depth(payload) > MAX_JSON_DEPTH {
            return Err(Error::TooDeep {
                max: MAX_JSON_DEPTH,
            });
        }
        serde_json::from_str::<&RawValue>(payload).map_err(json_err)
    }

    let data = match ty {
        PacketType::Connect => {
            if payload.is_empty() {
                PacketData::Connect(None)
            } else {
                let raw = json(payload)?;
                if !raw.get().starts_with('{') {
                    return Err(Error::InvalidPayload("CONNECT payload must be an object"));
                }
                PacketData::Connect(Some(Json::from(raw)))
            }
        }
        PacketType::Disconnect => {
            if !payload.is_empty() {
                return Err(Error::UnexpectedPayload);
            }
            PacketData::Disconnect
        }
        PacketType::Event | PacketType::BinaryEvent => {
            let raw = json(payload)?;
            let ev = Event::from_raw(raw, id)?;
            if attachments > 0 {
                validate_placeholders(raw.get(), attachments)?;
            }
            PacketData::Event(ev)
        }
        PacketType::Ack | PacketType::BinaryAck => {
            let id = id.ok_or(Error::MissingAckId)?;
            let raw = json(payload)?;
            let ack = Ack::from_raw(raw, id)?;
            if attachments > 0 {
                validate_placeholders(raw.get(), attachments)?;
            }
            PacketData::Ack(ack)
        }
        PacketType::ConnectError => {
            let raw = json(payload)?;
            if !(raw.get().starts_with('{') || raw.get().starts_with('"')) {
                return Err(Error::InvalidPayload(
                    "CONNECT_ERROR payload must be an object or a string",
                ));
            }
            PacketData::ConnectError(Json::from(raw))
        }
    };
    Ok((Packet { ns, data }, attachments))
}

/// Decodes a non-binary packet (the Engine.IO message text, without `4`).
/// A BINARY_EVENT / BINARY_ACK header is an error here: use a [`Decoder`].
pub fn decode(text: &str) -> Result<Packet, Error> {
    match parse(text, DEFAULT_MAX_ATTACHMENTS)? {
        (p, 0) => Ok(p),
        _ => Err(Error::InvalidAttachments),
    }
}

/// Per-connection Socket.IO decoder: reassembles binary packets from their
/// text header and the following binary messages.
///
/// Two words per connection while idle; a partial binary packet is boxed.
#[derive(Debug, Clone)]
pub struct Decoder {
    max_attachments: u32,
    /// Largest binary packet (header text plus attachments), in bytes.
    max_bytes: u32,
    /// The packet being reassembled, its attachment count and its size so far.
    pending: Option<Box<(Packet, usize, usize)>>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder allowing [`DEFAULT_MAX_ATTACHMENTS`] attachments per packet.
    pub const fn new() -> Self {
        Decoder::with_max_attachments(DEFAULT_MAX_ATTACHMENTS)
    }

    /// A decoder with a custom attachment limit.
    pub const fn with_max_attachments(max_attachments: usize) -> Self {
        Decoder::with_limits(max_attachments, usize::MAX)
    }

    /// A decoder with an attachment limit and a limit on the total size of a binary packet
    /// being reassembled (its header text plus every attachment): what an unfinished
    /// packet can hold is bounded by `max_bytes`, not by `max_attachments` × `maxPayload`.
    pub const fn with_limits(max_attachments: usize, max_bytes: usize) -> Self {
        const fn small(n: usize) -> u32 {
            if n > u32::MAX as usize {
                u32::MAX
            } else {
                n as u32
            }
        }
        Decoder {
            max_attachments: small(max_attachments),
            max_bytes: small(max_bytes),
            pending: None,
        }
    }

    /// Feeds an Engine.IO text message (without the `4`). Returns the packet,
    /// or `None` when it is a binary header waiting for its attachments.
    pub fn decode_text(&mut self, text: &str) -> Result<Option<Packet>, Error> {
        if self.pending.take().is_some() {
            return Err(Error::UnexpectedText);
        }
        let max_bytes = self.max_bytes as usize;
        match parse(text, self.max_attachments as usize)? {
            (p, 0) => Ok(Some(p)),
            (mut p, n) => {
                if text.len() > max_bytes {
                    return Err(Error::PacketTooLarge { max: max_bytes });
                }
                if let Some(a) = p.attachments_mut() {
                    a.reserve_exact(n);
                }
                self.pending = Some(Box::new((p, n, text.len())));
                Ok(None)
            }
        }
    }

    /// Feeds an Engine.IO binary message. Returns the packet once its last
    /// attachment has arrived.
    pub fn decode_binary(&mut self, data: impl Into<Bytes>) -> Result<Option<Packet>, Error> {
        let Some(pending) = self.pending.as_mut() else {
            return Err(Error::UnexpectedBinary);
        };
        let (packet, expected, size) = &mut **pending;
        let expected = *expected;
        let data: Bytes = data.into();
        *size = size.saturating_add(data.len());
        if *size > self.max_bytes as usize {
            self.pending = None;
            return Err(Error::PacketTooLarge {
                max: self.max_bytes as usize,
            });
        }
        let Some(atts) = packet.attachments_mut() else {
            self.pending = None;
            return Err(Error::UnexpectedBinary);
        };
        atts.push(data);
        if atts.len() < expected {
            return Ok(None);
        }
        Ok(self.pending.take().map(|b| b.0))
    }

    /// `true` while attachments of a binary packet are expected.
    pub fn is_reassembling(&self) -> bool {
        self.pending.is_some()
    }

    /// Drops a partially received binary packet.
    pub fn reset(&mut self) {
        self.pending = None;
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decoded_fields() {
        let p = dec(r#"4212["subscribe-department","42"]"#).unwrap();
        assert_eq!(p.ns, Namespace::ROOT);
        let PacketData::Event(e) = &p.data else {
            panic!()
        };
        assert_eq!(e.id(), Some(12));
        assert_eq!(e.name(), "subscribe-department");
        assert_eq!(e.args().as_str(), r#""42""#);
        assert_eq!(e.args().len(), 1);
        assert_eq!(e.args().get(0).unwrap().get(), r#""42""#);
        assert_eq!(e.csr_offset(), None); // has an ack id

        let p = dec(r#"43/admin,13["bar",{"b":1,"a":2}]"#).unwrap();
        assert_eq!(p.ns.as_str(), "/admin");
        let PacketData::Ack(a) = &p.data else {
            panic!()
        };
        assert_eq!(a.id(), 13);
        assert_eq!(a.args().as_str(), r#""bar",{"b":1,"a":2}"#);
        assert_eq!(a.args().to_vec().len(), 2);

        let p = dec(r#"40/admin,{"token":"t"}"#).unwrap();
        assert_eq!(p.ns.as_str(), "/admin");
        let PacketData::Connect(Some(auth)) = &p.data else {
            panic!()
        };
        assert_eq!(auth.as_str(), r#"{"token":"t"}"#);

        let p = dec(r#"40{"sid":"s1","pid":"p1"}"#).unwrap();
        let PacketData::Connect(Some(reply)) = &p.data else {
            panic!()
        };
        let ok: ConnectOk = reply.deserialize().unwrap();
        assert_eq!(
            ok,
            ConnectOk {
                sid: "s1".into(),
                pid: Some("p1".into())
            }
        );

        let p = dec(r#"44{"message":"Not authorized","data":{"x":1}}"#).unwrap();
        let PacketData::ConnectError(e) = &p.data else {
            panic!()
        };
        let err: ConnectErrorData = e.deserialize().unwrap();
        assert_eq!(err.message, "Not authorized");
        assert_eq!(err.data.unwrap().get(), r#"{"x":1}"#);
    }

    #[test]
    fn namespace_without_trailing_comma() {
        // the official test suite sends `40/custom`, `40/random`, `41/custom`
        for (f, n) in [
            ("40/custom", "/custom"),
            ("40/random", "/random"),
            ("41/custom", "/custom"),
        ] {
            let p = dec(f).unwrap();
            assert_eq!(p.ns.as_str(), n);
        }
        assert!(matches!(
            dec("40/custom").unwrap().data,
            PacketData::Connect(None)
        ));
        assert_eq!(dec("40/,").unwrap().ns, Namespace::ROOT);
        // unknown namespace refusal, byte-exact
        assert_eq!(
            &encode_connect_error(&ns("/random"), "Invalid namespace", None)[..],
            br#"44/random,{"message":"Invalid namespace"}"#
        );
    }

    #[test]
    fn malformed_packets() {
        let bad: &[(&str, Error)] = &[
            ("", Error::Empty),
            ("abc", Error::UnknownPacketType('a')),
            ("9", Error::UnknownPacketType('9')),
            ("7[]", Error::UnknownPacketType('7')),
            (
                "2{}",
                Error::InvalidPayload("EVENT payload must be an array"),
            ),
            (
                "2[]",
                Error::InvalidPayload("EVENT payload must not be empty"),
            ),
            ("2[1]", Error::InvalidPayload("event name must be a string")),
            (
                "2[{\"a\":1}]",
                Error::InvalidPayload("event name must be a string"),
            ),
            (
                "2\"ev\"",
                Error::InvalidPayload("EVENT payload must be an array"),
            ),
            ("2", Error::MissingPayload),
            ("2/admin,", Error::MissingPayload),
            ("212", Error::MissingPayload),
            ("3[]", Error::MissingAckId),
            ("31", Error::MissingPayload),
            (
                "31{}",
                Error::InvalidPayload("ACK payload must be an array"),
            ),
            ("1x", Error::UnexpectedPayload),
            ("1/admin,x", Error::UnexpectedPayload),
            (
                "0[]",
                Error::InvalidPayload("CONNECT payload must be an object"),
            ),
            (
                "0\"s\"",
                Error::InvalidPayload("CONNECT payload must be an object"),
            ),
            (
                "012",
                Error::InvalidPayload("CONNECT payload must be an object"),
            ),
            ("4", Error::MissingPayload),
            (
                "4[]",
                Error::InvalidPayload("CONNECT_ERROR payload must be an object or a string"),
            ),
            ("2[\"connect\"]", Error::ReservedEvent("connect".into())),
            (
                "2[\"disconnect\",1]",
                Error::ReservedEvent("disconnect".into()),
            ),
            (
                "2[\"newListen\\u0065r\"]",
                Error::ReservedEvent("newListener".into()),
            ),
            ("299999999999999999999[\"a\"]", Error::InvalidAckId),
            ("5[\"a\"]", Error::InvalidAttachments),
            ("5-[\"a\"]", Error::InvalidAttachments),
            ("50-[\"a\"]", Error::InvalidAttachments),
            ("51[\"a\"]", Error::InvalidAttachments),
            ("5a-[\"a\"]", Error::InvalidAttachments),
            (
                "599999999999999999999999-[\"a\"]",
                Error::InvalidAttachments,
            ),
            (
                "511-[\"a\"]",
                Error::TooManyAttachments { count: 11, max: 10 },
            ),
            ("61-[]", Error::MissingAckId),
            (
                "51-[\"a\",{\"_placeholder\":true,\"num\":1}]",
                Error::InvalidPlaceholder,
            ),
            (
                "51-[\"a\",{\"_placeholder\":true,\"num\":-1}]",
                Error::InvalidPlaceholder,
            ),
            (
                "51-[\"a\",{\"_placeholder\":true}]",
                Error::InvalidPlaceholder,
            ),
            (
                "61-1[[{\"_placeholder\":true,\"num\":\"0\"}]]",
                Error::InvalidPlaceholder,
            ),
        ];
        for (text, err) in bad {
            assert_eq!(&decode(text).unwrap_err(), err, "{text:?}");
            assert_eq!(
                &Decoder::new().decode_text(text).unwrap_err(),
                err,
                "{text:?}"
            );
        }
        // invalid JSON: bad ack id, trailing garbage, truncated
        for text in [
            "2abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]",
            "2[\"a\"]x",
            "2[\"a\"",
            "2[\"a\"]]",
            "0{\"a\":1}}",
            "2 ",
            "2-1[\"a\"]",
            "2/admin,x[\"a\"]",
            "2/admin[\"a\"]",
        ] {
            assert!(
                matches!(
                    decode(text),
                    Err(Error::InvalidJson(_)) | Err(Error::MissingPayload)
                ),
                "{text:?}"
            );
        }
        assert!(matches!(
            decode("2/admin[\"a\"]"),
            Err(Error::MissingPayload)
        ));
        assert!(matches!(decode("2abc[\"a\"]"), Err(Error::InvalidJson(_))));
    }

    #[test]
    fn lenient_where_upstream_is() {
        // whitespace around the JSON, leading zeros in ack ids, numbers are fine
        let p = decode("2 [\"a\" , 1 ] ").unwrap();
        let PacketData::Event(e) = p.data else {
            panic!()
        };
        assert_eq!(e.args().as_str(), "1");
        let p = decode("2007[\"a\"]").unwrap();
        let PacketData::Event(e) = p.data else {
            panic!()
        };
        assert_eq!(e.id(), Some(7));
        let p = decode("3 1").err();
        assert!(p.is_some());
    }

    #[test]
    fn binary_reassembly() {
        // from the official test suite
        let mut d = Decoder::new();
        let header =
            r#"52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#;
        assert_eq!(d.decode_text(header).unwrap(), None);
        assert!(d.is_reassembling());
        assert_eq!(d.decode_binary(vec![1u8, 2, 3]).unwrap(), None);
        let p = d
            .decode_binary(Bytes::from_static(&[4, 5, 6]))
            .unwrap()
            .unwrap();
        assert!(!d.is_reassembling());
        assert_eq!(p.packet_type(), PacketType::BinaryEvent);
        let PacketData::Event(e) = &p.data else {
            panic!()
        };
        assert_eq!(e.name(), "message");
        assert_eq!(
            e.attachments(),
            &[
                Bytes::from_static(&[1, 2, 3]),
                Bytes::from_static(&[4, 5, 6])
            ]
        );

        // echo as the conformance server does: `message-back`, same args and binaries
        let mut b = EventBuilder::new("message-back").args(e.args());
        for a in e.attachments() {
            b = b.attach(a.clone());
        }
        let out = b.build();
        assert_eq!(
            &out.text[..],
            br#"452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
        );
        assert_eq!(out.attachments.len(), 2);

        // message-with-ack → binary ack with the same args
        let header = r#"52-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#;
        assert_eq!(d.decode_text(header).unwrap(), None);
        d.decode_binary(vec![1u8]).unwrap();
        let p = d.decode_binary(vec![2u8]).unwrap().unwrap();
        let PacketData::Event(e) = &p.data else {
            panic!()
        };
        assert_eq!(e.id(), Some(789));
        let mut b = AckBuilder::new(e.id().unwrap()).args(e.args());
        for a in e.attachments() {
            b = b.attach(a.clone());
        }
        assert_eq!(
            &b.build().text[..],
            br#"462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
        );
        // full packet round trip
        assert_eq!(p.encode().sio_str(), header);
    }

    #[test]
    fn reassembly_errors() {
        let mut d = Decoder::new();
        assert_eq!(d.decode_binary(vec![1u8]), Err(Error::UnexpectedBinary));
        assert_eq!(
            d.decode_text(r#"51-["a",{"_placeholder":true,"num":0}]"#),
            Ok(None)
        );
        assert_eq!(d.decode_text(r#"2["a"]"#), Err(Error::UnexpectedText));
        assert!(!d.is_reassembling());
        // decoder is usable again
        assert!(d.decode_text(r#"2["a"]"#).unwrap().is_some());
        assert_eq!(
            d.decode_text(r#"51-["a",{"_placeholder":true,"num":0}]"#),
            Ok(None)
        );
        d.reset();
        assert_eq!(d.decode_binary(vec![1u8]), Err(Error::UnexpectedBinary));
        assert_eq!(
            std::mem::size_of::<Decoder>(),
            2 * std::mem::size_of::<usize>()
        );
        // custom limit
        let mut d = Decoder::with_max_attachments(1);
        assert_eq!(
            d.decode_text(r#"52-["a",{"_placeholder":true,"num":0}]"#),
            Err(Error::TooManyAttachments { count: 2, max: 1 })
        );
        // stateless decode refuses binary headers
        assert_eq!(
            decode(r#"51-["a",{"_placeholder":true,"num":0}]"#),
            Err(Error::InvalidAttachments)
        );
        // attachments not referenced by placeholders are allowed (as upstream)
        let mut d = Decoder::new();
        assert_eq!(d.decode_text(r#"51-["a"]"#), Ok(None));
        assert!(d.decode_binary(vec![0u8]).unwrap().is_some());
    }

    proptest::proptest! {

        #[test]
        fn decode_never_panics(s in "[0-9a-z\\-/,\\[\\]{}\":_ ]{0,40}") {
            let mut d = Decoder::new();
            let _ = d.decode_text(&s);
            let _ = d.decode_binary(Bytes::new());
            let _ = decode(&s);
        }

        #[test]
        fn decode_never_panics_any(s in any::<String>()) {
            let _ = decode(&s);
            let _ = Event::from_json(&s);
        }
    }
}
