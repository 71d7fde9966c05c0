//! `top`'s state model, pure: fleet samples in (heartbeats, the node index, the log, Redis
//! time), rows and alerts out. No terminal, no clock (every time comes from the sample, which
//! carries Redis server time), no I/O. `ui.rs` renders it; `mod.rs` feeds it.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use crate::fleet::{Fleet, HashAlgorithm, KeySource};
use crate::gateway::{self, GatewaySpec};
use crate::heartbeat::{FleetSample, RECENT};
use crate::output::pct;
use crate::plan::math;
use crate::redis_schema::{parse_offset, Heartbeat, NodeDetail, STALE_AFTER};

/// Two-sided z of the p99 band: a node's connections outside N·p ± 2.576·sd.
pub const P99_Z: f64 = 2.576;
/// Delivery lag (seconds behind the log head) that raises an alert.
pub const LAG_ALERT_SECS: f64 = 5.0;
/// NAT trap: the largest client IP's share of a node's connections that raises an alert (when
/// the gateway hashes on the client IP), counted from this many connections on.
pub const NAT_SHARE: f64 = 0.5;
pub const NAT_MIN_CONNECTIONS: u64 = 10;
/// Samples kept per node for sparklines (one per refresh).
pub const HISTORY: usize = 300;
/// Alerts kept.
pub const MAX_ALERTS: usize = 200;

/// What the fleet file says should be there: nodes, the gateway's predicted shares (the
/// model `plan` and `simulate` use) and the planned per-node ceiling.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// Fleet node id and `IP:PORT`, in gateway order.
    pub nodes: Vec<(String, String)>,
    pub spec: GatewaySpec,
    /// `plan`'s binding per-node connection ceiling, and its resource.
    pub ceiling: u64,
    pub binding: &'static str,
    /// The gateway hashes on the client address (where one NAT address pins many devices to
    /// one node).
    pub hashes_on_ip: bool,
    pub gateway: String,
}

impl Expectation {
    /// From a validated fleet file.
    pub fn from_fleet(f: &Fleet) -> Expectation {
        let p = &f.profile;
        let w = &f.workload;
        // The same ceiling `plan` reports (plan::report: ceilings → binding).
        let r = math::deliveries_per_connection(
            w.devices,
            w.departments,
            w.broadcasts_per_minute / 60.0,
            w.department_messages_per_minute / 60.0,
            w.direct_messages_per_minute / 60.0,
            w.ping_interval_secs,
        );
        let c = math::ceilings(
            p.fd_limit,
            p.fd_reserve,
            p.memory.0.saturating_sub(p.reserved_memory.0),
            p.memory_per_connection.0,
            p.cpu_cores * p.cpu_target * 1000.0,
            r,
            p.cpu_ms_per_delivery,
        );
        let (ceiling, binding) = c.binding();
        Expectation {
            nodes: f.nodes.iter().map(|n| (n.id.clone(), n.addr())).collect(),
            spec: f.gateway_spec(),
            ceiling,
            binding,
            hashes_on_ip: f.gateway.algorithm == HashAlgorithm::IpHash
                || f.gateway.sticky_keys.first() == Some(&KeySource::Ip),
            gateway: format!(
                "{} {}",
                f.gateway.kind.as_str(),
                f.gateway.algorithm.as_str()
            ),
        }
    }

    /// Predicted share of every fleet node with the nodes `down` taken out (as the gateway
    /// does once its health checks see them down). `None` when the model refuses the spec.
    pub fn shares(&self, down: &[usize]) -> Option<Vec<f64>> {
        let mut spec = self.spec.clone();
        spec.down = down.to_vec();
        if down.len() >= spec.targets.len() {
            return None;
        }
        gateway::build(&spec).ok().map(|b| b.shares())
    }
}

