//! The node's HTTP surface besides Socket.IO: the publish API, health and metrics.
//!
//! `serve::app` adds `x-rtctl-node: <node id>` to every response. Errors are JSON bodies
//! `{"error": "...", "field": "..."}`; nothing here panics on input.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, value::RawValue, Value};

use super::api_keys::{Refusal, Scope};
use super::identity::check_id;
use super::log::{Log, LogError, Target};
use super::metrics::{Metrics, Process};

/// What the HTTP handlers share with the rest of the node.
pub struct NodeState {
    pub node_id: String,
    pub log: Log,
    pub metrics: Arc<Metrics>,
    /// `Authorization: Bearer <key>` on the publish API (and, with a keys file, on the read
    /// endpoints) when set: see [`authorize`].
    pub keys: Option<Arc<super::api_keys::ApiKeys>>,
    /// Set first thing on shutdown: readiness turns false (shared with the Socket.IO handler,
    /// which then refuses new devices).
    pub draining: Arc<AtomicBool>,
    /// For the health check's Redis ping, when the node runs with Redis.
    pub redis: Option<super::redis_conn::Conn>,
    /// Largest accepted publish body, in bytes.
    pub max_body_bytes: usize,
    /// What the node's limits refused (rendered at `/metrics`).
    pub limits: Option<Arc<super::limits::LimitMetrics>>,
    /// The device registry and who is connected where (`None` in unit tests).
    pub devices: Option<Arc<super::registry_api::Devices>>,
}

impl NodeState {
    pub fn new(node_id: impl Into<String>, log: Log, metrics: Arc<Metrics>) -> NodeState {
        NodeState {
            node_id: node_id.into(),
            log,
            metrics,
            keys: None,
            draining: Arc::new(AtomicBool::new(false)),
            redis: None,
            max_body_bytes: 64 * 1024,
            limits: None,
            devices: None,
        }
    }
}

/// The API routes (`serve::app` mounts them beside the engine and adds the node-id header).
pub fn router(state: Arc<NodeState>) -> Router {
    Router::new()
        .route("/api/v1/notifications", post(publish))
        .route(
            "/api/v1/devices/register",
            post(super::registry_api::register),
        )
        .route("/api/v1/devices", get(super::registry_api::list))
        .route(
            "/api/v1/devices/{id}",
            get(super::registry_api::show).delete(super::registry_api::remove),
        )
        .route("/health", get(health))
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

/// A JSON error response.
pub fn error(status: StatusCode, message: impl Into<String>, field: Option<&str>) -> Response {
    (
        status,
        Json(json!({"error": message.into(), "field": field})),
    )
        .into_response()
}

fn parse_target(v: &Value) -> Result<Target, (String, &'static str)> {
    let obj = v.as_object().ok_or((
        "target must be an object: {\"department\": ID} | {\"device\": ID} | {\"all\": true}"
            .to_string(),
        "target",
    ))?;
    if obj.len() != 1 {
        return Err((
            "target must have exactly one of department, device, all".into(),
            "target",
        ));
    }
    let (k, val) = obj.iter().next().expect("one key");
    let id = |field: &'static str| -> Result<String, (String, &'static str)> {
        let s = val
            .as_str()
            .ok_or((format!("target.{k} must be a string"), field))?;
        check_id(field, s).map_err(|m| (m, field))?;
        Ok(s.to_string())
    };
    match k.as_str() {
        "department" => Ok(Target::Department(id("target.department")?)),
        "device" => Ok(Target::Device(id("target.device")?)),
        "all" if val == &Value::Bool(true) => Ok(Target::All),
        "all" => Err(("target.all must be true".into(), "target.all")),
        other => Err((
            format!("unknown target {other:?}: expected department, device or all"),
            "target",
        )),
    }
}

/// A publish request body, parsed and checked: where to deliver, and the payload verbatim.
#[derive(Debug)]
pub struct PublishBody<'a> {
    /// The recipients.
    pub target: Target,
    /// The notification, as sent (not re-encoded).
    pub payload: &'a RawValue,
}

