//! The fleet file: one TOML file that every subcommand reads.
//!
//! Required: `[gateway]` (with `kind`) and at least one `[[nodes]]` (with `id`, `host`, `port`).
//! Optional, with the guide's defaults: `name`, `[redis]`, `[serve]`, `[profile]`, `[workload]`,
//! `[client]`.
//!
//! Parsing is pure (`Fleet::parse(text, path)`); only `Fleet::load` reads the file.
//! Errors name the file, the field, the line and column where the parser knows them,
//! and what was expected.

use std::collections::BTreeSet;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::gateway::{Algorithm, GatewaySpec, Target};
use crate::units::Bytes;

/// The whole fleet file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    /// A name for reports.
    #[serde(default = "default_name")]
    pub name: String,
    pub gateway: Gateway,
    /// The notification nodes, in gateway configuration order.
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub redis: Option<Redis>,
    /// How each `rtctl serve -f FILE --node-id ID` of this fleet runs.
    #[serde(default)]
    pub serve: Serve,
    #[serde(default)]
    pub profile: Profile,
    #[serde(default)]
    pub workload: Workload,
    #[serde(default)]
    pub client: Client,
}

fn default_name() -> String {
    "fleet".into()
}

/// Which gateway sits in front of the nodes, and how it hashes.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Gateway {
    pub kind: GatewayKind,
    /// `consistent` (default), `hash` (nginx `hash $key;`), `ip-hash` (nginx), `map` (HAProxy
    /// map-based) or `round-robin`.
    #[serde(default)]
    pub algorithm: HashAlgorithm,
    /// Sticky key sources, primary first: `query:deviceId`, `header:x-device-id`,
    /// `cookie:NAME` or `ip`.
    #[serde(default = "default_sticky")]
    pub sticky_keys: Vec<KeySource>,
    /// Kong `slots` (10..=65536).
    #[serde(default = "default_slots")]
    pub slots: u32,
    /// Kong version the fleet runs, e.g. `3.9` (header hashing differs by version).
    #[serde(default)]
    pub kong_version: Option<String>,
}

fn default_sticky() -> Vec<KeySource> {
    vec![
        KeySource::Query("deviceId".into()),
        KeySource::Header("x-device-id".into()),
    ]
}

pub const DEFAULT_SLOTS: u32 = 10_000;

fn default_slots() -> u32 {
    DEFAULT_SLOTS
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum GatewayKind {
    Kong,
    Nginx,
    Haproxy,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum HashAlgorithm {
    #[default]
    Consistent,
    Hash,
    IpHash,
    Map,
    RoundRobin,
}

impl GatewayKind {
    /// The modelled balancer for this gateway and algorithm, or why the pair is invalid.
    pub fn algorithm(self, alg: HashAlgorithm) -> std::result::Result<Algorithm, String> {
        use GatewayKind::*;
        use HashAlgorithm::*;
        Ok(match (self, alg) {
            (_, RoundRobin) => Algorithm::RoundRobin,
            (Kong, Consistent) => Algorithm::Kong,
            (Nginx, Consistent) => Algorithm::NginxConsistent,
            (Nginx, Hash) => Algorithm::NginxHash,
            (Nginx, IpHash) => Algorithm::NginxIpHash,
            (Haproxy, Consistent) => Algorithm::HaproxyConsistent,
            (Haproxy, Map) => Algorithm::HaproxyMap,
            (k, a) => {
                let ok = match k {
                    Kong => "consistent, round-robin",
                    Nginx => "consistent, hash, ip-hash, round-robin",
                    Haproxy => "consistent, map, round-robin",
                };
                return Err(format!(
                    "{} is not a {} algorithm (expected one of: {ok})",
                    a.as_str(),
                    k.as_str()
                ));
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GatewayKind::Kong => "kong",
            GatewayKind::Nginx => "nginx",
            GatewayKind::Haproxy => "haproxy",
        }
    }
}

impl HashAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Consistent => "consistent",
            HashAlgorithm::Hash => "hash",
            HashAlgorithm::IpHash => "ip-hash",
            HashAlgorithm::Map => "map",
            HashAlgorithm::RoundRobin => "round-robin",
        }
    }
}

/// Where the gateway reads the sticky key from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeySource {
    Query(String),
    Header(String),
    Cookie(String),
    Ip,
}

