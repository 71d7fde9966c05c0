//! Shared helpers: a hermetic `rtctl` command and paths.

use std::path::PathBuf;

use assert_cmd::Command;

/// The built binary with a clean environment: no RTCTL_* variables, no colour, no backtraces.
pub fn rtctl() -> Command {
    let mut cmd = Command::cargo_bin("rtctl").expect("binary built");
    for (k, _) in std::env::vars() {
        if k.starts_with("RTCTL_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0")
        .env_remove("RUST_LOG")
        .current_dir(root());
    cmd
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/fixtures/gateway-vectors/public.json`.
pub fn vectors_path() -> PathBuf {
    root().join("../shared/fixtures/gateway-vectors/public.json")
}

/// Run and parse stdout as JSON, asserting success.
pub fn json(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("stdout is JSON")
}
