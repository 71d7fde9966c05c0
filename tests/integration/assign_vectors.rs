//! `rtctl simulate assign` through the binary, against every scenario of the golden vectors
//! produced by the real Kong balancer code, nginx and HAProxy: 100% must match.

use crate::support::{rtctl, vectors_path};

/// Translate one scenario's recorded config into `simulate assign` flags.
fn flags(s: &serde_json::Value) -> Vec<String> {
    let cfg = &s["config"];
    let mut f = Vec::new();
    match s["gateway"].as_str().unwrap() {
        "kong" => {
            f.extend(["--gateway".into(), "kong".into()]);
            f.extend(["--slots".into(), cfg["slots"].to_string()]);
            for t in cfg["targets"].as_array().unwrap() {
                f.push("--target".into());
                f.push(format!(
                    "{},weight={}",
                    t["target"].as_str().unwrap(),
                    t["weight"]
                ));
            }
            let state = cfg["state"].as_str().unwrap();
            if state.contains("unhealthy") {
                let addr = state.split_whitespace().nth(1).unwrap();
                f.extend(["--down".into(), addr.into()]);
            }
        }
        "nginx" => {
            let lines: Vec<&str> = cfg["upstream"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            let alg = if lines[0].contains("consistent") {
                "nginx-consistent"
            } else {
                "nginx-hash"
            };
            f.extend(["--gateway".into(), alg.into()]);
            for l in &lines[1..] {
                let addr = l.trim_start_matches("server ").trim_end_matches(';');
                f.extend(["--target".into(), addr.into()]);
            }
        }
        "haproxy" => {
            let lines: Vec<&str> = cfg["backend"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            let alg = if lines.iter().any(|l| l.starts_with("hash-type consistent")) {
                "haproxy-consistent"
            } else {
                "haproxy-map"
            };
            f.extend(["--gateway".into(), alg.into()]);
            for l in lines.iter().filter(|l| l.starts_with("server ")) {
                let w: Vec<&str> = l.split_whitespace().collect();
                let mut t = w[2].to_string();
                if let Some(i) = w.iter().position(|x| *x == "id") {
                    t += &format!(",id={}", w[i + 1]);
                }
                f.extend(["--target".into(), t]);
            }
        }
        g => panic!("unknown gateway {g}"),
    }
    f
}

#[test]
fn every_golden_scenario_matches_through_the_cli() {
    let text = std::fs::read_to_string(vectors_path()).expect("shared gateway vectors");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let scenarios = v["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 16);
    let dir = tempfile::tempdir().unwrap();
    let mut report = Vec::new();
    for s in scenarios {
        let name = s["scenario"].as_str().unwrap();
        let map = s["map"].as_object().unwrap();
        assert_eq!(map.len(), 2500, "{name}");
        let keys_file = dir.path().join(format!("{name}.keys"));
        let keys: Vec<&String> = map.keys().collect();
        std::fs::write(
            &keys_file,
            keys.iter().map(|k| format!("{k}\n")).collect::<String>(),
        )
        .unwrap();
        let out = rtctl()
            .args(["simulate", "assign"])
            .args(flags(s))
            .arg("--keys")
            .arg(&keys_file)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2500, "{name}: one line per key");
        let mut mismatches = Vec::new();
        for (line, key) in lines.iter().zip(&keys) {
            let (k, target) = line.split_once('\t').expect("key<TAB>target");
            assert_eq!(k, key.as_str(), "{name}: keys in input order");
            let want = map[key.as_str()].as_str().unwrap();
            if target != want {
                mismatches.push(format!("{key}: want {want}, got {target}"));
            }
        }
        report.push(format!("{name}: {} / 2500 match", 2500 - mismatches.len()));
        assert!(
            mismatches.is_empty(),
            "{name}: {} mismatches, first: {:?}",
            mismatches.len(),
            &mismatches[..mismatches.len().min(5)]
        );
    }
    eprintln!("{}", report.join("\n"));
}

/// `rtctl simulate assign --gateway kong <args> --keys -` with one key on stdin.
fn kong_assign(args: &[&str]) -> assert_cmd::assert::Assert {
    rtctl()
        .args(["simulate", "assign", "--gateway", "kong"])
        .args(args)
        .args(["--keys", "-"])
        .write_stdin("device-0001\ndevice-0002\n")
        .assert()
}

#[test]
fn assign_reads_stdin_and_rejects_bad_targets() {
    kong_assign(&[
        "--target",
        "10.0.0.1:3000",
        "--target",
        "10.0.0.2:3000",
        "--target",
        "10.0.0.3:3000",
    ])
    .success()
    .stdout("device-0001\t10.0.0.1:3000\ndevice-0002\t10.0.0.2:3000\n");
    kong_assign(&[
        "--target",
        "10.0.0.1:3000",
        "--target",
        "10.0.0.2:3000",
        "--target",
        "10.0.0.3:3000",
        "-o",
        "json",
    ])
    .success()
    .stdout(concat!(
        "{\"key\":\"device-0001\",\"target\":\"10.0.0.1:3000\"}\n",
        "{\"key\":\"device-0002\",\"target\":\"10.0.0.2:3000\"}\n"
    ));
    let bad: [(&[&str], &str); 4] = [
        (
            &["--target", "10.0.0.1:3000", "--target", "10.0.0.1:3000"],
            "listed twice",
        ),
        (&["--target", "node1:3000"], "expected IP:PORT"),
        (
            &["--target", "10.0.0.1:3000", "--down", "10.0.0.9:1"],
            "--down",
        ),
        (
            &["--target", "10.0.0.1:3000,weight=70000"],
            "weight 70000 is out of range",
        ),
    ];
    for (args, message) in bad {
        kong_assign(args)
            .code(3)
            .stderr(predicates::str::contains(message));
    }
    // 20 Kong targets with slots 400 abort the ring build (Kong/kong#9437).
    let targets: Vec<String> = (1..=20)
        .flat_map(|i| ["--target".to_string(), format!("10.0.0.{i}:3000")])
        .collect();
    let mut args: Vec<&str> = targets.iter().map(String::as_str).collect();
    args.extend(["--slots", "400"]);
    kong_assign(&args)
        .code(3)
        .stderr(predicates::str::contains("wheel size"));
    rtctl()
        .args([
            "simulate",
            "assign",
            "--gateway",
            "kong",
            "--target",
            "10.0.0.1:3000",
            "--keys",
            "/nonexistent/keys",
        ])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("/nonexistent/keys: cannot read"));
}
