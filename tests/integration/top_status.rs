//! `rtctl status` and `rtctl top` end to end: a real redis-server, three real `rtctl serve`
//! nodes, official socket.io-client devices; a node killed with SIGKILL; `top` driven in tmux.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve_node::Devices;
use crate::support::{rtctl, succeeded, RedisServer, ServeProcess};

/// Three nodes in `namespace` with 2, 1 and 3 official clients (departments joined at
/// connect, and one `subscribe-department`), or `None` when a tool is missing outside CI.
fn fleet(redis: &RedisServer, namespace: &str) -> (Vec<ServeProcess>, Vec<Devices>) {
    let url = redis.url();
    let flags = ["--redis", url.as_str(), "--namespace", namespace];
    let nodes: Vec<ServeProcess> = ["a", "b", "c"]
        .iter()
        .map(|n| ServeProcess::start(n, &flags))
        .collect();
    let mut devs = Vec::new();
    for (node, count) in nodes.iter().zip([2, 1, 3]) {
        let ids: Vec<String> = (0..count)
            .map(|i| format!("{}-dev-{i}", node.node_id))
            .collect();
        let departments: serde_json::Map<String, Value> =
            ids.iter().map(|id| (id.clone(), json!("D1"))).collect();
        let mut d = Devices::start(json!({
            "url": node.url(), "ids": ids, "departments": departments, "subscribe": "D2",
            "transports": ["websocket"], "expect": 1_000_000, "timeoutMs": 120_000
        }));
        d.wait_ready();
        devs.push(d);
    }
    (nodes, devs)
}

/// A fleet file naming the three nodes (nginx consistent hashing on the device id).
fn fleet_file(dir: &tempfile::TempDir, nodes: &[ServeProcess], redis: &RedisServer) -> String {
    let mut t = format!(
        "name = \"it\"\n[gateway]\nkind = \"nginx\"\nalgorithm = \"consistent\"\n[redis]\nurl = \"{}\"\n",
        redis.url()
    );
    for n in nodes {
        t += &format!(
            "[[nodes]]\nid = \"{}\"\nhost = \"127.0.0.1\"\nport = {}\n",
            n.node_id, n.port
        );
    }
    let path = dir.path().join("fleet.toml");
    std::fs::write(&path, t).unwrap();
    path.display().to_string()
}

fn status(args: &[&str]) -> (Output, Value) {
    let out = rtctl()
        .args(["status", "--output", "json"])
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, v)
}

