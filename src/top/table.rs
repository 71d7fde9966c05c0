//! The snapshot as a report: `top --once` (or off a terminal) and `rtctl status` print it as a
//! table or JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use super::fmt::{self, cells, HEADER};
use super::state::{clock, Alert, NodeState, RedisStatus, Row, State, Totals};
use crate::output::{fmt_int, Report, Style};

/// A node's `/health/ready` as `status` saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    pub ready: bool,
    /// HTTP status, or why there was none.
    pub detail: String,
}

/// One snapshot of the fleet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub namespace: String,
    pub at: String,
    pub at_ms: u64,
    #[serde(flatten)]
    pub redis: RedisStatus,
    pub gateway: Option<String>,
    pub planned_ceiling: Option<u64>,
    pub healthy: bool,
    pub nodes: Vec<NodeRow>,
    pub totals: Totals,
    /// Active alerts, newest first.
    pub alerts: Vec<Alert>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeRow {
    #[serde(flatten)]
    pub row: Row,
    /// `/health/ready` (status only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Readiness>,
}

impl Snapshot {
    /// The snapshot of a state, with readiness per node id when it was checked.
    pub fn of(st: &State, readiness: &BTreeMap<String, Readiness>) -> Snapshot {
        let nodes: Vec<NodeRow> = st
            .rows
            .iter()
            .map(|r| NodeRow {
                row: r.clone(),
                readiness: readiness.get(&r.id).cloned(),
            })
            .collect();
        let healthy = matches!(st.redis, RedisStatus::Up { .. })
            && !nodes.is_empty()
            && nodes.iter().all(|n| {
                !n.row.state.is_degraded() && n.readiness.as_ref().is_none_or(|r| r.ready)
            });
        Snapshot {
            namespace: st.namespace.clone(),
            at: clock(st.now_ms),
            at_ms: st.now_ms,
            redis: st.redis.clone(),
            gateway: st.expectation.as_ref().map(|e| e.gateway.clone()),
            planned_ceiling: st.expectation.as_ref().map(|e| e.ceiling),
            healthy,
            nodes,
            totals: st.totals.clone(),
            alerts: st.active_alerts().into_iter().cloned().collect(),
        }
    }
}

impl Report for Snapshot {
    fn human(&self, style: &Style) -> String {
        let with_ready = self.nodes.iter().any(|n| n.readiness.is_some());
        let mut header: Vec<&str> = HEADER.to_vec();
        if with_ready {
            header.insert(3, "ready");
        }
        let mut t = style.table(&header);
        for n in &self.nodes {
            let c = cells(&n.row);
            let mut row: Vec<comfy_table::Cell> = c
                .iter()
                .enumerate()
                .map(|(i, s)| match i {
                    2 if n.row.state != NodeState::Live => style.warn(s),
                    2 => style.good(s),
                    0..=2 | 17 => comfy_table::Cell::new(s),
                    _ => style.num(s),
                })
                .collect();
            if let Some(r) = &n.readiness {
                let cell = if r.ready {
                    style.good(&r.detail)
                } else {
                    style.warn(&r.detail)
                };
                row.insert(3, cell);
            } else if with_ready {
                row.insert(3, comfy_table::Cell::new(fmt::NONE));
            }
            t.add_row(row);
        }
        let tot = &self.totals;
        let mut total = vec![
            "total".to_string(),
            String::new(),
            format!("{}/{} up", tot.nodes_up, tot.nodes),
            fmt::count(tot.connections),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            fmt::rate(tot.in_per_sec),
            fmt::rate(tot.out_per_sec),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            fmt::bytes(tot.memory_bytes),
            String::new(),
            String::new(),
            String::new(),
        ];
        if with_ready {
            total.insert(3, String::new());
        }
        t.add_row(total.into_iter().enumerate().map(|(i, s)| {
            if i < 3 {
                comfy_table::Cell::new(s)
            } else {
                style.num(s)
            }
        }));
        let mut o = format!(
            "rtctl top · namespace {} · {} UTC · {}{}\n",
            self.namespace,
            self.at,
            match &self.redis {
                RedisStatus::Up { .. } => "redis up".to_string(),
                RedisStatus::Connecting => "redis: connecting".to_string(),
                RedisStatus::Down { error, .. } => format!("REDIS UNREACHABLE: {error}"),
            },
            self.gateway
                .as_ref()
                .map(|g| format!(
                    " · gateway {g} · planned ceiling {}/node",
                    fmt_int(self.planned_ceiling.unwrap_or(0))
                ))
                .unwrap_or_default()
        );
        o += &t.to_string();
        o.push('\n');
        o += &log_line(tot);
        o.push('\n');
        if self.alerts.is_empty() {
            o += &style.good_line("no alerts");
            o.push('\n');
        } else {
            for a in &self.alerts {
                let line = format!(
                    "{} {} {}",
                    clock(a.at_ms),
                    if a.node.is_empty() { "fleet" } else { &a.node },
                    a.message
                );
                o += &style.warn_line(&line);
                o.push('\n');
            }
        }
        o
    }
}

/// `log 1,234 entries (max 100,000) · oldest 3m12s (max 1d00h)`.
pub fn log_line(t: &Totals) -> String {
    format!(
        "log {} entries{} · oldest {}{}",
        fmt_int(t.log_length),
        if t.log_max_len > 0 {
            format!(" (max {})", fmt_int(t.log_max_len))
        } else {
            String::new()
        },
        t.log_age_secs
            .map_or_else(|| fmt::NONE.to_string(), |a| fmt::duration(a as u64)),
        if t.log_max_age_secs > 0 {
            format!(" (max {})", fmt::duration(t.log_max_age_secs))
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::top::testkit::{healthy, T0};

    #[test]
    fn snapshot_table_and_json() {
        let mut st = healthy(3);
        let snap = Snapshot::of(&st, &BTreeMap::new());
        assert!(snap.healthy);
        let text = snap.human(&Style::plain());
        insta::assert_snapshot!("snapshot_table_healthy", text);
        let json = serde_json::to_value(&snap).unwrap();
        assert_eq!(json["nodes"][0]["id"], "n1");
        assert_eq!(json["nodes"][0]["state"], "live");
        assert_eq!(json["redis"], "up");
        assert_eq!(json["healthy"], true);
        // Not ready: degraded.
        let ready: BTreeMap<String, Readiness> = [(
            "n2".to_string(),
            Readiness {
                ready: false,
                detail: "503".into(),
            },
        )]
        .into();
        assert!(!Snapshot::of(&st, &ready).healthy);
        st.apply_error(T0 + 10_000, "connection refused", 1000);
        let snap = Snapshot::of(&st, &BTreeMap::new());
        assert!(!snap.healthy);
        assert!(snap
            .human(&Style::plain())
            .contains("REDIS UNREACHABLE: connection refused"));
    }
}
