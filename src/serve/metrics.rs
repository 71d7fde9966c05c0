//! The node's Prometheus metrics, in the Prometheus text exposition format (0.0.4).
//!
//! Written by hand on purpose: a fixed, small set of atomics with no registry, no locks on the
//! hot path, and the classic text format that `promtool check metrics` and the guide's
//! dashboards read (prometheus-client emits OpenMetrics, whose counter naming differs).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

/// Events the node emits, for `socket_io_messages_sent_total{event_type}`.
pub const EVENT_TYPES: [&str; 4] = [
    "notification",
    "notification:direct",
    "notification:broadcast",
    "notification:gap",
];

/// Disconnect reasons, for `rtctl_disconnects_total{reason}`.
pub const DISCONNECT_REASONS: [&str; 11] = [
    "client namespace disconnect",
    "server namespace disconnect",
    "transport close",
    "transport error",
    "ping timeout",
    "parse error",
    "forced close",
    "server shutting down",
    "send queue full",
    "connect timeout",
    "other",
];

/// Publish targets, for `rtctl_publishes_total{target}`.
pub const TARGETS: [&str; 3] = ["department", "device", "all"];

#[derive(Debug, Default)]
pub struct Metrics {
    pub connections: AtomicI64,
    pub sent: [AtomicU64; EVENT_TYPES.len()],
    pub connects: AtomicU64,
    pub connect_errors: AtomicU64,
    pub disconnects: [AtomicU64; DISCONNECT_REASONS.len()],
    pub publishes: [AtomicU64; TARGETS.len()],
    pub publish_rejected: AtomicU64,
    pub deliveries: AtomicU64,
    /// Events received from devices.
    pub messages_in: AtomicU64,
    pub sockets_behind: AtomicI64,
    pub log_lag_ms: AtomicI64,
    pub redis_errors: AtomicU64,
    /// Devices that connected with an offset and were caught up from the log.
    pub recoveries: AtomicU64,
    /// Recovery `pid`s refused: not issued to the device that sent it, altered or expired.
    pub pids_refused: AtomicU64,
    /// Sockets whose send queue overflowed and were caught up from the log instead of losing
    /// notifications.
    pub overflow_catch_ups: AtomicU64,
    /// Notifications replayed from the log to reconnecting devices.
    pub replayed: AtomicU64,
    /// Recoveries whose gap was partly removed by retention (`notification:gap` sent).
    pub gaps: AtomicU64,
    /// Per-device backlog: how many notifications each catch-up replayed (histogram buckets
    /// `CATCH_UP_BUCKETS`, then +Inf), with their sum.
    pub catch_up_buckets: [AtomicU64; CATCH_UP_BUCKETS.len() + 1],
    pub catch_up_sum: AtomicU64,
}

/// Upper bounds of the per-device catch-up backlog histogram.
pub const CATCH_UP_BUCKETS: [u64; 6] = [0, 1, 10, 100, 1_000, 10_000];

fn index(list: &[&str], name: &str) -> usize {
    list.iter()
        .position(|x| *x == name)
        .unwrap_or(list.len() - 1)
}

impl Metrics {
    /// Record one device's catch-up backlog (notifications replayed to it).
    pub fn caught_up(&self, replayed: u64) {
        let i = CATCH_UP_BUCKETS
            .iter()
            .position(|b| replayed <= *b)
            .unwrap_or(CATCH_UP_BUCKETS.len());
        self.catch_up_buckets[i].fetch_add(1, Relaxed);
        self.catch_up_sum.fetch_add(replayed, Relaxed);
    }

    pub fn sent(&self, event_type: &str, n: u64) {
        if let Some(i) = EVENT_TYPES.iter().position(|x| *x == event_type) {
            self.sent[i].fetch_add(n, Relaxed);
        }
    }

    pub fn disconnected(&self, reason: &str) {
        self.disconnects[index(&DISCONNECT_REASONS, reason)].fetch_add(1, Relaxed);
    }