/// A node's state as `top` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NodeState {
    Live,
    Draining,
    /// The heartbeat is older than `STALE_AFTER` but has not expired.
    Stale {
        since_ms: u64,
    },
    /// No heartbeat any more; last seen at `since_ms`.
    Gone {
        since_ms: u64,
    },
    /// In the fleet file, never seen.
    Missing,
    /// Seen (and live), but not in the fleet file.
    Unexpected,
}

impl NodeState {
    /// Counts in the fleet's connections and shares.
    pub fn is_up(self) -> bool {
        matches!(
            self,
            NodeState::Live | NodeState::Draining | NodeState::Stale { .. } | NodeState::Unexpected
        )
    }

    /// Not what a healthy fleet looks like (for `status`'s exit code).
    pub fn is_degraded(self) -> bool {
        !matches!(self, NodeState::Live)
    }

    pub fn label(self) -> String {
        match self {
            NodeState::Live => "live".into(),
            NodeState::Draining => "draining".into(),
            NodeState::Stale { since_ms } => format!("stale {}", clock(since_ms)),
            NodeState::Gone { since_ms } => format!("gone {}", clock(since_ms)),
            NodeState::Missing => "missing".into(),
            NodeState::Unexpected => "unexpected".into(),
        }
    }
}

/// Delivery lag in log entries: counted among the newest `RECENT`; `at_least` beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lag {
    pub entries: u64,
    pub at_least: bool,
}

/// One node's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub id: String,
    pub addr: String,
    #[serde(flatten)]
    pub state: NodeState,
    pub connections: Option<u64>,
    /// Share of the fleet's connections (0–1).
    pub share: Option<f64>,
    /// Share the gateway model predicts for this node (0–1).
    pub predicted: Option<f64>,
    /// (connections − N·p) ÷ sd, sd = √(N·p·(1−p)).
    pub sd_distance: Option<f64>,
    /// Connections ÷ the planned ceiling, in %.
    pub capacity_pct: Option<f64>,
    pub in_per_sec: Option<f64>,
    pub out_per_sec: Option<f64>,
    pub lag: Option<Lag>,
    pub lag_secs: Option<f64>,
    pub sockets_behind: Option<u64>,
    pub recoveries_per_min: Option<f64>,
    pub gaps_per_min: Option<f64>,
    pub memory_bytes: Option<u64>,
    pub memory_per_connection: Option<u64>,
    pub uptime_secs: Option<u64>,
    pub version: Option<String>,
    pub client_ips: Option<u64>,
    pub top_client_ip_share: Option<f64>,
    pub departments: Option<u64>,
}

/// Fleet totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Nodes with a fresh heartbeat (live, draining or unexpected).
    pub nodes_up: usize,
    pub nodes: usize,
    pub connections: u64,
    pub in_per_sec: f64,
    pub out_per_sec: f64,
    pub memory_bytes: u64,
    pub log_length: u64,
    /// Age of the oldest log entry, seconds.
    pub log_age_secs: Option<f64>,
    /// Retention the nodes report (entries; seconds, 0 = none).
    pub log_max_len: u64,
    pub log_max_age_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    Stale,
    Gone,
    Missing,
    Unexpected,
    Draining,
    OverCapacity,
    Skewed,
    NatTrap,
    Lagging,
    Gaps,
    BadHeartbeat,
    RedisDown,
}

/// One alert: when, which node (empty for the fleet), what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub at_ms: u64,
    pub node: String,
    pub kind: AlertKind,
    pub message: String,
}

/// Redis as `top` last saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "redis", rename_all = "snake_case")]
pub enum RedisStatus {
    /// No sample yet.
    Connecting,
    Up {
        round_trips: u32,
    },
    Down {
        since_ms: u64,
        error: String,
        retry_in_ms: u64,
    },
}

/// Sort columns, cycled by `s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Id,
    Connections,
    Skew,
    Capacity,
    Deliveries,
    Lag,
}

