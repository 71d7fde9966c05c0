//! `rtctl devices list|show|remove|nat-report`: the device registry through a node's HTTP API
//! (`GET /api/v1/devices`, `DELETE /api/v1/devices/ID`, README "Device registry").
//!
//! The I/O is one request; the cores are pure: [`list_table`], [`show_table`] and [`nat_report`]
//! (devices per public IP, and what the fleet's gateway model — the same code `simulate`
//! uses — does with them when it hashes the client IP instead of the device id).

use std::collections::BTreeMap;
use std::io::Write;
use std::net::IpAddr;

use serde::Serialize;
use serde_json::Value;

use crate::cli::{
    DevicesListArgs, DevicesNatArgs, DevicesShowArgs, FleetArgs, NodeApiArgs, OutputFormat,
};
use crate::error::{Error, Result};
use crate::gateway::GatewaySpec;
use crate::output::{pct, Style};
use crate::serve::registry::{DeviceRecord, DeviceView};
use crate::simulate::Router;

/// `BASE/api/v1/devices[/ID]` with the query.
pub fn endpoint(base: &str, id: Option<&str>, query: &[(&str, String)]) -> Result<reqwest::Url> {
    let mut url = crate::publish::api_url(
        base,
        &match id {
            Some(id) => format!("devices/{id}"),
            None => "devices".to_string(),
        },
    )?;
    if !query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
    }
    Ok(url)
}

/// One GET: the JSON answer, or the documented error (4xx → 7, 5xx → 8, unreachable → 4).
fn get(api: &NodeApiArgs, url: reqwest::Url) -> Result<Value> {
    request(api, reqwest::Method::GET, url)
}

/// One request: the JSON answer, or the documented error (4xx → 7, 5xx → 8, unreachable → 4).
fn request(api: &NodeApiArgs, method: reqwest::Method, url: reqwest::Url) -> Result<Value> {
    let (client, rt) = crate::publish::client(api.timeout)?;
    rt.block_on(async {
        let mut req = client.request(method, url.clone());
        if let Some(k) = api.api_key.as_deref().filter(|k| !k.is_empty()) {
            req = req.bearer_auth(k);
        }
        crate::publish::answer(req, &url).await.map(|(_, v, _)| v)
    })
}

fn bad_answer(url: &str, e: impl std::fmt::Display) -> Error {
    Error::ServerError {
        url: url.to_string(),
        status: 200,
        message: format!("unexpected answer: {e}"),
    }
}

/// The registered devices (of one department, online or not when asked).
pub fn fetch_list(
    api: &NodeApiArgs,
    department: Option<&str>,
    online: Option<bool>,
) -> Result<Vec<DeviceView>> {
    let mut q = Vec::new();
    if let Some(d) = department {
        crate::serve::identity::check_id("--department", d)
            .map_err(|m| Error::flag("--department", m))?;
        q.push(("department", d.to_string()));
    }
    if let Some(o) = online {
        q.push(("online", o.to_string()));
    }
    let url = endpoint(&api.url, None, &q)?;
    let v = get(api, url.clone())?;
    serde_json::from_value(v.get("devices").cloned().unwrap_or(Value::Null))
        .map_err(|e| bad_answer(url.as_str(), e))
}

fn dash(s: Option<&str>) -> &str {
    s.unwrap_or("-")
}

/// The `list` table: one row per device.
pub fn list_table(devices: &[DeviceView], style: &Style) -> String {
    let mut t = style.table(&[
        "DEVICE",
        "TYPE",
        "MODEL",
        "OS",
        "APP",
        "DEPARTMENT",
        "LAST IP",
        "LAST SEEN",
        "ONLINE",
        "NODE",
    ]);
    for d in devices {
        let r = &d.record;
        t.add_row(vec![
            comfy_table::Cell::new(&r.device_id),
            comfy_table::Cell::new(&r.device_type),
            comfy_table::Cell::new(&r.device_model),
            comfy_table::Cell::new(format!("{} {}", r.os, r.os_version)),
            comfy_table::Cell::new(&r.app_version),
            comfy_table::Cell::new(&r.department_id),
            comfy_table::Cell::new(dash(r.last_ip_address.as_deref())),
            comfy_table::Cell::new(&r.last_seen),
            if d.online {
                style.good("yes")
            } else {
                comfy_table::Cell::new("no")
            },
            comfy_table::Cell::new(d.nodes.join(",")),
        ]);
    }
    format!(
        "{t}\n{}, {} online\n",
        count(devices.len(), "device"),
        devices.iter().filter(|d| d.online).count()
    )
}

