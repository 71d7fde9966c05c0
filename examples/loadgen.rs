//! A lean raw-protocol load generator for `rtctl serve` and any Socket.IO v4 server with the
//! same notification API (the Node reference server in `tests/node/bench/`).
//!
//! Each device is one tokio task holding one WebSocket (Engine.IO v4, websocket only, RFC 6455
//! client framing written here: a 4 KiB read buffer, no other per-connection state):
//! `ws://H:P/socket.io/?EIO=4&transport=websocket&deviceId=ID`, header `x-device-id`, CONNECT
//! `40{"deviceId":ID}`, then (by default) `subscribe-department` with its ack; every ping `2` is
//! answered with `3`. Notifications are published with `POST /api/v1/notifications` and carry a
//! sequence number in the payload (`{"seq":N,…}`), from which each receiver counts what it got,
//! duplicates, and the latency from the publish request's send time to its own receive time.
//!
//! Modes (one JSON line of results on stdout; progress on stderr):
//! - `idle`: hold `--conns` connections; print when all are connected, then hold `--hold-secs`.
//! - `broadcast`: `--broadcasts` broadcasts to all, one at a time, each after the previous one
//!   reached every receiver (or `--settle-secs`) plus `--interval-ms`; p50 / p99 / last receiver
//!   per broadcast and their medians.
//! - `stream`: publish at `--rate` publishes/s for `--duration-secs` (`--target all` or
//!   `department`, round robin), then wait for the deliveries (at most `--settle-secs`);
//!   deliveries/s achieved (received ÷ time from the first publish to the last delivery),
//!   lost, duplicates, latency percentiles (100 µs buckets).
//!
//! With `--server-pid` the server's CPU time (utime+stime from /proc/PID/stat, 100 Hz ticks)
//! is read around the publishing phase and its VmRSS reported.
//!
//! One process holds at most ~19.9k sockets under a 20,000 open-file limit: run several
//! processes (distinct `--id-prefix`, ideally distinct `--src-ip`) for more.
//!
//! ```sh
//! cargo run --release --example loadgen -- --server 127.0.0.1:3000 --mode broadcast --conns 10000
//! ```

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use rtctl::engine::eio::{self, Packet};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Semaphore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Idle,
    Broadcast,
    Stream,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Subscribe {
    /// The `subscribe-department` event, waiting for its ack.
    Event,
    /// The `x-department-id` handshake header.
    Header,
    /// No department.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StreamTarget {
    All,
    Department,
}

#[derive(Debug, Parser)]
#[command(about = "Raw Engine.IO v4 / Socket.IO v5 load generator for notification nodes")]
struct Args {
    #[arg(long, value_enum, default_value = "idle")]
    mode: Mode,
    /// Server address (Socket.IO and the publish API). Several, comma-separated, spread the
    /// devices round robin (device i on server i mod n); publishes always go to the first.
    #[arg(long, default_value = "127.0.0.1:3000", value_delimiter = ',')]
    server: Vec<SocketAddr>,
    /// Connections (devices) held by this process.
    #[arg(long, default_value_t = 1000)]
    conns: usize,
    /// Device ids are `<prefix>-<i>`; use a distinct prefix per process.
    #[arg(long, default_value = "dev")]
    id_prefix: String,
    /// Departments: device i is in `dept-<i mod departments>`.
    #[arg(long, default_value_t = 50)]
    departments: usize,
    #[arg(long, value_enum, default_value = "event")]
    subscribe: Subscribe,
    /// Source addresses to bind, round robin (e.g. 127.0.0.2,127.0.0.3); default: the kernel's.
    #[arg(long, value_delimiter = ',')]
    src_ip: Vec<IpAddr>,
    /// Handshakes in flight at once.
    #[arg(long, default_value_t = 200)]
    connect_concurrency: usize,
    /// Bound of the whole connect phase.
    #[arg(long, default_value_t = 180.0)]
    connect_timeout_secs: f64,
    /// Idle mode: how long to hold the connections once connected.
    #[arg(long, default_value_t = 30.0)]
    hold_secs: f64,
    /// Pause between "all connected" and the first publish.
    #[arg(long, default_value_t = 2.0)]
    warmup_secs: f64,
    /// Broadcast mode: number of broadcasts.
    #[arg(long, default_value_t = 5)]
    broadcasts: usize,
    /// Broadcast mode: pause after a broadcast completed.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// Stream mode: publishes per second.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Stream mode: how long to publish; a publish not sent by then is not sent (at most
    /// `--publish-concurrency` publishes wait for the server's answer at once).
    #[arg(long, default_value_t = 10.0)]
    duration_secs: f64,
    #[arg(long, value_enum, default_value = "all")]
    target: StreamTarget,
    /// Stream mode: publish requests in flight at once.
    #[arg(long, default_value_t = 16)]
    publish_concurrency: usize,
    /// Longest wait for deliveries after the last publish (per broadcast in broadcast mode).
    #[arg(long, default_value_t = 20.0)]
    settle_secs: f64,
    /// Approximate payload size in bytes.
    #[arg(long, default_value_t = 100)]
    payload_bytes: usize,
    /// Server process to read CPU time and RSS from (/proc/PID).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Label copied into the result line.
    #[arg(long, default_value = "")]
    label: String,
}

