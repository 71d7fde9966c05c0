//! The one place that defines what `rtctl serve` writes to Redis and `rtctl top` reads.
//!
//! Every key carries the hash tag `{rtctl:<namespace>}` so that, on a Redis Cluster, all of a
//! fleet's keys live in one slot (the log stream, the node index and the heartbeats can then be
//! read together).
//!
//! | key | type | written by | content |
//! |---|---|---|---|
//! | `{rtctl:NS}:log` | stream | every node (`XADD`) | one entry per notification: fields `t` (target kind `department`/`device`/`all`), `k` (target id, empty for `all`), `p` (payload JSON), `n` (accepting node id) |
//! | `{rtctl:NS}:log:generation` | string | the first `XADD` of a log (atomically, in one script) | `<generation id> <first offset>`: which log this is and the first entry it ever held. An offset below the first belongs to an earlier log that was lost (Redis restarted empty, a replica promoted without it) |
//! | `{rtctl:NS}:log:acks` | stream, ~1,000 entries | nodes with `--durability replicated`, after the replicas confirmed an entry | field `a`: the acknowledged watermark (monotonic). With that mode readers deliver only entries at or below it and not in `log:aborted`, so an entry whose replicas did not confirm it (answered 503) is never delivered |
//! | `{rtctl:NS}:log:aborted` | sorted set | nodes with `--durability replicated`, when the replicas did not confirm an entry in time | member = the entry's offset, score = its ms; readers skip these entries (answered 503, never delivered). Entries older than the log's first are pruned |
//! | `{rtctl:NS}:idem:<key>` | string, TTL `--idempotency-ttl-secs` | the publish API, in the same script as its `XADD` | the offset a publish with `Idempotency-Key: <key>` got, so a retry returns it instead of appending again |
//! | `{rtctl:NS}:nodes` | sorted set | every node | member = node id, score = last heartbeat (unix ms); entries stay after the heartbeat expires (so `top` shows a dead node as gone) and are pruned by the writers after `INDEX_KEEP` |
//! | `{rtctl:NS}:node:<id>` | string, TTL `HEARTBEAT_TTL` | every node, each `HEARTBEAT_EVERY` | the node's `Heartbeat` as JSON (summaries only: ≤ 4 KiB whatever the fleet) |
//! | `{rtctl:NS}:detail:<id>` | string, TTL `DETAIL_TTL` | every node, each `DETAIL_EVERY` | the node's `NodeDetail` as JSON (every department, top client IPs, disconnect reasons: `top`'s drill-down) |
//! | `{rtctl:NS}:subs:<device>:<session>` | hash, TTL twice the log's retention age (at least 1 day), renewed on every change and (re)connect | the node holding the device | the departments the device's session subscribed to: field = department id, value = the log offset after which its notifications are the device's |
//! | `{rtctl:NS}:session:<device>` | string, same TTL | the node where the device last began or resumed a session | the device's latest session id (what an app restart with only `auth.offset` resumes) |
//! | `{rtctl:NS}:secret` | string (hex), never expires | the first node to start (`SET NX`) | the key that signs connection state recovery `pid`s, so any node can check a `pid` another node issued |
//! | `{rtctl:NS}:device:<id>` | hash, never expires | the node that took the device's `POST /api/v1/devices/register` | the device registry record: fields `device_id, device_type, device_model, os, os_version, user_id, department_id, app_version, last_ip_address, last_seen, registered_at` (`serve::registry::DeviceRecord`); `last_seen` also set by the node the device connects to |
//! | `{rtctl:NS}:devices` | set | same | every registered device id |
//! | `{rtctl:NS}:devices:department:<id>` | set | same | the registered devices of one department (moved when a device registers with another department) |
//! | `{rtctl:NS}:online:<node>` | set, TTL `HEARTBEAT_TTL`, refreshed every `HEARTBEAT_EVERY` | every node | the device ids connected to that node now (so any node answers `GET /api/v1/devices` for the fleet; a dead node's set expires); deleted at drain |
//!
//! Offsets are stream entry ids (`<ms>-<seq>`), the same text the publish API returns and the
//! devices receive as the last event argument.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Default namespace when none is configured.
pub const DEFAULT_NAMESPACE: &str = "default";

/// How often a node writes its heartbeat.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(1);
/// How long a heartbeat lives: a node silent this long is gone.
pub const HEARTBEAT_TTL: Duration = Duration::from_secs(5);

