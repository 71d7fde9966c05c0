//! Engine configuration.

use std::time::Duration;

/// What to do with a socket whose outgoing queue is over its bound when a
/// packet is sent to it. A packet is never dropped silently: either the
/// socket is marked *behind* (the application catches it up later, e.g. from
/// its durable log) or its connection is closed so that the client
/// reconnects and resumes. Both are counted in [`crate::engine::server::Stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverflowPolicy {
    /// Close the connection (reason [`CloseReason::SendQueueFull`]); the
    /// client reconnects and resumes from its last offset.
    ///
    /// [`CloseReason::SendQueueFull`]: crate::engine::server::CloseReason::SendQueueFull
    #[default]
    Disconnect,
    /// Keep the connection, mark the socket *behind* and tell the handler
    /// (`Handler::behind`). While behind, broadcasts skip the socket (and
    /// count it); direct emits still queue when there is room, so the
    /// application can replay what was missed and then call
    /// `Socket::set_caught_up`.
    MarkBehind,
}

/// Transports a server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transports {
    /// HTTP long-polling.
    pub polling: bool,
    /// WebSocket.
    pub websocket: bool,
}

impl Default for Transports {
    fn default() -> Self {
        Transports {
            polling: true,
            websocket: true,
        }
    }
}

/// Engine.IO / Socket.IO server settings. Defaults are those of the official
/// Node server (socket.io 4.x / engine.io 6.x) where one exists.
#[derive(Debug, Clone)]
pub struct Config {
    /// Interval between server pings (`pingInterval`, default 25 s). The first
    /// ping is sent one interval after the session opens.
    pub ping_interval: Duration,
    /// Time the client has to answer a ping (`pingTimeout`, default 20 s).
    pub ping_timeout: Duration,
    /// Largest polling body and WebSocket message accepted, in bytes
    /// (`maxPayload`, default 1,000,000).
    pub max_payload: usize,
    /// Time allowed for a polling → WebSocket upgrade (default 10 s).
    pub upgrade_timeout: Duration,
    /// Time a client has to connect to a namespace after the Engine.IO
    /// handshake before the connection is closed (Socket.IO only; default 45 s).
    pub connect_timeout: Duration,
    /// Enabled transports (default both).
    pub transports: Transports,
    /// Bound of a session's outgoing queue in frames (default 4096).
    pub max_queue_frames: usize,
    /// Bound of a session's outgoing queue in bytes (default 4 MiB).
    pub max_queue_bytes: usize,
    /// Frames beyond the queue bound that replies and heartbeats (pongs, pings,
    /// CONNECT_ERROR, DISCONNECT) may use (default 64). A client that fills this reserve
    /// too does not read what it asks for: its connection is closed.
    pub control_reserve_frames: usize,
    /// Bytes beyond the queue bound for replies and heartbeats (default 64 KiB).
    pub control_reserve_bytes: usize,
    /// Sessions per client IP that have not connected to a namespace yet (default 10,000;
    /// further handshakes get HTTP 429).
    pub max_handshakes_per_ip: usize,
    /// Rooms a socket may be in (default 100); further joins are refused.
    pub max_rooms_per_socket: usize,
    /// What happens to a socket whose queue is over the bound.
    pub overflow: OverflowPolicy,
    /// Resolution of the shared timer wheel. `None` derives it from the
    /// heartbeat settings (a tenth of the shorter one, 5 ms to 1 s).
    pub timer_tick: Option<Duration>,
    /// Sockets each thread of a direct-write broadcast ([`crate::engine::Write::Now`])
    /// writes at least (default 2,048): a broadcast to `n` sockets is written from
    /// `min(cores, n / this)` threads (a thread costs tens of microseconds to start, 2,048
    /// writes about ten milliseconds).
    pub fan_out_per_thread: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ping_interval: Duration::from_millis(25_000),
            ping_timeout: Duration::from_millis(20_000),
            max_payload: super::eio::DEFAULT_MAX_PAYLOAD,
            upgrade_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(45),
            transports: Transports::default(),
            max_queue_frames: 4096,
            max_queue_bytes: 4 << 20,
            control_reserve_frames: 64,
            control_reserve_bytes: 64 << 10,
            max_handshakes_per_ip: 10_000,
            max_rooms_per_socket: 100,
            overflow: OverflowPolicy::default(),
            timer_tick: None,
            fan_out_per_thread: 2048,
        }
    }
}

impl Config {
    /// The timer wheel resolution in effect.
    pub fn effective_tick(&self) -> Duration {
        self.timer_tick.unwrap_or_else(|| {
            (self.ping_interval.min(self.ping_timeout) / 10)
                .clamp(Duration::from_millis(5), Duration::from_secs(1))
        })
    }
}