impl Sort {
    pub fn next(self) -> Sort {
        use Sort::*;
        match self {
            Id => Connections,
            Connections => Skew,
            Skew => Capacity,
            Capacity => Deliveries,
            Deliveries => Lag,
            Lag => Id,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Id => "id",
            Sort::Connections => "connections",
            Sort::Skew => "|sd|",
            Sort::Capacity => "% plan",
            Sort::Deliveries => "out/s",
            Sort::Lag => "lag",
        }
    }
}

/// Keys `top` understands (translated from the terminal's events by `mod.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Up,
    Down,
    Enter,
    Esc,
    Backspace,
    CtrlC,
}

/// What the loop must do after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
}

/// One node's history.
#[derive(Debug, Clone, Default)]
struct Track {
    /// (sample time, heartbeat) of the last refreshes, oldest first (`HISTORY` at most).
    samples: VecDeque<(u64, Heartbeat)>,
    /// Connections and deliveries/s per refresh, for sparklines.
    connections: VecDeque<u64>,
    deliveries: VecDeque<u64>,
    /// Last index entry (last heartbeat time).
    last_seen_ms: u64,
    /// When the current stale streak began.
    stale_since: Option<u64>,
}

/// Everything `top` shows.
#[derive(Debug, Clone)]
pub struct State {
    pub namespace: String,
    pub expectation: Option<Expectation>,
    pub interval_ms: u64,
    pub now_ms: u64,
    pub redis: RedisStatus,
    pub rows: Vec<Row>,
    pub totals: Totals,
    /// Newest first.
    pub alerts: Vec<Alert>,
    /// The selected node's detail, when the drill-down is open and the node wrote one.
    pub detail: Option<NodeDetail>,
    // View state.
    pub selected: usize,
    pub sort: Sort,
    pub paused: bool,
    pub filter: String,
    pub filtering: bool,
    pub help: bool,
    /// The node whose drill-down is open.
    pub open: Option<String>,
    tracks: BTreeMap<String, Track>,
    active: BTreeSet<(String, AlertKind)>,
    shares_cache: HashMap<Vec<usize>, Option<Vec<f64>>>,
    last_sample: Option<FleetSample>,
}

impl State {
    pub fn new(namespace: &str, expectation: Option<Expectation>, interval_ms: u64) -> State {
        State {
            namespace: namespace.into(),
            expectation,
            interval_ms,
            now_ms: 0,
            redis: RedisStatus::Connecting,
            rows: Vec::new(),
            totals: Totals::default(),
            alerts: Vec::new(),
            detail: None,
            selected: 0,
            sort: Sort::Id,
            paused: false,
            filter: String::new(),
            filtering: false,
            help: false,
            open: None,
            tracks: BTreeMap::new(),
            active: BTreeSet::new(),
            shares_cache: HashMap::new(),
            last_sample: None,
        }
    }

    /// The node ids whose heartbeats to read next refresh (one round trip when this is
    /// complete).
    pub fn known(&self) -> Vec<String> {
        self.tracks.keys().cloned().collect()
    }

    /// The node whose detail the next refresh should read.
    pub fn wanted_detail(&self) -> Option<String> {
        self.open.clone()
    }

    /// Sparkline series of one node: connections and deliveries/s, oldest first.
    pub fn series(&self, id: &str) -> (Vec<u64>, Vec<u64>) {
        self.tracks.get(id).map_or((vec![], vec![]), |t| {
            (
                t.connections.iter().copied().collect(),
                t.deliveries.iter().copied().collect(),
            )
        })
    }

