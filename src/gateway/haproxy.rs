//! HAProxy 2.6 hash balancing (`src/lb_chash.c`, `src/lb_map.c`, `src/hash.c`,
//! `src/backend.c`), reference §5, for `balance hdr()` / `url_param` / `hash`.
//!
//! * [`HaproxyConsistent`]: `hash-type consistent` (sdbm + avalanche, a tree of
//!   `weight × 16` nodes per server keyed by the server id).
//! * [`HaproxyMap`]: the default map-based hashing (sdbm, no avalanche, `map[h mod T]`).
//!
//! Common rules: a server is usable when it is up and its weight is non-zero. With no
//! usable server nothing answers ([`Pick::Unavailable`], HAProxy's 503); with exactly one
//! HAProxy skips hashing and uses it; otherwise an empty key means round-robin.
//!
//! [`Balancer::pick_ip`] models `balance source`: the hash is [`source_hash`] of the client
//! address (avalanched for `hash-type consistent`), looked up in the same tree or map.

use std::net::IpAddr;

use super::{Balancer, Checked, GatewayError, GatewaySpec, Pick, Target};

/// HAProxy's `BE_WEIGHT_SCALE`: effective weight = user weight × 16.
pub const WEIGHT_SCALE: u32 = 16;
/// HAProxy's `SRV_EWGHT_RANGE` (256 × 16): node `j` of server `puid` is keyed by
/// `avalanche(puid × 4096 + j)`.
pub const EWGHT_RANGE: u32 = 256 * WEIGHT_SCALE;

/// HAProxy's `hash_sdbm`: `h = c + (h << 6) + (h << 16) − h` per (unsigned) byte.
#[inline]
pub fn sdbm(key: &[u8]) -> u32 {
    key.iter().fold(0u32, |h, &c| {
        u32::from(c)
            .wrapping_add(h << 6)
            .wrapping_add(h << 16)
            .wrapping_sub(h)
    })
}

/// HAProxy's `full_hash` avalanche (Bob Jenkins' 6-shift integer hash, then × 3221225473).
#[inline]
pub fn avalanche(a: u32) -> u32 {
    let mut a = a;
    a = a.wrapping_add(0x7ED5_5D16).wrapping_add(a << 12);
    a = (a ^ 0xC761_C23C) ^ (a >> 19);
    a = a.wrapping_add(0x1656_67B1).wrapping_add(a << 5);
    a = a.wrapping_add(0xD3A2_646C) ^ (a << 9);
    a = a.wrapping_add(0xFD70_46C5).wrapping_add(a << 3);
    a = (a ^ 0xB55A_4F09) ^ (a >> 16);
    a.wrapping_mul(3_221_225_473)
}

/// `balance source`'s hash (`get_server_sh`): the XOR of the address's big-endian 32-bit
/// words (one for IPv4, four for IPv6), before any avalanche.
pub fn source_hash(ip: IpAddr) -> u32 {
    match ip {
        IpAddr::V4(a) => u32::from(a),
        IpAddr::V6(a) => a
            .octets()
            .chunks_exact(4)
            .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
            .fold(0, |h, w| h ^ w),
    }
}

/// The server ids (`puid`) HAProxy uses, in target order.
///
/// Explicit ids must be unique and ≥ 1. The others are assigned as `cfgparse.c` does:
/// walk the servers in order with `next_id` starting at 1; a server without an id takes
/// the smallest unused id ≥ `next_id` and `next_id` continues from that id + 1; a server
/// with an explicit id just advances `next_id` by one. (Reference §5 says "`k += 1` for
/// every server"; the source also jumps `k` past an auto id that skipped used ids, e.g.
/// ids `2, 3, auto, auto` give `2, 3, 4, 5`.)
pub fn assign_ids(targets: &[Target]) -> Result<Vec<u32>, GatewayError> {
    let mut used = std::collections::BTreeSet::new();
    for t in targets {
        if let Some(id) = t.id {
            if id == 0 {
                return Err(GatewayError::BadId {
                    addr: t.addr.clone(),
                    id,
                });
            }
            if !used.insert(id) {
                return Err(GatewayError::DuplicateId {
                    addr: t.addr.clone(),
                    id,
                });
            }
        }
    }
    let mut next_id = 1u32;
    let mut ids = Vec::with_capacity(targets.len());
    for t in targets {
        let id = match t.id {
            Some(id) => id,
            None => {
                while used.contains(&next_id) {
                    next_id += 1;
                }
                used.insert(next_id);
                next_id
            }
        };
        ids.push(id);
        next_id = if t.id.is_some() { next_id } else { id } + 1;
    }
    Ok(ids)
}

