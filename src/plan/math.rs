//! The capacity maths behind `rtctl plan`. Pure functions; every formula is named in `--explain`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{Binomial, DiscreteCDF};

/// Per-node connection ceilings by resource.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ceilings {
    pub fd: u64,
    pub memory: u64,
    /// `None` when there is no CPU load at all (no messages, no pings).
    pub cpu: Option<u64>,
}

impl Ceilings {
    /// The smallest ceiling and the resource that sets it.
    pub fn binding(&self) -> (u64, &'static str) {
        let mut best = (self.fd, "fd");
        if self.memory < best.0 {
            best = (self.memory, "memory");
        }
        if let Some(c) = self.cpu {
            if c < best.0 {
                best = (c, "cpu");
            }
        }
        best
    }
}

/// Connection ceilings of one node.
///
/// * fd = fd_limit − fd_reserve (one descriptor per WebSocket)
/// * memory = (memory − reserved) ÷ memory per connection
/// * cpu = cores × target × 1000 ms/s ÷ (deliveries per connection per second × ms per delivery)
pub fn ceilings(
    fd_limit: u64,
    fd_reserve: u64,
    usable_memory: u64,
    memory_per_connection: u64,
    cpu_budget_ms_per_sec: f64,
    deliveries_per_conn_per_sec: f64,
    cpu_ms_per_delivery: f64,
) -> Ceilings {
    let fd = fd_limit.saturating_sub(fd_reserve);
    let memory = usable_memory / memory_per_connection.max(1);
    let per_conn = deliveries_per_conn_per_sec * cpu_ms_per_delivery;
    let cpu = (per_conn > 0.0).then(|| (cpu_budget_ms_per_sec / per_conn).floor() as u64);
    Ceilings { fd, memory, cpu }
}

/// Deliveries one connected device costs per second, counting fan-out: a department message
/// reaches every device of its department, a broadcast every device, a direct message one.
///
/// r = broadcasts/s + (department messages/s ÷ departments) + (direct messages/s ÷ devices)
///     + 1 ÷ pingInterval
pub fn deliveries_per_connection(
    devices: u64,
    departments: u64,
    broadcasts_per_sec: f64,
    department_per_sec: f64,
    direct_per_sec: f64,
    ping_interval_secs: f64,
) -> f64 {
    let per_dept = if departments > 0 {
        department_per_sec / departments as f64
    } else {
        0.0
    };
    let direct = if devices > 0 {
        direct_per_sec / devices as f64
    } else {
        0.0
    };
    broadcasts_per_sec + per_dept + direct + 1.0 / ping_interval_secs
}

/// Load statistics of one node whose load is Binomial(n, share).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeLoad {
    pub expected: f64,
    pub sd: f64,
}

pub fn node_load(n: u64, share: f64) -> NodeLoad {
    let p = share.clamp(0.0, 1.0);
    NodeLoad {
        expected: n as f64 * p,
        sd: (n as f64 * p * (1.0 - p)).sqrt(),
    }
}

/// The guide's approximation of the per-node standard deviation: sqrt(N ÷ k).
pub fn guide_sd(n: u64, k: usize) -> f64 {
    (n as f64 / k.max(1) as f64).sqrt()
}

/// P(X > m) for X ~ Binomial(n, p).
fn tail(n: u64, p: f64, m: u64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return if m >= n { 0.0 } else { 1.0 };
    }
    if m >= n {
        return 0.0;
    }
    let b = Binomial::new(p, n).expect("p in (0,1)");
    (1.0 - b.cdf(m)).max(0.0)
}

