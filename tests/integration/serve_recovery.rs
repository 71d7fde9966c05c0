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
    let redis = RedisServer::start();
    let url = redis.url();
    let flags = ["--redis", url.as_str(), "--namespace", "it-csr"];
    let port_a = free_port();
    let mut a = ServeProcess::start_on(port_a, "a", &flags);
    let b = ServeProcess::start("b", &flags);
    let mut dev = Devices::start(json!({
        "url": a.url(), "ids": ["csr-1"], "departments": {"csr-1": "D1"},
        "transports": ["websocket"], "expect": 15, "timeoutMs": 40000
    }));
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
    let mut dev = Devices::start(json!({
        "url": node.url(), "ids": ["app-1"], "auth": {"offset": first, "departments": ["D3"]},
        "transports": ["websocket"], "expect": 4, "timeoutMs": 15000
    }));
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
    let mut dev = Devices::start(json!({
        "url": node.url(), "ids": ["g-1"], "auth": {"offset": first},
        "transports": ["websocket"], "expect": 4, "timeoutMs": 15000
    }));
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
    let bad = Devices::start(json!({
        "url": node.url(), "ids": ["g-2"], "auth": {"offset": "yesterday"}, "expect": 1, "timeoutMs": 8000
    }));
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

/// Hand the devices their expectations (`want`: offsets per device), take their report, and
/// count (expected, lost, duplicates, sessions recovered) by offset.
fn settle(
    mut dev: Devices,
    ids: &[String],
    want: &std::collections::HashMap<String, Vec<String>>,
) -> (Value, usize, usize, usize, u64) {
    let none = Vec::new();
    let want_of = |id: &String| want.get(id).unwrap_or(&none);
    let expect: serde_json::Map<String, Value> = ids
        .iter()
        .map(|id| (id.clone(), json!(want_of(id).len())))
        .collect();
    dev.expect(&Value::Object(expect));
    let r = dev.result();
    let (mut lost, mut dup, mut expected) = (0, 0, 0);
    for id in ids {
        let got: Vec<String> = triples(&r, id).into_iter().map(|t| t.2).collect();
        let set: std::collections::HashSet<&String> = got.iter().collect();
        dup += got.len() - set.len();
        expected += want_of(id).len();
        lost += want_of(id).iter().filter(|w| !set.contains(w)).count();
    }
    let recovered = r["recovered"]
        .as_object()
        .map_or(0, |m| m.values().filter_map(Value::as_u64).sum());
    (r, expected, lost, dup, recovered)
}

/// Device `i` of `ids` joins department `D<i mod n>` by event (the guide's way).
fn event_departments(ids: &[String], n: usize) -> serde_json::Map<String, Value> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), json!(format!("D{}", i % n))))
        .collect()
}

/// A raw Socket.IO device over WebSocket: connects to `/` with `auth`, returns the socket and
/// the CONNECT reply's JSON (`sid`, `pid`).
async fn raw_device(node: &ServeProcess, auth: Value) -> (crate::engine_support::Ws, Value) {
    use crate::engine_support::{ws_open, ws_send, ws_text};
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", node.port).parse().unwrap();
    let (mut ws, _) = ws_open(addr, "/socket.io/").await;
    ws_send(&mut ws, &format!("40{auth}")).await;
    let reply = ws_text(&mut ws).await;
    let body = reply
        .strip_prefix("40")
        .unwrap_or_else(|| panic!("not a CONNECT reply: {reply}"));
    (ws, serde_json::from_str(body).unwrap())
}

/// Every `notification*` event the raw device receives within `d`: (event, payload).
async fn raw_events(ws: &mut crate::engine_support::Ws, d: Duration) -> Vec<(String, Value)> {
    use crate::engine_support::{ws_next_within, ws_send, Got};
    let mut out = Vec::new();
    let end = std::time::Instant::now() + d;
    while let Some(g) =
        ws_next_within(ws, end.saturating_duration_since(std::time::Instant::now())).await
    {
        match g {
            Got::Text(t) if t == "2" => ws_send(ws, "3").await,
            Got::Text(t) => {
                if let Some(ev) = t.strip_prefix("42") {
                    let v: Vec<Value> = serde_json::from_str(ev).unwrap();
                    out.push((v[0].as_str().unwrap().to_string(), v[1].clone()));
                }
            }
            Got::Closed(_) => break,
            Got::Binary(_) => {}
        }
    }
    out
}

