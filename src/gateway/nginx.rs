//! nginx 1.22 upstream hashing (`ngx_http_upstream_hash_module.c`,
//! `ngx_http_upstream_ip_hash_module.c`), reference §4.
//!
//! * [`NginxConsistent`]: `hash $key consistent;` (ketama over crc32 points).
//! * [`NginxHash`]: `hash $key;` (Cache::Memcached-style modulo with re-hashing).
//! * [`NginxIpHash`]: `ip_hash;` (first three IPv4 octets, or all 16 IPv6 bytes).
//!
//! Common rules: one configured peer means round-robin (nginx's `peers->single`);
//! an empty key means round-robin for `hash`; a down peer is skipped by re-trying, and
//! after the first try plus 20 re-tries nginx gives up and uses round-robin. When every
//! peer is down nothing can answer ([`Pick::Unavailable`], nginx's 502).

use std::net::IpAddr;

use super::{spread, weight_shares, Balancer, Checked, GatewayError, GatewaySpec, Pick};

/// Ring points per unit of weight for `hash … consistent`.
pub const POINTS_PER_WEIGHT: u32 = 160;
/// Peers (or ring points) nginx examines before falling back to round-robin:
/// the first try and 20 re-tries (`if (++tries > 20)`), so "after 20 tries" in the
/// reference means 21 examined in all.
pub const TRIES: usize = 21;

/// nginx's `ngx_crc32_long`: standard IEEE CRC32 (as zlib).
#[inline]
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

/// Split a `server` address the way `ngx_http_upstream_init_chash` does: a `unix:` prefix
/// (any case) gives host = the rest and no port; a trailing `:digits` is the port;
/// otherwise the whole string is the host.
pub fn split_server(server: &str) -> (&str, &str) {
    let bytes = server.as_bytes();
    if bytes.len() >= 5 && bytes[..5].eq_ignore_ascii_case(b"unix:") {
        return (&server[5..], "");
    }
    let digits = bytes
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let colon = bytes.len() - digits;
    if colon > 0 && bytes[colon - 1] == b':' {
        (&server[..colon - 1], &server[colon..])
    } else {
        (server, "")
    }
}

/// The ketama points of one `server` of weight `weight`, in generation order:
/// `p_j = crc32(host + "\0" + port + le32(p_{j-1}))` with `p_{-1} = 0`.
pub fn ketama_points(server: &str, weight: u32) -> Vec<u32> {
    let (host, port) = split_server(server);
    let mut base = crc32fast::Hasher::new();
    base.update(host.as_bytes());
    base.update(&[0]);
    base.update(port.as_bytes());
    let mut prev = 0u32;
    (0..weight * POINTS_PER_WEIGHT)
        .map(|_| {
            let mut h = base.clone();
            h.update(&prev.to_le_bytes());
            prev = h.finalize();
            prev
        })
        .collect()
}

/// Cumulative weights, for nginx's "subtract weights until `w < weight`" peer walk.
#[derive(Debug, Clone)]
struct WeightWalk {
    cumulative: Vec<u32>,
}

impl WeightWalk {
    fn new(weights: &[u32]) -> Self {
        let mut sum = 0u32;
        WeightWalk {
            cumulative: weights
                .iter()
                .map(|&w| {
                    sum += w;
                    sum
                })
                .collect(),
        }
    }

    fn total(&self) -> u32 {
        *self.cumulative.last().unwrap_or(&0)
    }

    /// The peer that `w < total` lands on.
    #[inline]
    fn peer(&self, w: u32) -> usize {
        self.cumulative.partition_point(|&c| c <= w)
    }
}

/// State shared by the three nginx balancers.
#[derive(Debug, Clone)]
struct Peers {
    down: Vec<bool>,
    /// nginx's `peers->single`: exactly one configured peer.
    single: bool,
    any_up: bool,
    /// Round-robin's long-run shares (weights over the peers that are up).
    fallback: Vec<f64>,
}

impl Peers {
    fn new(checked: &Checked) -> Self {
        Peers {
            single: checked.down.len() == 1,
            any_up: checked.down.iter().any(|&d| !d),
            fallback: weight_shares(&checked.weights, &checked.down),
            down: checked.down.clone(),
        }
    }

