//! `rtctl plan`: capacity sizing. `plan()` is pure: a `Fleet` and sizing options in, a
//! `PlanReport` out. `run()` resolves flags and the fleet file first.

mod guide;
pub mod math;
pub mod profile;
mod report;

use serde::Serialize;

use crate::cli::PlanArgs;
use crate::error::{Error, Result};
use crate::fleet::{Fleet, GatewayKind, Node};
use crate::gateway::{self, Algorithm, GatewaySpec, Pick};
use crate::resolve;

pub use report::PlanReport;

/// Sizing options that are not part of the fleet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sizing {
    /// Percentile (0–100) of the most loaded node that must fit.
    pub percentile: f64,
    /// Fraction of the ceiling kept free at that percentile.
    pub headroom: f64,
    /// Node failures to survive.
    pub failures: u32,
    /// Seconds until a failed node's devices can connect somewhere again.
    pub outage_secs: f64,
    /// Largest node count to consider.
    pub max_nodes: u32,
    pub explain: bool,
}

/// The public NAT address of the guide, used where the gateway hashes on the client IP.
pub const GUIDE_NAT_IP: &str = "203.0.113.50";

/// Default seconds until devices of a failed node can connect again, per gateway: nginx retries
/// the next peer at once on a refused connect (`proxy_next_upstream error`, `max_fails=1`);
/// Kong and HAProxy wait for active health checks (as `render-kong` and `render-haproxy`
/// configure them: Kong every 5 s, 3 failures; HAProxy `inter 2s fall 3`).
pub fn default_outage_secs(kind: GatewayKind) -> f64 {
    match kind {
        GatewayKind::Nginx => 0.0,
        GatewayKind::Kong => 15.0,
        GatewayKind::Haproxy => 6.0,
    }
}

pub fn run(args: &PlanArgs) -> Result<PlanReport> {
    let mut fleet = resolve::fleet(
        &args.fleet,
        Some(&args.profile),
        Some(&args.workload),
        Some(&args.client),
    )?;
    let calibration = match &args.profile_file {
        Some(path) => Some(profile::apply(
            &mut fleet,
            &profile::NodeProfile::load(path)?,
            path,
            profile::Overrides {
                memory_per_connection: args.profile.memory_per_connection.is_some(),
                cpu_ms_per_delivery: args.profile.cpu_ms_per_delivery.is_some(),
            },
        )),
        None => None,
    };
    if !(args.percentile > 0.0 && args.percentile < 100.0) {
        return Err(Error::flag(
            "--percentile",
            format!("expected a value in (0, 100), got {}", args.percentile),
        ));
    }
    if !(0.0..1.0).contains(&args.headroom) {
        return Err(Error::flag(
            "--headroom",
            format!("expected a fraction in [0, 1), got {}", args.headroom),
        ));
    }
    let outage = args
        .outage_secs
        .unwrap_or_else(|| default_outage_secs(fleet.gateway.kind));
    if !(outage >= 0.0 && outage.is_finite()) {
        return Err(Error::flag(
            "--outage-secs",
            format!("expected seconds ≥ 0, got {outage}"),
        ));
    }
    if args.max_nodes == 0 {
        return Err(Error::flag("--max-nodes", "expected at least 1"));
    }
    let sizing = Sizing {
        percentile: args.percentile,
        headroom: args.headroom,
        failures: args.failures,
        outage_secs: outage,
        max_nodes: args.max_nodes,
        explain: args.explain,
    };
    let mut report = plan(&fleet, &sizing)?;
    report.calibration = calibration;
    Ok(report)
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
pub(crate) fn nodes_for(fleet: &Fleet, k: usize) -> Vec<Node> {
    if k <= fleet.nodes.len() {
        return fleet.nodes[..k].to_vec();
    }
    let mut v = fleet.nodes.clone();
    v.extend(resolve::synth_nodes(k - fleet.nodes.len(), &fleet.nodes));
    v
}

pub(crate) fn spec_for(fleet: &Fleet, nodes: &[Node], down: Vec<usize>) -> GatewaySpec {
    let mut f = fleet.clone();
    f.nodes = nodes.to_vec();
    let mut spec = f.gateway_spec();
    spec.down = down;
    spec
}

/// One failure case: which nodes are down, the shares after, and the survivors' most loaded
/// node at the chosen quantile.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub down: Vec<usize>,
    pub shares: Vec<f64>,
    pub max_load: u64,
}

/// The worst set of `f` failed nodes: the one that leaves the survivors' most loaded node
/// highest at quantile `q`. Exhaustive up to 400 combinations, else the `f` largest shares.
pub(crate) fn worst_failure(
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
pub(crate) fn moved_by_sampling(fleet: &Fleet, down: &[usize]) -> Result<(f64, f64)> {
    let before = spec_for(fleet, &fleet.nodes, vec![]);
    let after = spec_for(fleet, &fleet.nodes, down.to_vec());
    let ids = crate::simulate::ids::generate(100_000, 0x5eed);
    let m = crate::simulate::moves(&before, &after, &ids)?;
    let total = ids.len() as f64;
    Ok((m.moved as f64 / total, m.moved_from_others as f64 / total))
}

/// Size the fleet.
pub fn plan(fleet: &Fleet, sizing: &Sizing) -> Result<PlanReport> {
    report::build(fleet, sizing)
}

#[cfg(test)]
mod tests {
    use super::*;

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
