//! What a device has beyond one connection: the departments it subscribed to (and from which log
//! offset each subscription runs), and the signed `pid` of connection state recovery.
//!
//! Subscriptions are durable state. A department joined with `subscribe-department` is recorded
//! before the ack is sent — in Redis when the node has one (so any node can restore it after this
//! one died with SIGKILL), in memory for the embedded single node — together with the log offset
//! after which its notifications belong to the device, so a replay never delivers a department's
//! entries from before the device joined.
//!
//! The rules (README "Sessions and recovery"):
//! - a connect **without** an offset or `pid` (a new app start, a second tab) begins a new
//!   session: the device's room plus the departments it names in the handshake
//!   (`x-department-id`, `auth.departmentId`, `auth.departments`); other sessions of the same
//!   device keep theirs;
//! - a connect with its `pid` (socket.io-client sends `{pid, offset}` by itself on every
//!   reconnect, to any node) resumes that session: its stored departments are restored before
//!   the replay starts, named departments add to them, and the same `pid` comes back
//!   (`socket.recovered` is true);
//! - a connect with only `auth.offset` (an app restart that kept its last offset) continues the
//!   device's latest session under a new `pid`, departments restored the same way;
//! - the `pid` is random, signed with the fleet's key and bound to the device id, and expires
//!   after the recovery window; a forged, altered, expired or another device's `pid` recovers
//!   nothing (the connect is then treated by its `auth.offset` alone, as an app restart).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use redis::AsyncCommands;
use sha2::Sha256;

use super::log::Offset;
use super::node::NodeHandler;
use super::redis_conn::Conn;
use crate::engine::Socket;
use crate::redis_schema::Keys;

/// One department the socket is in, and the log offset after which its entries are the device's.
pub type Membership = (Box<str>, Offset);

/// Where the device's subscriptions are kept between connections, per session: a session
/// begins with a connect without an offset and goes on through every recovery; its id is the
/// nonce of its `pid`. Two tabs of one device are two sessions and never overwrite each other.
pub enum Store {
    /// The embedded single node: in this process.
    Memory(Mutex<MemoryStore>),
    /// Shared by every node of the fleet.
    Redis {
        con: Conn,
        keys: Keys,
        ttl: Duration,
    },
}

/// The embedded node's store: each device's sessions, its latest last. A session not touched
/// (begun, changed or restored) for the store's time to live is dropped, as Redis expires it,
/// so devices that restart their app again and again do not grow the store without end.
pub struct MemoryStore {
    devices: HashMap<Box<str>, Vec<StoredSession>>,
    ttl: Duration,
    epoch: Instant,
    /// Writes since the last sweep of expired sessions.
    writes: u32,
}

/// One session of a device: its departments sorted by name, in a vector (a `BTreeMap`
/// allocates a whole node, ~380 B, for a device's one department).
struct StoredSession {
    id: Box<str>,
    /// Seconds since the store's epoch.
    touched: u32,
    subs: Vec<Membership>,
}

impl StoredSession {
    /// Touched within the last `ttl_secs` at `now`.
    fn live(&self, now: u32, ttl_secs: u64) -> bool {
        u64::from(now.saturating_sub(self.touched)) <= ttl_secs
    }
}

/// Writes between two sweeps of the whole store.
const SWEEP_EVERY: u32 = 4096;

impl MemoryStore {
    fn new(ttl: Duration) -> MemoryStore {
        MemoryStore {
            devices: HashMap::new(),
            ttl,
            epoch: Instant::now(),
            writes: 0,
        }
    }

    fn now(&self) -> u32 {
        u32::try_from(self.epoch.elapsed().as_secs()).unwrap_or(u32::MAX)
    }

    fn live(&self, s: &StoredSession, now: u32) -> bool {
        s.live(now, self.ttl.as_secs())
    }

    fn session(&mut self, device: &str, session: &str) -> Option<&mut StoredSession> {
        let now = self.now();
        let ttl = self.ttl.as_secs();
        let s = self
            .devices
            .get_mut(device)?
            .iter_mut()
            .find(|s| &*s.id == session)
            .filter(|s| s.live(now, ttl))?;
        s.touched = now;
        Some(s)
    }