    /// The rows on screen: filtered and sorted.
    pub fn visible(&self) -> Vec<&Row> {
        let f = self.filter.to_lowercase();
        let mut v: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| {
                f.is_empty()
                    || r.id.to_lowercase().contains(&f)
                    || r.addr.to_lowercase().contains(&f)
                    || r.state.label().contains(&f)
            })
            .collect();
        let key = |r: &Row| -> f64 {
            match self.sort {
                Sort::Id => 0.0,
                Sort::Connections => r.connections.unwrap_or(0) as f64,
                Sort::Skew => r.sd_distance.map_or(0.0, f64::abs),
                Sort::Capacity => r.capacity_pct.unwrap_or(0.0),
                Sort::Deliveries => r.out_per_sec.unwrap_or(0.0),
                Sort::Lag => r.lag_secs.unwrap_or(0.0),
            }
        };
        v.sort_by(|a, b| key(b).total_cmp(&key(a)).then_with(|| a.id.cmp(&b.id)));
        v
    }

    /// The selected row, if any.
    pub fn selected_row(&self) -> Option<&Row> {
        self.visible().get(self.selected).copied()
    }

    /// A key press.
    pub fn on_key(&mut self, key: Key) -> Option<Action> {
        if self.filtering {
            match key {
                Key::Enter | Key::Esc => self.filtering = false,
                Key::Backspace => {
                    self.filter.pop();
                }
                Key::Char(c) => self.filter.push(c),
                Key::CtrlC => return Some(Action::Quit),
                _ => {}
            }
            self.selected = 0;
            return None;
        }
        if self.help {
            if key == Key::CtrlC || key == Key::Char('q') {
                return Some(Action::Quit);
            }
            self.help = false;
            return None;
        }
        match key {
            Key::Char('q') | Key::CtrlC => return Some(Action::Quit),
            Key::Esc if self.open.is_some() => {
                self.open = None;
                self.detail = None;
            }
            Key::Esc => return Some(Action::Quit),
            Key::Char('j') | Key::Down => {
                let n = self.visible().len();
                if self.selected + 1 < n {
                    self.selected += 1;
                }
            }
            Key::Char('k') | Key::Up => self.selected = self.selected.saturating_sub(1),
            Key::Enter => {
                if self.open.is_some() {
                    self.open = None;
                    self.detail = None;
                } else if let Some(r) = self.selected_row() {
                    self.open = Some(r.id.clone());
                    self.detail = None;
                }
            }
            Key::Char('s') => self.sort = self.sort.next(),
            Key::Char('p') => self.paused = !self.paused,
            Key::Char('/') => {
                self.filtering = true;
                self.filter.clear();
            }
            Key::Char('?') => self.help = true,
            _ => {}
        }
        None
    }

    /// Redis could not be read: keep the last rows, say so, and when the next try is.
    pub fn apply_error(&mut self, now_ms: u64, error: &str, retry_in_ms: u64) {
        let since_ms = match &self.redis {
            RedisStatus::Down { since_ms, .. } => *since_ms,
            _ => now_ms,
        };
        self.now_ms = self.now_ms.max(now_ms);
        self.redis = RedisStatus::Down {
            since_ms,
            error: error.into(),
            retry_in_ms,
        };
        self.raise(
            now_ms,
            String::new(),
            AlertKind::RedisDown,
            format!("Redis unreachable: {error}"),
        );
    }

    /// One refresh.
    pub fn apply(&mut self, s: FleetSample) {
        let now = s.now_ms;
        self.now_ms = now;
        self.redis = RedisStatus::Up {
            round_trips: s.round_trips,
        };
        self.clear(String::new(), AlertKind::RedisDown);
        if self.open.is_some() {
            self.detail = s
                .detail
                .clone()
                .filter(|d| Some(&d.node_id) == self.open.as_ref());
        }
        for (id, why) in &s.undecodable {
            self.raise(
                now,
                id.clone(),
                AlertKind::BadHeartbeat,
                format!("heartbeat does not decode: {why}"),
            );
        }
        // Histories.
        for (id, last) in &s.index {
            let t = self.tracks.entry(id.clone()).or_default();
            t.last_seen_ms = *last;
            if let Some(hb) = s.heartbeats.get(id) {
                if t.samples.back().is_none_or(|(_, p)| p.at_ms != hb.at_ms) {
                    let rate = t
                        .samples
                        .back()
                        .and_then(|(_, prev)| rate(prev, hb, |h| h.messages_out));
                    t.samples.push_back((now, hb.clone()));
                    t.connections.push_back(hb.connections);
                    t.deliveries.push_back(rate.unwrap_or(0.0).round() as u64);
                    for q in [&mut t.connections, &mut t.deliveries] {
                        while q.len() > HISTORY {
                            q.pop_front();
                        }
                    }
                    while t.samples.len() > HISTORY {
                        t.samples.pop_front();
                    }
                }
            }
        }
        // Nodes that left the index (pruned after INDEX_KEEP) leave the screen.
        let indexed: BTreeSet<&String> = s.index.iter().map(|(id, _)| id).collect();
        self.tracks.retain(|id, _| indexed.contains(id));
        self.last_sample = Some(s);
        self.rebuild();
    }

    /// Recompute rows, totals and alerts from the tracks and the last sample.
    fn rebuild(&mut self) {
        let Some(s) = self.last_sample.take() else {
            return;
        };
        let now = s.now_ms;
        let fleet_nodes: Vec<(String, String)> = self
            .expectation
            .as_ref()
            .map(|e| e.nodes.clone())
            .unwrap_or_default();
        // Which heartbeat belongs to which fleet node: by id, else by listen address.
        let mut rows: Vec<Row> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for (id, track) in &mut self.tracks {
            let hb = s.heartbeats.get(id);
            let in_fleet = fleet_nodes
                .iter()
                .any(|(fid, addr)| fid == id || hb.is_some_and(|h| &h.listen == addr));
            let state = match hb {
                None => NodeState::Gone {
                    since_ms: track.last_seen_ms,
                },
                Some(h) if now.saturating_sub(h.at_ms) > STALE_AFTER.as_millis() as u64 => {
                    NodeState::Stale {
                        since_ms: *track.stale_since.get_or_insert(h.at_ms),
                    }
                }
                Some(h) if h.draining => NodeState::Draining,
                Some(_) if !fleet_nodes.is_empty() && !in_fleet => NodeState::Unexpected,
                Some(_) => NodeState::Live,
            };
            if !matches!(state, NodeState::Stale { .. }) {
                track.stale_since = None;
            }
            let addr = hb.map(|h| h.listen.clone()).unwrap_or_else(|| {
                fleet_nodes
                    .iter()
                    .find(|(fid, _)| fid == id)
                    .map(|(_, a)| a.clone())
                    .or_else(|| track.samples.back().map(|(_, h)| h.listen.clone()))
                    .unwrap_or_default()
            });
            if in_fleet {
                seen.insert(id.clone());
                seen.insert(addr.clone());
            }
            rows.push(row(id, addr, state, hb, track, &s.log.recent));
        }
        for (fid, addr) in &fleet_nodes {
            if !seen.contains(fid) && !seen.contains(addr) {
                rows.push(Row::empty(fid, addr, NodeState::Missing));
            }
        }
        // Shares: actual against the model's prediction with the down nodes taken out.
        let up_total: u64 = rows
            .iter()
            .filter(|r| r.state.is_up())
            .filter_map(|r| r.connections)
            .sum();
        let predicted = self.expectation.as_ref().and_then(|e| {
            let down: Vec<usize> = e
                .nodes
                .iter()
                .enumerate()
                .filter(|(_, (fid, addr))| {
                    !rows
                        .iter()
                        .any(|r| (&r.id == fid || &r.addr == addr) && r.state.is_up())
                })
                .map(|(i, _)| i)
                .collect();
            let shares = self
                .shares_cache
                .entry(down.clone())
                .or_insert_with(|| e.shares(&down))
                .clone()?;
            Some((e.nodes.clone(), shares, e.ceiling))
        });
        for r in &mut rows {
            if let (Some(c), true) = (r.connections, r.state.is_up()) {
                if up_total > 0 {
                    r.share = Some(c as f64 / up_total as f64);
                }
            }
            if let Some((nodes, shares, ceiling)) = &predicted {
                if let Some(i) = nodes
                    .iter()
                    .position(|(fid, addr)| fid == &r.id || addr == &r.addr)
                {
                    let p = shares[i];
                    r.predicted = Some(p);
                    if let (Some(c), true) = (r.connections, r.state.is_up()) {
                        let l = math::node_load(up_total, p);
                        if l.sd > 0.0 {
                            r.sd_distance = Some((c as f64 - l.expected) / l.sd);
                        }
                    }
                }
                if let (Some(c), true) = (r.connections, *ceiling > 0) {
                    r.capacity_pct = Some(c as f64 * 100.0 / *ceiling as f64);
                }
            }
        }
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        // Totals.
        let up: Vec<&Row> = rows.iter().filter(|r| r.state.is_up()).collect();
        let log_age = s
            .log
            .first
            .as_deref()
            .and_then(parse_offset)
            .map(|(ms, _)| now.saturating_sub(ms) as f64 / 1000.0);
        let hbs = s.heartbeats.values();
        self.totals = Totals {
            // Up: a fresh heartbeat (a stale node's connections still count in the shares).
            nodes_up: rows
                .iter()
                .filter(|r| {
                    matches!(
                        r.state,
                        NodeState::Live | NodeState::Draining | NodeState::Unexpected
                    )
                })
                .count(),
            nodes: rows.len(),
            connections: up_total,
            // fold from +0.0: an empty f64 sum is -0.0.
            in_per_sec: up
                .iter()
                .filter_map(|r| r.in_per_sec)
                .fold(0.0, |a, b| a + b),
            out_per_sec: up
                .iter()
                .filter_map(|r| r.out_per_sec)
                .fold(0.0, |a, b| a + b),
            memory_bytes: up.iter().filter_map(|r| r.memory_bytes).sum(),
            log_length: s.log.length,
            log_age_secs: log_age,
            log_max_len: hbs.clone().map(|h| h.log_max_len).max().unwrap_or(0),
            log_max_age_secs: hbs.map(|h| h.log_max_age_secs).max().unwrap_or(0),
        };
        self.rows = rows;
        self.alerts_for_rows(now);
        let n = self.visible().len();
        if self.selected >= n {
            self.selected = n.saturating_sub(1);
        }
        self.last_sample = Some(s);
    }

    fn alerts_for_rows(&mut self, now: u64) {
        let hashes_on_ip = self.expectation.as_ref().is_some_and(|e| e.hashes_on_ip);
        let rows = self.rows.clone();
        for r in &rows {
            let id = r.id.clone();
            let set = |me: &mut State, kind: AlertKind, on: bool, msg: String| {
                if on {
                    me.raise(now, id.clone(), kind, msg);
                } else {
                    me.clear(id.clone(), kind);
                }
            };
            set(
                self,
                AlertKind::Stale,
                matches!(r.state, NodeState::Stale { .. }),
                format!(
                    "heartbeat stale since {}",
                    match r.state {
                        NodeState::Stale { since_ms } => clock(since_ms),
                        _ => String::new(),
                    }
                ),
            );
            set(
                self,
                AlertKind::Gone,
                matches!(r.state, NodeState::Gone { .. }),
                format!(
                    "gone: last heartbeat {}",
                    match r.state {
                        NodeState::Gone { since_ms } => clock(since_ms),
                        _ => String::new(),
                    }
                ),
            );
            set(
                self,
                AlertKind::Missing,
                r.state == NodeState::Missing,
                "in the fleet file, never seen".into(),
            );
            set(
                self,
                AlertKind::Unexpected,
                r.state == NodeState::Unexpected,
                format!("{} is not in the fleet file", r.addr),
            );
            set(
                self,
                AlertKind::Draining,
                r.state == NodeState::Draining,
                "draining: devices are told to reconnect elsewhere".into(),
            );
            set(
                self,
                AlertKind::OverCapacity,
                r.capacity_pct.is_some_and(|p| p > 100.0),
                format!(
                    "over planned capacity: {:.0}% of the ceiling",
                    r.capacity_pct.unwrap_or(0.0)
                ),
            );
            set(
                self,
                AlertKind::Skewed,
                r.sd_distance.is_some_and(|z| z.abs() > P99_Z),
                format!(
                    "share {} vs predicted {} ({:+.1} sd, outside the p99 band)",
                    pct(r.share.unwrap_or(0.0)),
                    pct(r.predicted.unwrap_or(0.0)),
                    r.sd_distance.unwrap_or(0.0)
                ),
            );
            let nat = hashes_on_ip
                && r.connections.unwrap_or(0) >= NAT_MIN_CONNECTIONS
                && r.top_client_ip_share.unwrap_or(0.0) >= NAT_SHARE;
            set(
                self,
                AlertKind::NatTrap,
                nat,
                format!(
                    "NAT trap: {} of connections from one client IP ({} IPs) while the gateway hashes on the IP",
                    pct(r.top_client_ip_share.unwrap_or(0.0)),
                    r.client_ips.unwrap_or(0)
                ),
            );
            set(
                self,
                AlertKind::Lagging,
                r.lag_secs.is_some_and(|l| l > LAG_ALERT_SECS),
                format!(
                    "delivery lag {:.1} s behind the log head",
                    r.lag_secs.unwrap_or(0.0)
                ),
            );
            // Gaps are events: each increase of the counter is one alert.
            if r.gaps_per_min.is_some_and(|g| g > 0.0) {
                let gaps = self.gap_delta(&r.id);
                if gaps > 0 {
                    self.push(
                        now,
                        r.id.clone(),
                        AlertKind::Gaps,
                        format!("{gaps} gap(s) announced: retention removed notifications devices missed"),
                    );
                }
            }
        }
        // Alerts of nodes that left the screen are over.
        let ids: BTreeSet<String> = self.rows.iter().map(|r| r.id.clone()).collect();
        self.active.retain(|(n, _)| n.is_empty() || ids.contains(n));
    }

    /// Gaps since the previous heartbeat of this node.
    fn gap_delta(&self, id: &str) -> u64 {
        let Some(t) = self.tracks.get(id) else {
            return 0;
        };
        let n = t.samples.len();
        if n < 2 {
            return 0;
        }
        t.samples[n - 1]
            .1
            .gaps
            .saturating_sub(t.samples[n - 2].1.gaps)
    }

    fn push(&mut self, at_ms: u64, node: String, kind: AlertKind, message: String) {
        self.alerts.insert(
            0,
            Alert {
                at_ms,
                node,
                kind,
                message,
            },
        );
        self.alerts.truncate(MAX_ALERTS);
    }

    /// An alert on its rising edge only.
    fn raise(&mut self, at_ms: u64, node: String, kind: AlertKind, message: String) {
        if self.active.insert((node.clone(), kind.clone())) {
            self.push(at_ms, node, kind, message);
        }
    }

    fn clear(&mut self, node: String, kind: AlertKind) {
        self.active.remove(&(node, kind));
    }

    /// Alerts active now (for `status`).
    pub fn active_alerts(&self) -> Vec<&Alert> {
        let mut seen = BTreeSet::new();
        self.alerts
            .iter()
            .filter(|a| {
                a.kind != AlertKind::Gaps
                    && self.active.contains(&(a.node.clone(), a.kind.clone()))
                    && seen.insert((a.node.clone(), a.kind.clone()))
            })
            .collect()
    }
}

