//! One Redis connection type for a single server and for a Redis Cluster.
//!
//! `--redis URL` may name a single server or any node of a cluster (detected with
//! `INFO cluster`); several comma-separated URLs always mean a cluster. Every rtctl key shares
//! one hash tag (`redis_schema`), so all of a fleet's keys live in one slot and multi-key
//! commands work in both modes. Both connection kinds reconnect by themselves.
//!
//! `redis+sentinel://HOST:PORT,HOST:PORT/MASTER` names a primary watched by Redis Sentinel:
//! connections ask the sentinels where the primary is and ask again after any connection
//! error or `READONLY` answer, so a promotion is followed without restarting the node.
//!
//! `rediss://` is Redis over TLS (rustls, with `ring`), `rediss+sentinel://` Sentinel over TLS: the server's certificate is verified
//! against the system's roots, or only against the CA given with `--redis-ca FILE`
//! ([`set_tls_roots`], once per process). A
//! password goes in the URL (`redis://:PASSWORD@HOST:PORT`, `redis://USER:PASSWORD@…`); error
//! messages show URLs through [`redact`].
//!
//! A cluster is remembered by its topology, not by the URLs it was given: at start and after
//! every failure the nodes listed by `CLUSTER NODES` (masters and replicas) join the seed list,
//! so a connection rebuilt after the seed's master died finds the promoted replica.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{
    AsyncConnectionConfig, Cmd, ConnectionAddr, ConnectionInfo, IntoConnectionInfo, Pipeline,
    RedisFuture, RedisResult, TlsCertificates, Value,
};

/// The CA certificates (PEM) `rediss://` connections trust instead of the system's roots.
static TLS_ROOTS: OnceLock<Vec<u8>> = OnceLock::new();

/// Trust only these CA certificates (PEM, one or more) for `rediss://`; returns how many. Set
/// once per process, before the first connection (`--redis-ca FILE`).
pub fn set_tls_roots(pem: Vec<u8>) -> Result<usize, String> {
    use rustls::pki_types::pem::PemObject;
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM certificate file: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate found: expected PEM (-----BEGIN CERTIFICATE-----)".into());
    }
    let n = certs.len();
    let _ = TLS_ROOTS.set(pem);
    Ok(n)
}

fn tls_certificates() -> Option<TlsCertificates> {
    TLS_ROOTS.get().map(|pem| TlsCertificates {
        client_tls: None,
        root_cert: Some(pem.clone()),
    })
}

fn is_tls(info: &ConnectionInfo) -> bool {
    matches!(info.addr(), ConnectionAddr::TcpTls { .. })
}

/// rustls needs a process-wide crypto provider: ring, the only one built (installing it
/// twice is harmless). rustls 0.23.48 deprecates it for lacking post-quantum key exchange;
/// aws-lc-rs would need cmake and a much longer build.
#[allow(deprecated)]
fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client for one server: with `--redis-ca`'s roots when it is a `rediss://` one.
fn client(info: ConnectionInfo) -> RedisResult<redis::Client> {
    tls_provider();
    match tls_certificates() {
        Some(certs) if is_tls(&info) => redis::Client::build_with_tls(info, certs),
        _ => redis::Client::open(info),
    }
}

/// Check a `--redis` value without connecting: one URL, several comma-separated cluster
/// seeds, or a `redis+sentinel://` / `rediss+sentinel://` URL. The message shows the URL
/// redacted.
pub fn check_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    if url.starts_with("redis+sentinel://") || url.starts_with("rediss+sentinel://") {
        return parse_sentinel_url(url)
            .map(drop)
            .map_err(|m| m.replace(url, &redact(url)));
    }
    for u in url.split(',').map(str::trim).filter(|u| !u.is_empty()) {
        u.into_connection_info()
            .map_err(|e| format!("{:?}: {e}", redact(u)))?;
    }
    Ok(())
}