impl FromStr for KeySource {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let expected = "expected query:NAME, header:NAME, cookie:NAME or ip";
        if s == "ip" {
            return Ok(KeySource::Ip);
        }
        let (kind, name) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?}: {expected}"))?;
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(format!(
                "{s:?}: the name must be 1+ characters of [A-Za-z0-9_-]"
            ));
        }
        match kind {
            "query" => Ok(KeySource::Query(name.into())),
            "header" => Ok(KeySource::Header(name.to_ascii_lowercase())),
            "cookie" => Ok(KeySource::Cookie(name.into())),
            _ => Err(format!("{s:?}: {expected}")),
        }
    }
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Query(n) => write!(f, "query:{n}"),
            KeySource::Header(n) => write!(f, "header:{n}"),
            KeySource::Cookie(n) => write!(f, "cookie:{n}"),
            KeySource::Ip => f.write_str("ip"),
        }
    }
}

impl Serialize for KeySource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeySource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One notification node.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub id: String,
    /// An IP address: gateways hash the address as written, so rtctl models IP targets only.
    pub host: String,
    pub port: u32,
    /// Gateway weight; absent means the gateway's default (Kong 100, nginx 1, HAProxy 1).
    #[serde(default)]
    pub weight: Option<u32>,
    /// HAProxy server id; absent means its position (1-based), which rtctl renders explicitly.
    #[serde(default)]
    pub haproxy_id: Option<u32>,
    /// `ADDR:PORT` the node binds (`rtctl serve --listen`), e.g. `0.0.0.0:3000`; absent means
    /// `host:port`, the address the gateway connects to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
}

impl Node {
    /// `IP:PORT` as gateways write it (IPv6 in brackets).
    pub fn addr(&self) -> String {
        match self.host.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => format!("[{v6}]:{}", self.port),
            _ => format!("{}:{}", self.host, self.port),
        }
    }
}

/// The Redis every node of the fleet shares (the log and heartbeats).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Redis {
    /// `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, or one or more (comma-separated) nodes of
    /// a Redis Cluster.
    pub url: String,
    /// Key namespace, one per fleet (`rtctl serve --namespace`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

pub const DEFAULT_NAMESPACE: &str = "default";

fn default_namespace() -> String {
    DEFAULT_NAMESPACE.into()
}

/// How the nodes run (`rtctl serve` settings shared by the fleet; flags and RTCTL_* override).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Serve {
    /// Seconds a node drains on SIGTERM before it exits (`--drain-timeout`).
    pub drain_timeout_secs: f64,
    /// Entries the log keeps (`--log-max-len`).
    pub log_max_len: u64,
    /// Seconds the log keeps an entry, 0 = no age limit (`--log-max-age-secs`).
    pub log_max_age_secs: f64,
}

impl Default for Serve {
    fn default() -> Self {
        Serve {
            drain_timeout_secs: 10.0,
            log_max_len: 100_000,
            log_max_age_secs: 86_400.0,
        }
    }
}

/// What one node host offers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    /// Cores available to deliver messages.
    pub cpu_cores: f64,
    /// Fraction of the CPU budget planning may use (the rest absorbs bursts).
    pub cpu_target: f64,
    /// Host memory.
    pub memory: Bytes,
    /// Memory not available to connections (OS, runtime, heap).
    pub reserved_memory: Bytes,
    /// Open-file limit of the node process (`ulimit -n`, `LimitNOFILE`).
    pub fd_limit: u64,
    /// Descriptors the process needs for other things (listeners, Redis, logs).
    pub fd_reserve: u64,
    /// Memory one connected device costs.
    pub memory_per_connection: Bytes,
    /// CPU time one delivery (one packet written to one socket) costs, in milliseconds.
    pub cpu_ms_per_delivery: f64,
}

/// Descriptors `rtctl serve` keeps back from Socket.IO by default: its `--max-connections`
/// defaults to the open-file limit minus this (room for health/API connections, Redis, files).
pub const SERVE_FD_RESERVE: u64 = 512;

impl Default for Profile {
    /// The guide's "typical Node.js server": 8 CPU, 16 GB (12 GB usable), 30 KB per connection,
    /// 0.5 ms per message, `ulimit -n 65536`.
    fn default() -> Self {
        Profile {
            cpu_cores: 8.0,
            cpu_target: 0.7,
            memory: Bytes(16_000_000_000),
            reserved_memory: Bytes(4_000_000_000),
            fd_limit: 65_536,
            fd_reserve: 64,
            memory_per_connection: Bytes(30_000),
            cpu_ms_per_delivery: 0.5,
        }
    }
}

