//! The device registry end to end: real `rtctl serve` processes, the guide's registration sent
//! by Node's `fetch` (tests/node/registry.mjs), devices connected with the official
//! socket.io-client, a real redis-server shared by two nodes, and `rtctl devices`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{free_port, issue_token, node_dir, rtctl, until, RedisServer, ServeProcess};

const KEY: &str = "registry-test-key";

fn guide_body(id: &str) -> Value {
    json!({
        "id": id,
        "type": "tablet-ios",
        "model": "iPad13,1",
        "os": "iOS",
        "osVersion": "17.2",
        "appVersion": "2.4.1",
        "departmentId": "ER",
        // registry.mjs turns this into `new Date()`, as the guide's client sends it
        "lastRegistered": true,
    })
}

/// The guide's `fetch('/api/v1/devices/register', ...)`, from Node 20: (status, body).
fn node_register(url: &str, body: Value, token: Option<&str>) -> (u16, Value) {
    let dir = node_dir();
    let mut cfg = json!({"url": url, "body": body});
    if let Some(t) = token {
        cfg["token"] = json!(t);
    }
    let out = Command::new("node")
        .arg(dir.join("registry.mjs"))
        .arg("register")
        .arg(cfg.to_string())
        .current_dir(&dir)
        .output()
        .expect("node runs");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stdout)));
    (v["status"].as_u64().unwrap() as u16, v["body"].clone())
}

async fn post(url: &str, body: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{url}/api/v1/devices/register"))
        .header("content-type", "application/json")
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    answer(req).await
}

async fn get(url: &str, path: &str, key: Option<&str>) -> (u16, Value) {
    answer(with_key(
        reqwest::Client::new().get(format!("{url}{path}")),
        key,
    ))
    .await
}

/// The request with `Authorization: Bearer KEY` when there is a key.
fn with_key(req: reqwest::RequestBuilder, key: Option<&str>) -> reqwest::RequestBuilder {
    match key {
        Some(k) => req.bearer_auth(k),
        None => req,
    }
}

