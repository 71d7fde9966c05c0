//! The cost of a publish's durability: latency of one append to the Redis log, serial, per
//! `--durability` mode, next to a bare `XADD` on the same server.
//!
//! `cargo bench --bench append -- REDIS_URL leader|replicated [N]` (release build); run by
//! `benches/durability-modes.sh`, which starts the Redis setups. Prints one JSON line.

use std::time::{Duration, Instant};

use rtctl::redis_schema::Keys;
use rtctl::serve::log::{Durability, Log, Target};
use rtctl::serve::redis_conn::Redis;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn summary(mut v: Vec<Duration>) -> serde_json::Value {
    v.sort();
    serde_json::json!({
        "p50_ms": (percentile(&v, 0.50) * 1000.0).round() / 1000.0,
        "p99_ms": (percentile(&v, 0.99) * 1000.0).round() / 1000.0,
        "max_ms": (percentile(&v, 1.0) * 1000.0).round() / 1000.0,
        "per_s": (v.len() as f64 / v.iter().sum::<Duration>().as_secs_f64()).round(),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (Some(url), Some(mode)) = (args.first(), args.get(1)) else {
        eprintln!("usage: cargo bench --bench append -- REDIS_URL leader|replicated [N]");
        std::process::exit(2);
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5000);
    let durability = match mode.as_str() {
        "leader" => Durability::Leader,
        "replicated" => Durability::Replicated {
            replicas: 1,
            timeout: Duration::from_millis(500),
            aof: false,
        },
        other => panic!("mode {other:?}: expected leader or replicated"),
    };
    let keys = Keys::new("bench-append").unwrap();
    let redis = Redis::detect(url).await.expect("redis reachable");
    let log = Log::on_durable(
        redis.clone(),
        keys.clone(),
        "bench",
        100_000,
        durability,
        Duration::from_secs(60),
    )
    .await
    .expect("log");
    let payload = r#"{"title":"fire drill","body":"assemble at point B","level":2}"#;
    let target = Target::Department("D1".into());
    // Warm up (connections, script cache).
    for _ in 0..200 {
        log.append(&target, payload).await.unwrap();
    }
    let mut append = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        log.append(&target, payload).await.unwrap();
        append.push(t.elapsed());
    }
    let mut keyed = Vec::with_capacity(n);
    for i in 0..n {
        let key = format!("bench-{i}-{}", std::process::id());
        let t = Instant::now();
        log.publish(&target, payload, Some(&key)).await.unwrap();
        keyed.push(t.elapsed());
    }
    // A bare XADD on the same server and a connection of the same kind, for reference.
    let mut con = redis.connect(Duration::from_secs(2)).await.unwrap();
    let mut bare = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let _: String = redis::cmd("XADD")
            .arg(format!("{}:bare", keys.log()))
            .arg("MAXLEN")
            .arg("~")
            .arg(100_000)
            .arg("*")
            .arg("t")
            .arg("department")
            .arg("k")
            .arg("D1")
            .arg("p")
            .arg(payload)
            .query_async(&mut con)
            .await
            .unwrap();
        bare.push(t.elapsed());
    }
    println!(
        "{}",
        serde_json::json!({
            "redis": url, "durability": log.durability().to_string(), "n": n,
            "bare_xadd": summary(bare),
            "append": summary(append),
            "append_with_idempotency_key": summary(keyed),
        })
    );
}
