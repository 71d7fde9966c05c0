//! Heartbeats: each node announces itself in Redis every second (schema in `redis_schema`), and
//! `rtctl top` reads them back.

use redis::aio::ConnectionLike;

use std::time::Duration;

use crate::redis_schema::{Heartbeat, Keys};

/// Write one heartbeat: the node's JSON with a TTL (`redis_schema::HEARTBEAT_TTL` in
/// production), and its entry in the node index.
pub async fn write<C: ConnectionLike + Send>(
    con: &mut C,
    keys: &Keys,
    hb: &Heartbeat,
    ttl: Duration,
) -> redis::RedisResult<()> {
    let json = serde_json::to_string(hb).expect("heartbeat serializes");
    // A plain pipeline, not MULTI: it also runs on a Redis Cluster (same slot).
    redis::pipe()
        .cmd("SET")
        .arg(keys.node(&hb.node_id))
        .arg(json)
        .arg("PX")
        .arg(ttl.as_millis() as u64)
        .ignore()
        .cmd("ZADD")
        .arg(keys.nodes())
        .arg(hb.at_ms)
        .arg(&hb.node_id)
        .ignore()
        .query_async(con)
        .await
}

/// Remove a node's heartbeat at once (clean shutdown).
pub async fn remove<C: ConnectionLike + Send>(
    con: &mut C,
    keys: &Keys,
    node_id: &str,
) -> redis::RedisResult<()> {
    redis::pipe()
        .cmd("DEL")
        .arg(keys.node(node_id))
        .ignore()
        .cmd("ZREM")
        .arg(keys.nodes())
        .arg(node_id)
        .ignore()
        .query_async(con)
        .await
}

/// Every live node's heartbeat, by node id. Index entries whose heartbeat expired are pruned.
pub async fn read_all<C: ConnectionLike + Send>(
    con: &mut C,
    keys: &Keys,
) -> redis::RedisResult<Vec<Heartbeat>> {
    let ids: Vec<String> = redis::cmd("ZRANGE")
        .arg(keys.nodes())
        .arg(0)
        .arg(-1)
        .query_async(con)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let node_keys: Vec<String> = ids.iter().map(|id| keys.node(id)).collect();
    let values: Vec<Option<String>> = redis::cmd("MGET").arg(&node_keys).query_async(con).await?;
    let mut out = Vec::new();
    let mut gone = Vec::new();
    for (id, v) in ids.iter().zip(values) {
        match v.and_then(|v| serde_json::from_str::<Heartbeat>(&v).ok()) {
            Some(hb) => out.push(hb),
            None => gone.push(id.clone()),
        }
    }
    if !gone.is_empty() {
        let _: redis::RedisResult<()> = redis::cmd("ZREM")
            .arg(keys.nodes())
            .arg(&gone)
            .query_async(con)
            .await;
    }
    Ok(out)
}
