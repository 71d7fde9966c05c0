//! Rendered configs in front of real gateways: `nginx -t` / `haproxy -c` accept them, and real
//! nginx 1.22 / HAProxy 2.6 route every device to the node `simulate::gateway` predicts, before
//! and after a node is removed (only that node's devices move). The official socket.io-client
//! connects through each gateway (polling then upgrade, and websocket-only) and receives a
//! direct notification published on the node the model predicts.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::serve_node::{publish_ok, Devices};
use crate::support::{free_port, rtctl, ServeProcess};

const DEVICES: usize = 600;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Nginx,
    Haproxy,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Haproxy => "haproxy",
        }
    }

    /// The installed binary. The test needs `have_nginx` / `have_haproxy` (see support.rs).
    fn binary(self) -> &'static str {
        let (candidates, cfg_present, cfg): (&[&'static str], bool, &str) = match self {
            Kind::Nginx => (
                &["/usr/sbin/nginx", "nginx"],
                cfg!(have_nginx),
                "have_nginx",
            ),
            Kind::Haproxy => (
                &["/usr/sbin/haproxy", "haproxy"],
                cfg!(have_haproxy),
                "have_haproxy",
            ),
        };
        crate::support::require(cfg_present, cfg, &format!("{} not found", self.name()));
        candidates
            .iter()
            .copied()
            .find(|b| Command::new(b).arg("-v").output().is_ok())
            .expect("found by build.rs")
    }
}

/// A fleet file for `nodes` (id, port, haproxy id) on loopback.
fn fleet_toml(kind: Kind, algorithm: &str, nodes: &[(&str, u16, u32)]) -> String {
    let mut s = format!(
        "name = \"loopback\"\n[gateway]\nkind = \"{}\"\nalgorithm = \"{algorithm}\"\nsticky_keys = [\"query:deviceId\", \"header:x-device-id\"]\n",
        kind.name()
    );
    for (id, port, hid) in nodes {
        s.push_str(&format!(
            "\n[[nodes]]\nid = \"{id}\"\nhost = \"127.0.0.1\"\nport = {port}\nhaproxy_id = {hid}\n"
        ));
    }
    s
}

/// Render with the real binary into `dir`, check it with the gateway's own checker.
fn render(kind: Kind, bin: &str, dir: &Path, fleet: &str, listen: u16) -> PathBuf {
    let fleet_path = dir.join("fleet.toml");
    std::fs::write(&fleet_path, fleet).unwrap();
    let conf = dir.join(match kind {
        Kind::Nginx => "nginx.conf",
        Kind::Haproxy => "haproxy.cfg",
    });
    rtctl()
        .arg(format!("render-{}", kind.name()))
        .arg("-f")
        .arg(&fleet_path)
        .args(["--listen", &format!("127.0.0.1:{listen}"), "--out"])
        .arg(&conf)
        .assert()
        .success();
    let check = match kind {
        Kind::Nginx => Command::new(bin)
            .arg("-t")
            .arg("-p")
            .arg(dir)
            .args(["-e", "stderr", "-c"])
            .arg(&conf)
            .output()
            .unwrap(),
        Kind::Haproxy => Command::new(bin)
            .args(["-c", "-f"])
            .arg(&conf)
            .output()
            .unwrap(),
    };
    assert!(
        check.status.success(),
        "{} rejects the rendered config:\n{}\n{}",
        kind.name(),
        String::from_utf8_lossy(&check.stderr),
        std::fs::read_to_string(&conf).unwrap()
    );
    conf
}

/// A running gateway, killed on drop.
struct Gateway {
    child: Child,
}

impl Gateway {
    fn start(kind: Kind, bin: &str, dir: &Path, conf: &Path, port: u16) -> Gateway {
        let mut cmd = Command::new(bin);
        match kind {
            Kind::Nginx => cmd
                .arg("-p")
                .arg(dir)
                .args(["-e", "stderr", "-c"])
                .arg(conf)
                .args(["-g", "daemon off;"]),
            Kind::Haproxy => cmd.args(["-db", "-f"]).arg(conf),
        };
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gateway starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "{kind:?} did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Gateway { child }
    }
}

