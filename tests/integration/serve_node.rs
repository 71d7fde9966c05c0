//! `rtctl serve` end to end: real node processes, the official socket.io-client with the
//! guide's `createSocket()` options, the publish API, Redis between nodes, heartbeats, drain.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{node_dir, RedisServer, ServeProcess};

/// Devices from tests/node/devices.mjs; `wait_ready` blocks until all are connected.
pub struct Devices {
    child: Child,
    out: BufReader<ChildStdout>,
}

impl Devices {
    pub fn start(cfg: Value) -> Devices {
        let dir = node_dir();
        let mut child = Command::new("node")
            .arg(dir.join("devices.mjs"))
            .arg(cfg.to_string())
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs");
        let out = BufReader::new(child.stdout.take().unwrap());
        Devices { child, out }
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        self.out.read_line(&mut l).unwrap();
        l
    }

    /// Tell the devices how many notifications each must receive before they report.
    pub fn expect(&mut self, per_device: &Value) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().expect("stdin piped");
        writeln!(stdin, "{}", json!({"expect": per_device})).unwrap();
        stdin.flush().unwrap();
    }

    /// Make these devices leave a department (`{deviceId: dept}`); returns once every
    /// `unsubscribe-department` is acked.
    pub fn unsubscribe(&mut self, which: &Value) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().expect("stdin piped");
        writeln!(stdin, "{}", json!({"unsubscribe": which})).unwrap();
        stdin.flush().unwrap();
        let l = self.line();
        assert!(
            l.starts_with("UNSUBSCRIBED"),
            "devices did not unsubscribe: {l}"
        );
    }

    /// End the devices now (as an app that is closed) and take their report.
    pub fn exit(mut self) -> Value {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().expect("stdin piped");
        writeln!(stdin, "{}", json!({"exit": true})).unwrap();
        stdin.flush().unwrap();
        self.result()
    }

    pub fn wait_ready(&mut self) {
        let l = self.line();
        assert!(l.starts_with("READY"), "devices not ready: {l}");
    }

    pub fn result(mut self) -> Value {
        let l = self.line();
        let _ = self.child.wait();
        serde_json::from_str(&l)
            .unwrap_or_else(|_| panic!("devices printed {:?}", &l[..l.len().min(300)]))
    }
}

