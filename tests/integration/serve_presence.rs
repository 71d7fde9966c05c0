//! Heartbeats in a real redis-server: written, read back by the `top` side in one round trip,
//! expired, kept in the index as gone, pruned after `INDEX_KEEP`.

use std::time::Duration;

use redis::aio::ConnectionManager;
use rtctl::heartbeat;
use rtctl::redis_schema::{Heartbeat, Keys, NodeDetail, INDEX_KEEP};
use rtctl::serve::presence;

use crate::support::RedisServer;

fn hb(id: &str, at_ms: u64) -> Heartbeat {
    Heartbeat {
        node_id: id.into(),
        listen: "127.0.0.1:3000".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        at_ms,
        uptime_secs: 1,
        connections: 42,
        rooms: [("department:D1".to_string(), 40)].into(),
        messages_in: 1,
        messages_out: 2,
        memory_bytes: 3,
        sockets_behind: 0,
        log_offset: "0-0".into(),
        draining: false,
        departments: 1,
        department_members: 40,
        client_ips: 2,
        top_client_ip_share: 0.5,
        recoveries: 0,
        gaps: 0,
        log_max_len: 100,
        log_max_age_secs: 0,
        ..Heartbeat::default()
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
async fn heartbeats_are_read_back_expire_and_stay_indexed_as_gone() {
    let redis = RedisServer::start();
    let client = redis::Client::open(redis.url()).unwrap();
    let mut con = ConnectionManager::new(client).await.unwrap();
    let keys = Keys::new("it-presence").unwrap();
    let now = now_ms();
    presence::write(&mut con, &keys, &hb("a", now), Duration::from_secs(30))
        .await
        .unwrap();
    presence::write(&mut con, &keys, &hb("b", now), Duration::from_millis(300))
        .await
        .unwrap();
    let mut all = presence::read_all(&mut con, &keys).await.unwrap();
    all.sort_by(|x, y| x.node_id.cmp(&y.node_id));
    assert_eq!(all, vec![hb("a", now), hb("b", now)]);
    // b stops beating: its heartbeat expires, its index entry stays (it is gone, not absent).
    tokio::time::sleep(Duration::from_millis(600)).await;
    let all = presence::read_all(&mut con, &keys).await.unwrap();
    assert_eq!(all, vec![hb("a", now)]);
    let known = vec!["a".to_string(), "b".to_string()];
    let s = heartbeat::sample(&mut con, &keys, &known, Some("a"))
        .await
        .unwrap();
    assert_eq!(s.round_trips, 1, "known nodes: one round trip");
    let mut ids: Vec<&str> = s.index.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["a", "b"]);
    assert!(s.index.iter().all(|(_, t)| *t == now));
    assert_eq!(s.heartbeats.keys().collect::<Vec<_>>(), ["a"]);
    assert!(s.now_ms >= now && s.now_ms < now + 60_000, "{}", s.now_ms);
    assert_eq!(s.detail, None, "no detail written yet");
    // A first refresh (nothing known) costs a second round trip for the heartbeats.
    let s = heartbeat::sample(&mut con, &keys, &[], None).await.unwrap();
    assert_eq!((s.round_trips, s.heartbeats.len()), (2, 1));

    // Detail, read on demand in the same pipeline.
    let detail = NodeDetail {
        node_id: "a".into(),
        at_ms: now,
        departments: [("D1".to_string(), 40)].into(),
        client_ips: vec![("127.0.0.1".into(), 42)],
        disconnects: [("transport close".to_string(), 3)].into(),
    };
    presence::write_detail(&mut con, &keys, &detail, Duration::from_secs(30))
        .await
        .unwrap();
    let s = heartbeat::sample(&mut con, &keys, &known, Some("a"))
        .await
        .unwrap();
    assert_eq!(s.detail, Some(detail));

    // The log: length, first and newest offsets.
    for _ in 0..3 {
        let _: String = redis::cmd("XADD")
            .arg(keys.log())
            .arg("*")
            .arg("t")
            .arg("all")
            .query_async(&mut con)
            .await
            .unwrap();
    }
    let s = heartbeat::sample(&mut con, &keys, &known, None)
        .await
        .unwrap();
    assert_eq!(s.log.length, 3);
    assert_eq!(s.log.recent.len(), 3);
    assert_eq!(s.log.first.as_ref(), s.log.recent.last());

    // A clean shutdown removes the heartbeat; the node stays indexed (gone since its last beat).
    presence::remove(&mut con, &keys, "a").await.unwrap();
    assert!(presence::read_all(&mut con, &keys)
        .await
        .unwrap()
        .is_empty());
    let s = heartbeat::sample(&mut con, &keys, &known, Some("a"))
        .await
        .unwrap();
    assert_eq!((s.index.len(), s.heartbeats.len(), s.detail), (2, 0, None));

    // Writers prune index entries silent for longer than INDEX_KEEP.
    let later = now + INDEX_KEEP.as_millis() as u64 + 1_000;
    presence::write(&mut con, &keys, &hb("c", later), Duration::from_secs(30))
        .await
        .unwrap();
    let s = heartbeat::sample(&mut con, &keys, &[], None).await.unwrap();
    let ids: Vec<&str> = s.index.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["c"]);
}