/// `url` with its password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    url.split(',')
        .map(|u| match (u.find("://"), u.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let auth = &u[scheme + 3..at];
                match auth.split_once(':') {
                    Some((user, _)) => format!("{}{user}:***{}", &u[..scheme + 3], &u[at..]),
                    None => format!("{}***{}", &u[..scheme + 3], &u[at..]),
                }
            }
            _ => u.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// [`explain`], plus what a TLS / plain mismatch looks like from `url`'s scheme.
fn explain_at(url: &str, e: &redis::RedisError) -> String {
    let m = explain(e);
    if m != e.to_string() {
        return m;
    }
    let tls = url.trim_start().starts_with("rediss://");
    if tls && e.is_timeout() {
        format!("{m} (rediss://: is this port the server's --tls-port?)")
    } else if !tls && (e.is_connection_dropped() || m.contains("reset by peer")) {
        format!("{m} (a TLS port? then use rediss://)")
    } else {
        m
    }
}

/// A Redis error as a message that says what to do about the usual causes.
pub fn explain(e: &redis::RedisError) -> String {
    let m = e.to_string();
    let hint = if matches!(e.code(), Some("WRONGPASS" | "NOAUTH"))
        || m.contains("WRONGPASS")
        || m.contains("NOAUTH")
        || e.kind() == redis::ErrorKind::AuthenticationFailed
    {
        " (authentication refused: check the user and password in the URL, redis://[USER]:PASSWORD@HOST:PORT)"
    } else if m.contains("UnknownIssuer")
        || m.contains("certificate")
        || m.contains("NotValidForName")
    {
        " (TLS: the server's certificate is not trusted; give its CA with --redis-ca FILE)"
    } else if m.contains("InvalidContentType") || m.contains("CorruptMessage") {
        " (TLS: is this port a TLS port? rediss:// needs --tls-port, redis:// the plain one)"
    } else {
        ""
    };
    format!("{m}{hint}")
}

/// A connection to a single server or to a cluster.
#[derive(Clone)]
pub enum Conn {
    Manager(ConnectionManager),
    Multiplexed(MultiplexedConnection),
    Cluster(ClusterConnection),
    Sentinel(SentinelConn),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Manager(c) => c.req_packed_command(cmd),
            Conn::Multiplexed(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
            Conn::Sentinel(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Manager(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Multiplexed(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Sentinel(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Manager(c) => c.get_db(),
            Conn::Multiplexed(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
            Conn::Sentinel(c) => c.get_db(),
        }
    }
}

/// Where Redis is: one server, a cluster given by its seed nodes, or a primary found through
/// Sentinel.
#[derive(Clone)]
pub enum Redis {
    Single(Box<redis::Client>),
    Cluster(Arc<Seeds>),
    Sentinel(Arc<Sentinel>),
}

/// The sentinels watching one primary.
pub struct Sentinel {
    /// `host:port` of each sentinel, and the primary's name (for messages).
    pub sentinels: Vec<String>,
    pub master: String,
    client: tokio::sync::Mutex<redis::sentinel::SentinelClient>,
}

/// A parsed `redis+sentinel://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelUrl {
    /// `(host, port)` of each sentinel.
    pub sentinels: Vec<(String, u16)>,
    /// The primary's name as the sentinels know it.
    pub master: String,
    /// `user:password@` (or empty), for the primary and its replicas.
    pub auth: String,
    /// `rediss+sentinel://`: TLS to the sentinels and to the primary.
    pub tls: bool,
}

/// `redis+sentinel://[user:password@]HOST:PORT,HOST:PORT/MASTER`: the sentinel addresses and
/// the primary's name; user and password (if any) are for the primary and its replicas.
/// `rediss+sentinel://` is the same over TLS (sentinels and primary alike).
pub fn parse_sentinel_url(url: &str) -> Result<SentinelUrl, String> {
    let expected =
        "expected redis+sentinel://HOST:PORT[,HOST:PORT…]/MASTER_NAME (rediss+sentinel:// for TLS)";
    let (tls, rest) = match url.strip_prefix("rediss+sentinel://") {
        Some(rest) => (true, rest),
        None => (
            false,
            url.strip_prefix("redis+sentinel://")
                .ok_or_else(|| expected.to_string())?,
        ),
    };
    let (hosts, master) = rest.split_once('/').ok_or_else(|| expected.to_string())?;
    let master = master.split(['?', '/']).next().unwrap_or_default();
    if master.is_empty() {
        return Err(format!("{url}: no master name; {expected}"));
    }
    let (auth, hosts) = match hosts.rsplit_once('@') {
        Some((a, h)) => (format!("{a}@"), h),
        None => (String::new(), hosts),
    };
    let mut addrs = Vec::new();
    for h in hosts.split(',').filter(|h| !h.is_empty()) {
        let (host, port) = h
            .rsplit_once(':')
            .and_then(|(host, p)| Some((host, p.parse::<u16>().ok()?)))
            .ok_or_else(|| format!("{url}: sentinel {h:?} is not HOST:PORT"))?;
        addrs.push((host.trim_matches(['[', ']']).to_string(), port));
    }
    if addrs.is_empty() {
        return Err(format!("{url}: no sentinel; {expected}"));
    }
    Ok(SentinelUrl {
        sentinels: addrs,
        master: master.to_string(),
        auth,
        tls,
    })
}

impl Sentinel {
    fn open(url: &str) -> Result<Sentinel, String> {
        let SentinelUrl {
            sentinels: addrs,
            master,
            auth,
            tls,
        } = parse_sentinel_url(url)?;
        let sentinels: Vec<String> = addrs.iter().map(|(h, p)| format!("{h}:{p}")).collect();
        if tls {
            let client = Self::tls_client(&addrs, &master, &auth).map_err(|e| explain(&e))?;
            return Ok(Sentinel {
                sentinels,
                master,
                client: tokio::sync::Mutex::new(client),
            });
        }
        let infos = addrs
            .iter()
            .map(|(h, p)| ConnectionAddr::Tcp(h.clone(), *p).into_connection_info())
            .collect::<RedisResult<Vec<_>>>()
            .map_err(|e| e.to_string())?;
        // Credentials for the primary, read the way a redis:// URL is.
        let node = format!("redis://{auth}127.0.0.1:1/")
            .as_str()
            .into_connection_info()
            .map_err(|e| e.to_string())?;
        let node_info = redis::sentinel::SentinelNodeConnectionInfo::default()
            .set_redis_connection_info(node.redis_settings().clone());
        let client = redis::sentinel::SentinelClient::build(
            infos,
            master.clone(),
            Some(node_info),
            redis::sentinel::SentinelServerType::Master,
        )
        .map_err(|e| e.to_string())?;
        Ok(Sentinel {
            sentinels,
            master,
            client: tokio::sync::Mutex::new(client),
        })
    }

    /// `rediss+sentinel://`: TLS to the sentinels and to the primary, verified against
    /// `--redis-ca` when given (else the system's roots).
    fn tls_client(
        addrs: &[(String, u16)],
        master: &str,
        auth: &str,
    ) -> RedisResult<redis::sentinel::SentinelClient> {
        use redis::sentinel::{SentinelClientBuilder, SentinelServerType};
        tls_provider();
        let node = format!("redis://{auth}127.0.0.1:1/").into_connection_info()?;
        let tls_addrs = addrs.iter().map(|(h, p)| ConnectionAddr::TcpTls {
            host: h.clone(),
            port: *p,
            insecure: false,
            tls_params: None,
        });
        let mut b = SentinelClientBuilder::new(tls_addrs, master, SentinelServerType::Master)?
            .set_client_to_sentinel_tls_mode(redis::TlsMode::Secure)
            .set_client_to_redis_tls_mode(redis::TlsMode::Secure);
        if let Some(certs) = tls_certificates() {
            b = b
                .set_client_to_sentinel_certificates(certs.clone())
                .set_client_to_redis_certificates(certs);
        }
        if let Some(user) = node.redis_settings().username() {
            b = b.set_client_to_redis_username(user);
        }
        if let Some(pw) = node.redis_settings().password() {
            b = b.set_client_to_redis_password(pw);
        }
        b.build()
    }

    /// A connection to the current primary (asks the sentinels, which check its role).
    async fn primary(&self, response_timeout: Duration) -> RedisResult<MultiplexedConnection> {
        let cfg = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(response_timeout));
        let client = tokio::time::timeout(CONNECT_TIMEOUT * 2, async {
            self.client.lock().await.async_get_client().await
        })
        .await
        .map_err(|_| {
            redis::RedisError::from((
                redis::ErrorKind::Io,
                "sentinels did not name a primary in time",
            ))
        })??;
        client
            .get_multiplexed_async_connection_with_config(&cfg)
            .await
    }
}

/// A connection to the primary a Sentinel names, re-resolved after connection errors and
/// `READONLY` answers (the server it held was demoted). A command that failed is not retried:
/// the publish API answers 503 and the publisher retries (with its `Idempotency-Key`).
#[derive(Clone)]
pub struct SentinelConn {
    sentinel: Arc<Sentinel>,
    current: Arc<Mutex<Option<MultiplexedConnection>>>,
    connecting: Arc<tokio::sync::Mutex<()>>,
    response_timeout: Duration,
}

impl SentinelConn {
    async fn get(&self) -> RedisResult<MultiplexedConnection> {
        if let Some(c) = self.current.lock().expect("sentinel conn lock").clone() {
            return Ok(c);
        }
        let _one = self.connecting.lock().await;
        if let Some(c) = self.current.lock().expect("sentinel conn lock").clone() {
            return Ok(c);
        }
        let c = self.sentinel.primary(self.response_timeout).await?;
        tracing::info!(master = %self.sentinel.master, "redis: connected to the primary Sentinel names");
        *self.current.lock().expect("sentinel conn lock") = Some(c.clone());
        Ok(c)
    }

    fn check<T>(&self, r: &RedisResult<T>) {
        if let Err(e) = r {
            let moved = matches!(e.code(), Some("READONLY" | "MASTERDOWN" | "LOADING"));
            if moved || e.is_io_error() || e.is_timeout() || e.is_unrecoverable_error() {
                *self.current.lock().expect("sentinel conn lock") = None;
            }
        }
    }
}

impl ConnectionLike for SentinelConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let mut c = self.get().await?;
            let r = c.req_packed_command(cmd).await;
            self.check(&r);
            r
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let mut c = self.get().await?;
            let r = c.req_packed_commands(pipeline, offset, count).await;
            self.check(&r);
            r
        })
    }

    fn get_db(&self) -> i64 {
        0
    }
}

