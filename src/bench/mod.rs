//! `rtctl bench`: simulated devices against a node or a gateway, counting every notification
//! by its sequence number (and resuming from its offset), so loss is counted, not guessed.
//!
//! Pure parts: [`stats`] (histograms, who should have received what, merging workers),
//! [`wire`] (client framing and packets), [`report`] (table, JSON, SVG chart). I/O parts:
//! [`device`] (one task per device), [`publish`], [`probe`] (the node's memory and CPU),
//! [`worker`] (`--workers K` child processes) and the scenario drivers here.
//!
//! Scenarios (every one ends by counting, device by device, what was addressed to it and never
//! arrived):
//! - `idle`: connect, hold, the node's memory per connection, then one broadcast as a check;
//! - `fanout`: rounds of one broadcast, one department notification and one direct
//!   notification, each waited for: p50 / p99 / time to the last receiver per kind;
//! - `throughput`: broadcasts at a rate growing geometrically (`rate_factor`, doubling by
//!   default) every step until the deliveries do not drain or fall under half the offered rate;
//!   with `stop_after_fail` already at the first step with loss or p99 over the limit. The
//!   sustained rate is the best step with 0 lost and p99 within the limit;
//! - `jitter`: a stream of notifications while a fraction of the connections is cut again and
//!   again; delivered ÷ expected once everyone is back;
//! - `avalanche`: every connection dropped at once (or the node killed and restarted) while
//!   notifications are published; time until all are back and caught up.

pub mod calibrate;
pub mod device;
pub mod gateway;
pub mod probe;
pub mod publish;
pub mod report;
pub mod stats;
pub mod wire;
pub mod worker;

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use device::{now_us, Join, Spec, Status, Transport};
use report::{
    AvalancheReport, BenchReport, ConnectReport, Deliveries, FanoutRow, JitterReport, NodeReport,
    StepRow,
};
use stats::{audience_size, Audience, DeviceTotals, Histogram, Published};
use worker::Holder;

/// The scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    Idle,
    Fanout,
    Throughput,
    Jitter,
    Avalanche,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Idle => "idle",
            Scenario::Fanout => "fanout",
            Scenario::Throughput => "throughput",
            Scenario::Jitter => "jitter",
            Scenario::Avalanche => "avalanche",
        }
    }
}

/// How `avalanche` takes every device away at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// Every device's connection ends at once (the node stays up).
    #[default]
    Cut,
    /// The node is killed (SIGKILL) and, with `restart_cmd`, started again by the bench;
    /// otherwise its supervisor (systemd, PM2) is expected to restart it.
    Kill,
}

/// Everything a run needs (built from the command line at the edge).
#[derive(Debug, Clone)]
pub struct Options {
    pub scenario: Scenario,
    /// `http://HOST:PORT` of the node or the gateway devices connect to.
    pub url: String,
    /// More nodes: devices spread round robin over `url` and these (device i on node i mod k).
    pub also_urls: Vec<String>,
    /// Where publishes go (default: `url`).
    pub publish_url: Option<String>,
    pub api_key: Option<String>,
    pub devices: usize,
    pub departments: usize,
    pub seed: u64,
    pub join: Join,
    pub transport: Transport,
    pub workers: usize,
    pub src_ips: Vec<IpAddr>,
    pub connect_concurrency: usize,
    pub connect_timeout: Duration,
    pub hold: Duration,
    pub rounds: usize,
    pub rate: f64,
    pub duration: Duration,
    pub steps: usize,
    /// Throughput: each step's rate is the previous one's times this.
    pub rate_factor: f64,
    /// Throughput: end the ramp at the first step that is not sustained (loss, not drained, or
    /// p99 over the limit), not only when deliveries stop draining.
    pub stop_after_fail: bool,
    pub p99_limit_ms: f64,
    pub cut_fraction: f64,
    pub cut_every: Duration,
    pub failure: Failure,
    /// Shell command (`sh -c`) that starts the node again after `Failure::Kill`.
    pub restart_cmd: Option<String>,
    pub reconnect_delay_ms: u64,
    pub reconnect_delay_max_ms: u64,
    pub settle: Duration,
    pub payload_bytes: usize,
    pub publish_concurrency: usize,
    pub server_pid: Option<u32>,
    /// Redis of the fleet: devices per node from the nodes' heartbeats too.
    pub redis: Option<String>,
    pub namespace: String,
    pub sample_ms: u64,
    pub progress: bool,
}

