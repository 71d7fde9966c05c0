//! `rtctl simulate nat`: N devices behind G public IPs, routed request by request through the
//! modelled gateway exactly as the real one would (key sources, fallbacks, round-robin for
//! unkeyed requests, the browser's header-less WebSocket handshake).

use std::net::{IpAddr, Ipv4Addr};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::fleet::{Fleet, GatewayKind, KeySource};
use crate::gateway::{Algorithm, GatewaySpec, Target};
use crate::output::{bar, fmt_f, fmt_int, Report, Style};
use crate::simulate::{kong_header_bug, Router};

/// The first public address: the guide's NAT gateway.
pub const FIRST_PUBLIC_IP: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 50);

/// What the gateway hashes (`--key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyChoice {
    /// The fleet file's sticky keys, in its order.
    Fleet,
    /// The client's public IP.
    Ip,
    /// The header `x-device-id`.
    Header,
    /// The query argument `deviceId`.
    Query,
    /// A cookie (`rtctl_sticky`).
    Cookie,
}

/// The connecting client (`--client`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// socket.io-client under Node.js or React Native: extra headers on every request.
    Node,
    /// A browser: no custom headers on the WebSocket handshake.
    Browser,
}

/// How the client connects (`--transport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Long-polling first, then the upgrade to WebSocket.
    Polling,
    /// WebSocket only.
    Websocket,
}

/// One change to the gateway's targets, by node id or address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FleetChange {
    Add(String),
    Remove(String),
    Down(String),
}

/// Everything [`simulate`] needs besides the fleet and the device ids.
#[derive(Debug, Clone, PartialEq)]
pub struct NatInput {
    /// Public addresses the devices are spread over (at least 1).
    pub public_ips: u32,
    pub key: KeyChoice,
    pub client: Client,
    pub transport: Transport,
    /// Overrides the fleet's Kong version (for the header bug of Kong 3.8–3.9).
    pub kong_version: Option<String>,
    /// Applied in this order, each on top of the previous ones.
    pub changes: Vec<FleetChange>,
    pub seed: u64,
    /// Width of the report's bars.
    pub bar_width: usize,
}

/// One simulated situation: a gateway config plus who connects and how.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub kind: GatewayKind,
    pub spec: GatewaySpec,
    /// Key sources, primary first.
    pub sources: Vec<KeySource>,
    pub client: Client,
    pub transport: Transport,
    /// Kong 3.8–3.9: a header whose name contains `-` reads nil.
    pub kong_header_bug: bool,
}

/// Where each device ended up, and what went wrong on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Target index of each device's session; `None` if no target was available.
    pub node_of: Vec<Option<u32>>,
    /// Requests that carried no usable key (round-robin on nginx/HAProxy, `""` on Kong).
    pub unkeyed_requests: u64,
    /// Polling sessions whose requests reached different nodes (HTTP 400 "Session ID unknown").
    pub broken_sessions: u64,
    /// WebSocket upgrades that reached another node than the polling session: the upgrade fails
    /// and the device stays on long-polling.
    pub failed_upgrades: u64,
    /// Devices no target would take.
    pub unavailable: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Req {
    Handshake,
    Poll,
    WebSocket,
}

/// The public address device `i` comes from: the `ip_index`-th address after 203.0.113.50.
pub fn public_ip(ip_index: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(
        u32::from(FIRST_PUBLIC_IP).wrapping_add(ip_index),
    ))
}