/// How long a node stays in the node index after its last heartbeat: `top` shows it as gone
/// (with the time) meanwhile, and `status` counts the fleet degraded (a node that stopped
/// cleanly, e.g. scaled in, included). Writers prune older entries.
pub const INDEX_KEEP: Duration = Duration::from_secs(15 * 60);
/// A heartbeat older than this (but not yet expired) is stale.
pub const STALE_AFTER: Duration = Duration::from_millis(2500);
/// How often a node writes its drill-down detail.
pub const DETAIL_EVERY: Duration = Duration::from_secs(5);
/// How long a detail lives.
pub const DETAIL_TTL: Duration = Duration::from_secs(30);
/// Department rooms listed in a heartbeat (the largest); the rest are in the detail.
pub const HEARTBEAT_ROOMS: usize = 16;
/// Client IPs listed in a detail (the largest).
pub const DETAIL_IPS: usize = 20;

/// Field names inside a log entry.
pub mod field {
    pub const TARGET_KIND: &str = "t";
    pub const TARGET_ID: &str = "k";
    pub const PAYLOAD: &str = "p";
    pub const NODE: &str = "n";
    /// In `log:acks` entries: the acknowledged watermark.
    pub const ACKED: &str = "a";
}

/// How long an `Idempotency-Key` is remembered by default.
pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 3600);
/// Entries `log:acks` keeps (approximately).
pub const ACKS_MAX_LEN: usize = 1000;

/// Key names for one fleet namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    /// Keys for `namespace` (letters, digits, `._-` only, 1–64 characters).
    pub fn new(namespace: &str) -> Result<Keys, String> {
        let ok = !namespace.is_empty()
            && namespace.len() <= 64
            && namespace
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !ok {
            return Err(format!(
                "namespace {namespace:?}: expected 1 to 64 characters of [A-Za-z0-9._-]"
            ));
        }
        Ok(Keys {
            prefix: format!("{{rtctl:{namespace}}}"),
        })
    }

    /// The durable notification log (a stream).
    pub fn log(&self) -> String {
        format!("{}:log", self.prefix)
    }

    /// Which log generation the stream is (string `<generation id> <first offset>`).
    pub fn log_generation(&self) -> String {
        format!("{}:log:generation", self.prefix)
    }

    /// The acknowledged watermark of `--durability replicated` (a stream, field `a`).
    pub fn log_acks(&self) -> String {
        format!("{}:log:acks", self.prefix)
    }

    /// Entries appended but never acknowledged (sorted set of offsets, scored by ms).
    pub fn log_aborted(&self) -> String {
        format!("{}:log:aborted", self.prefix)
    }

    /// The offset a publish with this `Idempotency-Key` got (string with a TTL).
    pub fn idempotency(&self, key: &str) -> String {
        format!("{}:idem:{key}", self.prefix)
    }

    /// The index of nodes (sorted set scored by last heartbeat).
    pub fn nodes(&self) -> String {
        format!("{}:nodes", self.prefix)
    }

    /// One node's heartbeat.
    pub fn node(&self, id: &str) -> String {
        format!("{}:node:{id}", self.prefix)
    }

    /// The department subscriptions of one session of a device (a hash: department → offset
    /// it began after).
    pub fn subscriptions(&self, device: &str, session: &str) -> String {
        format!("{}:subs:{device}:{session}", self.prefix)
    }

    /// A device's latest session id.
    pub fn session(&self, device: &str) -> String {
        format!("{}:session:{device}", self.prefix)
    }

    /// The fleet's key for signing recovery `pid`s.
    pub fn secret(&self) -> String {
        format!("{}:secret", self.prefix)
    }
    /// One node's drill-down detail.
    pub fn detail(&self, id: &str) -> String {
        format!("{}:detail:{id}", self.prefix)
    }

    /// One device's registry record (a hash).
    pub fn device(&self, id: &str) -> String {
        format!("{}:device:{id}", self.prefix)
    }

    /// Every registered device id (a set).
    pub fn devices(&self) -> String {
        format!("{}:devices", self.prefix)
    }

    /// The registered devices of one department (a set).
    pub fn department_devices(&self, department: &str) -> String {
        format!("{}:devices:department:{department}", self.prefix)
    }

    /// The devices connected to one node now (a set with the heartbeat's TTL).
    pub fn online(&self, node: &str) -> String {
        format!("{}:online:{node}", self.prefix)
    }
}

