//! Where the guide's figures differ from exact ones, computed for the plan's own inputs.

use super::math;
use super::model::PlanReport;
use crate::fleet::Fleet;
use crate::output::{fmt_f, fmt_int};

/// One sentence per point where the guide's model is off for these inputs.
pub(super) fn check(fleet: &Fleet, r: &PlanReport) -> Vec<String> {
    let mut out = Vec::new();
    let n = r.devices;
    let k = r.nodes;
    let d = &r.distribution;
    if k > 1 {
        let equal = math::node_load(n, 1.0 / k as f64);
        let (lo, hi) = d.nodes.iter().fold((f64::MAX, 0.0f64), |(lo, hi), x| {
            (lo.min(x.expected), hi.max(x.expected))
        });
        out.push(format!(
            "spread: the guide's sd sqrt(N/k) = {} overstates the binomial sd sqrt(N·(1/k)·(1−1/k)) = {}, but its N/k = {} per node ignores the ring: this {} ring gives {} to {} expected devices per node, a gap of {} sd",
            fmt_f(d.guide_sd, 1),
            fmt_f(equal.sd, 1),
            fmt_f(d.guide_expected, 0),
            r.gateway,
            fmt_f(lo, 0),
            fmt_f(hi, 0),
            fmt_f((hi - lo) / equal.sd.max(1e-9), 1)
        ));
        out.push(format!(
            "the guide's \"95% confidence: N/k ± 2·sqrt(N/k)\" = {} to {} is per node; the most loaded of {k} nodes reaches {} at p95 and {} at p99",
            fmt_f(d.guide_expected - 2.0 * d.guide_sd, 0),
            fmt_f(d.guide_expected + 2.0 * d.guide_sd, 0),
            fmt_int(d.max_node_p95),
            fmt_int(d.max_node_p99)
        ));
    }
    let c = &r.ceiling;
    if c.binding != "memory" {
        out.push(format!(
            "memory alone allows {} connections per node (the guide's \"theoretical\" figure), but {} binds first at {}",
            fmt_int(c.memory),
            c.binding,
            fmt_int(c.ceiling)
        ));
    }
    let per_core = 1000.0 / fleet.profile.cpu_ms_per_delivery;
    out.push(format!(
        "cpu: at {} ms per delivery one core delivers {} messages/s (the guide pairs 0.5 ms with an event loop that \"blocks at ~5,000 messages/s\", which would need 0.2 ms); a Node.js process in PM2 fork mode uses one core whatever the host has, and a broadcast to R devices is R deliveries",
        fmt_f(fleet.profile.cpu_ms_per_delivery, 3),
        fmt_int(per_core.round() as u64)
    ));
    out.push(format!(
        "a gateway in front of the nodes holds two descriptors per device (client and upstream): {} for {} devices, so its own fd limit matters as much as the nodes'",
        fmt_int(2 * n),
        fmt_int(n)
    ));
    out
}
