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

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::eio::Frame;
use super::{write_json_str, write_u64};

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

    const fn has_ack_id(self) -> bool {
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

    fn from_decoded(name: &str) -> Self {
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
fn validate_placeholders(json: &str, count: usize) -> Result<(), Error> {
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

/// An EVENT (or BINARY_EVENT): validated JSON array text, its optional ack id
/// and its binary attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    id: Option<u64>,
    json: Json,
    name: (usize, usize),
    list: (usize, usize),
    attachments: Vec<Bytes>,
}

impl Event {
    /// Builds an event from a name and raw JSON arguments.
    /// Fails for a [reserved](RESERVED_EVENTS) name.
    pub fn new(name: &str, args: &[&RawValue]) -> Result<Self, Error> {
        let mut buf = Vec::with_capacity(
            name.len() + 4 + args.iter().map(|a| a.get().len() + 1).sum::<usize>(),
        );
        buf.push(b'[');
        write_json_str(&mut buf, name);
        for a in args {
            buf.push(b',');
            buf.extend_from_slice(a.get().as_bytes());
        }
        buf.push(b']');
        let text = String::from_utf8(buf).map_err(|_| Error::InvalidPayload("not UTF-8"))?;
        Self::from_json(&text)
    }

    /// Validates the JSON array of an event (`["name", …args]`).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let raw: &RawValue = serde_json::from_str(json).map_err(json_err)?;
        Self::from_raw(raw, None)
    }

    fn from_raw(raw: &RawValue, id: Option<u64>) -> Result<Self, Error> {
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
            json: Json(raw.to_owned()),
            name: (start, end),
            list: list_range(b, from),
            attachments: Vec::new(),
        })
    }

    /// Sets or clears the ack id.
    pub fn with_id(mut self, id: Option<u64>) -> Self {
        self.id = id;
        self
    }

    /// Attaches binaries; every placeholder in the JSON must refer to one.
    pub fn with_attachments(mut self, attachments: Vec<Bytes>) -> Result<Self, Error> {
        if !attachments.is_empty() {
            validate_placeholders(self.json.as_str(), attachments.len())?;
        }
        self.attachments = attachments;
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
        &self.json.as_str()[self.name.0..self.name.1]
    }

    /// The arguments after the name, as raw JSON.
    pub fn args(&self) -> Args<'_> {
        Args {
            array: self.json.as_str(),
            list: &self.json.as_str()[self.list.0..self.list.1],
            skip: 1,
        }
    }

    /// The whole array, verbatim (placeholders included for a binary event).
    pub fn json(&self) -> &Json {
        &self.json
    }

    /// The binary attachments (empty for a plain EVENT).
    pub fn attachments(&self) -> &[Bytes] {
        &self.attachments
    }

    /// Takes the attachments.
    pub fn into_attachments(self) -> Vec<Bytes> {
        self.attachments
    }

    /// `true` when sent as BINARY_EVENT.
    pub fn is_binary(&self) -> bool {
        !self.attachments.is_empty()
    }

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

/// An ACK (or BINARY_ACK): ack id, validated JSON array text and attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    id: u64,
    json: Json,
    list: (usize, usize),
    attachments: Vec<Bytes>,
}

impl Ack {
    /// Builds an ack from raw JSON arguments.
    pub fn new(id: u64, args: &[&RawValue]) -> Result<Self, Error> {
        let mut buf = Vec::with_capacity(2 + args.iter().map(|a| a.get().len() + 1).sum::<usize>());
        buf.push(b'[');
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(a.get().as_bytes());
        }
        buf.push(b']');
        let text = String::from_utf8(buf).map_err(|_| Error::InvalidPayload("not UTF-8"))?;
        Self::from_json(id, &text)
    }

    /// Validates the JSON array of an ack.
    pub fn from_json(id: u64, json: &str) -> Result<Self, Error> {
        let raw: &RawValue = serde_json::from_str(json).map_err(json_err)?;
        Self::from_raw(raw, id)
    }

    fn from_raw(raw: &RawValue, id: u64) -> Result<Self, Error> {
        let b = raw.get().as_bytes();
        if b.first() != Some(&b'[') {
            return Err(Error::InvalidPayload("ACK payload must be an array"));
        }
        Ok(Ack {
            id,
            json: Json(raw.to_owned()),
            list: list_range(b, 1),
            attachments: Vec::new(),
        })
    }

    /// Attaches binaries; every placeholder in the JSON must refer to one.
    pub fn with_attachments(mut self, attachments: Vec<Bytes>) -> Result<Self, Error> {
        if !attachments.is_empty() {
            validate_placeholders(self.json.as_str(), attachments.len())?;
        }
        self.attachments = attachments;
        Ok(self)
    }

    /// The ack id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The acknowledgement arguments, as raw JSON.
    pub fn args(&self) -> Args<'_> {
        Args {
            array: self.json.as_str(),
            list: &self.json.as_str()[self.list.0..self.list.1],
            skip: 0,
        }
    }

    /// The whole array, verbatim.
    pub fn json(&self) -> &Json {
        &self.json
    }

    /// The binary attachments (empty for a plain ACK).
    pub fn attachments(&self) -> &[Bytes] {
        &self.attachments
    }

    /// Takes the attachments.
    pub fn into_attachments(self) -> Vec<Bytes> {
        self.attachments
    }

    /// `true` when sent as BINARY_ACK.
    pub fn is_binary(&self) -> bool {
        !self.attachments.is_empty()
    }
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

    fn attachments_mut(&mut self) -> Option<&mut Vec<Bytes>> {
        match &mut self.data {
            PacketData::Event(e) => Some(&mut e.attachments),
            PacketData::Ack(a) => Some(&mut a.attachments),
            _ => None,
        }
    }

    /// Writes the Socket.IO text (without the Engine.IO `4` prefix).
    pub fn write_sio(&self, out: &mut Vec<u8>) {
        let ty = self.packet_type();
        let (id, json) = match &self.data {
            PacketData::Connect(j) => (None, j.as_ref()),
            PacketData::Disconnect => (None, None),
            PacketData::Event(e) => (e.id, Some(&e.json)),
            PacketData::Ack(a) => (Some(a.id), Some(&a.json)),
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
            PacketData::Event(e) => e.json.as_str().len(),
            PacketData::Ack(a) => a.json.as_str().len(),
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
const HEADER_MAX: usize = 1 + 20 + 1 + 1 + 20;

fn write_header(
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

fn write_connect_ok(out: &mut Vec<u8>, sid: &str, pid: Option<&str>) {
    out.extend_from_slice(b"{\"sid\":");
    write_json_str(out, sid);
    if let Some(pid) = pid {
        out.extend_from_slice(b",\"pid\":");
        write_json_str(out, pid);
    }
    out.push(b'}');
}

fn write_connect_error(out: &mut Vec<u8>, message: &str, data: Option<&RawValue>) {
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
/// The event name is not checked against [`RESERVED_EVENTS`]; binaries added
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
    use super::*;
    use proptest::prelude::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_string()).unwrap()
    }

    fn ns(s: &'static str) -> Namespace {
        Namespace::new(s).unwrap()
    }

    /// Decodes a full Engine.IO text frame (`4…`).
    fn dec(frame: &str) -> Result<Packet, Error> {
        let text = frame.strip_prefix('4').expect("engine.io message");
        decode(text)
    }

    fn enc(p: &Packet) -> String {
        String::from_utf8(p.encode().text.to_vec()).unwrap()
    }

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
