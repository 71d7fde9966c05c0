//! `rtctl serve`: the notification node.
//!
//! One process per host. Devices connect with the official socket.io-client; the publish API
//! appends to the durable log (`log`); every node follows the log and delivers each entry to
//! its local sockets, encoded once per entry. With `--redis` the log is a Redis stream shared
//! by all nodes and each node writes a heartbeat for `rtctl top`.

pub mod api;
pub mod api_keys;
pub mod delivery;
pub mod identity;
pub mod limits;
pub mod log;
pub mod metrics;
pub mod node;
pub mod presence;
/// Moved to `crate::redis_conn` (`top` and `status` use it too); re-exported for old paths.
pub use crate::redis_conn;
pub mod session;
pub mod token;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body as AxumBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::engine::{self, CloseReason, Config, SocketIo};
use crate::redis_schema::{
    self as schema, Heartbeat, Keys, NodeDetail, DETAIL_EVERY, DETAIL_TTL, HEARTBEAT_EVERY,
    HEARTBEAT_TTL,
};
use api::NodeState;
use delivery::DeliveryPosition;
use log::{Entry, Log, Offset};
use metrics::Metrics;
use node::{NodeHandler, NodeParts};
use session::{PidSigner, Store};

/// Everything a node needs to run (the CLI resolves flags and environment into this).
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub node_id: String,
    pub redis_url: Option<String>,
    pub namespace: String,
    /// `--api-key` / `--api-keys`; `None`: the API is open (loopback only).
    pub api_keys: Option<Arc<api_keys::ApiKeys>>,
    pub drain_timeout: Duration,
    /// Allowed browser origins for polling (`*` allows any).
    pub cors_origins: Vec<String>,
    /// How much of the log is kept (what a reconnecting device can still be caught up from).
    pub retention: log::Retention,
    /// When a publish is acknowledged (Redis only).
    pub durability: log::Durability,
    /// How long an `Idempotency-Key` is remembered.
    pub idempotency_ttl: Duration,
    pub engine: Config,
    /// Connection ceiling, request deadlines, per-IP limits, trusted gateways.
    pub http: engine::HttpLimits,
}

/// Why the node could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("redis at {url}: {message}")]
    Redis { url: String, message: String },
    #[error("{0}")]
    Config(String),
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A running node's shared parts.
struct Node {
    cfg: ServeConfig,
    listen: SocketAddr,
    state: Arc<NodeState>,
    io: SocketIo<NodeHandler>,
    draining: Arc<AtomicBool>,
    started: Instant,
    position: Arc<DeliveryPosition>,
}

