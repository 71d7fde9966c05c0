//! Kong 3.x declarative config (`_format_version: "3.0"`), YAML or JSON.
//!
//! One upstream with its targets nested (declaring an upstream twice is a uniqueness
//! violation), `consistent-hashing` on the query argument with the header as fallback
//! (`x_device_id`: Kong 3.8–3.9 cannot hash a header name containing `-`), `slots` checked
//! by replaying Kong's ring build, active health checks on `/health/live` with non-zero
//! unhealthy counters (0 disables them), an OSS `http` service whose `host` is the upstream
//! name, long read/write timeouts, and a `/socket.io` route with `strip_path: false`.

use std::fmt::Write as _;

use super::{
    check_idle_timeout, check_kind, comment_safe, key_warnings, sticky_key, Options, RenderError,
    Rendered, Result, HEALTH_PATH, SOCKET_IO_PATH,
};
use crate::fleet::{Fleet, GatewayKind, HashAlgorithm};
use crate::gateway::{kong as model, GatewayError};

/// The service and route names (unique per entity type).
pub const SERVICE_NAME: &str = "socketio";
pub const ROUTE_NAME: &str = "socketio";

/// A value of the (small, fixed) document: an ordered tree emitted as YAML or JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<Doc>),
    Map(Vec<(&'static str, Doc)>),
}

fn s(v: impl Into<String>) -> Doc {
    Doc::Str(v.into())
}

fn i(v: impl Into<i64>) -> Doc {
    Doc::Int(v.into())
}

fn ints(v: &[i64]) -> Doc {
    Doc::List(v.iter().map(|&x| Doc::Int(x)).collect())
}

/// The Kong version a config is for: 3.x only (`_format_version: "3.0"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KongVersion {
    pub minor: u32,
}

impl KongVersion {
    pub fn parse(v: &str) -> Result<KongVersion> {
        let bad = || {
            RenderError::new(
                "--kong-version",
                format!("expected a Kong 3.x version such as 3.9 or 3.9.3, got {v:?} (rtctl renders _format_version \"3.0\", which Kong 2.x does not read)"),
            )
        };
        let mut parts = v.trim().split('.');
        let major: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor: u32 = match parts.next() {
            Some(p) => p.parse().map_err(|_| bad())?,
            None => 0,
        };
        if let Some(p) = parts.next() {
            p.parse::<u32>().map_err(|_| bad())?;
        }
        if major != 3 || parts.next().is_some() {
            return Err(bad());
        }
        Ok(KongVersion { minor })
    }

    /// Kong 3.8.0–3.9.x read a hash header through `$http_<name>` with the name as written,
    /// so a name containing `-` is never found (Kong/kong#13063, fixed after 3.9 by #14118).
    pub fn dash_header_broken(self) -> bool {
        matches!(self.minor, 8 | 9)
    }
}

/// A header name as Kong hashes it on every 3.x: lower-case, `-` written as `_`.
pub fn kong_header(name: &str) -> String {
    name.to_ascii_lowercase().replace('-', "_")
}

/// A valid upstream name: a hostname (not an IP, no port), as Kong's schema requires.
pub fn check_upstream_name(name: &str) -> Result<()> {
    let bad = |why: &str| {
        RenderError::new(
            "--upstream",
            format!("{name:?} is not a valid upstream name: {why}"),
        )
    };
    if name.is_empty() || name.len() > 253 {
        return Err(bad("expected 1 to 253 characters"));
    }
    if name.parse::<std::net::IpAddr>().is_ok()
        || name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return Err(bad("an IP address; Kong needs a hostname"));
    }
    for label in name.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(bad(
                "expected dot-separated labels of a-z, 0-9 and '-' (no port)",
            ));
        }
    }
    Ok(())
}