/// The nodes a cluster client may start from: the configured URLs plus every node discovered
/// since (`CLUSTER NODES`). Discovered nodes inherit the first URL's credentials and TLS.
pub struct Seeds {
    nodes: Mutex<Vec<ConnectionInfo>>,
}

impl Seeds {
    fn new(urls: &[String]) -> RedisResult<Seeds> {
        let nodes = urls
            .iter()
            .map(|u| u.as_str().into_connection_info())
            .collect::<RedisResult<Vec<_>>>()?;
        Ok(Seeds {
            nodes: Mutex::new(nodes),
        })
    }

    /// The current seed list.
    pub fn nodes(&self) -> Vec<ConnectionInfo> {
        self.nodes.lock().expect("seeds lock").clone()
    }

    /// `host:port` of every seed.
    pub fn addresses(&self) -> Vec<String> {
        self.nodes().iter().map(|n| n.addr().to_string()).collect()
    }

    /// Add the nodes of a `CLUSTER NODES` reply that are not known yet; returns how many.
    pub fn learn(&self, cluster_nodes: &str) -> usize {
        let mut nodes = self.nodes.lock().expect("seeds lock");
        let Some(template) = nodes.first().cloned() else {
            return 0;
        };
        let mut added = 0;
        for (host, port) in parse_cluster_nodes(cluster_nodes) {
            if nodes.iter().any(|n| same_addr(n.addr(), &host, port)) {
                continue;
            }
            let addr = match template.addr() {
                ConnectionAddr::TcpTls {
                    insecure,
                    tls_params,
                    ..
                } => ConnectionAddr::TcpTls {
                    host,
                    port,
                    insecure: *insecure,
                    tls_params: tls_params.clone(),
                },
                _ => ConnectionAddr::Tcp(host, port),
            };
            nodes.push(template.clone().set_addr(addr));
            added += 1;
        }
        added
    }
}

