//! Redis with a password (`redis://:PASSWORD@…`, a server started with `--requirepass`) and
//! over TLS (`rediss://`, a certificate signed by a CA made at test time, verified with
//! `--redis-ca`): `serve` delivers, `status` and `top --once` read the heartbeats, `publish`
//! goes through; a wrong password, a missing password and an untrusted certificate are clear
//! errors with exit code 4, and the password never appears in them.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::serve_node::{events, Devices};
use crate::support::{free_port, rtctl, succeeded, ServeProcess};

/// A private redis-server with extra flags, killed on drop.
struct Redis {
    child: Child,
}

impl Redis {
    fn start(port: u16, args: &[&str]) -> Redis {
        // A config file must come first.
        let (conf, args) = match args.first() {
            Some(a) if a.ends_with(".conf") => (Some(*a), &args[1..]),
            _ => (None, args),
        };
        let child = Command::new("redis-server")
            .args(conf)
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Redis { child }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A node on `url` (extra flags after it) delivers a `rtctl publish` to a device; `status` and
/// `top --once` with the same flags exit 0.
fn delivers_through(url: &str, extra: &[&str], ns: &str) {
    let mut flags = vec!["--redis", url, "--namespace", ns];
    flags.extend_from_slice(extra);
    let node = ServeProcess::start(&format!("{ns}-node"), &flags);
    let mut dev = Devices::start(json!({
        "url": node.url(), "ids": ["sec-1"], "transports": ["websocket"],
        "expect": 1, "timeoutMs": 20000
    }));
    dev.wait_ready();
    let out = rtctl()
        .args([
            "publish",
            "--url",
            &node.url(),
            "--device",
            "sec-1",
            "--payload",
            r#"{"ok":1}"#,
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    succeeded(&out);
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let r = dev.result();
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        events(&r, "sec-1"),
        vec![json!(["notification:direct", {"ok": 1}, id])]
    );
    // The heartbeat is written every second.
    std::thread::sleep(Duration::from_millis(1500));
    for cmd in [&["status"][..], &["top", "--once"][..]] {
        let out = rtctl()
            .args(cmd)
            .args(&flags[..4])
            .args(extra)
            .args(["-o", "json"])
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{cmd:?}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(&format!("{ns}-node")), "{cmd:?}: {stdout}");
    }
}

/// `cmd` fails with exit code 4, saying `why`, without `secret` anywhere.
fn refused(args: &[&str], why: &str, secret: Option<&str>) {
    let out = rtctl()
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{args:?}: {err}");
    assert!(err.contains(why), "{args:?}: {why:?} in {err}");
    if let Some(s) = secret {
        assert!(!err.contains(s), "the password leaked: {err}");
    }
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
fn a_password_protected_redis_works_and_a_wrong_password_is_exit_4() {
    let port = free_port();
    let _redis = Redis::start(
        port,
        &["--port", &port.to_string(), "--requirepass", "pw-Zq81"],
    );
    delivers_through(&format!("redis://:pw-Zq81@127.0.0.1:{port}/"), &[], "it-pw");

    let wrong = format!("redis://:wrong-Kx9@127.0.0.1:{port}/");
    let none = format!("redis://127.0.0.1:{port}/");
    let listen = format!("127.0.0.1:{}", free_port());
    for url in [&wrong, &none] {
        refused(
            &["serve", "--listen", &listen, "--redis", url],
            "authentication refused: check the user and password",
            Some("wrong-Kx9"),
        );
        refused(
            &["status", "--redis", url],
            "authentication refused",
            Some("wrong-Kx9"),
        );
    }
    refused(
        &["serve", "--listen", &listen, "--redis", &wrong],
        &format!("redis at redis://:***@127.0.0.1:{port}/: unreachable"),
        None,
    );
}

fn write_pki(dir: &Path) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "rtctl test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut server =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()]).unwrap();
    server
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    let cert = server.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
    // A CA that signed nothing here: the server's certificate is not trusted with it.
    let other = rcgen::generate_simple_self_signed(vec!["x".to_string()]).unwrap();
    std::fs::write(dir.join("other-ca.pem"), other.cert.pem()).unwrap();
}

#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
fn a_tls_redis_verified_with_a_ca_file_delivers() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let p = |f: &str| dir.path().join(f).to_str().unwrap().to_string();
    let port = free_port();
    let _redis = Redis::start(
        port,
        &[
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            &p("server.pem"),
            "--tls-key-file",
            &p("server.key"),
            "--tls-ca-cert-file",
            &p("ca.pem"),
            "--tls-auth-clients",
            "no",
        ],
    );
    let url = format!("rediss://127.0.0.1:{port}/");
    delivers_through(&url, &["--redis-ca", &p("ca.pem")], "it-tls");

    let listen = format!("127.0.0.1:{}", free_port());
    // Not signed by the CA given (or, without --redis-ca, by any system root): refused.
    refused(
        &[
            "serve",
            "--listen",
            &listen,
            "--redis",
            &url,
            "--redis-ca",
            &p("other-ca.pem"),
        ],
        "--redis-ca FILE",
        None,
    );
    refused(
        &["status", "--redis", &url],
        "the server's certificate is not trusted",
        None,
    );
    // Plain redis:// on the TLS port: a clear error too.
    refused(
        &["status", "--redis", &format!("redis://127.0.0.1:{port}/")],
        "(a TLS port? then use rediss://)",
        None,
    );
    // A --redis-ca that is not PEM: bad input, exit 3.
    let out = rtctl()
        .args(["status", "--redis", &url, "--redis-ca", &p("server.key")])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("--redis-ca"), "{err}");
}

