//! Encoding: packets to the exact bytes the official implementation sends.

use bytes::Bytes;
use serde_json::value::RawValue;

use super::super::eio::Frame;
use super::super::{write_json_str, write_u64};
use super::builder::EventBuilder;
use super::packet::{Namespace, Packet, PacketData, PacketType};
use super::Error;

impl Packet {
    /// Writes the Socket.IO text (without the Engine.IO `4` prefix).
    pub fn write_sio(&self, out: &mut Vec<u8>) {
        let ty = self.packet_type();
        let (id, json) = match &self.data {
            PacketData::Connect(j) => (None, j.as_ref()),
            PacketData::Disconnect => (None, None),
            PacketData::Event(e) => (e.id(), Some(e.json())),
            PacketData::Ack(a) => (Some(a.id()), Some(a.json())),
            PacketData::ConnectError(j) => (None, Some(j)),
        };
        write_header(out, ty, self.attachments().len(), &self.ns, id);
        if let Some(j) = json {
            out.extend_from_slice(j.as_str().as_bytes());
        }
    }

    /// Encodes the packet: the Engine.IO text (`4…`) plus its attachments.
    pub fn encode(&self) -> Encoded {
        let json_len = match &self.data {
            PacketData::Connect(j) => j.as_ref().map_or(0, |j| j.as_str().len()),
            PacketData::Disconnect => 0,
            PacketData::Event(e) => e.json().as_str().len(),
            PacketData::Ack(a) => a.json().as_str().len(),
            PacketData::ConnectError(j) => j.as_str().len(),
        };
        let mut out = Vec::with_capacity(1 + HEADER_MAX + self.ns.as_str().len() + json_len);
        out.push(b'4');
        self.write_sio(&mut out);
        Encoded {
            text: out.into(),
            attachments: self.attachments().to_vec(),
        }
    }
}

/// A packet encoded for Engine.IO: the text message (`4` + Socket.IO text,
/// i.e. a WebSocket text frame payload or a polling segment) and the binary
/// attachments to send right after it, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Encoded {
    /// `4<type>…`: the Engine.IO message carrying the Socket.IO packet.
    pub text: Bytes,
    /// One Engine.IO binary message per attachment.
    pub attachments: Vec<Bytes>,
}

impl Encoded {
    /// The text message as a queueable frame.
    pub fn text_frame(&self) -> Frame {
        Frame::Text(self.text.clone())
    }

