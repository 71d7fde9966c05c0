//! The Socket.IO v5 server layer: namespaces, sockets, rooms, acks, fan-out.
//!
//! The application implements [`Handler`]; [`SocketIo`] runs it on top of an
//! Engine.IO server. Namespaces are fixed when the server is built; a CONNECT
//! to any other one gets `CONNECT_ERROR {"message":"Invalid namespace"}`.
//!
//! # Ordering guarantees
//! - The packets of one connection are handled strictly in order, one at a
//!   time, on the thread that read them.
//! - [`Handler::connect`] (the connect middleware) runs before anything is
//!   sent; [`Handler::connected`] runs after the socket is registered (it can
//!   join rooms and emit) and **before** the CONNECT reply leaves: whatever is
//!   sent to the connection meanwhile is queued right after the reply, and no
//!   event of the client can be handled before `connected` returns.
//!
//! # Rooms and fan-out
//! Rooms are a shared index per namespace (room → sockets), not per-socket
//! state. A broadcast takes an already encoded packet ([`Encoded`], e.g. from
//! [`EventBuilder`]) and queues the same `Bytes` to every member. A member
//! whose queue is over its bound is never skipped silently: see
//! [`OverflowPolicy`] and [`Delivery`].

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use serde_json::value::RawValue;
use tokio::sync::oneshot;

use super::config::{Config, OverflowPolicy};
use super::eio::Frame;
use super::query::Transport;
use super::server::{
    lock, CloseReason, EioHandler, EioServer, HandshakeRequest, Message, Rejection, SendError,
    Session, Sid, Stats,
};
use super::sio::{self, Encoded, EventBuilder, Namespace, PacketData};

/// The application side of a Socket.IO server.
///
/// Callbacks run on the connection's own thread of work and must not block
/// (spawn a task for anything slow; [`AckSender`] and [`Socket`] can be moved
/// into it).
pub trait Handler: Send + Sync + Sized + 'static {
    /// What is kept from the Engine.IO handshake (e.g. a device id taken from a
    /// header or the query). Keep it small: it lives as long as the connection.
    type Handshake: Send + Sync + 'static;
    /// Per-socket application data, decided by [`Handler::connect`].
    type Data: Send + Sync + 'static;

    /// Engine.IO handshake: keep what is needed, or refuse (HTTP 403).
    fn handshake(&self, req: &HandshakeRequest<'_>) -> Result<Self::Handshake, Rejection>;

    /// Connect middleware: accept the namespace CONNECT with socket data, or
    /// refuse it with a CONNECT_ERROR. Nothing has been sent yet.
    fn connect(&self, req: &ConnectRequest<'_, Self>) -> Result<Self::Data, ConnectError>;

    /// Should the socket start behind ([`Socket::mark_behind`]): skipped by
    /// broadcasts until [`Socket::set_caught_up`]? Asked before the socket is
    /// registered, so no broadcast reaches it in between (a socket that resumes
    /// from an offset is caught up from a log first). Default: no.
    fn connect_behind(&self, _data: &Self::Data) -> bool {
        false
    }

    /// The socket is registered: join rooms, emit. Runs before the CONNECT
    /// reply is sent; frames sent now follow the reply.
    fn connected(&self, _socket: &Socket<Self>) {}

    /// The private session id (`pid`) to put in the CONNECT reply
    /// (`40{"sid":…,"pid":…}`), for connection state recovery: the official
    /// client then sends it back with its last offset when it reconnects.
    /// `None` (the default) sends `{"sid":…}` only.
    fn connect_pid(&self, _socket: &Socket<Self>) -> Option<String> {
        None
    }

    /// An EVENT or BINARY_EVENT. `ack` is set when the client asked for an
    /// acknowledgement.
    fn event(&self, socket: &Socket<Self>, event: sio::Event, ack: Option<AckSender<Self>>);

    /// The socket left (called once per socket).
    fn disconnected(&self, _socket: &Socket<Self>, _reason: DisconnectReason) {}

    /// The socket's queue overflowed under [`OverflowPolicy::MarkBehind`]; it
    /// is now skipped by broadcasts until [`Socket::set_caught_up`].
    fn behind(&self, _socket: &Socket<Self>) {}
}

/// A namespace CONNECT as seen by [`Handler::connect`].
pub struct ConnectRequest<'a, H: Handler> {
    /// The namespace.
    pub namespace: &'a Namespace,
    /// The CONNECT payload (`auth` of the client), if any.
    pub auth: Option<&'a sio::Json>,
    /// What [`Handler::handshake`] kept.
    pub handshake: &'a H::Handshake,
    /// The Engine.IO session id.
    pub sid: Sid,
    /// The transport at the time of the CONNECT.
    pub transport: Transport,
}

/// A refused CONNECT: `44{"message":…,"data":…}`.
#[derive(Debug, Clone)]
pub struct ConnectError {
    /// The message (the client's `connect_error` has it as `err.message`).
    pub message: String,
    /// Optional extra data (`err.data`).
    pub data: Option<Box<RawValue>>,
}