    pub fn published(&self, target: &str) {
        self.publishes[index(&TARGETS, target)].fetch_add(1, Relaxed);
    }

    /// The exposition text; `node` labels the connection gauge, `process` adds RSS and fds.
    pub fn render(&self, node: &str, process: Option<Process>) -> String {
        let mut o = String::with_capacity(4096);
        let node = escape(node);
        let mut family = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
            let _ = writeln!(o, "# HELP {name} {help}");
            let _ = writeln!(o, "# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(o, "{name}{labels} {value}");
            }
        };
        let one = |v: String| vec![(String::new(), v)];
        family(
            "socket_io_active_connections",
            "gauge",
            "Number of active Socket.IO connections",
            &[(
                format!("{{node=\"{node}\"}}"),
                self.connections.load(Relaxed).to_string(),
            )],
        );
        let sent: Vec<(String, String)> = EVENT_TYPES
            .iter()
            .zip(&self.sent)
            .map(|(t, v)| {
                (
                    format!("{{event_type=\"{t}\"}}"),
                    v.load(Relaxed).to_string(),
                )
            })
            .collect();
        family(
            "socket_io_messages_sent_total",
            "counter",
            "Total number of messages sent",
            &sent,
        );
        family(
            "rtctl_connects_total",
            "counter",
            "Devices that completed the Socket.IO CONNECT",
            &one(self.connects.load(Relaxed).to_string()),
        );
        family(
            "rtctl_connect_errors_total",
            "counter",
            "CONNECTs refused (missing or invalid identity, unknown namespace)",
            &one(self.connect_errors.load(Relaxed).to_string()),
        );
        let disc: Vec<(String, String)> = DISCONNECT_REASONS
            .iter()
            .zip(&self.disconnects)
            .map(|(r, v)| (format!("{{reason=\"{r}\"}}"), v.load(Relaxed).to_string()))
            .collect();
        family(
            "rtctl_disconnects_total",
            "counter",
            "Disconnected devices by reason",
            &disc,
        );
        let publ: Vec<(String, String)> = TARGETS
            .iter()
            .zip(&self.publishes)
            .map(|(t, v)| (format!("{{target=\"{t}\"}}"), v.load(Relaxed).to_string()))
            .collect();
        family(
            "rtctl_publishes_total",
            "counter",
            "Notifications accepted into the log by this node",
            &publ,
        );
        family(
            "rtctl_publish_rejected_total",
            "counter",
            "Publish requests refused (bad input, auth, log unavailable)",
            &one(self.publish_rejected.load(Relaxed).to_string()),
        );
        family(
            "rtctl_deliveries_total",
            "counter",
            "Packets written to device sockets",
            &one(self.deliveries.load(Relaxed).to_string()),
        );
        family(
            "rtctl_messages_received_total",
            "counter",
            "Events received from devices",
            &one(self.messages_in.load(Relaxed).to_string()),
        );
        family(
            "rtctl_sockets_behind",
            "gauge",
            "Sockets whose send queue was full and are being caught up from the log",
            &one(self.sockets_behind.load(Relaxed).to_string()),
        );
        family(
            "rtctl_log_lag_seconds",
            "gauge",
            "Age of the newest log entry when this node delivered it",
            &one(format!(
                "{:.3}",
                self.log_lag_ms.load(Relaxed) as f64 / 1000.0
            )),
        );
        family(
            "rtctl_recoveries_total",
            "counter",
            "Devices that reconnected with an offset and were caught up from the log",
            &one(self.recoveries.load(Relaxed).to_string()),
        );
        family(
            "rtctl_recovery_pids_refused_total",
            "counter",
            "Recovery pids refused: not issued to the device that sent it, altered or expired",
            &one(self.pids_refused.load(Relaxed).to_string()),
        );
        family(
            "rtctl_overflow_catch_ups_total",
            "counter",
            "Sockets whose send queue overflowed and were caught up from the log",
            &one(self.overflow_catch_ups.load(Relaxed).to_string()),
        );
        family(
            "rtctl_replayed_total",
            "counter",
            "Notifications replayed from the log (reconnects and overflowed sockets)",
            &one(self.replayed.load(Relaxed).to_string()),
        );
        family(
            "rtctl_gaps_total",
            "counter",
            "Recoveries whose gap was partly removed by retention",
            &one(self.gaps.load(Relaxed).to_string()),
        );
        let mut cumulative = 0;
        let mut hist: Vec<(String, String)> = Vec::new();
        for (i, n) in self.catch_up_buckets.iter().enumerate() {
            cumulative += n.load(Relaxed);
            let le = CATCH_UP_BUCKETS
                .get(i)
                .map_or("+Inf".to_string(), |b| b.to_string());
            hist.push((format!("_bucket{{le=\"{le}\"}}"), cumulative.to_string()));
        }
        hist.push(("_sum".into(), self.catch_up_sum.load(Relaxed).to_string()));
        hist.push(("_count".into(), cumulative.to_string()));
        family(
            "rtctl_catch_up_backlog",
            "histogram",
            "Notifications replayed to one device per catch-up (its backlog)",
            &hist,
        );
        family(
            "rtctl_redis_errors_total",
            "counter",
            "Failed Redis operations",
            &one(self.redis_errors.load(Relaxed).to_string()),
        );
        if let Some(p) = process {
            family(
                "process_resident_memory_bytes",
                "gauge",
                "Resident memory size in bytes",
                &one(p.rss_bytes.to_string()),
            );
            family(
                "process_open_fds",
                "gauge",
                "Number of open file descriptors",
                &one(p.open_fds.to_string()),
            );
        }
        o
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Process figures from /proc (Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Process {
    pub rss_bytes: u64,
    pub open_fds: u64,
}

impl Process {
    /// Read /proc/self; `None` where /proc is not available.
    pub fn read() -> Option<Process> {
        let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
        let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
        Some(Process {
            rss_bytes: pages * 4096,
            open_fds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_guides_metrics_with_labels() {
        let m = Metrics::default();
        m.connections.store(3, Relaxed);
        m.sent("notification:direct", 2);
        m.disconnected("ping timeout");
        m.disconnected("something else");
        m.published("device");
        let text = m.render(
            "node-\"1\"",
            Some(Process {
                rss_bytes: 10,
                open_fds: 5,
            }),
        );
        assert!(
            text.contains("socket_io_active_connections{node=\"node-\\\"1\\\"\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("socket_io_messages_sent_total{event_type=\"notification:direct\"} 2\n")
        );
        assert!(text.contains("rtctl_disconnects_total{reason=\"ping timeout\"} 1\n"));
        assert!(text.contains("rtctl_disconnects_total{reason=\"other\"} 1\n"));
        assert!(text.contains("rtctl_publishes_total{target=\"device\"} 1\n"));
        assert!(text.contains("process_open_fds 5\n"));
        m.caught_up(0);
        m.caught_up(7);
        let text = m.render("n", None);
        assert!(
            text.contains("rtctl_catch_up_backlog_bucket{le=\"0\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("rtctl_catch_up_backlog_bucket{le=\"10\"} 2\n"));
        assert!(text.contains("rtctl_catch_up_backlog_bucket{le=\"+Inf\"} 2\n"));
        assert!(text.contains("rtctl_catch_up_backlog_sum 7\n"));
        // Every sample belongs to a family declared just before it.
        let mut declared = std::collections::HashSet::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                declared.insert(rest.split_whitespace().next().unwrap().to_string());
            } else if !line.starts_with('#') {
                let name = line.split(['{', ' ']).next().unwrap();
                let base = ["_bucket", "_sum", "_count"]
                    .iter()
                    .find_map(|s| name.strip_suffix(s).filter(|b| declared.contains(*b)))
                    .unwrap_or(name);
                assert!(declared.contains(base), "{name} has no TYPE line");
            }
        }
    }

    #[test]
    fn process_figures_are_read_on_linux() {
        let p = Process::read().expect("/proc is mounted");
        assert!(p.rss_bytes > 0 && p.open_fds > 0);
    }
}