/// Who connects and what they receive.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Workload {
    pub devices: u64,
    pub departments: u64,
    /// Broadcasts to every device, fleet-wide, per minute.
    pub broadcasts_per_minute: f64,
    /// Department notifications, fleet-wide, per minute (each reaches every device of one
    /// department).
    pub department_messages_per_minute: f64,
    /// Direct (one device) notifications, fleet-wide, per minute.
    pub direct_messages_per_minute: f64,
    /// Socket.IO `pingInterval`: each connection costs one ping write per interval.
    pub ping_interval_secs: f64,
}

impl Default for Workload {
    /// The guide's worked example: 1200 devices across 50 departments, 1 message per device
    /// per minute.
    fn default() -> Self {
        Workload {
            devices: 1_200,
            departments: 50,
            broadcasts_per_minute: 0.0,
            department_messages_per_minute: 50.0,
            direct_messages_per_minute: 0.0,
            ping_interval_secs: 25.0,
        }
    }
}

/// socket.io-client reconnection settings of the devices.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Client {
    pub reconnection: bool,
    pub reconnection_delay_ms: f64,
    pub reconnection_delay_max_ms: f64,
    pub randomization_factor: f64,
    /// 0 means unlimited (socket.io-client's default is Infinity).
    pub reconnection_attempts: u32,
}

impl Default for Client {
    /// The guide's `createSocket()`: delay 1000, max 5000, attempts 5, socket.io's default
    /// randomization 0.5.
    fn default() -> Self {
        Client {
            reconnection: true,
            reconnection_delay_ms: 1000.0,
            reconnection_delay_max_ms: 5000.0,
            randomization_factor: 0.5,
            reconnection_attempts: 5,
        }
    }
}

