//! The Socket.IO packet types: [`Packet`] and what it carries, with [`Event`] and [`Ack`]
//! sharing one [`Payload`] (the validated JSON array and its attachments).

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::super::write_json_str;
use super::encode::{write_connect_error, write_connect_ok};
use super::{json_err, Error, RESERVED_EVENTS};

/// The seven Socket.IO packet types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PacketType {
    /// `0`
    Connect = 0,
    /// `1`
    Disconnect = 1,
    /// `2`
    Event = 2,
    /// `3`
    Ack = 3,
    /// `4`
    ConnectError = 4,
    /// `5`
    BinaryEvent = 5,
    /// `6`
    BinaryAck = 6,
}

impl PacketType {
    /// Parses an ASCII type digit.
    pub const fn from_ascii(b: u8) -> Option<Self> {
        Some(match b {
            b'0' => PacketType::Connect,
            b'1' => PacketType::Disconnect,
            b'2' => PacketType::Event,
            b'3' => PacketType::Ack,
            b'4' => PacketType::ConnectError,
            b'5' => PacketType::BinaryEvent,
            b'6' => PacketType::BinaryAck,
            _ => return None,
        })
    }

    /// The ASCII type digit.
    pub const fn as_ascii(self) -> u8 {
        b'0' + self as u8
    }

    /// `true` for BINARY_EVENT and BINARY_ACK.
    pub const fn is_binary(self) -> bool {
        matches!(self, PacketType::BinaryEvent | PacketType::BinaryAck)
    }

    /// `true` for the types that may carry an ack id.
    pub(super) const fn has_ack_id(self) -> bool {
        matches!(
            self,
            PacketType::Event | PacketType::Ack | PacketType::BinaryEvent | PacketType::BinaryAck
        )
    }
}

/// A namespace name: `/` or `/something`, never containing `,`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Namespace(Cow<'static, str>);

impl Namespace {
    /// The main namespace `/`.
    pub const ROOT: Namespace = Namespace(Cow::Borrowed("/"));

    /// Validates a namespace name.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Result<Self, Error> {
        let name = name.into();
        if !name.starts_with('/') || name.contains(',') {
            return Err(Error::InvalidNamespace(name.into_owned()));
        }
        if name == "/" {
            return Ok(Namespace::ROOT);
        }
        Ok(Namespace(name))
    }

    /// A namespace read by the decoder (which already checked its shape).
    pub(super) fn from_decoded(name: &str) -> Self {
        if name == "/" {
            Namespace::ROOT
        } else {
            Namespace(Cow::Owned(name.to_owned()))
        }
    }

    /// The name, e.g. `/` or `/admin`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `true` for `/`.
    pub fn is_root(&self) -> bool {
        self.0 == "/"
    }
}

