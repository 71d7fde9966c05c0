//! No notification lost: a reconnecting device is caught up from the log, in order, once —
//! with the official client's connection state recovery (it sends `{pid, offset}` by itself),
//! with an app-supplied `auth.offset`, and with an explicit gap when retention removed part.

use std::time::Duration;

use serde_json::{json, Value};

use crate::serve_node::{events, publish, publish_ok, Devices};
use crate::support::{free_port, RedisServer, ServeProcess};

/// `(event, payload, offset)` of every notification a device received.
fn triples(r: &Value, device: &str) -> Vec<(String, Value, String)> {
    events(r, device)
        .iter()
        .map(|e| {
            (
                e[0].as_str().unwrap().to_string(),
                e[1].clone(),
                e.as_array()
                    .unwrap()
                    .last()
                    .unwrap()
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn official_client_recovers_everything_after_its_node_is_killed() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let flags = ["--redis", url.as_str(), "--namespace", "it-csr"];
    let port_a = free_port();
    let mut a = ServeProcess::start_on(port_a, "a", &flags);
    let b = ServeProcess::start("b", &flags);
    let Some(mut dev) = Devices::start(json!({
        "url": a.url(), "ids": ["csr-1"], "departments": {"csr-1": "D1"},
        "transports": ["websocket"], "expect": 15, "timeoutMs": 40000
    })) else {
        return;
    };
    dev.wait_ready();
    let mut want = Vec::new();
    for i in 0..5 {
        want.push(publish_ok(&a, json!({"department": "D1"}), json!({"i": i})).await);
    }
    // Let the device receive them (and so learn the offset), then kill its node.
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.kill();
    for i in 5..10 {
        let target = if i % 2 == 0 {
            json!({"device": "csr-1"})
        } else {
            json!({"all": true})
        };
        want.push(publish_ok(&b, target, json!({"i": i})).await);
    }
    // The node comes back; the client reconnects by itself and is caught up, then live.
    let a = ServeProcess::start_on(port_a, "a", &flags);
    tokio::time::sleep(Duration::from_millis(3000)).await;
    for i in 10..15 {
        want.push(publish_ok(&b, json!({"department": "D1"}), json!({"i": i})).await);
    }
    let r = dev.result();
    assert_eq!(r["ok"], true, "{r}");
    let got = triples(&r, "csr-1");
    let offsets: Vec<String> = got.iter().map(|t| t.2.clone()).collect();
    assert_eq!(
        offsets, want,
        "every notification exactly once, in offset order"
    );
    let is: Vec<i64> = got.iter().map(|t| t.1["i"].as_i64().unwrap()).collect();
    assert_eq!(is, (0..15).collect::<Vec<_>>());
    let metrics = reqwest::get(format!("{}/metrics", a.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("rtctl_recoveries_total 1"), "{metrics}");
    assert!(metrics.contains("rtctl_replayed_total 5"), "{metrics}");
    drop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_device_offset_replays_what_it_missed_while_the_app_was_closed() {
    let node = ServeProcess::start("solo", &[]);
    let first = publish_ok(&node, json!({"device": "app-1"}), json!("seen before")).await;
    let mut want = Vec::new();
    want.push(publish_ok(&node, json!({"department": "D3"}), json!("dept")).await);
    publish_ok(&node, json!({"department": "D4"}), json!("other dept")).await;
    publish_ok(&node, json!({"device": "someone-else"}), json!("not mine")).await;
    want.push(publish_ok(&node, json!({"all": true}), json!("everyone")).await);
    want.push(publish_ok(&node, json!({"device": "app-1"}), json!("mine")).await);
    let Some(mut dev) = Devices::start(json!({
        "url": node.url(), "ids": ["app-1"], "auth": {"offset": first, "departments": ["D3"]},
        "transports": ["websocket"], "expect": 4, "timeoutMs": 15000
    })) else {
        return;
    };
    dev.wait_ready();
    want.push(publish_ok(&node, json!({"department": "D3"}), json!("live")).await);
    let r = dev.result();
    assert_eq!(r["ok"], true, "{r}");
    let got = triples(&r, "app-1");
    assert_eq!(got.iter().map(|t| t.2.clone()).collect::<Vec<_>>(), want);
    assert_eq!(
        got[0],
        ("notification".into(), json!("dept"), want[0].clone())
    );
    assert_eq!(
        got[2],
        ("notification:direct".into(), json!("mine"), want[2].clone())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_gap_older_than_retention_is_announced_not_hidden() {
    let node = ServeProcess::start("small", &["--log-max-len", "3"]);
    let first = publish_ok(&node, json!({"device": "g-1"}), json!(0)).await;
    let mut ids = Vec::new();
    for i in 1..6 {
        ids.push(publish_ok(&node, json!({"device": "g-1"}), json!(i)).await);
    }
    let Some(mut dev) = Devices::start(json!({
        "url": node.url(), "ids": ["g-1"], "auth": {"offset": first},
        "transports": ["websocket"], "expect": 4, "timeoutMs": 15000
    })) else {
        return;
    };
    dev.wait_ready();
    let r = dev.result();
    assert_eq!(r["ok"], true, "{r}");
    let got = events(&r, "g-1");
    assert_eq!(got[0][0], "notification:gap");
    assert_eq!(got[0][1]["from"], first.as_str());
    assert_eq!(
        got[0][1]["to"],
        ids[1].as_str(),
        "entries 1 and 2 were trimmed"
    );
    let rest: Vec<Value> = got[1..].iter().map(|e| e[1].clone()).collect();
    assert_eq!(rest, vec![json!(3), json!(4), json!(5)]);
    // A malformed offset is refused with a reason.
    let Some(bad) = Devices::start(json!({
        "url": node.url(), "ids": ["g-2"], "auth": {"offset": "yesterday"}, "expect": 1, "timeoutMs": 8000
    })) else {
        return;
    };
    let r = bad.result();
    assert_eq!(r["ok"], false);
    assert!(r["error"].as_str().unwrap().contains("auth.offset"), "{r}");
    let _ = publish(&node, json!({"all": true}), json!(null)).await;
}

/// A device that stops reading fills the kernel buffers and then its send queue; it is caught
/// up from the log when it reads again — every notification, in order, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_device_is_caught_up_not_dropped() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let node = ServeProcess::start(
        "slow",
        &["--max-queue-frames", "16", "--ping-interval-ms", "60000"],
    );
    let url = format!(
        "ws://127.0.0.1:{}/socket.io/?EIO=4&transport=websocket&deviceId=slow-1",
        node.port
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let open = ws.next().await.unwrap().unwrap();
    assert!(open.to_text().unwrap().starts_with('0'));
    ws.send(Message::text("40")).await.unwrap();
    let reply = ws.next().await.unwrap().unwrap();
    assert!(
        reply.to_text().unwrap().starts_with("40{\"sid\""),
        "{reply:?}"
    );
    // The device stops reading while 4,000 notifications of 4 KiB (16 MiB) are published.
    let filler = "x".repeat(4096);
    let client = reqwest::Client::new();
    let mut want = Vec::new();
    for i in 0..4000 {
        let r = client
            .post(format!("{}/api/v1/notifications", node.url()))
            .json(&json!({"target": {"device": "slow-1"}, "payload": {"i": i, "f": filler}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        want.push(
            r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let metrics = reqwest::get(format!("{}/metrics", node.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !metrics.contains("rtctl_overflow_catch_ups_total 0"),
        "the queue never overflowed:\n{metrics}"
    );
    // Now it reads again. (Pings are 60 s apart, so nothing but the catch-up wakes the
    // connection: this once exposed a lost wake-up in the engine's writer.)
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while got.len() < want.len() {
        let m = tokio::time::timeout_at(deadline, ws.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {} arrived", got.len(), want.len()))
            .unwrap()
            .unwrap();
        let Message::Text(t) = m else { continue };
        if t.as_str() == "2" {
            ws.send(Message::text("3")).await.unwrap();
            continue;
        }
        let v: Value = serde_json::from_str(&t.as_str()[2..]).unwrap();
        assert_eq!(v[0], "notification:direct");
        assert_eq!(v[1]["i"], got.len(), "in order, no gap, no duplicate");
        got.push(v[2].as_str().unwrap().to_string());
    }
    assert_eq!(got, want);
}
