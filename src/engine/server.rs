//! The Engine.IO v4 server core: sessions, outgoing queues, heartbeats and
//! the upgrade state machine, independent of HTTP (see [`super::http`]) and
//! of the WebSocket connection task (module `conn`).
//!
//! A session is an `Arc<Session<H>>` registered in the server's session map
//! by its `sid`. It holds:
//! - a small state under a mutex: the transport, the outgoing queue of
//!   pre-encoded [`Frame`]s, the waker of whoever drains it (the WebSocket task or
//!   a pending polling `GET`) and the heartbeat flags;
//! - the upper layer's per-session state ([`EioHandler::State`]) under a
//!   second mutex, held while an incoming message is processed so that the
//!   messages of one session are handled strictly in order;
//! - the upper layer's immutable handshake data ([`EioHandler::Meta`]).
//!
//! Nothing here spawns a task per session: heartbeats and timeouts are
//! entries in one timer wheel per server (module `timer`).

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError, Weak};
use std::task::Waker;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::HeaderMap;

use super::config::Config;
use super::conn::write_direct;
use super::eio::{Frame, Handshake, Packet};
use super::query::{EioQuery, Transport};
use super::tcp::SharedTcp;
use super::timer::{TimerKind, Wheel};

/// Locks a mutex, ignoring poisoning (state stays consistent because no
/// code path panics while holding these locks).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An Engine.IO session id: 20 characters of URL-safe base64 (15 random bytes),
/// stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sid([u8; 20]);

impl Sid {
    /// A new random id.
    pub fn random() -> Self {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let bytes: [u8; 15] = rand::random();
        let mut out = [0u8; 20];
        for (i, chunk) in bytes.chunks_exact(3).enumerate() {
            let n = u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]);
            for j in 0..4 {
                out[i * 4 + j] = ALPHABET[((n >> (18 - 6 * j)) & 63) as usize];
            }
        }
        Sid(out)
    }

    /// Parses an id received from a client (exactly 20 id characters).
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let ok = b.len() == 20
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_');
        ok.then(|| {
            let mut out = [0u8; 20];
            out.copy_from_slice(b);
            Sid(out)
        })
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // only ASCII alphabet characters are ever stored
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Debug for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a session closed. [`CloseReason::as_str`] gives the reason strings of
/// the official server where one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// The client closed the connection or sent a close packet.
    TransportClose,
    /// An I/O error, an invalid WebSocket frame, overlapping polling requests,
    /// an oversize body or message.
    TransportError,
    /// The client did not answer a ping in time.
    PingTimeout,
    /// An invalid Engine.IO or Socket.IO packet.
    ParseError,
    /// The application closed the connection.
    ServerClose,
    /// The server is shutting down.
    ServerShutdown,
    /// The outgoing queue was over its bound ([`super::config::OverflowPolicy::Disconnect`]).
    SendQueueFull,
    /// No Socket.IO namespace was joined within the connect timeout.
    ConnectTimeout,
}

impl CloseReason {
    /// All reasons, in the order of [`CloseReason::index`].
    pub const ALL: [CloseReason; 8] = [
        CloseReason::TransportClose,
        CloseReason::TransportError,
        CloseReason::PingTimeout,
        CloseReason::ParseError,
        CloseReason::ServerClose,
        CloseReason::ServerShutdown,
        CloseReason::SendQueueFull,
        CloseReason::ConnectTimeout,
    ];

    /// The reason as a short label (the official server's wording where one exists).
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::TransportClose => "transport close",
            CloseReason::TransportError => "transport error",
            CloseReason::PingTimeout => "ping timeout",
            CloseReason::ParseError => "parse error",
            CloseReason::ServerClose => "forced close",
            CloseReason::ServerShutdown => "server shutting down",
            CloseReason::SendQueueFull => "send queue full",
            CloseReason::ConnectTimeout => "connect timeout",
        }
    }

    /// Position in [`CloseReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message received from a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// A text message (the Engine.IO `4` packet's payload).
    Text(&'a str),
    /// A binary message.
    Binary(Bytes),
}

/// What the upper layer sees of the handshake request. Only borrowed: keep
/// what you need in [`EioHandler::Meta`].
#[derive(Debug)]
pub struct HandshakeRequest<'a> {
    /// The validated query (`get("deviceId")`, …).
    pub query: &'a EioQuery<'a>,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// The transport the session opens with.
    pub transport: Transport,
    /// The peer address, when the server put a [`super::http::RemoteAddr`]
    /// into the request extensions.
    pub remote_addr: Option<std::net::SocketAddr>,
    /// The client's IP ([`super::guard::ClientIp`]: the peer, or the client a trusted
    /// gateway names), else the peer's.
    pub client_ip: Option<IpAddr>,
}

/// A refused handshake: answered with HTTP 403 and
/// `{"code":4,"message":…}` as the official server's `allowRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The message sent to the client.
    pub message: String,
    /// HTTP status (403, or 429 for a limit).
    pub(crate) status: u16,
}

