//! Builders that write EVENT and ACK frames straight into bytes, without a [`Packet`]
//! (encode a notification once, clone it to every recipient).

use bytes::Bytes;
use serde::Serialize;
use serde_json::value::RawValue;

use super::super::{write_json_str, write_u64};
use super::encode::{write_header, Encoded, HEADER_MAX};
#[cfg(doc)]
use super::packet::Packet;
use super::packet::{Args, Namespace, PacketType};
use super::{json_err, Error};

/// Shared body of [`EventBuilder`] and [`AckBuilder`]: the JSON array text
/// without its closing `]`, and the attachments.
#[derive(Debug, Clone)]
struct ArrayWriter {
    body: Vec<u8>,
    empty: bool,
    attachments: Vec<Bytes>,
}

impl ArrayWriter {
    fn new(cap: usize) -> Self {
        let mut body = Vec::with_capacity(cap);
        body.push(b'[');
        ArrayWriter {
            body,
            empty: true,
            attachments: Vec::new(),
        }
    }

    fn sep(&mut self) {
        if !self.empty {
            self.body.push(b',');
        }
        self.empty = false;
    }

    fn raw(&mut self, json: &str) {
        self.sep();
        self.body.extend_from_slice(json.as_bytes());
    }

    fn string(&mut self, s: &str) {
        self.sep();
        write_json_str(&mut self.body, s);
    }

    fn serialize<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let mark = self.body.len();
        let was_empty = self.empty;
        self.sep();
        if let Err(e) = serde_json::to_writer(&mut self.body, v) {
            self.body.truncate(mark);
            self.empty = was_empty;
            return Err(json_err(e));
        }
        Ok(())
    }

    fn binary(&mut self, data: Bytes) {
        self.sep();
        self.body
            .extend_from_slice(b"{\"_placeholder\":true,\"num\":");
        write_u64(&mut self.body, self.attachments.len() as u64);
        self.body.push(b'}');
        self.attachments.push(data);
    }

    fn finish(self, ty: PacketType, ns: &Namespace, id: Option<u64>) -> Encoded {
        let ty = match (ty, self.attachments.is_empty()) {
            (PacketType::Event, false) => PacketType::BinaryEvent,
            (PacketType::Ack, false) => PacketType::BinaryAck,
            (t, _) => t,
        };
        let mut out = Vec::with_capacity(1 + HEADER_MAX + ns.as_str().len() + self.body.len() + 1);
        out.push(b'4');
        write_header(&mut out, ty, self.attachments.len(), ns, id);
        out.extend_from_slice(&self.body);
        out.push(b']');
        Encoded {
            text: out.into(),
            attachments: self.attachments,
        }
    }
}

/// The argument methods EVENT and ACK builders share (both write into `self.w`).
macro_rules! argument_methods {
    () => {
        /// Appends one raw JSON argument, verbatim.
        pub fn arg_raw(mut self, arg: &RawValue) -> Self {
            self.w.raw(arg.get());
            self
        }

        /// Appends one argument serialized with serde.
        pub fn arg<T: Serialize + ?Sized>(mut self, arg: &T) -> Result<Self, Error> {
            self.w.serialize(arg)?;
            Ok(self)
        }

        /// Appends a string argument.
        pub fn arg_str(mut self, s: &str) -> Self {
            self.w.string(s);
            self
        }

        /// Appends decoded arguments verbatim (e.g. to echo a received event).
        /// Placeholders in them keep their numbers: add the matching attachments
        /// with [`attach`](Self::attach) in the same order.
        pub fn args(mut self, args: Args<'_>) -> Self {
            if !args.is_empty() {
                self.w.raw(args.as_str());
            }
            self
        }

        /// Appends a binary argument (placeholder + attachment).
        pub fn binary(mut self, data: impl Into<Bytes>) -> Self {
            self.w.binary(data.into());
            self
        }

        /// Adds an attachment without writing a placeholder (for JSON that already
        /// references it).
        pub fn attach(mut self, data: impl Into<Bytes>) -> Self {
            self.w.attachments.push(data.into());
            self
        }
    };
}

/// Builds an EVENT frame directly as bytes, without an intermediate
/// [`Packet`]: encode a notification once, then clone `Encoded::text` to every
/// recipient.
///
/// The event name is not checked against [`RESERVED_EVENTS`](super::RESERVED_EVENTS); binaries added
/// with [`binary`](Self::binary) become `{"_placeholder":true,"num":i}`
/// arguments and turn the packet into a BINARY_EVENT.
#[derive(Debug, Clone)]
pub struct EventBuilder {
    ns: Namespace,
    id: Option<u64>,
    w: ArrayWriter,
}