/// The `show` table: one field per row.
pub fn show_table(d: &DeviceView, style: &Style) -> String {
    let r = &d.record;
    let mut t = style.table(&["FIELD", "VALUE"]);
    let nodes = d.nodes.join(",");
    let rows: [(&str, &str); 14] = [
        ("device_id", &r.device_id),
        ("device_type", &r.device_type),
        ("device_model", &r.device_model),
        ("os", &r.os),
        ("os_version", &r.os_version),
        ("user_id", dash(r.user_id.as_deref())),
        ("department_id", &r.department_id),
        ("app_version", &r.app_version),
        ("last_ip_address", dash(r.last_ip_address.as_deref())),
        ("last_seen", &r.last_seen),
        ("registered_at", &r.registered_at),
        ("online", if d.online { "yes" } else { "no" }),
        ("node", dash(d.node.as_deref())),
        ("nodes", if nodes.is_empty() { "-" } else { &nodes }),
    ];
    for (k, v) in rows {
        t.add_row(vec![k, v]);
    }
    format!("{t}\n")
}

/// Devices sharing one public IP.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicIp {
    pub ip: String,
    pub devices: u64,
    pub share: f64,
}

/// Devices per node under one hashing key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    /// What the gateway hashes.
    pub key: String,
    /// Devices routed (those the key exists for).
    pub devices: u64,
    /// Per node, in fleet order: `(node id, address, devices)`.
    pub nodes: Vec<NodeShare>,
    /// The largest node's share of the routed devices (1/N is even; 1.0 is everything on one).
    pub max_share: f64,
    /// Devices no node would take.
    pub unavailable: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeShare {
    pub id: String,
    pub addr: String,
    pub devices: u64,
    pub share: f64,
}

/// The whole `nat-report`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NatReport {
    pub gateway: String,
    pub devices: u64,
    /// Devices with a recorded `last_ip_address`.
    pub with_ip: u64,
    pub distinct_ips: u64,
    /// Every public IP, most devices first.
    pub public_ips: Vec<PublicIp>,
    pub device_id_hashing: Spread,
    pub ip_hashing: Spread,
}