impl Rejection {
    /// A rejection with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Rejection {
            message: message.into(),
            status: 403,
        }
    }

    /// A handshake refused by a limit (HTTP 429: the client retries later).
    pub fn limited(message: impl Into<String>) -> Self {
        Rejection {
            message: message.into(),
            status: 429,
        }
    }

    /// The HTTP status of the refusal.
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// The layer above Engine.IO (Socket.IO, or a bare echo in tests).
///
/// Callbacks run on the thread that received the data (the WebSocket task or
/// the polling request) and must not block; spawn for slow work.
pub trait EioHandler: Send + Sync + Sized + 'static {
    /// Immutable data kept from the handshake (readable without locks).
    type Meta: Send + Sync + 'static;
    /// Mutable per-session state, locked while a message is processed.
    type State: Send + 'static;

    /// Sessions count as unfinished handshakes of their client IP
    /// ([`super::Config::max_handshakes_per_ip`]) until [`Session::established`]. Off by
    /// default: a bare Engine.IO application has no later step to wait for.
    const LIMITS_HANDSHAKES: bool = false;

    /// Accepts or refuses a new session.
    fn open(&self, req: &HandshakeRequest<'_>) -> Result<(Self::Meta, Self::State), Rejection>;

    /// The session is registered and its open packet queued.
    fn opened(&self, _session: &Arc<Session<Self>>, _state: &mut Self::State) {}

    /// A message arrived. An `Err` closes the session with that reason.
    fn message(
        &self,
        session: &Arc<Session<Self>>,
        state: &mut Self::State,
        message: Message<'_>,
    ) -> Result<(), CloseReason>;

    /// A timeout requested with [`Session::set_upper_timeout`] elapsed.
    fn timeout(
        &self,
        _session: &Arc<Session<Self>>,
        _state: &mut Self::State,
    ) -> Result<(), CloseReason> {
        Ok(())
    }

    /// The session closed; called exactly once.
    fn closed(&self, session: &Arc<Session<Self>>, state: Self::State, reason: CloseReason);
}

/// Counters of one server (all monotonic except the gauges noted).
#[derive(Debug, Default)]
pub struct Stats {
    /// Open sessions (gauge).
    pub sessions: AtomicUsize,
    /// Sessions whose transport is WebSocket (gauge).
    pub websocket_sessions: AtomicUsize,
    /// Sessions opened.
    pub opened_total: AtomicU64,
    /// Successful polling → WebSocket upgrades.
    pub upgrades_total: AtomicU64,
    /// Closes by reason, indexed by [`CloseReason::index`].
    pub closed_total: [AtomicU64; 8],
    /// Frames queued for sending, or written directly (every attachment counts).
    pub frames_sent_total: AtomicU64,
    /// Sends written straight to an idle WebSocket by [`Session::send_direct`].
    pub direct_writes_total: AtomicU64,
    /// Direct writes the socket did not take whole (`EAGAIN`, or part of a frame): queued for
    /// the connection's task instead.
    pub direct_deferred_total: AtomicU64,
    /// Sends refused because a queue was over its bound.
    pub queue_full_total: AtomicU64,
    /// Sockets marked behind ([`super::config::OverflowPolicy::MarkBehind`]).
    pub behind_total: AtomicU64,
    /// Broadcast deliveries skipped because the socket was behind.
    pub behind_skipped_total: AtomicU64,
    /// Connections closed because their queue was full.
    pub overflow_disconnects_total: AtomicU64,
    /// Sockets currently behind (gauge).
    pub behind: AtomicUsize,
    /// Connections closed because replies to the client (pongs, CONNECT_ERRORs, WebSocket
    /// control frames) overflowed the send queue and its control reserve: the client sends
    /// but does not read.
    pub control_overflow_total: AtomicU64,
    /// Heartbeat answers (`3`) ignored because no ping of ours had reached the client.
    pub unsolicited_pongs_total: AtomicU64,
    /// Polling requests answered 400 because the session's pong deadline had passed.
    pub expired_on_access_total: AtomicU64,
    /// Handshakes refused with 429: their client IP had `max_handshakes_per_ip` sessions
    /// that had not connected to a namespace yet.
    pub handshakes_refused_total: AtomicU64,
    /// Room joins refused: the socket was in `max_rooms_per_socket` rooms already.
    pub rooms_refused_total: AtomicU64,
}

impl Stats {
    /// Closes with `reason` so far.
    pub fn closed(&self, reason: CloseReason) -> u64 {
        self.closed_total[reason.index()].load(Ordering::Relaxed)
    }
}

/// An open session in the server's table, found by its id without a copy of the id: a slot
/// of the table is the pointer's 8 bytes, not 32 for the id and the pointer (the table has
/// a slot per connection, and 1.1–2.3 slots per entry as it grows by doubling).
pub(crate) struct BySid<H: EioHandler>(Arc<Session<H>>);

impl<H: EioHandler> Borrow<Sid> for BySid<H> {
    fn borrow(&self) -> &Sid {
        &self.0.sid
    }
}

impl<H: EioHandler> Hash for BySid<H> {
    fn hash<S: Hasher>(&self, state: &mut S) {
        // as the id's own hash: `Borrow<Sid>` requires it
        self.0.sid.hash(state);
    }
}

impl<H: EioHandler> PartialEq for BySid<H> {
    fn eq(&self, other: &Self) -> bool {
        self.0.sid == other.0.sid
    }
}

impl<H: EioHandler> Eq for BySid<H> {}

