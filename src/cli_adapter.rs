//! The edge between clap and the pure cores: flags and files become typed inputs here, and
//! the terminal progress bar lives here. `plan`, `simulate nat` and `simulate assign` import
//! nothing from `cli` or `resolve`.

use std::io::{BufRead, IsTerminal, Write};

use crate::cli::{
    AssignArgs, AssignGateway, ClientKind, KeyKind, NatArgs, NatChange, PlanArgs, TransportKind,
};
use crate::error::{Error, Result};
use crate::fleet::Fleet;
use crate::gateway::{Algorithm, GatewaySpec};
use crate::plan::{self, profile, PlanReport, Sizing};
use crate::resolve;
use crate::simulate::{assign, ids, nat, Router};

/// `rtctl plan`: the fleet from its file and the flags, a measured node profile applied
/// (`--profile`; the flags still win), then the pure [`plan::plan`].
pub fn plan(args: &PlanArgs) -> Result<PlanReport> {
    let mut fleet = resolve::fleet(
        &args.fleet,
        Some(&args.profile),
        Some(&args.workload),
        Some(&args.client),
    )?;
    let calibration = match &args.profile_file {
        Some(path) => Some(profile::apply(
            &mut fleet,
            &profile::NodeProfile::load(path)?,
            path,
            profile::Overrides {
                memory_per_connection: args.profile.memory_per_connection.is_some(),
                cpu_ms_per_delivery: args.profile.cpu_ms_per_delivery.is_some(),
                fd_reserve: args.profile.fd_reserve.is_some(),
            },
        )),
        None => None,
    };
    let sizing = Sizing {
        percentile: args.percentile,
        headroom: args.headroom,
        failures: args.failures,
        outage_secs: args
            .outage_secs
            .unwrap_or_else(|| plan::default_outage_secs(fleet.gateway.kind)),
        max_nodes: args.max_nodes,
        explain: args.explain,
    };
    let mut report = plan::plan(&fleet, &sizing)?;
    report.calibration = calibration;
    Ok(report)
}

/// The simulation's options from the flags. Without `--change`, the `--add`, `--remove` and
/// `--down` changes apply in that order.
pub fn nat_input(args: &NatArgs) -> nat::NatInput {
    let changes = if args.changes.is_empty() {
        (args.add.iter().cloned().map(nat::FleetChange::Add))
            .chain(args.remove.iter().cloned().map(nat::FleetChange::Remove))
            .chain(args.down.iter().cloned().map(nat::FleetChange::Down))
            .collect()
    } else {
        args.changes
            .iter()
            .map(|c| match c {
                NatChange::Add(a) => nat::FleetChange::Add(a.clone()),
                NatChange::Remove(r) => nat::FleetChange::Remove(r.clone()),
                NatChange::Down(d) => nat::FleetChange::Down(d.clone()),
            })
            .collect()
    };
    nat::NatInput {
        public_ips: args.public_ips,
        key: match args.key {
            KeyKind::Fleet => nat::KeyChoice::Fleet,
            KeyKind::Ip => nat::KeyChoice::Ip,
            KeyKind::Header => nat::KeyChoice::Header,
            KeyKind::Query => nat::KeyChoice::Query,
            KeyKind::Cookie => nat::KeyChoice::Cookie,
        },
        client: match args.client {
            ClientKind::Node => nat::Client::Node,
            ClientKind::Browser => nat::Client::Browser,
        },
        transport: match args.transport {
            TransportKind::Polling => nat::Transport::Polling,
            TransportKind::Websocket => nat::Transport::Websocket,
        },
        kong_version: args.kong_version.clone(),
        changes,
        seed: args.seed,
        bar_width: args.bar_width,
    }
}