    /// The device's session `session`, created (as the oldest) if it has none by that id.
    fn entry(&mut self, device: &str, session: &str) -> &mut StoredSession {
        self.wrote();
        let now = self.now();
        if !self.devices.contains_key(device) {
            self.devices.insert(device.into(), Vec::new());
        }
        let list = self.devices.get_mut(device).expect("inserted above");
        let i = match list.iter().position(|s| &*s.id == session) {
            Some(i) => i,
            None => {
                list.reserve_exact(1);
                list.insert(
                    0,
                    StoredSession {
                        id: session.into(),
                        touched: now,
                        subs: Vec::new(),
                    },
                );
                0
            }
        };
        list[i].touched = now;
        &mut list[i]
    }

    /// Makes `session` the device's latest (last), dropping its expired sessions.
    fn make_latest(&mut self, device: &str, session: &str, subs: Vec<Membership>) {
        self.entry(device, session);
        let now = self.now();
        let ttl = self.ttl.as_secs();
        if let Some(list) = self.devices.get_mut(device) {
            list.retain(|s| s.live(now, ttl));
            if let Some(i) = list.iter().position(|s| &*s.id == session) {
                let mut s = list.remove(i);
                s.subs = subs;
                list.push(s);
            }
            list.shrink_to_fit();
        }
    }

    /// Every [`SWEEP_EVERY`] writes, drops the expired sessions of every device.
    fn wrote(&mut self) {
        self.writes += 1;
        if self.writes < SWEEP_EVERY {
            return;
        }
        self.writes = 0;
        let now = self.now();
        let ttl = self.ttl.as_secs();
        self.devices.retain(|_, list| {
            list.retain(|s| s.live(now, ttl));
            !list.is_empty()
        });
    }
}

/// A failed read or write of the store.
#[derive(Debug, thiserror::Error)]
#[error("subscription store: {0}")]
pub struct StoreError(String);

impl From<redis::RedisError> for StoreError {
    fn from(e: redis::RedisError) -> Self {
        StoreError(e.to_string())
    }
}

impl Store {
    /// In this process; a session is kept `ttl` after its last change or connect.
    pub fn memory(ttl: Duration) -> Store {
        Store::Memory(Mutex::new(MemoryStore::new(ttl)))
    }

    /// How long a store keeps a session the log can still replay to: twice the log's retention
    /// age, at least a day.
    pub fn ttl(retention_age: Option<Duration>) -> Duration {
        let day = Duration::from_secs(86_400);
        retention_age.map_or(2 * day, |a| (2 * a).max(day))
    }

    /// In Redis, kept twice the log's retention age (at least a day) after the last change or
    /// connect: at least as long as the log can still replay anything to the device.
    pub fn redis(con: Conn, keys: Keys, retention_age: Option<Duration>) -> Store {
        let ttl = Store::ttl(retention_age);
        Store::Redis { con, keys, ttl }
    }

