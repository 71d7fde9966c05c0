//! The log survives Redis faults: a Redis Cluster failover with one seed URL, a node whose
//! reader cannot read the log, and a Redis restarted empty. Real redis-server processes, real
//! `rtctl serve` nodes, the official socket.io-client; every scenario counts delivered against
//! acknowledged by notification id.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve_node::{publish, Devices};
use crate::support::{free_port, require, RedisServer, ServeProcess};

/// A redis-server process on a given loopback port, with extra arguments; SIGKILLed on drop.
struct RedisProc {
    port: u16,
    args: Vec<String>,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl RedisProc {
    fn start(port: u16, extra: &[&str]) -> RedisProc {
        let mut r = RedisProc {
            port,
            args: extra.iter().map(|s| s.to_string()).collect(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        r.spawn();
        r
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .args(&self.args)
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis {} did not listen",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `kill -9`.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for RedisProc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A local Redis Cluster of 3 masters with one replica each (`--cluster-replicas 1`) and a
/// 2 s node timeout, so a dead master's replica is promoted within a few seconds.
struct ReplicatedCluster {
    nodes: Vec<RedisProc>,
}

impl ReplicatedCluster {
    fn start() -> ReplicatedCluster {
        require(cfg!(have_redis), "have_redis", "redis-server not found");
        // The cluster bus listens on port + 10000: pick ports whose bus port is free too.
        let mut ports = Vec::new();
        let mut candidate = 30_000 + (std::process::id() % 5_000) as u16 * 3;
        let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
        while ports.len() < 6 {
            candidate += 1;
            if free(candidate) && free(candidate + 10_000) {
                ports.push(candidate);
            }
        }
        let cluster_args = [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "2000",
        ];
        let nodes: Vec<RedisProc> = ports
            .iter()
            .map(|p| RedisProc::start(*p, &cluster_args))
            .collect();
        let addrs: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let out = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addrs)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .output()
            .expect("redis-cli runs");
        assert!(
            out.status.success(),
            "cluster create: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let c = ReplicatedCluster { nodes };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ok = c
                .nodes
                .iter()
                .all(|n| cli(n.port, &["cluster", "info"]).contains("cluster_state:ok"));
            // Every replica has finished its first sync.
            let synced = c.nodes.iter().all(|n| {
                let info = cli(n.port, &["info", "replication"]);
                info.contains("role:master") || info.contains("master_link_status:up")
            });
            if ok && synced {
                return c;
            }
            assert!(Instant::now() < deadline, "cluster did not become ok");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The port of the master that serves `key`'s slot now, asked of `via`.
    fn master_of(&self, via: u16, key: &str) -> Option<u16> {
        let slot: u16 = cli(via, &["cluster", "keyslot", key]).trim().parse().ok()?;
        for line in cli(via, &["cluster", "nodes"]).lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 9 || !f[2].contains("master") || f[2].contains("fail") {
                continue;
            }
            let serves = f[8..].iter().any(|r| {
                let (a, b) = r.split_once('-').unwrap_or((r, r));
                matches!((a.parse::<u16>(), b.parse::<u16>()), (Ok(a), Ok(b)) if a <= slot && slot <= b)
            });
            if serves {
                return f[1].split(['@', ':']).nth(1)?.parse().ok();
            }
        }
        None
    }

    fn node(&mut self, port: u16) -> &mut RedisProc {
        self.nodes.iter_mut().find(|n| n.port == port).unwrap()
    }
}

/// Publish through any of `nodes` until one answers 202; returns the acknowledged id.
/// Attempts that time out or answer 503 are not acknowledged.
async fn publish_acked(nodes: &[&ServeProcess], target: Value, payload: Value) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for n in nodes {
            if let Ok(r) = tokio::time::timeout(
                Duration::from_secs(3),
                publish(n, target.clone(), payload.clone()),
            )
            .await
            {
                if r.status() == 202 {
                    return r.json::<Value>().await.unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_string();
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no node accepted {payload} for 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The ids (last argument) of what a device received, per event name.
fn received_ids(report: &Value, device: &str) -> Vec<(String, String)> {
    report["received"][device]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let e = e.as_array().unwrap();
                    let name = e[0].as_str().unwrap().to_string();
                    let id = e.last().unwrap().as_str().unwrap_or("").to_string();
                    (name, id)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every device group must get every publish in `want`: hand them that, merge their reports and
/// count (expected, lost, duplicates).
/// `ids` split in two halves, the first on node `a` and the second on `b`, each device in
/// department `dept` over WebSocket, connected and ready.
fn halves(
    a: &ServeProcess,
    b: &ServeProcess,
    ids: &[String],
    dept: &str,
) -> Vec<(Vec<String>, Devices)> {
    let n = ids.len() / 2;
    let mut groups = Vec::new();
    for (node, half) in [(a, &ids[..n]), (b, &ids[n..])] {
        let depts: serde_json::Map<String, Value> =
            half.iter().map(|d| (d.clone(), json!(dept))).collect();
        let mut devs = Devices::start(json!({
            "url": node.url(), "ids": half, "departments": depts,
            "transports": ["websocket"], "timeoutMs": 60000
        }));
        devs.wait_ready();
        groups.push((half.to_vec(), devs));
    }
    groups
}

fn settle(
    groups: Vec<(Vec<String>, Devices)>,
    ids: &[String],
    want: &[String],
) -> (usize, usize, usize) {
    let mut report = serde_json::Map::new();
    for (half, mut devs) in groups {
        let expect: serde_json::Map<String, Value> = half
            .iter()
            .map(|d| (d.clone(), json!(want.len())))
            .collect();
        devs.expect(&Value::Object(expect));
        let r = devs.result();
        assert_eq!(r["ok"], true, "devices: {}", r["error"]);
        report.extend(r["received"].as_object().unwrap().clone());
    }
    tally(&json!({ "received": report }), ids, want)
}

/// (expected, lost, duplicates) over `devices`, every device expecting every id in `want`.
fn tally(report: &Value, devices: &[String], want: &[String]) -> (usize, usize, usize) {
    let (mut lost, mut dup) = (0, 0);
    for d in devices {
        let mut seen = HashSet::new();
        for (_, id) in received_ids(report, d) {
            if !seen.insert(id) {
                dup += 1;
            }
        }
        lost += want.iter().filter(|w| !seen.contains(*w)).count();
    }
    (want.len() * devices.len(), lost, dup)
}

async fn metric(node: &ServeProcess, name: &str) -> Option<f64> {
    let text = reqwest::get(format!("{}/metrics", node.url()))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn get_json(url: String) -> (u16, Value) {
    let r = reqwest::get(url).await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// 3 masters + 3 replicas, both rtctl nodes given ONE seed URL: the master that owns the
/// fleet's slot. It is killed with SIGKILL while devices are online and publishes keep coming;
/// its replica is promoted and both nodes' readers follow it: 0 lost, 0 duplicates, no device
/// reconnects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_cluster_failover_with_one_seed_url_loses_nothing() {
    let mut cluster = ReplicatedCluster::start();
    let ns = "it-failover";
    let key = format!("{{rtctl:{ns}}}:log");
    let owner = cluster.master_of(cluster.nodes[0].port, &key).unwrap();
    let seed = format!("redis://127.0.0.1:{owner}/");
    let flags = ["--redis", seed.as_str(), "--namespace", ns];
    let a = ServeProcess::start("fa", &flags);
    let b = ServeProcess::start("fb", &flags);
    let ids: Vec<String> = (0..20).map(|i| format!("fo-{i:02}")).collect();
    let groups = halves(&a, &b, &ids, "DF");
    let nodes = [&a, &b];
    let mut want = Vec::new();
    let target = json!({"department": "DF"});
    for k in 0..15 {
        want.push(publish_acked(&nodes, target.clone(), json!({"k": k})).await);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    // `--durability replicated` on a cluster (another fleet): the append and its WAIT go to
    // the slot's master together, and are confirmed by its replica.
    let r_ns = "it-failover-replicated";
    let r_node = ServeProcess::start(
        "fr",
        &[
            "--redis",
            seed.as_str(),
            "--namespace",
            r_ns,
            "--durability",
            "replicated",
        ],
    );
    let mut r_dev = Devices::start(json!({
        "url": r_node.url(), "ids": ["fr-1"], "departments": {"fr-1": "DF"},
        "transports": ["websocket"], "timeoutMs": 30000
    }));
    r_dev.wait_ready();
    let mut r_want = Vec::new();
    for k in 0..3 {
        let r = publish(&r_node, target.clone(), json!({"k": k})).await;
        assert_eq!(r.status(), 202, "replicated publish on a cluster");
        r_want.push(
            r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    r_dev.expect(&json!({"fr-1": 3}));
    let r = r_dev.result();
    assert_eq!(r["ok"], true, "{r}");
    let got: Vec<String> = received_ids(&r, "fr-1").into_iter().map(|x| x.1).collect();
    assert_eq!(got, r_want);
    drop(r_node);

    cluster.node(owner).kill();
    let killed = Instant::now();
    // Keep publishing through the failover (503s are retried, only 202s count).
    let mut k = 15;
    while killed.elapsed() < Duration::from_secs(6) || k < 60 {
        want.push(publish_acked(&nodes, target.clone(), json!({"k": k})).await);
        k += 1;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let alive = cluster.nodes.iter().find(|n| n.port != owner).unwrap().port;
    let promoted = cluster.master_of(alive, &key).unwrap();
    assert_ne!(promoted, owner, "the replica was promoted");
    let (expected, lost, dup) = settle(groups, &ids, &want);
    eprintln!(
        "cluster failover: {expected} expected, {lost} lost, {dup} duplicates, {} publishes",
        want.len()
    );
    assert_eq!((lost, dup), (0, 0));
    for n in nodes {
        // Online throughout: each node saw its 10 devices connect once and none reconnect.
        assert_eq!(metric(n, "rtctl_connects_total").await, Some(10.0));
        let (s, h) = get_json(format!("{}/health", n.url())).await;
        assert_eq!(s, 200, "{h}");
        assert_eq!(h["details"]["log"]["reader"], "following", "{h}");
    }
}

/// A node whose reader cannot read the log (here: its Redis user loses the XREAD permission
/// while PING and XADD still work) says so: `/health` reports the stalled reader, the lag
/// metric grows with real time, the heartbeat carries the reader's state, readiness turns false
/// after `READY_STALL_LIMIT`; once it can read again it delivers what it missed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_stalled_log_reader_is_reported_and_unready() {
    let redis = RedisProc::start(free_port(), &[]);
    let _ = RedisServer::start();
    let ns = "it-stall";
    let node = ServeProcess::start("st", &["--redis", &redis.url(), "--namespace", ns]);
    let mut devs = Devices::start(json!({
        "url": node.url(), "ids": ["st-1"], "transports": ["websocket"], "timeoutMs": 60000
    }));
    devs.wait_ready();
    let first = publish_acked(&[&node], json!({"device": "st-1"}), json!(0)).await;
    cli(redis.port, &["acl", "setuser", "default", "-xread"]);
    let stalled_at = Instant::now();
    // Publishing still works: the entry is in the log, only this node cannot read it.
    let second = publish_acked(&[&node], json!({"device": "st-1"}), json!(1)).await;
    let health = loop {
        let (s, h) = get_json(format!("{}/health", node.url())).await;
        if h["details"]["log"]["reader"] == "stalled" {
            assert_eq!(s, 503, "{h}");
            break h;
        }
        assert!(
            stalled_at.elapsed() < Duration::from_secs(15),
            "never reported stalled: {h}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(health["error"]["log"]["status"], "down", "{health}");
    assert!(
        health["error"]["log"]["message"]
            .as_str()
            .unwrap()
            .contains("NOPERM")
            || health["error"]["log"]["message"]
                .as_str()
                .unwrap()
                .contains("permission"),
        "{health}"
    );
    let lag1 = metric(&node, "rtctl_log_lag_seconds").await.unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let lag2 = metric(&node, "rtctl_log_lag_seconds").await.unwrap();
    assert!(lag1 >= 4.0 && lag2 >= lag1 + 1.5, "lag {lag1} then {lag2}");
    // The heartbeat says so too (Redis itself is up).
    let keys = rtctl::redis_schema::Keys::new(ns).unwrap();
    let hb: rtctl::redis_schema::Heartbeat =
        serde_json::from_str(&cli(redis.port, &["get", &keys.node("st")])).unwrap();
    assert_eq!(hb.log_reader, "stalled", "{hb:?}");
    assert!(hb.log_stalled_secs >= 5 && hb.log_lag_ms >= 5000, "{hb:?}");
    assert!(hb.log_reader_error.is_some(), "{hb:?}");
    // Ready until READY_STALL_LIMIT (10 s), then not.
    loop {
        let (s, r) = get_json(format!("{}/health/ready", node.url())).await;
        if s == 503 {
            assert!(
                r["reason"].as_str().unwrap().contains("log reader stalled"),
                "{r}"
            );
            assert!(stalled_at.elapsed() >= Duration::from_secs(9), "{r}");
            break;
        }
        assert!(
            stalled_at.elapsed() < Duration::from_secs(20),
            "still ready: {r}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // It can read again: ready, following, and the entry it could not read is delivered.
    cli(redis.port, &["acl", "setuser", "default", "+xread"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (s, h) = get_json(format!("{}/health", node.url())).await;
        if s == 200 && h["details"]["log"]["reader"] == "following" {
            break;
        }
        assert!(Instant::now() < deadline, "did not recover: {h}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        get_json(format!("{}/health/ready", node.url())).await.0,
        200
    );
    devs.expect(&json!({"st-1": 2}));
    let r = devs.result();
    assert_eq!(r["ok"], true, "{r}");
    let got: Vec<String> = received_ids(&r, "st-1").into_iter().map(|x| x.1).collect();
    assert_eq!(got, vec![first, second]);
}

/// Redis without persistence restarted empty while devices are offline: on reconnect each
/// gets `notification:gap` first (the log it resumed from is gone), then everything newer;
/// a device online throughout loses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_log_lost_in_a_restart_is_announced_then_replayed() {
    let _ = RedisServer::start();
    let mut redis = RedisProc::start(free_port(), &[]);
    let node = ServeProcess::start(
        "gen",
        &["--redis", &redis.url(), "--namespace", "it-generation"],
    );
    let offline: Vec<String> = (0..3).map(|i| format!("off-{i}")).collect();
    let depts: serde_json::Map<String, Value> = offline
        .iter()
        .chain(["on-1".to_string()].iter())
        .map(|d| (d.clone(), json!("DG")))
        .collect();
    let mut online = Devices::start(json!({
        "url": node.url(), "ids": ["on-1"], "departments": depts.clone(),
        "transports": ["websocket"], "timeoutMs": 60000
    }));
    online.wait_ready();
    let mut first = Devices::start(json!({
        "url": node.url(), "ids": offline, "departments": depts.clone(),
        "transports": ["websocket"], "expect": 2, "timeoutMs": 20000
    }));
    first.wait_ready();
    let mut before = Vec::new();
    for k in 0..2 {
        before.push(publish_acked(&[&node], json!({"department": "DG"}), json!(k)).await);
    }
    let r = first.result();
    assert_eq!(r["ok"], true, "{r}");
    let last: HashMap<String, String> = offline
        .iter()
        .map(|d| (d.clone(), received_ids(&r, d).last().unwrap().1.clone()))
        .collect();
    assert!(last.values().all(|o| *o == before[1]));
    // The devices are offline and miss one; Redis dies and comes back empty.
    before.push(publish_acked(&[&node], json!({"department": "DG"}), json!(2)).await);
    redis.kill();
    redis.spawn();
    // Two come back before anything new is published (the log is empty and the node has
    // delivered past their offset), the third after.
    let reconnect = |ids: &[String]| {
        Devices::start(json!({
            "url": node.url(), "ids": ids, "departments": depts.clone(),
            "auth": {"offset": before[1]},
            "transports": ["websocket"], "timeoutMs": 20000
        }))
    };
    let mut early = reconnect(&offline[..2]);
    early.wait_ready();
    let mut after = Vec::new();
    after.push(publish_acked(&[&node], json!({"department": "DG"}), json!(3)).await);
    let mut late = reconnect(&offline[2..]);
    late.wait_ready();
    for k in 4..6 {
        after.push(publish_acked(&[&node], json!({"department": "DG"}), json!(k)).await);
    }
    let mut received = serde_json::Map::new();
    for (mut devs, ids) in [(early, &offline[..2]), (late, &offline[2..])] {
        devs.expect(&Value::Object(
            ids.iter().map(|d| (d.clone(), json!(4))).collect(),
        ));
        let r = devs.result();
        assert_eq!(r["ok"], true, "{r}");
        received.extend(r["received"].as_object().unwrap().clone());
    }
    let r = json!({ "received": received });
    for d in &offline {
        let got = received_ids(&r, d);
        assert_eq!(
            got[0],
            ("notification:gap".into(), String::new()),
            "{d}: {got:?}"
        );
        let gap = &r["received"][d][0][1];
        assert_eq!(gap["from"], before[1].as_str(), "{gap}");
        assert_eq!(gap["reason"], "generation", "{gap}");
        let rest: Vec<String> = got[1..].iter().map(|x| x.1.clone()).collect();
        assert_eq!(rest, after, "{d}: everything newer, in order, once");
    }
    // Online throughout: all six, once each.
    online.expect(&json!({"on-1": 6}));
    let r = online.result();
    assert_eq!(r["ok"], true, "{r}");
    let got: Vec<String> = received_ids(&r, "on-1").into_iter().map(|x| x.1).collect();
    assert_eq!(got, [before, after].concat());
    assert!(metric(&node, "rtctl_gaps_total").await.unwrap() >= 3.0);
}

async fn publish_keyed(node: &ServeProcess, key: Option<&str>, k: u32) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/notifications", node.url()))
        .json(&json!({"target": {"department": "DD"}, "payload": {"k": k}}));
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    req.send().await.unwrap()
}

async fn id_of(r: reqwest::Response) -> (String, bool) {
    assert_eq!(r.status(), 202);
    let replayed = r.headers().get("idempotent-replayed").is_some();
    let v: Value = r.json().await.unwrap();
    (v["id"].as_str().unwrap().to_string(), replayed)
}

/// Wait until `primary` has `n` replicas online.
fn wait_replicas(primary: &RedisProc, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let info = cli(primary.port, &["info", "replication"]);
        let online = info
            .lines()
            .filter(|l| l.starts_with("slave") && l.contains("state=online"))
            .count();
        if online >= n {
            return;
        }
        assert!(Instant::now() < deadline, "replicas not online: {info}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `--durability replicated`: with the replica stopped a publish is answered 503 and never
/// delivered, live or by a catch-up; a publish retried with the same `Idempotency-Key` is
/// delivered once and answered with the first id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn replicated_publishes_without_a_replica_are_refused_and_never_delivered() {
    let _ = RedisServer::start();
    let primary = RedisProc::start(free_port(), &[]);
    let port = primary.port.to_string();
    let mut replica = RedisProc::start(free_port(), &["--replicaof", "127.0.0.1", &port]);
    wait_replicas(&primary, 1);
    let node = ServeProcess::start(
        "dur",
        &[
            "--redis",
            &primary.url(),
            "--namespace",
            "it-durable",
            "--durability",
            "replicated",
            "--replicas",
            "1",
            "--replica-timeout-ms",
            // long enough for a replica on a loaded 2-core machine; the refused case waits it
            "2000",
        ],
    );
    let mut online = Devices::start(json!({
        "url": node.url(), "ids": ["du-1"], "departments": {"du-1": "DD"},
        "transports": ["websocket"], "timeoutMs": 60000
    }));
    online.wait_ready();
    let (id0, _) = id_of(publish_keyed(&node, Some("k0"), 0).await).await;
    let (id1, replayed) = id_of(publish_keyed(&node, Some("k1"), 1).await).await;
    assert!(!replayed);
    // A retry (the client timed out, say) gets the same id and appends nothing.
    assert_eq!(
        id_of(publish_keyed(&node, Some("k1"), 1).await).await,
        (id1.clone(), true)
    );
    replica.kill();
    for (key, k) in [(Some("k2"), 2), (None, 3)] {
        let r = publish_keyed(&node, key, k).await;
        assert_eq!(r.status(), 503, "{k}");
        assert_eq!(r.headers()["retry-after"], "1");
        let v: Value = r.json().await.unwrap();
        assert!(
            v["error"].as_str().unwrap().contains("0 of 1 replica"),
            "{v}"
        );
    }
    replica.spawn();
    wait_replicas(&primary, 1);
    // The retry of the refused publish is a new entry, and once only.
    let (id2, replayed) = id_of(publish_keyed(&node, Some("k2"), 2).await).await;
    assert!(!replayed && id2 > id1);
    assert_eq!(
        id_of(publish_keyed(&node, Some("k2"), 2).await).await,
        (id2.clone(), true)
    );
    let (id4, _) = id_of(publish_keyed(&node, Some("k4"), 4).await).await;
    // Live: everything acknowledged, in order, nothing else (id4 comes last, so a refused
    // entry delivered would show before it).
    online.expect(&json!({"du-1": 4}));
    let r = online.result();
    assert_eq!(r["ok"], true, "{r}");
    let got: Vec<String> = received_ids(&r, "du-1").into_iter().map(|x| x.1).collect();
    assert_eq!(
        got,
        vec![id0.clone(), id1.clone(), id2.clone(), id4.clone()]
    );
    let payloads: Vec<Value> = r["received"]["du-1"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[1]["k"].clone())
        .collect();
    assert_eq!(payloads, vec![json!(0), json!(1), json!(2), json!(4)]);
    // A catch-up skips the refused entries too.
    let mut back = Devices::start(json!({
        "url": node.url(), "ids": ["du-2"], "departments": {"du-2": "DD"},
        "auth": {"offset": id0}, "transports": ["websocket"], "expect": 3, "timeoutMs": 20000
    }));
    back.wait_ready();
    let r = back.result();
    assert_eq!(r["ok"], true, "{r}");
    let got: Vec<String> = received_ids(&r, "du-2").into_iter().map(|x| x.1).collect();
    assert_eq!(got, vec![id1, id2, id4]);
    let (s, h) = get_json(format!("{}/health", node.url())).await;
    assert_eq!(s, 200, "{h}");
    assert!(
        h["details"]["log"]["durability"]
            .as_str()
            .unwrap()
            .starts_with("replicated (1 replica(s) within 2000 ms, WAIT)"),
        "{h}"
    );
}

/// A primary, its replica and three `redis-sentinel`s (quorum 2, primary down after 1 s).
struct SentinelSetup {
    primary: RedisProc,
    replicas: Vec<RedisProc>,
    sentinels: Vec<RedisProc>,
}

impl SentinelSetup {
    fn start(replicas: usize) -> SentinelSetup {
        let primary = RedisProc::start(free_port(), &[]);
        let p = primary.port.to_string();
        let replicas: Vec<RedisProc> = (0..replicas)
            .map(|_| RedisProc::start(free_port(), &["--replicaof", "127.0.0.1", &p]))
            .collect();
        wait_replicas(&primary, replicas.len());
        let sentinels = (0..3)
            .map(|_| {
                let port = free_port();
                let dir = tempfile::tempdir().unwrap();
                let conf = dir.path().join("sentinel.conf");
                std::fs::write(
                    &conf,
                    format!(
                        "port {port}\nbind 127.0.0.1\n\
                         sentinel monitor mymaster 127.0.0.1 {p} 2\n\
                         sentinel down-after-milliseconds mymaster 1000\n\
                         sentinel failover-timeout mymaster 10000\n\
                         sentinel parallel-syncs mymaster 1\n"
                    ),
                )
                .unwrap();
                let mut s = RedisProc {
                    port,
                    args: vec![conf.to_string_lossy().into_owned(), "--sentinel".into()],
                    dir,
                    child: None,
                };
                s.spawn_sentinel();
                s
            })
            .collect();
        let setup = SentinelSetup {
            primary,
            replicas,
            sentinels,
        };
        // Every sentinel knows the replica and the other sentinels.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = setup.sentinels.iter().all(|s| {
                let m = cli(s.port, &["sentinel", "master", "mymaster"]);
                let mut lines = m.lines();
                let mut get = HashMap::new();
                while let (Some(k), Some(v)) = (lines.next(), lines.next()) {
                    get.insert(k.to_string(), v.to_string());
                }
                get.get("num-slaves") == Some(&setup.replicas.len().to_string())
                    && get.get("num-other-sentinels").map(String::as_str) == Some("2")
            });
            if ready {
                return setup;
            }
            assert!(Instant::now() < deadline, "sentinels did not settle");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self) -> String {
        let hosts: Vec<String> = self
            .sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect();
        format!("redis+sentinel://{}/mymaster", hosts.join(","))
    }
}

impl RedisProc {
    /// `redis-server <conf> --sentinel` (redis-sentinel is redis-server in sentinel mode).
    fn spawn_sentinel(&mut self) {
        let child = Command::new("redis-server")
            .args(&self.args)
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server --sentinel starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "sentinel {} did not listen",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `--redis redis+sentinel://…/mymaster`: the primary is killed with SIGKILL while devices are
/// online and publishes keep coming; Sentinel promotes the replica and both nodes follow it
/// without a restart: 0 lost, 0 duplicates, no device reconnects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_sentinel_promotion_is_followed_without_losing_anything() {
    sentinel_failover(1, &[]).await;
}

/// The same with `--durability replicated` and two replicas: every 202 was on a replica when
/// the primary died; the promoted one's remaining replica confirms what follows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_sentinel_promotion_with_replicated_durability_loses_nothing() {
    sentinel_failover(2, &["--durability", "replicated"]).await;
}

async fn sentinel_failover(replicas: usize, extra: &[&str]) {
    let _ = RedisServer::start();
    let mut setup = SentinelSetup::start(replicas);
    let url = setup.url();
    let mut flags = vec!["--redis", url.as_str(), "--namespace", "it-sentinel"];
    flags.extend_from_slice(extra);
    let a = ServeProcess::start("sa", &flags);
    let b = ServeProcess::start("sb", &flags);
    let ids: Vec<String> = (0..10).map(|i| format!("se-{i:02}")).collect();
    let groups = halves(&a, &b, &ids, "DS");
    let nodes = [&a, &b];
    let target = json!({"department": "DS"});
    let mut want = Vec::new();
    for k in 0..10 {
        want.push(publish_acked(&nodes, target.clone(), json!({"k": k})).await);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let old = setup.primary.port;
    setup.primary.kill();
    let killed = Instant::now();
    let mut k = 10;
    while killed.elapsed() < Duration::from_secs(6) || k < 40 {
        want.push(publish_acked(&nodes, target.clone(), json!({"k": k})).await);
        k += 1;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let promoted = cli(
        setup.sentinels[0].port,
        &["sentinel", "get-master-addr-by-name", "mymaster"],
    );
    assert!(
        setup
            .replicas
            .iter()
            .any(|r| promoted.contains(&r.port.to_string()))
            && !promoted.contains(&old.to_string()),
        "promoted: {promoted}"
    );
    let (expected, lost, dup) = settle(groups, &ids, &want);
    eprintln!(
        "sentinel promotion {extra:?}: {expected} expected, {lost} lost, {dup} duplicates, {} publishes",
        want.len()
    );
    assert_eq!((lost, dup), (0, 0));
    for n in nodes {
        assert_eq!(metric(n, "rtctl_connects_total").await, Some(5.0));
        let (s, h) = get_json(format!("{}/health", n.url())).await;
        assert_eq!(s, 200, "{h}");
    }
}
