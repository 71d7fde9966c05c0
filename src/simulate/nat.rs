//! `rtctl simulate nat`: N devices behind G public IPs, routed request by request through the
//! modelled gateway exactly as the real one would (key sources, fallbacks, round-robin for
//! unkeyed requests, the browser's header-less WebSocket handshake).

use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::cli::{ClientKind, KeyKind, NatArgs, NatChange, TransportKind};
use crate::error::{Error, Result};
use crate::fleet::{Fleet, GatewayKind, KeySource};
use crate::gateway::{Algorithm, GatewaySpec, Target};
use crate::output::{bar, fmt_f, fmt_int, Report, Style};
use crate::resolve;
use crate::simulate::{ids, kong_header_bug, Router};

/// The first public address: the guide's NAT gateway.
pub const FIRST_PUBLIC_IP: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 50);

/// One simulated situation: a gateway config plus who connects and how.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub kind: GatewayKind,
    pub spec: GatewaySpec,
    /// Key sources, primary first.
    pub sources: Vec<KeySource>,
    pub client: ClientKind,
    pub transport: TransportKind,
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
        TransportKind::Polling => &[Req::Handshake, Req::Poll, Req::WebSocket],
        TransportKind::Websocket => &[Req::WebSocket],
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
            TransportKind::Websocket => nodes[0],
            TransportKind::Polling => {
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
                let sent = scn.client == ClientKind::Node || req != Req::WebSocket;
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

pub fn run(args: &NatArgs) -> Result<NatReport> {
    let fleet = resolve::fleet(&args.fleet, None, None, None)?;
    let ids = match &args.ids_file {
        Some(p) => ids::read_file(p)?,
        None => {
            let n = args.fleet.devices.unwrap_or(fleet.workload.devices);
            if n == 0 || n > 50_000_000 {
                return Err(Error::flag(
                    "--devices",
                    format!("expected 1..=50000000, got {n}"),
                ));
            }
            ids::generate(n as usize, args.seed)
        }
    };
    if args.public_ips == 0 {
        return Err(Error::flag("--public-ips", "expected at least 1"));
    }
    let bar = progress_bar(ids.len() as u64);
    let mut tick = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let report = simulate(&fleet, args, &ids, &mut tick)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(report)
}

fn progress_bar(len: u64) -> Option<indicatif::ProgressBar> {
    if len < 200_000 || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(len);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} routing devices {bar:30} {pos}/{len} {eta}",
        )
        .expect("valid template"),
    );
    Some(b)
}