/// Usable-server bookkeeping shared by both balancers.
#[derive(Debug, Clone)]
struct Usable {
    mask: Vec<bool>,
    count: usize,
    first: Option<usize>,
}

impl Usable {
    fn new(checked: &Checked) -> Self {
        let mask: Vec<bool> = (0..checked.weights.len())
            .map(|i| checked.usable(i))
            .collect();
        Usable {
            count: mask.iter().filter(|&&u| u).count(),
            first: mask.iter().position(|&u| u),
            mask,
        }
    }

    /// The pick when no hashing happens, or `None` when the key must be hashed.
    #[inline]
    fn unhashed(&self, empty_key: bool) -> Option<Pick> {
        match (self.count, self.first) {
            (0, _) | (_, None) => Some(Pick::Unavailable),
            (1, Some(only)) => Some(Pick::Target(only)),
            _ if empty_key => Some(Pick::RoundRobin),
            _ => None,
        }
    }

    fn single_share(&self) -> Option<Vec<f64>> {
        match (self.count, self.first) {
            (0, _) | (_, None) => Some(vec![0.0; self.mask.len()]),
            (1, Some(only)) => {
                let mut s = vec![0.0; self.mask.len()];
                s[only] = 1.0;
                Some(s)
            }
            _ => None,
        }
    }
}

/// HAProxy `hash-type consistent` (default function: sdbm + avalanche).
///
/// Server `puid` with weight `w` (usable) has nodes `avalanche(puid × 4096 + j)`,
/// `j < w × 16`. A key's hash `H = avalanche(sdbm(key))` goes to the nearer of the first
/// node `≥ H` (wrapping) and the node before it, ties to the one before. Down servers'
/// nodes leave the tree, so only their keys move.
#[derive(Debug, Clone)]
pub struct HaproxyConsistent {
    /// Node keys, ascending; equal keys keep insertion order (server order, then `j`).
    keys: Vec<u32>,
    /// The target of each node.
    owners: Vec<u32>,
    ids: Vec<u32>,
    usable: Usable,
}

impl HaproxyConsistent {
    /// Validate `spec` (weights 0..=256, unique ids ≥ 1) and build the tree.
    pub fn new(spec: &GatewaySpec) -> Result<Self, GatewayError> {
        let checked = Checked::new(spec)?;
        let ids = assign_ids(&spec.targets)?;
        let usable = Usable::new(&checked);
        let mut nodes: Vec<(u32, u32)> = Vec::new();
        for (i, (&id, &w)) in ids.iter().zip(&checked.weights).enumerate() {
            if usable.mask[i] {
                let base = id.wrapping_mul(EWGHT_RANGE);
                nodes.extend(
                    (0..w * WEIGHT_SCALE).map(|j| (avalanche(base.wrapping_add(j)), i as u32)),
                );
            }
        }
        nodes.sort_by_key(|&(k, _)| k);
        Ok(HaproxyConsistent {
            keys: nodes.iter().map(|&(k, _)| k).collect(),
            owners: nodes.iter().map(|&(_, o)| o).collect(),
            ids,
            usable,
        })
    }

    /// The server ids (`puid`) in target order.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Number of nodes in the tree (usable servers only).
    pub fn node_count(&self) -> usize {
        self.keys.len()
    }

