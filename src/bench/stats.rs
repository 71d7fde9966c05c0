//! The pure half of `rtctl bench`: latency histograms, sequence sets, who should have received
//! what, and merging the results of several worker processes. No I/O, no clock.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::{Deserialize, Serialize};

/// Latency bucket width in µs.
pub const STEP_US: u64 = 100;
/// Buckets: 100 µs up to 60 s; the last one takes the rest.
const BUCKETS: usize = 600_000;

/// A latency histogram that device tasks add to concurrently. Counts only grow; a bitmap
/// marks the buckets ever used, so that a snapshot reads those (a few hundred) instead of all
/// 600,000: the timeline takes one every 250 ms while the devices receive, on the same cores.
pub struct AtomicHist {
    buckets: Vec<AtomicU64>,
    /// Bit `i % 64` of word `i / 64`: bucket `i` has been added to (never cleared).
    touched: Vec<AtomicU64>,
}

impl Default for AtomicHist {
    fn default() -> Self {
        AtomicHist {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            touched: (0..BUCKETS.div_ceil(64))
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }
}

impl AtomicHist {
    pub fn add(&self, lat_us: u64) {
        let i = bucket(lat_us);
        self.buckets[i].fetch_add(1, Relaxed);
        let (word, bit) = (&self.touched[i / 64], 1u64 << (i % 64));
        if word.load(Relaxed) & bit == 0 {
            word.fetch_or(bit, Relaxed);
        }
    }

    /// The counts so far (an add in flight shows in a later snapshot). Take differences
    /// ([`Histogram::minus`]) for an interval.
    pub fn snapshot(&self) -> Histogram {
        let mut h = Histogram::default();
        for (w, word) in self.touched.iter().enumerate() {
            let mut bits = word.load(Relaxed);
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let n = self.buckets[i].load(Relaxed);
                if n > 0 {
                    h.counts.insert(i as u32, n);
                }
            }
        }
        h
    }
}

fn bucket(lat_us: u64) -> usize {
    ((lat_us / STEP_US) as usize).min(BUCKETS - 1)
}

/// A sparse latency histogram (bucket index → count): what a worker sends and merges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub counts: BTreeMap<u32, u64>,
}

impl Histogram {
    pub fn from_values(values_us: &[u64]) -> Histogram {
        let mut h = Histogram::default();
        for &v in values_us {
            *h.counts.entry(bucket(v) as u32).or_default() += 1;
        }
        h
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// What this cumulative histogram counted since `earlier` (a snapshot of the same counts).
    pub fn minus(&self, earlier: &Histogram) -> Histogram {
        let counts = self
            .counts
            .iter()
            .filter_map(|(&k, &n)| {
                let d = n.saturating_sub(earlier.counts.get(&k).copied().unwrap_or(0));
                (d > 0).then_some((k, d))
            })
            .collect();
        Histogram { counts }
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (&k, &n) in &other.counts {
            *self.counts.entry(k).or_default() += n;
        }
    }

    /// Nearest-rank percentile in ms (the upper edge of its bucket), `None` when empty.
    pub fn percentile_ms(&self, p: f64) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((p / 100.0 * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (&i, &n) in &self.counts {
            seen += n;
            if seen >= rank {
                return Some((u64::from(i) + 1) as f64 * STEP_US as f64 / 1000.0);
            }
        }
        None
    }

    pub fn summary(&self) -> Latency {
        Latency {
            count: self.total(),
            p50_ms: self.percentile_ms(50.0),
            p99_ms: self.percentile_ms(99.0),
            max_ms: self.percentile_ms(100.0),
        }
    }
}

/// p50 / p99 / max of a set of latencies (ms, 0.1 ms resolution).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub count: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

/// The sequence numbers one device received (a bitset).
#[derive(Debug, Clone, Default)]
pub struct SeqSet(Vec<u64>);

impl SeqSet {
    /// Adds `seq`; false when it was already there (a duplicate).
    pub fn insert(&mut self, seq: u64) -> bool {
        let (w, bit) = ((seq / 64) as usize, 1u64 << (seq % 64));
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        let new = self.0[w] & bit == 0;
        self.0[w] |= bit;
        new
    }

    pub fn contains(&self, seq: u64) -> bool {
        let w = (seq / 64) as usize;
        self.0.get(w).is_some_and(|x| x & (1 << (seq % 64)) != 0)
    }
}

/// Who a publish is addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    All,
    /// Department index (`dept-<i>`).
    Department(usize),
    /// Device index (in the id list).
    Device(usize),
}

/// A publish the server accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub seq: u64,
    pub to: Audience,
}

