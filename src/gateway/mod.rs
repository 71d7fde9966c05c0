//! Byte-exact models of the sticky balancers of Kong 3.x, nginx and HAProxy.
//!
//! Everything here is pure: no I/O, no clock, no global RNG. The algorithms follow
//! `shared/reference/gateway-hashing.md` and are checked against the golden vectors
//! produced by the real gateways (`tests/integration/gateway_vectors.rs`).
//!
//! Use [`build`] to get a [`Balancer`] for a [`GatewaySpec`], or the concrete types
//! ([`kong::KongBalancer`], [`nginx::NginxConsistent`], [`nginx::NginxHash`],
//! [`nginx::NginxIpHash`], [`haproxy::HaproxyConsistent`], [`haproxy::HaproxyMap`],
//! [`RoundRobinBalancer`]) when static dispatch matters. When a pick is
//! [`Pick::RoundRobin`], a caller resolves it with a [`RoundRobin`] scheduler.

pub mod haproxy;
pub mod kong;
pub mod nginx;

use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;

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

impl Target {
    /// A target with the gateway's default weight and no explicit id.
    pub fn new(addr: impl Into<String>) -> Self {
        Target {
            addr: addr.into(),
            weight: None,
            id: None,
        }
    }

    /// This target with an explicit weight.
    pub fn with_weight(mut self, weight: u32) -> Self {
        self.weight = Some(weight);
        self
    }

    /// This target with an explicit HAProxy server id.
    pub fn with_id(mut self, id: u32) -> Self {
        self.id = Some(id);
        self
    }
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
    /// Every algorithm, in declaration order.
    pub const ALL: [Algorithm; 7] = [
        Algorithm::Kong,
        Algorithm::NginxConsistent,
        Algorithm::NginxHash,
        Algorithm::NginxIpHash,
        Algorithm::HaproxyConsistent,
        Algorithm::HaproxyMap,
        Algorithm::RoundRobin,
    ];

    /// The default weight each gateway gives a target that names none.
    pub fn default_weight(self) -> u32 {
        match self {
            Algorithm::Kong => 100,
            _ => 1,
        }
    }

