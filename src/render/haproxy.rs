//! HAProxy 2.6: copy a non-empty query `deviceId` into the `x-device-id` header, then
//! `balance hdr(x-device-id)` with exactly `hash-type consistent` (sdbm + avalanche), explicit
//! `id N` per server (the consistent tree is keyed by the id, so removing one server leaves
//! the others' devices where they are), `timeout tunnel` for WebSockets and active health
//! checks on `/health/live`.

use std::fmt::Write as _;

use super::{
    check_idle_timeout, check_kind, check_listen, comment_safe, key_warnings, sticky_key, Options,
    RenderError, Rendered, Result, HEALTH_PATH, PING_TIMEOUT_SECS,
};
use crate::fleet::{Fleet, GatewayKind, HashAlgorithm};
use crate::gateway::haproxy::assign_ids;

/// The backend's name.
pub const BACKEND: &str = "rtctl_nodes";
/// The internal header used when the fleet hashes a query argument with no header fallback.
pub const KEY_HEADER: &str = "x-rtctl-key";

fn url_param_name(name: &str) -> Result<&str> {
    if name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(name)
    } else {
        Err(RenderError::new(
            "gateway.sticky_keys",
            format!("{name:?}: expected [A-Za-z0-9_-]"),
        ))
    }
}

/// Render the fleet as an HAProxy config.
pub fn render(fleet: &Fleet, opts: &Options) -> Result<Rendered> {
    check_kind(fleet, GatewayKind::Haproxy)?;
    check_idle_timeout(fleet, opts)?;
    let listen = check_listen(&opts.listen)?;
    let mut warnings = Vec::new();
    let spec = fleet.gateway_spec();
    crate::gateway::build(&spec).map_err(|e| RenderError::new("nodes", e.to_string()))?;
    let ids = assign_ids(&spec.targets).map_err(|e| RenderError::new("nodes", e.to_string()))?;
    for (i, n) in fleet.nodes.iter().enumerate() {
        let ok =
            n.id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        if !ok {
            return Err(RenderError::new(
                format!("nodes[{i}].id"),
                format!(
                    "{:?} is not a valid HAProxy server name (letters, digits, '-', '_', '.', ':')",
                    n.id
                ),
            ));
        }
    }
    if fleet.nodes.iter().any(|n| n.haproxy_id.is_none()) {
        warnings.push("nodes without haproxy_id get their position as server id: removing an earlier node then renumbers later ones and moves their devices; pin haproxy_id in the fleet file".into());
    }

    let mut rules = String::new();
    match fleet.gateway.algorithm {
        HashAlgorithm::Consistent | HashAlgorithm::Map => {
            let key = sticky_key(fleet)?;
            warnings.extend(key_warnings(&key, GatewayKind::Haproxy));
            let header = match (&key.query, &key.header) {
                (Some(q), h) => {
                    let q = url_param_name(q)?;
                    let (h, comment) = match h {
                        Some(h) => (
                            h.clone(),
                            "  # The query argument wins (browsers cannot send headers on the WebSocket handshake);\n  # an absent or empty one leaves the client's header as the key.",
                        ),
                        None => {
                            // A client-sent header of that name must not become the key.
                            let _ = writeln!(rules, "  http-request del-header {KEY_HEADER}");
                            (
                                KEY_HEADER.to_string(),
                                "  # The query argument only (no header fallback), copied into an internal header.",
                            )
                        }
                    };
                    let _ = writeln!(
                        rules,
                        "{comment}\n  http-request set-header {h} %[url_param({q})] if {{ urlp_len({q}) gt 0 }}"
                    );
                    h
                }
                (None, Some(h)) => h.clone(),
                (None, None) => unreachable!("sticky_key returns a query or a header"),
            };
            let _ = writeln!(rules, "  balance hdr({header})");
            if fleet.gateway.algorithm == HashAlgorithm::Consistent {
                let _ = writeln!(
                    rules,
                    "  hash-type consistent  # sdbm + avalanche; nodes keyed by server id"
                );
            } else {
                warnings.push("gateway.algorithm = map: any node going up or down remaps most devices; \"consistent\" moves only that node's".into());
                let _ = writeln!(rules, "  hash-type map-based");
            }
        }
        HashAlgorithm::RoundRobin => {
            warnings.push("gateway.algorithm = round-robin is not sticky: polling sessions break unless every client uses transports: [\"websocket\"]".into());
            let _ = writeln!(rules, "  balance roundrobin");
        }
        other => {
            return Err(RenderError::new(
                "gateway.algorithm",
                format!("{} is not an HAProxy algorithm", other.as_str()),
            ))
        }
    }

    // A long-polling GET is held for up to pingInterval: the HTTP timeouts must outlast it.
    let http_timeout = (fleet.workload.ping_interval_secs + PING_TIMEOUT_SECS + 15.0)
        .ceil()
        .max(60.0) as u64;
    let maxconn = fleet
        .workload
        .devices
        .saturating_mul(2)
        .saturating_add(1024)
        .max(4096);
    let mut servers = String::new();
    for (n, id) in fleet.nodes.iter().zip(&ids) {
        let weight = n.weight.map(|w| format!(" weight {w}")).unwrap_or_default();
        let _ = writeln!(
            servers,
            "  server {} {} id {id}{weight} check",
            n.id,
            n.addr()
        );
    }
    let text = format!(
        "# HAProxy config for {name}, rendered by rtctl.
# Check: haproxy -c -f haproxy.cfg   Run: haproxy -db -f haproxy.cfg
# Requests without a key go round-robin: clients must send deviceId in the query.
global
  maxconn {maxconn}

defaults
  mode http
  timeout connect 5s
  timeout http-request 10s
  timeout client {http_timeout}s
  timeout server {http_timeout}s
  timeout tunnel {secs}s

frontend socketio
  bind {listen}
  default_backend {BACKEND}

backend {BACKEND}
{rules}  option httpchk
  http-check send meth GET uri {HEALTH_PATH}
  http-check expect status 200
  default-server inter 2s fall 3 rise 2
{servers}",
        name = comment_safe(&fleet.name),
        secs = opts.idle_timeout_secs,
    );
    Ok(Rendered { text, warnings })
}
