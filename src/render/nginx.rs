//! nginx: a complete `nginx.conf` for `nginx -p DIR -c nginx.conf` (relative paths live under
//! DIR, so it runs unprivileged).
//!
//! The key is `map $arg_deviceId` with the header as fallback, hashed with
//! `hash $rtctl_key consistent;` (or `hash $rtctl_key;` / `ip_hash;` when the fleet says so);
//! `IP:PORT` server lines (a DNS name with several addresses acts like round-robin,
//! nginx/nginx#523); the WebSocket upgrade headers nginx 1.22 needs; idle timeouts above the
//! Socket.IO heartbeat; `proxy_next_upstream error timeout` so a dead node's devices move on.

use std::fmt::Write as _;

use super::{
    check_idle_timeout, check_kind, check_listen, comment_safe, key_warnings, sticky_key, Options,
    RenderError, Rendered, Result, SOCKET_IO_PATH,
};
use crate::fleet::{Fleet, GatewayKind, HashAlgorithm};

/// The upstream block's name.
pub const UPSTREAM: &str = "rtctl_nodes";

/// An nginx variable suffix: `$arg_NAME` / `$http_NAME` only parse `[A-Za-z0-9_]`.
fn var_name(field: &str, name: &str) -> Result<String> {
    if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(name.to_string())
    } else {
        Err(RenderError::new(
            field,
            format!("nginx cannot read the query argument {name:?} through $arg_ (only letters, digits and '_')"),
        ))
    }
}

/// Render the fleet as an nginx config.
pub fn render(fleet: &Fleet, opts: &Options) -> Result<Rendered> {
    check_kind(fleet, GatewayKind::Nginx)?;
    check_idle_timeout(fleet, opts)?;
    let listen = check_listen(&opts.listen)?;
    let mut warnings = Vec::new();
    // The model validates what nginx would (weights 1..=1000, addresses listed once).
    crate::gateway::build(&fleet.gateway_spec())
        .map_err(|e| RenderError::new("nodes", e.to_string()))?;

    let (key_map, balance) = match fleet.gateway.algorithm {
        HashAlgorithm::Consistent | HashAlgorithm::Hash => {
            let key = sticky_key(fleet)?;
            warnings.extend(key_warnings(&key, GatewayKind::Nginx));
            let header = key
                .header
                .as_ref()
                .map(|h| format!("$http_{}", h.to_ascii_lowercase().replace('-', "_")));
            let map = match (&key.query, &header) {
                (Some(q), Some(h)) => {
                    let q = var_name("gateway.sticky_keys", q)?;
                    format!(
                        "  # The query argument first (browsers cannot send headers on the WebSocket\n  # handshake), the header when the argument is absent or empty.\n  map $arg_{q} $rtctl_key {{ '' {h}; default $arg_{q}; }}\n"
                    )
                }
                (Some(q), None) => {
                    let q = var_name("gateway.sticky_keys", q)?;
                    format!("  # The query argument only (no header fallback).\n  map $arg_{q} $rtctl_key {{ default $arg_{q}; }}\n")
                }
                (None, Some(h)) => format!("  map {h} $rtctl_key {{ default {h}; }}\n"),
                (None, None) => unreachable!("sticky_key returns a query or a header"),
            };
            let consistent = if fleet.gateway.algorithm == HashAlgorithm::Consistent {
                " consistent"
            } else {
                warnings.push("gateway.algorithm = hash: adding or removing a node remaps most devices; \"consistent\" moves only that node's".into());
                ""
            };
            (map, format!("hash $rtctl_key{consistent};"))
        }
        HashAlgorithm::IpHash => {
            warnings.push("gateway.algorithm = ip-hash: every device behind one NAT lands on one node (ip_hash uses the first three octets only)".into());
            (String::new(), "ip_hash;".into())
        }
        HashAlgorithm::RoundRobin => {
            warnings.push("gateway.algorithm = round-robin is not sticky: polling sessions break unless every client uses transports: [\"websocket\"]".into());
            (String::new(), "# round-robin (not sticky)".into())
        }
        HashAlgorithm::Map => {
            return Err(RenderError::new(
                "gateway.algorithm",
                "map is not an nginx algorithm",
            ))
        }
    };

    let devices = fleet.workload.devices;
    // Each proxied socket holds two connections (client side and node side).
    let worker_connections = devices.saturating_mul(2).saturating_add(1024).max(4096);
    let secs = opts.idle_timeout_secs;
    let mut servers = String::new();
    for n in &fleet.nodes {
        let weight = n.weight.map(|w| format!(" weight={w}")).unwrap_or_default();
        let _ = writeln!(
            servers,
            "    server {}{weight};  # {}",
            n.addr(),
            comment_safe(&n.id)
        );
    }
    let text = format!(
        "# nginx config for {name}, rendered by rtctl.
# Run unprivileged: nginx -p DIR -e stderr -c nginx.conf -g 'daemon off;' (relative paths are under DIR).
# Requests without a key go round-robin: clients must send deviceId in the query.
pid nginx.pid;
worker_processes auto;
worker_rlimit_nofile {nofile};
events {{ worker_connections {worker_connections}; }}
http {{
  access_log off;
  client_body_temp_path tmp_body; proxy_temp_path tmp_proxy; fastcgi_temp_path tmp_fcgi; uwsgi_temp_path tmp_uwsgi; scgi_temp_path tmp_scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
{key_map}  upstream {UPSTREAM} {{
    {balance}
{servers}  }}
  server {{
    listen {listen};
    location {SOCKET_IO_PATH}/ {{
      proxy_pass http://{UPSTREAM};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_connect_timeout 5s;
      proxy_read_timeout {secs}s;
      proxy_send_timeout {secs}s;
      proxy_next_upstream error timeout;
    }}
  }}
}}\n",
        name = comment_safe(&fleet.name),
        nofile = worker_connections + 1024,
    );
    Ok(Rendered { text, warnings })
}
