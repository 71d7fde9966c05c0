//! The durable log against a real redis-server: two nodes share it, order is kept, and a
//! follower that loses Redis resumes from its last offset with no gap.

use std::time::Duration;

use rtctl::redis_schema::Keys;
use rtctl::serve::log::{Entry, Log, LogError, Offset, Target};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::support::RedisServer;

async fn recv_n(rx: &mut mpsc::Receiver<Entry>, n: usize) -> Vec<Entry> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let e = tokio::time::timeout(Duration::from_secs(15), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out after {} of {n} entries", out.len()))
            .expect("follower alive");
        out.push(e);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
async fn redis_log_is_shared_ordered_and_survives_a_redis_restart() {
    let mut redis = RedisServer::start();
    let keys = Keys::new("it-log").unwrap();
    let a = Log::redis(&redis.url(), keys.clone(), "node-a", 10_000)
        .await
        .unwrap();
    let b = Log::redis(&redis.url(), keys.clone(), "node-b", 10_000)
        .await
        .unwrap();

    // Node B follows; node A publishes.
    let (tx, mut rx) = mpsc::channel(4096);
    let cancel = CancellationToken::new();
    let follower = tokio::spawn({
        let b = b.clone();
        let cancel = cancel.clone();
        async move { b.follow(Offset::ZERO, tx, cancel).await }
    });
    let mut sent = Vec::new();
    for i in 0..200 {
        let t = match i % 3 {
            0 => Target::Department(format!("D{}", i % 7)),
            1 => Target::Device(format!("dev-{i}")),
            _ => Target::All,
        };
        sent.push((a.append(&t, &format!("{{\"i\":{i}}}")).await.unwrap(), t));
    }
    let got = recv_n(&mut rx, 200).await;
    for ((off, t), e) in sent.iter().zip(&got) {
        assert_eq!((e.offset, &e.target), (*off, t));
    }
    assert_eq!(b.range_after(sent[197].0, 10).await.unwrap().len(), 2);
    assert_eq!(a.last().await.unwrap(), sent[199].0);

    // Redis goes away: appends fail loudly (nothing is acknowledged that is not durable)…
    redis.stop();
    let err = a.append(&Target::All, "{}").await.unwrap_err();
    assert!(matches!(err, LogError::Unavailable(_)), "{err:?}");
    // …and once it is back, both the writer and the follower recover by themselves.
    redis.restart();
    let mut after = Vec::new();
    for i in 0..50 {
        let off = loop {
            match a.append(&Target::All, &format!("{{\"after\":{i}}}")).await {
                Ok(o) => break o,
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        after.push(off);
    }
    let got = recv_n(&mut rx, 50).await;
    assert_eq!(
        got.iter().map(|e| e.offset).collect::<Vec<_>>(),
        after,
        "no gap, no duplicate"
    );
    assert!(got[0].offset > sent[199].0);
    cancel.cancel();
    follower.await.unwrap();
}

#[tokio::test]
async fn unreachable_redis_is_reported() {
    let port = crate::support::free_port();
    let r = Log::redis(
        &format!("redis://127.0.0.1:{port}/"),
        Keys::new("x").unwrap(),
        "n",
        10,
    )
    .await;
    assert!(matches!(r, Err(LogError::Unavailable(_))));
}