/// `rediss+sentinel://`: a TLS-only primary and a TLS-only sentinel (`port 0`), verified with
/// `--redis-ca`; the node finds the primary through the sentinel and delivers.
#[test]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
fn a_tls_sentinel_and_primary_verified_with_a_ca_file_deliver() {
    let dir = tempfile::tempdir().unwrap();
    write_pki(dir.path());
    let p = |f: &str| dir.path().join(f).to_str().unwrap().to_string();
    let tls = [
        "--tls-cert-file",
        &p("server.pem"),
        "--tls-key-file",
        &p("server.key"),
        "--tls-ca-cert-file",
        &p("ca.pem"),
        "--tls-auth-clients",
        "no",
    ]
    .map(String::from);
    let primary_port = free_port();
    let mut args = vec![
        "--port".to_string(),
        "0".into(),
        "--tls-port".into(),
        primary_port.to_string(),
    ];
    args.extend(tls.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let _primary = Redis::start(primary_port, &args);
    let sentinel_port = free_port();
    let conf = dir.path().join("sentinel.conf");
    std::fs::write(
        &conf,
        format!(
            "port 0\ntls-port {sentinel_port}\ntls-cert-file {}\ntls-key-file {}\n\
             tls-ca-cert-file {}\ntls-auth-clients no\ntls-replication yes\n\
             sentinel monitor mymaster 127.0.0.1 {primary_port} 1\n",
            p("server.pem"),
            p("server.key"),
            p("ca.pem")
        ),
    )
    .unwrap();
    let _sentinel = Redis::start(sentinel_port, &[conf.to_str().unwrap(), "--sentinel"]);
    let url = format!("rediss+sentinel://127.0.0.1:{sentinel_port}/mymaster");
    // The sentinel may take a moment to know the primary.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = rtctl()
            .args(["status", "--redis", &url, "--redis-ca", &p("ca.pem")])
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        if out.status.code() != Some(4) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "sentinel never named the primary: {err}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    delivers_through(&url, &["--redis-ca", &p("ca.pem")], "it-tls-sentinel");
    refused(
        &["status", "--redis", &url, "--redis-ca", &p("other-ca.pem")],
        "--redis-ca FILE",
        None,
    );
}
