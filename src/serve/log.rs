//! The durable notification log: the bus between nodes and the source of every replay.
//!
//! A publish is appended first and acknowledged only once it is in the log. Every node follows
//! the log from its last offset and delivers entries to its local sockets, in offset order.
//! With Redis the log is a stream (`XADD` / `XREAD BLOCK`, see `redis_schema`); without Redis an
//! in-memory log serves one node. Offsets are stream ids (`<ms>-<seq>`) in both cases.
//!
//! Faults the log reports rather than hides: each log has a generation (created with its first
//! entry), so a reader resuming from a lost log, beyond the log's end or before what retention
//! kept is told so (`gap_after`); the reader's own state (`reader_status`) says when it cannot
//! read. With `Durability::Replicated` an append is acknowledged only once replicas confirmed
//! it, and readers never deliver an entry that was not acknowledged.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
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
    /// `--durability replicated`: fewer replicas than required confirmed the entry in time;
    /// it was removed again and is not delivered.
    #[error("not replicated: {got} of {wanted} replica(s) confirmed within {timeout_ms} ms")]
    NotReplicated {
        wanted: u32,
        got: u32,
        timeout_ms: u64,
    },
    /// The server cannot provide what was asked (e.g. `WAITAOF` before Redis 7.2).
    #[error("{0}")]
    Unsupported(String),
    /// A publish with the same idempotency key is still waiting for its replicas.
    #[error("a publish with this Idempotency-Key is in progress")]
    InProgress,
}

/// How durable an acknowledged publish is (`--durability`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Acknowledged once `XADD` answered: in the memory of the primary (and on its disk per
    /// its `appendfsync`). A primary lost before its replicas got the entry loses it.
    #[default]
    Leader,
    /// Acknowledged once `replicas` replicas confirmed the entry (`WAIT`, or `WAITAOF` with
    /// `aof`: fsynced to their append-only files, Redis ≥ 7.2) within `timeout`; otherwise
    /// the entry is removed again, never delivered, and the publish answered 503.
    Replicated {
        replicas: u32,
        timeout: Duration,
        aof: bool,
    },
}

impl fmt::Display for Durability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Durability::Leader => write!(f, "leader"),
            Durability::Replicated {
                replicas,
                timeout,
                aof,
            } => write!(
                f,
                "{} ({replicas} replica(s) within {} ms, {})",
                if *aof { "replicated-aof" } else { "replicated" },
                timeout.as_millis(),
                if *aof { "WAITAOF" } else { "WAIT" }
            ),
        }
    }
}

/// A publish the log accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub offset: Offset,
    /// The idempotency key was seen before: this is the earlier publish's offset, nothing new
    /// was appended.
    pub replayed: bool,
}

/// Why a reader resuming at some offset cannot be given everything after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapReason {
    /// Retention removed entries after the offset.
    Retention,
    /// The offset belongs to an earlier log that was lost (Redis restarted empty, a replica
    /// promoted without it, a node's in-memory log restarted): the current log is another
    /// generation.
    Generation,
    /// The offset lies beyond the end of the log: entries the reader had were lost.
    BeyondEnd,
}

impl GapReason {
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::Retention => "retention",
            GapReason::Generation => "generation",
            GapReason::BeyondEnd => "beyond-end",
        }
    }
}

/// Notifications after `from` that the log can no longer give: the reader must be told
/// (`notification:gap`) before it is given what the log does hold after `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub from: Offset,
    /// The newest lost offset, when known (retention); `None` when the log cannot say.
    pub to: Option<Offset>,
    pub reason: GapReason,
}

impl Gap {
    /// The `notification:gap` payload: `{from, to, reason, message}`.
    pub fn to_json(&self) -> serde_json::Value {
        let message = match self.reason {
            GapReason::Retention => "notifications after `from` up to and including `to` were removed by retention before this device reconnected",
            GapReason::Generation => "the log `from` belongs to was lost (Redis restarted empty or was replaced); everything the current log holds for this device follows",
            GapReason::BeyondEnd => "`from` lies beyond the end of the log: notifications up to it were lost from the log; everything newer follows",
        };
        serde_json::json!({
            "from": self.from.to_string(),
            "to": self.to.map(|o| o.to_string()),
            "reason": self.reason.as_str(),
            "message": message,
        })
    }
}

/// Which log a stream is: created with its first entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    pub id: String,
    /// The first entry this log ever held (`Offset::ZERO` for a log older than generations).
    pub first: Offset,
}

impl Generation {
    /// `<id> <first offset>` (`redis_schema`'s `log:generation`).
    fn parse(s: &str) -> Option<Generation> {
        let (id, first) = s.trim().split_once(' ')?;
        Some(Generation {
            id: id.to_string(),
            first: first.parse().ok()?,
        })
    }

    /// Does `offset` belong to an earlier log?
    fn predates(&self, offset: Offset) -> bool {
        offset != Offset::ZERO && offset < self.first
    }
}

