//! `rtctl publish` against real nodes: 202 and the offset printed; 401, 413, 503 and an
//! unreachable URL give their documented exit codes.

use std::time::Duration;

use crate::support::{free_port, rtctl, succeeded, RedisServer, ServeProcess};

fn is_offset(s: &str) -> bool {
    s.split_once('-')
        .is_some_and(|(ms, seq)| ms.parse::<u64>().is_ok() && seq.parse::<u64>().is_ok())
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
fn publish_prints_the_offset_and_maps_http_errors_to_exit_codes() {
    let node = ServeProcess::start("p1", &["--api-key", "s3cret"]);
    let publish = || {
        let mut c = rtctl();
        c.args(["publish", "--url", &node.url()])
            .timeout(Duration::from_secs(30));
        c
    };
    // 202: the offset on stdout, nothing else.
    let out = publish()
        .args(["--department", "D1", "--payload", r#"{"title":"hello"}"#])
        .env("RTCTL_API_KEY", "s3cret")
        .output()
        .unwrap();
    succeeded(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(is_offset(stdout.trim_end()), "{stdout:?}");
    assert_eq!(stdout.lines().count(), 1);

    // From a file, to a device; --count with --rate: one offset per request, in order, and
    // no progress bar off a terminal.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p.json");
    std::fs::write(&f, r#"{"n": 1}"#).unwrap();
    let out = publish()
        .args(["--device", "dev-1", "--payload-file"])
        .arg(&f)
        .args(["--count", "5", "--rate", "100"])
        .env("RTCTL_API_KEY", "s3cret")
        .output()
        .unwrap();
    succeeded(&out);
    let offsets: Vec<(u64, u64)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (a, b) = l.split_once('-').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    assert_eq!(offsets.len(), 5);
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // JSON output for scripts.
    let out = publish()
        .args(["--all", "--output", "json"])
        .env("RTCTL_API_KEY", "s3cret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sent"], 1);
    assert!(is_offset(v["offsets"][0].as_str().unwrap()), "{v}");

    // 401: no key, or a wrong one. Exit 7, the node's message on stderr.
    for key in [None, Some("wrong")] {
        let mut c = publish();
        c.args(["--all"]);
        if let Some(k) = key {
            c.env("RTCTL_API_KEY", k);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(7));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("HTTP 401") && err.contains("API key"), "{err}");
        assert!(out.stdout.is_empty());
    }

    // 413: a payload over the node's 64 KiB limit.
    let big = format!(r#"{{"blob":"{}"}}"#, "x".repeat(70_000));
    std::fs::write(&f, big).unwrap();
    let out = publish()
        .args(["--all", "--payload-file"])
        .arg(&f)
        .env("RTCTL_API_KEY", "s3cret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 413"));

    // A payload that is not JSON is refused before sending (exit 3, names the flag).
    let out = publish()
        .args(["--all", "--payload", "{oops"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--payload: expected JSON"));

    // Unreachable URL: exit 4.
    let out = rtctl()
        .args([
            "publish",
            "--all",
            "--url",
            &format!("http://127.0.0.1:{}", free_port()),
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unreachable"));
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
fn publish_exits_8_when_the_node_cannot_store_it() {
    let mut redis = RedisServer::start();
    let node = ServeProcess::start("p2", &["--redis", &redis.url(), "--namespace", "it-pub"]);
    redis.stop();
    let out = rtctl()
        .args(["publish", "--all", "--url", &node.url()])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(8), "{err}");
    assert!(err.contains("HTTP 503"), "{err}");
}