    /// `chash_get_server_hash` for a final hash `h`, with no server to avoid and no
    /// balance factor; `None` when no server is usable (empty tree).
    #[inline]
    pub fn lookup(&self, h: u32) -> Option<usize> {
        let n = self.keys.len();
        if n == 0 {
            return None;
        }
        let idx = self.keys.partition_point(|&k| k < h);
        let next = if idx == n { 0 } else { idx };
        let prev = if idx == 0 { n - 1 } else { idx - 1 };
        let dp = h.wrapping_sub(self.keys[prev]);
        let dn = self.keys[next].wrapping_sub(h);
        let node = if dp <= dn { prev } else { next };
        Some(self.owners[node] as usize)
    }

    /// [`Balancer::pick`] without dynamic dispatch.
    #[inline]
    pub fn pick(&self, key: &[u8]) -> Pick {
        if let Some(p) = self.usable.unhashed(key.is_empty()) {
            return p;
        }
        match self.lookup(avalanche(sdbm(key))) {
            Some(t) => Pick::Target(t),
            None => Pick::Unavailable,
        }
    }
}

impl Balancer for HaproxyConsistent {
    #[inline]
    fn pick(&self, key: &[u8]) -> Pick {
        HaproxyConsistent::pick(self, key)
    }

    /// `balance source` with `hash-type consistent`: `avalanche(source_hash(ip))`.
    fn pick_ip(&self, ip: IpAddr) -> Pick {
        if let Some(p) = self.usable.unhashed(false) {
            return p;
        }
        match self.lookup(avalanche(source_hash(ip))) {
            Some(t) => Pick::Target(t),
            None => Pick::Unavailable,
        }
    }

    /// Nearest-node regions on the u32 circle: between consecutive distinct keys `a < b`
    /// (gap `g`), the lower `⌊g/2⌋` hashes above `a` go to `a`'s node (ties included), the
    /// rest up to and including `b` to `b`'s node.
    fn shares(&self) -> Vec<f64> {
        if let Some(s) = self.usable.single_share() {
            return s;
        }
        const CIRCLE: u64 = 1 << 32;
        let n = self.keys.len();
        let mut counts = vec![0u64; self.usable.mask.len()];
        let mut groups = 0usize;
        for i in 0..n {
            let prev = if i == 0 { n - 1 } else { i - 1 };
            if i > 0 && self.keys[i] == self.keys[prev] {
                continue;
            }
            groups += 1;
            let gap = u64::from(self.keys[i].wrapping_sub(self.keys[prev]));
            let (lower, upper) = (self.owners[prev] as usize, self.owners[i] as usize);
            if gap == 0 {
                // One distinct key for the whole tree: H = key ties (dp = dn = 0) to the
                // node before; otherwise dp ≤ dn for dp ≤ 2^31.
                counts[lower] += CIRCLE / 2 + 1;
                counts[upper] += CIRCLE / 2 - 1;
            } else {
                counts[lower] += gap / 2;
                counts[upper] += gap - gap / 2;
            }
        }
        debug_assert!(groups > 0);
        counts
            .into_iter()
            .map(|c| c as f64 / CIRCLE as f64)
            .collect()
    }
}

/// HAProxy map-based hashing (no `hash-type`: sdbm, no avalanche).
///
/// Weights are divided by the gcd of all non-zero weights (taken at config time, so down
/// servers count); `T` = Σ of the usable servers' reduced weights. The map of `T` slots
/// is filled by `recalc_server_map`'s weighted scoring, and a key goes to
/// `map[sdbm(key) mod T]`. Any up/down change rebuilds the map and remaps most keys.
#[derive(Debug, Clone)]
pub struct HaproxyMap {
    map: Vec<u32>,
    usable: Usable,
}

