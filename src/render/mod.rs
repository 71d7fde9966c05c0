//! Gateway configs rendered from the fleet file: Kong 3.x declarative config, nginx and HAProxy.
//!
//! Pure: a validated [`Fleet`] plus [`Options`] in, a [`Rendered`] config (text plus warnings)
//! out; no file I/O. Every renderer refuses (with [`RenderError`], exit code 3) rather than emit
//! a config the real tool would reject or that would not be sticky. The rules come from
//! `shared/reference/gateway-hashing.md` §1, §3, §6 and §7; where they differ from the guide,
//! README.md "Where rtctl's configs differ from the guide, and why" says why.

pub mod haproxy;
pub mod kong;
pub mod nginx;
pub mod process;

use crate::fleet::{Fleet, GatewayKind, KeySource};

/// Socket.IO's default `pingTimeout`: an idle connection carries traffic at least every
/// `pingInterval`, and a dead one is noticed `pingTimeout` later.
pub const PING_TIMEOUT_SECS: f64 = 20.0;

/// The path every node answers 200 on while the process is alive (no Redis involved, so a
/// Redis blip does not mark every node unhealthy).
pub const HEALTH_PATH: &str = "/health/live";

/// The Socket.IO path the gateways route.
pub const SOCKET_IO_PATH: &str = "/socket.io";

/// What the renderers need besides the fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Idle timeout of proxied connections (WebSocket and long-polling), seconds.
    pub idle_timeout_secs: u32,
    /// nginx `listen` / HAProxy `bind` address.
    pub listen: String,
    /// Kong: the upstream (and service `host`) name.
    pub upstream: String,
    /// Kong: the version the config is for (overrides the fleet's `kong_version`).
    pub kong_version: Option<String>,
    /// Kong: JSON instead of YAML.
    pub json: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            idle_timeout_secs: 3600,
            listen: "0.0.0.0:8080".into(),
            upstream: "sio-fleet.internal".into(),
            kong_version: None,
            json: false,
        }
    }
}

/// A rendered config and what the operator should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    pub warnings: Vec<String>,
}

/// Why a fleet cannot be rendered. Each message names the field or flag to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RenderError {
    pub field: String,
    pub message: String,
}

impl RenderError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        RenderError {
            field: field.into(),
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, RenderError>;

/// The sticky key a rendered gateway hashes: a query argument first (browsers cannot send
/// headers on the WebSocket handshake), with an optional header fallback; or a header only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StickyKey {
    pub query: Option<String>,
    /// Lower-case header name as the client sends it (`x-device-id`).
    pub header: Option<String>,
}

/// The fleet's `sticky_keys` as a renderable key, or why they cannot be rendered.
pub fn sticky_key(fleet: &Fleet) -> Result<StickyKey> {
    let keys = &fleet.gateway.sticky_keys;
    let field = "gateway.sticky_keys";
    let shape = "render-* supports [\"query:NAME\", \"header:NAME\"] (recommended), [\"query:NAME\"] or [\"header:NAME\"]";
    match keys.as_slice() {
        [KeySource::Query(q), KeySource::Header(h)] => Ok(StickyKey {
            query: Some(q.clone()),
            header: Some(h.clone()),
        }),
        [KeySource::Query(q)] => Ok(StickyKey {
            query: Some(q.clone()),
            header: None,
        }),
        [KeySource::Header(h)] => Ok(StickyKey {
            query: None,
            header: Some(h.clone()),
        }),
        [] => Err(RenderError::new(field, format!("no key to hash; {shape}"))),
        other => {
            let why = if other.contains(&KeySource::Ip) {
                " (ip hashing sends every device behind one NAT to one node)"
            } else if other.iter().any(|k| matches!(k, KeySource::Cookie(_))) {
                " (a cookie reaches nginx/HAProxy only after the first response, and Kong OSS has no cookie stickiness for WebSockets)"
            } else {
                ""
            };
            let list: Vec<String> = other.iter().map(|k| k.to_string()).collect();
            Err(RenderError::new(
                field,
                format!("cannot render [{}]{why}; {shape}", list.join(", ")),
            ))
        }
    }
}

/// Warnings every renderer shares.
pub fn key_warnings(key: &StickyKey, gateway: GatewayKind) -> Vec<String> {
    let mut w = Vec::new();
    if key.query.is_none() {
        w.push(
            "the sticky key is a header only: browsers cannot send headers on the WebSocket handshake, so their upgrade lands on another node; put \"query:deviceId\" first in gateway.sticky_keys".to_string(),
        );
    }
    let unkeyed = match gateway {
        GatewayKind::Kong => "Kong hashes \"\" (every such request goes to one node)",
        _ => "the gateway falls back to round-robin (polling sessions break)",
    };
    if key.query.is_none() || key.header.is_none() {
        w.push(format!(
            "requests without the sticky key: {unkeyed}; clients should send the id in the query and in the header"
        ));
    }
    w
}

/// Refuse a render command that does not match the fleet's gateway kind.
pub fn check_kind(fleet: &Fleet, want: GatewayKind) -> Result<()> {
    if fleet.gateway.kind != want {
        return Err(RenderError::new(
            "gateway.kind",
            format!(
                "the fleet's gateway is {}, not {} (use render-{} or pass --gateway {})",
                fleet.gateway.kind.as_str(),
                want.as_str(),
                fleet.gateway.kind.as_str(),
                want.as_str()
            ),
        ));
    }
    Ok(())
}

/// Refuse idle timeouts that would cut healthy idle WebSockets.
pub fn check_idle_timeout(fleet: &Fleet, opts: &Options) -> Result<()> {
    let floor = fleet.workload.ping_interval_secs + PING_TIMEOUT_SECS;
    if f64::from(opts.idle_timeout_secs) <= floor {
        return Err(RenderError::new(
            "--idle-timeout-secs",
            format!(
                "{} s would cut idle sockets: it must be above pingInterval + pingTimeout ({} s + {} s)",
                opts.idle_timeout_secs, fleet.workload.ping_interval_secs, PING_TIMEOUT_SECS
            ),
        ));
    }
    Ok(())
}

/// `ADDR:PORT` with a literal IP (IPv6 in brackets) and a port in 1..=65535.
pub fn check_listen(listen: &str) -> Result<std::net::SocketAddr> {
    match listen.parse::<std::net::SocketAddr>() {
        Ok(a) if a.port() != 0 => Ok(a),
        _ => Err(RenderError::new(
            "--listen",
            format!("expected IP:PORT (port 1..=65535), got {listen:?}"),
        )),
    }
}

/// Render for a gateway kind.
pub fn render(kind: GatewayKind, fleet: &Fleet, opts: &Options) -> Result<Rendered> {
    match kind {
        GatewayKind::Kong => kong::render(fleet, opts),
        GatewayKind::Nginx => nginx::render(fleet, opts),
        GatewayKind::Haproxy => haproxy::render(fleet, opts),
    }
}

/// One-line comment-safe text (no newlines) for config headers.
pub(crate) fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