/// The declarative config as a document, plus warnings.
pub fn document(fleet: &Fleet, opts: &Options) -> Result<(Doc, Vec<String>)> {
    check_kind(fleet, GatewayKind::Kong)?;
    check_idle_timeout(fleet, opts)?;
    check_upstream_name(&opts.upstream)?;
    // Validated here; the rendered config is the same on every 3.x because the header is
    // written with '_' (see `KongVersion::dash_header_broken`).
    let _version = match opts
        .kong_version
        .as_deref()
        .or(fleet.gateway.kong_version.as_deref())
    {
        Some(v) => Some(KongVersion::parse(v).map_err(|mut e| {
            if opts.kong_version.is_none() {
                e.field = "gateway.kong_version".into();
            }
            e
        })?),
        None => None,
    };
    let mut warnings = Vec::new();
    let sticky = fleet.gateway.algorithm != HashAlgorithm::RoundRobin;
    let mut upstream: Vec<(&'static str, Doc)> = vec![("name", s(&opts.upstream))];
    if sticky {
        let key = sticky_key(fleet)?;
        warnings.extend(key_warnings(&key, GatewayKind::Kong));
        upstream.push(("algorithm", s("consistent-hashing")));
        match (&key.query, &key.header) {
            (Some(q), h) => {
                upstream.push(("hash_on", s("query_arg")));
                upstream.push(("hash_on_query_arg", s(q)));
                if let Some(h) = h {
                    upstream.push(("hash_fallback", s("header")));
                    upstream.push(("hash_fallback_header", s(kong_header(h))));
                } else {
                    upstream.push(("hash_fallback", s("none")));
                }
            }
            (None, Some(h)) => {
                upstream.push(("hash_on", s("header")));
                upstream.push(("hash_on_header", s(kong_header(h))));
                upstream.push(("hash_fallback", s("none")));
            }
            (None, None) => unreachable!("sticky_key returns a query or a header"),
        }
        // Replay Kong's ring build: refuse slots that abort it (every request would get 503).
        let spec = fleet.gateway_spec();
        match model::KongBalancer::new(&spec) {
            Ok(b) => {
                let suggested = model::suggest_slots(&spec).unwrap_or(model::MAX_SLOTS);
                if fleet.gateway.slots < suggested && b.collisions() > 0 {
                    warnings.push(format!(
                        "gateway.slots = {}: the ring is crowded ({} collisions); {} leaves room to add targets",
                        fleet.gateway.slots,
                        b.collisions(),
                        suggested
                    ));
                }
            }
            Err(e @ GatewayError::RingOverflow { .. }) => {
                return Err(RenderError::new("gateway.slots", e.to_string()));
            }
            Err(e) => return Err(RenderError::new("nodes", e.to_string())),
        }
    } else {
        warnings.push("gateway.algorithm = round-robin is not sticky: polling sessions break unless every client uses transports: [\"websocket\"]".into());
        upstream.push(("algorithm", s("round-robin")));
    }
    upstream.push(("slots", i(fleet.gateway.slots)));
    upstream.push((
        "healthchecks",
        Doc::Map(vec![
            ("threshold", i(0)),
            (
                "active",
                Doc::Map(vec![
                    ("type", s("http")),
                    ("http_path", s(HEALTH_PATH)),
                    ("timeout", i(2)),
                    ("concurrency", i(10)),
                    (
                        "healthy",
                        Doc::Map(vec![
                            ("interval", i(5)),
                            ("successes", i(2)),
                            ("http_statuses", ints(&[200])),
                        ]),
                    ),
                    (
                        "unhealthy",
                        Doc::Map(vec![
                            ("interval", i(5)),
                            ("http_failures", i(3)),
                            ("tcp_failures", i(3)),
                            ("timeouts", i(3)),
                            (
                                "http_statuses",
                                ints(&[429, 404, 500, 501, 502, 503, 504, 505]),
                            ),
                        ]),
                    ),
                ]),
            ),
        ]),
    ));
    let targets = fleet
        .nodes
        .iter()
        .map(|n| {
            Doc::Map(vec![
                ("target", s(n.addr())),
                ("weight", i(n.weight.unwrap_or(100))),
                ("tags", Doc::List(vec![s(format!("node:{}", n.id))])),
            ])
        })
        .collect();
    upstream.push(("targets", Doc::List(targets)));
    let timeout_ms = i64::from(opts.idle_timeout_secs) * 1000;
    let service = Doc::Map(vec![
        ("name", s(SERVICE_NAME)),
        ("protocol", s("http")),
        ("host", s(&opts.upstream)),
        ("retries", i(5)),
        ("connect_timeout", i(5000)),
        ("read_timeout", i(timeout_ms)),
        ("write_timeout", i(timeout_ms)),
        (
            "routes",
            Doc::List(vec![Doc::Map(vec![
                ("name", s(ROUTE_NAME)),
                ("protocols", Doc::List(vec![s("http"), s("https")])),
                ("paths", Doc::List(vec![s(SOCKET_IO_PATH)])),
                ("strip_path", Doc::Bool(false)),
            ])]),
        ),
    ]);
    let doc = Doc::Map(vec![
        ("_format_version", s("3.0")),
        ("upstreams", Doc::List(vec![Doc::Map(upstream)])),
        ("services", Doc::List(vec![service])),
    ]);
    Ok((doc, warnings))
}

/// Render the fleet as a Kong declarative config.
pub fn render(fleet: &Fleet, opts: &Options) -> Result<Rendered> {
    let (doc, warnings) = document(fleet, opts)?;
    let text = if opts.json {
        let mut out = String::new();
        json(&doc, 0, &mut out);
        out.push('\n');
        out
    } else {
        let version = opts
            .kong_version
            .as_deref()
            .or(fleet.gateway.kong_version.as_deref())
            .unwrap_or("3.x");
        let mut out = format!(
            "# Kong declarative config for {}, rendered by rtctl for Kong {}. Load with\n# `kong config db_import` or KONG_DECLARATIVE_CONFIG (DB-less).\n# The hash header is written x_device_id: Kong 3.8-3.9 ignore a hash header whose name contains '-'.\n",
            comment_safe(&fleet.name),
            comment_safe(version)
        );
        yaml_map_entries(&doc, 0, &mut out);
        out
    };
    Ok(Rendered { text, warnings })
}

/// A double-quoted scalar (JSON string syntax is valid YAML double-quoted syntax).
fn quoted(v: &str) -> String {
    serde_json::to_string(v).expect("strings serialise")
}

fn scalar(d: &Doc) -> Option<String> {
    match d {
        Doc::Str(v) => Some(quoted(v)),
        Doc::Int(v) => Some(v.to_string()),
        Doc::Bool(v) => Some(v.to_string()),
        _ => None,
    }
}

/// `key: value` lines of a map at `indent` spaces.
fn yaml_map_entries(d: &Doc, indent: usize, out: &mut String) {
    let Doc::Map(entries) = d else { return };
    for (k, v) in entries {
        let pad = " ".repeat(indent);
        yaml_entry(&pad, k, v, indent, out);
    }
}

fn yaml_entry(pad: &str, k: &str, v: &Doc, indent: usize, out: &mut String) {
    match v {
        Doc::Map(_) => {
            let _ = writeln!(out, "{pad}{k}:");
            yaml_map_entries(v, indent + 2, out);
        }
        Doc::List(items) if items.iter().all(|x| scalar(x).is_some()) => {
            let parts: Vec<String> = items.iter().filter_map(scalar).collect();
            let _ = writeln!(out, "{pad}{k}: [{}]", parts.join(", "));
        }
        Doc::List(items) => {
            let _ = writeln!(out, "{pad}{k}:");
            for item in items {
                yaml_list_item(item, indent, out);
            }
        }
        _ => {
            let _ = writeln!(out, "{pad}{k}: {}", scalar(v).expect("scalar"));
        }
    }
}

/// `- ` item of a block list at `indent` (maps continue at `indent + 2`).
fn yaml_list_item(d: &Doc, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match d {
        Doc::Map(entries) => {
            for (n, (k, v)) in entries.iter().enumerate() {
                let lead = if n == 0 {
                    format!("{pad}- ")
                } else {
                    " ".repeat(indent + 2)
                };
                yaml_entry(&lead, k, v, indent + 2, out);
            }
        }
        other => {
            let _ = writeln!(out, "{pad}- {}", scalar(other).unwrap_or_default());
        }
    }
}

/// Pretty JSON, two-space indent, keys in document order.
fn json(d: &Doc, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent + 2);
    match d {
        Doc::Map(entries) => {
            out.push_str("{\n");
            for (n, (k, v)) in entries.iter().enumerate() {
                let _ = write!(out, "{pad}{}: ", quoted(k));
                json(v, indent + 2, out);
                out.push_str(if n + 1 < entries.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}}}", " ".repeat(indent));
        }
        Doc::List(items) => {
            out.push_str("[\n");
            for (n, v) in items.iter().enumerate() {
                out.push_str(&pad);
                json(v, indent + 2, out);
                out.push_str(if n + 1 < items.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}]", " ".repeat(indent));
        }
        other => out.push_str(&scalar(other).expect("scalar")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(KongVersion::parse("3.9").unwrap().dash_header_broken());
        assert!(KongVersion::parse("3.8.0").unwrap().dash_header_broken());
        assert!(!KongVersion::parse("3.7.1").unwrap().dash_header_broken());
        assert!(!KongVersion::parse("3.10").unwrap().dash_header_broken());
        assert!(KongVersion::parse("2.8").is_err());
        assert!(KongVersion::parse("3.x").is_err());
        assert!(KongVersion::parse("3.9.3.1").is_err());
    }

    #[test]
    fn header_names_work_on_every_3x() {
        assert_eq!(kong_header("X-Device-Id"), "x_device_id");
    }

    #[test]
    fn upstream_names() {
        assert!(check_upstream_name("sio-fleet.internal").is_ok());
        assert!(check_upstream_name("10.0.0.1").is_err());
        assert!(check_upstream_name("a:80").is_err());
        assert!(check_upstream_name("-a").is_err());
        assert!(check_upstream_name("").is_err());
    }
}
