//! The device registry's HTTP endpoints (README "Device registry"):
//!
//! - `POST /api/v1/devices/register`: a device registers itself (the guide's client body);
//!   with `--auth jwt` it proves who it is with its device token (`Authorization: Bearer`).
//!   201 with the record when new, 200 when updated.
//! - `GET /api/v1/devices?department=D&online=true|false` and `GET /api/v1/devices/{id}`:
//!   records with `online` and the `node` each is connected to; behind the node's API key.
//! - `DELETE /api/v1/devices/{id}`: decommission a device (its record and its department
//!   entry), behind a `publish`-scope key; 200 with the removed record, 404 when unknown.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::api::{authorize, error, is_json_media_type, NodeState, MAX_BODY_DEPTH};
use super::identity::{check_id, token_keys};
use super::redis_conn::Conn;
use super::registry::{
    check_user, fleet_online, parse_registration, views, Filter, LocalDevices, Registry,
    RegistryError,
};
use crate::engine::ClientIp;
use crate::redis_schema::Keys;

/// Largest accepted registration body, in bytes.
pub const MAX_REGISTER_BODY: usize = 16 * 1024;

/// What the registry endpoints need from the node.
pub struct Devices {
    /// `None`: the node runs with neither `--redis` nor `--data-dir`.
    pub registry: Option<Arc<Registry>>,
    /// The devices connected to this node now.
    pub local: LocalDevices,
    /// The fleet's Redis, where every node publishes its connected devices.
    pub fleet: Option<(Conn, Keys)>,
    /// Registrations by outcome (rendered at `/metrics`).
    pub metrics: RegistryMetrics,
}

/// `rtctl_device_registrations_total{result}`.
#[derive(Debug, Default)]
pub struct RegistryMetrics {
    created: AtomicU64,
    updated: AtomicU64,
    refused: AtomicU64,
    unavailable: AtomicU64,
}

impl RegistryMetrics {
    fn count(&self, status: StatusCode) {
        let c = match status {
            StatusCode::CREATED => &self.created,
            StatusCode::OK => &self.updated,
            StatusCode::SERVICE_UNAVAILABLE => &self.unavailable,
            _ => &self.refused,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus text.
    pub fn render(&self, o: &mut String) {
        use std::fmt::Write;
        let _ = writeln!(
            o,
            "# HELP rtctl_device_registrations_total POST /api/v1/devices/register by result: created (201), updated (200), refused (4xx), unavailable (503: no registry, or Redis / disk failed)"
        );
        let _ = writeln!(o, "# TYPE rtctl_device_registrations_total counter");
        for (result, v) in [
            ("created", &self.created),
            ("updated", &self.updated),
            ("refused", &self.refused),
            ("unavailable", &self.unavailable),
        ] {
            let _ = writeln!(
                o,
                "rtctl_device_registrations_total{{result=\"{result}\"}} {}",
                v.load(Ordering::Relaxed)
            );
        }
    }
}

const NO_REGISTRY: &str = "this node has no device registry: start it with --data-dir DIR (embedded, on disk) or --redis URL (shared by the fleet)";

fn registry(st: &NodeState) -> Option<Arc<Registry>> {
    st.devices.as_ref().and_then(|d| d.registry.clone())
}

fn no_registry() -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, NO_REGISTRY, None)
}

