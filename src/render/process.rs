//! Process-manager configs for `rtctl serve`: a PM2 ecosystem file (one fork-mode app per node)
//! and a systemd template unit with one environment file per node. Every node starts as
//! `rtctl serve -f FLEET --node-id ID`: its address, Redis, namespace, retention and drain timeout
//! come from the fleet file on the host. A single-node fleet without `[redis]` keeps its device
//! registry on disk: its node also gets `--data-dir DATA_DIR/ID` (systemd: a `StateDirectory`
//! under `/var/lib`, else `ReadWritePaths`, since the unit's file system is read-only). Pure:
//! fleet in, text out.

use std::fmt::Write as _;

use super::{RenderError, Rendered, Result};
use crate::fleet::Fleet;

/// What the process renderers need besides the fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessOptions {
    /// Absolute path of the rtctl binary on the hosts.
    pub binary: String,
    /// Absolute path of the fleet file on the hosts (`rtctl serve -f`).
    pub fleet_path: String,
    /// `--drain-timeout` for every node, seconds, overriding the fleet's
    /// `[serve] drain_timeout_secs`; the process manager waits longer.
    pub drain_timeout_secs: Option<u32>,
    /// PM2: where the node logs go.
    pub log_dir: String,
    /// systemd: where the per-node environment files live.
    pub env_dir: String,
    /// systemd: the service user.
    pub user: String,
    /// Parent of the node's registry directory (`--data-dir DATA_DIR/ID`), used only by a
    /// single-node fleet without `[redis]` ([`embedded`]).
    pub data_dir: String,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        ProcessOptions {
            binary: "/usr/local/bin/rtctl".into(),
            fleet_path: "/etc/rtctl/fleet.toml".into(),
            drain_timeout_secs: None,
            log_dir: "/var/log/rtctl".into(),
            env_dir: "/etc/rtctl".into(),
            user: "rtctl".into(),
            data_dir: "/var/lib/rtctl".into(),
        }
    }
}

/// The process manager waits this much longer than the node's own drain before it kills.
pub const KILL_GRACE_SECS: u32 = 5;

/// Seconds the process manager waits after its stop signal before it kills: the node's drain
/// timeout plus [`KILL_GRACE_SECS`].
fn stop_secs(fleet: &Fleet, opts: &ProcessOptions) -> u64 {
    let drain = opts
        .drain_timeout_secs
        .map_or(fleet.serve.drain_timeout_secs, f64::from);
    drain.ceil() as u64 + u64::from(KILL_GRACE_SECS)
}

/// Whether the fleet's node keeps its device registry on disk: one node and no `[redis]` (with
/// Redis the registry is in Redis; several nodes without it would keep separate registries, so
/// they get none and the registry endpoints say so).
pub fn embedded(fleet: &Fleet) -> bool {
    fleet.redis.is_none() && fleet.nodes.len() == 1
}

/// `serve -f FLEET --node-id ID [--drain-timeout N] [--data-dir DIR/ID]` without the binary.
fn serve_args(fleet: &Fleet, opts: &ProcessOptions, id: &str) -> Vec<String> {
    let mut args = vec![
        "serve".to_string(),
        "-f".into(),
        opts.fleet_path.clone(),
        "--node-id".into(),
        id.into(),
    ];
    if let Some(d) = opts.drain_timeout_secs {
        args.extend(["--drain-timeout".into(), d.to_string()]);
    }
    if embedded(fleet) {
        args.extend(["--data-dir".into(), format!("{}/{id}", opts.data_dir)]);
    }
    args
}

fn check(fleet: &Fleet, opts: &ProcessOptions) -> Result<()> {
    if !opts.binary.starts_with('/') {
        return Err(RenderError::new(
            "--binary",
            format!("expected an absolute path, got {:?}", opts.binary),
        ));
    }
    if !opts.fleet_path.starts_with('/') || opts.fleet_path.contains(char::is_whitespace) {
        return Err(RenderError::new(
            "--fleet-path",
            format!(
                "expected an absolute path without spaces, got {:?}",
                opts.fleet_path
            ),
        ));
    }
    let dd = &opts.data_dir;
    if !dd.starts_with('/') || dd.contains(char::is_whitespace) || dd.contains('%') || dd == "/" {
        return Err(RenderError::new(
            "--data-dir",
            format!("expected an absolute directory path without spaces or %, got {dd:?}"),
        ));
    }
    for (i, n) in fleet.nodes.iter().enumerate() {
        if !n
            .id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(RenderError::new(
                format!("nodes[{i}].id"),
                format!(
                    "{:?} is used as a process name and a systemd instance: expected [A-Za-z0-9._-]",
                    n.id
                ),
            ));
        }
    }
    Ok(())
}