/// Department of device `i`.
pub fn department_of(i: usize, departments: usize) -> usize {
    i % departments.max(1)
}

/// Department name of index `d`.
pub fn department_name(d: usize) -> String {
    format!("dept-{d}")
}

/// Does device `i` (in department `dept`) get this publish?
pub fn addressed(p: &Audience, i: usize, dept: usize) -> bool {
    match *p {
        Audience::All => true,
        Audience::Department(d) => d == dept,
        Audience::Device(j) => j == i,
    }
}

/// Receivers of one publish among `devices` devices over `departments` departments.
pub fn audience_size(p: &Audience, devices: usize, departments: usize) -> u64 {
    match *p {
        Audience::All => devices as u64,
        Audience::Department(d) => {
            let k = departments.max(1);
            (devices / k + usize::from(d < devices % k)) as u64
        }
        Audience::Device(j) => u64::from(j < devices),
    }
}

/// Expected and lost deliveries of one device: every accepted publish addressed to it that it
/// did not receive is lost (a late one is fine, a missing one is not).
pub fn device_loss(seen: &SeqSet, i: usize, dept: usize, pubs: &[Published]) -> (u64, u64) {
    let mut expected = 0;
    let mut lost = 0;
    for p in pubs.iter().filter(|p| addressed(&p.to, i, dept)) {
        expected += 1;
        if !seen.contains(p.seq) {
            lost += 1;
        }
    }
    (expected, lost)
}

/// One point of the timeline: devices connected, deliveries so far, and the latency of the
/// deliveries received since the previous point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub t_ms: u64,
    pub connected: u64,
    pub delivered: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Deliveries in this interval (the weight of p50 when merging).
    pub window: u64,
}

/// Merges the timelines of several workers sampled at the same period. Each worker counts in a
/// slot once (its last sample there); a slot a worker has no sample in carries its previous
/// counts forward. Counts add up, p50 is the delivery-weighted mean of the workers' p50s and p99
/// their maximum (an upper bound).
pub fn merge_timelines(parts: &[Vec<Sample>], period_ms: u64) -> Vec<Sample> {
    let period = period_ms.max(1);
    let per_worker: Vec<BTreeMap<u64, Sample>> = parts
        .iter()
        .map(|part| part.iter().map(|s| (s.t_ms / period, *s)).collect())
        .collect();
    let slots: std::collections::BTreeSet<u64> =
        per_worker.iter().flat_map(|m| m.keys().copied()).collect();
    slots
        .into_iter()
        .map(|slot| {
            let mut v = Vec::with_capacity(per_worker.len());
            for m in &per_worker {
                match m.get(&slot) {
                    Some(s) => v.push(*s),
                    None => {
                        if let Some((_, prev)) = m.range(..slot).next_back() {
                            v.push(Sample {
                                window: 0,
                                p50_ms: None,
                                p99_ms: None,
                                ..*prev
                            });
                        }
                    }
                }
            }
            let window: u64 = v.iter().map(|s| s.window).sum();
            let p50 = (window > 0).then(|| {
                v.iter()
                    .filter_map(|s| s.p50_ms.map(|p| p * s.window as f64))
                    .sum::<f64>()
                    / window as f64
            });
            Sample {
                t_ms: slot * period,
                connected: v.iter().map(|s| s.connected).sum(),
                delivered: v.iter().map(|s| s.delivered).sum(),
                p50_ms: p50.map(|p| (p * 10.0).round() / 10.0),
                p99_ms: v.iter().filter_map(|s| s.p99_ms).reduce(f64::max),
                window,
            }
        })
        .collect()
}

