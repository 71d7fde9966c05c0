//! `rtctl serve -f FLEET --node-id ID` and `rtctl simulate assign -f FLEET`: the fleet file is
//! the one place a node's address, Redis URL (with its database index), namespace, retention and
//! drain timeout are written; flags and RTCTL_* still override.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::support::{free_port, rtctl, RedisServer};

fn health(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    buf.starts_with("HTTP/1.1 200").then_some(buf)
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
fn serve_runs_the_named_node_with_the_fleets_redis_database_and_namespace() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (p1, p2) = (free_port(), free_port());
    let fleet = dir.path().join("fleet.toml");
    std::fs::write(
        &fleet,
        format!(
            "[gateway]\nkind = \"nginx\"\n\
             [[nodes]]\nid = \"n1\"\nhost = \"127.0.0.1\"\nport = {p1}\n\
             [[nodes]]\nid = \"n2\"\nhost = \"127.0.0.1\"\nport = {p2}\n\
             [redis]\nurl = \"redis://127.0.0.1:{}/3\"\nnamespace = \"acme\"\n\
             [serve]\ndrain_timeout_secs = 1\n",
            redis.port
        ),
    )
    .unwrap();

    let mut child = Command::new(assert_cmd::cargo::cargo_bin("rtctl"))
        .args(["serve", "-f"])
        .arg(&fleet)
        .args(["--node-id", "n2"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let body = loop {
        if let Some(b) = health(p2) {
            break b;
        }
        assert!(Instant::now() < deadline, "n2 did not listen on {p2}");
        std::thread::sleep(Duration::from_millis(30));
    };
    assert!(body.contains("x-rtctl-node: n2"), "{body}");
    assert!(body.contains(r#""redis":{"status":"up"}"#), "{body}");
    assert!(health(p1).is_none(), "only n2 runs");

    // A publish lands in database 3 under the fleet's namespace.
    {
        use std::io::{Read, Write};
        let body = r#"{"target":{"all":true},"payload":"hi"}"#;
        let mut s = std::net::TcpStream::connect(("127.0.0.1", p2)).unwrap();
        write!(
            s,
            "POST /api/v1/notifications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut r = String::new();
        s.read_to_string(&mut r).unwrap();
        assert!(r.starts_with("HTTP/1.1 202"), "{r}");
    }
    let keys = |db: &str| {
        let out = Command::new("redis-cli")
            .args(["-p", &redis.port.to_string(), "-n", db, "--scan"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let in_3 = keys("3");
    assert!(in_3.contains("{rtctl:acme}"), "db 3 keys: {in_3}");
    assert!(!keys("0").contains("rtctl"), "nothing in db 0");

    // SIGTERM: the node drains for the fleet's 1 s and exits 0.
    let started = Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > Duration::from_secs(8) {
            let _ = child.kill();
            panic!("n2 did not exit within 8 s of SIGTERM (drain_timeout_secs = 1)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}

#[test]
fn serve_refuses_a_node_id_that_is_not_in_the_fleet() {
    rtctl()
        .args(["serve", "-f", "fixtures/fleet.toml", "--node-id", "node-9"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "rtctl: error: --node-id: \"node-9\" is not a node of fixtures/fleet.toml (its nodes: node-1, node-2, node-3)",
        ));
    rtctl()
        .args(["serve", "-f", "fixtures/fleet.toml"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "--node-id: required with a fleet file",
        ));
    // The file's node listens off loopback: without an API key it is refused before binding.
    rtctl()
        .args(["serve", "-f", "fixtures/fleet.toml", "--node-id", "node-2"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "--api-key: required when listening on a non-loopback address (10.0.0.2:3000)",
        ));
}

#[test]
fn assign_reads_the_fleet_file_like_the_equivalent_flags() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let text: String = (0..300).map(|i| format!("device-{i}\n")).collect();
    std::fs::write(&keys, text).unwrap();
    let from_file = rtctl()
        .args(["simulate", "assign", "-f", "fixtures/fleet.toml", "--keys"])
        .arg(&keys)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut flags = rtctl();
    flags.args([
        "simulate",
        "assign",
        "--gateway",
        "kong",
        "--slots",
        "10000",
    ]);
    for n in 1..=3 {
        flags.args(["--target", &format!("10.0.0.{n}:3000,weight=100,id={n}")]);
    }
    let from_flags = flags
        .arg("--keys")
        .arg(&keys)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(from_file, from_flags);
    let text = String::from_utf8(from_file).unwrap();
    assert_eq!(text.lines().count(), 300);
    for n in 1..=3 {
        assert!(
            text.contains(&format!("\t10.0.0.{n}:3000\n")),
            "node {n} gets keys"
        );
    }
    // Flags still win: --target replaces the fleet's nodes.
    let one = rtctl()
        .args(["simulate", "assign", "-f", "fixtures/fleet.toml"])
        .args(["--target", "10.9.9.9:80", "--keys"])
        .arg(&keys)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(one)
        .unwrap()
        .lines()
        .all(|l| l.ends_with("\t10.9.9.9:80")));
    // Without a file, --gateway and --target are still required (a usage error).
    rtctl()
        .args(["simulate", "assign", "--keys"])
        .arg(&keys)
        .assert()
        .code(2);
}
