//! `rtctl simulate nat` end to end through the binary.

use predicates::prelude::*;

use crate::support::{json, rtctl};

fn devices(r: &serde_json::Value) -> Vec<u64> {
    r["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["devices"].as_u64().unwrap())
        .collect()
}

#[test]
fn device_id_hashing_spreads_devices_behind_one_nat() {
    let r = json(rtctl().args(["simulate", "nat", "-o", "json", "--devices", "3000"]));
    let d = devices(&r);
    assert_eq!(d.iter().sum::<u64>(), 3000);
    assert!(d.iter().all(|&c| c > 800), "{d:?}");
    assert_eq!(r["unkeyed_requests"], 0);
    assert_eq!(r["broken_sessions"], 0);
    assert_eq!(r["failed_upgrades"], 0);
}

#[test]
fn ip_hashing_behind_one_nat_puts_everyone_on_one_node() {
    for gw in [
        &["--gateway", "kong"][..],
        &["--gateway", "nginx", "--algorithm", "ip-hash"],
        &["--gateway", "haproxy"],
    ] {
        let r = json(
            rtctl()
                .args(["simulate", "nat", "-o", "json", "--key", "ip"])
                .args(gw),
        );
        let mut d = devices(&r);
        d.sort();
        assert_eq!(d, vec![0, 0, 1200], "{gw:?}");
        assert_eq!(r["max_over_mean"], 3.0);
    }
    // Several public IPs spread a little.
    let r = json(rtctl().args([
        "simulate",
        "nat",
        "-o",
        "json",
        "--key",
        "ip",
        "--public-ips",
        "40",
    ]));
    assert!(devices(&r).iter().filter(|&&c| c > 0).count() >= 2);
}

#[test]
fn browsers_with_header_only_keys_break_upgrades() {
    // Kong: the WebSocket handshake has no header, hashes "" and lands on one fixed node.
    let r = json(rtctl().args([
        "simulate", "nat", "-o", "json", "--key", "header", "--client", "browser",
    ]));
    assert!(
        r["failed_upgrades"].as_u64().unwrap() > 500,
        "{}",
        r["failed_upgrades"]
    );
    // nginx: round-robin for the header-less handshake.
    let r = json(rtctl().args([
        "simulate",
        "nat",
        "-o",
        "json",
        "--key",
        "header",
        "--client",
        "browser",
        "--gateway",
        "nginx",
    ]));
    assert!(r["failed_upgrades"].as_u64().unwrap() > 500);
    // The query key works for browsers.
    let r = json(rtctl().args([
        "simulate",
        "nat",
        "-o",
        "json",
        "--key",
        "query",
        "--client",
        "browser",
        "--gateway",
        "nginx",
    ]));
    assert_eq!(r["failed_upgrades"], 0);
    assert_eq!(r["broken_sessions"], 0);
}

#[test]
fn kong_3_9_ignores_dashed_header_names() {
    let r = json(rtctl().args([
        "simulate",
        "nat",
        "-o",
        "json",
        "--key",
        "header",
        "--kong-version",
        "3.9",
    ]));
    let mut d = devices(&r);
    d.sort();
    assert_eq!(d, vec![0, 0, 1200]);
    let r = json(rtctl().args([
        "simulate",
        "nat",
        "-o",
        "json",
        "--key",
        "header",
        "--kong-version",
        "3.7",
    ]));
    assert!(devices(&r).iter().all(|&c| c > 300));
}

#[test]
fn consistent_hashing_moves_only_the_changed_nodes_devices() {
    let r = json(rtctl().args([
        "simulate",
        "nat",
        "-o",
        "json",
        "--devices",
        "5000",
        "--remove",
        "node-2",
        "--down",
        "node-3",
        "--add",
        "10.0.0.4:3000",
    ]));
    // The changes apply in the order given, each on top of the previous one, and what moves is
    // counted against the configuration just before it.
    let before = devices(&r);
    let changes = r["changes"].as_array().unwrap();
    let labels: Vec<&str> = changes
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["remove node-2", "mark node-3 down", "add 10.0.0.4:3000"]
    );
    let nodes = |c: &serde_json::Value| -> Vec<(String, u64)> {
        c["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["id"].as_str().unwrap().to_string(),
                    n["devices"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let (removed, down, added) = (&changes[0], &changes[1], &changes[2]);
    assert_eq!(removed["moved"].as_u64().unwrap(), before[1]);
    assert_eq!(removed["moved_between_unchanged_nodes"], 0);
    let after_remove = nodes(removed);
    assert_eq!(after_remove[1].0, "node-3");
    assert_eq!(down["moved"].as_u64().unwrap(), after_remove[1].1);
    assert_eq!(down["moved_between_unchanged_nodes"], 0);
    let after_down = nodes(down);
    assert_eq!(after_down[0], ("node-1".to_string(), 5000));
    // node-2 stays removed and node-3 stays down when the node is added.
    let after_add = nodes(added);
    assert_eq!(
        after_add.iter().map(|n| n.0.as_str()).collect::<Vec<_>>(),
        ["node-1", "node-3", "added-3"]
    );
    assert_eq!(after_add[1].1, 0);
    let moved = added["moved"].as_u64().unwrap();
    assert!((1000..4000).contains(&moved), "{moved}");
    assert_eq!(added["moved_between_unchanged_nodes"], 0);
    assert_eq!(moved, after_add[2].1);
    // Modulo hashing moves devices between untouched nodes.
    let r = json(rtctl().args([
        "simulate",
        "nat",
        "-o",
        "json",
        "--devices",
        "5000",
        "--gateway",
        "nginx",
        "--algorithm",
        "hash",
        "--remove",
        "node-2",
    ]));
    assert!(
        r["changes"][0]["moved_between_unchanged_nodes"]
            .as_u64()
            .unwrap()
            > 1000
    );
}

#[test]
fn seeds_make_runs_reproducible() {
    let run = |seed: &str| {
        rtctl()
            .args([
                "simulate",
                "nat",
                "-o",
                "json",
                "--key",
                "ip",
                "--public-ips",
                "7",
                "--seed",
                seed,
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(run("5"), run("5"));
    assert_ne!(run("5"), run("6"));
}

#[test]
fn ids_file_is_used_and_validated() {
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ids.txt");
    std::fs::write(&ok, "# devices\ndevice-0001\n\ndevice-0002\ndevice-0003\n").unwrap();
    let r = json(
        rtctl()
            .args(["simulate", "nat", "-o", "json", "--ids-file"])
            .arg(&ok),
    );
    assert_eq!(r["devices"], 3);
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "device-0001\ndevice 0002\n").unwrap();
    rtctl()
        .args(["simulate", "nat", "--ids-file"])
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "bad.txt:2: device id \"device 0002\"",
        ));
}

#[test]
fn table_output_has_histogram_bars() {
    rtctl()
        .args(["simulate", "nat", "--devices", "2000"])
        .assert()
        .success()
        .stdout(predicate::str::contains("█").and(predicate::str::contains("max/mean")));
}
