//! The skip mechanism itself: a crate built with this project's build.rs and the same
//! `#[cfg_attr(not(have_…), ignore = "…")]` lines, in a folder without tests/node/node_modules
//! (and without tests/python/site), reports the test that needs them as ignored with the reason,
//! never as passed; under `CI=true` the same run fails and names what is missing.

use std::path::Path;
use std::process::Command;

use crate::support::root;

/// Writes the probe crate into `dir`: build.rs of this checkout, `ci_gate.rs`, two tests.
fn probe_crate(dir: &Path) {
    let build = root().join("build.rs");
    let gate = root().join("tests/integration/ci_gate.rs");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"rtctl-skip-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\nbuild = {build:?}\n\n[workspace]\n\n[lib]\npath = \"lib.rs\"\n\n\
             [[test]]\nname = \"probe\"\npath = \"probe.rs\"\n",
            build = build.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(dir.join("lib.rs"), "").unwrap();
    std::fs::write(
        dir.join("probe.rs"),
        format!(
            "#[path = {gate:?}]\nmod ci_gate;\n\n\
             #[test]\n\
             #[cfg_attr(not(have_node_modules), ignore = \"tests/node/node_modules not found\")]\n\
             fn needs_the_npm_packages() {{\n    panic!(\"ran without tests/node/node_modules\");\n}}\n\n\
             #[test]\n\
             #[cfg_attr(not(have_python_socketio), ignore = \"python-socketio not found\")]\n\
             fn needs_python_socketio() {{\n    panic!(\"ran without tests/python/site\");\n}}\n\n\
             #[test]\nfn needs_nothing() {{\n    assert_eq!(1 + 1, 2);\n}}\n",
            gate = gate.display().to_string()
        ),
    )
    .unwrap();
}

fn cargo_test(dir: &Path, ci: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["test", "--offline", "--test", "probe"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("CI")
        .env_remove("PYTHONPATH")
        .env("CARGO_TERM_COLOR", "never");
    if let Some(v) = ci {
        cmd.env("CI", v);
    }
    let out = cmd.output().expect("cargo runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn a_test_whose_tool_is_missing_shows_as_ignored_not_passed() {
    let dir = tempfile::tempdir().unwrap();
    probe_crate(dir.path());

    let (ok, text) = cargo_test(dir.path(), None);
    assert!(ok, "probe run failed:\n{text}");
    assert!(
        text.contains("test needs_the_npm_packages ... ignored, tests/node/node_modules not found"),
        "{text}"
    );
    // python-socketio may be installed system-wide; then the test runs (and fails loudly).
    assert!(
        text.contains("test needs_python_socketio ... ignored, python-socketio not found"),
        "{text}"
    );
    assert!(text.contains("test needs_nothing ... ok"), "{text}");
    assert!(
        text.contains("test result: ok. 2 passed; 0 failed; 2 ignored"),
        "the summary counts the skipped tests as ignored:\n{text}"
    );
    assert!(
        text.contains("warning: rtctl-skip-probe@0.0.0: tests needing these are ignored:")
            && text.contains("node or tests/node/node_modules not found (tests/fetch)"),
        "cargo warns about the missing tools:\n{text}"
    );

    let (ok, text) = cargo_test(dir.path(), Some("true"));
    assert!(!ok, "CI=true with a tool missing must fail:\n{text}");
    assert!(
        text.contains("every_tool_the_tests_use_is_present_under_ci ... FAILED")
            && text.contains("CI is set, but tests needing these would be ignored")
            && text.contains("tests/node/node_modules not found"),
        "{text}"
    );
}
