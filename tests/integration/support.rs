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

/// A private `redis-server` on a free loopback port, killed on drop. Data lives in a temporary
/// directory with an append-only file, so `restart()` keeps the streams (a Redis restart, not a
/// wipe).
pub struct RedisServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

impl RedisServer {
    /// Start one, or `None` (with a message) when redis-server is not installed and CI is unset.
    pub fn start() -> Option<RedisServer> {
        if std::process::Command::new("redis-server")
            .arg("--version")
            .output()
            .is_err()
        {
            assert!(
                std::env::var_os("CI").is_none(),
                "redis-server is not installed; .ci/run must install it"
            );
            eprintln!("skipping: redis-server is not installed (apt-get install redis-server)");
            return None;
        }
        let port = free_port();
        let mut r = RedisServer {
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        r.spawn();
        Some(r)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn spawn(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                "--save",
                "",
            ])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server did not listen on {}",
                self.port
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Kill the server (SIGKILL: connections drop at once).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