/// The smallest load m such that P(max_i X_i > m) ≤ 1 − q, where (X_i) is the multinomial load
/// of nodes with the given shares.
///
/// It uses the union (Bonferroni) bound P(max > m) ≤ Σ_i P(X_i > m), so the figure is
/// conservative: the true q-quantile of the most loaded node is at most this value, and in the
/// upper tail (q ≥ 0.9) the bound is tight to within a device or two (see the tests, which
/// check it against a seeded Monte Carlo of the multinomial).
pub fn max_load_quantile(n: u64, shares: &[f64], q: f64) -> u64 {
    let alpha = (1.0 - q).max(0.0);
    let exceeds = |m: u64| shares.iter().map(|&p| tail(n, p, m)).sum::<f64>() > alpha;
    // Lower bound: the largest expected load; upper bound: n.
    let max_share = shares.iter().cloned().fold(0.0, f64::max);
    let mut lo = (n as f64 * max_share).floor() as u64;
    let mut hi = n;
    if !exceeds(lo) {
        // Only possible when the tail is already tiny at the mean (n small or p=1).
        while lo > 0 && !exceeds(lo - 1) {
            lo -= 1;
        }
        return lo;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if exceeds(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// socket.io-client's reconnection backoff (engine `Backoff`: ms = min × 2^attempt, jitter
/// `deviation = floor(rand × factor × ms)`, subtracted when `floor(rand × 10)` is even, added
/// otherwise, then capped at max).
pub fn backoff_ms(attempt: u32, min_ms: f64, max_ms: f64, factor: f64, rand: f64) -> f64 {
    let ms = min_ms * 2f64.powi(attempt.min(62) as i32);
    let ms = if factor > 0.0 {
        let deviation = (rand * factor * ms).floor();
        if ((rand * 10.0).floor() as u64) & 1 == 0 {
            ms - deviation
        } else {
            ms + deviation
        }
    } else {
        ms
    };
    ms.min(max_ms).floor()
}

/// Nominal (jitter-free) reconnection schedule: the time of each attempt after the disconnect.
pub fn nominal_schedule(min_ms: f64, max_ms: f64, attempts: u32, limit: usize) -> Vec<f64> {
    let n = if attempts == 0 {
        limit
    } else {
        (attempts as usize).min(limit)
    };
    let mut t = 0.0;
    (0..n)
        .map(|a| {
            t += backoff_ms(a as u32, min_ms, max_ms, 0.0, 0.0);
            t
        })
        .collect()
}

/// What happens when `devices` lose their node at t = 0 and can connect again at `outage_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct Storm {
    /// Devices that reconnect (did not give up).
    pub reconnected: u64,
    /// Devices whose attempt limit ran out before `outage_ms`: they stop trying for good.
    pub gave_up: u64,
    /// Arrivals at the survivors in the busiest 100 ms window, scaled to a per-second rate.
    pub peak_per_sec: f64,
    /// Busiest single 100 ms window, in devices.
    pub peak_window: u64,
    /// First and last successful reconnection, ms after the disconnect.
    pub first_ms: f64,
    pub last_ms: f64,
    /// Last failed attempt of the devices that gave up (ms); 0 when none gave up.
    pub give_up_at_ms: f64,
}

/// Replay the exact client backoff for each device (seeded, deterministic).
pub fn reconnect_storm(
    devices: u64,
    min_ms: f64,
    max_ms: f64,
    factor: f64,
    attempts: u32,
    outage_ms: f64,
    seed: u64,
) -> Storm {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut arrivals: Vec<f64> = Vec::with_capacity(devices as usize);
    let mut gave_up = 0u64;
    let mut give_up_at: f64 = 0.0;
    for _ in 0..devices {
        let mut t = 0.0;
        let mut a = 0u32;
        loop {
            if attempts != 0 && a >= attempts {
                gave_up += 1;
                give_up_at = give_up_at.max(t);
                break;
            }
            t += backoff_ms(a, min_ms, max_ms, factor, rng.random::<f64>());
            a += 1;
            if t >= outage_ms {
                arrivals.push(t);
                break;
            }
        }
    }
    arrivals.sort_by(f64::total_cmp);
    let window = 100.0;
    let mut peak = 0usize;
    let mut j = 0usize;
    for i in 0..arrivals.len() {
        while arrivals[i] - arrivals[j] >= window {
            j += 1;
        }
        peak = peak.max(i - j + 1);
    }
    Storm {
        reconnected: arrivals.len() as u64,
        gave_up,
        peak_per_sec: peak as f64 * 1000.0 / window,
        peak_window: peak as u64,
        first_ms: arrivals.first().copied().unwrap_or(0.0),
        last_ms: arrivals.last().copied().unwrap_or(0.0),
        give_up_at_ms: give_up_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_memory_example_is_400000() {
        // 12 GB ÷ 30 KB = 400,000 (decimal units, as the guide computes).
        let c = ceilings(65_536, 64, 12_000_000_000, 30_000, 5600.0, 0.0567, 0.5);
        assert_eq!(c.memory, 400_000);
        assert_eq!(c.fd, 65_472);
        assert_eq!(c.binding(), (65_472, "fd"));
    }

    #[test]
    fn fd_1024_binds() {
        let c = ceilings(1024, 64, 12_000_000_000, 30_000, 5600.0, 0.1, 0.5);
        assert_eq!(c.binding(), (960, "fd"));
    }

    #[test]
    fn fan_out_counts_every_recipient() {
        // 1 department message/s over 10 departments: each device gets 0.1/s.
        let r = deliveries_per_connection(1000, 10, 0.0, 1.0, 0.0, f64::INFINITY);
        assert!((r - 0.1).abs() < 1e-12);
        let r = deliveries_per_connection(1000, 10, 2.0, 0.0, 1000.0, 25.0);
        assert!((r - (2.0 + 1.0 + 0.04)).abs() < 1e-12);
    }

    #[test]
    fn exact_sd_is_below_the_guides() {
        // 1200 devices, 3 equal nodes: exact sd = sqrt(1200·⅓·⅔) = 16.33 vs guide 20.
        let l = node_load(1200, 1.0 / 3.0);
        assert!((l.expected - 400.0).abs() < 1e-9);
        assert!((l.sd - 16.329_931_618_554_52).abs() < 1e-9);
        assert!((guide_sd(1200, 3) - 20.0).abs() < 1e-12);
    }

    #[test]
    fn max_quantile_matches_monte_carlo() {
        // Multinomial(1200, [.35, .33, .32]): compare the bound with a seeded simulation.
        let shares = [0.35, 0.33, 0.32];
        let q = 0.99;
        let bound = max_load_quantile(1200, &shares, q);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let trials = 20_000;
        let mut maxes: Vec<u64> = (0..trials)
            .map(|_| {
                let mut c = [0u64; 3];
                for _ in 0..1200 {
                    let u: f64 = rng.random();
                    let i = if u < 0.35 {
                        0
                    } else if u < 0.68 {
                        1
                    } else {
                        2
                    };
                    c[i] += 1;
                }
                *c.iter().max().unwrap()
            })
            .collect();
        maxes.sort_unstable();
        let empirical = maxes[(q * trials as f64) as usize];
        assert!(
            bound >= empirical - 1,
            "bound {bound} vs empirical {empirical}"
        );
        assert!(
            bound <= empirical + 3,
            "bound {bound} vs empirical {empirical}"
        );
    }

    #[test]
    fn max_quantile_edge_cases() {
        assert_eq!(max_load_quantile(1000, &[1.0], 0.99), 1000);
        assert_eq!(max_load_quantile(0, &[0.5, 0.5], 0.99), 0);
        let m = max_load_quantile(100, &[0.5, 0.5], 0.5);
        assert!((50..=60).contains(&m), "{m}");
    }

    #[test]
    fn backoff_follows_socket_io_client() {
        // No jitter: 1000, 2000, 4000, then capped at 5000.
        let s = nominal_schedule(1000.0, 5000.0, 5, 100);
        assert_eq!(s, vec![1000.0, 3000.0, 7000.0, 12000.0, 17000.0]);
        // rand = 0.05: floor(0.5) = 0 even → subtract floor(0.05 × 0.5 × 1000) = 25.
        assert_eq!(backoff_ms(0, 1000.0, 5000.0, 0.5, 0.05), 975.0);
        // rand = 0.15: floor(1.5) = 1 odd → add 75.
        assert_eq!(backoff_ms(0, 1000.0, 5000.0, 0.5, 0.15), 1075.0);
        // Capped.
        assert_eq!(backoff_ms(10, 1000.0, 5000.0, 0.5, 0.15), 5000.0);
    }

    #[test]
    fn storm_gives_up_when_outage_outlasts_attempts() {
        // The guide's client: 5 attempts, done by ~17 s nominal; a 30 s outage loses everyone.
        let s = reconnect_storm(1000, 1000.0, 5000.0, 0.5, 5, 30_000.0, 1);
        assert_eq!(s.gave_up, 1000);
        assert_eq!(s.reconnected, 0);
        // Unlimited attempts: everyone comes back after the outage.
        let s = reconnect_storm(1000, 1000.0, 5000.0, 0.5, 0, 30_000.0, 1);
        assert_eq!((s.gave_up, s.reconnected), (0, 1000));
        assert!(s.first_ms >= 30_000.0);
        // Immediate failover: first attempts spread over [d(1-0.9r), d(1+r)].
        let s = reconnect_storm(10_000, 1000.0, 5000.0, 0.5, 5, 0.0, 1);
        assert_eq!(s.reconnected, 10_000);
        assert!(s.first_ms >= 550.0 && s.last_ms <= 1500.0, "{s:?}");
        // The jitter covers alternating 0.1·r·d strips on either side of d (duty cycle ½ over
        // any 100 ms window): density 1/(r·d) per ms × ½ → 10,000 devices/s, ± sampling noise.
        assert!((s.peak_per_sec - 10_000.0).abs() < 1_500.0, "{s:?}");
    }

    #[test]
    fn storm_is_deterministic_per_seed() {
        let a = reconnect_storm(500, 1000.0, 5000.0, 0.5, 0, 8000.0, 9);
        let b = reconnect_storm(500, 1000.0, 5000.0, 0.5, 0, 8000.0, 9);
        assert_eq!(a, b);
    }
}
