//! `rtctl plan` end to end through the binary: the guide's worked examples and its mistakes.

use crate::support::{json, rtctl};

#[test]
fn reproduces_the_guides_worked_examples() {
    // No fleet file: the guide's fleet (3 Kong nodes, 1200 devices, 12 GB usable, 30 KB each).
    let r = json(rtctl().args(["plan", "-o", "json"]));
    assert_eq!(r["devices"], 1200);
    assert_eq!(r["nodes"], 3);
    // 12 GB ÷ 30 KB = 400,000 "theoretical".
    assert_eq!(r["ceiling"]["memory"], 400_000);
    // fd 65536 binds before memory.
    assert_eq!(r["ceiling"]["binding"], "fd");
    assert_eq!(r["ceiling"]["fd"], 65_536 - 64);
    // ≈ 400 each, sd sqrt(1200/3) = 20 in the guide.
    let d = &r["distribution"];
    assert_eq!(d["guide_expected"], 400.0);
    assert_eq!(d["guide_sd"], 20.0);
    let mut total = 0.0;
    for n in d["nodes"].as_array().unwrap() {
        let e = n["expected"].as_f64().unwrap();
        assert!((340.0..460.0).contains(&e), "expected {e}");
        // The exact binomial sd is below the guide's sqrt(N/k).
        assert!(n["sd"].as_f64().unwrap() < 17.0);
        total += e;
    }
    assert!((total - 1200.0).abs() < 1e-6, "{total}");
    assert_eq!(r["answer"]["current_fits"], true);
}

#[test]
fn fd_1024_is_too_low() {
    let r = json(rtctl().args([
        "plan",
        "-o",
        "json",
        "--fd-limit",
        "1024",
        "--devices",
        "5000",
    ]));
    assert_eq!(r["ceiling"]["binding"], "fd");
    assert_eq!(r["ceiling"]["ceiling"], 960);
    let w = r["warnings"].to_string();
    assert!(w.contains("fd limit 1024"), "{w}");
    // 5000 devices need more than the 3 nodes at 960 each.
    assert_eq!(r["answer"]["current_fits"], false);
    assert!(r["answer"]["nodes_needed"].as_u64().unwrap() >= 7);
}

#[test]
fn warns_when_devices_give_up_before_the_node_is_back() {
    let r = json(rtctl().args(["plan", "-o", "json", "--outage-secs", "30"]));
    let rc = &r["reconnect"];
    assert_eq!(rc["reconnected"], 0);
    assert_eq!(rc["gave_up"], rc["devices"]);
    assert_eq!(rc["gives_up_after_ms"], 17_000.0);
    assert!(r["warnings"]
        .to_string()
        .contains("reconnectionAttempts = 5"));
    // Unlimited attempts: nobody gives up.
    let r = json(rtctl().args([
        "plan",
        "-o",
        "json",
        "--outage-secs",
        "30",
        "--reconnection-attempts",
        "0",
    ]));
    assert_eq!(r["reconnect"]["gave_up"], 0);
}

#[test]
fn node_count_answer_grows_with_devices() {
    let mut last = 0;
    for devices in ["10000", "100000", "400000"] {
        let r = json(rtctl().args([
            "plan",
            "-o",
            "json",
            "--devices",
            devices,
            "--fd-limit",
            "20000",
        ]));
        let k = r["answer"]["nodes_needed"].as_u64().unwrap();
        assert!(k >= last, "{devices}: {k} < {last}");
        last = k;
    }
    assert!(last >= 400_000 / 20_000);
}

#[test]
fn explain_shows_the_formulas() {
    rtctl()
        .args(["plan", "--explain"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "memory ceiling = (memory − reserved) ÷ memory per connection",
        ))
        .stdout(predicates::str::contains("Binomial"));
}

#[test]
fn fleet_file_drives_the_plan_and_flags_override_it() {
    let r = json(rtctl().args(["plan", "-o", "json", "-f", "fixtures/fleet.toml"]));
    assert_eq!(r["fleet"], "acme notifications");
    assert!(
        r["warnings"].to_string().contains("x_device_id"),
        "Kong 3.9 header warning"
    );
    let r = json(rtctl().args([
        "plan",
        "-o",
        "json",
        "-f",
        "fixtures/fleet.toml",
        "--devices",
        "9000",
        "--nodes",
        "5",
    ]));
    assert_eq!(r["devices"], 9000);
    assert_eq!(r["nodes"], 5);
}

#[test]
fn modulo_hashing_moves_most_devices_on_failure() {
    let r = json(rtctl().args([
        "plan",
        "-o",
        "json",
        "--gateway",
        "haproxy",
        "--algorithm",
        "map",
    ]));
    let f = &r["failure"];
    assert!(
        f["moved_from_survivors_fraction"].as_f64().unwrap() > 0.2,
        "{f}"
    );
    let r = json(rtctl().args(["plan", "-o", "json", "--gateway", "haproxy"]));
    assert_eq!(r["failure"]["moved_from_survivors_fraction"], 0.0);
}