/// What a reader resuming after `from` must be told, given the log's generation (`None`: no
/// entry was appended since the log was created or lost), its last offset and what retention
/// removed. One decision for both log kinds.
fn gap_after(
    from: Offset,
    generation: Option<&Generation>,
    last: Offset,
    trimmed: Option<Offset>,
) -> Option<Gap> {
    if from == Offset::ZERO {
        // From the beginning: only retention can have removed anything.
        return trimmed.map(|t| Gap {
            from,
            to: Some(t),
            reason: GapReason::Retention,
        });
    }
    if generation.is_some_and(|g| g.predates(from)) {
        return Some(Gap {
            from,
            to: None,
            reason: GapReason::Generation,
        });
    }
    if last < from {
        return Some(Gap {
            from,
            to: None,
            reason: if generation.is_none() {
                GapReason::Generation
            } else {
                GapReason::BeyondEnd
            },
        });
    }
    match trimmed {
        Some(t) if t > from => Some(Gap {
            from,
            to: Some(t),
            reason: GapReason::Retention,
        }),
        _ => None,
    }
}

/// A random generation id (hex), without a new dependency.
fn new_generation_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(now_ms());
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
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

/// A reader that has not read the log for this long is stalled: a healthy `XREAD BLOCK`
/// returns at least every block interval (2 s), entries or not.
pub const STALL_AFTER: Duration = Duration::from_secs(5);

/// What this node's log reader is doing, for `/health`, the lag metric and the heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderStatus {
    /// `memory` (the in-process log cannot stall), `starting` (no read yet), `following` or
    /// `stalled` (no successful read for `STALL_AFTER`).
    pub state: &'static str,
    /// Unix ms of the last successful read (an empty `XREAD` counts): the log is known up to
    /// then. 0 before the first.
    pub last_read_ms: u64,
    /// Time since the last successful read, while stalled (zero otherwise).
    pub stalled_for: Duration,
    /// The last read error, while stalled.
    pub error: Option<String>,
}

impl ReaderStatus {
    pub fn is_stalled(&self) -> bool {
        self.state == "stalled"
    }
}