fn node<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["nodes"]
        .as_array()
        .and_then(|n| n.iter().find(|n| n["id"] == id))
        .unwrap_or(&Value::Null)
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
#[cfg_attr(not(have_tmux), ignore = "tmux not found")]
fn status_json_counts_then_degraded_after_kill_9_then_redis_unreachable() {
    let mut redis = RedisServer::start();
    let (mut nodes, _devs) = fleet(&redis, "it-status");
    let dir = tempfile::tempdir().unwrap();
    let fleet = fleet_file(&dir, &nodes, &redis);
    // Heartbeats are written every second: wait (bounded) for all three with their devices.
    let deadline = Instant::now() + Duration::from_secs(15);
    let (out, v) = loop {
        let (out, v) = status(&["--fleet", &fleet, "--namespace", "it-status"]);
        let conns: Vec<Value> = ["a", "b", "c"]
            .iter()
            .map(|id| node(&v, id)["connections"].clone())
            .collect();
        if conns == [json!(2), json!(1), json!(3)] {
            break (out, v);
        }
        assert!(
            Instant::now() < deadline,
            "status never showed 2/1/3: {v:#}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(
        out.status.code(),
        Some(0),
        "{v:#}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["healthy"], true);
    assert_eq!(v["redis"], "up");
    assert_eq!(v["totals"]["connections"], 6);
    assert_eq!(v["totals"]["nodes_up"], 3);
    assert_eq!(v["gateway"], "nginx consistent");
    for id in ["a", "b", "c"] {
        let n = node(&v, id);
        assert_eq!(n["state"], "live", "{n:#}");
        assert_eq!(n["readiness"]["ready"], true, "{n:#}");
        assert_eq!(n["readiness"]["detail"], "200");
        assert_eq!(n["client_ips"], 1, "all devices on 127.0.0.1: {n:#}");
        assert_eq!(n["top_client_ip_share"], 1.0);
        // Departments D1 (at connect) and D2 (subscribe-department).
        assert_eq!(n["departments"], 2, "{n:#}");
        assert!(n["predicted"].as_f64().unwrap() > 0.0);
    }
    let shares: f64 = ["a", "b", "c"]
        .iter()
        .map(|id| node(&v, id)["share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9);

    // The table form says the same.
    let table = rtctl()
        .args(["status", "--fleet", &fleet, "--namespace", "it-status"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(table.status.code(), Some(0));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("3/3 up") && text.contains("no alerts"),
        "{text}"
    );

    // kill -9 one node: status turns degraded (exit 6) once its heartbeat is stale or gone.
    nodes[2].kill();
    let deadline = Instant::now() + Duration::from_secs(15);
    let (out, v) = loop {
        let (out, v) = status(&["--fleet", &fleet, "--namespace", "it-status"]);
        if out.status.code() != Some(0) {
            break (out, v);
        }
        assert!(
            Instant::now() < deadline,
            "still healthy after kill -9: {v:#}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["healthy"], false);
    // Whichever comes first: its readiness check refused, or its heartbeat late.
    let c = node(&v, "c");
    assert!(
        c["state"] == "stale" || c["state"] == "gone" || c["readiness"]["ready"] == false,
        "{c:#}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fleet degraded: c "), "{stderr}");
    assert_eq!(node(&v, "a")["state"], "live");
    // Gone, and still listed (not pruned) once its heartbeat expired.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (out, v) = status(&["--namespace", "it-status", "--redis", &redis.url()]);
        if node(&v, "c")["state"] == "gone" {
            assert_eq!(out.status.code(), Some(6));
            assert!(node(&v, "c")["since_ms"].as_u64().unwrap() > 0);
            assert_eq!(v["totals"]["connections"], 3);
            break;
        }
        assert!(Instant::now() < deadline, "c never gone: {v:#}");
        std::thread::sleep(Duration::from_millis(300));
    }

    // Redis unreachable: exit 4.
    redis.stop();
    let (out, _) = status(&["--namespace", "it-status", "--redis", &redis.url()]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("redis at redis://127.0.0.1"));
}

/// A tmux server of its own, killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(width: u16, height: u16) -> Tmux {
        if std::process::Command::new("tmux")
            .arg("-V")
            .output()
            .is_err()
        {
            panic!(
                "tmux is not installed: a test that drives it needs \
                 #[cfg_attr(not(have_tmux), ignore = \"tmux not found\")]"
            );
        }
        let t = Tmux {
            socket: format!("rtctl-it-{}", std::process::id()),
        };
        let ok = t
            .cmd(&["-f", "/dev/null", "new-session", "-d", "-s", "top", "-x", &width.to_string(), "-y", &height.to_string(), "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME=/tmp PS1='$ ' bash --norc --noprofile"])
            .status
            .success();
        assert!(ok, "tmux session starts");
        t
    }

    fn cmd(&self, args: &[&str]) -> Output {
        std::process::Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap()
    }

    fn keys(&self, keys: &[&str]) {
        let mut a = vec!["send-keys", "-t", "top"];
        a.extend_from_slice(keys);
        assert!(self.cmd(&a).status.success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "top"]).stdout).into_owned()
    }

    /// Wait (bounded) until the screen satisfies `ok`; the screen.
    fn wait(&self, what: &str, within: Duration, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + within;
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not on screen within {within:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// The row of node `id` on a captured screen.
fn row<'a>(screen: &'a str, id: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.starts_with(&format!("│{id} ")))
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
#[cfg_attr(not(have_tmux), ignore = "tmux not found")]
fn top_in_tmux_shows_nodes_marks_the_killed_one_opens_a_node_and_quits_cleanly() {
    let mut redis = RedisServer::start();
    let (mut nodes, _devs) = fleet(&redis, "it-top");
    let tmux = Tmux::start(160, 45);
    let bin = assert_cmd::cargo::cargo_bin("rtctl");
    let interval = 1.0;
    tmux.keys(&[
        &format!(
            "{} top --redis {} --namespace it-top --interval {interval}",
            bin.display(),
            redis.url()
        ),
        "Enter",
    ]);
    let s = tmux.wait(
        "three live nodes with their devices",
        Duration::from_secs(20),
        |s| {
            [("a", "2"), ("b", "1"), ("c", "3")].iter().all(|(id, n)| {
                row(s, id)
                    .is_some_and(|r| r.contains("live") && r.split_whitespace().nth(2) == Some(n))
            })
        },
    );
    assert!(s.contains("rtctl top · it-top"), "{s}");
    assert!(s.contains("3/3 up"), "{s}");

    // kill -9 c: marked within two refreshes once its heartbeat is late (STALE_AFTER).
    nodes[2].kill();
    let killed = Instant::now();
    let stale_after = rtctl::redis_schema::STALE_AFTER.as_secs_f64();
    let s = tmux.wait("the killed node marked", Duration::from_secs(20), |s| {
        row(s, "c").is_some_and(|r| r.contains("stale") || r.contains("gone"))
    });
    let took = killed.elapsed().as_secs_f64();
    eprintln!("top marked the killed node after {took:.1} s (stale after {stale_after} s + two refreshes of {interval} s)");
    assert!(s.contains("2/3 up"), "{s}");
    assert!(
        s.contains(" c heartbeat stale since") || s.contains(" c gone: last heartbeat"),
        "alert: {s}"
    );

    // Enter opens the selected node (the first row, a): its figures and departments.
    tmux.keys(&["Enter"]);
    let s = tmux.wait("node a's drill-down", Duration::from_secs(10), |s| {
        s.contains("node a · Enter/Esc closes") && s.contains("departments (2)")
    });
    assert!(s.contains("D1") && s.contains("D2"), "{s}");
    assert!(s.contains("127.0.0.1"), "top client IPs: {s}");
    tmux.keys(&["Escape"]);
    tmux.wait("drill-down closed", Duration::from_secs(5), |s| {
        !s.contains("Enter/Esc closes")
    });

    // Redis goes away: a banner, the last figures kept, no crash; back when Redis is.
    redis.stop();
    tmux.wait("the Redis-down banner", Duration::from_secs(15), |s| {
        s.contains("REDIS UNREACHABLE since") && s.contains("nodes 3/3")
    });
    redis.restart();
    tmux.wait("Redis back", Duration::from_secs(30), |s| {
        s.contains("redis up") && !s.contains("REDIS UNREACHABLE")
    });

    // q quits; the shell is usable (echo on, canonical mode: the typed line runs).
    tmux.keys(&["q"]);
    tmux.wait("top gone", Duration::from_secs(5), |s| {
        !s.contains("rtctl top ·")
    });
    tmux.keys(&["echo shell-ok-$((40+2))", "Enter"]);
    let s = tmux.wait("a usable shell", Duration::from_secs(5), |s| {
        s.contains("echo shell-ok-$((40+2))") && s.lines().any(|l| l.trim() == "shell-ok-42")
    });
    assert!(!s.contains("nodes 3/3"), "{s}");

    // SIGTERM restores the terminal too.
    tmux.keys(&["clear", "Enter"]);
    tmux.keys(&[
        &format!(
            "{} top --redis {} --namespace it-top-term",
            bin.display(),
            redis.url()
        ),
        "Enter",
    ]);
    tmux.wait("top again", Duration::from_secs(20), |s| {
        s.contains("rtctl top · it-top-term")
    });
    let pid = std::process::Command::new("pgrep")
        .args(["-f", "namespace it-top-term"])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
    assert!(
        !pid.is_empty() && !pid.contains('\n'),
        "one top process: {pid:?}"
    );
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    tmux.wait("top gone after SIGTERM", Duration::from_secs(5), |s| {
        !s.contains("rtctl top ·")
    });
    tmux.keys(&["echo term-ok-$((40+3))", "Enter"]);
    tmux.wait(
        "a usable shell after SIGTERM",
        Duration::from_secs(5),
        |s| s.lines().any(|l| l.trim() == "term-ok-43"),
    );
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
#[cfg_attr(not(have_tmux), ignore = "tmux not found")]
fn status_and_top_once_read_a_redis_cluster() {
    let cluster = crate::support::RedisCluster::start();
    let url = cluster.url();
    let _a = ServeProcess::start("a", &["--redis", &url, "--namespace", "it-cl"]);
    let _b = ServeProcess::start("b", &["--redis", &url, "--namespace", "it-cl"]);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (out, v) = status(&["--redis", &url, "--namespace", "it-cl"]);
        if out.status.code() == Some(0) && v["nodes"].as_array().is_some_and(|n| n.len() == 2) {
            assert_eq!(node(&v, "a")["readiness"]["ready"], true);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{v:#}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    // Off a terminal, top prints one snapshot (two samples, for the rates).
    let out = rtctl()
        .args([
            "top",
            "--redis",
            &url,
            "--namespace",
            "it-cl",
            "--interval",
            "0.2",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    succeeded(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("2/2 up") && text.contains("redis up"),
        "{text}"
    );
}

/// The NAT-trap figures: client IPs from `X-Forwarded-For` only when the peer is a trusted
/// gateway; otherwise the peer address, whatever the header says.
#[tokio::test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
#[cfg_attr(not(have_tmux), ignore = "tmux not found")]
async fn heartbeats_count_client_ips_from_a_trusted_gateway_only() {
    use crate::engine_support::{http_with, open_sid};
    let redis = RedisServer::start();
    let url = redis.url();
    let trusting = ServeProcess::start(
        "trusting",
        &[
            "--redis",
            &url,
            "--namespace",
            "it-ips",
            "--trusted-proxy",
            "127.0.0.1",
        ],
    );
    let plain = ServeProcess::start("plain", &["--redis", &url, "--namespace", "it-ips"]);
    for node in [&trusting, &plain] {
        let addr: std::net::SocketAddr = format!("127.0.0.1:{}", node.port).parse().unwrap();
        for (k, ip) in ["198.51.100.1", "198.51.100.1", "198.51.100.2"]
            .iter()
            .enumerate()
        {
            // A client-written hop first, then the one the gateway appended.
            let xff = format!("203.0.113.66, {ip}");
            let h = [("x-forwarded-for", xff.as_str())];
            let target = format!("/socket.io/?EIO=4&transport=polling&deviceId=dev-{k}");
            let open = http_with(addr, "GET", &target, b"", &h).await;
            assert_eq!(open.status, 200, "{}", open.text());
            let sid = open_sid(&open.text());
            let target = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
            let r = http_with(addr, "POST", &target, b"40", &h).await;
            assert_eq!(r.status, 200, "{}", r.text());
        }
    }
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut con = redis::aio::ConnectionManager::new(client).await.unwrap();
    let keys = rtctl::redis_schema::Keys::new("it-ips").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let hbs = rtctl::heartbeat::read_all(&mut con, &keys).await.unwrap();
        let get = |id: &str| hbs.iter().find(|h| h.node_id == id).cloned();
        if let (Some(t), Some(p)) = (get("trusting"), get("plain")) {
            if t.connections == 3 && p.connections == 3 {
                assert_eq!(t.client_ips, 2, "{t:?}");
                assert!((t.top_client_ip_share - 2.0 / 3.0).abs() < 1e-9, "{t:?}");
                assert_eq!(p.client_ips, 1, "the peer, not the header: {p:?}");
                assert_eq!(p.top_client_ip_share, 1.0);
                break;
            }
        }
        assert!(Instant::now() < deadline, "heartbeats: {hbs:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The detail lists the top IPs (written every 5 s).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = rtctl::heartbeat::sample(&mut con, &keys, &["trusting".into()], Some("trusting"))
            .await
            .unwrap();
        if let Some(d) = s.detail.filter(|d| d.client_ips.len() == 2) {
            assert_eq!(d.client_ips[0], ("198.51.100.1".to_string(), 2));
            assert_eq!(d.client_ips[1], ("198.51.100.2".to_string(), 1));
            break;
        }
        assert!(Instant::now() < deadline, "no detail with two IPs");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