    /// The weights this model accepts, and the same range as text for error messages.
    ///
    /// Kong's schema allows 0..=65535 (0 disables a target). nginx requires at least 1;
    /// rtctl caps it at 1000 because `hash … consistent` allocates weight × 160 points
    /// per server (nginx/nginx#191). HAProxy allows 0..=256 (0 takes no traffic).
    pub fn weight_range(self) -> (RangeInclusive<u32>, &'static str) {
        match self {
            Algorithm::Kong => (0..=65_535, "0..=65535"),
            Algorithm::NginxConsistent | Algorithm::NginxHash | Algorithm::NginxIpHash => {
                (1..=1000, "1..=1000")
            }
            Algorithm::HaproxyConsistent | Algorithm::HaproxyMap => (0..=256, "0..=256"),
            Algorithm::RoundRobin => (0..=65_535, "0..=65535"),
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

impl GatewaySpec {
    /// Kong's default `slots`.
    pub const DEFAULT_SLOTS: u32 = 10_000;

    /// A spec with no down targets and Kong's default slots.
    pub fn new(algorithm: Algorithm, targets: Vec<Target>) -> Self {
        GatewaySpec {
            algorithm,
            targets,
            slots: Self::DEFAULT_SLOTS,
            down: Vec::new(),
        }
    }

    /// The effective weight of every target (explicit or the gateway default).
    pub fn weights(&self) -> Vec<u32> {
        let default = self.algorithm.default_weight();
        self.targets
            .iter()
            .map(|t| t.weight.unwrap_or(default))
            .collect()
    }
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

impl Pick {
    /// The target index, if the key hashed to one.
    pub fn target(self) -> Option<usize> {
        match self {
            Pick::Target(i) => Some(i),
            _ => None,
        }
    }
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
    #[error("target {addr:?}: HAProxy server id {id} is invalid (ids start at 1)")]
    BadId { addr: String, id: u32 },
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
    ///
    /// Keys that the gateway would send to round-robin (for example nginx after 20
    /// failed tries) are spread by weight over the available targets, which is what
    /// round-robin does in the long run. Each module documents its exact model.
    fn shares(&self) -> Vec<f64>;

    /// Where a request from client address `ip` goes when the address is the key.
    ///
    /// nginx `ip_hash` and HAProxy `balance source` hash the address bytes their own way
    /// and override this. The default hashes the address as text (Rust's RFC 5952 form,
    /// e.g. `10.0.0.1`, `2001:db8::1`), which is what Kong `hash_on: ip` and nginx
    /// `hash $remote_addr` see.
    fn pick_ip(&self, ip: IpAddr) -> Pick {
        self.pick(ip.to_string().as_bytes())
    }

    /// Bulk form of [`Balancer::pick`]: clears `out`, then pushes one pick per key, in order.
    ///
    /// The default body is monomorphised per implementation, so `pick` is inlined.
    fn pick_many(&self, keys: &[&[u8]], out: &mut Vec<Pick>) {
        out.clear();
        out.reserve(keys.len());
        out.extend(keys.iter().map(|k| self.pick(k)));
    }
}

/// Build the balancer for `spec`.
pub fn build(spec: &GatewaySpec) -> Result<Box<dyn Balancer>, GatewayError> {
    Ok(match spec.algorithm {
        Algorithm::Kong => Box::new(kong::KongBalancer::new(spec)?),
        Algorithm::NginxConsistent => Box::new(nginx::NginxConsistent::new(spec)?),
        Algorithm::NginxHash => Box::new(nginx::NginxHash::new(spec)?),
        Algorithm::NginxIpHash => Box::new(nginx::NginxIpHash::new(spec)?),
        Algorithm::HaproxyConsistent => Box::new(haproxy::HaproxyConsistent::new(spec)?),
        Algorithm::HaproxyMap => Box::new(haproxy::HaproxyMap::new(spec)?),
        Algorithm::RoundRobin => Box::new(RoundRobinBalancer::new(spec)?),
    })
}

/// A spec after the checks every algorithm shares.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// Parsed addresses, parallel to `spec.targets`.
    pub addrs: Vec<SocketAddr>,
    /// Effective weights, parallel to `spec.targets`.
    pub weights: Vec<u32>,
    /// `down[i]` is true when target `i` is marked down.
    pub down: Vec<bool>,
}

impl Checked {
    /// Validate the parts of `spec` every algorithm shares: at least one target,
    /// `IP:PORT` addresses (port 1..=65535) listed once each, weights in the
    /// algorithm's range and valid down indices.
    pub fn new(spec: &GatewaySpec) -> Result<Self, GatewayError> {
        if spec.targets.is_empty() {
            return Err(GatewayError::NoTargets(spec.algorithm));
        }
        let (range, range_text) = spec.algorithm.weight_range();
        let default = spec.algorithm.default_weight();
        let mut seen = HashSet::with_capacity(spec.targets.len());
        let mut addrs = Vec::with_capacity(spec.targets.len());
        let mut weights = Vec::with_capacity(spec.targets.len());
        for target in &spec.targets {
            let addr = parse_addr(&target.addr)?;
            if !seen.insert(addr) {
                return Err(GatewayError::DuplicateTarget {
                    addr: target.addr.clone(),
                });
            }
            let weight = target.weight.unwrap_or(default);
            if !range.contains(&weight) {
                return Err(GatewayError::BadWeight {
                    addr: target.addr.clone(),
                    weight,
                    algorithm: spec.algorithm,
                    range: range_text,
                });
            }
            addrs.push(addr);
            weights.push(weight);
        }
        let mut down = vec![false; spec.targets.len()];
        for &i in &spec.down {
            *down.get_mut(i).ok_or(GatewayError::BadDown(i))? = true;
        }
        Ok(Checked {
            addrs,
            weights,
            down,
        })
    }

    /// True when target `i` can take traffic: not down and a non-zero weight.
    pub fn usable(&self, i: usize) -> bool {
        !self.down[i] && self.weights[i] > 0
    }
}

/// Parse `IP:PORT` (IPv4, or bracketed IPv6) with a port in 1..=65535.
pub(crate) fn parse_addr(addr: &str) -> Result<SocketAddr, GatewayError> {
    match addr.parse::<SocketAddr>() {
        Ok(parsed) if parsed.port() != 0 => Ok(parsed),
        _ => Err(GatewayError::BadAddress {
            addr: addr.to_owned(),
        }),
    }
}

/// `weight / Σ weight` over the usable targets; zeros when none is usable.
pub(crate) fn weight_shares(weights: &[u32], down: &[bool]) -> Vec<f64> {
    let usable = |i: usize| !down[i] && weights[i] > 0;
    let total: u64 = (0..weights.len())
        .filter(|&i| usable(i))
        .map(|i| u64::from(weights[i]))
        .sum();
    (0..weights.len())
        .map(|i| {
            if total > 0 && usable(i) {
                f64::from(weights[i]) / total as f64
            } else {
                0.0
            }
        })
        .collect()
}

/// Add `amount` of key space that goes to round-robin to `shares`, spread by weight
/// over the usable targets (`fallback` is [`weight_shares`]).
pub(crate) fn spread(shares: &mut [f64], fallback: &[f64], amount: f64) {
    if amount > 0.0 {
        for (s, f) in shares.iter_mut().zip(fallback) {
            *s += amount * f;
        }
    }
}

/// nginx's smooth weighted round-robin (`ngx_http_upstream_get_peer`), used to resolve
/// [`Pick::RoundRobin`].
///
/// Each call adds every eligible peer's weight to its `current`, picks the peer with the
/// largest `current` (the first one on ties) and subtracts the total weight from it.
/// Weights 5/1/1 give `a a b a c a a`. Down peers and weight-0 peers are never picked.
/// HAProxy's own round-robin walks its server map instead, so its order differs, but the
/// long-run proportions are the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRobin {
    /// `(target index, weight, current)` for each eligible peer, in target order.
    peers: Vec<(usize, i64, i64)>,
    total: i64,
}

impl RoundRobin {
    /// A scheduler over `weights` (index = target index) that skips the `down` indices.
    /// Out-of-range down indices are ignored.
    pub fn new(weights: &[u32], down: &[usize]) -> Self {
        let peers: Vec<(usize, i64, i64)> = weights
            .iter()
            .enumerate()
            .filter(|&(i, &w)| w > 0 && !down.contains(&i))
            .map(|(i, &w)| (i, i64::from(w), 0))
            .collect();
        let total = peers.iter().map(|p| p.1).sum();
        RoundRobin { peers, total }
    }

    /// The scheduler for a spec's targets, weights (with defaults) and down set.
    pub fn from_spec(spec: &GatewaySpec) -> Self {
        Self::new(&spec.weights(), &spec.down)
    }
}

/// An endless schedule: `next()` gives the next target index, or `None` when no target
/// is eligible (then it stays `None`).
impl Iterator for RoundRobin {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let mut best: Option<usize> = None;
        for k in 0..self.peers.len() {
            self.peers[k].2 += self.peers[k].1;
            if best.is_none_or(|b| self.peers[k].2 > self.peers[b].2) {
                best = Some(k);
            }
        }
        let b = best?;
        self.peers[b].2 -= self.total;
        Some(self.peers[b].0)
    }
}

/// The [`Algorithm::RoundRobin`] balancer: every key goes to round-robin.
#[derive(Debug, Clone)]
pub struct RoundRobinBalancer {
    shares: Vec<f64>,
}

impl RoundRobinBalancer {
    /// Validate `spec` and build the balancer.
    pub fn new(spec: &GatewaySpec) -> Result<Self, GatewayError> {
        let checked = Checked::new(spec)?;
        Ok(RoundRobinBalancer {
            shares: weight_shares(&checked.weights, &checked.down),
        })
    }
}

impl Balancer for RoundRobinBalancer {
    fn pick(&self, _key: &[u8]) -> Pick {
        if self.shares.iter().any(|&s| s > 0.0) {
            Pick::RoundRobin
        } else {
            Pick::Unavailable
        }
    }