fn js(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// `ecosystem.config.js`: one `rtctl serve` per node, fork mode, no Node interpreter.
pub fn pm2(fleet: &Fleet, opts: &ProcessOptions) -> Result<Rendered> {
    check(fleet, opts)?;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "// PM2 ecosystem for {}, rendered by rtctl: one `rtctl serve` per node, fork mode.\n// Each node reads its address, Redis, namespace, retention and drain timeout from {}.\n// Start: pm2 start ecosystem.config.js   Stop (drains each node): pm2 stop ecosystem.config.js\n// Put the API key in the environment PM2 starts from (RTCTL_API_KEY), not in this file.",
        fleet.name, opts.fleet_path
    );
    o += "module.exports = {\n  apps: [\n";
    for n in &fleet.nodes {
        let args: Vec<String> = serve_args(fleet, opts, &n.id)
            .iter()
            .map(|a| js(a))
            .collect();
        let _ = writeln!(o, "    {{");
        if embedded(fleet) {
            let _ = writeln!(
                o,
                "      // One node, no [redis]: the device registry is on disk in {}/{} (create it, writable by the user PM2 runs as).",
                opts.data_dir, n.id
            );
        }
        let _ = writeln!(o, "      name: {},", js(&format!("rtctl-{}", n.id)));
        let _ = writeln!(o, "      script: {},", js(&opts.binary));
        let _ = writeln!(o, "      args: [{}],", args.join(", "));
        let _ = writeln!(o, "      interpreter: \"none\",");
        let _ = writeln!(o, "      exec_mode: \"fork\",");
        let _ = writeln!(o, "      instances: 1,");
        let _ = writeln!(o, "      autorestart: true,");
        let _ = writeln!(o, "      max_restarts: 50,");
        let _ = writeln!(o, "      min_uptime: \"10s\",");
        let _ = writeln!(o, "      exp_backoff_restart_delay: 200,");
        let _ = writeln!(
            o,
            "      // SIGINT makes the node drain; PM2 waits longer than the drain before SIGKILL."
        );
        let _ = writeln!(o, "      kill_timeout: {},", stop_secs(fleet, opts) * 1000);
        let _ = writeln!(
            o,
            "      out_file: {},",
            js(&format!("{}/{}-out.log", opts.log_dir, n.id))
        );
        let _ = writeln!(
            o,
            "      error_file: {},",
            js(&format!("{}/{}-error.log", opts.log_dir, n.id))
        );
        let _ = writeln!(o, "      merge_logs: true,");
        let _ = writeln!(o, "      time: true,");
        let _ = writeln!(o, "    }},");
    }
    o += "  ],\n};\n";
    let mut warnings = Vec::new();
    if fleet.redis.is_none() && fleet.nodes.len() > 1 {
        warnings.push(
            "the fleet has no [redis]: each node gets its own in-memory log and devices on one node never see publishes made on another".into(),
        );
    }
    Ok(Rendered { text: o, warnings })
}

/// The unit's lines that make the node's `--data-dir` writable (an embedded fleet only).
fn state_dir(fleet: &Fleet, opts: &ProcessOptions) -> String {
    if !embedded(fleet) {
        return String::new();
    }
    let dir = opts.data_dir.trim_end_matches('/');
    match dir.strip_prefix("/var/lib/") {
        Some(rel) if !rel.is_empty() => format!(
            "# One node, no [redis]: the device registry is on disk in {dir}/%i (created by systemd,\n\
# owned by {user}).\n\
StateDirectory={rel}/%i\n",
            user = opts.user
        ),
        _ => format!(
            "# One node, no [redis]: the device registry is on disk in {dir}/%i (create it, owned by\n\
# {user}).\n\
ReadWritePaths={dir}/%i\n",
            user = opts.user
        ),
    }
}