/// Route every device through the gateway, in order. Pure; `progress` is told how many devices
/// are done now and then.
pub fn place(
    scn: &Scenario,
    ids: &[String],
    ip_of: &[u32],
    cookie_seed: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<Placement> {
    let mut router = Router::new(&scn.spec, "gateway")?;
    let ip_texts: Vec<String> = {
        let g = ip_of.iter().copied().max().map_or(0, |m| m as usize + 1);
        (0..g as u32).map(|i| public_ip(i).to_string()).collect()
    };
    let mut p = Placement {
        node_of: Vec::with_capacity(ids.len()),
        unkeyed_requests: 0,
        broken_sessions: 0,
        failed_upgrades: 0,
        unavailable: 0,
    };
    let reqs: &[Req] = match scn.transport {
        Transport::Polling => &[Req::Handshake, Req::Poll, Req::WebSocket],
        Transport::Websocket => &[Req::WebSocket],
    };
    let mut cookie = String::new();
    for (d, id) in ids.iter().enumerate() {
        if d % 65_536 == 0 {
            progress(d as u64);
        }
        let ip = ip_texts[ip_of[d] as usize].as_str();
        cookie.clear();
        {
            use std::fmt::Write;
            let _ = write!(cookie, "{:016x}", splitmix(cookie_seed ^ d as u64));
        }
        let mut nodes = [None::<usize>; 3];
        for (r, &req) in reqs.iter().enumerate() {
            let key = request_key(scn, req, id, ip, &cookie);
            if key.map_or(true, |k| k.is_empty()) {
                p.unkeyed_requests += 1;
            }
            nodes[r] = match key {
                KeyBytes::Ip(ip) => router.resolve(router.balancer().pick_ip(ip)),
                other => router.route(other.bytes()),
            };
        }
        let node = match scn.transport {
            Transport::Websocket => nodes[0],
            Transport::Polling => {
                if nodes[1] != nodes[0] {
                    p.broken_sessions += 1;
                } else if nodes[2] != nodes[0] {
                    p.failed_upgrades += 1;
                }
                nodes[0]
            }
        };
        if node.is_none() {
            p.unavailable += 1;
        }
        p.node_of.push(node.map(|n| n as u32));
    }
    progress(ids.len() as u64);
    Ok(p)
}

/// The bytes a gateway hashes for one request.
#[derive(Debug, Clone, Copy)]
enum KeyBytes<'a> {
    /// A key string ("" = present but empty, which Kong hashes).
    Str(&'a str),
    /// No key: nginx/HAProxy use round-robin, Kong hashes "".
    Missing,
    /// The client address, hashed the gateway's own way (`balance source`, `ip_hash`).
    Ip(IpAddr),
}

impl KeyBytes<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            KeyBytes::Str(s) => s.as_bytes(),
            _ => b"",
        }
    }
    fn map_or(&self, missing: bool, f: impl Fn(&str) -> bool) -> bool {
        match self {
            KeyBytes::Str(s) => f(s),
            KeyBytes::Missing => missing,
            KeyBytes::Ip(_) => false,
        }
    }
}