fn spread(
    key: &str,
    spec: &GatewaySpec,
    nodes: &[(String, String)],
    keys: &[Key<'_>],
) -> Result<Spread> {
    let mut router = Router::new(spec, "gateway")?;
    let mut counts = vec![0u64; nodes.len()];
    let mut unavailable = 0;
    for k in keys {
        let pick = match k {
            Key::Id(id) => router.route(id.as_bytes()),
            Key::Ip(ip) => {
                let p = router.balancer().pick_ip(*ip);
                router.resolve(p)
            }
        };
        match pick {
            Some(i) => counts[i] += 1,
            None => unavailable += 1,
        }
    }
    let routed: u64 = counts.iter().sum();
    let share = |n: u64| {
        if routed == 0 {
            0.0
        } else {
            n as f64 / routed as f64
        }
    };
    Ok(Spread {
        key: key.to_string(),
        devices: keys.len() as u64,
        max_share: share(counts.iter().copied().max().unwrap_or(0)),
        nodes: nodes
            .iter()
            .zip(counts)
            .map(|((id, addr), n)| NodeShare {
                id: id.clone(),
                addr: addr.clone(),
                devices: n,
                share: share(n),
            })
            .collect(),
        unavailable,
    })
}

enum Key<'a> {
    Id(&'a str),
    Ip(IpAddr),
}

/// Pure: the registry's devices and a gateway model → the report. `nodes` are the gateway's
/// targets in order, as `(id, address)`.
pub fn nat_report(
    devices: &[DeviceView],
    gateway: &str,
    spec: &GatewaySpec,
    nodes: &[(String, String)],
) -> Result<NatReport> {
    let mut per_ip: BTreeMap<IpAddr, u64> = BTreeMap::new();
    let mut ips = Vec::new();
    for d in devices {
        if let Some(ip) = d
            .record
            .last_ip_address
            .as_deref()
            .and_then(|s| s.parse::<IpAddr>().ok())
        {
            *per_ip.entry(ip).or_insert(0) += 1;
            ips.push(Key::Ip(ip));
        }
    }
    let with_ip = ips.len() as u64;
    let mut public_ips: Vec<PublicIp> = per_ip
        .iter()
        .map(|(ip, n)| PublicIp {
            ip: ip.to_string(),
            devices: *n,
            share: if with_ip == 0 {
                0.0
            } else {
                *n as f64 / with_ip as f64
            },
        })
        .collect();
    public_ips.sort_by(|a, b| b.devices.cmp(&a.devices).then_with(|| a.ip.cmp(&b.ip)));
    let ids: Vec<Key<'_>> = devices
        .iter()
        .map(|d| Key::Id(&d.record.device_id))
        .collect();
    Ok(NatReport {
        gateway: gateway.to_string(),
        devices: devices.len() as u64,
        with_ip,
        distinct_ips: per_ip.len() as u64,
        public_ips,
        device_id_hashing: spread("device id (x-device-id)", spec, nodes, &ids)?,
        ip_hashing: spread("client IP (last_ip_address)", spec, nodes, &ips)?,
    })
}

/// "1 device", "2 devices".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The `nat-report` tables.
pub fn nat_table(r: &NatReport, top: usize, style: &Style) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{}, {} with a recorded IP, {}; gateway: {}\n",
        count(r.devices as usize, "device"),
        r.with_ip,
        count(r.distinct_ips as usize, "distinct public IP"),
        r.gateway
    ));
    let mut t = style.table(&["PUBLIC IP", "DEVICES", "SHARE"]);
    for p in r.public_ips.iter().take(top) {
        t.add_row(vec![
            comfy_table::Cell::new(&p.ip),
            style.num(p.devices),
            style.num(pct(p.share)),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    if r.public_ips.len() > top {
        out.push_str(&format!(
            "… {} more IPs (--top, or -o json)\n",
            r.public_ips.len() - top
        ));
    }
    let mut t = style.table(&["NODE", "ADDRESS", "BY DEVICE ID", "BY CLIENT IP"]);
    for (a, b) in r.device_id_hashing.nodes.iter().zip(&r.ip_hashing.nodes) {
        t.add_row(vec![
            comfy_table::Cell::new(&a.id),
            comfy_table::Cell::new(&a.addr),
            style.num(format!("{} ({})", a.devices, pct(a.share))),
            style.num(format!("{} ({})", b.devices, pct(b.share))),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    let even = 1.0 / r.device_id_hashing.nodes.len().max(1) as f64;
    for s in [&r.device_id_hashing, &r.ip_hashing] {
        let line = format!(
            "hashing the {}: the largest node takes {} of {} devices (even: {})",
            s.key,
            pct(s.max_share),
            s.devices,
            pct(even)
        );
        if s.max_share > 2.0 * even && s.devices > 0 {
            out.push_str(&style.warn_line(&line));
        } else {
            out.push_str(&line);
        }
        out.push('\n');
    }
    out
}

fn online_filter(online: bool, offline: bool) -> Option<bool> {
    match (online, offline) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

pub fn list(args: &DevicesListArgs, out: &mut dyn Write) -> Result<()> {
    let devices = fetch_list(
        &args.api,
        args.department.as_deref(),
        online_filter(args.online, args.offline),
    )?;
    let text = match args.report.output {
        OutputFormat::Json => format!(
            "{}\n",
            serde_json::json!({"count": devices.len(), "devices": devices})
        ),
        OutputFormat::Table => list_table(&devices, &Style::detect(args.report.color)),
    };
    out.write_all(text.as_bytes()).map_err(Error::stdout)
}

pub fn show(args: &DevicesShowArgs, out: &mut dyn Write) -> Result<()> {
    crate::serve::identity::check_id("device id", &args.id).map_err(|m| Error::flag("ID", m))?;
    let url = endpoint(&args.api.url, Some(&args.id), &[])?;
    let v = get(&args.api, url.clone())?;
    let d: DeviceView = serde_json::from_value(v).map_err(|e| bad_answer(url.as_str(), e))?;
    let text = match args.report.output {
        OutputFormat::Json => format!("{}\n", serde_json::to_string(&d).expect("serializes")),
        OutputFormat::Table => show_table(&d, &Style::detect(args.report.color)),
    };
    out.write_all(text.as_bytes()).map_err(Error::stdout)
}

/// `rtctl devices remove ID`: decommission a device; prints the removed record.
pub fn remove(args: &DevicesShowArgs, out: &mut dyn Write) -> Result<()> {
    crate::serve::identity::check_id("device id", &args.id).map_err(|m| Error::flag("ID", m))?;
    let url = endpoint(&args.api.url, Some(&args.id), &[])?;
    let v = request(&args.api, reqwest::Method::DELETE, url.clone())?;
    let r: DeviceRecord = serde_json::from_value(v).map_err(|e| bad_answer(url.as_str(), e))?;
    let text = match args.report.output {
        OutputFormat::Json => format!("{}\n", serde_json::to_string(&r).expect("serializes")),
        OutputFormat::Table => format!(
            "removed {} (department {}, {} {}, registered {})\n",
            r.device_id, r.department_id, r.device_type, r.device_model, r.registered_at
        ),
    };
    out.write_all(text.as_bytes()).map_err(Error::stdout)
}

pub fn nat(args: &DevicesNatArgs, out: &mut dyn Write) -> Result<()> {
    let fa = FleetArgs {
        fleet: args.fleet.clone(),
        nodes: args.nodes,
        gateway: args.gateway,
        ..Default::default()
    };
    let fleet = crate::resolve::fleet(&fa, None, None, None)?;
    let devices = fetch_list(&args.api, args.department.as_deref(), None)?;
    let spec = fleet.gateway_spec();
    let nodes: Vec<(String, String)> = fleet
        .nodes
        .iter()
        .map(|n| (n.id.clone(), n.addr()))
        .collect();
    let gateway = format!("{:?} ({})", fleet.gateway.kind, spec.algorithm).to_lowercase();
    let report = nat_report(&devices, &gateway, &spec, &nodes)?;
    let text = match args.report.output {
        OutputFormat::Json => format!("{}\n", serde_json::to_string(&report).expect("serializes")),
        OutputFormat::Table => nat_table(&report, args.top, &Style::detect(args.report.color)),
    };
    out.write_all(text.as_bytes()).map_err(Error::stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{Algorithm, Target};
    use crate::serve::registry::DeviceRecord;

    fn dev(id: &str, ip: Option<&str>, node: Option<&str>) -> DeviceView {
        DeviceView {
            record: DeviceRecord {
                device_id: id.into(),
                device_type: "pc".into(),
                device_model: "m".into(),
                os: "Windows".into(),
                os_version: "11".into(),
                user_id: None,
                department_id: "ER".into(),
                app_version: "1".into(),
                last_ip_address: ip.map(Into::into),
                last_seen: "2026-12-04T21:00:00.000Z".into(),
                registered_at: "2026-12-04T21:00:00.000Z".into(),
            },
            online: node.is_some(),
            node: node.map(Into::into),
            nodes: node.into_iter().map(Into::into).collect(),
        }
    }

    fn fleet3() -> (GatewaySpec, Vec<(String, String)>) {
        let nodes: Vec<(String, String)> = (1..=3)
            .map(|i| (format!("node-{i}"), format!("10.0.0.{i}:3000")))
            .collect();
        let spec = GatewaySpec::new(
            Algorithm::Kong,
            nodes.iter().map(|(_, a)| Target::new(a.clone())).collect(),
        );
        (spec, nodes)
    }

    #[test]
    fn one_nat_puts_every_device_on_one_node_when_hashing_the_ip() {
        let (spec, nodes) = fleet3();
        let mut devices: Vec<DeviceView> = (0..300)
            .map(|i| dev(&format!("pc-{i:04}"), Some("203.0.113.50"), None))
            .collect();
        devices.push(dev("tablet-1", Some("198.51.100.7"), Some("node-1")));
        devices.push(dev("display-1", None, None));
        let r = nat_report(&devices, "kong (consistent)", &spec, &nodes).unwrap();
        assert_eq!((r.devices, r.with_ip, r.distinct_ips), (302, 301, 2));
        assert_eq!(r.public_ips[0].ip, "203.0.113.50");
        assert_eq!(r.public_ips[0].devices, 300);
        assert_eq!(r.ip_hashing.devices, 301);
        assert!(
            r.ip_hashing.max_share >= 300.0 / 301.0,
            "{:?}",
            r.ip_hashing
        );
        assert_eq!(r.device_id_hashing.devices, 302);
        assert!(
            r.device_id_hashing.max_share < 0.45,
            "{:?}",
            r.device_id_hashing
        );
        let total: u64 = r.device_id_hashing.nodes.iter().map(|n| n.devices).sum();
        assert_eq!(total, 302);
        let text = nat_table(&r, 1, &Style::plain());
        assert!(text.contains("203.0.113.50"), "{text}");
        assert!(text.contains("1 more IPs"), "{text}");
        assert!(text.contains("hashing the client IP"), "{text}");
    }

    #[test]
    fn tables_and_endpoints() {
        let d = vec![
            dev("pc-1", Some("203.0.113.50"), Some("node-2")),
            dev("pc-2", None, None),
        ];
        let t = list_table(&d, &Style::plain());
        assert!(t.contains("pc-1") && t.contains("node-2"), "{t}");
        assert!(t.ends_with("2 devices, 1 online\n"), "{t}");
        let s = show_table(&d[1], &Style::plain());
        assert!(
            s.contains("last_ip_address") && s.contains("registered_at"),
            "{s}"
        );
        assert_eq!(
            endpoint("http://127.0.0.1:3000", None, &[("online", "true".into())])
                .unwrap()
                .as_str(),
            "http://127.0.0.1:3000/api/v1/devices?online=true"
        );
        assert_eq!(
            endpoint("http://gw/rt/", Some("pc-1"), &[])
                .unwrap()
                .as_str(),
            "http://gw/rt/api/v1/devices/pc-1"
        );
    }
}