/// Run a node on `listener` until `shutdown` fires, then drain: readiness goes false, new
/// devices are refused, connected devices are told to reconnect (they land on another node),
/// and the node returns within `drain_timeout`.
pub async fn run(
    cfg: ServeConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    let listen = listener.local_addr()?;
    let keys = Keys::new(&cfg.namespace).map_err(ServeError::Config)?;
    let metrics = Arc::new(Metrics::default());
    let draining = Arc::new(AtomicBool::new(false));
    // Connection state recovery: a pid is valid as long as the log can replay to it.
    let window = cfg.retention.max_age.unwrap_or(Duration::from_secs(86_400));
    let (log, redis, store, pids) = match &cfg.redis_url {
        Some(url) => {
            let unreachable = |message: String| ServeError::Redis {
                url: url.clone(),
                message,
            };
            let redis = redis_conn::Redis::detect(url).await.map_err(unreachable)?;
            tracing::info!(cluster = redis.is_cluster(), "redis connected");
            let log = Log::on_durable(
                redis.clone(),
                keys.clone(),
                &cfg.node_id,
                cfg.retention,
                cfg.durability,
                cfg.idempotency_ttl,
            )
            .await
            .map_err(|e| match e {
                log::LogError::Unsupported(m) => ServeError::Config(m),
                e => unreachable(e.to_string()),
            })?;
            tracing::info!(durability = ?cfg.durability, "log durability");
            let mut con = redis
                .connect(Duration::from_secs(2))
                .await
                .map_err(|e| unreachable(e.to_string()))?;
            let pids = PidSigner::shared(&mut con, &keys, window)
                .await
                .map_err(|e| unreachable(e.to_string()))?;
            // The store has a connection of its own, with room for a busy Redis: a
            // subscription is recorded before its ack.
            let store_con = redis
                .connect(Duration::from_secs(5))
                .await
                .map_err(|e| unreachable(e.to_string()))?;
            let store = Store::redis(store_con, keys.clone(), cfg.retention.max_age);
            (log, Some(con), store, pids)
        }
        None => (
            Log::memory(cfg.retention),
            None,
            Store::memory(),
            PidSigner::random(window),
        ),
    };
    let mut state = NodeState::new(cfg.node_id.clone(), log.clone(), metrics.clone());
    state.draining = draining.clone();
    state.keys = cfg.api_keys.clone();
    state.redis = redis.clone();
    let start = log.last().await.unwrap_or(Offset::ZERO);
    let position = Arc::new(DeliveryPosition::new(start));
    let handler = NodeHandler::new(NodeParts {
        metrics: metrics.clone(),
        draining: draining.clone(),
        log: log.clone(),
        position: position.clone(),
        store,
        pids,
        queue_bound: cfg.engine.max_queue_frames,
    });
    let io = SocketIo::new(cfg.engine.clone(), ["/"], handler)
        .map_err(|e| ServeError::Config(e.to_string()))?;
    let http_stats = Arc::new(engine::HttpStats::default());
    state.limits = Some(Arc::new(limits::LimitMetrics::new(
        io.engine().stats_handle(),
        http_stats.clone(),
    )));
    let state = Arc::new(state);
    let cfg_keys = cfg.api_keys.clone();
    let node = Arc::new(Node {
        cfg,
        listen,
        state: state.clone(),
        io: io.clone(),
        draining: draining.clone(),
        started: Instant::now(),
        position,
    });

    let tasks = CancellationToken::new();
    // Deliveries: follow the log, fan each entry out once.
    let (tx, rx) = mpsc::channel::<Entry>(4096);
    let follow = tokio::spawn({
        let log = log.clone();
        let cancel = tasks.clone();
        async move { log.follow(start, tx, cancel).await }
    });
    let deliver = tokio::spawn(delivery::deliver(
        io.clone(),
        node.position.clone(),
        metrics.clone(),
        rx,
    ));
    if let Some(k) = cfg_keys {
        tokio::spawn(api_keys::watch(k, tasks.clone()));
    }
    let beat = redis
        .clone()
        .map(|con| tokio::spawn(heartbeats(node.clone(), con, keys.clone(), tasks.clone())));

    // Serve HTTP (Socket.IO, API, health, metrics) until shutdown.
    let http_stop = CancellationToken::new();
    let server = tokio::spawn({
        let node = node.clone();
        let stop = http_stop.clone();
        let limits = node.cfg.http.clone();
        async move {
            engine::serve_guarded(
                listener,
                stop,
                limits,
                http_stats,
                "/socket.io/",
                move |req| service(node.clone(), req),
            )
            .await
        }
    });
    tracing::info!(node = %node.cfg.node_id, listen = %listen, redis = node.cfg.redis_url.is_some(), "rtctl serve ready");
    shutdown.cancelled().await;

    // Drain.
    let deadline = Instant::now() + node.cfg.drain_timeout;
    tracing::info!(node = %node.cfg.node_id, "draining: readiness false, devices told to reconnect");
    draining.store(true, Relaxed);
    http_stop.cancel();
    io.close_all(CloseReason::ServerShutdown);
    if let Some(mut con) = redis {
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            presence::remove(&mut con, &keys, &node.cfg.node_id),
        )
        .await;
    }
    tasks.cancel();
    let rest = deadline.saturating_duration_since(Instant::now());
    let _ = tokio::time::timeout(rest, async {
        let _ = server.await;
        let _ = follow.await;
        let _ = deliver.await;
        if let Some(b) = beat {
            let _ = b.await;
        }
        while io.stats().sessions.load(Relaxed) > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    tracing::info!(node = %node.cfg.node_id, "stopped");
    Ok(())
}

/// Write this node's heartbeat every second, and its drill-down detail every `DETAIL_EVERY`.
async fn heartbeats(
    node: Arc<Node>,
    mut con: redis_conn::Conn,
    keys: Keys,
    cancel: CancellationToken,
) {
    let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_detail: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = cancel.cancelled() => return,
        }
        let m = &node.state.metrics;
        api::refresh_stalled_lag(&node.state.log, m);
        let reader = node.state.log.reader_status();
        let handler = node.io.handler();
        let rooms = handler.department_counts();
        let (ips, top_ip_share, top_ips) = handler.client_ips.summary(schema::DETAIL_IPS);
        let (top_rooms, departments, department_members) =
            schema::summarize_rooms(rooms.iter().cloned());
        let hb = Heartbeat {
            node_id: node.cfg.node_id.clone(),
            listen: node.listen.to_string(),
            version: env!("CARGO_PKG_VERSION").into(),
            at_ms: now_ms(),
            uptime_secs: node.started.elapsed().as_secs(),
            connections: m.connections.load(Relaxed).max(0) as u64,
            rooms: top_rooms,
            messages_in: m.messages_in.load(Relaxed),
            messages_out: m.deliveries.load(Relaxed),
            memory_bytes: metrics::Process::read().map_or(0, |p| p.rss_bytes),
            sockets_behind: m.sockets_behind.load(Relaxed).max(0) as u64,
            log_offset: node.position.delivered().to_string(),
            draining: node.draining.load(Relaxed),
            log_reader: reader.state.into(),
            log_read_at_ms: reader.last_read_ms,
            log_stalled_secs: reader.stalled_for.as_secs(),
            log_reader_error: reader.error,
            log_lag_ms: m.log_lag_ms.load(Relaxed).max(0) as u64,
            departments,
            department_members,
            client_ips: ips,
            top_client_ip_share: top_ip_share,
            recoveries: m.recoveries.load(Relaxed),
            gaps: m.gaps.load(Relaxed),
            overflow_catch_ups: m.overflow_catch_ups.load(Relaxed),
            redis_errors: m.redis_errors.load(Relaxed),
            log_max_len: node.cfg.retention.max_len as u64,
            log_max_age_secs: node.cfg.retention.max_age.map_or(0, |a| a.as_secs()),
        };
        if let Err(e) = presence::write(&mut con, &keys, &hb, HEARTBEAT_TTL).await {
            m.redis_errors.fetch_add(1, Relaxed);
            tracing::warn!(cause = %e, "heartbeat not written");
        }
        if last_detail.is_none_or(|t| t.elapsed() >= DETAIL_EVERY) {
            last_detail = Some(Instant::now());
            let detail = NodeDetail {
                node_id: hb.node_id.clone(),
                at_ms: hb.at_ms,
                departments: rooms
                    .into_iter()
                    .map(|(r, n)| (r.strip_prefix("department:").unwrap_or(&r).to_string(), n))
                    .collect(),
                client_ips: top_ips,
                disconnects: metrics::DISCONNECT_REASONS
                    .iter()
                    .zip(&m.disconnects)
                    .map(|(r, n)| (r.to_string(), n.load(Relaxed)))
                    .filter(|(_, n)| *n > 0)
                    .collect(),
            };
            if let Err(e) = presence::write_detail(&mut con, &keys, &detail, DETAIL_TTL).await {
                m.redis_errors.fetch_add(1, Relaxed);
                tracing::warn!(cause = %e, "heartbeat detail not written");
            }
        }
    }
}