/// What one process of devices measured (a worker's answer, or the merge of several).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceTotals {
    pub devices: u64,
    pub connected: u64,
    pub failed: u64,
    /// Reconnections after a cut, a drop or a server close.
    pub reconnects: u64,
    /// Connects the server refused or that failed before the CONNECT reply, retried.
    pub retries: u64,
    pub expected: u64,
    pub received: u64,
    pub lost: u64,
    pub duplicates: u64,
    /// `notification:gap` events (retention removed part of what a device missed).
    pub gaps: u64,
    /// Devices with at least one lost notification.
    pub devices_with_loss: u64,
    pub latency: Histogram,
    /// Receivers' latencies per publish (fan-out only).
    pub per_publish: BTreeMap<u64, Histogram>,
    /// Devices per node, from the `x-rtctl-node` header of their last handshake.
    pub per_node: BTreeMap<String, u64>,
    pub timeline: Vec<Sample>,
    pub first_error: Option<String>,
}

impl DeviceTotals {
    pub fn merge(parts: Vec<DeviceTotals>, period_ms: u64) -> DeviceTotals {
        let timelines: Vec<Vec<Sample>> = parts.iter().map(|p| p.timeline.clone()).collect();
        let mut t = DeviceTotals::default();
        for p in parts {
            t.devices += p.devices;
            t.connected += p.connected;
            t.failed += p.failed;
            t.reconnects += p.reconnects;
            t.retries += p.retries;
            t.expected += p.expected;
            t.received += p.received;
            t.lost += p.lost;
            t.duplicates += p.duplicates;
            t.gaps += p.gaps;
            t.devices_with_loss += p.devices_with_loss;
            t.latency.merge(&p.latency);
            for (k, h) in &p.per_publish {
                t.per_publish.entry(*k).or_default().merge(h);
            }
            for (k, n) in p.per_node {
                *t.per_node.entry(k).or_default() += n;
            }
            if t.first_error.is_none() {
                t.first_error = p.first_error;
            }
        }
        t.timeline = merge_timelines(&timelines, period_ms);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_on_bucket_edges() {
        let h = Histogram::from_values(&(1..=100).map(|i| i * 1000 - 1).collect::<Vec<_>>());
        assert_eq!(h.percentile_ms(50.0), Some(50.0));
        assert_eq!(h.percentile_ms(99.0), Some(99.0));
        assert_eq!(h.percentile_ms(100.0), Some(100.0));
        assert_eq!(Histogram::default().percentile_ms(50.0), None);
        let a = AtomicHist::default();
        a.add(50);
        a.add(10_000_000_000);
        let s = a.snapshot();
        assert_eq!(s.total(), 2);
        assert_eq!(s.percentile_ms(100.0), Some(60_000.0));
        a.add(6_399);
        a.add(6_400);
        let later = a.snapshot();
        assert_eq!(later.total(), 4);
        // buckets 63 and 64 sit in two words of the bitmap
        assert_eq!(later.minus(&s), Histogram::from_values(&[6_399, 6_400]));
    }

    #[test]
    fn merged_histograms_add_counts() {
        let mut a = Histogram::from_values(&[100, 200]);
        a.merge(&Histogram::from_values(&[200, 5000]));
        assert_eq!(a.total(), 4);
        assert_eq!(a.counts[&2], 2);
    }

    #[test]
    fn seq_sets_see_duplicates() {
        let mut s = SeqSet::default();
        assert!(s.insert(0) && s.insert(130) && !s.insert(130));
        assert!(s.contains(130) && !s.contains(129) && !s.contains(100_000));
    }

    #[test]
    fn audiences_count_devices_per_department() {
        // 10 devices over 4 departments: 3, 3, 2, 2
        let sizes: Vec<u64> = (0..4)
            .map(|d| audience_size(&Audience::Department(d), 10, 4))
            .collect();
        assert_eq!(sizes, vec![3, 3, 2, 2]);
        let brute: Vec<u64> = (0..4)
            .map(|d| (0..10).filter(|&i| department_of(i, 4) == d).count() as u64)
            .collect();
        assert_eq!(sizes, brute);
        assert_eq!(audience_size(&Audience::All, 10, 4), 10);
        assert_eq!(audience_size(&Audience::Device(9), 10, 4), 1);
    }

    #[test]
    fn loss_counts_only_what_was_addressed_and_missing() {
        let pubs = vec![
            Published {
                seq: 0,
                to: Audience::All,
            },
            Published {
                seq: 1,
                to: Audience::Department(1),
            },
            Published {
                seq: 2,
                to: Audience::Department(2),
            },
            Published {
                seq: 3,
                to: Audience::Device(5),
            },
        ];
        let mut seen = SeqSet::default();
        seen.insert(0);
        seen.insert(2); // not addressed: neither expected nor lost
        assert_eq!(device_loss(&seen, 5, 1, &pubs), (3, 2));
        assert_eq!(device_loss(&seen, 4, 2, &pubs), (2, 0));
    }

    #[test]
    fn timelines_merge_by_period() {
        let a = vec![Sample {
            t_ms: 0,
            connected: 3,
            delivered: 10,
            p50_ms: Some(2.0),
            p99_ms: Some(4.0),
            window: 10,
        }];
        let b = vec![Sample {
            t_ms: 40,
            connected: 2,
            delivered: 30,
            p50_ms: Some(6.0),
            p99_ms: Some(9.0),
            window: 30,
        }];
        let m = merge_timelines(&[a.clone(), b.clone()], 250);
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].connected, m[0].delivered, m[0].window), (5, 40, 40));
        assert_eq!((m[0].p50_ms, m[0].p99_ms), (Some(5.0), Some(9.0)));
        // worker b samples a slot later than a, and twice in one slot: a's counts carry
        // forward, b counts once per slot
        let b2 = vec![
            Sample {
                t_ms: 260,
                connected: 2,
                delivered: 30,
                ..Default::default()
            },
            Sample {
                t_ms: 400,
                connected: 3,
                delivered: 31,
                ..Default::default()
            },
        ];
        let m = merge_timelines(&[a, b2], 250);
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].t_ms, m[0].connected), (0, 3));
        assert_eq!((m[1].t_ms, m[1].connected, m[1].delivered), (250, 6, 41));
    }

    #[test]
    fn a_later_histogram_minus_an_earlier_one_is_what_came_between() {
        let early = Histogram::from_values(&[1_000, 2_000]);
        let mut late = early.clone();
        late.merge(&Histogram::from_values(&[2_000, 300_000]));
        let between = late.minus(&early);
        assert_eq!(between.total(), 2);
        assert_eq!(between, Histogram::from_values(&[2_000, 300_000]));
        assert!(between.percentile_ms(99.0).unwrap() >= 300.0);
        // empty buckets are dropped, and nothing goes below zero
        assert_eq!(early.minus(&late), Histogram::default());
    }

    #[test]
    fn totals_merge_sums_and_keeps_the_first_error() {
        let mut a = DeviceTotals {
            devices: 2,
            received: 5,
            lost: 1,
            ..Default::default()
        };
        a.per_node.insert("n1".into(), 2);
        let mut b = DeviceTotals {
            devices: 3,
            received: 7,
            first_error: Some("x".into()),
            ..Default::default()
        };
        b.per_node.insert("n1".into(), 1);
        b.per_node.insert("n2".into(), 2);
        let m = DeviceTotals::merge(vec![a, b], 250);
        assert_eq!((m.devices, m.received, m.lost), (5, 12, 1));
        assert_eq!(m.per_node["n1"], 3);
        assert_eq!(m.first_error.as_deref(), Some("x"));
    }
}