/// `http://host:port[/]` → the address.
pub fn parse_url(url: &str) -> Result<SocketAddr, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("expected http://HOST:PORT, got {url:?}"))?;
    let hostport = rest.trim_end_matches('/');
    if hostport.contains('/') {
        return Err(format!(
            "expected http://HOST:PORT without a path, got {url:?}"
        ));
    }
    hostport
        .to_socket_addrs()
        .map_err(|e| format!("{url:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("{url:?} resolves to no address"))
}

/// Source addresses for worker `w` of `k`: the given ones, else 127.0.0.(10 + w) when the
/// target is on loopback and there is more than one worker.
pub fn worker_sources(given: &[IpAddr], target: SocketAddr, w: usize, k: usize) -> Vec<IpAddr> {
    if !given.is_empty() {
        let mine: Vec<IpAddr> = given
            .iter()
            .enumerate()
            .filter(|(i, _)| i % k == w % k)
            .map(|(_, ip)| *ip)
            .collect();
        return if mine.is_empty() {
            vec![given[w % given.len()]]
        } else {
            mine
        };
    }
    if k > 1 && target.ip().is_loopback() {
        return vec![IpAddr::from([127, 0, 0, (10 + w % 240) as u8])];
    }
    Vec::new()
}

struct Run {
    holders: Vec<Holder>,
    publisher: Arc<publish::Publisher>,
    pubs: Arc<Mutex<Vec<Published>>>,
    seq: Arc<AtomicU64>,
    errors: Arc<AtomicU64>,
    opts: Options,
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
}

impl Run {
    async fn status(&mut self) -> Result<Status, String> {
        let mut s = Status::default();
        for h in &mut self.holders {
            let x = h.status().await?;
            s.devices += x.devices;
            s.connected += x.connected;
            s.settled += x.settled;
            s.failed += x.failed;
            s.received += x.received;
            s.reconnects += x.reconnects;
        }
        if let Some(b) = &self.bar {
            b.set_length(s.devices);
            b.set_position(s.connected);
            b.set_message(format!("{} delivered", s.received));
        }
        Ok(s)
    }

    /// Polls until `cond` holds or `bound` passes; the last status and whether it held.
    async fn wait(
        &mut self,
        bound: Duration,
        cond: impl Fn(&Status) -> bool,
    ) -> Result<(Status, bool), String> {
        let deadline = Instant::now() + bound;
        loop {
            let s = self.status().await?;
            if cond(&s) {
                return Ok((s, true));
            }
            if Instant::now() >= deadline {
                return Ok((s, false));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every delivery's latency so far, over all holders (cumulative: a step's own is the
    /// difference of two snapshots).
    async fn latency(&mut self) -> Result<Histogram, String> {
        let mut all = Histogram::default();
        for h in &mut self.holders {
            all.merge(&h.latency().await?);
        }
        Ok(all)
    }

    /// Deliveries the accepted publishes add up to.
    fn expected(&self) -> u64 {
        self.pubs
            .lock()
            .expect("pubs")
            .iter()
            .map(|p| audience_size(&p.to, self.opts.devices, self.opts.departments))
            .sum()
    }

    async fn publish(&self, to: Audience) -> bool {
        publish_one(
            &self.publisher,
            &self.pubs,
            &self.seq,
            &self.errors,
            &self.opts,
            to,
        )
        .await
    }

    /// Publishes, retrying every 50 ms until `until` while the node does not accept it (down
    /// after a kill); only the last failure counts as a publish error.
    async fn publish_retrying(&self, to: Audience, until: Instant) -> bool {
        loop {
            let s = self.seq.fetch_add(1, Relaxed);
            let body = wire::payload(s, now_us(), self.opts.payload_bytes);
            match self.publisher.publish(&to, &body).await {
                Ok(()) => {
                    self.pubs
                        .lock()
                        .expect("pubs")
                        .push(Published { seq: s, to });
                    return true;
                }
                Err(e) if Instant::now() >= until => {
                    if self.errors.fetch_add(1, Relaxed) == 0 {
                        tracing::warn!(error = %e, "publish failed");
                    }
                    return false;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Publishes at `rate`/s for `dur` in the background, choosing targets with `pick(k)`.
    fn stream(
        &self,
        rate: f64,
        dur: Duration,
        pick: fn(u64, &Options) -> Audience,
    ) -> tokio::task::JoinHandle<()> {
        let (p, pubs, seq, errs, opts) = (
            self.publisher.clone(),
            self.pubs.clone(),
            self.seq.clone(),
            self.errors.clone(),
            self.opts.clone(),
        );
        tokio::spawn(async move {
            let gate = Arc::new(tokio::sync::Semaphore::new(opts.publish_concurrency.max(1)));
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(0.01)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let end = Instant::now() + dur;
            let mut k = 0u64;
            let mut inflight = Vec::new();
            while Instant::now() < end {
                tick.tick().await;
                if Instant::now() >= end {
                    break;
                }
                let Ok(permit) = gate.clone().acquire_owned().await else {
                    break;
                };
                let to = pick(k, &opts);
                k += 1;
                let (p, pubs, seq, errs, opts) = (
                    p.clone(),
                    pubs.clone(),
                    seq.clone(),
                    errs.clone(),
                    opts.clone(),
                );
                inflight.push(tokio::spawn(async move {
                    publish_one(&p, &pubs, &seq, &errs, &opts, to).await;
                    drop(permit);
                }));
            }
            for t in inflight {
                let _ = t.await;
            }
        })
    }
}

async fn publish_one(
    p: &publish::Publisher,
    pubs: &Mutex<Vec<Published>>,
    seq: &AtomicU64,
    errs: &AtomicU64,
    opts: &Options,
    to: Audience,
) -> bool {
    let s = seq.fetch_add(1, Relaxed);
    let body = wire::payload(s, now_us(), opts.payload_bytes);
    match p.publish(&to, &body).await {
        Ok(()) => {
            pubs.lock().expect("pubs").push(Published { seq: s, to });
            true
        }
        Err(e) => {
            if errs.fetch_add(1, Relaxed) == 0 {
                tracing::warn!(error = %e, "publish failed");
            }
            false
        }
    }
}

/// The mixed stream of jitter and avalanche: 1 in 10 to all, 1 in 10 to one device, the rest to
/// a department.
fn mixed(k: u64, o: &Options) -> Audience {
    match k % 10 {
        0 => Audience::All,
        9 => Audience::Device((k as usize * 7919) % o.devices.max(1)),
        _ => Audience::Department(k as usize % o.departments.max(1)),
    }
}

fn broadcast(_: u64, _: &Options) -> Audience {
    Audience::All
}

/// Runs one scenario end to end.
pub async fn run(opts: Options) -> Result<BenchReport, String> {
    let target = parse_url(&opts.url)?;
    let publish_addr = parse_url(opts.publish_url.as_deref().unwrap_or(&opts.url))?;
    if opts.devices == 0 {
        return Err("--devices: expected at least 1".into());
    }
    let ids = crate::simulate::ids::generate(opts.devices, opts.seed);
    let started_unix = now_us() / 1_000_000;
    let t0_unix_ms = now_us() / 1000;
    let mut addrs = vec![target];
    for u in &opts.also_urls {
        addrs.push(parse_url(u).map_err(|e| format!("--also-url: {e}"))?);
    }
    let pid = opts.server_pid.or_else(|| probe::listening_pid(target));
    // every node's process, for memory and CPU (the first may be given by --server-pid)
    let nodes: Vec<(SocketAddr, Option<u32>)> = addrs
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                *a,
                if i == 0 {
                    pid
                } else {
                    probe::listening_pid(*a)
                },
            )
        })
        .collect();
    let rss_before = nodes_rss(&nodes, opts.api_key.as_deref()).await;
    let workers = opts.workers.max(1);
    let mut holders = Vec::with_capacity(workers);
    for w in 0..workers {
        let spec = Spec {
            addrs: addrs.clone(),
            path: "/socket.io/".into(),
            ids: ids.clone(),
            departments: opts.departments,
            join: opts.join,
            transport: opts.transport,
            src_ips: worker_sources(&opts.src_ips, target, w, workers),
            index: w,
            of: workers,
            connect_concurrency: (opts.connect_concurrency / workers).max(1),
            handshake_timeout_ms: 30_000,
            reconnect_delay_ms: opts.reconnect_delay_ms,
            reconnect_delay_max_ms: opts.reconnect_delay_max_ms,
            per_publish: opts.scenario == Scenario::Fanout,
            sample_ms: opts.sample_ms,
            t0_unix_ms,
        };
        holders.push(Holder::start(spec, workers > 1).await?);
    }
    let bar = opts.progress.then(|| {
        let b = indicatif::ProgressBar::new(opts.devices as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix} [{bar:30}] {pos}/{len} connected · {msg} · {elapsed}",
            )
            .expect("progress template")
            .progress_chars("=> "),
        );
        b.set_prefix(opts.scenario.name());
        b.enable_steady_tick(Duration::from_millis(200));
        b
    });
    let mut run = Run {
        holders,
        publisher: Arc::new(publish::Publisher::new(
            publish_addr,
            opts.api_key.clone(),
            ids,
        )),
        pubs: Arc::new(Mutex::new(Vec::new())),
        seq: Arc::new(AtomicU64::new(0)),
        errors: Arc::new(AtomicU64::new(0)),
        opts: opts.clone(),
        bar,
        started: Instant::now(),
    };

    // Connect everyone (bounded).
    let n = opts.devices as u64;
    let (s, _) = run.wait(opts.connect_timeout, |s| s.settled >= n).await?;
    let connect_secs = run.started.elapsed().as_secs_f64();
    let connected_first = s.settled.saturating_sub(s.failed);
    if connected_first == 0 {
        if let Some(b) = &run.bar {
            b.finish_and_clear();
        }
        let pubs = Vec::new();
        let first = match run.holders.first_mut() {
            Some(h) => h.finish(&pubs).await.ok().and_then(|t| t.first_error),
            None => None,
        };
        return Err(format!(
            "none of {} devices connected within {:.0} s{}",
            opts.devices,
            opts.connect_timeout.as_secs_f64(),
            first
                .map(|e| format!(" (first error: {e})"))
                .unwrap_or_default()
        ));
    }
    let connect = ConnectReport {
        connected: connected_first,
        failed: s.failed,
        retries: 0,
        secs: round(connect_secs, 3),
        handshakes_per_sec: round(connected_first as f64 / connect_secs.max(1e-3), 1),
    };
    // Let the node settle its buffers before reading its memory (idle reads it again at the end
    // of --hold: the handshakes' transient buffers are returned by then).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_connected = nodes_rss(&nodes, opts.api_key.as_deref()).await;
    let per_connection = |before: Option<u64>, after: Option<u64>, conns: u64| match (before, after)
    {
        (Some(a), Some(b)) if conns > 0 => {
            Some(round(b.saturating_sub(a) as f64 / conns as f64, 0))
        }
        _ => None,
    };
    let mut node = NodeReport {
        pid,
        rss_before_bytes: rss_before,
        rss_connected_bytes: rss_connected,
        memory_per_connection_bytes: per_connection(rss_before, rss_connected, s.connected),
        ..Default::default()
    };
    let cpu0 = nodes_cpu(&nodes);

    let mut fanout_kinds: Vec<(u64, &'static str)> = Vec::new();
    let mut steps: Vec<StepRow> = Vec::new();
    let mut jitter = None;
    let mut avalanche = None;
    let settle = opts.settle;
    match opts.scenario {
        Scenario::Idle => {
            tokio::time::sleep(opts.hold).await;
            if !opts.hold.is_zero() {
                let held = run.status().await?.connected;
                let rss = nodes_rss(&nodes, opts.api_key.as_deref()).await;
                if rss.is_some() {
                    node.rss_connected_bytes = rss;
                    node.memory_per_connection_bytes = per_connection(rss_before, rss, held);
                }
            }
            let want = run.status().await?.received + s.connected;
            if run.publish(Audience::All).await {
                run.wait(settle, |x| x.received >= want).await?;
            }
        }
        Scenario::Fanout => {
            for r in 0..opts.rounds.max(1) {
                let kinds = [
                    (Audience::All, "all"),
                    (
                        Audience::Department(r % opts.departments.max(1)),
                        "department",
                    ),
                    (Audience::Device((r * 7919) % opts.devices), "device"),
                ];
                for (to, name) in kinds {
                    let before = run.status().await?.received;
                    let want = before + audience_size(&to, opts.devices, opts.departments);
                    let seq = run.seq.load(Relaxed);
                    if run.publish(to).await {
                        fanout_kinds.push((seq, name));
                        run.wait(settle, |x| x.received >= want).await?;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        Scenario::Throughput => {
            let mut rate = opts.rate;
            for _ in 0..opts.steps.max(1) {
                let before = run.status().await?.received;
                let exp0 = run.expected();
                let hist0 = run.latency().await?;
                let t = Instant::now();
                run.stream(rate, opts.duration, broadcast)
                    .await
                    .map_err(|e| e.to_string())?;
                let want = run.expected();
                let (after, drained) = run
                    .wait(settle, |x| x.received >= before + (want - exp0))
                    .await?;
                let span = t.elapsed().as_secs_f64();
                let got = after.received - before;
                let offered = rate * s.connected as f64;
                // the step's own deliveries: what the histogram counted since the step began
                let step = run.latency().await?.minus(&hist0);
                let (p50_ms, p99_ms) = (step.percentile_ms(50.0), step.percentile_ms(99.0));
                let mut row = StepRow {
                    offered_publishes_per_sec: round(rate, 3),
                    offered_deliveries_per_sec: round(offered, 0),
                    deliveries_per_sec: round(got as f64 / span.max(1e-3), 0),
                    p50_ms,
                    p99_ms,
                    lost: (want - exp0).saturating_sub(got),
                    drained,
                    sustained: false,
                };
                row.sustained = row.within(opts.p99_limit_ms);
                let stop = !drained
                    || (got as f64 / span) < 0.5 * offered
                    || (opts.stop_after_fail && !row.sustained);
                steps.push(row);
                if stop {
                    break;
                }
                rate *= opts.rate_factor;
            }
        }
        Scenario::Jitter => {
            let stream = run.stream(opts.rate, opts.duration, mixed);
            let end = Instant::now() + opts.duration;
            let (mut cuts, mut cut_conns) = (0u64, 0u64);
            while Instant::now() + opts.cut_every < end {
                tokio::time::sleep(opts.cut_every).await;
                cuts += 1;
                for (w, h) in run.holders.iter_mut().enumerate() {
                    cut_conns += h
                        .cut(opts.cut_fraction, opts.seed ^ (cuts << 8) ^ w as u64)
                        .await?;
                }
                run.status().await?;
            }
            stream.await.map_err(|e| e.to_string())?;
            let want = run.expected();
            run.wait(settle, |x| {
                x.connected >= connected_first && x.received >= want
            })
            .await?;
            jitter = Some((cuts, cut_conns));
        }
        Scenario::Avalanche => {
            run.stream(opts.rate, Duration::from_secs(1), mixed)
                .await
                .map_err(|e| e.to_string())?;
            let warm = run.expected();
            run.wait(settle, |x| x.received >= warm).await?;
            let before = run.status().await?;
            let base = before.reconnects;
            let t_drop = Instant::now();
            let mut dropped = 0;
            let mut restarted_pid = None;
            let mut node_back = None;
            match opts.failure {
                Failure::Cut => {
                    for h in &mut run.holders {
                        dropped += h.drop_all().await?;
                    }
                }
                Failure::Kill => {
                    let p = pid.ok_or_else(|| {
                        "--failure: kill needs the node's pid: give --server-pid (no process \
                         listens on --url's port on this machine)"
                            .to_string()
                    })?;
                    dropped = before.connected;
                    kill_node(p, target).await?;
                    if let Some(cmd) = &opts.restart_cmd {
                        restarted_pid = Some(restart_node(cmd)?);
                    }
                }
            }
            let away_from = run.pubs.lock().expect("pubs").len();
            // publish while the devices are away (after a kill: retried until a node accepts)
            let burst = (opts.rate * opts.duration.as_secs_f64()).ceil().max(1.0) as u64;
            let until = Instant::now() + settle;
            for k in 0..burst {
                match opts.failure {
                    Failure::Cut => run.publish(mixed(k, &opts)).await,
                    Failure::Kill => {
                        let ok = run.publish_retrying(mixed(k, &opts), until).await;
                        node_back.get_or_insert(t_drop.elapsed().as_secs_f64());
                        ok
                    }
                };
            }
            let published_while_away = (run.pubs.lock().expect("pubs").len() - away_from) as u64;
            let want = run.expected();
            let mut back = None;
            let mut caught = None;
            let deadline = Instant::now() + settle;
            while Instant::now() < deadline {
                let x = run.status().await?;
                let all_back = x.reconnects >= base + dropped && x.connected >= connected_first;
                if back.is_none() && all_back {
                    back = Some(t_drop.elapsed().as_secs_f64());
                }
                if all_back && x.received >= want {
                    caught = Some(t_drop.elapsed().as_secs_f64());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            avalanche = Some(AvalancheReport {
                failure: match opts.failure {
                    Failure::Cut => "cut".into(),
                    Failure::Kill => "kill".into(),
                },
                restarted_pid,
                publishes_accepted_after_secs: node_back.map(|v| round(v, 3)),
                dropped,
                published_while_away,
                back_secs: back.map(|v| round(v, 3)),
                caught_up_secs: caught.map(|v| round(v, 3)),
            });
        }
    }
    let cpu1 = nodes_cpu(&nodes);
    // every device is connected again at the end of each scenario: what the nodes report
    let heartbeats = match &opts.redis {
        Some(url) => probe::heartbeat_connections(url, &opts.namespace).await?,
        None => Default::default(),
    };
    if let Some(b) = &run.bar {
        b.finish_and_clear();
    }

    // Count, device by device.
    let pubs = run.pubs.lock().expect("pubs").clone();
    let mut parts = Vec::with_capacity(run.holders.len());
    for h in &mut run.holders {
        parts.push(h.finish(&pubs).await?);
    }
    let totals = DeviceTotals::merge(parts, opts.sample_ms.max(10));
    if let (Some(a), Some(b)) = (cpu0, cpu1) {
        node.cpu_secs = Some(round(b - a, 2));
        if totals.received > 0 {
            node.cpu_ms_per_delivery = Some((b - a) * 1000.0 / totals.received as f64);
        }
    }
    let fanout = ["all", "department", "device"]
        .iter()
        .filter_map(|kind| {
            let mut h = Histogram::default();
            let mut publishes = 0;
            for (seq, k) in &fanout_kinds {
                if k == kind {
                    publishes += 1;
                    if let Some(x) = totals.per_publish.get(seq) {
                        h.merge(x);
                    }
                }
            }
            (publishes > 0).then(|| FanoutRow {
                target: kind.to_string(),
                publishes,
                receivers: h.total(),
                latency: h.summary(),
            })
        })
        .collect();
    let sustained = steps
        .iter()
        .filter(|r| r.sustained)
        .map(|r| r.deliveries_per_sec)
        .reduce(f64::max);
    Ok(BenchReport {
        scenario: opts.scenario.name().into(),
        url: opts.url.clone(),
        rtctl_version: env!("CARGO_PKG_VERSION").into(),
        started_unix,
        machine: probe::machine(),
        devices: totals.devices,
        departments: opts.departments,
        workers,
        connect: ConnectReport {
            retries: totals.retries,
            ..connect
        },
        deliveries: Deliveries {
            publishes: pubs.len() as u64,
            publish_errors: run.errors.load(Relaxed),
            expected: totals.expected,
            received: totals.received,
            lost: totals.lost,
            duplicates: totals.duplicates,
            gaps: totals.gaps,
            devices_with_loss: totals.devices_with_loss,
            reconnects: totals.reconnects,
        },
        latency: totals.latency.summary(),
        node,
        fanout,
        throughput: steps,
        sustained_deliveries_per_sec: sustained,
        p99_limit_ms: (opts.scenario == Scenario::Throughput).then_some(opts.p99_limit_ms),
        jitter: jitter.map(|(cuts, connections_cut)| JitterReport {
            cuts,
            connections_cut,
            delivered_ratio: if totals.expected == 0 {
                1.0
            } else {
                (totals.expected - totals.lost) as f64 / totals.expected as f64
            },
        }),
        avalanche,
        per_node: totals.per_node,
        heartbeats,
        gateway: None,
        timeline: totals.timeline,
        first_error: totals.first_error,
    })
}

/// The nodes' RSS added up (`None` unless every node's is known).
async fn nodes_rss(nodes: &[(SocketAddr, Option<u32>)], api_key: Option<&str>) -> Option<u64> {
    let mut sum = 0;
    for (addr, pid) in nodes {
        sum += probe::node_rss(*addr, *pid, api_key).await?;
    }
    Some(sum)
}

/// The nodes' CPU seconds added up (`None` unless every node's is known).
fn nodes_cpu(nodes: &[(SocketAddr, Option<u32>)]) -> Option<f64> {
    nodes.iter().map(|(_, p)| p.and_then(probe::cpu_secs)).sum()
}

/// SIGKILLs the node and waits (at most 10 s) until its process is gone and, when it was the
/// one listening on `addr`, until the port is free (with 10k connections the kernel closes the
/// listener after the leader already shows as exited: a restart at once fails to bind).
async fn kill_node(pid: u32, addr: SocketAddr) -> Result<(), String> {
    let local = probe::listening_pid(addr) == Some(pid);
    let st = tokio::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .await
        .map_err(|e| format!("kill -KILL {pid}: {e}"))?;
    if !st.success() {
        return Err(format!("kill -KILL {pid}: {st}"));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while probe::cpu_secs(pid).is_some_and(|_| !probe::is_zombie(pid)) {
        if Instant::now() >= deadline {
            return Err(format!("node {pid} still running 10 s after SIGKILL"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    while local && probe::is_listening(addr) {
        if Instant::now() >= deadline {
            return Err(format!(
                "{addr} still listened on 10 s after SIGKILL of {pid}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Starts the node again with `sh -c CMD`, detached from the bench (its own process group, no
/// stdin/stdout/stderr: redirect in the command to keep its log); its pid.
fn restart_node(cmd: &str) -> Result<u32, String> {
    use std::os::unix::process::CommandExt;
    let child = std::process::Command::new("sh")
        .args(["-c", cmd])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("--restart-cmd: starting {cmd:?}: {e}"))?;
    Ok(child.id())
}

fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_http_host_port() {
        assert_eq!(
            parse_url("http://127.0.0.1:3000").unwrap(),
            "127.0.0.1:3000".parse().unwrap()
        );
        assert!(parse_url("http://127.0.0.1:3000/").is_ok());
        assert!(parse_url("ws://127.0.0.1:3000").is_err());
        assert!(parse_url("http://127.0.0.1:3000/x").is_err());
    }

    #[test]
    fn workers_get_their_own_loopback_source() {
        let lo: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        assert_eq!(
            worker_sources(&[], lo, 2, 4),
            vec![IpAddr::from([127, 0, 0, 12])]
        );
        assert!(worker_sources(&[], lo, 0, 1).is_empty());
        let remote: SocketAddr = "10.0.0.1:3000".parse().unwrap();
        assert!(worker_sources(&[], remote, 1, 2).is_empty());
    }

    #[test]
    fn the_mixed_stream_reaches_every_kind() {
        let o = test_options();
        let kinds: Vec<Audience> = (0..10).map(|k| mixed(k, &o)).collect();
        assert_eq!(kinds[0], Audience::All);
        assert!(matches!(kinds[9], Audience::Device(_)));
        assert!(matches!(kinds[3], Audience::Department(3)));
    }

    fn test_options() -> Options {
        Options {
            scenario: Scenario::Idle,
            url: "http://127.0.0.1:1".into(),
            also_urls: vec![],
            publish_url: None,
            api_key: None,
            devices: 10,
            departments: 5,
            seed: 1,
            join: Join::Event,
            transport: Transport::Websocket,
            workers: 1,
            src_ips: vec![],
            connect_concurrency: 10,
            connect_timeout: Duration::from_secs(1),
            hold: Duration::ZERO,
            rounds: 1,
            rate: 1.0,
            duration: Duration::from_secs(1),
            steps: 1,
            rate_factor: 2.0,
            stop_after_fail: false,
            p99_limit_ms: 100.0,
            cut_fraction: 0.1,
            cut_every: Duration::from_secs(1),
            failure: Failure::Cut,
            restart_cmd: None,
            reconnect_delay_ms: 100,
            reconnect_delay_max_ms: 1000,
            settle: Duration::from_secs(1),
            payload_bytes: 100,
            publish_concurrency: 4,
            server_pid: None,
            redis: None,
            namespace: "default".into(),
            sample_ms: 250,
            progress: false,
        }
    }
}
