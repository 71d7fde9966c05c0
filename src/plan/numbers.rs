//! The plan's numbers: per-node ceilings, the load on the fleet's own ring, the worst failure,
//! the reconnect storm and the node count needed. No prose (that is `report`).

use super::math;
use super::model::{FailureNumbers, NodeRow, PlanNumbers, Sizing, GUIDE_NAT_IP};
use crate::error::{Error, Result};
use crate::fleet::{self, Fleet, Node};
use crate::gateway::{self, Algorithm, GatewaySpec, Pick};

/// Size the fleet: every number of the plan, no prose.
pub(super) fn calculate(fleet: &Fleet, s: &Sizing) -> Result<PlanNumbers> {
    let p = &fleet.profile;
    let w = &fleet.workload;
    let n = w.devices;
    let q = s.percentile / 100.0;
    let algorithm = fleet.algorithm();

    // Ceilings.
    let r = math::deliveries_per_connection(
        n,
        w.departments,
        w.broadcasts_per_minute / 60.0,
        w.department_messages_per_minute / 60.0,
        w.direct_messages_per_minute / 60.0,
        w.ping_interval_secs,
    );
    let budget = p.cpu_cores * p.cpu_target * 1000.0;
    let usable = p.memory.0 - p.reserved_memory.0;
    let c = math::ceilings(
        p.fd_limit,
        p.fd_reserve,
        usable,
        p.memory_per_connection.0,
        budget,
        r,
        p.cpu_ms_per_delivery,
    );
    let (ceiling, binding) = c.binding();
    let capacity = (ceiling as f64 * (1.0 - s.headroom)).floor() as u64;

    // Distribution on the fleet's own ring.
    let sh = shares(&fleet.gateway_spec())?;
    let rows = node_rows(&fleet.nodes, &sh, n, q);
    let max_node = math::max_load_quantile(n, &sh, q);

    // Failures.
    let failure = match worst_failure(fleet, &fleet.nodes, n, s.failures as usize, q, &sh)? {
        Some(Failure {
            down,
            shares: fsh,
            max_load,
        }) => {
            let failed_share: f64 = down.iter().map(|&i| sh[i]).sum();
            let (moved, moved_from_survivors) = if algorithm.is_consistent() {
                (failed_share, 0.0)
            } else {
                moved_by_sampling(fleet, &down)?
            };
            let survivors: Vec<NodeRow> = node_rows(&fleet.nodes, &fsh, n, q)
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !down.contains(i))
                .map(|(_, r)| r)
                .collect();
            Some(FailureNumbers {
                down,
                survivors,
                max_load,
                moved,
                moved_from_survivors,
            })
        }
        None => None,
    };

    // Reconnect storm of the most loaded node's devices.
    let cl = &fleet.client;
    let storm = math::reconnect_storm(
        max_node,
        cl.reconnection_delay_ms,
        cl.reconnection_delay_max_ms,
        cl.randomization_factor,
        if cl.reconnection {
            cl.reconnection_attempts
        } else {
            1
        },
        s.outage_secs * 1000.0,
        1,
    );
    let schedule = math::nominal_schedule(
        cl.reconnection_delay_ms,
        cl.reconnection_delay_max_ms,
        cl.reconnection_attempts,
        8,
    );
    let gives_up_after_ms =
        (cl.reconnection_attempts != 0).then(|| schedule.last().copied().unwrap_or(0.0));

    let kong_dash_header = match (&fleet.gateway.kong_version, algorithm) {
        (Some(v), Algorithm::Kong) if crate::simulate::kong_header_bug(v) => fleet
            .gateway
            .sticky_keys
            .iter()
            .find_map(|k| match k {
                fleet::KeySource::Header(h) if h.contains('-') => Some(h),
                _ => None,
            })
            .map(|h| (v.clone(), h.clone())),
        _ => None,
    };

    // The answer.
    let nodes_needed = nodes_needed(fleet, s, capacity, ceiling)?;
    let current_fits = max_node <= capacity
        && failure.as_ref().is_none_or(|f| f.max_load <= ceiling)
        && (s.failures == 0 || (s.failures as usize) < fleet.nodes.len());
    Ok(PlanNumbers {
        rate: r,
        ceilings: c,
        ceiling,
        binding,
        capacity,
        fleet_rate: r * n as f64,
        drain_ms: capacity as f64 * p.cpu_ms_per_delivery / p.cpu_cores,
        rows,
        max_node,
        max_node_p95: math::max_load_quantile(n, &sh, 0.95),
        max_node_p99: math::max_load_quantile(n, &sh, 0.99),
        failure,
        storm,
        schedule,
        gives_up_after_ms,
        nodes_needed,
        current_fits,
        kong_dash_header,
    })
}

