//! The plan report: the numbers of `numbers::calculate` put into words in `present`,
//! rendered as text by `Report::human` (JSON: the report's serde form).

use super::guide;
use super::math;
use super::model::{
    Answer, CeilingReport, Distribution, FailureReport, PlanNumbers, PlanReport, ReconnectReport,
    Sizing, GUIDE_NAT_IP,
};
use crate::fleet::Fleet;
use crate::gateway::Algorithm;
use crate::output::{bar, fmt_f, fmt_int, Report, Style};

/// The report for these numbers: the figures, plus the warnings, the answer's reason, the
/// comparison with the guide and (with `explain`) the formulas, in words.
pub(super) fn present(fleet: &Fleet, s: &Sizing, m: &PlanNumbers) -> PlanReport {
    let p = &fleet.profile;
    let w = &fleet.workload;
    let n = w.devices;
    let k = fleet.nodes.len();
    let q = s.percentile / 100.0;
    let algorithm = fleet.algorithm();
    let c = &m.ceilings;
    let (ceiling, binding, capacity, r) = (m.ceiling, m.binding, m.capacity, m.rate);
    let mut warnings = Vec::new();
    let mut explain = Vec::new();

    explain.push(format!(
        "deliveries per connection r = broadcasts/s + department msgs/s ÷ departments + direct msgs/s ÷ devices + 1 ÷ pingInterval = {} + {} ÷ {} + {} ÷ {} + 1 ÷ {} = {}/s",
        fmt_f(w.broadcasts_per_minute / 60.0, 4),
        fmt_f(w.department_messages_per_minute / 60.0, 4),
        w.departments,
        fmt_f(w.direct_messages_per_minute / 60.0, 4),
        n,
        fmt_f(w.ping_interval_secs, 2),
        fmt_f(r, 4)
    ));
    explain.push(format!(
        "fd ceiling = fd_limit − fd_reserve = {} − {} = {}",
        p.fd_limit, p.fd_reserve, c.fd
    ));
    explain.push(format!(
        "memory ceiling = (memory − reserved) ÷ memory per connection = ({} − {}) ÷ {} = {}",
        p.memory, p.reserved_memory, p.memory_per_connection, c.memory
    ));
    explain.push(match c.cpu {
        Some(cpu) => format!(
            "cpu ceiling = cores × target × 1000 ms ÷ (r × ms per delivery) = {} × {} × 1000 ÷ ({} × {}) = {}",
            fmt_f(p.cpu_cores, 2),
            fmt_f(p.cpu_target, 2),
            fmt_f(r, 4),
            fmt_f(p.cpu_ms_per_delivery, 4),
            cpu
        ),
        None => "cpu ceiling: none (no deliveries)".into(),
    });
    explain.push(format!(
        "capacity = ceiling × (1 − headroom) = {} × (1 − {}) = {}",
        ceiling,
        fmt_f(s.headroom, 3),
        capacity
    ));
    if ceiling == 0 {
        warnings.push(format!(
            "the {binding} ceiling is 0: a node cannot hold a single device with this profile"
        ));
    }
    if binding == "fd" && p.fd_limit <= 4096 {
        warnings.push(format!(
            "fd limit {} (the Linux default soft limit is 1024) caps each node at {} devices although memory allows {}: raise LimitNOFILE / ulimit -n (rtctl serve raises its soft limit to the hard limit)",
            p.fd_limit,
            fmt_int(c.fd),
            fmt_int(c.memory)
        ));
    }

    let max_node = m.max_node;
    explain.push(format!(
        "per-node load X_i ~ Binomial(N = {n}, share_i) with share_i measured on the {algorithm} ring of these {k} nodes; sd_i = sqrt(N·share_i·(1 − share_i)); the guide's sqrt(N ÷ k) = {} ignores (1 − 1/k) and the ring's unequal shares",
        fmt_f(math::guide_sd(n, k), 2)
    ));
    explain.push(format!(
        "p{} of the most loaded node = smallest m with Σ_i P(X_i > m) ≤ {} (union bound; conservative) = {max_node}",
        fmt_f(s.percentile, 3),
        fmt_f(1.0 - q, 6)
    ));
    match algorithm {
        Algorithm::NginxIpHash => warnings.push(format!(
            "nginx ip_hash under NAT: every device arrives from {} so all {} go to one node; hash the device id instead",
            GUIDE_NAT_IP,
            fmt_int(n)
        )),
        Algorithm::RoundRobin => warnings.push(
            "round-robin is not sticky: Socket.IO long-polling sessions break (HTTP 400, unknown sid) unless clients use transports: [\"websocket\"]".into(),
        ),
        Algorithm::NginxHash | Algorithm::HaproxyMap => warnings.push(format!(
            "{algorithm} is modulo hashing: adding, removing or losing one node remaps most devices; use consistent hashing"
        )),
        _ => {}
    }
    let distribution = Distribution {
        nodes: m.rows.clone(),
        guide_expected: n as f64 / k as f64,
        guide_sd: math::guide_sd(n, k),
        max_node_load: max_node,
        max_node_p95: m.max_node_p95,
        max_node_p99: m.max_node_p99,
        fits_capacity: max_node <= capacity,
    };

    let failure = match &m.failure {
        Some(f) => {
            explain.push(format!(
                "failure: worst set of {} failed node(s) = the one maximising the survivors' p{} load; ring rebuilt with them marked down",
                s.failures,
                fmt_f(s.percentile, 3)
            ));
            Some(FailureReport {
                failed: f.down.iter().map(|&i| fleet.nodes[i].id.clone()).collect(),
                survivors: f.survivors.clone(),
                max_node_load: f.max_load,
                fits_ceiling: f.max_load <= ceiling,
                moved_fraction: f.moved,
                moved_from_survivors_fraction: f.moved_from_survivors,
            })
        }
        None => {
            if s.failures as usize >= k && s.failures > 0 {
                warnings.push(format!(
                    "{} failure(s) with {k} node(s) leaves no survivor",
                    s.failures
                ));
            }
            None
        }
    };

    let cl = &fleet.client;
    let storm = &m.storm;
    let storm_devices = max_node;
    explain.push(format!(
        "reconnect: attempt a waits min(delay × 2^a ± floor(rand × {} × delay × 2^a), {} ms) (socket.io-client Backoff), replayed for each of the {} devices with a seeded RNG; peak = busiest 100 ms window × 10",
        fmt_f(cl.randomization_factor, 2),
        fmt_f(cl.reconnection_delay_max_ms, 0),
        storm_devices
    ));
    if !cl.reconnection {
        warnings
            .push("client reconnection is off: a device whose node fails never comes back".into());
    }
    if storm.gave_up > 0 {
        warnings.push(format!(
            "reconnectionAttempts = {}: the client stops after ~{} s, before the {} s outage ends, so {} of {} devices give up for good and miss every notification until restarted; set reconnectionAttempts to Infinity (0 here)",
            cl.reconnection_attempts,
            fmt_f(storm.give_up_at_ms / 1000.0, 1),
            fmt_f(s.outage_secs, 1),
            fmt_int(storm.gave_up),
            fmt_int(storm_devices)
        ));
    }
    let reconnect = ReconnectReport {
        devices: storm_devices,
        outage_secs: s.outage_secs,
        reconnected: storm.reconnected,
        gave_up: storm.gave_up,
        peak_per_sec: storm.peak_per_sec,
        first_ms: storm.first_ms,
        last_ms: storm.last_ms,
        nominal_schedule_ms: m.schedule.clone(),
        gives_up_after_ms: m.gives_up_after_ms,
    };

    if let Some((v, h)) = &m.kong_dash_header {
        warnings.push(format!(
            "Kong {v} cannot hash on a header whose name contains '-' ({h}): it reads nil (Kong/kong#13063); write {} instead",
            h.replace('-', "_")
        ));
    }

    let reason = match m.nodes_needed {
        Some(needed) => format!(
            "{} node(s) keep the p{} most loaded node within {} ({}% headroom) and, after {} failure(s), within the ceiling {}",
            needed,
            fmt_f(s.percentile, 3),
            fmt_int(capacity),
            fmt_f(s.headroom * 100.0, 1),
            s.failures,
            fmt_int(ceiling)
        ),
        None => format!(
            "no node count up to {} fits (capacity per node {})",
            s.max_nodes,
            fmt_int(capacity)
        ),
    };
    explain.push(
        "nodes needed = smallest k ≥ max(failures + 1, ⌈N ÷ capacity⌉) whose own ring passes both checks (fleet nodes first, then 10.0.0.x:3000)".into(),
    );
    let mut report = PlanReport {
        fleet: fleet.name.clone(),
        devices: n,
        nodes: k,
        gateway: algorithm.to_string(),
        sizing: *s,
        ceiling: CeilingReport {
            fd: c.fd,
            memory: c.memory,
            cpu: c.cpu,
            ceiling,
            binding,
            capacity,
            deliveries_per_connection_per_sec: r,
            fleet_deliveries_per_sec: m.fleet_rate,
            broadcast_drain_ms_at_capacity: m.drain_ms,
        },
        distribution,
        failure,
        reconnect,
        answer: Answer {
            nodes_needed: m.nodes_needed,
            current_nodes: k,
            current_fits: m.current_fits,
            reason,
        },
        against_the_guide: Vec::new(),
        warnings,
        calibration: None,
        explain: if s.explain { explain } else { Vec::new() },
    };
    report.against_the_guide = guide::check(fleet, &report);
    report
}

