//! HTTP entry points: long-polling requests, the WebSocket upgrade, and a
//! small hyper server loop.
//!
//! [`EioServer::handle`] answers one request whatever its path; mount it where
//! the clients expect it (`/socket.io/` by default). A bigger application can
//! call it from its own router, e.g. with axum:
//!
//! ```ignore
//! let io = socket_io.clone();
//! let app = Router::new()
//!     .route("/health", get(health))
//!     .route("/socket.io/", any(move |req: Request| io.engine().handle(req)));
//! ```
//!
//! or use [`serve`] / [`SocketIo::serve`] directly. WebSocket upgrades need the
//! HTTP/1 connection to be served with upgrades enabled (hyper's
//! `serve_connection(..).with_upgrades()`, as axum and [`serve`] do). When the
//! upgraded connection is a plain `TcpStream` served by [`serve`], the engine
//! takes the socket itself and releases hyper's buffers; otherwise it works on
//! hyper's `Upgraded` stream.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use super::conn::{Role, WsConn};
use super::eio::{self, Frame};
use super::guard::{client_ip, ClientIp, HttpLimits, HttpStats, RequestBody, Unfinished};
use super::query::{EioQuery, ErrorCode, Transport};
use super::server::{CloseReason, EioHandler, EioServer, GetOutcome, HandshakeRequest, Session};
use super::socket::{Handler, SocketIo};
use super::tcp::SharedTcp;
use super::ws;

/// Response body type of the engine.
pub type Body = Full<Bytes>;

/// The peer address; [`serve`] puts it in each request's extensions so that
/// [`HandshakeRequest::remote_addr`] is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteAddr(pub SocketAddr);

fn error(code: ErrorCode) -> Response<Body> {
    json_error(code, code.message())
}

fn json_error(code: ErrorCode, message: &str) -> Response<Body> {
    let mut res = Response::new(Full::new(Bytes::from(code.json_body_with_message(message))));
    *res.status_mut() = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// A refused handshake: `{"code":4,"message":…}` with 403 (or 429 for a limit).
fn rejection(rej: &super::server::Rejection) -> Response<Body> {
    let mut res = json_error(ErrorCode::Forbidden, &rej.message);
    if let Ok(s) = StatusCode::from_u16(rej.status()) {
        *res.status_mut() = s;
    }
    res
}

fn status(code: StatusCode) -> Response<Body> {
    let mut res = Response::new(Full::new(Bytes::new()));
    *res.status_mut() = code;
    res
}

fn text(body: Bytes, content_type: &'static str) -> Response<Body> {
    let mut res = Response::new(Full::new(body));
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

fn polling_body(frames: &[Frame]) -> Response<Body> {
    let mut out = BytesMut::with_capacity(eio::payload_len(frames));
    eio::encode_payload(frames, &mut out);
    text(out.freeze(), "text/plain; charset=UTF-8")
}

/// A pending long-polling GET. Dropping it before it completes (the client
/// went away) closes the session, as the official server does.
struct GetFuture<H: EioHandler> {
    session: Option<Arc<Session<H>>>,
}

impl<H: EioHandler> Future for GetFuture<H> {
    type Output = Vec<Frame>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<Frame>> {
        let Some(session) = self.session.as_ref() else {
            return Poll::Ready(Vec::new());
        };
        match session.poll_get(cx.waker()) {
            GetOutcome::Frames(f) => {
                self.session = None;
                Poll::Ready(f)
            }
            GetOutcome::Pending => Poll::Pending,
        }
    }
}

impl<H: EioHandler> Drop for GetFuture<H> {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            s.abandon_get();
        }
    }
}

/// Ends the POST registration however the request finishes.
struct PostGuard<H: EioHandler>(Arc<Session<H>>);

impl<H: EioHandler> Drop for PostGuard<H> {
    fn drop(&mut self) {
        self.0.end_post();
    }
}

