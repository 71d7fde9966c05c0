//! `rtctl render-*`: golden files, Kong's schema rules, errors and exit codes.
//!
//! Golden files: `fixtures/render/<gateway>/<case>.toml` is the fleet, `<case>.args` (optional)
//! holds extra flags, `<case>.expected` the exact stdout, or `exit N` plus stderr for a fleet
//! that must be refused. `SNAPSHOTS=overwrite cargo test` rewrites them (never under CI).

use std::collections::BTreeSet;

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{root, rtctl};

fn golden(gateway: &str) {
    let dir = root().join("fixtures/render").join(gateway);
    let overwrite = std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite")
        && std::env::var_os("CI").is_none();
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    let mut failures = Vec::new();
    for case in cases {
        let rel = case.strip_prefix(root()).unwrap().to_path_buf();
        let args = std::fs::read_to_string(case.with_extension("args")).unwrap_or_default();
        let out = rtctl()
            .arg(format!("render-{gateway}"))
            .arg("-f")
            .arg(&rel)
            .args(args.split_whitespace())
            .output()
            .unwrap();
        let actual = if out.status.success() {
            String::from_utf8(out.stdout).unwrap()
        } else {
            assert!(
                out.stdout.is_empty(),
                "{}: a refused fleet printed a config",
                rel.display()
            );
            format!(
                "exit {}\n{}",
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stderr)
            )
        };
        let expected_path = case.with_extension("expected");
        if overwrite {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{} differs (SNAPSHOTS=overwrite cargo test to accept):\n--- expected\n{expected}\n--- actual\n{actual}",
                expected_path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_kong() {
    golden("kong");
}

#[test]
fn golden_pm2() {
    golden("pm2");
}

#[test]
fn golden_systemd() {
    golden("systemd");
}

#[test]
fn golden_nginx() {
    golden("nginx");
}

#[test]
fn golden_haproxy() {
    golden("haproxy");
}

/// A fleet with `n` nodes at 10.0.x.y:3000 and the given slots.
fn fleet(n: usize, slots: u32) -> rtctl::fleet::Fleet {
    let mut f = rtctl::resolve::default_fleet();
    f.nodes = rtctl::resolve::synth_nodes(n, &[]);
    f.gateway.slots = slots;
    f.validate().unwrap();
    f
}

fn kong_json(f: &rtctl::fleet::Fleet) -> Value {
    let opts = rtctl::render::Options {
        json: true,
        ..Default::default()
    };
    let r = rtctl::render::kong::render(f, &opts).unwrap();
    assert!(
        !r.text.contains("$("),
        "no template expressions (client_ip renders empty)"
    );
    serde_json::from_str(&r.text).expect("JSON output parses")
}

fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

/// Kong 3.x declarative schema rules (reference §3) that a rendered config must satisfy.
fn check_kong_schema(doc: &Value, f: &rtctl::fleet::Fleet) {
    assert_eq!(doc["_format_version"], "3.0");
    let hash_sources = [
        "none",
        "consumer",
        "ip",
        "header",
        "cookie",
        "path",
        "query_arg",
        "uri_capture",
    ];
    let header_name = |v: &Value| {
        let s = v.as_str().unwrap();
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let upstreams = doc["upstreams"].as_array().unwrap();
    let names: BTreeSet<&str> = upstreams
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), upstreams.len(), "upstream names are unique");
    for u in upstreams {
        let name = u["name"].as_str().unwrap();
        assert!(
            !is_ip(name) && !name.contains(':'),
            "upstream name is a hostname"
        );
        assert!([
            "round-robin",
            "consistent-hashing",
            "least-connections",
            "latency"
        ]
        .contains(&u["algorithm"].as_str().unwrap()));
        let on = u["hash_on"].as_str().unwrap();
        let fb = u["hash_fallback"].as_str().unwrap();
        assert!(hash_sources.contains(&on) && hash_sources.contains(&fb));
        assert_ne!(
            on, "none",
            "consistent-hashing without hash_on hashes \"\" for everyone"
        );
        if on == "query_arg" {
            assert!(!u["hash_on_query_arg"].as_str().unwrap().is_empty());
        }
        if on == "header" {
            assert!(header_name(&u["hash_on_header"]));
        }
        if fb == "header" {
            assert!(header_name(&u["hash_fallback_header"]));
            assert!(
                !u["hash_fallback_header"].as_str().unwrap().contains('-'),
                "Kong 3.8-3.9 cannot hash a header name containing '-'"
            );
            assert_ne!(u["hash_on_header"], u["hash_fallback_header"]);
        }
        if fb == "query_arg" {
            assert_ne!(u["hash_on_query_arg"], u["hash_fallback_query_arg"]);
        }
        let slots = u["slots"].as_u64().unwrap();
        assert!((10..=65_536).contains(&slots));
        let hc = &u["healthchecks"];
        let threshold = hc["threshold"].as_u64().unwrap();
        assert!(threshold <= 100);
        let active = &hc["active"];
        assert_eq!(active["type"], "http");
        assert_eq!(active["http_path"], "/health/live");
        for (side, counters) in [
            ("healthy", &["successes"][..]),
            (
                "unhealthy",
                &["http_failures", "tcp_failures", "timeouts"][..],
            ),
        ] {
            let s = &active[side];
            let interval = s["interval"].as_u64().unwrap();
            assert!(
                (1..=65_535).contains(&interval),
                "{side}.interval 0 turns checks off"
            );
            for c in counters {
                let v = s[*c].as_u64().unwrap();
                assert!((1..=255).contains(&v), "{side}.{c} = {v}: 0 disables it");
            }
            for st in s["http_statuses"].as_array().unwrap() {
                assert!((100..=999).contains(&st.as_u64().unwrap()));
            }
        }
        let targets = u["targets"].as_array().unwrap();
        let listed: BTreeSet<&str> = targets
            .iter()
            .map(|t| t["target"].as_str().unwrap())
            .collect();
        assert_eq!(
            listed.len(),
            targets.len(),
            "a target appears once per upstream"
        );
        let want: BTreeSet<String> = f.nodes.iter().map(|n| n.addr()).collect();
        let listed: BTreeSet<String> = listed.into_iter().map(String::from).collect();
        assert_eq!(listed, want, "every node exactly once, as IP:PORT");
        for t in targets {
            let addr: std::net::SocketAddr = t["target"].as_str().unwrap().parse().unwrap();
            assert_ne!(addr.port(), 0);
            assert!(t["weight"].as_u64().unwrap() <= 65_535);
        }
    }
    let services = doc["services"].as_array().unwrap();
    let snames: BTreeSet<&str> = services
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(snames.len(), services.len(), "service names are unique");
    let mut route_names = BTreeSet::new();
    for s in services {
        let proto = s["protocol"].as_str().unwrap();
        assert!(
            [
                "http",
                "https",
                "tcp",
                "tls",
                "udp",
                "tls_passthrough",
                "grpc",
                "grpcs"
            ]
            .contains(&proto),
            "{proto}: ws/wss are Kong Enterprise only"
        );
        assert!(
            names.contains(s["host"].as_str().unwrap()),
            "service host = upstream name"
        );
        for t in ["connect_timeout", "read_timeout", "write_timeout"] {
            let v = s[t].as_u64().unwrap();
            assert!((1..=2_147_483_646).contains(&v));
        }
        let ping = (f.workload.ping_interval_secs + rtctl::render::PING_TIMEOUT_SECS) * 1000.0;
        assert!(s["read_timeout"].as_f64().unwrap() > ping);
        assert!(s["write_timeout"].as_f64().unwrap() > ping);
        for r in s["routes"].as_array().unwrap() {
            assert!(
                route_names.insert(r["name"].as_str().unwrap().to_string()),
                "route names are unique"
            );
            for p in r["protocols"].as_array().unwrap() {
                assert!(["http", "https"].contains(&p.as_str().unwrap()));
            }
            let paths = r["paths"].as_array().unwrap();
            assert!(
                !paths.is_empty(),
                "an http route needs paths (or hosts/methods/headers)"
            );
            for p in paths {
                let p = p.as_str().unwrap();
                assert!((p.starts_with('/') || p.starts_with("~/")) && !p.contains("//"));
            }
            assert_eq!(r["paths"][0], "/socket.io");
            assert_eq!(r["strip_path"], false);
        }
    }
}

#[test]
fn kong_output_obeys_the_schema_rules() {
    for (n, slots) in [(1, 10_000), (3, 10_000), (20, 20_000), (60, 65_536)] {
        let f = fleet(n, slots);
        check_kong_schema(&kong_json(&f), &f);
    }
    // Weights, a header-only key, an IPv6 target.
    let mut f = fleet(4, 10_000);
    f.nodes[0].weight = Some(0);
    f.nodes[1].weight = Some(250);
    f.nodes[2].host = "fd00::7".into();
    f.gateway.sticky_keys = vec!["header:X-Device-Id".parse().unwrap()];
    f.validate().unwrap();
    let doc = kong_json(&f);
    check_kong_schema(&doc, &f);
    assert_eq!(doc["upstreams"][0]["hash_on"], "header");
    assert_eq!(doc["upstreams"][0]["hash_on_header"], "x_device_id");
}

#[test]
#[cfg_attr(not(have_pyyaml), ignore = "PyYAML not found")]
fn kong_yaml_and_json_are_the_same_document() {
    crate::support::require(cfg!(have_pyyaml), "have_pyyaml", "PyYAML not found");
    for f in [fleet(3, 10_000), fleet(25, 30_000)] {
        let yaml = rtctl::render::kong::render(&f, &Default::default())
            .unwrap()
            .text;
        let mut child = crate::support::python3()
            .args([
                "-c",
                "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(yaml.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "PyYAML rejects:\n{yaml}");
        let from_yaml: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(from_yaml, kong_json(&f));
    }
}

#[test]
fn kong_refuses_slots_that_abort_the_ring_and_suggests_a_value() {
    let f = fleet(20, 400);
    let e = rtctl::render::kong::render(&f, &Default::default()).unwrap_err();
    assert_eq!(e.field, "gateway.slots");
    assert!(e.message.contains("raise slots to at least"), "{e}");
    // The suggested value renders.
    let suggested: u32 = e
        .message
        .rsplit("at least ")
        .next()
        .unwrap()
        .trim_end_matches(')')
        .parse()
        .unwrap();
    let f = fleet(20, suggested);
    check_kong_schema(&kong_json(&f), &f);
}

#[test]
fn render_writes_to_a_file_and_refuses_bad_input_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kong.yaml");
    rtctl()
        .args(["render-kong", "-f", "fixtures/fleet.toml", "--out"])
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("_format_version: \"3.0\""));
    // Without a fleet file, the command's own gateway is assumed.
    rtctl()
        .args(["render-nginx", "--nodes", "2", "--listen", "127.0.0.1:9000"])
        .assert()
        .success()
        .stdout(predicate::str::contains("server 10.0.0.2:3000;"));
    rtctl()
        .args(["render-haproxy", "--nodes", "2"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "server node-2 10.0.0.2:3000 id 2 check",
        ));
    for (args, msg) in [
        (
            &["render-nginx", "-f", "fixtures/fleets/bad-port.toml"][..],
            "nodes[0].port: expected 1..=65535",
        ),
        (
            &[
                "render-haproxy",
                "-f",
                "fixtures/fleets/bad-duplicate-id.toml",
            ][..],
            "duplicate node id",
        ),
        (
            &["render-nginx", "--listen", "localhost:80"][..],
            "--listen: expected IP:PORT",
        ),
        (
            &["render-nginx", "--idle-timeout-secs", "30"][..],
            "--idle-timeout-secs: 30 s would cut idle sockets",
        ),
        (
            &["render-kong", "--nodes", "20", "--slots", "400"][..],
            "gateway.slots: Kong ring build aborts",
        ),
        (
            &["render-kong", "--upstream", "10.0.0.9"][..],
            "--upstream: \"10.0.0.9\" is not a valid upstream name",
        ),
        (
            &["render-haproxy", "-f", "fixtures/fleet.toml"][..],
            "the fleet's gateway is kong, not haproxy",
        ),
    ] {
        rtctl()
            .args(args)
            .assert()
            .code(3)
            .stdout("")
            .stderr(predicate::str::contains(msg));
    }
    // An output that cannot be written: exit 5.
    rtctl()
        .args(["render-kong", "--out"])
        .arg(dir.path().join("missing/dir/kong.yaml"))
        .assert()
        .code(5);
}