/// Parses a publish body `{"target": {…}, "payload": …}`: nesting at most 32 levels, valid
/// JSON, a valid target and a payload. The error is the message and the field it concerns,
/// as the 400 response gives them. Pure, and safe on any bytes.
pub fn parse_publish_body(bytes: &[u8]) -> Result<PublishBody<'_>, (String, Option<&'static str>)> {
    #[derive(serde::Deserialize)]
    struct Publish<'a> {
        target: Option<Value>,
        #[serde(borrow)]
        payload: Option<&'a RawValue>,
    }
    let depth = crate::engine::sio::json_depth(&String::from_utf8_lossy(bytes));
    if depth > MAX_BODY_DEPTH {
        return Err((
            format!("JSON nested {depth} levels deep; at most {MAX_BODY_DEPTH} are accepted"),
            Some("payload"),
        ));
    }
    let req: Publish<'_> =
        serde_json::from_slice(bytes).map_err(|e| (format!("invalid JSON: {e}"), None))?;
    let target = req
        .target
        .ok_or(("missing target".to_string(), Some("target")))?;
    let target = parse_target(&target).map_err(|(m, f)| (m, Some(f)))?;
    let payload = req
        .payload
        .ok_or(("missing payload".to_string(), Some("payload")))?;
    Ok(PublishBody { target, payload })
}

