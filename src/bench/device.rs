//! Simulated devices: one tokio task per device holding one WebSocket, written for the cost of
//! ~19k connections per process (a 4 KiB read buffer, a bitset of what arrived, nothing else).
//!
//! A device connects with the guide's identity (query `deviceId`, headers `x-device-id` and
//! `x-device-type`), sends CONNECT with its id, joins its department with `subscribe-department`
//! on every connect (as the guide's `socket.on('connect')` does) and answers pings. When its
//! connection ends — cut by the bench, dropped, or closed by the server — it reconnects after
//! socket.io-client's randomized, growing delay and sends back the recovery `pid` and the last
//! offset it received, as the official client does by itself.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{Notify, Semaphore};

use super::stats::{
    department_name, department_of, device_loss, AtomicHist, DeviceTotals, Histogram, Published,
    Sample, SeqSet,
};
use super::wire::{self, Incoming};

/// How a device joins its department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Join {
    /// `subscribe-department` after every connect, waiting for its ack (the guide's client).
    Event,
    /// The `x-department-id` handshake header.
    Header,
    /// No department.
    None,
}

/// How a device talks to the node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// One WebSocket (`transport=websocket` from the start, as the guide's client is set up).
    #[default]
    Websocket,
    /// Engine.IO v4 long-polling only: the handshake GET, then a long-poll GET loop on one
    /// connection and a POST on a second one for what the device sends (2 sockets per device).
    Polling,
}

/// What a set of devices needs to run (sent to worker processes as JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spec {
    /// Where devices connect, round robin.
    pub addrs: Vec<SocketAddr>,
    /// The Socket.IO path, `/socket.io/`.
    pub path: String,
    /// All device ids of the run; this process holds those with `i % of == index`.
    pub ids: Vec<String>,
    pub departments: usize,
    pub join: Join,
    #[serde(default)]
    pub transport: Transport,
    pub src_ips: Vec<IpAddr>,
    pub index: usize,
    pub of: usize,
    pub connect_concurrency: usize,
    pub handshake_timeout_ms: u64,
    /// socket.io-client's reconnectionDelay and reconnectionDelayMax (randomization 0.5).
    pub reconnect_delay_ms: u64,
    pub reconnect_delay_max_ms: u64,
    /// Keep every receiver's latency per publish (fan-out).
    pub per_publish: bool,
    pub sample_ms: u64,
    /// Unix time (ms) the timeline counts from.
    pub t0_unix_ms: u64,
}

/// Microseconds since the Unix epoch: the clock every process of a run shares.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// What the coordinator polls while a scenario runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub devices: u64,
    /// Devices connected (and subscribed) now.
    pub connected: u64,
    /// Devices whose first connect finished (connected or failed).
    pub settled: u64,
    pub failed: u64,
    pub received: u64,
    pub reconnects: u64,
}

struct Device {
    index: usize,
    id: String,
    dept: usize,
    cut: Notify,
    connected: AtomicBool,
    /// Was up once: later connects are reconnects.
    ever_up: AtomicBool,
    seen: Mutex<SeqSet>,
    node: Mutex<Option<Arc<str>>>,
    latencies: Mutex<Vec<(u64, u64)>>,
}

struct Shared {
    spec: Spec,
    devices: Vec<Arc<Device>>,
    gate: Semaphore,
    connected: AtomicU64,
    settled: AtomicU64,
    failed: AtomicU64,
    retries: AtomicU64,
    received: AtomicU64,
    duplicates: AtomicU64,
    gaps: AtomicU64,
    reconnects: AtomicU64,
    hist: AtomicHist,
    timeline: Mutex<Vec<Sample>>,
    first_error: Mutex<Option<String>>,
    stopping: AtomicBool,
    nodes: Mutex<Vec<Arc<str>>>,
}

impl Shared {
    fn note_error(&self, e: String) {
        let mut s = self.first_error.lock().expect("error slot");
        if s.is_none() {
            *s = Some(e);
        }
    }

    fn node_name(&self, name: String) -> Arc<str> {
        let mut v = self.nodes.lock().expect("nodes");
        if let Some(n) = v.iter().find(|n| ***n == *name) {
            return n.clone();
        }
        let n: Arc<str> = name.into();
        v.push(n.clone());
        n
    }
}