impl Row {
    fn empty(id: &str, addr: &str, state: NodeState) -> Row {
        Row {
            id: id.into(),
            addr: addr.into(),
            state,
            connections: None,
            share: None,
            predicted: None,
            sd_distance: None,
            capacity_pct: None,
            in_per_sec: None,
            out_per_sec: None,
            lag: None,
            lag_secs: None,
            sockets_behind: None,
            recoveries_per_min: None,
            gaps_per_min: None,
            memory_bytes: None,
            memory_per_connection: None,
            uptime_secs: None,
            version: None,
            client_ips: None,
            top_client_ip_share: None,
            departments: None,
        }
    }
}

/// Per-second rate of a counter between two heartbeats of one node (`None` across a restart
/// or when no time passed).
fn rate(prev: &Heartbeat, cur: &Heartbeat, f: impl Fn(&Heartbeat) -> u64) -> Option<f64> {
    let dt = cur.at_ms.checked_sub(prev.at_ms)? as f64 / 1000.0;
    if dt <= 0.0 || cur.uptime_secs < prev.uptime_secs {
        return None;
    }
    Some(f(cur).checked_sub(f(prev))? as f64 / dt)
}

/// Per-minute rate of a counter over the last minute of heartbeats.
fn per_minute(t: &Track, f: impl Fn(&Heartbeat) -> u64) -> Option<f64> {
    let (_, cur) = t.samples.back()?;
    let first = t.samples.iter().map(|(_, h)| h).find(|h| {
        cur.at_ms.saturating_sub(h.at_ms) <= 60_000 && h.uptime_secs <= cur.uptime_secs
    })?;
    if first.at_ms == cur.at_ms {
        return Some(0.0);
    }
    rate(first, cur, f).map(|r| r * 60.0)
}