/// `rtctl simulate nat`: the fleet, the device ids (a file, or generated from the seed), then
/// the pure [`nat::simulate`] with a progress bar on a terminal for large runs.
pub fn simulate_nat(args: &NatArgs) -> Result<nat::NatReport> {
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
    let input = nat_input(args);
    // checked before the bar appears
    if input.public_ips == 0 {
        return Err(Error::flag("--public-ips", "expected at least 1"));
    }
    let bar = progress_bar(ids.len() as u64);
    let mut tick = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let report = nat::simulate(&fleet, &input, &ids, &mut tick)?;
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

impl AssignGateway {
    pub fn algorithm(self) -> Algorithm {
        match self {
            AssignGateway::Kong => Algorithm::Kong,
            AssignGateway::NginxConsistent => Algorithm::NginxConsistent,
            AssignGateway::NginxHash => Algorithm::NginxHash,
            AssignGateway::HaproxyConsistent => Algorithm::HaproxyConsistent,
            AssignGateway::HaproxyMap => Algorithm::HaproxyMap,
        }
    }
}

/// The `simulate assign` gateway from the fleet file (if any) and the flags, which win.
pub fn assign_spec(args: &AssignArgs) -> Result<GatewaySpec> {
    let fleet = args.fleet.as_deref().map(Fleet::load).transpose()?;
    let from_fleet = fleet.as_ref().map(Fleet::gateway_spec);
    let targets = if args.targets.is_empty() {
        from_fleet
            .as_ref()
            .map(|s| s.targets.clone())
            .unwrap_or_default()
    } else {
        args.targets
            .iter()
            .map(|t| assign::parse_target(t).map_err(|m| Error::flag("--target", m)))
            .collect::<Result<Vec<_>>>()?
    };
    let algorithm = match (args.gateway, &from_fleet) {
        (Some(g), _) => g.algorithm(),
        (None, Some(s)) => s.algorithm,
        (None, None) => return Err(Error::flag("--gateway", "required without a fleet file")),
    };
    let slots = args
        .slots
        .or(from_fleet.as_ref().map(|s| s.slots))
        .unwrap_or(crate::fleet::DEFAULT_SLOTS);
    let mut down = Vec::new();
    for d in &args.down {
        let i = targets.iter().position(|t| &t.addr == d).ok_or_else(|| {
            Error::flag(
                "--down",
                format!("{d:?} is not one of the --target addresses"),
            )
        })?;
        down.push(i);
    }
    Ok(GatewaySpec {
        algorithm,
        targets,
        slots,
        down,
    })
}

/// `rtctl simulate assign`: route the keys file (or stdin) through [`assign::assign_all`];
/// `json` writes JSON Lines `{"key":…,"target":…}` instead of `key<TAB>ADDR:PORT`.
pub fn simulate_assign(args: &AssignArgs, json: bool, out: &mut dyn Write) -> Result<()> {
    let spec = assign_spec(args)?;
    let mut router = Router::new(&spec, "--target")?;
    let read_err = |source| Error::ReadFile {
        path: args.keys.clone(),
        source,
    };
    let input: Box<dyn BufRead> = if args.keys.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(&args.keys).map_err(read_err)?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, f))
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    assign::assign_all(&mut router, &spec, input, json, &mut w).map_err(|e| match e {
        assign::Failure::Read(e) => read_err(e),
        assign::Failure::Write(e) => Error::stdout(e),
    })?;
    w.flush().map_err(Error::stdout)
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use proptest::prelude::*;

    use super::*;
    use crate::cli::{Cli, Command, SimulateCommand};
    use crate::simulate::nat::simulate;

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
            let r1 = simulate(&fleet, &nat_input(&a), &ids, &mut |_| {}).unwrap();
            let total: u64 = r1.nodes.iter().map(|c| c.devices).sum();
            prop_assert_eq!(total, n as u64);
            let r2 = simulate(&fleet, &nat_input(&a), &ids, &mut |_| {}).unwrap();
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
        let r = simulate(&fleet, &nat_input(&a), &ids, &mut |_| {}).unwrap();
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
        let e = simulate(&fleet, &nat_input(&a), &ids, &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(e.contains("--down: \"node-2\" is neither"), "{e}");
    }

    #[test]
    fn adding_a_node_moves_about_one_in_n() {
        let a = args(&["--add", "10.0.0.4:3000"]);
        let fleet = resolve::fleet(&a.fleet, None, None, None).unwrap();
        let ids = ids::generate(20_000, 3);
        let r = simulate(&fleet, &nat_input(&a), &ids, &mut |_| {}).unwrap();
        let moved = r.changes[0].moved as f64 / 20_000.0;
        // The new node's share of the ring: 1/4 on average, within the ring's irregularity.
        assert!((0.15..0.35).contains(&moved), "{moved}");
        assert_eq!(r.changes[0].moved_between_unchanged_nodes, 0);
        assert_eq!(r.changes[0].moved, r.changes[0].nodes[3].devices);
    }
}