/// A log offset (stream entry id `<ms>-<seq>`) as two numbers, for ordering and ages.
pub fn parse_offset(s: &str) -> Option<(u64, u64)> {
    let (ms, seq) = s.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// What a node writes every `HEARTBEAT_EVERY` under `Keys::node` (JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub node_id: String,
    /// `ADDR:PORT` the node listens on.
    pub listen: String,
    pub version: String,
    /// Unix ms when written.
    pub at_ms: u64,
    pub uptime_secs: u64,
    pub connections: u64,
    /// The `HEARTBEAT_ROOMS` largest department rooms and their local member counts (device
    /// rooms are one per device and are not listed; every department is in `NodeDetail`).
    pub rooms: BTreeMap<String, u64>,
    /// Packets received from devices.
    pub messages_in: u64,
    /// Packets written to devices.
    pub messages_out: u64,
    /// Resident memory of the node process.
    pub memory_bytes: u64,
    /// Sockets currently marked behind (being caught up from the log).
    pub sockets_behind: u64,
    /// The last log offset this node delivered.
    pub log_offset: String,
    pub draining: bool,
    /// The node's log reader: `following`, `stalled` (no read of the log for
    /// `serve::log::STALL_AFTER`: the node delivers nothing live), `starting` or `memory`.
    /// Absent in heartbeats of older nodes.
    #[serde(default)]
    pub log_reader: String,
    /// Unix ms of the reader's last successful read of the log (0: none yet).
    #[serde(default)]
    pub log_read_at_ms: u64,
    /// How long the reader has been stalled, in seconds (0 while it follows).
    #[serde(default)]
    pub log_stalled_secs: u64,
    /// The reader's last error while stalled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_reader_error: Option<String>,
    /// Delivery lag behind the log (`rtctl_log_lag_seconds`), in ms; grows with real time
    /// while the reader is stalled.
    #[serde(default)]
    pub log_lag_ms: u64,
    /// Department rooms on this node (all of them, not only those in `rooms`).
    #[serde(default)]
    pub departments: u64,
    /// Department memberships summed over every department room.
    #[serde(default)]
    pub department_members: u64,
    /// Distinct client IPs among the connections (the forwarded address when the peer is a
    /// trusted gateway, else the peer address).
    #[serde(default)]
    pub client_ips: u64,
    /// Share (0 to 1) of the connections that come from the largest client IP.
    #[serde(default)]
    pub top_client_ip_share: f64,
    /// Devices that reconnected with an offset and were caught up from the log (counter).
    #[serde(default)]
    pub recoveries: u64,
    /// Recoveries that announced a gap: retention had removed part of what they missed
    /// (counter).
    #[serde(default)]
    pub gaps: u64,
    /// Sockets whose send queue overflowed and were caught up from the log (counter).
    #[serde(default)]
    pub overflow_catch_ups: u64,
    /// Redis calls that failed on this node (counter).
    #[serde(default)]
    pub redis_errors: u64,
    /// The log retention this node appends with: entries (0 = unknown) and seconds (0 = none).
    #[serde(default)]
    pub log_max_len: u64,
    #[serde(default)]
    pub log_max_age_secs: u64,
}

/// The `HEARTBEAT_ROOMS` largest rooms (ties by name), the number of rooms and the sum of
/// their members: what a heartbeat carries whatever the number of departments.
pub fn summarize_rooms(
    rooms: impl IntoIterator<Item = (String, u64)>,
) -> (BTreeMap<String, u64>, u64, u64) {
    let mut all: Vec<(String, u64)> = rooms.into_iter().collect();
    let count = all.len() as u64;
    let members = all.iter().map(|(_, n)| n).sum();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.truncate(HEARTBEAT_ROOMS);
    (all.into_iter().collect(), count, members)
}