fn request_key<'a>(
    scn: &Scenario,
    req: Req,
    id: &'a str,
    ip: &'a str,
    cookie: &'a str,
) -> KeyBytes<'a> {
    if scn.spec.algorithm == Algorithm::NginxIpHash {
        return KeyBytes::Ip(ip.parse().expect("generated addresses parse"));
    }
    let value = |src: &KeySource| -> Option<KeyBytes<'a>> {
        match src {
            KeySource::Query(name) => (name == "deviceId").then_some(KeyBytes::Str(id)),
            KeySource::Header(name) => {
                if scn.kind == GatewayKind::Kong && scn.kong_header_bug && name.contains('-') {
                    return None;
                }
                let sent = scn.client == Client::Node || req != Req::WebSocket;
                (name == "x-device-id" && sent).then_some(KeyBytes::Str(id))
            }
            KeySource::Cookie(_) => {
                // Kong sets its own cookie and hashes that value from the first request on;
                // nginx/HAProxy only see a cookie the application set on an earlier response.
                (scn.kind == GatewayKind::Kong || req != Req::Handshake)
                    .then_some(KeyBytes::Str(cookie))
            }
            KeySource::Ip => Some(match scn.kind {
                GatewayKind::Haproxy => {
                    KeyBytes::Ip(ip.parse().expect("generated addresses parse"))
                }
                _ => KeyBytes::Str(ip),
            }),
        }
    };
    match scn.kind {
        // Kong: the primary if present (even empty), else the fallback, else "".
        GatewayKind::Kong => {
            let mut it = scn.sources.iter().take(2);
            match it.next().and_then(value) {
                Some(v) => v,
                None => it.next().and_then(value).unwrap_or(KeyBytes::Str("")),
            }
        }
        // nginx `map` / HAProxy `set-header if urlp_len gt 0`: the first non-empty source.
        _ => scn
            .sources
            .iter()
            .filter_map(value)
            .find(|v| !v.map_or(true, str::is_empty))
            .unwrap_or(KeyBytes::Missing),
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeCount {
    pub id: String,
    pub addr: String,
    pub devices: u64,
    /// The share of the key space this node owns (the theory for keyed devices).
    pub share: f64,
    pub expected: f64,
    pub sd_theory: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub change: String,
    pub moved: u64,
    /// Devices that moved from one unchanged node to another unchanged node: 0 for consistent
    /// hashing, most of the moves for modulo hashing.
    pub moved_between_unchanged_nodes: u64,
    pub nodes: Vec<NodeCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NatReport {
    pub seed: u64,
    pub devices: u64,
    pub public_ips: u32,
    pub gateway: String,
    pub key_sources: Vec<String>,
    pub client: String,
    pub transport: String,
    pub nodes: Vec<NodeCount>,
    pub max: u64,
    pub mean: f64,
    pub max_over_mean: f64,
    pub sd_observed: f64,
    pub unkeyed_requests: u64,
    pub broken_sessions: u64,
    pub failed_upgrades: u64,
    pub unavailable: u64,
    pub changes: Vec<Change>,
    pub notes: Vec<String>,
    #[serde(skip)]
    pub bar_width: usize,
}

fn counts(
    fleet_nodes: &[(String, String)],
    scn: &Scenario,
    p: &Placement,
) -> Result<Vec<NodeCount>> {
    let shares = crate::simulate::balancer(&scn.spec, "gateway")?.shares();
    let n = p.node_of.len() as f64;
    let mut c = vec![0u64; fleet_nodes.len()];
    for i in p.node_of.iter().flatten() {
        c[*i as usize] += 1;
    }
    Ok(fleet_nodes
        .iter()
        .zip(c)
        .zip(shares)
        .map(|(((id, addr), devices), share)| NodeCount {
            id: id.clone(),
            addr: addr.clone(),
            devices,
            share,
            expected: n * share,
            sd_theory: (n * share * (1.0 - share)).sqrt(),
        })
        .collect())
}

/// The whole simulation, pure: fleet + options + ids → report. `progress` is told how many
/// of the `ids` are routed now and then (the base placement; the changes are not counted).
pub fn simulate(
    fleet: &Fleet,
    args: &NatInput,
    ids: &[String],
    progress: &mut dyn FnMut(u64),
) -> Result<NatReport> {
    if args.public_ips == 0 {
        return Err(Error::flag("--public-ips", "expected at least 1"));
    }
    let sources = match args.key {
        KeyChoice::Fleet => fleet.gateway.sticky_keys.clone(),
        KeyChoice::Ip => vec![KeySource::Ip],
        KeyChoice::Header => vec![KeySource::Header("x-device-id".into())],
        KeyChoice::Query => vec![KeySource::Query("deviceId".into())],
        KeyChoice::Cookie => vec![KeySource::Cookie("rtctl_sticky".into())],
    };
    let version = args
        .kong_version
        .clone()
        .or_else(|| fleet.gateway.kong_version.clone());
    let scn = Scenario {
        kind: fleet.gateway.kind,
        spec: fleet.gateway_spec(),
        sources: sources.clone(),
        client: args.client,
        transport: args.transport,
        kong_header_bug: version.as_deref().is_some_and(kong_header_bug),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed ^ 0xA5A5_5A5A);
    let ip_of: Vec<u32> = (0..ids.len())
        .map(|_| rng.random_range(0..args.public_ips))
        .collect();
    let base = place(&scn, ids, &ip_of, args.seed, progress)?;
    let names: Vec<(String, String)> = fleet
        .nodes
        .iter()
        .map(|n| (n.id.clone(), n.addr()))
        .collect();
    let nodes = counts(&names, &scn, &base)?;

    let mut changes = Vec::new();
    let find = |flag: &str, v: &str, names: &[(String, String)]| -> Result<usize> {
        names
            .iter()
            .position(|(id, addr)| id == v || addr == v)
            .ok_or_else(|| {
                Error::flag(
                    flag,
                    format!("{v:?} is neither a node id nor a node address of this fleet"),
                )
            })
    };
    // Each change applies on top of the previous ones, in the order given; what moves is
    // counted against the configuration just before it.
    let mut prev_scn = scn.clone();
    let mut prev_names = names.clone();
    let mut prev_node_of = base.node_of.clone();
    for change in args.changes.iter().cloned() {
        let mut s = prev_scn.clone();
        let mut nm = prev_names.clone();
        let label = match change {
            FleetChange::Add(a) => {
                let id = format!("added-{}", nm.len() + 1);
                s.spec.targets.push(Target {
                    addr: a.clone(),
                    weight: None,
                    id: Some(next_id(&s.spec.targets)),
                });
                nm.push((id, a.clone()));
                format!("add {a}")
            }
            FleetChange::Remove(r) => {
                let i = find("--remove", &r, &nm)?;
                s.spec.targets.remove(i);
                // Down marks point at target positions: drop this one's, shift the later ones.
                s.spec.down.retain(|&j| j != i);
                for j in &mut s.spec.down {
                    if *j > i {
                        *j -= 1;
                    }
                }
                let (id, _) = nm.remove(i);
                format!("remove {id}")
            }
            FleetChange::Down(d) => {
                let i = find("--down", &d, &nm)?;
                if !s.spec.down.contains(&i) {
                    s.spec.down.push(i);
                }
                format!("mark {} down", nm[i].0)
            }
        };
        let p = place(&s, ids, &ip_of, args.seed, &mut |_| {})?;
        let mut moved = 0;
        let mut between_unchanged = 0;
        for (old, new) in prev_node_of.iter().zip(&p.node_of) {
            let old_addr = old.map(|i| prev_names[i as usize].1.as_str());
            let new_addr = new.map(|i| nm[i as usize].1.as_str());
            if old_addr != new_addr {
                moved += 1;
                // Unchanged: present and up in both configurations.
                let unchanged = |a: Option<&str>| {
                    a.is_some_and(|a| is_up(&prev_scn.spec, a) && is_up(&s.spec, a))
                };
                if unchanged(old_addr) && unchanged(new_addr) {
                    between_unchanged += 1;
                }
            }
        }
        changes.push(Change {
            change: label,
            moved,
            moved_between_unchanged_nodes: between_unchanged,
            nodes: counts(&nm, &s, &p)?,
        });
        prev_scn = s;
        prev_names = nm;
        prev_node_of = p.node_of;
    }

    let n = ids.len() as f64;
    let k = nodes.len() as f64;
    let mean = n / k;
    let max = nodes.iter().map(|c| c.devices).max().unwrap_or(0);
    let var = nodes
        .iter()
        .map(|c| (c.devices as f64 - mean).powi(2))
        .sum::<f64>()
        / k;
    let mut notes = Vec::new();
    if args.key == KeyChoice::Ip || fleet.algorithm() == Algorithm::NginxIpHash {
        notes.push(format!(
            "hashing the client address: {} devices share {} public IP(s), so each IP's devices land together; the key-space shares do not apply",
            fmt_int(ids.len() as u64),
            args.public_ips
        ));
    }
    if scn.kong_header_bug {
        notes.push(format!(
            "Kong {} reads a hash header whose name contains '-' as nil (Kong/kong#13063)",
            version.unwrap_or_default()
        ));
    }
    if base.unkeyed_requests > 0 {
        notes.push(match scn.kind {
            GatewayKind::Kong => {
                "requests without a key hash the empty string on Kong: all of them go to one target"
                    .into()
            }
            _ => "requests without a key are balanced round-robin on nginx and HAProxy: not sticky"
                .into(),
        });
    }
    if base.failed_upgrades > 0 || base.broken_sessions > 0 {
        notes.push(
            "send the id in the query (deviceId): browsers cannot set headers on the WebSocket handshake".into(),
        );
    }
    Ok(NatReport {
        seed: args.seed,
        devices: ids.len() as u64,
        public_ips: args.public_ips,
        gateway: scn.spec.algorithm.to_string(),
        key_sources: sources.iter().map(|s| s.to_string()).collect(),
        client: format!("{:?}", args.client).to_lowercase(),
        transport: match args.transport {
            Transport::Polling => "polling+websocket".into(),
            Transport::Websocket => "websocket".into(),
        },
        nodes,
        max,
        mean,
        max_over_mean: if mean > 0.0 { max as f64 / mean } else { 0.0 },
        sd_observed: var.sqrt(),
        unkeyed_requests: base.unkeyed_requests,
        broken_sessions: base.broken_sessions,
        failed_upgrades: base.failed_upgrades,
        unavailable: base.unavailable,
        changes,
        notes,
        bar_width: args.bar_width,
    })
}

/// Is the target with this address present and not marked down?
fn is_up(spec: &GatewaySpec, addr: &str) -> bool {
    spec.targets
        .iter()
        .enumerate()
        .any(|(j, t)| t.addr == addr && !spec.down.contains(&j))
}

fn next_id(targets: &[Target]) -> u32 {
    targets
        .iter()
        .filter_map(|t| t.id)
        .max()
        .unwrap_or(0)
        .max(targets.len() as u32)
        + 1
}

impl NatReport {
    fn node_table(&self, st: &Style, nodes: &[NodeCount]) -> String {
        let maxd = nodes.iter().map(|c| c.devices).max().unwrap_or(0) as f64;
        let mut t = st.table(&["node", "address", "devices", "%", "theory", "± sd", ""]);
        for c in nodes {
            t.add_row(vec![
                comfy_table::Cell::new(&c.id),
                comfy_table::Cell::new(&c.addr),
                st.num(fmt_int(c.devices)),
                st.num(fmt_f(
                    100.0 * c.devices as f64 / self.devices.max(1) as f64,
                    1,
                )),
                st.num(fmt_int(c.expected.round() as u64)),
                st.num(fmt_f(c.sd_theory, 1)),
                comfy_table::Cell::new(bar(c.devices as f64, maxd, self.bar_width)),
            ]);
        }
        t.to_string()
    }
}

impl Report for NatReport {
    fn human(&self, st: &Style) -> String {
        let mut o = format!(
            "rtctl simulate nat: {} devices behind {} public IP(s) → {}, key {}, {} clients, {}, seed {}\n\n",
            fmt_int(self.devices),
            self.public_ips,
            self.gateway,
            self.key_sources.join(" then "),
            self.client,
            self.transport,
            self.seed
        );
        o += &self.node_table(st, &self.nodes);
        o += "\n";
        let skew = format!(
            "max/mean {} · sd across nodes {} (binomial theory per node above)",
            fmt_f(self.max_over_mean, 3),
            fmt_f(self.sd_observed, 1)
        );
        o += &if self.max_over_mean > 1.5 {
            st.warn_line(&skew)
        } else {
            skew
        };
        o += "\n";
        let problems = format!(
            "unkeyed requests {} · broken polling sessions {} · failed upgrades {} · unavailable {}",
            fmt_int(self.unkeyed_requests),
            fmt_int(self.broken_sessions),
            fmt_int(self.failed_upgrades),
            fmt_int(self.unavailable)
        );
        let bad = self.broken_sessions + self.failed_upgrades + self.unavailable > 0;
        o += &if bad {
            st.warn_line(&problems)
        } else {
            problems
        };
        o += "\n";
        for ch in &self.changes {
            o += &format!(
                "\nAfter \"{}\": {} devices move ({}%), {} of them between nodes that were not changed\n",
                ch.change,
                fmt_int(ch.moved),
                fmt_f(100.0 * ch.moved as f64 / self.devices.max(1) as f64, 1),
                fmt_int(ch.moved_between_unchanged_nodes)
            );
            o += &self.node_table(st, &ch.nodes);
            o += "\n";
        }
        if !self.notes.is_empty() {
            o += "\nNotes\n";
            for n in &self.notes {
                o += &format!("  • {n}\n");
            }
        }
        o
    }
}