/// Microseconds since the process's reference instant.
fn us(start: Instant) -> u64 {
    start.elapsed().as_micros() as u64
}

/// Histogram of latencies in 100 µs buckets up to 60 s (the last bucket takes the rest).
struct Hist {
    buckets: Vec<AtomicU64>,
}

impl Hist {
    const STEP_US: u64 = 100;
    fn new() -> Hist {
        Hist {
            buckets: (0..600_000).map(|_| AtomicU64::new(0)).collect(),
        }
    }
    fn add(&self, lat_us: u64) {
        let i = ((lat_us / Self::STEP_US) as usize).min(self.buckets.len() - 1);
        self.buckets[i].fetch_add(1, Relaxed);
    }
    /// Nearest-rank percentile, in ms.
    fn percentile(&self, p: f64) -> Option<f64> {
        let total: u64 = self.buckets.iter().map(|b| b.load(Relaxed)).sum();
        if total == 0 {
            return None;
        }
        let rank = ((p / 100.0 * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, b) in self.buckets.iter().enumerate() {
            seen += b.load(Relaxed);
            if seen >= rank {
                return Some(((i as u64 + 1) * Self::STEP_US) as f64 / 1000.0);
            }
        }
        None
    }
}

/// What every connection task shares.
struct Shared {
    start: Instant,
    connected: AtomicUsize,
    failed: AtomicUsize,
    /// Handshakes tried again after a failed attempt.
    retries: AtomicUsize,
    /// Connection attempts finished (connected or failed).
    done: AtomicUsize,
    /// Connections that ended before they were told to stop (closed by the server).
    dropped: AtomicUsize,
    received: AtomicU64,
    duplicates: AtomicU64,
    last_recv_us: AtomicU64,
    /// Send time (µs) of publish `seq`, `u64::MAX` before it is sent.
    pub_us: Vec<AtomicU64>,
    hist: Hist,
    /// Broadcast mode: every receiver's latency (µs) per broadcast.
    latencies: Vec<Mutex<Vec<u64>>>,
    stopping: AtomicBool,
    first_error: Mutex<Option<String>>,
    /// Why the first connection that the server ended ended.
    first_drop: Mutex<Option<String>>,
}

impl Shared {
    fn note_error(&self, e: String) {
        let mut s = self.first_error.lock().expect("error slot");
        if s.is_none() {
            *s = Some(e);
        }
    }