fn header_has_token(req_headers: &hyper::HeaderMap, name: header::HeaderName, token: &str) -> bool {
    req_headers.get_all(name).iter().any(|v| {
        v.to_str()
            .is_ok_and(|s| s.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    })
}

impl<H: EioHandler> EioServer<H> {
    /// Answers one Engine.IO request (polling GET/POST or WebSocket upgrade).
    pub fn handle<B>(
        &self,
        req: Request<B>,
    ) -> impl Future<Output = Response<Body>> + Send + 'static
    where
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let server = self.clone();
        async move { server.dispatch(req).await }
    }

    async fn dispatch<B>(self, mut req: Request<B>) -> Response<Body>
    where
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let raw_query = req.uri().query().unwrap_or("").to_owned();
        let query = match EioQuery::parse(&raw_query) {
            Ok(q) => q,
            Err(e) => {
                tracing::debug!(error = %e, "bad engine.io request");
                return error(e.code());
            }
        };
        let transports = self.config().transports;
        let enabled = match query.transport() {
            Transport::Polling => transports.polling,
            Transport::Websocket => transports.websocket,
        };
        if !enabled {
            return error(ErrorCode::UnknownTransport);
        }
        let remote_addr = req.extensions().get::<RemoteAddr>().map(|a| a.0);
        let client_ip = req
            .extensions()
            .get::<ClientIp>()
            .map(|c| c.0)
            .or(remote_addr.map(|a| a.ip()));
        let session = match query.sid() {
            Some(sid) => match self.session(sid) {
                Some(s) => Some(s),
                None => return error(ErrorCode::UnknownSid),
            },
            None => None,
        };
        match (query.transport(), session) {
            (Transport::Polling, None) => {
                if req.method() != Method::GET {
                    return error(ErrorCode::BadHandshakeMethod);
                }
                let hs = HandshakeRequest {
                    query: &query,
                    headers: req.headers(),
                    transport: Transport::Polling,
                    remote_addr,
                    client_ip,
                };
                match self.open_session(&hs) {
                    Ok(session) => {
                        session.begin_get();
                        match session.poll_get(std::task::Waker::noop()) {
                            GetOutcome::Frames(f) => polling_body(&f),
                            GetOutcome::Pending => polling_body(&[Frame::NOOP]),
                        }
                    }
                    Err(rej) => rejection(&rej),
                }
            }
            (Transport::Polling, Some(session)) => {
                if session.pong_deadline_passed() {
                    // as if the heartbeat timer had already fired
                    session.close(CloseReason::PingTimeout);
                    self.stats()
                        .expired_on_access_total
                        .fetch_add(1, Ordering::Relaxed);
                    return error(ErrorCode::UnknownSid);
                }
                if !session.is_polling() {
                    return error(ErrorCode::BadRequest);
                }
                match *req.method() {
                    Method::GET => self.poll(session).await,
                    Method::POST => self.post(session, req).await,
                    _ => error(ErrorCode::BadRequest),
                }
            }
            (Transport::Websocket, session) => {
                let Some(key) = websocket_key(&req) else {
                    return error(ErrorCode::BadRequest);
                };
                let role_session = match session {
                    None => {
                        let hs = HandshakeRequest {
                            query: &query,
                            headers: req.headers(),
                            transport: Transport::Websocket,
                            remote_addr,
                            client_ip,
                        };
                        match self.open_session(&hs) {
                            Ok(s) => (Role::Active, s),
                            Err(rej) => return rejection(&rej),
                        }
                    }
                    Some(s) => match s.begin_upgrade() {
                        Some(token) => (Role::Probing(token), s),
                        None => {
                            // already upgraded or upgrading: as engine.io, accept the
                            // WebSocket and close it at once with a close frame
                            tracing::debug!(sid = %s.sid(), "websocket for a session already upgraded or upgrading: closing");
                            let on_upgrade = hyper::upgrade::on(&mut req);
                            tokio::spawn(close_at_once(on_upgrade));
                            return switching_protocols(&key);
                        }
                    },
                };
                let on_upgrade = hyper::upgrade::on(&mut req);
                let conn = req
                    .extensions_mut()
                    .remove::<ConnHandle>()
                    .and_then(ConnHandle::into_count);
                drop(req);
                let (role, session) = role_session;
                tokio::spawn(run_websocket(on_upgrade, session, role, conn));
                switching_protocols(&key)
            }
        }
    }

    async fn poll(&self, session: Arc<Session<H>>) -> Response<Body> {
        if !session.begin_get() {
            tracing::debug!(sid = %session.sid(), "overlapping poll: closing");
            session.close(CloseReason::TransportError);
            return error(ErrorCode::BadRequest);
        }
        let frames = GetFuture {
            session: Some(session),
        }
        .await;
        polling_body(&frames)
    }

    async fn post<B>(&self, session: Arc<Session<H>>, req: Request<B>) -> Response<Body>
    where
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if !session.begin_post() {
            tracing::debug!(sid = %session.sid(), "overlapping post: closing");
            session.close(CloseReason::TransportError);
            return error(ErrorCode::BadRequest);
        }
        let _guard = PostGuard(session.clone());
        let binary = req
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/octet-stream"));
        if binary {
            // not used by Engine.IO v4 clients (binary is base64 in polling)
            session.close(CloseReason::TransportError);
            return error(ErrorCode::BadRequest);
        }
        let max = self.config().max_payload;
        let body = match Limited::new(req.into_body(), max).collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                if e.is::<http_body_util::LengthLimitError>() {
                    tracing::debug!(sid = %session.sid(), "polling body over maxPayload");
                    session.close(CloseReason::TransportError);
                    return status(StatusCode::PAYLOAD_TOO_LARGE);
                }
                session.close(CloseReason::TransportError);
                return error(ErrorCode::BadRequest);
            }
        };
        let packets = match eio::decode_payload(&body, max) {
            Ok(p) => p,
            Err(e) => {
                tracing::debug!(sid = %session.sid(), error = %e, "invalid polling payload");
                session.close(CloseReason::ParseError);
                return error(ErrorCode::BadRequest);
            }
        };
        for p in packets {
            match p {
                Ok(p) => session.on_packet(p),
                Err(e) => {
                    tracing::debug!(sid = %session.sid(), error = %e, "invalid packet");
                    session.close(CloseReason::ParseError);
                    return error(ErrorCode::BadRequest);
                }
            }
            if session.is_closed() {
                break;
            }
        }
        text(Bytes::from_static(b"ok"), "text/html")
    }
}

