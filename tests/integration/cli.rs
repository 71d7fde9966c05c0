//! Command-line surface: subcommands that exist, exit codes, errors that name the input.

use predicates::prelude::*;

use crate::support::{root, rtctl};

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
        "top",
        "status",
        "publish",
        "bench",
    ] {
        assert!(
            help.contains(present),
            "{present} missing from --help:\n{help}"
        );
    }
    assert!(
        !help.contains("generate"),
        "the hidden generate command must not be listed:\n{help}"
    );
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
fn a_closed_stdout_ends_quietly_and_a_failed_write_exits_5() {
    // `rtctl plan | head -1`: the reader is gone; rtctl ends quietly with 0, as Unix tools do.
    let out = std::process::Command::new("bash")
        .args(["-c", "set -o pipefail; \"$0\" plan | head -1"])
        .arg(assert_cmd::cargo::cargo_bin("rtctl"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // stdout closed before the first write: the same.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rtctl"))
        .args(["simulate", "nat", "--devices", "2000"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Any other failed write still exits 5 (a full device).
    if std::path::Path::new("/dev/full").exists() {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("rtctl"))
            .arg("plan")
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(5));
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write stdout"));
    }
}

#[test]
fn plan_refuses_zero_devices() {
    rtctl()
        .args(["plan", "--devices", "0"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(
            "rtctl: error: --devices: expected at least 1 device",
        ));
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("fleet.toml");
    let text = std::fs::read_to_string(root().join("fixtures/fleet.toml"))
        .unwrap()
        .replace("devices = 1200", "devices = 0");
    std::fs::write(&f, text).unwrap();
    rtctl()
        .args(["plan", "-f"])
        .arg(&f)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "workload.devices: expected at least 1",
        ));
}

#[test]
fn report_flags_only_on_commands_that_print_reports() {
    let help = |args: &[&str]| {
        String::from_utf8(
            rtctl()
                .args(args)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone(),
        )
        .unwrap()
    };
    for cmd in [&["plan", "--help"][..], &["simulate", "nat", "--help"]] {
        let h = help(cmd);
        assert!(h.contains("--output") && h.contains("--color"), "{cmd:?}");
    }
    let h = help(&["simulate", "assign", "--help"]);
    assert!(h.contains("--output") && !h.contains("--color"));
    for cmd in ["serve", "render-kong", "render-pm2", "render-systemd"] {
        let h = help(&[cmd, "--help"]);
        assert!(
            !h.contains("--output") && !h.contains("--color"),
            "{cmd}:\n{h}"
        );
    }
    rtctl().args(["serve", "--output", "json"]).assert().code(2);
}

#[test]
fn a_fleet_file_without_a_required_section_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("fleet.toml");
    let text = std::fs::read_to_string(root().join("fixtures/fleet.toml")).unwrap();
    let start = text.find("\n[gateway]\n").unwrap();
    let end = text.find("\n[[nodes]]\n").unwrap();
    std::fs::write(&f, format!("{}{}", &text[..start], &text[end..])).unwrap();
    rtctl()
        .args(["plan", "-f"])
        .arg(&f)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "fleet.toml: missing section [gateway]: a fleet file needs [gateway]",
        ))
        .stderr(predicate::str::contains("name:").not());
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