impl Default for Namespace {
    fn default() -> Self {
        Namespace::ROOT
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Namespace {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Validated JSON text, kept byte for byte (no re-ordering, no re-encoding).
#[derive(Clone)]
pub struct Json(Box<RawValue>);

impl Json {
    /// Validates JSON text (surrounding whitespace is dropped).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let raw: &RawValue = serde_json::from_str(text).map_err(json_err)?;
        Ok(Json(raw.to_owned()))
    }

    /// Serializes a value (a struct keeps its field order).
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        serde_json::value::to_raw_value(value)
            .map(Json)
            .map_err(json_err)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The JSON as a `RawValue`.
    pub fn as_raw(&self) -> &RawValue {
        &self.0
    }

    /// The boxed `RawValue`.
    pub fn into_raw(self) -> Box<RawValue> {
        self.0
    }

    /// Deserializes the JSON (borrowing strings where possible).
    pub fn deserialize<'de, T: Deserialize<'de>>(&'de self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// JSON produced by this module's own writers (escaped strings and
    /// already-valid raw values): valid by construction.
    fn trusted(buf: Vec<u8>) -> Self {
        let text = String::from_utf8(buf).expect("encoder writes UTF-8");
        Json(RawValue::from_string(text).expect("encoder writes valid JSON"))
    }

    fn first_byte(&self) -> u8 {
        self.as_str().as_bytes().first().copied().unwrap_or(0)
    }
}

impl From<Box<RawValue>> for Json {
    fn from(raw: Box<RawValue>) -> Self {
        Json(raw)
    }
}

impl From<&RawValue> for Json {
    fn from(raw: &RawValue) -> Self {
        Json(raw.to_owned())
    }
}

impl PartialEq for Json {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Json {}

impl std::hash::Hash for Json {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Json({})", self.as_str())
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------
// Scanning of already-validated JSON arrays

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
}

/// Index just past the string literal starting at `b[start] == '"'`.
fn string_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Unescapes a JSON string literal (with its quotes), borrowing when possible.
fn unescape(token: &str) -> Cow<'_, str> {
    if token.len() < 2 {
        return Cow::Borrowed("");
    }
    let inner = &token[1..token.len() - 1];
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    Cow::Owned(serde_json::from_str::<String>(token).unwrap_or_default())
}

/// Byte range of the element list inside a validated array `[ … ]`,
/// starting at `from` (just after `[` or after the first element's comma).
fn list_range(b: &[u8], from: usize) -> (usize, usize) {
    let mut end = b.len().saturating_sub(1); // index of the closing ']'
    while end > from && is_ws(b[end - 1]) {
        end -= 1;
    }
    let start = skip_ws(b, from).min(end);
    (start, end)
}

/// Checks every `{"_placeholder":true,…}` object refers to one of `count` attachments.
pub(super) fn validate_placeholders(json: &str, count: usize) -> Result<(), Error> {
    fn walk(v: &serde_json::Value, count: usize) -> Result<(), Error> {
        match v {
            serde_json::Value::Array(a) => a.iter().try_for_each(|v| walk(v, count)),
            serde_json::Value::Object(o) => {
                if o.get("_placeholder") == Some(&serde_json::Value::Bool(true)) {
                    match o.get("num").and_then(|n| n.as_u64()) {
                        Some(n) if n < count as u64 => Ok(()),
                        _ => Err(Error::InvalidPlaceholder),
                    }
                } else {
                    o.values().try_for_each(|v| walk(v, count))
                }
            }
            _ => Ok(()),
        }
    }
    let v: serde_json::Value = serde_json::from_str(json).map_err(json_err)?;
    walk(&v, count)
}

/// The arguments of an [`Event`] (everything after the name) or an [`Ack`],
/// as raw JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Args<'a> {
    array: &'a str,
    list: &'a str,
    skip: usize,
}

impl<'a> Args<'a> {
    /// The comma-separated argument list, verbatim, e.g. `1,"2",{"3":[true]}`
    /// for `["message",1,"2",{"3":[true]}]` (empty when there are none).
    pub fn as_str(&self) -> &'a str {
        self.list
    }

    /// `true` when there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Each argument as raw JSON (one small allocation for the vector).
    pub fn to_vec(&self) -> Vec<&'a RawValue> {
        let mut all: Vec<&'a RawValue> = serde_json::from_str(self.array).unwrap_or_default();
        all.drain(..self.skip.min(all.len()));
        all
    }

    /// The number of arguments.
    pub fn len(&self) -> usize {
        self.to_vec().len()
    }

    /// Argument `i` as raw JSON.
    pub fn get(&self, i: usize) -> Option<&'a RawValue> {
        self.to_vec().get(i).copied()
    }
}

/// The JSON array text of an event or an ack: `[` + `head` (an event name, already a JSON
/// string) + the arguments + `]`.
fn array_text(head: Option<&[u8]>, args: &[&RawValue]) -> Result<String, Error> {
    let mut buf = Vec::with_capacity(
        3 + head.map_or(0, <[u8]>::len) + args.iter().map(|a| a.get().len() + 1).sum::<usize>(),
    );
    buf.push(b'[');
    if let Some(h) = head {
        buf.extend_from_slice(h);
    }
    for (i, a) in args.iter().enumerate() {
        if i > 0 || head.is_some() {
            buf.push(b',');
        }
        buf.extend_from_slice(a.get().as_bytes());
    }
    buf.push(b']');
    String::from_utf8(buf).map_err(|_| Error::InvalidPayload("not UTF-8"))
}

/// What an [`Event`] and an [`Ack`] both carry: their validated JSON array, kept verbatim
/// (placeholders included), where its arguments are, and the binary attachments its
/// `{"_placeholder":true,"num":i}` objects refer to.
///
/// An event's array starts with the event name, which is not one of the
/// [arguments](Payload::args); every element of an ack's array is an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    json: Json,
    /// Byte range of the argument list inside `json`.
    list: (usize, usize),
    /// Leading array elements that are not arguments (1 for an event: its name).
    skip: usize,
    attachments: Vec<Bytes>,
}