impl ConnectError {
    /// An error with a message only.
    pub fn new(message: impl Into<String>) -> Self {
        ConnectError {
            message: message.into(),
            data: None,
        }
    }
}

/// A refused [`Socket::try_join`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// The socket is in as many rooms as it may be.
    #[error("already in {max} rooms, the most a connection may join")]
    TooManyRooms {
        /// The limit ([`Config::max_rooms_per_socket`]).
        max: usize,
    },
    /// The socket has left the namespace.
    #[error("the socket is not connected")]
    NotConnected,
}

/// Why a socket left its namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisconnectReason {
    /// The client sent DISCONNECT for the namespace.
    ClientNamespaceDisconnect,
    /// The server called [`Socket::disconnect`].
    ServerNamespaceDisconnect,
    /// The connection closed.
    Transport(CloseReason),
}

impl DisconnectReason {
    /// The reason string (as the official server reports it).
    pub fn as_str(&self) -> &'static str {
        match self {
            DisconnectReason::ClientNamespaceDisconnect => "client namespace disconnect",
            DisconnectReason::ServerNamespaceDisconnect => "server namespace disconnect",
            DisconnectReason::Transport(r) => r.as_str(),
        }
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of a broadcast. `delivered + behind + disconnected + closed`
/// is the number of sockets addressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Queued to the socket.
    pub delivered: usize,
    /// Not queued: the socket is (now) behind and must be caught up.
    pub behind: usize,
    /// Not queued: the socket's queue overflowed and its connection was closed.
    pub disconnected: usize,
    /// Not queued: the connection was already closing.
    pub closed: usize,
}

/// Threads for a direct-write fan-out to `n` sockets with `cores` cores: at most one per
/// core (and 8), each writing at least `per_thread` sockets.
fn fan_out_threads(n: usize, per_thread: usize, cores: usize) -> usize {
    (n / per_thread.max(1)).clamp(1, cores.clamp(1, 8))
}

/// Delivers `frames` to `members`; returns the delivery counts and the sockets whose queue
/// overflowed (their policy runs later, outside the index lock).
fn deliver_all<'a, H: Handler>(
    members: impl Iterator<Item = &'a Socket<H>>,
    frames: &[Frame],
    write: Write,
) -> (Delivery, Vec<Socket<H>>) {
    let mut d = Delivery::default();
    let mut overflowed = Vec::new();
    for s in members {
        if s.deliver(frames, &mut d, write).is_err() {
            overflowed.push(s.clone());
        }
    }
    (d, overflowed)
}

/// How a broadcast reaches the WebSockets that have nothing in flight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Write {
    /// Written from the broadcasting thread, one non-blocking write per socket (no task
    /// wake); what a socket does not take is queued for its task. The lowest latency.
    #[default]
    Now,
    /// Queued for each connection's task, which writes whatever piled up with one vectored
    /// write: fewer system calls when broadcasts come back to back.
    Queued,
}

// ---------------------------------------------------------------------------

const CONNECTED: u8 = 1;
const BEHIND: u8 = 2;

struct Acks {
    next_id: u64,
    pending: Vec<(u64, oneshot::Sender<sio::Ack>)>,
}

struct SocketInner<H: Handler> {
    key: u64,
    id: Sid,
    nsp: Arc<Nsp<H>>,
    session: Arc<Session<SioLayer<H>>>,
    flags: AtomicU8,
    acks: Mutex<Acks>,
    data: H::Data,
}

/// A socket: one client connected to one namespace. Cheap to clone.
pub struct Socket<H: Handler>(Arc<SocketInner<H>>);

impl<H: Handler> Clone for Socket<H> {
    fn clone(&self) -> Self {
        Socket(self.0.clone())
    }
}

impl<H: Handler> fmt::Debug for Socket<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("id", &self.0.id)
            .field("ns", &self.0.nsp.name)
            .field("sid", &self.0.session.sid())
            .finish()
    }
}

impl<H: Handler> Socket<H> {
    /// The public socket id (the `sid` of the CONNECT reply).
    pub fn id(&self) -> &str {
        self.0.id.as_str()
    }

    /// The namespace.
    pub fn ns(&self) -> &Namespace {
        &self.0.nsp.name
    }

    /// The Engine.IO session id of the connection.
    pub fn sid(&self) -> Sid {
        self.0.session.sid()
    }

    /// The data returned by [`Handler::connect`].
    pub fn data(&self) -> &H::Data {
        &self.0.data
    }

    /// What [`Handler::handshake`] kept.
    pub fn handshake(&self) -> &H::Handshake {
        self.0.session.meta()
    }

    /// The connection's current transport.
    pub fn transport(&self) -> Transport {
        self.0.session.transport()
    }

    /// `true` until the socket leaves the namespace or the connection closes.
    pub fn is_connected(&self) -> bool {
        self.0.flags.load(Ordering::Acquire) & CONNECTED != 0
    }