/// Shared part of a server.
pub(crate) struct Shared<H: EioHandler> {
    pub(crate) config: Config,
    pub(crate) handler: H,
    pub(crate) sessions: Mutex<HashSet<BySid<H>>>,
    pub(crate) wheel: Wheel<Session<H>>,
    pub(crate) stats: Arc<Stats>,
    /// Sessions not established yet ([`Session::established`]), per client IP.
    handshakes: Mutex<HashMap<IpAddr, usize>>,
    /// The pre-encoded parts of the open packet (everything but the sid).
    open_tail: [String; 2],
}

/// An Engine.IO server: the session registry and the heartbeat ticker.
/// Cheap to clone. Serve it with [`EioServer::handle`] (see [`super::http`]).
pub struct EioServer<H: EioHandler> {
    pub(crate) shared: Arc<Shared<H>>,
}

impl<H: EioHandler> Clone for EioServer<H> {
    fn clone(&self) -> Self {
        EioServer {
            shared: self.shared.clone(),
        }
    }
}

impl<H: EioHandler> EioServer<H> {
    /// A server with `config` and `handler`. Must be called inside a Tokio
    /// runtime: it spawns the one heartbeat ticker task of this server, which
    /// ends when the last handle and session are gone.
    pub fn new(config: Config, handler: H) -> Self {
        let tick = config.effective_tick();
        let tail = |t: Transport| {
            let f = Handshake::new(
                "",
                t,
                config.ping_interval.as_millis() as u64,
                config.ping_timeout.as_millis() as u64,
                config.max_payload as u64,
            )
            .to_frame();
            // `0{"sid":""` + the rest: keep the rest
            let text = std::str::from_utf8(f.bytes()).unwrap_or_default();
            text.get(10..).unwrap_or_default().to_owned()
        };
        let mut polling_tail = tail(Transport::Polling);
        if !config.transports.websocket {
            polling_tail = polling_tail.replacen("[\"websocket\"]", "[]", 1);
        }
        let shared = Arc::new(Shared {
            open_tail: [polling_tail, tail(Transport::Websocket)],
            config,
            handler,
            sessions: Mutex::new(HashSet::new()),
            wheel: Wheel::new(tick),
            stats: Arc::new(Stats::default()),
            handshakes: Mutex::new(HashMap::new()),
        });
        tokio::spawn(ticker(Arc::downgrade(&shared)));
        EioServer { shared }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// The handler.
    pub fn handler(&self) -> &H {
        &self.shared.handler
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// The counters, shared (e.g. for a metrics endpoint that outlives this handle).
    pub fn stats_handle(&self) -> Arc<Stats> {
        self.shared.stats.clone()
    }

    /// The session with this id, if open.
    pub fn session(&self, sid: &str) -> Option<Arc<Session<H>>> {
        let sid = Sid::parse(sid)?;
        lock(&self.shared.sessions).get(&sid).map(|s| s.0.clone())
    }

    /// Number of open sessions.
    pub fn len(&self) -> usize {
        lock(&self.shared.sessions).len()
    }

    /// `true` when no session is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Closes every session with `reason` (e.g. [`CloseReason::ServerShutdown`]).
    /// Clients see a transport close and reconnect.
    pub fn close_all(&self, reason: CloseReason) {
        let all: Vec<_> = lock(&self.shared.sessions)
            .iter()
            .map(|s| s.0.clone())
            .collect();
        for s in all {
            s.close(reason);
        }
    }

    /// Opens a session (handshake). The open packet is the first queued frame.
    pub(crate) fn open_session(
        &self,
        req: &HandshakeRequest<'_>,
    ) -> Result<Arc<Session<H>>, Rejection> {
        let shared = &self.shared;
        let pending_ip = match req.client_ip.filter(|_| H::LIMITS_HANDSHAKES) {
            Some(ip) => {
                let max = shared.config.max_handshakes_per_ip;
                let mut m = lock(&shared.handshakes);
                let n = m.entry(ip).or_insert(0);
                if *n >= max {
                    drop(m);
                    shared
                        .stats
                        .handshakes_refused_total
                        .fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(%ip, "too many unfinished handshakes: 429");
                    return Err(Rejection::limited(format!(
                        "too many handshakes from {ip} not yet connected to a namespace (limit {max}): retry later"
                    )));
                }
                *n += 1;
                Some(ip)
            }
            None => None,
        };
        let (meta, state) = match shared.handler.open(req) {
            Ok(x) => x,
            Err(e) => {
                if let Some(ip) = pending_ip {
                    shared.handshake_done(ip);
                }
                return Err(e);
            }
        };
        let sid = Sid::random();
        let mut open = Vec::with_capacity(64 + shared.open_tail[0].len());
        open.extend_from_slice(b"0{\"sid\":\"");
        open.extend_from_slice(sid.as_str().as_bytes());
        open.push(b'"');
        let tail = match req.transport {
            Transport::Polling => &shared.open_tail[0],
            Transport::Websocket => &shared.open_tail[1],
        };
        open.extend_from_slice(tail.as_bytes());
        let mut queue = VecDeque::with_capacity(1);
        queue.push_back(Frame::Text(open.into()));
        let session = Arc::new(Session {
            sid,
            shared: shared.clone(),
            meta,
            state: Mutex::new(State {
                websocket: req.transport == Transport::Websocket,
                get_pending: false,
                post_pending: false,
                awaiting_pong: false,
                client_closed: false,
                closed: None,
                queue,
                queued_bytes: 0,
                waker: None,
                upgrade: None,
                hold: None,
                last_pong: Instant::now(),
                ping_queued: false,
                pending_ip,
                writer: None,
                ws_idle: false,
                head_pos: 0,
            }),
            upper: Mutex::new(Some(state)),
        });
        lock(&shared.sessions).insert(BySid(session.clone()));
        shared.stats.sessions.fetch_add(1, Ordering::Relaxed);
        shared.stats.opened_total.fetch_add(1, Ordering::Relaxed);
        if req.transport == Transport::Websocket {
            shared
                .stats
                .websocket_sessions
                .fetch_add(1, Ordering::Relaxed);
        }
        shared.wheel.schedule(
            Arc::downgrade(&session),
            TimerKind::Ping,
            shared.config.ping_interval,
        );
        tracing::debug!(sid = %sid, transport = %req.transport, "session opened");
        session.with_upper(|st| {
            shared.handler.opened(&session, st);
            Ok(())
        });
        Ok(session)
    }
}

impl<H: EioHandler> Shared<H> {
    /// One unfinished handshake of `ip` fewer.
    fn handshake_done(&self, ip: IpAddr) {
        let mut m = lock(&self.handshakes);
        if let Some(n) = m.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&ip);
            }
        }
    }
}