impl Drop for Devices {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub async fn publish(node: &ServeProcess, target: Value, payload: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/v1/notifications", node.url()))
        .json(&json!({"target": target, "payload": payload}))
        .send()
        .await
        .unwrap()
}

pub async fn publish_ok(node: &ServeProcess, target: Value, payload: Value) -> String {
    let r = publish(node, target, payload).await;
    assert_eq!(r.status(), 202);
    assert_eq!(r.headers()["x-rtctl-node"], node.node_id.as_str());
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn events(result: &Value, device: &str) -> Vec<Value> {
    result["received"][device]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn one_node_delivers_department_direct_and_broadcast_with_offsets() {
    for transports in [
        json!(["polling", "websocket"]),
        json!(["websocket"]),
        json!(["polling"]),
    ] {
        let node = ServeProcess::start("solo", &[]);
        let mut devs = Devices::start(json!({
            "url": node.url(), "ids": ["tab-1", "tab-2", "pc-3"],
            "departments": {"tab-1": "D1", "tab-2": "D1"}, "subscribe": "D9",
            "transports": transports, "expect": 3, "timeoutMs": 15000
        }));
        devs.wait_ready();
        let d1 = publish_ok(
            &node,
            json!({"department": "D1"}),
            json!({"title": "fire drill", "b": 1, "a": 2}),
        )
        .await;
        let direct = publish_ok(&node, json!({"device": "pc-3"}), json!("only you")).await;
        let all = publish_ok(&node, json!({"all": true}), json!([1, 2])).await;
        let d9 = publish_ok(&node, json!({"department": "D9"}), json!({"n": 9})).await;
        let r = devs.result();
        assert_eq!(r["ok"], true, "{transports}: {r}");
        // Each event carries its payload, then the publish API's id as the last argument.
        let tab = events(&r, "tab-1");
        assert_eq!(
            tab[0],
            json!(["notification", {"title": "fire drill", "b": 1, "a": 2}, d1]),
            "{transports}"
        );
        assert_eq!(tab[1], json!(["notification:broadcast", [1, 2], all]));
        assert_eq!(tab[2], json!(["notification", {"n": 9}, d9]));
        assert_eq!(
            events(&r, "pc-3"),
            vec![
                json!(["notification:direct", "only you", direct]),
                json!(["notification:broadcast", [1, 2], all]),
                json!(["notification", {"n": 9}, d9]),
            ]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_device_without_an_id_gets_a_connect_error() {
    let node = ServeProcess::start("solo", &[]);
    let devs = Devices::start(json!({"url": node.url(), "noIdentity": true, "timeoutMs": 8000}));
    let r = devs.result();
    assert_eq!(r["ok"], true, "{r}");
    assert!(
        r["connectError"]
            .as_str()
            .unwrap()
            .starts_with("missing device id"),
        "{r}"
    );
    let metrics = reqwest::get(format!("{}/metrics", node.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("rtctl_connect_errors_total 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn three_nodes_share_the_log_through_redis_in_order() {
    let mut redis = RedisServer::start();
    let url = redis.url();
    let flags = ["--redis", url.as_str(), "--namespace", "it-cluster"];
    let nodes: Vec<ServeProcess> = ["a", "b", "c"]
        .iter()
        .map(|n| ServeProcess::start(n, &flags))
        .collect();
    // Two devices on each node (connected directly, as a gateway would place them).
    let mut devs = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let ids = [format!("dev-{i}-0"), format!("dev-{i}-1")];
        let mut d = Devices::start(json!({
            "url": n.url(), "ids": ids, "departments": {ids[0].clone(): "D1", ids[1].clone(): "D1"},
            "transports": ["websocket"], "expect": 40, "timeoutMs": 30000
        }));
        d.wait_ready();
        devs.push(d);
    }
    // Heartbeats: all three nodes appear.
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut con = redis::aio::ConnectionManager::new(client).await.unwrap();
    let keys = rtctl::redis_schema::Keys::new("it-cluster").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let hbs = rtctl::serve::presence::read_all(&mut con, &keys)
            .await
            .unwrap();
        if hbs.len() == 3 && hbs.iter().all(|h| h.connections == 2) {
            assert!(
                hbs.iter().all(|h| h.rooms.get("department:D1") == Some(&2)),
                "{hbs:?}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "heartbeats: {hbs:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // 20 publishes on node a, then a Redis restart, then 20 more on node b.
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(publish_ok(&nodes[0], json!({"department": "D1"}), json!({"i": i})).await);
    }
    redis.stop();
    let r = publish(&nodes[1], json!({"all": true}), json!({"lost": true})).await;
    assert_eq!(r.status(), 503, "nothing is accepted that is not durable");
    let health = reqwest::get(format!("{}/health", nodes[1].url()))
        .await
        .unwrap();
    assert_eq!(health.status(), 503);
    redis.restart();
    for i in 20..40 {
        let id = loop {
            let r = publish(&nodes[1], json!({"department": "D1"}), json!({"i": i})).await;
            if r.status() == 202 {
                break r.json::<Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        ids.push(id);
    }
    for d in devs {
        let r = d.result();
        assert_eq!(r["ok"], true, "{r}");
        for (dev, evs) in r["received"].as_object().unwrap() {
            let got: Vec<(i64, String)> = evs
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e[1]["i"].as_i64().unwrap(),
                        e[2].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let want: Vec<(i64, String)> = (0..40).map(|i| (i, ids[i as usize].clone())).collect();
            assert_eq!(
                got, want,
                "{dev}: every notification, in offset order, no gap"
            );
        }
    }
    // A killed node's heartbeat expires; the others stay.
    let mut nodes = nodes;
    nodes[2].kill();
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        // The test's own connection may need one failed call to notice the Redis restart.
        let Ok(hbs) = rtctl::serve::presence::read_all(&mut con, &keys).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let mut ids: Vec<String> = hbs.iter().map(|h| h.node_id.clone()).collect();
        ids.sort();
        if ids == ["a", "b"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "heartbeat of c did not expire: {ids:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn sigterm_drains_and_exits_within_the_timeout() {
    let mut node = ServeProcess::start("drain", &["--drain-timeout", "3"]);
    let mut devs = Devices::start(json!({
        "url": node.url(), "ids": ["d-1"], "expect": 1000, "timeoutMs": 20000
    }));
    devs.wait_ready();
    let started = Instant::now();
    let status = node
        .terminate(Duration::from_secs(5))
        .expect("exited after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn bad_serve_flags_and_unreachable_redis() {
    use predicates::str::contains;
    crate::support::rtctl()
        .args(["serve", "--listen", "0.0.0.0:0"])
        .assert()
        .code(3)
        .stderr(contains(
            "--api-key: required when listening on a non-loopback address",
        ));
    crate::support::rtctl()
        .args(["serve", "--listen", "nonsense"])
        .assert()
        .code(3)
        .stderr(contains("--listen: expected ADDR:PORT"));
    crate::support::rtctl()
        .args(["serve", "--listen", "127.0.0.1:0", "--node-id", "bad id"])
        .assert()
        .code(3)
        .stderr(contains("--node-id"));
    let port = crate::support::free_port();
    crate::support::rtctl()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--redis",
            &format!("redis://127.0.0.1:{port}/"),
        ])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(4)
        .stderr(contains("redis"));
}

/// python-socketio (asyncio client), an implementation independent of the official JS one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_python_socketio), ignore = "python-socketio not found")]
async fn python_socketio_client_receives_notifications() {
    crate::support::require(
        cfg!(have_python_socketio),
        "have_python_socketio",
        "python-socketio not found",
    );
    for transport in ["websocket", "polling"] {
        let node = ServeProcess::start("py", &[]);
        let script = crate::support::root().join("tests/python/device.py");
        let mut child = crate::support::python3()
            .arg(&script)
            .args([&node.url(), "py-dev-1", transport, "2"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "READY", "{transport}");
        let a = publish_ok(&node, json!({"department": "D7"}), json!({"k": "v"})).await;
        let b = publish_ok(&node, json!({"device": "py-dev-1"}), json!(42)).await;
        line.clear();
        out.read_line(&mut line).unwrap();
        let _ = child.wait();
        let r: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("{line:?}"));
        assert_eq!(r["ok"], true, "{transport}: {r}");
        assert_eq!(
            r["ack"],
            json!({"status": "subscribed", "room": "department:D7"})
        );
        assert_eq!(
            r["received"],
            json!([["notification", {"k": "v"}, a], ["notification:direct", 42, b]]),
            "{transport}"
        );
    }
}

/// Malformed packets, oversize frames and garbage close only the offending session: the node
/// stays up and a well-behaved device keeps receiving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn bad_clients_do_not_hurt_the_node_or_other_devices() {
    use futures_util::{SinkExt, StreamExt};
    use tokio::io::AsyncWriteExt;
    use tokio_tungstenite::tungstenite::Message;

    let node = ServeProcess::start("tough", &[]);
    let mut good = Devices::start(json!({
        "url": node.url(), "ids": ["good-1"], "transports": ["websocket"], "expect": 2, "timeoutMs": 15000
    }));
    good.wait_ready();
    let first = publish_ok(&node, json!({"device": "good-1"}), json!(1)).await;
    // Garbage bytes on the port.
    let mut raw = tokio::net::TcpStream::connect(("127.0.0.1", node.port))
        .await
        .unwrap();
    raw.write_all(b"\x16\x03\x01\x02\x00 not http at all\r\n\r\n")
        .await
        .unwrap();
    drop(raw);
    // Malformed Socket.IO packets and an oversize frame over WebSocket.
    let ws_url = format!(
        "ws://127.0.0.1:{}/socket.io/?EIO=4&transport=websocket&deviceId=bad-1",
        node.port
    );
    for bad in [
        "42{}".to_string(),
        "4abc".into(),
        "40{\"deviceId\":\"bad id\"}".into(),
        "x".repeat(1_100_000),
    ] {
        // The invalid-id case carries no query id, so the bad auth id is the one checked.
        let url = if bad.starts_with("40") {
            ws_url.replace("&deviceId=bad-1", "")
        } else {
            ws_url.clone()
        };
        let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .unwrap();
        let open = ws.next().await.unwrap().unwrap();
        assert!(open.to_text().unwrap().starts_with("0{\"sid\""));
        let _ = ws
            .send(Message::text(if bad.starts_with("40") {
                bad.clone()
            } else {
                "40{\"deviceId\":\"bad-1\"}".to_string()
            }))
            .await;
        if !bad.starts_with("40") {
            let _ = ws.send(Message::text(bad.clone())).await;
        }
        // The server answers with CONNECT_ERROR or closes; either way the session ends.
        let ended = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(m) = ws.next().await {
                match m {
                    Ok(Message::Text(t)) if t.starts_with("44") => return true,
                    Ok(Message::Close(_)) | Err(_) => return true,
                    _ => {}
                }
            }
            true
        })
        .await
        .unwrap_or(false);
        assert!(ended, "session with {:.20} did not end", bad);
    }
    // Invalid API input changes nothing.
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/notifications", node.url()))
        .header("content-type", "application/json")
        .body("{\"target\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let second = publish_ok(&node, json!({"device": "good-1"}), json!(2)).await;
    let r = good.result();
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        events(&r, "good-1"),
        vec![
            json!(["notification:direct", 1, first]),
            json!(["notification:direct", 2, second]),
        ]
    );
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let node = ServeProcess::start(
        "cors",
        &["--cors-origin", "https://app.example,https://other.example"],
    );
    let client = reqwest::Client::new();
    let url = format!(
        "{}/socket.io/?EIO=4&transport=polling&deviceId=c1",
        node.url()
    );
    let r = client
        .get(&url)
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    assert_eq!(r.headers()["x-rtctl-node"], "cors");
    let r = client
        .get(&url)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = client
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://other.example")
        .header("access-control-request-headers", "x-device-id")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-headers"], "x-device-id");
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://other.example"
    );
}

/// The same fleet on a 3-master Redis Cluster: the log, delivery across nodes, recovery from a
/// device offset and heartbeats all work through one seed URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn nodes_share_the_log_through_a_redis_cluster() {
    let cluster = crate::support::RedisCluster::start();
    let url = cluster.url();
    let flags = ["--redis", url.as_str(), "--namespace", "it-rc"];
    let a = ServeProcess::start("rc-a", &flags);
    let b = ServeProcess::start("rc-b", &flags);
    let first = publish_ok(&a, json!({"device": "rc-dev"}), json!("before")).await;
    let missed = publish_ok(&b, json!({"device": "rc-dev"}), json!("missed")).await;
    let mut devs = Devices::start(json!({
        "url": b.url(), "ids": ["rc-dev"], "auth": {"offset": first},
        "transports": ["websocket"], "expect": 3, "timeoutMs": 20000
    }));
    devs.wait_ready();
    let live_a = publish_ok(&a, json!({"all": true}), json!("from a")).await;
    let live_b = publish_ok(&b, json!({"device": "rc-dev"}), json!("from b")).await;
    let r = devs.result();
    assert_eq!(r["ok"], true, "{r}");
    let offsets: Vec<String> = events(&r, "rc-dev")
        .iter()
        .map(|e| e[2].as_str().unwrap().to_string())
        .collect();
    assert_eq!(offsets, vec![missed, live_a, live_b]);
    let health: Value = reqwest::get(format!("{}/health", a.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["info"]["redis"]["status"], "up", "{health}");
    let redis = rtctl::serve::redis_conn::Redis::detect(&url).await.unwrap();
    assert!(redis.is_cluster());
    let mut con = redis.connect(Duration::from_secs(2)).await.unwrap();
    let keys = rtctl::redis_schema::Keys::new("it-rc").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut ids: Vec<String> = rtctl::serve::presence::read_all(&mut con, &keys)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.node_id)
            .collect();
        ids.sort();
        if ids == ["rc-a", "rc-b"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "heartbeats on the cluster: {ids:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