impl HaproxyMap {
    /// Validate `spec` (weights 0..=256, unique ids ≥ 1) and build the map.
    pub fn new(spec: &GatewaySpec) -> Result<Self, GatewayError> {
        let checked = Checked::new(spec)?;
        assign_ids(&spec.targets)?;
        let usable = Usable::new(&checked);
        let gcd = checked
            .weights
            .iter()
            .filter(|&&w| w > 0)
            .fold(0u32, |g, &w| gcd(g, w))
            .max(1);
        let ew: Vec<i64> = checked
            .weights
            .iter()
            .map(|&w| i64::from(w / gcd))
            .collect();
        let tot: i64 = (0..ew.len())
            .filter(|&i| usable.mask[i])
            .map(|i| ew[i])
            .sum();
        let mut score = vec![0i64; ew.len()];
        let mut map = Vec::with_capacity(tot as usize);
        for _ in 0..tot {
            let mut best: Option<usize> = None;
            let mut max = 0i64;
            for i in (0..ew.len()).filter(|&i| usable.mask[i]) {
                if tot == 1 {
                    best = Some(i);
                    break;
                }
                score[i] += ew[i];
                let v = (score[i] + tot) / tot;
                if best.is_none() || v > max {
                    max = v;
                    best = Some(i);
                }
            }
            // `tot > 0` implies a usable server, so `best` is set.
            let b = best.expect("a usable server exists when the map is non-empty");
            score[b] -= tot;
            map.push(b as u32);
        }
        Ok(HaproxyMap { map, usable })
    }

    /// The server map (`map.srv`), as target indices.
    pub fn map(&self) -> &[u32] {
        &self.map
    }

    /// [`Balancer::pick`] without dynamic dispatch.
    #[inline]
    pub fn pick(&self, key: &[u8]) -> Pick {
        if let Some(p) = self.usable.unhashed(key.is_empty()) {
            return p;
        }
        Pick::Target(self.map[(sdbm(key) % self.map.len() as u32) as usize] as usize)
    }
}

impl Balancer for HaproxyMap {
    #[inline]
    fn pick(&self, key: &[u8]) -> Pick {
        HaproxyMap::pick(self, key)
    }

    /// `balance source`, map-based: `map[source_hash(ip) mod T]` (no avalanche).
    fn pick_ip(&self, ip: IpAddr) -> Pick {
        if let Some(p) = self.usable.unhashed(false) {
            return p;
        }
        Pick::Target(self.map[(source_hash(ip) % self.map.len() as u32) as usize] as usize)
    }