impl Report for PlanReport {
    fn human(&self, st: &Style) -> String {
        let mut o = String::new();
        let pct = fmt_f(self.sizing.percentile, 3);
        o += &format!(
            "rtctl plan: {}: {} devices on {} node(s) behind {}\n\n",
            self.fleet,
            fmt_int(self.devices),
            self.nodes,
            self.gateway
        );
        if let Some(cal) = &self.calibration {
            o += &format!(
                "Node profile {} (rtctl {}, measured on {})\n  measured: {}\n  assumed:  {}\n\n",
                cal.file,
                cal.rtctl_version,
                cal.measured_on,
                cal.measured.join("; "),
                cal.assumed.join("; ")
            );
        }
        let c = &self.ceiling;
        o += "Per-node ceiling\n";
        let mut t = st.table(&["resource", "connections", ""]);
        for (name, v) in [
            ("fd", Some(c.fd)),
            ("memory", Some(c.memory)),
            ("cpu", c.cpu),
        ] {
            let mark = if name == c.binding { "◀ binding" } else { "" };
            t.add_row(vec![
                comfy_table::Cell::new(name),
                st.num(v.map_or("unbounded".into(), fmt_int)),
                if mark.is_empty() {
                    comfy_table::Cell::new("")
                } else {
                    st.warn(mark)
                },
            ]);
        }
        t.add_row(vec![
            comfy_table::Cell::new(format!(
                "capacity ({}% headroom)",
                fmt_f(self.sizing.headroom * 100.0, 1)
            )),
            st.num(fmt_int(c.capacity)),
            comfy_table::Cell::new(""),
        ]);
        o += &format!("{t}\n");
        o += &format!(
            "{} deliveries/s per device, {} fleet-wide; one broadcast to a full node takes {} ms of CPU\n\n",
            fmt_f(c.deliveries_per_connection_per_sec, 4),
            fmt_f(c.fleet_deliveries_per_sec, 1),
            fmt_f(c.broadcast_drain_ms_at_capacity, 1)
        );

        let d = &self.distribution;
        o += &format!(
            "Distribution: load ~ Binomial(N, ring share); the guide assumes {} ± {} per node\n",
            fmt_f(d.guide_expected, 1),
            fmt_f(d.guide_sd, 2)
        );
        let mut t = st.table(&[
            "node",
            "address",
            "share",
            "expected",
            "sd",
            &format!("p{pct}"),
            "",
        ]);
        let maxe = d.nodes.iter().map(|r| r.expected).fold(0.0, f64::max);
        for r in &d.nodes {
            t.add_row(vec![
                comfy_table::Cell::new(&r.id),
                comfy_table::Cell::new(&r.addr),
                st.num(format!("{:.4}", r.share)),
                st.num(fmt_f(r.expected, 1)),
                st.num(fmt_f(r.sd, 2)),
                st.num(fmt_int(r.percentile_load)),
                comfy_table::Cell::new(bar(r.expected, maxe, 20)),
            ]);
        }
        o += &format!("{t}\n");
        let verdict = if d.fits_capacity {
            st.good_line("fits")
        } else {
            st.warn_line("does NOT fit")
        };
        o += &format!(
            "Most loaded node: p95 {}, p99 {}, p{pct} {} devices; capacity {}: {verdict}\n\n",
            fmt_int(d.max_node_p95),
            fmt_int(d.max_node_p99),
            fmt_int(d.max_node_load),
            fmt_int(c.capacity)
        );

        if let Some(f) = &self.failure {
            o += &format!(
                "After {} failure(s), worst case: {} down\n",
                f.failed.len(),
                f.failed.join(", ")
            );
            let mut t = st.table(&["node", "share", "expected", &format!("p{pct}")]);
            for r in &f.survivors {
                t.add_row(vec![
                    comfy_table::Cell::new(&r.id),
                    st.num(format!("{:.4}", r.share)),
                    st.num(fmt_f(r.expected, 1)),
                    st.num(fmt_int(r.percentile_load)),
                ]);
            }
            o += &format!("{t}\n");
            let verdict = if f.fits_ceiling {
                st.good_line("fits")
            } else {
                st.warn_line("does NOT fit")
            };
            o += &format!(
                "Survivors' most loaded node at p{pct}: {} of ceiling {}: {verdict}; {}% of devices move ({}% from surviving nodes)\n\n",
                fmt_int(f.max_node_load),
                fmt_int(c.ceiling),
                fmt_f(f.moved_fraction * 100.0, 1),
                fmt_f(f.moved_from_survivors_fraction * 100.0, 1)
            );
        }

        let r = &self.reconnect;
        o += &format!(
            "Reconnect storm: {} devices of the most loaded node, {} s until they can connect elsewhere\n",
            fmt_int(r.devices),
            fmt_f(r.outage_secs, 1)
        );
        o += &format!(
            "  attempts at (nominal) {} ms{}\n",
            r.nominal_schedule_ms
                .iter()
                .map(|v| fmt_f(*v, 0))
                .collect::<Vec<_>>()
                .join(", "),
            match r.gives_up_after_ms {
                Some(ms) => format!("; gives up after {} s", fmt_f(ms / 1000.0, 1)),
                None => "; never gives up".into(),
            }
        );
        if r.reconnected > 0 {
            o += &format!(
                "  {} reconnect between {} and {} s, peak {} devices/s on the survivors\n",
                fmt_int(r.reconnected),
                fmt_f(r.first_ms / 1000.0, 2),
                fmt_f(r.last_ms / 1000.0, 2),
                fmt_int(r.peak_per_sec.round() as u64)
            );
        }
        if r.gave_up > 0 {
            o += &st.warn_line(&format!("  {} give up for good\n", fmt_int(r.gave_up)));
        }
        o += "\n";

        let a = &self.answer;
        o += &match a.nodes_needed {
            Some(m) => format!(
                "Answer: {m} node(s) needed; the fleet has {}. {}.\n",
                a.current_nodes, a.reason
            ),
            None => format!("Answer: {}.\n", a.reason),
        };
        if !self.against_the_guide.is_empty() {
            o += "\nAgainst the guide\n";
            for g in &self.against_the_guide {
                o += &format!("  • {g}\n");
            }
        }
        if !self.warnings.is_empty() {
            o += "\nWarnings\n";
            for w in &self.warnings {
                o += &st.warn_line(&format!("  ! {w}"));
                o += "\n";
            }
        }
        if !self.explain.is_empty() {
            o += "\nHow each number is computed\n";
            for e in &self.explain {
                o += &format!("  • {e}\n");
            }
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use crate::fleet::default_fleet;
    use crate::plan::{plan, Sizing};

    fn sizing() -> Sizing {
        Sizing::for_tests()
    }

    #[test]
    fn guide_fleet_report_is_consistent() {
        let r = plan(&default_fleet(), &sizing()).unwrap();
        let d = &r.distribution;
        assert!(d.max_node_p95 <= d.max_node_p99);
        assert_eq!(d.max_node_load, d.max_node_p99);
        let shares: f64 = d.nodes.iter().map(|n| n.share).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        let f = r.failure.as_ref().unwrap();
        assert_eq!(f.survivors.len(), 2);
        assert!(f.max_node_load > d.max_node_load);
        assert!(r
            .against_the_guide
            .iter()
            .any(|g| g.contains("sqrt(N/k) = 20")));
    }
}