/// The devices of one process.
pub struct DeviceSet {
    sh: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl DeviceSet {
    /// Starts every device of this process (connecting at most `connect_concurrency` at once)
    /// and the timeline sampler.
    pub fn start(spec: Spec) -> DeviceSet {
        let of = spec.of.max(1);
        let devices: Vec<Arc<Device>> = spec
            .ids
            .iter()
            .enumerate()
            .filter(|(i, _)| i % of == spec.index)
            .map(|(i, id)| {
                Arc::new(Device {
                    index: i,
                    id: id.clone(),
                    dept: department_of(i, spec.departments),
                    cut: Notify::new(),
                    connected: AtomicBool::new(false),
                    ever_up: AtomicBool::new(false),
                    seen: Mutex::new(SeqSet::default()),
                    node: Mutex::new(None),
                    latencies: Mutex::new(Vec::new()),
                })
            })
            .collect();
        let sh = Arc::new(Shared {
            gate: Semaphore::new(spec.connect_concurrency.max(1)),
            spec,
            devices,
            connected: AtomicU64::new(0),
            settled: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            received: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            gaps: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            hist: AtomicHist::default(),
            timeline: Mutex::new(Vec::new()),
            first_error: Mutex::new(None),
            stopping: AtomicBool::new(false),
            nodes: Mutex::new(Vec::new()),
        });
        let mut tasks: Vec<_> = sh
            .devices
            .iter()
            .map(|d| tokio::spawn(run_device(sh.clone(), d.clone())))
            .collect();
        tasks.push(tokio::spawn(sample(sh.clone())));
        DeviceSet { sh, tasks }
    }

    pub fn status(&self) -> Status {
        let sh = &self.sh;
        Status {
            devices: sh.devices.len() as u64,
            connected: sh.connected.load(Relaxed),
            settled: sh.settled.load(Relaxed),
            failed: sh.failed.load(Relaxed),
            received: sh.received.load(Relaxed),
            reconnects: sh.reconnects.load(Relaxed),
        }
    }

    /// Every delivery's latency so far (a cumulative snapshot).
    pub fn latency(&self) -> Histogram {
        self.sh.hist.snapshot()
    }

    /// Ends every open connection at once (the devices reconnect by themselves).
    pub fn drop_all(&self) -> u64 {
        self.cut_where(|_| true)
    }

    /// Ends the connections of about `fraction` of the connected devices, chosen by `seed`.
    pub fn cut(&self, fraction: f64, seed: u64) -> u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        self.cut_where(|_| rng.random::<f64>() < fraction)
    }

    fn cut_where(&self, mut pick: impl FnMut(&Device) -> bool) -> u64 {
        let mut n = 0;
        for d in &self.sh.devices {
            if d.connected.load(Relaxed) && pick(d) {
                d.cut.notify_one();
                n += 1;
            }
        }
        n
    }

    /// Stops every device and counts, device by device, what was addressed to it and never
    /// arrived.
    pub fn finish(self, pubs: &[Published]) -> DeviceTotals {
        let sh = &self.sh;
        sh.stopping.store(true, Relaxed);
        for t in &self.tasks {
            t.abort();
        }
        let mut t = DeviceTotals {
            devices: sh.devices.len() as u64,
            connected: sh.connected.load(Relaxed),
            failed: sh.failed.load(Relaxed),
            retries: sh.retries.load(Relaxed),
            reconnects: sh.reconnects.load(Relaxed),
            received: sh.received.load(Relaxed),
            duplicates: sh.duplicates.load(Relaxed),
            gaps: sh.gaps.load(Relaxed),
            latency: sh.hist.snapshot(),
            timeline: sh.timeline.lock().expect("timeline").clone(),
            first_error: sh.first_error.lock().expect("error slot").clone(),
            ..Default::default()
        };
        let mut per_publish: std::collections::BTreeMap<u64, Vec<u64>> = Default::default();
        for d in &sh.devices {
            let (e, l) = device_loss(&d.seen.lock().expect("seen"), d.index, d.dept, pubs);
            t.expected += e;
            t.lost += l;
            t.devices_with_loss += u64::from(l > 0);
            if let Some(n) = d.node.lock().expect("node").as_ref() {
                *t.per_node.entry(n.to_string()).or_default() += 1;
            }
            for &(seq, lat) in d.latencies.lock().expect("latencies").iter() {
                per_publish.entry(seq).or_default().push(lat);
            }
        }
        t.per_publish = per_publish
            .into_iter()
            .map(|(k, v)| (k, Histogram::from_values(&v)))
            .collect();
        t
    }
}