    /// The pick for keys that are not hashed, or `None` when the key must be hashed.
    #[inline]
    fn unhashed(&self, empty_key: bool) -> Option<Pick> {
        if !self.any_up {
            Some(Pick::Unavailable)
        } else if self.single || empty_key {
            Some(Pick::RoundRobin)
        } else {
            None
        }
    }
}

/// Marker in [`NginxConsistent`]'s point table: 21 points in a row belong to down peers.
const RR: u32 = u32::MAX;

/// nginx `hash $key consistent;`.
///
/// Every peer gets `weight × 160` crc32 points; points are sorted (stably, as glibc's
/// merge-sort `qsort` does) and equal hashes keep only their first point. A key goes to
/// the first point `p ≥ crc32(key)`, wrapping to the first point; a down peer's point
/// passes the key clockwise to the next point, and after 21 points round-robin takes over.
#[derive(Debug, Clone)]
pub struct NginxConsistent {
    points: Vec<u32>,
    /// Per point: the target its keys end on, or [`RR`].
    resolved: Vec<u32>,
    peers: Peers,
}

impl NginxConsistent {
    /// Validate `spec` (weights 1..=1000) and build the continuum.
    pub fn new(spec: &GatewaySpec) -> Result<Self, GatewayError> {
        let checked = Checked::new(spec)?;
        let mut all: Vec<(u32, u32)> = spec
            .targets
            .iter()
            .zip(&checked.weights)
            .enumerate()
            .flat_map(|(i, (t, &w))| {
                ketama_points(&t.addr, w)
                    .into_iter()
                    .map(move |p| (p, i as u32))
            })
            .collect();
        all.sort_by_key(|&(p, _)| p);
        all.dedup_by_key(|&mut (p, _)| p);

        let n = all.len();
        let resolved = (0..n)
            .map(|i| {
                (0..TRIES)
                    .map(|t| all[(i + t) % n].1)
                    .find(|&peer| !checked.down[peer as usize])
                    .unwrap_or(RR)
            })
            .collect();
        Ok(NginxConsistent {
            points: all.into_iter().map(|(p, _)| p).collect(),
            resolved,
            peers: Peers::new(&checked),
        })
    }

    /// Number of distinct points on the continuum.
    pub fn point_count(&self) -> usize {
        self.points.len()
    }

    /// Index of the first point `≥ hash`, wrapped to 0 past the last point.
    #[inline]
    fn point_index(&self, hash: u32) -> usize {
        let i = self.points.partition_point(|&p| p < hash);
        if i == self.points.len() {
            0
        } else {
            i
        }
    }

    /// [`Balancer::pick`] without dynamic dispatch.
    #[inline]
    pub fn pick(&self, key: &[u8]) -> Pick {
        if let Some(p) = self.peers.unhashed(key.is_empty()) {
            return p;
        }
        match self.resolved[self.point_index(crc32(key))] {
            RR => Pick::RoundRobin,
            t => Pick::Target(t as usize),
        }
    }
}

impl Balancer for NginxConsistent {
    #[inline]
    fn pick(&self, key: &[u8]) -> Pick {
        NginxConsistent::pick(self, key)
    }

    /// Arc lengths on the u32 circle: point `i` owns `(p_{i-1}, p_i]`, the first point
    /// also owns everything above the last one. Arcs that end in round-robin are spread
    /// by weight. A single peer is all round-robin (shares = weights).
    fn shares(&self) -> Vec<f64> {
        let mut shares = vec![0.0; self.peers.down.len()];
        if !self.peers.any_up {
            return shares;
        }
        if self.peers.single {
            return self.peers.fallback.clone();
        }
        const CIRCLE: f64 = 4_294_967_296.0;
        let n = self.points.len();
        let mut to_rr = 0u64;
        for i in 0..n {
            let arc = if i == 0 {
                u64::from(self.points[0]) + 1 + u64::from(u32::MAX - self.points[n - 1])
            } else {
                u64::from(self.points[i] - self.points[i - 1])
            };
            match self.resolved[i] {
                RR => to_rr += arc,
                t => shares[t as usize] += arc as f64 / CIRCLE,
            }
        }
        spread(&mut shares, &self.peers.fallback, to_rr as f64 / CIRCLE);
        shares
    }
}