async fn publish(State(st): State<Arc<NodeState>>, headers: HeaderMap, body: Body) -> Response {
    let rejected = |r: Response| {
        st.metrics.publish_rejected.fetch_add(1, Ordering::Relaxed);
        r
    };
    let caller = match authorize(&st, &headers, Scope::Publish) {
        Ok(name) => name,
        Err(r) => return rejected(r),
    };
    let content_type = headers.get(header::CONTENT_TYPE);
    if !content_type.is_some_and(|v| is_json_media_type(v.as_bytes())) {
        let got = content_type.map_or("none".into(), |v| {
            String::from_utf8_lossy(v.as_bytes()).into_owned()
        });
        return rejected(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected Content-Type: application/json, got {got:?}"),
            None,
        ));
    }
    let bytes: Bytes = match axum::body::to_bytes(body, st.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return rejected(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body larger than {} bytes", st.max_body_bytes),
                None,
            ))
        }
    };
    let PublishBody { target, payload } = match parse_publish_body(&bytes) {
        Ok(b) => b,
        Err((m, f)) => return rejected(error(StatusCode::BAD_REQUEST, m, f)),
    };
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(m) => return rejected(error(StatusCode::BAD_REQUEST, m, Some("Idempotency-Key"))),
    };
    match st.log.publish(&target, payload.get(), key).await {
        Ok(appended) => {
            tracing::debug!(
                key = caller.as_deref().unwrap_or("-"),
                id = %appended.offset,
                target = ?target,
                replayed = appended.replayed,
                "publish accepted"
            );
            if !appended.replayed {
                st.metrics.published(match target {
                    Target::Department(_) => "department",
                    Target::Device(_) => "device",
                    Target::All => "all",
                });
            }
            let mut r = (
                StatusCode::ACCEPTED,
                Json(json!({"id": appended.offset.to_string()})),
            )
                .into_response();
            if appended.replayed {
                // Already accepted under this key: the same id, nothing appended again.
                r.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            r
        }
        Err(LogError::InProgress) => {
            let mut r = error(
                StatusCode::CONFLICT,
                "a publish with this Idempotency-Key is still waiting for its replicas; retry",
                Some("Idempotency-Key"),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            rejected(r)
        }
        Err(e) => {
            if !matches!(e, LogError::NotReplicated { .. }) {
                st.metrics.redis_errors.fetch_add(1, Ordering::Relaxed);
            }
            let mut r = error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not accepted, nothing will be delivered: {e}"),
                None,
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            rejected(r)
        }
    }
}

/// The optional `Idempotency-Key` header: 1 to 200 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, String> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let k = v
        .to_str()
        .ok()
        .filter(|k| (1..=200).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or("Idempotency-Key: expected 1 to 200 visible ASCII characters")?;
    Ok(Some(k))
}

/// Deepest JSON nesting accepted in a publish body (the body object is level 1).
pub const MAX_BODY_DEPTH: usize = 32;

/// `application/json`, in any case, with or without parameters (`; charset=utf-8`);
/// not `application/jsonp` nor `application/json-seq`.
pub fn is_json_media_type(v: &[u8]) -> bool {
    let Ok(v) = std::str::from_utf8(v) else {
        return false;
    };
    let essence = v.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// The name of the key a request was allowed with: `None` when the node has no keys.
pub type KeyName = Option<Arc<str>>;

/// Check a request's `Authorization: Bearer <key>` for `need`. `Ok(None)` when the node runs
/// without keys; otherwise the key's name, or the JSON error to answer: 401 (with
/// `WWW-Authenticate: Bearer`) for a missing or unknown key, 403 for a read key where publish
/// is needed. Each refusal counts in `rtctl_api_key_refused_total{reason}`.
// The refusal is the handler's answer, returned as is: boxing it would only add an allocation.
#[allow(clippy::result_large_err)]
pub fn authorize(st: &NodeState, headers: &HeaderMap, need: Scope) -> Result<KeyName, Response> {
    let Some(keys) = &st.keys else {
        return Ok(None);
    };
    let why = match keys.check(
        headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()),
        need,
    ) {
        Ok(name) => return Ok(Some(name)),
        Err(why) => why,
    };
    tracing::info!(
        reason = why.as_str(),
        need = need.as_str(),
        "API key refused"
    );
    let (status, message) = match why {
        Refusal::Missing => (
            StatusCode::UNAUTHORIZED,
            "missing API key: send Authorization: Bearer <key>".to_string(),
        ),
        Refusal::Unknown => (
            StatusCode::UNAUTHORIZED,
            "unknown or revoked API key".to_string(),
        ),
        Refusal::Scope => (
            StatusCode::FORBIDDEN,
            format!(
                "this API key has scope \"read\"; this request needs scope \"{}\"",
                need.as_str()
            ),
        ),
    };
    let mut r = error(status, message, Some("Authorization"));
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    Err(r)
}

/// `GET /metrics` and `GET /health` need a key (any scope) when the node has a keys file.
#[allow(clippy::result_large_err)]
fn authorize_read(st: &NodeState, headers: &HeaderMap) -> Result<(), Response> {
    match &st.keys {
        Some(k) if k.guards_reads() => authorize(st, headers, Scope::Read).map(|_| ()),
        _ => Ok(()),
    }
}

/// Ping Redis (when configured): `Ok(None)` without Redis, `Err(message)` when down.
async fn redis_status(st: &NodeState) -> Result<Option<()>, String> {
    let Some(con) = &st.redis else {
        return Ok(None);
    };
    let mut con = con.clone();
    let cmd = redis::cmd("PING");
    let ping = cmd.query_async::<String>(&mut con);
    match tokio::time::timeout(Duration::from_secs(1), ping).await {
        Ok(Ok(_)) => Ok(Some(())),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 1 s".into()),
    }
}

/// Readiness turns false once the log reader has been stalled this long. A node that cannot
/// read the log delivers nothing live, while its devices would be served by a peer whose reader
/// works (they resume there from their offsets); a Redis Cluster failover (3.5–5 s with a
/// 2 s node timeout) or a Sentinel promotion stays under it, so readiness does not flap
/// fleet-wide during one.
pub const READY_STALL_LIMIT: Duration = Duration::from_secs(10);

/// The reader's part of `/health`: `(check, up)`. `None` for the in-memory log.
fn reader_check(st: &NodeState) -> Option<(Value, bool)> {
    let r = st.log.reader_status();
    if r.state == "memory" {
        return None;
    }
    let up = !r.is_stalled();
    let mut v = json!({
        "status": if up { "up" } else { "down" },
        "reader": r.state,
        "last_read_ms": r.last_read_ms,
        "stalled_secs": r.stalled_for.as_secs(),
        "ready_false_after_secs": READY_STALL_LIMIT.as_secs(),
        "durability": st.log.durability().to_string(),
    });
    if let Some(e) = r.error {
        v["message"] = json!(format!("cannot read the log: {e}"));
    } else if !up {
        v["message"] = json!("cannot read the log");
    }
    Some((v, up))
}

async fn live() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

async fn ready(State(st): State<Arc<NodeState>>) -> Response {
    if st.draining.load(Ordering::Relaxed) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "error", "reason": "draining"})),
        )
            .into_response();
    }
    let reader = st.log.reader_status();
    if reader.stalled_for >= READY_STALL_LIMIT {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "error", "reason": format!(
                "log reader stalled for {} s: this node delivers nothing live",
                reader.stalled_for.as_secs()
            )})),
        )
            .into_response();
    }
    match redis_status(&st).await {
        Err(m) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "error", "reason": format!("redis: {m}")})),
        )
            .into_response(),
        Ok(_) => Json(json!({"status": "ok"})).into_response(),
    }
}