/// Every `sample_ms`: connected devices, deliveries so far, latency of the last interval.
async fn sample(sh: Arc<Shared>) {
    let period = Duration::from_millis(sh.spec.sample_ms.max(10));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut before = Histogram::default();
    loop {
        tick.tick().await;
        let now = sh.hist.snapshot();
        let w = now.minus(&before);
        before = now;
        let s = Sample {
            t_ms: (now_us() / 1000).saturating_sub(sh.spec.t0_unix_ms),
            connected: sh.connected.load(Relaxed),
            delivered: sh.received.load(Relaxed),
            p50_ms: w.percentile_ms(50.0),
            p99_ms: w.percentile_ms(99.0),
            window: w.total(),
        };
        sh.timeline.lock().expect("timeline").push(s);
    }
}

/// How one connection ended.
enum End {
    /// The bench cut it.
    Cut,
    /// It never got to CONNECT (refused, timed out, upgrade failed).
    Failed(String),
    /// The server or the network ended it after CONNECT.
    Closed(String),
}

/// What a device keeps across its connections.
#[derive(Default)]
struct Memory {
    pid: Option<String>,
    offset: Option<String>,
}

async fn run_device(sh: Arc<Shared>, d: Arc<Device>) {
    let mut mem = Memory::default();
    // The first connect goes through the gate, up to 3 attempts.
    let mut attempt = 0;
    loop {
        attempt += 1;
        let permit = sh.gate.acquire().await;
        let end = connection(&sh, &d, &mut mem, permit.ok()).await;
        match end {
            End::Failed(e) => {
                sh.note_error(format!("{}: {e}", d.id));
                if attempt == 3 {
                    sh.failed.fetch_add(1, Relaxed);
                    sh.settled.fetch_add(1, Relaxed);
                    return;
                }
                sh.retries.fetch_add(1, Relaxed);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            End::Closed(e) => {
                sh.note_error(format!("{}: closed: {e}", d.id));
                break;
            }
            End::Cut => break,
        }
    }
    // Reconnect forever (socket.io-client's default), until the bench stops.
    let mut rng = ChaCha8Rng::seed_from_u64(d.index as u64 ^ 0x9e37_79b9);
    let mut attempts = 0u32;
    while !sh.stopping.load(Relaxed) {
        attempts += 1;
        let base = sh.spec.reconnect_delay_ms as f64 * 2f64.powi(attempts as i32 - 1);
        let jitter = 1.0 + 0.5 * (2.0 * rng.random::<f64>() - 1.0);
        let ms = (base * jitter).min(sh.spec.reconnect_delay_max_ms as f64);
        tokio::time::sleep(Duration::from_micros((ms * 1000.0) as u64)).await;
        match connection(&sh, &d, &mut mem, None).await {
            End::Failed(e) => sh.note_error(format!("{} (reconnect): {e}", d.id)),
            End::Closed(e) => {
                if !sh.stopping.load(Relaxed) {
                    sh.note_error(format!("{}: closed: {e}", d.id));
                }
                attempts = 0;
            }
            End::Cut => attempts = 0,
        }
    }
}

/// One connection of a device, from the TCP connect to its end.
async fn connection(
    sh: &Shared,
    d: &Device,
    mem: &mut Memory,
    permit: Option<tokio::sync::SemaphorePermit<'_>>,
) -> End {
    if sh.spec.transport == Transport::Polling {
        return polling_connection(sh, d, mem, permit).await;
    }
    let timeout = Duration::from_millis(sh.spec.handshake_timeout_ms);
    let hs = tokio::time::timeout(timeout, open(sh, d, mem)).await;
    let (mut tcp, mut buf) = match hs {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return End::Failed(e),
        Err(_) => return End::Failed(format!("handshake timed out ({} ms)", timeout.as_millis())),
    };
    drop(permit);
    let deadline = Instant::now() + timeout;
    let mut up = false;
    let mut partial: Vec<u8> = Vec::new();
    // One waiter for a cut for the whole connection, not one registered and dropped per read.
    let cut = d.cut.notified();
    tokio::pin!(cut);
    let end = loop {
        // parse every complete frame
        let mut pos = 0;
        let mut out = Vec::new();
        let mut ended = None;
        loop {
            let fr = match wire::server_frame(&buf[pos..]) {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    ended = Some(e);
                    break;
                }
            };
            let payload = pos + fr.payload.start..pos + fr.payload.end;
            pos += fr.payload.end;
            match fr.opcode {
                0x0..=0x2 => {
                    let msg: &[u8] = if fr.fin && fr.opcode != 0 && partial.is_empty() {
                        &buf[payload]
                    } else {
                        partial.extend_from_slice(&buf[payload]);
                        if !fr.fin {
                            continue;
                        }
                        &partial
                    };
                    match on_message(sh, d, mem, msg, &mut up, Out::Ws(&mut out)) {
                        Ok(()) => {}
                        Err(e) => ended = Some(e),
                    }
                    if fr.fin {
                        partial.clear();
                    }
                }
                0x8 => ended = Some("close frame from the server".into()),
                0x9 => {
                    let p = buf[payload].to_vec();
                    wire::client_frame(&mut out, 0xA, &p);
                }
                _ => {}
            }
            if ended.is_some() {
                break;
            }
        }
        buf.drain(..pos);
        if !out.is_empty() {
            if let Err(e) = tcp.write_all(&out).await {
                ended.get_or_insert(format!("write: {e}"));
            }
        }
        if let Some(e) = ended {
            break if up { End::Closed(e) } else { End::Failed(e) };
        }
        if buf.capacity() - buf.len() < 1024 {
            buf.reserve(4096);
        }
        let read = if up {
            tokio::select! {
                r = tcp.read_buf(&mut buf) => r,
                _ = &mut cut => break End::Cut,
            }
        } else {
            match tokio::time::timeout_at(deadline.into(), tcp.read_buf(&mut buf)).await {
                Ok(r) => r,
                Err(_) => break End::Failed("no CONNECT reply or subscribe ack in time".into()),
            }
        };
        match read {
            Ok(0) => {
                break if up {
                    End::Closed("end of stream".into())
                } else {
                    End::Failed("connection closed by the server".into())
                }
            }
            Ok(_) => {}
            Err(e) => {
                break if up {
                    End::Closed(format!("read: {e}"))
                } else {
                    End::Failed(format!("read: {e}"))
                }
            }
        }
    };
    if up {
        d.connected.store(false, Relaxed);
        sh.connected.fetch_sub(1, Relaxed);
    }
    end
}