    /// `true` while the socket is behind ([`OverflowPolicy::MarkBehind`]).
    pub fn is_behind(&self) -> bool {
        self.0.flags.load(Ordering::Acquire) & BEHIND != 0
    }

    /// Marks the socket behind: broadcasts skip it until [`Socket::set_caught_up`]. The
    /// application uses this to replay missed packets in order before live ones reach it.
    pub fn mark_behind(&self) {
        let prev = self.0.flags.fetch_or(BEHIND, Ordering::AcqRel);
        if prev & BEHIND == 0 && prev & CONNECTED != 0 {
            self.stats().behind.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Clears the behind mark once the application has caught the socket up:
    /// broadcasts reach it again.
    pub fn set_caught_up(&self) {
        let prev = self.0.flags.fetch_and(!BEHIND, Ordering::AcqRel);
        if prev & BEHIND != 0 {
            self.stats().behind.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Frames waiting in the connection's outgoing queue.
    pub fn queued_frames(&self) -> usize {
        self.0.session.queued_frames()
    }

    /// The send-queue bound in frames ([`Config::max_queue_frames`]).
    pub fn queue_bound(&self) -> usize {
        self.0.session.shared.config.max_queue_frames
    }

    fn stats(&self) -> &Stats {
        &self.0.session.shared.stats
    }

    fn layer(&self) -> &SioLayer<H> {
        &self.0.session.shared.handler
    }

    /// Sends an event built for this socket's namespace (the builder's
    /// namespace is replaced). On [`SendError::Full`] the overflow policy is
    /// applied (the socket is marked behind or disconnected).
    pub fn emit(&self, event: EventBuilder) -> Result<(), SendError> {
        self.send(&event.ns(self.ns().clone()).build())
    }

    /// Sends an already encoded packet (it must carry this socket's namespace).
    pub fn send(&self, packet: &Encoded) -> Result<(), SendError> {
        let frames: Vec<Frame> = packet.frames().collect();
        self.send_frames(&frames)
    }

    fn send_frames(&self, frames: &[Frame]) -> Result<(), SendError> {
        let r = self.0.session.send(frames);
        if r == Err(SendError::Full) {
            self.overflowed();
        }
        r
    }

    /// Sends an event with an ack id; the future resolves with the client's ack.
    pub fn emit_with_ack(&self, event: EventBuilder) -> Result<AckFuture, SendError> {
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut acks = lock(&self.0.acks);
            let id = acks.next_id;
            acks.next_id += 1;
            acks.pending.push((id, tx));
            id
        };
        let packet = event.ns(self.ns().clone()).ack_id(id).build();
        if let Err(e) = self.send(&packet) {
            lock(&self.0.acks).pending.retain(|(i, _)| *i != id);
            return Err(e);
        }
        Ok(AckFuture(rx))
    }

    fn resolve_ack(&self, ack: sio::Ack) {
        let tx = {
            let mut acks = lock(&self.0.acks);
            let pos = acks.pending.iter().position(|(i, _)| *i == ack.id());
            pos.map(|p| acks.pending.swap_remove(p).1)
        };
        match tx {
            Some(tx) => {
                let _ = tx.send(ack);
            }
            None => tracing::debug!(socket = %self.0.id, id = ack.id(), "ack for unknown id"),
        }
    }

    /// Joins a room of this namespace. A join over [`Config::max_rooms_per_socket`] is
    /// refused (logged and counted); use [`Socket::try_join`] to know.
    pub fn join(&self, room: &str) {
        if let Err(e) = self.try_join(room) {
            tracing::debug!(socket = %self.0.id, room, error = %e, "join refused");
        }
    }

    /// Joins a room of this namespace, in O(log n) of the socket's rooms; joining a room
    /// the socket is already in is a no-op. Refused when the socket is in
    /// [`Config::max_rooms_per_socket`] rooms already, or has left the namespace.
    pub fn try_join(&self, room: &str) -> Result<(), JoinError> {
        if !self.is_connected() {
            return Err(JoinError::NotConnected);
        }
        let max = self.layer().max_rooms_per_socket;
        let mut guard = self.0.nsp.write();
        let idx = &mut *guard;
        // not in the index: it left the namespace after the check above
        let Some(joined) = idx.sockets.get_mut(&self.0.key) else {
            return Err(JoinError::NotConnected);
        };
        let Err(pos) = joined.rooms.binary_search_by(|r| (**r).cmp(room)) else {
            return Ok(());
        };
        if joined.rooms.len() >= max {
            drop(guard);
            self.stats()
                .rooms_refused_total
                .fetch_add(1, Ordering::Relaxed);
            return Err(JoinError::TooManyRooms { max });
        }
        let key = match idx.rooms.get_key_value(room) {
            Some((k, _)) => k.clone(),
            None => Arc::from(room),
        };
        let mut rooms = std::mem::take(&mut joined.rooms).into_vec();
        rooms.reserve_exact(1);
        rooms.insert(pos, key.clone());
        joined.rooms = rooms.into_boxed_slice();
        idx.rooms
            .entry(key)
            .or_insert_with(|| Members::Small(Vec::new()))
            .insert(self.clone());
        Ok(())
    }

    /// Leaves a room (O(log n) of the socket's rooms).
    pub fn leave(&self, room: &str) {
        let mut guard = self.0.nsp.write();
        let idx = &mut *guard;
        let Some(joined) = idx.sockets.get_mut(&self.0.key) else {
            return;
        };
        let Ok(pos) = joined.rooms.binary_search_by(|r| (**r).cmp(room)) else {
            return;
        };
        let mut rooms = std::mem::take(&mut joined.rooms).into_vec();
        rooms.remove(pos);
        joined.rooms = rooms.into_boxed_slice();
        if let Some(members) = idx.rooms.get_mut(room) {
            members.remove(self.0.key);
            if members.is_empty() {
                idx.rooms.remove(room);
            }
        }
    }

    /// Number of rooms this socket is in.
    pub fn room_count(&self) -> usize {
        self.0
            .nsp
            .read()
            .sockets
            .get(&self.0.key)
            .map_or(0, |j| j.rooms.len())
    }

    /// The rooms this socket is in.
    pub fn rooms(&self) -> Vec<String> {
        let idx = self.0.nsp.read();
        idx.sockets
            .get(&self.0.key)
            .map(|j| j.rooms.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default()
    }

    /// Disconnects the socket from its namespace (sends DISCONNECT; the
    /// client does not reconnect by itself). The connection stays open.
    pub fn disconnect(&self) {
        if !self.is_connected() {
            return;
        }
        let _ = self
            .0
            .session
            .send_control(&[Frame::Text(sio::encode_disconnect(self.ns()))]);
        self.remove(DisconnectReason::ServerNamespaceDisconnect);
    }

    /// Closes the whole connection (every namespace of it). The client sees
    /// a transport close and reconnects.
    pub fn close(&self) {
        self.0.session.close(CloseReason::ServerClose);
    }

    /// Leaves the namespace: index cleanup, pending acks dropped, handler told.
    fn remove(&self, reason: DisconnectReason) {
        let prev = self
            .0
            .flags
            .fetch_and(!(CONNECTED | BEHIND), Ordering::AcqRel);
        if prev & CONNECTED == 0 {
            return;
        }
        if prev & BEHIND != 0 {
            self.stats().behind.fetch_sub(1, Ordering::Relaxed);
        }
        {
            let mut idx = self.0.nsp.write();
            if let Some(joined) = idx.sockets.remove(&self.0.key) {
                for r in joined.rooms {
                    if let Some(members) = idx.rooms.get_mut(&r) {
                        members.remove(self.0.key);
                        if members.is_empty() {
                            idx.rooms.remove(&r);
                        }
                    }
                }
            }
        }
        lock(&self.0.acks).pending = Vec::new();
        tracing::debug!(socket = %self.0.id, ns = %self.ns(), %reason, "socket disconnected");
        self.layer().handler.disconnected(self, reason);
    }

    /// Applies the overflow policy after a refused send.
    fn overflowed(&self) {
        let stats = self.stats();
        match self.0.session.shared.config.overflow {
            OverflowPolicy::Disconnect => {
                if !self.0.session.is_closed() {
                    stats
                        .overflow_disconnects_total
                        .fetch_add(1, Ordering::Relaxed);
                    tracing::info!(socket = %self.0.id, "send queue full: closing the connection");
                    self.0.session.close(CloseReason::SendQueueFull);
                }
            }
            OverflowPolicy::MarkBehind => {
                let prev = self.0.flags.fetch_or(BEHIND, Ordering::AcqRel);
                if prev & BEHIND == 0 && prev & CONNECTED != 0 {
                    stats.behind.fetch_add(1, Ordering::Relaxed);
                    stats.behind_total.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(socket = %self.0.id, "send queue full: socket behind");
                    self.layer().handler.behind(self);
                }
            }
        }
    }

    /// Queues broadcast frames; `Err(())` when the queue is full.
    fn deliver(&self, frames: &[Frame], d: &mut Delivery, write: Write) -> Result<(), ()> {
        if self.is_behind() {
            self.stats()
                .behind_skipped_total
                .fetch_add(1, Ordering::Relaxed);
            d.behind += 1;
            return Ok(());
        }
        let sent = match write {
            Write::Now => self.0.session.send_direct(frames),
            Write::Queued => self.0.session.send(frames),
        };
        match sent {
            Ok(()) => d.delivered += 1,
            Err(SendError::Closed) => d.closed += 1,
            Err(SendError::Full) => return Err(()),
        }
        Ok(())
    }
}

/// The client's pending acknowledgement of an [`Socket::emit_with_ack`].
/// Resolves to `Err` when the socket disconnects first. Wrap it in
/// `tokio::time::timeout` to bound the wait.
#[derive(Debug)]
pub struct AckFuture(oneshot::Receiver<sio::Ack>);

/// The socket disconnected before acknowledging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("socket disconnected before the ack")]
pub struct AckError;

impl Future for AckFuture {
    type Output = Result<sio::Ack, AckError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.map_err(|_| AckError))
    }
}

/// Answers a client's event that asked for an acknowledgement.
pub struct AckSender<H: Handler> {
    socket: Socket<H>,
    id: u64,
}

impl<H: Handler> fmt::Debug for AckSender<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AckSender").field("id", &self.id).finish()
    }
}