fn same_addr(a: &ConnectionAddr, host: &str, port: u16) -> bool {
    match a {
        ConnectionAddr::Tcp(h, p)
        | ConnectionAddr::TcpTls {
            host: h, port: p, ..
        } => h == host && *p == port,
        _ => false,
    }
}

/// `(host, port)` of every live node in a `CLUSTER NODES` reply
/// (`<id> <ip:port@cport[,hostname]> <flags> …`); nodes flagged `fail` or `noaddr` are skipped.
pub fn parse_cluster_nodes(reply: &str) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    for line in reply.lines() {
        let mut f = line.split_whitespace();
        let (Some(_id), Some(addr), Some(flags)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if flags
            .split(',')
            .any(|x| matches!(x, "fail" | "noaddr" | "handshake"))
        {
            continue;
        }
        let hostport = addr.split(['@', ',']).next().unwrap_or_default();
        let Some((host, port)) = hostport.rsplit_once(':') else {
            continue;
        };
        let Ok(port) = port.parse::<u16>() else {
            continue;
        };
        if host.is_empty() || port == 0 {
            continue;
        }
        out.push((host.trim_matches(['[', ']']).to_string(), port));
    }
    out
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

impl Redis {
    /// Parse `url` (or `url,url,…` for a cluster) and find out whether it is a cluster.
    pub async fn detect(url: &str) -> Result<Redis, String> {
        if url.trim().starts_with("redis+sentinel://")
            || url.trim().starts_with("rediss+sentinel://")
        {
            let sentinel = Arc::new(Sentinel::open(url.trim())?);
            // Fail early (exit code 4) when no sentinel names a reachable primary.
            sentinel
                .primary(CONNECT_TIMEOUT)
                .await
                .map_err(|e| format!("sentinels {:?}: {}", sentinel.sentinels, explain(&e)))?;
            return Ok(Redis::Sentinel(sentinel));
        }
        let urls: Vec<String> = url
            .split(',')
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .collect();
        if urls.is_empty() {
            return Err(
                "expected redis://HOST:PORT (or several, comma-separated, for a cluster)".into(),
            );
        }
        if urls.len() > 1 {
            ClusterClient::new(urls.clone()).map_err(|e| explain(&e))?;
            let redis = Redis::Cluster(Arc::new(Seeds::new(&urls).map_err(|e| e.to_string())?));
            redis.discover(None).await;
            return Ok(redis);
        }
        let client = urls[0]
            .as_str()
            .into_connection_info()
            .and_then(client)
            .map_err(|e| explain(&e))?;
        let cfg = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(CONNECT_TIMEOUT));
        let mut con = client
            .get_multiplexed_async_connection_with_config(&cfg)
            .await
            .map_err(|e| explain_at(&urls[0], &e))?;
        let info: String = redis::cmd("INFO")
            .arg("cluster")
            .query_async(&mut con)
            .await
            .map_err(|e| explain_at(&urls[0], &e))?;
        if info.lines().any(|l| l.trim() == "cluster_enabled:1") {
            let seeds = Seeds::new(&urls).map_err(|e| e.to_string())?;
            if let Ok(nodes) = redis::cmd("CLUSTER")
                .arg("NODES")
                .query_async::<String>(&mut con)
                .await
            {
                seeds.learn(&nodes);
            }
            Ok(Redis::Cluster(Arc::new(seeds)))
        } else {
            Ok(Redis::Single(Box::new(client)))
        }
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self, Redis::Cluster(_))
    }

    /// The cluster's known nodes (`host:port`), empty for a single server.
    pub fn known_nodes(&self) -> Vec<String> {
        match self {
            Redis::Single(_) | Redis::Sentinel(_) => Vec::new(),
            Redis::Cluster(seeds) => seeds.addresses(),
        }
    }

    /// Learn the cluster's current nodes: through `via` (a live cluster connection, which
    /// follows failovers) when given, else by asking each known node in turn. Never fails:
    /// what cannot be learnt now is learnt on the next call.
    pub async fn discover(&self, via: Option<&mut Conn>) {
        let Redis::Cluster(seeds) = self else { return };
        let cmd = {
            let mut c = redis::cmd("CLUSTER");
            c.arg("NODES");
            c
        };
        if let Some(con) = via {
            let ask = cmd.query_async::<String>(con);
            if let Ok(Ok(nodes)) = tokio::time::timeout(CONNECT_TIMEOUT, ask).await {
                let added = seeds.learn(&nodes);
                if added > 0 {
                    tracing::info!(added, nodes = ?seeds.addresses(), "redis cluster: nodes learnt");
                }
                return;
            }
        }
        let cfg = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(CONNECT_TIMEOUT));
        for node in seeds.nodes() {
            let Ok(client) = client(node) else {
                continue;
            };
            let Ok(mut con) = client
                .get_multiplexed_async_connection_with_config(&cfg)
                .await
            else {
                continue;
            };
            if let Ok(nodes) = cmd.query_async::<String>(&mut con).await {
                let added = seeds.learn(&nodes);
                if added > 0 {
                    tracing::info!(added, nodes = ?seeds.addresses(), "redis cluster: nodes learnt");
                }
                return;
            }
        }
    }

    /// A shared, self-reconnecting connection for ordinary commands.
    pub async fn connect(&self, response_timeout: Duration) -> RedisResult<Conn> {
        match self {
            Redis::Single(client) => {
                let cfg = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_response_timeout(Some(response_timeout))
                    .set_number_of_retries(2)
                    .set_max_delay(Duration::from_millis(500));
                Ok(Conn::Manager(
                    ConnectionManager::new_with_config((**client).clone(), cfg).await?,
                ))
            }
            Redis::Cluster(seeds) => Ok(Conn::Cluster(cluster(seeds, response_timeout).await?)),
            Redis::Sentinel(sentinel) => {
                let c = SentinelConn {
                    sentinel: sentinel.clone(),
                    current: Arc::new(Mutex::new(None)),
                    connecting: Arc::new(tokio::sync::Mutex::new(())),
                    response_timeout,
                };
                // Connected now, as the other kinds are (a failure here is a startup error).
                c.get().await?;
                Ok(Conn::Sentinel(c))
            }
        }
    }

    /// A connection of its own for blocking reads (`XREAD BLOCK` holds it while it waits).
    pub async fn dedicated(&self, response_timeout: Duration) -> RedisResult<Conn> {
        match self {
            Redis::Single(client) => {
                let cfg = AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_response_timeout(Some(response_timeout));
                Ok(Conn::Multiplexed(
                    client
                        .get_multiplexed_async_connection_with_config(&cfg)
                        .await?,
                ))
            }
            Redis::Cluster(seeds) => Ok(Conn::Cluster(cluster(seeds, response_timeout).await?)),
            Redis::Sentinel(sentinel) => {
                Ok(Conn::Multiplexed(sentinel.primary(response_timeout).await?))
            }
        }
    }
}

