//! Kong 3.x `consistent-hashing` (`kong/runloop/balancer/consistent_hashing.lua`),
//! reference §2.
//!
//! * Ring of `R = max(slots, 1000)` slots. An address with weight `w` gets
//!   `floor(((w / W) × N) × 160)` points (at least 1 when `w > 0`), where `W` is the total
//!   weight of every target (down ones included) and `N` the number of targets (weight-0
//!   ones included). Point `i` of `ip:port` is the slot `(xxh32("ip::port i") mod R) + 1`;
//!   the first writer (targets sorted by name bytes, then port) keeps a slot, and a
//!   colliding address gets one more `i`. When an address's counter passes `R` the build
//!   aborts ([`GatewayError::RingOverflow`]).
//! * Lookup: `h = (xxh32(key) mod R) + 1`, then slots `h, h-1, …, 1, R, …, h+1` until one
//!   holds an available address (not down, weight > 0). Down targets keep their ring points;
//!   only their keys move, each to the next lower available slot.
//!
//! Two details differ from a first reading of the reference:
//! * `getPeer` walks `for _ = 1, points`, i.e. all `R` slots, so slot `h+1` *is* visited
//!   (last) and the walk always ends; §2.4 says `h+1` is never visited. The two only differ
//!   when the sole available point sits at `h+1`.
//! * `N` counts weight-0 targets, so e.g. one weight-1 target beside five weight-0 ones
//!   needs `6 × 160 = 960` points and overflows a 1000-slot ring.
//!
//! The walk is precomputed into a table of `R` entries, so [`KongBalancer::pick`] is one
//! XXH32, one modulo and one array load.

use std::fmt::Write as _;
use std::net::IpAddr;

use xxhash_rust::xxh32::xxh32;

use super::{Balancer, Checked, GatewayError, GatewaySpec, Pick};

/// Smallest ring Kong builds: `slots` below this behave as 1000.
pub const MIN_RING: u32 = 1000;
/// Smallest `slots` the Kong schema accepts.
pub const MIN_SLOTS: u32 = 10;
/// Largest `slots` the Kong schema accepts.
pub const MAX_SLOTS: u32 = 65_536;
/// Ring points per target when all weights are equal.
pub const SERVER_POINTS: u32 = 160;

/// Table entry for "no available address anywhere on the ring".
const NONE: u32 = u32::MAX;

/// Kong's hash: XXH32 with seed 0.
#[inline]
pub fn hash(value: &[u8]) -> u32 {
    xxh32(value, 0)
}

/// The ring size Kong uses for `slots`: `slots`, but at least [`MIN_RING`].
pub fn ring_size(slots: u32) -> u32 {
    slots.max(MIN_RING)
}

/// Kong's 1-based ring slot of `value` on a ring of `ring` slots.
#[inline]
pub fn slot(value: &[u8], ring: u32) -> u32 {
    hash(value) % ring + 1
}

/// Kong's normalised name of an IP target (`kong/db/dao/targets.lua`): IPv4 as `a.b.c.d`,
/// IPv6 as `[` + 8 groups of 4 lowercase hex digits joined by `:` + `]`.
pub fn target_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let groups: Vec<String> = v6.segments().iter().map(|g| format!("{g:04x}")).collect();
            format!("[{}]", groups.join(":"))
        }
    }
}

/// Ring points Kong gives an address of weight `weight` (§2.3 step 3), before collisions.
///
/// Computed in `f64` in Kong's order, `floor(((w / W) × N) × 160)`, then raised to 1 for
/// a non-zero weight. With `W = 0` Lua computes NaN and adds no point.
pub fn entries(weight: u32, total_weight: u64, targets: usize) -> u64 {
    if total_weight == 0 {
        return 0;
    }
    let share = f64::from(weight) / total_weight as f64;
    let e = (share * targets as f64 * f64::from(SERVER_POINTS)).floor() as u64;
    if weight > 0 && e == 0 {
        1
    } else {
        e
    }
}

