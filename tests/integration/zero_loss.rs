//! Zero loss under failure: 1,000 devices behind a real nginx (`hash $arg_deviceId
//! consistent`) on three `rtctl serve` nodes sharing Redis, receiving a steady stream of
//! department, direct and broadcast notifications while a node is killed with SIGKILL and
//! restarted, while their TCP connections are cut, while Redis restarts and during a rolling
//! restart. Each scenario runs twice: with devices that join their department the guide's way
//! (`subscribe-department` on every `connect`, no header), and with a mix of header and event
//! departments where a tenth of the devices leave their department mid-stream. Each test counts
//! expected against received by notification id and asserts 0 lost, 0 duplicates, and nothing
//! from a department after the device's unsubscribe was acked.
//!
//! `RTCTL_ZERO_LOSS_DEVICES` (default 1,000) scales every scenario, e.g. to 10,000 for the
//! figures in BENCHMARKS.md: the devices are split over device processes of at most 2,500
//! clients and over identical nginx gateways (same upstreams, same consistent hash, so they
//! route a device id identically) of at most 5,000 devices each, which keeps every process
//! under the 20,000 open-file limit (nginx holds 2 fds per device).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve_node::{publish, Devices};
use crate::support::{free_port, Nginx, RedisServer, ServeProcess};

const DEPARTMENTS: usize = 10;
/// Devices per device process and per nginx gateway when the fleet is scaled up.
const PER_PROCESS: usize = 2500;
const PER_GATEWAY: usize = 5000;

/// Number of devices in every scenario: `RTCTL_ZERO_LOSS_DEVICES`, default 1,000.
fn devices() -> usize {
    std::env::var("RTCTL_ZERO_LOSS_DEVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1000)
}

/// Milliseconds since the Unix epoch (the device driver stamps marker receipts with Date.now()).
fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn device(i: usize) -> String {
    format!("dev-{i:04}")
}

/// How the devices join their department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joins {
    /// As the guide's devices: `subscribe-department` on every connect, no department header.
    Event,
    /// Even devices name their department in `x-department-id`, odd ones subscribe by event;
    /// the devices `i % 10 == 3` (event ones) leave their department at publish `UNSUBSCRIBE_AT`.
    Mix,
}

/// Publish number before which, in `Joins::Mix`, some devices leave their department.
const UNSUBSCRIBE_AT: usize = 5;

fn leaves(i: usize) -> bool {
    i % 10 == 3
}

/// What each device must receive: (offset id) per device, in publish order; and what it must
/// not receive (its department's notifications after it left).
#[derive(Default)]
struct Ledger {
    want: HashMap<String, Vec<String>>,
    left: std::collections::HashSet<String>,
    unwanted: HashMap<String, std::collections::HashSet<String>>,
}

/// A scenario's outcome across all devices.
#[derive(Debug)]
struct Tally {
    expected: usize,
    lost: usize,
    duplicates: usize,
    /// Received although the device had left that department before it was published.
    unwanted: usize,
    /// `notification:gap` events received (device: payload).
    gaps: Vec<String>,
}

impl Ledger {
    fn record(&mut self, target: &Value, id: &str) {
        let n = devices();
        for i in 0..n {
            let d = device(i);
            let dept_hit = target
                .get("department")
                .is_some_and(|dept| dept.as_str() == Some(&format!("D{}", i % DEPARTMENTS)));
            let hit =
                target.get("all").is_some() || dept_hit || target["device"].as_str() == Some(&d);
            if dept_hit && self.left.contains(&d) {
                self.unwanted.entry(d).or_default().insert(id.to_string());
            } else if hit {
                self.want.entry(d).or_default().push(id.to_string());
            }
        }
    }