/// The `101 Switching Protocols` answer to a WebSocket upgrade with this key.
fn switching_protocols(key: &str) -> Response<Body> {
    let mut res = status(StatusCode::SWITCHING_PROTOCOLS);
    let h = res.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&ws::accept_key(key.as_bytes())) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    res
}

/// A WebSocket that is accepted only to be closed: a close frame (no status), then the
/// connection ends (engine.io's `socket.close()` for a session already upgraded).
async fn close_at_once(on_upgrade: hyper::upgrade::OnUpgrade) {
    use tokio::io::AsyncWriteExt;
    let Ok(upgraded) = on_upgrade.await else {
        return;
    };
    let mut io = TokioIo::new(upgraded);
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        io.write_all(&[0x88, 0x00]).await?;
        io.shutdown().await
    })
    .await;
}

/// The `Sec-WebSocket-Key` of a valid WebSocket upgrade request.
fn websocket_key<B>(req: &Request<B>) -> Option<String> {
    let h = req.headers();
    let ok = req.method() == Method::GET
        && header_has_token(h, header::UPGRADE, "websocket")
        && header_has_token(h, header::CONNECTION, "upgrade")
        && h.get(header::SEC_WEBSOCKET_VERSION)
            .is_some_and(|v| v.as_bytes() == b"13");
    if !ok {
        return None;
    }
    let key = h.get(header::SEC_WEBSOCKET_KEY)?.to_str().ok()?.trim();
    valid_websocket_key(key).then(|| key.to_owned())
}

/// RFC 6455 §4.2.1: the key is the base64 of 16 bytes (24 characters, padded).
fn valid_websocket_key(key: &str) -> bool {
    use base64::Engine as _;
    key.len() == 24
        && base64::engine::general_purpose::STANDARD
            .decode(key)
            .is_ok_and(|k| k.len() == 16)
}