impl Payload {
    /// A payload whose arguments start at byte `from` of the validated array `raw` (just
    /// after `[`, or after the comma that follows the `skip` leading elements).
    fn new(raw: &RawValue, from: usize, skip: usize) -> Self {
        Payload {
            json: Json(raw.to_owned()),
            list: list_range(raw.get().as_bytes(), from),
            skip,
            attachments: Vec::new(),
        }
    }

    /// The arguments, as raw JSON.
    pub fn args(&self) -> Args<'_> {
        Args {
            array: self.json.as_str(),
            list: &self.json.as_str()[self.list.0..self.list.1],
            skip: self.skip,
        }
    }

    /// The whole array, verbatim (placeholders included for a binary packet).
    pub fn json(&self) -> &Json {
        &self.json
    }

    /// The binary attachments (empty for a plain EVENT or ACK).
    pub fn attachments(&self) -> &[Bytes] {
        &self.attachments
    }

    /// Takes the attachments.
    pub fn into_attachments(self) -> Vec<Bytes> {
        self.attachments
    }

    /// `true` when sent as BINARY_EVENT / BINARY_ACK.
    pub fn is_binary(&self) -> bool {
        !self.attachments.is_empty()
    }

    /// Attaches binaries; every placeholder in the JSON must refer to one.
    fn set_attachments(&mut self, attachments: Vec<Bytes>) -> Result<(), Error> {
        if !attachments.is_empty() {
            validate_placeholders(self.json.as_str(), attachments.len())?;
        }
        self.attachments = attachments;
        Ok(())
    }

    /// The attachment list, for the decoder to fill while reassembling.
    pub(super) fn attachments_mut(&mut self) -> &mut Vec<Bytes> {
        &mut self.attachments
    }
}

/// The accessors an [`Event`] and an [`Ack`] share: both are a [`Payload`] with an id.
macro_rules! payload_access {
    ($args:literal, $kind:literal) => {
        /// The payload: the array, the arguments and the attachments.
        pub fn payload(&self) -> &Payload {
            &self.payload
        }

        /// Takes the payload.
        pub fn into_payload(self) -> Payload {
            self.payload
        }

        #[doc = concat!("The ", $args, ", as raw JSON.")]
        pub fn args(&self) -> Args<'_> {
            self.payload.args()
        }

        /// The whole array, verbatim (placeholders included when binary).
        pub fn json(&self) -> &Json {
            self.payload.json()
        }

        #[doc = concat!("The binary attachments (empty for a plain ", $kind, ").")]
        pub fn attachments(&self) -> &[Bytes] {
            self.payload.attachments()
        }

        /// Takes the attachments.
        pub fn into_attachments(self) -> Vec<Bytes> {
            self.payload.into_attachments()
        }

        #[doc = concat!("`true` when sent as BINARY_", $kind, ".")]
        pub fn is_binary(&self) -> bool {
            self.payload.is_binary()
        }
    };
}

/// An EVENT (or BINARY_EVENT): its optional ack id, its name and its [`Payload`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    id: Option<u64>,
    /// Byte range of the name's string literal inside the payload's JSON.
    name: (usize, usize),
    payload: Payload,
}

impl Event {
    /// Builds an event from a name and raw JSON arguments.
    /// Fails for a [reserved](RESERVED_EVENTS) name.
    pub fn new(name: &str, args: &[&RawValue]) -> Result<Self, Error> {
        let mut head = Vec::with_capacity(name.len() + 2);
        write_json_str(&mut head, name);
        Self::from_json(&array_text(Some(&head), args)?)
    }

