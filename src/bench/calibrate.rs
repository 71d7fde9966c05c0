//! `rtctl bench calibrate`: idle and throughput against one node, condensed into the node
//! profile `plan --profile` reads.

use std::path::Path;

use super::{run, Options, Scenario};
use crate::error::{Error, Result};
use crate::plan::profile::{NodeProfile, ProfileMachine};

/// Runs the scenarios the profile needs. `options` builds the run options of each scenario.
pub async fn calibrate(options: impl Fn(Scenario) -> Result<Options>) -> Result<NodeProfile> {
    let idle_opts = options(Scenario::Idle)?;
    let url = idle_opts.url.clone();
    let unreachable = |e: String| Error::Unreachable {
        service: "node",
        addr: url.clone(),
        message: e,
    };
    let idle = run(idle_opts).await.map_err(unreachable)?;
    let tp = run(options(Scenario::Throughput)?)
        .await
        .map_err(unreachable)?;
    let cpu_ms = tp.node.cpu_ms_per_delivery.filter(|c| *c > 0.0);
    Ok(NodeProfile {
        rtctl_version: env!("CARGO_PKG_VERSION").into(),
        measured_unix: idle.started_unix,
        url: idle.url.clone(),
        machine: ProfileMachine {
            cores: idle.machine.cores,
            cpu: idle.machine.cpu.clone(),
            memory_bytes: idle.machine.memory_bytes,
            kernel: idle.machine.kernel.clone(),
        },
        devices: idle.devices,
        memory_per_connection_bytes: idle.node.memory_per_connection_bytes.filter(|m| *m > 0.0),
        deliveries_per_sec_per_core: cpu_ms.map(|c| (1000.0 / c).round()),
        cpu_ms_per_delivery: cpu_ms,
        handshakes_per_sec: Some(idle.connect.handshakes_per_sec).filter(|h| *h > 0.0),
        lost: idle.deliveries.lost + tp.deliveries.lost,
    })
}

/// Writes the profile as TOML; the text to print (the file's content).
pub fn write(p: &NodeProfile, path: &Path) -> Result<String> {
    let text = p.to_toml();
    std::fs::write(path, &text).map_err(|source| Error::Output {
        target: path.display().to_string(),
        source,
    })?;
    Ok(format!("# written to {}\n{text}", path.display()))
}
