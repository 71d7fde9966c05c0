//! `rtctl plan`: capacity sizing. `plan()` is pure: a `Fleet` (with a measured node profile
//! already applied, see `profile::apply`) and sizing options in, a `PlanReport` out. The flags
//! and the fleet file are resolved at the edge (`cli_adapter.rs`).

mod guide;
pub mod math;
pub mod profile;
mod report;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::fleet::{self, Fleet, GatewayKind, Node};
use crate::gateway::{self, Algorithm, GatewaySpec, Pick};

pub use report::{FailureNumbers, PlanNumbers, PlanReport};

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

impl Sizing {
    /// Checks the ranges, naming the flag that sets each.
    pub fn validate(&self) -> Result<()> {
        if !(self.percentile > 0.0 && self.percentile < 100.0) {
            return Err(Error::flag(
                "--percentile",
                format!("expected a value in (0, 100), got {}", self.percentile),
            ));
        }
        if !(0.0..1.0).contains(&self.headroom) {
            return Err(Error::flag(
                "--headroom",
                format!("expected a fraction in [0, 1), got {}", self.headroom),
            ));
        }
        if !(self.outage_secs >= 0.0 && self.outage_secs.is_finite()) {
            return Err(Error::flag(
                "--outage-secs",
                format!("expected seconds ≥ 0, got {}", self.outage_secs),
            ));
        }
        if self.max_nodes == 0 {
            return Err(Error::flag("--max-nodes", "expected at least 1"));
        }
        Ok(())
    }
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
    v.extend(fleet::synth_nodes(k - fleet.nodes.len(), &fleet.nodes));
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

/// Size the fleet: the numbers only.
pub fn calculate(fleet: &Fleet, sizing: &Sizing) -> Result<PlanNumbers> {
    sizing.validate()?;
    report::calculate(fleet, sizing)
}

/// Size the fleet: the numbers, put into words (warnings, the answer's reason, the comparison
/// with the guide, the formulas with `explain`).
pub fn plan(fleet: &Fleet, sizing: &Sizing) -> Result<PlanReport> {
    let numbers = calculate(fleet, sizing)?;
    Ok(report::present(fleet, sizing, &numbers))
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
