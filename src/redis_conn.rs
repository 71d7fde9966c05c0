//! One Redis connection type for a single server and for a Redis Cluster.
//!
//! `--redis URL` may name a single server or any node of a cluster (detected with
//! `INFO cluster`); several comma-separated URLs always mean a cluster. Every rtctl key shares
//! one hash tag (`redis_schema`), so all of a fleet's keys live in one slot and multi-key
//! commands work in both modes. Both connection kinds reconnect by themselves.

use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{AsyncConnectionConfig, Cmd, Pipeline, RedisFuture, RedisResult, Value};

/// A connection to a single server or to a cluster.
#[derive(Clone)]
pub enum Conn {
    Manager(ConnectionManager),
    Multiplexed(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Manager(c) => c.req_packed_command(cmd),
            Conn::Multiplexed(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
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
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Manager(c) => c.get_db(),
            Conn::Multiplexed(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

/// Where Redis is: one server, or a cluster given by its seed nodes.
#[derive(Clone)]
pub enum Redis {
    Single(redis::Client),
    Cluster(Vec<String>),
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

impl Redis {
    /// Parse `url` (or `url,url,…` for a cluster) and find out whether it is a cluster.
    pub async fn detect(url: &str) -> Result<Redis, String> {
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
            ClusterClient::new(urls.clone()).map_err(|e| e.to_string())?;
            return Ok(Redis::Cluster(urls));
        }
        let client = redis::Client::open(urls[0].as_str()).map_err(|e| e.to_string())?;
        let cfg = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(CONNECT_TIMEOUT));
        let mut con = client
            .get_multiplexed_async_connection_with_config(&cfg)
            .await
            .map_err(|e| e.to_string())?;
        let info: String = redis::cmd("INFO")
            .arg("cluster")
            .query_async(&mut con)
            .await
            .map_err(|e| e.to_string())?;
        if info.lines().any(|l| l.trim() == "cluster_enabled:1") {
            Ok(Redis::Cluster(urls))
        } else {
            Ok(Redis::Single(client))
        }
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self, Redis::Cluster(_))
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
                    ConnectionManager::new_with_config(client.clone(), cfg).await?,
                ))
            }
            Redis::Cluster(urls) => Ok(Conn::Cluster(self.cluster(urls, response_timeout).await?)),
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
            Redis::Cluster(urls) => Ok(Conn::Cluster(self.cluster(urls, response_timeout).await?)),
        }
    }

    async fn cluster(
        &self,
        urls: &[String],
        response_timeout: Duration,
    ) -> RedisResult<ClusterConnection> {
        ClusterClient::builder(urls.to_vec())
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(response_timeout)
            .build()?
            .get_async_connection()
            .await
    }
}