/// One HTTP request: Socket.IO to the engine, the rest to the API router; CORS and the
/// node-id header on everything.
async fn service(node: Arc<Node>, req: Request<engine::RequestBody>) -> Response<engine::Body> {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let is_sio = req.uri().path() == "/socket.io/";
    let mut res = if is_sio && req.method() == Method::OPTIONS {
        let mut r = Response::new(Full::new(Bytes::new()));
        *r.status_mut() = StatusCode::NO_CONTENT;
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        if let Some(v) = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v.clone());
        }
        r
    } else if is_sio {
        let refused = node
            .state
            .limits
            .as_ref()
            .and_then(|l| l.refuse_bad_handshake(&req));
        match refused {
            Some(r) => r,
            None => node.io.engine().handle(req).await,
        }
    } else {
        let router = api::router(node.state.clone());
        let (parts, body) = req.into_parts();
        let res = router
            .oneshot(Request::from_parts(parts, AxumBody::new(body)))
            .await
            .unwrap_or_else(|never| match never {});
        let (parts, body) = res.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        Response::from_parts(parts, Full::new(bytes))
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&node.cfg.node_id) {
        h.insert("x-rtctl-node", v);
    }
    if let Some(o) = origin {
        let allowed = node
            .cfg
            .cors_origins
            .iter()
            .any(|a| a == "*" || o.to_str().is_ok_and(|s| s == a));
        if allowed {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
    res
}