/// nginx `hash $key;` (not consistent).
///
/// Try `r` (0-based) adds `(crc32(dec(r) + key) >> 16) & 0x7FFF` (no prefix for `r = 0`)
/// to an accumulator and walks the peers in config order with `acc mod total_weight`;
/// total weight includes down peers. A down peer means another try; after 21 tries,
/// round-robin.
#[derive(Debug, Clone)]
pub struct NginxHash {
    walk: WeightWalk,
    peers: Peers,
}

impl NginxHash {
    /// Validate `spec` (weights 1..=1000) and build the balancer.
    pub fn new(spec: &GatewaySpec) -> Result<Self, GatewayError> {
        let checked = Checked::new(spec)?;
        Ok(NginxHash {
            walk: WeightWalk::new(&checked.weights),
            peers: Peers::new(&checked),
        })
    }

    /// [`Balancer::pick`] without dynamic dispatch.
    pub fn pick(&self, key: &[u8]) -> Pick {
        if let Some(p) = self.peers.unhashed(key.is_empty()) {
            return p;
        }
        let total = self.walk.total();
        let mut acc = 0u32;
        for r in 0..TRIES {
            let crc = if r == 0 {
                crc32(key)
            } else {
                let mut h = crc32fast::Hasher::new();
                h.update(r.to_string().as_bytes());
                h.update(key);
                h.finalize()
            };
            acc = acc.wrapping_add((crc >> 16) & 0x7FFF);
            let peer = self.walk.peer(acc % total);
            if !self.peers.down[peer] {
                return Pick::Target(peer);
            }
        }
        Pick::RoundRobin
    }
}

impl Balancer for NginxHash {
    fn pick(&self, key: &[u8]) -> Pick {
        NginxHash::pick(self, key)
    }

    /// Exact over the 32768 values of the first try's `(crc >> 16) & 0x7FFF`, each taken
    /// as equally likely. Re-tries (only when a peer is down) are modelled as independent
    /// uniform 15-bit draws, a Markov chain on `acc mod total_weight`; what is left after
    /// 21 tries goes to round-robin and is spread by weight. nginx's re-tries are not
    /// independent (CRC32 is linear in its input), so with most of the weight down the
    /// model is off by a few points: weights 6, 1, 8, 1 with the 6 and the 8 down give
    /// 0.466 / 0.534 on device-id-like keys, the model 0.5 / 0.5. Picks are exact.
    fn shares(&self) -> Vec<f64> {
        let n = self.peers.down.len();
        let mut shares = vec![0.0; n];
        if !self.peers.any_up {
            return shares;
        }
        if self.peers.single {
            return self.peers.fallback.clone();
        }
        const VALUES: usize = 1 << 15;
        let tw = self.walk.total() as usize;
        let (q, rem) = ((VALUES / tw) as f64, VALUES % tw);
        let owner: Vec<usize> = (0..tw).map(|s| self.walk.peer(s as u32)).collect();
        // dist[s] = probability that acc mod tw == s and no try has succeeded yet.
        let mut dist = vec![0.0f64; tw];
        dist[0] = 1.0;
        let mut prefix = vec![0.0f64; tw + 1];
        for _ in 0..TRIES {
            let mass: f64 = dist.iter().sum();
            if mass == 0.0 {
                break;
            }
            for s in 0..tw {
                prefix[s + 1] = prefix[s] + dist[s];
            }
            // P(c mod tw == d) = (q + [d < rem]) / VALUES, so
            // next[t] = (q × mass + Σ_{d < rem} dist[(t - d) mod tw]) / VALUES.
            let window = |t: usize| -> f64 {
                if rem == 0 {
                    0.0
                } else if t + 1 >= rem {
                    prefix[t + 1] - prefix[t + 1 - rem]
                } else {
                    prefix[t + 1] + (prefix[tw] - prefix[tw + t + 1 - rem])
                }
            };
            let next: Vec<f64> = (0..tw)
                .map(|t| (q * mass + window(t)) / VALUES as f64)
                .collect();
            for (t, p) in next.into_iter().enumerate() {
                if self.peers.down[owner[t]] {
                    dist[t] = p;
                } else {
                    shares[owner[t]] += p;
                    dist[t] = 0.0;
                }
            }
        }
        let left: f64 = dist.iter().sum();
        spread(&mut shares, &self.peers.fallback, left);
        shares
    }
}