/// The connection task of a WebSocket.
async fn run_websocket<H: EioHandler>(
    on_upgrade: hyper::upgrade::OnUpgrade,
    session: Arc<Session<H>>,
    role: Role,
    conn: Option<ConnCount>,
) {
    let upgraded = match on_upgrade.await {
        Ok(u) => u,
        Err(e) => {
            tracing::debug!(sid = %session.sid(), error = %e, "websocket upgrade failed");
            match role {
                Role::Active => session.close(CloseReason::TransportError),
                Role::Probing(token) => session.abort_upgrade(token.get()),
            }
            return;
        }
    };
    // The connection gets a task of its own, sized for the connection alone
    // (this task, holding the upgrade future, ends here).
    match upgraded.downcast::<TokioIo<TcpStream>>() {
        Ok(parts) => {
            let hyper::upgrade::Parts { io, read_buf, .. } = parts;
            // copy what hyper read ahead and release its buffer now
            let pre = read_buf.to_vec();
            drop(read_buf);
            // counted as an open connection of the guarded server while it lives; spawned
            // as it is (an `async` block around it would hold it twice: a 512-byte cell)
            let io = SharedTcp::new(io.into_inner());
            tokio::spawn(WsConn::with_pre(io, pre, session, role).holding(conn));
        }
        Err(upgraded) => {
            let io = TokioIo::new(upgraded);
            tokio::spawn(WsConn::with_pre(io, Vec::new(), session, role).holding(conn));
        }
    }
}

/// Serves HTTP/1.1 on `listener` until `shutdown` is cancelled, answering
/// each request with `service`. Connections get a [`RemoteAddr`] extension,
/// `TCP_NODELAY`, upgrades, and a graceful shutdown. Returns once the
/// listener stopped accepting; open connections finish on their own.
pub async fn serve<S, F>(
    listener: TcpListener,
    shutdown: CancellationToken,
    service: S,
) -> std::io::Result<()>
where
    S: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    loop {
        let (stream, addr) = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // e.g. EMFILE: back off instead of spinning
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let svc = service.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let handler = service_fn(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(RemoteAddr(addr));
                let fut = svc(req);
                async move { Ok::<_, Infallible>(fut.await) }
            });
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), handler)
                .with_upgrades();
            tokio::pin!(conn);
            let res = tokio::select! {
                r = conn.as_mut() => r,
                _ = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = res {
                tracing::trace!(error = %e, "http connection ended with an error");
            }
        });
    }
}

