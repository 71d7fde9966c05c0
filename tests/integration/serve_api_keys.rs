//! Named API keys with scopes against a real `rtctl serve --api-keys FILE`: a publish key
//! publishes (202), a read key reads but may not publish (403), an unknown key is refused
//! (401), a key removed from the file stops working within seconds without a restart, a file
//! that no longer parses keeps the previous keys, and a bad file at start is exit code 3.

use std::time::{Duration, Instant};

use crate::support::{free_port, rtctl, succeeded, ServeProcess};

const KEYS: &str = r#"
[[key]]
name = "billing"
secret = "billing-publish-secret"
scope = "publish"

[[key]]
name = "dashboard"
# sha256("dashboard-read-secret")
sha256 = "SHA"
scope = "read"
"#;

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn post(node: &ServeProcess, key: Option<&str>) -> (u16, serde_json::Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/notifications", node.url()))
        .header("content-type", "application/json")
        .body(r#"{"target":{"device":"dev-1"},"payload":{"n":1}}"#);
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

async fn get(node: &ServeProcess, path: &str, key: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", node.url()));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoped_keys_publish_read_and_revoke_without_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.toml");
    let keys = KEYS.replace("SHA", &sha256_hex("dashboard-read-secret"));
    std::fs::write(&file, &keys).unwrap();
    let node = ServeProcess::start("k1", &["--api-keys", file.to_str().unwrap()]);

    let (s, v) = post(&node, Some("billing-publish-secret")).await;
    assert_eq!(s, 202, "{v}");
    let (s, v) = post(&node, Some("dashboard-read-secret")).await;
    assert_eq!(s, 403, "{v}");
    assert!(v["error"].as_str().unwrap().contains("scope"), "{v}");
    for key in [Some("nope"), None] {
        let (s, v) = post(&node, key).await;
        assert_eq!(s, 401, "{key:?}: {v}");
    }
    // Reads: any key; probes: none.
    for path in ["/metrics", "/health"] {
        assert_eq!(get(&node, path, None).await.0, 401, "{path}");
        let (s, body) = get(&node, path, Some("dashboard-read-secret")).await;
        assert_eq!(s, 200, "{path}: {body}");
        assert_eq!(
            get(&node, path, Some("billing-publish-secret")).await.0,
            200
        );
    }
    for path in ["/health/live", "/health/ready"] {
        assert_eq!(get(&node, path, None).await.0, 200, "{path}");
    }

    // `rtctl publish` sends RTCTL_API_KEY: 0 with the publish key, 7 (refused) with the read key.
    let publish = |key: &str| {
        rtctl()
            .args(["publish", "--url", &node.url(), "--all"])
            .env("RTCTL_API_KEY", key)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap()
    };
    let out = publish("billing-publish-secret");
    succeeded(&out);
    let out = publish("dashboard-read-secret");
    assert_eq!(out.status.code(), Some(7));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("403"),
        "{out:?}"
    );

    // A file that no longer parses keeps the previous keys.
    std::fs::write(&file, "[[key]]\nname = \"billing\"\nscope = \"publish\"\n").unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(post(&node, Some("billing-publish-secret")).await.0, 202);

    // Revoke billing: rewrite the file without it; refused within a few seconds, no restart.
    let revoked = keys.replace(
        "[[key]]\nname = \"billing\"\nsecret = \"billing-publish-secret\"\nscope = \"publish\"\n",
        "[[key]]\nname = \"billing-2\"\nsecret = \"rotated-publish-secret\"\nscope = \"publish\"\n",
    );
    assert_ne!(revoked, keys);
    std::fs::write(&file, &revoked).unwrap();
    let t = Instant::now();
    loop {
        let (s, _) = post(&node, Some("billing-publish-secret")).await;
        if s == 401 {
            break;
        }
        assert_eq!(s, 202);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "still accepted after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("revoked in {:?}", t.elapsed());
    assert_eq!(post(&node, Some("rotated-publish-secret")).await.0, 202);
    assert_eq!(post(&node, Some("dashboard-read-secret")).await.0, 403);

    let (_, m) = get(&node, "/metrics", Some("dashboard-read-secret")).await;
    for line in [
        "rtctl_api_key_refused_total{reason=\"scope\"} 3",
        "rtctl_api_keys{scope=\"publish\"} 1",
        "rtctl_api_keys_reloads_total{result=\"ok\"} 1",
        "rtctl_api_keys_reloads_total{result=\"error\"} 1",
    ] {
        assert!(m.contains(line), "{line} in\n{m}");
    }
    assert!(m.contains("rtctl_api_key_refused_total{reason=\"unknown\"} "));
}

#[test]
fn a_bad_keys_file_stops_the_node_at_start_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[[key]]\nname = \"a\"\nsecret = \"s\"\nscope = \"publish\"\n\n[[key]]\nname = \"a\"\nsecret = \"t\"\nscope = \"read\"\n",
            "keys.toml:7: key[1].name: duplicate name \"a\"",
        ),
        (
            "[[key]]\nname = \"a\"\nsecret = \"\"\nscope = \"publish\"\n",
            "keys.toml:3: key[0].secret: empty",
        ),
        (
            "[[key]]\nname = \"a\"\nsecret = \"s\"\nscope = \"admin\"\n",
            "keys.toml:4: key[0].scope: unknown scope \"admin\": expected \"publish\" or \"read\"",
        ),
    ];
    for (text, want) in cases {
        let file = dir.path().join("keys.toml");
        std::fs::write(&file, text).unwrap();
        let out = rtctl()
            .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
            .arg("--api-keys")
            .arg(&file)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains(want), "{want:?} in {err}");
    }
    let out = rtctl()
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .args(["--api-keys", "/nonexistent/keys.toml"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/keys.toml: cannot read"));
}

/// SIGHUP re-reads the file at once (and no longer ends the node), and each accepted publish is
/// logged (debug) with its key's name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_and_the_publish_log_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.toml");
    let keys = KEYS.replace("SHA", &sha256_hex("dashboard-read-secret"));
    std::fs::write(&file, &keys).unwrap();
    let log = dir.path().join("serve.log");
    let port = free_port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rtctl"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--node-id",
            "k2",
        ])
        .arg("--api-keys")
        .arg(&file)
        .env("RUST_LOG", "rtctl=debug")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let t = Instant::now();
    while reqwest::get(format!("{url}/health/live")).await.is_err() {
        assert!(t.elapsed() < Duration::from_secs(10), "node did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let res = reqwest::Client::new()
        .post(format!("{url}/api/v1/notifications"))
        .bearer_auth("billing-publish-secret")
        .header("content-type", "application/json")
        .body(r#"{"target":{"all":true},"payload":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 202);
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(child.try_wait().unwrap().is_none(), "SIGHUP ended the node");
    assert_eq!(
        reqwest::get(format!("{url}/health/live"))
            .await
            .unwrap()
            .status(),
        200
    );
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.lines()
            .any(|l| l.contains("publish accepted") && l.contains("billing")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("API keys reloaded") && l.contains("keys=2")),
        "{text}"
    );
}