/// Where a device's answers go: WebSocket frames, or the body of the next polling POST.
enum Out<'a> {
    Ws(&'a mut Vec<u8>),
    Poll(&'a mut Vec<u8>),
}

impl Out<'_> {
    fn send(&mut self, packet: &[u8]) {
        match self {
            Out::Ws(b) => wire::client_frame(b, 0x1, packet),
            Out::Poll(b) => wire::polling_push(b, packet),
        }
    }
}

/// Handles one text message; `Err` ends the connection.
fn on_message(
    sh: &Shared,
    d: &Device,
    mem: &mut Memory,
    msg: &[u8],
    up: &mut bool,
    mut out: Out<'_>,
) -> Result<(), String> {
    match wire::classify(msg) {
        Incoming::Ping => out.send(b"3"),
        Incoming::Open => {
            let c = wire::connect_packet(&d.id, mem.pid.as_deref(), mem.offset.as_deref());
            out.send(c.as_bytes());
        }
        Incoming::Connected { pid } => {
            if pid.is_some() {
                mem.pid = pid;
            }
            if sh.spec.join == Join::Event && sh.spec.departments > 0 {
                let s = wire::subscribe_packet(&department_name(d.dept));
                out.send(s.as_bytes());
            } else {
                went_up(sh, d, up);
            }
        }
        Incoming::Subscribed => went_up(sh, d, up),
        Incoming::ConnectError(e) => return Err(format!("CONNECT refused: {e}")),
        Incoming::Closed => return Err("disconnected by the server".into()),
        Incoming::Gap => {
            sh.gaps.fetch_add(1, Relaxed);
        }
        Incoming::Notification {
            seq,
            sent_us,
            offset,
        } => {
            if let Some(o) = offset {
                // the device's string, reused: no allocation per delivery
                let m = mem.offset.get_or_insert_with(String::new);
                m.clear();
                m.push_str(o);
            }
            if d.seen.lock().expect("seen").insert(seq) {
                sh.received.fetch_add(1, Relaxed);
                let lat = now_us().saturating_sub(sent_us);
                sh.hist.add(lat);
                if sh.spec.per_publish {
                    d.latencies.lock().expect("latencies").push((seq, lat));
                }
            } else {
                sh.duplicates.fetch_add(1, Relaxed);
            }
        }
        Incoming::Other => {}
    }
    Ok(())
}