    /// All frames to queue, text first then attachments.
    pub fn frames(&self) -> impl Iterator<Item = Frame> + '_ {
        std::iter::once(self.text_frame())
            .chain(self.attachments.iter().cloned().map(Frame::Binary))
    }

    /// The Socket.IO text, without the Engine.IO `4`.
    pub fn sio_str(&self) -> &str {
        // built from `&str` pieces only
        std::str::from_utf8(&self.text[1..]).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------
// Encoding helpers and builders

/// Upper bound of a header without namespace: type, attachment count, `-`,
/// `,`, ack id.
pub(super) const HEADER_MAX: usize = 1 + 20 + 1 + 1 + 20;

/// Writes a packet header: type, attachment count, namespace, ack id.
pub(super) fn write_header(
    out: &mut Vec<u8>,
    ty: PacketType,
    attachments: usize,
    ns: &Namespace,
    id: Option<u64>,
) {
    out.push(ty.as_ascii());
    if ty.is_binary() {
        write_u64(out, attachments as u64);
        out.push(b'-');
    }
    if !ns.is_root() {
        out.extend_from_slice(ns.as_str().as_bytes());
        out.push(b',');
    }
    if let Some(id) = id {
        write_u64(out, id);
    }
}

/// Writes the CONNECT reply object.
pub(super) fn write_connect_ok(out: &mut Vec<u8>, sid: &str, pid: Option<&str>) {
    out.extend_from_slice(b"{\"sid\":");
    write_json_str(out, sid);
    if let Some(pid) = pid {
        out.extend_from_slice(b",\"pid\":");
        write_json_str(out, pid);
    }
    out.push(b'}');
}

/// Writes the CONNECT_ERROR object.
pub(super) fn write_connect_error(out: &mut Vec<u8>, message: &str, data: Option<&RawValue>) {
    out.extend_from_slice(b"{\"message\":");
    write_json_str(out, message);
    if let Some(d) = data {
        out.extend_from_slice(b",\"data\":");
        out.extend_from_slice(d.get().as_bytes());
    }
    out.push(b'}');
}

fn simple_frame(
    ty: PacketType,
    ns: &Namespace,
    body: impl FnOnce(&mut Vec<u8>),
    cap: usize,
) -> Bytes {
    let mut out = Vec::with_capacity(2 + ns.as_str().len() + 1 + cap);
    out.push(b'4');
    write_header(&mut out, ty, 0, ns, None);
    body(&mut out);
    out.into()
}

/// Client CONNECT: `40`, `40{"token":…}`, `40/admin,{…}`. The auth must be a
/// JSON object.
pub fn encode_connect(ns: &Namespace, auth: Option<&RawValue>) -> Result<Bytes, Error> {
    if let Some(a) = auth {
        if !a.get().starts_with('{') {
            return Err(Error::InvalidPayload("CONNECT payload must be an object"));
        }
    }
    let len = auth.map_or(0, |a| a.get().len());
    Ok(simple_frame(
        PacketType::Connect,
        ns,
        |out| {
            if let Some(a) = auth {
                out.extend_from_slice(a.get().as_bytes());
            }
        },
        len,
    ))
}

/// Server CONNECT reply: `40{"sid":"…"}` or, with connection state recovery,
/// `40{"sid":"…","pid":"…"}`.
pub fn encode_connect_ok(ns: &Namespace, sid: &str, pid: Option<&str>) -> Bytes {
    let cap = 16 + sid.len() + pid.map_or(0, |p| p.len() + 8);
    simple_frame(
        PacketType::Connect,
        ns,
        |out| write_connect_ok(out, sid, pid),
        cap,
    )
}

/// CONNECT_ERROR: `44{"message":"…"}` plus optional `"data"`, e.g.
/// `44/random,{"message":"Invalid namespace"}`.
pub fn encode_connect_error(ns: &Namespace, message: &str, data: Option<&RawValue>) -> Bytes {
    let cap = 16 + message.len() + data.map_or(0, |d| d.get().len() + 8);
    simple_frame(
        PacketType::ConnectError,
        ns,
        |out| write_connect_error(out, message, data),
        cap,
    )
}

/// DISCONNECT: `41` or `41/admin,`.
pub fn encode_disconnect(ns: &Namespace) -> Bytes {
    simple_frame(PacketType::Disconnect, ns, |_| {}, 0)
}

/// One-shot plain EVENT for fan-out: `42["name",…args]`, with the
/// connection-state-recovery `offset` appended as the last argument when given.
pub fn encode_event(ns: &Namespace, name: &str, args: &[&RawValue], offset: Option<&str>) -> Bytes {
    let mut b = EventBuilder::new(name).ns(ns.clone());
    for a in args {
        b = b.arg_raw(a);
    }
    match offset {
        Some(o) => b.build_with_offset(o).text,
        None => b.build().text,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn server_frames_exact() {
        assert_eq!(
            &encode_connect_ok(&Namespace::ROOT, "wZX3oN0bSVIhsaknAAAI", None)[..],
            br#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#
        );
        assert_eq!(
            &encode_connect_ok(&ns("/custom"), "s", Some("p"))[..],
            br#"40/custom,{"sid":"s","pid":"p"}"#
        );
        assert_eq!(
            &encode_connect_error(&Namespace::ROOT, "Not authorized", None)[..],
            br#"44{"message":"Not authorized"}"#
        );
        assert_eq!(
            &encode_connect_error(
                &Namespace::ROOT,
                "bad id",
                Some(&raw(r#"{"field":"deviceId"}"#))
            )[..],
            br#"44{"message":"bad id","data":{"field":"deviceId"}}"#
        );
        assert_eq!(&encode_disconnect(&Namespace::ROOT)[..], b"41");
        assert_eq!(&encode_disconnect(&ns("/admin"))[..], b"41/admin,");
        assert_eq!(&encode_connect(&Namespace::ROOT, None).unwrap()[..], b"40");
        assert_eq!(
            &encode_connect(&ns("/admin"), Some(&raw(r#"{"token":"t"}"#))).unwrap()[..],
            br#"40/admin,{"token":"t"}"#
        );
        assert!(encode_connect(&Namespace::ROOT, Some(&raw("[1]"))).is_err());
        assert_eq!(
            &encode_event(
                &Namespace::ROOT,
                "notification",
                &[&raw(r#"{"id":"n1"}"#)],
                None
            )[..],
            br#"42["notification",{"id":"n1"}]"#
        );
        assert_eq!(
            &encode_event(&ns("/x"), "auth", &[&raw("{}")], Some("o\"1"))[..],
            br#"42/x,["auth",{},"o\"1"]"#
        );
        assert_eq!(
            Packet::connect_ok(Namespace::ROOT, "s", Some("p"))
                .encode()
                .text,
            encode_connect_ok(&Namespace::ROOT, "s", Some("p"))
        );
        assert_eq!(
            Packet::connect_error(ns("/r"), "Invalid namespace", None)
                .encode()
                .text,
            encode_connect_error(&ns("/r"), "Invalid namespace", None)
        );
        assert_eq!(&Packet::disconnect(ns("/a")).encode().text[..], b"41/a,");
    }
}