    fn mem(&self) -> Option<std::sync::MutexGuard<'_, MemoryStore>> {
        match self {
            Store::Memory(m) => Some(m.lock().expect("subscription store")),
            Store::Redis { .. } => None,
        }
    }

    /// The departments stored for this session of the device.
    pub async fn load(&self, device: &str, session: &str) -> Result<Vec<Membership>, StoreError> {
        if let Some(mut m) = self.mem() {
            return Ok(m
                .session(device, session)
                .map(|s| s.subs.clone())
                .unwrap_or_default());
        }
        let Store::Redis { con, keys, ttl } = self else {
            unreachable!()
        };
        let key = keys.subscriptions(device, session);
        let mut p = redis::pipe();
        p.hgetall(&key).expire(&key, ttl.as_secs() as i64);
        let (map, _): (HashMap<String, String>, i64) = retry(con, &p).await?;
        let mut out = Vec::with_capacity(map.len());
        for (dept, off) in map {
            let off = off
                .parse::<Offset>()
                .map_err(|m| StoreError(format!("{key} field {dept}: {m}")))?;
            out.push((dept.into_boxed_str(), off));
        }
        out.sort();
        Ok(out)
    }

    /// The device's latest session, if it has one.
    pub async fn latest(&self, device: &str) -> Result<Option<String>, StoreError> {
        if let Some(m) = self.mem() {
            let now = m.now();
            return Ok(m
                .devices
                .get(device)
                .and_then(|l| l.last())
                .filter(|s| m.live(s, now))
                .map(|s| s.id.to_string()));
        }
        let Store::Redis { con, keys, .. } = self else {
            unreachable!()
        };
        let mut p = redis::pipe();
        p.get(keys.session(device));
        let (latest,): (Option<String>,) = retry(con, &p).await?;
        Ok(latest)
    }

    /// Record that the session is in `dept` since `since`; an existing record keeps its
    /// (older) offset.
    pub async fn subscribe(
        &self,
        device: &str,
        session: &str,
        dept: &str,
        since: Offset,
    ) -> Result<(), StoreError> {
        self.add(device, session, &[(dept.into(), since)]).await
    }

    /// Record several memberships at once (as `subscribe`).
    pub async fn add(
        &self,
        device: &str,
        session: &str,
        list: &[Membership],
    ) -> Result<(), StoreError> {
        if let Some(mut m) = self.mem() {
            let d = &mut m.entry(device, session).subs;
            for (dept, since) in list {
                // joined again: the earlier offset stands
                put_sorted(d, dept, *since, |old, new| old.min(new));
            }
            d.shrink_to_fit();
            return Ok(());
        }
        let Store::Redis { con, keys, ttl } = self else {
            unreachable!()
        };
        let key = keys.subscriptions(device, session);
        let mut p = redis::pipe();
        for (dept, since) in list {
            p.hset_nx(&key, &**dept, since.to_string()).ignore();
        }
        p.expire(&key, ttl.as_secs() as i64).ignore();
        retry::<()>(con, &p).await?;
        Ok(())
    }

    /// Record that the session left `dept`.
    pub async fn unsubscribe(
        &self,
        device: &str,
        session: &str,
        dept: &str,
    ) -> Result<(), StoreError> {
        if let Some(mut m) = self.mem() {
            if let Some(s) = m.session(device, session) {
                if let Ok(i) = s.subs.binary_search_by(|(k, _)| k.as_ref().cmp(dept)) {
                    s.subs.remove(i);
                }
            }
            return Ok(());
        }
        let Store::Redis { con, keys, .. } = self else {
            unreachable!()
        };
        let mut p = redis::pipe();
        p.hdel(keys.subscriptions(device, session), dept).ignore();
        retry::<()>(con, &p).await?;
        Ok(())
    }

    /// Begin (or continue under a new id) a session: its departments become exactly `list`,
    /// and it becomes the device's latest session.
    pub async fn begin(
        &self,
        device: &str,
        session: &str,
        list: &[Membership],
    ) -> Result<(), StoreError> {
        if let Some(mut m) = self.mem() {
            // as collecting into a map: a department named twice keeps its last offset
            let mut d: Vec<Membership> = Vec::with_capacity(list.len());
            for (dept, since) in list {
                put_sorted(&mut d, dept, *since, |_, new| new);
            }
            m.make_latest(device, session, d);
            return Ok(());
        }
        let Store::Redis { con, keys, ttl } = self else {
            unreachable!()
        };
        let key = keys.subscriptions(device, session);
        let ttl = ttl.as_secs() as i64;
        let mut p = redis::pipe();
        p.atomic().del(&key).ignore();
        for (dept, since) in list {
            p.hset(&key, &**dept, since.to_string()).ignore();
        }
        p.expire(&key, ttl).ignore();
        p.set_ex(keys.session(device), session, ttl as u64).ignore();
        retry::<()>(con, &p).await?;
        Ok(())
    }
}

/// Per-socket data: who the device is and which departments this socket is in now. Every
/// connected device holds one for the life of its connection: what most devices do not have is
/// boxed in [`Named`].
pub struct Device {
    pub device_id: Box<str>,
    /// Where to resume from: the client's offset, or the start of the session its `pid` proves.
    pub resume_from: Option<Offset>,
    /// This connection's session (the nonce of its `pid`, hex).
    pub session: Box<str>,
    /// What the CONNECT named beyond the device id (`None` when it named nothing).
    pub named: Option<Box<Named>>,
    /// Departments this socket is in, each with the offset after which its entries are the
    /// device's. Replay checks it entry by entry under this lock.
    pub departments: Mutex<Vec<Membership>>,
    /// Done-signal of the last change of this device's subscriptions: each change waits for the
    /// one before, so the store sees them in the order the device sent them. A oneshot, not the
    /// change's `JoinHandle`: a handle kept here would keep the finished task's cell (~1.6 KB,
    /// sized by the change's future) allocated for the life of every subscribed connection. The
    /// last change clears it when it ends, so an idle connection holds no channel either.
    pub pending: Mutex<Pending>,
}