/// The heartbeat / timeout ticker: one task per server.
async fn ticker<H: EioHandler>(shared: Weak<Shared<H>>) {
    loop {
        let deadline = match shared.upgrade() {
            Some(s) => s.wheel.next_deadline(),
            None => return,
        };
        tokio::time::sleep_until(deadline.into()).await;
        let Some(s) = shared.upgrade() else { return };
        for (target, kind) in s.wheel.advance(Instant::now()) {
            if let Some(session) = target.upgrade() {
                session.on_timer(kind);
            }
        }
    }
}

/// Upgrade in progress: a WebSocket is attached to a polling session.
#[derive(Debug)]
pub(crate) struct Upgrade {
    /// Identifies the WebSocket task doing the upgrade.
    token: u64,
    /// `2probe` was received (pending and new GETs are answered with noop).
    probed: bool,
    started: Instant,
    /// The probing WebSocket task.
    waker: Option<Waker>,
}

static UPGRADE_TOKENS: AtomicU64 = AtomicU64::new(0);

pub(crate) struct State {
    websocket: bool,
    get_pending: bool,
    post_pending: bool,
    awaiting_pong: bool,
    /// The client sent a close packet (a pending GET gets a noop, not `1`).
    client_closed: bool,
    closed: Option<CloseReason>,
    queue: VecDeque<Frame>,
    /// Bytes in `queue` (u32: the bound is far below 4 GiB; saturating).
    queued_bytes: u32,
    /// Who drains the queue: the WebSocket task or the pending GET.
    waker: Option<Waker>,
    upgrade: Option<Box<Upgrade>>,
    /// Frames sent while a Socket.IO connect is being completed: they go out
    /// after the CONNECT reply.
    /// (Boxed: held only while a CONNECT is completed, so a small session the rest of the time.)
    hold: Option<Box<Held>>,
    last_pong: Instant,
    /// The ping we wait an answer for is still in our queue (not handed to the transport):
    /// a `3` cannot be its answer.
    ping_queued: bool,
    /// Counted as an unfinished handshake of this IP until established or closed.
    pending_ip: Option<IpAddr>,
    /// The active WebSocket's TCP stream, for [`Session::send_direct`] (plain TCP only).
    writer: Option<SharedTcp>,
    /// The WebSocket task has nothing in flight (no frame, no control bytes) and has not
    /// been handed the queue since: a direct write may go to `writer` while the queue is
    /// empty. Set and cleared under this lock, as are the direct writes themselves.
    ws_idle: bool,
    /// Bytes of `queue[0]` (WebSocket header included) that a direct write already sent:
    /// the socket took the frame in part, the task writes the rest.
    head_pos: u32,
}

impl State {
    /// The queue (and the held frames) were handed to the transport.
    fn taken(&mut self) {
        self.queued_bytes = 0;
        self.ping_queued = false;
    }

    /// Hands the queue to the WebSocket task, with the bytes of its first frame already sent.
    fn take_queue(&mut self) -> Taken {
        self.taken();
        Taken {
            frames: std::mem::take(&mut self.queue),
            head_pos: std::mem::take(&mut self.head_pos),
        }
    }
}

/// Frames sent while a Socket.IO connect is being completed.
#[derive(Default)]
struct Held {
    frames: Vec<Frame>,
    /// Bytes in `frames` (counted against the queue bound).
    bytes: u32,
}

/// Frames handed to the WebSocket task.
#[derive(Default)]
pub(crate) struct Taken {
    pub(crate) frames: VecDeque<Frame>,
    /// Bytes of `frames[0]` (header included) a direct write already sent.
    pub(crate) head_pos: u32,
}

/// Which bound a send is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// The queue bound (application data).
    Data,
    /// The queue bound plus the control reserve (replies and heartbeats).
    Control,
}

/// Why a send was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The session is closed.
    #[error("session closed")]
    Closed,
    /// The outgoing queue is over its bound.
    #[error("send queue full")]
    Full,
}

/// One Engine.IO session.
pub struct Session<H: EioHandler> {
    sid: Sid,
    pub(crate) shared: Arc<Shared<H>>,
    meta: H::Meta,
    state: Mutex<State>,
    upper: Mutex<Option<H::State>>,
}

