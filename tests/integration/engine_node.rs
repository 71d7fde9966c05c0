//! The official `socket.io-client` 4.8.x and `engine.io-client` (npm, pinned in
//! `tests/node/package.json`) against the conformance server, in-process.
//!
//! Needs `tests/fetch` (`npm ci` into tests/node/node_modules) and `node`: without them these
//! tests are reported as ignored (see tests/integration/support.rs).

use std::time::Duration;

use rtctl::engine::CloseReason;

use super::engine_support::*;
use crate::support::node_dir;

/// Runs one scenario of `sio-client.mjs`; returns its JSON report.
async fn scenario(name: &str, base: &str, env: &[(&str, &str)]) -> serde_json::Value {
    let dir = node_dir();
    let mut cmd = tokio::process::Command::new("node");
    cmd.arg(dir.join("sio-client.mjs"))
        .arg(name)
        .arg(base)
        .current_dir(&dir)
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(Duration::from_secs(20), cmd.output())
        .await
        .unwrap_or_else(|_| panic!("{name}: node did not finish in 20 s"))
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("{name}: no report\nstdout: {stdout}\nstderr: {stderr}"));
    assert!(
        out.status.success() && report["ok"] == true,
        "{name} failed: {report}\nstderr: {stderr}"
    );
    report
}

fn base(srv: &TestServer) -> String {
    format!("http://{}", srv.addr)
}

/// Polling → WebSocket upgrades the server completed.
fn upgrades(srv: &TestServer) -> u64 {
    srv.sio
        .stats()
        .upgrades_total
        .load(std::sync::atomic::Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn node_client_polling_only() {
    let srv = start().await;
    let r = scenario("polling", &base(&srv), &[]).await;
    assert_eq!(r["transport"], "polling");
    assert_eq!(upgrades(&srv), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn node_client_websocket_only() {
    let srv = start().await;
    let r = scenario("websocket", &base(&srv), &[]).await;
    assert_eq!(r["transport"], "websocket");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn node_client_polling_upgrades_to_websocket() {
    let srv = start().await;
    let r = scenario("upgrade", &base(&srv), &[]).await;
    assert_eq!(r["transport"], "websocket");
    assert_eq!(upgrades(&srv), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn node_client_acks_both_ways() {
    let srv = start().await;
    scenario("acks", &base(&srv), &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn node_client_binary() {
    let srv = start().await;
    scenario("binary", &base(&srv), &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn node_client_connect_error() {
    let srv = start().await;
    let r = scenario("connect-error", &base(&srv), &[]).await;
    assert_eq!(r["message"], "Invalid namespace");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn node_client_ping_timeout_is_detected() {
    let srv = start().await;
    for transport in ["websocket", "polling"] {
        let r = scenario("ping-timeout", &base(&srv), &[("TRANSPORT", transport)]).await;
        // the client stopped answering at a ping: closed ~pingTimeout later
        assert_eq!(r["reason"], "transport close", "{transport}");
        let elapsed = r["elapsed"].as_u64().expect("elapsed");
        assert!(
            (150..1500).contains(&elapsed),
            "{transport}: closed {elapsed} ms after the first unanswered ping"
        );
    }
    assert_eq!(srv.sio.stats().closed(CloseReason::PingTimeout), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn node_engine_io_client_echo() {
    let srv = start().await;
    scenario("eio-echo", &base(&srv), &[]).await;
}