/// nginx `ip_hash;`. The key is the client IP as text.
///
/// `h = 89`, then per address byte (the first 3 of IPv4, all 16 of IPv6, IPv4-mapped
/// IPv6 included) `h = (h × 113 + b) mod 6271`; peer = weight walk of `h mod total_weight`.
/// A down peer means another try, which hashes the same bytes again starting from the
/// current `h`; after 21 tries, round-robin. A key that is not an IP address goes to
/// round-robin.
#[derive(Debug, Clone)]
pub struct NginxIpHash {
    walk: WeightWalk,
    peers: Peers,
}

impl NginxIpHash {
    /// Validate `spec` (weights 1..=1000) and build the balancer.
    pub fn new(spec: &GatewaySpec) -> Result<Self, GatewayError> {
        let checked = Checked::new(spec)?;
        Ok(NginxIpHash {
            walk: WeightWalk::new(&checked.weights),
            peers: Peers::new(&checked),
        })
    }

    /// The pick for a client address.
    pub fn pick_ip(&self, ip: IpAddr) -> Pick {
        if let Some(p) = self.peers.unhashed(false) {
            return p;
        }
        let v4;
        let v6;
        let bytes: &[u8] = match ip {
            IpAddr::V4(a) => {
                v4 = a.octets();
                &v4[..3]
            }
            IpAddr::V6(a) => {
                v6 = a.octets();
                &v6
            }
        };
        let total = self.walk.total();
        let mut hash = 89u32;
        for _ in 0..TRIES {
            for &b in bytes {
                hash = (hash * 113 + u32::from(b)) % 6271;
            }
            let peer = self.walk.peer(hash % total);
            if !self.peers.down[peer] {
                return Pick::Target(peer);
            }
        }
        Pick::RoundRobin
    }

    /// [`Balancer::pick`] without dynamic dispatch.
    pub fn pick(&self, key: &[u8]) -> Pick {
        let ip = std::str::from_utf8(key)
            .ok()
            .and_then(|s| s.parse::<IpAddr>().ok());
        match ip {
            Some(ip) => self.pick_ip(ip),
            None => self.peers.unhashed(true).unwrap_or(Pick::RoundRobin),
        }
    }
}

impl Balancer for NginxIpHash {
    fn pick(&self, key: &[u8]) -> Pick {
        NginxIpHash::pick(self, key)
    }

    fn pick_ip(&self, ip: IpAddr) -> Pick {
        NginxIpHash::pick_ip(self, ip)
    }

    /// Weights over the peers that are up. This is a share of distinct client networks
    /// (/24 for IPv4, whole addresses for IPv6), not of devices: every client behind
    /// one /24 or one NAT lands on the same peer.
    fn shares(&self) -> Vec<f64> {
        self.peers.fallback.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{build, Algorithm, Target};
    use super::*;

    fn spec(algorithm: Algorithm, addrs: &[&str], down: Vec<usize>) -> GatewaySpec {
        GatewaySpec {
            algorithm,
            targets: addrs.iter().map(|&a| Target::new(a)).collect(),
            slots: 0,
            down,
        }
    }

    const THREE: [&str; 3] = ["10.0.0.1:3000", "10.0.0.2:3000", "10.0.0.3:3000"];

    #[test]
    fn crc32_checks() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let mut base = b"10.0.0.1\x003000".to_vec();
        base.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(crc32(&base), 0x40D3_C4B4);
        assert_eq!(ketama_points("10.0.0.1:3000", 1)[0], 0x40D3_C4B4);
        assert_eq!(ketama_points("10.0.0.1:3000", 2).len(), 320);
    }

    #[test]
    fn server_split() {
        assert_eq!(split_server("10.0.0.1:3000"), ("10.0.0.1", "3000"));
        assert_eq!(split_server("[::1]:80"), ("[::1]", "80"));
        assert_eq!(split_server("UNIX:/tmp/s.sock"), ("/tmp/s.sock", ""));
        assert_eq!(split_server("backend"), ("backend", ""));
        assert_eq!(split_server("host:"), ("host", ""));
        assert_eq!(split_server("a:b1"), ("a:b1", ""));
    }