/// Shared between a follower and whoever asks how it is doing.
#[derive(Debug, Default)]
struct ReaderHealth {
    /// Unix ms the follower started or last read successfully; 0 = not following.
    last_ok_ms: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl ReaderHealth {
    fn ok(&self) {
        self.last_ok_ms.store(now_ms(), Relaxed);
    }

    fn failed(&self, e: &LogError) {
        *self.last_error.lock().expect("reader health lock") = Some(e.to_string());
    }

    fn status(&self, now_ms: u64) -> ReaderStatus {
        let last = self.last_ok_ms.load(Relaxed);
        let since = Duration::from_millis(now_ms.saturating_sub(last));
        if last == 0 {
            return ReaderStatus {
                state: "starting",
                last_read_ms: 0,
                stalled_for: Duration::ZERO,
                error: None,
            };
        }
        let stalled = since >= STALL_AFTER;
        ReaderStatus {
            state: if stalled { "stalled" } else { "following" },
            last_read_ms: last,
            stalled_for: if stalled { since } else { Duration::ZERO },
            error: if stalled {
                self.last_error.lock().expect("reader health lock").clone()
            } else {
                None
            },
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

    /// A Redis-stream log with a durability mode other than `leader`. With
    /// `Replicated { aof: true }` the server must offer `WAITAOF` (Redis ≥ 7.2): refused
    /// otherwise, with the version found.
    pub async fn on_durable(
        redis: Redis,
        keys: Keys,
        node: &str,
        retention: impl Into<Retention>,
        durability: Durability,
        idempotency_ttl: Duration,
    ) -> Result<Log, LogError> {
        let mut log = RedisLog::connect(redis, keys, node, retention.into()).await?;
        if let Durability::Replicated { timeout, .. } = durability {
            // A publish waits up to `timeout` in WAIT: the writer must wait longer for the
            // answer, or a refusal would read as "Redis unavailable".
            if timeout + Duration::from_secs(1) > WRITER_TIMEOUT {
                log.writer = log
                    .redis
                    .connect(timeout + Duration::from_secs(1))
                    .await
                    .map_err(|e| LogError::Unavailable(e.to_string()))?;
            }
        }
        log.idempotency_ttl = idempotency_ttl;
        if let Durability::Replicated { aof, .. } = durability {
            let version = log.server_version().await?;
            if !aof {
                if version < (7, 2) {
                    tracing::warn!(
                        redis = %format!("{}.{}", version.0, version.1),
                        "no WAITAOF before Redis 7.2: --durability replicated means in the replicas' memory (WAIT), not on their disks"
                    );
                } else {
                    tracing::info!("WAITAOF available: --durability replicated-aof also waits for the replicas' append-only files");
                }
            }
            if aof && version < (7, 2) {
                return Err(LogError::Unsupported(format!(
                    "--durability replicated-aof needs WAITAOF (Redis ≥ 7.2); this server is {}.{}: use --durability replicated (WAIT: in the replicas' memory)",
                    version.0, version.1
                )));
            }
        }
        log.durability = durability;
        Ok(Log::Redis(Arc::new(log)))
    }

    /// Append; the returned offset is durable (in the log) when this returns `Ok`.
    pub async fn append(&self, target: &Target, payload: &str) -> Result<Offset, LogError> {
        Ok(self.publish(target, payload, None).await?.offset)
    }

    /// Append once per idempotency key: a publish whose key was already appended (within the
    /// key's TTL) returns the earlier offset and appends nothing.
    pub async fn publish(
        &self,
        target: &Target,
        payload: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Appended, LogError> {
        match self {
            Log::Memory(m) => Ok(m.publish(target, payload, idempotency_key)),
            Log::Redis(r) => r.publish(target, payload, idempotency_key).await,
        }
    }

    /// How acknowledged publishes are made durable.
    pub fn durability(&self) -> Durability {
        match self {
            Log::Memory(_) => Durability::Leader,
            Log::Redis(r) => r.durability,
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

    /// What a reader resuming after `from` must be told before it is given
    /// `range_after(from, …)`: `None` when the log holds everything after `from`.
    pub async fn gap_after(&self, from: Offset) -> Result<Option<Gap>, LogError> {
        match self {
            Log::Memory(m) => Ok(m.gap_after(from)),
            Log::Redis(r) => r.gap_after(from).await,
        }
    }

    /// The log's generation (`None` until its first entry).
    pub async fn generation(&self) -> Result<Option<Generation>, LogError> {
        match self {
            Log::Memory(m) => Ok(m.generation()),
            Log::Redis(r) => r.generation().await,
        }
    }

    /// How this node's reader (`follow`) is doing.
    pub fn reader_status(&self) -> ReaderStatus {
        match self {
            Log::Memory(_) => ReaderStatus {
                state: "memory",
                last_read_ms: now_ms(),
                stalled_for: Duration::ZERO,
                error: None,
            },
            Log::Redis(r) => r.health.status(now_ms()),
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
    /// This process's log: offsets from before it was created belong to a lost one.
    generation: Generation,
    /// Idempotency keys and the offsets they got (kept as long as the entries are).
    idempotency: Mutex<std::collections::HashMap<String, Offset>>,
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
            generation: Generation {
                id: new_generation_id(),
                first: Offset {
                    ms: now_ms(),
                    seq: 0,
                },
            },
            idempotency: Mutex::new(std::collections::HashMap::new()),
        }
    }

    fn publish(&self, target: &Target, payload: &str, key: Option<&str>) -> Appended {
        let Some(key) = key else {
            return Appended {
                offset: self.append(target, payload),
                replayed: false,
            };
        };
        let mut keys = self.idempotency.lock().expect("idempotency lock");
        if let Some(offset) = keys.get(key) {
            return Appended {
                offset: *offset,
                replayed: true,
            };
        }
        let offset = self.append(target, payload);
        // Forget keys whose entries retention removed.
        if let Some(t) = self.trimmed_through() {
            keys.retain(|_, o| *o > t);
        }
        keys.insert(key.to_string(), offset);
        Appended {
            offset,
            replayed: false,
        }
    }

    fn generation(&self) -> Option<Generation> {
        Some(self.generation.clone())
    }

    fn gap_after(&self, from: Offset) -> Option<Gap> {
        gap_after(
            from,
            Some(&self.generation),
            self.last(),
            self.trimmed_through(),
        )
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

/// Append one entry: `XADD` (with retention), then create the log's generation if this is
/// the stream's first entry, and remember the idempotency key if one is given.
/// KEYS: log, generation[, idempotency key]. ARGV: max_len, min_id (empty: no age limit),
/// generation id, target kind, target id, payload, node, key TTL (s), `1` when the entry awaits
/// its replicas (the key then reads `pending:<id>` until committed).
/// Returns `{id, replayed}`: `replayed` 1 when the key was already used (`id` is its value).
static APPEND_SCRIPT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        r#"
if KEYS[3] then
  local prev = redis.call('GET', KEYS[3])
  if prev then return {{prev, 1}} end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
  '{kind}', ARGV[4], '{tid}', ARGV[5], '{payload}', ARGV[6], '{node}', ARGV[7])
if ARGV[2] ~= '' then redis.call('XTRIM', KEYS[1], 'MINID', '~', ARGV[2]) end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local first = id
  -- A stream older than generations: it is its own first generation from the start.
  if redis.call('XLEN', KEYS[1]) > 1 then first = '0-0' end
  redis.call('SET', KEYS[2], ARGV[3] .. ' ' .. first)
end
if KEYS[3] then
  local v = id
  if ARGV[9] == '1' then v = 'pending:' .. id end
  redis.call('SET', KEYS[3], v, 'EX', ARGV[8])
end
return {{id, 0}}
"#,
        kind = field::TARGET_KIND,
        tid = field::TARGET_ID,
        payload = field::PAYLOAD,
        node = field::NODE,
    )
});

/// The replicas confirmed an entry: raise the acknowledged watermark (monotonic) and confirm
/// the idempotency key. KEYS: acks[, idempotency key]. ARGV: id, key TTL (s).
static COMMIT_SCRIPT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        r#"
local function newer(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end
local w = ARGV[1]
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if last then
  local f = last[2]
  for i = 1, #f, 2 do
    if f[i] == '{acked}' and newer(f[i + 1], w) then w = f[i + 1] end
  end
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', {max_len}, '*', '{acked}', w)
if KEYS[2] then redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2]) end
return w
"#,
        acked = field::ACKED,
        max_len = crate::redis_schema::ACKS_MAX_LEN,
    )
});