    /// Validates the JSON array of an event (`["name", …args]`).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let raw: &RawValue = serde_json::from_str(json).map_err(json_err)?;
        Self::from_raw(raw, None)
    }

    /// Validates a decoded event array.
    pub(super) fn from_raw(raw: &RawValue, id: Option<u64>) -> Result<Self, Error> {
        let b = raw.get().as_bytes();
        if b.first() != Some(&b'[') {
            return Err(Error::InvalidPayload("EVENT payload must be an array"));
        }
        let start = skip_ws(b, 1);
        match b.get(start) {
            Some(b'"') => {}
            Some(b']') => return Err(Error::InvalidPayload("EVENT payload must not be empty")),
            _ => return Err(Error::InvalidPayload("event name must be a string")),
        }
        let end = string_end(b, start);
        let name = unescape(&raw.get()[start..end]);
        if RESERVED_EVENTS.contains(&name.as_ref()) {
            return Err(Error::ReservedEvent(name.into_owned()));
        }
        let after = skip_ws(b, end);
        let from = if b.get(after) == Some(&b',') {
            after + 1
        } else {
            after
        };
        Ok(Event {
            id,
            name: (start, end),
            payload: Payload::new(raw, from, 1),
        })
    }

    /// Sets or clears the ack id.
    pub fn with_id(mut self, id: Option<u64>) -> Self {
        self.id = id;
        self
    }

    /// Attaches binaries; every placeholder in the JSON must refer to one.
    pub fn with_attachments(mut self, attachments: Vec<Bytes>) -> Result<Self, Error> {
        self.payload.set_attachments(attachments)?;
        Ok(self)
    }

    /// The ack id the sender asked to be acknowledged with.
    pub fn id(&self) -> Option<u64> {
        self.id
    }

    /// The event name (unescaped; borrowed unless it contained escapes).
    pub fn name(&self) -> Cow<'_, str> {
        unescape(self.name_json())
    }

    /// The event name as its JSON string literal, quotes included.
    pub fn name_json(&self) -> &str {
        &self.payload.json.as_str()[self.name.0..self.name.1]
    }

    payload_access!("arguments after the name", "EVENT");

    /// The connection-state-recovery offset as the official client sees it:
    /// the last argument when it is a string and the event has no ack id.
    pub fn csr_offset(&self) -> Option<Cow<'_, str>> {
        if self.id.is_some() {
            return None;
        }
        let last = self.args().to_vec().pop()?;
        // `last` borrows from our own JSON text, not from the vector
        last.get().starts_with('"').then(|| unescape(last.get()))
    }
}

/// An ACK (or BINARY_ACK): its ack id and its [`Payload`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    id: u64,
    payload: Payload,
}

impl Ack {
    /// Builds an ack from raw JSON arguments.
    pub fn new(id: u64, args: &[&RawValue]) -> Result<Self, Error> {
        Self::from_json(id, &array_text(None, args)?)
    }

    /// Validates the JSON array of an ack.
    pub fn from_json(id: u64, json: &str) -> Result<Self, Error> {
        let raw: &RawValue = serde_json::from_str(json).map_err(json_err)?;
        Self::from_raw(raw, id)
    }

    /// Validates a decoded ack array.
    pub(super) fn from_raw(raw: &RawValue, id: u64) -> Result<Self, Error> {
        if !raw.get().starts_with('[') {
            return Err(Error::InvalidPayload("ACK payload must be an array"));
        }
        Ok(Ack {
            id,
            payload: Payload::new(raw, 1, 0),
        })
    }

    /// Attaches binaries; every placeholder in the JSON must refer to one.
    pub fn with_attachments(mut self, attachments: Vec<Bytes>) -> Result<Self, Error> {
        self.payload.set_attachments(attachments)?;
        Ok(self)
    }

    /// The ack id.
    pub fn id(&self) -> u64 {
        self.id
    }

    payload_access!("acknowledgement arguments", "ACK");
}
/// What a Socket.IO packet carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacketData {
    /// CONNECT: client auth object, or the server's `{"sid":…}` reply.
    /// When built by hand the JSON must be an object (see [`Packet::connect`]).
    Connect(Option<Json>),
    /// DISCONNECT.
    Disconnect,
    /// EVENT / BINARY_EVENT.
    Event(Event),
    /// ACK / BINARY_ACK.
    Ack(Ack),
    /// CONNECT_ERROR: `{"message":…[,"data":…]}` (a string from old servers).
    ConnectError(Json),
}

/// A complete Socket.IO packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The namespace.
    pub ns: Namespace,
    /// The packet content.
    pub data: PacketData,
}

impl Packet {
    /// CONNECT with optional auth; the auth must be a JSON object.
    pub fn connect(ns: Namespace, auth: Option<Json>) -> Result<Self, Error> {
        if let Some(a) = &auth {
            if a.first_byte() != b'{' {
                return Err(Error::InvalidPayload("CONNECT payload must be an object"));
            }
        }
        Ok(Packet {
            ns,
            data: PacketData::Connect(auth),
        })
    }

    /// The server's CONNECT reply `{"sid":…}` or `{"sid":…,"pid":…}`.
    pub fn connect_ok(ns: Namespace, sid: &str, pid: Option<&str>) -> Self {
        let mut buf = Vec::with_capacity(16 + sid.len() + pid.map_or(0, |p| p.len() + 8));
        write_connect_ok(&mut buf, sid, pid);
        Packet {
            ns,
            data: PacketData::Connect(Some(Json::trusted(buf))),
        }
    }

