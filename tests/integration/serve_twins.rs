//! One device id connected twice (two tabs, or a stale connection the node has not timed out
//! yet), with the official socket.io-client: two sessions. Each connection gets the device's
//! direct notifications exactly once, keeps its own departments, resumes its own session (its
//! own pid) after a cut, and the other keeps receiving when one leaves. README, "Sessions and
//! recovery".

use std::process::Command;

use serde_json::{json, Value};

use crate::support::{node_dir, RedisServer, ServeProcess};

fn run_twins(node: &ServeProcess) -> Value {
    let dir = node_dir();
    let out = Command::new("node")
        .arg(dir.join("twins.mjs"))
        .arg(node.url())
        .current_dir(&dir)
        .output()
        .expect("node runs");
    let line = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(line.trim()).unwrap_or_else(|_| {
        panic!(
            "twins.mjs printed {line:?}; stderr {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn events(r: &Value, tab: &str) -> Vec<(String, Value)> {
    r["got"][tab]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e[0].as_str().unwrap().to_string(), e[1].clone()))
        .collect()
}

fn check(r: &Value) {
    assert_eq!(r["ok"], true, "{r}");
    let direct = |p: &str| ("notification:direct".to_string(), json!(p));
    let dept = |p: &str| ("notification".to_string(), json!(p));
    // Each connection: every direct notification once, in order, and only its own department.
    assert_eq!(
        events(r, "A"),
        vec![
            direct("d1"),
            dept("a1"),
            direct("d2"),
            direct("d3"),
            dept("a2")
        ],
        "{r}"
    );
    assert_eq!(
        events(r, "B"),
        vec![
            direct("d1"),
            dept("b1"),
            direct("d2"),
            direct("d3"),
            dept("b2"),
            direct("d4")
        ],
        "{r}"
    );
    // Two sessions: distinct pids, each resumed as itself after its cut.
    let first = &r["first"];
    assert_ne!(first["A"]["pid"], first["B"]["pid"], "{r}");
    assert_ne!(first["A"]["id"], first["B"]["id"], "{r}");
    let steps = r["steps"].as_array().unwrap();
    for (step, tab) in [(&steps[1], "A"), (&steps[2], "B")] {
        assert_eq!(step["recovered"], true, "{tab}: {r}");
        assert_eq!(step["pid"], first[tab]["pid"], "{tab} kept its pid: {r}");
        // The socket id is new on every connection (socket.io keeps it on a recovery; rtctl
        // does not: the pid is the session).
        assert_ne!(step["id"], first[tab]["id"], "{tab}: {r}");
    }
}

#[test]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
fn one_device_id_connected_twice_is_two_sessions_on_the_embedded_node() {
    let node = ServeProcess::start("twins", &[]);
    check(&run_twins(&node));
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
fn one_device_id_connected_twice_is_two_sessions_with_redis() {
    let redis = RedisServer::start();
    let url = redis.url();
    let node = ServeProcess::start("twins-r", &["--redis", &url, "--namespace", "it-twins"]);
    check(&run_twins(&node));
}

/// A stale connection (a frozen tab, a network gone without a FIN) and a fresh one with the
/// same device id: both are served until the stale one's heartbeat times out
/// (`pingInterval + pingTimeout`), the fresh one gets every notification exactly once, before and
/// after, and nothing of its own is disturbed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_stale_connection_of_the_same_device_times_out_without_disturbing_the_new_one() {
    use crate::hostile::{frame, raw_ws};
    use crate::serve_node::{events, publish_ok, Devices};
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let node = ServeProcess::start(
        "stale",
        &["--ping-interval-ms", "2500", "--ping-timeout-ms", "1000"],
    );
    let metric = |name: &'static str| {
        let url = format!("{}/metrics", node.url());
        async move {
            let text = reqwest::get(url).await.unwrap().text().await.unwrap();
            text.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        }
    };
    // The stale connection: CONNECT as twin-s, then never read nor answer a ping.
    let mut stale = raw_ws(node.port, "&deviceId=twin-s").await;
    stale
        .write_all(&frame(1, b"40{\"deviceId\":\"twin-s\"}"))
        .await
        .unwrap();
    let connected_at = Instant::now();
    let mut fresh = Devices::start(json!({
        "url": node.url(), "ids": ["twin-s"], "transports": ["websocket"],
        "timeoutMs": 20000
    }));
    fresh.wait_ready();
    assert_eq!(metric("socket_io_active_connections").await, 2.0);
    assert!(
        connected_at.elapsed() < Duration::from_millis(3000),
        "too slow to test"
    );
    let d1 = publish_ok(&node, json!({"device": "twin-s"}), json!("while both")).await;
    // The stale one is closed by its heartbeat; the fresh one stays.
    let t = Instant::now();
    while metric("socket_io_active_connections").await != 1.0 {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "stale connection kept"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        metric("rtctl_disconnects_total{reason=\"ping timeout\"}").await,
        1.0
    );
    let d2 = publish_ok(&node, json!({"device": "twin-s"}), json!("after")).await;
    fresh.expect(&json!({"twin-s": 2}));
    let r = fresh.result();
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        events(&r, "twin-s"),
        vec![
            json!(["notification:direct", "while both", d1]),
            json!(["notification:direct", "after", d2]),
        ]
    );
    // What the stale socket was sent before it was closed: the first notification, into its
    // (unread) receive buffer; nothing after.
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), stale.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf);
    assert!(text.contains("while both"), "{text:?}");
    assert!(!text.contains("after"), "{text:?}");
}
