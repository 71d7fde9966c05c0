//! Shared helpers: a hermetic `rtctl` command, paths, and the real services the tests drive.
//!
//! # A test that needs a tool says so in one attribute line
//!
//! `build.rs` finds the tools and sets `cfg(have_<tool>)` for each one present, so a test that
//! needs a missing tool is compiled as ignored and cargo's summary counts it as ignored, with the
//! reason, never as passed:
//!
//! ```ignore
//! #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
//! #[cfg_attr(not(have_redis), ignore = "redis-server not found")]
//! #[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
//! async fn my_test() { ... }
//! ```
//!
//! | cfg | present when | helpers that need it |
//! |---|---|---|
//! | `have_redis` | `redis-server` and `redis-cli` run | [`RedisServer`], [`RedisCluster`] |
//! | `have_node_modules` | `node` runs and tests/node/node_modules holds socket.io-client, engine.io-client, pm2 | [`node_dir`], `serve_node::Devices` |
//! | `have_nginx` | `nginx -v` runs (PATH or /usr/sbin) | [`Nginx`] |
//! | `have_haproxy` | `haproxy -v` runs | |
//! | `have_promtool` | `promtool --version` runs | |
//! | `have_python_socketio` | `python3` imports socketio and aiohttp | [`python3`] |
//! | `have_pyyaml` | `python3` imports yaml | [`python3`] |
//! | `have_ss` | `ss -V` runs (iproute2) | |
//! | `have_tmux` | `tmux -V` runs | |
//! | `have_systemd_analyze` | `systemd-analyze --version` runs | |
//!
//! Use the reason strings above ("<tool> not found") so `cargo test` output reads the same
//! everywhere. Several attributes may stack; with one missing tool the test is ignored.
//! `tests/fetch` installs the pinned npm and pip packages into tests/node/node_modules and
//! tests/python/site; build.rs notices and the next `cargo test` runs those tests.
//!
//! Under `CI=true` a missing tool fails the run (`ci_gate::every_tool_the_tests_use_is_present_under_ci`),
//! and a helper asked for a tool that is missing panics (the test lacks its attribute): a test
//! that did not run is never reported as passed.

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

