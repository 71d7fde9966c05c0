//! Heartbeats in Redis: what `rtctl serve` writes and `rtctl top` / `rtctl status` read (key
//! names and encodings in `redis_schema`). No `serve` import: readers depend on this module
//! and `redis_schema` only.
//!
//! A node that stops beating is not pruned at read: its index entry stays (score = last seen)
//! for `INDEX_KEEP`, so readers can show it as gone since that time. Writers prune entries
//! older than that.

use std::collections::BTreeMap;
use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::Value;

use crate::redis_schema::{Heartbeat, Keys, NodeDetail, INDEX_KEEP};

/// Write one heartbeat: the node's JSON with a TTL (`redis_schema::HEARTBEAT_TTL` in
/// production), its entry in the node index, and the pruning of index entries silent for
/// longer than `INDEX_KEEP`.
pub async fn write<C: ConnectionLike + Send>(
    con: &mut C,
    keys: &Keys,
    hb: &Heartbeat,
    ttl: Duration,
) -> redis::RedisResult<()> {
    let json = serde_json::to_string(hb).expect("heartbeat serializes");
    let oldest = hb.at_ms.saturating_sub(INDEX_KEEP.as_millis() as u64);
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
        .cmd("ZREMRANGEBYSCORE")
        .arg(keys.nodes())
        .arg("-inf")
        .arg(format!("({oldest}"))
        .ignore()
        .query_async(con)
        .await
}

/// Write a node's drill-down detail with a TTL (`redis_schema::DETAIL_TTL` in production).
pub async fn write_detail<C: ConnectionLike + Send>(
    con: &mut C,
    keys: &Keys,
    detail: &NodeDetail,
    ttl: Duration,
) -> redis::RedisResult<()> {
    let json = serde_json::to_string(detail).expect("detail serializes");
    redis::cmd("SET")
        .arg(keys.detail(&detail.node_id))
        .arg(json)
        .arg("PX")
        .arg(ttl.as_millis().max(1) as u64)
        .query_async(con)
        .await
}

/// A clean shutdown: the heartbeat and detail go at once; the index entry stays, so readers
/// show the node as gone since its last heartbeat.
pub async fn remove<C: ConnectionLike + Send>(
    con: &mut C,
    keys: &Keys,
    node_id: &str,
) -> redis::RedisResult<()> {
    redis::cmd("DEL")
        .arg(keys.node(node_id))
        .arg(keys.detail(node_id))
        .query_async(con)
        .await
}

/// Every live node's heartbeat (those whose heartbeat has not expired), in index order.
pub async fn read_all<C: ConnectionLike + Send>(
    con: &mut C,
    keys: &Keys,
) -> redis::RedisResult<Vec<Heartbeat>> {
    let s = sample(con, keys, &[], None).await?;
    Ok(s.index
        .iter()
        .filter_map(|(id, _)| s.heartbeats.get(id).cloned())
        .collect())
}

/// The log as a reader sees it in one refresh.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogSample {
    /// `XLEN`.
    pub length: u64,
    /// The oldest entry's offset.
    pub first: Option<String>,
    /// The newest `RECENT` offsets, newest first (the head is `recent[0]`).
    pub recent: Vec<String>,
}

/// Offsets read from the head of the log each refresh: a node's delivery lag in entries is
/// counted among them (shown as "≥ RECENT" beyond).
pub const RECENT: usize = 64;

/// One refresh of the fleet's state in Redis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetSample {
    /// Redis server time (unix ms): every age is measured against one clock.
    pub now_ms: u64,
    /// The node index: node id and last heartbeat (unix ms), oldest first.
    pub index: Vec<(String, u64)>,
    /// The heartbeats that have not expired, by node id.
    pub heartbeats: BTreeMap<String, Heartbeat>,
    /// Heartbeats that did not decode (node id, reason): a newer or broken writer.
    pub undecodable: Vec<(String, String)>,
    pub log: LogSample,
    /// The detail of the node asked for, when it is present.
    pub detail: Option<NodeDetail>,
    /// Round trips to Redis this sample took: 1 when every indexed node was in `known`.
    pub round_trips: u32,
}

