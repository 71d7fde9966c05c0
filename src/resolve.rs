//! Merge a fleet file (optional) with command-line flags (which win) into a validated `Fleet`.

use crate::cli::{ClientArgs, FleetArgs, ProfileArgs, WorkloadArgs};
use crate::error::{Error, Result};
use crate::fleet::{
    self, Client, Fleet, Gateway, GatewayKind, HashAlgorithm, Node, Profile, Workload,
};

/// The fleet used when no file is given: the guide's three Kong nodes.
pub fn default_fleet() -> Fleet {
    Fleet {
        name: "guide example".into(),
        gateway: Gateway {
            kind: GatewayKind::Kong,
            algorithm: HashAlgorithm::Consistent,
            sticky_keys: vec![
                fleet::KeySource::Query("deviceId".into()),
                fleet::KeySource::Header("x-device-id".into()),
            ],
            slots: fleet::DEFAULT_SLOTS,
            kong_version: None,
        },
        nodes: synth_nodes(3, &[]),
        redis: None,
        profile: Profile::default(),
        workload: Workload::default(),
        client: Client::default(),
    }
}

/// `count` nodes `node-1..` at 10.0.0.1:3000, 10.0.0.2:3000, … (254 per /24), skipping
/// addresses already in `taken`.
pub fn synth_nodes(count: usize, taken: &[Node]) -> Vec<Node> {
    let mut out = Vec::with_capacity(count);
    let mut i = 0u32;
    while out.len() < count {
        let host = format!(
            "10.{}.{}.{}",
            (i / 254) / 256 % 256,
            (i / 254) % 256,
            i % 254 + 1
        );
        i += 1;
        let id = format!("node-{}", taken.len() + out.len() + 1);
        if taken
            .iter()
            .any(|n| n.host == host && n.port == 3000 || n.id == id)
        {
            continue;
        }
        out.push(Node {
            id,
            host,
            port: 3000,
            weight: None,
            haproxy_id: None,
        });
    }
    out
}

/// Load the file (if any), apply the flags, validate.
pub fn fleet(
    f: &FleetArgs,
    profile: Option<&ProfileArgs>,
    workload: Option<&WorkloadArgs>,
    client: Option<&ClientArgs>,
) -> Result<Fleet> {
    let (mut fleet, path) = match &f.fleet {
        Some(p) => (Fleet::load(p)?, p.clone()),
        None => (default_fleet(), fleet::flags_path()),
    };
    if let Some(n) = f.nodes {
        if n == 0 {
            return Err(Error::flag("--nodes", "expected at least 1"));
        }
        fleet.nodes = synth_nodes(n as usize, &[]);
    }
    if let Some(g) = f.gateway {
        if g != fleet.gateway.kind {
            fleet.gateway.kind = g;
            // A different gateway keeps "consistent" unless an algorithm is given too.
            if f.algorithm.is_none() {
                fleet.gateway.algorithm = HashAlgorithm::Consistent;
            }
        }
    }
    if let Some(a) = f.algorithm {
        fleet.gateway.algorithm = a;
    }
    if let Some(s) = f.slots {
        fleet.gateway.slots = s;
    }
    if let Some(d) = f.devices {
        fleet.workload.devices = d;
    }
    if let Some(p) = profile {
        let t = &mut fleet.profile;
        set(&mut t.cpu_cores, p.cpu_cores);
        set(&mut t.cpu_target, p.cpu_target);
        set(&mut t.memory, p.memory);
        set(&mut t.reserved_memory, p.reserved_memory);
        set(&mut t.fd_limit, p.fd_limit);
        set(&mut t.fd_reserve, p.fd_reserve);
        set(&mut t.memory_per_connection, p.memory_per_connection);
        set(&mut t.cpu_ms_per_delivery, p.cpu_ms_per_delivery);
    }
    if let Some(w) = workload {
        let t = &mut fleet.workload;
        set(&mut t.departments, w.departments);
        set(&mut t.broadcasts_per_minute, w.broadcasts_per_minute);
        set(
            &mut t.department_messages_per_minute,
            w.department_messages_per_minute,
        );
        set(
            &mut t.direct_messages_per_minute,
            w.direct_messages_per_minute,
        );
        set(&mut t.ping_interval_secs, w.ping_interval_secs);
    }
    if let Some(c) = client {
        let t = &mut fleet.client;
        set(&mut t.reconnection_delay_ms, c.reconnection_delay_ms);
        set(
            &mut t.reconnection_delay_max_ms,
            c.reconnection_delay_max_ms,
        );
        set(&mut t.randomization_factor, c.randomization_factor);
        set(&mut t.reconnection_attempts, c.reconnection_attempts);
    }
    fleet.validate().map_err(|(field, message)| {
        if f.fleet.is_some() {
            Error::Fleet {
                path: path.clone(),
                location: None,
                message: format!("{field} (after applying flags): {message}"),
            }
        } else {
            Error::flag(field_flag(&field), message)
        }
    })?;
    Ok(fleet)
}

fn set<T>(slot: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *slot = v;
    }
}

/// The flag that sets a fleet field, for errors about flag-only input.
fn field_flag(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    match last {
        "slots" => "--slots".into(),
        "algorithm" => "--algorithm".into(),
        f if field.starts_with("nodes") => format!("--nodes ({f})"),
        f => format!("--{}", f.replace('_', "-")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesized_nodes_are_unique_and_valid() {
        let nodes = synth_nodes(600, &[]);
        let mut addrs: Vec<_> = nodes.iter().map(|n| n.addr()).collect();
        addrs.sort();
        addrs.dedup();
        assert_eq!(addrs.len(), 600);
        assert_eq!(nodes[0].addr(), "10.0.0.1:3000");
        assert_eq!(nodes[253].addr(), "10.0.0.254:3000");
        assert_eq!(nodes[254].addr(), "10.0.1.1:3000");
        let mut f = default_fleet();
        f.nodes = nodes;
        f.validate().unwrap();
    }

    #[test]
    fn flags_override_and_validate() {
        let args = FleetArgs {
            slots: Some(5),
            ..Default::default()
        };
        let e = fleet(&args, None, None, None).unwrap_err().to_string();
        assert!(e.starts_with("--slots: expected 10..=65536"), "{e}");
        let args = FleetArgs {
            gateway: Some(GatewayKind::Nginx),
            algorithm: Some(HashAlgorithm::Map),
            ..Default::default()
        };
        let e = fleet(&args, None, None, None).unwrap_err().to_string();
        assert!(e.contains("map is not a nginx algorithm"), "{e}");
    }
}