    /// A notification arrived; `seen` is the connection's bitset of sequence numbers.
    fn on_notification(&self, seq: u64, seen: &mut Vec<u64>) {
        let now = us(self.start);
        let (word, bit) = ((seq / 64) as usize, 1u64 << (seq % 64));
        if seen.len() <= word {
            seen.resize(word + 1, 0);
        }
        if seen[word] & bit != 0 {
            self.duplicates.fetch_add(1, Relaxed);
            return;
        }
        seen[word] |= bit;
        self.received.fetch_add(1, Relaxed);
        self.last_recv_us.fetch_max(now, Relaxed);
        let Some(sent) = self.pub_us.get(seq as usize).map(|p| p.load(Relaxed)) else {
            return;
        };
        if sent == u64::MAX {
            return;
        }
        let lat = now.saturating_sub(sent);
        self.hist.add(lat);
        if let Some(v) = self.latencies.get(seq as usize) {
            v.lock().expect("latencies").push(lat);
        }
    }
}

/// The sequence number in a notification event (`42["notification…",{"seq":N,…},…]`).
fn notification_seq(text: &[u8]) -> Option<u64> {
    let rest = text.strip_prefix(b"42[\"notification")?;
    let i = rest.windows(6).position(|w| w == b"\"seq\":")?;
    let mut n: u64 = 0;
    let mut any = false;
    for &c in &rest[i + 6..] {
        if !c.is_ascii_digit() {
            break;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        any = true;
    }
    any.then_some(n)
}

/// Mask key of every client frame (RFC 6455 wants one per frame; servers do not check).
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// Appends a masked client frame.
fn client_frame(out: &mut Vec<u8>, opcode: u8, payload: &[u8]) {
    out.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => out.push(0x80 | n as u8),
        n if n <= 0xffff => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&MASK);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
}

/// A server frame at the start of `buf`: (fin, opcode, payload range); `rtctl bench`'s parser.
fn server_frame(buf: &[u8]) -> Result<Option<(bool, u8, std::ops::Range<usize>)>, String> {
    Ok(rtctl::bench::wire::server_frame(buf)?.map(|f| (f.fin, f.opcode, f.payload)))
}

/// One WebSocket: hand-written client framing over a TcpStream.
struct Ws {
    tcp: TcpStream,
    /// Unparsed bytes (a partial frame at most, once parsed).
    buf: Vec<u8>,
    /// A fragmented message in progress.
    partial: Vec<u8>,
}

impl Ws {
    async fn send_text(&mut self, text: &str) -> std::io::Result<()> {
        let mut f = Vec::with_capacity(text.len() + 14);
        client_frame(&mut f, 0x1, text.as_bytes());
        self.tcp.write_all(&f).await
    }

    /// Reads more bytes; `Ok(false)` at end of stream.
    async fn fill(&mut self) -> std::io::Result<bool> {
        if self.buf.capacity() - self.buf.len() < 1024 {
            self.buf.reserve(4096);
        }
        Ok(self.tcp.read_buf(&mut self.buf).await? > 0)
    }

    /// Handles every complete frame in the buffer: text messages go to `on_text`, pings
    /// are answered. `Err` on a protocol error or a close frame.
    async fn drain(&mut self, mut on_text: impl FnMut(&[u8]) -> Reply) -> Result<(), String> {
        let mut pos = 0;
        let mut out = Vec::new();
        let mut result = Ok(());
        while let Some((fin, op, range)) = server_frame(&self.buf[pos..])? {
            let payload = &self.buf[pos + range.start..pos + range.end];
            let end = pos + range.end;
            match op {
                0x0..=0x2 => {
                    let msg: Option<&[u8]> = if fin && op != 0 && self.partial.is_empty() {
                        Some(payload)
                    } else {
                        self.partial.extend_from_slice(payload);
                        fin.then_some(&self.partial[..])
                    };
                    if let Some(m) = msg {
                        match on_text(m) {
                            Reply::None => {}
                            Reply::Pong => client_frame(&mut out, 0x1, b"3"),
                        }
                        if fin {
                            self.partial.clear();
                        }
                    }
                }
                0x8 => {
                    result = Err("close frame from the server".to_string());
                    pos = end;
                    break;
                }
                0x9 => {
                    let p = payload.to_vec();
                    client_frame(&mut out, 0xA, &p);
                }
                _ => {}
            }
            pos = end;
        }
        self.buf.drain(..pos);
        if self.buf.is_empty() && self.buf.capacity() > 16 << 10 {
            self.buf = Vec::with_capacity(4096);
        }
        if !out.is_empty() {
            self.tcp.write_all(&out).await.map_err(|e| e.to_string())?;
        }
        result
    }