    /// DISCONNECT.
    pub fn disconnect(ns: Namespace) -> Self {
        Packet {
            ns,
            data: PacketData::Disconnect,
        }
    }

    /// EVENT (BINARY_EVENT when it has attachments).
    pub fn event(ns: Namespace, event: Event) -> Self {
        Packet {
            ns,
            data: PacketData::Event(event),
        }
    }

    /// ACK (BINARY_ACK when it has attachments).
    pub fn ack(ns: Namespace, ack: Ack) -> Self {
        Packet {
            ns,
            data: PacketData::Ack(ack),
        }
    }

    /// CONNECT_ERROR `{"message":…}` plus optional `"data"`.
    pub fn connect_error(ns: Namespace, message: &str, data: Option<&RawValue>) -> Self {
        let mut buf = Vec::with_capacity(16 + message.len());
        write_connect_error(&mut buf, message, data);
        Packet {
            ns,
            data: PacketData::ConnectError(Json::trusted(buf)),
        }
    }

    /// The wire packet type (binary types when there are attachments).
    pub fn packet_type(&self) -> PacketType {
        match &self.data {
            PacketData::Connect(_) => PacketType::Connect,
            PacketData::Disconnect => PacketType::Disconnect,
            PacketData::Event(e) if e.is_binary() => PacketType::BinaryEvent,
            PacketData::Event(_) => PacketType::Event,
            PacketData::Ack(a) if a.is_binary() => PacketType::BinaryAck,
            PacketData::Ack(_) => PacketType::Ack,
            PacketData::ConnectError(_) => PacketType::ConnectError,
        }
    }

    /// The binary attachments (empty unless BINARY_EVENT / BINARY_ACK).
    pub fn attachments(&self) -> &[Bytes] {
        match &self.data {
            PacketData::Event(e) => e.attachments(),
            PacketData::Ack(a) => a.attachments(),
            _ => &[],
        }
    }

    /// The attachment list of an EVENT or ACK, for the decoder to fill.
    pub(super) fn attachments_mut(&mut self) -> Option<&mut Vec<Bytes>> {
        match &mut self.data {
            PacketData::Event(e) => Some(e.payload.attachments_mut()),
            PacketData::Ack(a) => Some(a.payload.attachments_mut()),
            _ => None,
        }
    }
}

/// The parsed server reply to CONNECT (client side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectOk {
    /// The public socket id.
    pub sid: String,
    /// The private session id for connection state recovery, if enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
}