/// A cluster connection from every known node (any one alive is enough to find the rest).
async fn cluster(seeds: &Seeds, response_timeout: Duration) -> RedisResult<ClusterConnection> {
    let nodes = seeds.nodes();
    let tls = nodes.first().is_some_and(is_tls);
    let mut b = ClusterClient::builder(nodes)
        .connection_timeout(CONNECT_TIMEOUT)
        .response_timeout(response_timeout);
    if let Some(certs) = tls_certificates().filter(|_| tls) {
        tls_provider();
        b = b.certs(certs);
    }
    b.build()?.get_async_connection().await
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &str = "\
07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host-a slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master,fail - 0 1426238318243 3 connected 10923-16383
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460
aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa :0@0 master,noaddr - 0 0 0 disconnected
";

    #[test]
    fn urls_are_redacted_and_ca_files_checked() {
        assert_eq!(redact("redis://:s3cret@h:1/0"), "redis://:***@h:1/0");
        assert_eq!(redact("rediss://app:s3cret@h:1"), "rediss://app:***@h:1");
        assert_eq!(redact("redis://s3cret@h:1"), "redis://***@h:1");
        assert_eq!(
            redact("redis://h:1,redis://:p@h:2"),
            "redis://h:1,redis://:***@h:2"
        );
        assert_eq!(redact("redis://h:1"), "redis://h:1");
        assert!(set_tls_roots(b"not pem".to_vec())
            .unwrap_err()
            .contains("no certificate"));
        check_url("redis+sentinel://:pw@h:1,h:2/m").unwrap();
        check_url("rediss+sentinel://h:1/m").unwrap();
        check_url("redis://h:1,redis://h:2").unwrap();
        let e = check_url("redis://:s3cret@h:notaport").unwrap_err();
        assert!(!e.contains("s3cret"), "{e}");
        assert!(check_url("redis+sentinel://h:1").is_err());
    }

    #[test]
    fn cluster_nodes_replies_list_live_addresses() {
        assert_eq!(
            parse_cluster_nodes(NODES),
            vec![
                ("127.0.0.1".to_string(), 30004),
                ("127.0.0.1".to_string(), 30002),
                ("127.0.0.1".to_string(), 30001),
            ]
        );
        assert!(parse_cluster_nodes("garbage\n\n").is_empty());
    }

    #[test]
    fn sentinel_urls_name_sentinels_and_a_master() {
        let u =
            parse_sentinel_url("redis+sentinel://10.0.0.1:26379,10.0.0.2:26380/mymaster").unwrap();
        let (master, auth) = (u.master, u.auth);
        assert_eq!(
            u.sentinels,
            [
                ("10.0.0.1".to_string(), 26379),
                ("10.0.0.2".to_string(), 26380)
            ]
        );
        assert_eq!((master.as_str(), auth.as_str()), ("mymaster", ""));
        let u = parse_sentinel_url("redis+sentinel://:pw@h:1/m").unwrap();
        assert_eq!((u.auth.as_str(), u.tls), (":pw@", false));
        assert!(parse_sentinel_url("rediss+sentinel://h:1/m").unwrap().tls);
        for bad in [
            "redis://h:1/m",
            "redis+sentinel://h:1",
            "redis+sentinel://h:1/",
            "redis+sentinel://h/m",
            "redis+sentinel:///m",
        ] {
            assert!(parse_sentinel_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn seeds_learn_new_nodes_once_and_keep_credentials() {
        let seeds = Seeds::new(&["redis://:pw@127.0.0.1:30001/".to_string()]).unwrap();
        assert_eq!(seeds.learn(NODES), 2);
        assert_eq!(seeds.learn(NODES), 0);
        assert_eq!(
            seeds.addresses(),
            ["127.0.0.1:30001", "127.0.0.1:30004", "127.0.0.1:30002"]
        );
        assert!(seeds
            .nodes()
            .iter()
            .all(|n| n.redis_settings().password() == Some("pw")));
    }
}