    /// §4 vector table.
    #[test]
    fn reference_vectors() {
        let chash =
            NginxConsistent::new(&spec(Algorithm::NginxConsistent, &THREE, vec![])).unwrap();
        let hash = NginxHash::new(&spec(Algorithm::NginxHash, &THREE, vec![])).unwrap();
        assert_eq!(chash.point_count(), 480);
        let rows: [(&[u8], u32, usize, usize); 4] = [
            (b"device-0001", 0x71B7_9271, 2, 2),
            (b"device-0002", 0xE8BE_C3CB, 1, 0),
            (b"device-0003", 0x9FB9_F35D, 0, 0),
            (b"abc", 0x3524_41C2, 2, 2),
        ];
        for (key, crc, consistent, plain) in rows {
            assert_eq!(crc32(key), crc);
            assert_eq!(chash.pick(key), Pick::Target(consistent));
            assert_eq!(hash.pick(key), Pick::Target(plain));
        }
    }

    #[test]
    fn empty_key_and_single_peer_are_round_robin() {
        for alg in [Algorithm::NginxConsistent, Algorithm::NginxHash] {
            let b = build(&spec(alg, &THREE, vec![])).unwrap();
            assert_eq!(b.pick(b""), Pick::RoundRobin);
            let one = build(&spec(alg, &THREE[..1], vec![])).unwrap();
            assert_eq!(one.pick(b"device-0001"), Pick::RoundRobin);
            assert_eq!(one.shares(), vec![1.0]);
            let dead = build(&spec(alg, &THREE[..1], vec![0])).unwrap();
            assert_eq!(dead.pick(b"device-0001"), Pick::Unavailable);
        }
        let ip = build(&spec(Algorithm::NginxIpHash, &THREE, vec![])).unwrap();
        assert_eq!(ip.pick(b""), Pick::RoundRobin);
        assert_eq!(ip.pick(b"not-an-ip"), Pick::RoundRobin);
        assert_eq!(ip.pick(b"10.1.2.3:80"), Pick::RoundRobin);
    }

    #[test]
    fn all_down_is_unavailable() {
        for alg in [
            Algorithm::NginxConsistent,
            Algorithm::NginxHash,
            Algorithm::NginxIpHash,
        ] {
            let b = build(&spec(alg, &THREE, vec![0, 1, 2])).unwrap();
            assert_eq!(b.pick(b"10.1.2.3"), Pick::Unavailable);
            assert_eq!(b.pick(b""), Pick::Unavailable);
            assert_eq!(b.shares(), vec![0.0; 3]);
        }
    }

    #[test]
    fn consistent_down_peer_moves_clockwise() {
        let up = NginxConsistent::new(&spec(Algorithm::NginxConsistent, &THREE, vec![])).unwrap();
        let down =
            NginxConsistent::new(&spec(Algorithm::NginxConsistent, &THREE, vec![1])).unwrap();
        // device-0002 sits on .2; with .2 down it takes the next point's peer.
        let i = up.point_index(crc32(b"device-0002"));
        let next = (1..TRIES)
            .map(|t| up.resolved[(i + t) % up.point_count()])
            .find(|&p| p != 1)
            .unwrap();
        assert_eq!(down.pick(b"device-0002"), Pick::Target(next as usize));
    }