/// The whole simulation, pure: fleet + options + ids → report.
pub fn simulate(
    fleet: &Fleet,
    args: &NatArgs,
    ids: &[String],
    progress: &mut dyn FnMut(u64),
) -> Result<NatReport> {
    let sources = match args.key {
        KeyKind::Fleet => fleet.gateway.sticky_keys.clone(),
        KeyKind::Ip => vec![KeySource::Ip],
        KeyKind::Header => vec![KeySource::Header("x-device-id".into())],
        KeyKind::Query => vec![KeySource::Query("deviceId".into())],
        KeyKind::Cookie => vec![KeySource::Cookie("rtctl_sticky".into())],
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
    let order: Vec<NatChange> = if args.changes.is_empty() {
        (args.add.iter().cloned().map(NatChange::Add))
            .chain(args.remove.iter().cloned().map(NatChange::Remove))
            .chain(args.down.iter().cloned().map(NatChange::Down))
            .collect()
    } else {
        args.changes.clone()
    };
    let mut prev_scn = scn.clone();
    let mut prev_names = names.clone();
    let mut prev_node_of = base.node_of.clone();
    for change in order {
        let mut s = prev_scn.clone();
        let mut nm = prev_names.clone();
        let label = match change {
            NatChange::Add(a) => {
                let id = format!("added-{}", nm.len() + 1);
                s.spec.targets.push(Target {
                    addr: a.clone(),
                    weight: None,
                    id: Some(next_id(&s.spec.targets)),
                });
                nm.push((id, a.clone()));
                format!("add {a}")
            }
            NatChange::Remove(r) => {
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
            NatChange::Down(d) => {
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
    if args.key == KeyKind::Ip || fleet.algorithm() == Algorithm::NginxIpHash {
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
            TransportKind::Polling => "polling+websocket".into(),
            TransportKind::Websocket => "websocket".into(),
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

#[cfg(test)]
mod tests {
    use clap::Parser;
    use proptest::prelude::*;

    use super::*;
    use crate::cli::{Cli, Command, SimulateCommand};

    fn args(extra: &[&str]) -> NatArgs {
        let mut argv = vec!["rtctl", "simulate", "nat"];
        argv.extend_from_slice(extra);
        match Cli::parse_from(argv).command {
            Command::Simulate(SimulateCommand::Nat(a)) => a,
            _ => unreachable!(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        /// Every device lands somewhere, and the same seed gives the same report.
        #[test]
        fn counts_sum_and_seeds_repeat(n in 1usize..3000, seed in 0u64..1000, ips in 1u32..50, key in 0usize..4) {
            let key = ["ip", "header", "query", "cookie"][key];
            let seed_s = seed.to_string();
            let ips_s = ips.to_string();
            let a = args(&["--seed", &seed_s, "--public-ips", &ips_s, "--key", key, "--gateway", "nginx"]);
            let fleet = resolve::fleet(&a.fleet, None, None, None).unwrap();
            let ids = ids::generate(n, seed);
            let r1 = simulate(&fleet, &a, &ids, &mut |_| {}).unwrap();
            let total: u64 = r1.nodes.iter().map(|c| c.devices).sum();
            prop_assert_eq!(total, n as u64);
            let r2 = simulate(&fleet, &a, &ids, &mut |_| {}).unwrap();
            prop_assert_eq!(serde_json::to_string(&r1).unwrap(), serde_json::to_string(&r2).unwrap());
        }
    }

    fn ordered(extra: &[&str]) -> NatArgs {
        let mut argv = vec!["rtctl", "simulate", "nat"];
        argv.extend_from_slice(extra);
        match Cli::try_parse_ordered_from(argv).unwrap().command {
            Command::Simulate(SimulateCommand::Nat(a)) => a,
            _ => unreachable!(),
        }
    }

    #[test]
    fn changes_apply_in_the_order_given_and_cumulatively() {
        let a = ordered(&[
            "--remove",
            "node-2",
            "--add",
            "10.0.0.9:3000",
            "--down",
            "10.0.0.9:3000",
        ]);
        let fleet = resolve::fleet(&a.fleet, None, None, None).unwrap();
        let ids = ids::generate(3_000, 5);
        let r = simulate(&fleet, &a, &ids, &mut |_| {}).unwrap();
        let labels: Vec<_> = r.changes.iter().map(|c| c.change.as_str()).collect();
        assert_eq!(
            labels,
            ["remove node-2", "add 10.0.0.9:3000", "mark added-3 down"]
        );
        let nodes = |i: usize| -> Vec<&str> {
            r.changes[i].nodes.iter().map(|n| n.addr.as_str()).collect()
        };
        // The add comes after the remove: node-2 stays gone.
        assert_eq!(nodes(0), ["10.0.0.1:3000", "10.0.0.3:3000"]);
        assert_eq!(
            nodes(1),
            ["10.0.0.1:3000", "10.0.0.3:3000", "10.0.0.9:3000"]
        );
        // Moves count against the step before: the add moves exactly what the new node takes.
        assert_eq!(r.changes[1].moved, r.changes[1].nodes[2].devices);
        // Marking the added node down moves its devices back, and nothing else.
        assert_eq!(r.changes[2].moved, r.changes[1].nodes[2].devices);
        assert_eq!(r.changes[2].moved_between_unchanged_nodes, 0);
        for c in &r.changes {
            assert_eq!(
                c.nodes.iter().map(|n| n.devices).sum::<u64>(),
                3_000,
                "{}",
                c.change
            );
        }
        // A removed node cannot be referenced afterwards.
        let a = ordered(&["--remove", "node-2", "--down", "node-2"]);
        let e = simulate(&fleet, &a, &ids, &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(e.contains("--down: \"node-2\" is neither"), "{e}");
    }

    #[test]
    fn adding_a_node_moves_about_one_in_n() {
        let a = args(&["--add", "10.0.0.4:3000"]);
        let fleet = resolve::fleet(&a.fleet, None, None, None).unwrap();
        let ids = ids::generate(20_000, 3);
        let r = simulate(&fleet, &a, &ids, &mut |_| {}).unwrap();
        let moved = r.changes[0].moved as f64 / 20_000.0;
        // The new node's share of the ring: 1/4 on average, within the ring's irregularity.
        assert!((0.15..0.35).contains(&moved), "{moved}");
        assert_eq!(r.changes[0].moved_between_unchanged_nodes, 0);
        assert_eq!(r.changes[0].moved, r.changes[0].nodes[3].devices);
    }
}
