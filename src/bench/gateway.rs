//! Against a gateway: the devices each node got (from `x-rtctl-node` on their handshakes)
//! beside what `simulate` predicts for the same ids, and whether the most loaded node lies
//! inside `plan`'s p99 band. For gateways that hash the device id (query `deviceId` or the
//! `x-device-id` header, which carry the same bytes here); nodes are matched by their id.

use std::collections::BTreeMap;
use std::path::Path;

use super::report::{BenchReport, GatewayCheck, GatewayNode};
use crate::error::{Error, Result};
use crate::fleet::Fleet;

/// Compares what was observed with the prediction for these ids.
pub fn compare(
    fleet: &Fleet,
    ids: &[String],
    observed: &BTreeMap<String, u64>,
    heartbeats: &BTreeMap<String, u64>,
) -> Result<GatewayCheck> {
    let spec = fleet.gateway_spec();
    let mut router = crate::simulate::Router::new(&spec, "gateway")?;
    let mut predicted = vec![0u64; fleet.nodes.len()];
    for id in ids {
        if let Some(i) = router.route(id.as_bytes()) {
            predicted[i] += 1;
        }
    }
    let shares = crate::plan::shares(&spec)?;
    let p99 = crate::plan::math::max_load_quantile(ids.len() as u64, &shares, 0.99);
    let mut nodes: Vec<GatewayNode> = fleet
        .nodes
        .iter()
        .zip(&predicted)
        .map(|(n, &p)| GatewayNode {
            node: n.id.clone(),
            observed: observed.get(&n.id).copied().unwrap_or(0),
            heartbeat: heartbeats.get(&n.id).copied(),
            predicted: p,
        })
        .collect();
    for (name, &c) in observed {
        if !fleet.nodes.iter().any(|n| &n.id == name) {
            nodes.push(GatewayNode {
                node: name.clone(),
                observed: c,
                heartbeat: heartbeats.get(name).copied(),
                predicted: 0,
            });
        }
    }
    let max_observed = nodes.iter().map(|n| n.observed).max().unwrap_or(0);
    let diff: u64 = nodes.iter().map(|n| n.observed.abs_diff(n.predicted)).sum();
    Ok(GatewayCheck {
        gateway: format!("{}", spec.algorithm),
        nodes,
        max_observed,
        plan_p99_max: p99,
        within_p99: max_observed <= p99,
        mismatched: diff / 2,
    })
}

/// The check for a finished run: the fleet file describes the gateway and its nodes.
pub fn check(path: &Path, r: &BenchReport, seed: u64) -> Result<GatewayCheck> {
    let fleet = Fleet::load(path)?;
    if r.per_node.is_empty() {
        return Err(Error::flag(
            "--fleet",
            "no handshake carried x-rtctl-node: the nodes behind the gateway must be `rtctl serve`",
        ));
    }
    let ids = crate::simulate::ids::generate(r.devices as usize, seed);
    compare(&fleet, &ids, &r.per_node, &r.heartbeats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prediction_itself_lies_inside_the_band() {
        let fleet = crate::resolve::default_fleet();
        let ids = crate::simulate::ids::generate(1200, 1);
        let first = compare(&fleet, &ids, &BTreeMap::new(), &BTreeMap::new()).unwrap();
        let observed: BTreeMap<String, u64> = first
            .nodes
            .iter()
            .map(|n| (n.node.clone(), n.predicted))
            .collect();
        assert_eq!(observed.values().sum::<u64>(), 1200);
        let c = compare(&fleet, &ids, &observed, &BTreeMap::new()).unwrap();
        assert_eq!(c.mismatched, 0);
        assert!(c.within_p99, "{c:?}");
        // all on one node is far outside
        let mut skewed = BTreeMap::new();
        skewed.insert("node-1".to_string(), 1200);
        let c = compare(&fleet, &ids, &skewed, &BTreeMap::new()).unwrap();
        assert!(!c.within_p99);
        assert!(c.mismatched > 0);
    }
}