fn went_up(sh: &Shared, d: &Device, up: &mut bool) {
    if *up {
        return;
    }
    *up = true;
    d.connected.store(true, Relaxed);
    sh.connected.fetch_add(1, Relaxed);
    if d.ever_up.swap(true, Relaxed) {
        sh.reconnects.fetch_add(1, Relaxed);
    } else {
        sh.settled.fetch_add(1, Relaxed);
    }
}

/// TCP connect, WebSocket upgrade; returns the stream and the bytes read past the head.
async fn open(sh: &Shared, d: &Device, _mem: &Memory) -> Result<(TcpStream, Vec<u8>), String> {
    let spec = &sh.spec;
    let (mut tcp, addr) = tcp_connect(sh, d).await?;
    let header =
        (spec.join == Join::Header && spec.departments > 0).then(|| department_name(d.dept));
    let req = wire::upgrade_request(&addr.to_string(), &spec.path, &d.id, header.as_deref());
    tcp.write_all(req.as_bytes())
        .await
        .map_err(|e| format!("upgrade request: {e}"))?;
    let mut buf = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if buf.len() > 16 << 10 || tcp.read_buf(&mut buf).await.map_err(|e| e.to_string())? == 0 {
            return Err("no upgrade response".into());
        }
    };
    let (status, node) = wire::response_head(&buf[..head_end]);
    if status != Some(101) {
        let line = String::from_utf8_lossy(&buf[..head_end.min(200)]).into_owned();
        return Err(format!(
            "upgrade refused: {}",
            line.lines().next().unwrap_or("")
        ));
    }
    if let Some(n) = node {
        let n = sh.node_name(n);
        *d.node.lock().expect("node") = Some(n);
    }
    buf.drain(..head_end);
    Ok((tcp, buf))
}

/// A TCP connection of a device to its node: from its source address, reset on close.
async fn tcp_connect(sh: &Shared, d: &Device) -> Result<(TcpStream, SocketAddr), String> {
    let spec = &sh.spec;
    let sock = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
    // A device that goes away resets its connection (SO_LINGER 0): no TIME_WAIT is left on this
    // side. With FIN, every run (and every cut) would leave its connections in TIME_WAIT for a
    // minute, and the handshakes of the next runs crawl once those hold most of the ephemeral
    // ports of a source address (10,000-device runs went from 1 s to 25 s to connect).
    sock.set_zero_linger()
        .map_err(|e| format!("SO_LINGER: {e}"))?;
    if !spec.src_ips.is_empty() {
        let ip = spec.src_ips[d.index % spec.src_ips.len()];
        sock.bind(SocketAddr::new(ip, 0))
            .map_err(|e| format!("bind {ip}: {e}"))?;
    }
    let addr = spec.addrs[d.index % spec.addrs.len()];
    let tcp = sock
        .connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
    Ok((tcp, addr))
}