/// One address in ring-build order.
#[derive(Debug, Clone)]
struct Entry {
    /// Index into the spec's targets.
    target: usize,
    /// `"<name>::<port> "`: the point key without its counter.
    prefix: String,
    /// Points before collisions.
    entries: u64,
}

/// Targets sorted as Kong sorts them (name bytes, then port as a number), with their
/// nominal point counts.
fn ring_order(checked: &Checked) -> Vec<Entry> {
    let total_weight: u64 = checked.weights.iter().map(|&w| u64::from(w)).sum();
    let n = checked.weights.len();
    let mut keyed: Vec<(String, u16, usize)> = checked
        .addrs
        .iter()
        .enumerate()
        .map(|(i, a)| (target_name(a.ip()), a.port(), i))
        .collect();
    keyed.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));
    keyed
        .into_iter()
        .map(|(name, port, target)| Entry {
            target,
            prefix: format!("{name}::{port} "),
            entries: entries(checked.weights[target], total_weight, n),
        })
        .collect()
}

/// The raw ring: 0-based slot → target index (or [`NONE`]), plus the collision count.
/// `None` when Kong would abort the build.
fn build_ring(order: &[Entry], ring: u32) -> Option<(Vec<u32>, u32)> {
    let mut owner = vec![NONE; ring as usize];
    let mut collisions = 0u32;
    let mut key = String::with_capacity(64);
    for entry in order {
        let mut e = entry.entries;
        let mut i: u64 = 1;
        key.clear();
        key.push_str(&entry.prefix);
        let prefix_len = key.len();
        while i <= e {
            key.truncate(prefix_len);
            // Writing to a String cannot fail.
            let _ = write!(key, "{i}");
            let s = (hash(key.as_bytes()) % ring) as usize;
            if owner[s] == NONE {
                owner[s] = entry.target as u32;
            } else {
                e += 1;
                collisions += 1;
            }
            i += 1;
            if i > u64::from(ring) {
                return None;
            }
        }
    }
    Some((owner, collisions))
}

/// A `slots` value that builds for these targets: the §3.4 rule `slots ≥ 4 × points`
/// (at least 1000, at most 65536), doubled while the build would still abort.
/// Returns 65536 when even that ring overflows.
pub fn suggest_slots(spec: &GatewaySpec) -> Result<u32, GatewayError> {
    let checked = Checked::new(spec)?;
    Ok(suggest_for(&ring_order(&checked)))
}

fn suggest_for(order: &[Entry]) -> u32 {
    let points: u64 = order.iter().map(|e| e.entries).sum();
    let mut candidate = points
        .saturating_mul(4)
        .clamp(u64::from(MIN_RING), u64::from(MAX_SLOTS)) as u32;
    loop {
        if candidate >= MAX_SLOTS || build_ring(order, candidate).is_some() {
            return candidate.min(MAX_SLOTS);
        }
        candidate = candidate.saturating_mul(2);
    }
}

/// A built Kong `consistent-hashing` balancer.
#[derive(Debug, Clone)]
pub struct KongBalancer {
    ring: u32,
    /// 0-based slot `h - 1` → the target the walk from `h` ends on, or [`NONE`].
    resolved: Box<[u32]>,
    /// 0-based slot → the target whose point it holds, or [`NONE`].
    owner: Box<[u32]>,
    collisions: u32,
    targets: usize,
}