impl<H: EioHandler> fmt::Debug for Session<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session").field("sid", &self.sid).finish()
    }
}

/// A byte count as `u32`, saturating.
fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn wake(w: Option<Waker>) {
    if let Some(w) = w {
        w.wake();
    }
}

/// Result of [`Session::poll_get`].
pub(crate) enum GetOutcome {
    /// Frames for the response body (a lone noop or close when there is nothing).
    Frames(Vec<Frame>),
    /// Nothing yet.
    Pending,
}

/// What the WebSocket task must do after syncing with the session.
pub(crate) enum WsSync {
    /// Keep going; frames to write (possibly none).
    Frames(Taken),
    /// The session closed: write these last frames (all of them after an
    /// application close; else only the rest of a frame a direct write sent in part),
    /// then a close frame, and stop.
    Closed(CloseReason, Taken),
    /// The upgrade this task was doing was cancelled (timeout, session closed).
    Detached,
}

impl<H: EioHandler> Session<H> {
    /// The session id.
    pub fn sid(&self) -> Sid {
        self.sid
    }

    /// What the handler kept from the handshake.
    pub fn meta(&self) -> &H::Meta {
        &self.meta
    }

    /// The current transport.
    pub fn transport(&self) -> Transport {
        if lock(&self.state).websocket {
            Transport::Websocket
        } else {
            Transport::Polling
        }
    }

    /// `true` once closed.
    pub fn is_closed(&self) -> bool {
        lock(&self.state).closed.is_some()
    }

    /// Frames waiting in the outgoing queue.
    pub fn queued_frames(&self) -> usize {
        lock(&self.state).queue.len()
    }

    /// Queues frames to send, in order and contiguously (a text packet and its
    /// binary attachments). Refused with [`SendError::Full`] when the queue
    /// would go over its bound; nothing is queued then.
    pub fn send(&self, frames: &[Frame]) -> Result<(), SendError> {
        self.push(frames, Bound::Data, false)
    }

    /// Like [`Session::send`], but when the WebSocket has nothing queued or in flight the
    /// frames are written to its socket right away, from the caller's thread: one system
    /// call and no task wake per delivery. What the socket does not take (`EAGAIN`, or a
    /// part of a frame) is queued for the connection's task, as with `send`. For fan-outs
    /// that want the lowest latency; a caller with a backlog should `send` and let the
    /// task coalesce.
    pub fn send_direct(&self, frames: &[Frame]) -> Result<(), SendError> {
        self.push(frames, Bound::Data, true)
    }

    /// Queues control replies (pongs, pings, CONNECT_ERROR, DISCONNECT). They may use
    /// [`Config::control_reserve_frames`] / [`Config::control_reserve_bytes`] beyond the
    /// queue bound, so that a socket that is merely behind still gets its heartbeat; a client
    /// that fills the reserve too does not read what it asks for, and its session is closed
    /// ([`CloseReason::SendQueueFull`]).
    pub(crate) fn send_control(self: &Arc<Self>, frames: &[Frame]) -> Result<(), SendError> {
        match self.push(frames, Bound::Control, false) {
            Err(SendError::Full) => {
                let stats = &self.shared.stats;
                stats.control_overflow_total.fetch_add(1, Ordering::Relaxed);
                tracing::info!(sid = %self.sid, "replies not read: send queue and control reserve full, closing");
                self.close(CloseReason::SendQueueFull);
                Err(SendError::Full)
            }
            r => r,
        }
    }

    fn push(&self, frames: &[Frame], bound: Bound, direct: bool) -> Result<(), SendError> {
        let cfg = &self.shared.config;
        let waker = {
            let mut st = lock(&self.state);
            if st.closed.is_some() {
                return Err(SendError::Closed);
            }
            let bytes: usize = frames.iter().map(|f| f.bytes().len()).sum();
            let (max_frames, max_bytes) = match bound {
                Bound::Data => (cfg.max_queue_frames, cfg.max_queue_bytes),
                Bound::Control => (
                    cfg.max_queue_frames + cfg.control_reserve_frames,
                    cfg.max_queue_bytes + cfg.control_reserve_bytes,
                ),
            };
            let (held, held_bytes) = st
                .hold
                .as_ref()
                .map_or((0, 0), |h| (h.frames.len(), h.bytes));
            if st.queue.len() + held + frames.len() > max_frames
                || st.queued_bytes as usize + held_bytes as usize + bytes > max_bytes
            {
                self.shared
                    .stats
                    .queue_full_total
                    .fetch_add(1, Ordering::Relaxed);
                return Err(SendError::Full);
            }
            if let Some(hold) = st.hold.as_mut() {
                hold.frames.extend_from_slice(frames);
                hold.bytes = hold.bytes.saturating_add(small(bytes));
                return Ok(());
            }
            let mut rest = frames;
            if direct && st.ws_idle && st.queue.is_empty() {
                if let Some(w) = &st.writer {
                    let (whole, part) = write_direct(w, frames);
                    let stats = &self.shared.stats;
                    if whole == frames.len() {
                        stats
                            .frames_sent_total
                            .fetch_add(frames.len() as u64, Ordering::Relaxed);
                        stats.direct_writes_total.fetch_add(1, Ordering::Relaxed);
                        return Ok(());
                    }
                    stats.direct_deferred_total.fetch_add(1, Ordering::Relaxed);
                    // the task writes the rest, and nobody else until it is idle again
                    st.ws_idle = false;
                    st.head_pos = part;
                    rest = &frames[whole..];
                }
            }
            let bytes: usize = rest.iter().map(|f| f.bytes().len()).sum();
            st.queue.extend(rest.iter().cloned());
            st.queued_bytes = st.queued_bytes.saturating_add(small(bytes));
            st.waker.take()
        };
        self.shared
            .stats
            .frames_sent_total
            .fetch_add(frames.len() as u64, Ordering::Relaxed);
        wake(waker);
        Ok(())
    }