impl<H: Handler> AckSender<H> {
    /// The ack id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// A builder for the ack packet (id and namespace set).
    pub fn builder(&self) -> sio::AckBuilder {
        sio::AckBuilder::new(self.id).ns(self.socket.ns().clone())
    }

    /// Sends the ack built with [`AckSender::builder`]. An ack is a reply: it may use the
    /// control reserve beyond the queue bound, and a client that fills that too (it asks
    /// and never reads) has its connection closed.
    pub fn send(self, ack: sio::AckBuilder) -> Result<(), SendError> {
        let frames: Vec<Frame> = ack.build().frames().collect();
        self.socket.0.session.send_control(&frames)
    }

    /// Acknowledges with raw JSON arguments.
    pub fn send_raw(self, args: &[&RawValue]) -> Result<(), SendError> {
        let mut b = self.builder();
        for a in args {
            b = b.arg_raw(a);
        }
        self.send(b)
    }
}

// ---------------------------------------------------------------------------

/// Rooms with more members than this use a map instead of a vector.
const SMALL_ROOM: usize = 16;

/// The members of a room: a vector for the common one-to-few case (a
/// device's own room), a map for large rooms. The map is boxed: every room's entry in the
/// index is then a vector's 24 bytes, not a map's 48 (each device has a room of its own).
enum Members<H: Handler> {
    Small(Vec<Socket<H>>),
    // the extra allocation is for the few large rooms; the many small ones get smaller
    #[allow(clippy::box_collection)]
    Large(Box<HashMap<u64, Socket<H>>>),
}