    #[test]
    fn consistent_twenty_one_down_points_fall_back() {
        // With one of many peers up, some points are followed by 21 down points.
        let addrs: Vec<String> = (1..=40).map(|i| format!("10.0.1.{i}:80")).collect();
        let refs: Vec<&str> = addrs.iter().map(String::as_str).collect();
        let down: Vec<usize> = (1..40).collect();
        let b = NginxConsistent::new(&spec(Algorithm::NginxConsistent, &refs, down)).unwrap();
        assert!(b.resolved.contains(&RR));
        assert!(b.resolved.contains(&0));
        let shares = b.shares();
        assert!((shares[0] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn plain_hash_retries_with_prefix() {
        let b = NginxHash::new(&spec(Algorithm::NginxHash, &THREE, vec![0])).unwrap();
        // device-0003 goes to .1 first; .1 is down, so try 1 hashes "1device-0003".
        let first = (crc32(b"device-0003") >> 16) & 0x7FFF;
        assert_eq!(first % 3, 0);
        let mut acc = first;
        let mut r = 0;
        let target = loop {
            match acc % 3 {
                0 => {
                    r += 1;
                    acc += (crc32(format!("{r}device-0003").as_bytes()) >> 16) & 0x7FFF;
                }
                t => break t as usize,
            }
        };
        assert_eq!(b.pick(b"device-0003"), Pick::Target(target));
    }

    #[test]
    fn plain_hash_shares_exact_without_down() {
        let b = NginxHash::new(&spec(Algorithm::NginxHash, &THREE, vec![])).unwrap();
        let s = b.shares();
        // 32768 = 3 × 10922 + 2: residues 0 and 1 get one more value.
        assert!((s[0] - 10_923.0 / 32_768.0).abs() < 1e-15);
        assert!((s[1] - 10_923.0 / 32_768.0).abs() < 1e-15);
        assert!((s[2] - 10_922.0 / 32_768.0).abs() < 1e-15);
        let down = NginxHash::new(&spec(Algorithm::NginxHash, &THREE, vec![1])).unwrap();
        let s = down.shares();
        assert_eq!(s[1], 0.0);
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((s[0] - 0.5).abs() < 0.01, "{s:?}");
    }

    #[test]
    fn ip_hash_uses_first_three_octets() {
        let b = NginxIpHash::new(&spec(Algorithm::NginxIpHash, &THREE, vec![])).unwrap();
        let mut h = 89u32;
        for byte in [192u32, 168, 7] {
            h = (h * 113 + byte) % 6271;
        }
        let expected = Pick::Target((h % 3) as usize);
        assert_eq!(b.pick(b"192.168.7.1"), expected);
        assert_eq!(b.pick(b"192.168.7.254"), expected);
        let dynamic: &dyn Balancer = &b;
        assert_eq!(dynamic.pick_ip("192.168.7.9".parse().unwrap()), expected);
        let mut h6 = 89u32;
        for byte in "2001:db8::1"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets()
        {
            h6 = (h6 * 113 + u32::from(byte)) % 6271;
        }
        assert_eq!(b.pick(b"2001:db8::1"), Pick::Target((h6 % 3) as usize));
    }

    #[test]
    fn ip_hash_retry_rehashes_from_current_state() {
        let b = NginxIpHash::new(&spec(Algorithm::NginxIpHash, &THREE, vec![])).unwrap();
        let Pick::Target(first) = b.pick(b"10.20.30.40") else {
            panic!("expected a target");
        };
        let d = NginxIpHash::new(&spec(Algorithm::NginxIpHash, &THREE, vec![first])).unwrap();
        let mut h = 89u32;
        let expected = loop {
            for byte in [10u32, 20, 30] {
                h = (h * 113 + byte) % 6271;
            }
            if (h % 3) as usize != first {
                break (h % 3) as usize;
            }
        };
        assert_eq!(d.pick(b"10.20.30.40"), Pick::Target(expected));
        assert_eq!(b.shares(), vec![1.0 / 3.0; 3]);
    }

    #[test]
    fn weights_are_capped() {
        let mut s = spec(Algorithm::NginxConsistent, &THREE, vec![]);
        s.targets[0].weight = Some(1001);
        assert!(matches!(
            build(&s).err(),
            Some(GatewayError::BadWeight { weight: 1001, .. })
        ));
        s.targets[0].weight = Some(0);
        assert!(matches!(
            build(&s).err(),
            Some(GatewayError::BadWeight { weight: 0, .. })
        ));
        s.targets[0].weight = Some(1000);
        assert!(build(&s).is_ok());
    }

    #[test]
    fn weighted_walk() {
        let w = WeightWalk::new(&[2, 1, 3]);
        let got: Vec<usize> = (0..6).map(|x| w.peer(x)).collect();
        assert_eq!(got, vec![0, 0, 1, 2, 2, 2]);
        assert_eq!(w.total(), 6);
    }
}