/// Sends the request: its status and JSON body (`null` when the body is not JSON).
async fn answer(req: reqwest::RequestBuilder) -> (u16, Value) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn snake(id: &str, app: &str) -> String {
    json!({
        "device_id": id, "device_type": "pc", "device_model": "OptiPlex 7090",
        "os": "Windows", "os_version": "11", "app_version": app, "department_id": "ICU",
        "user_id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    })
    .to_string()
}

fn data_dir_args(dir: &std::path::Path) -> Vec<String> {
    vec![
        "--data-dir".into(),
        dir.to_string_lossy().into_owned(),
        "--api-key".into(),
        KEY.into(),
    ]
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The guide's client registers (201), registers again with the entity's names (200, same
/// `registered_at`), and the record reads back behind the API key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn the_guides_client_registers_and_an_upsert_keeps_registered_at() {
    let dir = tempfile::tempdir().unwrap();
    let node = ServeProcess::start("n1", &args(&data_dir_args(dir.path())));
    let url = node.url();
    let (status, first) = node_register(&url, guide_body("tablet-ios_a1b2c3d4"), Some("dev"));
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["device_id"], "tablet-ios_a1b2c3d4");
    assert_eq!(first["device_type"], "tablet-ios");
    assert_eq!(first["os_version"], "17.2");
    assert_eq!(first["department_id"], "ER");
    assert_eq!(first["user_id"], Value::Null);
    assert_eq!(first["last_ip_address"], "127.0.0.1");
    assert_eq!(first["registered_at"], first["last_seen"]);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let body = snake("tablet-ios_a1b2c3d4", "2.5.0");
    let (status, second) = post(&url, &body, &[]).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["registered_at"], first["registered_at"]);
    assert!(second["last_seen"].as_str() > first["last_seen"].as_str());
    assert_eq!(second["app_version"], "2.5.0");
    assert_eq!(second["department_id"], "ICU");
    assert_eq!(second["user_id"], "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    // reads need the API key
    let (s, v) = get(&url, "/api/v1/devices", None).await;
    assert_eq!(s, 401, "{v}");
    let (s, v) = get(&url, "/api/v1/devices/tablet-ios_a1b2c3d4", Some(KEY)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["app_version"], "2.5.0");
    assert_eq!(
        (v["online"].clone(), v["node"].clone()),
        (json!(false), Value::Null)
    );
    let (s, v) = get(&url, "/api/v1/devices?department=ICU", Some(KEY)).await;
    assert_eq!((s, v["count"].as_u64()), (200, Some(1)), "{v}");
    let (s, v) = get(&url, "/api/v1/devices?department=ER", Some(KEY)).await;
    assert_eq!((s, v["count"].as_u64()), (200, Some(0)), "{v}");
    let (s, v) = get(&url, "/api/v1/devices/nope", Some(KEY)).await;
    assert_eq!((s, v["field"].as_str()), (404, Some("id")), "{v}");
    let (s, v) = get(&url, "/api/v1/devices?online=maybe", Some(KEY)).await;
    assert_eq!((s, v["field"].as_str()), (400, Some("online")), "{v}");
}

/// Nothing acknowledged is lost: the node is killed with SIGKILL right after the 2xx and the
/// record is there after a restart. Without --data-dir or --redis registration is a 503
/// saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_store_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let a = data_dir_args(dir.path());
    let mut node = ServeProcess::start("n1", &args(&a));
    let port = node.port;
    let mut created = Vec::new();
    for i in 0..20 {
        let (s, v) = post(&node.url(), &snake(&format!("pc-{i}"), "1.0"), &[]).await;
        assert_eq!(s, 201, "{v}");
        created.push(v);
    }
    node.kill();
    let node = ServeProcess::start_on(port, "n1", &args(&a));
    let (s, v) = get(&node.url(), "/api/v1/devices", Some(KEY)).await;
    assert_eq!((s, v["count"].as_u64()), (200, Some(20)), "{v}");
    let want: std::collections::BTreeSet<String> = created
        .iter()
        .map(|c| c["device_id"].as_str().unwrap().to_string())
        .collect();
    let got: Vec<String> = v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["device_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want.into_iter().collect::<Vec<_>>());
    let (s, again) = post(&node.url(), &snake("pc-3", "1.1"), &[]).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["registered_at"], created[3]["registered_at"]);

    let bare = ServeProcess::start("bare", &[]);
    let (s, v) = post(&bare.url(), &snake("pc-1", "1.0"), &[]).await;
    assert_eq!(s, 503, "{v}");
    let msg = v["error"].as_str().unwrap();
    assert!(
        msg.contains("--data-dir") && msg.contains("--redis"),
        "{msg}"
    );
    assert_eq!(get(&bare.url(), "/api/v1/devices", None).await.0, 503);
}

/// Two nodes on one `--data-dir`: the second exits 3 (bad configuration) naming the directory
/// and the node holding it, and the first keeps registering and answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_node_on_the_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = data_dir_args(dir.path());
    let first = ServeProcess::start("holder-1", &args(&a));
    let (s, v) = post(&first.url(), &snake("pc-1", "1.0"), &[]).await;
    assert_eq!(s, 201, "{v}");
    let port = free_port();
    let out = rtctl()
        .env_remove("RTCTL_FLEET")
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--node-id", "intruder"])
        .args(&a)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let shown = dir.path().display().to_string();
    assert!(
        err.contains(&shown)
            && err.contains("already in use")
            && err.contains("node=holder-1")
            && err.contains("pid=")
            && err.contains("--data-dir"),
        "{err}"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the refused node must not listen"
    );
    // the first node is untouched
    let (s, v) = post(&first.url(), &snake("pc-2", "1.0"), &[]).await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = get(&first.url(), "/api/v1/devices", Some(KEY)).await;
    assert_eq!((s, v["count"].as_u64()), (200, Some(2)), "{v}");
    // once it is gone, the directory is free
    let mut first = first;
    first.kill();
    let second = ServeProcess::start("holder-2", &args(&a));
    let (s, v) = get(&second.url(), "/api/v1/devices", Some(KEY)).await;
    assert_eq!((s, v["count"].as_u64()), (200, Some(2)), "{v}");
}