/// What a node writes every `DETAIL_EVERY` under `Keys::detail` (JSON): `top`'s drill-down.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeDetail {
    pub node_id: String,
    /// Unix ms when written.
    pub at_ms: u64,
    /// Every department on the node (without the `department:` prefix) and its local devices.
    pub departments: BTreeMap<String, u64>,
    /// The `DETAIL_IPS` largest client IPs and their connections, largest first.
    pub client_ips: Vec<(String, u64)>,
    /// Disconnects since start, by reason.
    pub disconnects: BTreeMap<String, u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_share_one_hash_tag() {
        let k = Keys::new("acme").unwrap();
        assert_eq!(k.log(), "{rtctl:acme}:log");
        assert_eq!(k.nodes(), "{rtctl:acme}:nodes");
        assert_eq!(k.node("n1"), "{rtctl:acme}:node:n1");
        assert_eq!(k.subscriptions("dev-1", "s1"), "{rtctl:acme}:subs:dev-1:s1");
        assert_eq!(k.session("dev-1"), "{rtctl:acme}:session:dev-1");
        assert_eq!(k.secret(), "{rtctl:acme}:secret");
        assert_eq!(k.log_generation(), "{rtctl:acme}:log:generation");
        assert_eq!(k.idempotency("abc"), "{rtctl:acme}:idem:abc");
        assert_eq!(k.log_acks(), "{rtctl:acme}:log:acks");
        assert_eq!(k.log_aborted(), "{rtctl:acme}:log:aborted");
        assert_eq!(k.detail("n1"), "{rtctl:acme}:detail:n1");
        assert!(Keys::new("").is_err());
        assert!(Keys::new("a b").is_err());
        assert!(Keys::new(&"x".repeat(65)).is_err());
    }

    #[test]
    fn heartbeat_round_trips_as_json() {
        let hb = Heartbeat {
            node_id: "n1".into(),
            listen: "127.0.0.1:3000".into(),
            version: "0.1.0".into(),
            at_ms: 1,
            uptime_secs: 2,
            connections: 3,
            rooms: [("department:D1".to_string(), 3)].into(),
            messages_in: 4,
            messages_out: 5,
            memory_bytes: 6,
            sockets_behind: 0,
            log_offset: "1-0".into(),
            draining: false,
            log_reader: "stalled".into(),
            log_read_at_ms: 7,
            log_stalled_secs: 8,
            log_reader_error: Some("connection refused".into()),
            log_lag_ms: 9000,
            departments: 1,
            department_members: 3,
            client_ips: 2,
            top_client_ip_share: 0.5,
            recoveries: 7,
            gaps: 1,
            log_max_len: 100_000,
            log_max_age_secs: 0,
            ..Heartbeat::default()
        };
        let text = serde_json::to_string(&hb).unwrap();
        assert_eq!(serde_json::from_str::<Heartbeat>(&text).unwrap(), hb);
    }

    #[test]
    fn heartbeats_of_older_nodes_still_parse() {
        let old = r#"{"node_id":"n1","listen":"127.0.0.1:3000","version":"0.1.0","at_ms":1,
            "uptime_secs":2,"connections":3,"rooms":{},"messages_in":4,"messages_out":5,
            "memory_bytes":6,"sockets_behind":0,"log_offset":"1-0","draining":false}"#;
        let hb: Heartbeat = serde_json::from_str(old).unwrap();
        assert_eq!((hb.log_reader.as_str(), hb.log_lag_ms), ("", 0));
    }

    #[test]
    fn an_older_heartbeat_still_parses() {
        let old = r#"{"node_id":"n1","listen":"127.0.0.1:1","version":"0.1.0","at_ms":1,
            "uptime_secs":1,"connections":0,"rooms":{},"messages_in":0,"messages_out":0,
            "memory_bytes":0,"sockets_behind":0,"log_offset":"0-0","draining":false}"#;
        let hb: Heartbeat = serde_json::from_str(old).unwrap();
        assert_eq!((hb.client_ips, hb.recoveries), (0, 0));
    }

    #[test]
    fn heartbeat_stays_under_4_kib_at_10000_departments() {
        // Department ids at the longest the node accepts (50 characters).
        let rooms = (0..10_000u64).map(|i| (format!("department:{i:0>50}"), 1_000_000 + i));
        let (top, count, members) = summarize_rooms(rooms);
        assert_eq!(top.len(), HEARTBEAT_ROOMS);
        assert_eq!(count, 10_000);
        assert_eq!(members, (0..10_000u64).map(|i| 1_000_000 + i).sum::<u64>());
        // The largest rooms are kept.
        assert!(top.contains_key(&format!("department:{:0>50}", 9_999)));
        let hb = Heartbeat {
            node_id: "n".repeat(50),
            listen: "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535".into(),
            version: "10.10.10-rc.1".into(),
            at_ms: u64::MAX,
            uptime_secs: u64::MAX,
            connections: u64::MAX,
            rooms: top,
            messages_in: u64::MAX,
            messages_out: u64::MAX,
            memory_bytes: u64::MAX,
            sockets_behind: u64::MAX,
            log_offset: format!("{}-{}", u64::MAX, u64::MAX),
            draining: true,
            departments: count,
            department_members: members,
            client_ips: u64::MAX,
            top_client_ip_share: 0.123456789,
            recoveries: u64::MAX,
            gaps: u64::MAX,
            overflow_catch_ups: u64::MAX,
            redis_errors: u64::MAX,
            log_max_len: u64::MAX,
            log_max_age_secs: u64::MAX,
            log_reader: "stalled".into(),
            log_read_at_ms: u64::MAX,
            log_stalled_secs: u64::MAX,
            log_reader_error: Some("x".repeat(200)),
            log_lag_ms: u64::MAX,
        };
        let len = serde_json::to_string(&hb).unwrap().len();
        assert!(len <= 4096, "heartbeat is {len} bytes");
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(parse_offset("17-3"), Some((17, 3)));
        assert_eq!(parse_offset("17"), None);
        assert_eq!(parse_offset("a-1"), None);
    }
}