fn unavailable(st: &NodeState, e: &dyn std::fmt::Display) -> Response {
    st.metrics.redis_errors.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(cause = %e, "device registry unavailable");
    let mut r = error(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("not stored: {e}"),
        None,
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn unauthorized(message: String) -> Response {
    let mut r = error(StatusCode::UNAUTHORIZED, message, Some("Authorization"));
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

pub async fn register(State(st): State<Arc<NodeState>>, req: Request) -> Response {
    let r = register_inner(&st, req).await;
    if let Some(d) = &st.devices {
        d.metrics.count(r.status());
    }
    r
}

async fn register_inner(st: &Arc<NodeState>, req: Request) -> Response {
    let Some(reg_store) = registry(st) else {
        return no_registry();
    };
    let (parts, body): (_, Body) = req.into_parts();
    let headers = &parts.headers;
    let ip = parts.extensions.get::<ClientIp>().map(|c| c.0);
    let content_type = headers.get(header::CONTENT_TYPE);
    if !content_type.is_some_and(|v| is_json_media_type(v.as_bytes())) {
        let got = content_type.map_or("none".into(), |v| {
            String::from_utf8_lossy(v.as_bytes()).into_owned()
        });
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected Content-Type: application/json, got {got:?}"),
            Some("Content-Type"),
        );
    }
    let bytes = match axum::body::to_bytes(body, MAX_REGISTER_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body larger than {MAX_REGISTER_BODY} bytes"),
                Some("body"),
            )
        }
    };
    let depth = crate::engine::sio::json_depth(&String::from_utf8_lossy(&bytes));
    if depth > MAX_BODY_DEPTH {
        return error(
            StatusCode::BAD_REQUEST,
            format!("JSON nested {depth} levels deep; at most {MAX_BODY_DEPTH} are accepted"),
            Some("body"),
        );
    }
    let v: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("invalid JSON: {e}"),
                Some("body"),
            )
        }
    };
    let mut reg = match parse_registration(&v) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.message, Some(e.field)),
    };
    if let Some(h) = header_str(headers, "x-device-id").filter(|h| !h.is_empty()) {
        if h != reg.device_id {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "header x-device-id is {h:?} but the body's id is {:?}",
                    reg.device_id
                ),
                Some("x-device-id"),
            );
        }
    }
    if let Some(keys) = token_keys() {
        let token = match header_str(headers, "authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(t) => t,
            None => return unauthorized(
                "missing device token: send Authorization: Bearer <token from rtctl token issue>"
                    .into(),
            ),
        };
        let claims = match keys.verify(token, super::now_ms() / 1000) {
            Ok(c) => c,
            Err(e) => return unauthorized(e.to_string()),
        };
        if claims.sub != reg.device_id {
            return error(
                StatusCode::FORBIDDEN,
                format!(
                    "token is for device {:?}, but the body's id is {:?}",
                    claims.sub, reg.device_id
                ),
                Some("device_id"),
            );
        }
        if let Some(user) = &claims.user {
            if let Some(u) = reg
                .user_id
                .as_ref()
                .filter(|u| !u.eq_ignore_ascii_case(user))
            {
                return error(
                    StatusCode::FORBIDDEN,
                    format!("token is for user {user:?}, but the body's user_id is {u:?}"),
                    Some("user_id"),
                );
            }
            if let Err(e) = check_user(user) {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("the token's user: {}", e.message),
                    Some("user_id"),
                );
            }
            reg.user_id = Some(user.to_ascii_lowercase());
            reg.clear_user = false;
        }
    }
    match reg_store.upsert(reg, ip, super::now_ms()).await {
        Ok((rec, created)) => {
            tracing::info!(device = %rec.device_id, created, ip = ?rec.last_ip_address, "device registered");
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(rec)).into_response()
        }
        Err(e) => unavailable(st, &e),
    }
}

/// Which node each device is on: this node's sockets, plus (with Redis) every node's.
async fn online(st: &NodeState) -> Result<HashMap<String, BTreeSet<String>>, RegistryError> {
    let Some(d) = &st.devices else {
        return Ok(HashMap::new());
    };
    let mut map = match &d.fleet {
        Some((con, keys)) => fleet_online(con, keys, super::now_ms()).await?,
        None => HashMap::new(),
    };
    for d in (d.local)() {
        map.entry(d.id().to_string())
            .or_default()
            .insert(st.node_id.clone());
    }
    Ok(map)
}

pub async fn list(
    State(st): State<Arc<NodeState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = authorize(&st, &headers, super::api_keys::Scope::Read) {
        return r;
    }
    let Some(reg) = registry(&st) else {
        return no_registry();
    };
    let mut filter = Filter::default();
    for (k, v) in &q {
        match k.as_str() {
            "department" => {
                if let Err(m) = check_id("department", v) {
                    return error(StatusCode::BAD_REQUEST, m, Some("department"));
                }
                filter.department = Some(v.clone());
            }
            "online" => {
                filter.online = Some(match v.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return error(
                            StatusCode::BAD_REQUEST,
                            format!("online must be true or false, got {v:?}"),
                            Some("online"),
                        )
                    }
                })
            }
            other => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("unknown query parameter {other:?}: expected department, online"),
                    Some(other),
                )
            }
        }
    }
    let records = match reg.list(filter.department.as_deref()).await {
        Ok(r) => r,
        Err(e) => return unavailable(&st, &e),
    };
    let online = match online(&st).await {
        Ok(o) => o,
        Err(e) => return unavailable(&st, &e),
    };
    let devices = views(records, &online, &filter);
    Json(json!({"count": devices.len(), "devices": devices})).into_response()
}