async fn subscribe_raw(ws: &mut crate::engine_support::Ws, dept: &str) {
    use crate::engine_support::{ws_send, ws_text};
    ws_send(
        ws,
        &format!(r#"421["subscribe-department",{{"departmentId":"{dept}"}}]"#),
    )
    .await;
    let ack = ws_text(ws).await;
    assert!(
        ack.starts_with("431[") && ack.contains("subscribed"),
        "{ack}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
async fn a_forged_pid_recovers_nobody_and_a_genuine_one_restores_the_departments() {
    let redis = RedisServer::start();
    let url = redis.url();
    let node = ServeProcess::start("pid", &["--redis", &url, "--namespace", "it-pid"]);
    // Device A subscribes to D1 by event, learns its pid, goes away.
    let (mut a, reply) = raw_device(&node, json!({"deviceId": "pid-a"})).await;
    let pid_a = reply["pid"].as_str().expect("a pid").to_string();
    assert!(
        !pid_a.contains("pid-a"),
        "the pid does not reveal the device: {pid_a}"
    );
    subscribe_raw(&mut a, "D1").await;
    let seen = publish_ok(&node, json!({"department": "D1"}), json!("before")).await;
    assert_eq!(
        raw_events(&mut a, Duration::from_millis(300)).await.len(),
        1
    );
    drop(a);
    publish_ok(&node, json!({"department": "D1"}), json!("while away")).await;
    // Device B presents A's pid (and an old offset): it recovers nothing of A's.
    let (mut b, reply) = raw_device(
        &node,
        json!({"deviceId": "pid-b", "pid": pid_a, "offset": seen}),
    )
    .await;
    assert_ne!(
        reply["pid"],
        json!(pid_a),
        "B must not take over A's session"
    );
    let got_b = raw_events(&mut b, Duration::from_millis(500)).await;
    assert!(got_b.is_empty(), "B received A's department: {got_b:?}");
    // A made-up pid and the old, guessable form: refused as well.
    for forged in [
        "rtctl-pid-a",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let (_c, reply) = raw_device(&node, json!({"deviceId": "pid-a", "pid": forged})).await;
        assert_ne!(reply["pid"], json!(forged));
    }
    // A with its genuine pid: recovered (same pid back), D1 restored before the replay.
    let (mut a, reply) = raw_device(
        &node,
        json!({"deviceId": "pid-a", "pid": pid_a, "offset": seen}),
    )
    .await;
    assert_eq!(
        reply["pid"],
        json!(pid_a),
        "recovered: the same pid comes back"
    );
    let got = raw_events(&mut a, Duration::from_millis(500)).await;
    assert_eq!(got, vec![("notification".to_string(), json!("while away"))]);
    let metrics = reqwest::get(format!("{}/metrics", node.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("rtctl_recovery_pids_refused_total 3"),
        "{metrics}"
    );
}

/// The app is closed and started again with the last offset it saw (`auth.offset`, no pid):
/// the departments it had joined by event are restored from the store before the replay, on
/// the embedded node (memory) and on a Redis fleet (another node than before).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn an_app_restart_with_an_offset_gets_its_event_departments_back() {
    let redis = RedisServer::start();
    let url = redis.url();
    for with_redis in [false, true] {
        let flags: Vec<&str> = if with_redis {
            vec!["--redis", &url, "--namespace", "it-app"]
        } else {
            vec![]
        };
        let first = ServeProcess::start("app-1", &flags);
        let ids: Vec<String> = (0..20).map(|i| format!("app-{i:02}")).collect();
        let depts = event_departments(&ids, 2);
        let mut dev = Devices::start(json!({
            "url": first.url(), "ids": ids, "eventDepartments": depts,
            "transports": ["websocket"], "timeoutMs": 20000
        }));
        dev.wait_ready();
        let last = publish_ok(&first, json!({"department": "D0"}), json!("seen")).await;
        publish_ok(&first, json!({"department": "D1"}), json!("seen")).await;
        let last1 = publish_ok(&first, json!({"all": true}), json!("seen")).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = dev.exit();
        for id in &ids {
            let n = events(&before, id).len();
            assert_eq!(n, 2, "{id} before the app closed: {before}");
        }
        let _ = last;
        // While the apps are closed.
        let mut missed = vec![
            publish_ok(&first, json!({"department": "D0"}), json!("away D0")).await,
            publish_ok(&first, json!({"department": "D1"}), json!("away D1")).await,
            publish_ok(&first, json!({"device": "app-03"}), json!("away direct")).await,
            publish_ok(&first, json!({"all": true}), json!("away all")).await,
        ];
        // The apps come back (to another node when there is Redis), with their offset only.
        let second = if with_redis {
            Some(ServeProcess::start("app-2", &flags))
        } else {
            None
        };
        let node = second.as_ref().unwrap_or(&first);
        let offsets: serde_json::Map<String, Value> =
            ids.iter().map(|id| (id.clone(), json!(last1))).collect();
        let mut dev = Devices::start(json!({
            "url": node.url(), "ids": ids, "eventDepartments": depts, "offsets": offsets,
            "transports": ["websocket"], "timeoutMs": 20000
        }));
        dev.wait_ready();
        missed.push(publish_ok(node, json!({"department": "D1"}), json!("live")).await);
        let mut expect = serde_json::Map::new();
        for (i, id) in ids.iter().enumerate() {
            let n = if i % 2 == 0 { 2 } else { 3 } + usize::from(id == "app-03");
            expect.insert(id.clone(), json!(n));
        }
        dev.expect(&Value::Object(expect.clone()));
        let r = dev.result();
        assert_eq!(r["ok"], true, "redis {with_redis}: {r}");
        for (i, id) in ids.iter().enumerate() {
            let got: Vec<String> = events(&r, id)
                .iter()
                .map(|e| {
                    e.as_array()
                        .unwrap()
                        .last()
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect();
            let want: Vec<String> = missed
                .iter()
                .enumerate()
                .filter(|(k, _)| match k {
                    0 => i % 2 == 0,
                    1 | 4 => i % 2 == 1,
                    2 => id == "app-03",
                    _ => true,
                })
                .map(|(_, o)| o.clone())
                .collect();
            assert_eq!(got, want, "redis {with_redis}: {id} in order, once");
        }
    }
}

/// The issue's first scenario: the embedded node (no Redis), 150 devices that join by event,
/// a department notification every 25 ms, a random third of the connections cut ten times.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
#[cfg_attr(not(have_ss), ignore = "ss not found")]
async fn the_embedded_node_loses_nothing_when_a_third_of_the_connections_are_cut_ten_times() {
    let node = ServeProcess::start("solo", &[]);
    let ids: Vec<String> = (0..150).map(|i| format!("emb-{i:03}")).collect();
    let depts = event_departments(&ids, 3);
    let mut dev = Devices::start(json!({
        "url": node.url(), "ids": ids, "eventDepartments": depts,
        "transports": ["websocket"], "timeoutMs": 60000
    }));
    dev.wait_ready();
    let mut want: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut rng = 0x9e37_79b9_u64;
    for k in 0..200 {
        if k % 20 == 10 {
            // Cut a pseudo-random third of the device connections (by client port).
            let out = std::process::Command::new("ss")
                .args([
                    "-Htn",
                    "state",
                    "established",
                    "dst",
                    "127.0.0.1",
                    "sport",
                    "=",
                    &format!(":{}", node.port),
                ])
                .output()
                .unwrap();
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                if !rng.is_multiple_of(3) {
                    continue;
                }
                if let Some(peer) = line.split_whitespace().nth(3) {
                    if let Some(port) = peer.rsplit(':').next() {
                        let _ = std::process::Command::new("ss")
                            .args([
                                "-K",
                                "dst",
                                "127.0.0.1",
                                "dport",
                                "=",
                                &format!(":{port}"),
                                "sport",
                                "=",
                                &format!(":{}", node.port),
                            ])
                            .output();
                    }
                }
            }
        }
        let d = format!("D{}", k % 3);
        let id = publish_ok(&node, json!({"department": d}), json!({"k": k})).await;
        for (i, dev) in ids.iter().enumerate() {
            if i % 3 == k % 3 {
                want.entry(dev.clone()).or_default().push(id.clone());
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (r, expected, lost, dup, recovered) = settle(dev, &ids, &want);
    eprintln!("embedded node, cuts: expected {expected}, lost {lost}, duplicates {dup}, sessions recovered {recovered}");
    assert_eq!((lost, dup), (0, 0), "{}", r["error"]);
    assert!(recovered > 100, "connections were really cut: {recovered}");
}

/// The issue's third scenario: 1,000 devices over 10 departments, joined by event, connected
/// straight to one node on Redis; that node is killed with SIGKILL and restarted 1.5 s later
/// while a second node keeps accepting publishes. The devices come back to the restarted node
/// with their `pid` and are caught up, departments included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_node_killed_and_restarted_under_its_devices_loses_nothing() {
    let redis = RedisServer::start();
    let url = redis.url();
    let flags = ["--redis", url.as_str(), "--namespace", "it-restart"];
    let port = free_port();
    let mut a = ServeProcess::start_on(port, "a", &flags);
    let b = ServeProcess::start("b", &flags);
    let ids: Vec<String> = (0..1000).map(|i| format!("rs-{i:04}")).collect();
    let depts = event_departments(&ids, 10);
    let mut dev = Devices::start(json!({
        "url": a.url(), "ids": ids, "eventDepartments": depts,
        "transports": ["websocket"], "timeoutMs": 90000, "retryConnectErrors": true
    }));
    dev.wait_ready();
    let mut want: std::collections::HashMap<String, Vec<String>> = Default::default();
    for k in 0..24 {
        if k == 6 {
            a.kill();
        }
        if k == 12 {
            a = ServeProcess::start_on(port, "a", &flags);
        }
        let d = k % 10;
        let id = publish_ok(&b, json!({"department": format!("D{d}")}), json!({"k": k})).await;
        for (i, dev) in ids.iter().enumerate() {
            if i % 10 == d {
                want.entry(dev.clone()).or_default().push(id.clone());
            }
        }
        // 12 publishes 250 ms apart: the node is down for 1.5 s.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (r, expected, lost, dup, recovered) = settle(dev, &ids, &want);
    eprintln!("node kill -9 + restart 1.5 s later: expected {expected}, lost {lost}, duplicates {dup}, sessions recovered {recovered}");
    assert_eq!((lost, dup), (0, 0), "{}", r["error"]);
    assert_eq!(expected, 2400);
    assert!(
        recovered >= 1000,
        "every device resumed its session: {recovered}"
    );
    drop(b);
}