/// What a CONNECT named beyond the device id.
#[derive(Default)]
pub struct Named {
    pub department: Option<Box<str>>,
    pub user: Option<Box<str>>,
    /// Departments named at connect (header or `auth.departmentId`, plus `auth.departments`).
    pub departments: Vec<Box<str>>,
    /// With `--auth jwt`: the only departments the token lets this device join.
    pub granted: Option<Vec<Box<str>>>,
    /// The `pid` the device sent back, when it was valid: returned unchanged, so the client
    /// sees `socket.recovered`.
    pub recovered_pid: Option<Box<str>>,
}

impl Named {
    /// `None` when nothing is named (no allocation for most devices).
    pub fn boxed(self) -> Option<Box<Named>> {
        let empty = self.department.is_none()
            && self.user.is_none()
            && self.departments.is_empty()
            && self.granted.is_none()
            && self.recovered_pid.is_none();
        (!empty).then(|| Box::new(self))
    }
}

/// The last queued change of a device's subscriptions (see [`Device::pending`]).
#[derive(Default)]
pub struct Pending {
    /// Changes queued so far on this socket.
    queued: u64,
    /// Resolves when the last queued change has ended.
    last: Option<tokio::sync::oneshot::Receiver<()>>,
}

impl Device {
    /// Departments named at connect.
    pub fn named_departments(&self) -> &[Box<str>] {
        self.named.as_ref().map_or(&[], |n| &n.departments)
    }

    /// With `--auth jwt`: the only departments the token lets this device join.
    pub fn granted(&self) -> Option<&[Box<str>]> {
        self.named.as_ref().and_then(|n| n.granted.as_deref())
    }

    /// The valid `pid` the device sent back.
    pub fn recovered_pid(&self) -> Option<&str> {
        self.named.as_ref().and_then(|n| n.recovered_pid.as_deref())
    }

    /// The departments this socket is in now.
    pub fn departments(&self) -> Vec<Membership> {
        self.departments.lock().expect("socket departments").clone()
    }
}

/// Run `change` on `socket`'s device after every change queued before it.
pub fn in_order<F>(socket: &Socket<NodeHandler>, change: F)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let (done, next) = tokio::sync::oneshot::channel();
    let (before, mine) = {
        let mut p = socket.data().pending.lock().expect("pending changes");
        p.queued += 1;
        (p.last.replace(next), p.queued)
    };
    let socket = socket.clone();
    // the handle is dropped: the task's memory is freed as soon as it finishes
    drop(tokio::spawn(async move {
        if let Some(b) = before {
            // an error means the change before ended without signalling (it panicked or
            // the runtime stopped it): go on, as awaiting its handle did
            let _ = b.await;
        }
        change.await;
        let _ = done.send(());
        let mut p = socket.data().pending.lock().expect("pending changes");
        if p.queued == mine {
            // nothing was queued after this change: nobody waits for its signal
            p.last = None;
        }
    }));
}