/// The command exited 0 (else the test fails showing its stderr).
#[track_caller]
pub fn succeeded(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `rtctl token issue --key-file FILE ARGS…`: the token (the command must succeed).
pub fn issue_token(file: &str, args: &[&str]) -> String {
    let out = rtctl()
        .args(["token", "issue", "--key-file", file])
        .args(args)
        .output()
        .unwrap();
    succeeded(&out);
    String::from_utf8(out.stdout).unwrap().trim().to_string()
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
    /// Start one. Needs `have_redis`.
    pub fn start() -> RedisServer {
        require(cfg!(have_redis), "have_redis", "redis-server not found");
        let port = free_port();
        let mut r = RedisServer {
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        r.spawn();
        r
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

/// An `rtctl serve` process on a free loopback port, killed on drop.
pub struct ServeProcess {
    pub port: u16,
    pub node_id: String,
    child: Option<std::process::Child>,
}

impl ServeProcess {
    /// Start a node with extra flags and wait until `/health/live` answers.
    pub fn start(node_id: &str, extra: &[&str]) -> ServeProcess {
        let port = free_port();
        Self::start_on(port, node_id, extra)
    }

    pub fn start_on(port: u16, node_id: &str, extra: &[&str]) -> ServeProcess {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("rtctl"));
        // Settings come from the flags only, not from the developer's RTCTL_* (e.g. RTCTL_FLEET).
        for (k, _) in std::env::vars() {
            if k.starts_with("RTCTL_") {
                cmd.env_remove(k);
            }
        }
        let child = cmd
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--node-id",
                node_id,
            ])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(if std::env::var_os("RTCTL_TEST_LOG").is_some() {
                std::process::Stdio::inherit()
            } else {
                std::process::Stdio::null()
            })
            .spawn()
            .expect("rtctl serve starts");
        let p = ServeProcess {
            port,
            node_id: node_id.into(),
            child: Some(child),
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                use std::io::{Read, Write};
                let _ = s.write_all(
                    b"GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                );
                let mut buf = String::new();
                let _ = s.read_to_string(&mut buf);
                if buf.starts_with("HTTP/1.1 200") {
                    return p;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "rtctl serve did not come up on {port}"
            );
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGKILL: the node dies without draining.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, then wait for the exit status (at most `within`).
    pub fn terminate(&mut self, within: std::time::Duration) -> Option<std::process::ExitStatus> {
        let mut c = self.child.take()?;
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                return Some(st);
            }
            if std::time::Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `tests/node` with node_modules installed. Needs `have_node_modules`.
pub fn node_dir() -> PathBuf {
    require(
        cfg!(have_node_modules),
        "have_node_modules",
        "tests/node/node_modules not found",
    );
    root().join("tests/node")
}

/// `python3` with tests/python/site (where tests/fetch installs the pinned packages) first on
/// PYTHONPATH, and no bytecode written into the checkout. Needs `have_python_socketio` or
/// `have_pyyaml`, depending on what the script imports.
pub fn python3() -> std::process::Command {
    let mut paths = vec![root().join("tests/python/site")];
    if let Some(p) = std::env::var_os("PYTHONPATH") {
        paths.extend(std::env::split_paths(&p));
    }
    let mut cmd = std::process::Command::new("python3");
    cmd.env(
        "PYTHONPATH",
        std::env::join_paths(paths).expect("PYTHONPATH"),
    )
    .env("PYTHONDONTWRITEBYTECODE", "1");
    cmd
}

/// Panics when a helper is asked for a tool build.rs did not find: the calling test lacks its
/// `#[cfg_attr(not(<cfg>), ignore = "<reason>")]` line (or was run with `--ignored`).
pub fn require(present: bool, cfg: &str, reason: &str) {
    assert!(
        present,
        "{reason}: this test needs #[cfg_attr(not({cfg}), ignore = \"{reason}\")] \
         (see tests/integration/support.rs), or run tests/fetch / install the tool"
    );
}

/// A real nginx (Debian) on a free loopback port, sticky on the device id:
/// `hash $key consistent` with the query `deviceId` first and the header as fallback.
pub struct Nginx {
    pub port: u16,
    _dir: tempfile::TempDir,
    child: std::process::Child,
}

impl Nginx {
    /// Needs `have_nginx`. Sized for `devices` proxied
    /// websockets (2 fds each): `worker_connections` (default 8192) and `worker_rlimit_nofile`
    /// grow when needed.
    pub fn start_sized(backends: &[u16], devices: usize) -> Nginx {
        require(cfg!(have_nginx), "have_nginx", "nginx not found");
        let conns = (2 * devices + 512).max(8192);
        let bin = ["/usr/sbin/nginx", "nginx"]
            .into_iter()
            .find(|b| std::process::Command::new(b).arg("-v").output().is_ok())
            .expect("nginx runs");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let servers: String = backends
            .iter()
            .map(|p| format!("server 127.0.0.1:{p};\n"))
            .collect();
        let rlimit = if conns > 8192 {
            format!("worker_rlimit_nofile {};", conns + 64)
        } else {
            String::new()
        };
        let conf = format!(
            r#"pid nginx.pid;
error_log stderr warn;
worker_processes 1;
{rlimit}
events {{ worker_connections {conns}; }}
http {{
  access_log off;
  client_body_temp_path tmp_body; proxy_temp_path tmp_proxy; fastcgi_temp_path tmp_fcgi; uwsgi_temp_path tmp_uwsgi; scgi_temp_path tmp_scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  map $arg_deviceId $rtctl_key {{ '' $http_x_device_id; default $arg_deviceId; }}
  upstream sio {{ hash $rtctl_key consistent; {servers} }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://sio;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_read_timeout 3600s; proxy_send_timeout 3600s;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
    }}
  }}
}}
"#
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = std::process::Command::new(bin)
            .arg("-p")
            .arg(dir.path())
            .args(["-e", "stderr", "-c", "nginx.conf", "-g", "daemon off;"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nginx starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "nginx did not listen");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Nginx {
            port,
            _dir: dir,
            child,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    /// SIGTERM to the master, which stops its worker (a SIGKILLed master leaves the worker
    /// running, orphaned, with its listening socket and connections); SIGKILL after 5 s.
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A local 3-master Redis Cluster (`redis-server --cluster-enabled yes` ×3 and
/// `redis-cli --cluster create`), killed on drop.
pub struct RedisCluster {
    pub ports: Vec<u16>,
    _dirs: Vec<tempfile::TempDir>,
    children: Vec<std::process::Child>,
}

impl RedisCluster {
    pub fn start() -> RedisCluster {
        require(cfg!(have_redis), "have_redis", "redis-server not found");
        // Cluster bus ports are port + 10000: pick ports whose bus port is free too.
        let mut ports = Vec::new();
        let mut candidate = 20_000 + (std::process::id() % 5_000) as u16;
        while ports.len() < 3 {
            candidate += 1;
            let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
            if free(candidate) && free(candidate + 10_000) {
                ports.push(candidate);
            }
        }
        let mut dirs = Vec::new();
        let mut children = Vec::new();
        for p in &ports {
            let dir = tempfile::tempdir().unwrap();
            let child = std::process::Command::new("redis-server")
                .args([
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    &p.to_string(),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .args([
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                ])
                .arg("--dir")
                .arg(dir.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("redis-server starts");
            dirs.push(dir);
            children.push(child);
        }
        for p in &ports {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", *p)).is_err() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "cluster node {p} did not listen"
                );
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        let addrs: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let out = std::process::Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addrs)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .output()
            .expect("redis-cli runs");
        assert!(
            out.status.success(),
            "cluster create: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let c = RedisCluster {
            ports,
            _dirs: dirs,
            children,
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let info = std::process::Command::new("redis-cli")
                .args(["-p", &c.ports[0].to_string(), "cluster", "info"])
                .output()
                .unwrap();
            if String::from_utf8_lossy(&info.stdout).contains("cluster_state:ok") {
                return c;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "cluster did not become ok"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// One node's URL: rtctl finds the rest of the cluster from it.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.ports[0])
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits (at most 15 s, polling every 100 ms) until `f` holds; fails naming `what`.
pub async fn until(what: &str, mut f: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !f().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
