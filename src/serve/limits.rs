//! The node's defences against a single client, as Prometheus metrics: what each limit
//! refused or closed (the limits themselves live in the engine and its HTTP server).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use hyper::{Request, Response, StatusCode};

use crate::engine;

/// The counters behind the limit metrics.
#[derive(Debug)]
pub struct LimitMetrics {
    pub engine: Arc<engine::Stats>,
    pub http: Arc<engine::HttpStats>,
    /// Handshakes refused because `x-device-id` / `x-department-id` were not valid ids.
    pub bad_handshake_headers: AtomicU64,
}

impl LimitMetrics {
    pub fn new(engine: Arc<engine::Stats>, http: Arc<engine::HttpStats>) -> LimitMetrics {
        LimitMetrics {
            engine,
            http,
            bad_handshake_headers: AtomicU64::new(0),
        }
    }

    /// An Engine.IO handshake (a `/socket.io/` request without `sid`) whose identity headers
    /// are not valid ids is refused at once (403, Engine.IO's `{"code":4,"message":…}`), so
    /// that nothing of them is kept until the connect timeout.
    pub fn refuse_bad_handshake<B>(&self, req: &Request<B>) -> Option<Response<engine::Body>> {
        let is_handshake = !req
            .uri()
            .query()
            .unwrap_or("")
            .split('&')
            .any(|kv| kv.starts_with("sid="));
        if !is_handshake {
            return None;
        }
        let header = |name: &str| -> Result<Option<&str>, String> {
            match req.headers().get(name) {
                None => Ok(None),
                Some(v) => v
                    .to_str()
                    .map(|s| Some(s.trim()))
                    .map_err(|_| format!("header {name} is not printable ASCII")),
            }
        };
        let checked = header("x-device-id").and_then(|device| {
            let department = header("x-department-id")?;
            super::identity::check_handshake_headers(device, department)
        });
        let message = checked.err()?;
        self.bad_handshake_headers.fetch_add(1, Relaxed);
        let body = serde_json::json!({"code": 4, "message": message}).to_string();
        let mut res = Response::new(engine::Body::from(body));
        *res.status_mut() = StatusCode::FORBIDDEN;
        res.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        Some(res)
    }
}

impl LimitMetrics {
    /// Appends the limit families in the Prometheus text format.
    pub fn render(&self, o: &mut String) {
        let e = &self.engine;
        let h = &self.http;
        let _ = writeln!(
            o,
            "# HELP rtctl_http_connections Open HTTP connections (devices, API, health)"
        );
        let _ = writeln!(o, "# TYPE rtctl_http_connections gauge");
        let _ = writeln!(o, "rtctl_http_connections {}", h.connections.load(Relaxed));
        let _ = writeln!(
            o,
            "# HELP rtctl_limit_refused_total Connections, requests, handshakes and room joins refused by a limit, by limit"
        );
        let _ = writeln!(o, "# TYPE rtctl_limit_refused_total counter");
        for (limit, v) in [
            ("max_connections", &h.connections_refused_total),
            ("reserved_connection", &h.reserved_refused_total),
            ("max_unfinished_per_ip", &h.unfinished_refused_total),
            ("body_timeout", &h.body_timeouts_total),
            ("max_handshakes_per_ip", &e.handshakes_refused_total),
            ("idle_evicted", &h.idle_evicted_total),
            ("max_rooms_per_socket", &e.rooms_refused_total),
            ("handshake_headers", &self.bad_handshake_headers),
        ] {
            let _ = writeln!(
                o,
                "rtctl_limit_refused_total{{limit=\"{limit}\"}} {}",
                v.load(Relaxed)
            );
        }
        for (name, help, v) in [
            (
                "rtctl_reply_overflow_closes_total",
                "Connections closed because they asked for replies (pongs, acks, CONNECT_ERRORs) they did not read",
                &e.control_overflow_total,
            ),
            (
                "rtctl_unsolicited_pongs_total",
                "Heartbeat answers ignored because no ping had reached the client",
                &e.unsolicited_pongs_total,
            ),
            (
                "rtctl_send_queue_full_total",
                "Sends refused because a connection's send queue was at its bound",
                &e.queue_full_total,
            ),
            (
                "rtctl_direct_writes_total",
                "Deliveries written straight to an idle WebSocket from the fan-out (no queue, no task wake)",
                &e.direct_writes_total,
            ),
            (
                "rtctl_direct_writes_deferred_total",
                "Direct writes the socket did not take whole (EAGAIN or part of a frame): finished by the connection's task",
                &e.direct_deferred_total,
            ),
            (
                "rtctl_expired_sessions_on_access_total",
                "Polling requests answered 400 because the session's pong deadline had passed",
                &e.expired_on_access_total,
            ),
        ] {
            let _ = writeln!(o, "# HELP {name} {help}");
            let _ = writeln!(o, "# TYPE {name} counter");
            let _ = writeln!(o, "{name} {}", v.load(Relaxed));
        }
    }
}
