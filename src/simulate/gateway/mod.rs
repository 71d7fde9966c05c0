//! Byte-exact models of the sticky balancers of Kong 3.x, nginx and HAProxy.
//!
//! Everything here is pure: no I/O, no clock, no global RNG. The algorithms follow
//! `shared/reference/gateway-hashing.md` and are checked against the golden vectors
//! produced by the real gateways (`tests/integration/gateway_vectors.rs`).

pub mod haproxy;
pub mod kong;
pub mod nginx;

use std::fmt;

/// One upstream target, in configuration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The address exactly as written in the gateway config, `IP:PORT`.
    pub addr: String,
    /// Weight; `None` means the gateway's own default (Kong 100, nginx 1, HAProxy 1).
    pub weight: Option<u32>,
    /// HAProxy numeric server id (`id N`); `None` means "assigned by position" as HAProxy does.
    pub id: Option<u32>,
}

/// The balancing algorithms rtctl models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// Kong 3.x `consistent-hashing` (xxh32 ring).
    Kong,
    /// nginx `hash $key consistent;` (ketama, crc32).
    NginxConsistent,
    /// nginx `hash $key;` (crc32, modulo).
    NginxHash,
    /// nginx `ip_hash;` (first three IPv4 octets).
    NginxIpHash,
    /// HAProxy `hash-type consistent` (sdbm + avalanche, tree keyed by server id).
    HaproxyConsistent,
    /// HAProxy map-based hashing (the default `hash-type`, sdbm).
    HaproxyMap,
    /// Plain (smooth weighted) round-robin; no stickiness.
    RoundRobin,
}

impl Algorithm {
    /// The default weight each gateway gives a target that names none.
    pub fn default_weight(self) -> u32 {
        match self {
            Algorithm::Kong => 100,
            _ => 1,
        }
    }

    /// Stable CLI / JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Kong => "kong",
            Algorithm::NginxConsistent => "nginx-consistent",
            Algorithm::NginxHash => "nginx-hash",
            Algorithm::NginxIpHash => "nginx-ip-hash",
            Algorithm::HaproxyConsistent => "haproxy-consistent",
            Algorithm::HaproxyMap => "haproxy-map",
            Algorithm::RoundRobin => "round-robin",
        }
    }

    /// Consistent algorithms move only the keys of a changed target.
    pub fn is_consistent(self) -> bool {
        matches!(
            self,
            Algorithm::Kong | Algorithm::NginxConsistent | Algorithm::HaproxyConsistent
        )
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything needed to build a balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewaySpec {
    pub algorithm: Algorithm,
    /// Targets in configuration order.
    pub targets: Vec<Target>,
    /// Kong `slots` (10..=65536); ignored by the others.
    pub slots: u32,
    /// Indices into `targets` that are marked down / unhealthy (still present in the config).
    pub down: Vec<usize>,
}

/// What the gateway does with one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The key hashes to this target (index into `GatewaySpec::targets`).
    Target(usize),
    /// The gateway does not hash this key (empty key on nginx / HAProxy, or a single peer):
    /// it falls back to round-robin.
    RoundRobin,
    /// No target can take the request (every target down; Kong answers 503).
    Unavailable,
}

/// Why a balancer cannot be built from a spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    #[error("no targets: a {0} upstream needs at least one target")]
    NoTargets(Algorithm),
    #[error("target {addr:?}: expected IP:PORT with a port in 1..=65535")]
    BadAddress { addr: String },
    #[error("target {addr:?} is listed twice")]
    DuplicateTarget { addr: String },
    #[error("target {addr:?}: weight {weight} is out of range for {algorithm} (expected {range})")]
    BadWeight {
        addr: String,
        weight: u32,
        algorithm: Algorithm,
        range: &'static str,
    },
    #[error("target {addr:?}: HAProxy server id {id} is used twice")]
    DuplicateId { addr: String, id: u32 },
    #[error("slots {0} is out of range (Kong accepts 10..=65536)")]
    BadSlots(u32),
    #[error(
        "Kong ring build aborts: {points} ring points for {targets} targets do not fit {ring} ring slots; Kong would log \"please increase the wheel size\" and answer 503 to every request (raise slots to at least {suggested})"
    )]
    RingOverflow {
        points: u64,
        targets: usize,
        ring: u32,
        suggested: u32,
    },
    #[error("down index {0} is not a target")]
    BadDown(usize),
}

/// A built, immutable balancer.
pub trait Balancer: Send + Sync {
    /// Where a request carrying `key` goes (before any round-robin fallback is resolved).
    fn pick(&self, key: &[u8]) -> Pick;
    /// Exact fraction of the key space that hashes to each target (index = target index).
    /// Down targets get 0; the entries sum to 1 unless every target is down.
    fn shares(&self) -> Vec<f64>;
    /// Where a request from this client address goes when the gateway hashes the address
    /// itself (Kong `hash_on: ip` and nginx `hash $remote_addr` hash the text form).
    fn pick_ip(&self, ip: std::net::IpAddr) -> Pick {
        self.pick(ip.to_string().as_bytes())
    }
}

/// TEMP until the gateway module lands.
pub struct RoundRobin;
impl RoundRobin {
    pub fn new(_w: &[u32], _d: &[usize]) -> Self {
        RoundRobin
    }
    pub fn next(&mut self) -> Option<usize> {
        todo!()
    }
}

/// Build the balancer for `spec`.
pub fn build(spec: &GatewaySpec) -> Result<Box<dyn Balancer>, GatewayError> {
    let _ = spec;
    todo!("implemented by the gateway module")
}