impl Fleet {
    /// Read and validate a fleet file.
    pub fn load(path: &Path) -> Result<Fleet> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        Fleet::parse(&text, path)
    }

    /// Parse and validate fleet TOML; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Fleet> {
        let fleet: Fleet = toml::from_str(text).map_err(|e| {
            let message = e.message().trim();
            if let Some(missing) = missing_field(text, e.span(), message) {
                return Error::Fleet {
                    path: path.to_path_buf(),
                    location: missing.0,
                    message: missing.1,
                };
            }
            let location = e.span().map(|span| line_col(text, span.start));
            let field = e.span().and_then(|span| field_at(text, span.start));
            Error::Fleet {
                path: path.to_path_buf(),
                location,
                message: match field {
                    Some(f) if !message.contains(&f) => format!("{f}: {message}"),
                    _ => message.to_string(),
                },
            }
        })?;
        fleet.validate().map_err(|(field, message)| Error::Fleet {
            path: path.to_path_buf(),
            location: locate_field(text, &field),
            message: format!("{field}: {message}"),
        })?;
        Ok(fleet)
    }

    /// Semantic checks serde cannot express. Returns `(field path, what was expected)`.
    pub fn validate(&self) -> std::result::Result<(), (String, String)> {
        let alg = self
            .gateway
            .kind
            .algorithm(self.gateway.algorithm)
            .map_err(|m| ("gateway.algorithm".to_string(), m))?;
        if self.gateway.sticky_keys.is_empty() && alg != Algorithm::RoundRobin {
            return Err((
                "gateway.sticky_keys".into(),
                "expected at least one key source, e.g. [\"query:deviceId\", \"header:x-device-id\"]".into(),
            ));
        }
        if !(10..=65_536).contains(&self.gateway.slots) {
            return Err((
                "gateway.slots".into(),
                format!(
                    "expected 10..=65536 (Kong's range), got {}",
                    self.gateway.slots
                ),
            ));
        }
        if self.nodes.is_empty() {
            return Err((
                "nodes".into(),
                "expected at least one [[nodes]] entry".into(),
            ));
        }
        let mut ids = BTreeSet::new();
        let mut addrs = BTreeSet::new();
        let mut hids = BTreeSet::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let at = |f: &str| format!("nodes[{i}].{f}");
            if n.id.is_empty() || n.id.len() > 64 {
                return Err((at("id"), "expected 1 to 64 characters".into()));
            }
            if !ids.insert(n.id.clone()) {
                return Err((at("id"), format!("duplicate node id {:?}", n.id)));
            }
            if n.host.parse::<IpAddr>().is_err() {
                return Err((
                    at("host"),
                    format!(
                        "expected an IP address, got {:?} (gateways hash the target as written; a DNS name with several addresses breaks stickiness, see nginx/nginx#523)",
                        n.host
                    ),
                ));
            }
            if !(1..=65_535).contains(&n.port) {
                return Err((at("port"), format!("expected 1..=65535, got {}", n.port)));
            }
            if !addrs.insert(n.addr()) {
                return Err((at("port"), format!("{} is listed twice", n.addr())));
            }
            if let Some(w) = n.weight {
                let max = match self.gateway.kind {
                    GatewayKind::Kong => 65_535,
                    GatewayKind::Nginx => 1_000,
                    GatewayKind::Haproxy => 256,
                };
                let min = u32::from(self.gateway.kind != GatewayKind::Kong);
                if w < min || w > max {
                    return Err((
                        at("weight"),
                        format!(
                            "expected {min}..={max} for {}, got {w}",
                            self.gateway.kind.as_str()
                        ),
                    ));
                }
            }
            if let Some(l) = &n.listen {
                if l.parse::<std::net::SocketAddr>().is_err() {
                    return Err((at("listen"), format!("expected ADDR:PORT, got {l:?}")));
                }
            }
            if let Some(h) = n.haproxy_id {
                if h == 0 || !hids.insert(h) {
                    return Err((
                        at("haproxy_id"),
                        format!("expected a unique id ≥ 1, got {h}"),
                    ));
                }
            }
        }
        if let Some(r) = &self.redis {
            crate::redis_schema::Keys::new(&r.namespace)
                .map_err(|m| ("redis.namespace".to_string(), m))?;
        }
        let s = &self.serve;
        for (f, v) in [
            ("serve.drain_timeout_secs", s.drain_timeout_secs),
            ("serve.log_max_age_secs", s.log_max_age_secs),
        ] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err((f.into(), format!("expected seconds ≥ 0, got {v}")));
            }
        }
        if s.log_max_len == 0 {
            return Err(("serve.log_max_len".into(), "expected at least 1".into()));
        }
        let p = &self.profile;
        positive("profile.cpu_cores", p.cpu_cores)?;
        if !(p.cpu_target > 0.0 && p.cpu_target <= 1.0) {
            return Err((
                "profile.cpu_target".into(),
                format!("expected a fraction in (0, 1], got {}", p.cpu_target),
            ));
        }
        if p.memory_per_connection.0 == 0 {
            return Err((
                "profile.memory_per_connection".into(),
                "expected a size above 0".into(),
            ));
        }
        if p.reserved_memory > p.memory {
            return Err((
                "profile.reserved_memory".into(),
                format!(
                    "expected at most profile.memory ({}), got {}",
                    p.memory, p.reserved_memory
                ),
            ));
        }
        if p.fd_limit == 0 {
            return Err(("profile.fd_limit".into(), "expected at least 1".into()));
        }
        positive("profile.cpu_ms_per_delivery", p.cpu_ms_per_delivery)?;
        let w = &self.workload;
        if w.devices == 0 {
            return Err(("workload.devices".into(), "expected at least 1".into()));
        }
        if w.departments == 0 {
            return Err(("workload.departments".into(), "expected at least 1".into()));
        }
        for (f, v) in [
            ("workload.broadcasts_per_minute", w.broadcasts_per_minute),
            (
                "workload.department_messages_per_minute",
                w.department_messages_per_minute,
            ),
            (
                "workload.direct_messages_per_minute",
                w.direct_messages_per_minute,
            ),
        ] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err((f.into(), format!("expected a rate ≥ 0, got {v}")));
            }
        }
        positive("workload.ping_interval_secs", w.ping_interval_secs)?;
        let c = &self.client;
        positive("client.reconnection_delay_ms", c.reconnection_delay_ms)?;
        if c.reconnection_delay_max_ms < c.reconnection_delay_ms {
            return Err((
                "client.reconnection_delay_max_ms".into(),
                format!(
                    "expected at least client.reconnection_delay_ms ({}), got {}",
                    c.reconnection_delay_ms, c.reconnection_delay_max_ms
                ),
            ));
        }
        if !(0.0..=1.0).contains(&c.randomization_factor) {
            return Err((
                "client.randomization_factor".into(),
                format!("expected 0..=1, got {}", c.randomization_factor),
            ));
        }
        Ok(())
    }

    /// The modelled algorithm of this fleet's gateway (validated).
    pub fn algorithm(&self) -> Algorithm {
        self.gateway
            .kind
            .algorithm(self.gateway.algorithm)
            .expect("validated")
    }

    /// The gateway spec for the nodes, all up.
    pub fn gateway_spec(&self) -> GatewaySpec {
        GatewaySpec {
            algorithm: self.algorithm(),
            targets: self
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| Target {
                    addr: n.addr(),
                    weight: n.weight,
                    id: n.haproxy_id.or(Some(i as u32 + 1)),
                })
                .collect(),
            slots: self.gateway.slots,
            down: vec![],
        }
    }
}

