//! The durable notification log: the bus between nodes and the source of every replay.
//!
//! A publish is appended first and acknowledged only once it is in the log. Every node follows
//! the log from its last offset and delivers entries to its local sockets, in offset order.
//! With Redis the log is a stream (`XADD` / `XREAD BLOCK`, see `redis_schema`); without Redis an
//! in-memory log serves one node. Offsets are stream ids (`<ms>-<seq>`) in both cases.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::Value;
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;

use super::redis_conn::{Conn, Redis};
use crate::redis_schema::{field, Keys};

/// A position in the log: a stream entry id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Offset {
    pub ms: u64,
    pub seq: u64,
}

impl Offset {
    /// Before every entry.
    pub const ZERO: Offset = Offset { ms: 0, seq: 0 };
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

impl FromStr for Offset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("offset {s:?}: expected <ms>-<seq>, e.g. 1732771200000-0");
        let (ms, seq) = s.split_once('-').ok_or_else(bad)?;
        Ok(Offset {
            ms: ms.parse().map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

/// Who a notification is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Department(String),
    Device(String),
    All,
}

impl Target {
    fn kind(&self) -> &'static str {
        match self {
            Target::Department(_) => "department",
            Target::Device(_) => "device",
            Target::All => "all",
        }
    }

    fn id(&self) -> &str {
        match self {
            Target::Department(d) | Target::Device(d) => d,
            Target::All => "",
        }
    }

    fn from_parts(kind: &str, id: &str) -> Option<Target> {
        match kind {
            "department" => Some(Target::Department(id.to_string())),
            "device" => Some(Target::Device(id.to_string())),
            "all" => Some(Target::All),
            _ => None,
        }
    }
}

/// One notification in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub offset: Offset,
    pub target: Target,
    /// The payload as JSON text (validated before it is appended).
    pub payload: Arc<str>,
}

/// Why the log could not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    /// The backing store is unreachable: nothing was appended.
    #[error("log unavailable: {0}")]
    Unavailable(String),
    /// An entry in the store does not have the expected shape.
    #[error("log entry {offset}: {message}")]
    Corrupt { offset: String, message: String },
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// How much of the log is kept: at most `max_len` entries, and none older than `max_age`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub max_len: usize,
    pub max_age: Option<Duration>,
}

impl From<usize> for Retention {
    fn from(max_len: usize) -> Retention {
        Retention {
            max_len,
            max_age: None,
        }
    }
}

/// The log of one fleet: in memory (one node) or a Redis stream (many nodes).
#[derive(Clone)]
pub enum Log {
    Memory(Arc<MemoryLog>),
    Redis(Arc<RedisLog>),
}

impl Log {
    /// An in-memory log with this retention (a number means at most that many entries).
    pub fn memory(retention: impl Into<Retention>) -> Log {
        Log::Memory(Arc::new(MemoryLog::new(retention.into())))
    }

    /// A Redis-stream log; connects lazily and reconnects by itself.
    pub async fn redis(
        url: &str,
        keys: Keys,
        node: &str,
        retention: impl Into<Retention>,
    ) -> Result<Log, LogError> {
        let redis = Redis::detect(url)
            .await
            .map_err(|e| LogError::Unavailable(format!("{url}: {e}")))?;
        Log::on(redis, keys, node, retention).await
    }

    /// A Redis-stream log on an already located server or cluster.
    pub async fn on(
        redis: Redis,
        keys: Keys,
        node: &str,
        retention: impl Into<Retention>,
    ) -> Result<Log, LogError> {
        Ok(Log::Redis(Arc::new(
            RedisLog::connect(redis, keys, node, retention.into()).await?,
        )))
    }

    /// Append; the returned offset is durable (in the log) when this returns `Ok`.
    pub async fn append(&self, target: &Target, payload: &str) -> Result<Offset, LogError> {
        match self {
            Log::Memory(m) => Ok(m.append(target, payload)),
            Log::Redis(r) => r.append(target, payload).await,
        }
    }