    /// Starts holding outgoing frames (see [`Session::release_hold`]).
    pub(crate) fn hold(&self) {
        let mut st = lock(&self.state);
        if st.hold.is_none() {
            st.hold = Some(Box::default());
        }
    }

    /// Queues `first`, then everything sent while held, and stops holding.
    pub(crate) fn release_hold(&self, first: &[Frame]) {
        let (held, waker) = {
            let mut st = lock(&self.state);
            let held = st.hold.take().map(|h| h.frames).unwrap_or_default();
            if st.closed.is_some() {
                return;
            }
            for f in first.iter().chain(held.iter()) {
                st.queued_bytes = st.queued_bytes.saturating_add(small(f.bytes().len()));
                st.queue.push_back(f.clone());
            }
            (held.len() + first.len(), st.waker.take())
        };
        self.shared
            .stats
            .frames_sent_total
            .fetch_add(held as u64, Ordering::Relaxed);
        wake(waker);
    }

    /// The upper layer is established (e.g. a namespace was joined): the session no longer
    /// counts as an unfinished handshake of its client IP.
    pub fn established(&self) {
        let ip = lock(&self.state).pending_ip.take();
        if let Some(ip) = ip {
            self.shared.handshake_done(ip);
        }
    }

    /// Closes the session: clients see a transport close (a pending poll
    /// gets a close packet, a WebSocket a close frame). Idempotent.
    pub fn close(self: &Arc<Self>, reason: CloseReason) {
        let wakers = {
            let mut st = lock(&self.state);
            if st.closed.is_some() {
                return;
            }
            st.closed = Some(reason);
            // no direct write from now on; the task's own handle closes the socket
            st.writer = None;
            st.ws_idle = false;
            st.hold = None;
            if let Some(ip) = st.pending_ip.take() {
                self.shared.handshake_done(ip);
            }
            if st.websocket {
                self.shared
                    .stats
                    .websocket_sessions
                    .fetch_sub(1, Ordering::Relaxed);
            }
            (
                st.waker.take(),
                st.upgrade.as_mut().and_then(|u| u.waker.take()),
            )
        };
        lock(&self.shared.sessions).remove(&self.sid);
        let stats = &self.shared.stats;
        stats.sessions.fetch_sub(1, Ordering::Relaxed);
        stats.closed_total[reason.index()].fetch_add(1, Ordering::Relaxed);
        tracing::debug!(sid = %self.sid, %reason, "session closed");
        wake(wakers.0);
        wake(wakers.1);
        self.finish_close();
    }

    /// Runs the upper layer's close callback once the upper state is free.
    fn finish_close(self: &Arc<Self>) {
        let Some(reason) = lock(&self.state).closed else {
            return;
        };
        let taken = match self.upper.try_lock() {
            Ok(mut g) => g.take(),
            Err(TryLockError::Poisoned(p)) => p.into_inner().take(),
            // someone is processing a message: they finish the close
            Err(TryLockError::WouldBlock) => None,
        };
        if let Some(state) = taken {
            self.shared.handler.closed(self, state, reason);
        }
    }

    /// Runs `f` on the upper state (serialized per session); an `Err` closes.
    pub(crate) fn with_upper(
        self: &Arc<Self>,
        f: impl FnOnce(&mut H::State) -> Result<(), CloseReason>,
    ) {
        let res = {
            let mut g = lock(&self.upper);
            match g.as_mut() {
                Some(st) => f(st),
                None => Ok(()),
            }
        };
        if let Err(reason) = res {
            self.close(reason);
        }
        self.finish_close();
    }

    /// Requests [`EioHandler::timeout`] after `delay`.
    pub fn set_upper_timeout(self: &Arc<Self>, delay: Duration) {
        self.shared
            .wheel
            .schedule(Arc::downgrade(self), TimerKind::Upper, delay);
    }

