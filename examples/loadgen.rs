//! A lean raw-protocol load generator for `rtctl serve` and any Socket.IO v4 server with the
//! same notification API (the Node reference server in `tests/node/bench/`).
//!
//! Each device is one tokio task holding one WebSocket (Engine.IO v4, websocket only):
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
//!   deliveries/s achieved, lost, duplicates, latency percentiles.
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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use futures_util::{SinkExt, StreamExt};
use rtctl::engine::eio::{self, Packet};
use serde_json::{json, Value};
use tokio::net::TcpSocket;
use tokio::sync::{Notify, Semaphore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

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
    /// Server address (Socket.IO and the publish API).
    #[arg(long, default_value = "127.0.0.1:3000")]
    server: SocketAddr,
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
    /// Stream mode: how long to publish.
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
    /// Broadcast mode: keep every (seq, receive time).
    record: bool,
    progress: Notify,
    stop: CancellationToken,
}

/// What one connection task returns.
#[derive(Default)]
struct ConnResult {
    connected: bool,
    records: Vec<(u32, u64)>,
}

fn first_error(slot: &std::sync::Mutex<Option<String>>, e: String) {
    let mut s = slot.lock().expect("error slot");
    if s.is_none() {
        *s = Some(e);
    }
}

/// The sequence number in a notification event (`42["notification…",{"seq":N,…},…]`).
fn notification_seq(text: &str) -> Option<u64> {
    let rest = text.strip_prefix("42[\"notification")?;
    let i = rest.find("\"seq\":")?;
    let digits = &rest[i + 6..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

async fn connection(
    i: usize,
    args: Arc<Args>,
    sh: Arc<Shared>,
    gate: Arc<Semaphore>,
    errors: Arc<std::sync::Mutex<Option<String>>>,
) -> ConnResult {
    let mut res = ConnResult::default();
    let id = format!("{}-{}", args.id_prefix, i);
    let dept = (args.departments > 0).then(|| format!("dept-{}", i % args.departments));
    let permit = tokio::select! {
        p = gate.acquire_owned() => p.ok(),
        _ = sh.stop.cancelled() => None,
    };
    let Some(permit) = permit else {
        sh.failed.fetch_add(1, Relaxed);
        sh.done.fetch_add(1, Relaxed);
        sh.progress.notify_one();
        return res;
    };
    let handshake = async {
        let sock = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
        if !args.src_ip.is_empty() {
            let ip = args.src_ip[i % args.src_ip.len()];
            sock.bind(SocketAddr::new(ip, 0))
                .map_err(|e| format!("bind {ip}: {e}"))?;
        }
        let tcp = sock
            .connect(args.server)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        let url = format!(
            "ws://{}/socket.io/?EIO=4&transport=websocket&deviceId={id}",
            args.server
        );
        let mut req = url.into_client_request().map_err(|e| e.to_string())?;
        let h = req.headers_mut();
        h.insert(
            "x-device-id",
            HeaderValue::from_str(&id).map_err(|e| e.to_string())?,
        );
        if let (Subscribe::Header, Some(d)) = (args.subscribe, &dept) {
            h.insert(
                "x-department-id",
                HeaderValue::from_str(d).map_err(|e| e.to_string())?,
            );
        }
        let cfg = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let (mut ws, _) = tokio_tungstenite::client_async_with_config(req, tcp, Some(cfg))
            .await
            .map_err(|e| format!("websocket handshake: {e}"))?;
        // Engine.IO open packet
        let open = match ws.next().await {
            Some(Ok(Message::Text(t))) => t,
            other => return Err(format!("expected the open packet, got {other:?}")),
        };
        match eio::decode_text(&open) {
            Ok(Packet::Open(_)) => {}
            _ => return Err(format!("expected the open packet, got {:?}", &*open)),
        }
        let connect = format!("40{}", json!({ "deviceId": id }));
        ws.send(Message::text(connect))
            .await
            .map_err(|e| e.to_string())?;
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) if t.starts_with("40") => break,
                Some(Ok(Message::Text(t))) if t.as_str() == "2" => ws
                    .send(Message::text("3"))
                    .await
                    .map_err(|e| e.to_string())?,
                other => return Err(format!("expected the CONNECT reply, got {other:?}")),
            }
        }
        if let (Subscribe::Event, Some(d)) = (args.subscribe, &dept) {
            let sub = format!(
                "420{}",
                json!(["subscribe-department", { "departmentId": d }])
            );
            ws.send(Message::text(sub))
                .await
                .map_err(|e| e.to_string())?;
            loop {
                match ws.next().await {
                    Some(Ok(Message::Text(t))) if t.starts_with("430[") => {
                        if !t.contains("\"subscribed\"") {
                            return Err(format!("subscribe refused: {}", &*t));
                        }
                        break;
                    }
                    Some(Ok(Message::Text(t))) if t.as_str() == "2" => ws
                        .send(Message::text("3"))
                        .await
                        .map_err(|e| e.to_string())?,
                    other => return Err(format!("expected the subscribe ack, got {other:?}")),
                }
            }
        }
        Ok(ws)
    };
    let hs = tokio::select! {
        r = tokio::time::timeout(Duration::from_secs(30), handshake) => match r {
            Ok(r) => r,
            Err(_) => Err("handshake timed out (30 s)".to_string()),
        },
        _ = sh.stop.cancelled() => Err("stopped before connected".to_string()),
    };
    drop(permit);
    let mut ws = match hs {
        Ok(ws) => ws,
        Err(e) => {
            first_error(&errors, e);
            sh.failed.fetch_add(1, Relaxed);
            sh.done.fetch_add(1, Relaxed);
            sh.progress.notify_one();
            return res;
        }
    };
    res.connected = true;
    sh.connected.fetch_add(1, Relaxed);
    sh.done.fetch_add(1, Relaxed);
    sh.progress.notify_one();

    let mut last_seq: Option<u64> = None;
    loop {
        let msg = tokio::select! {
            m = ws.next() => m,
            _ = sh.stop.cancelled() => return res,
        };
        let t = match msg {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(_)) => continue,
        };
        if t.as_str() == "2" {
            if ws.send(Message::text("3")).await.is_err() {
                break;
            }
            continue;
        }
        let Some(seq) = notification_seq(&t) else {
            continue;
        };
        let now = us(sh.start);
        if last_seq.is_some_and(|l| seq <= l) {
            sh.duplicates.fetch_add(1, Relaxed);
            continue;
        }
        last_seq = Some(seq);
        sh.received.fetch_add(1, Relaxed);
        sh.last_recv_us.fetch_max(now, Relaxed);
        if let Some(p) = sh.pub_us.get(seq as usize) {
            let sent = p.load(Relaxed);
            if sent != u64::MAX {
                sh.hist.add(now.saturating_sub(sent));
            }
        }
        if sh.record {
            res.records.push((seq as u32, now));
        }
        sh.progress.notify_one();
    }
    if !sh.stop.is_cancelled() {
        sh.dropped.fetch_add(1, Relaxed);
    }
    res
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