/// Every bad field is a 400 naming it; a wrong media type 415, a large body 413; nothing is
/// stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_field_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let node = ServeProcess::start("n1", &args(&data_dir_args(dir.path())));
    let url = node.url();
    let good: Value = serde_json::from_str(&snake("pc-1", "1.0")).unwrap();
    let long = |n: usize| json!("x".repeat(n));
    let cases = [
        ("device_id", long(51)),
        ("device_id", json!("a b")),
        ("device_type", long(21)),
        ("device_model", long(101)),
        ("os", long(51)),
        ("os_version", long(21)),
        ("user_id", json!("not-a-uuid")),
        ("department_id", long(21)),
        ("app_version", long(51)),
        ("app_version", json!(3)),
    ];
    for (field, v) in cases {
        let mut b = good.clone();
        b[field] = v.clone();
        let (s, r) = post(&url, &b.to_string(), &[]).await;
        assert_eq!(s, 400, "{field}={v}: {r}");
        assert_eq!(r["field"], field, "{r}");
        assert!(r["error"].as_str().unwrap().len() > 10, "{r}");
    }
    for field in [
        "device_id",
        "device_type",
        "device_model",
        "os",
        "os_version",
        "department_id",
        "app_version",
    ] {
        let mut b = good.clone();
        b.as_object_mut().unwrap().remove(field);
        let (s, r) = post(&url, &b.to_string(), &[]).await;
        assert_eq!((s, r["field"].as_str()), (400, Some(field)), "{r}");
        assert!(r["error"].as_str().unwrap().starts_with("missing"), "{r}");
    }
    let (s, r) = post(&url, &good.to_string(), &[("x-device-id", "other")]).await;
    assert_eq!((s, r["field"].as_str()), (400, Some("x-device-id")), "{r}");
    let (s, r) = post(&url, "{nope", &[]).await;
    assert_eq!((s, r["field"].as_str()), (400, Some("body")), "{r}");
    let res = reqwest::Client::new()
        .post(format!("{url}/api/v1/devices/register"))
        .header("content-type", "text/plain")
        .body(good.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);
    let mut big = good.clone();
    big["padding"] = long(20_000);
    let (s, _) = post(&url, &big.to_string(), &[]).await;
    assert_eq!(s, 413);
    let (_, v) = get(&url, "/api/v1/devices", Some(KEY)).await;
    assert_eq!(v["count"], 0, "{v}");
    // every refusal is counted
    let text = reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("rtctl_device_registrations_total{result=\"refused\"} 21"),
        "{text}"
    );
    assert!(text.contains("rtctl_device_registrations_total{result=\"created\"} 0"));
}

/// `last_ip_address` is the TCP peer unless the peer is a --trusted-proxy; then the client
/// its X-Forwarded-For names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_used_only_from_a_trusted_peer() {
    let d1 = tempfile::tempdir().unwrap();
    let d2 = tempfile::tempdir().unwrap();
    let untrusted = ServeProcess::start("u", &args(&data_dir_args(d1.path())));
    let mut a = data_dir_args(d2.path());
    a.extend(["--trusted-proxy".into(), "127.0.0.1/32".into()]);
    let trusted = ServeProcess::start("t", &args(&a));
    let xff = [("x-forwarded-for", "198.51.100.9, 203.0.113.50")];
    let (s, v) = post(&untrusted.url(), &snake("pc-1", "1"), &xff).await;
    assert_eq!(
        (s, v["last_ip_address"].as_str()),
        (201, Some("127.0.0.1")),
        "{v}"
    );
    let (s, v) = post(&trusted.url(), &snake("pc-1", "1"), &xff).await;
    assert_eq!(
        (s, v["last_ip_address"].as_str()),
        (201, Some("203.0.113.50")),
        "{v}"
    );
}

/// With --auth jwt the bearer must be the device's own token: none or a bad one is 401,
/// another device's 403; the token's user becomes the record's user_id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn with_auth_jwt_only_the_devices_own_token_registers_it() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::write(&keys, "registry-key-0123456789abcdefghijklmnopqrstuv\n").unwrap();
    let file = keys.to_string_lossy().into_owned();
    let user = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    let own = issue_token(&file, &["--device", "tablet-1", "--user", user]);
    let other = issue_token(&file, &["--device", "tablet-2"]);
    let mut a = data_dir_args(&dir.path().join("data"));
    a.extend([
        "--auth".into(),
        "jwt".into(),
        "--key-file".into(),
        file.clone(),
    ]);
    let node = ServeProcess::start("n1", &args(&a));
    let url = node.url();
    let (s, v) = node_register(&url, guide_body("tablet-1"), Some(&other));
    assert_eq!((s, v["field"].as_str()), (403, Some("device_id")), "{v}");
    let (s, v) = node_register(&url, guide_body("tablet-1"), None);
    assert_eq!(s, 401, "{v}");
    let (s, v) = node_register(&url, guide_body("tablet-1"), Some("not.a.token"));
    assert_eq!(s, 401, "{v}");
    assert!(v["error"].as_str().unwrap().contains("token"), "{v}");
    let (s, v) = node_register(&url, guide_body("tablet-1"), Some(&own));
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["user_id"], user);
    let (_, v) = get(&url, "/api/v1/devices", Some(KEY)).await;
    assert_eq!(v["count"], 1, "{v}");
}

