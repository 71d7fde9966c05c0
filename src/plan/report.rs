//! The plan report: the numbers computed in `calculate` (no prose), put into words in
//! `present`, rendered as text by `Report::human` (JSON: the report's serde form).

use serde::Serialize;

use super::{math, nodes_for, shares, spec_for, worst_failure, Sizing};
use crate::error::Result;
use crate::fleet::Fleet;
use crate::gateway::Algorithm;
use crate::output::{bar, fmt_f, fmt_int, Report, Style};

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
    pub calibration: Option<super::profile::Calibration>,
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

/// The plan's numbers, before any prose: what [`calculate`] finds for a fleet and a sizing.
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
        Some(super::Failure {
            down,
            shares: fsh,
            max_load,
        }) => {
            let failed_share: f64 = down.iter().map(|&i| sh[i]).sum();
            let (moved, moved_from_survivors) = if algorithm.is_consistent() {
                (failed_share, 0.0)
            } else {
                super::moved_by_sampling(fleet, &down)?
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
                crate::fleet::KeySource::Header(h) if h.contains('-') => Some(h),
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
            super::GUIDE_NAT_IP,
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
    report.against_the_guide = super::guide::check(fleet, &report);
    report
}

fn node_rows(nodes: &[crate::fleet::Node], sh: &[f64], n: u64, q: f64) -> Vec<NodeRow> {
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
    use proptest::prelude::*;

    use crate::fleet::default_fleet;
    use crate::plan::{plan, Sizing};

    fn sizing() -> Sizing {
        Sizing {
            percentile: 99.0,
            headroom: 0.2,
            failures: 1,
            outage_secs: 0.0,
            max_nodes: 64,
            explain: false,
        }
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
            let k_lo = plan(&f, &sizing()).unwrap().answer.nodes_needed.unwrap();
            f.workload.devices = hi;
            let k_hi = plan(&f, &sizing()).unwrap().answer.nodes_needed.unwrap();
            prop_assert!(k_lo <= k_hi, "{lo} devices need {k_lo}, {hi} need {k_hi}");
        }
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