    /// Up to `limit` entries strictly after `after`, in order.
    pub async fn range_after(&self, after: Offset, limit: usize) -> Result<Vec<Entry>, LogError> {
        match self {
            Log::Memory(m) => Ok(m.range_after(after, limit)),
            Log::Redis(r) => r.range_after(after, limit).await,
        }
    }

    /// The offset of the newest entry (`Offset::ZERO` when empty).
    pub async fn last(&self) -> Result<Offset, LogError> {
        match self {
            Log::Memory(m) => Ok(m.last()),
            Log::Redis(r) => r.last().await,
        }
    }

    /// The newest offset retention has removed, if any: a reader resuming at or before it has a
    /// gap that the log can no longer fill.
    pub async fn trimmed_through(&self) -> Result<Option<Offset>, LogError> {
        match self {
            Log::Memory(m) => Ok(m.trimmed_through()),
            Log::Redis(r) => r.trimmed_through().await,
        }
    }

    /// Send every entry after `after` to `tx`, in order, forever: waits for new entries,
    /// reconnects after errors and resumes from the last entry sent, so nothing is skipped.
    /// Returns when `cancel` fires or the receiver is dropped.
    pub async fn follow(&self, after: Offset, tx: mpsc::Sender<Entry>, cancel: CancellationToken) {
        match self {
            Log::Memory(m) => m.follow(after, tx, cancel).await,
            Log::Redis(r) => r.follow(after, tx, cancel).await,
        }
    }
}

/// An in-memory log for a single node.
pub struct MemoryLog {
    entries: Mutex<VecDeque<Entry>>,
    retention: Retention,
    /// The newest entry retention has dropped.
    trimmed: Mutex<Option<Offset>>,
    grown: Notify,
}

impl MemoryLog {
    pub fn new(retention: Retention) -> MemoryLog {
        MemoryLog {
            entries: Mutex::new(VecDeque::new()),
            retention: Retention {
                max_len: retention.max_len.max(1),
                ..retention
            },
            trimmed: Mutex::new(None),
            grown: Notify::new(),
        }
    }

    fn append(&self, target: &Target, payload: &str) -> Offset {
        let mut e = self.entries.lock().expect("log lock");
        let last = e.back().map_or(Offset::ZERO, |x| x.offset);
        let ms = now_ms().max(last.ms);
        let offset = Offset {
            ms,
            seq: if ms == last.ms { last.seq + 1 } else { 0 },
        };
        e.push_back(Entry {
            offset,
            target: target.clone(),
            payload: payload.into(),
        });
        let cutoff = self
            .retention
            .max_age
            .map_or(0, |age| ms.saturating_sub(age.as_millis() as u64));
        while e.len() > self.retention.max_len || e.front().is_some_and(|x| x.offset.ms < cutoff) {
            if let Some(old) = e.pop_front() {
                *self.trimmed.lock().expect("trim lock") = Some(old.offset);
            }
        }
        drop(e);
        self.grown.notify_waiters();
        offset
    }

    fn range_after(&self, after: Offset, limit: usize) -> Vec<Entry> {
        let e = self.entries.lock().expect("log lock");
        let start = e.partition_point(|x| x.offset <= after);
        e.range(start..).take(limit).cloned().collect()
    }

    fn last(&self) -> Offset {
        let e = self.entries.lock().expect("log lock");
        e.back().map_or(Offset::ZERO, |x| x.offset)
    }

    fn trimmed_through(&self) -> Option<Offset> {
        *self.trimmed.lock().expect("trim lock")
    }