    fn shares(&self) -> Vec<f64> {
        self.shares.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spec(algorithm: Algorithm, addrs: &[&str]) -> GatewaySpec {
        GatewaySpec::new(algorithm, addrs.iter().map(|&a| Target::new(a)).collect())
    }

    #[test]
    fn no_targets() {
        for alg in Algorithm::ALL {
            assert_eq!(
                build(&spec(alg, &[])).err(),
                Some(GatewayError::NoTargets(alg))
            );
        }
    }

    #[test]
    fn bad_addresses() {
        let bad = [
            "10.0.0.1",
            "10.0.0.1:0",
            "10.0.0.1:65536",
            "10.0.0.1:http",
            "backend.internal:80",
            "::1:80",
            "[::1]",
            "010.0.0.1:80",
            " 10.0.0.1:80",
            "",
        ];
        for alg in Algorithm::ALL {
            for addr in bad {
                assert_eq!(
                    build(&spec(alg, &[addr])).err(),
                    Some(GatewayError::BadAddress {
                        addr: addr.to_owned()
                    }),
                    "{alg} {addr:?}"
                );
            }
            assert!(build(&spec(alg, &["[::1]:80", "10.0.0.1:65535"])).is_ok());
        }
    }

    #[test]
    fn duplicate_targets() {
        for alg in Algorithm::ALL {
            assert_eq!(
                build(&spec(alg, &["10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80"])).err(),
                Some(GatewayError::DuplicateTarget {
                    addr: "10.0.0.1:80".to_owned()
                })
            );
            // Same address, different spelling.
            assert_eq!(
                build(&spec(alg, &["[::1]:80", "[0:0::1]:80"])).err(),
                Some(GatewayError::DuplicateTarget {
                    addr: "[0:0::1]:80".to_owned()
                })
            );
            // Same IP, different port: two targets.
            assert!(build(&spec(alg, &["10.0.0.1:80", "10.0.0.1:81"])).is_ok());
        }
    }

    #[test]
    fn bad_down_index() {
        for alg in Algorithm::ALL {
            let mut s = spec(alg, &["10.0.0.1:80"]);
            s.down = vec![1];
            assert_eq!(build(&s).err(), Some(GatewayError::BadDown(1)));
        }
    }

    #[test]
    fn weight_ranges() {
        for alg in Algorithm::ALL {
            let (range, text) = alg.weight_range();
            let mut s = spec(alg, &["10.0.0.1:80", "10.0.0.2:80"]);
            s.targets[0].weight = Some(range.end() + 1);
            assert_eq!(
                build(&s).err(),
                Some(GatewayError::BadWeight {
                    addr: "10.0.0.1:80".to_owned(),
                    weight: range.end() + 1,
                    algorithm: alg,
                    range: text,
                })
            );
            s.targets[0].weight = Some(*range.start());
            assert!(build(&s).is_ok(), "{alg}");
        }
    }

    #[test]
    fn error_messages() {
        let e = GatewayError::RingOverflow {
            points: 3200,
            targets: 20,
            ring: 1000,
            suggested: 12_800,
        };
        let text = e.to_string();
        assert!(text.contains("3200") && text.contains("12800"), "{text}");
    }

    #[test]
    fn smooth_round_robin_matches_nginx() {
        let rr = RoundRobin::new(&[5, 1, 1], &[]);
        assert_eq!(rr.take(7).collect::<Vec<_>>(), vec![0, 0, 1, 0, 2, 0, 0]);
        let rr = RoundRobin::new(&[1, 1, 0, 1], &[1]);
        assert_eq!(rr.take(4).collect::<Vec<_>>(), vec![0, 3, 0, 3]);
        let mut none = RoundRobin::new(&[1, 1], &[0, 1]);
        assert_eq!(none.next(), None);
        assert_eq!(none.next(), None);
        let s = spec(Algorithm::Kong, &["10.0.0.1:80", "10.0.0.2:80"]);
        let mut rr = RoundRobin::from_spec(&s);
        assert_eq!((rr.next(), rr.next()), (Some(0), Some(1)));
    }

    #[test]
    fn round_robin_balancer() {
        let mut s = spec(Algorithm::RoundRobin, &["10.0.0.1:80", "10.0.0.2:80"]);
        s.targets[1].weight = Some(3);
        let b = build(&s).unwrap();
        assert_eq!(b.pick(b"anything"), Pick::RoundRobin);
        assert_eq!(b.pick(b""), Pick::RoundRobin);
        assert_eq!(b.shares(), vec![0.25, 0.75]);
        s.down = vec![0, 1];
        let b = build(&s).unwrap();
        assert_eq!(b.pick(b"x"), Pick::Unavailable);
        assert_eq!(b.shares(), vec![0.0, 0.0]);
    }

    #[test]
    fn pick_many_matches_pick() {
        let s = spec(
            Algorithm::Kong,
            &["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"],
        );
        let b = build(&s).unwrap();
        let keys: Vec<String> = (0..100).map(|i| format!("device-{i:04}")).collect();
        let refs: Vec<&[u8]> = keys.iter().map(|k| k.as_bytes()).collect();
        let mut out = vec![Pick::Unavailable; 3];
        b.pick_many(&refs, &mut out);
        assert_eq!(out.len(), 100);
        for (k, p) in refs.iter().zip(&out) {
            assert_eq!(b.pick(k), *p);
        }
    }

    #[test]
    fn default_pick_ip_hashes_the_text() {
        for alg in [
            Algorithm::Kong,
            Algorithm::NginxConsistent,
            Algorithm::NginxHash,
        ] {
            let b = build(&spec(alg, &["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"])).unwrap();
            for ip in ["192.0.2.7", "2001:db8::1"] {
                assert_eq!(b.pick_ip(ip.parse().unwrap()), b.pick(ip.as_bytes()));
            }
        }
        let rr = build(&spec(Algorithm::RoundRobin, &["10.0.0.1:80"])).unwrap();
        assert_eq!(rr.pick_ip("192.0.2.7".parse().unwrap()), Pick::RoundRobin);
    }

    /// splitmix64, for reproducible key sets inside property tests.
    struct Keys(u64);

    impl Keys {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// A device-id-like key, or a client IPv4 address for `ip_hash`.
        fn key(&mut self, algorithm: Algorithm) -> String {
            const CHARS: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";
            if algorithm == Algorithm::NginxIpHash {
                let b = self.next_u64().to_le_bytes();
                return format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
            }
            let len = 6 + (self.next_u64() % 20) as usize;
            (0..len)
                .map(|_| CHARS[(self.next_u64() % CHARS.len() as u64) as usize] as char)
                .collect()
        }
    }

    /// A spec with `n` targets, weights drawn from `weights` (clamped to the algorithm's
    /// range) and explicit HAProxy ids.
    fn random_spec(algorithm: Algorithm, weights: &[u32], slots: u32) -> GatewaySpec {
        let (range, _) = algorithm.weight_range();
        let targets = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                Target::new(format!("10.{}.{}.{}:{}", i % 3, i / 3, 1 + i, 3000 + i))
                    .with_weight(w.clamp(*range.start(), (*range.end()).min(200)))
                    .with_id(10 + 7 * i as u32)
            })
            .collect();
        GatewaySpec {
            algorithm,
            targets,
            slots,
            down: Vec::new(),
        }
    }