/// A device connected with the official socket.io-client; dropped (disconnected) on drop.
struct Connected(Child);

impl Connected {
    fn start(url: &str, device: &str) -> Connected {
        let dir = node_dir();
        let mut child = Command::new("node")
            .arg(dir.join("registry.mjs"))
            .arg("connect")
            .arg(json!({"url": url, "deviceId": device, "departmentId": "ER"}).to_string())
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "READY", "{line}");
        Connected(child)
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn cli_json(args: &[&str]) -> Value {
    let out = rtctl()
        .args(args)
        .env_remove("RTCTL_FLEET")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stdout)))
}

/// The table a CLI command prints (`--color never`), whatever its exit code.
fn cli_text(args: &[&str]) -> String {
    let out = rtctl()
        .args(args)
        .args(["--color", "never"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Two nodes on one redis-server: a device registered through node A and connected to node B
/// is listed by A as online on B (and by `rtctl devices list/show` against A), then offline
/// once it disconnects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
#[cfg_attr(not(have_node_modules), ignore = "tests/node/node_modules not found")]
async fn a_redis_fleet_shows_each_device_on_the_node_it_is_connected_to() {
    let redis = RedisServer::start();
    let r = redis.url();
    let extra = [
        "--redis",
        r.as_str(),
        "--namespace",
        "reg",
        "--api-key",
        KEY,
    ];
    let a = ServeProcess::start("node-a", &extra);
    let b = ServeProcess::start("node-b", &extra);
    let (s, first) = post(&a.url(), &snake("tablet-7", "1.0"), &[]).await;
    assert_eq!(s, 201, "{first}");
    let (s, v) = post(&b.url(), &snake("tablet-7", "1.1"), &[]).await;
    assert_eq!(s, 200, "upsert across nodes: {v}");
    let registered_seen = v["last_seen"].as_str().unwrap().to_string();
    assert_eq!(v["registered_at"], first["registered_at"]);
    let (s, _) = post(&a.url(), &snake("pc-9", "1.0"), &[]).await;
    assert_eq!(s, 201);
    let device = Connected::start(&b.url(), "tablet-7");
    let url = a.url();
    until("tablet-7 online on node-b, seen from node-a", async || {
        let (_, v) = get(&url, "/api/v1/devices/tablet-7", Some(KEY)).await;
        v["online"] == true && v["node"] == "node-b"
    })
    .await;
    until("last_seen updated by the connect", async || {
        let (_, v) = get(&url, "/api/v1/devices/tablet-7", Some(KEY)).await;
        v["last_seen"].as_str().unwrap() > registered_seen.as_str()
    })
    .await;
    let (_, v) = get(&url, "/api/v1/devices?online=true", Some(KEY)).await;
    assert_eq!(v["count"], 1, "{v}");
    assert_eq!(v["devices"][0]["nodes"], json!(["node-b"]));
    let (_, v) = get(&url, "/api/v1/devices?online=false", Some(KEY)).await;
    assert_eq!(v["devices"][0]["device_id"], "pc-9", "{v}");

    let list = cli_json(&[
        "devices",
        "list",
        "--url",
        &url,
        "--api-key",
        KEY,
        "-o",
        "json",
    ]);
    assert_eq!(list["count"], 2, "{list}");
    let t7 = &list["devices"][1];
    assert_eq!(
        (t7["device_id"].as_str(), t7["node"].as_str()),
        (Some("tablet-7"), Some("node-b"))
    );
    for k in [
        "device_type",
        "device_model",
        "os",
        "os_version",
        "user_id",
        "department_id",
        "app_version",
        "last_ip_address",
        "last_seen",
        "registered_at",
        "online",
        "nodes",
    ] {
        assert!(t7.get(k).is_some(), "{k} missing: {t7}");
    }
    let online = cli_json(&[
        "devices",
        "list",
        "--url",
        &url,
        "--api-key",
        KEY,
        "--online",
        "-o",
        "json",
    ]);
    assert_eq!(online["count"], 1);
    let show = cli_json(&[
        "devices",
        "show",
        "tablet-7",
        "--url",
        &url,
        "--api-key",
        KEY,
        "-o",
        "json",
    ]);
    assert_eq!(show["app_version"], "1.1");
    let text = cli_text(&["devices", "list", "--url", &url, "--api-key", KEY]);
    assert!(
        text.contains("tablet-7") && text.contains("node-b"),
        "{text}"
    );
    assert!(text.contains("2 devices, 1 online"), "{text}");

    drop(device);
    until("tablet-7 offline", async || {
        let (_, v) = get(&url, "/api/v1/devices/tablet-7", Some(KEY)).await;
        v["online"] == false
    })
    .await;
    // a node killed with SIGKILL: its devices turn offline once its set expires (HEARTBEAT_TTL)
    let device = Connected::start(&b.url(), "tablet-7");
    until("tablet-7 online again", async || {
        let (_, v) = get(&url, "/api/v1/devices/tablet-7", Some(KEY)).await;
        v["online"] == true
    })
    .await;
    let mut b = b;
    b.kill();
    let killed = Instant::now();
    until("tablet-7 offline after node-b died", async || {
        let (_, v) = get(&url, "/api/v1/devices/tablet-7", Some(KEY)).await;
        v["online"] == false
    })
    .await;
    assert!(
        killed.elapsed() < Duration::from_secs(8),
        "{:?}",
        killed.elapsed()
    );
    drop(device);
    // Redis down: nothing is acknowledged
    let mut redis = redis;
    redis.stop();
    let (s, v) = post(&url, &snake("pc-10", "1.0"), &[]).await;
    assert_eq!(s, 503, "{v}");
    assert!(v["error"].as_str().unwrap().contains("not stored"), "{v}");
}

/// Most of a fleet connects before (or without) registering: bringing `last_seen` of only
/// unregistered devices up to date writes nothing and is not an error (it once sent Redis an
/// empty pipeline and logged "last_seen not updated" every second while devices connected).
/// A registered one among them still gets its `last_seen`.
#[tokio::test]
async fn touching_unregistered_devices_is_not_an_error() {
    use rtctl::serve::registry::Registry;
    let redis = RedisServer::start();
    let r = rtctl::redis_conn::Redis::detect(&redis.url())
        .await
        .unwrap();
    let con = r.connect(Duration::from_secs(2)).await.unwrap();
    let keys = rtctl::redis_schema::Keys::new("touch").unwrap();
    let reg = Registry::Redis {
        con: con.clone(),
        keys: keys.clone(),
    };
    reg.touch(vec!["tablet_0000aaaa".into(), "pc_0000bbbb".into()], 1_000)
        .await
        .expect("only unregistered devices");
    let mut c = con.clone();
    let n: usize = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
    assert_eq!(n, 0, "nothing written for unregistered devices");

    let _: () = redis::cmd("HSET")
        .arg(keys.device("pc_0000bbbb"))
        .arg("last_seen")
        .arg("old")
        .query_async(&mut c)
        .await
        .unwrap();
    reg.touch(vec!["tablet_0000aaaa".into(), "pc_0000bbbb".into()], 1_000)
        .await
        .expect("one registered");
    let seen: String = redis::cmd("HGET")
        .arg(keys.device("pc_0000bbbb"))
        .arg("last_seen")
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(seen, "1970-01-01T00:00:01.000Z");
    let n: usize = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
    assert_eq!(n, 1, "the unregistered device got no record");
}

/// `rtctl devices nat-report`: 30 devices behind one NAT and 10 with their own IPs (the
/// gateway forwards the client IPs); IP hashing puts the 30 on one node, device-id hashing
/// spreads them. Unknown devices and a node without a registry exit 7 and 8.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nat_report_counts_devices_per_public_ip_and_both_hashings() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = data_dir_args(dir.path());
    a.extend(["--trusted-proxy".into(), "127.0.0.1/32".into()]);
    let node = ServeProcess::start("n1", &args(&a));
    let url = node.url();
    for i in 0..40 {
        let ip = if i < 30 {
            "203.0.113.50".to_string()
        } else {
            format!("198.51.100.{i}")
        };
        let (s, v) = post(
            &url,
            &snake(&format!("pc-{i:02}"), "1"),
            &[("x-forwarded-for", &ip)],
        )
        .await;
        assert_eq!(s, 201, "{v}");
    }
    let r = cli_json(&[
        "devices",
        "nat-report",
        "--url",
        &url,
        "--api-key",
        KEY,
        "--nodes",
        "3",
        "--gateway",
        "kong",
        "-o",
        "json",
    ]);
    assert_eq!(
        (
            r["devices"].as_u64(),
            r["with_ip"].as_u64(),
            r["distinct_ips"].as_u64()
        ),
        (Some(40), Some(40), Some(11)),
        "{r}"
    );
    assert_eq!(
        r["public_ips"][0],
        json!({"ip": "203.0.113.50", "devices": 30, "share": 0.75})
    );
    for key in ["device_id_hashing", "ip_hashing"] {
        let nodes = r[key]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 3, "{r}");
        assert_eq!(
            nodes
                .iter()
                .map(|n| n["devices"].as_u64().unwrap())
                .sum::<u64>(),
            40
        );
    }
    assert!(
        r["ip_hashing"]["max_share"].as_f64().unwrap() >= 0.75,
        "{r}"
    );
    assert!(
        r["device_id_hashing"]["max_share"].as_f64().unwrap() < 0.6,
        "{r}"
    );
    let text = cli_text(&[
        "devices",
        "nat-report",
        "--url",
        &url,
        "--api-key",
        KEY,
        "--nodes",
        "3",
    ]);
    assert!(
        text.contains("203.0.113.50") && text.contains("hashing the client IP"),
        "{text}"
    );

    let out = rtctl()
        .args(["devices", "show", "nope", "--url", &url, "--api-key", KEY])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no device"));
    let out = rtctl()
        .args(["devices", "list", "--url", &url])
        .env_remove("RTCTL_API_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "missing API key");
    let bare = ServeProcess::start("bare", &[]);
    let out = rtctl()
        .args(["devices", "list", "--url", &bare.url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--data-dir"));
}

const PUBLISH_KEY: &str = "ops-publish-secret";
const READ_KEY: &str = "dashboard-read-secret";

/// A keys file with a publish key and a read key.
fn keys_file(dir: &std::path::Path) -> String {
    let file = dir.join("keys.toml");
    std::fs::write(
        &file,
        format!(
            "[[key]]\nname = \"ops\"\nsecret = \"{PUBLISH_KEY}\"\nscope = \"publish\"\n\n\
             [[key]]\nname = \"dashboard\"\nsecret = \"{READ_KEY}\"\nscope = \"read\"\n"
        ),
    )
    .unwrap();
    file.to_string_lossy().into_owned()
}

async fn delete(url: &str, id: &str, key: Option<&str>) -> (u16, Value) {
    let req = reqwest::Client::new().delete(format!("{url}/api/v1/devices/{id}"));
    answer(with_key(req, key)).await
}

/// `DELETE /api/v1/devices/ID` and `rtctl devices remove`: checks the key's scope (none → 401,
/// read → 403), answers with the removed record, 404 JSON for an unknown id, and the device is
/// gone from the list and its department; `rtctl devices remove` of an unknown id exits 7.
/// Also: a registration without a user keeps the stored `user_id`, `""` clears it.
async fn remove_two(url: &str) {
    for id in ["pc-1", "pc-2", "pc-3"] {
        let (s, v) = post(url, &snake(id, "1.0"), &[]).await;
        assert_eq!(s, 201, "{v}");
    }
    // a registration without a user keeps the stored one; "" clears it (both stores merge alike)
    let mut no_user: Value = serde_json::from_str(&snake("pc-3", "1.1")).unwrap();
    no_user.as_object_mut().unwrap().remove("user_id");
    let (s, v) = post(url, &no_user.to_string(), &[]).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user_id"], "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "{v}");
    assert_eq!(v["app_version"], "1.1", "{v}");
    let (_, v) = get(url, "/api/v1/devices/pc-3", Some(READ_KEY)).await;
    assert_eq!(v["user_id"], "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "{v}");
    no_user["userId"] = json!("");
    let (s, v) = post(url, &no_user.to_string(), &[]).await;
    assert_eq!((s, &v["user_id"]), (200, &Value::Null), "{v}");
    let (_, v) = get(url, "/api/v1/devices/pc-3", Some(READ_KEY)).await;
    assert_eq!(v["user_id"], Value::Null, "{v}");

    let (s, v) = delete(url, "pc-1", None).await;
    assert_eq!(s, 401, "{v}");
    let (s, v) = delete(url, "pc-1", Some(READ_KEY)).await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = delete(url, "pc-1", Some(PUBLISH_KEY)).await;
    assert_eq!((s, v["device_id"].as_str()), (200, Some("pc-1")), "{v}");
    assert_eq!(v["department_id"], "ICU");
    let (s, v) = delete(url, "pc-1", Some(PUBLISH_KEY)).await;
    assert_eq!((s, v["field"].as_str()), (404, Some("id")), "{v}");
    assert!(v["error"].as_str().unwrap().contains("pc-1"), "{v}");
    let (s, v) = delete(url, "a%20b", Some(PUBLISH_KEY)).await;
    assert_eq!((s, v["field"].as_str()), (400, Some("id")), "{v}");
    let (s, v) = get(url, "/api/v1/devices/pc-1", Some(READ_KEY)).await;
    assert_eq!(s, 404, "{v}");

    let removed = cli_json(&[
        "devices",
        "remove",
        "pc-2",
        "--url",
        url,
        "--api-key",
        PUBLISH_KEY,
        "-o",
        "json",
    ]);
    assert_eq!(removed["device_id"], "pc-2", "{removed}");
    let out = rtctl()
        .env_remove("RTCTL_FLEET")
        .args(["devices", "remove", "pc-2", "--url", url])
        .args(["--api-key", PUBLISH_KEY])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(err.contains("404") && err.contains("pc-2"), "{err}");
    let out = rtctl()
        .env_remove("RTCTL_FLEET")
        .args(["devices", "remove", "pc-3", "--url", url])
        .args(["--api-key", READ_KEY])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "read key");

    let (_, v) = get(url, "/api/v1/devices?department=ICU", Some(READ_KEY)).await;
    assert_eq!(v["count"], 1, "{v}");
    assert_eq!(v["devices"][0]["device_id"], "pc-3", "{v}");
}

/// On disk: a removed device stays removed after `kill -9` and a restart; registering it again
/// records it anew.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_device_stays_removed_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_file(dir.path());
    let data = dir.path().join("data");
    let a = [
        "--data-dir",
        data.to_str().unwrap(),
        "--api-keys",
        keys.as_str(),
    ];
    let mut node = ServeProcess::start("n1", &a);
    remove_two(&node.url()).await;
    let port = node.port;
    node.kill();
    let node = ServeProcess::start_on(port, "n1", &a);
    let url = node.url();
    let (s, v) = get(&url, "/api/v1/devices", Some(READ_KEY)).await;
    assert_eq!((s, v["count"].as_u64()), (200, Some(1)), "{v}");
    assert_eq!(v["devices"][0]["device_id"], "pc-3", "{v}");
    for id in ["pc-1", "pc-2"] {
        let (s, v) = get(&url, &format!("/api/v1/devices/{id}"), Some(READ_KEY)).await;
        assert_eq!(s, 404, "{id} after restart: {v}");
    }
    let (s, v) = post(&url, &snake("pc-1", "2.0"), &[]).await;
    assert_eq!((s, v["app_version"].as_str()), (201, Some("2.0")), "{v}");
}

/// In Redis: the record, the all-devices set and the department set lose the device; another
/// node of the fleet no longer sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_redis), ignore = "redis-server not found")]
async fn a_removed_device_leaves_redis_and_its_department() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_file(dir.path());
    let r = redis.url();
    let a = [
        "--redis",
        r.as_str(),
        "--namespace",
        "rm",
        "--api-keys",
        keys.as_str(),
    ];
    let n1 = ServeProcess::start("rm-1", &a);
    let n2 = ServeProcess::start("rm-2", &a);
    remove_two(&n1.url()).await;
    let (_, v) = get(&n2.url(), "/api/v1/devices", Some(READ_KEY)).await;
    assert_eq!(v["count"], 1, "seen from the other node: {v}");
    let k = rtctl::redis_schema::Keys::new("rm").unwrap();
    let cli = |args: &[&str]| -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &redis.port.to_string()])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(cli(&["smembers", &k.devices()]), "pc-3");
    assert_eq!(cli(&["smembers", &k.department_devices("ICU")]), "pc-3");
    assert_eq!(cli(&["exists", &k.device("pc-1")]), "0");
    assert_eq!(cli(&["exists", &k.device("pc-2")]), "0");
}