    /// Lost, duplicated and unwanted notifications across all devices, from their report.
    fn check(&self, report: &Value) -> Tally {
        let (mut lost, mut dup, mut expected, mut unwanted) = (0, 0, 0, 0);
        let mut gaps = Vec::new();
        let n = devices();
        for i in 0..n {
            let d = device(i);
            let want = self.want.get(&d).cloned().unwrap_or_default();
            expected += want.len();
            let events = report["received"][&d]
                .as_array()
                .cloned()
                .unwrap_or_default();
            // `notification:gap` carries no offset: none is expected here (nothing is
            // trimmed, no log is lost), so each one is reported.
            gaps.extend(
                events
                    .iter()
                    .filter(|e| e[0] == "notification:gap")
                    .map(|e| format!("{d}: {}", e[1])),
            );
            let got: Vec<String> = events
                .iter()
                .filter(|e| e[0] != "notification:gap")
                .map(|e| {
                    e.as_array()
                        .unwrap()
                        .last()
                        .unwrap()
                        .as_str()
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            let mut seen = std::collections::HashSet::new();
            for g in &got {
                if !seen.insert(g.clone()) {
                    dup += 1;
                }
            }
            lost += want.iter().filter(|w| !seen.contains(*w)).count();
            if let Some(u) = self.unwanted.get(&d) {
                unwanted += u.iter().filter(|id| seen.contains(*id)).count();
            }
        }
        Tally {
            expected,
            lost,
            duplicates: dup,
            unwanted,
            gaps,
        }
    }
}

/// Publish one notification through any live node, retrying while nodes are down.
async fn publish_any(nodes: &[&ServeProcess], k: usize, target: Value) -> String {
    publish_payload(nodes, json!({"k": k}), target).await
}

/// `publish_any` with a given payload.
async fn publish_payload(nodes: &[&ServeProcess], payload: Value, target: Value) -> String {
    let k = payload["k"].clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for n in nodes {
            if let Ok(r) = tokio::time::timeout(
                Duration::from_secs(2),
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
        _ => json!({"device": device((k * 37) % devices())}),
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

/// The nginx gateways: one per `PER_GATEWAY` devices, all with the same upstreams.
fn gateways(ports: &[u16]) -> Vec<Nginx> {
    let n = devices();
    let count = n.div_ceil(PER_GATEWAY);
    (0..count)
        .map(|_| Nginx::start_sized(ports, n.div_ceil(count)))
        .collect()
}

/// The devices, in processes of at most `PER_PROCESS` official clients, spread over the gateways.
struct Fleet {
    groups: Vec<(Vec<String>, Devices)>,
}

impl Fleet {
    fn start(gws: &[Nginx], joins: Joins) -> Fleet {
        let n = devices();
        let procs = n.div_ceil(PER_PROCESS);
        let mut groups = Vec::new();
        for p in 0..procs {
            let ids: Vec<String> = (0..n).filter(|i| i % procs == p).map(device).collect();
            let by_header = |i: &usize| joins == Joins::Mix && i.is_multiple_of(2);
            let depts = |header: bool| -> serde_json::Map<String, Value> {
                (0..n)
                    .filter(|i| i % procs == p && by_header(i) == header)
                    .map(|i| (device(i), json!(format!("D{}", i % DEPARTMENTS))))
                    .collect()
            };
            let mut cfg = json!({
                "url": gws[p % gws.len()].url(), "ids": ids,
                "departments": depts(true), "eventDepartments": depts(false),
                "transports": ["websocket"], "timeoutMs": 90000 + 12 * n
            });
            if n > 1000 {
                // Scaled up: no connect storm (50 sockets per 50 ms per process), and a
                // gateway's transport error while connecting is retried by the client.
                cfg["connectPerTick"] = json!(50);
                cfg["retryConnectErrors"] = json!(true);
            }
            let devs = Devices::start(cfg);
            groups.push((ids, devs));
        }
        Fleet { groups }
    }

    fn wait_ready(&mut self) {
        for (_, d) in &mut self.groups {
            d.wait_ready();
        }
    }

    /// The devices that leave their department do so now; from here on, their department's
    /// notifications are not theirs.
    async fn unsubscribe(&mut self, ledger: &mut Ledger) {
        // Let deliveries of what was published so far settle first.
        tokio::time::sleep(Duration::from_millis(500)).await;
        for (ids, d) in &mut self.groups {
            let which: serde_json::Map<String, Value> = ids
                .iter()
                .filter_map(|id| {
                    let i: usize = id.strip_prefix("dev-")?.parse().ok()?;
                    leaves(i).then(|| (id.clone(), json!(format!("D{}", i % DEPARTMENTS))))
                })
                .collect();
            ledger.left.extend(which.keys().cloned());
            d.unsubscribe(&Value::Object(which));
        }
    }

    /// Sends each process the expectations of its own devices, then merges their reports:
    /// `received` of all devices, `ok` when every process was, and `markers` (receipt time of
    /// the marker notification, ms since the epoch) of all devices.
    fn result(self, ledger: &Ledger) -> Value {
        let mut groups = self.groups;
        for (ids, d) in &mut groups {
            let expect: serde_json::Map<String, Value> = ids
                .iter()
                .map(|id| {
                    let n = ledger.want.get(id).map_or(0, Vec::len);
                    (id.clone(), json!(n))
                })
                .collect();
            d.expect(&Value::Object(expect));
        }
        let (mut received, mut markers, mut ok) =
            (serde_json::Map::new(), serde_json::Map::new(), true);
        let mut recovered = 0;
        let mut errors = Vec::new();
        for (_, d) in groups {
            let r = d.result();
            ok &= r["ok"] == true;
            if let Some(e) = r.get("error") {
                errors.push(e.clone());
            }
            if let Some(m) = r["received"].as_object() {
                received.extend(m.clone());
            }
            if let Some(m) = r["markers"].as_object() {
                markers.extend(m.clone());
            }
            if let Some(m) = r["recovered"].as_object() {
                recovered += m.values().filter_map(Value::as_u64).sum::<u64>();
            }
        }
        json!({"ok": ok, "errors": errors, "received": received, "markers": markers,
               "recovered": recovered})
    }
}

/// Everything a scenario runs on: Redis, three nodes, the gateways and the connected devices.
struct Rig {
    redis: RedisServer,
    ports: Vec<u16>,
    nodes: Vec<ServeProcess>,
    _gateways: Vec<Nginx>,
    devs: Fleet,
}

/// Start the rig.
async fn rig(joins: Joins) -> Rig {
    let redis = RedisServer::start();
    let (ports, nodes) = fleet(&redis).await;
    let gws = gateways(&ports);
    let mut devs = Fleet::start(&gws, joins);
    devs.wait_ready();
    Rig {
        redis,
        ports,
        nodes,
        _gateways: gws,
        devs,
    }
}

/// Assert the scenario's outcome and print it.
fn verdict(name: &str, joins: Joins, ledger: &Ledger, report: &Value, extra: &str) -> Tally {
    let t = ledger.check(report);
    eprintln!(
        "{name} ({joins:?} joins): {} devices, expected {}, lost {}, duplicates {}, unwanted {}, left their department {}, sessions recovered {}{extra}",
        devices(),
        t.expected,
        t.lost,
        t.duplicates,
        t.unwanted,
        ledger.left.len(),
        report["recovered"],
    );
    assert_eq!(t.lost, 0, "{name}: {:?}", report["errors"]);
    assert!(t.gaps.is_empty(), "{name}: gaps announced: {:?}", t.gaps);
    assert_eq!(t.duplicates, 0, "{name}: duplicates");
    assert_eq!(
        t.unwanted, 0,
        "{name}: delivered after unsubscribe-department was acked"
    );
    assert_eq!(report["ok"], true, "{name}: {:?}", report["errors"]);
    t
}

async fn kill_9_and_restart(joins: Joins) {
    let Rig {
        redis,
        ports,
        mut nodes,
        _gateways,
        mut devs,
    } = rig(joins).await;
    let mut ledger = Ledger::default();
    let started = Instant::now();
    let mut recovered_at = None;
    let mut killed_ms = 0.0;
    for k in 0..120 {
        if k == UNSUBSCRIBE_AT && joins == Joins::Mix {
            devs.unsubscribe(&mut ledger).await;
        }
        if k == 40 {
            killed_ms = epoch_ms();
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
        // Publish 40, a broadcast sent right after the SIGKILL, is the marker: every device
        // stamps its receipt, so the last stamp tells when the killed node's devices were
        // all caught up by the survivors.
        let payload = if k == 40 {
            json!({"k": k, "marker": true})
        } else {
            json!({"k": k})
        };
        let id = publish_payload(&live, payload, t.clone()).await;
        ledger.record(&t, &id);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let report = devs.result(&ledger);
    let mut after: Vec<f64> = report["markers"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    after.iter_mut().for_each(|t| *t -= killed_ms);
    after.sort_by(f64::total_cmp);
    let late = after.iter().filter(|t| **t > 500.0).count();
    let at = |q: f64| {
        let i = ((after.len() as f64 * q) as usize).min(after.len().saturating_sub(1));
        after.get(i).copied().unwrap_or(f64::NAN)
    };
    verdict(
        "kill -9 behind nginx",
        joins,
        &ledger,
        &report,
        &format!(
            ", node back at {recovered_at:?}, all delivered at {:?}",
            started.elapsed()
        ),
    );
    eprintln!(
        "kill -9 recovery: marker published right after the SIGKILL reached {} devices, p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, last {:.0} ms after the kill; {late} devices got it later than 500 ms",
        after.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        after.last().copied().unwrap_or(f64::NAN),
    );
    let caught_up = recoveries(&[&nodes[0], &nodes[2]]).await;
    eprintln!("devices caught up by the surviving nodes: {caught_up}");
    assert!(
        caught_up > 100,
        "the killed node's devices moved and were caught up: {caught_up}"
    );
    assert!(
        report["recovered"].as_u64().unwrap_or(0) > 100,
        "the official client saw socket.recovered on the surviving nodes: {}",
        report["recovered"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn kill_9_and_restart_a_node_behind_nginx_loses_nothing_for_event_subscribers() {
    kill_9_and_restart(Joins::Event).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn kill_9_and_restart_a_node_behind_nginx_loses_nothing_with_mixed_joins_and_leaves() {
    kill_9_and_restart(Joins::Mix).await;
}

async fn cutting_connections(joins: Joins) {
    let Rig {
        redis: _redis,
        ports,
        nodes,
        _gateways,
        mut devs,
    } = rig(joins).await;
    let mut ledger = Ledger::default();
    let live: Vec<&ServeProcess> = nodes.iter().collect();
    for k in 0..100 {
        if k == UNSUBSCRIBE_AT && joins == Joins::Mix {
            devs.unsubscribe(&mut ledger).await;
        }
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
    let report = devs.result(&ledger);
    let caught_up = recoveries(&live).await;
    verdict(
        "connection cuts",
        joins,
        &ledger,
        &report,
        &format!(", reconnects caught up {caught_up}"),
    );
    assert!(caught_up > 500, "connections were really cut: {caught_up}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
#[cfg_attr(not(have_ss), ignore = "ss not found")]
async fn cutting_device_connections_mid_stream_loses_nothing_for_event_subscribers() {
    cutting_connections(Joins::Event).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
#[cfg_attr(not(have_ss), ignore = "ss not found")]
async fn cutting_device_connections_mid_stream_loses_nothing_with_mixed_joins_and_leaves() {
    cutting_connections(Joins::Mix).await;
}

async fn redis_restart(joins: Joins) {
    let Rig {
        mut redis,
        ports: _,
        nodes,
        _gateways,
        mut devs,
    } = rig(joins).await;
    let mut ledger = Ledger::default();
    let live: Vec<&ServeProcess> = nodes.iter().collect();
    let mut refused = 0;
    for k in 0..90 {
        if k == UNSUBSCRIBE_AT && joins == Joins::Mix {
            devs.unsubscribe(&mut ledger).await;
        }
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
    let report = devs.result(&ledger);
    verdict(
        "redis restart",
        joins,
        &ledger,
        &report,
        &format!(", publishes refused while down {refused}"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn redis_restart_mid_stream_loses_nothing_for_event_subscribers() {
    redis_restart(Joins::Event).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn redis_restart_mid_stream_loses_nothing_with_mixed_joins_and_leaves() {
    redis_restart(Joins::Mix).await;
}

async fn rolling_restart(joins: Joins) {
    let Rig {
        redis,
        ports,
        mut nodes,
        _gateways,
        mut devs,
    } = rig(joins).await;
    let mut ledger = Ledger::default();
    let url = redis.url();
    for k in 0..120 {
        if k == UNSUBSCRIBE_AT && joins == Joins::Mix {
            devs.unsubscribe(&mut ledger).await;
        }
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
    let report = devs.result(&ledger);
    let live: Vec<&ServeProcess> = nodes.iter().collect();
    let caught_up = recoveries(&live).await;
    verdict(
        "rolling restart",
        joins,
        &ledger,
        &report,
        &format!(", catch-ups on the restarted fleet {caught_up}"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn rolling_restart_with_sigterm_loses_nothing_for_event_subscribers() {
    rolling_restart(Joins::Event).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn rolling_restart_with_sigterm_loses_nothing_with_mixed_joins_and_leaves() {
    rolling_restart(Joins::Mix).await;
}