impl Drop for Gateway {
    /// SIGTERM, so nginx's master stops its workers too (a SIGKILLed master leaves them
    /// listening); SIGKILL after 5 s.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One polling handshake through the gateway on a fresh connection; the `x-rtctl-node` header.
fn handshake_node(port: u16, device: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.set_nodelay(true).unwrap();
    // One write: several small ones meet Nagle and delayed ACKs (40 ms each).
    let req = format!(
        "GET /socket.io/?EIO=4&transport=polling&deviceId={device} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    assert!(buf.starts_with("HTTP/1.1 200"), "{device}: {buf}");
    buf.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("x-rtctl-node")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("{device}: no x-rtctl-node header in {buf}"))
}

/// The node id the library model predicts for each device.
fn predicted(fleet: &str, devices: &[String]) -> BTreeMap<String, String> {
    let f = rtctl::fleet::Fleet::parse(fleet, Path::new("fleet.toml")).unwrap();
    let b = rtctl::simulate::gateway::build(&f.gateway_spec()).unwrap();
    devices
        .iter()
        .map(|d| match b.pick(d.as_bytes()) {
            rtctl::simulate::gateway::Pick::Target(i) => (d.clone(), f.nodes[i].id.clone()),
            other => panic!("{d}: model says {other:?}"),
        })
        .collect()
}

fn observed(port: u16, devices: &[String]) -> BTreeMap<String, String> {
    devices
        .iter()
        .map(|d| (d.clone(), handshake_node(port, d)))
        .collect()
}

fn mismatches(want: &BTreeMap<String, String>, got: &BTreeMap<String, String>) -> Vec<String> {
    want.iter()
        .filter(|(d, n)| got.get(*d) != Some(n))
        .map(|(d, n)| format!("{d}: predicted {n}, gateway sent {:?}", got.get(d)))
        .collect()
}

async fn routes_as_predicted(kind: Kind, algorithm: &str) {
    let consistent = algorithm == "consistent";
    let bin = kind.binary();
    let nodes = [
        ServeProcess::start("n1", &[]),
        ServeProcess::start("n2", &[]),
        ServeProcess::start("n3", &[]),
    ];
    let all: Vec<(&str, u16, u32)> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.node_id.as_str(), n.port, i as u32 + 1))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let fleet = fleet_toml(kind, algorithm, &all);
    let conf = render(kind, bin, dir.path(), &fleet, port);
    let devices: Vec<String> = (0..DEVICES).map(|i| format!("dev-{i:04}")).collect();

    let before = {
        let _gw = Gateway::start(kind, bin, dir.path(), &conf, port);
        let want = predicted(&fleet, &devices);
        let got = tokio::task::spawn_blocking({
            let devices = devices.clone();
            move || observed(port, &devices)
        })
        .await
        .unwrap();
        let bad = mismatches(&want, &got);
        assert!(
            bad.is_empty(),
            "{kind:?}: {} of {DEVICES} devices off the model:\n{}",
            bad.len(),
            bad[..bad.len().min(10)].join("\n")
        );
        for n in &nodes {
            assert!(
                got.values().any(|v| *v == n.node_id),
                "{kind:?}: no device on {}",
                n.node_id
            );
        }

        // The official client, polling then upgrade and websocket-only, through the gateway:
        // a direct notification published on the predicted node (each node has its own
        // in-memory log here, so it reaches only its local devices) reaches each device.
        let runs = if consistent {
            vec![json!(["polling", "websocket"]), json!(["websocket"])]
        } else {
            vec![]
        };
        for transports in runs {
            // At least 500 official clients per transport mode, each on its predicted node.
            let ids: Vec<String> = (0..500).map(|i| format!("sio-{i:03}")).collect();
            let mut devs = Devices::start(json!({
                "url": format!("http://127.0.0.1:{port}"), "ids": ids,
                "transports": transports, "expect": 1, "timeoutMs": 30000
            }));
            devs.wait_ready();
            let home = predicted(&fleet, &ids);
            for id in &ids {
                let node = nodes.iter().find(|n| n.node_id == home[id]).unwrap();
                publish_ok(node, json!({"device": id}), json!({"to": id})).await;
            }
            let r = devs.result();
            assert_eq!(r["ok"], true, "{kind:?} {transports}: {r}");
            for id in &ids {
                let ev = &r["received"][id][0];
                assert_eq!(
                    ev[0], "notification:direct",
                    "{kind:?} {transports} {id}: {r}"
                );
                assert_eq!(ev[1], json!({"to": id}));
            }
        }
        got
    };

    // Remove n2 (ids of the others pinned), restart the gateway with the re-rendered config:
    // only n2's devices move, and they move where the model says.
    let rest: Vec<(&str, u16, u32)> = all.iter().copied().filter(|n| n.0 != "n2").collect();
    let fleet2 = fleet_toml(kind, algorithm, &rest);
    let conf = render(kind, bin, dir.path(), &fleet2, port);
    let _gw = Gateway::start(kind, bin, dir.path(), &conf, port);
    let want = predicted(&fleet2, &devices);
    let after = tokio::task::spawn_blocking({
        let devices = devices.clone();
        move || observed(port, &devices)
    })
    .await
    .unwrap();
    let bad = mismatches(&want, &after);
    assert!(
        bad.is_empty(),
        "{kind:?} after removing n2: {} devices off the model:\n{}",
        bad.len(),
        bad[..bad.len().min(10)].join("\n")
    );
    if !consistent {
        return;
    }
    let mut moved = 0;
    for d in &devices {
        if before[d] == "n2" {
            assert_ne!(after[d], "n2");
            moved += 1;
        } else {
            assert_eq!(
                before[d], after[d],
                "{kind:?}: {d} moved though its node stayed"
            );
        }
    }
    assert!(moved > 0, "{kind:?}: n2 had no devices");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn nginx_routes_every_device_where_simulate_predicts() {
    routes_as_predicted(Kind::Nginx, "consistent").await;
    // `hash $key;` (not consistent) also routes exactly as modelled, before and after.
    routes_as_predicted(Kind::Nginx, "hash").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_haproxy), ignore = "haproxy not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn haproxy_routes_every_device_where_simulate_predicts() {
    routes_as_predicted(Kind::Haproxy, "consistent").await;
    // `hash-type map-based` also routes exactly as modelled, before and after.
    routes_as_predicted(Kind::Haproxy, "map").await;
}