fn positive(field: &str, v: f64) -> std::result::Result<(), (String, String)> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err((field.into(), format!("expected a number above 0, got {v}")))
    }
}

/// What each required section must hold, for "missing" errors.
const REQUIRED: &str = "a fleet file needs [gateway] (kind = \"kong\", \"nginx\" or \"haproxy\") \
                        and at least one [[nodes]] (id, host, port); see fixtures/fleet.toml";

/// serde's "missing field `x`" names a field but points at whatever surrounds it (the whole
/// document for a top-level section). Name the section, or the table and the field, instead.
fn missing_field(
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
) -> Option<(Option<(usize, usize)>, String)> {
    let name = message
        .strip_prefix("missing field `")?
        .split('`')
        .next()?
        .to_string();
    let start = span.as_ref().map_or(0, |s| s.start);
    let header = text[start.min(text.len())..]
        .lines()
        .next()
        .map(str::trim)
        .filter(|l| l.starts_with('['));
    match header {
        Some(h) if start > 0 || span.as_ref().is_some_and(|s| s.end < text.len()) => {
            let table = h.trim_start_matches('[').trim_end_matches(']').trim();
            let table = if h.starts_with("[[") {
                let index = text[..start].matches(h).count();
                format!("{table}[{index}]")
            } else {
                table.to_string()
            };
            Some((
                Some(line_col(text, start)),
                format!("{table}: missing field `{name}` ({REQUIRED})"),
            ))
        }
        _ => {
            let what = match name.as_str() {
                "nodes" => "missing section [[nodes]]".to_string(),
                "gateway" => "missing section [gateway]".to_string(),
                other => format!("missing field `{other}`"),
            };
            Some((None, format!("{what}: {REQUIRED}")))
        }
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The dotted field whose value starts at `offset`: the nearest table header above it plus the
/// key on its line (`gateway.slots`, `nodes[1].port`), when the line is a `key = value` line.
fn field_at(text: &str, offset: usize) -> Option<String> {
    let (line, _) = line_col(text, offset);
    let lines: Vec<&str> = text.lines().collect();
    let this = lines.get(line - 1)?.trim();
    let key = this.split_once('=')?.0.trim();
    if key.is_empty() || key.starts_with('[') {
        return None;
    }
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    let mut table: Option<String> = None;
    for l in &lines[..line - 1] {
        let l = l.trim();
        if let Some(rest) = l.strip_prefix("[[") {
            let name = rest.trim_end_matches("]]").trim();
            let c = counts.entry(name).or_insert(0);
            table = Some(format!("{name}[{c}]"));
            *c += 1;
        } else if let Some(rest) = l.strip_prefix('[') {
            table = Some(rest.trim_end_matches(']').trim().to_string());
        }
    }
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// Best-effort location of a validated field (`nodes[2].port`, `profile.cpu_target`) in the
/// source text, so semantic errors point at a line like parse errors do.
fn locate_field(text: &str, field: &str) -> Option<(usize, usize)> {
    let (table, index, key) = parse_field_path(field);
    let mut seen = 0usize;
    let mut in_target = table.is_empty() && index.is_none();
    let mut table_line = None;
    for (ln, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("[[") {
            let current_table = rest.trim_end_matches("]]").trim();
            in_target = current_table == table && index == Some(seen);
            if current_table == table {
                if in_target {
                    table_line = Some((ln + 1, 1));
                }
                seen += 1;
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let current_table = rest.trim_end_matches(']').trim();
            in_target = current_table == table && index.is_none();
            if in_target {
                table_line = Some((ln + 1, 1));
            }
            continue;
        }
        if in_target {
            if let Some(k) = key {
                let lhs = line.split('=').next().unwrap_or("").trim();
                if lhs == k {
                    let col = raw.find(k).unwrap_or(0) + 1;
                    return Some((ln + 1, col));
                }
            }
        }
    }
    table_line
}

fn parse_field_path(field: &str) -> (String, Option<usize>, Option<&str>) {
    let (head, key) = match field.rsplit_once('.') {
        Some((h, k)) => (h, Some(k)),
        None => (field, None),
    };
    if let Some((name, idx)) = head.split_once('[') {
        let idx = idx.trim_end_matches(']').parse().ok();
        return (name.to_string(), idx, key);
    }
    if key.is_none() {
        return (head.to_string(), None, None);
    }
    (head.to_string(), None, key)
}

/// The path used in messages when a fleet comes from flags only.
pub fn flags_path() -> PathBuf {
    PathBuf::from("<flags>")
}

/// The fleet used when no file is given: the guide's three Kong nodes.
pub fn default_fleet() -> Fleet {
    Fleet {
        name: "guide example".into(),
        gateway: Gateway {
            kind: GatewayKind::Kong,
            algorithm: HashAlgorithm::Consistent,
            sticky_keys: vec![
                KeySource::Query("deviceId".into()),
                KeySource::Header("x-device-id".into()),
            ],
            slots: DEFAULT_SLOTS,
            kong_version: None,
        },
        nodes: synth_nodes(3, &[]),
        redis: None,
        serve: Serve::default(),
        profile: Profile::default(),
        workload: Workload::default(),
        client: Client::default(),
    }
}

/// `count` nodes `node-1..` at 10.0.0.1:3000, 10.0.0.2:3000, … (254 per /24), skipping
/// addresses already in `taken`.
pub fn synth_nodes(count: usize, taken: &[Node]) -> Vec<Node> {
    let mut out = Vec::with_capacity(count);
    let mut i = 0u32;
    while out.len() < count {
        let host = format!(
            "10.{}.{}.{}",
            (i / 254) / 256 % 256,
            (i / 254) % 256,
            i % 254 + 1
        );
        i += 1;
        let id = format!("node-{}", taken.len() + out.len() + 1);
        if taken
            .iter()
            .any(|n| n.host == host && n.port == 3000 || n.id == id)
        {
            continue;
        }
        out.push(Node {
            id,
            host,
            port: 3000,
            weight: None,
            haproxy_id: None,
            listen: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = r#"
[gateway]
kind = "kong"

[[nodes]]
id = "a"
host = "10.0.0.1"
port = 3000
"#;

    fn err(text: &str) -> String {
        Fleet::parse(text, Path::new("f.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn minimal_file_gets_guide_defaults() {
        let f = Fleet::parse(MIN, Path::new("f.toml")).unwrap();
        assert_eq!(f.gateway.slots, 10_000);
        assert_eq!(f.gateway.sticky_keys, default_sticky());
        assert_eq!(f.workload.devices, 1200);
        assert_eq!(f.client.reconnection_attempts, 5);
        assert_eq!(f.algorithm(), Algorithm::Kong);
    }

    #[test]
    fn unknown_field_names_line_and_field() {
        let e = err(&MIN.replace("port = 3000", "port = 3000\nprot = 1"));
        assert!(e.starts_with("f.toml:9:"), "{e}");
        assert!(e.contains("prot"), "{e}");
    }

    #[test]
    fn wrong_type_names_line() {
        let e = err(&MIN.replace("port = 3000", "port = \"x\""));
        assert!(e.starts_with("f.toml:8:"), "{e}");
        assert!(e.contains("nodes[0].port: invalid type"), "{e}");
    }

    #[test]
    fn semantic_errors_name_field_and_line() {
        let e = err(&MIN.replace("port = 3000", "port = 70000"));
        assert!(
            e.contains("nodes[0].port: expected 1..=65535, got 70000"),
            "{e}"
        );
        assert!(e.starts_with("f.toml:8:"), "{e}");
        let dup = format!("{MIN}\n[[nodes]]\nid = \"a\"\nhost = \"10.0.0.2\"\nport = 3000\n");
        let e = err(&dup);
        assert!(e.contains("nodes[1].id: duplicate node id \"a\""), "{e}");
        assert!(e.starts_with("f.toml:11:"), "{e}");
        let e = err(&MIN.replace("kind = \"kong\"", "kind = \"envoy\""));
        assert!(e.contains("envoy") && e.contains("kong"), "{e}");
        let e = err(&MIN.replace("kind = \"kong\"", "kind = \"kong\"\nalgorithm = \"map\""));
        assert!(
            e.contains("gateway.algorithm: map is not a kong algorithm"),
            "{e}"
        );
        let e = err(&MIN.replace("host = \"10.0.0.1\"", "host = \"node1.internal\""));
        assert!(e.contains("nodes[0].host: expected an IP address"), "{e}");
        let e = err(&MIN.replace(
            "kind = \"kong\"",
            "kind = \"kong\"\nsticky_keys = [\"body:x\"]",
        ));
        assert!(e.contains("expected query:NAME"), "{e}");
    }

    #[test]
    fn sizes_accept_units() {
        let f = Fleet::parse(
            &format!("{MIN}\n[profile]\nmemory = \"16GiB\"\nmemory_per_connection = \"2KiB\"\n"),
            Path::new("f.toml"),
        )
        .unwrap();
        assert_eq!(f.profile.memory, Bytes(16 << 30));
        assert_eq!(f.profile.memory_per_connection, Bytes(2048));
        let e = err(&format!("{MIN}\n[profile]\nmemory = \"16 parsecs\"\n"));
        assert!(e.contains("expected a size"), "{e}");
    }

    #[test]
    fn a_missing_section_or_field_is_named() {
        let e = err(&format!(
            "name = \"x\"\n{}",
            MIN.replace("[gateway]\nkind = \"kong\"\n", "")
        ));
        assert!(
            e.starts_with("f.toml: missing section [gateway]: a fleet file needs [gateway]"),
            "{e}"
        );
        assert!(!e.contains("name:"), "{e}");
        let e = err("name = \"x\"\n[gateway]\nkind = \"kong\"\n");
        assert!(e.starts_with("f.toml: missing section [[nodes]]"), "{e}");
        let e = err(&MIN.replace("kind = \"kong\"", "slots = 100"));
        assert!(e.contains("gateway: missing field `kind`"), "{e}");
        let e = err(&MIN.replace("port = 3000", ""));
        assert!(e.contains("nodes[0]: missing field `port`"), "{e}");
    }

    #[test]
    fn serve_settings_default_and_validate() {
        let f = Fleet::parse(MIN, Path::new("f.toml")).unwrap();
        assert_eq!(f.serve, Serve::default());
        let f = Fleet::parse(
            &format!("{MIN}listen = \"0.0.0.0:3000\"\n[redis]\nurl = \"redis://127.0.0.1:6379/2\"\nnamespace = \"acme\"\n[serve]\ndrain_timeout_secs = 3\n"),
            Path::new("f.toml"),
        )
        .unwrap();
        assert_eq!(f.nodes[0].listen.as_deref(), Some("0.0.0.0:3000"));
        assert_eq!(f.redis.unwrap().namespace, "acme");
        assert_eq!(f.serve.drain_timeout_secs, 3.0);
        let e = err(&format!(
            "{MIN}[redis]\nurl = \"redis://x\"\nnamespace = \"a b\"\n"
        ));
        assert!(e.contains("redis.namespace: namespace \"a b\""), "{e}");
        let e = err(&format!("{MIN}[serve]\nlog_max_len = 0\n"));
        assert!(e.contains("serve.log_max_len: expected at least 1"), "{e}");
        let e = err(&format!("{MIN}listen = \"nowhere\"\n"));
        assert!(e.contains("nodes[0].listen: expected ADDR:PORT"), "{e}");
    }

    #[test]
    fn ipv6_addresses_are_bracketed() {
        let n = Node {
            id: "x".into(),
            host: "::1".into(),
            port: 3000,
            weight: None,
            haproxy_id: None,
            listen: None,
        };
        assert_eq!(n.addr(), "[::1]:3000");
    }
}
