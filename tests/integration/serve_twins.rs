//! One device id connected twice (two tabs, or a stale connection the node has not timed out
//! yet), with the official socket.io-client: two sessions. Each connection gets the device's
//! direct notifications exactly once, keeps its own departments, resumes its own session (its
//! own pid) after a cut, and the other keeps receiving when one leaves. README, "Sessions and
//! recovery".

use std::process::Command;

use serde_json::{json, Value};

use crate::support::{node_dir, RedisServer, ServeProcess};

fn run_twins(node: &ServeProcess) -> Value {
    let dir = node_dir().unwrap();
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
    let redis = RedisServer::start().unwrap();
    let url = redis.url();
    let node = ServeProcess::start("twins-r", &["--redis", &url, "--namespace", "it-twins"]);
    check(&run_twins(&node));
}