impl EventBuilder {
    /// Starts `["name"`.
    pub fn new(name: &str) -> Self {
        let mut w = ArrayWriter::new(64 + name.len());
        w.string(name);
        EventBuilder {
            ns: Namespace::ROOT,
            id: None,
            w,
        }
    }

    /// Sets the namespace (default `/`).
    pub fn ns(mut self, ns: Namespace) -> Self {
        self.ns = ns;
        self
    }

    /// Requests an acknowledgement with this id.
    pub fn ack_id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    argument_methods!();

    /// Finishes the packet.
    pub fn build(self) -> Encoded {
        self.w.finish(PacketType::Event, &self.ns, self.id)
    }

    /// Finishes the packet with the connection-state-recovery offset as the
    /// last argument (`42["foo",…,"<offset>"]`). The official client only
    /// records it for events without ack id, so do not combine with
    /// [`ack_id`](Self::ack_id).
    pub fn build_with_offset(mut self, offset: &str) -> Encoded {
        self.w.string(offset);
        self.build()
    }
}

/// Builds an ACK frame directly as bytes (`43<id>[…]`, `46<n>-<id>[…]` with
/// binaries).
#[derive(Debug, Clone)]
pub struct AckBuilder {
    ns: Namespace,
    id: u64,
    w: ArrayWriter,
}

impl AckBuilder {
    /// Starts an ack for `id`.
    pub fn new(id: u64) -> Self {
        AckBuilder {
            ns: Namespace::ROOT,
            id,
            w: ArrayWriter::new(64),
        }
    }

    /// Sets the namespace (default `/`).
    pub fn ns(mut self, ns: Namespace) -> Self {
        self.ns = ns;
        self
    }

    argument_methods!();

    /// Finishes the packet.
    pub fn build(self) -> Encoded {
        self.w.finish(PacketType::Ack, &self.ns, Some(self.id))
    }
}

// ---------------------------------------------------------------------------
// Decoding

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn builders() {
        let e = EventBuilder::new("message-back")
            .arg(&serde_json::json!(1))
            .unwrap()
            .arg_str("2")
            .build();
        assert_eq!(&e.text[..], br#"42["message-back",1,"2"]"#);
        assert!(e.attachments.is_empty());
        assert_eq!(e.sio_str(), r#"2["message-back",1,"2"]"#);

        let e = EventBuilder::new("x").ns(ns("/admin")).ack_id(5).build();
        assert_eq!(&e.text[..], br#"42/admin,5["x"]"#);

        let a = AckBuilder::new(12).arg_raw(&raw(r#"{"ok":true}"#)).build();
        assert_eq!(&a.text[..], br#"4312[{"ok":true}]"#);
        assert_eq!(&AckBuilder::new(7).build().text[..], b"437[]");
        assert_eq!(
            &AckBuilder::new(13)
                .ns(ns("/admin"))
                .arg_str("bar")
                .build()
                .text[..],
            br#"43/admin,13["bar"]"#
        );

        // a failing serialize leaves the builder untouched
        struct Bad;
        impl Serialize for Bad {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("nope"))
            }
        }
        assert!(EventBuilder::new("x").arg(&Bad).is_err());
        let mut w = ArrayWriter::new(8);
        w.string("a");
        assert!(w.serialize(&Bad).is_err());
        w.raw("1");
        assert_eq!(&w.body[..], br#"["a",1"#);

        // binary
        let e = EventBuilder::new("ev")
            .binary(Bytes::from_static(&[1, 2, 3]))
            .arg_str("s")
            .build();
        assert_eq!(
            &e.text[..],
            br#"451-["ev",{"_placeholder":true,"num":0},"s"]"#
        );
        assert_eq!(e.attachments, vec![Bytes::from_static(&[1, 2, 3])]);
        let frames: Vec<Frame> = e.frames().collect();
        assert_eq!(
            frames,
            vec![
                Frame::Text(e.text.clone()),
                Frame::Binary(Bytes::from_static(&[1, 2, 3]))
            ]
        );
        let a = AckBuilder::new(15)
            .binary(vec![9u8])
            .binary(vec![8u8])
            .build();
        assert_eq!(
            &a.text[..],
            br#"462-15[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
        );
    }
}