    /// Map slots per server over `T` (a uniform hash is assumed).
    fn shares(&self) -> Vec<f64> {
        if let Some(s) = self.usable.single_share() {
            return s;
        }
        let mut shares = vec![0.0; self.usable.mask.len()];
        let t = self.map.len() as f64;
        for &s in &self.map {
            shares[s as usize] += 1.0 / t;
        }
        shares
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::super::{build, Algorithm};
    use super::*;

    fn spec(algorithm: Algorithm, targets: Vec<Target>, down: Vec<usize>) -> GatewaySpec {
        GatewaySpec {
            algorithm,
            targets,
            slots: 0,
            down,
        }
    }

    fn three(algorithm: Algorithm) -> GatewaySpec {
        spec(
            algorithm,
            (1..=3)
                .map(|i| Target::new(format!("127.0.0.1:310{i}")).with_id(i))
                .collect(),
            vec![],
        )
    }

    #[test]
    fn avalanche_checks() {
        assert_eq!(avalanche(4096), 0x49C2_008B);
        assert_eq!(avalanche(4097), 0xA497_2C87);
        assert_eq!(avalanche(8192), 0x405A_FE73);
    }

    #[test]
    fn sdbm_is_unsigned_bytewise() {
        assert_eq!(sdbm(b""), 0);
        assert_eq!(sdbm(b"a"), 97);
        assert_eq!(sdbm(b"ab"), 97u32.wrapping_mul(65_599) + 98);
        // Bytes ≥ 0x80 are unsigned in HAProxy's hash_sdbm.
        assert_eq!(sdbm(&[0xFF]), 255);
    }

    /// §5 vector table.
    #[test]
    fn reference_vectors() {
        let chash = HaproxyConsistent::new(&three(Algorithm::HaproxyConsistent)).unwrap();
        let map = HaproxyMap::new(&three(Algorithm::HaproxyMap)).unwrap();
        assert_eq!(chash.node_count(), 48);
        let rows: [(&[u8], u32, u32, usize, usize); 4] = [
            (b"device-0001", 0x8ECD_C9F8, 0x0F2B_0E2C, 2, 1),
            (b"device-0002", 0x8ECD_C9F9, 0x5003_E82D, 2, 2),
            (b"device-0003", 0x8ECD_C9FA, 0x664C_A5D1, 1, 0),
            (b"abc", 0x3025_F862, 0x274B_4266, 0, 2),
        ];
        for (key, s, a, consistent, mapped) in rows {
            assert_eq!(sdbm(key), s);
            assert_eq!(avalanche(s), a);
            assert_eq!(chash.pick(key), Pick::Target(consistent));
            assert_eq!(map.pick(key), Pick::Target(mapped));
        }
    }

    #[test]
    fn auto_ids() {
        let t = |id: Option<u32>| Target {
            addr: String::new(),
            weight: None,
            id,
        };
        assert_eq!(assign_ids(&[t(None), t(None)]).unwrap(), vec![1, 2]);
        // s1 s3 after s2 was deleted: s3 becomes puid 2.
        assert_eq!(assign_ids(&[t(Some(1)), t(None)]).unwrap(), vec![1, 2]);
        assert_eq!(assign_ids(&[t(None), t(Some(1))]).unwrap(), vec![2, 1]);
        assert_eq!(
            assign_ids(&[t(Some(5)), t(None), t(None)]).unwrap(),
            vec![5, 2, 3]
        );
        assert_eq!(
            assign_ids(&[t(None), t(Some(2)), t(None), t(None)]).unwrap(),
            vec![1, 2, 3, 4]
        );
        // An auto id jumps over used ids, and the counter continues after it.
        assert_eq!(
            assign_ids(&[t(Some(2)), t(Some(3)), t(None), t(None)]).unwrap(),
            vec![2, 3, 4, 5]
        );
        assert_eq!(
            assign_ids(&[t(None), t(Some(2)), t(Some(3)), t(None)]).unwrap(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(
            assign_ids(&[t(Some(1)), t(Some(1))]),
            Err(GatewayError::DuplicateId {
                addr: String::new(),
                id: 1
            })
        );
        assert_eq!(
            assign_ids(&[t(Some(0))]),
            Err(GatewayError::BadId {
                addr: String::new(),
                id: 0
            })
        );
    }

    #[test]
    fn special_picks() {
        for alg in [Algorithm::HaproxyConsistent, Algorithm::HaproxyMap] {
            let b = build(&three(alg)).unwrap();
            assert_eq!(b.pick(b""), Pick::RoundRobin);
            let mut one = three(alg);
            one.down = vec![0, 2];
            let b = build(&one).unwrap();
            assert_eq!(b.pick(b""), Pick::Target(1));
            assert_eq!(b.pick(b"abc"), Pick::Target(1));
            assert_eq!(b.shares(), vec![0.0, 1.0, 0.0]);
            let mut none = three(alg);
            none.down = vec![0, 1, 2];
            let b = build(&none).unwrap();
            assert_eq!(b.pick(b"abc"), Pick::Unavailable);
            assert_eq!(b.shares(), vec![0.0; 3]);
            let mut zero = three(alg);
            zero.targets[0].weight = Some(0);
            zero.targets[1].weight = Some(0);
            assert_eq!(build(&zero).unwrap().pick(b""), Pick::Target(2));
        }
    }

    #[test]
    fn map_layout() {
        let weighted = |w: [u32; 3]| {
            let mut s = three(Algorithm::HaproxyMap);
            for (t, w) in s.targets.iter_mut().zip(w) {
                t.weight = Some(w);
            }
            HaproxyMap::new(&s).unwrap()
        };
        assert_eq!(weighted([1, 1, 1]).map(), &[0, 1, 2]);
        // gcd 2: 1/1/2 -> the heavier server gets 2 of 4 slots; slot 0 is the first server.
        assert_eq!(weighted([2, 2, 4]).map(), &[0, 2, 1, 2]);
        assert_eq!(weighted([3, 0, 1]).map(), &[0, 0, 0, 2]);
        let s = weighted([2, 2, 4]).shares();
        assert_eq!(s, vec![0.25, 0.25, 0.5]);
    }

    #[test]
    fn map_gcd_counts_down_servers() {
        let mut s = three(Algorithm::HaproxyMap);
        s.targets[0].weight = Some(2);
        s.targets[1].weight = Some(4);
        s.targets[2].weight = Some(3);
        s.down = vec![2];
        // gcd(2, 4, 3) = 1 even though the weight-3 server is down: T = 6.
        assert_eq!(HaproxyMap::new(&s).unwrap().map().len(), 6);
    }

    #[test]
    fn consistent_shares_sum_to_one() {
        let b = HaproxyConsistent::new(&three(Algorithm::HaproxyConsistent)).unwrap();
        let s = b.shares();
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(s.iter().all(|&x| x > 0.2));
    }

    #[test]
    fn lookup_ties_go_to_prev() {
        let b = HaproxyConsistent::new(&three(Algorithm::HaproxyConsistent)).unwrap();
        let n = b.keys.len();
        for i in 0..n {
            let (a, c) = (b.keys[i], b.keys[(i + 1) % n]);
            let gap = c.wrapping_sub(a);
            let mid = a.wrapping_add(gap / 2);
            assert_eq!(b.lookup(mid), Some(b.owners[i] as usize));
            let upper = Some(b.owners[(i + 1) % n] as usize);
            assert_eq!(b.lookup(mid.wrapping_add(1)), upper);
            assert_eq!(b.lookup(c), upper);
        }
    }

    #[test]
    fn balance_source() {
        assert_eq!(source_hash("10.1.2.3".parse().unwrap()), 0x0A01_0203);
        assert_eq!(
            source_hash("2001:db8::1:0:0:7".parse().unwrap()),
            0x2001_0db8 ^ 0x0001_0000 ^ 0x0000_0007
        );
        let chash = HaproxyConsistent::new(&three(Algorithm::HaproxyConsistent)).unwrap();
        let map = HaproxyMap::new(&three(Algorithm::HaproxyMap)).unwrap();
        for text in ["10.1.2.3", "192.0.2.200", "2001:db8::42"] {
            let ip: IpAddr = text.parse().unwrap();
            let h = source_hash(ip);
            assert_eq!(
                Balancer::pick_ip(&chash, ip),
                Pick::Target(chash.lookup(avalanche(h)).unwrap())
            );
            assert_eq!(Balancer::pick_ip(&map, ip), Pick::Target((h % 3) as usize));
        }
        let mut one = three(Algorithm::HaproxyConsistent);
        one.down = vec![0, 1];
        let b = build(&one).unwrap();
        assert_eq!(b.pick_ip("10.1.2.3".parse().unwrap()), Pick::Target(2));
    }

    #[test]
    fn empty_tree_lookup() {
        let mut s = three(Algorithm::HaproxyConsistent);
        s.down = vec![0, 1, 2];
        assert_eq!(HaproxyConsistent::new(&s).unwrap().lookup(42), None);
    }

    #[test]
    fn weights_range() {
        let mut s = three(Algorithm::HaproxyConsistent);
        s.targets[0].weight = Some(257);
        assert!(matches!(
            build(&s).err(),
            Some(GatewayError::BadWeight { weight: 257, .. })
        ));
        s.targets[0].weight = Some(256);
        let b = HaproxyConsistent::new(&s).unwrap();
        assert_eq!(b.node_count(), 4096 + 32);
    }

    #[test]
    fn duplicate_ids_rejected() {
        let mut s = three(Algorithm::HaproxyMap);
        s.targets[2].id = Some(1);
        assert!(matches!(
            build(&s).err(),
            Some(GatewayError::DuplicateId { id: 1, .. })
        ));
    }
}
