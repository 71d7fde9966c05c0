//! `rtctl status`: `top`'s snapshot for scripts and monitoring, plus each node's
//! `/health/ready` over HTTP beside its heartbeat. Exit 0 when healthy, 6 (`Degraded`) when a
//! node is gone, missing, stale, draining, unexpected or not ready, 4 when Redis is
//! unreachable.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use crate::cli::{OutputFormat, StatusArgs};
use crate::error::{Error, Result};
use crate::output::{emit, Style};
use crate::top::state::{NodeState, Row};
use crate::top::table::{Readiness, Snapshot};
use crate::top::{snapshot, watch_from};

/// The address to ask for readiness: the heartbeat's listen address, unless it is a wildcard
/// (then the fleet file's address for that node, if any).
fn health_url(r: &Row, fleet: &[(String, String)]) -> Option<String> {
    let listen: Option<SocketAddr> = r.addr.parse().ok();
    let addr = match listen {
        Some(a) if !a.ip().is_unspecified() => a.to_string(),
        _ => fleet.iter().find(|(id, _)| id == &r.id)?.1.clone(),
    };
    Some(format!("http://{addr}/health/ready"))
}

async fn ready(client: &reqwest::Client, url: String) -> Readiness {
    match client.get(&url).send().await {
        Ok(res) => Readiness {
            ready: res.status().is_success(),
            detail: res.status().as_u16().to_string(),
        },
        Err(e) => Readiness {
            ready: false,
            detail: if e.is_timeout() {
                "timeout".into()
            } else if e.is_connect() {
                "refused".into()
            } else {
                "error".into()
            },
        },
    }
}

/// Why the fleet is not healthy, one phrase per node.
fn summary(s: &Snapshot) -> String {
    let mut why: Vec<String> = Vec::new();
    if let crate::top::state::RedisStatus::Down { error, .. } = &s.redis {
        why.push(format!("redis: {error}"));
    }
    if s.nodes.is_empty() {
        why.push(format!(
            "no node has written a heartbeat in namespace {}",
            s.namespace
        ));
    }
    for n in &s.nodes {
        if n.row.state != NodeState::Live {
            why.push(format!("{} {}", n.row.id, n.row.state.label()));
        }
        if let Some(r) = n.readiness.as_ref().filter(|r| !r.ready) {
            why.push(format!("{} not ready ({})", n.row.id, r.detail));
        }
    }
    why.join(", ")
}

pub fn run(
    args: &StatusArgs,
    format: OutputFormat,
    style: &Style,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    let w = watch_from(&args.watch)?;
    if !(args.timeout > 0.0 && args.timeout <= 600.0) {
        return Err(Error::flag(
            "--timeout",
            format!("expected seconds in (0, 600], got {}", args.timeout),
        ));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("tokio runtime: {e}")))?;
    let snap = rt.block_on(async {
        let st = snapshot(&w, 1, Duration::from_secs(1)).await?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs_f64(args.timeout))
            .build()
            .map_err(|e| Error::Internal(format!("http client: {e}")))?;
        let fleet: Vec<(String, String)> = w
            .expectation
            .as_ref()
            .map(|e| e.nodes.clone())
            .unwrap_or_default();
        let checks = st
            .rows
            .iter()
            .filter(|r| r.state.is_up())
            .filter_map(|r| Some((r.id.clone(), health_url(r, &fleet)?)))
            .map(|(id, url)| {
                let client = client.clone();
                async move { (id, ready(&client, url).await) }
            });
        let readiness: BTreeMap<String, Readiness> = futures_util::future::join_all(checks)
            .await
            .into_iter()
            .collect();
        Ok::<_, Error>(Snapshot::of(&st, &readiness))
    })?;
    emit(&snap, format, style, out)?;
    if snap.healthy {
        Ok(())
    } else {
        Err(Error::Degraded(summary(&snap)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::top::state::NodeState;

    fn row(id: &str, addr: &str) -> Row {
        let mut st = crate::top::state::State::new("default", None, 1000);
        let mut s = crate::heartbeat::FleetSample::default();
        s.index.push((id.into(), 0));
        let hb: crate::redis_schema::Heartbeat = serde_json::from_value(serde_json::json!({
            "node_id": id, "listen": addr, "version": "0", "at_ms": 0, "uptime_secs": 0,
            "connections": 0, "rooms": {}, "messages_in": 0, "messages_out": 0,
            "memory_bytes": 0, "sockets_behind": 0, "log_offset": "0-0", "draining": false
        }))
        .unwrap();
        s.heartbeats.insert(id.into(), hb);
        st.apply(s);
        assert_eq!(st.rows[0].state, NodeState::Live);
        st.rows[0].clone()
    }

    #[test]
    fn readiness_url_from_the_listen_address_or_the_fleet_file() {
        let fleet = vec![("a".to_string(), "10.0.0.1:3000".to_string())];
        assert_eq!(
            health_url(&row("a", "127.0.0.1:3101"), &fleet).as_deref(),
            Some("http://127.0.0.1:3101/health/ready")
        );
        assert_eq!(
            health_url(&row("a", "0.0.0.0:3000"), &fleet).as_deref(),
            Some("http://10.0.0.1:3000/health/ready")
        );
        assert_eq!(health_url(&row("b", "0.0.0.0:3000"), &fleet), None);
        assert_eq!(
            health_url(&row("c", "[::1]:3000"), &[]).as_deref(),
            Some("http://[::1]:3000/health/ready")
        );
    }
}
