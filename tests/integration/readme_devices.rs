//! The README's device snippets (tests/node/readme-device.mjs for the official socket.io-client,
//! tests/python/readme_device.py for python-socketio) are in the README verbatim and work: they
//! join their department, print every notification with its offset, and after their node is
//! killed and restarted they join again and are replayed what was published meanwhile.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;

use crate::serve_node::publish_ok;
use crate::support::{free_port, node_dir, python3, root, RedisServer, ServeProcess};

/// A running snippet whose stdout lines arrive on a channel; killed on drop.
struct Snippet {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Snippet {
    fn start(mut cmd: Command) -> Snippet {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("snippet starts");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Snippet { child, lines }
    }

    /// The next line, within 20 s.
    fn next(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("the snippet printed a line within 20 s")
    }
}

impl Drop for Snippet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn run(start: impl Fn(&str) -> Command) {
    let redis = RedisServer::start();
    let port = free_port();
    let flags = ["--redis", &redis.url()];
    let mut node = ServeProcess::start_on(port, "readme-a", &flags);
    let other = ServeProcess::start("readme-b", &flags);
    let dev = Snippet::start(start(&node.url()));
    assert_eq!(dev.next(), "subscribed department:D7");

    let d = publish_ok(
        &node,
        json!({"department": "D7"}),
        json!({"title": "drill"}),
    )
    .await;
    let x = publish_ok(&node, json!({"device": "readme-dev"}), json!("only you")).await;
    publish_ok(&node, json!({"department": "D8"}), json!("not yours")).await;
    let b = publish_ok(&node, json!({"all": true}), json!({"n": 1})).await;
    assert_eq!(
        dev.next(),
        format!(r#"notification {{"title":"drill"}} {d}"#)
    );
    assert_eq!(dev.next(), format!(r#"notification:direct "only you" {x}"#));
    assert_eq!(
        dev.next(),
        format!(r#"notification:broadcast {{"n":1}} {b}"#)
    );

    // The device's node dies; a notification is published on another node meanwhile.
    node.kill();
    let missed = publish_ok(&other, json!({"device": "readme-dev"}), json!("missed")).await;
    let node = ServeProcess::start_on(port, "readme-a", &flags);
    // It reconnects with its offset: replayed what it missed, and joins D7 again.
    let mut after_restart = vec![dev.next(), dev.next()];
    after_restart.sort();
    assert_eq!(
        after_restart,
        [
            format!(r#"notification:direct "missed" {missed}"#),
            "subscribed department:D7".to_string()
        ]
    );
    let again = publish_ok(&node, json!({"department": "D7"}), json!("after")).await;
    assert_eq!(dev.next(), format!(r#"notification "after" {again}"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn the_readme_socket_io_client_snippet_works() {
    let dir = node_dir();
    run(|url| {
        let mut cmd = Command::new("node");
        cmd.arg(dir.join("readme-device.mjs"))
            .current_dir(&dir)
            .env("RTCTL_URL", url)
            .env("DEVICE_ID", "readme-dev");
        cmd
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_python_socketio), ignore = "python-socketio not found")]
async fn the_readme_python_socketio_snippet_works() {
    crate::support::require(
        cfg!(have_python_socketio),
        "have_python_socketio",
        "python-socketio not found",
    );
    run(|url| {
        let mut cmd = python3();
        cmd.arg(root().join("tests/python/readme_device.py"))
            .env("RTCTL_URL", url)
            .env("DEVICE_ID", "readme-dev");
        cmd
    })
    .await;
}

#[test]
fn the_readme_shows_the_snippets_verbatim() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for f in [
        "tests/node/readme-device.mjs",
        "tests/python/readme_device.py",
    ] {
        let text = std::fs::read_to_string(root().join(f)).unwrap();
        // The README drops the first comment lines (they point back here).
        let body: String = text
            .lines()
            .skip_while(|l| l.starts_with("//") || l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            readme.contains(body.trim_start()),
            "README.md does not show {f} verbatim"
        );
    }
}
