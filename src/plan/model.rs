//! The plan's data, below everything else in `plan`: the sizing options, the numbers
//! `numbers::calculate` finds and the report `report::present` makes of them. No logic beyond
//! checking the options.

use serde::Serialize;

use super::math;
use super::profile::Calibration;
use crate::error::{Error, Result};

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

impl Sizing {
    /// p99, 20% headroom, one failure, no outage, at most 64 nodes: the plan tests' sizing
    #[cfg(test)]
    pub(crate) fn for_tests() -> Sizing {
        Sizing {
            percentile: 99.0,
            headroom: 0.2,
            failures: 1,
            outage_secs: 0.0,
            max_nodes: 64,
            explain: false,
        }
    }

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

#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub fleet: String,
    pub devices: u64,
    pub nodes: usize,
    pub gateway: String,
    pub sizing: Sizing,
    pub ceiling: CeilingReport,
    pub distribution: Distribution,
    pub failure: Option<FailureReport>,
    pub reconnect: ReconnectReport,
    pub answer: Answer,
    pub warnings: Vec<String>,
    /// Where the guide's own figures differ from the exact ones, for these inputs.
    pub against_the_guide: Vec<String>,
    /// Formulas behind the numbers (filled with `--explain`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explain: Vec<String>,
    /// With `--profile`: which figures were measured and which are assumed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CeilingReport {
    pub fd: u64,
    pub memory: u64,
    pub cpu: Option<u64>,
    pub ceiling: u64,
    pub binding: &'static str,
    /// Ceiling less headroom: what planning fills at the chosen percentile.
    pub capacity: u64,
    pub deliveries_per_connection_per_sec: f64,
    pub fleet_deliveries_per_sec: f64,
    /// Time for one node at capacity to write one broadcast to all its devices.
    pub broadcast_drain_ms_at_capacity: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeRow {
    pub id: String,
    pub addr: String,
    pub share: f64,
    pub expected: f64,
    pub sd: f64,
    /// The per-node percentile load (not the max over nodes).
    pub percentile_load: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Distribution {
    pub nodes: Vec<NodeRow>,
    /// The guide's figures: N ÷ k and sqrt(N ÷ k).
    pub guide_expected: f64,
    pub guide_sd: f64,
    /// The chosen percentile of the most loaded node.
    pub max_node_load: u64,
    /// p95 and p99 of the most loaded node, whatever percentile sizing uses.
    pub max_node_p95: u64,
    pub max_node_p99: u64,
    pub fits_capacity: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureReport {
    pub failed: Vec<String>,
    pub survivors: Vec<NodeRow>,
    pub max_node_load: u64,
    pub fits_ceiling: bool,
    /// Fraction of devices that change node (exact from the shares for consistent hashing:
    /// the failed nodes' devices only; measured on sample ids otherwise).
    pub moved_fraction: f64,
    pub moved_from_survivors_fraction: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReconnectReport {
    pub devices: u64,
    pub outage_secs: f64,
    pub reconnected: u64,
    pub gave_up: u64,
    pub peak_per_sec: f64,
    pub first_ms: f64,
    pub last_ms: f64,
    /// Attempt times without jitter, ms after the disconnect.
    pub nominal_schedule_ms: Vec<f64>,
    /// When the last attempt happens (nominal); `None` with unlimited attempts.
    pub gives_up_after_ms: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// Smallest node count that fits, or `None` when none up to `max_nodes` does.
    pub nodes_needed: Option<usize>,
    pub current_nodes: usize,
    pub current_fits: bool,
    pub reason: String,
}

/// The plan's numbers, before any prose: what [`super::calculate`] finds for a fleet and a sizing.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanNumbers {
    /// Deliveries per connection per second.
    pub rate: f64,
    pub ceilings: math::Ceilings,
    /// The binding ceiling and the resource that binds.
    pub ceiling: u64,
    pub binding: &'static str,
    /// The ceiling less headroom.
    pub capacity: u64,
    pub fleet_rate: f64,
    /// Time for one node at capacity to write one broadcast to all its devices.
    pub drain_ms: f64,
    /// Per-node rows on the fleet's own ring.
    pub rows: Vec<NodeRow>,
    /// The most loaded node at the sizing percentile, p95 and p99.
    pub max_node: u64,
    pub max_node_p95: u64,
    pub max_node_p99: u64,
    pub failure: Option<FailureNumbers>,
    /// The most loaded node's devices reconnecting after its failure.
    pub storm: math::Storm,
    pub schedule: Vec<f64>,
    pub gives_up_after_ms: Option<f64>,
    pub nodes_needed: Option<usize>,
    pub current_fits: bool,
    /// Kong 3.8–3.9 with a sticky header whose name contains '-': (version, header).
    pub kong_dash_header: Option<(String, String)>,
}

/// The worst failure's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureNumbers {
    /// Indices of the failed nodes.
    pub down: Vec<usize>,
    pub survivors: Vec<NodeRow>,
    pub max_load: u64,
    pub moved: f64,
    pub moved_from_survivors: f64,
}