/// The replicas did not confirm an entry in time. If another publish's confirmation already
/// raised the watermark past it (its replicas then have this entry too: replication is in
/// order), it may have been delivered: it counts as confirmed, returns 0. Otherwise mark it
/// aborted (readers skip it; being above the watermark, none delivered it), prune marks older
/// than the log, free its idempotency key, return 1. The entry stays in the stream: deleting
/// it would read as a retention gap (`max-deleted-entry-id`).
/// KEYS: log, aborted, acks[, idempotency key]. ARGV: id, its ms, key TTL (s).
static ABORT_SCRIPT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        r#"
local function parse(a)
  local m, s = string.match(a, '^(%d+)-(%d+)$')
  return tonumber(m), tonumber(s)
end
local im, is = parse(ARGV[1])
local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)[1]
if last then
  local f = last[2]
  for i = 1, #f, 2 do
    if f[i] == '{acked}' then
      local wm, ws = parse(f[i + 1])
      if wm > im or (wm == im and ws >= is) then
        if KEYS[4] then redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[3]) end
        return 0
      end
    end
  end
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if first then
  local ms = string.match(first[1], '^(%d+)-')
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ms)
end
if KEYS[4] and redis.call('GET', KEYS[4]) == 'pending:' .. ARGV[1] then
  redis.call('DEL', KEYS[4])
end
return 1
"#,
        acked = field::ACKED,
    )
});

/// A Redis-stream log shared by every node of a fleet.
pub struct RedisLog {
    redis: Redis,
    writer: Conn,
    keys: Keys,
    node: String,
    retention: Retention,
    /// How long one `XREAD BLOCK` waits.
    block: Duration,
    health: ReaderHealth,
    /// The generation id this node proposes if it appends a stream's first entry.
    generation_id: String,
    durability: Durability,
    /// How long an idempotency key is remembered.
    idempotency_ttl: Duration,
    /// `replicated`: one append at a time per node, so an entry removed after a failed `WAIT`
    /// is removed before this node raises the watermark past it.
    append_lock: tokio::sync::Mutex<()>,
}

/// How long the log's writer connection waits for an answer (longer with
/// `--durability replicated` and a long `--replica-timeout-ms`).
const WRITER_TIMEOUT: Duration = Duration::from_secs(2);