/// Read the fleet in one pipelined round trip: server time, the node index, the heartbeats of
/// the `known` nodes, the log's length, first offset and newest offsets, and optionally one
/// node's detail. Nodes in the index but not in `known` cost a second round trip (the first
/// refresh, or when a node joins); no `KEYS`, no `SCAN`.
pub async fn sample<C: ConnectionLike + Send>(
    con: &mut C,
    keys: &Keys,
    known: &[String],
    detail_of: Option<&str>,
) -> redis::RedisResult<FleetSample> {
    let mut p = redis::pipe();
    p.cmd("TIME")
        .cmd("ZRANGE")
        .arg(keys.nodes())
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .cmd("XLEN")
        .arg(keys.log())
        .cmd("XRANGE")
        .arg(keys.log())
        .arg("-")
        .arg("+")
        .arg("COUNT")
        .arg(1)
        .cmd("XREVRANGE")
        .arg(keys.log())
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(RECENT);
    if !known.is_empty() {
        let k: Vec<String> = known.iter().map(|id| keys.node(id)).collect();
        p.cmd("MGET").arg(k);
    }
    if let Some(id) = detail_of {
        p.cmd("GET").arg(keys.detail(id));
    }
    let mut values: Vec<Value> = p.query_async(con).await?;
    values.reverse();
    let mut next = || values.pop().unwrap_or(Value::Nil);
    let (secs, micros): (u64, u64) = redis::from_redis_value(next())?;
    let index: Vec<(String, f64)> = redis::from_redis_value(next())?;
    let length: u64 = redis::from_redis_value(next())?;
    let first = entry_ids(next()).into_iter().next();
    let recent = entry_ids(next());
    let mut s = FleetSample {
        now_ms: secs * 1000 + micros / 1000,
        index: index.into_iter().map(|(id, t)| (id, t as u64)).collect(),
        log: LogSample {
            length,
            first,
            recent,
        },
        round_trips: 1,
        ..FleetSample::default()
    };
    if !known.is_empty() {
        let vals: Vec<Option<String>> = redis::from_redis_value(next())?;
        s.take(known, vals);
    }
    if detail_of.is_some() {
        let v: Option<String> = redis::from_redis_value(next())?;
        s.detail = v.and_then(|v| serde_json::from_str(&v).ok());
    }
    let missing: Vec<String> = s
        .index
        .iter()
        .map(|(id, _)| id)
        .filter(|id| !known.contains(id))
        .cloned()
        .collect();
    if !missing.is_empty() {
        let k: Vec<String> = missing.iter().map(|id| keys.node(id)).collect();
        let vals: Vec<Option<String>> = redis::cmd("MGET").arg(k).query_async(con).await?;
        s.take(&missing, vals);
        s.round_trips += 1;
    }
    Ok(s)
}

impl FleetSample {
    fn take(&mut self, ids: &[String], vals: Vec<Option<String>>) {
        for (id, v) in ids.iter().zip(vals) {
            let Some(v) = v else { continue };
            match serde_json::from_str::<Heartbeat>(&v) {
                Ok(hb) => {
                    self.heartbeats.insert(id.clone(), hb);
                }
                Err(e) => self.undecodable.push((id.clone(), e.to_string())),
            }
        }
    }
}

/// The ids of an `XRANGE` / `XREVRANGE` reply (each entry is `[id, [field, value, ...]]`).
fn entry_ids(v: Value) -> Vec<String> {
    let Value::Array(entries) = v else {
        return Vec::new();
    };
    entries
        .into_iter()
        .filter_map(|e| match e {
            Value::Array(mut parts) if !parts.is_empty() => {
                redis::from_redis_value::<String>(parts.swap_remove(0)).ok()
            }
            _ => None,
        })
        .collect()
}