/// Reads one response (the head and a `content-length` body) from a kept-alive connection:
/// its status, the `x-rtctl-node` header and the body.
async fn http_response(
    tcp: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Result<(Option<u16>, Option<String>, Vec<u8>), String> {
    buf.clear();
    loop {
        if let Some((head_end, len)) = wire::response_framing(buf)? {
            while buf.len() < head_end + len {
                if tcp.read_buf(buf).await.map_err(|e| format!("read: {e}"))? == 0 {
                    return Err("connection closed in a response body".into());
                }
            }
            let (status, node) = wire::response_head(&buf[..head_end]);
            let body = buf[head_end..head_end + len].to_vec();
            return Ok((status, node, body));
        }
        if tcp.read_buf(buf).await.map_err(|e| format!("read: {e}"))? == 0 {
            return Err("connection closed by the server".into());
        }
    }
}

/// One polling request and its answer's body (a status other than 200 is an error).
async fn poll_exchange(
    tcp: &mut TcpStream,
    buf: &mut Vec<u8>,
    req: &[u8],
) -> Result<(Option<String>, Vec<u8>), String> {
    tcp.write_all(req)
        .await
        .map_err(|e| format!("write: {e}"))?;
    let (status, node, body) = http_response(tcp, buf).await?;
    if status != Some(200) {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        return Err(format!("answered {}: {text}", status.unwrap_or(0)));
    }
    Ok((node, body))
}

/// One Engine.IO long-polling session of a device: the handshake GET, then GETs in a loop
/// (each held by the server until it has packets or a ping), what the device answers POSTed on
/// a second connection.
async fn polling_connection(
    sh: &Shared,
    d: &Device,
    mem: &mut Memory,
    permit: Option<tokio::sync::SemaphorePermit<'_>>,
) -> End {
    let spec = &sh.spec;
    let timeout = Duration::from_millis(spec.handshake_timeout_ms);
    let deadline = Instant::now() + timeout;
    let header =
        (spec.join == Join::Header && spec.departments > 0).then(|| department_name(d.dept));
    let header = header.as_deref();
    let mut buf = Vec::with_capacity(2048);
    let handshake = async {
        let (mut get, addr) = tcp_connect(sh, d).await?;
        let host = addr.to_string();
        let req = wire::polling_request(&host, &spec.path, &d.id, None, header, None);
        let (node, body) = poll_exchange(&mut get, &mut buf, &req)
            .await
            .map_err(|e| format!("polling handshake: {e}"))?;
        let sid = wire::polling_packets(&body)
            .find_map(wire::open_sid)
            .ok_or("polling handshake: no open packet")?;
        let post = tcp_connect(sh, d).await?.0;
        Ok::<_, String>((get, post, host, sid, node, body))
    };
    let (mut get, mut post, host, sid, node, mut body) =
        match tokio::time::timeout(timeout, handshake).await {
            Ok(Ok(x)) => x,
            Ok(Err(e)) => return End::Failed(e),
            Err(_) => {
                return End::Failed(format!("handshake timed out ({} ms)", timeout.as_millis()))
            }
        };
    drop(permit);
    if let Some(n) = node {
        let n = sh.node_name(n);
        *d.node.lock().expect("node") = Some(n);
    }
    let mut up = false;
    let mut out = Vec::new();
    let mut post_buf = Vec::with_capacity(256);
    let end = loop {
        let mut ended = None;
        for packet in wire::polling_packets(&body) {
            if let Err(e) = on_message(sh, d, mem, packet, &mut up, Out::Poll(&mut out)) {
                ended = Some(e);
                break;
            }
        }
        if ended.is_none() && !out.is_empty() {
            let req =
                wire::polling_request(&host, &spec.path, &d.id, Some(&sid), header, Some(&out));
            out.clear();
            let sent = tokio::time::timeout(timeout, poll_exchange(&mut post, &mut post_buf, &req));
            match sent.await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => ended = Some(format!("POST {e}")),
                Err(_) => ended = Some("POST not answered in time".into()),
            }
        }
        if let Some(e) = ended {
            break if up { End::Closed(e) } else { End::Failed(e) };
        }
        let req = wire::polling_request(&host, &spec.path, &d.id, Some(&sid), header, None);
        let got = if up {
            tokio::select! {
                r = poll_exchange(&mut get, &mut buf, &req) => r,
                _ = d.cut.notified() => break End::Cut,
            }
        } else {
            match tokio::time::timeout_at(deadline.into(), poll_exchange(&mut get, &mut buf, &req))
                .await
            {
                Ok(r) => r,
                Err(_) => break End::Failed("no CONNECT reply or subscribe ack in time".into()),
            }
        };
        match got {
            Ok((_, b)) => body = b,
            Err(e) => {
                let e = format!("GET {e}");
                break if up { End::Closed(e) } else { End::Failed(e) };
            }
        }
    };
    if up {
        d.connected.store(false, Relaxed);
        sh.connected.fetch_sub(1, Relaxed);
    }
    end
}