/// The parsed CONNECT_ERROR object (client side).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectErrorData {
    /// The error message.
    pub message: String,
    /// Optional extra data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Box<RawValue>>,
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn event_names_and_args() {
        let e = Event::from_json(r#"["a\"b\u00e9",1, "x" ,{"k":[1,2]}]"#).unwrap();
        assert_eq!(e.name(), "a\"bé");
        assert_eq!(e.name_json(), r#""a\"b\u00e9""#);
        assert_eq!(e.args().as_str(), r#"1, "x" ,{"k":[1,2]}"#);
        assert_eq!(e.args().len(), 3);
        let e = Event::from_json(r#"[ "only" ]"#).unwrap();
        assert_eq!(e.name(), "only");
        assert!(e.args().is_empty());
        assert_eq!(e.args().len(), 0);
        assert!(matches!(e.name(), Cow::Borrowed(_)));
        let a = Ack::from_json(1, "[ ]").unwrap();
        assert!(a.args().is_empty());
        let a = Ack::from_json(1, r#"[ {"b":1,"a":0} , 2 ]"#).unwrap();
        assert_eq!(a.args().as_str(), r#"{"b":1,"a":0} , 2"#);
    }

    #[test]
    fn event_and_ack_share_one_payload() {
        let e = Event::from_json(r#"["e", 1,{"_placeholder":true,"num":0} ]"#)
            .unwrap()
            .with_attachments(vec![Bytes::from_static(b"x")])
            .unwrap();
        let a = Ack::from_json(9, r#"[1,{"_placeholder":true,"num":0}]"#)
            .unwrap()
            .with_attachments(vec![Bytes::from_static(b"x")])
            .unwrap();
        // the same arguments and attachments, read through the one payload type
        assert_eq!(
            e.payload().args().as_str(),
            r#"1,{"_placeholder":true,"num":0}"#
        );
        assert_eq!(e.payload().args().to_vec().len(), 2);
        assert_eq!(
            a.payload()
                .args()
                .to_vec()
                .iter()
                .map(|r| r.get())
                .collect::<Vec<_>>(),
            e.args()
                .to_vec()
                .iter()
                .map(|r| r.get())
                .collect::<Vec<_>>()
        );
        assert!(e.payload().is_binary() && a.payload().is_binary());
        assert_eq!(e.payload().attachments(), a.payload().attachments());
        assert_eq!(e.payload().json().as_str(), e.json().as_str());
        assert_eq!(
            a.clone().into_payload().into_attachments(),
            a.into_attachments()
        );
        // the event name is not an argument
        assert_eq!(e.into_payload().args().get(0).unwrap().get(), "1");
    }

    #[test]
    fn csr_offset() {
        let e = decode(r#"2["foo",{"a":1},"1700-0"]"#).unwrap();
        let PacketData::Event(e) = e.data else {
            panic!()
        };
        assert_eq!(e.csr_offset().as_deref(), Some("1700-0"));
        let e = decode(r#"2["foo",{"a":1}]"#).unwrap();
        let PacketData::Event(e) = e.data else {
            panic!()
        };
        assert_eq!(e.csr_offset(), None);
        let e = decode(r#"2["foo"]"#).unwrap();
        let PacketData::Event(e) = e.data else {
            panic!()
        };
        assert_eq!(e.csr_offset(), None);
        let e = decode(r#"2["foo","a\nb"]"#).unwrap();
        let PacketData::Event(e) = e.data else {
            panic!()
        };
        assert_eq!(e.csr_offset().as_deref(), Some("a\nb"));
        let e = decode(r#"25["foo","off"]"#).unwrap();
        let PacketData::Event(e) = e.data else {
            panic!()
        };
        assert_eq!(e.csr_offset(), None);
    }

    #[test]
    fn namespaces() {
        assert_eq!(Namespace::new("/").unwrap(), Namespace::ROOT);
        assert!(Namespace::new("/a").is_ok());
        assert_eq!(
            Namespace::new("admin"),
            Err(Error::InvalidNamespace("admin".into()))
        );
        assert_eq!(Namespace::new(""), Err(Error::InvalidNamespace("".into())));
        assert_eq!(
            Namespace::new("/a,b"),
            Err(Error::InvalidNamespace("/a,b".into()))
        );
        assert_eq!(
            Namespace::new(String::from("/x")).unwrap().to_string(),
            "/x"
        );
        assert!(Namespace::default().is_root());
    }

    #[test]
    fn packet_constructors() {
        assert!(Packet::connect(Namespace::ROOT, Some(Json::parse("[]").unwrap())).is_err());
        let p =
            Packet::connect(Namespace::ROOT, Some(Json::parse(r#" {"a":1} "#).unwrap())).unwrap();
        assert_eq!(enc(&p), r#"40{"a":1}"#);
        assert!(Event::new("connect", &[]).is_err());
        let e = Event::new("ev", &[&raw("1"), &raw(r#"{"_placeholder":true,"num":0}"#)]).unwrap();
        assert!(!e.clone().with_attachments(vec![]).unwrap().is_binary());
        assert!(e
            .clone()
            .with_attachments(vec![Bytes::new()])
            .unwrap()
            .is_binary());
        let p = Packet::event(
            ns("/n"),
            e.with_id(Some(3))
                .with_attachments(vec![Bytes::new()])
                .unwrap(),
        );
        assert_eq!(enc(&p), r#"451-/n,3["ev",1,{"_placeholder":true,"num":0}]"#);
        let a = Ack::new(4, &[&raw("[1]"), &raw("null")]).unwrap();
        assert_eq!(enc(&Packet::ack(Namespace::ROOT, a)), "434[[1],null]");
        assert_eq!(
            enc(&Packet::ack(Namespace::ROOT, Ack::new(0, &[]).unwrap())),
            "430[]"
        );
        assert!(Ack::new(1, &[&raw(r#"{"_placeholder":true,"num":2}"#)])
            .unwrap()
            .with_attachments(vec![Bytes::new()])
            .is_err());
        assert_eq!(
            Json::from_serialize(&serde_json::json!({"b":1}))
                .unwrap()
                .as_str(),
            r#"{"b":1}"#
        );
    }
}