impl KongBalancer {
    /// Validate `spec` (weights 0..=65535, slots 10..=65536) and build the ring.
    pub fn new(spec: &GatewaySpec) -> Result<Self, GatewayError> {
        let checked = Checked::new(spec)?;
        if !(MIN_SLOTS..=MAX_SLOTS).contains(&spec.slots) {
            return Err(GatewayError::BadSlots(spec.slots));
        }
        let ring = ring_size(spec.slots);
        let order = ring_order(&checked);
        let Some((owner, collisions)) = build_ring(&order, ring) else {
            return Err(GatewayError::RingOverflow {
                points: order.iter().map(|e| e.entries).sum(),
                targets: spec.targets.len(),
                ring,
                suggested: suggest_for(&order),
            });
        };

        let available = |s: usize| owner[s] != NONE && checked.usable(owner[s] as usize);
        // Slots below the lowest available one wrap around to the highest available one.
        let mut carry = (0..owner.len())
            .rev()
            .find(|&s| available(s))
            .map_or(NONE, |s| owner[s]);
        let resolved: Box<[u32]> = (0..owner.len())
            .map(|s| {
                if available(s) {
                    carry = owner[s];
                }
                carry
            })
            .collect();

        Ok(KongBalancer {
            ring,
            resolved,
            owner: owner.into_boxed_slice(),
            collisions,
            targets: spec.targets.len(),
        })
    }

    /// The ring size `R` (`slots`, at least 1000).
    pub fn ring_size(&self) -> u32 {
        self.ring
    }

    /// The 1-based slot `key` hashes to.
    #[inline]
    pub fn slot(&self, key: &[u8]) -> u32 {
        slot(key, self.ring)
    }

    /// The target whose point sits in the 1-based `slot`, available or not.
    pub fn ring_entry(&self, slot: u32) -> Option<usize> {
        let s = slot.checked_sub(1)? as usize;
        match *self.owner.get(s)? {
            NONE => None,
            t => Some(t as usize),
        }
    }

    /// Ring points each target holds (index = target index).
    pub fn points(&self) -> Vec<u32> {
        let mut points = vec![0u32; self.targets];
        for &t in self.owner.iter().filter(|&&t| t != NONE) {
            points[t as usize] += 1;
        }
        points
    }

    /// How many point keys hit an occupied slot during the build.
    pub fn collisions(&self) -> u32 {
        self.collisions
    }

    /// [`Balancer::pick`] without dynamic dispatch.
    #[inline]
    pub fn pick(&self, key: &[u8]) -> Pick {
        match self.resolved[(hash(key) % self.ring) as usize] {
            NONE => Pick::Unavailable,
            t => Pick::Target(t as usize),
        }
    }
}

impl Balancer for KongBalancer {
    #[inline]
    fn pick(&self, key: &[u8]) -> Pick {
        KongBalancer::pick(self, key)
    }