    async fn follow(&self, mut after: Offset, tx: mpsc::Sender<Entry>, cancel: CancellationToken) {
        loop {
            // Register for the wake-up before reading, so an append in between is not missed.
            let grown = self.grown.notified();
            let batch = self.range_after(after, 1024);
            if batch.is_empty() {
                tokio::select! {
                    _ = grown => continue,
                    _ = cancel.cancelled() => return,
                }
            }
            for entry in batch {
                after = entry.offset;
                if tx.send(entry).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// A Redis-stream log shared by every node of a fleet.
pub struct RedisLog {
    redis: Redis,
    writer: Conn,
    keys: Keys,
    node: String,
    retention: Retention,
    /// How long one `XREAD BLOCK` waits.
    block: Duration,
}

impl RedisLog {
    async fn connect(
        redis: Redis,
        keys: Keys,
        node: &str,
        retention: Retention,
    ) -> Result<RedisLog, LogError> {
        let writer = redis
            .connect(Duration::from_secs(2))
            .await
            .map_err(|e| LogError::Unavailable(e.to_string()))?;
        Ok(RedisLog {
            redis,
            writer,
            keys,
            node: node.to_string(),
            retention,
            block: Duration::from_secs(2),
        })
    }

    async fn append(&self, target: &Target, payload: &str) -> Result<Offset, LogError> {
        let mut con = self.writer.clone();
        // A plain pipeline, not MULTI: it also runs on a Redis Cluster (same slot).
        let mut pipe = redis::pipe();
        pipe.cmd("XADD")
            .arg(self.keys.log())
            .arg("MAXLEN")
            .arg("~")
            .arg(self.retention.max_len)
            .arg("*")
            .arg(field::TARGET_KIND)
            .arg(target.kind())
            .arg(field::TARGET_ID)
            .arg(target.id())
            .arg(field::PAYLOAD)
            .arg(payload)
            .arg(field::NODE)
            .arg(&self.node);
        if let Some(age) = self.retention.max_age {
            let cutoff = now_ms().saturating_sub(age.as_millis() as u64);
            pipe.cmd("XTRIM")
                .arg(self.keys.log())
                .arg("MINID")
                .arg("~")
                .arg(format!("{cutoff}-0"))
                .ignore();
        }
        let (id,): (String,) = pipe
            .query_async(&mut con)
            .await
            .map_err(|e| LogError::Unavailable(e.to_string()))?;
        id.parse().map_err(|message| LogError::Corrupt {
            offset: id.clone(),
            message,
        })
    }

    async fn range_after(&self, after: Offset, limit: usize) -> Result<Vec<Entry>, LogError> {
        let mut con = self.writer.clone();
        let reply: Value = redis::cmd("XRANGE")
            .arg(self.keys.log())
            .arg(format!("({after}"))
            .arg("+")
            .arg("COUNT")
            .arg(limit)
            .query_async(&mut con)
            .await
            .map_err(|e| LogError::Unavailable(e.to_string()))?;
        parse_entries(reply)
    }

    async fn last(&self) -> Result<Offset, LogError> {
        let mut con = self.writer.clone();
        let reply: Value = redis::cmd("XREVRANGE")
            .arg(self.keys.log())
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut con)
            .await
            .map_err(|e| LogError::Unavailable(e.to_string()))?;
        Ok(parse_entries(reply)?
            .first()
            .map_or(Offset::ZERO, |e| e.offset))
    }

    async fn trimmed_through(&self) -> Result<Option<Offset>, LogError> {
        let mut con = self.writer.clone();
        let reply: redis::RedisResult<Value> = redis::cmd("XINFO")
            .arg("STREAM")
            .arg(self.keys.log())
            .query_async(&mut con)
            .await;
        let fields = match reply {
            Ok(Value::Array(f)) => f,
            Ok(Value::Map(m)) => m.into_iter().flat_map(|(k, v)| [k, v]).collect(),
            Ok(_) => return Ok(None),
            // No stream yet: nothing was ever trimmed.
            Err(e) if e.to_string().contains("no such key") => return Ok(None),
            Err(e) => return Err(LogError::Unavailable(e.to_string())),
        };
        for kv in fields.chunks(2) {
            if kv.first().and_then(text).as_deref() == Some("max-deleted-entry-id") {
                let id = kv.get(1).and_then(text).unwrap_or_default();
                let off: Offset = id.parse().map_err(|message| LogError::Corrupt {
                    offset: id.clone(),
                    message,
                })?;
                return Ok((off != Offset::ZERO).then_some(off));
            }
        }
        Ok(None)
    }

    /// A connection of its own for `XREAD BLOCK`, which holds the connection while it waits.
    async fn reader(&self) -> redis::RedisResult<Conn> {
        self.redis
            .dedicated(self.block + Duration::from_secs(3))
            .await
    }

    async fn follow(&self, mut after: Offset, tx: mpsc::Sender<Entry>, cancel: CancellationToken) {
        let mut backoff = Duration::from_millis(100);
        let mut con: Option<Conn> = None;
        loop {
            if cancel.is_cancelled() {
                return;
            }
            if con.is_none() {
                match tokio::select! {
                    c = self.reader() => c,
                    _ = cancel.cancelled() => return,
                } {
                    Ok(c) => {
                        tracing::info!(after = %after, "log: following the Redis stream");
                        con = Some(c);
                    }
                    Err(e) => {
                        tracing::warn!(cause = %e, retry_in_ms = backoff.as_millis() as u64, "log: Redis unreachable");
                        tokio::select! {
                            _ = tokio::time::sleep(backoff) => {}
                            _ = cancel.cancelled() => return,
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(2));
                        continue;
                    }
                }
            }
            let c = con.as_mut().expect("connected above");
            let mut cmd = redis::cmd("XREAD");
            cmd.arg("COUNT")
                .arg(1024)
                .arg("BLOCK")
                .arg(self.block.as_millis() as u64)
                .arg("STREAMS")
                .arg(self.keys.log())
                .arg(after.to_string());
            let reply = tokio::select! {
                r = cmd.query_async::<Value>(c) => r,
                _ = cancel.cancelled() => return,
            };
            match reply
                .map_err(|e| LogError::Unavailable(e.to_string()))
                .and_then(parse_xread)
            {
                Ok(batch) => {
                    backoff = Duration::from_millis(100);
                    for entry in batch {
                        after = entry.offset;
                        if tx.send(entry).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(cause = %e, resume_after = %after, "log: read failed; reconnecting");
                    con = None;
                }
            }
        }
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        _ => None,
    }
}

/// `XREAD` reply: `[[key, [entries…]]]` (RESP2) or `{key: [entries…]}` (RESP3); nil on timeout.
fn parse_xread(v: Value) -> Result<Vec<Entry>, LogError> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::Array(streams) => {
            let mut out = Vec::new();
            for s in streams {
                if let Value::Array(mut kv) = s {
                    if kv.len() == 2 {
                        out.extend(parse_entries(kv.pop().expect("len 2"))?);
                    }
                }
            }
            Ok(out)
        }
        Value::Map(m) => {
            let mut out = Vec::new();
            for (_, entries) in m {
                out.extend(parse_entries(entries)?);
            }
            Ok(out)
        }
        other => Err(LogError::Corrupt {
            offset: "?".into(),
            message: format!("unexpected XREAD reply {other:?}"),
        }),
    }
}

/// `XRANGE` reply: `[[id, [field, value, …]], …]`.
fn parse_entries(v: Value) -> Result<Vec<Entry>, LogError> {
    let Value::Array(items) = v else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Array(pair) = item else { continue };
        let [id, fields] = <[Value; 2]>::try_from(pair).map_err(|_| LogError::Corrupt {
            offset: "?".into(),
            message: "entry is not [id, fields]".into(),
        })?;
        let id = text(&id).unwrap_or_default();
        let corrupt = |message: &str| LogError::Corrupt {
            offset: id.clone(),
            message: message.to_string(),
        };
        let offset: Offset = id.parse().map_err(|m: String| corrupt(&m))?;
        let fields = match fields {
            Value::Array(f) => f,
            Value::Map(m) => m.into_iter().flat_map(|(k, v)| [k, v]).collect(),
            _ => return Err(corrupt("fields are not a list")),
        };
        let (mut kind, mut tid, mut payload) = (None, None, None);
        for kv in fields.chunks(2) {
            let (Some(k), Some(v)) = (kv.first().and_then(text), kv.get(1).and_then(text)) else {
                continue;
            };
            match k.as_str() {
                field::TARGET_KIND => kind = Some(v),
                field::TARGET_ID => tid = Some(v),
                field::PAYLOAD => payload = Some(v),
                _ => {}
            }
        }
        let target = Target::from_parts(
            kind.as_deref().ok_or_else(|| corrupt("no target kind"))?,
            tid.as_deref().unwrap_or(""),
        )
        .ok_or_else(|| corrupt("unknown target kind"))?;
        out.push(Entry {
            offset,
            target,
            payload: payload.ok_or_else(|| corrupt("no payload"))?.into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_print_and_order() {
        let a: Offset = "1732771200000-0".parse().unwrap();
        let b: Offset = "1732771200000-7".parse().unwrap();
        assert!(a < b);
        assert_eq!(b.to_string(), "1732771200000-7");
        assert!("nope"
            .parse::<Offset>()
            .unwrap_err()
            .contains("expected <ms>-<seq>"));
        assert!("1-x".parse::<Offset>().is_err());
    }

    #[tokio::test]
    async fn memory_log_is_ordered_bounded_and_followable() {
        let log = Log::memory(3);
        let mut offs = Vec::new();
        for i in 0..5 {
            offs.push(
                log.append(&Target::All, &format!("{{\"n\":{i}}}"))
                    .await
                    .unwrap(),
            );
        }
        assert!(offs.windows(2).all(|w| w[0] < w[1]));
        // Retention: only the last three remain.
        let all = log.range_after(Offset::ZERO, 100).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].offset, offs[2]);
        assert_eq!(log.last().await.unwrap(), offs[4]);
        assert_eq!(log.trimmed_through().await.unwrap(), Some(offs[1]));
        let after = log.range_after(offs[3], 100).await.unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(&*after[0].payload, "{\"n\":4}");

        let (tx, mut rx) = mpsc::channel(16);
        let cancel = CancellationToken::new();
        let follower = tokio::spawn({
            let log = log.clone();
            let cancel = cancel.clone();
            let from = offs[3];
            async move { log.follow(from, tx, cancel).await }
        });
        assert_eq!(rx.recv().await.unwrap().offset, offs[4]);
        let o = log.append(&Target::Device("d1".into()), "1").await.unwrap();
        let e = tokio::time::timeout(Duration::from_secs(2), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((e.offset, e.target), (o, Target::Device("d1".into())));
        cancel.cancel();
        follower.await.unwrap();
    }

    #[tokio::test]
    async fn memory_log_drops_entries_older_than_max_age() {
        let log = Log::memory(Retention {
            max_len: 100,
            max_age: Some(Duration::from_millis(50)),
        });
        let old = log.append(&Target::All, "1").await.unwrap();
        tokio::time::sleep(Duration::from_millis(120)).await;
        let new = log.append(&Target::All, "2").await.unwrap();
        let all = log.range_after(Offset::ZERO, 10).await.unwrap();
        assert_eq!(all.iter().map(|e| e.offset).collect::<Vec<_>>(), vec![new]);
        assert_eq!(log.trimmed_through().await.unwrap(), Some(old));
    }

    #[test]
    fn entries_parse_from_resp2_and_resp3_shapes() {
        let bs = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let entry = Value::Array(vec![
            bs("5-1"),
            Value::Array(vec![
                bs("t"),
                bs("department"),
                bs("k"),
                bs("D1"),
                bs("p"),
                bs("{}"),
                bs("n"),
                bs("a"),
            ]),
        ]);
        let e = parse_entries(Value::Array(vec![entry.clone()])).unwrap();
        assert_eq!(e[0].offset, Offset { ms: 5, seq: 1 });
        assert_eq!(e[0].target, Target::Department("D1".into()));
        let r2 = parse_xread(Value::Array(vec![Value::Array(vec![
            bs("log"),
            Value::Array(vec![entry.clone()]),
        ])]))
        .unwrap();
        assert_eq!(r2, e);
        let r3 = parse_xread(Value::Map(vec![(bs("log"), Value::Array(vec![entry]))])).unwrap();
        assert_eq!(r3, e);
        assert!(parse_xread(Value::Nil).unwrap().is_empty());
        let bad = Value::Array(vec![Value::Array(vec![
            bs("5-1"),
            Value::Array(vec![bs("t"), bs("moon")]),
        ])]);
        assert!(matches!(parse_entries(bad), Err(LogError::Corrupt { .. })));
    }
}