/// NestJS Terminus shape: `{status, info, error, details}`, 200 or 503.
async fn health(State(st): State<Arc<NodeState>>, headers: HeaderMap) -> Response {
    if let Err(r) = authorize_read(&st, &headers) {
        return r;
    }
    let draining = st.draining.load(Ordering::Relaxed);
    let node = json!({"status": if draining { "down" } else { "up" }, "id": st.node_id, "draining": draining});
    let mut info = serde_json::Map::new();
    let mut err = serde_json::Map::new();
    let mut details = serde_json::Map::new();
    let mut put = |name: &str, v: Value, up: bool| {
        details.insert(name.into(), v.clone());
        if up {
            info.insert(name.into(), v);
        } else {
            err.insert(name.into(), v);
        }
    };
    put("node", node, !draining);
    match redis_status(&st).await {
        Ok(Some(())) => put("redis", json!({"status": "up"}), true),
        Ok(None) => put("log", json!({"status": "up", "kind": "memory"}), true),
        Err(m) => put("redis", json!({"status": "down", "message": m}), false),
    }
    if let Some((check, up)) = reader_check(&st) {
        put("log", check, up);
    }
    let ok = err.is_empty();
    let body = json!({"status": if ok { "ok" } else { "error" }, "info": info, "error": err, "details": details});
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// While the reader is stalled nothing is delivered, so the lag grows with real time: the
/// log is known only up to the reader's last successful read. Called at every scrape and
/// heartbeat.
pub fn refresh_stalled_lag(log: &Log, metrics: &Metrics) {
    let reader = log.reader_status();
    if reader.is_stalled() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        metrics.log_lag_ms.store(
            now.saturating_sub(reader.last_read_ms) as i64,
            Ordering::Relaxed,
        );
    }
}

