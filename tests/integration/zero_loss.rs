//! Zero loss under failure: 1,000 devices behind a real nginx (`hash $arg_deviceId
//! consistent`) on three `rtctl serve` nodes sharing Redis, receiving a steady stream of
//! department, direct and broadcast notifications while a node is killed with SIGKILL and
//! restarted, and while their TCP connections are cut. Each test counts expected against
//! received by notification id, asserts 0 lost and reports duplicates.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve_node::{publish, Devices};
use crate::support::{free_port, Nginx, RedisServer, ServeProcess};

const DEVICES: usize = 1000;
const DEPARTMENTS: usize = 10;

fn device(i: usize) -> String {
    format!("dev-{i:04}")
}

/// What each device must receive: (offset id) per device, in publish order.
#[derive(Default)]
struct Ledger {
    want: HashMap<String, Vec<String>>,
}

impl Ledger {
    fn record(&mut self, target: &Value, id: &str) {
        for i in 0..DEVICES {
            let d = device(i);
            let hit = if target.get("all").is_some() {
                true
            } else if let Some(dept) = target.get("department") {
                dept.as_str() == Some(&format!("D{}", i % DEPARTMENTS))
            } else {
                target["device"].as_str() == Some(&d)
            };
            if hit {
                self.want.entry(d).or_default().push(id.to_string());
            }
        }
    }