fn node_rows(nodes: &[Node], sh: &[f64], n: u64, q: f64) -> Vec<NodeRow> {
    nodes
        .iter()
        .zip(sh)
        .map(|(node, &share)| {
            let l = math::node_load(n, share);
            NodeRow {
                id: node.id.clone(),
                addr: node.addr(),
                share,
                expected: l.expected,
                sd: l.sd,
                percentile_load: math::max_load_quantile(n, &[share], q),
            }
        })
        .collect()
}

fn nodes_needed(fleet: &Fleet, s: &Sizing, capacity: u64, ceiling: u64) -> Result<Option<usize>> {
    let n = fleet.workload.devices;
    if capacity == 0 {
        return Ok(None);
    }
    let q = s.percentile / 100.0;
    let lo = (n.div_ceil(capacity) as usize)
        .max(s.failures as usize + 1)
        .max(1);
    for k in lo..=s.max_nodes as usize {
        let nodes = nodes_for(fleet, k);
        let sh = shares(&spec_for(fleet, &nodes, vec![]))?;
        if math::max_load_quantile(n, &sh, q) > capacity {
            continue;
        }
        match worst_failure(fleet, &nodes, n, s.failures as usize, q, &sh)? {
            Some(f) if f.max_load > ceiling => continue,
            _ => return Ok(Some(k)),
        }
    }
    Ok(None)
}

/// Shares of each node for this fleet's gateway, as the devices see it.
/// ip-hash: every device behind the one NAT address lands on one node.
pub(crate) fn shares(spec: &GatewaySpec) -> Result<Vec<f64>> {
    let bal = gateway::build(spec).map_err(|source| Error::Gateway {
        context: format!("{} upstream", spec.algorithm),
        source,
    })?;
    if spec.algorithm == Algorithm::NginxIpHash {
        let mut s = vec![0.0; spec.targets.len()];
        if let Pick::Target(i) = bal.pick(GUIDE_NAT_IP.as_bytes()) {
            s[i] = 1.0;
        }
        return Ok(s);
    }
    Ok(bal.shares())
}

/// Nodes `0..k`: the fleet's own first, then synthesized ones.
fn nodes_for(fleet: &Fleet, k: usize) -> Vec<Node> {
    if k <= fleet.nodes.len() {
        return fleet.nodes[..k].to_vec();
    }
    let mut v = fleet.nodes.clone();
    v.extend(fleet::synth_nodes(k - fleet.nodes.len(), &fleet.nodes));
    v
}

fn spec_for(fleet: &Fleet, nodes: &[Node], down: Vec<usize>) -> GatewaySpec {
    let mut f = fleet.clone();
    f.nodes = nodes.to_vec();
    let mut spec = f.gateway_spec();
    spec.down = down;
    spec
}

/// One failure case: which nodes are down, the shares after, and the survivors' most loaded
/// node at the chosen quantile.
#[derive(Debug, Clone, PartialEq)]
struct Failure {
    pub down: Vec<usize>,
    pub shares: Vec<f64>,
    pub max_load: u64,
}