pub async fn show(
    State(st): State<Arc<NodeState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorize(&st, &headers, super::api_keys::Scope::Read) {
        return r;
    }
    let Some(reg) = registry(&st) else {
        return no_registry();
    };
    if let Err(m) = check_id("device id", &id) {
        return error(StatusCode::BAD_REQUEST, m, Some("id"));
    }
    let rec = match reg.get(&id).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            return error(
                StatusCode::NOT_FOUND,
                format!("no device {id:?} is registered"),
                Some("id"),
            )
        }
        Err(e) => return unavailable(&st, &e),
    };
    let online = match online(&st).await {
        Ok(o) => o,
        Err(e) => return unavailable(&st, &e),
    };
    let v = views(vec![rec], &online, &Filter::default());
    Json(&v[0]).into_response()
}

pub async fn remove(
    State(st): State<Arc<NodeState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let key = match authorize(&st, &headers, super::api_keys::Scope::Publish) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let Some(reg) = registry(&st) else {
        return no_registry();
    };
    if let Err(m) = check_id("device id", &id) {
        return error(StatusCode::BAD_REQUEST, m, Some("id"));
    }
    match reg.remove(&id, super::now_ms()).await {
        Ok(Some(rec)) => {
            tracing::info!(device = %id, key = ?key, "device removed from the registry");
            Json(rec).into_response()
        }
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            format!("no device {id:?} is registered"),
            Some("id"),
        ),
        Err(e) => unavailable(&st, &e),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::serve::api::router;
    use crate::serve::log::Log;
    use crate::serve::metrics::Metrics;
    use crate::serve::registry::DiskStore;

    fn state(dir: Option<&std::path::Path>, online: &[&str]) -> Arc<NodeState> {
        let mut s = NodeState::new("n1", Log::memory(10), Arc::new(Metrics::default()));
        s.keys = Some(Arc::new(crate::serve::api_keys::ApiKeys::single("k")));
        let online: BTreeSet<crate::serve::registry::LocalDevice> = online
            .iter()
            .map(|s| crate::serve::registry::LocalDevice::new(s))
            .collect();
        s.devices = Some(Arc::new(Devices {
            registry: dir
                .map(|d| Arc::new(Registry::Disk(Arc::new(DiskStore::open(d, "t").unwrap())))),
            local: Arc::new(move || online.clone()),
            fleet: None,
            metrics: RegistryMetrics::default(),
        }));
        Arc::new(s)
    }

    async fn call(st: &Arc<NodeState>, req: Request<Body>) -> (StatusCode, Value) {
        let res = router(st.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    fn register(body: &str) -> Request<Body> {
        Request::post("/api/v1/devices/register")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    }

    fn get(path: &str, key: Option<&str>) -> Request<Body> {
        let mut r = Request::get(path);
        if let Some(k) = key {
            r = r.header("authorization", format!("Bearer {k}"));
        }
        r.body(Body::empty()).unwrap()
    }

    const BODY: &str = r#"{"id":"pc-1","type":"pc","model":"m","os":"Linux","osVersion":"6","appVersion":"1","departmentId":"ER"}"#;

    #[tokio::test]
    async fn register_then_read_with_the_local_sockets() {
        let dir = tempfile::tempdir().unwrap();
        let st = state(Some(dir.path()), &["pc-1"]);
        let (s, v) = call(&st, register(BODY)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["last_ip_address"], Value::Null, "no client IP in-process");
        assert_eq!(call(&st, register(BODY)).await.0, StatusCode::OK);
        assert_eq!(
            call(&st, get("/api/v1/devices", None)).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            call(&st, get("/api/v1/devices", Some("wrong"))).await.0,
            StatusCode::UNAUTHORIZED
        );
        let (s, v) = call(&st, get("/api/v1/devices/pc-1", Some("k"))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            (v["online"].clone(), v["node"].clone()),
            (json!(true), json!("n1"))
        );
        let (_, v) = call(&st, get("/api/v1/devices?online=false", Some("k"))).await;
        assert_eq!(v["count"], 0);
        let (s, v) = call(&st, get("/api/v1/devices?room=x", Some("k"))).await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("room"))
        );
        let mut text = String::new();
        st.devices.as_ref().unwrap().metrics.render(&mut text);
        assert!(text.contains("{result=\"created\"} 1"), "{text}");
        assert!(text.contains("{result=\"updated\"} 1"), "{text}");
    }

    #[tokio::test]
    async fn without_a_store_the_registry_is_unavailable() {
        for st in [state(None, &[]), {
            let s = NodeState::new("n1", Log::memory(10), Arc::new(Metrics::default()));
            Arc::new(s)
        }] {
            let (s, v) = call(&st, register(BODY)).await;
            assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
            assert!(v["error"].as_str().unwrap().contains("--data-dir"), "{v}");
            let (s, _) = call(&st, get("/api/v1/devices", Some("k"))).await;
            assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        }
    }
}