/// Waits until `cond` holds or `deadline` passes; true when it held.
async fn wait_until(sh: &Shared, deadline: Instant, cond: impl Fn() -> bool) -> bool {
    loop {
        if cond() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        let step = (deadline - now).min(Duration::from_millis(50));
        let _ = tokio::time::timeout(step, sh.progress.notified()).await;
    }
}

#[tokio::main]
async fn main() {
    let args = Arc::new(Args::parse());
    let start = Instant::now();
    let max_pubs = match args.mode {
        Mode::Idle => 0,
        Mode::Broadcast => args.broadcasts,
        Mode::Stream => (args.rate * args.duration_secs).ceil() as usize + 1,
    };
    let sh = Arc::new(Shared {
        start,
        connected: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        dropped: AtomicUsize::new(0),
        received: AtomicU64::new(0),
        duplicates: AtomicU64::new(0),
        last_recv_us: AtomicU64::new(0),
        pub_us: (0..max_pubs).map(|_| AtomicU64::new(u64::MAX)).collect(),
        hist: Hist::new(),
        record: args.mode == Mode::Broadcast,
        progress: Notify::new(),
        stop: CancellationToken::new(),
    });
    let gate = Arc::new(Semaphore::new(args.connect_concurrency.max(1)));
    let errors = Arc::new(std::sync::Mutex::new(None));
    let mut tasks = Vec::with_capacity(args.conns);
    for i in 0..args.conns {
        tasks.push(tokio::spawn(connection(
            i,
            args.clone(),
            sh.clone(),
            gate.clone(),
            errors.clone(),
        )));
    }
    // connect phase (bounded)
    let deadline = Instant::now() + Duration::from_secs_f64(args.connect_timeout_secs);
    let all_done = wait_until(&sh, deadline, || sh.done.load(Relaxed) >= args.conns).await;
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
        "server": args.server.to_string(),
        "conns": args.conns,
        "connected": connected,
        "failed": sh.failed.load(Relaxed),
        "connect_secs": (connect_secs * 100.0).round() / 100.0,
        "first_error": errors.lock().expect("error slot").clone(),
    });
    if let Some(pid) = args.server_pid {
        out["server_rss_kib_connected"] = json!(rss_kib(pid));
    }
    let publisher = Publisher {
        client: reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(args.publish_concurrency.max(1))
            .timeout(Duration::from_secs(10))
            .build()
            .expect("http client"),
        url: format!("http://{}/api/v1/notifications", args.server),
    };
    let members = |d: usize| -> u64 {
        // connected devices of department d (device i is in dept i mod departments)
        (0..args.conns)
            .filter(|i| i % args.departments.max(1) == d)
            .count() as u64
    };

    match args.mode {
        Mode::Idle => {
            println!("{out}");
            let hold = Duration::from_secs_f64(args.hold_secs);
            tokio::select! {
                _ = tokio::time::sleep(hold) => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            sh.stop.cancel();
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
                if wait_until(&sh, deadline, || sh.received.load(Relaxed) >= want).await {
                    complete += 1;
                }
                tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
            }
            let cpu1 = args.server_pid.and_then(cpu_ms);
            let self1 = self_cpu_ms();
            sh.stop.cancel();
            let mut per: Vec<Vec<u64>> = vec![Vec::new(); args.broadcasts];
            for t in tasks {
                if let Ok(r) = t.await {
                    for (seq, at) in r.records {
                        let sent = sh.pub_us[seq as usize].load(Relaxed);
                        if let Some(v) = per.get_mut(seq as usize) {
                            v.push(at.saturating_sub(sent));
                        }
                    }
                }
            }
            let mut rows = Vec::new();
            let (mut p50s, mut p99s, mut lasts) = (Vec::new(), Vec::new(), Vec::new());
            for (k, v) in per.iter_mut().enumerate() {
                v.sort_unstable();
                let (p50, p99, last) = (pct(v, 50.0), pct(v, 99.0), v.last().copied());
                if let (Some(a), Some(b), Some(c)) = (p50, p99, last) {
                    p50s.push(ms(a));
                    p99s.push(ms(b));
                    lasts.push(ms(c));
                }
                rows.push(json!({
                    "seq": k, "received": v.len(), "lost": connected as u64 - v.len() as u64,
                    "p50_ms": p50.map(ms), "p99_ms": p99.map(ms), "last_ms": last.map(ms),
                }));
            }
            let received = sh.received.load(Relaxed);
            let expected = (args.broadcasts - publish_errors) as u64 * connected as u64;
            let deliveries = received.max(1) as f64;
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
                out["server_cpu_ms_per_1k"] = json!((b - a) / deliveries * 1000.0);
            }
            if let (Some(a), Some(b)) = (self0, self1) {
                out["loadgen_cpu_ms"] = json!(b - a);
            }
        }
        Mode::Stream => {
            tokio::time::sleep(Duration::from_secs_f64(args.warmup_secs)).await;
            let publisher = Arc::new(publisher);
            let inflight = Arc::new(Semaphore::new(args.publish_concurrency.max(1)));
            let expected = Arc::new(AtomicU64::new(0));
            let errs = Arc::new(AtomicU64::new(0));
            let cpu0 = args.server_pid.and_then(cpu_ms);
            let self0 = self_cpu_ms();
            let t0 = us(start);
            let total = max_pubs - 1;
            let every = Duration::from_secs_f64(1.0 / args.rate);
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut pubs = Vec::with_capacity(total);
            let deps = args.departments.max(1);
            let dept_members: Vec<u64> = (0..deps).map(members).collect();
            for k in 0..total {
                tick.tick().await;
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
                // counted as expected before the publish, so waiting never ends too early
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
            for p in pubs {
                let _ = p.await;
            }
            let t_pub_end = us(start);
            let deadline = Instant::now() + Duration::from_secs_f64(args.settle_secs);
            let exp = expected.load(Relaxed);
            let drained = wait_until(&sh, deadline, || sh.received.load(Relaxed) >= exp).await;
            let cpu1 = args.server_pid.and_then(cpu_ms);
            let self1 = self_cpu_ms();
            sh.stop.cancel();
            let received = sh.received.load(Relaxed);
            let t_last = sh.last_recv_us.load(Relaxed).max(t_pub_end);
            let span = (t_last - t0) as f64 / 1e6;
            out["target"] = json!(format!("{:?}", args.target).to_lowercase());
            out["offered_publishes_per_s"] = json!(args.rate);
            out["publishes"] = json!(total as u64 - errs.load(Relaxed));
            out["publish_errors"] = json!(errs.load(Relaxed));
            out["publish_secs"] = json!((t_pub_end - t0) as f64 / 1e6);
            out["offered_deliveries_per_s"] =
                json!((exp as f64 / ((t_pub_end - t0) as f64 / 1e6)).round());
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
            }
            for t in tasks {
                let _ = t.await;
            }
        }
    }
    if let Some(pid) = args.server_pid {
        out["server_rss_kib_end"] = json!(rss_kib(pid));
    }
    println!("{out}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_is_found_in_both_servers_packets() {
        let rtctl = r#"42["notification:broadcast",{"seq":17,"title":"bench"},"1700000000000-3"]"#;
        let node = r#"42["notification",{"seq":4,"body":"x"}]"#;
        assert_eq!(notification_seq(rtctl), Some(17));
        assert_eq!(notification_seq(node), Some(4));
        assert_eq!(notification_seq("430[{}]"), None);
        assert_eq!(notification_seq("2"), None);
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