/// The worst set of `f` failed nodes: the one that leaves the survivors' most loaded node
/// highest at quantile `q`. Exhaustive up to 400 combinations, else the `f` largest shares.
fn worst_failure(
    fleet: &Fleet,
    nodes: &[Node],
    devices: u64,
    f: usize,
    q: f64,
    base_shares: &[f64],
) -> Result<Option<Failure>> {
    let k = nodes.len();
    if f == 0 || f >= k {
        return Ok(None);
    }
    let combos = combinations(k, f, 400).unwrap_or_else(|| {
        let mut idx: Vec<usize> = (0..k).collect();
        idx.sort_by(|&a, &b| base_shares[b].total_cmp(&base_shares[a]));
        vec![idx[..f].to_vec()]
    });
    let mut worst: Option<Failure> = None;
    for down in combos {
        let s = shares(&spec_for(fleet, nodes, down.clone()))?;
        let m = math::max_load_quantile(devices, &s, q);
        if worst.as_ref().is_none_or(|w| m > w.max_load) {
            worst = Some(Failure {
                down,
                shares: s,
                max_load: m,
            });
        }
    }
    Ok(worst)
}

/// All `f`-subsets of `0..k`, or `None` when there are more than `limit`.
fn combinations(k: usize, f: usize, limit: usize) -> Option<Vec<Vec<usize>>> {
    let mut count: f64 = 1.0;
    for i in 0..f {
        count = count * (k - i) as f64 / (i + 1) as f64;
    }
    if count > limit as f64 {
        return None;
    }
    let mut out = Vec::new();
    let mut cur: Vec<usize> = (0..f).collect();
    loop {
        out.push(cur.clone());
        let mut i = f;
        loop {
            if i == 0 {
                return Some(out);
            }
            i -= 1;
            if cur[i] != i + k - f {
                break;
            }
            if i == 0 && cur[0] == k - f {
                return Some(out);
            }
        }
        cur[i] += 1;
        for j in i + 1..f {
            cur[j] = cur[j - 1] + 1;
        }
    }
}

/// Fraction of devices that change node when `down` fail, and the fraction that moves although
/// its node survived: measured on 100,000 generated device ids (modulo hashing has no closed form).
fn moved_by_sampling(fleet: &Fleet, down: &[usize]) -> Result<(f64, f64)> {
    let before = spec_for(fleet, &fleet.nodes, vec![]);
    let after = spec_for(fleet, &fleet.nodes, down.to_vec());
    let ids = crate::simulate::ids::generate(100_000, 0x5eed);
    let m = crate::simulate::moves(&before, &after, &ids)?;
    let total = ids.len() as f64;
    Ok((m.moved as f64 / total, m.moved_from_others as f64 / total))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fleet::default_fleet;

    fn sizing() -> Sizing {
        Sizing::for_tests()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        /// More devices never need fewer nodes.
        #[test]
        fn nodes_needed_never_decreases(a in 100u64..60_000, b in 100u64..60_000) {
            let (lo, hi) = (a.min(b), a.max(b));
            let mut f = default_fleet();
            f.profile.fd_limit = 4_064;
            f.workload.devices = lo;
            let k_lo = calculate(&f, &sizing()).unwrap().nodes_needed.unwrap();
            f.workload.devices = hi;
            let k_hi = calculate(&f, &sizing()).unwrap().nodes_needed.unwrap();
            prop_assert!(k_lo <= k_hi, "{lo} devices need {k_lo}, {hi} need {k_hi}");
        }
    }

    #[test]
    fn combinations_enumerate_and_cap() {
        assert_eq!(
            combinations(4, 2, 100).unwrap(),
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        assert_eq!(combinations(3, 1, 100).unwrap().len(), 3);
        assert_eq!(combinations(3, 3, 100).unwrap(), vec![vec![0, 1, 2]]);
        assert!(combinations(40, 3, 400).is_none());
    }
}
