//! Command-line surface: subcommands that exist, exit codes, errors that name the input.

use predicates::prelude::*;

use crate::support::rtctl;

#[test]
fn help_lists_exactly_the_built_subcommands() {
    let out = rtctl()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    for present in [
        "plan",
        "simulate",
        "serve",
        "render-kong",
        "render-nginx",
        "render-haproxy",
        "render-pm2",
        "render-systemd",
        "bench",
    ] {
        assert!(
            help.contains(present),
            "{present} missing from --help:\n{help}"
        );
    }
    for absent in ["top", "generate"] {
        assert!(
            !help.contains(absent),
            "{absent} must not be listed yet:\n{help}"
        );
    }
    rtctl()
        .args(["simulate", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("nat").and(predicate::str::contains("assign")));
}

#[test]
fn long_help_documents_exit_codes() {
    rtctl()
        .args(["plan", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("3  bad input"));
}

#[test]
fn usage_errors_exit_2() {
    rtctl().args(["plan", "--bogus"]).assert().code(2);
    rtctl().arg("frobnicate").assert().code(2);
    rtctl()
        .args(["simulate", "assign", "--gateway", "kong", "--keys", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--target"));
}

#[test]
fn bad_fleet_files_exit_3_naming_file_line_and_field() {
    rtctl()
        .args(["plan", "-f", "fixtures/fleets/bad-port.toml"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("bad-port.toml:7:").and(predicate::str::contains(
                "nodes[0].port: expected 1..=65535, got 70000",
            )),
        );
    rtctl()
        .args([
            "simulate",
            "nat",
            "-f",
            "fixtures/fleets/bad-duplicate-id.toml",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("bad-duplicate-id.toml:10:").and(
            predicate::str::contains("nodes[1].id: duplicate node id \"node-1\""),
        ));
    rtctl()
        .args(["plan", "-f", "fixtures/fleets/bad-syntax.toml"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "bad-syntax.toml:3:9: gateway.slots: invalid type: string \"many\", expected u32",
        ));
    rtctl()
        .args(["plan", "-f", "fixtures/does-not-exist.toml"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("does-not-exist.toml: cannot read"));
}

#[test]
fn fleet_file_can_come_from_the_environment() {
    rtctl()
        .env("RTCTL_FLEET", "fixtures/fleets/bad-port.toml")
        .arg("plan")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("bad-port.toml"));
}

#[test]
fn bad_flag_values_exit_3_naming_the_flag() {
    rtctl()
        .args(["plan", "--percentile", "100"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "--percentile: expected a value in (0, 100)",
        ));
    rtctl()
        .args(["plan", "--slots", "5"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("--slots: expected 10..=65536"));
    rtctl()
        .args(["plan", "--memory", "12 parsecs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected a size"));
    rtctl()
        .args(["simulate", "nat", "--remove", "node-9"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("--remove: \"node-9\" is neither"));
}

#[test]
fn output_write_failure_exits_5() {
    // stdout closed: writing the report fails.
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("rtctl"));
    cmd.arg("plan")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(5));
}

#[test]
fn colour_only_when_asked() {
    let plain = rtctl()
        .arg("plan")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!plain.contains(&0x1b));
    let forced = rtctl()
        .args(["plan", "--color", "always"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(forced.contains(&0x1b));
}
