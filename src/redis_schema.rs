//! The one place that defines what `rtctl serve` writes to Redis and `rtctl top` reads.
//!
//! Every key carries the hash tag `{rtctl:<namespace>}` so that, on a Redis Cluster, all of a
//! fleet's keys live in one slot (the log stream, the node index and the heartbeats can then be
//! read together).
//!
//! | key | type | written by | content |
//! |---|---|---|---|
//! | `{rtctl:NS}:log` | stream | every node (`XADD`) | one entry per notification: fields `t` (target kind `department`/`device`/`all`), `k` (target id, empty for `all`), `p` (payload JSON), `n` (accepting node id) |
//! | `{rtctl:NS}:nodes` | sorted set | every node | member = node id, score = last heartbeat (unix ms); entries stay after the heartbeat expires (so `top` shows a dead node as gone) and are pruned by the writers after `INDEX_KEEP` |
//! | `{rtctl:NS}:node:<id>` | string, TTL `HEARTBEAT_TTL` | every node, each `HEARTBEAT_EVERY` | the node's `Heartbeat` as JSON (summaries only: ≤ 4 KiB whatever the fleet) |
//! | `{rtctl:NS}:detail:<id>` | string, TTL `DETAIL_TTL` | every node, each `DETAIL_EVERY` | the node's `NodeDetail` as JSON (every department, top client IPs, disconnect reasons: `top`'s drill-down) |
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
}

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

    /// The index of nodes (sorted set scored by last heartbeat).
    pub fn nodes(&self) -> String {
        format!("{}:nodes", self.prefix)
    }

    /// One node's heartbeat.
    pub fn node(&self, id: &str) -> String {
        format!("{}:node:{id}", self.prefix)
    }

    /// One node's drill-down detail.
    pub fn detail(&self, id: &str) -> String {
        format!("{}:detail:{id}", self.prefix)
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