    fn on_timer(self: &Arc<Self>, kind: TimerKind) {
        let cfg = &self.shared.config;
        match kind {
            TimerKind::Ping => {
                {
                    let mut st = lock(&self.state);
                    if st.closed.is_some() {
                        return;
                    }
                    st.awaiting_pong = true;
                    st.ping_queued = true;
                }
                if self.send_control(&[Frame::PING]).is_ok() {
                    self.shared.wheel.schedule(
                        Arc::downgrade(self),
                        TimerKind::PongCheck,
                        cfg.ping_timeout,
                    );
                }
            }
            TimerKind::PongCheck => {
                let next = {
                    let st = lock(&self.state);
                    if st.closed.is_some() {
                        return;
                    }
                    (!st.awaiting_pong).then_some(st.last_pong)
                };
                match next {
                    None => {
                        tracing::debug!(sid = %self.sid, "ping timeout");
                        self.close(CloseReason::PingTimeout);
                    }
                    Some(pong) => {
                        let delay =
                            (pong + cfg.ping_interval).saturating_duration_since(Instant::now());
                        self.shared
                            .wheel
                            .schedule(Arc::downgrade(self), TimerKind::Ping, delay);
                    }
                }
            }
            TimerKind::Upper => {
                let handler = &self.shared.handler;
                self.with_upper(|st| handler.timeout(self, st));
            }
            TimerKind::Upgrade => {
                let waker = {
                    let mut st = lock(&self.state);
                    let expired = st.upgrade.as_ref().is_some_and(|u| {
                        u.started.elapsed() + self.shared.wheel.tick() >= cfg.upgrade_timeout
                    });
                    if !expired {
                        return;
                    }
                    tracing::debug!(sid = %self.sid, "upgrade timeout");
                    let w = st.upgrade.take().and_then(|mut u| u.waker.take());
                    (w, st.waker.take())
                };
                wake(waker.0);
                wake(waker.1);
            }
        }
    }

    /// Handles one packet received on the session's active transport.
    pub(crate) fn on_packet(self: &Arc<Self>, packet: Packet<'_>) {
        match packet {
            Packet::Pong(_) => {
                let mut st = lock(&self.state);
                // Only the answer to a ping that reached the transport counts: pongs sent
                // blindly by a client that never reads do not keep its session alive.
                if st.awaiting_pong && !st.ping_queued {
                    st.awaiting_pong = false;
                    st.last_pong = Instant::now();
                } else {
                    drop(st);
                    self.shared
                        .stats
                        .unsolicited_pongs_total
                        .fetch_add(1, Ordering::Relaxed);
                }
            }
            Packet::Ping(data) => {
                // not used by v4 clients; answered like the probe for robustness, within the
                // control reserve (a client that pings and never reads is closed)
                let frame = if data.is_empty() {
                    Frame::PONG
                } else {
                    Packet::Pong(data).to_frame()
                };
                let _ = self.send_control(&[frame]);
            }
            Packet::Message(text) => {
                let handler = &self.shared.handler;
                self.with_upper(|st| handler.message(self, st, Message::Text(&text)));
            }
            Packet::Binary(data) => {
                let handler = &self.shared.handler;
                let data = Bytes::from(data.into_owned());
                self.with_upper(|st| handler.message(self, st, Message::Binary(data)));
            }
            Packet::Close => {
                lock(&self.state).client_closed = true;
                self.close(CloseReason::TransportClose);
            }
            Packet::Upgrade | Packet::Noop => {}
            Packet::Open(_) => self.close(CloseReason::ParseError),
        }
    }

    // ----- polling -------------------------------------------------------

    /// The client missed its heartbeat: no pong within `pingInterval + pingTimeout` of the
    /// last one (or of the open), whether or not the timer wheel has ticked yet.
    pub(crate) fn pong_deadline_passed(&self) -> bool {
        let cfg = &self.shared.config;
        let st = lock(&self.state);
        st.closed.is_none() && st.last_pong.elapsed() >= cfg.ping_interval + cfg.ping_timeout
    }

    /// Checks that a polling request may use this session.
    pub(crate) fn is_polling(&self) -> bool {
        let st = lock(&self.state);
        st.closed.is_none() && !st.websocket
    }

    /// Registers a GET; `false` when one is already pending (the caller
    /// closes the session).
    pub(crate) fn begin_get(&self) -> bool {
        let mut st = lock(&self.state);
        if st.get_pending {
            return false;
        }
        st.get_pending = true;
        true
    }

