//! Heartbeats in a real redis-server: written, read back by the `top` side, expired and pruned.

use std::time::Duration;

use redis::aio::ConnectionManager;
use rtctl::redis_schema::{Heartbeat, Keys};
use rtctl::serve::presence;

use crate::support::RedisServer;

fn hb(id: &str) -> Heartbeat {
    Heartbeat {
        node_id: id.into(),
        listen: "127.0.0.1:3000".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        at_ms: 1_000,
        uptime_secs: 1,
        connections: 42,
        rooms: [("department:D1".to_string(), 40)].into(),
        messages_in: 1,
        messages_out: 2,
        memory_bytes: 3,
        sockets_behind: 0,
        log_offset: "0-0".into(),
        draining: false,
        ..Heartbeat::default()
    }
}

#[tokio::test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
async fn heartbeats_are_read_back_and_expire() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let client = redis::Client::open(redis.url()).unwrap();
    let mut con = ConnectionManager::new(client).await.unwrap();
    let keys = Keys::new("it-presence").unwrap();
    presence::write(&mut con, &keys, &hb("a"), Duration::from_secs(30))
        .await
        .unwrap();
    presence::write(&mut con, &keys, &hb("b"), Duration::from_millis(300))
        .await
        .unwrap();
    let mut all = presence::read_all(&mut con, &keys).await.unwrap();
    all.sort_by(|x, y| x.node_id.cmp(&y.node_id));
    assert_eq!(all, vec![hb("a"), hb("b")]);
    // b stops beating: its heartbeat expires and the index entry is pruned.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let all = presence::read_all(&mut con, &keys).await.unwrap();
    assert_eq!(all, vec![hb("a")]);
    let members: Vec<String> = redis::cmd("ZRANGE")
        .arg(keys.nodes())
        .arg(0)
        .arg(-1)
        .query_async(&mut con)
        .await
        .unwrap();
    assert_eq!(members, vec!["a".to_string()]);
    presence::remove(&mut con, &keys, "a").await.unwrap();
    assert!(presence::read_all(&mut con, &keys)
        .await
        .unwrap()
        .is_empty());
}
