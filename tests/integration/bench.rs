//! `rtctl bench` at small scale against real `rtctl serve` processes: every scenario with 50
//! devices joining their departments by event, counts asserted (nothing lost), never timings.

use serde_json::Value;

use crate::support::{json, rtctl, RedisServer, ServeProcess};

/// Runs a scenario with 50 devices over 5 departments, short phases; the JSON report.
fn bench(url: &str, scenario: &str, extra: &[&str]) -> Value {
    let mut cmd = rtctl();
    cmd.args(["bench", scenario, "-o", "json", "--url", url])
        .args([
            "-n",
            "50",
            "--departments",
            "5",
            "--hold",
            "0.2",
            "--rounds",
            "2",
        ])
        .args(["--rate", "20", "--duration", "1", "--steps", "2"])
        .args([
            "--reconnect-delay-ms",
            "100",
            "--reconnect-delay-max-ms",
            "400",
        ])
        .args(["--settle", "30", "--connect-timeout", "30"])
        .args(extra)
        .timeout(std::time::Duration::from_secs(120));
    json(&mut cmd)
}

/// Everyone connected, something was expected, all of it arrived once.
fn assert_nothing_lost(r: &Value) {
    assert_eq!(r["devices"], 50, "{r}");
    assert_eq!(r["connect"]["connected"], 50, "{r}");
    assert_eq!(r["connect"]["failed"], 0, "{r}");
    let d = &r["deliveries"];
    assert!(d["expected"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(d["lost"], 0, "{r}");
    assert_eq!(d["received"], d["expected"], "{r}");
    assert_eq!(d["duplicates"], 0, "{r}");
    assert_eq!(d["devices_with_loss"], 0, "{r}");
    assert_eq!(d["publish_errors"], 0, "{r}");
}

#[test]
fn idle_holds_every_device_and_reads_the_node_memory() {
    let node = ServeProcess::start("bench-idle", &[]);
    let r = bench(&node.url(), "idle", &[]);
    assert_nothing_lost(&r);
    // the check broadcast reached all 50
    assert_eq!(r["deliveries"]["expected"], 50);
    assert_eq!(r["per_node"]["bench-idle"], 50, "{r}");
    assert!(
        r["node"]["rss_connected_bytes"].as_u64().unwrap() > 0,
        "{r}"
    );
}

#[test]
fn fanout_reaches_all_a_department_and_one_device() {
    let node = ServeProcess::start("bench-fanout", &[]);
    let r = bench(&node.url(), "fanout", &[]);
    assert_nothing_lost(&r);
    let rows = r["fanout"].as_array().unwrap();
    let receivers = |t: &str| {
        rows.iter().find(|x| x["target"] == t).unwrap()["receivers"]
            .as_u64()
            .unwrap()
    };
    // 2 rounds: 2 × 50 broadcasts, 2 × 10 department members, 2 × 1 device
    assert_eq!(
        (
            receivers("all"),
            receivers("department"),
            receivers("device")
        ),
        (100, 20, 2)
    );
    assert_eq!(r["deliveries"]["expected"], 122);
}

#[test]
fn throughput_steps_deliver_everything() {
    let node = ServeProcess::start("bench-tp", &[]);
    let r = bench(&node.url(), "throughput", &["--rate-factor", "1.5"]);
    assert_nothing_lost(&r);
    let steps = r["throughput"].as_array().unwrap();
    assert!(!steps.is_empty());
    assert!(steps.iter().all(|s| s["lost"] == 0), "{r}");
    // the ramp: 20 broadcasts/s, then × 1.5 per step
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(
            s["offered_publishes_per_sec"],
            20.0 * 1.5f64.powi(i as i32),
            "{r}"
        );
    }
    assert_eq!(r["p99_limit_ms"], 250.0);
    // a pid was found for the local node: its CPU per delivery is measured
    assert!(r["node"]["pid"].is_u64(), "{r}");
}

#[test]
fn throughput_stops_after_the_first_step_over_the_p99_limit() {
    let node = ServeProcess::start("bench-tp-stop", &[]);
    // no delivery takes less than the smallest latency bucket (0.1 ms): every step is over
    let r = bench(
        &node.url(),
        "throughput",
        &["--stop-after-fail", "--p99-limit-ms", "0.001"],
    );
    assert_nothing_lost(&r);
    let steps = r["throughput"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{r}");
    let s = &steps[0];
    assert_eq!(
        (s["lost"].as_u64(), s["drained"].as_bool()),
        (Some(0), Some(true)),
        "{r}"
    );
    assert!(s["p99_ms"].as_f64().unwrap() > 0.001, "{r}");
    assert_eq!(s["sustained"], false, "{r}");
    assert!(r["sustained_deliveries_per_sec"].is_null(), "{r}");
    assert_eq!(r["p99_limit_ms"], 0.001);
    // without --stop-after-fail the ramp runs on past it (2 steps, as bench() asks)
    let r = bench(&node.url(), "throughput", &["--p99-limit-ms", "0.001"]);
    assert_nothing_lost(&r);
    let steps = r["throughput"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{r}");
    assert!(steps.iter().all(|s| s["sustained"] == false), "{r}");
}

#[test]
fn jitter_cuts_connections_and_loses_nothing() {
    let node = ServeProcess::start("bench-jitter", &[]);
    let r = bench(
        &node.url(),
        "jitter",
        &["--cut-every", "0.25", "--cut-fraction", "0.3"],
    );
    assert_nothing_lost(&r);
    let j = &r["jitter"];
    assert!(j["connections_cut"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(j["delivered_ratio"], 1.0);
    assert!(
        r["deliveries"]["reconnects"].as_u64().unwrap() >= j["connections_cut"].as_u64().unwrap()
    );
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
fn avalanche_with_two_workers_brings_everyone_back_caught_up() {
    let redis = RedisServer::start();
    let node = ServeProcess::start("bench-avalanche", &["--redis", &redis.url()]);
    let r = bench(&node.url(), "avalanche", &["--workers", "2"]);
    assert_nothing_lost(&r);
    assert_eq!(r["workers"], 2);
    let a = &r["avalanche"];
    assert_eq!(a["dropped"], 50, "{r}");
    assert!(a["published_while_away"].as_u64().unwrap() > 0);
    assert!(
        a["back_secs"].is_f64() && a["caught_up_secs"].is_f64(),
        "{r}"
    );
    assert_eq!(r["deliveries"]["reconnects"], 50, "{r}");
}

#[test]
fn polling_devices_receive_everything_and_survive_cuts() {
    let node = ServeProcess::start("bench-polling", &[]);
    let r = bench(&node.url(), "fanout", &["--transport", "polling"]);
    assert_nothing_lost(&r);
    assert_eq!(r["deliveries"]["expected"], 122, "{r}");
    assert_eq!(r["per_node"]["bench-polling"], 50, "{r}");
    // cut long-polling sessions: the devices come back with pid + offset, nothing lost
    let r = bench(
        &node.url(),
        "jitter",
        &[
            "--transport",
            "polling",
            "--cut-every",
            "0.25",
            "--cut-fraction",
            "0.3",
        ],
    );
    assert_nothing_lost(&r);
    assert!(r["jitter"]["connections_cut"].as_u64().unwrap() > 0, "{r}");
}

/// Kills the node `--restart-cmd` started (its pid written to a file by the command).
struct Restarted(std::path::PathBuf);

impl Drop for Restarted {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.0) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", pid.trim()])
                .status();
        }
    }
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
fn avalanche_after_a_node_kill_brings_everyone_back_caught_up() {
    let redis = RedisServer::start();
    let node = ServeProcess::start("bench-kill", &["--redis", &redis.url()]);
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("restarted.pid");
    let _guard = Restarted(pidfile.clone());
    let restart = format!(
        "echo $$ > '{}'; exec '{}' serve --listen 127.0.0.1:{} --node-id bench-kill --redis '{}'",
        pidfile.display(),
        assert_cmd::cargo::cargo_bin("rtctl").display(),
        node.port,
        redis.url()
    );
    let r = bench(
        &node.url(),
        "avalanche",
        &["--failure", "kill", "--restart-cmd", &restart],
    );
    assert_nothing_lost(&r);
    let a = &r["avalanche"];
    assert_eq!(a["failure"], "kill", "{r}");
    assert_eq!(a["dropped"], 50, "{r}");
    // the node is a new process: the one the bench started
    let restarted = std::fs::read_to_string(&pidfile).unwrap();
    assert_eq!(a["restarted_pid"].to_string(), restarted.trim(), "{r}");
    // publishes went to the restarted node (it reads the log from Redis), devices caught up
    assert!(a["published_while_away"].as_u64().unwrap() > 0, "{r}");
    assert!(a["caught_up_secs"].is_f64(), "{r}");
    assert_eq!(r["deliveries"]["reconnects"], 50, "{r}");
    // --restart-cmd without a kill is refused, naming the flag
    let out = rtctl()
        .args(["bench", "avalanche", "--restart-cmd", "true"])
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--restart-cmd"), "{err}");
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
fn devices_spread_over_two_nodes_on_redis_lose_nothing() {
    let redis = RedisServer::start();
    let a = ServeProcess::start("two-a", &["--redis", &redis.url()]);
    let b = ServeProcess::start("two-b", &["--redis", &redis.url()]);
    // publishes go through the first node only; the second delivers from the shared log
    let r = bench(&a.url(), "fanout", &["--also-url", &b.url()]);
    assert_nothing_lost(&r);
    assert_eq!(r["deliveries"]["expected"], 122, "{r}");
    assert_eq!(r["per_node"]["two-a"], 25, "{r}");
    assert_eq!(r["per_node"]["two-b"], 25, "{r}");
    // both nodes run here: the memory figure is their sum
    assert!(
        r["node"]["rss_connected_bytes"].as_u64().unwrap() > 0,
        "{r}"
    );
}

#[test]
fn the_json_report_shape_is_pinned() {
    let node = ServeProcess::start("bench-shape", &[]);
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart.svg");
    let r = bench(&node.url(), "idle", &["--chart", chart.to_str().unwrap()]);
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&r),
        [
            "avalanche",
            "connect",
            "deliveries",
            "departments",
            "devices",
            "fanout",
            "first_error",
            "gateway",
            "heartbeats",
            "jitter",
            "latency",
            "machine",
            "node",
            "p99_limit_ms",
            "per_node",
            "rtctl_version",
            "scenario",
            "started_unix",
            "sustained_deliveries_per_sec",
            "throughput",
            "timeline",
            "url",
            "workers"
        ]
    );
    assert_eq!(
        keys(&r["connect"]),
        [
            "connected",
            "failed",
            "handshakes_per_sec",
            "retries",
            "secs"
        ]
    );
    assert_eq!(
        keys(&r["deliveries"]),
        [
            "devices_with_loss",
            "duplicates",
            "expected",
            "gaps",
            "lost",
            "publish_errors",
            "publishes",
            "received",
            "reconnects"
        ]
    );
    assert_eq!(keys(&r["latency"]), ["count", "max_ms", "p50_ms", "p99_ms"]);
    assert_eq!(
        keys(&r["node"]),
        [
            "cpu_ms_per_delivery",
            "cpu_secs",
            "memory_per_connection_bytes",
            "pid",
            "rss_before_bytes",
            "rss_connected_bytes"
        ]
    );
    assert_eq!(
        keys(&r["machine"]),
        ["cores", "cpu", "kernel", "memory_bytes"]
    );
    let sample = &r["timeline"][0];
    assert_eq!(
        keys(sample),
        [
            "connected",
            "delivered",
            "p50_ms",
            "p99_ms",
            "t_ms",
            "window"
        ]
    );
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("p99 latency") && svg.contains("connected"));
}

#[test]
fn a_calibrated_profile_round_trips_through_plan() {
    let node = ServeProcess::start("bench-cal", &[]);
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("node.toml");
    rtctl()
        .args(["bench", "calibrate", "--url", &node.url(), "--out"])
        .arg(&profile)
        .args([
            "-n",
            "50",
            "--departments",
            "5",
            "--hold",
            "0.2",
            "--rate",
            "20",
        ])
        .args(["--duration", "1", "--steps", "2", "--settle", "30"])
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .success();
    let text = std::fs::read_to_string(&profile).unwrap();
    let p: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(p["devices"].as_integer(), Some(50));
    assert_eq!(p["lost"].as_integer(), Some(0));
    let mem = p["memory_per_connection_bytes"]
        .as_float()
        .expect("memory measured");
    let cpu = p["cpu_ms_per_delivery"].as_float().expect("cpu measured");
    assert!(p["handshakes_per_sec"].as_float().unwrap() > 0.0);
    let plan = json(
        rtctl()
            .args(["plan", "-o", "json", "--profile"])
            .arg(&profile),
    );
    let cal = &plan["calibration"];
    let measured: Vec<&str> = cal["measured"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        measured
            .iter()
            .any(|m| m.starts_with("memory_per_connection")),
        "{cal}"
    );
    assert!(
        measured
            .iter()
            .any(|m| m.starts_with("cpu_ms_per_delivery")),
        "{cal}"
    );
    assert!(cal["assumed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v.as_str().unwrap().starts_with("cpu_cores")));
    // the memory ceiling is the guide host's usable 12 GB over the measured cost
    let ceiling = plan["ceiling"]["memory"].as_u64().unwrap();
    assert!(
        ceiling.abs_diff(12_000_000_000 / mem.round() as u64) <= 1,
        "{ceiling} vs {mem}"
    );
    let _ = cpu;
    // a flag still wins over the profile
    let plan = json(
        rtctl()
            .args([
                "plan",
                "-o",
                "json",
                "--memory-per-connection",
                "30KB",
                "--profile",
            ])
            .arg(&profile),
    );
    assert_eq!(plan["ceiling"]["memory"].as_u64().unwrap(), 400_000);
    // a broken profile names the file
    std::fs::write(&profile, "devices = \"many\"\n").unwrap();
    let out = rtctl()
        .args(["plan", "--profile"])
        .arg(&profile)
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("node.toml"), "{err}");
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
fn behind_nginx_devices_per_node_match_the_simulation() {
    let redis = RedisServer::start();
    let a = ServeProcess::start("gw-a", &["--redis", &redis.url()]);
    let b = ServeProcess::start("gw-b", &["--redis", &redis.url()]);
    let nginx = crate::support::Nginx::start_sized(&[a.port, b.port], 50);
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet.toml");
    std::fs::write(
        &fleet,
        format!(
            "name = \"bench\"\n[gateway]\nkind = \"nginx\"\nalgorithm = \"consistent\"\n\
             sticky_keys = [\"query:deviceId\", \"header:x-device-id\"]\n\
             [[nodes]]\nid = \"gw-a\"\nhost = \"127.0.0.1\"\nport = {}\n\
             [[nodes]]\nid = \"gw-b\"\nhost = \"127.0.0.1\"\nport = {}\n",
            a.port, b.port
        ),
    )
    .unwrap();
    let r = bench(
        &nginx.url(),
        "idle",
        &["--fleet", fleet.to_str().unwrap(), "--redis", &redis.url()],
    );
    assert_nothing_lost(&r);
    let g = &r["gateway"];
    assert_eq!(g["mismatched"], 0, "{g}");
    let nodes = g["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    for n in nodes {
        assert_eq!(n["observed"], n["predicted"], "{g}");
        // the node's own heartbeat counts the same devices
        assert_eq!(n["heartbeat"], n["observed"], "{g}");
    }
    assert_eq!(g["within_p99"], true, "{g}");
}

#[test]
fn bad_bench_flags_name_the_flag() {
    let out = rtctl()
        .args(["bench", "idle", "--url", "ws://x:1"])
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--url"), "{err}");
    rtctl()
        .args(["bench", "idle", "--devices", "0"])
        .assert()
        .code(3);
    for (flag, value) in [("--rate-factor", "1"), ("--p99-limit-ms", "0")] {
        let out = rtctl()
            .args(["bench", "throughput", flag, value])
            .assert()
            .code(3);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains(flag), "{flag} {value}: {err}");
    }
    // nothing listens there: the node is unreachable (exit 4)
    let port = crate::support::free_port();
    rtctl()
        .args([
            "bench",
            "idle",
            "-n",
            "2",
            "--connect-timeout",
            "3",
            "--url",
        ])
        .arg(format!("http://127.0.0.1:{port}"))
        .assert()
        .code(4);
}