    /// Polls for the body of a pending GET.
    pub(crate) fn poll_get(&self, waker: &Waker) -> GetOutcome {
        let mut st = lock(&self.state);
        let done = |st: &mut State, frames: Vec<Frame>| {
            st.get_pending = false;
            st.waker = None;
            GetOutcome::Frames(frames)
        };
        if let Some(reason) = st.closed {
            if st.client_closed {
                return done(&mut st, vec![Frame::NOOP]);
            }
            let mut frames: Vec<Frame> = if reason == CloseReason::ServerClose {
                std::mem::take(&mut st.queue).into()
            } else {
                Vec::new()
            };
            frames.push(Frame::CLOSE);
            return done(&mut st, frames);
        }
        if st.websocket || st.upgrade.as_ref().is_some_and(|u| u.probed) {
            return done(&mut st, vec![Frame::NOOP]);
        }
        if !st.queue.is_empty() {
            let frames: Vec<Frame> = std::mem::take(&mut st.queue).into();
            st.taken();
            return done(&mut st, frames);
        }
        match &st.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => st.waker = Some(waker.clone()),
        }
        GetOutcome::Pending
    }

    /// A GET future was dropped before completing (the client went away).
    pub(crate) fn abandon_get(self: &Arc<Self>) {
        let closed = {
            let mut st = lock(&self.state);
            st.get_pending = false;
            st.waker = None;
            st.closed.is_some()
        };
        if !closed {
            self.close(CloseReason::TransportClose);
        }
    }

    /// Registers a POST; `false` when one is already pending.
    pub(crate) fn begin_post(&self) -> bool {
        let mut st = lock(&self.state);
        if st.post_pending {
            return false;
        }
        st.post_pending = true;
        true
    }

    /// The POST is done.
    pub(crate) fn end_post(&self) {
        lock(&self.state).post_pending = false;
    }

    // ----- WebSocket -----------------------------------------------------

    /// Syncs the active WebSocket task: registers its waker and hands over
    /// the queued frames when `take` is set.
    ///
    /// `idle`: the task has nothing in flight (implies `take`). Direct writes are allowed from
    /// then until the next sync that is not idle; a task must sync with `idle` unset before
    /// it writes anything of its own.
    pub(crate) fn ws_sync(&self, waker: &Waker, take: bool, idle: bool) -> WsSync {
        let mut st = lock(&self.state);
        st.ws_idle = false;
        if let Some(r) = st.closed {
            let mut rest = if take {
                st.take_queue()
            } else {
                Taken::default()
            };
            if r != CloseReason::ServerClose {
                // only the rest of a frame already begun
                rest.frames.truncate(usize::from(rest.head_pos > 0));
            }
            return WsSync::Closed(r, rest);
        }
        match &st.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => st.waker = Some(waker.clone()),
        }
        if take && !st.queue.is_empty() {
            return WsSync::Frames(st.take_queue());
        }
        st.ws_idle = idle && take;
        WsSync::Frames(Taken::default())
    }

    /// Gives the session the active WebSocket's stream for [`Session::send_direct`].
    pub(crate) fn attach_writer(&self, writer: SharedTcp) {
        let mut st = lock(&self.state);
        if st.closed.is_none() && st.websocket {
            st.writer = Some(writer);
        }
    }

    /// Attaches a WebSocket to upgrade this polling session; returns its token.
    pub(crate) fn begin_upgrade(self: &Arc<Self>) -> Option<std::num::NonZeroU64> {
        // tokens start at 1: never zero
        let token = std::num::NonZeroU64::MIN
            .saturating_add(UPGRADE_TOKENS.fetch_add(1, Ordering::Relaxed));
        {
            let mut st = lock(&self.state);
            if st.closed.is_some() || st.websocket || st.upgrade.is_some() {
                return None;
            }
            st.upgrade = Some(Box::new(Upgrade {
                token: token.get(),
                probed: false,
                started: Instant::now(),
                waker: None,
            }));
        }
        self.shared.wheel.schedule(
            Arc::downgrade(self),
            TimerKind::Upgrade,
            self.shared.config.upgrade_timeout,
        );
        Some(token)
    }

    /// Syncs the probing WebSocket task.
    pub(crate) fn upgrade_sync(&self, token: u64, waker: &Waker) -> WsSync {
        let mut st = lock(&self.state);
        if st.closed.is_some() {
            return WsSync::Detached;
        }
        match st.upgrade.as_mut() {
            Some(u) if u.token == token => {
                match &u.waker {
                    Some(w) if w.will_wake(waker) => {}
                    _ => u.waker = Some(waker.clone()),
                }
                WsSync::Frames(Taken::default())
            }
            _ => WsSync::Detached,
        }
    }

    /// `2probe` arrived: answer pending and future GETs with noop.
    pub(crate) fn upgrade_probed(&self, token: u64) -> bool {
        let waker = {
            let mut st = lock(&self.state);
            if st.closed.is_some() {
                return false;
            }
            match st.upgrade.as_mut() {
                Some(u) if u.token == token => u.probed = true,
                _ => return false,
            }
            st.waker.take()
        };
        wake(waker);
        true
    }

    /// `5` arrived: the WebSocket becomes the transport. Returns the queued
    /// frames to send on it.
    pub(crate) fn complete_upgrade(&self, token: u64, waker: &Waker) -> Option<VecDeque<Frame>> {
        let (frames, get_waker) = {
            let mut st = lock(&self.state);
            match st.upgrade.as_ref() {
                // as the official server, `5` completes the upgrade even
                // without a probe (a pending GET then gets its noop)
                Some(u) if u.token == token && st.closed.is_none() => {}
                _ => return None,
            }
            st.upgrade = None;
            st.websocket = true;
            st.taken();
            let frames = std::mem::take(&mut st.queue);
            let get_waker = st.waker.replace(waker.clone());
            (frames, get_waker)
        };
        let stats = &self.shared.stats;
        stats.websocket_sessions.fetch_add(1, Ordering::Relaxed);
        stats.upgrades_total.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(sid = %self.sid, "upgraded to websocket");
        // a GET still pending gets its noop
        wake(get_waker);
        Some(frames)
    }

    /// The probing WebSocket failed or closed: polling goes on.
    pub(crate) fn abort_upgrade(&self, token: u64) {
        let waker = {
            let mut st = lock(&self.state);
            if st.upgrade.as_ref().is_some_and(|u| u.token == token) {
                st.upgrade = None;
            }
            st.waker.take()
        };
        wake(waker);
    }
}

impl<H: EioHandler> Drop for Session<H> {
    fn drop(&mut self) {
        tracing::trace!(sid = %self.sid, "session dropped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sid_roundtrip() {
        let a = Sid::random();
        let b = Sid::random();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 20);
        assert_eq!(Sid::parse(a.as_str()), Some(a));
        assert_eq!(Sid::parse("short"), None);
        assert_eq!(Sid::parse("aaaaaaaaaaaaaaaaaaa/"), None);
    }

    #[test]
    fn reasons_indexed() {
        for (i, r) in CloseReason::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
            assert!(!r.as_str().is_empty());
        }
    }
}
