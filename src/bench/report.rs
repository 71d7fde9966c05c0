//! The bench report (pure): what a run measured, as a table, as JSON (`--output json`, shape
//! pinned by a test) and as an SVG chart of latency percentiles and connections over time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::probe::Machine;
use super::stats::{Latency, Sample};
use crate::output::{fmt_f, fmt_int, Report, Style};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    pub scenario: String,
    pub url: String,
    pub rtctl_version: String,
    /// Unix time (s) the run started.
    pub started_unix: u64,
    pub machine: Machine,
    pub devices: u64,
    pub departments: usize,
    pub workers: usize,
    pub connect: ConnectReport,
    pub deliveries: Deliveries,
    pub latency: Latency,
    pub node: NodeReport,
    /// Fan-out: latency per target kind (`max_ms` is the time to the last receiver).
    pub fanout: Vec<FanoutRow>,
    /// Throughput: one row per offered rate.
    pub throughput: Vec<StepRow>,
    /// The most deliveries/s sustained with 0 lost and p99 within the limit.
    pub sustained_deliveries_per_sec: Option<f64>,
    /// Throughput: the p99 limit a sustained step stays within (`--p99-limit-ms`).
    pub p99_limit_ms: Option<f64>,
    pub jitter: Option<JitterReport>,
    pub avalanche: Option<AvalancheReport>,
    /// Devices per node, from `x-rtctl-node` on their handshakes.
    pub per_node: BTreeMap<String, u64>,
    /// Connections each node reported in its heartbeat at the end (with `--redis`).
    pub heartbeats: BTreeMap<String, u64>,
    /// Against a gateway: observed devices per node beside the prediction.
    pub gateway: Option<GatewayCheck>,
    pub timeline: Vec<Sample>,
    pub first_error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectReport {
    pub connected: u64,
    pub failed: u64,
    pub retries: u64,
    pub secs: f64,
    pub handshakes_per_sec: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deliveries {
    pub publishes: u64,
    pub publish_errors: u64,
    pub expected: u64,
    pub received: u64,
    pub lost: u64,
    pub duplicates: u64,
    pub gaps: u64,
    pub devices_with_loss: u64,
    pub reconnects: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeReport {
    /// The node process when it runs on this machine.
    pub pid: Option<u32>,
    pub rss_before_bytes: Option<u64>,
    pub rss_connected_bytes: Option<u64>,
    pub memory_per_connection_bytes: Option<f64>,
    /// CPU the node spent during the publishing phase.
    pub cpu_secs: Option<f64>,
    pub cpu_ms_per_delivery: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FanoutRow {
    pub target: String,
    pub publishes: u64,
    pub receivers: u64,
    pub latency: Latency,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRow {
    pub offered_publishes_per_sec: f64,
    pub offered_deliveries_per_sec: f64,
    pub deliveries_per_sec: f64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub lost: u64,
    pub drained: bool,
    /// Drained, 0 lost and p99 within the limit.
    pub sustained: bool,
}

impl StepRow {
    /// Whether the step counts as sustained under `p99_limit_ms` (a step without latency
    /// samples has nothing over the limit).
    pub fn within(&self, p99_limit_ms: f64) -> bool {
        self.drained && self.lost == 0 && self.p99_ms.is_none_or(|p| p <= p99_limit_ms)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JitterReport {
    pub cuts: u64,
    pub connections_cut: u64,
    /// Delivered ÷ expected (1 = nothing lost).
    pub delivered_ratio: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvalancheReport {
    /// `cut` (every connection ended at once) or `kill` (the node SIGKILLed).
    pub failure: String,
    /// After a kill: the pid of the node `--restart-cmd` started.
    pub restarted_pid: Option<u32>,
    /// After a kill: seconds from the kill until the first publish was accepted again.
    pub publishes_accepted_after_secs: Option<f64>,
    pub dropped: u64,
    /// Publishes accepted while the devices were away.
    pub published_while_away: u64,
    /// Seconds from the drop until every device was connected again.
    pub back_secs: Option<f64>,
    /// Seconds from the drop until every device was back and had everything.
    pub caught_up_secs: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayNode {
    pub node: String,
    pub observed: u64,
    /// What the node reported in its heartbeat (with `--redis`).
    pub heartbeat: Option<u64>,
    pub predicted: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayCheck {
    pub gateway: String,
    pub nodes: Vec<GatewayNode>,
    /// The most loaded node, observed, and plan's p99 of the most loaded node.
    pub max_observed: u64,
    pub plan_p99_max: u64,
    pub within_p99: bool,
    /// Devices whose node differs from the prediction (by node id).
    pub mismatched: u64,
}

fn opt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{} ms", fmt_f(x, 1)))
}

impl Report for BenchReport {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["", "measured"]);
        let mut row = |k: &str, v: String| {
            t.add_row(vec![comfy_table::Cell::new(k), style.num(v)]);
        };
        row("scenario", self.scenario.clone());
        row("target", self.url.clone());
        row(
            "devices (workers)",
            format!("{} ({})", fmt_int(self.devices), self.workers),
        );
        row(
            "connected / failed",
            format!(
                "{} / {}",
                fmt_int(self.connect.connected),
                fmt_int(self.connect.failed)
            ),
        );
        row(
            "connect time",
            format!(
                "{} s ({} handshakes/s)",
                fmt_f(self.connect.secs, 2),
                fmt_f(self.connect.handshakes_per_sec, 0)
            ),
        );
        let d = &self.deliveries;
        row(
            "publishes (errors)",
            format!("{} ({})", fmt_int(d.publishes), d.publish_errors),
        );
        row(
            "delivered / expected",
            format!("{} / {}", fmt_int(d.received), fmt_int(d.expected)),
        );
        row("lost", fmt_int(d.lost));
        row("duplicates", fmt_int(d.duplicates));
        row("reconnects", fmt_int(d.reconnects));
        row("latency p50", opt_ms(self.latency.p50_ms));
        row("latency p99", opt_ms(self.latency.p99_ms));
        row("latency max", opt_ms(self.latency.max_ms));
        if let Some(m) = self.node.memory_per_connection_bytes {
            row(
                "node memory per connection",
                format!("{} B", fmt_int(m as u64)),
            );
        }
        if let Some(c) = self.node.cpu_ms_per_delivery {
            row(
                "node CPU per delivery",
                format!("{} µs", fmt_f(c * 1000.0, 2)),
            );
        }
        for f in &self.fanout {
            row(
                &format!(
                    "fan-out to {} ({} receivers)",
                    f.target,
                    fmt_int(f.receivers)
                ),
                format!(
                    "p50 {} · p99 {} · last {}",
                    opt_ms(f.latency.p50_ms),
                    opt_ms(f.latency.p99_ms),
                    opt_ms(f.latency.max_ms)
                ),
            );
        }
        for s in &self.throughput {
            row(
                &format!(
                    "offered {} deliveries/s",
                    fmt_int(s.offered_deliveries_per_sec as u64)
                ),
                format!(
                    "{} /s · p99 {} · lost {}{}",
                    fmt_int(s.deliveries_per_sec as u64),
                    opt_ms(s.p99_ms),
                    s.lost,
                    if !s.drained {
                        " · not drained"
                    } else if !s.sustained {
                        " · not sustained"
                    } else {
                        ""
                    }
                ),
            );
        }
        if let Some(v) = self.sustained_deliveries_per_sec {
            let limit = self
                .p99_limit_ms
                .map(|l| format!(" (0 lost, p99 ≤ {l} ms)"))
                .unwrap_or_default();
            row(&format!("sustained deliveries/s{limit}"), fmt_int(v as u64));
        }
        if let Some(j) = &self.jitter {
            row(
                "jitter cuts (connections)",
                format!("{} ({})", j.cuts, fmt_int(j.connections_cut)),
            );
            row("delivered ÷ expected", fmt_f(j.delivered_ratio, 6));
        }
        if let Some(a) = &self.avalanche {
            row(
                "failure",
                if a.failure == "kill" {
                    "node killed (SIGKILL)".to_string()
                } else {
                    "every connection cut".to_string()
                },
            );
            row("dropped at once", fmt_int(a.dropped));
            if let Some(s) = a.publishes_accepted_after_secs {
                row(
                    "publishes accepted again after",
                    format!("{} s", fmt_f(s, 2)),
                );
            }
            row("published while away", fmt_int(a.published_while_away));
            row(
                "all back after",
                a.back_secs.map_or("not within the bound".into(), |s| {
                    format!("{} s", fmt_f(s, 2))
                }),
            );
            row(
                "all caught up after",
                a.caught_up_secs.map_or("not within the bound".into(), |s| {
                    format!("{} s", fmt_f(s, 2))
                }),
            );
        }
        for (n, c) in &self.per_node {
            row(&format!("devices on {n}"), fmt_int(*c));
        }
        for (n, c) in &self.heartbeats {
            row(&format!("connections in {n}'s heartbeat"), fmt_int(*c));
        }
        let mut out = t.to_string();
        out.push('\n');
        if let Some(g) = &self.gateway {
            let mut gt = style.table(&["node", "observed", "heartbeat", "predicted (simulate)"]);
            for n in &g.nodes {
                gt.add_row(vec![
                    comfy_table::Cell::new(&n.node),
                    style.num(fmt_int(n.observed)),
                    style.num(n.heartbeat.map_or("—".into(), fmt_int)),
                    style.num(fmt_int(n.predicted)),
                ]);
            }
            out.push_str(&gt.to_string());
            out.push('\n');
            let verdict = format!(
                "most loaded node {} devices; plan's p99 of the most loaded node {}: {}; {} devices on another node than predicted",
                fmt_int(g.max_observed),
                fmt_int(g.plan_p99_max),
                if g.within_p99 { "inside the band" } else { "OUTSIDE the band" },
                fmt_int(g.mismatched)
            );
            out.push_str(&if g.within_p99 {
                style.good_line(&verdict)
            } else {
                style.warn_line(&verdict)
            });
            out.push('\n');
        }
        let verdict = if d.lost == 0 && self.connect.failed == 0 {
            style.good_line(&format!(
                "0 lost of {} expected deliveries",
                fmt_int(d.expected)
            ))
        } else {
            style.warn_line(&format!(
                "{} lost of {} expected deliveries, {} devices failed to connect{}",
                fmt_int(d.lost),
                fmt_int(d.expected),
                fmt_int(self.connect.failed),
                self.first_error
                    .as_ref()
                    .map(|e| format!(" (first error: {e})"))
                    .unwrap_or_default()
            ))
        };
        out.push_str(&verdict);
        out.push('\n');
        out
    }
}

/// An SVG chart: latency p50 / p99 (left axis, ms) and devices connected (right axis) over time.
pub fn chart_svg(r: &BenchReport) -> Result<String, String> {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let t_max = r
            .timeline
            .last()
            .map_or(1.0, |s| s.t_ms as f64 / 1000.0)
            .max(1.0);
        let lat_max = r
            .timeline
            .iter()
            .filter_map(|s| s.p99_ms)
            .fold(1.0f64, f64::max)
            * 1.1;
        let conn_max = r.devices.max(1) as f64 * 1.05;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("rtctl bench {} — {} devices", r.scenario, r.devices),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .right_y_label_area_size(64)
            .build_cartesian_2d(0f64..t_max, 0f64..lat_max)
            .map_err(|e| e.to_string())?
            .set_secondary_coord(0f64..t_max, 0f64..conn_max);
        chart
            .configure_mesh()
            .x_desc("seconds")
            .y_desc("latency (ms)")
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .configure_secondary_axes()
            .y_desc("devices connected")
            .draw()
            .map_err(|e| e.to_string())?;
        let pts = |f: &dyn Fn(&Sample) -> Option<f64>| -> Vec<(f64, f64)> {
            r.timeline
                .iter()
                .filter_map(|s| f(s).map(|v| (s.t_ms as f64 / 1000.0, v)))
                .collect()
        };
        chart
            .draw_series(LineSeries::new(pts(&|s| s.p50_ms), &BLUE))
            .map_err(|e| e.to_string())?
            .label("p50 latency")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLUE));
        chart
            .draw_series(LineSeries::new(pts(&|s| s.p99_ms), &RED))
            .map_err(|e| e.to_string())?
            .label("p99 latency")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RED));
        chart
            .draw_secondary_series(LineSeries::new(pts(&|s| Some(s.connected as f64)), &GREEN))
            .map_err(|e| e.to_string())?
            .label("connected")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], GREEN));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