    /// Slots whose walk ends on each target, divided by `R` (a uniform hash is assumed;
    /// `2^32 mod R` makes the low slots more likely by under `R / 2^32`).
    fn shares(&self) -> Vec<f64> {
        let mut counts = vec![0u64; self.targets];
        for &t in self.resolved.iter().filter(|&&t| t != NONE) {
            counts[t as usize] += 1;
        }
        counts
            .into_iter()
            .map(|c| c as f64 / f64::from(self.ring))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{build, Algorithm, Target};
    use super::*;

    fn spec(addrs: &[(&str, u32)], slots: u32, down: Vec<usize>) -> GatewaySpec {
        GatewaySpec {
            algorithm: Algorithm::Kong,
            targets: addrs
                .iter()
                .map(|&(a, w)| Target::new(a).with_weight(w))
                .collect(),
            slots,
            down,
        }
    }

    fn three(down: Vec<usize>) -> KongBalancer {
        let s = spec(
            &[
                ("10.0.0.1:3000", 100),
                ("10.0.0.2:3000", 100),
                ("10.0.0.3:3000", 100),
            ],
            10_000,
            down,
        );
        KongBalancer::new(&s).unwrap()
    }

    #[test]
    fn xxh32_check_values() {
        assert_eq!(hash(b""), 0x02CC_5D05);
        assert_eq!(hash(b"a"), 0x550D_7456);
        assert_eq!(hash(b"aaaa"), 0xDA57_6727);
        assert_eq!(hash(b"dupa"), 0x1A47_C09D);
        assert_eq!(hash(b"Cats are interesting."), 0x65ED_1AFC);
        assert_eq!(xxh32(b"abc", 0x5BD1_E995), 0xBDDE_B201);
    }

    #[test]
    fn point_key_slot() {
        assert_eq!(hash(b"10.0.0.1::3000 1"), 0xD1DC_18EA);
        assert_eq!(slot(b"10.0.0.1::3000 1", 10_000), 2443);
        assert_eq!(three(vec![]).ring_entry(2443), Some(0));
    }

    #[test]
    fn ring_sizes() {
        assert_eq!(ring_size(10), 1000);
        assert_eq!(ring_size(999), 1000);
        assert_eq!(ring_size(4096), 4096);
        assert_eq!(ring_size(65_536), 65_536);
    }

    #[test]
    fn target_names() {
        assert_eq!(target_name("10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_eq!(
            target_name("::1".parse().unwrap()),
            "[0000:0000:0000:0000:0000:0000:0000:0001]"
        );
        assert_eq!(
            target_name("FE80::AB:1".parse().unwrap()),
            "[fe80:0000:0000:0000:0000:0000:00ab:0001]"
        );
    }

    #[test]
    fn entries_follow_kong_float_order() {
        // 100/100/0 give 240 points each to the first two (§2.2).
        assert_eq!(entries(100, 200, 3), 240);
        assert_eq!(entries(0, 200, 3), 0);
        // kong-5t weights 100,100,100,50,200.
        assert_eq!(entries(100, 550, 5), 145);
        assert_eq!(entries(50, 550, 5), 72);
        assert_eq!(entries(200, 550, 5), 290);
        // A tiny weight still gets one point.
        assert_eq!(entries(1, 65_535 * 10, 11), 1);
        assert_eq!(entries(0, 0, 1), 0);
    }

    type Row = (&'static [u8], u32, u32, u32, usize, usize);

    /// §2.7: h, first hit, target, and target with 10.0.0.2 unavailable.
    #[test]
    fn reference_vectors() {
        let healthy = three(vec![]);
        let degraded = three(vec![1]);
        assert_eq!(healthy.points(), vec![160, 160, 160]);
        assert_eq!(healthy.collisions(), 4);
        // (value, xxh32, h, first hit, target, target with 10.0.0.2 unavailable)
        let rows: [Row; 5] = [
            (b"device-0001", 0xEEA7_43F3, 9316, 9304, 0, 0),
            (b"device-0002", 0xE5CF_0840, 529, 505, 1, 2),
            (b"device-0003", 0x72DC_DD2D, 7166, 7160, 0, 0),
            (b"abc", 0x32D1_53FF, 9328, 9304, 0, 0),
            (b"", 0x02CC_5D05, 7590, 7585, 0, 0),
        ];
        for (key, xxh, h, hit, target, unavailable) in rows {
            assert_eq!(hash(key), xxh);
            assert_eq!(healthy.slot(key), h);
            let first = (1..=h).rev().find(|&s| healthy.ring_entry(s).is_some());
            assert_eq!(first, Some(hit));
            assert_eq!(healthy.ring_entry(hit), Some(target));
            assert_eq!(healthy.pick(key), Pick::Target(target));
            assert_eq!(degraded.pick(key), Pick::Target(unavailable));
        }
    }

    #[test]
    fn sort_is_by_name_bytes_then_port() {
        // "10.0.0.10" sorts before "10.0.0.9": the first writer wins collisions, so the
        // ring must not depend on the config order.
        let a = spec(
            &[
                ("10.0.0.9:80", 100),
                ("10.0.0.10:80", 100),
                ("10.0.0.10:8", 100),
            ],
            1000,
            vec![],
        );
        let mut b = a.clone();
        b.targets.reverse();
        let ka = KongBalancer::new(&a).unwrap();
        let kb = KongBalancer::new(&b).unwrap();
        for s in 1..=1000 {
            let ta = ka.ring_entry(s).map(|t| &a.targets[t].addr);
            let tb = kb.ring_entry(s).map(|t| &b.targets[t].addr);
            assert_eq!(ta, tb, "slot {s}");
        }
    }

    #[test]
    fn empty_key_hashes_empty_string() {
        assert_eq!(three(vec![]).pick(b""), Pick::Target(0));
    }

    #[test]
    fn all_down_or_zero_weight_is_unavailable() {
        let k = three(vec![0, 1, 2]);
        assert_eq!(k.pick(b"x"), Pick::Unavailable);
        assert_eq!(k.shares(), vec![0.0; 3]);
        let zero = spec(&[("10.0.0.1:1", 0), ("10.0.0.2:1", 0)], 1000, vec![]);
        let k = KongBalancer::new(&zero).unwrap();
        assert_eq!(k.pick(b"x"), Pick::Unavailable);
        assert_eq!(k.points(), vec![0, 0]);
    }

    #[test]
    fn weight_zero_target_counts_in_n_but_gets_nothing() {
        let s = spec(
            &[("10.0.0.1:1", 100), ("10.0.0.2:1", 100), ("10.0.0.3:1", 0)],
            10_000,
            vec![],
        );
        let k = KongBalancer::new(&s).unwrap();
        assert_eq!(k.points(), vec![240, 240, 0]);
        let shares = k.shares();
        assert_eq!(shares[2], 0.0);
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn single_available_slot_serves_every_key() {
        // One target with weight 1 among heavy ones, all others down: its one point
        // serves the whole ring, including the slot just above it (visited last).
        let s = spec(&[("10.0.0.1:1", 65_535), ("10.0.0.2:1", 1)], 1000, vec![0]);
        let k = KongBalancer::new(&s).unwrap();
        assert_eq!(k.points()[1], 1);
        for key in [&b"a"[..], b"b", b"c", b""] {
            assert_eq!(k.pick(key), Pick::Target(1));
        }
        assert_eq!(k.shares(), vec![0.0, 1.0]);
    }

    #[test]
    fn ring_overflow_is_reported() {
        // Kong/kong#9437: 20 targets with slots 400 (ring 1000) always abort.
        let addrs: Vec<String> = (1..=20).map(|i| format!("10.0.0.{i}:3000")).collect();
        let pairs: Vec<(&str, u32)> = addrs.iter().map(|a| (a.as_str(), 100)).collect();
        for slots in [400, 401, 1000] {
            match build(&spec(&pairs, slots, vec![])).err() {
                Some(GatewayError::RingOverflow {
                    points,
                    targets,
                    ring,
                    suggested,
                }) => {
                    assert_eq!(points, 3200);
                    assert_eq!(targets, 20);
                    assert_eq!(ring, 1000);
                    assert_eq!(suggested, 12_800);
                    assert!(KongBalancer::new(&spec(&pairs, suggested, vec![])).is_ok());
                }
                other => panic!("slots {slots}: expected RingOverflow, got {other:?}"),
            }
        }
        assert_eq!(suggest_slots(&spec(&pairs, 400, vec![])), Ok(12_800));
    }

    #[test]
    fn bad_slots() {
        let pairs = [("10.0.0.1:1", 100)];
        assert_eq!(
            KongBalancer::new(&spec(&pairs, 9, vec![])).err(),
            Some(GatewayError::BadSlots(9))
        );
        assert_eq!(
            KongBalancer::new(&spec(&pairs, 65_537, vec![])).err(),
            Some(GatewayError::BadSlots(65_537))
        );
        assert!(KongBalancer::new(&spec(&pairs, 10, vec![])).is_ok());
        assert!(KongBalancer::new(&spec(&pairs, 65_536, vec![])).is_ok());
    }

    #[test]
    fn bad_weight() {
        let s = spec(&[("10.0.0.1:1", 65_536)], 1000, vec![]);
        assert!(matches!(
            KongBalancer::new(&s),
            Err(GatewayError::BadWeight { weight: 65_536, .. })
        ));
    }

    #[test]
    fn ipv6_targets_build() {
        let s = spec(
            &[("[::1]:3000", 100), ("[2001:db8::1]:3000", 100)],
            10_000,
            vec![],
        );
        let k = KongBalancer::new(&s).unwrap();
        assert_eq!(k.points(), vec![160, 160]);
    }
}