    /// Lost and duplicated notifications across all devices, from the devices' report.
    fn check(&self, report: &Value) -> (usize, usize, usize) {
        let (mut lost, mut dup, mut expected) = (0, 0, 0);
        for i in 0..DEVICES {
            let d = device(i);
            let want = self.want.get(&d).cloned().unwrap_or_default();
            expected += want.len();
            let got: Vec<String> = report["received"][&d]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|e| {
                            e.as_array()
                                .unwrap()
                                .last()
                                .unwrap()
                                .as_str()
                                .unwrap_or("")
                                .to_string()
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut seen = std::collections::HashSet::new();
            for g in &got {
                if !seen.insert(g.clone()) {
                    dup += 1;
                }
            }
            lost += want.iter().filter(|w| !seen.contains(*w)).count();
        }
        (expected, lost, dup)
    }
}

/// Publish one notification through any live node, retrying while nodes are down.
async fn publish_any(nodes: &[&ServeProcess], k: usize, target: Value) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for n in nodes {
            if let Ok(r) = tokio::time::timeout(
                Duration::from_secs(2),
                publish(n, target.clone(), json!({"k": k})),
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
        assert!(Instant::now() < deadline, "no node accepted publish {k}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Devices caught up from the log on these nodes (proof that the failures really happened).
async fn recoveries(nodes: &[&ServeProcess]) -> u64 {
    let mut total = 0;
    for n in nodes {
        let text = reqwest::get(format!("{}/metrics", n.url()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        total += text
            .lines()
            .find_map(|l| l.strip_prefix("rtctl_recoveries_total "))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
    }
    total
}

fn target(k: usize) -> Value {
    match k % 5 {
        0 => json!({"all": true}),
        1 | 3 => json!({"department": format!("D{}", k % DEPARTMENTS)}),
        _ => json!({"device": device((k * 37) % DEVICES)}),
    }
}

async fn fleet(redis: &RedisServer) -> (Vec<u16>, Vec<ServeProcess>) {
    let url = redis.url();
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let nodes = ports
        .iter()
        .enumerate()
        .map(|(i, p)| {
            ServeProcess::start_on(
                *p,
                &format!("n{i}"),
                &["--redis", &url, "--namespace", "it-zero"],
            )
        })
        .collect();
    (ports, nodes)
}

fn devices_behind(gw: &Nginx) -> Option<Devices> {
    let ids: Vec<String> = (0..DEVICES).map(device).collect();
    let depts: serde_json::Map<String, Value> = (0..DEVICES)
        .map(|i| (device(i), json!(format!("D{}", i % DEPARTMENTS))))
        .collect();
    Devices::start(json!({
        "url": gw.url(), "ids": ids, "departments": depts,
        "transports": ["websocket"], "timeoutMs": 90000
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_and_restart_a_node_behind_nginx_loses_nothing() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (ports, mut nodes) = fleet(&redis).await;
    let Some(gw) = Nginx::start(&ports) else {
        return;
    };
    let Some(mut devs) = devices_behind(&gw) else {
        return;
    };
    devs.wait_ready();
    let mut ledger = Ledger::default();
    let started = Instant::now();
    let mut recovered_at = None;
    for k in 0..120 {
        if k == 40 {
            nodes[1].kill();
        }
        if k == 80 {
            nodes[1] = ServeProcess::start_on(
                ports[1],
                "n1",
                &["--redis", &redis.url(), "--namespace", "it-zero"],
            );
            recovered_at = Some(started.elapsed());
        }
        let live: Vec<&ServeProcess> = if (40..80).contains(&k) {
            vec![&nodes[0], &nodes[2]]
        } else {
            nodes.iter().collect()
        };
        let t = target(k);
        let id = publish_any(&live, k, t.clone()).await;
        ledger.record(&t, &id);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let expect: serde_json::Map<String, Value> = ledger
        .want
        .iter()
        .map(|(d, w)| (d.clone(), json!(w.len())))
        .collect();
    devs.expect(&Value::Object(expect));
    let report = devs.result();
    let (expected, lost, dup) = ledger.check(&report);
    eprintln!(
        "kill -9 behind nginx: {DEVICES} devices, expected {expected}, lost {lost}, duplicates {dup}, node back at {:?}, all delivered at {:?}",
        recovered_at,
        started.elapsed()
    );
    assert_eq!(lost, 0, "{report:.300}");
    assert_eq!(report["ok"], true);
    let caught_up = recoveries(&[&nodes[0], &nodes[2]]).await;
    eprintln!("devices caught up by the surviving nodes: {caught_up}");
    assert!(
        caught_up > 100,
        "the killed node's devices moved and were caught up: {caught_up}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutting_device_connections_mid_stream_loses_nothing() {
    let ss = std::process::Command::new("ss").arg("-V").output().is_ok();
    if !ss {
        assert!(std::env::var_os("CI").is_none(), "ss (iproute2) is missing");
        return;
    }
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (ports, nodes) = fleet(&redis).await;
    let Some(gw) = Nginx::start(&ports) else {
        return;
    };
    let Some(mut devs) = devices_behind(&gw) else {
        return;
    };
    devs.wait_ready();
    let mut ledger = Ledger::default();
    let live: Vec<&ServeProcess> = nodes.iter().collect();
    for k in 0..100 {
        if k % 20 == 10 {
            // Abort every device connection on one node (as a flaky network would), 5 times.
            let port = ports[(k / 20) % 3];
            let _ = std::process::Command::new("ss")
                .args(["-K", "dst", "127.0.0.1", "sport", "=", &format!(":{port}")])
                .output();
        }
        let t = target(k);
        let id = publish_any(&live, k, t.clone()).await;
        ledger.record(&t, &id);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let expect: serde_json::Map<String, Value> = ledger
        .want
        .iter()
        .map(|(d, w)| (d.clone(), json!(w.len())))
        .collect();
    devs.expect(&Value::Object(expect));
    let report = devs.result();
    let (expected, lost, dup) = ledger.check(&report);
    let caught_up = recoveries(&live).await;
    eprintln!("connection cuts: {DEVICES} devices, expected {expected}, lost {lost}, duplicates {dup}, reconnects caught up {caught_up}");
    assert_eq!(lost, 0, "{report:.300}");
    assert!(caught_up > 500, "connections were really cut: {caught_up}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restart_mid_stream_loses_nothing() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let (ports, nodes) = fleet(&redis).await;
    let Some(gw) = Nginx::start(&ports) else {
        return;
    };
    let Some(mut devs) = devices_behind(&gw) else {
        return;
    };
    devs.wait_ready();
    let mut ledger = Ledger::default();
    let live: Vec<&ServeProcess> = nodes.iter().collect();
    let mut refused = 0;
    for k in 0..90 {
        if k == 30 {
            redis.stop();
            // While Redis is down nothing is accepted (503), so nothing can be lost.
            for n in &live {
                let r = publish(n, target(k), json!({"k": k})).await;
                assert_eq!(r.status(), 503);
                refused += 1;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            redis.restart();
        }
        let t = target(k);
        let id = publish_any(&live, k, t.clone()).await;
        ledger.record(&t, &id);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let expect: serde_json::Map<String, Value> = ledger
        .want
        .iter()
        .map(|(d, w)| (d.clone(), json!(w.len())))
        .collect();
    devs.expect(&Value::Object(expect));
    let report = devs.result();
    let (expected, lost, dup) = ledger.check(&report);
    eprintln!("redis restart: {DEVICES} devices, expected {expected}, lost {lost}, duplicates {dup}, publishes refused while down {refused}");
    assert_eq!(lost, 0, "{report:.300}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_restart_with_sigterm_loses_nothing() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (ports, mut nodes) = fleet(&redis).await;
    let Some(gw) = Nginx::start(&ports) else {
        return;
    };
    let Some(mut devs) = devices_behind(&gw) else {
        return;
    };
    devs.wait_ready();
    let mut ledger = Ledger::default();
    let url = redis.url();
    for k in 0..120 {
        if k % 40 == 10 {
            // Restart node (k / 40): SIGTERM (drain), then start it again on the same port.
            let i = k / 40;
            let status = nodes[i]
                .terminate(Duration::from_secs(15))
                .expect("drained and exited");
            assert!(status.success());
            nodes[i] = ServeProcess::start_on(
                ports[i],
                &format!("n{i}"),
                &["--redis", &url, "--namespace", "it-zero"],
            );
        }
        let live: Vec<&ServeProcess> = nodes.iter().collect();
        let t = target(k);
        let id = publish_any(&live, k, t.clone()).await;
        ledger.record(&t, &id);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let expect: serde_json::Map<String, Value> = ledger
        .want
        .iter()
        .map(|(d, w)| (d.clone(), json!(w.len())))
        .collect();
    devs.expect(&Value::Object(expect));
    let report = devs.result();
    let (expected, lost, dup) = ledger.check(&report);
    let live: Vec<&ServeProcess> = nodes.iter().collect();
    let caught_up = recoveries(&live).await;
    eprintln!("rolling restart: {DEVICES} devices, expected {expected}, lost {lost}, duplicates {dup}, catch-ups on the restarted fleet {caught_up}");
    assert_eq!(lost, 0, "{report:.300}");
}