    fn algorithm() -> impl Strategy<Value = Algorithm> {
        prop::sample::select(Algorithm::ALL.to_vec())
    }

    fn consistent_algorithm() -> impl Strategy<Value = Algorithm> {
        prop::sample::select(vec![
            Algorithm::Kong,
            Algorithm::NginxConsistent,
            Algorithm::HaproxyConsistent,
        ])
    }

    /// The nginx `hash` share model's known error (see `NginxHash::shares`): with most of
    /// the weight down, the re-tries' correlation moves a few points from one peer to another.
    #[test]
    fn nginx_hash_shares_are_a_model_when_most_weight_is_down() {
        let mut spec = random_spec(Algorithm::NginxHash, &[6, 0, 8, 0], 10);
        spec.down = vec![0, 2];
        let b = build(&spec).unwrap();
        assert_eq!(b.shares(), vec![0.0, 0.5, 0.0, 0.5]);
        let mut keys = Keys(1);
        let mut rr = RoundRobin::from_spec(&spec);
        let n = 100_000;
        let ones = (0..n)
            .filter(|_| {
                let t = match b.pick(keys.key(Algorithm::NginxHash).as_bytes()) {
                    Pick::Target(t) => t,
                    // 21 tries all down: round-robin
                    _ => rr.next().unwrap(),
                };
                t == 1
            })
            .count();
        let freq = ones as f64 / n as f64;
        assert!((0.45..0.48).contains(&freq), "{freq}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Marking one target down moves only that target's keys, and all of them.
        #[test]
        fn down_moves_only_that_targets_keys(
            algorithm in consistent_algorithm(),
            weights in prop::collection::vec(1u32..=200, 2..8),
            victim in any::<prop::sample::Index>(),
            seed in any::<u64>(),
        ) {
            let base = random_spec(algorithm, &weights, 10_000);
            let d = victim.index(weights.len());
            let mut degraded = base.clone();
            degraded.down = vec![d];
            let (a, b) = (build(&base).unwrap(), build(&degraded).unwrap());
            let mut keys = Keys(seed);
            for _ in 0..2000 {
                let key = keys.key(algorithm);
                let (before, after) = (a.pick(key.as_bytes()), b.pick(key.as_bytes()));
                if before == Pick::Target(d) {
                    prop_assert_ne!(after, Pick::Target(d), "key {}", key);
                } else {
                    prop_assert_eq!(before, after, "key {}", key);
                }
            }
        }

        /// Removing a target (nginx consistent; HAProxy consistent with explicit ids)
        /// moves only that target's keys.
        #[test]
        fn removal_moves_only_that_targets_keys(
            haproxy in any::<bool>(),
            weights in prop::collection::vec(1u32..=20, 3..8),
            victim in any::<prop::sample::Index>(),
            seed in any::<u64>(),
        ) {
            let algorithm = if haproxy {
                Algorithm::HaproxyConsistent
            } else {
                Algorithm::NginxConsistent
            };
            let base = random_spec(algorithm, &weights, 10_000);
            let d = victim.index(weights.len());
            let mut smaller = base.clone();
            smaller.targets.remove(d);
            let (a, b) = (build(&base).unwrap(), build(&smaller).unwrap());
            let mut keys = Keys(seed);
            for _ in 0..2000 {
                let key = keys.key(algorithm);
                if let Pick::Target(t) = a.pick(key.as_bytes()) {
                    if t != d {
                        let moved = if t > d { t - 1 } else { t };
                        prop_assert_eq!(b.pick(key.as_bytes()), Pick::Target(moved));
                    }
                }
            }
        }

        /// Shares sum to 1 over the available targets and match pick frequencies.
        #[test]
        fn shares_match_pick_frequencies(
            algorithm in algorithm(),
            weights in prop::collection::vec(0u32..=12, 2..7),
            down_mask in any::<u8>(),
            slots in prop::sample::select(vec![10u32, 1000, 4096, 10_000]),
            seed in any::<u64>(),
        ) {
            let mut spec = random_spec(algorithm, &weights, slots);
            let usable = |s: &GatewaySpec, i: usize| {
                s.weights()[i] > 0 && !s.down.contains(&i)
            };
            spec.down = (0..weights.len()).filter(|i| down_mask & (1 << i) != 0).collect();
            if !(0..weights.len()).any(|i| usable(&spec, i)) {
                spec.down.clear();
            }
            prop_assume!((0..weights.len()).any(|i| usable(&spec, i)));
            // Weight-0 Kong targets still count in N, so a lone weighted target can need
            // more points than a small ring holds; the suggested slots must then build.
            let balancer = match build(&spec) {
                Err(GatewayError::RingOverflow { suggested, .. }) => {
                    spec.slots = suggested;
                    build(&spec).unwrap()
                }
                other => other.unwrap(),
            };
            let shares = balancer.shares();
            prop_assert_eq!(shares.len(), weights.len());
            prop_assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{:?}", shares);
            for (i, &s) in shares.iter().enumerate() {
                prop_assert!(s >= 0.0);
                if !usable(&spec, i) {
                    prop_assert_eq!(s, 0.0, "target {} is not usable", i);
                }
            }

            const N: usize = 10_000;
            let mut counts = vec![0usize; weights.len()];
            let mut rr = RoundRobin::from_spec(&spec);
            let mut keys = Keys(seed);
            for _ in 0..N {
                let key = keys.key(algorithm);
                let t = match balancer.pick(key.as_bytes()) {
                    Pick::Target(t) => t,
                    Pick::RoundRobin => rr.next().unwrap(),
                    Pick::Unavailable => panic!("a target is usable"),
                };
                prop_assert!(usable(&spec, t), "picked unusable target {}", t);
                counts[t] += 1;
            }
            // nginx `hash` re-tries past a down peer with crc32(dec(r) + key), which the model
            // takes as independent draws; CRC32 is linear, so they are not, and the model is
            // off by a few points when most of the weight is down (weights 6, 1, 8, 1 with the
            // 6 and the 8 down: 0.466 / 0.534 over ten key sets of 100,000, model 0.5 / 0.5).
            let tolerance = if algorithm == Algorithm::NginxHash && !spec.down.is_empty() {
                0.05
            } else {
                0.03
            };
            for (i, (&c, &s)) in counts.iter().zip(&shares).enumerate() {
                let freq = c as f64 / N as f64;
                prop_assert!(
                    (freq - s).abs() < tolerance,
                    "{}: target {} share {} but frequency {} ({:?})",
                    algorithm, i, s, freq, shares
                );
            }
        }
    }
}