fn row(
    id: &str,
    addr: String,
    state: NodeState,
    hb: Option<&Heartbeat>,
    t: &Track,
    recent: &[String],
) -> Row {
    let mut r = Row::empty(id, &addr, state);
    let Some(h) = hb else {
        // Gone: what it last said, for the record.
        if let Some((_, last)) = t.samples.back() {
            r.version = Some(last.version.clone());
        }
        return r;
    };
    let prev = t.samples.len().checked_sub(2).map(|i| &t.samples[i].1);
    r.connections = Some(h.connections);
    r.in_per_sec = prev.and_then(|p| rate(p, h, |x| x.messages_in));
    r.out_per_sec = prev.and_then(|p| rate(p, h, |x| x.messages_out));
    r.recoveries_per_min = per_minute(t, |x| x.recoveries);
    r.gaps_per_min = per_minute(t, |x| x.gaps);
    r.sockets_behind = Some(h.sockets_behind);
    r.memory_bytes = Some(h.memory_bytes);
    r.memory_per_connection = (h.connections > 0).then(|| h.memory_bytes / h.connections);
    r.uptime_secs = Some(h.uptime_secs);
    r.version = Some(h.version.clone());
    r.client_ips = Some(h.client_ips);
    r.top_client_ip_share = Some(h.top_client_ip_share);
    r.departments = Some(h.departments);
    // Lag as of the heartbeat: entries appended after it was written are not lag (yet).
    let delivered = parse_offset(&h.log_offset).unwrap_or((0, 0));
    let window: Vec<(u64, u64)> = recent
        .iter()
        .filter_map(|o| parse_offset(o))
        .filter(|o| o.0 <= h.at_ms)
        .collect();
    let (lag_secs, entries, at_least) = match window.first() {
        Some(head) if *head > delivered => {
            let behind = window.iter().filter(|o| **o > delivered).count();
            (
                head.0.saturating_sub(delivered.0) as f64 / 1000.0,
                behind as u64,
                behind == window.len() && recent.len() >= RECENT,
            )
        }
        _ => (0.0, 0, false),
    };
    r.lag_secs = Some(lag_secs);
    r.lag = Some(Lag { entries, at_least });
    r
}

/// `HH:MM:SS` (UTC) of a unix ms time.
pub fn clock(ms: u64) -> String {
    let s = (ms / 1000) % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests;