/// Files for systemd: the template unit `rtctl@.service` and `<env_dir>/<node>.env` per node.
pub fn systemd(fleet: &Fleet, opts: &ProcessOptions) -> Result<Vec<(String, String)>> {
    check(fleet, opts)?;
    let mut files = Vec::new();
    let unit = format!(
        "# rtctl notification node, one instance per node: systemctl enable --now rtctl@<node-id>\n\
# Rendered by rtctl for {name}. The node reads its address, Redis, namespace, retention and\n\
# drain timeout from {fleet}; {env}/<node-id>.env holds its secrets and overrides\n\
# (RTCTL_API_KEY, RTCTL_*; man rtctl-serve).\n\
[Unit]\n\
Description=rtctl notification node %i\n\
After=network-online.target\n\
Wants=network-online.target\n\
\n\
[Service]\n\
Type=exec\n\
EnvironmentFile=-{env}/%i.env\n\
ExecStart={bin} {args}\n\
# SIGTERM makes the node drain (readiness false, devices told to reconnect elsewhere).\n\
KillSignal=SIGTERM\n\
TimeoutStopSec={stop}\n\
Restart=on-failure\n\
RestartSec=1\n\
# One descriptor per connected device.\n\
LimitNOFILE={nofile}\n\
User={user}\n\
Group={user}\n\
NoNewPrivileges=yes\n\
ProtectSystem=strict\n\
ProtectHome=yes\n\
PrivateTmp=yes\n\
{state}\
\n\
[Install]\n\
WantedBy=multi-user.target\n",
        name = fleet.name,
        env = opts.env_dir,
        fleet = opts.fleet_path,
        bin = opts.binary,
        args = serve_args(fleet, opts, "%i").join(" "),
        stop = stop_secs(fleet, opts),
        nofile = fleet.profile.fd_limit,
        user = opts.user,
        state = state_dir(fleet, opts),
    );
    files.push(("rtctl@.service".to_string(), unit));
    for n in &fleet.nodes {
        let env = format!(
            "# rtctl node {id}: read by rtctl@{id}.service, which runs\n# {bin} {args}\n# (listen {listen}). Overrides of the fleet file go here as RTCTL_* variables.\n# Required when the node listens on a non-loopback address:\n# RTCTL_API_KEY=\n",
            id = n.id,
            bin = opts.binary,
            args = serve_args(fleet, opts, &n.id).join(" "),
            listen = n.listen.clone().unwrap_or_else(|| n.addr()),
        );
        files.push((format!("{}.env", n.id), env));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::default_fleet;

    #[test]
    fn pm2_runs_one_fork_mode_node_per_fleet_node() {
        let r = pm2(&default_fleet(), &ProcessOptions::default()).unwrap();
        assert_eq!(r.text.matches("exec_mode: \"fork\"").count(), 3);
        assert!(r.text.contains("interpreter: \"none\""));
        assert!(r.text.contains(
            "args: [\"serve\", \"-f\", \"/etc/rtctl/fleet.toml\", \"--node-id\", \"node-2\"],"
        ));
        assert!(r.text.contains("kill_timeout: 15000"));
        let opts = ProcessOptions {
            drain_timeout_secs: Some(2),
            ..ProcessOptions::default()
        };
        let r = pm2(&default_fleet(), &opts).unwrap();
        assert!(r
            .text
            .contains("\"--node-id\", \"node-3\", \"--drain-timeout\", \"2\"],"));
        assert!(r.text.contains("kill_timeout: 7000"));
        assert!(!r.text.contains("cluster"));
    }

    #[test]
    fn systemd_has_a_template_and_an_env_file_per_node() {
        let files = systemd(&default_fleet(), &ProcessOptions::default()).unwrap();
        assert_eq!(files.len(), 4);
        assert!(files[0].1.contains("LimitNOFILE=65536"));
        assert!(files[0].1.contains("EnvironmentFile=-/etc/rtctl/%i.env"));
        assert!(files[0].1.contains(
            "ExecStart=/usr/local/bin/rtctl serve -f /etc/rtctl/fleet.toml --node-id %i\n"
        ));
        assert!(files[0].1.contains("TimeoutStopSec=15"));
        assert!(files[2].1.contains("--node-id node-2"));
    }

    #[test]
    fn a_single_node_without_redis_gets_a_data_dir() {
        let mut f = default_fleet();
        assert!(!embedded(&f), "redis");
        assert!(!pm2(&f, &ProcessOptions::default())
            .unwrap()
            .text
            .contains("--data-dir"));
        f.redis = None;
        assert!(!embedded(&f), "three nodes");
        assert!(!systemd(&f, &ProcessOptions::default()).unwrap()[0]
            .1
            .contains("data-dir"));
        f.nodes.truncate(1);
        assert!(embedded(&f));
        let r = pm2(&f, &ProcessOptions::default()).unwrap();
        assert!(
            r.text
                .contains("\"node-1\", \"--data-dir\", \"/var/lib/rtctl/node-1\"],"),
            "{}",
            r.text
        );
        let files = systemd(&f, &ProcessOptions::default()).unwrap();
        assert!(files[0].1.contains(
            "ExecStart=/usr/local/bin/rtctl serve -f /etc/rtctl/fleet.toml --node-id %i --data-dir /var/lib/rtctl/%i\n"
        ));
        assert!(files[0].1.contains("StateDirectory=rtctl/%i\n"));
        let opts = ProcessOptions {
            data_dir: "/srv/rtctl".into(),
            ..ProcessOptions::default()
        };
        let files = systemd(&f, &opts).unwrap();
        assert!(files[0].1.contains("ReadWritePaths=/srv/rtctl/%i\n"));
        assert!(!files[0].1.contains("StateDirectory"));
        let opts = ProcessOptions {
            data_dir: "var/lib".into(),
            ..ProcessOptions::default()
        };
        assert_eq!(pm2(&f, &opts).unwrap_err().field, "--data-dir");
    }

    #[test]
    fn bad_inputs_are_refused() {
        let mut f = default_fleet();
        let opts = ProcessOptions {
            binary: "rtctl".into(),
            ..ProcessOptions::default()
        };
        assert_eq!(pm2(&f, &opts).unwrap_err().field, "--binary");
        let opts = ProcessOptions {
            fleet_path: "fleet.toml".into(),
            ..ProcessOptions::default()
        };
        assert_eq!(pm2(&f, &opts).unwrap_err().field, "--fleet-path");
        f.nodes[1].id = "node 2".into();
        let e = systemd(&f, &ProcessOptions::default()).unwrap_err();
        assert_eq!(e.field, "nodes[1].id");
    }
}