/// Run `p`, retrying twice (after 50 and 200 ms) when Redis timed out or the connection broke:
/// a subscription is recorded before its ack, and a busy moment must not turn into an error.
async fn retry<T: redis::FromRedisValue>(con: &Conn, p: &redis::Pipeline) -> Result<T, StoreError> {
    let mut wait = Duration::from_millis(50);
    let mut attempt = 0;
    loop {
        let mut c = con.clone();
        match p.query_async::<T>(&mut c).await {
            Ok(v) => return Ok(v),
            Err(e)
                if attempt < 2
                    && (e.is_timeout() || e.is_io_error() || e.is_connection_dropped()) =>
            {
                attempt += 1;
                tokio::time::sleep(wait).await;
                wait *= 4;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

type HmacSha256 = Hmac<Sha256>;

const NONCE: usize = 12;
const BODY: usize = NONCE + 8 + 8 + 8;
const TAG: usize = 16;

/// Issues and checks connection state recovery `pid`s: `base64url(nonce ‖ start offset ‖
/// expiry ‖ HMAC-SHA256(key, that ‖ device id)[..16])`. Random (96-bit nonce), bound to the
/// device id, unforgeable without the fleet's key, and checked by any node without a round trip.
pub struct PidSigner {
    key: Vec<u8>,
    window: Duration,
}

/// What a valid `pid` proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PidClaim {
    /// The session it belongs to.
    pub session: Box<str>,
    /// The node's delivery position when the session began: where to resume a device that
    /// reconnects before it received anything (the client then sends no offset).
    pub start: Offset,
}

/// Put `dept` into a session's departments (sorted by name): a new one is inserted in place,
/// one already there gets `merge(its offset, since)`.
fn put_sorted(
    d: &mut Vec<Membership>,
    dept: &str,
    since: Offset,
    merge: fn(Offset, Offset) -> Offset,
) {
    match d.binary_search_by(|(k, _)| k.as_ref().cmp(dept)) {
        Ok(i) => d[i].1 = merge(d[i].1, since),
        Err(i) => d.insert(i, (dept.into(), since)),
    }
}

/// A new session id: 96 random bits, hex.
pub fn new_session() -> Box<str> {
    let mut n = [0u8; NONCE];
    rand::rng().fill_bytes(&mut n);
    hex(&n).into()
}

impl PidSigner {
    /// A signer with this key; a `pid` is valid for `window` after it was issued.
    pub fn new(key: Vec<u8>, window: Duration) -> PidSigner {
        PidSigner { key, window }
    }

    /// A signer with a random key (the embedded single node).
    pub fn random(window: Duration) -> PidSigner {
        PidSigner::new(random_key(), window)
    }

    /// The fleet's key from Redis, created by the first node that starts.
    pub async fn shared(
        con: &mut Conn,
        keys: &Keys,
        window: Duration,
    ) -> Result<PidSigner, StoreError> {
        let fresh = hex(&random_key());
        let _: Option<String> = redis::cmd("SET")
            .arg(keys.secret())
            .arg(&fresh)
            .arg("NX")
            .query_async(con)
            .await?;
        let stored: String = con.get(keys.secret()).await?;
        let key =
            unhex(&stored).ok_or_else(|| StoreError(format!("{} is not hex", keys.secret())))?;
        Ok(PidSigner::new(key, window))
    }

    fn tag(&self, body: &[u8], device: &str) -> [u8; TAG] {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("hmac takes any key length");
        mac.update(body);
        mac.update(device.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut t = [0u8; TAG];
        t.copy_from_slice(&full[..TAG]);
        t
    }

    /// A `pid` for `device`'s `session` (from [`new_session`]), which began after `start`.
    pub fn issue(&self, device: &str, session: &str, start: Offset, now_ms: u64) -> String {
        let mut body = [0u8; BODY];
        let nonce = unhex(session).filter(|n| n.len() == NONCE);
        body[..NONCE].copy_from_slice(nonce.as_deref().expect("a session from new_session"));
        body[NONCE..NONCE + 8].copy_from_slice(&start.ms.to_be_bytes());
        body[NONCE + 8..NONCE + 16].copy_from_slice(&start.seq.to_be_bytes());
        let expires = now_ms.saturating_add(self.window.as_millis() as u64);
        body[NONCE + 16..].copy_from_slice(&expires.to_be_bytes());
        let mut all = body.to_vec();
        all.extend_from_slice(&self.tag(&body, device));
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(all)
    }

    /// Check a `pid` a device sent back: `None` unless this fleet issued it to this device and
    /// it has not expired.
    pub fn verify(&self, pid: &str, device: &str, now_ms: u64) -> Option<PidClaim> {
        if pid.len() > 128 {
            return None;
        }
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(pid)
            .ok()?;
        if raw.len() != BODY + TAG {
            return None;
        }
        let (body, tag) = raw.split_at(BODY);
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("hmac takes any key length");
        mac.update(body);
        mac.update(device.as_bytes());
        // constant-time comparison of the truncated tag
        mac.verify_truncated_left(tag).ok()?;
        let u = |r: std::ops::Range<usize>| u64::from_be_bytes(body[r].try_into().expect("8"));
        let expires = u(NONCE + 16..BODY);
        if now_ms > expires {
            return None;
        }
        Some(PidClaim {
            session: hex(&body[..NONCE]).into(),
            start: Offset {
                ms: u(NONCE..NONCE + 8),
                seq: u(NONCE + 8..NONCE + 16),
            },
        })
    }
}

fn random_key() -> Vec<u8> {
    let mut k = vec![0u8; 32];
    rand::rng().fill_bytes(&mut k);
    k
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn a_pid_is_bound_to_its_device_and_expires() {
        let s = PidSigner::random(DAY);
        let start = Offset { ms: 7, seq: 1 };
        let session = new_session();
        let pid = s.issue("dev-1", &session, start, 1_000);
        assert_eq!(
            s.verify(&pid, "dev-1", 2_000),
            Some(PidClaim { session, start })
        );
        assert_eq!(s.verify(&pid, "dev-2", 2_000), None, "another device");
        assert_eq!(
            s.verify(&pid, "dev-1", 1_000 + DAY.as_millis() as u64 + 1),
            None,
            "expired"
        );
        let other = PidSigner::random(DAY);
        assert_eq!(other.verify(&pid, "dev-1", 2_000), None, "another fleet");
    }

    #[test]
    fn pids_are_random_and_tampering_is_refused() {
        let s = PidSigner::random(DAY);
        let a = s.issue("d", &new_session(), Offset::ZERO, 0);
        let b = s.issue("d", &new_session(), Offset::ZERO, 0);
        assert_ne!(a, b);
        for bad in [
            "",
            "rtctl-d",
            "not base64 !",
            &"A".repeat(70),
            &"A".repeat(500),
        ] {
            assert_eq!(s.verify(bad, "d", 0), None, "{bad}");
        }
        // flip each character of a valid pid in turn
        for i in 0..a.len() {
            let mut c: Vec<char> = a.chars().collect();
            c[i] = if c[i] == 'A' { 'B' } else { 'A' };
            let t: String = c.into_iter().collect();
            if t != a {
                assert_eq!(s.verify(&t, "d", 0), None, "tampered at {i}");
            }
        }
    }

    #[test]
    fn hex_round_trips() {
        let k = random_key();
        assert_eq!(unhex(&hex(&k)).unwrap(), k);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("abc"), None);
    }

    #[tokio::test]
    async fn memory_store_keeps_the_oldest_offset_and_one_set_per_session() {
        let s = Store::memory(Store::ttl(None));
        let o = |ms| Offset { ms, seq: 0 };
        s.begin("d", "s1", &[]).await.unwrap();
        s.subscribe("d", "s1", "D1", o(5)).await.unwrap();
        s.subscribe("d", "s1", "D1", o(9)).await.unwrap();
        s.subscribe("d", "s1", "D2", o(3)).await.unwrap();
        assert_eq!(
            s.load("d", "s1").await.unwrap(),
            vec![("D1".into(), o(5)), ("D2".into(), o(3))]
        );
        s.unsubscribe("d", "s1", "D1").await.unwrap();
        assert_eq!(s.load("d", "s1").await.unwrap(), vec![("D2".into(), o(3))]);
        assert_eq!(s.latest("d").await.unwrap().as_deref(), Some("s1"));
        // A second tab: its own set; the first one's is untouched.
        s.begin("d", "s2", &[("D9".into(), o(11))]).await.unwrap();
        assert_eq!(s.load("d", "s2").await.unwrap(), vec![("D9".into(), o(11))]);
        assert_eq!(s.load("d", "s1").await.unwrap(), vec![("D2".into(), o(3))]);
        assert_eq!(s.latest("d").await.unwrap().as_deref(), Some("s2"));
        assert!(s.load("other", "s1").await.unwrap().is_empty());
        assert_eq!(s.latest("other").await.unwrap(), None);
    }

    #[tokio::test]
    async fn memory_store_forgets_sessions_after_its_ttl() {
        let o = |ms| Offset { ms, seq: 0 };
        // a time to live of 0 s: a session lives until the clock's next second
        let s = Store::memory(Duration::ZERO);
        s.begin("d", "s1", &[("D1".into(), o(1))]).await.unwrap();
        assert_eq!(s.latest("d").await.unwrap().as_deref(), Some("s1"));
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(s.latest("d").await.unwrap(), None, "expired latest");
        assert!(
            s.load("d", "s1").await.unwrap().is_empty(),
            "expired session"
        );
        // a new session of the device drops the expired ones
        s.begin("d", "s2", &[]).await.unwrap();
        assert_eq!(s.latest("d").await.unwrap().as_deref(), Some("s2"));
        let count = |s: &Store| match s {
            Store::Memory(m) => {
                let m = m.lock().unwrap();
                (
                    m.devices.len(),
                    m.devices.values().map(Vec::len).sum::<usize>(),
                )
            }
            Store::Redis { .. } => unreachable!(),
        };
        assert_eq!(count(&s), (1, 1));
        // devices that never come back are swept after enough writes
        s.begin("gone", "g1", &[]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(2100)).await;
        for i in 0..SWEEP_EVERY {
            s.subscribe("busy", "b1", "D", o(u64::from(i)))
                .await
                .unwrap();
        }
        assert_eq!(count(&s), (1, 1), "only the busy device is left");
        // added (a recovered session) without a begin here: its device's only session
        assert_eq!(s.latest("busy").await.unwrap().as_deref(), Some("b1"));
        assert_eq!(
            s.load("busy", "b1").await.unwrap(),
            vec![("D".into(), o(0))]
        );
    }
}