/// Retention's high mark from an `XINFO STREAM` reply: the newest entry it removed, if any.
fn parse_trimmed(reply: Value) -> Result<Option<Offset>, LogError> {
    let fields = match reply {
        Value::Array(f) => f,
        Value::Map(m) => m.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        _ => return Ok(None),
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

fn unavailable(e: redis::RedisError) -> LogError {
    LogError::Unavailable(e.to_string())
}

impl RedisLog {
    async fn connect(
        redis: Redis,
        keys: Keys,
        node: &str,
        retention: Retention,
    ) -> Result<RedisLog, LogError> {
        let writer = redis
            .connect(WRITER_TIMEOUT)
            .await
            .map_err(|e| LogError::Unavailable(e.to_string()))?;
        Ok(RedisLog {
            redis,
            writer,
            keys,
            node: node.to_string(),
            retention,
            block: Duration::from_secs(2),
            health: ReaderHealth::default(),
            generation_id: new_generation_id(),
            durability: Durability::Leader,
            idempotency_ttl: crate::redis_schema::IDEMPOTENCY_TTL,
            append_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// `(major, minor)` of the server (`INFO server`); on a cluster, which answers for every
    /// primary, of the oldest.
    async fn server_version(&self) -> Result<(u32, u32), LogError> {
        let mut con = self.writer.clone();
        let info: Value = redis::cmd("INFO")
            .arg("server")
            .query_async(&mut con)
            .await
            .map_err(unavailable)?;
        let texts: Vec<String> = match info {
            Value::Map(m) => m.iter().filter_map(|(_, v)| text(v)).collect(),
            v => text(&v).into_iter().collect(),
        };
        Ok(texts
            .iter()
            .filter_map(|t| parse_version(t))
            .min()
            .unwrap_or((0, 0)))
    }

    fn append_cmd(&self, target: &Target, payload: &str, key: Option<&str>) -> redis::Cmd {
        // One script, so the stream, its generation and the idempotency key are written
        // together (it runs on a Redis Cluster too: every key shares the fleet's hash tag).
        // `EVAL`, not `EVALSHA`: a promoted replica's script cache may be empty, and Redis
        // caches the compiled script.
        let min_id = self.retention.max_age.map_or(String::new(), |age| {
            format!("{}-0", now_ms().saturating_sub(age.as_millis() as u64))
        });
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(APPEND_SCRIPT.as_str())
            .arg(if key.is_some() { 3 } else { 2 })
            .arg(self.keys.log())
            .arg(self.keys.log_generation());
        if let Some(k) = key {
            cmd.arg(self.keys.idempotency(k));
        }
        cmd.arg(self.retention.max_len)
            .arg(min_id)
            .arg(&self.generation_id)
            .arg(target.kind())
            .arg(target.id())
            .arg(payload)
            .arg(&self.node)
            .arg(self.idempotency_ttl.as_secs().max(1))
            .arg(matches!(self.durability, Durability::Replicated { .. }) as u8);
        cmd
    }

    async fn publish(
        &self,
        target: &Target,
        payload: &str,
        key: Option<&str>,
    ) -> Result<Appended, LogError> {
        let mut con = self.writer.clone();
        let Durability::Replicated {
            replicas,
            timeout,
            aof,
        } = self.durability
        else {
            let (id, replayed): (String, u8) = self
                .append_cmd(target, payload, key)
                .query_async(&mut con)
                .await
                .map_err(unavailable)?;
            return Ok(Appended {
                offset: parse_offset(&id)?,
                replayed: replayed == 1,
            });
        };
        let _one_at_a_time = self.append_lock.lock().await;
        // The append and the wait in one round trip (on a cluster: to the slot's primary).
        let mut pipe = redis::pipe();
        pipe.add_command(self.append_cmd(target, payload, key));
        if aof {
            pipe.cmd("WAITAOF")
                .arg(0)
                .arg(replicas)
                .arg(timeout.as_millis() as u64);
        } else {
            pipe.cmd("WAIT")
                .arg(replicas)
                .arg(timeout.as_millis() as u64);
        }
        let ((id, replayed), confirmed): ((String, u8), Value) =
            pipe.query_async(&mut con).await.map_err(unavailable)?;
        if replayed == 1 {
            if id.starts_with("pending:") {
                return Err(LogError::InProgress);
            }
            return Ok(Appended {
                offset: parse_offset(&id)?,
                replayed: true,
            });
        }
        let offset = parse_offset(&id)?;
        // WAIT answers a count; WAITAOF [local, replicas].
        let got = match &confirmed {
            Value::Int(n) => *n,
            Value::Array(v) => match v.get(1) {
                Some(Value::Int(n)) => *n,
                _ => 0,
            },
            _ => 0,
        } as u32;
        let idem = key.map(|k| self.keys.idempotency(k));
        if got >= replicas {
            let mut commit = redis::cmd("EVAL");
            commit
                .arg(COMMIT_SCRIPT.as_str())
                .arg(1 + idem.is_some() as u8)
                .arg(self.keys.log_acks());
            if let Some(k) = &idem {
                commit.arg(k);
            }
            commit.arg(&id).arg(self.idempotency_ttl.as_secs().max(1));
            commit
                .query_async::<Value>(&mut con)
                .await
                .map_err(unavailable)?;
            return Ok(Appended {
                offset,
                replayed: false,
            });
        }
        let mut abort = redis::cmd("EVAL");
        abort
            .arg(ABORT_SCRIPT.as_str())
            .arg(3 + idem.is_some() as u8)
            .arg(self.keys.log())
            .arg(self.keys.log_aborted())
            .arg(self.keys.log_acks());
        if let Some(k) = &idem {
            abort.arg(k);
        }
        abort
            .arg(&id)
            .arg(offset.ms)
            .arg(self.idempotency_ttl.as_secs().max(1));
        match abort.query_async::<i64>(&mut con).await {
            // Confirmed by a later publish's replicas after all.
            Ok(0) => {
                return Ok(Appended {
                    offset,
                    replayed: false,
                })
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(offset = %offset, cause = %e, "log: entry without its replicas could not be marked aborted; it is delivered if a later publish is confirmed");
            }
        }
        Err(LogError::NotReplicated {
            wanted: replicas,
            got,
            timeout_ms: timeout.as_millis() as u64,
        })
    }

    /// `replicated`: the highest offset whose replicas confirmed it (`Offset::ZERO` if none).
    async fn watermark(&self) -> Result<Offset, LogError> {
        let mut con = self.writer.clone();
        let reply: Value = redis::cmd("XREVRANGE")
            .arg(self.keys.log_acks())
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut con)
            .await
            .map_err(unavailable)?;
        Ok(parse_acks(reply)
            .into_iter()
            .map(|(_, w)| w)
            .max()
            .unwrap_or(Offset::ZERO))
    }

    /// `replicated`: drop entries marked aborted (answered 503) from a batch read from `con`.
    async fn without_aborted(
        &self,
        con: &mut Conn,
        batch: Vec<Entry>,
    ) -> Result<Vec<Entry>, LogError> {
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            return Ok(batch);
        };
        let aborted: Vec<String> = redis::cmd("ZRANGEBYSCORE")
            .arg(self.keys.log_aborted())
            .arg(first.offset.ms)
            .arg(last.offset.ms)
            .query_async(con)
            .await
            .map_err(unavailable)?;
        if aborted.is_empty() {
            return Ok(batch);
        }
        let aborted: std::collections::HashSet<Offset> =
            aborted.iter().filter_map(|a| a.parse().ok()).collect();
        Ok(batch
            .into_iter()
            .filter(|e| !aborted.contains(&e.offset))
            .collect())
    }

    fn acked_reads(&self) -> bool {
        matches!(self.durability, Durability::Replicated { .. })
    }

    async fn generation(&self) -> Result<Option<Generation>, LogError> {
        let mut con = self.writer.clone();
        let g: Option<String> = redis::cmd("GET")
            .arg(self.keys.log_generation())
            .query_async(&mut con)
            .await
            .map_err(|e| LogError::Unavailable(e.to_string()))?;
        Ok(g.as_deref().and_then(Generation::parse))
    }

    async fn gap_after(&self, from: Offset) -> Result<Option<Gap>, LogError> {
        if !self.acked_reads() {
            // One round trip (every reconnecting device asks this): generation, last entry
            // and retention's high mark together.
            let log = self.keys.log();
            let mut p = redis::pipe();
            p.cmd("GET").arg(self.keys.log_generation());
            p.cmd("XREVRANGE")
                .arg(&log)
                .arg("+")
                .arg("-")
                .arg("COUNT")
                .arg(1);
            p.cmd("XINFO").arg("STREAM").arg(&log);
            let mut con = self.writer.clone();
            match p
                .query_async::<(Option<String>, Value, Value)>(&mut con)
                .await
            {
                Ok((g, last, info)) => {
                    let generation = g.as_deref().and_then(Generation::parse);
                    let last = parse_entries(last)?
                        .first()
                        .map_or(Offset::ZERO, |e| e.offset);
                    let trimmed = parse_trimmed(info)?;
                    return Ok(gap_after(from, generation.as_ref(), last, trimmed));
                }
                // No stream yet (XINFO refuses): ask one by one below.
                Err(e) if e.to_string().contains("no such key") => {}
                Err(e) => return Err(LogError::Unavailable(e.to_string())),
            }
        }
        let generation = self.generation().await?;
        let last = self.last().await?;
        let trimmed = self.trimmed_through().await?;
        Ok(gap_after(from, generation.as_ref(), last, trimmed))
    }

    async fn range_after(&self, after: Offset, limit: usize) -> Result<Vec<Entry>, LogError> {
        // `replicated`: nothing above the acknowledged watermark is given out.
        let end = if self.acked_reads() {
            let w = self.watermark().await?;
            if w <= after {
                return Ok(Vec::new());
            }
            w.to_string()
        } else {
            "+".to_string()
        };
        let mut con = self.writer.clone();
        let reply: Value = redis::cmd("XRANGE")
            .arg(self.keys.log())
            .arg(format!("({after}"))
            .arg(end)
            .arg("COUNT")
            .arg(limit)
            .query_async(&mut con)
            .await
            .map_err(|e| LogError::Unavailable(e.to_string()))?;
        let batch = parse_entries(reply)?;
        if self.acked_reads() {
            return self.without_aborted(&mut con, batch).await;
        }
        Ok(batch)
    }

    async fn last(&self) -> Result<Offset, LogError> {
        let end = if self.acked_reads() {
            self.watermark().await?.to_string()
        } else {
            "+".to_string()
        };
        let mut con = self.writer.clone();
        let reply: Value = redis::cmd("XREVRANGE")
            .arg(self.keys.log())
            .arg(end)
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
        match reply {
            // No stream yet: nothing was ever trimmed.
            Err(e) if e.to_string().contains("no such key") => Ok(None),
            Err(e) => Err(LogError::Unavailable(e.to_string())),
            Ok(v) => parse_trimmed(v),
        }
    }

    /// `leader`: every entry after `after` (waits up to `block` for one). Returns the batch
    /// and the offset read through.
    async fn read_all(
        &self,
        c: &mut Conn,
        after: Offset,
    ) -> Result<(Vec<Entry>, Offset), LogError> {
        let mut cmd = redis::cmd("XREAD");
        cmd.arg("COUNT")
            .arg(1024)
            .arg("BLOCK")
            .arg(self.block.as_millis() as u64)
            .arg("STREAMS")
            .arg(self.keys.log())
            .arg(after.to_string());
        let batch = parse_xread(cmd.query_async::<Value>(c).await.map_err(unavailable)?)?;
        Ok((batch, after))
    }

    /// `replicated`: entries after `after` up to the acknowledged watermark; when there are
    /// none, waits up to `block` for the watermark to rise (`XREAD BLOCK` on `log:acks`).
    async fn read_acked(
        &self,
        c: &mut Conn,
        after: Offset,
        acked: &mut Acked,
    ) -> Result<(Vec<Entry>, Offset), LogError> {
        if acked.cursor.is_none() {
            // Start from the newest acknowledgement.
            let reply: Value = redis::cmd("XREVRANGE")
                .arg(self.keys.log_acks())
                .arg("+")
                .arg("-")
                .arg("COUNT")
                .arg(1)
                .query_async(c)
                .await
                .map_err(unavailable)?;
            let newest = parse_acks(reply);
            acked.cursor = Some(newest.first().map_or("0-0".into(), |(id, _)| id.clone()));
            acked.watermark = newest.first().map_or(Offset::ZERO, |(_, w)| *w);
        }
        if acked.watermark > after {
            let reply: Value = redis::cmd("XRANGE")
                .arg(self.keys.log())
                .arg(format!("({after}"))
                .arg(acked.watermark.to_string())
                .arg("COUNT")
                .arg(1024)
                .query_async(c)
                .await
                .map_err(unavailable)?;
            let batch = parse_entries(reply)?;
            // Fewer than asked: everything up to the watermark is read.
            let through = if batch.len() < 1024 {
                acked.watermark
            } else {
                batch.last().map_or(after, |e| e.offset)
            };
            let batch = self.without_aborted(c, batch).await?;
            return Ok((batch, through));
        }
        let mut cmd = redis::cmd("XREAD");
        cmd.arg("COUNT")
            .arg(1024)
            .arg("BLOCK")
            .arg(self.block.as_millis() as u64)
            .arg("STREAMS")
            .arg(self.keys.log_acks())
            .arg(acked.cursor.as_deref().unwrap_or("0-0"));
        let reply = cmd.query_async::<Value>(c).await.map_err(unavailable)?;
        let acks = match reply {
            Value::Nil => Vec::new(),
            Value::Array(streams) => streams
                .into_iter()
                .filter_map(|s| match s {
                    Value::Array(mut kv) if kv.len() == 2 => kv.pop(),
                    _ => None,
                })
                .flat_map(parse_acks)
                .collect(),
            Value::Map(m) => m.into_iter().flat_map(|(_, v)| parse_acks(v)).collect(),
            _ => Vec::new(),
        };
        for (id, w) in acks {
            acked.cursor = Some(id);
            acked.watermark = acked.watermark.max(w);
        }
        Ok((Vec::new(), after))
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
        // `replicated`: the acknowledged watermark and the last `log:acks` entry read.
        let mut acked = Acked::default();
        // Stalled is measured from here until the first successful read.
        self.health.ok();
        loop {
            if cancel.is_cancelled() {
                return;
            }
            if con.is_none() {
                // A cluster's reader is rebuilt from the topology the writer's connection
                // follows (it survives failovers), not from the URLs the node started with.
                if self.redis.is_cluster() {
                    let mut writer = self.writer.clone();
                    tokio::select! {
                        _ = self.redis.discover(Some(&mut writer)) => {}
                        _ = cancel.cancelled() => return,
                    }
                }
                match tokio::select! {
                    c = self.reader() => c,
                    _ = cancel.cancelled() => return,
                } {
                    Ok(c) => {
                        tracing::info!(after = %after, "log: following the Redis stream");
                        con = Some(c);
                    }
                    Err(e) => {
                        self.health
                            .failed(&LogError::Unavailable(format!("connect: {e}")));
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
            let read = async {
                if self.acked_reads() {
                    self.read_acked(c, after, &mut acked).await
                } else {
                    self.read_all(c, after).await
                }
            };
            let reply = tokio::select! {
                r = read => r,
                _ = cancel.cancelled() => return,
            };
            match reply {
                Ok((batch, through)) => {
                    backoff = Duration::from_millis(100);
                    self.health.ok();
                    for entry in batch {
                        after = entry.offset;
                        if tx.send(entry).await.is_err() {
                            return;
                        }
                        // Handing a large batch to a busy delivery loop is progress, not a
                        // stall.
                        self.health.ok();
                    }
                    after = after.max(through);
                }
                Err(e) => {
                    self.health.failed(&e);
                    tracing::warn!(cause = %e, resume_after = %after, "log: read failed; reconnecting");
                    con = None;
                    // Do not hammer a server that answers errors at once.
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = cancel.cancelled() => return,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}

/// What a `replicated` reader knows of `log:acks`.
#[derive(Debug, Default)]
struct Acked {
    /// The last `log:acks` entry id read (`None`: not read yet).
    cursor: Option<String>,
    watermark: Offset,
}

/// `log:acks` entries: `[[id, ["a", offset]], …]` → `(id, offset)`.
fn parse_acks(v: Value) -> Vec<(String, Offset)> {
    let Value::Array(items) = v else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Value::Array(pair) = item else { continue };
        let Ok([id, fields]) = <[Value; 2]>::try_from(pair) else {
            continue;
        };
        let fields = match fields {
            Value::Array(f) => f,
            Value::Map(m) => m.into_iter().flat_map(|(k, v)| [k, v]).collect(),
            _ => continue,
        };
        for kv in fields.chunks(2) {
            if kv.first().and_then(text).as_deref() == Some(field::ACKED) {
                if let (Some(id), Some(Ok(w))) = (
                    text(&id),
                    kv.get(1).and_then(text).map(|t| t.parse::<Offset>()),
                ) {
                    out.push((id, w));
                }
            }
        }
    }
    out
}

fn parse_offset(id: &str) -> Result<Offset, LogError> {
    id.parse().map_err(|message| LogError::Corrupt {
        offset: id.to_string(),
        message,
    })
}

/// `(major, minor)` from `INFO server` (`redis_version:7.0.15`).
fn parse_version(info: &str) -> Option<(u32, u32)> {
    let v = info
        .lines()
        .find_map(|l| l.trim().strip_prefix("redis_version:"))?;
    let mut it = v.split('.');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
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
    fn gaps_by_retention_generation_and_end() {
        let o = |ms: u64| Offset { ms, seq: 0 };
        let g = Generation {
            id: "g".into(),
            first: o(100),
        };
        // Everything after `from` is there.
        assert_eq!(gap_after(o(150), Some(&g), o(200), None), None);
        assert_eq!(gap_after(o(200), Some(&g), o(200), Some(o(120))), None);
        // Retention took some of it.
        let r = gap_after(o(110), Some(&g), o(200), Some(o(120))).unwrap();
        assert_eq!((r.reason, r.to), (GapReason::Retention, Some(o(120))));
        assert_eq!(
            gap_after(Offset::ZERO, Some(&g), o(200), Some(o(120)))
                .unwrap()
                .reason,
            GapReason::Retention
        );
        assert_eq!(gap_after(Offset::ZERO, None, Offset::ZERO, None), None);
        // The offset is from an earlier log.
        let r = gap_after(o(50), Some(&g), o(200), None).unwrap();
        assert_eq!((r.reason, r.to), (GapReason::Generation, None));
        // A log lost with nothing appended since: no generation, empty.
        let r = gap_after(o(50), None, Offset::ZERO, None).unwrap();
        assert_eq!(r.reason, GapReason::Generation);
        // Same generation, but the log ends before the offset.
        let r = gap_after(o(300), Some(&g), o(200), None).unwrap();
        assert_eq!(r.reason, GapReason::BeyondEnd);
        // A pre-generation stream (first 0-0) never predates anything.
        let old = Generation {
            id: "o".into(),
            first: Offset::ZERO,
        };
        assert_eq!(gap_after(o(1), Some(&old), o(200), None), None);
        let j = r.to_json();
        assert_eq!(
            (j["from"].as_str(), j["reason"].as_str()),
            (Some("300-0"), Some("beyond-end"))
        );
        assert!(j["to"].is_null() && j["message"].as_str().unwrap().contains("beyond"));
        assert_eq!(
            Generation::parse("abc 5-1"),
            Some(Generation {
                id: "abc".into(),
                first: Offset { ms: 5, seq: 1 }
            })
        );
        assert_eq!(Generation::parse("abc"), None);
    }

    #[tokio::test]
    async fn a_memory_log_knows_offsets_from_before_it() {
        let log = Log::memory(10);
        let before = Offset { ms: 1, seq: 0 };
        let gap = log.gap_after(before).await.unwrap().unwrap();
        assert_eq!(gap.reason, GapReason::Generation);
        let a = log.append(&Target::All, "1").await.unwrap();
        assert_eq!(log.gap_after(a).await.unwrap(), None);
        assert_eq!(log.gap_after(Offset::ZERO).await.unwrap(), None);
        assert!(log.generation().await.unwrap().unwrap().first <= a);
        assert_eq!(log.reader_status().state, "memory");
    }

    #[test]
    fn a_reader_stalls_after_no_read_for_stall_after() {
        let h = ReaderHealth::default();
        assert_eq!(h.status(1_000).state, "starting");
        h.last_ok_ms.store(1_000, Relaxed);
        h.failed(&LogError::Unavailable("refused".into()));
        let s = h.status(1_000 + STALL_AFTER.as_millis() as u64 - 1);
        assert_eq!(
            (s.state, s.stalled_for, s.error),
            ("following", Duration::ZERO, None)
        );
        let s = h.status(1_000 + 7_000);
        assert!(s.is_stalled());
        assert_eq!(s.stalled_for, Duration::from_secs(7));
        assert_eq!(s.last_read_ms, 1_000);
        assert!(s.error.unwrap().contains("refused"));
    }

    #[test]
    fn versions_come_from_info_server() {
        let info = "# Server\r\nredis_version:7.0.15\r\nredis_mode:cluster\r\n";
        assert_eq!(parse_version(info), Some((7, 0)));
        assert_eq!(parse_version("redis_version:7.2.4"), Some((7, 2)));
        assert_eq!(parse_version("# Server"), None);
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
