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
pub mod registry;
pub mod registry_api;
/// Moved to `crate::redis_conn` (`top` and `status` use it too); re-exported for old paths.
pub use crate::redis_conn;
pub mod session;
pub mod token;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use std::convert::Infallible;

use axum::body::Body as AxumBody;
use axum::Router;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tower_http::cors::{AllowCredentials, AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

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
    /// Where the device registry lives without Redis (`--data-dir`); with neither, the node
    /// has no registry and its endpoints answer 503.
    pub data_dir: Option<std::path::PathBuf>,
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
            Store::memory(Store::ttl(cfg.retention.max_age)),
            PidSigner::random(window),
        ),
    };
    let registry = match (&redis, &cfg.data_dir) {
        (Some(con), dir) => {
            if let Some(d) = dir {
                tracing::warn!(data_dir = %d.display(), "--data-dir unused: the device registry is in Redis");
            }
            Some(Arc::new(registry::Registry::Redis {
                con: con.clone(),
                keys: keys.clone(),
            }))
        }
        (None, Some(dir)) => Some(Arc::new(registry::Registry::Disk(Arc::new(
            registry::DiskStore::open(dir, &cfg.node_id)
                .map_err(|e| ServeError::Config(e.to_string()))?,
        )))),
        (None, None) => None,
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
    });
    let io = SocketIo::new(cfg.engine.clone(), ["/"], handler)
        .map_err(|e| ServeError::Config(e.to_string()))?;
    let http_stats = Arc::new(engine::HttpStats::default());
    state.limits = Some(Arc::new(limits::LimitMetrics::new(
        io.engine().stats_handle(),
        http_stats.clone(),
    )));
    let local_devices: registry::LocalDevices = {
        let io = io.clone();
        // Every connected device is in its room (`delivery::device_room`).
        Arc::new(move || {
            io.of("/")
                .map(|n| {
                    n.rooms_with_prefix::<Vec<_>>(delivery::DEVICE_ROOM)
                        .into_iter()
                        .filter_map(registry::LocalDevice::from_room)
                        .collect()
                })
                .unwrap_or_default()
        })
    };
    state.devices = Some(Arc::new(registry_api::Devices {
        registry: registry.clone(),
        local: local_devices.clone(),
        fleet: redis.clone().map(|c| (c, keys.clone())),
        metrics: Default::default(),
    }));
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
    // Who is connected here, every second: for `last_seen` in the registry and the fleet-wide
    // online set in Redis; with neither there is nothing to keep up to date.
    let devices_presence = (registry.is_some() || redis.is_some()).then(|| {
        tokio::spawn(registry::presence(
            node.cfg.node_id.clone(),
            local_devices,
            registry,
            redis.clone().map(|c| (c, keys.clone())),
            HEARTBEAT_EVERY,
            HEARTBEAT_TTL,
            tasks.clone(),
        ))
    });
    if let Some(k) = cfg_keys {
        tokio::spawn(api_keys::watch(k, tasks.clone()));
    }
    let beat = redis
        .clone()
        .map(|con| tokio::spawn(heartbeats(node.clone(), con, keys.clone(), tasks.clone())));

    // Serve HTTP (Socket.IO, API, health, metrics) until shutdown.
    let http_stop = CancellationToken::new();
    let server = tokio::spawn({
        let app = app(&node);
        let stop = http_stop.clone();
        let limits = node.cfg.http.clone();
        async move {
            engine::serve_guarded(
                listener,
                stop,
                limits,
                http_stats,
                ENGINE_PATH,
                move |req: Request<engine::RequestBody>| {
                    let res = app.clone().oneshot(req.map(AxumBody::new));
                    async move { res.await.unwrap_or_else(|never| match never {}) }
                },
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
        if let Some(p) = devices_presence {
            let _ = p.await;
        }
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

/// Where Engine.IO is mounted (the socket.io-client default path).
const ENGINE_PATH: &str = "/socket.io/";

/// An API request (publish, health, metrics) that has not been answered within this time
/// (plus a replicated publish's `WAIT`) gets `503`: a safety net, every Redis call under it
/// has a shorter deadline of its own.
const API_TIMEOUT: Duration = Duration::from_secs(30);

/// The node's HTTP surface, built once: Engine.IO at [`ENGINE_PATH`], the API routes
/// ([`api::router`]) beside it, CORS and the `x-rtctl-node` header on every response.
///
/// Which layer owns what:
/// - [`engine::serve_guarded`] (the connection loop, `engine/guard.rs`): the connection
///   ceiling and its reserve for health/API requests, request-head size and read deadline,
///   request-body read deadline (`408`), unfinished bodies per client IP (`429`), the client
///   IP behind trusted gateways. Nothing below repeats these.
/// - the engine: Engine.IO's own limits (`maxHttpBufferSize` for a polling POST body,
///   handshake and upgrade rules); long-polls and WebSocket upgrades pass through this router
///   as they are, never buffered or cut by a timeout here.
/// - [`limits::LimitMetrics::refuse_bad_handshake`]: identity headers checked at the handshake.
/// - the API handlers: the publish body limit (`413` with a JSON error naming the limit);
///   tower-http's `TimeoutLayer` here bounds an API request's handling ([`API_TIMEOUT`]).
/// - tower-http's `CorsLayer`: `Access-Control-*` and `Vary` for the configured
///   `--cors-origin` list (`*` allows any origin; the origin is echoed, with credentials).
///   Preflights are answered `204` for [`ENGINE_PATH`] (what socket.io clients send); on
///   other paths a preflight gets no `Access-Control-Allow-Origin`, so browsers refuse
///   cross-origin API calls that need one, as before.
/// - tower-http's `SetResponseHeaderLayer`: `x-rtctl-node: <node id>` on every response.
fn app(node: &Node) -> Router {
    let io = node.io.clone();
    let limits = node.state.limits.clone();
    let engine = tower::service_fn(move |req: Request<AxumBody>| {
        let refused = limits.as_ref().and_then(|l| l.refuse_bad_handshake(&req));
        let handled = refused.is_none().then(|| io.engine().handle(req));
        async move {
            let res = match (refused, handled) {
                (Some(r), _) => r,
                (None, Some(f)) => f.await,
                (None, None) => unreachable!("a request is either refused or handled"),
            };
            Ok::<_, Infallible>(res.map(AxumBody::new))
        }
    });
    let api_timeout = API_TIMEOUT
        + match node.cfg.durability {
            log::Durability::Replicated { timeout, .. } => timeout,
            log::Durability::Leader => Duration::ZERO,
        };
    let api = api::router(node.state.clone()).layer(TimeoutLayer::with_status_code(
        StatusCode::SERVICE_UNAVAILABLE,
        api_timeout,
    ));
    Router::new()
        .route_service(ENGINE_PATH, engine)
        .merge(api)
        .layer(cors(node.cfg.cors_origins.clone()))
        .layer(axum::middleware::map_response(preflight_no_content))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-rtctl-node"),
            HeaderValue::from_str(&node.cfg.node_id).ok(),
        ))
}

/// CORS for the `--cors-origin` list: an allowed `Origin` is echoed with
/// `Access-Control-Allow-Credentials: true`; a preflight (to [`ENGINE_PATH`]) allows `GET`
/// and `POST` and the headers it asks for.
fn cors(origins: Vec<String>) -> CorsLayer {
    let origins: Arc<[String]> = origins.into();
    let allowed = move |origin: &HeaderValue, req: &hyper::http::request::Parts| {
        (req.method != Method::OPTIONS || req.uri.path() == ENGINE_PATH)
            && origins
                .iter()
                .any(|a| a == "*" || origin.to_str().is_ok_and(|s| s == a))
    };
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(allowed.clone()))
        .allow_credentials(AllowCredentials::predicate(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(AllowHeaders::mirror_request())
        .vary([header::ORIGIN])
}

/// tower-http answers a preflight `200`; the node (like socket.io's own server) answers `204`.
/// Only preflight answers carry `Access-Control-Allow-Methods`.
async fn preflight_no_content(mut res: Response<AxumBody>) -> Response<AxumBody> {
    if res.status() == StatusCode::OK
        && res
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_METHODS)
    {
        *res.status_mut() = StatusCode::NO_CONTENT;
    }
    res
}