async fn metrics(State(st): State<Arc<NodeState>>, headers: HeaderMap) -> Response {
    if let Err(r) = authorize_read(&st, &headers) {
        return r;
    }
    refresh_stalled_lag(&st.log, &st.metrics);
    let mut text = st.metrics.render(&st.node_id, Process::read());
    if let Some(l) = &st.limits {
        l.render(&mut text);
    }
    if let Some(d) = &st.devices {
        d.metrics.render(&mut text);
    }
    if let Some(k) = &st.keys {
        k.render(&mut text);
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::serve::log::Offset;

    fn state() -> Arc<NodeState> {
        Arc::new(NodeState::new(
            "n1",
            Log::memory(100),
            Arc::new(Metrics::default()),
        ))
    }

    async fn call(st: &Arc<NodeState>, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let res = router(st.clone()).oneshot(req).await.unwrap();
        let (parts, body) = res.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        (parts.status, parts.headers, v)
    }

    fn post(body: &str) -> Request<Body> {
        Request::post("/api/v1/notifications")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    }

    #[tokio::test]
    async fn publish_appends_and_returns_the_offset() {
        let st = state();
        let (s, _, v) = call(
            &st,
            post(r#"{"target":{"department":"D1"},"payload":{"b":1,"a":2}}"#),
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED);
        let id: Offset = v["id"].as_str().unwrap().parse().unwrap();
        let e = st.log.range_after(Offset::ZERO, 10).await.unwrap();
        assert_eq!(e[0].offset, id);
        assert_eq!(e[0].target, Target::Department("D1".into()));
        assert_eq!(
            &*e[0].payload, r#"{"b":1,"a":2}"#,
            "payload kept byte for byte"
        );
        for body in [
            r#"{"target":{"device":"tablet-ios_a1b2c3d4"},"payload":"hi"}"#,
            r#"{"target":{"all":true},"payload":[1]}"#,
        ] {
            assert_eq!(call(&st, post(body)).await.0, StatusCode::ACCEPTED);
        }
        assert_eq!(st.log.range_after(Offset::ZERO, 10).await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn bad_publishes_get_json_errors_and_store_nothing() {
        let st = state();
        let cases = [
            ("{not json", StatusCode::BAD_REQUEST, "invalid JSON"),
            (
                r#"{"payload":1}"#,
                StatusCode::BAD_REQUEST,
                "missing target",
            ),
            (
                r#"{"target":{"room":"x"},"payload":1}"#,
                StatusCode::BAD_REQUEST,
                "unknown target",
            ),
            (
                r#"{"target":{"device":"a b"},"payload":1}"#,
                StatusCode::BAD_REQUEST,
                "contains",
            ),
            (
                r#"{"target":{"all":false},"payload":1}"#,
                StatusCode::BAD_REQUEST,
                "must be true",
            ),
            (
                r#"{"target":{"all":true,"device":"x"},"payload":1}"#,
                StatusCode::BAD_REQUEST,
                "exactly one",
            ),
            (
                r#"{"target":{"all":true}}"#,
                StatusCode::BAD_REQUEST,
                "missing payload",
            ),
        ];
        for (body, status, msg) in cases {
            let (s, _, v) = call(&st, post(body)).await;
            assert_eq!(s, status, "{body}");
            assert!(v["error"].as_str().unwrap().contains(msg), "{body}: {v}");
        }
        let big = format!(
            r#"{{"target":{{"all":true}},"payload":"{}"}}"#,
            "x".repeat(70_000)
        );
        let (s, _, v) = call(&st, post(&big)).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
        let req = Request::post("/api/v1/notifications")
            .body(Body::from("{}"))
            .unwrap();
        assert_eq!(call(&st, req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(st
            .log
            .range_after(Offset::ZERO, 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(st.metrics.publish_rejected.load(Ordering::Relaxed), 9);
    }

    #[tokio::test]
    async fn an_idempotency_key_appends_once() {
        let st = state();
        let keyed = |key: &str| {
            let mut r = post(r#"{"target":{"all":true},"payload":1}"#);
            r.headers_mut()
                .insert("idempotency-key", HeaderValue::from_str(key).unwrap());
            r
        };
        let (s, h, first) = call(&st, keyed("order-42")).await;
        assert_eq!(s, StatusCode::ACCEPTED);
        assert!(h.get("idempotent-replayed").is_none());
        let (s, h, again) = call(&st, keyed("order-42")).await;
        assert_eq!((s, &again), (StatusCode::ACCEPTED, &first));
        assert_eq!(h["idempotent-replayed"], "true");
        let (s, _, other) = call(&st, keyed("order-43")).await;
        assert_eq!(s, StatusCode::ACCEPTED);
        assert_ne!(other, first);
        assert_eq!(st.log.range_after(Offset::ZERO, 10).await.unwrap().len(), 2);
        let (s, _, v) = call(&st, keyed(&"x".repeat(201))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["field"], "Idempotency-Key");
        assert_eq!(st.log.range_after(Offset::ZERO, 10).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn api_key_is_enforced() {
        let mut s = NodeState::new("n1", Log::memory(10), Arc::new(Metrics::default()));
        s.keys = Some(Arc::new(crate::serve::api_keys::ApiKeys::single("sekret")));
        let st = Arc::new(s);
        let body = r#"{"target":{"all":true},"payload":1}"#;
        let (status, h, _) = call(&st, post(body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(h["www-authenticate"], "Bearer");
        let mut req = post(body);
        req.headers_mut()
            .insert("authorization", HeaderValue::from_static("Bearer wrong"));
        assert_eq!(call(&st, req).await.0, StatusCode::UNAUTHORIZED);
        let mut req = post(body);
        req.headers_mut()
            .insert("authorization", HeaderValue::from_static("Bearer sekret"));
        assert_eq!(call(&st, req).await.0, StatusCode::ACCEPTED);
    }

    #[tokio::test]
    async fn scoped_keys_guard_publish_and_reads_but_not_probes() {
        let file = "[[key]]\nname = \"pub\"\nsecret = \"p-secret\"\nscope = \"publish\"\n\
                    [[key]]\nname = \"ro\"\nsecret = \"r-secret\"\nscope = \"read\"\n";
        let keys = crate::serve::api_keys::ApiKeys::from_file(
            std::path::Path::new("keys.toml"),
            file,
            None,
        )
        .unwrap();
        let mut s = NodeState::new("n1", Log::memory(10), Arc::new(Metrics::default()));
        s.keys = Some(Arc::new(keys));
        let st = Arc::new(s);
        let with = |mut r: Request<Body>, key: &str| {
            r.headers_mut().insert(
                "authorization",
                HeaderValue::from_str(&format!("Bearer {key}")).unwrap(),
            );
            r
        };
        let body = r#"{"target":{"all":true},"payload":1}"#;
        assert_eq!(
            call(&st, with(post(body), "p-secret")).await.0,
            StatusCode::ACCEPTED
        );
        let (s403, _, v) = call(&st, with(post(body), "r-secret")).await;
        assert_eq!(s403, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["field"], "Authorization");
        let (s401, h, v) = call(&st, with(post(body), "nope")).await;
        assert_eq!(s401, StatusCode::UNAUTHORIZED, "{v}");
        assert_eq!(h["www-authenticate"], "Bearer");
        let get = |p: &str| Request::get(p).body(Body::empty()).unwrap();
        for path in ["/metrics", "/health"] {
            assert_eq!(
                call(&st, get(path)).await.0,
                StatusCode::UNAUTHORIZED,
                "{path}"
            );
            assert_eq!(
                call(&st, with(get(path), "r-secret")).await.0,
                StatusCode::OK
            );
            assert_eq!(
                call(&st, with(get(path), "p-secret")).await.0,
                StatusCode::OK
            );
        }
        for path in ["/health/live", "/health/ready"] {
            assert_eq!(call(&st, get(path)).await.0, StatusCode::OK, "{path}");
        }
        let (_, _, m) = call(&st, with(get("/metrics"), "r-secret")).await;
        let m = m.as_str().unwrap();
        for line in [
            "rtctl_api_key_refused_total{reason=\"missing\"} 2",
            "rtctl_api_key_refused_total{reason=\"unknown\"} 1",
            "rtctl_api_key_refused_total{reason=\"scope\"} 1",
        ] {
            assert!(m.contains(line), "{line} in {m}");
        }
    }

    #[tokio::test]
    async fn health_follows_terminus_and_readiness_drains() {
        let st = state();
        let get = |p: &str| Request::get(p).body(Body::empty()).unwrap();
        let (s, _, v) = call(&st, get("/health")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["status"], "ok");
        assert_eq!(v["details"]["node"]["id"], "n1");
        assert_eq!(v["info"]["log"]["kind"], "memory");
        assert_eq!(call(&st, get("/health/ready")).await.0, StatusCode::OK);
        st.draining.store(true, Ordering::Relaxed);
        assert_eq!(
            call(&st, get("/health/ready")).await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        let (s, _, v) = call(&st, get("/health")).await;
        assert_eq!(
            (s, v["status"].as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("error"))
        );
        assert_eq!(call(&st, get("/health/live")).await.0, StatusCode::OK);
        let (s, h, v) = call(&st, get("/metrics")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"));
        assert!(v
            .as_str()
            .unwrap()
            .contains("socket_io_active_connections{node=\"n1\"}"));
    }
}

#[cfg(test)]
mod media_type_tests {
    use super::*;

    #[test]
    fn json_media_type_is_parsed_not_prefixed() {
        for ok in [
            "application/json",
            "APPLICATION/JSON",
            "Application/Json; charset=utf-8",
            " application/json ;charset=UTF-8",
        ] {
            assert!(is_json_media_type(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "application/jsonp",
            "application/json-seq",
            "text/json",
            "application/x-www-form-urlencoded",
            "",
            "application/js",
        ] {
            assert!(!is_json_media_type(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn publish_body_is_parsed_by_one_pure_function() {
        let b =
            parse_publish_body(br#"{"target":{"device":"D1"},"payload":{"b":1, "a":2}}"#).unwrap();
        assert_eq!(b.target, Target::Device("D1".into()));
        assert_eq!(b.payload.get(), r#"{"b":1, "a":2}"#);
        for (body, field) in [
            (&b"{"[..], None),
            (br#"{"payload":1}"#, Some("target")),
            (br#"{"target":{"all":true}}"#, Some("payload")),
            (
                br#"{"target":{"all":false},"payload":1}"#,
                Some("target.all"),
            ),
            (br#"{"target":[],"payload":1}"#, Some("target")),
            (b"\xff\xfe", None),
        ] {
            let (message, f) = parse_publish_body(body).unwrap_err();
            assert_eq!(f, field, "{message}");
        }
        let deep = format!(
            "{{\"target\":{{\"all\":true}},\"payload\":{}{}}}",
            "[".repeat(40),
            "]".repeat(40)
        );
        assert_eq!(
            parse_publish_body(deep.as_bytes()).unwrap_err().1,
            Some("payload")
        );
    }
}