impl<H: Handler> Members<H> {
    fn insert(&mut self, socket: Socket<H>) {
        match self {
            Members::Small(v) if v.len() < SMALL_ROOM => {
                v.reserve_exact(1);
                v.push(socket);
            }
            Members::Small(v) => {
                let mut m: HashMap<u64, Socket<H>> = v.drain(..).map(|s| (s.0.key, s)).collect();
                m.insert(socket.0.key, socket);
                *self = Members::Large(Box::new(m));
            }
            Members::Large(m) => {
                m.insert(socket.0.key, socket);
            }
        }
    }

    fn remove(&mut self, key: u64) {
        match self {
            Members::Small(v) => {
                if let Some(i) = v.iter().position(|s| s.0.key == key) {
                    v.swap_remove(i);
                }
            }
            Members::Large(m) => {
                m.remove(&key);
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Members::Small(v) => v.len(),
            Members::Large(m) => m.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn iter(&self) -> Box<dyn Iterator<Item = &Socket<H>> + '_> {
        match self {
            Members::Small(v) => Box::new(v.iter()),
            Members::Large(m) => Box::new(m.values()),
        }
    }
}

struct Index<H: Handler> {
    /// Every socket of the namespace, with the rooms it is in.
    sockets: HashMap<u64, Joined<H>>,
    rooms: HashMap<Arc<str>, Members<H>>,
}

/// A socket in its namespace's index, and the rooms it is in (sorted): one table slot per
/// socket for both, 32 bytes, instead of one in a socket table (16) and one in a table of
/// each socket's rooms (32, with a vector's spare capacity field).
struct Joined<H: Handler> {
    socket: Socket<H>,
    rooms: Box<[Arc<str>]>,
}

struct Nsp<H: Handler> {
    name: Namespace,
    /// [`Config::fan_out_per_thread`].
    fan_out_per_thread: usize,
    index: RwLock<Index<H>>,
}

impl<H: Handler> Nsp<H> {
    fn read(&self) -> RwLockReadGuard<'_, Index<H>> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Index<H>> {
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// A namespace of a [`SocketIo`] server: broadcasts and lookups.
pub struct NamespaceRef<H: Handler> {
    nsp: Arc<Nsp<H>>,
}

impl<H: Handler> Clone for NamespaceRef<H> {
    fn clone(&self) -> Self {
        NamespaceRef {
            nsp: self.nsp.clone(),
        }
    }
}

impl<H: Handler> NamespaceRef<H> {
    /// The name.
    pub fn name(&self) -> &Namespace {
        &self.nsp.name
    }

    /// An event builder for this namespace.
    pub fn event(&self, name: &str) -> EventBuilder {
        EventBuilder::new(name).ns(self.nsp.name.clone())
    }

    /// Sends `packet` (encoded once, for this namespace) to every socket of
    /// `room`, written now where a socket takes it ([`Write::Now`]).
    pub fn broadcast(&self, room: &str, packet: &Encoded) -> Delivery {
        self.broadcast_with(Some(room), packet, Write::Now)
    }

    /// Sends `packet` to every socket of the namespace ([`Write::Now`]).
    pub fn broadcast_all(&self, packet: &Encoded) -> Delivery {
        self.broadcast_with(None, packet, Write::Now)
    }

    /// Sends `packet` to every socket of `room` (of the namespace for `None`), written as
    /// `write` says.
    pub fn broadcast_with(&self, room: Option<&str>, packet: &Encoded, write: Write) -> Delivery {
        let frames: Vec<Frame> = packet.frames().collect();
        let (mut d, overflowed) = {
            let idx = self.nsp.read();
            let members: Box<dyn Iterator<Item = &Socket<H>>> = match room {
                Some(r) => match idx.rooms.get(r) {
                    Some(m) => m.iter(),
                    None => Box::new(std::iter::empty()),
                },
                None => Box::new(idx.sockets.values().map(|j| &j.socket)),
            };
            let n = room.map_or(idx.sockets.len(), |r| {
                idx.rooms.get(r).map_or(0, Members::len)
            });
            let cores = std::thread::available_parallelism().map_or(1, usize::from);
            let threads = fan_out_threads(n, self.nsp.fan_out_per_thread, cores);
            if write == Write::Queued || threads == 1 {
                deliver_all(members, &frames, write)
            } else {
                // Direct writes cost a system call each (most of it the loopback or NIC
                // path): spread them over the cores.
                let members: Vec<&Socket<H>> = members.collect();
                let per = members.len().div_ceil(threads);
                std::thread::scope(|scope| {
                    let mut parts = members.chunks(per);
                    let first = parts.next().unwrap_or_default();
                    let helpers: Vec<_> = parts
                        .map(|part| {
                            let frames = &frames;
                            scope.spawn(move || deliver_all(part.iter().copied(), frames, write))
                        })
                        .collect();
                    let (mut d, mut overflowed) =
                        deliver_all(first.iter().copied(), &frames, write);
                    for h in helpers {
                        // a helper only delivers (no user code runs there): it does not panic
                        if let Ok((hd, ho)) = h.join() {
                            d.delivered += hd.delivered;
                            d.behind += hd.behind;
                            d.closed += hd.closed;
                            overflowed.extend(ho);
                        }
                    }
                    (d, overflowed)
                })
            }
        };
        // the policy runs outside the index lock (closing edits the index)
        for s in overflowed {
            s.overflowed();
            if s.is_behind() {
                d.behind += 1;
            } else {
                d.disconnected += 1;
            }
        }
        d
    }

    /// Number of connected sockets.
    pub fn len(&self) -> usize {
        self.nsp.read().sockets.len()
    }

    /// `true` when no socket is connected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of sockets in `room`.
    pub fn room_len(&self, room: &str) -> usize {
        self.nsp.read().rooms.get(room).map_or(0, Members::len)
    }

    /// The sockets of `room`.
    pub fn sockets_in(&self, room: &str) -> Vec<Socket<H>> {
        self.nsp
            .read()
            .rooms
            .get(room)
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The socket with this public id.
    pub fn socket(&self, id: &str) -> Option<Socket<H>> {
        self.nsp
            .read()
            .sockets
            .values()
            .map(|j| &j.socket)
            .find(|s| s.id() == id)
            .cloned()
    }

    /// Names of the rooms with at least one socket.
    pub fn rooms(&self) -> Vec<String> {
        self.nsp
            .read()
            .rooms
            .keys()
            .map(|k| k.to_string())
            .collect()
    }

    /// The names of the rooms that start with `prefix`, shared with the room index (no copy
    /// of the strings: a reference count each).
    pub fn rooms_with_prefix<C: FromIterator<Arc<str>>>(&self, prefix: &str) -> C {
        self.nsp
            .read()
            .rooms
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect()
    }
}

// ---------------------------------------------------------------------------

/// Socket.IO on top of Engine.IO: the [`EioHandler`] that decodes packets
/// and drives a [`Handler`].
pub struct SioLayer<H: Handler> {
    handler: H,
    namespaces: HashMap<String, Arc<Nsp<H>>>,
    next_key: AtomicU64,
    connect_timeout: Duration,
    /// `maxPayload`: also the bound of a binary packet being reassembled.
    max_packet_bytes: usize,
    max_rooms_per_socket: usize,
}

/// Per-connection Socket.IO state.
pub struct SioState<H: Handler> {
    decoder: sio::Decoder,
    sockets: Vec<Socket<H>>,
    ever_connected: bool,
}

impl<H: Handler> SioLayer<H> {
    fn on_connect(
        &self,
        session: &Arc<Session<Self>>,
        st: &mut SioState<H>,
        ns: Namespace,
        auth: Option<sio::Json>,
    ) -> Result<(), CloseReason> {
        let Some(nsp) = self.namespaces.get(ns.as_str()) else {
            let frame = Frame::Text(sio::encode_connect_error(&ns, "Invalid namespace", None));
            return session.send_control(&[frame]).or(Ok(()));
        };
        // a second CONNECT to the same namespace replaces the first socket
        if let Some(i) = st.sockets.iter().position(|s| *s.ns() == ns) {
            let old = st.sockets.swap_remove(i);
            old.remove(DisconnectReason::ClientNamespaceDisconnect);
        }
        let req = ConnectRequest {
            namespace: &ns,
            auth: auth.as_ref(),
            handshake: session.meta(),
            sid: session.sid(),
            transport: session.transport(),
        };
        let data = match self.handler.connect(&req) {
            Ok(d) => d,
            Err(e) => {
                tracing::debug!(sid = %session.sid(), %ns, message = %e.message, "connect refused");
                let frame = Frame::Text(sio::encode_connect_error(
                    &ns,
                    &e.message,
                    e.data.as_deref(),
                ));
                return session.send_control(&[frame]).or(Ok(()));
            }
        };
        let socket = Socket(Arc::new(SocketInner {
            key: self.next_key.fetch_add(1, Ordering::Relaxed),
            id: Sid::random(),
            nsp: nsp.clone(),
            session: session.clone(),
            flags: AtomicU8::new(CONNECTED),
            acks: Mutex::new(Acks {
                next_id: 0,
                pending: Vec::new(),
            }),
            data,
        }));
        // Decided before the socket is visible to broadcasts, so none reaches a socket that
        // is to be caught up from a log first.
        if self.handler.connect_behind(socket.data()) {
            socket.mark_behind();
        }
        session.hold();
        nsp.write().sockets.insert(
            socket.0.key,
            Joined {
                socket: socket.clone(),
                rooms: Box::default(),
            },
        );
        st.sockets.push(socket.clone());
        st.ever_connected = true;
        session.established();
        self.handler.connected(&socket);
        let pid = self.handler.connect_pid(&socket);
        session.release_hold(&[Frame::Text(sio::encode_connect_ok(
            &ns,
            socket.id(),
            pid.as_deref(),
        ))]);
        tracing::debug!(sid = %session.sid(), %ns, socket = %socket.id(), "socket connected");
        Ok(())
    }
}

impl<H: Handler> EioHandler for SioLayer<H> {
    type Meta = H::Handshake;
    type State = SioState<H>;
    const LIMITS_HANDSHAKES: bool = true;

    fn open(&self, req: &HandshakeRequest<'_>) -> Result<(Self::Meta, Self::State), Rejection> {
        let meta = self.handler.handshake(req)?;
        Ok((
            meta,
            SioState {
                decoder: sio::Decoder::with_limits(
                    sio::DEFAULT_MAX_ATTACHMENTS,
                    self.max_packet_bytes,
                ),
                sockets: Vec::new(),
                ever_connected: false,
            },
        ))
    }

    fn opened(&self, session: &Arc<Session<Self>>, _state: &mut Self::State) {
        session.set_upper_timeout(self.connect_timeout);
    }

    fn message(
        &self,
        session: &Arc<Session<Self>>,
        st: &mut Self::State,
        message: Message<'_>,
    ) -> Result<(), CloseReason> {
        let decoded = match message {
            Message::Text(t) => st.decoder.decode_text(t),
            Message::Binary(b) => st.decoder.decode_binary(b),
        };
        let packet = match decoded {
            Ok(Some(p)) => p,
            Ok(None) => return Ok(()),
            Err(err) => {
                tracing::debug!(sid = %session.sid(), %err, "invalid socket.io packet");
                return Err(CloseReason::ParseError);
            }
        };
        st.sockets.retain(Socket::is_connected);
        let ns = packet.ns;
        if let PacketData::Connect(auth) = packet.data {
            return self.on_connect(session, st, ns, auth);
        }
        let Some(i) = st.sockets.iter().position(|s| *s.ns() == ns) else {
            // as the official server: a packet for a namespace the client
            // is not connected to closes the connection
            tracing::debug!(sid = %session.sid(), %ns, "packet for a namespace not joined");
            return Err(CloseReason::ParseError);
        };
        match packet.data {
            PacketData::Event(ev) => {
                let socket = st.sockets[i].clone();
                let ack = ev.id().map(|id| AckSender {
                    socket: socket.clone(),
                    id,
                });
                self.handler.event(&socket, ev, ack);
            }
            PacketData::Ack(ack) => st.sockets[i].resolve_ack(ack),
            PacketData::Disconnect => {
                let socket = st.sockets.swap_remove(i);
                socket.remove(DisconnectReason::ClientNamespaceDisconnect);
            }
            PacketData::ConnectError(_) | PacketData::Connect(_) => {
                return Err(CloseReason::ParseError);
            }
        }
        Ok(())
    }

    fn timeout(
        &self,
        session: &Arc<Session<Self>>,
        st: &mut Self::State,
    ) -> Result<(), CloseReason> {
        if st.ever_connected {
            return Ok(());
        }
        tracing::debug!(sid = %session.sid(), "no namespace joined in time");
        Err(CloseReason::ConnectTimeout)
    }

    fn closed(&self, _session: &Arc<Session<Self>>, st: Self::State, reason: CloseReason) {
        for s in st.sockets {
            s.remove(DisconnectReason::Transport(reason));
        }
    }
}

/// A Socket.IO server. Cheap to clone.
pub struct SocketIo<H: Handler> {
    eio: EioServer<SioLayer<H>>,
}

impl<H: Handler> Clone for SocketIo<H> {
    fn clone(&self) -> Self {
        SocketIo {
            eio: self.eio.clone(),
        }
    }
}

impl<H: Handler> fmt::Debug for SocketIo<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketIo")
            .field("sessions", &self.eio.len())
            .finish()
    }
}

/// An invalid namespace name given to [`SocketIo::new`].
pub use super::sio::Error as NamespaceError;

impl<H: Handler> SocketIo<H> {
    /// A server with these namespaces (e.g. `["/"]`). Must be called inside a
    /// Tokio runtime (see [`EioServer::new`]).
    pub fn new<I, S>(config: Config, namespaces: I, handler: H) -> Result<Self, NamespaceError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut map = HashMap::new();
        for n in namespaces {
            let name = Namespace::new(n.into())?;
            map.insert(
                name.as_str().to_owned(),
                Arc::new(Nsp {
                    name,
                    fan_out_per_thread: config.fan_out_per_thread.max(1),
                    index: RwLock::new(Index {
                        sockets: HashMap::new(),
                        rooms: HashMap::new(),
                    }),
                }),
            );
        }
        let layer = SioLayer {
            handler,
            namespaces: map,
            next_key: AtomicU64::new(1),
            connect_timeout: config.connect_timeout,
            max_packet_bytes: config.max_payload,
            max_rooms_per_socket: config.max_rooms_per_socket,
        };
        Ok(SocketIo {
            eio: EioServer::new(config, layer),
        })
    }

    /// The underlying Engine.IO server (HTTP entry point, stats, sessions).
    pub fn engine(&self) -> &EioServer<SioLayer<H>> {
        &self.eio
    }

    /// The application handler.
    pub fn handler(&self) -> &H {
        &self.eio.handler().handler
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        self.eio.stats()
    }

    /// A namespace, if it exists.
    pub fn of(&self, ns: &str) -> Option<NamespaceRef<H>> {
        self.eio
            .handler()
            .namespaces
            .get(ns)
            .map(|nsp| NamespaceRef { nsp: nsp.clone() })
    }

    /// Broadcasts `packet` to `room` of namespace `ns` (`None` when the
    /// namespace does not exist).
    pub fn broadcast(&self, ns: &str, room: &str, packet: &Encoded) -> Option<Delivery> {
        self.of(ns).map(|n| n.broadcast(room, packet))
    }

    /// Closes every connection (clients see a transport close and reconnect).
    pub fn close_all(&self, reason: CloseReason) {
        self.eio.close_all(reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_entry_is_a_vector_wide() {
        assert_eq!(std::mem::size_of::<Members<H>>(), 24);
        // a socket's slot in the index, with its rooms: a key, a pointer and a boxed slice
        assert_eq!(std::mem::size_of::<(u64, Joined<H>)>(), 32);
    }

    #[test]
    fn fan_out_threads_follow_cores_and_the_minimum_per_thread() {
        assert_eq!(fan_out_threads(0, 2048, 2), 1);
        assert_eq!(fan_out_threads(4095, 2048, 2), 1);
        assert_eq!(fan_out_threads(4096, 2048, 2), 2);
        assert_eq!(fan_out_threads(100_000, 2048, 2), 2);
        assert_eq!(fan_out_threads(100_000, 2048, 64), 8);
        assert_eq!(fan_out_threads(10, 0, 4), 4);
        assert_eq!(fan_out_threads(10, 1, 0), 1);
    }

    struct H;

    impl Handler for H {
        type Handshake = ();
        type Data = ();
        fn handshake(&self, _r: &HandshakeRequest<'_>) -> Result<(), Rejection> {
            Ok(())
        }
        fn connect(&self, _r: &ConnectRequest<'_, Self>) -> Result<(), ConnectError> {
            Ok(())
        }
        fn event(&self, _s: &Socket<Self>, _e: sio::Event, _a: Option<AckSender<Self>>) {}
    }

    #[test]
    fn per_socket_structures_stay_small() {
        assert!(std::mem::size_of::<SocketInner<H>>() <= 96);
        assert!(std::mem::size_of::<SioState<H>>() <= 48);
        assert!(std::mem::size_of::<Members<H>>() <= 48);
    }

    #[test]
    fn reasons_read_like_the_official_server() {
        assert_eq!(
            DisconnectReason::ClientNamespaceDisconnect.to_string(),
            "client namespace disconnect"
        );
        assert_eq!(
            DisconnectReason::Transport(CloseReason::PingTimeout).as_str(),
            "ping timeout"
        );
    }
}