    /// The next text message (handshake phase), answering pings meanwhile.
    async fn next_text(&mut self) -> Result<String, String> {
        loop {
            let mut got = None;
            // parse at most one message
            if let Some((fin, op, range)) = server_frame(&self.buf)? {
                let end = range.end;
                let m = self.buf[range].to_vec();
                self.buf.drain(..end);
                match op {
                    0x1 if fin => got = Some(String::from_utf8_lossy(&m).into_owned()),
                    0x8 => return Err("closed by the server".into()),
                    0x9 => {
                        let mut f = Vec::new();
                        client_frame(&mut f, 0xA, &m);
                        self.tcp.write_all(&f).await.map_err(|e| e.to_string())?;
                    }
                    _ => return Err(format!("unexpected frame opcode {op} during the handshake")),
                }
                if let Some(t) = got {
                    if t == "2" {
                        self.send_text("3").await.map_err(|e| e.to_string())?;
                        continue;
                    }
                    return Ok(t);
                }
                continue;
            }
            if !self.fill().await.map_err(|e| e.to_string())? {
                return Err("connection closed by the server".into());
            }
        }
    }
}

/// What to answer to a text message.
enum Reply {
    None,
    Pong,
}

async fn handshake(i: usize, args: &Args, id: &str, dept: Option<&str>) -> Result<Ws, String> {
    let sock = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
    if !args.src_ip.is_empty() {
        let ip = args.src_ip[i % args.src_ip.len()];
        sock.bind(SocketAddr::new(ip, 0))
            .map_err(|e| format!("bind {ip}: {e}"))?;
    }
    let server = args.server[i % args.server.len()];
    let mut tcp = sock
        .connect(server)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
    let mut req = format!(
        "GET /socket.io/?EIO=4&transport=websocket&deviceId={id} HTTP/1.1\r\nHost: {}\r\n\
         Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nx-device-id: {id}\r\n",
        server
    );
    if let (Subscribe::Header, Some(d)) = (args.subscribe, dept) {
        req.push_str(&format!("x-department-id: {d}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes())
        .await
        .map_err(|e| format!("upgrade request: {e}"))?;
    let mut buf = Vec::with_capacity(1024);
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if buf.len() > 16 << 10 || tcp.read_buf(&mut buf).await.map_err(|e| e.to_string())? == 0 {
            return Err("no upgrade response".into());
        }
    };
    if !buf.starts_with(b"HTTP/1.1 101") {
        let line = String::from_utf8_lossy(&buf[..head_end.min(200)]).into_owned();
        return Err(format!(
            "upgrade refused: {}",
            line.lines().next().unwrap_or("")
        ));
    }
    buf.drain(..head_end);
    let mut ws = Ws {
        tcp,
        buf,
        partial: Vec::new(),
    };
    let open = ws.next_text().await?;
    match eio::decode_text(&open) {
        Ok(Packet::Open(_)) => {}
        _ => return Err(format!("expected the open packet, got {open:?}")),
    }
    ws.send_text(&format!("40{}", json!({ "deviceId": id })))
        .await
        .map_err(|e| e.to_string())?;
    let reply = ws.next_text().await?;
    if !reply.starts_with("40") {
        return Err(format!("expected the CONNECT reply, got {reply:?}"));
    }
    if let (Subscribe::Event, Some(d)) = (args.subscribe, dept) {
        let sub = json!(["subscribe-department", { "departmentId": d }]);
        ws.send_text(&format!("420{sub}"))
            .await
            .map_err(|e| e.to_string())?;
        let ack = ws.next_text().await?;
        if !ack.starts_with("430[") || !ack.contains("\"subscribed\"") {
            return Err(format!("expected the subscribe ack, got {ack:?}"));
        }
    }
    Ok(ws)
}

async fn connection(i: usize, args: Arc<Args>, sh: Arc<Shared>, gate: Arc<Semaphore>) {
    let id = format!("{}-{}", args.id_prefix, i);
    let dept = (args.departments > 0).then(|| format!("dept-{}", i % args.departments));
    let Ok(permit) = gate.acquire_owned().await else {
        sh.note_error("connect gate closed".into());
        sh.failed.fetch_add(1, Relaxed);
        sh.done.fetch_add(1, Relaxed);
        return;
    };
    // up to 3 attempts, as a device would retry; every failed attempt is counted
    let mut attempt = 0;
    let mut ws = loop {
        attempt += 1;
        let hs = tokio::time::timeout(
            Duration::from_secs(30),
            handshake(i, &args, &id, dept.as_deref()),
        )
        .await;
        let err = match hs {
            Ok(Ok(ws)) => break ws,
            Ok(Err(e)) => e,
            Err(_) => "handshake timed out (30 s)".to_string(),
        };
        sh.note_error(format!("{id}: {err}"));
        if attempt == 3 {
            drop(permit);
            sh.failed.fetch_add(1, Relaxed);
            sh.done.fetch_add(1, Relaxed);
            return;
        }
        sh.retries.fetch_add(1, Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    drop(permit);
    ws.buf.shrink_to(4096);
    sh.connected.fetch_add(1, Relaxed);
    sh.done.fetch_add(1, Relaxed);

    // sequence numbers seen (publishes may reach the log in another order than sent)
    let mut seen: Vec<u64> = Vec::new();
    let why = loop {
        match ws.fill().await {
            Ok(true) => {}
            Ok(false) => break "end of stream".to_string(),
            Err(e) => break format!("read: {e}"),
        }
        let res = ws
            .drain(|m| {
                if m == b"2" {
                    return Reply::Pong;
                }
                if let Some(seq) = notification_seq(m) {
                    sh.on_notification(seq, &mut seen);
                }
                Reply::None
            })
            .await;
        if let Err(e) = res {
            break e;
        }
    };
    if !sh.stopping.load(Relaxed) {
        sh.dropped.fetch_add(1, Relaxed);
        let mut d = sh.first_drop.lock().expect("drop slot");
        if d.is_none() {
            *d = Some(format!(
                "{id}: {why} after {:.3} s",
                us(sh.start) as f64 / 1e6
            ));
        }
    }
}

/// utime+stime of a process, in ms (USER_HZ is 100 on Linux).
fn cpu_ms(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 * 10.0)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn self_cpu_ms() -> Option<f64> {
    cpu_ms(std::process::id())
}

fn payload(seq: u64, bytes: usize) -> String {
    let base = format!("{{\"seq\":{seq},\"title\":\"bench\",\"body\":\"\"}}");
    let pad = "x".repeat(bytes.saturating_sub(base.len()));
    format!("{{\"seq\":{seq},\"title\":\"bench\",\"body\":\"{pad}\"}}")
}

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0 * sorted.len() as f64).ceil() as usize).max(1);
    Some(sorted[rank.min(sorted.len()) - 1])
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

fn ms(us: u64) -> f64 {
    (us as f64 / 10.0).round() / 100.0
}

struct Publisher {
    client: reqwest::Client,
    url: String,
}

impl Publisher {
    async fn publish(&self, target: Value, payload: &str) -> Result<(), String> {
        let body = format!("{{\"target\":{target},\"payload\":{payload}}}");
        let r = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if r.status().as_u16() == 202 {
            Ok(())
        } else {
            Err(format!("publish answered {}", r.status()))
        }
    }
}

/// Waits until `cond` holds or `deadline` passes (checked every 2 ms); true when it held.
async fn wait_until(deadline: Instant, cond: impl Fn() -> bool) -> bool {
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Stops every connection task (they end at their next await).
fn stop_all(sh: &Shared, tasks: &[tokio::task::JoinHandle<()>]) {
    sh.stopping.store(true, Relaxed);
    for t in tasks {
        t.abort();
    }
}

#[tokio::main]
async fn main() {
    let args = Arc::new(Args::parse());
    let start = Instant::now();
    let max_pubs = match args.mode {
        Mode::Idle => 0,
        Mode::Broadcast => args.broadcasts,
        Mode::Stream => (args.rate * args.duration_secs).ceil() as usize,
    };
    let sh = Arc::new(Shared {
        start,
        connected: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        retries: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        dropped: AtomicUsize::new(0),
        received: AtomicU64::new(0),
        duplicates: AtomicU64::new(0),
        last_recv_us: AtomicU64::new(0),
        pub_us: (0..max_pubs).map(|_| AtomicU64::new(u64::MAX)).collect(),
        hist: Hist::new(),
        latencies: match args.mode {
            Mode::Broadcast => (0..max_pubs)
                .map(|_| Mutex::new(Vec::with_capacity(args.conns)))
                .collect(),
            _ => Vec::new(),
        },
        stopping: AtomicBool::new(false),
        first_error: Mutex::new(None),
        first_drop: Mutex::new(None),
    });
    let gate = Arc::new(Semaphore::new(args.connect_concurrency.max(1)));
    let tasks: Vec<_> = (0..args.conns)
        .map(|i| tokio::spawn(connection(i, args.clone(), sh.clone(), gate.clone())))
        .collect();
    // connect phase (bounded)
    let deadline = Instant::now() + Duration::from_secs_f64(args.connect_timeout_secs);
    let all_done = wait_until(deadline, || sh.done.load(Relaxed) >= args.conns).await;
    let connect_secs = start.elapsed().as_secs_f64();
    let connected = sh.connected.load(Relaxed);
    eprintln!(
        "loadgen {}: {connected}/{} connected in {connect_secs:.1} s{}",
        args.label,
        args.conns,
        if all_done {
            ""
        } else {
            " (connect phase timed out)"
        }
    );
    let mut out = json!({
        "label": args.label,
        "mode": format!("{:?}", args.mode).to_lowercase(),
        "server": args.server.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(","),
        "conns": args.conns,
        "connected": connected,
        "failed": sh.failed.load(Relaxed),
        "retries": sh.retries.load(Relaxed),
        "connect_secs": (connect_secs * 100.0).round() / 100.0,
        "first_error": sh.first_error.lock().expect("error slot").clone(),
    });
    if let Some(pid) = args.server_pid {
        out["server_rss_kib_connected"] = json!(rss_kib(pid));
    }
    let publisher = Arc::new(Publisher {
        client: reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(args.publish_concurrency.max(1))
            .timeout(Duration::from_secs(10))
            .build()
            .expect("http client"),
        url: format!("http://{}/api/v1/notifications", args.server[0]),
    });

    match args.mode {
        Mode::Idle => {
            println!("{out}");
            let hold = Duration::from_secs_f64(args.hold_secs);
            tokio::select! {
                _ = tokio::time::sleep(hold) => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            stop_all(&sh, &tasks);
            return;
        }
        Mode::Broadcast | Mode::Stream if connected == 0 => {
            out["error"] = json!("no connection");
            println!("{out}");
            std::process::exit(1);
        }
        Mode::Broadcast => {
            tokio::time::sleep(Duration::from_secs_f64(args.warmup_secs)).await;
            let cpu0 = args.server_pid.and_then(cpu_ms);
            let self0 = self_cpu_ms();
            let mut publish_errors = 0;
            let mut complete = 0;
            for k in 0..args.broadcasts {
                let want = sh.received.load(Relaxed) + connected as u64;
                let body = payload(k as u64, args.payload_bytes);
                sh.pub_us[k].store(us(start), Relaxed);
                if let Err(e) = publisher.publish(json!({"all": true}), &body).await {
                    eprintln!("loadgen: broadcast {k}: {e}");
                    publish_errors += 1;
                    continue;
                }
                let deadline = Instant::now() + Duration::from_secs_f64(args.settle_secs);
                if wait_until(deadline, || sh.received.load(Relaxed) >= want).await {
                    complete += 1;
                }
                tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
            }
            let cpu1 = args.server_pid.and_then(cpu_ms);
            let self1 = self_cpu_ms();
            stop_all(&sh, &tasks);
            let mut rows = Vec::new();
            let (mut p50s, mut p99s, mut lasts) = (Vec::new(), Vec::new(), Vec::new());
            for (k, v) in sh.latencies.iter().enumerate() {
                let mut v = v.lock().expect("latencies").clone();
                v.sort_unstable();
                let (p50, p99, last) = (pct(&v, 50.0), pct(&v, 99.0), v.last().copied());
                if let (Some(a), Some(b), Some(c)) = (p50, p99, last) {
                    p50s.push(ms(a));
                    p99s.push(ms(b));
                    lasts.push(ms(c));
                }
                rows.push(json!({
                    "seq": k, "received": v.len(),
                    "lost": (connected as u64).saturating_sub(v.len() as u64),
                    "p50_ms": p50.map(ms), "p99_ms": p99.map(ms), "last_ms": last.map(ms),
                }));
            }
            let received = sh.received.load(Relaxed);
            let expected = (args.broadcasts - publish_errors) as u64 * connected as u64;
            out["broadcasts"] = json!(args.broadcasts);
            out["complete"] = json!(complete);
            out["publish_errors"] = json!(publish_errors);
            out["expected"] = json!(expected);
            out["received"] = json!(received);
            out["lost"] = json!(expected.saturating_sub(received));
            out["duplicates"] = json!(sh.duplicates.load(Relaxed));
            out["dropped_conns"] = json!(sh.dropped.load(Relaxed));
            out["p50_ms_median"] = json!(median(&mut p50s));
            out["p99_ms_median"] = json!(median(&mut p99s));
            out["last_ms_median"] = json!(median(&mut lasts));
            out["per_broadcast"] = json!(rows);
            if let (Some(a), Some(b)) = (cpu0, cpu1) {
                out["server_cpu_ms"] = json!(b - a);
                out["server_cpu_ms_per_1k"] = json!((b - a) / received.max(1) as f64 * 1000.0);
            }
            if let (Some(a), Some(b)) = (self0, self1) {
                out["loadgen_cpu_ms"] = json!(b - a);
                out["loadgen_cpu_ms_per_1k"] = json!((b - a) / received.max(1) as f64 * 1000.0);
            }
        }
        Mode::Stream => {
            tokio::time::sleep(Duration::from_secs_f64(args.warmup_secs)).await;
            let inflight = Arc::new(Semaphore::new(args.publish_concurrency.max(1)));
            let expected = Arc::new(AtomicU64::new(0));
            let errs = Arc::new(AtomicU64::new(0));
            let deps = args.departments.max(1);
            // devices of each department (device i is in dept i mod departments)
            let mut dept_members = vec![0u64; deps];
            for i in 0..args.conns {
                dept_members[i % deps] += 1;
            }
            let cpu0 = args.server_pid.and_then(cpu_ms);
            let self0 = self_cpu_ms();
            let t0 = us(start);
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut pubs = Vec::with_capacity(max_pubs);
            let publish_for = Duration::from_secs_f64(args.duration_secs);
            for k in 0..max_pubs {
                tick.tick().await;
                // a server that answers publishes slowly gets fewer of them, not a longer run
                if start.elapsed() >= publish_for + Duration::from_micros(t0) {
                    break;
                }
                let Ok(permit) = inflight.clone().acquire_owned().await else {
                    break;
                };
                let (target, n) = match args.target {
                    StreamTarget::All => (json!({"all": true}), connected as u64),
                    StreamTarget::Department => (
                        json!({"department": format!("dept-{}", k % deps)}),
                        dept_members[k % deps],
                    ),
                };
                let body = payload(k as u64, args.payload_bytes);
                let (p, sh2, exp, errs) = (
                    publisher.clone(),
                    sh.clone(),
                    expected.clone(),
                    errs.clone(),
                );
                // counted before the publish, so the wait below never ends too early
                exp.fetch_add(n, Relaxed);
                pubs.push(tokio::spawn(async move {
                    sh2.pub_us[k].store(us(sh2.start), Relaxed);
                    if p.publish(target, &body).await.is_err() {
                        errs.fetch_add(1, Relaxed);
                        exp.fetch_sub(n, Relaxed);
                    }
                    drop(permit);
                }));
            }
            let pubs_sent = pubs.len();
            for p in pubs {
                let _ = p.await;
            }
            let t_pub_end = us(start);
            let deadline = Instant::now() + Duration::from_secs_f64(args.settle_secs);
            let exp = expected.load(Relaxed);
            let drained = wait_until(deadline, || sh.received.load(Relaxed) >= exp).await;
            let cpu1 = args.server_pid.and_then(cpu_ms);
            let self1 = self_cpu_ms();
            stop_all(&sh, &tasks);
            let received = sh.received.load(Relaxed);
            let t_last = sh.last_recv_us.load(Relaxed).max(t_pub_end);
            let span = (t_last - t0) as f64 / 1e6;
            let pub_secs = (t_pub_end - t0) as f64 / 1e6;
            out["target"] = json!(format!("{:?}", args.target).to_lowercase());
            out["offered_publishes_per_s"] = json!(args.rate);
            out["publishes"] = json!(pubs_sent as u64 - errs.load(Relaxed));
            out["publish_errors"] = json!(errs.load(Relaxed));
            out["publish_secs"] = json!((pub_secs * 1000.0).round() / 1000.0);
            out["offered_deliveries_per_s"] = json!((exp as f64 / pub_secs).round());
            out["expected"] = json!(exp);
            out["received"] = json!(received);
            out["lost"] = json!(exp.saturating_sub(received));
            out["duplicates"] = json!(sh.duplicates.load(Relaxed));
            out["dropped_conns"] = json!(sh.dropped.load(Relaxed));
            out["drained"] = json!(drained);
            out["delivery_secs"] = json!((span * 1000.0).round() / 1000.0);
            out["deliveries_per_s"] = json!((received as f64 / span).round());
            out["latency_p50_ms"] = json!(sh.hist.percentile(50.0));
            out["latency_p99_ms"] = json!(sh.hist.percentile(99.0));
            out["latency_max_ms"] = json!(sh.hist.percentile(100.0));
            if let (Some(a), Some(b)) = (cpu0, cpu1) {
                out["server_cpu_ms"] = json!(b - a);
                out["server_cpu_ms_per_1k"] = json!((b - a) / received.max(1) as f64 * 1000.0);
                out["server_cpu_cores"] = json!((b - a) / 1000.0 / span);
            }
            if let (Some(a), Some(b)) = (self0, self1) {
                out["loadgen_cpu_ms"] = json!(b - a);
                out["loadgen_cpu_ms_per_1k"] = json!((b - a) / received.max(1) as f64 * 1000.0);
            }
        }
    }
    if let Some(pid) = args.server_pid {
        out["server_rss_kib_end"] = json!(rss_kib(pid));
    }
    out["first_drop"] = json!(sh.first_drop.lock().expect("drop slot").clone());
    println!("{out}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_is_found_in_both_servers_packets() {
        let rtctl = r#"42["notification:broadcast",{"seq":17,"title":"bench"},"1700000000000-3"]"#;
        let node = r#"42["notification",{"seq":4,"body":"x"}]"#;
        assert_eq!(notification_seq(rtctl.as_bytes()), Some(17));
        assert_eq!(notification_seq(node.as_bytes()), Some(4));
        assert_eq!(notification_seq(b"430[{}]"), None);
        assert_eq!(notification_seq(b"2"), None);
    }

    #[test]
    fn payload_has_the_requested_size() {
        let p = payload(12, 100);
        assert_eq!(p.len(), 100);
        let v: Value = serde_json::from_str(&p).unwrap();
        assert_eq!(v["seq"], 12);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(pct(&v, 50.0), Some(50));
        assert_eq!(pct(&v, 99.0), Some(99));
        assert_eq!(pct(&v, 100.0), Some(100));
        assert_eq!(pct(&[], 50.0), None);
    }
}
