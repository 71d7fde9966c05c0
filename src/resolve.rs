//! Merge a fleet file (optional) with command-line flags (which win) into a validated `Fleet`,
//! or into the settings of one `rtctl serve` node.

use crate::cli::{ClientArgs, FleetArgs, ProfileArgs, ServeArgs, WorkloadArgs};
use crate::error::{Error, Result};
use crate::fleet::{self, Fleet, HashAlgorithm};

/// The default fleet and synthesized nodes are pure fleet facts; re-exported for old paths.
pub use crate::fleet::{default_fleet, synth_nodes};

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
        if d == 0 {
            return Err(Error::flag(
                "--devices",
                "expected at least 1 device (a fleet with no devices needs no sizing)",
            ));
        }
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

/// What one `rtctl serve` runs with: the fleet file's node and `[redis]` / `[serve]` sections
/// (when `-f` is given), overridden by flags and RTCTL_* variables, else the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeSettings {
    pub listen: String,
    /// `None`: the listen address is the id (only without a fleet file).
    pub node_id: Option<String>,
    pub redis: Option<String>,
    pub namespace: String,
    pub drain_timeout_secs: f64,
    pub log_max_len: u64,
    pub log_max_age_secs: f64,
}

/// Resolve `rtctl serve`'s settings. With a fleet file the node id is required and must be one
/// of its `[[nodes]]`.
pub fn serve(args: &ServeArgs) -> Result<ServeSettings> {
    let defaults = fleet::Serve::default();
    let mut s = ServeSettings {
        listen: "127.0.0.1:3000".into(),
        node_id: args.node_id.clone(),
        redis: None,
        namespace: fleet::DEFAULT_NAMESPACE.into(),
        drain_timeout_secs: defaults.drain_timeout_secs,
        log_max_len: defaults.log_max_len,
        log_max_age_secs: defaults.log_max_age_secs,
    };
    if let Some(path) = &args.fleet {
        let f = Fleet::load(path)?;
        let ids = f
            .nodes
            .iter()
            .map(|n| n.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let Some(id) = &args.node_id else {
            return Err(Error::flag(
                "--node-id",
                format!(
                    "required with a fleet file: which node of {} is this (one of: {ids})?",
                    path.display()
                ),
            ));
        };
        let node = f.nodes.iter().find(|n| &n.id == id).ok_or_else(|| {
            Error::flag(
                "--node-id",
                format!(
                    "{id:?} is not a node of {} (its nodes: {ids})",
                    path.display()
                ),
            )
        })?;
        s.listen = node.listen.clone().unwrap_or_else(|| node.addr());
        if let Some(r) = &f.redis {
            s.redis = Some(r.url.clone());
            s.namespace = r.namespace.clone();
        }
        s.drain_timeout_secs = f.serve.drain_timeout_secs;
        s.log_max_len = f.serve.log_max_len;
        s.log_max_age_secs = f.serve.log_max_age_secs;
    }
    set(&mut s.listen, args.listen.clone());
    if args.redis.is_some() {
        s.redis = args.redis.clone();
    }
    set(&mut s.namespace, args.namespace.clone());
    set(&mut s.drain_timeout_secs, args.drain_timeout);
    set(&mut s.log_max_len, args.log_max_len);
    set(&mut s.log_max_age_secs, args.log_max_age_secs);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::GatewayKind;

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

    fn serve_args(fleet: Option<&std::path::Path>) -> ServeArgs {
        use clap::Parser;
        let mut argv = vec!["rtctl", "serve"];
        let path;
        if let Some(f) = fleet {
            path = f.display().to_string();
            argv.extend(["-f", path.as_str()]);
        }
        match crate::cli::Cli::try_parse_from(argv).unwrap().command {
            crate::cli::Command::Serve(a) => a,
            _ => unreachable!(),
        }
    }

    #[test]
    fn serve_takes_its_node_and_settings_from_the_fleet_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fleet.toml");
        std::fs::write(
            &path,
            "[gateway]\nkind = \"nginx\"\n\
             [[nodes]]\nid = \"a\"\nhost = \"10.0.0.1\"\nport = 3001\n\
             [[nodes]]\nid = \"b\"\nhost = \"10.0.0.2\"\nport = 3002\nlisten = \"0.0.0.0:3002\"\n\
             [redis]\nurl = \"redis://10.0.0.9:6379/4\"\nnamespace = \"acme\"\n\
             [serve]\ndrain_timeout_secs = 3\nlog_max_len = 500\nlog_max_age_secs = 60\n",
        )
        .unwrap();
        let mut args = serve_args(Some(&path));
        args.node_id = Some("a".into());
        let s = serve(&args).unwrap();
        assert_eq!(
            s,
            ServeSettings {
                listen: "10.0.0.1:3001".into(),
                node_id: Some("a".into()),
                redis: Some("redis://10.0.0.9:6379/4".into()),
                namespace: "acme".into(),
                drain_timeout_secs: 3.0,
                log_max_len: 500,
                log_max_age_secs: 60.0,
            }
        );
        args.node_id = Some("b".into());
        assert_eq!(serve(&args).unwrap().listen, "0.0.0.0:3002");
        args.listen = Some("127.0.0.1:9".into());
        args.redis = Some("redis://127.0.0.1/1".into());
        args.namespace = Some("other".into());
        args.drain_timeout = Some(0.5);
        args.log_max_len = Some(7);
        args.log_max_age_secs = Some(0.0);
        let s = serve(&args).unwrap();
        assert_eq!(
            (s.listen.as_str(), s.redis.as_deref(), s.namespace.as_str()),
            ("127.0.0.1:9", Some("redis://127.0.0.1/1"), "other")
        );
        assert_eq!(
            (s.drain_timeout_secs, s.log_max_len, s.log_max_age_secs),
            (0.5, 7, 0.0)
        );

        args.node_id = Some("c".into());
        let e = serve(&args).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::code::BAD_INPUT);
        assert!(
            e.to_string()
                .starts_with("--node-id: \"c\" is not a node of ")
                && e.to_string().ends_with("(its nodes: a, b)"),
            "{e}"
        );
        args.node_id = None;
        let e = serve(&args).unwrap_err().to_string();
        assert!(e.contains("--node-id: required with a fleet file"), "{e}");
    }

    #[test]
    fn serve_without_a_fleet_keeps_the_defaults() {
        let s = serve(&serve_args(None)).unwrap();
        assert_eq!(s.listen, "127.0.0.1:3000");
        assert_eq!(s.node_id, None);
        assert_eq!(s.redis, None);
        assert_eq!(s.namespace, "default");
        assert_eq!(s.drain_timeout_secs, 10.0);
        assert_eq!((s.log_max_len, s.log_max_age_secs), (100_000, 86_400.0));
    }
}
