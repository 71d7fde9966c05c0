//! The metrics text passes `promtool check metrics` (Debian package `prometheus`).

use std::io::Write;
use std::process::{Command, Stdio};

use rtctl::serve::metrics::{Metrics, Process};

#[test]
#[cfg_attr(not(have_promtool), ignore = "promtool not found")]
fn metrics_pass_promtool() {
    crate::support::require(cfg!(have_promtool), "have_promtool", "promtool not found");
    let m = Metrics::default();
    m.sent("notification", 7);
    m.disconnected("transport close");
    let text = m.render("node-1", Process::read());
    promtool_check(&text);
}

/// `promtool check metrics` accepts `text` without a word.
pub fn promtool_check(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