/// Every golden nginx config passes `nginx -t`.
#[test]
#[cfg_attr(not(have_nginx), ignore = "nginx not found")]
fn golden_nginx_configs_pass_nginx_t() {
    golden_configs_pass_the_gateways_own_checks(Kind::Nginx);
}

/// Every golden HAProxy config passes `haproxy -c`.
#[test]
#[cfg_attr(not(have_haproxy), ignore = "haproxy not found")]
fn golden_haproxy_configs_pass_haproxy_c() {
    golden_configs_pass_the_gateways_own_checks(Kind::Haproxy);
}

fn golden_configs_pass_the_gateways_own_checks(kind: Kind) {
    let bin = kind.binary();
    let dir = crate::support::root()
        .join("fixtures/render")
        .join(kind.name());
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "expected") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if text.starts_with("exit ") {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let conf = tmp.path().join("gateway.conf");
        std::fs::write(&conf, &text).unwrap();
        let out = match kind {
            Kind::Nginx => Command::new(bin)
                .arg("-t")
                .arg("-p")
                .arg(tmp.path())
                .args(["-e", "stderr", "-c"])
                .arg(&conf)
                .output(),
            Kind::Haproxy => Command::new(bin).args(["-c", "-f"]).arg(&conf).output(),
        }
        .unwrap();
        assert!(
            out.status.success(),
            "{} rejects {}:\n{}",
            kind.name(),
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 2, "{kind:?}: only {checked} golden configs");
}