/// A response refused by a limit: a JSON error and `Connection: close`.
fn refused(code: StatusCode, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut res = Response::new(Full::new(Bytes::from(body)));
    *res.status_mut() = code;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// One open connection of [`serve_guarded`]: counted until dropped (unless a WebSocket took
/// the count), and evictable while it waits for a request head (fresh or keep-alive idle).
pub(crate) struct ConnCtl {
    /// A request is being served, or the connection is becoming a WebSocket.
    busy: AtomicBool,
    evict: tokio::sync::Notify,
    /// The connection's place in the count; `None` once a WebSocket took it.
    count: std::sync::Mutex<Option<ConnCount>>,
}

/// A connection's place in the guarded server's count of open connections, given back when
/// dropped: with its control block, or with the WebSocket's task that took it.
pub(crate) struct ConnCount(Arc<HttpStats>);

impl Drop for ConnCount {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The connection of a request, put into its extensions by [`serve_guarded`]: a WebSocket
/// takes its count with [`ConnHandle::into_count`].
#[derive(Clone)]
pub(crate) struct ConnHandle {
    _held: Arc<ConnCtl>,
}

impl ConnHandle {
    /// Moves the connection's count out of its control block, for the WebSocket's task to
    /// hold: the block (64 bytes) and its registry entry are then freed once HTTP is done
    /// with the connection, instead of living as long as the WebSocket. A WebSocket is out of
    /// the registry, so never evicted. `None` if the count was taken already.
    pub(crate) fn into_count(self) -> Option<ConnCount> {
        super::server::lock(&self._held.count).take()
    }
}

/// The open connections, oldest first, for eviction at the ceiling.
#[derive(Default)]
struct Registry {
    conns: std::sync::Mutex<std::collections::VecDeque<std::sync::Weak<ConnCtl>>>,
}

impl Registry {
    fn add(&self, c: &Arc<ConnCtl>) {
        let mut q = super::server::lock(&self.conns);
        // amortised cleanup: look at two old entries per new one
        for _ in 0..2 {
            match q.pop_front() {
                Some(w) if w.strong_count() > 0 => q.push_back(w),
                Some(_) => {}
                None => break,
            }
        }
        q.push_back(Arc::downgrade(c));
    }

    /// Closes the oldest connection that waits for a request head; `false` if none was
    /// found among the oldest few hundred.
    fn evict_idle(&self) -> bool {
        let mut q = super::server::lock(&self.conns);
        for _ in 0..q.len().min(256) {
            let Some(w) = q.pop_front() else { break };
            let Some(c) = w.upgrade() else { continue };
            if !c.busy.swap(true, Ordering::AcqRel) {
                c.evict.notify_one();
                return true;
            }
            q.push_back(w);
        }
        false
    }
}

/// [`serve`] with [`HttpLimits`]: at most `max_connections` connections are served (then
/// `reserved_connections` more, one non-Engine.IO request each, for health checks and the
/// API; beyond that `503` and close), request heads and bodies have deadlines, and a client
/// IP (see [`client_ip`]) has at most `max_unfinished_per_ip` request bodies arriving at
/// once (`429` beyond). Each request carries [`RemoteAddr`] and [`ClientIp`]; everything
/// refused is counted in `stats`. `engine_path` is where Engine.IO is mounted.
///
/// The service's response body `B` is streamed as it is (e.g. an axum `Router`'s body);
/// the server's own refusals are small JSON bodies.
pub async fn serve_guarded<S, F, B>(
    listener: TcpListener,
    shutdown: CancellationToken,
    limits: HttpLimits,
    stats: Arc<HttpStats>,
    engine_path: &'static str,
    service: S,
) -> std::io::Result<()>
where
    S: Fn(Request<RequestBody>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<B>> + Send + 'static,
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let limits = Arc::new(limits);
    let unfinished = Arc::new(Unfinished::default());
    let registry = Registry::default();
    loop {
        let (stream, addr) = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let mut open = stats.connections.fetch_add(1, Ordering::Relaxed) + 1;
        let ctl = Arc::new(ConnCtl {
            busy: AtomicBool::new(false),
            evict: tokio::sync::Notify::new(),
            count: std::sync::Mutex::new(Some(ConnCount(stats.clone()))),
        });
        let ceiling = limits.max_connections + limits.reserved_connections;
        if open > ceiling {
            // make room by closing the oldest connection that has not sent a request
            if registry.evict_idle() {
                stats.idle_evicted_total.fetch_add(1, Ordering::Relaxed);
                open = ceiling;
            } else {
                stats
                    .connections_refused_total
                    .fetch_add(1, Ordering::Relaxed);
                tracing::debug!(peer = %addr, open, "connection ceiling reached: 503");
                // best effort, never blocking the accept loop
                let _ = stream.try_write(
                    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
                      connection: close\r\ncontent-length: 45\r\nretry-after: 1\r\n\r\n\
                      {\"error\":\"connection ceiling reached: retry\"}",
                );
                continue;
            }
        }
        registry.add(&ctl);
        let reserved = open > limits.max_connections;
        let _ = stream.set_nodelay(true);
        let svc = service.clone();
        let shutdown = shutdown.clone();
        let limits = limits.clone();
        let stats = stats.clone();
        let unfinished = unfinished.clone();
        tokio::spawn(async move {
            let header_timeout = limits.header_timeout;
            let max_header_bytes = limits.max_header_bytes.max(8192);
            let conn_ctl = ctl.clone();
            let handler = service_fn(move |req: Request<Incoming>| {
                conn_ctl.busy.store(true, Ordering::Release);
                let (mut parts, body) = req.into_parts();
                let ip = client_ip(addr.ip(), &parts.headers, &limits.trusted_proxies);
                parts.extensions.insert(RemoteAddr(addr));
                parts.extensions.insert(ClientIp(ip));
                parts.extensions.insert(ConnHandle {
                    _held: conn_ctl.clone(),
                });
                let is_engine = parts.uri.path() == engine_path;
                let timed_out = Arc::new(AtomicBool::new(false));
                let refusal = if reserved && is_engine {
                    stats.reserved_refused_total.fetch_add(1, Ordering::Relaxed);
                    Some(refused(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "connection ceiling reached: retry",
                    ))
                } else {
                    None
                };
                let guard = if refusal.is_none() && !body.is_end_stream() {
                    match unfinished.try_begin(ip, limits.max_unfinished_per_ip) {
                        Some(g) => Ok(Some(g)),
                        None => Err(()),
                    }
                } else {
                    Ok(None)
                };
                let fut = match (refusal, guard) {
                    (Some(r), _) => Err(r),
                    (None, Err(())) => {
                        stats
                            .unfinished_refused_total
                            .fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(%ip, "too many unfinished requests: 429");
                        Err(refused(
                            StatusCode::TOO_MANY_REQUESTS,
                            &format!(
                                "too many requests with a body still arriving from {ip} (limit {})",
                                limits.max_unfinished_per_ip
                            ),
                        ))
                    }
                    (None, Ok(g)) => {
                        let body = RequestBody::new(
                            body,
                            limits.body_timeout,
                            g,
                            stats.clone(),
                            timed_out.clone(),
                        );
                        Ok(svc(Request::from_parts(parts, body)))
                    }
                };
                let body_timeout = limits.body_timeout;
                let conn_ctl = conn_ctl.clone();
                async move {
                    let mut res = match fut {
                        Ok(f) => f.await.map(Either::Right),
                        Err(r) => r.map(Either::Left),
                    };
                    if timed_out.load(Ordering::Acquire) {
                        // whatever the handler made of the failed read, say what happened
                        res = refused(
                            StatusCode::REQUEST_TIMEOUT,
                            &format!(
                                "request body not received within {} s",
                                body_timeout.as_secs_f64()
                            ),
                        )
                        .map(Either::Left);
                    }
                    if reserved {
                        res.headers_mut()
                            .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    }
                    // idle again (an upgraded connection stays busy until HTTP lets it go; its
                    // WebSocket's task holds the count, not this block)
                    if res.status() != StatusCode::SWITCHING_PROTOCOLS {
                        conn_ctl.busy.store(false, Ordering::Release);
                    }
                    Ok::<_, Infallible>(res)
                }
            });
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_buf_size(max_header_bytes)
                .keep_alive(!reserved);
            let conn = builder
                .serve_connection(TokioIo::new(stream), handler)
                .with_upgrades();
            tokio::pin!(conn);
            let res = tokio::select! {
                r = conn.as_mut() => r,
                _ = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
                _ = ctl.evict.notified() => {
                    tracing::debug!(peer = %addr, "idle connection closed to make room");
                    Ok(())
                }
            };
            if let Err(e) = res {
                tracing::trace!(error = %e, "http connection ended with an error");
            }
        });
    }
}

/// Answers requests whose path is `path` with `server`, others with 404.
pub fn route<H: EioHandler>(
    path: &'static str,
    server: EioServer<H>,
) -> impl Fn(Request<Incoming>) -> Pin<Box<dyn Future<Output = Response<Body>> + Send>>
       + Clone
       + Send
       + Sync
       + 'static {
    move |req: Request<Incoming>| {
        if req.uri().path() == path {
            Box::pin(server.handle(req))
        } else {
            Box::pin(std::future::ready(status(StatusCode::NOT_FOUND)))
        }
    }
}

impl<H: Handler> SocketIo<H> {
    /// Serves this server at `/socket.io/` on `listener` (404 elsewhere) until
    /// `shutdown` is cancelled, then closes every connection with
    /// [`CloseReason::ServerShutdown`] (clients reconnect elsewhere).
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: CancellationToken,
    ) -> std::io::Result<()> {
        let res = serve(
            listener,
            shutdown,
            route("/socket.io/", self.engine().clone()),
        )
        .await;
        self.close_all(CloseReason::ServerShutdown);
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::socket::{ConnectError, ConnectRequest, SioLayer, Socket};
    use crate::engine::{sio, AckSender, Rejection};

    struct H;

    impl Handler for H {
        type Handshake = Box<str>;
        type Data = ();
        fn handshake(&self, _r: &HandshakeRequest<'_>) -> Result<Box<str>, Rejection> {
            Ok("".into())
        }
        fn connect(&self, _r: &ConnectRequest<'_, Self>) -> Result<(), ConnectError> {
            Ok(())
        }
        fn event(&self, _s: &Socket<Self>, _e: sio::Event, _a: Option<AckSender<Self>>) {}
    }

    fn returned_future_size<F, A, B, C, D, Fut>(_f: F) -> usize
    where
        F: Fn(A, B, C, D) -> Fut,
    {
        std::mem::size_of::<Fut>()
    }

    /// What an idle WebSocket connection costs is mostly these: keep them small.
    #[test]
    fn per_connection_structures_stay_small() {
        use std::mem::size_of;
        // the connection future lives in a tokio task cell aligned to 128 bytes, with ~110
        // bytes of tokio's own: at most 128 keeps the cell at 256 bytes (160 made it 384, and
        // an async block around it, holding it twice, 512)
        let ws = size_of::<WsConn<SioLayer<H>, SharedTcp>>();
        assert!(ws <= 128, "WsConn is {ws} bytes");
        assert!(size_of::<WsConn<SioLayer<H>, TokioIo<hyper::upgrade::Upgraded>>>() <= 144);
        let session = size_of::<Session<SioLayer<H>>>();
        // 240: the client IP counted as an unfinished handshake until CONNECT (issue 11)
        assert!(session <= 240, "Session is {session} bytes");
        // a slot of the session table per connection: the pointer alone, not the id beside it
        assert_eq!(size_of::<crate::engine::server::BySid<SioLayer<H>>>(), 8);
        // the task waiting for the upgrade is not the connection's task
        assert!(returned_future_size(run_websocket::<SioLayer<H>>) <= 96);
    }

    #[test]
    fn websocket_key_requires_an_upgrade_request() {
        let ok = Request::builder()
            .method("GET")
            .header("upgrade", "WebSocket")
            .header("connection", "keep-alive, Upgrade")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .body(())
            .expect("request");
        assert_eq!(
            websocket_key(&ok).as_deref(),
            Some("dGhlIHNhbXBsZSBub25jZQ==")
        );
        let mut bad = Request::builder()
            .method("GET")
            .header("upgrade", "websocket")
            .header("connection", "upgrade")
            .header("sec-websocket-version", "8")
            .header("sec-websocket-key", "x");
        assert!(websocket_key(&bad.body(()).expect("request")).is_none());
        bad = Request::builder()
            .method("POST")
            .header("upgrade", "websocket");
        assert!(websocket_key(&bad.body(()).expect("request")).is_none());
    }

    #[test]
    fn websocket_key_is_the_base64_of_16_bytes() {
        assert!(valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
        for bad in [
            "",
            "x",
            "dGhlIHNhbXBsZSBub25jZQ",   // unpadded
            "dGhlIHNhbXBsZSBub25jZXg=", // 17 bytes
            "dGhlIHNhbXBsZSBub25j",     // 15 bytes
            "dGhlIHNhbXBsZSBub25jZQ=!", // not base64
            "!!!!!!!!!!!!!!!!!!!!!!!!", // 24 characters of junk
        ] {
            assert!(!valid_websocket_key(bad), "{bad:?}");
        }
    }
}
